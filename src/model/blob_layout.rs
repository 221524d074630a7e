//! The blob names every official SDK files a consumer group's checkpoints and ownerships
//! under (docs/protocol-notes.md section 5): `{fqns}/{hub}/{cg}/{checkpoint|ownership}/{pid}`.
//! The console reads and writes them in a storage container; the emulator's demo consumers
//! write them as files.

/// The first three parts of a blob name, spelled as the writer spelled them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupPath {
    pub namespace: String,
    pub hub: String,
    pub consumer_group: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobKind {
    Checkpoint,
    Ownership,
}

impl BlobKind {
    pub fn folder(self) -> &'static str {
        match self {
            BlobKind::Checkpoint => "checkpoint",
            BlobKind::Ownership => "ownership",
        }
    }

    /// The kind a folder name stands for, or `None` for a name outside the layout.
    pub fn from_folder(folder: &str) -> Option<Self> {
        match folder {
            "checkpoint" => Some(Self::Checkpoint),
            "ownership" => Some(Self::Ownership),
            _ => None,
        }
    }
}

impl GroupPath {
    pub fn new(namespace: &str, hub: &str, consumer_group: &str) -> Self {
        Self {
            namespace: namespace.to_owned(),
            hub: hub.to_owned(),
            consumer_group: consumer_group.to_owned(),
        }
    }

    /// How Python, JS and .NET spell a group they write first (Rust keeps the case).
    pub fn lowercased(&self) -> Self {
        Self {
            namespace: self.namespace.to_lowercase(),
            hub: self.hub.to_lowercase(),
            consumer_group: self.consumer_group.to_lowercase(),
        }
    }

    /// `{namespace}/{hub}/{consumer_group}/`, what a listing of the group's blobs starts with.
    pub fn prefix(&self) -> String {
        format!("{}/{}/{}/", self.namespace, self.hub, self.consumer_group)
    }

    /// The name of one partition's blob of `kind`.
    pub fn blob_name(&self, kind: BlobKind, partition: &str) -> String {
        format!("{}{}/{partition}", self.prefix(), kind.folder())
    }
}

/// Splits `{fqns}/{hub}/{cg}/{checkpoint|ownership}/{pid}`; `None` for any other name.
pub fn parse_blob_name(name: &str) -> Option<(GroupPath, BlobKind, String)> {
    let mut parts = name.split('/');
    let (namespace, hub, group, folder, partition) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if parts.next().is_some() || partition.is_empty() {
        return None;
    }
    let kind = BlobKind::from_folder(folder)?;
    Some((
        GroupPath::new(namespace, hub, group),
        kind,
        partition.to_owned(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_built_and_split_the_same_way() {
        let group = GroupPath::new("EHOPS-Demo", "Sale", "CRM-Sync");
        let name = group.lowercased().blob_name(BlobKind::Ownership, "1");
        assert_eq!(name, "ehops-demo/sale/crm-sync/ownership/1");
        assert_eq!(
            parse_blob_name(&name),
            Some((group.lowercased(), BlobKind::Ownership, "1".to_owned()))
        );
        assert_eq!(parse_blob_name("ns/hub/cg/checkpoint/0/extra"), None);
        assert_eq!(parse_blob_name("ns/hub/cg/other/0"), None);
        assert_eq!(parse_blob_name("ns/hub/cg/checkpoint/"), None);
    }
}

//! Effective Azure RBAC permissions, as `Microsoft.Authorization/permissions` returns them for a
//! scope (docs/protocol-notes.md section 8), and how they decide whether ehops may offer an action.
//!
//! The response is a list of entries, one per role assignment that applies, each with
//! `actions`, `notActions`, `dataActions` and `notDataActions`. An operation is allowed when
//! some entry matches it in its granting list and not in its own exclusion list: exclusions
//! subtract within one entry, never across entries (a `notDataActions` in one role does not
//! take away what another role grants). Patterns use `*` for any run of characters, slashes
//! included (`Microsoft.EventHub/*/send/action`), and compare case-insensitively, as ARM does
//! (the operations list itself spells `eventHubs` and `eventhubs` both).

mod action;
#[cfg(test)]
mod tests;

pub use action::{ConsoleAction, Requirement, ScopeKind, Verdict};

use serde::Deserialize;

/// One entry of a permissions response: what one role assignment grants at the scope.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Permission {
    pub actions: Vec<String>,
    pub not_actions: Vec<String>,
    pub data_actions: Vec<String>,
    pub not_data_actions: Vec<String>,
}

/// The plane an Azure operation belongs to: control-plane `actions` (ARM) or `dataActions`
/// (messages, schemas, blobs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plane {
    Control,
    Data,
}

impl Permission {
    /// Whether this entry alone grants `operation` on `plane`.
    pub fn grants(&self, plane: Plane, operation: &str) -> bool {
        let (granted, excluded) = match plane {
            Plane::Control => (&self.actions, &self.not_actions),
            Plane::Data => (&self.data_actions, &self.not_data_actions),
        };
        granted.iter().any(|p| pattern_matches(p, operation))
            && !excluded.iter().any(|p| pattern_matches(p, operation))
    }
}

/// Everything the caller may do at one scope: the union of the entries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct Permissions {
    #[serde(rename = "value", default)]
    pub entries: Vec<Permission>,
}

impl Permissions {
    pub fn new(entries: Vec<Permission>) -> Self {
        Permissions { entries }
    }

    /// Parses a `Microsoft.Authorization/permissions` response body (`nextLink` is the
    /// caller's business: pages are joined with [`Permissions::extend`]).
    pub fn from_response(body: &str) -> Result<Permissions, serde_json::Error> {
        serde_json::from_str(body)
    }

    pub fn extend(&mut self, more: Permissions) {
        self.entries.extend(more.entries);
    }

    pub fn allows(&self, plane: Plane, operation: &str) -> bool {
        self.entries.iter().any(|e| e.grants(plane, operation))
    }

    /// Whether `requirement` is met.
    pub fn meets(&self, requirement: &Requirement) -> bool {
        self.allows(requirement.plane, requirement.operation)
    }
}

/// ARM's wildcard match: `*` stands for any run of characters (slashes too); everything else
/// compares case-insensitively.
pub fn pattern_matches(pattern: &str, operation: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    let operation = operation.to_ascii_lowercase();
    let mut pieces = pattern.split('*');
    let first = pieces.next().unwrap_or("");
    let Some(mut rest) = operation.strip_prefix(first) else {
        return false;
    };
    let pieces: Vec<&str> = pieces.collect();
    let Some((last, middle)) = pieces.split_last() else {
        // No `*` at all: the whole operation must have been the prefix.
        return rest.is_empty();
    };
    for piece in middle {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.len() >= last.len() && rest.ends_with(last)
}

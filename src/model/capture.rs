//! Capture files as the console lists them: where a blob name puts a file (namespace, hub,
//! partition, window) and what it holds. What a capture pane shows, hub -> files -> events.

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time};

/// What Azure's default `archiveNameFormat` encodes in a blob name:
/// `{Namespace}/{EventHub}/{PartitionId}/{Year}/{Month}/{Day}/{Hour}/{Minute}/{Second}.avro`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureName {
    pub namespace: String,
    pub hub: String,
    pub partition: String,
    pub window_start: OffsetDateTime,
}

impl CaptureName {
    /// `None` for names in another layout (custom formats, other files in the container).
    pub fn parse(name: &str) -> Option<Self> {
        let stem = name.strip_suffix(".avro")?;
        let parts: Vec<&str> = stem.rsplitn(10, '/').collect();
        // Right to left: second, minute, hour, day, month, year, partition, hub, namespace
        // (and whatever prefix the container adds before them).
        if parts.len() < 9 {
            return None;
        }
        let number = |s: &str| s.parse::<u16>().ok();
        let (second, minute, hour) = (number(parts[0])?, number(parts[1])?, number(parts[2])?);
        let (day, month, year) = (number(parts[3])?, number(parts[4])?, number(parts[5])?);
        let date = Date::from_calendar_date(
            i32::from(year),
            Month::try_from(u8::try_from(month).ok()?).ok()?,
            u8::try_from(day).ok()?,
        )
        .ok()?;
        let time = Time::from_hms(
            u8::try_from(hour).ok()?,
            u8::try_from(minute).ok()?,
            u8::try_from(second).ok()?,
        )
        .ok()?;
        Some(CaptureName {
            namespace: parts[8].to_string(),
            hub: parts[7].to_string(),
            partition: parts[6].to_string(),
            window_start: PrimitiveDateTime::new(date, time).assume_utc(),
        })
    }

    /// The prefix under which every file of one hub sits.
    pub fn hub_prefix(namespace: &str, hub: &str) -> String {
        format!("{namespace}/{hub}/")
    }
}

/// One capture file, listed and read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaptureFileInfo {
    /// The blob name (path under the container or directory).
    pub name: String,
    pub partition: String,
    pub window_start: OffsetDateTime,
    pub size: u64,
    pub events: usize,
    pub first_sequence: Option<i64>,
    pub last_sequence: Option<i64>,
    pub first_enqueued: Option<OffsetDateTime>,
    pub last_enqueued: Option<OffsetDateTime>,
    /// Blocks that could not be read, each naming the block and why.
    pub problems: Vec<String>,
}

/// A capture destination that is failing: which partition of which hub, which destination,
/// why, and since when. The emulator keeps one per failing partition beside its progress
/// (`{data}/capture-progress/{namespace}/{hub}/{partition}.failing.json`) until a write works;
/// the console shows them over the hub's capture files.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CaptureFailure {
    pub hub: String,
    pub partition: String,
    pub destination: String,
    /// What capture was doing (`write a capture file`) and the error it met.
    pub doing: String,
    pub cause: String,
    /// When it began failing, unix milliseconds.
    pub since_ms: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn azures_documented_name_parses_and_others_do_not() {
        let name = CaptureName::parse("mynamespace/myeventhub/0/2017/12/08/03/03/17.avro")
            .expect("documented name");
        assert_eq!(name.namespace, "mynamespace");
        assert_eq!(name.hub, "myeventhub");
        assert_eq!(name.partition, "0");
        assert_eq!(name.window_start.unix_timestamp(), 1_512_702_197);
        let nested =
            CaptureName::parse("archive/ns/hub/3/2024/02/29/23/59/59.avro").expect("nested");
        assert_eq!(
            (nested.namespace.as_str(), nested.partition.as_str()),
            ("ns", "3")
        );
        assert!(CaptureName::parse("ns/hub/0/2017/13/08/03/03/17.avro").is_none());
        assert!(CaptureName::parse("ns/hub/0/2017/12/08/03/03/17.json").is_none());
        assert!(CaptureName::parse("hub/0/2017/12/08/03/03/17.avro").is_none());
    }
}

//! Event Hubs Capture's file format: Avro object container files of Azure's
//! `Microsoft.ServiceBus.Messaging.EventData` record (docs/capture.md cites the source). The
//! emulator writes them ([`write`]), the console reads them block by block, keeping what is
//! readable in a damaged file ([`read`]).

pub mod read;
mod time_format;
pub mod write;

pub use read::{BlockProblem, CaptureFile, read_capture_file};
pub use time_format::{format_enqueued_time, parse_enqueued_time};
pub use write::{CaptureCodec, CaptureWriter, write_capture_file};

/// The record schema Azure writes, verbatim from Microsoft's Capture overview.
pub const EVENT_DATA_SCHEMA: &str = r#"{"type":"record","name":"EventData","namespace":"Microsoft.ServiceBus.Messaging","fields":[{"name":"SequenceNumber","type":"long"},{"name":"Offset","type":"string"},{"name":"EnqueuedTimeUtc","type":"string"},{"name":"SystemProperties","type":{"type":"map","values":["long","double","string","bytes"]}},{"name":"Properties","type":{"type":"map","values":["long","double","string","bytes"]}},{"name":"Body","type":["null","bytes"]}]}"#;

/// A value of the SystemProperties and Properties maps: the union's four branches (and
/// `null`, which some Azure files add to the union).
#[derive(Debug, Clone, PartialEq)]
pub enum CaptureValue {
    Null,
    Long(i64),
    Double(f64),
    String(String),
    Bytes(Vec<u8>),
}

impl CaptureValue {
    /// The value as text, as the tail shows application properties.
    pub fn to_text(&self) -> String {
        match self {
            CaptureValue::Null => String::new(),
            CaptureValue::Long(n) => n.to_string(),
            CaptureValue::Double(d) => d.to_string(),
            CaptureValue::String(s) => s.clone(),
            CaptureValue::Bytes(b) => crate::codec::avro::json::hex(b),
        }
    }
}

/// One captured event, field for field as Azure writes it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptureRecord {
    pub sequence_number: i64,
    pub offset: String,
    /// As Azure writes it (`M/d/yyyy h:mm:ss AM`); [`parse_enqueued_time`] reads it.
    pub enqueued_time_utc: String,
    pub system_properties: Vec<(String, CaptureValue)>,
    pub properties: Vec<(String, CaptureValue)>,
    pub body: Option<Vec<u8>>,
}

impl CaptureRecord {
    pub fn system_property(&self, name: &str) -> Option<&CaptureValue> {
        self.system_properties
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }

    /// The enqueued time in unix milliseconds: the system property `x-opt-enqueued-time`
    /// when present (ehops writes it, to the millisecond), else `EnqueuedTimeUtc`.
    pub fn enqueued_ms(&self) -> Option<i64> {
        match self.system_property("x-opt-enqueued-time") {
            Some(CaptureValue::Long(ms)) => Some(*ms),
            _ => parse_enqueued_time(&self.enqueued_time_utc)
                .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64),
        }
    }
}

#[cfg(test)]
mod tests;

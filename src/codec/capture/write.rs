//! Writing a Capture file with apache-avro, the design card's Avro library: the container
//! header carries Azure's schema and the codec (`null` for Avro, `deflate` for AvroDeflate).

use std::io::Write;
use std::sync::OnceLock;

use apache_avro::{Codec, DeflateSettings, Schema, Writer};
use serde::ser::{Serialize, SerializeMap, SerializeStruct, Serializer};

use super::{CaptureRecord, CaptureValue, EVENT_DATA_SCHEMA};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureCodec {
    Null,
    Deflate,
}

/// Azure's schema, parsed once: a writer borrows it for as long as it lives.
fn schema() -> Result<&'static Schema, String> {
    static SCHEMA: OnceLock<Result<Schema, String>> = OnceLock::new();
    SCHEMA
        .get_or_init(|| Schema::parse_str(EVENT_DATA_SCHEMA).map_err(|e| e.to_string()))
        .as_ref()
        .map_err(Clone::clone)
}

/// A file being written, record by record, so a window never holds its events twice (as
/// records and as bytes); into memory, or into any writer (a capture file being staged).
pub struct CaptureWriter<W: Write = Vec<u8>> {
    writer: Writer<'static, W>,
    records: usize,
}

impl CaptureWriter<Vec<u8>> {
    pub fn new(codec: CaptureCodec) -> Result<Self, String> {
        Self::into_sink(codec, Vec::new())
    }
}

impl<W: Write> CaptureWriter<W> {
    /// A file written into `sink` block by block as records fill them.
    pub fn into_sink(codec: CaptureCodec, sink: W) -> Result<Self, String> {
        let codec = match codec {
            CaptureCodec::Null => Codec::Null,
            CaptureCodec::Deflate => Codec::Deflate(DeflateSettings::default()),
        };
        let writer = Writer::with_codec(schema()?, sink, codec).map_err(|e| e.to_string())?;
        Ok(Self { writer, records: 0 })
    }

    /// Encodes `record` straight from its fields with apache-avro's schema-aware serializer
    /// (each value checked against Azure's schema as it is written): no `Value` tree, no
    /// hash map and no boxed union per record, which made building records the capture
    /// thread's largest cost (docs/capture.md).
    pub fn append(&mut self, record: &CaptureRecord) -> Result<(), String> {
        self.writer
            .append_ser(EventData(record))
            .map_err(|e| format!("sequence number {}: {e}", record.sequence_number))?;
        self.records += 1;
        Ok(())
    }

    pub fn records(&self) -> usize {
        self.records
    }

    pub fn sink(&self) -> &W {
        self.writer.get_ref()
    }

    /// The complete file. With no record it is a header and no block, as Azure writes for an
    /// empty window when `skipEmptyArchives` is off.
    pub fn finish(self) -> Result<W, String> {
        self.writer.into_inner().map_err(|e| e.to_string())
    }
}

/// The whole file for `records`, in order.
pub fn write_capture_file(
    records: &[CaptureRecord],
    codec: CaptureCodec,
) -> Result<Vec<u8>, String> {
    let mut writer = CaptureWriter::new(codec)?;
    for record in records {
        writer.append(record)?;
    }
    writer.finish()
}

/// A record as Azure's `EventData` schema has it, field for field. Map entries keep their
/// order; the value union is `["long","double","string","bytes"]`, chosen by the serde type.
struct EventData<'a>(&'a CaptureRecord);

impl Serialize for EventData<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let record = self.0;
        let mut fields = serializer.serialize_struct("EventData", 6)?;
        fields.serialize_field("SequenceNumber", &record.sequence_number)?;
        fields.serialize_field("Offset", &record.offset)?;
        fields.serialize_field("EnqueuedTimeUtc", &record.enqueued_time_utc)?;
        fields.serialize_field("SystemProperties", &Entries(&record.system_properties))?;
        fields.serialize_field("Properties", &Entries(&record.properties))?;
        fields.serialize_field("Body", &record.body.as_deref().map(Bytes))?;
        fields.end()
    }
}

struct Entries<'a>(&'a [(String, CaptureValue)]);

impl Serialize for Entries<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in self.0 {
            map.serialize_entry(key, &UnionValue(value))?;
        }
        map.end()
    }
}

/// Azure's union has no null: a null property is written as an empty string.
struct UnionValue<'a>(&'a CaptureValue);

impl Serialize for UnionValue<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            CaptureValue::Long(n) => serializer.serialize_i64(*n),
            CaptureValue::Double(d) => serializer.serialize_f64(*d),
            CaptureValue::String(s) => serializer.serialize_str(s),
            CaptureValue::Null => serializer.serialize_str(""),
            CaptureValue::Bytes(b) => serializer.serialize_bytes(b),
        }
    }
}

/// Bytes as Avro `bytes` (serde would make a slice a sequence).
struct Bytes<'a>(&'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

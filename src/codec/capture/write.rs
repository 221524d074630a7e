//! Writing a Capture file with apache-avro, the design card's Avro library: the container
//! header carries Azure's schema and the codec (`null` for Avro, `deflate` for AvroDeflate).

use std::io::Write;
use std::sync::OnceLock;

use apache_avro::types::Value;
use apache_avro::{Codec, DeflateSettings, Schema, Writer};

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

    /// Bytes written so far, not counting the block apache-avro still buffers (at most
    /// its block size, 16,000 bytes).
    pub fn written(&self) -> usize {
        self.writer.get_ref().len()
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

    pub fn append(&mut self, record: &CaptureRecord) -> Result<(), String> {
        let value = to_value(record);
        // The value is built by `to_value` from Azure's schema, field for field; tests (debug
        // builds) check each against the schema, release builds skip that walk per record.
        let appended = if cfg!(debug_assertions) {
            self.writer.append_value(value)
        } else {
            self.writer.unvalidated_append_value(value)
        };
        appended.map_err(|e| format!("sequence number {}: {e}", record.sequence_number))?;
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

fn to_value(record: &CaptureRecord) -> Value {
    let map = |entries: &[(String, CaptureValue)]| {
        Value::Map(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), union_value(v)))
                .collect(),
        )
    };
    Value::Record(vec![
        ("SequenceNumber".into(), Value::Long(record.sequence_number)),
        ("Offset".into(), Value::String(record.offset.clone())),
        (
            "EnqueuedTimeUtc".into(),
            Value::String(record.enqueued_time_utc.clone()),
        ),
        ("SystemProperties".into(), map(&record.system_properties)),
        ("Properties".into(), map(&record.properties)),
        (
            "Body".into(),
            match &record.body {
                Some(body) => Value::Union(1, Box::new(Value::Bytes(body.clone()))),
                None => Value::Union(0, Box::new(Value::Null)),
            },
        ),
    ])
}

/// A map value in the union `["long","double","string","bytes"]`; Azure's union has no null,
/// so a null property is written as an empty string.
fn union_value(value: &CaptureValue) -> Value {
    match value {
        CaptureValue::Long(n) => Value::Union(0, Box::new(Value::Long(*n))),
        CaptureValue::Double(d) => Value::Union(1, Box::new(Value::Double(*d))),
        CaptureValue::String(s) => Value::Union(2, Box::new(Value::String(s.clone()))),
        CaptureValue::Null => Value::Union(2, Box::new(Value::String(String::new()))),
        CaptureValue::Bytes(b) => Value::Union(3, Box::new(Value::Bytes(b.clone()))),
    }
}

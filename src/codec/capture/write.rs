//! Writing a Capture file with apache-avro, the design card's Avro library: the container
//! header carries Azure's schema and the codec (`null` for Avro, `deflate` for AvroDeflate).

use apache_avro::types::Value;
use apache_avro::{Codec, DeflateSettings, Schema, Writer};

use super::{CaptureRecord, CaptureValue, EVENT_DATA_SCHEMA};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureCodec {
    Null,
    Deflate,
}

/// The whole file for `records`, in order. An empty slice gives a file with a header and no
/// block, as Azure writes for an empty window when `skipEmptyArchives` is off.
pub fn write_capture_file(
    records: &[CaptureRecord],
    codec: CaptureCodec,
) -> Result<Vec<u8>, String> {
    let schema = Schema::parse_str(EVENT_DATA_SCHEMA).map_err(|e| e.to_string())?;
    let codec = match codec {
        CaptureCodec::Null => Codec::Null,
        CaptureCodec::Deflate => Codec::Deflate(DeflateSettings::default()),
    };
    let mut writer = Writer::with_codec(&schema, Vec::new(), codec).map_err(|e| e.to_string())?;
    for record in records {
        writer
            .append_value(to_value(record))
            .map_err(|e| format!("sequence number {}: {e}", record.sequence_number))?;
    }
    writer.into_inner().map_err(|e| e.to_string())
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

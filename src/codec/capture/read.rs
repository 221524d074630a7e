//! Reading a Capture file block by block, so a damaged file gives up only its damaged blocks:
//! a block whose sync marker is wrong is skipped up to the next marker, one that does not
//! inflate is skipped, and a file cut short (a half-uploaded blob) keeps every whole block
//! before the cut. Each loss is a [`BlockProblem`] naming the block and its byte position.
//! The block framing is read here (apache-avro's reader stops at the first error); the
//! records inside a block are decoded by apache-avro against the file's own writer schema.

use apache_avro::Schema;
use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::types::Value;

use super::{CaptureRecord, CaptureValue};
use crate::codec::avro::container::{MAGIC, header, inflate};
use crate::codec::avro::decode::Reader;

/// Most bytes one block may inflate to; Azure's blocks are far smaller.
const MAX_BLOCK_INFLATED: usize = 64 << 20;
const SYNC_LEN: usize = 16;

/// What could be read of one file.
#[derive(Debug, Clone, PartialEq)]
pub struct CaptureFile {
    pub codec: String,
    /// Blocks found, readable or not.
    pub blocks: usize,
    pub records: Vec<CaptureRecord>,
    pub problems: Vec<BlockProblem>,
}

/// A block (or the file's end) that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockProblem {
    /// 0-based block number.
    pub block: usize,
    /// Byte position of the block in the file.
    pub byte: usize,
    pub reason: String,
}

impl std::fmt::Display for BlockProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "block {} at byte {}: {}",
            self.block, self.byte, self.reason
        )
    }
}

/// Reads every readable record. Only a file whose header cannot be read is an error: without
/// the schema and sync marker no block can be trusted.
pub fn read_capture_file(bytes: &[u8]) -> Result<CaptureFile, String> {
    let rest = bytes
        .strip_prefix(MAGIC)
        .ok_or("not an Avro container file (no Obj\\x01 magic)")?;
    let mut reader = Reader::new(rest);
    let (schema_text, codec) = header(&mut reader).map_err(|e| format!("header: {e}"))?;
    let schema_text = schema_text.ok_or("the header has no avro.schema")?;
    let schema = Schema::parse_str(&String::from_utf8_lossy(&schema_text))
        .map_err(|e| format!("the header's schema: {e}"))?;
    let codec = codec.map_or_else(
        || "null".into(),
        |c| String::from_utf8_lossy(&c).into_owned(),
    );
    if codec != "null" && codec != "deflate" {
        return Err(format!(
            "codec {codec} is not supported (null and deflate are)"
        ));
    }
    let sync: [u8; SYNC_LEN] = reader
        .take(SYNC_LEN)
        .ok()
        .and_then(|s| s.try_into().ok())
        .ok_or("the header ends before its sync marker")?;
    let mut file = CaptureFile {
        codec,
        blocks: 0,
        records: Vec::new(),
        problems: Vec::new(),
    };
    let mut at = MAGIC.len() + reader.position();
    while at < bytes.len() {
        let block = file.blocks;
        file.blocks += 1;
        let problem = |reason: String| BlockProblem {
            block,
            byte: at,
            reason,
        };
        let mut framing = Reader::new(&bytes[at..]);
        let framed = framing.long().and_then(|count| {
            let data = framing.length_prefixed()?;
            let marker = framing.take(SYNC_LEN)?;
            Ok((count, data, marker))
        });
        let (count, data, marker) = match framed {
            Ok(parts) => parts,
            Err(_) => {
                file.problems.push(problem(format!(
                    "the file ends inside this block ({} bytes left): truncated",
                    bytes.len() - at
                )));
                break;
            }
        };
        if marker != sync {
            file.problems.push(problem(
                "wrong sync marker; skipped to the next marker".into(),
            ));
            match find(&bytes[at + 1..], &sync) {
                Some(found) => at = at + 1 + found + SYNC_LEN,
                None => break,
            }
            continue;
        }
        let next = at + framing.position();
        let inflated;
        let data = if file.codec == "deflate" {
            match inflate(data, MAX_BLOCK_INFLATED) {
                Ok(out) => {
                    inflated = out;
                    &inflated[..]
                }
                Err(reason) => {
                    file.problems
                        .push(problem(format!("does not inflate: {reason}")));
                    at = next;
                    continue;
                }
            }
        } else {
            data
        };
        if let Err(reason) = decode_block(&schema, data, count, &mut file.records) {
            file.problems.push(problem(reason));
        }
        at = next;
    }
    Ok(file)
}

/// Decodes `count` records; those before a bad one are kept.
fn decode_block(
    schema: &Schema,
    mut data: &[u8],
    count: i64,
    out: &mut Vec<CaptureRecord>,
) -> Result<(), String> {
    let reader = GenericDatumReader::builder(schema)
        .build()
        .map_err(|e| e.to_string())?;
    for n in 0..count.max(0) {
        let value = reader
            .read_value(&mut data)
            .map_err(|e| format!("record {n} of {count}: {e}"))?;
        out.push(record_of(value).map_err(|e| format!("record {n} of {count}: {e}"))?);
    }
    if !data.is_empty() {
        return Err(format!("{} bytes after the last record", data.len()));
    }
    Ok(())
}

fn record_of(value: Value) -> Result<CaptureRecord, String> {
    let Value::Record(fields) = value else {
        return Err("not a record".into());
    };
    let mut record = CaptureRecord {
        sequence_number: 0,
        offset: String::new(),
        enqueued_time_utc: String::new(),
        system_properties: Vec::new(),
        properties: Vec::new(),
        body: None,
    };
    for (name, value) in fields {
        match (name.as_str(), value) {
            ("SequenceNumber", Value::Long(n)) => record.sequence_number = n,
            ("Offset", Value::String(s)) => record.offset = s,
            ("EnqueuedTimeUtc", Value::String(s)) => record.enqueued_time_utc = s,
            ("SystemProperties", Value::Map(m)) => record.system_properties = entries(m),
            ("Properties", Value::Map(m)) => record.properties = entries(m),
            ("Body", Value::Union(_, body)) => {
                record.body = match *body {
                    Value::Bytes(b) => Some(b),
                    _ => None,
                }
            }
            (name, _) => return Err(format!("field {name} is not as Azure's schema has it")),
        }
    }
    Ok(record)
}

/// Map entries sorted by name: Avro maps have no order, and a stable one makes output
/// comparable between runs.
fn entries(map: std::collections::HashMap<String, Value>) -> Vec<(String, CaptureValue)> {
    let mut out: Vec<(String, CaptureValue)> = map
        .into_iter()
        .map(|(k, v)| (k, capture_value(v)))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn capture_value(value: Value) -> CaptureValue {
    match value {
        Value::Union(_, inner) => capture_value(*inner),
        Value::Long(n) => CaptureValue::Long(n),
        Value::Int(n) => CaptureValue::Long(i64::from(n)),
        Value::Double(d) => CaptureValue::Double(d),
        Value::Float(f) => CaptureValue::Double(f64::from(f)),
        Value::String(s) => CaptureValue::String(s),
        Value::Bytes(b) => CaptureValue::Bytes(b),
        Value::Boolean(b) => CaptureValue::String(b.to_string()),
        _ => CaptureValue::Null,
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

//! Avro object container files ("Object Container Files" in the Avro 1.11 specification):
//! `Obj\x01`, a metadata map holding `avro.schema` and `avro.codec`, a 16-byte sync marker,
//! then blocks of (count, size, data, sync). Codecs `null` and `deflate`; inflated data is
//! capped, so a small hostile file cannot claim gigabytes of memory.

use std::io::Read;

use super::decode::{AvroError, Reader, Value};
use super::schema::{Schema, SchemaError};

pub const MAGIC: &[u8; 4] = b"Obj\x01";
/// Most bytes a file's blocks may inflate to, in total.
const MAX_INFLATED: usize = 64 << 20;
/// Most metadata entries a header may hold.
const MAX_METADATA: usize = 1024;

#[derive(Debug, Clone, PartialEq)]
pub struct ContainerFile {
    pub schema: Schema,
    pub codec: String,
    pub records: Vec<Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ContainerError {
    #[error("not an Avro container file (no Obj\\x01 magic)")]
    NoMagic,
    #[error("container header: {0}")]
    Header(AvroError),
    #[error("the header has no avro.schema")]
    NoSchema,
    #[error("the header's schema: {0}")]
    Schema(SchemaError),
    #[error("codec {0} is not supported (null and deflate are)")]
    Codec(String),
    #[error("block {block}: {error}")]
    Block { block: usize, error: AvroError },
    #[error("block {0} does not end with the file's sync marker")]
    Sync(usize),
    #[error("block {block} does not inflate: {reason}")]
    Inflate { block: usize, reason: String },
    #[error("the blocks inflate to more than {} MiB", MAX_INFLATED >> 20)]
    TooLarge,
}

/// Reads a whole container file.
pub fn read_container(bytes: &[u8]) -> Result<ContainerFile, ContainerError> {
    let rest = bytes.strip_prefix(MAGIC).ok_or(ContainerError::NoMagic)?;
    let mut reader = Reader::new(rest);
    let (schema_text, codec) = header(&mut reader).map_err(ContainerError::Header)?;
    let schema_text = schema_text.ok_or(ContainerError::NoSchema)?;
    let schema =
        Schema::parse(&String::from_utf8_lossy(&schema_text)).map_err(ContainerError::Schema)?;
    let codec = codec.map_or_else(
        || "null".to_owned(),
        |c| String::from_utf8_lossy(&c).into_owned(),
    );
    if codec != "null" && codec != "deflate" {
        return Err(ContainerError::Codec(codec));
    }
    let sync = reader.take(16).map_err(ContainerError::Header)?;
    let mut records = Vec::new();
    let mut inflated_total = 0usize;
    let mut block = 0;
    while reader.left() > 0 {
        let at_block = |error| ContainerError::Block { block, error };
        let count = reader.long().map_err(at_block)?;
        let data = reader.length_prefixed().map_err(at_block)?;
        if reader.take(16).map_err(at_block)? != sync {
            return Err(ContainerError::Sync(block));
        }
        let inflated;
        let data = if codec == "deflate" {
            inflated = inflate(data, MAX_INFLATED - inflated_total)
                .map_err(|reason| ContainerError::Inflate { block, reason })?;
            inflated_total += inflated.len();
            &inflated[..]
        } else {
            data
        };
        // Every object takes at least one byte unless the schema allows empty ones; the
        // reader's item bound covers those.
        let count = usize::try_from(count)
            .ok()
            .filter(|c| *c <= data.len().max(1) * 8 + 4096)
            .ok_or(at_block(AvroError::BadLength {
                at: 0,
                length: count,
                left: data.len(),
            }))?;
        let mut objects = Reader::new(data);
        records.reserve(count.min(data.len()));
        for _ in 0..count {
            records.push(objects.value(&schema, schema.root()).map_err(at_block)?);
        }
        if objects.left() > 0 {
            return Err(at_block(AvroError::TrailingBytes(objects.left())));
        }
        block += 1;
    }
    Ok(ContainerFile {
        schema,
        codec,
        records,
    })
}

/// The schema and codec of a header, when present.
pub(crate) type HeaderKeys = (Option<Vec<u8>>, Option<Vec<u8>>);

/// The metadata map: only the two keys the reader needs are kept.
pub(crate) fn header(reader: &mut Reader) -> Result<HeaderKeys, AvroError> {
    let (mut schema, mut codec) = (None, None);
    let mut entries = 0;
    loop {
        let count = reader.long()?;
        if count == 0 {
            return Ok((schema, codec));
        }
        if count < 0 {
            reader.long()?;
        }
        let count = usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX);
        entries += count;
        if entries > MAX_METADATA {
            return Err(AvroError::TooManyItems(entries));
        }
        for _ in 0..count {
            let key = reader.length_prefixed()?;
            let value = reader.length_prefixed()?;
            match key {
                b"avro.schema" => schema = Some(value.to_vec()),
                b"avro.codec" => codec = Some(value.to_vec()),
                _ => {}
            }
        }
    }
}

/// Raw deflate (RFC 1951), refusing output past `limit` bytes.
pub(crate) fn inflate(data: &[u8], limit: usize) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut decoder = flate2::read::DeflateDecoder::new(data).take(limit as u64 + 1);
    decoder.read_to_end(&mut out).map_err(|e| e.to_string())?;
    if out.len() > limit {
        return Err(ContainerError::TooLarge.to_string());
    }
    Ok(out)
}

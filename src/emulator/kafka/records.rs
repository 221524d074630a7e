//! Record batches from a produce request: the v2 headers are checked before the crate
//! decodes them, because it reserves room for as many records as a header claims (fuzzed with
//! the request decoder by `fuzz/fuzz_targets/kafka_requests.rs`), and gzip batches are
//! inflated here with a bound: the crate's own gzip decoder inflates whatever it is given, so
//! a gzip bomb of a megabyte would become gigabytes in memory.

use std::io::Read;

use bytes::Bytes;
use flate2::read::GzDecoder;
use kafka_protocol::ResponseError;
use kafka_protocol::records::{Compression, RecordBatchDecoder, RecordSet};

use crate::emulator::amqp::message::MAX_MESSAGE_BYTES;

/// An error code for the partition and, where it helps, a message.
pub type Refusal = (ResponseError, Option<String>);

/// Offset of the record count in a v2 record batch header, and the header's length.
const COUNT_AT: usize = 57;
const HEADER_LEN: usize = 61;
/// The smallest encoding of one record (length, attributes, three varints, two lengths,
/// header count).
const MIN_RECORD_BYTES: usize = 7;
/// A compressed batch may hold more records than bytes, but no more than fit in an Event Hubs
/// batch of 1 MiB.
const MAX_COMPRESSED_RECORDS: usize = MAX_MESSAGE_BYTES / MIN_RECORD_BYTES;

/// The most one compressed batch may inflate to: a produce request is at most 2 MiB, its
/// events at most 1 MiB each (`MAX_MESSAGE_BYTES`), and clients batch a megabyte or so
/// (librdkafka's `batch.size`, the Java client's 16 KiB); eight megabytes leave room for
/// framing and stop a bomb long before memory matters.
pub const MAX_INFLATED_BATCH_BYTES: usize = 8 * 1024 * 1024;

/// Decodes every batch in `records`, or says why they are refused.
pub fn decode(mut records: Bytes) -> Result<Vec<RecordSet>, Refusal> {
    check_batches(&records)?;
    let mut sets = Vec::new();
    while !records.is_empty() {
        let too_large = std::cell::Cell::new(false);
        let inflate = |batch: &mut Bytes, compression: Compression| match compression {
            Compression::None => Ok(std::mem::take(batch)),
            Compression::Gzip => inflate_gzip(batch).map_err(|error| {
                if error.kind() == std::io::ErrorKind::FileTooLarge {
                    too_large.set(true);
                }
                error.into()
            }),
            // Refused by `check_batches` already; never inflated unbounded.
            other => Err(std::io::Error::other(format!("{other:?} is not accepted")).into()),
        };
        let set = RecordBatchDecoder::decode_with_custom_compression(&mut records, Some(inflate));
        match set {
            Ok(set) => sets.push(set),
            Err(_) if too_large.get() => {
                return Err((
                    ResponseError::RecordListTooLarge,
                    Some(format!(
                        "a compressed batch inflates to more than {MAX_INFLATED_BATCH_BYTES} bytes"
                    )),
                ));
            }
            Err(e) => return Err((ResponseError::CorruptMessage, Some(e.to_string()))),
        }
    }
    Ok(sets)
}

/// Inflates a gzip batch, reading at most one byte past the bound: more is an error of kind
/// `FileTooLarge`, and nothing beyond the bound is ever held.
fn inflate_gzip(batch: &Bytes) -> std::io::Result<Bytes> {
    let limit = MAX_INFLATED_BATCH_BYTES as u64 + 1;
    let mut inflated = Vec::new();
    GzDecoder::new(&batch[..])
        .take(limit)
        .read_to_end(&mut inflated)?;
    if inflated.len() > MAX_INFLATED_BATCH_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::FileTooLarge,
            "inflated batch too large",
        ));
    }
    Ok(Bytes::from(inflated))
}

/// Walks the v2 batch headers before the crate decodes them: it reserves room for as many
/// records as a header claims, so a claim the bytes cannot hold is refused here.
fn check_batches(records: &[u8]) -> Result<(), Refusal> {
    let corrupt = |what: &str| (ResponseError::CorruptMessage, Some(what.to_string()));
    let mut at = 0;
    while at < records.len() {
        let header = records
            .get(at..at + HEADER_LEN)
            .ok_or_else(|| corrupt("a record batch ends inside its header"))?;
        let batch_len = i32::from_be_bytes([header[8], header[9], header[10], header[11]]);
        let magic = header[16];
        let compression = header[22] & 0x07;
        let count = i32::from_be_bytes([
            header[COUNT_AT],
            header[COUNT_AT + 1],
            header[COUNT_AT + 2],
            header[COUNT_AT + 3],
        ]);
        let batch_len = usize::try_from(batch_len).map_err(|_| corrupt("negative batch length"))?;
        let count = usize::try_from(count).map_err(|_| corrupt("negative record count"))?;
        if magic != 2 {
            return Err((
                ResponseError::UnsupportedForMessageFormat,
                Some("only record batches (magic 2) are accepted".into()),
            ));
        }
        if compression > 1 {
            return Err((
                ResponseError::UnsupportedCompressionType,
                Some("the emulator accepts uncompressed and gzip batches".into()),
            ));
        }
        let limit = if compression == 0 {
            batch_len / MIN_RECORD_BYTES
        } else {
            MAX_COMPRESSED_RECORDS
        };
        if count > limit {
            return Err(corrupt("a batch claims more records than it can hold"));
        }
        at = at
            .checked_add(12 + batch_len)
            .ok_or_else(|| corrupt("batch length overflows"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use bytes::BytesMut;
    use kafka_protocol::records::{Record, RecordBatchEncoder, RecordEncodeOptions};

    use super::super::codec::MAX_REQUEST_BYTES;
    use super::super::interop::blank_record;
    use super::*;

    fn gzip_batch(value: Bytes) -> Bytes {
        let record = Record {
            value: Some(value),
            ..blank_record()
        };
        let options = RecordEncodeOptions {
            version: 2,
            compression: Compression::Gzip,
        };
        let mut out = BytesMut::new();
        RecordBatchEncoder::encode(&mut out, [&record], &options).expect("encode batch");
        out.freeze()
    }

    #[test]
    fn a_gzip_batch_decodes() {
        let sets = decode(gzip_batch(Bytes::from_static(b"compressed event"))).expect("decodes");
        let value = sets[0].records[0].value.clone();
        assert_eq!(value.as_deref(), Some(&b"compressed event"[..]));
    }

    #[test]
    fn a_gzip_bomb_is_refused_without_inflating_it() {
        // 64 MiB of zeros deflate to about 64 KiB: well inside a produce request.
        let bomb = gzip_batch(Bytes::from(vec![0u8; 64 * 1024 * 1024]));
        assert!(bomb.len() < MAX_REQUEST_BYTES, "{} bytes", bomb.len());
        let refused = decode(bomb).expect_err("a bomb is refused");
        assert_eq!(refused.0, ResponseError::RecordListTooLarge, "{refused:?}");
    }
}

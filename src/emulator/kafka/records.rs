//! Record batches from a produce request: the v2 headers are checked before the crate
//! decodes them, because it reserves room for as many records as a header claims (fuzzed with
//! the request decoder by `fuzz/fuzz_targets/kafka_requests.rs`).

use bytes::Bytes;
use kafka_protocol::ResponseError;
use kafka_protocol::records::{RecordBatchDecoder, RecordSet};

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

/// Decodes every batch in `records`, or says why they are refused.
pub fn decode(mut records: Bytes) -> Result<Vec<RecordSet>, Refusal> {
    check_batches(&records)?;
    RecordBatchDecoder::decode_all(&mut records)
        .map_err(|e| (ResponseError::CorruptMessage, Some(e.to_string())))
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

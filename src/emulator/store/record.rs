//! The on-disk record of one event in a partition log segment.
//!
//! ```text
//! u32 length of everything after the crc | u32 crc32 of it
//! i64 sequence number | i64 enqueued time (unix ms) | u16 partition key length | key bytes
//! message bytes (the event exactly as the client encoded it)
//! ```
//! Little-endian. A record whose crc does not match is a torn write or damage (`scan.rs`).

use bytes::Bytes;

pub const HEADER_LEN: usize = 8;
const FIXED_LEN: usize = 8 + 8 + 2;
/// The smallest record: no key, an empty message.
pub const MIN_RECORD_LEN: usize = HEADER_LEN + FIXED_LEN;
/// Larger than any event the service accepts (1 MiB) plus its key; a bigger length is damage.
pub const MAX_RECORD_LEN: usize = 2 * 1024 * 1024;

/// One event as stored and delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub sequence_number: i64,
    /// Byte position of the record in the partition's log: Event Hubs' offset.
    pub offset: u64,
    pub enqueued_ms: i64,
    pub partition_key: Option<String>,
    /// The encoded AMQP message as the client sent it.
    pub message: Bytes,
}

impl StoredEvent {
    pub fn encoded_len(&self) -> usize {
        encoded_len(self.partition_key.as_deref(), self.message.len())
    }
}

pub fn encoded_len(partition_key: Option<&str>, message_len: usize) -> usize {
    HEADER_LEN + FIXED_LEN + partition_key.map_or(0, str::len) + message_len
}

/// Appends one record to `out`.
pub fn encode(
    out: &mut Vec<u8>,
    sequence_number: i64,
    enqueued_ms: i64,
    partition_key: Option<&str>,
    message: &[u8],
) {
    // Keys longer than u16::MAX are refused at the wire; truncation here would be silent loss.
    let key = partition_key.unwrap_or("").as_bytes();
    let key_len = u16::try_from(key.len()).unwrap_or(u16::MAX);
    let key = &key[..usize::from(key_len)];
    let body_len = FIXED_LEN + key.len() + message.len();
    let start = out.len();
    out.extend_from_slice(&(body_len as u32).to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&sequence_number.to_le_bytes());
    out.extend_from_slice(&enqueued_ms.to_le_bytes());
    out.extend_from_slice(&key_len.to_le_bytes());
    out.extend_from_slice(key);
    out.extend_from_slice(message);
    let crc = crc32fast::hash(&out[start + HEADER_LEN..]);
    out[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
}

/// The result of reading one record from a buffer.
#[derive(Debug, PartialEq, Eq)]
pub enum Decoded {
    /// A whole, intact record and its encoded length.
    Record(StoredEvent, usize),
    /// The buffer ends inside a record: read more.
    Incomplete { needed: usize },
    /// Bytes that are not an intact record.
    Corrupt,
}

/// Reads the record at the start of `buf`, which sits at log position `offset`.
/// `shared` lets the message share the read buffer instead of copying it.
pub fn decode(buf: &Bytes, offset: u64) -> Decoded {
    if buf.len() < HEADER_LEN {
        return Decoded::Incomplete { needed: HEADER_LEN };
    }
    let body_len = u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]) as usize;
    if !(FIXED_LEN..=MAX_RECORD_LEN).contains(&body_len) {
        return Decoded::Corrupt;
    }
    let total = HEADER_LEN + body_len;
    if buf.len() < total {
        return Decoded::Incomplete { needed: total };
    }
    let crc = u32::from_le_bytes([buf[4], buf[5], buf[6], buf[7]]);
    let body = &buf[HEADER_LEN..total];
    if crc32fast::hash(body) != crc {
        return Decoded::Corrupt;
    }
    let read_i64 = |at: usize| {
        let mut raw = [0u8; 8];
        raw.copy_from_slice(&body[at..at + 8]);
        i64::from_le_bytes(raw)
    };
    let sequence_number = read_i64(0);
    let enqueued_ms = read_i64(8);
    let key_len = usize::from(u16::from_le_bytes([body[16], body[17]]));
    if FIXED_LEN + key_len > body_len {
        return Decoded::Corrupt;
    }
    let key = &body[FIXED_LEN..FIXED_LEN + key_len];
    let partition_key = if key_len == 0 {
        None
    } else {
        Some(String::from_utf8_lossy(key).into_owned())
    };
    let message = buf.slice(HEADER_LEN + FIXED_LEN + key_len..total);
    Decoded::Record(
        StoredEvent {
            sequence_number,
            offset,
            enqueued_ms,
            partition_key,
            message,
        },
        total,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_damage() {
        let mut buf = Vec::new();
        encode(&mut buf, 7, 1_700_000_000_000, Some("key-1"), b"hello");
        assert_eq!(buf.len(), encoded_len(Some("key-1"), 5));
        let bytes = Bytes::from(buf.clone());
        match decode(&bytes, 42) {
            Decoded::Record(event, len) => {
                assert_eq!(len, buf.len());
                assert_eq!(event.sequence_number, 7);
                assert_eq!(event.offset, 42);
                assert_eq!(event.partition_key.as_deref(), Some("key-1"));
                assert_eq!(&event.message[..], b"hello");
            }
            other => panic!("expected a record, got {other:?}"),
        }
        assert_eq!(
            decode(&bytes.slice(..10), 0),
            Decoded::Incomplete { needed: buf.len() }
        );
        let mut flipped = buf.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert_eq!(decode(&Bytes::from(flipped), 0), Decoded::Corrupt);
        assert_eq!(decode(&Bytes::from(vec![0u8; 16]), 0), Decoded::Corrupt);
    }
}

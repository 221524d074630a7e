//! Keeps the lengths a request frame claims within the bytes the frame has left, while the
//! `kafka-protocol` crate decodes it.
//!
//! The crate (0.18, `protocol/types.rs`) reserves `Vec::with_capacity(n)` for an array length
//! `n` read from the wire before it decodes a single element. A frame of a dozen bytes
//! claiming 2^31 elements asks the allocator for hundreds of gigabytes; when it refuses, Rust
//! aborts the process, which no `catch_unwind` or task boundary stops. Every Kafka array element
//! takes at least one byte on the wire (Apache Kafka's generated readers refuse a collection
//! larger than the bytes remaining on the same ground), so a length above the bytes left cannot
//! belong to a valid request; the crate only finds that out after the reservation.
//!
//! The decoders are generic over the buffer (`ByteBuf`), so this buffer sees every length as
//! the crate reads it, without knowing the message schemas:
//!
//! - Unsigned varints (compact arrays, strings and bytes, tagged-field counts and sizes) are
//!   read a byte at a time through `try_get_u8`, which the crate uses for nothing else but
//!   booleans. At every such read the varint that would start there is computed the way the
//!   crate computes it; if it exceeds the bytes left (plus one: compact lengths count null as
//!   0), the read fails and the frame is refused. A continuation byte never trips this (its
//!   varint is the tail of the real one, no larger), nor does a boolean encoded as 0 or 1.
//! - A 32-bit integer is an array or bytes length or an ordinary field (a timeout, `max_bytes`),
//!   and only the schema knows which. In the first pass ([`LengthGuard::clamping`]) every
//!   32-bit value above the bytes left reads as -2, a length the crate rejects for arrays and
//!   bytes alike (-1 is null). If that pass decodes, none of those values was a length, and
//!   ordinary field values never steer the decoding; so a second pass with the true values
//!   ([`LengthGuard::exact`]) reads exactly the same lengths, all within bounds.
//!
//! Frames whose every 32-bit value fits need only the first pass. What is refused beyond what
//! the crate would refuse: an unknown tagged field whose tag number exceeds the bytes after it
//! (Kafka numbers tags from 0, and no schema served here has more than two), and a boolean
//! sent as a byte other than 0 or 1 that happens to start an impossible varint.

use std::ops::Range;

use bytes::{Buf, Bytes};
use kafka_protocol::protocol::buf::ByteBuf;

/// What a 32-bit value above the bytes left reads as in the first pass: a length the crate
/// refuses whether the array or bytes field is nullable (-1 is null) or not.
const IMPOSSIBLE_LENGTH: i32 = -2;

/// The most bytes the crate reads for one unsigned varint.
const MAX_VARINT_BYTES: usize = 5;

/// A request frame for the crate to decode from, with its lengths kept in bounds.
pub struct LengthGuard {
    frame: Bytes,
    position: usize,
    clamp: bool,
    clamped: usize,
    refusal: Option<String>,
}

impl LengthGuard {
    /// The first pass: 32-bit values above the bytes left read as an impossible length.
    pub fn clamping(frame: Bytes) -> LengthGuard {
        LengthGuard::new(frame, true)
    }

    /// The second pass, after a first pass that decoded: every value as sent.
    pub fn exact(frame: Bytes) -> LengthGuard {
        LengthGuard::new(frame, false)
    }

    fn new(frame: Bytes, clamp: bool) -> LengthGuard {
        LengthGuard {
            frame,
            position: 0,
            clamp,
            clamped: 0,
            refusal: None,
        }
    }

    /// How many 32-bit values the first pass read as an impossible length.
    pub fn clamped(&self) -> usize {
        self.clamped
    }

    /// Why a varint length was refused, if one was.
    pub fn refusal(&self) -> Option<&str> {
        self.refusal.as_deref()
    }
}

impl Buf for LengthGuard {
    fn remaining(&self) -> usize {
        self.frame.len() - self.position
    }

    fn chunk(&self) -> &[u8] {
        &self.frame[self.position..]
    }

    fn advance(&mut self, count: usize) {
        assert!(count <= self.remaining(), "advance past the end of a frame");
        self.position += count;
    }

    fn try_get_i32(&mut self) -> Result<i32, bytes::TryGetError> {
        let mut be = [0u8; 4];
        self.try_copy_to_slice(&mut be)?;
        let value = i32::from_be_bytes(be);
        let beyond_frame = usize::try_from(value).is_ok_and(|v| v > self.remaining());
        if self.clamp && beyond_frame {
            self.clamped += 1;
            return Ok(IMPOSSIBLE_LENGTH);
        }
        Ok(value)
    }

    fn try_get_u8(&mut self) -> Result<u8, bytes::TryGetError> {
        let (value, width) = varint_at(self.chunk());
        let left = self.remaining() - width;
        if u64::from(value) > left as u64 + 1 {
            self.refusal = Some(format!(
                "a length of {value} at byte {} does not fit in the {left} bytes left in the frame",
                self.position
            ));
            return Err(bytes::TryGetError {
                requested: value as usize,
                available: left,
            });
        }
        let byte = *self.chunk().first().ok_or(bytes::TryGetError {
            requested: 1,
            available: 0,
        })?;
        self.position += 1;
        Ok(byte)
    }
}

impl ByteBuf for LengthGuard {
    fn peek_bytes(&mut self, range: Range<usize>) -> Bytes {
        self.frame
            .slice(self.position + range.start..self.position + range.end)
    }

    fn get_bytes(&mut self, size: usize) -> Bytes {
        let bytes = self.frame.slice(self.position..self.position + size);
        self.position += size;
        bytes
    }
}

/// The unsigned varint at the start of `bytes` as the crate decodes it (at most five bytes,
/// seven bits each, higher bits of the fifth dropped), and how many bytes it takes; a varint
/// cut short by the end of the frame counts what is there.
fn varint_at(bytes: &[u8]) -> (u32, usize) {
    let mut value = 0u32;
    let mut width = 0;
    for (i, byte) in bytes.iter().take(MAX_VARINT_BYTES).enumerate() {
        value |= u32::from(byte & 0x7F).wrapping_shl(7 * i as u32);
        width = i + 1;
        if *byte < 0x80 {
            break;
        }
    }
    (value, width)
}

#[cfg(test)]
mod tests {
    use bytes::{BufMut, BytesMut};
    use kafka_protocol::messages::fetch_request::{FetchPartition, FetchTopic};
    use kafka_protocol::messages::{
        ApiKey, FetchRequest, MetadataRequest, RequestHeader, RequestKind, TopicName,
    };
    use kafka_protocol::protocol::{Encodable, StrBytes};

    use super::super::codec::{Decoded, decode_request};

    fn header(key: ApiKey, version: i16) -> BytesMut {
        let mut frame = BytesMut::new();
        RequestHeader::default()
            .with_request_api_key(key as i16)
            .with_request_api_version(version)
            .with_correlation_id(7)
            .with_client_id(Some(StrBytes::from_static_str("guard-test")))
            .encode(&mut frame, key.request_header_version(version))
            .expect("encode header");
        frame
    }

    fn refused(frame: BytesMut) -> String {
        match decode_request(frame.freeze()) {
            Err(reason) => reason,
            Ok(decoded) => panic!("decoded a frame that claims more than it holds: {decoded:?}"),
        }
    }

    #[test]
    fn an_array_claiming_two_billion_elements_is_refused_without_reserving_them() {
        let mut frame = header(ApiKey::Metadata, 1);
        frame.put_i32(i32::MAX);
        refused(frame);
    }

    #[test]
    fn a_compact_array_claiming_four_billion_elements_is_refused_with_the_reason() {
        let mut frame = header(ApiKey::Metadata, 9);
        frame.put_slice(&[0xff, 0xff, 0xff, 0xff, 0x0f]);
        let reason = refused(frame);
        assert!(reason.contains("does not fit"), "{reason}");
    }

    #[test]
    fn values_above_the_frame_size_that_are_not_lengths_decode_as_sent() {
        let partition = FetchPartition::default()
            .with_partition(3)
            .with_fetch_offset(9)
            .with_partition_max_bytes(1_048_576);
        let request = FetchRequest::default()
            .with_max_wait_ms(500)
            .with_min_bytes(1)
            .with_max_bytes(52_428_800)
            .with_topics(vec![
                FetchTopic::default()
                    .with_topic(TopicName(StrBytes::from_static_str("orders")))
                    .with_partitions(vec![partition]),
            ]);
        for version in [4, 12] {
            let mut frame = header(ApiKey::Fetch, version);
            request.encode(&mut frame, version).expect("encode fetch");
            match decode_request(frame.freeze()) {
                Ok(Decoded::Request {
                    request: decoded, ..
                }) => match *decoded {
                    RequestKind::Fetch(decoded) => assert_eq!(decoded, request),
                    other => panic!("decoded as {other:?}"),
                },
                other => panic!("fetch v{version} did not decode: {other:?}"),
            }
        }
    }

    #[test]
    fn a_valid_compact_array_decodes() {
        let request = MetadataRequest::default().with_topics(Some(vec![
            kafka_protocol::messages::metadata_request::MetadataRequestTopic::default()
                .with_name(Some(TopicName(StrBytes::from_static_str("orders")))),
        ]));
        let mut frame = header(ApiKey::Metadata, 9);
        request.encode(&mut frame, 9).expect("encode metadata");
        match decode_request(frame.freeze()) {
            Ok(Decoded::Request {
                request: decoded, ..
            }) => {
                assert!(matches!(*decoded, RequestKind::Metadata(m) if m == request));
            }
            other => panic!("metadata v9 did not decode: {other:?}"),
        }
    }
}

//! Request frames in, response frames out. Everything here reads bytes a client sent, so
//! nothing may panic on them: a frame that does not decode closes its connection only
//! (fuzzed by `fuzz/fuzz_targets/kafka_requests.rs`).

use bytes::{BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{ApiKey, RequestHeader, RequestKind, ResponseHeader, ResponseKind};
use kafka_protocol::protocol::{Decodable, Encodable};

use super::length_guard::LengthGuard;
use super::versions;

/// The largest request accepted: Event Hubs takes events up to 1 MiB, and a produce request
/// carries a batch of them with its framing. A bigger size prefix closes the connection
/// before anything is allocated for it.
pub const MAX_REQUEST_BYTES: usize = 2 * 1024 * 1024;

/// One request frame (without its size prefix), decoded.
#[derive(Debug)]
pub enum Decoded {
    Request {
        header: RequestHeader,
        /// Boxed: the largest request types are hundreds of bytes.
        request: Box<RequestKind>,
    },
    /// An API or version the endpoint does not serve: answered with UNSUPPORTED_VERSION.
    Unsupported {
        api_key: i16,
        api_version: i16,
        correlation_id: i32,
    },
}

/// Decodes one frame. An error means the bytes are not a Kafka request: close the connection.
pub fn decode_request(frame: Bytes) -> Result<Decoded, String> {
    if frame.len() < 8 {
        return Err(format!(
            "a {}-byte frame is shorter than a request header",
            frame.len()
        ));
    }
    let api_key = i16::from_be_bytes([frame[0], frame[1]]);
    let api_version = i16::from_be_bytes([frame[2], frame[3]]);
    let correlation_id = i32::from_be_bytes([frame[4], frame[5], frame[6], frame[7]]);
    let known = ApiKey::try_from(api_key)
        .ok()
        .filter(|key| versions::supports(*key, api_version));
    let Some(key) = known else {
        return Ok(Decoded::Unsupported {
            api_key,
            api_version,
            correlation_id,
        });
    };
    // Two passes at most, as `length_guard` explains: the second only when the first read a
    // 32-bit value above the bytes left as an impossible length and still decoded.
    let mut probe = LengthGuard::clamping(frame.clone());
    let decoded = decode_guarded(&mut probe, key, api_version);
    if let Some(refusal) = probe.refusal() {
        return Err(refusal.to_string());
    }
    let (header, request) = decoded?;
    let (header, request) = if probe.clamped() == 0 {
        (header, request)
    } else {
        decode_guarded(&mut LengthGuard::exact(frame), key, api_version)?
    };
    Ok(Decoded::Request {
        header,
        request: Box::new(request),
    })
}

/// The header and body of a request for a served API (`versions::supports`), decoded by the
/// crate from `frame`.
fn decode_guarded(
    frame: &mut LengthGuard,
    key: ApiKey,
    version: i16,
) -> Result<(RequestHeader, RequestKind), String> {
    let header = RequestHeader::decode(frame, key.request_header_version(version))
        .map_err(|e| e.to_string())?;
    macro_rules! body {
        ($kind:ident) => {
            RequestKind::$kind(Decodable::decode(frame, version).map_err(|e| e.to_string())?)
        };
    }
    let request = match key {
        ApiKey::Produce => body!(Produce),
        ApiKey::Fetch => body!(Fetch),
        ApiKey::ListOffsets => body!(ListOffsets),
        ApiKey::Metadata => body!(Metadata),
        ApiKey::OffsetCommit => body!(OffsetCommit),
        ApiKey::OffsetFetch => body!(OffsetFetch),
        ApiKey::FindCoordinator => body!(FindCoordinator),
        ApiKey::JoinGroup => body!(JoinGroup),
        ApiKey::Heartbeat => body!(Heartbeat),
        ApiKey::LeaveGroup => body!(LeaveGroup),
        ApiKey::SyncGroup => body!(SyncGroup),
        ApiKey::DescribeGroups => body!(DescribeGroups),
        ApiKey::ListGroups => body!(ListGroups),
        ApiKey::SaslHandshake => body!(SaslHandshake),
        ApiKey::ApiVersions => body!(ApiVersions),
        ApiKey::SaslAuthenticate => body!(SaslAuthenticate),
        ApiKey::DeleteGroups => body!(DeleteGroups),
        ApiKey::InitProducerId => body!(InitProducerId),
        other => return Err(format!("{other:?} is not served")),
    };
    Ok((header, request))
}

/// The response frame for a request, size prefix included.
pub fn encode_response(
    key: ApiKey,
    version: i16,
    correlation_id: i32,
    response: &ResponseKind,
) -> Result<BytesMut, String> {
    let mut out = BytesMut::new();
    out.put_i32(0);
    let mut header = ResponseHeader::default();
    header.correlation_id = correlation_id;
    header
        .encode(&mut out, key.response_header_version(version))
        .map_err(|e| e.to_string())?;
    let mut body = BytesMut::new();
    response
        .encode(&mut body, version)
        .map_err(|e| e.to_string())?;
    out.extend_from_slice(&body);
    finish(out)
}

/// The answer to an API or version the endpoint does not serve: the error code where every
/// response of the non-flexible header format starts its body (the ApiVersions v0 shape, which
/// is what clients parse when they probe).
pub fn encode_unsupported(correlation_id: i32) -> Result<BytesMut, String> {
    let mut out = BytesMut::new();
    out.put_i32(0);
    out.put_i32(correlation_id);
    out.put_i16(kafka_protocol::ResponseError::UnsupportedVersion.code());
    finish(out)
}

fn finish(mut out: BytesMut) -> Result<BytesMut, String> {
    let size = i32::try_from(out.len() - 4).map_err(|_| "response too large".to_string())?;
    out[..4].copy_from_slice(&size.to_be_bytes());
    Ok(out)
}

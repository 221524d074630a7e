//! Request frames in, response frames out. Everything here reads bytes a client sent, so
//! nothing may panic on them: a frame that does not decode closes its connection only
//! (fuzzed by `fuzz/fuzz_targets/kafka_requests.rs`).

use bytes::{BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{ApiKey, RequestHeader, RequestKind, ResponseHeader, ResponseKind};
use kafka_protocol::protocol::{Encodable, decode_request_header_from_buffer};

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
    let mut body = frame;
    let header = decode_request_header_from_buffer(&mut body).map_err(|e| e.to_string())?;
    let request = RequestKind::decode(key, &mut body, api_version).map_err(|e| e.to_string())?;
    Ok(Decoded::Request {
        header,
        request: Box::new(request),
    })
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

//! One client connection: size-prefixed frames read in order and answered in order, as Kafka
//! requires. Until SASL succeeds only ApiVersions and the SASL requests are served; anything
//! else, a frame that does not decode or one larger than [`MAX_REQUEST_BYTES`] closes the
//! connection (and only it).

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use kafka_protocol::ResponseError;
use kafka_protocol::messages::{
    ApiKey, RequestKind, ResponseKind, SaslAuthenticateRequest, SaslAuthenticateResponse,
};
use kafka_protocol::protocol::StrBytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::codec::{self, Decoded, MAX_REQUEST_BYTES};
use super::session::Session;
use super::{Broker, dispatch, sasl, versions};

/// What to do after a request.
enum Reply {
    Frame(bytes::BytesMut),
    /// Send the frame, then close (a failed authentication).
    Last(bytes::BytesMut),
    /// A produce with acks=0: Kafka sends no response at all.
    Nothing,
    Close,
}

struct Connection {
    broker: Arc<Broker>,
    peer: SocketAddr,
    session: Option<Session>,
    /// After a v0 SaslHandshake the next frame is the bare SASL token, not a request.
    raw_token_next: bool,
    /// The mechanism the handshake chose.
    mechanism: &'static str,
}

pub async fn run(stream: TcpStream, peer: SocketAddr, broker: Arc<Broker>) {
    let (mut reader, mut writer) = stream.into_split();
    let mut connection = Connection {
        broker,
        peer,
        session: None,
        raw_token_next: false,
        mechanism: sasl::PLAIN,
    };
    loop {
        let mut prefix = [0u8; 4];
        if reader.read_exact(&mut prefix).await.is_err() {
            return;
        }
        let size = i32::from_be_bytes(prefix);
        let Some(size) = usize::try_from(size)
            .ok()
            .filter(|s| *s <= MAX_REQUEST_BYTES)
        else {
            tracing::debug!(%peer, size, "kafka frame size out of range; closing");
            return;
        };
        let mut frame = vec![0u8; size];
        if reader.read_exact(&mut frame).await.is_err() {
            return;
        }
        let reply = if connection.raw_token_next {
            connection.raw_token(&frame)
        } else {
            match codec::decode_request(Bytes::from(frame)) {
                Ok(decoded) => connection.answer(decoded).await,
                Err(error) => {
                    tracing::debug!(%peer, %error, "malformed kafka request; closing");
                    Reply::Close
                }
            }
        };
        let (frame, last) = match reply {
            Reply::Frame(frame) => (frame, false),
            Reply::Last(frame) => (frame, true),
            Reply::Nothing => continue,
            Reply::Close => return,
        };
        if writer.write_all(&frame).await.is_err() || last {
            let _ = writer.shutdown().await;
            return;
        }
    }
}

impl Connection {
    async fn answer(&mut self, decoded: Decoded) -> Reply {
        let (header, request) = match decoded {
            Decoded::Unsupported {
                api_key,
                api_version,
                correlation_id,
            } => {
                tracing::debug!(peer = %self.peer, api_key, api_version, "unsupported kafka api");
                // ApiVersions newer than ours is answered in v0 so the client can downgrade.
                let frame = if api_key == ApiKey::ApiVersions as i16 {
                    let response = ResponseKind::ApiVersions(versions::response(
                        ResponseError::UnsupportedVersion.code(),
                    ));
                    codec::encode_response(ApiKey::ApiVersions, 0, correlation_id, &response)
                } else {
                    codec::encode_unsupported(correlation_id)
                };
                return frame.map_or(Reply::Close, Reply::Frame);
            }
            Decoded::Request { header, request } => (header, request),
        };
        let Ok(key) = ApiKey::try_from(header.request_api_key) else {
            return Reply::Close;
        };
        let version = header.request_api_version;
        let mut last = false;
        let response = match *request {
            RequestKind::ApiVersions(_) => ResponseKind::ApiVersions(versions::response(0)),
            RequestKind::SaslHandshake(request) => {
                let (response, chosen) = sasl::handshake(&request);
                self.raw_token_next = version == 0 && response.error_code == 0;
                self.mechanism = chosen.unwrap_or(sasl::PLAIN);
                ResponseKind::SaslHandshake(response)
            }
            RequestKind::SaslAuthenticate(request) => {
                let client_id = header.client_id.as_ref().map(|c| c.to_string());
                let response = self.authenticate(&request, client_id);
                last = response.error_code != 0;
                ResponseKind::SaslAuthenticate(response)
            }
            other => {
                let Some(session) = &self.session else {
                    tracing::debug!(peer = %self.peer, ?key, "kafka request before SASL; closing");
                    return Reply::Close;
                };
                let silent = matches!(&other, RequestKind::Produce(p) if p.acks == 0);
                match dispatch::handle(&self.broker, session, other, version).await {
                    Some(_) if silent => return Reply::Nothing,
                    Some(response) => response,
                    None => return Reply::Close,
                }
            }
        };
        match codec::encode_response(key, version, header.correlation_id, &response) {
            Ok(frame) if last => Reply::Last(frame),
            Ok(frame) => Reply::Frame(frame),
            Err(error) => {
                tracing::warn!(%error, ?key, version, "cannot encode kafka response");
                Reply::Close
            }
        }
    }

    fn authenticate(
        &mut self,
        request: &SaslAuthenticateRequest,
        client_id: Option<String>,
    ) -> SaslAuthenticateResponse {
        let mut response = SaslAuthenticateResponse::default();
        match sasl::authenticate(&self.broker, self.mechanism, &request.auth_bytes) {
            Ok((namespace, grant)) => {
                self.session = Some(Session {
                    namespace,
                    grant,
                    client_id: client_id.unwrap_or_default(),
                    host: format!("/{}", self.peer.ip()),
                });
            }
            Err(message) => {
                tracing::debug!(peer = %self.peer, %message, "kafka SASL refused");
                response.error_code = ResponseError::SaslAuthenticationFailed.code();
                response.error_message = Some(StrBytes::from_string(message));
            }
        }
        response
    }

    /// The bare token after a v0 handshake: an empty frame on success; on failure the
    /// connection closes, which is all SASL v0 can say.
    fn raw_token(&mut self, token: &[u8]) -> Reply {
        self.raw_token_next = false;
        let request =
            SaslAuthenticateRequest::default().with_auth_bytes(Bytes::copy_from_slice(token));
        if self.authenticate(&request, None).error_code != 0 {
            return Reply::Close;
        }
        Reply::Frame(bytes::BytesMut::from(&[0u8, 0, 0, 0][..]))
    }
}

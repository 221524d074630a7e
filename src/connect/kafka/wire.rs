//! One connection to a Kafka endpoint: TCP (and TLS through native-tls, the TLS stack the
//! Azure SDK already links), SASL PLAIN with the connection string, then requests answered in
//! order. Each request is bounded in time: a silent endpoint is an error, never a hang.

use std::time::Duration;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use kafka_protocol::messages::{
    ApiKey, RequestHeader, ResponseHeader, SaslAuthenticateRequest, SaslHandshakeRequest,
};
use kafka_protocol::protocol::{Decodable, Encodable, Request, StrBytes};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use super::{KafkaEndpoint, KafkaSignIn, sasl};
use crate::connect::error::{ConnectError, Failure};

const TIMEOUT: Duration = Duration::from_secs(15);
/// The largest response read: group listings and offsets are small, and a size prefix beyond
/// this means the other end does not speak Kafka.
const MAX_RESPONSE_BYTES: usize = 64 * 1024 * 1024;
const CLIENT_ID: &str = "ehops";

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

pub struct KafkaConnection {
    stream: Box<dyn Stream>,
    correlation: i32,
    address: String,
}

fn unreachable(address: &str, what: impl std::fmt::Display) -> ConnectError {
    ConnectError::new(
        Failure::Unreachable,
        format!("cannot reach the Kafka endpoint {address}: {what}"),
    )
}

impl KafkaConnection {
    /// Connects and signs in.
    pub async fn open(endpoint: &KafkaEndpoint) -> Result<Self, ConnectError> {
        let address = endpoint.address.clone();
        let tcp = tokio::time::timeout(TIMEOUT, TcpStream::connect(&address))
            .await
            .map_err(|_| unreachable(&address, "no answer"))?
            .map_err(|e| unreachable(&address, e))?;
        let _ = tcp.set_nodelay(true);
        let stream: Box<dyn Stream> = if endpoint.tls {
            let host = address
                .rsplit_once(':')
                .map_or(address.as_str(), |(h, _)| h);
            let connector =
                native_tls::TlsConnector::new().map_err(|e| unreachable(&address, e))?;
            let tls = tokio_native_tls::TlsConnector::from(connector)
                .connect(host, tcp)
                .await
                .map_err(|e| unreachable(&address, e))?;
            Box::new(tls)
        } else {
            Box::new(tcp)
        };
        let mut connection = KafkaConnection {
            stream,
            correlation: 0,
            address,
        };
        connection.sign_in(&endpoint.sign_in).await?;
        Ok(connection)
    }

    async fn sign_in(&mut self, sign_in: &KafkaSignIn) -> Result<(), ConnectError> {
        let (mechanism, token) = match sign_in {
            KafkaSignIn::ConnectionString(text) => ("PLAIN", sasl::plain(text)),
            KafkaSignIn::Bearer { credential, scope } => {
                let token = credential.get_token(&[scope], None).await.map_err(|e| {
                    ConnectError::new(
                        Failure::Auth,
                        format!("no token for the Kafka endpoint {}: {e}", self.address),
                    )
                })?;
                ("OAUTHBEARER", sasl::oauth_bearer(token.token.secret()))
            }
        };
        let mut handshake = SaslHandshakeRequest::default();
        handshake.mechanism = StrBytes::from_static_str(mechanism);
        let answer = self.call(1, &handshake).await?;
        if answer.error_code != 0 {
            return Err(ConnectError::new(
                Failure::Auth,
                format!(
                    "the Kafka endpoint {} does not offer SASL {mechanism} (error {})",
                    self.address, answer.error_code
                ),
            ));
        }
        let mut authenticate = SaslAuthenticateRequest::default();
        authenticate.auth_bytes = Bytes::from(token);
        let answer = self.call(0, &authenticate).await?;
        if answer.error_code != 0 {
            let why = answer
                .error_message
                .map(|m| m.to_string())
                .unwrap_or_else(|| format!("error {}", answer.error_code));
            return Err(ConnectError::new(
                Failure::Auth,
                format!(
                    "the Kafka endpoint {} refused the {mechanism} sign-in: {why}",
                    self.address
                ),
            ));
        }
        Ok(())
    }

    /// Sends one request at `version` and reads its response.
    pub async fn call<R: Request>(
        &mut self,
        version: i16,
        request: &R,
    ) -> Result<R::Response, ConnectError> {
        let key = ApiKey::try_from(R::KEY).map_err(|_| self.protocol("an unknown API"))?;
        self.correlation = self.correlation.wrapping_add(1);
        let mut header = RequestHeader::default();
        header.request_api_key = R::KEY;
        header.request_api_version = version;
        header.correlation_id = self.correlation;
        header.client_id = Some(StrBytes::from_static_str(CLIENT_ID));
        let mut frame = BytesMut::new();
        frame.put_i32(0);
        header
            .encode(&mut frame, key.request_header_version(version))
            .map_err(|e| self.protocol(e))?;
        request
            .encode(&mut frame, version)
            .map_err(|e| self.protocol(e))?;
        let size =
            i32::try_from(frame.len() - 4).map_err(|_| self.protocol("request too large"))?;
        frame[..4].copy_from_slice(&size.to_be_bytes());
        let exchange = async {
            self.stream.write_all(&frame).await?;
            let mut prefix = [0u8; 4];
            self.stream.read_exact(&mut prefix).await?;
            let size = usize::try_from(i32::from_be_bytes(prefix))
                .ok()
                .filter(|s| *s <= MAX_RESPONSE_BYTES)
                .ok_or_else(|| std::io::Error::other("response size out of range"))?;
            let mut body = vec![0u8; size];
            self.stream.read_exact(&mut body).await?;
            Ok::<_, std::io::Error>(body)
        };
        let address = self.address.clone();
        let body = tokio::time::timeout(TIMEOUT, exchange)
            .await
            .map_err(|_| unreachable(&address, "no answer within 15 s"))?
            .map_err(|e| unreachable(&address, e))?;
        let mut body = Bytes::from(body);
        let header = ResponseHeader::decode(&mut body, key.response_header_version(version))
            .map_err(|e| self.protocol(e))?;
        if header.correlation_id != self.correlation {
            return Err(self.protocol("a response to another request"));
        }
        let response = R::Response::decode(&mut body, version).map_err(|e| self.protocol(e))?;
        if body.has_remaining() {
            tracing::debug!(
                left = body.remaining(),
                ?key,
                "kafka response longer than its type"
            );
        }
        Ok(response)
    }

    fn protocol(&self, what: impl std::fmt::Display) -> ConnectError {
        ConnectError::new(
            Failure::Service,
            format!(
                "the Kafka endpoint {} answered outside the protocol: {what}",
                self.address
            ),
        )
    }
}

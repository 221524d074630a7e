//! A client that writes AMQP frames itself, so a test can send what no SDK would: deliveries
//! of any size, channels out of range. Performatives are encoded with fe2o3's types; the
//! framing (SASL ANONYMOUS, headers, frame sizes) is written here.

use std::io;
use std::net::SocketAddr;
use std::time::Duration;

use fe2o3_amqp_types::definitions::{ReceiverSettleMode, Role, SenderSettleMode};
use fe2o3_amqp_types::messaging::message::__private::{Deserializable, Serializable};
use fe2o3_amqp_types::messaging::{
    AmqpValue, ApplicationProperties, Body, Message, Properties, Source, Target, TargetArchetype,
};
use fe2o3_amqp_types::performatives::{Attach, Begin, Flow, Open, Performative, Transfer};
use fe2o3_amqp_types::primitives::{Binary, SimpleValue, Value};
use fe2o3_amqp_types::sasl::SaslInit;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const SASL_HEADER: &[u8; 8] = b"AMQP\x03\x01\x00\x00";
const AMQP_HEADER: &[u8; 8] = b"AMQP\x00\x01\x00\x00";
/// Frames this client writes stay under the emulator's max-frame-size.
pub const PAYLOAD_PER_FRAME: usize = 60_000;
const WAIT: Duration = Duration::from_secs(10);

pub struct RawClient {
    stream: TcpStream,
}

/// A frame the emulator sent.
pub struct Received {
    /// None for a SASL frame.
    pub performative: Option<Performative>,
    pub payload: Vec<u8>,
}

impl RawClient {
    /// Connects with SASL ANONYMOUS and opens the connection for `namespace`.
    pub async fn connect(addr: SocketAddr, namespace: &str) -> io::Result<RawClient> {
        let mut client = RawClient {
            stream: TcpStream::connect(addr).await?,
        };
        client.stream.write_all(SASL_HEADER).await?;
        client.read_protocol_header().await?;
        client.read_frame().await?; // sasl-mechanisms
        let init = SaslInit {
            mechanism: "ANONYMOUS".into(),
            initial_response: None,
            hostname: Some(namespace.to_string()),
        };
        client.write_frame(1, 0, &encode(&init)?, &[]).await?;
        client.read_frame().await?; // sasl-outcome
        client.stream.write_all(AMQP_HEADER).await?;
        let open = Open {
            container_id: "hostile-test".into(),
            hostname: Some(namespace.to_string()),
            max_frame_size: 65_536.into(),
            channel_max: 255.into(),
            idle_time_out: None,
            outgoing_locales: None,
            incoming_locales: None,
            offered_capabilities: None,
            desired_capabilities: None,
            properties: None,
        };
        client.send(0, Performative::Open(open), &[]).await?;
        client.read_protocol_header().await?;
        client
            .expect(|p| matches!(p, Performative::Open(_)))
            .await?;
        Ok(client)
    }

    pub async fn send(
        &mut self,
        channel: u16,
        performative: Performative,
        payload: &[u8],
    ) -> io::Result<()> {
        self.write_frame(0, channel, &encode(&performative)?, payload)
            .await
    }

    /// Begins a session on `channel` and waits for the emulator's answer.
    pub async fn begin(&mut self, channel: u16) -> io::Result<()> {
        self.send(channel, Performative::Begin(begin()), &[])
            .await?;
        self.expect(|p| matches!(p, Performative::Begin(_))).await?;
        Ok(())
    }

    /// Attaches a link by which this client sends to `address`, and waits for credit.
    pub async fn attach_sender(&mut self, handle: u32, address: &str) -> io::Result<()> {
        let attach = attach_sender_to(handle, address);
        self.send(0, Performative::Attach(attach), &[]).await?;
        self.expect(|p| matches!(p, Performative::Flow(f) if f.handle == Some(handle.into())))
            .await?;
        Ok(())
    }

    /// Attaches a link by which this client receives from `node` at reply address `reply_to`,
    /// with credit for a few messages.
    pub async fn attach_receiver(
        &mut self,
        handle: u32,
        node: &str,
        reply_to: &str,
    ) -> io::Result<()> {
        let attach = attach(handle, Role::Receiver, reply_to, node, reply_to);
        self.send(0, Performative::Attach(attach), &[]).await?;
        self.expect(|p| matches!(p, Performative::Attach(_)))
            .await?;
        let flow = Flow {
            next_incoming_id: Some(0),
            incoming_window: 5000,
            next_outgoing_id: 0,
            outgoing_window: 5000,
            handle: Some(handle.into()),
            delivery_count: Some(0),
            link_credit: Some(10),
            available: None,
            drain: false,
            echo: false,
            properties: None,
        };
        self.send(0, Performative::Flow(flow), &[]).await
    }

    /// Puts a token on `$cbs` for `audience` and returns the status code of the reply.
    pub async fn put_token(&mut self, audience: &str, token: &str) -> io::Result<i32> {
        self.attach_sender(0, "$cbs").await?;
        self.attach_receiver(1, "$cbs", "cbs-reply").await?;
        let mut application = ApplicationProperties::default();
        for (key, value) in [
            ("operation", "put-token"),
            ("type", "servicebus.windows.net:sastoken"),
            ("name", audience),
        ] {
            application
                .0
                .insert(key.into(), SimpleValue::String(value.into()));
        }
        let request: Message<Body<Value>> = Message::builder()
            .properties(Properties {
                message_id: Some(String::from("token-1").into()),
                reply_to: Some("cbs-reply".into()),
                ..Properties::default()
            })
            .application_properties(application)
            .body(Body::Value(AmqpValue(Value::String(token.into()))))
            .build();
        let bytes = serde_amqp::to_vec(&Serializable(request)).map_err(io::Error::other)?;
        self.transfer(0, 0, &bytes, false).await?;
        loop {
            let frame = self.read_frame_within().await?;
            if let Some(Performative::Transfer(_)) = frame.performative {
                let reply =
                    serde_amqp::from_slice::<Deserializable<Message<Body<Value>>>>(&frame.payload)
                        .map_err(io::Error::other)?
                        .0;
                let status = reply
                    .application_properties
                    .and_then(|p| p.0.get("status-code").cloned());
                return match status {
                    Some(SimpleValue::Int(code)) => Ok(code),
                    other => Err(io::Error::other(format!("no status code: {other:?}"))),
                };
            }
        }
    }

    /// One transfer frame of delivery `delivery_id` on `handle`; `more` when others follow.
    pub async fn transfer(
        &mut self,
        handle: u32,
        delivery_id: u32,
        payload: &[u8],
        more: bool,
    ) -> io::Result<()> {
        let transfer = Transfer {
            handle: handle.into(),
            delivery_id: Some(delivery_id),
            delivery_tag: Some(Binary::from(delivery_id.to_be_bytes().to_vec())),
            message_format: Some(0),
            settled: Some(false),
            more,
            rcv_settle_mode: None,
            state: None,
            resume: false,
            aborted: false,
            batchable: false,
        };
        self.send(0, Performative::Transfer(transfer), payload)
            .await
    }

    /// The next frame the emulator sends within a few seconds; an error when the connection
    /// ends or nothing comes.
    pub async fn read_frame_within(&mut self) -> io::Result<Received> {
        tokio::time::timeout(WAIT, self.read_frame())
            .await
            .map_err(|_| io::Error::new(io::ErrorKind::TimedOut, "no frame from the emulator"))?
    }

    async fn expect(&mut self, wanted: impl Fn(&Performative) -> bool) -> io::Result<Received> {
        loop {
            let frame = self.read_frame_within().await?;
            match &frame.performative {
                Some(Performative::Close(close)) => {
                    return Err(io::Error::other(format!("closed: {close:?}")));
                }
                Some(performative) if wanted(performative) => return Ok(frame),
                _ => {}
            }
        }
    }

    async fn read_protocol_header(&mut self) -> io::Result<()> {
        let mut header = [0u8; 8];
        self.stream.read_exact(&mut header).await?;
        Ok(())
    }

    async fn read_frame(&mut self) -> io::Result<Received> {
        loop {
            let mut header = [0u8; 8];
            self.stream.read_exact(&mut header).await?;
            let size = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
            let doff = usize::from(header[4]) * 4;
            let mut rest = vec![0u8; size.saturating_sub(8)];
            self.stream.read_exact(&mut rest).await?;
            let body = &rest[doff.saturating_sub(8)..];
            if body.is_empty() {
                continue; // heartbeat
            }
            if header[5] == 1 {
                // SASL frames are read and not looked at.
                return Ok(Received {
                    performative: None,
                    payload: Vec::new(),
                });
            }
            let mut reader: &[u8] = body;
            let performative = {
                let read = serde_amqp::read::IoReader::new(&mut reader);
                let mut decoder = serde_amqp::de::Deserializer::new(read);
                <Performative as serde::Deserialize>::deserialize(&mut decoder)
                    .map_err(io::Error::other)?
            };
            let used = body.len() - reader.len();
            return Ok(Received {
                performative: Some(performative),
                payload: body[used..].to_vec(),
            });
        }
    }

    async fn write_frame(
        &mut self,
        frame_type: u8,
        channel: u16,
        performative: &[u8],
        payload: &[u8],
    ) -> io::Result<()> {
        let size = (8 + performative.len() + payload.len()) as u32;
        let mut frame = Vec::with_capacity(size as usize);
        frame.extend_from_slice(&size.to_be_bytes());
        frame.extend_from_slice(&[2, frame_type]);
        frame.extend_from_slice(&channel.to_be_bytes());
        frame.extend_from_slice(performative);
        frame.extend_from_slice(payload);
        self.stream.write_all(&frame).await
    }
}

fn encode(value: &impl serde::Serialize) -> io::Result<Vec<u8>> {
    serde_amqp::to_vec(value).map_err(io::Error::other)
}

/// A Begin with room for many transfers.
pub fn begin() -> Begin {
    Begin {
        remote_channel: None,
        next_outgoing_id: 0,
        incoming_window: 100_000,
        outgoing_window: 100_000,
        handle_max: 1024.into(),
        offered_capabilities: None,
        desired_capabilities: None,
        properties: None,
    }
}

/// An Attach by which this client sends to `address`.
pub fn attach_sender_to(handle: u32, address: &str) -> Attach {
    attach(handle, Role::Sender, "sender", address, address)
}

fn attach(handle: u32, role: Role, name: &str, source: &str, target: &str) -> Attach {
    let initial_delivery_count = (role == Role::Sender).then_some(0);
    Attach {
        name: format!("{name}-{handle}"),
        handle: handle.into(),
        role,
        snd_settle_mode: SenderSettleMode::Unsettled,
        rcv_settle_mode: ReceiverSettleMode::First,
        source: Some(Box::new(
            Source::builder().address(source.to_string()).build(),
        )),
        target: Some(Box::new(TargetArchetype::Target(
            Target::builder().address(target.to_string()).build(),
        ))),
        unsettled: None,
        incomplete_unsettled: false,
        initial_delivery_count,
        max_message_size: None,
        offered_capabilities: None,
        desired_capabilities: None,
        properties: None,
    }
}

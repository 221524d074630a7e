//! Limits on what a client may make the emulator hold, checked on the bytes as they arrive and
//! before fe2o3 buffers them (fe2o3 reassembles a delivery whole and queues frames without
//! bound). Per connection:
//! - every frame: at most [`MAX_FRAME_BYTES`], a known frame type, a channel at most
//!   [`CHANNEL_MAX`];
//! - each delivery's bytes, as its transfers arrive: at most [`MAX_DELIVERY_BYTES`] once the
//!   connection has put a valid token on `$cbs`, [`UNAUTHENTICATED_DELIVERY_BYTES`] before;
//! - deliveries still arriving, all links together: [`MAX_ARRIVING_BYTES`] (a tenth of that
//!   before a token);
//! - links attached at once: [`MAX_LINKS`] ([`UNAUTHENTICATED_LINKS`] before a token).
//!
//! Breaking one of these is a [`Violation`]: the connection is closed with its reason, and
//! nothing else is affected. Deliveries that have arrived but that the emulator has not
//! settled yet (its Disposition frames, seen on the way out) count against
//! [`MAX_UNSETTLED_BYTES`]; past it the connection is not read until they are settled, which
//! slows a client down without failing it.
//!
//! Pure: bytes in, a verdict out, so it can be fuzzed (`fuzz/fuzz_targets/amqp_ingress.rs`).

use std::collections::{HashMap, HashSet};

use super::frames::{
    AMQP_FRAME, FRAME_HEADER_LEN, as_bool, as_u32, descriptor, parse_list, performative,
    split_fields,
};
use super::sizes::sizes_fit;

// A path that also holds when `fuzz/` compiles this file on its own.
#[path = "ingress/limits.rs"]
mod limits;
#[path = "ingress/reply_links.rs"]
mod reply_links;
#[path = "ingress/session.rs"]
mod session;
use limits::budget;
pub use limits::*;
use session::{Arriving, Session, release};

const PROTOCOL_HEADER_LEN: usize = 8;

const SASL_FRAME: u8 = 1;

const OPEN: u64 = 0x10;
const BEGIN: u64 = 0x11;
const ATTACH: u64 = 0x12;
const FLOW: u64 = 0x13;
const TRANSFER: u64 = 0x14;
const DISPOSITION: u64 = 0x15;
const DETACH: u64 = 0x16;
const END: u64 = 0x17;

/// The ingress state of one connection.
#[derive(Debug, Default)]
pub struct IngressGuard {
    /// Bytes of the unit (protocol header or frame) being read.
    unit: Vec<u8>,
    sessions: HashMap<u16, Session>,
    /// The emulator's channel for each client channel, learnt from the emulator's Begin.
    client_channel_of: HashMap<u16, u16>,
    links: usize,
    arriving_bytes: usize,
    unsettled_bytes: usize,
    /// The client's max-frame-size, from its Open, until taken.
    client_max_frame: Option<u32>,
    /// Client channels whose last session the client has ended (until it begins another).
    closed_channels: HashSet<u16>,
    /// A Flow giving a `$cbs` or `$management` reply link credit was read since last asked.
    read_reply_credit: bool,
}

impl IngressGuard {
    pub fn new() -> Self {
        IngressGuard::default()
    }

    /// Checks bytes read from the client, in order. `authenticated`: the connection has put a
    /// valid token on `$cbs`.
    pub fn inspect(&mut self, mut bytes: &[u8], authenticated: bool) -> Result<(), Violation> {
        while !bytes.is_empty() {
            let wanted = self.unit_len()?;
            let take = wanted.saturating_sub(self.unit.len()).min(bytes.len());
            // Enough of a frame to know its size is all that is kept, then the whole frame:
            // at most MAX_FRAME_BYTES.
            self.unit.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.unit.len() == self.unit_len()? && self.unit.len() >= FRAME_HEADER_LEN {
                let unit = std::mem::take(&mut self.unit);
                self.on_unit(&unit, authenticated)?;
            }
        }
        Ok(())
    }

    /// The max-frame-size of the client's Open, once, when it has been read (0 when it
    /// could not be read).
    pub fn take_client_max_frame(&mut self) -> Option<u32> {
        self.client_max_frame.take()
    }

    /// Whether a Flow giving a reply link credit was read since the last call
    /// (`ingress/reply_links.rs`).
    pub fn take_reply_credit_read(&mut self) -> bool {
        std::mem::take(&mut self.read_reply_credit)
    }

    /// Whether the client has ended the session the emulator's `channel` answers.
    pub fn client_ended(&self, channel: u16) -> bool {
        (self.client_channel_of.get(&channel)).is_some_and(|c| self.closed_channels.contains(c))
    }

    /// Whether reading should pause until the emulator settles what it holds.
    pub fn must_wait(&self, authenticated: bool) -> bool {
        self.unsettled_bytes >= budget(MAX_UNSETTLED_BYTES, authenticated)
    }

    /// Bytes of deliveries received and not yet settled by the emulator, whole or arriving.
    pub fn held_bytes(&self) -> usize {
        self.unsettled_bytes + self.arriving_bytes
    }

    /// Learns from a frame the emulator sends: which client channel each of its sessions
    /// answers, and which deliveries it has settled.
    pub fn on_outgoing(&mut self, frame: &[u8]) {
        let Some((channel, code, fields)) = performative(frame) else {
            return;
        };
        match code {
            BEGIN => {
                if let Some(remote) = fields.first().and_then(|f| as_u32(f))
                    && let Ok(remote) = u16::try_from(remote)
                {
                    self.client_channel_of.insert(channel, remote);
                }
            }
            DISPOSITION if fields.first().and_then(|f| as_bool(f)) == Some(true) => {
                let Some(first) = fields.get(1).and_then(|f| as_u32(f)) else {
                    return;
                };
                let last = fields.get(2).and_then(|f| as_u32(f)).unwrap_or(first);
                let Some(client) = self.client_channel_of.get(&channel).copied() else {
                    return;
                };
                if let Some(session) = self.sessions.get_mut(&client) {
                    let released = release(session, first, last);
                    self.unsettled_bytes -= released;
                }
            }
            _ => {}
        }
    }

    /// The length of the unit being read, once known.
    fn unit_len(&self) -> Result<usize, Violation> {
        let unit = &self.unit;
        if unit.len() < 4 {
            return Ok(4);
        }
        if &unit[..4] == b"AMQP" {
            return Ok(PROTOCOL_HEADER_LEN);
        }
        let size = u32::from_be_bytes([unit[0], unit[1], unit[2], unit[3]]) as usize;
        if size < FRAME_HEADER_LEN {
            return Err(Violation::new(
                "amqp:connection:framing-error",
                format!("a frame of {size} bytes is shorter than its header"),
            ));
        }
        if size > MAX_FRAME_BYTES {
            return Err(Violation::new(
                "amqp:connection:framing-error",
                format!("a frame of {size} bytes is larger than max-frame-size {MAX_FRAME_BYTES}"),
            ));
        }
        Ok(size)
    }

    fn on_unit(&mut self, unit: &[u8], authenticated: bool) -> Result<(), Violation> {
        if &unit[..4] == b"AMQP" {
            return Ok(());
        }
        let doff = usize::from(unit[4]) * 4;
        let frame_type = unit[5];
        let channel = u16::from_be_bytes([unit[6], unit[7]]);
        if doff < FRAME_HEADER_LEN || doff > unit.len() {
            return Err(Violation::new(
                "amqp:connection:framing-error",
                format!(
                    "data offset {doff} does not fit a frame of {} bytes",
                    unit.len()
                ),
            ));
        }
        match frame_type {
            SASL_FRAME => return Ok(()),
            AMQP_FRAME => {}
            other => {
                return Err(Violation::new(
                    "amqp:connection:framing-error",
                    format!("unknown frame type {other}"),
                ));
            }
        }
        if channel > CHANNEL_MAX {
            return Err(Violation::new(
                "amqp:connection:framing-error",
                format!("channel {channel} is above channel-max {CHANNEL_MAX}"),
            ));
        }
        if doff == unit.len() {
            return Ok(()); // heartbeat
        }
        let body = &unit[doff..];
        // Every SDK writes performatives with numeric descriptors; anything this cannot read
        // could hide a transfer from the limits.
        let unreadable = || {
            Violation::new(
                "amqp:decode-error",
                format!("a frame on channel {channel} holds no readable performative"),
            )
        };
        let (code, list_start) = descriptor(body).ok_or_else(unreadable)?;
        let list = parse_list(&body[list_start..]).ok_or_else(unreadable)?;
        let items_at = list_start + list.header_len;
        let fields = body
            .get(items_at..items_at + list.items_len)
            .and_then(|items| split_fields(items, list.count))
            .ok_or_else(unreadable)?;
        let payload = &body[items_at + list.items_len..];
        match code {
            OPEN => {
                self.client_max_frame = Some(match fields.get(2) {
                    // Absent or null: the field's default, no limit below 4 GB.
                    None | Some([0x40]) => u32::MAX,
                    Some(size) => as_u32(size).unwrap_or(0),
                });
                Ok(())
            }
            BEGIN => {
                self.sessions.entry(channel).or_default();
                self.closed_channels.remove(&channel);
                Ok(())
            }
            ATTACH => self.on_attach(channel, &fields, authenticated),
            FLOW => {
                let handle = fields.get(4).and_then(|f| as_u32(f));
                let session = self.sessions.get(&channel);
                self.read_reply_credit |=
                    handle.is_some_and(|h| session.is_some_and(|s| s.reply_links.contains(&h)));
                Ok(())
            }
            TRANSFER => self.on_transfer(channel, &fields, payload, authenticated),
            DETACH => {
                if let Some(handle) = fields.first().and_then(|f| as_u32(f)) {
                    self.forget_link(channel, handle);
                }
                Ok(())
            }
            END => {
                if let Some(session) = self.sessions.remove(&channel) {
                    self.forget_session(session);
                }
                self.closed_channels.insert(channel);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn on_attach(
        &mut self,
        channel: u16,
        fields: &[&[u8]],
        authenticated: bool,
    ) -> Result<(), Violation> {
        let Some(handle) = fields.get(1).and_then(|f| as_u32(f)) else {
            return Ok(());
        };
        let most = if authenticated {
            MAX_LINKS
        } else {
            UNAUTHENTICATED_LINKS
        };
        let session = self.sessions.entry(channel).or_default();
        if session.links.contains_key(&handle) {
            return Ok(()); // fe2o3 answers a reused handle itself
        }
        if self.links >= most {
            return Err(Violation::new(
                "amqp:resource-limit-exceeded",
                format!("a connection may have {most} links attached at once"),
            ));
        }
        session.links.insert(handle, None);
        if reply_links::receives_replies(fields) {
            session.reply_links.insert(handle);
        }
        self.links += 1;
        Ok(())
    }

    fn on_transfer(
        &mut self,
        channel: u16,
        fields: &[&[u8]],
        payload: &[u8],
        authenticated: bool,
    ) -> Result<(), Violation> {
        let payload_len = payload.len();
        let Some(handle) = fields.first().and_then(|f| as_u32(f)) else {
            return Ok(());
        };
        let flag = |at: usize| fields.get(at).and_then(|f| as_bool(f)).unwrap_or(false);
        let more = flag(5);
        let aborted = flag(9);
        let Some(link) = self
            .sessions
            .get_mut(&channel)
            .and_then(|s| s.links.get_mut(&handle))
        else {
            return Ok(()); // fe2o3 refuses transfers on links that are not attached
        };
        // A delivery in one transfer is whole here: fe2o3 decodes it allocating every size it
        // claims, so a size larger than the bytes that follow would abort the emulator.
        if link.is_none() && !more && !aborted && !sizes_fit(payload) {
            return Err(Violation::new(
                "amqp:decode-error",
                "a message claims a size larger than the bytes that follow it",
            ));
        }
        let mut arriving = link.take().unwrap_or(Arriving {
            delivery_id: fields.get(1).and_then(|f| as_u32(f)),
            bytes: 0,
            settled: false,
            payload: Vec::new(),
        });
        arriving.settled |= flag(4);
        arriving.bytes += payload_len;
        let several_transfers = more || !arriving.payload.is_empty();
        self.arriving_bytes += payload_len;
        let most = if authenticated {
            MAX_DELIVERY_BYTES
        } else {
            UNAUTHENTICATED_DELIVERY_BYTES
        };
        if arriving.bytes > most {
            return Err(Violation::new(
                "amqp:link:message-size-exceeded",
                format!(
                    "a delivery of more than {most} bytes (the service's limit is {MAX_MESSAGE_BYTES})"
                ),
            ));
        }
        let arriving_most = budget(MAX_ARRIVING_BYTES, authenticated);
        if self.arriving_bytes > arriving_most {
            return Err(Violation::new(
                "amqp:resource-limit-exceeded",
                format!("deliveries in progress on one connection may hold {arriving_most} bytes"),
            ));
        }
        if several_transfers && !aborted {
            arriving.payload.extend_from_slice(payload);
        }
        if more && !aborted {
            *link = Some(arriving);
            return Ok(());
        }
        self.arriving_bytes -= arriving.bytes;
        // The whole of a delivery that came in several transfers: the same check as for one
        // transfer above, on what fe2o3 is about to decode.
        if several_transfers && !aborted && !sizes_fit(&arriving.payload) {
            return Err(Violation::new(
                "amqp:decode-error",
                "a message claims a size larger than the bytes that follow it",
            ));
        }
        // Settled by the client or aborted: the emulator sends no disposition for it.
        if aborted || arriving.settled {
            return Ok(());
        }
        let Some(delivery_id) = arriving.delivery_id else {
            return Ok(()); // fe2o3 detaches a link whose delivery has no id
        };
        if let Some(session) = self.sessions.get_mut(&channel) {
            let previous = session
                .unsettled
                .insert(delivery_id, (handle, arriving.bytes));
            self.unsettled_bytes += arriving.bytes;
            if let Some((_, bytes)) = previous {
                self.unsettled_bytes -= bytes;
            }
        }
        Ok(())
    }

    fn forget_link(&mut self, channel: u16, handle: u32) {
        let Some(session) = self.sessions.get_mut(&channel) else {
            return;
        };
        session.reply_links.remove(&handle);
        if let Some(link) = session.links.remove(&handle) {
            self.links -= 1;
            if let Some(arriving) = link {
                self.arriving_bytes -= arriving.bytes;
            }
        }
        let mut released = 0;
        session.unsettled.retain(|_, (h, bytes)| {
            let keep = *h != handle;
            if !keep {
                released += *bytes;
            }
            keep
        });
        self.unsettled_bytes -= released;
    }

    fn forget_session(&mut self, session: Session) {
        for link in session.links.values() {
            self.links -= 1;
            if let Some(arriving) = link {
                self.arriving_bytes -= arriving.bytes;
            }
        }
        self.unsettled_bytes -= session.unsettled.values().map(|(_, b)| b).sum::<usize>();
    }
}

#[cfg(test)]
mod tests;

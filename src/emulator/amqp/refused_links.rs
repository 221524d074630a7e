//! The links the emulator refuses, as its outgoing frames show them. Event Hubs refuses a link
//! with an Attach that has no terminus, then a Detach carrying the error, and nothing between
//! them on the client's side; the socket writer (`padding.rs`) keeps it that way:
//! - No credit on a refused producer link. fe2o3's acceptor grants credit as soon as it
//!   accepts an attach (its credit mode cannot be changed from outside the crate in 0.18), so
//!   a refused link got Attach, Flow, Detach. rhea-promise (under `@azure/event-hubs`) resolves
//!   `createAwaitableSender` on the first `sendable` event and rejects it with the link's
//!   error only on a `sender_close` that comes first: with credit, JS took the link as open,
//!   sent into it, and waited until its operation timeout instead of reporting not-found.
//!   Those Flows are dropped.
//! - No client detach before the reason. fe2o3 clients detach as soon as they read an Attach
//!   without a terminus; if that detach reaches the emulator before its own, the session
//!   answers it with a plain Detach and the client reports "Target field is None" instead of
//!   the reason. The Attach is held until its Detach, and both go out together.

use std::collections::HashMap;

use super::frames::{as_bool, as_u32, performative};

const ATTACH: u64 = 0x12;
const FLOW: u64 = 0x13;
const DETACH: u64 = 0x16;
/// AMQP's encoding of null.
const NULL: u8 = 0x40;

/// What the socket writer does with an outgoing frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outgoing {
    /// Goes out as usual.
    Send,
    /// A Flow on a refused producer link: dropped.
    Drop,
    /// The Attach that refuses a link: held until the Detach that follows it.
    RefusingAttach,
    /// The Detach that completes a refusal: it goes out with the Attach held for it.
    RefusingDetach,
}

/// Links (channel, handle) answered with an attach without a terminus, until their detach,
/// each with whether the emulator's end receives (the client produces).
#[derive(Debug, Default)]
pub struct RefusedLinks {
    refused: HashMap<(u16, u32), bool>,
}

impl RefusedLinks {
    /// What becomes of an outgoing frame, learning the refused links from it.
    pub fn classify(&mut self, frame: &[u8]) -> Outgoing {
        let Some((channel, code, fields)) = performative(frame) else {
            return Outgoing::Send;
        };
        let handle = |at: usize| fields.get(at).and_then(|f| as_u32(f));
        match code {
            ATTACH => {
                let Some(receiving) = fields.get(2).and_then(|f| as_bool(f)) else {
                    return Outgoing::Send;
                };
                // The terminus the emulator's end would name: source 5, target 6 (trailing
                // nulls may be left out).
                let terminus = fields.get(if receiving { 6 } else { 5 });
                match handle(1) {
                    Some(handle) if terminus.is_none_or(|f| f.first() == Some(&NULL)) => {
                        self.refused.insert((channel, handle), receiving);
                        Outgoing::RefusingAttach
                    }
                    _ => Outgoing::Send,
                }
            }
            FLOW => match handle(4).and_then(|handle| self.refused.get(&(channel, handle))) {
                Some(true) => Outgoing::Drop,
                _ => Outgoing::Send,
            },
            DETACH => match handle(0).and_then(|handle| self.refused.remove(&(channel, handle))) {
                Some(_) => Outgoing::RefusingDetach,
                None => Outgoing::Send,
            },
            _ => Outgoing::Send,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame on `channel` whose performative is `code` with these encoded fields.
    fn frame(channel: u16, code: u8, fields: &[&[u8]]) -> Vec<u8> {
        let items: Vec<u8> = fields.concat();
        let mut body = vec![0x00, 0x53, code, 0xc0];
        body.push(u8::try_from(items.len() + 1).expect("small"));
        body.push(u8::try_from(fields.len()).expect("small"));
        body.extend(items);
        let size = u32::try_from(8 + body.len()).expect("small");
        let mut out = size.to_be_bytes().to_vec();
        out.extend([2, 0]);
        out.extend(channel.to_be_bytes());
        out.extend(body);
        out
    }

    #[test]
    fn flow_on_a_refused_producer_link_is_dropped_until_its_detach() {
        let mut links = RefusedLinks::default();
        let name: &[u8] = &[0xa1, 1, b'x'];
        let refused_attach = frame(
            0,
            0x12,
            &[
                name,
                &[0x52, 3],
                &[0x41],
                &[0x40],
                &[0x40],
                &[0x40],
                &[0x40],
            ],
        );
        assert_eq!(links.classify(&refused_attach), Outgoing::RefusingAttach);
        let flow = |handle: u8| {
            frame(
                0,
                0x13,
                &[
                    &[0x43],
                    &[0x43],
                    &[0x43],
                    &[0x43],
                    &[0x52, handle],
                    &[0x43],
                    &[0x52, 100],
                ],
            )
        };
        assert_eq!(
            links.classify(&flow(3)),
            Outgoing::Drop,
            "no credit on the refused link"
        );
        assert_eq!(
            links.classify(&flow(4)),
            Outgoing::Send,
            "other links keep theirs"
        );
        assert_eq!(
            links.classify(&frame(0, 0x16, &[&[0x52, 3], &[0x41]])),
            Outgoing::RefusingDetach
        );
        assert_eq!(
            links.classify(&flow(3)),
            Outgoing::Send,
            "a new link on the handle gets credit"
        );
    }

    #[test]
    fn an_accepted_producer_link_keeps_its_credit() {
        let mut links = RefusedLinks::default();
        let name: &[u8] = &[0xa1, 1, b'x'];
        let target: &[u8] = &[0x00, 0x53, 0x29, 0x45];
        let attach = frame(
            0,
            0x12,
            &[name, &[0x52, 3], &[0x41], &[0x40], &[0x40], &[0x40], target],
        );
        assert_eq!(links.classify(&attach), Outgoing::Send);
        let flow = frame(
            0,
            0x13,
            &[
                &[0x43],
                &[0x43],
                &[0x43],
                &[0x43],
                &[0x52, 3],
                &[0x43],
                &[0x52, 100],
            ],
        );
        assert_eq!(links.classify(&flow), Outgoing::Send);
    }

    #[test]
    fn a_refused_consumer_link_is_held_but_keeps_its_flow() {
        let mut links = RefusedLinks::default();
        let name: &[u8] = &[0xa1, 1, b'x'];
        // The emulator's end sends (role false) and names no source.
        let refused = frame(0, 0x12, &[name, &[0x43], &[0x42]]);
        assert_eq!(links.classify(&refused), Outgoing::RefusingAttach);
        let flow = frame(0, 0x13, &[&[0x43], &[0x43], &[0x43], &[0x43], &[0x43]]);
        assert_eq!(links.classify(&flow), Outgoing::Send);
        // With a source (a described list), the same end is an accepted link.
        let source: &[u8] = &[0x00, 0x53, 0x28, 0xc0, 0x01, 0x00];
        let accepted = frame(
            0,
            0x12,
            &[name, &[0x52, 1], &[0x42], &[0x40], &[0x40], source],
        );
        assert_eq!(links.classify(&accepted), Outgoing::Send);
    }
}

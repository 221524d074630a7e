//! No credit on a refused producer link. Event Hubs refuses a link to an entity that does not
//! exist with an Attach that has no target, then a Detach carrying the error, and never a Flow
//! in between. fe2o3's acceptor grants credit as soon as it accepts an attach (its credit mode
//! cannot be changed from outside the crate in 0.18), so a refused link got Attach, Flow,
//! Detach. rhea-promise (under `@azure/event-hubs`) resolves `createAwaitableSender` on the
//! first `sendable` event and rejects it with the link's error only on a `sender_close` that
//! comes first: with credit, JS took the link as open, sent into it, and waited until its
//! operation timeout instead of reporting not-found. The socket writer drops those Flows.

use std::collections::HashSet;

use super::frames::{as_bool, as_u32, performative};

const ATTACH: u64 = 0x12;
const FLOW: u64 = 0x13;
const DETACH: u64 = 0x16;
/// AMQP's encoding of null.
const NULL: u8 = 0x40;

/// Links (channel, handle) answered with an attach without a target, until their detach.
#[derive(Debug, Default)]
pub struct RefusedLinks {
    refused: HashSet<(u16, u32)>,
}

impl RefusedLinks {
    /// Whether an outgoing frame goes to the client (false: a Flow on a refused link).
    pub fn keep(&mut self, frame: &[u8]) -> bool {
        let Some((channel, code, fields)) = performative(frame) else {
            return true;
        };
        let handle = |at: usize| fields.get(at).and_then(|f| as_u32(f));
        match code {
            ATTACH => {
                // The server's role is receiver on a link where the client sends.
                let receiving = fields.get(2).and_then(|f| as_bool(f)) == Some(true);
                let no_target = fields.get(6).is_none_or(|f| f.first() == Some(&NULL));
                if receiving
                    && no_target
                    && let Some(handle) = handle(1)
                {
                    self.refused.insert((channel, handle));
                }
                true
            }
            FLOW => handle(4).is_none_or(|handle| !self.refused.contains(&(channel, handle))),
            DETACH => {
                if let Some(handle) = handle(0) {
                    self.refused.remove(&(channel, handle));
                }
                true
            }
            _ => true,
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
        assert!(links.keep(&refused_attach));
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
        assert!(!links.keep(&flow(3)), "no credit on the refused link");
        assert!(links.keep(&flow(4)), "other links keep theirs");
        assert!(links.keep(&frame(0, 0x16, &[&[0x52, 3], &[0x41]])));
        assert!(links.keep(&flow(3)), "a new link on the handle gets credit");
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
        assert!(links.keep(&attach));
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
        assert!(links.keep(&flow));
    }
}

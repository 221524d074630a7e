//! Rewriting the performatives fe2o3 writes so every SDK can read them (docs/sdk-quirks.md):
//! fe2o3 leaves out trailing null and default fields, as AMQP allows, but pyamqp reads fields
//! by position, also inside nested errors. Pure byte-level functions; `padding.rs` applies them
//! to each outgoing frame. Also the few readers and writers of whole frames the ingress guard
//! needs: a frame's performative, its integer and boolean fields, and the Close it sends.

use super::ingress::{MAX_MESSAGE_BYTES, Violation};

pub const FRAME_HEADER_LEN: usize = 8;
/// The frame type of AMQP frames (SASL frames are 1).
pub const AMQP_FRAME: u8 = 0;
const DETACH: u64 = 0x16;

/// How many fields a performative or SASL frame has in AMQP 1.0, by descriptor code.
fn field_count(code: u64) -> Option<usize> {
    Some(match code {
        0x10 => 10, // open
        0x11 => 8,  // begin
        0x12 => 14, // attach
        0x13 => 11, // flow
        0x14 => 11, // transfer
        0x15 => 6,  // disposition
        0x16 => 3,  // detach
        0x17 => 1,  // end
        0x18 => 1,  // close
        0x40 => 1,  // sasl-mechanisms
        0x41 => 3,  // sasl-init
        0x42 => 1,  // sasl-challenge
        0x43 => 1,  // sasl-response
        0x44 => 2,  // sasl-outcome
        _ => return None,
    })
}

/// Rewrites one frame: its performative lists every field, and an Attach by which the
/// service receives (the client's producer or request link) advertises the service's
/// max-message-size. Returns the frame and whether it must be held back (a Detach that
/// answers a client's detach; a Detach carrying an error goes at once, so a refused link
/// learns why before it tries to use the credit fe2o3 granted).
pub fn pad_frame(frame: &[u8]) -> (Vec<u8>, bool) {
    let doff = usize::from(frame[4]) * 4;
    if doff < FRAME_HEADER_LEN || doff >= frame.len() {
        return (frame.to_vec(), false); // empty (heartbeat) frame or odd header
    }
    let body = &frame[doff..];
    let Some((code, list_start)) = descriptor(body) else {
        return (frame.to_vec(), false);
    };
    let Some(wanted) = field_count(code) else {
        return (frame.to_vec(), false);
    };
    let Some(list) = parse_list(&body[list_start..]) else {
        return (frame.to_vec(), false);
    };
    let items_at = list_start + list.header_len;
    let items = &body[items_at..items_at + list.items_len];
    let payload = &body[items_at + list.items_len..];
    let Some(mut fields) = split_fields(items, list.count) else {
        return (frame.to_vec(), false);
    };
    let mut changed = false;
    while fields.len() < wanted {
        fields.push(NULL);
        changed = true;
    }
    let hold = code == DETACH && fields.get(2).is_some_and(|error| *error == NULL);
    // Errors inside a performative are read by position too (pyamqp builds a Rejected
    // outcome's error from its list): list every field of those as well.
    let nested: Option<(usize, Vec<u8>)> = match code {
        DETACH | END | CLOSE => {
            let at = if code == DETACH { 2 } else { 0 };
            pad_described(fields[at], &[(ERROR, 3)]).map(|v| (at, v))
        }
        DISPOSITION => pad_described(fields[4], &[(REJECTED, 1), (ERROR, 3)]).map(|v| (4, v)),
        _ => None,
    };
    if let Some((at, _)) = &nested {
        fields[*at] = NULL; // replaced below, after the borrow of `nested`
        changed = true;
    }
    let max_size = MAX_MESSAGE_SIZE_FIELD;
    if code == ATTACH && is_true(fields[2]) && fields[10] == NULL {
        fields[10] = &max_size;
        changed = true;
    }
    if !changed {
        return (frame.to_vec(), hold);
    }
    let items_len: usize = fields.iter().map(|f| f.len()).sum::<usize>()
        + nested.as_ref().map_or(0, |(_, v)| v.len() - 1);
    let mut out = Vec::with_capacity(frame.len() + items_len - items.len() + 8);
    out.extend_from_slice(&[0, 0, 0, 0]);
    out.extend_from_slice(&frame[4..doff]);
    out.extend_from_slice(&body[..list_start]);
    if items_len < 255 && fields.len() < 256 {
        out.push(0xc0);
        out.push((items_len + 1) as u8);
        out.push(fields.len() as u8);
    } else {
        out.push(0xd0);
        out.extend_from_slice(&((items_len + 4) as u32).to_be_bytes());
        out.extend_from_slice(&(fields.len() as u32).to_be_bytes());
    }
    for (i, field) in fields.iter().enumerate() {
        match &nested {
            Some((at, value)) if *at == i => out.extend_from_slice(value),
            _ => out.extend_from_slice(field),
        }
    }
    out.extend_from_slice(payload);
    let size = out.len() as u32;
    out[..4].copy_from_slice(&size.to_be_bytes());
    (out, hold)
}

const NULL: &[u8] = &[0x40];
const END: u64 = 0x17;
const CLOSE: u64 = 0x18;
const DISPOSITION: u64 = 0x15;
const ERROR: u64 = 0x1d;
const REJECTED: u64 = 0x25;

/// Re-encodes a described list whose code is in `counts` with all its fields, recursing into
/// its first field (a Rejected outcome holds its error there). `None` when nothing changes.
fn pad_described(value: &[u8], counts: &[(u64, usize)]) -> Option<Vec<u8>> {
    let (code, list_start) = descriptor(value)?;
    let wanted = counts.iter().find(|(c, _)| *c == code)?.1;
    let list = parse_list(&value[list_start..])?;
    let items_at = list_start + list.header_len;
    let mut fields: Vec<Vec<u8>> =
        split_fields(&value[items_at..items_at + list.items_len], list.count)?
            .into_iter()
            .map(<[u8]>::to_vec)
            .collect();
    let mut changed = false;
    if let Some(inner) = fields.first().and_then(|f| pad_described(f, counts)) {
        fields[0] = inner;
        changed = true;
    }
    while fields.len() < wanted {
        fields.push(NULL.to_vec());
        changed = true;
    }
    if !changed {
        return None;
    }
    let items: Vec<u8> = fields.concat();
    let mut out = value[..list_start].to_vec();
    out.push(0xd0);
    out.extend_from_slice(&((items.len() + 4) as u32).to_be_bytes());
    out.extend_from_slice(&(fields.len() as u32).to_be_bytes());
    out.extend_from_slice(&items);
    Some(out)
}
const ATTACH: u64 = 0x12;
/// The service's max-message-size as an AMQP ulong.
const MAX_MESSAGE_SIZE_FIELD: [u8; 9] = {
    let b = (MAX_MESSAGE_BYTES as u64).to_be_bytes();
    [0x80, b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]
};

fn is_true(field: &[u8]) -> bool {
    field == [0x41] || field == [0x56, 0x01]
}

/// Splits the encoded items of a list into one slice per field.
pub(super) fn split_fields(items: &[u8], count: usize) -> Option<Vec<&[u8]>> {
    // Every field takes a byte at least: a larger count is a lie, and must not size the Vec
    // (a list32 header can claim four billion fields).
    if count > items.len() {
        return None;
    }
    let mut fields = Vec::with_capacity(count);
    let mut at = 0;
    for _ in 0..count {
        let end = skip_value(items, at)?;
        fields.push(&items[at..end]);
        at = end;
    }
    (at == items.len()).then_some(fields)
}

/// Where the AMQP value starting at `at` ends.
pub(super) fn skip_value(buf: &[u8], at: usize) -> Option<usize> {
    let code = *buf.get(at)?;
    let sized = |width: usize| -> Option<usize> {
        let raw = buf.get(at + 1..at + 1 + width)?;
        let len = raw.iter().fold(0usize, |n, b| (n << 8) | usize::from(*b));
        let end = at + 1 + width + len;
        (end <= buf.len()).then_some(end)
    };
    let fixed = |width: usize| (at + 1 + width <= buf.len()).then_some(at + 1 + width);
    match code {
        // Described values, followed in a loop: a frame of nested descriptors must not
        // recurse as deep as it is long (found by a test: 60,000 of them overflowed the stack).
        0x00 => {
            let mut at = at;
            while buf.get(at) == Some(&0x00) {
                // A descriptor is a symbol or a number, never itself described.
                if buf.get(at + 1) == Some(&0x00) {
                    return None;
                }
                at = skip_value(buf, at + 1)?;
            }
            skip_value(buf, at)
        }
        0x40..=0x45 => Some(at + 1),
        0x50..=0x56 => fixed(1),
        0x60..=0x61 => fixed(2),
        0x70..=0x74 => fixed(4),
        0x80..=0x84 => fixed(8),
        0x94 | 0x98 => fixed(16), // decimal128, uuid
        0xa0 | 0xa1 | 0xa3 | 0xc0 | 0xc1 | 0xe0 => sized(1),
        0xb0 | 0xb1 | 0xb3 | 0xd0 | 0xd1 | 0xf0 => sized(4),
        _ => None,
    }
}

/// Reads a described-type constructor with a numeric descriptor: its code and where the
/// described value starts.
pub(super) fn descriptor(body: &[u8]) -> Option<(u64, usize)> {
    if body.first() != Some(&0x00) {
        return None;
    }
    match body.get(1)? {
        0x53 => Some((u64::from(*body.get(2)?), 3)),
        0x80 => {
            let raw: [u8; 8] = body.get(2..10)?.try_into().ok()?;
            Some((u64::from_be_bytes(raw), 10))
        }
        0x44 => Some((0, 2)), // ulong0
        _ => None,
    }
}

pub(super) struct ListHeader {
    pub(super) header_len: usize,
    pub(super) items_len: usize,
    pub(super) count: usize,
}

pub(super) fn parse_list(value: &[u8]) -> Option<ListHeader> {
    match value.first()? {
        0x45 => Some(ListHeader {
            header_len: 1,
            items_len: 0,
            count: 0,
        }),
        0xc0 => {
            let size = usize::from(*value.get(1)?);
            let count = usize::from(*value.get(2)?);
            let items_len = size.checked_sub(1)?;
            (value.len() >= 2 + size).then_some(ListHeader {
                header_len: 3,
                items_len,
                count,
            })
        }
        0xd0 => {
            let size = u32::from_be_bytes(value.get(1..5)?.try_into().ok()?) as usize;
            let count = u32::from_be_bytes(value.get(5..9)?.try_into().ok()?) as usize;
            let items_len = size.checked_sub(4)?;
            (value.len() >= 5 + size).then_some(ListHeader {
                header_len: 9,
                items_len,
                count,
            })
        }
        _ => None,
    }
}

/// The channel, descriptor code and fields of a whole AMQP frame's performative.
pub(super) fn performative(frame: &[u8]) -> Option<(u16, u64, Vec<&[u8]>)> {
    if frame.len() < FRAME_HEADER_LEN || frame[5] != AMQP_FRAME {
        return None;
    }
    let doff = usize::from(frame[4]) * 4;
    let channel = u16::from_be_bytes([frame[6], frame[7]]);
    let body = frame.get(doff..)?;
    let (code, list_start) = descriptor(body)?;
    let list = parse_list(body.get(list_start..)?)?;
    let items_at = list_start + list.header_len;
    let items = body.get(items_at..items_at + list.items_len)?;
    Some((channel, code, split_fields(items, list.count)?))
}

/// An AMQP uint, ushort or ubyte field.
pub(super) fn as_u32(field: &[u8]) -> Option<u32> {
    match field {
        [0x43] => Some(0),
        [0x52, v] | [0x50, v] => Some(u32::from(*v)),
        [0x60, a, b] => Some(u32::from(u16::from_be_bytes([*a, *b]))),
        [0x70, a, b, c, d] => Some(u32::from_be_bytes([*a, *b, *c, *d])),
        _ => None,
    }
}

pub(super) fn as_bool(field: &[u8]) -> Option<bool> {
    match field {
        [0x41] | [0x56, 1] => Some(true),
        [0x42] | [0x56, 0] => Some(false),
        _ => None,
    }
}

/// A Close frame on channel 0 carrying `violation` as its error, for the client to read
/// before the connection drops.
pub fn close_frame(violation: &Violation) -> Vec<u8> {
    let mut error = vec![0x00, 0x53, 0x1d];
    let condition = violation.condition.as_bytes();
    let description: Vec<u8> = violation.description.bytes().take(200).collect();
    let mut items = Vec::new();
    items.push(0xa3);
    items.push(condition.len() as u8);
    items.extend_from_slice(condition);
    items.push(0xa1);
    items.push(description.len() as u8);
    items.extend_from_slice(&description);
    items.push(0x40); // info
    error.push(0xc0);
    error.push((items.len() + 1) as u8);
    error.push(3);
    error.extend_from_slice(&items);
    let mut body = vec![0x00, 0x53, 0x18, 0xc0, (error.len() + 1) as u8, 1];
    body.extend_from_slice(&error);
    let mut frame = ((body.len() + FRAME_HEADER_LEN) as u32)
        .to_be_bytes()
        .to_vec();
    frame.extend_from_slice(&[2, AMQP_FRAME, 0, 0]);
    frame.extend_from_slice(&body);
    frame
}

#[cfg(test)]
mod tests {
    #[test]
    fn described_values_nested_as_deep_as_a_frame_allows_are_read_in_a_loop() {
        let mut nested = Vec::new();
        for _ in 0..20_000 {
            nested.extend_from_slice(&[0x00, 0x53, 0x70]);
        }
        nested.push(0x40);
        assert_eq!(super::skip_value(&nested, 0), Some(nested.len()));
        assert_eq!(super::skip_value(&[0x00, 0x00, 0x53, 0x70, 0x40], 0), None);
    }

    use super::*;

    use super::super::padding::tests::frame;

    #[test]
    fn short_performative_is_padded_and_payload_kept() {
        // transfer (0x14) with 2 fields (handle 0, delivery-id 1) and a 3-byte payload
        let body = [
            0x00, 0x53, 0x14, 0xc0, 0x05, 0x02, 0x52, 0x00, 0x52, 0x01, 0xaa, 0xbb, 0xcc,
        ];
        let (out, is_detach) = pad_frame(&frame(&body));
        assert!(!is_detach);
        let expected_body = [
            &[0x00, 0x53, 0x14, 0xc0, 0x0e, 0x0b, 0x52, 0x00, 0x52, 0x01][..],
            &[0x40; 9],
            &[0xaa, 0xbb, 0xcc],
        ]
        .concat();
        assert_eq!(out, frame(&expected_body));
    }

    #[test]
    fn detach_without_error_is_padded_and_held() {
        let (out, hold) = pad_frame(&frame(&[0x00, 0x53, 0x16, 0x45]));
        assert!(hold);
        assert_eq!(
            out,
            frame(&[0x00, 0x53, 0x16, 0xc0, 0x04, 0x03, 0x40, 0x40, 0x40])
        );
    }

    #[test]
    fn detach_with_error_goes_at_once() {
        // detach(handle 0, closed true, error{condition symbol "x"})
        let body = [
            0x00, 0x53, 0x16, 0xc0, 0x0a, 0x03, 0x43, 0x41, 0x00, 0x53, 0x1d, 0xc0, 0x03, 0x01,
            0xa3, 0x01, b'x',
        ];
        let (_, hold) = pad_frame(&frame(&body[..]));
        assert!(!hold);
    }

    #[test]
    fn receiving_attach_advertises_the_max_message_size() {
        // attach(name "a", handle 0, role receiver): everything else left out
        let body = [
            0x00, 0x53, 0x12, 0xc0, 0x06, 0x03, 0xa1, 0x01, b'a', 0x43, 0x41,
        ];
        let (out, _) = pad_frame(&frame(&body[..]));
        let fields_at = 8 + 3 + 3;
        let items = &out[fields_at..];
        let fields = split_fields(items, 14).expect("14 fields");
        assert_eq!(fields[10], &MAX_MESSAGE_SIZE_FIELD[..]);
        assert_eq!(fields[2], &[0x41][..]);
        // a sending attach is left alone
        let body = [
            0x00, 0x53, 0x12, 0xc0, 0x06, 0x03, 0xa1, 0x01, b'a', 0x43, 0x42,
        ];
        let (out, _) = pad_frame(&frame(&body[..]));
        assert_eq!(
            split_fields(&out[fields_at..], 14).expect("14 fields")[10],
            NULL
        );
    }

    #[test]
    fn a_rejected_outcome_lists_every_error_field() {
        // rejected{error{condition "x", description "d"}} with no info
        let error = [
            0x00, 0x53, 0x1d, 0xc0, 0x07, 0x02, 0xa3, 0x01, b'x', 0xa1, 0x01, b'd',
        ];
        let mut rejected = vec![0x00, 0x53, 0x25, 0xc0, (error.len() + 1) as u8, 0x01];
        rejected.extend_from_slice(&error);
        let padded = pad_described(&rejected, &[(REJECTED, 1), (ERROR, 3)]).expect("padded");
        let (_, list_start) = descriptor(&padded).expect("described");
        let list = parse_list(&padded[list_start..]).expect("list");
        let inner = split_fields(&padded[list_start + list.header_len..], 1).expect("one field")[0];
        let (code, inner_start) = descriptor(inner).expect("error");
        assert_eq!(code, ERROR);
        let inner_list = parse_list(&inner[inner_start..]).expect("list");
        assert_eq!(inner_list.count, 3);
        assert!(inner.ends_with(&[0x40]));
    }

    #[test]
    fn full_and_unknown_frames_pass_unchanged() {
        let end = frame(&[0x00, 0x53, 0x17, 0xc0, 0x02, 0x01, 0x40]);
        assert_eq!(pad_frame(&end).0, end);
        let heartbeat = vec![0, 0, 0, 8, 2, 0, 0, 0];
        assert_eq!(pad_frame(&heartbeat).0, heartbeat);
    }
}

use super::*;
use crate::emulator::amqp::frames::{close_frame, pad_frame, performative};

/// A frame on `channel` whose performative is `code` with the given encoded fields, then
/// `payload`.
fn frame(channel: u16, code: u8, fields: &[&[u8]], payload: &[u8]) -> Vec<u8> {
    let items: Vec<u8> = fields.concat();
    let mut body = vec![
        0x00,
        0x53,
        code,
        0xc0,
        (items.len() + 1) as u8,
        fields.len() as u8,
    ];
    body.extend_from_slice(&items);
    body.extend_from_slice(payload);
    let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    out.extend_from_slice(&[2, 0]);
    out.extend_from_slice(&channel.to_be_bytes());
    out.extend_from_slice(&body);
    out
}

const TRUE: &[u8] = &[0x41];
const FALSE: &[u8] = &[0x42];
const NULL: &[u8] = &[0x40];

fn uint(v: u32) -> Vec<u8> {
    let mut out = vec![0x70];
    out.extend_from_slice(&v.to_be_bytes());
    out
}

fn begin(channel: u16) -> Vec<u8> {
    frame(
        channel,
        0x11,
        &[NULL, &uint(0), &uint(100), &uint(100)],
        &[],
    )
}

fn attach(channel: u16, handle: u32) -> Vec<u8> {
    frame(
        channel,
        0x12,
        &[&[0xa1, 1, b'l'], &uint(handle), FALSE],
        &[],
    )
}

fn transfer(channel: u16, handle: u32, delivery_id: u32, more: bool, payload: &[u8]) -> Vec<u8> {
    let more = if more { TRUE } else { FALSE };
    let fields: [&[u8]; 6] = [
        &uint(handle),
        &uint(delivery_id),
        &[0xa0, 1, 7],
        &uint(0),
        FALSE,
        more,
    ];
    frame(channel, 0x14, &fields, payload)
}

/// A message of `len` bytes (at least 8): one Data section of zeros.
fn data_section(len: usize) -> Vec<u8> {
    let mut out = vec![0x00, 0x53, 0x75, 0xb0];
    out.extend_from_slice(&((len - 8) as u32).to_be_bytes());
    out.resize(len, 0);
    out
}

/// The emulator's Begin answering the client's channel `client` on its own `ours`.
fn begin_reply(ours: u16, client: u16) -> Vec<u8> {
    frame(
        ours,
        0x11,
        &[
            &[0x60, (client >> 8) as u8, client as u8],
            &uint(0),
            &uint(100),
            &uint(100),
        ],
        &[],
    )
}

fn disposition(ours: u16, first: u32, last: u32) -> Vec<u8> {
    frame(ours, 0x15, &[TRUE, &uint(first), &uint(last), TRUE], &[])
}

fn opened(authenticated: bool) -> IngressGuard {
    let mut guard = IngressGuard::new();
    let mut start = b"AMQP\x00\x01\x00\x00".to_vec();
    start.extend(begin(0));
    start.extend(attach(0, 0));
    guard
        .inspect(&start, authenticated)
        .expect("a normal start");
    guard
}

#[test]
fn a_delivery_is_stopped_as_its_transfers_pass_the_limit() {
    let mut guard = opened(true);
    let chunk = vec![0u8; 60_000];
    let mut sent = 0usize;
    let violation = loop {
        match guard.inspect(&transfer(0, 0, 0, true, &chunk), true) {
            Ok(()) => sent += chunk.len(),
            Err(violation) => break violation,
        }
        assert!(sent <= MAX_DELIVERY_BYTES, "the delivery was never stopped");
    };
    assert_eq!(violation.condition, "amqp:link:message-size-exceeded");
    assert!(sent + chunk.len() > MAX_DELIVERY_BYTES);
}

#[test]
fn before_a_token_a_delivery_may_be_small_only() {
    let mut guard = opened(false);
    let chunk = vec![0u8; 30_000];
    assert!(
        guard
            .inspect(&transfer(0, 0, 0, true, &chunk), false)
            .is_ok()
    );
    assert!(
        guard
            .inspect(&transfer(0, 0, 0, true, &chunk), false)
            .is_ok()
    );
    let refused = guard
        .inspect(&transfer(0, 0, 0, true, &chunk), false)
        .expect_err("over the unauthenticated limit");
    assert_eq!(refused.condition, "amqp:link:message-size-exceeded");
}

#[test]
fn a_channel_above_channel_max_is_refused() {
    let mut guard = IngressGuard::new();
    let refused = guard
        .inspect(&begin(65_535), true)
        .expect_err("channel 65535");
    assert!(refused.description.contains("channel-max"), "{refused}");
    assert!(
        IngressGuard::new()
            .inspect(&begin(CHANNEL_MAX), true)
            .is_ok()
    );
}

#[test]
fn a_frame_larger_than_max_frame_size_is_refused_from_its_header() {
    let mut guard = IngressGuard::new();
    let refused = guard
        .inspect(&[0x7f, 0xff, 0xff, 0xff], true)
        .expect_err("a 2 GB frame header");
    assert_eq!(refused.condition, "amqp:connection:framing-error");
}

#[test]
fn unsettled_deliveries_pause_reading_until_the_emulator_settles_them() {
    let mut guard = opened(true);
    guard.on_outgoing(&begin_reply(3, 0));
    let payload = data_section(MAX_DELIVERY_BYTES / 20);
    let mut id = 0;
    while !guard.must_wait(true) {
        guard
            .inspect(&transfer(0, 0, id, false, &payload), true)
            .expect("whole deliveries within the limits");
        id += 1;
    }
    assert!(guard.held_bytes() >= MAX_UNSETTLED_BYTES);
    guard.on_outgoing(&disposition(3, 0, id - 1));
    assert!(!guard.must_wait(true));
    assert_eq!(guard.held_bytes(), 0);
}

#[test]
fn links_before_a_token_are_few() {
    let mut guard = opened(false);
    let mut refused = None;
    for handle in 1..=UNAUTHENTICATED_LINKS as u32 {
        if let Err(violation) = guard.inspect(&attach(0, handle), false) {
            refused = Some(violation);
            break;
        }
    }
    assert_eq!(
        refused.map(|v| v.condition),
        Some("amqp:resource-limit-exceeded")
    );
}

#[test]
fn frames_split_across_reads_are_checked_whole() {
    let mut guard = opened(true);
    let payload = data_section(12);
    let bytes = transfer(0, 0, 0, false, &payload);
    for piece in bytes.chunks(3) {
        guard.inspect(piece, true).expect("a small delivery");
    }
    assert_eq!(guard.held_bytes(), 12);
}

#[test]
fn the_close_frame_is_a_readable_performative() {
    let close = close_frame(&Violation::new("amqp:connection:framing-error", "why"));
    let (channel, code, fields) = performative(&close).expect("a performative");
    assert_eq!((channel, code, fields.len()), (0, 0x18, 1));
}

#[test]
fn a_performative_claiming_four_billion_fields_is_refused_without_allocating_them() {
    // Found by fuzz/fuzz_targets/amqp_ingress.rs: a list32 header's count sized a Vec.
    let mut body = vec![0x00, 0x53, 0x11, 0xd0];
    body.extend_from_slice(&4u32.to_be_bytes()); // size: just the count
    body.extend_from_slice(&u32::MAX.to_be_bytes()); // count
    let mut frame = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    frame.extend_from_slice(&[2, 0, 0, 0]);
    frame.extend_from_slice(&body);
    let refused = IngressGuard::new()
        .inspect(&frame, true)
        .expect_err("an unreadable performative");
    assert_eq!(refused.condition, "amqp:decode-error");
    assert_eq!(pad_frame(&frame).0, frame, "passed on unchanged");
}

#[test]
fn a_whole_delivery_claiming_more_bytes_than_it_has_is_refused() {
    // Found by fuzz/fuzz_targets/amqp_requests.rs: fe2o3 decodes a delivery allocating every
    // size it claims, so this str32 would have cost 4 GB and the emulator.
    let lie = [0x00, 0x53, 0x77, 0xb1, 0xff, 0xff, 0xff, 0xff, b'x'];
    let refused = opened(false)
        .inspect(&transfer(0, 0, 0, false, &lie), false)
        .expect_err("a lying message");
    assert_eq!(refused.condition, "amqp:decode-error");
    // The same section, honest.
    let honest = [0x00, 0x53, 0x77, 0xa1, 0x01, b'x'];
    assert!(
        opened(false)
            .inspect(&transfer(0, 0, 0, false, &honest), false)
            .is_ok()
    );
}

#[test]
fn a_delivery_in_several_transfers_claiming_more_bytes_than_it_has_is_refused() {
    // The same lie as above split over two transfers: fe2o3 reassembles the delivery and
    // decodes it whole, so the check must see the whole.
    let lie = [0x00, 0x53, 0x77, 0xb1, 0xff, 0xff, 0xff, 0xff, b'x'];
    let mut guard = opened(false);
    guard
        .inspect(&transfer(0, 0, 0, true, &lie[..4]), false)
        .expect("the first part alone says nothing yet");
    let refused = guard
        .inspect(&transfer(0, 0, 0, false, &lie[4..]), false)
        .expect_err("a lying message in two parts");
    assert_eq!(refused.condition, "amqp:decode-error");
    // The same section, honest, in two parts.
    let honest = [0x00, 0x53, 0x77, 0xa1, 0x01, b'x'];
    let mut guard = opened(false);
    guard
        .inspect(&transfer(0, 0, 0, true, &honest[..3]), false)
        .expect("first part");
    guard
        .inspect(&transfer(0, 0, 0, false, &honest[3..]), false)
        .expect("an honest message in two parts");
}

#[test]
fn a_field_of_nested_descriptors_is_read_without_exhausting_the_stack() {
    let deep = vec![0x00; 60_000];
    let mut guard = opened(true);
    let mut frame = transfer(0, 0, 0, false, &[]);
    // A seventh field made of descriptors only, in a list32 the frame header sizes.
    let body_at = 8;
    let mut body = vec![0x00, 0x53, 0x14, 0xd0];
    let fields = &frame[body_at + 6..];
    let items = [fields, deep.as_slice()].concat();
    body.extend_from_slice(&((items.len() + 4) as u32).to_be_bytes());
    body.extend_from_slice(&7u32.to_be_bytes());
    body.extend_from_slice(&items);
    frame.truncate(8);
    frame.extend_from_slice(&body);
    let size = (frame.len() as u32).to_be_bytes();
    frame[..4].copy_from_slice(&size);
    let refused = guard
        .inspect(&frame, true)
        .expect_err("an unreadable performative");
    assert_eq!(refused.condition, "amqp:decode-error");
}

//! Any bytes as what a client sends on an AMQP connection, in reads of any size: the ingress
//! limits check them (never panicking, never holding more than a frame), and each whole frame
//! is also rewritten as if the emulator sent it (the padding every outgoing frame gets).
#![no_main]

use ehops_fuzz::amqp::frames::pad_frame;
use ehops_fuzz::amqp::ingress::{IngressGuard, MAX_FRAME_BYTES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&split, bytes)) = data.split_first() else {
        return;
    };
    // The first byte picks the read size (1..=256) and whether the client has a token.
    let read = usize::from(split % 128) + 1;
    let authenticated = split >= 128;
    let mut guard = IngressGuard::new();
    for piece in bytes.chunks(read) {
        if guard.inspect(piece, authenticated).is_err() {
            break;
        }
        let _ = guard.must_wait(authenticated);
    }
    // The same bytes as frames the emulator writes.
    let mut at = 0;
    while at + 8 <= bytes.len() {
        let size =
            u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize;
        if !(8..=MAX_FRAME_BYTES).contains(&size) || at + size > bytes.len() {
            break;
        }
        let frame = &bytes[at..at + size];
        guard.on_outgoing(frame);
        let _ = pad_frame(frame);
        at += size;
    }
});

//! Clients that break the emulator's limits on purpose (issue #16, finding 3 and the channel
//! finding): each loses its own connection, early, and the emulator's memory stays bounded;
//! other clients go on. Raw frames, since no SDK sends these. Part of the hostile-input suite
//! (every `tests/hostile_*.rs`).

mod common;
#[path = "hostile_amqp/raw_client.rs"]
mod raw_client;

use std::io;

use ehops::connect::sas_credential::sign_token;
use fe2o3_amqp_types::definitions::{AmqpError, ErrorCondition};
use fe2o3_amqp_types::performatives::{Attach, Performative};
use raw_client::{PAYLOAD_PER_FRAME, RawClient};

const MB: usize = 1024 * 1024;
/// The most a client may get on the wire before its connection ends: the limit itself plus
/// what the two sockets' buffers hold before the client notices.
const CUT_OFF_BY: usize = 16 * MB;
/// How much the emulator (in this process) may grow while a client streams at it.
const MEMORY_GROWTH_LIMIT: u64 = 128 * MB as u64;

/// This process's resident memory: the emulator runs in it.
fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .expect("VmRSS")
        * 1024
}

/// Streams one delivery of up to `total` bytes on `handle` until the connection fails;
/// returns how many bytes went out before it did, or None when all of them went.
async fn stream_delivery(
    client: &mut RawClient,
    handle: u32,
    delivery_id: u32,
    total: usize,
) -> Option<usize> {
    let chunk = vec![0x5a; PAYLOAD_PER_FRAME];
    let mut sent = 0;
    while sent < total {
        let more = sent + chunk.len() < total;
        if client
            .transfer(handle, delivery_id, &chunk, more)
            .await
            .is_err()
        {
            return Some(sent);
        }
        sent += chunk.len();
    }
    // Everything was written; the emulator may still end the connection on the last bytes.
    loop {
        match client.read_frame_within().await {
            Ok(frame) if matches!(frame.performative, Some(Performative::Close(_))) => {
                return Some(sent);
            }
            Ok(_) => continue,
            Err(error) if error.kind() == io::ErrorKind::TimedOut => return None,
            Err(_) => return Some(sent),
        }
    }
}

/// An emulator of the test's own and a raw client connected to it (no token yet).
async fn connected() -> (common::TestEmulator, RawClient) {
    let emulator = common::start(common::CONFORMANCE).await;
    let client = RawClient::connect(emulator.running.amqp, &emulator.namespace())
        .await
        .expect("connect");
    (emulator, client)
}

/// A Rust SDK client can still send on the emulator.
async fn others_still_served(emulator: &common::TestEmulator) {
    common::send_batch_to(emulator, "single", "0", &["still served".into()]).await;
}

/// Checks that a client streaming a delivery was cut off early (`cut_off`: the bytes it got
/// out) and that the emulator's memory barely grew from `before`; prints both.
fn assert_cut_off_early(what: &str, cut_off: Option<usize>, before: u64) {
    let grown = resident_bytes().saturating_sub(before);
    let sent = cut_off.unwrap_or_else(|| panic!("{what}: the whole delivery was taken"));
    assert!(
        sent < CUT_OFF_BY,
        "{what}: closed only after {} MB",
        sent / MB
    );
    assert!(
        grown < MEMORY_GROWTH_LIMIT,
        "{what}: the emulator grew by {} MB",
        grown / MB as u64
    );
    eprintln!(
        "{what}: closed after {} KB sent; the emulator grew by {} MB",
        sent / 1024,
        grown / MB as u64
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unauthenticated_stream_is_cut_off_early() {
    let (emulator, mut client) = connected().await;
    let before = resident_bytes();
    client.begin(0).await.expect("begin");
    client
        .attach_sender(0, "$cbs")
        .await
        .expect("a sender on $cbs");
    let cut_off = stream_delivery(&mut client, 0, 0, 1000 * MB).await;
    assert_cut_off_early("1000 MB unauthenticated on $cbs", cut_off, before);
    others_still_served(&emulator).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_authenticated_600_mb_event_is_refused_early() {
    let (emulator, mut client) = connected().await;
    let before = resident_bytes();
    client.begin(0).await.expect("begin");
    let audience = format!("amqp://{}/single", emulator.namespace());
    let expires = time::OffsetDateTime::now_utc().unix_timestamp() + 3600;
    let token = sign_token(
        &audience,
        "RootManageSharedAccessKey",
        "conformance-root-key-0000000000000000000000=",
        expires,
    );
    let status = client
        .put_token(&audience, &token)
        .await
        .expect("put-token");
    assert_eq!(status, 202, "the token is accepted");
    client.attach_sender(2, "single").await.expect("a producer");
    let cut_off = stream_delivery(&mut client, 2, 1, 600 * MB).await;
    assert_cut_off_early("a 600 MB event after a valid token", cut_off, before);
    others_still_served(&emulator).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_begin_above_channel_max_ends_the_connection() {
    let (emulator, mut client) = connected().await;
    client
        .send(65_535, Performative::Begin(raw_client::begin()), &[])
        .await
        .expect("begin written");
    loop {
        match client.read_frame_within().await {
            Ok(frame) => match frame.performative {
                Some(Performative::Begin(_)) => panic!("a session on channel 65535 was begun"),
                Some(Performative::Close(close)) => {
                    let error = close.error.expect("the close says why");
                    assert!(error.description.unwrap_or_default().contains("channel"));
                    break;
                }
                _ => continue,
            },
            Err(error) => {
                assert_ne!(error.kind(), io::ErrorKind::TimedOut, "no answer at all");
                break; // the connection ended
            }
        }
    }
    others_still_served(&emulator).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn before_a_token_only_cbs_is_served() {
    let (_emulator, mut client) = connected().await;
    client.begin(0).await.expect("begin");
    let attach = Attach {
        name: "management-request".into(),
        ..raw_client::attach_sender_to(0, "$management")
    };
    client
        .send(0, Performative::Attach(attach), &[])
        .await
        .expect("attach written");
    let refused = loop {
        let frame = client.read_frame_within().await.expect("an answer");
        if let Some(Performative::Detach(detach)) = frame.performative {
            break detach.error.expect("the detach says why");
        }
    };
    assert!(
        matches!(
            refused.condition,
            ErrorCondition::AmqpError(AmqpError::UnauthorizedAccess)
        ),
        "{refused:?}"
    );
}

//! How a consumer link's events reach the socket without fe2o3 encoding them. fe2o3 sends
//! only typed messages, so serving an event meant decoding its stored bytes and encoding them
//! again. Instead the consumer sends a 21-byte stand-in through fe2o3, so the link and session
//! keep their own accounting (delivery ids, credit, windows), and the frame layer
//! (`padding.rs`) puts the event's delivered encoding (`delivered_bytes.rs`) in place of the
//! stand-in's as the transfer goes out.
//!
//! Only an event whose transfer still fits in one frame of the client's max-frame-size is
//! sent this way, so one frame stays one frame; a larger one goes the typed way and fe2o3
//! splits it. A stand-in names a per-connection random nonce and a counter, so nothing a
//! client stores can pass for one.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};

use fe2o3_amqp_types::messaging::{Data, Message};
use serde_amqp::primitives::Binary;

use super::frames::{FRAME_HEADER_LEN, descriptor};

/// A Data section holding 16 bytes: the stand-in's whole encoding, then the nonce and counter.
const PREFIX: [u8; 5] = [0x00, 0x53, 0x75, 0xa0, 0x10];
const STAND_IN_LEN: usize = PREFIX.len() + 16;
const TRANSFER: u64 = 0x14;
/// Room beside the payload for a transfer's frame header and performative, every field
/// listed (`frames.rs`): ample for the handle, delivery id, tag and format fe2o3 writes.
const TRANSFER_ROOM: usize = 128;

/// One connection's stand-ins on their way to the socket.
pub struct StandIns {
    nonce: [u8; 8],
    next: AtomicU64,
    waiting: Mutex<HashMap<u64, Vec<u8>>>,
    /// The client's max-frame-size from its Open; 0 until it is known.
    client_max_frame: AtomicU32,
}

impl Default for StandIns {
    fn default() -> Self {
        StandIns {
            nonce: fastrand::u64(..).to_be_bytes(),
            next: AtomicU64::new(0),
            waiting: Mutex::new(HashMap::new()),
            client_max_frame: AtomicU32::new(0),
        }
    }
}

impl StandIns {
    /// The client's Open said how large a frame it takes.
    pub fn learn_client_max_frame(&self, size: u32) {
        self.client_max_frame.store(size, Ordering::Relaxed);
    }

    /// A stand-in for the message encoded as `delivered`, or `delivered` back when its
    /// transfer would not fit in one frame.
    pub fn stand_in(&self, delivered: Vec<u8>) -> Result<Message<Data>, Vec<u8>> {
        let max = self.client_max_frame.load(Ordering::Relaxed) as usize;
        if delivered.len() + TRANSFER_ROOM > max {
            return Err(delivered);
        }
        let counter = self.next.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(counter, delivered);
        let mut token = self.nonce.to_vec();
        token.extend_from_slice(&counter.to_be_bytes());
        Ok(Message::builder().data(Binary::from(token)).build())
    }

    /// Puts the message a stand-in stands for into `frame`, if `frame` is a transfer whose
    /// payload is one of this connection's stand-ins.
    pub fn swap_in(&self, frame: &mut Vec<u8>) {
        let Some(at) = frame.len().checked_sub(STAND_IN_LEN) else {
            return;
        };
        let tail = &frame[at..];
        if tail[..PREFIX.len()] != PREFIX || tail[PREFIX.len()..PREFIX.len() + 8] != self.nonce {
            return;
        }
        let doff = usize::from(frame[4]) * 4;
        if at < FRAME_HEADER_LEN
            || doff > at
            || descriptor(&frame[doff..]).map(|(code, _)| code) != Some(TRANSFER)
        {
            return;
        }
        let mut counter = [0u8; 8];
        counter.copy_from_slice(&tail[PREFIX.len() + 8..]);
        let Some(delivered) = self.lock().remove(&u64::from_be_bytes(counter)) else {
            tracing::error!("a stand-in went out with no event behind it");
            return;
        };
        let mut spliced = Vec::with_capacity(at + delivered.len());
        spliced.extend_from_slice(&frame[..at]);
        spliced.extend_from_slice(&delivered);
        let size = spliced.len() as u32;
        spliced[..4].copy_from_slice(&size.to_be_bytes());
        *frame = spliced;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<u64, Vec<u8>>> {
        // Only whole inserts and removes happen under the lock: a panic leaves it usable.
        self.waiting
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::amqp::message::encode;
    use crate::emulator::amqp::padding::tests::frame;

    /// A transfer (handle 0, delivery id 0, a 4-byte tag) carrying `payload`.
    fn transfer(payload: &[u8]) -> Vec<u8> {
        let mut body = vec![
            0x00, 0x53, 0x14, 0xc0, 0x0a, 0x04, 0x43, 0x43, 0xa0, 0x04, 1, 2, 3, 4, 0x43,
        ];
        body.extend_from_slice(payload);
        frame(&body)
    }

    #[test]
    fn a_stand_in_is_replaced_by_its_event_and_the_frame_resized() {
        let stand_ins = StandIns::default();
        stand_ins.learn_client_max_frame(65_536);
        let event = b"\x00\x53\x75\xa0\x05hello".to_vec();
        let message = stand_ins.stand_in(event.clone()).expect("fits");
        let stand_in = serde_amqp::to_vec(
            &fe2o3_amqp_types::messaging::message::__private::Serializable(&message),
        )
        .expect("encodable");
        assert_eq!(stand_in.len(), STAND_IN_LEN);
        let mut sent = transfer(&stand_in);
        stand_ins.swap_in(&mut sent);
        assert_eq!(sent, transfer(&event));
        // Once only: the same stand-in again has nothing behind it and is left alone.
        let mut again = transfer(&stand_in);
        stand_ins.swap_in(&mut again);
        assert_eq!(again, transfer(&stand_in));
    }

    #[test]
    fn events_whose_frame_would_not_fit_and_strangers_stand_ins_are_left_alone() {
        let stand_ins = StandIns::default();
        assert!(stand_ins.stand_in(vec![0; 10]).is_err(), "before the Open");
        stand_ins.learn_client_max_frame(512);
        assert!(stand_ins.stand_in(vec![0; 512 - TRANSFER_ROOM]).is_ok());
        assert!(stand_ins.stand_in(vec![0; 513 - TRANSFER_ROOM]).is_err());
        // Another connection's stand-in (another nonce) is not this one's to replace.
        let other = StandIns::default();
        other.learn_client_max_frame(512);
        let message = other.stand_in(vec![1; 8]).expect("fits");
        let bytes = encode(&message.map_body(|data| {
            fe2o3_amqp_types::messaging::Body::Data(fe2o3_amqp_types::messaging::Batch::new(vec![
                data,
            ]))
        }))
        .expect("encodable");
        let mut sent = transfer(&bytes);
        stand_ins.swap_in(&mut sent);
        assert_eq!(sent, transfer(&bytes));
    }
}

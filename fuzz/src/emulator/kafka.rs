//! The Kafka endpoint's request decoding: frames and produce record batches, from the main
//! crate's own files (the endpoint's handlers need the whole store and stay out).

#[path = "../../../src/emulator/kafka/codec.rs"]
pub mod codec;
#[path = "../../../src/emulator/kafka/records.rs"]
pub mod records;
#[path = "../../../src/emulator/kafka/versions.rs"]
mod versions;
#[path = "../../../src/emulator/kafka/length_guard.rs"]
mod length_guard;

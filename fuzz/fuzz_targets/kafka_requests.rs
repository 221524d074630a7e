//! Any bytes as one Kafka request frame (after its size prefix), decoded as the emulator's
//! Kafka endpoint decodes it: a frame either decodes, is answered as unsupported, or is an
//! error that closes the connection; nothing panics or aborts. Decoded produce requests have
//! their record batches decoded too, as the endpoint does before storing them, and every
//! decodable request's answer for an unsupported API encodes.
#![no_main]

use bytes::Bytes;
use ehops_fuzz::emulator::kafka::codec::{Decoded, decode_request, encode_unsupported};
use ehops_fuzz::emulator::kafka::records;
use kafka_protocol::messages::RequestKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match decode_request(Bytes::copy_from_slice(data)) {
        Ok(Decoded::Request { request, .. }) => {
            if let RequestKind::Produce(produce) = *request {
                for topic in produce.topic_data {
                    for partition in topic.partition_data {
                        let _ = records::decode(partition.records.unwrap_or_default());
                    }
                }
            }
        }
        Ok(Decoded::Unsupported { correlation_id, .. }) => {
            assert!(encode_unsupported(correlation_id).is_ok());
        }
        Err(_) => {}
    }
});

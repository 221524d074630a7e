//! Conformance of the emulator's Kafka endpoint with real Kafka clients, no mocks:
//! confluent-kafka (librdkafka 2.x) and kafka-python in `tests/sdk/python/kafka/` (with
//! Microsoft's azure-eventhub for the AMQP side of the round trips, and a kill -9 of the
//! emulator), kafkajs in `tests/sdk/kafkajs/`. Each test inside starts its own emulator on
//! free ports with a temporary data dir.

mod common;

use std::path::Path;

use common::suite::{pytest, run_suite};

#[test]
fn python_kafka_clients() {
    pytest("kafka");
}

#[test]
fn kafkajs() {
    run_suite(
        "kafkajs",
        Path::new("node"),
        &[
            "--test",
            "--test-force-exit",
            "--test-reporter=spec",
            "tests/sdk/kafkajs/",
        ],
    );
}

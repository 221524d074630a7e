"""`ehops deadletter --kafka-group`: dead-letter and checkpoint-on-error for a Kafka consumer
group, by committing past the poison event. A confluent-kafka consumer processed offsets 0
and 1 of `single`, committed 2 and stopped on the event at offset 2 (not JSON); after the
action it resumes at offset 3, and the dead-letter hub holds the poison event once."""

import json

import pytest
from confluent_kafka import Consumer, TopicPartition

from ehkafka import consume, consumer_conf, ehops, produce, read_as_group
from ehtest import Emulator

POISON = b"not json {"

# ehops reads events (here: the poison event, and the dead-letter hub for an earlier copy)
# with its own AMQP consumer group, `ehops`, which the conformance hubs do not have.
CONFIG = """
[[namespace]]
name = "conformance"

[[namespace.rule]]
name = "RootManageSharedAccessKey"
key = "conformance-root-key-0000000000000000000000="
rights = ["Listen", "Send", "Manage"]

[[namespace.hub]]
name = "single"
partitions = 1
retention = "24h"
consumer_groups = ["ehops"]

[[namespace.hub]]
name = "payments"
partitions = 2
retention = "24h"
consumer_groups = ["ehops"]
"""


@pytest.fixture
def emulator(tmp_path):
    config = tmp_path / "deadletter.toml"
    config.write_text(CONFIG)
    emu = Emulator.start(tmp_path / "emulator", config=config)
    try:
        yield emu
    finally:
        emu.stop()


def _stuck_on_poison(emulator, group):
    events = [b'{"n": 0}', b'{"n": 1}', POISON, b'{"n": 3}', b'{"n": 4}']
    produce(emulator, "single", [(None, value, None, 0) for value in events])
    consumer = Consumer(consumer_conf(emulator, group))
    consumer.assign([TopicPartition("single", 0, 0)])
    try:
        consumer.commit(offsets=[TopicPartition("single", 0, 2)], asynchronous=False)
    finally:
        consumer.close()


def _deadletter(emulator, tmp_path, group, *extra):
    return ehops(emulator, tmp_path, "deadletter", "single", "--partition", "0",
                 "--kafka-group", group, "--reason", "value is not JSON", *extra)


def _dead_letter_hub_values(emulator, group):
    consumer = Consumer(consumer_conf(emulator, group))
    consumer.subscribe(["payments"])
    try:
        # Everything there, and then some time for a second copy to show if there were one.
        return [m.value() for m in consume(consumer, 2, timeout=8)]
    finally:
        consumer.close()


def test_dead_letter_copies_the_poison_event_once_and_the_consumer_resumes_after_it(
        emulator, tmp_path):
    _stuck_on_poison(emulator, "stuck")

    dry = _deadletter(emulator, tmp_path, "stuck", "--dead-letter-hub", "payments")
    assert dry.returncode == 0, dry.stderr
    assert "checkpoint: stuck (kafka) next 2 -> 3" in dry.stdout, dry.stdout
    assert "kafka group stuck: Empty, 0 member(s)" in dry.stdout, dry.stdout
    assert "dry run: nothing changed" in dry.stdout

    done = _deadletter(emulator, tmp_path, "stuck", "--dead-letter-hub", "payments", "--execute")
    assert done.returncode == 0, done.stderr
    assert "copied to payments; next event 3" in done.stdout, done.stdout
    # The same event again (as after a crash, or by a second person): the group is past it
    # and the copy is found by its provenance.
    again = _deadletter(emulator, tmp_path, "stuck", "--dead-letter-hub", "payments",
                        "--sequence", "2", "--execute")
    assert again.returncode == 0, again.stderr
    assert "already in payments" in again.stdout, again.stdout

    resumed = read_as_group(emulator, "stuck", "single", 1)
    assert [(m.offset(), m.value()) for m in resumed] == [(3, b'{"n": 3}')]
    assert _dead_letter_hub_values(emulator, "dlq-reader") == [POISON]

    audit = [json.loads(line) for line in
             (tmp_path / "console" / "audit.jsonl").read_text().splitlines()]
    executed = [r for r in audit if r.get("action") == "dead-letter"]
    assert executed and executed[0]["consumer_group"] == "stuck (kafka)", executed
    assert executed[0]["detail"] == "value is not JSON"


def test_checkpoint_on_error_waits_for_the_members_to_leave_then_commits_past(emulator, tmp_path):
    _stuck_on_poison(emulator, "skipper")
    member = Consumer(consumer_conf(emulator, "skipper", **{"client.id": "still-here"}))
    member.subscribe(["single"])
    try:
        assert consume(member, 1), "the member joined and read"
        blocked = _deadletter(emulator, tmp_path, "skipper", "--checkpoint-only", "--execute")
    finally:
        member.close()
    assert blocked.returncode != 0, blocked.stdout
    assert "cannot execute now" in blocked.stdout and "still-here" in blocked.stdout
    assert "no members" in blocked.stderr, blocked.stderr

    done = _deadletter(emulator, tmp_path, "skipper", "--checkpoint-only", "--execute")
    assert done.returncode == 0, done.stderr
    assert "no copy (checkpoint-on-error); next event 3" in done.stdout, done.stdout
    resumed = read_as_group(emulator, "skipper", "single", 1)
    assert [m.offset() for m in resumed] == [3]
    assert _dead_letter_hub_values(emulator, "dlq-reader") == []

"""`ehops lag` and `ehops reset` on Kafka consumer groups, against what confluent-kafka
commits and reads: lag shows exactly the committed offsets; after a reset of an empty group,
a consumer resumes exactly at the position set."""

import json

from confluent_kafka import Consumer, TopicPartition

from ehkafka import WAIT_S, consume, consumer_conf, ehops, produce


def kafka_lines(run):
    assert run.returncode == 0, f"exit {run.returncode}: {run.stderr}"
    lines = [json.loads(line) for line in run.stdout.splitlines() if line.strip()]
    return [line for line in lines if line.get("protocol") == "kafka"]


def test_lag_shows_exactly_what_confluent_kafka_committed(emulator, tmp_path):
    produce(emulator, "orders", [(None, b"e", None, p) for p in (0, 0, 0, 1, 1, 2) ])
    consumer = Consumer(consumer_conf(emulator, "billing-kafka"))
    consumer.assign([TopicPartition("orders", 0, 0), TopicPartition("orders", 1, 0)])
    try:
        consumer.commit(offsets=[TopicPartition("orders", 0, 2), TopicPartition("orders", 1, 1)],
                        asynchronous=False)
    finally:
        consumer.close()

    lines = kafka_lines(ehops(emulator, tmp_path, "lag", "orders", "--json"))
    committed = {l["partition"]: l["committed_offset"] for l in lines
                 if l["consumer_group"] == "billing-kafka"}
    assert committed == {"0": 2, "1": 1, "2": None, "3": None}, lines
    behind = {l["partition"]: l["events_behind"] for l in lines
              if l["consumer_group"] == "billing-kafka"}
    assert behind["0"] == 1 and behind["1"] == 1 and behind["2"] == 1
    assert {l["state"] for l in lines} == {"Empty"}


def test_lag_shows_a_live_group_with_its_members(emulator, tmp_path):
    produce(emulator, "single", [(None, b"e%d" % i, None, None) for i in range(3)])
    consumer = Consumer(consumer_conf(emulator, "live", **{"client.id": "live-client"}))
    consumer.subscribe(["single"])
    try:
        assert len(consume(consumer, 3)) == 3
        consumer.commit(asynchronous=False)
        lines = kafka_lines(ehops(emulator, tmp_path, "lag", "single", "--json",
                                  "--kafka-group", "live"))
    finally:
        consumer.close()
    assert len(lines) == 1, lines
    line = lines[0]
    assert (line["state"], line["committed_offset"], line["events_behind"]) == ("Stable", 3, 0)
    assert line["members"][0]["client_id"] == "live-client"
    assert line["members"][0]["partitions"] == [["single", 0]]
    assert line["owner"].startswith("live-client")
    assert line["status"] == "ok"


def test_reset_of_an_empty_group_is_where_confluent_kafka_resumes(emulator, tmp_path):
    produce(emulator, "single", [(None, b"e%d" % i, None, None) for i in range(10)])
    first = Consumer(consumer_conf(emulator, "rewind"))
    first.subscribe(["single"])
    try:
        assert len(consume(first, 10)) == 10
        first.commit(offsets=[TopicPartition("single", 0, 8)], asynchronous=False)
        # While a member is in the group, the dry run says Kafka will not take the offsets,
        # and executing is refused.
        dry = ehops(emulator, tmp_path, "reset", "single", "--kafka-group", "rewind",
                    "--to", "seq:3", "--json")
        assert dry.returncode == 0, dry.stderr
        plan = json.loads(dry.stdout.splitlines()[0])
        assert plan["blocked"] and "no members" in plan["blocked"], plan
        assert [(p["current_next"], p["new_next"]) for p in plan["partitions"]] == [(8, 3)]
        refused = ehops(emulator, tmp_path, "reset", "single", "--kafka-group", "rewind",
                        "--to", "seq:3", "--execute", "--confirm", "rewind")
        assert refused.returncode == 2, refused.stdout + refused.stderr
    finally:
        first.close()

    done = ehops(emulator, tmp_path, "reset", "single", "--kafka-group", "rewind",
                 "--to", "seq:3", "--execute", "--confirm", "rewind")
    assert done.returncode == 0, done.stdout + done.stderr
    audit = (tmp_path / "console" / "audit.jsonl").read_text()
    assert "rewind (kafka)" in audit

    second = Consumer(consumer_conf(emulator, "rewind"))
    second.subscribe(["single"])
    try:
        got = consume(second, 7)
    finally:
        second.close()
    assert [m.offset() for m in got] == [3, 4, 5, 6, 7, 8, 9]


def test_reset_to_earliest_and_latest(emulator, tmp_path):
    produce(emulator, "single", [(None, b"e%d" % i, None, None) for i in range(4)])
    for position, expected in (("latest", 4), ("earliest", 0)):
        run = ehops(emulator, tmp_path, "reset", "single", "--kafka-group", "ends",
                    "--to", position, "--execute", "--confirm", "ends")
        assert run.returncode == 0, run.stdout + run.stderr
        lines = kafka_lines(ehops(emulator, tmp_path, "lag", "single", "--json",
                                  "--kafka-group", "ends"))
        assert [l["committed_offset"] for l in lines] == [expected]

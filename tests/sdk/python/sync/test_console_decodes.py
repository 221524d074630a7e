"""What the console makes of events others produce: an Avro record encoded by Microsoft's
azure-schemaregistry-avroencoder against the emulator's registry, and CloudEvents in AMQP binary
and structured mode from the CloudEvents SDK's own AMQP binding, all sent with azure-eventhub and
read back by the real `ehops tail --json`, which must show every field and attribute."""

import datetime
import json
import subprocess

from azure.eventhub import EventData
from azure.schemaregistry.encoder.avroencoder import AvroEncoder
from cloudevents.core.bindings import amqp
from cloudevents.core.v1.event import CloudEvent

from ehregistry import registry_client
from ehsync import producer
from ehtest import ROOT, ehops_bin

SCHEMA = (ROOT / "schemas" / "contact_purchased.avsc").read_text()
RECORD = {"contactId": "c-7", "orderId": "o-42", "productId": "p-3", "amount": 99.5,
          "currency": "GBP",
          "purchasedAt": datetime.datetime(2026, 11, 27, 1, 0, tzinfo=datetime.timezone.utc)}
TAIL_TIMEOUT_S = 90


def tail_json(emulator, tmp_path, hub: str, partition: str, count: int) -> list[dict]:
    argv = [str(ehops_bin()), "tail", hub, "--partition", partition, "--from", "earliest",
            "--count", str(count), "--timeout", "60", "--json", "--consumer-group", "$Default",
            "--connection-string", emulator.conn(), "--catalog", f"http://{emulator.http}",
            "--data", str(tmp_path / "console")]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=TAIL_TIMEOUT_S)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == count, done.stdout
    return lines


def event_from(message: amqp.AMQPMessage) -> EventData:
    """The SDK's AMQP message as an azure-eventhub event. The binding gives Timestamp attributes
    as milliseconds, for the AMQP library to type as `timestamp`; azure-eventhub types an int as
    `int` (and refuses one that large), so a datetime is handed over, which it encodes as an AMQP
    timestamp."""
    event = EventData(message.application_data)
    event.content_type = message.properties.get("content-type")
    event.properties = {
        name: (datetime.datetime.fromtimestamp(value / 1000, datetime.timezone.utc)
               if name == "cloudEvents_time" and isinstance(value, int) else value)
        for name, value in message.application_properties.items()}
    return event


def test_avro_encoder_records_decode_field_for_field(emulator, tmp_path):
    with registry_client(emulator) as client:
        encoder = AvroEncoder(client=client, group_name="conformance-free", auto_register=True)
        event = encoder.encode(RECORD, schema=SCHEMA, message_type=EventData)
    with producer(emulator.conn(), "orders") as prod:
        prod.send_event(event, partition_id="1")

    [line] = tail_json(emulator, tmp_path, "orders", "1", 1)
    decoded = line["decoded"]
    assert decoded["framing"] == "azure_content_type"
    assert decoded["schema_id"] == event.content_type.split("+", 1)[1]
    assert decoded["schema"] == "com.example.customer.ContactPurchased"
    assert decoded["error"] is None
    data = decoded["data"]
    for field in ("contactId", "orderId", "productId", "amount", "currency"):
        assert data[field] == RECORD[field], field
    # timestamp-millis: the console shows the underlying long.
    assert data["purchasedAt"] == int(RECORD["purchasedAt"].timestamp() * 1000)
    # Microsoft's encoder writes no CloudEvents attributes: the console says so.
    assert any(v["rule"] == "cloudevent" for v in decoded["violations"])


def test_cloudevents_sdk_binary_and_structured_events_show_their_attributes(emulator, tmp_path):
    attributes = {"type": "com.example.customer.contact.activated", "source": "/teams/customer/crm",
                  "subject": "contact-17", "datacontenttype": "application/json"}
    binary = CloudEvent(attributes={**attributes, "id": "ce-binary-1"}, data={"contactId": "c-17"})
    structured = CloudEvent(attributes={**attributes, "id": "ce-structured-1"},
                            data={"contactId": "c-18"})
    with producer(emulator.conn(), "orders") as prod:
        prod.send_event(event_from(amqp.to_binary_event(binary)), partition_id="2")
        prod.send_event(event_from(amqp.to_structured_event(structured)), partition_id="2")

    lines = tail_json(emulator, tmp_path, "orders", "2", 2)
    modes = {}
    for line in lines:
        cloudevent = line["decoded"]["cloudevent"]
        assert cloudevent is not None, line
        modes[cloudevent["mode"]] = cloudevent["attributes"]
        assert line["decoded"]["error"] is None, line
    assert set(modes) == {"binary", "structured"}
    for mode, want_id in (("binary", "ce-binary-1"), ("structured", "ce-structured-1")):
        got = modes[mode]
        assert got["id"] == want_id
        for name in ("type", "source", "subject"):
            assert got[name] == attributes[name], (mode, name)
        assert got["specversion"] == "1.0"
    assert lines[0]["decoded"]["data"] == {"contactId": "c-17"}
    assert lines[1]["decoded"]["data"] == {"contactId": "c-18"}

"""Microsoft's azure-schemaregistry and azure-schemaregistry-avroencoder against the emulator's
registry: register, read back by id and by version, list versions, a Backward group refusing a
version that breaks it (naming the field), and an Avro-encoded event sent through a hub and
decoded back through the registry."""

import datetime

import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceNotFoundError
from azure.eventhub import EventData
from azure.schemaregistry import SchemaFormat
from azure.schemaregistry.encoder.avroencoder import AvroEncoder

from ehregistry import registry_client
from ehsync import producer, receive_all
from ehtest import ROOT

V1 = (ROOT / "schemas" / "contact_purchased.avsc").read_text()
V2 = (ROOT / "schemas" / "contact_purchased.v2.avsc").read_text()
NAME = "com.example.customer.ContactPurchased"
BACKWARD = "conformance-backward"
FREE = "conformance-free"
RECORD = {"contactId": "c-1", "orderId": "o-9", "productId": "p-3", "amount": 12.5,
          "currency": "EUR",
          "purchasedAt": datetime.datetime(2026, 11, 27, 0, 30, tzinfo=datetime.timezone.utc)}


def with_required_field(text: str) -> str:
    return text.replace('"fields": [', '"fields": [\n    {"name": "region", "type": "string"},', 1)


def test_register_read_back_and_list_versions(emulator):
    with registry_client(emulator) as client:
        first = client.register_schema(BACKWARD, NAME, V1, "Avro")
        assert (first.group_name, first.name, first.version) == (BACKWARD, NAME, 1)
        assert len(first.id) == 32
        assert client.register_schema(BACKWARD, NAME, V1, "Avro").id == first.id
        second = client.register_schema(BACKWARD, NAME, V2, "Avro")
        assert second.version == 2 and second.id != first.id

        by_id = client.get_schema(first.id)
        assert by_id.definition == V1
        assert by_id.properties.format == SchemaFormat.AVRO
        assert by_id.properties.version == 1
        by_version = client.get_schema(group_name=BACKWARD, name=NAME, version=2)
        assert by_version.definition == V2
        assert client.get_schema_properties(BACKWARD, NAME, V2, "Avro").id == second.id

        # The generated operation behind the client (1.3.0 has no public wrapper) reads
        # `Value` and `NextLink` of the list body.
        versions = list(client._generated_client.list_schema_versions(BACKWARD, NAME))
        assert versions == [1, 2]
        assert BACKWARD in list(client._generated_client.list_schema_groups())


def test_backward_group_refuses_a_version_that_breaks_it_naming_the_field(emulator):
    with registry_client(emulator) as client:
        client.register_schema(BACKWARD, NAME, V1, "Avro")
        with pytest.raises(HttpResponseError) as refused:
            client.register_schema(BACKWARD, NAME, with_required_field(V1), "Avro")
        assert refused.value.status_code == 400
        assert refused.value.error.code == "InvalidSchema"
        assert "'region'" in str(refused.value)
        # Where nothing is enforced the same version is accepted.
        client.register_schema(FREE, NAME, V1, "Avro")
        assert client.register_schema(FREE, NAME, with_required_field(V1), "Avro").version == 2


def test_errors_map_to_the_sdk_exceptions(emulator):
    with registry_client(emulator) as client:
        with pytest.raises(ResourceNotFoundError):
            client.get_schema("0" * 32)
    with registry_client(emulator, key="bm90LXRoZS1rZXk=") as wrong:
        with pytest.raises(ClientAuthenticationError):
            wrong.get_schema("0" * 32)


def test_avro_encoder_round_trip_through_a_hub(emulator):
    with registry_client(emulator) as client:
        encoder = AvroEncoder(client=client, group_name=FREE, auto_register=True)
        event = encoder.encode(RECORD, schema=V1, message_type=EventData)
        registered = client.get_schema_properties(FREE, NAME, V1, "Avro")
        assert event.content_type == f"avro/binary+{registered.id}"
        with producer(emulator.conn(), "orders") as prod:
            prod.send_event(event, partition_id="0")

    received = receive_all(emulator.conn(), "orders", 1, partition_id="0")
    assert len(received) == 1
    _, got = received[0]
    assert got.content_type == event.content_type
    # A fresh client and encoder: the schema comes from the registry by id, not a cache.
    with registry_client(emulator) as client:
        decoded = AvroEncoder(client=client).decode(got)
    assert decoded == RECORD

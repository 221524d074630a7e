"""SASL OAUTHBEARER on the emulator's Kafka endpoint, with confluent-kafka (librdkafka) as the
client and its token callback. Azure takes an Entra ID token there (scope
`https://{namespace}.servicebus.windows.net/.default`); the emulator takes what its AMQP
`$cbs` takes, a SharedAccessSignature token, checked the same way: a token signed with the
rule's key produces and consumes, a wrong key or a token of another kind is refused with
the reason, never a hang."""

import base64
import hashlib
import hmac
import time
import urllib.parse

from confluent_kafka import Consumer, KafkaError, Producer

from ehkafka import WAIT_S, consume

ROOT = "RootManageSharedAccessKey"


def sas_token(resource: str, key_name: str, key: str, ttl_s: int = 3600) -> tuple[str, float]:
    """A SAS token as every Event Hubs SDK signs one, and when it expires."""
    expiry = int(time.time()) + ttl_s
    encoded = urllib.parse.quote(resource, safe="")
    signature = base64.b64encode(
        hmac.new(key.encode(), f"{encoded}\n{expiry}".encode(), hashlib.sha256).digest())
    token = (f"SharedAccessSignature sr={encoded}&sig={urllib.parse.quote(signature, safe='')}"
             f"&se={expiry}&skn={urllib.parse.quote(key_name, safe='')}")
    return token, float(expiry)


def bearer_conf(emulator, token_of, **extra) -> dict:
    conf = {
        "bootstrap.servers": emulator.kafka,
        "security.protocol": "SASL_PLAINTEXT",
        "sasl.mechanisms": "OAUTHBEARER",
        # librdkafka asks for a token (and again before it expires) through this callback.
        "oauth_cb": lambda _config: token_of(),
        "socket.timeout.ms": 10000,
        "message.timeout.ms": 15000,
    }
    conf.update(extra)
    return conf


def root_token(emulator):
    key = emulator.rules[ROOT]["key"]
    return lambda: sas_token("sb://conformance.servicebus.windows.net/", ROOT, key)


def test_a_sas_token_as_bearer_produces_and_consumes(emulator):
    producer = Producer(bearer_conf(emulator, root_token(emulator)))
    reports = []
    for i in range(3):
        producer.produce("single", value=b"bearer-%d" % i, partition=0,
                         on_delivery=lambda e, m: reports.append((e, m.offset())))
    assert producer.flush(WAIT_S) == 0
    assert reports == [(None, 0), (None, 1), (None, 2)]

    consumer = Consumer(bearer_conf(emulator, root_token(emulator), **{
        "group.id": "bearer", "auto.offset.reset": "earliest"}))
    consumer.subscribe(["single"])
    try:
        got = consume(consumer, 3)
    finally:
        consumer.close()
    assert [m.value() for m in got] == [b"bearer-%d" % i for i in range(3)]


def _refusal(emulator, token_of) -> KafkaError:
    errors = []
    producer = Producer(bearer_conf(emulator, token_of,
                                    error_cb=lambda e: errors.append(e)))
    producer.produce("single", value=b"refused", partition=0)
    deadline = time.monotonic() + WAIT_S
    while not any(e.code() == KafkaError._AUTHENTICATION for e in errors):
        assert time.monotonic() < deadline, f"no authentication error within {WAIT_S}s: {errors}"
        producer.poll(0.2)
    return next(e for e in errors if e.code() == KafkaError._AUTHENTICATION)


def test_a_token_signed_with_a_wrong_key_is_refused_with_the_reason(emulator):
    wrong = lambda: sas_token("sb://conformance.servicebus.windows.net/", ROOT,  # noqa: E731
                              "d3Jvbmcta2V5LWZvci10ZXN0cw==")
    assert "Authentication failed" in _refusal(emulator, wrong).str()


def test_an_entra_style_token_is_refused_naming_what_the_emulator_takes(emulator):
    jwt = lambda: ("eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2V2ZW50aHVicy5henVyZS5uZXQifQ.c2ln",  # noqa: E731
                   time.time() + 3600)
    assert "SharedAccessSignature" in _refusal(emulator, jwt).str()

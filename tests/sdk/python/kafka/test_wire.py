"""The endpoint's wire behaviour on requests no client library sends: an unknown API is
answered with UNSUPPORTED_VERSION and the connection stays usable; a malformed, truncated or
oversized frame closes that connection only, and the emulator goes on serving Kafka clients."""

import socket
import struct

from ehkafka import produce, read_as_group

API_VERSIONS = 18
UNSUPPORTED_VERSION = 35


def _connect(emulator):
    host, port = emulator.kafka.rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=10)


def _request(sock, api_key, version, correlation, body=b"", client=b"wire-test"):
    header = struct.pack(">hhih", api_key, version, correlation, len(client)) + client
    frame = header + body
    sock.sendall(struct.pack(">i", len(frame)) + frame)


def _response(sock):
    size = struct.unpack(">i", _read(sock, 4))[0]
    return _read(sock, size)


def _read(sock, n):
    out = b""
    while len(out) < n:
        chunk = sock.recv(n - len(out))
        if not chunk:
            raise ConnectionError("closed")
        out += chunk
    return out


def test_an_unknown_api_is_refused_and_the_connection_stays_usable(emulator):
    with _connect(emulator) as sock:
        _request(sock, 999, 0, 7)
        answer = _response(sock)
        assert struct.unpack(">ih", answer[:6]) == (7, UNSUPPORTED_VERSION)
        _request(sock, API_VERSIONS, 0, 8)
        answer = _response(sock)
        correlation, error, count = struct.unpack(">ihi", answer[:10])
        assert (correlation, error) == (8, 0) and count >= 17


def test_a_newer_api_versions_is_answered_in_v0_with_the_error(emulator):
    with _connect(emulator) as sock:
        _request(sock, API_VERSIONS, 99, 3)
        correlation, error, count = struct.unpack(">ihi", _response(sock)[:10])
        assert (correlation, error) == (3, UNSUPPORTED_VERSION) and count >= 17


def _header(api_key, version, correlation=1, client=b"wire-test", flexible=False):
    """A request header; flexible (v2) headers end with an empty tagged-field section."""
    header = struct.pack(">hhih", api_key, version, correlation, len(client)) + client
    return header + (b"\x00" if flexible else b"")


def _string(text: bytes) -> bytes:
    return struct.pack(">h", len(text)) + text


# Frames a hostile or broken client could send, each as (name, bytes on the wire). The array
# lengths are what made the `kafka-protocol` crate reserve hundreds of gigabytes before it read
# an element, which aborted the whole emulator (docs/kafka.md, section 7).
_HOSTILE = [
    ("metadata v1, topic array claiming 2^31-1 entries",
     _header(3, 1) + struct.pack(">i", 2**31 - 1)),
    ("metadata v9, compact topic array claiming 2^32-2 entries",
     _header(3, 9, flexible=True) + bytes([0xFF, 0xFF, 0xFF, 0xFF, 0x0F])),
    ("join group v0, protocol array claiming 2^31-1 entries",
     _header(11, 0) + _string(b"g") + struct.pack(">i", 30000) + _string(b"") + _string(b"consumer")
     + struct.pack(">i", 2**31 - 1)),
    ("fetch v12, tagged-field count claiming 2^32-1 fields",
     _header(1, 12, flexible=True) + struct.pack(">iiiibii", -1, 500, 1, 52428800, 0, 0, -1)
     + bytes([0x01, 0x01, 0x01]) + bytes([0xFF, 0xFF, 0xFF, 0xFF, 0x0F])),
    ("a frame shorter than a request header", b"\x00\x03\x00"),
]


def _framed(body: bytes) -> bytes:
    return struct.pack(">i", len(body)) + body


def _closed_by_emulator(sock) -> bool:
    sock.settimeout(10)
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True


def test_hostile_frames_close_their_connection_and_the_emulator_serves_on(emulator):
    for name, body in _HOSTILE:
        with _connect(emulator) as bad:
            bad.sendall(_framed(body))
            assert _closed_by_emulator(bad), name
    with _connect(emulator) as huge:
        huge.sendall(struct.pack(">i", 2**31 - 1) + b"\x00" * 64)
        assert _closed_by_emulator(huge), "a size prefix of 2 GiB"
    with _connect(emulator) as negative:
        negative.sendall(struct.pack(">i", -5))
        assert _closed_by_emulator(negative), "a negative size prefix"
    with _connect(emulator) as truncated:
        # The size prefix promises 100 bytes; 10 arrive, then the client stops sending.
        truncated.sendall(struct.pack(">i", 100) + _header(18, 0)[:10])
        truncated.shutdown(socket.SHUT_WR)
        assert _closed_by_emulator(truncated), "a truncated frame"
    with _connect(emulator) as unknown:
        _request(unknown, 999, 0, 7)
        assert struct.unpack(">ih", _response(unknown)[:6]) == (7, UNSUPPORTED_VERSION)

    assert emulator.running(), emulator.log_tail()
    records = [(b"k%d" % i, b"after-%d" % i, None, 0) for i in range(3)]
    assert [(e, o) for e, _, o in produce(emulator, "single", records)] == [(None, i) for i in range(3)]
    got = read_as_group(emulator, "after-hostile-frames", "single", 3)
    assert [m.value() for m in got] == [b"after-%d" % i for i in range(3)]


def test_a_request_before_sasl_closes_the_connection(emulator):
    with _connect(emulator) as sock:
        _request(sock, 3, 1, 1, body=struct.pack(">i", -1))
        sock.settimeout(10)
        assert sock.recv(1) == b""

"""The endpoint's wire behaviour on requests no client library sends: an unknown API is
answered with UNSUPPORTED_VERSION and the connection stays usable; a malformed frame closes
that connection only."""

import socket
import struct

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


def test_a_malformed_frame_closes_only_its_connection(emulator):
    with _connect(emulator) as bad:
        # A Metadata v1 request whose topic array claims more entries than the frame holds.
        _request(bad, 3, 1, 1, body=struct.pack(">i", 1_000_000))
        bad.settimeout(10)
        assert bad.recv(1) == b""
    with _connect(emulator) as good:
        _request(good, API_VERSIONS, 0, 2)
        assert struct.unpack(">ih", _response(good)[:6]) == (2, 0)


def test_a_request_before_sasl_closes_the_connection(emulator):
    with _connect(emulator) as sock:
        _request(sock, 3, 1, 1, body=struct.pack(">i", -1))
        sock.settimeout(10)
        assert sock.recv(1) == b""

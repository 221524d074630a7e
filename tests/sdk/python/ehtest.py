"""Processes the conformance tests run against: the ehops emulator and Azurite.

Paths are derived from this file's location (tests/sdk/python), never from the machine.
"""

import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CONFIG = ROOT / "tests" / "fixtures" / "conformance.toml"
NODE_BIN = ROOT / "target" / "test-env" / "node" / "node_modules" / ".bin"
NAMESPACE = "conformance"
ROOT_RULE = "RootManageSharedAccessKey"

# Azurite's well-known development account, as documented in Azurite's README
# ("Default Storage Account": account name and key) and used by every Azure storage emulator.
AZURITE_ACCOUNT = "devstoreaccount1"
AZURITE_KEY = (
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

READY_TIMEOUT_S = 30
STOP_TIMEOUT_S = 10


def _die_with_parent():
    # If pytest is killed (e.g. by a timeout in the Rust driver), take the server down with it
    # instead of leaving an orphan holding ports. PR_SET_PDEATHSIG = 1 (Linux only).
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


class _Process:
    """A child process whose stdout/stderr go to a log file (drained so it never blocks)."""

    def __init__(self, argv, workdir: Path):
        workdir.mkdir(parents=True, exist_ok=True)
        self.log_path = workdir / "process.log"
        self._log = open(self.log_path, "ab", buffering=0)
        self._log.write(("$ " + " ".join(str(a) for a in argv) + "\n").encode())
        self.proc = subprocess.Popen(
            [str(a) for a in argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=self._log,
            preexec_fn=_die_with_parent,
        )

    def read_line(self, timeout_s: float) -> bytes:
        """First stdout line, or b'' if the process exits or the time is up."""
        deadline = time.monotonic() + timeout_s
        buf = b""
        sel = selectors.DefaultSelector()
        sel.register(self.proc.stdout, selectors.EVENT_READ)
        try:
            while b"\n" not in buf:
                left = deadline - time.monotonic()
                if left <= 0 or not sel.select(left):
                    return b""
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    return b""
                buf += chunk
        finally:
            sel.close()
        line, _, rest = buf.partition(b"\n")
        self._log.write(line + b"\n" + rest)
        return line

    def drain_stdout(self):
        def pump():
            for chunk in iter(lambda: os.read(self.proc.stdout.fileno(), 65536), b""):
                self._log.write(chunk)

        threading.Thread(target=pump, daemon=True).start()

    def stop(self) -> str:
        """SIGTERM, then SIGKILL after a grace period; returns how it ended."""
        if self.proc.poll() is not None:
            return f"had already exited with {self.proc.returncode}"
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(STOP_TIMEOUT_S)
            return f"exited with {code} after SIGTERM"
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            return f"did not exit within {STOP_TIMEOUT_S}s of SIGTERM; killed"

    def log_tail(self, limit=8000) -> str:
        text = self.log_path.read_text(errors="replace")
        return f"----- {self.log_path} (last {limit} chars) -----\n" + text[-limit:]


def ehops_bin() -> Path:
    configured = os.environ.get("EHOPS_BIN")
    path = Path(configured) if configured else ROOT / "target" / "debug" / "ehops"
    if not path.is_file():
        pytest.fail(f"ehops binary not found at {path}: set EHOPS_BIN or run `cargo build`")
    return path


class Emulator:
    """A running `ehops emulator` and what its ready line announced."""

    def __init__(self, process: _Process, ready: dict, data: Path):
        self._process = process
        self.data = data
        self.ready = ready
        self.amqp = ready["amqp"]
        self.http = ready["http"]
        self.kafka = ready.get("kafka")
        namespace = next(n for n in ready["namespaces"] if n["name"] == NAMESPACE)
        self.rules = {r["name"]: r for r in namespace["rules"]}
        self.exit_note = "still running"

    @classmethod
    def start(cls, workdir: Path, data: Path | None = None,
              config: Path = CONFIG, extra_args: tuple = ()) -> "Emulator":
        """A new emulator; pass the `data` of one that was killed to restart on its store, a
        `config` of the test's own where the conformance namespace does not fit, and
        `extra_args` for options of its own (as --checkpoint-store-proxy)."""
        if data is None:
            data = workdir / "data"
            data.mkdir(parents=True)
        argv = [ehops_bin(), "emulator", "--config", config, "--data", data,
                "--amqp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--kafka", "127.0.0.1:0", "--json", *extra_args]
        process = _Process(argv, workdir)
        line = process.read_line(READY_TIMEOUT_S)
        try:
            ready = json.loads(line)
            assert ready.get("ready") is True
        except (ValueError, AssertionError):
            how = process.stop()
            pytest.fail(f"emulator gave no ready line within {READY_TIMEOUT_S}s "
                        f"(got {line[:500]!r}; {how})\n{process.log_tail()}")
        process.drain_stdout()
        return cls(process, ready, data)

    def conn(self, rule: str = ROOT_RULE) -> str:
        """The connection string the emulator announced for `rule`."""
        return self.rules[rule]["connection_string"]

    def conn_without_entity(self, rule: str) -> str:
        """A hub-level rule's connection string minus EntityPath, to aim it at another hub."""
        parts = [p for p in self.conn(rule).split(";") if p and not p.startswith("EntityPath=")]
        return ";".join(parts)

    def conn_with_wrong_key(self, rule: str = ROOT_RULE) -> str:
        parts = self.conn(rule).split(";")
        return ";".join("SharedAccessKey=d3Jvbmcta2V5LWZvci10ZXN0cw==" if p.startswith("SharedAccessKey=")
                        else p for p in parts)

    def get_health(self):
        # No proxy: a proxy from the environment must not stand between us and loopback.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(f"http://{self.http}/health", timeout=5) as response:
            return response.status, json.loads(response.read())

    def running(self) -> bool:
        """True while the emulator process has not exited."""
        return self._process.proc.poll() is None

    def stop(self) -> int | None:
        """Stops the emulator (SIGTERM, then SIGKILL); returns its exit code."""
        self.exit_note = self._process.stop()
        return self._process.proc.returncode

    def kill9(self):
        """SIGKILL, as a crash: nothing gets to flush or close."""
        self._process.proc.kill()
        self._process.proc.wait()
        self.exit_note = "killed with SIGKILL"

    def log_tail(self) -> str:
        return f"{self._process.log_tail()}\n(emulator {self.exit_note})"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Azurite:
    """azurite-blob on a free port with its own storage folder."""

    def __init__(self, process: _Process, port: int):
        self._process = process
        self.port = port
        self.conn = (
            f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};"
            f"BlobEndpoint=http://127.0.0.1:{port}/{AZURITE_ACCOUNT};"
        )

    @classmethod
    def start(cls, workdir: Path) -> "Azurite":
        exe = NODE_BIN / "azurite-blob"
        if not exe.exists():
            pytest.fail(f"{exe} missing: run scripts/test-env.sh")
        port = free_port()
        location = workdir / "blobs"
        location.mkdir(parents=True)
        argv = [exe, "--blobHost", "127.0.0.1", "--blobPort", port, "--location", location,
                "--disableTelemetry", "--skipApiVersionCheck", "--silent"]
        process = _Process(argv, workdir)
        process.drain_stdout()
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline and process.proc.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return cls(process, port)
            except OSError:
                time.sleep(0.1)
        how = process.stop()
        pytest.fail(f"azurite did not listen on {port} within {READY_TIMEOUT_S}s ({how})\n"
                    f"{process.log_tail()}")

    def create_container(self, name: str):
        from azure.storage.blob import BlobServiceClient

        with BlobServiceClient.from_connection_string(self.conn) as service:
            service.create_container(name)

    def blobs_with_metadata(self, container: str) -> dict:
        """{blob name: metadata} of every blob in `container` (checkpoints live in metadata)."""
        from azure.storage.blob import ContainerClient

        with ContainerClient.from_connection_string(self.conn, container) as client:
            return {b.name: dict(b.metadata or {}) for b in client.list_blobs(include=["metadata"])}

    def stop(self):
        self._process.stop()

    def log_tail(self) -> str:
        return self._process.log_tail()


def body_bytes(event) -> bytes:
    """The event's body as the sender's bytes (an Event Hubs event is one AMQP data section)."""
    from azure.eventhub.amqp import AmqpMessageBodyType

    assert event.body_type == AmqpMessageBodyType.DATA, f"body type {event.body_type}"
    return b"".join(event.body)

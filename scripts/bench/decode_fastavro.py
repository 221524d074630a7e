"""fastavro (C-accelerated) decoding the payloads `benches/decode.rs` wrote: each payload
with `schemaless_reader` against its parsed writer schema, on one core, best of 5 rounds.
Prints one JSON line. Usage: decode_fastavro.py PAYLOADS_FILE [SECONDS_PER_ROUND]"""

import base64
import io
import json
import sys
import time

import fastavro


def compiled() -> bool:
    """Whether fastavro runs its Cython reader (it falls back to pure Python without it)."""
    try:
        import fastavro._read  # noqa: F401

        return True
    except ImportError:
        return False


def main() -> None:
    path = sys.argv[1]
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 2.0
    with open(path, encoding="utf-8") as f:
        file = json.load(f)
    schemas = {sid: fastavro.parse_schema(json.loads(text)) for sid, text in file["schemas"].items()}
    payloads = [(schemas[sid], base64.b64decode(body)) for sid, body in file["payloads"]]
    best = 0.0
    for _ in range(5):
        decoded = 0
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            for schema, body in payloads:
                fastavro.schemaless_reader(io.BytesIO(body), schema)
            decoded += len(payloads)
        best = max(best, decoded / (time.perf_counter() - start))
    print(json.dumps({
        "fastavro": fastavro.__version__,
        "compiled": compiled(),
        "events_per_second": round(best),
    }))


if __name__ == "__main__":
    main()

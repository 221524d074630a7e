"""fastavro (C extension) reading every .avro file under a directory: the baseline for
`ehops capture read` in scripts/bench-capture.sh. Prints records and records/s."""

import os
import sys
import time

import fastavro

root = sys.argv[1]
paths = [os.path.join(d, n) for d, _, names in os.walk(root) for n in names if n.endswith(".avro")]
start = time.perf_counter()
count = 0
for path in paths:
    with open(path, "rb") as f:
        for _ in fastavro.reader(f):
            count += 1
elapsed = time.perf_counter() - start
print(f"fastavro {fastavro.__version__}: {count} records in {elapsed:.2f} s: {count / elapsed:.0f} records/s")

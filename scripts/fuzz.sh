#!/usr/bin/env bash
# Runs each fuzz target (fuzz/: the codec, and the emulator's AMQP ingress, request nodes and
# HTTP endpoints; cargo-fuzz on nightly) for a bounded time and prints executions and findings
# per target. A crash or hang leaves its input in fuzz/artifacts/TARGET/ and makes this script
# exit non-zero.
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]   (default 60)
set -uo pipefail
cd "$(dirname "$0")/../fuzz"
seconds=${1:-60}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
cargo +nightly fuzz build -O || exit 1

failed=0
for target in $(cargo +nightly fuzz list); do
  log=$(mktemp)
  # -timeout: one input running over 10 s counts as a hang; -rss_limit_mb: as a finding too.
  cargo +nightly fuzz run -O "$target" -- -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 >"$log" 2>&1
  status=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n 1)
  if [ "$status" -eq 0 ]; then
    echo "$target: ${execs:-?} executions in ${seconds}s, no findings"
  else
    failed=1
    echo "$target: FINDING (exit $status) after ${execs:-?} executions; input in fuzz/artifacts/$target/"
    grep -E 'ERROR|panicked|SUMMARY' "$log" | head -n 5
  fi
  rm -f "$log"
done
exit "$failed"

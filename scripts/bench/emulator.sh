# Shared by the emulator benchmark scripts (sourced, not run): a scratch dir removed on exit,
# a config with one hub "bench" of $partitions partitions, and start_emulator/stop_emulator.
# Expects $partitions; builds nothing (each script builds what it runs, in release).

python=target/test-env/venv/bin/python
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

config="$work/bench.toml"
cat > "$config" <<TOML
[[namespace]]
name = "bench"
[[namespace.rule]]
name = "RootManageSharedAccessKey"
key = "bench-key"
rights = ["Listen", "Send", "Manage"]
[[namespace.hub]]
name = "bench"
partitions = $partitions
consumer_groups = ["ehops"]
TOML

# start_emulator LABEL: a fresh release emulator on free ports and its own data dir; sets
# $cs (its connection string), $kafka (its Kafka bootstrap address) and $emulator_pid.
start_emulator() {
  local label=$1
  mkfifo "$work/ready-$label"
  target/release/ehops emulator --config "$config" --data "$work/data-$label" \
    --amqp 127.0.0.1:0 --http 127.0.0.1:0 --kafka 127.0.0.1:0 --json > "$work/ready-$label" &
  emulator_pid=$!
  local ready
  ready=$(head -n 1 "$work/ready-$label")
  cs=$(echo "$ready" | $python -c 'import json,sys; print(json.load(sys.stdin)["namespaces"][0]["rules"][0]["connection_string"])')
  kafka=$(echo "$ready" | $python -c 'import json,sys; print(json.load(sys.stdin)["kafka"])')
}

stop_emulator() {
  kill "$emulator_pid"; wait "$emulator_pid" 2>/dev/null || true
}

# `load 1.20 0.90 0.70`: other work on the machine, printed beside each figure.
load() {
  echo "load $(cut -d' ' -f1-3 /proc/loadavg)"
}

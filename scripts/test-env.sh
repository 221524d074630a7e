#!/usr/bin/env bash
# Sets up the toolchain the SDK conformance tests need, all under target/test-env/:
#   venv/   Python venv with the official azure-eventhub SDK, blob checkpoint stores, pytest
#   node/   npm project with @azure/event-hubs 6, its blob checkpoint store, kafkajs and Azurite
#           (blob storage for checkpoints)
#   (the venv also holds confluent-kafka and kafka-python for the Kafka endpoint's suite)
# The requirement lists live in tests/sdk/ (requirements.txt, package.json, package-lock.json).
#
# Idempotent and cheap when nothing changed: a stamp file holds a hash of the requirement lists
# and the interpreter versions; when it matches, the script exits at once. It takes a flock so
# parallel test processes (nextest runs each test in its own process) never install at once.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
sdk="$root/tests/sdk"
env_dir="$root/target/test-env"
venv="$env_dir/venv"
node_dir="$env_dir/node"
stamp="$env_dir/stamp"

mkdir -p "$env_dir"
exec 9>"$env_dir/lock"
flock 9

python="${PYTHON:-python3}"
want="$(
    cat "$sdk/requirements.txt" "$sdk/package.json" "$sdk/package-lock.json"
    "$python" --version 2>&1
    node --version
) "
want="$(printf '%s' "$want" | sha256sum | cut -d' ' -f1)"

if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" && -x "$venv/bin/python" \
    && -d "$node_dir/node_modules/@azure/event-hubs" && -d "$node_dir/node_modules/kafkajs" ]]; then
    exit 0
fi

echo "test-env: setting up $env_dir" >&2
rm -f "$stamp"

if [[ ! -x "$venv/bin/python" ]]; then
    echo "test-env: creating Python venv ($("$python" --version 2>&1))" >&2
    "$python" -m venv "$venv"
fi
echo "test-env: pip install -r tests/sdk/requirements.txt" >&2
"$venv/bin/python" -m pip install --disable-pip-version-check --quiet -r "$sdk/requirements.txt"
"$venv/bin/python" -m pip freeze --disable-pip-version-check | sed 's/^/test-env:   /' >&2

# npm ci installs exactly the committed lock; copying the files keeps node_modules out of tests/.
mkdir -p "$node_dir"
cp "$sdk/package.json" "$sdk/package-lock.json" "$node_dir/"
echo "test-env: npm ci (@azure/event-hubs, kafkajs, azurite)" >&2
(cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
(cd "$node_dir" && npm ls --depth=0 2>/dev/null | sed 's/^/test-env:   /' >&2) || true

# Fail here, not in the middle of a test run, if an SDK cannot be loaded.
"$venv/bin/python" -c 'import azure.eventhub, azure.eventhub.aio, azure.eventhub.extensions.checkpointstoreblob, azure.eventhub.extensions.checkpointstoreblobaio, azure.mgmt.eventhub, azure.schemaregistry, azure.schemaregistry.encoder.avroencoder, cloudevents.core.bindings.amqp, pytest, pytest_timeout, fastavro, confluent_kafka, kafka'
(cd "$node_dir" && node -e 'require("@azure/event-hubs"); require("kafkajs")')
[[ -x "$node_dir/node_modules/.bin/azurite-blob" ]]

echo "$want" >"$stamp"
echo "test-env: ready" >&2

#!/usr/bin/env bash
# demo.sh — set up, start the Kafka broker, and run the whole system (the four services and the
# web workspace, with demo accounts for each role) with a demo feed of portal
# records for the seed campaign's units (see README). Ctrl-C stops the services; the broker keeps
# running (`bash deploy/kafka/kafka.sh stop` stops it). Extra arguments go to devkit.demo
# (--records N, --exit).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
cd "$ROOT"

bash scripts/setup.sh
KAFKA_PORT="${KAFKA_PORT:-9092}" bash deploy/kafka/kafka.sh start
exec "$VENV/bin/python" -m devkit.demo --bootstrap "127.0.0.1:${KAFKA_PORT:-9092}" "$@"

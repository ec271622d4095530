#!/usr/bin/env bash
# setup.sh — install everything the system and its tests need on a fresh machine, idempotently:
# Java and Maven (Debian) when missing, a Python virtualenv with the project and its dev tools,
# the generated gRPC stubs, and the Kafka broker jars (Maven Central, cached outside the repo).
# PostgreSQL is installed by deploy/postgres/pg.sh the first time it is needed.
#
# Environment: VENV (default: .venv in the repository).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
cd "$ROOT"

log() { echo "setup: $*" >&2; }

if ! command -v java >/dev/null || ! command -v mvn >/dev/null; then
  log "installing Java and Maven from Debian"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jdk-headless maven >/dev/null
fi

# The certificates embed Liberation Serif (Times New Roman's letter widths) and DejaVu Serif.
if [ ! -f /usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf ] \
    || [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf ]; then
  log "installing the fonts of the drafted documents from Debian"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-liberation2 fonts-dejavu-core >/dev/null
fi

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; assert sys.version_info >= (3, 11)' 2>/dev/null; then
  echo "setup: error: Python 3.11 or newer is needed (found: $("$PYTHON" --version 2>&1))" >&2
  exit 1
fi
if [ ! -x "$VENV/bin/python" ]; then
  log "creating the virtualenv $VENV"
  "$PYTHON" -m venv "$VENV"
fi
# The stubs are generated before the project is installed, so that the editable install maps
# the generated package too.
stamp="$VENV/.lsdot-installed"
wanted="$(cat pyproject.toml proto/campaign/*/v1/*.proto | sha256sum | cut -c1-16)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ] || [ ! -d build/gen/campaign ]; then
  log "installing Python packages into $VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q "grpcio-tools>=1.66"
  "$VENV/bin/python" scripts/gen_proto.py
  "$VENV/bin/python" -m pip install -q -e ".[dev]"
  echo "$wanted" >"$stamp"
fi

bash deploy/kafka/kafka.sh fetch
log "ready (virtualenv: $VENV)"

#!/usr/bin/env bash
# test.sh — set up, then run the checks and the whole test suite: ruff, mypy, and pytest
# (unit, integration on SQLite and a real PostgreSQL, end-to-end over a real Kafka broker with
# the four services as separate processes and a real SMTP server). The tests start the broker
# and PostgreSQL themselves on free loopback ports. Extra arguments go to pytest.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${VENV:-$ROOT/.venv}"
cd "$ROOT"

bash scripts/setup.sh
if ! command -v prometheus >/dev/null; then  # the e2e tests scrape the services with it
  echo "test: installing Prometheus from Debian" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null
fi
if ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null; then
  # the document tests render the drafted DOCX and PDF to pages, as a person opens them
  echo "test: installing LibreOffice Writer and poppler from Debian" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libreoffice-writer-nogui poppler-utils >/dev/null
fi
# The workspace's browser tests drive Debian's Chromium through Playwright (pip, dev extras);
# Playwright's own browser download is never used. DejaVu draws every Vietnamese letter.
if ! command -v chromium >/dev/null || [ ! -d /usr/share/fonts/truetype/dejavu ]; then
  echo "test: installing Chromium and DejaVu fonts from Debian" >&2
  DEBIAN_FRONTEND=noninteractive apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-dejavu >/dev/null
fi
export PATH="$VENV/bin:$PATH"

echo "== ruff"
ruff check .
echo "== mypy"
mypy
echo "== pytest"
exec pytest "$@"

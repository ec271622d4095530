#!/usr/bin/env bash
# pg.sh — run a throw-away local PostgreSQL server for local runs and tests: its own data dir,
# its own port, bound to 127.0.0.1, trust auth, durability switched off for speed (fsync,
# synchronous_commit, full_page_writes = off). Never use this for data you want to keep.
#
# Usage: deploy/postgres/pg.sh COMMAND [ARGS]
#   start          initdb once (installs Debian's postgresql with apt-get if no initdb is found),
#                  start the server, wait for pg_isready; prints "postgres ready on 127.0.0.1:PORT"
#   createdb NAME  create database NAME owned by postgres, unless it exists (idempotent)
#   stop           pg_ctl stop -m fast; idempotent
#   status         exit 0 if the server of this data dir is running, 1 if not
#   reset          stop, then delete the data dir
#   url [NAME]     print postgresql+psycopg://postgres@127.0.0.1:PORT/NAME (NAME default postgres)
#
# Environment:
#   PG_PORT            default 55432
#   PG_DATA_DIR        default $HOME/.cache/lsdot/pg-data-$PG_PORT (also holds the unix socket
#                      and server.log)
#   PG_BIN             PostgreSQL bin dir, default the newest /usr/lib/postgresql/*/bin
#   PG_START_TIMEOUT   seconds to wait for the server, default 60
#
# Run as root, the server runs as the `postgres` OS user (runuser), which owns the data dir.
set -euo pipefail

PG_PORT="${PG_PORT:-55432}"
PG_DATA_DIR="$(realpath -ms -- "${PG_DATA_DIR:-$HOME/.cache/lsdot/pg-data-$PG_PORT}")"
PG_START_TIMEOUT="${PG_START_TIMEOUT:-60}"
LOG_FILE="$PG_DATA_DIR/server.log"
CONF_FILE="$PG_DATA_DIR/lsdot.conf"

die() { echo "pg.sh: error: $*" >&2; exit 1; }
log() { echo "pg.sh: $*" >&2; }

is_root() { [[ $(id -u) -eq 0 ]]; }

# Runs a server-side command as the postgres OS user when we are root (postgres refuses root).
as_pg() {
  if is_root; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

find_pg_bin() {
  local initdb
  if [[ -n "${PG_BIN:-}" ]]; then
    [[ -x "$PG_BIN/initdb" ]] || die "PG_BIN=$PG_BIN has no initdb"
    return 0
  fi
  initdb="$(find /usr/lib/postgresql -maxdepth 3 -path '*/bin/initdb' 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "$initdb" ]] || return 1
  PG_BIN="$(dirname "$initdb")"
}

ensure_pg_bin() {
  find_pg_bin && return 0
  is_root || die "no PostgreSQL found under /usr/lib/postgresql and not root: apt-get install postgresql"
  log "no PostgreSQL found: installing Debian's postgresql with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null \
    || die "apt-get install postgresql failed"
  find_pg_bin || die "postgresql installed but no /usr/lib/postgresql/*/bin/initdb found"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# True if the process exists and is not a zombie (a killed postmaster waits a moment for pid 1).
pid_alive() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ -n "$stat" && "${stat:0:1}" != Z ]]
}

# True if the postmaster of this data dir runs (first line of postmaster.pid is its pid).
running() {
  local pid
  pid="$(head -n 1 "$PG_DATA_DIR/postmaster.pid" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] && pid_alive "$pid" || return 1
  # Guard against a recycled pid: the process must be a postgres of this very data dir.
  tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "$PG_DATA_DIR"
}

# As root, the postgres user must be able to reach the data dir: $HOME is usually /root (0700).
# Grant it traverse-only access to each ancestor it cannot enter (an ACL for that one user if
# setfacl exists, else o+x: enter, not list).
ensure_reachable_by_postgres() {
  local dir="$PG_DATA_DIR" ancestors=()
  is_root || return 0
  while [[ "$dir" != "/" ]]; do
    dir="$(dirname "$dir")"
    ancestors=("$dir" "${ancestors[@]}")
  done
  for dir in "${ancestors[@]}"; do
    runuser -u postgres -- test -x "$dir" && continue
    if command -v setfacl >/dev/null 2>&1; then
      setfacl -m u:postgres:x "$dir"
    else
      chmod o+x "$dir"
    fi
    log "granted the postgres user traverse access to $dir"
  done
}

prepare_data_dir() {
  mkdir -p "$(dirname "$PG_DATA_DIR")"
  ensure_reachable_by_postgres
  if [[ ! -d "$PG_DATA_DIR" ]]; then
    mkdir -m 700 "$PG_DATA_DIR"
  fi
  if is_root && [[ "$(stat -c %U "$PG_DATA_DIR")" != postgres ]]; then
    chown -R postgres:postgres "$PG_DATA_DIR"
  fi
  chmod 700 "$PG_DATA_DIR"
}

init_cluster() {
  local locale=C out
  [[ -f "$PG_DATA_DIR/PG_VERSION" ]] && return 0
  if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
    locale=C.UTF-8
  fi
  # --no-sync: like fsync=off below, a throw-away cluster needs no durable initdb.
  if ! out="$(as_pg "$PG_BIN/initdb" -D "$PG_DATA_DIR" -U postgres --auth=trust -E UTF8 --no-sync \
      "--locale=$locale" 2>&1)"; then
    echo "$out" >&2
    die "initdb of $PG_DATA_DIR failed"
  fi
}

# Our settings live in lsdot.conf, included from postgresql.conf and rewritten on every start.
write_conf() {
  local include="include_if_exists = 'lsdot.conf'"
  if ! grep -qxF "$include" "$PG_DATA_DIR/postgresql.conf"; then
    echo "$include" | as_pg tee -a "$PG_DATA_DIR/postgresql.conf" >/dev/null
  fi
  as_pg tee "$CONF_FILE" >/dev/null <<EOF
# Written by deploy/postgres/pg.sh on every start; edits are overwritten.
port = $PG_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_DATA_DIR'
# Test speed over durability: a crash may lose or corrupt data.
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
}

cmd_start() {
  local deadline
  [[ "$PG_PORT" =~ ^[0-9]+$ ]] || die "PG_PORT must be a number"
  # The unix socket path ($PG_DATA_DIR/.s.PGSQL.$PG_PORT) must fit in 107 bytes.
  (( ${#PG_DATA_DIR} + 18 <= 107 )) || die "PG_DATA_DIR is too long for a unix socket path: $PG_DATA_DIR"
  ensure_pg_bin
  if running; then
    echo "postgres already running on 127.0.0.1:$PG_PORT (data dir $PG_DATA_DIR)"
    return 0
  fi
  port_open "$PG_PORT" && die "port 127.0.0.1:$PG_PORT is already in use (set PG_PORT / PG_DATA_DIR)"

  wait_for_dead_postmaster
  prepare_data_dir
  init_cluster
  write_conf
  if ! start_server; then
    if [[ -f "$LOG_FILE" ]]; then
      echo "---- last 30 lines of $LOG_FILE ----" >&2
      tail -n 30 "$LOG_FILE" >&2
      echo "----" >&2
    fi
    die "postgres did not start (see $LOG_FILE)"
  fi
  deadline=$((SECONDS + PG_START_TIMEOUT))
  until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -d postgres -U postgres; do
    (( SECONDS < deadline )) || die "postgres not ready after ${PG_START_TIMEOUT}s (see $LOG_FILE)"
    sleep 0.1
  done
  echo "postgres ready on 127.0.0.1:$PG_PORT"
}

# After a crash (kill -9) the dead postmaster stays a zombie for a moment, and postgres refuses
# to start while its pid exists: wait (at most 10 s) for it to be reaped.
wait_for_dead_postmaster() {
  local pid i
  pid="$(head -n 1 "$PG_DATA_DIR/postmaster.pid" 2>/dev/null)" || return 0
  [[ "$pid" =~ ^[0-9]+$ ]] || return 0
  for ((i = 0; i < 100; i++)); do
    [[ -e "/proc/$pid" ]] || return 0
    sleep 0.1
  done
}

# pg_ctl in its own session (setsid), so the server outlives this script and its process group.
start_server() {
  local out
  local -a pg_ctl_cmd=("$PG_BIN/pg_ctl" start -D "$PG_DATA_DIR" -l "$LOG_FILE" -w -t "$PG_START_TIMEOUT")
  if is_root; then
    pg_ctl_cmd=(runuser -u postgres -- "${pg_ctl_cmd[@]}")
  fi
  if ! out="$(setsid -w "${pg_ctl_cmd[@]}" 2>&1)"; then
    echo "$out" >&2
    return 1
  fi
}

psql_admin() {
  "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres "$@"
}

db_exists() {
  local found
  found="$(psql_admin -tA -v name="$1" <<<"SELECT 1 FROM pg_database WHERE datname = :'name';")"
  [[ "$found" == 1 ]]
}

cmd_createdb() {
  local name="${1:-}" out
  [[ -n "$name" ]] || die "usage: pg.sh createdb NAME"
  ensure_pg_bin
  running || die "postgres is not running on 127.0.0.1:$PG_PORT (run: pg.sh start)"
  if db_exists "$name"; then
    echo "database $name exists"
    return 0
  fi
  if ! out="$("$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres -O postgres "$name" 2>&1)"; then
    # Losing a race with a concurrent createdb of the same name is fine.
    if ! db_exists "$name"; then
      echo "$out" >&2
      die "createdb $name failed"
    fi
  fi
  echo "database $name created"
}

cmd_stop() {
  if ! running; then
    echo "postgres not running (data dir $PG_DATA_DIR)"
    return 0
  fi
  find_pg_bin || die "no /usr/lib/postgresql/*/bin/pg_ctl found (set PG_BIN)"
  as_pg "$PG_BIN/pg_ctl" stop -D "$PG_DATA_DIR" -m fast -w -t 60 >/dev/null \
    || die "pg_ctl stop failed (see $LOG_FILE)"
  echo "postgres stopped (data dir $PG_DATA_DIR)"
}

cmd_status() {
  if running; then
    echo "postgres running on 127.0.0.1:$PG_PORT (data dir $PG_DATA_DIR)"
    return 0
  fi
  echo "postgres not running (data dir $PG_DATA_DIR)"
  return 1
}

cmd_reset() {
  cmd_stop
  rm -rf "$PG_DATA_DIR"
  echo "postgres data dir $PG_DATA_DIR deleted"
}

cmd_url() {
  echo "postgresql+psycopg://postgres@127.0.0.1:$PG_PORT/${1:-postgres}"
}

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    start) cmd_start ;;
    createdb) cmd_createdb "$@" ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    reset) cmd_reset ;;
    url) cmd_url "$@" ;;
    -h | --help | help) usage ;;
    "") usage >&2; exit 2 ;;
    *) die "unknown command '$cmd' (start, createdb, stop, status, reset, url)" ;;
  esac
}

main "$@"

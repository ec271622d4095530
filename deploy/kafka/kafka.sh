#!/usr/bin/env bash
# kafka.sh — run a real single-node Apache Kafka 4.1.1 broker (KRaft, broker+controller in one
# JVM) for local runs and tests, assembled from Maven Central jars (no tarball, no Docker).
#
# Usage: deploy/kafka/kafka.sh COMMAND [ARGS]
#   fetch          copy the broker jars once into $KAFKA_CACHE/libs (via pom.xml)
#   fetch-tools    copy the perf/CLI tools jars once into $KAFKA_CACHE/tools (via pom-tools.xml)
#   start          write server.properties, format storage once, start the broker in the
#                  background and wait until it answers; prints "kafka ready on 127.0.0.1:PORT in N.Ns"
#   stop           SIGTERM the broker, wait (SIGKILL after $KAFKA_STOP_TIMEOUT s); idempotent
#   status         exit 0 if the broker of this data dir is running, 1 if not
#   reset          stop, then delete the data dir
#   tool NAME|CLASS [ARGS...]
#                  run a Kafka tool from the tools dir (fetched on demand), e.g.
#                  `kafka.sh tool producer-perf --topic t --num-records 100000 --record-size 200
#                   --throughput -1 --producer-props bootstrap.servers=127.0.0.1:9092`
#                  names: producer-perf, consumer-perf, e2e-latency, topics, console-producer,
#                  console-consumer (or any fully qualified class name)
#
# Environment:
#   KAFKA_PORT             client (PLAINTEXT) port, default 9092
#   KAFKA_CONTROLLER_PORT  KRaft controller port, default KAFKA_PORT+1
#   KAFKA_DATA_DIR         default $HOME/.cache/lsdot/kafka-data-$KAFKA_PORT (server.properties,
#                          cluster.id, kafka.pid, server.log, logs/)
#   KAFKA_HEAP             default "-Xms256m -Xmx512m"
#   KAFKA_JVM_OPTS         extra JVM options (optional)
#   KAFKA_START_TIMEOUT    seconds to wait for the broker to answer, default 60
#   KAFKA_STOP_TIMEOUT     seconds to wait after SIGTERM before SIGKILL, default 30
#   KAFKA_CACHE            jar cache, default $HOME/.cache/lsdot/kafka-4.1.1 (outside the repo)
#   KAFKA_EXTRA_PROPERTIES a file appended to server.properties on start; a key given there
#                          overrides the default above it (e.g. `listeners=` with an SSL or
#                          SASL_SSL listener beside PLAINTEXT, `ssl.keystore.*`, `sasl.*`)
#   KAFKA_FORMAT_ARGS      extra arguments of the first storage format, split on blanks (e.g.
#                          `--add-scram SCRAM-SHA-512=[name=svc,password=...]` for SCRAM users)
#   KAFKA_CDS              1 (default): keep a JVM class-data-sharing archive in the cache for a
#                          faster start (made by the first broker run when it stops); 0: off
#
# Listeners are bound to 127.0.0.1 only; topic auto-creation is OFF (create topics explicitly).
set -euo pipefail

readonly KAFKA_VERSION=4.1.1
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly SCRIPT_DIR

KAFKA_PORT="${KAFKA_PORT:-9092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
KAFKA_DATA_DIR="$(realpath -ms -- "${KAFKA_DATA_DIR:-$HOME/.cache/lsdot/kafka-data-$KAFKA_PORT}")"
KAFKA_HEAP="${KAFKA_HEAP:--Xms256m -Xmx512m}"
KAFKA_JVM_OPTS="${KAFKA_JVM_OPTS:-}"
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-60}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
KAFKA_CACHE="${KAFKA_CACHE:-$HOME/.cache/lsdot/kafka-$KAFKA_VERSION}"
KAFKA_CDS="${KAFKA_CDS:-1}"
KAFKA_EXTRA_PROPERTIES="${KAFKA_EXTRA_PROPERTIES:-}"
KAFKA_FORMAT_ARGS="${KAFKA_FORMAT_ARGS:-}"

LIBS_DIR="$KAFKA_CACHE/libs"
TOOLS_DIR="$KAFKA_CACHE/tools"
PID_FILE="$KAFKA_DATA_DIR/kafka.pid"
LOG_FILE="$KAFKA_DATA_DIR/server.log"
PROPS_FILE="$KAFKA_DATA_DIR/server.properties"
CLUSTER_ID_FILE="$KAFKA_DATA_DIR/cluster.id"
LOG_DIRS="$KAFKA_DATA_DIR/logs"
CDS_ARCHIVE="$LIBS_DIR/kafka-broker.jsa"
CDS_PENDING="$KAFKA_DATA_DIR/cds.pending"

die() { echo "kafka.sh: error: $*" >&2; exit 1; }
log() { echo "kafka.sh: $*" >&2; }

# ---------------------------------------------------------------------------------------------
# fetch / fetch-tools
# ---------------------------------------------------------------------------------------------

ensure_java_and_maven() {
  if command -v java >/dev/null 2>&1 && command -v mvn >/dev/null 2>&1; then
    return 0
  fi
  log "java or mvn missing: installing default-jdk-headless and maven with apt-get"
  [[ $(id -u) -eq 0 ]] || die "java/mvn missing and not root: install default-jdk-headless and maven"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null \
    || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jdk-headless maven >/dev/null \
    || die "apt-get install default-jdk-headless maven failed"
}

# copy_jars POM DEST: run `mvn dependency:copy-dependencies` for POM into DEST once.
# DEST/.complete holds the POM's checksum: a changed POM refetches. The jars are copied into a
# temporary dir and renamed into place, under a lock, so concurrent callers never see half a dir.
copy_jars() {
  local pom="$1" dest="$2" sum tmp
  sum="$(sha256sum "$pom" | cut -d' ' -f1)"
  if [[ -f "$dest/.complete" && "$(cat "$dest/.complete")" == "$sum" ]]; then
    return 0
  fi
  mkdir -p "$KAFKA_CACHE"
  exec {lock_fd}>"$KAFKA_CACHE/.fetch.lock"
  flock "$lock_fd"
  if [[ -f "$dest/.complete" && "$(cat "$dest/.complete")" == "$sum" ]]; then
    exec {lock_fd}>&-
    return 0
  fi
  ensure_java_and_maven
  tmp="$dest.tmp.$$"
  rm -rf "$tmp"
  log "fetching jars for $(basename "$pom") into $dest (Maven Central)"
  if ! mvn -B -q -f "$pom" dependency:copy-dependencies "-Dkafka.libs.dir=$tmp" >"$tmp.mvn.log" 2>&1; then
    tail -n 30 "$tmp.mvn.log" >&2
    rm -rf "$tmp" "$tmp.mvn.log"
    die "mvn dependency:copy-dependencies failed for $pom"
  fi
  rm -f "$tmp.mvn.log"
  echo "$sum" >"$tmp/.complete"
  rm -rf "$dest"
  mv "$tmp" "$dest"
  exec {lock_fd}>&-
  log "fetched $(find "$dest" -name '*.jar' | wc -l) jars into $dest"
}

cmd_fetch() { copy_jars "$SCRIPT_DIR/pom.xml" "$LIBS_DIR"; }
cmd_fetch_tools() { copy_jars "$SCRIPT_DIR/pom-tools.xml" "$TOOLS_DIR"; }

# ---------------------------------------------------------------------------------------------
# start / stop / status / reset
# ---------------------------------------------------------------------------------------------

# Prints the pid of the broker of this data dir if it is running, else fails.
running_pid() {
  local pid
  [[ -f "$PID_FILE" ]] || return 1
  pid="$(cat "$PID_FILE" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  pid_alive "$pid" || return 1
  # Guard against a recycled pid: the process must be our broker for this server.properties.
  tr '\0' '\n' <"/proc/$pid/cmdline" 2>/dev/null | grep -qxF -- "$PROPS_FILE" || return 1
  echo "$pid"
}

# True if the process exists and is not a zombie (an exited JVM waits a moment for pid 1 to reap it).
pid_alive() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  stat="${stat##*) }"
  [[ -n "$stat" && "${stat:0:1}" != Z ]]
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Kafka cluster ids are a Uuid: url-safe base64 of 16 random bytes, no padding, not starting with '-'.
new_cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" != -* ]] && break
  done
  echo "$id"
}

write_server_properties() {
  cat >"$PROPS_FILE" <<EOF
# Written by deploy/kafka/kafka.sh on every start; edits are overwritten.
# Single-node KRaft broker+controller for local runs and tests.
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
log.dirs=$LOG_DIRS

# Topics must be created explicitly.
auto.create.topics.enable=false
num.partitions=1
default.replication.factor=1

# One node: every internal topic has one replica, and few partitions.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# Small and fast.
group.initial.rebalance.delay.ms=0
log.cleaner.dedupe.buffer.size=2097152
num.network.threads=2
num.io.threads=2
num.recovery.threads.per.data.dir=1
# After a crash (kill -9) the restarted broker cannot register until the old incarnation's session
# expires (DuplicateBrokerRegistrationException): 3 s instead of 9 s.
broker.heartbeat.interval.ms=500
broker.session.timeout.ms=3000
EOF
  if [[ -n "$KAFKA_EXTRA_PROPERTIES" ]]; then
    [[ -r "$KAFKA_EXTRA_PROPERTIES" ]] || die "KAFKA_EXTRA_PROPERTIES: cannot read $KAFKA_EXTRA_PROPERTIES"
    { echo; echo "# From KAFKA_EXTRA_PROPERTIES=$KAFKA_EXTRA_PROPERTIES (the last value of a key wins)."
      cat "$KAFKA_EXTRA_PROPERTIES"; } >>"$PROPS_FILE"
  fi
}

format_storage() {
  local cluster_id out
  if [[ ! -s "$CLUSTER_ID_FILE" ]]; then
    new_cluster_id >"$CLUSTER_ID_FILE"
  fi
  cluster_id="$(cat "$CLUSTER_ID_FILE")"
  # meta.properties exists once formatted: skip the extra JVM start (format is idempotent anyway).
  if [[ -f "$LOG_DIRS/meta.properties" ]] && grep -qF "cluster.id=$cluster_id" "$LOG_DIRS/meta.properties"; then
    return 0
  fi
  local -a cds=()
  if [[ "$KAFKA_CDS" != 0 && -s "$CDS_ARCHIVE" ]]; then
    cds=("-XX:SharedArchiveFile=$CDS_ARCHIVE" -Xlog:cds=off -Xlog:cds+dynamic=off)
  fi
  # `read -a` splits on blanks without globbing, so `[name=...]` stays as written.
  local -a extra=()
  read -ra extra <<<"$KAFKA_FORMAT_ARGS"
  if ! out="$(java "${cds[@]}" -cp "$LIBS_DIR/*" "-Dlog4j2.configurationFile=$SCRIPT_DIR/log4j2.xml" \
      kafka.tools.StorageTool format -t "$cluster_id" -c "$PROPS_FILE" \
      --standalone --ignore-formatted "${extra[@]}" 2>&1)"; then
    echo "$out" >&2
    die "formatting $LOG_DIRS failed"
  fi
}

# Class-data sharing roughly halves the JVM's part of startup (3.7 s -> 2 s here). The first
# broker run without an archive dumps its loaded classes when it exits (-XX:ArchiveClassesAtExit,
# JDK 13+) into a per-run file named in $CDS_PENDING; the next start or stop moves that into
# $CDS_ARCHIVE (inside libs/, so a refetch drops it), which later starts load. A stale or broken
# archive is ignored by the JVM (-Xshare:auto). KAFKA_CDS=0 turns this off.
cds_opts() {
  CDS_OPTS=()
  [[ "$KAFKA_CDS" == 0 ]] && return 0
  if [[ -s "$CDS_ARCHIVE" ]]; then
    CDS_OPTS=("-XX:SharedArchiveFile=$CDS_ARCHIVE")
  else
    echo "$CDS_ARCHIVE.$$.tmp" >"$CDS_PENDING"
    CDS_OPTS=("-XX:ArchiveClassesAtExit=$CDS_ARCHIVE.$$.tmp")
  fi
  # The dump warns about every old-format class (slf4j 1.7, ...): keep that out of server.log.
  CDS_OPTS+=(-Xlog:cds=off -Xlog:cds+dynamic=off)
}

# Called when no broker of this data dir runs: adopt the archive its last run dumped, if any.
promote_cds_archive() {
  local tmp
  [[ -f "$CDS_PENDING" ]] || return 0
  tmp="$(cat "$CDS_PENDING")"
  rm -f "$CDS_PENDING"
  if [[ -s "$tmp" && ! -e "$CDS_ARCHIVE" ]]; then
    mv -f "$tmp" "$CDS_ARCHIVE"
  else
    rm -f "$tmp"
  fi
}

fail_start() {
  local why="$1" pid
  if pid="$(running_pid)"; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
  if [[ -f "$LOG_FILE" ]]; then
    echo "---- last 30 lines of $LOG_FILE ----" >&2
    tail -n 30 "$LOG_FILE" >&2
    echo "----" >&2
  fi
  die "$why"
}

cmd_start() {
  local t0 pid deadline elapsed p
  t0="$EPOCHREALTIME"
  [[ "$KAFKA_PORT" =~ ^[0-9]+$ && "$KAFKA_CONTROLLER_PORT" =~ ^[0-9]+$ ]] \
    || die "KAFKA_PORT and KAFKA_CONTROLLER_PORT must be numbers"
  # Serialise concurrent starts of the same data dir (e.g. parallel test workers).
  mkdir -p "$KAFKA_DATA_DIR"
  exec {start_lock}>"$KAFKA_DATA_DIR/.start.lock"
  flock -w "$KAFKA_START_TIMEOUT" "$start_lock" || die "another start of $KAFKA_DATA_DIR is still running"
  if pid="$(running_pid)"; then
    echo "kafka already running on 127.0.0.1:$KAFKA_PORT (pid $pid, data dir $KAFKA_DATA_DIR)"
    return 0
  fi
  for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    port_open "$p" && die "port 127.0.0.1:$p is already in use (another broker? set KAFKA_PORT / KAFKA_DATA_DIR)"
  done

  cmd_fetch
  mkdir -p "$KAFKA_DATA_DIR" "$LOG_DIRS"
  write_server_properties
  format_storage

  promote_cds_archive
  cds_opts
  # Keep the previous run's log; the readiness check reads a fresh one.
  if [[ -f "$LOG_FILE" ]]; then mv -f "$LOG_FILE" "$LOG_FILE.prev"; fi
  rm -f "$PID_FILE"
  # Detached (own session, stdin closed) so the broker outlives this script. The launcher writes
  # its own pid and then execs java, so the pid file names the JVM.
  # SC2086: KAFKA_HEAP / KAFKA_JVM_OPTS are word-split on purpose. SC2016: $$ is for the inner bash.
  # shellcheck disable=SC2086,SC2016
  setsid bash -c 'echo $$ >"$1"; shift; exec "$@"' kafka-start "$PID_FILE" \
    java $KAFKA_HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true "${CDS_OPTS[@]}" \
    "-Dkafka.logs.dir=$KAFKA_DATA_DIR" "-Dlog4j2.configurationFile=$SCRIPT_DIR/log4j2.xml" \
    $KAFKA_JVM_OPTS -cp "$LIBS_DIR/*" kafka.Kafka "$PROPS_FILE" \
    >"$LOG_FILE" 2>&1 </dev/null {start_lock}>&- &

  deadline=$(( ${t0%.*} + KAFKA_START_TIMEOUT ))
  # The launcher writes its own pid (then execs java), so wait for the file first.
  pid=""
  while [[ -z "$pid" ]]; do
    sleep 0.05
    pid="$(cat "$PID_FILE" 2>/dev/null || true)"
    (( ${EPOCHREALTIME%.*} < deadline )) || fail_start "broker launcher did not start"
  done
  while :; do
    pid_alive "$pid" || fail_start "broker exited during startup (see $LOG_FILE)"
    if grep -qF "Kafka Server started" "$LOG_FILE" && port_open "$KAFKA_PORT"; then
      break
    fi
    (( ${EPOCHREALTIME%.*} < deadline )) \
      || fail_start "broker not ready after ${KAFKA_START_TIMEOUT}s (see $LOG_FILE)"
    sleep 0.1
  done
  elapsed="$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')"
  echo "kafka ready on 127.0.0.1:$KAFKA_PORT in ${elapsed}s"
}

cmd_stop() {
  local pid i
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    echo "kafka not running (data dir $KAFKA_DATA_DIR)"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < KAFKA_STOP_TIMEOUT * 10; i++)); do
    pid_alive "$pid" || break
    sleep 0.1
  done
  if pid_alive "$pid"; then
    log "broker (pid $pid) still alive after ${KAFKA_STOP_TIMEOUT}s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while pid_alive "$pid"; do sleep 0.1; done
  fi
  rm -f "$PID_FILE"
  promote_cds_archive
  echo "kafka stopped (pid $pid)"
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    echo "kafka running on 127.0.0.1:$KAFKA_PORT (pid $pid, data dir $KAFKA_DATA_DIR)"
    return 0
  fi
  echo "kafka not running (data dir $KAFKA_DATA_DIR)"
  return 1
}

cmd_reset() {
  cmd_stop
  rm -rf "$KAFKA_DATA_DIR"
  echo "kafka data dir $KAFKA_DATA_DIR deleted"
}

# ---------------------------------------------------------------------------------------------
# tool
# ---------------------------------------------------------------------------------------------

cmd_tool() {
  local cls
  [[ $# -ge 1 ]] || die "usage: kafka.sh tool NAME|CLASS [ARGS...]"
  case "$1" in
    producer-perf) cls=org.apache.kafka.tools.ProducerPerformance ;;
    consumer-perf) cls=org.apache.kafka.tools.ConsumerPerformance ;;
    e2e-latency) cls=org.apache.kafka.tools.EndToEndLatency ;;
    topics) cls=org.apache.kafka.tools.TopicCommand ;;
    console-producer) cls=org.apache.kafka.tools.ConsoleProducer ;;
    console-consumer) cls=org.apache.kafka.tools.consumer.ConsoleConsumer ;;
    *.*) cls="$1" ;;
    *) die "unknown tool '$1' (producer-perf, consumer-perf, e2e-latency, topics, console-producer, console-consumer, or a class name)" ;;
  esac
  shift
  cmd_fetch_tools
  exec java -Xmx512m -Djava.awt.headless=true "-Dlog4j2.configurationFile=$SCRIPT_DIR/log4j2-tools.xml" \
    -cp "$TOOLS_DIR/*" "$cls" "$@"
}

usage() {
  sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    fetch) cmd_fetch ;;
    fetch-tools) cmd_fetch_tools ;;
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    reset) cmd_reset ;;
    tool) cmd_tool "$@" ;;
    -h | --help | help) usage ;;
    "") usage >&2; exit 2 ;;
    *) die "unknown command '$cmd' (fetch, fetch-tools, start, stop, status, reset, tool)" ;;
  esac
}

main "$@"

#!/usr/bin/env bash
# Benchmark harness of the ledger (issue 6): one command on a fresh Debian 12 machine (as root).
#
#   bash ops/bench/run.sh [all|uniform|hot|batch|fixed-rate|lag|baseline|rebuild|peers|holds|wrk]   (default: all)
#
# It starts (or reuses) the project-local PostgreSQL 15 through ops/pg.sh, drops and recreates the
# database ledger_bench, builds the load generator (ops/bench/Ledger.Bench.Load) and the API in
# Release, starts the API on a free 127.0.0.1 port with throw-away API keys and
# ASPNETCORE_ENVIRONMENT=Production, waits for /health/ready, seeds accounts through POST /accounts,
# runs the scenarios, stops the API, runs the SQL baselines with pgbench on the same cluster, and
# prints one table. All traffic stays on 127.0.0.1; every loop is bounded in count and time.
# `peers` (issue 15) runs uniform-64 and hot-64 with the C# generator and with wrk, then the idiomatic
# Critter-Stack peer (ops/bench/Ledger.Bench.Idiomatic) with both generators over the sweep, then the
# SQL baselines over the sweep, and prints each subject's best beside the ledger's figures.
# `holds` (issue 14) runs uniform-64 and then holds-64 (each transfer a pending one, then its post) in
# the same run, so two-phase throughput reads next to one-phase.
# `wrk` runs only the ledger's uniform-64 and hot-64 driven by wrk (the light generator): the A/B of one
# change, or of another checkout with this harness copied in (issue 15's "same run" comparisons).
#
# Knobs (environment): BENCH_DURATION (s, default 20), BENCH_WARMUP (s, 10), BENCH_ACCOUNTS (10000),
# BENCH_RATE (fixed-rate target per s, 5000), BENCH_BATCH_CONNECTIONS (concurrent batch requests, 4),
# BENCH_SEED_CONNECTIONS (64), BENCH_SWEEP (client counts of the peers and baselines, "8 16 32 64"),
# BENCH_MAX_TRIES (tries per transfer of a client that retries, 10), BENCH_WRK_CONNECTIONS (connection
# counts of the ledger's wrk scenarios, "64"; e.g. "64 128 256" to find each build's best), BENCH_PERF=1 (profile the
# uniform-64 window with Linux perf, system wide (with `wrk`: wrk's first uniform window), the API's JIT-compiled code named through
# DOTNET_PerfMapEnabled; reports in the run directory).
# Output: the table on stdout; logs, pgbench transaction logs and results.jsonl under
# .data/bench/run-<UTC time>/ (git-ignored).
set -euo pipefail

REPO="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd -P)"
BENCH="$REPO/ops/bench"
PGBIN=/usr/lib/postgresql/15/bin

SCENARIO="${1:-all}"
case "$SCENARIO" in
  all | uniform | hot | batch | fixed-rate | lag | baseline | rebuild | peers | holds | wrk) ;;
  -h | --help | help)
    sed -n '2,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    exit 0
    ;;
  *)
    echo "usage: bash ops/bench/run.sh [all|uniform|hot|batch|fixed-rate|lag|baseline|rebuild|peers|holds|wrk]" >&2
    exit 2
    ;;
esac
(( $# <= 1 )) || { echo "usage: bash ops/bench/run.sh [scenario]  (one scenario at a time)" >&2; exit 2; }

DURATION="${BENCH_DURATION:-20}"
WARMUP="${BENCH_WARMUP:-10}"
ACCOUNTS="${BENCH_ACCOUNTS:-10000}"
RATE="${BENCH_RATE:-5000}"
BATCH_CONNECTIONS="${BENCH_BATCH_CONNECTIONS:-4}"
SEED_CONNECTIONS="${BENCH_SEED_CONNECTIONS:-64}"
PERF="${BENCH_PERF:-0}"
SWEEP="${BENCH_SWEEP:-8 16 32 64}"
WRK_CONNECTIONS="${BENCH_WRK_CONNECTIONS:-64}"
MAX_TRIES="${BENCH_MAX_TRIES:-10}"
for knob in DURATION WARMUP ACCOUNTS RATE BATCH_CONNECTIONS SEED_CONNECTIONS MAX_TRIES; do
  [[ ${!knob} =~ ^[0-9]+$ ]] || { echo "run.sh: BENCH_$knob must be a whole number, got '${!knob}'" >&2; exit 2; }
done
(( DURATION >= 1 && DURATION <= 300 )) || { echo "run.sh: BENCH_DURATION must be 1..300 s" >&2; exit 2; }
(( WARMUP <= 60 )) || { echo "run.sh: BENCH_WARMUP must be at most 60 s" >&2; exit 2; }
(( ACCOUNTS >= 12 && ACCOUNTS <= 1000000 )) || { echo "run.sh: BENCH_ACCOUNTS must be 12..1000000" >&2; exit 2; }
(( MAX_TRIES >= 1 && MAX_TRIES <= 100 )) || { echo "run.sh: BENCH_MAX_TRIES must be 1..100" >&2; exit 2; }
# A list knob: counts separated by spaces, each within 1..MAX. count_list KNOB MAX WHAT (KNOB: the variable, BENCH_KNOB its setting)
count_list() {
  local name="BENCH_$1" value="${!1}" count
  [[ $value =~ ^[[:space:]]*[0-9]+([[:space:]]+[0-9]+)*[[:space:]]*$ ]] || { echo "run.sh: $name must be $3 separated by spaces, got '$value'" >&2; exit 2; }
  for count in $value; do
    (( count >= 1 && count <= $2 )) || { echo "run.sh: each $name count must be 1..$2, got $count" >&2; exit 2; }
  done
}
count_list SWEEP 256 "client counts"
count_list WRK_CONNECTIONS 1024 "connection counts"

say() { printf 'bench: %s\n' "$*" >&2; }
die() { printf 'bench: error: %s\n' "$*" >&2; exit 1; }

wants() { [[ $SCENARIO == all || $SCENARIO == "$1" ]]; }
# The comparison of issue 15: the ledger at 64 connections with both generators, then every peer.
peers() { [[ $SCENARIO == peers ]]; }
# Both kinds of run drive the ledger with wrk.
with_wrk() { [[ $SCENARIO == peers || $SCENARIO == wrk ]]; }
needs_api() { [[ $SCENARIO != baseline ]]; }

if [[ $PERF == 1 ]] && ! command -v perf >/dev/null; then
  echo "run.sh: BENCH_PERF=1 needs perf (Debian: apt-get install linux-perf)" >&2
  exit 2
fi

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
command -v dotnet >/dev/null || die "dotnet is not installed (the SDK pinned in global.json is needed)"

# ---- PostgreSQL ------------------------------------------------------------------------------
# shellcheck source=ops/pg.sh
source "$REPO/ops/pg.sh"
ledger_pg_up >&2
PG_PORT="$LEDGER_PG_PORT"

PGBENCH="$PGBIN/pgbench"
if [[ ! -x $PGBENCH ]]; then
  # Debian ships pgbench in postgresql-client-15 (a dependency of postgresql-15).
  (( EUID == 0 )) || die "$PGBENCH is missing: apt-get install postgresql-client-15 (as root)"
  say "installing postgresql-client-15 for pgbench"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql-client-15 >&2
  [[ -x $PGBENCH ]] || die "pgbench still missing after installing postgresql-client-15"
fi

WRK=""
if with_wrk; then
  if ! WRK="$(command -v wrk)"; then
    (( EUID == 0 )) || die "wrk is missing: apt-get install wrk (as root)"
    say "installing wrk (Debian package) for the light load generator"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q wrk >&2 || { apt-get update -q >&2 && apt-get install -y -q wrk >&2; } || die "apt-get install wrk failed"
    WRK="$(command -v wrk)" || die "wrk still missing after installing it"
  fi
fi

export PGPASSWORD=ledger PGCONNECT_TIMEOUT=10
psql_bench() { "$PGBIN/psql" -X -w -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U ledger "$@"; }

PG_PID="$(head -n 1 "$REPO/.data/pg/postmaster.pid")"
[[ $PG_PID =~ ^[0-9]+$ ]] || die "cannot read the postmaster's pid from .data/pg/postmaster.pid"

say "recreating database ledger_bench"
psql_bench -d postgres -c 'DROP DATABASE IF EXISTS ledger_bench WITH (FORCE)' -c 'CREATE DATABASE ledger_bench'
DB_CONN="Host=127.0.0.1;Port=$PG_PORT;Username=ledger;Password=ledger;Database=ledger_bench"

# ---- run directory and machine facts ----------------------------------------------------------
STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
RUN="$REPO/.data/bench/run-$STAMP"
BUILD="$REPO/.data/bench/build"
mkdir -p "$RUN" "$BUILD"
RESULTS="$RUN/results.jsonl"
: >"$RESULTS"

{
  echo "date:        $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "commit:      $(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$REPO" diff --quiet HEAD -- . ':!ops/bench' ':!docs' 2>/dev/null || echo ' (+ uncommitted changes)')"
  echo "cpu:         $(nproc) x $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
  echo "memory:      $(awk '/^MemTotal:/ { t = $2 } /^MemAvailable:/ { a = $2 } END { printf "%.1f GiB total, %.1f GiB available", t / 1048576, a / 1048576 }' /proc/meminfo)"
  echo "kernel:      $(uname -r)"
  echo "load avg:    $(cut -d' ' -f1-3 /proc/loadavg) at start (1, 5, 15 min; other work on the machine skews every number)"
  echo "dotnet:      $(dotnet --version)"
  echo "postgresql:  $(psql_bench -d ledger_bench -Atc 'select version()')"
  echo "pg settings: $(psql_bench -d ledger_bench -Atc "select string_agg(name || '=' || setting || coalesce(unit, ''), ' ' order by name) from pg_settings where name in ('fsync','synchronous_commit','full_page_writes','wal_sync_method','shared_buffers','max_connections','max_wal_size')")"
  echo "scenario:    $SCENARIO, ${DURATION} s measured after ${WARMUP} s warm-up, $ACCOUNTS accounts"
  if wants baseline || peers; then echo "sweep:       $SWEEP clients, up to $MAX_TRIES tries per transfer"; fi
  if with_wrk; then echo "wrk:         $("$WRK" --version 2>&1 | head -n 1)"; fi
} | tee "$RUN/machine.txt" >&2

# ---- builds -----------------------------------------------------------------------------------
LOAD_DLL="$BUILD/load/Ledger.Bench.Load.dll"
say "building the load generator (Release)"
dotnet build "$BENCH/Ledger.Bench.Load/Ledger.Bench.Load.csproj" -c Release -o "$BUILD/load" --nologo >"$RUN/build-load.log" 2>&1 ||
  { tail -n 30 "$RUN/build-load.log" >&2; die "load generator build failed (log: $RUN/build-load.log)"; }
load() { dotnet "$LOAD_DLL" "$@"; }

API_PID=""
PEER_PID=""
# SIGTERM, 30 s to stop, then SIGKILL: a server of this run, by the pid this script started it as.
stop_server() {
  local pid="$1" name="$2" i
  [[ -n $pid ]] || return 0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for (( i = 0; i < 150; i++ )); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
    if kill -0 "$pid" 2>/dev/null; then
      say "$name (pid $pid) ignored SIGTERM for 30 s; killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
}
stop_api() { stop_server "$API_PID" API; API_PID=""; }
stop_peer() { stop_server "$PEER_PID" "idiomatic peer"; PEER_PID=""; }
trap 'stop_api; stop_peer' EXIT

# The API is built from a copy of the work tree's sources (tracked and untracked, not ignored) in
# .data/bench/build/src: a build or test run started by someone else meanwhile cannot swap files
# under the benchmark, and the benchmark's build cannot disturb theirs. The copy keeps its bin/ and
# obj/ and the files' times, so the next run builds incrementally.
snapshot_sources() {
  local src="$BUILD/src" list="$BUILD/src.files" projects=() d
  mkdir -p "$src"
  # Every top-level project but the tests: an older checkout (with this harness copied in, for an A/B)
  # may have projects this one no longer has, such as the hand-written event store before Marten.
  for d in "$REPO"/*/; do
    d="$(basename "$d")"
    [[ $d != Ledger.Tests ]] && compgen -G "$REPO/$d/*.csproj" >/dev/null && projects+=("$d")
  done
  (cd "$REPO" && git ls-files -co --exclude-standard -- Directory.Build.props Directory.Packages.props global.json \
      NuGet.Config nuget.config "${projects[@]}" |
    while IFS= read -r f; do [[ -f $f ]] && printf '%s\n' "$f"; done | LC_ALL=C sort -u) >"$list"
  [[ -s $list ]] || die "no sources found to build (is $REPO a git checkout?)"
  # Files gone from the work tree go from the copy too, or the build would still compile them.
  (cd "$src" && find . -type f ! -path '*/bin/*' ! -path '*/obj/*' | sed 's|^\./||' | LC_ALL=C sort) |
    LC_ALL=C comm -23 - "$list" | (cd "$src" && xargs -r -d '\n' rm -f --)
  (cd "$REPO" && tar -cf - -T "$list") | (cd "$src" && tar -xf -)
}

if peers; then
  say "building the idiomatic peer (Release)"
  rm -rf "$BUILD/idiomatic"
  dotnet publish "$BENCH/Ledger.Bench.Idiomatic/Ledger.Bench.Idiomatic.csproj" -c Release -o "$BUILD/idiomatic" --nologo >"$RUN/build-idiomatic.log" 2>&1 ||
    { tail -n 30 "$RUN/build-idiomatic.log" >&2; die "idiomatic peer build failed (log: $RUN/build-idiomatic.log)"; }
fi

if needs_api; then
  say "publishing Ledger.Api (Release) from a copy of the work tree"
  snapshot_sources
  # Published to a directory of its own, so the process measured is the server itself (not a
  # `dotnet run` wrapper, which is a second process).
  rm -rf "$BUILD/api"
  dotnet publish "$BUILD/src/Ledger.Api/Ledger.Api.csproj" -c Release -o "$BUILD/api" --nologo >"$RUN/build-api.log" 2>&1 ||
    { tail -n 30 "$RUN/build-api.log" >&2; die "API build failed (log: $RUN/build-api.log)"; }
fi

# ---- the API ----------------------------------------------------------------------------------
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p
  for (( p = 5181; p <= 5299; p++ )); do
    if ! port_busy "$p"; then echo "$p"; return 0; fi
  done
  return 1
}

COMMON=()
if needs_api; then
  API_PORT="$(free_port)" || die "no free port in 127.0.0.1:5181-5299"
  BASE_URL="http://127.0.0.1:$API_PORT"

  # Throw-away keys for this run only.
  rand_key() { od -An -tx1 -N16 /dev/urandom | tr -d ' \n'; }
  export BENCH_CLIENT_KEY="bc-$(rand_key)" BENCH_AUDITOR_KEY="ba-$(rand_key)"
  bench_operator_key="bo-$(rand_key)"

  say "starting the API on $BASE_URL (Production)"
  (
    cd "$BUILD/api"
    export LEDGER_DB="$DB_CONN"
    export LEDGER_API_KEYS="$BENCH_CLIENT_KEY:client:bench-client,$BENCH_AUDITOR_KEY:auditor:bench-auditor,$bench_operator_key:operator:bench-operator"
    export ASPNETCORE_ENVIRONMENT=Production
    if [[ $PERF == 1 ]]; then export DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0; fi
    # Rate limits are a per-client policy (default 2,000/s per key); one bench key stands for many
    # clients, so its bucket is made big enough never to bind. The limiter itself stays on.
    export Ledger__RateLimits__TokensPerSecond=1000000 Ledger__RateLimits__BurstTokens=1000000
    unset BENCH_CLIENT_KEY BENCH_AUDITOR_KEY PGPASSWORD
    exec dotnet Ledger.Api.dll --urls "$BASE_URL"
  ) >"$RUN/api.log" 2>&1 &
  API_PID=$!

  load wait-ready --base-url "$BASE_URL" --api-pid "$API_PID" --timeout 180 >&2 ||
    { tail -n 20 "$RUN/api.log" >&2; die "the API did not become ready (log: $RUN/api.log)"; }

  say "seeding $ACCOUNTS accounts through POST /accounts ($SEED_CONNECTIONS in parallel)"
  load seed --base-url "$BASE_URL" --count "$ACCOUNTS" --connections "$SEED_CONNECTIONS" \
    --initial-balance 1000000000 --out "$RUN/accounts.txt" --timeout 600 >&2 ||
    die "seeding failed (API log: $RUN/api.log)"
  # The tables grew from nothing within seconds, faster than autovacuum's next analyze. Plans the API
  # prepared meanwhile (hash joins over sequential scans, right for a table of a few rows) would stay
  # in use until that analyze; production gets there by itself, so the measured window should too.
  psql_bench -d ledger_bench -c 'ANALYZE'

  COMMON=(--base-url "$BASE_URL" --accounts-file "$RUN/accounts.txt" --results "$RESULTS"
    --warmup "$WARMUP" --duration "$DURATION" --api-pid "$API_PID" --pg-pid "$PG_PID"
    --clk-tck "$(getconf CLK_TCK)" --catch-up-timeout 120 --max-tries "$MAX_TRIES")
fi

scenario() {
  say "scenario $*"
  kill -0 "$API_PID" 2>/dev/null || die "the API process is gone (log: $RUN/api.log)"
  load "$@" "${COMMON[@]}" >&2
}

# perf samples every CPU (cpu-clock, no call graphs) inside the measured window of uniform-64; the
# reports split the samples by process (API, load generator, PostgreSQL, anything else), sum the API's by
# the assembly of each managed method, and list the API's and PostgreSQL's hottest code. The API writes
# /tmp/perf-<pid>.map for its JIT-compiled code (DOTNET_PerfMapEnabled=1; W^X off so perf can map the code
# pages).
perf_record_window() {
  local seconds=$(( DURATION > 4 ? DURATION - 2 : DURATION ))
  sleep "$(( WARMUP + 1 ))"
  perf record -q -e cpu-clock -F 499 -a -o "$RUN/perf-$1.data" -- sleep "$seconds" >/dev/null 2>&1 || true
}

perf_reports() {
  local name="$1" load_pid="$2" data="$RUN/perf-$1.data"
  [[ -s $data ]] || { say "perf recorded nothing"; return 0; }
  perf script -i "$data" -F comm,pid 2>/dev/null |
    awk -v api="$API_PID" -v gen="$load_pid" '
      { pid = $NF; sub(/\/.*/, "", pid); comm = $0; sub(/[[:space:]]+[0-9]+(\/[0-9]+)?[[:space:]]*$/, "", comm); gsub(/^[[:space:]]+/, "", comm)
        who = pid == api ? "Ledger.Api" : pid == gen ? "load generator" : comm == "postgres" ? "postgres (every database of the cluster)" : "other: " comm
        n[who]++; total++ }
      END { for (w in n) printf "%6.1f%%  %s\n", 100 * n[w] / total, w; printf "%d samples over all CPUs\n", total }' |
    sort -rn >"$RUN/perf-$name-by-process.txt" || true
  perf report -i "$data" --no-children --percentage relative --pid "$API_PID" --sort dso --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 25 >"$RUN/perf-$name-api-by-dso.txt" || true
  local symbols="$RUN/perf-$name-api-symbols-all.txt"
  perf report -i "$data" --no-children --percentage relative --pid "$API_PID" --sort sym --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' >"$symbols" || true
  head -n 80 "$symbols" >"$RUN/perf-$name-api-symbols.txt"
  # The API's profile is flat symbol by symbol; summed by the assembly each managed method belongs to,
  # it shows which component (Kestrel, Npgsql, Marten, System.Text.Json, Serilog, ...) costs what.
  awk '{ pct = $1; sub(/%/, "", pct)
         if ($2 == "[k]") key = "kernel"
         else if (match($0, /\[[A-Za-z][A-Za-z0-9_.]*\] [^ ]*::/)) { s = substr($0, RSTART + 1, RLENGTH); key = substr(s, 1, index(s, "]") - 1) }
         else if ($3 ~ /^0x/) key = "code without a symbol (JIT stubs, the runtime)"
         else key = "native libraries and runtime stubs"
         n[key] += pct }
       END { for (k in n) printf "%6.2f%%  %s\n", n[k], k }' "$symbols" | sort -rn | head -n 30 >"$RUN/perf-$name-api-by-assembly.txt" || true
  rm -f "$symbols"
  perf report -i "$data" --no-children --percentage relative --comm postgres --sort sym --stdio 2>/dev/null | grep -v '^#' | grep -v '^$' | head -n 50 >"$RUN/perf-$name-postgres-symbols.txt" || true
  say "perf reports: $RUN/perf-$name-*.txt"
}

if wants holds; then
  # Two-phase next to one-phase, in the same run: each hold-then-post is two requests and three streams.
  scenario uniform --connections 64 --label uniform-64
  scenario holds --connections 64 --label holds-64
fi
# One scenario, profiled with perf when BENCH_PERF=1: profiled <label> <load generator arguments...>.
profiled() {
  local label="$1" perf_job gen_pid
  shift
  if [[ $PERF != 1 ]]; then
    scenario "$@" --label "$label"
    return
  fi
  perf_record_window "$label" &
  perf_job=$!
  ( exec dotnet "$LOAD_DLL" "$@" --label "$label" "${COMMON[@]}" ) >&2 &
  gen_pid=$!
  say "scenario $* (profiled; load generator pid $gen_pid)"
  wait "$gen_pid" || die "scenario $label failed"
  wait "$perf_job" || true
  perf_reports "$label" "$gen_pid"
}

if wants uniform || wants lag || peers; then
  profiled uniform-64 uniform --connections 64 --sample-lag
fi
if wants uniform; then
  scenario uniform --connections 256 --label uniform-256
fi
if wants hot || peers; then
  scenario hot --connections 64 --label hot-64
fi
# The ledger through wrk, both mixes, at each of BENCH_WRK_CONNECTIONS; the wrk scenario profiles its first
# uniform window.
if with_wrk; then
  first_uniform=1
  for connections in $WRK_CONNECTIONS; do
    for mix in uniform hot; do
      wrk_args=(wrk --wrk "$WRK" --script "$BENCH/wrk/transfers.lua" --mix "$mix" --connections "$connections")
      if [[ $SCENARIO == wrk && $mix == uniform ]] && (( first_uniform )); then
        profiled "wrk-$mix-$connections" "${wrk_args[@]}"; first_uniform=0
      else scenario "${wrk_args[@]}" --label "wrk-$mix-$connections"; fi
    done
  done
fi
if wants batch; then
  scenario batch --size 1000 --connections "$BATCH_CONNECTIONS" --label batch-1000
  scenario batch --size 8190 --connections "$BATCH_CONNECTIONS" --label batch-8190
fi
if wants fixed-rate; then
  scenario fixed-rate --rate "$RATE" --connections 256 --label "fixed-rate-$RATE"
fi
# Rebuild needs a big log: grow it with batches (bounded in time), then measure with the API stopped.
REBUILD_EVENTS="${BENCH_REBUILD_EVENTS:-1000000}"
if wants rebuild; then
  rebuild_deadline=$((SECONDS + 900))
  while :; do
    events="$(psql_bench -d ledger_bench -Atc 'select count(*) from ledger.mt_events')"
    (( events >= REBUILD_EVENTS || SECONDS >= rebuild_deadline )) && break
    say "rebuild: the log holds $events events; growing it towards $REBUILD_EVENTS"
    scenario batch --size 8190 --connections "$BATCH_CONNECTIONS" --label rebuild-seed
  done
fi

if needs_api; then
  say "stopping the API"
  perf_map="/tmp/perf-$API_PID.map"
  stop_api
  if [[ $PERF == 1 ]]; then
    # perf needs the map only while reporting, which is done.
    rm -f "$perf_map" "/tmp/perfinfo-${perf_map#/tmp/perf-}"
  fi
  # One JSON line per request is far too much to keep; warnings, errors and the first lines stay.
  { head -n 200 "$RUN/api.log"; grep -E '"Level":"(Warning|Error|Fatal)"' "$RUN/api.log" | head -n 2000 || true; } >"$RUN/api.log.kept"
  api_lines="$(wc -l <"$RUN/api.log")"
  mv "$RUN/api.log.kept" "$RUN/api.log"
  say "API log: $api_lines lines, warnings/errors kept in $RUN/api.log"
fi

if wants rebuild; then
  events="$(psql_bench -d ledger_bench -Atc 'select count(*) from ledger.mt_events')"
  say "rebuild: projections rebuild all over $events events (API stopped, so nothing else competes)"
  ( cd "$BUILD/api" && LEDGER_DB="$DB_CONN" ASPNETCORE_ENVIRONMENT=Production dotnet Ledger.Api.dll projections rebuild all ) \
    >"$RUN/rebuild.txt" 2>&1 || { cat "$RUN/rebuild.txt" >&2; die "the rebuild failed"; }
  grep 'rebuilt from' "$RUN/rebuild.txt" >&2
fi

# ---- the idiomatic peer (issue 15) -------------------------------------------------------------
# The ledger the obvious Critter-Stack way, in schema idiomatic of ledger_bench, with the ledger's API
# stopped: the same seeding, the same mixes, both generators, at every client count of the sweep.
if peers; then
  PEER_PORT="$(free_port)" || die "no free port in 127.0.0.1:5181-5299"
  PEER_URL="http://127.0.0.1:$PEER_PORT"
  say "starting the idiomatic peer on $PEER_URL (Production)"
  (
    cd "$BUILD/idiomatic"
    export IDIOMATIC_DB="$DB_CONN" ASPNETCORE_ENVIRONMENT=Production
    unset BENCH_CLIENT_KEY BENCH_AUDITOR_KEY PGPASSWORD
    # Marten logs each concurrency failure with its SQL and stack, dozens of lines: a hot sweep would fill
    # the disk. The first lines and the first 20 warnings or errors, whole, are kept; the rest is counted.
    exec dotnet Ledger.Bench.Idiomatic.dll --urls "$PEER_URL" > >(awk '
      /^[a-z]+: / { level = $1; n[level]++; keep = level ~ /^(warn|fail|crit):$/ && ++kept <= 20 }
      NR <= 200 || keep { print }
      END { printf "(%d lines in all; entries by level:", NR; for (l in n) printf " %s %d", l, n[l]; print ")" }' >"$RUN/idiomatic.log") 2>&1
  ) &
  PEER_PID=$!
  load wait-ready --base-url "$PEER_URL" --api-pid "$PEER_PID" --timeout 180 >&2 ||
    { sleep 1; tail -n 20 "$RUN/idiomatic.log" >&2; die "the idiomatic peer did not become ready (log: $RUN/idiomatic.log)"; }
  say "seeding $ACCOUNTS accounts through the peer's POST /accounts ($SEED_CONNECTIONS in parallel)"
  load seed --base-url "$PEER_URL" --count "$ACCOUNTS" --connections "$SEED_CONNECTIONS" \
    --initial-balance 1000000000 --out "$RUN/idiomatic-accounts.txt" --timeout 600 >&2 ||
    die "seeding the idiomatic peer failed (log: $RUN/idiomatic.log)"
  psql_bench -d ledger_bench -c 'ANALYZE'
  # No auditor key: the peer has no metrics or projections to read.
  PEER_COMMON=(--base-url "$PEER_URL" --accounts-file "$RUN/idiomatic-accounts.txt" --results "$RESULTS"
    --warmup "$WARMUP" --duration "$DURATION" --api-pid "$PEER_PID" --pg-pid "$PG_PID"
    --clk-tck "$(getconf CLK_TCK)" --subject idiomatic --max-tries "$MAX_TRIES")
  for mix in uniform hot; do
    for clients in $SWEEP; do
      kill -0 "$PEER_PID" 2>/dev/null || die "the idiomatic peer is gone (log: $RUN/idiomatic.log)"
      say "idiomatic peer: $mix, $clients connections, C# generator"
      BENCH_AUDITOR_KEY="" load "$mix" --connections "$clients" --label "idiomatic-$mix-$clients" "${PEER_COMMON[@]}" >&2
      say "idiomatic peer: $mix, $clients connections, wrk"
      BENCH_AUDITOR_KEY="" load wrk --wrk "$WRK" --script "$BENCH/wrk/transfers.lua" --mix "$mix" --connections "$clients" \
        --label "idiomatic-wrk-$mix-$clients" "${PEER_COMMON[@]}" >&2
    done
  done
  say "stopping the idiomatic peer"
  stop_peer
  # Measured only if it stayed correct: every transfer moved money between two seeded accounts.
  total="$(psql_bench -d ledger_bench -Atc "select sum((data ->> 'balanceMinor')::bigint) = 1000000000 * count(*) from idiomatic.mt_doc_account")"
  [[ $total == t ]] || say "WARNING: the idiomatic peer's balances no longer sum to the seeded total"
fi

# ---- the SQL baselines (issue 15) -----------------------------------------------------------------
# One design: its schema afresh, then uniform and hot at each client count of the sweep. Each pgbench
# transaction is the shared draw (pairs_<mix>.pgbench) and the design's one-statement transfer; pgbench
# retries serialization failures and deadlocks up to BENCH_MAX_TRIES tries, as a real client would.
baseline_sweep() {
  local design="$1" schema="$2" isolation="$3" call="$4" mix clients script
  say "baseline: $design ($schema, $ACCOUNTS accounts, $isolation)"
  psql_bench -d ledger_bench -v naccounts="$ACCOUNTS" -f "$BENCH/baseline/$schema"
  mkdir -p "$RUN/pgbench"
  for mix in uniform hot; do
    script="$RUN/pgbench/$design-$mix.pgbench"
    { cat "$BENCH/baseline/pairs_$mix.pgbench"; printf '%s\n' "$call"; } >"$script"
    for clients in $SWEEP; do
      say "baseline: pgbench, $design-$mix-$clients"
      PGOPTIONS="-c default_transaction_isolation=${isolation// /\\ }" \
        load pgbench --pgbench "$PGBENCH" --port "$PG_PORT" --db ledger_bench --user ledger \
        --script "$script" --accounts "$ACCOUNTS" --clients "$clients" --threads "$(( clients < $(nproc) ? clients : $(nproc) ))" \
        --warmup "$WARMUP" --duration "$DURATION" --max-tries "$MAX_TRIES" --label "$design-$mix-$clients" \
        --subject "$design" --mix "$mix" \
        --log-dir "$RUN/pgbench" --pg-pid "$PG_PID" --clk-tck "$(getconf CLK_TCK)" --results "$RESULTS" >&2
    done
  done
}

# A baseline is measured only if it stays correct: its balances still sum to the seeded total.
check_baseline() {
  local design="$1" query="$2"
  [[ "$(psql_bench -d ledger_bench -Atc "$query")" == t ]] || say "WARNING: $design no longer balances: the figures above are not valid"
}

if wants baseline || peers; then
  baseline_sweep naive-serializable schema.sql serializable 'SELECT naive.transfer_money(:from, :to, :cents / 100.0);'
  check_baseline naive-serializable 'select sum(balance) = 10000000.00 * count(*) from naive.accounts'
  baseline_sweep locked-read-committed schema.sql 'read committed' 'SELECT naive.transfer_money_locked(:from, :to, :cents / 100.0);'
  check_baseline locked-read-committed 'select sum(balance) = 10000000.00 * count(*) from naive.accounts'
  baseline_sweep pgledger pgledger.sql 'read committed' 'SELECT pgledger.create_transfer(:from, :to, :cents / 100.0);'
  check_baseline pgledger "select sum(balance) = 10000000.00 * count(*) and (select coalesce(sum(amount), 0) = 0 from pgledger.entries) from pgledger.accounts"
fi

load1="$(cut -d' ' -f1 /proc/loadavg)"
echo "load avg:    $(cut -d' ' -f1-3 /proc/loadavg) at end" | tee -a "$RUN/machine.txt" >&2
if awk -v l="$load1" -v n="$(nproc)" 'BEGIN { exit !(l > n * 1.5) }'; then
  say "WARNING: load average $load1 on $(nproc) cores at the end: the harness itself loads about $(nproc); more means other work competed with this run"
fi

echo
echo "Ledger benchmark, $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, scenario '$SCENARIO' (details: $RUN)"
echo
load report --results "$RESULTS"
if [[ -f $RUN/rebuild.txt ]]; then
  echo
  echo "rebuild (projections rebuild all, CLI, API stopped):"
  grep 'rebuilt from' "$RUN/rebuild.txt" | sed 's/^/  /'
fi

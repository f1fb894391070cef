# shellcheck shell=bash
# Shared by the chaos scenarios (ops/chaos/*.sh) and the HA failover test (ops/ha/failover.sh).
# Sourced, never run. It builds the API and the storm tool, starts and kills API processes, and
# keeps every started process in a list so that the EXIT trap stops exactly those, by pid.
#
# Knobs (environment):
#   CHAOS_BUILD=snapshot|inplace   snapshot (default outside CI): build from a copy of the work tree in
#                                  .data/chaos/build, so edits made meanwhile cannot change the binary
#                                  under test; inplace (default when CI is set): `dotnet build
#                                  Ledger.Api -c Release` in the checkout, reusing what ops/test.sh built.
#   CHAOS_API_DLL, CHAOS_STORM_DLL  use these binaries and build nothing (ops/chaos/run.sh sets them
#                                  once for all scenarios).
#   CHAOS_KEEP=1                   keep the scenarios' clusters (data directories) and full API logs.
#   CHAOS_CONVERGE_TIMEOUT=45      seconds verify waits for the projections to reach the head.

CHAOS_REPO="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd -P)"
CHAOS_DATA="$CHAOS_REPO/.data/chaos"
PGBIN=/usr/lib/postgresql/15/bin
export PGBIN
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

CHAOS_NAME="${CHAOS_NAME:-chaos}"
CHAOS_PIDS=()          # every background process this script started (APIs, storms, probes)
CHAOS_HOOKS=()         # scenario cleanup functions, run on exit before the pids are stopped
declare -gA API_PID=() API_PORT=() API_ENV_DB=()

say() { printf '%s: %s\n' "$CHAOS_NAME" "$*" >&2; }
now_ms() { date +%s%3N; }

# Prints the verdict line and ends the scenario.
chaos_pass() { printf '%s PASS: %s\n' "$CHAOS_NAME" "$*"; exit 0; }
chaos_fail() { printf '%s FAIL: %s\n' "$CHAOS_NAME" "$*"; exit 1; }

# chaos_init NAME LIMIT_SECONDS: run directory, keys, deadline and traps.
chaos_init() {
  CHAOS_NAME="$1"
  CHAOS_LIMIT="$2"
  CHAOS_DEADLINE=$(( SECONDS + CHAOS_LIMIT ))
  RUN="$CHAOS_DATA/runs/$CHAOS_NAME-$(date -u +%Y%m%dT%H%M%SZ)-$$"
  mkdir -p "$RUN"
  # Throw-away keys, for this run only; the tool reads them from the environment.
  rand_key() { od -An -tx1 -N16 /dev/urandom | tr -d ' \n'; }
  CHAOS_CLIENT_KEY="cc-$(rand_key)" CHAOS_AUDITOR_KEY="ca-$(rand_key)" CHAOS_OPERATOR_KEY="co-$(rand_key)"
  export CHAOS_CLIENT_KEY CHAOS_AUDITOR_KEY CHAOS_OPERATOR_KEY
  CHAOS_KEYS="$CHAOS_CLIENT_KEY:client:chaos-client,$CHAOS_AUDITOR_KEY:auditor:chaos-auditor,$CHAOS_OPERATOR_KEY:operator:chaos-operator"
  trap 'exit 143' TERM INT HUP
  trap chaos_cleanup EXIT
  say "run directory $RUN (limit ${CHAOS_LIMIT} s)"
}

# Fails the scenario when its time budget is spent; call it inside every loop.
check_deadline() {
  (( SECONDS < CHAOS_DEADLINE )) || chaos_fail "time limit of ${CHAOS_LIMIT} s reached${1:+ while $1}"
}

# A reaped process's pid may be reused by anyone: once waited for, it leaves the list.
forget_pid() {
  local pid kept=()
  for pid in "${CHAOS_PIDS[@]}"; do [[ $pid == "$1" ]] || kept+=("$pid"); done
  CHAOS_PIDS=("${kept[@]}")
}

# Our processes first (they may still talk to a database), then the scenario's hooks (clusters, roles).
chaos_cleanup() {
  local status=$? hook pid i
  trap - EXIT
  for pid in "${CHAOS_PIDS[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then kill -TERM "$pid" 2>/dev/null || true; fi
  done
  for pid in "${CHAOS_PIDS[@]}"; do
    for (( i = 0; i < 100; i++ )); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then kill -KILL "$pid" 2>/dev/null || true; fi
    wait "$pid" 2>/dev/null || true
  done
  for hook in "${CHAOS_HOOKS[@]}"; do "$hook" || true; done
  [[ -n ${RUN:-} && -d ${RUN:-} ]] && trim_logs
  exit "$status"
}

# API logs hold one line per request; keep everything else, and any request answered 5xx but 503.
trim_logs() {
  local log
  [[ ${CHAOS_KEEP:-0} == 1 ]] && return 0
  for log in "$RUN"/api-*.log; do
    [[ -f $log ]] || continue
    { grep -v -F '{Method} {Route} {Status}' "$log" || true
      grep -F '{Method} {Route} {Status}' "$log" | grep -E '"Status":5[0-9][0-9]' | grep -v '"Status":503' | head -n 1000 || true
    } >"$log.kept"
    mv "$log.kept" "$log"
  done
}

# ---- builds -------------------------------------------------------------------------------------

storm() { dotnet "$CHAOS_STORM_DLL" "$@"; }

chaos_build() {
  if [[ -n ${CHAOS_API_DLL:-} && -n ${CHAOS_STORM_DLL:-} ]]; then
    [[ -f $CHAOS_API_DLL && -f $CHAOS_STORM_DLL ]] || chaos_fail "CHAOS_API_DLL/CHAOS_STORM_DLL do not exist"
    return 0
  fi
  command -v dotnet >/dev/null || chaos_fail "dotnet is not installed (the SDK pinned in global.json is needed)"
  local mode="${CHAOS_BUILD:-}" build="$CHAOS_DATA/build" started=$SECONDS
  [[ -n $mode ]] || { [[ -n ${CI:-} ]] && mode=inplace || mode=snapshot; }
  mkdir -p "$build"
  # One build at a time: two chaos runs share the build directory.
  exec 8>"$build/.lock"
  flock -w 900 8 || chaos_fail "another chaos build held $build/.lock for 15 minutes"
  local src="$CHAOS_REPO"
  if [[ $mode == snapshot ]]; then
    src="$build/src"
    snapshot_sources "$src"
  elif [[ $mode != inplace ]]; then
    chaos_fail "CHAOS_BUILD must be snapshot or inplace, got '$mode'"
  fi
  say "building Ledger.Api and the storm tool (Release, $mode)"
  timeout -k 10 900 dotnet build "$src/Ledger.Api/Ledger.Api.csproj" -c Release --nologo -v q >"$build/build-api.log" 2>&1 ||
    { tail -n 30 "$build/build-api.log" >&2; chaos_fail "Ledger.Api does not build (log: $build/build-api.log)"; }
  timeout -k 10 900 dotnet build "$src/ops/chaos/Ledger.Chaos.Storm/Ledger.Chaos.Storm.csproj" -c Release --nologo -v q >"$build/build-storm.log" 2>&1 ||
    { tail -n 30 "$build/build-storm.log" >&2; chaos_fail "the storm tool does not build (log: $build/build-storm.log)"; }
  exec 8>&-
  export CHAOS_API_DLL="$src/Ledger.Api/bin/Release/net10.0/Ledger.Api.dll"
  export CHAOS_STORM_DLL="$src/ops/chaos/Ledger.Chaos.Storm/bin/Release/net10.0/Ledger.Chaos.Storm.dll"
  say "built in $(( SECONDS - started )) s"
  # The time limit covers the scenario, not the build.
  CHAOS_DEADLINE=$(( SECONDS + CHAOS_LIMIT ))
}

# A copy of the sources the API needs (tracked and untracked, not ignored), keeping file times and the
# copy's bin/obj so that the next build is incremental. Files gone from the work tree go from the copy.
snapshot_sources() {
  local src="$1" list
  mkdir -p "$src"
  list="$(mktemp)"
  (cd "$CHAOS_REPO" && git ls-files -co --exclude-standard -- Directory.Build.props Directory.Packages.props global.json \
      NuGet.Config nuget.config Ledger.Api Ledger.Domain Ledger.Projections ops/chaos/Ledger.Chaos.Storm |
    while IFS= read -r f; do [[ -f $f ]] && printf '%s\n' "$f"; done | LC_ALL=C sort -u) >"$list" ||
    chaos_fail "cannot list the sources (is $CHAOS_REPO a git checkout?)"
  [[ -s $list ]] || chaos_fail "no sources found to build"
  (cd "$src" && find . -type f ! -path '*/bin/*' ! -path '*/obj/*' | sed 's|^\./||' | LC_ALL=C sort) |
    LC_ALL=C comm -23 - "$list" | (cd "$src" && xargs -r -d '\n' rm -f --)
  (cd "$CHAOS_REPO" && tar -cf - -T "$list") | (cd "$src" && tar -xf -)
  rm -f "$list"
}

# ---- PostgreSQL ---------------------------------------------------------------------------------

export PGPASSWORD=ledger PGCONNECT_TIMEOUT=10

# The project-local cluster (ops/pg.sh) and a database of the chaos suite's own on it.
shared_pg_up() {
  # shellcheck source=ops/pg.sh
  source "$CHAOS_REPO/ops/pg.sh"
  ledger_pg_up >&2 || chaos_fail "ops/pg.sh could not start PostgreSQL"
  PG_PORT="$LEDGER_PG_PORT"
  PG_DB=ledger_chaos
  if [[ "$(psql_at "$PG_PORT" postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" != 1 ]]; then
    psql_at "$PG_PORT" postgres -c "CREATE DATABASE $PG_DB" >/dev/null 2>&1 ||
      [[ "$(psql_at "$PG_PORT" postgres -Atc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")" == 1 ]] ||
      chaos_fail "cannot create database $PG_DB"
  fi
}

# Bounded like everything else: a psql that waits (say, for a synchronous standby) ends after 120 s.
psql_at() { PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" timeout -k 5 120 "$PGBIN/psql" -X -w -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$1" -U ledger -d "$2" "${@:3}"; }

# conn_string PORT DB APP: an Npgsql connection string; everything else stays at Npgsql's defaults.
conn_string() { printf 'Host=127.0.0.1;Port=%s;Username=ledger;Password=ledger;Database=%s;Application Name=%s' "$1" "$2" "$3"; }

drop_schema() { psql_at "$1" "$2" -c "DROP SCHEMA IF EXISTS \"$3\" CASCADE" >/dev/null; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port FROM TO: the first port in the range nobody listens on.
free_port() {
  local p
  for (( p = $1; p <= $2; p++ )); do
    port_busy "$p" || { printf '%s\n' "$p"; return 0; }
  done
  chaos_fail "no free port in 127.0.0.1:$1-$2"
}

# Our own cluster: initdb (once) into DIR as the postgres user, the settings of ops/postgres made
# loopback-sized, then start on PORT. Used where a scenario stops or kills the server itself.
as_pg() { if (( EUID == 0 )); then (cd / && runuser -u postgres -- "$@"); else (cd / && "$@"); fi; }

own_cluster_init() {
  local dir="$1" pwfile
  # A fresh machine: ops/pg.sh installs postgresql-15 (and starts the project-local cluster).
  [[ -x $PGBIN/initdb ]] || bash "$CHAOS_REPO/ops/pg.sh" up >&2 || true
  [[ -x $PGBIN/initdb ]] || chaos_fail "PostgreSQL 15 is missing ($PGBIN/initdb) and ops/pg.sh could not install it"
  mkdir -p "$(dirname "$dir")"
  if (( EUID == 0 )); then
    # The postgres user must reach the data directory.
    local d="$dir"
    while d="$(dirname "$d")"; [[ $d != / ]]; do
      runuser -u postgres -- test -x "$d" || chmod o+x "$d"
    done
    install -d -o postgres -g postgres -m 0700 "$dir"
  else
    install -d -m 0700 "$dir"
  fi
  pwfile="$(mktemp)"
  printf 'ledger\n' >"$pwfile"
  (( EUID == 0 )) && chown postgres "$pwfile"
  as_pg timeout 300 "$PGBIN/initdb" -D "$dir" -U ledger --pwfile="$pwfile" -E UTF8 --locale=C \
    --auth-local=trust --auth-host=scram-sha-256 --no-instructions >"$RUN/initdb-$(basename "$dir").log" 2>&1 ||
    { rm -f "$pwfile"; cat "$RUN/initdb-$(basename "$dir").log" >&2; chaos_fail "initdb of $dir failed"; }
  rm -f "$pwfile"
  cat >"$dir/pg_hba.conf" <<'EOF'
# Written by ops/chaos/lib.sh: loopback only.
local   all          all                  trust
host    all          all   127.0.0.1/32   scram-sha-256
local   replication  all                  trust
host    replication  all   127.0.0.1/32   scram-sha-256
EOF
  printf "\ninclude_if_exists 'chaos.conf'\n" >>"$dir/postgresql.conf"
  (( EUID == 0 )) && chown postgres:postgres "$dir/pg_hba.conf"
  return 0
}

# own_cluster_conf DIR PORT [extra lines...]: the settings file, rewritten before each start.
own_cluster_conf() {
  local dir="$1" port="$2" sock="$3"
  shift 3
  {
    echo "# Written by ops/chaos/lib.sh (see ops/postgres/postgresql.conf for the production settings and why)."
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $port"
    echo "unix_socket_directories = '$sock'"
    echo "max_connections = 200"
    echo "shared_buffers = 128MB"
    echo "fsync = on"
    echo "synchronous_commit = on"
    echo "full_page_writes = on"
    echo "wal_level = replica"
    echo "max_wal_size = 1GB"
    echo "idle_in_transaction_session_timeout = 60s"
    echo "logging_collector = off"
    printf '%s\n' "$@"
  } >"$dir/chaos.conf"
  (( EUID == 0 )) && chown postgres:postgres "$dir/chaos.conf"
  return 0
}

own_cluster_start() {
  local dir="$1" log="$2"
  touch "$log"
  (( EUID == 0 )) && chown postgres "$log"
  # Only descriptors 0-2 go to the server: it must not hold our pipes or locks open.
  ( cd / && for fd in /proc/"$BASHPID"/fd/*; do fd="${fd##*/}"; (( fd > 2 && fd != 255 )) && eval "exec $fd>&-"; done
    as_pg "$PGBIN/pg_ctl" -D "$dir" -l "$log" -w -t 60 -s start ) ||
    { tail -n 20 "$log" >&2; chaos_fail "PostgreSQL in $dir did not start (log $log)"; }
}

own_cluster_pid() { head -n 1 "$1/postmaster.pid" 2>/dev/null; }

# The postmaster and every server process working in its data directory.
own_cluster_pids() {
  local dir="$1" pids link pid
  pids="$(own_cluster_pid "$dir")"
  for link in /proc/[0-9]*/cwd; do
    [[ "$(readlink "$link" 2>/dev/null)" == "$dir" ]] || continue
    pid="${link#/proc/}"; pid="${pid%/cwd}"
    [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == postgres ]] && pids="$pids $pid"
  done
  printf '%s\n' "$pids"
}

# Kill -9 the postmaster and every process of it at once: what a machine crash does to the server.
own_cluster_kill9() {
  local pids
  pids="$(own_cluster_pids "$1")"
  # shellcheck disable=SC2086 # a list of pids
  if [[ -n ${pids// /} ]]; then kill -KILL $pids 2>/dev/null || true; fi
}

own_cluster_stop() {
  local dir="$1" mode="${2:-fast}"
  [[ -f $dir/postmaster.pid ]] || return 0
  as_pg "$PGBIN/pg_ctl" -D "$dir" -m "$mode" -w -t 60 -s stop >/dev/null 2>&1 || own_cluster_kill9 "$dir"
}

# ---- API processes ------------------------------------------------------------------------------

# api_start NAME PORT CONNECTION_STRING SCHEMA [VAR=value ...]: one API process in the background.
api_start() {
  local name="$1" port="$2" db="$3" schema="$4"
  shift 4
  port_busy "$port" && chaos_fail "port $port is taken; cannot start API $name"
  (
    cd "$(dirname "$CHAOS_API_DLL")"
    unset PGPASSWORD PGCONNECT_TIMEOUT CHAOS_CLIENT_KEY CHAOS_AUDITOR_KEY CHAOS_OPERATOR_KEY
    export LEDGER_DB="$db" LEDGER_API_KEYS="$CHAOS_KEYS" Ledger__Schema="$schema" ASPNETCORE_ENVIRONMENT=Production
    export Ledger__RateLimits__Enabled=false
    for kv in "$@"; do export "${kv?}"; done
    exec dotnet "$CHAOS_API_DLL" --urls "http://127.0.0.1:$port"
  ) >>"$RUN/api-$name.log" 2>&1 &
  API_PID[$name]=$!
  API_PORT[$name]=$port
  API_ENV_DB[$name]="$db"
  CHAOS_PIDS+=("$!")
}

api_url() { printf 'http://127.0.0.1:%s' "${API_PORT[$1]}"; }

# api_wait_ready NAME [SECONDS]: /health/ready answers 200, or the scenario fails.
api_wait_ready() {
  local name="$1" seconds="${2:-90}" out
  if ! out="$(storm wait-ready --base-url "$(api_url "$name")" --timeout "$seconds" --api-pid "${API_PID[$name]}")"; then
    printf '%s\n' "$out" >&2
    tail -n 20 "$RUN/api-$name.log" >&2
    chaos_fail "API $name did not become ready (log $RUN/api-$name.log)"
  fi
  say "API $name (pid ${API_PID[$name]}): $out"
}

# The exit status of an API process, once it is gone (waits at most SECONDS).
api_wait_exit() {
  local name="$1" seconds="$2" pid="${API_PID[$1]}" i
  for (( i = 0; i < seconds * 10; i++ )); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && return 124
  local status=0
  wait "$pid" || status=$?
  forget_pid "$pid"
  return "$status"
}

api_kill9() {
  kill -KILL "${API_PID[$1]}" 2>/dev/null || true
  wait "${API_PID[$1]}" 2>/dev/null || true
  forget_pid "${API_PID[$1]}"
}

# The storm in the background; its output in $RUN/storm-TAG.out. Sets STORM_PID.
storm_start() {
  local tag="$1"
  shift
  storm storm --acked "$RUN/acked-$tag.txt" --events "$RUN/events-$tag.txt" --summary "$RUN/storm-$tag.json" \
    --stop-file "$RUN/stop-$tag" "$@" >"$RUN/storm-$tag.out" 2>&1 &
  STORM_PID=$!
  CHAOS_PIDS+=("$STORM_PID")
}

# storm_stop TAG: asks the storm to finish (in-flight retries end within its grace) and returns its exit status.
storm_stop() {
  local tag="$1" status=0
  touch "$RUN/stop-$tag"
  wait "$STORM_PID" || status=$?
  forget_pid "$STORM_PID"
  sed 's/^/  /' "$RUN/storm-$tag.out" >&2
  return "$status"
}

acked_count() { cat "$@" 2>/dev/null | wc -l; }

# Runs verify against a schema; prints its report, returns its status.
verify_schema() {
  local url="$1" port="$2" db="$3" schema="$4" acked="$5" status=0
  storm verify --base-url "$url" --acked "$acked" --schema "$schema" --pg-port "$port" --pg-db "$db" \
    --converge-timeout "${CHAOS_CONVERGE_TIMEOUT:-45}" >"$RUN/verify.out" 2>&1 || status=$?
  sed 's/^/  /' "$RUN/verify.out" >&2
  return "$status"
}

# Non-2xx answers in the storm's event log (ms op status code latency target) between two instants, tallied.
codes_between() {
  awk -v from="$2" -v to="$3" '$1 >= from && $1 <= to && $2 != "UNKNOWN" {
      k = $2 " " $3 ($4 != "-" ? ":" $4 : ""); n[k]++; if ($5 + 0 > max[k]) max[k] = $5 + 0 }
    END { for (k in n) printf "%s%s x%d (max %d ms)", (sep++ ? "; " : ""), k, n[k], max[k] }' "$1" 2>/dev/null
}

# When the first acknowledgement of a request sent at or after an instant (ms) arrived, or empty.
# (An answer to a request sent before the instant may still arrive just after it; it does not count.)
first_ack_after() {
  awk -v from="$2" '$5 >= from { if (first == "" || $2 < first) first = $2 } END { print first }' "$1" 2>/dev/null
}

# wait_acks FILE SINCE_MS N SECONDS: until N requests sent at or after SINCE_MS are acknowledged (false on timeout).
wait_acks() {
  local i
  for (( i = 0; i < $4 * 10; i++ )); do
    (( $(awk -v t="$2" '$5 >= t' "$1" 2>/dev/null | wc -l) >= $3 )) && return 0
    sleep 0.1
  done
  return 1
}

# The answers of /health/ready in effect at some time between two instants (from the storm's health
# log, which has a line per change: ms instance answer latency).
health_between() {
  awk -v from="$2" -v to="$3" '$1 <= from { cur[$2] = $3; next } $1 <= to { seen[$3] = 1 }
    END { for (i in cur) seen[cur[i]] = 1; for (s in seen) printf "%s ", s }' "$1" 2>/dev/null
}

# diagnose_convergence API URL PGPORT DB SCHEMA ACKED VERIFY_STATUS: when verification failed because
# the projections did not converge, restart that API process (and nothing else) and check again, so
# the report can say whether the process, not the data, was stuck. Adds a line to problems[].
diagnose_convergence() {
  local name="$1" url="$2" port="$3" db="$4" schema="$5" acked="$6" status="$7"
  (( status != 0 )) && grep -q 'FAIL projections did not converge' "$RUN/verify.out" || return 0
  say "diagnosis: restarting API $name to see whether the projections catch up then"
  api_kill9 "$name"
  api_start "$name" "${API_PORT[$name]}" "${API_ENV_DB[$name]}" "$schema"
  api_wait_ready "$name" 90
  if storm verify --base-url "$url" --acked "$acked" --schema "$schema" --pg-port "$port" --pg-db "$db" \
      --converge-timeout 60 --sample 0 >"$RUN/verify-after-restart.out" 2>&1; then
    problems+=("PRODUCT BUG: the projections stopped in the API process after the outage and only caught up after the process was restarted (see docs/reliability.md)")
  else
    problems+=("the projections did not converge even after an API restart (see $RUN/verify-after-restart.out)")
  fi
}

# start_storm_on_api PORT DB_CONNECTION SCHEMA: starts API a, waits until it is ready, seeds 40
# accounts per currency and starts the main storm (16 workers until 40 s before the scenario's limit,
# with its /health/ready log). Sets URL.
start_storm_on_api() {
  api_start a "$1" "$2" "$3"
  api_wait_ready a
  URL="$(api_url a)"
  storm seed --base-url "$URL" --out "$RUN/accounts.txt" --per-currency 40 >&2 || chaos_fail "seeding failed"
  storm_start main --base-url "$URL" --accounts "$RUN/accounts.txt" --workers 16 --duration $(( LIMIT - 40 )) \
    --health-log "$RUN/health.txt"
}

# await_recovery SINCE_MS WHAT [ACK_TIMEOUT_S]: after a fault that ended at SINCE_MS, waits (no API
# restart: the API must recover by itself) for the first acknowledged transfer, then for
# /health/ready. Sets FIRST_ACK and READY_AT (ms).
# shellcheck disable=SC2034 # FIRST_ACK and READY_AT are read by the scenario scripts
await_recovery() {
  local since="$1" what="$2" timeout="${3:-60}"
  wait_acks "$RUN/acked-main.txt" "$since" 1 "$timeout" || chaos_fail "no transfer acknowledged within $timeout s after $what"
  FIRST_ACK="$(first_ack_after "$RUN/acked-main.txt" "$since")"
  storm wait-ready --base-url "$URL" --timeout 60 >/dev/null || chaos_fail "/health/ready not 200 within 60 s after $what"
  READY_AT="$(now_ms)"
}

# conclude PGPORT DB SCHEMA SUMMARY PASS_TEXT: lets the storm run a moment longer, stops it, verifies
# every acknowledged transfer (with the convergence diagnosis for API a), prints report[] and gives
# the verdict: PASS only if the storm, the verification and the scenario's own problems[] found nothing.
# shellcheck disable=SC2154 # report[] and problems[] belong to the scenario script
conclude() {
  local port="$1" db="$2" schema="$3" summary="$4" pass="$5" storm_status=0 verify_status=0 line
  sleep 4
  storm_stop main || storm_status=$?
  summary+="; $(acked_count "$RUN/acked-main.txt") transfers acknowledged"
  verify_schema "$URL" "$port" "$db" "$schema" "$RUN/acked-main.txt" || verify_status=$?
  diagnose_convergence a "$URL" "$port" "$db" "$schema" "$RUN/acked-main.txt" "$verify_status"
  for line in "${report[@]}"; do echo "  $line" >&2; done
  (( storm_status == 0 )) || problems+=("the storm saw contract violations (5xx other than 503, or answers slower than 10 s)")
  (( verify_status == 0 )) || problems+=("verification failed")
  (( ${#problems[@]} == 0 )) || chaos_fail "$summary; $(join "${problems[@]}")"
  chaos_pass "$summary; $pass"
}

# Joins its arguments with "; ".
join() {
  local out="" item
  for item in "$@"; do out+="${out:+; }$item"; done
  printf '%s\n' "$out"
}

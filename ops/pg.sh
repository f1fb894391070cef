#!/usr/bin/env bash
# Project-local PostgreSQL 15 for running the ledger, its tests and CI.
#
#   bash ops/pg.sh up|down|status
#   source ops/pg.sh && ledger_pg_up    # same as `up`, then exports LEDGER_PG_* here
#
# The cluster lives in .data/pg (git-ignored) and listens on 127.0.0.1 only: it
# never touches Debian's system cluster on 5432, and its well-known development
# password is not reachable from other machines. Port: LEDGER_PG_PORT, default
# 54329. When LEDGER_PG_PORT is unset and the default is held by something else
# (typically another checkout's cluster on the same machine), the next free port
# is taken and remembered in .data/pg.port, so each checkout keeps its own.
#
# Exported by ledger_pg_up: LEDGER_PG_HOST, LEDGER_PG_PORT, LEDGER_PG_ADMIN
# (superuser `ledger`, database postgres) and LEDGER_PG_DB (database ledger),
# the last two as Npgsql connection strings.

# Resolved now: the caller may change directory before calling ledger_pg_up.
_LEDGER_PG_SH="$(readlink -f "${BASH_SOURCE[0]}")"

# The work runs in a child bash so that its `set -e` holds even when the caller
# uses `ledger_pg_up || ...` (bash ignores -e inside functions in such contexts)
# and so that sourcing this file leaves the caller's shell options alone.
ledger_pg_up() {
  "${BASH:-bash}" "$_LEDGER_PG_SH" up || return
  local port
  port="$(cat "$(dirname "$_LEDGER_PG_SH")/../.data/pg.port")" || return
  export LEDGER_PG_HOST=127.0.0.1
  export LEDGER_PG_PORT="$port"
  export LEDGER_PG_ADMIN="Host=127.0.0.1;Port=$port;Username=ledger;Password=ledger;Database=postgres"
  export LEDGER_PG_DB="Host=127.0.0.1;Port=$port;Username=ledger;Password=ledger;Database=ledger"
}

# Sourced: the function is all the caller wants.
if [[ "${BASH_SOURCE[0]}" != "$0" ]]; then
  return 0
fi

set -euo pipefail

REPO="$(cd "$(dirname "$_LEDGER_PG_SH")/.." && pwd -P)"
DATA="$REPO/.data"
PGDATA_DIR="$DATA/pg"
LOG="$DATA/pg.log"
PORT_FILE="$DATA/pg.port"
PGBIN=/usr/lib/postgresql/15/bin
DEFAULT_PORT=54329
PORT_SCAN_LAST=54348

# A Unix socket path may be at most 107 bytes; a deeply nested checkout would
# make PostgreSQL refuse to start, so fall back to a per-checkout dir in /tmp.
SOCK_DIR="$DATA/pg-run"
SOCK_SUFFIX="/.s.PGSQL.65535"
if (( ${#SOCK_DIR} + ${#SOCK_SUFFIX} > 107 )); then
  SOCK_DIR="/tmp/ledger-pg-$(printf '%s' "$REPO" | cksum | cut -d' ' -f1)"
fi

say() { printf 'pg.sh: %s\n' "$*"; }
die() { printf 'pg.sh: error: %s\n' "$*" >&2; exit 1; }

# PostgreSQL refuses to run as root; a developer running as themselves owns
# the cluster directly.
if (( EUID == 0 )); then
  as_pg() { (cd / && exec runuser -u postgres -- "$@"); }
  give_to_pg() { chown postgres:postgres "$@"; }
else
  as_pg() { (cd / && exec "$@"); }
  give_to_pg() { :; }
fi

usage() {
  echo "usage: bash ops/pg.sh up|down|status   (or: source ops/pg.sh; ledger_pg_up)" >&2
  exit 2
}

ensure_installed() {
  [[ -x $PGBIN/initdb ]] && return 0
  (( EUID == 0 )) || die "PostgreSQL 15 is not installed ($PGBIN/initdb missing): run this as root once, or apt-get install postgresql-15"
  say "installing postgresql-15 with apt-get (fresh machine)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q postgresql-15
  [[ -x $PGBIN/initdb ]] || die "postgresql-15 installed but $PGBIN/initdb is still missing"
}

# Serialises up/down so two callers (say ops/run.sh and ops/test.sh started
# together) cannot both initdb or both start the cluster.
take_lock() {
  mkdir -p "$DATA"
  exec 9>"$DATA/pg.lock"
  flock -w 300 9 || die "another ops/pg.sh has held $DATA/pg.lock for 5 minutes"
}

# Prints the postmaster's PID when this cluster's server is running. A PID
# from postmaster.pid alone is not proof: after a machine restart it may
# belong to an unrelated process, but only our postmaster has its working
# directory in our data dir.
running_pid() {
  local pid
  [[ -f $PGDATA_DIR/postmaster.pid ]] || return 1
  pid="$(head -n 1 "$PGDATA_DIR/postmaster.pid" 2>/dev/null)" || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ "$(readlink "/proc/$pid/cwd" 2>/dev/null)" == "$PGDATA_DIR" ]] || return 1
  printf '%s\n' "$pid"
}

# PIDs of server processes working in our data dir, e.g. backends orphaned by
# a killed postmaster: they still use the old shared memory.
datadir_users() {
  local link pid
  for link in /proc/[0-9]*/cwd; do
    [[ "$(readlink "$link" 2>/dev/null)" == "$PGDATA_DIR" ]] || continue
    pid="${link#/proc/}"
    pid="${pid%/cwd}"
    [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == postgres ]] && printf '%s ' "$pid"
  done
  return 0
}

# A postmaster.pid without its server is left by a crash or a machine restart.
# After a restart its PID may belong to some unrelated process, and then
# PostgreSQL refuses to start, so it goes. That is only safe once no process
# of the old server is left, which is PostgreSQL's own reason for the file.
remove_stale_pidfile() {
  local old_pid users tries
  old_pid="$(head -n 1 "$PGDATA_DIR/postmaster.pid" 2>/dev/null || true)"
  for (( tries = 0; tries < 20; tries++ )); do
    users="$(datadir_users)"
    [[ -z $users ]] && break
    sleep 0.5
  done
  [[ -z $users ]] ||
    die "no postmaster, yet server processes ($users) still run in $PGDATA_DIR: stop them, then retry"
  say "removing stale postmaster.pid (PID ${old_pid:-?} is not this cluster's server)"
  rm -f "$PGDATA_DIR/postmaster.pid" "$SOCK_DIR"/.s.PGSQL.*
}

running_port() { sed -n 4p "$PGDATA_DIR/postmaster.pid"; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

prepare_dirs() {
  if (( EUID == 0 )); then
    # The postgres user must be able to walk down to .data; a checkout under
    # a private home directory would otherwise make initdb fail obscurely.
    if ! runuser -u postgres -- test -x "$DATA"; then
      local dir="" part parts
      IFS=/ read -ra parts <<<"${DATA#/}"
      for part in "${parts[@]}"; do
        dir="$dir/$part"
        if ! runuser -u postgres -- test -x "$dir"; then
          chmod o+x "$dir"
          say "chmod o+x $dir (so the postgres user can reach .data)"
        fi
      done
    fi
    if [[ -d $PGDATA_DIR && "$(stat -c %U "$PGDATA_DIR")" != postgres ]]; then
      say "chown -R postgres $PGDATA_DIR (the server runs as postgres)"
      chown -R postgres:postgres "$PGDATA_DIR"
    fi
    install -d -o postgres -g postgres -m 0700 "$PGDATA_DIR" "$SOCK_DIR"
  else
    mkdir -p "$PGDATA_DIR" "$SOCK_DIR"
    [[ -O $PGDATA_DIR ]] || die "$PGDATA_DIR belongs to another user (created as root?): run ops/pg.sh as root"
    chmod 0700 "$PGDATA_DIR" "$SOCK_DIR"
  fi
  # pg_ctl opens the log as the server's user, and .data itself is not theirs.
  touch "$LOG"
  give_to_pg "$LOG"
}

init_cluster() {
  if [[ -f $PGDATA_DIR/PG_VERSION ]]; then
    [[ "$(cat "$PGDATA_DIR/PG_VERSION")" == 15 ]] ||
      die "$PGDATA_DIR holds a PostgreSQL $(cat "$PGDATA_DIR/PG_VERSION") cluster, not 15: move it away"
    return 0
  fi
  [[ -z "$(ls -A "$PGDATA_DIR")" ]] ||
    die "$PGDATA_DIR is not empty but holds no cluster (an interrupted initdb?): remove it and retry"

  say "initialising a new cluster in $PGDATA_DIR"
  local pwfile
  pwfile="$(mktemp "$DATA/.pwfile.XXXXXX")"
  # shellcheck disable=SC2064 # expand now: the local is gone when the trap fires
  trap "rm -f '$pwfile'" EXIT
  printf 'ledger\n' >"$pwfile"
  give_to_pg "$pwfile"
  if ! as_pg "$PGBIN/initdb" -D "$PGDATA_DIR" -U ledger --pwfile="$pwfile" \
      -E UTF8 --locale=C --auth-local=trust --auth-host=scram-sha-256 \
      --no-instructions >"$DATA/initdb.log" 2>&1; then
    cat "$DATA/initdb.log" >&2
    die "initdb failed (log above, also in $DATA/initdb.log)"
  fi
  rm -f "$pwfile"

  # Only TCP on loopback with a password, plus trust on the socket, which sits
  # in a 0700 directory so only the server's user (and root) can reach it.
  cat >"$PGDATA_DIR/pg_hba.conf" <<'EOF'
# Written by ops/pg.sh at initdb time.
# TYPE  DATABASE     USER  ADDRESS        METHOD
local   all          all                  trust
host    all          all   127.0.0.1/32   scram-sha-256
local   replication  all                  trust
host    replication  all   127.0.0.1/32   scram-sha-256
EOF
  # Settings live in a file of their own, rewritten before every start, so a
  # change to this script reaches existing clusters on their next start.
  printf "\ninclude 'ledger.conf'\n" >>"$PGDATA_DIR/postgresql.conf"
}

pick_port() {
  local port
  if [[ -n ${LEDGER_PG_PORT:-} ]]; then
    port="$LEDGER_PG_PORT"
    [[ $port =~ ^[0-9]+$ ]] || die "LEDGER_PG_PORT must be a port number, got '$port'"
    ! port_busy "$port" || die "port $port (LEDGER_PG_PORT) is already in use by another process"
    printf '%s\n' "$port"
    return 0
  fi
  port="$DEFAULT_PORT"
  if [[ -f $PORT_FILE && "$(cat "$PORT_FILE")" =~ ^[0-9]+$ ]]; then
    port="$(cat "$PORT_FILE")"
  fi
  if port_busy "$port"; then
    local candidate
    for (( candidate = DEFAULT_PORT; candidate <= PORT_SCAN_LAST; candidate++ )); do
      if ! port_busy "$candidate"; then
        say "port $port is in use by another process; using $candidate (set LEDGER_PG_PORT to choose)" >&2
        printf '%s\n' "$candidate"
        return 0
      fi
    done
    die "ports $DEFAULT_PORT-$PORT_SCAN_LAST are all in use: set LEDGER_PG_PORT to a free port"
  fi
  printf '%s\n' "$port"
}

write_conf() {
  local port="$1"
  cat >"$PGDATA_DIR/ledger.conf" <<EOF
# Written by ops/pg.sh before every start: edit the script, not this file.
cluster_name = 'ledger'
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '${SOCK_DIR//\'/\'\'}'
max_connections = 400
shared_buffers = 512MB
fsync = on
synchronous_commit = on
wal_level = replica
max_wal_size = 4GB
checkpoint_timeout = 15min
log_destination = 'stderr'
logging_collector = off
EOF
  give_to_pg "$PGDATA_DIR/ledger.conf"
}

start_server() {
  # The postmaster outlives this script and would inherit every open
  # descriptor: our lock (blocking the next `up` forever) or a CI runner's
  # output pipe (which then never reaches EOF). Pass on only 0, 1 and 2.
  (
    cd /
    for fd in /proc/"$BASHPID"/fd/*; do
      fd="${fd##*/}"
      if (( fd > 2 && fd != 255 )); then
        eval "exec $fd>&-"
      fi
    done
    if (( EUID == 0 )); then
      exec runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$LOG" -w -t 120 -s start
    fi
    exec "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -l "$LOG" -w -t 120 -s start
  )
}

psql_admin() {
  as_pg "$PGBIN/psql" -X -w -q -v ON_ERROR_STOP=1 -h "$SOCK_DIR" -p "$1" -U ledger -d postgres "${@:2}"
}

# Creates the app database and proves the exported connection strings work
# (TCP, scram, the ledger password), so failures show here and not in a test.
finish_up() {
  local port="$1"
  "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$port" -t 60 ||
    die "server on 127.0.0.1:$port is not accepting connections; see $LOG"
  if [[ "$(psql_admin "$port" -Atc "select 1 from pg_database where datname = 'ledger'")" != 1 ]]; then
    psql_admin "$port" -c 'create database ledger'
    say "created database ledger"
  fi
  PGPASSWORD=ledger PGCONNECT_TIMEOUT=10 "$PGBIN/psql" -X -w -q -h 127.0.0.1 -p "$port" \
    -U ledger -d ledger -Atc 'select 1' >/dev/null ||
    die "cannot log in as ledger over TCP on 127.0.0.1:$port; see $LOG"
  printf '%s\n' "$port" >"$PORT_FILE"
}

cmd_up() {
  # Under the lock: two callers on a fresh machine must not both run apt-get.
  take_lock
  ensure_installed
  prepare_dirs

  local pid port
  if pid="$(running_pid)"; then
    port="$(running_port)"
    if [[ -n ${LEDGER_PG_PORT:-} && $LEDGER_PG_PORT != "$port" ]]; then
      die "the cluster runs on port $port but LEDGER_PG_PORT=$LEDGER_PG_PORT: run 'bash ops/pg.sh down' first"
    fi
    finish_up "$port"
    say "reusing running cluster (pid $pid) on 127.0.0.1:$port"
    return 0
  fi

  if [[ -f $PGDATA_DIR/postmaster.pid ]]; then
    remove_stale_pidfile
  fi

  port="$(pick_port)"
  init_cluster
  write_conf "$port"
  say "starting PostgreSQL 15 on 127.0.0.1:$port (data .data/pg, log .data/pg.log)"
  if ! start_server; then
    tail -n 20 "$LOG" >&2 || true
    die "PostgreSQL did not start (log tail above, full log in $LOG)"
  fi
  finish_up "$port"
  say "ready on 127.0.0.1:$port, database ledger, user ledger"
}

cmd_down() {
  take_lock
  local pid
  if pid="$(running_pid)"; then
    as_pg "$PGBIN/pg_ctl" -D "$PGDATA_DIR" -m fast -w -t 120 -s stop
    say "stopped (was pid $pid)"
  else
    say "not running"
  fi
}

cmd_status() {
  local pid
  if pid="$(running_pid)"; then
    say "running (pid $pid) on 127.0.0.1:$(running_port), data $PGDATA_DIR"
  elif [[ -f $PGDATA_DIR/PG_VERSION ]]; then
    say "stopped (data $PGDATA_DIR)"
    exit 3
  else
    say "not initialised (no cluster in $PGDATA_DIR)"
    exit 3
  fi
}

[[ $# -eq 1 ]] || usage
case "$1" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) usage ;;
esac

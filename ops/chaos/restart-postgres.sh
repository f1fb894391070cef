#!/usr/bin/env bash
# Chaos: stop PostgreSQL under the API during a transfer storm, keep it down, start it again.
#
#   bash ops/chaos/restart-postgres.sh [short|full]
#     short: one crash stop (pg_ctl -m immediate), down 8 s
#     full:  crash stop down 8 s, fast stop down 15 s, crash stop down 30 s
#
# Proves: while the database is down the API answers 503 with code `unavailable` (never a 500, never
# slower than 10 s) and /health/ready says 503; once it is back the API recovers by itself (no
# restart): transfers are acknowledged again and /health/ready is 200; nothing acknowledged is lost,
# nothing is half-applied, every currency sums to zero and the projections converge.
# The cluster is the scenario's own (.data/chaos/clusters/restart, a free port from 54350), since it
# is stopped and started; it is removed at the end. Prints one PASS/FAIL line; exit 0/1.
set -euo pipefail
# shellcheck source=ops/chaos/lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

MODE="${1:-short}"
case "$MODE" in
  short) OUTAGES=("immediate 8") LIMIT=200 ;;
  full) OUTAGES=("immediate 8" "fast 15" "immediate 30") LIMIT=420 ;;
  *) echo "usage: bash ops/chaos/restart-postgres.sh [short|full]" >&2; exit 2 ;;
esac

chaos_init restart-postgres "$LIMIT"
chaos_build

PGDIR="$CHAOS_DATA/clusters/restart"
SOCK="$CHAOS_DATA/clusters/restart-run"
PGLOG="$RUN/postgres.log"
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup_cluster() {
  own_cluster_stop "$PGDIR" immediate
  [[ ${CHAOS_KEEP:-0} == 1 ]] || rm -rf "$PGDIR" "$SOCK"
}
CHAOS_HOOKS+=(cleanup_cluster)

own_cluster_stop "$PGDIR" immediate
rm -rf "$PGDIR" "$SOCK"
own_cluster_init "$PGDIR"
if (( EUID == 0 )); then install -d -o postgres -g postgres -m 0700 "$SOCK"; else install -d -m 0700 "$SOCK"; fi
PG_PORT="$(free_port 54350 54369)"
own_cluster_conf "$PGDIR" "$PG_PORT" "$SOCK"
own_cluster_start "$PGDIR" "$PGLOG"
psql_at "$PG_PORT" postgres -c 'CREATE DATABASE ledger' >/dev/null
say "own cluster on 127.0.0.1:$PG_PORT (data $PGDIR)"

SCHEMA=chaos_restart_pg
API_HTTP="$(free_port 5401 5499)"
start_storm_on_api "$API_HTTP" "$(conn_string "$PG_PORT" ledger chaos-restart-pg)" "$SCHEMA"

report=()
problems=()
for outage in "${OUTAGES[@]}"; do
  read -r mode down <<<"$outage"
  check_deadline "restarting PostgreSQL"
  wait_acks "$RUN/acked-main.txt" "$(( $(now_ms) - 1000 ))" 5 60 || chaos_fail "transfers are not flowing before the outage"
  sleep "$(( 1 + RANDOM % 2 )).$(( RANDOM % 10 ))"

  down_at="$(now_ms)"
  as_pg "$PGBIN/pg_ctl" -D "$PGDIR" -m "$mode" -w -t 60 -s stop >/dev/null || chaos_fail "pg_ctl stop -m $mode failed"
  sleep "$down"
  kill -0 "${API_PID[a]}" 2>/dev/null || chaos_fail "the API process died while PostgreSQL was down (log $RUN/api-a.log)"
  start_at="$(now_ms)"
  own_cluster_start "$PGDIR" "$PGLOG"
  up_at="$(now_ms)"

  # Recovery by itself: no API restart, just wait for its answers.
  await_recovery "$up_at" "PostgreSQL came back"

  # What the clients saw while the server was down (from 0.5 s after the stop began, to the start).
  seen="$(codes_between "$RUN/events-main.txt" "$(( down_at + 500 ))" "$start_at")"
  health_seen="$(health_between "$RUN/health.txt" "$(( down_at + 500 ))" "$start_at")"
  line="stop -m $mode, down $(( start_at - down_at )) ms: answers while down [${seen:-none}]; /health/ready while down [${health_seen:-?}];"
  line+=" first 2xx $(( FIRST_ACK - up_at )) ms after PostgreSQL accepted connections ($(( FIRST_ACK - down_at )) ms after the stop), ready after $(( READY_AT - up_at )) ms"
  report+=("$line")
  say "$line"
  [[ $seen == *"503:unavailable"* ]] || problems+=("no 503 unavailable seen while PostgreSQL was down (stop -m $mode)")
  [[ $seen != *refused* && $seen != *timeout* ]] || problems+=("refused or timed-out requests while PostgreSQL was down (stop -m $mode)")
  [[ $health_seen == *503* ]] || problems+=("/health/ready never said 503 while PostgreSQL was down (stop -m $mode)")
done

conclude "$PG_PORT" ledger "$SCHEMA" "${#OUTAGES[@]} outage(s)" \
  "only 503 unavailable while down, recovered by itself, 0 lost, 0 half-applied, projections converged"

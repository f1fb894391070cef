#!/usr/bin/env bash
# Chaos: kill -9 the API at random instants during a transfer storm, restart it each time, then verify.
#
#   bash ops/chaos/kill-api.sh [short|full]     (short: 5 kills; full: 12 kills)
#
# Proves: every transfer acknowledged with 2xx before a kill exists afterwards; no transfer is
# half-applied; each currency sums to zero; projections converge after the restarts; the storm never
# saw a 5xx other than 503 nor an answer slower than 10 s. Uses its own schema chaos_kill_api in
# database ledger_chaos of the project-local cluster (ops/pg.sh). Prints one PASS/FAIL line; exit 0/1.
set -euo pipefail
# shellcheck source=ops/chaos/lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

MODE="${1:-short}"
case "$MODE" in
  short) KILLS=5 LIMIT=200 ;;
  full) KILLS=12 LIMIT=420 ;;
  *) echo "usage: bash ops/chaos/kill-api.sh [short|full]" >&2; exit 2 ;;
esac

chaos_init kill-api "$LIMIT"
chaos_build
shared_pg_up
SCHEMA=chaos_kill_api
drop_schema "$PG_PORT" "$PG_DB" "$SCHEMA"
PORT="$(free_port 5301 5399)"
DB="$(conn_string "$PG_PORT" "$PG_DB" chaos-kill-api)"

api_start a "$PORT" "$DB" "$SCHEMA"
api_wait_ready a
URL="$(api_url a)"
storm seed --base-url "$URL" --out "$RUN/accounts.txt" --per-currency 40 --currencies USD,EUR,JPY >&2 ||
  chaos_fail "seeding failed"
storm_start main --base-url "$URL" --accounts "$RUN/accounts.txt" --workers 16 --duration $(( LIMIT - 40 ))

restarts=()
since="$(now_ms)"
for (( k = 1; k <= KILLS; k++ )); do
  check_deadline "killing the API"
  # Kill only while transfers flow: the instance must have acknowledged some since it (re)started.
  wait_acks "$RUN/acked-main.txt" "$since" 5 60 || chaos_fail "no transfer acknowledged within 60 s of start $k"
  # A random instant 1.5-4.5 s after the previous restart: mid-batch, mid-commit, mid-answer alike.
  sleep "$(( 1 + RANDOM % 3 )).$(( RANDOM % 10 ))"
  kill -0 "$STORM_PID" 2>/dev/null || chaos_fail "the storm ended early (see $RUN/storm-main.out)"
  before="$(acked_count "$RUN/acked-main.txt")"
  killed_at="$(now_ms)"
  api_kill9 a
  api_start a "$PORT" "$DB" "$SCHEMA"
  api_wait_ready a 90
  ready_ms=$(( $(now_ms) - killed_at ))
  restarts+=("$ready_ms")
  since="$(now_ms)"
  say "kill $k/$KILLS: kill -9 with $before transfers acknowledged so far; ready again after $ready_ms ms"
done

# The storm keeps running on the last instance for a moment, so writes after the last restart count too.
last_ready="$(now_ms)"
sleep 4
storm_status=0
storm_stop main || storm_status=$?
acked="$(acked_count "$RUN/acked-main.txt")"
after_last="$(awk -v t="$last_ready" '$2 >= t' "$RUN/acked-main.txt" | wc -l)"

verify_status=0
verify_schema "$URL" "$PG_PORT" "$PG_DB" "$SCHEMA" "$RUN/acked-main.txt" || verify_status=$?

summary="$KILLS kills, restart-to-ready ${restarts[*]} ms, $acked transfers acknowledged ($after_last after the last restart)"
(( storm_status == 0 )) || chaos_fail "$summary; the storm saw contract violations (see above)"
(( verify_status == 0 )) || chaos_fail "$summary; verification failed (see above)"
(( after_last > 0 )) || chaos_fail "$summary; nothing was acknowledged after the last restart"
chaos_pass "$summary; 0 lost, 0 half-applied, ledger balanced, projections converged"

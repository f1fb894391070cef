#!/usr/bin/env bash
# Chaos: graceful shutdown. SIGTERM (kill -TERM) to the API in the middle of a transfer storm.
#
#   bash ops/chaos/sigterm.sh [short|full]    (short: 1 SIGTERM; full: 3, each followed by a restart)
#
# Proves: the process exits with status 0 within 30 s (the host's shutdown timeout); writes in flight
# when the signal arrived are finished and answered (every id acknowledged, also after the signal,
# exists); the daemon stops cleanly (no session and no advisory lock of the process is left; Marten's
# progression rows are reported); after a restart the projections converge and the ledger verifies.
# Schema chaos_sigterm in database ledger_chaos of the project-local cluster.
set -euo pipefail
# shellcheck source=ops/chaos/lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

MODE="${1:-short}"
case "$MODE" in
  short) ROUNDS=1 LIMIT=180 ;;
  full) ROUNDS=3 LIMIT=360 ;;
  *) echo "usage: bash ops/chaos/sigterm.sh [short|full]" >&2; exit 2 ;;
esac
EXIT_LIMIT=30

chaos_init sigterm "$LIMIT"
chaos_build
shared_pg_up
SCHEMA=chaos_sigterm
APP=chaos-sigterm
drop_schema "$PG_PORT" "$PG_DB" "$SCHEMA"
PORT="$(free_port 5701 5799)"
DB="$(conn_string "$PG_PORT" "$PG_DB" "$APP")"

api_start a "$PORT" "$DB" "$SCHEMA"
api_wait_ready a
URL="$(api_url a)"
storm seed --base-url "$URL" --out "$RUN/accounts.txt" --per-currency 40 >&2 || chaos_fail "seeding failed"
# Many workers, so that a queue of writes is waiting when the signal comes.
storm_start main --base-url "$URL" --accounts "$RUN/accounts.txt" --workers 48 --duration $(( LIMIT - 40 )) --read-ratio 0

report=()
problems=()
for (( round = 1; round <= ROUNDS; round++ )); do
  check_deadline "round $round"
  wait_acks "$RUN/acked-main.txt" "$(( $(now_ms) - 1000 ))" 20 60 || chaos_fail "transfers are not flowing (round $round)"
  sleep "$(( 1 + RANDOM % 2 )).$(( RANDOM % 10 ))"
  term_at="$(now_ms)"
  kill -TERM "${API_PID[a]}"
  exit_status=0
  api_wait_exit a $(( EXIT_LIMIT + 15 )) || exit_status=$?
  exited_ms=$(( $(now_ms) - term_at ))
  drained="$(awk -v t="$term_at" '$2 >= t' "$RUN/acked-main.txt" | wc -l)"
  # Marten's progression rows say where each projection is, not whether a process runs it: reported, not judged.
  states="$(psql_at "$PG_PORT" "$PG_DB" -At -F= -c "SELECT name, last_seq_id FROM \"$SCHEMA\".mt_event_progression ORDER BY name" | tr '\n' ' ')"
  locks="$(psql_at "$PG_PORT" "$PG_DB" -At -c "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE l.locktype = 'advisory' AND a.application_name = '$APP'")"
  sessions="$(psql_at "$PG_PORT" "$PG_DB" -At -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$APP'")"
  line="round $round: SIGTERM -> exit status $exit_status after $exited_ms ms; $drained writes acknowledged after the signal; checkpoints [$states]; sessions left $sessions, advisory locks left $locks"
  report+=("$line")
  say "$line"
  (( exit_status == 0 )) || problems+=("round $round: exit status $exit_status (124 = still running after $(( EXIT_LIMIT + 15 )) s)")
  (( exited_ms <= EXIT_LIMIT * 1000 )) || problems+=("round $round: took $exited_ms ms to exit, more than $EXIT_LIMIT s")
  (( locks == 0 )) || problems+=("round $round: $locks advisory locks still held after exit")
  if kill -0 "${API_PID[a]}" 2>/dev/null; then api_kill9 a; fi

  api_start a "$PORT" "$DB" "$SCHEMA"
  api_wait_ready a 90
done

conclude "$PG_PORT" "$PG_DB" "$SCHEMA" "$(join "${report[@]}")" "in-flight writes finished, daemon stopped cleanly, 0 lost"

#!/usr/bin/env bash
# Chaos: two API processes on one schema, no balancer (the storm's clients alternate between them).
#
#   bash ops/chaos/two-instances.sh [short|full]   (full: two rounds of kill -9 of the leader)
#
# Proves: each async projection (balances, transactions) is led by exactly one process at a time
# (pg_locks: exactly one granted advisory lock holder per projection key, sampled repeatedly); kill -9
# of the instance leading a projection, and the other holds every projection within 10 s (measured);
# the killed instance comes back as a standby without taking anything over; and the storm's guarantees
# hold: every acknowledged transfer exists, none is half-applied, currencies sum to zero, projections
# converge. Schema chaos_two in database ledger_chaos of the project-local cluster.
set -euo pipefail
# shellcheck source=ops/chaos/lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

MODE="${1:-short}"
case "$MODE" in
  short) ROUNDS=1 LIMIT=200 ;;
  full) ROUNDS=2 LIMIT=360 ;;
  *) echo "usage: bash ops/chaos/two-instances.sh [short|full]" >&2; exit 2 ;;
esac
TAKEOVER_LIMIT_MS=10000

chaos_init two-instances "$LIMIT"
chaos_build
shared_pg_up
SCHEMA=chaos_two
drop_schema "$PG_PORT" "$PG_DB" "$SCHEMA"
PORT_A="$(free_port 5501 5549)"
PORT_B="$(free_port $(( PORT_A + 1 )) 5599)"
db_of() { conn_string "$PG_PORT" "$PG_DB" "chaos-two-$1"; }

# Both at once: they also race for the schema migration (an advisory lock serialises it).
api_start a "$PORT_A" "$(db_of a)" "$SCHEMA"
api_start b "$PORT_B" "$(db_of b)" "$SCHEMA"
api_wait_ready a
api_wait_ready b
URLS="$(api_url a),$(api_url b)"
storm seed --base-url "$(api_url a)" --out "$RUN/accounts.txt" --per-currency 40 >&2 || chaos_fail "seeding failed"
storm_start main --base-url "$URLS" --accounts "$RUN/accounts.txt" --workers 16 --duration $(( LIMIT - 40 ))

# The advisory lock keys of the two projections, as pg_locks shows them (classid objid).
read -r BAL_C BAL_O <<<"$(storm lock-key --schema "$SCHEMA" --name balances)"
read -r TX_C TX_O <<<"$(storm lock-key --schema "$SCHEMA" --name transactions)"
# One line: "<balances holders> <transactions holders>", each a comma list of application names or '-'.
holders() {
  psql_at "$PG_PORT" "$PG_DB" -At -F ' ' -c "
    SELECT coalesce(string_agg(a.application_name, ',' ORDER BY a.application_name) FILTER (WHERE l.classid = $BAL_C AND l.objid = $BAL_O), '-'),
           coalesce(string_agg(a.application_name, ',' ORDER BY a.application_name) FILTER (WHERE l.classid = $TX_C AND l.objid = $TX_O), '-')
    FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
    WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
}

# Samples leadership N times, 0.5 s apart: every sample must show one holder per projection.
check_exclusive() {
  local n="$1" i bal tx
  for (( i = 0; i < n; i++ )); do
    read -r bal tx <<<"$(holders)"
    [[ $bal != *,* && $bal != - && $tx != *,* && $tx != - ]] ||
      chaos_fail "leadership not exclusive: balances held by [$bal], transactions by [$tx]"
    sleep 0.5
  done
  printf '%s %s\n' "$bal" "$tx"
}

report=()
for (( round = 1; round <= ROUNDS; round++ )); do
  check_deadline "round $round"
  wait_acks "$RUN/acked-main.txt" "$(( $(now_ms) - 1000 ))" 5 60 || chaos_fail "transfers are not flowing (round $round)"
  read -r bal tx <<<"$(check_exclusive 6)"
  say "round $round: balances led by $bal, transactions by $tx (6 samples, each exclusive)"
  victim="${bal#chaos-two-}"
  survivor=$([[ $victim == a ]] && echo b || echo a)

  killed_at="$(now_ms)"
  api_kill9 "$victim"
  takeover_ms=""
  for (( i = 0; i < 300; i++ )); do
    read -r b2 t2 <<<"$(holders)"
    if [[ $b2 == "chaos-two-$survivor" && $t2 == "chaos-two-$survivor" ]]; then
      takeover_ms=$(( $(now_ms) - killed_at ))
      break
    fi
    sleep 0.1
  done
  [[ -n $takeover_ms ]] || chaos_fail "round $round: after kill -9 of $victim, $survivor did not hold both projections within 30 s (balances [$b2], transactions [$t2])"
  line="round $round: kill -9 of leader $victim (balances [$bal], transactions [$tx]); $survivor held both projections after $takeover_ms ms"
  say "$line"
  (( takeover_ms <= TAKEOVER_LIMIT_MS )) || chaos_fail "$line: more than $TAKEOVER_LIMIT_MS ms"

  # The victim returns as a standby: the survivor keeps leading.
  sleep 2
  api_start "$victim" "${API_PORT[$victim]}" "$(db_of "$victim")" "$SCHEMA"
  api_wait_ready "$victim" 90
  read -r b3 t3 <<<"$(check_exclusive 4)"
  [[ $b3 == "chaos-two-$survivor" && $t3 == "chaos-two-$survivor" ]] ||
    chaos_fail "round $round: after $victim came back, leadership moved: balances [$b3], transactions [$t3]"
  report+=("$line; $victim restarted as standby")
done

sleep 3
storm_status=0
storm_stop main || storm_status=$?
acked="$(acked_count "$RUN/acked-main.txt")"
by_instance="$(awk '{ n[$4]++ } END { printf "a %d, b %d", n[0], n[1] }' "$RUN/acked-main.txt")"
verify_status=0
verify_schema "$(api_url a)" "$PG_PORT" "$PG_DB" "$SCHEMA" "$RUN/acked-main.txt" || verify_status=$?
for log in "$RUN"/api-a.log "$RUN"/api-b.log; do
  say "$(basename "$log"): $(grep -c 'is led by this process' "$log" || true) leadership take-overs logged"
done

summary="$(join "${report[@]}"); $acked transfers acknowledged ($by_instance)"
(( storm_status == 0 )) || chaos_fail "$summary; the storm saw contract violations"
(( verify_status == 0 )) || chaos_fail "$summary; verification failed"
chaos_pass "$summary; one leader per projection throughout, 0 lost, 0 half-applied, projections converged"

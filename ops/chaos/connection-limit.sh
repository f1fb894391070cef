#!/usr/bin/env bash
# Chaos: the database refuses the API's connections during a transfer storm, then accepts them again.
#
#   bash ops/chaos/connection-limit.sh [short|full]   (short: refused 8 s; full: refused 8 s, then 30 s)
#
# The API logs in as a role of its own (chaos_limited, not a superuser). The refusal is
# `ALTER ROLE chaos_limited CONNECTION LIMIT 0` plus pg_terminate_backend() of its sessions, so every
# new connection fails with 53300 "too many connections for role" and every pooled one is gone; other
# users of the shared cluster are untouched. Proves: while refused, the API answers 503 `unavailable`
# (never a 500, never slower than 10 s), /health/ready says 503 and the process does not crash; once
# allowed again it recovers by itself; nothing acknowledged is lost and the projections converge.
# Schema chaos_connlimit in database ledger_chaos of the project-local cluster.
set -euo pipefail
# shellcheck source=ops/chaos/lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

MODE="${1:-short}"
case "$MODE" in
  short) OUTAGES=(8) LIMIT=200 ;;
  full) OUTAGES=(8 30) LIMIT=360 ;;
  *) echo "usage: bash ops/chaos/connection-limit.sh [short|full]" >&2; exit 2 ;;
esac

chaos_init connection-limit "$LIMIT"
chaos_build
shared_pg_up
SCHEMA=chaos_connlimit
ROLE=chaos_limited
ROLE_PASSWORD="cl-$(od -An -tx1 -N12 /dev/urandom | tr -d ' \n')"
drop_schema "$PG_PORT" "$PG_DB" "$SCHEMA"
psql_at "$PG_PORT" "$PG_DB" >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$ROLE') THEN CREATE ROLE $ROLE LOGIN; END IF;
END \$\$;
ALTER ROLE $ROLE LOGIN NOSUPERUSER CONNECTION LIMIT -1 PASSWORD '$ROLE_PASSWORD';
GRANT CONNECT, CREATE ON DATABASE $PG_DB TO $ROLE;
SQL
# Whatever happens, the role may connect again afterwards.
allow() { psql_at "$PG_PORT" "$PG_DB" -c "ALTER ROLE $ROLE CONNECTION LIMIT -1" >/dev/null 2>&1 || true; }
CHAOS_HOOKS+=(allow)

PORT="$(free_port 5601 5699)"
start_storm_on_api "$PORT" "Host=127.0.0.1;Port=$PG_PORT;Username=$ROLE;Password=$ROLE_PASSWORD;Database=$PG_DB;Application Name=chaos-connlimit" "$SCHEMA"

report=()
problems=()
for down in "${OUTAGES[@]}"; do
  check_deadline "refusing connections"
  wait_acks "$RUN/acked-main.txt" "$(( $(now_ms) - 1000 ))" 5 60 || chaos_fail "transfers are not flowing before the refusal"
  sleep "$(( 1 + RANDOM % 2 )).$(( RANDOM % 10 ))"
  refused_at="$(now_ms)"
  psql_at "$PG_PORT" "$PG_DB" -At >/dev/null <<SQL
ALTER ROLE $ROLE CONNECTION LIMIT 0;
SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = '$ROLE';
SQL
  sleep "$down"
  kill -0 "${API_PID[a]}" 2>/dev/null || chaos_fail "the API process died while its connections were refused (log $RUN/api-a.log)"
  left="$(psql_at "$PG_PORT" "$PG_DB" -Atc "SELECT count(*) FROM pg_stat_activity WHERE usename = '$ROLE'")"
  allowed_at="$(now_ms)"
  allow
  await_recovery "$allowed_at" "connections were allowed again"

  seen="$(codes_between "$RUN/events-main.txt" "$(( refused_at + 500 ))" "$allowed_at")"
  health_seen="$(health_between "$RUN/health.txt" "$(( refused_at + 500 ))" "$allowed_at")"
  line="refused $(( allowed_at - refused_at )) ms ($left sessions of $ROLE at the end): answers [${seen:-none}]; /health/ready [${health_seen:-?}];"
  line+=" first 2xx $(( FIRST_ACK - allowed_at )) ms after allowing, ready after $(( READY_AT - allowed_at )) ms"
  report+=("$line")
  say "$line"
  [[ $seen == *"503:unavailable"* ]] || problems+=("no 503 unavailable while connections were refused")
  [[ $seen != *refused* && $seen != *timeout* && $seen != *reset* ]] || problems+=("the API itself refused, reset or timed out while the database refused it")
  [[ $health_seen == *503* ]] || problems+=("/health/ready never said 503 while connections were refused")
done

conclude "$PG_PORT" "$PG_DB" "$SCHEMA" "${#OUTAGES[@]} refusal(s)" \
  "only 503 unavailable while refused, no crash, recovered by itself, 0 lost, projections converged"

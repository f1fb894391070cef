#!/usr/bin/env bash
# PostgreSQL HA on loopback: a primary and a synchronous standby, the ledger on the primary, kill -9
# of the primary mid-storm, promotion of the standby, and the API carrying on against the new primary.
#
#   bash ops/ha/failover.sh [short|full]    (full: a longer storm before and after the failover)
#   HA_PROMOTE_DELAY=2 (s between the kill and pg_ctl promote), HA_DB_EXTRA="Host Recheck Seconds=1"
#
# Two clusters under .data/ha/ (git-ignored), on free ports from 54371 (never 54329):
#   primary  wal_level=replica, synchronous_commit=on, synchronous_standby_names='FIRST 1 (ha_standby)'
#   standby  pg_basebackup -R -X stream from the primary, streaming as application_name ha_standby
# The API gets one connection string naming both servers (Npgsql multi-host syntax
# Host=127.0.0.1:P1,127.0.0.1:P2 with Target Session Attributes=primary), so after the promotion it
# finds the new primary by itself: nothing restarts or reconfigures it.
# Measured: RTO = time from the kill -9 to the first transfer acknowledged afterwards (it includes the
# HA_PROMOTE_DELAY, default 2 s, standing in for a failover manager's detection time). Checked: RPO 0,
# i.e. every transfer acknowledged before the kill is on the new primary; none half-applied; every
# currency sums to zero; the projections converge. Both clusters are removed at the end.
# Prints one PASS/FAIL line; exit 0/1.
set -euo pipefail
# shellcheck source=ops/chaos/lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../chaos/lib.sh"

MODE="${1:-short}"
case "$MODE" in
  short) BEFORE=6 AFTER=6 LIMIT=240 ;;
  full) BEFORE=20 AFTER=20 LIMIT=360 ;;
  *) echo "usage: bash ops/ha/failover.sh [short|full]" >&2; exit 2 ;;
esac
PROMOTE_DELAY="${HA_PROMOTE_DELAY:-2}"
RTO_LIMIT_MS=30000

chaos_init failover "$LIMIT"
chaos_build

HA="$CHAOS_REPO/.data/ha"
PRIMARY="$HA/primary" STANDBY="$HA/standby"
SOCK1="$HA/primary-run" SOCK2="$HA/standby-run"
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup_ha() {
  own_cluster_stop "$STANDBY" immediate
  own_cluster_stop "$PRIMARY" immediate
  [[ ${CHAOS_KEEP:-0} == 1 ]] || rm -rf "$HA"
}
CHAOS_HOOKS+=(cleanup_ha)
cleanup_ha
mkdir -p "$HA"
for d in "$SOCK1" "$SOCK2"; do
  if (( EUID == 0 )); then install -d -o postgres -g postgres -m 0700 "$d"; else install -d -m 0700 "$d"; fi
done

P1="$(free_port 54371 54379)"
P2="$(free_port $(( P1 + 1 )) 54389)"
REPLICATION=(
  "max_wal_senders = 10"
  "wal_keep_size = 512MB"
  "hot_standby = on"
  "wal_sender_timeout = 10s"
  "wal_receiver_timeout = 10s"
)

# ---- primary -----------------------------------------------------------------------------------
own_cluster_init "$PRIMARY"
own_cluster_conf "$PRIMARY" "$P1" "$SOCK1" "${REPLICATION[@]}" "synchronous_standby_names = 'FIRST 1 (ha_standby)'"
own_cluster_start "$PRIMARY" "$RUN/primary.log"
# Until the standby streams, a commit on the primary would wait for it; create the database first
# with synchronous replication switched off for that one session.
PGOPTIONS='-c synchronous_commit=local' psql_at "$P1" postgres -c 'CREATE DATABASE ledger' >/dev/null

# ---- standby -----------------------------------------------------------------------------------
if (( EUID == 0 )); then install -d -o postgres -g postgres -m 0700 "$STANDBY"; else install -d -m 0700 "$STANDBY"; fi
as_pg timeout 300 "$PGBIN/pg_basebackup" -d "host=127.0.0.1 port=$P1 user=ledger application_name=ha_standby" \
  -D "$STANDBY" -R -X stream -c fast >"$RUN/basebackup.log" 2>&1 ||
  { cat "$RUN/basebackup.log" >&2; chaos_fail "pg_basebackup failed"; }
# The copy came with the primary's settings: its own port and socket, and no synchronous standby of
# its own (after a promotion, commits must not wait for a standby that does not exist).
own_cluster_conf "$STANDBY" "$P2" "$SOCK2" "${REPLICATION[@]}" "synchronous_standby_names = ''"
grep -q "application_name=ha_standby" "$STANDBY/postgresql.auto.conf" ||
  chaos_fail "pg_basebackup -R did not keep application_name in primary_conninfo"
own_cluster_start "$STANDBY" "$RUN/standby.log"
sync_state=""
for (( i = 0; i < 300; i++ )); do
  sync_state="$(psql_at "$P1" postgres -Atc "SELECT sync_state FROM pg_stat_replication WHERE application_name = 'ha_standby'")"
  [[ $sync_state == sync ]] && break
  sleep 0.1
done
[[ $sync_state == sync ]] || chaos_fail "the standby is not a synchronous standby (sync_state '$sync_state')"
say "primary 127.0.0.1:$P1, synchronous standby 127.0.0.1:$P2 (sync_state $sync_state)"

# ---- the ledger on the primary, through a connection string naming both ------------------------
SCHEMA=chaos_ha
HA_DB="Host=127.0.0.1:$P1,127.0.0.1:$P2;Username=ledger;Password=ledger;Database=ledger;Target Session Attributes=primary;Application Name=chaos-ha"
# HA_DB_EXTRA appends connection string options, e.g. "Host Recheck Seconds=1" (Npgsql's default, 10 s,
# is how long it keeps believing a server is a standby, which dominates the RTO; see docs/reliability.md).
[[ -z ${HA_DB_EXTRA:-} ]] || HA_DB="$HA_DB;$HA_DB_EXTRA"
PORT="$(free_port 5801 5899)"
api_start a "$PORT" "$HA_DB" "$SCHEMA"
api_wait_ready a
URL="$(api_url a)"
storm seed --base-url "$URL" --out "$RUN/accounts.txt" --per-currency 40 >&2 || chaos_fail "seeding failed"
storm_start main --base-url "$URL" --accounts "$RUN/accounts.txt" --workers 16 --duration $(( LIMIT - 40 )) \
  --health-log "$RUN/health.txt" --grace 40

wait_acks "$RUN/acked-main.txt" "$(( $(now_ms) - 1000 ))" 20 60 || chaos_fail "transfers are not flowing"
sleep "$BEFORE"
lag="$(psql_at "$P1" postgres -Atc "SELECT pg_wal_lsn_diff(sent_lsn, replay_lsn) FROM pg_stat_replication WHERE application_name = 'ha_standby'")"

# ---- failover ----------------------------------------------------------------------------------
victims="$(own_cluster_pids "$PRIMARY")"
killed_at="$(now_ms)"
# shellcheck disable=SC2086 # a list of pids
kill -KILL $victims
say "kill -9 of the primary (standby replay lag just before: ${lag:-?} bytes)"
sleep "$PROMOTE_DELAY"
promote_at="$(now_ms)"
as_pg "$PGBIN/pg_ctl" -D "$STANDBY" -w -t 60 -s promote || chaos_fail "pg_ctl promote failed"
promoted_at="$(now_ms)"
[[ "$(psql_at "$P2" postgres -Atc 'SELECT pg_is_in_recovery()')" == f ]] || chaos_fail "the standby is still in recovery after promotion"
say "standby promoted ($(( promoted_at - promote_at )) ms for pg_ctl promote)"

wait_acks "$RUN/acked-main.txt" "$killed_at" 1 60 || chaos_fail "the API acknowledged nothing within 60 s of the promotion"
first_ack="$(first_ack_after "$RUN/acked-main.txt" "$killed_at")"
rto=$(( first_ack - killed_at ))
storm wait-ready --base-url "$URL" --timeout 60 >/dev/null || chaos_fail "/health/ready not 200 within 60 s after the promotion"
ready_at="$(now_ms)"
seen="$(codes_between "$RUN/events-main.txt" "$killed_at" "$first_ack")"
say "RTO $rto ms (kill -> first 2xx; promotion began at +$(( promote_at - killed_at )) ms, first 2xx $(( first_ack - promoted_at )) ms after promotion); ready at +$(( ready_at - killed_at )) ms; answers meanwhile: ${seen:-none}"

sleep "$AFTER"
storm_status=0
storm_stop main || storm_status=$?
acked="$(acked_count "$RUN/acked-main.txt")"
before_kill="$(awk -v t="$killed_at" '$2 < t' "$RUN/acked-main.txt" | wc -l)"
after_failover="$(awk -v t="$killed_at" '$2 >= t' "$RUN/acked-main.txt" | wc -l)"
verify_status=0
verify_schema "$URL" "$P2" ledger "$SCHEMA" "$RUN/acked-main.txt" || verify_status=$?
lost="$(grep -oE 'missing from commands: [0-9]+' "$RUN/verify.out" | grep -oE '[0-9]+$' || echo '?')"
problems=()
diagnose_convergence a "$URL" "$P2" ledger "$SCHEMA" "$RUN/acked-main.txt" "$verify_status"

summary="RTO $rto ms (incl. ${PROMOTE_DELAY} s before promotion${HA_DB_EXTRA:+; $HA_DB_EXTRA}), RPO: $lost of $acked acknowledged transfers lost ($before_kill acknowledged before the kill, $after_failover after); answers during failover: ${seen:-none}"
say "$summary"
(( rto <= RTO_LIMIT_MS )) || problems+=("RTO above $RTO_LIMIT_MS ms")
[[ $lost == 0 ]] || problems+=("acknowledged transfers lost")
(( after_failover > 0 )) || problems+=("nothing acknowledged after the failover")
(( storm_status == 0 )) || problems+=("the storm saw contract violations (5xx other than 503, or answers slower than 10 s)")
(( verify_status == 0 )) || problems+=("verification failed")
(( ${#problems[@]} == 0 )) || chaos_fail "$summary; $(join "${problems[@]}")"
chaos_pass "$summary; API resumed on the new primary by itself, 0 half-applied, projections converged"

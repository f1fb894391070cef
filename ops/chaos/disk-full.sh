#!/usr/bin/env bash
# Chaos: the database's disk fills up during a transfer storm, then space is freed again.
#
#   bash ops/chaos/disk-full.sh [short|full]   (full only in ops/chaos/run.sh; short: full disk 8 s,
#                                               full: 20 s)
#
# The scenario's own cluster lives on a 384 MB tmpfs mounted at .data/chaos/clusters/diskfull (needs
# root and permission to mount; the script fails, saying so, where that is not possible). The disk is
# filled with a file (fallocate) while the storm runs, held full, and the file removed. Proves: the
# API answers 503 `unavailable` and never a 500 or a hang, the API process survives, and after the
# space is back (and PostgreSQL restarted, if it had to stop: that is reported) the API recovers
# without a restart; nothing acknowledged is lost and the projections converge.
set -euo pipefail
# shellcheck source=ops/chaos/lib.sh
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"

MODE="${1:-short}"
case "$MODE" in
  short) FULL_FOR=8 LIMIT=200 ;;
  full) FULL_FOR=20 LIMIT=300 ;;
  *) echo "usage: bash ops/chaos/disk-full.sh [short|full]" >&2; exit 2 ;;
esac

chaos_init disk-full "$LIMIT"
(( EUID == 0 )) || chaos_fail "needs root (to mount a small tmpfs as the database's disk)"
chaos_build

MNT="$CHAOS_DATA/clusters/diskfull"
PGDIR="$MNT/data"
SOCK="$CHAOS_DATA/clusters/diskfull-run"
FILLER="$MNT/filler"
# shellcheck disable=SC2317 # run by the EXIT trap
cleanup_disk() {
  rm -f "$FILLER"
  own_cluster_stop "$PGDIR" immediate
  mountpoint -q "$MNT" && umount "$MNT"
  rm -rf "$SOCK"
  rmdir "$MNT" 2>/dev/null || true
}
CHAOS_HOOKS+=(cleanup_disk)
cleanup_disk
mkdir -p "$MNT"
mount -t tmpfs -o size=384m,mode=0755 chaos-diskfull "$MNT" 2>"$RUN/mount.err" ||
  chaos_fail "cannot mount a tmpfs here ($(cat "$RUN/mount.err")); this scenario needs a machine where root may mount"
install -d -o postgres -g postgres -m 0700 "$SOCK"

own_cluster_init "$PGDIR"
PG_PORT="$(free_port 54390 54399)"
# Small WAL, so the cluster fits the small disk with room to spare before the filler comes.
own_cluster_conf "$PGDIR" "$PG_PORT" "$SOCK" "max_wal_size = 96MB" "min_wal_size = 32MB" "checkpoint_timeout = 30s"
own_cluster_start "$PGDIR" "$RUN/postgres.log"
psql_at "$PG_PORT" postgres -c 'CREATE DATABASE ledger' >/dev/null

SCHEMA=chaos_diskfull
PORT="$(free_port 5901 5999)"
start_storm_on_api "$PORT" "$(conn_string "$PG_PORT" ledger chaos-diskfull)" "$SCHEMA"
wait_acks "$RUN/acked-main.txt" "$(( $(now_ms) - 1000 ))" 20 60 || chaos_fail "transfers are not flowing"
sleep 2

report=()
problems=()
avail="$(df --output=avail -B1 "$MNT" | tail -n 1 | tr -d ' ')"
full_at="$(now_ms)"
fallocate -l "$avail" "$FILLER" 2>/dev/null || dd if=/dev/zero of="$FILLER" bs=1M status=none 2>/dev/null || true
say "disk filled ($(df -h --output=avail "$MNT" | tail -n 1 | tr -d ' ') left)"
sleep "$FULL_FOR"
api_alive=yes; kill -0 "${API_PID[a]}" 2>/dev/null || api_alive=no
pg_alive=yes; "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2 || pg_alive=no
freed_at="$(now_ms)"
rm -f "$FILLER"
[[ $api_alive == yes ]] || chaos_fail "the API process died while the disk was full (log $RUN/api-a.log)"
restarted=no
if [[ $pg_alive == no ]]; then
  # A server that stopped on a full disk (a PANIC writing WAL) waits for its supervisor: be it.
  own_cluster_stop "$PGDIR" immediate
  own_cluster_start "$PGDIR" "$RUN/postgres.log"
  restarted=yes
fi
await_recovery "$freed_at" "space was freed" 90

seen="$(codes_between "$RUN/events-main.txt" "$full_at" "$freed_at")"
health_seen="$(health_between "$RUN/health.txt" "$full_at" "$freed_at")"
panics="$(grep -c 'PANIC' "$RUN/postgres.log" || true)"
enospc="$(grep -c 'No space left on device' "$RUN/postgres.log" || true)"
line="disk full for $(( freed_at - full_at )) ms: answers [${seen:-none}]; /health/ready [${health_seen:-?}]; PostgreSQL log: $enospc 'No space left' lines, $panics PANIC; server still up when freed: $pg_alive (restarted by the script: $restarted); first 2xx $(( FIRST_ACK - freed_at )) ms after freeing"
report+=("$line")
say "$line"
[[ $seen != *refused* && $seen != *timeout* && $seen != *reset* ]] || problems+=("the API refused, reset or timed out while the disk was full")

conclude "$PG_PORT" ledger "$SCHEMA" "$line" "no 500, no crash of the API, 0 lost, projections converged"

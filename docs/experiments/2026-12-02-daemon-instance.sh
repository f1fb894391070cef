#!/usr/bin/env bash
# Scratch experiment of 2026-12-02 (docs/benchmarks.md, "Issue 15, the third night"): the writer and Marten's
# daemon in two processes of the same build, against the harness's bench database, driven like `run.sh wrk`.
#   single     one API instance, daemon in-process (as run.sh does it)
#   split      a second instance starts first and leads the daemon (HotCold); the first serves HTTP only
#   splitnice  the same, with the daemon's instance at nice 10
# Run `BENCH_WARMUP=30 bash ops/bench/run.sh wrk` once first (it builds, seeds the accounts and leaves the
# cluster up), then e.g. `bash docs/experiments/2026-12-02-daemon-instance.sh split split-1`.
# Not part of the product or of the harness: the database is not recreated between runs.
set -euo pipefail
MODE="$1"   # single | split | splitnice
LABEL="$2"
REPO="$(cd "$(dirname "$0")/../.." && pwd -P)"
BUILD=$REPO/.data/bench/build
RUN="$(ls -d $REPO/.data/bench/run-* | tail -n 1)"
PG_PORT=54329
DB="Host=127.0.0.1;Port=$PG_PORT;Username=ledger;Password=ledger;Database=ledger_bench"
KEYS="bc-x:client:bench-client,ba-x:auditor:bench-auditor,bo-x:operator:op"
PG_PID="$(head -1 $REPO/.data/pg/postmaster.pid)"
start_api() { # port nice
  ( cd $BUILD/api; export LEDGER_DB="$DB" LEDGER_API_KEYS="$KEYS" ASPNETCORE_ENVIRONMENT=Production \
      Ledger__RateLimits__TokensPerSecond=1000000 Ledger__RateLimits__BurstTokens=1000000
    exec nice -n "$2" dotnet Ledger.Api.dll --urls "http://127.0.0.1:$1" ) > /tmp/api-$1.log 2>&1 &
  echo $!
}
wait_ready() { for i in $(seq 1 120); do curl -sf "http://127.0.0.1:$1/health/ready" >/dev/null && return 0; sleep 0.5; done; echo "not ready $1"; return 1; }
cpu_of() { awk '{print $14+$15}' /proc/$1/stat; }
D=""
if [[ $MODE != single ]]; then
  n=0; [[ $MODE == splitnice ]] && n=10
  D=$(start_api 5191 $n); wait_ready 5191; sleep 3
fi
W=$(start_api 5190 0); wait_ready 5190
d0=0; [[ -n $D ]] && d0=$(cpu_of $D)
t0=$(date +%s.%N)
BENCH_CLIENT_KEY=bc-x BENCH_AUDITOR_KEY=ba-x dotnet $BUILD/load/Ledger.Bench.Load.dll wrk --wrk /usr/bin/wrk --script $REPO/ops/bench/wrk/transfers.lua \
  --mix uniform --connections 64 --label "$LABEL" --base-url http://127.0.0.1:5190 --accounts-file $RUN/accounts.txt \
  --results /tmp/split.jsonl --warmup 30 --duration 20 --api-pid $W --pg-pid $PG_PID --clk-tck 100 --catch-up-timeout 120 --max-tries 1 2>&1 | grep -E "^\| |catch|error" || true
t1=$(date +%s.%N)
if [[ -n $D ]]; then d1=$(cpu_of $D); echo "daemon instance CPU over the whole load (warmup+window+catch-up): $(echo "($d1-$d0)/100/($t1-$t0)" | bc -l | cut -c1-5) cores; leader: $(grep -ci 'leader\|lead' /tmp/api-5191.log)"; fi
kill $W ${D:-} 2>/dev/null; wait 2>/dev/null || true

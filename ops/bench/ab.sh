#!/usr/bin/env bash
# Interleaved A/B of two commits through wrk, in one command (issue 15's "in the same run" comparisons):
#
#   bash ops/bench/ab.sh BASE [CANDIDATE] [PAIRS]      e.g.  bash ops/bench/ab.sh a5c3ec3 HEAD 4
#
# Each commit is checked out in a worktree of its own with this checkout's ops/bench copied in, so both
# builds are measured by the same harness, each on its own project-local cluster. PAIRS pairs (default 4,
# at most 20) of `ops/bench/run.sh wrk` alternate the order (base then candidate, then candidate then
# base, ...), so a drift of the machine weighs on both builds alike: on the project's VM one build moves
# by 15-20 % within an hour, and three pairs once read 1.12x where five read 1.00x (docs/benchmarks.md).
# At the end: every run's figure per scenario, the means and the ratio, with runs the hypervisor
# disturbed marked; the worktrees' clusters are stopped and the worktrees removed.
# BENCH_WARMUP defaults to 30 s here (after the harness's 10 s the tiered JIT is still compiling, which
# favours the build with less code); every other BENCH_* knob reaches run.sh unchanged. About 5 minutes
# per pair. Output: the table on stdout; each run's log and both builds' results.jsonl under
# .data/ab/run-<UTC time>/ (git-ignored).
set -euo pipefail

REPO="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd -P)"

say() { echo "ab: $*" >&2; }
die() { say "$*"; exit 1; }
usage() { echo "usage: bash ops/bench/ab.sh BASE [CANDIDATE] [PAIRS]   (commits; CANDIDATE defaults to HEAD, PAIRS to 4)" >&2; exit 2; }

(( $# >= 1 && $# <= 3 )) || usage
[[ $1 != -h && $1 != --help ]] || { sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0; }
PAIRS="${3:-4}"
[[ $PAIRS =~ ^[0-9]+$ ]] && (( PAIRS >= 1 && PAIRS <= 20 )) || { echo "ab.sh: PAIRS must be 1..20, got '$PAIRS'" >&2; exit 2; }
BASE_SHA="$(git -C "$REPO" rev-parse --verify --quiet "$1^{commit}")" || { echo "ab.sh: no such commit: $1" >&2; exit 2; }
CANDIDATE_SHA="$(git -C "$REPO" rev-parse --verify --quiet "${2:-HEAD}^{commit}")" || { echo "ab.sh: no such commit: ${2:-HEAD}" >&2; exit 2; }
BASE_NAME="$(git -C "$REPO" rev-parse --short "$BASE_SHA")"
CANDIDATE_NAME="$(git -C "$REPO" rev-parse --short "$CANDIDATE_SHA")"
[[ $BASE_SHA != "$CANDIDATE_SHA" ]] || say "base and candidate are the same commit: the table shows the machine's own spread"

export BENCH_WARMUP="${BENCH_WARMUP:-30}"
OUT="$REPO/.data/ab/run-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"

cleanup() {
  local role
  for role in base candidate; do
    [[ -d $OUT/$role ]] || continue
    bash "$OUT/$role/ops/pg.sh" down >/dev/null 2>&1 || say "could not stop the cluster of $OUT/$role; stop it with: bash $OUT/$role/ops/pg.sh down"
    git -C "$REPO" worktree remove --force "$OUT/$role" || say "could not remove the worktree $OUT/$role"
  done
}
trap cleanup EXIT

checkout() {
  local role="$1" sha="$2" dir="$OUT/$1"
  git -C "$REPO" worktree add --detach --quiet "$dir" "$sha"
  rm -rf "$dir/ops/bench"
  mkdir -p "$dir/ops/bench"
  tar -C "$REPO/ops/bench" --exclude=bin --exclude=obj -cf - . | tar -C "$dir/ops/bench" -xf -
  say "$role = $(git -C "$dir" log -1 --format='%h %s' | cut -c1-100)"
}

measure() {
  local role="$1" pair="$2" dir="$OUT/$1" log="$OUT/$1-$2.log" run
  say "pair $pair: $role, started $(date -u +%H:%M:%S) UTC"
  (cd "$dir" && bash ops/bench/run.sh wrk) >"$log" 2>&1 || { tail -n 20 "$log" >&2; die "the $role run of pair $pair failed (log: $log)"; }
  run="$(ls -d "$dir"/.data/bench/run-* | tail -n 1)"
  cat "$run/results.jsonl" >>"$OUT/$role.jsonl"
  grep '^| wrk' "$log" | sed "s/^/ab:   $role /" >&2 || true
}

checkout base "$BASE_SHA"
checkout candidate "$CANDIDATE_SHA"
for (( pair = 1; pair <= PAIRS; pair++ )); do
  if (( pair % 2 == 1 )); then
    measure base "$pair"; measure candidate "$pair"
  else
    measure candidate "$pair"; measure base "$pair"
  fi
done

LOAD_DLL="$OUT/candidate/.data/bench/build/load/Ledger.Bench.Load.dll"
[[ -f $LOAD_DLL ]] || die "the load generator's build is missing: $LOAD_DLL"
echo
echo "Interleaved A/B, $(date -u '+%Y-%m-%d %H:%M') UTC, $(nproc) cores, $PAIRS pairs of 'ops/bench/run.sh wrk' (BENCH_WARMUP=$BENCH_WARMUP; logs: $OUT)"
echo
dotnet "$LOAD_DLL" ab-report --base "$OUT/base.jsonl" --candidate "$OUT/candidate.jsonl" \
  --base-name "$BASE_NAME" --candidate-name "$CANDIDATE_NAME"

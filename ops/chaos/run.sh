#!/usr/bin/env bash
# The chaos suite: every fault-injection scenario in turn, then a summary.
#
#   bash ops/chaos/run.sh [short|full]      (default short)
#
#   short (CI; about 4 minutes after the build): kill-api (5 kills), restart-postgres (one 8 s crash
#         stop), two-instances (one leader kill), connection-limit (one 8 s refusal), sigterm (one).
#   full: more kills and longer outages in each, plus disk-full (needs root and a tmpfs mount) and the
#         PostgreSQL HA failover (ops/ha/failover.sh).
#
# Runs on a fresh Debian 12 machine as root: ops/pg.sh installs and starts PostgreSQL 15; the API and
# the storm tool are built once (see CHAOS_BUILD in ops/chaos/lib.sh). All traffic stays on 127.0.0.1;
# every scenario has its own schema or cluster and its own time limit. Logs and the acknowledged ids
# of each scenario are kept under .data/chaos/runs/ (git-ignored). Exit 0 only if every scenario passed.
set -euo pipefail
HERE="$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")"
MODE="${1:-short}"
case "$MODE" in
  short) SCENARIOS=(kill-api restart-postgres two-instances connection-limit sigterm) ;;
  full) SCENARIOS=(kill-api restart-postgres two-instances connection-limit sigterm disk-full failover) ;;
  -h | --help | help) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "usage: bash ops/chaos/run.sh [short|full]" >&2; exit 2 ;;
esac
(( $# <= 1 )) || { echo "usage: bash ops/chaos/run.sh [short|full]" >&2; exit 2; }

# shellcheck source=ops/chaos/lib.sh
source "$HERE/lib.sh"
chaos_init chaos-run 3600
started=$SECONDS
chaos_build
built=$(( SECONDS - started ))

script_of() {
  case "$1" in
    failover) printf '%s\n' "$CHAOS_REPO/ops/ha/failover.sh" ;;
    *) printf '%s\n' "$HERE/$1.sh" ;;
  esac
}

names=() verdicts=() times=() lines=()
failed=0
for scenario in "${SCENARIOS[@]}"; do
  say "---- $scenario ($MODE) ----"
  t0=$SECONDS
  out="$RUN/$scenario.out"
  status=0
  # A hard stop on top of the scenario's own limits; TERM first, so its cleanup runs.
  timeout -k 20 "$([[ $MODE == short ]] && echo 300 || echo 600)" bash "$(script_of "$scenario")" "$MODE" >"$out" 2> >(tee -a "$RUN/$scenario.err" >&2) ||
    status=$?
  verdict="$(grep -E "^$scenario (PASS|FAIL):" "$out" | tail -n 1 || true)"
  [[ -n $verdict ]] || verdict="$scenario FAIL: no verdict (exit status $status; 124 = timed out)"
  result=PASS
  if (( status != 0 )) || [[ $verdict != "$scenario PASS:"* ]]; then
    result=FAIL
    failed=$(( failed + 1 ))
    [[ $verdict != *" PASS:"* ]] || verdict="$scenario FAIL: printed PASS but exited with status $status"
  fi
  echo "$verdict"
  names+=("$scenario") verdicts+=("$result") times+=("$(( SECONDS - t0 ))") lines+=("$verdict")
done

echo
echo "Chaos suite ($MODE), $(date -u '+%Y-%m-%d %H:%M UTC'), build ${built} s, total $(( SECONDS - started )) s; logs in $CHAOS_DATA/runs/"
printf '  %-18s %-6s %6s\n' scenario result seconds
for i in "${!names[@]}"; do
  printf '  %-18s %-6s %6s\n' "${names[$i]}" "${verdicts[$i]}" "${times[$i]}"
done
for line in "${lines[@]}"; do echo "  $line"; done
if (( failed == 0 )); then
  echo "chaos PASS: ${#names[@]} scenarios ($MODE) passed"
  exit 0
fi
echo "chaos FAIL: $failed of ${#names[@]} scenarios ($MODE) failed"
exit 1

#!/usr/bin/env bash
# Quick start: run every test of the solution against the project-local
# PostgreSQL (started or reused by ops/pg.sh).
#
#   bash ops/test.sh                      # all tests
#   bash ops/test.sh --filter Category=X  # extra arguments go to dotnet test
#   LEDGER_CHAOS=short bash ops/test.sh   # then the fault-injection suite (ops/chaos/run.sh short|full)
#                                         # once the tests passed; CI sets short (.ci/run)
#
# Once the .NET tests passed (and no --filter was given), ops/openapi/check.sh lints the running server's
# OpenAPI document with Redocly CLI and runs the quick start through a client generated from it, and
# ops/console/check.sh drives the console in headless Chromium against a real server.
#
# Exits non-zero if a test (or, with LEDGER_CHAOS, a scenario) failed; ends with one line "N passed, N failed"
# (plus ", N skipped" when any were skipped), summed over all test assemblies.
set -euo pipefail

REPO="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)"

# shellcheck source=ops/pg.sh
source "$REPO/ops/pg.sh"
ledger_pg_up
# The superuser connection: the tests create their own databases/schemas from it.
export LEDGER_TEST_DB="$LEDGER_PG_ADMIN"
export DOTNET_NOLOGO="${DOTNET_NOLOGO:-1}"

# The console is built before the solution, so the API binary the tests and the checks below start serves it.
bash "$REPO/ops/console/build.sh"

log="$(mktemp "${TMPDIR:-/tmp}/ledger-test.XXXXXX")"
trap 'rm -f "$log"' EXIT

# stderr goes through tee as well: dotnet test prints parts of its verdict
# there, and one stream keeps the two in order on screen and in CI logs.
set +e
dotnet test "$REPO/Ledger.sln" -c Release --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
status="${PIPESTATUS[0]}"
set -e

# Each assembly's console logger ends with a block
#   Total tests: N / Passed: N / Failed: N / Skipped: N / Total time: ...
# (lines with a zero count left out). Counting only inside those blocks keeps
# test output that happens to say "Passed: 3" out of the sum. The one-line
# "Passed!  - Failed: N, Passed: N, Skipped: N, ..." form that other logger
# verbosities print is the fallback.
summary="$(sed 's/\x1b\[[0-9;]*[A-Za-z]//g; s/\r$//' "$log" | awk '
  /^[[:space:]]*Total tests:[[:space:]]*[0-9]+[[:space:]]*$/ { inblock = 1; blocks++; next }
  inblock && /^[[:space:]]*Total time:/ { inblock = 0; next }
  inblock && /^[[:space:]]*(Passed|Failed|Skipped):[[:space:]]*[0-9]+[[:space:]]*$/ {
    split($0, kv, ":"); key = kv[1]; gsub(/[[:space:]]/, "", key); block[key] += kv[2] + 0; next
  }
  /^(Passed|Failed)![[:space:]]+-[[:space:]]+Failed:/ {
    lines++
    for (i = 1; i <= NF; i++) {
      if ($i == "Failed:")  line["Failed"]  += $(i + 1) + 0
      if ($i == "Passed:")  line["Passed"]  += $(i + 1) + 0
      if ($i == "Skipped:") line["Skipped"] += $(i + 1) + 0
    }
  }
  END {
    if (blocks)     { p = block["Passed"]; f = block["Failed"]; s = block["Skipped"] }
    else if (lines) { p = line["Passed"];  f = line["Failed"];  s = line["Skipped"] }
    else exit
    out = (p + 0) " passed, " (f + 0) " failed"
    if (s + 0 > 0) out = out ", " (s + 0) " skipped"
    print out
  }')" || summary=""

if [[ -n $summary ]]; then
  echo
  # A project that does not build runs no tests, so "0 failed" alone would hide it.
  if [[ $status != 0 && $summary == *" 0 failed"* ]]; then
    echo "ops/test.sh: dotnet test exited with $status although no test failed: a build error or a crashed test host, see above"
  fi
  echo "$summary"
fi

# The OpenAPI document as tools see it; skipped for a filtered run, which is someone's inner loop.
if [[ $status == 0 && " $* " != *" --filter "* ]]; then
  if bash "$REPO/ops/openapi/check.sh"; then echo "openapi check PASS"; else status=$?; echo "openapi check FAIL"; fi
  if bash "$REPO/ops/console/check.sh"; then echo "console check PASS"; else status=$?; echo "console check FAIL"; fi
  [[ -z $summary ]] || printf '\n%s\n' "$summary"
fi

# Opt-in fault injection, only after every test passed: LEDGER_CHAOS=short (CI) or full.
if [[ $status == 0 && -n ${LEDGER_CHAOS:-} ]]; then
  bash "$REPO/ops/chaos/run.sh" "$LEDGER_CHAOS" || status=$?
  # The tests' summary stays the last line, as promised above; the chaos verdict ("chaos PASS|FAIL")
  # comes just before it, and a failed scenario makes the exit status non-zero.
  [[ -z $summary ]] || printf '\n%s\n' "$summary"
fi
exit "$status"

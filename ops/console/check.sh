#!/usr/bin/env bash
# The operator console in a real browser: starts the real API (ops/openapi/serve.sh), then drives /console
# in Debian's headless Chromium with Playwright (console/e2e, node's test runner).
#
#   bash ops/console/check.sh                 # the browser tests (ops/test.sh runs them after the .NET tests)
#   bash ops/console/check.sh --screenshots   # the same, saving a picture of each page into docs/console/
#
# Installs Chromium from Debian when missing; builds the console and the API when they are not built.
set -euo pipefail

HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)"
REPO="$(cd "$HERE/../.." && pwd -P)"
[[ ${1:-} != --screenshots ]] || export LEDGER_CONSOLE_SCREENSHOTS="$REPO/docs/console"

if ! command -v chromium >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q && apt-get install -yq chromium
fi
[[ -f $REPO/console/dist/index.html ]] || bash "$HERE/build.sh"
if [[ ! -f $REPO/Ledger.Api/bin/Release/net10.0/console/index.html ]]; then
  dotnet build "$REPO/Ledger.Api/Ledger.Api.csproj" -c Release -nologo -v q
fi

# shellcheck source=ops/openapi/serve.sh
source "$REPO/ops/openapi/serve.sh"
ledger_api_up
trap ledger_api_down EXIT

cd "$REPO/console"
CHROMIUM="$(command -v chromium)" node --test --test-reporter=spec --test-concurrency=1 e2e/

#!/usr/bin/env bash
# The OpenAPI document as tools see it, against the real server:
#   1. Redocly CLI lints /openapi/v1.json with its recommended rules (0 errors, or this fails);
#   2. openapi-typescript generates a client from it, tsc type-checks the quick start against it;
#   3. the quick start runs through that client (node's test runner);
#   4. the API reference page (/docs) renders that document in headless Chromium (docs-page.sh).
# Installs Node.js and Chromium from Debian when missing, and the npm packages pinned in package-lock.json.
# Called by ops/test.sh after the .NET tests; runs on its own too: bash ops/openapi/check.sh
set -euo pipefail

HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd -P)"
cd "$HERE"

if ! command -v npm >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q && apt-get install -yq nodejs npm
fi
npm ci --no-audit --no-fund --loglevel=error

# shellcheck source=ops/openapi/serve.sh
source "$HERE/serve.sh"
ledger_api_up
trap ledger_api_down EXIT

mkdir -p generated
curl -fsS "$LEDGER_API_URL/openapi/v1.json" -o generated/openapi.json
npx --no-install redocly lint --extends recommended --format stylish generated/openapi.json
npx --no-install openapi-typescript generated/openapi.json --output generated/ledger.d.ts
npx --no-install tsc --noEmit -p .
node --import tsx --test --test-reporter=spec quickstart.test.ts
bash "$HERE/docs-page.sh"

#!/usr/bin/env bash
# Builds the operator console (console/) into console/dist, which the .NET build copies beside the binary
# and the API serves at /console. Installs Node.js from Debian when missing and the npm packages pinned in
# console/package-lock.json. Called by ops/run.sh and ops/test.sh before they build the API.
set -euo pipefail

CONSOLE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../../console" && pwd -P)"

if ! command -v npm >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q && apt-get install -yq nodejs npm
fi
cd "$CONSOLE"
# npm ci only when the lock file changed since the last install: it wipes node_modules, which costs seconds each run.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build -- --logLevel warn
echo "console/build.sh: built $(find dist -type f | wc -l) files into console/dist"

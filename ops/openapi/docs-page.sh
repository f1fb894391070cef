#!/usr/bin/env bash
# Renders the API reference page (/docs, Scalar) of a running server in headless Chromium and checks
# that it shows the live document's operations; with --screenshot FILE it also saves a picture of it.
# Needs LEDGER_API_URL (ops/openapi/serve.sh sets it). Installs Debian's chromium when missing.
set -euo pipefail

screenshot=""
[[ ${1:-} != --screenshot ]] || screenshot="$(readlink -f "$2")"
: "${LEDGER_API_URL:?start the API first (source ops/openapi/serve.sh && ledger_api_up)}"

if ! command -v chromium >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q && apt-get install -yq chromium
fi

profile="$(mktemp -d "${TMPDIR:-/tmp}/ledger-chromium.XXXXXX")"
trap 'rm -rf "$profile"' EXIT
# The page builds itself in the browser from /openapi/v1.json; the virtual time budget lets it finish.
browse() {
  chromium --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$profile" \
    --window-size=1400,1000 --virtual-time-budget=15000 "$@" "$LEDGER_API_URL/docs/" 2>/dev/null
}

dom="$(browse --dump-dom)"
for text in "Ledger API" "Open an account" "Transfers" "Operations" "X-Api-Key"; do
  if [[ $dom != *"$text"* ]]; then
    echo "docs-page.sh: /docs did not render '$text'" >&2
    exit 1
  fi
done
echo "docs-page.sh: /docs renders the live document"
if [[ -n $screenshot ]]; then
  browse --screenshot="$screenshot" >/dev/null
  echo "docs-page.sh: screenshot in $screenshot"
fi

#!/usr/bin/env bash
# Quick start: run the ledger API on http://127.0.0.1:5080 against the
# project-local PostgreSQL (started or reused by ops/pg.sh).
#
#   bash ops/run.sh            # serve the API and the console (/console); Ctrl-C stops it, the database keeps running
#   bash ops/run.sh migrate    # extra arguments go to the app, after --urls
#
# Honoured when set: LEDGER_DB (then no local cluster is started),
# LEDGER_API_KEYS, LEDGER_URLS, ASPNETCORE_ENVIRONMENT (default Development).
set -euo pipefail

REPO="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)"

if [[ -z ${LEDGER_DB:-} ]]; then
  # shellcheck source=ops/pg.sh
  source "$REPO/ops/pg.sh"
  ledger_pg_up
  export LEDGER_DB="$LEDGER_PG_DB"
  # The connection string carries a password, so only its harmless parts are shown.
  echo "run.sh: LEDGER_DB = database ledger on $LEDGER_PG_HOST:$LEDGER_PG_PORT as user ledger"
fi

if [[ -z ${LEDGER_API_KEYS:-} ]]; then
  # Well-known keys for a local run only; printing them is the point, so
  # whoever started the API can call it straight away.
  export LEDGER_API_KEYS="dev-operator-key:operator:dev-operator,dev-client-key:client:dev-client,dev-auditor-key:auditor:dev-auditor"
  cat <<'EOF'
run.sh: LEDGER_API_KEYS not set; using DEVELOPMENT keys (never use these outside a local run):
          key                role       name
          dev-operator-key   operator   dev-operator
          dev-client-key     client     dev-client
          dev-auditor-key    auditor    dev-auditor
EOF
fi

# The console's static files (/console) are built first, so the .NET build copies them beside the binary.
bash "$REPO/ops/console/build.sh"

export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
export DOTNET_NOLOGO="${DOTNET_NOLOGO:-1}"
urls="${LEDGER_URLS:-http://127.0.0.1:5080}"
echo "run.sh: starting Ledger.Api on $urls ($ASPNETCORE_ENVIRONMENT)"

# exec: the API becomes this process, so Ctrl-C and signals reach it directly.
exec dotnet run --project "$REPO/Ledger.Api/Ledger.Api.csproj" -c Release -- --urls "$urls" "$@"

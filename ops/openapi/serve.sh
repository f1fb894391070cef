#!/usr/bin/env bash
# Starts the real API (Release build, Production logging) on a free loopback port against the
# project-local PostgreSQL, on a schema of its own, and waits until it is ready. Meant to be sourced:
#
#   source ops/openapi/serve.sh && ledger_api_up    # exports LEDGER_API_URL and the keys below
#   ledger_api_down                                  # stops it and drops its schema
#
# Used by ops/openapi/check.sh (lint, generated client), ops/openapi/screenshot.sh and ops/console/check.sh (browser tests).

_LEDGER_SERVE_SH="$(readlink -f "${BASH_SOURCE[0]}")"
_LEDGER_REPO="$(cd "$(dirname "$_LEDGER_SERVE_SH")/../.." && pwd -P)"

export LEDGER_API_OPERATOR_KEY="openapi-operator-key" LEDGER_API_CLIENT_KEY="openapi-client-key" LEDGER_API_AUDITOR_KEY="openapi-auditor-key"

ledger_api_up() {
  # shellcheck source=ops/pg.sh
  source "$_LEDGER_REPO/ops/pg.sh"
  ledger_pg_up || return
  local dll="$_LEDGER_REPO/Ledger.Api/bin/Release/net10.0/Ledger.Api.dll"
  [[ -f $dll ]] || dotnet build "$_LEDGER_REPO/Ledger.Api/Ledger.Api.csproj" -c Release -nologo -v q || return
  local port
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')" || return
  _LEDGER_API_SCHEMA="openapi_$(date +%s)_$$"
  _LEDGER_API_LOG="$(mktemp "${TMPDIR:-/tmp}/ledger-api.XXXXXX")"
  export LEDGER_API_URL="http://127.0.0.1:$port"
  LEDGER_DB="$LEDGER_PG_DB" \
  LEDGER_API_KEYS="$LEDGER_API_OPERATOR_KEY:operator,$LEDGER_API_CLIENT_KEY:client,$LEDGER_API_AUDITOR_KEY:auditor" \
  Ledger__Schema="$_LEDGER_API_SCHEMA" ASPNETCORE_ENVIRONMENT=Production DOTNET_NOLOGO=1 \
    dotnet "$dll" --urls "$LEDGER_API_URL" >"$_LEDGER_API_LOG" 2>&1 &
  _LEDGER_API_PID=$!
  # The API migrates its schema first; 60 s covers a cold start on a loaded machine.
  local deadline=$((SECONDS + 60))
  until curl -fsS -o /dev/null "$LEDGER_API_URL/health/ready" 2>/dev/null; do
    if ! kill -0 "$_LEDGER_API_PID" 2>/dev/null || ((SECONDS > deadline)); then
      echo "serve.sh: the API did not become ready; its output:" >&2
      cat "$_LEDGER_API_LOG" >&2
      ledger_api_down
      return 1
    fi
    sleep 0.2
  done
}

ledger_api_down() {
  if [[ -n ${_LEDGER_API_PID:-} ]]; then
    kill "$_LEDGER_API_PID" 2>/dev/null && wait "$_LEDGER_API_PID" 2>/dev/null
    _LEDGER_API_PID=""
  fi
  if [[ -n ${_LEDGER_API_SCHEMA:-} ]]; then
    psql "postgresql://ledger:ledger@127.0.0.1:$LEDGER_PG_PORT/ledger" -qc "DROP SCHEMA IF EXISTS $_LEDGER_API_SCHEMA CASCADE" >/dev/null 2>&1 || true
    _LEDGER_API_SCHEMA=""
  fi
  [[ -z ${_LEDGER_API_LOG:-} ]] || rm -f "$_LEDGER_API_LOG"
}

#!/usr/bin/env bash
# Writes Wolverine's handler code ahead of time into Ledger.Api/Internal/Generated (the API loads it in
# Static mode, without Roslyn at run time). Run it after adding or changing a Wolverine handler or its
# dependencies, and commit the result; a handler without generated code stops the API at start.
set -euo pipefail
REPO="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)"
dotnet build "$REPO/Ledger.Api" -c Release -v quiet -nologo
cd "$REPO/Ledger.Api"
rm -rf Internal/Generated
# codegen builds the host without starting it: no database is contacted.
LEDGER_DB="Host=unused" ASPNETCORE_ENVIRONMENT=Development dotnet bin/Release/net10.0/Ledger.Api.dll codegen write
dotnet build "$REPO/Ledger.Api" -c Release -v quiet -nologo

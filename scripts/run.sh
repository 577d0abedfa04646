#!/usr/bin/env bash
# THE run command of OutreachOS:  ./scripts/run.sh [arguments passed to the host]
#
# Builds and runs the host in Release on its embedded defaults: http://localhost:5080, and, unless
# ConnectionStrings__Postgres is set, a private PostgreSQL cluster under .outreachos/pgdata that the host starts
# and stops itself (the machine's PostgreSQL binaries are installed with apt when none are found).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" # the content root: .outreachos/ lives here
log() { printf '[run.sh] %s\n' "$*"; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export ASPNETCORE_URLS=${ASPNETCORE_URLS:-http://localhost:5080}
command -v dotnet >/dev/null || { log "the .NET SDK (dotnet) is required"; exit 1; }

if [[ -z ${ConnectionStrings__Postgres:-} ]]; then
    if ! command -v initdb >/dev/null && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        sudo=""
        [[ $(id -u) -eq 0 ]] || sudo=sudo
        log "installing PostgreSQL (Debian package postgresql) for the embedded database"
        DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends postgresql >/dev/null
    fi
    # As root the embedded server runs as the OS user postgres, which cannot enter a checkout under /root (mode 0700):
    # keep its data in a folder it can reach, one per checkout.
    if [[ $(id -u) -eq 0 && -z ${Postgres__Embedded__DataDirectory:-} ]] && ! runuser -u postgres -- test -x "$ROOT"; then
        export Postgres__Embedded__DataDirectory="/var/lib/outreachos/$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)/pgdata"
        mkdir -p "$(dirname "$Postgres__Embedded__DataDirectory")"
        log "the postgres user cannot enter $ROOT: embedded data goes to $Postgres__Embedded__DataDirectory"
    fi
fi

# The dashboard (web/, served at /): built with npm when Node is present; without it the host explains at / how to build it.
if [[ -z ${OUTREACHOS_SKIP_DASHBOARD:-} ]]; then
    if command -v npm >/dev/null; then
        log "building the dashboard (web/)"
        if [[ ! -d web/node_modules || web/package-lock.json -nt web/node_modules/.package-lock.json ]]; then
            (cd web && npm ci --no-audit --no-fund --loglevel=error)
        fi
        (cd web && npm run build --silent >/dev/null) || { log "the dashboard build failed: cd web && npm run build"; exit 1; }
    else
        log "npm not found: the dashboard at / is not built (install Node.js 20.19+ and rerun, or set OUTREACHOS_SKIP_DASHBOARD=1)"
    fi
fi

log "building and starting the host on $ASPNETCORE_URLS"
exec dotnet run --project src/Host/OutreachOS.Host.csproj -c Release -- "$@"

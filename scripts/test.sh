#!/usr/bin/env bash
# THE test command of OutreachOS:  ./scripts/test.sh [extra `dotnet test` arguments, e.g. --filter Name~Triage]
#
# On a Debian machine with only the .NET SDK it installs PostgreSQL and RabbitMQ with apt when they are missing,
# starts throwaway instances of both on 127.0.0.1 (free ports, private folders, unique node name: never the system's
# own services), builds the solution once in Release, runs every test project with trx results in
# artifacts/test-results, and ends with the line "N passed, N failed" (", N skipped" when some were skipped).
# Exit status is non-zero when the build or any test failed. Everything it started is stopped on exit.
#
# Already set OUTREACHOS_TEST_POSTGRES (connection string to the maintenance database) or OUTREACHOS_TEST_RABBITMQ
# (amqp URI, with OUTREACHOS_TEST_RABBITMQ_NODE for rabbitmqctl) are used as they are; nothing is started for them.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
START_SECONDS=$SECONDS
log() { printf '[test.sh %4ss] %s\n' "$((SECONDS - START_SECONDS))" "$*"; }
die() { log "ERROR: $*" >&2; exit 1; }

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DEBIAN_FRONTEND=noninteractive

RUN_PREFIX="${TMPDIR:-/tmp}/outreachos-test."
RUN_DIR=""
PG_CTL="" PG_DATA="" PG_STARTED=""
RMQ_CTL="" RMQ_NODE="" RMQ_PID_FILE="" RMQ_BG_PID="" RMQ_STARTED="" EPMD_WAS_RUNNING=""

is_root() { [[ $(id -u) -eq 0 ]]; }

# initdb and postgres refuse to run as root: as root they run as the OS user created by the postgresql package.
as_postgres() { if is_root; then runuser -u postgres -- "$@"; else "$@"; fi; }

APT_UPDATED=""
apt_install() {
    local sudo=""
    if ! is_root; then
        command -v sudo >/dev/null || die "need root (or sudo) to install: $*"
        sudo="sudo"
    fi
    log "installing $* with apt-get (not found on this machine)"
    if [[ -z $APT_UPDATED ]]; then
        $sudo apt-get update -qq
        APT_UPDATED=1
    fi
    # The packages' own service start is denied without systemd; the packages still install. We start our own.
    $sudo apt-get install -y -qq --no-install-recommends "$@" >"${RUN_DIR:-/tmp}/apt-$1.log" 2>&1 \
        || { tail -n 30 "${RUN_DIR:-/tmp}/apt-$1.log" >&2; die "apt-get install $* failed"; }
}

USED_PORTS=" "
free_port() {  # $1 = name of the variable to set
    # Below Linux's ephemeral range (32768+), so an outgoing connection cannot be holding it; "refused" means free.
    local candidate
    for _ in $(seq 1 100); do
        candidate=$((20000 + RANDOM % 12000))
        if [[ $USED_PORTS != *" $candidate "* ]] && ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
            USED_PORTS+="$candidate "
            printf -v "$1" '%s' "$candidate"
            return 0
        fi
    done
    die "no free TCP port found on 127.0.0.1"
}

pid_alive() { [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null; }

stop_rabbitmq_in() {  # $1 = a run folder; stops the node recorded there
    local dir=$1/rabbitmq beam=""
    [[ -f $dir/node ]] || return 0
    [[ -f $dir/rabbit.pid ]] && beam=$(cat "$dir/rabbit.pid")
    timeout 60 "$dir/rabbitmqctl" -n "$(cat "$dir/node")" stop >/dev/null 2>&1 || true
    # A node still booting does not answer "stop": SIGTERM makes the Erlang VM shut down cleanly.
    [[ -z $beam && -n $RMQ_BG_PID ]] && beam=$(pgrep -P "$RMQ_BG_PID" || true)
    if pid_alive "$beam"; then
        kill -TERM "$beam" 2>/dev/null || true
        for _ in $(seq 1 100); do pid_alive "$beam" || break; sleep 0.2; done
        kill -KILL "$beam" 2>/dev/null || true
    fi
}

stop_postgres_in() {  # $1 = a run folder
    local data=$1/pg
    [[ -f $data/postmaster.pid && -n $PG_CTL ]] || return 0
    as_postgres "$PG_CTL" -D "$data" stop -m immediate -w >/dev/null 2>&1 || true
}

stop_services() {
    if [[ -n $RMQ_BG_PID ]]; then
        log "stopping RabbitMQ node $RMQ_NODE"
        stop_rabbitmq_in "$RUN_DIR"
        [[ -n $RMQ_BG_PID ]] && wait "$RMQ_BG_PID" 2>/dev/null || true
        # epmd is started by the first Erlang node of the machine; remove it only if it was ours and is now idle.
        if [[ -z $EPMD_WAS_RUNNING ]] && command -v epmd >/dev/null && ! epmd -names 2>/dev/null | grep -q '^name '; then
            epmd -kill >/dev/null 2>&1 || true
        fi
    fi
    if [[ -n $PG_STARTED ]]; then
        log "stopping PostgreSQL"
        stop_postgres_in "$RUN_DIR"
    fi
    RMQ_BG_PID="" PG_STARTED=""
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    stop_services
    if [[ -n $RUN_DIR && -d $RUN_DIR ]]; then rm -rf "$RUN_DIR"; fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

find_pg_bin() {
    local initdb
    if initdb=$(command -v initdb 2>/dev/null); then
        dirname "$(readlink -f "$initdb")"
        return 0
    fi
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [[ -n $dir && -x $dir/initdb && -x $dir/pg_ctl ]] && echo "$dir"
}

# --- leftovers of runs that were killed (SIGKILL skips the EXIT trap) -------------------------------------------
remove_leftovers() {
    local dir owner bin
    bin=$(find_pg_bin || true)
    [[ -n $bin ]] && PG_CTL=$bin/pg_ctl
    for dir in "$RUN_PREFIX"*; do
        [[ -d $dir ]] || continue
        owner=$(cat "$dir/owner" 2>/dev/null || echo "")
        pid_alive "$owner" && continue
        log "removing leftovers of an interrupted run: $dir"
        stop_rabbitmq_in "$dir"
        stop_postgres_in "$dir"
        rm -rf "$dir"
    done
}

# --- PostgreSQL ------------------------------------------------------------------------------------------------
start_postgres() {
    if [[ -n ${OUTREACHOS_TEST_POSTGRES:-} ]]; then
        log "PostgreSQL: using OUTREACHOS_TEST_POSTGRES from the environment"
        return 0
    fi
    local bin
    bin=$(find_pg_bin || true)
    if [[ -z $bin ]]; then
        apt_install postgresql
        bin=$(find_pg_bin || true)
        [[ -n $bin ]] || die "PostgreSQL binaries still not found after installing the postgresql package"
    fi
    PG_CTL=$bin/pg_ctl

    local port
    free_port port
    PG_DATA=$RUN_DIR/pg
    mkdir -p "$PG_DATA"
    is_root && chown postgres: "$PG_DATA"
    log "PostgreSQL: initdb ($bin)"
    as_postgres "$bin/initdb" -D "$PG_DATA" -A trust -U postgres -E UTF8 --locale=C --no-sync >"$RUN_DIR/initdb.log" 2>&1 \
        || { cat "$RUN_DIR/initdb.log" >&2; die "initdb failed"; }
    # Durability is worthless here; many per-test databases with their own pools need many connections.
    as_postgres "$PG_CTL" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 60 \
        -o "-p $port -k $PG_DATA -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
        start >/dev/null || { tail -n 30 "$PG_DATA/server.log" >&2; die "PostgreSQL did not start"; }
    PG_STARTED=1
    export OUTREACHOS_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
    log "PostgreSQL: ready on 127.0.0.1:$port"
}

# --- RabbitMQ --------------------------------------------------------------------------------------------------
start_rabbitmq() {
    if [[ -n ${OUTREACHOS_TEST_RABBITMQ:-} ]]; then
        log "RabbitMQ: using OUTREACHOS_TEST_RABBITMQ from the environment"
        return 0
    fi
    # The Debian package's /usr/sbin wrappers switch to the rabbitmq user and its cookie; the scripts under
    # /usr/lib/rabbitmq/bin run as the caller, which lets this run keep its node, cookie and files private.
    local lib=/usr/lib/rabbitmq/bin
    if [[ ! -x $lib/rabbitmq-server ]]; then
        apt_install rabbitmq-server
        [[ -x $lib/rabbitmq-server ]] || die "rabbitmq-server still not found after installing it"
    fi

    local dir=$RUN_DIR/rabbitmq amqp_port dist_port
    mkdir -p "$dir/mnesia" "$dir/log"
    free_port amqp_port
    free_port dist_port
    RMQ_NODE="outreachos-test-$$@localhost"
    RMQ_PID_FILE=$dir/rabbit.pid
    printf '[].\n' >"$dir/enabled_plugins"
    : >"$dir/rabbitmq.conf"
    : >"$dir/rabbitmq-env.conf"
    echo "$RMQ_NODE" >"$dir/node"
    # A private HOME keeps the Erlang cookie of this node inside the run folder; tools reach it through this wrapper.
    printf '#!/bin/sh\nHOME=%q exec %q "$@"\n' "$dir" "$lib/rabbitmqctl" >"$dir/rabbitmqctl"
    chmod +x "$dir/rabbitmqctl"
    RMQ_CTL=$dir/rabbitmqctl

    if command -v epmd >/dev/null && epmd -names >/dev/null 2>&1; then EPMD_WAS_RUNNING=1; fi
    log "RabbitMQ: starting node $RMQ_NODE on 127.0.0.1:$amqp_port (in the background)"
    (
        export HOME=$dir ERL_EPMD_ADDRESS=127.0.0.1
        export RABBITMQ_NODENAME=$RMQ_NODE RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
        export RABBITMQ_NODE_PORT=$amqp_port RABBITMQ_DIST_PORT=$dist_port
        export RABBITMQ_MNESIA_BASE=$dir/mnesia RABBITMQ_LOG_BASE=$dir/log RABBITMQ_PID_FILE=$RMQ_PID_FILE
        export RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins RABBITMQ_CONFIG_FILE=$dir/rabbitmq.conf
        export RABBITMQ_CONF_ENV_FILE=$dir/rabbitmq-env.conf RABBITMQ_ADVANCED_CONFIG_FILE=$dir/advanced.config
        exec "$lib/rabbitmq-server" >"$dir/server.out" 2>&1 </dev/null
    ) &
    RMQ_BG_PID=$!
    export OUTREACHOS_TEST_RABBITMQ="amqp://guest:guest@127.0.0.1:$amqp_port/"
    export OUTREACHOS_TEST_RABBITMQ_NODE=$RMQ_NODE
    export OUTREACHOS_TEST_RABBITMQCTL=$RMQ_CTL
}

await_rabbitmq() {
    [[ -n $RMQ_BG_PID ]] || return 0
    local deadline=$((SECONDS + 120))
    until "$RMQ_CTL" -n "$RMQ_NODE" await_startup --timeout 10 >/dev/null 2>&1; do
        if ! pid_alive "$RMQ_BG_PID"; then
            tail -n 40 "$RUN_DIR/rabbitmq/server.out" >&2 || true
            die "RabbitMQ exited during start-up"
        fi
        ((SECONDS < deadline)) || { tail -n 40 "$RUN_DIR/rabbitmq/server.out" >&2 || true; die "RabbitMQ did not start within 120 s"; }
        sleep 1
    done
    RMQ_STARTED=1
    log "RabbitMQ: ready ($OUTREACHOS_TEST_RABBITMQ)"
}

# --- dashboard (web/): npm build, Vitest unit tests, browser tests in Chromium against the real host -------------
# Kept in its own functions; counts go into DASH_* and are added to the summary line.
DASH_PASSED=0 DASH_FAILED=0 DASH_SKIPPED=0 DASH_READY=""
dash_fail() { log "dashboard: $*" >&2; DASH_FAILED=$((DASH_FAILED + 1)); }

dashboard_build() {
    if [[ -n ${OUTREACHOS_SKIP_DASHBOARD:-} ]]; then log "dashboard: skipped (OUTREACHOS_SKIP_DASHBOARD is set)"; return 0; fi
    command -v node >/dev/null || apt_install nodejs npm
    local major minor
    IFS=. read -r major minor _ < <(node -p 'process.versions.node')
    # Vite 8 needs Node 20.19+ (or 22.12+).
    if ((major < 20 || (major == 20 && minor < 19))); then
        dash_fail "Node $(node -v) is too old for Vite 8 (need 20.19+ or 22.12+); install a newer nodejs"
        return 0
    fi
    log "dashboard: npm ci and vite build (web/)"
    if ! (cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build) >"$RESULTS/dashboard-build.log" 2>&1; then
        tail -n 40 "$RESULTS/dashboard-build.log" >&2
        dash_fail "build failed (full log: artifacts/test-results/dashboard-build.log)"
        return 0
    fi
    DASH_READY=1
}

dashboard_tests() {
    [[ -n $DASH_READY ]] || return 0
    local p f s
    log "dashboard: Vitest unit tests"
    (cd web && npx vitest run --reporter=default --reporter=json --outputFile.json="$RESULTS/vitest.json") 2>&1 | grep -v 'npm warn' || true
    if [[ -f $RESULTS/vitest.json ]]; then
        read -r p f s < <(node -e 'const r=require(process.argv[1]); console.log(r.numPassedTests, r.numFailedTests, r.numPendingTests + r.numTodoTests)' "$RESULTS/vitest.json")
        DASH_PASSED=$((DASH_PASSED + p)) DASH_FAILED=$((DASH_FAILED + f)) DASH_SKIPPED=$((DASH_SKIPPED + s))
    else
        dash_fail "Vitest wrote no results"
    fi

    export CHROMIUM_PATH=${CHROMIUM_PATH:-/usr/bin/chromium}
    [[ -x $CHROMIUM_PATH ]] || apt_install chromium
    command -v psql >/dev/null || apt_install postgresql-client # the browser tests create their database with it
    rm -rf "$ROOT/artifacts/screenshots"
    log "dashboard: browser tests (Chromium $CHROMIUM_PATH, host build src/Host/bin/Release)"
    (cd web && node --test --test-concurrency=1 \
        --test-reporter=spec --test-reporter-destination=stdout \
        --test-reporter=tap --test-reporter-destination="$RESULTS/e2e.tap" e2e/) || true
    if [[ -f $RESULTS/e2e.tap ]] && grep -q '^# pass ' "$RESULTS/e2e.tap"; then
        tap() { local n; n=$(sed -n "s/^# $1 \([0-9]*\)$/\1/p" "$RESULTS/e2e.tap" | tail -n 1); echo "${n:-0}"; }
        DASH_PASSED=$((DASH_PASSED + $(tap pass)))
        DASH_FAILED=$((DASH_FAILED + $(tap fail) + $(tap cancelled)))
        DASH_SKIPPED=$((DASH_SKIPPED + $(tap skipped)))
    else
        dash_fail "the browser tests wrote no results"
    fi
    log "dashboard: screenshots in artifacts/screenshots, host log in artifacts/e2e/host.log"
}

# --- main ------------------------------------------------------------------------------------------------------
command -v dotnet >/dev/null || die "the .NET SDK (dotnet) is required"
remove_leftovers
RUN_DIR=$(mktemp -d "${RUN_PREFIX}XXXXXX")
chmod 755 "$RUN_DIR" # the postgres user must be able to enter it
echo "$$" >"$RUN_DIR/owner"

start_rabbitmq   # boots in the background while PostgreSQL starts and the solution builds
start_postgres

# SMTP send tests (Triage responses) start postfix's smtp-sink on loopback as a real SMTP server.
if [[ ! -x /usr/sbin/smtp-sink ]]; then
    export DEBIAN_FRONTEND=noninteractive # postfix asks its mail-server type otherwise
    apt_install postfix
fi

RESULTS=$ROOT/artifacts/test-results
rm -rf "$RESULTS"
mkdir -p "$RESULTS"

log "building OutreachOS.sln (Release)"
if ! dotnet build OutreachOS.sln -c Release -nologo -v minimal -clp:NoSummary >"$RESULTS/build.log" 2>&1; then
    grep -E ': (error|warning) ' "$RESULTS/build.log" | sort -u | head -n 60 >&2 || tail -n 60 "$RESULTS/build.log" >&2
    die "build failed (full log: artifacts/test-results/build.log)"
fi
log "build succeeded"
dashboard_build

await_rabbitmq

log "running tests"
# The hang guard ends a deadlocked test host (reported as aborted) long before CI's time runs out.
set +e
dotnet test OutreachOS.sln --no-build -c Release --nologo \
    --logger trx --results-directory "$RESULTS" \
    --blame-hang-timeout 15m --blame-hang-dump-type none \
    "$@" 2>&1 | grep --line-buffered -v -E "^(Additionally, path to test adapters|Data collector 'Blame' message: All tests finished)"
test_status=${PIPESTATUS[0]}
set -e

passed=0 failed=0 skipped=0 files=0
counter() {  # $1 = attribute of <Counters>, $2 = the element
    local value
    value=$(sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$2")
    echo "${value:-0}"
}
for trx in "$RESULTS"/*.trx; do
    [[ -f $trx ]] || continue
    files=$((files + 1))
    counters=$(grep -o '<Counters [^>]*>' "$trx" || true)
    for name in failed error timeout aborted; do
        failed=$((failed + $(counter "$name" "$counters")))
    done
    passed=$((passed + $(counter passed "$counters")))
    skipped=$((skipped + $(counter notExecuted "$counters")))
done

dashboard_tests
passed=$((passed + DASH_PASSED)) failed=$((failed + DASH_FAILED)) skipped=$((skipped + DASH_SKIPPED))

if ((test_status != 0 && failed == DASH_FAILED)); then
    log "dotnet test exited with $test_status although no test failed in $files trx file(s): a test host crashed or a project did not run"
fi
stop_services  # now, so that the summary is the last line printed
summary="$passed passed, $failed failed"
((skipped > 0)) && summary+=", $skipped skipped"
log "done in $((SECONDS - START_SECONDS)) s; results in artifacts/test-results"
echo "$summary"
((test_status == 0 && failed == 0))

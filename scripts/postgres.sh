#!/usr/bin/env bash
# A throw-away PostgreSQL cluster on 127.0.0.1 for the PostgreSQL store's tests and bench.
#
#   scripts/postgres.sh start   install Debian's postgresql if missing, initdb into a new temp
#                               dir, start it on a free port and print its URL (also: url)
#   scripts/postgres.sh url     print the URL of the running cluster (exit 1 if none)
#   scripts/postgres.sh stop    stop the cluster and delete its directory (nothing if none)
#   scripts/postgres.sh status  say whether it runs
#   scripts/postgres.sh crash   stop it as a crash would (pg_ctl stop -m immediate: no clean
#                               shutdown, WAL buffers lost); the next start recovers the data
#
# One cluster per checkout: its state lives in $CCMS_PG_DIR (default: a directory in $TMPDIR
# named after this checkout's path), so a clone's CI and a developer's session never share one.
# CCMS_PG_PORT picks the port (default: the first free one from 55432). As root (a container,
# CI) initdb and the server run as the postgres user; as anyone else, as that user. The cluster
# trusts connections from 127.0.0.1 only and listens nowhere else: it is for tests, never data.
#
#   export CCMS_POSTGRES_URL="$(scripts/postgres.sh start)"
#   make test
#   scripts/postgres.sh stop
set -euo pipefail

here="$(cd "$(dirname "$0")/.." && pwd)"
tag="$(printf '%s' "$here" | cksum | cut -d' ' -f1)"
state="${CCMS_PG_DIR:-${TMPDIR:-/tmp}/ccms-pg-$tag}"
database="ccms"
superuser="postgres"

say() { echo "postgres.sh: $*" >&2; }

bindir() {
    # The newest server installed by Debian's packages (or pg_config's, elsewhere).
    local dir
    dir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
    if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then
        echo "$dir"
        return 0
    fi
    if command -v pg_config >/dev/null 2>&1 && [ -x "$(pg_config --bindir)/initdb" ]; then
        pg_config --bindir
        return 0
    fi
    return 1
}

install_server() {
    if bindir >/dev/null; then
        return 0
    fi
    if ! command -v apt-get >/dev/null 2>&1; then
        say "no PostgreSQL server found and no apt-get to install one: install PostgreSQL (initdb, pg_ctl)"
        exit 1
    fi
    local sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo="sudo"
        else
            say "installing postgresql needs root (or sudo)"
            exit 1
        fi
    fi
    say "installing Debian's postgresql (apt-get install -y postgresql)"
    local log
    log="$(mktemp)"
    if ! { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq \
            && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } \
            >"$log" 2>&1; then
        cat "$log" >&2
        rm -f "$log"
        say "apt-get failed"
        exit 1
    fi
    rm -f "$log"
    bindir >/dev/null || { say "postgresql installed but no initdb found"; exit 1; }
}

# Run a server program as the cluster's owner: postgres when we are root (initdb refuses root).
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    local port="${CCMS_PG_PORT:-55432}"
    if [ -n "${CCMS_PG_PORT:-}" ]; then
        echo "$port"
        return 0
    fi
    while [ "$port" -lt 55532 ]; do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
        port=$((port + 1))
    done
    say "no free port in 55432-55531: set CCMS_PG_PORT"
    exit 1
}

url_of() {
    echo "postgresql://$superuser@127.0.0.1:$(cat "$state/port")/$database"
}

running() {
    [ -f "$state/port" ] && [ -d "$state/data" ] \
        && as_owner "$(bindir)/pg_ctl" -D "$state/data" status >/dev/null 2>&1
}

# Start the cluster in $state on 127.0.0.1:$1 only, its socket in $state (not /var/run), with
# enough connections for 8 writer processes with their pools and the tests' own.
launch() {
    as_owner "$(bindir)/pg_ctl" -D "$state/data" -l "$state/server.log" -w -t 60 -o \
        "-c listen_addresses=127.0.0.1 -p $1 -c unix_socket_directories=$state/socket -c max_connections=200" \
        start >/dev/null 2>&1
}

start() {
    if running; then
        url_of
        return 0
    fi
    install_server
    local bin port
    bin="$(bindir)"
    # A cluster that was stopped by a crash: start it again on its port (crash recovery).
    if [ -f "$state/data/PG_VERSION" ] && [ -f "$state/port" ]; then
        port="$(cat "$state/port")"
        if launch "$port"; then
            url_of
            return 0
        fi
        say "the cluster in $state did not start again; making a new one"
    fi
    port="$(free_port)"
    rm -rf "$state"
    mkdir -p "$state/data" "$state/socket"
    touch "$state/server.log"
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 || { say "there is no postgres user (install postgresql)"; exit 1; }
        chown -R postgres: "$state"
    fi
    chmod 700 "$state/data"
    # Trust on 127.0.0.1 only (a throw-away cluster for tests); C collation, UTF-8.
    if ! as_owner "$bin/initdb" -D "$state/data" -U "$superuser" -A trust -E UTF8 \
            --locale=C --no-instructions >"$state/initdb.log" 2>&1; then
        cat "$state/initdb.log" >&2
        say "initdb failed"
        exit 1
    fi
    echo "$port" >"$state/port"
    if ! launch "$port"; then
        cat "$state/server.log" >&2
        say "the server did not start (log above)"
        exit 1
    fi
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U "$superuser" "$database"
    url_of
}

stop() {
    if [ -d "$state/data" ] && bindir >/dev/null; then
        as_owner "$(bindir)/pg_ctl" -D "$state/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$state"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url)
        if running; then url_of; else say "not running (scripts/postgres.sh start)"; exit 1; fi
        ;;
    crash)
        if running; then
            as_owner "$(bindir)/pg_ctl" -D "$state/data" -m immediate -w stop >/dev/null 2>&1
        fi
        ;;
    status)
        if running; then echo "running: $(url_of) (state in $state)"; else echo "not running"; exit 1; fi
        ;;
    *)
        echo "usage: $0 start|stop|url|status|crash" >&2
        exit 2
        ;;
esac

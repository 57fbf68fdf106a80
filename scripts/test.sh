#!/usr/bin/env bash
# Run the test suite on SQLite, then on a throwaway PostgreSQL cluster.
# Usage: scripts/test.sh [PYTEST ARGS...]      (make test PYTEST_ARGS="...")
# Environment:
#   MARKETDESK_TEST_DB       all (default) | sqlite | postgres: which runs to do
#   MARKETDESK_TEST_WORKERS  pytest-xdist workers, default 2; 0 or 1 = serial
#   MARKETDESK_CHROMIUM      Chromium for the browser tests (default: chromium on PATH)
# Exits non-zero when either run fails (both run regardless), including when
# pytest collects no tests (exit code 5).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

which_db="${MARKETDESK_TEST_DB:-all}"
case "$which_db" in
    all | sqlite | postgres) ;;
    *) echo "test.sh: MARKETDESK_TEST_DB must be all, sqlite or postgres (got '$which_db')" >&2; exit 2 ;;
esac

# --- Dependencies -------------------------------------------------------------
bash scripts/bootstrap.sh --dev

# PostgreSQL server binaries: on PATH or in Debian's versioned directory.
find_initdb() {  # prints nothing when absent
    command -v initdb 2>/dev/null \
        || printf '%s\n' /usr/lib/postgresql/*/bin/initdb | grep -v '\*' | sort -V | tail -n 1 \
        || true
}
debs=(chromium fonts-wqy-microhei)
if [ "$which_db" != sqlite ] && [ -z "$(find_initdb)" ]; then
    debs+=(postgresql)
fi
bash scripts/ensure-debs.sh "${debs[@]}"

export MARKETDESK_CHROMIUM="${MARKETDESK_CHROMIUM:-$(command -v chromium || echo /usr/bin/chromium)}"
export DJANGO_ALLOW_ASYNC_UNSAFE=true

# --- Throwaway PostgreSQL cluster ---------------------------------------------
pg_dir=""
pg_port=""
pg_bin=""
as_pg=()   # prefix running a command as the cluster's owner

stop_postgres() {
    [ -n "$pg_dir" ] || return 0
    if [ -f "$pg_dir/data/postmaster.pid" ]; then
        "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$pg_dir"
    pg_dir=""
}
trap stop_postgres EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_postgres() {
    local initdb
    initdb="$(find_initdb)"
    if [ -z "$initdb" ]; then
        echo "test.sh: PostgreSQL's initdb was not found; install the postgresql package" >&2
        exit 1
    fi
    pg_bin="$(dirname "$(readlink -f "$initdb")")"   # may be a symlink to .../bin/initdb
    # initdb refuses to run as root: then the cluster belongs to "postgres"
    # (in /tmp, which that user can reach whatever $TMPDIR is).
    if [ "$(id -u)" -eq 0 ]; then
        pg_dir="$(mktemp -d /tmp/marketdesk-pg.XXXXXX)"
        chown postgres:postgres "$pg_dir"
        as_pg=(runuser -u postgres --)
    else
        pg_dir="$(mktemp -d "${TMPDIR:-/tmp}/marketdesk-pg.XXXXXX")"
    fi
    # A free port on 127.0.0.1, chosen by the OS.
    pg_port="$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"

    "${as_pg[@]}" "$initdb" -D "$pg_dir/data" -U postgres --auth=trust \
        --encoding=UTF8 --no-locale --no-sync >"$pg_dir/initdb.log" 2>&1 \
        || { cat "$pg_dir/initdb.log" >&2; exit 1; }
    # Speed over durability: the cluster is deleted after the run.
    cat >>"$pg_dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$pg_dir'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/postgres.log" -w -t 60 start \
        >/dev/null || { cat "$pg_dir/postgres.log" >&2; exit 1; }
    # The database DATABASE_URL names; pytest-django creates test_marketdesk* itself.
    "$pg_bin/createdb" -h 127.0.0.1 -p "$pg_port" -U postgres marketdesk
}

# --- Test runs ------------------------------------------------------------------
workers="${MARKETDESK_TEST_WORKERS:-2}"
xdist=()
if [[ "$workers" =~ ^[0-9]+$ ]] && [ "$workers" -gt 1 ]; then
    xdist=(-p xdist -n "$workers" --dist loadfile)
fi

# Run pytest with the environment given as "VAR=value" words (or -u VAR) first;
# never exits, the caller reads $rc.
run_pytest() {
    rc=0
    env "$@" .venv/bin/python -m pytest "${xdist[@]}" "${pytest_args[@]}" || rc=$?
}
pytest_args=("$@")

describe() {  # pytest exit code -> words for the summary
    case "$1" in
        0) echo "passed" ;;
        5) echo "FAILED (no tests ran: pytest exit code 5)" ;;
        skipped) echo "not run" ;;
        *) echo "FAILED (pytest exit code $1)" ;;
    esac
}

sqlite_rc=skipped
postgres_rc=skipped
if [ "$which_db" != postgres ]; then
    echo "== Test suite on SQLite =="
    run_pytest -u DATABASE_URL
    sqlite_rc=$rc
fi
if [ "$which_db" != sqlite ]; then
    start_postgres
    echo "== Test suite on PostgreSQL (127.0.0.1:$pg_port) =="
    run_pytest "DATABASE_URL=postgres://postgres@127.0.0.1:$pg_port/marketdesk"
    postgres_rc=$rc
    stop_postgres
fi

echo "== Summary =="
echo "SQLite:     $(describe "$sqlite_rc")"
echo "PostgreSQL: $(describe "$postgres_rc")"
for code in "$sqlite_rc" "$postgres_rc"; do
    [ "$code" = 0 ] || [ "$code" = skipped ] || exit 1
done

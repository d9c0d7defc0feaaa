# Sourced by .ci/run: installs PostgreSQL from the distribution's packages, starts a throwaway
# server on a free local port and exports PRORATA_TEST_POSTGRES_URL for the journal's tests.
# Does nothing when PRORATA_TEST_POSTGRES_URL is already set.
if [ -z "${PRORATA_TEST_POSTGRES_URL:-}" ]; then
    _pg_sudo=""
    if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1; then _pg_sudo="sudo"; fi
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        $_pg_sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $_pg_sudo apt-get install -y -qq postgresql >/dev/null
    fi
    _pg_bin="$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")"
    _pg_dir="$(mktemp -d /tmp/prorata-pg.XXXXXX)"
    _pg_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    if [ "$(id -u)" = "0" ]; then
        chown postgres "$_pg_dir"
        _pg_as() { su postgres -s /bin/sh -c "$*"; }
    else
        _pg_as() { sh -c "$*"; }
    fi
    _pg_as "'$_pg_bin/initdb' -D '$_pg_dir/data' -A trust -U postgres >'$_pg_dir/initdb.log' 2>&1"
    _pg_as "'$_pg_bin/pg_ctl' -D '$_pg_dir/data' -w -l '$_pg_dir/server.log' -o \"-p $_pg_port -k '$_pg_dir' -c listen_addresses=127.0.0.1\" start >/dev/null"
    _pg_as "'$_pg_bin/createdb' -h 127.0.0.1 -p $_pg_port -U postgres prorata_test"
    export PRORATA_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$_pg_port/prorata_test"
    echo "PostgreSQL $("$_pg_bin/postgres" --version | awk '{print $3}') at $PRORATA_TEST_POSTGRES_URL"
fi

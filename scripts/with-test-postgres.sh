#!/usr/bin/env bash
# Run a command (the test suite) with a PostgreSQL the PostgreSQL tests can use.
#
# TEST_POSTGRES_URL (default postgresql://root@127.0.0.1:5432/test) names the server the tests
# use. When it answers, it is used as is. When nothing answers there, a throw-away cluster is
# started from the OS's server binaries (Debian's `postgresql`, installed when missing and we may:
# root with apt, as scripts/ensure-test-tools.sh does for chromium) in a temporary folder on a
# free loopback port, the command runs against it, and the cluster and folder are removed after.
# A server someone else runs is never stopped or changed.
set -euo pipefail
PYTHON=${VENV_PYTHON:-.venv/bin/python}  # has psycopg
url=${TEST_POSTGRES_URL:-postgresql://root@127.0.0.1:5432/test}

answers() {  # does a PostgreSQL server accept a connection at URL $1?
  "$PYTHON" -c 'import sys, psycopg; psycopg.connect(sys.argv[1], connect_timeout=3).close()' \
    "$1" 2>/dev/null
}

if answers "$url"; then
  TEST_POSTGRES_URL=$url exec "$@"
fi

bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
if [ -z "$(bindir)" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "No PostgreSQL at $url and no server binaries: installing Debian's postgresql" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  else
    echo "No PostgreSQL at $url. Start one, set TEST_POSTGRES_URL, or install the server" \
         "binaries (sudo apt-get install -y postgresql) so the tests start their own." >&2
    exit 1
  fi
fi
bin=$(bindir)

dir=$(mktemp -d /tmp/test-postgres.XXXXXX)
# initdb and postgres refuse to run as root: the cluster belongs to an unprivileged user.
as_owner=()
if [ "$(id -u)" = 0 ]; then
  owner=$(id -u postgres >/dev/null 2>&1 && echo postgres || echo nobody)
  chown "$owner" "$dir"
  as_owner=(runuser -u "$owner" --)
fi
port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cleanup() {
  "${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "No PostgreSQL at $url: starting a throw-away one on 127.0.0.1:$port ($dir)" >&2
"${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U root -A trust -E UTF8 --no-sync >/dev/null
"${as_owner[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -s \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" start
"${as_owner[@]}" "$bin/createdb" -h 127.0.0.1 -p "$port" -U root test
TEST_POSTGRES_URL="postgresql://root@127.0.0.1:$port/test" "$@"

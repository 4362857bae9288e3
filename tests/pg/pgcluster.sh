#!/usr/bin/env bash
# NAME
#     pgcluster.sh - a private PostgreSQL 15 cluster for the tests (never the system service)
# SYNOPSIS
#     tests/pg/pgcluster.sh start DIR PORT    prints the connection URI
#     tests/pg/pgcluster.sh stop DIR
#     tests/pg/pgcluster.sh restart DIR       fast shutdown and start again (same port)
# DESCRIPTION
#     initdb in DIR (a temporary directory) as the user `postgres` (initdb
#     refuses root; `nobody` when there is no postgres user), trust
#     authentication on a Unix socket in DIR only (listen_addresses is
#     empty: no TCP), its own port number for the socket name, fsync off.
#     The URI is postgresql:///stc?host=DIR&port=PORT&user=USER with the
#     database stc created; role stcpw must log in with password "right". PGBIN overrides /usr/lib/postgresql/15/bin.
# EXIT STATUS
#     0, or 1 with pg_ctl's log on stderr.
set -euo pipefail
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
cmd=${1:?usage: pgcluster.sh start|stop|restart DIR [PORT]}
dir=${2:?DIR}
user=postgres
id -u postgres >/dev/null 2>&1 || user=nobody
as() { if [ "$(id -u)" -eq 0 ]; then runuser -u "$user" -- "$@"; else "$@"; fi; }
case $cmd in
start)
    port=${3:?PORT}
    [ -x "$PGBIN/initdb" ] || { echo "pgcluster.sh: no $PGBIN/initdb (postgresql-15)" >&2; exit 1; }
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown "$user" "$dir"
    chmod 700 "$dir"
    as "$PGBIN/initdb" -D "$dir/data" -U "$user" -A trust --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
port = $port
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 200
shared_buffers = 64MB
CONF
    echo "$port" >"$dir/port"
    as "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null ||
        { cat "$dir/server.log" >&2; exit 1; }
    as "$PGBIN/createdb" -h "$dir" -p "$port" -U "$user" stc
    # A role that must give a password (scram), for the wrong-password test.
    as "$PGBIN/psql" -q -h "$dir" -p "$port" -U "$user" -d stc \
        -c "CREATE ROLE stcpw LOGIN PASSWORD 'right'" >/dev/null
    { echo "local all stcpw scram-sha-256"; cat "$dir/data/pg_hba.conf"; } >"$dir/hba.tmp"
    as cp "$dir/hba.tmp" "$dir/data/pg_hba.conf"
    as "$PGBIN/pg_ctl" -D "$dir/data" reload >/dev/null
    echo "postgresql:///stc?host=$dir&port=$port&user=$user"
    ;;
stop)
    [ -d "$dir/data" ] && as "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
    ;;
restart)
    as "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
    as "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 start >/dev/null
    ;;
*) echo "pgcluster.sh: unknown command $cmd" >&2; exit 1 ;;
esac

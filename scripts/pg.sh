#!/usr/bin/env bash
# A throwaway PostgreSQL for the tests: a cluster in a temporary directory on a free loopback
# port, run by an unprivileged user (PostgreSQL refuses to run as root), removed at the end.
#
#   dir=$(scripts/pg.sh start)   # installs Debian's postgresql when initdb/pg_ctl are missing,
#                                # starts a cluster, prints its directory
#   scripts/pg.sh url "$dir"     # postgres://postgres@127.0.0.1:<port>/postgres
#   scripts/pg.sh stop "$dir"    # stops the cluster and removes the directory
#   PG_TLS_CERT=server.crt PG_TLS_KEY=server.key scripts/pg.sh start
#                                # the same, with TLS: that certificate and key, and TCP
#                                # connections refused unless they are TLS
#   scripts/pg.sh restart "$dir" [SECONDS]
#                                # stops the server (fast: its connections are ended), leaves
#                                # it down SECONDS (default 0), starts it again on its port
#
# The cluster trusts connections from 127.0.0.1 (no password): it is for tests only, lives
# as long as one test run and listens on loopback alone.
set -euo pipefail

log() { printf '[pg] %s\n' "$*" >&2; }

# Where initdb and pg_ctl are: on PATH, or Debian's versioned directory.
bin_dir() {
  local found
  if found="$(command -v pg_ctl 2>/dev/null)" && [ -x "$(dirname "$found")/initdb" ]; then
    dirname "$(readlink -f "$found")"
    return
  fi
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
      echo "$dir"
      return
    fi
  done
  return 1
}

install_postgres() {
  [ "$(id -u)" = 0 ] || { log "PostgreSQL is missing and only root can install it"; exit 1; }
  log "installing Debian's postgresql"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq postgresql >/dev/null 2>&1 \
    || { apt-get update -qq && apt-get install -y -qq postgresql >/dev/null; }
}

# Runs a command as the cluster's user: `postgres` when we are root, else ourselves.
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

port_free() {
  ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

start() {
  local bin dir port
  bin="$(bin_dir)" || { install_postgres; bin="$(bin_dir)"; } \
    || { log "no initdb/pg_ctl after installing postgresql"; exit 1; }
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    useradd --system --user-group --home-dir /nonexistent --shell /usr/sbin/nologin postgres
  fi
  dir="$(mktemp -d "${TMPDIR:-/tmp}/lapor-pg.XXXXXX")"
  chmod 700 "$dir"
  mkdir -p "$dir/sock"
  [ "$(id -u)" = 0 ] && chown -R postgres: "$dir"
  # A failed start leaves nothing behind.
  trap 'stop_dir "$dir" >/dev/null 2>&1 || true' ERR
  as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
    --no-instructions >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; false; }
  if [ -n "${PG_TLS_CERT:-}" ]; then
    install -m 600 "$PG_TLS_CERT" "$dir/data/server.crt"
    install -m 600 "${PG_TLS_KEY:?PG_TLS_KEY goes with PG_TLS_CERT}" "$dir/data/server.key"
    [ "$(id -u)" = 0 ] && chown postgres: "$dir/data/server.crt" "$dir/data/server.key"
    echo "ssl = on" >>"$dir/data/postgresql.conf"
    printf '%s\n' 'local all all trust' 'hostssl all all 127.0.0.1/32 trust' \
      'hostnossl all all all reject' >"$dir/data/pg_hba.conf"
  fi
  for _ in $(seq 1 20); do
    port=$((20000 + RANDOM % 40000))
    port_free "$port" || continue
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/sock -c max_connections=300" \
        start >/dev/null 2>&1; then
      echo "$bin" >"$dir/bin"
      echo "postgres://postgres@127.0.0.1:$port/postgres" >"$dir/url"
      trap - ERR
      log "PostgreSQL $("$bin/pg_ctl" --version | awk '{print $3}') on 127.0.0.1:$port ($dir)"
      echo "$dir"
      return
    fi
  done
  tail -20 "$dir/server.log" >&2 || true
  log "PostgreSQL did not start"
  false
}

stop_dir() {
  local dir="$1"
  if [ -f "$dir/bin" ] && [ -d "$dir/data" ]; then
    as_owner "$(cat "$dir/bin")/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

# Stops the server of cluster `$1`, waits `$2` seconds, starts it again with the options of
# its first start (pg_ctl keeps them in postmaster.opts, which `pg_ctl restart` reuses).
restart_dir() {
  local dir="$1" down="${2:-0}" bin
  bin="$(cat "$dir/bin")"
  as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 30 stop >/dev/null
  sleep "$down"
  # postmaster.opts holds the server's path and its options, each quoted.
  local opts
  opts="$(cut -d' ' -f2- "$dir/data/postmaster.opts")"
  eval "set -- $opts"
  # pg_ctl gives the data directory itself.
  [ "${1:-}" = -D ] && shift 2
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 -o "$*" start >/dev/null
}

case "${1:-}" in
  start) start ;;
  url)
    [ -f "${2:?usage: pg.sh url DIR}/url" ] || { log "no cluster in $2"; exit 1; }
    cat "$2/url"
    ;;
  stop)
    dir="${2:?usage: pg.sh stop DIR}"
    case "$dir" in
      */lapor-pg.*) stop_dir "$dir" ;;
      *) log "not a cluster of this script: $dir"; exit 1 ;;
    esac
    ;;
  restart)
    dir="${2:?usage: pg.sh restart DIR [SECONDS]}"
    case "$dir" in
      */lapor-pg.*) restart_dir "$dir" "${3:-0}" ;;
      *) log "not a cluster of this script: $dir"; exit 1 ;;
    esac
    ;;
  *)
    echo "usage: $0 start | url DIR | stop DIR | restart DIR [SECONDS]" >&2
    exit 2
    ;;
esac

# shellcheck shell=bash
# What the bench scripts share (review debt D8): their private servers under the work directory
# (PostgreSQL, MariaDB), the studio as `studio server` plus a separate `studio worker migrate`,
# and one cleanup that stops everything they started. Sourced by a script after it set `here`
# and `root`:
#
#   . "$here/lib.sh"
#   bench_work "$work"                 # fresh work directory; bench_cleanup on EXIT
#   bench_pg_path                      # the newest installed PostgreSQL first on PATH
#   bench_pg_start PORT "SERVER OPTIONS"   # initdb + start under $work/data; sets P
#   bench_jar                          # sets jar (BENCH_JAR or studio-cli's, built when missing)
#   bench_studio_start HOME TPORT [WORKER JVM OPTIONS...]   # sets wpid
#
# Globals: `pids` (processes the cleanup stops: append your own background jobs), `P` (the
# connection options of psql/pgbench), `wpid` (the migrate worker, whose VmHWM is the studio's
# peak RSS), `jar`.

pids=()
bench_pg_data=""
bench_my_dir=""

as_pg() { su postgres -c "$*"; }
psql() { command psql $P -X -q -v ON_ERROR_STOP=1 "$@"; }
studio() { java -Xmx512m -jar "$jar" "$@"; }

# Stops what the script started: its background processes (SIGTERM, up to 10 s, then SIGKILL: a
# JVM whose shutdown hangs must not outlive the run, it would hold the Temporal port), then its
# PostgreSQL and MariaDB servers.
bench_cleanup() {
  local p alive
  # a script's own stop first (define bench_stop_extra), e.g. a load loop that starts processes
  if declare -F bench_stop_extra >/dev/null; then bench_stop_extra || true; fi
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for _ in $(seq 1 20); do
    alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.5
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  if [ -n "$bench_pg_data" ]; then
    su postgres -c "pg_ctl -D '$bench_pg_data' -m fast stop" >/dev/null 2>&1 || true
  fi
  if [ -n "$bench_my_dir" ] && [ -f "$bench_my_dir/pid" ]; then
    kill "$(cat "$bench_my_dir/pid")" 2>/dev/null || true
    for _ in $(seq 1 40); do
      kill -0 "$(cat "$bench_my_dir/pid" 2>/dev/null || echo 0)" 2>/dev/null || break
      sleep 0.5
    done
  fi
}

# A fresh work directory (owned by postgres, whose servers write there); the cleanup on EXIT.
bench_work() { # dir
  work="$1"
  trap bench_cleanup EXIT
  rm -rf "$work" && mkdir -p "$work" && chown postgres "$work"
}

bench_pg_path() {
  pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  export PATH="$pgbin:$PATH"
}

# A private PostgreSQL server: initdb (trust, superuser postgres) in $work/data, started on PORT
# with the given server options (e.g. "-c wal_level=logical"), log $work/pg.log.
bench_pg_start() { # port, server options
  local port="$1" opts="${2:-}"
  bench_pg_data="$work/data"
  as_pg "initdb -D '$work/data' -U postgres -A trust >/dev/null"
  as_pg "pg_ctl -D '$work/data' -o '-p $port $opts' -l '$work/pg.log' -w start >/dev/null"
  P="-h 127.0.0.1 -p $port -U postgres"
}

# A private MariaDB server from the distribution's binaries in DIR (root by its socket
# DIR/sock, no password), on PORT, with extra server options; waits until it answers (up to 60 s).
bench_mariadb_start() { # dir, port, server options...
  local dir="$1" port="$2"
  shift 2
  bench_my_dir="$dir"
  mkdir -p "$dir"
  mariadb-install-db --no-defaults --user=root --datadir="$dir/data" \
    --auth-root-authentication-method=normal >"$dir/install.log" 2>&1
  mariadbd --no-defaults --user=root --datadir="$dir/data" --port="$port" --bind-address=127.0.0.1 \
    --socket="$dir/sock" --pid-file="$dir/pid" "$@" >"$dir/server.log" 2>&1 &
  for _ in $(seq 1 60); do
    mariadb --no-defaults -S "$dir/sock" -uroot -e 'SELECT 1' >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "MariaDB did not start, see $dir/server.log" >&2
  return 1
}

bench_jar() {
  jar="${BENCH_JAR:-$root/studio-cli/target/studio-all.jar}"
  [ -f "$jar" ] || (cd "$root" && ./mvnw -q -B -o -DskipTests -Dspotless.check.skip=true package -pl studio-cli -am)
}

# `studio server` with every worker but migrate (Temporal on TPORT, operator API on TPORT+1, HTTP
# on TPORT+2), then a separate `studio worker migrate` process (wpid) with the given JVM options.
# The java commands run in the background themselves (not a shell function), so the pids are the
# JVMs the cleanup must stop.
bench_studio_start() { # home, temporal port, worker JVM options...
  local home="$1" tport="$2"
  shift 2
  java -Xmx512m -jar "$jar" server --workers assessment,validation,cutover --home "$home" --port "$tport" \
    --api-port "$((tport + 1))" --http-port "$((tport + 2))" >"$work/studio-server.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 240); do
    # connect without sending a byte (a newline on the gRPC port is logged as a bad HTTP/2 preface)
    (: <>"/dev/tcp/127.0.0.1/$((tport + 1))") 2>/dev/null &&
      (: <>"/dev/tcp/127.0.0.1/$((tport + 2))") 2>/dev/null && break
    sleep 0.5
  done
  java -Xmx512m "$@" -jar "$jar" worker migrate --temporal "127.0.0.1:$tport" --home "$home" \
    >"$work/studio-worker-migrate.log" 2>&1 &
  wpid=$!
  pids+=($wpid)
  sleep 2
}

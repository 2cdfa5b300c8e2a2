#!/usr/bin/env bash
# Live cutover and rollback under load from MariaDB (issue 15), the counterpart of
# bench/cutover-pg.sh: a sysbench table on MariaDB (binlog ROW, row image FULL) keeps taking writes
# at a fixed rate (`sysbench oltp_write_only --rate RATE`) for the whole run, while the studio
# migrates it online (`migrate.strategy: online`) into a stock PostgreSQL (wal_level=logical, for
# the reverse stream), cuts over with a `config-file` switch, keeps the reverse stream
# (PostgreSQL -> MariaDB) running, and is rolled back with `studio rollback ID`. A probe
# application (testkit's ProbeWriter, compiled from its source) inserts one row every 10 ms into
# the database the config file names, from the Validation stage (once the copy is over) through
# every switch to the end of the round.
#
#   bench/cutover-mariadb.sh [SCALE] [RATE] [ROUNDS]
#     SCALE   table size in 100,000 rows (100 = 10M rows in sbtest1; default 10)
#     RATE    source transactions per second, sysbench --rate (default 200; each oltp_write_only
#             transaction changes 4 rows: 2 updates, a delete, an insert)
#     ROUNDS  migrations, each cut over and rolled back (default 3); medians reported
#
# The sysbench load follows the switch as an application would: it runs against the database the
# config file names (MariaDB, or the round's PostgreSQL database with sysbench's pgsql driver),
# and when a freeze refuses its writes (the write guards' error ends a stock sysbench run) it
# starts again against whatever the file names then. The spec is the default one but for what
# the cutover needs: `migrate.strategy: online`, `cutover: { switch: config-file, rollback:
# reverse, hypercare: PT0S }` (the migration holds after its switch, the reverse stream running,
# until `studio rollback`), `--auto-approve all`, and `validation.sample_rows: 100` as in the other
# scripts. The rollback drill runs as by default; its own switches are reported separately.
#
# Per round, as bench/cutover-pg.sh (the report is lib.sh's bench_cutover_report): the lag at the
# freeze and every step of 05-cutover/cutover-log.json; the write-unavailability window the probe
# saw at the switch; the rollback's time (`rollback_millis`, the probe's window back, `studio
# rollback` asked to the config file switched back); and that every acknowledged probe write is
# on the final primary (MariaDB, after the rollback). After the run: the studio's write-guard
# triggers left on MariaDB and binlog readers still connected.
#
# Environment: BENCH_HOLD (seconds on the target, with the load, before the rollback; default 10),
# BENCH_DRILL (cutover.drill), BENCH_MAX_LAG (cutover.max_lag), BENCH_TIMEOUT (seconds a round may
# take to its switch; default 3600), BENCH_PG_PORT, BENCH_MARIADB_PORT, BENCH_TEMPORAL_PORT,
# BENCH_JAR, BENCH_RESULTS. Needs (Debian): postgresql mariadb-server mariadb-client sysbench, a
# JDK (javac). Results: bench/results/cutover-mariadb-s<SCALE>.md (committed); work files under
# bench/work/cutover-maria.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
scale="${1:-10}"
rate="${2:-200}"
rounds="${3:-3}"
hold="${BENCH_HOLD:-10}"
rows_wanted=$((scale * 100000))
work="$here/work/cutover-maria"
pgport="${BENCH_PG_PORT:-54399}"
myport="${BENCH_MARIADB_PORT:-33099}"
tport="${BENCH_TEMPORAL_PORT:-57733}"
aport=$((tport + 1))
hport=$((tport + 2))
results="${BENCH_RESULTS:-$here/results/cutover-mariadb-s${scale}.md}"
mkdir -p "$here/results"
. "$here/lib.sh"

bench_mariadb_deps
bench_work "$work"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
app="$work/app.properties"
# the load loop's sysbench is not a child the cleanup knows: stop it by its pid file
bench_stop_extra() {
  touch "$work/stop-load"
  [ -f "$work/sysbench.pid" ] && kill "$(cat "$work/sysbench.pid")" 2>/dev/null || true
}
# the target: a stock server but for what the reverse stream's logical decoding needs; the
# application's account (the probe uses one account for both sides)
bench_pg_start "$pgport" "-c wal_level=logical -c max_replication_slots=10 -c max_wal_senders=10"
psql -d postgres -c "CREATE ROLE bench LOGIN SUPERUSER PASSWORD 'bench'"
bench_mariadb_binlog_start "$work/my" "$myport"
sb_common=(oltp_write_only --tables=1 --table-size="$rows_wanted")
sb_maria=(--db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$myport" --mysql-user=bench
  --mysql-password=bench --mysql-db=bench)
echo "loading $rows_wanted rows into MariaDB (sysbench prepare) ..."
sysbench "${sb_common[@]}" "${sb_maria[@]}" prepare >"$work/sysbench-prepare.log" 2>&1
# the probe's table: ProbeWriter.createMariaDbTableSql
M bench -e "CREATE TABLE probe (id bigint AUTO_INCREMENT PRIMARY KEY, seq bigint NOT NULL UNIQUE,
  written_at timestamp(6) NULL DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB"
src_url="jdbc:mariadb://127.0.0.1:$myport/bench"
echo "source: MariaDB $(M -N -B -e 'SELECT VERSION()') sbtest1 with $(M -N -B bench -e 'SELECT count(*) FROM sbtest1') rows," \
  "load $rate tps (oltp_write_only) following the switch, $rounds rounds"
# rows the source's handlers wrote, updated and deleted (the load it took, the rollbacks' included)
row_changes() {
  command mariadb --no-defaults -S "$work/my/sock" -uroot -N -B -e \
    "SELECT coalesce(sum(VARIABLE_VALUE), 0) FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN
     ('HANDLER_WRITE', 'HANDLER_UPDATE', 'HANDLER_DELETE')" 2>/dev/null || echo 0
}

bench_jar
# the probe writer from testkit's source (it needs only the JDK); the JDBC drivers from the studio jar
javac -d "$work/probe" "$root/testkit/src/main/java/io/migrationstudio/testkit/ProbeWriter.java"

# the application load: sysbench against the database the config file names now ("src" or dst_rN)
load_db() {
  if [ -f "$app" ] && cat "$app" 2>/dev/null | tr -d '\\' | grep -q "^url=jdbc:postgresql:.*/dst_r[0-9]*$"; then
    cat "$app" 2>/dev/null | tr -d '\\' | sed -n 's|^url=.*/\(dst_r[0-9]*\)$|\1|p' | head -1
  else
    echo src
  fi
}
rows0=$(row_changes)
(
  while [ ! -f "$work/stop-load" ]; do
    db="$(load_db)"
    echo "$(date +%s.%N) $db" >>"$work/load-segments.txt"
    if [ "$db" = src ]; then
      driver=("${sb_maria[@]}")
    else
      driver=(--db-driver=pgsql --pgsql-host=127.0.0.1 --pgsql-port="$pgport" --pgsql-user=bench
        --pgsql-password=bench --pgsql-db="$db")
    fi
    sysbench "${sb_common[@]}" "${driver[@]}" --threads=2 --rate="$rate" --time=100000 --report-interval=10 \
      run >>"$work/sysbench.log" 2>&1 &
    echo $! >"$work/sysbench.pid"
    wait $! || true
    sleep 0.2
  done
) &
pids+=($!)
load_t0=$(date +%s.%N)
sleep 3

home="$work/studio-home"
export BENCH_MARIADB_PASSWORD=bench
bench_studio_start "$home" "$tport"

# the probe writer of a round (bench_cutover_round): one account for both sides
bench_probe_start() { # round dir, target database
  PROBE_PASSWORD=bench PROBE_ACKS="$1/acks.txt" exec java -Xmx128m -cp "$work/probe:$jar" \
    io.migrationstudio.testkit.ProbeWriter probe "$app" "$src_url" \
    "jdbc:postgresql://127.0.0.1:$pgport/$2" bench 0
}
bench_probe_seqs() { # database: MariaDB's "src" or a PostgreSQL target
  if [ "$1" = src ]; then
    M -N -B bench -e "SELECT seq FROM probe"
  else
    psql -d "$1" -Atc "SELECT seq FROM probe"
  fi
}

for round in $(seq 1 "$rounds"); do
  dst="dst_r$round"
  dst_url="jdbc:postgresql://127.0.0.1:$pgport/$dst"
  psql -d postgres -c "DROP DATABASE IF EXISTS $dst" -c "CREATE DATABASE $dst"
  rm -f "$app" "$app.pre-cutover"
  M bench -e "TRUNCATE probe"
  id="bench-cutover-maria-s${scale}-$(date +%s)-r$round"
  {
    echo "id: $id"
    echo "source: { url: \"$src_url\", user: bench, password: \"\${env:BENCH_MARIADB_PASSWORD}\" }"
    echo "target: { url: \"$dst_url\", user: postgres }"
    echo "migrate: { strategy: online }"
    echo "validation: { sample_rows: 100 }"
    printf 'cutover: { hypercare: PT0S, rollback: reverse, switch: { type: config-file, path: "%s" }' "$app"
    [ -n "${BENCH_DRILL:-}" ] && printf ', drill: %s' "$BENCH_DRILL"
    [ -n "${BENCH_MAX_LAG:-}" ] && printf ', max_lag: %s' "$BENCH_MAX_LAG"
    echo " }"
  } >"$work/spec-$round.yaml"
  bench_cutover_round "$round" "$id" "$dst"
  r="$work/round-$round"
  # leave nothing behind for the next round: the migration ended (a cancel after a failed rollback
  # keeps the source frozen: release it), the load back on the source, the target dropped
  studio cancel "$id" --reason "benchmark round over" --server "127.0.0.1:$aport" >"$r/cancel.log" 2>&1 || true
  studio release "$work/spec-$round.yaml" --home "$home" >"$r/release.log" 2>&1 || true
  rm -f "$app" "$app.pre-cutover"
  kill "$(cat "$work/sysbench.pid")" 2>/dev/null || true
  psql -d postgres -c "DROP DATABASE IF EXISTS $dst WITH (FORCE)" >/dev/null 2>&1 || true
done

touch "$work/stop-load"
kill "$(cat "$work/sysbench.pid")" 2>/dev/null || true
sleep 1
load_secs=$(python3 -c "import time; print(round(time.time() - $load_t0, 1))")
changes=$(($(row_changes) - rows0))
guards=$(M -N -B -e "SELECT count(*) FROM information_schema.TRIGGERS WHERE TRIGGER_NAME LIKE 'studio%'" 2>/dev/null || echo '?')
readers=$(M -N -B -e "SELECT count(*) FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'" 2>/dev/null || echo '?')
restarts=$(wc -l <"$work/load-segments.txt")

{
  echo "# Live cutover and rollback under load from MariaDB: sysbench $(python3 -c "print(f'{$rows_wanted:,}')") rows, $rate tps of \`oltp_write_only\`"
  echo
  echo "Run $(date -u '+%Y-%m-%d %H:%M') UTC on $(nproc) cores (load average before: $load_before," \
    "after: $(cut -d' ' -f1-3 /proc/loadavg)), a private MariaDB (binlog ROW, row image FULL) and a stock" \
    "PostgreSQL (wal_level=logical) on this machine, by \`bench/cutover-mariadb.sh $scale $rate $rounds\`: per" \
    "round a studio \`online\` migration MariaDB → PostgreSQL (default spec but \`cutover: { switch: config-file," \
    "rollback: reverse, hypercare: PT0S }\`, auto-approved) cut over under the load, $hold s on the target, then" \
    "\`studio rollback\` (the reverse stream PostgreSQL → MariaDB drained, the file switched back). The load" \
    "(sysbench, restarted against whatever the file names when a freeze ends it) and a probe writer (one insert" \
    "every 10 ms, from the Validation stage on) follow the config file."
} >"$work/report-header.md"
echo "The source's handlers wrote, updated or deleted $(python3 -c "print(f'{$changes:,}')") rows in" \
  "$(printf '%.0f' "$load_secs") s ($(python3 -c "print(round($changes / $load_secs))") row changes/s, 4 per" \
  "transaction; those made on the targets came back with the rollbacks); the load started $restarts times" \
  "(once, then after every freeze and switch). Studio write-guard triggers left on MariaDB: $guards; binlog" \
  "readers still connected: $readers." >"$work/report-footer.md"
bench_cutover_report "$work" "$results" "$rounds" "$work/report-header.md" "$work/report-footer.md"

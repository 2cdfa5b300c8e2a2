#!/usr/bin/env bash
# Live cutover and rollback under load (issue 15): a pgbench database on a stock PostgreSQL keeps
# taking writes at a fixed rate (`pgbench -N -R RATE`) for the whole run, while the studio migrates
# it online (`migrate.strategy: online`) to a second database on the same server, cuts over with a
# `config-file` switch, keeps the reverse stream running, and is rolled back with `studio
# rollback ID`. A probe application (testkit's ProbeWriter, compiled from its source) inserts one
# row every 10 ms into the database the config file names, from the Validation stage (once the
# copy is over) through every switch to the end of the round.
#
#   bench/cutover-pg.sh [SCALE] [RATE] [ROUNDS]
#     SCALE   pgbench scale (100 = 10M rows; default 10)
#     RATE    source transactions per second, pgbench -R (default 200)
#     ROUNDS  migrations, each cut over and rolled back (default 3); medians reported
#
# The pgbench load follows the switch as an application would: it runs against the database the
# config file names, and when the freeze refuses its writes (pgbench aborts on SQLState 25006) it
# starts again against whatever the file names then. The spec is the default one but for what the
# cutover needs: `migrate.strategy: online`, `cutover: { switch: config-file, rollback: reverse,
# hypercare: PT0S }` (the migration holds after its switch, the reverse stream running, until
# `studio rollback`), `--auto-approve all`, and `validation.sample_rows: 100` as in the other
# scripts. The rollback drill runs as by default (after the cutover approval, on the real pair);
# its own switches are reported separately.
#
# Per round: the lag at the freeze and every step of 05-cutover/cutover-log.json; the
# write-unavailability window the probe saw (its last acknowledged write on the source to its first
# on the target, at the cutover's switch) next to the studio's own figure; the rollback's time
# (rollback-log.json `rollback_millis`: target frozen to source writable; the probe's window back;
# `studio rollback` asked to the config file switched back); and that every acknowledged probe
# write is on the final primary (the source, after the rollback).
#
# Environment: BENCH_HOLD (seconds on the target, with the load, before the rollback; default 10),
# BENCH_DRILL (cutover.drill; default: the spec's default), BENCH_MAX_LAG (cutover.max_lag;
# default: the spec's default PT5S), BENCH_PG_PORT, BENCH_TEMPORAL_PORT, BENCH_JAR, BENCH_RESULTS.
# Needs (Debian): postgresql, a JDK (javac). Results: bench/results/cutover-pg-s<SCALE>.md
# (committed); work files under bench/work/cutover.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
scale="${1:-10}"
rate="${2:-200}"
rounds="${3:-3}"
hold="${BENCH_HOLD:-10}"
work="$here/work/cutover"
port="${BENCH_PG_PORT:-54379}"
tport="${BENCH_TEMPORAL_PORT:-57533}"
aport=$((tport + 1))
hport=$((tport + 2))
results="${BENCH_RESULTS:-$here/results/cutover-pg-s${scale}.md}"
mkdir -p "$here/results"
. "$here/lib.sh"

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
bench_pg_path
bench_work "$work"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
app="$work/app.properties"
# the load loop's pgbench is not a child the cleanup knows: stop it by its pid file
bench_stop_extra() {
  touch "$work/stop-load"
  [ -f "$work/pgbench.pid" ] && kill "$(cat "$work/pgbench.pid")" 2>/dev/null || true
}
# a stock server but for what logical decoding needs
bench_pg_start "$port" "-c wal_level=logical -c max_replication_slots=10 -c max_wal_senders=10"
psql -d postgres -c "CREATE DATABASE src"
pgbench $P -i -s "$scale" -q src >/dev/null 2>&1
# every table needs a key for an online migration (pgbench_history has none)
psql -d src -c "ALTER TABLE pgbench_history ADD COLUMN hid bigserial PRIMARY KEY"
# the probe's table: ProbeWriter.createTableSql
psql -d src -c "CREATE TABLE probe (id bigserial PRIMARY KEY, seq bigint NOT NULL UNIQUE,
  written_at timestamptz NOT NULL DEFAULT clock_timestamp())"
src_url="jdbc:postgresql://127.0.0.1:$port/src"
echo "source: pgbench scale $scale, load $rate tps (pgbench -N) following the switch, $rounds rounds"

bench_jar
# the probe writer from testkit's source (it needs only the JDK); the JDBC driver from the studio jar
javac -d "$work/probe" "$root/testkit/src/main/java/io/migrationstudio/testkit/ProbeWriter.java"

# the application load: pgbench against the database the config file names now
load_db() {
  if [ -f "$app" ] && cat "$app" 2>/dev/null | tr -d '\\' | grep -q "^url=.*/dst_r[0-9]*$"; then
    cat "$app" 2>/dev/null | tr -d '\\' | sed -n 's|^url=.*/\(dst_r[0-9]*\)$|\1|p' | head -1
  else
    echo src
  fi
}
(
  while [ ! -f "$work/stop-load" ]; do
    db="$(load_db)"
    echo "$(date +%s.%N) $db" >>"$work/load-segments.txt"
    pgbench $P -n -N -R "$rate" -c 2 -j 2 -T 100000 "$db" >>"$work/pgbench.log" 2>&1 &
    echo $! >"$work/pgbench.pid"
    wait $! || true
    sleep 0.2
  done
) &
pids+=($!)
load_t0=$(date +%s.%N)
sleep 3

home="$work/studio-home"
bench_studio_start "$home" "$tport"

# the probe writer of a round (bench_cutover_round): source and target through the config file
bench_probe_start() { # round dir, target database
  PROBE_ACKS="$1/acks.txt" exec java -Xmx128m -cp "$work/probe:$jar" io.migrationstudio.testkit.ProbeWriter \
    probe "$app" "$src_url" "jdbc:postgresql://127.0.0.1:$port/$2" postgres 0
}
bench_probe_seqs() { psql -d "$1" -Atc "SELECT seq FROM probe"; } # database

for round in $(seq 1 "$rounds"); do
  dst="dst_r$round"
  psql -d postgres -c "DROP DATABASE IF EXISTS $dst" -c "CREATE DATABASE $dst"
  rm -f "$app" "$app.pre-cutover"
  psql -d src -c "TRUNCATE probe"
  id="bench-cutover-s${scale}-$(date +%s)-r$round"
  {
    echo "id: $id"
    echo "source: { url: \"$src_url\", user: postgres }"
    echo "target: { url: \"jdbc:postgresql://127.0.0.1:$port/$dst\", user: postgres }"
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
  kill "$(cat "$work/pgbench.pid")" 2>/dev/null || true
  psql -d postgres -c "DROP DATABASE IF EXISTS $dst WITH (FORCE)" >/dev/null 2>&1 || true
done

touch "$work/stop-load"
kill "$(cat "$work/pgbench.pid")" 2>/dev/null || true
sleep 1
load_secs=$(python3 -c "import time; print(round(time.time() - $load_t0, 1))")
history=$(psql -d src -Atc "SELECT count(*) FROM pgbench_history")
psql -d src -Atc "SELECT slot_name FROM pg_replication_slots" >"$work/slots-left.txt" || true
psql -d src -Atc "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'studio%'" >"$work/guards-left.txt" || true

{
  echo "# Live cutover and rollback under load: pgbench scale $scale, $rate tps of \`pgbench -N\`"
  echo
  echo "Run $(date -u '+%Y-%m-%d %H:%M') UTC on $(nproc) cores (load average before: $load_before," \
    "after: $(cut -d' ' -f1-3 /proc/loadavg)), one stock PostgreSQL server (wal_level=logical) for source and" \
    "targets, by \`bench/cutover-pg.sh $scale $rate $rounds\`: per round a studio \`online\` migration (default" \
    "spec but \`cutover: { switch: config-file, rollback: reverse, hypercare: PT0S }\`, auto-approved) cut over" \
    "under the load, $hold s on the target, then \`studio rollback\`. The load and a probe writer (one insert" \
    "every 10 ms, from the Validation stage on) follow the config file."
} >"$work/report-header.md"
slots=$(paste -sd, "$work/slots-left.txt" | sed 's/,/, /g')
echo "The source took $(python3 -c "print(f'{$history:,}')") pgbench transactions in $(printf '%.0f' "$load_secs") s" \
  "($(python3 -c "print(round($history / $load_secs))") tps; those made on the targets came back with the rollbacks)." \
  "Replication slots left on the source: ${slots:-none}; studio write-guard triggers left:" \
  "$(cat "$work/guards-left.txt" 2>/dev/null || echo '?')." >"$work/report-footer.md"
bench_cutover_report "$work" "$results" "$rounds" "$work/report-header.md" "$work/report-footer.md"

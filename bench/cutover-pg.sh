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
state_of() {
  curl -sf --max-time 20 "http://127.0.0.1:$hport/api/migrations/$1" 2>/dev/null |
    python3 -c 'import json,sys; j=json.load(sys.stdin); print(j.get("stage","-"), j.get("state","-"))' 2>/dev/null ||
    echo "- -"
}
branch_file() { # id, path
  git --git-dir "$home/artifacts/remote.git" show "migrations/$1:$2" 2>/dev/null
}

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
  echo "round $round of $rounds: $id"
  r="$work/round-$round"
  mkdir -p "$r"
  probe=""
  t_start=$(date +%s.%N)
  # on a loaded machine the client may time out whether or not the server started the migration:
  # ask again until the server knows it (a second start of a running one is refused harmlessly)
  for attempt in 1 2 3; do
    studio start "$work/spec-$round.yaml" --auto-approve all --server "127.0.0.1:$aport" >>"$r/start.log" 2>&1 && break
    echo "  studio start (attempt $attempt): $(tail -1 "$r/start.log")" >&2
    [ "$(state_of "$id")" != "- -" ] && break
  done
  # the cutover's switch: the config file names the target, the drill's switch back is over, and
  # the cutover log is on the branch (the drill writes the same file and puts it back)
  outcome=""
  deadline=$(($(date +%s) + ${BENCH_TIMEOUT:-3600}))
  while :; do
    st="$(state_of "$id")"
    echo "$(date +%s.%N) $st $(load_db)" >>"$r/states.txt"
    case "$st" in *FAILED | *CANCELLED | *COMPLETED | *REJECTED) outcome="ended before the rollback: $st"; break ;; esac
    # the probe application starts once the copy is over (the stream runs, Validation compares):
    # its 100 inserts/s are not part of the load RATE the catch-up is measured under, and it must
    # be writing before the drill and the cutover's freeze
    if [ -z "$probe" ] && case "$st" in VALIDATION* | CUTOVER*) true ;; *) false ;; esac; then
      PROBE_ACKS="$r/acks.txt" java -Xmx128m -cp "$work/probe:$jar" io.migrationstudio.testkit.ProbeWriter \
        probe "$app" "$src_url" "jdbc:postgresql://127.0.0.1:$port/$dst" postgres 0 >"$r/probe.json" 2>"$r/probe.err" &
      probe=$!
      pids+=($probe)
    fi
    if [ "$(load_db)" = "$dst" ] && branch_file "$id" 05-cutover/cutover-log.json >"$r/cutover-log.json"; then
      break
    fi
    [ "$(date +%s)" -gt "$deadline" ] && { outcome="no switch within ${BENCH_TIMEOUT:-3600} s: $st"; break; }
    sleep 0.5
  done
  t_switch=$(date +%s.%N)
  t_ask=0 t_asked=0 t_back=0 t_done=0
  if [ -z "$outcome" ]; then
    echo "  switched; $hold s on the target under load, then studio rollback"
    sleep "$hold"
    t_ask=$(date +%s.%N)
    asked=""
    for _ in $(seq 1 60); do
      # the workflow takes a rollback once it holds after the switch
      if studio rollback "$id" --server "127.0.0.1:$aport" --reason "bench round $round" >>"$r/rollback.log" 2>&1; then
        asked=1
        break
      fi
      sleep 1
    done
    t_asked=$(date +%s.%N)
    if [ -z "$asked" ]; then
      outcome="studio rollback refused, see $r/rollback.log"
    else
      # switched back (the config file names the source), or the rollback failed (its log says
      # FAIL and the migration holds on, the target taking writes)
      deadline=$(($(date +%s) + 600))
      i=0
      failed=""
      while [ "$(load_db)" = "$dst" ] && [ "$(date +%s)" -lt "$deadline" ]; do
        i=$((i + 1))
        if [ $((i % 20)) = 0 ] && branch_file "$id" 05-cutover/rollback-log.json >"$r/rollback-log.json" &&
          grep -q '"verdict" *: *"FAIL"' "$r/rollback-log.json"; then
          failed=1
          break
        fi
        sleep 0.1
      done
      t_back=$(date +%s.%N)
      [ -n "$failed" ] && t_back=0
      while [ -z "$failed" ]; do
        st="$(state_of "$id")"
        echo "$(date +%s.%N) $st $(load_db)" >>"$r/states.txt"
        case "$st" in *FAILED | *CANCELLED | *COMPLETED | *REJECTED) break ;; esac
        [ "$(date +%s)" -gt "$deadline" ] && break
        sleep 0.5
      done
      t_done=$(date +%s.%N)
      outcome="$st"
      branch_file "$id" 05-cutover/rollback-log.json >"$r/rollback-log.json" || true
      if [ -n "$failed" ]; then
        t_done=0
        outcome="rollback failed: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("summary", "")[:300])' "$r/rollback-log.json" 2>/dev/null)"
      fi
    fi
  fi
  branch_file "$id" 05-cutover/drill.json >"$r/drill.json" || true
  # the probe writes on the final primary (the database the config file names: the source after
  # a rollback) for a few seconds more, then reports
  sleep 3
  if [ -n "$probe" ]; then
    kill "$probe" 2>/dev/null || true
    wait "$probe" 2>/dev/null || true
  fi
  final="$(load_db)"
  echo "$final" >"$r/final-primary.txt"
  psql -d "$final" -Atc "SELECT seq FROM probe" >"$r/final-seqs.txt"
  echo "$t_start $t_switch $t_ask $t_asked $t_back $t_done" >"$r/times.txt"
  echo "$outcome" >"$r/outcome.txt"
  echo "  $outcome; probe: $(cat "$r/probe.json" 2>/dev/null)"
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

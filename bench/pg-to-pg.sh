#!/usr/bin/env bash
# PostgreSQL -> PostgreSQL copy benchmark (issue 4): one table, data plus primary key, side by
# side in one run on one server: raw binary COPY pipe + PK build, pg_dump | pg_restore,
# pgcopydb clone, and the studio. The studio runs as `studio server` (every worker but migrate)
# plus a separate `studio worker migrate` process, whose peak RSS (VmHWM) is reported.
#
#   bench/pg-to-pg.sh [SCALE]          pgbench_accounts, SCALE = pgbench scale (100 = 10M rows;
#                                      default 10)
#   bench/pg-to-pg.sh --mixed [ROWS]   a mixed-type table (text, numeric, timestamptz, jsonb,
#                                      bytea), ROWS rows (default 2000000)
#   bench/pg-to-pg.sh --partitions N [SCALE]
#                                      many tables of the same size: pgbench -i --partitions N
#                                      --foreign-keys, plus two secondary indexes per partition
#
# By default the studio runs with the default spec (no migrate settings at all: the studio decides
# chunking and parallelism) on a stock server (initdb defaults, fsync on), as users run it (issue
# 17). Environment: BENCH_ROUNDS (default 3: every tool runs once per round, medians reported),
# BENCH_SETTLE=checkpoint (before each tool only a flush, not the vacuum of the earlier targets),
# BENCH_SERVER=fast (fsync off, large shared_buffers/max_wal_size: the tuned runs of issue 4),
# BENCH_PARALLELISM, BENCH_CHUNK_BYTES or BENCH_CHUNK_ROWS (studio settings; any of them set
# makes the run a tuned one, with its own results file).
# Needs (Debian): apt-get install postgresql pgcopydb  (the script installs them when missing).
# Results: bench/results/pg-to-pg-s<SCALE>.md or mixed-pg-to-pg-<ROWS>.md (committed), work files
# under bench/work/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
mode=pgbench
partitions=0
if [ "${1:-}" = "--partitions" ]; then
  partitions="${2:?--partitions N}"
  shift 2
fi
if [ "${1:-}" = "--mixed" ]; then
  mode=mixed
  shift
  size="${1:-2000000}"
  table=mixed
  results="$here/results/mixed-pg-to-pg-${size}.md"
else
  size="${1:-10}"
  table=pgbench_accounts
  results="$here/results/pg-to-pg-s${size}.md"
  [ "$partitions" -gt 0 ] && mode=partitions && results="$here/results/pg-to-pg-s${size}-p${partitions}.md"
fi
server="${BENCH_SERVER:-stock}"
tuned=""
[ -n "${BENCH_PARALLELISM:-}${BENCH_CHUNK_BYTES:-}${BENCH_CHUNK_ROWS:-}" ] && tuned=1
# the default spec on a stock server gets its own file; tuned runs keep the historical names
[ -z "$tuned" ] && [ "$server" = stock ] && results="${results%.md}-default.md"
[ -n "$tuned" ] && [ "$server" = stock ] && results="${results%.md}-stock.md"
work="$here/work/pg"
port="${BENCH_PG_PORT:-54329}"
tport="${BENCH_TEMPORAL_PORT:-57233}"
aport=$((tport + 1))
hport=$((tport + 2))
mkdir -p "$here/results"
. "$here/lib.sh"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need pgcopydb || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get install -y -qq postgresql pgcopydb >/dev/null
fi
bench_pg_path
bench_work "$work"
if [ "$server" = fast ]; then
  server_opts="-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=4GB -c shared_buffers=512MB -c maintenance_work_mem=512MB"
  server_text="one PostgreSQL server (fsync off, tuned) for every tool"
else
  server_opts=""
  server_text="one stock PostgreSQL server (initdb defaults, fsync on) for every tool"
fi
bench_pg_start "$port" "$server_opts"

psql -d postgres -c "CREATE DATABASE src"
if [ "$mode" = partitions ]; then
  pgbench $P -i -s "$size" -q --partitions "$partitions" --foreign-keys src >/dev/null 2>&1
  # secondary indexes on every partition (through the partitioned parent) and on the small tables
  psql -d src -c "CREATE INDEX ON pgbench_accounts (bid)" -c "CREATE INDEX ON pgbench_accounts (abalance, aid)" \
    -c "CREATE INDEX ON pgbench_history (aid)" -c "CREATE INDEX ON pgbench_tellers (bid)" -c "VACUUM ANALYZE"
  pk="aid"
elif [ "$mode" = pgbench ]; then
  pgbench $P -i -s "$size" -q src >/dev/null 2>&1
  ddl="CREATE TABLE pgbench_accounts (aid int NOT NULL, bid int, abalance int, filler character(84))"
  pk="aid"
else
  ddl="CREATE TABLE mixed (id bigint NOT NULL, name text, amount numeric(18,4), at timestamptz, doc jsonb, payload bytea)"
  psql -d src -c "$ddl" -c "ALTER TABLE mixed ADD PRIMARY KEY (id)" -c "
    INSERT INTO mixed
    SELECT g,
           CASE WHEN g % 17 = 0 THEN NULL ELSE 'customer ' || md5(g::text) END,
           CASE WHEN g % 13 = 0 THEN NULL ELSE ((g * 7919) % 100000000) / 100.0 END,
           timestamptz '2020-01-01 00:00:00+00' + g * interval '1 second 17 microseconds',
           CASE WHEN g % 11 = 0 THEN NULL
                ELSE jsonb_build_object('id', g, 'tags', jsonb_build_array('a', g % 7, true),
                                        'note', repeat('x', (g % 40)::int)) END,
           CASE WHEN g % 19 = 0 THEN NULL ELSE decode(md5(g::text) || md5((g + 1)::text), 'hex') END
    FROM generate_series(1::bigint, $size) g" -c "VACUUM ANALYZE mixed"
  pk="id"
fi
rows=$(psql -d src -Atc "SELECT count(*) FROM $table")
echo "source: $table with $rows rows ($mode $size)"
if [ "$mode" = partitions ]; then
  # every table of the database: pgcopydb without filters, the studio without a scope
  : >"$work/pgcopydb-filters.ini"
  filters=""
  tables=$(psql -d src -Atc "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'")
  echo "source: $tables tables (pgbench partitions $partitions)"
else
  printf '[include-only-table]\npublic.%s\n' "$table" >"$work/pgcopydb-filters.ini"
  filters="--filters '$work/pgcopydb-filters.ini'"
fi

fresh() { psql -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" 2>/dev/null; }
# wall seconds and peak RSS (kB) of a command, via GNU time
measure() { # name, command...
  local name="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/$name.time" bash -c "$*" >"$work/$name.log" 2>&1 ||
    { echo "$name failed, see $work/$name.log" >&2; tail -5 "$work/$name.log" >&2; echo "NaN 0" >"$work/$name.time"; }
  read -r secs rss <"$work/$name.time"
  echo "$name $secs $rss $round" >>"$work/results.txt"
  echo "  $name: ${secs}s, peak RSS $((rss / 1024)) MB"
}
: >"$work/results.txt"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

bench_jar
home="$work/studio-home"
bench_studio_start "$home" "$tport"
rounds="${BENCH_ROUNDS:-3}"
# default: the default spec (no migrate settings); BENCH_CHUNK_BYTES=4294967296 puts each table
# in one chunk (docs/migrate.md, "A table in one chunk"), BENCH_CHUNK_BYTES=268435456 gives 4
migrate_settings=()
[ -n "${BENCH_PARALLELISM:-}" ] && migrate_settings+=("parallelism: $BENCH_PARALLELISM")
[ -n "${BENCH_CHUNK_ROWS:-}" ] && migrate_settings+=("chunk_rows: $BENCH_CHUNK_ROWS")
[ -n "${BENCH_CHUNK_BYTES:-}" ] && migrate_settings+=("chunk_bytes: $BENCH_CHUNK_BYTES")
chunking="$(IFS=,; echo "${migrate_settings[*]}" | sed 's/,/, /g')"
if [ -n "$chunking" ]; then spec_migrate="migrate: { $chunking }"; else spec_migrate=""; fi
if [ "$mode" = partitions ]; then spec_scope=""; else spec_scope="scope: { include: [$table] }"; fi
run_raw() {
  [ "$mode" = partitions ] && return 0 # one table's pipe: not comparable with a whole database
  fresh dst_raw
  psql -d dst_raw -c "$ddl"
  settle
  measure raw-copy-pipe+pk "command psql $P -X -d src -c \"COPY $table TO STDOUT (FORMAT binary)\" | command psql $P -X -d dst_raw -c \"COPY $table FROM STDIN (FORMAT binary)\" && command psql $P -X -d dst_raw -c 'ALTER TABLE $table ADD PRIMARY KEY ($pk)'"
}
run_dump() {
  fresh dst_dump
  settle
  if [ "$mode" = partitions ]; then
    measure pg_dump-restore "pg_dump $P -Fc src | pg_restore $P -d dst_dump"
  else
    measure pg_dump-restore "pg_dump $P -Fc -t $table src | pg_restore $P -d dst_dump"
  fi
}
run_copydb() {
  fresh dst_copydb
  rm -rf "$work/pgcopydb"
  settle
  measure pgcopydb "PGCOPYDB_SOURCE_PGURI='postgres://postgres@127.0.0.1:$port/src' PGCOPYDB_TARGET_PGURI='postgres://postgres@127.0.0.1:$port/dst_copydb' pgcopydb clone --table-jobs 2 --index-jobs 2 --dir '$work/pgcopydb' --no-owner --no-acl --skip-extensions --skip-vacuum --not-consistent $filters"
}
# what the previous tool wrote is vacuumed and flushed before the next starts (each tool would
# otherwise pay for its predecessor's dirty pages, and for the autovacuum of its predecessor's
# table: a table loaded without FREEZE gets its first vacuum within a minute, which writes every
# page again, and a full-page image of it to the WAL after the checkpoint; see chunk-cost.sh).
# BENCH_SETTLE=checkpoint keeps the former settle (flush only).
settle() {
  if [ "${BENCH_SETTLE:-vacuum}" = vacuum ]; then
    vacuumdb $P --all --analyze --quiet >/dev/null
    for _ in $(seq 1 240); do
      [ "$(psql -d postgres -Atc "SELECT count(*) FROM pg_stat_progress_vacuum")" = 0 ] && break
      sleep 0.5
    done
  fi
  sync; psql -d postgres -c CHECKPOINT; sync
}
run_studio() {
  fresh dst_studio
  id="bench-${mode}-${size}-$(date +%s)-r$round"
  cat >"$work/spec.yaml" <<YAML
id: $id
source: { url: "jdbc:postgresql://127.0.0.1:$port/src", user: postgres }
target: { url: "jdbc:postgresql://127.0.0.1:$port/dst_studio", user: postgres }
$spec_scope
$spec_migrate
validation: { sample_rows: 100 }
cutover: { freeze: none, hypercare: PT0S }
YAML
  settle
  t0=$(date +%s.%N)
  # one client JVM follows the run (a status JVM per second would steal a core's share from the
  # copy it measures); the shell only checks that the worker and the follower are alive
  studio start "$work/spec.yaml" --auto-approve all --follow --server "127.0.0.1:$aport" \
    >"$work/studio-start.log" 2>&1 &
  fpid=$!
  while kill -0 "$fpid" 2>/dev/null; do
    kill -0 "$wpid" 2>/dev/null || { kill "$fpid" 2>/dev/null; break; }
    sleep 0.2
  done
  wait "$fpid" 2>/dev/null || true
  t1=$(date +%s.%N)
  state=$(studio status "$id" --json --server "127.0.0.1:$aport" 2>/dev/null |
    python3 -c 'import json,sys; print(json.load(sys.stdin).get("state",""))' 2>/dev/null || echo "")
  kill -0 "$wpid" 2>/dev/null || state="WORKER-DIED"
  worker_kb=$(awk '/VmHWM/ {print $2}' "/proc/$wpid/status" 2>/dev/null || echo 0)
  echo "  studio lifecycle: $state"
  echo "studio-lifecycle $(python3 -c "print(round($t1 - $t0, 1))") ${worker_kb:-0} $round" >>"$work/results.txt"
  run_json=$(git --git-dir "$home/artifacts/remote.git" show "migrations/$id:03-migrate/run.json" 2>/dev/null || echo '{}')
  echo "$run_json" >"$work/run-$round.json"
}
tools=(run_raw run_dump run_copydb run_studio)
for round in $(seq 1 "$rounds"); do
  # the order rotates by round, so no tool always runs first (or after the same neighbour)
  order=()
  for i in 0 1 2 3; do order+=("${tools[$(((i + round - 1) % 4))]}"); done
  echo "round $round of $rounds: ${order[*]}"
  for tool in "${order[@]}"; do "$tool"; done
done
for db in dst_raw dst_dump dst_copydb dst_studio; do
  [ "$mode" = partitions ] && [ "$db" = dst_raw ] && continue
  n=$(psql -d "$db" -Atc "SELECT count(*) FROM $table" 2>/dev/null || echo 0)
  pkn=$(psql -d "$db" -Atc "SELECT count(*) FROM pg_constraint WHERE conrelid = '$table'::regclass AND contype = 'p'" 2>/dev/null || echo 0)
  echo "  $db: $n rows, primary key: $pkn"
done

python3 - "$work/results.txt" "$results" "$rows" "$mode" "$size" "$work" "$state" "$(nproc)" "$load_before" "$rounds" "$chunking" "$server_text" "$partitions" <<'PY'
import sys, json, datetime, statistics, os
res, out, rows, mode, size, work, state, cores, load, rounds, chunking, server_text, partitions = sys.argv[1:]
rows = int(rows)
rounds = int(rounds)
data = {}   # name -> {round: (secs, rss)}
for line in open(res):
    name, secs, rss, rnd = line.split()
    data.setdefault(name, {})[int(rnd)] = (float(secs), int(rss))
runs = {}
for r in range(1, rounds + 1):
    try:
        runs[r] = json.load(open(os.path.join(work, f"run-{r}.json")))
    except Exception:
        runs[r] = {}
if runs.get(1, {}).get("stage_duration_ms"):
    data["studio-stage"] = {r: (j["stage_duration_ms"] / 1000, data.get("studio-lifecycle", {}).get(r, (0, 0))[1])
                            for r, j in runs.items() if j.get("stage_duration_ms")}
    data["studio-copy"] = {r: (j["duration_ms"] / 1000, 0) for r, j in runs.items() if j.get("duration_ms")}
def med(name):
    v = [x[0] for x in data.get(name, {}).values() if x[0] == x[0]]
    return statistics.median(v) if v else float("nan")
base = med("pgcopydb")
what = (f"pgbench_accounts, {rows:,} rows (scale {size})" if mode == "pgbench"
        else f"pgbench scale {size} with --partitions {partitions} --foreign-keys and secondary indexes, "
             f"pgbench_accounts {rows:,} rows, the whole database" if mode == "partitions"
        else f"mixed-type table (text, numeric, timestamptz, jsonb, bytea), {rows:,} rows")
cmd = "bench/pg-to-pg.sh " + ("--mixed " if mode == "mixed" else "") + (f"--partitions {partitions} " if mode == "partitions" else "") + size
settings = f"`migrate: {{ {chunking} }}`" if chunking else "the default spec (no migrate settings)"
labels = {"raw-copy-pipe+pk": "raw COPY (FORMAT binary) pipe + ADD PRIMARY KEY",
          "pg_dump-restore": "pg_dump -Fc \\| pg_restore",
          "pgcopydb": "pgcopydb clone --table-jobs 2 --index-jobs 2",
          "studio-stage": "**studio Migrate stage (copy + PK; run.json stage_duration_ms)**",
          "studio-copy": "studio copy only (run.json duration_ms)",
          "studio-lifecycle": "studio whole lifecycle (start to " + state + ")"}
lines = [f"# PostgreSQL -> PostgreSQL: {what}, data + keys and indexes", "",
         f"Run {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC on {cores} cores (load average before "
         f"the run: {load}), {server_text}, by `{cmd}`; "
         f"{rounds} rounds, each running every tool once (the order rotating by round; before each tool {'the earlier targets vacuumed and ' if os.environ.get('BENCH_SETTLE', 'vacuum') == 'vacuum' else ''}dirty pages flushed); medians, studio with "
         f"{settings}.", "",
         "| tool | median wall s | rows/s | peak RSS MB | × pgcopydb (median) | per round s |",
         "|---|---:|---:|---:|---:|---|"]
for name in ["raw-copy-pipe+pk", "pg_dump-restore", "pgcopydb", "studio-stage", "studio-copy", "studio-lifecycle"]:
    if name not in data:
        continue
    m = med(name)
    rss = max(x[1] for x in data[name].values())
    if name == "studio-lifecycle":
        rss = 0
    per = ", ".join(f"{data[name][r][0]:.1f}" for r in sorted(data[name]))
    rps = f"{rows / m:,.0f}" if m == m and m > 0 else "-"
    mb = f"{rss / 1024:.0f}" if rss else ""
    lines.append(f"| {labels[name]} | {m:.1f} | {rps} | {mb} | {m / base:.2f} | {per} |")
paired = [data["studio-stage"][r][0] / data["pgcopydb"][r][0] for r in data.get("studio-stage", {})
          if r in data.get("pgcopydb", {}) and data["pgcopydb"][r][0] > 0]
lines.append("")
if paired:
    lines.append("Studio stage / pgcopydb per round (same round, back to back): "
                 + ", ".join(f"{x:.2f}" for x in paired)
                 + f"; median {statistics.median(paired):.2f}.")
    lines.append("")
for r, run in sorted(runs.items()):
    for t in run.get("tables", []):
        lines.append(f"Round {r}, table {t.get('table')}: {t.get('rows')} rows, {t.get('binary_chunks')}/{t.get('chunks')} "
                     f"chunks by the binary pass-through, {t.get('bytes')} bytes, copy {t.get('copy_duration_ms')} ms, "
                     f"keys and indexes {t.get('index_build_ms')} ms.")
lines += ["",
          "The studio Migrate stage runs from the stage's start (target tables, chunk planning) to the "
          "last index build, as the ledger records it; the peak RSS in its row is the separate "
          "`studio worker migrate` process (VmHWM, over all rounds). The lifecycle adds JVM and Temporal start-up, "
          "assessment, mapping review, validation (re-reads and hashes both sides) and the cutover "
          "drill, polled once a second."]
open(out, "w").write("\n".join(lines) + "\n")
print(open(out).read())
PY

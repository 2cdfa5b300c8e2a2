#!/usr/bin/env bash
# PostgreSQL -> PostgreSQL copy benchmark (issue 4): pgbench_accounts, data plus primary key,
# side by side in one run on one server: raw binary COPY pipe + PK build, pg_dump | pg_restore,
# pgcopydb clone, and the studio (whole lifecycle, and its Migrate stage from run.json).
#
#   bench/pg-to-pg.sh [SCALE]      SCALE = pgbench scale (100 = 10M rows; default 10)
#
# Needs (Debian): apt-get install postgresql pgcopydb  (the script installs them when missing).
# Results: bench/results/pg-to-pg-s<SCALE>.md (committed), work files under bench/work/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
scale="${1:-10}"
work="$here/work/pg"
port="${BENCH_PG_PORT:-54329}"
results="$here/results/pg-to-pg-s${scale}.md"
mkdir -p "$here/results"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need pgcopydb || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get install -y -qq postgresql pgcopydb >/dev/null
fi
pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
export PATH="$pgbin:$PATH"

rm -rf "$work" && mkdir -p "$work" && chown postgres "$work"
as_pg() { su postgres -c "$*"; }
as_pg "initdb -D '$work/data' -U postgres -A trust >/dev/null"
as_pg "pg_ctl -D '$work/data' -o '-p $port -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=4GB -c shared_buffers=512MB -c maintenance_work_mem=512MB' -l '$work/pg.log' -w start >/dev/null"
trap 'as_pg "pg_ctl -D \"$work/data\" -m fast stop" >/dev/null 2>&1 || true' EXIT
P="-h 127.0.0.1 -p $port -U postgres"
psql() { command psql $P -X -q -v ON_ERROR_STOP=1 "$@"; }

psql -d postgres -c "CREATE DATABASE src"
pgbench $P -i -s "$scale" -q src >/dev/null 2>&1
rows=$(psql -d src -Atc "SELECT count(*) FROM pgbench_accounts")
echo "source: pgbench_accounts with $rows rows (scale $scale)"

fresh() { psql -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" 2>/dev/null; }
# wall seconds and peak RSS (kB) of a command, via GNU time
measure() { # name, command...
  local name="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/$name.time" bash -c "$*" >"$work/$name.log" 2>&1 ||
    { echo "$name failed, see $work/$name.log" >&2; tail -5 "$work/$name.log" >&2; echo "NaN 0" >"$work/$name.time"; }
  read -r secs rss <"$work/$name.time"
  echo "$name $secs $rss" >>"$work/results.txt"
  echo "  $name: ${secs}s, peak RSS $((rss / 1024)) MB"
}
: >"$work/results.txt"

fresh dst_raw
psql -d dst_raw -c "CREATE TABLE pgbench_accounts (aid int NOT NULL, bid int, abalance int, filler character(84))"
measure raw-copy-pipe "command psql $P -X -d src -c \"COPY pgbench_accounts TO STDOUT (FORMAT binary)\" | command psql $P -X -d dst_raw -c \"COPY pgbench_accounts FROM STDIN (FORMAT binary)\" && command psql $P -X -d dst_raw -c 'ALTER TABLE pgbench_accounts ADD PRIMARY KEY (aid)'"

fresh dst_dump
measure pg_dump-restore "pg_dump $P -Fc -t pgbench_accounts src | pg_restore $P -d dst_dump"

fresh dst_copydb
measure pgcopydb "PGCOPYDB_SOURCE_PGURI='postgres://postgres@127.0.0.1:$port/src' PGCOPYDB_TARGET_PGURI='postgres://postgres@127.0.0.1:$port/dst_copydb' pgcopydb clone --table-jobs 2 --index-jobs 2 --dir '$work/pgcopydb' --no-owner --no-acl --skip-extensions --skip-vacuum --not-consistent --filters '$here/pgcopydb-filters.ini'"

fresh dst_studio
jar="$root/studio-cli/target/studio-all.jar"
[ -f "$jar" ] || (cd "$root" && ./mvnw -q -B -DskipTests -Dspotless.check.skip=true package -pl studio-cli -am)
id="bench-s${scale}-$(date +%s)"
cat >"$work/spec.yaml" <<YAML
id: $id
source: { url: "jdbc:postgresql://127.0.0.1:$port/src", user: postgres }
target: { url: "jdbc:postgresql://127.0.0.1:$port/dst_studio", user: postgres }
scope: { include: [pgbench_accounts] }
migrate: { parallelism: 2, chunk_rows: 500000 }
validation: { sample_rows: 100 }
cutover: { freeze: none }
YAML
measure studio-lifecycle "java -Xmx512m -jar '$jar' run '$work/spec.yaml' --auto-approve all --home '$work/studio-home'"
migrate_ms=$(git --git-dir "$work/studio-home/artifacts/remote.git" show "migrations/$id:03-migrate/run.json" 2>/dev/null |
  python3 -c 'import json,sys; print(json.load(sys.stdin).get("duration_ms", ""))' 2>/dev/null || echo "")

for db in dst_raw dst_dump dst_copydb dst_studio; do
  n=$(psql -d "$db" -Atc "SELECT count(*) FROM pgbench_accounts" 2>/dev/null || echo 0)
  pk=$(psql -d "$db" -Atc "SELECT count(*) FROM pg_constraint WHERE conrelid = 'pgbench_accounts'::regclass AND contype = 'p'" 2>/dev/null || echo 0)
  echo "  $db: $n rows, primary key: $pk"
done

python3 - "$work/results.txt" "$results" "$rows" "$scale" "${migrate_ms:-}" <<'PY'
import sys, platform, os, datetime
res, out, rows, scale, migrate_ms = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
data = {}
for line in open(res):
    name, secs, rss = line.split()
    data[name] = (float(secs), int(rss))
base = data.get("pgcopydb", (float("nan"), 0))[0]
lines = [f"# PostgreSQL -> PostgreSQL: pgbench_accounts, {rows:,} rows (scale {scale}), data + primary key",
         "",
         f"Run {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, one PostgreSQL server "
         "(fsync off) for every tool, by `bench/pg-to-pg.sh " + scale + "`. One run each, in this order.",
         "",
         "| tool | wall s | rows/s | peak RSS MB | × pgcopydb |",
         "|---|---:|---:|---:|---:|"]
for name, (secs, rss) in data.items():
    ratio = secs / base if base == base and base > 0 else float("nan")
    lines.append(f"| {name} | {secs:.1f} | {rows / secs if secs else 0:,.0f} | {rss / 1024:.0f} | {ratio:.2f} |")
if migrate_ms:
    ms = float(migrate_ms)
    lines.append(f"| studio Migrate stage only (run.json duration_ms) | {ms / 1000:.1f} | {rows / (ms / 1000):,.0f} | | {(ms / 1000) / base:.2f} |")
lines += ["",
          "`studio-lifecycle` is the whole `studio run`: JVM and embedded Temporal start-up, assessment "
          "(catalog, throughput probe), mapping review (profiles the data), migrate (chunked copy through "
          "the ledger: decode, canonical hash, COPY text), validation (re-reads and hashes both sides), "
          "cutover drill. Its peak RSS is the all-in-one process (workers, Temporal, service)."]
open(out, "w").write("\n".join(lines) + "\n")
print(open(out).read())
PY

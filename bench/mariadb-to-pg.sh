#!/usr/bin/env bash
# MariaDB -> PostgreSQL copy benchmark (issue 4): the pgbench_accounts rows (aid int PK, bid int,
# abalance int, filler char(84)) in MariaDB, copied into PostgreSQL with the primary key, side by
# side in one run: a raw `mariadb --batch | psql COPY` pipe + PK build, pgloader, and the studio
# (whole lifecycle, and its Migrate stage from run.json).
#
#   bench/mariadb-to-pg.sh [SCALE]   SCALE x 100,000 rows (100 = 10M rows; default 10)
#
# Needs (Debian): apt-get install postgresql mariadb-server pgloader (installed when missing).
# Both servers are private instances under bench/work/ on their own ports (fsync off for
# PostgreSQL, innodb_flush_log_at_trx_commit=0 for MariaDB), started and stopped by the script.
# Results: bench/results/mariadb-to-pg-s<SCALE>.md (committed), work files under bench/work/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
scale="${1:-10}"
rows_wanted=$((scale * 100000))
work="$here/work/maria"
pgport="${BENCH_PG_PORT:-54339}"
myport="${BENCH_MARIADB_PORT:-33079}"
results="$here/results/mariadb-to-pg-s${scale}.md"
mkdir -p "$here/results"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need pgloader || ! [ -x /usr/sbin/mariadbd ] || ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql mariadb-server mariadb-client pgloader >/dev/null
fi
pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
export PATH="$pgbin:/usr/sbin:$PATH"

rm -rf "$work" && mkdir -p "$work/my" && chown postgres "$work"
as_pg() { su postgres -c "$*"; }
as_pg "initdb -D '$work/pgdata' -U postgres -A trust >/dev/null"
as_pg "pg_ctl -D '$work/pgdata' -o '-p $pgport -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=4GB -c shared_buffers=512MB -c maintenance_work_mem=512MB' -l '$work/pg.log' -w start >/dev/null"

mariadb-install-db --no-defaults --user=root --datadir="$work/my/data" --auth-root-authentication-method=normal >"$work/my/install.log" 2>&1
mariadbd --no-defaults --user=root --datadir="$work/my/data" --port="$myport" --bind-address=127.0.0.1 \
  --socket="$work/my/sock" --pid-file="$work/my/pid" --innodb-flush-log-at-trx-commit=0 \
  --innodb-buffer-pool-size=1G --innodb-log-file-size=512M --skip-log-bin >"$work/my/server.log" 2>&1 &
stop_all() {
  as_pg "pg_ctl -D \"$work/pgdata\" -m fast stop" >/dev/null 2>&1 || true
  [ -f "$work/my/pid" ] && kill "$(cat "$work/my/pid")" 2>/dev/null || true
}
trap stop_all EXIT
for _ in $(seq 1 60); do mariadb --no-defaults -S "$work/my/sock" -uroot -e 'SELECT 1' >/dev/null 2>&1 && break; sleep 1; done

M() { command mariadb --no-defaults -h 127.0.0.1 -P "$myport" -ubench -pbench "$@"; }
mariadb --no-defaults -S "$work/my/sock" -uroot <<SQL
CREATE DATABASE bench;
CREATE USER 'bench'@'%' IDENTIFIED BY 'bench';
CREATE USER 'bench'@'localhost' IDENTIFIED BY 'bench';
GRANT ALL ON *.* TO 'bench'@'%';
GRANT ALL ON *.* TO 'bench'@'localhost';
SQL
echo "loading $rows_wanted rows into MariaDB ..."
M bench <<SQL
CREATE TABLE pgbench_accounts (aid int NOT NULL PRIMARY KEY, bid int, abalance int, filler char(84)) ENGINE=InnoDB;
INSERT INTO pgbench_accounts SELECT seq, (seq - 1) DIV 100000 + 1, 0, '' FROM seq_1_to_${rows_wanted};
ANALYZE TABLE pgbench_accounts;
SQL
rows=$(M -N -B bench -e "SELECT count(*) FROM pgbench_accounts")
echo "source: MariaDB $(M -N -B -e 'SELECT VERSION()') pgbench_accounts with $rows rows"

P="-h 127.0.0.1 -p $pgport -U postgres"
psql() { command psql $P -X -q -v ON_ERROR_STOP=1 "$@"; }
fresh() { psql -d postgres -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" 2>/dev/null; }
measure() { # name, command...
  local name="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/$name.time" bash -c "$*" >"$work/$name.log" 2>&1 ||
    { echo "$name failed, see $work/$name.log" >&2; tail -5 "$work/$name.log" >&2; echo "NaN 0" >"$work/$name.time"; }
  read -r secs rss <"$work/$name.time"
  echo "$name $secs $rss" >>"$work/results.txt"
  echo "  $name: ${secs}s, peak RSS $((rss / 1024)) MB"
}
: >"$work/results.txt"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

# raw pipe: MariaDB's batch output escapes tab, newline and backslash the way COPY text expects.
fresh dst_raw
psql -d dst_raw -c "CREATE TABLE pgbench_accounts (aid int NOT NULL, bid int, abalance int, filler character(84))"
measure raw-pipe "command mariadb --no-defaults -h 127.0.0.1 -P $myport -ubench -pbench --batch --skip-column-names --quick bench -e 'SELECT aid, bid, abalance, filler FROM pgbench_accounts' | command psql $P -X -d dst_raw -c 'COPY pgbench_accounts FROM STDIN' && command psql $P -X -d dst_raw -c 'ALTER TABLE pgbench_accounts ADD PRIMARY KEY (aid)'"

fresh dst_pgloader
measure pgloader "pgloader --no-ssl-cert-verification mysql://bench:bench@127.0.0.1:$myport/bench postgresql://postgres@127.0.0.1:$pgport/dst_pgloader"

fresh dst_studio
jar="$root/studio-cli/target/studio-all.jar"
[ -f "$jar" ] || (cd "$root" && ./mvnw -q -B -DskipTests -Dspotless.check.skip=true package -pl studio-cli -am)
id="bench-maria-s${scale}-$(date +%s)"
cat >"$work/spec.yaml" <<YAML
id: $id
source: { url: "jdbc:mariadb://127.0.0.1:$myport/bench", user: bench, password: "\${env:BENCH_MARIADB_PASSWORD}" }
target: { url: "jdbc:postgresql://127.0.0.1:$pgport/dst_studio", user: postgres }
scope: { include: [pgbench_accounts] }
migrate: { parallelism: 2, chunk_rows: 500000 }
validation: { sample_rows: 100 }
cutover: { freeze: none, hypercare: PT0S }
YAML
export BENCH_MARIADB_PASSWORD=bench
measure studio-lifecycle "java -Xmx512m -jar '$jar' run '$work/spec.yaml' --auto-approve all --home '$work/studio-home'"
run_json=$(git --git-dir "$work/studio-home/artifacts/remote.git" show "migrations/$id:03-migrate/run.json" 2>/dev/null || true)
migrate_ms=$(printf '%s' "$run_json" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("duration_ms", ""))' 2>/dev/null || echo "")
stage_ms=$(printf '%s' "$run_json" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("stage_duration_ms", ""))' 2>/dev/null || echo "")

load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

declare -A tbl=([dst_raw]=pgbench_accounts [dst_pgloader]=bench.pgbench_accounts [dst_studio]=pgbench_accounts)
for db in dst_raw dst_pgloader dst_studio; do
  t="${tbl[$db]}"
  n=$(psql -d "$db" -Atc "SELECT count(*) FROM $t" 2>/dev/null || echo 0)
  pk=$(psql -d "$db" -Atc "SELECT count(*) FROM pg_constraint WHERE conrelid = '$t'::regclass AND contype = 'p'" 2>/dev/null || echo 0)
  echo "  $db: $n rows, primary key: $pk"
  echo "$db $n $pk" >>"$work/check.txt"
done

python3 - "$work/results.txt" "$results" "$rows" "$scale" "${migrate_ms:-}" "$work/check.txt" "${stage_ms:-}" "$load_before" "$load_after" <<'PY'
import sys, os, datetime
res, out, rows, scale, migrate_ms, check = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
stage_ms, load_before, load_after = sys.argv[7], sys.argv[8], sys.argv[9]
data = {}
for line in open(res):
    name, secs, rss = line.split()
    data[name] = (float(secs), int(rss))
base = data.get("pgloader", (float("nan"), 0))[0]
lines = [f"# MariaDB -> PostgreSQL: pgbench_accounts, {rows:,} rows (scale {scale}), data + primary key",
         "",
         f"Run {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, private MariaDB and "
         "PostgreSQL servers on this machine, by `bench/mariadb-to-pg.sh " + scale + "`. One run each, in this order. "
         f"Load average (1/5/15 min) before the runs: {load_before}, after: {load_after} (this benchmark's own"
         " loading and servers account for about 1-2 on 2 cores; more means other builds shared the machine:"
         " compare the ratios of one run, not absolute times).",
         "",
         "| tool | wall s | rows/s | peak RSS MB | × pgloader |",
         "|---|---:|---:|---:|---:|"]
for name, (secs, rss) in data.items():
    ratio = secs / base if base == base and base > 0 else float("nan")
    lines.append(f"| {name} | {secs:.1f} | {rows / secs if secs else 0:,.0f} | {rss / 1024:.0f} | {ratio:.2f} |")
if migrate_ms:
    ms = float(migrate_ms)
    lines.append(f"| studio copy only (run.json duration_ms) | {ms / 1000:.1f} | {rows / (ms / 1000):,.0f} | | {(ms / 1000) / base:.2f} |")
if stage_ms:
    ms = float(stage_ms)
    lines.append(f"| **studio Migrate stage: plan + copy + PK (run.json stage_duration_ms)** | {ms / 1000:.1f} | {rows / (ms / 1000):,.0f} | | {(ms / 1000) / base:.2f} |")
lines += ["", "Rows and primary key on each target after the run:", ""]
for line in open(check):
    db, n, pk = line.split()
    lines.append(f"- {db}: {int(n):,} rows, primary key constraints: {pk}")
open(out, "w").write("\n".join(lines) + "\n")
print(open(out).read())
PY

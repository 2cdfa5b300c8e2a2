#!/usr/bin/env bash
# MariaDB -> PostgreSQL copy benchmark (issue 4): the pgbench_accounts rows (aid int PK, bid int,
# abalance int, filler char(84)) in MariaDB, copied into PostgreSQL with the primary key, side by
# side in one run: a raw `mariadb --batch | psql COPY` pipe + PK build, pgloader, and the studio
# (whole lifecycle, and its Migrate stage from run.json).
#
#   bench/mariadb-to-pg.sh [SCALE]   SCALE x 100,000 rows (100 = 10M rows; default 10)
#
# The studio runs with the default spec (no migrate settings) into a stock PostgreSQL (initdb
# defaults, fsync on), as users run it (issue 17). BENCH_ROUNDS (default 3): every tool once per
# round, medians and the per-round studio/pgloader ratio reported. BENCH_SERVER=fast gives the
# tuned PostgreSQL of issue 4 (fsync off); BENCH_PARALLELISM / BENCH_CHUNK_ROWS set studio
# settings (a tuned run, its own results file).
#
# Needs (Debian): apt-get install postgresql mariadb-server pgloader (installed when missing).
# Both servers are private instances under bench/work/ on their own ports
# (innodb_flush_log_at_trx_commit=0 for MariaDB), started and stopped by the script.
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
server="${BENCH_SERVER:-stock}"
rounds="${BENCH_ROUNDS:-3}"
migrate_settings=()
[ -n "${BENCH_PARALLELISM:-}" ] && migrate_settings+=("parallelism: $BENCH_PARALLELISM")
[ -n "${BENCH_CHUNK_ROWS:-}" ] && migrate_settings+=("chunk_rows: $BENCH_CHUNK_ROWS")
settings="$(IFS=,; echo "${migrate_settings[*]}" | sed 's/,/, /g')"
[ -z "$settings" ] && [ "$server" = stock ] && results="${results%.md}-default.md"
if [ "$server" = fast ]; then
  pg_opts="-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=4GB -c shared_buffers=512MB -c maintenance_work_mem=512MB"
  server_text="PostgreSQL tuned (fsync off)"
else
  pg_opts=""
  server_text="stock PostgreSQL (initdb defaults, fsync on)"
fi
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
as_pg "pg_ctl -D '$work/pgdata' -o '-p $pgport $pg_opts' -l '$work/pg.log' -w start >/dev/null"

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
  echo "$name $secs $rss $round" >>"$work/results.txt"
  echo "  $name: ${secs}s, peak RSS $((rss / 1024)) MB"
}
: >"$work/results.txt"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

jar="$root/studio-cli/target/studio-all.jar"
[ -f "$jar" ] || (cd "$root" && ./mvnw -q -B -DskipTests -Dspotless.check.skip=true package -pl studio-cli -am)
export BENCH_MARIADB_PASSWORD=bench
settle() { sync; psql -d postgres -c CHECKPOINT; sync; }
run_raw() {
  # raw pipe: MariaDB's batch output escapes tab, newline and backslash the way COPY text expects.
  fresh dst_raw
  psql -d dst_raw -c "CREATE TABLE pgbench_accounts (aid int NOT NULL, bid int, abalance int, filler character(84))"
  settle
  measure raw-pipe "command mariadb --no-defaults -h 127.0.0.1 -P $myport -ubench -pbench --batch --skip-column-names --quick bench -e 'SELECT aid, bid, abalance, filler FROM pgbench_accounts' | command psql $P -X -d dst_raw -c 'COPY pgbench_accounts FROM STDIN' && command psql $P -X -d dst_raw -c 'ALTER TABLE pgbench_accounts ADD PRIMARY KEY (aid)'"
}
run_pgloader() {
  fresh dst_pgloader
  settle
  measure pgloader "pgloader --no-ssl-cert-verification mysql://bench:bench@127.0.0.1:$myport/bench postgresql://postgres@127.0.0.1:$pgport/dst_pgloader"
}
run_studio() {
  fresh dst_studio
  id="bench-maria-s${scale}-$(date +%s)-r$round"
  {
    echo "id: $id"
    echo "source: { url: \"jdbc:mariadb://127.0.0.1:$myport/bench\", user: bench, password: \"\${env:BENCH_MARIADB_PASSWORD}\" }"
    echo "target: { url: \"jdbc:postgresql://127.0.0.1:$pgport/dst_studio\", user: postgres }"
    echo "scope: { include: [pgbench_accounts] }"
    [ -n "$settings" ] && echo "migrate: { $settings }"
    echo "validation: { sample_rows: 100 }"
    echo "cutover: { freeze: none, hypercare: PT0S }"
  } >"$work/spec.yaml"
  settle
  measure studio-lifecycle "java -Xmx512m -jar '$jar' run '$work/spec.yaml' --auto-approve all --home '$work/studio-home'"
  git --git-dir "$work/studio-home/artifacts/remote.git" show "migrations/$id:03-migrate/run.json" \
    >"$work/run-$round.json" 2>/dev/null || echo '{}' >"$work/run-$round.json"
}
tools=(run_raw run_pgloader run_studio)
for round in $(seq 1 "$rounds"); do
  order=()
  for i in 0 1 2; do order+=("${tools[$(((i + round - 1) % 3))]}"); done
  echo "round $round of $rounds: ${order[*]}"
  for tool in "${order[@]}"; do "$tool"; done
done

load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

declare -A tbl=([dst_raw]=pgbench_accounts [dst_pgloader]=bench.pgbench_accounts [dst_studio]=pgbench_accounts)
for db in dst_raw dst_pgloader dst_studio; do
  t="${tbl[$db]}"
  n=$(psql -d "$db" -Atc "SELECT count(*) FROM $t" 2>/dev/null || echo 0)
  pk=$(psql -d "$db" -Atc "SELECT count(*) FROM pg_constraint WHERE conrelid = '$t'::regclass AND contype = 'p'" 2>/dev/null || echo 0)
  echo "  $db: $n rows, primary key: $pk"
  echo "$db $n $pk" >>"$work/check.txt"
done

python3 - "$work/results.txt" "$results" "$rows" "$scale" "$work" "$work/check.txt" "$load_before" "$load_after" "$rounds" "$server_text" "$settings" <<'PY'
import sys, os, datetime, json, statistics
res, out, rows, scale, work, check, load_before, load_after, rounds, server_text, settings = sys.argv[1:]
rows, rounds = int(rows), int(rounds)
data = {}  # name -> {round: (secs, rss)}
for line in open(res):
    name, secs, rss, rnd = line.split()
    data.setdefault(name, {})[int(rnd)] = (float(secs), int(rss))
for r in range(1, rounds + 1):
    try:
        j = json.load(open(os.path.join(work, f"run-{r}.json")))
    except Exception:
        j = {}
    if j.get("stage_duration_ms"):
        data.setdefault("studio-stage", {})[r] = (j["stage_duration_ms"] / 1000, 0)
    if j.get("duration_ms"):
        data.setdefault("studio-copy", {})[r] = (j["duration_ms"] / 1000, 0)
def med(name):
    v = [x[0] for x in data.get(name, {}).values() if x[0] == x[0]]
    return statistics.median(v) if v else float("nan")
base = med("pgloader")
labels = {"raw-pipe": "raw `mariadb --batch \\| psql COPY` pipe + ADD PRIMARY KEY",
          "pgloader": "pgloader (defaults)",
          "studio-stage": "**studio Migrate stage: plan + copy + PK (run.json stage_duration_ms)**",
          "studio-copy": "studio copy only (run.json duration_ms)",
          "studio-lifecycle": "studio whole lifecycle (`studio run`, JVM start to COMPLETED)"}
spec = f"`migrate: {{ {settings} }}`" if settings else "the default spec (no migrate settings)"
lines = [f"# MariaDB -> PostgreSQL: pgbench_accounts, {rows:,} rows (scale {scale}), data + primary key",
         "",
         f"Run {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores, private MariaDB and "
         f"{server_text} on this machine, by `bench/mariadb-to-pg.sh {scale}`; {rounds} rounds, each running "
         f"every tool once (order rotating by round, dirty pages flushed before each), medians; studio with {spec}. "
         f"Load average (1/5/15 min) before the runs: {load_before}, after: {load_after}.",
         "",
         "| tool | median wall s | rows/s | peak RSS MB | × pgloader (median) | per round s |",
         "|---|---:|---:|---:|---:|---|"]
for name in ["raw-pipe", "pgloader", "studio-stage", "studio-copy", "studio-lifecycle"]:
    if name not in data:
        continue
    m = med(name)
    rss = max(x[1] for x in data[name].values())
    per = ", ".join(f"{data[name][r][0]:.1f}" for r in sorted(data[name]))
    lines.append(f"| {labels[name]} | {m:.1f} | {rows / m if m else 0:,.0f} | {f'{rss / 1024:.0f}' if rss else ''} | {m / base:.2f} | {per} |")
paired = [data["studio-stage"][r][0] / data["pgloader"][r][0] for r in data.get("studio-stage", {})
          if r in data.get("pgloader", {}) and data["pgloader"][r][0] > 0]
if paired:
    lines += ["", "Studio Migrate stage / pgloader per round (same round): "
              + ", ".join(f"{x:.2f}" for x in paired) + f"; worst {max(paired):.2f}, goal <= 0.40 in every round."]
lines += ["", "Rows and primary key on each target after the run:", ""]
for line in open(check):
    db, n, pk = line.split()
    lines.append(f"- {db}: {int(n):,} rows, primary key constraints: {pk}")
open(out, "w").write("\n".join(lines) + "\n")
print(open(out).read())
PY

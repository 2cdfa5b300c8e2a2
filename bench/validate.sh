#!/usr/bin/env bash
# Validation benchmark (issue 5): full validation of pgbench_accounts PostgreSQL -> PostgreSQL
# (counts + every chunk's checksum) by the studio's Validator, side by side with the engine's own
# whole-table hashing, bit_xor(hashtextextended(t::text, 0)), on each side; then the same rows
# MariaDB -> PostgreSQL against MariaDB's CHECKSUM TABLE, a BIT_XOR(CRC32(CONCAT_WS(...))) query,
# pt-table-checksum, and the client-side streaming baselines (mariadb --batch --quick | md5sum,
# psql COPY TO STDOUT | md5sum).
#
#   bench/validate.sh [SCALE]      SCALE = pgbench scale (10 = 1M rows; default 10)
#   BENCH_VARIANTS="pg maria"      which variants run (default both, in this order)
#
# Studio runs (each its own JVM, peak RSS from GNU time):
#   checksums-sql     counts + chunk checksums, hashed in SQL on both servers (the fast path
#                     for same-engine identity tables)
#   checksums-client  the same, rows streamed and hashed canonically in the JVM
#   full-report       the whole validation.json: checksums (SQL path) + 95 %/5 % sample,
#                     per-column aggregates, target integrity
# The target is a template copy of the source (identical rows). Chunks are planned without a ledger
# (PostgreSQL source: a TABLESAMPLE of its key; MariaDB source: a TABLESAMPLE of the PostgreSQL
# target's integer key, MariaDB cannot sample); a migrated table would use its ledger. Row counts
# come from the chunk digests (the chunks tile the key space) plus a NULL-key count.
# MariaDB -> PostgreSQL: a private MariaDB (mariadb-server from apt, as bench/mariadb-to-pg.sh) on
# BENCH_MARIADB_PORT holds SCALE x 100,000 pgbench_accounts-like rows; the PostgreSQL target
# (database dst_maria on the same server) gets them through a raw `mariadb --batch | COPY` pipe.
# Needs (Debian): postgresql, mariadb-server, percona-toolkit (installed when missing) and a built migration-core
# (./mvnw -o -q compile -pl migration-core -am). Results: bench/results/validate-s<SCALE>.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
scale="${1:-10}"
work="$here/work/validate"
port="${BENCH_PG_PORT:-54331}"
chunk_rows="${BENCH_CHUNK_ROWS:-100000}"
results="$here/results/validate-s${scale}.md"
variants=" ${BENCH_VARIANTS:-pg maria} "
mkdir -p "$here/results"

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get install -y -qq postgresql >/dev/null
fi
if [[ "$variants" == *" maria "* ]] && { ! [ -x /usr/sbin/mariadbd ] || ! command -v pt-table-checksum >/dev/null; }; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server mariadb-client >/dev/null
  # pt-table-checksum is reported as not run when percona-toolkit is not installable
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq percona-toolkit >/dev/null 2>&1 || true
fi
pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
export PATH="$pgbin:/usr/sbin:$PATH"

rm -rf "$work" && mkdir -p "$work" && chown postgres "$work"
as_pg() { su postgres -c "$*"; }
as_pg "initdb -D '$work/data' -U postgres -A trust >/dev/null"
as_pg "pg_ctl -D '$work/data' -o '-p $port -c fsync=off -c synchronous_commit=off -c shared_buffers=512MB' -l '$work/pg.log' -w start >/dev/null"
stop_all() {
  as_pg "pg_ctl -D \"$work/data\" -m fast stop" >/dev/null 2>&1 || true
  [ -f "$work/my/pid" ] && kill "$(cat "$work/my/pid")" 2>/dev/null || true
}
trap stop_all EXIT
P="-h 127.0.0.1 -p $port -U postgres"
psql() { command psql $P -X -q -v ON_ERROR_STOP=1 "$@"; }

cp_file="$work/classpath"
(cd "$root" && ./mvnw -B -o -q dependency:build-classpath -pl migration-core -Dmdep.outputFile="$cp_file" >/dev/null)
# the reactor's own modules first: ~/.m2 may hold older snapshots of contracts
cp="$root/migration-core/target/classes:$root/contracts/target/classes:$(cat "$cp_file")"
[ -d "$root/migration-core/target/classes/io" ] || { echo "build migration-core first" >&2; exit 1; }

: >"$work/results.txt"
measure() { # name, command...   wall seconds and peak RSS (kB) via GNU time
  local name="$1"; shift
  /usr/bin/time -f "%e %M" -o "$work/$name.time" bash -c "$*" >"$work/$name.log" 2>&1 ||
    { echo "$name failed, see $work/$name.log" >&2; tail -5 "$work/$name.log" >&2; echo "NaN 0" >"$work/$name.time"; }
  read -r secs rss <"$work/$name.time"
  echo "$name $secs $rss" >>"$work/results.txt"
  echo "  $name: ${secs}s, peak RSS $((rss / 1024)) MB"
}
url() { echo "jdbc:postgresql://127.0.0.1:$port/$1"; }
: >"$results"

if [[ "$variants" == *" pg "* ]]; then
psql -d postgres -c "CREATE DATABASE src"
pgbench $P -i -s "$scale" -q src >/dev/null 2>&1
psql -d postgres -c "CREATE DATABASE dst TEMPLATE src"
psql -d src -c "VACUUM ANALYZE pgbench_accounts"
psql -d dst -c "VACUUM ANALYZE pgbench_accounts"
rows=$(psql -d src -Atc "SELECT count(*) FROM pgbench_accounts")
echo "pgbench_accounts: $rows rows (scale $scale) in src and dst"

hash_sql="SELECT bit_xor(hashtextextended(t::text, 0)) FROM pgbench_accounts t"
# warm both sides' caches once, as the studio runs would find them after the copy
psql -d src -Atc "$hash_sql" >/dev/null; psql -d dst -Atc "$hash_sql" >/dev/null
measure pg-hash-source "command psql $P -X -d src -Atc \"$hash_sql\""
measure pg-hash-target "command psql $P -X -d dst -Atc \"$hash_sql\""
for mode in sql client full; do
  name=$([ "$mode" = full ] && echo full-report || echo "checksums-$mode")
  measure "$name" "java -Xmx512m -cp '$cp' '$here/ValidateBench.java' '$(url src)' '$(url dst)' postgres $mode $chunk_rows"
  # the validator's own time (without JVM start and source-file compilation)
  awk 'NF == 6 && $2 ~ /^[0-9.]+$/ {print $2}' "$work/$name.log" | tail -1 >"$work/$name.inner"
done

python3 - "$work" "$results" "$rows" "$scale" "$chunk_rows" <<'PY'
import sys, os, datetime
work, out, rows, scale, chunk_rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
data = {}
for line in open(os.path.join(work, "results.txt")):
    name, secs, rss = line.split()
    if name.startswith("maria") or name == "pg-stream-md5" or name == "pt-table-checksum":
        continue
    inner = os.path.join(work, name + ".inner")
    v = open(inner).read().strip() if os.path.exists(inner) else ""
    data[name] = (float(secs), int(rss), float(v) if v else None)
base = data["pg-hash-source"][0] + data["pg-hash-target"][0]
lines = [f"# Validation PostgreSQL -> PostgreSQL: pgbench_accounts, {rows:,} rows (scale {scale})",
         "",
         f"Run {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores by `bench/validate.sh {scale}`, "
         f"one PostgreSQL server holding both databases (fsync off), chunks of {int(chunk_rows):,} rows planned from "
         "the source (a TABLESAMPLE of its key). One run each. Load average (1/5/15 min) when the runs began: "
         + open("/proc/loadavg").read().split(" ", 3)[0:3].__str__().strip("[]").replace("'", "")
         + " (about 1 comes from this benchmark itself; more means other work shared the 2 cores: compare ratios).",
         "",
         f"Baseline: the sum of both sides' `bit_xor(hashtextextended(t::text, 0))` = {base:.2f} s.",
         "",
         "| run | wall s (JVM incl.) | validator s | rows/s (validator) | peak RSS MB | × baseline (validator s) |",
         "|---|---:|---:|---:|---:|---:|"]
for name, (secs, rss, inner) in data.items():
    t = inner if inner is not None else secs
    lines.append(f"| {name} | {secs:.2f} | {'' if inner is None else f'{inner:.2f}'} | {rows / t if t else 0:,.0f} | "
                 f"{rss / 1024:.0f} | {t / base:.2f} |")
lines += ["",
          "`pg-hash-*`: psql running the whole-table hash on one side (a parallel seq scan). "
          "`checksums-sql`: counts, chunk plan, per-chunk `count(*)` + `sum(hashtextextended(ROW(..)::text, 0))` "
          "on both servers at once (source on a second thread). `checksums-client`: the same chunks streamed "
          "to the JVM and hashed over the canonical encoding (XXH64 per row). Counts are the sums of the "
          "chunk digests' `count(*)` (the chunks tile the key space) plus a NULL-key count. `full-report`: everything "
          "validation.json holds (checksums on the SQL path, the 95 %/5 % sample, per-column aggregates, "
          "target integrity). The wall time includes JVM start-up and compiling ValidateBench.java (~1-2 s); "
          "the validator column is the time inside `Validator` alone."]
open(out, "a").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
fi


if [[ "$variants" == *" maria "* ]]; then
myport="${BENCH_MARIADB_PORT:-33081}"
rows_wanted=$((scale * 100000))
mkdir -p "$work/my"
mariadb-install-db --no-defaults --user=root --datadir="$work/my/data" --auth-root-authentication-method=normal >"$work/my/install.log" 2>&1
mariadbd --no-defaults --user=root --datadir="$work/my/data" --port="$myport" --bind-address=127.0.0.1 \
  --socket="$work/my/sock" --pid-file="$work/my/pid" --innodb-flush-log-at-trx-commit=0 \
  --innodb-buffer-pool-size=2G --innodb-log-file-size=512M --skip-log-bin >"$work/my/server.log" 2>&1 &
for _ in $(seq 1 60); do mariadb --no-defaults -S "$work/my/sock" -uroot -e 'SELECT 1' >/dev/null 2>&1 && break; sleep 1; done
mariadb --no-defaults -S "$work/my/sock" -uroot <<SQL
CREATE DATABASE bench;
CREATE USER 'bench'@'%' IDENTIFIED BY 'bench';
CREATE USER 'bench'@'localhost' IDENTIFIED BY 'bench';
GRANT ALL ON *.* TO 'bench'@'%';
GRANT ALL ON *.* TO 'bench'@'localhost';
SQL
M="mariadb --no-defaults -h 127.0.0.1 -P $myport -ubench -pbench"
echo "loading $rows_wanted rows into MariaDB ..."
$M bench <<SQL
CREATE TABLE pgbench_accounts (aid int NOT NULL PRIMARY KEY, bid int, abalance int, filler char(84)) ENGINE=InnoDB;
INSERT INTO pgbench_accounts SELECT seq, (seq - 1) DIV 100000 + 1, 0, '' FROM seq_1_to_${rows_wanted};
ANALYZE TABLE pgbench_accounts;
SQL
mrows=$($M -N -B bench -e "SELECT count(*) FROM pgbench_accounts")
psql -d postgres -c "DROP DATABASE IF EXISTS dst_maria" -c "CREATE DATABASE dst_maria"
# the table as the studio's mapping creates it: MariaDB char(84) comes back without its padding,
# so the generator maps it to varchar(84) (a character(84) target would differ in every row)
psql -d dst_maria -c "CREATE TABLE pgbench_accounts (aid int NOT NULL, bid int, abalance int, filler varchar(84))"
$M --batch --skip-column-names --quick bench -e 'SELECT aid, bid, abalance, filler FROM pgbench_accounts' |
  command psql $P -X -q -d dst_maria -c 'COPY pgbench_accounts FROM STDIN'
psql -d dst_maria -c "ALTER TABLE pgbench_accounts ADD PRIMARY KEY (aid)" -c "VACUUM ANALYZE pgbench_accounts"
echo "MariaDB $($M -N -B -e 'SELECT VERSION()') pgbench_accounts: $mrows rows, copied to PostgreSQL dst_maria"

echo "CHECKSUM TABLE pgbench_accounts;" >"$work/checksum.sql"
echo "SELECT BIT_XOR(CRC32(CONCAT_WS('#', aid, bid, abalance, filler))) FROM pgbench_accounts;" >"$work/crc32.sql"
echo "SELECT aid, bid, abalance, filler FROM pgbench_accounts;" >"$work/stream.sql"
# warm both sides' caches once
$M -N -B bench <"$work/crc32.sql" >/dev/null; psql -d dst_maria -Atc "SELECT count(*) FROM pgbench_accounts" >/dev/null
measure maria-checksum-table "$M -N -B bench <'$work/checksum.sql'"
measure maria-bitxor-crc32 "$M -N -B bench <'$work/crc32.sql'"
measure maria-stream-md5 "$M --batch --quick --skip-column-names bench <'$work/stream.sql' | md5sum"
measure pg-stream-md5 "command psql $P -X -d dst_maria -c 'COPY pgbench_accounts TO STDOUT' | md5sum"
pt_note="not run: percona-toolkit is not installed (apt-get install percona-toolkit failed)"
if command -v pt-table-checksum >/dev/null; then
  # a standalone server: no replica to compare with (--recursion-method=none), no binary log
  # (--no-check-binlog-format); it still checksums every chunk on this server and stores the
  # results in percona.checksums. Its exit status flags warnings, so it is ignored here.
  measure pt-table-checksum "pt-table-checksum h=127.0.0.1,P=$myport,u=bench,p=bench --databases bench --tables pgbench_accounts --recursion-method=none --no-check-binlog-format --no-check-replication-filters --replicate percona.checksums --create-replicate-table; true"
  pt_rows=$($M -N -B -e "SELECT COALESCE(SUM(this_cnt), 0), COUNT(*) FROM percona.checksums WHERE tbl = 'pgbench_accounts'" 2>/dev/null || echo "0 0")
  pt_note="ran against the standalone MariaDB: $(echo "$pt_rows" | awk '{print $1 " rows in " $2 " chunks"}') checksummed and stored in percona.checksums; without a replica it compares nothing (its comparison is master vs replica of the same engine, it cannot read PostgreSQL), so its time is one side's hashing only"
fi
murl="jdbc:mariadb://127.0.0.1:$myport/bench"
for mode in client full; do
  name=$([ "$mode" = full ] && echo maria-full-report || echo maria-checksums)
  measure "$name" "java -Xmx512m -cp '$cp' '$here/ValidateBench.java' '$murl' '$(url dst_maria)' postgres $mode $chunk_rows bench bench bench"
  awk 'NF == 6 && $2 ~ /^[0-9.]+$/ {print $2}' "$work/$name.log" | tail -1 >"$work/$name.inner"
  awk '{print "  " $0}' "$work/$name.log" | tail -1
done

python3 - "$work" "$results" "$mrows" "$scale" "$chunk_rows" "$pt_note" <<'PY'
import sys, os, datetime
work, out, rows, scale, chunk_rows, pt_note = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
data = {}
for line in open(os.path.join(work, "results.txt")):
    name, secs, rss = line.split()
    if not (name.startswith("maria") or name in ("pg-stream-md5", "pt-table-checksum")):
        continue
    inner = os.path.join(work, name + ".inner")
    v = open(inner).read().strip() if os.path.exists(inner) else ""
    data[name] = (float(secs), int(rss), float(v) if v else None)
status = {}
for name in ("maria-checksums", "maria-full-report"):
    log = os.path.join(work, name + ".log")
    if os.path.exists(log) and open(log).read().split():
        status[name] = open(log).read().strip().splitlines()[-1]
base = data["maria-stream-md5"][0] + data["pg-stream-md5"][0]
lines = ["", f"# Validation MariaDB -> PostgreSQL: pgbench_accounts-like rows, {rows:,} rows (scale {scale})",
         "",
         f"Run {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores by `bench/validate.sh {scale}`, "
         "a private MariaDB (source) and the PostgreSQL server above (target database dst_maria, the table as the "
         f"studio's mapping makes it, filler varchar(84), the rows copied by a raw `mariadb --batch | COPY` pipe), chunks of {int(chunk_rows):,} rows cut at keys sampled from the PostgreSQL target (MariaDB cannot sample its key). One run each. "
         "Load average when this part ended: "
         + open("/proc/loadavg").read().split(" ", 3)[0:3].__str__().strip("[]").replace("'", "") + ".",
         "",
         f"Baseline: client-side streaming hash of both sides, `mariadb --batch --quick | md5sum` + "
         f"`psql COPY ... TO STDOUT | md5sum` = {base:.2f} s.",
         "",
         "| run | wall s (JVM incl.) | validator s | rows/s | peak RSS MB | × baseline |",
         "|---|---:|---:|---:|---:|---:|"]
for name, (secs, rss, inner) in data.items():
    t = inner if inner is not None else secs
    if t != t:
        lines.append(f"| {name} | failed | | | | |")
        continue
    lines.append(f"| {name} | {secs:.2f} | {'' if inner is None else f'{inner:.2f}'} | {rows / t if t else 0:,.0f} | "
                 f"{rss / 1024:.0f} | {t / base:.2f} |")
lines += ["",
          "`maria-checksum-table`: `CHECKSUM TABLE` (MariaDB only, whole table). `maria-bitxor-crc32`: "
          "`SELECT BIT_XOR(CRC32(CONCAT_WS('#',aid,bid,abalance,filler)))` (MariaDB only). `maria-stream-md5` / "
          "`pg-stream-md5`: each side's rows streamed to a client and hashed (md5sum). `maria-checksums`: the "
          "studio's counts + all chunk checksums across engines (rows streamed from both servers, source on a "
          "second thread, hashed over the canonical encoding; the SQL fast path does not apply across engines). "
          "`maria-full-report`: everything validation.json holds (checksums, sample, aggregates from the streamed "
          "rows, target integrity). The engines' own hashes cover one side each and cannot be compared across "
          "engines; only the studio's runs compare MariaDB with PostgreSQL.",
          "",
          f"pt-table-checksum: {pt_note}.",
          ""]
for name, line in status.items():
    lines.append(f"- {name} output: `{line}` (mode seconds hash_path status chunks rows)")
open(out, "a").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY
fi

#!/usr/bin/env bash
# Validation benchmark (issue 5): full validation of pgbench_accounts PostgreSQL -> PostgreSQL
# (counts + every chunk's checksum) by the studio's Validator, side by side with the engine's own
# whole-table hashing, bit_xor(hashtextextended(t::text, 0)), on each side.
#
#   bench/validate.sh [SCALE]      SCALE = pgbench scale (10 = 1M rows; default 10)
#
# Studio runs (each its own JVM, peak RSS from GNU time):
#   checksums-sql     counts + chunk checksums, hashed in SQL on both servers (the fast path
#                     for same-engine identity tables)
#   checksums-client  the same, rows streamed and hashed canonically in the JVM
#   full-report       the whole validation.json: checksums (SQL path) + 95 %/5 % sample,
#                     per-column aggregates, target integrity
# The target is a template copy of the source (identical rows). Chunks are planned from the source
# (no ledger), which costs one ordered scan of the key; a migrated table would use its ledger.
# Needs (Debian): postgresql (the script installs it when missing) and a built migration-core
# (./mvnw -o -q compile -pl migration-core -am). Results: bench/results/validate-s<SCALE>.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
scale="${1:-10}"
work="$here/work/validate"
port="${BENCH_PG_PORT:-54331}"
chunk_rows="${BENCH_CHUNK_ROWS:-100000}"
results="$here/results/validate-s${scale}.md"
mkdir -p "$here/results"

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get install -y -qq postgresql >/dev/null
fi
pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
export PATH="$pgbin:$PATH"

rm -rf "$work" && mkdir -p "$work" && chown postgres "$work"
as_pg() { su postgres -c "$*"; }
as_pg "initdb -D '$work/data' -U postgres -A trust >/dev/null"
as_pg "pg_ctl -D '$work/data' -o '-p $port -c fsync=off -c synchronous_commit=off -c shared_buffers=512MB' -l '$work/pg.log' -w start >/dev/null"
trap 'as_pg "pg_ctl -D \"$work/data\" -m fast stop" >/dev/null 2>&1 || true' EXIT
P="-h 127.0.0.1 -p $port -U postgres"
psql() { command psql $P -X -q -v ON_ERROR_STOP=1 "$@"; }

psql -d postgres -c "CREATE DATABASE src"
pgbench $P -i -s "$scale" -q src >/dev/null 2>&1
psql -d postgres -c "CREATE DATABASE dst TEMPLATE src"
psql -d src -c "VACUUM ANALYZE pgbench_accounts"
psql -d dst -c "VACUUM ANALYZE pgbench_accounts"
rows=$(psql -d src -Atc "SELECT count(*) FROM pgbench_accounts")
echo "pgbench_accounts: $rows rows (scale $scale) in src and dst"

cp_file="$work/classpath"
(cd "$root" && ./mvnw -B -o -q dependency:build-classpath -pl migration-core -Dmdep.outputFile="$cp_file" >/dev/null)
cp="$root/migration-core/target/classes:$(cat "$cp_file")"
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
hash_sql="SELECT bit_xor(hashtextextended(t::text, 0)) FROM pgbench_accounts t"
# warm both sides' caches once, as the studio runs would find them after the copy
psql -d src -Atc "$hash_sql" >/dev/null; psql -d dst -Atc "$hash_sql" >/dev/null
measure pg-hash-source "command psql $P -X -d src -Atc \"$hash_sql\""
measure pg-hash-target "command psql $P -X -d dst -Atc \"$hash_sql\""
url() { echo "jdbc:postgresql://127.0.0.1:$port/$1"; }
for mode in sql client full; do
  name=$([ "$mode" = full ] && echo full-report || echo "checksums-$mode")
  measure "$name" "java -Xmx512m -cp '$cp' '$here/ValidateBench.java' '$(url src)' '$(url dst)' postgres $mode $chunk_rows"
  # the validator's own time (without JVM start and source-file compilation)
  awk '{print $2}' "$work/$name.log" | tail -1 >"$work/$name.inner"
done

python3 - "$work" "$results" "$rows" "$scale" "$chunk_rows" <<'PY'
import sys, os, datetime
work, out, rows, scale, chunk_rows = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
data = {}
for line in open(os.path.join(work, "results.txt")):
    name, secs, rss = line.split()
    inner = os.path.join(work, name + ".inner")
    v = open(inner).read().strip() if os.path.exists(inner) else ""
    data[name] = (float(secs), int(rss), float(v) if v else None)
base = data["pg-hash-source"][0] + data["pg-hash-target"][0]
lines = [f"# Validation PostgreSQL -> PostgreSQL: pgbench_accounts, {rows:,} rows (scale {scale})",
         "",
         f"Run {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores by `bench/validate.sh {scale}`, "
         f"one PostgreSQL server holding both databases (fsync off), chunks of {int(chunk_rows):,} rows planned from "
         "the source. One run each. **The machine is shared with other builds: numbers are noisy.**",
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
          "to the JVM and hashed over the canonical encoding (SHA-256 per row). `full-report`: everything "
          "validation.json holds (checksums on the SQL path, the 95 %/5 % sample, per-column aggregates, "
          "target integrity). The wall time includes JVM start-up and compiling ValidateBench.java (~1-2 s); "
          "the validator column is the time inside `Validator` alone."]
open(out, "w").write("\n".join(lines) + "\n")
print(open(out).read())
PY

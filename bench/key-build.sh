#!/usr/bin/env bash
# Primary-key build after a load (issue 17): what the key build of pgbench_accounts costs on a
# stock PostgreSQL server (fsync on) depending on how the rows were loaded and the build's
# settings, A/B in alternating rounds on one server. Each variant loads a fresh database from the
# source with a binary COPY pipe, flushes (CHECKPOINT), then times the studio's key DDL
# (`CREATE UNIQUE INDEX` + `ADD CONSTRAINT ... PRIMARY KEY USING INDEX`, TargetSchema.primaryKey):
#
#   frozen       TRUNCATE + COPY ... (FREEZE) in one transaction (a table in one chunk), SET LOCAL
#                maintenance_work_mem = '1GB' (LoadFinisher), parallel maintenance workers as the
#                server has them (2): the studio's build today
#   frozen-serial    the same with max_parallel_maintenance_workers = 0
#   frozen-64mb      the same with the server's maintenance_work_mem (64 MB)
#   plain        a plain COPY (a table of many chunks: no FREEZE), the studio's build
#   plain-vacuum a plain COPY, then VACUUM (sets hint bits and the visibility map), then the build:
#                the time is the vacuum's plus the build's
#
#   bench/key-build.sh [SCALE]      pgbench scale (default 20)
#
# Environment: BENCH_ROUNDS (3), BENCH_VARIANTS (all of the above, space-separated), BENCH_PG_PORT
# (54393), BENCH_WORK (bench/work/key-build).
# Results: bench/results/key-build-s<SCALE>.md (committed), work files under bench/work/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
size="${1:-20}"
table=pgbench_accounts
results="$here/results/key-build-s${size}.md"
work="${BENCH_WORK:-$here/work/key-build}"
port="${BENCH_PG_PORT:-54393}"
mkdir -p "$here/results"
. "$here/lib.sh"

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get install -y -qq postgresql >/dev/null
fi
bench_pg_path
bench_work "$work"
bench_pg_start "$port" ""
psql -d postgres -c "CREATE DATABASE src"
pgbench $P -i -s "$size" -q src >/dev/null 2>&1
rows=$(psql -d src -Atc "SELECT count(*) FROM $table")
echo "source: $table with $rows rows (scale $size)"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
ddl="CREATE TABLE $table (aid integer NOT NULL, bid integer, abalance integer, filler character(84))"
pk="CREATE UNIQUE INDEX ${table}_pkey ON $table (aid); ALTER TABLE $table ADD CONSTRAINT ${table}_pkey PRIMARY KEY USING INDEX ${table}_pkey"
settle() { # no vacuum of an earlier variant's table left running, dirty pages flushed
  vacuumdb $P --all --analyze --quiet >/dev/null
  for _ in $(seq 1 240); do
    [ "$(psql -d postgres -Atc "SELECT count(*) FROM pg_stat_progress_vacuum")" = 0 ] && break
    sleep 0.5
  done
  sync; psql -d postgres -c CHECKPOINT; sync
}
now() { date +%s.%N; }
: >"$work/results.txt"
run_variant() { # name
  local v="$1" db="dst_${1//-/_}" freeze="" pre="SET LOCAL maintenance_work_mem = '1GB';" t0 t1 t2
  psql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
  psql -d "$db" -c "$ddl"
  case "$v" in frozen*) freeze=1 ;; esac
  [ "$v" = frozen-serial ] && pre="$pre SET LOCAL max_parallel_maintenance_workers = 0;"
  [ "$v" = frozen-64mb ] && pre=""
  settle
  t0=$(now)
  if [ -n "$freeze" ]; then
    command psql $P -X -q -d src -c "COPY $table TO STDOUT (FORMAT binary)" |
      command psql $P -X -q -v ON_ERROR_STOP=1 -d "$db" \
        -c "BEGIN" -c "TRUNCATE ONLY $table" -c "COPY $table FROM STDIN (FORMAT binary, FREEZE)" -c "COMMIT"
  else
    command psql $P -X -q -d src -c "COPY $table TO STDOUT (FORMAT binary)" |
      command psql $P -X -q -v ON_ERROR_STOP=1 -d "$db" -c "COPY $table FROM STDIN (FORMAT binary)"
  fi
  t1=$(now)
  [ "$v" = plain-vacuum ] && psql -d "$db" -c "VACUUM $table"
  psql -d "$db" -c "BEGIN" -c "$pre" -c "$pk" -c "COMMIT"
  t2=$(now)
  echo "$v $round $(python3 -c "print(round($t1 - $t0, 3), round($t2 - $t1, 3))")" | tee -a "$work/results.txt"
}
variants=(${BENCH_VARIANTS:-frozen frozen-serial frozen-64mb plain plain-vacuum})
rounds="${BENCH_ROUNDS:-3}"
n=${#variants[@]}
for round in $(seq 1 "$rounds"); do
  for i in $(seq 0 $((n - 1))); do run_variant "${variants[$(((i + round - 1) % n))]}"; done
done

python3 - "$work/results.txt" "$results" "$rows" "$size" "$rounds" "$(nproc)" "$load_before" \
  "$(cut -d' ' -f1-3 /proc/loadavg)" "${variants[@]}" <<'PY'
import sys, statistics, datetime
res, out, rows, size, rounds, cores, load0, load1, *variants = sys.argv[1:]
load, build = {}, {}
for line in open(res):
    v, r, l, b = line.split()
    load.setdefault(v, {})[int(r)] = float(l)
    build.setdefault(v, {})[int(r)] = float(b)
base = build.get(variants[0], {})
lines = [f"# Primary-key build after a load: pgbench_accounts, {int(rows):,} rows (scale {size})", "",
         f"Run {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC on {cores} cores (load average before: {load0}; "
         f"after: {load1}), by `bench/key-build.sh {size}`, {rounds} rounds, every variant once per round (order "
         f"rotating); a stock PostgreSQL server (initdb defaults, fsync on), earlier variants' tables vacuumed "
         f"and a checkpoint before each variant. The key build is `CREATE UNIQUE INDEX` + `ADD CONSTRAINT ... "
         f"PRIMARY KEY USING INDEX` (plain-vacuum: the VACUUM too); the ratio is to `{variants[0]}` in the same round.", "",
         "| variant | load s (median) | key build s (median) | × first (median of rounds) | per round key build s |",
         "|---|---:|---:|---:|---|"]
for v in variants:
    b = build.get(v, {})
    if not b:
        continue
    ratios = [b[r] / base[r] for r in b if r in base and base[r] > 0]
    lines.append(f"| {v} | {statistics.median(load[v].values()):.2f} | {statistics.median(b.values()):.2f} | "
                 f"{statistics.median(ratios):.2f} | " + ", ".join(f"{b[r]:.2f}" for r in sorted(b)) + " |")
lines += ["", "The machine was shared with other work: ratios of back-to-back runs, not absolute times."]
open(out, "w").write("\n".join(lines) + "\n")
print(open(out).read())
PY

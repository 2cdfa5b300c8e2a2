#!/usr/bin/env bash
# Validation with the default report, before vs after a change, side by side with the engines' own
# hashing (issue 17): `studio validate SPEC` as the user runs it (default spec: no chunk or sample
# settings) on an identical pgbench_accounts pair, the whole command timed, for two builds of the
# studio in alternating rounds, each through its `studio` launcher after one untimed run; plus the
# validator alone (bench/ValidateBench.java, mode full: the whole default report) for the same two
# builds; plus `count(*), bit_xor(hashtextextended(t::text, 0))` on each side.
#
#   bench/validate-default.sh BEFORE_ROOT AFTER_ROOT [SCALE]
#
# BEFORE_ROOT / AFTER_ROOT: source trees with studio-cli/target/studio-all.jar and
# migration-core/target/classes built (./mvnw -o -q -DskipTests package -pl studio-cli -am).
# SCALE: pgbench scale (10 = 1M rows; default 10). BENCH_ROUNDS (default 2) rounds, the order of
# the two builds alternating per round. Results: bench/results/validate-default-s<SCALE>.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
before="$(cd "$1" && pwd)"
after="$(cd "$2" && pwd)"
scale="${3:-10}"
rounds="${BENCH_ROUNDS:-2}"
work="$here/work/validate-default"
port="${BENCH_PG_PORT:-54377}"
results="$here/results/validate-default-s${scale}.md"

pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
export PATH="$pgbin:$PATH"
rm -rf "$work" && mkdir -p "$work" && chown postgres "$work"
as_pg() { su postgres -c "$*"; }
as_pg "initdb -D '$work/data' -U postgres -A trust >/dev/null"
as_pg "pg_ctl -D '$work/data' -o '-p $port -c shared_buffers=512MB' -l '$work/pg.log' -w start >/dev/null"
trap 'as_pg "pg_ctl -D \"$work/data\" -m fast stop" >/dev/null 2>&1 || true' EXIT
P="-h 127.0.0.1 -p $port -U postgres"
psql() { command psql $P -X -q -v ON_ERROR_STOP=1 "$@"; }

psql -d postgres -c "CREATE DATABASE src"
pgbench $P -i -s "$scale" -q src >/dev/null 2>&1
psql -d postgres -c "CREATE DATABASE dst TEMPLATE src"
psql -d src -c "VACUUM ANALYZE"
psql -d dst -c "VACUUM ANALYZE"
rows=$(psql -d src -Atc "SELECT count(*) FROM pgbench_accounts")
url() { echo "jdbc:postgresql://127.0.0.1:$port/$1"; }
cat >"$work/spec.yaml" <<YAML
id: bench
source: { url: "$(url src)", user: postgres }
target: { url: "$(url dst)", user: postgres }
YAML

hash_sql="SELECT count(*), bit_xor(hashtextextended(t::text, 0)) FROM pgbench_accounts t"
tables="pgbench_accounts pgbench_branches pgbench_history pgbench_tellers"
engine_hash() { # db: every table hashed, as the studio validates every table
  for t in $tables; do
    command psql $P -X -d "$1" -Atc "SELECT count(*), bit_xor(hashtextextended(t::text, 0)) FROM $t t" >/dev/null
  done
}
for db in src dst; do engine_hash "$db"; done # warm the caches once

cp_of() { # root: the classpath of its migration-core
  local root="$1" f="$work/cp-$(basename "$1")"
  (cd "$root" && ./mvnw -B -o -q dependency:build-classpath -pl migration-core -Dmdep.outputFile="$f" >/dev/null)
  echo "$root/migration-core/target/classes:$root/contracts/target/classes:$(cat "$f")"
}
cp_before="$(cp_of "$before")"
cp_after="$(cp_of "$after")"

: >"$work/results.txt"
secs() { # name, command...: wall seconds
  local name="$1"; shift
  local t0 t1
  t0=$(date +%s.%N)
  bash -c "$*" >"$work/$name.log" 2>&1 || echo "($name exited $?)" >>"$work/$name.log"
  t1=$(date +%s.%N)
  echo "$name $(echo "$t1 - $t0" | bc)" >>"$work/results.txt"
}
# one untimed run of each build first, as a user's first run after a build: the launcher writes its
# class-data sharing archive then (from 2026-12-08 also for validate), which later runs use
for b in before after; do
  root=$([ "$b" = before ] && echo "$before" || echo "$after")
  "$root/studio" validate "$work/spec.yaml" --home "$work/home-$b-warm" >"$work/warm-$b.log" 2>&1 || true
done
load="$(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$rounds"); do
  order="before after"
  [ $((r % 2)) -eq 0 ] && order="after before"
  for b in $order; do
    root=$([ "$b" = before ] && echo "$before" || echo "$after")
    cp=$([ "$b" = before ] && echo "$cp_before" || echo "$cp_after")
    rm -rf "$work/home-$b-$r"
    secs "r$r-studio-validate-$b" "'$root/studio' validate '$work/spec.yaml' --home '$work/home-$b-$r'"
    secs "r$r-validator-$b" "java -Xmx512m -cp '$cp' '$here/ValidateBench.java' '$(url src)' '$(url dst)' postgres full 50000"
    awk 'NF == 6 && $2 ~ /^[0-9.]+$/ {print $2}' "$work/r$r-validator-$b.log" | tail -1 >"$work/r$r-validator-$b.inner"
  done
done
# the engines' hashing of both sides, each table, in rounds too
for r in $(seq 1 "$rounds"); do
  t0=$(date +%s.%N); engine_hash src; engine_hash dst; t1=$(date +%s.%N)
  echo "r$r-engine-hash-both $(echo "$t1 - $t0" | bc)" >>"$work/results.txt"
done

python3 - "$work" "$results" "$rows" "$scale" "$rounds" "$load" "$before" "$after" <<'PY'
import sys, os, json, glob, statistics, datetime, subprocess
work, out, rows, scale, rounds, load, before, after = sys.argv[1:9]
rows, rounds = int(rows), int(rounds)
t = {}
for line in open(os.path.join(work, "results.txt")):
    name, secs = line.split()
    t[name] = float(secs)
def inner(name):
    p = os.path.join(work, name + ".inner")
    v = open(p).read().strip() if os.path.exists(p) else ""
    return float(v) if v else None
def report(b, r):
    # validation.json on the validations/bench branch of the run's home
    home = os.path.join(work, f"home-{b}-{r}")
    repo = glob.glob(os.path.join(home, "artifacts", "*")) or glob.glob(os.path.join(home, "**", "*.git"), recursive=True)
    for g in repo:
        try:
            out = subprocess.run(["git", "--git-dir", g, "show", "validations/bench:04-validation/validation.json"],
                                 capture_output=True, text=True, check=True).stdout
            return json.loads(out)
        except Exception:
            continue
    return None
rowsout = []
for r in range(1, rounds + 1):
    base = t[f"r{r}-engine-hash-both"]
    for b in ("before", "after"):
        w = t[f"r{r}-studio-validate-{b}"]
        v = inner(f"r{r}-validator-{b}")
        rep = report(b, r)
        dur = rep.get("duration_ms") if rep else None
        status = rep.get("status") if rep else "?"
        rowsout.append((r, b, w, v, dur, base, status, rep))
lines = [f"# Validation with the default report: pgbench (scale {scale}, {rows:,} rows in pgbench_accounts), before vs after",
         "",
         f"Run {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC on {os.cpu_count()} cores by "
         f"`bench/validate-default.sh {before} {after} {scale}` (BENCH_ROUNDS={rounds}), one stock PostgreSQL 15 "
         "server (fsync on) holding both databases; the target a template copy of the source (identical rows). "
         f"Load average (1/5/15 min) at the start: {load}: the machine is shared with other builds, so compare the "
         "figures within a round, not with other files.",
         "",
         "`studio validate`: the whole command as the user waits for it (JVM start, embedded Temporal, inventory, "
         "mapping, validation of the 4 pgbench tables, query replay, commit), default spec (no chunk or sample "
         "settings). `validator`: bench/ValidateBench.java mode full, the default report of pgbench_accounts "
         "inside one JVM (no JVM start-up), chunks of 50,000 rows (the product's ledgerless default) planned without a ledger. `duration_ms`: what validation.json "
         "records (after only; before recorded none). `engines`: `count(*), bit_xor(hashtextextended(t::text, 0))` "
         "of each of the 4 tables on both sides, run one after the other by psql.",
         "",
         "| round | build | studio validate s | × engines | validator s (pgbench_accounts) | validation.json duration_ms | engines s (both sides) | verdict |",
         "|---:|---|---:|---:|---:|---:|---:|---|"]
for r, b, w, v, dur, base, status, rep in rowsout:
    lines.append(f"| {r} | {b} | {w:.2f} | {w / base:.2f} | {'' if v is None else f'{v:.2f}'} | "
                 f"{'' if dur is None else dur} | {base:.2f} | {status} |")
def med(b, i):
    xs = [x[i] for x in rowsout if x[1] == b and x[i] is not None]
    return statistics.median(xs) if xs else None
lines += ["", "Medians over the rounds:", ""]
for b in ("before", "after"):
    w, v = med(b, 2), med(b, 3)
    lines.append(f"- {b}: studio validate {w:.2f} s, validator {'' if v is None else f'{v:.2f} s'}")
base = statistics.median([x[5] for x in rowsout])
lines.append(f"- engines' hashing of both sides: {base:.2f} s")
last = [x for x in rowsout if x[1] == "after" and x[7]]
if last:
    rep = last[-1][7]
    lines += ["", "Time per check in the last `after` run (validation.json `timings_ms`):", ""]
    for tv in rep.get("tables", []):
        lines.append(f"- {tv['table']}: {tv.get('timings_ms')}")
    proved = [f"{tv['table']}: {i['kind']} {i['object']} ({i['proved_by']})"
              for tv in rep.get("tables", []) for i in tv.get("integrity", []) if i.get("proved_by")]
    if proved:
        lines += ["", "Integrity facts the target's catalogue proved (not scanned):", ""] + [f"- {p}" for p in proved]
open(out, "w").write("\n".join(lines) + "\n")
print("\n".join(lines))
PY

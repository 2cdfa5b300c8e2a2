#!/usr/bin/env bash
# Plan accuracy (issue 18): the Migrate estimate of `studio plan` against the Migrate stage time
# the ledger then measures, on pgbench_accounts PostgreSQL -> PostgreSQL (data + primary key).
#
#   bench/plan-accuracy.sh [SCALE]     pgbench scale (100 = 10M rows; default 10)
#
# Per round: a fresh target database, `studio plan` (the probes only, nothing migrated), then
# `studio run --auto-approve all` in one process; the run's own Assessment measures again and its
# run.md states estimate versus actual per table. Reported: both estimates (the standalone plan's
# and the run's own), the measured stage time (`stage_duration_ms` of run.json) and the deviation.
# The target is +-30 %. Run on an idle machine: the estimate is measured in seconds of probes, so
# a neighbour's load during the probes or the copy moves the ratio.
#
# Environment: BENCH_ROUNDS (default 3), BENCH_PARALLELISM (2), BENCH_CHUNK_BYTES (default: the
# product's 256 MiB) or BENCH_CHUNK_ROWS.
# Needs (Debian): postgresql (installed when missing). Results: bench/results/plan-accuracy-s<SCALE>.md
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
size="${1:-10}"
results="$here/results/plan-accuracy-s${size}.md"
work="$here/work/plan"
port="${BENCH_PG_PORT:-54339}"
mkdir -p "$here/results"
. "$here/lib.sh"

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get install -y -qq postgresql >/dev/null
fi
bench_pg_path
bench_work "$work"
bench_pg_start "$port" "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_wal_size=4GB -c shared_buffers=512MB -c maintenance_work_mem=512MB -c wal_level=logical"
psql -d postgres -c "CREATE DATABASE src"
pgbench $P -i -s "$size" -q src >/dev/null 2>&1
psql -d src -c "VACUUM ANALYZE"
rows=$(psql -d src -Atc "SELECT count(*) FROM pgbench_accounts")
echo "source: pgbench_accounts with $rows rows (scale $size)"

bench_jar
if [ -n "${BENCH_CHUNK_ROWS:-}" ]; then
  chunking="chunk_rows: $BENCH_CHUNK_ROWS"
else
  chunking="chunk_bytes: ${BENCH_CHUNK_BYTES:-268435456}"
fi
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
rounds="${BENCH_ROUNDS:-3}"
: >"$work/results.txt"
for round in $(seq 1 "$rounds"); do
  psql -d postgres -c "DROP DATABASE IF EXISTS dst" -c "CREATE DATABASE dst"
  sync; psql -d postgres -c CHECKPOINT; sync
  id="bench-plan-s${size}-$(date +%s)-r$round"
  home="$work/home-$round"
  cat >"$work/spec.yaml" <<YAML
id: $id
source: { url: "jdbc:postgresql://127.0.0.1:$port/src", user: postgres }
target: { url: "jdbc:postgresql://127.0.0.1:$port/dst", user: postgres }
scope: { include: [pgbench_accounts] }
migrate: { parallelism: ${BENCH_PARALLELISM:-2}, $chunking }
validation: { sample_rows: 100 }
cutover: { freeze: none, hypercare: PT0S }
YAML
  studio plan "$work/spec.yaml" --out "$work/plan-$round" >"$work/plan-$round.log" 2>&1
  sync; psql -d postgres -c CHECKPOINT; sync
  studio run "$work/spec.yaml" --auto-approve all --home "$home" >"$work/run-$round.log" 2>&1 ||
    { echo "run $round failed, see $work/run-$round.log" >&2; tail -5 "$work/run-$round.log" >&2; }
  git --git-dir "$home/artifacts/remote.git" show "migrations/$id:03-migrate/run.json" \
    >"$work/run-$round.json" 2>/dev/null || echo '{}' >"$work/run-$round.json"
  git --git-dir "$home/artifacts/remote.git" show "migrations/$id:01-assessment/plan.json" \
    >"$work/run-plan-$round.json" 2>/dev/null || echo '{}' >"$work/run-plan-$round.json"
  git --git-dir "$home/artifacts/remote.git" show "migrations/$id:03-migrate/run.md" \
    >"$work/run-$round.md" 2>/dev/null || true
  echo "$round" >>"$work/results.txt"
  echo "  round $round done"
done

python3 - "$work" "$results" "$rows" "$size" "$rounds" "$(nproc)" "$load_before" "$chunking" <<'PY'
import sys, json, datetime, statistics, os
work, out, rows, size, rounds, cores, load, chunking = sys.argv[1:]
def migrate_estimate(path):
    try:
        plan = json.load(open(path))
    except Exception:
        return None
    for p in plan.get("phases", []):
        if p.get("name") == "migrate":
            return p.get("duration_seconds")
    return None
lines = []
est, runest, act = [], [], []
for r in range(1, int(rounds) + 1):
    e = migrate_estimate(f"{work}/plan-{r}/plan.json")
    re_ = migrate_estimate(f"{work}/run-plan-{r}.json")
    try:
        run = json.load(open(f"{work}/run-{r}.json"))
    except Exception:
        run = {}
    a = run.get("stage_duration_ms")
    a = a / 1000 if a else None
    dev = lambda x: "—" if x is None or a is None or x <= 0 else f"{(a - x) / x * 100:+.0f} %"
    f = lambda x: "—" if x is None else f"{x:.1f} s"
    lines.append(f"| {r} | {f(e)} | {f(re_)} | {f(a)} | {dev(e)} | {dev(re_)} |")
    if e: est.append(e)
    if re_: runest.append(re_)
    if a: act.append(a)
med = lambda xs: statistics.median(xs) if xs else None
me, mr, ma = med(est), med(runest), med(act)
within = "—"
if me and ma:
    within = "yes" if abs(ma - me) / me <= 0.30 else "no"
with open(out, "w") as o:
    o.write(f"# Plan accuracy: pgbench scale {size} ({rows} rows), PostgreSQL -> PostgreSQL\n\n")
    o.write(f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, {cores} cores, "
            f"load average before: {load}; {chunking}; {rounds} rounds.\n\n")
    o.write("Estimate = the Migrate phase of plan.json (read + write + chunk overhead + index "
            "builds, measured by the probes); actual = run.json's `stage_duration_ms` (stage "
            "start to the last index build). Target: within ±30 %.\n\n")
    o.write("| round | `studio plan` estimate | the run's own estimate | measured | deviation (plan) | deviation (run's) |\n")
    o.write("|---:|---:|---:|---:|---:|---:|\n")
    o.write("\n".join(lines) + "\n\n")
    fm = lambda x: "—" if x is None else f"{x:.1f} s"
    o.write(f"Medians: estimate {fm(me)}, the run's own estimate {fm(mr)}, measured {fm(ma)}; "
            f"within ±30 %: {within}.\n\n")
    last = f"{work}/run-{rounds}.md"
    if os.path.exists(last):
        md = open(last).read()
        at = md.find("## Estimate versus actual")
        if at >= 0:
            o.write("Last round's run.md:\n\n" + md[at:].replace("## ", "### ", 1))
print(open(out).read())
PY

#!/usr/bin/env bash
# Change capture under load (issue 14): a pgbench database on PostgreSQL keeps taking writes at a
# fixed rate (`pgbench -N -R RATE`) for the whole run, while it is migrated online by the studio
# (`migrate.strategy: online`, default spec otherwise) and, in the same run, by
# `pgcopydb clone --follow`. Each tool copies into its own target database on the same server.
#
#   bench/online-pg.sh [SCALE] [RATE] [SECONDS]
#     SCALE    pgbench scale (100 = 10M rows; default 10)
#     RATE     source transactions per second, pgbench -R (default 200)
#     SECONDS  steady state observed after the first catch-up (default 60)
#
# Lag is measured the same way for both tools, from the source server, not from the tools' own
# reports: every 0.5 s the script records the source's pg_current_wal_lsn(); a tool's lag at an
# instant is how long ago the source's WAL passed the position the tool has applied (the studio's
# applied position as its target holds it (studio.stream_position, written in the same transaction
# as the changes), pgcopydb's from the replication origin it applies through on its target
# (pg_replication_origin_status.remote_lsn).
# First catch-up: the first instant, after the tool's initial copy, with that lag below 5 s (the
# studio's default migrate.max_lag). Steady state: lag p50/p95/max over SECONDS after it; apply
# throughput: source row changes per second over the same interval the tool kept up with.
# The studio's figure is the lag of what it has committed on the target (its position moves only
# with target commits); pgcopydb's replay_lsn likewise.
#
# Needs (Debian): postgresql pgcopydb postgresql-15-wal2json (installed when missing). Results:
# bench/results/online-pg-s<SCALE>-r<RATE>.md (committed); work files under bench/work/online.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
scale="${1:-10}"
rate="${2:-200}"
steady="${3:-60}"
work="$here/work/online"
port="${BENCH_PG_PORT:-54369}"
tport="${BENCH_TEMPORAL_PORT:-57433}"
aport=$((tport + 1))
hport=$((tport + 2))
results="$here/results/online-pg-s${scale}-r${rate}.md"
mkdir -p "$here/results"
. "$here/lib.sh"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need pgcopydb || ! ls /usr/lib/postgresql/*/lib/wal2json.so >/dev/null 2>&1; then
  # pgcopydb --follow decodes with wal2json
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql pgcopydb postgresql-15-wal2json >/dev/null
fi
bench_pg_path
bench_work "$work"
# a stock server but for what logical decoding needs
bench_pg_start "$port" "-c wal_level=logical -c max_replication_slots=10 -c max_wal_senders=10"
psql -d postgres -c "CREATE DATABASE src" -c "CREATE DATABASE dst_studio" -c "CREATE DATABASE dst_copydb"
pgbench $P -i -s "$scale" -q src >/dev/null 2>&1
# every table needs a key for an online migration (pgbench_history has none)
psql -d src -c "ALTER TABLE pgbench_history ADD COLUMN hid bigserial PRIMARY KEY"
echo "source: pgbench scale $scale, load $rate tps (pgbench -N), steady state ${steady}s"

# the source's WAL position every 0.5 s, for the whole run: "epoch_seconds lsn_bytes"
lsn_bytes="SELECT pg_current_wal_lsn() - '0/0'::pg_lsn"
(
  while :; do
    printf '%s %s\n' "$(date +%s.%N)" "$(command psql $P -X -d src -Atc "$lsn_bytes" 2>/dev/null || echo 0)"
    sleep 0.5
  done
) >"$work/source-wal.txt" &
pids+=($!)

load_t0=$(date +%s.%N)
pgbench $P -n -N -R "$rate" -c 2 -j 2 -T 100000 src >"$work/pgbench.log" 2>&1 &
load=$!
pids+=($load)
sleep 3

bench_jar
home="$work/studio-home"

# ---------------------------------------------------------------- the studio
bench_studio_start "$home" "$tport"
id="bench-online-s${scale}-$(date +%s)"
cat >"$work/spec.yaml" <<YAML
id: $id
source: { url: "jdbc:postgresql://127.0.0.1:$port/src", user: postgres }
target: { url: "jdbc:postgresql://127.0.0.1:$port/dst_studio", user: postgres }
migrate: { strategy: online }
validation: { sample_rows: 100 }
reviews: { cutover: ask, identity: none }
YAML
t0=$(date +%s.%N)
studio start "$work/spec.yaml" --auto-approve assessment,mapping,migrate,validation \
  --server "127.0.0.1:$aport" >"$work/studio-start.log" 2>&1
# samples: "epoch_seconds stage state applied_lsn_bytes changes"
python3 - "$hport" "$id" "$steady" "$work/studio-samples.txt" "$port" <<'PY' || true
import json, subprocess, sys, time, urllib.request
port, mid, steady, out, pgport = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5]
def applied():
    """The position and change count the target has committed (studio.stream_position)."""
    r = subprocess.run(["psql", "-X", "-h", "127.0.0.1", "-p", pgport, "-U", "postgres", "-d", "dst_studio",
                        "-Atc", "SELECT position || ' ' || changes FROM studio.stream_position LIMIT 1"],
                       capture_output=True, text=True)
    parts = r.stdout.split()
    return (parts[0], parts[1]) if len(parts) == 2 else (None, 0)
def lsn(s):
    # the studio's position text is pg:<lsn>
    if not s or "/" not in s:
        return -1
    hi, lo = s.split(":")[-1].split("/")[:2]
    return (int(hi, 16) << 32) + int(lo.split()[0], 16)
def get(obj, *names):
    for n in names:
        if isinstance(obj, dict) and n in obj:
            return obj[n]
    return None
first = None
with open(out, "w") as f:
    deadline = time.time() + 3600
    while time.time() < deadline:
        try:
            st = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/migrations/{mid}", timeout=10))
        except Exception:
            time.sleep(0.5)
            continue
        stage, state = get(st, "stage"), get(st, "state")
        position, changes = applied()
        pos = lsn(position)
        f.write(f"{time.time():.3f} {stage} {state} {pos} {changes}\n")
        f.flush()
        if state in ("FAILED", "COMPLETED", "CANCELLED"):
            break
        if first is None and stage in ("VALIDATION", "CUTOVER") and pos > 0:
            first = time.time()
        if first is not None and time.time() - first > steady + 10:
            break
        time.sleep(0.5)
PY
t_end_studio=$(date +%s.%N)
studio_rss=$(awk '/VmHWM/ {print $2}' "/proc/$wpid/status" 2>/dev/null || echo 0)
studio cancel "$id" --reason "benchmark done" --server "127.0.0.1:$aport" >"$work/studio-cancel.log" 2>&1 || true
sleep 5

# ---------------------------------------------------------------- pgcopydb clone --follow
export PGCOPYDB_SOURCE_PGURI="postgres://postgres@127.0.0.1:$port/src"
export PGCOPYDB_TARGET_PGURI="postgres://postgres@127.0.0.1:$port/dst_copydb"
t0c=$(date +%s.%N)
pgcopydb clone --follow --table-jobs 2 --index-jobs 2 --dir "$work/pgcopydb" --no-owner --no-acl \
  --skip-extensions --skip-vacuum >"$work/pgcopydb.log" 2>&1 &
cpid=$!
pids+=($cpid)
python3 - "$port" "$steady" "$work/copydb-samples.txt" "$cpid" <<'PY' || true
import os, subprocess, sys, time
pgport, steady, out, pid = sys.argv[1], float(sys.argv[2]), sys.argv[3], int(sys.argv[4])
def lsn(s):
    if not s or "/" not in s:
        return -1
    hi, lo = s.strip().split("/")[:2]
    return (int(hi, 16) << 32) + int(lo, 16)
def replayed():
    # pgcopydb applies through a replication origin on the target: its remote_lsn moves with each
    # applied transaction (the sentinel's replay_lsn is only written now and then)
    r = subprocess.run(["psql", "-X", "-h", "127.0.0.1", "-p", pgport, "-U", "postgres", "-d", "dst_copydb",
                        "-Atc", "SELECT remote_lsn FROM pg_replication_origin_status s JOIN pg_replication_origin o"
                        " ON o.roident = s.local_id WHERE o.roname LIKE 'pgcopydb%' LIMIT 1"],
                       capture_output=True, text=True)
    return lsn(r.stdout)
first = None
with open(out, "w") as f:
    deadline = time.time() + 3600
    while time.time() < deadline:
        try:
            os.kill(pid, 0)
        except OSError:
            break
        replay = replayed()
        f.write(f"{time.time():.3f} - - {replay} 0\n")
        f.flush()
        if first is None and replay > 0:
            first = time.time()
        # the first replayed change may come well before the catch-up: observe long enough
        if first is not None and time.time() - first > steady + 60:
            break
        time.sleep(0.5)
PY
copydb_rss=$(awk '/VmHWM/ {print $2}' "/proc/$cpid/status" 2>/dev/null || echo 0)
kill "$cpid" 2>/dev/null || true
kill "$load" 2>/dev/null || true
sleep 2
# the rate the source really took: one pgbench_history row per pgbench -N transaction
echo "$(psql -d src -Atc "SELECT count(*) FROM pgbench_history") $(python3 -c "import time; print(round(time.time() - $load_t0, 1))")" >"$work/load.txt"
psql -d src -Atc "SELECT slot_name FROM pg_replication_slots" >"$work/slots-left.txt" || true

python3 - "$work" "$results" "$scale" "$rate" "$steady" "$t0" "$t0c" "${studio_rss:-0}" "${copydb_rss:-0}" "$(nproc)" <<'PY'
import bisect, datetime, os, statistics, sys
work, out, scale, rate, steady, t0, t0c, srss, crss, cores = sys.argv[1:]
steady, t0, t0c = float(steady), float(t0), float(t0c)
wal = []
for line in open(os.path.join(work, "source-wal.txt")):
    try:
        t, b = line.split()
        wal.append((float(t), int(b)))
    except ValueError:
        pass
wal_t = [w[0] for w in wal]
wal_b = [w[1] for w in wal]
def passed_at(pos):
    """When the source's WAL first reached pos (None before the first sample)."""
    i = bisect.bisect_left(wal_b, pos)
    return wal_t[i] if i < len(wal_t) else None
def lag_series(path):
    s = []
    for line in open(path):
        t, stage, state, pos, changes = line.split()
        t, pos = float(t), int(pos)
        if pos <= 0:
            continue
        at = passed_at(pos)
        # at or ahead of the last WAL sample: no measurable lag (under 0.5 s)
        s.append((t, 0.0 if at is None else max(0.0, t - at), pos))
    return s
def summarize(name, path, start):
    s = lag_series(path)
    first = next((x for x in s if x[1] < 5.0), None)
    if first is None:
        return {"name": name, "first": None}
    window = [x for x in s if first[0] <= x[0] <= first[0] + steady]
    lags = sorted(x[1] for x in window)
    def pct(p):
        return lags[min(len(lags) - 1, int(round(p / 100 * (len(lags) - 1))))]
    span = window[-1][0] - window[0][0] if len(window) > 1 else 0
    return {"name": name, "first": first[0] - start, "p50": pct(50), "p95": pct(95),
            "max": lags[-1], "samples": len(lags), "span": span,
            "bytes_per_s": (window[-1][2] - window[0][2]) / span if span else 0}
rows = [summarize("studio (`migrate.strategy: online`, default spec otherwise)",
                  os.path.join(work, "studio-samples.txt"), t0),
        summarize("pgcopydb clone --follow --table-jobs 2 --index-jobs 2",
                  os.path.join(work, "copydb-samples.txt"), t0c)]
n, secs = open(os.path.join(work, "load.txt")).read().split()
tps = f"{int(n) / float(secs):.0f} tps ({int(n):,} transactions in {float(secs):.0f} s)"
lines = [f"# Change capture under load: pgbench scale {scale}, {rate} tps of `pgbench -N`",
         "",
         f"Run {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC on {cores} cores, one stock PostgreSQL "
         f"server (wal_level=logical) for source and both targets, by `bench/online-pg.sh {scale} {rate} {int(steady)}`. "
         "Lag is measured from the source's WAL positions (sampled every 0.5 s): how long ago the source "
         "passed the position the tool had applied. First catch-up: from the tool's start to the first "
         "sample below 5 s; steady state: the following "
         f"{int(steady)} s.",
         "",
         "| tool | first catch-up s | lag p50 s | lag p95 s | lag max s | applied WAL KB/s | peak RSS MB |",
         "|---|---:|---:|---:|---:|---:|---:|"]
for r, rss in zip(rows, [srss, crss]):
    if r["first"] is None:
        lines.append(f"| {r['name']} | never | | | | | {int(rss) // 1024} |")
    else:
        lines.append(f"| {r['name']} | {r['first']:.1f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} | "
                     f"{r['bytes_per_s'] / 1024:.0f} | {int(rss) // 1024} |")
if rows[0]["first"] is not None and rows[1]["first"] is not None and rows[1]["first"] > 0:
    lines += ["", f"Time to first catch-up, studio / pgcopydb: {rows[0]['first'] / rows[1]['first']:.2f} "
              "(goal <= 1); lag p95 goal < 1 s."]
lines += ["", f"The source took {tps} over the whole run. The studio's peak RSS is its "
          "separate `studio worker migrate` process (VmHWM); the studio's first catch-up includes "
          "assessment and mapping (auto-approved) before the copy starts."]
slots = open(os.path.join(work, "slots-left.txt")).read().split()
lines += ["", f"Replication slots left on the source after the run: {', '.join(slots) if slots else 'none'}."]
open(out, "w").write("\n".join(lines) + "\n")
print(open(out).read())
PY

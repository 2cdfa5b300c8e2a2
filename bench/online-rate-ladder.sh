#!/usr/bin/env bash
# The highest source write rate the studio's change stream keeps up with (issue 14's benchmark:
# "and the highest source write rate it keeps up with"). A pgbench database on PostgreSQL is
# migrated online by the studio (`migrate.strategy: online`, default spec otherwise) while
# `pgbench -N` writes; once the stream has caught up, the write rate climbs a ladder, STEP seconds
# a rung, and the lag is measured on each rung the same way as bench/online-pg.sh does (from the
# source's WAL position, bench/lag.py), not from the studio's own report.
#
#   bench/online-rate-ladder.sh [SCALE] [STEP] [RATES...]
#     SCALE    pgbench scale (default 10 = 1M rows)
#     STEP     seconds per rung (default 40; the first 5 s of a rung are not counted)
#     RATES    asked transactions per second per rung, pgbench -R; 0 = as fast as the source
#              takes them (default: 200 500 1000 2000 0)
#
# A rung is kept up with when its lag p95 is below 1 s (the issue's goal) and its last sample's
# lag below 5 s (the default migrate.max_lag: the stream is not falling behind). The source, the
# target and the studio share this machine's cores: the highest rate is this machine's, not the
# studio's alone; the report gives the rate the source really took on each rung (pgbench_history
# rows, one per pgbench -N transaction; each transaction is 2 row changes).
#
# Environment: BENCH_CLIENTS (pgbench clients, default 2), BENCH_PG_PORT, BENCH_TEMPORAL_PORT,
# BENCH_JAR, BENCH_RESULTS. Results: bench/results/online-rate-ladder-s<SCALE>.md; work files
# under bench/work/online-ladder.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
scale="${1:-10}"
step="${2:-40}"
shift $(($# > 2 ? 2 : $#))
rates=("$@")
[ ${#rates[@]} -gt 0 ] || rates=(200 500 1000 2000 0)
work="$here/work/online-ladder"
port="${BENCH_PG_PORT:-54371}"
tport="${BENCH_TEMPORAL_PORT:-57453}"
aport=$((tport + 1))
hport=$((tport + 2))
clients="${BENCH_CLIENTS:-2}"
results="${BENCH_RESULTS:-$here/results/online-rate-ladder-s${scale}.md}"
mkdir -p "$here/results"
. "$here/lib.sh"

bench_pg_path
bench_work "$work"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
bench_pg_start "$port" "-c wal_level=logical -c max_replication_slots=10 -c max_wal_senders=10"
psql -d postgres -c "CREATE DATABASE src" -c "CREATE DATABASE dst"
pgbench $P -i -s "$scale" -q src >/dev/null 2>&1
# every table needs a key for an online migration (pgbench_history has none)
psql -d src -c "ALTER TABLE pgbench_history ADD COLUMN hid bigserial PRIMARY KEY"
wal_bytes() { command psql $P -X -d src -Atc "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn"; }
bench_sample_source "$work/source-wal.txt" wal_bytes
history() { command psql $P -X -d src -Atc "SELECT count(*) FROM pgbench_history"; }

load=""
load_at() { # rate (0: unthrottled)
  [ -z "$load" ] || { kill "$load" 2>/dev/null || true; wait "$load" 2>/dev/null || true; }
  local r=()
  [ "$1" = 0 ] || r=(-R "$1")
  pgbench $P -n -N "${r[@]}" -c "$clients" -j "$clients" -T 100000 src >>"$work/pgbench.log" 2>&1 &
  load=$!
  pids+=($load)
}
load_at "${rates[0]}"
sleep 3

bench_jar
home="$work/studio-home"
id="bench-ladder-s${scale}-$(date +%s)"
bench_online_studio "$home" "$tport" "$id" \
  "{ url: \"jdbc:postgresql://127.0.0.1:$port/src\", user: postgres }" \
  "{ url: \"jdbc:postgresql://127.0.0.1:$port/dst\", user: postgres }"
# the studio's samples for the whole ladder, in the background
bench_sample_studio "$hport" "$id" "$((step * ${#rates[@]} + 600))" "$work/studio-samples.txt" dst &
sampler=$!
pids+=($sampler)
# the sampler's python is the background subshell's child: stop it too when the script ends early
bench_stop_extra() { pkill -P "$sampler" 2>/dev/null || true; }

echo "waiting for the stream's first catch-up (scale $scale, ${rates[0]} tps)"
first=""
for _ in $(seq 1 900); do
  sleep 1
  [ -s "$work/studio-samples.txt" ] || continue
  first=$(bench_lag_summary "$work/source-wal.txt" "$work/studio-samples.txt" "$t0" 1 |
    python3 -c 'import json,sys; f=json.load(sys.stdin)["first"]; print("" if f is None else round(f, 1))' || true)
  [ -z "$first" ] || break
done
[ -n "$first" ] || { echo "the stream did not catch up within 900 s" >&2; exit 1; }
echo "first catch-up after $first s"

: >"$work/rungs.txt"
for r in "${rates[@]}"; do
  load_at "$r"
  sleep 5
  a=$(date +%s.%N)
  h0=$(history)
  sleep "$((step - 5))"
  h1=$(history)
  b=$(date +%s.%N)
  w=$(bench_lag_window "$work/source-wal.txt" "$work/studio-samples.txt" "$a" "$b")
  last=$(python3 - "$work/source-wal.txt" "$work/studio-samples.txt" "$here" <<'PY'
import sys
sys.path.insert(0, sys.argv[3])
import lag
s = lag.lags(sys.argv[1], sys.argv[2])
print(round(s[-1][1], 2) if s else "")
PY
)
  echo "$r $a $b $h0 $h1 $last $w" >>"$work/rungs.txt"
  echo "rung $r tps: $(tail -1 "$work/rungs.txt" | cut -d' ' -f7-)"
done
kill "$load" 2>/dev/null || true
rss=$(awk '/VmHWM/ {print $2}' "/proc/$wpid/status" 2>/dev/null || echo 0)
studio cancel "$id" --reason "benchmark done" --server "127.0.0.1:$aport" >"$work/studio-cancel.log" 2>&1 || true

python3 - "$work/rungs.txt" "$results" "$scale" "$step" "$clients" "$first" "$rss" "$load_before" \
  "$(cut -d' ' -f1-3 /proc/loadavg)" "$(nproc)" <<'PY'
import datetime, json, sys
rungs, out, scale, step, clients, first, rss, load0, load1, cores = sys.argv[1:]
rows, best = [], None
for line in open(rungs):
    r, a, b, h0, h1, last = line.split()[:6]
    w = json.loads(line.split(None, 6)[6])
    took = (int(h1) - int(h0)) / (float(b) - float(a))
    ok = w.get("samples", 0) > 0 and w["p95"] < 1.0 and last != "" and float(last) < 5.0
    if ok and (best is None or took > best):
        best = took
    asked = "as fast as it goes" if r == "0" else r
    if w.get("samples", 0):
        rows.append(f"| {asked} | {took:.0f} | {w['changes_per_s']:.0f} | {w['p50']:.1f} | {w['p95']:.1f} | "
                    f"{w['max']:.1f} | {'yes' if ok else 'no'} |")
    else:
        rows.append(f"| {asked} | {took:.0f} | | | | | no (no sample with a position) |")
now = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC")
text = [f"# The highest write rate the change stream keeps up with: pgbench scale {scale}", "",
        f"Run {now} on {cores} cores (load average before: {load0}, after: {load1}), one stock "
        f"PostgreSQL server (wal_level=logical) for source and target, by `bench/online-rate-ladder.sh "
        f"{scale} {step} ...` ({clients} pgbench clients, `pgbench -N`). The studio (`migrate.strategy: "
        f"online`, default spec otherwise) caught up first after {first} s; then the asked rate climbed, "
        f"{step} s a rung, the first 5 s of each not counted. Lag from the source's WAL position "
        "(bench/lag.py); a rung is kept up with when its lag p95 is below 1 s and its last lag below 5 s.",
        "", "| asked tps | source took tps | applied row changes/s | lag p50 s | lag p95 s | lag max s | kept up |",
        "|---:|---:|---:|---:|---:|---:|---|", *rows, "",
        f"**Highest source rate kept up with: {best:.0f} tps ({2 * best:.0f} row changes/s)**" if best else
        "**No rung was kept up with.**",
        "", f"Worker peak RSS (VmHWM of `studio worker migrate`): {int(rss) // 1024} MB. Source, target and "
        "studio share the machine's cores: where the source takes no more than the asked rate, the machine, "
        "not the stream, is the limit."]
open(out, "w").write("\n".join(text) + "\n")
print("\n".join(text))
PY

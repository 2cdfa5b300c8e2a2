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
# reports (bench_lag_summary in lib.sh): every 0.5 s the script records the source's
# pg_current_wal_lsn(); a tool's lag at an instant is how long ago the source's WAL passed the
# position the tool has applied on its target: the studio's studio.stream_position (written in
# the same transaction as the changes), pgcopydb's replication origin (pg_replication_origin_status
# .remote_lsn, moved with each transaction it applies). A tool has a position only once its copy is
# done and it applies (the studio's stream starts after the copy; pgcopydb's apply once its clone
# set the sentinel's `apply`). First catch-up: from the tool's start to the first sample with a
# position and a lag below 5 s (the studio's default migrate.max_lag). Steady state: lag
# p50/p95/max over SECONDS after it, applied WAL bytes/s. The tools run one after the other under
# the same load; pgcopydb is observed until SECONDS after its first catch-up, or for
# BENCH_CATCHUP_TIMEOUT seconds (default 600) after its copy if it does not catch up, then its
# whole process group is stopped and its slot dropped.
#
# pgcopydb 0.10 (Debian 12's) applies one WAL segment file (16 MB) at a time, once the source has
# moved past it: its lag is at least the time the source takes to fill a segment (seconds at scale
# 100 and 500 tps, minutes at smoke sizes). Its wal2json transform also fails when the transactions
# of concurrent clients straddle a file boundary ("BUG: logical message xid is ..."), after which
# it never applies again; the report counts those errors and says so. So pgbench runs with one
# client by default (BENCH_CLIENTS; 2 clients broke pgcopydb in the first WAL file at scale 100 and
# 500 tps), the same load for both tools. BENCH_WAL_SWITCH=N has the source start a new WAL file
# every N seconds (pg_switch_wal(), for the whole run): pgcopydb then applies within about N s
# even at a low write rate (smoke runs); off by default.
#
# Environment: BENCH_CLIENTS, BENCH_CATCHUP_TIMEOUT, BENCH_WAL_SWITCH, BENCH_PG_PORT, BENCH_TEMPORAL_PORT, BENCH_JAR,
# BENCH_RESULTS. Needs (Debian): postgresql pgcopydb postgresql-15-wal2json (installed when
# missing). Results: bench/results/online-pg-s<SCALE>-r<RATE>.md (committed); work files under
# bench/work/online.
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
clients="${BENCH_CLIENTS:-1}"
results="${BENCH_RESULTS:-$here/results/online-pg-s${scale}-r${rate}.md}"
mkdir -p "$here/results"
. "$here/lib.sh"

need() { command -v "$1" >/dev/null 2>&1; }
if ! need pgcopydb || ! ls /usr/lib/postgresql/*/lib/wal2json.so >/dev/null 2>&1; then
  # pgcopydb --follow decodes with wal2json
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql pgcopydb postgresql-15-wal2json >/dev/null
fi
bench_pg_path
bench_work "$work"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
# a stock server but for what logical decoding needs
bench_pg_start "$port" "-c wal_level=logical -c max_replication_slots=10 -c max_wal_senders=10"
psql -d postgres -c "CREATE DATABASE src" -c "CREATE DATABASE dst_studio" -c "CREATE DATABASE dst_copydb"
pgbench $P -i -s "$scale" -q src >/dev/null 2>&1
# every table needs a key for an online migration (pgbench_history has none)
psql -d src -c "ALTER TABLE pgbench_history ADD COLUMN hid bigserial PRIMARY KEY"
echo "source: pgbench scale $scale, load $rate tps (pgbench -N), steady state ${steady}s"

# the source's WAL position every 0.5 s, for the whole run
wal_bytes() { command psql $P -X -d src -Atc "SELECT pg_current_wal_lsn() - '0/0'::pg_lsn"; }
bench_sample_source "$work/source-wal.txt" wal_bytes
if [ -n "${BENCH_WAL_SWITCH:-}" ]; then
  # a new WAL segment file every BENCH_WAL_SWITCH seconds, for the whole run (both tools)
  (
    while :; do
      command psql $P -X -d src -Atc "SELECT pg_switch_wal()" >/dev/null 2>&1 || true
      sleep "$BENCH_WAL_SWITCH"
    done
  ) &
  pids+=($!)
fi

load_t0=$(date +%s.%N)
pgbench $P -n -N -R "$rate" -c "$clients" -j "$clients" -T 100000 src >"$work/pgbench.log" 2>&1 &
load=$!
pids+=($load)
sleep 3

bench_jar
home="$work/studio-home"

# ---------------------------------------------------------------- the studio
id="bench-online-s${scale}-$(date +%s)"
bench_online_studio "$home" "$tport" "$id" \
  "{ url: \"jdbc:postgresql://127.0.0.1:$port/src\", user: postgres }" \
  "{ url: \"jdbc:postgresql://127.0.0.1:$port/dst_studio\", user: postgres }" 3
# samples: "epoch_seconds stage state applied_wal_bytes changes"
bench_sample_studio "$hport" "$id" "$steady" "$work/studio-samples.txt" dst_studio
t_end_studio=$(date +%s.%N)
studio_rss=$(awk '/VmHWM/ {print $2}' "/proc/$wpid/status" 2>/dev/null || echo 0)
studio cancel "$id" --reason "benchmark done" --server "127.0.0.1:$aport" >"$work/studio-cancel.log" 2>&1 || true
sleep 5

# ---------------------------------------------------------------- pgcopydb clone --follow
export PGCOPYDB_SOURCE_PGURI="postgres://postgres@127.0.0.1:$port/src"
export PGCOPYDB_TARGET_PGURI="postgres://postgres@127.0.0.1:$port/dst_copydb"
t0c=$(date +%s.%N)
# its own process group: clone forks a prefetch (the slot's reader), a transform and a catch-up
# (apply) process, which outlive a parent stopped alone
bench_group pgcopydb clone --follow --table-jobs 2 --index-jobs 2 --dir "$work/pgcopydb" --no-owner --no-acl \
  --skip-extensions >"$work/pgcopydb.log" 2>&1
cpid=$bgpid
# samples as the studio's ("epoch_seconds stage state TOKEN changes"): the position pgcopydb has
# applied is its replication origin's on the target (pg_replication_origin_status.remote_lsn,
# moved with each applied transaction); it applies only once the clone set the source's
# pgcopydb.sentinel `apply` (copy, indexes and constraints done), before that it has no position
copydb_sample() {
  local apply pos
  apply=$(command psql $P -X -d src -Atc "SELECT apply FROM pgcopydb.sentinel" 2>/dev/null || true)
  pos=$(command psql $P -X -d dst_copydb -Atc "SELECT s.remote_lsn - '0/0'::pg_lsn FROM pg_replication_origin_status s
    JOIN pg_replication_origin o ON o.roident = s.local_id WHERE o.roname = 'pgcopydb'" 2>/dev/null || true)
  if [ "$apply" = t ] && [ -n "$pos" ]; then echo "copy-done $pos"; else echo "copy -"; fi
}
wait_catchup="${BENCH_CATCHUP_TIMEOUT:-600}"
t_apply=""
i=0
: >"$work/copydb-samples.txt"
while kill -0 "$cpid" 2>/dev/null; do
  read -r phase pos <<<"$(copydb_sample)"
  now=$(date +%s.%N)
  echo "$now $phase - $pos 0" >>"$work/copydb-samples.txt"
  if [ "$phase" = copy-done ] && [ -z "$t_apply" ]; then t_apply=${now%.*}; fi
  i=$((i + 1))
  if [ -n "$t_apply" ] && [ $((i % 10)) = 0 ]; then
    # caught up and observed for the steady state, or no catch-up within BENCH_CATCHUP_TIMEOUT
    first=$(bench_lag_summary "$work/source-wal.txt" "$work/copydb-samples.txt" "$t0c" "$steady" |
      python3 -c 'import json,sys; f=json.load(sys.stdin)["first"]; print("" if f is None else int(f))' || true)
    if [ -n "$first" ] && [ "$(date +%s)" -gt "$(python3 -c "print(int($t0c) + $first + $steady + 5)")" ]; then break; fi
    if [ -z "$first" ] && [ "$(date +%s)" -gt $((t_apply + wait_catchup)) ]; then break; fi
  fi
  sleep 0.5
done
# the clone's processes' peak RSS, summed (VmHWM of each)
copydb_rss=0
for p in $(pgrep -g "$cpid" 2>/dev/null); do
  copydb_rss=$((copydb_rss + $(awk '/VmHWM/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
done
bench_stop_group "$cpid"
pgrep -g "$cpid" -a >"$work/copydb-left.txt" 2>/dev/null || true
kill "$load" 2>/dev/null || true
sleep 2
# the rate the source really took: one pgbench_history row per pgbench -N transaction
echo "$(psql -d src -Atc "SELECT count(*) FROM pgbench_history") $(python3 -c "import time; print(round(time.time() - $load_t0, 1))")" >"$work/load.txt"
psql -d src -Atc "SELECT slot_name FROM pg_replication_slots" >"$work/slots-left.txt" || true
# pgcopydb's slot is not the studio's to drop: the script drops it (a stopped follow keeps it)
psql -d src -Atc "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = 'pgcopydb'" >/dev/null || true
# pgcopydb 0.10 (Debian 12) fails to transform a WAL file whose transactions interleave across a
# file boundary ("BUG: logical message xid is ..."); its apply then waits for that file forever
grep -c "BUG: logical message\|Failed to parse JSON" "$work/pgcopydb.log" >"$work/copydb-errors.txt" || true
grep -o 'Catching up from LSN .* in "[^"]*"' "$work/pgcopydb.log" | tail -1 | sed 's|".*/|"|' >"$work/copydb-catchup.txt" || true
bench_lag_summary "$work/source-wal.txt" "$work/studio-samples.txt" "$t0" "$steady" >"$work/studio-lag.json"
bench_lag_summary "$work/source-wal.txt" "$work/copydb-samples.txt" "$t0c" "$steady" >"$work/copydb-lag.json"
copy_secs=$([ -n "$t_apply" ] && python3 -c "print(round($t_apply - $t0c))" || echo "")

python3 - "$work" "$results" "$scale" "$rate" "$steady" "${studio_rss:-0}" "${copydb_rss:-0}" "$(nproc)" \
  "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)" "$clients" "$copy_secs" "${BENCH_WAL_SWITCH:-}" <<'PY'
import datetime, json, os, sys
work, out, scale, rate, steady, srss, crss, cores, load0, load1, clients, copy_secs, wal_switch = sys.argv[1:]
steady = float(steady)
def read(name, default=""):
    try:
        return open(os.path.join(work, name)).read().strip()
    except FileNotFoundError:
        return default
rows = [("studio (`migrate.strategy: online`, default spec otherwise)", json.loads(read("studio-lag.json", '{"first": null}')), srss),
        ("pgcopydb clone --follow --table-jobs 2 --index-jobs 2", json.loads(read("copydb-lag.json", '{"first": null}')), crss)]
n, secs = read("load.txt").split()
tps = f"{int(n) / float(secs):.0f} tps ({int(n):,} transactions in {float(secs):.0f} s)"
lines = [f"# Change capture under load: pgbench scale {scale}, {rate} tps of `pgbench -N`",
         "",
         f"Run {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC on {cores} cores (load average before: {load0}, "
         f"after: {load1}), one stock PostgreSQL server (wal_level=logical) for source and both targets, by "
         f"`bench/online-pg.sh {scale} {rate} {int(steady)}` ({clients} pgbench client(s)"
         + (f"; a new WAL file every {wal_switch} s, `BENCH_WAL_SWITCH={wal_switch}`" if wal_switch else "") + "). "
         "Lag is measured the same way for both tools, from the source's WAL position (sampled every 0.5 s): "
         "how long ago the source passed the position the tool had applied on its target (the studio's "
         "`studio.stream_position`, pgcopydb's replication origin `remote_lsn`); a tool has a position only "
         "once its copy is done and it applies. First catch-up: from the tool's start to the first such "
         f"sample below 5 s; steady state: the following {int(steady)} s.",
         "",
         "| tool | first catch-up s | lag p50 s | lag p95 s | lag max s | applied WAL KB/s | peak RSS MB |",
         "|---|---:|---:|---:|---:|---:|---:|"]
for name, r, rss in rows:
    if r["first"] is None:
        lines.append(f"| {name} | never | | | | | {int(rss) // 1024} |")
    else:
        lines.append(f"| {name} | {r['first']:.1f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} | "
                     f"{r['bytes_per_s'] / 1024:.0f} | {int(rss) // 1024} |")
        if r["span"] < steady * 0.9:
            lines.append(f"| (only {r['span']:.0f} s of steady state observed) | | | | | | |")
s, c = rows[0][1], rows[1][1]
if s["first"] is not None and c["first"] is not None and c["first"] > 0:
    lines += ["", f"Time to first catch-up, studio / pgcopydb: {s['first'] / c['first']:.2f} "
              "(goal <= 1); lag p95 goal < 1 s."]
errors = int(read("copydb-errors.txt", "0") or 0)
lines += ["", f"The source took {tps} over the whole run. The studio's first catch-up includes assessment "
          "and mapping (auto-approved) before the copy; its peak RSS is its separate `studio worker migrate` "
          "process (VmHWM). pgcopydb's is the sum of its processes' peaks (clone, prefetch, transform, "
          "catch-up). "
          + (f"pgcopydb's copy (schema, data, indexes, constraints) ended {copy_secs} s after its start; "
             if copy_secs else "pgcopydb's copy never ended within the run; ")
          + "it applies the changes of one WAL segment file (16 MB) once the source has moved past that file, "
          "so its lag is at least the time the source takes to fill a segment."]
if errors:
    lines += ["", f"**pgcopydb's change stream failed**: {errors} transform errors in its log (pgcopydb 0.10's "
              "\"BUG: logical message xid is ...\" / \"Failed to parse JSON message\": transactions of concurrent "
              "clients split across a WAL file boundary); a file it could not transform is never applied, and its "
              f"apply waits for it ({read('copydb-catchup.txt') or 'see pgcopydb.log'}). Its row above is not a "
              "measurement of pgcopydb's apply speed."]
left = read("copydb-left.txt")
slots = read("slots-left.txt").split()
lines += ["", f"Replication slots on the source after both tools were stopped: {', '.join(slots) if slots else 'none'} "
          "(the script drops pgcopydb's, a stopped follow keeps it); pgcopydb processes left after its process "
          f"group was stopped: {len(left.splitlines()) if left else 'none'}."]
open(out, "w").write("\n".join(lines) + "\n")
print(open(out).read())
PY

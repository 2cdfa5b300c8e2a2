#!/usr/bin/env bash
# Change capture under load from MariaDB (issue 14): a sysbench table on MariaDB (binlog ROW,
# row image FULL) keeps taking writes at a fixed rate (`sysbench oltp_write_only --rate RATE`) for
# the whole run, while the studio migrates it online (`migrate.strategy: online`, default spec
# otherwise) into a stock PostgreSQL. The PostgreSQL counterpart is bench/online-pg.sh.
#
#   bench/online-mariadb.sh [SCALE] [RATE] [SECONDS]
#     SCALE    table size in 100,000 rows (100 = 10M rows in sbtest1; default 10)
#     RATE     source transactions per second, sysbench --rate (default 200; each
#              oltp_write_only transaction changes 4 rows: 2 updates, a delete, an insert)
#     SECONDS  steady state observed after the first catch-up (default 60)
#
# Lag is measured from the source server, not from the studio's own status: every 0.5 s the script
# records the source's binlog head (`SHOW MASTER STATUS`: file and position); the studio's lag at an
# instant is how long ago the source's binlog passed the position the studio has committed on the
# target (studio.stream_position: the binlog file and the offset after the last applied
# transaction, written in the same target transaction as its changes).
# First catch-up: from `studio start` to the first sample with that lag below 5 s (the default
# migrate.max_lag). Steady state: lag p50/p95/max over SECONDS after it; apply throughput: row
# changes per second the studio committed (stream_position.changes) over the same interval, next
# to the source's (Handler_write + Handler_update + Handler_delete over the run); the studio's peak RSS
# is its separate `studio worker migrate` process (VmHWM).
#
# Environment: BENCH_PG_PORT, BENCH_MARIADB_PORT, BENCH_TEMPORAL_PORT, BENCH_JAR, BENCH_RESULTS.
# Needs (Debian): postgresql mariadb-server mariadb-client sysbench (installed when missing).
# Both servers are private instances under bench/work/online-maria on their own ports, the
# MariaDB one with its defaults but for the binlog and a 1 GiB buffer pool. Results:
# bench/results/online-mariadb-s<SCALE>-r<RATE>.md (committed).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
scale="${1:-10}"
rate="${2:-200}"
steady="${3:-60}"
rows_wanted=$((scale * 100000))
work="$here/work/online-maria"
pgport="${BENCH_PG_PORT:-54389}"
myport="${BENCH_MARIADB_PORT:-33089}"
tport="${BENCH_TEMPORAL_PORT:-57633}"
aport=$((tport + 1))
hport=$((tport + 2))
results="${BENCH_RESULTS:-$here/results/online-mariadb-s${scale}-r${rate}.md}"
mkdir -p "$here/results"
. "$here/lib.sh"

bench_mariadb_deps
bench_work "$work"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
bench_pg_start "$pgport" ""
psql -d postgres -c "CREATE DATABASE dst_studio"
bench_mariadb_binlog_start "$work/my" "$myport"
sb=(sysbench oltp_write_only --db-driver=mysql --mysql-host=127.0.0.1 --mysql-port="$myport"
  --mysql-user=bench --mysql-password=bench --mysql-db=bench --tables=1 --table-size="$rows_wanted")
echo "loading $rows_wanted rows into MariaDB (sysbench prepare) ..."
"${sb[@]}" prepare >"$work/sysbench-prepare.log" 2>&1
rows=$(M -N -B bench -e "SELECT count(*) FROM sbtest1")
echo "source: MariaDB $(M -N -B -e 'SELECT VERSION()') sbtest1 with $rows rows, load $rate tps (oltp_write_only), steady state ${steady}s"

# the source's binlog head every 0.5 s, for the whole run: "epoch_seconds FILE:OFFSET"
binlog_head() {
  command mariadb --no-defaults -S "$work/my/sock" -uroot -N -B -e 'SHOW MASTER STATUS' | cut -f1,2 | tr '\t' ':'
}
bench_sample_source "$work/source-binlog.txt" binlog_head
# rows the server wrote, updated and deleted (MariaDB 10.11 has no Innodb_rows_* counters)
row_changes() {
  command mariadb --no-defaults -S "$work/my/sock" -uroot -N -B -e \
    "SELECT coalesce(sum(VARIABLE_VALUE), 0) FROM information_schema.GLOBAL_STATUS WHERE VARIABLE_NAME IN
     ('HANDLER_WRITE', 'HANDLER_UPDATE', 'HANDLER_DELETE')" 2>/dev/null || echo 0
}
rows0=$(row_changes)
load_t0=$(date +%s.%N)
"${sb[@]}" --threads=2 --rate="$rate" --time=100000 --report-interval=10 run >"$work/sysbench.log" 2>&1 &
pids+=($!)
sleep 3

bench_jar
home="$work/studio-home"
export BENCH_MARIADB_PASSWORD=bench
id="bench-online-maria-s${scale}-$(date +%s)"
bench_online_studio "$home" "$tport" "$id" \
  "{ url: \"jdbc:mariadb://127.0.0.1:$myport/bench\", user: bench, password: \"\${env:BENCH_MARIADB_PASSWORD}\" }" \
  "{ url: \"jdbc:postgresql://127.0.0.1:$pgport/dst_studio\", user: postgres }" 3
# samples: "epoch_seconds stage state FILE:OFFSET changes"
bench_sample_studio "$hport" "$id" "$steady" "$work/studio-samples.txt" dst_studio
studio_rss=$(awk '/VmHWM/ {print $2}' "/proc/$wpid/status" 2>/dev/null || echo 0)
final_state=$(tail -1 "$work/studio-samples.txt" 2>/dev/null | cut -d' ' -f2,3 || echo "-")
studio cancel "$id" --reason "benchmark done" --server "127.0.0.1:$aport" >"$work/studio-cancel.log" 2>&1 || true
echo "$(($(row_changes) - rows0)) $(python3 -c "import time; print(round(time.time() - $load_t0, 1))")" >"$work/load.txt"
sleep 5
# a finished migration leaves no binlog reader connected
command mariadb --no-defaults -S "$work/my/sock" -uroot -N -B -e \
  "SELECT count(*) FROM information_schema.PROCESSLIST WHERE COMMAND LIKE 'Binlog Dump%'" >"$work/readers-left.txt" || echo "?" >"$work/readers-left.txt"

bench_lag_summary "$work/source-binlog.txt" "$work/studio-samples.txt" "$t0" "$steady" >"$work/studio-lag.json"

python3 - "$work" "$results" "$scale" "$rate" "$steady" "${studio_rss:-0}" "$(nproc)" "$rows" "$final_state" \
  "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import datetime, json, os, sys
work, out, scale, rate, steady, srss, cores, rows, final_state, load0, load1 = sys.argv[1:]
steady = float(steady)
r = json.load(open(os.path.join(work, "studio-lag.json")))
n, secs = open(os.path.join(work, "load.txt")).read().split()
src_rate = int(n) / float(secs)
lines = [f"# Change capture under load from MariaDB: sysbench {int(rows):,} rows, {rate} tps of `oltp_write_only`", "",
         f"Run {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC on {cores} cores (load average before: {load0}, "
         f"after: {load1}), a private MariaDB (binlog ROW, "
         "row image FULL) and a stock PostgreSQL on this machine, by "
         f"`bench/online-mariadb.sh {scale} {rate} {int(steady)}`. Lag is measured from the source's binlog head "
         "(`SHOW MASTER STATUS`, sampled every 0.5 s): how long ago the source passed the binlog position the studio "
         "had committed on the target (`studio.stream_position`). First catch-up: from `studio start` to the first "
         f"sample below 5 s; steady state: the following {int(steady)} s.", "",
         "| tool | first catch-up s | lag p50 s | lag p95 s | lag max s | applied row changes/s | peak RSS MB |",
         "|---|---:|---:|---:|---:|---:|---:|"]
name = "studio (`migrate.strategy: online`, default spec otherwise)"
if r["first"] is None:
    lines.append(f"| {name} | never | | | | | {int(srss) // 1024} |")
else:
    lines.append(f"| {name} | {r['first']:.1f} | {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} | "
                 f"{r['changes_per_s']:,.0f} | {int(srss) // 1024} |")
    if r["span"] < steady * 0.9:
        lines += ["", f"Only {r['span']:.0f} s of steady state were observed (the migration ended or the run was cut short)."]
lines += ["", f"The source took {src_rate:,.0f} row changes/s ({int(n):,} rows written, updated or deleted by its handlers in "
          f"{float(secs):.0f} s; 4 per `oltp_write_only` transaction). Goal (issue 14): lag p95 below 1 s at the "
          "fixed rate. The studio's first catch-up includes assessment and mapping (auto-approved) before the copy "
          "starts; its peak RSS is its separate `studio worker migrate` process (VmHWM).", "",
          f"Last state seen: {final_state}; binlog readers still connected to the source after the migration was "
          f"cancelled: {open(os.path.join(work, 'readers-left.txt')).read().strip()}."]
open(out, "w").write("\n".join(lines) + "\n")
print(open(out).read())
PY

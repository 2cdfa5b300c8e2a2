#!/usr/bin/env bash
# Per-chunk fixed cost (issue 17): the studio's Migrate stage on pgbench_accounts three ways, side
# by side in one run on one server: the default spec (no chunk settings), `chunk_rows: N` (default
# 50000) and the whole table in one chunk. Reports the per-chunk fixed cost
#   (t_rows - t_whole) / (chunks_rows - chunks_whole)
# and the ratio t_rows / t_whole (goal: <= 20 ms and <= 1.2x), with where a chunk's time goes:
# the worker's own timings per chunk (connections, copy; `chunk-timing` debug lines) and, from
# the ledger, the time between one chunk's commit and the next one's start (activity dispatch,
# workflow tasks).
#
#   bench/chunk-cost.sh [SCALE]     pgbench scale (100 = 10M rows; default 100)
#
# Environment: BENCH_ROUNDS (default 3; every variant once per round, the order rotating, medians
# reported), BENCH_CHUNK_ROWS (50000), BENCH_PARALLELISM (2), BENCH_JAR (default
# studio-cli/target/studio-all.jar), BENCH_LABEL (appended to the results file name),
# BENCH_FSYNC (on: a stock server; off like pg-to-pg.sh), BENCH_WORK (the work directory, default
# bench/work/chunk-cost: two runs at once need two), BENCH_SETTLE=checkpoint (before each
# variant only a flush, not the vacuum of the earlier variants' targets: see settle below),
# BENCH_RESULTS (the results file, instead of bench/results/...: a private run), BENCH_PG_OPTS
# (more server options, e.g. "-c log_statement=all" to count a chunk's statements in pg.log),
# BENCH_WORKER_OPTS (more JVM options of the migrate worker, e.g. a JFR recording),
# BENCH_VARIANTS (default "default rows whole"; "rows whole" where the default spec plans one
# chunk anyway, as at scale 20).
# Needs (Debian): apt-get install postgresql (the script installs it when missing).
# Results: bench/results/chunk-cost-s<SCALE>[-LABEL].md (committed), work files under bench/work/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
size="${1:-100}"
table=pgbench_accounts
label="${BENCH_LABEL:+-$BENCH_LABEL}"
results="${BENCH_RESULTS:-$here/results/chunk-cost-s${size}${label}.md}"
work="${BENCH_WORK:-$here/work/chunk-cost}"
port="${BENCH_PG_PORT:-54339}"
tport="${BENCH_TEMPORAL_PORT:-57333}"
aport=$((tport + 1))
hport=$((tport + 2))
chunk_rows="${BENCH_CHUNK_ROWS:-50000}"
mkdir -p "$here/results"
. "$here/lib.sh"

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  apt-get install -y -qq postgresql >/dev/null
fi
bench_pg_path
bench_work "$work"
fsync_opts=""
if [ "${BENCH_FSYNC:-on}" = off ]; then
  fsync_opts="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
fi
bench_pg_start "$port" "$fsync_opts -c max_wal_size=4GB -c shared_buffers=512MB -c maintenance_work_mem=512MB ${BENCH_PG_OPTS:-}"
psql -d postgres -c "CREATE DATABASE src"
pgbench $P -i -s "$size" -q src >/dev/null 2>&1
rows=$(psql -d src -Atc "SELECT count(*) FROM $table")
echo "source: $table with $rows rows (scale $size)"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

bench_jar
home="$work/studio-home"
# the worker logs each chunk's own timings (connections, copy) at debug
cat >"$work/logback-worker.xml" <<XML
<configuration>
  <appender name="FILE" class="ch.qos.logback.core.FileAppender">
    <file>$work/worker-timing.log</file>
    <encoder><pattern>%d{ISO8601} %msg%n</pattern></encoder>
  </appender>
  <logger name="io.migrationstudio.core.copy.MigrateService" level="DEBUG"/>
  <logger name="io.migrationstudio.worker.migrate.MigrateActivitiesImpl" level="DEBUG"/>
  <root level="WARN"><appender-ref ref="FILE"/></root>
</configuration>
XML
# shellcheck disable=SC2086 # BENCH_WORKER_OPTS: more JVM options of the migrate worker, split
bench_studio_start "$home" "$tport" -Dlogback.configurationFile="$work/logback-worker.xml" ${BENCH_WORKER_OPTS:-}
server_pid="${pids[0]}"

# The CPU time (ticks of 1/CLK_TCK s, user + system) every process of the run has used so far, by
# role: the migrate worker's JVM, the server's JVM (Temporal and the workflows), the PostgreSQL
# backends of the source and of each target database (from their process titles), autovacuum
# workers, the server's other processes, and the children the postmaster has reaped (a closed
# connection's backend, an autovacuum worker that ended). The difference over a variant is its CPU
# cost, which other work on the machine changes far less than it changes wall time.
cpu_ticks() { # out
  python3 - "$(head -1 "$work/data/postmaster.pid")" "$wpid" "$server_pid" >"$1" <<'PY'
import os, sys
post, worker, server = (int(x) for x in sys.argv[1:4])
def stat(pid):
    s = open(f"/proc/{pid}/stat").read()
    f = s[s.rindex(")") + 2:].split()
    return int(f[1]), int(f[11]) + int(f[12]), int(f[13]) + int(f[14])
def title(pid):
    return open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode(errors="replace")
for d in os.listdir("/proc"):
    if not d.isdigit():
        continue
    pid = int(d)
    try:
        ppid, own, reaped = stat(pid)
        if pid == worker:
            role = "worker-jvm"
        elif pid == server:
            role = "server-jvm"
        elif pid == post:
            print(f"{pid} postmaster {own}")
            role = "pg-reaped"
            own = reaped
        elif ppid == post:
            t = title(pid)
            if "autovacuum worker" in t:
                role = "pg-autovacuum"
            elif " src " in t:
                role = "pg-backend-src"
            elif " dst_" in t:
                role = "pg-backend-" + t.split(" dst_")[1].split()[0]
            else:
                role = "pg-other"
        else:
            continue
        print(f"{pid} {role} {own}")
    except (OSError, ValueError, IndexError):
        pass
PY
}

# Before each variant: the earlier variants' target tables are vacuumed and no vacuum is left
# running, then dirty pages are flushed. A variant loaded without FREEZE (many chunks) leaves rows
# whose first autovacuum (started within a minute of the load) reads and writes every page again
# (hint bits, visibility map; a full-page image of each in the WAL after a checkpoint): it must not
# run under the next variant (in the run of 2026-12-07 10:43 the 10M-row `rows` table's ended 12 s
# before the next variant started). BENCH_SETTLE=checkpoint keeps the former settle (flush only).
settle() {
  if [ "${BENCH_SETTLE:-vacuum}" = vacuum ]; then
    vacuumdb $P --all --analyze --quiet >/dev/null
    for _ in $(seq 1 240); do
      [ "$(psql -d postgres -Atc "SELECT count(*) FROM pg_stat_progress_vacuum")" = 0 ] && break
      sleep 0.5
    done
  fi
  sync; psql -d postgres -c CHECKPOINT; sync
}
# every 0.5 s while a variant runs: the databases a vacuum (auto or not) is running in, and every
# active query (database, backend type, wait event, its start) to OUT.activity
sample_vacuum() { # out
  while :; do
    psql -d postgres -Atc "SELECT coalesce(string_agg(d.datname, ','), '-') FROM pg_stat_progress_vacuum v
      JOIN pg_database d ON d.oid = v.datid" 2>/dev/null || echo '?'
    psql -d postgres -AtF '|' -c "SELECT now()::time(1), datname, backend_type, wait_event,
      left(regexp_replace(query, '\s+', ' ', 'g'), 100) FROM pg_stat_activity
      WHERE state = 'active' AND pid <> pg_backend_pid()" >>"$1.activity" 2>/dev/null || true
    sleep 0.5
  done >"$1"
}
: >"$work/results.txt"
run_variant() { # name, migrate options
  local name="$1" opts="$2"
  psql -d postgres -c "DROP DATABASE IF EXISTS dst_$name" -c "CREATE DATABASE dst_$name" 2>/dev/null
  local id="chunk-cost-$name-$(date +%s)-r$round"
  cat >"$work/spec-$name.yaml" <<YAML
id: $id
source: { url: "jdbc:postgresql://127.0.0.1:$port/src", user: postgres }
target: { url: "jdbc:postgresql://127.0.0.1:$port/dst_$name", user: postgres }
scope: { include: [$table] }
migrate: { parallelism: ${BENCH_PARALLELISM:-2}$opts }
validation: { sample_rows: 100 }
cutover: { freeze: none, hypercare: PT0S }
YAML
  settle
  local mark
  mark=0
  [ -f "$work/worker-timing.log" ] && mark=$(wc -l <"$work/worker-timing.log")
  cpu_ticks "$work/cpu-before-$name-$round.txt"
  sample_vacuum "$work/vacuum-$name-$round.txt" &
  local spid=$!
  pids+=("$spid")
  studio start "$work/spec-$name.yaml" --auto-approve all --follow --server "127.0.0.1:$aport" \
    >"$work/start-$name-$round.log" 2>&1 &
  local fpid=$!
  while kill -0 "$fpid" 2>/dev/null; do
    kill -0 "$wpid" 2>/dev/null || { kill "$fpid" 2>/dev/null; break; }
    sleep 0.5
  done
  wait "$fpid" 2>/dev/null || true
  kill "$spid" 2>/dev/null || true
  wait "$spid" 2>/dev/null || true
  cpu_ticks "$work/cpu-after-$name-$round.txt"
  git --git-dir "$home/artifacts/remote.git" show "migrations/$id:03-migrate/run.json" \
    >"$work/run-$name-$round.json" 2>/dev/null || echo '{}' >"$work/run-$name-$round.json"
  tail -n +"$((mark + 1))" "$work/worker-timing.log" 2>/dev/null | grep chunk-timing \
    >"$work/timing-$name-$round.log" || true
  # the ledger's chunk windows: the gaps between them are the cost outside a chunk's transaction
  psql -d "dst_$name" -AtF ' ' -c "SELECT chunk, extract(epoch FROM started_at), extract(epoch FROM finished_at)
    FROM studio.chunk_ledger WHERE migration = '$id' ORDER BY started_at" \
    >"$work/ledger-$name-$round.txt" 2>/dev/null || : >"$work/ledger-$name-$round.txt"
  echo "$name $round" >>"$work/results.txt"
  echo "  $name: $(python3 -c "import json;j=json.load(open('$work/run-$name-$round.json'));print(j.get('stage_duration_ms'),'ms stage,',sum(t.get('chunks',0) for t in j.get('tables',[])),'chunks')" 2>/dev/null)"
}
read -r -a variants <<<"${BENCH_VARIANTS:-default rows whole}"
declare -A opts=([default]="" [rows]=", chunk_rows: $chunk_rows" [whole]=", chunk_bytes: 4294967296")
rounds="${BENCH_ROUNDS:-3}"
for round in $(seq 1 "$rounds"); do
  order=()
  for i in "${!variants[@]}"; do order+=("${variants[$(((i + round - 1) % ${#variants[@]}))]}"); done
  echo "round $round of $rounds: ${order[*]}"
  for v in "${order[@]}"; do run_variant "$v" "${opts[$v]}"; done
done

python3 - "$work" "$results" "$rows" "$size" "$rounds" "$chunk_rows" "$(nproc)" "$load_before" \
  "$(cut -d' ' -f1-3 /proc/loadavg)" "${BENCH_FSYNC:-on}" "$jar" <<'PY'
import sys, json, os, statistics, datetime, re
work, out, rows, size, rounds, chunk_rows, cores, load0, load1, fsync, jar = sys.argv[1:]
rounds = int(rounds)
names = {"default": "default spec (no chunk settings)", "rows": f"`chunk_rows: {int(chunk_rows):,}`",
         "whole": "whole table (`chunk_bytes: 4294967296`)"}
ran = os.environ.get("BENCH_VARIANTS", "default rows whole").split()
shown = [k for k in names if k in ran]
def run(v, r):
    try:
        return json.load(open(os.path.join(work, f"run-{v}-{r}.json")))
    except Exception:
        return {}
def chunks(j):
    return sum(t.get("chunks", 0) for t in j.get("tables", []))
stage = {v: {} for v in names}
copy = {v: {} for v in names}
nchunks = {v: {} for v in names}
for v in names:
    for r in range(1, rounds + 1):
        j = run(v, r)
        if j.get("stage_duration_ms"):
            stage[v][r] = j["stage_duration_ms"] / 1000
            copy[v][r] = j.get("duration_ms", 0) / 1000
            nchunks[v][r] = chunks(j)
def med(d):
    return statistics.median(d.values()) if d else float("nan")
lines = [f"# Per-chunk fixed cost: pgbench_accounts, {int(rows):,} rows (scale {size})", "",
         f"Run {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC on {cores} cores (load average before: {load0}; "
         f"after: {load1}), by `bench/chunk-cost.sh {size}` (jar `{jar}`), "
         f"{rounds} rounds, each running every variant once (order rotating), medians; one PostgreSQL "
         f"server (fsync {fsync}), `migrate: {{ parallelism: {os.environ.get('BENCH_PARALLELISM', '2')} }}`.", "",
         "| variant | chunks | Migrate stage s (median) | copy s (median) | per round stage s |",
         "|---|---:|---:|---:|---|"]
for v, label in names.items():
    if v not in shown:
        continue
    per = ", ".join(f"{stage[v][r]:.2f}" for r in sorted(stage[v]))
    n = med(nchunks[v])
    lines.append(f"| {label} | {n:.0f} | {med(stage[v]):.2f} | {med(copy[v]):.2f} | {per} |")
lines.append("")
# a vacuum running while a variant ran (an earlier variant's table: settle, above)
vac = []
for v in names:
    for r in range(1, rounds + 1):
        try:
            seen = [l.strip() for l in open(os.path.join(work, f"vacuum-{v}-{r}.txt"))]
        except FileNotFoundError:
            continue
        busy = [l for l in seen if l not in ("-", "?", "")]
        dbs = sorted({d for l in busy for d in l.split(",")})
        vac.append(f"{v} round {r}: {len(busy) * 0.5:.1f} s" + (f" ({', '.join(dbs)})" if dbs else ""))
settle_mode = os.environ.get("BENCH_SETTLE", "vacuum")
lines.append(f"Settle before each variant: `{settle_mode}`"
             + (" (earlier targets vacuumed, no vacuum left running, then a checkpoint)" if settle_mode == "vacuum"
                else " (a checkpoint only)")
             + ". A vacuum seen running (sampled every 0.5 s) while each variant ran: " + "; ".join(vac) + ".")
lines.append("")
paired_cost, paired_ratio = [], []
for r in range(1, rounds + 1):
    if r in stage["rows"] and r in stage["whole"]:
        extra = nchunks["rows"][r] - nchunks["whole"][r]
        if extra > 0:
            paired_cost.append((stage["rows"][r] - stage["whole"][r]) / extra * 1000)
        paired_ratio.append(stage["rows"][r] / stage["whole"][r])
if paired_cost:
    lines.append(f"**Per-chunk fixed cost** ((t_rows − t_whole) / extra chunks, Migrate stage, per round): "
                 + ", ".join(f"{x:.1f}" for x in paired_cost)
                 + f" ms; median **{statistics.median(paired_cost):.1f} ms** (goal ≤ 20 ms).")
    lines.append("")
    lines.append(f"**Ratio** t_rows / t_whole per round: " + ", ".join(f"{x:.2f}" for x in paired_ratio)
                 + f"; median **{statistics.median(paired_ratio):.2f}×** (goal ≤ 1.2×).")
    lines.append("")
# where a chunk's time goes, for the chunk_rows variant: the worker's timings and the ledger's gaps
lines += ["Where a chunk's time goes (`chunk_rows` variant, all rounds; worker `chunk-timing` debug lines and the ledger):", "",
          "| phase | median ms | mean ms |", "|---|---:|---:|"]
ph = {"mapping_ms": [], "connect_ms": [], "copy_ms": [], "release_ms": []}
for r in range(1, rounds + 1):
    try:
        for line in open(os.path.join(work, f"timing-rows-{r}.log")):
            for k in ph:
                m = re.search(k + r"=([\d.]+)", line)
                if m:
                    ph[k].append(float(m.group(1)))
    except FileNotFoundError:
        pass
labels = {"mapping_ms": "activity: mapping.yaml of the chunk (cached by commit)",
          "connect_ms": "connections (source + target: borrowed, or opened)",
          "copy_ms": "the chunk's work (ledger lock, range delete, COPY, ledger update, commit)",
          "release_ms": "connections handed back (or closed)"}
for k, v in ph.items():
    if v:
        lines.append(f"| {labels[k]} | {statistics.median(v):.2f} | {statistics.mean(v):.2f} |")
gaps, inside = [], []
for r in range(1, rounds + 1):
    try:
        led = [tuple(map(float, l.split()[1:3])) for l in open(os.path.join(work, f"ledger-rows-{r}.txt")) if l.strip()]
    except FileNotFoundError:
        continue
    if len(led) < 2:
        continue
    par = int(os.environ.get("BENCH_PARALLELISM", "2"))
    window = max(f for _, f in led) - min(s for s, _ in led)
    busy = sum(f - s for s, f in led)
    inside.append(busy / len(led) * 1000)
    gaps.append((window * par - busy) / len(led) * 1000)
# a slot's next chunk either follows in the same activity (a batch of consecutive chunks, issue 17)
# or waits for the next activity: the batch size is the workflow's (ChunkBatches.size)
same, next_act = [], []
for r in range(1, rounds + 1):
    try:
        led = {int(l.split()[0]): tuple(map(float, l.split()[1:3]))
               for l in open(os.path.join(work, f"ledger-rows-{r}.txt")) if l.strip()}
    except FileNotFoundError:
        continue
    n = len(led)
    par = int(os.environ.get("BENCH_PARALLELISM", "2"))
    size = max(1, min(16, -(-n // (par * 4))))
    for c in sorted(led):
        if c - 1 in led and c // size == (c - 1) // size:
            same.append((led[c][0] - led[c - 1][1]) * 1000)
    # across activities: a batch's first chunk after the end of the slot's previous batch is not
    # known from the ledger alone; the nearest earlier finish of any chunk bounds it from below
    for c in sorted(led):
        if c % size == 0 and c > 0:
            before = [f for s_, f in led.values() if f <= led[c][0]]
            if before:
                next_act.append((led[c][0] - max(before)) * 1000)
if same:
    lines.append(f"| next chunk in the same activity (a batch): previous finished_at → started_at | {statistics.median(same):.2f} | {statistics.mean(same):.2f} |")
if next_act:
    lines.append(f"| first chunk of the next activity: the latest earlier finished_at → its started_at | {statistics.median(next_act):.2f} | {statistics.mean(next_act):.2f} |")
if gaps:
    lines.append(f"| inside the chunk's transaction, after the ledger lock (ledger started_at → finished_at) | | {statistics.mean(inside):.2f} |")
    lines.append(f"| between chunks, per slot (dispatch, workflow tasks, connections, ledger lock: window × parallelism − busy) / chunks | | {statistics.mean(gaps):.2f} |")
# CPU seconds per variant by role (cpu_ticks before and after each variant), medians of rounds
def ticks(v, r, when):
    out = {}
    try:
        for l in open(os.path.join(work, f"cpu-{when}-{v}-{r}.txt")):
            pid, role, t = l.split()
            out[(pid, role)] = int(t)
    except FileNotFoundError:
        return None
    return out
hz = os.sysconf("SC_CLK_TCK")
cpu = {v: {} for v in names}
for v in names:
    for r in range(1, rounds + 1):
        a, b = ticks(v, r, "before"), ticks(v, r, "after")
        if a is None or b is None:
            continue
        per = {}
        for (pid, role), t in b.items():
            if role == "postmaster":
                continue
            used = (t - a.get((pid, role), 0)) / hz
            if role.startswith("pg-backend-") and role != "pg-backend-src":
                role = "pg-backend-target"
            per[role] = per.get(role, 0) + used
        cpu[v][r] = per
if any(cpu[v] for v in names):
    roles = sorted({k for v in names for p in cpu[v].values() for k in p})
    lines += ["", "CPU seconds used while each variant ran (user + system, median of rounds; `cpu_ticks`):", "",
              "| role | " + " | ".join(shown) + " | (rows − whole) per extra chunk, ms |",
              "|---|" + "---:|" * (len(shown) + 1)]
    extra = med(nchunks["rows"]) - med(nchunks["whole"])
    def m(v, k):
        xs = [p.get(k, 0.0) for p in cpu[v].values()]
        return statistics.median(xs) if xs else float("nan")
    for k in roles + ["total"]:
        if k == "total":
            vals = {v: statistics.median([sum(p.values()) for p in cpu[v].values()]) if cpu[v] else float("nan") for v in names}
        else:
            vals = {v: m(v, k) for v in names}
        per_chunk = (vals["rows"] - vals["whole"]) / extra * 1000 if extra > 0 else float("nan")
        lines.append(f"| {k} | " + " | ".join(f"{vals[v]:.2f}" for v in shown) + f" | {per_chunk:.1f} |")
lines += ["",
          "The Migrate stage is `run.json`'s `stage_duration_ms` (target tables, chunk planning, the copy, "
          "the index builds). The machine's load matters: with other work on its two cores, these figures are "
          "indicative only; rerun on a quiet machine for the record."]
open(out, "w").write("\n".join(lines) + "\n")
print(open(out).read())
PY

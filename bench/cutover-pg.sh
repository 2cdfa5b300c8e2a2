#!/usr/bin/env bash
# Live cutover and rollback under load (issue 15): a pgbench database on a stock PostgreSQL keeps
# taking writes at a fixed rate (`pgbench -N -R RATE`) for the whole run, while the studio migrates
# it online (`migrate.strategy: online`) to a second database on the same server, cuts over with a
# `config-file` switch, keeps the reverse stream running, and is rolled back with `studio
# rollback ID`. A probe application (testkit's ProbeWriter, compiled from its source) inserts one
# row every 10 ms into the database the config file names, from the Validation stage (once the
# copy is over) through every switch to the end of the round.
#
#   bench/cutover-pg.sh [SCALE] [RATE] [ROUNDS]
#     SCALE   pgbench scale (100 = 10M rows; default 10)
#     RATE    source transactions per second, pgbench -R (default 200)
#     ROUNDS  migrations, each cut over and rolled back (default 3); medians reported
#
# The pgbench load follows the switch as an application would: it runs against the database the
# config file names, and when the freeze refuses its writes (pgbench aborts on SQLState 25006) it
# starts again against whatever the file names then. The spec is the default one but for what the
# cutover needs: `migrate.strategy: online`, `cutover: { switch: config-file, rollback: reverse,
# hypercare: PT0S }` (the migration holds after its switch, the reverse stream running, until
# `studio rollback`), `--auto-approve all`, and `validation.sample_rows: 100` as in the other
# scripts. The rollback drill runs as by default (after the cutover approval, on the real pair);
# its own switches are reported separately.
#
# Per round: the lag at the freeze and every step of 05-cutover/cutover-log.json; the
# write-unavailability window the probe saw (its last acknowledged write on the source to its first
# on the target, at the cutover's switch) next to the studio's own figure; the rollback's time
# (rollback-log.json `rollback_millis`: target frozen to source writable; the probe's window back;
# `studio rollback` asked to the config file switched back); and that every acknowledged probe
# write is on the final primary (the source, after the rollback).
#
# Environment: BENCH_HOLD (seconds on the target, with the load, before the rollback; default 10),
# BENCH_DRILL (cutover.drill; default: the spec's default), BENCH_MAX_LAG (cutover.max_lag;
# default: the spec's default PT5S), BENCH_PG_PORT, BENCH_TEMPORAL_PORT, BENCH_JAR, BENCH_RESULTS.
# Needs (Debian): postgresql, a JDK (javac). Results: bench/results/cutover-pg-s<SCALE>.md
# (committed); work files under bench/work/cutover.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
scale="${1:-10}"
rate="${2:-200}"
rounds="${3:-3}"
hold="${BENCH_HOLD:-10}"
work="$here/work/cutover"
port="${BENCH_PG_PORT:-54379}"
tport="${BENCH_TEMPORAL_PORT:-57533}"
aport=$((tport + 1))
hport=$((tport + 2))
results="${BENCH_RESULTS:-$here/results/cutover-pg-s${scale}.md}"
mkdir -p "$here/results"
. "$here/lib.sh"

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
bench_pg_path
bench_work "$work"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
app="$work/app.properties"
# the load loop's pgbench is not a child the cleanup knows: stop it by its pid file
bench_stop_extra() {
  touch "$work/stop-load"
  [ -f "$work/pgbench.pid" ] && kill "$(cat "$work/pgbench.pid")" 2>/dev/null || true
}
# a stock server but for what logical decoding needs
bench_pg_start "$port" "-c wal_level=logical -c max_replication_slots=10 -c max_wal_senders=10"
psql -d postgres -c "CREATE DATABASE src"
pgbench $P -i -s "$scale" -q src >/dev/null 2>&1
# every table needs a key for an online migration (pgbench_history has none)
psql -d src -c "ALTER TABLE pgbench_history ADD COLUMN hid bigserial PRIMARY KEY"
# the probe's table: ProbeWriter.createTableSql
psql -d src -c "CREATE TABLE probe (id bigserial PRIMARY KEY, seq bigint NOT NULL UNIQUE,
  written_at timestamptz NOT NULL DEFAULT clock_timestamp())"
src_url="jdbc:postgresql://127.0.0.1:$port/src"
echo "source: pgbench scale $scale, load $rate tps (pgbench -N) following the switch, $rounds rounds"

bench_jar
# the probe writer from testkit's source (it needs only the JDK); the JDBC driver from the studio jar
javac -d "$work/probe" "$root/testkit/src/main/java/io/migrationstudio/testkit/ProbeWriter.java"

# the application load: pgbench against the database the config file names now
load_db() {
  if [ -f "$app" ] && cat "$app" 2>/dev/null | tr -d '\\' | grep -q "^url=.*/dst_r[0-9]*$"; then
    cat "$app" 2>/dev/null | tr -d '\\' | sed -n 's|^url=.*/\(dst_r[0-9]*\)$|\1|p' | head -1
  else
    echo src
  fi
}
(
  while [ ! -f "$work/stop-load" ]; do
    db="$(load_db)"
    echo "$(date +%s.%N) $db" >>"$work/load-segments.txt"
    pgbench $P -n -N -R "$rate" -c 2 -j 2 -T 100000 "$db" >>"$work/pgbench.log" 2>&1 &
    echo $! >"$work/pgbench.pid"
    wait $! || true
    sleep 0.2
  done
) &
pids+=($!)
load_t0=$(date +%s.%N)
sleep 3

home="$work/studio-home"
bench_studio_start "$home" "$tport"
state_of() {
  curl -sf --max-time 20 "http://127.0.0.1:$hport/api/migrations/$1" 2>/dev/null |
    python3 -c 'import json,sys; j=json.load(sys.stdin); print(j.get("stage","-"), j.get("state","-"))' 2>/dev/null ||
    echo "- -"
}
branch_file() { # id, path
  git --git-dir "$home/artifacts/remote.git" show "migrations/$1:$2" 2>/dev/null
}

for round in $(seq 1 "$rounds"); do
  dst="dst_r$round"
  psql -d postgres -c "DROP DATABASE IF EXISTS $dst" -c "CREATE DATABASE $dst"
  rm -f "$app" "$app.pre-cutover"
  psql -d src -c "TRUNCATE probe"
  id="bench-cutover-s${scale}-$(date +%s)-r$round"
  {
    echo "id: $id"
    echo "source: { url: \"$src_url\", user: postgres }"
    echo "target: { url: \"jdbc:postgresql://127.0.0.1:$port/$dst\", user: postgres }"
    echo "migrate: { strategy: online }"
    echo "validation: { sample_rows: 100 }"
    printf 'cutover: { hypercare: PT0S, rollback: reverse, switch: { type: config-file, path: "%s" }' "$app"
    [ -n "${BENCH_DRILL:-}" ] && printf ', drill: %s' "$BENCH_DRILL"
    [ -n "${BENCH_MAX_LAG:-}" ] && printf ', max_lag: %s' "$BENCH_MAX_LAG"
    echo " }"
  } >"$work/spec-$round.yaml"
  echo "round $round of $rounds: $id"
  r="$work/round-$round"
  mkdir -p "$r"
  probe=""
  t_start=$(date +%s.%N)
  # on a loaded machine the client may time out whether or not the server started the migration:
  # ask again until the server knows it (a second start of a running one is refused harmlessly)
  for attempt in 1 2 3; do
    studio start "$work/spec-$round.yaml" --auto-approve all --server "127.0.0.1:$aport" >>"$r/start.log" 2>&1 && break
    echo "  studio start (attempt $attempt): $(tail -1 "$r/start.log")" >&2
    [ "$(state_of "$id")" != "- -" ] && break
  done
  # the cutover's switch: the config file names the target, the drill's switch back is over, and
  # the cutover log is on the branch (the drill writes the same file and puts it back)
  outcome=""
  deadline=$(($(date +%s) + ${BENCH_TIMEOUT:-3600}))
  while :; do
    st="$(state_of "$id")"
    echo "$(date +%s.%N) $st $(load_db)" >>"$r/states.txt"
    case "$st" in *FAILED | *CANCELLED | *COMPLETED | *REJECTED) outcome="ended before the rollback: $st"; break ;; esac
    # the probe application starts once the copy is over (the stream runs, Validation compares):
    # its 100 inserts/s are not part of the load RATE the catch-up is measured under, and it must
    # be writing before the drill and the cutover's freeze
    if [ -z "$probe" ] && case "$st" in VALIDATION* | CUTOVER*) true ;; *) false ;; esac; then
      PROBE_ACKS="$r/acks.txt" java -Xmx128m -cp "$work/probe:$jar" io.migrationstudio.testkit.ProbeWriter \
        probe "$app" "$src_url" "jdbc:postgresql://127.0.0.1:$port/$dst" postgres 0 >"$r/probe.json" 2>"$r/probe.err" &
      probe=$!
      pids+=($probe)
    fi
    if [ "$(load_db)" = "$dst" ] && branch_file "$id" 05-cutover/cutover-log.json >"$r/cutover-log.json"; then
      break
    fi
    [ "$(date +%s)" -gt "$deadline" ] && { outcome="no switch within ${BENCH_TIMEOUT:-3600} s: $st"; break; }
    sleep 0.5
  done
  t_switch=$(date +%s.%N)
  t_ask=0 t_asked=0 t_back=0 t_done=0
  if [ -z "$outcome" ]; then
    echo "  switched; $hold s on the target under load, then studio rollback"
    sleep "$hold"
    t_ask=$(date +%s.%N)
    asked=""
    for _ in $(seq 1 60); do
      # the workflow takes a rollback once it holds after the switch
      if studio rollback "$id" --server "127.0.0.1:$aport" --reason "bench round $round" >>"$r/rollback.log" 2>&1; then
        asked=1
        break
      fi
      sleep 1
    done
    t_asked=$(date +%s.%N)
    if [ -z "$asked" ]; then
      outcome="studio rollback refused, see $r/rollback.log"
    else
      # switched back (the config file names the source), or the rollback failed (its log says
      # FAIL and the migration holds on, the target taking writes)
      deadline=$(($(date +%s) + 600))
      i=0
      failed=""
      while [ "$(load_db)" = "$dst" ] && [ "$(date +%s)" -lt "$deadline" ]; do
        i=$((i + 1))
        if [ $((i % 20)) = 0 ] && branch_file "$id" 05-cutover/rollback-log.json >"$r/rollback-log.json" &&
          grep -q '"verdict" *: *"FAIL"' "$r/rollback-log.json"; then
          failed=1
          break
        fi
        sleep 0.1
      done
      t_back=$(date +%s.%N)
      [ -n "$failed" ] && t_back=0
      while [ -z "$failed" ]; do
        st="$(state_of "$id")"
        echo "$(date +%s.%N) $st $(load_db)" >>"$r/states.txt"
        case "$st" in *FAILED | *CANCELLED | *COMPLETED | *REJECTED) break ;; esac
        [ "$(date +%s)" -gt "$deadline" ] && break
        sleep 0.5
      done
      t_done=$(date +%s.%N)
      outcome="$st"
      branch_file "$id" 05-cutover/rollback-log.json >"$r/rollback-log.json" || true
      if [ -n "$failed" ]; then
        t_done=0
        outcome="rollback failed: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("summary", "")[:300])' "$r/rollback-log.json" 2>/dev/null)"
      fi
    fi
  fi
  branch_file "$id" 05-cutover/drill.json >"$r/drill.json" || true
  # the probe writes on the final primary (the database the config file names: the source after
  # a rollback) for a few seconds more, then reports
  sleep 3
  if [ -n "$probe" ]; then
    kill "$probe" 2>/dev/null || true
    wait "$probe" 2>/dev/null || true
  fi
  final="$(load_db)"
  echo "$final" >"$r/final-primary.txt"
  psql -d "$final" -Atc "SELECT seq FROM probe" >"$r/final-seqs.txt"
  echo "$t_start $t_switch $t_ask $t_asked $t_back $t_done" >"$r/times.txt"
  echo "$outcome" >"$r/outcome.txt"
  echo "  $outcome; probe: $(cat "$r/probe.json" 2>/dev/null)"
  # leave nothing behind for the next round: the migration ended (a cancel after a failed rollback
  # keeps the source frozen: release it), the load back on the source, the target dropped
  studio cancel "$id" --reason "benchmark round over" --server "127.0.0.1:$aport" >"$r/cancel.log" 2>&1 || true
  studio release "$work/spec-$round.yaml" --home "$home" >"$r/release.log" 2>&1 || true
  rm -f "$app" "$app.pre-cutover"
  kill "$(cat "$work/pgbench.pid")" 2>/dev/null || true
  psql -d postgres -c "DROP DATABASE IF EXISTS $dst WITH (FORCE)" >/dev/null 2>&1 || true
done

touch "$work/stop-load"
kill "$(cat "$work/pgbench.pid")" 2>/dev/null || true
sleep 1
load_secs=$(python3 -c "import time; print(round(time.time() - $load_t0, 1))")
history=$(psql -d src -Atc "SELECT count(*) FROM pgbench_history")
psql -d src -Atc "SELECT slot_name FROM pg_replication_slots" >"$work/slots-left.txt" || true
psql -d src -Atc "SELECT count(*) FROM pg_trigger WHERE tgname LIKE 'studio%'" >"$work/guards-left.txt" || true

python3 - "$work" "$results" "$scale" "$rate" "$rounds" "$hold" "$history" "$load_secs" "$(nproc)" \
  "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import datetime, json, os, statistics, sys
work, out, scale, rate, rounds, hold, history, load_secs, cores, load0, load1 = sys.argv[1:]
rounds = int(rounds)

def load(path):
    try:
        return json.load(open(path))
    except Exception:
        return {}

def transitions(acks):
    """(from, to, ms, last_ack_seq, first_ack_seq) for every change of endpoint, in order."""
    t = []
    for a, b in zip(acks, acks[1:]):
        if a[1] != b[1]:
            t.append((a[1], b[1], (b[2] - a[2]) * 1000, a[0], b[0]))
    return t

rows, steps, names = [], {}, []
for r in range(1, rounds + 1):
    d = os.path.join(work, f"round-{r}")
    acks = []
    try:
        for line in open(os.path.join(d, "acks.txt")):
            seq, ep, at = line.split()
            acks.append((int(seq), ep, float(at)))
    except FileNotFoundError:
        pass
    acks.sort(key=lambda a: a[2])
    final = set()
    try:
        final = {int(x) for x in open(os.path.join(d, "final-seqs.txt")).read().split()}
    except FileNotFoundError:
        pass
    lost = [a[0] for a in acks if a[0] not in final]
    try:
        primary = open(os.path.join(d, "final-primary.txt")).read().strip()
    except FileNotFoundError:
        primary = "?"
    outcome = open(os.path.join(d, "outcome.txt")).read().strip() if os.path.exists(os.path.join(d, "outcome.txt")) else "?"
    t_start, t_switch, t_ask, t_asked, t_back, t_done = (float(x) for x in open(os.path.join(d, "times.txt")).read().split())
    log = load(os.path.join(d, "cutover-log.json"))
    rb = load(os.path.join(d, "rollback-log.json"))
    live = log.get("live") or {}
    tr = transitions(acks)
    # the cutover's switch is the last source -> target before the rollback's target -> source;
    # earlier pairs are the drill's rehearsal
    cut = back = None
    for i, x in enumerate(tr):
        if x[0] == "source" and x[1] == "target":
            nxt = tr[i + 1] if i + 1 < len(tr) else None
            cut, back = x, nxt
    drill = [x for x in tr if cut is None or x is not cut and x is not back]
    for s in log.get("steps", []):
        n = s.get("name")
        if n not in names:
            names.append(n)
        steps.setdefault(n, {})[r] = s.get("millis")
    rows.append({
        "round": r, "outcome": outcome, "verdict": log.get("verdict", "-"),
        "lag": live.get("lag_ms"), "window": cut[2] if cut else None,
        "studio_window": live.get("write_unavailable_ms"), "drain": live.get("drain_ms"),
        "rollback": rb.get("rollback_millis"), "rb_verdict": rb.get("verdict", "-"),
        "back": back[2] if back else None,
        "ask_to_back": (t_back - t_ask) * 1000 if t_back and t_ask else None,
        "ask_to_done": (t_done - t_ask) * 1000 if t_done and t_ask else None,
        "acks": len(acks), "on_target": sum(1 for a in acks if a[1] == "target"), "lost": lost, "primary": primary,
        "drill": drill, "start_to_switch": t_switch - t_start,
    })

def fmt(v, unit=" ms"):
    return "—" if v is None else f"{v:,.0f}{unit}"

def med(key):
    v = [x[key] for x in rows if x[key] is not None]
    return statistics.median(v) if v else None

lines = [f"# Live cutover and rollback under load: pgbench scale {scale}, {rate} tps of `pgbench -N`", "",
         f"Run {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC on {cores} cores (load average before: {load0}, "
         f"after: {load1}), one stock PostgreSQL server "
         f"(wal_level=logical) for source and targets, by `bench/cutover-pg.sh {scale} {rate} {rounds}`: "
         "per round a studio `online` migration (default spec but `cutover: { switch: config-file, rollback: reverse, "
         f"hypercare: PT0S }}`, auto-approved) cut over under the load, {hold} s on the target, then `studio rollback`. "
         "The load and a probe writer (one insert every 10 ms, from the Validation stage on) follow the config file.", "",
         "| round | outcome | cutover verdict | lag at freeze | write-unavailable (probe) | (studio's freeze → switch) | drain | rollback (`rollback_millis`) | rollback seen by the probe | `studio rollback` → switched back | probe writes (on target) | lost |",
         "|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
for x in rows:
    lines.append(f"| {x['round']} | {x['outcome']} | {x['verdict']} | {fmt(x['lag'])} | {fmt(x['window'])} | "
                 f"{fmt(x['studio_window'])} | {fmt(x['drain'])} | {fmt(x['rollback'])} ({x['rb_verdict']}) | "
                 f"{fmt(x['back'])} | {fmt(x['ask_to_back'])} | {x['acks']:,} ({x['on_target']:,}) | {len(x['lost'])} |")
lines.append(f"| **median** | | | {fmt(med('lag'))} | **{fmt(med('window'))}** | {fmt(med('studio_window'))} | "
             f"{fmt(med('drain'))} | **{fmt(med('rollback'))}** | {fmt(med('back'))} | {fmt(med('ask_to_back'))} | | "
             f"{sum(len(x['lost']) for x in rows)} |")
lines += ["", "Goal (issue 15): write-unavailability ≤ 5 s under load (moonshot ≤ 1 s), no acknowledged write lost.", ""]
lost = [(x["round"], x["lost"][:10]) for x in rows if x["lost"]]
lines.append("Every acknowledged probe write is on the final primary (the database the config file names at "
             "the end: " + ", ".join(f"round {x['round']}: {x['primary']}" for x in rows) + "): "
             + ("yes, every round." if not lost else "**no**: " + "; ".join(f"round {r}: seq {s}" for r, s in lost)))
lines.append("")
if any(x["drill"] for x in rows):
    lines.append("The rollback drill's own switches, as the probe saw them (ms): " + "; ".join(
        f"round {x['round']}: " + ", ".join(f"{a}→{b} {ms:,.0f}" for a, b, ms, *_ in x["drill"])
        for x in rows if x["drill"]) + ".")
    lines.append("")
if names:
    lines += ["Steps of `05-cutover/cutover-log.json` (ms):", "",
              "| step | median | per round |", "|---|---:|---|"]
    for n in names:
        v = [steps[n][r] for r in sorted(steps[n]) if steps[n][r] is not None]
        lines.append(f"| {n} | {statistics.median(v):,.0f} | {', '.join(f'{m:,}' for m in v)} |" if v else f"| {n} | — | |")
    lines.append("")
slots = open(os.path.join(work, "slots-left.txt")).read().split()
guards = open(os.path.join(work, "guards-left.txt")).read().strip() or "?"
lines += [f"The source took {int(history):,} pgbench transactions in {float(load_secs):.0f} s "
          f"({int(history) / float(load_secs):.0f} tps; those made on the targets came back with the rollbacks). "
          f"Replication slots left on the source: {', '.join(slots) if slots else 'none'}; "
          f"studio write-guard triggers left: {guards}.", "",
          "Lag at freeze, drain and the studio's freeze → switch time are the cutover log's (`live.lag_ms`, "
          "`drain_ms`, `write_unavailable_ms`); the write-unavailability window is the probe's, from its last "
          "acknowledged write on the source to its first on the target; the rollback is `rollback-log.json`'s "
          "`rollback_millis` (target frozen to source writable), the probe's last write on the target to its "
          "first on the source, and the wall time from the `studio rollback` request to the config file naming "
          "the source again."]
open(out, "w").write("\n".join(lines) + "\n")
print(open(out).read())
PY

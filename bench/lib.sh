# shellcheck shell=bash
# What the bench scripts share (review debt D8): their private servers under the work directory
# (PostgreSQL, MariaDB), the studio as `studio server` plus a separate `studio worker migrate`,
# and one cleanup that stops everything they started. Sourced by a script after it set `here`
# and `root`:
#
#   . "$here/lib.sh"
#   bench_work "$work"                 # fresh work directory; bench_cleanup on EXIT
#   bench_pg_path                      # the newest installed PostgreSQL first on PATH
#   bench_pg_start PORT "SERVER OPTIONS"   # initdb + start under $work/data; sets P
#   bench_jar                          # sets jar (BENCH_JAR or studio-cli's, built when missing)
#   bench_studio_start HOME TPORT [WORKER JVM OPTIONS...]   # sets wpid; returns once it polls
#   bench_group COMMAND...             # in its own process group, stopped whole; sets bgpid
#   bench_sample_source OUT COMMAND... # the source's position every 0.5 s (lag, issue 14)
#   bench_sample_studio HPORT ID STEADY OUT DB   # the studio's stage and applied position
#   bench_lag_summary SOURCE SAMPLES START STEADY  # first catch-up and lag p50/p95/max as JSON
#   bench_lag_window SOURCE SAMPLES FROM TO        # lag p50/p95/max between two instants
#
# Globals: `pids` (processes the cleanup stops: append your own background jobs), `P` (the
# connection options of psql/pgbench), `wpid` (the migrate worker, whose VmHWM is the studio's
# peak RSS), `jar`.

pids=()
bench_groups=()
bench_pg_data=""
bench_my_dir=""

as_pg() { su postgres -c "$*"; }
psql() { command psql $P -X -q -v ON_ERROR_STOP=1 "$@"; }
studio() { java -Xmx512m -jar "$jar" "$@"; }

# Stops what the script started: its background processes (SIGTERM, up to 10 s, then SIGKILL: a
# JVM whose shutdown hangs must not outlive the run, it would hold the Temporal port), then its
# PostgreSQL and MariaDB servers.
bench_cleanup() {
  local p alive
  # a script's own stop first (define bench_stop_extra), e.g. a load loop that starts processes
  if declare -F bench_stop_extra >/dev/null; then bench_stop_extra || true; fi
  for p in "${bench_groups[@]}"; do bench_stop_group "$p"; done
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for _ in $(seq 1 20); do
    alive=0
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.5
  done
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  if [ -n "$bench_pg_data" ]; then
    su postgres -c "pg_ctl -D '$bench_pg_data' -m fast stop" >/dev/null 2>&1 || true
  fi
  if [ -n "$bench_my_dir" ] && [ -f "$bench_my_dir/pid" ]; then
    kill "$(cat "$bench_my_dir/pid")" 2>/dev/null || true
    for _ in $(seq 1 40); do
      kill -0 "$(cat "$bench_my_dir/pid" 2>/dev/null || echo 0)" 2>/dev/null || break
      sleep 0.5
    done
  fi
}

# A fresh work directory (owned by postgres, whose servers write there); the cleanup on EXIT.
bench_work() { # dir
  work="$1"
  trap bench_cleanup EXIT
  rm -rf "$work" && mkdir -p "$work" && chown postgres "$work"
}

bench_pg_path() {
  pgbin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  export PATH="$pgbin:$PATH"
}

# A private PostgreSQL server: initdb (trust, superuser postgres) in $work/data, started on PORT
# with the given server options (e.g. "-c wal_level=logical"), log $work/pg.log.
bench_pg_start() { # port, server options
  local port="$1" opts="${2:-}"
  bench_pg_data="$work/data"
  as_pg "initdb -D '$work/data' -U postgres -A trust >/dev/null"
  as_pg "pg_ctl -D '$work/data' -o '-p $port $opts' -l '$work/pg.log' -w start >/dev/null"
  P="-h 127.0.0.1 -p $port -U postgres"
}

# A private MariaDB server from the distribution's binaries in DIR (root by its socket
# DIR/sock, no password), on PORT, with extra server options; waits until it answers (up to 60 s).
bench_mariadb_start() { # dir, port, server options...
  local dir="$1" port="$2"
  shift 2
  bench_my_dir="$dir"
  mkdir -p "$dir"
  mariadb-install-db --no-defaults --user=root --datadir="$dir/data" \
    --auth-root-authentication-method=normal >"$dir/install.log" 2>&1
  mariadbd --no-defaults --user=root --datadir="$dir/data" --port="$port" --bind-address=127.0.0.1 \
    --socket="$dir/sock" --pid-file="$dir/pid" "$@" >"$dir/server.log" 2>&1 &
  for _ in $(seq 1 60); do
    mariadb --no-defaults -S "$dir/sock" -uroot -e 'SELECT 1' >/dev/null 2>&1 && return 0
    sleep 1
  done
  echo "MariaDB did not start, see $dir/server.log" >&2
  return 1
}

# The packages a MariaDB benchmark needs (installed when missing), PostgreSQL's and mariadbd's
# directories on PATH.
bench_mariadb_deps() {
  if ! command -v sysbench >/dev/null 2>&1 || ! [ -x /usr/sbin/mariadbd ] ||
    ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql mariadb-server mariadb-client sysbench >/dev/null
  fi
  bench_pg_path
  export PATH="$PATH:/usr/sbin"
}

# A private MariaDB for a change-capture benchmark (binlog ROW, full row image and metadata, a
# 1 GiB buffer pool, defaults otherwise) with a database `bench` and an account bench/bench that
# may do anything; defines `M` (the mariadb client as bench over TCP).
bench_mariadb_binlog_start() { # dir, port
  bench_mariadb_start "$1" "$2" --log-bin=mariadb-bin --server-id=1 --binlog-format=ROW \
    --binlog-row-image=FULL --binlog-row-metadata=FULL --innodb-buffer-pool-size=1G
  mariadb --no-defaults -S "$1/sock" -uroot <<SQL
CREATE DATABASE bench;
CREATE USER 'bench'@'%' IDENTIFIED BY 'bench';
CREATE USER 'bench'@'localhost' IDENTIFIED BY 'bench';
GRANT ALL ON *.* TO 'bench'@'%';
GRANT ALL ON *.* TO 'bench'@'localhost';
SQL
  bench_my_port="$2"
  M() { command mariadb --no-defaults -h 127.0.0.1 -P "$bench_my_port" -ubench -pbench "$@"; }
}

bench_jar() {
  jar="${BENCH_JAR:-$root/studio-cli/target/studio-all.jar}"
  [ -f "$jar" ] || (cd "$root" && ./mvnw -q -B -o -DskipTests -Dspotless.check.skip=true package -pl studio-cli -am)
}

# `studio server` with every worker but migrate (Temporal on TPORT, operator API on TPORT+1, HTTP
# on TPORT+2), then a separate `studio worker migrate` process (wpid) with the given JVM options.
# The java commands run in the background themselves (not a shell function), so the pids are the
# JVMs the cleanup must stop.
bench_studio_start() { # home, temporal port, worker JVM options...
  local home="$1" tport="$2"
  shift 2
  java -Xmx512m -jar "$jar" server --workers assessment,validation,cutover --home "$home" --port "$tport" \
    --api-port "$((tport + 1))" --http-port "$((tport + 2))" >"$work/studio-server.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 240); do
    # connect without sending a byte (a newline on the gRPC port is logged as a bad HTTP/2 preface)
    (: <>"/dev/tcp/127.0.0.1/$((tport + 1))") 2>/dev/null &&
      (: <>"/dev/tcp/127.0.0.1/$((tport + 2))") 2>/dev/null && break
    sleep 0.5
  done
  java -Xmx512m "$@" -jar "$jar" worker migrate --temporal "127.0.0.1:$tport" --home "$home" \
    >"$work/studio-worker-migrate.log" 2>&1 &
  wpid=$!
  pids+=($wpid)
  # a standing worker, as the server: the run starts once it polls (its JVM took 7 s idle and 70 s
  # at load 40, and a migration started before that waited for it in PrepareTarget, issue 14)
  for _ in $(seq 1 480); do
    grep -q '^studio worker migrate: polling' "$work/studio-worker-migrate.log" 2>/dev/null && break
    kill -0 "$wpid" 2>/dev/null || break
    sleep 0.5
  done
}

# The studio of an online benchmark: started on HOME (Temporal on TPORT, see bench_studio_start),
# the spec (migrate.strategy online, default otherwise; the cutover waits at an ask gate) of
# migration ID from SOURCE to TARGET (the spec's connection maps) written to $work/spec.yaml, and
# the migration started with every gate before the cutover auto-approved. Sets t0 (when the start
# was asked). ATTEMPTS (default 1) > 1: on a loaded machine the client may time out whether or not
# the server started the migration, so ask again until the server knows it (a second start of a
# running one is refused harmlessly).
bench_online_studio() { # home, temporal port, id, source, target, attempts
  local home="$1" tport="$2" id="$3" source="$4" target="$5" attempts="${6:-1}"
  bench_studio_start "$home" "$tport"
  cat >"$work/spec.yaml" <<YAML
id: $id
source: $source
target: $target
migrate: { strategy: online }
validation: { sample_rows: 100 }
reviews: { cutover: ask, identity: none }
YAML
  t0=$(date +%s.%N)
  if [ "$attempts" -le 1 ]; then
    studio start "$work/spec.yaml" --auto-approve assessment,mapping,migrate,validation \
      --server "127.0.0.1:$aport" >>"$work/studio-start.log" 2>&1
    return
  fi
  local attempt
  for attempt in $(seq 1 "$attempts"); do
    studio start "$work/spec.yaml" --auto-approve assessment,mapping,migrate,validation \
      --server "127.0.0.1:$aport" >>"$work/studio-start.log" 2>&1 && break
    echo "studio start (attempt $attempt): $(tail -1 "$work/studio-start.log")" >&2
    curl -sf --max-time 20 "http://127.0.0.1:$hport/api/migrations/$id" >/dev/null 2>&1 && break
  done
  return 0
}

# A background command in its own process group (setsid), stopped as a group by the cleanup: a
# tool that forks workers (pgcopydb's prefetch, transform and catch-up processes) leaves none
# behind when its parent is stopped. Sets bgpid (the group leader; its pid is the group id).
bench_group() { # command...
  setsid "$@" &
  bgpid=$!
  bench_groups+=("$bgpid")
}
bench_stop_group() { # pgid
  local g="$1"
  kill -TERM -- "-$g" 2>/dev/null || return 0
  for _ in $(seq 1 20); do
    kill -0 -- "-$g" 2>/dev/null || return 0
    sleep 0.5
  done
  kill -KILL -- "-$g" 2>/dev/null || true
}

# ---- lag: the source's head against what a tool applied on its target (issue 14's measure) ----
# A position is a token: an integer (PostgreSQL WAL bytes, `pg_lsn - '0/0'`) or FILE:OFFSET (a
# MariaDB binlog position); "-" when there is none (yet).

# The source's head every 0.5 s for the whole run, "epoch_seconds TOKEN" lines in OUT; COMMAND
# (a shell function is fine) prints the token.
bench_sample_source() { # out, command...
  local out="$1"
  shift
  (
    while :; do
      printf '%s %s\n' "$(date +%s.%N)" "$("$@" 2>/dev/null || echo -)"
      sleep 0.5
    done
  ) >"$out" &
  pids+=($!)
}

# The studio's run every 0.5 s: "epoch_seconds stage state TOKEN changes" lines in OUT, TOKEN the
# position the target has committed (studio.stream_position, written in the same transaction as
# the changes; none before the stream applied its first transaction after the copy), from the
# operator HTTP API on HPORT and the target database DB on this machine's PostgreSQL (the psql
# connection options P). Returns once the migration ended or STEADY + 10 s after the stream first
# committed in Validation or Cutover.
bench_sample_studio() { # http port, migration id, steady seconds, out, target database
  python3 - "$1" "$2" "$3" "$4" "$5" "$P" <<'PY' || true
import json, subprocess, sys, time, urllib.request
port, mid, steady, out, db, conn = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6]
def token(text):
    """pg:<lsn> as WAL bytes, binlog:<file>:<offset>[...] as FILE:OFFSET, else '-'."""
    if text.startswith("binlog:"):
        parts = text.split(":")
        return f"{parts[1]}:{int(parts[2])}" if len(parts) >= 3 and parts[2].isdigit() else "-"
    if "/" in text:
        hi, lo = text.split(":")[-1].split("/")[:2]
        return str((int(hi, 16) << 32) + int(lo, 16))
    return "-"
def applied():
    r = subprocess.run(["psql", *conn.split(), "-X", "-d", db, "-Atc",
                        "SELECT position || ' ' || changes FROM studio.stream_position LIMIT 1"],
                       capture_output=True, text=True)
    parts = r.stdout.split()
    return (token(parts[0]), parts[1]) if len(parts) == 2 else ("-", 0)
first = None
with open(out, "w") as f:
    deadline = time.time() + 3600
    while time.time() < deadline:
        try:
            st = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/api/migrations/{mid}", timeout=10))
        except Exception:
            time.sleep(0.5)
            continue
        stage, state = st.get("stage"), st.get("state")
        pos, changes = applied()
        f.write(f"{time.time():.3f} {stage} {state} {pos} {changes}\n")
        f.flush()
        if state in ("FAILED", "COMPLETED", "CANCELLED"):
            break
        if first is None and stage in ("VALIDATION", "CUTOVER") and pos != "-":
            first = time.time()
        if first is not None and time.time() - first > steady + 10:
            break
        time.sleep(0.5)
PY
}

# The lag of one tool, one JSON line on stdout (bench/lag.py: how it is measured): SOURCE
# (bench_sample_source's file) against SAMPLES ("epoch_seconds stage state TOKEN changes" lines:
# bench_sample_studio's, or a script's own for another tool). The first catch-up is the first
# sample with a position (the tool applies after its copy) and a lag below 5 s (the studio's
# default migrate.max_lag), counted from START (epoch seconds); the steady state is the STEADY
# seconds after it: lag p50/p95/max, applied changes/s (from the samples' change counts) and
# position bytes/s (PostgreSQL positions only).
# {"first": seconds or null, "p50", "p95", "max", "samples", "span", "changes_per_s", "bytes_per_s"}
bench_lag_summary() { # source file, samples file, start epoch, steady seconds
  python3 "$here/lag.py" summary "$@"
}

# The same figures over the samples between FROM and TO (epoch seconds), whatever the lag.
bench_lag_window() { # source file, samples file, from epoch, to epoch
  python3 "$here/lag.py" window "$@"
}

# ---- the cutover benchmarks' report (bench/cutover-pg.sh, bench/cutover-mariadb.sh) ----
# WORK/round-N/ holds, per round: acks.txt (ProbeWriter's PROBE_ACKS: "seq endpoint epoch"),
# final-seqs.txt (the probe seqs on the final primary), final-primary.txt, outcome.txt, times.txt
# ("start switch ask asked back done" epochs, 0 when not reached), cutover-log.json and
# rollback-log.json (from the branch). The report: HEADER (title and how it was run), one row per
# round and the medians (lag at freeze, the probe's windows, rollback times, lost writes), every
# cutover-log step, then FOOTER (the load the source took, what was left behind).
bench_cutover_report() { # work, results, rounds, header file, footer file
  python3 - "$@" <<'PY'
import datetime, json, os, statistics, sys
work, out, rounds, header, footer = sys.argv[1:]
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

lines = open(header).read().strip().splitlines() + ["",
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
lines += [open(footer).read().strip(), "",
          "Lag at freeze, drain and the studio's freeze → switch time are the cutover log's (`live.lag_ms`, "
          "`drain_ms`, `write_unavailable_ms`); the write-unavailability window is the probe's, from its last "
          "acknowledged write on the source to its first on the target; the rollback is `rollback-log.json`'s "
          "`rollback_millis` (target frozen to source writable), the probe's last write on the target to its "
          "first on the source, and the wall time from the `studio rollback` request to the config file naming "
          "the source again."]
open(out, "w").write("\n".join(lines) + "\n")
print(open(out).read())
PY
}

# One round of a cutover benchmark (bench/cutover-pg.sh, bench/cutover-mariadb.sh), after the
# script wrote "$work/spec-$round.yaml": start the migration on the studio server, start the probe
# once the copy is over, wait for the switch, hold $hold s on the target, `studio rollback`, wait
# for the switch back, stop the probe and record under "$work/round-$round" what
# bench_cutover_report reads. The script defines `load_db` (the database the config file "$app"
# names: "src" or the round's target), `bench_probe_start ROUNDDIR DST` (runs the probe writer in
# the foreground until killed) and `bench_probe_seqs DB` (prints the probe's seqs on DB).
bench_state_of() { # migration id: "STAGE STATE" from the server's HTTP API, "- -" when unknown
  curl -sf --max-time 20 "http://127.0.0.1:$hport/api/migrations/$1" 2>/dev/null |
    python3 -c 'import json,sys; j=json.load(sys.stdin); print(j.get("stage","-"), j.get("state","-"))' 2>/dev/null ||
    echo "- -"
}
bench_branch_file() { # migration id, path: the file on the migration's branch
  git --git-dir "$home/artifacts/remote.git" show "migrations/$1:$2" 2>/dev/null
}
bench_cutover_round() { # round, migration id, target database
  local round="$1" id="$2" dst="$3" r probe st outcome deadline t_start t_switch t_ask t_asked t_back t_done
  local asked i failed final
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
    [ "$(bench_state_of "$id")" != "- -" ] && break
  done
  # the cutover's switch: the config file names the target, the drill's switch back is over, and
  # the cutover log is on the branch (the drill writes the same file and puts it back)
  outcome=""
  deadline=$(($(date +%s) + ${BENCH_TIMEOUT:-3600}))
  while :; do
    st="$(bench_state_of "$id")"
    echo "$(date +%s.%N) $st $(load_db)" >>"$r/states.txt"
    case "$st" in *FAILED | *CANCELLED | *COMPLETED | *REJECTED) outcome="ended before the rollback: $st"; break ;; esac
    # the probe application starts once the copy is over (the stream runs, Validation compares):
    # its 100 inserts/s are not part of the load RATE the catch-up is measured under, and it must
    # be writing before the drill and the cutover's freeze
    if [ -z "$probe" ] && case "$st" in VALIDATION* | CUTOVER*) true ;; *) false ;; esac; then
      bench_probe_start "$r" "$dst" >"$r/probe.json" 2>"$r/probe.err" &
      probe=$!
      pids+=($probe)
    fi
    if [ "$(load_db)" = "$dst" ] && bench_branch_file "$id" 05-cutover/cutover-log.json >"$r/cutover-log.json"; then
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
        if [ $((i % 20)) = 0 ] && bench_branch_file "$id" 05-cutover/rollback-log.json >"$r/rollback-log.json" &&
          grep -q '"verdict" *: *"FAIL"' "$r/rollback-log.json"; then
          failed=1
          break
        fi
        sleep 0.1
      done
      t_back=$(date +%s.%N)
      [ -n "$failed" ] && t_back=0
      while [ -z "$failed" ]; do
        st="$(bench_state_of "$id")"
        echo "$(date +%s.%N) $st $(load_db)" >>"$r/states.txt"
        case "$st" in *FAILED | *CANCELLED | *COMPLETED | *REJECTED) break ;; esac
        [ "$(date +%s)" -gt "$deadline" ] && break
        sleep 0.5
      done
      t_done=$(date +%s.%N)
      outcome="$st"
      bench_branch_file "$id" 05-cutover/rollback-log.json >"$r/rollback-log.json" || true
      if [ -n "$failed" ]; then
        t_done=0
        outcome="rollback failed: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("summary", "")[:300])' "$r/rollback-log.json" 2>/dev/null)"
      fi
    fi
  fi
  bench_branch_file "$id" 05-cutover/drill.json >"$r/drill.json" || true
  # the probe writes on the final primary (the database the config file names: the source after
  # a rollback) for a few seconds more, then reports
  sleep 3
  if [ -n "$probe" ]; then
    kill "$probe" 2>/dev/null || true
    wait "$probe" 2>/dev/null || true
  fi
  final="$(load_db)"
  echo "$final" >"$r/final-primary.txt"
  bench_probe_seqs "$final" >"$r/final-seqs.txt"
  echo "$t_start $t_switch $t_ask $t_asked $t_back $t_done" >"$r/times.txt"
  echo "$outcome" >"$r/outcome.txt"
  echo "  $outcome; probe: $(cat "$r/probe.json" 2>/dev/null)"
}

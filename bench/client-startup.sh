#!/usr/bin/env bash
# Client start-up (issue 17): wall and CPU time of `studio list`, `studio status ID` and
# `studio review` against a running `studio server`, through the `studio` launcher (AppCDS archive, C1 only, serial GC,
# one client command built alone, plaintext gRPC over the OkHttp transport), as a plain
# `java -jar studio-all.jar` (the former way), and `java -version` (the floor, in the same minute).
#
#   bench/client-startup.sh [RUNS]      RUNS runs of each (default 10), medians reported
#
# Results: bench/results/client-startup.md (committed); work files under bench/work/.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
runs="${1:-10}"
work="$here/work/client-startup"
tport="${BENCH_TEMPORAL_PORT:-57533}"
aport=$((tport + 1))
hport=$((tport + 2))
jar="$root/studio-cli/target/studio-all.jar"
rm -rf "$work" && mkdir -p "$work"
[ -f "$jar" ] || (cd "$root" && ./mvnw -q -B -o -DskipTests -Dspotless.check.skip=true package -pl studio-cli -am)

java -Xmx512m -jar "$jar" server --home "$work/home" --port "$tport" --api-port "$aport" \
  --http-port "$hport" >"$work/server.log" 2>&1 &
spid=$!
trap 'kill $spid 2>/dev/null || true; wait $spid 2>/dev/null || true' EXIT
for _ in $(seq 1 240); do
  (echo >"/dev/tcp/127.0.0.1/$aport") 2>/dev/null && break
  sleep 0.5
done
sleep 2
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
# the first launcher run after a build writes the class-data sharing archive: done here, not timed
"$root/studio" list --server "127.0.0.1:$aport" >/dev/null 2>&1 || true
: >"$work/times.txt"
timed() { # name, command...
  local name="$1"; shift
  /usr/bin/time -f "$name %e %U %S" -a -o "$work/times.txt" "$@" >/dev/null 2>&1 || true
}
for i in $(seq 1 "$runs"); do
  timed "launcher-list" "$root/studio" list --server "127.0.0.1:$aport"
  timed "launcher-status" "$root/studio" status nosuch --server "127.0.0.1:$aport"
  timed "launcher-review" "$root/studio" review nosuch --stage mapping --approve --comment bench \
    --server "127.0.0.1:$aport"
  timed "java-jar-list" java -jar "$jar" list --server "127.0.0.1:$aport"
  timed "java-version" java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -version
done
python3 - "$work/times.txt" "$here/results/client-startup.md" "$runs" "$load_before" "$(nproc)" <<'PY'
import sys, statistics, datetime
times, out, runs, load, cores = sys.argv[1:]
d = {}
for line in open(times):
    p = line.split()
    if len(p) == 4:
        d.setdefault(p[0], []).append((float(p[1]), float(p[2]) + float(p[3])))
labels = {"launcher-list": "`./studio list` (launcher: AppCDS, C1, serial GC, command alone)",
          "launcher-status": "`./studio status nosuch` (launcher; the server answers NOT_FOUND)",
          "launcher-review": "`./studio review nosuch --stage mapping --approve` (launcher; the server answers NOT_FOUND)",
          "java-jar-list": "`java -jar studio-all.jar list` (no archive, default JIT; the command alone)",
          "java-version": "for scale: `java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -version` (JDK's own archive)"}
lines = ["# Client start-up: `studio list` / `studio status` / `studio review` against a running server", "",
         f"Run {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC on {cores} cores (load average before: {load}) "
         f"by `bench/client-startup.sh {runs}`: {runs} runs each, medians; CPU = user + sys.", "",
         "| command | median wall s | median CPU s | per run wall s |", "|---|---:|---:|---|"]
for k, label in labels.items():
    v = d.get(k, [])
    if v:
        lines.append(f"| {label} | {statistics.median(x[0] for x in v):.2f} | "
                     f"{statistics.median(x[1] for x in v):.2f} | {', '.join(f'{x[0]:.2f}' for x in v)} |")
open(out, "a").write("\n".join(lines) + "\n\n")
print("\n".join(lines))
PY

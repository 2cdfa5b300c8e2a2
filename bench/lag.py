"""Lag of a change stream against its source (issue 14's measure), for bench/lib.sh.

A position is a token: an integer (PostgreSQL WAL bytes, `pg_lsn - '0/0'`) or FILE:OFFSET (a
MariaDB binlog position); "-" when there is none (yet). SOURCE holds "epoch_seconds TOKEN" lines
(the source's head every 0.5 s), SAMPLES "epoch_seconds stage state TOKEN changes" lines (what a
tool had applied on its target). A tool's lag at an instant is how long ago the source's head
passed the position the tool had applied (0 at or past the last source sample: under 0.5 s).

  lag.py summary SOURCE SAMPLES START STEADY
      first catch-up (the first sample with a position and a lag below 5 s, the studio's default
      migrate.max_lag, counted from START) and the STEADY seconds after it
  lag.py window SOURCE SAMPLES FROM TO
      the samples between FROM and TO (epoch seconds), whatever the lag

One JSON line: {"first": seconds or null, "p50", "p95", "max", "samples", "span",
"changes_per_s", "bytes_per_s"} (window: no "first").
"""
import bisect
import json
import re
import sys


def key(tok):
    """Positions in order: (binlog file number, offset), or (0, WAL bytes); None for none."""
    if ":" in tok:
        file, offset = tok.rsplit(":", 1)
        m = re.search(r"(\d+)$", file)
        return (int(m.group(1)) if m else -1, int(offset)) if offset.isdigit() else None
    return (0, int(tok)) if tok.isdigit() and int(tok) > 0 else None


def lags(src_file, samples_file):
    """(epoch, lag s, position key, changes) per sample with a position."""
    src = []
    for line in open(src_file):
        parts = line.split()
        if len(parts) == 2 and key(parts[1]) is not None:
            src.append((float(parts[0]), key(parts[1])))
    src_t, src_k = [s[0] for s in src], [s[1] for s in src]
    out = []
    for line in open(samples_file):
        parts = line.split()
        if len(parts) != 5 or key(parts[3]) is None:
            continue
        t, k = float(parts[0]), key(parts[3])
        i = bisect.bisect_left(src_k, k)
        lag = 0.0 if i >= len(src_t) else max(0.0, t - src_t[i])
        out.append((t, lag, k, int(parts[4]) if parts[4].isdigit() else 0))
    return out


def stats(window):
    """Lag percentiles and rates over the samples of one window (at least one)."""
    ls = sorted(x[1] for x in window)
    pct = lambda p: ls[min(len(ls) - 1, int(round(p / 100 * (len(ls) - 1))))]
    span = window[-1][0] - window[0][0] if len(window) > 1 else 0
    return {"p50": pct(50), "p95": pct(95), "max": ls[-1], "samples": len(ls), "span": span,
            "changes_per_s": (window[-1][3] - window[0][3]) / span if span else 0,
            "bytes_per_s": (window[-1][2][1] - window[0][2][1]) / span
            if span and window[0][2][0] == 0 else 0}


def main(argv):
    mode, src_file, samples_file, a, b = argv[1], argv[2], argv[3], float(argv[4]), float(argv[5])
    s = lags(src_file, samples_file)
    if mode == "window":
        window = [x for x in s if a <= x[0] <= b]
        print(json.dumps(stats(window) if window else {"samples": 0}))
        return
    first = next((x for x in s if x[1] < 5.0), None)
    r = {"first": None}
    if first is not None:
        r = {"first": first[0] - a, **stats([x for x in s if first[0] <= x[0] <= first[0] + b])}
    print(json.dumps(r))


if __name__ == "__main__":
    main(sys.argv)

# Per-query costs behind bench/results/validate-default-s10.md: each query the validator runs on
# pgbench_accounts (before and after one scan per side served checksums and aggregates), next to the
# engine's own hash, 5 runs interleaved, medians. Expects `pgbench -i -s 10 src` on a PostgreSQL at
# 127.0.0.1:54380 (user postgres, trust). Prints a markdown table.
import subprocess, time, statistics
P=["psql","-h","127.0.0.1","-p","54380","-U","postgres","-X","-d","src","-At","-c"]
def agg(e, t, after):
    num = t=="int"
    s = f", count(*) - count({e}), CAST(min({e}) AS text), CAST(max({e}) AS text), "
    s += f"CAST(sum({e}) AS text)" if num else "NULL"
    s += ", " + ("NULL" if num else f"CAST(sum(length({e})) AS text)")
    if after:
        s += f", CAST(pg_typeof(min({e})) AS text), " + ("NULL" if num else f"pg_collation_for(min({e}))")
    return s
cols=[("aid","int"),("bid","int"),("abalance","int"),("filler","char")]
hashitems="count(*), coalesce(sum(hashtextextended(CAST(ROW(aid, bid, abalance, filler) AS text), 0)), 0)"
Q={
 "engine hash (one side)": "SELECT count(*), bit_xor(hashtextextended(t::text, 0)) FROM pgbench_accounts t",
 "studio checksum pass, before (hash only)": f"SELECT {hashitems} FROM pgbench_accounts",
 "studio checksum pass, after (hash + aggregates)": f"SELECT {hashitems}" + "".join(agg(c,t,True) for c,t in cols) + " FROM pgbench_accounts",
 "before: separate aggregates query": "SELECT count(*)" + "".join(agg(c,t,False) for c,t in cols) + " FROM pgbench_accounts",
 "before: duplicate-key scan of the primary key": "SELECT count(*) FROM (SELECT CAST(aid AS text) AS k FROM pgbench_accounts WHERE aid IS NOT NULL GROUP BY aid HAVING count(*) > 1) d",
 "before: NULL scan of the NOT NULL key": "SELECT count(*) FROM pgbench_accounts WHERE aid IS NULL",
 "both: sample key stream (all keys to the client, in key order)": "SELECT CAST(aid AS integer) FROM pgbench_accounts ORDER BY aid",
}
for q in Q.values(): subprocess.run(P+[q],stdout=subprocess.DEVNULL,check=True)  # warm
res={k:[] for k in Q}
for r in range(5):
    for k,q in Q.items():
        t0=time.time(); subprocess.run(P+[q],stdout=subprocess.DEVNULL,check=True); res[k].append(time.time()-t0)
for k,v in res.items():
    print(f"| {k} | {statistics.median(v):.2f} | {' / '.join(f'{x:.2f}' for x in v)} |")

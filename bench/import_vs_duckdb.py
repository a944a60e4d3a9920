#!/usr/bin/env python3
"""Import and report benchmark: proforma `init` + `import` of a 1,000,000-line legacy CUR CSV
beside DuckDB's read_csv(all_varchar) + GROUP BY with decimal sums, on the same file, in the
same run, alternating, several rounds; then `proforma report --format json` on that workspace
with the demo configuration (five billing groups) as a whole process. Reports median wall
times, the ratios and peak memory.

Usage: bench/import_vs_duckdb.py [--lines N] [--rounds R] [--dir DIR]
Needs: a release build (cargo build --release) and `pip install duckdb==2.0.0`.
"""
import argparse, os, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "proforma")

DUCK = """
import duckdb, sys
con = duckdb.connect()
con.execute("SET threads TO 2")
rows = con.execute('''
SELECT "bill/PayerAccountId", "lineItem/UsageAccountId", "bill/BillingEntity",
       "lineItem/ProductCode", "lineItem/UsageType", "lineItem/Operation", "lineItem/LineItemType",
       sum(CAST("lineItem/UnblendedCost" AS DECIMAL(38,10))),
       sum(CAST("pricing/publicOnDemandCost" AS DECIMAL(38,10))), count(*)
FROM read_csv(?, all_varchar=true)
GROUP BY ALL''', [sys.argv[1]]).fetchall()
print(len(rows), "groups")
"""


def timed(cmd):
    """Wall seconds and peak RSS (MB) of one child process."""
    t = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - t
    if status != 0:
        sys.exit(f"{cmd} failed with status {status}")
    return wall, usage.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--dir", default=os.path.join(ROOT, "bench", "out"))
    args = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release")
    os.makedirs(args.dir, exist_ok=True)
    cur = os.path.join(args.dir, "cur-2026-10.csv")
    if not os.path.exists(cur):
        # About 900 month-end rows (tax, fees, discounts) come on top of the usage rows.
        subprocess.run([BIN, "generate-sample", "--out", args.dir, "--lines-per-month", str(args.lines - 900),
                        "--months", "1", "--first-period", "2026-10", "--plain"], check=True)
    with open(cur, "rb") as f:
        lines = sum(1 for _ in f) - 1
    size = os.path.getsize(cur)
    print(f"file: {cur}: {lines:,} lines, {size / 1e6:,.0f} MB, "
          f"{len(open(cur).readline().split(','))} columns")
    duck_script = os.path.join(args.dir, "duck.py")
    with open(duck_script, "w") as f:
        f.write(DUCK)
    subprocess.run([sys.executable, duck_script, cur], check=True, stdout=subprocess.DEVNULL)  # warm the page cache

    ws = os.path.join(args.dir, "bench.proforma")
    pro, duck, pro_peak, duck_peak = [], [], 0.0, 0.0
    for r in range(args.rounds):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(ws + suffix):
                os.remove(ws + suffix)
        t0 = time.perf_counter()
        _, p1 = timed([BIN, "init", ws])
        _, p2 = timed([BIN, "import", ws, cur])
        pro.append(time.perf_counter() - t0)
        pro_peak = max(pro_peak, p1, p2)
        w, p = timed([sys.executable, duck_script, cur])
        duck.append(w)
        duck_peak = max(duck_peak, p)
        print(f"round {r + 1}: proforma {pro[-1]:.2f} s, duckdb {duck[-1]:.2f} s")
    mp, md = statistics.median(pro), statistics.median(duck)
    print(f"median: proforma init+import {mp:.2f} s, duckdb {md:.2f} s, ratio {mp / md:.2f}")
    print(f"peak RSS: proforma {pro_peak:.0f} MB, duckdb {duck_peak:.0f} MB")

    # The report on the workspace just built, with five billing groups.
    config = os.path.join(ROOT, "sample-data", "config.toml")
    subprocess.run([BIN, "config", "import", ws, config, "--from-period", "2026-10"], check=True, stdout=subprocess.DEVNULL)
    reports = []
    for _ in range(max(args.rounds, 5)):
        w, _ = timed([BIN, "report", ws, "--period", "2026-10", "--format", "json"])
        reports.append(w)
    mr = statistics.median(reports)
    print(f"median: proforma report --format json {mr * 1000:.0f} ms, "
          f"{mr / md:.3f} of the DuckDB group-by (target at most 0.1)")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""FOCUS import beside DuckDB (issue 11 item 6, FOCUS half).

Writes the sample month with `proforma generate-sample --format focus-parquet` and
`--format focus-csv` (the same rows as FOCUS 1.2 with AWS's x_ columns: Tags and
x_CostCategories as Parquet MAPs / JSON objects), then times, in the same run, alternating,
several rounds:
- proforma `init` + `import` of the file;
- DuckDB's group-by over the same file (`read_parquet`, or `read_csv(all_varchar)`) with the
  columns proforma derives its keys from (billing and sub account, provider, publisher,
  service code and name, usage type, operation, charge category, commitment type and status,
  charge frequency, region, the tag and cost category objects) and exact DECIMAL(38,10) sums
  of BilledCost and ListCost, and a count.
Prints the medians and the ratio proforma / DuckDB per format (target: at most 1.0).

Usage: bench/focus_vs_duckdb.py [--lines N] [--rounds R] [--dir DIR]
Needs: `cargo build --release --bin proforma` and `pip install duckdb==2.0.0`.
"""
import argparse, os, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "proforma")
PERIOD = "2026-10"

DUCK = """
import duckdb, sys
con = duckdb.connect()
con.execute("SET threads TO 2")
path, kind = sys.argv[1], sys.argv[2]
src = "read_parquet(?)" if kind == "parquet" else "read_csv(?, all_varchar=true)"
rows = con.execute(f'''
SELECT BillingAccountId, coalesce(SubAccountId, BillingAccountId), ProviderName, PublisherName,
       coalesce(x_ServiceCode, ServiceName), ServiceName, x_UsageType, x_Operation,
       ChargeCategory, CommitmentDiscountType, CommitmentDiscountStatus, ChargeFrequency,
       CommitmentDiscountId, RegionId, Tags, x_CostCategories,
       sum(CAST(BilledCost AS DECIMAL(38,10))), sum(CAST(ListCost AS DECIMAL(38,10))),
       count(*)
FROM {src}
GROUP BY ALL''', [path]).fetchall()
print(len(rows), "groups")
"""


def timed(cmd):
    t = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    if status != 0:
        sys.exit(f"{cmd} failed with status {status}")
    return time.perf_counter() - t, usage.ru_maxrss / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dir", default=os.path.join(ROOT, "bench", "out-focus"))
    args = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release --bin proforma")
    os.makedirs(args.dir, exist_ok=True)
    files = {}
    for fmt, name in (("focus-parquet", f"focus-{PERIOD}.parquet"),
                      ("focus-csv", f"focus-{PERIOD}.csv.gz")):
        out = os.path.join(args.dir, f"{fmt}-{args.lines}")
        path = os.path.join(out, name)
        if not os.path.exists(path):
            t = time.perf_counter()
            subprocess.run([BIN, "generate-sample", "--out", out, "--lines-per-month", str(args.lines),
                            "--months", "1", "--first-period", PERIOD, "--format", fmt],
                           check=True, stdout=subprocess.DEVNULL)
            print(f"generated {path} in {time.perf_counter() - t:.0f} s")
        files[fmt] = path
    duck = os.path.join(args.dir, "duck_focus.py")
    with open(duck, "w") as f:
        f.write(DUCK)
    for fmt, path in files.items():
        kind = "parquet" if fmt == "focus-parquet" else "csv"
        subprocess.run([sys.executable, duck, path, kind], check=True, stdout=subprocess.DEVNULL)
        ws = os.path.join(args.dir, "bench.proforma")
        pro, dd, pro_peak, duck_peak = [], [], 0.0, 0.0
        for _ in range(args.rounds):
            for suffix in ("", "-wal", "-shm"):
                if os.path.exists(ws + suffix):
                    os.remove(ws + suffix)
            t0 = time.perf_counter()
            _, m1 = timed([BIN, "init", ws])
            _, m2 = timed([BIN, "import", ws, path])
            pro.append(time.perf_counter() - t0)
            pro_peak = max(pro_peak, m1, m2)
            w, m = timed([sys.executable, duck, path, kind])
            dd.append(w)
            duck_peak = max(duck_peak, m)
        mp, md = statistics.median(pro), statistics.median(dd)
        print(f"{fmt} ({os.path.getsize(path) / 1e6:.0f} MB, {args.lines:,} usage lines): "
              f"proforma init+import {mp:.2f} s, duckdb {md:.2f} s, ratio {mp / md:.2f}; "
              f"peak RSS proforma {pro_peak:.0f} MB, duckdb {duck_peak:.0f} MB")


if __name__ == "__main__":
    main()

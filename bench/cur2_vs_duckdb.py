#!/usr/bin/env python3
"""CUR 2.0 import beside DuckDB (issue 11 item 6).

Writes the sample month with `proforma generate-sample --format cur2-parquet` and
`--format cur2-csv` (the same rows, CUR 2.0 layout: map columns as Parquet MAPs / JSON objects),
then times, in the same run, alternating, several rounds:
- proforma `init` + `import` of the file;
- DuckDB's group-by over the same file (`read_parquet`, or `read_csv(all_varchar)`) with the
  keys proforma aggregates by (payer, account, billing entity, product code, product name and
  region from the `product` map, usage type, operation, line item type, the tag and cost
  category maps) and exact DECIMAL(38,10) sums of unblended and public cost, and a count.
Prints the medians and the ratio proforma / DuckDB per format (target: at most 1.0).

Usage: bench/cur2_vs_duckdb.py [--lines N] [--rounds R] [--dir DIR]
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
if kind == "parquet":
    src = "read_parquet(?)"
    name, region = "product['product_name']", "coalesce(product['region'], product_region_code)"
    tags, cats = "resource_tags", "cost_category"
else:
    src = "read_csv(?, all_varchar=true)"
    name = "json_extract_string(product, '$.product_name')"
    region = "coalesce(json_extract_string(product, '$.region'), product_region_code)"
    tags, cats = "resource_tags", "cost_category"
rows = con.execute(f'''
SELECT bill_payer_account_id, line_item_usage_account_id, bill_billing_entity,
       line_item_product_code, {name}, {region}, line_item_usage_type, line_item_operation,
       line_item_line_item_type, {tags}, {cats},
       sum(CAST(line_item_unblended_cost AS DECIMAL(38,10))),
       sum(CAST(pricing_public_on_demand_cost AS DECIMAL(38,10))), count(*)
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
    ap.add_argument("--dir", default=os.path.join(ROOT, "bench", "out-cur2"))
    args = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release --bin proforma")
    os.makedirs(args.dir, exist_ok=True)
    files = {}
    for fmt, name in (("cur2-parquet", f"cur-{PERIOD}.parquet"), ("cur2-csv", f"cur-{PERIOD}.csv.gz")):
        out = os.path.join(args.dir, f"{fmt}-{args.lines}")
        path = os.path.join(out, name)
        if not os.path.exists(path):
            t = time.perf_counter()
            subprocess.run([BIN, "generate-sample", "--out", out, "--lines-per-month", str(args.lines),
                            "--months", "1", "--first-period", PERIOD, "--format", fmt],
                           check=True, stdout=subprocess.DEVNULL)
            print(f"generated {path} in {time.perf_counter() - t:.0f} s")
        files[fmt] = path
    duck = os.path.join(args.dir, "duck_cur2.py")
    with open(duck, "w") as f:
        f.write(DUCK)
    for fmt, path in files.items():
        kind = "parquet" if fmt == "cur2-parquet" else "csv"
        subprocess.run([sys.executable, duck, path, kind], check=True, stdout=subprocess.DEVNULL)
        ws = os.path.join(args.dir, "bench.proforma")
        pro, dd, pro_peak, duck_peak = [], [], 0.0, 0.0
        for r in range(args.rounds):
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

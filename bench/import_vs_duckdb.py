#!/usr/bin/env python3
"""Import, report, re-price and open benchmarks beside DuckDB, on two profiles.

--profile current (the default): proforma `init` + `import` of a 1,000,000-line legacy CUR CSV
(one payer, 40 accounts) beside DuckDB's read_csv(all_varchar) + GROUP BY with decimal sums, on
the same file, in the same run, alternating, several rounds; then, with the demo configuration
(five billing groups): `proforma report --format json` as a whole process, one group's report,
re-pricing after one rule edit and opening the TUI. Reports median wall times, the ratios and
peak memory.

--profile reseller (issue 10): the same on 3 payers (one CSV each), 10,000 linked accounts,
3,000,000 usage lines in one month (about 3.3 million rows, 2.5 GB) and the generated
1,000-group configuration (5,000 pricing rules, 2,000 custom line items), all written by
`proforma generate-sample` into --dir (default /tmp/reseller/bench; delete it afterwards).

Re-price: `proforma config import` of the configuration with one rule's percentage changed,
as a whole process (the saved, re-priced state), and in memory: every group re-priced after
one rule edit (examples/bench_workspace.rs, as benches/reprice.rs). Open: the TUI opened on
the workspace up to its first drawn screen, 200x60, headless (examples/bench_workspace.rs,
as benches/render.rs).

Usage: bench/import_vs_duckdb.py [--profile current|reseller] [--lines N] [--rounds R] [--dir DIR]
Needs: `cargo build --release --bin proforma --example bench_workspace` and
`pip install duckdb==2.0.0`.
"""
import argparse, glob, os, re, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "proforma")
PROBE = os.path.join(ROOT, "target", "release", "examples", "bench_workspace")
PERIOD = "2026-10"

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
GROUP BY ALL''', [sys.argv[1:] if len(sys.argv) > 2 else sys.argv[1]]).fetchall()
print(len(rows), "groups")
"""

PROFILES = {
    # lines: usage rows of the month (month-end rows come on top); the current profile keeps
    # its historical 1,000,000 - 900.
    "current": dict(lines=1_000_000, rounds=5, dir=os.path.join(ROOT, "bench", "out"), group="retail"),
    "reseller": dict(lines=3_000_000, rounds=2, dir="/tmp/reseller/bench", group="bg-0001",
                     payers=3, accounts=10_000, config_groups=1_000),
}


def timed(cmd, out=subprocess.DEVNULL):
    """Wall seconds and peak RSS (MB) of one child process."""
    t = time.perf_counter()
    child = subprocess.Popen(cmd, stdout=out)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - t
    if status != 0:
        sys.exit(f"{cmd} failed with status {status}")
    return wall, usage.ru_maxrss / 1024


def generate(profile, p, lines, out):
    """The profile's CUR files (and for the reseller its accounts and configuration)."""
    if profile == "current":
        cur = os.path.join(out, f"cur-{PERIOD}.csv")
        if not os.path.exists(cur):
            # About 900 month-end rows (tax, fees, discounts) come on top of the usage rows.
            subprocess.run([BIN, "generate-sample", "--out", out, "--lines-per-month", str(lines - 900),
                            "--months", "1", "--first-period", PERIOD, "--plain"], check=True)
        return [cur], os.path.join(ROOT, "sample-data", "config.toml"), None
    curs = sorted(glob.glob(os.path.join(out, f"cur-{PERIOD}-*.csv")))
    config = os.path.join(out, "config.toml")
    if len(curs) != p["payers"] or not os.path.exists(config):
        subprocess.run([BIN, "generate-sample", "--out", out, "--lines-per-month", str(lines),
                        "--months", "1", "--first-period", PERIOD, "--plain",
                        "--payers", str(p["payers"]), "--accounts", str(p["accounts"]),
                        "--config-groups", str(p["config_groups"])], check=True)
        curs = sorted(glob.glob(os.path.join(out, f"cur-{PERIOD}-*.csv")))
    return curs, config, os.path.join(out, "accounts.json")


def probe(ws, rounds):
    """open_ms, load_ms, reprice_ms, aggregate_lines... from examples/bench_workspace."""
    text = subprocess.run([PROBE, ws, PERIOD, str(rounds)], check=True, capture_output=True,
                          text=True).stdout
    out = {}
    for line in text.splitlines():
        k, _, v = line.partition("=")
        try:
            out[k] = float(v)
        except ValueError:
            pass  # a status text (save_status=...)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--profile", choices=sorted(PROFILES), default="current")
    ap.add_argument("--lines", type=int)
    ap.add_argument("--rounds", type=int)
    ap.add_argument("--dir")
    args = ap.parse_args()
    p = PROFILES[args.profile]
    lines, rounds, out = args.lines or p["lines"], args.rounds or p["rounds"], args.dir or p["dir"]
    for exe in (BIN, PROBE):
        if not os.path.exists(exe):
            sys.exit("build first: cargo build --release --bin proforma --example bench_workspace")
    os.makedirs(out, exist_ok=True)
    t = time.perf_counter()
    curs, config, accounts = generate(args.profile, p, lines, out)
    print(f"profile {args.profile}: {len(curs)} file(s) ready in {time.perf_counter() - t:.0f} s")
    total, size = 0, 0
    for cur in curs:
        with open(cur, "rb") as f:
            total += sum(1 for _ in f) - 1
        size += os.path.getsize(cur)
    print(f"files: {', '.join(os.path.basename(c) for c in curs)}: {total:,} lines, {size / 1e6:,.0f} MB, "
          f"{len(open(curs[0]).readline().split(','))} columns")
    duck_script = os.path.join(out, "duck.py")
    with open(duck_script, "w") as f:
        f.write(DUCK)
    subprocess.run([sys.executable, duck_script, *curs], check=True, stdout=subprocess.DEVNULL)  # warm the page cache

    ws = os.path.join(out, "bench.proforma")
    pro, imp_peak, duck, pro_peak, duck_peak = [], 0.0, [], 0.0, 0.0
    for r in range(rounds):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(ws + suffix):
                os.remove(ws + suffix)
        t0 = time.perf_counter()
        _, p1 = timed([BIN, "init", ws])
        _, p2 = timed([BIN, "import", ws, *curs])
        pro.append(time.perf_counter() - t0)
        pro_peak = max(pro_peak, p1, p2)
        w, m = timed([sys.executable, duck_script, *curs])
        duck.append(w)
        duck_peak = max(duck_peak, m)
        print(f"round {r + 1}: proforma {pro[-1]:.2f} s, duckdb {duck[-1]:.2f} s")
    mp, md = statistics.median(pro), statistics.median(duck)
    print(f"median: proforma init+import {mp:.2f} s, duckdb {md:.2f} s, ratio {mp / md:.2f}")
    print(f"peak RSS: proforma {pro_peak:.0f} MB, duckdb {duck_peak:.0f} MB")

    # The report on the workspace just built, with the profile's configuration.
    if accounts:
        subprocess.run([BIN, "import", ws, accounts], check=True, stdout=subprocess.DEVNULL)
    w, m = timed([BIN, "config", "import", ws, config, "--from-period", PERIOD])
    print(f"config import ({os.path.basename(config)}): {w:.2f} s, {m:.0f} MB")
    reports, report_peak = [], 0.0
    for _ in range(max(rounds, 5)):
        w, m = timed([BIN, "report", ws, "--period", PERIOD, "--format", "json"])
        reports.append(w)
        report_peak = max(report_peak, m)
    mr = statistics.median(reports)
    # The first report after the configuration import prices the period (and keeps its
    # per-group totals); the next ones read those totals (README "The workspace").
    print(f"proforma report --format json, first (prices the period): {reports[0] * 1000:.0f} ms, "
          f"{reports[0] / md:.3f} of the DuckDB group-by")
    print(f"median: proforma report --format json {mr * 1000:.0f} ms, peak {report_peak:.0f} MB, "
          f"{mr / md:.3f} of the DuckDB group-by (target at most 0.1)")
    ones = [timed([BIN, "report", ws, "--period", PERIOD, "--group", p["group"], "--format", "json"])[0]
            for _ in range(max(rounds, 5))]
    print(f"median: one group's report (--group {p['group']}) {statistics.median(ones) * 1000:.0f} ms")

    # Re-price: the configuration with its first percentage one point higher, imported.
    text = open(config).read()
    edited = re.sub(r"(?m)^percent = (\d+)$", lambda x: f"percent = {int(x.group(1)) + 1}", text, count=1)
    edited_path = os.path.join(out, "config-edited.toml")
    with open(edited_path, "w") as f:
        f.write(edited)
    saves = []
    for i in range(max(rounds, 3)):
        # Alternate, so that every import is a real one-rule change.
        w, _ = timed([BIN, "config", "import", ws, edited_path if i % 2 == 0 else config,
                      "--from-period", PERIOD])
        saves.append(w)
    print(f"median: re-price by config import of a one-rule edit {statistics.median(saves):.2f} s")
    pr = probe(ws, max(rounds, 5))
    print(f"in memory: {pr['aggregate_lines']:,.0f} aggregate lines, {pr['groups']:.0f} groups, "
          f"{pr['rules']:.0f} rules; load and price {pr['load_ms']:.0f} ms")
    print(f"open the TUI to the first screen (200x60, headless): first {pr['open_first_ms']:.0f} ms "
          f"(prices the period), median {pr['open_ms']:.0f} ms (overview from the kept totals)")
    print(f"incremental re-price in memory: rule edit {pr['reprice_ms']:.1f} ms "
          f"({pr['reprice_groups']:.0f} groups), custom line item edit {pr['reprice_item_ms']:.1f} ms, "
          f"one account moved {pr['reprice_membership_ms']:.1f} ms; every group from scratch "
          f"{pr['reprice_full_ms']:.0f} ms")
    print(f"TUI, rule edit: keypress to preview {pr['preview_ms']:.1f} ms, "
          f"Ctrl-s to the re-priced screen {pr['save_ms']:.1f} ms")


if __name__ == "__main__":
    main()

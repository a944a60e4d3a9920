//! Configuration import safety (issue 8, items 2, 7, 9, 11, 13): same default period for export
//! and import, per-period reports of what an import changes elsewhere, closed periods and
//! earlier periods guarded, empty configurations refused, bounded and once-only reading, JSON
//! messages for JSON files, exact JSON numbers. Every refusal leaves the workspace unchanged.

mod common;

use common::{bin, snapshot};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/config");

/// A private copy of the demo workspace (two periods, 2026-09 and 2026-10, five groups).
fn demo_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo.proforma");
    std::fs::copy(common::demo_workspace(), &ws).unwrap();
    (dir, ws)
}

fn run(args: &[&str], ws: &Path, rest: &[&str]) -> (i32, String, String) {
    let out = bin()
        .args(args)
        .arg(ws)
        .args(rest)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(args: &[&str], ws: &Path, rest: &[&str]) -> String {
    let (code, out, err) = run(args, ws, rest);
    assert_eq!(code, 0, "{args:?} {rest:?}: {err}");
    out
}

/// Runs a config import that must be refused: exit 1, every `expect` in stderr, workspace
/// byte-for-byte the same (every row of every table).
fn refused(ws: &Path, file: &Path, flags: &[&str], expect: &[&str]) -> String {
    let before = snapshot(ws);
    let mut rest = vec![file.to_str().unwrap()];
    rest.extend_from_slice(flags);
    let (code, _, err) = run(&["config", "import"], ws, &rest);
    assert_eq!(code, 1, "expected a refusal, got {code}: {err}");
    for e in expect {
        assert!(err.contains(e), "expected '{e}' in: {err}");
    }
    assert_eq!(
        snapshot(ws),
        before,
        "a refused import changed the workspace"
    );
    err
}

fn report_json(ws: &Path, period: &str) -> serde_json::Value {
    let out = ok(&["report"], ws, &["--period", period, "--format", "json"]);
    serde_json::from_str(&out).unwrap()
}

/// (name or ARN) -> ProformaCost text, from `report --format json`.
fn proforma_of(report: &serde_json::Value, arn: &str) -> String {
    report["BillingGroupCostReports"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["Arn"] == arn)
        .map(|r| r["ProformaCost"].as_str().unwrap().to_string())
        .unwrap_or_else(|| panic!("no group {arn}"))
}

/// Drops the `[[kind]]` block whose name is `name` from an exported TOML.
fn drop_block(toml: &str, kind: &str, name: &str) -> String {
    let header = format!("[[{kind}]]\nname = \"{name}\"\n");
    let start = toml.find(&header).expect("block present");
    let end = toml[start + 1..]
        .find("\n[[")
        .map_or(toml.len(), |i| start + 1 + i + 1);
    format!("{}{}", &toml[..start], &toml[end..])
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn group_arn(ws: &Path, name: &str) -> String {
    let toml = ok(&["config", "export"], ws, &[]);
    let at = toml.find(&format!("name = \"{name}\"")).unwrap();
    let arn_at = at + toml[at..].find("arn = \"").unwrap() + 7;
    toml[arn_at..arn_at + toml[arn_at..].find('"').unwrap()].to_string()
}

// ---- item 7: empty configurations ----

#[test]
fn empty_comment_only_and_empty_object_configurations_are_refused() {
    let (_d, ws) = demo_copy();
    for f in [
        "empty.toml",
        "cfg_comment_only.toml",
        "bundle_empty_object.json",
    ] {
        let file = Path::new(DATA).join(f);
        refused(
            &ws,
            &file,
            &[],
            &[
                f,
                "the configuration is empty",
                "pass --remove-all",
                "billing group 'retail'",
                "pricing rule 'global-markup-10'",
                "custom line item 'retail-support'",
                "billing view 'Commerce'",
                "Nothing was changed",
            ],
        );
    }
}

#[test]
fn remove_all_removes_everything_and_lists_it() {
    let (_d, ws) = demo_copy();
    let file = Path::new(DATA).join("empty.toml");
    let out = ok(
        &["config", "import"],
        &ws,
        &[file.to_str().unwrap(), "--remove-all"],
    );
    assert!(out.contains("removed from 2026-10:"), "{out}");
    for o in [
        "billing group 'fintech'",
        "pricing plan 'standard-markup'",
        "custom line item 'labs-ec2-credit'",
        "billing view 'Production'",
    ] {
        assert!(out.contains(o), "{o} not listed in: {out}");
    }
    let after = report_json(&ws, "2026-10");
    assert_eq!(
        after["BillingGroupCostReports"].as_array().unwrap().len(),
        0
    );
    // 2026-09 keeps its configuration (the import is for 2026-10 on).
    let sep = report_json(&ws, "2026-09");
    assert_eq!(sep["BillingGroupCostReports"].as_array().unwrap().len(), 6);
}

#[test]
fn remove_all_with_a_non_empty_configuration_is_refused() {
    let (d, ws) = demo_copy();
    let toml = ok(&["config", "export"], &ws, &[]);
    let file = write(d.path(), "full.toml", &toml);
    refused(
        &ws,
        &file,
        &["--remove-all"],
        &["--remove-all is for an empty configuration"],
    );
}

#[test]
fn an_import_that_removes_objects_lists_them() {
    let (d, ws) = demo_copy();
    let toml = ok(&["config", "export"], &ws, &[]);
    let less = drop_block(&toml, "custom_line_item", "labs-ec2-credit");
    let less = drop_block(&less, "billing_view", "Production");
    let file = write(d.path(), "less.toml", &less);
    let out = ok(&["config", "import"], &ws, &[file.to_str().unwrap()]);
    assert!(
        out.contains(
            "removed from 2026-10: custom line item 'labs-ec2-credit', billing view 'Production'"
        ),
        "{out}"
    );
}

// ---- item 2: periods ----

#[test]
fn export_and_import_default_to_the_latest_period_with_data() {
    let (d, ws) = demo_copy();
    let default = ok(&["config", "export"], &ws, &[]);
    assert_eq!(
        default,
        ok(&["config", "export"], &ws, &["--period", "2026-10"])
    );
    // Change one rule and import without a period: 2026-10 changes, 2026-09 does not.
    let sep_before = ok(&["config", "export"], &ws, &["--period", "2026-09"]);
    let changed = default.replacen("percent = 10\n", "percent = 11\n", 1);
    assert_ne!(changed, default);
    let file = write(d.path(), "c.toml", &changed);
    let out = ok(&["config", "import"], &ws, &[file.to_str().unwrap()]);
    assert!(out.contains("configuration in force from 2026-10"), "{out}");
    assert!(!out.contains("also changes"), "{out}");
    assert_eq!(
        ok(&["config", "export"], &ws, &["--period", "2026-10"]),
        changed
    );
    assert_eq!(
        ok(&["config", "export"], &ws, &["--period", "2026-09"]),
        sep_before
    );
}

#[test]
fn an_import_that_changes_later_periods_says_so_with_the_engine_numbers() {
    let (d, ws) = demo_copy();
    let oct_before = report_json(&ws, "2026-10");
    let toml = ok(&["config", "export"], &ws, &[]);
    // global-markup-10 (retail's and logistics' plan) from 10 % to 12 %.
    let at = toml.find("name = \"global-markup-10\"").unwrap();
    let p = at + toml[at..].find("percent = 10\n").unwrap();
    let changed = format!("{}percent = 12\n{}", &toml[..p], &toml[p + 13..]);
    let file = write(d.path(), "c.toml", &changed);
    let out = ok(
        &["config", "import"],
        &ws,
        &[file.to_str().unwrap(), "--from-period", "2026-09"],
    );
    let oct_after = report_json(&ws, "2026-10");
    assert!(
        out.contains("2026-10 also changes (later than 2026-09):"),
        "{out}"
    );
    assert!(
        out.contains("  changed: pricing rule 'global-markup-10'"),
        "{out}"
    );
    // The numbers printed are the report's numbers before and after, and their difference.
    for group in ["retail", "logistics"] {
        let arn = group_arn(&ws, group);
        let before: rust_decimal::Decimal = proforma_of(&oct_before, &arn).parse().unwrap();
        let after: rust_decimal::Decimal = proforma_of(&oct_after, &arn).parse().unwrap();
        assert!(after > before);
        let line = format!(
            "  pro forma of {group}: {} -> {} (+{})",
            proforma::money::fmt_grouped(before),
            proforma::money::fmt_grouped(after),
            proforma::money::fmt_grouped(after - before)
        );
        assert!(out.contains(&line), "expected '{line}' in: {out}");
    }
    // Groups on other plans are not listed.
    assert!(!out.contains("pro forma of labs"), "{out}");
}

#[test]
fn a_custom_line_item_starting_before_the_import_period_needs_yes() {
    let (d, ws) = demo_copy();
    let sep_before = report_json(&ws, "2026-09");
    let toml = ok(&["config", "export"], &ws, &[]);
    let more = format!(
        "{toml}\n[[custom_line_item]]\nname = \"retail-new-fee\"\ndescription = \"new fee\"\ngroup = \"retail\"\ntype = \"FEE\"\nflat = 100\nstart = \"2026-09\"\n"
    );
    let file = write(d.path(), "more.toml", &more);
    let err = refused(
        &ws,
        &file,
        &[],
        &[
            "2026-09 also changes (earlier than 2026-10):",
            "added: custom line item 'retail-new-fee'",
            "(+100.00)",
            "pass --yes",
        ],
    );
    assert!(
        err.contains("the import is for 2026-10 but also changes 2026-09"),
        "{err}"
    );
    let out = ok(
        &["config", "import"],
        &ws,
        &[file.to_str().unwrap(), "--yes"],
    );
    assert!(
        out.contains("2026-09 also changes (earlier than 2026-10):"),
        "{out}"
    );
    let sep_after = report_json(&ws, "2026-09");
    let arn = group_arn(&ws, "retail");
    let before: rust_decimal::Decimal = proforma_of(&sep_before, &arn).parse().unwrap();
    let after: rust_decimal::Decimal = proforma_of(&sep_after, &arn).parse().unwrap();
    assert_eq!(after - before, rust_decimal::Decimal::from(100));
    // Importing it again changes nothing, and needs no --yes.
    let again = ok(&["config", "import"], &ws, &[file.to_str().unwrap()]);
    assert!(again.contains("unchanged"), "{again}");
}

#[test]
fn an_import_touching_a_closed_period_is_refused() {
    let (d, ws) = demo_copy();
    {
        let mut w = proforma::store::Workspace::open(&ws).unwrap();
        w.close_period("2026-10".parse().unwrap(), "October invoiced")
            .unwrap();
    }
    let toml = ok(&["config", "export"], &ws, &[]);
    let changed = toml.replacen("percent = 10\n", "percent = 11\n", 1);
    let file = write(d.path(), "c.toml", &changed);
    // Aimed at 2026-10 itself, and at 2026-09 (which reaches 2026-10).
    refused(
        &ws,
        &file,
        &[],
        &["2026-10", "closed", "nothing was changed"],
    );
    refused(
        &ws,
        &file,
        &["--from-period", "2026-09", "--yes"],
        &["2026-10", "closed"],
    );
    // The same configuration as in force changes nothing and is fine.
    let same = write(d.path(), "same.toml", &toml);
    let out = ok(&["config", "import"], &ws, &[same.to_str().unwrap()]);
    assert!(out.contains("unchanged"), "{out}");
}

// ---- item 9: bounded input ----

#[test]
fn dev_zero_ends_at_once_with_a_clear_error() {
    let (_d, ws) = demo_copy();
    let start = Instant::now();
    refused(
        &ws,
        Path::new("/dev/zero"),
        &[],
        &["/dev/zero", "NUL byte", "not a TOML or JSON configuration"],
    );
    assert!(start.elapsed() < Duration::from_secs(20));
}

#[test]
fn files_above_the_size_limit_are_refused_naming_the_limit() {
    let (d, ws) = demo_copy();
    let p = d.path().join("huge.toml");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(std::fs::File::create(&p).unwrap());
        let line = format!("# {}\n", "x".repeat(1021));
        for _ in 0..(64 * 1024 + 1) {
            f.write_all(line.as_bytes()).unwrap();
        }
    }
    refused(&ws, &p, &[], &["huge.toml", "larger than the 64 MiB limit"]);
}

#[test]
fn standard_input_works_once() {
    let (d, ws) = demo_copy();
    let toml = ok(&["config", "export"], &ws, &[]);
    let changed = toml.replacen("percent = 10\n", "percent = 11\n", 1);
    for path in ["-", "/dev/stdin"] {
        let (_d2, ws2) = demo_copy();
        let out = bin()
            .args(["config", "import"])
            .arg(&ws2)
            .arg(path)
            .write_stdin(changed.clone())
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(ok(&["config", "export"], &ws2, &[]), changed);
    }
    // An empty stdin is an empty configuration: refused, nothing written.
    let before = snapshot(&ws);
    bin()
        .args(["config", "import"])
        .arg(&ws)
        .arg("-")
        .write_stdin("")
        .timeout(Duration::from_secs(60))
        .assert()
        .code(1)
        .stderr(predicates::str::contains("-: the configuration is empty"));
    assert_eq!(snapshot(&ws), before);
    drop(d);
}

#[cfg(unix)]
fn mkfifo(p: &Path) {
    let st = std::process::Command::new("mkfifo")
        .arg(p)
        .status()
        .unwrap();
    assert!(st.success());
}

#[cfg(unix)]
#[test]
fn a_fifo_without_writer_is_refused_at_once_and_with_one_it_is_read() {
    let (d, ws) = demo_copy();
    let fifo = d.path().join("cfg.fifo");
    mkfifo(&fifo);
    let start = Instant::now();
    refused(&ws, &fifo, &[], &["cfg.fifo", "the configuration is empty"]);
    assert!(start.elapsed() < Duration::from_secs(20));

    let toml = ok(&["config", "export"], &ws, &[]);
    let changed = toml.replacen("percent = 10\n", "percent = 11\n", 1);
    let child = std::process::Command::new(bin().get_program())
        .args(["config", "import"])
        .arg(&ws)
        .arg(&fifo)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Writes slowly, in two parts, after the reader started.
    std::thread::sleep(Duration::from_millis(200));
    {
        use std::io::Write;
        let mut w = std::fs::OpenOptions::new().write(true).open(&fifo).unwrap();
        let (a, b) = changed.split_at(changed.len() / 2);
        w.write_all(a.as_bytes()).unwrap();
        w.flush().unwrap();
        std::thread::sleep(Duration::from_millis(100));
        w.write_all(b.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(ok(&["config", "export"], &ws, &[]), changed);
}

#[test]
fn directories_and_missing_files_are_refused_naming_them() {
    let (d, ws) = demo_copy();
    refused(&ws, d.path(), &[], &["is a directory"]);
    refused(
        &ws,
        &d.path().join("nope.toml"),
        &[],
        &["nope.toml", "cannot read"],
    );
}

// ---- item 11: format detection and messages ----

#[test]
fn json_arrays_and_json_syntax_errors_get_json_messages_naming_the_file() {
    let (d, ws) = demo_copy();
    let f = write(
        d.path(),
        "array.json",
        "  [\n  {\"BillingGroups\": []}\n]\n",
    );
    let err = refused(
        &ws,
        &f,
        &[],
        &["array.json", "a JSON array", "one JSON object"],
    );
    assert!(!err.contains("TOML"), "{err}");
    let f = write(d.path(), "nested.json", "[[1, 2]]");
    refused(&ws, &f, &[], &["nested.json", "a JSON array"]);
    let f = write(
        d.path(),
        "broken.cfg",
        "{\"BillingGroups\": [\n  {\"Name\": }\n]}",
    );
    let err = refused(
        &ws,
        &f,
        &[],
        &[
            "broken.cfg",
            "line 2, column 12: not valid JSON: expected value",
        ],
    );
    assert!(!err.contains("TOML"), "{err}");
    let f = write(d.path(), "bad.toml", "[[billing_group]]\nname = \n");
    refused(
        &ws,
        &f,
        &[],
        &["bad.toml", "line 2, column", "not valid TOML"],
    );
    let f = write(d.path(), "utf8.toml", "# caf\u{e9}\n");
    std::fs::write(&f, b"# ok\nname = \"\xff\"\n").unwrap();
    refused(
        &ws,
        &f,
        &[],
        &["utf8.toml: line 2, column 9: not valid UTF-8"],
    );
}

// ---- item 13: exact JSON numbers ----

fn bundle(ws: &Path) -> String {
    ok(&["config", "export"], ws, &["--format", "aws-json"])
}

#[test]
fn json_numbers_are_read_exactly_whatever_their_length() {
    let (d, ws) = demo_copy();
    let b = bundle(&ws);
    // f64 would read 500.00000000000000001 as 500 and lose the 1e-17.
    let exact = "500.00000000000000001";
    let text = b.replacen(
        "\"ChargeValue\": 500.0",
        &format!("\"ChargeValue\": {exact}"),
        1,
    );
    assert_ne!(text, b);
    let f = write(d.path(), "exact.json", &text);
    let out = ok(&["config", "import"], &ws, &[f.to_str().unwrap()]);
    assert!(out.contains("(1 change)"), "{out}");
    let back = bundle(&ws);
    assert!(
        back.contains(&format!("\"ChargeValue\": {exact}")),
        "{back}"
    );
    let toml = ok(&["config", "export"], &ws, &[]);
    assert!(toml.contains(&format!("flat = \"{exact}\"")), "{toml}");
    // And in scientific notation, exactly.
    let text = b.replacen(
        "\"ChargeValue\": 500.0",
        "\"ChargeValue\": 5.0000000000000000001e2",
        1,
    );
    let f = write(d.path(), "sci.json", &text);
    ok(&["config", "import"], &ws, &[f.to_str().unwrap()]);
    assert!(bundle(&ws).contains("\"ChargeValue\": 500.00000000000000001"));
}

#[test]
fn json_numbers_that_cannot_be_held_exactly_are_refused_naming_the_path() {
    let (d, ws) = demo_copy();
    let b = bundle(&ws);
    // (written, shown: serde_json spells exponents with a sign, what)
    for (value, shown, what) in [
        (
            "500.00000000000000000000000000001",
            "500.00000000000000000000000000001",
            "has more digits than proforma holds exactly",
        ),
        ("1e400", "1e+400", "out of range"),
        (
            "123456789012345678901234567890",
            "123456789012345678901234567890",
            "out of range",
        ),
    ] {
        let text = b.replacen(
            "\"ChargeValue\": 500.0",
            &format!("\"ChargeValue\": {value}"),
            1,
        );
        let f = write(d.path(), "big.json", &text);
        refused(
            &ws,
            &f,
            &[],
            &["big.json", ".ChargeDetails.Flat.ChargeValue", shown, what],
        );
    }
}

#[test]
fn modifier_percentages_with_more_than_two_decimals_are_refused_not_rounded() {
    let (d, ws) = demo_copy();
    let b = bundle(&ws);
    let text = b.replacen(
        "\"ModifierPercentage\": 20.0",
        "\"ModifierPercentage\": 20.125",
        1,
    );
    assert_ne!(text, b);
    let f = write(d.path(), "pct.json", &text);
    refused(
        &ws,
        &f,
        &[],
        &[
            "ILLEGAL_MODIFIER_PERCENTAGE at $.PricingRules[0].ModifierPercentage",
            "20.125 has 3 decimals",
            "20.12 or 20.13",
        ],
    );
    // Trailing zeros are not extra decimals.
    let text = b.replacen(
        "\"ModifierPercentage\": 20.0",
        "\"ModifierPercentage\": 20.500",
        1,
    );
    let f = write(d.path(), "pct2.json", &text);
    ok(&["config", "import"], &ws, &[f.to_str().unwrap()]);
    assert!(bundle(&ws).contains("\"ModifierPercentage\": 20.5"));
    // The TOML format follows the same rule.
    let toml = ok(&["config", "export"], &ws, &[]);
    let text = toml.replacen("percent = 10\n", "percent = 10.001\n", 1);
    let f = write(d.path(), "pct.toml", &text);
    refused(
        &ws,
        &f,
        &[],
        &[
            "ILLEGAL_MODIFIER_PERCENTAGE at pricing_rule[",
            "10.001 has 3 decimals",
        ],
    );
}

#[test]
fn toml_floats_are_read_from_their_text_exactly() {
    let (d, ws) = demo_copy();
    let toml = ok(&["config", "export"], &ws, &[]);
    assert!(toml.contains("flat = 500\n"), "{toml}");
    let text = toml.replacen("flat = 500\n", "flat = 5_00.000_000_000_000_000_01\n", 1);
    let f = write(d.path(), "exact.toml", &text);
    ok(&["config", "import"], &ws, &[f.to_str().unwrap()]);
    assert!(bundle(&ws).contains("\"ChargeValue\": 500.00000000000000001"));
    let text = toml.replacen("flat = 500\n", "flat = 1e400\n", 1);
    let f = write(d.path(), "inf.toml", &text);
    refused(&ws, &f, &[], &["inf.toml", "not valid TOML", "overflowed"]);
    let text = toml.replacen(
        "flat = 500\n",
        "flat = 0.00000000000000000000000000001\n",
        1,
    );
    let f = write(d.path(), "tiny.toml", &text);
    refused(
        &ws,
        &f,
        &[],
        &[".flat", "more digits than proforma holds exactly"],
    );
}

#[test]
fn the_import_period_shows_each_changed_group_pro_forma() {
    let (d, ws) = demo_copy();
    let before = report_json(&ws, "2026-10");
    let toml = ok(&["config", "export"], &ws, &[]);
    let more = format!(
        "{toml}\n[[custom_line_item]]\nname = \"labs-fee\"\ndescription = \"fee\"\ngroup = \"labs\"\ntype = \"FEE\"\nflat = 12.345\nstart = \"2026-10\"\n"
    );
    let file = write(d.path(), "more.toml", &more);
    let out = ok(&["config", "import"], &ws, &[file.to_str().unwrap()]);
    let arn = group_arn(&ws, "labs");
    let old: rust_decimal::Decimal = proforma_of(&before, &arn).parse().unwrap();
    let new: rust_decimal::Decimal = proforma_of(&report_json(&ws, "2026-10"), &arn)
        .parse()
        .unwrap();
    // Shown rounded; the difference is the difference of the shown numbers (12.345 exactly,
    // 12.34 or 12.35 shown, whichever the two shown numbers make).
    let diff = new - old;
    assert!(diff == "12.34".parse().unwrap() || diff == "12.35".parse().unwrap());
    let line = format!(
        "  pro forma of labs: {} -> {} (+{})",
        proforma::money::fmt_grouped(old),
        proforma::money::fmt_grouped(new),
        proforma::money::fmt_grouped(diff)
    );
    assert!(out.contains(&line), "expected '{line}' in: {out}");
    assert!(!out.contains("pro forma of retail"), "{out}");
    // The import's own period names what it adds, changes and removes.
    assert!(
        out.lines()
            .any(|l| l.starts_with("added from 2026-10:") && l.contains("labs-fee")),
        "{out}"
    );
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_file() {
    let (d, ws) = demo_copy();
    let b = bundle(&ws);
    let f = write(d.path(), "bom.json", &format!("\u{feff}{b}"));
    let out = ok(&["config", "import"], &ws, &[f.to_str().unwrap()]);
    assert!(out.contains("unchanged"), "{out}");
}

/// Another writer between the plan (what was shown) and the commit: the import refuses rather
/// than write something other than what it showed.
#[test]
fn an_import_refuses_when_the_workspace_changed_since_its_plan() {
    use proforma::interop::toml_config;
    use proforma::store::Workspace;
    use proforma::store::config::ConfigError;
    let (_d, ws) = demo_copy();
    let toml = ok(&["config", "export"], &ws, &[]);
    let mut a = Workspace::open(&ws).unwrap();
    let payers = a.validation_context().unwrap().payers;
    let changed = toml.replacen("percent = 10\n", "percent = 11\n", 1);
    let config = toml_config::parse(&changed, &payers).unwrap().config;
    let sep: proforma::period::BillingPeriod = "2026-09".parse().unwrap();
    let plan = a.plan_config_import(sep, &config, false).unwrap();
    assert_eq!(
        plan.periods
            .iter()
            .map(|c| c.period.to_string())
            .collect::<Vec<_>>(),
        ["2026-09", "2026-10"]
    );
    // A second process changes 2026-10 meanwhile.
    let other = toml.replacen("percent = 6\n", "percent = 7\n", 1);
    let other_file = ws.with_extension("other.toml");
    std::fs::write(&other_file, other).unwrap();
    ok(&["config", "import"], &ws, &[other_file.to_str().unwrap()]);
    let before = snapshot(&ws);
    assert!(matches!(
        a.commit_config_import(&plan, &config, None),
        Err(ConfigError::Changed)
    ));
    drop(a);
    assert_eq!(snapshot(&ws), before);
}

/// A reader that goes away (`config export WS | head -1`) is not a failure (no panic on
/// the closed pipe).
#[cfg(unix)]
#[test]
fn a_closed_stdout_is_not_a_panic() {
    let (d, ws) = demo_copy();
    let mut toml = String::new();
    for i in 0..3000 {
        toml.push_str(&format!(
            "[[pricing_rule]]\nname = \"r{i}\"\nscope = \"GLOBAL\"\ntype = \"MARKUP\"\npercent = 1\n\n"
        ));
    }
    let f = write(d.path(), "many.toml", &toml);
    ok(&["config", "import"], &ws, &[f.to_str().unwrap()]);
    let mut child = std::process::Command::new(bin().get_program())
        .args(["config", "export"])
        .arg(&ws)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

/// A fresh workspace (data for 2026-09 and 2026-10) and a configuration whose custom line items
/// start in 2026-09, imported for the default period 2026-10: the groups do not exist in
/// 2026-09, so the items count from 2026-10, with a warning saying how to include 2026-09.
#[test]
fn items_starting_before_the_import_period_without_their_group_there_warn() {
    let (d, ws) = common::workspace();
    for f in ["cur-2026-09.csv.gz", "cur-2026-10.csv.gz"] {
        ok(
            &["import"],
            &ws,
            &[Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("sample-data")
                .join(f)
                .to_str()
                .unwrap()],
        );
    }
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/config.toml");
    let (code, out, err) = run(&["config", "import"], &ws, &[file.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("configuration in force from 2026-10"), "{out}");
    assert!(
        err.contains(
            "custom line item 'retail-support' starts in 2026-09 but counts from 2026-10 only"
        ) && err.contains("--from-period 2026-09"),
        "{err}"
    );
    let sep = report_json(&ws, "2026-09");
    assert_eq!(sep["BillingGroupCostReports"].as_array().unwrap().len(), 0);
    drop(d);
}

/// Within the size limit, a file of millions of tiny values would take gigabytes once parsed
/// (a 30 MB `[{},{},...]` bundle took 20 GB and 51 s): refused at once, memory bounded.
#[test]
fn files_of_millions_of_values_are_refused_at_once() {
    let (d, ws) = demo_copy();
    let mut text = String::from("{\"BillingGroups\": [");
    for _ in 0..1_000_001 {
        text.push_str("{},");
    }
    text.push_str("{}]}");
    let f = write(d.path(), "bomb.json", &text);
    let start = Instant::now();
    refused(
        &ws,
        &f,
        &[],
        &["bomb.json", "holds more than 1000000 values"],
    );
    assert!(start.elapsed() < Duration::from_secs(20));
}

/// Many bad objects: the first 200 problems are reported, then one line says more were left
/// out (a hostile file could otherwise make millions).
#[test]
fn problems_are_capped() {
    let (d, ws) = demo_copy();
    let mut text = String::from("{\"BillingGroups\": [");
    text.push_str(&vec!["{}"; 5000].join(","));
    text.push_str("]}");
    let f = write(d.path(), "many.json", &text);
    let err = refused(
        &ws,
        &f,
        &[],
        &["more problems left out (the first 200 are shown)"],
    );
    assert_eq!(err.matches("is required").count(), 200, "{err}");
}

/// `report` and `explain` piped into a reader that went away (`| head`): exit 0, no panic.
/// The read end is closed before the child writes, so its first write fails with EPIPE.
#[test]
fn reports_and_explanations_to_a_closed_stdout_are_not_a_panic() {
    let (_d, ws) = demo_copy();
    for args in [
        vec!["report", "--period", "2026-10"],
        vec!["report", "--period", "2026-10", "--format", "json"],
        vec!["explain", "--period", "2026-10", "--group", "retail"],
    ] {
        let mut child = std::process::Command::new(bin().get_program())
            .arg(args[0])
            .arg(&ws)
            .args(&args[1..])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
}

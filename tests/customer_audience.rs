//! `report --audience customer` (issue 13 item 5): a customer's report shows pro forma only —
//! no AWS cost, margin, tax AWS charged, pricing plan or rule names — in every format and at
//! every level; its pro forma equals the internal report's.

mod common;

use common::{bin, demo_workspace};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn run(ws: &Path, args: &[&str]) -> String {
    let out = bin()
        .arg("report")
        .arg(ws)
        .args(["--period", "2026-10"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Every amount under `keys` anywhere in a JSON document, as printed.
fn amounts(v: &Value, keys: &[&str], out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if keys.contains(&k.as_str()) {
                    if let Some(s) = x.as_str() {
                        out.insert(s.to_string());
                    }
                }
                amounts(x, keys, out);
            }
        }
        Value::Array(a) => a.iter().for_each(|x| amounts(x, keys, out)),
        _ => {}
    }
}

/// `1234.5` as the table prints it: `1,234.50`.
fn grouped(s: &str) -> String {
    let (int, frac) = s.split_once('.').unwrap_or((s, "00"));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut g = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            g.push(',');
        }
        g.push(c);
    }
    format!("{sign}{g}.{frac}")
}

/// Whether `text` holds `amount` as a whole number (not inside a longer one: `0.08` is not
/// in `930.08`).
fn has_amount(text: &str, amount: &str) -> bool {
    text.match_indices(amount).any(|(i, _)| {
        let mut head = text[..i].chars().rev();
        // A digit, point or sign before it, or a digit then a grouping comma: a longer number.
        let inside = match head.next() {
            Some(c) if c.is_ascii_digit() || c == '.' || c == '-' => true,
            Some(',') => head.next().is_some_and(|c| c.is_ascii_digit()),
            _ => false,
        };
        let after = text[i + amount.len()..].chars().next();
        !inside && !after.is_some_and(|c| c.is_ascii_digit())
    })
}

const LEVELS: &[&[&str]] = &[
    &[],
    &["--group", "retail"],
    &["--group", "retail", "--group-by", "SERVICE_CODE"],
    &["--group", "fintech", "--group-by", "LINKED_ACCOUNT"],
    &["--view", "primary"],
    &["--view", "group:retail", "--group-by", "PRODUCT_NAME"],
    // Billing transfers (issue 13): the bill-transfer account's "my view" of each source.
    &["--view", "transfer:410000000000"],
    &[
        "--view",
        "transfer:420000000000",
        "--group-by",
        "SERVICE_CODE",
    ],
    &[
        "--view",
        "showback:420000000000",
        "--group-by",
        "LINKED_ACCOUNT",
    ],
    &["--view", "primary:420000000000"],
];

/// Whether a level is a showback (a source's view): its `Billable` is what the source is
/// charged, the pro forma.
fn showback(level: &[&str]) -> bool {
    level
        .iter()
        .any(|a| a.starts_with("showback:") || *a == "primary:420000000000")
}

#[test]
fn a_customer_report_shows_pro_forma_only_at_every_level_and_in_every_format() {
    let ws = demo_workspace();
    let mut forbidden = BTreeSet::new();
    let mut allowed = BTreeSet::new();
    for level in LEVELS {
        let mut args = level.to_vec();
        args.extend(["--format", "json"]);
        let internal: Value = serde_json::from_str(&run(&ws, &args)).unwrap();
        let charged: &[&str] = if showback(level) {
            &["ProformaCost", "Proforma", "Billable"]
        } else {
            &["ProformaCost", "Proforma"]
        };
        let internal_only: &[&str] = if showback(level) {
            &["Tax"]
        } else {
            &["AWSCost", "Margin", "MarginPercentage", "Billable", "Tax"]
        };
        amounts(&internal, internal_only, &mut forbidden);
        amounts(&internal, charged, &mut allowed);
        // The customer's pro forma is the internal report's, row by row.
        let mut args = level.to_vec();
        args.extend(["--format", "json", "--audience", "customer"]);
        let customer: Value = serde_json::from_str(&run(&ws, &args)).unwrap();
        let mut theirs = BTreeSet::new();
        amounts(&customer, &["ProformaCost", "Proforma"], &mut theirs);
        let mut ours = BTreeSet::new();
        amounts(&internal, charged, &mut ours);
        assert_eq!(theirs, ours, "{level:?}");
    }
    // Amounts that are also a pro forma somewhere cannot tell a leak; zero neither.
    let forbidden: Vec<String> = forbidden
        .into_iter()
        .filter(|a| !allowed.contains(a) && a.trim_start_matches('-') != "0.00")
        .collect();
    assert!(forbidden.len() > 20, "{forbidden:?}");
    let config = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/config.toml"),
    )
    .unwrap();
    // Plan and rule names of the demo configuration.
    let names: Vec<String> = config
        .lines()
        .collect::<Vec<_>>()
        .windows(2)
        .filter(|w| w[0] == "[[pricing_plan]]" || w[0] == "[[pricing_rule]]")
        .filter_map(|w| {
            w[1].strip_prefix("name = ")
                .map(|n| n.trim_matches('"').to_string())
        })
        .collect();
    assert!(names.len() >= 5, "{names:?}");
    for level in LEVELS {
        for format in ["table", "csv", "json"] {
            let mut args = level.to_vec();
            args.extend(["--format", format, "--audience", "customer"]);
            let out = run(&ws, &args);
            for word in ["AWSCost", "AWS cost", "Margin", "Billable", "Tax"] {
                assert!(!out.contains(word), "{word} in {args:?}:\n{out}");
            }
            for a in &forbidden {
                assert!(
                    !has_amount(&out, a) && !has_amount(&out, &grouped(a)),
                    "internal amount {a} in {args:?}:\n{out}"
                );
            }
            for n in &names {
                assert!(!out.contains(n.as_str()), "name {n} in {args:?}:\n{out}");
            }
        }
    }
}

#[test]
fn explain_and_compare_are_internal_only() {
    let ws = demo_workspace();
    bin()
        .arg("explain")
        .arg(&ws)
        .args([
            "--period",
            "2026-10",
            "--group",
            "retail",
            "--audience",
            "customer",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("internal output"));
    bin()
        .arg("report")
        .arg(&ws)
        .args([
            "--period",
            "2026-10",
            "--compare-to",
            "2026-09",
            "--audience",
            "customer",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("internal output"));
}

//! Shared-cost allocations (issue 14 item 4): an amount (fixed, or the cost of accounts,
//! services or line item types) split over billing groups by a key, as one custom line item
//! per group; the parts add up exactly and follow their key, the groups' totals include them,
//! explain shows the split, TOML round-trips them, the AWS bundle gets the flat items, and a
//! scenario's edit stays in the scenario.

mod common;

use proforma::analysis::Analysis;
use proforma::engine::allocate::split_cents;
use proforma::model::{
    AllocationKey, AllocationSource, AllocationTarget, Config, CostAllocation, Reason,
    ValidationContext, validate,
};
use proforma::period::BillingPeriod;
use proforma::store::Workspace;
use proforma::store::config::{Change, Object};
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::path::{Path, PathBuf};

const P: &str = "2026-10";
const PAYER: &str = "210987654321";
/// The demo's unmonitored shared-networking account.
const SHARED_NET: &str = "305110533944";

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn period() -> BillingPeriod {
    P.parse().unwrap()
}

fn cent() -> Decimal {
    Decimal::new(1, 2)
}

/// A private copy of the demo workspace.
fn demo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("demo.proforma");
    std::fs::copy(common::demo_workspace(), &p).unwrap();
    (dir, p)
}

fn group_arn(c: &Config, name: &str) -> String {
    c.groups
        .iter()
        .find(|g| g.name == name)
        .unwrap_or_else(|| panic!("no group {name}"))
        .arn
        .clone()
}

fn allocation(
    c: &Config,
    name: &str,
    source: AllocationSource,
    key: AllocationKey,
    targets: &[(&str, Option<&str>)],
) -> CostAllocation {
    CostAllocation {
        arn: format!("arn:aws:billingconductor::{PAYER}:costallocation/{name}"),
        name: name.into(),
        description: String::new(),
        source,
        key,
        targets: targets
            .iter()
            .map(|(g, w)| AllocationTarget {
                group: group_arn(c, g),
                weight: w.map(d),
            })
            .collect(),
        presentation_service: "SharedServices".into(),
        start: period(),
        end: None,
    }
}

/// The demo payer's own support fee (the demo's transfer organisations pay theirs too).
fn support_source() -> AllocationSource {
    AllocationSource::Cost {
        accounts: ["210987654321".to_string()].into_iter().collect(),
        services: ["AWSSupport*".to_string()].into_iter().collect(),
        line_item_types: ["Fee".to_string()].into_iter().collect(),
    }
}

fn add(ws_path: &Path, a: &CostAllocation) {
    let mut ws = Workspace::open(ws_path).unwrap();
    ws.apply_changes(
        period(),
        &[Change::Put(Object::Allocation(a.clone()))],
        None,
    )
    .unwrap();
}

/// Runs `proforma <command words> WS <args>`: `args` up to the first `--` option are the
/// command's words.
fn run(ws: &Path, args: &[&str]) -> (String, String) {
    let words = args.iter().take_while(|a| !a.starts_with("--")).count();
    let out = common::bin()
        .args(&args[..words])
        .arg(ws)
        .args(&args[words..])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

proptest! {
    /// The parts add up exactly to the amount rounded to cents, and each is within one cent
    /// of its exact share (rounded amount x weight / total; equal shares when every weight
    /// is zero).
    #[test]
    fn parts_add_up_and_follow_their_key(
        cents in -100_000_000i64..100_000_000,
        extra in 0u32..1000,
        weights in prop::collection::vec(0u32..100_000, 1..12),
    ) {
        let amount = Decimal::new(cents, 2) + Decimal::new(extra as i64, 5);
        let w: Vec<Decimal> = weights.iter().map(|x| Decimal::new(*x as i64, 2)).collect();
        let names: Vec<String> = (0..w.len()).map(|i| format!("g{i:02}")).collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let parts = split_cents(amount, &w, &refs);
        let rounded = proforma::money::round2(amount);
        prop_assert_eq!(parts.iter().copied().sum::<Decimal>(), rounded);
        let total: Decimal = w.iter().copied().sum();
        for (p, wi) in parts.iter().zip(&w) {
            prop_assert_eq!(p.round_dp(2), *p, "a part is whole cents");
            let exact = if total.is_zero() {
                rounded / Decimal::from(w.len() as u64)
            } else {
                rounded * *wi / total
            };
            prop_assert!((*p - exact).abs() < cent(), "part {} exact {}", p, exact);
        }
        // Deterministic: the same inputs give the same parts.
        prop_assert_eq!(split_cents(amount, &w, &refs), parts);
    }
}

#[test]
fn the_support_fee_split_by_aws_cost_lands_in_each_groups_totals() {
    let (_dir, ws_path) = demo();
    let ws = Workspace::open(&ws_path).unwrap();
    let before = Analysis::load(&ws, period()).unwrap();
    drop(ws);
    let c = before.config.clone();
    let a = allocation(
        &c,
        "support-share",
        support_source(),
        AllocationKey::AwsCost,
        &[("retail", None), ("media", None), ("fintech", None)],
    );
    add(&ws_path, &a);
    let ws = Workspace::open(&ws_path).unwrap();
    let after = Analysis::load(&ws, period()).unwrap();
    let splits = &after.pricing.allocated.splits;
    assert_eq!(splits.len(), 1);
    let s = &splits[0];
    // The demo's payer pays AWS Support (Business) as a Fee row of 2,487.74.
    assert_eq!(s.rounded, d("2487.74"));
    assert!(s.source_lines > 0);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    assert_eq!(
        s.parts.iter().map(|p| p.amount).sum::<Decimal>(),
        d("2487.74")
    );
    let total_cost: Decimal = s.parts.iter().map(|p| p.weight).sum();
    for p in &s.parts {
        // The key: the group's AWS cost, as the engine has it.
        assert_eq!(p.weight, after.pricing.groups[p.group].aws_cost);
        assert!((p.amount - d("2487.74") * p.weight / total_cost).abs() < cent());
    }
    // Each target's custom line items grow by its part; the others do not move, and no
    // group's rule-priced pro forma changes.
    for (g, group) in after.config.groups.iter().enumerate() {
        let part = s
            .parts
            .iter()
            .find(|p| p.group == g)
            .map_or(Decimal::ZERO, |p| p.amount);
        assert_eq!(
            after.pricing.groups[g].items - before.pricing.groups[g].items,
            part,
            "{}",
            group.name
        );
        assert_eq!(
            after.pricing.groups[g].priced,
            before.pricing.groups[g].priced
        );
    }
    // The charges are custom line items of the allocation's name, FEE, under its service.
    let items: Vec<_> = after
        .pricing
        .items
        .iter()
        .filter_map(|x| after.pricing.item(&after.config, x.item).map(|i| (x, i)))
        .filter(|(_, i)| i.name == "support-share")
        .collect();
    assert_eq!(items.len(), 3);
    for (x, i) in items {
        assert_eq!(i.item_type, proforma::model::ItemType::Fee);
        assert_eq!(i.presentation_service, "SharedServices");
        assert_eq!(x.account, after.config.groups[x.group].primary_account);
    }
}

#[test]
fn explain_and_report_show_the_split_and_its_key() {
    let (_dir, ws_path) = demo();
    let c = {
        let ws = Workspace::open(&ws_path).unwrap();
        ws.config_at(period()).unwrap()
    };
    let net = AllocationSource::Cost {
        accounts: [SHARED_NET.to_string()].into_iter().collect(),
        services: Default::default(),
        line_item_types: Default::default(),
    };
    let a = allocation(
        &c,
        "network-share",
        net,
        AllocationKey::Weights,
        &[("retail", Some("3")), ("media", Some("1"))],
    );
    add(&ws_path, &a);
    let ws = Workspace::open(&ws_path).unwrap();
    let an = Analysis::load(&ws, period()).unwrap();
    let s = &an.pricing.allocated.splits[0];
    assert!(s.rounded > Decimal::ZERO, "the shared account has cost");
    let retail = s.parts[0].amount;
    let media = s.parts[1].amount;
    assert_eq!(retail + media, s.rounded);
    assert!((retail - s.rounded * d("0.75")).abs() < cent());
    let (out, _) = run(&ws_path, &["explain", "--period", P, "--group", "media"]);
    assert!(out.contains("allocation 'network-share'"), "{out}");
    assert!(out.contains(&format!("accounts {SHARED_NET}")), "{out}");
    assert!(out.contains("by fixed weights"), "{out}");
    let fmt = proforma::money::fmt_grouped;
    assert!(
        out.contains(&format!(
            "retail: weight 3.00 of 4.00 (75%) = {}",
            fmt(retail)
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "media: weight 1.00 of 4.00 (25%) = {}",
            fmt(media)
        )),
        "{out}"
    );
    // The report's pro forma of media is its engine total, allocation included, also once
    // the per-group totals are kept ready (an overview report keeps them).
    run(&ws_path, &["report", "--period", P, "--format", "json"]);
    let (json, _) = run(
        &ws_path,
        &[
            "report", "--period", P, "--group", "media", "--format", "json",
        ],
    );
    let g = an
        .config
        .groups
        .iter()
        .position(|g| g.name == "media")
        .unwrap();
    let want = proforma::money::fmt_plain(an.pricing.groups[g].proforma());
    assert!(json.contains(&want), "{want} not in {json}");
}

#[test]
fn a_source_without_rows_gives_zero_and_a_warning() {
    let (_dir, ws_path) = demo();
    let c = {
        let ws = Workspace::open(&ws_path).unwrap();
        ws.config_at(period()).unwrap()
    };
    let none = AllocationSource::Cost {
        accounts: Default::default(),
        services: ["NoSuchService".to_string()].into_iter().collect(),
        line_item_types: Default::default(),
    };
    add(
        &ws_path,
        &allocation(&c, "nothing", none, AllocationKey::Even, &[("labs", None)]),
    );
    let ws = Workspace::open(&ws_path).unwrap();
    let an = Analysis::load(&ws, period()).unwrap();
    let s = &an.pricing.allocated.splits[0];
    assert_eq!(s.rounded, Decimal::ZERO);
    assert_eq!(s.parts[0].amount, Decimal::ZERO);
    assert!(s.warnings[0].contains("no line of the period matches"));
    let (out, _) = run(&ws_path, &["explain", "--period", P, "--group", "labs"]);
    assert!(
        out.contains("warning: no line of the period matches"),
        "{out}"
    );
}

#[test]
fn a_fixed_amount_split_evenly_breaks_ties_by_name() {
    let (_dir, ws_path) = demo();
    let c = {
        let ws = Workspace::open(&ws_path).unwrap();
        ws.config_at(period()).unwrap()
    };
    let fixed = AllocationSource::Fixed { amount: d("100") };
    add(
        &ws_path,
        &allocation(
            &c,
            "office",
            fixed,
            AllocationKey::Even,
            &[("retail", None), ("media", None), ("fintech", None)],
        ),
    );
    let ws = Workspace::open(&ws_path).unwrap();
    let an = Analysis::load(&ws, period()).unwrap();
    let parts: Vec<(String, Decimal)> = an.pricing.allocated.splits[0]
        .parts
        .iter()
        .map(|p| (an.config.groups[p.group].name.clone(), p.amount))
        .collect();
    // 33.33 each and one cent left: to the first name, fintech.
    assert_eq!(
        parts,
        vec![
            ("retail".to_string(), d("33.33")),
            ("media".to_string(), d("33.33")),
            ("fintech".to_string(), d("33.34")),
        ]
    );
    // Not active before its start.
    let ws = Workspace::open(&ws_path).unwrap();
    let sep = Analysis::load(&ws, "2026-09".parse().unwrap()).unwrap();
    assert!(sep.pricing.allocated.splits.is_empty());
}

#[test]
fn validation_names_unknown_groups_empty_keys_and_bad_weights() {
    let (_dir, ws_path) = demo();
    let ws = Workspace::open(&ws_path).unwrap();
    let c = ws.config_at(period()).unwrap();
    let ctx = ValidationContext {
        payers: [PAYER.to_string()].into_iter().collect(),
        ..Default::default()
    };
    let check = |a: CostAllocation| {
        let mut x = c.clone();
        x.allocations.push(a);
        validate(&x, &ctx)
    };
    let fixed = || AllocationSource::Fixed { amount: d("10") };
    let mut unknown = allocation(&c, "u", fixed(), AllocationKey::Even, &[("retail", None)]);
    unknown.targets[0].group = "arn:aws:billingconductor::1:billinggroup/none".into();
    assert!(check(unknown).unwrap_err().has(Reason::MissingBillinggroup));
    let empty = allocation(&c, "e", fixed(), AllocationKey::Even, &[]);
    let e = check(empty).unwrap_err().to_string();
    assert!(e.contains("cost allocation 'e'.Targets"), "{e}");
    let zero = allocation(
        &c,
        "z",
        fixed(),
        AllocationKey::Weights,
        &[("retail", Some("0")), ("media", Some("0"))],
    );
    assert!(
        check(zero)
            .unwrap_err()
            .to_string()
            .contains("add up to zero")
    );
    let negative = allocation(
        &c,
        "n",
        fixed(),
        AllocationKey::Weights,
        &[("retail", Some("-1")), ("media", Some("2"))],
    );
    assert!(
        check(negative)
            .unwrap_err()
            .to_string()
            .contains("negative")
    );
    let missing = allocation(
        &c,
        "m",
        fixed(),
        AllocationKey::Weights,
        &[("retail", Some("1")), ("media", None)],
    );
    assert!(
        check(missing)
            .unwrap_err()
            .to_string()
            .contains("needs a weight for 'media'")
    );
    let no_source = AllocationSource::Cost {
        accounts: Default::default(),
        services: Default::default(),
        line_item_types: Default::default(),
    };
    let e = check(allocation(
        &c,
        "s",
        no_source,
        AllocationKey::Even,
        &[("retail", None)],
    ))
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("names accounts, services or line item types"),
        "{e}"
    );
    let ok = allocation(&c, "ok", fixed(), AllocationKey::Even, &[("retail", None)]);
    assert_eq!(check(ok), Ok(()));
    // The workspace refuses an invalid allocation and writes nothing.
    drop(ws);
    let mut ws = Workspace::open(&ws_path).unwrap();
    let bad = allocation(
        &c,
        "z",
        fixed(),
        AllocationKey::Weights,
        &[("retail", Some("0"))],
    );
    assert!(
        ws.apply_changes(period(), &[Change::Put(Object::Allocation(bad))], None)
            .is_err()
    );
    assert!(ws.config_at(period()).unwrap().allocations.is_empty());
}

const TOML: &str = r#"
[[billing_group]]
name = "a"
primary_account = "111111111111"
accounts = ["111111111111"]
plan = "BasicPricingPlan"

[[billing_group]]
name = "b"
primary_account = "222222222222"
accounts = ["222222222222"]
plan = "BasicPricingPlan"

[[cost_allocation]]
name = "support-share"
description = "Business support, shared"
cost_of = { services = ["AWSSupport*"], line_item_types = ["Fee"] }
key = "WEIGHTS"
groups = ["a", "b"]
weights = { a = 2.5, b = 1 }
start = "2026-09"
end = "2027-01"

[[cost_allocation]]
name = "ec2-share"
amount = 1200.10
key = "SERVICE_COST"
key_service = "AmazonEC2"
groups = ["b", "a"]
presentation_service = "SharedServices"
start = "2026-10"
"#;

#[test]
fn toml_round_trips_allocations_and_names_bad_fields() {
    use proforma::interop::toml_config::{export, parse};
    let payers = [PAYER.to_string()].into_iter().collect();
    let parsed = parse(TOML, &payers).unwrap();
    let c = &parsed.config;
    assert_eq!(c.allocations.len(), 2);
    let ec2 = &c.allocations[0];
    assert_eq!(ec2.name, "ec2-share");
    assert_eq!(
        ec2.source,
        AllocationSource::Fixed {
            amount: d("1200.10")
        }
    );
    assert_eq!(
        ec2.key,
        AllocationKey::ServiceCost {
            service: "AmazonEC2".into()
        }
    );
    assert_eq!(ec2.targets[0].group, group_arn(c, "b"));
    let support = &c.allocations[1];
    assert_eq!(support.targets[0].weight, Some(d("2.5")));
    assert_eq!(support.end, Some("2027-01".parse().unwrap()));
    let text = export(c);
    assert!(text.contains("[[cost_allocation]]"), "{text}");
    let again = parse(&text, &payers).unwrap().config;
    assert_eq!(&again, c);
    assert_eq!(export(&again), text);
    // Bad content: named by its path.
    let bad = TOML.replace("groups = [\"b\", \"a\"]", "groups = [\"b\", \"nobody\"]");
    let e = parse(&bad, &payers).unwrap_err().to_string();
    assert!(e.contains("cost_allocation[1].groups[1]"), "{e}");
    assert!(e.contains("MISSING_BILLINGGROUP"), "{e}");
    let bad = TOML.replace("key = \"WEIGHTS\"", "key = \"HALVES\"");
    let e = parse(&bad, &payers).unwrap_err().to_string();
    assert!(e.contains("cost_allocation[0].key"), "{e}");
    assert!(e.contains("'HALVES' is not AWS_COST"), "{e}");
}

#[test]
fn config_import_and_export_carry_allocations() {
    let (_dir, ws_path) = demo();
    let (toml, _) = run(&ws_path, &["config", "export", "--period", P]);
    let with = format!(
        "{toml}\n[[cost_allocation]]\nname = \"office\"\namount = 90\nkey = \"EVEN\"\n\
         groups = [\"retail\", \"labs\"]\nstart = \"{P}\"\n"
    );
    let file = ws_path.with_extension("toml");
    std::fs::write(&file, with).unwrap();
    let out = common::bin()
        .args(["config", "import"])
        .arg(&ws_path)
        .arg(&file)
        .args(["--from-period", P])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(said.contains("1 cost allocation"), "{said}");
    let (again, _) = run(&ws_path, &["config", "export", "--period", P]);
    assert!(
        again.contains("[[cost_allocation]]\nname = \"office\""),
        "{again}"
    );
    let ws = Workspace::open(&ws_path).unwrap();
    let an = Analysis::load(&ws, period()).unwrap();
    let parts: Vec<Decimal> = an.pricing.allocated.splits[0]
        .parts
        .iter()
        .map(|p| p.amount)
        .collect();
    assert_eq!(parts, vec![d("45"), d("45")]);
}

#[test]
fn the_aws_bundle_gets_the_flat_items_of_the_period_and_a_note() {
    let (_dir, ws_path) = demo();
    let c = {
        let ws = Workspace::open(&ws_path).unwrap();
        ws.config_at(period()).unwrap()
    };
    add(
        &ws_path,
        &allocation(
            &c,
            "support-share",
            support_source(),
            AllocationKey::Proforma,
            &[("retail", None), ("media", None)],
        ),
    );
    let ws = Workspace::open(&ws_path).unwrap();
    let an = Analysis::load(&ws, period()).unwrap();
    let parts = &an.pricing.allocated.splits[0].parts;
    // The PRO_FORMA key is the rule-priced pro forma, before custom line items.
    for p in parts {
        assert_eq!(p.weight, an.pricing.groups[p.group].priced);
    }
    let (json, err) = run(
        &ws_path,
        &["config", "export", "--period", P, "--format", "aws-json"],
    );
    assert!(
        err.contains("note: cost allocation 'support-share'"),
        "{err}"
    );
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(
        v["ProformaNotes"][0]
            .as_str()
            .unwrap()
            .contains("flat custom line items")
    );
    for p in parts {
        let group = &an.config.groups[p.group];
        let name = format!("support-share-{}", group.name);
        let item = v["CustomLineItems"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["Name"] == name.as_str())
            .unwrap_or_else(|| panic!("no {name} in {json}"));
        assert_eq!(item["BillingGroupArn"], group.arn.as_str());
        assert_eq!(item["ChargeDetails"]["Type"], "FEE");
        assert_eq!(item["CurrencyCode"], "USD");
        let value: Decimal = item["ChargeDetails"]["Flat"]["ChargeValue"]
            .to_string()
            .parse()
            .unwrap();
        assert_eq!(value, p.amount);
        assert_eq!(item["BillingPeriodRange"]["InclusiveStartBillingPeriod"], P);
        assert_eq!(
            item["BillingPeriodRange"]["ExclusiveEndBillingPeriod"],
            "2026-11"
        );
    }
    // A bundle import never creates an allocation: the flat items come back as items.
    let parsed = proforma::interop::aws_bundle::parse(&json, period()).unwrap();
    assert!(parsed.config.allocations.is_empty());
    assert!(
        parsed
            .config
            .items
            .iter()
            .any(|i| i.name == "support-share-retail")
    );
}

#[test]
fn a_scenario_edit_changes_only_the_scenario() {
    let (_dir, ws_path) = demo();
    let c = {
        let ws = Workspace::open(&ws_path).unwrap();
        ws.config_at(period()).unwrap()
    };
    let base = allocation(
        &c,
        "office",
        AllocationSource::Fixed { amount: d("100") },
        AllocationKey::Even,
        &[("retail", None), ("media", None)],
    );
    add(&ws_path, &base);
    let mut ws = Workspace::open(&ws_path).unwrap();
    let s = ws.create_scenario("weighted", period()).unwrap();
    let mut edited = base.clone();
    edited.key = AllocationKey::Weights;
    edited.targets[0].weight = Some(d("3"));
    edited.targets[1].weight = Some(d("1"));
    ws.scenario_change(s.id, &Change::Put(Object::Allocation(edited.clone())))
        .unwrap();
    assert_eq!(ws.config_at(period()).unwrap().allocations, vec![base]);
    assert_eq!(
        ws.scenario_config(s.id).unwrap().allocations,
        vec![edited.clone()]
    );
    let baseline = Analysis::load_state(&ws, period(), None).unwrap();
    let scenario = Analysis::load_state(&ws, period(), Some("weighted")).unwrap();
    let amounts = |a: &Analysis| -> Vec<Decimal> {
        a.pricing.allocated.splits[0]
            .parts
            .iter()
            .map(|p| p.amount)
            .collect()
    };
    assert_eq!(amounts(&baseline), vec![d("50"), d("50")]);
    assert_eq!(amounts(&scenario), vec![d("75"), d("25")]);
    // A scenario may delete it too; the baseline keeps it.
    ws.scenario_change(
        s.id,
        &Change::Delete {
            kind: proforma::model::Kind::CostAllocation,
            arn: edited.arn.clone(),
        },
    )
    .unwrap();
    assert!(ws.scenario_config(s.id).unwrap().allocations.is_empty());
    assert_eq!(ws.config_at(period()).unwrap().allocations.len(), 1);
}

#[test]
fn the_history_records_allocations_and_undo_removes_them() {
    let (_dir, ws_path) = demo();
    let c = {
        let ws = Workspace::open(&ws_path).unwrap();
        ws.config_at(period()).unwrap()
    };
    add(
        &ws_path,
        &allocation(
            &c,
            "office",
            AllocationSource::Fixed { amount: d("10") },
            AllocationKey::Even,
            &[("retail", None)],
        ),
    );
    let mut ws = Workspace::open(&ws_path).unwrap();
    let audit = ws.audit(5).unwrap();
    let entry = audit
        .iter()
        .find(|r| r.object == "cost allocation office")
        .unwrap_or_else(|| panic!("{:?}", audit.iter().map(|r| &r.object).collect::<Vec<_>>()));
    assert_eq!(entry.kind.as_deref(), Some("costallocation"));
    assert!(entry.after.as_deref().unwrap_or("").contains("\"even\""));
    ws.undo().unwrap();
    assert!(ws.config_at(period()).unwrap().allocations.is_empty());
    ws.redo().unwrap();
    assert_eq!(ws.config_at(period()).unwrap().allocations.len(), 1);
}

//! "Re-price after one rule edit" on the 1,000,000-line workspace (issue 3): incrementally
//! (only the groups whose plans hold the rule, issue 10), and every group from scratch.
//!
//! The first run builds `target/bench-data/bench-1m.proforma` (the sample generator's
//! 1,000,000-line month plus the demo configuration: five groups); later runs reuse it.
//! `PROFORMA_BENCH_LINES` changes the size (a different file per size).

mod common;

use common::workspace;
use criterion::{Criterion, criterion_group, criterion_main};
use proforma::analysis::Analysis;
use proforma::model::{Config, RuleType};
use proforma::period::BillingPeriod;
use proforma::store::Workspace;
use rust_decimal::Decimal;
use std::hint::black_box;

fn reprice(c: &mut Criterion) {
    let path = workspace(common::lines());
    let ws = Workspace::open(&path).unwrap();
    let period: BillingPeriod = "2026-10".parse().unwrap();
    let mut analysis = Analysis::load(&ws, period).unwrap();
    eprintln!(
        "{} aggregate lines, {} groups",
        analysis.lines.len(),
        analysis.config.groups.len()
    );
    let base: Config = analysis.config.clone();
    let rule = base
        .rules
        .iter()
        .position(|r| r.rule_type == RuleType::Markup)
        .unwrap();
    let mut edit = 0u32;
    c.bench_function("price every group from scratch", |b| {
        b.iter(|| {
            black_box(
                proforma::engine::price(period, &analysis.lines, &base)
                    .groups
                    .len(),
            )
        })
    });
    c.bench_function("re-price after one rule edit (incremental)", |b| {
        b.iter(|| {
            // The edit: the markup moves between 10.00% and 10.99%, as while typing.
            edit = (edit + 1) % 100;
            let mut config = base.clone();
            config.rules[rule].modifier = Some(Decimal::new(1000 + i64::from(edit), 2));
            analysis.reprice(config);
            black_box(analysis.group_reports())
        })
    });
}

criterion_group!(benches, reprice);
criterion_main!(benches);

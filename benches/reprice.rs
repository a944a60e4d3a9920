//! "Re-price every group after one rule edit" on the 1,000,000-line workspace (issue 3).
//!
//! The first run builds `target/bench-data/bench-1m.proforma` (the sample generator's
//! 1,000,000-line month plus the demo configuration: five groups); later runs reuse it.
//! `PROFORMA_BENCH_LINES` changes the size (a different file per size).

use criterion::{Criterion, criterion_group, criterion_main};
use proforma::analysis::Analysis;
use proforma::cur::Source;
use proforma::import::{Quiet, import};
use proforma::interop::toml_config;
use proforma::model::{Config, RuleType};
use proforma::period::BillingPeriod;
use proforma::sample::{self, SampleSpec};
use proforma::store::Workspace;
use rust_decimal::Decimal;
use std::hint::black_box;
use std::path::{Path, PathBuf};

fn workspace(lines: u64) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("bench-{lines}.proforma"));
    if path.exists() {
        return path;
    }
    eprintln!("building {} (once)...", path.display());
    let period: BillingPeriod = "2026-10".parse().unwrap();
    let spec = SampleSpec {
        lines_per_month: lines.saturating_sub(900),
        first_period: period,
        months: 1,
        ..SampleSpec::default()
    };
    let csv = dir.join(format!("cur-{lines}.csv"));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&csv).unwrap());
    sample::write_month(&spec, period, &mut out).unwrap();
    drop(out);
    let tmp = dir.join(format!("bench-{lines}.building"));
    let _ = std::fs::remove_file(&tmp);
    {
        let mut ws = Workspace::create(&tmp).unwrap();
        import(&mut ws, &[Source::File(csv.clone())], &Quiet).unwrap();
        let config = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data/config.toml"),
        )
        .unwrap();
        let parsed = toml_config::parse(&config, &ws.validation_context().unwrap().payers).unwrap();
        ws.replace_config(period, &parsed.config, None).unwrap();
        ws.checkpoint().unwrap();
    }
    std::fs::remove_file(&csv).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    path
}

fn reprice(c: &mut Criterion) {
    let lines: u64 = std::env::var("PROFORMA_BENCH_LINES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let path = workspace(lines);
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
    c.bench_function("re-price every group after one rule edit", |b| {
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

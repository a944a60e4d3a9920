//! Timings of one workspace for `bench/import_vs_duckdb.py` (issue 10): TUI open to the first
//! drawn screen (200x60, headless on ratatui's TestBackend, as `benches/render.rs` does) and
//! re-pricing every group after one rule edit (as `benches/reprice.rs` does), on any
//! workspace, without criterion.
//!
//! Usage: `cargo run --release --example bench_workspace -- WORKSPACE PERIOD [ROUNDS]`
//! Prints `key=value` lines: `open_ms`, `load_ms` (the period loaded and priced),
//! `reprice_ms` (medians of ROUNDS, default 5), `aggregate_lines`, `groups`, `rules`.

use proforma::analysis::Analysis;
use proforma::app::App;
use proforma::model::RuleType;
use proforma::period::BillingPeriod;
use proforma::store::Workspace;
use proforma::tui::Session;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use rust_decimal::Decimal;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v.get(v.len() / 2).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn main() -> color_eyre::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, period, rest @ ..] = args.as_slice() else {
        color_eyre::eyre::bail!("usage: bench_workspace WORKSPACE PERIOD [ROUNDS]");
    };
    let period: BillingPeriod = period
        .parse()
        .map_err(|e| color_eyre::eyre::eyre!("period {period}: {e}"))?;
    let rounds: usize = rest.first().map_or(Ok(5), |r| r.parse())?;

    let mut term = Terminal::new(TestBackend::new(200, 60))?;
    let mut open = Vec::new();
    for _ in 0..rounds.max(1) {
        let t = Instant::now();
        let app = App::load(Workspace::open(std::path::Path::new(path))?, "bench".into())?;
        let mut s = Session::with_defaults(app);
        term.draw(|f| proforma::tui::draw::draw(f, &mut s))?;
        open.push(t.elapsed());
        black_box(s.app.model.rows.len());
    }
    println!("open_ms={:.1}", median(open));

    let ws = Workspace::open(std::path::Path::new(path))?;
    let t = Instant::now();
    let mut analysis = Analysis::load(&ws, period)?;
    black_box(analysis.group_reports());
    println!("load_ms={:.1}", t.elapsed().as_secs_f64() * 1000.0);
    println!("aggregate_lines={}", analysis.lines.len());
    println!("groups={}", analysis.config.groups.len());
    println!("rules={}", analysis.config.rules.len());
    let base = analysis.config.clone();
    let Some(rule) = base
        .rules
        .iter()
        .position(|r| r.rule_type == RuleType::Markup)
    else {
        color_eyre::eyre::bail!("no MARKUP rule to edit in {period}");
    };
    let mut reprice = Vec::new();
    for edit in 0..rounds.max(1) {
        let mut config = base.clone();
        // The edit: the markup moves between 10.01% and 10.99%, as while typing.
        config.rules[rule].modifier = Some(Decimal::new(1001 + edit as i64 % 99, 2));
        let t = Instant::now();
        analysis.reprice(config);
        black_box(analysis.group_reports());
        reprice.push(t.elapsed());
    }
    println!("reprice_ms={:.1}", median(reprice));
    Ok(())
}

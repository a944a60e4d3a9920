//! Timings of one workspace for `bench/import_vs_duckdb.py` (issue 10): TUI open to the first
//! drawn screen (200x60, headless on ratatui's TestBackend, as `benches/render.rs` does) and
//! re-pricing every group after one rule edit (as `benches/reprice.rs` does), on any
//! workspace, without criterion.
//!
//! In the TUI (the last session opened): `preview_ms`, a key in a rule's percentage to its
//! preview (median of 2 x ROUNDS keys), and `save_ms`, Ctrl-s to the re-priced screen (this
//! saves a rule edit into the workspace: run it on a copy).
//!
//! Usage: `cargo run --release --example bench_workspace -- WORKSPACE PERIOD [ROUNDS]`
//! Prints `key=value` lines: `open_ms`, `load_ms` (the period loaded and priced),
//! `reprice_full_ms` (every group priced from scratch), `reprice_ms` (a rule edit re-priced
//! incrementally: only the groups whose plans hold the rule, plus the group reports),
//! `reprice_item_ms` (a flat custom line item edit), `reprice_membership_ms` (an account moved
//! between two groups), each with `*_groups` (how many groups' lines it re-priced) and
//! `*_items` (how many custom line items it computed again, of the active ones); medians of
//! ROUNDS, default 5; `aggregate_lines`, `groups`, `rules`.

use proforma::analysis::Analysis;
use proforma::app::{Action, App};
use proforma::model::{Charge, Config, RuleType};
use proforma::period::BillingPeriod;
use proforma::store::Workspace;
use proforma::tui::Session;
use proforma::tui::keymap::Key;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use rust_decimal::Decimal;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v.get(v.len() / 2).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// A key as the TUI gets it.
fn key(s: &mut Session, name: &str) -> color_eyre::Result<()> {
    let k = Key::parse(name).ok_or_else(|| color_eyre::eyre::eyre!("no key {name}"))?;
    s.key(k.event());
    Ok(())
}

/// In the TUI: a key typed in a MARKUP rule's percentage to its preview shown (the form's
/// checks, the worker's incremental re-price, the preview's footing), and Ctrl-s to the
/// re-priced screen (the workspace written, the worker's re-price taken, the tables
/// rebuilt). Edits the workspace: run it on a copy.
fn keypress_and_save(s: &mut Session, rounds: usize) -> color_eyre::Result<()> {
    let config = &s.app.data.config;
    let Some(name) = config
        .rules
        .iter()
        .find(|r| {
            r.rule_type == RuleType::Markup && config.plans.iter().any(|p| p.rules.contains(&r.arn))
        })
        .map(|r| r.name.clone())
    else {
        return Ok(());
    };
    key(s, "4")?;
    let Some(pos) = s
        .app
        .visible
        .iter()
        .position(|&r| s.app.model.keys[r] == name)
    else {
        return Ok(());
    };
    s.app.update(Action::Select(pos));
    for k in ["e", "Tab", "Tab", "Tab", "Tab", "End"] {
        key(s, k)?;
    }
    s.app.settle();
    let mut preview = Vec::new();
    for round in 0..rounds {
        // Append a digit (10 -> 101), then take it back: two previews.
        for k in [format!("{}", round % 10), "Backspace".to_string()] {
            let t = Instant::now();
            key(s, &k)?;
            s.app.settle();
            preview.push(t.elapsed());
        }
    }
    println!("preview_ms={:.1}", median(preview));
    key(s, "1")?;
    s.app.settle();
    let t = Instant::now();
    key(s, "Ctrl-s")?;
    s.app.settle();
    let saved = t.elapsed();
    black_box(s.app.model.rows.len());
    println!("save_ms={:.1}", saved.as_secs_f64() * 1000.0);
    println!("save_status={}", s.app.status.0.clone().unwrap_or_default());
    Ok(())
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
    let mut session = None;
    for _ in 0..rounds.max(1) {
        let t = Instant::now();
        let app = App::load(Workspace::open(std::path::Path::new(path))?, "bench".into())?;
        let mut s = Session::with_defaults(app);
        term.draw(|f| proforma::tui::draw::draw(f, &mut s))?;
        open.push(t.elapsed());
        black_box(s.app.model.rows.len());
        session = Some(s);
    }
    // The first open prices the period (and keeps its totals); the next ones draw the
    // overview from the kept totals while the lines load behind it.
    println!("open_first_ms={:.1}", open[0].as_secs_f64() * 1000.0);
    println!("open_ms={:.1}", median(open));
    if let Some(mut s) = session {
        s.app.wait_detail();
        keypress_and_save(&mut s, rounds.max(1))?;
    }

    let ws = Workspace::open(std::path::Path::new(path))?;
    let t = Instant::now();
    let mut analysis = Analysis::load(&ws, period)?;
    black_box(analysis.group_reports());
    println!("load_ms={:.1}", t.elapsed().as_secs_f64() * 1000.0);
    println!("aggregate_lines={}", analysis.lines.len());
    println!("groups={}", analysis.config.groups.len());
    println!("rules={}", analysis.config.rules.len());
    let base = analysis.config.clone();
    let Some(rule) = base.rules.iter().position(|r| {
        r.rule_type == RuleType::Markup && base.plans.iter().any(|p| p.rules.contains(&r.arn))
    }) else {
        color_eyre::eyre::bail!("no MARKUP rule in a plan to edit in {period}");
    };
    let rounds = rounds.max(1);
    // Every group from scratch (what a re-price cost before issue 10, and what an edit that
    // cannot be bounded costs).
    let mut full = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let p = proforma::engine::price(period, &analysis.lines, &base);
        black_box(p.groups.len());
        full.push(t.elapsed());
    }
    println!("reprice_full_ms={:.1}", median(full));
    // An edit, re-priced incrementally (only the groups it can affect), then the group
    // reports the screen shows.
    let mut timed = |name: &str, edit: &dyn Fn(&mut Config, usize)| {
        let mut times = Vec::new();
        let mut groups = 0;
        let mut items = 0;
        for round in 0..rounds {
            let mut config = base.clone();
            edit(&mut config, round);
            let affected = proforma::engine::reprice::affected_groups(
                &analysis.config,
                &config,
                &analysis.pricing.index,
                analysis.period,
            );
            groups = affected.count(config.groups.len());
            let t = Instant::now();
            let delta = proforma::engine::reprice::delta(
                &analysis.pricing,
                &analysis.config,
                &config,
                &analysis.lines,
            );
            items = delta.items_recomputed;
            analysis.apply(config, delta);
            black_box(analysis.group_reports());
            times.push(t.elapsed());
        }
        println!("{name}_ms={:.1}", median(times));
        println!("{name}_groups={groups}");
        println!("{name}_items={items}");
    };
    // The markup moves between 10.01% and 10.99%, as while typing.
    timed("reprice", &|c, round| {
        c.rules[rule].modifier = Some(Decimal::new(1001 + round as i64 % 99, 2));
    });
    let item = base
        .items
        .iter()
        .position(|i| matches!(i.charge, Charge::Flat { .. }));
    if let Some(item) = item {
        timed("reprice_item", &|c, round| {
            c.items[item].charge = Charge::Flat {
                value: Decimal::new(10_001 + round as i64, 2),
            };
        });
    }
    // One account moves from the first group to the second and back.
    if base.groups.len() >= 2 {
        timed("reprice_membership", &|c, round| {
            let Some(account) = base.groups[0]
                .accounts
                .iter()
                .find(|a| **a != base.groups[0].primary_account)
                .cloned()
            else {
                return;
            };
            if round % 2 == 0 {
                c.groups[0].accounts.remove(&account);
                c.groups[1].accounts.insert(account);
            }
        });
    }
    Ok(())
}

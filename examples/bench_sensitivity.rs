//! Sensitivity stepping (issue 14 item 2): keypress-to-numbers in the TUI, headless.
//!
//! Opens the workspace (as the TUI does), goes to the Pricing rules tab, selects the MARKUP
//! rule in a plan that prices the most groups, then presses `+` and `-` ROUNDS times each.
//! For every keypress it measures `key_ms` (the key handled: the stepped value re-priced
//! incrementally for the groups whose plans hold the rule, and the baseline | stepped | Δ
//! table rebuilt: what the next frame shows) and `key_draw_ms` (the same plus drawing a
//! 200x60 frame on ratatui's TestBackend). Nothing is written (Esc drops the draft at the end).
//!
//! Usage: `cargo run --release --example bench_sensitivity -- WORKSPACE [ROUNDS]`
//! Prints `key=value` lines: `rule`, `groups_touched`, `key_ms` / `key_draw_ms` (median),
//! `key_max_ms` / `key_draw_max_ms`, `reprice_ms` (the engine's part, as the title shows it).

use proforma::app::{Action, App};
use proforma::model::RuleType;
use proforma::store::Workspace;
use proforma::tui::Session;
use proforma::tui::keymap::Key;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut v: Vec<Duration>) -> f64 {
    v.sort();
    v.get(v.len() / 2).copied().map_or(0.0, ms)
}

fn key(s: &mut Session, name: &str) -> color_eyre::Result<()> {
    let k = Key::parse(name).ok_or_else(|| color_eyre::eyre::eyre!("no key {name}"))?;
    s.key(k.event());
    Ok(())
}

fn main() -> color_eyre::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [path, rest @ ..] = args.as_slice() else {
        color_eyre::eyre::bail!("usage: bench_sensitivity WORKSPACE [ROUNDS]");
    };
    let rounds: usize = rest.first().map_or(Ok(20), |r| r.parse())?;
    let app = App::load(Workspace::open(std::path::Path::new(path))?, "bench".into())?;
    let mut s = Session::with_defaults(app);
    s.app.wait_detail();
    let config = &s.app.data.config;
    // The MARKUP rule that reaches the most groups (through their plans).
    let best = config
        .rules
        .iter()
        .filter(|r| r.rule_type == RuleType::Markup)
        .map(|r| {
            let plans: Vec<&str> = config
                .plans
                .iter()
                .filter(|p| p.rules.contains(&r.arn))
                .map(|p| p.arn.as_str())
                .collect();
            let groups = config
                .groups
                .iter()
                .filter(|g| plans.contains(&g.plan.as_str()))
                .count();
            (groups, r.name.clone())
        })
        .max();
    let Some((groups, name)) = best else {
        color_eyre::eyre::bail!("no MARKUP rule in {path}");
    };
    println!("rule={name}");
    println!("groups_touched={groups}");
    key(&mut s, "4")?;
    let Some(pos) = s
        .app
        .visible
        .iter()
        .position(|&r| s.app.model.keys[r] == name)
    else {
        color_eyre::eyre::bail!("rule {name} not listed");
    };
    s.app.update(Action::Select(pos));
    let mut term = Terminal::new(TestBackend::new(200, 60))?;
    let (mut keys, mut drawn, mut engine) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds.max(1) {
        for k in ["+", "-"] {
            let t = Instant::now();
            key(&mut s, k)?;
            let handled = t.elapsed();
            term.draw(|f| proforma::tui::draw::draw(f, &mut s))?;
            keys.push(handled);
            drawn.push(t.elapsed());
            if let Some(d) = &s.app.sensitivity.draft {
                engine.push(d.elapsed);
            } else if round == 0 {
                color_eyre::eyre::bail!(
                    "no draft after {k}: {}",
                    s.app.status.0.clone().unwrap_or_default()
                );
            }
            black_box(s.app.model.rows.len());
        }
    }
    key(&mut s, "Esc")?;
    println!("key_ms={:.1}", median(keys.clone()));
    println!(
        "key_max_ms={:.1}",
        keys.iter().copied().max().map_or(0.0, ms)
    );
    println!("key_draw_ms={:.1}", median(drawn.clone()));
    println!(
        "key_draw_max_ms={:.1}",
        drawn.iter().copied().max().map_or(0.0, ms)
    );
    println!("reprice_ms={:.1}", median(engine));
    Ok(())
}

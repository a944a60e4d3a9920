//! `proforma scenario` (SPEC 3, issue 14 item 1): list a workspace's scenarios, create one
//! over a period's baseline, or start one as a copy of another (the same differences from the
//! baseline; from then on the two change independently). Editing a scenario is the TUI's
//! (`w`); `report --scenario` and `export --kind comparison` read them.

use crate::period::BillingPeriod;
use crate::store::Workspace;
use color_eyre::eyre::bail;
use std::path::Path;

/// Prints the scenarios: name, period and how many objects differ from the baseline.
///
/// # Errors
/// The store's.
pub fn list(path: &Path) -> color_eyre::Result<()> {
    let ws = Workspace::open_for_reading(path)?;
    let all = ws.scenarios()?;
    if all.is_empty() {
        println!("no scenarios (create one: proforma scenario new WS --period P NAME)");
    }
    let mut t = super::table::Table::new(&[
        ("Scenario", super::table::Align::Left),
        ("Period", super::table::Align::Left),
        ("Changes", super::table::Align::Right),
    ]);
    for s in &all {
        t.row(vec![
            s.name.clone(),
            s.period.to_string(),
            s.changes.to_string(),
        ]);
    }
    if !all.is_empty() {
        super::table::print_safe(&t.render(), false)?;
    }
    Ok(())
}

/// Creates an empty scenario over the baseline of `period`.
///
/// # Errors
/// A period without data, an empty or taken name; the store's. Nothing is written then.
pub fn new(path: &Path, period: BillingPeriod, name: &str) -> color_eyre::Result<()> {
    let mut ws = Workspace::open(path)?;
    if !ws.deliveries()?.iter().any(|d| d.period == period) {
        bail!(
            "no cost data for period {period} in {}: a scenario drafts a period with data",
            path.display()
        );
    }
    let s = ws.create_scenario(name, period)?;
    println!(
        "scenario '{}' of {} created (empty: the baseline)",
        crate::text::escape(&s.name, crate::text::Keep::Nothing),
        s.period
    );
    Ok(())
}

/// Creates scenario `name` as a copy of scenario `from` (`period`, when given, must be
/// `from`'s).
///
/// # Errors
/// No scenario `from` (or one of another period than `period`), an empty or taken name; the
/// store's. Nothing is written then.
pub fn copy(
    path: &Path,
    period: Option<BillingPeriod>,
    from: &str,
    name: &str,
) -> color_eyre::Result<()> {
    let mut ws = Workspace::open(path)?;
    let all = ws.scenarios()?;
    let Some(source) = all.iter().find(|s| s.name == from) else {
        let known: Vec<String> = all
            .iter()
            .map(|s| format!("'{}' ({})", s.name, s.period))
            .collect();
        bail!(
            "no scenario '{from}' in {} (scenarios: {}); nothing was written",
            path.display(),
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        );
    };
    if let Some(p) = period {
        if p != source.period {
            bail!(
                "scenario '{from}' drafts period {}, not {p}; nothing was written",
                source.period
            );
        }
    }
    let s = ws.copy_scenario(source.id, name)?;
    println!(
        "scenario '{}' of {} created as a copy of '{}' ({})",
        crate::text::escape(&s.name, crate::text::Keep::Nothing),
        s.period,
        crate::text::escape(from, crate::text::Keep::Nothing),
        crate::text::count(s.changes as u64, "change")
    );
    Ok(())
}

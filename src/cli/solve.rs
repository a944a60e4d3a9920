//! `proforma solve` (issue 14 item 3): the markup on a rule (or the flat credit or fee on a
//! group) that gives a billing group a margin of X % or a pro forma of Y, solved exactly by
//! [`crate::engine::solve`], rounded to 2 decimals as ABC stores it, and what that value
//! reaches. `--apply-to-scenario NAME` writes the change into a scenario of the period
//! (created when absent), never into the baseline.

use super::table::{Align, Table};
use crate::analysis::Analysis;
use crate::engine::solve::{Lever, Solved, Target, solve};
use crate::model::{Change, Object};
use crate::money::fmt_grouped;
use crate::period::BillingPeriod;
use crate::store::Workspace;
use color_eyre::eyre::{bail, eyre};
use rust_decimal::Decimal;
use std::path::Path;

/// What one `proforma solve` command asks for.
#[derive(Debug, Clone)]
pub struct Args<'a> {
    pub period: BillingPeriod,
    /// Billing group, by name or ARN.
    pub group: &'a str,
    pub lever: Lever,
    pub target: Target,
    /// Solve from this scenario's draft of the period instead of the baseline.
    pub scenario: Option<&'a str>,
    /// Write the change into this scenario (created when absent).
    pub apply_to_scenario: Option<&'a str>,
}

/// Runs `solve`.
///
/// # Errors
/// A period without data, an unknown group, rule or scenario; no value reaching the target
/// (the reason, [`crate::engine::solve::Unreachable`]); a scenario of another period; a
/// change the scenario refuses. Nothing is written unless a solution exists.
pub fn run(path: &Path, args: &Args<'_>) -> color_eyre::Result<()> {
    let ws = Workspace::open_for_reading(path)?;
    if !ws.deliveries()?.iter().any(|d| d.period == args.period) {
        bail!(
            "no cost data for period {} in {}: import a CUR of that month first",
            args.period,
            path.display()
        );
    }
    // Writing into a scenario that exists: solve from it (its draft is what the change joins),
    // unless --scenario names the state to solve from.
    // A scenario of another period is refused before anything is solved or printed.
    if let Some(name) = args.apply_to_scenario
        && let Some(s) = ws
            .scenarios()?
            .into_iter()
            .find(|s| s.name == name.trim() && s.period != args.period)
    {
        bail!(
            "scenario '{}' drafts period {}, not {}: apply into a scenario of {} (or a new name)",
            s.name,
            s.period,
            args.period,
            args.period
        );
    }
    let into = match (args.scenario, args.apply_to_scenario) {
        (Some(s), _) => Some(s.to_string()),
        (None, Some(name)) => ws
            .scenarios()?
            .into_iter()
            .find(|s| s.name == name.trim() && s.period == args.period)
            .map(|s| s.name),
        (None, None) => None,
    };
    let analysis = Analysis::load_state(&ws, args.period, into.as_deref())?;
    let g = analysis.group_index(args.group)?;
    analysis.refuse_level_two(g)?;
    let currency = analysis
        .currency()
        .map(str::to_string)
        .unwrap_or_else(|_| "USD".into());
    let mut solved = solve(
        &analysis.pricing,
        &analysis.config,
        &analysis.lines,
        g,
        &args.lever,
        args.target,
    )
    .map_err(|e| eyre!("no solution: {e}"))?;
    solved.set_currency(&currency);
    super::table::emit(&render(&analysis, g, args, &solved))?;
    drop(ws);
    if let Some(name) = args.apply_to_scenario {
        let mut ws = Workspace::open(path)?;
        let existing = ws.scenarios()?.into_iter().find(|s| s.name == name.trim());
        let (scenario, created) = match existing {
            Some(s) if s.period != args.period => bail!(
                "scenario '{}' drafts period {}, not {}: apply into a scenario of {} (or a new name)",
                s.name,
                s.period,
                args.period,
                args.period
            ),
            Some(s) => (s, false),
            None => (ws.create_scenario(name, args.period)?, true),
        };
        let change = Change::Put(solved.object.clone());
        if let Err(e) = ws.scenario_change(scenario.id, &change) {
            if created {
                // Nothing half-done: the scenario made for this change goes with it.
                let _ = ws.discard_scenario(scenario.id);
            }
            bail!("scenario '{}' refused the change: {e}", scenario.name);
        }
        super::table::emit(&format!(
            "written into scenario '{}'{} (the baseline is unchanged): {}\n",
            scenario.name,
            if created { ", created" } else { "" },
            describe(&solved.object)
        ))?;
    }
    Ok(())
}

/// One line naming the change.
fn describe(o: &Object) -> String {
    match o {
        Object::Rule(r) => format!(
            "rule '{}' {} {} %",
            r.name,
            r.rule_type.code(),
            r.modifier.unwrap_or_default().normalize()
        ),
        Object::Item(i) => {
            let value = match &i.charge {
                crate::model::Charge::Flat { value } => *value,
                crate::model::Charge::Percentage { percent, .. } => *percent,
            };
            format!(
                "custom line item '{}' {} {} {} ({} only)",
                i.name,
                i.item_type.code(),
                crate::money::fmt_plain(value),
                i.currency,
                i.start
            )
        }
        other => other.arn().to_string(),
    }
}

fn pct(p: Option<Decimal>, dp: u32) -> String {
    p.map_or_else(|| "–".to_string(), |x| format!("{} %", x.round_dp(dp)))
}

/// The solution and the numbers of every group it moves, before -> after.
fn render(a: &Analysis, g: usize, args: &Args<'_>, s: &Solved) -> String {
    let group = &a.config.groups[g];
    let state = match a.scenario.as_deref() {
        Some(n) => format!("scenario '{n}'"),
        None => "baseline".to_string(),
    };
    let mut out = String::new();
    let lever = match &s.object {
        Object::Rule(r) => format!("rule '{}' ({})", r.name, r.rule_type.code()),
        Object::Item(i) => format!("a flat {}", i.item_type.code()),
        other => other.arn().to_string(),
    };
    out.push_str(&format!(
        "Target: {} on billing group '{}' in {} ({state}), by {lever}\n",
        args.target, group.name, args.period
    ));
    let unit = if matches!(s.object, Object::Rule(_)) {
        "percentage point"
    } else {
        "unit of currency"
    };
    out.push_str(&format!(
        "Pro forma of the group: P(v) = {} {} {} x v (v per {unit}); target pro forma {}\n",
        s.line.at_zero.round_dp(10).normalize(),
        if s.line.slope.is_sign_negative() {
            "-"
        } else {
            "+"
        },
        s.line.slope.abs().round_dp(10).normalize(),
        s.target_proforma.round_dp(10).normalize()
    ));
    // The numbers as `report` shows them (footed, SPEC 5): before from the state solved,
    // after from the same state re-priced with the change.
    let before_shown = a.shown_invoice();
    let mut changed = a.clone();
    changed.reprice(s.config.clone());
    let after_shown = changed.shown_invoice();
    let after = &s.after[g];
    let value_text = match &s.object {
        Object::Rule(_) => format!("{} %", s.value),
        Object::Item(i) => format!("{} {}", crate::money::fmt_plain(s.value), i.currency),
        _ => s.value.to_string(),
    };
    out.push_str(&format!(
        "Solution: exactly {}; nearest 2-decimal value {value_text}\n",
        s.exact.round_dp(10).normalize()
    ));
    let shown_g = after_shown.groups.get(g);
    out.push_str(&format!(
        "Reached with {value_text}: pro forma {} (exactly {}, off the target by {}), margin {}, margin % {}\n",
        fmt_grouped(shown_g.and_then(|r| r.proforma).unwrap_or_default()),
        after.proforma().round_dp(6).normalize(),
        (after.proforma() - s.target_proforma).round_dp(6).normalize(),
        fmt_grouped(shown_g.and_then(|r| r.margin).unwrap_or_default()),
        pct(after.margin_percentage(), 4)
    ));
    let mut t = Table::new(&[
        ("Billing group", Align::Left),
        ("AWS cost", Align::Right),
        ("Pro forma before", Align::Right),
        ("Pro forma after", Align::Right),
        ("Δ", Align::Right),
        ("Margin before", Align::Right),
        ("Margin after", Align::Right),
        ("Margin % before", Align::Right),
        ("Margin % after", Align::Right),
    ]);
    let mut groups = s.changed_groups();
    if !groups.contains(&g) {
        groups.insert(0, g);
    }
    groups.sort_by_key(|&x| (x != g, a.config.groups[x].name.clone()));
    for x in groups {
        let (Some(b), Some(f)) = (before_shown.groups.get(x), after_shown.groups.get(x)) else {
            continue;
        };
        let (pb, pa) = (
            b.proforma.unwrap_or_default(),
            f.proforma.unwrap_or_default(),
        );
        t.row(vec![
            a.config.groups[x].name.clone(),
            fmt_grouped(f.aws),
            fmt_grouped(pb),
            fmt_grouped(pa),
            fmt_grouped(pa - pb),
            fmt_grouped(b.margin.unwrap_or_default()),
            fmt_grouped(f.margin.unwrap_or_default()),
            pct(b.margin_percentage, 2),
            pct(f.margin_percentage, 2),
        ]);
    }
    out.push_str(&t.render());
    out
}

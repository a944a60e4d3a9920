//! `proforma config import` / `config export`: the AWS bundle or the TOML format.
//!
//! Both default to the same period: the latest period with cost data (else the current
//! month), the period ABC's own configuration commands act on. An import is checked whole and
//! planned before anything is written: it lists what it removes, says per period what it
//! changes in any period other than its own (objects, and each group's pro forma before and
//! after, computed by the engine), refuses to touch a closed period, and asks for `--yes` before
//! it changes a period earlier than its own.

use super::report::json_pretty;
use crate::analysis::Analysis;
use crate::interop::input::{self, ConfigSyntax};
use crate::interop::{ConfigFileError, aws_bundle, toml_config};
use crate::model::{Config, Kind};
use crate::money::fmt_grouped;
use crate::period::BillingPeriod;
use crate::store::Workspace;
use crate::store::config::{ConfigError, ImportPlan, PeriodChange};
use color_eyre::eyre::eyre;
use std::fmt::Write as _;
use std::path::Path;

/// The two configuration formats (README "Configuration files").
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ConfigFormat {
    Toml,
    AwsJson,
}

/// What the user allowed a `config import` to do beyond its own period.
#[derive(Debug, Clone, Copy, Default)]
pub struct ImportOptions {
    /// `--from-period`: the period the import is for (default: the latest period with data).
    pub from: Option<BillingPeriod>,
    /// `--yes`: the import may change periods before `from` (custom line items that start
    /// earlier).
    pub yes: bool,
    /// `--remove-all`: an empty configuration may remove every object.
    pub remove_all: bool,
}

fn current_month() -> BillingPeriod {
    let now = chrono::Utc::now().format("%Y-%m").to_string();
    now.parse()
        .unwrap_or_else(|_| unreachable!("chrono prints a valid YYYY-MM"))
}

/// The default period of both configuration commands: the latest period with cost data, else
/// the current month.
pub(super) fn default_period(ws: &Workspace) -> color_eyre::Result<BillingPeriod> {
    let latest = ws.deliveries()?.into_iter().map(|d| d.period).max();
    Ok(latest.unwrap_or_else(current_month))
}

fn is_empty(c: &Config) -> bool {
    c.groups.is_empty()
        && c.plans.is_empty()
        && c.rules.is_empty()
        && c.items.is_empty()
        && c.views.is_empty()
        && c.transfers.is_empty()
        && c.allocations.is_empty()
}

fn object_list(objects: &[(Kind, String)]) -> String {
    objects
        .iter()
        .map(|(k, n)| format!("{} '{n}'", k.label()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `config import WS FILE`: reads FILE (bounded; `-` is stdin), parses it by its content,
/// plans the import (SPEC 3: the configuration from `opts.from` on), prints what changes and
/// writes it in one transaction. Errors (exit 1, nothing written): unreadable or invalid file
/// (naming the file, line and column or JSON path), empty configuration without
/// `--remove-all`, a closed period reached, earlier periods reached without `--yes`, or the
/// workspace changed by another process meanwhile.
pub fn import(path: &Path, file: &Path, opts: ImportOptions) -> color_eyre::Result<()> {
    // Read (bounded, once) before touching the workspace.
    let text = input::read_config(file)?;
    let mut ws = Workspace::open(path)?;
    let from = match opts.from {
        Some(p) => p,
        None => default_period(&ws)?,
    };
    let refused = |e: ConfigFileError| {
        eyre!(
            "{}: configuration refused, nothing was changed:\n{e}",
            file.display()
        )
    };
    let (config, locations) = match input::detect(&text) {
        ConfigSyntax::Json => {
            let parsed = aws_bundle::parse(&text, from).map_err(refused)?;
            for w in &parsed.warnings {
                let line = format!("warning: {}: {w}", file.display());
                eprintln!(
                    "{}",
                    crate::text::escape(&line, crate::text::Keep::LinesAndTabs)
                );
            }
            (parsed.config, parsed.locations)
        }
        ConfigSyntax::Toml => {
            let payers = ws.validation_context()?.payers;
            let parsed = toml_config::parse(&text, &payers).map_err(refused)?;
            (parsed.config, parsed.locations)
        }
    };
    if is_empty(&config) != opts.remove_all {
        return Err(if opts.remove_all {
            eyre!(
                "{}: --remove-all is for an empty configuration, and this one holds {}; nothing was changed",
                file.display(),
                summary(&config)
            )
        } else {
            let in_force = crate::store::config::Object::all(&ws.config_at(from)?)
                .iter()
                .map(|o| (o.kind(), o.name().to_string()))
                .collect::<Vec<_>>();
            if in_force.is_empty() {
                eyre!(
                    "{}: the configuration is empty (no billing group, pricing plan, pricing rule, custom line item, billing view or billing transfer), and so is the workspace's from {from} on: there is nothing to import; nothing was changed",
                    file.display()
                )
            } else {
                eyre!(
                    "{}: the configuration is empty (no billing group, pricing plan, pricing rule, custom line item, billing view or billing transfer); importing it would remove every object in force from {from} on: {}. Nothing was changed; pass --remove-all to remove everything",
                    file.display(),
                    object_list(&in_force)
                )
            }
        });
    }
    // Custom line items that start before `from` are applied from their start when the
    // configuration of those earlier periods allows it (their group is there); otherwise they
    // apply from `from`, with a warning.
    let plan = match ws.plan_config_import(from, &config, true) {
        Err(ConfigError::Invalid(_)) => {
            let plan = ws.plan_config_import(from, &config, false);
            if plan.is_ok() {
                for item in config.items.iter().filter(|i| i.start < from) {
                    if ws.config_at(item.start)?.item(&item.arn).is_none() {
                        let line = format!(
                            "warning: {}: custom line item '{}' starts in {} but counts from {from} only: the configuration before {from} does not hold what it needs (import with --from-period {} to include the earlier periods)",
                            file.display(),
                            item.name,
                            item.start,
                            item.start
                        );
                        eprintln!(
                            "{}",
                            crate::text::escape(&line, crate::text::Keep::LinesAndTabs)
                        );
                    }
                }
            }
            plan
        }
        other => other,
    };
    let plan = match plan {
        Ok(plan) => plan,
        Err(ConfigError::Invalid(v)) => {
            return Err(refused(ConfigFileError::from_violations(&v, &locations)));
        }
        Err(ConfigError::Closed(p)) => {
            return Err(eyre!(
                "{}: refused, nothing was changed: the import would change the configuration of {p}, which is closed (reopen it with a reason first; or import from a later --from-period, giving custom line items that start in or before {p} a later start)",
                file.display()
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let others = other_periods(&ws, &plan)?;
    let earlier: Vec<String> = plan
        .periods
        .iter()
        .filter(|c| c.period < from)
        .map(|c| c.period.to_string())
        .collect();
    if !earlier.is_empty() && !opts.yes {
        eprint!(
            "{}",
            crate::text::escape(&others, crate::text::Keep::LinesAndTabs)
        );
        return Err(eyre!(
            "{}: refused, nothing was changed: the import is for {from} but also changes {} (custom line items that start earlier); pass --yes to apply it there too, or change their start",
            file.display(),
            earlier.join(", ")
        ));
    }
    let reason = format!("config import {}", file.display());
    let n = match ws.commit_config_import(&plan, &config, Some(&reason)) {
        Ok(n) => n,
        Err(ConfigError::Invalid(v)) => {
            return Err(refused(ConfigFileError::from_violations(&v, &locations)));
        }
        Err(e) => return Err(e.into()),
    };
    let mut text = String::new();
    if n == 0 {
        let _ = writeln!(
            text,
            "configuration unchanged from {from} ({})",
            summary(&config)
        );
        return emit(&text);
    }
    let _ = writeln!(
        text,
        "configuration in force from {from}: {} ({})",
        summary(&config),
        crate::text::count(n as u64, "change")
    );
    if let Some(own) = plan.at_period() {
        for (label, list) in [
            ("added", &own.added),
            ("changed", &own.changed),
            ("removed", &own.removed),
        ] {
            if !list.is_empty() {
                let _ = writeln!(text, "{label} from {from}: {}", object_list(list));
            }
        }
        // After the commit: the state priced is the one in force, so its totals are kept.
        text.push_str(&effect(&ws, own, true)?);
    }
    text.push_str(&others);
    emit(&text)
}

/// Prints to stdout, terminal-safe (file names may hold anything); a reader that went away
/// (`| head`) is not an error (see [`super::table::emit`]).
fn emit(text: &str) -> color_eyre::Result<()> {
    Ok(super::table::print_safe(text, false)?)
}

/// Per period other than the import's own: what changes and what that does to each group's
/// pro forma (the engine's numbers; shown rounded, the difference of the shown numbers).
fn other_periods(ws: &Workspace, plan: &ImportPlan) -> color_eyre::Result<String> {
    let mut out = String::new();
    for c in plan.periods.iter().filter(|c| c.period != plan.period) {
        let _ = writeln!(
            out,
            "{} also changes ({} than {}):",
            c.period,
            if c.period < plan.period {
                "earlier"
            } else {
                "later"
            },
            plan.period
        );
        for (label, list) in [
            ("added", &c.added),
            ("changed", &c.changed),
            ("removed", &c.removed),
        ] {
            if !list.is_empty() {
                let _ = writeln!(out, "  {label}: {}", object_list(list));
            }
        }
        // Before the commit (the import may still be refused): nothing is kept.
        out.push_str(&effect(ws, c, false)?);
    }
    Ok(out)
}

/// Each group's pro forma in the period before and after the change. `keep`: the change is
/// committed, so the priced state's totals are kept ready (never before: a refused command
/// writes nothing).
fn effect(ws: &Workspace, c: &PeriodChange, keep: bool) -> color_eyre::Result<String> {
    let lines = ws.lines(c.period, None)?;
    if lines.is_empty() {
        return Ok(format!("  no cost data in {}\n", c.period));
    }
    // Each group's pro forma as `report` shows it (footed, SPEC 5), by ARN, beside its exact
    // value; the difference is the difference of the shown numbers. A group is listed when
    // its exact pro forma changes: footing may move a cent between groups whose own numbers
    // did not change, and listing those would name groups the import does not touch.
    type Shown = (String, String, rust_decimal::Decimal, rust_decimal::Decimal);
    let shown = |a: &Analysis| -> Vec<Shown> {
        let inv = a.shown_invoice();
        a.group_reports()
            .into_iter()
            .map(|r| {
                // A level-2 transfer's group: the downstream seller's computation's number.
                if let Some(exact) = a.level_two_proforma(r.group) {
                    return (r.name, r.arn, crate::money::round2(exact), exact);
                }
                let p = inv
                    .groups
                    .get(r.group)
                    .and_then(|s| s.proforma)
                    .unwrap_or_default();
                let exact = r.proforma;
                (r.name, r.arn, p, exact)
            })
            .collect()
    };
    // One load, priced twice: the lines (millions at reseller scale) are neither copied nor
    // read again.
    let mut a = Analysis::new(c.period, lines, c.before.clone());
    let before = shown(&a);
    a.reprice(c.after.clone());
    let after = shown(&a);
    // The period is priced under the configuration now in force: its totals are kept, so the
    // next report or TUI open reads them instead of pricing the period again (issue 10; the
    // fingerprint makes sure they are only used for exactly this state).
    if keep {
        a.keep_ready(ws);
    }
    let mut names: Vec<(&str, &str)> = before
        .iter()
        .chain(after.iter())
        .map(|(name, arn, _, _)| (name.as_str(), arn.as_str()))
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut out = String::new();
    for (name, arn) in names {
        let old_row = before.iter().find(|r| r.1 == arn);
        let new_row = after.iter().find(|r| r.1 == arn);
        if old_row.map(|r| r.3) == new_row.map(|r| r.3) {
            continue;
        }
        let (old, new) = (old_row.map(|r| r.2), new_row.map(|r| r.2));
        let shown = |d: Option<rust_decimal::Decimal>| {
            d.map_or_else(|| "(no group)".to_string(), fmt_grouped)
        };
        let diff = new.unwrap_or_default() - old.unwrap_or_default();
        let _ = writeln!(
            out,
            "  pro forma of {name}: {} -> {} ({}{})",
            shown(old),
            shown(new),
            if diff.is_sign_negative() { "" } else { "+" },
            fmt_grouped(diff)
        );
    }
    if out.is_empty() {
        out = "  no group's pro forma changes\n".into();
    }
    Ok(out)
}

fn summary(c: &Config) -> String {
    use crate::text::count;
    let n = |v: usize| v as u64;
    let out = [
        count(n(c.groups.len()), "billing group"),
        count(n(c.plans.len()), "pricing plan"),
        count(n(c.rules.len()), "pricing rule"),
        count(n(c.items.len()), "custom line item"),
        count(n(c.views.len()), "custom view"),
    ]
    .join(", ");
    // Cost allocations (issue 14 item 4) are named only when there are some.
    if c.allocations.is_empty() {
        out
    } else {
        format!(
            "{out}, {}",
            count(n(c.allocations.len()), "cost allocation")
        )
    }
}

/// `config export WS`: prints the configuration in force for `period` (default: the latest
/// period with data, as for import) as TOML or an AWS bundle.
pub fn export(
    path: &Path,
    period: Option<BillingPeriod>,
    format: ConfigFormat,
) -> color_eyre::Result<()> {
    let ws = Workspace::open_for_reading(path)?;
    let period = match period {
        Some(p) => p,
        None => default_period(&ws)?,
    };
    let config = ws.config_at(period)?;
    match format {
        ConfigFormat::Toml => Ok(super::table::print_safe_toml(&toml_config::export(
            &config,
        ))?),
        ConfigFormat::AwsJson if config.allocations.iter().any(|a| a.active_in(period)) => {
            // Allocations export as the flat items they charged in the period: price it.
            let analysis = crate::analysis::Analysis::load(&ws, period)?;
            let currency = analysis.payers_currency().unwrap_or("USD").to_string();
            let (bundle, notes) = aws_bundle::export_with_allocations(
                &config,
                period,
                &analysis.pricing.allocated.items,
                &currency,
            );
            for n in &notes {
                eprintln!("note: {n}");
            }
            Ok(super::table::print_safe(&json_pretty(&bundle)?, true)?)
        }
        ConfigFormat::AwsJson => Ok(super::table::print_safe(
            &json_pretty(&aws_bundle::export(&config))?,
            true,
        )?),
    }
}

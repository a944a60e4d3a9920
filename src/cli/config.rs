//! `proforma config import` / `config export`: the AWS bundle or the TOML format.

use super::report::json_pretty;
use crate::interop::{ConfigFileError, aws_bundle, toml_config};
use crate::period::BillingPeriod;
use crate::store::Workspace;
use crate::store::config::ConfigError;
use color_eyre::eyre::{WrapErr, eyre};
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ConfigFormat {
    Toml,
    AwsJson,
}

fn current_month() -> BillingPeriod {
    let now = chrono::Utc::now().format("%Y-%m").to_string();
    now.parse()
        .unwrap_or_else(|_| unreachable!("chrono prints a valid YYYY-MM"))
}

/// Default period for configuration commands: the earliest (import) or latest (export) period
/// with data, else the current month.
fn data_period(ws: &Workspace, earliest: bool) -> color_eyre::Result<BillingPeriod> {
    let periods: Vec<BillingPeriod> = ws.deliveries()?.into_iter().map(|d| d.period).collect();
    let pick = if earliest {
        periods.iter().min()
    } else {
        periods.iter().max()
    };
    Ok(pick.copied().unwrap_or_else(current_month))
}

pub fn import(path: &Path, file: &Path, from: Option<BillingPeriod>) -> color_eyre::Result<()> {
    let mut ws = Workspace::open(path)?;
    let text =
        std::fs::read_to_string(file).wrap_err_with(|| format!("reading {}", file.display()))?;
    let from = match from {
        Some(p) => p,
        None => data_period(&ws, true)?,
    };
    let fail = |e: ConfigFileError| {
        eyre!(
            "{}: configuration refused, nothing was changed:\n{e}",
            file.display()
        )
    };
    let (config, locations) = if text.trim_start().starts_with('{') {
        let parsed = aws_bundle::parse(&text, from).map_err(fail)?;
        for w in &parsed.warnings {
            let line = format!("warning: {}: {w}", file.display());
            eprintln!(
                "{}",
                crate::text::escape(&line, crate::text::Keep::LinesAndTabs)
            );
        }
        (parsed.config, parsed.locations)
    } else {
        let payers = ws.validation_context()?.payers;
        let parsed = toml_config::parse(&text, &payers).map_err(fail)?;
        (parsed.config, parsed.locations)
    };
    let reason = format!("config import {}", file.display());
    match ws.replace_config(from, &config, Some(&reason)) {
        Ok(0) => println!("configuration unchanged from {from} ({})", summary(&config)),
        Ok(n) => println!(
            "configuration in force from {from}: {} ({n} changes)",
            summary(&config)
        ),
        Err(ConfigError::Invalid(v)) => {
            return Err(fail(ConfigFileError::from_violations(&v, &locations)));
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

fn summary(c: &crate::model::Config) -> String {
    format!(
        "{} billing groups, {} pricing plans, {} pricing rules, {} custom line items, {} custom views",
        c.groups.len(),
        c.plans.len(),
        c.rules.len(),
        c.items.len(),
        c.views.len()
    )
}

pub fn export(
    path: &Path,
    period: Option<BillingPeriod>,
    format: ConfigFormat,
) -> color_eyre::Result<()> {
    let ws = Workspace::open_for_reading(path)?;
    let period = match period {
        Some(p) => p,
        None => data_period(&ws, false)?,
    };
    let config = ws.config_at(period)?;
    match format {
        ConfigFormat::Toml => super::table::print_safe_toml(&toml_config::export(&config)),
        ConfigFormat::AwsJson => {
            super::table::print_safe(&json_pretty(&aws_bundle::export(&config))?, true)
        }
    }
    Ok(())
}

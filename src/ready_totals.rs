//! One billing group's numbers without pricing the whole period (issue 10 item 3).
//!
//! A group's shown row foots against the whole invoice (SPEC 5: every table foots to the
//! cent as displayed), so it depends on every group's exact totals. After a full pricing, a
//! snapshot of every group's totals, the unmonitored accounts' and the period's product names
//! is kept in the workspace with a fingerprint of what it was computed from (this build, the
//! configuration priced, the deliveries in force). One group's report or explanation then
//! reads only that group's accounts' lines, prices them, and takes the other groups from the
//! snapshot; it checks that its own group's totals equal the snapshot's before trusting it,
//! and prices the whole period otherwise.

use crate::analysis::{Analysis, ReportError};
use crate::cur::LineItemType;
use crate::cur::ProductNames;
use crate::engine::price::{Diagnostics, GroupTotals, ItemAmount};
use crate::model::{Config, GroupType};
use crate::period::BillingPeriod;
use crate::store::Workspace;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// What is kept: per group (by ARN, in configuration order) its totals, the unmonitored
/// accounts' totals, the period's product names and what the engine noticed in the data.
#[derive(Debug, Serialize, Deserialize)]
struct Snapshot {
    groups: Vec<(String, GroupTotals)>,
    unmonitored: GroupTotals,
    product_names: Vec<(String, String)>,
    diagnostics: Noticed,
    /// Every active custom line item's amount (indexes into the configuration the fingerprint
    /// names).
    items: Vec<ItemAmount>,
    /// Per group (configuration order), the accounts it holds: a group that takes a whole
    /// organisation (`TRANSFER_BILLING`) counts them from its lines, which a kept state lacks.
    #[serde(default)]
    accounts: Vec<usize>,
}

/// `Diagnostics`, with line item types as text.
#[derive(Debug, Serialize, Deserialize)]
struct Noticed {
    no_public_price_rows: u64,
    no_public_price_cost: Decimal,
    unknown_types: Vec<(String, u64, Decimal)>,
}

impl From<&Diagnostics> for Noticed {
    fn from(d: &Diagnostics) -> Self {
        Self {
            no_public_price_rows: d.no_public_price_rows,
            no_public_price_cost: d.no_public_price_cost,
            unknown_types: d
                .unknown_types
                .iter()
                .map(|(t, (rows, cost))| (t.as_str().to_string(), *rows, *cost))
                .collect(),
        }
    }
}

impl From<&Noticed> for Diagnostics {
    fn from(n: &Noticed) -> Self {
        Self {
            no_public_price_rows: n.no_public_price_rows,
            no_public_price_cost: n.no_public_price_cost,
            unknown_types: n
                .unknown_types
                .iter()
                .map(|(t, rows, cost)| (LineItemType::parse(t), (*rows, *cost)))
                .collect(),
        }
    }
}

/// An identifier of this build: the running executable's version, file identity, size and
/// modification time (a rebuilt or reinstalled binary differs in at least one), so a snapshot
/// computed by another build, whose engine may price differently, is never used. None when
/// the executable cannot be examined: then nothing is kept or used.
fn build_id() -> Option<u128> {
    static ID: std::sync::OnceLock<Option<u128>> = std::sync::OnceLock::new();
    *ID.get_or_init(|| {
        let exe = std::env::current_exe().ok()?;
        let meta = std::fs::metadata(exe).ok()?;
        let modified = meta
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?
            .as_nanos();
        #[cfg(unix)]
        let file = {
            use std::os::unix::fs::MetadataExt;
            format!("{}:{}", meta.dev(), meta.ino())
        };
        #[cfg(not(unix))]
        let file = String::new();
        let id = format!(
            "{} {file} {} {modified}",
            env!("CARGO_PKG_VERSION"),
            meta.len()
        );
        Some(xxhash_rust::xxh3::xxh3_128(id.as_bytes()))
    })
}

/// The fingerprint of a state's numbers: build, period, state, configuration, deliveries.
fn fingerprint(
    ws: &Workspace,
    period: BillingPeriod,
    state: &str,
    config: &Config,
) -> Result<Option<String>, ReportError> {
    let Some(build) = build_id() else {
        return Ok(None);
    };
    let Ok(config_text) = serde_json::to_string(config) else {
        return Ok(None);
    };
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for part in [
        format!("{build:032x}"),
        period.to_string(),
        state.to_string(),
        config_text,
        ws.deliveries_stamp(period)?,
    ] {
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    Ok(Some(format!("{:032x}", h.digest128())))
}

/// The id of the scenario `name` drafting `period`, if there is one.
fn scenario_id(
    ws: &Workspace,
    name: &str,
    period: BillingPeriod,
) -> Result<Option<i64>, crate::store::StoreError> {
    Ok(ws
        .scenarios()?
        .into_iter()
        .find(|s| s.name == name && s.period == period)
        .map(|s| s.id))
}

/// The snapshot key of the baseline, or of scenario `id`.
fn state_key(scenario: Option<i64>) -> String {
    scenario.map_or_else(|| "baseline".to_string(), |id| format!("scenario:{id}"))
}

impl Analysis {
    /// Keeps this fully priced state's per-group totals ready in the workspace, for the next
    /// one-group report (best effort: nothing happens on a read-only or busy workspace, or
    /// for a partial state). Called by commands after they succeeded, never before: a refused
    /// command writes nothing.
    pub fn keep_ready(&self, ws: &Workspace) {
        if self.partial {
            return;
        }
        let scenario = match &self.scenario {
            None => None,
            Some(name) => match scenario_id(ws, name, self.period) {
                Ok(Some(id)) => Some(id),
                _ => return,
            },
        };
        let state = state_key(scenario);
        let Ok(Some(fp)) = fingerprint(ws, self.period, &state, &self.config) else {
            return;
        };
        // Already kept: no write (a report stays a reader).
        if matches!(ws.ready_totals(self.period, &state, &fp), Ok(Some(_))) {
            return;
        }
        let snapshot = Snapshot {
            groups: self
                .config
                .groups
                .iter()
                .zip(&self.pricing.groups)
                .map(|(g, t)| (g.arn.clone(), t.clone()))
                .collect(),
            unmonitored: self.pricing.unmonitored.clone(),
            product_names: self
                .pricing
                .product_names
                .pairs()
                .map(|(c, n)| (c.to_string(), n.to_string()))
                .collect(),
            diagnostics: (&self.pricing.diagnostics).into(),
            items: self.pricing.items.clone(),
            accounts: (0..self.config.groups.len())
                .map(|g| self.group_account_count(g))
                .collect(),
        };
        if let Ok(body) = serde_json::to_string(&snapshot) {
            ws.keep_totals(self.period, &state, &fp, &body);
        }
    }

    /// The state of `period` (baseline, or `scenario`) for a report or explanation of one
    /// billing group (`group`: name or ARN): only the group's accounts' lines are read when
    /// the per-group totals kept ready match this state; otherwise the whole period is priced
    /// (and its totals kept for next time). The result answers for that group and for the
    /// invoice's group list only: its `lines` hold the group's lines alone, so it must not be
    /// used for billing views or other groups' breakdowns.
    ///
    /// # Errors
    /// As [`Analysis::load_state`]; an unknown group is reported by the caller's
    /// `group_index` on the result.
    pub fn load_group(
        ws: &Workspace,
        period: BillingPeriod,
        scenario: Option<&str>,
        group: &str,
    ) -> Result<Self, ReportError> {
        Self::load_ready(ws, period, scenario, Some(group))
    }

    /// The state of `period` (baseline, or `scenario`) for the billing group list (the
    /// overview `report` prints without `--group`, `--view` or `--group-by`): read from the
    /// per-group totals kept ready when they match this state, without reading a line;
    /// otherwise the whole period is priced. The result answers for the group list, the
    /// invoice and the diagnostics only (`lines` is empty).
    ///
    /// # Errors
    /// As [`Analysis::load_state`].
    pub fn load_overview(
        ws: &Workspace,
        period: BillingPeriod,
        scenario: Option<&str>,
    ) -> Result<Self, ReportError> {
        Self::load_ready(ws, period, scenario, None)
    }

    fn load_ready(
        ws: &Workspace,
        period: BillingPeriod,
        scenario: Option<&str>,
        group: Option<&str>,
    ) -> Result<Self, ReportError> {
        let (config, scenario_id) = match scenario {
            None => (ws.config_at(period)?, None),
            Some(name) => match scenario_id(ws, name, period)? {
                Some(id) => (ws.scenario_config(id)?, Some(id)),
                // Unknown or of another period: the full path says which.
                None => return Self::load_state(ws, period, scenario),
            },
        };
        if let Some(a) = Self::from_ready(ws, period, scenario, scenario_id, &config, group)? {
            return Ok(a);
        }
        Self::load_state(ws, period, scenario)
    }

    fn from_ready(
        ws: &Workspace,
        period: BillingPeriod,
        scenario: Option<&str>,
        scenario_id: Option<i64>,
        config: &Config,
        group: Option<&str>,
    ) -> Result<Option<Self>, ReportError> {
        let g = match group {
            None => None,
            Some(group) => {
                let Some(g) = config
                    .groups
                    .iter()
                    .position(|x| x.name == group || x.arn == group)
                else {
                    return Ok(None);
                };
                let target = &config.groups[g];
                // A group that takes accounts by payer or by default has no account list to
                // read.
                if target.group_type == GroupType::TransferBilling || target.auto_associate {
                    return Ok(None);
                }
                Some(g)
            }
        };
        // Cost allocations (issue 14 item 4) split amounts by every group's totals and by
        // lines of any account: a state priced from some lines cannot split them, so the
        // whole period is priced.
        if config.allocations.iter().any(|a| a.active_in(period)) {
            return Ok(None);
        }
        let state = state_key(scenario_id);
        let Some(fp) = fingerprint(ws, period, &state, config)? else {
            return Ok(None);
        };
        let Some(body) = ws.ready_totals(period, &state, &fp)? else {
            return Ok(None);
        };
        let Ok(snapshot) = serde_json::from_str::<Snapshot>(&body) else {
            return Ok(None);
        };
        let same_groups = snapshot.groups.len() == config.groups.len()
            && snapshot
                .groups
                .iter()
                .zip(&config.groups)
                .all(|((arn, _), g)| *arn == g.arn);
        if !same_groups {
            return Ok(None);
        }
        let lines = match g {
            Some(g) => {
                ws.lines_of_accounts(period, config.groups[g].accounts.iter().map(String::as_str))?
            }
            None => Vec::new(),
        };
        let names = ProductNames::from_pairs(snapshot.product_names.iter().cloned());
        let mut a = Self::new_named(period, lines, config.clone(), names);
        // The group priced from its own lines must be the group the snapshot holds.
        if let Some(g) = g
            && a.pricing.groups[g] != snapshot.groups[g].1
        {
            tracing::warn!(
                "per-group totals kept for {period} disagree with group {}; pricing the whole period",
                config.groups[g].name
            );
            return Ok(None);
        }
        // Just built, so not shared: no copy.
        let pricing = std::sync::Arc::make_mut(&mut a.pricing);
        for (h, (_, t)) in snapshot.groups.into_iter().enumerate() {
            if Some(h) != g {
                pricing.groups[h] = t;
            }
        }
        pricing.unmonitored = snapshot.unmonitored;
        pricing.diagnostics = (&snapshot.diagnostics).into();
        // The other groups' custom line item amounts (the currency checks read every one).
        pricing.items.retain(|i| Some(i.group) == g);
        pricing
            .items
            .extend(snapshot.items.into_iter().filter(|i| Some(i.group) != g));
        pricing.items.sort_by_key(|i| i.item);
        a.finish_load(ws)?;
        if g.is_none() {
            // No line was read: the period's payers are those of its deliveries.
            a.payers.extend(a.invoices.keys().cloned());
        }
        a.scenario = scenario.map(str::to_string);
        a.partial = true;
        a.kept_accounts = snapshot.accounts;
        Ok(Some(a))
    }
}

//! One period of a workspace, loaded and priced: what the CLI reports and the TUI shows come
//! from here, so a number printed by `proforma report` is the number on screen.

use crate::engine::views::{self, ViewHealth};
use crate::engine::{
    GroupBy, GroupCostRow, Pricing, Selection, ViewInfo, ViewReport, price, view_report,
};
use crate::model::Config;
use crate::period::BillingPeriod;
use crate::store::{StoreError, StoredLine, Workspace};
use std::collections::{BTreeSet, HashMap};

#[derive(Clone)]
pub struct Analysis {
    pub period: BillingPeriod,
    /// Shared with the recompute worker.
    pub lines: std::sync::Arc<Vec<StoredLine>>,
    pub config: Config,
    pub pricing: Pricing,
    /// Payers with data in the period.
    pub payers: BTreeSet<String>,
    /// Usage account -> payer, from the period's lines.
    pub account_payer: HashMap<String, String>,
    /// Payer -> ISO 4217 code of its delivery's amounts (SPEC 5); empty means USD.
    pub currencies: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    NotFound(String),
    #[error(transparent)]
    Unhealthy(#[from] ViewHealth),
    /// The payers of a period are billed in different currencies, which are never summed.
    #[error("{0}")]
    MixedCurrencies(String),
}

impl Analysis {
    pub fn load(ws: &Workspace, period: BillingPeriod) -> Result<Self, StoreError> {
        let lines = ws.lines(period, None)?;
        let config = ws.config_at(period)?;
        let mut analysis = Self::new(period, lines, config);
        analysis.currencies = ws.currencies(period)?;
        Ok(analysis)
    }

    /// The one currency of the period's amounts (SPEC 5): every payer's delivery is in it
    /// (USD when nothing says otherwise). The CLI and the TUI label amounts from here. When
    /// payers are billed in different currencies, the error names each payer's currency: their
    /// amounts must not be added up.
    pub fn currency(&self) -> Result<&str, ReportError> {
        let mut codes = self.currencies.values().map(String::as_str);
        let first = codes.next().unwrap_or(crate::cur::DEFAULT_CURRENCY);
        if codes.all(|c| c == first) {
            return Ok(first);
        }
        let each: Vec<String> = self
            .currencies
            .iter()
            .map(|(p, c)| format!("payer {p} in {c}"))
            .collect();
        Err(ReportError::MixedCurrencies(format!(
            "period {} holds payers billed in different currencies ({}); amounts in different \
             currencies are never added up: report one payer with --view primary:<payer id>",
            self.period,
            each.join(", ")
        )))
    }

    /// The currency of one payer's amounts in the period (USD when it has no delivery).
    pub fn payer_currency(&self, payer: &str) -> &str {
        self.currencies
            .get(payer)
            .map_or(crate::cur::DEFAULT_CURRENCY, String::as_str)
    }

    /// The currency for a label: the one code, or every payer's code when they differ.
    pub fn currency_label(&self) -> String {
        match self.currency() {
            Ok(c) => c.to_string(),
            Err(_) => {
                let codes: BTreeSet<&str> = self.currencies.values().map(String::as_str).collect();
                format!("mixed {}", codes.into_iter().collect::<Vec<_>>().join("/"))
            }
        }
    }

    pub fn new(period: BillingPeriod, lines: Vec<StoredLine>, config: Config) -> Self {
        let pricing = price(period, &lines, &config);
        let payers = lines.iter().map(|l| l.key.payer.clone()).collect();
        let mut account_payer = HashMap::new();
        for l in &lines {
            account_payer
                .entry(l.key.account.clone())
                .or_insert_with(|| l.key.payer.clone());
        }
        Self {
            period,
            lines: std::sync::Arc::new(lines),
            config,
            pricing,
            payers,
            account_payer,
            currencies: Default::default(),
        }
    }

    /// Re-prices after a configuration change, keeping the loaded lines.
    pub fn reprice(&mut self, config: Config) {
        self.pricing = price(self.period, &self.lines, &config);
        self.config = config;
    }

    pub fn group_reports(&self) -> Vec<GroupCostRow> {
        view_report::group_cost_reports(&self.pricing, &self.config)
    }

    /// A group by name or ARN.
    pub fn group_index(&self, key: &str) -> Result<usize, ReportError> {
        self.config
            .groups
            .iter()
            .position(|g| g.name == key || g.arn == key)
            .ok_or_else(|| {
                let names: Vec<&str> = self.config.groups.iter().map(|g| g.name.as_str()).collect();
                ReportError::NotFound(format!(
                    "no billing group '{key}' in {} (groups: {})",
                    self.period,
                    if names.is_empty() {
                        "none".into()
                    } else {
                        names.join(", ")
                    }
                ))
            })
    }

    pub fn group_breakdown(&self, g: usize, by: GroupBy) -> Vec<GroupCostRow> {
        view_report::group_breakdown(&self.lines, &self.pricing, &self.config, g, by, &[])
    }

    /// Like `group_breakdown`, within the rows matching every filter (a drill-down path).
    pub fn group_breakdown_within(
        &self,
        g: usize,
        by: GroupBy,
        filters: &[(GroupBy, &str)],
    ) -> Vec<GroupCostRow> {
        view_report::group_breakdown(&self.lines, &self.pricing, &self.config, g, by, filters)
    }

    /// How group `g`'s pro forma (or one attribute value of it) was made.
    pub fn explain(
        &self,
        g: usize,
        slice: &[(GroupBy, &str)],
    ) -> crate::engine::explain::Explanation {
        crate::engine::explain::explain(&self.lines, &self.pricing, &self.config, g, slice)
    }

    /// The payer of an account: from its lines, else (an account without usage, such as a
    /// custom line item's primary) the only payer of the period.
    fn payer_of(&self, account: &str) -> &str {
        match self.account_payer.get(account) {
            Some(p) => p,
            None if self.payers.len() == 1 => self.payers.iter().next().map_or("", String::as_str),
            None => "",
        }
    }

    /// The view report for `primary`, `primary:<payer>`, `group:<name>` or `custom:<name>`.
    pub fn view_report(
        &self,
        spec: &str,
        group_by: Option<GroupBy>,
    ) -> Result<ViewReport, ReportError> {
        let (kind, arg) = spec
            .split_once(':')
            .map_or((spec, None), |(k, a)| (k, Some(a)));
        let payers: Vec<&str> = self.payers.iter().map(String::as_str).collect();
        let p = self.period;
        match kind {
            "primary" => {
                let payer = match (arg, payers.as_slice()) {
                    (Some(x), _) if payers.contains(&x) => x.to_string(),
                    (Some(x), _) => {
                        return Err(ReportError::NotFound(format!(
                            "no payer {x} in period {p} (payers with data: {})",
                            payers.join(", ")
                        )));
                    }
                    (None, [only]) => (*only).to_string(),
                    (None, many) => {
                        return Err(ReportError::NotFound(format!(
                            "period {p} has {} payers; choose one with --view primary:<payer id> ({})",
                            many.len(),
                            many.join(", ")
                        )));
                    }
                };
                let lines = |i: usize| self.lines[i].key.payer == payer;
                let items = |n: usize| self.payer_of(&self.pricing.items[n].account) == payer;
                Ok(self.build(
                    ViewInfo::primary(&payer),
                    &Selection {
                        lines: &lines,
                        items: &items,
                    },
                    group_by,
                ))
            }
            "group" => {
                let g = self.group_index(arg.unwrap_or_default())?;
                let group = &self.config.groups[g];
                let id = group.arn.rsplit('/').next().unwrap_or_default();
                let owner = group.arn.split(':').nth(4).unwrap_or_default();
                let info = ViewInfo {
                    name: group.name.clone(),
                    view_type: "BILLING_GROUP".into(),
                    arn: format!("arn:aws:billing::{owner}:billingview/billing-group-{id}"),
                };
                let lines = |i: usize| self.pricing.line_group[i] == Some(g);
                let items = |n: usize| self.pricing.items[n].group == g;
                Ok(self.build(
                    info,
                    &Selection {
                        lines: &lines,
                        items: &items,
                    },
                    group_by,
                ))
            }
            "custom" => {
                let name = arg.unwrap_or_default();
                let Some(view) = self
                    .config
                    .views
                    .iter()
                    .find(|v| v.name == name || v.arn == name)
                else {
                    let names: Vec<&str> =
                        self.config.views.iter().map(|v| v.name.as_str()).collect();
                    return Err(ReportError::NotFound(format!(
                        "no custom billing view '{name}' (views: {})",
                        if names.is_empty() {
                            "none".into()
                        } else {
                            names.join(", ")
                        }
                    )));
                };
                views::health(&self.config, view)?;
                let info = ViewInfo {
                    name: view.name.clone(),
                    view_type: "CUSTOM".into(),
                    arn: view.arn.clone(),
                };
                let lines =
                    |i: usize| views::custom_view_has_line(&self.config, view, &self.lines[i].key);
                let items = |n: usize| {
                    let a = &self.pricing.items[n].account;
                    views::custom_view_has_account(&self.config, view, self.payer_of(a), a)
                };
                Ok(self.build(
                    info,
                    &Selection {
                        lines: &lines,
                        items: &items,
                    },
                    group_by,
                ))
            }
            "transfer" | "showback" => Err(ReportError::NotFound(format!(
                "no billing transfer '{}' in this workspace (billing transfers are not configured)",
                arg.unwrap_or_default()
            ))),
            other => Err(ReportError::NotFound(format!(
                "unknown billing view '{other}' (expected primary, primary:<payer id>, group:<name>, custom:<name>, transfer:<name> or showback:<name>)"
            ))),
        }
    }

    fn build(
        &self,
        info: ViewInfo,
        selection: &Selection<'_>,
        group_by: Option<GroupBy>,
    ) -> ViewReport {
        view_report::build(
            info,
            &self.lines,
            &self.pricing,
            &self.config,
            selection,
            group_by,
        )
    }
}

//! One period of a workspace, loaded and priced: what the CLI reports and the TUI shows come
//! from here, so a number printed by `proforma report` is the number on screen.

mod transfers;
pub use transfers::TransferView;

use crate::engine::explain::{ItemDecision, ViewExplanation};
use crate::engine::views::{self, ViewHealth};
use crate::engine::{GroupBy, GroupCostRow, Pricing, Selection, ViewInfo, ViewReport, view_report};
use crate::footing::{ExactRow, ShownInvoice, ShownRow, ShownTable, Targets};
use crate::model::Config;
use crate::period::BillingPeriod;
use crate::store::{StoreError, StoredLine, Workspace};
use std::collections::{BTreeSet, HashMap};

/// One billing period priced under one configuration: the period's aggregated lines (SPEC 4.1),
/// the configuration in force (baseline, or a scenario's draft), and the engine's pricing of
/// every line (billable, pro forma, per group and unmonitored, SPEC 3-4). Every number the CLI
/// and the TUI show comes from here, so they always agree; amounts are exact decimals in the
/// period's currency (see [`Analysis::currency`]).
///
/// Built by [`Analysis::load`] (a workspace's period) or [`Analysis::new`] (lines and a
/// configuration in memory); [`Analysis::reprice`] keeps the lines and changes the
/// configuration (what an edit does).
#[derive(Clone)]
pub struct Analysis {
    /// The billing period (a calendar month, UTC).
    pub period: BillingPeriod,
    /// Shared with the recompute worker.
    pub lines: std::sync::Arc<Vec<StoredLine>>,
    /// The configuration priced (billing groups, plans, rules, items, views).
    pub config: Config,
    /// The engine's result: per line its group and pro forma, per group its totals. Shared
    /// (read only) with the recompute worker, which computes re-pricings against it.
    pub pricing: std::sync::Arc<Pricing>,
    /// Payers with data in the period.
    pub payers: BTreeSet<String>,
    /// Usage account -> payer, from the period's lines.
    pub account_payer: HashMap<String, String>,
    /// Payer -> ISO 4217 code of its delivery's amounts (SPEC 5); empty means USD.
    pub currencies: std::collections::BTreeMap<String, String>,
    /// The scenario this state is (None: the baseline).
    pub scenario: Option<String>,
    /// Per payer, the invoice as summarised at import (billable + tax of the deliveries in
    /// force), an independent path the Reconcile tab checks the engine's totals against.
    pub invoices: std::collections::BTreeMap<String, rust_decimal::Decimal>,
    /// True when `lines` hold one billing group's accounts only, the other groups' totals
    /// taken from the totals kept ready ([`Analysis::load_group`]): such a state answers for
    /// that group and the group list, nothing else, and is never kept as a snapshot.
    pub partial: bool,
    /// AWS's own pro forma of billing groups for the period, by group ARN, as imported with
    /// `import --proforma-of` (issue 11 item 4): reference amounts shown beside proforma's
    /// ([`crate::aws_proforma::compare`]), never priced or added to any total.
    pub aws_proforma: std::collections::BTreeMap<String, crate::store::aws_proforma::AwsProforma>,
    /// The downstream sellers' computation (billing transfers at level 2, SPEC 2.6), kept in
    /// step with `pricing`; None when no transfer in force is at level 2.
    pub second_level: Option<std::sync::Arc<crate::engine::transfer::SecondLevel>>,
    /// A state from kept totals ([`Analysis::partial`]): per group, the accounts it held when
    /// the totals were kept (empty otherwise).
    pub kept_accounts: Vec<usize>,
}

/// What a billing view covers: per line of the period whether it is in the view, and per
/// custom line item amount (`Pricing::items`) the view's decision with its reason.
#[derive(Debug, Clone)]
pub struct ResolvedView {
    pub info: ViewInfo,
    pub lines: Vec<bool>,
    pub items: Vec<ItemDecision>,
}

/// Rows of a group breakdown footed to their parent's shown row (or, without one, to their
/// exact totals rounded).
fn foot_group_rows(rows: &[GroupCostRow], parent: Option<&ShownRow>) -> ShownTable {
    let exact: Vec<ExactRow> = rows.iter().map(GroupCostRow::exact).collect();
    crate::footing::foot_rows(&exact, parent.map(Targets::of).unwrap_or_default())
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
    /// The period's lines, the configuration in force in it and the deliveries' currencies
    /// and invoice totals, read from the workspace, priced.
    ///
    /// # Errors
    /// The store's, when the workspace cannot be read.
    pub fn load(ws: &Workspace, period: BillingPeriod) -> Result<Self, StoreError> {
        let lines = ws.lines(period, None)?;
        let config = ws.config_at(period)?;
        let mut analysis = Self::new(period, lines, config);
        analysis.finish_load(ws)?;
        Ok(analysis)
    }

    /// Reads what the numbers are labelled and checked with: the deliveries' currencies and
    /// invoice totals.
    pub(crate) fn finish_load(&mut self, ws: &Workspace) -> Result<(), StoreError> {
        self.currencies = ws.currencies(self.period)?;
        self.aws_proforma = ws.aws_proforma(self.period)?;
        self.invoices.clear();
        for d in ws
            .deliveries()?
            .into_iter()
            .filter(|d| d.period == self.period)
        {
            *self.invoices.entry(d.payer).or_default() += d.billable + d.tax;
        }
        Ok(())
    }

    /// Daily billable per billing group of this state's configuration: one vector per group,
    /// one amount per day of the period (index 0 = the 1st), from the period's daily series
    /// (`Workspace::daily`, read once per period by the caller: a configuration change only
    /// regroups it).
    pub fn daily_by_group(
        &self,
        rows: &[crate::store::DailyRow],
    ) -> Vec<Vec<rust_decimal::Decimal>> {
        let p = self.period;
        let days = p.days();
        let members = crate::engine::price::Membership::new(&self.config, self.period);
        let mut out = vec![vec![rust_decimal::Decimal::ZERO; days]; self.config.groups.len()];
        for row in rows {
            let Some(g) = members.group_of(&row.payer, &row.account) else {
                continue;
            };
            let day: usize = row.day.get(8..10).and_then(|d| d.parse().ok()).unwrap_or(0);
            if row.day.starts_with(&p.to_string()) && (1..=days).contains(&day) {
                out[g][day - 1] += row.billable;
            }
        }
        out
    }

    /// The one currency of the period's amounts (SPEC 5): every payer's delivery is in it
    /// (USD when nothing says otherwise). The CLI and the TUI label amounts from here. When
    /// payers are billed in different currencies, the error names each payer's currency: their
    /// amounts must not be added up.
    ///
    /// Flat custom line items are charged in their own currency (SPEC 2.4): one whose
    /// currency is not the period's is an error too, naming it (see
    /// [`Analysis::item_currency_problems`]); percentage items are a share of amounts in the
    /// period's currency and are in it whatever they say.
    pub fn currency(&self) -> Result<&str, ReportError> {
        let currency = self.payers_currency()?;
        let problems = self.item_currency_problems();
        if problems.is_empty() {
            Ok(currency)
        } else {
            Err(ReportError::MixedCurrencies(format!(
                "{}; amounts in different currencies are never added up: set the item's currency \
                 to {currency} (or remove it from {})",
                problems.join("; "),
                self.period
            )))
        }
    }

    /// Active flat custom line items whose currency differs from the period's (the one
    /// currency of its payers' deliveries), one message each: "custom line item 'NAME' of
    /// billing group 'G' charges 10.00 USD, but P is billed in CNY". Empty when the payers
    /// disagree among themselves ([`Analysis::currency`] reports that).
    pub fn item_currency_problems(&self) -> Vec<String> {
        let Ok(currency) = self.payers_currency() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for amount in &self.pricing.items {
            // Cost allocations' items are charged in the period's own currency.
            let Some(item) = self.config.items.get(amount.item) else {
                continue;
            };
            if !matches!(item.charge, crate::model::Charge::Flat { .. })
                || item.currency == currency
            {
                continue;
            }
            let group = self
                .config
                .groups
                .get(amount.group)
                .map_or("?", |g| g.name.as_str());
            out.push(format!(
                "custom line item '{}' of billing group '{group}' charges {} {}, but {} is billed in {currency}",
                item.name,
                crate::money::fmt_grouped(amount.amount.abs()),
                item.currency,
                self.period
            ));
        }
        out
    }

    /// The one currency of the period's payers' deliveries (USD when nothing says otherwise);
    /// an error naming each payer's currency when they differ.
    pub fn payers_currency(&self) -> Result<&str, ReportError> {
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
    /// A flat custom line item in another currency is flagged ("CNY, items in another
    /// currency: see Reconcile"): the totals on screen add it up, the reports refuse to.
    pub fn currency_label(&self) -> String {
        match self.payers_currency() {
            Ok(c) if self.item_currency_problems().is_empty() => c.to_string(),
            Ok(c) => format!("{c}, items in another currency: see Reconcile"),
            Err(_) => {
                let codes: BTreeSet<&str> = self.currencies.values().map(String::as_str).collect();
                format!("mixed {}", codes.into_iter().collect::<Vec<_>>().join("/"))
            }
        }
    }

    /// The state of `period` a command asks for: the baseline, or the scenario named
    /// `scenario` (its draft of that period's configuration). An unknown scenario, or one that
    /// drafts another period, is an error naming the scenarios there are.
    pub fn load_state(
        ws: &Workspace,
        period: BillingPeriod,
        scenario: Option<&str>,
    ) -> Result<Self, ReportError> {
        let a = Self::load(ws, period)?;
        match scenario {
            None => Ok(a),
            Some(name) => a.into_scenario(ws, name),
        }
    }

    /// This baseline state re-priced as scenario `name` of its period (its draft of the
    /// configuration), so that several states of one period are read from the store once
    /// (`report --scenario A --compare-to B`). Errors as [`Analysis::load_state`].
    pub fn into_scenario(mut self, ws: &Workspace, name: &str) -> Result<Self, ReportError> {
        let period = self.period;
        let all = ws.scenarios()?;
        let Some(s) = all.iter().find(|s| s.name == name) else {
            let known: Vec<String> = all
                .iter()
                .map(|s| format!("'{}' ({})", s.name, s.period))
                .collect();
            return Err(ReportError::NotFound(format!(
                "no scenario '{name}' in this workspace (scenarios: {})",
                if known.is_empty() {
                    "none; create one with `proforma scenario new` or in the TUI with w".to_string()
                } else {
                    known.join(", ")
                }
            )));
        };
        if s.period != period {
            return Err(ReportError::NotFound(format!(
                "scenario '{name}' drafts period {}, not {period} (use --period {})",
                s.period, s.period
            )));
        }
        self.reprice(ws.scenario_config(s.id)?);
        self.scenario = Some(s.name.clone());
        Ok(self)
    }

    pub fn new(period: BillingPeriod, lines: Vec<StoredLine>, config: Config) -> Self {
        let names = crate::cur::ProductNames::from_lines(&lines);
        Self::new_named(period, lines, config, names)
    }

    /// As [`Analysis::new`], with the period's product names given (they come from every line
    /// of the period, which `lines` may not all be).
    pub fn new_named(
        period: BillingPeriod,
        lines: Vec<StoredLine>,
        config: Config,
        names: crate::cur::ProductNames,
    ) -> Self {
        let pricing = std::sync::Arc::new(crate::engine::price::price_named(
            period, &lines, &config, names,
        ));
        // Interned keys first: one String per distinct account, not per line.
        let mut seen: rustc_hash::FxHashMap<ustr::Ustr, ustr::Ustr> = Default::default();
        for l in &lines {
            seen.entry(l.key.account).or_insert(l.key.payer);
        }
        let payers = seen.values().map(|p| p.to_string()).collect();
        let account_payer: HashMap<String, String> = seen
            .into_iter()
            .map(|(a, p)| (a.to_string(), p.to_string()))
            .collect();
        Self {
            period,
            lines: std::sync::Arc::new(lines),
            config,
            pricing,
            payers,
            account_payer,
            currencies: Default::default(),
            scenario: None,
            invoices: Default::default(),
            partial: false,
            aws_proforma: Default::default(),
            second_level: None,
            kept_accounts: Vec::new(),
        }
        .with_second_level()
    }

    /// Computes the second level of billing transfers for the state's pricing.
    fn with_second_level(mut self) -> Self {
        self.refresh_second_level();
        self
    }

    /// Brings [`Analysis::second_level`] in step with `pricing` and `config`.
    fn refresh_second_level(&mut self) {
        self.second_level = crate::engine::transfer::second_level(
            self.period,
            &self.lines,
            &self.config,
            &self.pricing,
        )
        .map(std::sync::Arc::new);
    }

    /// Re-prices after a configuration change, keeping the loaded lines: only the groups the
    /// change can affect are re-priced ([`crate::engine::reprice`]).
    pub fn reprice(&mut self, config: Config) {
        let delta =
            crate::engine::reprice::delta(&self.pricing, &self.config, &config, &self.lines);
        self.apply(config, delta);
    }

    /// Takes a re-pricing computed against this state (by the worker) with the configuration
    /// it priced: configuration and numbers change together. Returns false, changing nothing,
    /// when `delta` was computed against another state.
    pub fn apply(&mut self, config: Config, delta: crate::engine::reprice::Delta) -> bool {
        if delta.base_revision != self.pricing.revision {
            return false;
        }
        // The worker has let go of the state by now: this writes in place, without a copy
        // (unless a scenario shares the state).
        std::sync::Arc::make_mut(&mut self.pricing).apply(delta);
        self.config = config;
        self.refresh_second_level();
        true
    }

    /// One row per billing group, in this computation: the one of the account that pays AWS.
    /// A level-2 transfer's group holds nothing here (its source's lines are priced one level
    /// up, in the level-1 transfer's group); its own numbers are the downstream seller's, in
    /// the views `transfer:<source>` and `showback:<source>` ([`Analysis::level_two_groups`]).
    pub fn group_reports(&self) -> Vec<GroupCostRow> {
        view_report::group_cost_reports(&self.pricing, &self.config)
    }

    /// The groups of level-2 billing transfers in force, as (group position, transfer name,
    /// source account): the rows of the group list that the downstream seller prices.
    pub fn level_two_groups(&self) -> Vec<(usize, String, String)> {
        self.config
            .transfer_levels(self.period)
            .into_iter()
            .filter(|l| l.level == 2)
            .filter_map(|l| {
                let t = &self.config.transfers[l.transfer];
                Some((l.group?, t.name.clone(), t.source_account.clone()))
            })
            .collect()
    }

    /// A group by name or ARN.
    pub fn group_index(&self, key: &str) -> Result<usize, ReportError> {
        self.config
            .groups
            .iter()
            .position(|g| g.name == key || g.arn == key)
            .ok_or_else(|| {
                // A reseller has a thousand groups: name a few, closest first.
                let mut names: Vec<String> =
                    self.config.groups.iter().map(|g| g.name.clone()).collect();
                let lower = key.to_lowercase();
                names.sort_by_key(|n| (!n.to_lowercase().contains(&lower), n.clone()));
                ReportError::NotFound(format!(
                    "no billing group '{key}' in {} (groups: {})",
                    self.period,
                    if names.is_empty() {
                        "none".into()
                    } else {
                        crate::text::list_some(&names, 10)
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
        let mut e =
            crate::engine::explain::explain(&self.lines, &self.pricing, &self.config, g, slice);
        // The amounts' currency (SPEC 5), then the state explained.
        e.title.push_str(&format!(", {}", self.currency_label()));
        e.title.push_str(&self.state_label());
        e
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

    /// Which lines and custom line item amounts the view `spec` covers (`primary`,
    /// `primary:<payer>`, `group:<name>` or `custom:<name>`), and why for each item.
    pub fn resolve_view(&self, spec: &str) -> Result<ResolvedView, ReportError> {
        let (kind, arg) = spec
            .split_once(':')
            .map_or((spec, None), |(k, a)| (k, Some(a)));
        let n_lines = self.lines.len();
        let items = &self.pricing.items;
        match kind {
            "primary" => {
                let payer = self.primary_payer(arg)?;
                // A bill-transfer account's primary view holds its sources' lines too.
                let covered = self.primary_payers(&payer);
                Ok(ResolvedView {
                    info: ViewInfo::primary(&payer),
                    lines: (0..n_lines)
                        .map(|i| covered.contains(self.lines[i].key.payer.as_str()))
                        .collect(),
                    items: items
                        .iter()
                        .map(|a| {
                            let of = self.payer_of(&a.account);
                            if covered.contains(of) {
                                ItemDecision::In(format!(
                                    "charged to account {} of payer {payer}",
                                    a.account
                                ))
                            } else {
                                ItemDecision::Out(format!(
                                    "charged to account {} of payer {of}, not of payer {payer}",
                                    a.account
                                ))
                            }
                        })
                        .collect(),
                })
            }
            "group" => {
                let g = self.group_index(arg.unwrap_or_default())?;
                self.refuse_level_two(g)?;
                let group = &self.config.groups[g];
                let id = group.arn.rsplit('/').next().unwrap_or_default();
                let owner = group.arn.split(':').nth(4).unwrap_or_default();
                Ok(ResolvedView {
                    info: ViewInfo {
                        name: group.name.clone(),
                        view_type: "BILLING_GROUP".into(),
                        arn: format!("arn:aws:billing::{owner}:billingview/billing-group-{id}"),
                    },
                    lines: (0..n_lines)
                        .map(|i| self.pricing.line_group[i] == Some(g))
                        .collect(),
                    items: items
                        .iter()
                        .map(|a| {
                            if a.group == g {
                                ItemDecision::In(format!(
                                    "an item of billing group '{}'",
                                    group.name
                                ))
                            } else {
                                ItemDecision::Elsewhere
                            }
                        })
                        .collect(),
                })
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
                Ok(ResolvedView {
                    info: ViewInfo {
                        name: view.name.clone(),
                        view_type: "CUSTOM".into(),
                        arn: view.arn.clone(),
                    },
                    lines: (0..n_lines)
                        .map(|i| {
                            views::custom_view_has_line(&self.config, view, &self.lines[i].key)
                        })
                        .collect(),
                    items: items
                        .iter()
                        .map(|a| {
                            let payer = self.payer_of(&a.account);
                            match views::custom_view_item_reason(
                                &self.config,
                                view,
                                payer,
                                &a.account,
                            ) {
                                Ok(why) => ItemDecision::In(why),
                                Err(why) => ItemDecision::Out(why),
                            }
                        })
                        .collect(),
                })
            }
            "transfer" | "showback" => {
                let level = self.transfer_level(arg.unwrap_or_default())?;
                let t = &self.config.transfers[level.transfer];
                // A level-2 transfer's lines are the downstream seller's computation's, which
                // `view_report` and `explain_view` read (`level_two_resolved`), not these.
                if level.level == 2 {
                    return Err(ReportError::NotFound(format!(
                        "billing transfer '{}' is at level 2 (priced by {}): its view is the downstream seller's computation, in report and explain --view {kind}:{}",
                        t.name, t.transfer_account, t.source_account
                    )));
                }
                let g = level.group;
                let which = if kind == "transfer" {
                    TransferView::MyView
                } else {
                    TransferView::Showback
                };
                Ok(ResolvedView {
                    info: self.transfer_view_info(which, &level),
                    lines: (0..n_lines)
                        .map(|i| g.is_some() && self.pricing.line_group[i] == g)
                        .collect(),
                    items: items
                        .iter()
                        .map(|a| {
                            if Some(a.group) == g {
                                ItemDecision::In(format!(
                                    "an item of the group of billing transfer '{}'",
                                    t.name
                                ))
                            } else {
                                ItemDecision::Elsewhere
                            }
                        })
                        .collect(),
                })
            }
            other => Err(ReportError::NotFound(format!(
                "unknown billing view '{other}' (expected primary, primary:<payer id>, group:<name>, custom:<name>, transfer:<name> or showback:<name>)"
            ))),
        }
    }

    /// The view report for `primary`, `primary:<payer>`, `group:<name>` or `custom:<name>`.
    pub fn view_report(
        &self,
        spec: &str,
        group_by: Option<GroupBy>,
    ) -> Result<ViewReport, ReportError> {
        // A bill source's own primary view is its showback (`primary` may name one).
        if spec == "primary" || spec.starts_with("primary:") {
            let payer = self.primary_payer(spec.split_once(':').map(|(_, k)| k))?;
            if let Some(r) = self.source_primary_report(&payer, group_by)? {
                return Ok(r);
            }
        }
        if let Some((kind, key)) = spec.split_once(':') {
            match kind {
                "transfer" => {
                    return self.transfer_view_report(TransferView::MyView, key, group_by);
                }
                "showback" => {
                    return self.transfer_view_report(TransferView::Showback, key, group_by);
                }
                "primary" => {
                    if let Some(r) = self.source_primary_report(key, group_by)? {
                        return Ok(r);
                    }
                }
                _ => {}
            }
        }
        let v = self.resolve_view(spec)?;
        let lines = |i: usize| v.lines[i];
        let items = |n: usize| matches!(v.items[n], ItemDecision::In(_));
        Ok(self.build(
            v.info.clone(),
            &Selection {
                lines: &lines,
                items: &items,
            },
            group_by,
        ))
    }

    /// How a billing view's pro forma (or the row of one attribute value, `slice`) was made:
    /// the billing groups behind it, each explained, and the custom line items the view leaves
    /// out and why. Also returns the row as the view report shows it (footed).
    pub fn explain_view(
        &self,
        spec: &str,
        slice: Option<(GroupBy, &str)>,
    ) -> Result<(ViewExplanation, ShownRow), ReportError> {
        // A showback is its transfer's pro forma: explained as the transfer's view is (whose
        // shown pro forma the parts add up to).
        let mine;
        // The view asked for names the explanation (a showback keeps its own name and type).
        let asked = self.showback_info(spec)?;
        let spec = if asked.is_some() {
            let key = spec.split_once(':').map_or("", |(_, k)| k);
            mine = format!("transfer:{key}");
            mine.as_str()
        } else {
            spec
        };
        // A level-2 transfer's view is explained in the downstream seller's computation.
        let level_two = self.level_two_resolved(spec)?;
        let (lines, pricing, config, v) = match &level_two {
            Some((s, v)) => (s.lines.as_slice(), &s.pricing, &s.config, v.clone()),
            None => (
                self.lines.as_slice(),
                &*self.pricing,
                &self.config,
                self.resolve_view(spec)?,
            ),
        };
        let report = self.view_report(spec, slice.map(|(by, _)| by))?;
        let table = self.shown_view(&report);
        let shown = match slice {
            None => table.total,
            Some((_, value)) => report
                .rows
                .iter()
                .position(|r| r.attributes.first().is_some_and(|(_, x)| x == value))
                .map(|i| table.rows[i])
                .ok_or_else(|| {
                    ReportError::NotFound(format!(
                        "no row '{value}' in billing view '{}' in {}",
                        v.info.name, self.period
                    ))
                })?,
        };
        let names = &pricing.product_names;
        let in_slice = |i: usize| slice.is_none_or(|(by, x)| by.value(&lines[i].key, names) == x);
        let item_in_slice = |n: usize| {
            slice.is_none_or(|(by, x)| {
                let a = &pricing.items[n];
                pricing
                    .item(config, a.item)
                    .is_some_and(|item| by.item_value(item, &a.account, self.period, names) == x)
            })
        };
        let info = asked.as_ref().unwrap_or(&v.info);
        let title = format!(
            "billing view '{}' ({}){}{}, {}, {}{}",
            info.name,
            info.view_type,
            if asked.is_some() {
                ": what the source is charged, the pro forma of its transfer's view"
            } else {
                ""
            },
            slice.map_or(String::new(), |(by, x)| format!(", {} = {x}", by.key())),
            self.period,
            self.currency_label(),
            self.state_label()
        );
        let e = crate::engine::explain::explain_view(
            lines,
            pricing,
            config,
            &|i| v.lines[i] && in_slice(i),
            &|n| {
                if item_in_slice(n) {
                    v.items[n].clone()
                } else {
                    ItemDecision::Elsewhere
                }
            },
            title,
        );
        Ok((e, shown))
    }

    /// `, scenario 'x'` when this is a scenario's state, else empty.
    pub fn state_label(&self) -> String {
        self.scenario
            .as_ref()
            .map_or(String::new(), |s| format!(", scenario '{s}'"))
    }

    /// [`Analysis::shown_view`] of the report of view `spec`. A showback (a bill source's own
    /// view) bills the source its pro forma: its billable is also its pro forma column (what
    /// the customer audience and the customer presentation keep).
    pub fn shown_view_of(
        &self,
        spec: &str,
        report: &crate::engine::view_report::ViewReport,
    ) -> ShownTable {
        let mut shown = self.shown_view(report);
        if self.view_is_showback(spec) {
            for a in shown
                .rows
                .iter_mut()
                .chain(std::iter::once(&mut shown.total))
            {
                a.proforma = Some(a.aws);
            }
        }
        shown
    }

    /// A billing view report's rows and totals as shown (SPEC 5). A billing group's view
    /// covers exactly the group's row of the billing group list, so its totals are that row
    /// as the list shows it and its rows are footed to them: one group shows one number
    /// wherever it is looked at. Other views are tables of their own (totals their exact
    /// values rounded, [`ViewReport::shown`]).
    pub fn shown_view(&self, report: &crate::engine::view_report::ViewReport) -> ShownTable {
        let group_row = (report.view.view_type == "BILLING_GROUP")
            .then(|| {
                self.group_reports()
                    .into_iter()
                    .find(|r| r.name == report.view.name)
            })
            .flatten()
            .filter(|r| r.exact() == report.totals.exact());
        match group_row {
            Some(r) => {
                let parent = self.shown_invoice().groups.get(r.group).copied();
                let rows: Vec<ExactRow> = report.rows.iter().map(|x| x.amounts.exact()).collect();
                crate::footing::foot_rows(
                    &rows,
                    parent.as_ref().map(Targets::of).unwrap_or_default(),
                )
            }
            None => report.shown(),
        }
    }

    /// The period's billing groups, unmonitored accounts, tax and invoice total as shown
    /// (footed, SPEC 5; see [`crate::footing::foot_invoice`]). `groups[g]` is group `g`.
    pub fn shown_invoice(&self) -> ShownInvoice {
        let rows: Vec<ExactRow> = self.group_reports().iter().map(|r| r.exact()).collect();
        let u = &self.pricing.unmonitored;
        crate::footing::foot_invoice(&rows, u.aws_cost, u.tax)
    }

    /// Group `g` broken down by `by` within a drill path, with its rows as shown: the rows
    /// add up to the shown row they break down (the group's row in the billing group list, or
    /// the row of the drill path's last value one level up), so a number keeps its shown value
    /// as the user drills.
    pub fn shown_breakdown(
        &self,
        g: usize,
        by: GroupBy,
        path: &[(GroupBy, &str)],
    ) -> (Vec<GroupCostRow>, ShownTable) {
        let mut parent = self.shown_invoice().groups.get(g).copied();
        for (i, (level, value)) in path.iter().enumerate() {
            let rows = self.group_breakdown_within(g, *level, &path[..i]);
            let table = foot_group_rows(&rows, parent.as_ref());
            parent = rows
                .iter()
                .position(|r| r.attributes.first().is_some_and(|(_, x)| x == value))
                .map(|j| table.rows[j]);
        }
        let rows = self.group_breakdown_within(g, by, path);
        let table = foot_group_rows(&rows, parent.as_ref());
        (rows, table)
    }

    /// The shown row of group `g` under a drill path (the whole group when `path` is empty).
    pub fn shown_group_row(&self, g: usize, path: &[(GroupBy, &str)]) -> Option<ShownRow> {
        match path.split_last() {
            None => self.shown_invoice().groups.get(g).copied(),
            Some(((by, value), up)) => {
                let (rows, table) = self.shown_breakdown(g, *by, up);
                rows.iter()
                    .position(|r| r.attributes.first().is_some_and(|(_, x)| x == value))
                    .map(|j| table.rows[j])
            }
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

/// The History tab's entries: the newest 500 changes of the workspace's audit log.
///
/// # Errors
/// The store's, when the log cannot be read.
pub fn history(ws: &Workspace) -> Result<Vec<crate::store::AuditRow>, StoreError> {
    ws.audit(500)
}

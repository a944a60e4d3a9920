//! Billing transfer views (SPEC 2.5-2.6): "my view" (`transfer:<source>`: what the
//! bill-transfer account pays for a bill source, with its pro forma beside it), "showback"
//! (`showback:<source>`: what the source sees, pro forma only) and the primary views of the
//! parties (a source's own primary view is its showback; the primary view of the account that
//! pays AWS holds its sources' lines too). A level-2 transfer's views come from the downstream
//! seller's computation ([`crate::engine::transfer`]).

use super::{Analysis, ReportError, ResolvedView};
use crate::engine::explain::ItemDecision;
use crate::engine::transfer::SecondLevel;
use crate::engine::{GroupBy, Selection, ViewInfo, ViewReport, view_report};
use crate::model::TransferLevel;
use std::collections::BTreeSet;

/// Which of a transfer's two views.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransferView {
    /// `BILLING_TRANSFER`: billable, pro forma beside it.
    MyView,
    /// `BILLING_TRANSFER_SHOWBACK`: pro forma only, as the source sees it.
    Showback,
}

impl Analysis {
    /// The transfer in force that `key` names (its source account id, name or ARN).
    ///
    /// # Errors
    /// None configured; no such transfer (naming those there are); not in force in the
    /// period (saying when it is); no `TRANSFER_BILLING` group.
    pub fn transfer_level(&self, key: &str) -> Result<TransferLevel, ReportError> {
        let cfg = &self.config;
        let p = self.period;
        let Some(t) = cfg.transfer_by_key(key) else {
            let names: Vec<String> = cfg
                .transfers
                .iter()
                .map(|t| format!("{} ('{}')", t.source_account, t.name))
                .collect();
            return Err(ReportError::NotFound(if names.is_empty() {
                format!(
                    "no billing transfer '{key}' in this workspace (billing transfers are not configured: add [[billing_transfer]] to the configuration)"
                )
            } else {
                format!(
                    "no billing transfer '{key}' (transfers: {})",
                    names.join(", ")
                )
            }));
        };
        let transfer = &cfg.transfers[t];
        let Some(level) = cfg.transfer_levels(p).into_iter().find(|l| l.transfer == t) else {
            return Err(ReportError::NotFound(format!(
                "billing transfer '{}' is not in force in {p} ({}, from {}{})",
                transfer.name,
                transfer.status,
                transfer.start,
                transfer
                    .end
                    .map_or(String::new(), |e| format!(" through {e}"))
            )));
        };
        if level.group.is_none() {
            return Err(ReportError::NotFound(format!(
                "billing transfer '{}' has no TRANSFER_BILLING billing group",
                transfer.name
            )));
        }
        Ok(level)
    }

    /// The view of transfer `key` (see [`TransferView`]), grouped by `group_by`.
    pub fn transfer_view_report(
        &self,
        which: TransferView,
        key: &str,
        group_by: Option<GroupBy>,
    ) -> Result<ViewReport, ReportError> {
        let level = self.transfer_level(key)?;
        let info = self.transfer_view_info(which, &level);
        let mut report = self.transfer_group_report(&level, info, group_by)?;
        // A source without data yet: my view still has its pro forma column (zero).
        if which == TransferView::MyView && report.totals.proforma.is_none() {
            for a in report
                .rows
                .iter_mut()
                .map(|r| &mut r.amounts)
                .chain(std::iter::once(&mut report.totals))
            {
                a.proforma = Some(a.proforma.unwrap_or_default());
            }
        }
        Ok(match which {
            TransferView::MyView => report,
            TransferView::Showback => showback(report),
        })
    }

    /// The name, type and ARN of one of a transfer's views, as AWS names them.
    pub(crate) fn transfer_view_info(
        &self,
        which: TransferView,
        level: &TransferLevel,
    ) -> ViewInfo {
        let t = &self.config.transfers[level.transfer];
        let id = t.arn.rsplit('/').next().unwrap_or_default();
        let (view_type, arn) = match which {
            TransferView::MyView => (
                "BILLING_TRANSFER",
                format!(
                    "arn:aws:billing::{}:billingview/billing-transfer-{id}",
                    t.transfer_account
                ),
            ),
            TransferView::Showback => (
                "BILLING_TRANSFER_SHOWBACK",
                format!(
                    "arn:aws:billing::{}:billingview/billing-transfer-showback-{id}",
                    t.transfer_account
                ),
            ),
        };
        ViewInfo {
            name: t.name.clone(),
            view_type: view_type.into(),
            arn,
        }
    }

    /// The view a showback spec names (`showback:<source>`, or the primary view of a bill
    /// source in force), None for any other view.
    ///
    /// # Errors
    /// As [`Analysis::transfer_level`].
    pub(crate) fn showback_info(&self, spec: &str) -> Result<Option<ViewInfo>, ReportError> {
        if !self.view_is_showback(spec) {
            return Ok(None);
        }
        Ok(Some(match spec.split_once(':') {
            Some(("showback", key)) => {
                let level = self.transfer_level(key)?;
                self.transfer_view_info(TransferView::Showback, &level)
            }
            Some((_, payer)) => ViewInfo::primary(payer),
            None => return Ok(None),
        }))
    }

    /// The lines and items of a transfer's group in the computation of its level.
    fn transfer_group_report(
        &self,
        level: &TransferLevel,
        info: ViewInfo,
        group_by: Option<GroupBy>,
    ) -> Result<ViewReport, ReportError> {
        let g = level.group;
        let (lines, pricing, config) = match (level.level, &self.second_level) {
            (2, Some(s)) => (s.lines.as_slice(), &s.pricing, &s.config),
            (2, None) => {
                return Err(ReportError::NotFound(
                    "the downstream seller's computation is missing".into(),
                ));
            }
            _ => (self.lines.as_slice(), &*self.pricing, &self.config),
        };
        let in_lines = |i: usize| pricing.line_group[i] == g && g.is_some();
        let in_items = |n: usize| Some(pricing.items[n].group) == g;
        Ok(view_report::build(
            info,
            lines,
            pricing,
            config,
            &Selection {
                lines: &in_lines,
                items: &in_items,
            },
            group_by,
        ))
    }

    /// The primary view of a bill source in force: its showback, under the primary view's
    /// name (SPEC 2.6: "the source's own primary view shows pro forma only"). None when
    /// `payer` is not a source of a transfer in force.
    pub(crate) fn source_primary_report(
        &self,
        payer: &str,
        group_by: Option<GroupBy>,
    ) -> Result<Option<ViewReport>, ReportError> {
        let levels = self.config.transfer_levels(self.period);
        let Some(level) = levels
            .into_iter()
            .find(|l| self.config.transfers[l.transfer].source_account == payer)
        else {
            return Ok(None);
        };
        if level.group.is_none() {
            return Ok(None);
        }
        let report = self.transfer_group_report(&level, ViewInfo::primary(payer), group_by)?;
        Ok(Some(showback(report)))
    }

    /// The payer whose primary view `primary` (None) or `primary:<arg>` names. The candidates
    /// are the payers with data and the bill-transfer accounts of transfers in force (an
    /// account that pays AWS for its sources may have no CUR rows of its own). Without a
    /// payer: the only one, or the only one that pays AWS (no bill source).
    ///
    /// # Errors
    /// An unknown payer, or several that could be meant (naming them).
    pub(crate) fn primary_payer(&self, arg: Option<&str>) -> Result<String, ReportError> {
        let p = self.period;
        let mut candidates: BTreeSet<String> = self.payers.clone();
        let levels = self.config.transfer_levels(p);
        for l in &levels {
            candidates.insert(self.config.transfers[l.transfer].transfer_account.clone());
        }
        let source = |x: &str| {
            levels
                .iter()
                .any(|l| self.config.transfers[l.transfer].source_account == x)
        };
        let list = |v: &[&String]| v.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ");
        match arg {
            Some(x) if candidates.contains(x) => Ok(x.to_string()),
            Some(x) => Err(ReportError::NotFound(format!(
                "no payer {x} in period {p} (payers: {})",
                list(&candidates.iter().collect::<Vec<_>>())
            ))),
            None => {
                let all: Vec<&String> = candidates.iter().collect();
                let paying: Vec<&String> =
                    candidates.iter().filter(|c| !source(c.as_str())).collect();
                match (paying.as_slice(), all.as_slice()) {
                    ([only], _) | ([], [only]) => Ok((*only).clone()),
                    _ => Err(ReportError::NotFound(format!(
                        "period {p} has {} payers; choose one with --view primary:<payer id> ({})",
                        all.len(),
                        list(&all)
                    ))),
                }
            }
        }
    }

    /// The payers whose lines the primary view of `payer` holds: itself and, when it pays
    /// AWS for other organisations (a bill-transfer account that is no source itself), every
    /// source billed through it, at both levels.
    pub(crate) fn primary_payers(&self, payer: &str) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = [payer.to_string()].into();
        let levels = self.config.transfer_levels(self.period);
        let transfers = &self.config.transfers;
        if levels
            .iter()
            .any(|l| transfers[l.transfer].source_account == payer)
        {
            return out;
        }
        for l in &levels {
            let t = &transfers[l.transfer];
            let top = match l.upstream {
                None => t.transfer_account.as_str(),
                Some(up) => transfers[up].transfer_account.as_str(),
            };
            if top == payer {
                out.insert(t.source_account.clone());
            }
        }
        out
    }

    /// What a level-2 transfer's view (`transfer:` / `showback:`) covers, in the downstream
    /// seller's computation: None for any other view.
    pub(crate) fn level_two_resolved(
        &self,
        spec: &str,
    ) -> Result<Option<(std::sync::Arc<SecondLevel>, ResolvedView)>, ReportError> {
        let Some((kind @ ("transfer" | "showback"), key)) = spec.split_once(':') else {
            return Ok(None);
        };
        let level = self.transfer_level(key)?;
        let (2, Some(s)) = (level.level, &self.second_level) else {
            return Ok(None);
        };
        let which = if kind == "transfer" {
            TransferView::MyView
        } else {
            TransferView::Showback
        };
        let info = self.transfer_view_info(which, &level);
        let t = &self.config.transfers[level.transfer];
        let g = level.group;
        let v = ResolvedView {
            info,
            lines: (0..s.lines.len())
                .map(|i| g.is_some() && s.pricing.line_group[i] == g)
                .collect(),
            items: s
                .pricing
                .items
                .iter()
                .map(|a| {
                    if Some(a.group) == g {
                        ItemDecision::In(format!(
                            "an item of the group of billing transfer '{}', charged by {}",
                            t.name, t.transfer_account
                        ))
                    } else {
                        ItemDecision::Elsewhere
                    }
                })
                .collect(),
        };
        Ok(Some((s.clone(), v)))
    }

    /// Refuses a group of a level-2 transfer where a group's numbers are asked for: they are
    /// the downstream seller's, in the transfer's views (the error says which).
    pub fn refuse_level_two(&self, g: usize) -> Result<(), ReportError> {
        match self.level_two_groups().into_iter().find(|(x, ..)| *x == g) {
            None => Ok(()),
            Some((_, name, source)) => Err(ReportError::NotFound(format!(
                "billing group '{}' prices billing transfer '{name}' at level 2 (the downstream seller's computation): report it with --view transfer:{source} (what the seller pays, and its pro forma) or --view showback:{source} (what its source sees)",
                self.config.groups[g].name
            ))),
        }
    }

    /// The accounts group `g` holds: its listed accounts, or for a group that takes a whole
    /// organisation (a transfer's, or a `TRANSFER_BILLING` group by payer) the accounts of its
    /// lines.
    pub fn group_account_count(&self, g: usize) -> usize {
        let group = &self.config.groups[g];
        if group.group_type != crate::model::GroupType::TransferBilling {
            return group.accounts.len();
        }
        // Kept totals hold no lines (or one group's): the count kept with them.
        if self.partial
            && let Some(&n) = self.kept_accounts.get(g)
        {
            return n;
        }
        let accounts: std::collections::BTreeSet<&str> = self
            .pricing
            .group_lines
            .of(Some(g))
            .iter()
            .map(|&i| self.lines[i].key.account.as_str())
            .collect();
        accounts.len().max(group.accounts.len())
    }

    /// The pro forma of group `g` in the downstream seller's computation, when `g` prices a
    /// level-2 transfer in force (None for every other group).
    pub fn level_two_proforma(&self, g: usize) -> Option<rust_decimal::Decimal> {
        if self.listed_group(g) {
            return None;
        }
        let s = self.second_level.as_ref()?;
        s.pricing.groups.get(g).map(|t| t.proforma())
    }

    /// Whether group `g` is in the group list: every group but those of level-2 transfers.
    pub fn listed_group(&self, g: usize) -> bool {
        // The second level, kept in step with the configuration, knows its groups: no
        // transfer chain is walked per group and per row.
        !self
            .second_level
            .as_ref()
            .is_some_and(|s| s.groups.contains(&g))
    }

    /// Whether the view `spec` is a showback: `showback:<source>`, or the primary view of a
    /// bill source in force (its billable is what it is charged, the pro forma).
    pub fn view_is_showback(&self, spec: &str) -> bool {
        match spec.split_once(':') {
            Some(("showback", _)) => true,
            Some(("primary", payer)) => self
                .config
                .transfer_levels(self.period)
                .iter()
                .any(|l| self.config.transfers[l.transfer].source_account == payer),
            _ => false,
        }
    }

    /// The transfers in force, as (spec, label) pairs for a view picker: each one's "my view"
    /// and showback.
    pub fn transfer_view_options(&self) -> Vec<(String, String)> {
        let mut v = Vec::new();
        for l in self.config.transfer_levels(self.period) {
            let t = &self.config.transfers[l.transfer];
            v.push((
                format!("transfer:{}", t.source_account),
                format!("{}  (BILLING_TRANSFER, my view, level {})", t.name, l.level),
            ));
            v.push((
                format!("showback:{}", t.source_account),
                format!("{}  (BILLING_TRANSFER_SHOWBACK)", t.name),
            ));
        }
        v
    }
}

/// A report as its bill source sees it: what it is charged (the pro forma) as its billable,
/// no pro forma or margin beside it; tax as billed.
fn showback(mut r: ViewReport) -> ViewReport {
    let flip = |a: &mut crate::engine::Amounts| {
        a.billable = a.proforma.unwrap_or(a.billable);
        a.monitored_billable = a.billable;
        a.proforma = None;
        a.monitored_tax = a.tax;
        a.has_unmonitored = false;
    };
    for row in &mut r.rows {
        flip(&mut row.amounts);
    }
    flip(&mut r.totals);
    r.rows.sort_by(|a, b| {
        b.amounts
            .billable
            .cmp(&a.amounts.billable)
            .then_with(|| a.attributes.cmp(&b.attributes))
    });
    r
}

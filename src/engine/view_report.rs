//! Reports of one period (SPEC 5): the billing group cost report, one group broken down by an
//! attribute, and the billing view report (billable and tax per attribute, with pro forma and
//! margin beside them for monitored accounts).

use super::price::Pricing;
use crate::cur::StoredLine;
use crate::cur::{LineItemType, LineKey, ProductNames};
use crate::model::{Config, CustomLineItem, ItemType};
use crate::period::BillingPeriod;
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GroupBy {
    LinkedAccount,
    ProductName,
    ServiceCode,
    UsageType,
    LineItemType,
    BillingPeriod,
}

impl GroupBy {
    pub const ALL: [GroupBy; 6] = [
        GroupBy::LinkedAccount,
        GroupBy::ProductName,
        GroupBy::ServiceCode,
        GroupBy::UsageType,
        GroupBy::LineItemType,
        GroupBy::BillingPeriod,
    ];

    /// Each grouping's AWS key (billing view API, CSV and JSON) and its table header,
    /// declared once.
    const NAMES: [(GroupBy, &'static str, &'static str); 6] = [
        (GroupBy::LinkedAccount, "LINKED_ACCOUNT", "Linked account"),
        (GroupBy::ProductName, "PRODUCT_NAME", "Product name"),
        (GroupBy::ServiceCode, "SERVICE_CODE", "Service code"),
        (GroupBy::UsageType, "USAGE_TYPE", "Usage type"),
        (GroupBy::LineItemType, "LINE_ITEM_TYPE", "Line item type"),
        (GroupBy::BillingPeriod, "BILLING_PERIOD", "Billing period"),
    ];

    fn names(self) -> (&'static str, &'static str) {
        GroupBy::NAMES
            .iter()
            .find(|(g, ..)| *g == self)
            .map_or(("", ""), |(_, key, label)| (*key, *label))
    }

    /// AWS's spelling of the key (`PRODUCT_NAME`), as CSV and JSON print it.
    pub fn key(self) -> &'static str {
        self.names().0
    }

    /// The key as people read it in a table header ("Product name"; CSV and JSON keep
    /// [`GroupBy::key`], AWS's spelling).
    pub fn label(self) -> &'static str {
        self.names().1
    }

    /// The attribute value of a line under this key. A line that carries no product name
    /// (tax, credits) shows under its service's name in the period (`names`), so one service
    /// is one row; a code no line names shows as the code.
    pub fn value(self, k: &LineKey, names: &ProductNames) -> String {
        match self {
            GroupBy::LinkedAccount => k.account.to_string(),
            GroupBy::ProductName => names.shown(&k.product_code, &k.product_name).to_string(),
            GroupBy::ServiceCode => k.product_code.to_string(),
            GroupBy::UsageType => k.usage_type.to_string(),
            GroupBy::LineItemType => k.line_item_type.to_string(),
            GroupBy::BillingPeriod => k.period.aws_label(),
        }
    }

    /// The attribute value of a custom line item: it shows under its presentation service (by
    /// product name: the service's name when the period's lines name it), as a `Fee` or
    /// `Credit` line named after the item (decision, after ABC's pro forma CUR).
    pub fn item_value(
        self,
        item: &CustomLineItem,
        account: &str,
        period: BillingPeriod,
        names: &ProductNames,
    ) -> String {
        match self {
            GroupBy::LinkedAccount => account.to_string(),
            GroupBy::ProductName => names.shown(&item.presentation_service, "").to_string(),
            GroupBy::ServiceCode => item.presentation_service.clone(),
            GroupBy::UsageType => item.name.clone(),
            GroupBy::LineItemType => match item.item_type {
                ItemType::Fee => LineItemType::Fee,
                ItemType::Credit => LineItemType::Credit,
            }
            .to_string(),
            GroupBy::BillingPeriod => period.aws_label(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown group-by key '{0}' (expected one of LINKED_ACCOUNT, PRODUCT_NAME, SERVICE_CODE, USAGE_TYPE, LINE_ITEM_TYPE, BILLING_PERIOD)"
)]
pub struct BadGroupBy(pub String);

impl FromStr for GroupBy {
    type Err = BadGroupBy;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let norm = s.trim().to_ascii_uppercase().replace('-', "_");
        GroupBy::ALL
            .into_iter()
            .find(|g| g.key() == norm)
            .ok_or_else(|| BadGroupBy(s.to_string()))
    }
}

impl fmt::Display for GroupBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Label of the line that holds a view's accounts in no billing group, billable only
/// (SPEC 2.1), in every output that splits them off ([`ViewReport::splits_unmonitored`]).
pub const UNMONITORED_LINE: &str = "Unmonitored accounts (billable only)";
/// Label of the line that holds a view's monitored accounts (billable, pro forma, margin),
/// when the view has unmonitored ones too.
pub const MONITORED_LINE: &str = "Monitored accounts";

/// Name, type and ARN of a billing view, as AWS prints them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewInfo {
    pub name: String,
    pub view_type: String,
    pub arn: String,
}

impl ViewInfo {
    pub fn primary(payer: &str) -> Self {
        Self {
            name: "Primary View".into(),
            view_type: "PRIMARY".into(),
            arn: crate::model::primary_view_arn(payer),
        }
    }
}

/// Amounts of one report row (or the totals).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Amounts {
    /// Unblended cost, tax excepted (AWSCost).
    pub billable: Decimal,
    /// Billable of the rows' monitored accounts: what the pro forma is compared with.
    pub monitored_billable: Decimal,
    /// None when every account of the row is unmonitored.
    pub proforma: Option<Decimal>,
    pub tax: Decimal,
    /// Tax of the rows' monitored accounts.
    pub monitored_tax: Decimal,
    /// Whether any line of the row is of an account in no billing group.
    pub has_unmonitored: bool,
}

impl Amounts {
    /// Pro forma minus the billable of the same (monitored) rows.
    pub fn margin(&self) -> Option<Decimal> {
        self.proforma.map(|p| p - self.monitored_billable)
    }

    /// Margin / billable x 100, none when the billable is 0 (SPEC 4.5).
    pub fn margin_percentage(&self) -> Option<Decimal> {
        let m = self.margin()?;
        (!self.monitored_billable.is_zero())
            .then(|| m / self.monitored_billable * Decimal::ONE_HUNDRED)
    }

    /// The exact amounts as a row to foot (SPEC 5).
    pub fn exact(&self) -> crate::footing::ExactRow {
        crate::footing::ExactRow {
            aws: self.billable,
            monitored_aws: self.monitored_billable,
            proforma: self.proforma,
            tax: self.tax,
            monitored_tax: self.monitored_tax,
        }
    }

    fn add_line(&mut self, t: &LineItemType, cost: Decimal, proforma: Option<Decimal>) {
        let (billable, tax) = t.billable_and_tax(cost);
        self.billable += billable;
        self.tax += tax;
        match proforma {
            Some(p) => {
                self.monitored_billable += billable;
                self.monitored_tax += tax;
                self.proforma = Some(self.proforma.unwrap_or_default() + p);
            }
            None => self.has_unmonitored = true,
        }
    }

    fn add_item(&mut self, amount: Decimal) {
        self.proforma = Some(self.proforma.unwrap_or_default() + amount);
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewRow {
    pub attributes: Vec<(String, String)>,
    pub amounts: Amounts,
}

impl ViewReport {
    /// True when the report has pro forma and some of its lines are of accounts in no billing
    /// group. Then every output reads straight across: each row shows the monitored accounts'
    /// billable and tax beside their pro forma and margin, and the unmonitored accounts'
    /// billable and tax are one line of their own, "Unmonitored accounts (billable only)"
    /// (SPEC 2.1: unmonitored accounts are billable only); JSON and CSV add the parts as
    /// fields (see `cli::report::render_view`).
    pub fn splits_unmonitored(&self) -> bool {
        self.totals.proforma.is_some() && self.totals.has_unmonitored
    }

    /// The rows a table shows, as indexes into `rows` (and `shown.rows`), largest billable
    /// shown first: every row; or, when the view splits its unmonitored accounts off
    /// ([`ViewReport::splits_unmonitored`]), the rows with pro forma, by their monitored
    /// accounts' shown billable (the rows of unmonitored accounts only are in the unmonitored
    /// line). Ties keep the report's order.
    pub fn table_rows(&self, shown: &crate::footing::ShownTable) -> Vec<usize> {
        if !self.splits_unmonitored() {
            return (0..self.rows.len()).collect();
        }
        let mut idx: Vec<usize> = (0..self.rows.len().min(shown.rows.len()))
            .filter(|&i| shown.rows[i].proforma.is_some())
            .collect();
        idx.sort_by(|&a, &b| {
            shown.rows[b]
                .monitored_aws
                .cmp(&shown.rows[a].monitored_aws)
        });
        idx
    }

    /// The report's rows (same order) and totals as shown: each total its exact value rounded,
    /// the rows footed to it, margins cross-footed (SPEC 5, [`crate::footing::foot_rows`]).
    pub fn shown(&self) -> crate::footing::ShownTable {
        let rows: Vec<crate::footing::ExactRow> =
            self.rows.iter().map(|r| r.amounts.exact()).collect();
        crate::footing::foot_rows(&rows, crate::footing::Targets::default())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewReport {
    pub view: ViewInfo,
    pub period: BillingPeriod,
    pub group_by: Option<GroupBy>,
    pub rows: Vec<ViewRow>,
    pub totals: Amounts,
}

/// Which lines and custom line item amounts a report covers.
pub struct Selection<'a> {
    pub lines: &'a dyn Fn(usize) -> bool,
    pub items: &'a dyn Fn(usize) -> bool,
}

/// Sums the selected lines (and custom line item amounts) by the attribute.
pub fn build(
    view: ViewInfo,
    lines: &[StoredLine],
    pricing: &Pricing,
    config: &Config,
    selection: &Selection<'_>,
    group_by: Option<GroupBy>,
) -> ViewReport {
    let period = pricing.period;
    let mut by_value: HashMap<String, Amounts> = HashMap::new();
    let mut totals = Amounts::default();
    for (i, line) in lines.iter().enumerate() {
        if !(selection.lines)(i) {
            continue;
        }
        let value = group_by
            .map(|g| g.value(&line.key, &pricing.product_names))
            .unwrap_or_default();
        let proforma = pricing.line_group[i].map(|_| pricing.line_price[i].proforma);
        let (t, cost) = (&line.key.line_item_type, line.sums.unblended_cost);
        by_value
            .entry(value)
            .or_default()
            .add_line(t, cost, proforma);
        totals.add_line(t, cost, proforma);
    }
    for (n, a) in pricing.items.iter().enumerate() {
        if !(selection.items)(n) {
            continue;
        }
        let Some(item) = pricing.item(config, a.item) else {
            continue;
        };
        let value = group_by
            .map(|g| g.item_value(item, &a.account, period, &pricing.product_names))
            .unwrap_or_default();
        by_value.entry(value).or_default().add_item(a.amount);
        totals.add_item(a.amount);
    }
    let mut rows: Vec<ViewRow> = by_value
        .into_iter()
        .map(|(v, amounts)| ViewRow {
            attributes: group_by
                .map(|g| vec![(g.key().to_string(), v)])
                .unwrap_or_default(),
            amounts,
        })
        .collect();
    if group_by.is_none() && rows.is_empty() {
        rows.push(ViewRow {
            attributes: vec![],
            amounts: Amounts::default(),
        });
    }
    // Largest first, as an analyst reads a bill; ties by value so output is stable.
    rows.sort_by(|a, b| {
        b.amounts
            .billable
            .cmp(&a.amounts.billable)
            .then_with(|| a.attributes.cmp(&b.attributes))
    });
    ViewReport {
        view,
        period,
        group_by,
        rows,
        totals,
    }
}

/// One billing group's line in the cost report (`list-billing-group-cost-reports`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupCostRow {
    pub group: usize,
    pub arn: String,
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub aws_cost: Decimal,
    pub proforma: Decimal,
    pub tax: Decimal,
}

impl GroupCostRow {
    /// The exact amounts as a row to foot (SPEC 5).
    pub fn exact(&self) -> crate::footing::ExactRow {
        crate::footing::ExactRow::group(self.aws_cost, self.proforma, self.tax)
    }
    pub fn margin(&self) -> Decimal {
        self.proforma - self.aws_cost
    }
    pub fn margin_percentage(&self) -> Option<Decimal> {
        (!self.aws_cost.is_zero()).then(|| self.margin() / self.aws_cost * Decimal::ONE_HUNDRED)
    }
}

/// One row per billing group, in the configuration's (name) order.
pub fn group_cost_reports(pricing: &Pricing, config: &Config) -> Vec<GroupCostRow> {
    config
        .groups
        .iter()
        .enumerate()
        .map(|(g, group)| {
            let t = &pricing.groups[g];
            GroupCostRow {
                group: g,
                arn: group.arn.clone(),
                name: group.name.clone(),
                attributes: vec![],
                aws_cost: t.aws_cost,
                proforma: t.proforma(),
                tax: t.tax,
            }
        })
        .collect()
}

/// One group broken down by an attribute (`get-billing-group-cost-report`).
pub fn group_breakdown(
    lines: &[StoredLine],
    pricing: &Pricing,
    config: &Config,
    g: usize,
    group_by: GroupBy,
    filters: &[(GroupBy, &str)],
) -> Vec<GroupCostRow> {
    let group = &config.groups[g];
    let mut by_value: HashMap<String, (Decimal, Decimal, Decimal)> = HashMap::new();
    for (i, line) in lines.iter().enumerate() {
        if pricing.line_group[i] != Some(g)
            || !filters
                .iter()
                .all(|(by, v)| by.value(&line.key, &pricing.product_names) == *v)
        {
            continue;
        }
        let e = by_value
            .entry(group_by.value(&line.key, &pricing.product_names))
            .or_default();
        if line.key.line_item_type.is_tax() {
            e.2 += line.sums.unblended_cost;
        } else {
            e.0 += line.sums.unblended_cost;
        }
        e.1 += pricing.line_price[i].proforma;
    }
    for a in pricing.items.iter().filter(|a| a.group == g) {
        let Some(item) = pricing.item(config, a.item) else {
            continue;
        };
        if !filters.iter().all(|(by, v)| {
            by.item_value(item, &a.account, pricing.period, &pricing.product_names) == *v
        }) {
            continue;
        }
        by_value
            .entry(group_by.item_value(item, &a.account, pricing.period, &pricing.product_names))
            .or_default()
            .1 += a.amount;
    }
    let mut rows: Vec<GroupCostRow> = by_value
        .into_iter()
        .map(|(v, (aws, proforma, tax))| GroupCostRow {
            group: g,
            arn: group.arn.clone(),
            name: group.name.clone(),
            attributes: vec![(group_by.key().to_string(), v)],
            aws_cost: aws,
            proforma,
            tax,
        })
        .collect();
    rows.sort_by(|a, b| {
        b.proforma
            .cmp(&a.proforma)
            .then_with(|| a.attributes.cmp(&b.attributes))
    });
    rows
}

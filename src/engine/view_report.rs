//! The billing view report (SPEC 5): billable and tax per attribute value, with pro forma and
//! margin beside them for monitored accounts.

use crate::cur::LineKey;
use crate::period::BillingPeriod;
use crate::store::StoredLine;
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

    pub fn key(self) -> &'static str {
        match self {
            GroupBy::LinkedAccount => "LINKED_ACCOUNT",
            GroupBy::ProductName => "PRODUCT_NAME",
            GroupBy::ServiceCode => "SERVICE_CODE",
            GroupBy::UsageType => "USAGE_TYPE",
            GroupBy::LineItemType => "LINE_ITEM_TYPE",
            GroupBy::BillingPeriod => "BILLING_PERIOD",
        }
    }

    /// The attribute value of a line under this key.
    pub fn value(self, k: &LineKey) -> String {
        match self {
            GroupBy::LinkedAccount => k.account.clone(),
            GroupBy::ProductName if k.product_name.is_empty() => k.product_code.clone(),
            GroupBy::ProductName => k.product_name.clone(),
            GroupBy::ServiceCode => k.product_code.clone(),
            GroupBy::UsageType => k.usage_type.clone(),
            GroupBy::LineItemType => k.line_item_type.clone(),
            GroupBy::BillingPeriod => k.period.aws_label(),
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
            arn: format!("arn:aws:billing::{payer}:billingview/primary"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewRow {
    pub attributes: Vec<(String, String)>,
    pub billable: Decimal,
    /// None when every account of the row is unmonitored.
    pub proforma: Option<Decimal>,
    pub tax: Decimal,
}

impl ViewRow {
    pub fn margin(&self) -> Option<Decimal> {
        self.proforma.map(|p| p - self.billable)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ViewTotals {
    pub billable: Decimal,
    pub proforma: Option<Decimal>,
    pub tax: Decimal,
}

impl ViewTotals {
    pub fn margin(&self) -> Option<Decimal> {
        self.proforma.map(|p| p - self.billable)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewReport {
    pub view: ViewInfo,
    pub period: BillingPeriod,
    pub group_by: Option<GroupBy>,
    pub rows: Vec<ViewRow>,
    pub totals: ViewTotals,
}

/// Sums the view's lines by the attribute. Lines of accounts outside every billing group
/// carry no pro forma; until groups exist (the engine issue) that is every line.
pub fn build(
    view: ViewInfo,
    period: BillingPeriod,
    lines: &[StoredLine],
    group_by: Option<GroupBy>,
) -> ViewReport {
    let mut by_value: HashMap<String, ViewRow> = HashMap::new();
    let mut totals = ViewTotals::default();
    for line in lines {
        let value = group_by.map(|g| g.value(&line.key)).unwrap_or_default();
        let row = by_value.entry(value).or_insert_with_key(|v| ViewRow {
            attributes: group_by
                .map(|g| vec![(g.key().to_string(), v.clone())])
                .unwrap_or_default(),
            billable: Decimal::ZERO,
            proforma: None,
            tax: Decimal::ZERO,
        });
        let cost = line.sums.unblended_cost;
        if line.key.line_item_type == "Tax" {
            // Each delivery's sums were overflow-checked at import; saturate, never panic.
            row.tax = row.tax.saturating_add(cost);
            totals.tax = totals.tax.saturating_add(cost);
        } else {
            row.billable = row.billable.saturating_add(cost);
            totals.billable = totals.billable.saturating_add(cost);
        }
    }
    let mut rows: Vec<ViewRow> = by_value.into_values().collect();
    if group_by.is_none() && rows.is_empty() {
        rows.push(ViewRow {
            attributes: vec![],
            billable: Decimal::ZERO,
            proforma: None,
            tax: Decimal::ZERO,
        });
    }
    // Largest first, as an analyst reads a bill; ties by value so output is stable.
    rows.sort_by(|a, b| {
        b.billable
            .cmp(&a.billable)
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

//! Column vocabulary: every input's header is normalised to the Athena snake_case names
//! (SPEC 1.1), then the columns pricing needs are located once per file.

use super::CurError;
use std::path::Path;

/// `reservation/ReservationARN` -> `reservation_reservation_a_r_n`: `_` before each capital,
/// lower case, every other non-alphanumeric to `_`, repeats collapsed, no `_` at the ends.
pub fn normalize_name(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 8);
    for c in raw.chars() {
        if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else {
            out.push('_');
        }
    }
    let mut collapsed = String::with_capacity(out.len());
    for c in out.chars() {
        if !(c == '_' && collapsed.ends_with('_')) {
            collapsed.push(c);
        }
    }
    collapsed.trim_matches('_').to_string()
}

/// The kind of a label column: a resource tag or a cost category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LabelKind {
    Tag,
    CostCategory,
}

impl LabelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LabelKind::Tag => "tag",
            LabelKind::CostCategory => "cost_category",
        }
    }
}

/// Where each column pricing needs sits in one file's header.
#[derive(Debug, Clone)]
pub struct ColumnMap {
    pub names: Vec<String>,
    pub payer: usize,
    pub account: usize,
    pub period_start: usize,
    pub line_item_type: usize,
    pub product_code: usize,
    pub unblended_cost: usize,
    pub billing_entity: Option<usize>,
    pub usage_type: Option<usize>,
    pub operation: Option<usize>,
    pub usage_amount: Option<usize>,
    pub unblended_rate: Option<usize>,
    pub public_cost: Option<usize>,
    pub public_rate: Option<usize>,
    pub product_name: Option<usize>,
    pub region: Option<usize>,
    pub reservation_arn: Option<usize>,
    pub savings_plan_arn: Option<usize>,
    pub sp_effective_cost: Option<usize>,
    pub ri_effective_cost: Option<usize>,
    pub usage_start: Option<usize>,
    /// `lineItem/CurrencyCode` (legacy CSV) / `line_item_currency_code` (Parquet): the currency
    /// the row's amounts are in (SPEC 5). Absent: the rows are taken to be in USD.
    pub currency: Option<usize>,
    /// `bill/InvoiceId` (legacy CSV, Parquet and CUR 2.0 `bill_invoice_id`; FOCUS `InvoiceId`):
    /// the invoice the row is billed on, blank until AWS finalises the month
    /// (cur_formats.md 1.1). Summed per invoice for the month-end tie-out.
    pub invoice_id: Option<usize>,
    /// `bill/InvoicingEntity` (CUR 2.0 `bill_invoicing_entity`; FOCUS `InvoiceIssuerName`): the
    /// AWS legal entity that issues the row's invoice.
    pub invoicing_entity: Option<usize>,
    /// Label columns with the key they carry (`user:team` from CSV, `user_team` from Parquet).
    pub labels: Vec<(usize, LabelKind, String)>,
    /// Derived cells that each hold a row's labels of one kind as a set of (key, value)
    /// pairs, encoded by [`super::fold::encode_label_set`]: the labels of a map column
    /// (CUR 2.0 `resource_tags`), whose keys are not in the header and vary by row.
    pub label_sets: Vec<(usize, LabelKind)>,
    /// Set for a proforma cube (`cube-sql`'s result): its rows are pre-summed.
    pub cube: Option<super::cube::CubeColumns>,
    /// Set for CUR 2.0: its map columns, read into derived cells past the header
    /// (`cur::cur2`); `product_name`, `region` and the labels then point at those cells.
    pub cur2: Option<Box<super::cur2::Cur2Columns>>,
    /// Set for FOCUS: its columns, from which derived cells past the header are computed
    /// per row (`cur::focus`); most of the fields above then point at those cells.
    pub focus: Option<Box<super::focus::FocusColumns>>,
}

/// Columns proforma reads by their normalised name (besides labels, which keep their spelling).
const READ: [&str; 23] = [
    "bill_payer_account_id",
    "line_item_usage_account_id",
    "bill_billing_period_start_date",
    "line_item_line_item_type",
    "line_item_product_code",
    "line_item_unblended_cost",
    "bill_billing_entity",
    "line_item_usage_type",
    "line_item_operation",
    "line_item_usage_amount",
    "line_item_unblended_rate",
    "pricing_public_on_demand_cost",
    "pricing_public_on_demand_rate",
    "product_product_name",
    "product_region",
    "product_region_code",
    "reservation_reservation_a_r_n",
    "savings_plan_savings_plan_a_r_n",
    "savings_plan_savings_plan_effective_cost",
    "reservation_effective_cost",
    "line_item_usage_start_date",
    "bill_invoice_id",
    "bill_invoicing_entity",
];

/// Refuses a header that names a column twice: the same spelling twice, or two spellings of a
/// column proforma reads (`lineItem/UnblendedCost` and `line_item_unblended_cost`). Which of
/// the two holds the right value cannot be known, so neither is picked silently. Tags whose
/// keys differ only in case or punctuation keep their own spelling and are distinct.
fn check_duplicates(path: &Path, header: &[String], names: &[String]) -> Result<(), CurError> {
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut seen_norm: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for (i, (raw, norm)) in header.iter().zip(names).enumerate() {
        let first = match seen.insert(raw.as_str(), i) {
            Some(first) => Some(first),
            None if READ.contains(&norm.as_str()) || norm == "line_item_currency_code" => {
                seen_norm.insert(norm.as_str(), i)
            }
            None => None,
        };
        if let Some(first) = first {
            return Err(CurError::DuplicateColumn {
                path: path.to_path_buf(),
                name: raw.clone(),
                first: first + 1,
                second: i + 1,
            });
        }
    }
    Ok(())
}

/// The required columns, by normalised name and the legacy CSV spelling shown in errors.
const REQUIRED: [(&str, &str); 6] = [
    ("bill_payer_account_id", "bill/PayerAccountId"),
    ("line_item_usage_account_id", "lineItem/UsageAccountId"),
    (
        "bill_billing_period_start_date",
        "bill/BillingPeriodStartDate",
    ),
    ("line_item_line_item_type", "lineItem/LineItemType"),
    ("line_item_product_code", "lineItem/ProductCode"),
    ("line_item_unblended_cost", "lineItem/UnblendedCost"),
];

impl ColumnMap {
    /// Locates the columns of a header given in its original spelling.
    pub fn from_header(path: &Path, header: &[String]) -> Result<Self, CurError> {
        if super::cube::is_cube_header(header) {
            return super::cube::column_map(path, header);
        }
        if super::focus::is_focus_header(header) {
            return super::focus::column_map(path, header);
        }
        let names: Vec<String> = header.iter().map(|h| normalize_name(h)).collect();
        let find = |n: &str| names.iter().position(|x| x == n);
        // Named as the file spells its columns: CUR 2.0 (Data Exports) in snake_case.
        let snake = super::cur2::is_cur2_header(header);
        let missing: Vec<String> = REQUIRED
            .iter()
            .filter(|(n, _)| find(n).is_none())
            .map(|(n, shown)| if snake { *n } else { *shown }.to_string())
            .collect();
        if missing.len() == REQUIRED.len() {
            return Err(CurError::NotCostData {
                path: path.to_path_buf(),
                reason: "none of the Cost and Usage Report columns (bill/PayerAccountId, \
                         lineItem/UnblendedCost, ...) is in its header"
                    .into(),
            });
        }
        if !missing.is_empty() {
            return Err(CurError::MissingColumns {
                path: path.to_path_buf(),
                columns: missing,
            });
        }
        check_duplicates(path, header, &names)?;
        // The required columns were all found just above.
        let req = |n: &str| find(n).unwrap_or(usize::MAX);
        let mut labels = Vec::new();
        for (i, (raw, norm)) in header.iter().zip(&names).enumerate() {
            let label = if let Some(k) = raw.strip_prefix("resourceTags/") {
                Some((LabelKind::Tag, k.to_string()))
            } else if let Some(k) = raw.strip_prefix("costCategory/") {
                Some((LabelKind::CostCategory, k.to_string()))
            } else if let Some(k) = norm.strip_prefix("resource_tags_") {
                Some((LabelKind::Tag, k.to_string()))
            } else {
                norm.strip_prefix("cost_category_")
                    .map(|k| (LabelKind::CostCategory, k.to_string()))
            };
            if let Some((kind, key)) = label.filter(|(_, k)| !k.is_empty()) {
                labels.push((i, kind, key));
            }
        }
        Ok(Self {
            payer: req("bill_payer_account_id"),
            account: req("line_item_usage_account_id"),
            period_start: req("bill_billing_period_start_date"),
            line_item_type: req("line_item_line_item_type"),
            product_code: req("line_item_product_code"),
            unblended_cost: req("line_item_unblended_cost"),
            billing_entity: find("bill_billing_entity"),
            usage_type: find("line_item_usage_type"),
            operation: find("line_item_operation"),
            usage_amount: find("line_item_usage_amount"),
            unblended_rate: find("line_item_unblended_rate"),
            public_cost: find("pricing_public_on_demand_cost"),
            public_rate: find("pricing_public_on_demand_rate"),
            product_name: find("product_product_name"),
            region: find("product_region").or_else(|| find("product_region_code")),
            reservation_arn: find("reservation_reservation_a_r_n"),
            savings_plan_arn: find("savings_plan_savings_plan_a_r_n"),
            sp_effective_cost: find("savings_plan_savings_plan_effective_cost"),
            ri_effective_cost: find("reservation_effective_cost"),
            usage_start: find("line_item_usage_start_date"),
            currency: find("line_item_currency_code"),
            invoice_id: find("bill_invoice_id"),
            invoicing_entity: find("bill_invoicing_entity"),
            labels,
            label_sets: Vec::new(),
            cube: None,
            cur2: None,
            focus: None,
            names: header.to_vec(),
        })
    }

    /// The header columns that decide only what a row adds to its aggregate line (costs,
    /// amounts, rates, the usage day), never which line: the fold reads every other column
    /// it reads as part of the row's key (`fold::memo` relies on this). The unblended cost
    /// and rate decide one part of the key, the free-on-bill flag, which the memo reads per
    /// row.
    pub fn value_columns(&self) -> Vec<usize> {
        let mut v: Vec<usize> = [
            Some(self.unblended_cost),
            self.usage_amount,
            self.unblended_rate,
            self.public_cost,
            self.public_rate,
            self.sp_effective_cost,
            self.ri_effective_cost,
            self.usage_start,
        ]
        .into_iter()
        .flatten()
        .collect();
        if let Some(f) = &self.focus {
            v.extend(f.value_sources());
        }
        v
    }

    /// Every column this map reads, for readers that can project (Parquet).
    pub fn used_columns(&self) -> Vec<usize> {
        let mut v = vec![
            self.payer,
            self.account,
            self.period_start,
            self.line_item_type,
            self.product_code,
            self.unblended_cost,
        ];
        v.extend(
            [
                self.billing_entity,
                self.usage_type,
                self.operation,
                self.usage_amount,
                self.unblended_rate,
                self.public_cost,
                self.public_rate,
                self.product_name,
                self.region,
                self.reservation_arn,
                self.savings_plan_arn,
                self.sp_effective_cost,
                self.ri_effective_cost,
                self.usage_start,
                self.currency,
                self.invoice_id,
                self.invoicing_entity,
            ]
            .into_iter()
            .flatten(),
        );
        v.extend(self.labels.iter().map(|(i, _, _)| *i));
        if let Some(c) = &self.cube {
            v.extend([
                c.version,
                c.record,
                c.rows,
                c.no_public_price_rows,
                c.owner,
                c.free_on_bill,
                c.billable,
                c.tax,
            ]);
        }
        if let Some(c) = &self.cur2 {
            // Derived cells are not columns of the file: read their map columns instead.
            v.retain(|&i| i < c.base);
            v.extend(c.sources());
        }
        if let Some(f) = &self.focus {
            v.retain(|&i| i < f.base);
            v.extend(f.sources());
        }
        v.sort_unstable();
        v.dedup();
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_like_athena() {
        assert_eq!(
            normalize_name("reservation/ReservationARN"),
            "reservation_reservation_a_r_n"
        );
        assert_eq!(
            normalize_name("lineItem/UnblendedCost"),
            "line_item_unblended_cost"
        );
        assert_eq!(
            normalize_name("bill/PayerAccountId"),
            "bill_payer_account_id"
        );
        assert_eq!(normalize_name("product/servicecode"), "product_servicecode");
        assert_eq!(
            normalize_name("resourceTags/user:team"),
            "resource_tags_user_team"
        );
        assert_eq!(
            normalize_name("line_item_unblended_cost"),
            "line_item_unblended_cost"
        );
        assert_eq!(
            normalize_name("savingsPlan/SavingsPlanEffectiveCost"),
            "savings_plan_savings_plan_effective_cost"
        );
    }
}

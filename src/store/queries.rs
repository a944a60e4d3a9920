//! Reading the workspace back: deliveries, accounts and the aggregate, as exact decimals.

use super::{StoreError, Workspace, decimal};
use crate::cur::columns::LabelKind;
use crate::cur::{Label, LineItemType, LineKey, LineSums};
use crate::period::BillingPeriod;
use rusqlite::params;
use std::collections::HashMap;

pub use crate::cur::StoredLine;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRow {
    pub id: String,
    pub payer: Option<String>,
    pub name: Option<String>,
    pub email: Option<String>,
}

/// A delivery in force, as summarised at import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRow {
    pub payer: String,
    pub period: BillingPeriod,
    pub rows: u64,
    pub billable: rust_decimal::Decimal,
    pub tax: rust_decimal::Decimal,
    pub first_day: Option<String>,
    pub last_day: Option<String>,
    pub imported_at: String,
    /// ISO 4217 code of the amounts (SPEC 5).
    pub currency: String,
}

fn period_of(text: String) -> Result<BillingPeriod, StoreError> {
    text.parse().map_err(|_| StoreError::BadStoredNumber(text))
}

impl Workspace {
    pub fn deliveries(&self) -> Result<Vec<DeliveryRow>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT payer_id, period, rows, billable, tax, first_day, last_day, imported_at, currency
             FROM deliveries ORDER BY period, payer_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, String>(7)?,
                r.get::<_, String>(8)?,
            ))
        })?;
        rows.map(|row| {
            let (payer, period, n, billable, tax, first_day, last_day, imported_at, currency) =
                row?;
            Ok(DeliveryRow {
                payer,
                period: period_of(period)?,
                rows: n as u64,
                billable: decimal(&billable)?,
                tax: decimal(&tax)?,
                first_day,
                last_day,
                imported_at,
                currency,
            })
        })
        .collect()
    }

    /// The currency of each payer's delivery in a period (SPEC 5), by payer.
    pub fn currencies(
        &self,
        period: BillingPeriod,
    ) -> Result<std::collections::BTreeMap<String, String>, StoreError> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT payer_id, currency FROM deliveries WHERE period = ?1")?;
        let rows = stmt.query_map([period.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    pub fn accounts(&self) -> Result<Vec<AccountRow>, StoreError> {
        let mut stmt = self.conn().prepare(
            "SELECT account_id, payer_id, name, email FROM accounts ORDER BY account_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(AccountRow {
                id: r.get(0)?,
                payer: r.get(1)?,
                name: r.get(2)?,
                email: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every aggregate line of a period, for one payer or all.
    pub fn lines(
        &self,
        period: BillingPeriod,
        payer: Option<&str>,
    ) -> Result<Vec<StoredLine>, StoreError> {
        let labels = self.label_sets(period)?;
        let mut stmt = self.conn().prepare_cached(
            "SELECT payer_id, account_id, billing_entity, product_code, product_name, usage_type,
                    operation, line_item_type, region, owner_account_id, free_on_bill, label_set_id,
                    rows, usage_amount, unblended_cost, public_cost, no_public_price_rows,
                    sp_effective_cost, ri_effective_cost
             FROM cost_lines WHERE period = ?1 AND (?2 IS NULL OR payer_id = ?2)",
        )?;
        let mut rows = stmt.query(params![period.to_string(), payer])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let set: Option<i64> = r.get(11)?;
            let text = |i: usize| -> Result<String, rusqlite::Error> { r.get(i) };
            let num = |i: usize| -> Result<rust_decimal::Decimal, StoreError> {
                // Borrowed, not copied into a String: this runs five times per line.
                match r.get_ref(i)? {
                    rusqlite::types::ValueRef::Text(b) => {
                        decimal(std::str::from_utf8(b).unwrap_or(""))
                    }
                    other => Err(StoreError::BadStoredNumber(format!("{other:?}"))),
                }
            };
            out.push(StoredLine {
                key: LineKey {
                    period,
                    payer: text(0)?,
                    account: text(1)?,
                    billing_entity: text(2)?,
                    product_code: text(3)?,
                    product_name: text(4)?,
                    usage_type: text(5)?,
                    operation: text(6)?,
                    line_item_type: match r.get_ref(7)? {
                        // Borrowed: known types are parsed without a String.
                        rusqlite::types::ValueRef::Text(b) => {
                            LineItemType::parse(&String::from_utf8_lossy(b))
                        }
                        _ => LineItemType::parse(&text(7)?),
                    },
                    region: text(8)?,
                    owner: text(9)?,
                    free_on_bill: r.get(10)?,
                    labels: set
                        .and_then(|s| labels.get(&s).cloned())
                        .unwrap_or_default(),
                },
                sums: LineSums {
                    rows: r.get::<_, i64>(12)? as u64,
                    usage_amount: num(13)?,
                    unblended_cost: num(14)?,
                    public_cost: num(15)?,
                    no_public_price_rows: r.get::<_, i64>(16)? as u64,
                    sp_effective_cost: num(17)?,
                    ri_effective_cost: num(18)?,
                },
            });
        }
        Ok(out)
    }

    fn label_sets(
        &self,
        period: BillingPeriod,
    ) -> Result<HashMap<i64, std::sync::Arc<[Label]>>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT label_set_id, kind, key, value FROM label_set_items
             WHERE label_set_id IN (SELECT DISTINCT label_set_id FROM cost_lines WHERE period = ?1)
             ORDER BY label_set_id, kind, key",
        )?;
        let mut rows = stmt.query([period.to_string()])?;
        let mut out: HashMap<i64, Vec<Label>> = HashMap::new();
        while let Some(r) = rows.next()? {
            let kind: String = r.get(1)?;
            let kind = if kind == "tag" {
                LabelKind::Tag
            } else {
                LabelKind::CostCategory
            };
            out.entry(r.get(0)?).or_default().push(Label {
                kind,
                key: r.get(2)?,
                value: r.get(3)?,
            });
        }
        Ok(out.into_iter().map(|(k, v)| (k, v.into())).collect())
    }

    /// How many audit entries exist (tests and the History tab read it).
    pub fn audit_len(&self) -> Result<u64, StoreError> {
        Ok(self
            .conn()
            .query_row("SELECT count(*) FROM audit_log", [], |r| r.get::<_, i64>(0))?
            as u64)
    }
}

/// One audit log entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRow {
    pub id: i64,
    pub at: String,
    pub period: Option<String>,
    pub action: String,
    pub object: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub reason: Option<String>,
    /// The object's kind as its ARN resource type (`pricingrule`), when the entry is about one
    /// configuration object.
    pub kind: Option<String>,
    /// The object's ARN, when the entry is about one configuration object.
    pub arn: Option<String>,
}

/// Billable of one account on one usage day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DailyRow {
    pub payer: String,
    pub account: String,
    pub day: String,
    pub billable: rust_decimal::Decimal,
}

impl Workspace {
    /// The newest audit entries first.
    pub fn audit(&self, limit: usize) -> Result<Vec<AuditRow>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT audit_id, at, period, action, object, before, after, reason, kind, arn
             FROM audit_log ORDER BY audit_id DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit as i64], |r| {
            Ok(AuditRow {
                id: r.get(0)?,
                at: r.get(1)?,
                period: r.get(2)?,
                action: r.get(3)?,
                object: r.get(4)?,
                before: r.get(5)?,
                after: r.get(6)?,
                reason: r.get(7)?,
                kind: r.get(8)?,
                arn: r.get(9)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Daily billable per account of a period.
    pub fn daily(&self, period: BillingPeriod) -> Result<Vec<DailyRow>, StoreError> {
        let mut stmt = self.conn().prepare_cached(
            "SELECT payer_id, account_id, day, billable FROM daily_costs WHERE period = ?1 ORDER BY day",
        )?;
        let mut rows = stmt.query([period.to_string()])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let billable: String = r.get(3)?;
            out.push(DailyRow {
                payer: r.get(0)?,
                account: r.get(1)?,
                day: r.get(2)?,
                billable: decimal(&billable)?,
            });
        }
        Ok(out)
    }
}

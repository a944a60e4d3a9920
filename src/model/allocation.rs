//! Shared-cost allocation (issue 14 item 4): a configuration object that takes an amount (a
//! fixed amount, or the billable cost of chosen accounts, services or line item types in the
//! period) and splits it across chosen billing groups by a key, as one FEE custom line item
//! per group and period. AWS Billing Conductor has no such object (decision: proforma's own,
//! named in ABC's spirit); the engine computes it in `engine::allocate`.

use crate::period::BillingPeriod;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Where the amount to split comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum AllocationSource {
    /// A fixed amount in the period's currency.
    Fixed {
        #[serde(with = "rust_decimal::serde::str")]
        amount: Decimal,
    },
    /// The unblended (billable) cost of the period's lines that match every list given (an
    /// empty list matches anything; at least one list is required). Services match a product
    /// code exactly, or by prefix when written with a trailing `*` (`AWSSupport*`). Tax lines
    /// count only when `line_item_types` names `Tax`.
    Cost {
        #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
        accounts: BTreeSet<String>,
        #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
        services: BTreeSet<String>,
        #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
        line_item_types: BTreeSet<String>,
    },
}

impl AllocationSource {
    /// Whether a line of `account`, `service` (product code) and line item type `kind`
    /// counts in a cost source. Always false for a fixed amount.
    pub fn matches(&self, account: &str, service: &str, kind: &str, is_tax: bool) -> bool {
        match self {
            AllocationSource::Fixed { .. } => false,
            AllocationSource::Cost {
                accounts,
                services,
                line_item_types,
            } => {
                (accounts.is_empty() || accounts.contains(account))
                    && (services.is_empty() || services.iter().any(|s| service_matches(s, service)))
                    && if line_item_types.is_empty() {
                        !is_tax
                    } else {
                        line_item_types.contains(kind)
                    }
            }
        }
    }

    /// The source in words: `fixed 1200`, `cost of services AWSSupport*, types Fee`.
    pub fn describe(&self) -> String {
        match self {
            AllocationSource::Fixed { amount } => format!("fixed amount {}", amount.normalize()),
            AllocationSource::Cost {
                accounts,
                services,
                line_item_types,
            } => {
                let mut parts = Vec::new();
                let list = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join(", ");
                if !accounts.is_empty() {
                    parts.push(format!("accounts {}", list(accounts)));
                }
                if !services.is_empty() {
                    parts.push(format!("services {}", list(services)));
                }
                if !line_item_types.is_empty() {
                    parts.push(format!("line item types {}", list(line_item_types)));
                }
                format!("billable cost of {}", parts.join("; "))
            }
        }
    }
}

/// Whether `pattern` (a product code, or a prefix ending in `*`) matches `service`.
pub fn service_matches(pattern: &str, service: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => service.starts_with(prefix),
        None => pattern == service,
    }
}

/// How the amount is split across the target groups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum AllocationKey {
    /// In proportion to each group's AWS cost (billable, tax excepted, SPEC 4.5).
    AwsCost,
    /// In proportion to each group's rule-priced pro forma, before custom line items
    /// (custom line items and allocations are left out so the key cannot depend on itself).
    Proforma,
    /// In proportion to each group's billable cost of one service (product code).
    ServiceCost { service: String },
    /// In equal parts.
    Even,
    /// By the fixed weights of the targets.
    Weights,
}

impl AllocationKey {
    /// The code used in TOML and forms.
    pub fn code(&self) -> &'static str {
        match self {
            AllocationKey::AwsCost => "AWS_COST",
            AllocationKey::Proforma => "PRO_FORMA",
            AllocationKey::ServiceCost { .. } => "SERVICE_COST",
            AllocationKey::Even => "EVEN",
            AllocationKey::Weights => "WEIGHTS",
        }
    }

    /// Every code, in order.
    pub const CODES: [&'static str; 5] =
        ["AWS_COST", "PRO_FORMA", "SERVICE_COST", "EVEN", "WEIGHTS"];

    /// The key for `code` (`service` is used by `SERVICE_COST` only). Errors name the codes.
    pub fn from_code(code: &str, service: Option<&str>) -> Result<AllocationKey, super::BadCode> {
        Ok(match code {
            "AWS_COST" => AllocationKey::AwsCost,
            "PRO_FORMA" => AllocationKey::Proforma,
            "SERVICE_COST" => AllocationKey::ServiceCost {
                service: service.unwrap_or_default().to_string(),
            },
            "EVEN" => AllocationKey::Even,
            "WEIGHTS" => AllocationKey::Weights,
            _ => {
                return Err(super::BadCode {
                    value: code.to_string(),
                    expected: crate::text::one_of(&AllocationKey::CODES),
                });
            }
        })
    }

    /// The key in words, for explanations.
    pub fn describe(&self) -> String {
        match self {
            AllocationKey::AwsCost => "in proportion to AWS cost".into(),
            AllocationKey::Proforma => {
                "in proportion to pro forma (rule-priced, before custom line items)".into()
            }
            AllocationKey::ServiceCost { service } => {
                format!("in proportion to the billable cost of {service}")
            }
            AllocationKey::Even => "evenly".into(),
            AllocationKey::Weights => "by fixed weights".into(),
        }
    }
}

/// One target billing group of an allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationTarget {
    /// Billing group ARN.
    pub group: String,
    /// The group's weight (key `WEIGHTS` only): ≥ 0, and the weights' sum > 0.
    #[serde(
        default,
        with = "rust_decimal::serde::str_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub weight: Option<Decimal>,
}

/// A shared-cost allocation (see the module documentation). Each active period, every target
/// group gets one FEE custom line item (a CREDIT when the amount is negative) named after the
/// allocation; the parts add up exactly to the amount rounded to cents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostAllocation {
    pub arn: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub source: AllocationSource,
    pub key: AllocationKey,
    /// The target groups, each at most once.
    pub targets: Vec<AllocationTarget>,
    /// The service the custom line items are presented under (like a CLI's).
    #[serde(default = "super::default_presentation")]
    pub presentation_service: String,
    /// Inclusive first period.
    pub start: BillingPeriod,
    /// Exclusive end period; none: recurring.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<BillingPeriod>,
}

impl CostAllocation {
    /// Active in `p` when start <= p and (no end or p < end), like a custom line item.
    pub fn active_in(&self, p: BillingPeriod) -> bool {
        self.start <= p && self.end.is_none_or(|e| p < e)
    }

    /// The ARN of the custom line item the allocation charges to `group_arn`: the
    /// allocation's id and the group's, under the `customlineitem` resource type.
    pub fn item_arn(&self, group_arn: &str) -> String {
        let (head, id) = self.arn.rsplit_once('/').unwrap_or(("", self.arn.as_str()));
        let head = head.replace(":costallocation", ":customlineitem");
        let group_id = group_arn.rsplit('/').next().unwrap_or(group_arn);
        if head.is_empty() {
            format!("{id}-{group_id}")
        } else {
            format!("{head}/{id}-{group_id}")
        }
    }
}

//! The configuration (SPEC 2): billing groups, pricing rules and plans, custom line items and
//! custom billing views, with the validation rules of ABC and their reason codes. No IO.

mod allocation;
mod object;
mod reason;
mod validate;

pub use allocation::{
    AllocationKey, AllocationSource, AllocationTarget, CostAllocation, service_matches,
};

pub use object::{Change, Object, ObjectError};
pub use reason::{Reason, Violation, Violations};
pub use validate::{ValidationContext, validate};

use crate::period::BillingPeriod;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// ARNs of the managed, read-only plans.
pub const BASIC_PLAN_ARN: &str = "arn:aws:billingconductor::aws:pricingplan/BasicPricingPlan";
pub const PASSTHROUGH_PLAN_ARN: &str = "arn:aws:billingconductor::aws:pricingplan/Passthrough";

/// Which managed plan an ARN names, if any (`.../pricingplan/BasicPricingPlan` under any owner).
pub fn managed_plan(arn: &str) -> Option<ManagedPlan> {
    match arn.rsplit('/').next() {
        Some("BasicPricingPlan") if arn.contains("pricingplan/") || arn == "BasicPricingPlan" => {
            Some(ManagedPlan::Basic)
        }
        Some("Passthrough") if arn.contains("pricingplan/") || arn == "Passthrough" => {
            Some(ManagedPlan::Passthrough)
        }
        _ => None,
    }
}

/// Declares an enum's AWS codes once: `ALL`, `code()` (the API's spelling), `codes()` for
/// choices, `from_code`/`FromStr` (a [`BadCode`] naming the value and the codes allowed) and
/// `Display` with the code. TOML and AWS bundle readers and writers and the forms share them.
macro_rules! aws_codes {
    ($t:ident { $($v:ident = $c:literal),+ $(,)? }) => {
        impl $t {
            /// Every value, in the API's order.
            pub const ALL: &'static [$t] = &[$($t::$v),+];

            /// The AWS API's spelling (`GLOBAL`, `MARKUP`...).
            pub fn code(self) -> &'static str {
                match self {
                    $($t::$v => $c),+
                }
            }

            /// Every code, in order.
            pub fn codes() -> Vec<&'static str> {
                $t::ALL.iter().map(|x| x.code()).collect()
            }

            /// The value spelled `code` (exactly, as AWS writes it).
            pub fn from_code(code: &str) -> Result<$t, BadCode> {
                $t::ALL
                    .iter()
                    .copied()
                    .find(|x| x.code() == code)
                    .ok_or_else(|| BadCode {
                        value: code.to_string(),
                        expected: $crate::text::one_of(&$t::codes()),
                    })
            }
        }

        impl std::str::FromStr for $t {
            type Err = BadCode;

            fn from_str(text: &str) -> Result<$t, BadCode> {
                $t::from_code(text)
            }
        }

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

mod transfer;
pub use transfer::{
    BillingTransfer, TransferLevel, TransferStatus, transfer_arn, transfer_arn_ok, transfer_end,
    transfer_group_name, transfer_start,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ManagedPlan {
    Basic,
    Passthrough,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum GroupType {
    #[default]
    Standard,
    TransferBilling,
}

aws_codes!(GroupType {
    Standard = "STANDARD",
    TransferBilling = "TRANSFER_BILLING",
});

/// A value that is not one of an enum's AWS codes: `'X' is not A, B or C`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{value}' is not {expected}")]
pub struct BadCode {
    /// The text read.
    pub value: String,
    /// The codes there are, as "A, B or C".
    pub expected: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingGroup {
    pub arn: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub primary_account: String,
    pub accounts: BTreeSet<String>,
    /// Pricing plan ARN (a managed plan's ARN for BasicPricingPlan / Passthrough).
    pub plan: String,
    #[serde(default)]
    pub auto_associate: bool,
    #[serde(default)]
    pub group_type: GroupType,
    /// `TRANSFER_BILLING` groups: the ARN of the billing transfer the group prices (AWS's
    /// `AccountGrouping.ResponsibilityTransferArn`; SPEC 2.6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub responsibility_transfer_arn: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Scope {
    Global,
    Service,
    BillingEntity,
    Sku,
}

aws_codes!(Scope {
    Global = "GLOBAL",
    Service = "SERVICE",
    BillingEntity = "BILLING_ENTITY",
    Sku = "SKU",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RuleType {
    Markup,
    Discount,
    Tiering,
}

aws_codes!(RuleType {
    Markup = "MARKUP",
    Discount = "DISCOUNT",
    Tiering = "TIERING",
});

/// One slice of a custom SKU tier table: usage in `[begin, end)` costs `rate` per unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    #[serde(with = "rust_decimal::serde::str")]
    pub begin: Decimal,
    #[serde(
        default,
        with = "rust_decimal::serde::str_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub end: Option<Decimal>,
    #[serde(with = "rust_decimal::serde::str")]
    pub rate: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricingRule {
    pub arn: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    pub scope: Scope,
    #[serde(rename = "type")]
    pub rule_type: RuleType,
    /// Percentage for MARKUP and DISCOUNT.
    #[serde(
        default,
        with = "rust_decimal::serde::str_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub modifier: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billing_entity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operation: Option<String>,
    /// TIERING at GLOBAL/SERVICE scope: whether the free tier is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub free_tier: Option<bool>,
    /// TIERING at SKU scope: custom tiers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<Tier>,
}

impl PricingRule {
    /// The factor a MARKUP or DISCOUNT applies; None for TIERING.
    pub fn factor(&self) -> Option<Decimal> {
        let m = self.modifier.unwrap_or_default() / Decimal::ONE_HUNDRED;
        match self.rule_type {
            RuleType::Markup => Some(Decimal::ONE + m),
            RuleType::Discount => Some(Decimal::ONE - m),
            RuleType::Tiering => None,
        }
    }

    /// What the rule targets, for conflict checks and display: `SERVICE AmazonEC2`.
    pub fn target(&self) -> String {
        let s = |o: &Option<String>| o.clone().unwrap_or_default();
        match self.scope {
            Scope::Global => "GLOBAL".into(),
            Scope::Service => format!("SERVICE {}", s(&self.service)),
            Scope::BillingEntity => format!("BILLING_ENTITY {}", s(&self.billing_entity)),
            Scope::Sku => format!(
                "SKU {} / {} / {}",
                s(&self.service),
                s(&self.usage_type),
                s(&self.operation)
            ),
        }
    }

    pub fn is_free_tier(&self) -> bool {
        self.rule_type == RuleType::Tiering && self.scope != Scope::Sku
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricingPlan {
    pub arn: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Rule ARNs.
    #[serde(default)]
    pub rules: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ItemType {
    Fee,
    Credit,
}

aws_codes!(ItemType {
    Fee = "FEE",
    Credit = "CREDIT",
});

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Charge {
    Flat {
        #[serde(with = "rust_decimal::serde::str")]
        value: Decimal,
    },
    Percentage {
        #[serde(with = "rust_decimal::serde::str")]
        percent: Decimal,
        /// Billing group ARNs and flat custom line item ARNs.
        #[serde(default)]
        associated: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineItemFilter {
    /// `LINE_ITEM_TYPE NOT_EQUAL SAVINGS_PLAN_NEGATION`: leave Savings Plans discounts out.
    ExcludeSavingsPlanNegation,
    /// `SERVICE EQUAL|NOT_EQUAL <service code>`.
    Service { equal: bool, service: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Computation {
    #[default]
    Consolidated,
    Itemized,
}

aws_codes!(Computation {
    Consolidated = "CONSOLIDATED",
    Itemized = "ITEMIZED",
});

pub const DEFAULT_PRESENTATION_SERVICE: &str = "AWSBillingConductor";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomLineItem {
    pub arn: String,
    pub name: String,
    pub description: String,
    /// Billing group ARN.
    pub group: String,
    /// Account charged; default the group's primary account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    pub item_type: ItemType,
    pub charge: Charge,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<LineItemFilter>,
    #[serde(default)]
    pub computation: Computation,
    #[serde(default = "default_presentation")]
    pub presentation_service: String,
    pub start: BillingPeriod,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<BillingPeriod>,
    #[serde(default = "default_currency")]
    pub currency: String,
}

fn default_presentation() -> String {
    DEFAULT_PRESENTATION_SERVICE.to_string()
}

fn default_currency() -> String {
    "USD".to_string()
}

impl CustomLineItem {
    /// Active in `p` when start <= p and (no end or p < end) (SPEC 4.4).
    pub fn active_in(&self, p: BillingPeriod) -> bool {
        self.start <= p && self.end.is_none_or(|e| p < e)
    }

    pub fn sign(&self) -> Decimal {
        match self.item_type {
            ItemType::Fee => Decimal::ONE,
            ItemType::Credit => Decimal::NEGATIVE_ONE,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum ViewFilter {
    #[default]
    None,
    Accounts {
        accounts: BTreeSet<String>,
    },
    Tag {
        key: String,
        values: BTreeSet<String>,
    },
    CostCategory {
        key: String,
        values: BTreeSet<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomView {
    pub arn: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Source view ARNs: primary views (`arn:aws:billing::<payer>:billingview/primary`) or
    /// custom views.
    pub sources: Vec<String>,
    #[serde(default)]
    pub filter: ViewFilter,
}

/// The configuration in force for one billing period.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Config {
    #[serde(default)]
    pub groups: Vec<BillingGroup>,
    #[serde(default)]
    pub plans: Vec<PricingPlan>,
    #[serde(default)]
    pub rules: Vec<PricingRule>,
    #[serde(default)]
    pub items: Vec<CustomLineItem>,
    #[serde(default)]
    pub views: Vec<CustomView>,
    /// Billing transfers (SPEC 2.6).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transfers: Vec<BillingTransfer>,
    /// Shared-cost allocations (issue 14 item 4; no ABC counterpart).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allocations: Vec<CostAllocation>,
}

impl Config {
    pub fn group(&self, arn: &str) -> Option<&BillingGroup> {
        self.groups.iter().find(|g| g.arn == arn)
    }
    pub fn group_by_name_or_arn(&self, key: &str) -> Option<&BillingGroup> {
        self.groups.iter().find(|g| g.arn == key || g.name == key)
    }
    pub fn plan(&self, arn: &str) -> Option<&PricingPlan> {
        self.plans.iter().find(|p| p.arn == arn)
    }
    pub fn rule(&self, arn: &str) -> Option<&PricingRule> {
        self.rules.iter().find(|r| r.arn == arn)
    }
    pub fn item(&self, arn: &str) -> Option<&CustomLineItem> {
        self.items.iter().find(|i| i.arn == arn)
    }
    pub fn view(&self, arn: &str) -> Option<&CustomView> {
        self.views.iter().find(|v| v.arn == arn)
    }
    pub fn allocation(&self, arn: &str) -> Option<&CostAllocation> {
        self.allocations.iter().find(|a| a.arn == arn)
    }

    /// Display name of a plan ARN, including the managed plans.
    pub fn plan_name(&self, arn: &str) -> String {
        match managed_plan(arn) {
            Some(ManagedPlan::Basic) => "BasicPricingPlan".into(),
            Some(ManagedPlan::Passthrough) => "Passthrough".into(),
            None => self
                .plan(arn)
                .map_or_else(|| arn.to_string(), |p| p.name.clone()),
        }
    }

    /// Sorts every list by name, so equal configurations serialise identically.
    pub fn canonicalize(&mut self) {
        self.groups.sort_by(|a, b| a.name.cmp(&b.name));
        self.plans.sort_by(|a, b| a.name.cmp(&b.name));
        self.rules.sort_by(|a, b| a.name.cmp(&b.name));
        self.items.sort_by(|a, b| a.name.cmp(&b.name));
        self.views.sort_by(|a, b| a.name.cmp(&b.name));
        self.transfers.sort_by(|a, b| a.name.cmp(&b.name));
        self.allocations.sort_by(|a, b| a.name.cmp(&b.name));
    }
}

/// The kinds of configuration objects, as ARN resource types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    BillingGroup,
    PricingPlan,
    PricingRule,
    CustomLineItem,
    BillingView,
    BillingTransfer,
    CostAllocation,
}

impl Kind {
    /// Each kind's ARN resource type and its name in messages, declared once.
    const NAMES: [(Kind, &'static str, &'static str); 7] = [
        (Kind::BillingGroup, "billinggroup", "billing group"),
        (Kind::PricingPlan, "pricingplan", "pricing plan"),
        (Kind::PricingRule, "pricingrule", "pricing rule"),
        (Kind::CustomLineItem, "customlineitem", "custom line item"),
        (Kind::BillingView, "billingview", "billing view"),
        (Kind::BillingTransfer, "transfer", "billing transfer"),
        (Kind::CostAllocation, "costallocation", "cost allocation"),
    ];

    fn names(self) -> (&'static str, &'static str) {
        Kind::NAMES
            .iter()
            .find(|(k, ..)| *k == self)
            .map_or(("", ""), |(_, arn, label)| (*arn, *label))
    }

    /// The ARN resource type (`billinggroup`, `pricingplan`...).
    pub fn arn_type(self) -> &'static str {
        self.names().0
    }

    /// The kind as messages name it (`billing group`, `pricing plan`...).
    pub fn label(self) -> &'static str {
        self.names().1
    }

    /// Every kind, in the order configurations list them.
    pub const ALL: [Kind; 7] = [
        Kind::BillingGroup,
        Kind::PricingPlan,
        Kind::PricingRule,
        Kind::CustomLineItem,
        Kind::BillingView,
        Kind::BillingTransfer,
        Kind::CostAllocation,
    ];
}

/// A new ARN: `arn:aws:billingconductor::<payer>:<kind>/<10 alphanumerics>` (custom views:
/// `arn:aws:billing::<payer>:billingview/custom-<10 alphanumerics>`), derived from the name and
/// a salt so that generated ARNs are reproducible.
pub fn new_arn(kind: Kind, payer: &str, name: &str, salt: u64) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut h = xxhash_rust::xxh3::xxh3_64_with_seed(
        format!("{}:{name}", kind.arn_type()).as_bytes(),
        salt,
    );
    let id: String = (0..10)
        .map(|_| {
            let c = ALPHABET[(h % 62) as usize] as char;
            h /= 62;
            if h == 0 {
                h = xxhash_rust::xxh3::xxh3_64_with_seed(name.as_bytes(), salt.wrapping_add(1));
            }
            c
        })
        .collect();
    match kind {
        Kind::BillingView => format!("arn:aws:billing::{payer}:billingview/custom-{id}"),
        _ => format!("arn:aws:billingconductor::{payer}:{}/{id}", kind.arn_type()),
    }
}

/// The ARN of a payer's primary billing view.
pub fn primary_view_arn(payer: &str) -> String {
    format!("arn:aws:billing::{payer}:billingview/primary")
}

/// The payer named in a primary view ARN.
pub fn primary_view_payer(arn: &str) -> Option<&str> {
    let rest = arn.strip_prefix("arn:aws:billing::")?;
    let (payer, tail) = rest.split_once(':')?;
    (tail == "billingview/primary").then_some(payer)
}

#[cfg(test)]
mod coded_tests {
    use super::*;

    #[test]
    fn every_code_round_trips_and_unknown_codes_name_the_choices() {
        for s in Scope::ALL {
            assert_eq!(s.to_string().parse::<Scope>(), Ok(*s));
        }
        for t in RuleType::ALL {
            assert_eq!(t.code().parse::<RuleType>(), Ok(*t));
        }
        for t in GroupType::ALL {
            assert_eq!(GroupType::from_code(t.code()), Ok(*t));
        }
        for t in ItemType::ALL {
            assert_eq!(ItemType::from_code(t.code()), Ok(*t));
        }
        for t in Computation::ALL {
            assert_eq!(Computation::from_code(t.code()), Ok(*t));
        }
        assert_eq!(
            "global".parse::<Scope>().unwrap_err().to_string(),
            "'global' is not GLOBAL, SERVICE, BILLING_ENTITY or SKU"
        );
        assert_eq!(
            ItemType::from_code("FEES").unwrap_err().to_string(),
            "'FEES' is not FEE or CREDIT"
        );
        // Serde (the workspace's stored JSON) and the codes agree.
        for s in Scope::ALL {
            assert_eq!(
                serde_json::to_string(s).unwrap(),
                format!("\"{}\"", s.code())
            );
        }
        for t in GroupType::ALL {
            assert_eq!(
                serde_json::to_string(t).unwrap(),
                format!("\"{}\"", t.code())
            );
        }
    }
}

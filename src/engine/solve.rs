//! Margin targets (issue 14 item 3): "what markup on rule R gives group G a margin of X % (or a
//! pro forma of Y)?" and "what flat credit (or fee) on group G does?", solved exactly.
//!
//! Why it is exact: with everything else fixed, group G's pro forma is affine in a rule's
//! modifier percentage `m` (SPEC 4.3-4.4). Each line the rule prices (the most specific match,
//! so lines a more specific rule overrides are not among them) is `base x (1 ± m/100)`; a
//! Savings Plans negation is minus the covered usage's pro forma (affine in `m` too); a
//! percentage custom line item whose base holds a group the rule prices is `± base x p/100`;
//! custom tiers, fees and flat items do not depend on `m`. So `P(m) = P(0) + k x m` on the
//! whole range of the rule's own type (MARKUP: `m >= 0`; DISCOUNT: `0 <= m <= 100`); the
//! other piece (`m < 0`) is the opposite type, which is reported, not applied. `P(0)` and
//! `k = (P(100) - P(0)) / 100` come from the normal engine (the incremental re-pricing of
//! [`crate::engine::reprice`], which re-prices only the groups whose plan holds the rule),
//! checked at a third point. The exact solution is rounded to 2 decimals as ABC stores a
//! modifier (SPEC 2.2), and what that rounded value reaches is computed again by the engine.
//!
//! A flat item moves the group's pro forma by exactly its signed value (a new item is in no
//! percentage item's base), so the credit or fee is the difference, rounded to the cent.

use crate::cur::StoredLine;
use crate::engine::price::{GroupTotals, Pricing};
use crate::engine::reprice::{Delta, delta};
use crate::model::{
    Charge, Computation, Config, CustomLineItem, DEFAULT_PRESENTATION_SERVICE, ItemType, Kind,
    Object, RuleType, new_arn,
};
use crate::period::BillingPeriod;
use rust_decimal::{Decimal, RoundingStrategy};

/// What the group should reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A margin percentage: Margin / AWSCost x 100 (SPEC 4.5), e.g. `25` for 25 %.
    MarginPercent(Decimal),
    /// A pro forma cost (SPEC 4.5 ProformaCost), in the period's currency.
    Proforma(Decimal),
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::MarginPercent(x) => write!(f, "a margin of {} %", x.normalize()),
            Target::Proforma(y) => write!(f, "a pro forma of {}", y.normalize()),
        }
    }
}

/// What may change to reach the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lever {
    /// The modifier percentage of a MARKUP or DISCOUNT rule (by ARN), keeping its type.
    Rule(String),
    /// A new flat CREDIT custom line item on the group, active in the period only.
    Credit,
    /// A new flat FEE custom line item on the group, active in the period only.
    Fee,
}

/// Pro forma of the group as an affine function of the lever's value `v` (a rule's modifier
/// percentage, or a flat item's charge value): `at_zero + slope x v`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Affine {
    pub at_zero: Decimal,
    /// Change in pro forma per point of percentage (or per unit of currency for a flat item).
    pub slope: Decimal,
}

impl Affine {
    /// The pro forma at `v`.
    pub fn at(&self, v: Decimal) -> Decimal {
        self.at_zero + self.slope * v
    }
}

/// A target reached: the value to set and what it does.
#[derive(Debug, Clone)]
pub struct Solved {
    /// The exact solution of the affine equation (unrounded).
    pub exact: Decimal,
    /// The value to set: `exact` rounded to 2 decimals (half away from zero), the nearest
    /// value ABC can store; since the pro forma is affine in it, also the one whose pro forma
    /// is nearest the target.
    pub value: Decimal,
    /// The pro forma the group reaches at the target exactly.
    pub target_proforma: Decimal,
    pub line: Affine,
    /// The object to put (the rule with its new modifier, or the new flat item).
    pub object: Object,
    /// The configuration with `object` put.
    pub config: Config,
    /// The engine's totals per group before and after (`Config::groups` order). Groups other
    /// than the target change too when the rule sits in their plans.
    pub before: Vec<GroupTotals>,
    pub after: Vec<GroupTotals>,
}

impl Solved {
    /// Sets the currency of a solved flat item (the period's, which the lines do not carry;
    /// SPEC 2.4): the caller knows it. A rule solution is left as it is.
    pub fn set_currency(&mut self, currency: &str) {
        if let Object::Item(item) = &mut self.object {
            item.currency = currency.to_string();
            let arn = item.arn.clone();
            if let Some(i) = self.config.items.iter_mut().find(|i| i.arn == arn) {
                i.currency = currency.to_string();
            }
        }
    }

    /// Groups (indexes) whose pro forma the change moves, the target group included.
    pub fn changed_groups(&self) -> Vec<usize> {
        (0..self.after.len())
            .filter(|&g| {
                self.before.get(g).map(GroupTotals::proforma) != Some(self.after[g].proforma())
            })
            .collect()
    }
}

/// Why no value of the lever reaches the target. Messages name the rule and the group.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unreachable {
    #[error("no billing group at position {0}")]
    NoGroup(usize),
    #[error("no pricing rule {0}")]
    NoRule(String),
    #[error(
        "rule '{rule}' is a TIERING rule: it has no percentage to solve for (use a MARKUP or DISCOUNT rule, or --credit/--fee)"
    )]
    Tiering { rule: String },
    #[error(
        "rule '{rule}' is not in pricing plan '{plan}' of group '{group}': it does not touch the group (pick a rule of that plan, or --credit/--fee)"
    )]
    NotInPlan {
        rule: String,
        plan: String,
        group: String,
    },
    #[error(
        "rule '{rule}' prices none of group '{group}''s pro forma (more specific rules of the plan price its lines, or it matches none): no percentage changes the group"
    )]
    NoEffect { rule: String, group: String },
    #[error(
        "group '{group}' has no AWS cost in the period: its margin percentage is undefined (target a pro forma instead)"
    )]
    NoAwsCost { group: String },
    #[error(
        "{target} on group '{group}' needs a {} of {needed} % on rule '{rule}', which is negative: no {} reaches it ({})",
        .kind.code(), .kind.code(), negative_hint(*.kind, *.needed)
    )]
    Negative {
        target: String,
        group: String,
        rule: String,
        /// The rule's type (MARKUP or DISCOUNT).
        kind: RuleType,
        needed: Decimal,
    },
    #[error(
        "{target} on group '{group}' needs a DISCOUNT of {needed} % on rule '{rule}': a discount above 100 % is not allowed (ILLEGAL_MODIFIER_PERCENTAGE)"
    )]
    DiscountOver100 {
        target: String,
        group: String,
        rule: String,
        needed: Decimal,
    },
    #[error(
        "{target} on group '{group}' needs a flat {kind} of {needed}, which is negative: use --{other} instead"
    )]
    WrongItemType {
        target: String,
        group: String,
        kind: &'static str,
        other: &'static str,
        needed: Decimal,
    },
    #[error(
        "{target} on group '{group}' needs a flat {kind} of {needed}: above the 1,000,000 a custom line item can charge"
    )]
    ItemTooLarge {
        target: String,
        group: String,
        kind: &'static str,
        needed: Decimal,
    },
    #[error(
        "{target} on group '{group}' needs a {kind} of {needed} % on rule '{rule}': above the {} % proforma accepts",
        MAX_PERCENT
    )]
    PercentTooLarge {
        target: String,
        group: String,
        rule: String,
        kind: &'static str,
        needed: String,
    },
    #[error("{target} on group '{group}' is beyond the range of exact decimals")]
    OutOfRange { target: String, group: String },
    #[error(
        "the pro forma of group '{group}' is not affine in rule '{rule}''s percentage (decimal precision exhausted): {detail}"
    )]
    NotAffine {
        group: String,
        rule: String,
        detail: String,
    },
}

/// What a negative solution means for the opposite type: a MARKUP of -m is a DISCOUNT of m,
/// which exists only up to 100 %; a DISCOUNT of -m is a MARKUP of m.
fn negative_hint(kind: RuleType, needed: Decimal) -> String {
    let m = -needed;
    match kind {
        RuleType::Discount => format!("a MARKUP of {m} % would"),
        _ if m <= Decimal::ONE_HUNDRED => format!("a DISCOUNT of {m} % would"),
        _ => format!("not even a DISCOUNT: it would take {m} %, above 100"),
    }
}

/// The flat charge a custom line item may carry at most (SPEC 2.4).
const MAX_FLAT: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

/// The largest modifier percentage a solution may set (a factor of 10,001): far above any
/// real price list, and small enough that the engine's exact decimals cannot overflow.
pub const MAX_PERCENT: Decimal = Decimal::from_parts(1_000_000, 0, 0, false, 0);

/// Rounds half away from zero to 2 decimals (SPEC 2.2 for percentages, SPEC 5 for money).
fn round2(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// The pro forma `target` asks of a group with these totals, or why it has none.
fn target_proforma(t: &GroupTotals, target: Target, group: &str) -> Result<Decimal, Unreachable> {
    match target {
        Target::Proforma(y) => Ok(y),
        Target::MarginPercent(x) => {
            if t.aws_cost.is_zero() {
                return Err(Unreachable::NoAwsCost {
                    group: group.to_string(),
                });
            }
            // Checked: a target beyond decimal range reaches nothing rather than panicking.
            t.aws_cost
                .checked_mul(x)
                .and_then(|m| m.checked_div(Decimal::ONE_HUNDRED))
                .and_then(|m| m.checked_add(t.aws_cost))
                .ok_or_else(|| Unreachable::OutOfRange {
                    target: target.to_string(),
                    group: group.to_string(),
                })
        }
    }
}

/// The state `pricing` (priced from `lines` under `config`) re-priced under `new`: only the
/// groups the change can touch are priced again.
fn evaluate(pricing: &Pricing, config: &Config, new: &Config, lines: &[StoredLine]) -> Delta {
    delta(pricing, config, new, lines)
}

/// `config` with rule `i`'s modifier set to `m`.
fn with_modifier(config: &Config, i: usize, m: Decimal) -> Config {
    let mut c = config.clone();
    c.rules[i].modifier = Some(m);
    c
}

/// Solves a margin or pro forma target for group `g` (position in `config.groups`) of the
/// state `pricing`, computed from `lines` under `config`.
///
/// # Errors
/// [`Unreachable`] when no value of the lever reaches the target, saying why.
pub fn solve(
    pricing: &Pricing,
    config: &Config,
    lines: &[StoredLine],
    g: usize,
    lever: &Lever,
    target: Target,
) -> Result<Solved, Unreachable> {
    let group = config.groups.get(g).ok_or(Unreachable::NoGroup(g))?;
    let now = pricing.groups.get(g).ok_or(Unreachable::NoGroup(g))?;
    let want = target_proforma(now, target, &group.name)?;
    match lever {
        Lever::Rule(arn) => solve_rule(pricing, config, lines, g, arn, target, want),
        Lever::Credit | Lever::Fee => {
            let item_type = if *lever == Lever::Credit {
                ItemType::Credit
            } else {
                ItemType::Fee
            };
            solve_flat(pricing, config, lines, g, item_type, target, want)
        }
    }
}

fn solve_rule(
    pricing: &Pricing,
    config: &Config,
    lines: &[StoredLine],
    g: usize,
    arn: &str,
    target: Target,
    want: Decimal,
) -> Result<Solved, Unreachable> {
    let group = &config.groups[g];
    let i = config
        .rules
        .iter()
        .position(|r| r.arn == arn || r.name == arn)
        .ok_or_else(|| Unreachable::NoRule(arn.to_string()))?;
    let rule = &config.rules[i];
    if rule.rule_type == RuleType::Tiering {
        return Err(Unreachable::Tiering {
            rule: rule.name.clone(),
        });
    }
    let in_plan = config
        .plan(&group.plan)
        .is_some_and(|p| p.rules.contains(&rule.arn));
    if !in_plan {
        return Err(Unreachable::NotInPlan {
            rule: rule.name.clone(),
            plan: config.plan_name(&group.plan),
            group: group.name.clone(),
        });
    }
    let at = |m: Decimal| evaluate(pricing, config, &with_modifier(config, i, m), lines);
    let p0 = at(Decimal::ZERO).groups[g].proforma();
    let p100 = at(Decimal::ONE_HUNDRED).groups[g].proforma();
    let slope = (p100 - p0) / Decimal::ONE_HUNDRED;
    let line = Affine { at_zero: p0, slope };
    if slope.is_zero() {
        return Err(Unreachable::NoEffect {
            rule: rule.name.clone(),
            group: group.name.clone(),
        });
    }
    // A third point proves the engine is affine here (it is by SPEC 4.3-4.4; this catches a
    // lost digit of precision rather than trusting it).
    let p50 = at(Decimal::from(50)).groups[g].proforma();
    let tolerance = Decimal::new(1, 12);
    if (p50 - line.at(Decimal::from(50))).abs() > tolerance {
        return Err(Unreachable::NotAffine {
            group: group.name.clone(),
            rule: rule.name.clone(),
            detail: format!("P(0) = {p0}, P(50) = {p50}, P(100) = {p100}"),
        });
    }
    let kind = rule.rule_type.code();
    let too_large = |needed: String| Unreachable::PercentTooLarge {
        target: target.to_string(),
        group: group.name.clone(),
        rule: rule.name.clone(),
        kind,
        needed,
    };
    let exact = want
        .checked_sub(p0)
        .and_then(|d| d.checked_div(slope))
        .ok_or_else(|| too_large("more than decimals hold".into()))?;
    let value = round2(exact);
    if value.is_sign_negative() && !value.is_zero() {
        return Err(Unreachable::Negative {
            target: target.to_string(),
            group: group.name.clone(),
            rule: rule.name.clone(),
            kind: rule.rule_type,
            needed: value,
        });
    }
    let value = value.abs().normalize();
    if value > MAX_PERCENT {
        return Err(too_large(value.to_string()));
    }
    if rule.rule_type == RuleType::Discount && value > Decimal::ONE_HUNDRED {
        return Err(Unreachable::DiscountOver100 {
            target: target.to_string(),
            group: group.name.clone(),
            rule: rule.name.clone(),
            needed: value,
        });
    }
    let new = with_modifier(config, i, value);
    let after = at(value).groups;
    Ok(Solved {
        exact,
        value,
        target_proforma: want,
        line,
        object: Object::Rule(new.rules[i].clone()),
        config: new,
        before: pricing.groups.clone(),
        after,
    })
}

/// The payer in a billing group's ARN (`arn:aws:billingconductor::<payer>:billinggroup/..`).
fn payer_of(arn: &str) -> &str {
    arn.strip_prefix("arn:aws:billingconductor::")
        .and_then(|rest| rest.split(':').next())
        .filter(|p| !p.is_empty())
        .unwrap_or("000000000000")
}

/// A custom line item name not used yet: `<base>`, `<base>-2`, ...
fn free_item_name(config: &Config, base: &str) -> String {
    let taken = |n: &str| config.items.iter().any(|i| i.name == n);
    if !taken(base) {
        return base.to_string();
    }
    (2..)
        .map(|k| format!("{base}-{k}"))
        .find(|n| !taken(n))
        .unwrap_or_else(|| base.to_string())
}

/// The custom line item names keep to `[a-zA-Z0-9_+=.\-@]` (SPEC 2).
fn name_part(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_+=.-@".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(80)
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn solve_flat(
    pricing: &Pricing,
    config: &Config,
    lines: &[StoredLine],
    g: usize,
    item_type: ItemType,
    target: Target,
    want: Decimal,
) -> Result<Solved, Unreachable> {
    let group = &config.groups[g];
    let now = pricing.groups[g].proforma();
    let (sign, kind, other) = match item_type {
        ItemType::Credit => (Decimal::NEGATIVE_ONE, "credit", "fee"),
        ItemType::Fee => (Decimal::ONE, "fee", "credit"),
    };
    let line = Affine {
        at_zero: now,
        slope: sign,
    };
    let exact = want
        .checked_sub(now)
        .map(|d| d * sign)
        .ok_or_else(|| Unreachable::OutOfRange {
            target: target.to_string(),
            group: group.name.clone(),
        })?;
    let value = round2(exact);
    if value.is_sign_negative() && !value.is_zero() {
        return Err(Unreachable::WrongItemType {
            target: target.to_string(),
            group: group.name.clone(),
            kind,
            other,
            needed: value,
        });
    }
    let value = value.abs().normalize();
    if value > MAX_FLAT {
        return Err(Unreachable::ItemTooLarge {
            target: target.to_string(),
            group: group.name.clone(),
            kind,
            needed: value,
        });
    }
    let period: BillingPeriod = pricing.period;
    let name = free_item_name(
        config,
        &format!("{}-{}-{}", name_part(&group.name), kind, period),
    );
    let payer = payer_of(&group.arn);
    let mut salt = config.items.len() as u64;
    let mut arn = new_arn(Kind::CustomLineItem, payer, &name, salt);
    while config.items.iter().any(|i| i.arn == arn) {
        salt += 1;
        arn = new_arn(Kind::CustomLineItem, payer, &name, salt);
    }
    let item = CustomLineItem {
        arn,
        name,
        description: format!("Flat {kind} solved for {target} in {period}"),
        group: group.arn.clone(),
        account: None,
        item_type,
        charge: Charge::Flat { value },
        filter: None,
        computation: Computation::Consolidated,
        presentation_service: DEFAULT_PRESENTATION_SERVICE.to_string(),
        start: period,
        end: Some(period.next()),
        currency: "USD".to_string(),
    };
    let mut new = config.clone();
    new.put(Object::Item(item.clone()));
    let after = evaluate(pricing, config, &new, lines).groups;
    Ok(Solved {
        exact,
        value,
        target_proforma: want,
        line,
        object: Object::Item(item),
        config: new,
        before: pricing.groups.clone(),
        after,
    })
}

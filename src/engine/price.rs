//! The pro forma computation (SPEC 4): which rows belong to which group, the base amount of
//! each row, the one rule that prices it, custom tiers, Savings Plans negation pairing, custom
//! line items and the totals. Every line keeps how its number was made, for explanations.

use crate::cur::StoredLine;
use crate::cur::{LineItemType, LineKey, PricingClass, ProductNames};
use crate::engine::reprice::{Affected, GroupLines, LineIndex};
use crate::model::{
    Config, CustomLineItem, GroupType, LineItemFilter, ManagedPlan, RuleType, Scope, Tier,
    managed_plan,
};
use crate::period::BillingPeriod;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::sync::Arc;

/// How a line's base amount was chosen (SPEC 4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Basis {
    /// Public on-demand cost (or usage x public rate, or the unblended fallback).
    PublicCost,
    /// Free on the bill, but a TIERING rule turned the free tier off: public cost.
    FreeTierOff,
    /// The unblended cost stands (fees, RI owned in the group, unknown types).
    Unblended,
    /// Free on the bill and the free tier is on for it: stays 0.
    FreeTierKept,
    /// Priced through the SKU's custom tiers.
    CustomTiers,
    /// Minus the pro forma of the covered usage it negates (owner in the group).
    Negation,
    /// Left out of pro forma, with the reason.
    Excluded(Exclusion),
    /// Plan Passthrough: pro forma equals billable.
    Passthrough,
    /// The account is in no billing group: billable only.
    Unmonitored,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exclusion {
    Tax,
    Credit,
    Refund,
    Discount,
    SupportFee,
    /// Savings Plans negation whose plan is owned outside the group.
    NegationOwnerOutside,
}

impl Exclusion {
    pub fn describe(self) -> &'static str {
        match self {
            Exclusion::Tax => "tax is reported separately, never in pro forma",
            Exclusion::Credit => "credits are left out of pro forma",
            Exclusion::Refund => "refunds are left out of pro forma",
            Exclusion::Discount => "non-public discounts are left out of pro forma",
            Exclusion::SupportFee => "AWS support fees are left out of pro forma",
            Exclusion::NegationOwnerOutside => {
                "the Savings Plan is owned outside the group, so its discount does not apply"
            }
        }
    }
}

/// How one aggregate line was priced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinePrice {
    pub base: Decimal,
    pub basis: Basis,
    /// Index into `Config::rules` of the rule that priced it.
    pub rule: Option<usize>,
    pub factor: Decimal,
    pub proforma: Decimal,
}

impl LinePrice {
    fn fixed(base: Decimal, basis: Basis) -> Self {
        Self {
            base,
            basis,
            rule: None,
            factor: Decimal::ONE,
            proforma: base,
        }
    }
    fn excluded(why: Exclusion) -> Self {
        Self::fixed(Decimal::ZERO, Basis::Excluded(why))
    }
}

/// One active custom line item's amount in the period (serialized in the per-group totals
/// kept ready, `ready_totals.rs`; amounts as exact decimal text).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ItemAmount {
    /// Index into `Config::items`.
    pub item: usize,
    /// Index into `Config::groups` of the group charged.
    pub group: usize,
    pub account: String,
    /// Percentage items: the base the percentage was taken of; flat items: the charge value.
    pub base: Decimal,
    /// Signed: FEE positive, CREDIT negative.
    pub amount: Decimal,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GroupTotals {
    /// Σ unblended cost of the group's rows, tax excepted (SPEC 4.5).
    pub aws_cost: Decimal,
    /// Σ pro forma of the group's rows (rules applied, before custom line items).
    pub priced: Decimal,
    /// Σ signed amounts of the group's active custom line items.
    pub items: Decimal,
    pub tax: Decimal,
}

impl GroupTotals {
    /// Adds a line's unblended cost to AWS cost, or to tax for a `Tax` line (SPEC 4.5).
    pub fn add_cost(&mut self, t: &LineItemType, cost: Decimal) {
        let (billable, tax) = t.billable_and_tax(cost);
        self.aws_cost += billable;
        self.tax += tax;
    }
    pub fn proforma(&self) -> Decimal {
        self.priced + self.items
    }
    pub fn margin(&self) -> Decimal {
        self.proforma() - self.aws_cost
    }
    /// Margin / AWSCost x 100; None when AWSCost is 0 (SPEC 4.5).
    pub fn margin_percentage(&self) -> Option<Decimal> {
        (!self.aws_cost.is_zero()).then(|| self.margin() / self.aws_cost * Decimal::ONE_HUNDRED)
    }
}

/// What the engine noticed about the data (SPEC 4.2 diagnostics).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics {
    /// Rows priced at public cost that had no public price (their unblended cost was used).
    pub no_public_price_rows: u64,
    pub no_public_price_cost: Decimal,
    /// Unknown line item types: rows and unblended cost.
    pub unknown_types: BTreeMap<LineItemType, (u64, Decimal)>,
}

/// Everything computed for one period.
#[derive(Debug, Clone)]
pub struct Pricing {
    pub period: BillingPeriod,
    /// Per line (same order as the input): the group it belongs to, if any.
    pub line_group: Vec<Option<usize>>,
    pub line_price: Vec<LinePrice>,
    /// Per group, in `Config::groups` order.
    pub groups: Vec<GroupTotals>,
    pub items: Vec<ItemAmount>,
    /// Lines of accounts in no group.
    pub unmonitored: GroupTotals,
    /// The sum of `group_diagnostics`, in group order.
    pub diagnostics: Diagnostics,
    /// Per group (in `Config::groups` order): what its lines contributed to `diagnostics`, so
    /// that re-pricing some groups keeps the others' share.
    pub group_diagnostics: Vec<Diagnostics>,
    /// The product name of each service code in the period, for lines and custom line items
    /// that carry only the code (reports group by product name through it).
    pub product_names: ProductNames,
    /// The lines of each (payer, usage account), built once per period's lines.
    pub index: Arc<LineIndex>,
    /// The lines of each group under this pricing's membership (and of no group).
    pub group_lines: Arc<GroupLines>,
    /// Unique per computed state: a re-pricing computed against one state
    /// ([`crate::engine::reprice::Delta`]) applies to that state only.
    pub revision: u64,
    /// The shared-cost allocations' splits and the custom line items they charge (their
    /// amounts are in `items`, after the configuration's own items).
    pub allocated: crate::engine::allocate::Allocated,
}

impl Pricing {
    /// A period whose lines are indexed but not yet priced (every line unmonitored, no groups):
    /// the base a first pricing applies to.
    pub fn unpriced(
        period: BillingPeriod,
        lines: &[StoredLine],
        product_names: ProductNames,
    ) -> Self {
        Pricing {
            period,
            line_group: vec![None; lines.len()],
            line_price: vec![LinePrice::fixed(Decimal::ZERO, Basis::Unmonitored); lines.len()],
            groups: Vec::new(),
            items: Vec::new(),
            unmonitored: GroupTotals::default(),
            diagnostics: Diagnostics::default(),
            group_diagnostics: Vec::new(),
            product_names,
            index: Arc::new(LineIndex::new(lines)),
            group_lines: Arc::new(GroupLines::default()),
            revision: crate::engine::reprice::next_revision(),
            allocated: Default::default(),
        }
    }

    /// The custom line item of an [`ItemAmount`]'s `item` index: one of `config.items` (the
    /// configuration this state was priced under), or one an allocation charged. None for an
    /// index this state does not know.
    pub fn item<'a>(&'a self, config: &'a Config, n: usize) -> Option<&'a CustomLineItem> {
        config.items.get(n).or_else(|| {
            n.checked_sub(config.items.len())
                .and_then(|k| self.allocated.items.get(k))
        })
    }
}

/// Account -> group for the period (SPEC 2.1, 2.6, 3: membership is per period).
///
/// Billing transfers (SPEC 2.6): the `TRANSFER_BILLING` group of a transfer in force takes
/// every account of its source payer, and at level 1 also every account of the sources that
/// transfer to that source (level 2): this computation is the bill-transfer account's that
/// pays AWS. The groups of level-2 transfers belong to the downstream seller's computation
/// ([`crate::engine::transfer`]) and take nothing here; a transfer's group takes nothing in a
/// month the transfer is not in force. A `TRANSFER_BILLING` group that names no transfer (and
/// that no transfer claims) takes its primary's payer, as before transfers existed.
pub struct Membership<'a> {
    explicit: FxHashMap<&'a str, usize>,
    transfer_payers: FxHashMap<&'a str, usize>,
    auto: Option<usize>,
}

impl<'a> Membership<'a> {
    pub fn new(config: &'a Config, period: BillingPeriod) -> Self {
        let mut explicit = FxHashMap::default();
        let mut transfer_payers = FxHashMap::default();
        let mut auto = None;
        let levels = config.transfer_levels(period);
        // Groups that price a transfer (in force or not): their accounts come from it.
        let claimed: rustc_hash::FxHashSet<usize> = config
            .transfers
            .iter()
            .filter_map(|t| config.transfer_group(t))
            .collect();
        for (i, g) in config.groups.iter().enumerate() {
            let by_transfer = g.group_type == GroupType::TransferBilling
                && (g.responsibility_transfer_arn.is_some() || claimed.contains(&i));
            if !by_transfer {
                for a in &g.accounts {
                    explicit.entry(a.as_str()).or_insert(i);
                }
                if g.group_type == GroupType::TransferBilling {
                    transfer_payers.insert(g.primary_account.as_str(), i);
                }
            }
            if g.auto_associate && auto.is_none() {
                auto = Some(i);
            }
        }
        for lv in &levels {
            let source = config.transfers[lv.transfer].source_account.as_str();
            let group = match lv.upstream {
                None => lv.group,
                Some(up) => levels
                    .iter()
                    .find(|u| u.transfer == up)
                    .and_then(|u| u.group),
            };
            if let Some(g) = group {
                transfer_payers.insert(source, g);
            }
        }
        Self {
            explicit,
            transfer_payers,
            auto,
        }
    }

    pub fn group_of(&self, payer: &str, account: &str) -> Option<usize> {
        self.explicit
            .get(account)
            .or_else(|| self.transfer_payers.get(payer))
            .copied()
            .or(self.auto)
    }
}

/// A plan's rules, indexed by what they target.
pub(crate) struct CompiledPlan<'c> {
    managed: Option<ManagedPlan>,
    global: Option<usize>,
    global_free: Option<bool>,
    service: FxHashMap<&'c str, usize>,
    service_free: FxHashMap<&'c str, bool>,
    entity: FxHashMap<&'c str, usize>,
    sku: FxHashMap<(&'c str, &'c str, &'c str), usize>,
    sku_tiers: FxHashMap<(&'c str, &'c str, &'c str), usize>,
}

impl<'c> CompiledPlan<'c> {
    /// `rules`: `Config::rules` positions by ARN (see [`rule_positions`]).
    pub(crate) fn new(config: &'c Config, rules: &FxHashMap<&str, usize>, plan_arn: &str) -> Self {
        let mut p = CompiledPlan {
            managed: managed_plan(plan_arn),
            global: None,
            global_free: None,
            service: FxHashMap::default(),
            service_free: FxHashMap::default(),
            entity: FxHashMap::default(),
            sku: FxHashMap::default(),
            sku_tiers: FxHashMap::default(),
        };
        let Some(plan) = config.plan(plan_arn) else {
            return p;
        };
        for arn in &plan.rules {
            let Some(&i) = rules.get(arn.as_str()) else {
                continue;
            };
            let r = &config.rules[i];
            let s = |o: &'c Option<String>| o.as_deref().unwrap_or("");
            match (r.scope, r.rule_type) {
                (Scope::Global, RuleType::Tiering) => p.global_free = r.free_tier,
                (Scope::Global, _) => p.global = Some(i),
                (Scope::Service, RuleType::Tiering) => {
                    if let Some(on) = r.free_tier {
                        p.service_free.insert(s(&r.service), on);
                    }
                }
                (Scope::Service, _) => {
                    p.service.insert(s(&r.service), i);
                }
                (Scope::BillingEntity, RuleType::Tiering) => {}
                (Scope::BillingEntity, _) => {
                    p.entity.insert(s(&r.billing_entity), i);
                }
                (Scope::Sku, RuleType::Tiering) => {
                    p.sku_tiers
                        .insert((s(&r.service), s(&r.usage_type), s(&r.operation)), i);
                }
                (Scope::Sku, _) => {
                    p.sku
                        .insert((s(&r.service), s(&r.usage_type), s(&r.operation)), i);
                }
            }
        }
        p
    }

    /// The most specific MARKUP/DISCOUNT rule for a line: SKU > SERVICE > BILLING_ENTITY > GLOBAL.
    fn rule_for(&self, k: &LineKey) -> Option<usize> {
        self.sku
            .get(&(
                k.product_code.as_str(),
                k.usage_type.as_str(),
                k.operation.as_str(),
            ))
            .or_else(|| self.service.get(k.product_code.as_str()))
            .or_else(|| self.entity.get(k.billing_entity.as_str()))
            .copied()
            .or(self.global)
    }

    /// Whether the free tier is on for a line's service (SERVICE switch over GLOBAL; on by default).
    fn free_tier_on(&self, k: &LineKey) -> bool {
        self.service_free
            .get(k.product_code.as_str())
            .copied()
            .or(self.global_free)
            .unwrap_or(true)
    }

    fn tiers_for(&self, k: &LineKey) -> Option<usize> {
        if self.sku_tiers.is_empty() {
            return None;
        }
        self.sku_tiers
            .get(&(
                k.product_code.as_str(),
                k.usage_type.as_str(),
                k.operation.as_str(),
            ))
            .copied()
    }
}

fn is_support_fee(k: &LineKey) -> bool {
    k.product_code.starts_with("AWS") && k.product_code.contains("Support")
}

/// Graduated price of `usage` through `tiers`: each slice at its own tier's rate.
pub fn tiered_cost(tiers: &[Tier], usage: Decimal) -> Decimal {
    let mut cost = Decimal::ZERO;
    for t in tiers {
        if usage <= t.begin {
            break;
        }
        let top = t.end.map_or(usage, |e| e.min(usage));
        cost += (top - t.begin) * t.rate;
    }
    cost
}

/// Splits `total` over `weights` in proportion, exactly: the last share takes the remainder.
fn spread(total: Decimal, weights: &[Decimal]) -> Vec<Decimal> {
    let sum: Decimal = weights.iter().copied().sum();
    let mut out = Vec::with_capacity(weights.len());
    let mut given = Decimal::ZERO;
    for (i, w) in weights.iter().enumerate() {
        let share = if i + 1 == weights.len() {
            total - given
        } else if sum.is_zero() {
            Decimal::ZERO
        } else {
            (total * *w / sum).round_dp(20)
        };
        given += share;
        out.push(share);
    }
    out
}

/// `Config::rules` positions by ARN (the last of duplicates, as plans resolve them).
pub(crate) fn rule_positions(config: &Config) -> FxHashMap<&str, usize> {
    config
        .rules
        .iter()
        .enumerate()
        .map(|(i, r)| (r.arn.as_str(), i))
        .collect()
}

/// Prices every line of the period under `config` (the configuration in force for it).
pub fn price(period: BillingPeriod, lines: &[StoredLine], config: &Config) -> Pricing {
    price_named(period, lines, config, ProductNames::from_lines(lines))
}

/// [`price`] with the period's product names already known (`ProductNames::from_lines` of
/// the same `lines`): a re-price after a configuration change skips that pass.
///
/// This is the incremental re-pricing ([`crate::engine::reprice`]) of every group, from a
/// state where nothing is priced: one code path for a first pricing and an edit.
pub fn price_named(
    period: BillingPeriod,
    lines: &[StoredLine],
    config: &Config,
    product_names: ProductNames,
) -> Pricing {
    let mut out = Pricing::unpriced(period, lines, product_names);
    let delta = crate::engine::reprice::delta_for(
        &out,
        &Config::default(),
        config,
        lines,
        Affected::everything("the period is priced for the first time"),
    );
    // The delta was computed against `out` itself, so it applies.
    out.apply(delta);
    out
}

/// One group's lines priced (SPEC 4.2-4.3), in the order of the line positions given.
pub(crate) struct PricedGroup {
    /// One per line position, same order.
    pub prices: Vec<LinePrice>,
    /// AWS cost, tax and the rule-priced pro forma (`items` is 0: custom line items come after).
    pub totals: GroupTotals,
    pub diagnostics: Diagnostics,
}

/// Prices the lines `idx` (ascending positions in `lines`) of group `g` under `plan`.
/// Everything that pairs lines (custom tiers, Savings Plans negations) pairs lines of one
/// group, so a group prices alone, and the same way whichever other groups are priced.
pub(crate) fn price_group(
    g: usize,
    idx: &[usize],
    lines: &[StoredLine],
    config: &Config,
    plan: &CompiledPlan<'_>,
    members: &Membership<'_>,
) -> PricedGroup {
    let mut pass = GroupPass::new(g);
    let mut prices: Vec<LinePrice> = Vec::with_capacity(idx.len());
    for (pos, &i) in idx.iter().enumerate() {
        prices.push(pass.line(pos, &lines[i], config, plan, members));
    }
    pass.finish(config, |pos| &lines[idx[pos]], &mut prices);
    let mut totals = pass.totals;
    for p in &prices {
        totals.priced += p.proforma;
    }
    PricedGroup {
        prices,
        totals,
        diagnostics: pass.diagnostics,
    }
}

/// Every line of the period priced: what [`price_group`] gives group by group (it is what
/// runs, the groups shared among the cores, since a group prices alone), placed in line
/// order. Lines of no group are unmonitored. Returns per line its group and price, and per
/// group its totals and diagnostics.
pub(crate) fn price_every_line(
    lines: &[StoredLine],
    config: &Config,
    plans: &[&CompiledPlan<'_>],
    members: &Membership<'_>,
    group_lines: &GroupLines,
) -> (
    Vec<Option<usize>>,
    Vec<LinePrice>,
    Vec<GroupTotals>,
    Vec<Diagnostics>,
) {
    use rayon::prelude::*;
    let mut line_group: Vec<Option<usize>> = vec![None; lines.len()];
    let mut prices: Vec<LinePrice> =
        vec![LinePrice::fixed(Decimal::ZERO, Basis::Unmonitored); lines.len()];
    let mut totals = Vec::with_capacity(plans.len());
    let mut diagnostics = Vec::with_capacity(plans.len());
    // A batch of groups at a time, so that the groups' own price lists never add more than
    // a fraction of the period's to the memory held.
    const BATCH: usize = 64;
    for first in (0..plans.len()).step_by(BATCH) {
        let last = (first + BATCH).min(plans.len());
        let priced: Vec<PricedGroup> = (first..last)
            .into_par_iter()
            .map(|g| price_group(g, group_lines.of(Some(g)), lines, config, plans[g], members))
            .collect();
        for (g, p) in (first..last).zip(priced) {
            for (&i, price) in group_lines.of(Some(g)).iter().zip(p.prices) {
                line_group[i] = Some(g);
                prices[i] = price;
            }
            totals.push(p.totals);
            diagnostics.push(p.diagnostics);
        }
    }
    (line_group, prices, totals, diagnostics)
}

/// (usage account, service, usage type, operation, owner): covered usage and the negations
/// that pair with it.
type CoverKey<'l> = (&'l str, &'l str, &'l str, &'l str, &'l str);

/// One group being priced line by line (in line order); a slot is where a line's price is
/// kept (its position among the group's lines, or among all lines).
struct GroupPass<'l> {
    g: usize,
    /// Usage priced through custom tiers, per rule: slots.
    tiered: FxHashMap<usize, Vec<usize>>,
    /// Pro forma of covered usage, and the negation slots that pair with it.
    covered: FxHashMap<CoverKey<'l>, Decimal>,
    negations: FxHashMap<CoverKey<'l>, Vec<usize>>,
    /// AWS cost and tax (`priced` is summed by the caller, in line order).
    totals: GroupTotals,
    diagnostics: Diagnostics,
}

impl<'l> GroupPass<'l> {
    fn new(g: usize) -> Self {
        GroupPass {
            g,
            tiered: FxHashMap::default(),
            covered: FxHashMap::default(),
            negations: FxHashMap::default(),
            totals: GroupTotals::default(),
            diagnostics: Diagnostics::default(),
        }
    }

    /// Prices one line of the group (SPEC 4.2-4.3); custom tiers and negations are filled
    /// in by [`GroupPass::finish`].
    fn line(
        &mut self,
        slot: usize,
        line: &'l StoredLine,
        config: &Config,
        plan: &CompiledPlan<'_>,
        members: &Membership<'_>,
    ) -> LinePrice {
        let g = self.g;
        let k = &line.key;
        let s = &line.sums;
        let is_tax = k.line_item_type.is_tax();
        let diagnostics = &mut self.diagnostics;
        let public = |d: &mut Diagnostics| {
            if s.no_public_price_rows > 0 {
                d.no_public_price_rows += s.no_public_price_rows;
                d.no_public_price_cost += s.unblended_cost;
            }
            s.public_cost
        };
        let ruled = |base: Decimal, basis: Basis| {
            let rule = plan.rule_for(k);
            let factor = rule
                .and_then(|r| config.rules[r].factor())
                .unwrap_or(Decimal::ONE);
            LinePrice {
                base,
                basis,
                rule,
                factor,
                proforma: base * factor,
            }
        };
        let cover_key = || -> CoverKey<'l> {
            (
                &*k.account,
                &*k.product_code,
                &*k.usage_type,
                &*k.operation,
                &*k.owner,
            )
        };
        let price = if plan.managed == Some(ManagedPlan::Passthrough) {
            if is_tax {
                LinePrice::excluded(Exclusion::Tax)
            } else {
                LinePrice::fixed(s.unblended_cost, Basis::Passthrough)
            }
        } else {
            match k.line_item_type.pricing_class() {
                PricingClass::Usage => {
                    let free_kept = k.free_on_bill && plan.free_tier_on(k);
                    match plan.tiers_for(k) {
                        Some(rule) if !free_kept => {
                            self.tiered.entry(rule).or_default().push(slot);
                            // Filled in after the pass, once the group's usage is known.
                            LinePrice {
                                base: Decimal::ZERO,
                                basis: Basis::CustomTiers,
                                rule: Some(rule),
                                factor: Decimal::ONE,
                                proforma: Decimal::ZERO,
                            }
                        }
                        _ if free_kept => LinePrice::fixed(Decimal::ZERO, Basis::FreeTierKept),
                        _ if k.free_on_bill => ruled(public(diagnostics), Basis::FreeTierOff),
                        _ => ruled(public(diagnostics), Basis::PublicCost),
                    }
                }
                PricingClass::RiCovered => {
                    if members.group_of(&k.payer, &k.owner) == Some(g) && !k.owner.is_empty() {
                        LinePrice::fixed(s.unblended_cost, Basis::Unblended)
                    } else {
                        ruled(public(diagnostics), Basis::PublicCost)
                    }
                }
                PricingClass::SpCovered => {
                    let p = ruled(public(diagnostics), Basis::PublicCost);
                    *self.covered.entry(cover_key()).or_default() += p.proforma;
                    p
                }
                PricingClass::SpNegation => {
                    if members.group_of(&k.payer, &k.owner) == Some(g) && !k.owner.is_empty() {
                        self.negations.entry(cover_key()).or_default().push(slot);
                        LinePrice::fixed(Decimal::ZERO, Basis::Negation)
                    } else {
                        LinePrice::excluded(Exclusion::NegationOwnerOutside)
                    }
                }
                PricingClass::CommitmentFee => LinePrice::fixed(s.unblended_cost, Basis::Unblended),
                PricingClass::Fee if is_support_fee(k) => {
                    LinePrice::excluded(Exclusion::SupportFee)
                }
                PricingClass::Fee => LinePrice::fixed(s.unblended_cost, Basis::Unblended),
                PricingClass::Tax => LinePrice::excluded(Exclusion::Tax),
                PricingClass::Credit => LinePrice::excluded(Exclusion::Credit),
                PricingClass::Refund => LinePrice::excluded(Exclusion::Refund),
                PricingClass::Discount => LinePrice::excluded(Exclusion::Discount),
                PricingClass::Unknown => {
                    let e = diagnostics
                        .unknown_types
                        .entry(k.line_item_type)
                        .or_default();
                    e.0 += s.rows;
                    e.1 += s.unblended_cost;
                    LinePrice::fixed(s.unblended_cost, Basis::Unblended)
                }
            }
        };
        self.totals.add_cost(&k.line_item_type, s.unblended_cost);
        price
    }

    /// Custom tiers (the group's total usage of the SKU, graduated, spread by usage amount)
    /// and negations (minus the covered usage's pro forma, spread over the negation lines),
    /// written into `prices` by slot; `line_of` gives a slot's line.
    fn finish(
        &mut self,
        config: &Config,
        line_of: impl Fn(usize) -> &'l StoredLine,
        prices: &mut [LinePrice],
    ) {
        for (rule, at) in &self.tiered {
            let weights: Vec<Decimal> = at
                .iter()
                .map(|&slot| line_of(slot).sums.usage_amount)
                .collect();
            let usage: Decimal = weights.iter().copied().sum();
            let cost = tiered_cost(&config.rules[*rule].tiers, usage);
            for (&slot, share) in at.iter().zip(spread(cost, &weights)) {
                let p = &mut prices[slot];
                p.base = share;
                p.proforma = share;
            }
        }
        for (key, at) in &self.negations {
            let total = -self.covered.get(key).copied().unwrap_or_default();
            let weights: Vec<Decimal> = at
                .iter()
                .map(|&slot| line_of(slot).sums.unblended_cost)
                .collect();
            for (&slot, share) in at.iter().zip(spread(total, &weights)) {
                let p = &mut prices[slot];
                p.base = share;
                p.proforma = share;
            }
        }
    }
}

/// AWS cost and tax of the lines `idx` of accounts in no group (billable only).
pub(crate) fn unmonitored_totals(idx: &[usize], lines: &[StoredLine]) -> GroupTotals {
    let mut t = GroupTotals::default();
    for &i in idx {
        let l = &lines[i];
        t.add_cost(&l.key.line_item_type, l.sums.unblended_cost);
    }
    t
}

impl Diagnostics {
    /// Adds another part's diagnostics to these.
    pub fn add(&mut self, other: &Diagnostics) {
        self.no_public_price_rows += other.no_public_price_rows;
        self.no_public_price_cost += other.no_public_price_cost;
        for (t, (rows, cost)) in &other.unknown_types {
            let e = self.unknown_types.entry(*t).or_default();
            e.0 += rows;
            e.1 += cost;
        }
    }
}

/// Whether a line counts in a percentage item's base under its filter.
pub fn filter_matches(filter: Option<&LineItemFilter>, k: &LineKey) -> bool {
    match filter {
        None => true,
        Some(LineItemFilter::ExcludeSavingsPlanNegation) => {
            k.line_item_type != LineItemType::SavingsPlanNegation
        }
        Some(LineItemFilter::Service { equal, service }) => (k.product_code == *service) == *equal,
    }
}

/// A group's rule-priced pro forma (SPEC 4.2-4.3, no custom line items), under a filter.
pub fn group_base(
    out: &Pricing,
    lines: &[StoredLine],
    g: usize,
    filter: Option<&LineItemFilter>,
) -> Decimal {
    if filter.is_none() {
        return out.groups[g].priced;
    }
    out.group_lines
        .of(Some(g))
        .iter()
        .filter(|&&i| filter_matches(filter, &lines[i].key))
        .map(|&i| out.line_price[i].proforma)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn tiers_are_graduated() {
        let tiers = vec![
            Tier {
                begin: d("0"),
                end: Some(d("100")),
                rate: d("0.10"),
            },
            Tier {
                begin: d("100"),
                end: Some(d("1000")),
                rate: d("0.05"),
            },
            Tier {
                begin: d("1000"),
                end: None,
                rate: d("0.01"),
            },
        ];
        assert_eq!(tiered_cost(&tiers, d("50")), d("5"));
        assert_eq!(tiered_cost(&tiers, d("100")), d("10"));
        assert_eq!(tiered_cost(&tiers, d("1500")), d("10") + d("45") + d("5"));
        assert_eq!(tiered_cost(&tiers, d("0")), d("0"));
    }

    #[test]
    fn spread_is_exact() {
        let parts = spread(d("10"), &[d("1"), d("1"), d("1")]);
        assert_eq!(parts.iter().copied().sum::<Decimal>(), d("10"));
        let parts = spread(d("-7.8"), &[d("0"), d("0")]);
        assert_eq!(parts, vec![d("0"), d("-7.8")]);
    }
}

//! Why a pro forma number is what it is (SPEC 4.5): for a group, or one attribute value of a
//! group, the lines summed by how they were priced (base, rule, factor, result), what was left
//! out and why, and each custom line item with its base. The parts add up to the number.

use super::price::{Basis, Pricing};
use super::view_report::GroupBy;
use crate::cur::StoredLine;
use crate::model::{Charge, Config, LineItemFilter};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

/// Lines priced the same way, summed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PricedPart {
    /// How the base was chosen, in words.
    pub basis: String,
    /// The rule that priced them, or why none did.
    pub rule: String,
    pub lines: u64,
    pub base: Decimal,
    pub factor: Option<Decimal>,
    pub result: Decimal,
}

/// A custom line item's share of the number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemPart {
    pub name: String,
    pub description: String,
    /// `FEE flat 10`, `CREDIT 5% of ...`.
    pub how: String,
    pub base: Decimal,
    pub amount: Decimal,
    /// Why the item counts here (billing views: the view's decision), or empty.
    pub note: String,
    /// A shared-cost allocation's part: the amount, its source, the key, and every target
    /// group's weight and share, one line each (issue 14 item 4); empty for other items.
    pub split: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    pub title: String,
    pub plan: String,
    pub aws_cost: Decimal,
    pub proforma: Decimal,
    pub parts: Vec<PricedPart>,
    /// Left out of pro forma: reason -> billable amount it had.
    pub excluded: Vec<(String, Decimal)>,
    pub items: Vec<ItemPart>,
    /// Rows that had no public price (their unblended cost stood in).
    pub no_public_price_rows: u64,
}

impl Explanation {
    /// Σ parts + Σ items: always equals `proforma`.
    pub fn sum_of_parts(&self) -> Decimal {
        self.parts.iter().map(|p| p.result).sum::<Decimal>()
            + self.items.iter().map(|i| i.amount).sum::<Decimal>()
    }
}

fn basis_text(b: Basis) -> &'static str {
    match b {
        Basis::PublicCost => "public on-demand cost",
        Basis::FreeTierOff => "public on-demand cost of free rows (the free tier is off)",
        Basis::Unblended => "unblended cost (fees, RI owned in the group, other types)",
        Basis::FreeTierKept => "free tier: free on the bill, stays free",
        Basis::CustomTiers => "custom tiers over the group's usage",
        Basis::Negation => "minus the covered usage (Savings Plan owned in the group)",
        Basis::Excluded(_) => "left out",
        Basis::Passthrough => "Passthrough: pro forma equals billable",
        Basis::Unmonitored => "unmonitored account",
    }
}

/// Explains group `g`'s pro forma, or the part of it under one attribute value.
pub fn explain(
    lines: &[StoredLine],
    pricing: &Pricing,
    config: &Config,
    g: usize,
    slice: &[(GroupBy, &str)],
) -> Explanation {
    let names = &pricing.product_names;
    let in_slice = |i: usize| {
        slice
            .iter()
            .all(|(by, v)| by.value(&lines[i].key, names) == *v)
    };
    let item_in_slice = |n: usize| {
        let a = &pricing.items[n];
        let Some(item) = pricing.item(config, a.item) else {
            return false;
        };
        slice
            .iter()
            .all(|(by, v)| by.item_value(item, &a.account, pricing.period, names) == *v)
    };
    let parts: Vec<String> = slice
        .iter()
        .map(|(by, v)| format!(", {} = {v}", by.key()))
        .collect();
    let title = format!(
        "billing group '{}'{}, {}",
        config.groups[g].name,
        parts.concat(),
        pricing.period
    );
    explain_where(
        lines,
        pricing,
        config,
        g,
        &in_slice,
        &|n| item_in_slice(n).then(String::new),
        title,
    )
}

/// Explains the part of group `g`'s pro forma made of the lines `line_in` takes (indexes into
/// `lines`) and the custom line item amounts `item_in` takes (indexes into `pricing.items`;
/// `Some(note)` takes it, with a note on why). Billing view explanations use it with the
/// view's own selection.
pub fn explain_where(
    lines: &[StoredLine],
    pricing: &Pricing,
    config: &Config,
    g: usize,
    line_in: &dyn Fn(usize) -> bool,
    item_in: &dyn Fn(usize) -> Option<String>,
    title: String,
) -> Explanation {
    let group = &config.groups[g];
    let in_slice = line_in;
    let mut parts: BTreeMap<(String, String, Option<Decimal>), PricedPart> = BTreeMap::new();
    let mut excluded: BTreeMap<String, Decimal> = BTreeMap::new();
    let (mut aws, mut no_public) = (Decimal::ZERO, 0);
    for i in (0..lines.len()).filter(|&i| pricing.line_group[i] == Some(g) && in_slice(i)) {
        let line = &lines[i];
        let p = &pricing.line_price[i];
        if !line.key.line_item_type.is_tax() {
            aws += line.sums.unblended_cost;
        }
        if let Basis::Excluded(why) = p.basis {
            *excluded
                .entry(format!("{} ({})", line.key.line_item_type, why.describe()))
                .or_default() += line.sums.unblended_cost;
            continue;
        }
        if matches!(p.basis, Basis::PublicCost | Basis::FreeTierOff) {
            no_public += line.sums.no_public_price_rows;
        }
        let rule = match (p.rule, p.basis) {
            (Some(r), _) => {
                let r = &config.rules[r];
                let how = match r.modifier {
                    Some(m) => format!("{} {}%", r.rule_type.code(), m.normalize()),
                    None => r.rule_type.code().to_string(),
                };
                format!("rule '{}' ({}, {how})", r.name, r.target())
            }
            (None, Basis::PublicCost | Basis::FreeTierOff) => {
                "no rule of the plan matches: factor 1".into()
            }
            (None, _) => "no rule applies to this kind of line".into(),
        };
        let factor = (p.rule.is_some() && p.basis != Basis::CustomTiers).then_some(p.factor);
        let key = (basis_text(p.basis).to_string(), rule.clone(), factor);
        let part = parts.entry(key).or_insert_with(|| PricedPart {
            basis: basis_text(p.basis).into(),
            rule,
            lines: 0,
            base: Decimal::ZERO,
            factor,
            result: Decimal::ZERO,
        });
        part.lines += line.sums.rows;
        part.base += p.base;
        part.result += p.proforma;
    }
    let mut items = Vec::new();
    for (n, a) in pricing
        .items
        .iter()
        .enumerate()
        .filter(|(_, a)| a.group == g)
    {
        let Some(item) = pricing.item(config, a.item) else {
            continue;
        };
        let Some(note) = item_in(n) else {
            continue;
        };
        let allocation = a
            .item
            .checked_sub(config.items.len())
            .and_then(|k| pricing.allocated.split_of(k));
        let (how, split) = match allocation {
            Some(s) => allocation_how(config, s),
            None => (item_how(config, item), Vec::new()),
        };
        items.push(ItemPart {
            name: item.name.clone(),
            description: item.description.clone(),
            how,
            base: a.base,
            amount: a.amount,
            note,
            split,
        });
    }
    let mut explanation = Explanation {
        title,
        plan: config.plan_name(&group.plan),
        aws_cost: aws,
        proforma: Decimal::ZERO,
        parts: parts.into_values().collect(),
        excluded: excluded.into_iter().collect(),
        items,
        no_public_price_rows: no_public,
    };
    explanation.proforma = explanation.sum_of_parts();
    explanation
}

/// A shared-cost allocation's part in words: `allocation 'x': billable cost of ... = 1,200.00
/// split in proportion to AWS cost`, and the split, one line per target group, with the
/// warnings after it.
fn allocation_how(
    config: &Config,
    s: &crate::engine::allocate::AllocationSplit,
) -> (String, Vec<String>) {
    let Some(a) = config.allocations.get(s.allocation) else {
        return (String::new(), Vec::new());
    };
    let how = format!(
        "allocation '{}': {} = {} (exact {}), split {}",
        a.name,
        a.source.describe(),
        crate::money::fmt_grouped(s.rounded),
        s.amount.normalize(),
        a.key.describe()
    );
    let mut split = crate::engine::allocate::describe_split(config, s);
    split.extend(s.warnings.iter().map(|w| format!("warning: {w}")));
    (how, split)
}

/// A custom line item's charge in words: `FEE flat 10`, `CREDIT 5% of group 'x'`.
pub fn item_how(config: &Config, item: &crate::model::CustomLineItem) -> String {
    match &item.charge {
        Charge::Flat { value } => {
            format!("{} flat {}", item.item_type.code(), value.normalize())
        }
        Charge::Percentage {
            percent,
            associated,
        } => {
            let names: Vec<String> = associated
                .iter()
                .map(|x| {
                    config
                        .group(x)
                        .map(|g| format!("group '{}'", g.name))
                        .or_else(|| config.item(x).map(|i| format!("item '{}'", i.name)))
                        .unwrap_or_else(|| x.clone())
                })
                .collect();
            let filter = match &item.filter {
                None => String::new(),
                Some(LineItemFilter::ExcludeSavingsPlanNegation) => {
                    ", Savings Plans negation excluded".into()
                }
                Some(LineItemFilter::Service {
                    equal: true,
                    service,
                }) => format!(", only {service}"),
                Some(LineItemFilter::Service {
                    equal: false,
                    service,
                }) => format!(", all but {service}"),
            };
            format!(
                "{} {}% of {}{filter}",
                item.item_type.code(),
                percent.normalize(),
                names.join(" + ")
            )
        }
    }
}

/// An explanation's numbers as shown: the AWS cost and pro forma of the row being explained
/// (as the table shows them), and the parts and items footed to that pro forma (SPEC 5), so
/// the shown parts add up to the shown number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShownParts {
    pub aws: Decimal,
    pub proforma: Decimal,
    /// One per `Explanation::parts`.
    pub parts: Vec<Decimal>,
    /// One per `Explanation::items`.
    pub items: Vec<Decimal>,
}

impl Explanation {
    /// The parts and items footed to `proforma` (the shown pro forma of the row explained;
    /// `aws` is its shown AWS cost).
    pub fn shown(&self, aws: Decimal, proforma: Decimal) -> ShownParts {
        let exact: Vec<Decimal> = self
            .parts
            .iter()
            .map(|p| p.result)
            .chain(self.items.iter().map(|i| i.amount))
            .collect();
        let mut shown = crate::footing::distribute(&exact, proforma);
        let items = shown.split_off(self.parts.len());
        ShownParts {
            aws,
            proforma,
            parts: shown,
            items,
        }
    }

    /// Plain-text rendering for the terminal, with its exact totals rounded.
    pub fn render(&self) -> String {
        use crate::money::round2;
        self.render_shown(&self.shown(round2(self.aws_cost), round2(self.proforma)))
    }

    /// Plain-text rendering with the numbers of the row explained as shown.
    pub fn render_shown(&self, shown: &ShownParts) -> String {
        use crate::money::fmt_grouped as m;
        let mut s = format!(
            "{}\nplan {}: AWS cost {}, pro forma {}, margin {}\n",
            self.title,
            self.plan,
            m(shown.aws),
            m(shown.proforma),
            m(shown.proforma - shown.aws)
        );
        s.push_str("\npriced lines (base x factor = result):\n");
        if self.parts.is_empty() {
            s.push_str("  none\n");
        }
        for (p, result) in self.parts.iter().zip(&shown.parts) {
            let factor = p
                .factor
                .map_or("-".to_string(), |f| f.normalize().to_string());
            // A base the factor leaves as it is shows as its (footed) result: "2,231.40 x - =
            // 2,231.39" would read as arithmetic that does not hold. Other bases are rounded
            // on their own (they have no total to foot to), so base x factor can differ from
            // the footed result by a cent (README, rounding).
            let base = if p.base == p.result {
                *result
            } else {
                crate::money::round2(p.base)
            };
            s.push_str(&format!(
                "  {:>14} x {:<6} = {:>14}  {} rows, {}; {}\n",
                m(base),
                factor,
                m(*result),
                p.lines,
                p.basis,
                p.rule
            ));
        }
        if !self.excluded.is_empty() {
            s.push_str("\nleft out of pro forma (billable amount):\n");
            for (why, amount) in &self.excluded {
                s.push_str(&format!("  {:>14}  {why}\n", m(*amount)));
            }
        }
        if !self.items.is_empty() {
            s.push_str("\ncustom line items:\n");
            for (i, amount) in self.items.iter().zip(&shown.items) {
                s.push_str(&format!(
                    "  {:>14}  '{}' ({}): {}, base {}\n",
                    m(*amount),
                    i.name,
                    // Free text: a line feed in it must not start a line that reads as part
                    // of the explanation.
                    crate::text::escape(&i.description, crate::text::Keep::Nothing),
                    i.how,
                    m(i.base)
                ));
                if !i.note.is_empty() {
                    s.push_str(&format!("  {:>14}  included: {}\n", "", i.note));
                }
                for line in &i.split {
                    s.push_str(&format!("  {:>14}    {line}\n", ""));
                }
            }
        }
        s.push_str(&format!(
            "\npro forma {} = priced lines {} + custom line items {}\n",
            m(shown.proforma),
            m(shown.parts.iter().sum()),
            m(shown.items.iter().sum())
        ));
        if self.no_public_price_rows > 0 {
            s.push_str(&format!(
                "\nnote: {} rows had no public price; their unblended cost stood in\n",
                self.no_public_price_rows
            ));
        }
        s
    }
}

/// What a billing view decides about one custom line item amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemDecision {
    /// In the view, and why.
    In(String),
    /// Left out of the view, and why.
    Out(String),
    /// Not this view's to mention (another billing group's item in a billing group view, or
    /// an item under another attribute value).
    Elsewhere,
}

/// A custom line item amount a billing view leaves out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOutItem {
    pub name: String,
    pub group: String,
    pub account: String,
    pub amount: Decimal,
    pub why: String,
}

/// Why a billing view's pro forma (or one row of it) is what it is: the billing groups whose
/// lines and custom line items are behind it, each explained, and the custom line items the
/// view leaves out. Σ groups' pro forma = the view's pro forma.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewExplanation {
    pub title: String,
    /// Billable (tax excepted) of the lines behind the row, monitored or not.
    pub billable: Decimal,
    /// The part of `billable` of accounts in no billing group (no pro forma).
    pub unmonitored_billable: Decimal,
    /// One per billing group with lines or custom line items behind the row.
    pub groups: Vec<Explanation>,
    pub left_out: Vec<LeftOutItem>,
}

impl ViewExplanation {
    /// Σ of the groups' pro forma; none when every account behind the row is unmonitored.
    pub fn proforma(&self) -> Option<Decimal> {
        (!self.groups.is_empty()).then(|| self.groups.iter().map(|g| g.proforma).sum())
    }

    /// The groups' pro forma and AWS cost footed to the row's shown numbers: `(aws, proforma)`
    /// per group, adding up to the row's shown monitored AWS cost and pro forma.
    pub fn shown_groups(&self, row: &crate::footing::ShownRow) -> Vec<(Decimal, Decimal)> {
        let aws: Vec<Decimal> = self.groups.iter().map(|g| g.aws_cost).collect();
        let pf: Vec<Decimal> = self.groups.iter().map(|g| g.proforma).collect();
        let aws = crate::footing::distribute(&aws, row.monitored_aws);
        let pf = crate::footing::distribute(&pf, row.proforma.unwrap_or_default());
        aws.into_iter().zip(pf).collect()
    }

    /// Plain-text rendering, with the row's numbers as the view report shows them. Each line
    /// reads straight across: with accounts in no billing group behind the row, the monitored
    /// accounts' billable beside their pro forma and margin, the unmonitored accounts'
    /// billable (and tax) on a line of their own, then the row's whole billable.
    pub fn render_shown(&self, row: &crate::footing::ShownRow) -> String {
        use crate::money::fmt_grouped as m;
        let mut s = format!("{}\n", self.title);
        match (row.proforma, row.margin) {
            (Some(p), Some(mg)) if row.has_unmonitored() => {
                let u = row.unmonitored();
                s.push_str(&format!(
                    "monitored accounts: billable {}, pro forma {p}, margin {mg}, tax {}\n",
                    m(row.monitored_aws),
                    m(row.monitored_tax),
                    p = m(p),
                    mg = m(mg),
                ));
                s.push_str(&format!(
                    "unmonitored accounts (billable only): billable {}, tax {}\n",
                    m(u.aws),
                    m(u.tax)
                ));
                s.push_str(&format!(
                    "total: billable {}, tax {}\n",
                    m(row.aws),
                    m(row.tax)
                ));
            }
            (Some(p), Some(mg)) => s.push_str(&format!(
                "billable {}, pro forma {}, margin {}\n",
                m(row.aws),
                m(p),
                m(mg)
            )),
            _ => s.push_str(&format!(
                "billable {}, no pro forma (no account behind it is in a billing group)\n",
                m(row.aws)
            )),
        }
        let shown = self.shown_groups(row);
        if !self.groups.is_empty() {
            s.push_str("\npro forma by billing group:\n");
            for (e, (aws, pf)) in self.groups.iter().zip(&shown) {
                s.push_str(&format!(
                    "  {:>14}  {} (AWS cost {})\n",
                    m(*pf),
                    e.title,
                    m(*aws)
                ));
            }
            s.push_str(&format!(
                "  {:>14}  = the view's pro forma\n",
                m(shown.iter().map(|(_, p)| *p).sum())
            ));
        }
        if !self.left_out.is_empty() {
            s.push_str("\ncustom line items left out of this view:\n");
            for i in &self.left_out {
                s.push_str(&format!(
                    "  {:>14}  '{}' (group {}, account {}): {}\n",
                    m(i.amount),
                    i.name,
                    i.group,
                    i.account,
                    i.why
                ));
            }
        }
        for (e, (aws, pf)) in self.groups.iter().zip(&shown) {
            s.push_str("\n── ");
            s.push_str(&e.render_shown(&e.shown(*aws, *pf)));
        }
        s
    }
}

/// Explains the pro forma of the lines `line_in` takes and the custom line item amounts
/// `item_in` decides on (a billing view, or one row of it), group by group.
pub fn explain_view(
    lines: &[StoredLine],
    pricing: &Pricing,
    config: &Config,
    line_in: &dyn Fn(usize) -> bool,
    item_in: &dyn Fn(usize) -> ItemDecision,
    title: String,
) -> ViewExplanation {
    let (mut billable, mut unmonitored) = (Decimal::ZERO, Decimal::ZERO);
    let mut has_lines = vec![false; config.groups.len()];
    for (i, line) in lines.iter().enumerate() {
        if !line_in(i) {
            continue;
        }
        let is_tax = line.key.line_item_type.is_tax();
        if !is_tax {
            billable += line.sums.unblended_cost;
        }
        match pricing.line_group[i] {
            Some(g) => has_lines[g] = true,
            None if !is_tax => unmonitored += line.sums.unblended_cost,
            None => {}
        }
    }
    let decisions: Vec<ItemDecision> = (0..pricing.items.len()).map(item_in).collect();
    let mut left_out = Vec::new();
    for (a, d) in pricing.items.iter().zip(&decisions) {
        match d {
            ItemDecision::In(_) => has_lines[a.group] = true,
            ItemDecision::Out(why) => left_out.push(LeftOutItem {
                name: pricing
                    .item(config, a.item)
                    .map_or_else(String::new, |i| i.name.clone()),
                group: config.groups[a.group].name.clone(),
                account: a.account.clone(),
                amount: a.amount,
                why: why.clone(),
            }),
            ItemDecision::Elsewhere => {}
        }
    }
    let groups = (0..config.groups.len())
        .filter(|&g| has_lines[g])
        .map(|g| {
            explain_where(
                lines,
                pricing,
                config,
                g,
                line_in,
                &|n| match &decisions[n] {
                    ItemDecision::In(why) => Some(why.clone()),
                    _ => None,
                },
                format!("billing group '{}'", config.groups[g].name),
            )
        })
        .collect();
    ViewExplanation {
        title,
        billable,
        unmonitored_billable: unmonitored,
        groups,
        left_out,
    }
}

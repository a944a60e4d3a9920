//! Why a pro forma number is what it is (SPEC 4.5): for a group, or one attribute value of a
//! group, the lines summed by how they were priced (base, rule, factor, result), what was left
//! out and why, and each custom line item with its base. The parts add up to the number.

use super::price::{Basis, Pricing};
use super::view_report::GroupBy;
use crate::model::{Charge, Config, LineItemFilter};
use crate::store::StoredLine;
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
    let group = &config.groups[g];
    let in_slice = |i: usize| slice.iter().all(|(by, v)| by.value(&lines[i].key) == *v);
    let mut parts: BTreeMap<(String, String, Option<Decimal>), PricedPart> = BTreeMap::new();
    let mut excluded: BTreeMap<String, Decimal> = BTreeMap::new();
    let (mut aws, mut no_public) = (Decimal::ZERO, 0);
    for i in (0..lines.len()).filter(|&i| pricing.line_group[i] == Some(g) && in_slice(i)) {
        let line = &lines[i];
        let p = &pricing.line_price[i];
        if line.key.line_item_type != "Tax" {
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
    for a in pricing.items.iter().filter(|a| a.group == g) {
        let item = &config.items[a.item];
        if !slice
            .iter()
            .all(|(by, v)| by.item_value(item, &a.account, pricing.period) == *v)
        {
            continue;
        }
        let how = match &item.charge {
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
        };
        items.push(ItemPart {
            name: item.name.clone(),
            description: item.description.clone(),
            how,
            base: a.base,
            amount: a.amount,
        });
    }
    let mut explanation = Explanation {
        title: {
            let parts: Vec<String> = slice
                .iter()
                .map(|(by, v)| format!(", {} = {v}", by.key()))
                .collect();
            format!(
                "billing group '{}'{}, {}",
                group.name,
                parts.concat(),
                pricing.period
            )
        },
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

impl Explanation {
    /// Plain-text rendering for the terminal.
    pub fn render(&self) -> String {
        use crate::money::fmt_grouped as m;
        let mut s = format!(
            "{}\nplan {}: AWS cost {}, pro forma {}, margin {}\n",
            self.title,
            self.plan,
            m(self.aws_cost),
            m(self.proforma),
            m(self.proforma - self.aws_cost)
        );
        s.push_str("\npriced lines (base x factor = result):\n");
        if self.parts.is_empty() {
            s.push_str("  none\n");
        }
        for p in &self.parts {
            let factor = p
                .factor
                .map_or("-".to_string(), |f| f.normalize().to_string());
            s.push_str(&format!(
                "  {:>14} x {:<6} = {:>14}  {} rows, {}; {}\n",
                m(p.base),
                factor,
                m(p.result),
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
            for i in &self.items {
                s.push_str(&format!(
                    "  {:>14}  '{}' ({}): {}, base {}\n",
                    m(i.amount),
                    i.name,
                    i.description,
                    i.how,
                    m(i.base)
                ));
            }
        }
        if self.no_public_price_rows > 0 {
            s.push_str(&format!(
                "\nnote: {} rows had no public price; their unblended cost stood in\n",
                self.no_public_price_rows
            ));
        }
        s
    }
}

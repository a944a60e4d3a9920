//! The second level of billing transfers (SPEC 2.6; AWS Billing Transfer allows two levels:
//! an end customer transfers to a downstream seller, which transfers to a distributor).
//!
//! The workspace's own computation ([`crate::engine::price`]) is the top bill-transfer
//! account's, the one that pays AWS: a level-1 transfer's group takes its source's accounts
//! and those of the sources below it, priced from AWS's billable. The downstream seller in
//! the middle pays, for each line of its own source, what the level above charges for it:
//! that line's pro forma up there. Its own transfer group prices those lines again, in a
//! computation of its own (each organisation is its own computation boundary):
//! - the billable of a line is its pro forma one level up (tax lines keep AWS's tax: tax
//!   stays with the invoicing entity);
//! - public prices stay AWS's (`BasicPricingPlan` and pricing rules start from them);
//! - `Passthrough` passes the seller's billable through, so a distributor's price reaches
//!   the end customer unchanged;
//! - custom line items of the level above stay on that level's bill (decision).

use super::Pricing;
use crate::cur::StoredLine;
use crate::model::Config;
use crate::period::BillingPeriod;

/// The downstream sellers' computation of one period: the lines of every level-2 source,
/// with the level above's pro forma as their billable, priced under the configuration in
/// which their transfers are the first level.
#[derive(Debug, Clone)]
pub struct SecondLevel {
    /// Per line of `lines`: its position in the period's lines (the top computation's).
    pub from: Vec<usize>,
    /// The level-2 sources' lines, billable replaced as above.
    pub lines: Vec<StoredLine>,
    /// The configuration without the transfers one level up (so the level-2 transfers'
    /// groups take their sources' accounts); groups, items and rules keep their positions.
    pub config: Config,
    /// `lines` priced under `config`.
    pub pricing: Pricing,
    /// Positions in `Config::groups` of the level-2 transfers' groups: the only groups this
    /// computation answers for.
    pub groups: Vec<usize>,
}

/// The second level of `period`, or None when no transfer in force is at level 2.
/// `top` is `lines` priced under `config`.
pub fn second_level(
    period: BillingPeriod,
    lines: &[StoredLine],
    config: &Config,
    top: &Pricing,
) -> Option<SecondLevel> {
    let levels = config.transfer_levels(period);
    let second: Vec<_> = levels.iter().filter(|l| l.level == 2).collect();
    if second.is_empty() {
        return None;
    }
    let sources: rustc_hash::FxHashSet<&str> = second
        .iter()
        .map(|l| config.transfers[l.transfer].source_account.as_str())
        .collect();
    let upstream: rustc_hash::FxHashSet<usize> = second.iter().filter_map(|l| l.upstream).collect();
    let mut from = Vec::new();
    let mut derived = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if !sources.contains(line.key.payer.as_str()) {
            continue;
        }
        let mut l = line.clone();
        if !l.key.line_item_type.is_tax() && top.line_group[i].is_some() {
            l.sums.unblended_cost = top.line_price[i].proforma;
        }
        from.push(i);
        derived.push(l);
    }
    let mut level_config = config.clone();
    level_config.transfers = config
        .transfers
        .iter()
        .enumerate()
        .filter(|(i, _)| !upstream.contains(i))
        .map(|(_, t)| t.clone())
        .collect();
    let pricing =
        super::price::price_named(period, &derived, &level_config, top.product_names.clone());
    Some(SecondLevel {
        from,
        lines: derived,
        config: level_config,
        pricing,
        groups: second.iter().filter_map(|l| l.group).collect(),
    })
}

//! Billing views (SPEC 2.5): which lines and custom line item amounts each view covers.
//! PRIMARY: one payer's accounts; BILLING_GROUP: one group's accounts; CUSTOM: the union of
//! its source views, narrowed by its filter (accounts, one tag key, or one cost category key).

use crate::cur::LineKey;
use crate::cur::columns::LabelKind;
use crate::model::{Config, CustomView, ViewFilter, primary_view_payer};

/// Why a custom view cannot be shown (AWS health status reasons).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ViewHealth {
    #[error(
        "billing view '{view}' is unhealthy: SOURCE_VIEW_NOT_FOUND (source {source_arn} no longer exists)"
    )]
    SourceViewNotFound { view: String, source_arn: String },
    #[error("billing view '{view}' is unhealthy: CYCLIC_DEPENDENCY (it is its own source)")]
    CyclicDependency { view: String },
}

const MAX_DEPTH: usize = 16;

fn filter_matches_line(filter: &ViewFilter, k: &LineKey) -> bool {
    let label = |kind: LabelKind, key: &str, values: &std::collections::BTreeSet<String>| {
        k.labels
            .iter()
            .any(|l| l.kind == kind && l.key == key && values.contains(l.value.as_str()))
    };
    match filter {
        ViewFilter::None => true,
        ViewFilter::Accounts { accounts } => accounts.contains(k.account.as_str()),
        ViewFilter::Tag { key, values } => label(LabelKind::Tag, key, values),
        ViewFilter::CostCategory { key, values } => label(LabelKind::CostCategory, key, values),
    }
}

/// Checks a custom view's sources exist and do not loop back to it.
pub fn health(config: &Config, view: &CustomView) -> Result<(), ViewHealth> {
    fn walk(
        config: &Config,
        root: &CustomView,
        v: &CustomView,
        depth: usize,
    ) -> Result<(), ViewHealth> {
        if depth > MAX_DEPTH {
            return Err(ViewHealth::CyclicDependency {
                view: root.name.clone(),
            });
        }
        for s in &v.sources {
            if primary_view_payer(s).is_some() {
                continue;
            }
            if *s == root.arn {
                return Err(ViewHealth::CyclicDependency {
                    view: root.name.clone(),
                });
            }
            match config.view(s) {
                Some(src) => walk(config, root, src, depth + 1)?,
                None => {
                    return Err(ViewHealth::SourceViewNotFound {
                        view: root.name.clone(),
                        source_arn: s.clone(),
                    });
                }
            }
        }
        Ok(())
    }
    walk(config, view, view, 0)
}

/// Whether a line is in a custom view (call `health` first).
pub fn custom_view_has_line(config: &Config, view: &CustomView, k: &LineKey) -> bool {
    fn inner(config: &Config, view: &CustomView, k: &LineKey, depth: usize) -> bool {
        if depth > MAX_DEPTH || !filter_matches_line(&view.filter, k) {
            return false;
        }
        view.sources.iter().any(|s| match primary_view_payer(s) {
            Some(payer) => k.payer == payer,
            None => config
                .view(s)
                .is_some_and(|src| inner(config, src, k, depth + 1)),
        })
    }
    inner(config, view, k, 0)
}

/// Whether custom line item amounts charged to `account` (of `payer`) belong in a custom view:
/// only when every filter on the way is an account filter that lets the account through
/// (items carry no tags or cost categories).
pub fn custom_view_has_account(
    config: &Config,
    view: &CustomView,
    payer: &str,
    account: &str,
) -> bool {
    custom_view_item_reason(config, view, payer, account).is_ok()
}

/// Why custom line item amounts charged to `account` (of `payer`) are in a custom view
/// (`Ok`) or left out of it (`Err`), in words. This is the decision `custom_view_has_account`
/// takes, so an explanation says exactly what the report does: an item counts when the view's
/// filter (and the filter of every custom source view on the way) is none or an account filter
/// holding its account, and one of the sources is the primary view of its payer.
pub fn custom_view_item_reason(
    config: &Config,
    view: &CustomView,
    payer: &str,
    account: &str,
) -> Result<String, String> {
    fn inner(
        config: &Config,
        view: &CustomView,
        payer: &str,
        account: &str,
        depth: usize,
    ) -> Result<String, String> {
        let name = &view.name;
        if depth > MAX_DEPTH {
            return Err(format!("view '{name}' nests its sources too deeply"));
        }
        let filter = match &view.filter {
            ViewFilter::None => format!("view '{name}' has no filter"),
            ViewFilter::Accounts { accounts } if accounts.contains(account) => {
                format!("account {account} is in the account filter of view '{name}'")
            }
            ViewFilter::Accounts { .. } => {
                return Err(format!(
                    "account {account} is not in the account filter of view '{name}'"
                ));
            }
            ViewFilter::Tag { key, .. } => {
                return Err(format!(
                    "view '{name}' filters by tag '{key}', and custom line items carry no tags"
                ));
            }
            ViewFilter::CostCategory { key, .. } => {
                return Err(format!(
                    "view '{name}' filters by cost category '{key}', and custom line items carry no cost categories"
                ));
            }
        };
        let mut misses = Vec::new();
        for s in &view.sources {
            match primary_view_payer(s) {
                Some(p) if p == payer => {
                    return Ok(format!(
                        "{filter}, and its source is the primary view of payer {payer}"
                    ));
                }
                Some(p) => misses.push(format!("the primary view of payer {p} is another payer's")),
                None => match config.view(s) {
                    Some(src) => match inner(config, src, payer, account, depth + 1) {
                        Ok(why) => return Ok(format!("{filter}; source view: {why}")),
                        Err(why) => misses.push(why),
                    },
                    None => misses.push(format!("source {s} does not exist")),
                },
            }
        }
        Err(format!(
            "no source of view '{name}' holds payer {payer}'s account {account} ({})",
            misses.join("; ")
        ))
    }
    inner(config, view, payer, account, 0)
}

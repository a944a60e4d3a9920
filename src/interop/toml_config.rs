//! The project's own configuration format: TOML, names instead of ARNs, comments allowed.
//! Every object may keep its `arn` (export writes them) so export -> import -> export is
//! identical; objects without one get a new ARN derived from their name.
//!
//! ```toml
//! [[billing_group]]
//! name = "retail"
//! primary_account = "304857112600"
//! accounts = ["304857112600", "304865032017"]
//! plan = "retail-plan"            # a plan name, or BasicPricingPlan / Passthrough
//!
//! [[pricing_plan]]
//! name = "retail-plan"
//! rules = ["markup-10", "ec2-markup"]
//!
//! [[pricing_rule]]
//! name = "markup-10"
//! scope = "GLOBAL"                # GLOBAL, SERVICE, BILLING_ENTITY, SKU
//! type = "MARKUP"                 # MARKUP, DISCOUNT, TIERING
//! percent = 10
//!
//! [[custom_line_item]]
//! name = "platform-fee"
//! description = "Platform fee"
//! group = "retail"
//! type = "FEE"                    # FEE or CREDIT
//! percent = 5                     # or: flat = 250
//! associated = ["retail"]         # groups and flat items, by name
//! filter = "exclude_savings_plan_negation"   # or { service = "AmazonEC2", match = "NOT_EQUAL" }
//! start = "2026-09"
//!
//! [[billing_view]]
//! name = "commerce"
//! sources = ["primary"]           # primary, primary:<payer id>, or custom view names
//! filter = { tag = "user:team", values = ["retail", "logistics"] }
//!
//! [[billing_transfer]]
//! name = "Company B"              # the transfer's name, shown as its views' name
//! source_account = "222222222222" # the bill source's management account
//! transfer_account = "111111111111"   # the bill-transfer account paying its invoice
//! start = "2026-10"               # or "2026-10-01"; a transfer starts on the 1st
//! end = "2026-12"                 # optional, or "2026-12-31"; it ends at the end of a month
//! status = "ACCEPTED"             # default; REQUESTED, WITHDRAWN, ... (AWS Organizations)
//! plan = "Passthrough"            # its TRANSFER_BILLING group's plan (default BasicPricingPlan)
//! [[cost_allocation]]             # shared costs split over groups (proforma's own)
//! name = "support-share"
//! cost_of = { services = ["AWSSupport*"], line_item_types = ["Fee"] }   # or: amount = 1200
//! key = "WEIGHTS"                 # AWS_COST, PRO_FORMA, SERVICE_COST, EVEN, WEIGHTS
//! groups = ["retail", "logistics"]
//! weights = { retail = 2, logistics = 1 }   # WEIGHTS only; key_service = "..." for SERVICE_COST
//! start = "2026-09"
//! ```

use super::{ConfigFileError, Problem};
use crate::model::*;
use crate::period::BillingPeriod;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
enum Num {
    Int(i64),
    Float(f64),
    Text(String),
}

/// A number with where it is in the file, so a float is read from its own text, exactly.
type SNum = toml::Spanned<Num>;

impl Num {
    fn spanned(d: Decimal) -> SNum {
        toml::Spanned::new(0..0, Num::of(d))
    }

    fn of(d: Decimal) -> Num {
        let f: f64 = d.try_into().unwrap_or(0.0);
        if d.fract().is_zero() && d.abs() < Decimal::from(1_000_000_000_000i64) {
            Num::Int(d.trunc().try_into().unwrap_or(0))
        } else if crate::money::decimal_from_f64(f).ok() == Some(d) {
            Num::Float(f)
        } else {
            Num::Text(d.normalize().to_string())
        }
    }

    /// The exact value: an integer as is, a float from its text in the file (`source`, never
    /// through f64; `_` separators allowed), a string as written. Refused, never rounded, when
    /// it cannot be held exactly.
    fn decimal(n: &SNum, source: &str) -> Result<Decimal, String> {
        match n.get_ref() {
            Num::Int(i) => Ok(Decimal::from(*i)),
            Num::Float(f) => {
                let text: String = source
                    .get(n.span())
                    .unwrap_or_default()
                    .chars()
                    .filter(|c| *c != '_')
                    .collect();
                if text.is_empty() {
                    // No text to read (a value made in memory): its shortest f64 text.
                    return super::decimal_of_f64(*f).ok_or_else(|| format!("{f} is not a number"));
                }
                super::exact_decimal(&text).map_err(|e| e.to_string())
            }
            Num::Text(s) => super::exact_decimal(s).map_err(|e| e.to_string()),
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(
        default,
        rename = "billing_group",
        skip_serializing_if = "Vec::is_empty"
    )]
    groups: Vec<Group>,
    #[serde(
        default,
        rename = "pricing_plan",
        skip_serializing_if = "Vec::is_empty"
    )]
    plans: Vec<Plan>,
    #[serde(
        default,
        rename = "pricing_rule",
        skip_serializing_if = "Vec::is_empty"
    )]
    rules: Vec<Rule>,
    #[serde(
        default,
        rename = "custom_line_item",
        skip_serializing_if = "Vec::is_empty"
    )]
    items: Vec<Item>,
    #[serde(
        default,
        rename = "billing_view",
        skip_serializing_if = "Vec::is_empty"
    )]
    views: Vec<View>,
    #[serde(
        default,
        rename = "billing_transfer",
        skip_serializing_if = "Vec::is_empty"
    )]
    transfers: Vec<Transfer>,
    #[serde(
        default,
        rename = "cost_allocation",
        skip_serializing_if = "Vec::is_empty"
    )]
    allocations: Vec<Allocation>,
}

/// A cost allocation's source of cost (`cost_of`): lines matching every list given.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CostOf {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    accounts: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    services: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    line_item_types: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Allocation {
    name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    amount: Option<SNum>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cost_of: Option<CostOf>,
    key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    key_service: Option<String>,
    groups: Vec<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    weights: BTreeMap<String, SNum>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    presentation_service: Option<String>,
    start: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    end: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    arn: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Transfer {
    name: String,
    source_account: String,
    transfer_account: String,
    start: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    end: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    /// Creates the transfer's group with this plan when no `[[billing_group]]` names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    plan: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    arn: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Group {
    name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    description: String,
    primary_account: String,
    accounts: Vec<String>,
    plan: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    auto_associate: bool,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    group_type: Option<String>,
    /// TRANSFER_BILLING groups: the billing transfer it prices, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    transfer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    arn: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Plan {
    name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    description: String,
    #[serde(default)]
    rules: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    arn: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TierRow {
    begin: SNum,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    end: Option<SNum>,
    rate: SNum,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rule {
    name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    description: String,
    scope: String,
    #[serde(rename = "type")]
    rule_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    percent: Option<SNum>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    billing_entity: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    usage_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    operation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    free_tier: Option<bool>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    tiers: Vec<TierRow>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    arn: Option<String>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum Filter {
    Named(String),
    Service {
        service: String,
        #[serde(rename = "match")]
        match_option: String,
    },
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Item {
    name: String,
    description: String,
    group: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    account: Option<String>,
    #[serde(rename = "type")]
    item_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    flat: Option<SNum>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    percent: Option<SNum>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    associated: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    filter: Option<Filter>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    computation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    presentation_service: Option<String>,
    start: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    end: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    arn: Option<String>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ViewFilterRow {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    accounts: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cost_category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    values: Option<Vec<String>>,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct View {
    name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    description: String,
    sources: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    filter: Option<ViewFilterRow>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    arn: Option<String>,
}

/// A parsed TOML configuration and where each object sits in the file.
#[derive(Debug)]
pub struct Parsed {
    pub config: Config,
    pub locations: BTreeMap<(Kind, String), String>,
}

struct Ctx<'a> {
    problems: Vec<Problem>,
    /// The file's text: floats are read from it.
    source: &'a str,
    payers: &'a BTreeSet<String>,
    /// Payer that new ARNs are made for.
    owner: String,
}

impl Ctx<'_> {
    fn push_problem(&mut self, p: Problem) {
        super::push_capped(&mut self.problems, p);
    }
    fn fail(&mut self, path: String, message: String) {
        self.push_problem(Problem {
            reason: None,
            path,
            message,
        });
    }
    fn num(&mut self, n: &SNum, path: String) -> Decimal {
        Num::decimal(n, self.source).unwrap_or_else(|e| {
            self.fail(path, e);
            Decimal::ZERO
        })
    }
    fn period(&mut self, text: &str, path: String) -> Option<BillingPeriod> {
        match text.parse() {
            Ok(p) => Some(p),
            Err(e) => {
                self.fail(path, format!("{e}"));
                None
            }
        }
    }
}

/// Reads the TOML format. `payers` are the workspace's payers (for `primary` sources and for
/// the owner of new ARNs).
pub fn parse(text: &str, payers: &BTreeSet<String>) -> Result<Parsed, ConfigFileError> {
    let file: File = toml::from_str(text).map_err(|e| {
        let at = e
            .span()
            .map(|s| line_col(text, s.start))
            .unwrap_or_else(|| "file".into());
        ConfigFileError::at(at, format!("not valid TOML: {}", e.message().trim_end()))
    })?;
    let owner = payers
        .iter()
        .next()
        .cloned()
        .unwrap_or_else(|| "000000000000".into());
    let mut c = Ctx {
        problems: Vec::new(),
        source: text,
        payers,
        owner,
    };
    let mut locations = BTreeMap::new();
    let arn = |c: &Ctx<'_>, kind: Kind, given: &Option<String>, name: &str| {
        given
            .clone()
            .unwrap_or_else(|| new_arn(kind, &c.owner, name, 0))
    };

    let rule_arns: BTreeMap<&str, String> = file
        .rules
        .iter()
        .map(|r| (r.name.as_str(), arn(&c, Kind::PricingRule, &r.arn, &r.name)))
        .collect();
    let plan_arns: BTreeMap<&str, String> = file
        .plans
        .iter()
        .map(|p| (p.name.as_str(), arn(&c, Kind::PricingPlan, &p.arn, &p.name)))
        .collect();
    let mut group_arns: BTreeMap<String, String> = file
        .groups
        .iter()
        .map(|g| (g.name.clone(), arn(&c, Kind::BillingGroup, &g.arn, &g.name)))
        .collect();
    // The groups transfers create (below), so custom line items can name them.
    // (A transfer that no group names gets its group on BasicPricingPlan, SPEC 2.6.)
    let named: std::collections::BTreeSet<&str> = file
        .groups
        .iter()
        .filter_map(|g| g.transfer.as_deref())
        .collect();
    let claims = |t: &Transfer| {
        named.contains(t.name.as_str())
            || t.arn.as_deref().is_some_and(|a| named.contains(a))
            || file.groups.iter().any(|g| {
                g.transfer.is_none()
                    && g.group_type.as_deref() == Some("TRANSFER_BILLING")
                    && g.primary_account == t.source_account
            })
    };
    for t in file
        .transfers
        .iter()
        .filter(|t| t.plan.is_some() || !claims(t))
    {
        let name = transfer_group_name(&t.name);
        let a = new_arn(Kind::BillingGroup, &t.transfer_account, &name, 0);
        group_arns.entry(name).or_insert(a);
    }
    let item_arns: BTreeMap<&str, String> = file
        .items
        .iter()
        .map(|i| {
            (
                i.name.as_str(),
                arn(&c, Kind::CustomLineItem, &i.arn, &i.name),
            )
        })
        .collect();
    let view_arns: BTreeMap<&str, String> = file
        .views
        .iter()
        .map(|v| (v.name.as_str(), arn(&c, Kind::BillingView, &v.arn, &v.name)))
        .collect();
    let mut config = Config::default();

    for (i, t) in file.transfers.iter().enumerate() {
        let path = format!("billing_transfer[{i}]");
        locations.insert((Kind::BillingTransfer, t.name.clone()), path.clone());
        let start = transfer_start(&t.start).map_err(|e| c.fail(format!("{path}.start"), e));
        let end = match t.end.as_deref().map(transfer_end) {
            None => Ok(None),
            Some(Ok(p)) => Ok(Some(p)),
            Some(Err(e)) => {
                c.fail(format!("{path}.end"), e);
                Err(())
            }
        };
        let status = match t.status.as_deref().map(TransferStatus::from_code) {
            None => Ok(TransferStatus::Accepted),
            Some(Ok(s)) => Ok(s),
            Some(Err(e)) => {
                c.fail(format!("{path}.status"), e.to_string());
                Err(())
            }
        };
        let (Ok(start), Ok(end), Ok(status)) = (start, end, status) else {
            continue;
        };
        config.transfers.push(BillingTransfer {
            arn: t
                .arn
                .clone()
                .unwrap_or_else(|| transfer_arn(&t.transfer_account, &t.source_account, &t.name)),
            name: t.name.clone(),
            source_account: t.source_account.clone(),
            transfer_account: t.transfer_account.clone(),
            start,
            end,
            status,
        });
    }
    let transfer_arns: BTreeMap<String, String> = config
        .transfers
        .iter()
        .flat_map(|t| {
            [
                (t.name.clone(), t.arn.clone()),
                (t.arn.clone(), t.arn.clone()),
            ]
        })
        .collect();

    for (i, r) in file.rules.iter().enumerate() {
        let path = format!("pricing_rule[{i}]");
        locations.insert((Kind::PricingRule, r.name.clone()), path.clone());
        let scope = match Scope::from_code(&r.scope) {
            Ok(v) => v,
            Err(e) => {
                c.fail(format!("{path}.scope"), e.to_string());
                continue;
            }
        };
        let rule_type = match RuleType::from_code(&r.rule_type) {
            Ok(v) => v,
            Err(e) => {
                c.fail(format!("{path}.type"), e.to_string());
                continue;
            }
        };
        // ABC keeps two decimals (SPEC 2.2); more are refused, never rounded.
        let modifier = r.percent.as_ref().map(|p| {
            let m = c.num(p, format!("{path}.percent"));
            super::at_most_decimals(m, 2).unwrap_or_else(|e| {
                c.push_problem(Problem {
                    reason: Some(Reason::IllegalModifierPercentage.code().into()),
                    path: format!("{path}.percent"),
                    message: e,
                });
                m
            })
        });
        let tiers = r
            .tiers
            .iter()
            .enumerate()
            .map(|(t, row)| Tier {
                begin: c.num(&row.begin, format!("{path}.tiers[{t}].begin")),
                end: row
                    .end
                    .as_ref()
                    .map(|e| c.num(e, format!("{path}.tiers[{t}].end"))),
                rate: c.num(&row.rate, format!("{path}.tiers[{t}].rate")),
            })
            .collect();
        config.rules.push(PricingRule {
            arn: rule_arns[r.name.as_str()].clone(),
            name: r.name.clone(),
            description: r.description.clone(),
            scope,
            rule_type,
            modifier,
            service: r.service.clone(),
            billing_entity: r.billing_entity.clone(),
            usage_type: r.usage_type.clone(),
            operation: r.operation.clone(),
            free_tier: r.free_tier,
            tiers,
        });
    }
    for (i, p) in file.plans.iter().enumerate() {
        let path = format!("pricing_plan[{i}]");
        locations.insert((Kind::PricingPlan, p.name.clone()), path.clone());
        let mut rules = Vec::new();
        for (j, name) in p.rules.iter().enumerate() {
            match rule_arns.get(name.as_str()) {
                Some(a) => rules.push(a.clone()),
                None => c.push_problem(Problem {
                    reason: Some(Reason::PricingrulesNotExist.code().into()),
                    path: format!("{path}.rules[{j}]"),
                    message: format!("no pricing rule named '{name}'"),
                }),
            }
        }
        config.plans.push(PricingPlan {
            arn: plan_arns[p.name.as_str()].clone(),
            name: p.name.clone(),
            description: p.description.clone(),
            rules,
        });
    }
    for (i, g) in file.groups.iter().enumerate() {
        let path = format!("billing_group[{i}]");
        locations.insert((Kind::BillingGroup, g.name.clone()), path.clone());
        let plan = match (managed_plan(&g.plan), plan_arns.get(g.plan.as_str())) {
            (Some(ManagedPlan::Basic), _) => BASIC_PLAN_ARN.to_string(),
            (Some(ManagedPlan::Passthrough), _) => PASSTHROUGH_PLAN_ARN.to_string(),
            (None, Some(a)) => a.clone(),
            (None, None) => {
                c.push_problem(Problem {
                    reason: Some(Reason::MissingPricingplan.code().into()),
                    path: format!("{path}.plan"),
                    message: format!("no pricing plan named '{}'", g.plan),
                });
                continue;
            }
        };
        let group_type = match g.group_type.as_deref().map(GroupType::from_code) {
            None => GroupType::Standard,
            Some(Ok(t)) => t,
            Some(Err(e)) => {
                c.fail(format!("{path}.type"), e.to_string());
                continue;
            }
        };
        let responsibility_transfer_arn = match g.transfer.as_deref() {
            None => None,
            Some(t) => match transfer_arns.get(t) {
                Some(arn) => Some(arn.clone()),
                None => {
                    c.fail(
                        format!("{path}.transfer"),
                        format!("no billing transfer named '{t}'"),
                    );
                    continue;
                }
            },
        };
        config.groups.push(BillingGroup {
            arn: group_arns[g.name.as_str()].clone(),
            name: g.name.clone(),
            description: g.description.clone(),
            primary_account: g.primary_account.clone(),
            accounts: g.accounts.iter().cloned().collect(),
            plan,
            auto_associate: g.auto_associate,
            group_type,
            responsibility_transfer_arn,
        });
    }
    // "Creating a transfer can create its group": a transfer with a `plan` and no group naming
    // it gets its TRANSFER_BILLING group (primary and only listed account: the source).
    for (i, t) in file.transfers.iter().enumerate() {
        let basic = "BasicPricingPlan".to_string();
        let plan_name = match &t.plan {
            Some(p) => p,
            None if !claims(t) => &basic,
            None => continue,
        };
        let path = format!("billing_transfer[{i}].plan");
        let Some(transfer) = config.transfers.iter().find(|x| x.name == t.name) else {
            continue;
        };
        if let Some(g) = config
            .groups
            .iter()
            .find(|g| g.responsibility_transfer_arn.as_deref() == Some(transfer.arn.as_str()))
        {
            c.fail(
                path,
                format!(
                    "billing group '{}' prices this transfer: set the plan there, not here",
                    g.name
                ),
            );
            continue;
        }
        let plan = match (managed_plan(plan_name), plan_arns.get(plan_name.as_str())) {
            (Some(ManagedPlan::Basic), _) => BASIC_PLAN_ARN.to_string(),
            (Some(ManagedPlan::Passthrough), _) => PASSTHROUGH_PLAN_ARN.to_string(),
            (None, Some(a)) => a.clone(),
            (None, None) => {
                c.push_problem(Problem {
                    reason: Some(Reason::MissingPricingplan.code().into()),
                    path,
                    message: format!("no pricing plan named '{plan_name}'"),
                });
                continue;
            }
        };
        let name = transfer_group_name(&transfer.name);
        if config.groups.iter().any(|g| g.name == name) {
            c.fail(
                path,
                format!(
                    "this would create billing group '{name}' for the transfer, and a group has that name: name the transfer in that group (transfer = \"{}\") or rename it",
                    transfer.name
                ),
            );
            continue;
        }
        config.groups.push(BillingGroup {
            arn: group_arns.get(&name).cloned().unwrap_or_else(|| {
                new_arn(Kind::BillingGroup, &transfer.transfer_account, &name, 0)
            }),
            name,
            description: format!("Billing transfer '{}'", transfer.name),
            primary_account: transfer.source_account.clone(),
            accounts: [transfer.source_account.clone()].into(),
            plan,
            auto_associate: false,
            group_type: GroupType::TransferBilling,
            responsibility_transfer_arn: Some(transfer.arn.clone()),
        });
    }
    for (i, it) in file.items.iter().enumerate() {
        let path = format!("custom_line_item[{i}]");
        locations.insert((Kind::CustomLineItem, it.name.clone()), path.clone());
        let Some(group) = group_arns.get(it.group.as_str()).cloned() else {
            c.push_problem(Problem {
                reason: Some(Reason::MissingBillinggroup.code().into()),
                path: format!("{path}.group"),
                message: format!("no billing group named '{}'", it.group),
            });
            continue;
        };
        let item_type = match ItemType::from_code(&it.item_type) {
            Ok(v) => v,
            Err(e) => {
                c.fail(format!("{path}.type"), e.to_string());
                continue;
            }
        };
        let charge = match (&it.flat, &it.percent) {
            (Some(f), None) => Charge::Flat {
                value: c.num(f, format!("{path}.flat")),
            },
            (None, Some(p)) => {
                let mut associated = Vec::new();
                for (j, name) in it.associated.iter().enumerate() {
                    match group_arns
                        .get(name.as_str())
                        .or_else(|| item_arns.get(name.as_str()))
                    {
                        Some(a) => associated.push(a.clone()),
                        None => c.push_problem(Problem {
                            reason: Some(Reason::IllegalResourceArns.code().into()),
                            path: format!("{path}.associated[{j}]"),
                            message: format!("no billing group or custom line item named '{name}'"),
                        }),
                    }
                }
                Charge::Percentage {
                    percent: c.num(p, format!("{path}.percent")),
                    associated,
                }
            }
            _ => {
                c.push_problem(Problem {
                    reason: Some(Reason::IllegalChargeDetails.code().into()),
                    path: path.clone(),
                    message: "exactly one of flat and percent".into(),
                });
                continue;
            }
        };
        let filter = match &it.filter {
            None => None,
            Some(Filter::Named(n)) if n == "exclude_savings_plan_negation" => {
                Some(LineItemFilter::ExcludeSavingsPlanNegation)
            }
            Some(Filter::Service {
                service,
                match_option,
            }) if match_option == "EQUAL" || match_option == "NOT_EQUAL" => {
                Some(LineItemFilter::Service {
                    equal: match_option == "EQUAL",
                    service: service.clone(),
                })
            }
            Some(_) => {
                c.push_problem(Problem {
                    reason: Some(Reason::IllegalLineItemFilter.code().into()),
                    path: format!("{path}.filter"),
                    message: "expected \"exclude_savings_plan_negation\" or { service = \"...\", match = \"EQUAL\" | \"NOT_EQUAL\" }".into(),
                });
                continue;
            }
        };
        let computation = match it.computation.as_deref().map(Computation::from_code) {
            None => Computation::Consolidated,
            Some(Ok(t)) => t,
            Some(Err(e)) => {
                c.fail(format!("{path}.computation"), e.to_string());
                continue;
            }
        };
        let Some(start) = c.period(&it.start, format!("{path}.start")) else {
            continue;
        };
        let end = match &it.end {
            Some(e) => match c.period(e, format!("{path}.end")) {
                Some(p) => Some(p),
                None => continue,
            },
            None => None,
        };
        config.items.push(CustomLineItem {
            arn: item_arns[it.name.as_str()].clone(),
            name: it.name.clone(),
            description: it.description.clone(),
            group,
            account: it.account.clone(),
            item_type,
            charge,
            filter,
            computation,
            presentation_service: it
                .presentation_service
                .clone()
                .unwrap_or_else(|| DEFAULT_PRESENTATION_SERVICE.into()),
            start,
            end,
            currency: it.currency.clone().unwrap_or_else(|| "USD".into()),
        });
    }
    for (i, v) in file.views.iter().enumerate() {
        let path = format!("billing_view[{i}]");
        locations.insert((Kind::BillingView, v.name.clone()), path.clone());
        let mut sources = Vec::new();
        for (j, s) in v.sources.iter().enumerate() {
            let resolved = match s.split_once(':') {
                // The one payer, or the one that pays AWS for the others (billing transfers).
                _ if s == "primary" => match config.paying_payers(c.payers).as_slice() {
                    [only] => Some(primary_view_arn(only)),
                    _ => None,
                },
                Some(("primary", payer)) => Some(primary_view_arn(payer)),
                _ => view_arns
                    .get(s.as_str())
                    .cloned()
                    .or_else(|| s.starts_with("arn:").then(|| s.clone())),
            };
            match resolved {
                Some(a) => sources.push(a),
                None => c.push_problem(Problem {
                    reason: Some(Reason::SourceViewNotFound.code().into()),
                    path: format!("{path}.sources[{j}]"),
                    message: format!("'{s}' is not primary, primary:<payer id> (needed when the workspace has several payers) or a custom view name"),
                }),
            }
        }
        let filter = match &v.filter {
            None => ViewFilter::None,
            Some(f) => {
                let values: BTreeSet<String> =
                    f.values.clone().unwrap_or_default().into_iter().collect();
                match (&f.accounts, &f.tag, &f.cost_category) {
                    (Some(a), None, None) if f.values.is_none() => ViewFilter::Accounts {
                        accounts: a.iter().cloned().collect(),
                    },
                    (None, Some(t), None) => ViewFilter::Tag {
                        key: t.clone(),
                        values,
                    },
                    (None, None, Some(k)) => ViewFilter::CostCategory {
                        key: k.clone(),
                        values,
                    },
                    _ => {
                        c.push_problem(Problem {
                            reason: Some(Reason::InvalidFilter.code().into()),
                            path: format!("{path}.filter"),
                            message: "one of { accounts = [...] }, { tag = \"key\", values = [...] }, { cost_category = \"key\", values = [...] }".into(),
                        });
                        continue;
                    }
                }
            }
        };
        config.views.push(CustomView {
            arn: view_arns[v.name.as_str()].clone(),
            name: v.name.clone(),
            description: v.description.clone(),
            sources,
            filter,
        });
    }
    for (i, a) in file.allocations.iter().enumerate() {
        let path = format!("cost_allocation[{i}]");
        locations.insert((Kind::CostAllocation, a.name.clone()), path.clone());
        if let Some(x) = parse_allocation(&mut c, a, &path, &group_arns) {
            config.allocations.push(x);
        }
    }
    if !c.problems.is_empty() {
        return Err(ConfigFileError {
            problems: c.problems,
        });
    }
    config.canonicalize();
    Ok(Parsed { config, locations })
}

/// One `[[cost_allocation]]` (issue 14 item 4): problems are pushed with their paths.
fn parse_allocation(
    c: &mut Ctx<'_>,
    a: &Allocation,
    path: &str,
    group_arns: &BTreeMap<String, String>,
) -> Option<CostAllocation> {
    let source = match (&a.amount, &a.cost_of) {
        (Some(n), None) => AllocationSource::Fixed {
            amount: c.num(n, format!("{path}.amount")),
        },
        (None, Some(cost)) => AllocationSource::Cost {
            accounts: cost.accounts.iter().cloned().collect(),
            services: cost.services.iter().cloned().collect(),
            line_item_types: cost.line_item_types.iter().cloned().collect(),
        },
        _ => {
            c.fail(path.to_string(), "exactly one of amount and cost_of".into());
            return None;
        }
    };
    let key = match AllocationKey::from_code(&a.key, a.key_service.as_deref()) {
        Ok(k) => k,
        Err(e) => {
            c.fail(format!("{path}.key"), e.to_string());
            return None;
        }
    };
    // A key service with another key would be ignored: say so instead.
    if a.key_service.is_some() && !matches!(key, AllocationKey::ServiceCost { .. }) {
        c.fail(
            format!("{path}.key_service"),
            format!("key_service is for key SERVICE_COST only, not {}", a.key),
        );
        return None;
    }
    let mut targets = Vec::new();
    for (j, name) in a.groups.iter().enumerate() {
        match group_arns.get(name.as_str()) {
            Some(arn) => targets.push(AllocationTarget {
                group: arn.clone(),
                weight: a
                    .weights
                    .get(name)
                    .map(|w| c.num(w, format!("{path}.weights.{name}"))),
            }),
            None => c.push_problem(Problem {
                reason: Some(Reason::MissingBillinggroup.code().into()),
                path: format!("{path}.groups[{j}]"),
                message: format!("no billing group named '{name}'"),
            }),
        }
    }
    for name in a.weights.keys() {
        if !a.groups.contains(name) {
            c.fail(
                format!("{path}.weights.{name}"),
                format!("'{name}' is not one of the allocation's groups"),
            );
        }
    }
    let start = c.period(&a.start, format!("{path}.start"))?;
    let end = match &a.end {
        Some(e) => Some(c.period(e, format!("{path}.end"))?),
        None => None,
    };
    Some(CostAllocation {
        arn: a
            .arn
            .clone()
            .unwrap_or_else(|| new_arn(Kind::CostAllocation, &c.owner, &a.name, 0)),
        name: a.name.clone(),
        description: a.description.clone(),
        source,
        key,
        targets,
        presentation_service: a
            .presentation_service
            .clone()
            .unwrap_or_else(|| DEFAULT_PRESENTATION_SERVICE.into()),
        start,
        end,
    })
}

/// A cost allocation as the TOML format writes it (groups by name).
fn export_allocation(config: &Config, a: &CostAllocation) -> Allocation {
    let name = |arn: &str| {
        config
            .group(arn)
            .map_or_else(|| arn.to_string(), |g| g.name.clone())
    };
    let (amount, cost_of) = match &a.source {
        AllocationSource::Fixed { amount } => (Some(Num::spanned(*amount)), None),
        AllocationSource::Cost {
            accounts,
            services,
            line_item_types,
        } => (
            None,
            Some(CostOf {
                accounts: accounts.iter().cloned().collect(),
                services: services.iter().cloned().collect(),
                line_item_types: line_item_types.iter().cloned().collect(),
            }),
        ),
    };
    Allocation {
        name: a.name.clone(),
        description: a.description.clone(),
        amount,
        cost_of,
        key: a.key.code().into(),
        key_service: match &a.key {
            AllocationKey::ServiceCost { service } => Some(service.clone()),
            _ => None,
        },
        groups: a.targets.iter().map(|t| name(&t.group)).collect(),
        weights: a
            .targets
            .iter()
            .filter_map(|t| t.weight.map(|w| (name(&t.group), Num::spanned(w))))
            .collect(),
        presentation_service: (a.presentation_service != DEFAULT_PRESENTATION_SERVICE)
            .then(|| a.presentation_service.clone()),
        start: a.start.to_string(),
        end: a.end.map(|e| e.to_string()),
        arn: Some(a.arn.clone()),
    }
}

fn line_col(text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("line {line}, column {col}")
}

/// Writes a configuration in the TOML format, names for references, ARNs kept.
pub fn export(config: &Config) -> String {
    let mut config = config.clone();
    config.canonicalize();
    let rule_name = |arn: &str| {
        config
            .rule(arn)
            .map_or_else(|| arn.to_string(), |r| r.name.clone())
    };
    let group_or_item_name = |arn: &str| {
        config
            .group(arn)
            .map(|g| g.name.clone())
            .or_else(|| config.item(arn).map(|i| i.name.clone()))
            .unwrap_or_else(|| arn.to_string())
    };
    let source_name = |arn: &str| match primary_view_payer(arn) {
        Some(p) => format!("primary:{p}"),
        None => config
            .view(arn)
            .map_or_else(|| arn.to_string(), |v| v.name.clone()),
    };
    let file = File {
        groups: config
            .groups
            .iter()
            .map(|g| Group {
                name: g.name.clone(),
                description: g.description.clone(),
                primary_account: g.primary_account.clone(),
                accounts: g.accounts.iter().cloned().collect(),
                plan: config.plan_name(&g.plan),
                auto_associate: g.auto_associate,
                group_type: (g.group_type == GroupType::TransferBilling)
                    .then(|| GroupType::TransferBilling.code().into()),
                transfer: g.responsibility_transfer_arn.as_ref().map(|arn| {
                    config
                        .transfers
                        .iter()
                        .find(|t| t.arn == *arn)
                        .map_or_else(|| arn.clone(), |t| t.name.clone())
                }),
                arn: Some(g.arn.clone()),
            })
            .collect(),
        plans: config
            .plans
            .iter()
            .map(|p| Plan {
                name: p.name.clone(),
                description: p.description.clone(),
                rules: p.rules.iter().map(|a| rule_name(a)).collect(),
                arn: Some(p.arn.clone()),
            })
            .collect(),
        rules: config
            .rules
            .iter()
            .map(|r| Rule {
                name: r.name.clone(),
                description: r.description.clone(),
                scope: r.scope.code().into(),
                rule_type: r.rule_type.code().into(),
                percent: r.modifier.map(Num::spanned),
                service: r.service.clone(),
                billing_entity: r.billing_entity.clone(),
                usage_type: r.usage_type.clone(),
                operation: r.operation.clone(),
                free_tier: r.free_tier,
                tiers: r
                    .tiers
                    .iter()
                    .map(|t| TierRow {
                        begin: Num::spanned(t.begin),
                        end: t.end.map(Num::spanned),
                        rate: Num::spanned(t.rate),
                    })
                    .collect(),
                arn: Some(r.arn.clone()),
            })
            .collect(),
        items: config
            .items
            .iter()
            .map(|i| {
                let (flat, percent, associated) = match &i.charge {
                    Charge::Flat { value } => (Some(Num::spanned(*value)), None, Vec::new()),
                    Charge::Percentage {
                        percent,
                        associated,
                    } => (
                        None,
                        Some(Num::spanned(*percent)),
                        associated.iter().map(|a| group_or_item_name(a)).collect(),
                    ),
                };
                Item {
                    name: i.name.clone(),
                    description: i.description.clone(),
                    group: config
                        .group(&i.group)
                        .map_or_else(|| i.group.clone(), |g| g.name.clone()),
                    account: i.account.clone(),
                    item_type: i.item_type.code().into(),
                    flat,
                    percent,
                    associated,
                    filter: i.filter.as_ref().map(|f| match f {
                        LineItemFilter::ExcludeSavingsPlanNegation => {
                            Filter::Named("exclude_savings_plan_negation".into())
                        }
                        LineItemFilter::Service { equal, service } => Filter::Service {
                            service: service.clone(),
                            match_option: if *equal { "EQUAL" } else { "NOT_EQUAL" }.into(),
                        },
                    }),
                    computation: (i.computation == Computation::Itemized)
                        .then(|| Computation::Itemized.code().into()),
                    presentation_service: (i.presentation_service != DEFAULT_PRESENTATION_SERVICE)
                        .then(|| i.presentation_service.clone()),
                    start: i.start.to_string(),
                    end: i.end.map(|e| e.to_string()),
                    currency: (i.currency != "USD").then(|| i.currency.clone()),
                    arn: Some(i.arn.clone()),
                }
            })
            .collect(),
        views: config
            .views
            .iter()
            .map(|v| View {
                name: v.name.clone(),
                description: v.description.clone(),
                sources: v.sources.iter().map(|s| source_name(s)).collect(),
                filter: match &v.filter {
                    ViewFilter::None => None,
                    ViewFilter::Accounts { accounts } => Some(ViewFilterRow {
                        accounts: Some(accounts.iter().cloned().collect()),
                        ..Default::default()
                    }),
                    ViewFilter::Tag { key, values } => Some(ViewFilterRow {
                        tag: Some(key.clone()),
                        values: Some(values.iter().cloned().collect()),
                        ..Default::default()
                    }),
                    ViewFilter::CostCategory { key, values } => Some(ViewFilterRow {
                        cost_category: Some(key.clone()),
                        values: Some(values.iter().cloned().collect()),
                        ..Default::default()
                    }),
                },
                arn: Some(v.arn.clone()),
            })
            .collect(),
        transfers: config
            .transfers
            .iter()
            .map(|t| Transfer {
                name: t.name.clone(),
                source_account: t.source_account.clone(),
                transfer_account: t.transfer_account.clone(),
                start: t.start.to_string(),
                end: t.end.map(|e| e.to_string()),
                status: (t.status != TransferStatus::Accepted).then(|| t.status.code().into()),
                plan: None,
                arn: Some(t.arn.clone()),
            })
            .collect(),
        allocations: config
            .allocations
            .iter()
            .map(|a| export_allocation(&config, a))
            .collect(),
    };
    let body = toml::to_string_pretty(&file).unwrap_or_default();
    format!(
        "# proforma configuration (import with: proforma config import WORKSPACE FILE)\n\n{body}"
    )
}

//! The AWS bundle (SPEC 6): one JSON object whose keys are the outputs of the AWS CLI list
//! commands, so a real ABC setup can be brought in with the CLI and `jq`.
//!
//! Extensions (not in ABC): a SKU TIERING rule may carry custom tiers as
//! `"Tiering": {"Tiers": [{"Begin": 0, "End": 1000, "Rate": 0.01}, ...]}`, and custom billing
//! views may come under `"BillingViews"` in the shape `aws billing get-billing-view` prints,
//! and billing transfers under `"BillingTransfers"`, a list in the shape of AWS Organizations'
//! `ResponsibilityTransfer` (`aws organizations list-inbound-responsibility-transfers`):
//! `Arn`, `Name`, `Status`, `Source.ManagementAccountId`, `Target.ManagementAccountId`,
//! `StartTimestamp`, `EndTimestamp` (ISO 8601 or seconds since the epoch).

use super::ConfigFileError;
use crate::model::*;
use crate::period::BillingPeriod;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};

/// A parsed bundle: the configuration, where each object came from, and warnings (unknown keys).
#[derive(Debug)]
pub struct Parsed {
    pub config: Config,
    pub locations: BTreeMap<(Kind, String), String>,
    pub warnings: Vec<String>,
}

const KNOWN_KEYS: [&str; 8] = [
    "BillingGroups",
    "LinkedAccounts",
    "PricingPlans",
    "PricingRules",
    "PricingPlanRules",
    "CustomLineItems",
    "BillingViews",
    "BillingTransfers",
];

struct Reader {
    problems: Vec<super::Problem>,
}

impl Reader {
    fn push_problem(&mut self, p: super::Problem) {
        super::push_capped(&mut self.problems, p);
    }

    fn fail(&mut self, path: &str, message: impl Into<String>) {
        self.push_problem(super::Problem {
            reason: Some("CANNOT_PARSE".into()),
            path: path.into(),
            message: message.into(),
        });
    }

    fn string(&mut self, o: &Map<String, Value>, key: &str, path: &str) -> Option<String> {
        match o.get(key) {
            Some(Value::String(s)) => Some(s.clone()),
            None | Some(Value::Null) => None,
            Some(_) => {
                self.fail(&format!("{path}.{key}"), "expected a string");
                None
            }
        }
    }

    fn required(&mut self, o: &Map<String, Value>, key: &str, path: &str) -> String {
        match self.string(o, key, path) {
            Some(s) => s,
            None => {
                if !o.contains_key(key) {
                    self.fail(&format!("{path}.{key}"), "is required");
                }
                String::new()
            }
        }
    }

    /// A number, exactly as written (JSON numbers are kept as text by serde_json's
    /// `arbitrary_precision`, never passed through f64), or a string holding one.
    fn number(&mut self, v: Option<&Value>, path: &str) -> Option<Decimal> {
        let text = match v {
            None | Some(Value::Null) => return None,
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::String(s)) => s.clone(),
            Some(_) => {
                self.fail(path, "expected a number");
                return None;
            }
        };
        match super::exact_decimal(&text) {
            Ok(d) => Some(d),
            Err(e) => {
                self.fail(path, e.to_string());
                None
            }
        }
    }

    fn list<'v>(
        &mut self,
        root: &'v Map<String, Value>,
        key: &str,
    ) -> Vec<(String, &'v Map<String, Value>)> {
        match root.get(key) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(i, v)| {
                    let path = format!("$.{key}[{i}]");
                    match v.as_object() {
                        Some(o) => Some((path, o)),
                        None => {
                            self.fail(&path, "expected an object");
                            None
                        }
                    }
                })
                .collect(),
            Some(_) => {
                self.fail(&format!("$.{key}"), "expected a list");
                Vec::new()
            }
        }
    }

    fn period(&mut self, o: Option<&Value>, key: &str, path: &str) -> Option<BillingPeriod> {
        let v = o?.get(key)?;
        let text = v.as_str().unwrap_or_default();
        // ABC accepts a month without its leading zero (`2026-1`).
        let normal = match text.split_once('-') {
            Some((y, m)) if m.len() == 1 => format!("{y}-0{m}"),
            _ => text.to_string(),
        };
        match normal.parse() {
            Ok(p) => Some(p),
            Err(_) => {
                self.push_problem(super::Problem {
                    reason: Some("ILLEGAL_BILLING_PERIOD".into()),
                    path: format!("{path}.{key}"),
                    message: format!("'{text}' is not a billing period (YYYY-MM)"),
                });
                None
            }
        }
    }
}

/// The enum value `text` spells (AWS's code), or a failure at `path` naming the codes.
fn enum_of<T: std::str::FromStr<Err = crate::model::BadCode>>(
    r: &mut Reader,
    text: &str,
    path: &str,
) -> Option<T> {
    match text.parse() {
        Ok(v) => Some(v),
        Err(e) => {
            r.fail(path, e.to_string());
            None
        }
    }
}

/// Reads a bundle. Custom line items without a billing period range start at `default_start`.
pub fn parse(text: &str, default_start: BillingPeriod) -> Result<Parsed, ConfigFileError> {
    let root: Value = serde_json::from_str(text).map_err(|e| {
        // serde_json ends its message with " at line L column C": say where first instead.
        let what = e.to_string();
        let what = what
            .rsplit_once(" at line ")
            .map_or(what.as_str(), |(w, _)| w)
            .to_string();
        ConfigFileError::at(
            format!("line {}, column {}", e.line(), e.column()),
            format!("not valid JSON: {what}"),
        )
    })?;
    let root = match root {
        Value::Object(o) => o,
        other => {
            let found = match other {
                Value::Array(_) => "a JSON array",
                Value::String(_) => "a JSON string",
                Value::Number(_) => "a JSON number",
                Value::Bool(_) => "a JSON boolean",
                _ => "JSON null",
            };
            return Err(ConfigFileError::at(
                "$",
                format!(
                    "{found}; an AWS bundle is one JSON object with BillingGroups, LinkedAccounts, PricingPlans, PricingRules, PricingPlanRules, CustomLineItems"
                ),
            ));
        }
    };
    let root = &root;
    let mut r = Reader {
        problems: Vec::new(),
    };
    let warnings = root
        .keys()
        .filter(|k| !KNOWN_KEYS.contains(&k.as_str()))
        .map(|k| format!("$.{k}: unknown key, ignored"))
        .collect();
    let mut config = Config::default();
    let mut locations = BTreeMap::new();

    for (path, o) in r.list(root, "BillingGroups") {
        let name = r.required(o, "Name", &path);
        let arn = r.required(o, "Arn", &path);
        let plan = o
            .get("ComputationPreference")
            .and_then(|c| c.get("PricingPlanArn"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let plan = plan.unwrap_or_else(|| {
            r.fail(
                &format!("{path}.ComputationPreference.PricingPlanArn"),
                "is required",
            );
            String::new()
        });
        let group_type = match o.get("BillingGroupType").and_then(Value::as_str) {
            None => GroupType::Standard,
            Some(t) => enum_of::<GroupType>(&mut r, t, &format!("{path}.BillingGroupType"))
                .unwrap_or_default(),
        };
        locations.insert((Kind::BillingGroup, name.clone()), path.clone());
        config.groups.push(BillingGroup {
            description: r.string(o, "Description", &path).unwrap_or_default(),
            primary_account: r.required(o, "PrimaryAccountId", &path),
            accounts: BTreeSet::new(),
            plan,
            auto_associate: o
                .get("AccountGrouping")
                .and_then(|a| a.get("AutoAssociate"))
                .and_then(Value::as_bool)
                .unwrap_or(false),
            group_type,
            responsibility_transfer_arn: o
                .get("AccountGrouping")
                .and_then(|a| a.get("ResponsibilityTransferArn"))
                .and_then(Value::as_str)
                .map(str::to_string),
            arn,
            name,
        });
    }
    for (path, o) in r.list(root, "BillingTransfers") {
        if let Some(t) = billing_transfer(&mut r, o, &path) {
            locations.insert((Kind::BillingTransfer, t.name.clone()), path.clone());
            config.transfers.push(t);
        }
    }
    for (path, o) in r.list(root, "LinkedAccounts") {
        let account = r.required(o, "AccountId", &path);
        let group = r.required(o, "BillingGroupArn", &path);
        match config.groups.iter_mut().find(|g| g.arn == group) {
            Some(g) => {
                g.accounts.insert(account);
            }
            None => r.push_problem(super::Problem {
                reason: Some(Reason::MissingBillinggroup.code().into()),
                path: format!("{path}.BillingGroupArn"),
                message: format!("no billing group {group} in BillingGroups"),
            }),
        }
    }
    for (path, o) in r.list(root, "PricingPlans") {
        let arn = r.required(o, "Arn", &path);
        if managed_plan(&arn).is_some() {
            continue;
        }
        let name = r.required(o, "Name", &path);
        locations.insert((Kind::PricingPlan, name.clone()), path.clone());
        config.plans.push(PricingPlan {
            description: r.string(o, "Description", &path).unwrap_or_default(),
            rules: Vec::new(),
            arn,
            name,
        });
    }
    for (path, o) in r.list(root, "PricingRules") {
        let name = r.required(o, "Name", &path);
        let scope_text = r.required(o, "Scope", &path);
        let type_text = r.required(o, "Type", &path);
        let scope = enum_of::<Scope>(&mut r, &scope_text, &format!("{path}.Scope"));
        let rule_type = enum_of::<RuleType>(&mut r, &type_text, &format!("{path}.Type"));
        let modifier_path = format!("{path}.ModifierPercentage");
        let modifier = r
            .number(o.get("ModifierPercentage"), &modifier_path)
            .and_then(|m| match super::at_most_decimals(m, 2) {
                Ok(m) => Some(m),
                Err(e) => {
                    r.push_problem(super::Problem {
                        reason: Some(Reason::IllegalModifierPercentage.code().into()),
                        path: modifier_path.clone(),
                        message: e,
                    });
                    None
                }
            });
        let tiering = o.get("Tiering");
        let free_tier = tiering
            .and_then(|t| t.get("FreeTier"))
            .and_then(|f| f.get("Activated"))
            .and_then(Value::as_bool);
        let mut tiers = Vec::new();
        if let Some(Value::Array(list)) = tiering.and_then(|t| t.get("Tiers")) {
            for (i, t) in list.iter().enumerate() {
                let tp = format!("{path}.Tiering.Tiers[{i}]");
                let begin = r
                    .number(t.get("Begin"), &format!("{tp}.Begin"))
                    .unwrap_or_default();
                let end = r.number(t.get("End"), &format!("{tp}.End"));
                let rate = r
                    .number(t.get("Rate"), &format!("{tp}.Rate"))
                    .unwrap_or_default();
                tiers.push(Tier { begin, end, rate });
            }
        }
        let (Some(scope), Some(rule_type)) = (scope, rule_type) else {
            continue;
        };
        locations.insert((Kind::PricingRule, name.clone()), path.clone());
        config.rules.push(PricingRule {
            arn: r.required(o, "Arn", &path),
            description: r.string(o, "Description", &path).unwrap_or_default(),
            scope,
            rule_type,
            // ABC keeps two decimals (SPEC 2.2): more were refused above, never rounded.
            modifier,
            service: r.string(o, "Service", &path),
            billing_entity: r.string(o, "BillingEntity", &path),
            usage_type: r.string(o, "UsageType", &path),
            operation: r.string(o, "Operation", &path),
            free_tier,
            tiers,
            name,
        });
    }
    for (path, o) in r.list(root, "PricingPlanRules") {
        let plan = r.required(o, "PricingPlanArn", &path);
        let rules: Vec<String> = o
            .get("PricingRuleArns")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        match config.plans.iter_mut().find(|p| p.arn == plan) {
            Some(p) => p.rules.extend(rules),
            None => r.push_problem(super::Problem {
                reason: Some(Reason::MissingPricingplan.code().into()),
                path: format!("{path}.PricingPlanArn"),
                message: format!("no pricing plan {plan} in PricingPlans"),
            }),
        }
    }
    for (path, o) in r.list(root, "CustomLineItems") {
        if let Some(item) = custom_line_item(&mut r, o, &path, default_start) {
            locations.insert((Kind::CustomLineItem, item.name.clone()), path.clone());
            config.items.push(item);
        }
    }
    for (path, o) in r.list(root, "BillingViews") {
        let view_type = o
            .get("billingViewType")
            .and_then(Value::as_str)
            .unwrap_or("CUSTOM");
        if view_type != "CUSTOM" {
            continue;
        }
        let name = r.required(o, "name", &path);
        let sources = o
            .get("sourceViews")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let filter = view_filter(
            &mut r,
            o.get("dataFilterExpression"),
            &format!("{path}.dataFilterExpression"),
        );
        locations.insert((Kind::BillingView, name.clone()), path.clone());
        config.views.push(CustomView {
            arn: r.required(o, "arn", &path),
            description: r.string(o, "description", &path).unwrap_or_default(),
            sources,
            filter,
            name,
        });
    }
    if !r.problems.is_empty() {
        return Err(ConfigFileError {
            problems: r.problems,
        });
    }
    config.canonicalize();
    Ok(Parsed {
        config,
        locations,
        warnings,
    })
}

fn custom_line_item(
    r: &mut Reader,
    o: &Map<String, Value>,
    path: &str,
    default_start: BillingPeriod,
) -> Option<CustomLineItem> {
    let name = r.required(o, "Name", path);
    let cd_path = format!("{path}.ChargeDetails");
    let Some(cd) = o.get("ChargeDetails").and_then(Value::as_object) else {
        r.fail(&cd_path, "is required");
        return None;
    };
    let type_text = r.required(cd, "Type", &cd_path);
    let item_type = enum_of::<ItemType>(r, &type_text, &format!("{cd_path}.Type"))?;
    let charge = match (cd.get("Flat"), cd.get("Percentage")) {
        (Some(f), None) => Charge::Flat {
            value: r.number(f.get("ChargeValue"), &format!("{cd_path}.Flat.ChargeValue"))?,
        },
        (None, Some(p)) => Charge::Percentage {
            percent: r.number(
                p.get("PercentageValue"),
                &format!("{cd_path}.Percentage.PercentageValue"),
            )?,
            associated: p
                .get("AssociatedValues")
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default(),
        },
        _ => {
            r.push_problem(super::Problem {
                reason: Some(Reason::IllegalChargeDetails.code().into()),
                path: cd_path.clone(),
                message: "exactly one of Flat and Percentage".into(),
            });
            return None;
        }
    };
    let filter = match cd
        .get("LineItemFilters")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
    {
        None | Some([]) => None,
        Some([f]) => Some(line_item_filter(
            r,
            f,
            &format!("{cd_path}.LineItemFilters[0]"),
        )?),
        Some(_) => {
            r.push_problem(super::Problem {
                reason: Some(Reason::IllegalLineItemFilter.code().into()),
                path: format!("{cd_path}.LineItemFilters"),
                message: "at most one line item filter".into(),
            });
            return None;
        }
    };
    let computation = match o.get("ComputationRule").and_then(Value::as_str) {
        None => Computation::Consolidated,
        Some(t) => enum_of::<Computation>(r, t, &format!("{path}.ComputationRule"))?,
    };
    let range = o.get("BillingPeriodRange");
    Some(CustomLineItem {
        arn: r.required(o, "Arn", path),
        description: r.string(o, "Description", path).unwrap_or_default(),
        group: r.required(o, "BillingGroupArn", path),
        account: r.string(o, "AccountId", path),
        item_type,
        charge,
        filter,
        computation,
        presentation_service: o
            .get("PresentationDetails")
            .and_then(|p| p.get("Service"))
            .and_then(Value::as_str)
            .unwrap_or(DEFAULT_PRESENTATION_SERVICE)
            .to_string(),
        start: r
            .period(
                range,
                "InclusiveStartBillingPeriod",
                &format!("{path}.BillingPeriodRange"),
            )
            .unwrap_or(default_start),
        end: r.period(
            range,
            "ExclusiveEndBillingPeriod",
            &format!("{path}.BillingPeriodRange"),
        ),
        currency: r
            .string(o, "CurrencyCode", path)
            .unwrap_or_else(|| "USD".into()),
        name,
    })
}

/// A timestamp as AWS prints it (ISO 8601, `Z` or `+00:00`, or seconds since the epoch)
/// as `YYYY-MM-DDThh:mm:ss` UTC, for the transfer period readers.
fn timestamp_text(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => {
            let secs = n.as_f64()?;
            // A fraction of a second is kept, so that it is not taken for midnight.
            let nanos = (secs.fract() * 1e9).round() as u32;
            let t = chrono::DateTime::from_timestamp(secs.trunc() as i64, nanos)?;
            Some(t.format("%Y-%m-%dT%H:%M:%S%.fZ").to_string())
        }
        Value::String(s) => {
            let t = s.trim();
            match chrono::DateTime::parse_from_rfc3339(t) {
                Ok(d) => Some(
                    d.with_timezone(&chrono::Utc)
                        .format("%Y-%m-%dT%H:%M:%SZ")
                        .to_string(),
                ),
                Err(_) => Some(t.to_string()),
            }
        }
        _ => None,
    }
}

/// One `BillingTransfers` entry (AWS Organizations' `ResponsibilityTransfer`).
fn billing_transfer(r: &mut Reader, o: &Map<String, Value>, path: &str) -> Option<BillingTransfer> {
    let name = r.required(o, "Name", path);
    let arn = r.required(o, "Arn", path);
    let account = |r: &mut Reader, key: &str| {
        let v = o
            .get(key)
            .and_then(|p| p.get("ManagementAccountId"))
            .and_then(Value::as_str)
            .map(str::to_string);
        v.unwrap_or_else(|| {
            r.fail(&format!("{path}.{key}.ManagementAccountId"), "is required");
            String::new()
        })
    };
    let source_account = account(r, "Source");
    let transfer_account = account(r, "Target");
    if let Some(t) = o.get("Type").and_then(Value::as_str)
        && t != "BILLING"
    {
        r.fail(&format!("{path}.Type"), format!("'{t}' is not BILLING"));
    }
    let status = match o.get("Status").and_then(Value::as_str) {
        None => Some(TransferStatus::Accepted),
        Some(t) => enum_of::<TransferStatus>(r, t, &format!("{path}.Status")),
    };
    let start = match o.get("StartTimestamp").and_then(timestamp_text) {
        None => {
            r.fail(&format!("{path}.StartTimestamp"), "is required");
            None
        }
        Some(t) => transfer_start(&t)
            .map_err(|e| r.fail(&format!("{path}.StartTimestamp"), e))
            .ok(),
    };
    let end = match o.get("EndTimestamp").filter(|v| !v.is_null()) {
        None => Some(None),
        Some(v) => match timestamp_text(v).map(|t| transfer_end(&t)) {
            Some(Ok(p)) => Some(Some(p)),
            Some(Err(e)) => {
                r.fail(&format!("{path}.EndTimestamp"), e);
                None
            }
            None => {
                r.fail(&format!("{path}.EndTimestamp"), "is not a timestamp");
                None
            }
        },
    };
    Some(BillingTransfer {
        arn,
        name,
        source_account,
        transfer_account,
        start: start?,
        end: end?,
        status: status?,
    })
}

fn line_item_filter(r: &mut Reader, f: &Value, path: &str) -> Option<LineItemFilter> {
    let attribute = f
        .get("Attribute")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let equal = match f.get("MatchOption").and_then(Value::as_str) {
        Some("EQUAL") => true,
        Some("NOT_EQUAL") => false,
        other => {
            r.push_problem(super::Problem {
                reason: Some(Reason::IllegalLineItemFilter.code().into()),
                path: format!("{path}.MatchOption"),
                message: format!("'{}' is not EQUAL or NOT_EQUAL", other.unwrap_or("")),
            });
            return None;
        }
    };
    let values: Vec<&str> = ["Values", "AttributeValues"]
        .iter()
        .filter_map(|k| f.get(*k).and_then(Value::as_array))
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    match (attribute, equal, values.as_slice()) {
        ("LINE_ITEM_TYPE", false, ["SAVINGS_PLAN_NEGATION"]) => {
            Some(LineItemFilter::ExcludeSavingsPlanNegation)
        }
        ("SERVICE", _, [service]) => Some(LineItemFilter::Service {
            equal,
            service: (*service).to_string(),
        }),
        _ => {
            r.push_problem(super::Problem {
                reason: Some(Reason::IllegalLineItemFilter.code().into()),
                path: path.into(),
                message: "expected LINE_ITEM_TYPE NOT_EQUAL SAVINGS_PLAN_NEGATION, or SERVICE EQUAL|NOT_EQUAL with one service code".into(),
            });
            None
        }
    }
}

fn view_filter(r: &mut Reader, e: Option<&Value>, path: &str) -> ViewFilter {
    let Some(e) = e.filter(|e| !e.is_null()) else {
        return ViewFilter::None;
    };
    let values = |v: &Value| -> BTreeSet<String> {
        v.get("values")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let key = |v: &Value| {
        v.get("key")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    match (e.get("dimensions"), e.get("tags"), e.get("costCategories")) {
        (Some(d), None, None) => ViewFilter::Accounts {
            accounts: values(d),
        },
        (None, Some(t), None) => ViewFilter::Tag {
            key: key(t),
            values: values(t),
        },
        (None, None, Some(c)) => ViewFilter::CostCategory {
            key: key(c),
            values: values(c),
        },
        (None, None, None) => ViewFilter::None,
        _ => {
            r.push_problem(super::Problem {
                reason: Some(Reason::InvalidFilter.code().into()),
                path: path.into(),
                message: "one filter: dimensions (LINKED_ACCOUNT), tags or costCategories".into(),
            });
            ViewFilter::None
        }
    }
}

fn number(d: Decimal) -> Value {
    // Amounts go out as JSON numbers, as the AWS CLI prints them: through f64 when that is
    // exact (so `10` reads `10.0` as before), else as the exact decimal text.
    let f: f64 = d.try_into().unwrap_or(0.0);
    if crate::money::decimal_from_f64(f).ok() == Some(d) {
        json!(f)
    } else {
        d.normalize()
            .to_string()
            .parse::<serde_json::Number>()
            .map_or_else(|_| json!(d.to_string()), Value::Number)
    }
}

/// Writes a configuration as an AWS bundle.
pub fn export(config: &Config) -> Value {
    let mut linked = Vec::new();
    let groups: Vec<Value> = config
        .groups
        .iter()
        .map(|g| {
            for a in &g.accounts {
                linked.push(json!({"AccountId": a, "BillingGroupArn": g.arn}));
            }
            let mut v = json!({
                "Name": g.name,
                "Arn": g.arn,
                "PrimaryAccountId": g.primary_account,
                "ComputationPreference": {"PricingPlanArn": g.plan},
                "Size": g.accounts.len(),
                "Status": "ACTIVE",
                "AccountGrouping": {"AutoAssociate": g.auto_associate},
                "BillingGroupType": g.group_type.code(),
            });
            if let Some(t) = &g.responsibility_transfer_arn {
                v["AccountGrouping"]["ResponsibilityTransferArn"] = json!(t);
            }
            if !g.description.is_empty() {
                v["Description"] = json!(g.description);
            }
            v
        })
        .collect();
    let plans: Vec<Value> = config
        .plans
        .iter()
        .map(|p| {
            let mut v = json!({"Name": p.name, "Arn": p.arn, "Size": p.rules.len()});
            if !p.description.is_empty() {
                v["Description"] = json!(p.description);
            }
            v
        })
        .collect();
    let rules: Vec<Value> = config
        .rules
        .iter()
        .map(|r| {
            let mut v = json!({"Name": r.name, "Arn": r.arn, "Scope": r.scope.code(), "Type": r.rule_type.code()});
            let o = v.as_object_mut();
            if let Some(o) = o {
                if !r.description.is_empty() {
                    o.insert("Description".into(), json!(r.description));
                }
                if let Some(m) = r.modifier {
                    o.insert("ModifierPercentage".into(), number(m));
                }
                for (k, val) in [("Service", &r.service), ("BillingEntity", &r.billing_entity), ("UsageType", &r.usage_type), ("Operation", &r.operation)] {
                    if let Some(x) = val {
                        o.insert(k.into(), json!(x));
                    }
                }
                if let Some(on) = r.free_tier {
                    o.insert("Tiering".into(), json!({"FreeTier": {"Activated": on}}));
                }
                if !r.tiers.is_empty() {
                    let tiers: Vec<Value> = r
                        .tiers
                        .iter()
                        .map(|t| {
                            let mut x = json!({"Begin": number(t.begin), "Rate": number(t.rate)});
                            if let Some(e) = t.end {
                                x["End"] = number(e);
                            }
                            x
                        })
                        .collect();
                    o.insert("Tiering".into(), json!({"Tiers": tiers}));
                }
            }
            v
        })
        .collect();
    let plan_rules: Vec<Value> = config
        .plans
        .iter()
        .map(|p| json!({"PricingPlanArn": p.arn, "PricingRuleArns": p.rules}))
        .collect();
    let items: Vec<Value> = config
        .items
        .iter()
        .map(|i| {
            let mut cd = json!({"Type": i.item_type.code()});
            match &i.charge {
                Charge::Flat { value } => cd["Flat"] = json!({"ChargeValue": number(*value)}),
                Charge::Percentage { percent, associated } => {
                    cd["Percentage"] = json!({"PercentageValue": number(*percent), "AssociatedValues": associated})
                }
            }
            match &i.filter {
                Some(LineItemFilter::ExcludeSavingsPlanNegation) => {
                    cd["LineItemFilters"] = json!([{"Attribute": "LINE_ITEM_TYPE", "MatchOption": "NOT_EQUAL", "Values": ["SAVINGS_PLAN_NEGATION"]}])
                }
                Some(LineItemFilter::Service { equal, service }) => {
                    cd["LineItemFilters"] = json!([{"Attribute": "SERVICE", "MatchOption": if *equal { "EQUAL" } else { "NOT_EQUAL" }, "AttributeValues": [service]}])
                }
                None => {}
            }
            let mut range = json!({"InclusiveStartBillingPeriod": i.start.to_string()});
            if let Some(e) = i.end {
                range["ExclusiveEndBillingPeriod"] = json!(e.to_string());
            }
            let mut v = json!({
                "Arn": i.arn,
                "Name": i.name,
                "ChargeDetails": cd,
                "CurrencyCode": i.currency,
                "Description": i.description,
                "BillingGroupArn": i.group,
                "ComputationRule": i.computation.code(),
                "PresentationDetails": {"Service": i.presentation_service},
                "BillingPeriodRange": range,
            });
            if let Some(a) = &i.account {
                v["AccountId"] = json!(a);
            }
            v
        })
        .collect();
    let mut out = json!({
        "BillingGroups": groups,
        "LinkedAccounts": linked,
        "PricingPlans": plans,
        "PricingRules": rules,
        "PricingPlanRules": plan_rules,
        "CustomLineItems": items,
    });
    if !config.views.is_empty() {
        let views: Vec<Value> = config
            .views
            .iter()
            .map(|v| {
                let filter = match &v.filter {
                    ViewFilter::None => Value::Null,
                    ViewFilter::Accounts { accounts } => json!({"dimensions": {"key": "LINKED_ACCOUNT", "values": accounts}}),
                    ViewFilter::Tag { key, values } => json!({"tags": {"key": key, "values": values}}),
                    ViewFilter::CostCategory { key, values } => json!({"costCategories": {"key": key, "values": values}}),
                };
                let mut x = json!({"arn": v.arn, "name": v.name, "billingViewType": "CUSTOM", "sourceViews": v.sources});
                if !v.description.is_empty() {
                    x["description"] = json!(v.description);
                }
                if !filter.is_null() {
                    x["dataFilterExpression"] = filter;
                }
                x
            })
            .collect();
        out["BillingViews"] = json!(views);
    }
    if !config.transfers.is_empty() {
        let transfers: Vec<Value> = config
            .transfers
            .iter()
            .map(|t| {
                let id = t.arn.rsplit('/').next().unwrap_or_default();
                let mut x = json!({
                    "Arn": t.arn,
                    "Name": t.name,
                    "Id": id,
                    "Type": "BILLING",
                    "Status": t.status.code(),
                    "Source": {"ManagementAccountId": t.source_account},
                    "Target": {"ManagementAccountId": t.transfer_account},
                    "StartTimestamp": format!("{}-01T00:00:00Z", t.start),
                });
                if let Some(e) = t.end {
                    // The instant it ends: the 1st of the month after its last month.
                    x["EndTimestamp"] = json!(format!("{}-01T00:00:00Z", e.next()));
                }
                x
            })
            .collect();
        out["BillingTransfers"] = json!(transfers);
    }
    out
}

/// [`export`] of the configuration in force in `period` with its shared-cost allocations
/// (issue 14 item 4): AWS has no such object, so each allocation is written as the flat custom
/// line items it charged in `period` (`allocated`: the engine's, one per target group), valid
/// for that period only and named `<allocation>-<group>` (names are unique per kind), and the
/// bundle says so under `ProformaNotes` (a key the import ignores with a warning: importing the
/// bundle gives the flat items, never an allocation). Returns the bundle and the notes.
///
/// `currency`: the period's (the items are charged in it).
pub fn export_with_allocations(
    config: &Config,
    period: BillingPeriod,
    allocated: &[CustomLineItem],
    currency: &str,
) -> (Value, Vec<String>) {
    let mut flat = config.clone();
    flat.allocations.clear();
    let mut notes = Vec::new();
    for item in allocated {
        let group = config
            .group(&item.group)
            .map_or(item.group.as_str(), |g| g.name.as_str());
        let mut name = format!("{}-{}", item.name, group);
        if name.chars().count() > 128 {
            name = name.chars().take(128).collect();
        }
        flat.items.push(CustomLineItem {
            name,
            start: period,
            end: Some(period.next()),
            currency: currency.to_string(),
            ..item.clone()
        });
    }
    for a in config.allocations.iter().filter(|a| a.active_in(period)) {
        notes.push(format!(
            "cost allocation '{}' is exported as the flat custom line items it charged in {period} \
             (one per target group, for {period} only): AWS Billing Conductor has no allocations",
            a.name
        ));
    }
    flat.canonicalize();
    let mut out = export(&flat);
    if !notes.is_empty() {
        out["ProformaNotes"] = json!(notes);
    }
    (out, notes)
}

//! The History tab's detail: one audit entry as a field-by-field before and after, the changed
//! fields marked, with names instead of ARNs (a rule's ARN by the rule's name, a plan's rules by
//! their names, a group's plan by the plan's name, accounts as `id (name)`).
//!
//! Built from the stored JSON of the object before and after (SPEC 3: every change is audited
//! with both); entries that are not configuration objects (an import's delivery summary) show
//! their recorded fields as they are.

use crate::model::{
    Charge, Computation, Config, GroupType, Kind, LineItemFilter, Object, ViewFilter,
    primary_view_payer,
};
use crate::store::AuditRow;
use std::collections::HashMap;

/// One field of the object, before and after. An empty side means the field was absent (the
/// object did not exist, or the field was not set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldRow {
    /// What the field is, in words (`Pricing plan`, `Accounts`).
    pub label: String,
    /// The value before, one entry per list item; in an edit, a removed item starts with `- `.
    pub before: Vec<String>,
    /// The value after, one entry per list item; in an edit, an added item starts with `+ `.
    pub after: Vec<String>,
    /// The value differs between before and after of an edit (creations and deletions mark
    /// nothing: every field is new or gone).
    pub changed: bool,
}

/// What one audit entry changed, ready to show.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChangeDetail {
    /// `edit pricing rule ec2-markup-15, 2026-09 on`.
    pub title: String,
    /// What the before side was: `before` or `(did not exist)`.
    pub before_label: String,
    /// What the after side is: `after` or `(deleted)`.
    pub after_label: String,
    pub fields: Vec<FieldRow>,
    /// Shown instead of the fields when the entry recorded no object (a period closed, several
    /// changes undone at once).
    pub note: Option<String>,
}

/// Names configuration objects by ARN and accounts by id: the configuration on screen first,
/// then any object the audit log recorded (a deleted rule keeps its name), then the ARN itself.
pub struct Namer<'a> {
    config: &'a Config,
    audit: &'a [AuditRow],
    accounts: &'a HashMap<String, String>,
}

impl<'a> Namer<'a> {
    /// `config`: the configuration in force; `audit`: the entries loaded for the History tab;
    /// `accounts`: account names by id.
    pub fn new(
        config: &'a Config,
        audit: &'a [AuditRow],
        accounts: &'a HashMap<String, String>,
    ) -> Namer<'a> {
        Namer {
            config,
            audit,
            accounts,
        }
    }

    /// The name of the object an ARN names (managed plans and primary views included); the ARN
    /// when nothing known has it.
    pub fn name(&self, arn: &str) -> String {
        if crate::model::managed_plan(arn).is_some() {
            return self.config.plan_name(arn);
        }
        if let Some(payer) = primary_view_payer(arn) {
            return format!("Primary View ({payer})");
        }
        let c = self.config;
        let in_force = c
            .group(arn)
            .map(|x| &x.name)
            .or_else(|| c.plan(arn).map(|x| &x.name))
            .or_else(|| c.rule(arn).map(|x| &x.name))
            .or_else(|| c.item(arn).map(|x| &x.name))
            .or_else(|| c.view(arn).map(|x| &x.name));
        if let Some(name) = in_force {
            return name.clone();
        }
        // An object no longer in force: its name as the audit log last recorded it.
        self.audit
            .iter()
            .filter(|r| r.arn.as_deref() == Some(arn))
            .find_map(|r| {
                let kind = r.kind.as_deref()?;
                [&r.after, &r.before]
                    .into_iter()
                    .flatten()
                    .find_map(|body| Object::from_stored(kind, body).ok())
                    .filter(|o| o.arn() == arn)
                    .map(|o| o.name().to_string())
            })
            .unwrap_or_else(|| arn.to_string())
    }

    /// An account as `id (name)`, or its id when its name is not known.
    pub fn account(&self, id: &str) -> String {
        match self.accounts.get(id).filter(|n| !n.is_empty()) {
            Some(n) => format!("{id} ({n})"),
            None => id.to_string(),
        }
    }
}

/// A field's value: one text, or a list compared item by item.
enum Value {
    Text(String),
    List(Vec<String>),
}

fn text(s: impl Into<String>) -> Value {
    Value::Text(s.into())
}

fn opt(s: &Option<String>) -> Value {
    Value::Text(s.clone().unwrap_or_default())
}

/// The fields of an object in reading order, labelled, ARNs named.
fn fields(o: &Object, n: &Namer<'_>) -> Vec<(&'static str, Value)> {
    match o {
        Object::Group(g) => vec![
            ("Name", text(&g.name)),
            ("Description", text(&g.description)),
            ("Primary account", text(n.account(&g.primary_account))),
            (
                "Accounts",
                Value::List(g.accounts.iter().map(|a| n.account(a)).collect()),
            ),
            ("Pricing plan", text(n.name(&g.plan))),
            (
                "Auto-associate",
                text(if g.auto_associate { "yes" } else { "no" }),
            ),
            (
                "Group type",
                text(match g.group_type {
                    GroupType::Standard => "standard",
                    GroupType::TransferBilling => "transfer billing",
                }),
            ),
        ],
        Object::Plan(p) => vec![
            ("Name", text(&p.name)),
            ("Description", text(&p.description)),
            (
                "Rules",
                Value::List(p.rules.iter().map(|r| n.name(r)).collect()),
            ),
        ],
        Object::Rule(r) => vec![
            ("Name", text(&r.name)),
            ("Description", text(&r.description)),
            ("Scope", text(r.scope.code())),
            ("Type", text(r.rule_type.code())),
            (
                "Modifier",
                text(
                    r.modifier
                        .map_or(String::new(), |m| format!("{}%", m.normalize())),
                ),
            ),
            ("Service", opt(&r.service)),
            ("Billing entity", opt(&r.billing_entity)),
            ("Usage type", opt(&r.usage_type)),
            ("Operation", opt(&r.operation)),
            (
                "Free tier",
                text(r.free_tier.map_or("", |on| if on { "on" } else { "off" })),
            ),
            (
                "Tiers",
                Value::List(
                    r.tiers
                        .iter()
                        .map(|t| {
                            format!(
                                "{}-{}: {}",
                                t.begin.normalize(),
                                t.end.map_or("∞".into(), |e| e.normalize().to_string()),
                                t.rate.normalize()
                            )
                        })
                        .collect(),
                ),
            ),
        ],
        Object::Item(i) => {
            let (charge, associated) = match &i.charge {
                Charge::Flat { value } => (
                    format!("flat {} {}", crate::money::fmt_grouped(*value), i.currency),
                    Vec::new(),
                ),
                Charge::Percentage {
                    percent,
                    associated,
                } => (
                    format!("{}%", percent.normalize()),
                    associated.iter().map(|a| n.name(a)).collect(),
                ),
            };
            vec![
                ("Name", text(&i.name)),
                ("Description", text(&i.description)),
                ("Billing group", text(n.name(&i.group))),
                (
                    "Account",
                    text(i.account.as_deref().map_or(String::new(), |a| n.account(a))),
                ),
                ("Type", text(i.item_type.code())),
                ("Charge", text(charge)),
                ("Percentage of", Value::List(associated)),
                (
                    "Filter",
                    text(match &i.filter {
                        None => String::new(),
                        Some(LineItemFilter::ExcludeSavingsPlanNegation) => {
                            "excluding Savings Plans negation".into()
                        }
                        Some(LineItemFilter::Service { equal, service }) => {
                            format!("{} {service}", if *equal { "only" } else { "excluding" })
                        }
                    }),
                ),
                (
                    "Computation",
                    text(match i.computation {
                        Computation::Consolidated => "consolidated",
                        Computation::Itemized => "itemized",
                    }),
                ),
                ("Presentation", text(&i.presentation_service)),
                ("From", text(i.start.to_string())),
                // AWS's end month is exclusive, as the Custom line items tab says.
                (
                    "To (exclusive)",
                    text(i.end.map_or("recurring".into(), |e| e.to_string())),
                ),
            ]
        }
        Object::View(v) => {
            let (filter, values): (String, Vec<String>) = match &v.filter {
                ViewFilter::None => ("none".into(), Vec::new()),
                ViewFilter::Accounts { accounts } => (
                    "accounts".into(),
                    accounts.iter().map(|a| n.account(a)).collect(),
                ),
                ViewFilter::Tag { key, values } => {
                    (format!("tag {key}"), values.iter().cloned().collect())
                }
                ViewFilter::CostCategory { key, values } => (
                    format!("cost category {key}"),
                    values.iter().cloned().collect(),
                ),
            };
            vec![
                ("Name", text(&v.name)),
                ("Description", text(&v.description)),
                (
                    "Sources",
                    Value::List(v.sources.iter().map(|s| n.name(s)).collect()),
                ),
                ("Filter", text(filter)),
                ("Filter values", Value::List(values)),
            ]
        }
        Object::Transfer(t) => vec![
            ("Name", text(&t.name)),
            ("Bill source", text(n.account(&t.source_account))),
            (
                "Bill-transfer account",
                text(n.account(&t.transfer_account)),
            ),
            ("From", text(t.start.to_string())),
            // A transfer's end month is its last month (it ends at the end of it).
            (
                "Through",
                text(t.end.map_or("open-ended".into(), |e| e.to_string())),
            ),
            ("Status", text(t.status.code())),
        ],
        Object::Allocation(a) => crate::app::forms::allocation::history_fields(a, &|x| n.name(x))
            .into_iter()
            .map(|(label, values)| match values {
                crate::app::forms::allocation::Shown::Text(t) => (label, text(t)),
                crate::app::forms::allocation::Shown::List(list) => (label, Value::List(list)),
            })
            .collect(),
    }
}

/// The fields of a stored body that is not a configuration object (an import's summary): its
/// keys in words, lists item by item.
fn plain_fields(body: &str) -> Vec<(String, Vec<String>)> {
    let scalar = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    };
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(map)) => map
            .iter()
            .map(|(k, v)| {
                let mut label = k.replace('_', " ");
                if let Some(first) = label.get(..1) {
                    label = first.to_uppercase() + &label[1..];
                }
                let mut items: Vec<String> = match v {
                    serde_json::Value::Array(a) => a.iter().map(scalar).collect(),
                    other => vec![scalar(other)],
                };
                // Amounts as every screen shows them (SPEC 5: cents, grouped).
                if ["billable", "tax"].contains(&k.as_str()) || k.contains("cost") {
                    for item in &mut items {
                        if let Ok(d) = item.parse::<rust_decimal::Decimal>() {
                            *item = crate::money::fmt_grouped(d);
                        }
                    }
                }
                (label, items)
            })
            .collect(),
        // Not a JSON object: the text as it is.
        _ => vec![("Value".to_string(), vec![body.to_string()])],
    }
}

/// The kind of an entry's object: recorded with the entry, else read from its label
/// (`pricing rule x`), as older entries have it.
fn kind_of(row: &AuditRow) -> Option<Kind> {
    row.kind
        .as_deref()
        .and_then(|k| k.parse().ok())
        .or_else(|| {
            Kind::ALL
                .into_iter()
                .find(|k| row.object.starts_with(&format!("{} ", k.label())))
        })
}

/// One audit entry as a field-by-field before and after, names instead of ARNs.
pub fn detail(row: &AuditRow, namer: &Namer<'_>) -> ChangeDetail {
    let title = match &row.period {
        Some(p) => format!("{} {}, {p} on", row.action, row.object),
        None => format!("{} {}", row.action, row.object),
    };
    let mut d = ChangeDetail {
        title,
        before_label: if row.before.is_some() {
            "before".into()
        } else {
            "(did not exist)".into()
        },
        after_label: if row.after.is_some() {
            "after".into()
        } else {
            "(deleted)".into()
        },
        ..ChangeDetail::default()
    };
    if row.before.is_none() && row.after.is_none() {
        d.before_label = String::new();
        d.after_label = String::new();
        d.note = Some(match &row.reason {
            Some(r) if !r.is_empty() => format!("{}: {r}", row.action),
            // An undo or redo records what it touched, not each version: the entries it took
            // back (or made again) show those field by field.
            _ if matches!(row.action.as_str(), "undo" | "redo") => format!(
                "{}: {} — the entries it {} show each object's before and after",
                row.action,
                row.object,
                if row.action == "undo" {
                    "took back"
                } else {
                    "made again"
                }
            ),
            _ => format!(
                "{}: no object recorded with this entry (the Object column names what it touched)",
                row.action
            ),
        });
        return d;
    }
    let edit = row.before.is_some() && row.after.is_some();
    let kind = kind_of(row);
    let object = |body: &Option<String>| -> Option<Result<Object, ()>> {
        let body = body.as_deref()?;
        Some(match kind {
            Some(k) => Object::from_stored(k.arn_type(), body).map_err(|_| ()),
            None => Err(()),
        })
    };
    // Labelled sides: (label, items, is a list).
    type Side = Vec<(String, Vec<String>, bool)>;
    let side = |body: &Option<String>| -> Side {
        match object(body) {
            None => Vec::new(),
            Some(Ok(o)) => fields(&o, namer)
                .into_iter()
                .map(|(l, v)| match v {
                    Value::Text(t) if t.is_empty() => (l.to_string(), Vec::new(), false),
                    Value::Text(t) => (l.to_string(), vec![t], false),
                    Value::List(items) => (l.to_string(), items, true),
                })
                .collect(),
            Some(Err(())) => plain_fields(body.as_deref().unwrap_or_default())
                .into_iter()
                .map(|(l, items)| {
                    let list = items.len() > 1;
                    (l, items, list)
                })
                .collect(),
        }
    };
    let before = side(&row.before);
    let after = side(&row.after);
    // Labels in reading order: the after side's, then any only the before side has.
    let mut labels: Vec<(String, bool)> = after.iter().map(|(l, _, x)| (l.clone(), *x)).collect();
    for (l, _, x) in &before {
        if !labels.iter().any(|(m, _)| m == l) {
            labels.push((l.clone(), *x));
        }
    }
    let get = |s: &Side, l: &str| -> Vec<String> {
        s.iter()
            .find(|(m, _, _)| m == l)
            .map(|(_, v, _)| v.clone())
            .unwrap_or_default()
    };
    for (label, list) in labels {
        let b = get(&before, &label);
        let a = get(&after, &label);
        if b.is_empty() && a.is_empty() {
            continue;
        }
        let changed = edit && a != b;
        let (b, a) = if changed && list {
            // Lists compare item by item: what left and what came.
            (
                b.iter()
                    .map(|x| {
                        if a.contains(x) {
                            x.clone()
                        } else {
                            format!("- {x}")
                        }
                    })
                    .collect(),
                a.iter()
                    .map(|x| {
                        if b.contains(x) {
                            x.clone()
                        } else {
                            format!("+ {x}")
                        }
                    })
                    .collect(),
            )
        } else {
            (b, a)
        };
        d.fields.push(FieldRow {
            label,
            before: b,
            after: a,
            changed,
        });
    }
    d
}

/// A statement issued (`export --kind statement`), for the History tab's lower pane: what was
/// handed out, in full.
pub fn statement_detail(x: &crate::store::statements::IssuedStatement) -> ChangeDetail {
    ChangeDetail {
        title: format!("statement {} issued", x.number),
        note: Some(format!(
            "Statement {} of billing group {} ({}) for {}, {}{}.\nIssued {} to {}\nSHA-256 {}\nConfiguration version {}",
            x.number,
            crate::text::escape(&x.group_name, crate::text::Keep::Nothing),
            x.group_arn,
            x.period,
            x.format,
            if x.draft {
                ", a draft (the period was not closed)"
            } else {
                ""
            },
            x.issued_at,
            crate::text::escape(&x.path, crate::text::Keep::Nothing),
            x.sha256,
            x.config_version
        )),
        ..ChangeDetail::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BillingGroup, PricingPlan, PricingRule, RuleType, Scope};
    use rust_decimal::Decimal;

    const RULE_A: &str = "arn:aws:billingconductor::111122223333:pricingrule/AAAAAAAAAA";
    const RULE_B: &str = "arn:aws:billingconductor::111122223333:pricingrule/BBBBBBBBBB";
    const PLAN: &str = "arn:aws:billingconductor::111122223333:pricingplan/PPPPPPPPPP";
    const GROUP: &str = "arn:aws:billingconductor::111122223333:billinggroup/GGGGGGGGGG";

    fn rule(arn: &str, name: &str, pct: i64) -> PricingRule {
        PricingRule {
            arn: arn.into(),
            name: name.into(),
            description: String::new(),
            scope: Scope::Global,
            rule_type: RuleType::Markup,
            modifier: Some(Decimal::from(pct)),
            service: None,
            billing_entity: None,
            usage_type: None,
            operation: None,
            free_tier: None,
            tiers: Vec::new(),
        }
    }

    fn plan(rules: &[&str]) -> PricingPlan {
        PricingPlan {
            arn: PLAN.into(),
            name: "standard".into(),
            description: String::new(),
            rules: rules.iter().map(|r| r.to_string()).collect(),
        }
    }

    fn row(
        kind: Kind,
        action: &str,
        object: &str,
        before: Option<&Object>,
        after: Option<&Object>,
    ) -> AuditRow {
        AuditRow {
            id: 1,
            at: "2026-10-01T00:00:00Z".into(),
            period: Some("2026-09".into()),
            action: action.into(),
            object: object.into(),
            before: before.map(Object::body_json),
            after: after.map(Object::body_json),
            reason: None,
            kind: Some(kind.arn_type().into()),
            arn: before.or(after).map(|o| o.arn().to_string()),
        }
    }

    fn field<'a>(d: &'a ChangeDetail, label: &str) -> &'a FieldRow {
        d.fields
            .iter()
            .find(|f| f.label == label)
            .unwrap_or_else(|| panic!("no field {label} in {d:?}"))
    }

    #[test]
    fn an_edited_plan_names_its_rules_and_marks_what_changed() {
        let mut config = Config::default();
        config.rules.push(rule(RULE_A, "markup-10", 10));
        // RULE_B is gone from the configuration: the audit log still knows its name.
        let deleted = Object::Rule(rule(RULE_B, "old-discount", 5));
        let mut audit = vec![row(
            Kind::PricingRule,
            "delete",
            "pricing rule old-discount",
            Some(&deleted),
            None,
        )];
        audit[0].arn = Some(RULE_B.into());
        let names = HashMap::new();
        let namer = Namer::new(&config, &audit, &names);
        let before = Object::Plan(plan(&[RULE_B]));
        let after = Object::Plan(plan(&[RULE_A]));
        let d = detail(
            &row(
                Kind::PricingPlan,
                "edit",
                "pricing plan standard",
                Some(&before),
                Some(&after),
            ),
            &namer,
        );
        assert_eq!(d.title, "edit pricing plan standard, 2026-09 on");
        let rules = field(&d, "Rules");
        assert!(rules.changed);
        assert_eq!(rules.before, ["- old-discount"]);
        assert_eq!(rules.after, ["+ markup-10"]);
        let name = field(&d, "Name");
        assert!(!name.changed);
        assert_eq!(
            (name.before.as_slice(), name.after.as_slice()),
            (&["standard".to_string()][..], &["standard".to_string()][..])
        );
        // An empty description on both sides is left out.
        assert!(d.fields.iter().all(|f| f.label != "Description"));
        let shown = format!("{d:?}");
        assert!(!shown.contains("arn:"), "{shown}");
    }

    #[test]
    fn a_created_group_names_its_plan_and_accounts_and_marks_nothing() {
        let mut config = Config::default();
        config.plans.push(plan(&[]));
        let names: HashMap<String, String> =
            [("111122223333".to_string(), "shop-prod".to_string())].into();
        let namer = Namer::new(&config, &[], &names);
        let g = Object::Group(BillingGroup {
            arn: GROUP.into(),
            name: "retail".into(),
            description: String::new(),
            primary_account: "111122223333".into(),
            accounts: ["111122223333".to_string(), "444455556666".to_string()].into(),
            plan: PLAN.into(),
            auto_associate: false,
            group_type: GroupType::Standard,
            responsibility_transfer_arn: None,
        });
        let d = detail(
            &row(
                Kind::BillingGroup,
                "create",
                "billing group retail",
                None,
                Some(&g),
            ),
            &namer,
        );
        assert_eq!(d.before_label, "(did not exist)");
        assert!(d.fields.iter().all(|f| !f.changed && f.before.is_empty()));
        assert_eq!(field(&d, "Pricing plan").after, ["standard"]);
        assert_eq!(
            field(&d, "Primary account").after,
            ["111122223333 (shop-prod)"]
        );
        assert_eq!(
            field(&d, "Accounts").after,
            ["111122223333 (shop-prod)", "444455556666"]
        );
        // Deleting it: everything on the before side, nothing marked.
        let d = detail(
            &row(
                Kind::BillingGroup,
                "delete",
                "billing group retail",
                Some(&g),
                None,
            ),
            &namer,
        );
        assert_eq!(d.after_label, "(deleted)");
        assert!(d.fields.iter().all(|f| !f.changed && f.after.is_empty()));
        assert_eq!(field(&d, "Group type").before, ["standard"]);
    }

    #[test]
    fn an_edited_rule_shows_the_modifier_change_and_managed_plans_are_named() {
        let config = Config::default();
        let names = HashMap::new();
        let namer = Namer::new(&config, &[], &names);
        let d = detail(
            &row(
                Kind::PricingRule,
                "edit",
                "pricing rule markup",
                Some(&Object::Rule(rule(RULE_A, "markup", 10))),
                Some(&Object::Rule(rule(RULE_A, "markup", 12))),
            ),
            &namer,
        );
        let m = field(&d, "Modifier");
        assert!(m.changed);
        assert_eq!(
            (m.before.clone(), m.after.clone()),
            (vec!["10%".to_string()], vec!["12%".to_string()])
        );
        assert_eq!(d.fields.iter().filter(|f| f.changed).count(), 1, "{d:?}");
        assert_eq!(
            namer.name(crate::model::PASSTHROUGH_PLAN_ARN),
            "Passthrough"
        );
        assert_eq!(
            namer.name("arn:aws:billing::123456789012:billingview/primary"),
            "Primary View (123456789012)"
        );
    }

    #[test]
    fn items_and_views_name_groups_items_views_and_accounts() {
        use crate::model::{CustomLineItem, CustomView, ItemType};
        let mut config = Config::default();
        config.groups.push(BillingGroup {
            arn: GROUP.into(),
            name: "retail".into(),
            description: String::new(),
            primary_account: "111122223333".into(),
            accounts: ["111122223333".to_string()].into(),
            plan: crate::model::BASIC_PLAN_ARN.into(),
            auto_associate: false,
            group_type: GroupType::Standard,
            responsibility_transfer_arn: None,
        });
        let names: HashMap<String, String> =
            [("111122223333".to_string(), "shop-prod".to_string())].into();
        let namer = Namer::new(&config, &[], &names);
        let item = |end: Option<&str>, pct: i64| {
            Object::Item(CustomLineItem {
                arn: "arn:aws:billingconductor::111122223333:customlineitem/IIIIIIIIII".into(),
                name: "support".into(),
                description: "Support".into(),
                group: GROUP.into(),
                account: Some("111122223333".into()),
                item_type: ItemType::Fee,
                charge: Charge::Percentage {
                    percent: Decimal::from(pct),
                    associated: vec![GROUP.into()],
                },
                filter: Some(LineItemFilter::Service {
                    equal: false,
                    service: "AmazonEC2".into(),
                }),
                computation: Computation::Consolidated,
                presentation_service: "AWSBillingConductor".into(),
                start: "2026-09".parse().unwrap(),
                end: end.map(|e| e.parse().unwrap()),
                currency: "USD".into(),
            })
        };
        let d = detail(
            &row(
                Kind::CustomLineItem,
                "edit",
                "custom line item support",
                Some(&item(None, 7)),
                Some(&item(Some("2026-11"), 8)),
            ),
            &namer,
        );
        let changed: Vec<&str> = d
            .fields
            .iter()
            .filter(|f| f.changed)
            .map(|f| f.label.as_str())
            .collect();
        assert_eq!(changed, ["Charge", "To (exclusive)"]);
        assert_eq!(field(&d, "Billing group").after, ["retail"]);
        assert_eq!(field(&d, "Percentage of").after, ["retail"]);
        assert_eq!(field(&d, "Account").after, ["111122223333 (shop-prod)"]);
        assert_eq!(field(&d, "Filter").after, ["excluding AmazonEC2"]);
        assert_eq!(field(&d, "To (exclusive)").before, ["recurring"]);
        assert_eq!(field(&d, "To (exclusive)").after, ["2026-11"]);
        let view = Object::View(CustomView {
            arn: "arn:aws:billing::111122223333:billingview/custom-VVVVVVVVVV".into(),
            name: "shop".into(),
            description: String::new(),
            sources: vec!["arn:aws:billing::111122223333:billingview/primary".into()],
            filter: ViewFilter::Accounts {
                accounts: ["111122223333".to_string()].into(),
            },
        });
        let d = detail(
            &row(
                Kind::BillingView,
                "create",
                "billing view shop",
                None,
                Some(&view),
            ),
            &namer,
        );
        assert_eq!(field(&d, "Sources").after, ["Primary View (111122223333)"]);
        assert_eq!(field(&d, "Filter").after, ["accounts"]);
        assert_eq!(
            field(&d, "Filter values").after,
            ["111122223333 (shop-prod)"]
        );
        assert!(!format!("{d:?}").contains("arn:"));
    }

    #[test]
    fn entries_without_an_object_say_what_they_are() {
        let config = Config::default();
        let names = HashMap::new();
        let namer = Namer::new(&config, &[], &names);
        let mut r = row(Kind::BillingGroup, "close", "period 2026-09", None, None);
        r.kind = None;
        r.reason = Some("invoiced".into());
        let d = detail(&r, &namer);
        assert_eq!(d.note.as_deref(), Some("close: invoiced"));
        assert!(d.fields.is_empty());
        // An import's summary: its keys in words.
        r.action = "import".into();
        r.object = "delivery 111122223333 2026-09".into();
        r.after = Some(
            r#"{"rows": 12, "billable": "25282.8762095589", "files": ["a.csv", "b.csv"]}"#.into(),
        );
        let d = detail(&r, &namer);
        assert_eq!(field(&d, "Rows").after, ["12"]);
        assert_eq!(field(&d, "Files").after, ["a.csv", "b.csv"]);
        assert_eq!(
            field(&d, "Billable").after,
            ["25,282.88"],
            "in cents, grouped"
        );
    }
}

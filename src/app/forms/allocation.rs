//! The cost allocation form (issue 14 item 4): the amount's source (a fixed amount, or the
//! billable cost of accounts, services and line item types), the key, the target groups (with
//! their weights for the `WEIGHTS` key), the presentation service and the periods.

use super::{Field, FormContext, KindForm, Parse, dec};
use crate::model::{
    AllocationKey, AllocationSource, AllocationTarget, CostAllocation,
    DEFAULT_PRESENTATION_SERVICE, Kind, Object,
};
use std::collections::BTreeSet;

/// The cost allocation kind's fields and parse.
pub(super) struct AllocationForm;

/// A value of the history's field-by-field view.
pub enum Shown {
    Text(String),
    List(Vec<String>),
}

/// An allocation's fields as the history shows them, ARNs named by `name`.
pub fn history_fields(
    a: &CostAllocation,
    name: &dyn Fn(&str) -> String,
) -> Vec<(&'static str, Shown)> {
    let list = |s: &BTreeSet<String>| Shown::List(s.iter().cloned().collect());
    let mut out = vec![
        ("Name", Shown::Text(a.name.clone())),
        ("Description", Shown::Text(a.description.clone())),
    ];
    match &a.source {
        AllocationSource::Fixed { amount } => {
            out.push(("Amount", Shown::Text(crate::money::fmt_grouped(*amount))));
        }
        AllocationSource::Cost {
            accounts,
            services,
            line_item_types,
        } => {
            out.push(("Cost of accounts", list(accounts)));
            out.push(("Cost of services", list(services)));
            out.push(("Cost of line item types", list(line_item_types)));
        }
    }
    out.push(("Key", Shown::Text(a.key.describe())));
    out.push(("Target groups", Shown::List(targets_text(a, name))));
    out.push(("Presentation", Shown::Text(a.presentation_service.clone())));
    out.push(("From", Shown::Text(a.start.to_string())));
    out.push((
        "To (exclusive)",
        Shown::Text(a.end.map_or("recurring".into(), |e| e.to_string())),
    ));
    out
}

/// The targets as `name` or `name=weight`.
fn targets_text(a: &CostAllocation, name: &dyn Fn(&str) -> String) -> Vec<String> {
    a.targets
        .iter()
        .map(|t| match t.weight {
            Some(w) => format!("{}={}", name(&t.group), w.normalize()),
            None => name(&t.group),
        })
        .collect()
}

impl KindForm for AllocationForm {
    fn fields(&self, ctx: &FormContext, object: Option<&Object>) -> Vec<Field> {
        let a = match object {
            Some(Object::Allocation(a)) => Some(a),
            _ => None,
        };
        let cfg = ctx.config;
        let join = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join(", ");
        let (source, amount, accounts, services, types) = match a.map(|a| &a.source) {
            Some(AllocationSource::Fixed { amount }) => (
                "FIXED",
                dec(Some(*amount)),
                String::new(),
                String::new(),
                String::new(),
            ),
            Some(AllocationSource::Cost {
                accounts,
                services,
                line_item_types,
            }) => (
                "COST",
                String::new(),
                join(accounts),
                join(services),
                join(line_item_types),
            ),
            None => (
                "FIXED",
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ),
        };
        let name_of = |arn: &str| {
            cfg.group(arn)
                .map_or_else(|| arn.to_string(), |g| g.name.clone())
        };
        let key_service = match a.map(|a| &a.key) {
            Some(AllocationKey::ServiceCost { service }) => service.clone(),
            _ => String::new(),
        };
        vec![
            Field::name(a.map(|a| a.name.clone()).unwrap_or_default()),
            Field::description(a.map(|a| a.description.clone()).unwrap_or_default()),
            Field::choice("source", "Amount from", source, &["FIXED", "COST"], &[]),
            Field::text("amount", "Fixed amount", amount, &["Source.Amount"]),
            Field::text("accounts", "Cost of accounts", accounts, &["Source"]),
            Field::text(
                "cost_services",
                "Cost of services (AWSSupport* = prefix)",
                services,
                &[],
            ),
            Field::text("line_item_types", "Cost of line item types", types, &[]),
            Field::choice(
                "key",
                "Split key",
                a.map_or("AWS_COST", |a| a.key.code()),
                &AllocationKey::CODES,
                &["Key"],
            ),
            Field::text("key_service", "Key service code", key_service, &[]),
            Field::text(
                "targets",
                "Target groups (name or name=weight)",
                a.map(|a| targets_text(a, &name_of).join(", "))
                    .unwrap_or_default(),
                &["Targets", "Weights"],
            ),
            Field::text(
                "presentation",
                "Presentation service",
                a.map_or_else(
                    || DEFAULT_PRESENTATION_SERVICE.to_string(),
                    |a| a.presentation_service.clone(),
                ),
                &["PresentationService"],
            ),
            Field::text(
                "start",
                "From period (inclusive)",
                a.map_or_else(|| ctx.period.to_string(), |a| a.start.to_string()),
                &["BillingPeriodRange"],
            ),
            Field::text(
                "end",
                "Until period (exclusive, optional)",
                a.and_then(|a| a.end)
                    .map(|e| e.to_string())
                    .unwrap_or_default(),
                &[],
            ),
        ]
    }

    fn applies(&self, form: &super::Form, key: &str) -> bool {
        let fixed = form.field("source") == "FIXED";
        match key {
            "amount" => fixed,
            "accounts" | "cost_services" | "line_item_types" => !fixed,
            "key_service" => form.field("key") == "SERVICE_COST",
            _ => true,
        }
    }

    fn parse(&self, p: &mut Parse) -> Object {
        let cfg = p.ctx.config;
        let set = |p: &Parse, key: &str| -> BTreeSet<String> { p.list(key).into_iter().collect() };
        let source = if p.text("source") == "COST" {
            let accounts = p
                .list("accounts")
                .into_iter()
                .map(|a| p.ctx.account_id(&a).unwrap_or(a))
                .collect();
            AllocationSource::Cost {
                accounts,
                services: set(p, "cost_services"),
                line_item_types: set(p, "line_item_types"),
            }
        } else {
            AllocationSource::Fixed {
                amount: p.number("amount").unwrap_or_default(),
            }
        };
        let key_service = p.text("key_service");
        let key = AllocationKey::from_code(&p.text("key"), Some(&key_service))
            .unwrap_or(AllocationKey::Even);
        let mut targets = Vec::new();
        for entry in p.list("targets") {
            let (name, weight) = match entry.split_once('=') {
                Some((n, w)) => (n.trim().to_string(), Some(w.trim().to_string())),
                None => (entry.clone(), None),
            };
            let Some(g) = cfg.groups.iter().find(|g| g.name == name) else {
                p.error(
                    "targets",
                    format!("MISSING_BILLINGGROUP: no billing group named '{name}'"),
                );
                continue;
            };
            let weight = match weight.as_deref().map(crate::money::parse_decimal) {
                None => None,
                Some(Ok(w)) => w,
                Some(Err(_)) => {
                    p.error("targets", format!("the weight of '{name}' is not a number"));
                    None
                }
            };
            targets.push(AllocationTarget {
                group: g.arn.clone(),
                weight,
            });
        }
        Object::Allocation(CostAllocation {
            arn: p.arn(Kind::CostAllocation),
            name: p.text("name"),
            description: p.text("description"),
            source,
            key,
            targets,
            presentation_service: p
                .opt("presentation")
                .unwrap_or_else(|| DEFAULT_PRESENTATION_SERVICE.into()),
            start: p.period("start").unwrap_or(p.ctx.period),
            end: p.period("end"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::Form;
    use super::super::test_support::{ctx_data, set};
    use crate::model::{AllocationKey, AllocationSource, Kind, Object};
    use rust_decimal::Decimal;

    #[test]
    fn a_weighted_split_of_a_support_fee_round_trips_through_the_form() {
        let data = ctx_data();
        let ctx = data.ctx();
        let mut form = Form::new(Kind::CostAllocation, &ctx);
        set(&mut form, "name", "support-share");
        set(&mut form, "source", "COST");
        set(&mut form, "cost_services", "AWSSupport*");
        set(&mut form, "line_item_types", "Fee");
        set(&mut form, "key", "WEIGHTS");
        let a = ctx.config.groups[0].name.clone();
        set(&mut form, "targets", &format!("{a}=3"));
        let Ok(Object::Allocation(x)) = form.to_object(&ctx) else {
            panic!("not an allocation: {:?}", form.to_object(&ctx));
        };
        assert_eq!(x.key, AllocationKey::Weights);
        assert_eq!(x.targets.len(), 1);
        assert_eq!(x.targets[0].group, ctx.config.groups[0].arn);
        assert_eq!(x.targets[0].weight, Some(Decimal::from(3)));
        assert!(matches!(
            &x.source,
            AllocationSource::Cost { services, .. } if services.contains("AWSSupport*")
        ));
        assert_eq!(x.start, ctx.period);
        // The form of the stored object gives it back unchanged.
        let stored = Object::Allocation(x);
        let again = Form::for_object(&ctx, &stored);
        assert_eq!(again.to_object(&ctx), Ok(stored));
    }

    #[test]
    fn an_unknown_group_and_a_bad_weight_are_errors_under_the_targets() {
        let data = ctx_data();
        let ctx = data.ctx();
        let mut form = Form::new(Kind::CostAllocation, &ctx);
        set(&mut form, "name", "x");
        set(&mut form, "amount", "10");
        set(&mut form, "targets", "nobody");
        assert_eq!(
            form.to_object(&ctx).unwrap_err()["targets"],
            "MISSING_BILLINGGROUP: no billing group named 'nobody'"
        );
        let a = ctx.config.groups[0].name.clone();
        set(&mut form, "targets", &format!("{a}=x"));
        assert!(
            form.to_object(&ctx).unwrap_err()["targets"].contains("not a number"),
            "{:?}",
            form.to_object(&ctx)
        );
    }
}

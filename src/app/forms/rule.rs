//! The pricing rule form (SPEC 2.3): scope and type decide which fields apply (a percentage
//! for markups and discounts; service, billing entity, usage type and operation by scope; the
//! free tier or SKU tiers for tiering rules).

use super::{Field, Form, FormContext, KindForm, Parse, dec};
use crate::model::{Kind, Object, PricingRule, RuleType, Scope, Tier};

/// The pricing rule kind's fields and parse.
pub(super) struct RuleForm;

/// `begin-end:rate` (end empty for the last tier), each an exact decimal.
fn tier(part: &str) -> Option<Tier> {
    let (range, rate) = part.split_once(':')?;
    let (b, e) = range.split_once('-')?;
    let begin = crate::money::parse_decimal(b).ok().flatten()?;
    let end = if e.trim().is_empty() {
        None
    } else {
        Some(crate::money::parse_decimal(e).ok().flatten()?)
    };
    Some(Tier {
        begin,
        end,
        rate: crate::money::parse_decimal(rate).ok().flatten()?,
    })
}

impl KindForm for RuleForm {
    fn fields(&self, _ctx: &FormContext, object: Option<&Object>) -> Vec<Field> {
        let r = match object {
            Some(Object::Rule(r)) => Some(r),
            _ => None,
        };
        let s = |f: fn(&PricingRule) -> Option<String>| r.and_then(f).unwrap_or_default();
        let tiers = r
            .map(|r| {
                r.tiers
                    .iter()
                    .map(|t| {
                        format!(
                            "{}-{}:{}",
                            t.begin.normalize(),
                            t.end.map(|e| e.normalize().to_string()).unwrap_or_default(),
                            t.rate.normalize()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        vec![
            Field::name(s(|r| Some(r.name.clone()))),
            Field::description(s(|r| Some(r.description.clone()))),
            Field::choice(
                "scope",
                "Scope",
                r.map_or(Scope::Global, |r| r.scope).code(),
                &Scope::codes(),
                &["Scope"],
            ),
            Field::choice(
                "type",
                "Type",
                r.map_or(RuleType::Markup, |r| r.rule_type).code(),
                &RuleType::codes(),
                &["Type"],
            ),
            Field::text(
                "percent",
                "Percentage",
                s(|r| Some(dec(r.modifier))),
                &["ModifierPercentage"],
            ),
            Field::text(
                "service",
                "Service code",
                s(|r| r.service.clone()),
                &["Service"],
            ),
            Field::choice(
                "billing_entity",
                "Billing entity",
                s(|r| r.billing_entity.clone()),
                &["AWS", "AWS Marketplace", "AISPL"],
                &["BillingEntity"],
            ),
            Field::text(
                "usage_type",
                "Usage type",
                s(|r| r.usage_type.clone()),
                &["UsageType"],
            ),
            Field::text(
                "operation",
                "Operation",
                s(|r| r.operation.clone()),
                &["Operation"],
            ),
            Field::choice(
                "free_tier",
                "Free tier",
                r.and_then(|r| r.free_tier)
                    .map_or("on", |on| if on { "on" } else { "off" }),
                &["on", "off"],
                &["Tiering.FreeTier"],
            ),
            Field::text(
                "tiers",
                "Tiers (begin-end:rate, ...)",
                tiers,
                &["Tiering.Tiers"],
            ),
        ]
    }

    fn applies(&self, form: &Form, key: &str) -> bool {
        let scope = form.field("scope").parse::<Scope>().ok();
        let tiering = form.field("type").parse() == Ok(RuleType::Tiering);
        let sku = scope == Some(Scope::Sku);
        match key {
            "percent" => !tiering,
            "service" => scope == Some(Scope::Service) || sku,
            "billing_entity" => scope == Some(Scope::BillingEntity),
            "usage_type" | "operation" => sku,
            "free_tier" => tiering && !sku,
            "tiers" => tiering && sku,
            _ => true,
        }
    }

    fn parse(&self, p: &mut Parse) -> Object {
        // Choice fields hold one of the codes they offer.
        let scope: Scope = p.text("scope").parse().unwrap_or(Scope::Global);
        let rule_type: RuleType = p.text("type").parse().unwrap_or(RuleType::Markup);
        // Refused beyond 2 decimals, never rounded: the same rule as configuration files
        // (README, "Configuration files").
        let modifier = if p.shown("percent") {
            p.number("percent")
                .and_then(|m| match crate::interop::at_most_decimals(m, 2) {
                    Ok(m) => Some(m),
                    Err(e) => {
                        p.error("percent", format!("ILLEGAL_MODIFIER_PERCENTAGE: {e}"));
                        None
                    }
                })
        } else {
            None
        };
        let mut tiers = Vec::new();
        if p.shown("tiers") {
            for part in p.list("tiers") {
                match tier(&part) {
                    Some(t) => tiers.push(t),
                    None => p.error(
                        "tiers",
                        format!("'{part}' is not begin-end:rate (end empty for the last tier)"),
                    ),
                }
            }
        }
        Object::Rule(PricingRule {
            arn: p.arn(Kind::PricingRule),
            name: p.text("name"),
            description: p.text("description"),
            scope,
            rule_type,
            modifier,
            service: p.shown_opt("service"),
            billing_entity: p.shown_opt("billing_entity"),
            usage_type: p.shown_opt("usage_type"),
            operation: p.shown_opt("operation"),
            free_tier: p.shown("free_tier").then(|| p.text("free_tier") == "on"),
            tiers,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::Form;
    use super::super::test_support::{ctx_data, set};
    use crate::model::{Kind, Object, RuleType, Scope, Tier};
    use rust_decimal::Decimal;

    #[test]
    fn a_service_markup_keeps_only_the_fields_its_scope_shows() {
        let data = ctx_data();
        let ctx = data.ctx();
        let mut form = Form::new(Kind::PricingRule, &ctx);
        set(&mut form, "name", "ec2-markup");
        set(&mut form, "scope", "SERVICE");
        set(&mut form, "percent", "12.50");
        set(&mut form, "service", "AmazonEC2");
        // Hidden by the scope: not parsed.
        set(&mut form, "usage_type", "BoxUsage");
        set(&mut form, "tiers", "nonsense");
        let Ok(Object::Rule(r)) = form.to_object(&ctx) else {
            panic!("not a rule: {:?}", form.to_object(&ctx));
        };
        assert_eq!(r.scope, Scope::Service);
        assert_eq!(r.rule_type, RuleType::Markup);
        assert_eq!(r.modifier, Some(Decimal::new(1250, 2)));
        assert_eq!(r.service.as_deref(), Some("AmazonEC2"));
        assert_eq!(r.usage_type, None);
        assert_eq!(r.free_tier, None);
        assert!(r.tiers.is_empty());
    }

    #[test]
    fn sku_tiers_parse_exactly() {
        let data = ctx_data();
        let ctx = data.ctx();
        let mut form = Form::new(Kind::PricingRule, &ctx);
        set(&mut form, "name", "tiers");
        set(&mut form, "scope", "SKU");
        set(&mut form, "type", "TIERING");
        set(&mut form, "service", "AmazonS3");
        set(&mut form, "usage_type", "TimedStorage-ByteHrs");
        set(&mut form, "tiers", "0-100:0.023, 100-:0.0215");
        let Ok(Object::Rule(r)) = form.to_object(&ctx) else {
            panic!("not a rule: {:?}", form.to_object(&ctx));
        };
        assert_eq!(r.modifier, None);
        assert_eq!(
            r.tiers,
            vec![
                Tier {
                    begin: Decimal::ZERO,
                    end: Some(Decimal::from(100)),
                    rate: Decimal::new(23, 3),
                },
                Tier {
                    begin: Decimal::from(100),
                    end: None,
                    rate: Decimal::new(215, 4),
                },
            ]
        );
    }

    #[test]
    fn bad_values_are_errors_under_their_fields() {
        let data = ctx_data();
        let ctx = data.ctx();
        let mut form = Form::new(Kind::PricingRule, &ctx);
        set(&mut form, "name", "r");
        set(&mut form, "percent", "ten");
        assert_eq!(
            form.to_object(&ctx).unwrap_err()["percent"],
            "'ten' is not a number"
        );
        set(&mut form, "percent", "1.005");
        let errors = form.to_object(&ctx).unwrap_err();
        assert!(
            errors["percent"].starts_with("ILLEGAL_MODIFIER_PERCENTAGE: "),
            "{errors:?}"
        );
        set(&mut form, "scope", "SKU");
        set(&mut form, "type", "TIERING");
        set(&mut form, "tiers", "0-10:1, 10:2");
        assert_eq!(
            form.to_object(&ctx).unwrap_err()["tiers"],
            "'10:2' is not begin-end:rate (end empty for the last tier)"
        );
    }

    #[test]
    fn an_edit_parses_back_to_the_stored_rule() {
        let data = ctx_data();
        let ctx = data.ctx();
        let stored = Object::Rule(ctx.config.rules[0].clone());
        let form = Form::for_object(&ctx, &stored);
        assert_eq!(form.field("percent"), "10");
        assert_eq!(form.to_object(&ctx), Ok(stored));
    }
}

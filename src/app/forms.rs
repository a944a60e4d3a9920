//! Forms for configuration objects (SPEC 2): one field per line, inline errors with the ABC
//! reason code, a live preview of the totals, and a save that is one transaction.

use crate::model::*;
use crate::period::BillingPeriod;
use crate::store::config::{Change, ConfigError, Object};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormKind {
    Group,
    Plan,
    Rule,
    Item,
    View,
}

impl FormKind {
    pub fn label(self) -> &'static str {
        match self {
            FormKind::Group => "billing group",
            FormKind::Plan => "pricing plan",
            FormKind::Rule => "pricing rule",
            FormKind::Item => "custom line item",
            FormKind::View => "billing view",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    Text,
    /// One of these; Left/Right change it.
    Choice(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub value: String,
    pub input: Input,
    /// The AWS field names whose violations show under this field.
    pub aws: &'static [&'static str],
    /// Cannot change after creation (custom line item type and charge kind).
    pub locked: bool,
}

impl Field {
    fn text(
        key: &'static str,
        label: &'static str,
        value: impl Into<String>,
        aws: &'static [&'static str],
    ) -> Field {
        Field {
            key,
            label,
            value: value.into(),
            input: Input::Text,
            aws,
            locked: false,
        }
    }
    fn name(value: impl Into<String>) -> Field {
        Field::text("name", "Name", value, &["Name"])
    }
    fn description(value: impl Into<String>) -> Field {
        Field::text("description", "Description", value, &["Description"])
    }
    fn choice(
        key: &'static str,
        label: &'static str,
        value: impl Into<String>,
        options: &[&str],
        aws: &'static [&'static str],
    ) -> Field {
        Field {
            key,
            label,
            value: value.into(),
            input: Input::Choice(options.iter().map(|s| (*s).to_string()).collect()),
            aws,
            locked: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    pub kind: FormKind,
    /// The ARN being edited; None for a new object.
    pub editing: Option<String>,
    pub fields: Vec<Field>,
    pub focus: usize,
    pub dirty: bool,
    /// Errors by field key ("" for the form as a whole): reason code and message.
    pub errors: BTreeMap<String, String>,
    /// What the change would do to the totals, recomputed as the user types.
    pub preview: Vec<String>,
    /// A newer preview is being computed.
    pub preview_stale: bool,
    /// Completions for the focused field, from the workspace's data and names.
    pub suggestions: Vec<String>,
    /// Esc on a changed form asks first.
    pub confirm_cancel: bool,
    /// The stored object as it was when the form opened (edits of the baseline): saving
    /// refuses to write over a change another process made since (issue 8, item 5).
    pub seen: Option<crate::store::config::Seen>,
    /// The field values when the form opened, by field key (what "was" in a conflict).
    pub opened: Vec<(&'static str, String)>,
    /// The object changed since the form opened: what changed, and the user's choice to make.
    pub conflict: Option<Conflict>,
}

/// A save refused because another process changed (or deleted) the object since the form
/// opened. The form shows `message` and `lines`; `o` overwrites with the form's values, `t`
/// takes theirs (closes the form), `Esc` keeps editing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// Who changed it and when.
    pub message: String,
    /// One line per field that changed: "Label: was X · theirs Y · yours Z".
    pub lines: Vec<String>,
    /// The object deleted by the other process.
    pub deleted: bool,
    /// The object's state now: overwriting saves against it.
    pub seen_now: crate::store::config::Seen,
}

fn dec(d: Option<Decimal>) -> String {
    d.map(|d| d.normalize().to_string()).unwrap_or_default()
}

impl Form {
    fn with(kind: FormKind, editing: Option<String>, fields: Vec<Field>) -> Form {
        Form {
            kind,
            editing,
            fields,
            focus: 0,
            dirty: false,
            errors: BTreeMap::new(),
            preview: Vec::new(),
            preview_stale: false,
            suggestions: Vec::new(),
            confirm_cancel: false,
            seen: None,
            opened: Vec::new(),
            conflict: None,
        }
    }

    /// The edit form of a stored object (to compare its fields with another version).
    pub fn for_object(app: &FormContext<'_>, o: &Object) -> Form {
        match o {
            Object::Group(x) => Form::edit_group(app, x),
            Object::Plan(x) => Form::edit_plan(app, x),
            Object::Rule(x) => Form::edit_rule(x),
            Object::Item(x) => Form::edit_item(app, x),
            Object::View(x) => Form::edit_view(app, x),
        }
    }

    /// A new object's form of `kind`.
    pub fn new_of(kind: Kind, app: &FormContext<'_>) -> Form {
        match kind {
            Kind::BillingGroup => Form::new_group(app),
            Kind::PricingPlan => Form::new_plan(app),
            Kind::PricingRule => Form::new_rule(),
            Kind::CustomLineItem => Form::new_item(app),
            Kind::BillingView => Form::new_view(app),
        }
    }

    /// The edit form of the object of `kind` named `name` in the configuration being edited;
    /// None when there is none (managed plans are not editable objects).
    pub fn edit_of(kind: Kind, name: &str, app: &FormContext<'_>) -> Option<Form> {
        app.config
            .find_named(kind, name)
            .map(|o| Form::for_object(app, &o))
    }

    /// The configuration kind this form edits.
    pub fn model_kind(&self) -> Kind {
        match self.kind {
            FormKind::Group => Kind::BillingGroup,
            FormKind::Plan => Kind::PricingPlan,
            FormKind::Rule => Kind::PricingRule,
            FormKind::Item => Kind::CustomLineItem,
            FormKind::View => Kind::BillingView,
        }
    }

    /// Remembers the field values and the stored object as they are now (the form opened):
    /// in the baseline, or in the open scenario.
    pub fn remember_opened(&mut self, ws: &crate::store::Workspace, scenario: Option<i64>) {
        self.opened = self
            .fields
            .iter()
            .map(|f| (f.key, f.value.clone()))
            .collect();
        if let Some(arn) = &self.editing {
            self.seen = match scenario {
                None => ws.seen(self.model_kind(), arn).ok(),
                Some(id) => ws.scenario_seen(id, self.model_kind(), arn).ok(),
            };
        }
    }

    fn opened_value(&self, key: &str) -> &str {
        self.opened
            .iter()
            .find(|(k, _)| *k == key)
            .map_or("", |(_, v)| v.as_str())
    }

    /// What changed between the form's opening and `st` (another process's save).
    fn conflict(&self, app: &FormContext<'_>, st: &crate::store::config::Stale) -> Conflict {
        let show = |v: &str| {
            if v.is_empty() {
                "(empty)".to_string()
            } else {
                format!("'{v}'")
            }
        };
        let mut lines = Vec::new();
        match &st.current {
            None => lines.push(format!(
                "It no longer exists in {}: o recreates it with your values, t leaves it deleted.",
                app.period
            )),
            Some(o) => {
                let theirs = Form::for_object(app, o);
                for f in &self.fields {
                    let was = self.opened_value(f.key);
                    let their = theirs.field(f.key);
                    if their != was {
                        lines.push(format!(
                            "{}: was {} · theirs {} · yours {}",
                            f.label,
                            show(was),
                            show(their),
                            show(&f.value)
                        ));
                    }
                }
                if lines.is_empty() {
                    lines.push(format!(
                        "Its fields in {} are unchanged; their change is to its versions of other periods, which saving yours replaces from {} on.",
                        app.period,
                        app.period
                    ));
                }
            }
        }
        Conflict {
            message: st.to_string(),
            lines,
            deleted: st.current.is_none(),
            seen_now: st.seen_now.clone(),
        }
    }

    pub fn field(&self, key: &str) -> &str {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .map_or("", |f| f.value.as_str())
    }

    /// Fields that apply given the current choices (a rule's fields follow its scope and type).
    pub fn shown(&self) -> Vec<usize> {
        let scope = self.field("scope");
        let rule_type = self.field("type");
        let charge = self.field("charge");
        let filter = self.field("filter");
        (0..self.fields.len())
            .filter(|&i| match (self.kind, self.fields[i].key) {
                (FormKind::Rule, "percent") => rule_type != "TIERING",
                (FormKind::Rule, "service") => scope == "SERVICE" || scope == "SKU",
                (FormKind::Rule, "billing_entity") => scope == "BILLING_ENTITY",
                (FormKind::Rule, "usage_type" | "operation") => scope == "SKU",
                (FormKind::Rule, "free_tier") => rule_type == "TIERING" && scope != "SKU",
                (FormKind::Rule, "tiers") => rule_type == "TIERING" && scope == "SKU",
                (FormKind::Item, "associated" | "filter" | "computation") => charge == "PERCENTAGE",
                (FormKind::Item, "filter_service") => {
                    charge == "PERCENTAGE" && filter.starts_with("SERVICE")
                }
                (FormKind::View, "filter_key") => filter == "tag" || filter == "cost category",
                (FormKind::View, "values") => filter != "none",
                _ => true,
            })
            .collect()
    }

    pub fn new_rule() -> Form {
        Self::rule_form(None)
    }

    pub fn edit_rule(r: &PricingRule) -> Form {
        Self::rule_form(Some(r))
    }

    fn rule_form(r: Option<&PricingRule>) -> Form {
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
        Form::with(
            FormKind::Rule,
            r.map(|r| r.arn.clone()),
            vec![
                Field::name(s(|r| Some(r.name.clone()))),
                Field::description(s(|r| Some(r.description.clone()))),
                Field::choice(
                    "scope",
                    "Scope",
                    r.map_or("GLOBAL", |r| r.scope.code()),
                    &["GLOBAL", "SERVICE", "BILLING_ENTITY", "SKU"],
                    &["Scope"],
                ),
                Field::choice(
                    "type",
                    "Type",
                    r.map_or("MARKUP", |r| r.rule_type.code()),
                    &["MARKUP", "DISCOUNT", "TIERING"],
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
            ],
        )
    }

    pub fn new_group(app: &FormContext<'_>) -> Form {
        Self::group_form(app, None)
    }

    pub fn edit_group(app: &FormContext<'_>, g: &BillingGroup) -> Form {
        Self::group_form(app, Some(g))
    }

    fn group_form(app: &FormContext<'_>, g: Option<&BillingGroup>) -> Form {
        let mut plans: Vec<String> = app.base.plans.iter().map(|p| p.name.clone()).collect();
        plans.extend(["BasicPricingPlan".to_string(), "Passthrough".to_string()]);
        let plan_refs: Vec<&str> = plans.iter().map(String::as_str).collect();
        Form::with(
            FormKind::Group,
            g.map(|g| g.arn.clone()),
            vec![
                Field::name(g.map(|g| g.name.clone()).unwrap_or_default()),
                Field::description(g.map(|g| g.description.clone()).unwrap_or_default()),
                Field::text(
                    "primary",
                    "Primary account",
                    g.map(|g| g.primary_account.clone()).unwrap_or_default(),
                    &["PrimaryAccountId"],
                ),
                Field::text(
                    "accounts",
                    "Accounts (ids or names, comma separated)",
                    g.map(|g| g.accounts.iter().cloned().collect::<Vec<_>>().join(", "))
                        .unwrap_or_default(),
                    &["Accounts"],
                ),
                Field::choice(
                    "plan",
                    "Pricing plan",
                    g.map_or_else(
                        || plans.first().cloned().unwrap_or_default(),
                        |g| app.base.plan_name(&g.plan),
                    ),
                    &plan_refs,
                    &["ComputationPreference.PricingPlanArn"],
                ),
                Field::choice(
                    "group_type",
                    "Type",
                    if g.is_some_and(|g| g.group_type == GroupType::TransferBilling) {
                        "TRANSFER_BILLING"
                    } else {
                        "STANDARD"
                    },
                    &["STANDARD", "TRANSFER_BILLING"],
                    &["BillingGroupType"],
                ),
                Field::choice(
                    "auto",
                    "Auto-associate",
                    if g.is_some_and(|g| g.auto_associate) {
                        "yes"
                    } else {
                        "no"
                    },
                    &["no", "yes"],
                    &["AccountGrouping.AutoAssociate"],
                ),
            ],
        )
    }

    pub fn new_plan(app: &FormContext<'_>) -> Form {
        Self::plan_form(app, None)
    }

    pub fn edit_plan(app: &FormContext<'_>, p: &PricingPlan) -> Form {
        Self::plan_form(app, Some(p))
    }

    fn plan_form(app: &FormContext<'_>, p: Option<&PricingPlan>) -> Form {
        let rules = p
            .map(|p| {
                p.rules
                    .iter()
                    .filter_map(|a| app.base.rule(a))
                    .map(|r| r.name.clone())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        Form::with(
            FormKind::Plan,
            p.map(|p| p.arn.clone()),
            vec![
                Field::name(p.map(|p| p.name.clone()).unwrap_or_default()),
                Field::description(p.map(|p| p.description.clone()).unwrap_or_default()),
                Field::text(
                    "rules",
                    "Rules (names, comma separated)",
                    rules,
                    &["PricingRuleArns"],
                ),
            ],
        )
    }

    pub fn new_view(app: &FormContext<'_>) -> Form {
        Self::view_form(app, None)
    }

    pub fn edit_view(app: &FormContext<'_>, v: &CustomView) -> Form {
        Self::view_form(app, Some(v))
    }

    fn view_form(app: &FormContext<'_>, v: Option<&CustomView>) -> Form {
        let cfg = &app.config;
        let sources = v
            .map(|v| {
                v.sources
                    .iter()
                    .map(|s| match primary_view_payer(s) {
                        Some(p) if app.payers.len() == 1 && app.payers.contains(p) => {
                            "primary".to_string()
                        }
                        Some(p) => format!("primary:{p}"),
                        None => cfg.view(s).map_or_else(|| s.clone(), |x| x.name.clone()),
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_else(|| "primary".into());
        let (filter, key, values) = match v.map(|v| &v.filter) {
            None | Some(ViewFilter::None) => ("none", String::new(), String::new()),
            Some(ViewFilter::Accounts { accounts }) => (
                "accounts",
                String::new(),
                accounts.iter().cloned().collect::<Vec<_>>().join(", "),
            ),
            Some(ViewFilter::Tag { key, values }) => (
                "tag",
                key.clone(),
                values.iter().cloned().collect::<Vec<_>>().join(", "),
            ),
            Some(ViewFilter::CostCategory { key, values }) => (
                "cost category",
                key.clone(),
                values.iter().cloned().collect::<Vec<_>>().join(", "),
            ),
        };
        Form::with(
            FormKind::View,
            v.map(|v| v.arn.clone()),
            vec![
                Field::name(v.map(|v| v.name.clone()).unwrap_or_default()),
                Field::description(v.map(|v| v.description.clone()).unwrap_or_default()),
                Field::text(
                    "sources",
                    "Source views (primary or view names)",
                    sources,
                    &["SourceViews"],
                ),
                Field::choice(
                    "filter",
                    "Filter",
                    filter,
                    &["none", "accounts", "tag", "cost category"],
                    &["DataFilterExpression"],
                ),
                Field::text("filter_key", "Tag or cost category key", key, &[]),
                Field::text(
                    "values",
                    "Values (accounts: ids or names; tag or cost category: its values)",
                    values,
                    &[],
                ),
            ],
        )
    }

    pub fn new_item(app: &FormContext<'_>) -> Form {
        Self::item_form(app, None)
    }

    pub fn edit_item(app: &FormContext<'_>, i: &CustomLineItem) -> Form {
        Self::item_form(app, Some(i))
    }

    fn item_form(app: &FormContext<'_>, i: Option<&CustomLineItem>) -> Form {
        let cfg = &app.config;
        let groups: Vec<String> = cfg.groups.iter().map(|g| g.name.clone()).collect();
        let group_refs: Vec<&str> = groups.iter().map(String::as_str).collect();
        let name_of = |arn: &str| {
            cfg.group(arn)
                .map(|g| g.name.clone())
                .or_else(|| cfg.item(arn).map(|x| x.name.clone()))
                .unwrap_or_else(|| arn.to_string())
        };
        let (charge, value, associated) = match i.map(|i| &i.charge) {
            Some(Charge::Flat { value }) => ("FLAT", dec(Some(*value)), String::new()),
            Some(Charge::Percentage {
                percent,
                associated,
            }) => (
                "PERCENTAGE",
                dec(Some(*percent)),
                associated
                    .iter()
                    .map(|a| name_of(a))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
            None => ("FLAT", String::new(), String::new()),
        };
        let (filter, filter_service) = match i.and_then(|i| i.filter.clone()) {
            None => ("none", String::new()),
            Some(LineItemFilter::ExcludeSavingsPlanNegation) => {
                ("exclude SP negation", String::new())
            }
            Some(LineItemFilter::Service {
                equal: true,
                service,
            }) => ("SERVICE EQUAL", service),
            Some(LineItemFilter::Service {
                equal: false,
                service,
            }) => ("SERVICE NOT_EQUAL", service),
        };
        let mut fields = vec![
            Field::name(i.map(|i| i.name.clone()).unwrap_or_default()),
            Field::description(i.map(|i| i.description.clone()).unwrap_or_default()),
            Field::choice(
                "group",
                "Billing group",
                i.and_then(|i| cfg.group(&i.group)).map_or_else(
                    || groups.first().cloned().unwrap_or_default(),
                    |g| g.name.clone(),
                ),
                &group_refs,
                &["BillingGroupArn"],
            ),
            Field::text(
                "account",
                "Account (default: the primary)",
                i.and_then(|i| i.account.clone()).unwrap_or_default(),
                &["AccountId"],
            ),
            Field::choice(
                "item_type",
                "Type",
                i.map_or("FEE", |i| i.item_type.code()),
                &["FEE", "CREDIT"],
                &["Type"],
            ),
            Field::choice(
                "charge",
                "Charge",
                charge,
                &["FLAT", "PERCENTAGE"],
                &["ChargeDetails"],
            ),
            Field::text(
                "value",
                "Amount or percentage",
                value,
                &[
                    "ChargeDetails.Flat.ChargeValue",
                    "ChargeDetails.Percentage.PercentageValue",
                ],
            ),
            Field::text(
                "associated",
                "Percentage of (groups and flat items)",
                associated,
                &["ChargeDetails.Percentage.AssociatedValues"],
            ),
            Field::choice(
                "filter",
                "Line item filter",
                filter,
                &[
                    "none",
                    "exclude SP negation",
                    "SERVICE EQUAL",
                    "SERVICE NOT_EQUAL",
                ],
                &["ChargeDetails.LineItemFilters"],
            ),
            Field::text("filter_service", "Filter service code", filter_service, &[]),
            Field::choice(
                "computation",
                "Computation",
                i.map_or("CONSOLIDATED", |i| {
                    if i.computation == Computation::Itemized {
                        "ITEMIZED"
                    } else {
                        "CONSOLIDATED"
                    }
                }),
                &["CONSOLIDATED", "ITEMIZED"],
                &["ComputationRule"],
            ),
            Field::text(
                "presentation",
                "Presentation service",
                i.map_or_else(
                    || DEFAULT_PRESENTATION_SERVICE.to_string(),
                    |i| i.presentation_service.clone(),
                ),
                &["PresentationDetails.Service"],
            ),
            Field::text(
                "start",
                "From period (inclusive)",
                i.map_or_else(|| app.period.to_string(), |i| i.start.to_string()),
                &["BillingPeriodRange"],
            ),
            Field::text(
                "end",
                "Until period (exclusive, optional)",
                i.and_then(|i| i.end)
                    .map(|e| e.to_string())
                    .unwrap_or_default(),
                &[],
            ),
        ];
        if i.is_some() {
            for f in fields
                .iter_mut()
                .filter(|f| f.key == "item_type" || f.key == "charge")
            {
                f.locked = true;
            }
        }
        Form::with(FormKind::Item, i.map(|i| i.arn.clone()), fields)
    }

    /// Builds the object; field-level parse errors come back keyed by field.
    pub fn to_object(&self, app: &FormContext<'_>) -> Result<Object, BTreeMap<String, String>> {
        let mut errors = BTreeMap::new();
        let payer = app
            .payers
            .iter()
            .next()
            .cloned()
            .unwrap_or_else(|| "000000000000".into());
        let f = |k: &str| self.field(k).trim().to_string();
        let opt = |k: &str| Some(f(k)).filter(|v| !v.is_empty());
        let number =
            |k: &str, errors: &mut BTreeMap<String, String>| match crate::money::parse_decimal(&f(
                k,
            )) {
                Ok(v) => v,
                Err(_) => {
                    errors.insert(k.to_string(), format!("'{}' is not a number", f(k)));
                    None
                }
            };
        let shown = self.shown();
        let visible = |k: &str| shown.iter().any(|&i| self.fields[i].key == k);
        let arn = |kind: Kind, name: &str| {
            self.editing
                .clone()
                .unwrap_or_else(|| new_arn(kind, &payer, name, now_salt()))
        };
        let cfg = &app.config;
        let object = match self.kind {
            FormKind::Rule => {
                let scope = match f("scope").as_str() {
                    "SERVICE" => Scope::Service,
                    "BILLING_ENTITY" => Scope::BillingEntity,
                    "SKU" => Scope::Sku,
                    _ => Scope::Global,
                };
                let rule_type = match f("type").as_str() {
                    "DISCOUNT" => RuleType::Discount,
                    "TIERING" => RuleType::Tiering,
                    _ => RuleType::Markup,
                };
                // Refused beyond 2 decimals, never rounded: the same rule as configuration
                // files (README, "Configuration files").
                let modifier = if visible("percent") {
                    number("percent", &mut errors).and_then(|m| {
                        match crate::interop::at_most_decimals(m, 2) {
                            Ok(m) => Some(m),
                            Err(e) => {
                                errors.insert(
                                    "percent".into(),
                                    format!("ILLEGAL_MODIFIER_PERCENTAGE: {e}"),
                                );
                                None
                            }
                        }
                    })
                } else {
                    None
                };
                let mut tiers = Vec::new();
                if visible("tiers") {
                    for part in f("tiers")
                        .split(',')
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                    {
                        let parsed = part.split_once(':').and_then(|(range, rate)| {
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
                        });
                        match parsed {
                            Some(t) => tiers.push(t),
                            None => {
                                errors.insert("tiers".into(), format!("'{part}' is not begin-end:rate (end empty for the last tier)"));
                            }
                        }
                    }
                }
                Object::Rule(PricingRule {
                    arn: arn(Kind::PricingRule, &f("name")),
                    name: f("name"),
                    description: f("description"),
                    scope,
                    rule_type,
                    modifier,
                    service: if visible("service") {
                        opt("service")
                    } else {
                        None
                    },
                    billing_entity: if visible("billing_entity") {
                        opt("billing_entity")
                    } else {
                        None
                    },
                    usage_type: if visible("usage_type") {
                        opt("usage_type")
                    } else {
                        None
                    },
                    operation: if visible("operation") {
                        opt("operation")
                    } else {
                        None
                    },
                    free_tier: visible("free_tier").then(|| f("free_tier") == "on"),
                    tiers,
                })
            }
            FormKind::Group => {
                let accounts = self.accounts(app, &f("accounts"), &mut errors);
                let plan = match f("plan").as_str() {
                    "BasicPricingPlan" => BASIC_PLAN_ARN.to_string(),
                    "Passthrough" => PASSTHROUGH_PLAN_ARN.to_string(),
                    name => cfg
                        .plans
                        .iter()
                        .find(|p| p.name == name)
                        .map(|p| p.arn.clone())
                        .unwrap_or_default(),
                };
                let primary = self
                    .account_id(app, &f("primary"))
                    .unwrap_or_else(|| f("primary"));
                Object::Group(BillingGroup {
                    arn: arn(Kind::BillingGroup, &f("name")),
                    name: f("name"),
                    description: f("description"),
                    primary_account: primary,
                    accounts,
                    plan,
                    auto_associate: f("auto") == "yes",
                    group_type: if f("group_type") == "TRANSFER_BILLING" {
                        GroupType::TransferBilling
                    } else {
                        GroupType::Standard
                    },
                })
            }
            FormKind::View => {
                let mut sources = Vec::new();
                for s in f("sources")
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                {
                    let arn = match s.split_once(':') {
                        _ if s == "primary" => {
                            app.payers.iter().next().map(|p| primary_view_arn(p))
                        }
                        Some(("primary", p)) => Some(primary_view_arn(p)),
                        _ => cfg
                            .views
                            .iter()
                            .find(|v| v.name == s)
                            .map(|v| v.arn.clone()),
                    };
                    match arn {
                        Some(a) => sources.push(a),
                        None => {
                            errors.insert(
                                "sources".into(),
                                format!("SOURCE_VIEW_NOT_FOUND: no billing view '{s}'"),
                            );
                        }
                    }
                }
                let values: std::collections::BTreeSet<String> = f("values")
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect();
                let filter = match f("filter").as_str() {
                    "accounts" => ViewFilter::Accounts {
                        accounts: values
                            .iter()
                            .map(|v| self.account_id(app, v).unwrap_or_else(|| v.clone()))
                            .collect(),
                    },
                    "tag" => ViewFilter::Tag {
                        key: f("filter_key"),
                        values,
                    },
                    "cost category" => ViewFilter::CostCategory {
                        key: f("filter_key"),
                        values,
                    },
                    _ => ViewFilter::None,
                };
                Object::View(CustomView {
                    arn: arn(Kind::BillingView, &f("name")),
                    name: f("name"),
                    description: f("description"),
                    sources,
                    filter,
                })
            }
            FormKind::Plan => {
                let mut rules = Vec::new();
                for name in f("rules")
                    .split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                {
                    match cfg.rules.iter().find(|r| r.name == name) {
                        Some(r) => rules.push(r.arn.clone()),
                        None => {
                            errors.insert(
                                "rules".into(),
                                format!("PRICINGRULES_NOT_EXIST: no pricing rule named '{name}'"),
                            );
                        }
                    }
                }
                Object::Plan(PricingPlan {
                    arn: arn(Kind::PricingPlan, &f("name")),
                    name: f("name"),
                    description: f("description"),
                    rules,
                })
            }
            FormKind::Item => {
                let group = cfg
                    .groups
                    .iter()
                    .find(|g| g.name == f("group"))
                    .map(|g| g.arn.clone())
                    .unwrap_or_default();
                let value = number("value", &mut errors).unwrap_or_default();
                let charge = if f("charge") == "PERCENTAGE" {
                    let mut associated = Vec::new();
                    for name in f("associated")
                        .split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                    {
                        match cfg
                            .groups
                            .iter()
                            .find(|g| g.name == name)
                            .map(|g| g.arn.clone())
                            .or_else(|| {
                                cfg.items
                                    .iter()
                                    .find(|i| i.name == name)
                                    .map(|i| i.arn.clone())
                            }) {
                            Some(a) => associated.push(a),
                            None => {
                                errors.insert("associated".into(), format!("ILLEGAL_RESOURCE_ARNS: no billing group or item named '{name}'"));
                            }
                        }
                    }
                    Charge::Percentage {
                        percent: value,
                        associated,
                    }
                } else {
                    Charge::Flat { value }
                };
                let filter = match f("filter").as_str() {
                    "exclude SP negation" if visible("filter") => {
                        Some(LineItemFilter::ExcludeSavingsPlanNegation)
                    }
                    "SERVICE EQUAL" if visible("filter") => Some(LineItemFilter::Service {
                        equal: true,
                        service: f("filter_service"),
                    }),
                    "SERVICE NOT_EQUAL" if visible("filter") => Some(LineItemFilter::Service {
                        equal: false,
                        service: f("filter_service"),
                    }),
                    _ => None,
                };
                let period =
                    |k: &str, errors: &mut BTreeMap<String, String>| -> Option<BillingPeriod> {
                        let text = f(k);
                        if text.is_empty() {
                            return None;
                        }
                        match text.parse() {
                            Ok(p) => Some(p),
                            Err(e) => {
                                errors.insert(k.to_string(), format!("{e}"));
                                None
                            }
                        }
                    };
                let start = period("start", &mut errors).unwrap_or(app.period);
                let end = period("end", &mut errors);
                let account = opt("account").map(|a| self.account_id(app, &a).unwrap_or(a));
                Object::Item(CustomLineItem {
                    arn: arn(Kind::CustomLineItem, &f("name")),
                    name: f("name"),
                    description: f("description"),
                    group,
                    account,
                    item_type: if f("item_type") == "CREDIT" {
                        ItemType::Credit
                    } else {
                        ItemType::Fee
                    },
                    charge,
                    filter,
                    computation: if visible("computation") && f("computation") == "ITEMIZED" {
                        Computation::Itemized
                    } else {
                        Computation::Consolidated
                    },
                    presentation_service: opt("presentation")
                        .unwrap_or_else(|| DEFAULT_PRESENTATION_SERVICE.into()),
                    start,
                    end,
                    // An edit keeps the item's currency; a new item is charged in the
                    // period's currency (SPEC 2.4: USD, or CNY for China-partition payers).
                    currency: self
                        .editing
                        .as_ref()
                        .and_then(|a| cfg.items.iter().find(|i| &i.arn == a))
                        .map(|i| i.currency.clone())
                        .unwrap_or_else(|| match app.currency.ok_or(()) {
                            Ok("CNY") => "CNY".into(),
                            _ => "USD".into(),
                        }),
                })
            }
        };
        if errors.is_empty() {
            Ok(object)
        } else {
            Err(errors)
        }
    }

    /// An account id from an id or an account name.
    fn account_id(&self, app: &FormContext<'_>, text: &str) -> Option<String> {
        let t = text.trim();
        if t.len() == 12 && t.bytes().all(|b| b.is_ascii_digit()) {
            return Some(t.to_string());
        }
        app.names
            .iter()
            .find(|(_, n)| n.as_str() == t)
            .map(|(id, _)| id.clone())
    }

    fn accounts(
        &self,
        app: &FormContext<'_>,
        list: &str,
        errors: &mut BTreeMap<String, String>,
    ) -> std::collections::BTreeSet<String> {
        let mut out = std::collections::BTreeSet::new();
        for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match self.account_id(app, part) {
                Some(id) => {
                    out.insert(id);
                }
                None => {
                    errors.insert("accounts".into(), format!("ILLEGAL_ACCOUNT_ID: '{part}' is neither a 12-digit account id nor an account name"));
                }
            }
        }
        out
    }

    /// Validates the form as it would be saved: parse errors, then every rule of SPEC 2 against
    /// the configuration with this object in it; errors land under their fields.
    pub fn check(&mut self, app: &FormContext<'_>) -> Option<(Object, Config)> {
        self.errors.clear();
        let object = match self.to_object(app) {
            Ok(o) => o,
            Err(e) => {
                self.errors = e;
                return None;
            }
        };
        let mut config = app.config.clone();
        config.put(object.clone());
        let ctx = app.validation.clone();
        let ctx = ValidationContext {
            allow_missing_sources: true,
            ..ctx
        };
        if let Err(v) = validate(&config, &ctx) {
            let prefix = format!("{} '{}'.", self.kind.label(), object.name());
            for x in v.0 {
                let key = x
                    .field
                    .strip_prefix(&prefix)
                    .and_then(|rest| {
                        self.fields
                            .iter()
                            .find(|f| f.aws.iter().any(|a| rest.starts_with(a)))
                    })
                    .map_or(String::new(), |f| f.key.to_string());
                let message = if key.is_empty() && !x.field.starts_with(&prefix) {
                    format!("{}: {} ({})", x.reason, x.message, x.field)
                } else {
                    format!("{}: {}", x.reason, x.message)
                };
                self.errors.entry(key).or_insert(message);
            }
            return None;
        }
        Some((object, config))
    }
}

/// Values from the period's data that complete the focused field (service codes, usage
/// types, operations).
pub fn suggestions(form: &Form, app: &FormContext<'_>) -> Vec<String> {
    let f = &form.fields[form.focus];
    let token = if is_list(f.key) {
        f.value.rsplit(',').next().unwrap_or("").trim()
    } else {
        f.value.trim()
    };
    let typed = token.to_lowercase();
    let cfg = &app.config;
    let service = form.field("service");
    let from_lines = |pick: &dyn Fn(&crate::cur::LineKey) -> Option<String>| -> Vec<String> {
        app.lines.iter().filter_map(|l| pick(&l.key)).collect()
    };
    let candidates: Vec<String> = match f.key {
        "service" | "filter_service" => from_lines(&|k| Some(k.product_code.clone())),
        "usage_type" => from_lines(&|k| {
            (service.is_empty() || k.product_code == service).then(|| k.usage_type.clone())
        }),
        "operation" => from_lines(&|k| {
            (service.is_empty() || k.product_code == service).then(|| k.operation.clone())
        }),
        "accounts" | "primary" | "account" => app.names.values().cloned().collect(),
        "values" if form.field("filter") == "accounts" => app.names.values().cloned().collect(),
        "rules" => cfg.rules.iter().map(|r| r.name.clone()).collect(),
        "associated" => cfg
            .groups
            .iter()
            .map(|g| g.name.clone())
            .chain(
                cfg.items
                    .iter()
                    .filter(|i| matches!(i.charge, crate::model::Charge::Flat { .. }))
                    .map(|i| i.name.clone()),
            )
            .collect(),
        "sources" => std::iter::once("primary".to_string())
            .chain(cfg.views.iter().map(|v| v.name.clone()))
            .collect(),
        _ => Vec::new(),
    };
    let already: Vec<String> = f
        .value
        .split(',')
        .map(|x| x.trim().to_lowercase())
        .collect();
    let mut out: Vec<String> = candidates
        .into_iter()
        .filter(|v| {
            !v.is_empty()
                && v.to_lowercase().contains(&typed)
                && !already.contains(&v.to_lowercase())
        })
        .collect();
    out.sort_by_key(|v| (!v.to_lowercase().starts_with(&typed), v.clone()));
    out.dedup();
    out.truncate(6);
    out
}

/// Fields that hold a comma-separated list (suggestions complete their last entry).
pub fn is_list(key: &str) -> bool {
    matches!(
        key,
        "accounts" | "rules" | "associated" | "sources" | "values"
    )
}

/// Salt for new ARNs: new objects with the same name still get distinct ARNs.
fn now_salt() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// The form was not saved; its errors say why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotSaved;

/// Saves a form's object from the context's period onward, into the scenario `scenario` when
/// one is open; Ok with a status message. A conflict with another process's save is put in
/// `form.conflict` (the caller reloads to show theirs).
pub fn save(
    ws: &mut crate::store::Workspace,
    scenario: Option<(i64, &str)>,
    app: &FormContext<'_>,
    form: &mut Form,
) -> Result<String, NotSaved> {
    let Some((object, _)) = form.check(app) else {
        return Err(NotSaved);
    };
    let period = app.period;
    let label = format!("{} '{}'", form.kind.label(), object.name());
    let created = form.editing.is_none();
    if let Some((id, name)) = scenario {
        return match ws.scenario_change_seen(id, &Change::Put(object), form.seen.as_ref()) {
            Ok(()) => Ok(format!(
                "{label} {} in scenario '{name}' (the baseline is unchanged)",
                if created { "created" } else { "saved" },
            )),
            Err(ConfigError::Stale(st)) => {
                form.conflict = Some(form.conflict(app, &st));
                Err(NotSaved)
            }
            Err(e) => {
                form.errors.insert(String::new(), e.explain());
                Err(NotSaved)
            }
        };
    }
    let seen: Vec<_> = form.seen.iter().cloned().collect();
    match ws.apply_changes_seen(period, &[Change::Put(object)], None, &seen) {
        Ok(_) => Ok(format!(
            "{label} {} from {period} on",
            if created { "created" } else { "saved" }
        )),
        Err(ConfigError::Stale(st)) => {
            form.conflict = Some(form.conflict(app, &st));
            Err(NotSaved)
        }
        Err(ConfigError::Invalid(v)) => {
            form.errors.insert(String::new(), v.to_string());
            Err(NotSaved)
        }
        Err(e) => {
            form.errors.insert(String::new(), e.explain());
            Err(NotSaved)
        }
    }
}

/// What a form reads: the configuration being edited (the open scenario's, else the
/// baseline's), the baseline's, account names, payers, the period, its lines (suggestions),
/// the currency of its amounts and the validation context.
pub struct FormContext<'a> {
    pub config: &'a Config,
    pub base: &'a Config,
    pub names: &'a std::collections::HashMap<String, String>,
    pub payers: &'a std::collections::BTreeSet<String>,
    pub period: BillingPeriod,
    pub lines: &'a [crate::cur::StoredLine],
    pub currency: Option<&'a str>,
    pub validation: ValidationContext,
}

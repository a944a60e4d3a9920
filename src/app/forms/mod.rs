//! Forms for configuration objects (SPEC 2): one field per line, inline errors with the ABC
//! reason code, a live preview of the totals, and a save that is one transaction.
//!
//! This module holds what every kind shares: the [`Form`] and its [`Field`]s, the
//! [`FormContext`] forms work in (never the whole `App`), the one dispatch from a
//! [`Kind`] to its module, validation against SPEC 2, completions and [`save`]. Each kind's
//! module (`group`, `plan`, `rule`, `item`, `view`) holds only its fields and its parse of
//! them into the typed model object.

mod group;
mod item;
mod plan;
mod rule;
mod transfer;
mod view;
// Issue 14 item 4: shared-cost allocations.
pub mod allocation;

use crate::analysis::Analysis;
use crate::cur::StoredLine;
use crate::model::{Change, Config, Kind, Object, ValidationContext, new_arn, validate};
use crate::period::BillingPeriod;
use crate::store::Workspace;
use crate::store::config::{ConfigError, Seen, Stale};
use crate::store::scenarios::Scenario;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How a field is edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Free text (typed characters append, Backspace removes).
    Text,
    /// One of these; Left/Right change it.
    Choice(Vec<String>),
}

/// One line of a form: a value the user edits, keyed by a stable field key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Stable key (`"name"`, `"accounts"`, ...): errors and suggestions are keyed by it.
    pub key: &'static str,
    /// What the form shows before the value.
    pub label: &'static str,
    /// The value as typed (parsing trims it).
    pub value: String,
    /// Free text or a choice.
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

/// What forms need to know besides their own fields: the configuration being edited and the
/// period's data. Built by the app from the state on screen (the open scenario, else the
/// baseline); forms never see the whole `App`.
#[derive(Debug, Clone, Copy)]
pub struct FormContext<'a> {
    /// The configuration the form edits (the open scenario's, else the baseline's), in force
    /// in `period`. Names in fields are looked up here (plans, rules, groups, items, views).
    pub config: &'a Config,
    /// The period on screen: a new custom line item starts in it, and a save applies from it on.
    pub period: BillingPeriod,
    /// Payer accounts with data in the period: the first one owns new ARNs, and a view's
    /// `primary` source is its primary view.
    pub payers: &'a BTreeSet<String>,
    /// Account id -> account name: fields accept either.
    pub names: &'a HashMap<String, String>,
    /// The period's line items: completions for service codes, usage types and operations.
    pub lines: &'a [StoredLine],
    /// The currency a new custom line item is charged in (SPEC 2.4): `CNY` when the period's
    /// payers are billed in CNY, else `USD`.
    pub item_currency: &'static str,
}

impl<'a> FormContext<'a> {
    /// The context of `current` (the analysis being edited: the open scenario's, else the
    /// baseline's) with the workspace's account names.
    pub fn new(current: &'a Analysis, names: &'a HashMap<String, String>) -> FormContext<'a> {
        FormContext {
            config: &current.config,
            period: current.period,
            payers: &current.payers,
            names,
            lines: current.lines.as_slice(),
            item_currency: match current.payers_currency() {
                Ok("CNY") => "CNY",
                _ => "USD",
            },
        }
    }

    /// An account id from an id (12 digits, or another cloud's id the period's data holds) or
    /// an account name.
    fn account_id(&self, text: &str) -> Option<String> {
        let t = text.trim();
        if t.len() == 12 && t.bytes().all(|b| b.is_ascii_digit()) {
            return Some(t.to_string());
        }
        if let Some(id) = self
            .names
            .iter()
            .find(|(_, n)| n.as_str() == t)
            .map(|(id, _)| id.clone())
        {
            return Some(id);
        }
        // Other clouds' accounts (FOCUS data) have no 12-digit ids: taken as the data spells
        // them when the period's lines hold them.
        self.lines
            .iter()
            .any(|l| l.key.account.as_str() == t)
            .then(|| t.to_string())
    }

    /// Values from the period's data and the configuration that complete the focused field
    /// (service codes, usage types, operations, account, rule, group, item and view names):
    /// at most 6, those starting with what is typed first, without values the field already
    /// lists. A list field completes its last entry.
    pub fn suggestions(&self, form: &Form) -> Vec<String> {
        let Some(f) = form.fields.get(form.focus) else {
            return Vec::new();
        };
        let token = if is_list(f.key) {
            f.value.rsplit(',').next().unwrap_or("").trim()
        } else {
            f.value.trim()
        };
        let typed = token.to_lowercase();
        let cfg = self.config;
        let service = form.field("service");
        let from_lines = |pick: &dyn Fn(&crate::cur::LineKey) -> Option<String>| -> Vec<String> {
            self.lines.iter().filter_map(|l| pick(&l.key)).collect()
        };
        let candidates: Vec<String> = match f.key {
            "service" | "filter_service" => from_lines(&|k| Some(k.product_code.to_string())),
            "usage_type" => from_lines(&|k| {
                (service.is_empty() || k.product_code == service).then(|| k.usage_type.to_string())
            }),
            "operation" => from_lines(&|k| {
                (service.is_empty() || k.product_code == service).then(|| k.operation.to_string())
            }),
            "accounts" | "primary" | "account" => self.names.values().cloned().collect(),
            "values" if form.field("filter") == "accounts" => {
                self.names.values().cloned().collect()
            }
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
}

/// What each kind's module provides. [`spec`] is the one place a [`Kind`] picks its module.
trait KindForm: Sync {
    /// The fields of a new object (`None`) or of `object`, an object of this kind.
    fn fields(&self, ctx: &FormContext, object: Option<&Object>) -> Vec<Field>;

    /// Whether field `key` applies given the form's other values (a rule's fields follow its
    /// scope and type); fields that do not apply are hidden and not parsed.
    fn applies(&self, _form: &Form, _key: &str) -> bool {
        true
    }

    /// The object the form's fields describe; each field that does not parse gets an error
    /// in `p` under its key.
    fn parse(&self, p: &mut Parse) -> Object;

    /// Other objects saved with `object` in the same change (a new billing transfer's
    /// group).
    fn companions(&self, _ctx: &FormContext, _form: &Form, _object: &Object) -> Vec<Object> {
        Vec::new()
    }
}

/// The module of a kind: the one per-kind dispatch of forms.
fn spec(kind: Kind) -> &'static dyn KindForm {
    match kind {
        Kind::BillingGroup => &group::GroupForm,
        Kind::PricingPlan => &plan::PlanForm,
        Kind::PricingRule => &rule::RuleForm,
        Kind::CustomLineItem => &item::ItemForm,
        Kind::BillingView => &view::ViewForm,
        Kind::BillingTransfer => &transfer::TransferForm,
        Kind::CostAllocation => &allocation::AllocationForm,
    }
}

/// A form's fields being parsed into an object: the shared field helpers and the errors
/// found so far, by field key.
struct Parse<'f, 'c> {
    form: &'f Form,
    ctx: &'f FormContext<'c>,
    shown: Vec<usize>,
    errors: BTreeMap<String, String>,
}

impl<'f, 'c> Parse<'f, 'c> {
    fn new(form: &'f Form, ctx: &'f FormContext<'c>) -> Self {
        Parse {
            form,
            ctx,
            shown: form.shown(),
            errors: BTreeMap::new(),
        }
    }

    /// The field's value, trimmed ("" for a field the form does not have).
    fn text(&self, key: &str) -> String {
        self.form.field(key).trim().to_string()
    }

    /// The field's value, trimmed; None when empty.
    fn opt(&self, key: &str) -> Option<String> {
        Some(self.text(key)).filter(|v| !v.is_empty())
    }

    /// The field's value when it applies and is not empty.
    fn shown_opt(&self, key: &str) -> Option<String> {
        if self.shown(key) { self.opt(key) } else { None }
    }

    /// Whether the field applies (is on screen) given the form's other values.
    fn shown(&self, key: &str) -> bool {
        self.shown.iter().any(|&i| self.form.fields[i].key == key)
    }

    /// The entries of a comma-separated field, trimmed, empty ones left out.
    fn list(&self, key: &str) -> Vec<String> {
        self.text(key)
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// An exact decimal (None when empty); an error under `key` when it is not a number.
    fn number(&mut self, key: &str) -> Option<Decimal> {
        let text = self.text(key);
        match crate::money::parse_decimal(&text) {
            Ok(v) => v,
            Err(_) => {
                self.error(key, format!("'{text}' is not a number"));
                None
            }
        }
    }

    /// A billing period `YYYY-MM` (None when empty); an error under `key` when it is not one.
    fn period(&mut self, key: &str) -> Option<BillingPeriod> {
        let text = self.text(key);
        if text.is_empty() {
            return None;
        }
        match text.parse() {
            Ok(p) => Some(p),
            Err(e) => {
                self.error(key, format!("{e}"));
                None
            }
        }
    }

    /// Records an error under a field key (the last one for a field wins).
    fn error(&mut self, key: &str, message: String) {
        self.errors.insert(key.to_string(), message);
    }

    /// The ARN of the object: the edited one's, or a new one under the first payer.
    fn arn(&self, kind: Kind) -> String {
        self.form.editing.clone().unwrap_or_else(|| {
            let payer = self
                .ctx
                .payers
                .iter()
                .next()
                .map_or("000000000000", String::as_str);
            new_arn(kind, payer, &self.text("name"), now_salt())
        })
    }
}

/// The form being edited: its fields, focus, errors, preview and conflict state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Form {
    /// The configuration kind this form edits.
    pub kind: Kind,
    /// The ARN being edited; None for a new object.
    pub editing: Option<String>,
    /// Every field of the kind, in form order (`shown` says which apply now).
    pub fields: Vec<Field>,
    /// Index into `fields` of the focused field.
    pub focus: usize,
    /// A field changed since the form opened.
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
    pub seen: Option<Seen>,
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
    pub seen_now: Seen,
}

/// A decimal as a form shows it: normalised (`5.50` -> `5.5`), "" for none.
fn dec(d: Option<Decimal>) -> String {
    d.map(|d| d.normalize().to_string()).unwrap_or_default()
}

impl Form {
    fn with(kind: Kind, editing: Option<String>, fields: Vec<Field>) -> Form {
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

    /// The form for a new object of `kind`, with its defaults.
    pub fn new(kind: Kind, ctx: &FormContext) -> Form {
        Form::with(kind, None, spec(kind).fields(ctx, None))
    }

    /// The edit form of a stored object (also to compare its fields with another version).
    pub fn for_object(ctx: &FormContext, o: &Object) -> Form {
        let kind = o.kind();
        Form::with(
            kind,
            Some(o.arn().to_string()),
            spec(kind).fields(ctx, Some(o)),
        )
    }

    /// The edit form of the object of `kind` named `name` in the context's configuration;
    /// None when there is none (managed plans, for one, are not in the configuration).
    pub fn edit_named(ctx: &FormContext, kind: Kind, name: &str) -> Option<Form> {
        Object::all(ctx.config)
            .into_iter()
            .find(|o| o.kind() == kind && o.name() == name)
            .map(|o| Form::for_object(ctx, &o))
    }

    /// Remembers the field values and the stored object as they are now (the form opened):
    /// in the baseline, or in the open scenario.
    pub fn remember_opened(&mut self, ws: &Workspace, scenario: Option<i64>) {
        self.opened = self
            .fields
            .iter()
            .map(|f| (f.key, f.value.clone()))
            .collect();
        if let Some(arn) = &self.editing {
            self.seen = match scenario {
                None => ws.seen(self.kind, arn).ok(),
                Some(id) => ws.scenario_seen(id, self.kind, arn).ok(),
            };
        }
    }

    fn opened_value(&self, key: &str) -> &str {
        self.opened
            .iter()
            .find(|(k, _)| *k == key)
            .map_or("", |(_, v)| v.as_str())
    }

    /// What changed between the form's opening and `st` (another process's save); `ctx` is
    /// the configuration as it is now, with their change.
    fn conflict(&self, ctx: &FormContext, st: &Stale) -> Conflict {
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
                ctx.period
            )),
            Some(o) => {
                let theirs = Form::for_object(ctx, o);
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
                        ctx.period, ctx.period
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

    /// The value of the field `key` as typed ("" when the form has no such field).
    pub fn field(&self, key: &str) -> &str {
        self.fields
            .iter()
            .find(|f| f.key == key)
            .map_or("", |f| f.value.as_str())
    }

    /// Indexes of the fields that apply given the current choices (a rule's fields follow its
    /// scope and type), in form order.
    pub fn shown(&self) -> Vec<usize> {
        let kind = spec(self.kind);
        (0..self.fields.len())
            .filter(|&i| kind.applies(self, self.fields[i].key))
            .collect()
    }

    /// Builds the object; field-level parse errors come back keyed by field.
    pub fn to_object(&self, ctx: &FormContext) -> Result<Object, BTreeMap<String, String>> {
        let mut p = Parse::new(self, ctx);
        let object = spec(self.kind).parse(&mut p);
        if p.errors.is_empty() {
            Ok(object)
        } else {
            Err(p.errors)
        }
    }

    /// Validates the form as it would be saved: parse errors, then every rule of SPEC 2 against
    /// the configuration with this object in it; errors land under their fields. `validation`
    /// is the workspace's (its payers); missing source views are allowed, as in every edit.
    pub fn check(
        &mut self,
        ctx: &FormContext,
        validation: &ValidationContext,
    ) -> Option<(Object, Config)> {
        self.errors.clear();
        let object = match self.to_object(ctx) {
            Ok(o) => o,
            Err(e) => {
                self.errors = e;
                return None;
            }
        };
        let mut config = ctx.config.clone();
        config.put(object.clone());
        for c in spec(self.kind).companions(ctx, self, &object) {
            config.put(c);
        }
        let validation = ValidationContext {
            allow_missing_sources: true,
            ..validation.clone()
        };
        if let Err(v) = validate(&config, &validation) {
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

/// The form was not saved; its errors (or its `conflict`) say why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotSaved;

/// Saves a form's object: into `scenario` when one is open, else into the baseline from the
/// context's period on (one transaction). Ok with a status message.
///
/// Errors: `NotSaved`, with the form's `errors` saying why (parse errors and SPEC 2 violations
/// under their fields, store errors under ""), or with its `conflict` set when another
/// process changed or deleted the object since the form opened (issue 8, item 5). The
/// caller reloads what changed on screen.
pub fn save(
    ws: &mut Workspace,
    scenario: Option<&Scenario>,
    form: &mut Form,
    ctx: &FormContext,
) -> Result<String, NotSaved> {
    let validation = ws.validation_context().unwrap_or_default();
    let Some((object, _)) = form.check(ctx, &validation) else {
        return Err(NotSaved);
    };
    let period = ctx.period;
    let label = format!("{} '{}'", form.kind.label(), object.name());
    let verb = if form.editing.is_none() {
        "created"
    } else {
        "saved"
    };
    let companions = spec(form.kind).companions(ctx, form, &object);
    let result = match scenario {
        Some(s) => if companions.is_empty() {
            ws.scenario_change_seen(s.id, &Change::Put(object), form.seen.as_ref())
        } else {
            // Checked together: a new transfer is valid only with its group.
            let changes: Vec<Change> = std::iter::once(object)
                .chain(companions)
                .map(Change::Put)
                .collect();
            ws.scenario_changes(s.id, &changes)
        }
        .map(|()| {
            format!(
                "{label} {verb} in scenario '{}' (the baseline is unchanged)",
                s.name
            )
        }),
        None => {
            let seen: Vec<_> = form.seen.iter().cloned().collect();
            let changes: Vec<Change> = std::iter::once(object)
                .chain(companions)
                .map(Change::Put)
                .collect();
            ws.apply_changes_seen(period, &changes, None, &seen)
                .map(|_| format!("{label} {verb} from {period} on"))
        }
    };
    match result {
        Ok(message) => Ok(message),
        Err(ConfigError::Stale(st)) => {
            // What differs from this form, against the configuration as it is now (their
            // version's names: a rule they created since, for one).
            let now = match scenario {
                Some(s) => ws.scenario_config(s.id),
                None => ws.config_at(period),
            };
            let config = now.as_ref().unwrap_or(ctx.config);
            let ctx_now = FormContext { config, ..*ctx };
            form.conflict = Some(form.conflict(&ctx_now, &st));
            Err(NotSaved)
        }
        Err(ConfigError::Invalid(v)) if scenario.is_none() => {
            form.errors.insert(String::new(), v.to_string());
            Err(NotSaved)
        }
        Err(e) => {
            form.errors.insert(String::new(), e.explain());
            Err(NotSaved)
        }
    }
}

/// A small in-code configuration and context for the kinds' unit tests.
#[cfg(test)]
mod test_support {
    use super::{Form, FormContext};
    use crate::cur::StoredLine;
    use crate::model::*;
    use rust_decimal::Decimal;
    use std::collections::{BTreeSet, HashMap};

    /// What a [`FormContext`] borrows: payer 999999999999; accounts alpha (111111111111) and
    /// beta (333333333333); group team-a on plan-a with rule-a (markup 10 %); flat item fee-a;
    /// views view-a and view-b (from primary and view-a, by cost category); period 2026-03.
    pub struct CtxData {
        pub config: Config,
        pub payers: BTreeSet<String>,
        pub names: HashMap<String, String>,
        pub lines: Vec<StoredLine>,
    }

    impl CtxData {
        pub fn ctx(&self) -> FormContext<'_> {
            FormContext {
                config: &self.config,
                period: "2026-03".parse().expect("a valid period"),
                payers: &self.payers,
                names: &self.names,
                lines: &self.lines,
                item_currency: "USD",
            }
        }
    }

    pub fn ctx_data() -> CtxData {
        let arn = |kind: Kind, name: &str| new_arn(kind, "999999999999", name, 7);
        let rule = PricingRule {
            arn: arn(Kind::PricingRule, "rule-a"),
            name: "rule-a".into(),
            description: String::new(),
            scope: Scope::Global,
            rule_type: RuleType::Markup,
            modifier: Some(Decimal::TEN),
            service: None,
            billing_entity: None,
            usage_type: None,
            operation: None,
            free_tier: None,
            tiers: Vec::new(),
        };
        let plan = PricingPlan {
            arn: arn(Kind::PricingPlan, "plan-a"),
            name: "plan-a".into(),
            description: "Plan A".into(),
            rules: vec![rule.arn.clone()],
        };
        let group = BillingGroup {
            arn: arn(Kind::BillingGroup, "team-a"),
            name: "team-a".into(),
            description: String::new(),
            primary_account: "111111111111".into(),
            accounts: ["111111111111".to_string()].into(),
            plan: plan.arn.clone(),
            auto_associate: false,
            group_type: GroupType::Standard,
            responsibility_transfer_arn: None,
        };
        let item = CustomLineItem {
            arn: arn(Kind::CustomLineItem, "fee-a"),
            name: "fee-a".into(),
            description: "Support fee".into(),
            group: group.arn.clone(),
            account: None,
            item_type: ItemType::Fee,
            charge: Charge::Flat {
                value: Decimal::new(4250, 2),
            },
            filter: None,
            computation: Computation::Consolidated,
            presentation_service: DEFAULT_PRESENTATION_SERVICE.into(),
            start: "2026-01".parse().expect("a valid period"),
            end: None,
            currency: "CNY".into(),
        };
        let view_a = CustomView {
            arn: arn(Kind::BillingView, "view-a"),
            name: "view-a".into(),
            description: String::new(),
            sources: vec![primary_view_arn("999999999999")],
            filter: ViewFilter::None,
        };
        let view_b = CustomView {
            arn: arn(Kind::BillingView, "view-b"),
            name: "view-b".into(),
            description: String::new(),
            sources: vec![primary_view_arn("999999999999"), view_a.arn.clone()],
            filter: ViewFilter::CostCategory {
                key: "unit".into(),
                values: ["north".to_string(), "south".to_string()].into(),
            },
        };
        CtxData {
            config: Config {
                groups: vec![group],
                plans: vec![plan],
                rules: vec![rule],
                items: vec![item],
                views: vec![view_a, view_b],
                transfers: vec![],
                allocations: vec![],
            },
            payers: ["999999999999".to_string()].into(),
            names: [
                ("111111111111".to_string(), "alpha".to_string()),
                ("333333333333".to_string(), "beta".to_string()),
            ]
            .into(),
            lines: Vec::new(),
        }
    }

    /// Sets a field's value as if typed (choices too).
    pub fn set(form: &mut Form, key: &str, value: &str) {
        let field = form
            .fields
            .iter_mut()
            .find(|f| f.key == key)
            .unwrap_or_else(|| panic!("no field {key}"));
        field.value = value.to_string();
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::{ctx_data, set};
    use super::*;

    fn focus(form: &mut Form, key: &str) {
        form.focus = form
            .fields
            .iter()
            .position(|f| f.key == key)
            .unwrap_or_else(|| panic!("no field {key}"));
    }

    #[test]
    fn every_kind_opens_new_with_its_own_fields_and_round_trips_its_objects() {
        let data = ctx_data();
        let ctx = data.ctx();
        for kind in Kind::ALL {
            let form = Form::new(kind, &ctx);
            assert_eq!(form.kind, kind);
            assert_eq!(form.editing, None);
            assert_eq!(form.fields[0].key, "name");
        }
        for o in Object::all(ctx.config) {
            let form = Form::edit_named(&ctx, o.kind(), o.name())
                .unwrap_or_else(|| panic!("no form for {}", o.name()));
            assert_eq!(form.editing.as_deref(), Some(o.arn()));
            assert_eq!(form.to_object(&ctx), Ok(o));
        }
        assert_eq!(Form::edit_named(&ctx, Kind::PricingPlan, "rule-a"), None);
    }

    #[test]
    fn shown_fields_follow_the_choices() {
        let data = ctx_data();
        let ctx = data.ctx();
        let keys = |form: &Form| -> Vec<&str> {
            form.shown().iter().map(|&i| form.fields[i].key).collect()
        };
        let mut rule = Form::new(Kind::PricingRule, &ctx);
        assert_eq!(
            keys(&rule),
            ["name", "description", "scope", "type", "percent"]
        );
        set(&mut rule, "scope", "SKU");
        set(&mut rule, "type", "TIERING");
        assert_eq!(
            keys(&rule),
            [
                "name",
                "description",
                "scope",
                "type",
                "service",
                "usage_type",
                "operation",
                "tiers"
            ]
        );
        let mut view = Form::new(Kind::BillingView, &ctx);
        assert_eq!(keys(&view), ["name", "description", "sources", "filter"]);
        set(&mut view, "filter", "tag");
        assert!(keys(&view).contains(&"filter_key"));
        assert_eq!(Form::new(Kind::PricingPlan, &ctx).shown(), [0, 1, 2]);
    }

    #[test]
    fn suggestions_complete_from_names_and_skip_what_the_list_holds() {
        let data = ctx_data();
        let ctx = data.ctx();
        let mut group = Form::new(Kind::BillingGroup, &ctx);
        focus(&mut group, "accounts");
        set(&mut group, "accounts", "alpha, ");
        assert_eq!(ctx.suggestions(&group), ["beta"]);
        set(&mut group, "accounts", "ET");
        assert_eq!(ctx.suggestions(&group), ["beta"]);
        let mut item = Form::new(Kind::CustomLineItem, &ctx);
        focus(&mut item, "associated");
        assert_eq!(ctx.suggestions(&item), ["fee-a", "team-a"]);
        let mut view = Form::new(Kind::BillingView, &ctx);
        focus(&mut view, "sources");
        set(&mut view, "sources", "");
        assert_eq!(ctx.suggestions(&view), ["primary", "view-a", "view-b"]);
        set(&mut view, "sources", "primary, b");
        assert_eq!(ctx.suggestions(&view), ["view-b"]);
        focus(&mut view, "name");
        assert!(ctx.suggestions(&view).is_empty());
    }

    #[test]
    fn check_puts_spec_violations_under_their_fields() {
        let data = ctx_data();
        let ctx = data.ctx();
        let validation = ValidationContext::default();
        let mut form = Form::new(Kind::PricingRule, &ctx);
        set(&mut form, "name", "rule-a");
        set(&mut form, "percent", "5");
        assert_eq!(form.check(&ctx, &validation), None);
        assert_eq!(
            form.errors.get("name").map(String::as_str),
            Some("RESOURCE_NAME_CONFLICT: another pricing rule is named 'rule-a'")
        );
        set(&mut form, "name", "rule-b");
        let (object, config) = form
            .check(&ctx, &validation)
            .unwrap_or_else(|| panic!("{:?}", form.errors));
        assert!(form.errors.is_empty());
        assert_eq!(config.rules.len(), 2);
        assert_eq!(config.find(Kind::PricingRule, object.arn()), Some(object));
        // Parse errors come first, under their field.
        set(&mut form, "percent", "x");
        assert_eq!(form.check(&ctx, &validation), None);
        assert_eq!(form.errors.len(), 1);
        assert_eq!(form.errors["percent"], "'x' is not a number");
    }

    #[test]
    fn save_writes_the_baseline_or_the_scenario_and_shows_another_processs_change() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.proforma");
        let mut ws = Workspace::create(&path).unwrap();
        let data = ctx_data();
        let period = data.ctx().period;
        let stored = data.config.rules[0].clone();
        ws.apply_changes(period, &[Change::Put(Object::Rule(stored.clone()))], None)
            .unwrap();
        let config = ws.config_at(period).unwrap();
        let ctx = FormContext {
            config: &config,
            ..data.ctx()
        };

        let mut form = Form::edit_named(&ctx, Kind::PricingRule, "rule-a").unwrap();
        form.remember_opened(&ws, None);
        set(&mut form, "percent", "12");
        // Another connection (another window) changes the rule's description meanwhile.
        let mut other = Workspace::open(&path).unwrap();
        let theirs = crate::model::PricingRule {
            description: "theirs".into(),
            ..stored.clone()
        };
        other
            .apply_changes(period, &[Change::Put(Object::Rule(theirs))], None)
            .unwrap();
        assert_eq!(save(&mut ws, None, &mut form, &ctx), Err(NotSaved));
        let conflict = form.conflict.take().expect("a conflict");
        assert_eq!(
            conflict.lines,
            ["Description: was (empty) · theirs 'theirs' · yours (empty)"]
        );
        assert!(!conflict.deleted);
        assert_eq!(
            ws.config_at(period).unwrap().rules[0].modifier,
            Some(10.into())
        );
        // Overwriting knowingly saves against their version.
        form.seen = Some(conflict.seen_now);
        assert_eq!(
            save(&mut ws, None, &mut form, &ctx),
            Ok("pricing rule 'rule-a' saved from 2026-03 on".to_string())
        );
        let now = ws.config_at(period).unwrap();
        assert_eq!(now.rules[0].modifier, Some(12.into()));
        assert_eq!(now.rules[0].description, "");

        // In a scenario the baseline stays as it is.
        let scenario = ws.create_scenario("draft", period).unwrap();
        let ctx = FormContext {
            config: &now,
            ..data.ctx()
        };
        let mut form = Form::new(Kind::PricingRule, &ctx);
        set(&mut form, "name", "rule-b");
        set(&mut form, "percent", "3");
        assert_eq!(
            save(&mut ws, Some(&scenario), &mut form, &ctx),
            Ok(
                "pricing rule 'rule-b' created in scenario 'draft' (the baseline is unchanged)"
                    .to_string()
            )
        );
        assert_eq!(ws.scenario_config(scenario.id).unwrap().rules.len(), 2);
        assert_eq!(ws.config_at(period).unwrap().rules.len(), 1);

        // A violation is an error under its field, and nothing is written.
        let mut dup = Form::new(Kind::PricingRule, &ctx);
        set(&mut dup, "name", "rule-a");
        set(&mut dup, "percent", "3");
        assert_eq!(save(&mut ws, None, &mut dup, &ctx), Err(NotSaved));
        assert!(dup.errors["name"].starts_with("RESOURCE_NAME_CONFLICT"));
        assert_eq!(ws.config_at(period).unwrap().rules.len(), 1);
    }
}

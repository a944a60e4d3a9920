//! Whole-configuration validation (SPEC 2). Every rule reports its ABC reason code and the
//! field, and every violation is reported, not only the first.

use super::*;
use std::collections::{BTreeMap, HashMap, HashSet};

/// What validation needs to know about the workspace.
#[derive(Debug, Clone, Default)]
pub struct ValidationContext {
    /// Payer accounts with data: they cannot be primary accounts of standard groups, and their
    /// primary views can be sources of custom views.
    pub payers: BTreeSet<String>,
    /// Edits may delete a custom view other views read from: those become unhealthy
    /// (SOURCE_VIEW_NOT_FOUND when shown) instead of blocking the edit. Imports still check.
    pub allow_missing_sources: bool,
    /// Account ids of other clouds that the workspace's FOCUS data holds (Azure subscription
    /// GUIDs, Google Cloud billing accounts and projects, ...): accepted in billing groups
    /// beside 12-digit AWS ids. Only ids seen in data: a typo is still refused.
    pub other_accounts: BTreeSet<String>,
}

struct Check<'c> {
    config: &'c Config,
    ctx: &'c ValidationContext,
    out: Vec<Violation>,
    index: Index<'c>,
}

/// Objects by ARN (the first of each, as `Config::rule` and friends find them): a reseller's
/// configuration has thousands of rules, and plans list them by ARN.
struct Index<'c> {
    rules: HashMap<&'c str, &'c PricingRule>,
    groups: HashMap<&'c str, &'c BillingGroup>,
    items: HashMap<&'c str, &'c CustomLineItem>,
}

impl<'c> Index<'c> {
    fn new(cfg: &'c Config) -> Self {
        fn by_arn<'c, T>(list: &'c [T], arn: impl Fn(&'c T) -> &'c str) -> HashMap<&'c str, &'c T> {
            let mut map = HashMap::with_capacity(list.len());
            for x in list {
                map.entry(arn(x)).or_insert(x);
            }
            map
        }
        Self {
            rules: by_arn(&cfg.rules, |r| r.arn.as_str()),
            groups: by_arn(&cfg.groups, |g| g.arn.as_str()),
            items: by_arn(&cfg.items, |i| i.arn.as_str()),
        }
    }
    fn rule(&self, arn: &str) -> Option<&'c PricingRule> {
        self.rules.get(arn).copied()
    }
    fn group(&self, arn: &str) -> Option<&'c BillingGroup> {
        self.groups.get(arn).copied()
    }
    fn item(&self, arn: &str) -> Option<&'c CustomLineItem> {
        self.items.get(arn).copied()
    }
}

impl Check<'_> {
    fn fail(&mut self, reason: Reason, field: String, message: impl Into<String>) {
        self.out.push(Violation {
            reason,
            field,
            message: message.into(),
        });
    }
}

fn account_id_ok(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

fn name_ok(name: &str, spaces: bool) -> bool {
    (1..=128).contains(&name.chars().count())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=.-@".contains(c) || (spaces && c == ' '))
}

/// Checks a whole configuration; Ok when it breaks no rule.
pub fn validate(config: &Config, ctx: &ValidationContext) -> Result<(), Violations> {
    let mut c = Check {
        config,
        ctx,
        out: Vec::new(),
        index: Index::new(config),
    };
    names(&mut c);
    groups(&mut c);
    rules(&mut c);
    plans(&mut c);
    items(&mut c);
    views(&mut c);
    transfers(&mut c);
    allocations(&mut c);
    if c.out.is_empty() {
        Ok(())
    } else {
        Err(Violations(c.out))
    }
}

fn names(c: &mut Check<'_>) {
    let cfg = c.config;
    let lists: [(Kind, Vec<(&str, &str)>); 7] = [
        (
            Kind::BillingGroup,
            cfg.groups
                .iter()
                .map(|x| (x.name.as_str(), x.arn.as_str()))
                .collect(),
        ),
        (
            Kind::PricingPlan,
            cfg.plans
                .iter()
                .map(|x| (x.name.as_str(), x.arn.as_str()))
                .collect(),
        ),
        (
            Kind::PricingRule,
            cfg.rules
                .iter()
                .map(|x| (x.name.as_str(), x.arn.as_str()))
                .collect(),
        ),
        (
            Kind::CustomLineItem,
            cfg.items
                .iter()
                .map(|x| (x.name.as_str(), x.arn.as_str()))
                .collect(),
        ),
        (
            Kind::BillingView,
            cfg.views
                .iter()
                .map(|x| (x.name.as_str(), x.arn.as_str()))
                .collect(),
        ),
        (
            Kind::BillingTransfer,
            cfg.transfers
                .iter()
                .map(|x| (x.name.as_str(), x.arn.as_str()))
                .collect(),
        ),
        (
            Kind::CostAllocation,
            cfg.allocations
                .iter()
                .map(|x| (x.name.as_str(), x.arn.as_str()))
                .collect(),
        ),
    ];
    for (kind, list) in lists {
        let mut seen_names = HashSet::new();
        let mut seen_arns = HashSet::new();
        for (name, arn) in list {
            let field = format!("{} '{name}'.Name", kind.label());
            let spaces = kind == Kind::BillingView;
            if kind == Kind::BillingTransfer {
                // AWS Organizations: 1-128 printable ASCII characters, spaces included.
                if !(1..=128).contains(&name.len())
                    || !name.bytes().all(|b| (b' '..=b'~').contains(&b))
                {
                    c.fail(
                        Reason::FieldValidationFailed,
                        field.clone(),
                        "1-128 printable ASCII characters",
                    );
                }
            } else if !name_ok(name, spaces) {
                c.fail(
                    Reason::FieldValidationFailed,
                    field.clone(),
                    if spaces {
                        "1-128 characters of letters, digits, spaces and _+=.-@"
                    } else {
                        "1-128 characters of letters, digits and _+=.-@"
                    },
                );
            }
            if !seen_names.insert(name) {
                c.fail(
                    Reason::ResourceNameConflict,
                    field.clone(),
                    format!("another {} is named '{name}'", kind.label()),
                );
            }
            if kind == Kind::PricingPlan && managed_plan(name).is_some() {
                c.fail(
                    Reason::ResourceNameConflict,
                    field,
                    format!("'{name}' is a managed plan"),
                );
            }
            if arn.is_empty() || !seen_arns.insert(arn) {
                c.fail(
                    Reason::InvalidArn,
                    format!("{} '{name}'.Arn", kind.label()),
                    format!("missing or duplicate ARN '{arn}'"),
                );
            }
        }
    }
}

fn groups(c: &mut Check<'_>) {
    let cfg = c.config;
    let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
    let mut auto = Vec::new();
    for g in &cfg.groups {
        let f = |x: &str| format!("billing group '{}'.{x}", g.name);
        if g.description.chars().count() > 1024 {
            c.fail(
                Reason::FieldValidationFailed,
                f("Description"),
                "at most 1024 characters",
            );
        }
        let ctx = c.ctx;
        let id_ok = |a: &str| account_id_ok(a) || ctx.other_accounts.contains(a);
        for a in &g.accounts {
            if !id_ok(a) {
                c.fail(
                    Reason::IllegalAccountId,
                    f("Accounts"),
                    format!("'{a}' is not a 12-digit account id"),
                );
            }
            if let Some(other) = owner.insert(a, &g.name) {
                c.fail(
                    Reason::AccountsAlreadyAssociated,
                    f("Accounts"),
                    format!("account {a} is already in billing group '{other}'"),
                );
            }
        }
        if !id_ok(&g.primary_account) {
            c.fail(
                Reason::IllegalAccountId,
                f("PrimaryAccountId"),
                format!("'{}' is not a 12-digit account id", g.primary_account),
            );
        } else if !g.accounts.contains(&g.primary_account) {
            c.fail(
                Reason::PrimaryNotAssociated,
                f("PrimaryAccountId"),
                format!("{} is not one of the group's accounts", g.primary_account),
            );
        }
        if g.group_type == GroupType::Standard && c.ctx.payers.contains(&g.primary_account) {
            c.fail(
                Reason::IllegalPrimaryAccount,
                f("PrimaryAccountId"),
                format!(
                    "{} is a payer account; a payer can be a member but not the primary",
                    g.primary_account
                ),
            );
        }
        match managed_plan(&g.plan) {
            Some(ManagedPlan::Passthrough) if g.group_type == GroupType::Standard => c.fail(
                Reason::IllegalBillingGroupPricingPlan,
                f("ComputationPreference.PricingPlanArn"),
                "Passthrough is only for TRANSFER_BILLING groups",
            ),
            Some(_) => {}
            None if cfg.plan(&g.plan).is_none() => c.fail(
                Reason::MissingPricingplan,
                f("ComputationPreference.PricingPlanArn"),
                format!("no pricing plan {}", g.plan),
            ),
            None => {}
        }
        if g.auto_associate {
            auto.push(g.name.as_str());
        }
    }
    if auto.len() > 1 {
        c.fail(
            Reason::TooManyAutoAssociateBillingGroups,
            "billing groups.AccountGrouping.AutoAssociate".into(),
            format!(
                "at most one group may auto-associate accounts; on in: {}",
                auto.join(", ")
            ),
        );
    }
}

fn service_ok(s: &str) -> bool {
    (1..=128).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn token_ok(s: &str) -> bool {
    (1..=256).contains(&s.len()) && !s.chars().any(char::is_whitespace)
}

fn rules(c: &mut Check<'_>) {
    for r in &c.config.rules {
        let f = |x: &str| format!("pricing rule '{}'.{x}", r.name);
        if r.description.chars().count() > 1024 {
            c.fail(
                Reason::FieldValidationFailed,
                f("Description"),
                "at most 1024 characters",
            );
        }
        let present = |o: &Option<String>| o.is_some();
        // Scope fields: required ones present and well-formed, others absent.
        let (needs_service, needs_entity, needs_sku) = match r.scope {
            Scope::Global => (false, false, false),
            Scope::Service => (true, false, false),
            Scope::BillingEntity => (false, true, false),
            Scope::Sku => (true, false, true),
        };
        if present(&r.service) && !needs_service {
            c.fail(
                Reason::IllegalScope,
                f("Service"),
                format!("{} rules take no service", r.scope.code()),
            );
        }
        if present(&r.billing_entity) && !needs_entity {
            c.fail(
                Reason::IllegalScope,
                f("BillingEntity"),
                format!("{} rules take no billing entity", r.scope.code()),
            );
        }
        if (present(&r.usage_type) || present(&r.operation)) && !needs_sku {
            c.fail(
                Reason::IllegalScope,
                f("UsageType"),
                format!("{} rules take no usage type or operation", r.scope.code()),
            );
        }
        if r.scope == Scope::Sku
            && (r.service.is_none() || r.usage_type.is_none() || r.operation.is_none())
        {
            c.fail(
                Reason::InvalidSkuCombo,
                f("Scope"),
                "a SKU rule needs a service code, a usage type and an operation",
            );
        } else {
            if needs_service {
                match &r.service {
                    Some(s) if service_ok(s) => {}
                    Some(s) => c.fail(
                        Reason::IllegalService,
                        f("Service"),
                        format!("'{s}' is not a service code"),
                    ),
                    None => c.fail(
                        Reason::IllegalService,
                        f("Service"),
                        "a SERVICE rule needs a service code",
                    ),
                }
            }
            if needs_sku {
                if let Some(u) = r.usage_type.as_ref().filter(|u| !token_ok(u)) {
                    c.fail(
                        Reason::IllegalUsageType,
                        f("UsageType"),
                        format!("'{u}' is not a usage type"),
                    );
                }
                if let Some(o) = r.operation.as_ref().filter(|o| !token_ok(o)) {
                    c.fail(
                        Reason::IllegalOperation,
                        f("Operation"),
                        format!("'{o}' is not an operation"),
                    );
                }
            }
        }
        if needs_entity {
            match r.billing_entity.as_deref() {
                Some("AWS" | "AWS Marketplace" | "AISPL") => {}
                other => c.fail(
                    Reason::IllegalBillingEntity,
                    f("BillingEntity"),
                    format!(
                        "'{}' is not AWS, AWS Marketplace or AISPL",
                        other.unwrap_or("")
                    ),
                ),
            }
        }
        match r.rule_type {
            RuleType::Markup | RuleType::Discount => {
                match r.modifier {
                    None => c.fail(
                        Reason::IllegalModifierPercentage,
                        f("ModifierPercentage"),
                        "MARKUP and DISCOUNT rules need a percentage",
                    ),
                    Some(m) if m.is_sign_negative() && !m.is_zero() => c.fail(
                        Reason::IllegalModifierPercentage,
                        f("ModifierPercentage"),
                        format!("{m} is below 0"),
                    ),
                    Some(m) if r.rule_type == RuleType::Discount && m > Decimal::ONE_HUNDRED => c
                        .fail(
                            Reason::IllegalModifierPercentage,
                            f("ModifierPercentage"),
                            format!("a discount of {m}% is more than 100%"),
                        ),
                    Some(_) => {}
                }
                if r.free_tier.is_some() || !r.tiers.is_empty() {
                    c.fail(
                        Reason::IllegalTieringInput,
                        f("Tiering"),
                        "only TIERING rules take tiering input",
                    );
                }
            }
            RuleType::Tiering => {
                if r.modifier.is_some() {
                    c.fail(
                        Reason::IllegalTieringInput,
                        f("ModifierPercentage"),
                        "TIERING rules take no percentage",
                    );
                }
                match r.scope {
                    Scope::Global | Scope::Service => {
                        if r.free_tier.is_none() || !r.tiers.is_empty() {
                            c.fail(
                                Reason::IllegalTieringInput,
                                f("Tiering.FreeTier"),
                                "a GLOBAL or SERVICE TIERING rule sets the free tier on or off (and no custom tiers)",
                            );
                        }
                    }
                    Scope::BillingEntity => c.fail(
                        Reason::IllegalTieringInput,
                        f("Scope"),
                        "TIERING rules are GLOBAL, SERVICE or SKU",
                    ),
                    Scope::Sku => tiers(c, r),
                }
            }
        }
    }
}

fn tiers(c: &mut Check<'_>, r: &PricingRule) {
    let f = format!("pricing rule '{}'.Tiering.Tiers", r.name);
    let mut bad = |m: String| {
        c.out.push(Violation {
            reason: Reason::IllegalTieringInput,
            field: f.clone(),
            message: m,
        })
    };
    if r.free_tier.is_some() {
        bad("a SKU TIERING rule has custom tiers, not a free tier switch".into());
    }
    if !(1..=10).contains(&r.tiers.len()) {
        bad(format!("1 to 10 tiers, not {}", r.tiers.len()));
        return;
    }
    if !r.tiers[0].begin.is_zero() {
        bad(format!(
            "the first tier starts at 0, not {}",
            r.tiers[0].begin
        ));
    }
    for (i, t) in r.tiers.iter().enumerate() {
        let last = i + 1 == r.tiers.len();
        match t.end {
            None if !last => bad(format!("tier {} has no end but is not the last", i + 1)),
            Some(e) if last => bad(format!("the last tier is open-ended, not ending at {e}")),
            Some(e) if e <= t.begin => bad(format!(
                "tier {} ends at {e}, not after its start {}",
                i + 1,
                t.begin
            )),
            _ => {}
        }
        if t.rate.is_sign_negative() && !t.rate.is_zero() {
            bad(format!("tier {} has a negative rate", i + 1));
        }
        if let Some(next) = r.tiers.get(i + 1) {
            if t.end != Some(next.begin) {
                bad(format!(
                    "tier {} does not start where tier {} ends",
                    i + 2,
                    i + 1
                ));
            }
        }
    }
}

fn plans(c: &mut Check<'_>) {
    let cfg = c.config;
    for p in &cfg.plans {
        let f = |x: &str| format!("pricing plan '{}'.{x}", p.name);
        if p.description.chars().count() > 1024 {
            c.fail(
                Reason::FieldValidationFailed,
                f("Description"),
                "at most 1024 characters",
            );
        }
        if p.rules.len() > 500 {
            c.fail(
                Reason::FieldValidationFailed,
                f("PricingRuleArns"),
                format!("at most 500 rules, not {}", p.rules.len()),
            );
        }
        let mut seen = HashSet::new();
        let mut targets: HashMap<(String, bool), &str> = HashMap::new();
        for arn in &p.rules {
            if !seen.insert(arn) {
                c.fail(
                    Reason::DuplicatePricingruleArns,
                    f("PricingRuleArns"),
                    format!("{arn} is listed twice"),
                );
                continue;
            }
            let Some(r) = c.index.rule(arn) else {
                c.fail(
                    Reason::PricingrulesNotExist,
                    f("PricingRuleArns"),
                    format!("no pricing rule {arn}"),
                );
                continue;
            };
            // A free-tier switch may sit beside one MARKUP/DISCOUNT of the same target (decision).
            if let Some(other) = targets.insert((r.target(), r.is_free_tier()), &r.name) {
                c.fail(
                    Reason::PricingRuleInPricingPlanConflict,
                    f("PricingRuleArns"),
                    format!(
                        "rules '{other}' and '{}' both target {}",
                        r.name,
                        r.target()
                    ),
                );
            }
        }
    }
}

fn items(c: &mut Check<'_>) {
    let cfg = c.config;
    for i in &cfg.items {
        let f = |x: &str| format!("custom line item '{}'.{x}", i.name);
        if !(1..=255).contains(&i.description.chars().count()) {
            c.fail(
                Reason::FieldValidationFailed,
                f("Description"),
                "1-255 characters, required",
            );
        }
        match c.index.group(&i.group) {
            None => c.fail(
                Reason::MissingBillinggroup,
                f("BillingGroupArn"),
                format!("no billing group {}", i.group),
            ),
            Some(g) => {
                if let Some(a) = i.account.as_ref().filter(|a| !g.accounts.contains(*a)) {
                    c.fail(
                        Reason::AccountsNotAssociated,
                        f("AccountId"),
                        format!("{a} is not an account of billing group '{}'", g.name),
                    );
                }
            }
        }
        match &i.charge {
            Charge::Flat { value } => {
                if *value < Decimal::ZERO || *value > Decimal::from(1_000_000) {
                    c.fail(
                        Reason::IllegalChargeDetails,
                        f("ChargeDetails.Flat.ChargeValue"),
                        format!("{value} is not within 0-1,000,000"),
                    );
                }
                if i.filter.is_some() {
                    c.fail(
                        Reason::IllegalLineItemFilter,
                        f("ChargeDetails.LineItemFilters"),
                        "only percentage items take a line item filter",
                    );
                }
                if i.computation == Computation::Itemized {
                    c.fail(
                        Reason::IllegalComputationRule,
                        f("ComputationRule"),
                        "ITEMIZED applies to percentage items only",
                    );
                }
            }
            Charge::Percentage {
                percent,
                associated,
            } => {
                if *percent < Decimal::ZERO || *percent > Decimal::from(10_000) {
                    c.fail(
                        Reason::IllegalChargeDetails,
                        f("ChargeDetails.Percentage.PercentageValue"),
                        format!("{percent} is not within 0-10,000"),
                    );
                }
                if associated.len() > 100 {
                    c.fail(
                        Reason::IllegalChargeDetails,
                        f("ChargeDetails.Percentage.AssociatedValues"),
                        "at most 100 associated resources",
                    );
                }
                for a in associated {
                    if c.index.group(a).is_some() {
                        continue;
                    }
                    match c.index.item(a).map(|x| &x.charge) {
                        Some(Charge::Flat { .. }) => {}
                        Some(Charge::Percentage { .. }) => c.fail(
                            Reason::IllegalChildAssociateResource,
                            f("ChargeDetails.Percentage.AssociatedValues"),
                            format!("{a} is a percentage item; only billing groups and flat items can be associated"),
                        ),
                        None => c.fail(
                            Reason::IllegalResourceArns,
                            f("ChargeDetails.Percentage.AssociatedValues"),
                            format!("{a} is neither a billing group nor a custom line item"),
                        ),
                    }
                }
                if let Some(LineItemFilter::Service { service, .. }) = &i.filter {
                    if !service_ok(service) {
                        c.fail(
                            Reason::IllegalLineItemFilter,
                            f("ChargeDetails.LineItemFilters"),
                            format!("'{service}' is not a service code"),
                        );
                    }
                }
            }
        }
        if let Some(end) = i.end.filter(|e| *e <= i.start) {
            c.fail(
                Reason::IllegalBillingPeriodRange,
                f("BillingPeriodRange"),
                format!("the exclusive end {end} is not after the start {}", i.start),
            );
        }
        if i.currency != "USD" && i.currency != "CNY" {
            c.fail(
                Reason::FieldValidationFailed,
                f("CurrencyCode"),
                format!("'{}' is not USD or CNY", i.currency),
            );
        }
        if !(1..=128).contains(&i.presentation_service.len()) {
            c.fail(
                Reason::FieldValidationFailed,
                f("PresentationDetails.Service"),
                "1-128 characters",
            );
        }
    }
}

fn views(c: &mut Check<'_>) {
    let cfg = c.config;
    for v in &cfg.views {
        let f = |x: &str| format!("billing view '{}'.{x}", v.name);
        if !(1..=10).contains(&v.sources.len()) {
            c.fail(
                Reason::FieldValidationFailed,
                f("SourceViews"),
                format!("1 to 10 source views, not {}", v.sources.len()),
            );
        }
        for s in &v.sources {
            let known = match primary_view_payer(s) {
                Some(payer) => c.ctx.payers.is_empty() || c.ctx.payers.contains(payer),
                None => cfg.view(s).is_some() || c.ctx.allow_missing_sources,
            };
            if !known {
                c.fail(
                    Reason::SourceViewNotFound,
                    f("SourceViews"),
                    format!("no billing view {s}"),
                );
            }
        }
        let (count, ok) = match &v.filter {
            ViewFilter::None => (1, true),
            ViewFilter::Accounts { accounts } => {
                (accounts.len(), accounts.iter().all(|a| account_id_ok(a)))
            }
            ViewFilter::Tag { key, values } => (values.len(), key.len() <= 1024),
            ViewFilter::CostCategory { key, values } => {
                (values.len(), (1..=50).contains(&key.len()))
            }
        };
        if !(1..=200).contains(&count) || !ok {
            c.fail(
                Reason::InvalidFilter,
                f("DataFilterExpression"),
                "1-200 values, account ids of 12 digits, a valid key",
            );
        }
        if reaches(cfg, &v.arn, &v.arn, &mut HashSet::new()) {
            c.fail(
                Reason::CyclicDependency,
                f("SourceViews"),
                "the view is its own source, directly or through other views",
            );
        }
    }
}

/// Whether `target` is reachable from `from`'s sources.
fn reaches<'a>(cfg: &'a Config, from: &str, target: &str, seen: &mut HashSet<&'a str>) -> bool {
    let Some(v) = cfg.view(from) else {
        return false;
    };
    v.sources
        .iter()
        .any(|s| s == target || (seen.insert(s.as_str()) && reaches(cfg, s, target, seen)))
}

/// Billing transfers (SPEC 2.6): shape, periods, one transfer in force per source, at most two
/// levels, no loops, and exactly one `TRANSFER_BILLING` group per transfer, whose primary is
/// the source.
fn transfers(c: &mut Check<'_>) {
    let cfg = c.config;
    let in_force = |t: &BillingTransfer| {
        matches!(
            t.status,
            TransferStatus::Accepted | TransferStatus::Withdrawn
        )
    };
    // Whether two transfers' months overlap (no end: open-ended).
    let overlap = |a: &BillingTransfer, b: &BillingTransfer| {
        b.end.is_none_or(|e| a.start <= e) && a.end.is_none_or(|e| b.start <= e)
    };
    for (i, t) in cfg.transfers.iter().enumerate() {
        let f = |x: &str| format!("billing transfer '{}'.{x}", t.name);
        if !transfer_arn_ok(&t.arn) {
            c.fail(
                Reason::InvalidArn,
                f("Arn"),
                format!(
                    "'{}' is not arn:aws:organizations::<account>:transfer/o-<id>/billing/inbound/rt-<id>",
                    t.arn
                ),
            );
        }
        for (field, a) in [
            ("Source.ManagementAccountId", &t.source_account),
            ("Target.ManagementAccountId", &t.transfer_account),
        ] {
            if !account_id_ok(a) {
                c.fail(
                    Reason::IllegalAccountId,
                    f(field),
                    format!("'{a}' is not a 12-digit account id"),
                );
            }
        }
        if t.source_account == t.transfer_account {
            c.fail(
                Reason::FieldValidationFailed,
                f("Target.ManagementAccountId"),
                "an organisation cannot transfer its bill to itself",
            );
        }
        if t.end.is_some_and(|e| e < t.start) {
            c.fail(
                Reason::IllegalBillingPeriodRange,
                f("EndTimestamp"),
                format!(
                    "the last month {} is before the first month {}",
                    t.end.map(|e| e.to_string()).unwrap_or_default(),
                    t.start
                ),
            );
        }
        if t.status == TransferStatus::Withdrawn && t.end.is_none() {
            c.fail(
                Reason::IllegalBillingPeriodRange,
                f("EndTimestamp"),
                "a withdrawn transfer ends at the end of a month: give its last month",
            );
        }
        if !in_force(t) {
            continue;
        }
        for u in &cfg.transfers[..i] {
            if in_force(u) && u.source_account == t.source_account && overlap(t, u) {
                c.fail(
                    Reason::FieldValidationFailed,
                    f("Source.ManagementAccountId"),
                    format!(
                        "organisation {} already transfers its bill through '{}' in some of these months",
                        t.source_account, u.name
                    ),
                );
            }
        }
        // Two levels at most, and no loop: follow the transfer account upward (a transfer to
        // itself is refused above, once).
        let mut visited = vec![t.source_account.as_str()];
        let mut at = t;
        let mut depth = 1;
        let self_transfer = t.source_account == t.transfer_account;
        while let Some(up) = cfg.transfers.iter().find(|u| {
            !self_transfer
                && in_force(u)
                && u.source_account == at.transfer_account
                && overlap(u, at)
        }) {
            depth += 1;
            let looped = visited.contains(&up.transfer_account.as_str());
            if looped || depth > 2 {
                c.fail(
                    Reason::FieldValidationFailed,
                    f("Target.ManagementAccountId"),
                    if looped {
                        format!("transfers '{}' and '{}' form a loop", t.name, up.name)
                    } else {
                        format!(
                            "billing transfer goes up to two levels; '{}' -> '{}' -> '{}' is more",
                            t.name, at.name, up.name
                        )
                    },
                );
                break;
            }
            visited.push(up.source_account.as_str());
            at = up;
        }
        let groups: Vec<&BillingGroup> = cfg
            .groups
            .iter()
            .filter(|g| {
                g.group_type == GroupType::TransferBilling
                    && g.responsibility_transfer_arn.as_deref() == Some(t.arn.as_str())
            })
            .collect();
        match (groups.as_slice(), cfg.transfer_group(t)) {
            ([], None) => c.fail(
                Reason::MissingBillinggroup,
                f("BillingGroup"),
                format!(
                    "a transfer in force needs its TRANSFER_BILLING billing group (primary {})",
                    t.source_account
                ),
            ),
            ([_, second, ..], _) => c.fail(
                Reason::FieldValidationFailed,
                f("BillingGroup"),
                format!(
                    "a transfer has one TRANSFER_BILLING group; '{}' names it too",
                    second.name
                ),
            ),
            _ => {}
        }
    }
    for g in &cfg.groups {
        let Some(arn) = g.responsibility_transfer_arn.as_deref() else {
            continue;
        };
        let f = |x: &str| format!("billing group '{}'.{x}", g.name);
        if g.group_type != GroupType::TransferBilling {
            c.fail(
                Reason::FieldValidationFailed,
                f("AccountGrouping.ResponsibilityTransferArn"),
                "only TRANSFER_BILLING groups price a billing transfer",
            );
        }
        match cfg.transfers.iter().find(|t| t.arn == arn) {
            None => c.fail(
                Reason::FieldValidationFailed,
                f("AccountGrouping.ResponsibilityTransferArn"),
                format!("no billing transfer {arn}"),
            ),
            Some(t) if t.source_account != g.primary_account => c.fail(
                Reason::IllegalPrimaryAccount,
                f("PrimaryAccountId"),
                format!(
                    "the group of transfer '{}' has the bill source {} as its primary, not {}",
                    t.name, t.source_account, g.primary_account
                ),
            ),
            Some(_) => {}
        }
    }
}

/// Cost allocations (issue 14 item 4; proforma's own object, reason codes borrowed from the
/// nearest ABC rule): known, distinct target groups; a key that can split (a service for
/// `SERVICE_COST`; for `WEIGHTS` a weight per target, none negative, their sum above zero;
/// weights only with `WEIGHTS`); a source that names something; a valid period range.
fn allocations(c: &mut Check<'_>) {
    let cfg = c.config;
    for a in &cfg.allocations {
        let f = |x: &str| format!("cost allocation '{}'.{x}", a.name);
        if a.description.chars().count() > 255 {
            c.fail(
                Reason::FieldValidationFailed,
                f("Description"),
                "at most 255 characters",
            );
        }
        if a.targets.is_empty() {
            c.fail(
                Reason::FieldValidationFailed,
                f("Targets"),
                "at least one target billing group",
            );
        }
        let mut seen = HashSet::new();
        for t in &a.targets {
            match c.index.group(&t.group) {
                None => c.fail(
                    Reason::MissingBillinggroup,
                    f("Targets"),
                    format!("no billing group '{}'", t.group),
                ),
                Some(g) => {
                    if !seen.insert(t.group.as_str()) {
                        c.fail(
                            Reason::FieldValidationFailed,
                            f("Targets"),
                            format!("billing group '{}' is listed twice", g.name),
                        );
                    }
                }
            }
        }
        let weighted = a.key == AllocationKey::Weights;
        if weighted {
            let mut sum = Decimal::ZERO;
            for t in &a.targets {
                let name = c
                    .index
                    .group(&t.group)
                    .map_or(t.group.as_str(), |g| g.name.as_str());
                match t.weight {
                    None => c.fail(
                        Reason::FieldValidationFailed,
                        f("Weights"),
                        format!("key WEIGHTS needs a weight for '{name}'"),
                    ),
                    Some(w) if w.is_sign_negative() && !w.is_zero() => c.fail(
                        Reason::FieldValidationFailed,
                        f("Weights"),
                        format!("the weight of '{name}' is negative ({w})"),
                    ),
                    Some(w) => sum = sum.checked_add(w).unwrap_or(Decimal::MAX),
                }
            }
            if !a.targets.is_empty() && sum.is_zero() {
                c.fail(
                    Reason::FieldValidationFailed,
                    f("Weights"),
                    "the weights add up to zero: nothing to split by",
                );
            }
        } else if a.targets.iter().any(|t| t.weight.is_some()) {
            c.fail(
                Reason::FieldValidationFailed,
                f("Weights"),
                format!("weights are used by key WEIGHTS only, not {}", a.key.code()),
            );
        }
        if let AllocationKey::ServiceCost { service } = &a.key
            && service.trim().is_empty()
        {
            c.fail(
                Reason::IllegalService,
                f("Key"),
                "key SERVICE_COST needs a service code",
            );
        }
        match &a.source {
            AllocationSource::Fixed { amount } => {
                if amount.abs() > Decimal::from(1_000_000_000_000i64) {
                    c.fail(
                        Reason::FieldValidationFailed,
                        f("Source.Amount"),
                        "at most 1,000,000,000,000",
                    );
                }
            }
            AllocationSource::Cost {
                accounts,
                services,
                line_item_types,
            } => {
                if accounts.is_empty() && services.is_empty() && line_item_types.is_empty() {
                    c.fail(
                        Reason::FieldValidationFailed,
                        f("Source"),
                        "a cost source names accounts, services or line item types",
                    );
                }
            }
        }
        if let Some(e) = a.end
            && e <= a.start
        {
            c.fail(
                Reason::IllegalBillingPeriodRange,
                f("BillingPeriodRange"),
                format!("the end {e} is not after the start {}", a.start),
            );
        }
        if a.presentation_service.trim().is_empty() {
            c.fail(
                Reason::FieldValidationFailed,
                f("PresentationService"),
                "a presentation service is required",
            );
        }
    }
}

//! Sensitivity, live (issue 14 item 2), and the margin target prompt (item 3) in the TUI.
//!
//! On a selected percentage (a MARKUP/DISCOUNT rule on the Rules tab, a percentage custom line
//! item on the Items tab), `step_up` / `step_down` (`+` `-`) move the value by the step size
//! (`step_size`, `%`, cycles 0.1 / 0.5 / 1 / 5 points). Each keypress re-prices, on the spot,
//! only the groups the object can touch ([`crate::engine::reprice::delta`], the machinery of
//! the form preview) against the state on screen (the open scenario, else the baseline), and
//! the table shows every group baseline | stepped | Δ with margins. Nothing is written until
//! Enter applies the stepped value (a normal audited edit, or into the open scenario); Esc
//! drops it.
//!
//! `solve_target` (`t`) asks for a margin or pro forma target: on the Rules tab for the
//! selected rule (`GROUP MARGIN%` or `GROUP =PROFORMA`), on a billing group for a flat credit
//! or fee (`MARGIN%` or `=PROFORMA`). The solution ([`crate::engine::solve`]) is written into
//! the open scenario, or a new scenario `target-<group>` that opens beside the baseline.

use super::table::{Align, Measure, SortValue, TableModel};
use super::{Action, App, Effect, GroupLevel, State, Tab};
use crate::engine::price::GroupTotals;
use crate::engine::solve::{Lever, Target};
use crate::footing::ExactRow;
use crate::model::{Charge, Kind, Object, RuleType};
use crate::money::fmt_grouped;
use rust_decimal::Decimal;
use std::time::{Duration, Instant};

/// The step sizes `step_size` cycles through, in percentage points.
pub const STEPS: [Decimal; 4] = [
    Decimal::from_parts(1, 0, 0, false, 1),
    Decimal::from_parts(5, 0, 0, false, 1),
    Decimal::from_parts(1, 0, 0, false, 0),
    Decimal::from_parts(5, 0, 0, false, 0),
];

/// The highest percentage a percentage custom line item takes (SPEC 2.4).
const MAX_ITEM_PERCENT: Decimal = Decimal::from_parts(10_000, 0, 0, false, 0);

/// The sensitivity state: the step size, the stepped draft, the object a target is solved for.
#[derive(Debug, Clone, Default)]
pub struct Sensitivity {
    /// Index into [`STEPS`].
    pub step: usize,
    pub draft: Option<Draft>,
    /// What the open solve prompt solves for.
    pub solve_for: Option<Lever>,
    /// The group the open solve prompt is for (a flat credit or fee).
    pub solve_group: Option<String>,
}

impl Sensitivity {
    /// The step size in percentage points.
    pub fn step_size(&self) -> Decimal {
        STEPS[self.step % STEPS.len()]
    }
}

/// A stepped percentage, not written anywhere.
#[derive(Debug, Clone)]
pub struct Draft {
    pub kind: Kind,
    pub arn: String,
    pub name: String,
    /// What the percentage is: `MARKUP`, `DISCOUNT`, `FEE` or `CREDIT` percentage.
    pub what: String,
    /// The value in the state on screen, and the stepped one.
    pub original: Decimal,
    pub value: Decimal,
    /// The object with the stepped value.
    pub object: Object,
    /// Every group's totals with the stepped value, in the state's group order.
    pub groups: Vec<GroupTotals>,
    /// The revision of the pricing the draft was computed against.
    pub revision: u64,
    /// How long the last keypress took to re-price (key to numbers, before drawing).
    pub elapsed: Duration,
    /// Level-2 billing transfers' groups (the downstream sellers' computation, SPEC 2.6):
    /// (group, totals on screen, stepped totals). A reseller's price list moves only these.
    pub second: Vec<(usize, GroupTotals, GroupTotals)>,
}

/// The level-2 transfer groups of `cur` beside those of `config` priced in full (only when
/// the state has level-2 transfers: the second level needs every line's pro forma).
fn second_level_step(
    cur: &crate::analysis::Analysis,
    config: &crate::model::Config,
) -> Vec<(usize, GroupTotals, GroupTotals)> {
    let Some(s) = &cur.second_level else {
        return Vec::new();
    };
    let stepped = crate::engine::price::price_named(
        cur.period,
        &cur.lines,
        config,
        cur.pricing.product_names.clone(),
    );
    let Some(n) = crate::engine::transfer::second_level(cur.period, &cur.lines, config, &stepped)
    else {
        return Vec::new();
    };
    s.groups
        .iter()
        .filter_map(|&g| {
            Some((
                g,
                s.pricing.groups.get(g)?.clone(),
                n.pricing.groups.get(g)?.clone(),
            ))
        })
        .collect()
}

/// The percentage an object carries, if it is one that steps.
pub fn percentage_of(o: &Object) -> Option<Decimal> {
    match o {
        Object::Rule(r) if r.rule_type != RuleType::Tiering => Some(r.modifier.unwrap_or_default()),
        Object::Item(i) => match &i.charge {
            Charge::Percentage { percent, .. } => Some(*percent),
            Charge::Flat { .. } => None,
        },
        _ => None,
    }
}

/// The object with its percentage set to `v`.
pub fn with_percentage(o: &Object, v: Decimal) -> Object {
    let mut o = o.clone();
    match &mut o {
        Object::Rule(r) => r.modifier = Some(v),
        Object::Item(i) => {
            if let Charge::Percentage { percent, .. } = &mut i.charge {
                *percent = v;
            }
        }
        _ => {}
    }
    o
}

/// The highest value the object's percentage may take (SPEC 2.2, 2.4).
fn upper_bound(o: &Object) -> Decimal {
    match o {
        Object::Rule(r) if r.rule_type == RuleType::Discount => Decimal::ONE_HUNDRED,
        Object::Rule(_) => crate::engine::solve::MAX_PERCENT,
        _ => MAX_ITEM_PERCENT,
    }
}

impl State {
    /// Keys of the sensitivity stepping and the solve prompt, on the screens. Returns None
    /// when the key is not one of them (nor refused by an open draft): `normal` takes it.
    pub(super) fn sensitivity_key(&mut self, action: Action) -> Option<Vec<Effect>> {
        if !matches!(self.mode, super::Mode::Normal) {
            return None;
        }
        match action {
            Action::StepUp | Action::StepDown => {
                self.step_by(if action == Action::StepUp { 1 } else { -1 });
                Some(Vec::new())
            }
            Action::StepSize => {
                let s = &mut self.sensitivity;
                s.step = (s.step + 1) % STEPS.len();
                let size = s.step_size();
                self.status.0 = Some(format!("step size {size} percentage points"));
                self.rebuild();
                Some(Vec::new())
            }
            Action::SolveTarget if self.sensitivity.draft.is_none() => {
                self.ask_target();
                Some(Vec::new())
            }
            _ if self.sensitivity.draft.is_none() => None,
            Action::Open => {
                let d = self.sensitivity.draft.take()?;
                Some(vec![Effect::ApplyStep { object: d.object }])
            }
            Action::Back => {
                if let Some(d) = self.sensitivity.draft.take() {
                    self.status.0 = Some(format!(
                        "dropped the stepped value: '{}' stays at {} %",
                        d.name,
                        d.original.normalize()
                    ));
                }
                self.rebuild();
                Some(Vec::new())
            }
            a if a.is_movement()
                || matches!(
                    a,
                    Action::Help | Action::Presentation | Action::Sort | Action::Redraw
                ) =>
            {
                None
            }
            _ => {
                self.refuse(format!(
                    "a stepped value is open: {} applies it, {} drops it",
                    self.keys.list(Action::Open),
                    self.keys.list(Action::Back)
                ));
                Some(Vec::new())
            }
        }
    }

    /// Steps the draft (started from the selected object when there is none) by one step up
    /// (`sign` 1) or down (-1), and re-prices what it touches.
    fn step_by(&mut self, sign: i32) {
        if self.sensitivity.draft.is_none() && !self.start_draft() {
            return;
        }
        let size = self.sensitivity.step_size();
        let Some(d) = self.sensitivity.draft.as_ref() else {
            return;
        };
        let next = (d.value + Decimal::from(sign) * size)
            .max(Decimal::ZERO)
            .min(upper_bound(&d.object));
        let object = with_percentage(&d.object, next);
        let started = Instant::now();
        let cur = self.current();
        let mut config = cur.config.clone();
        config.put(object.clone());
        let delta = crate::engine::reprice::delta(&cur.pricing, &cur.config, &config, &cur.lines);
        let second = second_level_step(cur, &config);
        let revision = cur.pricing.revision;
        let elapsed = started.elapsed();
        if let Some(d) = self.sensitivity.draft.as_mut() {
            d.value = next;
            d.object = object;
            d.groups = delta.groups;
            d.second = second;
            d.revision = revision;
            d.elapsed = elapsed;
        }
        self.rebuild();
    }

    /// A draft of the selected object: a MARKUP/DISCOUNT rule (Rules tab) or a percentage
    /// custom line item (Items tab). Says why not otherwise.
    fn start_draft(&mut self) -> bool {
        let selected = self
            .selected_object()
            .filter(|(k, _)| matches!(k, Kind::PricingRule | Kind::CustomLineItem));
        let Some((kind, name)) = selected.filter(|_| matches!(self.tab, Tab::Rules | Tab::Items))
        else {
            self.refuse(format!(
                "{} / {} step a percentage: select a MARKUP or DISCOUNT rule (Pricing rules tab) or a percentage custom line item (Custom line items tab)",
                self.keys.list(Action::StepUp),
                self.keys.list(Action::StepDown)
            ));
            return false;
        };
        if self.customer {
            self.refuse("not in the customer presentation: stepping shows margins");
            return false;
        }
        let cur = self.current();
        let Some(object) = cur.config.find_named(kind, &name) else {
            self.refuse(format!("'{name}' is not in the configuration on screen"));
            return false;
        };
        let Some(original) = percentage_of(&object) else {
            self.refuse(format!(
                "'{name}' has no percentage to step (a TIERING rule or a flat item)"
            ));
            return false;
        };
        let what = match &object {
            Object::Rule(r) => r.rule_type.code().to_string(),
            Object::Item(i) => format!("{} percentage", i.item_type.code()),
            _ => String::new(),
        };
        self.sensitivity.draft = Some(Draft {
            kind,
            arn: object.arn().to_string(),
            name,
            what,
            original,
            value: original,
            groups: cur.pricing.groups.clone(),
            revision: cur.pricing.revision,
            second: cur.second_level.as_ref().map_or_else(Vec::new, |s| {
                s.groups
                    .iter()
                    .filter_map(|&g| {
                        let t = s.pricing.groups.get(g)?.clone();
                        Some((g, t.clone(), t))
                    })
                    .collect()
            }),
            object,
            elapsed: Duration::ZERO,
        });
        true
    }

    /// The table shown while a draft is open: every group, baseline | stepped | Δ, the groups
    /// the object moves first. None without a draft; a draft computed against a state that
    /// has been replaced since (a save, a period switch, another process) is dropped.
    pub(super) fn sensitivity_table(&mut self) -> Option<TableModel> {
        let d = self.sensitivity.draft.as_ref()?;
        let cur = self.current();
        if d.revision != cur.pricing.revision || d.groups.len() != cur.pricing.groups.len() {
            let name = d.name.clone();
            self.sensitivity.draft = None;
            self.status.0 = Some(format!(
                "the numbers changed underneath: the stepped value of '{name}' was dropped"
            ));
            return None;
        }
        let state = if self.scenario.is_some() {
            "scenario"
        } else {
            "baseline"
        };
        let mut t = TableModel::new(
            format!(
                "Sensitivity: {} '{}' {} % → {} % (step {}; {} {} step, {} size, {} applies, {} drops; {} ms) — {state} | stepped | Δ",
                d.what,
                d.name,
                d.original.normalize(),
                d.value.normalize(),
                self.sensitivity.step_size(),
                self.keys.list(Action::StepUp),
                self.keys.list(Action::StepDown),
                self.keys.list(Action::StepSize),
                self.keys.list(Action::Open),
                self.keys.list(Action::Back),
                d.elapsed.as_millis()
            ),
            &[
                ("Billing group", Align::Left),
                ("AWS cost", Align::Right),
                ("Pro forma", Align::Right),
                ("Stepped", Align::Right),
                ("Δ", Align::Right),
                ("Margin", Align::Right),
                ("Stepped margin", Align::Right),
                ("Margin %", Align::Right),
                ("Stepped %", Align::Right),
            ],
        )
        .measures(&[
            (2, Measure::ProForma),
            (3, Measure::ScenarioProForma),
            (4, Measure::ProFormaDelta),
            (5, Measure::Margin),
            (6, Measure::Margin),
            (7, Measure::MarginPercent),
            (8, Measure::MarginPercent),
        ]);
        let money = |x: Decimal| (fmt_grouped(x), SortValue::Num(Some(x)));
        let pct = |x: Option<Decimal>| {
            (
                x.map_or_else(|| "–".to_string(), |v| format!("{:.2}", v.round_dp(2))),
                SortValue::Num(x),
            )
        };
        // As every table shows them (SPEC 5): the groups' rows foot to the groups' total.
        let u = &cur.pricing.unmonitored;
        let shown = |gs: &[GroupTotals]| {
            let rows: Vec<ExactRow> = gs
                .iter()
                .map(|t| ExactRow::group(t.aws_cost, t.proforma(), t.tax))
                .collect();
            crate::footing::foot_invoice(&rows, u.aws_cost, u.tax)
        };
        let (before, after) = (shown(&cur.pricing.groups), shown(&d.groups));
        let mut order: Vec<usize> = (0..d.groups.len()).collect();
        order.sort_by_key(|&g| d.groups[g].proforma() == cur.pricing.groups[g].proforma());
        for g in order {
            // A level-2 transfer's group holds nothing here: its own rows follow.
            if !cur.listed_group(g) {
                continue;
            }
            let (Some(b), Some(s)) = (before.groups.get(g), after.groups.get(g)) else {
                continue;
            };
            let (pb, ps) = (
                b.proforma.unwrap_or_default(),
                s.proforma.unwrap_or_default(),
            );
            let name = cur.config.groups.get(g).map_or("", |x| x.name.as_str());
            t.push(
                name,
                vec![
                    (name.to_string(), SortValue::Text(name.to_string())),
                    money(b.aws),
                    money(pb),
                    money(ps),
                    money(ps - pb),
                    money(b.margin.unwrap_or_default()),
                    money(s.margin.unwrap_or_default()),
                    pct(b.margin_percentage),
                    pct(s.margin_percentage),
                ],
                super::table::RowKind::Normal,
            );
        }
        // The downstream sellers' groups (level-2 transfers), their own computation: after the
        // workspace's groups, outside its total, each amount rounded (SPEC 5).
        for (g, b, s) in &d.second {
            let name = cur
                .config
                .groups
                .get(*g)
                .map_or(String::new(), |x| format!("{} (level 2)", x.name));
            let r2 = crate::money::round2;
            let (aws, pb, ps) = (r2(b.aws_cost), r2(b.proforma()), r2(s.proforma()));
            t.push(
                &name,
                vec![
                    (name.clone(), SortValue::Text(name.clone())),
                    money(aws),
                    money(pb),
                    money(ps),
                    money(ps - pb),
                    money(pb - aws),
                    money(ps - r2(s.aws_cost)),
                    pct(b.margin_percentage()),
                    pct(s.margin_percentage()),
                ],
                // Dimmed and outside the total, as the unmonitored and tax lines are.
                super::table::RowKind::Aside,
            );
        }
        let (tb, ts) = (&before.groups_total, &after.groups_total);
        let (pb, ps) = (
            tb.proforma.unwrap_or_default(),
            ts.proforma.unwrap_or_default(),
        );
        t.totals = Some(vec![
            "Total".into(),
            fmt_grouped(tb.aws),
            fmt_grouped(pb),
            fmt_grouped(ps),
            fmt_grouped(ps - pb),
            fmt_grouped(tb.margin.unwrap_or_default()),
            fmt_grouped(ts.margin.unwrap_or_default()),
            String::new(),
            String::new(),
        ]);
        // The totals are wider than any group's amount: the columns make room for them.
        if let Some(totals) = &t.totals {
            for (c, text) in t.columns.iter_mut().zip(totals) {
                c.width = c.width.max(text.chars().count() as u16);
            }
        }
        Some(t)
    }

    /// Opens the margin target prompt for the selected rule or billing group.
    fn ask_target(&mut self) {
        if self.customer {
            self.refuse("not in the customer presentation: a margin target shows margins");
            return;
        }
        let selected = self.selected_object();
        let on_group = matches!(self.tab, Tab::Overview)
            || (self.tab == Tab::Groups && self.group_path.last() == Some(&GroupLevel::List));
        let (lever, group, ask) = match selected {
            Some((Kind::PricingRule, name)) if self.tab == Tab::Rules => (
                Lever::Rule(name.clone()),
                None,
                format!(
                    "Solve rule '{name}': billing group and target margin % (retail 25) or =pro forma (retail =6000)"
                ),
            ),
            Some((Kind::BillingGroup, name)) if on_group => (
                Lever::Credit,
                Some(name.clone()),
                format!(
                    "Solve a flat credit or fee on '{name}': target margin % (25) or =pro forma (=6000)"
                ),
            ),
            _ => {
                self.refuse(format!(
                    "{} solves a margin target: select a pricing rule (Pricing rules tab) or a billing group",
                    self.keys.list(Action::SolveTarget)
                ));
                return;
            }
        };
        self.sensitivity.solve_for = Some(lever);
        self.sensitivity.solve_group = group;
        let mut p = super::Prompt::new(super::PromptFor::SolveTarget);
        p.ask = ask;
        self.mode = super::Mode::Prompt(p);
    }
}

/// Parses a target: `25` (margin %) or `=6000` (pro forma).
fn parse_target(text: &str) -> Result<Target, String> {
    let t = text.trim();
    let (pro, num) = match t.strip_prefix('=') {
        Some(rest) => (true, rest.trim()),
        None => (false, t.trim_end_matches('%').trim()),
    };
    let v: Decimal = num.replace(',', "").parse().map_err(|_| {
        format!("'{t}' is not a number: type a margin % (25) or =pro forma (=6000)")
    })?;
    Ok(if pro {
        Target::Proforma(v)
    } else {
        Target::MarginPercent(v)
    })
}

impl App {
    /// Writes a stepped value: into the open scenario, else into the baseline from the period
    /// on, as a normal audited edit (refused when another process changed the object since).
    pub(super) fn apply_step(&mut self, object: Object) {
        use crate::store::config::Change;
        let name = object.name().to_string();
        let value = percentage_of(&object).unwrap_or_default().normalize();
        let change = Change::Put(object.clone());
        if let Some(s) = self.state.scenario.clone() {
            match self.ws.scenario_change(s.id, &change) {
                Ok(()) => {
                    self.refresh_scenario();
                    self.settle_saves();
                    self.state.status.0 = Some(format!(
                        "'{name}' set to {value} % in scenario '{}' (the baseline is unchanged)",
                        s.name
                    ));
                }
                Err(e) => self.state.refuse(format!("not applied: {}", e.explain())),
            }
            return;
        }
        let period = self.state.period();
        let kind = object.kind();
        let arn = object.arn().to_string();
        // The version stepped from must still be the stored one.
        let stored = self
            .ws
            .config_at(period)
            .ok()
            .and_then(|c| c.find(kind, &arn));
        let shown = self.state.data.config.find(kind, &arn);
        if stored != shown {
            self.check_outside();
            self.state.refuse(format!(
                "not applied: '{name}' was changed by another process; look at it again (reloaded)"
            ));
            return;
        }
        let seen: Vec<_> = self.ws.seen(kind, &arn).ok().into_iter().collect();
        match self
            .ws
            .apply_changes_seen(period, &[change], Some("sensitivity step"), &seen)
        {
            Ok(_) => {
                self.reload();
                self.settle_saves();
                self.state.status.0 = Some(format!(
                    "'{name}' set to {value} % from {period} on ({} undoes)",
                    self.state.keys.list(Action::Undo)
                ));
            }
            Err(e) => self.state.refuse(format!("not applied: {}", e.explain())),
        }
    }

    /// Solves the target typed into the prompt and writes the solution into the open
    /// scenario, or a new scenario that opens beside the baseline.
    pub(super) fn solve_target(&mut self, text: &str) {
        let target = match parse_target_for(&self.state, text) {
            Ok(t) => t,
            Err(e) => {
                self.prompt_again(super::PromptFor::SolveTarget, text.to_string(), e);
                return;
            }
        };
        let (group, target) = target;
        let Some(lever) = self.state.sensitivity.solve_for.clone() else {
            return;
        };
        let cur = self.state.current();
        let Some(g) = cur.config.groups.iter().position(|x| x.name == group) else {
            let e = format!("no billing group '{group}' in the state on screen");
            self.prompt_again(super::PromptFor::SolveTarget, text.to_string(), e);
            return;
        };
        let lever = match lever {
            Lever::Rule(name) => match cur.config.rules.iter().find(|r| r.name == name) {
                Some(r) => Lever::Rule(r.arn.clone()),
                None => Lever::Rule(name),
            },
            // A flat item: a credit when the target is below the pro forma, else a fee.
            _ => {
                let now = cur.pricing.groups[g].proforma();
                let want = match target {
                    Target::Proforma(y) => y,
                    Target::MarginPercent(x) => {
                        let c = cur.pricing.groups[g].aws_cost;
                        c + c * x / Decimal::ONE_HUNDRED
                    }
                };
                if want < now {
                    Lever::Credit
                } else {
                    Lever::Fee
                }
            }
        };
        let currency = cur
            .currency()
            .map(str::to_string)
            .unwrap_or_else(|_| "USD".into());
        let solved =
            crate::engine::solve::solve(&cur.pricing, &cur.config, &cur.lines, g, &lever, target);
        let mut solved = match solved {
            Ok(s) => s,
            Err(e) => {
                self.state.refuse(format!("no solution: {e}"));
                return;
            }
        };
        solved.set_currency(&currency);
        let scenario = match self.state.scenario.clone() {
            Some(s) => s,
            None => {
                let names: Vec<String> = self
                    .ws
                    .scenarios()
                    .map(|v| v.into_iter().map(|s| s.name).collect())
                    .unwrap_or_default();
                let base = format!("target-{group}");
                let name = (1..)
                    .map(|k| {
                        if k == 1 {
                            base.clone()
                        } else {
                            format!("{base}-{k}")
                        }
                    })
                    .find(|n| !names.contains(n))
                    .unwrap_or(base);
                match self.ws.create_scenario(&name, self.state.period()) {
                    Ok(s) => s,
                    Err(e) => {
                        self.state
                            .refuse(format!("not solved into a scenario: {e}"));
                        return;
                    }
                }
            }
        };
        let change = crate::store::config::Change::Put(solved.object.clone());
        if let Err(e) = self.ws.scenario_change(scenario.id, &change) {
            self.state.refuse(format!(
                "scenario '{}' refused it: {}",
                scenario.name,
                e.explain()
            ));
            return;
        }
        let after = &solved.after[g];
        let what = match &solved.object {
            Object::Rule(r) => format!(
                "rule '{}' {} {} %",
                r.name,
                r.rule_type.code(),
                solved.value
            ),
            Object::Item(i) => format!("a flat {} of {}", i.item_type.code(), solved.value),
            _ => String::new(),
        };
        let name = scenario.name.clone();
        self.open_scenario(Some(scenario));
        self.state.status.0 = Some(format!(
            "{target} on '{group}': {what} (exactly {}) reaches pro forma {}, margin % {} — in scenario '{name}' (w promotes or discards)",
            solved.exact.round_dp(6).normalize(),
            fmt_grouped(after.proforma()),
            after
                .margin_percentage()
                .map_or_else(|| "–".into(), |m| format!("{:.2}", m.round_dp(2)))
        ));
    }
}

/// The group and target typed: `GROUP TARGET` for a rule, `TARGET` for a group's flat item.
fn parse_target_for(state: &State, text: &str) -> Result<(String, Target), String> {
    match &state.sensitivity.solve_group {
        Some(g) => Ok((g.clone(), parse_target(text)?)),
        None => {
            let t = text.trim();
            let (group, target) = t.rsplit_once(char::is_whitespace).ok_or_else(|| {
                "type the billing group, a space, then the target: retail 25 or retail =6000"
                    .to_string()
            })?;
            Ok((group.trim().to_string(), parse_target(target)?))
        }
    }
}

//! The scenario menu and what it does: open, price beside the baseline (or beside another
//! scenario chosen as the comparison base), copy, promote, discard.

use super::App;
use super::modal::{Choice, Confirm, Mode, Picker, Prompt, PromptFor, ScenarioOp};

impl App {
    /// Promotes a scenario (asked and answered): its changes go to the baseline from its
    /// period on, as one change that undo takes back.
    pub(super) fn promote(&mut self, id: i64) {
        match self.ws.promote_scenario(id) {
            Ok(n) => {
                self.open_scenario(None);
                self.reload();
                self.state.status.0 = Some(format!(
                    "scenario promoted: {} applied to the baseline from {} on ({} undoes)",
                    crate::text::count(n as u64, "change"),
                    self.state.period(),
                    self.state.keys.list(super::Action::Undo)
                ));
            }
            Err(e) => self.state.refuse(format!("not promoted: {e}")),
        }
    }

    /// Opens a scenario (None: back to the baseline) and prices it beside the baseline.
    /// Opening one waits for its pricing (there is no previous state of it to show); the
    /// re-pricing after a save in it does not (see `refresh_scenario`).
    pub fn open_scenario(&mut self, s: Option<crate::store::scenarios::Scenario>) {
        // A comparison base belongs to the scenario it was chosen for.
        if self.state.scenario.as_ref().map(|x| x.id) != s.as_ref().map(|x| x.id) {
            self.state.compare_base = None;
        }
        self.state.scenario = s;
        self.refresh_scenario();
        self.settle_saves();
    }

    /// Re-prices the open scenario from its stored draft, on the worker: against the
    /// scenario's state on screen when it is the same scenario (only the groups the change
    /// can affect), else against the baseline. Until the result arrives the screen keeps the
    /// scenario's previous state (none when another scenario was opened), marked as stale.
    pub(super) fn refresh_scenario(&mut self) {
        use super::worker::Lane;
        // This window's own draft changes are not another process's.
        if let Ok(stamp) = self.ws.drafts_stamp() {
            self.state.outside.drafts = stamp;
        }
        let Some(s) = self.state.scenario.clone() else {
            self.state.scenario_data = None;
            self.state.compare_base = None;
            self.worker.forget(Lane::Scenario);
            return;
        };
        self.refresh_compare_base();
        match self.ws.scenario_config(s.id) {
            Ok(config) => {
                let same = self.state.scenario_data.as_ref().is_some_and(|d| {
                    d.scenario.as_deref() == Some(s.name.as_str())
                        && std::sync::Arc::ptr_eq(&d.lines, &self.state.data.lines)
                });
                if !same {
                    self.state.scenario_data = None;
                }
                let base = self
                    .state
                    .scenario_data
                    .as_ref()
                    .unwrap_or(&self.state.data);
                self.worker.request(
                    Lane::Scenario,
                    base.lines.clone(),
                    base.pricing.clone(),
                    &base.config,
                    config,
                );
                self.state.repricing = true;
                self.state.scenario = self
                    .ws
                    .scenarios()
                    .ok()
                    .and_then(|all| all.into_iter().find(|x| x.id == s.id));
            }
            Err(e) => {
                self.state.scenario_data = None;
                self.worker.forget(Lane::Scenario);
                self.state.refuse(format!("scenario: {e}"));
                self.state.scenario = None;
            }
        }
    }

    /// The scenarios of the period and what can be done with them.
    pub(super) fn scenario_menu(&mut self) {
        let mut options: Vec<(String, Choice)> =
            vec![("new scenario…".into(), Choice::Scenario(ScenarioOp::New))];
        let period = self.state.period();
        for s in self
            .ws
            .scenarios()
            .unwrap_or_default()
            .into_iter()
            .filter(|s| s.period == period)
        {
            options.push((
                format!(
                    "open '{}' ({})",
                    crate::text::middle_ellipsis(&s.name, 36),
                    crate::text::count(s.changes as u64, "change")
                ),
                Choice::Scenario(ScenarioOp::Open(s.id)),
            ));
        }
        if let Some(s) = &self.state.scenario {
            let name = crate::text::middle_ellipsis(&s.name, 36);
            options.push((
                format!("copy '{name}' into a new scenario…"),
                Choice::Scenario(ScenarioOp::Copy(s.id)),
            ));
            let against = match &self.state.compare_base {
                Some((b, _)) => format!("scenario '{}'", crate::text::middle_ellipsis(&b.name, 24)),
                None => "the baseline".to_string(),
            };
            options.push((
                format!("compare '{name}' with… (now: {against})"),
                Choice::Scenario(ScenarioOp::CompareWith),
            ));
            options.push((
                format!("promote '{name}' into the baseline"),
                Choice::Scenario(ScenarioOp::Promote(s.id)),
            ));
            options.push((
                format!("discard '{name}'"),
                Choice::Scenario(ScenarioOp::Discard(s.id)),
            ));
            options.push((
                "back to the baseline".into(),
                Choice::Scenario(ScenarioOp::Baseline),
            ));
        }
        self.state.mode = Mode::Picker(Picker {
            title: format!("Scenarios of {period}"),
            options,
            selected: 0,
            size: (80, 50),
        });
    }

    pub(super) fn scenario_op(&mut self, op: ScenarioOp) {
        match op {
            ScenarioOp::Copy(id) => {
                let name = self
                    .ws
                    .scenarios()
                    .ok()
                    .and_then(|all| all.into_iter().find(|s| s.id == id))
                    .map_or_else(String::new, |s| format!("scenario '{}'", s.name));
                let mut p = Prompt::new(PromptFor::ScenarioCopy(id));
                p.ask = name;
                self.state.mode = Mode::Prompt(p);
            }
            ScenarioOp::CompareWith => self.compare_menu(),
            ScenarioOp::CompareBase(base) => self.set_compare_base(base),
            ScenarioOp::New => self.state.mode = Mode::Prompt(Prompt::new(PromptFor::ScenarioName)),
            ScenarioOp::Open(id) => {
                let s = self
                    .ws
                    .scenarios()
                    .unwrap_or_default()
                    .into_iter()
                    .find(|s| s.id == id);
                self.open_scenario(s);
                if let Some(s) = &self.state.scenario {
                    self.state.status.0 = Some(format!(
                        "scenario '{}' open: edits go to it, not to the baseline",
                        s.name
                    ));
                }
            }
            ScenarioOp::Baseline => {
                self.open_scenario(None);
                self.state.status.0 = Some("baseline".into());
            }
            ScenarioOp::Promote(id) => {
                // Promoting writes the baseline: say how much, and ask (y).
                let scenario = self
                    .ws
                    .scenarios()
                    .ok()
                    .and_then(|all| all.into_iter().find(|s| s.id == id));
                match scenario {
                    Some(s) if s.changes == 0 => self.state.refuse(format!(
                        "nothing to promote: scenario '{}' has no changes",
                        s.name
                    )),
                    Some(s) => {
                        self.state.mode = Mode::Confirm(Confirm::Promote {
                            id,
                            name: s.name,
                            changes: s.changes as u64,
                        })
                    }
                    None => self
                        .state
                        .refuse("not promoted: the scenario no longer exists"),
                }
            }
            ScenarioOp::Discard(id) => {
                // A scenario's changes cannot be had back: ask first.
                let name = self
                    .ws
                    .scenarios()
                    .ok()
                    .and_then(|all| all.into_iter().find(|s| s.id == id))
                    .map_or_else(String::new, |s| s.name);
                self.state.mode = Mode::Confirm(Confirm::DiscardScenario { id, name });
            }
        }
    }

    /// Starts scenario `name` as a copy of scenario `from` and opens it (the prompt again,
    /// with the reason, when the name is refused).
    pub(super) fn copy_scenario(&mut self, from: i64, name: String) {
        let source = self
            .ws
            .scenarios()
            .ok()
            .and_then(|all| all.into_iter().find(|s| s.id == from));
        match self.ws.copy_scenario(from, &name) {
            Ok(s) => {
                let new = s.name.clone();
                self.open_scenario(Some(s));
                self.state.status.0 = Some(format!(
                    "scenario '{new}' open: a copy of '{}'; edits go to it only",
                    source.map_or_else(String::new, |x| x.name)
                ));
            }
            Err(e) => {
                let why = e.to_string();
                let mut p = Prompt::new(PromptFor::ScenarioCopy(from));
                p.text = name;
                p.ask = source.map_or_else(String::new, |x| format!("scenario '{}'", x.name));
                p.error = why.clone();
                self.state.mode = Mode::Prompt(p);
                self.state.refuse(why);
            }
        }
    }

    /// What the open scenario can be compared with: the baseline or another scenario of the
    /// period.
    fn compare_menu(&mut self) {
        let Some(open) = self.state.scenario.clone() else {
            self.state.refuse(
                "open a scenario first: it is compared with the baseline or another scenario",
            );
            return;
        };
        let period = self.state.period();
        let mut options: Vec<(String, Choice)> = vec![(
            "the baseline".into(),
            Choice::Scenario(ScenarioOp::CompareBase(None)),
        )];
        for s in self
            .ws
            .scenarios()
            .unwrap_or_default()
            .into_iter()
            .filter(|s| s.period == period && s.id != open.id)
        {
            options.push((
                format!(
                    "scenario '{}' ({})",
                    crate::text::middle_ellipsis(&s.name, 36),
                    crate::text::count(s.changes as u64, "change")
                ),
                Choice::Scenario(ScenarioOp::CompareBase(Some(s.id))),
            ));
        }
        self.state.mode = Mode::Picker(Picker {
            title: format!(
                "Compare '{}' with",
                crate::text::middle_ellipsis(&open.name, 36)
            ),
            options,
            selected: 0,
            size: (70, 40),
        });
    }

    /// Compares the open scenario with scenario `base` (None: the baseline).
    fn set_compare_base(&mut self, base: Option<i64>) {
        let Some(open) = self.state.scenario.clone() else {
            return;
        };
        let Some(id) = base else {
            self.state.compare_base = None;
            self.state.status.0 = Some(format!("baseline | scenario '{}' | Δ", open.name));
            return;
        };
        let s = self
            .ws
            .scenarios()
            .ok()
            .and_then(|all| all.into_iter().find(|s| s.id == id));
        match s {
            Some(s) => {
                self.state.compare_base = Some((s.clone(), self.state.data.clone()));
                self.refresh_compare_base();
                if self.state.compare_base.is_some() {
                    self.state.status.0 = Some(format!(
                        "scenario '{}' | scenario '{}' | Δ ('{}' minus '{}'); edits still go to '{}'",
                        s.name, open.name, open.name, s.name, open.name
                    ));
                }
            }
            None => self
                .state
                .refuse("not compared: that scenario no longer exists"),
        }
    }

    /// Prices the comparison base again from its stored draft over the baseline on screen
    /// (after a change to any draft, or to the baseline's data); drops it, saying so, when
    /// the scenario is gone or no longer of the period shown.
    pub(super) fn refresh_compare_base(&mut self) {
        let Some((b, priced_before)) = self.state.compare_base.take() else {
            return;
        };
        let period = self.state.period();
        let now = self
            .ws
            .scenarios()
            .ok()
            .and_then(|all| all.into_iter().find(|s| s.id == b.id && s.period == period));
        let priced = now.and_then(|s| {
            let config = self.ws.scenario_config(s.id).ok()?;
            // Unchanged draft over the same lines (a save in the open scenario): keep it.
            // Its configuration is the baseline's with its differences, so a baseline change
            // shows here too.
            if priced_before.config == config
                && std::sync::Arc::ptr_eq(&priced_before.lines, &self.state.data.lines)
            {
                return Some((s, priced_before));
            }
            // Priced here, not on the worker: a comparison base is chosen on a key, and is
            // priced again only when its draft or the baseline changed; only the groups its
            // draft touches are re-priced.
            let mut a = self.state.data.clone();
            a.reprice(config);
            a.scenario = Some(s.name.clone());
            Some((s, a))
        });
        if priced.is_none() {
            self.state.status.0 = Some(format!(
                "scenario '{}' is no longer there: compared with the baseline again",
                b.name
            ));
        }
        self.state.compare_base = priced;
    }
}

//! The controller: carries out the effects `State::update` returns, against the workspace,
//! the engine and the preview worker, then refreshes what the screen reads from the store.

use super::modal::{Confirm, Mode, PromptFor};
use super::worker::{Done, Lane};
use super::{Action, App, Effect, GroupLevel, Tab, forms};
use crate::analysis::Analysis;

/// What the table's title says while a save's re-pricing is in flight.
pub const REPRICING: &str = " (re-pricing…)";

impl App {
    /// One user action: the state's pure update, then its effects carried out here.
    pub fn update(&mut self, action: Action) {
        // Until the period's lines are in, the overview answers moving around, help and
        // quit; anything else first waits for them (well under a second), then runs on the
        // whole period.
        let moves = matches!(
            action,
            Action::Quit
                | Action::Help
                | Action::Up
                | Action::Down
                | Action::PageUp
                | Action::PageDown
                | Action::Top
                | Action::Bottom
                | Action::Redraw
                | Action::Select(_)
        );
        if !moves {
            self.wait_detail();
        }
        let tab = self.state.tab;
        let effects = self.state.update(action);
        // A keystroke in a form changes only the form (its preview comes from the worker):
        // the screen's tables are not rebuilt for it.
        let touched = effects
            .iter()
            .any(|e| !matches!(e, Effect::FormEdited { .. }))
            || self.state.tab != tab;
        let requests = self.worker.saves_requested();
        for e in effects {
            // What reads or writes the configuration builds on the saved state: a save's
            // re-pricing still in flight is waited for first (moving around does not wait).
            if !matches!(e, Effect::Refresh | Effect::FormEdited { .. }) {
                self.settle_saves();
            }
            self.run(e);
        }
        if touched && self.state.tab == tab && self.worker.saves_requested() != requests {
            // A save's re-pricing is on its way: the tables behind the closed form still show
            // the state they were built from, now marked; they are rebuilt once, when the
            // result arrives (not twice).
            self.state.repricing = true;
            if !self.state.model.title.ends_with(REPRICING) {
                self.state.model.title.push_str(REPRICING);
            }
        } else if touched {
            self.refresh();
        }
    }

    /// Reads what the screen shows from the store (History's entries, whether the period is
    /// closed), then rebuilds the tables.
    pub fn refresh(&mut self) {
        if self.state.tab == Tab::History {
            self.state.audit = crate::analysis::history(&self.ws).map_err(|e| e.to_string());
            self.state.statements = self.ws.issued_statements(500).unwrap_or_default();
        }
        self.state.period_status = self.ws.period_status(self.state.period()).ok();
        if self.state.tab == Tab::Reconcile {
            self.refresh_checklist();
        }
        let status = self.state.status.0.take();
        self.state.repricing =
            self.worker.in_flight(Lane::Baseline) || self.worker.in_flight(Lane::Scenario);
        self.state.rebuild();
        self.state.status.0 = self.state.status.0.take().or(status);
    }

    /// Carries out one effect.
    fn run(&mut self, effect: Effect) {
        match effect {
            Effect::Refresh => {}
            Effect::ApplyStep { object } => self.apply_step(object),
            Effect::SolveTarget { text } => self.solve_target(&text),
            Effect::SwitchPeriod { forward } => self.switch_period(forward),
            Effect::OpenForm { new, name } => self.open_form(new, &name),
            Effect::OpenTransferForm => {
                self.open_form_of(crate::model::Kind::BillingTransfer, true, "")
            }
            Effect::FormEdited { changed } => self.form_edited(changed),
            Effect::SaveForm => self.save_form(),
            Effect::TakeTheirs { deleted } => {
                self.check_outside();
                self.state.status.0 = Some(if deleted {
                    "kept the other process's delete; your edits were discarded".into()
                } else {
                    "kept the version saved by the other process; your edits were discarded".into()
                });
            }
            Effect::AskDelete { kind, name } => self.ask_delete(kind, &name),
            Effect::Delete {
                kind,
                arn,
                label,
                seen,
            } => self.delete(kind, arn, &label, seen),
            Effect::Undo | Effect::Redo => {
                let undo = effect == Effect::Undo;
                // A change of several objects (a configuration import, a promote) is said
                // before it is undone.
                match self.ws.undo_preview(undo) {
                    Ok(Some(o)) if o.objects.len() > 1 => {
                        self.state.mode = Mode::Confirm(Confirm::Undo {
                            undo,
                            objects: o.objects,
                            period: o.period,
                        });
                    }
                    _ => self.undo_now(undo),
                }
            }
            Effect::UndoNow { undo } => self.undo_now(undo),
            Effect::ClosePeriod { note } => {
                let p = self.state.period();
                match self.ws.close_period(p, &note) {
                    Ok(_) => self.state.status.0 = Some(format!("{p} closed")),
                    Err(e) => self.prompt_again(PromptFor::Close, note, e.to_string()),
                }
            }
            Effect::ReopenPeriod { reason } => {
                let p = self.state.period();
                match self.ws.reopen_period(p, &reason) {
                    Ok(_) => self.state.status.0 = Some(format!("{p} reopened")),
                    Err(e) => self.prompt_again(PromptFor::Reopen, reason, e.to_string()),
                }
            }
            Effect::Export { path } => self.export(path),
            Effect::InvoiceTotal { text } => {
                let p = self.state.period();
                if text.trim().is_empty() {
                    self.state.invoice_entered.remove(&p);
                    self.state.status.0 = Some(format!("invoice total of {p} cleared"));
                } else {
                    match crate::month_end::invoices::parse_amount(&text) {
                        Ok(total) => {
                            self.state.invoice_entered.insert(p, total);
                            self.state.status.0 = Some(format!(
                                "AWS invoice total of {p}: {}",
                                crate::money::fmt_grouped(total)
                            ));
                        }
                        Err(e) => self.prompt_again(PromptFor::InvoiceTotal, text, e),
                    }
                }
            }
            Effect::CreateScenario { name } => {
                match self.ws.create_scenario(&name, self.state.period()) {
                    Ok(s) => {
                        let name = s.name.clone();
                        self.open_scenario(Some(s));
                        self.state.status.0 = Some(format!(
                            "scenario '{name}' open: edits go to it, not to the baseline ({} to promote or discard)",
                            self.state.keys.list(super::Action::Scenarios)
                        ));
                    }
                    Err(e) => self.prompt_again(PromptFor::ScenarioName, name, e.to_string()),
                }
            }
            Effect::CopyScenario { from, name } => self.copy_scenario(from, name),
            Effect::ScenarioMenu => self.scenario_menu(),
            Effect::Scenario(op) => self.scenario_op(op),
            Effect::DiscardScenario { id } => {
                let result = self.ws.discard_scenario(id);
                self.open_scenario(None);
                match result {
                    Ok(()) => {
                        self.state.status.0 =
                            Some("scenario discarded; the baseline is unchanged".into())
                    }
                    Err(e) => self.state.refuse(e.to_string()),
                }
            }
            Effect::Assign { group } => self.assign(&group),
            Effect::PromoteNow { id } => self.promote(id),
        }
    }

    fn undo_now(&mut self, undo: bool) {
        let result = if undo { self.ws.undo() } else { self.ws.redo() };
        match result {
            Ok(o) => {
                self.reload();
                let what = match o.objects.as_slice() {
                    [one] => one.clone(),
                    many => format!(
                        "{}: {}",
                        crate::text::count(many.len() as u64, "change"),
                        crate::text::list_some(many, 3)
                    ),
                };
                self.state.status.0 = Some(format!(
                    "{} {what} ({} on)",
                    if undo { "undid" } else { "redid" },
                    o.period
                ));
            }
            Err(e) => self.state.refuse(e.explain()),
        }
    }

    /// A prompt's text was refused: the prompt opens again with it (what is typed next goes
    /// into it, not to the screens as commands), and the refusal says why.
    /// Runs the month-end checks of the period on screen again when what they read moved
    /// (the Reconcile tab's checklist); the baseline on screen is used when it is priced
    /// and current, else the period is read.
    fn refresh_checklist(&mut self) {
        use super::checklist::{Checklist, Stamp};
        let st = &self.state;
        let stamp = Stamp {
            period: st.period(),
            audit_id: self.ws.last_audit_id().unwrap_or(-1),
            data_version: self.ws.data_version().unwrap_or(-1),
            entered: st.invoice_entered.get(&st.period()).copied(),
        };
        // Statements are recorded outside the audit log: counted on every refresh (cheap).
        let (final_, drafts) = self
            .ws
            .groups_with_statements(stamp.period)
            .unwrap_or((0, 0));
        self.state.statements_issued = final_;
        self.state.statement_drafts = drafts;
        let st = &self.state;
        if st.checklist.as_ref().is_some_and(|c| c.stamp == stamp) {
            return;
        }
        let repricing =
            self.worker.in_flight(Lane::Baseline) || self.worker.in_flight(Lane::Scenario);
        let loaded = (!repricing).then_some(&st.data);
        let result = crate::month_end::reconcile_loaded(
            &self.ws,
            stamp.period,
            loaded,
            &super::checklist::entered(st),
            &crate::month_end::Options::default(),
        )
        .map_err(|e| e.to_string());
        self.state.checklist = Some(Checklist { stamp, result });
    }

    /// Writes the export asked for (`pending_export`) to `typed` (relative to the
    /// workspace's directory); a refusal asks again with the text kept.
    fn export(&mut self, typed: String) {
        use super::export::ExportKind;
        let Some(target) = self.state.pending_export.clone() else {
            return;
        };
        let path = super::export::resolve(&self.state, &typed);
        let period = self.state.period();
        let done = match target.kind {
            ExportKind::Statement(format) => crate::month_end::statement_files::issue(
                &mut self.ws,
                &crate::month_end::statement_files::Request {
                    period,
                    group: target.group.as_deref(),
                    all: target.group.is_none(),
                    out: &path,
                    format,
                    with_tax: false,
                    force: false,
                },
            )
            .map(|issued| match issued.as_slice() {
                [one] => format!(
                    "statement {} of {} written to {}{}",
                    one.number,
                    one.group_name,
                    one.path.display(),
                    if one.draft {
                        " (DRAFT: the period is open)"
                    } else {
                        ""
                    }
                ),
                many => format!(
                    "{} written to {}{}",
                    crate::text::count(many.len() as u64, "statement"),
                    path.display(),
                    if many.iter().any(|f| f.draft) {
                        " (DRAFTS: the period is open)"
                    } else {
                        ""
                    }
                ),
            })
            .map_err(|e| e.to_string()),
            ExportKind::ProformaCur => self.export_proforma_cur(target.group.as_deref(), &path),
        };
        match done {
            Ok(said) => {
                self.state.pending_export = None;
                self.state.status.0 = Some(said);
            }
            Err(why) => self.prompt_again(PromptFor::ExportPath, typed, why),
        }
    }

    /// The pro forma CUR of one group (issue 12 item 5).
    fn export_proforma_cur(
        &mut self,
        group: Option<&str>,
        path: &std::path::Path,
    ) -> Result<String, String> {
        use crate::month_end::proforma_cur;
        let group = group.ok_or("the pro forma CUR is exported one billing group at a time")?;
        proforma_cur::check_targets(&[path.to_path_buf()], false, false)
            .map_err(|e| e.to_string())?;
        // The baseline on screen when it is priced and current, else the period read again.
        let st = &self.state;
        let fresh;
        let analysis = if st.data.partial || st.repricing || st.data.scenario.is_some() {
            fresh = Analysis::load(&self.ws, st.period()).map_err(|e| e.to_string())?;
            &fresh
        } else {
            &st.data
        };
        let g = analysis.group_index(group).map_err(|e| e.to_string())?;
        let summaries = proforma_cur::export(
            &self.ws,
            analysis,
            &[(g, path.to_path_buf())],
            false,
            &crate::sample_data::embedded,
            &crate::import::Quiet,
        )
        .map_err(|e| e.to_string())?;
        let rows = summaries.first().map_or(0, |s| s.rows + s.item_rows);
        let total = summaries.first().map(|s| s.total).unwrap_or_default();
        Ok(format!(
            "pro forma CUR of {group} written to {}: {rows} rows, pro forma {}",
            path.display(),
            crate::money::fmt_grouped(crate::money::round2(total))
        ))
    }

    pub(super) fn prompt_again(&mut self, what: PromptFor, text: String, why: String) {
        let ask = match &self.state.mode {
            Mode::Prompt(p) if p.what == what => p.ask.clone(),
            _ => self
                .state
                .pending_export
                .as_ref()
                .filter(|_| what == PromptFor::ExportPath)
                .map(|t| t.question())
                .unwrap_or_default(),
        };
        self.state.mode = Mode::Prompt(super::modal::Prompt {
            what,
            text,
            ask,
            error: why.clone(),
        });
        self.state.refuse(why);
    }

    /// Re-prices the current period after a configuration change (save, delete, undo): the
    /// period's lines stay loaded, only the configuration is read again. The re-pricing runs
    /// on the worker (only the groups the change can affect); until it arrives the screen
    /// keeps the previous configuration and numbers, marked as re-pricing.
    pub fn reload(&mut self) {
        let p = self.state.period();
        match self.ws.config_at(p) {
            // The baseline did not change (a save in the open scenario): only the scenario.
            Ok(config) if config == self.state.data.config => {
                self.worker.forget(Lane::Baseline);
                self.refresh_scenario();
            }
            Ok(config) => {
                let d = &self.state.data;
                self.worker.request(
                    Lane::Baseline,
                    d.lines.clone(),
                    d.pricing.clone(),
                    &d.config,
                    config,
                );
                self.state.repricing = true;
            }
            Err(e) => self.state.refuse(format!("could not reload {p}: {e}")),
        }
    }

    /// Takes one of the worker's results: a preview into the open form, a save's re-pricing
    /// into the baseline or the scenario (configuration and numbers at once). Returns true
    /// when the screen changed.
    fn take_result(&mut self, done: Done) -> bool {
        if !self.worker.is_latest(&done) {
            return false;
        }
        match done.lane {
            Lane::Preview => self.show_preview(done),
            Lane::Baseline => {
                // The daily series follow membership only.
                let regroup = done.delta.moves_accounts();
                if !self.state.data.apply(done.config, done.delta) {
                    // Computed against a state replaced since (another period, another
                    // process's change): ask again against the state on screen.
                    self.reload();
                    return false;
                }
                if regroup {
                    self.state.daily = self.state.data.daily_by_group(&self.state.daily_rows);
                }
                // A deleted group may have been on the drill path.
                let n = self.state.data.config.groups.len();
                self.state
                    .group_path
                    .retain(|l| l.group().is_none_or(|g| g < n));
                // The scenario drafts over the baseline: it follows.
                if self.state.scenario.is_some() {
                    self.refresh_scenario();
                }
                self.refresh();
                true
            }
            Lane::Scenario => {
                let Some(name) = self.state.scenario.as_ref().map(|s| s.name.clone()) else {
                    return false;
                };
                let base = done.delta.base_revision;
                let applied = match &mut self.state.scenario_data {
                    Some(d) => d.apply(done.config, done.delta),
                    None if self.state.data.pricing.revision == base => {
                        let mut d = self.state.data.clone();
                        d.scenario = Some(name);
                        let ok = d.apply(done.config, done.delta);
                        if ok {
                            self.state.scenario_data = Some(d);
                        }
                        ok
                    }
                    None => false,
                };
                if !applied {
                    self.refresh_scenario();
                    return false;
                }
                if let Some(d) = &self.state.scenario_data {
                    // Its groups' daily series follow its own membership.
                    self.state.scenario_daily = d.daily_by_group(&self.state.daily_rows);
                }
                self.refresh();
                true
            }
        }
    }

    /// Waits for the re-pricing of saves still in flight and takes it (before an action that
    /// reads or writes the configuration; tests).
    pub fn settle_saves(&mut self) {
        // Bounded: taking the baseline's result may ask for the scenario's.
        for _ in 0..8 {
            let lane = if self.worker.in_flight(Lane::Baseline) {
                Lane::Baseline
            } else if self.worker.in_flight(Lane::Scenario) {
                Lane::Scenario
            } else {
                break;
            };
            if let Some(done) = self.worker.wait(lane) {
                self.take_result(done);
            }
        }
        if self.state.repricing {
            self.refresh();
        }
    }

    fn switch_period(&mut self, forward: bool) {
        let st = &self.state;
        let Some(pos) = st.periods.iter().position(|p| *p == st.period()) else {
            return;
        };
        let next = if forward {
            pos + 1
        } else {
            pos.wrapping_sub(1)
        };
        let Some(&p) = st.periods.get(next) else {
            self.state.status.0 = Some(format!(
                "no {} period with data",
                if forward { "later" } else { "earlier" }
            ));
            return;
        };
        match Analysis::load(&self.ws, p).and_then(|d| Ok((d, self.ws.daily(p)?))) {
            Ok((d, rows)) => {
                self.state.daily = d.daily_by_group(&rows);
                self.state.daily_rows = std::sync::Arc::new(rows);
                self.state.data = d;
                // Group indexes may differ between periods' configurations.
                self.state.group_path = vec![GroupLevel::List];
                self.state.status.0 = Some(format!("period {p}"));
                // A scenario drafts one period's configuration.
                if self.state.scenario.as_ref().is_some_and(|s| s.period != p) {
                    self.open_scenario(None);
                    self.state.status.0 = Some(format!(
                        "period {p}: back to the baseline (the scenario is for another period)"
                    ));
                }
            }
            Err(e) => self.state.refuse(format!("could not load {p}: {e}")),
        }
    }

    /// Opens the form for a new object or the named one, from what is stored now.
    fn open_form(&mut self, new: bool, name: &str) {
        let Some(kind) = self.state.form_kind() else {
            return;
        };
        self.open_form_of(kind, new, name);
    }

    /// Opens the form of `kind`: a new object, or the named one.
    fn open_form_of(&mut self, kind: crate::model::Kind, new: bool, name: &str) {
        // The form starts from what is stored now, not from a view another process has
        // changed since the last poll.
        self.check_outside();
        let ctx = self.form_context();
        let form = if new {
            Some(forms::Form::new(kind, &ctx))
        } else {
            forms::Form::edit_named(&ctx, kind, name)
        };
        match form {
            Some(mut f) => {
                f.remember_opened(&self.ws, self.state.scenario.as_ref().map(|s| s.id));
                f.suggestions = ctx.suggestions(&f);
                self.state.mode = Mode::Form(Box::new(f));
            }
            None => self.state.refuse(format!(
                "'{name}' cannot be edited here (managed plans are read-only)"
            )),
        }
    }

    /// What forms read: the configuration being edited, names, payers, the period's lines.
    fn form_context(&self) -> forms::FormContext<'_> {
        forms::FormContext::new(self.state.current(), &self.state.names)
    }

    /// After a key in the form: fresh suggestions, and a check and preview after an edit.
    pub(super) fn form_edited(&mut self, changed: bool) {
        let Mode::Form(mut form) = std::mem::take(&mut self.state.mode) else {
            return;
        };
        let ctx = self.form_context();
        form.suggestions = ctx.suggestions(&form);
        if changed {
            let validation = self.ws.validation_context().unwrap_or_default();
            match form.check(&ctx, &validation) {
                Some((_, config)) => {
                    let d = self.state.current();
                    self.worker.request(
                        Lane::Preview,
                        d.lines.clone(),
                        d.pricing.clone(),
                        &d.config,
                        config,
                    );
                    form.preview_stale = true;
                }
                None => {
                    form.preview.clear();
                    form.preview_stale = false;
                }
            }
        }
        self.state.mode = Mode::Form(form);
    }

    fn save_form(&mut self) {
        let Mode::Form(mut form) = std::mem::take(&mut self.state.mode) else {
            return;
        };
        let result = {
            let st = &self.state;
            let ctx = forms::FormContext::new(st.current(), &st.names);
            forms::save(&mut self.ws, st.scenario.as_ref(), &mut form, &ctx)
        };
        match result {
            Ok(msg) => {
                self.reload();
                // Undo acts on the baseline's history only.
                let undo = if self.state.scenario.is_some() {
                    String::new()
                } else {
                    format!(" ({} undoes)", self.state.keys.list(super::Action::Undo))
                };
                self.state.status.0 = Some(format!("{msg}{undo}"));
            }
            Err(forms::NotSaved) => {
                let conflict = form.conflict.is_some();
                self.state.mode = Mode::Form(form);
                if conflict {
                    // Show their version on screen too, beside what differs from the form.
                    self.check_outside();
                }
                self.state.status.0 = Some(if conflict {
                    format!(
                        "not saved: changed by another process — o overwrites with yours, t takes theirs, {} keeps editing",
                        self.state.keys.text(super::Action::Back)
                    )
                } else {
                    "not saved: see the errors in the form".into()
                });
            }
        }
    }

    /// Takes the worker's newest results: a form's preview, a save's re-pricing. Returns true
    /// when the screen changed.
    pub fn poll_worker(&mut self) -> bool {
        let mut changed = false;
        match &self.lines_loading {
            None => {}
            Some(super::LinesLoading::NotStarted) => {
                let (tx, rx) = std::sync::mpsc::channel();
                let path = self.ws.path().to_path_buf();
                let period = self.state.period();
                std::thread::spawn(move || {
                    let full = crate::store::Workspace::open_for_reading(&path)
                        .and_then(|ws| Analysis::load(&ws, period));
                    // The window may be gone by now; nobody waits for this then.
                    let _ = tx.send(full);
                });
                self.lines_loading = Some(super::LinesLoading::Loading(rx));
            }
            Some(super::LinesLoading::Loading(rx)) => match rx.try_recv() {
                Ok(full) => {
                    self.lines_loading = None;
                    changed |= self.take_detail(full);
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => {}
                Err(std::sync::mpsc::TryRecvError::Disconnected) => {
                    self.lines_loading = None;
                    changed |= self.take_detail(Analysis::load(&self.ws, self.state.period()));
                }
            },
        }
        for done in self.worker.poll() {
            changed |= self.take_result(done);
        }
        changed
    }

    /// Waits for what is pending: a save's re-pricing, the open form's preview (tests; the
    /// UI polls).
    pub fn settle(&mut self) {
        self.wait_detail();
        self.settle_saves();
        if self.state.form().is_some_and(|f| f.preview_stale) {
            if let Some(done) = self.worker.wait(Lane::Preview) {
                self.show_preview(done);
            }
        }
    }

    /// Waits for the period's lines loading behind the overview, if they are still loading.
    pub fn wait_detail(&mut self) {
        let full = match self.lines_loading.take() {
            None => return,
            Some(super::LinesLoading::Loading(rx)) => rx.recv().ok(),
            Some(super::LinesLoading::NotStarted) => None,
        };
        let full = full.unwrap_or_else(|| Analysis::load(&self.ws, self.state.period()));
        self.take_detail(full);
    }

    /// Puts the whole period (lines and pricing) in place of the overview drawn from the kept
    /// totals: the same numbers, now with everything behind them. Returns true when the
    /// screen changed.
    fn take_detail(&mut self, full: Result<Analysis, crate::store::StoreError>) -> bool {
        if !self.state.data.partial {
            return false;
        }
        let period = self.state.period();
        let full = match full {
            Ok(a) if a.period == period => Ok(a),
            // Read before the period changed (it cannot while partial), or failed: read again.
            _ => Analysis::load(&self.ws, period),
        };
        match full {
            Ok(a) => {
                a.keep_ready(&self.ws);
                self.state.data = a;
                self.refresh();
            }
            Err(e) => self.state.refuse(format!("reading {period}: {e}")),
        }
        true
    }

    fn show_preview(&mut self, done: Done) -> bool {
        let lines = preview_lines(self.state.current(), &done.config, &done.delta);
        let Mode::Form(form) = &mut self.state.mode else {
            return false;
        };
        form.preview = lines;
        form.preview_stale = false;
        true
    }

    /// Moves the marked accounts into `target` (a group name; empty: no group), in one change.
    fn assign(&mut self, target: &str) {
        use crate::store::config::Change;
        if let Some(scenario) = self.state.scenario.clone() {
            return self.assign_in_scenario(target, &scenario);
        }
        if self.ws.is_closed(self.state.period()).unwrap_or(false) {
            let p = self.state.period();
            self.state.refuse(format!(
                "{p} is closed: reopen it on the Reconcile tab to edit"
            ));
            return;
        }
        // Build on what is stored now, not on a view another process has changed since the
        // last poll. What is seen first: a change landing before the reload refuses the
        // assignment rather than being overwritten.
        let seen: Vec<crate::store::config::Seen> = self
            .state
            .data
            .config
            .groups
            .iter()
            .filter_map(|g| self.ws.seen(crate::model::Kind::BillingGroup, &g.arn).ok())
            .collect();
        self.check_outside();
        let st = &self.state;
        // The picker was filled before that reload: the group chosen may be gone now.
        if !target.is_empty() && !st.data.config.groups.iter().any(|g| g.name == target) {
            let msg = format!(
                "not assigned: billing group '{target}' no longer exists in {} (another process \
                 removed it); nothing was changed",
                st.period()
            );
            self.state.refuse(msg);
            return;
        }
        let changes: Vec<Change> = assignment(&st.data.config.groups, &st.marked, target)
            .into_iter()
            .map(|(_, c)| c)
            .collect();
        let n = st.marked.len();
        let period = st.period();
        if changes.is_empty() {
            self.state.status.0 = Some(format!(
                "nothing to change: the {n} marked accounts are already there in {period}"
            ));
            return;
        }
        match self
            .ws
            .apply_changes_seen(period, &changes, Some("bulk account assignment"), &seen)
        {
            Ok(_) => {
                self.state.marked.clear();
                self.reload();
                self.state.status.0 = Some(format!(
                    "{} now in {} from {period} on (u undoes)",
                    crate::text::count(n as u64, "account"),
                    assigned_to(target)
                ));
            }
            Err(e) => self.state.refuse(format!("not assigned: {e}")),
        }
    }

    /// The bulk assignment drafted in the open scenario: its groups change there, the baseline
    /// not at all (one write: every group or none).
    fn assign_in_scenario(&mut self, target: &str, scenario: &crate::store::scenarios::Scenario) {
        use crate::store::config::Change;
        let st = &self.state;
        let groups = &st.current().config.groups;
        if !target.is_empty() && !groups.iter().any(|g| g.name == target) {
            let msg = format!("not assigned: no billing group '{target}' in the scenario");
            self.state.refuse(msg);
            return;
        }
        // Accounts leave their groups first, then join the target: each step stays valid.
        let mut changes = assignment(groups, &st.marked, target);
        changes.sort_by_key(|(joins, _)| *joins);
        let changes: Vec<Change> = changes.into_iter().map(|(_, c)| c).collect();
        let n = st.marked.len();
        if changes.is_empty() {
            self.state.status.0 = Some(format!(
                "nothing to change: the {n} marked accounts are already there in scenario '{}'",
                scenario.name
            ));
            return;
        }
        match self.ws.scenario_changes(scenario.id, &changes) {
            Ok(()) => {
                self.state.marked.clear();
                self.refresh_scenario();
                self.state.status.0 = Some(format!(
                    "{} now in {} in scenario '{}' (the baseline is unchanged)",
                    crate::text::count(n as u64, "account"),
                    assigned_to(target),
                    scenario.name
                ));
            }
            Err(e) => self.state.refuse(format!("not assigned: {}", e.explain())),
        }
    }

    /// Asks before deleting: reads the version the delete will be checked against.
    fn ask_delete(&mut self, kind: crate::model::Kind, name: &str) {
        let arn = self
            .state
            .current()
            .config
            .find_named(kind, name)
            .map(|o| o.arn().to_string());
        match arn {
            Some(arn) => {
                let seen = if self.state.scenario.is_none() {
                    self.ws.seen(kind, &arn).ok()
                } else {
                    None
                };
                self.state.mode = Mode::Confirm(Confirm::Delete {
                    kind,
                    arn,
                    label: format!("{} '{name}'", kind.label()),
                    seen,
                })
            }
            None => self.state.refuse(format!(
                "'{name}' cannot be deleted (managed plans are read-only)"
            )),
        }
    }

    fn delete(
        &mut self,
        kind: crate::model::Kind,
        arn: String,
        label: &str,
        seen: Option<crate::store::config::Seen>,
    ) {
        // A billing transfer goes with the group that prices it (SPEC 2.6: one each).
        let group_arn = (kind == crate::model::Kind::BillingTransfer)
            .then(|| {
                let cfg = &self.state.current().config;
                let t = cfg.transfers.iter().find(|t| t.arn == arn)?;
                cfg.transfer_group(t).map(|g| cfg.groups[g].arn.clone())
            })
            .flatten();
        let mut changes = vec![crate::store::config::Change::Delete { kind, arn }];
        changes.extend(group_arn.map(|arn| crate::store::config::Change::Delete {
            kind: crate::model::Kind::BillingGroup,
            arn,
        }));
        if let Some(s) = self.state.scenario.clone() {
            match self.ws.scenario_changes(s.id, &changes) {
                Ok(()) => {
                    self.refresh_scenario();
                    self.state.status.0 = Some(format!("deleted {label} in scenario '{}'", s.name));
                }
                Err(e) => self.state.refuse(format!("not deleted: {e}")),
            }
            return;
        }
        let seen: Vec<_> = seen.into_iter().collect();
        let period = self.state.period();
        match self.ws.apply_changes_seen(period, &changes, None, &seen) {
            Ok(_) => {
                self.reload();
                self.state.status.0 = Some(format!("deleted {label} from {period} on (u undoes)"));
            }
            Err(crate::store::config::ConfigError::Stale(st)) => {
                self.check_outside();
                self.state.refuse(format!(
                    "not deleted: {st}; look at it again (reloaded) before deleting"
                ));
            }
            Err(e) => self.state.refuse(format!("not deleted: {}", e.explain())),
        }
    }
}

/// The group changes that move the `marked` accounts into `target` (a group name; empty: no
/// group), in group order: each with whether it is the target joining them (true) or a group
/// they leave (false). One place for the baseline's and a scenario's bulk assignment.
fn assignment(
    groups: &[crate::model::BillingGroup],
    marked: &std::collections::BTreeSet<String>,
    target: &str,
) -> Vec<(bool, crate::store::config::Change)> {
    use crate::store::config::{Change, Object};
    groups
        .iter()
        .filter_map(|g| {
            let mut next = g.clone();
            let joins = g.name == target;
            if joins {
                next.accounts.extend(marked.iter().cloned());
            } else {
                next.accounts.retain(|a| !marked.contains(a));
            }
            (next != *g).then_some((joins, Change::Put(Object::Group(next))))
        })
        .collect()
}

/// Where a bulk assignment put the accounts, for the status line.
fn assigned_to(target: &str) -> String {
    if target.is_empty() {
        "no group (unmonitored)".to_string()
    } else {
        format!("'{target}'")
    }
}

/// What the form's change does to each group's pro forma, as shown: before is the number on
/// screen (the open scenario, else the baseline), after is the same footing of the changed
/// configuration, and the difference is after minus before as shown (SPEC 5).
fn preview_lines(
    before_state: &Analysis,
    config: &crate::model::Config,
    after: &crate::engine::reprice::Delta,
) -> Vec<String> {
    use crate::money::fmt_grouped as m;
    let before = before_state.shown_invoice();
    let after_rows: Vec<crate::footing::ExactRow> = after
        .groups
        .iter()
        .map(|t| crate::footing::ExactRow::group(t.aws_cost, t.proforma(), t.tax))
        .collect();
    let after_shown = crate::footing::foot_invoice(
        &after_rows,
        after.unmonitored.aws_cost,
        after.unmonitored.tax,
    );
    let mut lines = Vec::new();
    for (g, group) in config.groups.iter().enumerate() {
        let new = after_shown
            .groups
            .get(g)
            .and_then(|r| r.proforma)
            .unwrap_or_default();
        let old = before_state
            .config
            .groups
            .iter()
            .position(|x| x.arn == group.arn)
            .and_then(|i| before.groups.get(i))
            .and_then(|r| r.proforma);
        match old {
            Some(o) if o == new => {}
            Some(o) => {
                let delta = new - o;
                lines.push(format!(
                    "{}: pro forma {} → {} ({}{})",
                    group.name,
                    m(o),
                    m(new),
                    if delta > rust_decimal::Decimal::ZERO {
                        "+"
                    } else {
                        ""
                    },
                    m(delta)
                ))
            }
            None => lines.push(format!("{} (new): pro forma {}", group.name, m(new))),
        }
    }
    if lines.is_empty() {
        lines.push("no pro forma changes this period".into());
    }
    lines
}

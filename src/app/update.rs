//! `State::update`: one action in, state changes and effects out. It never touches the
//! workspace, the engine's stores or the worker; the controller does, with the effects.

use super::modal::{self, Choice, Explain, Help, Mode, Picker, Prompt, PromptFor, Step};
use super::{Action, Effect, GroupLevel, State, Tab};
use crate::engine::GroupBy;

/// What `x` explains.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ExplainTarget {
    /// A billing group (index in the state explained) under a drill path.
    Group(usize, Vec<(GroupBy, String)>),
    /// The row of one attribute value of the billing view on screen.
    View(GroupBy, String),
}

impl State {
    /// Applies an action to the state and returns what the controller must do. Dispatches to
    /// the mode on top: a modal's own `event`, the filter line, or the screens.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        self.status.0 = None;
        self.refusal = false;
        // Quit (q, Ctrl-c) quits from the screens and wherever text is typed (only Ctrl-c is
        // bound there); on a popup that says "any other key closes" it closes the popup.
        if action == Action::Quit
            && !matches!(
                self.mode,
                Mode::Help(_) | Mode::Explain(_) | Mode::Picker(_)
            )
        {
            self.quit = true;
            return Vec::new();
        }
        if let Some(effects) = self.sensitivity_key(action) {
            return effects;
        }
        let extent = self.modal_extent;
        let step = match &mut self.mode {
            Mode::Normal => return self.normal(action),
            Mode::Filter => return self.filter_key(action),
            Mode::Form(form) => modal::form::event(form, action, &self.keys),
            Mode::Prompt(p) => p.event(action),
            Mode::Confirm(c) => c.event(action),
            Mode::Picker(p) => p.event(action),
            Mode::Explain(e) => e.event(action, extent),
            Mode::Help(h) => h.event(action, extent),
            Mode::Jump(j) => j.event(action),
        };
        let effects = self.finish(step);
        if let Mode::Jump(j) = &self.mode {
            let text = j.text.clone();
            self.jump_to(&text);
        }
        effects
    }

    /// Takes a modal's step: closes it, says its status, acts on a picker's choice.
    fn finish(&mut self, step: Step) -> Vec<Effect> {
        let Step {
            close,
            effect,
            status,
            pick,
        } = step;
        if close {
            self.mode = Mode::Normal;
        }
        if let Some(s) = status {
            self.status.0 = Some(s);
        }
        let mut effects: Vec<Effect> = effect.into_iter().collect();
        match pick {
            Some(Choice::View(spec)) => {
                self.view = spec;
                self.tab = Tab::Views;
                self.rebuild();
            }
            Some(Choice::Group(name)) => effects.push(Effect::Assign { group: name }),
            Some(Choice::Scenario(op)) => effects.push(Effect::Scenario(op)),
            Some(Choice::Row(i)) => self.set_selection(i),
            Some(Choice::Export(target)) => super::export::ask_path(self, target),
            None => {}
        }
        effects
    }

    /// While typing the filter: characters narrow the rows; Enter keeps the filter; Esc
    /// clears it; movement still moves.
    fn filter_key(&mut self, action: Action) -> Vec<Effect> {
        match action {
            Action::Input(c) => self.filter.push(c),
            Action::Backspace => {
                self.filter.pop();
            }
            Action::Open => {
                self.mode = Mode::Normal;
                return Vec::new();
            }
            Action::Back => {
                self.mode = Mode::Normal;
                self.filter.clear();
            }
            a if a.is_movement() => return self.normal(a),
            _ => return Vec::new(),
        }
        self.rebuild();
        Vec::new()
    }

    /// Keys on the screens themselves.
    fn normal(&mut self, action: Action) -> Vec<Effect> {
        let mut effects = Vec::new();
        match action {
            Action::Help => self.mode = Mode::Help(Help::default()),
            a if a.tab().is_some() => {
                self.tab = a.tab().unwrap_or(self.tab);
                self.filter.clear();
                self.plan_rules = None;
                effects.push(Effect::Refresh);
            }
            Action::NextTab | Action::PrevTab => {
                let n = Tab::ALL.len();
                let i = self.tab.number() - 1;
                self.tab = Tab::ALL[if action == Action::NextTab {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                }];
                self.filter.clear();
                self.plan_rules = None;
                effects.push(Effect::Refresh);
            }
            Action::Up => self.set_selection(self.selection().saturating_sub(1)),
            Action::Down => self.set_selection(self.selection() + 1),
            Action::PageUp => self.set_selection(self.selection().saturating_sub(self.page.max(1))),
            Action::PageDown => self.set_selection(self.selection() + self.page.max(1)),
            Action::Top => self.set_selection(0),
            Action::Bottom => self.set_selection(usize::MAX),
            Action::Select(i) => self.set_selection(i),
            Action::Open => effects.extend(self.open()),
            Action::Back => self.back(),
            Action::PrevPeriod | Action::NextPeriod => effects.push(Effect::SwitchPeriod {
                forward: action == Action::NextPeriod,
            }),
            Action::ViewPicker => {
                let options = self.view_options();
                let selected = options
                    .iter()
                    .position(|(s, _)| *s == self.view)
                    .unwrap_or(0);
                self.mode = Mode::Picker(Picker {
                    title: "Billing view".into(),
                    options: options
                        .into_iter()
                        .map(|(spec, label)| (label, Choice::View(spec)))
                        .collect(),
                    selected,
                    size: (60, 70),
                });
            }
            Action::Filter => self.mode = Mode::Filter,
            Action::Presentation => {
                self.customer = !self.customer;
                self.status.0 = Some(if self.customer {
                    format!(
                        "customer presentation: pro forma only; AWS cost, margins, plans and rules are hidden ({} shows everything)",
                        self.keys.list(Action::Presentation)
                    )
                } else {
                    "internal presentation: everything shown".into()
                });
            }
            Action::Explain
            | Action::New
            | Action::Edit
            | Action::Delete
            | Action::Export
            | Action::NewTransfer
                if self.customer =>
            {
                self.refuse(format!(
                    "not in the customer presentation: explanations, forms and exports show internal numbers ({} leaves it)",
                    self.keys.list(Action::Presentation)
                ));
            }
            Action::Export => super::export::open_picker(self),
            Action::NewTransfer if self.closed() && self.scenario.is_none() => {
                self.refuse(format!(
                    "{} is closed: reopen it on the Reconcile tab to edit, or draft the change in a scenario (w)",
                    self.period()
                ));
            }
            Action::NewTransfer => effects.push(Effect::OpenTransferForm),
            Action::Jump => self.mode = Mode::Jump(modal::Jump::new(self.selection())),
            Action::Sort => self.sort_next(),
            Action::Explain => self.explain(),
            Action::NextGrouping if self.tab == Tab::Views => {
                self.view_grouping = match self.view_grouping {
                    GroupBy::ProductName => GroupBy::LinkedAccount,
                    GroupBy::LinkedAccount => GroupBy::UsageType,
                    GroupBy::UsageType => GroupBy::LineItemType,
                    _ => GroupBy::ProductName,
                };
            }
            Action::New | Action::Edit => {
                if self.form_kind().is_none() {
                    self.refuse(
                        "n / e work on billing groups, pricing plans, pricing rules, custom line items and billing views",
                    );
                } else if self.closed() && self.scenario.is_none() {
                    // A scenario is a draft: it may be edited on a closed period (promoting it
                    // is what the close refuses).
                    self.refuse(format!(
                        "{} is closed: reopen it on the Reconcile tab to edit, or draft the change in a scenario (w)",
                        self.period()
                    ));
                } else {
                    let name = self
                        .selected_object()
                        .map(|(_, n)| n)
                        .unwrap_or_default();
                    effects.push(Effect::OpenForm {
                        new: action == Action::New,
                        name,
                    });
                }
            }
            Action::Delete => match self.selected_object() {
                Some((kind, name)) => effects.push(Effect::AskDelete { kind, name }),
                None => self.refuse(
                    "d deletes billing groups, pricing plans, pricing rules, custom line items and billing views",
                ),
            },
            // Undo and redo work on the baseline's history; a scenario keeps no history of
            // its own (discard it, or edit the object back).
            Action::Undo | Action::Redo if self.scenario.is_some() => self.refuse(
                "undo and redo act on the baseline, not on a scenario: edit the object back, or discard the scenario (w)",
            ),
            Action::Undo => effects.push(Effect::Undo),
            Action::Redo => effects.push(Effect::Redo),
            Action::Scenarios => effects.push(Effect::ScenarioMenu),
            Action::Mark if self.tab == Tab::Accounts => {
                if let Some(id) = self.selected_key() {
                    if !self.marked.remove(&id) {
                        self.marked.insert(id);
                    }
                    self.status.0 = Some(format!(
                        "{} marked ({} assigns them to a billing group)",
                        crate::text::count(self.marked.len() as u64, "account"),
                        self.keys.list(Action::Assign)
                    ));
                    let sel = self.selection();
                    self.rebuild();
                    self.set_selection(sel + 1);
                    return effects;
                }
            }
            Action::Assign if self.tab == Tab::Accounts => {
                if self.marked.is_empty() {
                    if let Some(id) = self.selected_key() {
                        self.marked.insert(id);
                    }
                }
                // The groups of the configuration being edited (the open scenario's), but
                // those that take a whole organisation (TRANSFER_BILLING): accounts are not
                // listed into them.
                let mut options: Vec<(String, Choice)> = self
                    .current()
                    .config
                    .groups
                    .iter()
                    .filter(|g| g.group_type != crate::model::GroupType::TransferBilling)
                    .map(|g| (g.name.clone(), Choice::Group(g.name.clone())))
                    .collect();
                options.push((
                    "(no group: unmonitored)".into(),
                    Choice::Group(String::new()),
                ));
                self.mode = Mode::Picker(Picker {
                    title: format!(
                        "Assign {} to",
                        crate::text::count(self.marked.len() as u64, "account")
                    ),
                    options,
                    selected: 0,
                    size: (50, 50),
                });
            }
            Action::ClosePeriod | Action::ReopenPeriod if self.tab == Tab::Reconcile => {
                self.mode = Mode::Prompt(Prompt::new(if action == Action::ClosePeriod {
                    PromptFor::Close
                } else {
                    PromptFor::Reopen
                }));
            }
            _ => {}
        }
        if !action.is_movement() {
            let status = self.status.0.take();
            self.rebuild();
            self.status.0 = self.status.0.take().or(status);
        }
        effects
    }

    /// Selects the first visible row with a cell (a name, an account id or name) that starts
    /// with `text`, case aside; else the first with a cell that contains it; else stays.
    fn jump_to(&mut self, text: &str) {
        if text.is_empty() {
            return;
        }
        let needle = text.to_lowercase();
        let any = |r: usize, hit: &dyn Fn(&str) -> bool| {
            self.model.rows[r].iter().any(|c| hit(&c.to_lowercase()))
        };
        let found = self
            .visible
            .iter()
            .position(|&r| any(r, &|c| c.starts_with(&needle)))
            .or_else(|| {
                self.visible
                    .iter()
                    .position(|&r| any(r, &|c| c.contains(&needle)))
            });
        match found {
            Some(i) => self.set_selection(i),
            None => self.status.0 = Some(format!("no row starts with or holds '{text}'")),
        }
    }

    /// Sorts by the next column on screen; after the last, back to the natural order.
    fn sort_next(&mut self) {
        let key = self.screen_key();
        let n = self.model.columns.len();
        // A column the screen is too narrow to show is not offered.
        let mut shown: Vec<usize> = if self.shown_columns.is_empty() {
            (0..n).collect()
        } else {
            self.shown_columns
                .iter()
                .copied()
                .filter(|c| *c < n)
                .collect()
        };
        shown.sort_unstable();
        let next = match self.sort.get(&key) {
            None => shown.first().copied(),
            Some(c) => shown.iter().copied().find(|x| x > c),
        };
        match next {
            Some(c) => {
                self.status.0 = Some(format!("sorted by {}", self.model.columns[c].title));
                self.sort.insert(key, c);
            }
            None => {
                self.status.0 = Some("natural order".into());
                self.sort.remove(&key);
            }
        }
    }

    /// Enter: drill into a group, a service, a usage type; a pricing plan shows its rules.
    fn open(&mut self) -> Option<Effect> {
        let key = self.selected_key()?;
        match self.tab {
            Tab::Overview => {
                if let Ok(g) = self.data.group_index(&key) {
                    self.tab = Tab::Groups;
                    self.group_path = vec![GroupLevel::List, GroupLevel::Services { group: g }];
                }
            }
            Tab::Groups => {
                let next = match self.group_path.last().cloned() {
                    Some(GroupLevel::List) => self
                        .data
                        .group_index(&key)
                        .ok()
                        .map(|g| GroupLevel::Services { group: g }),
                    Some(GroupLevel::Services { group }) => Some(GroupLevel::UsageTypes {
                        group,
                        service: key,
                    }),
                    Some(GroupLevel::UsageTypes { group, service }) => Some(GroupLevel::Accounts {
                        group,
                        service,
                        usage_type: key,
                    }),
                    _ => {
                        self.status.0 = Some(format!(
                            "this is the deepest level: {} explains the selected row",
                            self.keys.list(Action::Explain)
                        ));
                        None
                    }
                };
                if let Some(level) = next {
                    self.group_path.push(level);
                }
            }
            Tab::Plans => {
                // A plan's rules: the rules tab, filtered to the plan's rule names.
                let plan = self.current().config.plans.iter().find(|p| p.name == key)?;
                let rules = plan.rules.len();
                self.tab = Tab::Rules;
                self.filter.clear();
                self.status.0 = Some(format!(
                    "pricing plan '{key}': {} ({} back to the plans)",
                    crate::text::count(rules as u64, "rule"),
                    self.keys.list(Action::Back)
                ));
                self.plan_rules = Some(key);
            }
            Tab::Reconcile => return self.open_step(&key),
            _ => {}
        }
        None
    }

    /// Enter on a step of the month-end checklist: the screen where the step is done.
    fn open_step(&mut self, key: &str) -> Option<Effect> {
        use super::checklist::{self, StepKind};
        let step = StepKind::of_key(key)?;
        let popup = |title: &str, text: String| {
            Mode::Explain(modal::Explain {
                title: title.into(),
                text,
                scroll: 0,
            })
        };
        match step {
            StepKind::Import => {
                self.status.0 = Some(format!(
                    "import the month from the command line: proforma import {} FILE... (this window picks it up by itself)",
                    self.ws_label
                ));
                None
            }
            StepKind::TieOut => {
                // Empty (typing replaces the amount entered before; Enter on empty clears it).
                let mut p = Prompt::new(PromptFor::InvoiceTotal);
                if let Some(t) = self.invoice_entered.get(&self.period()) {
                    p.ask = format!("entered before: {t}");
                }
                self.mode = Mode::Prompt(p);
                None
            }
            StepKind::Accounts | StepKind::Config => {
                self.tab = if step == StepKind::Accounts {
                    Tab::Accounts
                } else {
                    Tab::History
                };
                self.filter.clear();
                self.status.0 = Some(format!(
                    "{} back to the month-end checklist",
                    self.keys.list(Action::Reconcile)
                ));
                Some(Effect::Refresh)
            }
            StepKind::Movers => {
                let text = self.checklist.as_ref().map(checklist::movers_text)?;
                self.mode = popup("Month over month", text);
                None
            }
            StepKind::Checks => {
                let text = self.checklist.as_ref().map(checklist::all_checks_text)?;
                self.mode = popup("Month-end checks", text);
                None
            }
            StepKind::Close => {
                self.mode = Mode::Prompt(Prompt::new(if self.closed() {
                    PromptFor::Reopen
                } else {
                    PromptFor::Close
                }));
                None
            }
            StepKind::Export => {
                super::export::open_picker(self);
                None
            }
        }
    }

    /// Esc: closes the filter, leaves a plan's rules, goes up one drill-down level.
    fn back(&mut self) {
        if !self.filter.is_empty() {
            self.filter.clear();
            return;
        }
        if self.tab == Tab::Rules && self.plan_rules.is_some() {
            self.plan_rules = None;
            self.tab = Tab::Plans;
            return;
        }
        if self.tab == Tab::Groups && self.group_path.len() > 1 {
            self.group_path.pop();
        }
    }

    /// What `x` explains under the cursor, in the state on screen (the open scenario, else
    /// the baseline): a billing group and drill path, or a billing view's row.
    fn explain_target(&self) -> Option<ExplainTarget> {
        let key = self.selected_key()?;
        // Drill paths hold the baseline's group indexes: name them, then find the group in
        // the state explained.
        let name = |g: usize| self.data.config.groups.get(g).map(|x| x.name.clone());
        let (group, path) = match (self.tab, self.group_path.last()) {
            // The unmonitored accounts' line has no pro forma to explain.
            (Tab::Views, _) if key == super::screens::VIEW_UNMONITORED_KEY => return None,
            (Tab::Views, _) if !key.is_empty() => {
                return Some(ExplainTarget::View(self.view_grouping, key));
            }
            (Tab::Overview, _) | (Tab::Groups, Some(GroupLevel::List)) => (key, vec![]),
            (Tab::Groups, Some(GroupLevel::Services { group })) => {
                (name(*group)?, vec![(GroupBy::ProductName, key)])
            }
            (Tab::Groups, Some(GroupLevel::UsageTypes { group, service })) => (
                name(*group)?,
                vec![
                    (GroupBy::ProductName, service.clone()),
                    (GroupBy::UsageType, key),
                ],
            ),
            (
                Tab::Groups,
                Some(GroupLevel::Accounts {
                    group,
                    service,
                    usage_type,
                }),
            ) => (
                name(*group)?,
                vec![
                    (GroupBy::ProductName, service.clone()),
                    (GroupBy::UsageType, usage_type.clone()),
                    (GroupBy::LinkedAccount, key),
                ],
            ),
            _ => return None,
        };
        let g = self.current().group_index(&group).ok()?;
        Some(ExplainTarget::Group(g, path))
    }

    /// Explains the number under the cursor, with the numbers as the table shows them.
    fn explain(&mut self) {
        let state = self.current();
        let shown = match self.explain_target() {
            Some(ExplainTarget::Group(g, path)) => {
                let slice: Vec<(GroupBy, &str)> =
                    path.iter().map(|(b, v)| (*b, v.as_str())).collect();
                let e = state.explain(g, &slice);
                state.shown_group_row(g, &slice).map(|row| {
                    let text = e.render_shown(&e.shown(row.aws, row.proforma.unwrap_or_default()));
                    (format!("Explain: {}", e.title), text)
                })
            }
            Some(ExplainTarget::View(by, value)) => {
                // The "Monitored accounts" line is the whole view's pro forma.
                let slice =
                    (value != super::screens::VIEW_MONITORED_KEY).then_some((by, value.as_str()));
                match state.explain_view(&self.view, slice) {
                    Ok((e, row)) => Some((format!("Explain: {}", e.title), e.render_shown(&row))),
                    Err(e) => {
                        let msg = e.to_string();
                        self.refuse(msg);
                        return;
                    }
                }
            }
            None => None,
        };
        match shown {
            Some((title, text)) => {
                self.mode = Mode::Explain(Explain {
                    title,
                    text,
                    scroll: 0,
                })
            }
            None => {
                self.status.0 = Some(format!(
                    "{} explains pro forma numbers: use it on a billing group, a drilled-down row or a billing view's row",
                    self.keys.list(Action::Explain)
                ))
            }
        }
    }
}

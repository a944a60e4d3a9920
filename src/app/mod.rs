//! The application state without a terminal: actions in, state out. The TUI turns keys and
//! mouse events into actions and draws the state; tests drive it the same way.

pub mod forms;
pub mod screens;
pub mod table;
pub mod worker;

use crate::analysis::Analysis;
use crate::engine::GroupBy;
use crate::period::BillingPeriod;
use crate::store::{StoreError, Workspace};
use std::collections::HashMap;
use table::TableModel;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tab {
    Overview,
    Groups,
    Plans,
    Rules,
    Items,
    Accounts,
    Views,
    Reconcile,
    History,
}

impl Tab {
    pub const ALL: [Tab; 9] = [
        Tab::Overview,
        Tab::Groups,
        Tab::Plans,
        Tab::Rules,
        Tab::Items,
        Tab::Accounts,
        Tab::Views,
        Tab::Reconcile,
        Tab::History,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Tab::Overview => "Overview",
            Tab::Groups => "Billing groups",
            Tab::Plans => "Pricing plans",
            Tab::Rules => "Pricing rules",
            Tab::Items => "Custom line items",
            Tab::Accounts => "Accounts",
            Tab::Views => "Billing views",
            Tab::Reconcile => "Reconcile",
            Tab::History => "History",
        }
    }

    pub fn number(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0) + 1
    }
}

/// Everything a user can do; keys and mouse map onto these (see assets/keymap.toml).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Quit,
    Help,
    Tab(Tab),
    NextTab,
    PrevTab,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Open or drill into the selected row.
    Open,
    /// Back out of a drill-down, an overlay or the filter.
    Back,
    PrevPeriod,
    NextPeriod,
    ViewPicker,
    Filter,
    Sort,
    Explain,
    /// Billing views: cycle what the rows are grouped by.
    NextGrouping,
    /// A character typed into the filter.
    Input(char),
    Backspace,
    /// Select a visible row (mouse click), by position in the visible list.
    Select(usize),
    /// Resize or anything else that only needs a redraw.
    Redraw,
    /// Forms and changes (SPEC 6 keys n, e, d, Ctrl-s, u, Ctrl-r).
    New,
    Edit,
    Delete,
    Save,
    Undo,
    Redo,
    NextField,
    PrevField,
    /// Change a choice field (or accept a suggestion).
    ChoiceLeft,
    ChoiceRight,
    /// Reconcile tab: close or reopen the period.
    ClosePeriod,
    ReopenPeriod,
    /// Scenarios: create, open, promote, discard.
    Scenarios,
    /// Accounts tab: mark the selected account; assign the marked ones to a group.
    Mark,
    Assign,
}

/// A question before something that cannot be taken back by Esc.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Confirm {
    Delete {
        kind: crate::model::Kind,
        arn: String,
        label: String,
        /// The object when the question was asked: a change since by another process
        /// refuses the delete.
        seen: Option<crate::store::config::Seen>,
    },
    /// Discarding a scenario drops its changes for good.
    DiscardScenario { id: i64, name: String },
}

/// A one-line text prompt (a note, a reason, a name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PromptFor {
    Close,
    Reopen,
    ScenarioName,
}

/// A drill-down level on the Billing groups tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupLevel {
    List,
    /// One group's services (PRODUCT_NAME).
    Services {
        group: usize,
    },
    /// One service's usage types.
    UsageTypes {
        group: usize,
        service: String,
    },
    /// One usage type's accounts.
    Accounts {
        group: usize,
        service: String,
        usage_type: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overlay {
    Help,
    Explain {
        title: String,
        text: String,
        scroll: u16,
    },
    ViewPicker {
        options: Vec<(String, String)>,
        selected: usize,
    },
    /// Where marked accounts go: a group name, or "" for no group.
    GroupPicker {
        options: Vec<String>,
        selected: usize,
    },
    /// Scenarios of the period and what to do with them.
    Scenarios {
        options: Vec<(String, ScenarioOp)>,
        selected: usize,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScenarioOp {
    New,
    Open(i64),
    Baseline,
    Promote(i64),
    Discard(i64),
}

/// " — import: delivery …; configuration: edit pricing rule markup — by the CLI (pid 9) at …"
fn describe_outside(changes: &[crate::store::session::Outside]) -> String {
    if changes.is_empty() {
        return String::new();
    }
    let mut imports = Vec::new();
    let mut config = Vec::new();
    let mut periods = Vec::new();
    for c in changes {
        match c.action.as_str() {
            "import" => imports.push(c.object.clone()),
            "close" | "reopen" => periods.push(format!("{} {}", c.object, c.action)),
            _ => config.push(format!("{} {}", c.action, c.object)),
        }
    }
    let list = |v: &[String]| {
        let mut s = v.iter().take(3).cloned().collect::<Vec<_>>().join(", ");
        if v.len() > 3 {
            s.push_str(&format!(" and {} more", v.len() - 3));
        }
        s
    };
    let mut parts = Vec::new();
    if !imports.is_empty() {
        parts.push(format!("import: {}", list(&imports)));
    }
    if !config.is_empty() {
        parts.push(format!("configuration: {}", list(&config)));
    }
    if !periods.is_empty() {
        parts.push(list(&periods));
    }
    let who = changes.last().map(|c| c.who_when()).unwrap_or_default();
    format!(" — {} — by {who}", parts.join("; "))
}

fn cycle(f: &mut forms::Field, step: i32) {
    if let forms::Input::Choice(options) = &f.input {
        if options.is_empty() {
            return;
        }
        let i = options
            .iter()
            .position(|o| *o == f.value)
            .map_or(0, |i| i as i32);
        let n = options.len() as i32;
        f.value = options[((i + step).rem_euclid(n)) as usize].clone();
    }
}

/// What `x` explains.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ExplainTarget {
    /// A billing group (index in the state explained) under a drill path.
    Group(usize, Vec<(GroupBy, String)>),
    /// The row of one attribute value of the billing view on screen.
    View(GroupBy, String),
}

/// A warning or notice shown in the footer until the next action.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Status(pub Option<String>);

pub struct App {
    pub ws: Workspace,
    pub ws_label: String,
    pub periods: Vec<BillingPeriod>,
    pub data: Analysis,
    /// Daily billable per group (index = day of the period).
    pub daily: Vec<Vec<rust_decimal::Decimal>>,
    /// Whether the period on screen is closed, and its note (read at every rebuild, so the
    /// top bar and the Reconcile tab never query the store while drawing).
    pub period_status: Option<crate::store::periods::PeriodStatus>,
    pub names: HashMap<String, String>,
    pub tab: Tab,
    pub group_path: Vec<GroupLevel>,
    /// Billing view shown on the views tab: `primary:<payer>`, `group:<name>`, `custom:<name>`.
    pub view: String,
    pub view_grouping: GroupBy,
    pub filter: String,
    pub filtering: bool,
    /// Sort column per screen (None: natural order).
    pub sort: HashMap<String, usize>,
    pub selected: HashMap<String, usize>,
    pub overlay: Option<Overlay>,
    pub form: Option<forms::Form>,
    /// The scenario being edited and its priced configuration (baseline | scenario | Δ).
    pub scenario: Option<crate::store::scenarios::Scenario>,
    pub scenario_data: Option<Analysis>,
    pub worker: worker::Worker,
    pub confirm: Option<Confirm>,
    /// The History tab's entries, read when the tab's table is built (not on every frame).
    pub audit: Result<Vec<crate::store::AuditRow>, String>,
    /// Accounts marked on the Accounts tab for bulk assignment.
    pub marked: std::collections::BTreeSet<String>,
    pub prompt: Option<(PromptFor, String)>,
    pub status: Status,
    pub quit: bool,
    pub model: TableModel,
    /// Row indexes of `model` on screen, after filter and sort.
    pub visible: Vec<usize>,
    /// Rows the table showed in the last frame (for paging), set by the renderer.
    pub page: usize,
    /// What this window last saw of the workspace, to notice other processes' changes.
    pub outside: OutsideWatch,
}

/// How the app notices changes made by other processes (another TUI window, a CLI import or
/// config import): SQLite's `data_version` moves when another connection commits.
#[derive(Debug, Clone)]
pub struct OutsideWatch {
    pub data_version: i64,
    /// The newest audit entry already reported.
    pub audit_id: i64,
    pub checked: std::time::Instant,
}

/// How often the TUI looks for other processes' changes (the brief: noticed within a second).
pub const OUTSIDE_POLL: std::time::Duration = std::time::Duration::from_millis(250);

impl App {
    /// Opens a workspace on its latest period with data.
    pub fn load(mut ws: Workspace, label: String) -> Result<App, StoreError> {
        ws.set_origin("TUI");
        let outside = OutsideWatch {
            data_version: ws.data_version()?,
            audit_id: ws.last_audit_id()?,
            checked: std::time::Instant::now(),
        };
        let mut periods: Vec<BillingPeriod> =
            ws.deliveries()?.into_iter().map(|d| d.period).collect();
        periods.sort();
        periods.dedup();
        // An empty workspace opens on the current month.
        let period = periods.last().copied().unwrap_or_else(|| {
            chrono::Utc::now()
                .format("%Y-%m")
                .to_string()
                .parse()
                .unwrap_or_else(|_| unreachable!("chrono prints YYYY-MM"))
        });
        let data = Analysis::load(&ws, period)?;
        let names = ws
            .accounts()?
            .into_iter()
            .filter_map(|a| a.name.map(|n| (a.id, n)))
            .collect();
        let view = primary_view(&data);
        let mut app = App {
            daily: Vec::new(),
            period_status: None,
            ws,
            ws_label: label,
            periods,
            data,
            names,
            tab: Tab::Overview,
            group_path: vec![GroupLevel::List],
            view,
            view_grouping: GroupBy::ProductName,
            filter: String::new(),
            filtering: false,
            sort: HashMap::new(),
            selected: HashMap::new(),
            overlay: None,
            form: None,
            scenario: None,
            scenario_data: None,
            worker: worker::Worker::new(),
            confirm: None,
            audit: Ok(Vec::new()),
            marked: Default::default(),
            prompt: None,
            status: Status::default(),
            quit: false,
            model: TableModel::default(),
            visible: Vec::new(),
            page: 10,
            outside,
        };
        app.daily = screens::daily_by_group(&app.ws, &app.data)?;
        app.rebuild();
        Ok(app)
    }

    pub fn period(&self) -> BillingPeriod {
        self.data.period
    }

    /// Which screen the selection and sort belong to.
    pub fn screen_key(&self) -> String {
        match self.tab {
            Tab::Groups => format!("groups:{:?}", self.group_path.last()),
            Tab::Views => format!("views:{}:{}", self.view, self.view_grouping),
            t => format!("{t:?}"),
        }
    }

    pub fn selection(&self) -> usize {
        self.selected.get(&self.screen_key()).copied().unwrap_or(0)
    }

    fn set_selection(&mut self, i: usize) {
        let max = self.visible.len().saturating_sub(1);
        self.selected.insert(self.screen_key(), i.min(max));
    }

    /// The model row under the cursor.
    pub fn selected_row(&self) -> Option<usize> {
        self.visible.get(self.selection()).copied()
    }

    /// Rebuilds the current screen's table (after data, navigation, filter or sort changes).
    /// With a scenario open, tables with a pro forma column show baseline | scenario | Δ.
    pub fn rebuild(&mut self) {
        if self.tab == Tab::History {
            self.audit = self.ws.audit(500).map_err(|e| e.to_string());
        }
        self.period_status = self.ws.period_status(self.period()).ok();
        // The view on screen was deleted (here or by another process): back to the primary
        // view, saying so, rather than a top bar naming a view that no longer exists.
        let cfg = &self.current().config;
        let gone = match self.view.split_once(':') {
            Some(("custom", name)) => !cfg.views.iter().any(|v| v.name == name),
            Some(("group", name)) => !cfg.groups.iter().any(|g| g.name == name),
            _ => false,
        };
        if gone {
            let primary = primary_view(&self.data);
            let old = std::mem::replace(&mut self.view, primary);
            self.status.0 = Some(format!(
                "billing view '{old}' no longer exists: showing the primary view"
            ));
        }
        self.model = screens::build(self);
        if let Some(mut scenario) = self.scenario_data.take() {
            // The drill path holds the baseline's group indexes: the scenario's twin table
            // follows the same group by name (none when the scenario deleted it).
            let path = self.group_path.clone();
            let mapped = self.path_in(&scenario);
            std::mem::swap(&mut self.data, &mut scenario);
            let other = match mapped {
                Some(p) => {
                    self.group_path = p;
                    let t = screens::build(self);
                    self.group_path = path;
                    t
                }
                None => TableModel::default(),
            };
            std::mem::swap(&mut self.data, &mut scenario);
            self.scenario_data = Some(scenario);
            let base = std::mem::take(&mut self.model);
            self.model = if matches!(
                self.tab,
                Tab::Plans | Tab::Rules | Tab::Items | Tab::Accounts
            ) && !other.columns.is_empty()
            {
                // Configuration lists show the configuration being edited: the scenario's.
                TableModel {
                    title: format!("{} — scenario", other.title),
                    ..other
                }
            } else {
                screens::with_scenario(base, &other)
            };
        }
        let sort = self.sort.get(&self.screen_key()).copied();
        self.visible = self.model.visible(&self.filter, sort);
        let sel = self.selection();
        self.set_selection(sel);
    }

    /// The drill path with its group indexes translated from the baseline to `other` (a
    /// scenario's state), by group name; None when `other` has no such group.
    fn path_in(&self, other: &Analysis) -> Option<Vec<GroupLevel>> {
        let map = |g: usize| {
            let name = &self.data.config.groups.get(g)?.name;
            other.config.groups.iter().position(|x| &x.name == name)
        };
        self.group_path
            .iter()
            .map(|l| {
                Some(match l.clone() {
                    GroupLevel::List => GroupLevel::List,
                    GroupLevel::Services { group } => GroupLevel::Services { group: map(group)? },
                    GroupLevel::UsageTypes { group, service } => GroupLevel::UsageTypes {
                        group: map(group)?,
                        service,
                    },
                    GroupLevel::Accounts {
                        group,
                        service,
                        usage_type,
                    } => GroupLevel::Accounts {
                        group: map(group)?,
                        service,
                        usage_type,
                    },
                })
            })
            .collect()
    }

    /// What edits apply to: the open scenario, else the baseline.
    pub fn current(&self) -> &Analysis {
        self.scenario_data.as_ref().unwrap_or(&self.data)
    }

    /// Re-prices the current period after a configuration change (save, delete, undo): the
    /// period's lines stay loaded, only the configuration is read again.
    pub fn reload(&mut self) {
        let p = self.period();
        self.refresh_scenario();
        match self.ws.config_at(p).and_then(|config| {
            self.data.reprice(config);
            screens::daily_by_group(&self.ws, &self.data)
        }) {
            Ok(daily) => {
                self.daily = daily;
                // A deleted group may have been on the drill path.
                self.group_path.retain(|l| match l {
                    GroupLevel::List => true,
                    GroupLevel::Services { group }
                    | GroupLevel::UsageTypes { group, .. }
                    | GroupLevel::Accounts { group, .. } => *group < self.data.config.groups.len(),
                });
            }
            Err(e) => self.status.0 = Some(format!("could not reload {p}: {e}")),
        }
    }

    /// `check_outside`, at most every `OUTSIDE_POLL` (the TUI calls it from its event loop).
    pub fn poll_outside(&mut self) -> bool {
        if self.outside.checked.elapsed() < OUTSIDE_POLL {
            return false;
        }
        self.check_outside()
    }

    /// Reloads what another process changed since this window last looked (data and
    /// configuration of the period on screen, periods, account names), keeping the tab, the
    /// selection (by row key), the drill-down and any open form, and says what changed in the
    /// status line. Returns true when something changed.
    pub fn check_outside(&mut self) -> bool {
        self.outside.checked = std::time::Instant::now();
        let Ok(version) = self.ws.data_version() else {
            return false;
        };
        if version == self.outside.data_version {
            return false;
        }
        self.outside.data_version = version;
        let changes = self
            .ws
            .changes_by_others_since(self.outside.audit_id)
            .unwrap_or_default();
        if let Some(last) = changes.last() {
            self.outside.audit_id = self.outside.audit_id.max(last.audit_id);
        }
        let selected = self.selected_row().map(|r| self.model.keys[r].clone());
        let path_arns: Vec<Option<String>> = self
            .group_path
            .iter()
            .map(|l| match l {
                GroupLevel::List => None,
                GroupLevel::Services { group }
                | GroupLevel::UsageTypes { group, .. }
                | GroupLevel::Accounts { group, .. } => {
                    self.data.config.groups.get(*group).map(|g| g.arn.clone())
                }
            })
            .collect();
        let p = self.period();
        let reloaded = (|| -> Result<(), StoreError> {
            let mut periods: Vec<BillingPeriod> = self
                .ws
                .deliveries()?
                .into_iter()
                .map(|d| d.period)
                .collect();
            periods.sort();
            periods.dedup();
            self.periods = periods;
            // Cost data is read again only after an import; a configuration change re-prices
            // the lines already loaded (the cheaper path a save takes).
            if changes.iter().any(|c| c.action == "import") {
                self.data = Analysis::load(&self.ws, p)?;
            } else {
                self.data.reprice(self.ws.config_at(p)?);
            }
            self.names = self
                .ws
                .accounts()?
                .into_iter()
                .filter_map(|a| a.name.map(|n| (a.id, n)))
                .collect();
            self.daily = screens::daily_by_group(&self.ws, &self.data)?;
            Ok(())
        })();
        self.refresh_scenario();
        // Group indexes may have moved: follow each drilled group by its ARN.
        let mut path = Vec::new();
        for (level, arn) in self.group_path.iter().zip(&path_arns) {
            let index = match arn {
                None => None,
                Some(arn) => match self.data.config.groups.iter().position(|g| g.arn == *arn) {
                    Some(i) => Some(i),
                    None => break,
                },
            };
            path.push(match (level.clone(), index) {
                (GroupLevel::Services { .. }, Some(group)) => GroupLevel::Services { group },
                (GroupLevel::UsageTypes { service, .. }, Some(group)) => {
                    GroupLevel::UsageTypes { group, service }
                }
                (
                    GroupLevel::Accounts {
                        service,
                        usage_type,
                        ..
                    },
                    Some(group),
                ) => GroupLevel::Accounts {
                    group,
                    service,
                    usage_type,
                },
                (l, _) => l,
            });
        }
        if path.is_empty() {
            path.push(GroupLevel::List);
        }
        self.group_path = path;
        let view_before = self.view.clone();
        self.rebuild();
        // rebuild() fell back from a view that no longer exists: keep saying so below.
        let view_note = (self.view != view_before).then(|| {
            format!(" · billing view '{view_before}' no longer exists: showing the primary view")
        });
        if let Some(key) = selected {
            if let Some(i) = self.visible.iter().position(|&r| self.model.keys[r] == key) {
                self.set_selection(i);
            }
        }
        let mut msg = match reloaded {
            Ok(()) => format!(
                "workspace changed by another process: reloaded{}",
                describe_outside(&changes)
            ),
            Err(e) => format!("workspace changed by another process; could not reload {p}: {e}"),
        };
        msg.push_str(view_note.as_deref().unwrap_or(""));
        // An open form stays open; its checks and preview now run against the new state.
        if let Some(mut form) = self.form.take() {
            if form.dirty {
                self.preview(&mut form);
            }
            self.form = Some(form);
        }
        if let Some(form) = &self.form {
            if let Some(seen) = &form.seen {
                let now = match &self.scenario {
                    None => self.ws.seen(seen.kind, &seen.arn).ok(),
                    Some(sc) => self.ws.scenario_seen(sc.id, seen.kind, &seen.arn).ok(),
                };
                if now.is_some_and(|n| n.versions != seen.versions) {
                    msg.push_str(
                        " · the object in this form changed too: saving shows what differs",
                    );
                }
            }
        }
        self.status.0 = Some(msg);
        true
    }

    fn switch_period(&mut self, forward: bool) {
        let Some(pos) = self.periods.iter().position(|p| *p == self.period()) else {
            return;
        };
        let next = if forward {
            pos + 1
        } else {
            pos.wrapping_sub(1)
        };
        let Some(&p) = self.periods.get(next) else {
            self.status.0 = Some(format!(
                "no {} period with data",
                if forward { "later" } else { "earlier" }
            ));
            return;
        };
        match Analysis::load(&self.ws, p).and_then(|d| {
            let daily = screens::daily_by_group(&self.ws, &d)?;
            Ok((d, daily))
        }) {
            Ok((d, daily)) => {
                self.data = d;
                self.daily = daily;
                // Group indexes may differ between periods' configurations.
                self.group_path = vec![GroupLevel::List];
                self.status.0 = Some(format!("period {p}"));
                // A scenario drafts one period's configuration.
                if self.scenario.as_ref().is_some_and(|s| s.period != p) {
                    self.open_scenario(None);
                    self.status.0 = Some(format!(
                        "period {p}: back to the baseline (the scenario is for another period)"
                    ));
                }
            }
            Err(e) => self.status.0 = Some(format!("could not load {p}: {e}")),
        }
    }

    fn open(&mut self) {
        let Some(row) = self.selected_row() else {
            return;
        };
        let key = self.model.keys[row].clone();
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
                        self.status.0 =
                            Some("this is the deepest level: x explains the selected row".into());
                        None
                    }
                };
                if let Some(level) = next {
                    self.group_path.push(level);
                }
            }
            Tab::Views if self.view_grouping == GroupBy::LinkedAccount => {}
            _ => {}
        }
    }

    fn back(&mut self) {
        if self.overlay.take().is_some() {
            return;
        }
        if self.filtering || !self.filter.is_empty() {
            self.filtering = false;
            self.filter.clear();
            return;
        }
        if self.tab == Tab::Groups && self.group_path.len() > 1 {
            self.group_path.pop();
        }
    }

    /// What `x` explains under the cursor, in the state on screen (the open scenario, else
    /// the baseline): a billing group and drill path, or a billing view's row.
    fn explain_target(&self) -> Option<ExplainTarget> {
        let row = self.selected_row()?;
        let key = self.model.keys[row].clone();
        // Drill paths hold the baseline's group indexes: name them, then find the group in
        // the state explained.
        let name = |g: usize| self.data.config.groups.get(g).map(|x| x.name.clone());
        let (group, path) = match (self.tab, self.group_path.last()) {
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
                let slice = (value != screens::VIEW_MONITORED_KEY).then_some((by, value.as_str()));
                match state.explain_view(&self.view, slice) {
                    Ok((e, row)) => Some((format!("Explain: {}", e.title), e.render_shown(&row))),
                    Err(e) => {
                        self.status.0 = Some(e.to_string());
                        return;
                    }
                }
            }
            None => None,
        };
        match shown {
            Some((title, text)) => {
                self.overlay = Some(Overlay::Explain {
                    title,
                    text,
                    scroll: 0,
                })
            }
            None => self.status.0 = Some(
                "x explains pro forma numbers: use it on a billing group, a drilled-down row or a billing view's row"
                    .into(),
            ),
        }
    }

    fn view_options(&self) -> Vec<(String, String)> {
        let mut v: Vec<(String, String)> = self
            .data
            .payers
            .iter()
            .map(|p| {
                (
                    format!("primary:{p}"),
                    format!("Primary View  (PRIMARY, payer {p})"),
                )
            })
            .collect();
        v.extend(self.data.config.groups.iter().map(|g| {
            (
                format!("group:{}", g.name),
                format!("{}  (BILLING_GROUP)", g.name),
            )
        }));
        v.extend(self.data.config.views.iter().map(|c| {
            (
                format!("custom:{}", c.name),
                format!("{}  (CUSTOM)", c.name),
            )
        }));
        v
    }

    /// The configuration object under the cursor on the current tab: (kind, name).
    fn selected_object(&self) -> Option<(crate::model::Kind, String)> {
        use crate::model::Kind;
        let key = self.selected_row().map(|r| self.model.keys[r].clone())?;
        let kind = match (self.tab, self.group_path.last()) {
            (Tab::Groups, Some(GroupLevel::List)) | (Tab::Overview, _) => Kind::BillingGroup,
            (Tab::Plans, _) => Kind::PricingPlan,
            (Tab::Rules, _) => Kind::PricingRule,
            (Tab::Items, _) => Kind::CustomLineItem,
            (Tab::Views, _) => {
                return self
                    .view
                    .strip_prefix("custom:")
                    .map(|n| (Kind::BillingView, n.to_string()));
            }
            _ => return None,
        };
        Some((kind, key))
    }

    fn form_kind(&self) -> Option<forms::FormKind> {
        match (self.tab, self.group_path.last()) {
            (Tab::Groups, Some(GroupLevel::List)) | (Tab::Overview, _) => {
                Some(forms::FormKind::Group)
            }
            (Tab::Plans, _) => Some(forms::FormKind::Plan),
            (Tab::Rules, _) => Some(forms::FormKind::Rule),
            (Tab::Items, _) => Some(forms::FormKind::Item),
            (Tab::Views, _) => Some(forms::FormKind::View),
            _ => None,
        }
    }

    fn open_form(&mut self, new: bool) {
        use forms::{Form, FormKind};
        let Some(kind) = self.form_kind() else {
            self.status.0 = Some(
                "n / e work on billing groups, pricing plans, pricing rules and custom line items"
                    .into(),
            );
            return;
        };
        if let Ok(true) = self.ws.is_closed(self.period()) {
            self.status.0 = Some(format!(
                "{} is closed: reopen it on the Reconcile tab to edit",
                self.period()
            ));
            return;
        }
        // The form starts from what is stored now, not from a view another process has
        // changed since the last poll.
        self.check_outside();
        let cfg = &self.current().config;
        let name = self.selected_object().map(|(_, n)| n).unwrap_or_default();
        let form = match (kind, new) {
            (FormKind::Rule, true) => Some(Form::new_rule()),
            (FormKind::Group, true) => Some(Form::new_group(self)),
            (FormKind::Plan, true) => Some(Form::new_plan(self)),
            (FormKind::Item, true) => Some(Form::new_item(self)),
            (FormKind::View, true) => Some(Form::new_view(self)),
            (FormKind::View, false) => self
                .view
                .strip_prefix("custom:")
                .and_then(|n| cfg.views.iter().find(|v| v.name == n))
                .map(|v| Form::edit_view(self, v)),
            (FormKind::Rule, false) => cfg
                .rules
                .iter()
                .find(|r| r.name == name)
                .map(Form::edit_rule),
            (FormKind::Group, false) => cfg
                .groups
                .iter()
                .find(|g| g.name == name)
                .map(|g| Form::edit_group(self, g)),
            (FormKind::Plan, false) => cfg
                .plans
                .iter()
                .find(|p| p.name == name)
                .map(|p| Form::edit_plan(self, p)),
            (FormKind::Item, false) => cfg
                .items
                .iter()
                .find(|i| i.name == name)
                .map(|i| Form::edit_item(self, i)),
        };
        match form {
            Some(mut f) => {
                f.remember_opened(&self.ws, self.scenario.as_ref().map(|s| s.id));
                self.form = Some(f)
            }
            None => {
                self.status.0 = Some(format!(
                    "'{name}' cannot be edited here (managed plans are read-only)"
                ))
            }
        }
    }

    /// Opens a scenario (None: back to the baseline) and prices it beside the baseline.
    pub fn open_scenario(&mut self, s: Option<crate::store::scenarios::Scenario>) {
        self.scenario = s;
        self.refresh_scenario();
    }

    fn refresh_scenario(&mut self) {
        self.scenario_data = None;
        let Some(s) = self.scenario.clone() else {
            return;
        };
        match self.ws.scenario_config(s.id) {
            Ok(config) => {
                let mut d = self.data.clone();
                d.reprice(config);
                d.scenario = Some(s.name.clone());
                self.scenario_data = Some(d);
                self.scenario = self
                    .ws
                    .scenarios()
                    .ok()
                    .and_then(|all| all.into_iter().find(|x| x.id == s.id));
            }
            Err(e) => {
                self.status.0 = Some(format!("scenario: {e}"));
                self.scenario = None;
            }
        }
    }

    fn scenario_op(&mut self, op: ScenarioOp) {
        match op {
            ScenarioOp::New => self.prompt = Some((PromptFor::ScenarioName, String::new())),
            ScenarioOp::Open(id) => {
                let s = self
                    .ws
                    .scenarios()
                    .unwrap_or_default()
                    .into_iter()
                    .find(|s| s.id == id);
                self.open_scenario(s);
                if let Some(s) = &self.scenario {
                    self.status.0 = Some(format!(
                        "scenario '{}' open: edits go to it, not to the baseline",
                        s.name
                    ));
                }
            }
            ScenarioOp::Baseline => {
                self.open_scenario(None);
                self.status.0 = Some("baseline".into());
            }
            ScenarioOp::Promote(id) => match self.ws.promote_scenario(id) {
                Ok(n) => {
                    self.open_scenario(None);
                    self.reload();
                    self.status.0 = Some(format!(
                        "scenario promoted: {} applied to the baseline from {} on (u undoes)",
                        crate::text::count(n as u64, "change"),
                        self.period()
                    ));
                }
                Err(e) => self.status.0 = Some(format!("not promoted: {e}")),
            },
            ScenarioOp::Discard(id) => {
                // A scenario's changes cannot be had back: ask first.
                let name = self
                    .ws
                    .scenarios()
                    .ok()
                    .and_then(|all| all.into_iter().find(|s| s.id == id))
                    .map_or_else(String::new, |s| s.name);
                self.confirm = Some(Confirm::DiscardScenario { id, name });
            }
        }
    }

    /// Moves the marked accounts into `target` (a group name; empty: no group), in one change.
    fn assign(&mut self, target: &str) {
        use crate::store::config::{Change, Object};
        if let Ok(true) = self.ws.is_closed(self.period()) {
            self.status.0 = Some(format!(
                "{} is closed: reopen it on the Reconcile tab to edit",
                self.period()
            ));
            return;
        }
        // Build on what is stored now, not on a view another process has changed since the
        // last poll. What is seen first: a change landing before the reload refuses the
        // assignment rather than being overwritten.
        let seen: Vec<crate::store::config::Seen> = self
            .data
            .config
            .groups
            .iter()
            .filter_map(|g| self.ws.seen(crate::model::Kind::BillingGroup, &g.arn).ok())
            .collect();
        self.check_outside();
        // The picker was filled before that reload: the group chosen may be gone now.
        if !target.is_empty() && !self.data.config.groups.iter().any(|g| g.name == target) {
            self.status.0 = Some(format!(
                "not assigned: billing group '{target}' no longer exists in {} (another process \
                 removed it); nothing was changed",
                self.period()
            ));
            return;
        }
        let mut changes = Vec::new();
        for g in &self.data.config.groups {
            let mut next = g.clone();
            if g.name == target {
                next.accounts.extend(self.marked.iter().cloned());
            } else {
                next.accounts.retain(|a| !self.marked.contains(a));
            }
            if next != *g {
                changes.push(Change::Put(Object::Group(next)));
            }
        }
        let n = self.marked.len();
        if changes.is_empty() {
            self.status.0 = Some(format!(
                "nothing to change: the {n} marked accounts are already there in {}",
                self.period()
            ));
            return;
        }
        match self.ws.apply_changes_seen(
            self.period(),
            &changes,
            Some("bulk account assignment"),
            &seen,
        ) {
            Ok(_) => {
                self.marked.clear();
                self.reload();
                let to = if target.is_empty() {
                    "no group (unmonitored)".to_string()
                } else {
                    format!("'{target}'")
                };
                self.status.0 = Some(format!(
                    "{} now in {to} from {} on (u undoes)",
                    crate::text::count(n as u64, "account"),
                    self.period()
                ));
            }
            Err(e) => self.status.0 = Some(format!("not assigned: {e}")),
        }
    }

    fn ask_delete(&mut self) {
        let Some((kind, name)) = self.selected_object() else {
            self.status.0 = Some(
                "d deletes billing groups, pricing plans, pricing rules and custom line items"
                    .into(),
            );
            return;
        };
        let cfg = &self.current().config;
        let arn = match kind {
            crate::model::Kind::BillingGroup => cfg
                .groups
                .iter()
                .find(|x| x.name == name)
                .map(|x| x.arn.clone()),
            crate::model::Kind::PricingPlan => cfg
                .plans
                .iter()
                .find(|x| x.name == name)
                .map(|x| x.arn.clone()),
            crate::model::Kind::PricingRule => cfg
                .rules
                .iter()
                .find(|x| x.name == name)
                .map(|x| x.arn.clone()),
            crate::model::Kind::CustomLineItem => cfg
                .items
                .iter()
                .find(|x| x.name == name)
                .map(|x| x.arn.clone()),
            crate::model::Kind::BillingView => cfg
                .views
                .iter()
                .find(|x| x.name == name)
                .map(|x| x.arn.clone()),
        };
        match arn {
            Some(arn) => {
                let seen = if self.scenario.is_none() {
                    self.ws.seen(kind, &arn).ok()
                } else {
                    None
                };
                self.confirm = Some(Confirm::Delete {
                    kind,
                    arn,
                    label: format!("{} '{name}'", kind.label()),
                    seen,
                })
            }
            None => {
                self.status.0 = Some(format!(
                    "'{name}' cannot be deleted (managed plans are read-only)"
                ))
            }
        }
    }

    /// Keys while a form is open.
    fn form_action(&mut self, action: Action) {
        let Some(mut form) = self.form.take() else {
            return;
        };
        if let Some(c) = form.conflict.take() {
            match action {
                Action::Input('o') | Action::Input('O') => {
                    // Overwrite knowingly: save against the version just shown.
                    form.seen = Some(c.seen_now);
                    self.form = Some(form);
                    return self.form_action(Action::Save);
                }
                Action::Input('t') | Action::Input('T') => {
                    self.check_outside();
                    self.rebuild();
                    self.status.0 = Some(if c.deleted {
                        "kept the other process's delete; your edits were discarded".into()
                    } else {
                        "kept the version saved by the other process; your edits were discarded"
                            .into()
                    });
                    return;
                }
                Action::Back => {
                    self.status.0 =
                        Some("still editing: saving again shows the differences again".into());
                }
                _ => {
                    self.status.0 = Some(
                        "changed by another process: o overwrites with yours, t takes theirs, Esc keeps editing"
                            .into(),
                    );
                    form.conflict = Some(c);
                }
            }
            self.form = Some(form);
            return;
        }
        let shown = form.shown();
        let pos = shown.iter().position(|&i| i == form.focus).unwrap_or(0);
        let mut edited = false;
        match action {
            Action::Input(c) => {
                let f = &mut form.fields[form.focus];
                if f.locked {
                    self.status.0 = Some(format!("{} cannot change after creation", f.label));
                } else if f.input == forms::Input::Text {
                    f.value.push(c);
                    edited = true;
                } else if c == ' ' {
                    cycle(f, 1);
                    edited = true;
                }
            }
            Action::Backspace => {
                let f = &mut form.fields[form.focus];
                if f.input == forms::Input::Text && !f.locked {
                    f.value.pop();
                    edited = true;
                }
            }
            Action::NextField | Action::Down => form.focus = shown[(pos + 1) % shown.len()],
            Action::PrevField | Action::Up => {
                form.focus = shown[(pos + shown.len() - 1) % shown.len()]
            }
            Action::ChoiceLeft | Action::ChoiceRight => {
                let f = &mut form.fields[form.focus];
                if f.locked {
                    self.status.0 = Some(format!("{} cannot change after creation", f.label));
                } else if matches!(f.input, forms::Input::Choice(_)) {
                    cycle(f, if action == Action::ChoiceLeft { -1 } else { 1 });
                    edited = true;
                } else if action == Action::ChoiceRight {
                    if let Some(choice) = self.suggestions(&form).into_iter().next() {
                        let field = &mut form.fields[form.focus];
                        field.value = match field.value.rfind(',') {
                            Some(i) if forms::is_list(field.key) => {
                                format!("{}, {choice}", field.value[..i].trim_end())
                            }
                            _ => choice,
                        };
                        edited = true;
                    }
                }
            }
            Action::Save | Action::Open => match forms::save(self, &mut form) {
                Ok(msg) => {
                    self.reload();
                    self.rebuild();
                    self.status.0 = Some(format!("{msg} (u undoes)"));
                    return;
                }
                Err(forms::NotSaved) if form.conflict.is_some() => {
                    self.status.0 = Some(
                        "not saved: changed by another process — o overwrites with yours, t takes theirs, Esc keeps editing"
                            .into(),
                    )
                }
                Err(forms::NotSaved) => {
                    self.status.0 = Some("not saved: see the errors in the form".into())
                }
            },
            Action::Back => {
                if form.dirty && !form.confirm_cancel {
                    form.confirm_cancel = true;
                    self.status.0 =
                        Some("unsaved changes: Esc again discards them, Ctrl-s saves".into());
                } else {
                    self.status.0 = Some("form closed, nothing saved".into());
                    return;
                }
            }
            Action::Quit => {
                // q is text in a form; Ctrl-c still quits.
            }
            _ => {}
        }
        if edited {
            form.dirty = true;
            form.confirm_cancel = false;
            self.preview(&mut form);
        }
        // Computed once per keystroke here, not on every frame by the renderer.
        form.suggestions = self.suggestions(&form);
        self.form = Some(form);
    }

    /// Values from the period's data that complete the focused field (service codes, usage
    /// types, operations).
    pub fn suggestions(&self, form: &forms::Form) -> Vec<String> {
        let f = &form.fields[form.focus];
        let token = if forms::is_list(f.key) {
            f.value.rsplit(',').next().unwrap_or("").trim()
        } else {
            f.value.trim()
        };
        let typed = token.to_lowercase();
        let cfg = &self.current().config;
        let service = form.field("service");
        let from_lines = |pick: &dyn Fn(&crate::cur::LineKey) -> Option<String>| -> Vec<String> {
            self.data
                .lines
                .iter()
                .filter_map(|l| pick(&l.key))
                .collect()
        };
        let candidates: Vec<String> = match f.key {
            "service" | "filter_service" => from_lines(&|k| Some(k.product_code.clone())),
            "usage_type" => from_lines(&|k| {
                (service.is_empty() || k.product_code == service).then(|| k.usage_type.clone())
            }),
            "operation" => from_lines(&|k| {
                (service.is_empty() || k.product_code == service).then(|| k.operation.clone())
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

    /// Asks the worker what the form's object would do to every group's pro forma; the
    /// preview is marked stale until the answer arrives.
    fn preview(&mut self, form: &mut forms::Form) {
        match form.check(self) {
            Some((_, config)) => {
                self.worker
                    .request(self.period(), self.data.lines.clone(), config);
                form.preview_stale = true;
            }
            None => {
                form.preview.clear();
                form.preview_stale = false;
            }
        }
    }

    /// Takes the worker's newest result into the open form's preview. Returns true when the
    /// screen changed.
    pub fn poll_worker(&mut self) -> bool {
        let Some(done) = self.worker.poll() else {
            return false;
        };
        self.show_preview(done)
    }

    /// Waits for the pending preview (tests; the UI polls).
    pub fn settle(&mut self) {
        if self.form.as_ref().is_some_and(|f| f.preview_stale) {
            if let Some(done) = self.worker.wait() {
                self.show_preview(done);
            }
        }
    }

    fn show_preview(&mut self, done: worker::Done) -> bool {
        let Some(mut form) = self.form.take() else {
            return false;
        };
        form.preview = self.preview_lines(&done.config, &done.pricing);
        form.preview_stale = false;
        self.form = Some(form);
        true
    }

    /// What the form's change does to each group's pro forma, as shown: before is the number
    /// on screen (the open scenario, else the baseline), after is the same footing of the
    /// changed configuration, and the difference is after minus before as shown (SPEC 5).
    fn preview_lines(
        &self,
        config: &crate::model::Config,
        after: &crate::engine::Pricing,
    ) -> Vec<String> {
        use crate::money::fmt_grouped as m;
        let before_state = self.current();
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

    pub fn update(&mut self, action: Action) {
        self.status.0 = None;
        if self.form.is_some() {
            return self.form_action(action);
        }
        if let Some(Confirm::DiscardScenario { id, .. }) = self.confirm {
            self.confirm = None;
            if action == Action::Input('y') {
                let result = self.ws.discard_scenario(id);
                self.open_scenario(None);
                self.status.0 = Some(match result {
                    Ok(()) => "scenario discarded; the baseline is unchanged".into(),
                    Err(e) => e.to_string(),
                });
            } else {
                self.status.0 = Some("scenario kept".into());
            }
            self.rebuild();
            return;
        }
        if let Some(Confirm::Delete {
            kind,
            arn,
            label,
            seen,
        }) = self.confirm.take()
        {
            if action == Action::Input('y') {
                let change = crate::store::config::Change::Delete { kind, arn };
                if let Some(s) = self.scenario.clone() {
                    match self.ws.scenario_change(s.id, &change) {
                        Ok(()) => {
                            self.refresh_scenario();
                            self.status.0 =
                                Some(format!("deleted {label} in scenario '{}'", s.name));
                        }
                        Err(e) => self.status.0 = Some(format!("not deleted: {e}")),
                    }
                    self.rebuild();
                    return;
                }
                let seen: Vec<_> = seen.into_iter().collect();
                match self
                    .ws
                    .apply_changes_seen(self.period(), &[change], None, &seen)
                {
                    Ok(_) => {
                        self.reload();
                        self.status.0 = Some(format!(
                            "deleted {label} from {} on (u undoes)",
                            self.period()
                        ));
                    }
                    Err(crate::store::config::ConfigError::Stale(st)) => {
                        self.check_outside();
                        self.status.0 = Some(format!(
                            "not deleted: {st}; look at it again (reloaded) before deleting"
                        ));
                    }
                    Err(e) => self.status.0 = Some(format!("not deleted: {}", e.explain())),
                }
            } else {
                self.status.0 = Some("nothing deleted".into());
            }
            self.rebuild();
            return;
        }
        if let Some((what, mut text)) = self.prompt.take() {
            match action {
                Action::Input(c) => {
                    text.push(c);
                    self.prompt = Some((what, text));
                }
                Action::Backspace => {
                    text.pop();
                    self.prompt = Some((what, text));
                }
                Action::Open | Action::Save => {
                    let p = self.period();
                    let result = match what {
                        PromptFor::Close => self
                            .ws
                            .close_period(p, &text)
                            .map(|_| format!("{p} closed")),
                        PromptFor::Reopen => self
                            .ws
                            .reopen_period(p, &text)
                            .map(|_| format!("{p} reopened")),
                        PromptFor::ScenarioName => self.ws.create_scenario(&text, p).map(|s| {
                            let name = s.name.clone();
                            self.open_scenario(Some(s));
                            format!("scenario '{name}' open: edits go to it, not to the baseline (w to promote or discard)")
                        }),
                    };
                    self.status.0 = Some(result.unwrap_or_else(|e| e.to_string()));
                    self.rebuild();
                }
                _ => self.status.0 = Some("cancelled".into()),
            }
            return;
        }
        if self.filtering {
            match action {
                Action::Input(c) => {
                    self.filter.push(c);
                    self.rebuild();
                    return;
                }
                Action::Backspace => {
                    self.filter.pop();
                    self.rebuild();
                    return;
                }
                Action::Open => {
                    self.filtering = false;
                    return;
                }
                Action::Back => {
                    self.back();
                    self.rebuild();
                    return;
                }
                _ => {}
            }
        }
        if let Some(Overlay::ViewPicker { options, selected }) = &mut self.overlay {
            if move_in_list(selected, options.len(), &action) {
                return;
            }
            match action {
                Action::Open => {
                    if let Some((spec, _)) = options.get(*selected) {
                        self.view = spec.clone();
                    }
                    self.overlay = None;
                    self.tab = Tab::Views;
                    self.rebuild();
                }
                Action::Back | Action::ViewPicker => self.overlay = None,
                Action::Quit => self.quit = true,
                _ => {}
            }
            return;
        }
        if let Some(Overlay::Scenarios { options, selected }) = &mut self.overlay {
            if move_in_list(selected, options.len(), &action) {
                return;
            }
            match action {
                Action::Open => {
                    let op = options.get(*selected).map(|(_, op)| op.clone());
                    self.overlay = None;
                    if let Some(op) = op {
                        self.scenario_op(op);
                    }
                    self.rebuild();
                }
                Action::Quit => self.quit = true,
                _ => self.overlay = None,
            }
            return;
        }
        if let Some(Overlay::GroupPicker { options, selected }) = &mut self.overlay {
            if move_in_list(selected, options.len(), &action) {
                return;
            }
            match action {
                Action::Open => {
                    let target = options.get(*selected).cloned().unwrap_or_default();
                    self.overlay = None;
                    self.assign(&target);
                    self.rebuild();
                }
                Action::Quit => self.quit = true,
                _ => self.overlay = None,
            }
            return;
        }
        if let Some(Overlay::Explain { scroll, text, .. }) = &mut self.overlay {
            match action {
                Action::Down => *scroll = scroll.saturating_add(1).min(last_line(text)),
                Action::Up => *scroll = scroll.saturating_sub(1),
                Action::PageDown => *scroll = scroll.saturating_add(10).min(last_line(text)),
                Action::PageUp => *scroll = scroll.saturating_sub(10),
                Action::Top => *scroll = 0,
                // The last line; the overlay keeps a full page in view when it draws.
                Action::Bottom => *scroll = last_line(text),
                Action::Quit => self.quit = true,
                _ => self.overlay = None,
            }
            return;
        }
        if matches!(self.overlay, Some(Overlay::Help)) {
            match action {
                Action::Quit => self.quit = true,
                _ => self.overlay = None,
            }
            return;
        }
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.overlay = Some(Overlay::Help),
            Action::Tab(t) => {
                self.tab = t;
                self.filter.clear();
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
            }
            Action::Up => self.set_selection(self.selection().saturating_sub(1)),
            Action::Down => self.set_selection(self.selection() + 1),
            Action::PageUp => self.set_selection(self.selection().saturating_sub(self.page.max(1))),
            Action::PageDown => self.set_selection(self.selection() + self.page.max(1)),
            Action::Top => self.set_selection(0),
            Action::Bottom => self.set_selection(usize::MAX),
            Action::Select(i) => self.set_selection(i),
            Action::Open => self.open(),
            Action::Back => self.back(),
            Action::PrevPeriod => self.switch_period(false),
            Action::NextPeriod => self.switch_period(true),
            Action::ViewPicker => {
                let options = self.view_options();
                let selected = options
                    .iter()
                    .position(|(s, _)| *s == self.view)
                    .unwrap_or(0);
                self.overlay = Some(Overlay::ViewPicker { options, selected });
            }
            Action::Filter => self.filtering = true,
            Action::Sort => {
                let key = self.screen_key();
                let n = self.model.columns.len();
                let next = match self.sort.get(&key) {
                    None => Some(0),
                    Some(c) if c + 1 < n => Some(c + 1),
                    Some(_) => None,
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
            Action::Explain => self.explain(),
            Action::NextGrouping => {
                if self.tab == Tab::Views {
                    self.view_grouping = match self.view_grouping {
                        GroupBy::ProductName => GroupBy::LinkedAccount,
                        GroupBy::LinkedAccount => GroupBy::UsageType,
                        GroupBy::UsageType => GroupBy::LineItemType,
                        _ => GroupBy::ProductName,
                    };
                }
            }
            Action::New => self.open_form(true),
            Action::Edit => self.open_form(false),
            Action::Delete => self.ask_delete(),
            Action::Undo | Action::Redo => {
                let undo = action == Action::Undo;
                let result = if undo { self.ws.undo() } else { self.ws.redo() };
                match result {
                    Ok(o) => {
                        self.reload();
                        self.status.0 = Some(format!(
                            "{} {} ({})",
                            if undo { "undid" } else { "redid" },
                            o.objects.join(", "),
                            o.period
                        ));
                    }
                    Err(e) => self.status.0 = Some(e.explain()),
                }
            }
            Action::Scenarios => {
                let mut options: Vec<(String, ScenarioOp)> =
                    vec![("new scenario…".into(), ScenarioOp::New)];
                for s in self
                    .ws
                    .scenarios()
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|s| s.period == self.period())
                {
                    options.push((
                        format!(
                            "open '{}' ({})",
                            s.name,
                            crate::text::count(s.changes as u64, "change")
                        ),
                        ScenarioOp::Open(s.id),
                    ));
                }
                if let Some(s) = &self.scenario {
                    options.push((
                        format!("promote '{}' into the baseline", s.name),
                        ScenarioOp::Promote(s.id),
                    ));
                    options.push((format!("discard '{}'", s.name), ScenarioOp::Discard(s.id)));
                    options.push(("back to the baseline".into(), ScenarioOp::Baseline));
                }
                self.overlay = Some(Overlay::Scenarios {
                    options,
                    selected: 0,
                });
            }
            Action::Mark if self.tab == Tab::Accounts => {
                if let Some(r) = self.selected_row() {
                    let id = self.model.keys[r].clone();
                    if !self.marked.remove(&id) {
                        self.marked.insert(id);
                    }
                    self.status.0 = Some(format!(
                        "{} accounts marked (a assigns them to a billing group)",
                        self.marked.len()
                    ));
                    let sel = self.selection();
                    self.rebuild();
                    self.set_selection(sel + 1);
                    return;
                }
            }
            Action::Assign if self.tab == Tab::Accounts => {
                if self.marked.is_empty() {
                    if let Some(r) = self.selected_row() {
                        self.marked.insert(self.model.keys[r].clone());
                    }
                }
                let mut options: Vec<String> = self
                    .data
                    .config
                    .groups
                    .iter()
                    .map(|g| g.name.clone())
                    .collect();
                options.push(String::new());
                self.overlay = Some(Overlay::GroupPicker {
                    options,
                    selected: 0,
                });
            }
            Action::ClosePeriod | Action::ReopenPeriod if self.tab == Tab::Reconcile => {
                let what = if action == Action::ClosePeriod {
                    PromptFor::Close
                } else {
                    PromptFor::Reopen
                };
                self.prompt = Some((what, String::new()));
            }
            Action::Input(_)
            | Action::Backspace
            | Action::Redraw
            | Action::Save
            | Action::NextField
            | Action::PrevField
            | Action::ChoiceLeft
            | Action::ChoiceRight
            | Action::ClosePeriod
            | Action::ReopenPeriod
            | Action::Mark
            | Action::Assign => {}
        }
        if !matches!(
            action,
            Action::Up
                | Action::Down
                | Action::PageUp
                | Action::PageDown
                | Action::Top
                | Action::Bottom
                | Action::Select(_)
        ) {
            let status = self.status.0.take();
            self.rebuild();
            self.status.0 = self.status.0.take().or(status);
        }
    }
}

/// Moves a picker's selection (one row, a page of 10, the first or the last row) within a list
/// of `len` options; false (and nothing moved) for any other action.
fn move_in_list(selected: &mut usize, len: usize, action: &Action) -> bool {
    let last = len.saturating_sub(1);
    *selected = match action {
        Action::Up => selected.saturating_sub(1),
        Action::Down => (*selected + 1).min(last),
        Action::PageUp => selected.saturating_sub(10),
        Action::PageDown => (*selected + 10).min(last),
        Action::Top => 0,
        Action::Bottom => last,
        _ => return false,
    };
    true
}

/// The index of a text's last line, as a scroll offset.
fn last_line(text: &str) -> u16 {
    u16::try_from(text.lines().count().saturating_sub(1)).unwrap_or(u16::MAX)
}

/// The view spec of the first payer's primary view (`primary` without data).
fn primary_view(data: &Analysis) -> String {
    data.payers
        .iter()
        .next()
        .map_or_else(|| "primary".to_string(), |p| format!("primary:{p}"))
}

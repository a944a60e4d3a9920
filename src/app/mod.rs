//! The application without a terminal. [`State`] is what is on screen; [`State::update`]
//! turns an [`Action`] into state changes and [`Effect`]s without touching the workspace; the
//! controller ([`App::update`], `controller.rs`) carries the effects out against the workspace,
//! the engine and the preview worker. The TUI maps keys to actions and paints the state; tests
//! drive it the same way.

pub mod action;
pub mod checklist;
mod controller;
pub mod effect;
pub mod export;
pub mod forms;
mod hints;
pub mod modal;
mod outside;
mod scenario_ops;
pub mod screens;
pub mod stepping;
pub mod table;
#[cfg(test)]
mod tests;
mod update;
pub mod worker;

pub use action::Action;
pub use effect::Effect;
pub use modal::{Choice, Confirm, Mode, Picker, Prompt, PromptFor, ScenarioOp};

use crate::analysis::Analysis;
use crate::engine::GroupBy;
use crate::period::BillingPeriod;
use crate::store::{StoreError, Workspace};
use std::collections::HashMap;
use table::TableModel;

/// The tabs, in the order of the tab bar (keys 1-9).
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

    /// 1-based position (the key that selects it).
    pub fn number(self) -> usize {
        Tab::ALL.iter().position(|t| *t == self).unwrap_or(0) + 1
    }
}

/// A drill-down level on the Billing groups tab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupLevel {
    List,
    /// One group's services (product names).
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

impl GroupLevel {
    /// The group (index in the baseline's configuration) this level is inside, if any.
    pub fn group(&self) -> Option<usize> {
        match self {
            GroupLevel::List => None,
            GroupLevel::Services { group }
            | GroupLevel::UsageTypes { group, .. }
            | GroupLevel::Accounts { group, .. } => Some(*group),
        }
    }

    /// The same level inside another group index.
    pub fn with_group(&self, g: usize) -> GroupLevel {
        match self.clone() {
            GroupLevel::List => GroupLevel::List,
            GroupLevel::Services { .. } => GroupLevel::Services { group: g },
            GroupLevel::UsageTypes { service, .. } => GroupLevel::UsageTypes { group: g, service },
            GroupLevel::Accounts {
                service,
                usage_type,
                ..
            } => GroupLevel::Accounts {
                group: g,
                service,
                usage_type,
            },
        }
    }
}

/// A warning or notice shown until the next action.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Status(pub Option<String>);

/// Everything on screen, and nothing that talks to the outside world: [`State::update`] is
/// pure, and drawing only reads it.
pub struct State {
    pub ws_label: String,
    /// Periods with data, oldest first.
    pub periods: Vec<BillingPeriod>,
    /// The baseline of the period on screen: lines, configuration, pricing.
    pub data: Analysis,
    /// Daily billable per group (index = day of the period - 1).
    pub daily: Vec<Vec<rust_decimal::Decimal>>,
    /// The same for the open scenario's groups (its membership).
    pub scenario_daily: Vec<Vec<rust_decimal::Decimal>>,
    /// The period's daily series per account, read once per period (and after an import):
    /// edits and scenarios only regroup it.
    pub daily_rows: std::sync::Arc<Vec<crate::store::DailyRow>>,
    /// Whether the period on screen is closed, and its note (read by the controller, so the
    /// top bar and the Reconcile tab never query the store while drawing).
    pub period_status: Option<crate::store::periods::PeriodStatus>,
    /// Account id → name.
    pub names: HashMap<String, String>,
    /// The Reconcile tab's month-end checks, run by the controller when the tab shows.
    pub checklist: Option<checklist::Checklist>,
    /// AWS invoice totals entered on the Reconcile tab, per period (for this session).
    pub invoice_entered: HashMap<BillingPeriod, rust_decimal::Decimal>,
    /// The workspace's directory: exports are offered beside it.
    pub ws_dir: std::path::PathBuf,
    /// The customer presentation (`P`, issue 13 item 5): tables show pro forma only, tabs
    /// that are internal as a whole show nothing, explanations and forms are refused.
    pub customer: bool,
    /// The export whose file the prompt asks for.
    pub pending_export: Option<export::ExportTarget>,
    /// Billing groups with a final statement for the period on screen, and with drafts only
    /// (read with the checklist).
    pub statements_issued: usize,
    pub statement_drafts: usize,
    pub tab: Tab,
    pub group_path: Vec<GroupLevel>,
    /// Billing view shown on the views tab: `primary:<payer>`, `group:<name>`, `custom:<name>`.
    pub view: String,
    pub view_grouping: GroupBy,
    /// The pricing plan whose rules the Rules tab shows (Enter on a plan), else all rules.
    pub plan_rules: Option<String>,
    pub filter: String,
    /// What the keys act on now: the screens, the filter line or one modal.
    pub mode: Mode,
    /// Sort column per screen (None: natural order).
    pub sort: HashMap<String, usize>,
    pub selected: HashMap<String, usize>,
    /// A save's re-pricing is in flight: the numbers shown are the previous state's (marked
    /// in the table's title), until the worker's result replaces them all at once.
    pub repricing: bool,
    /// The scenario being edited and its priced configuration (baseline | scenario | Δ).
    pub scenario: Option<crate::store::scenarios::Scenario>,
    pub scenario_data: Option<Analysis>,
    /// What the open scenario is compared with instead of the baseline (issue 14 item 1):
    /// another scenario of the period and its priced state; tables then show
    /// that scenario | the open one | Δ.
    pub compare_base: Option<(crate::store::scenarios::Scenario, Analysis)>,
    /// The History tab's entries, read by the controller when the tab shows.
    pub audit: Result<Vec<crate::store::AuditRow>, String>,
    /// The History tab's statements issued (`export --kind statement`), newest first.
    pub statements: Vec<crate::store::statements::IssuedStatement>,
    /// Accounts marked on the Accounts tab for bulk assignment.
    pub marked: std::collections::BTreeSet<String>,
    pub status: Status,
    /// The status is a refusal (something was not done): shown whole, in a box.
    pub refusal: bool,
    pub quit: bool,
    /// The table on screen.
    pub model: TableModel,
    /// A second, read-only table under it (a group's custom line items, a plan's rules).
    pub detail: Option<TableModel>,
    /// History: the selected change field by field (names for ARNs).
    pub change: Option<screens::history::ChangeDetail>,
    /// The overview's margin chart: each group of the state on screen and its margin as the
    /// tables show it (footed, SPEC 5); built with the tables, not per frame.
    pub margin_chart: Vec<(String, rust_decimal::Decimal)>,
    /// Row indexes of `model` on screen, after filter and sort.
    pub visible: Vec<usize>,
    /// Rows the table showed in the last frame (for paging), handed over by the TUI.
    pub page: usize,
    /// The scrolled popup's lines and page as last drawn, handed over by the TUI.
    pub modal_extent: modal::Extent,
    /// The table's columns on screen (by index) as last drawn; empty: all of them.
    pub shown_columns: Vec<usize>,
    /// The keymap's keys, for messages that name them.
    pub keys: action::KeyNames,
    /// What this window last saw of the workspace, to notice other processes' changes.
    pub outside: OutsideWatch,
    /// Sensitivity stepping and the margin target prompt (`stepping.rs`).
    pub sensitivity: stepping::Sensitivity,
}

/// The state, the workspace it reads and writes, and the preview worker. Dereferences to
/// [`State`].
pub struct App {
    pub state: State,
    pub ws: Workspace,
    pub worker: worker::Worker,
    /// The period's lines loading behind an overview drawn from the per-group totals kept
    /// ready (issue 10 item 3): the full analysis, once read and priced.
    pub lines_loading: Option<LinesLoading>,
}

/// Where the period's lines are while the overview shows the kept totals.
pub enum LinesLoading {
    /// Not yet asked for: the loading starts once the first screen is drawn (the event
    /// loop's first poll), so that it does not compete with drawing it.
    NotStarted,
    /// Read and priced on a thread of their own; the result arrives here.
    Loading(std::sync::mpsc::Receiver<Result<Analysis, StoreError>>),
}

impl std::ops::Deref for App {
    type Target = State;
    fn deref(&self) -> &State {
        &self.state
    }
}

impl std::ops::DerefMut for App {
    fn deref_mut(&mut self) -> &mut State {
        &mut self.state
    }
}

/// How the app notices changes made by other processes (another TUI window, a CLI import or
/// config import): SQLite's `data_version` moves when another connection commits.
#[derive(Debug, Clone)]
pub struct OutsideWatch {
    pub data_version: i64,
    /// The newest audit entry already reported.
    pub audit_id: i64,
    /// What the workspace holds that the audit log does not record (scenario drafts), as a
    /// hash: a commit that changed neither (per-group totals another process kept ready)
    /// reloads nothing.
    pub drafts: u128,
    pub checked: std::time::Instant,
}

/// How often the TUI looks for other processes' changes (the brief: noticed within a second).
pub const OUTSIDE_POLL: std::time::Duration = std::time::Duration::from_millis(250);

impl App {
    /// Opens a workspace on its latest period with data (an empty workspace: the current
    /// month).
    ///
    /// # Errors
    /// The store's, when the workspace cannot be read.
    pub fn load(mut ws: Workspace, label: String) -> Result<App, StoreError> {
        ws.set_origin("TUI");
        let outside = OutsideWatch {
            data_version: ws.data_version()?,
            audit_id: ws.last_audit_id()?,
            drafts: ws.drafts_stamp()?,
            checked: std::time::Instant::now(),
        };
        let mut periods: Vec<BillingPeriod> =
            ws.deliveries()?.into_iter().map(|d| d.period).collect();
        periods.sort();
        periods.dedup();
        let period = periods.last().copied().unwrap_or_else(|| {
            chrono::Utc::now()
                .format("%Y-%m")
                .to_string()
                .parse()
                .unwrap_or_else(|_| unreachable!("chrono prints YYYY-MM"))
        });
        // With every group's totals kept ready for this state, the overview is drawn from
        // them at once and the lines load behind it; otherwise the period is priced here.
        let (data, detail) = match Analysis::load_overview(&ws, period, None) {
            Ok(a) if a.partial => (a, Some(LinesLoading::NotStarted)),
            Ok(data) => {
                data.keep_ready(&ws);
                (data, None)
            }
            Err(crate::analysis::ReportError::Store(e)) => return Err(e),
            Err(_) => {
                let data = Analysis::load(&ws, period)?;
                data.keep_ready(&ws);
                (data, None)
            }
        };
        let names = ws
            .accounts()?
            .into_iter()
            .filter_map(|a| a.name.map(|n| (a.id, n)))
            .collect();
        let rows = std::sync::Arc::new(ws.daily(period)?);
        let daily = data.daily_by_group(&rows);
        let mut state = State::new(label, periods, data, names);
        state.daily = daily;
        state.daily_rows = rows;
        state.outside = outside;
        state.ws_dir = ws
            .path()
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .map_or_else(
                || std::path::PathBuf::from("."),
                std::path::Path::to_path_buf,
            );
        let mut app = App {
            state,
            ws,
            worker: worker::Worker::new(),
            lines_loading: detail,
        };
        app.refresh();
        Ok(app)
    }
}

impl State {
    /// The state on the overview of `data` (a priced period), before anything is read from a
    /// workspace (no daily series, nothing seen of other processes): what `App::load`
    /// starts from, and what unit tests drive without a workspace.
    pub fn new(
        label: String,
        periods: Vec<BillingPeriod>,
        data: Analysis,
        names: HashMap<String, String>,
    ) -> State {
        let view = primary_view(&data);
        let mut state = State {
            daily: Vec::new(),
            scenario_daily: Vec::new(),
            daily_rows: Default::default(),
            period_status: None,
            ws_label: label,
            periods,
            data,
            names,
            checklist: None,
            invoice_entered: HashMap::new(),
            statements_issued: 0,
            statement_drafts: 0,
            ws_dir: std::path::PathBuf::from("."),
            pending_export: None,
            customer: false,
            tab: Tab::Overview,
            group_path: vec![GroupLevel::List],
            view,
            view_grouping: GroupBy::ProductName,
            plan_rules: None,
            filter: String::new(),
            mode: Mode::Normal,
            sort: HashMap::new(),
            selected: HashMap::new(),
            repricing: false,
            scenario: None,
            scenario_data: None,
            compare_base: None,
            audit: Ok(Vec::new()),
            statements: Vec::new(),
            marked: Default::default(),
            status: Status::default(),
            refusal: false,
            quit: false,
            model: TableModel::default(),
            detail: None,
            change: None,
            margin_chart: Vec::new(),
            visible: Vec::new(),
            page: 10,
            modal_extent: modal::Extent::default(),
            shown_columns: Vec::new(),
            keys: action::KeyNames::default(),
            outside: OutsideWatch {
                data_version: 0,
                audit_id: 0,
                drafts: 0,
                checked: std::time::Instant::now(),
            },
            sensitivity: Default::default(),
        };
        state.rebuild();
        state
    }

    pub fn period(&self) -> BillingPeriod {
        self.data.period
    }

    /// The open form, if the mode is one.
    pub fn form(&self) -> Option<&forms::Form> {
        match &self.mode {
            Mode::Form(f) => Some(f),
            _ => None,
        }
    }

    /// The open picker, if the mode is one.
    pub fn picker(&self) -> Option<&Picker> {
        match &self.mode {
            Mode::Picker(p) => Some(p),
            _ => None,
        }
    }

    /// The explanation shown, if the mode is one.
    pub fn explanation(&self) -> Option<&modal::Explain> {
        match &self.mode {
            Mode::Explain(e) => Some(e),
            _ => None,
        }
    }

    /// Whether the filter line takes the keys.
    pub fn filtering(&self) -> bool {
        matches!(self.mode, Mode::Filter)
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
        self.refresh_detail();
    }

    /// The model row under the cursor.
    pub fn selected_row(&self) -> Option<usize> {
        self.visible.get(self.selection()).copied()
    }

    /// The key of the row under the cursor.
    pub fn selected_key(&self) -> Option<String> {
        self.selected_row().map(|r| self.model.keys[r].clone())
    }

    /// What edits apply to and margins describe: the open scenario, else the baseline.
    pub fn current(&self) -> &Analysis {
        self.scenario_data.as_ref().unwrap_or(&self.data)
    }

    /// The daily series of `data`'s groups: the scenario's when `data` is the open scenario.
    pub fn daily_of(&self, data: &Analysis) -> &[Vec<rust_decimal::Decimal>] {
        if std::ptr::eq(data, &self.data) {
            &self.daily
        } else {
            &self.scenario_daily
        }
    }

    /// Says something was not done (shown whole, in a box, until the next key).
    pub fn refuse(&mut self, message: impl Into<String>) {
        self.status.0 = Some(message.into());
        self.refusal = true;
    }

    /// Rebuilds the current screen's tables (after data, navigation, filter or sort changes)
    /// from the state alone. With a scenario open, tables with a pro forma column show
    /// baseline | scenario | Δ, computed on decimals.
    pub fn rebuild(&mut self) {
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
        let (model, detail) = match &self.scenario_data {
            None => (screens::build(self, &self.data, &self.group_path), None),
            Some(scenario) => {
                // The drill path holds the baseline's group indexes: the scenario's twin
                // table follows the same group by name (none when the scenario deleted it).
                // Compared with another scenario (issue 14 item 1), that one's table is
                // the base: B | A | Δ instead of baseline | A | Δ.
                // (When B has no group on the drill path, the baseline is the base, and the
                // table says so.)
                let against = self
                    .compare_base
                    .as_ref()
                    .and_then(|(s, b)| Some((s, self.path_in(b)?, b)));
                let base = match &against {
                    Some((_, p, b)) => screens::build(self, b, p),
                    None => screens::build(self, &self.data, &self.group_path),
                };
                let path = self.path_in(scenario);
                let other = path
                    .as_ref()
                    .map(|p| screens::build(self, scenario, p))
                    .unwrap_or_default();
                let model = if matches!(
                    self.tab,
                    Tab::Plans | Tab::Rules | Tab::Items | Tab::Reconcile
                ) && !other.columns.is_empty()
                {
                    // Configuration lists (and the checks) show the configuration being
                    // edited: the scenario's.
                    TableModel {
                        title: format!("{} — scenario", other.title),
                        ..other
                    }
                } else {
                    match against {
                        Some((b, _, _)) => screens::with_scenario_named(
                            base,
                            &other,
                            &b.name,
                            scenario.scenario.as_deref().unwrap_or("scenario"),
                        ),
                        None => screens::with_scenario(base, &other),
                    }
                };
                (model, None)
            }
        };
        self.model = model;
        // A stepped percentage shows every group baseline | stepped | Δ instead.
        if let Some(t) = self.sensitivity_table() {
            self.model = t;
        }
        if self.customer {
            self.model = self.model.customer_only().unwrap_or_else(|| {
                let mut t = TableModel::new(
                    format!("{} — customer presentation", self.tab.title()),
                    &[("", table::Align::Left)],
                );
                t.empty = format!(
                    "hidden in the customer presentation: this tab shows AWS cost, margins or pricing rules ({} shows everything)",
                    self.keys.list(Action::Presentation)
                );
                t
            });
        }
        if self.repricing {
            self.model.title.push_str(controller::REPRICING);
        }
        self.detail = detail;
        self.margin_chart = if self.tab == Tab::Overview {
            let state = self.current();
            let shown = state.shown_invoice();
            state
                .config
                .groups
                .iter()
                .zip(&shown.groups)
                .enumerate()
                .filter(|(i, _)| state.listed_group(*i))
                .map(|(_, (g, row))| (g.name.clone(), row.margin.unwrap_or_default()))
                .collect()
        } else {
            Vec::new()
        };
        let sort = self.sort.get(&self.screen_key()).copied();
        self.visible = self.model.visible(&self.filter, sort);
        let sel = self.selection();
        self.set_selection(sel);
    }

    /// The table under the main one, for the row under the cursor, in the state edited.
    fn refresh_detail(&mut self) {
        let key = self.selected_key();
        let state = self.current();
        let path = if self.scenario_data.is_some() {
            self.path_in(state)
        } else {
            Some(self.group_path.clone())
        };
        self.detail = path.and_then(|p| screens::detail(self, state, &p, key.as_deref()));
        if self.customer {
            self.detail = None;
        }
        self.change = match (self.tab, &self.audit) {
            (Tab::History, _) if key.as_deref().is_some_and(|k| k.starts_with("statement-")) => {
                let id = key.and_then(|k| k.strip_prefix("statement-")?.parse::<i64>().ok());
                id.and_then(|id| self.statements.iter().find(|x| x.id == id))
                    .map(screens::history::statement_detail)
            }
            (Tab::History, Ok(audit)) => {
                let id = key.and_then(|k| k.parse::<i64>().ok());
                id.and_then(|id| audit.iter().find(|a| a.id == id))
                    .map(|e| {
                        let namer =
                            screens::history::Namer::new(&self.data.config, audit, &self.names);
                        screens::history::detail(e, &namer)
                    })
            }
            _ => None,
        };
    }

    /// The drill path with its group indexes translated from the baseline to `other` (a
    /// scenario's state), by group name; None when `other` has no such group.
    fn path_in(&self, other: &Analysis) -> Option<Vec<GroupLevel>> {
        self.group_path
            .iter()
            .map(|l| match l.group() {
                None => Some(l.clone()),
                Some(g) => {
                    let name = &self.data.config.groups.get(g)?.name;
                    let i = other.config.groups.iter().position(|x| &x.name == name)?;
                    Some(l.with_group(i))
                }
            })
            .collect()
    }

    /// The billing views of the period, as (spec, label) for the picker: those of the
    /// configuration on screen (a scenario's new groups and views too).
    fn view_options(&self) -> Vec<(String, String)> {
        let cfg = &self.current().config;
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
        let state = self.current();
        v.extend(
            cfg.groups
                .iter()
                .enumerate()
                // A level-2 transfer's group: its transfer's views stand for it.
                .filter(|(i, _)| state.listed_group(*i))
                .map(|(_, g)| {
                    (
                        format!("group:{}", g.name),
                        format!("{}  (BILLING_GROUP)", g.name),
                    )
                }),
        );
        v.extend(cfg.views.iter().map(|c| {
            (
                format!("custom:{}", c.name),
                format!("{}  (CUSTOM)", c.name),
            )
        }));
        v.extend(self.current().transfer_view_options());
        v
    }

    /// The billing transfer of the view on screen (`transfer:` / `showback:`), by name.
    fn transfer_on_screen(&self) -> Option<String> {
        let (kind, key) = self.view.split_once(':')?;
        if kind != "transfer" && kind != "showback" {
            return None;
        }
        let cfg = &self.current().config;
        cfg.transfer_by_key(key)
            .map(|i| cfg.transfers[i].name.clone())
    }

    /// The configuration object under the cursor on the current tab: (kind, name).
    fn selected_object(&self) -> Option<(crate::model::Kind, String)> {
        use crate::model::Kind;
        let key = self.selected_key()?;
        let kind = match (self.tab, self.group_path.last()) {
            (Tab::Groups, Some(GroupLevel::List)) | (Tab::Overview, _) => Kind::BillingGroup,
            (Tab::Plans, _) => Kind::PricingPlan,
            (Tab::Rules, _) => Kind::PricingRule,
            // Cost allocations are listed on the items tab under `alloc:<name>` keys (the
            // placeholder `alloc:` is for `n` only).
            (Tab::Items, _) if key.starts_with("alloc:") => {
                let name = key.trim_start_matches("alloc:");
                return (!name.is_empty()).then(|| (Kind::CostAllocation, name.to_string()));
            }
            (Tab::Items, _) => Kind::CustomLineItem,
            (Tab::Views, _) => {
                if let Some(name) = self.transfer_on_screen() {
                    return Some((Kind::BillingTransfer, name));
                }
                return self
                    .view
                    .strip_prefix("custom:")
                    .map(|n| (Kind::BillingView, n.to_string()));
            }
            _ => return None,
        };
        Some((kind, key))
    }

    /// The kind of object `n`/`e` create or edit on the current tab.
    fn form_kind(&self) -> Option<crate::model::Kind> {
        use crate::model::Kind;
        match (self.tab, self.group_path.last()) {
            (Tab::Groups, Some(GroupLevel::List)) | (Tab::Overview, _) => Some(Kind::BillingGroup),
            (Tab::Plans, _) => Some(Kind::PricingPlan),
            (Tab::Rules, _) => Some(Kind::PricingRule),
            (Tab::Items, _) if self.selected_key().is_some_and(|k| k.starts_with("alloc:")) => {
                Some(Kind::CostAllocation)
            }
            (Tab::Items, _) => Some(Kind::CustomLineItem),
            (Tab::Views, _) if self.transfer_on_screen().is_some() => Some(Kind::BillingTransfer),
            (Tab::Views, _) => Some(Kind::BillingView),
            _ => None,
        }
    }

    /// Whether the period on screen is closed (as last read).
    pub fn closed(&self) -> bool {
        self.period_status.as_ref().is_some_and(|s| s.closed)
    }
}

/// The view spec of the first payer's primary view (`primary` without data).
fn primary_view(data: &Analysis) -> String {
    data.payers
        .iter()
        .next()
        .map_or_else(|| "primary".to_string(), |p| format!("primary:{p}"))
}

//! The application state without a terminal: actions in, state out. The TUI turns keys and
//! mouse events into actions and draws the state; tests drive it the same way.

pub mod screens;
pub mod table;

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
    pub status: Status,
    pub quit: bool,
    pub model: TableModel,
    /// Row indexes of `model` on screen, after filter and sort.
    pub visible: Vec<usize>,
    /// Rows the table showed in the last frame (for paging), set by the renderer.
    pub page: usize,
}

impl App {
    /// Opens a workspace on its latest period with data.
    pub fn load(ws: Workspace, label: String) -> Result<App, StoreError> {
        let mut periods: Vec<BillingPeriod> =
            ws.deliveries()?.into_iter().map(|d| d.period).collect();
        periods.sort();
        periods.dedup();
        let period = periods
            .last()
            .copied()
            .unwrap_or_else(|| BillingPeriod::new(2026, 1).unwrap_or_else(|| unreachable!()));
        let data = Analysis::load(&ws, period)?;
        let names = ws
            .accounts()?
            .into_iter()
            .filter_map(|a| a.name.map(|n| (a.id, n)))
            .collect();
        let view = data
            .payers
            .iter()
            .next()
            .map_or_else(|| "primary".to_string(), |p| format!("primary:{p}"));
        let mut app = App {
            daily: Vec::new(),
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
            status: Status::default(),
            quit: false,
            model: TableModel::default(),
            visible: Vec::new(),
            page: 10,
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
    pub fn rebuild(&mut self) {
        self.model = screens::build(self);
        let sort = self.sort.get(&self.screen_key()).copied();
        self.visible = self.model.visible(&self.filter, sort);
        let sel = self.selection();
        self.set_selection(sel);
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

    /// The billing group and drill path under the cursor, for explanations.
    fn explain_target(&self) -> Option<(usize, Vec<(GroupBy, String)>)> {
        let row = self.selected_row()?;
        let key = self.model.keys[row].clone();
        match (self.tab, self.group_path.last()) {
            (Tab::Overview, _) | (Tab::Groups, Some(GroupLevel::List)) => {
                self.data.group_index(&key).ok().map(|g| (g, vec![]))
            }
            (Tab::Groups, Some(GroupLevel::Services { group })) => {
                Some((*group, vec![(GroupBy::ProductName, key)]))
            }
            (Tab::Groups, Some(GroupLevel::UsageTypes { group, service })) => Some((
                *group,
                vec![
                    (GroupBy::ProductName, service.clone()),
                    (GroupBy::UsageType, key),
                ],
            )),
            (
                Tab::Groups,
                Some(GroupLevel::Accounts {
                    group,
                    service,
                    usage_type,
                }),
            ) => Some((
                *group,
                vec![
                    (GroupBy::ProductName, service.clone()),
                    (GroupBy::UsageType, usage_type.clone()),
                    (GroupBy::LinkedAccount, key),
                ],
            )),
            _ => None,
        }
    }

    fn explain(&mut self) {
        match self.explain_target() {
            Some((g, path)) => {
                let slice: Vec<(GroupBy, &str)> =
                    path.iter().map(|(b, v)| (*b, v.as_str())).collect();
                let e = self.data.explain(g, &slice);
                self.overlay = Some(Overlay::Explain {
                    title: format!("Explain: {}", e.title),
                    text: e.render(),
                    scroll: 0,
                });
            }
            None => self.status.0 = Some(
                "x explains billing group numbers: use it on the Overview or Billing groups tab"
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

    pub fn update(&mut self, action: Action) {
        self.status.0 = None;
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
            match action {
                Action::Up => *selected = selected.saturating_sub(1),
                Action::Down => *selected = (*selected + 1).min(options.len().saturating_sub(1)),
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
        if let Some(Overlay::Explain { scroll, .. }) = &mut self.overlay {
            match action {
                Action::Down => *scroll = scroll.saturating_add(1),
                Action::Up => *scroll = scroll.saturating_sub(1),
                Action::PageDown => *scroll = scroll.saturating_add(10),
                Action::PageUp => *scroll = scroll.saturating_sub(10),
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
            Action::Input(_) | Action::Backspace | Action::Redraw => {}
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

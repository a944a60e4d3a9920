//! Noticing what other processes (another window, a CLI import or configuration import) changed
//! in the workspace, and reloading it without losing the user's place.

use super::modal::Mode;
use super::{App, GroupLevel};
use crate::analysis::Analysis;
use crate::period::BillingPeriod;
use crate::store::StoreError;

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
    let list = |v: &[String]| crate::text::list_some(v, 3);
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

impl App {
    /// AWS's pro forma of a group imported by another process (`import --proforma-of`, not
    /// an audited change): shown beside the numbers, which stay as they are. Returns true
    /// when it changed.
    fn check_aws_proforma(&mut self) -> bool {
        let p = self.state.period();
        match self.ws.aws_proforma(p) {
            Ok(aws) if aws != self.state.data.aws_proforma => {
                if let Some(d) = self.state.scenario_data.as_mut() {
                    d.aws_proforma = aws.clone();
                }
                self.state.data.aws_proforma = aws;
                self.refresh();
                self.state.status.0 = Some(
                    "AWS pro forma imported by another process: shown beside proforma's".into(),
                );
                true
            }
            _ => false,
        }
    }

    /// `check_outside`, at most every `OUTSIDE_POLL` (the TUI calls it from its event loop).
    pub fn poll_outside(&mut self) -> bool {
        if self.state.outside.checked.elapsed() < super::OUTSIDE_POLL {
            return false;
        }
        self.check_outside()
    }

    /// Reloads what another process changed since this window last looked (data and
    /// configuration of the period on screen, periods, account names), keeping the tab, the
    /// selection (by row key), the drill-down and any open form, and says what changed in the
    /// status line. Returns true when something changed.
    pub fn check_outside(&mut self) -> bool {
        self.state.outside.checked = std::time::Instant::now();
        if self.lines_loading.is_some() {
            // Reloading builds on the period's lines: they arrive first.
            self.wait_detail();
        }
        let Ok(version) = self.ws.data_version() else {
            return false;
        };
        if version == self.state.outside.data_version {
            return false;
        }
        self.state.outside.data_version = version;
        let changes = self
            .ws
            .changes_by_others_since(self.state.outside.audit_id)
            .unwrap_or_default();
        // A commit that changed no audited object and no scenario draft (another process
        // keeping per-group totals ready after a report) changes nothing on screen.
        let drafts = self.ws.drafts_stamp().unwrap_or_default();
        if changes.is_empty() && drafts == self.state.outside.drafts {
            return self.check_aws_proforma();
        }
        self.state.outside.drafts = drafts;
        if let Some(last) = changes.last() {
            self.state.outside.audit_id = self.state.outside.audit_id.max(last.audit_id);
        }
        let selected = self.state.selected_key();
        let path_arns: Vec<Option<String>> = self
            .state
            .group_path
            .iter()
            .map(|l| {
                l.group()
                    .and_then(|g| self.state.data.config.groups.get(g))
                    .map(|g| g.arn.clone())
            })
            .collect();
        let p = self.state.period();
        let reloaded = (|| -> Result<(), StoreError> {
            let mut periods: Vec<BillingPeriod> = self
                .ws
                .deliveries()?
                .into_iter()
                .map(|d| d.period)
                .collect();
            periods.sort();
            periods.dedup();
            self.state.periods = periods;
            // Cost data is read again only after an import; a configuration change re-prices
            // the lines already loaded (the cheaper path a save takes).
            if changes.iter().any(|c| c.action == "import") {
                self.state.data = Analysis::load(&self.ws, p)?;
                self.state.daily_rows = std::sync::Arc::new(self.ws.daily(p)?);
            } else {
                self.state.data.reprice(self.ws.config_at(p)?);
            }
            self.state.names = self
                .ws
                .accounts()?
                .into_iter()
                .filter_map(|a| a.name.map(|n| (a.id, n)))
                .collect();
            self.state.daily = self.state.data.daily_by_group(&self.state.daily_rows);
            Ok(())
        })();
        self.refresh_scenario();
        // Group indexes may have moved: follow each drilled group by its ARN.
        let mut path = Vec::new();
        for (level, arn) in self.state.group_path.iter().zip(&path_arns) {
            match arn {
                None => path.push(level.clone()),
                Some(arn) => match self
                    .state
                    .data
                    .config
                    .groups
                    .iter()
                    .position(|g| g.arn == *arn)
                {
                    Some(i) => path.push(level.with_group(i)),
                    None => break,
                },
            }
        }
        if path.is_empty() {
            path.push(GroupLevel::List);
        }
        self.state.group_path = path;
        let view_before = self.state.view.clone();
        self.refresh();
        // rebuild() fell back from a view that no longer exists: keep saying so below.
        let view_note = (self.state.view != view_before).then(|| {
            format!(" · billing view '{view_before}' no longer exists: showing the primary view")
        });
        if let Some(key) = selected {
            let st = &mut self.state;
            if let Some(i) = st.visible.iter().position(|&r| st.model.keys[r] == key) {
                st.set_selection(i);
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
        if let Mode::Form(form) = &self.state.mode {
            if form.dirty {
                self.form_edited(true);
            }
        }
        if let Mode::Form(form) = &self.state.mode {
            if let Some(seen) = &form.seen {
                let now = match &self.state.scenario {
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
        self.state.status.0 = Some(msg);
        true
    }
}

//! Drawing the application state: top bar, tabs, the screen's table (only its visible rows),
//! side panels and footer; popups are painted by `popup`, sizes worked out by `fit`. Drawing
//! reads the state and never changes it (it records where things went, for the mouse and
//! paging, in the session's `Hits`).

use super::Session;
use super::fit::{GAP, cell, ellipsis, fit_columns, fit_hints, share, wrap_items};
use super::keymap::Context;
use super::popup::{bindings, boxed_status, modal, refusal};
use crate::app::modal::{HintKeys, ViewContext};
use crate::app::table::{Align, RowKind, TableModel};
use crate::app::{Action, App, Tab};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use rust_decimal::Decimal;

/// Where things were drawn, for mouse clicks.
#[derive(Debug, Clone, Default)]
pub struct Hits {
    pub tab_row: u16,
    pub tabs: Vec<(u16, u16, Tab)>,
    pub body: Rect,
    pub offset: usize,
    /// Rows the table showed (PageUp/PageDown move by this many).
    pub page: usize,
    /// The popup's wrapped lines and page (scrolling stops at its last page).
    pub modal: crate::app::modal::Extent,
    /// The table's columns on screen, by model index (sorting offers only these).
    pub columns: Vec<usize>,
}

pub fn draw(f: &mut Frame<'_>, s: &mut Session) {
    let area = f.area();
    let [top, tabs, main, footer] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(1),
    ])
    .areas(area);
    top_bar(f, top, s);
    tab_bar(f, tabs, s);
    match s.app.tab {
        // The customer presentation shows the table alone: the margin chart and the daily
        // billable series are internal.
        Tab::Overview if s.app.customer => table(f, main, s),
        Tab::Overview => {
            let groups = s.app.current().config.groups.len() as u16;
            let needed = s.app.model.rows.len() as u16 + 5;
            if main.height >= needed + 4 && groups > 0 {
                let chart = (main.height - needed).min(groups + 2);
                let rest = main.height - needed - chart;
                if rest >= groups + 2 {
                    let [t, c, d] = Layout::vertical([
                        Constraint::Length(needed),
                        Constraint::Length(chart),
                        Constraint::Min(0),
                    ])
                    .areas(main);
                    table(f, t, s);
                    margin_chart(f, c, s);
                    daily_panel(f, d, s);
                } else {
                    let [t, c] =
                        Layout::vertical([Constraint::Min(needed), Constraint::Length(chart)])
                            .areas(main);
                    table(f, t, s);
                    margin_chart(f, c, s);
                }
            } else {
                table(f, main, s);
            }
        }
        // The month-end checklist above the selected step's checks.
        Tab::Reconcile if s.app.detail.is_some() && main.height > 16 => {
            let detail = s.app.detail.clone().unwrap_or_default();
            let steps = s.app.model.rows.len() as u16 + 3;
            let [t, b] =
                Layout::vertical([Constraint::Length(steps), Constraint::Min(4)]).areas(main);
            table(f, t, s);
            static_table(f, b, s, &detail);
        }
        Tab::Groups | Tab::Plans if s.app.detail.is_some() => {
            let detail = s.app.detail.clone().unwrap_or_default();
            // A group's custom line items take at most 8 rows; a plan's rules up to 12.
            let max = if s.app.tab == Tab::Groups { 8 } else { 12 };
            let h = (detail.rows.len() as u16 + 3).clamp(4, max);
            if main.height > h + 6 {
                let [t, b] =
                    Layout::vertical([Constraint::Min(6), Constraint::Length(h)]).areas(main);
                table(f, t, s);
                static_table(f, b, s, &detail);
            } else {
                table(f, main, s);
            }
        }
        Tab::History if main.height > 16 => {
            let [t, b] =
                Layout::vertical([Constraint::Min(6), Constraint::Length(main.height / 2)])
                    .areas(main);
            table(f, t, s);
            history_detail(f, b, s);
        }
        _ => table(f, main, s),
    }
    finish(f, footer, s);
}

fn finish(f: &mut Frame<'_>, footer: Rect, s: &mut Session) {
    footer_bar(f, footer, s);
    let ctx = ViewContext {
        period: s.app.period(),
        scenario: s.app.scenario.as_ref().map(|x| x.name.clone()),
        bindings: if matches!(s.app.mode, crate::app::Mode::Help(_)) {
            bindings(s)
        } else {
            Vec::new()
        },
    };
    s.hits.modal = match s.app.mode.view(&ctx) {
        Some(view) => modal(f, f.area(), s, &view),
        None => Default::default(),
    };
    if boxed_status(s, f.area().width) {
        refusal(f, f.area(), s);
    }
}

fn view_name(app: &App) -> String {
    match app.view.split_once(':') {
        Some(("primary", payer)) => format!("Primary View ({payer})"),
        Some((_, name)) => name.to_string(),
        None => "Primary View".into(),
    }
}

fn top_bar(f: &mut Frame<'_>, area: Rect, s: &Session) {
    let app = &s.app;
    let n = app.periods.len();
    let i = app
        .periods
        .iter()
        .position(|p| *p == app.period())
        .map_or(0, |i| i + 1);
    // SPEC 5: the currency of the amounts on screen, from the same source as the CLI's.
    let currency = app.current().currency_label();
    // A closed period says so wherever the user is (its numbers are frozen).
    let closed = if app.period_status.as_ref().is_some_and(|st| st.closed) {
        " closed"
    } else {
        ""
    };
    // The customer presentation is a badge too (below), after the closed state.
    let closed = match (closed.is_empty(), app.customer) {
        (_, false) => closed,
        (true, true) => " customer",
        (false, true) => " closed customer",
    };
    let wide = area.width >= 110;
    let period = if wide {
        format!("period {} ({i}/{n}){closed} {currency}", app.period())
    } else {
        format!("{} ({i}/{n}){closed} {currency}", app.period())
    };
    // The scenario's name gives way like the other names; its count of changes does not.
    let (scenario_name, changes) = match &app.scenario {
        Some(sc) => (
            sc.name.clone(),
            format!(
                " ({}{})",
                crate::text::count(sc.changes as u64, "change"),
                // Compared with another scenario instead of the baseline (issue 14 item 1).
                app.compare_base
                    .as_ref()
                    .map(|(b, _)| format!(
                        ", against '{}'",
                        crate::text::middle_ellipsis(&b.name, 16)
                    ))
                    .unwrap_or_default()
            ),
        ),
        None => ("baseline".to_string(), String::new()),
    };
    let scenario_prefix = if wide { "scenario: " } else { "" };
    let view = view_name(app);
    let view = if wide {
        format!("view {view}")
    } else {
        view.split(" (").next().unwrap_or_default().to_string()
    };
    // The period and the count of changes are read whole; the workspace, view and scenario
    // names share the rest, each cut with an ellipsis only when the bar is too narrow.
    let fixed = " proforma │  │  │  │ ".chars().count()
        + period.chars().count()
        + scenario_prefix.chars().count()
        + changes.chars().count();
    let room = usize::from(area.width).saturating_sub(fixed);
    let widths = share(
        room,
        &[
            scenario_name.chars().count(),
            view.chars().count(),
            app.ws_label.chars().count(),
        ],
    );
    let text = format!(
        " proforma │ {} │ {period} │ {} │ {scenario_prefix}{}{changes}",
        ellipsis(&app.ws_label, widths[2]),
        ellipsis(&view, widths[1]),
        ellipsis(&scenario_name, widths[0]),
    );
    // The closed state is a badge: the word in reverse video, wherever the user is.
    let bar = s.theme.pair("top_bar_fg", "top_bar_bg");
    let line = match (closed.is_empty(), text.find(closed)) {
        (false, Some(at)) => Line::from(vec![
            Span::raw(text[..at + 1].to_string()),
            Span::styled(
                closed.trim_start().to_string(),
                bar.add_modifier(Modifier::REVERSED | Modifier::BOLD),
            ),
            Span::raw(text[at + closed.len()..].to_string()),
        ]),
        _ => Line::from(text),
    };
    f.render_widget(Paragraph::new(line).style(bar), area);
}

fn short_title(t: Tab) -> &'static str {
    match t {
        Tab::Overview => "Overview",
        Tab::Groups => "Groups",
        Tab::Plans => "Plans",
        Tab::Rules => "Rules",
        Tab::Items => "Items",
        Tab::Accounts => "Accts",
        Tab::Views => "Views",
        Tab::Reconcile => "Recon",
        Tab::History => "History",
    }
}

/// The tab labels that fit in `width`, most readable first: full titles, short titles, short
/// titles without the trailing space, then numbers with only the active tab's title, then
/// numbers alone. A label is never cut. Without colour the active tab is marked `>` (it is
/// also reverse video and bold).
fn tab_labels(active: Tab, width: u16, marker: bool) -> Vec<(Tab, String)> {
    let label = |t: Tab, level: u8| -> String {
        let lead = if marker && t == active { '>' } else { ' ' };
        let n = t.number();
        match level {
            0 => format!("{lead}{n} {} ", t.title()),
            1 => format!("{lead}{n} {} ", short_title(t)),
            2 => format!("{lead}{n} {}", short_title(t)),
            3 if t == active => format!("{lead}{n} {}", short_title(t)),
            _ => format!("{lead}{n}"),
        }
    };
    let mut last = Vec::new();
    for level in 0..=4u8 {
        last = Tab::ALL.iter().map(|t| (*t, label(*t, level))).collect();
        let w: usize = last.iter().map(|(_, l)| l.chars().count()).sum();
        if w <= width as usize {
            break;
        }
    }
    last
}

fn tab_bar(f: &mut Frame<'_>, area: Rect, s: &mut Session) {
    let mut spans = Vec::new();
    let mut x = area.x;
    s.hits.tabs.clear();
    s.hits.tab_row = area.y;
    for (t, label) in tab_labels(s.app.tab, area.width, s.theme.is_monochrome()) {
        let w = label.chars().count() as u16;
        s.hits.tabs.push((x, x + w, t));
        x += w;
        let style = if t == s.app.tab {
            s.theme
                .pair("tab_active_fg", "tab_active_bg")
                .add_modifier(Modifier::BOLD)
        } else {
            s.theme.fg("tab_fg")
        };
        spans.push(Span::styled(label, style));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn row_line<'a>(
    s: &Session,
    model: &TableModel,
    cols: &[(usize, u16)],
    cells: &[String],
    base: Style,
) -> Line<'a> {
    let mut spans = Vec::with_capacity(cols.len() * 2);
    for (n, (i, w)) in cols.iter().enumerate() {
        if n > 0 {
            spans.push(Span::styled(GAP, base));
        }
        let c = &model.columns[*i];
        let text = cells.get(*i).map_or("", String::as_str);
        let mut style = base;
        if c.align == Align::Right
            && (c.title.starts_with("Margin") || c.title == "Δ")
            && base.bg.is_none()
        {
            if text.starts_with('-') {
                style = style.patch(s.theme.fg("negative"));
            } else if text.chars().any(|ch| ch.is_ascii_digit() && ch != '0') {
                style = style.patch(s.theme.fg("positive"));
            }
        }
        spans.push(Span::styled(cell(text, *w, c.align), style));
    }
    Line::from(spans)
}

/// The screen's table: header, the visible window of rows around the selection, totals.
fn table(f: &mut Frame<'_>, area: Rect, s: &mut Session) {
    let mut title = format!(" {} ", s.app.model.title);
    if !s.app.filter.is_empty() || s.app.filtering() {
        title.push_str(&format!("│ filter: {} ", s.app.filter));
    }
    if let Some(c) = s
        .app
        .sort
        .get(&s.app.screen_key())
        .and_then(|c| s.app.model.columns.get(*c))
    {
        title.push_str(&format!("│ sorted by {} ", c.title));
    }
    let shown = s.app.visible.len();
    if shown != s.app.model.rows.len() {
        title.push_str(&format!("│ {shown} of {} rows ", s.app.model.rows.len()));
    }
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.theme.fg("border"))
        .title(Span::styled(title, s.theme.bold("title")));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let model = &s.app.model;
    if model.rows.is_empty() {
        let msg = if model.empty.is_empty() {
            "nothing to show".to_string()
        } else {
            model.empty.clone()
        };
        f.render_widget(
            Paragraph::new(msg)
                .style(s.theme.fg("aside"))
                .wrap(Wrap { trim: true }),
            inner,
        );
        s.hits.body = Rect::default();
        return;
    }
    let cols = fit_columns(model, inner.width);
    s.hits.columns = cols.iter().map(|(i, _)| *i).collect();
    let has_totals = model.totals.is_some();
    let body_h = inner.height.saturating_sub(1 + u16::from(has_totals)) as usize;
    s.hits.page = body_h.max(1);
    let sel = s.app.selection();
    let key = s.app.screen_key();
    let mut offset = s.offsets.get(&key).copied().unwrap_or(0);
    if sel < offset {
        offset = sel;
    } else if body_h > 0 && sel >= offset + body_h {
        offset = sel + 1 - body_h;
    }
    offset = offset.min(s.app.visible.len().saturating_sub(body_h.max(1)));
    s.offsets.insert(key, offset);

    let header: Vec<String> = model.columns.iter().map(|c| c.title.clone()).collect();
    let mut lines = vec![row_line(s, model, &cols, &header, s.theme.bold("header"))];
    for (pos, &row) in s.app.visible.iter().enumerate().skip(offset).take(body_h) {
        let style = if pos == sel {
            s.theme
                .pair("selection_fg", "selection_bg")
                .add_modifier(Modifier::BOLD)
        } else if model.kinds[row] == RowKind::Aside {
            s.theme.fg("aside")
        } else {
            Style::default()
        };
        lines.push(row_line(s, model, &cols, &model.rows[row], style));
    }
    let used = lines.len();
    f.render_widget(
        Paragraph::new(lines),
        Rect {
            height: (used as u16).min(inner.height),
            ..inner
        },
    );
    if let Some(t) = &model.totals {
        let y = inner.y + inner.height.saturating_sub(1);
        f.render_widget(
            Paragraph::new(row_line(s, model, &cols, t, s.theme.bold("totals"))),
            Rect {
                y,
                height: 1,
                ..inner
            },
        );
    }
    s.hits.body = Rect {
        y: inner.y + 1,
        height: body_h as u16,
        ..inner
    };
    s.hits.offset = offset;
}

/// A small table without selection (side panels).
fn static_table(f: &mut Frame<'_>, area: Rect, s: &Session, model: &TableModel) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.theme.fg("border"))
        .title(Span::styled(
            format!(" {} ", model.title),
            s.theme.bold("title"),
        ));
    let inner = block.inner(area);
    f.render_widget(block, area);
    if model.rows.is_empty() {
        f.render_widget(
            Paragraph::new(model.empty.clone()).style(s.theme.fg("aside")),
            inner,
        );
        return;
    }
    let cols = fit_columns(model, inner.width);
    let header: Vec<String> = model.columns.iter().map(|c| c.title.clone()).collect();
    let mut lines = vec![row_line(s, model, &cols, &header, s.theme.bold("header"))];
    for (i, r) in model
        .rows
        .iter()
        .enumerate()
        .take(inner.height.saturating_sub(1) as usize)
    {
        let style = if model.kinds[i] == RowKind::Aside {
            s.theme.fg("aside")
        } else {
            Style::default()
        };
        lines.push(row_line(s, model, &cols, r, style));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

/// The selected change, field by field: the field, its value before and after; a changed
/// field is marked `*` and bold. Names stand for ARNs (see `app::screens::history`).
fn history_detail(f: &mut Frame<'_>, area: Rect, s: &Session) {
    let d = s.app.change.as_ref();
    let title = match &d {
        Some(d) => format!(" Before → after: {} ", d.title),
        None => " Before → after ".to_string(),
    };
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.theme.fg("border"))
        .title(Span::styled(title, s.theme.bold("title")));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let Some(d) = d else { return };
    if let Some(note) = &d.note {
        f.render_widget(
            Paragraph::new(note.clone())
                .style(s.theme.fg("aside"))
                .wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    let label_w = d
        .fields
        .iter()
        .map(|x| x.label.chars().count())
        .chain(std::iter::once(5))
        .max()
        .unwrap_or(5)
        .min(18);
    // A creation or a deletion has one side: it takes the whole width.
    let created = d.before_label != "before";
    let deleted = d.after_label != "after";
    let sides = if created || deleted { 1 } else { 2 };
    // "* " marker, label, the sides, two-space gaps.
    let side_w = usize::from(inner.width).saturating_sub(2 + label_w + sides * GAP.len()) / sides;
    let side_w = side_w.max(1);
    let pad = |t: &str, w: usize| cell(t, w as u16, Align::Left);
    let head = match (created, deleted) {
        (true, _) => format!("{GAP}{}{GAP}created", pad("Field", label_w)),
        (_, true) => format!("{GAP}{}{GAP}deleted; it was", pad("Field", label_w)),
        _ => format!(
            "{GAP}{}{GAP}{}{GAP}after",
            pad("Field", label_w),
            pad("before", side_w)
        ),
    };
    let mut lines = vec![Line::from(Span::styled(head, s.theme.bold("header")))];
    for field in &d.fields {
        // In an edit a field one side lacks shows a dash.
        let before = wrap_items(&field.before, side_w, "–");
        let after = wrap_items(&field.after, side_w, "–");
        let style = if field.changed {
            s.theme.bold("header")
        } else {
            Style::default()
        };
        // In an edit an unchanged field takes one line, so the changed ones stay in view.
        let (before, after) = if sides == 2 && !field.changed {
            let one = |mut v: Vec<String>| {
                if v.len() > 1 {
                    v.truncate(1);
                    v[0] = cell(&format!("{} …", v[0]), side_w as u16, Align::Left)
                        .trim_end()
                        .to_string();
                }
                v
            };
            (one(before), one(after))
        } else {
            (before, after)
        };
        let shown: Vec<&Vec<String>> = match (created, deleted) {
            (true, _) => vec![&after],
            (_, true) => vec![&before],
            _ => vec![&before, &after],
        };
        let n = shown.iter().map(|x| x.len()).max().unwrap_or(1);
        for i in 0..n {
            let first = i == 0;
            let marker = if first && field.changed { "* " } else { "  " };
            let label = if first { field.label.as_str() } else { "" };
            let mut spans = vec![
                Span::styled(marker, style),
                Span::styled(
                    pad(label, label_w),
                    if field.changed {
                        style
                    } else {
                        s.theme.fg("footer_text")
                    },
                ),
            ];
            for (k, side) in shown.iter().enumerate() {
                let text = side.get(i).map_or("", String::as_str);
                spans.push(Span::raw(GAP));
                if k + 1 < shown.len() {
                    spans.push(Span::raw(pad(text, side_w)));
                } else {
                    spans.push(Span::styled(text.to_string(), style));
                }
            }
            lines.push(Line::from(spans));
        }
    }
    f.render_widget(Paragraph::new(lines), inner);
}

fn margin_chart(f: &mut Frame<'_>, area: Rect, s: &Session) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.theme.fg("border"))
        .title(Span::styled(
            if s.app.scenario.is_some() {
                " Margin by billing group, scenario "
            } else {
                " Margin by billing group "
            },
            s.theme.bold("title"),
        ));
    let inner = block.inner(area);
    f.render_widget(block, area);
    // The state on screen (the scenario's when one is open), margins as the tables show
    // them: built with the tables, read here.
    let chart = &s.app.margin_chart;
    let margins: Vec<Decimal> = chart.iter().map(|(_, m)| *m).collect();
    let max = margins
        .iter()
        .map(|m| m.abs())
        .fold(Decimal::ZERO, Decimal::max);
    let name_w = chart
        .iter()
        .map(|(name, _)| name.chars().count())
        .max()
        .unwrap_or(4)
        .min(20);
    let values: Vec<String> = margins
        .iter()
        .map(|m| crate::money::fmt_grouped(*m))
        .collect();
    let value_w = values.iter().map(|v| v.len()).max().unwrap_or(4);
    let bar_w = (inner.width as usize).saturating_sub(name_w + value_w + 4);
    let mut lines = Vec::new();
    for (((name, _), v), margin) in chart.iter().zip(values).zip(&margins) {
        let len = if max.is_zero() {
            0
        } else {
            (margin.abs() * Decimal::from(bar_w as u64) / max)
                .round()
                .try_into()
                .unwrap_or(0usize)
        };
        let style = if margin.is_sign_negative() {
            s.theme.fg("negative")
        } else {
            s.theme.fg("positive")
        };
        lines.push(Line::from(vec![
            Span::raw(cell(name, name_w as u16, Align::Left)),
            Span::raw(" "),
            Span::styled("█".repeat(len), style),
            Span::raw(" ".repeat(bar_w.saturating_sub(len) + 1)),
            Span::styled(format!("{v:>value_w$}"), style),
        ]));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

/// Each group's daily AWS cost across the period, one sparkline per group.
fn daily_panel(f: &mut Frame<'_>, area: Rect, s: &Session) {
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.theme.fg("border"))
        .title(Span::styled(" Daily AWS cost ", s.theme.bold("title")));
    let inner = block.inner(area);
    f.render_widget(block, area);
    // The state on screen: the open scenario's groups and membership, else the baseline's.
    let state = s.app.current();
    let cfg = &state.config;
    let daily = s.app.daily_of(state);
    let name_w = cfg
        .groups
        .iter()
        .map(|g| g.name.chars().count())
        .max()
        .unwrap_or(4)
        .min(20);
    let mut lines = Vec::new();
    for (g, group) in cfg.groups.iter().enumerate() {
        // The groups of the list (a level-2 transfer's group is in its views).
        if !state.listed_group(g) {
            continue;
        }
        let series = daily.get(g).map_or(&[][..], Vec::as_slice);
        let peak = series.iter().copied().fold(Decimal::ZERO, Decimal::max);
        lines.push(Line::from(vec![
            Span::raw(cell(&group.name, name_w as u16, Align::Left)),
            Span::raw(" "),
            Span::styled(crate::app::screens::sparkline(series), s.theme.fg("title")),
            Span::styled(
                format!("  peak {}/day", crate::money::fmt_grouped(peak)),
                s.theme.fg("aside"),
            ),
        ]));
    }
    f.render_widget(Paragraph::new(lines), inner);
}

/// The footer's hints with the keys of the keymap context in force.
fn hints(s: &Session) -> Vec<(String, &'static str)> {
    let context = if s.app.mode.takes_text() {
        Context::Text
    } else {
        Context::List
    };
    let k = |a: Action| s.keymap.first_key(a, context);
    let mut v: Vec<(String, &'static str)> = s
        .app
        .hints()
        .into_iter()
        .map(|h| {
            let keys = match h.keys {
                HintKeys::Action(a) => k(a),
                HintKeys::Pair(a, b) => format!("{}{}", k(a), k(b)),
                HintKeys::Literal(text) => text.to_string(),
            };
            (keys, h.label)
        })
        .filter(|(keys, _)| !keys.is_empty())
        .collect();
    v.dedup_by(|a, b| a.1 == b.1);
    v
}

fn footer_bar(f: &mut Frame<'_>, area: Rect, s: &Session) {
    let line = if s.app.filtering() {
        Line::from(vec![
            Span::styled(format!("/{}▏", s.app.filter), s.theme.bold("status")),
            Span::styled("  Enter keep  Esc clear", s.theme.fg("footer_text")),
        ])
    } else if let Some(msg) = s
        .app
        .status
        .0
        .as_ref()
        // A refusal or a long message has its own box above the footer.
        .filter(|_| !boxed_status(s, area.width))
        .or(s.startup_warning.as_ref())
    {
        Line::from(Span::styled(msg.clone(), s.theme.fg("status")))
    } else {
        let mut spans = Vec::new();
        for (keys, what) in fit_hints(hints(s), area.width as usize) {
            spans.push(Span::styled(keys, s.theme.bold("footer_key")));
            spans.push(Span::styled(
                format!(" {what}  "),
                s.theme.fg("footer_text"),
            ));
        }
        Line::from(spans)
    };
    f.render_widget(Paragraph::new(line), area);
}

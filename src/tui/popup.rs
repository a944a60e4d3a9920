//! Painting the popups: any modal's description (the modal owns what it shows; this paints
//! it), the help's bindings from the keymap, and a refusal or long message boxed above the
//! footer.

use super::Session;
use super::fit::centered;
use super::keymap::Context;
use crate::app::Action;
use crate::app::modal::{ModalView, Size, Tone};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

/// Every action with its keys, one line each (the help overlay); text-field keys after.
pub(super) fn bindings(s: &Session) -> Vec<(String, &'static str)> {
    let mut v = Vec::new();
    for a in Action::ALL {
        let keys = s.keymap.keys_of(*a, Context::List);
        if !keys.is_empty() {
            v.push((keys, a.doc()));
        }
    }
    for a in Action::ALL {
        let keys = s.keymap.keys_of(*a, Context::Text);
        if !keys.is_empty() {
            v.push((format!("{keys} (in a form)"), text_doc(*a)));
        }
    }
    v
}

/// Whether the status goes in a box above the footer: a refusal, or a message longer than the
/// footer (never cut mid-word).
pub(super) fn boxed_status(s: &Session, width: u16) -> bool {
    s.app
        .status
        .0
        .as_ref()
        .is_some_and(|m| s.app.refusal || m.chars().count() > usize::from(width))
}

/// What a key of the keymap's `[text]` table does where characters are typed.
pub(super) fn text_doc(a: Action) -> &'static str {
    match a {
        Action::Open => "save the form, or answer the prompt",
        Action::Back => "cancel (a changed form asks first)",
        Action::Up => "previous field",
        Action::Down => "next field",
        Action::Quit => "quit",
        other => other.doc(),
    }
}

/// A refusal (or a long message), whole and wrapped, in a box above the footer (gone at the
/// next key).
pub(super) fn refusal(f: &mut Frame<'_>, area: Rect, s: &Session) {
    let Some(text) = &s.app.status.0 else { return };
    let (title, role) = if s.app.refusal {
        (" Not done ", "negative")
    } else {
        (" Note ", "status")
    };
    let w = (area.width * 80 / 100).max(30).min(area.width);
    let p = Paragraph::new(text.clone()).wrap(Wrap { trim: false });
    let rows = p.line_count(w.saturating_sub(2));
    let h = (rows as u16 + 2).min(area.height.saturating_sub(1));
    let rect = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + area.height.saturating_sub(h + 1),
        width: w,
        height: h,
    };
    f.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.theme.fg(role))
        .title(Span::styled(title, s.theme.bold(role)));
    f.render_widget(
        Paragraph::new(text.clone())
            .block(block)
            .wrap(Wrap { trim: false }),
        rect,
    );
}

/// Paints a modal's description: a cleared, bordered box, its title and its lines; returns
/// its wrapped lines and page (for scrolling).
pub(super) fn modal(
    f: &mut Frame<'_>,
    area: Rect,
    s: &Session,
    view: &ModalView,
) -> crate::app::modal::Extent {
    let style = |tone: Tone| match tone {
        Tone::Plain => Style::default(),
        Tone::Fg(role) => s.theme.fg(role),
        Tone::Bold(role) => s.theme.bold(role),
        Tone::Selected => s.theme.pair("selection_fg", "selection_bg"),
    };
    let lines: Vec<Line> = view
        .lines
        .iter()
        .map(|spans| {
            Line::from(
                spans
                    .iter()
                    .map(|x| Span::styled(x.text.clone(), style(x.tone)))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    let mut p = Paragraph::new(lines);
    if view.wrap {
        p = p.wrap(Wrap { trim: false });
    }
    let rect = match view.size {
        Size::Centered { width, height } => centered(area, width, height),
        Size::Bottom => {
            let w = (area.width * 60 / 100).max(30).min(area.width);
            let h = 3.min(area.height);
            Rect {
                x: area.x,
                y: area.y + area.height.saturating_sub(h + 1),
                width: w,
                height: h,
            }
        }
        Size::Question => {
            // As tall as its wrapped text needs (a question is read whole), a third down.
            let w = (area.width * 80 / 100).max(30).min(area.width);
            let h = (p.line_count(w.saturating_sub(2)) as u16 + 2).min(area.height);
            Rect {
                x: area.x + (area.width - w) / 2,
                y: area.y + (area.height.saturating_sub(h)) / 3,
                width: w,
                height: h,
            }
        }
    };
    let total = p.line_count(rect.width.saturating_sub(2));
    let page = usize::from(rect.height.saturating_sub(2)).max(1);
    let top = match view.cursor {
        // A list keeps its selected line in view.
        Some(c) => c.saturating_sub(page - 1),
        // Scrolled past the end: the last page stays in view.
        None => usize::from(view.scroll).min(total.saturating_sub(page)),
    };
    f.render_widget(Clear, rect);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(s.theme.fg("title"))
        .title(Span::styled(view.title.clone(), s.theme.bold("title")));
    f.render_widget(
        p.block(block)
            .scroll((u16::try_from(top).unwrap_or(u16::MAX), 0)),
        rect,
    );
    crate::app::modal::Extent { lines: total, page }
}

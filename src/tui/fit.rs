//! Layout arithmetic for a terminal of any size: which table columns fit and how wide, cells
//! cut and padded, hints that fit the footer, names shortened with an ellipsis, centred boxes.
//! Pure functions of sizes and texts.

use crate::app::table::{Align, TableModel};
use ratatui::layout::Rect;

/// Between columns and hints.
pub(super) const GAP: &str = "  ";

/// Widths for texts of `wants` characters in `room`: all of each when they fit; else each
/// gets an equal share (all of it when it wants less) and what is left goes to the first ones
/// that want more.
pub(super) fn share(room: usize, wants: &[usize]) -> Vec<usize> {
    if wants.iter().sum::<usize>() <= room {
        return wants.to_vec();
    }
    let fair = room / wants.len().max(1);
    let mut out: Vec<usize> = wants.iter().map(|w| (*w).min(fair)).collect();
    let mut left = room - out.iter().sum::<usize>();
    for (o, w) in out.iter_mut().zip(wants) {
        let more = (w - *o).min(left);
        *o += more;
        left -= more;
    }
    out
}

/// `text` cut to `max` characters, its last one an ellipsis when it had to be cut.
pub(super) fn ellipsis(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    if max == 0 {
        return String::new();
    }
    text.chars()
        .take(max - 1)
        .chain(std::iter::once('…'))
        .collect()
}

/// A text column is cut to this width before any optional column is dropped.
pub(super) const TEXT_CAP: u16 = 24;

/// Narrowest a text column other than the name becomes.
pub(super) const TEXT_MIN: u16 = 6;

/// Narrowest the name column becomes (its full width when shorter): it shrinks last.
pub(super) const NAME_MIN: u16 = 16;

/// Picks the columns that fit in `width` and their widths (`(column index, width)`, in order).
///
/// The name column (the first with a title) shrinks last and keeps a readable minimum;
/// numbers (right-aligned columns) are never cut. In order: text columns longer than
/// [`TEXT_CAP`] are cut to it, optional columns are dropped (highest priority number first),
/// the other text columns shrink (widest first) to [`TEXT_MIN`], the name to [`NAME_MIN`], and
/// columns from the right are dropped whole. Width left over goes back to the columns that were
/// cut (the name first) and to dropped optional columns that then fit.
pub(super) fn fit_columns(model: &TableModel, width: u16) -> Vec<(usize, u16)> {
    let width = width as usize;
    let want = |i: usize| model.columns[i].width.max(1);
    let is_text = |i: usize| model.columns[i].align == Align::Left;
    let name = model
        .columns
        .iter()
        .position(|c| !c.title.is_empty())
        .unwrap_or(0);
    let mut cols: Vec<(usize, u16)> = (0..model.columns.len()).map(|i| (i, want(i))).collect();
    let total = |cols: &[(usize, u16)]| {
        cols.iter().map(|(_, w)| *w as usize).sum::<usize>()
            + GAP.len() * cols.len().saturating_sub(1)
    };
    // Shrinks the widest column that `pick` allows, down to `min`, until the table fits.
    let shrink = |cols: &mut Vec<(usize, u16)>, min: u16, pick: &dyn Fn(usize) -> bool| {
        while total(cols) > width {
            let widest = cols
                .iter_mut()
                .filter(|(i, w)| pick(*i) && *w > min)
                .max_by_key(|(i, w)| (*w, std::cmp::Reverse(*i)));
            match widest {
                Some((_, w)) => *w -= 1,
                None => break,
            }
        }
    };
    shrink(&mut cols, TEXT_CAP, &|i| is_text(i) && i != name);
    shrink(&mut cols, TEXT_CAP, &|i| i == name);
    let mut dropped: Vec<usize> = Vec::new();
    while total(&cols) > width {
        let drop = cols
            .iter()
            .enumerate()
            .filter(|(_, (i, _))| model.columns[*i].priority > 0)
            .max_by_key(|(_, (i, _))| model.columns[*i].priority);
        match drop {
            Some((pos, (i, _))) => {
                dropped.push(*i);
                cols.remove(pos);
            }
            None => break,
        }
    }
    shrink(&mut cols, TEXT_MIN, &|i| is_text(i) && i != name);
    shrink(&mut cols, NAME_MIN, &|i| i == name);
    while total(&cols) > width && cols.len() > 1 {
        // Whole columns from the right rather than a number cut at the edge.
        let last = cols.iter().rposition(|(i, _)| *i != name).unwrap_or(0);
        cols.remove(last);
    }
    if total(&cols) > width {
        // One column left, wider than the screen: cut it with its mark, not at the edge.
        if let Some(c) = cols.first_mut() {
            c.1 = u16::try_from(width).unwrap_or(u16::MAX).max(1);
        }
    }
    // Width left over: first to the columns that were cut (the name first), then to dropped
    // optional columns that fit at a readable width (most wanted first).
    for pass in 0..2 {
        for pos in 0..cols.len() {
            let (i, w) = cols[pos];
            if (pass == 0) != (i == name) {
                continue;
            }
            let spare = width.saturating_sub(total(&cols));
            let more = (want(i) - w).min(u16::try_from(spare).unwrap_or(u16::MAX));
            cols[pos].1 += more;
        }
    }
    for i in dropped.into_iter().rev() {
        let spare = width.saturating_sub(total(&cols) + GAP.len());
        let w = want(i).min(u16::try_from(spare).unwrap_or(u16::MAX));
        let readable = want(i).min(if is_text(i) { 8 } else { want(i) });
        if w >= readable {
            let pos = cols.iter().position(|(c, _)| *c > i).unwrap_or(cols.len());
            cols.insert(pos, (i, w));
        }
    }
    cols
}

pub(super) fn cell(text: &str, width: u16, align: Align) -> String {
    let w = width as usize;
    let n = text.chars().count();
    let t: String = if n > w {
        text.chars()
            .take(w.saturating_sub(1))
            .chain(std::iter::once('…'))
            .collect()
    } else {
        text.to_string()
    };
    match align {
        Align::Left => format!("{t:<w$}"),
        Align::Right => format!("{t:>w$}"),
    }
}

/// Items joined by `, ` into lines of at most `width` characters (an item wider than a line
/// is cut with `…`); `fill` when there are none.
pub(super) fn wrap_items(items: &[String], width: usize, fill: &str) -> Vec<String> {
    if items.is_empty() {
        return vec![fill.to_string()];
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for (n, item) in items.iter().enumerate() {
        let piece = if n + 1 < items.len() {
            format!("{item},")
        } else {
            item.clone()
        };
        let len = line.chars().count();
        let sep = usize::from(len > 0);
        if len > 0 && len + sep + piece.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&piece);
    }
    lines.push(line);
    lines
        .into_iter()
        .map(|l| cell(&l, width as u16, Align::Left).trim_end().to_string())
        .collect()
}

/// Hints a narrow footer drops first, by what they do (each has another way in: the help
/// overlay, the tab bar, the top bar).
pub(super) const FOOTER_DROP_FIRST: [&str; 6] = ["jump", "tabs", "period", "quit", "view", "undo"];

/// Hints a footer always keeps: the help overlay lists the rest.
pub(super) const FOOTER_KEEP: [&str; 3] = ["help", "filter", "sort"];

/// The hints that fit in `width` columns (`key what`, two spaces apart): the ones of
/// [`FOOTER_DROP_FIRST`] go first, then the screen's own from the last, then scenarios; `?`,
/// `/` and `s` stay.
pub(super) fn fit_hints(
    mut v: Vec<(String, &'static str)>,
    width: usize,
) -> Vec<(String, &'static str)> {
    let len = |v: &[(String, &str)]| {
        v.iter()
            .map(|(k, w)| k.chars().count() + 1 + w.chars().count())
            .sum::<usize>()
            + GAP.len() * v.len().saturating_sub(1)
    };
    for what in FOOTER_DROP_FIRST {
        if len(&v) <= width {
            return v;
        }
        v.retain(|(_, w)| *w != what);
    }
    while len(&v) > width {
        let pos = v
            .iter()
            .rposition(|(_, w)| !FOOTER_KEEP.contains(w) && *w != "scenarios")
            .or_else(|| v.iter().rposition(|(_, w)| !FOOTER_KEEP.contains(w)));
        match pos {
            Some(p) => {
                v.remove(p);
            }
            None => break,
        }
    }
    v
}

pub(super) fn centered(area: Rect, w_pct: u16, h_pct: u16) -> Rect {
    let w = (area.width * w_pct / 100).max(20).min(area.width);
    let h = (area.height * h_pct / 100).max(5).min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_share_the_room_and_are_cut_with_an_ellipsis() {
        assert_eq!(share(30, &[5, 10, 8]), [5, 10, 8], "all fit");
        // 12 for three: 4 each, then what the short one leaves goes to the first.
        assert_eq!(share(12, &[20, 20, 2]), [6, 4, 2]);
        assert_eq!(ellipsis("what-if-retail", 8), "what-if…");
        assert_eq!(ellipsis("short", 8), "short");
        assert_eq!(ellipsis("x", 0), "");
    }
}

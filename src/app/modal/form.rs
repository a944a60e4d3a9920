//! The form modal: keys that edit the open form, what it shows (fields, errors, suggestions,
//! the live preview, a conflict with another process) and its hints. The fields and their
//! parsing per kind live in `app::forms`.

use super::{Hint, ModalView, Size, Step, Styled, Tone, ViewContext};
use crate::app::Action;
use crate::app::effect::Effect;
use crate::app::forms::{self, Form, Input};

/// Moves a choice field to its previous (-1) or next (+1) option.
fn cycle(f: &mut forms::Field, step: i32) {
    if let Input::Choice(options) = &f.input {
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

/// One key in the open form. Every step but closing asks the controller to refresh the
/// suggestions (and, after an edit, the preview).
pub fn event(form: &mut Form, action: Action, keys: &crate::app::action::KeyNames) -> Step {
    if let Some(c) = form.conflict.take() {
        return match action {
            Action::Input('o') | Action::Input('O') => {
                // Overwrite knowingly: save against the version just shown.
                form.seen = Some(c.seen_now);
                Step::stay_then(Effect::SaveForm)
            }
            Action::Input('t') | Action::Input('T') => {
                Step::then(Effect::TakeTheirs { deleted: c.deleted })
            }
            Action::Back => {
                Step::stay().say("still editing: saving again shows the differences again")
            }
            _ => {
                form.conflict = Some(c);
                Step::stay().say(format!(
                    "changed by another process: o overwrites with yours, t takes theirs, {} keeps editing",
                    keys.text(Action::Back)
                ))
            }
        };
    }
    let shown = form.shown();
    let pos = shown.iter().position(|&i| i == form.focus).unwrap_or(0);
    let mut edited = false;
    let mut status = None;
    match action {
        Action::Input(c) => {
            let f = &mut form.fields[form.focus];
            if f.locked {
                status = Some(format!("{} cannot change after creation", f.label));
            } else if f.input == Input::Text {
                f.value.push(c);
                edited = true;
            } else if c == ' ' {
                cycle(f, 1);
                edited = true;
            }
        }
        Action::Backspace => {
            let f = &mut form.fields[form.focus];
            if f.input == Input::Text && !f.locked {
                f.value.pop();
                edited = true;
            }
        }
        Action::NextField | Action::Down => form.focus = shown[(pos + 1) % shown.len()],
        Action::PrevField | Action::Up => form.focus = shown[(pos + shown.len() - 1) % shown.len()],
        Action::ChoiceLeft | Action::ChoiceRight => {
            let suggestion = form.suggestions.first().cloned();
            let f = &mut form.fields[form.focus];
            if f.locked {
                status = Some(format!("{} cannot change after creation", f.label));
            } else if matches!(f.input, Input::Choice(_)) {
                cycle(f, if action == Action::ChoiceLeft { -1 } else { 1 });
                edited = true;
            } else if action == Action::ChoiceRight {
                if let Some(choice) = suggestion {
                    f.value = match f.value.rfind(',') {
                        Some(i) if forms::is_list(f.key) => {
                            format!("{}, {choice}", f.value[..i].trim_end())
                        }
                        _ => choice,
                    };
                    edited = true;
                }
            }
        }
        Action::Save | Action::Open => return Step::stay_then(Effect::SaveForm),
        Action::Back => {
            if form.dirty && !form.confirm_cancel {
                form.confirm_cancel = true;
                status = Some(format!(
                    "unsaved changes: {} again discards them, {} saves",
                    keys.text(Action::Back),
                    keys.text(Action::Save)
                ));
            } else {
                return Step::close().say("form closed, nothing saved");
            }
        }
        _ => {}
    }
    if edited {
        form.dirty = true;
        form.confirm_cancel = false;
    }
    Step {
        effect: Some(Effect::FormEdited { changed: edited }),
        status,
        ..Step::default()
    }
}

/// One field per line, its error under it, suggestions, the live preview.
pub fn view(form: &Form, ctx: &ViewContext) -> ModalView {
    let verb = if form.editing.is_some() {
        "Edit"
    } else {
        "New"
    };
    // Inside a scenario the change goes to the draft, never the baseline: the title says so.
    let title = match &ctx.scenario {
        Some(name) => format!(
            " {verb} {} — in scenario '{name}' ({}) ",
            form.kind.label(),
            ctx.period
        ),
        None => format!(
            " {verb} {} — applies from {} onward ",
            form.kind.label(),
            ctx.period
        ),
    };
    let label_w = form
        .fields
        .iter()
        .map(|x| x.label.chars().count())
        .max()
        .unwrap_or(10)
        .min(40);
    let mut lines: Vec<Vec<Styled>> = Vec::new();
    if let Some(c) = &form.conflict {
        // Another process changed the object since the form opened: what, and the choice.
        lines.push(vec![Styled::new(
            format!("Not saved: {}.", c.message),
            Tone::Bold("negative"),
        )]);
        for l in &c.lines {
            lines.push(vec![Styled::new(format!("  {l}"), Tone::Fg("negative"))]);
        }
        lines.push(vec![Styled::new(
            "  o overwrite with yours · t take theirs (discard yours) · Esc keep editing",
            Tone::Bold("footer_key"),
        )]);
        lines.push(Vec::new());
    }
    for i in form.shown() {
        let field = &form.fields[i];
        let focused = i == form.focus;
        let value = match &field.input {
            Input::Choice(_) => format!("‹ {} ›", field.value),
            Input::Text if focused => format!("{}▏", field.value),
            Input::Text => field.value.clone(),
        };
        let value_tone = if focused {
            Tone::Selected
        } else if field.locked {
            Tone::Fg("aside")
        } else {
            Tone::Plain
        };
        let mut spans = vec![
            Styled::new(
                format!("{:>label_w$}  ", field.label),
                if focused {
                    Tone::Bold("header")
                } else {
                    Tone::Fg("footer_text")
                },
            ),
            Styled::new(value, value_tone),
        ];
        if field.locked {
            spans.push(Styled::new("  (cannot change)", Tone::Fg("aside")));
        }
        lines.push(spans);
        if let Some(err) = form.errors.get(field.key) {
            lines.push(vec![Styled::new(
                format!("{:>label_w$}  {err}", ""),
                Tone::Fg("negative"),
            )]);
        }
        if focused && !form.suggestions.is_empty() {
            lines.push(vec![Styled::new(
                format!("{:>label_w$}  → {}", "", form.suggestions.join("  ")),
                Tone::Fg("aside"),
            )]);
        }
    }
    if let Some(err) = form.errors.get("") {
        lines.push(Vec::new());
        for l in err.lines() {
            lines.push(vec![Styled::new(l, Tone::Fg("negative"))]);
        }
    }
    if !form.preview.is_empty() {
        lines.push(Vec::new());
        let state = if form.preview_stale {
            " (updating…)"
        } else {
            ""
        };
        lines.push(vec![Styled::new(
            format!("preview, {}{state}:", ctx.period),
            Tone::Bold("title"),
        )]);
        for p in &form.preview {
            lines.push(vec![Styled::plain(format!("  {p}"))]);
        }
    }
    ModalView {
        title,
        lines,
        size: Size::Centered {
            width: 90,
            height: 94,
        },
        wrap: true,
        scroll: 0,
        cursor: None,
    }
}

/// The form's keys, from the keymap's `[text]` table.
pub fn hints(form: &Form) -> Vec<Hint> {
    if form.conflict.is_some() {
        return vec![Hint::new(Action::Back, "keep editing")];
    }
    // Save and cancel first: a narrow footer keeps them.
    vec![
        Hint::new(Action::Save, "save (Enter too)"),
        Hint::new(Action::Back, "cancel"),
        Hint::new(Action::NextField, "next field"),
        Hint::new(Action::PrevField, "previous field"),
        Hint::new(Action::ChoiceRight, "choose / take suggestion"),
    ]
}

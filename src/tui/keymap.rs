//! Keys to actions, from `assets/keymap.toml` (embedded) and the user's overrides. Unknown
//! actions or keys give warnings, not silence.
//!
//! Two contexts: the top-level table binds keys on screens and pickers; the `[text]` table binds
//! the keys that still act while a form, prompt, question or the filter takes characters as
//! text (any other plain character is typed).

use crate::app::Action;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::collections::BTreeMap;

pub const DEFAULT: &str = include_str!("../../assets/keymap.toml");

/// A key as written in the keymap file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    code: KeyCodeOrd,
    ctrl: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum KeyCodeOrd {
    Char(char),
    F(u8),
    Named(u8),
}

const NAMED: [(&str, KeyCode); 14] = [
    ("Enter", KeyCode::Enter),
    ("Esc", KeyCode::Esc),
    ("Tab", KeyCode::Tab),
    ("BackTab", KeyCode::BackTab),
    ("Backspace", KeyCode::Backspace),
    ("Up", KeyCode::Up),
    ("Down", KeyCode::Down),
    ("Left", KeyCode::Left),
    ("Right", KeyCode::Right),
    ("Home", KeyCode::Home),
    ("End", KeyCode::End),
    ("PageUp", KeyCode::PageUp),
    ("PageDown", KeyCode::PageDown),
    ("Delete", KeyCode::Delete),
];

impl Key {
    pub fn parse(text: &str) -> Option<Key> {
        let (ctrl, rest) = match text.strip_prefix("Ctrl-") {
            Some(r) => (true, r),
            None => (false, text),
        };
        let mut chars = rest.chars();
        if rest == "Space" {
            return Some(Key {
                code: KeyCodeOrd::Char(' '),
                ctrl,
            });
        }
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCodeOrd::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
            _ => {
                if let Some(n) = rest
                    .strip_prefix('F')
                    .and_then(|n| n.parse::<u8>().ok())
                    .filter(|n| (1..=12).contains(n))
                {
                    KeyCodeOrd::F(n)
                } else {
                    KeyCodeOrd::Named(NAMED.iter().position(|(name, _)| *name == rest)? as u8)
                }
            }
        };
        Some(Key { code, ctrl })
    }

    /// Shift is part of the character and Alt is ignored: terminals report two quick Esc
    /// presses as Alt-Esc.
    pub fn of_event(e: &KeyEvent) -> Option<Key> {
        let ctrl = e.modifiers.contains(KeyModifiers::CONTROL);
        let code = match e.code {
            KeyCode::Char(c) => KeyCodeOrd::Char(if ctrl { c.to_ascii_lowercase() } else { c }),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            other => KeyCodeOrd::Named(NAMED.iter().position(|(_, k)| *k == other)? as u8),
        };
        Some(Key { code, ctrl })
    }

    /// The key event this key stands for (tests and scripted stories press keys by name).
    pub fn event(&self) -> KeyEvent {
        let code = match self.code {
            KeyCodeOrd::Char(c) => KeyCode::Char(c),
            KeyCodeOrd::F(n) => KeyCode::F(n),
            KeyCodeOrd::Named(i) => NAMED[usize::from(i)].1,
        };
        KeyEvent::new(
            code,
            if self.ctrl {
                KeyModifiers::CONTROL
            } else {
                KeyModifiers::NONE
            },
        )
    }

    pub fn label(&self) -> String {
        let base = match self.code {
            KeyCodeOrd::Char(' ') => "Space".to_string(),
            KeyCodeOrd::Char(c) => c.to_string(),
            KeyCodeOrd::F(n) => format!("F{n}"),
            KeyCodeOrd::Named(i) => NAMED[usize::from(i)].0.to_string(),
        };
        if self.ctrl {
            format!("Ctrl-{base}")
        } else {
            base
        }
    }
}

/// Where a key is pressed: on a screen or picker, or where characters are text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Context {
    /// Tables, tabs and pickers: every key is a command.
    List,
    /// Forms, prompts, questions and the filter: plain characters are typed.
    Text,
}

/// Bindings from actions to keys per context, and the reverse lookup.
#[derive(Debug, Clone)]
pub struct Keymap {
    bindings: BTreeMap<(Context, Action), Vec<Key>>,
    by_key: BTreeMap<(Context, Key), Action>,
}

impl Keymap {
    /// The defaults, then the overrides in `user` (if any). Returns warnings for what was ignored.
    pub fn load(user: Option<(&str, &str)>) -> (Keymap, Vec<String>) {
        let mut warnings = Vec::new();
        let mut bindings = BTreeMap::new();
        parse_into(DEFAULT, "assets/keymap.toml", &mut bindings, &mut warnings);
        if let Some((origin, text)) = user {
            parse_into(text, origin, &mut bindings, &mut warnings);
        }
        let mut by_key = BTreeMap::new();
        for ((context, action), keys) in &bindings {
            for k in keys {
                if let Some(previous) = by_key.insert((*context, *k), *action) {
                    warnings.push(format!(
                        "key {} is bound to both {} and {}; {} wins",
                        k.label(),
                        previous.name(),
                        action.name(),
                        action.name()
                    ));
                }
            }
        }
        (Keymap { bindings, by_key }, warnings)
    }

    /// The action of a key event in a context. In the text context a plain character that no
    /// text binding takes is typed (`Input`).
    pub fn action(&self, e: &KeyEvent, context: Context) -> Option<Action> {
        let key = Key::of_event(e)?;
        if let Some(a) = self.by_key.get(&(context, key)) {
            return Some(*a);
        }
        match (context, e.code) {
            (Context::Text, KeyCode::Char(c)) if !key.ctrl => Some(Action::Input(c)),
            _ => None,
        }
    }

    /// The keys that do `action` in `context`: its bindings less those another action won.
    fn live_keys(&self, action: Action, context: Context) -> impl Iterator<Item = &Key> {
        self.bindings
            .get(&(context, action))
            .into_iter()
            .flatten()
            .filter(move |k| self.by_key.get(&(context, **k)) == Some(&action))
    }

    /// The first key of an action in a context, for hints (empty when unbound).
    pub fn first_key(&self, action: Action, context: Context) -> String {
        self.live_keys(action, context)
            .next()
            .map(Key::label)
            .unwrap_or_default()
    }

    /// The keys of an action in a context, joined for display (`j/Down`).
    pub fn keys_of(&self, action: Action, context: Context) -> String {
        self.live_keys(action, context)
            .map(Key::label)
            .collect::<Vec<_>>()
            .join("/")
    }
}

fn parse_into(
    text: &str,
    origin: &str,
    bindings: &mut BTreeMap<(Context, Action), Vec<Key>>,
    warnings: &mut Vec<String>,
) {
    let table: toml::Table = match text.parse() {
        Ok(t) => t,
        Err(e) => {
            warnings.push(format!(
                "{origin}: not valid TOML, ignored: {}",
                e.message()
            ));
            return;
        }
    };
    for (name, value) in table {
        if name == "text" {
            match value {
                toml::Value::Table(t) => bind_all(t, Context::Text, origin, bindings, warnings),
                _ => warnings.push(format!("{origin}: [text] must be a table of actions")),
            }
            continue;
        }
        bind_all(
            toml::Table::from_iter([(name, value)]),
            Context::List,
            origin,
            bindings,
            warnings,
        );
    }
}

fn bind_all(
    table: toml::Table,
    context: Context,
    origin: &str,
    bindings: &mut BTreeMap<(Context, Action), Vec<Key>>,
    warnings: &mut Vec<String>,
) {
    let prefix = match context {
        Context::List => "",
        Context::Text => "text.",
    };
    for (name, value) in table {
        let Ok(action) = name.parse::<Action>() else {
            let known: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
            warnings.push(format!(
                "{origin}: unknown action '{prefix}{name}' ignored (actions: {})",
                known.join(", ")
            ));
            continue;
        };
        let list: Vec<&str> = match &value {
            toml::Value::Array(a) => a.iter().filter_map(|v| v.as_str()).collect(),
            toml::Value::String(s) => vec![s.as_str()],
            _ => {
                warnings.push(format!("{origin}: {prefix}{name}: expected a list of keys"));
                continue;
            }
        };
        let mut keys = Vec::new();
        for k in list {
            match Key::parse(k) {
                Some(key) => keys.push(key),
                None => warnings.push(format!(
                    "{origin}: {prefix}{name}: unknown key '{k}' ignored"
                )),
            }
        }
        bindings.insert((context, action), keys);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_cover_every_action_without_warnings() {
        let (map, warnings) = Keymap::load(None);
        assert!(warnings.is_empty(), "{warnings:?}");
        for a in Action::ALL.iter().filter(|a| **a != Action::Redraw) {
            let keys = map.keys_of(*a, Context::List) + &map.keys_of(*a, Context::Text);
            assert!(!keys.is_empty(), "{} has no key", a.name());
        }
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(map.action(&q, Context::List), Some(Action::Quit));
        assert_eq!(map.action(&q, Context::Text), Some(Action::Input('q')));
        let f1 = KeyEvent::new(KeyCode::F(1), KeyModifiers::NONE);
        assert_eq!(map.action(&f1, Context::List), Some(Action::Help));
        let ctrl_d = KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL);
        assert_eq!(map.action(&ctrl_d, Context::List), Some(Action::PageDown));
        assert_eq!(map.action(&ctrl_d, Context::Text), None);
        let ctrl_s = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert_eq!(map.action(&ctrl_s, Context::Text), Some(Action::Save));
        let tab = KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE);
        assert_eq!(map.action(&tab, Context::Text), Some(Action::NextField));
    }

    #[test]
    fn overrides_replace_and_unknowns_warn() {
        let user = "quit = [\"Q\"]\nfly = [\"f\"]\nhelp = [\"Hyper-x\"]\n[text]\nsave = [\"F2\"]\nsing = [\"s\"]\n";
        let (map, warnings) = Keymap::load(Some(("keymap.toml", user)));
        assert_eq!(map.keys_of(Action::Quit, Context::List), "Q");
        assert_eq!(map.keys_of(Action::Save, Context::Text), "F2");
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("unknown action 'text.sing'")),
            "{warnings:?}"
        );
        assert!(
            warnings.iter().any(|w| w.contains("unknown action 'fly'")),
            "{warnings:?}"
        );
        assert!(
            warnings.iter().any(|w| w.contains("unknown key 'Hyper-x'")),
            "{warnings:?}"
        );
        let q = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
        assert_eq!(map.action(&q, Context::List), None);
    }

    #[test]
    fn a_key_another_action_won_is_not_shown_for_the_loser() {
        let (map, warnings) = Keymap::load(Some(("keymap.toml", "explain = [\"n\"]\n")));
        assert!(
            warnings.iter().any(|w| w.contains("bound to both")),
            "{warnings:?}"
        );
        let n = KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE);
        let winner = map.action(&n, Context::List).unwrap();
        let loser = if winner == Action::New {
            Action::Explain
        } else {
            Action::New
        };
        assert_eq!(map.first_key(winner, Context::List), "n");
        assert!(!map.keys_of(loser, Context::List).contains('n'));
    }

    #[test]
    fn the_readme_lists_every_action_name() {
        let readme = include_str!("../../README.md");
        for a in Action::ALL {
            assert!(
                readme.contains(&format!("| `{}` |", a.name())),
                "README does not list {}",
                a.name()
            );
        }
    }
}

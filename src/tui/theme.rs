//! Colours, from `assets/theme.toml` (embedded) and the user's overrides; none at all when
//! `NO_COLOR` is set (<https://no-color.org>), where emphasis is carried by reverse video and bold.

use ratatui::style::{Color, Modifier, Style};
use std::collections::BTreeMap;
use std::str::FromStr;

pub const DEFAULT: &str = include_str!("../../assets/theme.toml");

/// The styles the TUI draws with, by role name (`selection_bg`, `negative`, ...).
#[derive(Debug, Clone)]
pub struct Theme {
    colors: BTreeMap<String, Color>,
    /// No colours at all (NO_COLOR): a foreground role is plain, a foreground/background pair
    /// (selection, active tab, top bar) is reverse video, a bold role is bold.
    monochrome: bool,
}

/// Whether the environment asks for no colour: `NO_COLOR` set to any non-empty value
/// (<https://no-color.org>).
pub fn no_color_requested() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

impl Theme {
    /// The embedded colours with the user's overrides (`(origin, TOML text)`), in colour.
    /// Returns the theme and warnings about overrides that were ignored.
    pub fn load(user: Option<(&str, &str)>) -> (Theme, Vec<String>) {
        Theme::load_with(user, false)
    }

    /// As [`Theme::load`]; `no_color` (the caller reads `NO_COLOR`, see [`no_color_requested`])
    /// gives a theme without any colour, overrides included.
    pub fn load_with(user: Option<(&str, &str)>, no_color: bool) -> (Theme, Vec<String>) {
        let mut warnings = Vec::new();
        let mut colors = BTreeMap::new();
        read(
            DEFAULT,
            "assets/theme.toml",
            &mut colors,
            &mut warnings,
            None,
        );
        let known: Vec<String> = colors.keys().cloned().collect();
        if let Some((origin, text)) = user {
            read(text, origin, &mut colors, &mut warnings, Some(&known));
        }
        (
            Theme {
                colors,
                monochrome: no_color,
            },
            warnings,
        )
    }

    /// True when the theme draws without colours (NO_COLOR).
    pub fn is_monochrome(&self) -> bool {
        self.monochrome
    }

    /// The colour of a role (`Reset`, the terminal's own, for unknown roles and without colour).
    pub fn color(&self, name: &str) -> Color {
        if self.monochrome {
            return Color::Reset;
        }
        self.colors.get(name).copied().unwrap_or(Color::Reset)
    }

    /// Text in a role's colour; without colour plain, and dim for `aside` (rows that are not
    /// billing groups, locked fields).
    pub fn fg(&self, name: &str) -> Style {
        if self.monochrome {
            return match name {
                "aside" => Style::default().add_modifier(Modifier::DIM),
                _ => Style::default(),
            };
        }
        Style::default().fg(self.color(name))
    }

    /// A highlighted band (selection, active tab, top bar); reverse video without colour.
    pub fn pair(&self, fg: &str, bg: &str) -> Style {
        if self.monochrome {
            return Style::default().add_modifier(Modifier::REVERSED);
        }
        Style::default().fg(self.color(fg)).bg(self.color(bg))
    }

    /// Bold text in a role's colour; bold only without colour.
    pub fn bold(&self, name: &str) -> Style {
        self.fg(name).add_modifier(Modifier::BOLD)
    }
}

fn read(
    text: &str,
    origin: &str,
    colors: &mut BTreeMap<String, Color>,
    warnings: &mut Vec<String>,
    known: Option<&[String]>,
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
        if known.is_some_and(|k| !k.contains(&name)) {
            warnings.push(format!("{origin}: unknown colour '{name}' ignored"));
            continue;
        }
        match value.as_str().map(Color::from_str) {
            Some(Ok(c)) => {
                colors.insert(name, c);
            }
            _ => warnings.push(format!("{origin}: {name}: '{value}' is not a colour")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_parse_and_overrides_warn() {
        let (t, w) = Theme::load(None);
        assert!(w.is_empty(), "{w:?}");
        assert_eq!(t.color("negative"), Color::LightRed);
        let (t, w) = Theme::load(Some((
            "theme.toml",
            "negative = \"#ff0000\"\nsparkles = \"red\"\nborder = \"plaid\"\n",
        )));
        assert_eq!(t.color("negative"), Color::Rgb(255, 0, 0));
        assert!(
            w.iter().any(|x| x.contains("unknown colour 'sparkles'")),
            "{w:?}"
        );
        assert!(
            w.iter()
                .any(|x| x.contains("'\"plaid\"' is not a colour") || x.contains("plaid")),
            "{w:?}"
        );
    }

    #[test]
    fn no_color_has_no_colours_and_keeps_emphasis() {
        let (t, _) = Theme::load_with(Some(("theme.toml", "negative = \"red\"\n")), true);
        assert!(t.is_monochrome());
        assert_eq!(t.color("negative"), Color::Reset);
        assert_eq!(t.fg("negative"), Style::default());
        assert_eq!(t.fg("aside"), Style::default().add_modifier(Modifier::DIM));
        let sel = t.pair("selection_fg", "selection_bg");
        assert_eq!((sel.fg, sel.bg), (None, None));
        assert!(sel.add_modifier.contains(Modifier::REVERSED));
        let b = t.bold("header");
        assert_eq!((b.fg, b.bg), (None, None));
        assert!(b.add_modifier.contains(Modifier::BOLD));
        let (c, _) = Theme::load(None);
        assert!(!c.is_monochrome());
        assert!(c.pair("selection_fg", "selection_bg").bg.is_some());
    }
}

//! Terminal safety: data strings (CUR fields, names, tags, file names, error details) made
//! harmless before they reach a terminal, a CSV or a message.
//!
//! The scheme (stated in the README):
//! - `\n`, `\r` and `\t` print as those two characters (a backslash and a letter);
//! - every other C0 control (U+0000–U+001F) and DEL (U+007F) prints as `\xNN`, two lower-case
//!   hex digits (ESC is `\x1b`);
//! - C1 controls (U+0080–U+009F) and the invisible characters that reorder or break lines
//!   (bidirectional embeddings, overrides, isolates and marks: U+061C, U+200E, U+200F,
//!   U+202A–U+202E, U+2066–U+2069; line and paragraph separators U+2028, U+2029) print as
//!   `\u{NN}`, Rust's own notation (CSI is `\u{9b}`);
//! - everything else, backslashes included, prints as it is.
//!
//! JSON output keeps its own syntax: [`escape_json_output`] turns the characters above that
//! JSON allows raw into `\uNNNN` escapes, so the parsed value is unchanged.

use std::borrow::Cow;
use std::fmt::Write;

/// What [`escape`] leaves as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Nothing: `\n`, `\r` and `\t` are escaped too (table cells, one-line values).
    Nothing,
    /// Line feeds and tabs stay, so multi-line text (messages, whole reports, CSV records)
    /// keeps its lines. Carriage returns are still escaped: a bare `\r` could overwrite what
    /// is already on the line.
    LinesAndTabs,
}

/// True for the characters that are escaped by [`escape`] (with `Keep::Nothing`).
pub fn is_unsafe(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{61c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{2028}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}')
}

/// `s` with every control character and invisible reordering character shown escaped (the
/// module's scheme); borrows when there is nothing to escape.
pub fn escape(s: &str, keep: Keep) -> Cow<'_, str> {
    let kept = |c: char| keep == Keep::LinesAndTabs && matches!(c, '\n' | '\t');
    if !s.chars().any(|c| is_unsafe(c) && !kept(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if !is_unsafe(c) || kept(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{0}'..='\u{1f}' | '\u{7f}' => {
                // Writing into a String cannot fail.
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            _ => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
        }
    }
    Cow::Owned(out)
}

/// A whole JSON document made terminal-safe without changing what it parses to: the
/// characters of [`is_unsafe`] that JSON allows raw inside strings (DEL, C1 controls, the
/// reordering characters) become `\uNNNN` escapes. JSON syntax outside strings is ASCII with
/// no controls other than whitespace, so every such character is inside a string. C0
/// controls are already escaped by any JSON serializer.
pub fn escape_json_output(json: &str) -> Cow<'_, str> {
    let raw = |c: char| is_unsafe(c) && !matches!(c, '\u{0}'..='\u{1f}');
    if !json.chars().any(raw) {
        return Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if raw(c) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A whole TOML document made terminal-safe without changing what it parses to. Inside basic
/// strings (`"…"`, `"""…"""`) the characters of [`is_unsafe`] become `\uNNNN` escapes; a
/// literal string (`'…'`, `'''…'''`) holding one is rewritten as the equivalent basic
/// string (literal strings have no escapes); in comments they are shown as [`escape`] shows
/// them. TOML requires C0 controls and DEL in strings to be escaped already, so what is left
/// raw by a TOML writer is C1 controls and the reordering characters.
pub fn escape_toml_output(toml: &str) -> Cow<'_, str> {
    if !toml
        .chars()
        .any(|c| is_unsafe(c) && !matches!(c, '\n' | '\t' | '\r'))
    {
        return Cow::Borrowed(toml);
    }
    fn basic_escape(out: &mut String, c: char) {
        if is_unsafe(c) && !matches!(c, '\n' | '\t') {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    fn literal_as_basic(out: &mut String, content: &str, multi: bool) {
        let quotes = if multi { "\"\"\"" } else { "\"" };
        if !content
            .chars()
            .any(|c| is_unsafe(c) && !matches!(c, '\n' | '\t'))
        {
            let q = if multi { "\'\'\'" } else { "'" };
            out.push_str(q);
            out.push_str(content);
            out.push_str(q);
            return;
        }
        out.push_str(quotes);
        for c in content.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '"' => out.push_str("\\\""),
                _ => basic_escape(out, c),
            }
        }
        out.push_str(quotes);
    }
    let mut out = String::with_capacity(toml.len() + 16);
    let mut rest = toml;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("\"\"\"") {
            // Multi-line basic string: copy escapes as they are, escape unsafe characters.
            out.push_str("\"\"\"");
            let end = find_basic_end(after, true);
            for ch in after[..end].chars() {
                basic_escape(&mut out, ch);
            }
            out.push_str(&after[end..(end + 3).min(after.len())]);
            rest = &after[(end + 3).min(after.len())..];
        } else if let Some(after) = rest.strip_prefix('"') {
            out.push('"');
            let end = find_basic_end(after, false);
            for ch in after[..end].chars() {
                basic_escape(&mut out, ch);
            }
            out.push_str(&after[end..(end + 1).min(after.len())]);
            rest = &after[(end + 1).min(after.len())..];
        } else if let Some(after) = rest.strip_prefix("\'\'\'") {
            let end = find_multi_end(after, b'\'', false);
            literal_as_basic(&mut out, &after[..end], true);
            rest = &after[(end + 3).min(after.len())..];
        } else if let Some(after) = rest.strip_prefix('\'') {
            let end = after.find('\'').unwrap_or(after.len());
            literal_as_basic(&mut out, &after[..end], false);
            rest = &after[(end + 1).min(after.len())..];
        } else if c == '#' {
            let end = rest.find('\n').unwrap_or(rest.len());
            out.push_str(&escape(&rest[..end], Keep::LinesAndTabs));
            rest = &rest[end..];
        } else {
            out.push_str(&escape(&rest[..c.len_utf8()], Keep::LinesAndTabs));
            rest = &rest[c.len_utf8()..];
        }
    }
    Cow::Owned(out)
}

/// Where a basic string's closing quote(s) start in `s` (the text after the opening ones),
/// skipping backslash escapes; `s.len()` when unterminated.
fn find_basic_end(s: &str, multi: bool) -> usize {
    if multi {
        return find_multi_end(s, b'"', true);
    }
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'"' => return i,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// Where a multi-line string's closing delimiter (three `quote`s) starts in `s`; up to two
/// more quotes right before it belong to the content (four quotes end the content with one
/// quote). Skips backslash escapes when `escapes` (basic strings).
fn find_multi_end(s: &str, quote: u8, escapes: bool) -> usize {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if escapes => i += 2,
            q if q == quote && bytes[i..].starts_with(&[quote; 3]) => {
                let mut j = i;
                while j < i + 2 && bytes.get(j + 3) == Some(&quote) {
                    j += 1;
                }
                return j;
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

/// `n` and the noun, singular for one: "1 row", "2 rows", "0 changes" (English nouns whose
/// plural adds an s: row, change, account).
/// `text` in at most `max` characters: its start and its end around an ellipsis when longer
/// (names that differ only at the end, "… v2", stay apart).
pub fn middle_ellipsis(text: &str, max: usize) -> String {
    let n = text.chars().count();
    if n <= max || max < 3 {
        return text.to_string();
    }
    let tail = (max - 1) / 3;
    let head = max - 1 - tail;
    let start: String = text.chars().take(head).collect();
    let end: String = text.chars().skip(n - tail).collect();
    format!("{start}…{end}")
}

/// "A, B, C and 4 more": the first `n` items, and how many others.
pub fn list_some(items: &[String], n: usize) -> String {
    let mut s = items.iter().take(n).cloned().collect::<Vec<_>>().join(", ");
    if items.len() > n {
        s.push_str(&format!(" and {} more", items.len() - n));
    }
    s
}

/// "A", "A or B", "A, B or C": the choices a value must be one of.
pub fn one_of(choices: &[&str]) -> String {
    match choices {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

pub fn count(n: impl Into<u64>, noun: &str) -> String {
    match n.into() {
        1 => format!("1 {noun}"),
        n => format!("{n} {noun}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_c0_c1_and_reordering_characters() {
        assert_eq!(
            escape("a\u{1b}[2Jb\u{7}c\u{9b}31md\u{202e}e\u{0}", Keep::Nothing),
            "a\\x1b[2Jb\\x07c\\u{9b}31md\\u{202e}e\\x00"
        );
        assert_eq!(escape("x\ny\tz\r", Keep::Nothing), "x\\ny\\tz\\r");
        assert_eq!(escape("x\ny\tz\r", Keep::LinesAndTabs), "x\ny\tz\\r");
        assert_eq!(escape("\u{7f}", Keep::Nothing), "\\x7f");
    }

    #[test]
    fn leaves_ordinary_text_alone_and_borrowed() {
        let s = "Amazon Elastic Compute Cloud – ünïcode € 日本 back\\slash";
        assert!(matches!(escape(s, Keep::Nothing), Cow::Borrowed(_)));
        assert_eq!(escape(s, Keep::Nothing), s);
        // U+00A0 (no-break space) is the first character after the C1 block.
        assert_eq!(escape("\u{a0}", Keep::Nothing), "\u{a0}");
    }

    #[test]
    fn json_output_parses_to_the_same_value() {
        let value = serde_json::json!({"k": "a\u{1b}b\u{9b}c\u{2066}d\u{7f}"});
        let text = serde_json::to_string(&value).unwrap_or_default();
        let safe = escape_json_output(&text);
        assert!(!safe.chars().any(is_unsafe), "{safe}");
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap_or_default();
        assert_eq!(back, value);
    }

    #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
    struct Probe {
        plain: String,
        quoted: String,
        multi: String,
        list: Vec<String>,
    }

    #[test]
    fn toml_output_parses_to_the_same_value() {
        let value = Probe {
            plain: "a\u{9b}31m b\u{1b}[2J c\u{202e}".into(),
            quoted: "say \"hi\" \\ \u{9b}\u{85}".into(),
            multi: "line one\nline 'two' \u{9b}\n\"\"\"x".into(),
            list: vec!["back\\slash \u{2066}".into(), "ok".into()],
        };
        let text = toml::to_string_pretty(&value).unwrap_or_default();
        let text = format!("# comment \u{9b} here\n{text}");
        let safe = escape_toml_output(&text);
        assert!(
            !safe.chars().any(|c| is_unsafe(c) && !matches!(c, '\n')),
            "{safe}"
        );
        let back: Probe = toml::from_str(&safe).unwrap_or_else(|e| panic!("{e}\n{safe}"));
        assert_eq!(back, value);
    }

    proptest::proptest! {
        /// Whatever the text, escaped output holds no character a terminal acts on, and the
        /// JSON and TOML forms parse back to the exact text.
        #[test]
        fn escaping_is_total_and_json_toml_round_trip(
            text in "(\\PC|[\\x00-\\x1f\\x7f-\\x9f\\u{200e}\\u{202a}-\\u{202e}\\u{2066}-\\u{2069}\"'\\\\#])*"
        ) {
            proptest::prop_assert!(!escape(&text, Keep::Nothing).chars().any(is_unsafe));
            proptest::prop_assert!(!escape(&text, Keep::LinesAndTabs)
                .chars()
                .any(|c| is_unsafe(c) && !matches!(c, '\n' | '\t')));
            let json = serde_json::to_string(&text).unwrap_or_default();
            let safe = escape_json_output(&json);
            proptest::prop_assert!(!safe.chars().any(is_unsafe));
            proptest::prop_assert_eq!(serde_json::from_str::<String>(&safe).ok(), Some(text.clone()));
            let value = Probe { plain: text.clone(), quoted: String::new(), multi: text.clone(), list: vec![text.clone()] };
            let toml_text = toml::to_string_pretty(&value).unwrap_or_default();
            let safe = escape_toml_output(&toml_text);
            proptest::prop_assert!(!safe.chars().any(|c| is_unsafe(c) && !matches!(c, '\n' | '\t')), "{}", safe);
            let back: Result<Probe, _> = toml::from_str(&safe);
            proptest::prop_assert_eq!(back.ok(), Some(value));
        }
    }
}

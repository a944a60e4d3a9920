//! NO_COLOR in a real terminal (tmux): the real binary with `NO_COLOR=1` draws no colour at all
//! and shows the selection in reverse video; with `NO_COLOR` empty (https://no-color.org: only a
//! non-empty value counts) it draws in colour. Skips when tmux is missing, unless
//! PROFORMA_REQUIRE_TMUX is set.

mod common;

/// The SGR parameters of every `ESC [ ... m` sequence in `text`.
fn sgr_params(text: &str) -> Vec<Vec<u16>> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find("\x1b[") {
        rest = &rest[at + 2..];
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == ';' || c == ':'))
            .unwrap_or(rest.len());
        if rest[end..].starts_with('m') {
            out.push(
                rest[..end]
                    .split([';', ':'])
                    .map(|p| p.parse().unwrap_or(0))
                    .collect(),
            );
        }
        rest = &rest[end..];
    }
    out
}

/// Whether an SGR sequence sets a foreground or background colour (39 and 49, the terminal's
/// own colours, do not).
fn sets_colour(params: &[u16]) -> bool {
    params
        .iter()
        .any(|p| matches!(p, 30..=38 | 40..=48 | 90..=97 | 100..=107))
}

/// The TUI's first screen with escapes, run with `no_color` as NO_COLOR's value.
fn first_screen(no_color: &str) -> Option<String> {
    if !common::tmux::available() {
        return None;
    }
    // A private copy of the demo workspace (built once for all tests).
    let (dir, ws) = common::tui::demo_copy();
    let bin = assert_cmd::cargo::cargo_bin("proforma");
    let tmux = common::tmux::Tmux::new(dir.path(), &format!("nocolor-{}", no_color.len()));
    let script = format!(
        "NO_COLOR='{no_color}' {} {}; sleep 30",
        bin.display(),
        ws.display()
    );
    tmux.start(100, 30, &["TERM=xterm-256color"], &script);
    tmux.wait("Invoice total");
    let screen = tmux.capture(true);
    tmux.keys(&["q"]);
    tmux.kill();
    Some(screen)
}

#[test]
fn no_color_draws_no_colour_in_a_real_terminal() {
    let Some(screen) = first_screen("1") else {
        return;
    };
    let sgr = sgr_params(&screen);
    assert!(
        sgr.iter().all(|p| !sets_colour(p)),
        "colour codes with NO_COLOR=1: {sgr:?}"
    );
    // The selection (and the active tab, the top bar) in reverse video.
    assert!(
        sgr.iter().any(|p| p.contains(&7)),
        "no reverse video: {sgr:?}"
    );
}

#[test]
fn an_empty_no_color_keeps_the_colours() {
    let Some(screen) = first_screen("") else {
        return;
    };
    let sgr = sgr_params(&screen);
    assert!(sgr.iter().any(|p| sets_colour(p)), "no colour: {sgr:?}");
}

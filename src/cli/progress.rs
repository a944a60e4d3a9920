//! Reading progress on stderr, only when stderr is a terminal (never in pipes or logs).

use crate::cur::Source;
use crate::import::Progress;
use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct TermProgress {
    state: Mutex<State>,
}

struct State {
    name: String,
    size: Option<u64>,
    last: Instant,
    shown: bool,
}

impl TermProgress {
    /// A progress display, or None when stderr is not a terminal.
    pub fn for_stderr() -> Option<Self> {
        std::io::stderr().is_terminal().then(|| Self {
            state: Mutex::new(State {
                name: String::new(),
                size: None,
                last: Instant::now(),
                shown: false,
            }),
        })
    }
}

impl Progress for TermProgress {
    fn start(&self, source: &Source) {
        if let Ok(mut s) = self.state.lock() {
            s.name = source.display_path().display().to_string();
            s.size = source.size().ok();
            s.last = Instant::now();
            s.shown = false;
        }
    }

    fn advance(&self, bytes: u64) {
        let Ok(mut s) = self.state.lock() else { return };
        if s.last.elapsed() < Duration::from_millis(100) {
            return;
        }
        s.last = Instant::now();
        s.shown = true;
        let mb = bytes as f64 / 1e6;
        // Percent only when the bytes read are the file's own (compressed files read more).
        let pct = match s.size {
            Some(size) if size >= bytes && size > 0 => format!(" ({}%)", bytes * 100 / size),
            _ => String::new(),
        };
        let name = crate::text::escape(&s.name, crate::text::Keep::Nothing);
        eprint!("\r\x1b[Kreading {name}: {mb:.0} MB{pct}");
        let _ = std::io::stderr().flush();
    }

    fn finish(&self) {
        if let Ok(s) = self.state.lock() {
            if s.shown {
                eprint!("\r\x1b[K");
            }
        }
    }
}

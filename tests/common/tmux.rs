//! The tmux harness shared by the tests that drive the real binary in a real terminal: a
//! private tmux server per test, a pane of a given size running a shell script, its screen
//! (with or without escapes) and waiting for text on it.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Whether tmux can be used; skips (false) when it is missing, unless PROFORMA_REQUIRE_TMUX
/// says it must be there (CI), which fails the test instead.
pub fn available() -> bool {
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(
            std::env::var_os("PROFORMA_REQUIRE_TMUX").is_none(),
            "tmux is required here but missing"
        );
        eprintln!("skipping: tmux is not installed");
        return false;
    }
    true
}

/// A private tmux server (its socket in a test's directory) with one session.
pub struct Tmux {
    socket: String,
    pub session: String,
}

impl Tmux {
    /// A server whose socket lives in `dir`, for a session named after `name` and this process.
    pub fn new(dir: &Path, name: &str) -> Tmux {
        Tmux {
            socket: dir.join("tmux.sock").to_str().unwrap().to_string(),
            session: format!("proforma-{name}-{}", std::process::id()),
        }
    }

    /// Runs a tmux command against this server.
    pub fn run(&self, args: &[&str]) -> Output {
        let mut all = vec!["-S", self.socket.as_str()];
        all.extend_from_slice(args);
        Command::new("tmux").args(&all).output().expect("tmux runs")
    }

    /// Starts the session: a `width` x `height` pane running `script` under `sh -c`, with
    /// `env` (`NAME=value`) set in it.
    pub fn start(&self, width: u16, height: u16, env: &[&str], script: &str) {
        let (w, h) = (width.to_string(), height.to_string());
        let mut args = vec!["new-session", "-d", "-s", &self.session, "-x", &w, "-y", &h];
        for e in env {
            args.extend(["-e", e]);
        }
        args.extend(["sh", "-c", script]);
        let out = self.run(&args);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Sends keys (tmux names: `Escape`, `Enter`, `q`...).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", self.session.as_str()];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// The pane's text; with `escapes`, its colours and attributes as escape sequences.
    pub fn capture(&self, escapes: bool) -> String {
        let mut args = vec!["capture-pane", "-t", self.session.as_str(), "-p"];
        if escapes {
            args.push("-e");
        }
        String::from_utf8_lossy(&self.run(&args).stdout).into_owned()
    }

    /// Waits until `text` is on the screen and returns the screen and how long it took;
    /// panics with the screen after `limit` (the server is stopped first).
    pub fn wait_for(&self, text: &str, limit: Duration) -> (String, Duration) {
        let start = Instant::now();
        loop {
            let screen = self.capture(false);
            if screen.contains(text) {
                return (screen, start.elapsed());
            }
            if start.elapsed() > limit {
                self.kill();
                panic!("'{text}' did not appear within {limit:?}:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `wait_for` with the usual 20 s, returning the screen.
    pub fn wait(&self, text: &str) -> String {
        self.wait_for(text, Duration::from_secs(20)).0
    }

    /// Stops the server (and whatever runs in it).
    pub fn kill(&self) {
        self.run(&["kill-server"]);
    }
}

//! Re-pricing off the UI thread: form previews, and the re-pricing after a save (of the
//! baseline or of the open scenario). Requests carry a revision; per lane, the worker skips
//! to the newest request waiting, and the app drops any result older than its latest request,
//! so numbers shown are never from a configuration the user has already typed past (or saved
//! over). A save is never dropped for a preview: they are separate lanes, and saves go first.
//!
//! The worker computes a [`Delta`] against a priced state it shares read-only with the screen
//! (an `Arc<Pricing>`): only the groups the edit can affect are re-priced
//! ([`crate::engine::reprice`]). The app writes the delta into that state when it arrives
//! ([`crate::analysis::Analysis::apply`]), configuration and numbers together, so the screen
//! shows the old state or the new one, never a mix.

use crate::cur::StoredLine;
use crate::engine::Pricing;
use crate::engine::reprice::{Delta, delta};
use crate::model::Config;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};

/// What a re-pricing is for; each lane keeps only its newest request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lane {
    /// The baseline after a save (or delete, undo, assignment, promote).
    Baseline = 0,
    /// The open scenario after a save in it (or a baseline change under it).
    Scenario = 1,
    /// A form's preview: totals only, nothing is written.
    Preview = 2,
}

const LANES: [Lane; 3] = [Lane::Baseline, Lane::Scenario, Lane::Preview];

struct Request {
    revision: u64,
    lane: Lane,
    lines: Arc<Vec<StoredLine>>,
    base: Arc<Pricing>,
    base_config: Arc<Config>,
    config: Config,
}

/// A finished computation: `config` priced as `delta` against the state asked about.
pub struct Done {
    pub revision: u64,
    pub lane: Lane,
    pub config: Config,
    pub delta: Delta,
}

pub struct Worker {
    requests: Sender<Request>,
    results: Receiver<Done>,
    /// Per lane, the newest revision asked for.
    latest: [u64; 3],
    /// Per lane, the newest revision received or given up.
    settled: [u64; 3],
    /// Results received while waiting for another lane.
    held: Vec<Done>,
    next: u64,
    /// Requests of the baseline and scenario lanes so far.
    saves: u64,
    /// The configurations the last requests were computed against, by pricing revision
    /// (copied once per state, not once per keystroke).
    bases: Vec<(u64, Arc<Config>)>,
}

impl Default for Worker {
    fn default() -> Self {
        Self::new()
    }
}

impl Worker {
    pub fn new() -> Worker {
        let (requests, inbox) = mpsc::channel::<Request>();
        let (outbox, results) = mpsc::channel::<Done>();
        std::thread::spawn(move || {
            let mut waiting: [Option<Request>; 3] = [None, None, None];
            loop {
                if waiting.iter().all(Option::is_none) {
                    match inbox.recv() {
                        Ok(r) => {
                            let lane = r.lane as usize;
                            waiting[lane] = Some(r);
                        }
                        Err(_) => return,
                    }
                }
                // Only the newest request of each lane matters: skip the ones it replaced.
                while let Ok(newer) = inbox.try_recv() {
                    let lane = newer.lane as usize;
                    waiting[lane] = Some(newer);
                }
                let Some(req) = waiting.iter_mut().find_map(Option::take) else {
                    continue;
                };
                let d = delta(&req.base, &req.base_config, &req.config, &req.lines);
                // Let go of the shared state before the app takes the result, so that it
                // writes the delta in place rather than into a copy.
                let Request {
                    revision,
                    lane,
                    config,
                    base,
                    ..
                } = req;
                drop(base);
                if outbox
                    .send(Done {
                        revision,
                        lane,
                        config,
                        delta: d,
                    })
                    .is_err()
                {
                    return;
                }
            }
        });
        Worker {
            requests,
            results,
            latest: [0; 3],
            settled: [0; 3],
            held: Vec::new(),
            next: 0,
            saves: 0,
            bases: Vec::new(),
        }
    }

    /// Asks for `config` priced against the state `base` (priced under `base_config`, from
    /// `lines`); returns its revision.
    pub fn request(
        &mut self,
        lane: Lane,
        lines: Arc<Vec<StoredLine>>,
        base: Arc<Pricing>,
        base_config: &Config,
        config: Config,
    ) -> u64 {
        self.next += 1;
        self.latest[lane as usize] = self.next;
        if lane != Lane::Preview {
            self.saves += 1;
        }
        let base_config = self.base_config(base.revision, base_config);
        let _ = self.requests.send(Request {
            revision: self.next,
            lane,
            lines,
            base,
            base_config,
            config,
        });
        self.next
    }

    /// The shared copy of a state's configuration (made once per state).
    fn base_config(&mut self, revision: u64, config: &Config) -> Arc<Config> {
        if let Some((_, c)) = self.bases.iter().find(|(r, _)| *r == revision) {
            return c.clone();
        }
        let c = Arc::new(config.clone());
        // The baseline's and the scenario's, and one more.
        if self.bases.len() >= 3 {
            self.bases.remove(0);
        }
        self.bases.push((revision, c.clone()));
        c
    }

    /// Whether a request of `lane` has no result yet (its numbers on screen are stale).
    pub fn in_flight(&self, lane: Lane) -> bool {
        self.latest[lane as usize] > self.settled[lane as usize]
    }

    /// How many saves' re-pricings (baseline or scenario) were asked for so far.
    pub fn saves_requested(&self) -> u64 {
        self.saves
    }

    /// Whether `done` is still the newest asked for in its lane.
    pub fn is_latest(&self, done: &Done) -> bool {
        done.revision == self.latest[done.lane as usize]
    }

    /// Gives up waiting for `lane` (its result will be dropped).
    pub fn forget(&mut self, lane: Lane) {
        self.settled[lane as usize] = self.latest[lane as usize];
    }

    fn take(&mut self, done: Done) -> Option<Done> {
        let lane = done.lane as usize;
        if done.revision != self.latest[lane] || self.settled[lane] >= done.revision {
            return None;
        }
        self.settled[lane] = done.revision;
        Some(done)
    }

    /// The newest finished results, one per lane at most, each the latest asked for in its
    /// lane (saves first); older ones are dropped.
    pub fn poll(&mut self) -> Vec<Done> {
        let mut got: Vec<Done> = std::mem::take(&mut self.held);
        while let Ok(done) = self.results.try_recv() {
            got.push(done);
        }
        let mut out: Vec<Done> = Vec::new();
        for lane in LANES {
            let newest = got
                .iter()
                .filter(|d| d.lane == lane)
                .map(|d| d.revision)
                .max();
            if let Some(r) = newest {
                if let Some(i) = got.iter().position(|d| d.lane == lane && d.revision == r) {
                    let d = got.swap_remove(i);
                    out.extend(self.take(d));
                }
            }
        }
        out
    }

    /// Waits for the latest request of `lane` (tests, benchmarks, and before an action that
    /// must see a save's result; the UI polls). None when nothing is in flight there or the
    /// worker does not answer within 30 s.
    pub fn wait(&mut self, lane: Lane) -> Option<Done> {
        if !self.in_flight(lane) {
            return None;
        }
        if let Some(i) = self
            .held
            .iter()
            .position(|d| d.lane == lane && d.revision == self.latest[lane as usize])
        {
            let d = self.held.swap_remove(i);
            return self.take(d);
        }
        loop {
            match self
                .results
                .recv_timeout(std::time::Duration::from_secs(30))
            {
                Ok(done) if done.lane == lane && done.revision == self.latest[lane as usize] => {
                    return self.take(done);
                }
                Ok(done) if done.lane != lane => self.held.push(done),
                Ok(_) => continue,
                Err(_) => {
                    self.forget(lane);
                    return None;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::price;

    #[test]
    fn stale_results_are_dropped() {
        let mut w = Worker::new();
        let p: crate::period::BillingPeriod = "2026-10".parse().unwrap();
        let lines = Arc::new(Vec::new());
        let base = Arc::new(price(p, &lines, &Config::default()));
        for _ in 0..20 {
            w.request(
                Lane::Preview,
                lines.clone(),
                base.clone(),
                &Config::default(),
                Config::default(),
            );
        }
        assert!(w.in_flight(Lane::Preview));
        let done = w.wait(Lane::Preview).expect("a result");
        assert_eq!(done.revision, 20);
        assert!(!w.in_flight(Lane::Preview));
        assert!(w.poll().is_empty(), "nothing newer is pending");
    }

    #[test]
    fn a_save_is_not_dropped_for_a_later_preview() {
        let mut w = Worker::new();
        let p: crate::period::BillingPeriod = "2026-10".parse().unwrap();
        let lines = Arc::new(Vec::new());
        let base = Arc::new(price(p, &lines, &Config::default()));
        let save = w.request(
            Lane::Baseline,
            lines.clone(),
            base.clone(),
            &Config::default(),
            Config::default(),
        );
        let preview = w.request(
            Lane::Preview,
            lines.clone(),
            base.clone(),
            &Config::default(),
            Config::default(),
        );
        // Waiting for the preview holds the save's result for later.
        let d = w.wait(Lane::Preview).expect("the preview");
        assert_eq!((d.lane, d.revision), (Lane::Preview, preview));
        let d = w.wait(Lane::Baseline).expect("the save");
        assert_eq!((d.lane, d.revision), (Lane::Baseline, save));
        assert_eq!(d.delta.base_revision, base.revision);
    }
}

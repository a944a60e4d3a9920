//! Re-pricing off the UI thread. Requests carry a revision; the worker skips to the newest
//! request waiting, and the app drops any result older than its latest request, so numbers
//! shown are never from a configuration the user has already typed past.

use crate::cur::StoredLine;
use crate::engine::{Pricing, price};
use crate::model::Config;
use crate::period::BillingPeriod;
use std::sync::Arc;
use std::sync::mpsc::{self, Receiver, Sender};

struct Request {
    revision: u64,
    period: BillingPeriod,
    lines: Arc<Vec<StoredLine>>,
    config: Config,
}

/// A finished computation.
pub struct Done {
    pub revision: u64,
    pub config: Config,
    pub pricing: Pricing,
}

pub struct Worker {
    requests: Sender<Request>,
    results: Receiver<Done>,
    /// The newest revision asked for.
    pub latest: u64,
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
            while let Ok(mut req) = inbox.recv() {
                // Only the newest request matters: skip the ones it replaced.
                while let Ok(newer) = inbox.try_recv() {
                    req = newer;
                }
                let pricing = price(req.period, &req.lines, &req.config);
                if outbox
                    .send(Done {
                        revision: req.revision,
                        config: req.config,
                        pricing,
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
            latest: 0,
        }
    }

    /// Asks for a re-pricing; returns its revision.
    pub fn request(
        &mut self,
        period: BillingPeriod,
        lines: Arc<Vec<StoredLine>>,
        config: Config,
    ) -> u64 {
        self.latest += 1;
        let _ = self.requests.send(Request {
            revision: self.latest,
            period,
            lines,
            config,
        });
        self.latest
    }

    /// The newest finished result, if it is the latest asked for; older ones are dropped.
    pub fn poll(&self) -> Option<Done> {
        let mut newest = None;
        while let Ok(done) = self.results.try_recv() {
            newest = Some(done);
        }
        newest.filter(|d| d.revision == self.latest)
    }

    /// Waits for the latest request (tests and benchmarks; the UI polls instead).
    pub fn wait(&self) -> Option<Done> {
        loop {
            match self
                .results
                .recv_timeout(std::time::Duration::from_secs(10))
            {
                Ok(done) if done.revision == self.latest => return Some(done),
                Ok(_) => continue,
                Err(_) => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_results_are_dropped() {
        let mut w = Worker::new();
        let p: BillingPeriod = "2026-10".parse().unwrap();
        let lines = Arc::new(Vec::new());
        for _ in 0..20 {
            w.request(p, lines.clone(), Config::default());
        }
        let done = w.wait().expect("a result");
        assert_eq!(done.revision, 20);
        assert!(w.poll().is_none(), "nothing newer is pending");
    }
}

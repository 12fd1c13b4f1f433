//! A background worker's doorbell: anyone may ring it to ask for a pass now (a writer that
//! just committed work, a test that moved the clock), and wait until a pass that began after
//! the ring has finished — so tests wait on the worker's state instead of sleeping.
//!
//! It knows no area: the worker decides what a pass does, and calls [`Doorbell::begin`] and
//! [`Doorbell::finish`] around it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::{Notify, watch};

/// Rings for passes and reports them finished.
pub struct Doorbell {
    rung: AtomicU64,
    notify: Notify,
    finished: watch::Sender<u64>,
    /// Whether a worker answers in this process (without one, waiting would never end).
    answered: std::sync::atomic::AtomicBool,
}

impl Default for Doorbell {
    fn default() -> Self {
        Self {
            rung: AtomicU64::new(0),
            notify: Notify::new(),
            finished: watch::channel(0).0,
            answered: std::sync::atomic::AtomicBool::new(false),
        }
    }
}

impl Doorbell {
    /// Asks for a pass as soon as possible; returns the ring's number.
    pub fn ring(&self) -> u64 {
        let ticket = self.rung.fetch_add(1, Ordering::AcqRel) + 1;
        self.notify.notify_one();
        ticket
    }

    /// Rings and waits until a pass that began after this ring has finished (at most
    /// `within`); false when none did in time or no worker runs in this process.
    pub async fn pass(&self, within: Duration) -> bool {
        if !self.answered.load(Ordering::Acquire) {
            return false;
        }
        let mut finished = self.finished.subscribe();
        let ticket = self.ring();
        tokio::time::timeout(within, finished.wait_for(|done| *done >= ticket)).await.is_ok_and(|r| r.is_ok())
    }

    /// The worker: waits for a ring or `idle` to pass, then returns the rings this pass will
    /// answer (hand it to [`Doorbell::finish`]).
    pub async fn begin(&self, idle: Duration) -> u64 {
        self.answered.store(true, Ordering::Release);
        if self.rung.load(Ordering::Acquire) <= *self.finished.borrow() {
            let _ = tokio::time::timeout(idle, self.notify.notified()).await;
        }
        self.rung.load(Ordering::Acquire)
    }

    /// The worker: a pass begun by [`Doorbell::begin`] returning `ticket` is done.
    pub fn finish(&self, ticket: u64) {
        self.finished.send_if_modified(|done| {
            let moved = ticket > *done;
            *done = (*done).max(ticket);
            moved
        });
    }
}

//! Time, injected: the engine never reads the wall clock itself.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A source of the current time, in milliseconds since the Unix epoch.
pub trait Clock: Send + Sync {
    /// Now.
    fn now_millis(&self) -> u64;
}

/// A clock that moves only when told: tests move time instead of sleeping.
#[derive(Clone, Debug)]
pub struct ManualClock(Arc<AtomicU64>);

impl ManualClock {
    /// A clock stopped at `millis`.
    pub fn new(millis: u64) -> Self {
        ManualClock(Arc::new(AtomicU64::new(millis)))
    }

    /// Moves the clock forward.
    pub fn advance(&self, millis: u64) {
        self.0.fetch_add(millis, Ordering::SeqCst);
    }

    /// Sets the clock.
    pub fn set(&self, millis: u64) {
        self.0.store(millis, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_millis(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

/// Seconds and milliseconds.
pub const SECOND: u64 = 1_000;
/// An hour in milliseconds.
/// One minute in ms.
pub const MINUTE: u64 = 60 * SECOND;
/// One hour in ms.
pub const HOUR: u64 = 3_600 * SECOND;
/// A day in milliseconds.
pub const DAY: u64 = 24 * HOUR;

//! The sandbox's clock as `wacart serve` runs it: the wall clock, moved forward by a skew that
//! the clock control (`POST /sandbox/clock`) adds to. The engine only ever sees time go
//! forward, and every command carries its time in the log, so a skew changes nothing about
//! replay.

use std::sync::atomic::{AtomicU64, Ordering};

use wacart_sandbox::Clock;

use crate::SystemClock;

/// The wall clock plus a skew that only grows.
#[derive(Debug, Default)]
pub struct SkewClock {
    skew: AtomicU64,
}

/// The most one move of the clock control may skip (ms): a year.
pub const MAX_ADVANCE: u64 = 366 * 24 * 3_600_000;

impl SkewClock {
    /// The wall clock, not moved.
    pub fn new() -> Self {
        SkewClock::default()
    }

    /// Continues from `now` (ms), the time a reopened sandbox had reached, when the wall clock
    /// is behind it (its time was moved forward before the restart); otherwise nothing.
    pub fn catch_up(&self, now: u64) {
        let wall = SystemClock.now_millis();
        if now > wall {
            self.skew.fetch_max(now - wall, Ordering::AcqRel);
        }
    }

    /// Moves time forward by `ms`; answers the skew now.
    pub fn advance(&self, ms: u64) -> u64 {
        let ms = ms.min(MAX_ADVANCE);
        self.skew.fetch_add(ms, Ordering::AcqRel).saturating_add(ms)
    }

    /// How far ahead of the wall clock it is (ms).
    pub fn skew(&self) -> u64 {
        self.skew.load(Ordering::Acquire)
    }
}

impl Clock for SkewClock {
    fn now_millis(&self) -> u64 {
        SystemClock.now_millis().saturating_add(self.skew())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_skew_only_grows_and_catches_up_with_a_later_state() {
        let c = SkewClock::new();
        assert_eq!(c.skew(), 0);
        assert_eq!(c.advance(1_000), 1_000);
        let ahead = SystemClock.now_millis() + 3_600_000;
        c.catch_up(ahead);
        assert!(c.skew() >= 3_590_000, "{}", c.skew());
        let skew = c.skew();
        c.catch_up(0);
        assert_eq!(c.skew(), skew);
        assert!(c.now_millis() >= ahead);
    }
}

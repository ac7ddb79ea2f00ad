//! Retries with exponential back-off and jitter, `Retry-After` honoured, bounded by attempts
//! and a total deadline. Only errors that are [`Error::is_retryable`] are retried, so a retry
//! can never send a customer the same message twice.

use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use tokio::time::Instant;

use crate::error::Error;

/// How failed calls are retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = no retries).
    pub max_attempts: u32,
    /// The first back-off; each next one doubles.
    pub base_delay: Duration,
    /// The longest back-off (a longer `Retry-After` is still obeyed, within the deadline).
    pub max_delay: Duration,
    /// No retry starts if it would end its wait after this much time since the first attempt.
    pub deadline: Duration,
}

impl Default for RetryPolicy {
    /// 4 attempts, 250 ms doubling up to 20 s, within 60 s.
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 4,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(20),
            deadline: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// One attempt, no retries.
    pub fn none() -> Self {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// This many attempts in all.
    pub fn attempts(mut self, n: u32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    /// The first back-off.
    pub fn base_delay(mut self, d: Duration) -> Self {
        self.base_delay = d;
        self
    }

    /// The longest back-off.
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }

    /// The total time budget.
    pub fn deadline(mut self, d: Duration) -> Self {
        self.deadline = d;
        self
    }

    /// The back-off before attempt `retry + 1` (retry counts from 1): between half and all of
    /// `base * 2^(retry-1)`, capped at `max_delay`.
    fn backoff(&self, retry: u32, rng: &mut Jitter) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << (retry - 1).min(20))
            .min(self.max_delay);
        let half = exp / 2;
        half + half.mul_f64(rng.unit())
    }

    /// Runs `attempt` until it succeeds, fails for good, or the policy says stop.
    pub(crate) async fn run<T, F, Fut>(&self, mut attempt: F) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Error>>,
    {
        let start = Instant::now();
        let mut rng = Jitter::new();
        let mut tries = 1;
        loop {
            let err = match attempt().await {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            if !err.is_retryable() || tries >= self.max_attempts {
                return Err(err);
            }
            let wait = match err.retry_after() {
                Some(asked) => asked,
                // Meta advises 4^n seconds for the pair limit: a 6 s pace outlasts any short back-off.
                None if err.code().as_deref() == Some("131056") => {
                    Duration::from_secs(4u64.saturating_pow(tries))
                }
                None => self.backoff(tries, &mut rng),
            };
            // A hostile `Retry-After` must not overflow: past the deadline means stop.
            if start
                .elapsed()
                .checked_add(wait)
                .is_none_or(|end| end > self.deadline)
            {
                return Err(err);
            }
            tokio::time::sleep(wait).await;
            tries += 1;
        }
    }
}

/// A small xorshift generator for jitter, seeded from the standard library's random hasher keys.
struct Jitter(u64);

impl Jitter {
    fn new() -> Self {
        let seed = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        Jitter(seed | 1)
    }

    /// A number in [0, 1).
    fn unit(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use wacart_schema::GraphError;

    use super::*;
    use crate::DoorKind;

    fn throttled(retry_after: Option<Duration>) -> Error {
        Error::Graph {
            door: DoorKind::Meta,
            status: 429,
            error: Box::new(GraphError::new(130_429, "Rate limit hit", "t")),
            retry_after,
        }
    }

    fn invalid() -> Error {
        Error::Graph {
            door: DoorKind::Meta,
            status: 400,
            error: Box::new(GraphError::new(131_009, "x", "t")),
            retry_after: None,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn retry_after_is_obeyed_exactly() {
        let calls = AtomicU32::new(0);
        let start = Instant::now();
        let out = RetryPolicy::default()
            .run(|| async {
                if calls.fetch_add(1, Ordering::SeqCst) < 2 {
                    Err(throttled(Some(Duration::from_secs(7))))
                } else {
                    Ok(42)
                }
            })
            .await;
        assert_eq!(out.unwrap(), 42);
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert_eq!(start.elapsed(), Duration::from_secs(14));
    }

    #[tokio::test(start_paused = true)]
    async fn backoff_doubles_with_jitter_within_bounds() {
        let calls = AtomicU32::new(0);
        let start = Instant::now();
        let policy = RetryPolicy::default()
            .attempts(4)
            .base_delay(Duration::from_secs(1));
        let out: Result<(), _> = policy
            .run(|| async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(throttled(None))
            })
            .await;
        assert!(out.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 4);
        // Waits of [0.5,1] + [1,2] + [2,4] seconds.
        let waited = start.elapsed();
        assert!(
            waited >= Duration::from_millis(3500) && waited <= Duration::from_secs(7),
            "{waited:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn refusals_that_are_not_retryable_return_at_once() {
        let calls = AtomicU32::new(0);
        let out: Result<(), _> = RetryPolicy::default()
            .run(|| async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(invalid())
            })
            .await;
        assert!(out.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test(start_paused = true)]
    async fn the_deadline_bounds_the_waiting() {
        let calls = AtomicU32::new(0);
        let start = Instant::now();
        let policy = RetryPolicy::default()
            .attempts(10)
            .deadline(Duration::from_secs(10));
        let out: Result<(), _> = policy
            .run(|| async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(throttled(Some(Duration::from_secs(4))))
            })
            .await;
        assert!(out.is_err());
        assert_eq!(
            calls.load(Ordering::SeqCst),
            3,
            "waits of 4 s fit twice in 10 s"
        );
        assert_eq!(start.elapsed(), Duration::from_secs(8));
    }

    #[tokio::test(start_paused = true)]
    async fn a_huge_retry_after_stops_instead_of_overflowing() {
        let out: Result<(), _> = RetryPolicy::default()
            .run(|| async { Err(throttled(Some(Duration::MAX))) })
            .await;
        assert!(out.is_err());
    }

    #[tokio::test(start_paused = true)]
    async fn the_pair_limit_backs_off_four_to_the_n_seconds() {
        let calls = AtomicU32::new(0);
        let start = Instant::now();
        let pair = || Error::Graph {
            door: DoorKind::Meta,
            status: 429,
            error: Box::new(GraphError::new(131_056, "pair", "t")),
            retry_after: None,
        };
        let out = RetryPolicy::default()
            .run(|| async {
                if calls.fetch_add(1, Ordering::SeqCst) < 2 {
                    Err(pair())
                } else {
                    Ok(())
                }
            })
            .await;
        assert!(out.is_ok());
        assert_eq!(start.elapsed(), Duration::from_secs(4 + 16));
    }

    #[tokio::test(start_paused = true)]
    async fn none_means_one_attempt() {
        let calls = AtomicU32::new(0);
        let _: Result<(), _> = RetryPolicy::none()
            .run(|| async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err(throttled(None))
            })
            .await;
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}

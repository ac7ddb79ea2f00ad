//! Client-side throughput limits, so a bulk sender slows down instead of collecting 130429s.
//!
//! Each limit is a GCRA (a token bucket kept as one timestamp): `rate` messages per `period`
//! with bursts of up to `burst`. Waiting happens outside the lock.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;
use wacart_schema::WaId;

/// A rate: `count` messages per `period`, bursts of up to `burst`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// Messages per period.
    pub count: u32,
    /// The period.
    pub period: Duration,
    /// Messages that may go at once before pacing starts (at least 1).
    pub burst: u32,
}

impl RateLimit {
    /// `n` messages per second, paced evenly (burst 1).
    pub fn per_second(n: u32) -> Self {
        RateLimit {
            count: n.max(1),
            period: Duration::from_secs(1),
            burst: 1,
        }
    }

    /// Meta's pair limit: about one message per 6 s to one customer, bursts of up to 45.
    pub fn meta_pair() -> Self {
        RateLimit {
            count: 1,
            period: Duration::from_secs(6),
            burst: 45,
        }
    }

    /// With this burst.
    pub fn burst(mut self, burst: u32) -> Self {
        self.burst = burst.max(1);
        self
    }

    fn interval(&self) -> Duration {
        self.period / self.count.max(1)
    }
}

/// Meta's default throughput for a business number: 80 messages per second.
pub const DEFAULT_NUMBER_RATE: u32 = 80;

#[derive(Clone, Copy, Debug)]
struct Gcra {
    /// Theoretical arrival time of the next message.
    tat: Instant,
}

impl Gcra {
    /// Reserves a slot at or after `now`; returns how long to wait for it.
    fn reserve(&mut self, now: Instant, limit: &RateLimit) -> Duration {
        let interval = limit.interval();
        let tolerance = interval * (limit.burst.max(1) - 1);
        let tat = self.tat.max(now);
        let allowed_at = tat.checked_sub(tolerance).unwrap_or(now);
        self.tat = tat + interval;
        allowed_at.saturating_duration_since(now)
    }
}

/// The limits of one client: its number's rate and, optionally, a per-customer pair rate.
#[derive(Debug)]
pub(crate) struct Limiter {
    number: Option<(RateLimit, Mutex<Gcra>)>,
    pairs: Option<(RateLimit, Mutex<HashMap<String, Gcra>>)>,
}

impl Limiter {
    pub(crate) fn new(number: Option<RateLimit>, pair: Option<RateLimit>) -> Self {
        let start = Instant::now();
        Limiter {
            number: number.map(|l| (l, Mutex::new(Gcra { tat: start }))),
            pairs: pair.map(|l| (l, Mutex::new(HashMap::new()))),
        }
    }

    /// Waits until a message to `recipient` may go.
    pub(crate) async fn acquire(&self, recipient: &str) {
        let now = Instant::now();
        // The customer's slot first: the number's slot is then taken at the moment the message
        // will really go, so pair-delayed messages do not bunch up on the number's rate.
        let mut at = now;
        if let Some((limit, map)) = &self.pairs {
            let mut map = map
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if map.len() > 100_000 {
                // Forget customers whose slot is in the past: they are as good as new.
                map.retain(|_, g| g.tat > now);
            }
            // `+1650…` and `1650…` are the same customer.
            let key = WaId::normalized(recipient.trim()).into_string();
            let g = map.entry(key).or_insert(Gcra { tat: now });
            at = now + g.reserve(now, limit);
        }
        if let Some((limit, gcra)) = &self.number {
            let mut g = gcra
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            at += g.reserve(at, limit);
        }
        let wait = at.saturating_duration_since(now);
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn eighty_per_second_paces_160_messages_over_two_seconds() {
        let limiter = Limiter::new(Some(RateLimit::per_second(80)), None);
        let start = Instant::now();
        for _ in 0..161 {
            limiter.acquire("16505551234").await;
        }
        // The first goes at once, then one every 12.5 ms.
        assert_eq!(start.elapsed(), Duration::from_millis(2000));
    }

    #[tokio::test(start_paused = true)]
    async fn a_burst_goes_at_once_then_pacing_starts() {
        let limiter = Limiter::new(Some(RateLimit::per_second(10).burst(5)), None);
        let start = Instant::now();
        for _ in 0..5 {
            limiter.acquire("a").await;
        }
        assert_eq!(start.elapsed(), Duration::ZERO);
        limiter.acquire("a").await;
        assert_eq!(start.elapsed(), Duration::from_millis(100));
    }

    #[tokio::test(start_paused = true)]
    async fn the_pair_limit_holds_one_customer_back_and_not_the_others() {
        let limiter = Limiter::new(
            None,
            Some(RateLimit {
                count: 1,
                period: Duration::from_secs(6),
                burst: 2,
            }),
        );
        let start = Instant::now();
        limiter.acquire("a").await;
        limiter.acquire("a").await;
        limiter.acquire("b").await;
        assert_eq!(start.elapsed(), Duration::ZERO);
        limiter.acquire("a").await;
        assert_eq!(start.elapsed(), Duration::from_secs(6));
    }

    #[tokio::test(start_paused = true)]
    async fn a_plus_sign_does_not_make_another_customer() {
        let limiter = Limiter::new(
            None,
            Some(RateLimit {
                count: 1,
                period: Duration::from_secs(6),
                burst: 1,
            }),
        );
        let start = Instant::now();
        limiter.acquire("+16505551234").await;
        limiter.acquire("16505551234").await;
        assert_eq!(start.elapsed(), Duration::from_secs(6));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_senders_share_the_rate() {
        let limiter = std::sync::Arc::new(Limiter::new(Some(RateLimit::per_second(100)), None));
        let start = Instant::now();
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let l = limiter.clone();
                tokio::spawn(async move {
                    for _ in 0..25 {
                        l.acquire("x").await;
                    }
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(start.elapsed(), Duration::from_millis(990));
    }
}

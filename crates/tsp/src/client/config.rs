//! Client settings: which TSAs, how long, how often (rfc3161-rules.md §3.1.5-§3.1.7).

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::trust::TsaTrust;
use crate::verify::VerifyOptions;

/// Default total budget per TSA, retries included (rfc3161-rules §3.1.5: peers use 5 s to
/// 30 s; 10 s covers a slow public TSA plus one or two retries).
pub const DEFAULT_PER_TSA_TIMEOUT: Duration = Duration::from_secs(10);
/// Default limit of one HTTP exchange: half the default budget, so that a TSA that hangs
/// once still leaves time for a retry within its budget.
pub const DEFAULT_PER_REQUEST_TIMEOUT: Duration = Duration::from_secs(5);

/// Which TSAs must answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum FetchMode {
    /// Try the URLs in order; the first valid response wins (fallback).
    #[default]
    FirstSuccess,
    /// Every URL must produce a valid response; all are returned (`--tsa-all`).
    All,
}

/// Retry schedule for one TSA: jittered exponential backoff (rfc3161-rules §3.1.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Most HTTP exchanges per TSA (the budget usually ends things first).
    pub max_attempts: u32,
    /// Delay before the first retry; doubled for each further retry.
    pub base_delay: Duration,
    /// Largest delay between attempts (before jitter).
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        // 250 ms, 500 ms, 1 s, 2 s: four retries fit a 10 s budget with fast failures.
        Self {
            max_attempts: 5,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(2),
        }
    }
}

impl RetryPolicy {
    /// The delay after failed attempt `attempt` (1-based): `min(base * 2^(attempt-1), max)`,
    /// "equal jitter" (half fixed, half random) so that clients retrying together spread out
    /// while every wait stays at least half the nominal one. `random` is in [0, 1).
    pub fn delay(&self, attempt: u32, random: f64) -> Duration {
        let exp = attempt.saturating_sub(1).min(30);
        let nominal = self
            .base_delay
            .saturating_mul(1u32 << exp)
            .min(self.max_delay);
        let half = nominal / 2;
        half.saturating_add(half.mul_f64(random.clamp(0.0, 1.0)))
    }
}

/// The monotonic clock and sleep the client uses, injectable so that tests of backoff and
/// Retry-After need not wait (this is elapsed time, not the wall-clock time of genTime).
pub trait Clock: Send + Sync + fmt::Debug {
    /// A monotonic instant.
    fn now(&self) -> Instant;
    /// Wait for `d`.
    fn sleep(&self, d: Duration);
}

/// The real monotonic clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
    fn sleep(&self, d: Duration) {
        std::thread::sleep(d);
    }
}

/// Client configuration. Build with [`ClientConfig::new`] and adjust the public fields.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ClientConfig {
    /// TSA URLs (`http` or `https`), in the order they are tried.
    pub urls: Vec<String>,
    /// Total time budget per TSA, retries and backoff included (`--tsa-timeout`).
    pub per_tsa_timeout: Duration,
    /// Limit of a single HTTP exchange (connect to last body byte), within the budget.
    pub per_request_timeout: Duration,
    /// Fallback or all.
    pub mode: FetchMode,
    /// Backoff schedule.
    pub retry: RetryPolicy,
    /// When set, each response is also fully verified against this TSA trust before it is
    /// returned (verify-before-store, rfc3161-rules §4.5).
    pub trust: Option<TsaTrust>,
    /// Options of that full verification (e.g. a pinned policy).
    pub verify_options: VerifyOptions,
    /// Clock and sleep (tests inject a fake one).
    pub clock: Arc<dyn Clock>,
}

impl ClientConfig {
    /// Defaults: 10 s per TSA, 5 s per request, first success, no trust (the response is
    /// still checked against the request).
    pub fn new(urls: Vec<String>) -> Self {
        Self {
            urls,
            per_tsa_timeout: DEFAULT_PER_TSA_TIMEOUT,
            per_request_timeout: DEFAULT_PER_REQUEST_TIMEOUT,
            mode: FetchMode::FirstSuccess,
            retry: RetryPolicy::default(),
            trust: None,
            verify_options: VerifyOptions::default(),
            clock: Arc::new(SystemClock),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_caps() {
        let p = RetryPolicy {
            max_attempts: 9,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(350),
        };
        // random = 0 gives the fixed half; random -> 1 the nominal delay.
        assert_eq!(p.delay(1, 0.0), Duration::from_millis(50));
        assert_eq!(p.delay(2, 0.0), Duration::from_millis(100));
        assert_eq!(p.delay(3, 0.0), Duration::from_millis(175)); // capped at 350
        assert_eq!(p.delay(40, 0.0), Duration::from_millis(175)); // no overflow
        assert_eq!(p.delay(1, 0.5), Duration::from_millis(75));
        assert!(p.delay(2, 0.999) < Duration::from_millis(200));
        assert_eq!(p.delay(1, 7.0), Duration::from_millis(100)); // out-of-range random clamped
    }
}

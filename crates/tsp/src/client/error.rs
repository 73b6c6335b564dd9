//! What went wrong while obtaining a time-stamp: per attempt, per TSA, overall.
//!
//! rfc3161-rules.md §3.1.9: "Error messages name the TSA URL (with credentials redacted) and
//! the failing check, including the HTTP status code when there was one (e.g. `HTTP 500`)."
//! §3.1.7 and §9.26: when the policy is not met, signing fails loudly and says, for each
//! TSA, why.

use std::fmt;
use std::time::Duration;

use super::config::FetchMode;
use super::url::RedactedUrl;

/// A connection-level failure (DNS, connect, TLS, IO). Opaque so that the HTTP library
/// stays an implementation detail of the client: its message and `source()` chain are
/// available, its type is not part of this crate's API.
#[derive(Debug)]
pub struct TransportError(pub(crate) ureq::Error);

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.0)
    }
}

/// Why one HTTP exchange with a TSA did not produce an acceptable response.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AttemptError {
    /// Connecting, TLS, or reading/writing the connection failed (retried).
    #[error("connection failed: {0}")]
    Transport(#[source] TransportError),
    /// No complete answer within the attempt's time limit (retried while budget remains).
    #[error("no response within {} ms", .limit.as_millis())]
    Timeout {
        /// The limit this attempt had (the smaller of the per-request timeout and what was
        /// left of the TSA's budget).
        limit: Duration,
    },
    /// An HTTP status other than 200 or 201 (5xx and 429 are retried).
    #[error("HTTP {status}{}", .retry_after.map(|d| format!(" (Retry-After: {} s)", d.as_secs())).unwrap_or_default())]
    HttpStatus {
        /// The status code.
        status: u16,
        /// The `Retry-After` delay the TSA asked for (seconds form only).
        retry_after: Option<Duration>,
    },
    /// The reply's media type is not `application/timestamp-reply` (rfc3161-rules §3.1.3).
    #[error("HTTP {status} with content type {}, expected application/timestamp-reply",
            .found.as_deref().map(|c| format!("'{c}'")).unwrap_or_else(|| "(none)".to_owned()))]
    ContentType {
        /// The HTTP status (200 or 201).
        status: u16,
        /// The `Content-Type` header as received (`None` when absent or not text).
        found: Option<String>,
    },
    /// The body exceeds [`super::MAX_RESPONSE_LEN`]; reading stopped at the limit.
    #[error("response body exceeds the {max}-byte limit")]
    BodyTooLarge {
        /// The limit.
        max: usize,
    },
    /// The body is not a valid response to *this* request: malformed, not granted, other
    /// imprint or nonce (a stale or replayed response), other policy, bad CMS signature,
    /// ESS or EKU profile (rfc3161-rules §4.1-§4.5, without trust anchors).
    #[error("response rejected: {0}")]
    Response(#[source] Box<crate::Error>),
    /// The token passed the request checks but did not verify against the configured TSA
    /// trust (verify-before-store, rfc3161-rules §4.5). (Boxed: `crate::Error` is large and
    /// attempts are kept in lists.)
    #[error("token not trusted: {0}")]
    Untrusted(#[source] Box<crate::Error>),
}

impl AttemptError {
    /// Whether trying the same TSA again may help (rfc3161-rules §3.1.6: only idempotent
    /// failures: 5xx, 429, connection errors, timeouts). A wrong or malformed answer is the
    /// TSA's answer and is not retried.
    pub fn is_retryable(&self) -> bool {
        match self {
            AttemptError::Transport(_) | AttemptError::Timeout { .. } => true,
            AttemptError::HttpStatus { status, .. } => {
                *status == 429 || (500..=599).contains(status)
            }
            _ => false,
        }
    }

    /// The HTTP status of the exchange, when one was received.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            AttemptError::HttpStatus { status, .. } | AttemptError::ContentType { status, .. } => {
                Some(*status)
            }
            _ => None,
        }
    }
}

/// Why the client stopped trying one TSA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum GaveUp {
    /// The last failure is not worth retrying.
    NotRetryable,
    /// The per-TSA budget (`--tsa-timeout`) ran out.
    BudgetExhausted {
        /// The budget.
        budget: Duration,
    },
    /// The TSA asked (Retry-After) for a wait longer than the remaining budget.
    RetryAfterBeyondBudget {
        /// What it asked for.
        retry_after: Duration,
        /// What was left.
        remaining: Duration,
    },
    /// The attempt limit was reached.
    AttemptLimit {
        /// The limit.
        max: u32,
    },
    /// The worker thread asking this TSA panicked (a bug; reported, not propagated).
    WorkerPanicked,
}

impl fmt::Display for GaveUp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GaveUp::NotRetryable => f.write_str("not retryable"),
            GaveUp::BudgetExhausted { budget } => {
                write!(f, "time budget of {} ms exhausted", budget.as_millis())
            }
            GaveUp::RetryAfterBeyondBudget {
                retry_after,
                remaining,
            } => write!(
                f,
                "Retry-After {} s exceeds the remaining budget of {} ms",
                retry_after.as_secs(),
                remaining.as_millis()
            ),
            GaveUp::AttemptLimit { max } => write!(f, "{max} attempts made"),
            GaveUp::WorkerPanicked => f.write_str("internal error: the request thread panicked"),
        }
    }
}

/// Every attempt made at one TSA, none of which produced a usable time-stamp.
#[derive(Debug)]
pub struct UrlFailure {
    /// The TSA (credentials redacted).
    pub url: RedactedUrl,
    /// Each attempt's error, in order (never empty).
    pub attempts: Vec<AttemptError>,
    /// Why the client stopped.
    pub gave_up: GaveUp,
}

impl UrlFailure {
    /// The last attempt's error: the one that decided the outcome.
    pub fn last_error(&self) -> Option<&AttemptError> {
        self.attempts.last()
    }
}

impl fmt::Display for UrlFailure {
    /// `TSA <url>: <last error>`, then for several attempts how many and why the client
    /// stopped, and any earlier error that differs from the last (so "HTTP 503, then a
    /// timeout" is visible without repeating ten identical lines).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TSA {}: ", self.url)?;
        let Some((last, earlier)) = self.attempts.split_last() else {
            return write!(f, "no attempt made ({})", self.gave_up);
        };
        write!(f, "{last}")?;
        if earlier.is_empty() {
            return match self.gave_up {
                GaveUp::NotRetryable => Ok(()),
                other => write!(f, " ({other})"),
            };
        }
        write!(
            f,
            " ({} attempts; gave up: {}",
            self.attempts.len(),
            self.gave_up
        )?;
        let last_text = last.to_string();
        let mut different: Vec<String> = Vec::new();
        for text in earlier.iter().map(ToString::to_string) {
            if text != last_text && !different.contains(&text) {
                different.push(text);
            }
        }
        if !different.is_empty() {
            write!(f, "; earlier: {}", different.join(", "))?;
        }
        f.write_str(")")
    }
}

/// The timestamp policy was not met, or the client configuration is unusable.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// No TSA URL was configured.
    #[error("no TSA URL configured")]
    NoUrls,
    /// More URLs than [`super::MAX_URLS`].
    #[error("{count} TSA URLs configured, more than the limit of {max}")]
    TooManyUrls {
        /// How many.
        count: usize,
        /// The limit.
        max: usize,
    },
    /// A URL that is not an absolute `http`/`https` URL.
    #[error("TSA URL {url} is not usable: {reason}")]
    InvalidUrl {
        /// The URL (credentials redacted).
        url: RedactedUrl,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The fetch policy was not met; every TSA that failed is listed with all its attempts.
    #[error("{}", failed_message(*.mode, .failures, *.succeeded))]
    Failed {
        /// The policy that was not met.
        mode: FetchMode,
        /// The TSAs that failed, in configuration order.
        failures: Vec<UrlFailure>,
        /// How many TSAs did answer (always 0 in first-success mode).
        succeeded: usize,
    },
}

fn failed_message(mode: FetchMode, failures: &[UrlFailure], succeeded: usize) -> String {
    let list = failures
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ");
    match mode {
        FetchMode::FirstSuccess => format!("no TSA issued a valid time-stamp: {list}"),
        FetchMode::All => format!(
            "{} of {} TSAs failed and every TSA must answer: {list}",
            failures.len(),
            failures.len().saturating_add(succeeded)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(attempts: Vec<AttemptError>, gave_up: GaveUp) -> String {
        UrlFailure {
            url: RedactedUrl::new("http://k:pw@tsa.test/"),
            attempts,
            gave_up,
        }
        .to_string()
    }

    #[test]
    fn one_line_per_tsa_with_status_and_distinct_earlier_errors() {
        let s503 = || AttemptError::HttpStatus {
            status: 503,
            retry_after: None,
        };
        let timeout = || AttemptError::Timeout {
            limit: Duration::from_millis(1500),
        };
        assert_eq!(
            failure(
                vec![AttemptError::HttpStatus {
                    status: 404,
                    retry_after: None
                }],
                GaveUp::NotRetryable
            ),
            "TSA http://***@tsa.test/: HTTP 404"
        );
        assert_eq!(
            failure(vec![s503(), s503(), timeout()], GaveUp::BudgetExhausted { budget: Duration::from_secs(10) }),
            "TSA http://***@tsa.test/: no response within 1500 ms (3 attempts; gave up: time budget of \
             10000 ms exhausted; earlier: HTTP 503)"
        );
        assert_eq!(
            failure(vec![s503(), s503()], GaveUp::AttemptLimit { max: 2 }),
            "TSA http://***@tsa.test/: HTTP 503 (2 attempts; gave up: 2 attempts made)"
        );
        assert_eq!(
            failure(
                vec![AttemptError::HttpStatus { status: 429, retry_after: Some(Duration::from_secs(120)) }],
                GaveUp::RetryAfterBeyondBudget { retry_after: Duration::from_secs(120), remaining: Duration::from_secs(9) }
            ),
            "TSA http://***@tsa.test/: HTTP 429 (Retry-After: 120 s) (Retry-After 120 s exceeds the \
             remaining budget of 9000 ms)"
        );
    }

    #[test]
    fn retryable_classes() {
        assert!(AttemptError::HttpStatus {
            status: 500,
            retry_after: None
        }
        .is_retryable());
        assert!(AttemptError::HttpStatus {
            status: 599,
            retry_after: None
        }
        .is_retryable());
        assert!(AttemptError::HttpStatus {
            status: 429,
            retry_after: None
        }
        .is_retryable());
        assert!(!AttemptError::HttpStatus {
            status: 400,
            retry_after: None
        }
        .is_retryable());
        assert!(!AttemptError::HttpStatus {
            status: 301,
            retry_after: None
        }
        .is_retryable());
        assert!(AttemptError::Timeout {
            limit: Duration::ZERO
        }
        .is_retryable());
        assert!(!AttemptError::ContentType {
            status: 200,
            found: None
        }
        .is_retryable());
        assert!(!AttemptError::BodyTooLarge { max: 1 }.is_retryable());
    }
}

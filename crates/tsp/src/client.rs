//! HTTP(S) client for time-stamping authorities (feature `client`), rfc3161-rules.md §2-§4.
//!
//! RFC 3161 §3.4 (time-stamp protocol via HTTP):
//!
//! ```text
//! Content-Type: application/timestamp-query   <<the ASN.1 DER-encoded Time-Stamp Request>>
//! Content-Type: application/timestamp-reply   <<the ASN.1 DER-encoded Time-Stamp Response>>
//! ```
//!
//! RFC 3161 §2.4.2: the requester "MUST verify ... that the token contains the same nonce
//! and message imprint as the request", so no response leaves [`TsaClient::fetch`] before
//! [`crate::verify::check_response`] accepted it against the request (status, imprint,
//! nonce, policy, CMS signature, ESS, EKU profile), and, when a [`TsaTrust`] is configured,
//! [`crate::verify::verify_timestamp`] too (verify-before-store, rfc3161-rules §4).
//!
//! Robustness (rfc3161-rules §3.1): 200 and 201 accepted; reply content type checked; body
//! capped at [`MAX_RESPONSE_LEN`]; each TSA gets a total time budget, retries included,
//! and each exchange a timeout within it; connection errors, timeouts, 5xx and 429 are
//! retried with jittered exponential backoff, honouring `Retry-After`; the URLs are tried
//! in order until one succeeds ([`FetchMode::FirstSuccess`]) or must all succeed
//! ([`FetchMode::All`], asked in parallel). Every failure names the URL (credentials
//! redacted, [`RedactedUrl`]) and the cause with the HTTP status when there was one.
//!
//! [`TsaTrust`]: crate::trust::TsaTrust

mod config;
mod error;
mod transport;
mod url;

pub use config::{
    ClientConfig, Clock, FetchMode, RetryPolicy, SystemClock, DEFAULT_PER_REQUEST_TIMEOUT,
    DEFAULT_PER_TSA_TIMEOUT,
};
pub use error::{AttemptError, ClientError, GaveUp, TransportError, UrlFailure};
pub use transport::{QUERY_CONTENT_TYPE, REPLY_CONTENT_TYPE};
pub use url::RedactedUrl;

use crate::request::TimeStampRequest;
use crate::response::TimeStampResponse;
use crate::verify::{check_response, verify_timestamp, Datum, VerifiedTimestamp};

/// Largest reply body read (rfc3161-rules §3.1.4 and §9.21, Sigstore's cap): a token with a
/// full chain is a few KiB, so 1 MiB is generous and bounds memory per TSA.
pub const MAX_RESPONSE_LEN: usize = 1 << 20;
/// Most TSA URLs in one configuration: each costs up to a budget (and a thread in
/// [`FetchMode::All`]); no policy needs more than a handful.
pub const MAX_URLS: usize = 16;

/// A response obtained from one TSA and accepted for its request.
#[derive(Debug)]
pub struct Obtained {
    /// The TSA that answered (credentials redacted).
    pub url: RedactedUrl,
    /// The response, checked against the request; [`TimeStampResponse::raw`] is the DER to
    /// store.
    pub response: TimeStampResponse,
    /// The full verification result, when TSA trust was configured.
    pub verified: Option<VerifiedTimestamp>,
    /// HTTP exchanges it took (1 = no retry).
    pub attempts: u32,
}

/// A configured client; reuses one HTTP agent (and its connections) across requests.
#[derive(Debug)]
pub struct TsaClient {
    config: ClientConfig,
    urls: Vec<RedactedUrl>,
    agent: ureq::Agent,
}

impl TsaClient {
    /// Checks the configuration: 1..=[`MAX_URLS`] absolute `http`/`https` URLs.
    pub fn new(config: ClientConfig) -> Result<Self, ClientError> {
        if config.urls.is_empty() {
            return Err(ClientError::NoUrls);
        }
        if config.urls.len() > MAX_URLS {
            return Err(ClientError::TooManyUrls {
                count: config.urls.len(),
                max: MAX_URLS,
            });
        }
        let urls = config
            .urls
            .iter()
            .map(|u| validate_url(u))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self {
            config,
            urls,
            agent: transport::agent(),
        })
    }

    /// The configuration in use.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Obtain time-stamps for `request` under the configured [`FetchMode`]: the first valid
    /// response (fallback), or one from every TSA.
    pub fn fetch(&self, request: &TimeStampRequest) -> Result<Vec<Obtained>, ClientError> {
        let der = request.to_der();
        match self.config.mode {
            FetchMode::FirstSuccess => {
                let mut failures = Vec::new();
                for url in &self.urls {
                    match self.fetch_one(url, request, &der) {
                        Ok(obtained) => return Ok(vec![obtained]),
                        Err(failure) => failures.push(failure),
                    }
                }
                Err(ClientError::Failed {
                    mode: FetchMode::FirstSuccess,
                    failures,
                    succeeded: 0,
                })
            }
            FetchMode::All => {
                // In parallel: each TSA has its own budget, so the wait is the slowest
                // TSA's, not the sum. At most MAX_URLS threads.
                let results: Vec<Result<Obtained, UrlFailure>> = std::thread::scope(|scope| {
                    let handles: Vec<_> = self
                        .urls
                        .iter()
                        .map(|url| (url, scope.spawn(|| self.fetch_one(url, request, &der))))
                        .collect();
                    handles
                        .into_iter()
                        .map(|(url, h)| h.join().unwrap_or_else(|_| Err(panicked(url))))
                        .collect()
                });
                let (ok, failed): (Vec<_>, Vec<_>) = results.into_iter().partition(Result::is_ok);
                let obtained: Vec<Obtained> = ok.into_iter().filter_map(Result::ok).collect();
                let failures: Vec<UrlFailure> =
                    failed.into_iter().filter_map(Result::err).collect();
                if failures.is_empty() {
                    Ok(obtained)
                } else {
                    Err(ClientError::Failed {
                        mode: FetchMode::All,
                        failures,
                        succeeded: obtained.len(),
                    })
                }
            }
        }
    }

    /// All attempts at one TSA within its budget.
    fn fetch_one(
        &self,
        url: &RedactedUrl,
        request: &TimeStampRequest,
        der: &[u8],
    ) -> Result<Obtained, UrlFailure> {
        let cfg = &self.config;
        let clock = cfg.clock.as_ref();
        let budget = cfg.per_tsa_timeout;
        let start = clock.now();
        let remaining = || budget.saturating_sub(clock.now().saturating_duration_since(start));
        let max_attempts = cfg.retry.max_attempts.max(1);
        let mut attempts = Vec::new();
        let gave_up = loop {
            let left = remaining();
            if left.is_zero() {
                break GaveUp::BudgetExhausted { budget };
            }
            let limit = cfg.per_request_timeout.min(left);
            let error = match transport::exchange(&self.agent, url, der, limit)
                .and_then(|body| self.accept(body, request))
            {
                Ok((response, verified)) => {
                    let attempts = u32::try_from(attempts.len())
                        .unwrap_or(u32::MAX)
                        .saturating_add(1);
                    return Ok(Obtained {
                        url: url.clone(),
                        response,
                        verified,
                        attempts,
                    });
                }
                Err(e) => e,
            };
            tracing::debug!(tsa = %url, error = %error, "time-stamp attempt failed");
            let retryable = error.is_retryable();
            let retry_after = match &error {
                AttemptError::HttpStatus { retry_after, .. } => *retry_after,
                _ => None,
            };
            attempts.push(error);
            if !retryable {
                break GaveUp::NotRetryable;
            }
            let made = u32::try_from(attempts.len()).unwrap_or(u32::MAX);
            if made >= max_attempts {
                break GaveUp::AttemptLimit { max: max_attempts };
            }
            let left = remaining();
            let delay = match retry_after {
                // A wait the budget cannot afford is not worth starting: give up now so the
                // next TSA gets its turn sooner.
                Some(ra) if ra >= left => {
                    break GaveUp::RetryAfterBeyondBudget {
                        retry_after: ra,
                        remaining: left,
                    }
                }
                Some(ra) => ra,
                None => cfg.retry.delay(made, rand::random::<f64>()),
            };
            if delay >= left {
                break GaveUp::BudgetExhausted { budget };
            }
            clock.sleep(delay);
        };
        Err(UrlFailure {
            url: url.clone(),
            attempts,
            gave_up,
        })
    }

    /// The checks a body must pass before it is returned.
    fn accept(
        &self,
        body: Vec<u8>,
        request: &TimeStampRequest,
    ) -> Result<(TimeStampResponse, Option<VerifiedTimestamp>), AttemptError> {
        let response =
            check_response(&body, request).map_err(|e| AttemptError::Response(Box::new(e)))?;
        let verified = match &self.config.trust {
            None => None,
            Some(trust) => Some(
                verify_timestamp(
                    response.raw(),
                    Datum::Digest(request.hash_algorithm(), request.digest()),
                    trust,
                    &self.verify_options_for(request),
                )
                .map_err(|e| AttemptError::Untrusted(Box::new(e)))?,
            ),
        };
        Ok((response, verified))
    }

    fn verify_options_for(&self, request: &TimeStampRequest) -> crate::verify::VerifyOptions {
        let mut opts = self.config.verify_options.clone();
        if opts.policy.is_none() {
            opts.policy = request.policy();
        }
        opts
    }
}

/// Obtain time-stamps for `request` from the TSAs of `cfg` (see [`TsaClient::fetch`]).
pub fn fetch(cfg: &ClientConfig, request: &TimeStampRequest) -> Result<Vec<Obtained>, ClientError> {
    TsaClient::new(cfg.clone())?.fetch(request)
}

fn validate_url(raw: &str) -> Result<RedactedUrl, ClientError> {
    let url = RedactedUrl::new(raw);
    let invalid = |reason| ClientError::InvalidUrl {
        url: url.clone(),
        reason,
    };
    let uri: ureq::http::Uri = raw.parse().map_err(|_| invalid("not a valid URL"))?;
    match uri.scheme_str() {
        Some(s) if s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https") => {}
        Some(_) => return Err(invalid("scheme must be http or https")),
        None => {
            return Err(invalid(
                "not an absolute URL (expected http://… or https://…)",
            ))
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(invalid("no host"));
    }
    Ok(url)
}

/// A worker thread panicked (a bug, not an input problem): report it as that TSA's failure
/// rather than taking the process down.
fn panicked(url: &RedactedUrl) -> UrlFailure {
    UrlFailure {
        url: url.clone(),
        attempts: Vec::new(),
        gave_up: GaveUp::WorkerPanicked,
    }
}

//! One HTTP exchange with a TSA (RFC 3161 §3.4, rfc3161-rules.md §3.1.1-§3.1.4):
//!
//! ```text
//! POST <url>   Content-Type: application/timestamp-query   body: DER TimeStampReq
//! 200 or 201   Content-Type: application/timestamp-reply   body: DER TimeStampResp
//! ```
//!
//! ureq runs over rustls with the aws-lc-rs provider passed explicitly (rust-stack.md P13:
//! with `rustls-no-provider` and no provider, the first https request panics; `ring` must
//! not be linked). Redirects are not followed: a 30x for a POST turns into a GET at most
//! clients, and a TSA that moved is a configuration matter, reported as `HTTP 30x`.

use std::io::Read;
use std::sync::Arc;
use std::time::Duration;

use ureq::tls::{RootCerts, TlsConfig, TlsProvider};
use ureq::Agent;

use super::error::{AttemptError, TransportError};
use super::url::RedactedUrl;
use super::MAX_RESPONSE_LEN;

/// Request media type (RFC 3161 §3.4).
pub const QUERY_CONTENT_TYPE: &str = "application/timestamp-query";
/// Reply media type (RFC 3161 §3.4).
pub const REPLY_CONTENT_TYPE: &str = "application/timestamp-reply";
/// Longest Retry-After honoured as such (a day); larger values are treated as "a day",
/// which exceeds any budget anyway, and cannot overflow time arithmetic.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(86_400);

/// A shareable HTTP agent configured for TSAs.
pub(crate) fn agent() -> Agent {
    let tls = TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .root_certs(RootCerts::WebPki)
        .build();
    Agent::config_builder()
        .tls_config(tls)
        // Statuses are ours to interpret (429 and 5xx retried, 200/201 accepted).
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(concat!("modelsign/", env!("CARGO_PKG_VERSION")))
        .accept(REPLY_CONTENT_TYPE)
        .build()
        .new_agent()
}

/// POSTs `request_der` to `url` and returns the reply body, after the HTTP-level checks
/// (status, content type, size). `timeout` bounds the whole exchange.
pub(crate) fn exchange(
    agent: &Agent,
    url: &RedactedUrl,
    request_der: &[u8],
    timeout: Duration,
) -> Result<Vec<u8>, AttemptError> {
    let map = |e: ureq::Error| match e {
        ureq::Error::Timeout(_) => AttemptError::Timeout { limit: timeout },
        ureq::Error::BodyExceedsLimit(_) => AttemptError::BodyTooLarge {
            max: MAX_RESPONSE_LEN,
        },
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            AttemptError::Timeout { limit: timeout }
        }
        other => AttemptError::Transport(TransportError(other)),
    };
    let mut response = agent
        .post(url.expose())
        .config()
        .timeout_global(Some(timeout))
        .build()
        .header("Content-Type", QUERY_CONTENT_TYPE)
        .send(request_der)
        .map_err(map)?;

    let status = response.status().as_u16();
    if status != 200 && status != 201 {
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        return Err(AttemptError::HttpStatus {
            status,
            retry_after,
        });
    }
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().map(str::to_owned));
    match content_type {
        Some(Ok(ct)) if is_reply_media_type(&ct) => {}
        Some(Ok(ct)) => {
            return Err(AttemptError::ContentType {
                status,
                found: Some(ct),
            })
        }
        Some(Err(_)) | None => {
            return Err(AttemptError::ContentType {
                status,
                found: None,
            })
        }
    }
    // A declared length over the cap is refused without reading.
    let max = u64::try_from(MAX_RESPONSE_LEN).unwrap_or(u64::MAX);
    if response.body().content_length().is_some_and(|n| n > max) {
        return Err(AttemptError::BodyTooLarge {
            max: MAX_RESPONSE_LEN,
        });
    }
    // Read at most max + 1 bytes: one byte over proves the body is too large, and nothing
    // beyond is read.
    let mut body = Vec::new();
    response
        .body_mut()
        .as_reader()
        .take(max.saturating_add(1))
        .read_to_end(&mut body)
        .map_err(|e| map(ureq::Error::from(e)))?;
    if body.len() > MAX_RESPONSE_LEN {
        return Err(AttemptError::BodyTooLarge {
            max: MAX_RESPONSE_LEN,
        });
    }
    Ok(body)
}

/// `application/timestamp-reply`, case-insensitive, parameters allowed (RFC 9110 §8.3.1).
fn is_reply_media_type(header: &str) -> bool {
    let essence = header.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case(REPLY_CONTENT_TYPE)
}

/// RFC 9110 §10.2.3 `Retry-After = HTTP-date / delay-seconds`; only the seconds form is
/// honoured (an HTTP-date would need the wall clock; the backoff schedule applies then).
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let v = value.trim();
    if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // Digits only: a parse failure can only be overflow, i.e. "very long".
    let secs = v.parse::<u64>().unwrap_or(u64::MAX);
    Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_type_with_parameters_and_case() {
        assert!(is_reply_media_type("application/timestamp-reply"));
        assert!(is_reply_media_type(
            "Application/TimeStamp-Reply; charset=binary"
        ));
        assert!(is_reply_media_type(" application/timestamp-reply ;x=y"));
        assert!(!is_reply_media_type("text/html"));
        assert!(!is_reply_media_type("application/timestamp-replyx"));
        assert!(!is_reply_media_type("application/timestamp-query"));
        assert!(!is_reply_media_type(""));
    }

    #[test]
    fn retry_after_seconds_only() {
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after(" 0 "), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("99999999999999999999999"),
            Some(MAX_RETRY_AFTER)
        );
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"), None);
        assert_eq!(parse_retry_after("-1"), None);
        assert_eq!(parse_retry_after("1.5"), None);
        assert_eq!(parse_retry_after(""), None);
    }
}

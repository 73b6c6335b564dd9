//! The HTTP API, compatible with sigstore/timestamp-authority (rfc3161-rules §3.2):
//!
//! | Route | Answer |
//! |---|---|
//! | `POST /api/v1/timestamp`, `POST /` | `application/timestamp-query` body → `application/timestamp-reply` |
//! | `GET /api/v1/timestamp/certchain` | the chain as PEM, TSA certificate first, root last |
//! | `GET /healthz` | `ok` (503 once the audit log has failed) |
//!
//! Protocol errors (garbage DER, unsupported hash, unaccepted policy, ...) are answered with
//! HTTP 200 and an RFC 3161 `TimeStampResp` whose status is rejection (2) with the failInfo
//! chosen by [`modelsign_tsp::issue::failure_info`]: a TSP client reads the reason from the
//! body. (The Sigstore TSA answers plain 400 instead; RFC 3161 clients handle our choice
//! better.) HTTP errors are for HTTP problems only: 405 wrong method, 413 body over
//! [`crate::config::MAX_REQUEST_BODY`] (read no further), 415 wrong content type, 408 body
//! too slow, 500 when a token could not be recorded in the audit log (body: a systemFailure
//! `TimeStampResp`).

use std::convert::Infallible;
use std::future::Future;
use std::pin::pin;
use std::sync::Arc;
use std::task::Poll;
use std::time::Instant;

use aws_lc_rs::rand::SystemRandom;
use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::header::{self, HeaderMap, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use modelsign_pki::Time;
use modelsign_tsp::issue::SYSTEM_FAILURE_RESPONSE;
use modelsign_tsp::Outcome;

use crate::audit::{AuditLog, AuditRecord};
use crate::config::Limits;
use crate::serial::random_serial;
use crate::signing::Signer;

/// Media type of a request (RFC 3161 §3.4).
pub const QUERY_MEDIA_TYPE: &str = "application/timestamp-query";
/// Media type of a response (RFC 3161 §3.4).
pub const REPLY_MEDIA_TYPE: &str = "application/timestamp-reply";
/// Media type of the certificate chain (as the Sigstore TSA serves it).
pub const CHAIN_MEDIA_TYPE: &str = "application/pem-certificate-chain";

/// Body of every response: small, complete, in memory.
pub(crate) type ResponseBody = Full<Bytes>;

/// Shared by every request.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) signer: Signer,
    pub(crate) rng: SystemRandom,
    pub(crate) audit: Option<AuditLog>,
    pub(crate) limits: Limits,
    pub(crate) chain_pem: Bytes,
}

/// The API's routes.
#[derive(Clone, Copy)]
enum Route {
    Timestamp,
    CertChain,
    Health,
}

/// Answers one request. Four fixed routes are a `match` on the path and method: a router
/// (axum's, with its extractors and boxed futures) cost measurable CPU per token for
/// nothing this API needs (`scripts/bench-tsa.sh`).
pub(crate) async fn handle(
    state: Arc<AppState>,
    request: Request<Incoming>,
) -> Result<Response<ResponseBody>, Infallible> {
    let route = match request.uri().path() {
        "/api/v1/timestamp" | "/" => Route::Timestamp,
        "/api/v1/timestamp/certchain" => Route::CertChain,
        "/healthz" => Route::Health,
        _ => return Ok(plain(StatusCode::NOT_FOUND, "not found\n")),
    };
    let is_get = matches!(*request.method(), Method::GET | Method::HEAD);
    Ok(match route {
        Route::Timestamp if request.method() == Method::POST => timestamp(&state, request).await,
        Route::Timestamp => method_not_allowed("POST"),
        Route::CertChain if is_get => certchain(&state),
        Route::Health if is_get => healthz(&state),
        Route::CertChain | Route::Health => method_not_allowed("GET,HEAD"),
    })
}

fn certchain(state: &AppState) -> Response<ResponseBody> {
    with_content_type(
        StatusCode::OK,
        CHAIN_MEDIA_TYPE,
        state.chain_pem.clone(), // a reference count, not a copy
    )
}

fn healthz(state: &AppState) -> Response<ResponseBody> {
    if state.audit.as_ref().is_some_and(|a| !a.is_healthy()) {
        return plain(StatusCode::SERVICE_UNAVAILABLE, "audit log failed\n");
    }
    plain(StatusCode::OK, "ok\n")
}

/// `application/timestamp-query`, parameters allowed, case-insensitive (RFC 9110 §8.3.1).
fn is_timestamp_query(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case(QUERY_MEDIA_TYPE))
}

fn with_content_type(
    status: StatusCode,
    content_type: &'static str,
    body: Bytes,
) -> Response<ResponseBody> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn plain(status: StatusCode, text: &'static str) -> Response<ResponseBody> {
    with_content_type(
        status,
        "text/plain; charset=utf-8",
        Bytes::from_static(text.as_bytes()),
    )
}

fn method_not_allowed(allow: &'static str) -> Response<ResponseBody> {
    let mut response = plain(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static(allow));
    response
}

fn reply(status: StatusCode, der: Vec<u8>) -> Response<ResponseBody> {
    with_content_type(status, REPLY_MEDIA_TYPE, Bytes::from(der))
}

fn system_failure() -> Response<ResponseBody> {
    with_content_type(
        StatusCode::INTERNAL_SERVER_ERROR,
        REPLY_MEDIA_TYPE,
        Bytes::from_static(&SYSTEM_FAILURE_RESPONSE),
    )
}

enum BodyError {
    TooLarge,
    TooSlow,
    Broken,
}

/// Reads the body within [`Limits::body_read_timeout`].
///
/// A request body almost always arrives in the same segment as its head, so the read is
/// first tried once without a timer; only a body still in transit arms the timeout (a
/// timer per request was a measurable part of the server's CPU per token).
async fn read_body(body: Incoming, limits: &Limits) -> Result<Bytes, BodyError> {
    let mut read = pin!(collect_limited(body, limits.max_body));
    let first_try = std::future::poll_fn(|cx| Poll::Ready(read.as_mut().poll(cx))).await;
    match first_try {
        Poll::Ready(result) => result,
        Poll::Pending => tokio::time::timeout(limits.body_read_timeout, read)
            .await
            .unwrap_or(Err(BodyError::TooSlow)),
    }
}

/// Reads at most `limit` bytes; stops at the first frame that would exceed it. A body of
/// one frame (the usual case) is kept as it came, without a copy.
async fn collect_limited(mut body: Incoming, limit: usize) -> Result<Bytes, BodyError> {
    let mut first: Option<Bytes> = None;
    let mut joined: Vec<u8> = Vec::new();
    let mut total: usize = 0;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| BodyError::Broken)?;
        let Ok(data) = frame.into_data() else {
            continue; // trailers carry nothing for us
        };
        total = total.saturating_add(data.len());
        if total > limit {
            return Err(BodyError::TooLarge);
        }
        match first.take() {
            None if joined.is_empty() => first = Some(data),
            None => joined.extend_from_slice(&data),
            Some(earlier) => {
                joined.extend_from_slice(&earlier);
                joined.extend_from_slice(&data);
            }
        }
    }
    Ok(first.unwrap_or_else(|| Bytes::from(joined)))
}

async fn timestamp(state: &AppState, request: Request<Incoming>) -> Response<ResponseBody> {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    if !is_timestamp_query(&parts.headers) {
        return plain(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected Content-Type: application/timestamp-query\n",
        );
    }
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > u64::try_from(state.limits.max_body).unwrap_or(u64::MAX)) {
        return plain(StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n");
    }
    let request_der = match read_body(body, &state.limits).await {
        Ok(bytes) => bytes,
        Err(BodyError::TooLarge) => {
            return plain(StatusCode::PAYLOAD_TOO_LARGE, "request body too large\n")
        }
        Err(BodyError::TooSlow) => {
            return plain(StatusCode::REQUEST_TIMEOUT, "request body too slow\n")
        }
        Err(BodyError::Broken) => {
            return plain(StatusCode::BAD_REQUEST, "request body could not be read\n")
        }
    };
    // The one clock read per request (ARCHITECTURE: time is read at the entry point).
    let now = Time::now();
    let Some(serial) = random_serial(&state.rng) else {
        tracing::error!("system random number generator failed");
        return system_failure();
    };
    let Ok(issued) = state.signer.respond(request_der, now, serial).await else {
        return system_failure();
    };
    match &issued.outcome {
        Outcome::Granted(token) => {
            if let Some(audit) = &state.audit {
                if audit
                    .record(&AuditRecord::from_granted(token))
                    .await
                    .is_err()
                {
                    tracing::error!(serial = %token.serial_hex, "token not sent: its audit record could not be written");
                    return system_failure();
                }
            }
            tracing::info!(
                serial = token.serial_hex.as_str(),
                gen_time = %token.gen_time,
                imprint = %format_args!("{}:{}", token.hash_algorithm.name(), token.digest_hex),
                policy = %token.policy,
                latency_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
                "timestamp issued"
            );
        }
        Outcome::Rejected {
            fail_info, reason, ..
        } => {
            tracing::info!(fail_info = ?fail_info, reason = %reason, "timestamp request rejected");
        }
        _ => {}
    }
    reply(StatusCode::OK, issued.der)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(content_type: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_str(content_type).unwrap(),
        );
        h
    }

    #[test]
    fn content_type_matching() {
        assert!(is_timestamp_query(&headers("application/timestamp-query")));
        assert!(is_timestamp_query(&headers(
            "Application/TimeStamp-Query ; charset=binary"
        )));
        assert!(!is_timestamp_query(&headers("application/timestamp-reply")));
        assert!(!is_timestamp_query(&headers("application/octet-stream")));
        assert!(!is_timestamp_query(&HeaderMap::new()));
    }
}

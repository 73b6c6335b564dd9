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

use std::sync::Arc;
use std::time::Instant;

use aws_lc_rs::rand::SystemRandom;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use http_body_util::BodyExt;
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

/// Shared by every request.
#[derive(Debug)]
pub(crate) struct AppState {
    pub(crate) signer: Signer,
    pub(crate) rng: SystemRandom,
    pub(crate) audit: Option<AuditLog>,
    pub(crate) limits: Limits,
    pub(crate) chain_pem: String,
}

pub(crate) fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/api/v1/timestamp", post(timestamp))
        .route("/", post(timestamp))
        .route("/api/v1/timestamp/certchain", get(certchain))
        .route("/healthz", get(healthz))
        .with_state(state)
}

async fn certchain(State(state): State<Arc<AppState>>) -> Response {
    (
        [(header::CONTENT_TYPE, CHAIN_MEDIA_TYPE)],
        state.chain_pem.clone(),
    )
        .into_response()
}

async fn healthz(State(state): State<Arc<AppState>>) -> Response {
    if state.audit.as_ref().is_some_and(|a| !a.is_healthy()) {
        return (StatusCode::SERVICE_UNAVAILABLE, "audit log failed\n").into_response();
    }
    (StatusCode::OK, "ok\n").into_response()
}

/// `application/timestamp-query`, parameters allowed, case-insensitive (RFC 9110 §8.3.1).
fn is_timestamp_query(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case(QUERY_MEDIA_TYPE))
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

fn reply(status: StatusCode, der: Vec<u8>) -> Response {
    let mut response = (status, der).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(REPLY_MEDIA_TYPE),
    );
    response
}

enum BodyError {
    TooLarge,
    TooSlow,
    Broken,
}

/// Reads at most `limit` bytes; stops at the first frame that would exceed it.
async fn read_body(body: Body, limits: &Limits) -> Result<Vec<u8>, BodyError> {
    let read = async {
        let mut body = body;
        let mut bytes = Vec::new();
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(|_| BodyError::Broken)?;
            if let Ok(data) = frame.into_data() {
                if bytes.len().saturating_add(data.len()) > limits.max_body {
                    return Err(BodyError::TooLarge);
                }
                bytes.extend_from_slice(&data);
            }
        }
        Ok(bytes)
    };
    tokio::time::timeout(limits.body_read_timeout, read)
        .await
        .unwrap_or(Err(BodyError::TooSlow))
}

async fn timestamp(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Body) -> Response {
    let started = Instant::now();
    if !is_timestamp_query(&headers) {
        return plain(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected Content-Type: application/timestamp-query\n",
        );
    }
    let declared = headers
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
        return reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            SYSTEM_FAILURE_RESPONSE.to_vec(),
        );
    };
    let Ok(issued) = state.signer.respond(request_der, now, serial).await else {
        return reply(
            StatusCode::INTERNAL_SERVER_ERROR,
            SYSTEM_FAILURE_RESPONSE.to_vec(),
        );
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
                    return reply(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        SYSTEM_FAILURE_RESPONSE.to_vec(),
                    );
                }
            }
            tracing::info!(
                serial = %token.serial_hex,
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

//! The TSA HTTP client against scripted loopback servers (rfc3161-rules.md §3.1 and §4).

// Helpers outside #[test] fns unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod client_support;

// `Borrow`: works whether `Error::Verification` holds the error or a box of it.
use std::borrow::Borrow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use client_support::{closed_port_url, request, FakeClock, Reply, Server, Tsa};
use modelsign_devpki::DevPki;
use modelsign_pki::{KeyKind, Time};
use modelsign_tsp::client::{
    fetch, AttemptError, ClientConfig, ClientError, FetchMode, GaveUp, RetryPolicy, TsaClient,
    UrlFailure, MAX_RESPONSE_LEN,
};
use modelsign_tsp::trust::TsaTrust;
use modelsign_tsp::verify::{verify_timestamp, Datum, VerificationError, VerifyOptions};
use modelsign_tsp::{Error, TimeStampRequest};

/// Fast retries and a fake clock, so that no test sleeps for its backoff.
fn config(urls: Vec<String>) -> (ClientConfig, Arc<FakeClock>) {
    let clock = Arc::new(FakeClock::default());
    let mut cfg = ClientConfig::new(urls);
    cfg.retry = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(80),
    };
    cfg.per_request_timeout = Duration::from_secs(5);
    cfg.clock = clock.clone();
    (cfg, clock)
}

/// The single failure of a first-success fetch with one URL.
fn only_failure(err: ClientError) -> UrlFailure {
    match err {
        ClientError::Failed {
            mode: FetchMode::FirstSuccess,
            mut failures,
            succeeded: 0,
        } => {
            assert_eq!(failures.len(), 1, "{failures:?}");
            failures.remove(0)
        }
        other => panic!("expected Failed, got {other:?}"),
    }
}

fn good(status: u16) {
    let tsa = Tsa::new();
    let server = Server::granting(tsa.clone(), status);
    let req = request();
    let (cfg, clock) = config(vec![server.url.clone()]);
    let got = fetch(&cfg, &req).unwrap();
    assert_eq!(got.len(), 1);
    let o = &got[0];
    assert_eq!(o.url.to_string(), server.url);
    assert_eq!(o.attempts, 1);
    assert!(o.verified.is_none(), "no trust configured");
    // The server saw one POST of our DER request with the query media type.
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "POST");
    assert_eq!(
        seen[0].content_type.as_deref(),
        Some("application/timestamp-query")
    );
    assert_eq!(seen[0].body, req.to_der());
    // What is returned is a real token over our digest.
    let trust = TsaTrust::from_certificates(vec![tsa.root.clone()]).unwrap();
    let v = verify_timestamp(
        o.response.raw(),
        Datum::Digest(req.hash_algorithm(), req.digest()),
        &trust,
        &VerifyOptions::default(),
    )
    .unwrap();
    assert_eq!(v.imprint(), req.digest());
    assert!(clock.slept.lock().unwrap().is_empty());
}

#[test]
fn http_200_is_accepted() {
    good(200);
}

#[test]
fn http_201_is_accepted() {
    good(201);
}

#[test]
fn retries_after_500_then_succeeds() {
    let tsa = Tsa::new();
    let server = Server::start(move |hit, body| {
        if hit == 0 {
            Reply::status(500)
        } else {
            Reply::tsr(200, tsa.grant(body))
        }
    });
    let (cfg, clock) = config(vec![server.url.clone()]);
    let got = fetch(&cfg, &request()).unwrap();
    assert_eq!(got[0].attempts, 2);
    assert_eq!(server.hits(), 2);
    let slept = clock.slept.lock().unwrap().clone();
    assert_eq!(slept.len(), 1);
    // Equal jitter around the 20 ms base: within [10, 20) ms.
    assert!(
        slept[0] >= Duration::from_millis(10) && slept[0] < Duration::from_millis(20),
        "{slept:?}"
    );
}

#[test]
fn honours_retry_after_on_429() {
    let tsa = Tsa::new();
    let server = Server::start(move |hit, body| {
        if hit == 0 {
            Reply::status(429).header("Retry-After", "3")
        } else {
            Reply::tsr(200, tsa.grant(body))
        }
    });
    let (cfg, clock) = config(vec![server.url.clone()]);
    let got = fetch(&cfg, &request()).unwrap();
    assert_eq!(got[0].attempts, 2);
    assert_eq!(*clock.slept.lock().unwrap(), vec![Duration::from_secs(3)]);
}

#[test]
fn retry_after_beyond_the_budget_gives_up_without_waiting() {
    let server = Server::start(|_, _| Reply::status(503).header("Retry-After", "60"));
    let (mut cfg, clock) = config(vec![server.url.clone()]);
    cfg.per_tsa_timeout = Duration::from_secs(10);
    let f = only_failure(fetch(&cfg, &request()).unwrap_err());
    assert!(
        matches!(f.gave_up, GaveUp::RetryAfterBeyondBudget { retry_after, .. } if retry_after == Duration::from_secs(60))
    );
    assert!(matches!(
        f.attempts[..],
        [AttemptError::HttpStatus {
            status: 503,
            retry_after: Some(_)
        }]
    ));
    assert!(clock.slept.lock().unwrap().is_empty());
    assert_eq!(server.hits(), 1);
}

#[test]
fn always_500_fails_naming_url_and_status() {
    let server = Server::start(|_, _| Reply::status(500));
    let (cfg, clock) = config(vec![server.url.clone()]);
    let err = fetch(&cfg, &request()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains(&server.url), "{msg}");
    assert!(msg.contains("HTTP 500"), "{msg}");
    let f = only_failure(err);
    assert_eq!(f.url.to_string(), server.url);
    assert_eq!(f.gave_up, GaveUp::AttemptLimit { max: 3 });
    assert_eq!(f.attempts.len(), 3);
    assert!(f.attempts.iter().all(|a| matches!(
        a,
        AttemptError::HttpStatus {
            status: 500,
            retry_after: None
        }
    )));
    assert_eq!(
        f.last_error().and_then(AttemptError::http_status),
        Some(500)
    );
    assert_eq!(server.hits(), 3);
    // Backoff doubles: [10,20) then [20,40) ms.
    let slept = clock.slept.lock().unwrap().clone();
    assert_eq!(slept.len(), 2);
    assert!(
        slept[1] >= Duration::from_millis(20) && slept[1] < Duration::from_millis(40),
        "{slept:?}"
    );
}

#[test]
fn client_errors_other_than_429_are_not_retried() {
    let server = Server::start(|_, _| Reply::status(404));
    let (cfg, _) = config(vec![server.url.clone()]);
    let f = only_failure(fetch(&cfg, &request()).unwrap_err());
    assert!(matches!(
        f.attempts[..],
        [AttemptError::HttpStatus { status: 404, .. }]
    ));
    assert_eq!(f.gave_up, GaveUp::NotRetryable);
    assert_eq!(server.hits(), 1);
}

#[test]
fn html_reply_is_a_content_type_error() {
    let server = Server::start(|_, _| Reply {
        content_type: Some("text/html; charset=utf-8".into()),
        ..Reply::tsr(200, b"<html>login</html>".to_vec())
    });
    let (cfg, _) = config(vec![server.url.clone()]);
    let err = fetch(&cfg, &request()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("text/html"), "{msg}");
    let f = only_failure(err);
    assert!(
        matches!(&f.attempts[..], [AttemptError::ContentType { status: 200, found: Some(ct) }] if ct == "text/html; charset=utf-8"),
        "{f:?}"
    );
    assert_eq!(server.hits(), 1, "not retried");
}

#[test]
fn missing_content_type_is_an_error_and_parameters_are_allowed() {
    let server = Server::start(|_, _| Reply {
        content_type: None,
        ..Reply::tsr(200, vec![0x30, 0x00])
    });
    let (cfg, _) = config(vec![server.url.clone()]);
    let f = only_failure(fetch(&cfg, &request()).unwrap_err());
    assert!(
        matches!(
            &f.attempts[..],
            [AttemptError::ContentType { found: None, .. }]
        ),
        "{f:?}"
    );

    let tsa = Tsa::new();
    let server = Server::start(move |_, body| Reply {
        content_type: Some("Application/Timestamp-Reply; foo=bar".into()),
        ..Reply::tsr(200, tsa.grant(body))
    });
    let (cfg, _) = config(vec![server.url.clone()]);
    fetch(&cfg, &request()).unwrap();
}

#[test]
fn garbage_body_is_rejected() {
    let server = Server::start(|_, _| Reply::tsr(200, b"this is not DER at all".to_vec()));
    let (cfg, _) = config(vec![server.url.clone()]);
    let f = only_failure(fetch(&cfg, &request()).unwrap_err());
    match &f.attempts[..] {
        [AttemptError::Response(e)] => assert!(
            matches!(**e, Error::Ber { .. } | Error::Asn1 { .. }),
            "{e:?}"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(f.gave_up, GaveUp::NotRetryable);
}

#[test]
fn stale_response_with_another_nonce_is_rejected() {
    let tsa = Tsa::new();
    // The TSA (or an attacker on plain HTTP) replays a response to an earlier request for
    // the same data.
    let old = TimeStampRequest::for_data(
        modelsign_pki::HashAlgorithm::Sha256,
        b"raw signature bytes",
        None,
    )
    .unwrap();
    let stale = tsa.grant(&old.to_der());
    let server = Server::start(move |_, _| Reply::tsr(200, stale.clone()));
    let (cfg, _) = config(vec![server.url.clone()]);
    let err = fetch(&cfg, &request()).unwrap_err();
    assert!(err.to_string().contains("nonce"), "{err}");
    let f = only_failure(err);
    match &f.attempts[..] {
        [AttemptError::Response(e)] => {
            assert!(
                matches!(&**e, Error::Verification(v) if matches!(Borrow::<VerificationError>::borrow(v), VerificationError::NonceMismatch { .. })),
                "{e:?}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.hits(), 1);
}

#[test]
fn body_over_one_mib_is_refused() {
    for chunked in [false, true] {
        let server = Server::start(move |_, _| Reply {
            chunked,
            ..Reply::tsr(200, vec![0x30; MAX_RESPONSE_LEN + 10])
        });
        let (cfg, _) = config(vec![server.url.clone()]);
        let f = only_failure(fetch(&cfg, &request()).unwrap_err());
        assert!(
            matches!(
                &f.attempts[..],
                [AttemptError::BodyTooLarge {
                    max: MAX_RESPONSE_LEN
                }]
            ),
            "chunked={chunked}: {f:?}"
        );
    }
}

#[test]
fn slow_tsa_times_out_within_the_budget() {
    // Real clock here: the budget is real time.
    let server = Server::start(|_, _| Reply {
        delay: Duration::from_secs(3),
        ..Reply::status(500)
    });
    let mut cfg = ClientConfig::new(vec![server.url.clone()]);
    cfg.per_tsa_timeout = Duration::from_millis(400);
    cfg.retry = RetryPolicy {
        max_attempts: 5,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(20),
    };
    let started = Instant::now();
    let f = only_failure(fetch(&cfg, &request()).unwrap_err());
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(380) && took < Duration::from_millis(1000),
        "took {took:?}"
    );
    assert!(
        matches!(f.attempts.first(), Some(AttemptError::Timeout { .. })),
        "{f:?}"
    );
    assert!(
        f.attempts
            .iter()
            .all(|a| matches!(a, AttemptError::Timeout { .. })),
        "{f:?}"
    );
    assert_eq!(
        f.gave_up,
        GaveUp::BudgetExhausted {
            budget: Duration::from_millis(400)
        }
    );
}

#[test]
fn falls_back_to_the_next_url_when_the_first_is_down() {
    let tsa = Tsa::new();
    let down = closed_port_url();
    let server = Server::granting(tsa, 200);
    let (cfg, _) = config(vec![down.clone(), server.url.clone()]);
    let got = fetch(&cfg, &request()).unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].url.to_string(), server.url);
    assert_eq!(server.hits(), 1);
}

#[test]
fn every_url_down_lists_each_with_its_cause() {
    let down = closed_port_url();
    let server = Server::start(|_, _| Reply::status(502));
    let (cfg, _) = config(vec![down.clone(), server.url.clone()]);
    let err = fetch(&cfg, &request()).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains(&down) && msg.contains(&server.url) && msg.contains("HTTP 502"),
        "{msg}"
    );
    let ClientError::Failed { failures, .. } = err else {
        panic!()
    };
    assert_eq!(failures.len(), 2);
    assert!(
        failures[0]
            .attempts
            .iter()
            .all(|a| matches!(a, AttemptError::Transport(_))),
        "{:?}",
        failures[0]
    );
    assert_eq!(
        failures[0].attempts.len(),
        3,
        "connection errors are retried"
    );
}

#[test]
fn all_mode_returns_every_response() {
    let (a, b) = (
        Server::granting(Tsa::new(), 200),
        Server::granting(Tsa::new(), 201),
    );
    let (mut cfg, _) = config(vec![a.url.clone(), b.url.clone()]);
    cfg.mode = FetchMode::All;
    let got = fetch(&cfg, &request()).unwrap();
    let urls: Vec<String> = got.iter().map(|o| o.url.to_string()).collect();
    assert_eq!(urls, vec![a.url.clone(), b.url.clone()]);
}

#[test]
fn all_mode_fails_when_one_tsa_fails() {
    let a = Server::granting(Tsa::new(), 200);
    let b = Server::start(|_, _| Reply::status(500));
    let (mut cfg, _) = config(vec![a.url.clone(), b.url.clone()]);
    cfg.mode = FetchMode::All;
    let err = fetch(&cfg, &request()).unwrap_err();
    assert!(err.to_string().contains("1 of 2 TSAs failed"), "{err}");
    let ClientError::Failed {
        mode: FetchMode::All,
        failures,
        succeeded: 1,
    } = err
    else {
        panic!("{err:?}")
    };
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0].url.to_string(), b.url);
    assert_eq!(a.hits(), 1);
}

#[test]
fn credentials_in_urls_are_redacted_everywhere() {
    let server = Server::start(|_, _| Reply::status(500));
    let with_creds = server.url.replace("http://", "http://alice:s3cret@");
    let (cfg, _) = config(vec![with_creds]);
    let err = fetch(&cfg, &request()).unwrap_err();
    for text in [err.to_string(), format!("{err:?}")] {
        assert!(
            !text.contains("s3cret") && !text.contains("alice"),
            "{text}"
        );
        assert!(text.contains("http://***@127.0.0.1:"), "{text}");
    }
    assert_eq!(server.hits(), 3, "the request was still sent");

    let err =
        TsaClient::new(ClientConfig::new(vec!["ftp://bob:hunter2@host/".into()])).unwrap_err();
    assert!(matches!(err, ClientError::InvalidUrl { .. }));
    assert_eq!(
        err.to_string(),
        "TSA URL ftp://***@host/ is not usable: scheme must be http or https"
    );
}

#[test]
fn configuration_errors() {
    assert!(matches!(
        TsaClient::new(ClientConfig::new(vec![])),
        Err(ClientError::NoUrls)
    ));
    assert!(matches!(
        TsaClient::new(ClientConfig::new(vec!["http://h/".into(); 17])),
        Err(ClientError::TooManyUrls { count: 17, max: 16 })
    ));
    for bad in ["tsa.example/ts", "http:///nohost", "not a url"] {
        assert!(
            matches!(
                TsaClient::new(ClientConfig::new(vec![bad.into()])),
                Err(ClientError::InvalidUrl { .. })
            ),
            "{bad}"
        );
    }
}

#[test]
fn verify_before_store_with_trust() {
    let tsa = Tsa::new();
    let server = Server::granting(tsa.clone(), 200);
    let req = request();
    let (mut cfg, _) = config(vec![server.url.clone()]);
    cfg.trust = Some(TsaTrust::from_certificates(vec![tsa.root.clone()]).unwrap());
    let got = fetch(&cfg, &req).unwrap();
    let v = got[0].verified.as_ref().expect("verified");
    assert_eq!(v.tsa_certificate(), &tsa.chain[0]);

    // Another TSA's root: the response is well-formed for the request but not trusted.
    let other = DevPki::tsa(Time::now(), KeyKind::EcdsaP256).unwrap();
    cfg.trust = Some(TsaTrust::from_certificates(vec![other.root.cert]).unwrap());
    let f = only_failure(fetch(&cfg, &req).unwrap_err());
    assert!(
        matches!(&f.attempts[..], [AttemptError::Untrusted(e)] if matches!(**e, Error::Verification(_))),
        "{f:?}"
    );
    assert_eq!(f.gave_up, GaveUp::NotRetryable);
}

#[test]
fn https_runs_on_the_aws_lc_provider() {
    // A plain-HTTP server on an https URL: the TLS handshake fails. Reaching the handshake
    // at all proves a rustls crypto provider is configured (rust-stack.md P13: without one
    // ureq panics on the first https request).
    let server = Server::start(|_, _| Reply::status(500));
    let (cfg, _) = config(vec![server.url.replace("http://", "https://")]);
    let f = only_failure(fetch(&cfg, &request()).unwrap_err());
    assert!(
        f.attempts
            .iter()
            .all(|a| matches!(a, AttemptError::Transport(_))),
        "{f:?}"
    );
}

//! The HTTP API on loopback: routes, content types, limits, RFC 3161 rejections, tokens
//! that modelsign's own verifier accepts, and the audit log.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{Read, Write};
use std::time::Duration;

use common::{connect, parse_response, post_query, request, TestServer};
use const_oid::ObjectIdentifier;
use modelsign_pki::{certificates_from_pem, HashAlgorithm, KeyKind};
use modelsign_tsa_server::DEFAULT_POLICY;
use modelsign_tsp::asn1::{PkiFailureInfo, PkiStatus};
use modelsign_tsp::trust::TsaTrust;
use modelsign_tsp::verify::{check_response, verify_timestamp, Datum, VerifyOptions};
use modelsign_tsp::{TimeStampRequest, TimeStampResponse};

const SHA1_REQUEST: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/testdata/tsp-corpus/bouncycastle/ParseTest_sha1Request.tsq"
));

fn rejection_of(body: &[u8]) -> PkiFailureInfo {
    let response = TimeStampResponse::from_der(body).unwrap();
    assert_eq!(response.status().status(), PkiStatus::Rejection);
    assert!(response.token().is_none());
    response.status().fail_info().unwrap()
}

#[test]
fn certchain_is_pem_leaf_first_root_last() {
    let server = TestServer::start(KeyKind::EcdsaP256, |_, _| {});
    let response = request(server.addr, "GET", "/api/v1/timestamp/certchain", None, b"");
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-type"),
        Some("application/pem-certificate-chain")
    );
    let served = certificates_from_pem(&response.body).unwrap();
    assert_eq!(served.len(), 2);
    assert_eq!(served[0].der(), server.chain[0].der());
    assert!(!served[0].is_self_signed());
    assert!(served[1].is_self_signed());
    assert_eq!(std::fs::read(&server.chain_path).unwrap(), response.body);
}

#[test]
fn healthz_answers_ok() {
    let server = TestServer::start(KeyKind::EcdsaP256, |_, _| {});
    let response = request(server.addr, "GET", "/healthz", None, b"");
    assert_eq!(
        (response.status, response.body.as_slice()),
        (200, &b"ok\n"[..])
    );
}

#[test]
fn granted_tokens_verify_with_modelsign_on_both_routes() {
    let server = TestServer::start(KeyKind::EcdsaP256, |_, _| {});
    let trust = TsaTrust::from_certificates(server.chain.clone()).unwrap();
    for path in ["/api/v1/timestamp", "/"] {
        for content_type in [
            "application/timestamp-query",
            "application/timestamp-query; charset=binary",
        ] {
            let data = format!("signature bytes for {path} {content_type}");
            let req =
                TimeStampRequest::for_data(HashAlgorithm::Sha384, data.as_bytes(), None).unwrap();
            let response = request(server.addr, "POST", path, Some(content_type), &req.to_der());
            assert_eq!(response.status, 200);
            assert_eq!(
                response.header("content-type"),
                Some("application/timestamp-reply")
            );
            check_response(&response.body, &req).unwrap();
            let verified = verify_timestamp(
                &response.body,
                Datum::Data(data.as_bytes()),
                &trust,
                &VerifyOptions::default(),
            )
            .unwrap();
            assert_eq!(verified.policy(), DEFAULT_POLICY);
            assert_eq!(verified.hash_algorithm(), HashAlgorithm::Sha384);
            assert_eq!(
                verified.gen_time().subsec_nanos() % 1_000_000,
                0,
                "millisecond precision"
            );
            assert_eq!(verified.accuracy().unwrap().seconds, 1);
            // 128 random bits as a positive INTEGER: 16 bytes, 17 with a sign octet.
            let serial = verified.serial_hex();
            assert!(
                serial.len() <= 34 && (serial.len() <= 32 || serial.starts_with("00")),
                "serial {serial}"
            );
        }
    }
}

#[test]
fn wrong_content_type_is_415() {
    let server = TestServer::start(KeyKind::EcdsaP256, |_, _| {});
    let req = TimeStampRequest::for_data(HashAlgorithm::Sha256, b"x", None)
        .unwrap()
        .to_der();
    for ct in [
        Some("application/octet-stream"),
        Some("application/timestamp-reply"),
        None,
    ] {
        let response = request(server.addr, "POST", "/api/v1/timestamp", ct, &req);
        assert_eq!(response.status, 415, "content type {ct:?}");
    }
}

#[test]
fn other_methods_are_405() {
    let server = TestServer::start(KeyKind::EcdsaP256, |_, _| {});
    for (method, path) in [
        ("GET", "/api/v1/timestamp"),
        ("PUT", "/api/v1/timestamp"),
        ("GET", "/"),
        ("POST", "/healthz"),
    ] {
        let response = request(
            server.addr,
            method,
            path,
            Some("application/timestamp-query"),
            b"",
        );
        assert_eq!(response.status, 405, "{method} {path}");
        let allow = response.header("allow").unwrap_or_default();
        let expected = if path.ends_with("timestamp") || path == "/" {
            "POST"
        } else {
            "GET,HEAD"
        };
        assert_eq!(allow, expected, "{method} {path}");
    }
}

#[test]
fn unknown_paths_are_404_and_head_is_answered() {
    let server = TestServer::start(KeyKind::EcdsaP256, |_, _| {});
    for (method, path) in [
        ("POST", "/api/v1/timestamps"),
        ("GET", "/api/v2/timestamp/certchain"),
        ("GET", "/healthz/"),
    ] {
        let response = request(server.addr, method, path, None, b"");
        assert_eq!(response.status, 404, "{method} {path}");
    }
    let response = request(server.addr, "HEAD", "/healthz", None, b"");
    assert_eq!(response.status, 200);
    assert!(response.body.is_empty());
    let response = request(
        server.addr,
        "HEAD",
        "/api/v1/timestamp/certchain",
        None,
        b"",
    );
    assert_eq!(response.status, 200);
    assert_eq!(
        response.header("content-type"),
        Some("application/pem-certificate-chain")
    );
}

#[test]
fn oversize_body_is_413_without_reading_it() {
    let server = TestServer::start(KeyKind::EcdsaP256, |_, _| {});
    // Declared length over the limit: the answer comes although the body is never sent.
    let mut stream = connect(server.addr);
    let head = format!(
        "POST /api/v1/timestamp HTTP/1.1\r\nHost: x\r\nContent-Type: application/timestamp-query\r\nContent-Length: {}\r\n\r\n",
        64 * 1024 + 1
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut raw = vec![0u8; 4096];
    let n = stream.read(&mut raw).unwrap();
    assert_eq!(parse_response(&raw[..n]).unwrap().status, 413);

    // Chunked, no declared length: stops at the limit.
    let mut stream = connect(server.addr);
    stream
        .write_all(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/timestamp-query\r\nTransfer-Encoding: chunked\r\n\r\n")
        .unwrap();
    let chunk = vec![0x30u8; 16 * 1024];
    let mut answered = None;
    for _ in 0..8 {
        if stream
            .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
            .is_err()
            || stream.write_all(&chunk).is_err()
            || stream.write_all(b"\r\n").is_err()
        {
            break;
        }
    }
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    if let Some(r) = parse_response(&raw) {
        answered = Some(r.status);
    }
    assert_eq!(answered, Some(413));

    // Exactly at the limit is read (and rejected as a bad request, not as too large).
    let response = post_query(server.addr, &vec![0x30u8; 64 * 1024]);
    assert_eq!(response.status, 200);
    assert_eq!(rejection_of(&response.body), PkiFailureInfo::BAD_REQUEST);
}

#[test]
fn garbage_der_is_rejected_with_bad_request() {
    let server = TestServer::start(KeyKind::EcdsaP256, |_, _| {});
    for body in [
        &b""[..],
        b"\x30",
        b"not DER at all",
        b"\x30\x03\x02\x01\x01",
        b"\x30\x80\x00\x00",
    ] {
        let response = post_query(server.addr, body);
        assert_eq!(response.status, 200, "body {body:?}");
        assert_eq!(
            response.header("content-type"),
            Some("application/timestamp-reply")
        );
        assert_eq!(
            rejection_of(&response.body),
            PkiFailureInfo::BAD_REQUEST,
            "body {body:?}"
        );
    }
}

#[test]
fn sha1_request_is_rejected_with_bad_alg() {
    let server = TestServer::start(KeyKind::EcdsaP256, |_, _| {});
    let response = post_query(server.addr, SHA1_REQUEST);
    assert_eq!(response.status, 200);
    assert_eq!(rejection_of(&response.body), PkiFailureInfo::BAD_ALG);
}

#[test]
fn policies_are_checked_against_the_accepted_list() {
    let extra = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.99999.1");
    let unknown = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.99999.2");
    let server = TestServer::start(KeyKind::EcdsaP256, |c, _| c.accepted_policies = vec![extra]);
    let req = TimeStampRequest::for_data(HashAlgorithm::Sha256, b"x", Some(unknown)).unwrap();
    assert_eq!(
        rejection_of(&post_query(server.addr, &req.to_der()).body),
        PkiFailureInfo::UNACCEPTED_POLICY
    );

    let req = TimeStampRequest::for_data(HashAlgorithm::Sha256, b"x", Some(extra)).unwrap();
    let checked = check_response(&post_query(server.addr, &req.to_der()).body, &req).unwrap();
    assert_eq!(checked.token().unwrap().tst_info().policy, extra);
}

#[test]
fn audit_log_records_every_granted_token_and_no_rejection() {
    let mut server = TestServer::start(KeyKind::EcdsaP256, |c, dir| {
        c.audit_log = Some(dir.join("audit.jsonl"))
    });
    let audit_path = server.dir.path().join("audit.jsonl");
    let mut serials = Vec::new();
    for i in 0..20u8 {
        let req = TimeStampRequest::for_data(HashAlgorithm::Sha256, &[i], None).unwrap();
        let response = post_query(server.addr, &req.to_der());
        let checked = check_response(&response.body, &req).unwrap();
        serials.push(checked.token().unwrap().tst_info().serial_hex());
        // Durable before the response: the record is in the file now.
        let text = std::fs::read_to_string(&audit_path).unwrap();
        assert!(text.contains(&format!("\"serial\":\"{}\"", serials[usize::from(i)])));
    }
    assert_eq!(
        rejection_of(&post_query(server.addr, b"garbage").body),
        PkiFailureInfo::BAD_REQUEST
    );
    server.stop().unwrap();
    let text = std::fs::read_to_string(&audit_path).unwrap();
    let records: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 20);
    for (record, serial) in records.iter().zip(&serials) {
        assert_eq!(record["serial"].as_str(), Some(serial.as_str()));
        assert_eq!(record["hashAlgorithm"], "sha256");
        assert_eq!(record["policy"], DEFAULT_POLICY.to_string());
        assert_eq!(record["digest"].as_str().unwrap().len(), 64);
        assert!(record["genTime"].as_str().unwrap().ends_with('Z'));
    }
}

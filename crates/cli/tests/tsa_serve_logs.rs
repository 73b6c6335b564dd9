//! `modelsign tsa serve` logs one line per issued token by default (issue 5: "structured
//! logs with one line per issued token (serial, imprint, policy, latency)"), as text or, with
//! `MODELSIGN_LOG_FORMAT=json`, as JSON lines; `MODELSIGN_LOG=warn` silences them. The lines
//! go through a buffered writer thread, so they must all be there after a graceful stop.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use modelsign_pki::HashAlgorithm;
use modelsign_tsp::asn1::PkiStatus;
use modelsign_tsp::{TimeStampRequest, TimeStampResponse};

/// Tokens requested per run.
const TOKENS: usize = 5;

/// Starts `tsa serve --dev` with `env`; returns the child and its address.
fn start(env: &[(&str, &str)], dir: &std::path::Path) -> (Child, SocketAddr) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_modelsign"));
    command
        .args([
            "tsa",
            "serve",
            "--dev",
            "--listen",
            "127.0.0.1:0",
            "--dev-dir",
        ])
        .arg(dir)
        .env_remove("MODELSIGN_LOG")
        .env_remove("MODELSIGN_LOG_FORMAT")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        command.env(k, v);
    }
    let mut child = command.spawn().unwrap();
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    let addr = first_line
        .trim()
        .strip_prefix("TSA listening on http://")
        .and_then(|s| s.strip_suffix("/api/v1/timestamp"))
        .unwrap_or_else(|| panic!("unexpected first line {first_line:?}"))
        .parse()
        .unwrap();
    (child, addr)
}

/// One request; the granted token's serial (hex of the INTEGER contents, as logged and
/// audited) and imprint.
fn timestamp(addr: SocketAddr, n: usize) -> (String, String) {
    let request =
        TimeStampRequest::for_data(HashAlgorithm::Sha256, format!("datum {n}").as_bytes(), None)
            .unwrap();
    let body = request.to_der();
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let head = format!(
        "POST /api/v1/timestamp HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/timestamp-query\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let response = TimeStampResponse::from_der(&raw[split + 4..]).unwrap();
    assert_eq!(response.status().status(), PkiStatus::Granted);
    let serial = response.token().unwrap().tst_info().serial_hex();
    (serial, hex::encode(request.digest()))
}

/// Runs the server with `env`, asks for [`TOKENS`] tokens, stops it with SIGTERM and
/// returns the tokens and stderr.
fn run(env: &[(&str, &str)]) -> (Vec<(String, String)>, String) {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr) = start(env, dir.path());
    let tokens: Vec<_> = (0..TOKENS).map(|n| timestamp(addr, n)).collect();
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(child.wait().unwrap().success(), "stderr: {stderr}");
    (tokens, stderr)
}

#[test]
fn text_lines_name_every_token_by_default() {
    let (tokens, stderr) = run(&[]);
    let issued: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("timestamp issued"))
        .collect();
    assert_eq!(issued.len(), TOKENS, "stderr: {stderr}");
    for (serial, digest) in &tokens {
        let line = issued
            .iter()
            .find(|l| {
                l.split_whitespace()
                    .any(|w| w.strip_prefix("serial=") == Some(serial.as_str()))
            })
            .unwrap_or_else(|| panic!("no line for serial {serial}: {stderr}"));
        assert!(line.contains(&format!("imprint=sha256:{digest}")), "{line}");
        assert!(line.contains("policy=1.3.6.1.4.1.57264.2"), "{line}");
        assert!(line.contains("latency_us="), "{line}");
        // Not a terminal: no colour codes.
        assert!(!line.contains('\u{1b}'), "{line:?}");
    }
}

#[test]
fn json_lines_when_asked() {
    let (tokens, stderr) = run(&[("MODELSIGN_LOG_FORMAT", "json")]);
    let issued: Vec<serde_json::Value> = stderr
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["fields"]["message"] == "timestamp issued")
        .collect();
    assert_eq!(issued.len(), TOKENS, "stderr: {stderr}");
    for (serial, digest) in &tokens {
        let entry = issued
            .iter()
            .find(|v| v["fields"]["serial"].as_str() == Some(serial.as_str()))
            .unwrap_or_else(|| panic!("no line for serial {serial}: {stderr}"));
        assert_eq!(entry["level"], "INFO");
        assert_eq!(
            entry["fields"]["imprint"],
            format!("sha256:{digest}").as_str()
        );
    }
}

#[test]
fn silenced_by_the_filter() {
    let (tokens, stderr) = run(&[("MODELSIGN_LOG", "warn")]);
    assert_eq!(tokens.len(), TOKENS);
    assert!(!stderr.contains("timestamp issued"), "stderr: {stderr}");
}

//! `modelsign tsa serve` logs one line per issued token by default (issue 5: "structured
//! logs with one line per issued token (serial, imprint, policy, latency)"), as text or, with
//! `MODELSIGN_LOG_FORMAT=json`, as JSON lines; `MODELSIGN_LOG=warn` silences them. The lines
//! go through a buffered writer thread, so they must all be there after a graceful stop.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod tsa_serve_support;

use std::io::Read;
use std::net::SocketAddr;
use std::process::{Command, Stdio};

use modelsign_pki::HashAlgorithm;
use modelsign_tsp::asn1::PkiStatus;
use modelsign_tsp::{TimeStampRequest, TimeStampResponse};
use tsa_serve_support::{post_timestamp_query, start_dev_tsa};

/// Tokens requested per run.
const TOKENS: usize = 5;

/// One request; the granted token's serial (hex of the INTEGER contents, as logged and
/// audited) and imprint.
fn timestamp(addr: SocketAddr, n: usize) -> (String, String) {
    let request =
        TimeStampRequest::for_data(HashAlgorithm::Sha256, format!("datum {n}").as_bytes(), None)
            .unwrap();
    let body = post_timestamp_query(addr, &request.to_der()).expect("HTTP 200");
    let response = TimeStampResponse::from_der(&body).unwrap();
    assert_eq!(response.status().status(), PkiStatus::Granted);
    let serial = response.token().unwrap().tst_info().serial_hex();
    (serial, hex::encode(request.digest()))
}

/// Runs the server with `env`, asks for [`TOKENS`] tokens, stops it with SIGTERM and
/// returns the tokens and stderr.
fn run(env: &[(&str, &str)]) -> (Vec<(String, String)>, String) {
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr) = start_dev_tsa(&[], dir.path(), &[], env, Stdio::piped());
    let tokens: Vec<_> = (0..TOKENS).map(|n| timestamp(addr, n)).collect();
    let stderr = stop_gracefully(&mut child);
    (tokens, stderr)
}

/// Stops the server with SIGTERM; its whole stderr, once it has exited successfully.
fn stop_gracefully(child: &mut std::process::Child) -> String {
    send_sigterm(child);
    stderr_after_success(child)
}

fn send_sigterm(child: &std::process::Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// The child's whole stderr, once it has exited successfully.
fn stderr_after_success(child: &mut std::process::Child) -> String {
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(child.wait().unwrap().success(), "stderr: {stderr}");
    stderr
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

/// Names of the threads of process `pid` (Linux `/proc`).
#[cfg(target_os = "linux")]
fn thread_names(pid: u32) -> Vec<String> {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .unwrap()
        .map(|t| std::fs::read_to_string(t.unwrap().path().join("comm")).unwrap())
        .map(|n| n.trim().to_owned())
        .collect()
}

/// The server runs one current-thread runtime per usable CPU (`tsa-server/src/workers.rs`):
/// the main thread's plus `tsa-worker-N` threads for the others, so none on one CPU. Either
/// way it must serve, stop on SIGTERM and flush every line. `taskset` (util-linux) is on
/// every Debian system, so CI always runs this.
#[cfg(target_os = "linux")]
#[test]
fn one_worker_thread_per_further_cpu_and_a_graceful_stop() {
    let cpus = std::thread::available_parallelism().unwrap().get();
    let one_cpu = tsa_serve_support::one_cpu_wrapper();
    for (wrapper, workers) in [(&one_cpu[..], 0), (&[][..], cpus - 1)] {
        let dir = tempfile::tempdir().unwrap();
        let (mut child, addr) = start_dev_tsa(wrapper, dir.path(), &[], &[], Stdio::piped());
        let tokens: Vec<_> = (0..TOKENS).map(|n| timestamp(addr, n)).collect();
        let names = thread_names(child.id());
        let worker_threads = names
            .iter()
            .filter(|n| {
                n.strip_prefix("tsa-worker-")
                    .is_some_and(|i| i.parse::<usize>().is_ok())
            })
            .count();
        assert_eq!(worker_threads, workers, "{wrapper:?}: threads {names:?}");
        let stderr = stop_gracefully(&mut child);
        let issued = stderr
            .lines()
            .filter(|l| l.contains("timestamp issued"))
            .count();
        assert_eq!(issued, tokens.len(), "{wrapper:?}: stderr: {stderr}");
    }
}

/// SIGTERM while a request is in flight on every worker (one connection per CPU: each goes
/// to the worker with the fewest open connections): every request still gets its token,
/// every token its log line, and the process exits successfully.
#[test]
fn sigterm_lets_requests_in_flight_on_every_worker_finish() {
    use std::io::Write;
    let connections = std::thread::available_parallelism().unwrap().get().max(2);
    let dir = tempfile::tempdir().unwrap();
    let (mut child, addr) = start_dev_tsa(&[], dir.path(), &[], &[], Stdio::piped());
    let requests: Vec<_> = (0..connections)
        .map(|n| {
            let request = TimeStampRequest::for_data(
                HashAlgorithm::Sha256,
                format!("in flight {n}").as_bytes(),
                None,
            )
            .unwrap();
            let body = request.to_der();
            let mut stream = std::net::TcpStream::connect(addr).unwrap();
            stream
                .set_read_timeout(Some(std::time::Duration::from_secs(10)))
                .unwrap();
            let head = format!(
                "POST /api/v1/timestamp HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/timestamp-query\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            );
            stream.write_all(head.as_bytes()).unwrap();
            stream.write_all(&body[..10]).unwrap();
            (stream, body)
        })
        .collect();
    // Let every handler start waiting for the rest of its body, then stop the server.
    std::thread::sleep(std::time::Duration::from_millis(300));
    send_sigterm(&child);
    std::thread::sleep(std::time::Duration::from_millis(300));
    for (mut stream, body) in requests {
        stream.write_all(&body[10..]).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        assert!(
            raw.starts_with(b"HTTP/1.1 200"),
            "{}",
            String::from_utf8_lossy(&raw)
        );
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let response = TimeStampResponse::from_der(&raw[split + 4..]).unwrap();
        assert_eq!(response.status().status(), PkiStatus::Granted);
    }
    let stderr = stderr_after_success(&mut child);
    let issued = stderr
        .lines()
        .filter(|l| l.contains("timestamp issued"))
        .count();
    assert_eq!(issued, connections, "stderr: {stderr}");
}

//! `modelsign tsa serve --audit-log`: SIGKILL during load loses no record of a token a
//! client received (group commit releases a response only after its record is fsynced).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod tsa_serve_support;

use std::collections::HashSet;
use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use modelsign_tsp::asn1::PkiStatus;
use modelsign_tsp::TimeStampResponse;
use tsa_serve_support::{post_timestamp_query, start_dev_tsa};

/// Client threads hammering the server.
const CLIENTS: usize = 8;
/// Per-thread bound on requests, so the test ends even if the kill never happens.
const MAX_REQUESTS_PER_CLIENT: usize = 5_000;
/// Tokens received before the server is killed (enough to be under real load).
const KILL_AFTER_TOKENS: usize = 300;
/// Overall bound on the load phase.
const LOAD_DEADLINE: Duration = Duration::from_secs(30);

/// One POST with a fresh request; the serial of the granted token, if a complete granted
/// response arrived.
fn timestamp_once(addr: SocketAddr, n: usize) -> Option<String> {
    let data = format!("datum {n}");
    let request = modelsign_tsp::TimeStampRequest::for_data(
        modelsign_pki::HashAlgorithm::Sha256,
        data.as_bytes(),
        None,
    )
    .ok()?;
    let body = post_timestamp_query(addr, &request.to_der())?;
    let response = TimeStampResponse::from_der(&body).ok()?;
    if response.status().status() != PkiStatus::Granted {
        return None;
    }
    Some(response.token()?.tst_info().serial_hex())
}

#[test]
fn sigkill_under_load_loses_no_audit_record_of_a_received_token() {
    sigkill_under_load(&[]);
}

/// On one CPU the server runs a current-thread runtime and the audit writer shares that
/// CPU with it (`tsa-server/src/runtime.rs`); the guarantee must hold there too.
#[cfg(target_os = "linux")]
#[test]
fn sigkill_under_load_on_one_cpu_loses_no_audit_record_of_a_received_token() {
    sigkill_under_load(&tsa_serve_support::one_cpu_wrapper());
}

fn sigkill_under_load(wrapper: &[String]) {
    let dir = tempfile::tempdir().unwrap();
    let audit = dir.path().join("audit.jsonl");
    let (mut child, addr) = start_dev_tsa(
        wrapper,
        dir.path(),
        &["--audit-log".as_ref(), audit.as_os_str()],
        &[],
        Stdio::null(),
    );

    let received = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (received, stop) = (Arc::clone(&received), Arc::clone(&stop));
            std::thread::spawn(move || {
                let mut failures_after_kill = 0;
                for i in 0..MAX_REQUESTS_PER_CLIENT {
                    if started.elapsed() > LOAD_DEADLINE || failures_after_kill > 3 {
                        break;
                    }
                    match timestamp_once(addr, c * MAX_REQUESTS_PER_CLIENT + i) {
                        Some(serial) => received.lock().unwrap().push(serial),
                        None if stop.load(Ordering::Acquire) => failures_after_kill += 1,
                        None => {}
                    }
                }
            })
        })
        .collect();
    while received.lock().unwrap().len() < KILL_AFTER_TOKENS && started.elapsed() < LOAD_DEADLINE {
        std::thread::sleep(Duration::from_millis(5));
    }
    // std's Child::kill is SIGKILL on Unix: no shutdown code runs.
    child.kill().unwrap();
    child.wait().unwrap();
    stop.store(true, Ordering::Release);
    for c in clients {
        c.join().unwrap();
    }

    let received = received.lock().unwrap().clone();
    assert!(
        received.len() >= KILL_AFTER_TOKENS,
        "only {} tokens before the deadline",
        received.len()
    );
    let text = std::fs::read_to_string(&audit).unwrap();
    // A torn final line (written, not synced, cut by the kill) is allowed; it cannot belong
    // to a token a client received.
    let recorded: HashSet<String> = text
        .split_inclusive('\n')
        .filter(|l| l.ends_with('\n'))
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["serial"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    let missing: Vec<&String> = received.iter().filter(|s| !recorded.contains(*s)).collect();
    assert!(
        missing.is_empty(),
        "{} of {} received tokens have no audit record: {missing:?}",
        missing.len(),
        received.len()
    );
    let distinct: HashSet<&String> = received.iter().collect();
    assert_eq!(distinct.len(), received.len(), "duplicate serials");
}

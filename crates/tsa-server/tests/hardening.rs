//! Abuse resistance: slow clients, concurrency, serial uniqueness, graceful shutdown.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::HashSet;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common::{connect, parse_response, post_query, TestServer};
use modelsign_pki::{HashAlgorithm, KeyKind};
use modelsign_tsp::verify::check_response;
use modelsign_tsp::TimeStampRequest;

#[test]
fn slow_header_clients_do_not_stop_others_and_are_cut_off() {
    let header_timeout = Duration::from_secs(2);
    let server = TestServer::start(KeyKind::EcdsaP256, |c, _| {
        c.limits.header_read_timeout = header_timeout
    });
    let head = b"POST /api/v1/timestamp HTTP/1.1\r\nHost: x\r\nContent-Type: application/timestamp-query\r\n";
    // Four slowloris clients, one header byte every 100 ms, each on its own thread.
    let slow: Vec<_> = (0..4)
        .map(|_| {
            let addr = server.addr;
            std::thread::spawn(move || {
                let mut stream = connect(addr);
                let started = Instant::now();
                for byte in head.iter() {
                    if stream.write_all(&[*byte]).is_err() {
                        break; // the server closed the connection
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
                // Whatever we sent, the server must have closed the connection by now or soon.
                let mut rest = Vec::new();
                let _ = stream.read_to_end(&mut rest);
                started.elapsed()
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(300));
    // Meanwhile ordinary clients are served promptly.
    for i in 0..20u8 {
        let started = Instant::now();
        let req = TimeStampRequest::for_data(HashAlgorithm::Sha256, &[i], None).unwrap();
        let response = post_query(server.addr, &req.to_der());
        check_response(&response.body, &req).unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "request {i} took {:?}",
            started.elapsed()
        );
    }
    for handle in slow {
        let held = handle.join().unwrap();
        // Cut off at the header timeout (plus scheduling slack), long before the ~8 s the
        // full head would take.
        assert!(
            held >= header_timeout && held < header_timeout + Duration::from_millis(1500),
            "held {held:?}"
        );
    }
}

#[test]
fn a_thousand_requests_get_a_thousand_distinct_serials() {
    let server = TestServer::start(KeyKind::EcdsaP256, |_, _| {});
    let addr = server.addr;
    let started = Instant::now();
    let workers: Vec<_> = (0..16u32)
        .map(|w| {
            std::thread::spawn(move || {
                let mut serials = Vec::new();
                // 16 workers x 63 + 8 = 1000 requests
                let count = if w < 8 { 63 } else { 62 };
                for i in 0..count {
                    let req = TimeStampRequest::for_data(
                        HashAlgorithm::Sha256,
                        format!("{w}/{i}").as_bytes(),
                        None,
                    )
                    .unwrap();
                    let response = post_query(addr, &req.to_der());
                    let checked = check_response(&response.body, &req).unwrap();
                    serials.push(checked.token().unwrap().tst_info().serial_hex());
                }
                serials
            })
        })
        .collect();
    let all: Vec<String> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    assert_eq!(all.len(), 1000);
    let distinct: HashSet<&String> = all.iter().collect();
    assert_eq!(distinct.len(), 1000);
    assert!(started.elapsed() < Duration::from_secs(60));
}

#[test]
fn shutdown_finishes_requests_in_flight() {
    let mut server = TestServer::start(KeyKind::EcdsaP256, |_, _| {});
    let req = TimeStampRequest::for_data(HashAlgorithm::Sha256, b"in flight", None).unwrap();
    let body = req.to_der();
    let mut stream = connect(server.addr);
    let head = format!(
        "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/timestamp-query\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(&body[..10]).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    server.begin_shutdown();
    std::thread::sleep(Duration::from_millis(200));
    // New connections are refused once the listener is closed...
    assert!(std::net::TcpStream::connect_timeout(&server.addr, Duration::from_secs(2)).is_err());
    // ...but the request in flight completes.
    stream.write_all(&body[10..]).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let response = parse_response(&raw).unwrap();
    assert_eq!(response.status, 200);
    check_response(&response.body, &req).unwrap();
    server.stop().unwrap();
}

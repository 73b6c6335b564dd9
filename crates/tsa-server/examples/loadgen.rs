//! Load generator for `scripts/bench-tsa.sh`: N keep-alive HTTP/1.1 connections POST a
//! fixed TimeStampReq for a fixed time; prints tokens/s, latency percentiles and errors.
//!
//! Usage: `loadgen HOST:PORT CONNECTIONS SECONDS`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use modelsign_pki::HashAlgorithm;
use modelsign_tsp::TimeStampRequest;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// PKIStatusInfo { status granted } right after the outer SEQUENCE header of a response.
const GRANTED: [u8; 5] = [0x30, 0x03, 0x02, 0x01, 0x00];

#[derive(Default)]
struct Tally {
    ok: u64,
    errors: u64,
    latencies_us: Vec<u32>,
}

async fn one_connection(addr: SocketAddr, request: Vec<u8>, until: Instant) -> Tally {
    let mut tally = Tally::default();
    let mut buf = vec![0u8; 16 * 1024];
    'reconnect: while Instant::now() < until {
        let Ok(mut stream) = TcpStream::connect(addr).await else {
            tally.errors += 1;
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        while Instant::now() < until {
            let started = Instant::now();
            if stream.write_all(&request).await.is_err() {
                tally.errors += 1;
                continue 'reconnect;
            }
            // Read the head, then Content-Length bytes of body.
            let mut filled = 0;
            let (head_end, length) = loop {
                match stream.read(&mut buf[filled..]).await {
                    Ok(0) | Err(_) => {
                        tally.errors += 1;
                        continue 'reconnect;
                    }
                    Ok(n) => filled += n,
                }
                if let Some(end) = buf[..filled].windows(4).position(|w| w == b"\r\n\r\n") {
                    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                    let length: usize = head
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .and_then(|v| v.trim().parse().ok())
                        .unwrap_or(0);
                    break (end + 4, length);
                }
                if filled == buf.len() {
                    tally.errors += 1;
                    continue 'reconnect;
                }
            };
            while filled < head_end + length {
                match stream.read(&mut buf[filled..]).await {
                    Ok(0) | Err(_) => {
                        tally.errors += 1;
                        continue 'reconnect;
                    }
                    Ok(n) => filled += n,
                }
            }
            let body = &buf[head_end..head_end + length];
            let granted = buf.starts_with(b"HTTP/1.1 200")
                && body.len() > 12
                && body[..12].windows(5).any(|w| w == GRANTED);
            if granted {
                tally.ok += 1;
                tally
                    .latencies_us
                    .push(u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX));
            } else {
                tally.errors += 1;
            }
        }
    }
    tally
}

/// `per_mille`-th latency in milliseconds (nearest rank).
fn percentile(sorted: &[u32], per_mille: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let index = (sorted.len() - 1) * per_mille / 1000;
    f64::from(sorted[index]) / 1000.0
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let addr: SocketAddr = args.get(1).expect("HOST:PORT").parse().unwrap();
    let connections: usize = args.get(2).map_or(64, |s| s.parse().unwrap());
    let seconds: u64 = args.get(3).map_or(20, |s| s.parse().unwrap());
    let der = TimeStampRequest::for_data(HashAlgorithm::Sha256, b"benchmark datum", None)
        .unwrap()
        .to_der();
    let mut request = format!(
        "POST /api/v1/timestamp HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/timestamp-query\r\nContent-Length: {}\r\n\r\n",
        der.len()
    )
    .into_bytes();
    request.extend_from_slice(&der);
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = (0..connections)
        .map(|_| tokio::spawn(one_connection(addr, request.clone(), until)))
        .collect();
    let mut total = Tally::default();
    for t in tasks {
        let t = t.await.unwrap();
        total.ok += t.ok;
        total.errors += t.errors;
        total.latencies_us.extend(t.latencies_us);
    }
    let elapsed = started.elapsed().as_secs_f64();
    total.latencies_us.sort_unstable();
    println!(
        "tokens/s={:.0} ok={} errors={} p50_ms={:.2} p99_ms={:.2} elapsed_s={:.1}",
        total.ok as f64 / elapsed,
        total.ok,
        total.errors,
        percentile(&total.latencies_us, 500),
        percentile(&total.latencies_us, 990),
        elapsed
    );
}

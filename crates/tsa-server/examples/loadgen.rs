//! Load generator for `scripts/bench-tsa.sh`: N keep-alive HTTP/1.1 connections POST a
//! fixed TimeStampReq for a fixed time; prints tokens/s, latency percentiles and errors.
//!
//! Usage: `loadgen HOST:PORT CONNECTIONS SECONDS [--spin]`
//!
//! By default one tokio thread waits in epoll for replies. On loopback the kernel delivers
//! a reply to the client inside the server's `write`, so when the client sleeps, the
//! server's thread also pays for waking it: on a VM an inter-processor interrupt, which
//! `perf` showed as about a fifth of the TSA's CPU per token. A client on another machine
//! costs the server none of that. `--spin` polls non-blocking sockets without ever sleeping
//! (it burns its own core, so use it only with the client pinned to cores of its own), which
//! removes the wake-up. Loopback still differs from remote clients: the server's `write`
//! also runs the client's TCP receive path, and the client's the server's.

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

/// What the bytes read so far on a connection hold.
#[derive(Debug, PartialEq, Eq)]
enum Reply {
    /// Not a whole response yet.
    Incomplete,
    /// A whole response; `granted` if it is HTTP 200 with a granted token.
    Complete { granted: bool },
    /// Not HTTP, or a head that does not fit the buffer.
    Malformed,
}

fn parse_reply(buf: &[u8], capacity: usize) -> Reply {
    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return if buf.len() >= capacity {
            Reply::Malformed
        } else {
            Reply::Incomplete
        };
    };
    let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let len = end + 4 + length;
    if len > capacity {
        return Reply::Malformed;
    }
    if buf.len() < len {
        return Reply::Incomplete;
    }
    let body = &buf[end + 4..len];
    let granted = buf.starts_with(b"HTTP/1.1 200")
        && body.len() > 12
        && body[..12].windows(5).any(|w| w == GRANTED);
    Reply::Complete { granted }
}

const BUFFER: usize = 16 * 1024;

impl Tally {
    fn count(&mut self, granted: bool, started: Instant) {
        if granted {
            self.ok += 1;
            self.latencies_us
                .push(u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX));
        } else {
            self.errors += 1;
        }
    }
}

async fn one_connection(addr: SocketAddr, request: Vec<u8>, until: Instant) -> Tally {
    let mut tally = Tally::default();
    let mut buf = vec![0u8; BUFFER];
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
            let mut filled = 0;
            loop {
                match stream.read(&mut buf[filled..]).await {
                    Ok(0) | Err(_) => {
                        tally.errors += 1;
                        continue 'reconnect;
                    }
                    Ok(n) => filled += n,
                }
                match parse_reply(&buf[..filled], BUFFER) {
                    Reply::Incomplete => {}
                    Reply::Complete { granted } => {
                        tally.count(granted, started);
                        break;
                    }
                    Reply::Malformed => {
                        tally.errors += 1;
                        continue 'reconnect;
                    }
                }
            }
        }
    }
    tally
}

/// One connection of the spinning client: non-blocking, polled in a loop.
struct Spinning {
    stream: Option<std::net::TcpStream>,
    buf: Vec<u8>,
    filled: usize,
    /// Bytes of the request written so far (== request length once sent).
    written: usize,
    started: Instant,
}

impl Spinning {
    fn new() -> Spinning {
        Spinning {
            stream: None,
            buf: vec![0u8; BUFFER],
            filled: 0,
            written: 0,
            started: Instant::now(),
        }
    }

    fn fail(&mut self, tally: &mut Tally) {
        tally.errors += 1;
        self.stream = None;
    }

    /// Advances this connection as far as it goes without blocking.
    fn step(&mut self, addr: SocketAddr, request: &[u8], tally: &mut Tally) {
        use std::io::{ErrorKind, Read, Write};
        if self.stream.is_none() {
            let Ok(stream) = std::net::TcpStream::connect(addr) else {
                tally.errors += 1;
                // As the sleeping client does: no tight retry loop against a server that is down.
                std::thread::sleep(Duration::from_millis(10));
                return;
            };
            let _ = stream.set_nodelay(true);
            stream.set_nonblocking(true).unwrap();
            self.stream = Some(stream);
            self.written = 0;
            self.filled = 0;
        }
        let Some(stream) = self.stream.as_mut() else {
            return;
        };
        if self.written == 0 {
            self.started = Instant::now();
        }
        if self.written < request.len() {
            match stream.write(&request[self.written..]) {
                Ok(n) => self.written += n,
                Err(e) if e.kind() == ErrorKind::WouldBlock => return,
                Err(_) => return self.fail(tally),
            }
            if self.written < request.len() {
                return;
            }
        }
        match stream.read(&mut self.buf[self.filled..]) {
            Ok(0) => return self.fail(tally),
            Ok(n) => self.filled += n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => return,
            Err(_) => return self.fail(tally),
        }
        match parse_reply(&self.buf[..self.filled], BUFFER) {
            Reply::Incomplete => {}
            Reply::Complete { granted } => {
                tally.count(granted, self.started);
                self.filled = 0;
                self.written = 0;
            }
            Reply::Malformed => self.fail(tally),
        }
    }
}

/// The spinning client: one thread polls every connection without ever sleeping, so the
/// server's replies never have to wake it (see the module documentation).
fn spin(addr: SocketAddr, connections: usize, request: &[u8], until: Instant) -> Tally {
    let mut tally = Tally::default();
    let mut all: Vec<Spinning> = (0..connections).map(|_| Spinning::new()).collect();
    while Instant::now() < until {
        for connection in &mut all {
            connection.step(addr, request, &mut tally);
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

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let addr: SocketAddr = args.get(1).expect("HOST:PORT").parse().unwrap();
    let connections: usize = args.get(2).map_or(64, |s| s.parse().unwrap());
    let seconds: u64 = args.get(3).map_or(20, |s| s.parse().unwrap());
    let spinning = match args.get(4).map(String::as_str) {
        None => false,
        Some("--spin") => true,
        Some(other) => {
            panic!("unknown option {other}; usage: loadgen HOST:PORT CONNECTIONS SECONDS [--spin]")
        }
    };
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
    let mut total = if spinning {
        spin(addr, connections, &request, until)
    } else {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async {
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
                total
            })
    };
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

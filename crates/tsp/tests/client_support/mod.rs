//! A scripted HTTP time-stamping authority on 127.0.0.1 for the client tests: each
//! connection's reply is chosen by a script from the hit number and the request body; good
//! replies come from the crate's own `Issuer` with a throwaway PKI. Loopback only, every
//! loop bounded. (Also used by the CLI tests via `#[path]`.)

// Test scaffolding: a failure to bind or build the TSA is a test failure, so unwrap.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use modelsign_devpki::DevPki;
use modelsign_pki::{Certificate, KeyKind, Time};
use modelsign_tsp::{Accuracy, Issuer, IssuerConfig, TimeStampRequest};

/// Connections one server accepts before its thread ends (bounds the accept loop).
const MAX_CONNECTIONS: usize = 64;
/// Largest request head + body the server reads.
const MAX_REQUEST: usize = 64 * 1024;

/// The policy the test TSA issues under (the Sigstore TSA's default).
pub const POLICY: &str = "1.3.6.1.4.1.57264.2";

/// What the server sends for one connection.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Send the body with chunked transfer coding (no Content-Length).
    pub chunked: bool,
    /// Wait this long before answering (a slow TSA).
    pub delay: Duration,
}

impl Reply {
    pub fn tsr(status: u16, body: Vec<u8>) -> Self {
        Reply {
            status,
            content_type: Some("application/timestamp-reply".into()),
            headers: vec![],
            body,
            chunked: false,
            delay: Duration::ZERO,
        }
    }
    pub fn status(status: u16) -> Self {
        Reply {
            content_type: Some("text/plain".into()),
            ..Reply::tsr(status, b"error".to_vec())
        }
    }
    pub fn header(mut self, k: &str, v: &str) -> Self {
        self.headers.push((k.into(), v.into()));
        self
    }
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub content_type: Option<String>,
    pub body: Vec<u8>,
}

/// A throwaway TSA: issuer plus its root.
pub struct Tsa {
    pub issuer: Issuer,
    pub root: Certificate,
    pub chain: Vec<Certificate>,
    serial: AtomicUsize,
}

impl Tsa {
    pub fn new() -> Arc<Self> {
        let pki = DevPki::tsa(Time::now(), KeyKind::EcdsaP256).unwrap();
        let chain = pki.chain();
        let root = pki.root.cert.clone();
        let config = IssuerConfig {
            policy: POLICY.parse().unwrap(),
            accepted_policies: vec![],
            accuracy: Some(Accuracy {
                seconds: 1,
                millis: 0,
                micros: 0,
            }),
            include_chain: true,
        };
        let issuer = Issuer::new(pki.leaf.key, chain.clone(), config).unwrap();
        Arc::new(Tsa {
            issuer,
            root,
            chain,
            serial: AtomicUsize::new(1),
        })
    }

    /// A granted response to `request_der`.
    pub fn grant(&self, request_der: &[u8]) -> Vec<u8> {
        let n = self.serial.fetch_add(1, Ordering::SeqCst);
        let mut serial = [0u8; 16];
        serial[8..].copy_from_slice(&u64::try_from(n).unwrap().to_be_bytes());
        self.issuer.respond(request_der, Time::now(), serial).der
    }
}

type Script = dyn Fn(usize, &[u8]) -> Reply + Send + Sync;

/// A running scripted server.
pub struct Server {
    pub url: String,
    hits: Arc<AtomicUsize>,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    /// Serves `script(hit_index, request_body)` for each connection (0-based hit index).
    pub fn start(script: impl Fn(usize, &[u8]) -> Reply + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/tsa", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(script);
        let (h, s) = (hits.clone(), seen.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().take(MAX_CONNECTIONS) {
                let Ok(stream) = stream else { continue };
                let (h, s, script) = (h.clone(), s.clone(), script.clone());
                // One thread per connection, so a slow reply does not hold up the next.
                std::thread::spawn(move || serve(stream, &h, &s, script.as_ref()));
            }
        });
        Server { url, hits, seen }
    }

    /// Always grants with `tsa`, with HTTP `status` (200 or 201).
    pub fn granting(tsa: Arc<Tsa>, status: u16) -> Server {
        Server::start(move |_, body| Reply::tsr(status, tsa.grant(body)))
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(stream: TcpStream, hits: &AtomicUsize, seen: &Mutex<Vec<Seen>>, script: &Script) {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut head = Vec::new();
    let mut content_length = 0usize;
    let mut content_type = None;
    let mut method = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || head.len() > MAX_REQUEST {
            return;
        }
        head.extend_from_slice(line.as_bytes());
        if method.is_empty() {
            method = line.split(' ').next().unwrap_or("").to_owned();
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            match k.trim().to_ascii_lowercase().as_str() {
                "content-length" => content_length = v.trim().parse().unwrap_or(0).min(MAX_REQUEST),
                "content-type" => content_type = Some(v.trim().to_owned()),
                _ => {}
            }
        }
    }
    let mut body = vec![0; content_length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let hit = hits.fetch_add(1, Ordering::SeqCst);
    seen.lock().unwrap().push(Seen {
        method,
        content_type,
        body: body.clone(),
    });
    let reply = script(hit, &body);
    if !reply.delay.is_zero() {
        std::thread::sleep(reply.delay);
    }
    let mut out = stream;
    let mut head = format!("HTTP/1.1 {} X\r\nConnection: close\r\n", reply.status);
    if let Some(ct) = &reply.content_type {
        head.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    for (k, v) in &reply.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if reply.chunked {
        head.push_str("Transfer-Encoding: chunked\r\n\r\n");
        let _ = out.write_all(head.as_bytes());
        for chunk in reply.body.chunks(64 * 1024) {
            if out
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .is_err()
                || out.write_all(chunk).is_err()
                || out.write_all(b"\r\n").is_err()
            {
                return; // the client stopped reading: expected for oversized bodies
            }
        }
        let _ = out.write_all(b"0\r\n\r\n");
    } else {
        head.push_str(&format!("Content-Length: {}\r\n\r\n", reply.body.len()));
        let _ = out.write_all(head.as_bytes());
        let _ = out.write_all(&reply.body);
    }
    let _ = out.flush();
}

/// A port on 127.0.0.1 where nothing listens (bound, then released).
pub fn closed_port_url() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    format!("http://127.0.0.1:{port}/tsa")
}

/// A client clock whose sleeps return at once and are recorded; `now` advances by them.
#[derive(Debug, Default)]
pub struct FakeClock {
    pub slept: Mutex<Vec<Duration>>,
}

impl modelsign_tsp::client::Clock for FakeClock {
    fn now(&self) -> Instant {
        let total: Duration = self.slept.lock().unwrap().iter().sum();
        Instant::now() + total
    }
    fn sleep(&self, d: Duration) {
        self.slept.lock().unwrap().push(d);
    }
}

/// A fresh request for some datum.
pub fn request() -> TimeStampRequest {
    TimeStampRequest::for_data(
        modelsign_pki::HashAlgorithm::Sha256,
        b"raw signature bytes",
        None,
    )
    .unwrap()
}

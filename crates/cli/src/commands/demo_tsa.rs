//! The demo's built-in Time-Stamp Authority: the tsp `Issuer` with a throwaway TSA PKI
//! behind a minimal HTTP/1.1 listener on 127.0.0.1 (RFC 3161 §3.4: `POST`, body = DER
//! TimeStampReq, reply `application/timestamp-reply`), in a background thread.
//!
//! For the demo only: one request per connection, a bounded number of connections, small
//! bodies. `modelsign tsa serve` is the real server (crate `modelsign-tsa-server`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use modelsign_devpki::DevPki;
use modelsign_pki::{Certificate, KeyKind, Time};
use modelsign_tsp::{Accuracy, Issuer, IssuerConfig};

/// The demo makes a handful of requests; the accept loop ends after this many connections
/// so the thread cannot be kept busy forever.
const MAX_CONNECTIONS: usize = 32;
/// A TimeStampReq is under 200 bytes; larger bodies are refused (rfc3161-rules §3.2).
const MAX_REQUEST_BODY: usize = 64 * 1024;
/// Longest request head read (request line + headers).
const MAX_HEAD: usize = 8 * 1024;
/// A client that sends nothing is dropped after this long.
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// The Sigstore TSA's default policy, used as the demo TSA's policy.
const POLICY: &str = "1.3.6.1.4.1.57264.2";

/// A running demo TSA.
#[derive(Debug)]
pub(crate) struct DemoTsa {
    pub(crate) url: String,
    /// TSA certificate first, root last.
    pub(crate) chain: Vec<Certificate>,
}

impl DemoTsa {
    /// Generates the TSA PKI (valid from `now`) and starts serving in a thread.
    pub(crate) fn start(now: Time) -> Result<DemoTsa> {
        let pki = DevPki::tsa(now, KeyKind::EcdsaP256).context("cannot create the TSA PKI")?;
        let chain = pki.chain();
        let config = IssuerConfig {
            policy: POLICY.parse().context("demo TSA policy")?,
            accepted_policies: Vec::new(),
            accuracy: Some(Accuracy {
                seconds: 1,
                millis: 0,
                micros: 0,
            }),
            include_chain: true,
        };
        let issuer = Arc::new(
            Issuer::new(pki.leaf.key, chain.clone(), config)
                .context("cannot start the demo TSA")?,
        );
        let listener =
            TcpListener::bind("127.0.0.1:0").context("cannot listen on 127.0.0.1 for the TSA")?;
        let url = format!(
            "http://{}/api/v1/timestamp",
            listener.local_addr().context("demo TSA address")?
        );
        let counter = Arc::new(AtomicU64::new(1));
        std::thread::spawn(move || {
            for stream in listener.incoming().take(MAX_CONNECTIONS) {
                let Ok(stream) = stream else { continue };
                // A failed exchange only concerns that client (the demo reports it).
                let _ = serve(stream, &issuer, &counter);
            }
        });
        Ok(DemoTsa { url, chain })
    }
}

fn serve(stream: TcpStream, issuer: &Issuer, counter: &AtomicU64) -> std::io::Result<()> {
    stream.set_read_timeout(Some(READ_TIMEOUT))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut head_len = 0usize;
    let mut content_length = None;
    let mut first = true;
    let mut is_post = false;
    loop {
        let mut line = String::new();
        let n = reader.read_line(&mut line)?;
        head_len = head_len.saturating_add(n);
        if n == 0 || head_len > MAX_HEAD {
            return reply(stream, 400, "text/plain", b"bad request");
        }
        if first {
            is_post = line.starts_with("POST ");
            first = false;
            continue;
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':') {
            if k.trim().eq_ignore_ascii_case("content-length") {
                content_length = v.trim().parse::<usize>().ok();
            }
        }
    }
    if !is_post {
        return reply(stream, 405, "text/plain", b"POST only");
    }
    let Some(len) = content_length.filter(|l| *l <= MAX_REQUEST_BODY) else {
        return reply(stream, 413, "text/plain", b"request too large");
    };
    let mut body = vec![0u8; len];
    reader.read_exact(&mut body)?;
    let now = Time::now();
    // Unique per process run: a counter and the start time. (A real TSA uses 128 random
    // bits; this throwaway TSA only needs distinct serials.)
    let mut serial = [0u8; 16];
    serial[..8].copy_from_slice(&now.unix_seconds().to_be_bytes());
    serial[8..].copy_from_slice(&counter.fetch_add(1, Ordering::SeqCst).to_be_bytes());
    let response = issuer.respond(&body, now, serial);
    reply(stream, 200, "application/timestamp-reply", &response.der)
}

fn reply(
    mut stream: TcpStream,
    status: u16,
    content_type: &str,
    body: &[u8],
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        if status == 200 { "OK" } else { "Error" },
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()
}

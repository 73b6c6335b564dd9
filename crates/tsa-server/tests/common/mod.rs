//! Test harness: a TSA on a loopback port (own thread + runtime) and a minimal blocking
//! HTTP/1.1 client over `TcpStream`, so tests control every byte on the wire.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::PathBuf;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use modelsign_pki::{Certificate, KeyKind, Time};
use modelsign_tsa_server::{dev_signer, Server, ServerConfig};

/// Bound on any single client read in tests, so a hung server fails the test instead of
/// hanging it.
pub const IO_TIMEOUT: Duration = Duration::from_secs(20);

pub struct TestServer {
    pub addr: SocketAddr,
    pub chain: Vec<Certificate>,
    /// Chain PEM file (leaf first, root last), written by `dev_signer`.
    pub chain_path: PathBuf,
    pub dir: tempfile::TempDir,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<Result<(), modelsign_tsa_server::Error>>>,
}

impl TestServer {
    /// Starts a TSA with a fresh dev PKI of `kind`; `tweak` adjusts the configuration.
    pub fn start(
        kind: KeyKind,
        tweak: impl FnOnce(&mut ServerConfig, &std::path::Path),
    ) -> TestServer {
        let dir = tempfile::tempdir().unwrap();
        let signer = dev_signer(Time::now(), kind, dir.path()).unwrap();
        let chain = signer.chain.clone();
        let mut config = ServerConfig::new(signer.key, signer.chain);
        config.listen = "127.0.0.1:0".parse().unwrap();
        tweak(&mut config, dir.path());
        let (ready_tx, ready_rx) = mpsc::channel();
        let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let server = match Server::bind(config, Time::now()).await {
                    Ok(s) => s,
                    Err(e) => {
                        ready_tx.send(Err(e.to_string())).unwrap();
                        return Err(e);
                    }
                };
                ready_tx.send(Ok(server.local_addr())).unwrap();
                server
                    .run(async {
                        let _ = shutdown_rx.await;
                    })
                    .await
            })
        });
        let addr = ready_rx.recv_timeout(IO_TIMEOUT).unwrap().unwrap();
        TestServer {
            addr,
            chain,
            chain_path: signer.chain_path,
            dir,
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        }
    }

    /// Triggers graceful shutdown without waiting.
    pub fn begin_shutdown(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }

    /// Shuts down and returns the server's result.
    pub fn stop(&mut self) -> Result<(), modelsign_tsa_server::Error> {
        self.begin_shutdown();
        self.thread.take().unwrap().join().unwrap()
    }

    pub fn root_path(&self) -> PathBuf {
        let root = self.chain.last().unwrap().to_pem();
        let path = self.dir.path().join("root.pem");
        std::fs::write(&path, root).unwrap();
        path
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.begin_shutdown();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

#[derive(Debug)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

pub fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT).unwrap();
    stream.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
    stream
}

/// Sends one request (`Connection: close`) and reads the whole response.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> HttpResponse {
    let mut stream = connect(addr);
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(ct) = content_type {
        head.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    if method == "POST" {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    read_response(&mut stream)
}

pub fn post_query(addr: SocketAddr, body: &[u8]) -> HttpResponse {
    request(
        addr,
        "POST",
        "/api/v1/timestamp",
        Some("application/timestamp-query"),
        body,
    )
}

/// Reads a response until the server closes the connection (requests send
/// `Connection: close`).
pub fn read_response(stream: &mut TcpStream) -> HttpResponse {
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    parse_response(&raw)
        .unwrap_or_else(|| panic!("unparseable response: {:?}", String::from_utf8_lossy(&raw)))
}

pub fn parse_response(raw: &[u8]) -> Option<HttpResponse> {
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let mut lines = head.split("\r\n");
    let status: u16 = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| {
            l.split_once(':')
                .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        })
        .collect();
    let mut body = raw[split + 4..].to_vec();
    if let Some((_, len)) = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
    {
        body.truncate(len.parse().ok()?);
    }
    Some(HttpResponse {
        status,
        headers,
        body,
    })
}

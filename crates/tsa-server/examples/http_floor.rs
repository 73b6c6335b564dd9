//! The HTTP floor, for `scripts/bench-tsa.sh`: the same stack as the TSA (one current-thread
//! tokio runtime per CPU, connections handed out round-robin by the accept loop on the
//! first, hyper HTTP/1.1 keep-alive, TCP_NODELAY, header read timeout) with
//! a handler that reads the body and answers a fixed reply of a token's size, without
//! parsing, signing or logging. Its CPU per request is what any HTTP TSA on this machine
//! pays before it signs; the server's CPU per token minus this is what issuance costs.
//!
//! Usage: `http_floor` — prints the bound address, serves until SIGTERM/Ctrl-C.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::convert::Infallible;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;

/// About the size of a P-256 token response with the TSA certificate (certReq true).
const REPLY_LEN: usize = 1_100;

/// `SEQUENCE { PKIStatusInfo { granted }, ... }` padded to [`REPLY_LEN`]: what the load
/// generator counts as a granted reply.
fn granted_reply() -> Bytes {
    let content = REPLY_LEN - 4;
    let [.., high, low] = u16::try_from(content).unwrap().to_be_bytes();
    let mut reply = vec![0x30, 0x82, high, low];
    reply.extend_from_slice(&[0x30, 0x03, 0x02, 0x01, 0x00]);
    reply.resize(REPLY_LEN, 0);
    Bytes::from(reply)
}

async fn answer(
    reply: Bytes,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let _ = request.into_body().collect().await;
    let mut response = Response::new(Full::new(reply));
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/timestamp-reply"),
    );
    Ok(response)
}

fn main() {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    // Runtimes 1.. on threads of their own; runtime 0 is this thread's.
    let handles: Vec<tokio::runtime::Handle> = (1..cpus)
        .map(|_| {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let handle = runtime.handle().clone();
            std::thread::spawn(move || runtime.block_on(std::future::pending::<()>()));
            handle
        })
        .collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        println!("{}", listener.local_addr().unwrap());
        let reply = granted_reply();
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(Duration::from_secs(10))
            .keep_alive(true);
        let mut next = 0usize;
        let accept = async {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                let _ = stream.set_nodelay(true);
                let reply = reply.clone();
                let builder = builder.clone();
                let serve = move |stream: tokio::net::TcpStream| async move {
                    let service = service_fn(move |request| answer(reply.clone(), request));
                    let _ = builder
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                };
                next = (next + 1) % cpus;
                match next.checked_sub(1).and_then(|i| handles.get(i)) {
                    None => {
                        tokio::spawn(serve(stream));
                    }
                    Some(handle) => {
                        let stream = stream.into_std().unwrap();
                        handle.spawn(async move {
                            serve(tokio::net::TcpStream::from_std(stream).unwrap()).await;
                        });
                    }
                }
            }
        };
        tokio::select! {
            () = accept => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    });
}

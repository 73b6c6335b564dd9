//! Running `modelsign tsa serve --dev` as a child process for the `tsa_serve_*` tests.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// Starts `tsa serve --dev --listen 127.0.0.1:0 --dev-dir DIR EXTRA...` through `wrapper`
/// (e.g. [`one_cpu_wrapper`]; empty: directly) with `env` (and no inherited
/// `MODELSIGN_LOG*`), stderr to `stderr`; returns the child and the address it printed on
/// its first stdout line.
pub fn start_dev_tsa(
    wrapper: &[String],
    dir: &Path,
    extra: &[&std::ffi::OsStr],
    env: &[(&str, &str)],
    stderr: Stdio,
) -> (Child, SocketAddr) {
    let binary = env!("CARGO_BIN_EXE_modelsign");
    let mut command = match wrapper {
        [] => Command::new(binary),
        [program, args @ ..] => {
            let mut c = Command::new(program);
            c.args(args).arg(binary);
            c
        }
    };
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
        .args(extra)
        .env_remove("MODELSIGN_LOG")
        .env_remove("MODELSIGN_LOG_FORMAT")
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(stderr);
    let mut child = command.spawn().unwrap();
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    let addr = first_line
        .trim()
        .strip_prefix("TSA listening on http://")
        .and_then(|rest| rest.strip_suffix("/api/v1/timestamp"))
        .unwrap_or_else(|| panic!("unexpected first line {first_line:?}"))
        .parse()
        .unwrap();
    (child, addr)
}

/// `taskset` arguments that pin a command to one CPU this process may use (the first in
/// its affinity list: CPU 0 may not be among them on a CI runner). Linux only.
pub fn one_cpu_wrapper() -> Vec<String> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let list = status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
        .expect("Cpus_allowed_list in /proc/self/status")
        .trim();
    let first: String = list.chars().take_while(char::is_ascii_digit).collect();
    assert!(!first.is_empty(), "unexpected Cpus_allowed_list {list:?}");
    vec!["taskset".into(), "-c".into(), first]
}

/// POSTs a DER TimeStampReq on a fresh connection (`Connection: close`); the response body
/// if the status is 200, `None` on any I/O failure or other status.
pub fn post_timestamp_query(addr: SocketAddr, body: &[u8]) -> Option<Vec<u8>> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let head = format!(
        "POST /api/v1/timestamp HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/timestamp-query\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).ok()?;
    stream.write_all(body).ok()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).ok()?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    if !raw.starts_with(b"HTTP/1.1 200") {
        return None;
    }
    Some(raw.split_off(split + 4))
}

//! Server configuration and its limits. Every limit on untrusted input is a named constant
//! with the reason for its value.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::path::PathBuf;
use std::time::Duration;

use const_oid::ObjectIdentifier;
use modelsign_pki::{Certificate, SigningKey};
use modelsign_tsp::Accuracy;

/// Default listening address: loopback only, so a TSA is never exposed by accident.
pub const DEFAULT_LISTEN: SocketAddr = SocketAddr::V4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 3318));

/// Default TSA policy: the Sigstore timestamp-authority's default, so clients and verifiers
/// configured for a Sigstore TSA accept ours unchanged. Operators with their own policy set
/// `--policy`.
pub const DEFAULT_POLICY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.2");

/// Largest request body read (rfc3161-rules §3.2). A real TimeStampReq with a SHA-512
/// imprint, nonce and policy is under 200 bytes; 64 KiB leaves room for request extensions
/// and still bounds memory per connection.
pub const MAX_REQUEST_BODY: usize = 64 * 1024;

/// Time allowed for a client to send a complete request head (slowloris defence). Honest
/// clients send the head in one packet.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Time allowed to receive a complete request body once the head has arrived.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// Open connections served at once; further connections wait in the kernel's accept
/// backlog. Each connection costs a few KiB, so 4096 bounds memory while allowing far more
/// concurrent clients than two cores can sign for.
pub const MAX_CONNECTIONS: usize = 4096;

/// Where the signature is computed (measured by `scripts/bench-tsa.sh`; see the crate doc).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum SigningExecutor {
    /// The default. RSA (a millisecond or more per signature, too long to hold an async
    /// worker that also serves other connections' I/O): [`SigningExecutor::Rayon`]. Keys
    /// whose signature takes tens of microseconds (ECDSA, Ed25519):
    /// [`SigningExecutor::Inline`], on the thread that serves the connection, which with
    /// [`crate::serve_until_signal`]'s per-CPU workers means a token never changes thread.
    /// Chosen by key type, not by a timing at start-up, so that the same configuration
    /// always behaves the same.
    ///
    /// Measured (`scripts/bench-tsa.sh`, last section: P-256, no log, 64 connections, 2
    /// CPUs shared with the load generator, 2026-12-07): per-CPU workers signing inline
    /// 46.6k tokens/s at 33.8 µs of server CPU per token, against 34.9k signing on the
    /// pool; on one multi-threaded runtime (the design before), the pool 38.7k and inline
    /// 35.4k. A library caller serving on its own multi-threaded runtime may prefer
    /// [`SigningExecutor::Rayon`].
    #[default]
    Auto,
    /// On a dedicated rayon pool with one thread per core. A fixed pool keeps one signing
    /// thread per core busy; spawn_blocking's growing pool oversubscribes the cores.
    Rayon,
    /// On tokio's blocking thread pool (`spawn_blocking`).
    Blocking,
    /// On the async worker thread itself (no hand-off; stalls other connections on that
    /// worker for the duration of one signature: right for fast signatures only).
    Inline,
}

/// Limits against slow, large or numerous clients.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest request body; beyond it 413 without reading further.
    pub max_body: usize,
    /// Time to receive the request head. hyper starts this timer whenever it waits for a
    /// request head, so it also closes keep-alive connections idle for that long (an idle
    /// client gives its connection slot back).
    pub header_read_timeout: Duration,
    /// Time to receive the request body.
    pub body_read_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: MAX_REQUEST_BODY,
            header_read_timeout: HEADER_READ_TIMEOUT,
            body_read_timeout: BODY_READ_TIMEOUT,
            max_connections: MAX_CONNECTIONS,
        }
    }
}

/// Everything the TSA needs to run.
#[derive(Debug)]
pub struct ServerConfig {
    /// Address to listen on (port 0: any free port; see [`crate::Server::local_addr`]).
    pub listen: SocketAddr,
    /// The TSA's signing key.
    pub key: SigningKey,
    /// TSA certificate first, root last.
    pub chain: Vec<Certificate>,
    /// Policy of tokens whose request names none.
    pub policy: ObjectIdentifier,
    /// Further policies a request may ask for.
    pub accepted_policies: Vec<ObjectIdentifier>,
    /// Declared accuracy of genTime.
    pub accuracy: Option<Accuracy>,
    /// Put the whole chain (not only the TSA certificate) in tokens when certReq is set.
    pub include_chain: bool,
    /// Limits against abusive clients.
    pub limits: Limits,
    /// Append-only JSON-lines audit log with group commit, if any.
    pub audit_log: Option<PathBuf>,
    /// Where signatures are computed.
    pub signing: SigningExecutor,
}

impl ServerConfig {
    /// Defaults: [`DEFAULT_LISTEN`], [`DEFAULT_POLICY`], accuracy 1 s, leaf only in tokens,
    /// default [`Limits`], no audit log.
    pub fn new(key: SigningKey, chain: Vec<Certificate>) -> Self {
        ServerConfig {
            listen: DEFAULT_LISTEN,
            key,
            chain,
            policy: DEFAULT_POLICY,
            accepted_policies: Vec::new(),
            accuracy: Some(Accuracy {
                seconds: 1,
                millis: 0,
                micros: 0,
            }),
            include_chain: false,
            limits: Limits::default(),
            audit_log: None,
            signing: SigningExecutor::default(),
        }
    }
}

/// Parses a policy OID in dotted form (`1.3.6.1.4.1.57264.2`).
pub fn parse_policy(text: &str) -> Result<ObjectIdentifier, crate::Error> {
    ObjectIdentifier::new(text.trim()).map_err(|_| crate::Error::Config {
        field: "policy",
        problem: "is not a dotted object identifier",
    })
}

/// Parses an accuracy such as `1s`, `500ms`, `1.5s`, `250us` (RFC 3161 Accuracy: seconds,
/// then 1..=999 milliseconds and microseconds). Zero is refused: omit the accuracy instead.
pub fn parse_accuracy(text: &str) -> Result<Accuracy, crate::Error> {
    let bad = crate::Error::Config {
        field: "accuracy",
        problem: "must look like 1s, 1.5s, 500ms or 250us and be positive",
    };
    let text = text.trim();
    let (number, micros_per_unit) = if let Some(n) = text.strip_suffix("us") {
        (n, 1u64)
    } else if let Some(n) = text.strip_suffix("ms") {
        (n, 1_000)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1_000_000)
    } else {
        return Err(bad);
    };
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad);
    }
    // Fractions finer than a microsecond cannot be expressed in an RFC 3161 Accuracy.
    let mut fraction_micros = 0u64;
    let mut scale = micros_per_unit;
    for digit in fraction.bytes() {
        scale /= 10;
        if scale == 0 && digit != b'0' {
            return Err(bad);
        }
        fraction_micros += u64::from(digit - b'0') * scale;
    }
    let total = whole
        .parse::<u64>()
        .ok()
        .and_then(|w| w.checked_mul(micros_per_unit))
        .and_then(|w| w.checked_add(fraction_micros))
        .ok_or(crate::Error::Config {
            field: "accuracy",
            problem: "is too large",
        })?;
    if total == 0 {
        return Err(bad);
    }
    let millis = u16::try_from(total / 1_000 % 1_000).map_err(|_| crate::Error::Config {
        field: "accuracy",
        problem: "is too large",
    })?;
    let micros = u16::try_from(total % 1_000).map_err(|_| crate::Error::Config {
        field: "accuracy",
        problem: "is too large",
    })?;
    Ok(Accuracy {
        seconds: total / 1_000_000,
        millis,
        micros,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acc(seconds: u64, millis: u16, micros: u16) -> Accuracy {
        Accuracy {
            seconds,
            millis,
            micros,
        }
    }

    #[test]
    fn accuracy_forms() {
        assert_eq!(parse_accuracy("1s").unwrap(), acc(1, 0, 0));
        assert_eq!(parse_accuracy("1.5s").unwrap(), acc(1, 500, 0));
        assert_eq!(parse_accuracy("500ms").unwrap(), acc(0, 500, 0));
        assert_eq!(parse_accuracy("1500ms").unwrap(), acc(1, 500, 0));
        assert_eq!(parse_accuracy("0.000001s").unwrap(), acc(0, 0, 1));
        assert_eq!(parse_accuracy("2.25ms").unwrap(), acc(0, 2, 250));
        assert_eq!(parse_accuracy("250us").unwrap(), acc(0, 0, 250));
        for bad in [
            "",
            "1",
            "s",
            "0s",
            "0.0s",
            "-1s",
            "1.0000001s",
            "1.5us",
            "1e3s",
            "1 s",
            "x1s",
        ] {
            assert!(
                matches!(
                    parse_accuracy(bad),
                    Err(crate::Error::Config {
                        field: "accuracy",
                        ..
                    })
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            parse_accuracy("99999999999999999999s"),
            Err(crate::Error::Config {
                problem: "is too large",
                ..
            })
        ));
    }

    #[test]
    fn policy_forms() {
        assert_eq!(parse_policy("1.3.6.1.4.1.57264.2").unwrap(), DEFAULT_POLICY);
        assert!(matches!(
            parse_policy("not an oid"),
            Err(crate::Error::Config {
                field: "policy",
                ..
            })
        ));
    }
}

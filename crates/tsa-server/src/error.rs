//! The crate's one error type: everything that can stop the TSA from starting or serving.
//! Per-request problems never become an `Error`: they are answered on the wire (an RFC 3161
//! rejection or an HTTP status).

use std::net::SocketAddr;
use std::path::PathBuf;

use modelsign_pki::Time;

/// Why the TSA could not start, or stopped.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A key or certificate file could not be read.
    #[error("cannot read {what} {path}: {source}")]
    ReadFile {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A file (the `--dev` chain) could not be written.
    #[error("cannot write {what} {path}: {source}")]
    WriteFile {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A key or certificate file could not be parsed.
    #[error("cannot parse {what} {path}: {source}")]
    ParseFile {
        what: &'static str,
        path: PathBuf,
        #[source]
        source: Box<modelsign_pki::Error>,
    },
    /// The issuance core refused the key or the leaf certificate (EKU, CA flag, key match).
    #[error("the TSA signer cannot be used: {0}")]
    Signer(#[source] Box<modelsign_tsp::Error>),
    /// A certificate of the chain is not valid at start-up time.
    #[error(
        "certificate {position} of the TSA chain ({subject}) is not valid now ({now}): valid from {not_before} to {not_after}"
    )]
    CertificateNotValidNow {
        position: usize,
        subject: String,
        not_before: Time,
        not_after: Time,
        now: Time,
    },
    /// The chain does not verify up to its own root (wrong order, missing intermediate,
    /// broken signature, or a leaf profile violation seen by path validation).
    #[error("the TSA certificate chain does not verify to its root {root}: {source}")]
    ChainInvalid {
        root: String,
        #[source]
        source: Box<modelsign_pki::Error>,
    },
    /// A configuration value is out of range.
    #[error("invalid TSA configuration: {field} {problem}")]
    Config {
        field: &'static str,
        problem: &'static str,
    },
    /// `--dev` could not generate or write its throwaway PKI.
    #[error("cannot create the dev TSA PKI: {0}")]
    DevPki(#[source] Box<modelsign_devpki::Error>),
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },
    /// The audit log could not be opened.
    #[error("cannot open the audit log {path}: {source}")]
    AuditOpen {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// Writing or syncing the audit log failed; the server stops issuing.
    #[error("cannot write the audit log {path}: {source}")]
    AuditWrite {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The async runtime or a signal handler could not be created.
    #[error("cannot start the server runtime ({what}): {source}")]
    Runtime {
        what: &'static str,
        #[source]
        source: std::io::Error,
    },
}

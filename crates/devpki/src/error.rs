//! The one error type of this crate.

use std::path::PathBuf;

use modelsign_pki::{KeyKind, Time};

/// Everything that can go wrong while generating a throwaway PKI.
///
/// `subject` fields carry the common name of the certificate being made (or of the CRL
/// issuer), so a failing test says which certificate of a multi-level chain broke.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `modelsign_pki::SigningKey::generate` failed.
    #[error("generating a {kind:?} key for {subject:?}: {source}")]
    KeyGeneration {
        subject: String,
        kind: KeyKind,
        #[source]
        source: Box<modelsign_pki::Error>,
    },
    /// The key could not be exported as PKCS#8 (needed to hand it to rcgen).
    #[error("exporting the key of {subject:?} as PKCS#8: {source}")]
    KeyExport {
        subject: String,
        #[source]
        source: Box<modelsign_pki::Error>,
    },
    /// rcgen refused the PKCS#8 key.
    #[error("loading the {kind:?} key of {subject:?} into rcgen: {source}")]
    KeyImport {
        subject: String,
        kind: KeyKind,
        #[source]
        source: rcgen::Error,
    },
    /// `issue_with_key` was given a key of another kind than the spec names.
    #[error(
        "certificate {subject:?}: spec asks for a {expected:?} key but a {actual:?} key was given"
    )]
    KeyKindMismatch {
        subject: String,
        expected: KeyKind,
        actual: KeyKind,
    },
    /// The time cannot be written as an X.509 UTCTime/GeneralizedTime (years 0000..=9999).
    #[error("{subject:?}: {field} {time} cannot be written in X.509 (years 0000 to 9999 only)")]
    TimeOutOfRange {
        subject: String,
        field: &'static str,
        time: Time,
    },
    /// CRL nextUpdate must be after thisUpdate (RFC 5280 §5.1.2.5; rcgen enforces it).
    #[error("CRL of {issuer:?}: nextUpdate {next_update} is not after thisUpdate {this_update}")]
    CrlValidity {
        issuer: String,
        this_update: Time,
        next_update: Time,
    },
    /// A serial number given in a spec or CRL entry is empty or longer than RFC 5280 allows.
    #[error("{subject:?}: serial number of {len} bytes; 1 to {max} bytes are allowed")]
    InvalidSerial {
        subject: String,
        len: usize,
        max: usize,
    },
    /// A common name, organisation or e-mail address rcgen cannot encode.
    #[error("certificate {subject:?}: {field} {value:?} cannot be encoded: {source}")]
    InvalidName {
        subject: String,
        field: &'static str,
        value: String,
        #[source]
        source: rcgen::Error,
    },
    /// The issuer's subject name uses a form rcgen cannot reproduce byte for byte
    /// (multi-valued RDN, repeated attribute type, unsupported string type).
    #[error("issuer {issuer}: subject name cannot be reproduced as an issuer name: {reason}")]
    UnsupportedIssuerName {
        issuer: String,
        reason: &'static str,
    },
    /// An extension could not be DER-encoded.
    #[error("certificate {subject:?}: encoding the {extension} extension: {source}")]
    ExtensionEncoding {
        subject: String,
        extension: &'static str,
        #[source]
        source: der::Error,
    },
    /// rcgen failed to build or sign the certificate or CRL.
    #[error("{subject:?}: rcgen failed: {source}")]
    Rcgen {
        subject: String,
        #[source]
        source: rcgen::Error,
    },
    /// What rcgen produced does not parse with `modelsign_pki` (a bug here or in rcgen).
    #[error("{subject:?}: the generated certificate does not parse: {source}")]
    GeneratedCertificate {
        subject: String,
        #[source]
        source: Box<modelsign_pki::Error>,
    },
    /// What rcgen produced does not parse as DER (a bug here or in rcgen).
    #[error("{subject:?}: the generated {what} is not valid DER: {source}")]
    GeneratedDer {
        subject: String,
        what: &'static str,
        #[source]
        source: der::Error,
    },
    /// The issuer name written into the child differs from the issuer's subject (would break
    /// chain building; a bug in the name reconstruction).
    #[error("{subject:?}: issuer name written ({written}) differs from the issuer's subject ({expected})")]
    IssuerNameMismatch {
        subject: String,
        written: String,
        expected: String,
    },
    /// The system random number generator failed (serial numbers).
    #[error("random number generator failed while making a serial number for {subject:?}")]
    Random { subject: String },
    /// Writing PEM files.
    #[error("writing {path}: {source}", path = path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

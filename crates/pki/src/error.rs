//! The crate's single error type.
//!
//! Every variant names what failed and where (file format, certificate subject, algorithm);
//! foreign error types are not exposed, their message is kept as `detail` text.

use const_oid::ObjectIdentifier;

use crate::profile::ProfileViolation;
use crate::scheme::{KeyKind, SignatureScheme};
use crate::structure::StructureViolation;
use crate::time::Time;

/// Errors of `modelsign-pki`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ---- time -------------------------------------------------------------------------
    /// A text timestamp is not RFC 3339 (`2026-01-02T03:04:05Z`, optional fraction/offset).
    #[error("invalid RFC 3339 time {input:?}: {reason}")]
    InvalidTime { input: String, reason: &'static str },
    /// A time cannot be represented (outside years 0000..=9999 or arithmetic overflow).
    #[error("time out of range: {what}")]
    TimeOutOfRange { what: &'static str },

    // ---- algorithms -------------------------------------------------------------------
    /// A hash algorithm name or OID that is not SHA-256/384/512.
    #[error("unsupported hash algorithm {name}")]
    UnsupportedHashAlgorithm { name: String },
    /// A signature algorithm OID we do not implement.
    #[error("unsupported signature algorithm {oid}")]
    UnsupportedSignatureAlgorithm { oid: ObjectIdentifier },
    /// Algorithm parameters that are malformed or not allowed (e.g. RSA-PSS salt length).
    #[error("invalid parameters for {algorithm}: {reason}")]
    InvalidAlgorithmParameters {
        algorithm: &'static str,
        reason: String,
    },
    /// CMS digestAlgorithm and signatureAlgorithm disagree (RFC 5754 §3).
    #[error("CMS digest algorithm {digest} does not match signature algorithm {signature}")]
    CmsAlgorithmMismatch {
        digest: ObjectIdentifier,
        signature: ObjectIdentifier,
    },

    // ---- keys -------------------------------------------------------------------------
    /// A SubjectPublicKeyInfo / private key with an algorithm we do not support.
    #[error("unsupported key algorithm {oid}")]
    UnsupportedKeyAlgorithm { oid: ObjectIdentifier },
    /// An EC key on a curve other than P-256/P-384/P-521.
    #[error("unsupported elliptic curve {oid}")]
    UnsupportedCurve { oid: ObjectIdentifier },
    /// RSA keys below 2048 bits are refused for signing and verifying.
    #[error("RSA key of {bits} bits is too small (minimum {minimum})")]
    RsaKeyTooSmall { bits: usize, minimum: usize },
    /// RSA key generation sizes other than 2048/3072/4096.
    #[error("unsupported RSA key size {bits} (supported: 2048, 3072, 4096)")]
    UnsupportedRsaKeySize { bits: usize },
    /// The key material did not parse or was rejected by the crypto backend.
    #[error("invalid {format} key: {detail}")]
    InvalidKey {
        format: &'static str,
        detail: String,
    },
    /// Neither PEM nor any supported DER private key format.
    #[error("unrecognised private key format (expected PKCS#8, encrypted PKCS#8, SEC1 EC or PKCS#1 RSA; PEM or DER)")]
    UnrecognizedKeyFormat,
    /// An encrypted private key was given without a password.
    #[error("the private key is encrypted but no password was given")]
    PasswordRequired,
    /// A password was given for a key that is not encrypted.
    #[error("a password was given but the private key is not encrypted")]
    PasswordForUnencryptedKey,
    /// Decryption of an encrypted PKCS#8 key failed (wrong password or unsupported PBES2
    /// parameters).
    #[error("cannot decrypt encrypted PKCS#8 private key (wrong password or unsupported encryption): {detail}")]
    KeyDecryption { detail: String },
    /// OpenSSL's legacy PEM encryption (`Proc-Type: 4,ENCRYPTED`) is not supported.
    #[error("legacy OpenSSL PEM encryption (Proc-Type header) is not supported; convert with `openssl pkcs8 -topk8 -v2 aes-256-cbc`")]
    LegacyPemEncryption,
    /// The key backend could not generate a key.
    #[error("key generation failed for {kind}")]
    KeyGeneration { kind: KeyKind },
    /// The scheme cannot be used with this kind of key.
    #[error("signature scheme {scheme} cannot be used with a {key} key")]
    SchemeKeyMismatch {
        scheme: SignatureScheme,
        key: KeyKind,
    },
    /// The scheme fits the key type but the backend cannot sign with this combination
    /// (today every curve signs with every SHA-2 hash; kept for future key kinds).
    #[error("signing with {scheme} is not supported for a {key} key")]
    UnsupportedSigningScheme {
        scheme: SignatureScheme,
        key: KeyKind,
    },
    /// The signing operation failed in the backend.
    #[error("signing with {scheme} failed")]
    Signing { scheme: SignatureScheme },
    /// A signature did not verify.
    #[error("signature verification failed ({scheme}, {key} key)")]
    InvalidSignature {
        scheme: SignatureScheme,
        key: KeyKind,
    },

    // ---- encodings --------------------------------------------------------------------
    /// Malformed PEM.
    #[error("invalid PEM ({expected}): {detail}")]
    Pem {
        expected: &'static str,
        detail: String,
    },
    /// PEM with a label other than the expected one(s).
    #[error("unexpected PEM label {found:?} (expected {expected})")]
    PemLabel {
        found: String,
        expected: &'static str,
    },
    /// Malformed DER.
    #[error("invalid DER in {what}: {detail}")]
    Der { what: &'static str, detail: String },
    /// Input exceeds a size budget.
    #[error("{what} is {size} bytes, more than the limit of {limit}")]
    InputTooLarge {
        what: &'static str,
        size: usize,
        limit: usize,
    },
    /// Too many items (certificates, CRL entries) in one input.
    #[error("{what}: {count} items, more than the limit of {limit}")]
    TooMany {
        what: &'static str,
        count: usize,
        limit: usize,
    },

    // ---- certificates -----------------------------------------------------------------
    /// A PEM input without any `CERTIFICATE` block.
    #[error("no CERTIFICATE found in input")]
    NoCertificates,
    /// An extension of a certificate could not be decoded or occurs twice.
    #[error("certificate {subject:?}: invalid {extension} extension: {detail}")]
    Extension {
        subject: String,
        extension: &'static str,
        detail: String,
    },

    // ---- chains -----------------------------------------------------------------------
    /// No trust anchors were configured.
    #[error("no trust anchors configured")]
    NoTrustAnchors,
    /// A certificate of the chain is not yet valid at the validation time.
    #[error("certificate {subject:?} is not valid until {not_before} (validation time {time})")]
    CertificateNotYetValid {
        subject: String,
        not_before: Time,
        time: Time,
    },
    /// A certificate of the chain has expired at (or before the end of) the validation window.
    #[error("certificate {subject:?} expired at {not_after} (validation time {time})")]
    CertificateExpired {
        subject: String,
        not_after: Time,
        time: Time,
    },
    /// No path from the certificate to a trust anchor was found.
    #[error("certificate {subject:?}: issuer {issuer:?} not found among the trust anchors and intermediates")]
    UnknownIssuer { subject: String, issuer: String },
    /// A certificate's signature does not verify with its issuer's key.
    #[error(
        "certificate {subject:?}: signature does not verify with the key of issuer {issuer:?}"
    )]
    BadCertificateSignature { subject: String, issuer: String },
    /// The leaf does not satisfy the requested profile.
    #[error("certificate {subject:?} does not meet the {profile} profile: {violation}")]
    Profile {
        subject: String,
        profile: &'static str,
        violation: ProfileViolation,
    },
    /// A certificate of the path breaks a structure rule (RFC 5280 §4 profile; see
    /// `structure` in the crate docs).
    #[error("certificate {subject:?} does not conform to the certificate profile: {violation}")]
    Structure {
        subject: String,
        violation: StructureViolation,
    },
    /// A CA certificate in the path may not sign certificates.
    #[error("certificate {subject:?} issues certificates but {reason}")]
    InvalidIssuer {
        subject: String,
        reason: &'static str,
    },
    /// Path building stopped by a budget (chain length, candidate count).
    #[error("path building budget exceeded: {what}")]
    BudgetExceeded { what: &'static str },
    /// Any other path validation failure reported by rustls-webpki, with the leaf named.
    #[error("certificate {subject:?}: path validation failed: {reason}")]
    PathValidation { subject: String, reason: String },

    // ---- CRLs -------------------------------------------------------------------------
    /// A CRL whose signature does not verify with the key of the issuing CA in the chain.
    #[error("CRL issued by {issuer:?}: signature does not verify with the issuing CA's key")]
    CrlSignature { issuer: String },
    /// A CRL modelsign cannot process safely (indirect CRL, unknown critical extension).
    #[error("CRL issued by {issuer:?} cannot be used: {reason}")]
    CrlUnsupported {
        issuer: String,
        reason: &'static str,
    },
}

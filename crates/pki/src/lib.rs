//! Keys, signatures, X.509 certificates, path validation at a chosen time, CRLs.
//!
//! * [`Time`] — UTC instant (ns), RFC 3339 text; [`Time::now`] is the only clock read.
//! * [`HashAlgorithm`], [`KeyKind`], [`SignatureScheme`] — SHA-2, key kinds, schemes with
//!   their X.509 / CMS algorithm identifiers (RFC 5754, RFC 4055 PSS, RFC 8419).
//! * [`PublicKey`] (SPKI; `to_pem` byte-identical to Python `cryptography`) and
//!   [`SigningKey`] (PKCS#8 plain/encrypted, SEC1, PKCS#1; generation; redacted `Debug`).
//! * [`Certificate`] — parsed X.509 keeping its exact DER; extension accessors.
//! * [`TrustStore`], [`ChainRequest`], [`verify_chain`] → [`VerifiedChain`] with
//!   [`LeafProfile`]s for model signing and RFC 3161 time stamping (see [`chain`]), and
//!   RFC 5280 structure rules on every certificate of the path ([`StructureViolation`];
//!   rule table in `src/structure.rs`).
//! * [`Crl`], [`find_revocations`] → [`Revocation`]s.
//!
//! Crypto is aws-lc-rs only (no `rsa` crate: RUSTSEC-2023-0071; no `ring`: no P-521).
//! Path building is rustls-webpki at a caller-chosen time, with modelsign's own leaf
//! profiles, KeyUsage and validity-window checks on top. RSA keys below 2048 bits are
//! refused for signing and verifying.

mod certificate;
pub mod chain;
mod crl;
mod error;
mod hash;
mod pem;
pub mod profile;
mod public_key;
mod scheme;
mod signing_key;
mod structure;
mod time;
mod trust;

pub use certificate::{
    certificates_from_pem, certificates_from_pem_or_der, BasicConstraints, Certificate,
    ExtendedKeyUsage, KeyUsage, MAX_CERTIFICATES_PER_BUNDLE, MAX_CERTIFICATE_BUNDLE_BYTES,
    MAX_CERTIFICATE_BYTES,
};
pub use chain::{
    verify_chain, ChainRequest, VerifiedChain, MAX_INTERMEDIATES, MAX_UNTRUSTED_CERTIFICATES,
};
pub use crl::{find_revocations, Crl, Revocation, ID_CE_EXPIRED_CERTS_ON_CRL, MAX_CRL_BYTES};
pub use error::Error;
pub use hash::HashAlgorithm;
pub use profile::{LeafProfile, ProfileViolation};
pub use public_key::{PublicKey, MIN_RSA_BITS};
pub use scheme::{KeyKind, SignatureScheme};
pub use signing_key::SigningKey;
pub use structure::{StructureViolation, MAX_NAME_CONSTRAINT_SUBTREES};
pub use time::Time;
pub use trust::TrustStore;
/// The container [`SigningKey::to_pkcs8_der`] and [`SigningKey::to_pkcs8_pem`] return
/// (re-exported so callers can name it without depending on `zeroize`).
pub use zeroize::Zeroizing;

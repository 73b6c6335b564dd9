//! Throwaway PKIs for `modelsign demo`, `modelsign tsa serve --dev` and tests.
//!
//! Certificates are generated with rcgen from keys made by `modelsign_pki`, with chosen
//! validity windows (past or future) and extension profiles, including rule-breaking ones
//! ([`CertProfile::Custom`]). Every certificate is parsed back with `modelsign_pki` before it
//! is returned. Nothing here reads the clock: callers pass `now`.
//!
//! ```text
//! root (Root) ── intermediate (Intermediate) ── leaf (CodeSigningLeaf)   DevPki::model_signing
//! root (Root) ── leaf (TimeStampingLeaf: EKU critical, only timeStamping) DevPki::tsa
//! ```
//!
//! These PKIs are for development and tests only: keys are unprotected and nothing is
//! persisted except where [`DevPki::write_pem_files`] is asked to.

mod crl;
mod dev;
mod error;
mod extensions;
mod issue;
mod spec;

pub use crate::crl::{crl, RevocationReason, RevokedEntry};
pub use crate::dev::{DevPki, DevPkiFiles, BACKDATE, CA_VALIDITY, DEV_SIGNER_EMAIL, TSA_VALIDITY};
pub use crate::error::Error;
pub use crate::issue::{issue, issue_with_key, self_signed, self_signed_with_key, IssuedCert};
pub use crate::spec::{
    BasicConstraintsSpec, CertProfile, CertSpec, CustomProfile, ExtendedKeyUsageSpec, KeyUsageSpec,
    RawExtension, UNKNOWN_EXTENSION_OID,
};
/// Re-exported so callers can spell key usage sets without depending on `x509-cert`.
pub use der::flagset::FlagSet;
pub use x509_cert::ext::pkix::KeyUsages;

/// `cert` as a PEM "CERTIFICATE" block (RFC 7468; LF line endings, 64 columns, final LF).
pub fn pem(cert: &modelsign_pki::Certificate) -> String {
    cert.to_pem()
}

//! Typed ASN.1 structures of RFC 3161 (time-stamp protocol) and RFC 2634 / RFC 5035 (ESS
//! signing-certificate attributes) on RustCrypto `der` 0.8, next to the CMS types of `cms`.
//!
//! These are the *syntax* layer: they decode any value the ASN.1 allows (for example an
//! Accuracy `millis` of 0) and encode DER. The range and profile rules (millis 1..999,
//! version 1, SHA-2 only, ...) live in the semantic types of [`crate::token`] and
//! [`crate::request`].

pub mod ess;
pub mod integer;
pub mod time;
pub mod tsp;

pub use ess::{EssCertId, EssCertIdV2, IssuerSerial, SigningCertificate, SigningCertificateV2};
pub use integer::{minimal_positive_integer, minimal_signed_integer};
pub use time::GeneralizedTimeFrac;
pub use tsp::{
    Accuracy, MessageImprint, PkiFailureInfo, PkiStatus, PkiStatusInfo, TimeStampReq,
    TimeStampResp, TstInfo,
};

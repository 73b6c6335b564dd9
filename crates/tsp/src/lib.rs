//! RFC 3161 Time-Stamp Protocol for modelsign: types, requests, verification, issuance and
//! (feature `client`) an HTTP client.
//!
//! Module ownership during the first build-out (see docs/contracts.md):
//! - syntax: `asn1`, `ber`, `request`, `response`, `token`, `issue`, `inspect`, `error`
//! - semantics: `verify`, `trust` (verification rules of rfc3161-rules.md §4-§7)

// `Error` holds `VerificationError` by value (160 bytes) so that callers and tests can match
// `Error::Verification(VerificationError::X { .. })`; errors are the cold path, so the size
// of `Result<_, Error>` does not matter here.
#![allow(clippy::result_large_err)]

pub mod asn1;
pub mod ber;
#[cfg(feature = "client")]
pub mod client;
pub mod error;
pub mod inspect;
pub mod issue;
pub mod oid;
pub mod request;
pub mod response;
pub mod token;
pub mod trust;
pub mod verify;

pub use error::Error;
pub use inspect::inspect;
pub use issue::{IssuedResponse, Issuer, IssuerConfig, Outcome};
pub use request::TimeStampRequest;
pub use response::{parse_signed_timestamp, PkiStatusInfo, TimeStampResponse};
pub use token::{Accuracy, SignedAttributeValues, TimeStampToken, TstInfo};

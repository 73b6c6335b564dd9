//! The DSSE envelope as typed values (DSSE v1.0 `envelope.md`):
//!
//! ```text
//! { "payload": base64(SERIALIZED_BODY), "payloadType": PAYLOAD_TYPE,
//!   "signatures": [ { "keyid": KEYID (optional), "sig": base64(SIGNATURE) } ] }
//! ```
//!
//! The JSON form lives in the bundle crate (the only crate that knows the bundle JSON);
//! here the payload and signatures are already decoded bytes. Signing and verification
//! with keys happen in the orchestration crate, over [`Envelope::pae`].

use crate::error::Error;
use crate::pae::{legacy_pae_v0_2, pae};
use crate::statement_parse::{parse_statement, ParsedStatement};
use crate::PAYLOAD_TYPE;

/// A DSSE envelope with decoded payload and signatures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Envelope {
    /// The exact statement bytes that were signed.
    pub payload: Vec<u8>,
    pub payload_type: String,
    pub signatures: Vec<Signature>,
}

/// One DSSE signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// Raw signature bytes (ECDSA: DER `ECDSA-Sig-Value`).
    pub sig: Vec<u8>,
    /// `None` when absent or JSON `null`; model_signing writes `Some("")`. Never used for
    /// verification (OMS: verifiers must accept absent, `""` and `null`).
    pub keyid: Option<String>,
}

impl Envelope {
    /// The bytes signed under DSSE v1.
    pub fn pae(&self) -> Vec<u8> {
        pae(&self.payload_type, &self.payload)
    }

    /// The bytes model_signing v0.2.0 signed (for its bundles only; see [`mod@crate::pae`]).
    pub fn legacy_pae_v0_2(&self) -> Vec<u8> {
        legacy_pae_v0_2(&self.payload_type, &self.payload)
    }

    /// Checks `payloadType` (model_signing's first check) and parses the payload.
    ///
    /// Call this only after a signature over [`Envelope::pae`] has verified: the
    /// statement is attacker-controlled until then.
    pub fn statement(&self) -> Result<ParsedStatement, Error> {
        if self.payload_type != PAYLOAD_TYPE {
            return Err(Error::PayloadType {
                got: self.payload_type.clone(),
            });
        }
        parse_statement(&self.payload)
    }
}

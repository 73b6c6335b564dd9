//! Typed bundle values (sigstore/protobuf-specs `sigstore_bundle.proto`, v0.3):
//!
//! ```text
//! message Bundle {
//!   string media_type = 1;
//!   VerificationMaterial verification_material = 2;
//!   oneof content { MessageSignature message_signature = 3; io.intoto.Envelope dsse_envelope = 4; }
//! }
//! message VerificationMaterial {
//!   oneof content { PublicKeyIdentifier public_key = 1; X509CertificateChain x509_certificate_chain = 2;
//!                   X509Certificate certificate = 5; }
//!   repeated TransparencyLogEntry tlog_entries = 3;
//!   TimestampVerificationData timestamp_verification_data = 4;
//! }
//! message TimestampVerificationData { repeated RFC3161SignedTimestamp rfc3161_timestamps = 1; }
//! message RFC3161SignedTimestamp { bytes signed_timestamp = 1; }
//! ```

use crate::error::Error;

/// The bundle media types this crate reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MediaType {
    /// `application/vnd.dev.sigstore.bundle+json;version=0.1`
    V0_1,
    /// `application/vnd.dev.sigstore.bundle+json;version=0.2`
    V0_2,
    /// `application/vnd.dev.sigstore.bundle.v0.3+json` — the only one model_signing accepts
    /// and the one OMS bundles use.
    V0_3,
    /// `application/vnd.dev.sigstore.bundle+json;version=0.3` (older spelling of v0.3,
    /// still accepted by Sigstore clients).
    V0_3Parameter,
}

impl MediaType {
    /// The exact string.
    pub fn as_str(&self) -> &'static str {
        match self {
            MediaType::V0_1 => "application/vnd.dev.sigstore.bundle+json;version=0.1",
            MediaType::V0_2 => "application/vnd.dev.sigstore.bundle+json;version=0.2",
            MediaType::V0_3 => crate::MEDIA_TYPE_V03,
            MediaType::V0_3Parameter => "application/vnd.dev.sigstore.bundle+json;version=0.3",
        }
    }

    /// Parses one of the known media types (exact, case-sensitive match).
    pub fn from_media_type(s: &str) -> Result<Self, Error> {
        [
            MediaType::V0_1,
            MediaType::V0_2,
            MediaType::V0_3,
            MediaType::V0_3Parameter,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
        .ok_or_else(|| Error::UnsupportedMediaType { got: s.to_owned() })
    }
}

/// A parsed Sigstore bundle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Bundle {
    pub media_type: MediaType,
    pub verification_material: VerificationMaterial,
    pub content: Content,
}

impl Bundle {
    /// Refuses everything but `application/vnd.dev.sigstore.bundle.v0.3+json`, as the
    /// model_signing 1.1.1 key and certificate verifiers do.
    pub fn require_oms_media_type(&self) -> Result<(), Error> {
        match self.media_type {
            MediaType::V0_3 => Ok(()),
            other => Err(Error::NotOmsMediaType {
                got: other.as_str().to_owned(),
            }),
        }
    }

    /// The DSSE envelope (OMS bundles always have one).
    pub fn dsse_envelope(&self) -> Result<&DsseEnvelope, Error> {
        match &self.content {
            Content::Dsse(envelope) => Ok(envelope),
            Content::MessageSignature(_) => Err(Error::NotDsse),
        }
    }
}

/// What the bundle signs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Content {
    /// `dsseEnvelope` (OMS, in-toto attestations).
    Dsse(DsseEnvelope),
    /// `messageSignature` (Sigstore "hashedrekord" signatures over an artifact digest).
    MessageSignature(MessageSignature),
}

/// `dsseEnvelope` with decoded bytes. The orchestration crate maps it to
/// `modelsign_dsse::Envelope` (this crate does not depend on the DSSE crate).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DsseEnvelope {
    /// The exact signed payload bytes.
    pub payload: Vec<u8>,
    pub payload_type: String,
    /// In bundle order; at least one.
    pub signatures: Vec<DsseSignature>,
}

/// One DSSE signature.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DsseSignature {
    pub sig: Vec<u8>,
    /// `None` when absent or `null`; model_signing writes `Some("")`.
    pub keyid: Option<String>,
}

/// `messageSignature`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageSignature {
    /// Optional in the protobuf.
    pub message_digest: Option<MessageDigest>,
    pub signature: Vec<u8>,
}

/// `messageSignature.messageDigest`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageDigest {
    /// Protobuf enum name, e.g. `SHA2_256`.
    pub algorithm: String,
    pub digest: Vec<u8>,
}

/// Who signed: the `content` oneof of `verificationMaterial`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignerMaterial {
    /// `publicKey: {hint}` (model_signing ≥ 1.1 key mode: lowercase hex SHA-256 of the
    /// public key PEM). `None` when absent or `null`; `Some("")` is kept as written —
    /// consumers treat an empty hint like an absent one, as model_signing does.
    PublicKeyHint(Option<String>),
    /// `publicKey: {rawBytes, keyDetails}` written by model_signing 0.3.1 – 1.0.x:
    /// `raw_bytes` is the public key PEM text, `key_details` e.g. `PKIX_ECDSA_P384_SHA_384`.
    LegacyRawPublicKey {
        raw_bytes: Vec<u8>,
        key_details: Option<String>,
    },
    /// `x509CertificateChain`: DER certificates, leaf first, as written (not reordered).
    X509Chain(Vec<Vec<u8>>),
    /// `certificate`: a single DER leaf (Sigstore keyless, bundle v0.3).
    Certificate(Vec<u8>),
}

/// `verificationMaterial`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerificationMaterial {
    pub signer: SignerMaterial,
    /// `tlogEntries`, uninterpreted (empty when absent). Written back with serde_json's
    /// key order (sorted), not the original one.
    pub tlog_entries: Vec<serde_json::Value>,
    /// `timestampVerificationData.rfc3161Timestamps[].signedTimestamp`, decoded (a DER
    /// `TimeStampResp` or a bare `ContentInfo` token), in bundle order, no duplicates.
    pub rfc3161_timestamps: Vec<Vec<u8>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_round_trip_and_unknown_ones_are_refused() {
        for m in [
            MediaType::V0_1,
            MediaType::V0_2,
            MediaType::V0_3,
            MediaType::V0_3Parameter,
        ] {
            assert_eq!(MediaType::from_media_type(m.as_str()).unwrap(), m);
        }
        assert!(matches!(
            MediaType::from_media_type("application/vnd.dev.sigstore.bundle+json;version=99.9"),
            Err(Error::UnsupportedMediaType { .. })
        ));
        // Exact match only: case and whitespace variants are different media types.
        assert!(
            MediaType::from_media_type(" application/vnd.dev.sigstore.bundle.v0.3+json").is_err()
        );
        assert!(
            MediaType::from_media_type("APPLICATION/vnd.dev.sigstore.bundle.v0.3+json").is_err()
        );
    }
}

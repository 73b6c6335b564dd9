//! Writing a bundle exactly as model_signing 1.1.1 does (oms-format §7, §17.2): compact
//! JSON, camelCase, no trailing newline, key order
//!
//! ```text
//! {"mediaType":…,"verificationMaterial":{("publicKey":{"hint":…}|"x509CertificateChain":
//! {"certificates":[{"rawBytes":…},…]}|"certificate":{"rawBytes":…}),"tlogEntries":[…],
//! ["timestampVerificationData":{"rfc3161Timestamps":[{"signedTimestamp":…},…]}]},
//! "dsseEnvelope":{"payload":…,"payloadType":…,"signatures":[{"sig":…[,"keyid":…]}]}}
//! ```
//!
//! `timestampVerificationData` is written only when there are timestamps; `keyid` only
//! when it is `Some` (model_signing writes `""`). Bytes are standard padded base64.

use base64::Engine as _;
use serde::Serialize;

use crate::model::{Bundle, Content, SignerMaterial};

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OutBundle<'a> {
    media_type: &'static str,
    verification_material: OutVerificationMaterial<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message_signature: Option<OutMessageSignature<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dsse_envelope: Option<OutDsseEnvelope<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OutVerificationMaterial<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    public_key: Option<OutPublicKey<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    x509_certificate_chain: Option<OutChain>,
    #[serde(skip_serializing_if = "Option::is_none")]
    certificate: Option<OutCertificate>,
    tlog_entries: &'a [serde_json::Value],
    #[serde(skip_serializing_if = "Option::is_none")]
    timestamp_verification_data: Option<OutTimestampVerificationData>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OutPublicKey<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    raw_bytes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    key_details: Option<&'a str>,
}

#[derive(Serialize)]
struct OutChain {
    certificates: Vec<OutCertificate>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OutCertificate {
    raw_bytes: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OutTimestampVerificationData {
    rfc3161_timestamps: Vec<OutSignedTimestamp>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OutSignedTimestamp {
    signed_timestamp: String,
}

impl OutSignedTimestamp {
    pub(crate) fn new(token: &[u8]) -> Self {
        OutSignedTimestamp {
            signed_timestamp: b64(token),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OutDsseEnvelope<'a> {
    payload: String,
    payload_type: &'a str,
    signatures: Vec<OutSignature<'a>>,
}

#[derive(Serialize)]
struct OutSignature<'a> {
    sig: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    keyid: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OutMessageSignature<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    message_digest: Option<OutMessageDigest<'a>>,
    signature: String,
}

#[derive(Serialize)]
struct OutMessageDigest<'a> {
    algorithm: &'a str,
    digest: String,
}

/// The bundle as compact JSON in model_signing's layout (see the module documentation).
pub fn to_json(bundle: &Bundle) -> Vec<u8> {
    let vm = &bundle.verification_material;
    let mut out_vm = OutVerificationMaterial {
        public_key: None,
        x509_certificate_chain: None,
        certificate: None,
        tlog_entries: &vm.tlog_entries,
        timestamp_verification_data: (!vm.rfc3161_timestamps.is_empty()).then(|| {
            OutTimestampVerificationData {
                rfc3161_timestamps: vm
                    .rfc3161_timestamps
                    .iter()
                    .map(|t| OutSignedTimestamp::new(t))
                    .collect(),
            }
        }),
    };
    match &vm.signer {
        SignerMaterial::PublicKeyHint(hint) => {
            out_vm.public_key = Some(OutPublicKey {
                hint: hint.as_deref(),
                raw_bytes: None,
                key_details: None,
            });
        }
        SignerMaterial::LegacyRawPublicKey {
            raw_bytes,
            key_details,
        } => {
            out_vm.public_key = Some(OutPublicKey {
                hint: None,
                raw_bytes: Some(b64(raw_bytes)),
                key_details: key_details.as_deref(),
            });
        }
        SignerMaterial::X509Chain(ders) => {
            out_vm.x509_certificate_chain = Some(OutChain {
                certificates: ders
                    .iter()
                    .map(|d| OutCertificate { raw_bytes: b64(d) })
                    .collect(),
            });
        }
        SignerMaterial::Certificate(der) => {
            out_vm.certificate = Some(OutCertificate {
                raw_bytes: b64(der),
            });
        }
    }
    let (message_signature, dsse_envelope) = match &bundle.content {
        Content::Dsse(envelope) => (
            None,
            Some(OutDsseEnvelope {
                payload: b64(&envelope.payload),
                payload_type: &envelope.payload_type,
                signatures: envelope
                    .signatures
                    .iter()
                    .map(|s| OutSignature {
                        sig: b64(&s.sig),
                        keyid: s.keyid.as_deref(),
                    })
                    .collect(),
            }),
        ),
        Content::MessageSignature(m) => (
            Some(OutMessageSignature {
                message_digest: m.message_digest.as_ref().map(|d| OutMessageDigest {
                    algorithm: &d.algorithm,
                    digest: b64(&d.digest),
                }),
                signature: b64(&m.signature),
            }),
            None,
        ),
    };
    let out = OutBundle {
        media_type: bundle.media_type.as_str(),
        verification_material: out_vm,
        message_signature,
        dsse_envelope,
    };
    // INVARIANT: serialising these structs (strings, bools, lists, serde_json::Values
    // with string keys) into a Vec cannot fail.
    #[allow(clippy::expect_used)]
    serde_json::to_vec(&out).expect("bundle serialisation into memory cannot fail")
}

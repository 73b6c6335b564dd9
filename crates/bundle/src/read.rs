//! Reading a bundle.
//!
//! Rules (oms-format §7; the model_signing 1.1.1 reader is pydantic `sigstore_models`):
//!
//! - **Unknown fields are refused** everywhere this crate interprets (as model_signing
//!   and protobuf's default JSON parser do), **duplicate keys are refused** (serde); the
//!   `tlogEntries` items are kept as opaque JSON and not checked.
//! - The pre-1.1 model_signing `publicKey.rawBytes` / `keyDetails` fields are accepted.
//! - Exactly one of `publicKey` / `x509CertificateChain` / `certificate`, exactly one of
//!   `dsseEnvelope` / `messageSignature`; `tlogEntries` absent means empty, except that a
//!   keyless `certificate` bundle needs at least one entry.
//! - Bytes are **standard, padded base64** ([`Base64Policy::Strict`], what model_signing
//!   requires). [`Base64Policy::AllowLineBreaks`] additionally ignores CR/LF, as Go's
//!   decoder does: some Sigstore conformance bundles wrap base64 at 76 columns.
//! - RFC 3161 timestamps: at most [`MAX_TIMESTAMPS`], each at most
//!   [`MAX_TIMESTAMP_LEN`] bytes, no byte-identical duplicates.

use base64::Engine as _;
use serde::de::{Deserializer, IgnoredAny, SeqAccess, Visitor};
use serde::Deserialize;

use crate::error::Error;
use crate::model::{
    Bundle, Content, DsseEnvelope, DsseSignature, MediaType, MessageDigest, MessageSignature,
    SignerMaterial, VerificationMaterial,
};
use crate::MAX_BUNDLE_LEN;

/// Most RFC 3161 timestamps per bundle: the limit Sigstore clients apply
/// (sigstore-go `maxAllowedTimestamps = 32`) so that verification work stays bounded.
pub const MAX_TIMESTAMPS: usize = 32;
/// Largest decoded `signedTimestamp`. A TimeStampResp with a three-certificate RSA-4096
/// chain is under 10 KB; 64 KiB leaves room and bounds the CMS parser's input.
pub const MAX_TIMESTAMP_LEN: usize = 64 * 1024;
/// Most certificates in `x509CertificateChain` (OpenSSL's default verify depth is 100,
/// real chains have 2–4 certificates; model_signing copies every `--certificate_chain`
/// file in, which can include a root and cross-signed intermediates).
pub const MAX_CHAIN_CERTIFICATES: usize = 32;
/// Most DSSE signatures (model_signing writes one and checks only the first).
pub const MAX_SIGNATURES: usize = 16;
/// Most transparency log entries (Sigstore writes one).
pub const MAX_TLOG_ENTRIES: usize = 64;

/// How to decode base64 fields.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Base64Policy {
    /// Standard alphabet, canonical padding, nothing else (model_signing's rule).
    #[default]
    Strict,
    /// Also ignore CR and LF (Go's `encoding/base64`); for reading third-party Sigstore
    /// bundles, never for OMS verification.
    AllowLineBreaks,
}

/// Options for [`parse_with`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ParseOptions {
    pub base64: Base64Policy,
}

impl ParseOptions {
    /// Options with the given base64 policy.
    pub fn with_base64(base64: Base64Policy) -> Self {
        ParseOptions { base64 }
    }
}

/// A list read with a cap: keeps at most `MAX` items and only counts the rest, so a huge
/// list costs no memory before it is refused.
struct Capped<T, const MAX: usize> {
    items: Vec<T>,
    total: usize,
}

impl<'de, T: Deserialize<'de>, const MAX: usize> Deserialize<'de> for Capped<T, MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T, const MAX: usize>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>, const MAX: usize> Visitor<'de> for V<T, MAX> {
            type Value = Capped<T, MAX>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                let mut total = 0usize;
                loop {
                    if items.len() < MAX {
                        match seq.next_element::<T>()? {
                            Some(item) => items.push(item),
                            None => break,
                        }
                    } else if seq.next_element::<IgnoredAny>()?.is_none() {
                        break;
                    }
                    total = total.saturating_add(1);
                }
                Ok(Capped { items, total })
            }
        }
        d.deserialize_seq(V::<T, MAX>(std::marker::PhantomData))
    }
}

impl<T, const MAX: usize> Capped<T, MAX> {
    fn check(self, field: &'static str) -> Result<Vec<T>, Error> {
        if self.total > MAX {
            return Err(Error::TooMany {
                field,
                count: self.total,
                max: MAX,
            });
        }
        Ok(self.items)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawBundle {
    media_type: Option<String>,
    verification_material: Option<RawVerificationMaterial>,
    dsse_envelope: Option<RawDsseEnvelope>,
    message_signature: Option<RawMessageSignature>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawVerificationMaterial {
    public_key: Option<RawPublicKey>,
    x509_certificate_chain: Option<RawCertificateChain>,
    certificate: Option<RawCertificate>,
    tlog_entries: Option<Capped<serde_json::Value, MAX_TLOG_ENTRIES>>,
    timestamp_verification_data: Option<RawTimestampVerificationData>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawPublicKey {
    hint: Option<String>,
    raw_bytes: Option<String>,
    key_details: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCertificateChain {
    certificates: Option<Capped<RawCertificate, MAX_CHAIN_CERTIFICATES>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawCertificate {
    raw_bytes: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawTimestampVerificationData {
    rfc3161_timestamps: Option<Capped<RawSignedTimestamp, MAX_TIMESTAMPS>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawSignedTimestamp {
    signed_timestamp: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawDsseEnvelope {
    payload: Option<String>,
    payload_type: Option<String>,
    signatures: Option<Capped<RawDsseSignature, MAX_SIGNATURES>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDsseSignature {
    sig: Option<String>,
    keyid: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct RawMessageSignature {
    message_digest: Option<RawMessageDigest>,
    signature: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMessageDigest {
    algorithm: Option<String>,
    digest: Option<String>,
}

/// Parses a bundle with [`ParseOptions::default`] (strict base64).
pub fn parse(json: &[u8]) -> Result<Bundle, Error> {
    parse_with(json, &ParseOptions::default())
}

/// Parses a bundle (see the module documentation for the rules).
pub fn parse_with(json: &[u8], options: &ParseOptions) -> Result<Bundle, Error> {
    if json.len() > MAX_BUNDLE_LEN {
        return Err(Error::TooLarge {
            len: json.len(),
            max: MAX_BUNDLE_LEN,
        });
    }
    let raw: RawBundle = serde_json::from_slice(json).map_err(|e| Error::json(&e))?;
    let decoder = Decoder(options.base64);

    let media_type = MediaType::from_media_type(&required(raw.media_type, "mediaType")?)?;
    let verification_material = verification_material(
        required(raw.verification_material, "verificationMaterial")?,
        decoder,
    )?;
    let content = match (raw.dsse_envelope, raw.message_signature) {
        (Some(envelope), None) => Content::Dsse(dsse_envelope(envelope, decoder)?),
        (None, Some(signature)) => {
            Content::MessageSignature(message_signature(signature, decoder)?)
        }
        (envelope, signature) => {
            let mut found = Vec::new();
            if envelope.is_some() {
                found.push("dsseEnvelope");
            }
            if signature.is_some() {
                found.push("messageSignature");
            }
            return Err(Error::ContentCount { found });
        }
    };
    Ok(Bundle {
        media_type,
        verification_material,
        content,
    })
}

fn required<T>(value: Option<T>, field: &'static str) -> Result<T, Error> {
    value.ok_or(Error::MissingField { field })
}

#[derive(Clone, Copy)]
struct Decoder(Base64Policy);

impl Decoder {
    fn decode(self, text: &str, field: &'static str) -> Result<Vec<u8>, Error> {
        let engine = &base64::engine::general_purpose::STANDARD;
        let result = match self.0 {
            Base64Policy::Strict => engine.decode(text),
            Base64Policy::AllowLineBreaks => {
                let joined: String = text.chars().filter(|c| !matches!(c, '\r' | '\n')).collect();
                engine.decode(joined)
            }
        };
        result.map_err(|_| Error::Base64 { field })
    }

    fn decode_non_empty(self, text: Option<String>, field: &'static str) -> Result<Vec<u8>, Error> {
        let bytes = self.decode(&required(text, field)?, field)?;
        if bytes.is_empty() {
            return Err(Error::EmptyField { field });
        }
        Ok(bytes)
    }
}

fn verification_material(
    raw: RawVerificationMaterial,
    decoder: Decoder,
) -> Result<VerificationMaterial, Error> {
    let tlog_entries = match raw.tlog_entries {
        Some(entries) => entries.check("verificationMaterial.tlogEntries")?,
        None => Vec::new(),
    };
    let signer = match (raw.public_key, raw.x509_certificate_chain, raw.certificate) {
        (Some(key), None, None) => public_key(key, decoder)?,
        (None, Some(chain), None) => {
            const FIELD: &str = "verificationMaterial.x509CertificateChain.certificates";
            let certificates = required(chain.certificates, FIELD)?.check(FIELD)?;
            if certificates.is_empty() {
                return Err(Error::EmptyField { field: FIELD });
            }
            let ders = certificates
                .into_iter()
                .map(|c| {
                    decoder.decode_non_empty(
                        c.raw_bytes,
                        "x509CertificateChain.certificates[].rawBytes",
                    )
                })
                .collect::<Result<Vec<_>, _>>()?;
            SignerMaterial::X509Chain(ders)
        }
        (None, None, Some(certificate)) => {
            if tlog_entries.is_empty() {
                return Err(Error::KeylessWithoutTlogEntry);
            }
            SignerMaterial::Certificate(decoder.decode_non_empty(
                certificate.raw_bytes,
                "verificationMaterial.certificate.rawBytes",
            )?)
        }
        (key, chain, certificate) => {
            let mut found = Vec::new();
            if key.is_some() {
                found.push("publicKey");
            }
            if chain.is_some() {
                found.push("x509CertificateChain");
            }
            if certificate.is_some() {
                found.push("certificate");
            }
            return Err(Error::SignerMaterialCount { found });
        }
    };
    let rfc3161_timestamps = match raw
        .timestamp_verification_data
        .and_then(|data| data.rfc3161_timestamps)
    {
        Some(list) => timestamps(list.check(TIMESTAMPS_FIELD)?, decoder)?,
        None => Vec::new(),
    };
    Ok(VerificationMaterial {
        signer,
        tlog_entries,
        rfc3161_timestamps,
    })
}

fn public_key(raw: RawPublicKey, decoder: Decoder) -> Result<SignerMaterial, Error> {
    match (raw.hint, raw.raw_bytes, raw.key_details) {
        (hint, None, None) => Ok(SignerMaterial::PublicKeyHint(hint)),
        (None, Some(raw_bytes), key_details) => Ok(SignerMaterial::LegacyRawPublicKey {
            raw_bytes: decoder
                .decode_non_empty(Some(raw_bytes), "verificationMaterial.publicKey.rawBytes")?,
            key_details,
        }),
        (Some(_), Some(_), _) => Err(Error::AmbiguousPublicKey),
        (_, None, Some(_)) => Err(Error::KeyDetailsWithoutRawBytes),
    }
}

pub(crate) const TIMESTAMPS_FIELD: &str =
    "verificationMaterial.timestampVerificationData.rfc3161Timestamps";

fn timestamps(raw: Vec<RawSignedTimestamp>, decoder: Decoder) -> Result<Vec<Vec<u8>>, Error> {
    const FIELD: &str = "rfc3161Timestamps[].signedTimestamp";
    let decoded = raw
        .into_iter()
        .map(|t| decoder.decode_non_empty(t.signed_timestamp, FIELD))
        .collect::<Result<Vec<_>, _>>()?;
    check_timestamps(&decoded)?;
    Ok(decoded)
}

/// Size and duplicate rules for a whole list of timestamps (also used when adding).
pub(crate) fn check_timestamps(list: &[Vec<u8>]) -> Result<(), Error> {
    if list.len() > MAX_TIMESTAMPS {
        return Err(Error::TooMany {
            field: TIMESTAMPS_FIELD,
            count: list.len(),
            max: MAX_TIMESTAMPS,
        });
    }
    for (index, token) in list.iter().enumerate() {
        if token.is_empty() {
            return Err(Error::EmptyField {
                field: "rfc3161Timestamps[].signedTimestamp",
            });
        }
        if token.len() > MAX_TIMESTAMP_LEN {
            return Err(Error::ItemTooLarge {
                field: TIMESTAMPS_FIELD,
                index,
                len: token.len(),
                max: MAX_TIMESTAMP_LEN,
            });
        }
        // At most 32 entries: the quadratic scan is cheaper than hashing.
        if let Some(first) = list.iter().take(index).position(|other| other == token) {
            return Err(Error::DuplicateTimestamp { index, first });
        }
    }
    Ok(())
}

fn dsse_envelope(raw: RawDsseEnvelope, decoder: Decoder) -> Result<DsseEnvelope, Error> {
    let payload = decoder.decode_non_empty(raw.payload, "dsseEnvelope.payload")?;
    let payload_type = required(raw.payload_type, "dsseEnvelope.payloadType")?;
    const FIELD: &str = "dsseEnvelope.signatures";
    let raw_signatures = required(raw.signatures, FIELD)?.check(FIELD)?;
    if raw_signatures.is_empty() {
        return Err(Error::EmptyField { field: FIELD });
    }
    let signatures = raw_signatures
        .into_iter()
        .map(|s| {
            Ok(DsseSignature {
                sig: decoder.decode_non_empty(s.sig, "dsseEnvelope.signatures[].sig")?,
                keyid: s.keyid,
            })
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok(DsseEnvelope {
        payload,
        payload_type,
        signatures,
    })
}

fn message_signature(
    raw: RawMessageSignature,
    decoder: Decoder,
) -> Result<MessageSignature, Error> {
    let message_digest = match raw.message_digest {
        Some(d) => Some(MessageDigest {
            algorithm: required(d.algorithm, "messageSignature.messageDigest.algorithm")?,
            digest: decoder.decode_non_empty(d.digest, "messageSignature.messageDigest.digest")?,
        }),
        None => None,
    };
    Ok(MessageSignature {
        message_digest,
        signature: decoder.decode_non_empty(raw.signature, "messageSignature.signature")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_lists_count_beyond_the_cap_without_keeping_items() {
        let c: Capped<u8, 2> = serde_json::from_str("[1,2,3,4]").unwrap();
        assert_eq!(c.items, vec![1, 2]);
        assert_eq!(c.total, 4);
        assert!(matches!(
            c.check("f"),
            Err(Error::TooMany {
                field: "f",
                count: 4,
                max: 2
            })
        ));
        let c: Capped<u8, 2> = serde_json::from_str("[1,2]").unwrap();
        assert_eq!(c.check("f").unwrap(), vec![1, 2]);
    }

    #[test]
    fn base64_policies() {
        let strict = Decoder(Base64Policy::Strict);
        let lenient = Decoder(Base64Policy::AllowLineBreaks);
        assert_eq!(strict.decode("AAEC", "f").unwrap(), vec![0, 1, 2]);
        assert!(strict.decode("AAE", "f").is_err()); // unpadded
        assert_eq!(strict.decode("AAE=", "f").unwrap(), vec![0, 1]);
        assert!(strict.decode("AAF=", "f").is_err()); // non-canonical trailing bits
        assert!(strict.decode("AA\nEC", "f").is_err());
        assert!(strict.decode("_-8=", "f").is_err()); // URL-safe alphabet
        assert_eq!(lenient.decode("AA\r\nEC", "f").unwrap(), vec![0, 1, 2]);
        assert!(lenient.decode("AA EC", "f").is_err());
    }
}

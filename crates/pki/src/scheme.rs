//! [`KeyKind`] and [`SignatureScheme`], with their X.509 and CMS algorithm identifiers.
//!
//! Algorithm identifiers implemented (RFC 5754 §3.3 ECDSA, RFC 4055 §3/§5 RSA, RFC 8419
//! EdDSA in CMS, RFC 3370 §3.2 `rsaEncryption` in SignerInfo):
//!
//! ```text
//! ecdsa-with-SHA256/384/512   1.2.840.10045.4.3.{2,3,4}   parameters absent
//! sha256/384/512WithRSAEncryption 1.2.840.113549.1.1.{11,12,13}  parameters NULL
//! rsaEncryption               1.2.840.113549.1.1.1  (CMS only: hash from digestAlgorithm)
//! id-ecPublicKey              1.2.840.10045.2.1     (CMS only, seen in the wild: hash from digestAlgorithm)
//! id-RSASSA-PSS               1.2.840.113549.1.1.10 parameters RSASSA-PSS-params
//! id-Ed25519                  1.3.101.112           parameters absent; CMS digestAlgorithm MUST be SHA-512
//!
//! RSASSA-PSS-params ::= SEQUENCE {
//!     hashAlgorithm      [0] HashAlgorithm    DEFAULT sha1,
//!     maskGenAlgorithm   [1] MaskGenAlgorithm DEFAULT mgf1SHA1,
//!     saltLength         [2] INTEGER          DEFAULT 20,
//!     trailerField       [3] TrailerField     DEFAULT trailerFieldBC }
//! ```
//!
//! Only the PSS profile modelsign supports is accepted: SHA-2 hash, MGF1 with the same hash,
//! salt length equal to the hash length, trailer field 1. When writing, hash identifiers in
//! PSS parameters carry NULL parameters as in RFC 4055 §6 (`sha256Identifier`).

use std::fmt;

use const_oid::db::rfc5912::{
    ECDSA_WITH_SHA_256, ECDSA_WITH_SHA_384, ECDSA_WITH_SHA_512, ID_EC_PUBLIC_KEY, ID_MGF_1,
    ID_RSASSA_PSS, RSA_ENCRYPTION, SHA_256_WITH_RSA_ENCRYPTION, SHA_384_WITH_RSA_ENCRYPTION,
    SHA_512_WITH_RSA_ENCRYPTION,
};
use const_oid::db::rfc8410::ID_ED_25519;
use const_oid::ObjectIdentifier;
use der::asn1::Any;
use der::{Decode, Encode, Tag, Tagged};
use spki::AlgorithmIdentifierOwned;

use crate::error::Error;
use crate::hash::HashAlgorithm;

/// The kind of a public or private key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyKind {
    EcdsaP256,
    EcdsaP384,
    EcdsaP521,
    Ed25519,
    Rsa { bits: usize },
}

impl KeyKind {
    /// The scheme model_signing uses with this key: P-256/SHA-256, P-384/SHA-384,
    /// P-521/SHA-512, Ed25519, RSA-PSS/SHA-256.
    pub fn default_scheme(&self) -> SignatureScheme {
        match self {
            KeyKind::EcdsaP256 => SignatureScheme::Ecdsa(HashAlgorithm::Sha256),
            KeyKind::EcdsaP384 => SignatureScheme::Ecdsa(HashAlgorithm::Sha384),
            KeyKind::EcdsaP521 => SignatureScheme::Ecdsa(HashAlgorithm::Sha512),
            KeyKind::Ed25519 => SignatureScheme::Ed25519,
            KeyKind::Rsa { .. } => SignatureScheme::RsaPss(HashAlgorithm::Sha256),
        }
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyKind::EcdsaP256 => f.write_str("ECDSA P-256"),
            KeyKind::EcdsaP384 => f.write_str("ECDSA P-384"),
            KeyKind::EcdsaP521 => f.write_str("ECDSA P-521"),
            KeyKind::Ed25519 => f.write_str("Ed25519"),
            KeyKind::Rsa { bits } => write!(f, "RSA-{bits}"),
        }
    }
}

/// A signature scheme; for ECDSA the curve comes from the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignatureScheme {
    /// ECDSA, DER-encoded `Ecdsa-Sig-Value`; any curve with any SHA-2 hash for verifying.
    Ecdsa(HashAlgorithm),
    /// Pure Ed25519 (RFC 8032).
    Ed25519,
    /// RSASSA-PKCS1-v1_5.
    RsaPkcs1(HashAlgorithm),
    /// RSASSA-PSS, MGF1 with the same hash, salt length = hash length.
    RsaPss(HashAlgorithm),
}

impl fmt::Display for SignatureScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignatureScheme::Ecdsa(h) => write!(f, "ecdsa-{h}"),
            SignatureScheme::Ed25519 => f.write_str("ed25519"),
            SignatureScheme::RsaPkcs1(h) => write!(f, "rsa-pkcs1-{h}"),
            SignatureScheme::RsaPss(h) => write!(f, "rsa-pss-{h}"),
        }
    }
}

/// RFC 4055 §3.1 `RSASSA-PSS-params`.
#[derive(Clone, Debug, PartialEq, Eq, der::Sequence)]
struct RsaPssParams {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    hash_algorithm: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "1", tag_mode = "EXPLICIT", optional = "true")]
    mask_gen_algorithm: Option<AlgorithmIdentifierOwned>,
    #[asn1(context_specific = "2", tag_mode = "EXPLICIT", optional = "true")]
    salt_length: Option<u32>,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT", optional = "true")]
    trailer_field: Option<u32>,
}

fn pss_error(reason: impl Into<String>) -> Error {
    Error::InvalidAlgorithmParameters {
        algorithm: "RSASSA-PSS",
        reason: reason.into(),
    }
}

/// Parameters of a hash AlgorithmIdentifier must be absent or NULL (RFC 5754 §2).
fn hash_from_identifier(alg: &AlgorithmIdentifierOwned) -> Result<HashAlgorithm, Error> {
    let hash =
        HashAlgorithm::from_oid(&alg.oid).ok_or_else(|| Error::UnsupportedHashAlgorithm {
            name: alg.oid.to_string(),
        })?;
    if !params_absent_or_null(alg.parameters.as_ref()) {
        return Err(Error::InvalidAlgorithmParameters {
            algorithm: hash.name(),
            reason: "digest algorithm parameters must be absent or NULL".into(),
        });
    }
    Ok(hash)
}

fn params_absent_or_null(params: Option<&Any>) -> bool {
    match params {
        None => true,
        Some(any) => any.tag() == Tag::Null && any.value().is_empty(),
    }
}

fn parse_pss_params(params: Option<&Any>) -> Result<HashAlgorithm, Error> {
    let params = params.ok_or_else(|| pss_error("parameters absent (SHA-1 defaults)"))?;
    let bytes = params
        .to_der()
        .map_err(|e| pss_error(format!("cannot re-encode parameters: {e}")))?;
    let p = RsaPssParams::from_der(&bytes).map_err(|e| pss_error(e.to_string()))?;
    let hash = hash_from_identifier(
        p.hash_algorithm
            .as_ref()
            .ok_or_else(|| pss_error("hashAlgorithm absent (SHA-1 default)"))?,
    )?;
    let mgf = p
        .mask_gen_algorithm
        .as_ref()
        .ok_or_else(|| pss_error("maskGenAlgorithm absent (MGF1-SHA-1 default)"))?;
    if mgf.oid != ID_MGF_1 {
        return Err(pss_error(format!(
            "mask generation {} is not MGF1",
            mgf.oid
        )));
    }
    let mgf_hash: AlgorithmIdentifierOwned = mgf
        .parameters
        .as_ref()
        .ok_or_else(|| pss_error("MGF1 hash absent"))?
        .decode_as()
        .map_err(|e| pss_error(format!("MGF1 parameters: {e}")))?;
    if hash_from_identifier(&mgf_hash)? != hash {
        return Err(pss_error("MGF1 hash differs from the signature hash"));
    }
    let salt = p.salt_length.unwrap_or(20);
    if usize::try_from(salt).ok() != Some(hash.output_len()) {
        return Err(pss_error(format!(
            "salt length {salt} is not the {} output length {}",
            hash.name(),
            hash.output_len()
        )));
    }
    if p.trailer_field.unwrap_or(1) != 1 {
        return Err(pss_error("trailerField must be 1"));
    }
    Ok(hash)
}

fn no_params(oid: ObjectIdentifier) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid,
        parameters: None,
    }
}

fn null_params(oid: ObjectIdentifier) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid,
        parameters: Some(Any::null()),
    }
}

impl SignatureScheme {
    /// The hash the scheme applies to the message, if any (Ed25519 has none).
    pub fn hash(&self) -> Option<HashAlgorithm> {
        match self {
            SignatureScheme::Ecdsa(h)
            | SignatureScheme::RsaPkcs1(h)
            | SignatureScheme::RsaPss(h) => Some(*h),
            SignatureScheme::Ed25519 => None,
        }
    }

    /// From an X.509 / CRL `signatureAlgorithm` (the hash is part of the identifier).
    pub fn from_signature_algorithm(alg: &AlgorithmIdentifierOwned) -> Result<Self, Error> {
        let oid = alg.oid;
        let ecdsa = [
            (ECDSA_WITH_SHA_256, HashAlgorithm::Sha256),
            (ECDSA_WITH_SHA_384, HashAlgorithm::Sha384),
            (ECDSA_WITH_SHA_512, HashAlgorithm::Sha512),
        ];
        let pkcs1 = [
            (SHA_256_WITH_RSA_ENCRYPTION, HashAlgorithm::Sha256),
            (SHA_384_WITH_RSA_ENCRYPTION, HashAlgorithm::Sha384),
            (SHA_512_WITH_RSA_ENCRYPTION, HashAlgorithm::Sha512),
        ];
        if let Some((_, h)) = ecdsa.iter().find(|(o, _)| *o == oid) {
            if alg.parameters.is_some() {
                return Err(Error::InvalidAlgorithmParameters {
                    algorithm: "ECDSA",
                    reason: "parameters must be absent (RFC 5758 §3.2)".into(),
                });
            }
            return Ok(SignatureScheme::Ecdsa(*h));
        }
        if let Some((_, h)) = pkcs1.iter().find(|(o, _)| *o == oid) {
            // RFC 4055 §5 says NULL; absent is common enough (and harmless) to accept.
            if !params_absent_or_null(alg.parameters.as_ref()) {
                return Err(Error::InvalidAlgorithmParameters {
                    algorithm: "RSASSA-PKCS1-v1_5",
                    reason: "parameters must be NULL".into(),
                });
            }
            return Ok(SignatureScheme::RsaPkcs1(*h));
        }
        if oid == ID_RSASSA_PSS {
            return parse_pss_params(alg.parameters.as_ref()).map(SignatureScheme::RsaPss);
        }
        if oid == ID_ED_25519 {
            if alg.parameters.is_some() {
                return Err(Error::InvalidAlgorithmParameters {
                    algorithm: "Ed25519",
                    reason: "parameters must be absent (RFC 8410 §3)".into(),
                });
            }
            return Ok(SignatureScheme::Ed25519);
        }
        Err(Error::UnsupportedSignatureAlgorithm { oid })
    }

    /// From CMS SignerInfo signatureAlgorithm + digestAlgorithm (RFC 5652/5754/4056/8419).
    ///
    /// When the signature algorithm names a hash, it must equal the digest algorithm.
    pub fn from_cms(
        signature_algorithm: &AlgorithmIdentifierOwned,
        digest_algorithm: &AlgorithmIdentifierOwned,
    ) -> Result<Self, Error> {
        let digest = hash_from_identifier(digest_algorithm)?;
        let sig_oid = signature_algorithm.oid;
        let scheme = if sig_oid == RSA_ENCRYPTION {
            if !params_absent_or_null(signature_algorithm.parameters.as_ref()) {
                return Err(Error::InvalidAlgorithmParameters {
                    algorithm: "rsaEncryption",
                    reason: "parameters must be NULL".into(),
                });
            }
            SignatureScheme::RsaPkcs1(digest)
        } else if sig_oid == ID_EC_PUBLIC_KEY {
            SignatureScheme::Ecdsa(digest)
        } else {
            SignatureScheme::from_signature_algorithm(signature_algorithm)?
        };
        let consistent = match scheme {
            // RFC 8419 §3.1: "When signing with Ed25519, the digestAlgorithm MUST be id-sha512."
            SignatureScheme::Ed25519 => digest == HashAlgorithm::Sha512,
            other => other.hash() == Some(digest),
        };
        if !consistent {
            return Err(Error::CmsAlgorithmMismatch {
                digest: digest_algorithm.oid,
                signature: sig_oid,
            });
        }
        Ok(scheme)
    }

    /// The X.509-style `signatureAlgorithm` identifier of this scheme.
    pub fn signature_algorithm(&self) -> AlgorithmIdentifierOwned {
        match self {
            SignatureScheme::Ecdsa(h) => no_params(match h {
                HashAlgorithm::Sha256 => ECDSA_WITH_SHA_256,
                HashAlgorithm::Sha384 => ECDSA_WITH_SHA_384,
                HashAlgorithm::Sha512 => ECDSA_WITH_SHA_512,
            }),
            SignatureScheme::Ed25519 => no_params(ID_ED_25519),
            SignatureScheme::RsaPkcs1(h) => null_params(match h {
                HashAlgorithm::Sha256 => SHA_256_WITH_RSA_ENCRYPTION,
                HashAlgorithm::Sha384 => SHA_384_WITH_RSA_ENCRYPTION,
                HashAlgorithm::Sha512 => SHA_512_WITH_RSA_ENCRYPTION,
            }),
            SignatureScheme::RsaPss(h) => {
                let salt = u32::try_from(h.output_len()).unwrap_or(32);
                let params = RsaPssParams {
                    hash_algorithm: Some(null_params(h.oid())),
                    mask_gen_algorithm: Some(AlgorithmIdentifierOwned {
                        oid: ID_MGF_1,
                        parameters: Any::encode_from(&null_params(h.oid())).ok(),
                    }),
                    salt_length: Some(salt),
                    trailer_field: None,
                };
                AlgorithmIdentifierOwned {
                    oid: ID_RSASSA_PSS,
                    parameters: Any::encode_from(&params).ok(),
                }
            }
        }
    }

    /// AlgorithmIdentifiers to write in a CMS SignerInfo for this scheme:
    /// `(digestAlgorithm, signatureAlgorithm)`. Digest parameters are absent (RFC 5754 §2
    /// "SHOULD omit"); Ed25519 uses SHA-512 as RFC 8419 requires.
    pub fn cms_algorithms(&self) -> (AlgorithmIdentifierOwned, AlgorithmIdentifierOwned) {
        let digest = self.hash().unwrap_or(HashAlgorithm::Sha512);
        (no_params(digest.oid()), self.signature_algorithm())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_schemes() -> Vec<SignatureScheme> {
        let mut v = vec![SignatureScheme::Ed25519];
        for h in HashAlgorithm::ALL {
            v.push(SignatureScheme::Ecdsa(h));
            v.push(SignatureScheme::RsaPkcs1(h));
            v.push(SignatureScheme::RsaPss(h));
        }
        v
    }

    #[test]
    fn cms_round_trip_for_every_scheme() {
        for s in all_schemes() {
            let (d, a) = s.cms_algorithms();
            assert_eq!(SignatureScheme::from_cms(&a, &d).unwrap(), s, "{s}");
            assert_eq!(SignatureScheme::from_signature_algorithm(&a).unwrap(), s);
        }
    }

    #[test]
    fn pss_sha256_params_match_openssl_encoding() {
        // `openssl req ... -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32`
        // writes exactly these parameters (hash with NULL params, MGF1-SHA256, salt 32).
        let (_, sig) = SignatureScheme::RsaPss(HashAlgorithm::Sha256).cms_algorithms();
        assert_eq!(
            hex::encode(sig.to_der().unwrap()),
            "304106092a864886f70d01010a3034a00f300d06096086480165030402010500a11c301a06092a864886f70d010108300d06096086480165030402010500a203020120"
        );
    }

    #[test]
    fn rsa_encryption_and_ec_public_key_take_hash_from_digest() {
        let d = no_params(HashAlgorithm::Sha384.oid());
        assert_eq!(
            SignatureScheme::from_cms(&null_params(RSA_ENCRYPTION), &d).unwrap(),
            SignatureScheme::RsaPkcs1(HashAlgorithm::Sha384)
        );
        assert_eq!(
            SignatureScheme::from_cms(&no_params(ID_EC_PUBLIC_KEY), &d).unwrap(),
            SignatureScheme::Ecdsa(HashAlgorithm::Sha384)
        );
    }

    #[test]
    fn mismatched_digest_is_rejected() {
        let d = null_params(HashAlgorithm::Sha256.oid());
        let (_, sig) = SignatureScheme::Ecdsa(HashAlgorithm::Sha384).cms_algorithms();
        assert_eq!(
            SignatureScheme::from_cms(&sig, &d),
            Err(Error::CmsAlgorithmMismatch {
                digest: HashAlgorithm::Sha256.oid(),
                signature: ECDSA_WITH_SHA_384
            })
        );
        let (_, ed) = SignatureScheme::Ed25519.cms_algorithms();
        assert!(matches!(
            SignatureScheme::from_cms(&ed, &d),
            Err(Error::CmsAlgorithmMismatch { .. })
        ));
    }

    #[test]
    fn pss_with_wrong_salt_or_defaults_is_rejected() {
        let absent = no_params(ID_RSASSA_PSS);
        assert!(matches!(
            SignatureScheme::from_signature_algorithm(&absent),
            Err(Error::InvalidAlgorithmParameters {
                algorithm: "RSASSA-PSS",
                ..
            })
        ));
        let params = RsaPssParams {
            hash_algorithm: Some(null_params(HashAlgorithm::Sha256.oid())),
            mask_gen_algorithm: Some(AlgorithmIdentifierOwned {
                oid: ID_MGF_1,
                parameters: Any::encode_from(&null_params(HashAlgorithm::Sha256.oid())).ok(),
            }),
            salt_length: Some(20),
            trailer_field: None,
        };
        let alg = AlgorithmIdentifierOwned {
            oid: ID_RSASSA_PSS,
            parameters: Any::encode_from(&params).ok(),
        };
        assert_eq!(
            SignatureScheme::from_signature_algorithm(&alg),
            Err(pss_error(
                "salt length 20 is not the sha256 output length 32"
            ))
        );
    }

    #[test]
    fn unknown_algorithm() {
        let sha1_rsa = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.5");
        assert_eq!(
            SignatureScheme::from_signature_algorithm(&null_params(sha1_rsa)),
            Err(Error::UnsupportedSignatureAlgorithm { oid: sha1_rsa })
        );
    }

    #[test]
    fn default_schemes() {
        assert_eq!(
            KeyKind::EcdsaP521.default_scheme(),
            SignatureScheme::Ecdsa(HashAlgorithm::Sha512)
        );
        assert_eq!(
            KeyKind::Rsa { bits: 3072 }.default_scheme(),
            SignatureScheme::RsaPss(HashAlgorithm::Sha256)
        );
    }
}

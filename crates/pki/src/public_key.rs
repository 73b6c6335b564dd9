//! [`PublicKey`]: a SubjectPublicKeyInfo (RFC 5280 §4.1.2.7) and signature verification.
//!
//! ```text
//! SubjectPublicKeyInfo ::= SEQUENCE {
//!     algorithm         AlgorithmIdentifier,
//!     subjectPublicKey  BIT STRING }
//! ```
//!
//! Accepted algorithms: `id-ecPublicKey` with namedCurve P-256/P-384/P-521 (RFC 5480,
//! uncompressed or compressed point as aws-lc-rs accepts), `rsaEncryption` (RFC 3279,
//! parameters NULL or absent; RSAPublicKey in the bit string), `id-Ed25519` (RFC 8410).
//! RSA keys below 2048 bits parse (so that errors can name them) but never verify.

use const_oid::db::rfc5912::{
    ID_EC_PUBLIC_KEY, RSA_ENCRYPTION, SECP_256_R_1, SECP_384_R_1, SECP_521_R_1,
};
use const_oid::db::rfc8410::ID_ED_25519;
use const_oid::ObjectIdentifier;
use der::{Decode, Encode};
use spki::SubjectPublicKeyInfoRef;

use aws_lc_rs::signature::{self as sig, VerificationAlgorithm};

use crate::error::Error;
use crate::hash::HashAlgorithm;
use crate::pem;
use crate::scheme::{KeyKind, SignatureScheme};

/// RSA moduli below this are refused for signing and verifying (NIST SP 800-131A).
pub const MIN_RSA_BITS: usize = 2048;
/// Public key input budget: an RSA-16384 SPKI is ~2.1 KB, PEM ~2.9 KB.
const MAX_PUBLIC_KEY_BYTES: usize = 16 * 1024;

/// A public key with its exact SPKI DER.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PublicKey {
    spki_der: Vec<u8>,
    kind: KeyKind,
    /// The content of subjectPublicKey: EC point, RSAPublicKey DER, or Ed25519 bytes.
    raw: Vec<u8>,
}

impl PublicKey {
    /// Parses a DER SubjectPublicKeyInfo.
    pub fn from_spki_der(der: &[u8]) -> Result<Self, Error> {
        if der.len() > MAX_PUBLIC_KEY_BYTES {
            return Err(Error::InputTooLarge {
                what: "public key",
                size: der.len(),
                limit: MAX_PUBLIC_KEY_BYTES,
            });
        }
        let spki = SubjectPublicKeyInfoRef::from_der(der).map_err(|e| Error::Der {
            what: "SubjectPublicKeyInfo",
            detail: e.to_string(),
        })?;
        let raw = spki
            .subject_public_key
            .as_bytes()
            .ok_or_else(|| Error::InvalidKey {
                format: "SubjectPublicKeyInfo",
                detail: "subjectPublicKey has unused bits".into(),
            })?
            .to_vec();
        let oid = spki.algorithm.oid;
        let kind = if oid == ID_EC_PUBLIC_KEY {
            let curve = spki
                .algorithm
                .parameters_oid()
                .map_err(|_| Error::InvalidKey {
                    format: "EC public key",
                    detail: "namedCurve parameter missing (explicit curves are not supported)"
                        .into(),
                })?;
            curve_kind(curve)?
        } else if oid == RSA_ENCRYPTION {
            Self::rsa_kind(&raw)?
        } else if oid == ID_ED_25519 {
            if spki.algorithm.parameters.is_some() {
                return Err(Error::InvalidKey {
                    format: "Ed25519 public key",
                    detail: "parameters must be absent (RFC 8410 §3)".into(),
                });
            }
            KeyKind::Ed25519
        } else {
            return Err(Error::UnsupportedKeyAlgorithm { oid });
        };
        // Let the backend validate the key material (EC point on the curve, RSA encoding).
        if !matches!(kind, KeyKind::Rsa { bits } if bits < MIN_RSA_BITS) {
            let alg = verification_algorithm(kind, kind.default_scheme())?;
            sig::ParsedPublicKey::new(alg, &raw).map_err(|e| Error::InvalidKey {
                format: "SubjectPublicKeyInfo",
                detail: e.to_string(),
            })?;
        }
        Ok(PublicKey {
            spki_der: der.to_vec(),
            kind,
            raw,
        })
    }

    fn rsa_kind(pkcs1: &[u8]) -> Result<KeyKind, Error> {
        let key = aws_lc_rs::rsa::PublicKey::from_der(pkcs1).map_err(|e| Error::InvalidKey {
            format: "RSA public key",
            detail: e.to_string(),
        })?;
        let modulus = key.modulus();
        let n = modulus.big_endian_without_leading_zero();
        let bits = match n.first() {
            None => 0,
            Some(first) => {
                let leading = usize::try_from(first.leading_zeros()).unwrap_or(0);
                (n.len() * 8).saturating_sub(leading)
            }
        };
        Ok(KeyKind::Rsa { bits })
    }

    /// Parses a `PUBLIC KEY` (SPKI) PEM block; other blocks in the text are ignored.
    pub fn from_pem(pem_bytes: &[u8]) -> Result<Self, Error> {
        if pem_bytes.len() > MAX_PUBLIC_KEY_BYTES {
            return Err(Error::InputTooLarge {
                what: "public key PEM",
                size: pem_bytes.len(),
                limit: MAX_PUBLIC_KEY_BYTES,
            });
        }
        let text = std::str::from_utf8(pem_bytes).map_err(|_| Error::Pem {
            expected: "PUBLIC KEY",
            detail: "not UTF-8 text".into(),
        })?;
        let blocks = pem::blocks(text, "PUBLIC KEY")?;
        let block = match blocks.iter().find(|b| b.label == "PUBLIC KEY") {
            Some(b) => b,
            None => {
                return Err(match blocks.first() {
                    Some(other) => Error::PemLabel {
                        found: other.label.to_string(),
                        expected: "PUBLIC KEY",
                    },
                    None => Error::Pem {
                        expected: "PUBLIC KEY",
                        detail: "no PEM block found".into(),
                    },
                })
            }
        };
        Self::from_spki_der(&block.decode("PUBLIC KEY")?)
    }

    /// PEM or DER SPKI.
    pub fn from_pem_or_der(bytes: &[u8]) -> Result<Self, Error> {
        if pem::looks_like_pem(bytes) {
            Self::from_pem(bytes)
        } else {
            Self::from_spki_der(bytes)
        }
    }

    /// Builds the SPKI from an algorithm identifier and raw key bytes.
    pub(crate) fn from_parts(
        algorithm: spki::AlgorithmIdentifierOwned,
        raw: &[u8],
    ) -> Result<Self, Error> {
        let spki = spki::SubjectPublicKeyInfoOwned {
            algorithm,
            subject_public_key: der::asn1::BitString::from_bytes(raw).map_err(|e| Error::Der {
                what: "SubjectPublicKeyInfo",
                detail: e.to_string(),
            })?,
        };
        let der = spki.to_der().map_err(|e| Error::Der {
            what: "SubjectPublicKeyInfo",
            detail: e.to_string(),
        })?;
        Self::from_spki_der(&der)
    }

    pub fn kind(&self) -> KeyKind {
        self.kind
    }

    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }

    /// PEM exactly as Python `cryptography` writes it (LF, 64 columns, final LF):
    /// model_signing's key hint is sha256 of this text.
    pub fn to_pem(&self) -> String {
        pem::encode("PUBLIC KEY", &self.spki_der)
    }

    /// The scheme model_signing uses for DSSE with this key.
    pub fn default_scheme(&self) -> SignatureScheme {
        self.kind.default_scheme()
    }

    /// Verifies `signature` over `message` (ECDSA signatures are DER `Ecdsa-Sig-Value`).
    pub fn verify(
        &self,
        scheme: SignatureScheme,
        message: &[u8],
        signature: &[u8],
    ) -> Result<(), Error> {
        if let KeyKind::Rsa { bits } = self.kind {
            if bits < MIN_RSA_BITS {
                return Err(Error::RsaKeyTooSmall {
                    bits,
                    minimum: MIN_RSA_BITS,
                });
            }
        }
        let alg = verification_algorithm(self.kind, scheme)?;
        sig::UnparsedPublicKey::new(alg, &self.raw)
            .verify(message, signature)
            .map_err(|_| Error::InvalidSignature {
                scheme,
                key: self.kind,
            })
    }
}

pub(crate) fn curve_kind(curve: ObjectIdentifier) -> Result<KeyKind, Error> {
    match curve {
        c if c == SECP_256_R_1 => Ok(KeyKind::EcdsaP256),
        c if c == SECP_384_R_1 => Ok(KeyKind::EcdsaP384),
        c if c == SECP_521_R_1 => Ok(KeyKind::EcdsaP521),
        other => Err(Error::UnsupportedCurve { oid: other }),
    }
}

pub(crate) fn curve_oid(kind: KeyKind) -> Option<ObjectIdentifier> {
    match kind {
        KeyKind::EcdsaP256 => Some(SECP_256_R_1),
        KeyKind::EcdsaP384 => Some(SECP_384_R_1),
        KeyKind::EcdsaP521 => Some(SECP_521_R_1),
        KeyKind::Ed25519 | KeyKind::Rsa { .. } => None,
    }
}

/// The aws-lc-rs verification algorithm for a key kind and scheme.
fn verification_algorithm(
    kind: KeyKind,
    scheme: SignatureScheme,
) -> Result<&'static dyn VerificationAlgorithm, Error> {
    use HashAlgorithm::{Sha256, Sha384, Sha512};
    use SignatureScheme::{Ecdsa, Ed25519, RsaPkcs1, RsaPss};
    let alg: &'static dyn VerificationAlgorithm = match (kind, scheme) {
        (KeyKind::EcdsaP256, Ecdsa(Sha256)) => &sig::ECDSA_P256_SHA256_ASN1,
        (KeyKind::EcdsaP256, Ecdsa(Sha384)) => &sig::ECDSA_P256_SHA384_ASN1,
        (KeyKind::EcdsaP256, Ecdsa(Sha512)) => &sig::ECDSA_P256_SHA512_ASN1,
        (KeyKind::EcdsaP384, Ecdsa(Sha256)) => &sig::ECDSA_P384_SHA256_ASN1,
        (KeyKind::EcdsaP384, Ecdsa(Sha384)) => &sig::ECDSA_P384_SHA384_ASN1,
        (KeyKind::EcdsaP384, Ecdsa(Sha512)) => &sig::ECDSA_P384_SHA512_ASN1,
        (KeyKind::EcdsaP521, Ecdsa(Sha256)) => &sig::ECDSA_P521_SHA256_ASN1,
        (KeyKind::EcdsaP521, Ecdsa(Sha384)) => &sig::ECDSA_P521_SHA384_ASN1,
        (KeyKind::EcdsaP521, Ecdsa(Sha512)) => &sig::ECDSA_P521_SHA512_ASN1,
        (KeyKind::Ed25519, Ed25519) => &sig::ED25519,
        (KeyKind::Rsa { .. }, RsaPkcs1(Sha256)) => &sig::RSA_PKCS1_2048_8192_SHA256,
        (KeyKind::Rsa { .. }, RsaPkcs1(Sha384)) => &sig::RSA_PKCS1_2048_8192_SHA384,
        (KeyKind::Rsa { .. }, RsaPkcs1(Sha512)) => &sig::RSA_PKCS1_2048_8192_SHA512,
        (KeyKind::Rsa { .. }, RsaPss(Sha256)) => &sig::RSA_PSS_2048_8192_SHA256,
        (KeyKind::Rsa { .. }, RsaPss(Sha384)) => &sig::RSA_PSS_2048_8192_SHA384,
        (KeyKind::Rsa { .. }, RsaPss(Sha512)) => &sig::RSA_PSS_2048_8192_SHA512,
        (key, scheme) => return Err(Error::SchemeKeyMismatch { scheme, key }),
    };
    Ok(alg)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EC256_PUB: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata/model-signing-1.1.1/keys/ec256.pub.pem"
    ));

    #[test]
    fn to_pem_is_byte_identical_to_cryptography() {
        let key = PublicKey::from_pem(EC256_PUB).unwrap();
        assert_eq!(key.kind(), KeyKind::EcdsaP256);
        assert_eq!(key.to_pem().as_bytes(), EC256_PUB);
        assert_eq!(
            hex::encode(HashAlgorithm::Sha256.digest(key.to_pem().as_bytes())),
            "c23c2e058093214e72753a240af01a74152066248303d84b1fe4fa9cbbb535ed"
        );
        let der_key = PublicKey::from_pem_or_der(key.spki_der()).unwrap();
        assert_eq!(der_key, key);
    }

    #[test]
    fn wrong_label_and_garbage() {
        let pem = pem::encode("CERTIFICATE", b"abc");
        assert_eq!(
            PublicKey::from_pem(pem.as_bytes()),
            Err(Error::PemLabel {
                found: "CERTIFICATE".into(),
                expected: "PUBLIC KEY"
            })
        );
        assert!(matches!(
            PublicKey::from_spki_der(b"\x30\x03\x02\x01\x00"),
            Err(Error::Der {
                what: "SubjectPublicKeyInfo",
                ..
            })
        ));
    }

    #[test]
    fn scheme_must_fit_key() {
        let key = PublicKey::from_pem(EC256_PUB).unwrap();
        assert_eq!(
            key.verify(SignatureScheme::Ed25519, b"m", b"s"),
            Err(Error::SchemeKeyMismatch {
                scheme: SignatureScheme::Ed25519,
                key: KeyKind::EcdsaP256
            })
        );
    }
}

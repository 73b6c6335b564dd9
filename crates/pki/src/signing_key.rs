//! [`SigningKey`]: private keys (aws-lc-rs) loaded from PEM/DER, generated, and serialised.
//!
//! Accepted encodings (detected from the PEM label, or by trying each DER structure):
//!
//! ```text
//! "PRIVATE KEY"            PKCS#8 PrivateKeyInfo / OneAsymmetricKey (RFC 5208, RFC 5958)
//! "ENCRYPTED PRIVATE KEY"  EncryptedPrivateKeyInfo (RFC 5958 §3) with PBES2 (RFC 8018):
//!                          PBKDF2 or scrypt key derivation, AES-CBC encryption
//! "EC PRIVATE KEY"         ECPrivateKey (SEC1, RFC 5915) with namedCurve parameters
//! "RSA PRIVATE KEY"        RSAPrivateKey (PKCS#1, RFC 8017 §A.1.2)
//! ```
//!
//! OpenSSL's legacy `Proc-Type: 4,ENCRYPTED` PEM encryption is refused with a hint.
//! Key material never appears in `Debug` output or error messages.

use std::fmt;

use aws_lc_rs::encoding::{AsDer, Pkcs8V1Der};
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{self as sig, EcdsaKeyPair, EcdsaSigningAlgorithm, KeyPair};
use const_oid::db::rfc5912::{ID_EC_PUBLIC_KEY, RSA_ENCRYPTION};
use const_oid::db::rfc8410::ID_ED_25519;
use der::asn1::Any;
use der::Decode;
use pkcs8::{EncryptedPrivateKeyInfoRef, PrivateKeyInfoRef};
use spki::AlgorithmIdentifierOwned;
use zeroize::Zeroizing;

use crate::error::Error;
use crate::hash::HashAlgorithm;
use crate::pem;
use crate::public_key::{curve_kind, curve_oid, PublicKey, MIN_RSA_BITS};
use crate::scheme::{KeyKind, SignatureScheme};

/// Key file budget: an RSA-8192 PKCS#8 PEM is ~6.4 KB; 64 KiB leaves room for comments
/// and encrypted wrappers while bounding work on hostile input.
const MAX_PRIVATE_KEY_BYTES: usize = 64 * 1024;

enum Inner {
    Ecdsa(EcdsaKeyPair),
    Ed25519(sig::Ed25519KeyPair),
    Rsa(sig::RsaKeyPair),
}

/// A private signing key. `Debug` prints only the key kind.
pub struct SigningKey {
    inner: Inner,
    public: PublicKey,
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kind", &self.public.kind())
            .finish_non_exhaustive()
    }
}

fn rejected(format: &'static str) -> impl Fn(aws_lc_rs::error::KeyRejected) -> Error {
    move |e| Error::InvalidKey {
        format,
        detail: e.to_string(),
    }
}

/// Bits of the modulus of a PKCS#1 `RSAPrivateKey`, if `der` starts like one:
///
/// ```text
/// RSAPrivateKey ::= SEQUENCE { version INTEGER, modulus INTEGER, publicExponent INTEGER, ... }
/// ```
///
/// aws-lc-rs refuses keys under 2048 bits while parsing (`KeyRejected("TooSmall")`), before
/// our own [`MIN_RSA_BITS`] check could name the size; reading the modulus first lets a
/// user with an old 1024-bit key be told exactly that, whatever the file format.
fn rsa_modulus_bits(der: &[u8]) -> Option<usize> {
    use der::asn1::UintRef;
    use der::{Decode, SliceReader};
    let mut reader = SliceReader::new(der).ok()?;
    let header = der::Header::decode(&mut reader).ok()?;
    if header.tag() != der::Tag::Sequence {
        return None;
    }
    // version, modulus, publicExponent, privateExponent, prime1, prime2, exponent1,
    // exponent2, coefficient: nine INTEGERs (other key types, e.g. DSA's six, are not
    // taken for RSA).
    let mut fields = Vec::with_capacity(9);
    for _ in 0..9 {
        fields.push(UintRef::decode(&mut reader).ok()?);
    }
    let public_exponent = fields.get(2)?;
    if public_exponent.as_bytes().len() > 8 {
        return None;
    }
    let modulus = fields.get(1)?.as_bytes();
    let first = *modulus.first()?;
    Some((modulus.len() - 1) * 8 + (8 - first.leading_zeros() as usize))
}

/// `Err(RsaKeyTooSmall)` when the PKCS#1 key `der` has a modulus under [`MIN_RSA_BITS`].
fn check_rsa_size(pkcs1_der: &[u8]) -> Result<(), Error> {
    match rsa_modulus_bits(pkcs1_der) {
        Some(bits) if bits < MIN_RSA_BITS => Err(Error::RsaKeyTooSmall {
            bits,
            minimum: MIN_RSA_BITS,
        }),
        _ => Ok(()),
    }
}

/// The aws-lc-rs signing algorithm for ECDSA on a curve with a hash, where one exists.
fn ecdsa_signing_alg(kind: KeyKind, hash: HashAlgorithm) -> Option<&'static EcdsaSigningAlgorithm> {
    match (kind, hash) {
        (KeyKind::EcdsaP256, HashAlgorithm::Sha256) => Some(&sig::ECDSA_P256_SHA256_ASN1_SIGNING),
        (KeyKind::EcdsaP384, HashAlgorithm::Sha384) => Some(&sig::ECDSA_P384_SHA384_ASN1_SIGNING),
        (KeyKind::EcdsaP521, HashAlgorithm::Sha256) => Some(&sig::ECDSA_P521_SHA256_ASN1_SIGNING),
        (KeyKind::EcdsaP521, HashAlgorithm::Sha384) => Some(&sig::ECDSA_P521_SHA384_ASN1_SIGNING),
        (KeyKind::EcdsaP521, HashAlgorithm::Sha512) => Some(&sig::ECDSA_P521_SHA512_ASN1_SIGNING),
        _ => None,
    }
}

/// ECDSA on P-256 / P-384 with a hash other than the curve's own (P-256 with SHA-384 or
/// SHA-512, P-384 with SHA-256 or SHA-512). aws-lc-rs has no signing algorithm for these
/// pairs (it verifies them all), so the digest is computed here and signed with
/// `sign_digest` after the conversion FIPS 186-5 §6.4.1 prescribes for every ECDSA
/// signature: "If the bit length of the hash is greater than the bit length of n, then
/// use the leftmost bits", otherwise the hash is used as an integer as it is. The orders
/// of P-256 and P-384 are exactly 256 and 384 bits long, so a longer digest is cut to its
/// first 32 / 48 bytes and a shorter one is left-padded with zero bytes (the same
/// integer) to the length of the curve's own digest. `None` if the backend fails.
fn sign_ecdsa_other_hash(
    pair: &EcdsaKeyPair,
    kind: KeyKind,
    hash: HashAlgorithm,
    message: &[u8],
) -> Option<Vec<u8>> {
    let (own_alg, own_digest) = match kind {
        KeyKind::EcdsaP256 => (
            &sig::ECDSA_P256_SHA256_ASN1_SIGNING,
            &aws_lc_rs::digest::SHA256,
        ),
        KeyKind::EcdsaP384 => (
            &sig::ECDSA_P384_SHA384_ASN1_SIGNING,
            &aws_lc_rs::digest::SHA384,
        ),
        _ => return None,
    };
    // Keys are always loaded with their curve's own algorithm (`default_ecdsa_alg`);
    // `sign_digest` refuses a digest of another algorithm than the key's.
    if !std::ptr::eq(pair.algorithm(), own_alg) {
        return None;
    }
    let digest = hash.digest(message);
    let width = own_digest.output_len();
    let integer: Vec<u8> = if digest.len() >= width {
        digest.get(..width)?.to_vec()
    } else {
        let mut padded = vec![0u8; width - digest.len()];
        padded.extend_from_slice(&digest);
        padded
    };
    let imported = aws_lc_rs::digest::Digest::import_less_safe(&integer, own_digest).ok()?;
    pair.sign_digest(&imported)
        .ok()
        .map(|s| s.as_ref().to_vec())
}

fn default_ecdsa_alg(kind: KeyKind) -> Option<&'static EcdsaSigningAlgorithm> {
    match kind.default_scheme() {
        SignatureScheme::Ecdsa(h) => ecdsa_signing_alg(kind, h),
        _ => None,
    }
}

impl SigningKey {
    /// PEM or DER; PKCS#8 (plain or encrypted with `password`), SEC1 EC, PKCS#1 RSA.
    pub fn from_pem_or_der(bytes: &[u8], password: Option<&[u8]>) -> Result<Self, Error> {
        if bytes.len() > MAX_PRIVATE_KEY_BYTES {
            return Err(Error::InputTooLarge {
                what: "private key",
                size: bytes.len(),
                limit: MAX_PRIVATE_KEY_BYTES,
            });
        }
        if pem::looks_like_pem(bytes) {
            Self::from_pem(bytes, password)
        } else {
            Self::from_der(bytes, password)
        }
    }

    fn from_pem(bytes: &[u8], password: Option<&[u8]>) -> Result<Self, Error> {
        const EXPECTED: &str =
            "PRIVATE KEY, ENCRYPTED PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY";
        let text = std::str::from_utf8(bytes).map_err(|_| Error::Pem {
            expected: EXPECTED,
            detail: "not UTF-8 text".into(),
        })?;
        let blocks = pem::blocks(text, EXPECTED)?;
        // `openssl ecparam -genkey` writes an "EC PARAMETERS" block first: skip non-key blocks.
        let block = blocks
            .iter()
            .find(|b| b.label.ends_with("PRIVATE KEY"))
            .ok_or_else(|| match blocks.first() {
                Some(b) => Error::PemLabel {
                    found: b.label.to_string(),
                    expected: EXPECTED,
                },
                None => Error::UnrecognizedKeyFormat,
            })?;
        let der = block.decode(EXPECTED)?;
        match block.label {
            "PRIVATE KEY" => {
                reject_password(password)?;
                Self::from_pkcs8(&der)
            }
            "ENCRYPTED PRIVATE KEY" => Self::from_encrypted_pkcs8(&der, password),
            "EC PRIVATE KEY" => {
                reject_password(password)?;
                Self::from_sec1(&der)
            }
            "RSA PRIVATE KEY" => {
                reject_password(password)?;
                Self::from_pkcs1(&der)
            }
            other => Err(Error::PemLabel {
                found: other.to_string(),
                expected: EXPECTED,
            }),
        }
    }

    fn from_der(der: &[u8], password: Option<&[u8]>) -> Result<Self, Error> {
        if PrivateKeyInfoRef::from_der(der).is_ok() {
            reject_password(password)?;
            return Self::from_pkcs8(der);
        }
        if EncryptedPrivateKeyInfoRef::from_der(der).is_ok() {
            return Self::from_encrypted_pkcs8(der, password);
        }
        if let Ok(key) = Self::from_sec1(der) {
            reject_password(password)?;
            return Ok(key);
        }
        // A PKCS#1 key too small for us is still recognised: say why it is refused.
        check_rsa_size(der)?;
        if let Ok(key) = Self::from_pkcs1(der) {
            reject_password(password)?;
            return Ok(key);
        }
        Err(Error::UnrecognizedKeyFormat)
    }

    fn from_encrypted_pkcs8(der: &[u8], password: Option<&[u8]>) -> Result<Self, Error> {
        let password = password.ok_or(Error::PasswordRequired)?;
        let info = EncryptedPrivateKeyInfoRef::from_der(der).map_err(|e| Error::Der {
            what: "EncryptedPrivateKeyInfo",
            detail: e.to_string(),
        })?;
        let plain = info.decrypt(password).map_err(|e| Error::KeyDecryption {
            detail: e.to_string(),
        })?;
        Self::from_pkcs8(plain.as_bytes())
    }

    fn from_pkcs8(der: &[u8]) -> Result<Self, Error> {
        let info = PrivateKeyInfoRef::from_der(der).map_err(|e| Error::Der {
            what: "PKCS#8 PrivateKeyInfo",
            detail: e.to_string(),
        })?;
        let oid = info.algorithm.oid;
        if oid == ID_EC_PUBLIC_KEY {
            let curve = info
                .algorithm
                .parameters_oid()
                .map_err(|_| Error::InvalidKey {
                    format: "PKCS#8 EC",
                    detail: "namedCurve parameter missing".into(),
                })?;
            let kind = curve_kind(curve)?;
            let alg = default_ecdsa_alg(kind).ok_or(Error::UnsupportedCurve { oid: curve })?;
            let pair = EcdsaKeyPair::from_pkcs8(alg, der).map_err(rejected("PKCS#8 EC"))?;
            Self::from_ecdsa(pair, kind)
        } else if oid == ID_ED_25519 {
            // Accepts PKCS#8 v1 (OpenSSL, cryptography) and v2 (with public key).
            let pair = sig::Ed25519KeyPair::from_pkcs8_maybe_unchecked(der)
                .map_err(rejected("PKCS#8 Ed25519"))?;
            Self::from_ed25519(pair)
        } else if oid == RSA_ENCRYPTION {
            check_rsa_size(info.private_key.as_bytes())?;
            let pair = sig::RsaKeyPair::from_pkcs8(der).map_err(rejected("PKCS#8 RSA"))?;
            Self::from_rsa(pair)
        } else {
            Err(Error::UnsupportedKeyAlgorithm { oid })
        }
    }

    /// SEC1 ECPrivateKey: the curve is found by trying each supported one (aws-lc-rs checks
    /// the embedded namedCurve against the algorithm).
    fn from_sec1(der: &[u8]) -> Result<Self, Error> {
        let mut last = None;
        for kind in [KeyKind::EcdsaP256, KeyKind::EcdsaP384, KeyKind::EcdsaP521] {
            let Some(alg) = default_ecdsa_alg(kind) else {
                continue;
            };
            match EcdsaKeyPair::from_private_key_der(alg, der) {
                Ok(pair) => return Self::from_ecdsa(pair, kind),
                Err(e) => last = Some(e),
            }
        }
        Err(Error::InvalidKey {
            format: "SEC1 EC",
            detail: last.map(|e| e.to_string()).unwrap_or_default(),
        })
    }

    fn from_pkcs1(der: &[u8]) -> Result<Self, Error> {
        check_rsa_size(der)?;
        let pair = sig::RsaKeyPair::from_der(der).map_err(rejected("PKCS#1 RSA"))?;
        Self::from_rsa(pair)
    }

    fn from_ecdsa(pair: EcdsaKeyPair, kind: KeyKind) -> Result<Self, Error> {
        let curve = curve_oid(kind).ok_or(Error::KeyGeneration { kind })?;
        let algorithm = AlgorithmIdentifierOwned {
            oid: ID_EC_PUBLIC_KEY,
            parameters: Some(Any::from(curve)),
        };
        let public = PublicKey::from_parts(algorithm, pair.public_key().as_ref())?;
        Ok(SigningKey {
            inner: Inner::Ecdsa(pair),
            public,
        })
    }

    fn from_ed25519(pair: sig::Ed25519KeyPair) -> Result<Self, Error> {
        let algorithm = AlgorithmIdentifierOwned {
            oid: ID_ED_25519,
            parameters: None,
        };
        let public = PublicKey::from_parts(algorithm, pair.public_key().as_ref())?;
        Ok(SigningKey {
            inner: Inner::Ed25519(pair),
            public,
        })
    }

    fn from_rsa(pair: sig::RsaKeyPair) -> Result<Self, Error> {
        let algorithm = AlgorithmIdentifierOwned {
            oid: RSA_ENCRYPTION,
            parameters: Some(Any::null()),
        };
        let public = PublicKey::from_parts(algorithm, pair.public_key().as_ref())?;
        if let KeyKind::Rsa { bits } = public.kind() {
            if bits < MIN_RSA_BITS {
                return Err(Error::RsaKeyTooSmall {
                    bits,
                    minimum: MIN_RSA_BITS,
                });
            }
        }
        Ok(SigningKey {
            inner: Inner::Rsa(pair),
            public,
        })
    }

    /// A fresh key. RSA sizes: 2048, 3072, 4096.
    pub fn generate(kind: KeyKind) -> Result<Self, Error> {
        let failed = |_| Error::KeyGeneration { kind };
        match kind {
            KeyKind::EcdsaP256 | KeyKind::EcdsaP384 | KeyKind::EcdsaP521 => {
                let alg = default_ecdsa_alg(kind).ok_or(Error::KeyGeneration { kind })?;
                Self::from_ecdsa(EcdsaKeyPair::generate(alg).map_err(failed)?, kind)
            }
            KeyKind::Ed25519 => {
                Self::from_ed25519(sig::Ed25519KeyPair::generate().map_err(failed)?)
            }
            KeyKind::Rsa { bits } => {
                let size = match bits {
                    2048 => KeySize::Rsa2048,
                    3072 => KeySize::Rsa3072,
                    4096 => KeySize::Rsa4096,
                    _ => return Err(Error::UnsupportedRsaKeySize { bits }),
                };
                Self::from_rsa(sig::RsaKeyPair::generate(size).map_err(failed)?)
            }
        }
    }

    pub fn kind(&self) -> KeyKind {
        self.public.kind()
    }

    pub fn public_key(&self) -> PublicKey {
        self.public.clone()
    }

    /// Same rule as [`PublicKey::default_scheme`].
    pub fn default_scheme(&self) -> SignatureScheme {
        self.public.default_scheme()
    }

    /// Signs `message`. ECDSA signatures are DER `Ecdsa-Sig-Value`.
    pub fn sign(&self, scheme: SignatureScheme, message: &[u8]) -> Result<Vec<u8>, Error> {
        let kind = self.kind();
        let failed = |_| Error::Signing { scheme };
        match (&self.inner, scheme) {
            (Inner::Ecdsa(pair), SignatureScheme::Ecdsa(hash)) => {
                let Some(alg) = ecdsa_signing_alg(kind, hash) else {
                    return sign_ecdsa_other_hash(pair, kind, hash, message)
                        .ok_or(Error::Signing { scheme });
                };
                let rng = aws_lc_rs::rand::SystemRandom::new();
                if std::ptr::eq(alg, pair.algorithm()) {
                    return Ok(pair.sign(&rng, message).map_err(failed)?.as_ref().to_vec());
                }
                // Another hash on the same curve (P-521): re-bind the key to that algorithm.
                let pkcs8 = pair.to_pkcs8v1().map_err(failed)?;
                let other = EcdsaKeyPair::from_pkcs8(alg, pkcs8.as_ref())
                    .map_err(|_| Error::Signing { scheme })?;
                Ok(other.sign(&rng, message).map_err(failed)?.as_ref().to_vec())
            }
            (Inner::Ed25519(pair), SignatureScheme::Ed25519) => {
                Ok(pair.try_sign(message).map_err(failed)?.as_ref().to_vec())
            }
            (Inner::Rsa(pair), SignatureScheme::RsaPkcs1(_) | SignatureScheme::RsaPss(_)) => {
                let encoding: &'static dyn sig::RsaEncoding = match scheme {
                    SignatureScheme::RsaPkcs1(HashAlgorithm::Sha256) => &sig::RSA_PKCS1_SHA256,
                    SignatureScheme::RsaPkcs1(HashAlgorithm::Sha384) => &sig::RSA_PKCS1_SHA384,
                    SignatureScheme::RsaPkcs1(HashAlgorithm::Sha512) => &sig::RSA_PKCS1_SHA512,
                    SignatureScheme::RsaPss(HashAlgorithm::Sha256) => &sig::RSA_PSS_SHA256,
                    SignatureScheme::RsaPss(HashAlgorithm::Sha384) => &sig::RSA_PSS_SHA384,
                    SignatureScheme::RsaPss(HashAlgorithm::Sha512) => &sig::RSA_PSS_SHA512,
                    _ => return Err(Error::SchemeKeyMismatch { scheme, key: kind }),
                };
                let rng = aws_lc_rs::rand::SystemRandom::new();
                let mut out = vec![0u8; pair.public_modulus_len()];
                pair.sign(encoding, &rng, message, &mut out)
                    .map_err(failed)?;
                Ok(out)
            }
            _ => Err(Error::SchemeKeyMismatch { scheme, key: kind }),
        }
    }

    /// Unencrypted PKCS#8 v1 DER, wiped from memory when dropped: it is the secret key.
    ///
    /// aws-lc-rs wipes its own export buffer; the copy made here is allocated once at its
    /// final size (no reallocation leaves an unwiped copy behind) and handed over in a
    /// [`Zeroizing`]. Callers should not copy it out of the container.
    pub fn to_pkcs8_der(&self) -> Result<Zeroizing<Vec<u8>>, Error> {
        let kind = self.kind();
        let failed = |_| Error::InvalidKey {
            format: "PKCS#8",
            detail: format!("cannot serialise {kind} key"),
        };
        let doc = match &self.inner {
            Inner::Ecdsa(pair) => pair.to_pkcs8v1().map_err(failed)?.as_ref().to_vec(),
            Inner::Ed25519(pair) => {
                let der: Pkcs8V1Der<'static> = pair.as_der().map_err(failed)?;
                der.as_ref().to_vec()
            }
            Inner::Rsa(pair) => {
                let der: Pkcs8V1Der<'static> = pair.as_der().map_err(failed)?;
                der.as_ref().to_vec()
            }
        };
        Ok(Zeroizing::new(doc))
    }

    /// Unencrypted PKCS#8 PEM (`PRIVATE KEY`), wiped from memory when dropped like
    /// [`SigningKey::to_pkcs8_der`] (the PEM encoder writes into one buffer of the final
    /// size, which becomes this string).
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>, Error> {
        Ok(Zeroizing::new(pem::encode(
            "PRIVATE KEY",
            &self.to_pkcs8_der()?,
        )))
    }
}

fn reject_password(password: Option<&[u8]>) -> Result<(), Error> {
    match password {
        Some(_) => Err(Error::PasswordForUnencryptedKey),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEYS: &str = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata/model-signing-1.1.1/keys"
    );

    /// DER SEQUENCE of `ints` (each a minimal positive INTEGER content).
    fn sequence_of_integers(ints: &[&[u8]]) -> Vec<u8> {
        let mut content = Vec::new();
        for i in ints {
            content.push(0x02);
            let len = u8::try_from(i.len()).unwrap();
            if len > 127 {
                content.push(0x81);
            }
            content.push(len);
            content.extend_from_slice(i);
        }
        let mut der = der::Encode::to_der(&der::Header::new(
            der::Tag::Sequence,
            content.len().try_into().unwrap(),
        ))
        .unwrap();
        der.extend_from_slice(&content);
        der
    }

    #[test]
    fn rsa_modulus_bits_reads_only_rsa_private_keys() {
        let mut modulus = vec![0x00, 0x80];
        modulus.extend_from_slice(&[0x11; 127]); // 1024 bits, high bit set
        let small = [1u8, 2, 3];
        let exponent = [0x01, 0x00, 0x01];
        let mut rsa: Vec<&[u8]> = vec![&[0], &modulus, &exponent];
        rsa.extend([&small[..]; 6]);
        assert_eq!(rsa_modulus_bits(&sequence_of_integers(&rsa)), Some(1024));
        let mut odd = modulus[1..].to_vec();
        odd[0] = 0x01; // 1017 bits, no sign octet needed
        rsa[1] = &odd;
        assert_eq!(rsa_modulus_bits(&sequence_of_integers(&rsa)), Some(1017));
        // A DSA private key is six INTEGERs: not taken for RSA.
        assert_eq!(rsa_modulus_bits(&sequence_of_integers(&rsa[..6])), None);
        // A huge "public exponent" is not RSA either.
        let big = [0x7Fu8; 16];
        rsa[2] = &big;
        assert_eq!(rsa_modulus_bits(&sequence_of_integers(&rsa)), None);
        assert_eq!(rsa_modulus_bits(b"not der"), None);
    }

    fn read(name: &str) -> Vec<u8> {
        std::fs::read(format!("{KEYS}/{name}")).unwrap()
    }

    #[test]
    fn loads_model_signing_keys_and_matches_public_pem() {
        for (name, kind) in [
            ("ec256", KeyKind::EcdsaP256),
            ("ec384", KeyKind::EcdsaP384),
            ("ec521", KeyKind::EcdsaP521),
        ] {
            let key = SigningKey::from_pem_or_der(&read(&format!("{name}.key.pem")), None).unwrap();
            assert_eq!(key.kind(), kind);
            let pub_pem = read(&format!("{name}.pub.pem"));
            assert_eq!(key.public_key().to_pem().as_bytes(), pub_pem.as_slice());
        }
    }

    #[test]
    fn debug_never_prints_key_material() {
        let key = SigningKey::generate(KeyKind::EcdsaP256).unwrap();
        let pkcs8 = key.to_pkcs8_der().unwrap();
        let debug = format!("{key:?}");
        assert_eq!(debug, "SigningKey { kind: EcdsaP256, .. }");
        assert!(!debug.contains(&hex::encode(&pkcs8[pkcs8.len() - 16..])));
    }

    #[test]
    fn exported_key_material_comes_in_wiping_containers_and_pem_wraps_the_der() {
        let key = SigningKey::generate(KeyKind::Ed25519).unwrap();
        // The annotations are the point: a plain Vec/String here would not compile.
        let der: Zeroizing<Vec<u8>> = key.to_pkcs8_der().unwrap();
        let pem: Zeroizing<String> = key.to_pkcs8_pem().unwrap();
        let blocks = pem::blocks(&pem, "PRIVATE KEY").unwrap();
        assert_eq!(blocks.len(), 1);
        assert_eq!(blocks[0].label, "PRIVATE KEY");
        assert_eq!(blocks[0].decode("PRIVATE KEY").unwrap(), *der);
    }

    #[test]
    fn pkcs8_round_trip_every_generated_kind() {
        for kind in [
            KeyKind::EcdsaP256,
            KeyKind::EcdsaP384,
            KeyKind::EcdsaP521,
            KeyKind::Ed25519,
        ] {
            let key = SigningKey::generate(kind).unwrap();
            let again =
                SigningKey::from_pem_or_der(key.to_pkcs8_pem().unwrap().as_bytes(), None).unwrap();
            assert_eq!(again.public_key(), key.public_key());
            let der_again =
                SigningKey::from_pem_or_der(&key.to_pkcs8_der().unwrap(), None).unwrap();
            assert_eq!(der_again.public_key(), key.public_key());
        }
    }

    #[test]
    fn password_for_plain_key_is_an_error() {
        assert_eq!(
            SigningKey::from_pem_or_der(&read("ec256.key.pem"), Some(b"pw")).unwrap_err(),
            Error::PasswordForUnencryptedKey
        );
    }

    #[test]
    fn rejects_unsupported_inputs() {
        assert_eq!(
            SigningKey::from_pem_or_der(b"\x30\x03\x02\x01\x00", None).unwrap_err(),
            Error::UnrecognizedKeyFormat
        );
        assert_eq!(
            SigningKey::generate(KeyKind::Rsa { bits: 1024 }).unwrap_err(),
            Error::UnsupportedRsaKeySize { bits: 1024 }
        );
        let legacy = "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END EC PRIVATE KEY-----\n";
        assert_eq!(
            SigningKey::from_pem_or_der(legacy.as_bytes(), Some(b"pw")).unwrap_err(),
            Error::LegacyPemEncryption
        );
    }

    #[test]
    fn every_curve_signs_with_every_sha2_hash() {
        // Verification is aws-lc-rs's own algorithm for each (curve, hash) pair, which
        // hashes the message itself: a wrong truncation or padding would not verify.
        for kind in [KeyKind::EcdsaP256, KeyKind::EcdsaP384, KeyKind::EcdsaP521] {
            let key = SigningKey::generate(kind).unwrap();
            for h in HashAlgorithm::ALL {
                let s = SignatureScheme::Ecdsa(h);
                let sig = key.sign(s, b"message").unwrap();
                key.public_key().verify(s, b"message", &sig).unwrap();
                let other_hash = HashAlgorithm::ALL.into_iter().find(|o| *o != h).unwrap();
                assert_eq!(
                    key.public_key()
                        .verify(SignatureScheme::Ecdsa(other_hash), b"message", &sig)
                        .unwrap_err(),
                    Error::InvalidSignature {
                        scheme: SignatureScheme::Ecdsa(other_hash),
                        key: kind
                    },
                    "{kind} {h:?} signature must not verify as {other_hash:?}"
                );
                assert!(key.public_key().verify(s, b"messagf", &sig).is_err());
            }
        }
    }
}

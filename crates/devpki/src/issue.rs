//! Certificate generation with rcgen: keys come from `modelsign_pki`, extensions from
//! [`crate::extensions`], and every result is parsed back with `modelsign_pki`.
//!
//! RFC 5280 §4.1:
//!
//! ```text
//! TBSCertificate ::= SEQUENCE { version [0] v3, serialNumber CertificateSerialNumber,
//!     signature AlgorithmIdentifier, issuer Name, validity Validity, subject Name,
//!     subjectPublicKeyInfo, ..., extensions [3] Extensions }
//! ```
//!
//! The issuer name is rebuilt from the issuer certificate's subject (so an [`IssuedCert`]
//! loaded from files can issue too) and checked byte for byte against it after signing.

use der::{Encode, Tagged};
use modelsign_pki::{Certificate, KeyKind, SigningKey, Time};
use rcgen::{
    CertificateParams, DistinguishedName, DnType, DnValue, IsCa, Issuer, KeyIdMethod, KeyPair,
    SanType, SerialNumber, SignatureAlgorithm,
};
use rustls_pki_types::PrivatePkcs8KeyDer;
use time::OffsetDateTime;

use crate::extensions::{self, oid_arcs};
use crate::spec::CertSpec;
use crate::Error;

/// RFC 5280 §4.1.2.2: "Conforming CAs MUST NOT use serialNumber values longer than 20 octets."
pub(crate) const MAX_SERIAL_LEN: usize = 20;
/// Random serials: 16 bytes (126 random bits) like most public CAs, well inside the limit.
const RANDOM_SERIAL_LEN: usize = 16;

/// A certificate with its private key.
pub struct IssuedCert {
    pub key: SigningKey,
    pub cert: Certificate,
}

impl std::fmt::Debug for IssuedCert {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print key material; the subject identifies the pair.
        f.debug_struct("IssuedCert")
            .field("subject", &self.cert.subject())
            .field("serial", &self.cert.serial_hex())
            .finish_non_exhaustive()
    }
}

impl IssuedCert {
    /// The certificate as PEM (see [`crate::pem`]).
    pub fn cert_pem(&self) -> String {
        crate::pem(&self.cert)
    }

    /// The private key as unencrypted PKCS#8 PEM ("PRIVATE KEY"), wiped when dropped.
    pub fn key_pem(&self) -> Result<modelsign_pki::Zeroizing<String>, Error> {
        self.key.to_pkcs8_pem().map_err(|source| Error::KeyExport {
            subject: self.cert.subject(),
            source: Box::new(source),
        })
    }
}

/// A self-signed certificate for a freshly generated key of kind `spec.key`.
pub fn self_signed(spec: &CertSpec) -> Result<IssuedCert, Error> {
    build(spec, generate_key(spec)?, None)
}

/// A certificate for a freshly generated key of kind `spec.key`, signed by `issuer`.
///
/// The issuer's certificate is not checked for being a CA: tests issue from leaves on purpose.
pub fn issue(spec: &CertSpec, issuer: &IssuedCert) -> Result<IssuedCert, Error> {
    build(spec, generate_key(spec)?, Some(issuer))
}

/// Like [`self_signed`] for an existing key (e.g. a re-issued root with the same key).
pub fn self_signed_with_key(spec: &CertSpec, key: SigningKey) -> Result<IssuedCert, Error> {
    check_key_kind(spec, &key)?;
    build(spec, key, None)
}

/// Like [`issue`] for an existing key (e.g. a cross-certificate or a renewed leaf).
pub fn issue_with_key(
    spec: &CertSpec,
    key: SigningKey,
    issuer: &IssuedCert,
) -> Result<IssuedCert, Error> {
    check_key_kind(spec, &key)?;
    build(spec, key, Some(issuer))
}

fn generate_key(spec: &CertSpec) -> Result<SigningKey, Error> {
    SigningKey::generate(spec.key).map_err(|source| Error::KeyGeneration {
        subject: spec.common_name.clone(),
        kind: spec.key,
        source: Box::new(source),
    })
}

fn check_key_kind(spec: &CertSpec, key: &SigningKey) -> Result<(), Error> {
    let actual = key.public_key().kind();
    if actual == spec.key {
        Ok(())
    } else {
        Err(Error::KeyKindMismatch {
            subject: spec.common_name.clone(),
            expected: spec.key,
            actual,
        })
    }
}

fn build(
    spec: &CertSpec,
    key: SigningKey,
    issuer: Option<&IssuedCert>,
) -> Result<IssuedCert, Error> {
    let subject = spec.common_name.as_str();
    let subject_key = rcgen_key_pair(&key, subject)?;

    let mut params = CertificateParams::default();
    params.not_before = to_offset_date_time(spec.not_before, subject, "notBefore")?;
    params.not_after = to_offset_date_time(spec.not_after, subject, "notAfter")?;
    params.serial_number = Some(match &spec.serial {
        Some(serial) => checked_serial(serial, subject)?,
        None => random_serial(subject)?,
    });
    params.distinguished_name = subject_name(spec);
    if let Some(email) = &spec.email {
        let name = email
            .as_str()
            .try_into()
            .map_err(|source| Error::InvalidName {
                subject: subject.to_owned(),
                field: "e-mail",
                value: email.clone(),
                source,
            })?;
        params.subject_alt_names = vec![SanType::Rfc822Name(name)];
    }
    // Every extension but SAN and AKI is a custom extension (see crate::extensions), so
    // rcgen's own basicConstraints / keyUsage / extKeyUsage writers stay off.
    params.is_ca = IsCa::NoCa;
    params.use_authority_key_identifier_extension = true;
    params.key_identifier_method = KeyIdMethod::Sha256;
    let ski = params.key_identifier(&subject_key);
    params.custom_extensions = extensions::encode(&spec.profile.extensions(), &ski, subject)?;

    let rcgen_error = |source| Error::Rcgen {
        subject: subject.to_owned(),
        source,
    };
    let generated = match issuer {
        None => params.self_signed(&subject_key).map_err(rcgen_error)?,
        Some(issuer) => {
            let issuer_key = rcgen_key_pair(&issuer.key, &issuer.cert.subject())?;
            let rcgen_issuer = rcgen_issuer(&issuer.cert, issuer_key)?;
            params
                .signed_by(&subject_key, &rcgen_issuer)
                .map_err(rcgen_error)?
        }
    };
    let cert =
        Certificate::from_der(generated.der()).map_err(|source| Error::GeneratedCertificate {
            subject: subject.to_owned(),
            source: Box::new(source),
        })?;
    if let Some(issuer) = issuer {
        check_issuer_name(&cert, &issuer.cert, subject)?;
    }
    Ok(IssuedCert { key, cert })
}

/// The signature algorithm rcgen uses with a key: the same hash-per-curve pairing as
/// model_signing's defaults; RSA signs certificates with PKCS#1 v1.5 / SHA-256, which every
/// verifier accepts (RSA-PSS certificate signatures are not offered by rcgen).
fn signature_algorithm(kind: KeyKind) -> &'static SignatureAlgorithm {
    match kind {
        KeyKind::EcdsaP256 => &rcgen::PKCS_ECDSA_P256_SHA256,
        KeyKind::EcdsaP384 => &rcgen::PKCS_ECDSA_P384_SHA384,
        KeyKind::EcdsaP521 => &rcgen::PKCS_ECDSA_P521_SHA512,
        KeyKind::Ed25519 => &rcgen::PKCS_ED25519,
        KeyKind::Rsa { .. } => &rcgen::PKCS_RSA_SHA256,
    }
}

pub(crate) fn rcgen_key_pair(key: &SigningKey, subject: &str) -> Result<KeyPair, Error> {
    let kind = key.public_key().kind();
    let pkcs8 = key.to_pkcs8_der().map_err(|source| Error::KeyExport {
        subject: subject.to_owned(),
        source: Box::new(source),
    })?;
    KeyPair::from_pkcs8_der_and_sign_algo(
        &PrivatePkcs8KeyDer::from(pkcs8.as_slice()),
        signature_algorithm(kind),
    )
    .map_err(|source| Error::KeyImport {
        subject: subject.to_owned(),
        kind,
        source,
    })
}

/// An rcgen issuer whose name and key identifier are those of `cert`.
pub(crate) fn rcgen_issuer(
    cert: &Certificate,
    key: KeyPair,
) -> Result<Issuer<'static, KeyPair>, Error> {
    let mut params = CertificateParams::default();
    params.distinguished_name = issuer_name(cert)?;
    params.key_identifier_method = match cert.subject_key_identifier() {
        Some(ski) => KeyIdMethod::PreSpecified(ski),
        // No SKI to match: derive one from the key, as rcgen does for its own certificates.
        None => KeyIdMethod::Sha256,
    };
    // Empty key usages: rcgen then signs CRLs whatever the issuer's keyUsage says, which
    // negative tests need (CRL from a CA without cRLSign).
    params.key_usages = Vec::new();
    Ok(Issuer::new(params, key))
}

/// Rebuilds `cert`'s subject as an rcgen name, keeping each attribute's string type.
fn issuer_name(cert: &Certificate) -> Result<DistinguishedName, Error> {
    let unsupported = |reason| Error::UnsupportedIssuerName {
        issuer: cert.subject(),
        reason,
    };
    let mut dn = DistinguishedName::new();
    for rdn in cert.x509().tbs_certificate().subject().iter_rdn() {
        let mut attributes = rdn.iter();
        let (Some(attribute), None) = (attributes.next(), attributes.next()) else {
            return Err(unsupported(
                "multi-valued or empty relative distinguished name",
            ));
        };
        let ty = DnType::from_oid(&oid_arcs(&attribute.oid));
        if dn.get(&ty).is_some() {
            return Err(unsupported("attribute type repeated"));
        }
        let bytes = attribute.value.value();
        let text = || std::str::from_utf8(bytes).map_err(|_| unsupported("string is not UTF-8"));
        let invalid = |_| unsupported("string not valid for its ASN.1 type");
        let value = match attribute.value.tag() {
            der::Tag::Utf8String => DnValue::Utf8String(text()?.to_owned()),
            der::Tag::PrintableString => {
                DnValue::PrintableString(text()?.try_into().map_err(invalid)?)
            }
            der::Tag::Ia5String => DnValue::Ia5String(text()?.try_into().map_err(invalid)?),
            der::Tag::TeletexString => DnValue::TeletexString(text()?.try_into().map_err(invalid)?),
            der::Tag::BmpString => DnValue::BmpString(
                rcgen::string::BmpString::from_utf16be(bytes.to_vec()).map_err(invalid)?,
            ),
            _ => return Err(unsupported("attribute value of an unsupported ASN.1 type")),
        };
        dn.push(ty, value);
    }
    Ok(dn)
}

fn subject_name(spec: &CertSpec) -> DistinguishedName {
    let mut dn = DistinguishedName::new();
    // Most significant first (O, then CN), as CAs write it; RFC 4514 text shows it reversed.
    if let Some(organisation) = &spec.organisation {
        dn.push(DnType::OrganizationName, organisation.as_str());
    }
    dn.push(DnType::CommonName, spec.common_name.as_str());
    dn
}

fn check_issuer_name(cert: &Certificate, issuer: &Certificate, subject: &str) -> Result<(), Error> {
    let der_error = |source| Error::GeneratedDer {
        subject: subject.to_owned(),
        what: "issuer name",
        source,
    };
    let written = cert
        .x509()
        .tbs_certificate()
        .issuer()
        .to_der()
        .map_err(der_error)?;
    let expected = issuer
        .x509()
        .tbs_certificate()
        .subject()
        .to_der()
        .map_err(der_error)?;
    if written == expected {
        Ok(())
    } else {
        Err(Error::IssuerNameMismatch {
            subject: subject.to_owned(),
            written: cert.issuer(),
            expected: issuer.subject(),
        })
    }
}

/// X.509 times are whole seconds: the sub-second part is dropped (towards the past).
pub(crate) fn to_offset_date_time(
    time: Time,
    subject: &str,
    field: &'static str,
) -> Result<OffsetDateTime, Error> {
    OffsetDateTime::from_unix_timestamp(time.unix_seconds())
        .ok()
        .filter(|t| (0..=9999).contains(&t.year()))
        .ok_or_else(|| Error::TimeOutOfRange {
            subject: subject.to_owned(),
            field,
            time,
        })
}

pub(crate) fn checked_serial(serial: &[u8], subject: &str) -> Result<SerialNumber, Error> {
    if serial.is_empty() || serial.len() > MAX_SERIAL_LEN {
        return Err(Error::InvalidSerial {
            subject: subject.to_owned(),
            len: serial.len(),
            max: MAX_SERIAL_LEN,
        });
    }
    Ok(SerialNumber::from_slice(serial))
}

fn random_serial(subject: &str) -> Result<SerialNumber, Error> {
    let mut serial = [0u8; RANDOM_SERIAL_LEN];
    aws_lc_rs::rand::fill(&mut serial).map_err(|_| Error::Random {
        subject: subject.to_owned(),
    })?;
    // Clear the top bit (serials are positive INTEGERs, no 0x00 pad needed) and set the
    // next one, so the DER INTEGER is exactly RANDOM_SERIAL_LEN bytes long.
    serial[0] = (serial[0] & 0x7f) | 0x40;
    Ok(SerialNumber::from_slice(&serial))
}

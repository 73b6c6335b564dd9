//! Signed attributes of the TSA's SignerInfo (rfc3161-rules.md §5.6).
//!
//! RFC 5652 §11.1 / §11.2 (contentType, messageDigest: "MUST be present", single-valued;
//! "the content-type attribute value MUST match the SignedData encapContentInfo
//! eContentType value"), RFC 3161 §2.4.2 (an ESS signingCertificate attribute MUST be
//! present; RFC 5816 allows signingCertificateV2 instead). Values are read from the decoded
//! attributes; the signature itself is checked over the received bytes (see `signer`).

use cms::signed_data::SignerInfo;
use const_oid::ObjectIdentifier;
use der::asn1::OctetString;
use der::{Decode, Encode};
use modelsign_pki::HashAlgorithm;
use x509_cert::attr::Attribute;

use super::ess::{EssBinding, SigningCertificate, SigningCertificateV2};
use super::VerificationError;
use crate::oid::{
    ID_AA_SIGNING_CERTIFICATE, ID_AA_SIGNING_CERTIFICATE_V2, ID_CONTENT_TYPE, ID_MESSAGE_DIGEST,
};

/// What the later steps need from the signed attributes.
#[derive(Debug)]
pub(super) struct SignedAttrs {
    /// First ESSCertID of each signing-certificate attribute present (V2 first); never empty.
    pub(super) ess: Vec<EssBinding>,
}

/// Read and check the attributes that need no certificate: contentType == eContentType,
/// messageDigest == H(eContent octets), an ESS attribute present and well-formed.
pub(super) fn check(
    si: &SignerInfo,
    econtent_type: ObjectIdentifier,
    raw_econtent: &[u8],
) -> Result<SignedAttrs, VerificationError> {
    let attrs = si
        .signed_attrs
        .as_ref()
        .ok_or(VerificationError::MissingSignedAttributes)?;
    let attrs: Vec<&Attribute> = attrs.iter().collect();

    let content_type: ObjectIdentifier = single(&attrs, ID_CONTENT_TYPE, "contentType")?.ok_or(
        VerificationError::MissingAttribute {
            name: "contentType",
        },
    )?;
    if content_type != econtent_type {
        return Err(VerificationError::ContentTypeAttributeMismatch {
            attribute: content_type,
            econtent_type,
        });
    }

    let digest_oid = si.digest_alg.oid;
    let digest_algorithm = HashAlgorithm::from_oid(&digest_oid)
        .ok_or(VerificationError::DigestAlgorithm { oid: digest_oid })?;
    let md: OctetString = single(&attrs, ID_MESSAGE_DIGEST, "messageDigest")?.ok_or(
        VerificationError::MissingAttribute {
            name: "messageDigest",
        },
    )?;
    let expected = digest_algorithm.digest(raw_econtent);
    if md.as_bytes() != expected.as_slice() {
        return Err(VerificationError::MessageDigestMismatch {
            algorithm: digest_algorithm.name(),
            expected_hex: hex::encode(expected),
            actual_hex: hex::encode(md.as_bytes()),
        });
    }

    let mut ess = Vec::new();
    if let Some(v2) = single::<SigningCertificateV2>(
        &attrs,
        ID_AA_SIGNING_CERTIFICATE_V2,
        "signingCertificateV2",
    )? {
        ess.push(EssBinding::from_v2(&v2)?);
    }
    if let Some(v1) =
        single::<SigningCertificate>(&attrs, ID_AA_SIGNING_CERTIFICATE, "signingCertificate")?
    {
        ess.push(EssBinding::from_v1(&v1)?);
    }
    if ess.is_empty() {
        return Err(VerificationError::MissingSigningCertificate);
    }
    Ok(SignedAttrs { ess })
}

/// The value of a single-valued attribute that may occur at most once.
fn single<T: for<'a> Decode<'a, Error = der::Error>>(
    attrs: &[&Attribute],
    oid: ObjectIdentifier,
    name: &'static str,
) -> Result<Option<T>, VerificationError> {
    let found: Vec<&&Attribute> = attrs.iter().filter(|a| a.oid == oid).collect();
    let [attr] = found.as_slice() else {
        if found.is_empty() {
            return Ok(None);
        }
        let values = found.first().map_or(0, |a| a.values.len());
        return Err(VerificationError::AttributeMultiplicity {
            name,
            attributes: found.len(),
            values,
        });
    };
    let [value] = attr.values.as_slice() else {
        return Err(VerificationError::AttributeMultiplicity {
            name,
            attributes: 1,
            values: attr.values.len(),
        });
    };
    let der = value
        .to_der()
        .map_err(|source| VerificationError::MalformedAttribute { name, source })?;
    T::from_der(&der)
        .map(Some)
        .map_err(|source| VerificationError::MalformedAttribute { name, source })
}

//! CMS envelope rules (rfc3161-rules.md §5.4): ContentInfo is signedData, eContentType is
//! id-ct-TSTInfo, the TSTInfo is encapsulated, exactly one SignerInfo, whose version fits
//! its `sid` form.
//!
//! RFC 5652 §5.1:
//!
//! ```text
//! SignedData ::= SEQUENCE {
//!   version CMSVersion,
//!   digestAlgorithms DigestAlgorithmIdentifiers,
//!   encapContentInfo EncapsulatedContentInfo,
//!   certificates [0] IMPLICIT CertificateSet OPTIONAL,
//!   crls [1] IMPLICIT RevocationInfoChoices OPTIONAL,
//!   signerInfos SignerInfos }
//! ```

use cms::content_info::CmsVersion;
use cms::signed_data::{SignerIdentifier, SignerInfo};

use super::view::TokenView;
use super::VerificationError;
use crate::oid::{ID_CT_TST_INFO, ID_SIGNED_DATA};

/// Check the envelope and return the one SignerInfo.
pub(super) fn check<'a>(token: &TokenView<'a>) -> Result<&'a SignerInfo, VerificationError> {
    if token.content_type != ID_SIGNED_DATA {
        return Err(VerificationError::NotSignedData {
            found: token.content_type,
        });
    }
    let eci = &token.signed_data.encap_content_info;
    if eci.econtent_type != ID_CT_TST_INFO {
        return Err(VerificationError::EContentType {
            found: eci.econtent_type,
        });
    }
    if eci.econtent.is_none() {
        return Err(VerificationError::MissingEContent);
    }
    let infos = &token.signed_data.signer_infos.0;
    let si = match infos.as_slice() {
        [one] => one,
        other => return Err(VerificationError::SignerInfoCount { count: other.len() }),
    };
    // RFC 5652 §5.3: "If the SignerIdentifier is the CHOICE issuerAndSerialNumber, then the
    // version MUST be 1. If the SignerIdentifier is subjectKeyIdentifier, then the version
    // MUST be 3." The field is not signed, so a mismatch marks an altered token.
    let expected = match si.sid {
        SignerIdentifier::IssuerAndSerialNumber(_) => CmsVersion::V1,
        SignerIdentifier::SubjectKeyIdentifier(_) => CmsVersion::V3,
    };
    if si.version != expected {
        return Err(VerificationError::SignerInfoVersion {
            version: format!("{:?}", si.version),
            expected: format!("{expected:?}"),
        });
    }
    Ok(si)
}

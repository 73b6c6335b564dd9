//! Signer selection and signature check (rfc3161-rules.md §5.7 and §5.8).
//!
//! RFC 5652 §5.3 / §5.4:
//!
//! ```text
//! SignerIdentifier ::= CHOICE {
//!   issuerAndSerialNumber IssuerAndSerialNumber,
//!   subjectKeyIdentifier [0] SubjectKeyIdentifier }
//!
//! "the DER encoding of the SignedAttributes field value is digested ... A separate
//!  encoding of the signedAttrs field is performed for message digest calculation. The
//!  IMPLICIT [0] tag in the signedAttrs is not used for the DER encoding, rather an
//!  EXPLICIT SET OF tag is used."
//! ```
//!
//! The signer is the certificate that matches `sid` **and** the first ESSCertID of every
//! signing-certificate attribute, taken from the token's bag or the verifier's configured
//! certificates — never chosen by position or name (pitfall 2: GHSA-3xxc-pwj6-jgrj,
//! GHSA-xm5m-wgh2-rrg3). The signature is checked over the signed attributes as received,
//! with only the tag byte changed to 0x31 (pitfall 15: re-encoding re-sorts the SET).

use cms::signed_data::{SignerIdentifier, SignerInfo};
use modelsign_pki::{Certificate, SignatureScheme};

use super::ess::EssBinding;
use super::VerificationError;

/// Universal SET tag, which replaces the `[0] IMPLICIT` tag for the signature input.
const SET_TAG: u8 = 0x31;

/// The certificate among `candidates` that matches `sid` and every ESS binding.
pub(super) fn select<'c>(
    sid: &SignerIdentifier,
    ess: &[EssBinding],
    candidates: impl IntoIterator<Item = &'c Certificate>,
) -> Result<&'c Certificate, VerificationError> {
    let by_sid: Vec<&Certificate> = candidates
        .into_iter()
        .filter(|c| sid_matches(sid, c))
        .collect();
    if let Some(signer) = by_sid
        .iter()
        .copied()
        .find(|c| ess.iter().all(|b| b.matches(c)))
    {
        return Ok(signer);
    }
    let Some(first) = by_sid.first() else {
        return Err(VerificationError::SignerNotFound { sid: sid_text(sid) });
    };
    // Report the first binding that rejects the sid-matching certificate(s).
    for b in ess {
        if let Some(c) = by_sid.iter().find(|c| !b.matches(c)) {
            return Err(if b.issuer_serial_conflicts(c) && b.cert_hash_matches(c) {
                VerificationError::EssIssuerSerialMismatch {
                    attribute: b.attribute,
                    signer: c.subject(),
                }
            } else {
                VerificationError::EssCertHashMismatch {
                    attribute: b.attribute,
                    signer: c.subject(),
                }
            });
        }
    }
    // Unreachable in practice (some binding rejected every candidate); keep a typed error.
    Err(VerificationError::EssCertHashMismatch {
        attribute: "signingCertificate",
        signer: first.subject(),
    })
}

/// Verify the SignerInfo signature over the received signed-attribute bytes.
pub(super) fn check_signature(
    si: &SignerInfo,
    raw_signed_attrs: &[u8],
    signer: &Certificate,
) -> Result<(), VerificationError> {
    let scheme =
        SignatureScheme::from_cms(&si.signature_algorithm, &si.digest_alg).map_err(|source| {
            VerificationError::SignatureAlgorithm {
                source: Box::new(source),
            }
        })?;
    let key = signer
        .public_key()
        .map_err(|source| VerificationError::SignerKey {
            subject: signer.subject(),
            source: Box::new(source),
        })?;
    let mut message = raw_signed_attrs.to_vec();
    if let Some(tag) = message.first_mut() {
        *tag = SET_TAG;
    }
    key.verify(scheme, &message, si.signature.as_bytes())
        .map_err(|source| VerificationError::BadSignature {
            subject: signer.subject(),
            source: Box::new(source),
        })
}

fn sid_matches(sid: &SignerIdentifier, cert: &Certificate) -> bool {
    let tbs = cert.x509().tbs_certificate();
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(isn) => {
            isn.issuer == *tbs.issuer()
                && isn.serial_number.as_bytes() == tbs.serial_number().as_bytes()
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => cert
            .subject_key_identifier()
            .is_some_and(|k| k.as_slice() == ski.0.as_bytes()),
    }
}

fn sid_text(sid: &SignerIdentifier) -> String {
    match sid {
        SignerIdentifier::IssuerAndSerialNumber(isn) => {
            format!(
                "issuer {} serial {}",
                isn.issuer,
                hex::encode(isn.serial_number.as_bytes())
            )
        }
        SignerIdentifier::SubjectKeyIdentifier(ski) => {
            format!("subjectKeyIdentifier {}", hex::encode(ski.0.as_bytes()))
        }
    }
}

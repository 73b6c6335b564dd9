//! TSTInfo rules (rfc3161-rules.md §5.5 and §5.12), over the syntax-level
//! [`crate::asn1::TstInfo`] so that out-of-range values reach these checks instead of
//! failing the parse.
//!
//! RFC 3161 §2.4.2:
//!
//! ```text
//! TSTInfo ::= SEQUENCE  {
//!    version                      INTEGER  { v1(1) },
//!    policy                       TSAPolicyId,
//!    messageImprint               MessageImprint,
//!    serialNumber                 INTEGER,
//!    genTime                      GeneralizedTime,
//!    accuracy                     Accuracy                 OPTIONAL,
//!    ordering                     BOOLEAN             DEFAULT FALSE,
//!    nonce                        INTEGER                  OPTIONAL,
//!    tsa                          [0] GeneralName          OPTIONAL,
//!    extensions                   [1] IMPLICIT Extensions   OPTIONAL  }
//!
//! Accuracy ::= SEQUENCE {
//!    seconds        INTEGER              OPTIONAL,
//!    millis     [0] INTEGER  (1..999)    OPTIONAL,
//!    micros     [1] INTEGER  (1..999)    OPTIONAL  }
//! ```

use const_oid::ObjectIdentifier;
use der::asn1::Int;
use modelsign_pki::{Certificate, HashAlgorithm};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectAltName;

use super::{Datum, VerificationError};
use crate::asn1::{MessageImprint, TstInfo};
use crate::token::Accuracy;

/// Largest accuracy `seconds` accepted. RFC 3161 leaves it unbounded, but an accuracy of
/// more than a day makes the time useless for validity checks and would only serve to push
/// `genTime + accuracy` past certificate lifetimes; TSAs declare 1 s or less.
pub(super) const MAX_ACCURACY_SECONDS: u64 = 86_400;

/// TSTInfo version must be v1.
pub(super) fn check_version(tst: &TstInfo) -> Result<(), VerificationError> {
    match int_to_i64(&tst.version) {
        Some(1) => Ok(()),
        // A version longer than 8 octets is reported as i64::MAX: still "not 1".
        other => Err(VerificationError::TstInfoVersion {
            version: other.unwrap_or(i64::MAX),
        }),
    }
}

/// The policy, if the verifier pins one (or the request named one).
pub(super) fn check_policy(
    tst: &TstInfo,
    expected: Option<ObjectIdentifier>,
) -> Result<(), VerificationError> {
    match expected {
        Some(e) if e != tst.policy => Err(VerificationError::PolicyMismatch {
            expected: e,
            actual: tst.policy,
        }),
        _ => Ok(()),
    }
}

/// Imprint algorithm SHA-256/384/512 with a digest of matching length.
pub(super) fn imprint_algorithm(
    imprint: &MessageImprint,
) -> Result<HashAlgorithm, VerificationError> {
    let oid = imprint.hash_algorithm.oid;
    let alg = HashAlgorithm::from_oid(&oid).ok_or(VerificationError::ImprintAlgorithm { oid })?;
    let actual = imprint.hashed_message.as_bytes().len();
    if actual != alg.output_len() {
        return Err(VerificationError::ImprintLength {
            algorithm: alg.name(),
            expected: alg.output_len(),
            actual,
        });
    }
    Ok(alg)
}

/// imprint == H(datum), or the given digest (with the same algorithm).
pub(super) fn check_imprint(
    alg: HashAlgorithm,
    imprint: &[u8],
    datum: Datum<'_>,
) -> Result<(), VerificationError> {
    let expected = match datum {
        Datum::Data(data) => alg.digest(data),
        Datum::Digest(d_alg, digest) => {
            if d_alg != alg {
                return Err(VerificationError::DatumAlgorithm {
                    datum: d_alg.name(),
                    imprint: alg.name(),
                });
            }
            digest.to_vec()
        }
    };
    if expected != imprint {
        return Err(VerificationError::ImprintMismatch {
            algorithm: alg.name(),
            expected_hex: hex::encode(expected),
            actual_hex: hex::encode(imprint),
        });
    }
    Ok(())
}

/// No TSTInfo extension is understood, so every critical one is unknown (pitfall 19).
pub(super) fn check_extensions(tst: &TstInfo) -> Result<(), VerificationError> {
    match tst.extensions.iter().flatten().find(|e| e.critical) {
        Some(e) => Err(VerificationError::UnknownCriticalExtension { oid: e.extn_id }),
        None => Ok(()),
    }
}

/// Accuracy within [`MAX_ACCURACY_SECONDS`].
pub(super) fn check_accuracy_cap(acc: Option<&Accuracy>) -> Result<(), VerificationError> {
    match acc {
        Some(a) if a.seconds > MAX_ACCURACY_SECONDS => Err(VerificationError::AccuracyTooLarge {
            seconds: a.seconds,
            max: MAX_ACCURACY_SECONDS,
        }),
        _ => Ok(()),
    }
}

/// `tsa`, if present, must name the signer: its subject (directoryName) or one of its
/// subjectAltName entries (RFC 3161 §2.4.2 "it MUST correspond to one of the subject names
/// included in the certificate"; pitfall 18).
pub(super) fn check_tsa_name(tst: &TstInfo, signer: &Certificate) -> Result<(), VerificationError> {
    let Some(tsa) = &tst.tsa else { return Ok(()) };
    let tbs = signer.x509().tbs_certificate();
    if matches!(tsa, GeneralName::DirectoryName(n) if n == tbs.subject()) {
        return Ok(());
    }
    // An undecodable SAN names nothing; the mismatch error below then applies.
    if let Ok(Some((_, san))) = tbs.get_extension::<SubjectAltName>() {
        if san.0.iter().any(|gn| gn == tsa) {
            return Ok(());
        }
    }
    Err(VerificationError::TsaNameMismatch {
        tsa: crate::token::general_name_text(tsa),
        signer: signer.subject(),
    })
}

/// Two's-complement INTEGER contents to i64, `None` when longer than 8 octets.
pub(super) fn int_to_i64(i: &Int) -> Option<i64> {
    let b = i.as_bytes();
    if b.is_empty() || b.len() > 8 {
        return None;
    }
    let fill = if b.first().is_some_and(|x| x & 0x80 != 0) {
        0xFF
    } else {
        0x00
    };
    let mut buf = [fill; 8];
    buf.get_mut(8 - b.len()..)?.copy_from_slice(b);
    Some(i64::from_be_bytes(buf))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(b: &[u8]) -> Int {
        Int::new(b).unwrap()
    }

    #[test]
    fn int_to_i64_handles_sign_and_length() {
        assert_eq!(int_to_i64(&int(&[1])), Some(1));
        assert_eq!(int_to_i64(&int(&[0xff])), Some(-1));
        assert_eq!(int_to_i64(&int(&[0x00, 0x80])), Some(128));
        assert_eq!(int_to_i64(&int(&[0x7f; 9])), None);
    }

    #[test]
    fn accuracy_cap() {
        let a = |seconds| Accuracy {
            seconds,
            millis: 0,
            micros: 0,
        };
        check_accuracy_cap(Some(&a(MAX_ACCURACY_SECONDS))).unwrap();
        check_accuracy_cap(None).unwrap();
        assert!(matches!(
            check_accuracy_cap(Some(&a(MAX_ACCURACY_SECONDS + 1))),
            Err(VerificationError::AccuracyTooLarge {
                seconds: 86_401,
                ..
            })
        ));
    }

    #[test]
    fn imprint_must_match_datum_and_algorithm() {
        let d = HashAlgorithm::Sha256.digest(b"sig");
        check_imprint(HashAlgorithm::Sha256, &d, Datum::Data(b"sig")).unwrap();
        check_imprint(
            HashAlgorithm::Sha256,
            &d,
            Datum::Digest(HashAlgorithm::Sha256, &d),
        )
        .unwrap();
        assert!(matches!(
            check_imprint(HashAlgorithm::Sha256, &d, Datum::Data(b"other")),
            Err(VerificationError::ImprintMismatch {
                algorithm: "sha256",
                ..
            })
        ));
        assert!(matches!(
            check_imprint(
                HashAlgorithm::Sha256,
                &d,
                Datum::Digest(HashAlgorithm::Sha384, &d)
            ),
            Err(VerificationError::DatumAlgorithm {
                datum: "sha384",
                imprint: "sha256"
            })
        ));
    }
}

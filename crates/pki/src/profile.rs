//! Leaf certificate profiles checked on top of rustls-webpki's path validation.
//!
//! webpki ignores KeyUsage and applies one EKU rule to every certificate of a path, so the
//! leaf rules live here (rust-stack.md P3, P4, P6):
//!
//! * [`LeafProfile::ModelSigning`] — the certificate that signed a model (OMS / model_signing
//!   1.1.1 compatible): KeyUsage, if present, has digitalSignature; EKU, if present,
//!   contains id-kp-codeSigning (1.3.6.1.5.5.7.3.3). A signing certificate with
//!   basicConstraints CA:TRUE, and one that is itself a trust anchor, are accepted (see
//!   [`crate::chain`] for how those paths are validated).
//! * [`LeafProfile::TimeStamping`] — an RFC 3161 TSA certificate. RFC 3161 §2.3: "The
//!   corresponding certificate MUST contain only one instance of the extended key usage
//!   field extension ... with KeyPurposeID having value: id-kp-timeStamping. This
//!   extension MUST be critical." KeyUsage, if present, ⊆ {digitalSignature,
//!   nonRepudiation}; the certificate must not be a CA.
//! * [`LeafProfile::ExtendedKeyUsage`] — generic (conformance harnesses): the leaf carries
//!   the EKU if it has an EKU extension; no KeyUsage requirement.
//!
//! For every profile an intermediate's EKU restricts the path only when present: it must
//! then contain the profile's purpose (checked by webpki's `ExtendedKeyUsageValidator`).

use std::fmt;

use const_oid::db::rfc5280::{ID_KP_CODE_SIGNING, ID_KP_TIME_STAMPING};
use const_oid::ObjectIdentifier;

use crate::certificate::Certificate;
use crate::error::Error;

/// Which rules the end-entity certificate of a chain must satisfy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LeafProfile {
    /// Model signing leaf: KU (if present) has digitalSignature; EKU (if present) has
    /// codeSigning; CA:TRUE leaf accepted; a leaf that is itself an anchor is accepted.
    ModelSigning,
    /// RFC 3161 TSA leaf: EKU present, critical, exactly {timeStamping}; KU (if present)
    /// subset of {digitalSignature, nonRepudiation}; not a CA.
    TimeStamping,
    /// Generic: the leaf must carry this EKU if it has an EKU extension.
    ExtendedKeyUsage(ObjectIdentifier),
}

impl LeafProfile {
    /// Short name for messages.
    pub fn name(&self) -> &'static str {
        match self {
            LeafProfile::ModelSigning => "model-signing",
            LeafProfile::TimeStamping => "time-stamping",
            LeafProfile::ExtendedKeyUsage(_) => "extended-key-usage",
        }
    }

    /// The key purpose the whole path must allow.
    pub fn purpose(&self) -> ObjectIdentifier {
        match self {
            LeafProfile::ModelSigning => ID_KP_CODE_SIGNING,
            LeafProfile::TimeStamping => ID_KP_TIME_STAMPING,
            LeafProfile::ExtendedKeyUsage(oid) => *oid,
        }
    }

    /// Whether the profile accepts a leaf with basicConstraints CA:TRUE or a leaf that is
    /// itself a trust anchor (model_signing 1.1.1 compatibility, rust-stack.md P20).
    pub(crate) fn allows_ca_leaf(&self) -> bool {
        matches!(self, LeafProfile::ModelSigning)
    }

    /// Checks the leaf's own extensions against the profile.
    pub fn check_leaf(&self, leaf: &Certificate) -> Result<(), Error> {
        self.violation(leaf)?.map_or(Ok(()), |violation| {
            Err(Error::Profile {
                subject: leaf.subject(),
                profile: self.name(),
                violation,
            })
        })
    }

    fn violation(&self, leaf: &Certificate) -> Result<Option<ProfileViolation>, Error> {
        let eku = leaf.extended_key_usage()?;
        let ku = leaf.key_usage()?;
        let purpose = self.purpose();
        match self {
            LeafProfile::ModelSigning => {
                if let Some(ku) = &ku {
                    if !ku.digital_signature {
                        return Ok(Some(ProfileViolation::KeyUsageLacksDigitalSignature));
                    }
                }
                if let Some(eku) = eku {
                    if !eku.purposes.contains(&purpose) {
                        return Ok(Some(ProfileViolation::ExtendedKeyUsageLacks {
                            required: purpose,
                            present: eku.purposes,
                        }));
                    }
                }
            }
            LeafProfile::TimeStamping => {
                let Some(eku) = eku else {
                    return Ok(Some(ProfileViolation::ExtendedKeyUsageMissing));
                };
                if eku.purposes.as_slice() != [purpose] {
                    return Ok(Some(ProfileViolation::ExtendedKeyUsageNotExactly {
                        required: purpose,
                        present: eku.purposes,
                    }));
                }
                if !eku.critical {
                    return Ok(Some(ProfileViolation::ExtendedKeyUsageNotCritical));
                }
                if let Some(ku) = &ku {
                    if ku.key_encipherment
                        || ku.data_encipherment
                        || ku.key_agreement
                        || ku.key_cert_sign
                        || ku.crl_sign
                        || ku.encipher_only
                        || ku.decipher_only
                    {
                        return Ok(Some(ProfileViolation::KeyUsageNotAllowed {
                            allowed: "digitalSignature, nonRepudiation",
                        }));
                    }
                }
                if leaf.basic_constraints()?.is_some_and(|bc| bc.ca) {
                    return Ok(Some(ProfileViolation::LeafIsCa));
                }
            }
            LeafProfile::ExtendedKeyUsage(_) => {
                if let Some(eku) = eku {
                    if !eku.purposes.contains(&purpose) {
                        return Ok(Some(ProfileViolation::ExtendedKeyUsageLacks {
                            required: purpose,
                            present: eku.purposes,
                        }));
                    }
                }
            }
        }
        Ok(None)
    }
}

impl fmt::Display for LeafProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LeafProfile::ExtendedKeyUsage(oid) => write!(f, "extended-key-usage({oid})"),
            other => f.write_str(other.name()),
        }
    }
}

/// Why a leaf does not meet its profile.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProfileViolation {
    /// KeyUsage is present without digitalSignature.
    KeyUsageLacksDigitalSignature,
    /// KeyUsage has bits outside the allowed set.
    KeyUsageNotAllowed { allowed: &'static str },
    /// The profile requires an EKU extension and there is none.
    ExtendedKeyUsageMissing,
    /// The EKU extension does not contain the required purpose.
    ExtendedKeyUsageLacks {
        required: ObjectIdentifier,
        present: Vec<ObjectIdentifier>,
    },
    /// The EKU extension must contain exactly the required purpose.
    ExtendedKeyUsageNotExactly {
        required: ObjectIdentifier,
        present: Vec<ObjectIdentifier>,
    },
    /// The EKU extension must be critical.
    ExtendedKeyUsageNotCritical,
    /// The leaf is a CA (basicConstraints CA:TRUE).
    LeafIsCa,
}

fn oid_list(oids: &[ObjectIdentifier]) -> String {
    oids.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for ProfileViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProfileViolation::KeyUsageLacksDigitalSignature => {
                f.write_str("keyUsage does not include digitalSignature")
            }
            ProfileViolation::KeyUsageNotAllowed { allowed } => {
                write!(f, "keyUsage has bits other than {allowed}")
            }
            ProfileViolation::ExtendedKeyUsageMissing => {
                f.write_str("extendedKeyUsage extension is missing")
            }
            ProfileViolation::ExtendedKeyUsageLacks { required, present } => write!(
                f,
                "extendedKeyUsage [{}] does not include {required}",
                oid_list(present)
            ),
            ProfileViolation::ExtendedKeyUsageNotExactly { required, present } => write!(
                f,
                "extendedKeyUsage must be exactly {required}, found [{}]",
                oid_list(present)
            ),
            ProfileViolation::ExtendedKeyUsageNotCritical => {
                f.write_str("extendedKeyUsage extension is not critical")
            }
            ProfileViolation::LeafIsCa => {
                f.write_str("certificate is a CA (basicConstraints CA:TRUE)")
            }
        }
    }
}

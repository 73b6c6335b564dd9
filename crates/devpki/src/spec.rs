//! What a certificate should look like: subject, key, validity window and extension profile.
//!
//! The standard profiles follow RFC 5280 §4.2.1 and RFC 3161 §2.3:
//!
//! ```text
//! BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE,
//!                                 pathLenConstraint INTEGER (0..MAX) OPTIONAL }
//! KeyUsage ::= BIT STRING { digitalSignature (0), nonRepudiation (1), ...,
//!                           keyCertSign (5), cRLSign (6), ... }
//! ExtKeyUsageSyntax ::= SEQUENCE SIZE (1..MAX) OF KeyPurposeId
//! ```
//!
//! RFC 3161 §2.3: "The corresponding certificate MUST contain only one instance of the
//! extended key usage field extension as defined in [RFC2459] Section 4.2.1.13 with
//! KeyPurposeID having value: id-kp-timeStamping. This extension MUST be critical."
//!
//! [`CertProfile::Custom`] exists so tests can break exactly one of these rules.

use const_oid::db::rfc5280::{ID_KP_CODE_SIGNING, ID_KP_TIME_STAMPING};
use const_oid::ObjectIdentifier;
use der::flagset::FlagSet;
use modelsign_pki::{KeyKind, Time};
use x509_cert::ext::pkix::KeyUsages;

/// A certificate to generate.
///
/// Validity times are written as given, truncated to whole seconds (X.509 times have no
/// fractions, RFC 5280 §4.1.2.5). Windows may lie in the past or the future, and may even
/// be inverted, so tests can make expired, not-yet-valid and malformed certificates without
/// sleeping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertSpec {
    /// Subject commonName (also used in error messages).
    pub common_name: String,
    /// Subject organizationName, written before the CN when present.
    pub organisation: Option<String>,
    /// subjectAltName rfc822Name (e-mail), e.g. the signer identity of a code-signing leaf.
    pub email: Option<String>,
    /// Kind of the subject key generated for this certificate.
    pub key: KeyKind,
    pub not_before: Time,
    pub not_after: Time,
    /// Unsigned big-endian serial number; `None` draws a random positive 16-byte serial.
    pub serial: Option<Vec<u8>>,
    pub profile: CertProfile,
}

impl CertSpec {
    /// A spec with no organisation, no e-mail and a random serial.
    pub fn new(
        common_name: impl Into<String>,
        profile: CertProfile,
        key: KeyKind,
        not_before: Time,
        not_after: Time,
    ) -> Self {
        CertSpec {
            common_name: common_name.into(),
            organisation: None,
            email: None,
            key,
            not_before,
            not_after,
            serial: None,
            profile,
        }
    }

    #[must_use]
    pub fn with_organisation(mut self, organisation: impl Into<String>) -> Self {
        self.organisation = Some(organisation.into());
        self
    }

    #[must_use]
    pub fn with_email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    #[must_use]
    pub fn with_serial(mut self, serial: impl Into<Vec<u8>>) -> Self {
        self.serial = Some(serial.into());
        self
    }
}

/// Which extensions the certificate carries. Every certificate also gets a
/// subjectKeyIdentifier and an authorityKeyIdentifier (keyIdentifier form).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CertProfile {
    /// Self-signed trust anchor: basicConstraints critical cA, keyUsage critical
    /// keyCertSign + cRLSign, no EKU.
    Root,
    /// Issuing CA: as [`CertProfile::Root`] with an optional pathLenConstraint.
    Intermediate { path_len: Option<u8> },
    /// Model-signing leaf: basicConstraints critical cA FALSE, keyUsage critical
    /// digitalSignature, EKU (non-critical) codeSigning.
    CodeSigningLeaf,
    /// RFC 3161 TSA leaf: basicConstraints critical cA FALSE, keyUsage critical
    /// digitalSignature, EKU **critical** and exactly id-kp-timeStamping.
    TimeStampingLeaf,
    /// Anything else, including rule-breaking certificates.
    Custom(CustomProfile),
}

impl CertProfile {
    /// The extensions this profile writes, as a [`CustomProfile`] a test can start from
    /// and change one field of.
    pub fn extensions(&self) -> CustomProfile {
        let ca_usages = KeyUsages::KeyCertSign | KeyUsages::CRLSign;
        match self {
            CertProfile::Root => CustomProfile {
                basic_constraints: Some(BasicConstraintsSpec::ca(None)),
                key_usage: Some(KeyUsageSpec::critical(ca_usages)),
                extended_key_usage: None,
                extra_extensions: Vec::new(),
            },
            CertProfile::Intermediate { path_len } => CustomProfile {
                basic_constraints: Some(BasicConstraintsSpec::ca(*path_len)),
                key_usage: Some(KeyUsageSpec::critical(ca_usages)),
                extended_key_usage: None,
                extra_extensions: Vec::new(),
            },
            CertProfile::CodeSigningLeaf => CustomProfile {
                basic_constraints: Some(BasicConstraintsSpec::end_entity()),
                key_usage: Some(KeyUsageSpec::critical(KeyUsages::DigitalSignature.into())),
                extended_key_usage: Some(ExtendedKeyUsageSpec {
                    critical: false,
                    purposes: vec![ID_KP_CODE_SIGNING],
                }),
                extra_extensions: Vec::new(),
            },
            CertProfile::TimeStampingLeaf => CustomProfile {
                basic_constraints: Some(BasicConstraintsSpec::end_entity()),
                key_usage: Some(KeyUsageSpec::critical(KeyUsages::DigitalSignature.into())),
                extended_key_usage: Some(ExtendedKeyUsageSpec {
                    critical: true,
                    purposes: vec![ID_KP_TIME_STAMPING],
                }),
                extra_extensions: Vec::new(),
            },
            CertProfile::Custom(custom) => custom.clone(),
        }
    }
}

/// Extensions chosen one by one; `None` leaves the extension out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CustomProfile {
    pub basic_constraints: Option<BasicConstraintsSpec>,
    pub key_usage: Option<KeyUsageSpec>,
    pub extended_key_usage: Option<ExtendedKeyUsageSpec>,
    /// Written after the others, in order, exactly as given.
    pub extra_extensions: Vec<RawExtension>,
}

/// basicConstraints (RFC 5280 §4.2.1.9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BasicConstraintsSpec {
    pub critical: bool,
    pub ca: bool,
    pub path_len: Option<u8>,
}

impl BasicConstraintsSpec {
    /// Critical, cA TRUE.
    pub fn ca(path_len: Option<u8>) -> Self {
        BasicConstraintsSpec {
            critical: true,
            ca: true,
            path_len,
        }
    }

    /// Critical, cA FALSE (an empty SEQUENCE, since cA defaults to FALSE).
    pub fn end_entity() -> Self {
        BasicConstraintsSpec {
            critical: true,
            ca: false,
            path_len: None,
        }
    }
}

/// keyUsage (RFC 5280 §4.2.1.3). An empty set is written as an empty BIT STRING.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyUsageSpec {
    pub critical: bool,
    pub usages: FlagSet<KeyUsages>,
}

impl KeyUsageSpec {
    pub fn critical(usages: FlagSet<KeyUsages>) -> Self {
        KeyUsageSpec {
            critical: true,
            usages,
        }
    }
}

/// extKeyUsage (RFC 5280 §4.2.1.12), purposes written in the given order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExtendedKeyUsageSpec {
    pub critical: bool,
    pub purposes: Vec<ObjectIdentifier>,
}

/// Any extension: `value` is the DER placed inside extnValue's OCTET STRING.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawExtension {
    pub oid: ObjectIdentifier,
    pub critical: bool,
    pub value: Vec<u8>,
}

/// An OID no verifier knows, for "unknown critical extension" tests. It lies under the
/// arbitrary 1.2.3.4 arc that OpenSSL's examples and many test suites use, never in real
/// certificates.
pub const UNKNOWN_EXTENSION_OID: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.3.4.5.6.7");

impl RawExtension {
    /// A critical extension with [`UNKNOWN_EXTENSION_OID`] and a DER NULL value: RFC 5280
    /// §4.2 says a verifier MUST reject a certificate with a critical extension it does
    /// not recognise.
    pub fn unknown_critical() -> Self {
        RawExtension {
            oid: UNKNOWN_EXTENSION_OID,
            critical: true,
            value: vec![0x05, 0x00],
        }
    }
}

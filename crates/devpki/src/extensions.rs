//! DER-encodes a [`CustomProfile`] into rcgen custom extensions.
//!
//! rcgen writes extKeyUsage non-critical whatever the caller wants (rust-stack.md P6) and
//! ties basicConstraints and subjectKeyIdentifier together, so every extension except the
//! authorityKeyIdentifier and subjectAltName is encoded here (with `x509-cert`'s types)
//! and handed to rcgen as a `CustomExtension` with the chosen criticality:
//!
//! ```text
//! Extension ::= SEQUENCE { extnID OBJECT IDENTIFIER, critical BOOLEAN DEFAULT FALSE,
//!                          extnValue OCTET STRING -- DER of the extension's value }
//! SubjectKeyIdentifier ::= KeyIdentifier ::= OCTET STRING
//! ```

use const_oid::db::rfc5280::{
    ID_CE_BASIC_CONSTRAINTS, ID_CE_EXT_KEY_USAGE, ID_CE_KEY_USAGE, ID_CE_SUBJECT_KEY_IDENTIFIER,
};
use const_oid::ObjectIdentifier;
use der::asn1::OctetString;
use der::Encode;
use rcgen::CustomExtension;
use x509_cert::ext::pkix::{BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectKeyIdentifier};

use crate::spec::CustomProfile;
use crate::Error;

/// The extensions of `profile`, preceded by a non-critical subjectKeyIdentifier.
pub(crate) fn encode(
    profile: &CustomProfile,
    subject_key_identifier: &[u8],
    subject: &str,
) -> Result<Vec<CustomExtension>, Error> {
    let der_error = |extension: &'static str| {
        move |source| Error::ExtensionEncoding {
            subject: subject.to_owned(),
            extension,
            source,
        }
    };
    let mut out = Vec::new();

    let ski = OctetString::new(subject_key_identifier)
        .map(SubjectKeyIdentifier)
        .and_then(|ski| ski.to_der())
        .map_err(der_error("subjectKeyIdentifier"))?;
    out.push(extension(ID_CE_SUBJECT_KEY_IDENTIFIER, false, ski));

    if let Some(bc) = &profile.basic_constraints {
        let value = BasicConstraints {
            ca: bc.ca,
            path_len_constraint: bc.path_len,
        }
        .to_der()
        .map_err(der_error("basicConstraints"))?;
        out.push(extension(ID_CE_BASIC_CONSTRAINTS, bc.critical, value));
    }
    if let Some(ku) = &profile.key_usage {
        let value = KeyUsage(ku.usages)
            .to_der()
            .map_err(der_error("keyUsage"))?;
        out.push(extension(ID_CE_KEY_USAGE, ku.critical, value));
    }
    if let Some(eku) = &profile.extended_key_usage {
        let value = ExtendedKeyUsage(eku.purposes.clone())
            .to_der()
            .map_err(der_error("extKeyUsage"))?;
        out.push(extension(ID_CE_EXT_KEY_USAGE, eku.critical, value));
    }
    for raw in &profile.extra_extensions {
        out.push(extension(raw.oid, raw.critical, raw.value.clone()));
    }
    Ok(out)
}

fn extension(oid: ObjectIdentifier, critical: bool, value: Vec<u8>) -> CustomExtension {
    let mut ext = CustomExtension::from_oid_content(&oid_arcs(&oid), value);
    ext.set_criticality(critical);
    ext
}

/// rcgen spells OIDs as `u64` arcs.
pub(crate) fn oid_arcs(oid: &ObjectIdentifier) -> Vec<u64> {
    oid.arcs().map(u64::from).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::{CertProfile, RawExtension};

    #[test]
    fn time_stamping_profile_marks_eku_critical_and_ski_non_critical() {
        let exts = encode(&CertProfile::TimeStampingLeaf.extensions(), &[1; 20], "t").unwrap();
        let find = |oid: ObjectIdentifier| {
            exts.iter()
                .find(|e| e.oid_components().eq(oid_arcs(&oid)))
                .unwrap()
        };
        let eku = find(ID_CE_EXT_KEY_USAGE);
        assert!(eku.criticality());
        // SEQUENCE { OID 1.3.6.1.5.5.7.3.8 }
        assert_eq!(
            eku.content(),
            &[0x30, 0x0a, 0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x03, 0x08]
        );
        assert!(!find(ID_CE_SUBJECT_KEY_IDENTIFIER).criticality());
        // Empty SEQUENCE: cA FALSE is the DEFAULT and must be omitted in DER.
        assert_eq!(find(ID_CE_BASIC_CONSTRAINTS).content(), &[0x30, 0x00]);
        // BIT STRING with 7 unused bits, digitalSignature set.
        assert_eq!(find(ID_CE_KEY_USAGE).content(), &[0x03, 0x02, 0x07, 0x80]);
    }

    #[test]
    fn absent_extensions_are_not_written_and_raw_ones_keep_their_bytes() {
        let profile = CustomProfile {
            extra_extensions: vec![RawExtension::unknown_critical()],
            ..CustomProfile::default()
        };
        let exts = encode(&profile, &[7; 20], "c").unwrap();
        assert_eq!(exts.len(), 2, "SKI + the raw extension only");
        assert!(exts[1].criticality());
        assert_eq!(exts[1].content(), &[0x05, 0x00]);
    }
}

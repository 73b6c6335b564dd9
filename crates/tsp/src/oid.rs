//! Object identifiers used by the time-stamp protocol, named once.
//!
//! Taken from the `const-oid` database where it has them (RFC 3161, RFC 5911/5912/6268,
//! RFC 5280), so a typo cannot creep in; the few it lacks are spelled out with their source.

use const_oid::db::{rfc3161, rfc5280, rfc5911, rfc5912};
use const_oid::ObjectIdentifier;

/// `id-ct-TSTInfo` (RFC 3161 §2.4.2): the eContentType of a time-stamp token.
pub const ID_CT_TST_INFO: ObjectIdentifier = rfc3161::ID_CT_TST_INFO;
/// `id-signedData` (RFC 5652 §5.1): the ContentInfo contentType of a token.
pub const ID_SIGNED_DATA: ObjectIdentifier = rfc5911::ID_SIGNED_DATA;
/// `id-data` (RFC 5652 §4).
pub const ID_DATA: ObjectIdentifier = rfc5911::ID_DATA;
/// `id-contentType` signed attribute (RFC 5652 §11.1).
pub const ID_CONTENT_TYPE: ObjectIdentifier = rfc5911::ID_CONTENT_TYPE;
/// `id-messageDigest` signed attribute (RFC 5652 §11.2).
pub const ID_MESSAGE_DIGEST: ObjectIdentifier = rfc5911::ID_MESSAGE_DIGEST;
/// `id-signingTime` signed attribute (RFC 5652 §11.3).
pub const ID_SIGNING_TIME: ObjectIdentifier = rfc5911::ID_SIGNING_TIME;
/// `id-aa-signingCertificate` (RFC 2634 §5.4): ESSCertID with SHA-1 hashes.
pub const ID_AA_SIGNING_CERTIFICATE: ObjectIdentifier = rfc5911::ID_AA_SIGNING_CERTIFICATE;
/// `id-aa-signingCertificateV2` (RFC 5035 §3): ESSCertIDv2.
pub const ID_AA_SIGNING_CERTIFICATE_V2: ObjectIdentifier = rfc5911::ID_AA_SIGNING_CERTIFICATE_V_2;
/// `id-kp-timeStamping` (RFC 5280 §4.2.1.12).
pub const ID_KP_TIME_STAMPING: ObjectIdentifier = rfc5280::ID_KP_TIME_STAMPING;
/// `id-sha1` (only recognised, never produced: ESSCertID v1 hashes are SHA-1).
pub const ID_SHA1: ObjectIdentifier = rfc5912::ID_SHA_1;
/// `id-sha256`: the DEFAULT hash of ESSCertIDv2 (RFC 5035 §4).
pub const ID_SHA256: ObjectIdentifier = rfc5912::ID_SHA_256;
/// `id-sha384`.
pub const ID_SHA384: ObjectIdentifier = rfc5912::ID_SHA_384;
/// `id-sha512`.
pub const ID_SHA512: ObjectIdentifier = rfc5912::ID_SHA_512;

/// A human-readable name for the OIDs an operator sees in `inspect` output, falling back to
/// the dotted form (the `const-oid` database names are the RFC ASN.1 names).
pub fn display_name(oid: &ObjectIdentifier) -> String {
    match const_oid::db::DB.by_oid(oid) {
        Some(name) => format!("{name} ({oid})"),
        None => oid.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oids_have_the_rfc_values() {
        assert_eq!(ID_CT_TST_INFO.to_string(), "1.2.840.113549.1.9.16.1.4");
        assert_eq!(
            ID_AA_SIGNING_CERTIFICATE_V2.to_string(),
            "1.2.840.113549.1.9.16.2.47"
        );
        assert_eq!(
            ID_AA_SIGNING_CERTIFICATE.to_string(),
            "1.2.840.113549.1.9.16.2.12"
        );
        assert_eq!(ID_KP_TIME_STAMPING.to_string(), "1.3.6.1.5.5.7.3.8");
        assert_eq!(ID_SIGNED_DATA.to_string(), "1.2.840.113549.1.7.2");
    }

    #[test]
    fn display_name_names_known_oids() {
        assert_eq!(
            display_name(&ID_SHA256),
            "id-sha256 (2.16.840.1.101.3.4.2.1)"
        );
        let unknown = ObjectIdentifier::new_unwrap("1.2.3.4.1");
        assert_eq!(display_name(&unknown), "1.2.3.4.1");
    }
}

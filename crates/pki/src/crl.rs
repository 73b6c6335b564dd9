//! Certificate revocation lists (RFC 5280 §5) checked against a [`VerifiedChain`].
//!
//! ```text
//! CertificateList  ::=  SEQUENCE  {
//!      tbsCertList          TBSCertList,
//!      signatureAlgorithm   AlgorithmIdentifier,
//!      signatureValue       BIT STRING  }
//!
//! TBSCertList  ::=  SEQUENCE  {
//!      version                 Version OPTIONAL, -- if present, MUST be v2
//!      signature               AlgorithmIdentifier,
//!      issuer                  Name,
//!      thisUpdate              Time,
//!      nextUpdate              Time OPTIONAL,
//!      revokedCertificates     SEQUENCE OF SEQUENCE  {
//!           userCertificate         CertificateSerialNumber,
//!           revocationDate          Time,
//!           crlEntryExtensions      Extensions OPTIONAL } OPTIONAL,
//!      crlExtensions           [0]  EXPLICIT Extensions OPTIONAL }
//!
//! CRLReason ::= ENUMERATED { unspecified (0), keyCompromise (1), ... }   -- 2.5.29.21
//! InvalidityDate ::=  GeneralizedTime                                    -- 2.5.29.24
//! IssuingDistributionPoint ::= SEQUENCE {                                -- 2.5.29.28
//!      distributionPoint          [0] DistributionPointName OPTIONAL,
//!      onlyContainsUserCerts      [1] BOOLEAN DEFAULT FALSE,
//!      onlyContainsCACerts        [2] BOOLEAN DEFAULT FALSE,
//!      onlySomeReasons            [3] ReasonFlags OPTIONAL,
//!      indirectCRL                [4] BOOLEAN DEFAULT FALSE,
//!      onlyContainsAttributeCerts [5] BOOLEAN DEFAULT FALSE }
//! ```
//!
//! **Which CA signs a CRL.** A CRL applies to a certificate of the chain when its issuer
//! name equals the subject of the certificate's issuer in the chain; its signature must then
//! verify with the key of a CA of the chain bearing that name (a mismatch is an error, never
//! silently ignored) and that CA's KeyUsage, if present, must assert cRLSign. The signing
//! CA is a certificate of the chain already validated at the signing time (RFC 5280 §6.3.3
//! (f) validates the CRL issuer's path, which here is the signing chain itself).
//!
//! **When the CRL was signed.** A CRL whose thisUpdate ("the issue date of this CRL",
//! §5.1.2.4) is after the notAfter of the CA certificate whose key verifies it is refused
//! ([`Error::CrlUnsupported`]); the bound is inclusive, as certificate validity is
//! (§4.1.2.5). RFC 5280 validates the CRL issuer's path at the current time and never
//! compares the two dates, but modelsign validates the chain at the signing time L and
//! accepts a CRL as evidence of non-revocation when `thisUpdate >= L` (module `revocation`
//! of `modelsign`), possibly years later. After the CA certificate's notAfter nothing
//! vouches for its key any more: its parent may stop listing it once expired (§3.3 lets
//! expired certificates drop off CRLs), so a key lost after expiry could sign a "recent"
//! CRL omitting a revocation; and the CA itself need not keep its own revocations after
//! its certificates expire (§3.3 again), so its silence then means nothing. Refusing
//! (rather than ignoring) tells the user which `--crl` to replace: the chain is valid at L,
//! so a CRL of that CA issued between L and the CA's notAfter always qualifies.
//!
//! A thisUpdate *before* the CA certificate's notBefore is accepted: a CA re-certified
//! with the same key and name (renewal, new cross-certificate) legitimately has CRLs issued
//! under its previous certificate, and such a CRL can never be recent enough for a trusted
//! signing time (`thisUpdate < notBefore <= L`), so it only contributes its entries, which
//! are conclusive anyway.
//!
//! **What is refused** ([`Error::CrlUnsupported`]), because RFC 5280 §5.2 says a CRL with a
//! critical extension the application cannot process MUST NOT be used, or because using it
//! as a complete CRL would accept a revoked certificate:
//!
//! - unknown critical CRL or entry extensions;
//! - indirect CRLs (`indirectCRL`, or a `certificateIssuer` entry extension, §5.3.3);
//! - delta CRLs (`deltaCRLIndicator`, §5.2.4): they list only the changes since a base CRL,
//!   so a certificate missing from one may still be revoked;
//! - CRLs partitioned by reason (`onlySomeReasons`) or covering attribute certificates only;
//! - `removeFromCRL` entries, which §5.3.1 allows in delta CRLs only;
//! - a nextUpdate before thisUpdate;
//! - a thisUpdate after the notAfter of the CA certificate that signed it (above);
//! - an ExpiredCertsOnCRL extension that occurs twice (a malformed one is [`Error::Der`]),
//!   checked when the CRL is parsed, whether or not the date will matter.
//!
//! **Expired certificates.** A CRL issued after a certificate's own notAfter may have
//! dropped it (§3.3: "CAs ... may remove expired certificates from CRLs"); whether it still
//! vouches for that certificate is [`Crl::keeps_entries_for`]: `thisUpdate <= notAfter`,
//! or ExpiredCertsOnCRL at or before notAfter (ITU-T X.509 §9.6.2.6, OID 2.5.29.60,
//! `ExpiredCertsOnCRL ::= GeneralizedTime`: entries are kept for certificates that expired
//! at or after that date), or an entry for the certificate.
//!
//! **Scope** ([`Crl::is_complete_for`]): a CRL with `onlyContainsUserCerts` says nothing
//! about CA certificates, one with `onlyContainsCACerts` nothing about end-entity
//! certificates, and one whose issuingDistributionPoint names a distribution point covers
//! only certificates whose cRLDistributionPoints share a name with it (RFC 5280 §6.3.3
//! (b)(2)): a CRL of another partition is no evidence that a certificate is not revoked.
//! Entries are honoured whatever the scope: a listed serial of that issuer is revoked.
//!
//! **Entries.** Every entry with the certificate's serial counts (duplicates included: the
//! earliest effective time wins when the caller compares). certificateHold is reported like
//! any revocation (the certificate was suspended from that date; whether a later CRL
//! released it does not change the status at a time inside the hold).
//!
//! Whether a revocation matters at the signing time, and whether a CRL is recent enough to
//! show that a certificate was *not* revoked then, are the caller's decisions: this module
//! reports [`Revocation`]s and, per certificate, which CRLs are complete for it.

use std::ops::Range;

use const_oid::db::rfc5280::{
    ID_CE_AUTHORITY_KEY_IDENTIFIER, ID_CE_CERTIFICATE_ISSUER, ID_CE_CRL_NUMBER, ID_CE_CRL_REASONS,
    ID_CE_DELTA_CRL_INDICATOR, ID_CE_INVALIDITY_DATE, ID_CE_ISSUING_DISTRIBUTION_POINT,
};
use der::asn1::GeneralizedTime;
use der::Decode;
use x509_cert::crl::CertificateList;
use x509_cert::ext::pkix::crl::dp::IssuingDistributionPoint;
use x509_cert::ext::pkix::name::DistributionPointName;
use x509_cert::ext::pkix::{CrlDistributionPoints, CrlReason};

use crate::certificate::{first_inner_tlv, serial_to_hex, Certificate};
use crate::chain::VerifiedChain;
use crate::error::Error;
use crate::pem;
use crate::scheme::SignatureScheme;
use crate::time::Time;

/// ExpiredCertsOnCRL (ITU-T X.509 §9.6.2.6; not in RFC 5280, so not in `const_oid`'s
/// RFC 5280 table).
pub const ID_CE_EXPIRED_CERTS_ON_CRL: const_oid::ObjectIdentifier =
    const_oid::ObjectIdentifier::new_unwrap("2.5.29.60");

/// CRL input budget: large public CAs publish CRLs of a few MB; 16 MiB bounds memory and
/// parsing time on hostile input.
///
/// It also bounds the number of entries, linearly, so there is no separate count limit: the
/// smallest entry that parses is 20 bytes (SEQUENCE { INTEGER of one byte, UTCTime }),
/// hence at most ~840 000 entries; a typical entry (16-byte serial, UTCTime, reasonCode)
/// takes ~50 bytes, so a CRL at the cap holds ~330 000 real entries, the size of the
/// largest public CA CRLs. A count checked after decoding would not save the memory, which
/// x509-cert allocates while decoding; only the byte cap does. Measured with
/// `examples/crl_parse_time.rs` (16 MiB, 762 582 entries of 22 bytes, release build, one
/// core of the 2-core dev machine): parsing 0.30–0.54 s, resident memory +58–74 MiB
/// (the DER copy and ~60 bytes per decoded entry), signature check and lookup 35 ms.
pub const MAX_CRL_BYTES: usize = 16 * 1024 * 1024;

/// A parsed CRL with its exact DER.
#[derive(Clone, Debug)]
pub struct Crl {
    der: Vec<u8>,
    list: CertificateList,
    tbs: Range<usize>,
    /// The decoded ExpiredCertsOnCRL extension ([`Crl::expired_certs_on_crl`]).
    expired_certs_on_crl: Option<Time>,
}

/// One revoked certificate of a chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Revocation {
    pub certificate_subject: String,
    pub serial_hex: String,
    /// The CRL entry's revocationDate.
    pub revoked_at: Time,
    /// The invalidityDate entry extension: when the key is known or suspected to have been
    /// compromised, possibly before `revoked_at`.
    pub invalidity_date: Option<Time>,
    /// The CRLReason entry extension in RFC 5280 spelling (`keyCompromise`, ...).
    pub reason: Option<String>,
}

impl Revocation {
    /// From when the certificate is to be treated as revoked: the invalidityDate if present
    /// (RFC 5280 §5.3.2: it "may be earlier than the revocation date"), else the
    /// revocationDate. An invalidityDate *later* than the revocationDate cannot postpone
    /// the revocation (the CA had revoked the certificate by then), so the earlier of the two
    /// is taken; otherwise such an entry would turn a revocation before the signing time
    /// into one after it.
    pub fn effective_time(&self) -> Time {
        match self.invalidity_date {
            Some(t) if t < self.revoked_at => t,
            _ => self.revoked_at,
        }
    }
}

fn reason_name(r: CrlReason) -> &'static str {
    match r {
        CrlReason::Unspecified => "unspecified",
        CrlReason::KeyCompromise => "keyCompromise",
        CrlReason::CaCompromise => "cACompromise",
        CrlReason::AffiliationChanged => "affiliationChanged",
        CrlReason::Superseded => "superseded",
        CrlReason::CessationOfOperation => "cessationOfOperation",
        CrlReason::CertificateHold => "certificateHold",
        CrlReason::RemoveFromCRL => "removeFromCRL",
        CrlReason::PrivilegeWithdrawn => "privilegeWithdrawn",
        CrlReason::AaCompromise => "aACompromise",
    }
}

impl Crl {
    /// A DER CRL or the first `X509 CRL` PEM block.
    pub fn from_pem_or_der(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() > MAX_CRL_BYTES {
            return Err(Error::InputTooLarge {
                what: "CRL",
                size: bytes.len(),
                limit: MAX_CRL_BYTES,
            });
        }
        if pem::looks_like_pem(bytes) {
            let text = std::str::from_utf8(bytes).map_err(|_| Error::Pem {
                expected: "X509 CRL",
                detail: "not UTF-8 text".into(),
            })?;
            let blocks = pem::blocks(text, "X509 CRL")?;
            let block = blocks
                .iter()
                .find(|b| b.label == "X509 CRL")
                .ok_or_else(|| Error::PemLabel {
                    found: blocks
                        .first()
                        .map(|b| b.label.to_string())
                        .unwrap_or_default(),
                    expected: "X509 CRL",
                })?;
            Self::from_der(&block.decode("X509 CRL")?)
        } else {
            Self::from_der(bytes)
        }
    }

    fn from_der(der: &[u8]) -> Result<Self, Error> {
        let list = CertificateList::from_der(der).map_err(|e| Error::Der {
            what: "CRL",
            detail: e.to_string(),
        })?;
        let tbs = first_inner_tlv(der, "CRL")?;
        let mut crl = Crl {
            der: der.to_vec(),
            list,
            tbs,
            expired_certs_on_crl: None,
        };
        // A window that ends before it starts is malformed; refusing it here keeps every
        // later freshness comparison meaningful.
        if crl
            .next_update()
            .is_some_and(|next| next < crl.this_update())
        {
            return Err(crl.unsupported("its nextUpdate is before its thisUpdate"));
        }
        // Decoded here, so a malformed or repeated ExpiredCertsOnCRL is refused whatever the
        // CRL is later used for: decoding it only once a certificate has expired would let a
        // broken CRL pass unnoticed until the day the extension matters.
        crl.expired_certs_on_crl = crl.decode_expired_certs_on_crl()?;
        Ok(crl)
    }

    pub fn der(&self) -> &[u8] {
        &self.der
    }

    /// Issuer as RFC 4514 text.
    pub fn issuer(&self) -> String {
        self.list.tbs_cert_list.issuer.to_string()
    }

    /// When the CRL was issued: it lists the revocations known to its issuer at this time.
    pub fn this_update(&self) -> Time {
        Time::from_x509(&self.list.tbs_cert_list.this_update)
    }

    /// When the issuer promises the next CRL at the latest.
    pub fn next_update(&self) -> Option<Time> {
        self.list
            .tbs_cert_list
            .next_update
            .as_ref()
            .map(Time::from_x509)
    }

    /// The ExpiredCertsOnCRL extension (OID 2.5.29.60, ITU-T X.509 §9.6.2.6,
    /// `ExpiredCertsOnCRL ::= GeneralizedTime`): this CRL still lists revoked certificates
    /// whose notAfter is at or after the time given. `None` when absent;
    /// [`Crl::from_pem_or_der`] refuses a malformed ([`Error::Der`]) or repeated
    /// ([`Error::CrlUnsupported`]) one.
    pub fn expired_certs_on_crl(&self) -> Option<Time> {
        self.expired_certs_on_crl
    }

    fn decode_expired_certs_on_crl(&self) -> Result<Option<Time>, Error> {
        let mut found = None;
        for ext in self.list.tbs_cert_list.crl_extensions.iter().flatten() {
            if ext.extn_id != ID_CE_EXPIRED_CERTS_ON_CRL {
                continue;
            }
            if found.is_some() {
                return Err(self.unsupported("expiredCertsOnCRL occurs twice"));
            }
            let g =
                GeneralizedTime::from_der(ext.extn_value.as_bytes()).map_err(|e| Error::Der {
                    what: "CRL expiredCertsOnCRL",
                    detail: e.to_string(),
                })?;
            found = Some(Time::from_x509(&x509_cert::time::Time::GeneralTime(g)));
        }
        Ok(found)
    }

    /// Whether this CRL still lists `cert` if it was revoked: RFC 5280 §3.3 lets a CA drop
    /// an entry once the certificate has expired, so a CRL issued after `cert`'s notAfter
    /// may be silent about a revoked certificate. It keeps the entries when it was issued at
    /// or before notAfter, when its ExpiredCertsOnCRL date is at or before notAfter, or
    /// when it does list `cert` (then the entry was evidently not dropped). Archival
    /// verification (timestamps keep an expired signature valid) mostly meets CRLs issued
    /// after the signing certificate expired, so silence there must not count as "not
    /// revoked".
    pub fn keeps_entries_for(&self, cert: &Certificate) -> Result<bool, Error> {
        let not_after = cert.not_after();
        if self.this_update() <= not_after
            || self
                .expired_certs_on_crl
                .is_some_and(|since| since <= not_after)
        {
            return Ok(true);
        }
        Ok(!self.revocations_of(cert)?.is_empty())
    }

    fn unsupported(&self, reason: &'static str) -> Error {
        Error::CrlUnsupported {
            issuer: self.issuer(),
            reason,
        }
    }

    /// Whether `issuer`'s key signed this CRL.
    fn signed_by(&self, issuer: &Certificate) -> Result<(), Error> {
        let bad_sig = || Error::CrlSignature {
            issuer: self.issuer(),
        };
        if self.list.signature_algorithm != self.list.tbs_cert_list.signature {
            return Err(bad_sig());
        }
        let scheme = SignatureScheme::from_signature_algorithm(&self.list.signature_algorithm)?;
        let signature = self.list.signature.as_bytes().ok_or_else(bad_sig)?;
        let tbs = self.der.get(self.tbs.clone()).ok_or_else(bad_sig)?;
        issuer
            .public_key()?
            .verify(scheme, tbs, signature)
            .map_err(|_| bad_sig())
    }

    fn issuing_distribution_point(&self) -> Result<Option<IssuingDistributionPoint>, Error> {
        let mut found = None;
        for ext in self.list.tbs_cert_list.crl_extensions.iter().flatten() {
            if ext.extn_id != ID_CE_ISSUING_DISTRIBUTION_POINT {
                continue;
            }
            if found.is_some() {
                return Err(self.unsupported("issuingDistributionPoint occurs twice"));
            }
            let idp =
                IssuingDistributionPoint::from_der(ext.extn_value.as_bytes()).map_err(|e| {
                    Error::Der {
                        what: "CRL issuingDistributionPoint",
                        detail: e.to_string(),
                    }
                })?;
            found = Some(idp);
        }
        Ok(found)
    }

    /// cRLSign on the issuer, and only CRLs we can use as complete CRLs of their issuer.
    fn check_usable(&self, issuer: &Certificate) -> Result<(), Error> {
        if issuer.key_usage()?.is_some_and(|ku| !ku.crl_sign) {
            return Err(Error::InvalidIssuer {
                subject: issuer.subject(),
                reason: "its keyUsage lacks cRLSign but it is named as CRL issuer",
            });
        }
        if let Some(idp) = self.issuing_distribution_point()? {
            if idp.indirect_crl {
                return Err(self.unsupported("indirect CRLs are not supported"));
            }
            if idp.only_some_reasons.is_some() {
                // A CRL for some reasons only: a certificate missing from it may be revoked
                // for another reason (RFC 5280 §5.2.5, §6.3.3 (d)).
                return Err(self.unsupported(
                    "CRLs partitioned by reason (onlySomeReasons) are not supported",
                ));
            }
            if idp.only_contains_attribute_certs {
                return Err(self.unsupported("it covers attribute certificates only"));
            }
        }
        for ext in self.list.tbs_cert_list.crl_extensions.iter().flatten() {
            if ext.extn_id == ID_CE_DELTA_CRL_INDICATOR {
                // Whatever its criticality (RFC 5280 §5.2.4 makes it critical): a delta CRL
                // lists only changes since its base CRL, so "not listed" means nothing.
                return Err(self
                    .unsupported("it is a delta CRL (deltaCRLIndicator): give the complete CRL"));
            }
            if ext.critical
                && ![
                    ID_CE_CRL_NUMBER,
                    ID_CE_AUTHORITY_KEY_IDENTIFIER,
                    ID_CE_ISSUING_DISTRIBUTION_POINT,
                    ID_CE_EXPIRED_CERTS_ON_CRL,
                ]
                .contains(&ext.extn_id)
            {
                return Err(self.unsupported("unknown critical CRL extension"));
            }
        }
        Ok(())
    }

    /// The chain CA (index into `certs`, never the leaf) whose name this CRL carries and
    /// whose key verifies it, checked as a usable CRL issuer; `None` when the CRL names no
    /// CA of the chain (it is about another CA).
    ///
    /// Several chain certificates can share a name (CA key rollover with self-issued
    /// certificates, RFC 5280 §6.1 / PKITS 4.5), so every one of them is tried; a CRL that
    /// names a chain CA but verifies with none is an error. Among those whose key verifies
    /// (one key can be certified twice), one whose notAfter is not before the CRL's
    /// thisUpdate is required (module docs, "When the CRL was signed").
    fn signer_in(&self, certs: &[Certificate]) -> Result<Option<usize>, Error> {
        let named: Vec<usize> = (1..certs.len())
            .filter(|i| {
                certs.get(*i).is_some_and(|c| {
                    c.x509().tbs_certificate().subject() == &self.list.tbs_cert_list.issuer
                })
            })
            .collect();
        if named.is_empty() {
            return Ok(None);
        }
        let verifying: Vec<usize> = named
            .into_iter()
            .filter(|i| certs.get(*i).is_some_and(|c| self.signed_by(c).is_ok()))
            .collect();
        if verifying.is_empty() {
            return Err(Error::CrlSignature {
                issuer: self.issuer(),
            });
        }
        let this_update = self.this_update();
        let signer = verifying
            .into_iter()
            .find(|i| certs.get(*i).is_some_and(|c| this_update <= c.not_after()))
            .ok_or_else(|| {
                self.unsupported(
                    "it was issued (thisUpdate) after the CA certificate that signed it expired \
                     (notAfter)",
                )
            })?;
        if let Some(cert) = certs.get(signer) {
            self.check_usable(cert)?;
        }
        Ok(Some(signer))
    }

    /// Whether this CRL is a complete CRL, in scope, for certificate `index` of `chain`
    /// (0 = leaf): issued under the name of that certificate's issuer in the chain, signed
    /// by a CA of the chain with that name (else [`Error::CrlSignature`]), usable (else
    /// [`Error::CrlUnsupported`] / [`Error::InvalidIssuer`]), and covering that kind of
    /// certificate and its distribution point (RFC 5280 §6.3.3 (b)(2)). Only such a CRL can
    /// show that the certificate was *not* revoked; whether it is recent enough for a given
    /// time is the caller's decision ([`Crl::this_update`], [`Crl::next_update`]).
    ///
    /// `false` for the anchor (the last certificate: its trust is configuration, not
    /// revocation) and for indexes past the chain.
    pub fn is_complete_for(&self, chain: &VerifiedChain, index: usize) -> Result<bool, Error> {
        let certs = chain.certificates();
        let (Some(cert), Some(issuer)) = (
            certs.get(index),
            index.checked_add(1).and_then(|i| certs.get(i)),
        ) else {
            return Ok(false);
        };
        if issuer.x509().tbs_certificate().subject() != &self.list.tbs_cert_list.issuer {
            return Ok(false);
        }
        if self.signer_in(certs)?.is_none() {
            return Ok(false);
        }
        let Some(idp) = self.issuing_distribution_point()? else {
            return Ok(true);
        };
        let is_ca = cert.basic_constraints()?.is_some_and(|bc| bc.ca);
        if (idp.only_contains_user_certs && is_ca) || (idp.only_contains_ca_certs && !is_ca) {
            return Ok(false);
        }
        match &idp.distribution_point {
            None => Ok(true),
            Some(name) => cert_lists_distribution_point(cert, name),
        }
    }

    /// Every entry for `cert` (serial match): a CRL may list a serial twice, and dropping
    /// one of two entries could drop the earlier revocation.
    fn revocations_of(&self, cert: &Certificate) -> Result<Vec<Revocation>, Error> {
        let serial = cert.x509().tbs_certificate().serial_number();
        let mut found = Vec::new();
        let Some(entries) = &self.list.tbs_cert_list.revoked_certificates else {
            return Ok(found);
        };
        // DER INTEGERs are minimal, so equal values have equal bytes (a non-minimal serial
        // makes the whole CRL fail to parse); negative serials compare as two's complement.
        for entry in entries.iter().filter(|e| &e.serial_number == serial) {
            let mut invalidity_date = None;
            let mut reason = None;
            for ext in entry.crl_entry_extensions.iter().flatten() {
                let bytes = ext.extn_value.as_bytes();
                if ext.extn_id == ID_CE_CRL_REASONS {
                    let r = CrlReason::from_der(bytes).map_err(|e| Error::Der {
                        what: "CRL entry reasonCode",
                        detail: e.to_string(),
                    })?;
                    if r == CrlReason::RemoveFromCRL {
                        // RFC 5280 §5.3.1: "only used in delta CRLs" (which are refused);
                        // in a complete CRL it is contradictory: listed, yet not revoked.
                        return Err(self.unsupported(
                            "an entry has reasonCode removeFromCRL, which only delta CRLs may use",
                        ));
                    }
                    reason = Some(reason_name(r).to_string());
                } else if ext.extn_id == ID_CE_INVALIDITY_DATE {
                    let g = GeneralizedTime::from_der(bytes).map_err(|e| Error::Der {
                        what: "CRL entry invalidityDate",
                        detail: e.to_string(),
                    })?;
                    let t = x509_cert::time::Time::GeneralTime(g);
                    invalidity_date = Some(Time::from_x509(&t));
                } else if ext.extn_id == ID_CE_CERTIFICATE_ISSUER {
                    // Critical or not, it makes the entry about another CA's certificate.
                    return Err(self.unsupported(
                        "an entry has a certificateIssuer (indirect CRLs are not supported)",
                    ));
                } else if ext.critical {
                    return Err(self.unsupported("unknown critical CRL entry extension"));
                }
            }
            found.push(Revocation {
                certificate_subject: cert.subject(),
                serial_hex: serial_to_hex(serial.as_bytes()),
                revoked_at: Time::from_x509(&entry.revocation_date),
                invalidity_date,
                reason,
            });
        }
        Ok(found)
    }
}

/// Whether `cert`'s cRLDistributionPoints name `idp_name` (RFC 5280 §6.3.3 (b)(2)(i)):
/// equal names, or full names sharing one GeneralName. A certificate without the
/// extension is not in a named partition.
fn cert_lists_distribution_point(
    cert: &Certificate,
    idp_name: &DistributionPointName,
) -> Result<bool, Error> {
    let Some((_, points)) = cert.extension::<CrlDistributionPoints>("cRLDistributionPoints")?
    else {
        return Ok(false);
    };
    Ok(points
        .0
        .iter()
        .any(|dp| match (&dp.distribution_point, idp_name) {
            (
                Some(DistributionPointName::FullName(ours)),
                DistributionPointName::FullName(theirs),
            ) => ours.iter().any(|n| theirs.contains(n)),
            (Some(ours), theirs) => ours == theirs,
            (None, _) => false,
        }))
}

/// Every certificate of `chain` except the anchor is looked up in the CRLs whose issuer
/// matches its issuer in the chain; such CRLs must verify with that issuer's key.
/// Returns the revocations found (empty = none).
///
/// A CRL is assigned to the chain certificate whose subject equals the CRL issuer and whose
/// key verifies the CRL signature. Several chain certificates can share a name (CA key
/// rollover with self-issued certificates, RFC 5280 §6.1 / PKITS 4.5), so every one of
/// them is tried; a CRL that names a chain certificate but verifies with none is an error.
/// CRLs naming no certificate of the chain are ignored (they are about other CAs).
///
/// An empty result does **not** mean "not revoked": only a complete CRL of the issuer
/// that is recent enough shows that ([`Crl::is_complete_for`]).
pub fn find_revocations(chain: &VerifiedChain, crls: &[Crl]) -> Result<Vec<Revocation>, Error> {
    let certs = chain.certificates();
    // CRLs verified by a CA of the chain; the leaf never issues CRLs for the chain.
    let mut assigned: Vec<&Crl> = Vec::new();
    for crl in crls {
        if crl.signer_in(certs)?.is_some() {
            assigned.push(crl);
        }
    }
    // A certificate is looked up in every assigned CRL of its issuer's *name*: after a key
    // rollover the CA's CRL may be signed by its other (also validated) key (PKITS 4.5.2).
    let mut found = Vec::new();
    for pair in certs.windows(2) {
        let [cert, issuer] = pair else { continue };
        let issuer_name = issuer.x509().tbs_certificate().subject();
        for crl in assigned
            .iter()
            .filter(|c| &c.list.tbs_cert_list.issuer == issuer_name)
        {
            for r in crl.revocations_of(cert)? {
                if !found.contains(&r) {
                    found.push(r);
                }
            }
        }
    }
    Ok(found)
}

//! Time-aware revocation (`--crl`) against adversarial CRL sets: a CRL is evidence of
//! non-revocation only for times up to its thisUpdate; the signing certificate must be
//! covered; listed revocations are conclusive whatever the CRL's age. Certificates and
//! CRLs from devpki, tokens from the tsp `Issuer` at chosen genTimes; no clock.

// Test helpers outside #[test] functions: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::fs;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use modelsign::{
    Error, Note, RevocationUnknownReason, SignRequest, Signer, TimeSource, TimestampPolicy,
    TsaTrust, VerifiedModel, VerifierTrust, VerifyRequest,
};
use modelsign_devpki::{
    crl, issue, CertProfile, CertSpec, DevPki, IssuedCert, RevocationReason, RevokedEntry,
    DEV_SIGNER_EMAIL,
};
use modelsign_pki::{Crl, HashAlgorithm, KeyKind, SigningKey, Time};
use modelsign_tsp::{Accuracy, Issuer, IssuerConfig, TimeStampRequest};

const SECOND: Duration = Duration::from_secs(1);
const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(24 * 3600);

/// The signing time (2030-03-17); the TSA declares an accuracy of one second.
fn t0() -> Time {
    Time::from_unix(1_900_000_000, 0).unwrap()
}

fn after(t: Time, d: Duration) -> Time {
    t.checked_add(d).unwrap()
}

fn before(t: Time, d: Duration) -> Time {
    t.checked_sub(d).unwrap()
}

fn copy(key: &SigningKey) -> SigningKey {
    SigningKey::from_pem_or_der(&key.to_pkcs8_der().unwrap(), None).unwrap()
}

struct Tsa {
    issuer: Issuer,
    pki: DevPki,
    serial: AtomicU8,
}

impl Tsa {
    fn new() -> Tsa {
        let pki = DevPki::tsa(before(t0(), DAY), KeyKind::EcdsaP256).unwrap();
        let config = IssuerConfig {
            policy: "1.3.6.1.4.1.57264.2".parse().unwrap(),
            accepted_policies: vec![],
            accuracy: Some(Accuracy {
                seconds: 1,
                millis: 0,
                micros: 0,
            }),
            include_chain: true,
        };
        let issuer = Issuer::new(copy(&pki.leaf.key), pki.chain(), config).unwrap();
        Tsa {
            issuer,
            pki,
            serial: AtomicU8::new(1),
        }
    }

    fn trust(&self) -> TsaTrust {
        TsaTrust::from_certificates(vec![self.pki.root.cert.clone()]).unwrap()
    }

    fn stamp(&self, datum: &[u8], at: Time) -> Vec<u8> {
        let request = TimeStampRequest::for_data(HashAlgorithm::Sha256, datum, None).unwrap();
        let mut serial = [0u8; 16];
        serial[15] = self.serial.fetch_add(1, Ordering::SeqCst);
        self.issuer.respond(&request.to_der(), at, serial).der
    }
}

/// A signed model: root -> intermediate -> leaf (valid t0 - 5 min .. t0 + 1 day).
struct Fixture {
    _dir: tempfile::TempDir,
    model: PathBuf,
    pki: DevPki,
    tsa: Tsa,
    trust: VerifierTrust,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let model = dir.path().join("model");
        fs::create_dir_all(&model).unwrap();
        fs::write(model.join("weights.bin"), vec![7u8; 1000]).unwrap();
        let pki = DevPki::model_signing(t0(), DAY).unwrap();
        let trust =
            VerifierTrust::Certificates(modelsign_pki::TrustStore::from_certificates(vec![pki
                .root
                .cert
                .clone()]));
        Fixture {
            _dir: dir,
            model,
            pki,
            tsa: Tsa::new(),
            trust,
        }
    }

    /// A bundle signed at t0 with one token per genTime in `stamps`.
    fn bundle(&self, stamps: &[Time]) -> Vec<u8> {
        let signer = Signer::certificate(
            copy(&self.pki.leaf.key),
            self.pki.leaf.cert.clone(),
            self.pki.intermediate_certificates(),
            t0(),
        )
        .unwrap();
        let statement = modelsign::sign_statement(&SignRequest::new(&self.model, &signer)).unwrap();
        let tokens = stamps
            .iter()
            .map(|at| self.tsa.stamp(statement.signature(), *at))
            .collect();
        statement.into_bundle(tokens).bundle_json().to_vec()
    }

    fn verify(&self, bundle: &[u8], now: Time, crls: Vec<Crl>) -> Result<VerifiedModel, Error> {
        let mut request = VerifyRequest::new(&self.model, bundle, &self.trust, now);
        let mut policy = TimestampPolicy::default();
        policy.trust = Some(self.tsa.trust());
        request.timestamps = policy;
        request.crls = crls;
        modelsign::verify(&request)
    }

    /// Replaces the intermediate (same root, same name) by one valid until `not_after`, and
    /// the leaf by one it issued with the same window as before.
    fn reissue_intermediate_until(&mut self, not_after: Time) {
        let old = &self.pki.leaf.cert;
        let intermediate = issue(
            &CertSpec::new(
                "modelsign dev intermediate CA",
                CertProfile::Intermediate { path_len: Some(0) },
                KeyKind::EcdsaP384,
                old.not_before(),
                not_after,
            ),
            &self.pki.root,
        )
        .unwrap();
        let leaf = issue(
            &CertSpec::new(
                "modelsign dev signer",
                CertProfile::CodeSigningLeaf,
                KeyKind::EcdsaP256,
                old.not_before(),
                old.not_after(),
            )
            .with_email(DEV_SIGNER_EMAIL),
            &intermediate,
        )
        .unwrap();
        self.pki.intermediates = vec![intermediate];
        self.pki.leaf = leaf;
    }

    fn intermediate(&self) -> &IssuedCert {
        &self.pki.intermediates[0]
    }

    fn leaf_subject(&self) -> String {
        self.pki.leaf.cert.subject()
    }
}

fn crl_of(issuer: &IssuedCert, revoked: &[RevokedEntry], this_update: Time) -> Crl {
    let der = crl(issuer, revoked, this_update, after(this_update, 7 * DAY)).unwrap();
    Crl::from_pem_or_der(&der).unwrap()
}

fn crl_window(issuer: &IssuedCert, this_update: Time, next_update: Time) -> Crl {
    Crl::from_pem_or_der(&crl(issuer, &[], this_update, next_update).unwrap()).unwrap()
}

/// The error for a certificate whose revocation status cannot be established: asserts
/// every field but the time source, which it returns for the caller to check.
fn assert_status_unknown<'e>(
    e: &'e Error,
    certificate: &str,
    issuer: &IssuedCert,
    at: Time,
    why: &RevocationUnknownReason,
) -> &'e TimeSource {
    match e {
        Error::RevocationUnknown {
            subject,
            crl_issuer,
            needed,
            time_source,
            reason,
        } => {
            assert_eq!(subject, certificate, "{e}");
            assert_eq!(crl_issuer, &issuer.cert.subject(), "{e}");
            assert_eq!(*needed, at, "{e}");
            assert_eq!(reason, why, "{e}");
            time_source
        }
        other => panic!("unexpected error {other:?}"),
    }
}

/// The latest trusted signing time of a token at `gen_time` (the TSA's accuracy is 1 s).
fn latest(gen_time: Time) -> Time {
    after(gen_time, SECOND)
}

#[test]
fn a_crl_issued_before_the_signing_time_does_not_show_the_leaf_unrevoked() {
    let f = Fixture::new();
    let bundle = f.bundle(&[t0()]);
    let now = after(t0(), 30 * DAY);
    // Issued an hour before signing and "valid" for a week: a revocation between its
    // thisUpdate and the signature would not be on it.
    let stale = crl_of(f.intermediate(), &[], before(t0(), HOUR));
    let e = f.verify(&bundle, now, vec![stale]).unwrap_err();
    let source = assert_status_unknown(
        &e,
        &f.leaf_subject(),
        f.intermediate(),
        latest(t0()),
        &RevocationUnknownReason::CrlTooOld {
            newest_this_update: before(t0(), HOUR),
        },
    );
    assert!(
        matches!(source, TimeSource::Timestamp { index: 0, tsa, .. }
            if *tsa == f.tsa.pki.leaf.cert.subject()),
        "{e:?}"
    );
    // The message says which CRL would do: its issuer and the time it must reach.
    let text = e.to_string();
    let wanted = format!(
        "no CRL of '{}' issued at or after {} (the latest trusted signing time, genTime + \
         accuracy, of {source}) was given; the newest given was issued (thisUpdate) {}: an \
         older CRL cannot show a later revocation",
        f.intermediate().cert.subject(),
        latest(t0()),
        before(t0(), HOUR)
    );
    assert!(text.contains(&wanted), "{text}");
    assert!(text.contains(&f.leaf_subject()), "{text}");

    // Issued at genTime but inside the accuracy window: still before genTime + accuracy.
    let at_gen_time = crl_of(f.intermediate(), &[], t0());
    let e = f.verify(&bundle, now, vec![at_gen_time]).unwrap_err();
    assert_status_unknown(
        &e,
        &f.leaf_subject(),
        f.intermediate(),
        latest(t0()),
        &RevocationUnknownReason::CrlTooOld {
            newest_this_update: t0(),
        },
    );

    // Issued at genTime + accuracy: covers the signing time.
    let covering = crl_of(f.intermediate(), &[], after(t0(), SECOND));
    f.verify(&bundle, now, vec![covering]).unwrap();
}

#[test]
fn the_newest_of_several_too_old_crls_is_reported_whatever_their_order() {
    let f = Fixture::new();
    let bundle = f.bundle(&[t0()]);
    let older = crl_of(f.intermediate(), &[], before(t0(), DAY));
    let newer = crl_of(f.intermediate(), &[], before(t0(), HOUR));
    for crls in [
        vec![older.clone(), newer.clone()],
        vec![newer.clone(), older.clone()],
    ] {
        let e = f.verify(&bundle, after(t0(), DAY), crls).unwrap_err();
        assert_status_unknown(
            &e,
            &f.leaf_subject(),
            f.intermediate(),
            latest(t0()),
            &RevocationUnknownReason::CrlTooOld {
                newest_this_update: before(t0(), HOUR),
            },
        );
    }
    // Without a timestamp: two CRLs past their nextUpdate; the newest is reported with its
    // nextUpdate.
    let bare = f.bundle(&[]);
    let now = after(t0(), HOUR);
    let older = crl_window(f.intermediate(), before(t0(), 2 * DAY), before(t0(), DAY));
    let newer = crl_window(f.intermediate(), before(t0(), HOUR), t0());
    for crls in [
        vec![older.clone(), newer.clone()],
        vec![newer.clone(), older.clone()],
    ] {
        let e = f.verify(&bare, now, crls).unwrap_err();
        assert_status_unknown(
            &e,
            &f.leaf_subject(),
            f.intermediate(),
            now,
            &RevocationUnknownReason::CrlNotCurrent {
                newest_this_update: before(t0(), HOUR),
                next_update: Some(t0()),
            },
        );
    }
}

#[test]
fn an_archived_crl_past_its_next_update_still_covers_an_earlier_signature() {
    let f = Fixture::new();
    let bundle = f.bundle(&[t0()]);
    // Issued a day after signing, expired long before the verification.
    let archived = crl_window(f.intermediate(), after(t0(), DAY), after(t0(), 2 * DAY));
    let ok = f
        .verify(&bundle, after(t0(), 400 * DAY), vec![archived])
        .unwrap();
    assert!(ok.notes().contains(&Note::RevocationNotChecked {
        subject: f.intermediate().cert.subject(),
        issuer: f.pki.root.cert.subject(),
    }));
}

#[test]
fn a_listed_revocation_is_conclusive_even_on_an_old_crl() {
    let f = Fixture::new();
    let bundle = f.bundle(&[t0()]);
    let mut entry = RevokedEntry::for_certificate(&f.pki.leaf.cert, before(t0(), 2 * HOUR));
    entry.reason = Some(RevocationReason::KeyCompromise);
    let old = crl_of(f.intermediate(), &[entry], before(t0(), HOUR));
    let e = f.verify(&bundle, after(t0(), DAY), vec![old]).unwrap_err();
    assert!(
        matches!(&e, Error::Revoked { effective, reason: Some(r), signing_time: Some(_), .. }
            if *effective == before(t0(), 2 * HOUR) && r == "keyCompromise"),
        "{e:?}"
    );
}

#[test]
fn every_trusted_time_needs_a_crl_issued_after_it() {
    let f = Fixture::new();
    // Two tokens: t0 and t0 + 2 h. A CRL issued between them covers only the first.
    let bundle = f.bundle(&[t0(), after(t0(), 2 * HOUR)]);
    let between = crl_of(f.intermediate(), &[], after(t0(), HOUR));
    let e = f
        .verify(&bundle, after(t0(), DAY), vec![between.clone()])
        .unwrap_err();
    let source = assert_status_unknown(
        &e,
        &f.leaf_subject(),
        f.intermediate(),
        latest(after(t0(), 2 * HOUR)),
        &RevocationUnknownReason::CrlTooOld {
            newest_this_update: after(t0(), HOUR),
        },
    );
    assert!(
        matches!(source, TimeSource::Timestamp { index: 1, .. }),
        "{e:?}"
    );
    // With a later CRL as well, both times are covered.
    let later = crl_of(f.intermediate(), &[], after(t0(), 3 * HOUR));
    f.verify(&bundle, after(t0(), DAY), vec![between, later])
        .unwrap();
}

#[test]
fn without_a_timestamp_the_crl_must_be_current() {
    let f = Fixture::new();
    let bare = f.bundle(&[]);
    let now = after(t0(), HOUR);
    let expired = crl_window(f.intermediate(), before(now, DAY), before(now, SECOND));
    let e = f.verify(&bare, now, vec![expired]).unwrap_err();
    let source = assert_status_unknown(
        &e,
        &f.leaf_subject(),
        f.intermediate(),
        now,
        &RevocationUnknownReason::CrlNotCurrent {
            newest_this_update: before(now, DAY),
            next_update: Some(before(now, SECOND)),
        },
    );
    assert_eq!(source, &TimeSource::CurrentTime, "{e:?}");
    let text = e.to_string();
    let wanted = format!(
        "no CRL of '{}' current at {now} (the current time: no trusted timestamp proves an \
         earlier signing time) was given; the newest given was issued (thisUpdate) {} and its \
         nextUpdate {} has passed",
        f.intermediate().cert.subject(),
        before(now, DAY),
        before(now, SECOND)
    );
    assert!(text.contains(&wanted), "{text}");
    let current = crl_window(f.intermediate(), before(now, DAY), now);
    f.verify(&bare, now, vec![current]).unwrap();
}

#[test]
fn a_crl_that_does_not_apply_to_the_signing_certificate_is_not_a_check() {
    let f = Fixture::new();
    let bundle = f.bundle(&[t0()]);
    let now = after(t0(), DAY);
    // Another CA's CRL (a TSA root: different name), and the root's CRL, which covers
    // the intermediate only.
    let unrelated = crl_of(&f.tsa.pki.root, &[], after(t0(), HOUR));
    let root_crl = crl_of(&f.pki.root, &[], after(t0(), HOUR));
    for crls in [vec![unrelated], vec![root_crl.clone()]] {
        let e = f.verify(&bundle, now, crls).unwrap_err();
        let source = assert_status_unknown(
            &e,
            &f.leaf_subject(),
            f.intermediate(),
            latest(t0()),
            &RevocationUnknownReason::NoCrlOfIssuer { crls_given: 1 },
        );
        assert!(
            matches!(source, TimeSource::Timestamp { index: 0, .. }),
            "{e:?}"
        );
        let text = e.to_string();
        let wanted = format!(
            "none of the 1 CRL(s) given (--crl) is a complete CRL of its issuer '{issuer}'; \
             give a CRL of '{issuer}' issued at or after {}",
            latest(t0()),
            issuer = f.intermediate().cert.subject()
        );
        assert!(text.contains(&wanted), "{text}");
    }
    // With the intermediate's CRL as well, both certificates are checked: no note.
    let inter = crl_of(f.intermediate(), &[], after(t0(), HOUR));
    let ok = f.verify(&bundle, now, vec![root_crl, inter]).unwrap();
    assert!(
        !ok.notes()
            .iter()
            .any(|n| matches!(n, Note::RevocationNotChecked { .. })),
        "{:?}",
        ok.notes()
    );
}

#[test]
fn a_stale_crl_given_for_an_intermediate_fails_and_none_is_noted() {
    let f = Fixture::new();
    let bundle = f.bundle(&[t0()]);
    let now = after(t0(), DAY);
    let inter = crl_of(f.intermediate(), &[], after(t0(), HOUR));
    let stale_root = crl_of(&f.pki.root, &[], before(t0(), DAY));
    let e = f
        .verify(&bundle, now, vec![inter.clone(), stale_root])
        .unwrap_err();
    assert_status_unknown(
        &e,
        &f.intermediate().cert.subject(),
        &f.pki.root,
        latest(t0()),
        &RevocationUnknownReason::CrlTooOld {
            newest_this_update: before(t0(), DAY),
        },
    );
    let ok = f.verify(&bundle, now, vec![inter]).unwrap();
    assert_eq!(
        ok.notes()
            .iter()
            .filter(|n| matches!(n, Note::RevocationNotChecked { .. }))
            .count(),
        1
    );
    assert!(ok.notes().iter().any(|n| n.to_string()
        == format!(
            "revocation of certificate '{}' was not checked: no CRL from its issuer '{}' was given",
            f.intermediate().cert.subject(),
            f.pki.root.cert.subject()
        )));
}

#[test]
fn an_invalidity_date_later_than_the_revocation_date_does_not_rescue_the_signature() {
    let f = Fixture::new();
    let bundle = f.bundle(&[t0()]);
    // Revoked an hour before signing; a (nonsensical) invalidityDate a day after it.
    let mut entry = RevokedEntry::for_certificate(&f.pki.leaf.cert, before(t0(), HOUR));
    entry.invalidity_date = Some(after(t0(), DAY));
    let list = crl_of(f.intermediate(), &[entry], after(t0(), 2 * DAY));
    let e = f
        .verify(&bundle, after(t0(), 3 * DAY), vec![list])
        .unwrap_err();
    assert!(
        matches!(&e, Error::Revoked { effective, .. } if *effective == before(t0(), HOUR)),
        "{e:?}"
    );
}

#[test]
fn duplicate_entries_cannot_hide_the_earlier_revocation() {
    let f = Fixture::new();
    let bundle = f.bundle(&[t0()]);
    let late = RevokedEntry::for_certificate(&f.pki.leaf.cert, after(t0(), DAY));
    let early = RevokedEntry::for_certificate(&f.pki.leaf.cert, before(t0(), HOUR));
    let list = crl_of(f.intermediate(), &[late, early], after(t0(), 2 * DAY));
    let e = f
        .verify(&bundle, after(t0(), 3 * DAY), vec![list])
        .unwrap_err();
    assert!(
        matches!(&e, Error::Revoked { effective, .. } if *effective == before(t0(), HOUR)),
        "{e:?}"
    );
}

#[test]
fn a_hold_before_the_signing_time_fails_and_after_it_is_a_note() {
    let f = Fixture::new();
    let bundle = f.bundle(&[t0()]);
    let hold = |at| {
        let mut entry = RevokedEntry::for_certificate(&f.pki.leaf.cert, at);
        entry.reason = Some(RevocationReason::CertificateHold);
        crl_of(f.intermediate(), &[entry], after(t0(), 2 * DAY))
    };
    let e = f
        .verify(
            &bundle,
            after(t0(), 3 * DAY),
            vec![hold(before(t0(), HOUR))],
        )
        .unwrap_err();
    assert!(
        matches!(&e, Error::Revoked { reason: Some(r), .. } if r == "certificateHold"),
        "{e:?}"
    );
    let ok = f
        .verify(&bundle, after(t0(), 3 * DAY), vec![hold(after(t0(), HOUR))])
        .unwrap();
    assert!(ok
        .notes()
        .iter()
        .any(|n| matches!(n, Note::RevokedAfterSigning { .. })));
}

#[test]
fn a_remove_from_crl_entry_is_refused_not_read_as_a_revocation() {
    let f = Fixture::new();
    let bundle = f.bundle(&[t0()]);
    let mut entry = RevokedEntry::for_certificate(&f.pki.leaf.cert, before(t0(), HOUR));
    entry.reason = Some(RevocationReason::RemoveFromCrl);
    let list = crl_of(f.intermediate(), &[entry], after(t0(), DAY));
    let e = f
        .verify(&bundle, after(t0(), 2 * DAY), vec![list])
        .unwrap_err();
    assert!(
        matches!(&e, Error::Crl(inner) if **inner == modelsign_pki::Error::CrlUnsupported {
            issuer: f.intermediate().cert.subject(),
            reason: "an entry has reasonCode removeFromCRL, which only delta CRLs may use",
        }),
        "{e:?}"
    );
}

/// A CRL of `issuer` with an ExpiredCertsOnCRL extension (`since`), which rcgen cannot
/// write: the devpki CRL is decoded, extended and signed again with the issuer's key.
fn crl_with_expired_certs_on_crl(
    issuer: &IssuedCert,
    revoked: &[RevokedEntry],
    this_update: Time,
    since: Time,
) -> Crl {
    use der::{Decode, Encode};
    let der = crl(issuer, revoked, this_update, after(this_update, 7 * DAY)).unwrap();
    let mut list: x509_cert::crl::CertificateList =
        x509_cert::crl::CertificateList::from_der(&der).unwrap();
    let secs = u64::try_from(since.unix_seconds()).unwrap();
    let value = der::asn1::GeneralizedTime::from_unix_duration(Duration::from_secs(secs))
        .unwrap()
        .to_der()
        .unwrap();
    list.tbs_cert_list
        .crl_extensions
        .get_or_insert_with(Vec::new)
        .push(x509_cert::ext::Extension {
            extn_id: modelsign_pki::ID_CE_EXPIRED_CERTS_ON_CRL,
            critical: false,
            extn_value: der::asn1::OctetString::new(value).unwrap(),
        });
    let tbs = list.tbs_cert_list.to_der().unwrap();
    let scheme =
        modelsign_pki::SignatureScheme::from_signature_algorithm(&list.signature_algorithm)
            .unwrap();
    let signature = issuer.key.sign(scheme, &tbs).unwrap();
    list.signature = der::asn1::BitString::from_bytes(&signature).unwrap();
    Crl::from_pem_or_der(&list.to_der().unwrap()).unwrap()
}

/// `e` says that the only CRL given for the leaf (signed at t0) was issued at `issued`,
/// after the leaf expired.
fn assert_leaf_crl_after_expiry(f: &Fixture, e: &Error, issued: Time) {
    assert_status_unknown(
        e,
        &f.leaf_subject(),
        f.intermediate(),
        latest(t0()),
        &RevocationUnknownReason::CrlIssuedAfterExpiry {
            this_update: issued,
            not_after: f.pki.leaf.cert.not_after(),
        },
    );
}

#[test]
fn a_crl_issued_after_the_leaf_expired_cannot_show_it_unrevoked() {
    let f = Fixture::new();
    let bundle = f.bundle(&[t0()]);
    let not_after = f.pki.leaf.cert.not_after();
    let now = after(t0(), 30 * DAY);
    // The leaf was revoked before signing, but the CA dropped the entry once the leaf had
    // expired (RFC 5280 §3.3): the CRL current at verification time is silent about it.
    let revoked = RevokedEntry::for_certificate(&f.pki.leaf.cert, before(t0(), HOUR));
    let on_time = crl_of(f.intermediate(), &[revoked], after(t0(), HOUR));
    assert!(matches!(
        f.verify(&bundle, now, vec![on_time]),
        Err(Error::Revoked { .. })
    ));
    let issued = after(not_after, 10 * DAY);
    let silent = crl_of(f.intermediate(), &[], issued);
    let e = f.verify(&bundle, now, vec![silent.clone()]).unwrap_err();
    assert_leaf_crl_after_expiry(&f, &e, issued);
    assert!(e.to_string().contains("expiredCertsOnCRL"), "{e}");
    // Together with a CRL issued between the signature and the expiry: covered.
    let in_window = crl_of(f.intermediate(), &[], after(t0(), HOUR));
    f.verify(&bundle, now, vec![silent, in_window]).unwrap();
}

#[test]
fn expired_certs_on_crl_at_or_before_not_after_keeps_a_late_crl_usable() {
    let f = Fixture::new();
    let bundle = f.bundle(&[t0()]);
    let not_after = f.pki.leaf.cert.not_after();
    let now = after(t0(), 30 * DAY);
    let issued = after(not_after, 10 * DAY);
    // The CA declares that it keeps entries of certificates expired since before notAfter.
    let keeps = crl_with_expired_certs_on_crl(f.intermediate(), &[], issued, before(t0(), DAY));
    f.verify(&bundle, now, vec![keeps]).unwrap();
    // ... and such a CRL does list the revoked leaf.
    let revoked = RevokedEntry::for_certificate(&f.pki.leaf.cert, before(t0(), HOUR));
    let listing =
        crl_with_expired_certs_on_crl(f.intermediate(), &[revoked], issued, before(t0(), DAY));
    assert!(matches!(
        f.verify(&bundle, now, vec![listing]),
        Err(Error::Revoked { .. })
    ));
    // A date after notAfter does not cover this leaf.
    let too_late =
        crl_with_expired_certs_on_crl(f.intermediate(), &[], issued, after(not_after, SECOND));
    let e = f.verify(&bundle, now, vec![too_late]).unwrap_err();
    assert_leaf_crl_after_expiry(&f, &e, issued);
}

#[test]
fn a_crl_from_the_future_is_not_evidence_of_non_revocation() {
    let f = Fixture::new();
    let bare = f.bundle(&[]);
    let now = after(t0(), HOUR);
    let future = after(now, HOUR);
    let e = f
        .verify(&bare, now, vec![crl_of(f.intermediate(), &[], future)])
        .unwrap_err();
    let source = assert_status_unknown(
        &e,
        &f.leaf_subject(),
        f.intermediate(),
        now,
        &RevocationUnknownReason::CrlNotYetValid {
            this_update: future,
            now,
        },
    );
    assert_eq!(source, &TimeSource::CurrentTime);
    assert!(e.to_string().contains("from the future"), "{e}");
    // Within the clock skew allowed (5 minutes): used.
    let skewed = crl_of(f.intermediate(), &[], after(now, 4 * 60 * SECOND));
    f.verify(&bare, now, vec![skewed]).unwrap();
    // A revocation listed on a future CRL still counts: it is the CA's word.
    let revoked = RevokedEntry::for_certificate(&f.pki.leaf.cert, before(now, DAY));
    assert!(matches!(
        f.verify(
            &bare,
            now,
            vec![crl_of(f.intermediate(), &[revoked], future)]
        ),
        Err(Error::Revoked { .. })
    ));
}

#[test]
fn a_crl_issued_after_an_intermediate_expired_cannot_show_it_unrevoked() {
    let mut f = Fixture::new();
    // The intermediate expires a day after the leaf; the root lives on.
    let intermediate_not_after = after(t0(), 2 * DAY);
    f.reissue_intermediate_until(intermediate_not_after);
    let bundle = f.bundle(&[t0()]);
    let now = after(t0(), 30 * DAY);
    let leaf_covered = crl_of(f.intermediate(), &[], after(t0(), HOUR));
    let issued = after(intermediate_not_after, DAY);
    let late_root_crl = crl_of(&f.pki.root, &[], issued);
    let e = f
        .verify(
            &bundle,
            now,
            vec![leaf_covered.clone(), late_root_crl.clone()],
        )
        .unwrap_err();
    assert_status_unknown(
        &e,
        &f.intermediate().cert.subject(),
        &f.pki.root,
        latest(t0()),
        &RevocationUnknownReason::CrlIssuedAfterExpiry {
            this_update: issued,
            not_after: intermediate_not_after,
        },
    );
    // A root CRL issued between the signature and the intermediate's expiry covers it.
    let in_window = crl_of(&f.pki.root, &[], after(t0(), DAY));
    f.verify(&bundle, now, vec![leaf_covered, late_root_crl, in_window])
        .unwrap();
}

#[test]
fn a_crl_from_the_future_does_not_cover_a_timestamped_signature_either() {
    let f = Fixture::new();
    let bundle = f.bundle(&[t0()]);
    let now = after(t0(), 2 * HOUR);
    // Issued after the signing time (so it would speak about it) but after "now" too.
    let skew = 5 * 60 * SECOND;
    let future = after(now, skew + SECOND);
    let e = f
        .verify(&bundle, now, vec![crl_of(f.intermediate(), &[], future)])
        .unwrap_err();
    let source = assert_status_unknown(
        &e,
        &f.leaf_subject(),
        f.intermediate(),
        latest(t0()),
        &RevocationUnknownReason::CrlNotYetValid {
            this_update: future,
            now,
        },
    );
    assert!(matches!(source, TimeSource::Timestamp { .. }), "{source:?}");
    // Exactly at the end of the allowed skew: used.
    f.verify(
        &bundle,
        now,
        vec![crl_of(f.intermediate(), &[], after(now, skew))],
    )
    .unwrap();
}

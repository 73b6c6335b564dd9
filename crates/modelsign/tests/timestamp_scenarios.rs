//! The timestamp scenario matrix at the library level: certificates with chosen validity
//! windows (devpki), tokens issued by the tsp `Issuer` at chosen genTimes, verification at
//! chosen "current" times. No clock, no sleeping, no network.

// Test helpers outside #[test] functions: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::panic)]

mod support;

use std::time::Duration;

use modelsign::{
    BundleTimestamp, Check, Error, Note, SignRequest, Signer, TimeSource, VerifierTrust,
};
use modelsign_devpki::{crl, DevPki, RevocationReason, RevokedEntry};
use modelsign_pki::{Crl, HashAlgorithm, KeyKind, SigningKey, Time};
use modelsign_tsp::TimeStampRequest;
use support::{
    after, assert_matches, before, sign_with_tokens, t0, write_model, SignedModel, Tsa, Verify,
    DAY, HOUR,
};

#[test]
fn expired_certificate_verifies_with_a_trusted_timestamp_and_fails_without() {
    let s = SignedModel::new(HOUR);
    let tsa = Tsa::new(before(t0(), DAY));
    let stamped = s.bundle(|sig| vec![tsa.stamp(sig, t0())]);
    let bare = s.bare();
    let later = after(t0(), 30 * DAY); // the leaf expired at t0 + 1 h

    let ok = s.verify(&stamped, later).tsa(tsa.trust()).run().unwrap();
    let times = ok.validation_times();
    assert_eq!(times.len(), 1);
    assert_eq!(times[0].time(), t0());
    assert_eq!(times[0].latest(), after(t0(), Duration::from_secs(1)));
    assert!(matches!(
        times[0].source(),
        TimeSource::Timestamp { index: 0, .. }
    ));
    assert_eq!(ok.verified_timestamps().count(), 1);
    assert!(ok
        .notes()
        .contains(&Note::CertificateExpiredValidAtSigningTime {
            subject: s.pki.leaf.cert.subject(),
            not_after: s.pki.leaf.cert.not_after(),
        }));
    assert!(ok.checks().iter().any(|c| matches!(
        c,
        Check::Timestamps {
            verified: 1,
            unverified: 0,
            authorities: 1
        }
    )));

    // The untimestamped twin fails at the current time.
    assert_matches!(
        &s.verify(&bare, later).tsa(tsa.trust()).run().unwrap_err(),
        Error::Chain { time, time_source: TimeSource::CurrentTime, .. } if *time == later
    );
    // So does the timestamped one when the verifier configures no TSA trust: the token is
    // reported unverified and does not count.
    assert_matches!(
        s.verify(&stamped, later).run().unwrap_err(),
        Error::Chain {
            time_source: TimeSource::CurrentTime,
            ..
        }
    );
}

#[test]
fn unverified_timestamps_are_reported_and_do_not_count() {
    let s = SignedModel::new(DAY);
    let tsa = Tsa::new(before(t0(), DAY));
    let stamped = s.bundle(|sig| vec![tsa.stamp(sig, t0())]);
    let now = after(t0(), HOUR);
    let ok = s.verify(&stamped, now).run().unwrap();
    assert_eq!(ok.validation_times()[0].source(), &TimeSource::CurrentTime);
    match ok.timestamps() {
        [BundleTimestamp::Unverified {
            index: 0,
            info: Some(info),
            ..
        }] => {
            assert_eq!(info.gen_time, t0());
            assert_eq!(
                info.tsa_name.as_deref(),
                Some(tsa.pki.leaf.cert.subject().as_str())
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(ok
        .notes()
        .contains(&Note::TimestampsUnverified { count: 1 }));

    assert_matches!(
        s.verify(&stamped, now).require().run().unwrap_err(),
        Error::TimestampRequired {
            present: 1,
            trust_configured: false
        }
    );
}

#[test]
fn timestamp_before_not_before_and_accuracy_past_not_after_fail() {
    let s = SignedModel::new(HOUR);
    let tsa = Tsa::new(before(t0(), 10 * DAY));
    let leaf = &s.pki.leaf.cert;
    // A bundle stamped at `gen_time`, verified at t0 with the TSA trusted.
    let stamped_at = |gen_time: Time| {
        let bundle = s.bundle(|sig| vec![tsa.stamp(sig, gen_time)]);
        s.verify(&bundle, t0()).tsa(tsa.trust()).run()
    };

    // genTime a day before the leaf's notBefore (a backdated or foreign token).
    assert_matches!(
        stamped_at(before(leaf.not_before(), DAY)).unwrap_err(),
        Error::Chain {
            time_source: TimeSource::Timestamp { index: 0, .. },
            ..
        }
    );

    // genTime half a second before notAfter, accuracy 1 s: T + A is past notAfter.
    let late_t = Time::from_unix(leaf.not_after().unix_seconds() - 1, 500_000_000).unwrap();
    assert_matches!(
        &stamped_at(late_t).unwrap_err(),
        Error::Chain { time, .. } if *time == late_t
    );

    // Exactly T + A == notAfter is inside.
    stamped_at(before(leaf.not_after(), Duration::from_secs(1))).unwrap();
}

#[test]
fn untrusted_or_tampered_timestamps_fail_the_whole_verification() {
    let s = SignedModel::new(DAY);
    let tsa = Tsa::new(before(t0(), DAY));
    let other = Tsa::new(before(t0(), DAY));
    let stamped = s.bundle(|sig| vec![tsa.stamp(sig, t0())]);

    assert_matches!(
        s.verify(&stamped, t0())
            .tsa(other.trust())
            .run()
            .unwrap_err(),
        Error::TimestampInvalid { index: 0, .. }
    );

    // Tampered: the token's genTime digits changed (the CMS signature no longer matches).
    let tampered = s.bundle(|sig| {
        let mut der = tsa.stamp(sig, t0());
        let needle = b"2030";
        let at = der.windows(4).position(|w| w == needle).unwrap();
        der[at + 3] = b'1';
        vec![der]
    });
    assert_matches!(
        s.verify(&tampered, t0())
            .tsa(tsa.trust())
            .run()
            .unwrap_err(),
        Error::TimestampInvalid { index: 0, .. }
    );

    // A token over another signature (swapped in from another bundle).
    let swapped = s.bundle(|_| vec![tsa.stamp(b"another signature", t0())]);
    assert_matches!(
        s.verify(&swapped, t0()).tsa(tsa.trust()).run().unwrap_err(),
        Error::TimestampInvalid { index: 0, .. }
    );
}

#[test]
fn require_threshold_and_max_age() {
    let s = SignedModel::new(DAY);
    let a = Tsa::new(before(t0(), DAY));
    let b = Tsa::new(before(t0(), DAY));
    let both = modelsign::tsa_trust_per_group(vec![
        ("a.pem".into(), vec![a.pki.root.cert.clone()]),
        ("b.pem".into(), vec![b.pki.root.cert.clone()]),
    ])
    .unwrap();
    let bare = s.bare();
    let two_from_a = s.bundle(|sig| vec![a.stamp(sig, t0()), a.stamp(sig, after(t0(), HOUR))]);
    let one_each = s.bundle(|sig| vec![a.stamp(sig, t0()), b.stamp(sig, after(t0(), HOUR))]);
    let now = after(t0(), 2 * HOUR);
    let verify = |bundle, now| s.verify(bundle, now).tsa(both.clone());

    assert_matches!(
        verify(&bare, now).require().run().unwrap_err(),
        Error::TimestampRequired {
            present: 0,
            trust_configured: true
        }
    );

    assert_matches!(
        verify(&two_from_a, now).threshold(2).run().unwrap_err(),
        Error::TimestampThreshold {
            required: 2,
            found: 1,
            verified: 2
        }
    );

    let ok = verify(&one_each, now).threshold(2).run().unwrap();
    // The chain was validated at both trusted times.
    assert_eq!(ok.validation_times().len(), 2);
    assert!(ok
        .validation_times()
        .iter()
        .all(|t| t.is_trusted_timestamp()));

    // Max age is measured from the earliest verified genTime (t0).
    assert_matches!(
        verify(&one_each, after(t0(), Duration::from_secs(90 * 60 + 60)))
            .max_age(HOUR)
            .run()
            .unwrap_err(),
        Error::TimestampTooOld { gen_time, max_age_secs: 3600, .. } if gen_time == t0()
    );
    verify(&one_each, after(t0(), Duration::from_secs(90 * 60)))
        .max_age(2 * HOUR)
        .run()
        .unwrap();
}

#[test]
fn key_mode_verifies_timestamps_and_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let m = write_model(dir.path());
    let tsa = Tsa::new(before(t0(), DAY));
    let key = SigningKey::generate(KeyKind::EcdsaP256).unwrap();
    let trust = VerifierTrust::PublicKey(key.public_key());
    let signer = Signer::key(key);
    let stamped = sign_with_tokens(&m, &signer, |sig| vec![tsa.stamp(sig, t0())]);
    let verify = || Verify::new(&m, &stamped, &trust, t0());
    let ok = verify().tsa(tsa.trust()).require().run().unwrap();
    assert_eq!(ok.verified_timestamps().count(), 1);
    assert!(ok.validation_time().is_none());

    assert_matches!(
        verify().tsa(Tsa::new(t0()).trust()).run().unwrap_err(),
        Error::TimestampInvalid { index: 0, .. }
    );
}

/// A CRL from the leaf's issuing CA revoking the leaf as of `revoked_at`.
fn crl_revoking_leaf(pki: &DevPki, revoked_at: Time, invalidity: Option<Time>) -> Crl {
    let mut entry = RevokedEntry::for_certificate(&pki.leaf.cert, revoked_at);
    entry.invalidity_date = invalidity;
    entry.reason = Some(RevocationReason::KeyCompromise);
    let der = crl(
        &pki.intermediates[0],
        &[entry],
        after(revoked_at, HOUR),
        after(revoked_at, 30 * DAY),
    )
    .unwrap();
    Crl::from_pem_or_der(&der).unwrap()
}

#[test]
fn revocation_after_the_trusted_signing_time_keeps_the_signature_valid() {
    let s = SignedModel::new(DAY);
    let tsa = Tsa::new(before(t0(), DAY));
    let stamped = s.bundle(|sig| vec![tsa.stamp(sig, t0())]);
    let bare = s.bare();
    let now = after(t0(), 3 * HOUR);

    // Revoked two hours after signing: valid, with a note.
    let crl_after = crl_revoking_leaf(&s.pki, after(t0(), 2 * HOUR), None);
    let ok = s
        .verify(&stamped, now)
        .tsa(tsa.trust())
        .crls(vec![crl_after.clone()])
        .run()
        .unwrap();
    assert!(ok
        .notes()
        .iter()
        .any(|n| matches!(n, Note::RevokedAfterSigning { effective, .. } if *effective == after(t0(), 2 * HOUR))));
    assert!(ok
        .checks()
        .iter()
        .any(|c| matches!(c, Check::Revocation { crls: 1 })));

    // Without a trusted timestamp any revocation fails.
    assert_matches!(
        s.verify(&bare, t0())
            .crls(vec![crl_after])
            .run()
            .unwrap_err(),
        Error::Revoked {
            signing_time: None,
            ..
        }
    );

    // Revoked with an invalidityDate before the signing time: the key was compromised
    // when the signature was made.
    let crl_compromised =
        crl_revoking_leaf(&s.pki, after(t0(), 2 * HOUR), Some(before(t0(), HOUR)));
    assert_matches!(
        &s.verify(&stamped, now)
            .tsa(tsa.trust())
            .crls(vec![crl_compromised])
            .run()
            .unwrap_err(),
        Error::Revoked { effective, signing_time: Some(_), reason: Some(r), .. }
            if *effective == before(t0(), HOUR) && r == "keyCompromise"
    );
}

#[test]
fn revocation_at_or_before_the_signing_time_fails() {
    let s = SignedModel::new(DAY);
    let pki = &s.pki;
    let tsa = Tsa::new(before(t0(), DAY));
    // Signed (timestamped) at t0 + 2 h; revoked at t0 + 1 h.
    let t = after(t0(), 2 * HOUR);
    let stamped = s.bundle(|sig| vec![tsa.stamp(sig, t)]);
    // The error verifying `stamped` at t0 + 3 h with the TSA trusted and `crl` given.
    let revoked_by = |crl: Crl| {
        s.verify(&stamped, after(t0(), 3 * HOUR))
            .tsa(tsa.trust())
            .crls(vec![crl])
            .run()
            .unwrap_err()
    };
    assert_matches!(
        revoked_by(crl_revoking_leaf(pki, after(t0(), HOUR), None)),
        Error::Revoked {
            signing_time: Some(_),
            ..
        }
    );

    // Revocation within the accuracy window (T < R <= T + A) counts as before: fails.
    assert_matches!(
        revoked_by(crl_revoking_leaf(
            pki,
            after(t, Duration::from_secs(1)),
            None
        )),
        Error::Revoked { .. }
    );

    // An intermediate revoked (by the root's CRL) before signing fails as well.
    let entry = RevokedEntry::for_certificate(&pki.intermediates[0].cert, t0());
    let root_crl = crl(&pki.root, &[entry], after(t0(), HOUR), after(t0(), DAY)).unwrap();
    assert_matches!(
        &revoked_by(Crl::from_pem_or_der(&root_crl).unwrap()),
        Error::Revoked { subject, .. } if *subject == pki.intermediates[0].cert.subject()
    );

    // A CRL that claims the intermediate's name but is signed by another key is refused.
    let impostor = DevPki::model_signing(t0(), DAY).unwrap();
    let forged = crl(
        &impostor.intermediates[0],
        &[],
        after(t0(), HOUR),
        after(t0(), DAY),
    )
    .unwrap();
    assert_matches!(
        &revoked_by(Crl::from_pem_or_der(&forged).unwrap()),
        Error::Crl(inner) if matches!(**inner, modelsign_pki::Error::CrlSignature { .. })
    );
}

#[test]
fn signing_accepts_only_responses_for_this_signature_within_the_certificate_validity() {
    let s = SignedModel::new(HOUR);
    let tsa = Tsa::new(before(t0(), 10 * DAY));
    let statement = s.statement();
    let target = statement.timestamp_target();
    let trust = tsa.trust();

    let request = target.request(HashAlgorithm::Sha384).unwrap();
    let der = tsa.respond(&request, t0());
    let accepted = target
        .accept("tsa-a", &request, &der, Some(&trust), t0())
        .unwrap();
    assert!(accepted.verified);
    assert_eq!(accepted.info.gen_time, t0());
    assert!(accepted.warnings.is_empty());

    // The error accepting `der` as the response to `request` at t0, without TSA trust.
    let refused = |request: &TimeStampRequest, der: &[u8]| {
        target
            .accept("tsa-a", request, der, None, t0())
            .unwrap_err()
    };

    // A stale response (answering another request: other nonce and imprint) is refused.
    let stale = tsa.stamp(b"something else", t0());
    assert_matches!(refused(&request, &stale), Error::TimestampResponse { .. });

    // A request that is not over this signature.
    let foreign = TimeStampRequest::for_data(HashAlgorithm::Sha256, b"x", None).unwrap();
    assert_matches!(
        refused(&foreign, &der),
        Error::TimestampRequestMismatch { .. }
    );

    // genTime after the leaf's notAfter (§4.6).
    let request = target.request(HashAlgorithm::Sha256).unwrap();
    let late = tsa.respond(&request, after(s.pki.leaf.cert.not_after(), HOUR));
    assert_matches!(
        refused(&request, &late),
        Error::TimestampOutsideCertificateValidity { .. }
    );

    // Far from the local clock: accepted with a warning.
    let request = target.request(HashAlgorithm::Sha256).unwrap();
    let skewed = tsa.respond(&request, after(t0(), Duration::from_secs(30 * 60)));
    let a = target
        .accept("tsa-a", &request, &skewed, None, t0())
        .unwrap();
    assert_matches!(
        a.warnings.as_slice(),
        [modelsign::Warning::TimestampClockSkew { .. }]
    );

    let signed = statement.into_timestamped_bundle(vec![accepted]);
    assert_eq!(signed.summary().timestamps.len(), 1);
    s.verify(signed.bundle_json(), t0())
        .tsa(trust)
        .require()
        .run()
        .unwrap();
}

#[test]
fn timestamp_add_extends_only_the_timestamps_and_refuses_duplicates() {
    let s = SignedModel::new(DAY);
    let tsa = Tsa::new(before(t0(), DAY));
    let bare = modelsign::sign(&SignRequest::new(&s.model, &s.signer))
        .unwrap()
        .bundle_json()
        .to_vec();

    let addition = modelsign::TimestampAddition::new(&bare).unwrap();
    let target = addition.target();
    assert_eq!(
        target.signing_certificate().unwrap().der(),
        s.pki.leaf.cert.der()
    );
    let request = target.request(HashAlgorithm::Sha256).unwrap();
    let der = tsa.respond(&request, t0());
    let accepted = target.accept("tsa", &request, &der, None, t0()).unwrap();
    let updated = addition.finish(std::slice::from_ref(&accepted)).unwrap();

    // Only the timestamps changed.
    let before_b = modelsign_bundle::parse(&bare).unwrap();
    let after_b = modelsign_bundle::parse(&updated).unwrap();
    assert_eq!(before_b.content, after_b.content);
    assert_eq!(
        before_b.verification_material.signer,
        after_b.verification_material.signer
    );
    assert_eq!(
        after_b.verification_material.rfc3161_timestamps,
        vec![der.clone()]
    );

    s.verify(&updated, after(t0(), 30 * DAY))
        .tsa(tsa.trust())
        .require()
        .run()
        .unwrap();

    // Adding the same token again is refused.
    let again = modelsign::TimestampAddition::new(&updated).unwrap();
    assert_matches!(
        &again.finish(&[accepted]).unwrap_err(),
        Error::AddTimestamps(inner) if matches!(**inner, modelsign_bundle::Error::DuplicateTimestamp { .. })
    );
}

#[test]
fn inspect_reports_claims_without_verifying() {
    let s = SignedModel::new(DAY);
    let tsa = Tsa::new(before(t0(), DAY));
    let stamped = s.bundle(|sig| vec![tsa.stamp(sig, t0())]);
    let info = modelsign::inspect(&stamped).unwrap();
    assert_eq!(info.mode, Some(modelsign::Mode::Certificate));
    assert_eq!(info.certificates.len(), 2);
    assert_eq!(info.certificates[0].der(), s.pki.leaf.cert.der());
    assert_eq!(info.manifest.files, 2);
    match info.timestamps.as_slice() {
        [Ok(t)] => assert_eq!(t.gen_time, t0()),
        other => panic!("{other:?}"),
    }
}

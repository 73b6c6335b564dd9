//! The timestamp scenario matrix at the library level: certificates with chosen validity
//! windows (devpki), tokens issued by the tsp `Issuer` at chosen genTimes, verification at
//! chosen "current" times. No clock, no sleeping, no network.

// Test helpers outside #[test] functions: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use modelsign::{
    BundleTimestamp, Check, Error, Note, SignRequest, Signer, TimeSource, TimestampPolicy,
    TsaTrust, VerifiedModel, VerifierTrust, VerifyRequest,
};
use modelsign_devpki::{crl, DevPki, RevocationReason, RevokedEntry};
use modelsign_pki::{Crl, HashAlgorithm, KeyKind, SigningKey, Time};
use modelsign_tsp::{Accuracy, Issuer, IssuerConfig, TimeStampRequest};

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(24 * 3600);

/// A fixed signing time (2030-03-17): nothing here reads the clock.
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

fn model(dir: &Path) -> PathBuf {
    let m = dir.join("model");
    fs::create_dir_all(&m).unwrap();
    fs::write(m.join("config.json"), b"{\"layers\": 2}").unwrap();
    fs::write(m.join("weights.bin"), vec![7u8; 3000]).unwrap();
    m
}

/// A TSA whose certificates are valid from `valid_from - 5 min` for a year.
struct Tsa {
    issuer: Issuer,
    pki: DevPki,
    serial: AtomicU8,
}

impl Tsa {
    fn new(valid_from: Time) -> Tsa {
        let pki = DevPki::tsa(valid_from, KeyKind::EcdsaP256).unwrap();
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

    /// A granted TimeStampResp over `datum` with genTime `at`, plus its request.
    fn stamp(&self, datum: &[u8], at: Time) -> (TimeStampRequest, Vec<u8>) {
        let request = TimeStampRequest::for_data(HashAlgorithm::Sha256, datum, None).unwrap();
        let mut serial = [0u8; 16];
        serial[15] = self.serial.fetch_add(1, Ordering::SeqCst);
        let der = self.issuer.respond(&request.to_der(), at, serial).der;
        (request, der)
    }
}

/// A certificate-mode signer with a leaf valid [t0 - 5 min, t0 + validity].
fn cert_signer(validity: Duration) -> (DevPki, Signer) {
    let pki = DevPki::model_signing(t0(), validity).unwrap();
    let signer = Signer::certificate(
        copy(&pki.leaf.key),
        pki.leaf.cert.clone(),
        pki.intermediate_certificates(),
        t0(),
    )
    .unwrap();
    (pki, signer)
}

/// Signs `model` at t0 and stores the tokens `tokens(signature)` returns.
fn sign_with_tokens(
    model: &Path,
    signer: &Signer,
    tokens: impl FnOnce(&[u8]) -> Vec<Vec<u8>>,
) -> Vec<u8> {
    let statement = modelsign::sign_statement(&SignRequest::new(model, signer)).unwrap();
    let ders = tokens(statement.signature());
    statement.into_bundle(ders).bundle_json().to_vec()
}

struct Verify<'a> {
    model: &'a Path,
    bundle: &'a [u8],
    trust: &'a VerifierTrust,
    now: Time,
    policy: TimestampPolicy,
    crls: Vec<Crl>,
}

impl<'a> Verify<'a> {
    fn new(model: &'a Path, bundle: &'a [u8], trust: &'a VerifierTrust, now: Time) -> Self {
        Verify {
            model,
            bundle,
            trust,
            now,
            policy: TimestampPolicy::default(),
            crls: Vec::new(),
        }
    }
    fn tsa(mut self, trust: TsaTrust) -> Self {
        self.policy.trust = Some(trust);
        self
    }
    fn run(self) -> Result<VerifiedModel, Error> {
        let mut request = VerifyRequest::new(self.model, self.bundle, self.trust, self.now);
        request.timestamps = self.policy;
        request.crls = self.crls;
        modelsign::verify(&request)
    }
}

fn anchors(pki: &DevPki) -> VerifierTrust {
    VerifierTrust::Certificates(modelsign_pki::TrustStore::from_certificates(vec![pki
        .root
        .cert
        .clone()]))
}

#[test]
fn expired_certificate_verifies_with_a_trusted_timestamp_and_fails_without() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let tsa = Tsa::new(before(t0(), DAY));
    let (pki, signer) = cert_signer(HOUR);
    let trust = anchors(&pki);
    let stamped = sign_with_tokens(&m, &signer, |sig| vec![tsa.stamp(sig, t0()).1]);
    let bare = sign_with_tokens(&m, &signer, |_| vec![]);
    let later = after(t0(), 30 * DAY); // the leaf expired at t0 + 1 h

    let ok = Verify::new(&m, &stamped, &trust, later)
        .tsa(tsa.trust())
        .run()
        .unwrap();
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
            subject: pki.leaf.cert.subject(),
            not_after: pki.leaf.cert.not_after(),
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
    let e = Verify::new(&m, &bare, &trust, later)
        .tsa(tsa.trust())
        .run()
        .unwrap_err();
    assert!(
        matches!(&e, Error::Chain { time, time_source: TimeSource::CurrentTime, .. } if *time == later),
        "{e:?}"
    );
    // So does the timestamped one when the verifier configures no TSA trust: the token is
    // reported unverified and does not count.
    let e = Verify::new(&m, &stamped, &trust, later).run().unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Chain {
                time_source: TimeSource::CurrentTime,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn unverified_timestamps_are_reported_and_do_not_count() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let tsa = Tsa::new(before(t0(), DAY));
    let (pki, signer) = cert_signer(DAY);
    let trust = anchors(&pki);
    let stamped = sign_with_tokens(&m, &signer, |sig| vec![tsa.stamp(sig, t0()).1]);
    let now = after(t0(), HOUR);
    let ok = Verify::new(&m, &stamped, &trust, now).run().unwrap();
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

    let mut v = Verify::new(&m, &stamped, &trust, now);
    v.policy.require = true;
    let e = v.run().unwrap_err();
    assert!(
        matches!(
            e,
            Error::TimestampRequired {
                present: 1,
                trust_configured: false
            }
        ),
        "{e:?}"
    );
}

#[test]
fn timestamp_before_not_before_and_accuracy_past_not_after_fail() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let tsa = Tsa::new(before(t0(), 10 * DAY));
    let (pki, signer) = cert_signer(HOUR);
    let trust = anchors(&pki);
    let leaf = &pki.leaf.cert;

    // genTime a day before the leaf's notBefore (a backdated or foreign token).
    let early = sign_with_tokens(&m, &signer, |sig| {
        vec![tsa.stamp(sig, before(leaf.not_before(), DAY)).1]
    });
    let e = Verify::new(&m, &early, &trust, t0())
        .tsa(tsa.trust())
        .run()
        .unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Chain {
                time_source: TimeSource::Timestamp { index: 0, .. },
                ..
            }
        ),
        "{e:?}"
    );

    // genTime half a second before notAfter, accuracy 1 s: T + A is past notAfter.
    let late_t = Time::from_unix(leaf.not_after().unix_seconds() - 1, 500_000_000).unwrap();
    let late = sign_with_tokens(&m, &signer, |sig| vec![tsa.stamp(sig, late_t).1]);
    let e = Verify::new(&m, &late, &trust, t0())
        .tsa(tsa.trust())
        .run()
        .unwrap_err();
    assert!(
        matches!(&e, Error::Chain { time, .. } if *time == late_t),
        "{e:?}"
    );

    // Exactly T + A == notAfter is inside.
    let edge_t = before(leaf.not_after(), Duration::from_secs(1));
    let edge = sign_with_tokens(&m, &signer, |sig| vec![tsa.stamp(sig, edge_t).1]);
    Verify::new(&m, &edge, &trust, t0())
        .tsa(tsa.trust())
        .run()
        .unwrap();
}

#[test]
fn untrusted_or_tampered_timestamps_fail_the_whole_verification() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let tsa = Tsa::new(before(t0(), DAY));
    let other = Tsa::new(before(t0(), DAY));
    let (pki, signer) = cert_signer(DAY);
    let trust = anchors(&pki);
    let stamped = sign_with_tokens(&m, &signer, |sig| vec![tsa.stamp(sig, t0()).1]);

    let e = Verify::new(&m, &stamped, &trust, t0())
        .tsa(other.trust())
        .run()
        .unwrap_err();
    assert!(
        matches!(e, Error::TimestampInvalid { index: 0, .. }),
        "{e:?}"
    );

    // Tampered: the token's genTime digits changed (the CMS signature no longer matches).
    let tampered = sign_with_tokens(&m, &signer, |sig| {
        let mut der = tsa.stamp(sig, t0()).1;
        let needle = b"2030";
        let at = der.windows(4).position(|w| w == needle).unwrap();
        der[at + 3] = b'1';
        vec![der]
    });
    let e = Verify::new(&m, &tampered, &trust, t0())
        .tsa(tsa.trust())
        .run()
        .unwrap_err();
    assert!(
        matches!(e, Error::TimestampInvalid { index: 0, .. }),
        "{e:?}"
    );

    // A token over another signature (swapped in from another bundle).
    let swapped = sign_with_tokens(&m, &signer, |_| {
        vec![tsa.stamp(b"another signature", t0()).1]
    });
    let e = Verify::new(&m, &swapped, &trust, t0())
        .tsa(tsa.trust())
        .run()
        .unwrap_err();
    assert!(
        matches!(e, Error::TimestampInvalid { index: 0, .. }),
        "{e:?}"
    );
}

#[test]
fn require_threshold_and_max_age() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let a = Tsa::new(before(t0(), DAY));
    let b = Tsa::new(before(t0(), DAY));
    let both = modelsign::tsa_trust_per_group(vec![
        ("a.pem".into(), vec![a.pki.root.cert.clone()]),
        ("b.pem".into(), vec![b.pki.root.cert.clone()]),
    ])
    .unwrap();
    let (pki, signer) = cert_signer(DAY);
    let trust = anchors(&pki);
    let bare = sign_with_tokens(&m, &signer, |_| vec![]);
    let two_from_a = sign_with_tokens(&m, &signer, |sig| {
        vec![a.stamp(sig, t0()).1, a.stamp(sig, after(t0(), HOUR)).1]
    });
    let one_each = sign_with_tokens(&m, &signer, |sig| {
        vec![a.stamp(sig, t0()).1, b.stamp(sig, after(t0(), HOUR)).1]
    });
    let now = after(t0(), 2 * HOUR);

    let mut v = Verify::new(&m, &bare, &trust, now).tsa(both.clone());
    v.policy.require = true;
    let e = v.run().unwrap_err();
    assert!(
        matches!(
            e,
            Error::TimestampRequired {
                present: 0,
                trust_configured: true
            }
        ),
        "{e:?}"
    );

    let mut v = Verify::new(&m, &two_from_a, &trust, now).tsa(both.clone());
    v.policy.threshold = 2;
    let e = v.run().unwrap_err();
    assert!(
        matches!(
            e,
            Error::TimestampThreshold {
                required: 2,
                found: 1,
                verified: 2
            }
        ),
        "{e:?}"
    );

    let mut v = Verify::new(&m, &one_each, &trust, now).tsa(both.clone());
    v.policy.threshold = 2;
    let ok = v.run().unwrap();
    // The chain was validated at both trusted times.
    assert_eq!(ok.validation_times().len(), 2);
    assert!(ok
        .validation_times()
        .iter()
        .all(|t| t.is_trusted_timestamp()));

    // Max age is measured from the earliest verified genTime (t0).
    let mut v = Verify::new(
        &m,
        &one_each,
        &trust,
        after(t0(), Duration::from_secs(90 * 60 + 60)),
    )
    .tsa(both.clone());
    v.policy.max_age = Some(HOUR);
    let e = v.run().unwrap_err();
    assert!(
        matches!(e, Error::TimestampTooOld { gen_time, max_age_secs: 3600, .. } if gen_time == t0()),
        "{e:?}"
    );
    let mut v = Verify::new(
        &m,
        &one_each,
        &trust,
        after(t0(), Duration::from_secs(90 * 60)),
    )
    .tsa(both);
    v.policy.max_age = Some(2 * HOUR);
    v.run().unwrap();
}

#[test]
fn key_mode_verifies_timestamps_and_counts_them() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let tsa = Tsa::new(before(t0(), DAY));
    let key = SigningKey::generate(KeyKind::EcdsaP256).unwrap();
    let trust = VerifierTrust::PublicKey(key.public_key());
    let signer = Signer::key(key);
    let stamped = sign_with_tokens(&m, &signer, |sig| vec![tsa.stamp(sig, t0()).1]);
    let mut v = Verify::new(&m, &stamped, &trust, t0()).tsa(tsa.trust());
    v.policy.require = true;
    let ok = v.run().unwrap();
    assert_eq!(ok.verified_timestamps().count(), 1);
    assert!(ok.validation_time().is_none());

    let e = Verify::new(&m, &stamped, &trust, t0())
        .tsa(Tsa::new(t0()).trust())
        .run()
        .unwrap_err();
    assert!(
        matches!(e, Error::TimestampInvalid { index: 0, .. }),
        "{e:?}"
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
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let tsa = Tsa::new(before(t0(), DAY));
    let (pki, signer) = cert_signer(DAY);
    let trust = anchors(&pki);
    let stamped = sign_with_tokens(&m, &signer, |sig| vec![tsa.stamp(sig, t0()).1]);
    let bare = sign_with_tokens(&m, &signer, |_| vec![]);
    let now = after(t0(), 3 * HOUR);

    // Revoked two hours after signing: valid, with a note.
    let crl_after = crl_revoking_leaf(&pki, after(t0(), 2 * HOUR), None);
    let mut v = Verify::new(&m, &stamped, &trust, now).tsa(tsa.trust());
    v.crls = vec![crl_after.clone()];
    let ok = v.run().unwrap();
    assert!(ok
        .notes()
        .iter()
        .any(|n| matches!(n, Note::RevokedAfterSigning { effective, .. } if *effective == after(t0(), 2 * HOUR))));
    assert!(ok
        .checks()
        .iter()
        .any(|c| matches!(c, Check::Revocation { crls: 1 })));

    // Without a trusted timestamp any revocation fails.
    let mut v = Verify::new(&m, &bare, &trust, t0());
    v.crls = vec![crl_after.clone()];
    let e = v.run().unwrap_err();
    assert!(
        matches!(
            e,
            Error::Revoked {
                signing_time: None,
                ..
            }
        ),
        "{e:?}"
    );

    // Revoked with an invalidityDate before the signing time: the key was compromised
    // when the signature was made.
    let crl_compromised = crl_revoking_leaf(&pki, after(t0(), 2 * HOUR), Some(before(t0(), HOUR)));
    let mut v = Verify::new(&m, &stamped, &trust, now).tsa(tsa.trust());
    v.crls = vec![crl_compromised];
    let e = v.run().unwrap_err();
    assert!(
        matches!(&e, Error::Revoked { effective, signing_time: Some(_), reason: Some(r), .. }
            if *effective == before(t0(), HOUR) && r == "keyCompromise"),
        "{e:?}"
    );
}

#[test]
fn revocation_at_or_before_the_signing_time_fails() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let tsa = Tsa::new(before(t0(), DAY));
    let (pki, signer) = cert_signer(DAY);
    let trust = anchors(&pki);
    // Signed (timestamped) at t0 + 2 h; revoked at t0 + 1 h.
    let stamped = sign_with_tokens(&m, &signer, |sig| {
        vec![tsa.stamp(sig, after(t0(), 2 * HOUR)).1]
    });
    let mut v = Verify::new(&m, &stamped, &trust, after(t0(), 3 * HOUR)).tsa(tsa.trust());
    v.crls = vec![crl_revoking_leaf(&pki, after(t0(), HOUR), None)];
    let e = v.run().unwrap_err();
    assert!(
        matches!(
            e,
            Error::Revoked {
                signing_time: Some(_),
                ..
            }
        ),
        "{e:?}"
    );

    // Revocation within the accuracy window (T < R <= T + A) counts as before: fails.
    let t = after(t0(), 2 * HOUR);
    let mut v = Verify::new(&m, &stamped, &trust, after(t0(), 3 * HOUR)).tsa(tsa.trust());
    v.crls = vec![crl_revoking_leaf(
        &pki,
        after(t, Duration::from_secs(1)),
        None,
    )];
    let e = v.run().unwrap_err();
    assert!(matches!(e, Error::Revoked { .. }), "{e:?}");

    // An intermediate revoked (by the root's CRL) before signing fails as well.
    let entry = RevokedEntry::for_certificate(&pki.intermediates[0].cert, t0());
    let root_crl = crl(&pki.root, &[entry], after(t0(), HOUR), after(t0(), DAY)).unwrap();
    let mut v = Verify::new(&m, &stamped, &trust, after(t0(), 3 * HOUR)).tsa(tsa.trust());
    v.crls = vec![Crl::from_pem_or_der(&root_crl).unwrap()];
    let e = v.run().unwrap_err();
    assert!(
        matches!(&e, Error::Revoked { subject, .. } if *subject == pki.intermediates[0].cert.subject()),
        "{e:?}"
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
    let mut v = Verify::new(&m, &stamped, &trust, after(t0(), 3 * HOUR)).tsa(tsa.trust());
    v.crls = vec![Crl::from_pem_or_der(&forged).unwrap()];
    let e = v.run().unwrap_err();
    assert!(
        matches!(&e, Error::Crl(inner) if matches!(**inner, modelsign_pki::Error::CrlSignature { .. })),
        "{e:?}"
    );
}

#[test]
fn signing_accepts_only_responses_for_this_signature_within_the_certificate_validity() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let tsa = Tsa::new(before(t0(), 10 * DAY));
    let (pki, signer) = cert_signer(HOUR);
    let statement = modelsign::sign_statement(&SignRequest::new(&m, &signer)).unwrap();
    let target = statement.timestamp_target();
    let trust = tsa.trust();

    let request = target.request(HashAlgorithm::Sha384).unwrap();
    let der = tsa.issuer.respond(&request.to_der(), t0(), [9; 16]).der;
    let accepted = target
        .accept("tsa-a", &request, &der, Some(&trust), t0())
        .unwrap();
    assert!(accepted.verified);
    assert_eq!(accepted.info.gen_time, t0());
    assert!(accepted.warnings.is_empty());

    // A stale response (answering another request: other nonce and imprint) is refused.
    let (_, stale) = tsa.stamp(b"something else", t0());
    let e = target
        .accept("tsa-a", &request, &stale, None, t0())
        .unwrap_err();
    assert!(matches!(e, Error::TimestampResponse { .. }), "{e:?}");

    // A request that is not over this signature.
    let foreign = TimeStampRequest::for_data(HashAlgorithm::Sha256, b"x", None).unwrap();
    let e = target
        .accept("tsa-a", &foreign, &der, None, t0())
        .unwrap_err();
    assert!(matches!(e, Error::TimestampRequestMismatch { .. }), "{e:?}");

    // genTime after the leaf's notAfter (§4.6).
    let request = target.request(HashAlgorithm::Sha256).unwrap();
    let late = tsa
        .issuer
        .respond(
            &request.to_der(),
            after(pki.leaf.cert.not_after(), HOUR),
            [8; 16],
        )
        .der;
    let e = target
        .accept("tsa-a", &request, &late, None, t0())
        .unwrap_err();
    assert!(
        matches!(e, Error::TimestampOutsideCertificateValidity { .. }),
        "{e:?}"
    );

    // Far from the local clock: accepted with a warning.
    let request = target.request(HashAlgorithm::Sha256).unwrap();
    let skewed = tsa
        .issuer
        .respond(
            &request.to_der(),
            after(t0(), Duration::from_secs(30 * 60)),
            [7; 16],
        )
        .der;
    let a = target
        .accept("tsa-a", &request, &skewed, None, t0())
        .unwrap();
    assert!(
        matches!(
            a.warnings.as_slice(),
            [modelsign::Warning::TimestampClockSkew { .. }]
        ),
        "{:?}",
        a.warnings
    );

    let signed = statement.into_timestamped_bundle(vec![accepted]);
    assert_eq!(signed.summary().timestamps.len(), 1);
    let anchors = anchors(&pki);
    let mut request = VerifyRequest::new(&m, signed.bundle_json(), &anchors, t0());
    request.timestamps.trust = Some(trust);
    request.timestamps.require = true;
    modelsign::verify(&request).unwrap();
}

#[test]
fn timestamp_add_extends_only_the_timestamps_and_refuses_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let tsa = Tsa::new(before(t0(), DAY));
    let (pki, signer) = cert_signer(DAY);
    let bare = modelsign::sign(&SignRequest::new(&m, &signer))
        .unwrap()
        .bundle_json()
        .to_vec();

    let addition = modelsign::TimestampAddition::new(&bare).unwrap();
    let target = addition.target();
    assert_eq!(
        target.signing_certificate().unwrap().der(),
        pki.leaf.cert.der()
    );
    let request = target.request(HashAlgorithm::Sha256).unwrap();
    let der = tsa.issuer.respond(&request.to_der(), t0(), [1; 16]).der;
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

    let trust = anchors(&pki);
    let mut v = Verify::new(&m, &updated, &trust, after(t0(), 30 * DAY)).tsa(tsa.trust());
    v.policy.require = true;
    v.run().unwrap();

    // Adding the same token again is refused.
    let again = modelsign::TimestampAddition::new(&updated).unwrap();
    let e = again.finish(&[accepted]).unwrap_err();
    assert!(
        matches!(&e, Error::AddTimestamps(inner) if matches!(**inner, modelsign_bundle::Error::DuplicateTimestamp { .. })),
        "{e:?}"
    );
}

#[test]
fn inspect_reports_claims_without_verifying() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let tsa = Tsa::new(before(t0(), DAY));
    let (pki, signer) = cert_signer(DAY);
    let stamped = sign_with_tokens(&m, &signer, |sig| vec![tsa.stamp(sig, t0()).1]);
    let info = modelsign::inspect(&stamped).unwrap();
    assert_eq!(info.mode, Some(modelsign::Mode::Certificate));
    assert_eq!(info.certificates.len(), 2);
    assert_eq!(info.certificates[0].der(), pki.leaf.cert.der());
    assert_eq!(info.manifest.files, 2);
    match info.timestamps.as_slice() {
        [Ok(t)] => assert_eq!(t.gen_time, t0()),
        other => panic!("{other:?}"),
    }
}

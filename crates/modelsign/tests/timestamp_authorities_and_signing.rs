//! Regression tests from the adversarial review of the timestamp layer:
//!
//! - thresholds count distinct authorities by what was validated, not by which configured
//!   entry accepted a token (rfc3161-rules §5.14, pitfall 22), through both trust routes
//!   (`trusted_root.json` and `--tsa-certificate-chain` groups);
//! - at signing, genTime + accuracy must lie inside every certificate of the signing chain
//!   given, not just the leaf's (§4.6);
//! - at signing, the genTimes of several TSAs are compared (§4.7, pitfall 25);
//! - a TSA policy requested at signing and pinned at verification.
//!
//! Certificates come from devpki with chosen windows; tokens from the tsp `Issuer` at chosen
//! genTimes. No clock, no network.

// Test helpers outside #[test] functions: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use modelsign::{
    Check, Error, ObjectIdentifier, SignRequest, Signer, TimestampPolicy, TsaTrust, VerifierTrust,
    VerifyRequest, Warning,
};
use modelsign_devpki::{issue, issue_with_key, self_signed, CertProfile, CertSpec, DevPki};
use modelsign_pki::{Certificate, HashAlgorithm, KeyKind, SigningKey, Time, TrustStore};
use modelsign_tsp::{Accuracy, Issuer, IssuerConfig, TimeStampRequest};

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(24 * 3600);
const YEAR: Duration = Duration::from_secs(365 * 24 * 3600);

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
    fs::write(m.join("weights.bin"), vec![3u8; 2000]).unwrap();
    m
}

fn policy_oid() -> ObjectIdentifier {
    "1.3.6.1.4.1.57264.2".parse().unwrap()
}

/// An issuer signing with `key` and `chain` (leaf first), accuracy 1 s.
fn issuer(key: &SigningKey, chain: Vec<Certificate>, include_chain: bool) -> Issuer {
    let config = IssuerConfig {
        policy: policy_oid(),
        accepted_policies: vec!["1.2.3.4.5".parse().unwrap()],
        accuracy: Some(Accuracy {
            seconds: 1,
            millis: 0,
            micros: 0,
        }),
        include_chain,
    };
    Issuer::new(copy(key), chain, config).unwrap()
}

fn stamp(issuer: &Issuer, datum: &[u8], at: Time, serial: u8) -> Vec<u8> {
    let request = TimeStampRequest::for_data(HashAlgorithm::Sha256, datum, None).unwrap();
    issuer.respond(&request.to_der(), at, [serial; 16]).der
}

fn ca_spec(cn: &str, from: Time, to: Time, profile: CertProfile) -> CertSpec {
    CertSpec::new(cn, profile, KeyKind::EcdsaP256, from, to)
}

fn tsa_leaf_spec(cn: &str) -> CertSpec {
    CertSpec::new(
        cn,
        CertProfile::TimeStampingLeaf,
        KeyKind::EcdsaP256,
        before(t0(), 10 * DAY),
        after(t0(), YEAR),
    )
}

/// A model signed in certificate mode at t0 (leaf valid a day), with the given tokens.
struct Signed {
    pki: DevPki,
    dir: tempfile::TempDir,
    model: PathBuf,
    signer: Signer,
}

impl Signed {
    fn new() -> Signed {
        let dir = tempfile::tempdir().unwrap();
        let model = model(dir.path());
        let pki = DevPki::model_signing(t0(), DAY).unwrap();
        let signer = Signer::certificate(
            copy(&pki.leaf.key),
            pki.leaf.cert.clone(),
            pki.intermediate_certificates(),
            t0(),
        )
        .unwrap();
        Signed {
            pki,
            dir,
            model,
            signer,
        }
    }

    fn bundle(&self, tokens: impl FnOnce(&[u8]) -> Vec<Vec<u8>>) -> Vec<u8> {
        let statement =
            modelsign::sign_statement(&SignRequest::new(&self.model, &self.signer)).unwrap();
        let ders = tokens(statement.signature());
        statement.into_bundle(ders).bundle_json().to_vec()
    }

    fn verify(
        &self,
        bundle: &[u8],
        policy: TimestampPolicy,
    ) -> Result<modelsign::VerifiedModel, Error> {
        let trust = VerifierTrust::Certificates(TrustStore::from_certificates(vec![self
            .pki
            .root
            .cert
            .clone()]));
        let mut request = VerifyRequest::new(&self.model, bundle, &trust, after(t0(), 2 * HOUR));
        request.timestamps = policy;
        let _ = self.dir.path();
        modelsign::verify(&request)
    }
}

fn threshold(trust: TsaTrust, n: usize) -> TimestampPolicy {
    let mut p = TimestampPolicy::default();
    p.trust = Some(trust);
    p.threshold = n;
    p
}

fn assert_threshold_not_met(result: Result<modelsign::VerifiedModel, Error>) {
    let e = result.unwrap_err();
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
}

fn authorities_reported(ok: &modelsign::VerifiedModel) -> usize {
    ok.checks()
        .iter()
        .find_map(|c| match c {
            Check::Timestamps { authorities, .. } => Some(*authorities),
            _ => None,
        })
        .unwrap()
}

fn b64(c: &Certificate) -> String {
    base64::engine::general_purpose::STANDARD.encode(c.der())
}

/// Route 1: `trusted_root.json` lists one TSA (same root, same pinned leaf) twice, with
/// back-to-back `validFor` windows (what a key-rotation-ready root looks like). Tokens at t0
/// and t0 + 1 h are accepted by different entries; they are still one authority.
#[test]
fn threshold_counts_one_tsa_listed_twice_in_trusted_root_once() {
    let s = Signed::new();
    let tsa = DevPki::tsa(before(t0(), 10 * DAY), KeyKind::EcdsaP256).unwrap();
    let tsa_issuer = issuer(&tsa.leaf.key, tsa.chain(), true);
    let split = after(t0(), 30 * MINUTE);
    let entry = |start: Time, end: Option<Time>| {
        let mut valid_for = serde_json::json!({"start": start.to_string()});
        if let Some(end) = end {
            valid_for["end"] = end.to_string().into();
        }
        serde_json::json!({
            "subject": {"organization": "dev", "commonName": "dev TSA"},
            "certChain": {"certificates": [
                {"rawBytes": b64(&tsa.leaf.cert)}, {"rawBytes": b64(&tsa.root.cert)}
            ]},
            "validFor": valid_for,
        })
    };
    let json = serde_json::json!({
        "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
        "timestampAuthorities": [
            entry(before(t0(), 10 * DAY), Some(split)),
            entry(after(split, Duration::from_secs(1)), None),
        ],
    });
    let trust = TsaTrust::from_trusted_root_json(json.to_string().as_bytes()).unwrap();
    let bundle = s.bundle(|sig| {
        vec![
            stamp(&tsa_issuer, sig, t0(), 1),
            stamp(&tsa_issuer, sig, after(t0(), HOUR), 2),
        ]
    });
    // Both entries did accept a token (so the old count by entry index said 2).
    let ok = s.verify(&bundle, threshold(trust.clone(), 1)).unwrap();
    let ids: Vec<usize> = ok.verified_timestamps().map(|t| t.authority_id()).collect();
    assert_eq!(ids, vec![0, 1]);
    assert_eq!(authorities_reported(&ok), 1);
    assert_threshold_not_met(s.verify(&bundle, threshold(trust, 2)));
}

/// Route 2: two `--tsa-certificate-chain` files with the same root, one also holding the
/// intermediate (and leaf, for tokens without certificates). A token carrying its chain is
/// accepted by the first file, one without certificates only by the second.
#[test]
fn threshold_counts_two_pem_files_with_the_same_root_once() {
    let s = Signed::new();
    let from = before(t0(), 10 * DAY);
    let root = self_signed(&ca_spec(
        "TSA root",
        from,
        after(t0(), YEAR),
        CertProfile::Root,
    ))
    .unwrap();
    let inter = issue(
        &ca_spec(
            "TSA intermediate",
            from,
            after(t0(), YEAR),
            CertProfile::Intermediate { path_len: Some(0) },
        ),
        &root,
    )
    .unwrap();
    let leaf = issue(&tsa_leaf_spec("TSA"), &inter).unwrap();
    let chain = vec![leaf.cert.clone(), inter.cert.clone(), root.cert.clone()];
    let with_chain = issuer(&leaf.key, chain.clone(), true);
    let bare = issuer(&leaf.key, chain, false);
    let trust = modelsign::tsa_trust_per_group(vec![
        ("root.pem".into(), vec![root.cert.clone()]),
        (
            "root-and-intermediate.pem".into(),
            vec![root.cert.clone(), inter.cert.clone(), leaf.cert.clone()],
        ),
    ])
    .unwrap();
    let bundle = s.bundle(|sig| {
        vec![
            stamp(&with_chain, sig, t0(), 1),
            stamp(&bare, sig, after(t0(), HOUR), 2),
        ]
    });
    let ok = s.verify(&bundle, threshold(trust.clone(), 1)).unwrap();
    let ids: Vec<usize> = ok.verified_timestamps().map(|t| t.authority_id()).collect();
    assert_eq!(ids, vec![0, 1]);
    assert_eq!(authorities_reported(&ok), 1);
    assert_threshold_not_met(s.verify(&bundle, threshold(trust, 2)));
}

/// A TSA that rotated its leaf under the same root, and one TSA key certified under two
/// roots, are one authority each; two TSAs with their own roots are two.
#[test]
fn rotated_leaf_and_cross_certified_key_count_once_independent_roots_twice() {
    let s = Signed::new();
    let from = before(t0(), 10 * DAY);
    let root_a = self_signed(&ca_spec(
        "root A",
        from,
        after(t0(), YEAR),
        CertProfile::Root,
    ))
    .unwrap();
    let root_b = self_signed(&ca_spec(
        "root B",
        from,
        after(t0(), YEAR),
        CertProfile::Root,
    ))
    .unwrap();
    let old_leaf = issue(&tsa_leaf_spec("TSA 2029"), &root_a).unwrap();
    let new_leaf = issue(&tsa_leaf_spec("TSA 2030"), &root_a).unwrap();
    let cross = issue_with_key(&tsa_leaf_spec("TSA 2029"), copy(&old_leaf.key), &root_b).unwrap();
    let other = issue(&tsa_leaf_spec("other TSA"), &root_b).unwrap();
    let stamp_with = |leaf: &modelsign_devpki::IssuedCert, root: &Certificate, sig: &[u8], n| {
        let i = issuer(&leaf.key, vec![leaf.cert.clone(), root.clone()], true);
        stamp(&i, sig, after(t0(), MINUTE * u32::from(n)), n)
    };
    let trust = modelsign::tsa_trust_per_group(vec![
        ("a.pem".into(), vec![root_a.cert.clone()]),
        ("b.pem".into(), vec![root_b.cert.clone()]),
    ])
    .unwrap();

    let rotated = s.bundle(|sig| {
        vec![
            stamp_with(&old_leaf, &root_a.cert, sig, 1),
            stamp_with(&new_leaf, &root_a.cert, sig, 2),
        ]
    });
    assert_threshold_not_met(s.verify(&rotated, threshold(trust.clone(), 2)));

    // Same key, one token validated to root A, the other to root B.
    let cross_certified = s.bundle(|sig| {
        vec![
            stamp_with(&old_leaf, &root_a.cert, sig, 1),
            stamp_with(&cross, &root_b.cert, sig, 2),
        ]
    });
    let ok = s
        .verify(&cross_certified, threshold(trust.clone(), 1))
        .unwrap();
    let anchors: Vec<String> = ok
        .verified_timestamps()
        .map(|t| t.chain().anchor().subject())
        .collect();
    assert_ne!(anchors[0], anchors[1]);
    assert_threshold_not_met(s.verify(&cross_certified, threshold(trust.clone(), 2)));

    let independent = s.bundle(|sig| {
        vec![
            stamp_with(&new_leaf, &root_a.cert, sig, 1),
            stamp_with(&other, &root_b.cert, sig, 2),
        ]
    });
    let ok = s.verify(&independent, threshold(trust, 2)).unwrap();
    assert_eq!(authorities_reported(&ok), 2);
}

/// §4.6: a token whose genTime + accuracy falls after the intermediate's notAfter (while
/// the leaf is still valid) is refused at signing, instead of being stored in a bundle that
/// then fails verification.
#[test]
fn signing_refuses_a_token_outside_the_intermediate_validity() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let from = before(t0(), DAY);
    let root = self_signed(&ca_spec("root", from, after(t0(), YEAR), CertProfile::Root)).unwrap();
    // The intermediate expires at t0 + 1 h, the leaf it issued only at t0 + 1 day.
    let inter = issue(
        &ca_spec(
            "short intermediate",
            from,
            after(t0(), HOUR),
            CertProfile::Intermediate { path_len: Some(0) },
        ),
        &root,
    )
    .unwrap();
    let leaf = issue(
        &CertSpec::new(
            "signer",
            CertProfile::CodeSigningLeaf,
            KeyKind::EcdsaP256,
            from,
            after(t0(), DAY),
        ),
        &inter,
    )
    .unwrap();
    let signer = Signer::certificate(
        copy(&leaf.key),
        leaf.cert.clone(),
        vec![inter.cert.clone()],
        t0(),
    )
    .unwrap();
    let statement = modelsign::sign_statement(&SignRequest::new(&m, &signer)).unwrap();
    let target = statement.timestamp_target();
    assert_eq!(target.signing_chain().len(), 2);
    let tsa = DevPki::tsa(before(t0(), 10 * DAY), KeyKind::EcdsaP256).unwrap();
    let tsa_issuer = issuer(&tsa.leaf.key, tsa.chain(), true);

    // genTime = intermediate's notAfter: + 1 s accuracy is past it.
    let request = target.request(HashAlgorithm::Sha256).unwrap();
    let late = tsa_issuer
        .respond(&request.to_der(), inter.cert.not_after(), [1; 16])
        .der;
    let e = target
        .accept("tsa", &request, &late, None, inter.cert.not_after())
        .unwrap_err();
    match &e {
        Error::TimestampOutsideCertificateValidity {
            subject, not_after, ..
        } => {
            assert_eq!(subject, &inter.cert.subject());
            assert_eq!(*not_after, inter.cert.not_after());
        }
        other => panic!("{other:?}"),
    }

    // One second earlier fits (T + A == notAfter), and the bundle verifies with it.
    let request = target.request(HashAlgorithm::Sha256).unwrap();
    let at = before(inter.cert.not_after(), Duration::from_secs(1));
    let fits = tsa_issuer.respond(&request.to_der(), at, [2; 16]).der;
    let accepted = target.accept("tsa", &request, &fits, None, at).unwrap();
    let signed = statement.into_timestamped_bundle(vec![accepted]);
    let trust = VerifierTrust::Certificates(TrustStore::from_certificates(vec![root.cert]));
    let mut request = VerifyRequest::new(&m, signed.bundle_json(), &trust, after(t0(), 2 * HOUR));
    request.timestamps.trust =
        Some(TsaTrust::from_certificates(vec![tsa.root.cert.clone()]).unwrap());
    request.timestamps.require = true;
    modelsign::verify(&request).unwrap();
}

/// §4.7: genTimes of several TSAs further apart than accuracies + tolerance are flagged;
/// within it, nothing is said.
#[test]
fn signing_flags_tsas_whose_gen_times_disagree() {
    let dir = tempfile::tempdir().unwrap();
    let m = model(dir.path());
    let pki = DevPki::model_signing(t0(), DAY).unwrap();
    let signer = Signer::certificate(
        copy(&pki.leaf.key),
        pki.leaf.cert.clone(),
        pki.intermediate_certificates(),
        t0(),
    )
    .unwrap();
    let statement = modelsign::sign_statement(&SignRequest::new(&m, &signer)).unwrap();
    let target = statement.timestamp_target();
    let a = DevPki::tsa(before(t0(), 10 * DAY), KeyKind::EcdsaP256).unwrap();
    let b = DevPki::tsa(before(t0(), 10 * DAY), KeyKind::EcdsaP256).unwrap();
    let (ia, ib) = (
        issuer(&a.leaf.key, a.chain(), true),
        issuer(&b.leaf.key, b.chain(), true),
    );
    let accept = |i: &Issuer, name: &str, at: Time, serial: u8| {
        let request = target.request(HashAlgorithm::Sha256).unwrap();
        let der = i.respond(&request.to_der(), at, [serial; 16]).der;
        target.accept(name, &request, &der, None, t0()).unwrap()
    };
    // Allowed: 1 s + 1 s accuracy + the tolerance.
    let limit = Duration::from_secs(2) + modelsign::TSA_DISAGREEMENT_TOLERANCE;
    let close = vec![
        accept(&ia, "tsa-a", t0(), 1),
        accept(&ib, "tsa-b", after(t0(), limit), 2),
    ];
    assert_eq!(modelsign::compare_gen_times(&close), vec![]);

    let late = after(t0(), limit + Duration::from_secs(1));
    let apart = vec![accept(&ib, "tsa-b", late, 3), accept(&ia, "tsa-a", t0(), 4)];
    assert_eq!(
        modelsign::compare_gen_times(&apart),
        vec![Warning::TimestampsDisagree {
            first_tsa: "tsa-a".into(),
            first: t0(),
            second_tsa: "tsa-b".into(),
            second: late,
            allowed: limit,
        }]
    );
}

/// `--tsa-policy`: the request names the policy and the response must carry it; at
/// verification a pinned policy must equal every token's.
#[test]
fn requested_and_pinned_tsa_policy() {
    let s = Signed::new();
    let statement = modelsign::sign_statement(&SignRequest::new(&s.model, &s.signer)).unwrap();
    let target = statement.timestamp_target();
    let tsa = DevPki::tsa(before(t0(), 10 * DAY), KeyKind::EcdsaP256).unwrap();
    let tsa_issuer = issuer(&tsa.leaf.key, tsa.chain(), true);
    let other: ObjectIdentifier = "1.2.3.4.5".parse().unwrap();

    let request = target
        .request_with_policy(HashAlgorithm::Sha256, Some(other))
        .unwrap();
    assert_eq!(request.policy(), Some(other));
    let der = tsa_issuer.respond(&request.to_der(), t0(), [1; 16]).der;
    let accepted = target.accept("tsa", &request, &der, None, t0()).unwrap();
    assert_eq!(accepted.info.policy, "1.2.3.4.5");

    // A response under another policy than requested (the TSA's default, answering a
    // request without reqPolicy) is refused.
    let plain = target.request(HashAlgorithm::Sha256).unwrap();
    let default_policy = tsa_issuer.respond(&plain.to_der(), t0(), [2; 16]).der;
    let e = target
        .accept("tsa", &request, &default_policy, None, t0())
        .unwrap_err();
    assert!(matches!(e, Error::TimestampResponse { .. }), "{e:?}");

    let signed = statement.into_timestamped_bundle(vec![accepted]);
    let tsa_trust = TsaTrust::from_certificates(vec![tsa.root.cert.clone()]).unwrap();
    let pinned = |oid: ObjectIdentifier| {
        let mut p = TimestampPolicy::default();
        p.trust = Some(tsa_trust.clone());
        p.verify_options.policy = Some(oid);
        p
    };
    s.verify(signed.bundle_json(), pinned(other)).unwrap();
    let e = s
        .verify(signed.bundle_json(), pinned(policy_oid()))
        .unwrap_err();
    assert!(
        matches!(e, Error::TimestampInvalid { index: 0, .. }),
        "{e:?}"
    );
}

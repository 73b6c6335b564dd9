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

mod support;

use std::time::Duration;

use base64::Engine as _;
use modelsign::{Check, Error, TsaTrust, VerifiedModel, Warning};
use modelsign_devpki::{issue, issue_with_key, self_signed, CertProfile, CertSpec, IssuedCert};
use modelsign_pki::{Certificate, HashAlgorithm, KeyKind, Time};
use support::{
    after, anchored_at, assert_matches, before, copy, issuer, other_policy, stamp, t0, tsa_policy,
    write_model, SignedModel, Tsa, Verify, DAY, HOUR, MINUTE, YEAR,
};

/// When every verification here runs: the signing leaf (valid a day) is still valid.
fn now() -> Time {
    after(t0(), 2 * HOUR)
}

/// Verifies `bundle` with `trust` and a threshold of `n` authorities.
fn verify_threshold(
    s: &SignedModel,
    bundle: &[u8],
    trust: &TsaTrust,
    n: usize,
) -> Result<VerifiedModel, Error> {
    s.verify(bundle, now())
        .tsa(trust.clone())
        .threshold(n)
        .run()
}

fn assert_threshold_not_met(result: Result<VerifiedModel, Error>) {
    assert_matches!(
        result.unwrap_err(),
        Error::TimestampThreshold {
            required: 2,
            found: 1,
            verified: 2
        }
    );
}

/// The two tokens of `bundle` are accepted by different entries of `trust` (so a count by
/// entry index would say 2), yet they are one authority: a threshold of 2 is not met.
fn assert_two_entries_count_as_one_authority(s: &SignedModel, bundle: &[u8], trust: &TsaTrust) {
    let ok = verify_threshold(s, bundle, trust, 1).unwrap();
    let ids: Vec<usize> = ok.verified_timestamps().map(|t| t.authority_id()).collect();
    assert_eq!(ids, vec![0, 1]);
    assert_eq!(authorities_reported(&ok), 1);
    assert_threshold_not_met(verify_threshold(s, bundle, trust, 2));
}

fn authorities_reported(ok: &VerifiedModel) -> usize {
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

/// A self-signed root on a P-256 key, valid `from` to t0 + 1 year.
fn root(cn: &str, from: Time) -> IssuedCert {
    self_signed(&CertSpec::new(
        cn,
        CertProfile::Root,
        KeyKind::EcdsaP256,
        from,
        after(t0(), YEAR),
    ))
    .unwrap()
}

/// An intermediate (pathLen 0) on a P-256 key, valid `from..to`, issued by `root`.
fn intermediate(cn: &str, from: Time, to: Time, root: &IssuedCert) -> IssuedCert {
    let profile = CertProfile::Intermediate { path_len: Some(0) };
    issue(
        &CertSpec::new(cn, profile, KeyKind::EcdsaP256, from, to),
        root,
    )
    .unwrap()
}

/// A TSA leaf spec on a P-256 key, valid t0 - 10 days to t0 + 1 year.
fn tsa_leaf_spec(cn: &str) -> CertSpec {
    CertSpec::new(
        cn,
        CertProfile::TimeStampingLeaf,
        KeyKind::EcdsaP256,
        before(t0(), 10 * DAY),
        after(t0(), YEAR),
    )
}

/// Route 1: `trusted_root.json` lists one TSA (same root, same pinned leaf) twice, with
/// back-to-back `validFor` windows (what a key-rotation-ready root looks like). Tokens at t0
/// and t0 + 1 h are accepted by different entries; they are still one authority.
#[test]
fn threshold_counts_one_tsa_listed_twice_in_trusted_root_once() {
    let s = SignedModel::new(DAY);
    let tsa = Tsa::new(before(t0(), 10 * DAY));
    let split = after(t0(), 30 * MINUTE);
    let entry = |start: Time, end: Option<Time>| {
        let mut valid_for = serde_json::json!({"start": start.to_string()});
        if let Some(end) = end {
            valid_for["end"] = end.to_string().into();
        }
        serde_json::json!({
            "subject": {"organization": "dev", "commonName": "dev TSA"},
            "certChain": {"certificates": [
                {"rawBytes": b64(&tsa.pki.leaf.cert)}, {"rawBytes": b64(&tsa.pki.root.cert)}
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
    let bundle = s.bundle(|sig| vec![tsa.stamp(sig, t0()), tsa.stamp(sig, after(t0(), HOUR))]);
    assert_two_entries_count_as_one_authority(&s, &bundle, &trust);
}

/// Route 2: two `--tsa-certificate-chain` files with the same root, one also holding the
/// intermediate (and leaf, for tokens without certificates). A token carrying its chain is
/// accepted by the first file, one without certificates only by the second.
#[test]
fn threshold_counts_two_pem_files_with_the_same_root_once() {
    let s = SignedModel::new(DAY);
    let from = before(t0(), 10 * DAY);
    let root = root("TSA root", from);
    let inter = intermediate("TSA intermediate", from, after(t0(), YEAR), &root);
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
    assert_two_entries_count_as_one_authority(&s, &bundle, &trust);
}

/// A TSA that rotated its leaf under the same root, and one TSA key certified under two
/// roots, are one authority each; two TSAs with their own roots are two.
#[test]
fn rotated_leaf_and_cross_certified_key_count_once_independent_roots_twice() {
    let s = SignedModel::new(DAY);
    let from = before(t0(), 10 * DAY);
    let root_a = root("root A", from);
    let root_b = root("root B", from);
    let old_leaf = issue(&tsa_leaf_spec("TSA 2029"), &root_a).unwrap();
    let new_leaf = issue(&tsa_leaf_spec("TSA 2030"), &root_a).unwrap();
    let cross = issue_with_key(&tsa_leaf_spec("TSA 2029"), copy(&old_leaf.key), &root_b).unwrap();
    let other = issue(&tsa_leaf_spec("other TSA"), &root_b).unwrap();
    // Token `n` (serial n, genTime t0 + n min) from `leaf`, which carries its chain to `root`.
    let stamp_with = |leaf: &IssuedCert, root: &IssuedCert, sig: &[u8], n| {
        let i = issuer(&leaf.key, vec![leaf.cert.clone(), root.cert.clone()], true);
        stamp(&i, sig, after(t0(), MINUTE * u32::from(n)), n)
    };
    let trust = modelsign::tsa_trust_per_group(vec![
        ("a.pem".into(), vec![root_a.cert.clone()]),
        ("b.pem".into(), vec![root_b.cert.clone()]),
    ])
    .unwrap();

    let rotated = s.bundle(|sig| {
        vec![
            stamp_with(&old_leaf, &root_a, sig, 1),
            stamp_with(&new_leaf, &root_a, sig, 2),
        ]
    });
    assert_threshold_not_met(verify_threshold(&s, &rotated, &trust, 2));

    // Same key, one token validated to root A, the other to root B.
    let cross_certified = s.bundle(|sig| {
        vec![
            stamp_with(&old_leaf, &root_a, sig, 1),
            stamp_with(&cross, &root_b, sig, 2),
        ]
    });
    let ok = verify_threshold(&s, &cross_certified, &trust, 1).unwrap();
    let anchors: Vec<String> = ok
        .verified_timestamps()
        .map(|t| t.chain().anchor().subject())
        .collect();
    assert_ne!(anchors[0], anchors[1]);
    assert_threshold_not_met(verify_threshold(&s, &cross_certified, &trust, 2));

    let independent = s.bundle(|sig| {
        vec![
            stamp_with(&new_leaf, &root_a, sig, 1),
            stamp_with(&other, &root_b, sig, 2),
        ]
    });
    let ok = verify_threshold(&s, &independent, &trust, 2).unwrap();
    assert_eq!(authorities_reported(&ok), 2);
}

/// §4.6: a token whose genTime + accuracy falls after the intermediate's notAfter (while
/// the leaf is still valid) is refused at signing, instead of being stored in a bundle that
/// then fails verification.
#[test]
fn signing_refuses_a_token_outside_the_intermediate_validity() {
    let dir = tempfile::tempdir().unwrap();
    let m = write_model(dir.path());
    let from = before(t0(), DAY);
    let root = root("root", from);
    // The intermediate expires at t0 + 1 h, the leaf it issued only at t0 + 1 day.
    let inter = intermediate("short intermediate", from, after(t0(), HOUR), &root);
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
    let signer = modelsign::Signer::certificate(
        copy(&leaf.key),
        leaf.cert.clone(),
        vec![inter.cert.clone()],
        t0(),
    )
    .unwrap();
    let statement = modelsign::sign_statement(&modelsign::SignRequest::new(&m, &signer)).unwrap();
    let target = statement.timestamp_target();
    assert_eq!(target.signing_chain().len(), 2);
    let tsa = Tsa::new(before(t0(), 10 * DAY));

    // genTime = intermediate's notAfter: + 1 s accuracy is past it.
    let request = target.request(HashAlgorithm::Sha256).unwrap();
    let late = tsa.respond(&request, inter.cert.not_after());
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
    let fits = tsa.respond(&request, at);
    let accepted = target.accept("tsa", &request, &fits, None, at).unwrap();
    let signed = statement.into_timestamped_bundle(vec![accepted]);
    let trust = anchored_at(&root.cert);
    Verify::new(&m, signed.bundle_json(), &trust, now())
        .tsa(tsa.trust())
        .require()
        .run()
        .unwrap();
}

/// §4.7: genTimes of several TSAs further apart than accuracies + tolerance are flagged;
/// within it, nothing is said.
#[test]
fn signing_flags_tsas_whose_gen_times_disagree() {
    let s = SignedModel::new(DAY);
    let statement = s.statement();
    let target = statement.timestamp_target();
    let a = Tsa::new(before(t0(), 10 * DAY));
    let b = Tsa::new(before(t0(), 10 * DAY));
    let accept = |tsa: &Tsa, name: &str, at: Time| {
        let request = target.request(HashAlgorithm::Sha256).unwrap();
        let der = tsa.respond(&request, at);
        target.accept(name, &request, &der, None, t0()).unwrap()
    };
    // Allowed: 1 s + 1 s accuracy + the tolerance.
    let limit = Duration::from_secs(2) + modelsign::TSA_DISAGREEMENT_TOLERANCE;
    let close = vec![
        accept(&a, "tsa-a", t0()),
        accept(&b, "tsa-b", after(t0(), limit)),
    ];
    assert_eq!(modelsign::compare_gen_times(&close), vec![]);

    let late = after(t0(), limit + Duration::from_secs(1));
    let apart = vec![accept(&b, "tsa-b", late), accept(&a, "tsa-a", t0())];
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
    let s = SignedModel::new(DAY);
    let statement = s.statement();
    let target = statement.timestamp_target();
    let tsa = Tsa::new(before(t0(), 10 * DAY));
    let other = other_policy();

    let request = target
        .request_with_policy(HashAlgorithm::Sha256, Some(other))
        .unwrap();
    assert_eq!(request.policy(), Some(other));
    let der = tsa.respond(&request, t0());
    let accepted = target.accept("tsa", &request, &der, None, t0()).unwrap();
    assert_eq!(accepted.info.policy, "1.2.3.4.5");

    // A response under another policy than requested (the TSA's default, answering a
    // request without reqPolicy) is refused.
    let plain = target.request(HashAlgorithm::Sha256).unwrap();
    let default_policy = tsa.respond(&plain, t0());
    assert_matches!(
        target
            .accept("tsa", &request, &default_policy, None, t0())
            .unwrap_err(),
        Error::TimestampResponse { .. }
    );

    let signed = statement.into_timestamped_bundle(vec![accepted]);
    let pinned = |oid| {
        s.verify(signed.bundle_json(), now())
            .tsa(tsa.trust())
            .pin_tsa_policy(oid)
            .run()
    };
    pinned(other).unwrap();
    assert_matches!(
        pinned(tsa_policy()).unwrap_err(),
        Error::TimestampInvalid { index: 0, .. }
    );
}

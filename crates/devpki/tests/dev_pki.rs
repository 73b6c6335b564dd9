//! The ready-made PKIs: shapes, validity, PEM files, and acceptance by `modelsign_pki`'s
//! path validation and CRL lookup.

// Test helpers outside #[test] fns: a panic there is a test failure, not a crash on input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use modelsign_devpki::{
    crl, issue, CertProfile, CertSpec, DevPki, RevocationReason, RevokedEntry, BACKDATE,
    CA_VALIDITY, DEV_SIGNER_EMAIL, TSA_VALIDITY,
};
use modelsign_pki::{
    find_revocations, verify_chain, ChainRequest, Crl, Error as PkiError, KeyKind, LeafProfile,
    ProfileViolation, SigningKey, Time,
};

fn t(s: &str) -> Time {
    Time::parse_rfc3339(s).unwrap()
}

fn request<'a>(
    untrusted: &'a [modelsign_pki::Certificate],
    trust: &'a modelsign_pki::TrustStore,
    leaf: &'a modelsign_pki::Certificate,
    time: Time,
    profile: LeafProfile,
) -> ChainRequest<'a> {
    ChainRequest {
        leaf,
        untrusted,
        trust,
        time,
        latest: time,
        profile,
    }
}

#[test]
fn model_signing_pki_has_the_documented_shape_and_windows() {
    let now = t("2026-05-01T10:00:00Z");
    let week = Duration::from_secs(7 * 24 * 3600);
    let pki = DevPki::model_signing(now, week).unwrap();
    assert_eq!(pki.intermediates.len(), 1);
    let start = now.checked_sub(BACKDATE).unwrap();
    for cert in pki.chain() {
        assert_eq!(cert.not_before(), start, "{}", cert.subject());
    }
    assert_eq!(pki.leaf.cert.not_after(), now.checked_add(week).unwrap());
    assert_eq!(
        pki.root.cert.not_after(),
        now.checked_add(CA_VALIDITY).unwrap()
    );
    assert_eq!(
        pki.leaf.cert.public_key().unwrap().kind(),
        KeyKind::EcdsaP256
    );
    assert!(pki.root.cert.is_self_signed());
    assert_eq!(
        pki.intermediates[0]
            .cert
            .basic_constraints()
            .unwrap()
            .unwrap()
            .path_len,
        Some(0)
    );
    let chain: Vec<_> = pki.chain().iter().map(|c| c.subject()).collect();
    assert_eq!(
        chain,
        [
            "CN=modelsign dev signer,O=modelsign dev PKI (NOT FOR PRODUCTION)",
            "CN=modelsign dev intermediate CA,O=modelsign dev PKI (NOT FOR PRODUCTION)",
            "CN=modelsign dev root CA,O=modelsign dev PKI (NOT FOR PRODUCTION)",
        ]
    );
    let san = pki
        .leaf
        .cert
        .x509()
        .tbs_certificate()
        .get_extension::<x509_cert::ext::pkix::SubjectAltName>()
        .unwrap()
        .unwrap()
        .1;
    assert_eq!(
        san.0,
        vec![x509_cert::ext::pkix::name::GeneralName::Rfc822Name(
            der::asn1::Ia5String::new(DEV_SIGNER_EMAIL).unwrap()
        )]
    );
}

#[test]
fn ca_validity_stretches_to_cover_a_long_leaf() {
    let now = t("2026-05-01T10:00:00Z");
    let long = CA_VALIDITY + Duration::from_secs(3600);
    let pki = DevPki::model_signing(now, long).unwrap();
    let leaf_end = now.checked_add(long).unwrap();
    assert_eq!(pki.leaf.cert.not_after(), leaf_end);
    assert_eq!(pki.root.cert.not_after(), leaf_end);
    assert_eq!(pki.intermediates[0].cert.not_after(), leaf_end);
}

#[test]
fn model_signing_chain_verifies_with_pki_inside_the_window_only() {
    let now = t("2026-05-01T10:00:00Z");
    let pki = DevPki::model_signing(now, Duration::from_secs(3600)).unwrap();
    let trust = pki.trust_store();
    let untrusted = pki.intermediate_certificates();
    let at = |time| {
        request(
            &untrusted,
            &trust,
            &pki.leaf.cert,
            time,
            LeafProfile::ModelSigning,
        )
    };

    let verified = verify_chain(&at(now)).unwrap();
    assert_eq!(verified.certificates(), pki.chain().as_slice());

    let late = now.checked_add(Duration::from_secs(7200)).unwrap();
    assert!(
        verify_chain(&at(late)).is_err(),
        "leaf expired after one hour"
    );
}

#[test]
fn tsa_pki_verifies_with_the_time_stamping_profile() {
    let now = t("2026-05-01T10:00:00Z");
    for kind in [
        KeyKind::EcdsaP256,
        KeyKind::EcdsaP384,
        KeyKind::Rsa { bits: 3072 },
    ] {
        let pki = DevPki::tsa(now, kind).unwrap();
        assert!(pki.intermediates.is_empty());
        assert_eq!(
            pki.leaf.cert.not_after(),
            now.checked_add(TSA_VALIDITY).unwrap()
        );
        assert_eq!(pki.leaf.key.public_key().kind(), kind);
        let trust = pki.trust_store();
        let req = request(&[], &trust, &pki.leaf.cert, now, LeafProfile::TimeStamping);
        let verified = verify_chain(&req).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert_eq!(verified.anchor(), &pki.root.cert);
    }
}

#[test]
fn pki_rejects_a_tsa_leaf_whose_eku_is_not_critical() {
    let now = t("2026-05-01T10:00:00Z");
    let pki = DevPki::tsa(now, KeyKind::EcdsaP256).unwrap();
    let mut profile = CertProfile::TimeStampingLeaf.extensions();
    profile.extended_key_usage.as_mut().unwrap().critical = false;
    let leaf = issue(
        &CertSpec::new(
            "TSA noncrit",
            CertProfile::Custom(profile),
            KeyKind::EcdsaP256,
            pki.leaf.cert.not_before(),
            pki.leaf.cert.not_after(),
        ),
        &pki.root,
    )
    .unwrap();
    let trust = pki.trust_store();
    let err = verify_chain(&request(
        &[],
        &trust,
        &leaf.cert,
        now,
        LeafProfile::TimeStamping,
    ))
    .unwrap_err();
    assert!(
        matches!(
            err,
            PkiError::Profile {
                violation: ProfileViolation::ExtendedKeyUsageNotCritical,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn crl_from_devpki_is_found_by_pki_revocation_lookup() {
    let now = t("2026-05-01T10:00:00Z");
    let pki = DevPki::model_signing(now, Duration::from_secs(24 * 3600)).unwrap();
    let revoked_at = now.checked_add(Duration::from_secs(60)).unwrap();
    let invalid_from = now.checked_sub(Duration::from_secs(60)).unwrap();
    let entry = RevokedEntry {
        invalidity_date: Some(invalid_from),
        reason: Some(RevocationReason::KeyCompromise),
        ..RevokedEntry::for_certificate(&pki.leaf.cert, revoked_at)
    };
    let der = crl(
        &pki.intermediates[0],
        &[entry],
        revoked_at,
        revoked_at.checked_add(Duration::from_secs(3600)).unwrap(),
    )
    .unwrap();
    let parsed = Crl::from_pem_or_der(&der).unwrap();
    assert_eq!(parsed.issuer(), pki.intermediates[0].cert.subject());
    assert_eq!(parsed.this_update(), revoked_at);

    let trust = pki.trust_store();
    let untrusted = pki.intermediate_certificates();
    let chain = verify_chain(&request(
        &untrusted,
        &trust,
        &pki.leaf.cert,
        now,
        LeafProfile::ModelSigning,
    ))
    .unwrap();
    let found = find_revocations(&chain, &[parsed]).unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].serial_hex, pki.leaf.cert.serial_hex());
    assert_eq!(found[0].revoked_at, revoked_at);
    assert_eq!(found[0].invalidity_date, Some(invalid_from));
    assert_eq!(found[0].effective_time(), invalid_from);
    assert_eq!(found[0].reason.as_deref(), Some("keyCompromise"));

    // A CRL signed by the root does not vouch for the intermediate's leaf.
    let other = crl(
        &pki.root,
        &[RevokedEntry::for_certificate(&pki.leaf.cert, revoked_at)],
        revoked_at,
        revoked_at.checked_add(Duration::from_secs(3600)).unwrap(),
    )
    .unwrap();
    let found = find_revocations(&chain, &[Crl::from_pem_or_der(&other).unwrap()]).unwrap();
    assert!(
        found.is_empty(),
        "root CRL lists the leaf serial but is not its issuer's"
    );
}

#[test]
fn pem_files_round_trip_and_the_key_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("nested/pki");
    let pki = DevPki::model_signing(t("2026-05-01T10:00:00Z"), Duration::from_secs(3600)).unwrap();
    let files = pki.write_pem_files(&out).unwrap();

    let read = |p: &std::path::Path| {
        modelsign_pki::certificates_from_pem(&std::fs::read(p).unwrap()).unwrap()
    };
    assert_eq!(read(&files.root), vec![pki.root.cert.clone()]);
    assert_eq!(read(&files.leaf), vec![pki.leaf.cert.clone()]);
    assert_eq!(read(&files.chain), pki.chain());
    assert_eq!(
        read(files.intermediates.as_deref().unwrap()),
        pki.intermediate_certificates()
    );
    let key = SigningKey::from_pem_or_der(&std::fs::read(&files.leaf_key).unwrap(), None).unwrap();
    assert_eq!(
        key.public_key().spki_der(),
        pki.leaf.cert.public_key().unwrap().spki_der()
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&files.leaf_key)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    // Rewriting over a world-readable key file tightens it again; a TSA PKI has no
    // intermediates file.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&files.leaf_key, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    let tsa = DevPki::tsa(t("2026-05-01T10:00:00Z"), KeyKind::Ed25519).unwrap();
    let tsa_files = tsa.write_pem_files(&out).unwrap();
    assert_eq!(tsa_files.intermediates, None);
    assert!(
        !out.join("intermediates.pem").exists(),
        "stale intermediates removed"
    );
    assert_eq!(read(&tsa_files.leaf), vec![tsa.leaf.cert.clone()]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&tsa_files.leaf_key)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}

//! Table over ../shared/testdata/tsa-fixtures (its README tables give each file's verdict),
//! except `sigstore-conformance/`, which `fixtures_sigstore.rs` covers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use modelsign_pki::{HashAlgorithm, Time};
use modelsign_tsp::asn1::PkiStatus;
use modelsign_tsp::parse_signed_timestamp;
use modelsign_tsp::trust::{TsaAuthority, TsaTrust};
use modelsign_tsp::verify::VerificationError as V;
use modelsign_tsp::Error as E;
use support::{bundle, pem_trust, read, run_table, DatumSpec, Expect, Row};

const RC: &str = "tsa-fixtures/rfc3161-client";
const GO: &str = "tsa-fixtures/tspclient-go/testdata";
const GO_CMS: &str = "tsa-fixtures/tspclient-go/internal-cms-testdata";
const PY: &str = "tsa-fixtures/sigstore-python/tsa";

fn hello() -> DatumSpec {
    DatumSpec::Bytes(b"hello")
}
fn notation() -> DatumSpec {
    DatumSpec::Bytes(b"notation")
}
fn test() -> DatumSpec {
    DatumSpec::Bytes(b"test")
}

/// Trust built from certificates the verifier chose out of a token's bag (the test plays the
/// operator who configured that CA); `self_signed_only` picks the root.
fn trust_from_bag(file: &str, subject_contains: &str) -> TsaTrust {
    let token = parse_signed_timestamp(&read(file)).unwrap();
    let anchors: Vec<_> = token
        .certificates()
        .iter()
        .filter(|c| c.subject().contains(subject_contains))
        .cloned()
        .collect();
    assert_eq!(
        anchors.len(),
        1,
        "{file}: one certificate named {subject_contains}"
    );
    TsaTrust::from_authorities(vec![TsaAuthority::new(subject_contains, anchors, vec![])]).unwrap()
}

/// FreeTSA tokens (ESS V1 only, RSA, message "test"), anchored at the FreeTSA root.
fn freetsa_rows() -> Vec<Row> {
    let f = |name: &str| format!("{GO}/{name}");
    let freetsa = |file: &str| trust_from_bag(file, "OU=Root CA");
    vec![
        // ESS V1 only: accepted (rfc3161-rules §5.6; tspclient-go requires V2, OpenSSL agrees with us).
        row(
            f("TimeStampTokenWithSigningCertificateV1.p7s"),
            test(),
            freetsa(&f("TimeStampTokenWithSigningCertificateV1.p7s")),
            Expect::Valid,
        ),
        row(
            f("validResponseWithSigningCertificateV1.tsr"),
            test(),
            freetsa(&f("validResponseWithSigningCertificateV1.tsr")),
            Expect::Valid,
        ),
        row(
            f("TimeStampTokenWithInvalidSigningCertificateV1.p7s"),
            test(),
            freetsa(&f("TimeStampTokenWithSigningCertificateV1.p7s")),
            reject!(V::MalformedAttribute {
                name: "signingCertificate",
                ..
            }),
        ),
        row(
            f("TimeStampTokenWithSigningCertificateV1NoCert.p7s"),
            test(),
            freetsa(&f("TimeStampTokenWithSigningCertificateV1.p7s")),
            reject!(V::EssNoCertIds {
                attribute: "signingCertificate"
            }),
        ),
        row(
            f("validResponseWithSigningCertificateV1.tsr"),
            notation(),
            freetsa(&f("validResponseWithSigningCertificateV1.tsr")),
            reject!(V::ImprintMismatch { .. }),
        ),
    ]
}

/// The Microsoft token ships without its root (rfc3161-rules §7: "roots missing from
/// responses"); the verifier anchors at the issuing CA. No message is published, so the
/// datum is given as the digest the token carries; genTime has milliseconds.
fn microsoft_rows() -> Vec<Row> {
    let file = format!("{GO}/TimeStampTokenNoRoot.p7s");
    let token = parse_signed_timestamp(&read(&file)).unwrap();
    let digest = token.tst_info().digest.clone();
    let ca = || trust_from_bag(&file, "CN=Microsoft Public RSA Timestamping CA 2020");
    let mut rows = vec![
        row(
            file.clone(),
            DatumSpec::Digest(HashAlgorithm::Sha256, digest.clone()),
            ca(),
            Expect::Valid,
        ),
        row(
            file.clone(),
            DatumSpec::Digest(HashAlgorithm::Sha256, vec![0; 32]),
            ca(),
            reject!(V::ImprintMismatch { .. }),
        ),
        row(
            file,
            DatumSpec::Digest(HashAlgorithm::Sha256, digest),
            pem_trust(&[&format!("{GO}/GlobalSignRootCA.crt")]),
            reject!(V::TsaChain { .. }),
        ),
    ];
    rows[0].on_valid = Some(|v| {
        assert_eq!(
            v.gen_time(),
            Time::parse_rfc3339("2024-06-21T07:12:05.884Z").unwrap()
        );
        assert!(v
            .tsa_certificate()
            .subject()
            .contains("Microsoft Public RSA Time Stamping Authority"));
    });
    rows
}

fn row(file: String, datum: DatumSpec, trust: TsaTrust, expect: Expect) -> Row {
    let input = read(&file);
    Row::new(file, input, datum, trust, expect)
}

fn rfc3161_client_rows() -> Vec<Row> {
    let test_tsa = || pem_trust(&[&format!("{RC}/test_tsa/ts_chain.pem")]);
    let sigstage = || pem_trust(&[&format!("{RC}/sigstage/ts_chain.pem")]);
    let mut rows = vec![
        row(
            format!("{RC}/test_tsa/response.tsr"),
            hello(),
            test_tsa(),
            Expect::Valid,
        ),
        // Not from the test_tsa chain (manifest says so, but the leaf was issued by a re-keyed
        // intermediate of the same name): it is sigstore-python's ca.json TSA (allow-list).
        row(
            format!("{RC}/test_tsa/other_response.tsr"),
            hello(),
            test_tsa(),
            reject!(V::TsaChain { .. }),
        ),
        row(
            format!("{RC}/test_tsa/other_response.tsr"),
            hello(),
            support::sigstore_python_ca_trust(),
            Expect::Valid,
        ),
        // The real signer is found by sid + ESS hash; the spoofed certificates change nothing.
        row(
            format!("{RC}/test_tsa/response-injected-certs.tsr"),
            hello(),
            test_tsa(),
            Expect::Valid,
        ),
        row(
            format!("{RC}/sigstage/response-sha256.tsr"),
            hello(),
            sigstage(),
            Expect::Valid,
        ),
        row(
            format!("{RC}/sigstage/response-sha384.tsr"),
            hello(),
            sigstage(),
            Expect::Valid,
        ),
        row(
            format!("{RC}/sigstage/response-sha512.tsr"),
            hello(),
            sigstage(),
            Expect::Valid,
        ),
        row(
            format!("{RC}/sigstage/response-invalid-signature.tsr"),
            hello(),
            sigstage(),
            reject!(V::BadSignature { .. }),
        ),
        // Leaf supplied by the verifier (ts_chain.pem: leaf + root).
        row(
            format!("{RC}/sigstage/response-no-embedded-cert.tsr"),
            hello(),
            sigstage(),
            Expect::Valid,
        ),
        row(
            format!("{RC}/identrust/issue-104.tsr"),
            hello(),
            pem_trust(&[&format!("{RC}/identrust/ts_chain.pem")]),
            Expect::Valid,
        ),
        // Chain expired today, valid at genTime 2023-02-01.
        row(
            format!("{RC}/sigstore.mock/response-expired.tsr"),
            DatumSpec::File("tsa-fixtures/rfc3161-client/sigstore.mock/payload"),
            pem_trust(&[&format!("{RC}/sigstore.mock/ts_chain.pem")]),
            Expect::Valid,
        ),
        // Negative: other datum, other TSA's anchors, no signer available.
        row(
            format!("{RC}/test_tsa/response.tsr"),
            DatumSpec::Bytes(b"hello\n"),
            test_tsa(),
            reject!(V::ImprintMismatch { .. }),
        ),
        row(
            format!("{RC}/test_tsa/response.tsr"),
            hello(),
            sigstage(),
            reject!(V::TsaChain { .. }),
        ),
        row(
            format!("{RC}/sigstage/response-no-embedded-cert.tsr"),
            hello(),
            pem_trust(&[&format!("{RC}/test_tsa/ts_chain.pem")]),
            reject!(V::SignerNotFound { .. }),
        ),
    ];
    support::row_named(&mut rows, "sigstore.mock/response-expired.tsr").on_valid = Some(|v| {
        assert_eq!(
            v.gen_time(),
            Time::parse_rfc3339("2023-02-01T00:00:00Z").unwrap()
        );
        assert!(v.tsa_chain_expired_at(Time::parse_rfc3339("2026-01-01T00:00:00Z").unwrap()));
    });
    rows[0].on_valid = Some(|v| {
        assert_eq!(
            v.gen_time(),
            Time::parse_rfc3339("2024-10-08T15:40:32Z").unwrap()
        );
        assert_eq!(v.hash_algorithm(), HashAlgorithm::Sha512);
        assert!(!v.tsa_chain_expired_at(v.gen_time()));
    });
    rows
}

fn timestamp_authority_rows() -> Vec<Row> {
    // Same local TSA as rfc3161-client/test_tsa (leaf "Test TSA Timestamping").
    vec![row(
        "tsa-fixtures/timestamp-authority/response-injected-certs.tsr".into(),
        hello(),
        pem_trust(&[&format!("{RC}/test_tsa/ts_chain.pem")]),
        Expect::Valid,
    )]
}

fn tspclient_go_rows() -> Vec<Row> {
    let gs = || pem_trust(&[&format!("{GO}/GlobalSignRootCA.crt")]);
    let f = |name: &str| format!("{GO}/{name}");
    let c = |name: &str| format!("{GO_CMS}/{name}");
    let mut rows = vec![
        row(f("TimeStampToken.p7s"), notation(), gs(), Expect::Valid),
        // A Microsoft token (not GlobalSign) without its root: another datum, and GlobalSign
        // cannot anchor it. Full acceptance is in `microsoft_rows`.
        row(
            f("TimeStampTokenNoRoot.p7s"),
            notation(),
            gs(),
            reject!(V::ImprintMismatch { .. }),
        ),
        row(
            f("TimeStampTokenWithInvalidSignature.p7s"),
            notation(),
            gs(),
            reject!(V::BadSignature { .. }),
        ),
        row(
            f("TimeStampTokenWithMismatchCertHash.p7s"),
            notation(),
            gs(),
            reject!(V::EssCertHashMismatch { .. }),
        ),
        row(
            f("TimeStampTokenWithSHA1CertHash.p7s"),
            notation(),
            gs(),
            reject!(V::EssHashAlgorithm { .. }),
        ),
        row(
            f("TimeStampTokenWithoutSigningCertificate.p7s"),
            notation(),
            gs(),
            reject!(V::MissingSigningCertificate),
        ),
        // The V1 tokens are FreeTSA tokens over "test" (see `freetsa_rows`): GlobalSign does
        // not anchor them.
        row(
            f("TimeStampTokenWithSigningCertificateV1.p7s"),
            test(),
            gs(),
            reject!(V::TsaChain { .. }),
        ),
        row(
            f("TimeStampTokenWithSigningCertificateV2NoCert.p7s"),
            notation(),
            gs(),
            reject!(V::EssNoCertIds { .. }),
        ),
        // README says valid, but the mutation was not re-signed: OpenSSL also reports
        // "signature failure" (allow-list entry in tests/data/allowlist.md).
        row(
            f("TimeStampTokenWithoutSigningCertificateV2IssuerSerial.p7s"),
            notation(),
            gs(),
            reject!(V::BadSignature { .. }),
        ),
        row(
            f("TimeStampTokenWithTSTInfoVersion2.p7s"),
            notation(),
            gs(),
            reject!(V::TstInfoVersion { version: 2 }),
        ),
        row(
            f("TimeStampTokenWithValidAndInvalidSignerInfos.p7s"),
            notation(),
            gs(),
            reject!(V::SignerInfoCount { count: 2 }),
        ),
        row(
            f("TimeStampTokenWithoutCertificate.p7s"),
            notation(),
            gs(),
            reject!(V::SignerNotFound { .. }),
        ),
        row(
            f("SHA1TimeStampToken.p7s"),
            notation(),
            gs(),
            reject!(V::ImprintAlgorithm { .. }),
        ),
        // A whole granted response (despite the name), imprint = SHA-256("notation").
        row(f("granted.tsq"), notation(), gs(), Expect::Valid),
        row(
            f("rejection.tsq"),
            notation(),
            gs(),
            reject_err!(E::NotGranted {
                status: PkiStatus::Rejection,
                ..
            }),
        ),
        // FreeTSA is not GlobalSign.
        row(
            f("validResponseWithSigningCertificateV1.tsr"),
            test(),
            gs(),
            reject!(V::TsaChain { .. }),
        ),
        row(c("TimeStampToken.p7s"), notation(), gs(), Expect::Valid),
        row(
            c("TimeStampTokenWithInvalidSignature.p7s"),
            notation(),
            gs(),
            reject!(V::BadSignature { .. }),
        ),
        row(
            c("TimeStampTokenWithAnInvalidAndAValidSignerInfo.p7s"),
            notation(),
            gs(),
            reject!(V::SignerInfoCount { count: 2 }),
        ),
        row(
            c("TimeStampTokenWithoutCertificate.p7s"),
            notation(),
            gs(),
            reject!(V::SignerNotFound { .. }),
        ),
        // signedAttrs is present but an empty SET: the first required attribute is missing.
        row(
            c("TimeStampTokenWithoutSignedAttributes.p7s"),
            notation(),
            gs(),
            reject!(V::MissingAttribute {
                name: "contentType"
            }),
        ),
        row(
            c("TimeStampTokenWithoutSignedAttributeContentType.p7s"),
            notation(),
            gs(),
            reject!(V::MissingAttribute {
                name: "contentType"
            }),
        ),
        row(
            c("TimeStampTokenWithoutSignedAttributeDigest.p7s"),
            notation(),
            gs(),
            reject!(V::MissingAttribute {
                name: "messageDigest"
            }),
        ),
        row(
            c("TimeStampTokenInvalidSignedAttributeContentType.p7s"),
            notation(),
            gs(),
            reject!(V::ContentTypeAttributeMismatch { .. }),
        ),
        row(
            c("TimeStampTokenWithUnknownSignerIssuer.p7s"),
            notation(),
            gs(),
            reject!(V::SignerNotFound { .. }),
        ),
        row(
            c("TimeStampTokenWithoutSigner.p7s"),
            notation(),
            gs(),
            reject!(V::SignerInfoCount { count: 0 }),
        ),
        row(
            c("TimeStampTokenWithSignedAttributeSHA1.p7s"),
            notation(),
            gs(),
            reject!(V::DigestAlgorithm { .. }),
        ),
        // Malformed ESS attributes (the V2 issuer GeneralName [7] is not decodable as
        // directoryName/IP: malformed).
        row(
            f("TimeStampTokenWithInvalidSigningCertificateV2.p7s"),
            notation(),
            gs(),
            reject!(V::MalformedAttribute {
                name: "signingCertificateV2",
                ..
            }),
        ),
        row(
            f("TimeStampTokenWithWrongSigningCertificateV2IssuerChoiceTag.p7s"),
            notation(),
            gs(),
            reject!(V::MalformedAttribute {
                name: "signingCertificateV2",
                ..
            }),
        ),
        row(
            f("TimeStampTokenWithInvalidTSTInfo.p7s"),
            notation(),
            gs(),
            reject_err!(E::Asn1 {
                what: "TSTInfo",
                ..
            }),
        ),
        row(
            f("TimeStampTokenWithInvalideContentType.p7s"),
            notation(),
            gs(),
            reject!(V::EContentType { .. }),
        ),
        row(
            f("malformed.tsq"),
            notation(),
            gs(),
            reject_err!(E::Ber { .. }),
        ),
        row(
            c("Sha1SignedData.p7s"),
            notation(),
            gs(),
            reject_err!(E::Structure { .. }),
        ),
        row(
            c("SignedDataWithoutSignedAttributes.p7s"),
            notation(),
            gs(),
            reject_err!(
                E::Ber {
                    what: "TSTInfo",
                    ..
                } | E::Asn1 {
                    what: "TSTInfo",
                    ..
                }
            ),
        ),
        // A malformed certificate in the bag makes the token unreadable (tspclient-go agrees).
        row(
            c("TimeStampTokenWithInvalidCertificates.p7s"),
            notation(),
            gs(),
            reject_err!(E::Certificate { .. }),
        ),
        row(
            c("TimeStampTokenWithInvalidContentType.p7s"),
            notation(),
            gs(),
            reject!(V::EContentType { .. }),
        ),
        row(
            c("TimeStampTokenWithInvalidSigningTime.p7s"),
            notation(),
            gs(),
            reject_err!(E::Asn1 { .. }),
        ),
        // sid issuerAndSerialNumber with version 2 (RFC 5652 §5.3 requires 1; OpenSSL does not check).
        row(
            c("TimeStampTokenWithSignerVersion2.p7s"),
            notation(),
            gs(),
            reject!(V::SignerInfoVersion { .. }),
        ),
        // signingTime added without re-signing: OpenSSL also fails them.
        row(
            c("TimeStampTokenWithSigningTime.p7s"),
            notation(),
            gs(),
            reject!(V::BadSignature { .. }),
        ),
        row(
            c("TimeStampTokenWithSigningTimeBeforeExpected.p7s"),
            notation(),
            gs(),
            reject!(V::BadSignature { .. }),
        ),
    ];
    rows[0].on_valid = Some(|v| {
        assert_eq!(
            v.gen_time(),
            Time::parse_rfc3339("2021-09-17T14:09:10Z").unwrap()
        );
        assert_eq!(
            v.accuracy().map(|a| a.as_duration()),
            Some(std::time::Duration::from_secs(1))
        );
        assert!(v
            .tsa_certificate()
            .subject()
            .contains("Globalsign TSA for Advanced - G4"));
    });
    rows
}

fn sigstore_python_rows() -> Vec<Row> {
    let ca: serde_json::Value = serde_json::from_slice(&read(&format!("{PY}/ca.json"))).unwrap();
    let root = serde_json::json!({ "timestampAuthorities": [ca] });
    let trust = || TsaTrust::from_trusted_root_json(root.to_string().as_bytes()).unwrap();
    let staging = || {
        support::trusted_root(
            "tsa-fixtures/sigstore-python/trusted-roots/staging-trusted_root.json",
        )
    };
    let production = || {
        support::trusted_root(
            "tsa-fixtures/sigstore-python/trusted-roots/production-trusted_root.json",
        )
    };
    let mut rows = Vec::new();
    // bundle.txt.sigstore: #0 stamps the bundle signature; #1 is a genuine token from the
    // same TSA over "hello" — foreign evidence for this bundle (ImprintMismatch), which the
    // orchestration turns into a failed verification (rfc3161-rules §6.4).
    let b = bundle(&format!("{PY}/bundle.txt.sigstore"));
    assert_eq!(b.timestamps.len(), 2);
    rows.push(Row::new(
        format!("{PY}/bundle.txt.sigstore#0"),
        b.timestamps[0].clone(),
        DatumSpec::Owned(b.signature.clone()),
        trust(),
        Expect::Valid,
    ));
    rows.push(Row::new(
        format!("{PY}/bundle.txt.sigstore#1"),
        b.timestamps[1].clone(),
        DatumSpec::Owned(b.signature.clone()),
        trust(),
        reject!(V::ImprintMismatch { .. }),
    ));
    rows.push(Row::new(
        format!("{PY}/bundle.txt.sigstore#1 (datum hello)"),
        b.timestamps[1].clone(),
        hello(),
        trust(),
        Expect::Valid,
    ));
    // Duplicate / 33-token bundles: every token is the "hello" token; duplicates and the cap
    // of 32 are bundle-level rules (orchestration). Token level: genuine over "hello", not over
    // the bundle's signature.
    for (file, count) in [
        ("bundle.duplicate.sigstore", 3),
        ("bundle.many_timestamp.sigstore", 33),
    ] {
        let b = bundle(&format!("{PY}/{file}"));
        assert_eq!(b.timestamps.len(), count, "{file}: timestamp count");
        for (i, ts) in b.timestamps.iter().enumerate().take(2) {
            rows.push(Row::new(
                format!("{PY}/{file}#{i}"),
                ts.clone(),
                hello(),
                trust(),
                Expect::Valid,
            ));
            rows.push(Row::new(
                format!("{PY}/{file}#{i} (bundle signature)"),
                ts.clone(),
                DatumSpec::Owned(b.signature.clone()),
                trust(),
                reject!(V::ImprintMismatch { .. }),
            ));
        }
    }
    // Late timestamp: staging TSA; the token is fine, the signing certificate had expired at T
    // (orchestration, §6).
    let b = bundle(&format!("{PY}/bundle.txt.late_timestamp.sigstore"));
    rows.push(Row::new(
        format!("{PY}/bundle.txt.late_timestamp.sigstore#0"),
        b.timestamps[0].clone(),
        DatumSpec::Owned(b.signature.clone()),
        staging(),
        Expect::Valid,
    ));
    // trust_config.json lists a re-keyed TSA of the same names (validFor from 2024-11-07):
    // its intermediate is not the one that issued the 2024-10-31 signer, so no chain.
    let cfg: serde_json::Value =
        serde_json::from_slice(&read(&format!("{PY}/trust_config.json"))).unwrap();
    let cfg_trust =
        TsaTrust::from_trusted_root_json(cfg["trustedRoot"].to_string().as_bytes()).unwrap();
    let b0 = bundle(&format!("{PY}/bundle.txt.sigstore"));
    rows.push(Row::new(
        format!("{PY}/bundle.txt.sigstore#0 (trust_config.json window)"),
        b0.timestamps[0].clone(),
        DatumSpec::Owned(b0.signature.clone()),
        cfg_trust,
        reject!(V::TsaChain { source, .. } if matches!(**source, modelsign_pki::Error::UnknownIssuer { .. })),
    ));
    // The local test TSA of ca.json is not the staging TSA.
    rows.push(Row::new(
        format!("{PY}/bundle.txt.late_timestamp.sigstore#0 (ca.json trust)"),
        b.timestamps[0].clone(),
        DatumSpec::Owned(b.signature.clone()),
        trust(),
        reject!(V::TsaChain { .. }),
    ));
    let no_cert = read(&format!("{PY}/issue1482-timestamp-with-no-cert"));
    rows.push(Row::new(
        format!("{PY}/issue1482-timestamp-with-no-cert (staging root: pinned leaf is the signer)"),
        no_cert.clone(),
        DatumSpec::File("tsa-fixtures/sigstore-python/tsa/issue1482-message"),
        staging(),
        Expect::Valid,
    ));
    rows.push(Row::new(
        format!("{PY}/issue1482-timestamp-with-no-cert (production root)"),
        no_cert,
        DatumSpec::File("tsa-fixtures/sigstore-python/tsa/issue1482-message"),
        production(),
        reject!(V::SignerNotFound { .. }),
    ));
    rows
}

#[test]
fn rfc3161_client_fixtures() {
    run_table("tsa-fixtures/rfc3161-client", rfc3161_client_rows(), &[]);
}

#[test]
fn timestamp_authority_fixtures() {
    run_table(
        "tsa-fixtures/timestamp-authority",
        timestamp_authority_rows(),
        &[],
    );
}

#[test]
fn tspclient_go_fixtures() {
    run_table("tsa-fixtures/tspclient-go", tspclient_go_rows(), &[]);
}

#[test]
fn freetsa_fixtures() {
    run_table("tsa-fixtures/tspclient-go (FreeTSA)", freetsa_rows(), &[]);
}

#[test]
fn microsoft_fixtures() {
    run_table(
        "tsa-fixtures/tspclient-go (Microsoft, no root)",
        microsoft_rows(),
        &[],
    );
}

#[test]
fn sigstore_python_fixtures() {
    run_table("tsa-fixtures/sigstore-python", sigstore_python_rows(), &[]);
}

//! The sigstore-conformance TSA cases (../shared/testdata/tsa-fixtures/sigstore-conformance),
//! at token level: datum = the raw signature decoded from the bundle (rfc3161-rules §1),
//! trust = the case's `trusted_root.json` (production root when absent).
//!
//! Bundle-level outcomes that need the signing certificate at the verified time (§6) belong
//! to the orchestration crate; those cases are listed in `BUNDLE_LEVEL` with the reason and
//! their tokens are asserted valid here — the token itself is genuine.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use modelsign_pki::Time;
use modelsign_tsp::verify::VerificationError as V;
use support::{bundle, path, run_table, trusted_root, DatumSpec, Expect, Row};

const DIR: &str = "tsa-fixtures/sigstore-conformance";

/// Cases whose `_fail` verdict comes from a bundle-level rule; their token verifies.
const BUNDLE_LEVEL: &[(&str, &str)] = &[
    ("intoto-tsa-timestamp-outside-cert-validity_fail", "genTime outside the signing certificate's validity (§6: modelsign orchestration)"),
    ("rekor2-timestamp-with-incorrect-time_fail", "genTime outside the signing certificate's validity (§6: modelsign orchestration)"),
    ("rekor2-no-timestamp_fail", "no timestamp at all: the bundle lacks a verified time (orchestration); nothing to verify here"),
];

fn expect(case: &str) -> Expect {
    match case {
        "intoto-with-custom-trust-root"
        | "managed-key-happy-path"
        | "rekor2-dsse-happy-path"
        | "rekor2-happy-path"
        | "rekor2-timestamp-with-embedded-cert"
        | "rekor2-timestamp-without-embedded-cert"
        | "rekor2-timestamp-with-expired-cert-chain"
        | "trust-root-tsa-validity-end-inclusive"
        | "intoto-tsa-timestamp-outside-cert-validity_fail"
        | "rekor2-timestamp-with-incorrect-time_fail" => Expect::Valid,
        "rekor2-timestamp-outside-trust-root-tsa-validity_fail" => {
            reject!(V::OutsideAuthorityWindow { .. })
        }
        "rekor2-timestamp-outside-tsa-cert-validity_fail" => reject!(V::TsaChain { .. }),
        "rekor2-timestamp-payload-mismatch_fail" => reject!(V::ImprintMismatch { .. }),
        "rekor2-timestamp-untrusted-tsa-with-embedded-cert_fail" => reject!(V::TsaChain { .. }),
        "rekor2-timestamp-untrusted-tsa-without-embedded-cert_fail" => {
            reject!(V::SignerNotFound { .. })
        }
        other => panic!("case {other} has no expectation: add it to the table"),
    }
}

#[test]
fn sigstore_conformance_tsa_cases() {
    let mut rows = Vec::new();
    let mut skipped = Vec::new();
    let mut cases: Vec<String> = std::fs::read_dir(path(DIR))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    cases.sort();
    assert_eq!(cases.len(), 16, "case folders in {DIR}");
    for case in &cases {
        let b = bundle(&format!("{DIR}/{case}/bundle.sigstore.json"));
        let root_file = if path(&format!("{DIR}/{case}/trusted_root.json")).exists() {
            format!("{DIR}/{case}/trusted_root.json")
        } else {
            "sigstore-conformance/production-trusted_root.json".to_owned()
        };
        if b.timestamps.is_empty() {
            assert_eq!(case, "rekor2-no-timestamp_fail");
            skipped.push((
                case.as_str(),
                "bundle has no RFC 3161 timestamp (orchestration rejects it)",
            ));
            continue;
        }
        for (i, ts) in b.timestamps.iter().enumerate() {
            let mut row = Row::new(
                format!("{case}#{i}"),
                ts.clone(),
                DatumSpec::Owned(b.signature.clone()),
                trusted_root(&root_file),
                expect(case),
            );
            if case == "trust-root-tsa-validity-end-inclusive" {
                // genTime is exactly validFor.end: the closed interval accepts it.
                row.on_valid = Some(|v| {
                    assert_eq!(
                        v.gen_time(),
                        Time::parse_rfc3339("2025-06-12T12:02:20Z").unwrap()
                    )
                });
            }
            rows.push(row);
        }
    }
    for (case, why) in BUNDLE_LEVEL {
        println!("sigstore-conformance: {case}: token-level only, bundle verdict needs {why}");
    }
    run_table("sigstore-conformance (tsa-fixtures)", rows, &skipped);
}

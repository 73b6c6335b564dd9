//! NIST PKITS (shared/testdata/pkits) through `verify_chain` and `find_revocations`.
//!
//! Per case: anchor = first certificate, leaf = last, the others untrusted intermediates,
//! validation at 2020-01-01T00:00:00Z with the generic EKU profile (PKITS certificates
//! carry no EKU). Sections run: 4.1–4.7, 4.13, 4.16. Policy sections (4.8–4.12) and
//! distribution points / delta CRLs (4.14, 4.15) are out of scope: webpki does no policy
//! processing (rust-stack.md P5) and modelsign's CRL support is single-issuer CRLs.
//! Every case whose outcome differs from `should_validate` must be listed in
//! [`EXPECTED_DEVIATIONS`] with a reason; a listed case that starts to agree fails too, so
//! the list stays honest.

// Helpers outside #[test] fns are test code too: a panic there is a test failure.
#![allow(clippy::unwrap_used, clippy::panic)]

use const_oid::db::rfc5280::ID_KP_CODE_SIGNING;
use modelsign_pki::{
    find_revocations, verify_chain, Certificate, ChainRequest, Crl, LeafProfile, Time, TrustStore,
};

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/testdata/pkits"
);

const SECTIONS: [&str; 9] = [
    "4.1.", "4.2.", "4.3.", "4.4.", "4.5.", "4.6.", "4.7.", "4.13.", "4.16.",
];

/// (test number, reason) for cases where modelsign deliberately or knowingly differs.
const EXPECTED_DEVIATIONS: &[(&str, &str)] = &[
    (
        "4.1.4",
        "DSA signatures are not supported (aws-lc-rs / webpki)",
    ),
    (
        "4.1.5",
        "DSA signatures are not supported (aws-lc-rs / webpki)",
    ),
    (
        "4.2.3",
        "der/x509-cert cannot represent UTCTime years before 1970 (1950 notBefore)",
    ),
    (
        "4.3.3",
        "webpki compares names byte for byte (no RFC 4518 whitespace folding)",
    ),
    (
        "4.3.4",
        "webpki compares names byte for byte (no RFC 4518 whitespace folding)",
    ),
    (
        "4.3.5",
        "webpki compares names byte for byte (no case folding)",
    ),
    ("4.3.6", "webpki rejects issuer/subject unique identifiers"),
    (
        "4.3.10",
        "webpki compares names byte for byte (PrintableString vs UTF8String)",
    ),
    (
        "4.3.11",
        "webpki compares names byte for byte (no case folding)",
    ),
    (
        "4.4.1",
        "find_revocations reports revocations only; requiring a CRL per CA is caller policy",
    ),
    (
        "4.4.5",
        "a CRL naming another issuer is ignored; requiring coverage is caller policy",
    ),
    (
        "4.4.6",
        "a CRL naming another issuer is ignored; requiring coverage is caller policy",
    ),
    (
        "4.4.11",
        "nextUpdate freshness is a time-aware caller decision (Crl::next_update)",
    ),
    (
        "4.4.12",
        "nextUpdate freshness is a time-aware caller decision (Crl::next_update)",
    ),
    (
        "4.4.19",
        "CRLs must be signed by a key in the verified chain (no separate CRL signer)",
    ),
    (
        "4.5.4",
        "CRL signed by a CA key outside the verified path is an error, not ignored",
    ),
    (
        "4.5.6",
        "CRLs must be signed by a key in the verified chain (no separate CRL signer)",
    ),
    (
        "4.6.8",
        "generic profile refuses CA:TRUE end entities (webpki CaUsedAsEndEntity)",
    ),
    (
        "4.6.14",
        "generic profile refuses CA:TRUE end entities (webpki CaUsedAsEndEntity)",
    ),
    (
        "4.6.15",
        "webpki counts self-issued CAs against pathLenConstraint (RFC 5280 6.1.4 (l))",
    ),
    (
        "4.6.17",
        "webpki counts self-issued CAs against pathLenConstraint (RFC 5280 6.1.4 (l))",
    ),
    (
        "4.13.1",
        "webpki directoryName name constraints fail closed",
    ),
    (
        "4.13.4",
        "webpki directoryName name constraints fail closed",
    ),
    (
        "4.13.5",
        "webpki directoryName name constraints fail closed",
    ),
    (
        "4.13.6",
        "webpki directoryName name constraints fail closed",
    ),
    (
        "4.13.11",
        "webpki directoryName name constraints fail closed",
    ),
    (
        "4.13.14",
        "webpki directoryName name constraints fail closed",
    ),
    (
        "4.13.18",
        "webpki directoryName name constraints fail closed",
    ),
    (
        "4.13.19",
        "webpki applies name constraints to self-issued CAs (RFC 5280 6.1.4 (b))",
    ),
    (
        "4.13.21",
        "webpki rfc822Name constraints on subject emailAddress fail closed",
    ),
    (
        "4.13.23",
        "webpki rfc822Name constraints on subject emailAddress fail closed",
    ),
    (
        "4.13.25",
        "webpki rfc822Name constraints on subject emailAddress fail closed",
    ),
    (
        "4.13.27",
        "webpki directoryName/rfc822Name name constraints fail closed",
    ),
    (
        "4.13.34",
        "webpki uniformResourceIdentifier name constraints fail closed",
    ),
    (
        "4.13.36",
        "webpki uniformResourceIdentifier name constraints fail closed",
    ),
];

fn outcome(case: &serde_json::Value, time: Time) -> Result<(), String> {
    let stems: Vec<&str> = case["certs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let certs: Vec<Certificate> = stems
        .iter()
        .map(|s| {
            Certificate::from_der(&std::fs::read(format!("{DIR}/certs/{s}.crt")).unwrap())
                .map_err(|e| format!("{s}: {e}"))
        })
        .collect::<Result<_, _>>()?;
    let crls: Vec<Crl> = case["crls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let s = v.as_str().unwrap();
            Crl::from_pem_or_der(&std::fs::read(format!("{DIR}/crls/{s}.crl")).unwrap())
                .map_err(|e| format!("{s}: {e}"))
        })
        .collect::<Result<_, _>>()?;
    let trust = TrustStore::new(vec![certs[0].clone()], vec![]);
    let leaf = &certs[certs.len() - 1];
    let chain = verify_chain(&ChainRequest {
        leaf,
        untrusted: &certs[1..certs.len() - 1],
        trust: &trust,
        time,
        latest: time,
        profile: LeafProfile::ExtendedKeyUsage(ID_KP_CODE_SIGNING),
    })
    .map_err(|e| e.to_string())?;
    let revoked = find_revocations(&chain, &crls).map_err(|e| e.to_string())?;
    match revoked.iter().find(|r| r.effective_time() <= time) {
        Some(r) => Err(format!("revoked: {r:?}")),
        None => Ok(()),
    }
}

#[test]
fn pkits_sections() {
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(format!("{DIR}/pkits_manifest.json")).unwrap())
            .unwrap();
    let time = Time::parse_rfc3339("2020-01-01T00:00:00Z").unwrap();
    let mut ran = 0;
    let mut unexpected = Vec::new();
    for case in manifest["testcases"].as_array().unwrap() {
        let number = case["test_number"].as_str().unwrap();
        if !SECTIONS.iter().any(|s| number.starts_with(s)) {
            continue;
        }
        let policy_inputs = ["SetInitialPolicySet", "SetInitialExplicitPolicy"]
            .iter()
            .any(|k| case.get(*k).is_some());
        if policy_inputs {
            continue;
        }
        ran += 1;
        let expected = case["should_validate"].as_bool().unwrap();
        let got = outcome(case, time);
        let deviation = EXPECTED_DEVIATIONS.iter().find(|(n, _)| *n == number);
        if got.is_ok() != expected && deviation.is_none() {
            unexpected.push(format!(
                "{number} {} expected {expected}, got {got:?}",
                case["title"].as_str().unwrap()
            ));
        }
        if got.is_ok() == expected && deviation.is_some() {
            unexpected.push(format!(
                "{number} now agrees: remove it from EXPECTED_DEVIATIONS"
            ));
        }
    }
    assert!(ran > 100, "only {ran} PKITS cases ran");
    assert!(unexpected.is_empty(), "{}", unexpected.join("\n"));
}

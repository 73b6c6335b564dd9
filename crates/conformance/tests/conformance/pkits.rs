//! NIST PKITS v1.0.1 (`pkits/pkits_manifest.json`) through `verify_chain` and
//! `find_revocations`.
//!
//! Per case (manifest order is path order): anchor = `certs[0]`, intermediates =
//! `certs[1..n-1]`, leaf = `certs[n-1]`; validation at 2020-01-01T00:00:00Z (inside every
//! non-broken certificate's validity) with the generic EKU profile (PKITS certificates carry
//! no EKU, so the purpose never matters); the case's CRLs go to `find_revocations` and a
//! revocation effective at the validation time rejects the path.
//!
//! Sections run: 4.1–4.7 (signatures, validity, name chaining, basic CRLs, self-issued,
//! basicConstraints, keyUsage), 4.13 (name constraints), 4.16 (private extensions).
//! Sections 4.8–4.12 need certificate-policy processing and 4.14–4.15 CRL distribution
//! points / delta CRLs, which modelsign does not implement (rust-stack.md P5); they are
//! skipped. Case id = PKITS test number (e.g. `4.1.4`).

use const_oid::db::rfc5280::ID_KP_CODE_SIGNING;
use modelsign_pki::{
    find_revocations, verify_chain, Certificate, ChainRequest, Crl, LeafProfile, Time, TrustStore,
};

use crate::expectations::{Expectations, Expected, Outcome, Summary, Tally};
use crate::TESTDATA;

const SUITE: &str = "pkits";

/// Sections that apply to a validator without policy processing or distribution points.
const SECTIONS: [&str; 9] = [
    "4.1.", "4.2.", "4.3.", "4.4.", "4.5.", "4.6.", "4.7.", "4.13.", "4.16.",
];

fn dir() -> String {
    format!("{TESTDATA}/pkits")
}

/// Why a section outside [`SECTIONS`] is skipped.
fn section_skip_reason(number: &str) -> &'static str {
    let section = number.split('.').take(2).collect::<Vec<_>>().join(".");
    match section.as_str() {
        "4.8" | "4.9" | "4.10" | "4.11" | "4.12" => {
            "certificate policies / policy mapping / inhibit anyPolicy: modelsign does no policy processing (rust-stack.md P5)"
        }
        "4.14" => "CRL distribution points: modelsign uses caller-supplied single-issuer CRLs only",
        "4.15" => "delta CRLs: not implemented",
        _ => "section not in the scope list",
    }
}

fn outcome(case: &serde_json::Value, time: Time) -> Result<(), String> {
    let stems = case["certs"]
        .as_array()
        .ok_or("manifest: certs is not an array")?;
    let mut certs = Vec::with_capacity(stems.len());
    for stem in stems {
        let stem = stem.as_str().ok_or("manifest: cert stem is not a string")?;
        let der = std::fs::read(format!("{}/certs/{stem}.crt", dir()))
            .map_err(|e| format!("{stem}: {e}"))?;
        certs.push(Certificate::from_der(&der).map_err(|e| format!("{stem}: {e}"))?);
    }
    let mut crls = Vec::new();
    for stem in case["crls"]
        .as_array()
        .ok_or("manifest: crls is not an array")?
    {
        let stem = stem.as_str().ok_or("manifest: crl stem is not a string")?;
        let der = std::fs::read(format!("{}/crls/{stem}.crl", dir()))
            .map_err(|e| format!("{stem}: {e}"))?;
        crls.push(Crl::from_pem_or_der(&der).map_err(|e| format!("{stem}: {e}"))?);
    }
    let (anchor, rest) = certs.split_first().ok_or("case without certificates")?;
    let (leaf, intermediates) = rest.split_last().ok_or("case without a leaf")?;
    let trust = TrustStore::new(vec![anchor.clone()], vec![]);
    let chain = verify_chain(&ChainRequest {
        leaf,
        untrusted: intermediates,
        trust: &trust,
        time,
        latest: time,
        profile: LeafProfile::ExtendedKeyUsage(ID_KP_CODE_SIGNING),
    })
    .map_err(|e| e.to_string())?;
    let revoked = find_revocations(&chain, &crls).map_err(|e| e.to_string())?;
    match revoked.iter().find(|r| r.effective_time() <= time) {
        Some(r) => Err(format!(
            "revoked: {} serial {} at {}",
            r.certificate_subject, r.serial_hex, r.revoked_at
        )),
        None => Ok(()),
    }
}

pub(crate) fn run() -> Result<Summary, String> {
    let exp = Expectations::load("pkits.json", SUITE)?;
    let path = format!("{}/pkits_manifest.json", dir());
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?)
            .map_err(|e| format!("{path}: {e}"))?;
    let time = Time::parse_rfc3339("2020-01-01T00:00:00Z").map_err(|e| e.to_string())?;
    let mut tally = Tally::new(SUITE);
    let cases = manifest["testcases"]
        .as_array()
        .ok_or("manifest: no testcases")?;
    // The policy sections reuse a test number with different policy inputs; those cases are
    // told apart by their manifest `name`.
    let mut seen = std::collections::BTreeMap::<&str, usize>::new();
    for case in cases {
        if let Some(n) = case["test_number"].as_str() {
            *seen.entry(n).or_default() += 1;
        }
    }
    for case in cases {
        let number = case["test_number"]
            .as_str()
            .ok_or("manifest: no test_number")?;
        let unique_id;
        let number = if seen.get(number).copied().unwrap_or(0) > 1 {
            unique_id = format!("{number}/{}", case["name"].as_str().unwrap_or("?"));
            unique_id.as_str()
        } else {
            number
        };
        let expected = match case["should_validate"].as_bool() {
            Some(true) => Expected::Accept,
            Some(false) => Expected::Reject,
            None => return Err(format!("{number}: should_validate is not a boolean")),
        };
        if !SECTIONS.iter().any(|s| number.starts_with(s)) {
            tally.skipped(number, section_skip_reason(number));
            continue;
        }
        // Non-default policy inputs mean the case tests policy processing.
        if case
            .as_object()
            .is_some_and(|o| o.keys().any(|k| k.starts_with("Set")))
        {
            tally.skipped(
                number,
                "needs policy inputs (Set* fields): no policy processing",
            );
            continue;
        }
        let got = Outcome::from_result(outcome(case, time));
        match exp.skip_reason(number) {
            Some(reason) => tally.skipped_observed(number, reason, expected, got),
            None => tally.ran(number, expected, got),
        }
    }
    Ok(tally.finish(&exp))
}

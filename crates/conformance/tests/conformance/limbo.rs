//! x509-limbo (`x509-limbo/limbo.json`) through `verify_chain` with the generic
//! [`LeafProfile::ExtendedKeyUsage`] profile.
//!
//! Per case: anchors = `trusted_certs`, untrusted pool = `untrusted_intermediates`, leaf =
//! `peer_certificate`, time = `validation_time` (`null` = now, as limbo defines it; the
//! generated certificates are valid 1970 → 2969), required EKU = the case's
//! `extended_key_usage` or, when empty, serverAuth for SERVER and clientAuth for CLIENT
//! cases. Each case runs under [`crate::CASE_TIME_CAP`]; a case that does not finish is
//! recorded as a rejection naming the cap (limbo's harnesses do the same).
//!
//! Skipped by rule (reason recorded per case): host-name matching (`webpki::san::*`,
//! `webpki::cn::*`: modelsign validates code-signing and TSA chains and never matches a
//! peer name; the `expected_peer_name` of other cases is ignored), and the optional
//! features modelsign does not implement (CRLs in limbo's profile, configurable chain
//! depth, policy constraints, `pedantic-*` checks limbo itself marks optional). Results are
//! written in limbo's result format to `$CARGO_TARGET_TMPDIR/limbo-results-modelsign.json`
//! and compared with the baselines in `x509-limbo/baseline-results/`.

use std::collections::BTreeMap;

use const_oid::db::rfc5280::{
    ANY_EXTENDED_KEY_USAGE, ID_KP_CLIENT_AUTH, ID_KP_CODE_SIGNING, ID_KP_SERVER_AUTH,
    ID_KP_TIME_STAMPING,
};
use const_oid::ObjectIdentifier;
use modelsign_pki::{
    certificates_from_pem, verify_chain, Certificate, ChainRequest, LeafProfile, Time, TrustStore,
};
use serde::Deserialize;

use crate::expectations::{Expectations, Expected, Outcome, Summary, Tally};
use crate::{with_time_cap, CASE_TIME_CAP, TESTDATA};

const SUITE: &str = "x509-limbo";

#[derive(Debug, Deserialize)]
struct Limbo {
    testcases: Vec<Case>,
}

#[derive(Debug, Clone, Deserialize)]
struct Case {
    id: String,
    #[serde(default)]
    features: Vec<String>,
    validation_kind: String,
    trusted_certs: Vec<String>,
    untrusted_intermediates: Vec<String>,
    peer_certificate: String,
    validation_time: Option<String>,
    #[serde(default)]
    extended_key_usage: Vec<String>,
    expected_result: String,
}

/// Namespaces whose verdict depends on matching the expected peer name.
const NAME_MATCHING: [&str; 2] = ["webpki::san::", "webpki::cn::"];

fn feature_skip_reason(feature: &str) -> Option<&'static str> {
    Some(match feature {
        "has-crl" => "limbo CRL profile checks (crlNumber, cRLSign, ...): modelsign only looks up revocations in caller-supplied CRLs (find_revocations)",
        "max-chain-depth" => "configurable maximum chain depth: not a modelsign option (fixed budget of 6 intermediates)",
        "has-policy-constraints" => "certificate policy processing: not implemented (rust-stack.md P5)",
        "rfc5280-incompatible-with-webpki" => "limbo marks this RFC 5280 reading as incompatible with webpki, whose path validation modelsign uses",
        f if f.starts_with("pedantic-") => "pedantic behaviour that limbo marks optional",
        _ => return None,
    })
}

fn skip_reason(case: &Case) -> Option<String> {
    if NAME_MATCHING.iter().any(|ns| case.id.starts_with(ns)) {
        return Some("host-name (peer name) matching: modelsign never matches peer names".into());
    }
    case.features
        .iter()
        .find_map(|f| feature_skip_reason(f).map(|r| format!("feature {f}: {r}")))
}

fn eku_oid(name: &str) -> Result<ObjectIdentifier, String> {
    Ok(match name {
        "serverAuth" => ID_KP_SERVER_AUTH,
        "clientAuth" => ID_KP_CLIENT_AUTH,
        "codeSigning" => ID_KP_CODE_SIGNING,
        "timeStamping" => ID_KP_TIME_STAMPING,
        "anyExtendedKeyUsage" => ANY_EXTENDED_KEY_USAGE,
        other => return Err(format!("unknown extended_key_usage {other:?}")),
    })
}

fn parse_pems(pems: &[String]) -> Result<Vec<Certificate>, String> {
    let mut out = Vec::new();
    for pem in pems {
        out.extend(certificates_from_pem(pem.as_bytes()).map_err(|e| e.to_string())?);
    }
    Ok(out)
}

/// Validates one case; `Err` is the rejection reason.
fn validate(case: &Case, now: Time) -> Result<(), String> {
    let purpose = match case.extended_key_usage.as_slice() {
        [] if case.validation_kind == "CLIENT" => ID_KP_CLIENT_AUTH,
        [] => ID_KP_SERVER_AUTH,
        [one] => eku_oid(one)?,
        more => {
            return Err(format!(
                "harness: several required EKUs {more:?} not supported"
            ))
        }
    };
    let time = match &case.validation_time {
        Some(t) => Time::parse_rfc3339(t).map_err(|e| format!("harness: {e}"))?,
        None => now,
    };
    let anchors = parse_pems(&case.trusted_certs)?;
    let untrusted = parse_pems(&case.untrusted_intermediates)?;
    let leaf = parse_pems(std::slice::from_ref(&case.peer_certificate))?
        .into_iter()
        .next()
        .ok_or("no peer certificate")?;
    let trust = TrustStore::new(anchors, vec![]);
    verify_chain(&ChainRequest {
        leaf: &leaf,
        untrusted: &untrusted,
        trust: &trust,
        time,
        latest: time,
        profile: LeafProfile::ExtendedKeyUsage(purpose),
    })
    .map(|_| ())
    .map_err(|e| e.to_string())
}

/// One baseline harness's figures: over all cases, and over the cases modelsign ran.
fn baseline_notes(
    expected: &BTreeMap<String, String>,
    ran: &[String],
) -> Result<Vec<String>, String> {
    let dir = format!("{TESTDATA}/x509-limbo/baseline-results");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{dir}: {e}"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut notes = Vec::new();
    for file in files {
        let v: serde_json::Value = serde_json::from_slice(
            &std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?,
        )
        .map_err(|e| format!("{}: {e}", file.display()))?;
        let name = v["harness"].as_str().unwrap_or("?").to_owned();
        let (mut p, mut f, mut s, mut wa) = (0, 0, 0, 0);
        let (mut sp, mut sf, mut ss) = (0, 0, 0);
        for r in v["results"].as_array().into_iter().flatten() {
            let id = r["id"].as_str().unwrap_or_default();
            let actual = r["actual_result"].as_str().unwrap_or_default();
            let Some(want) = expected.get(id) else {
                continue;
            };
            let in_ours = ran.iter().any(|x| x == id);
            match actual {
                "SKIPPED" => {
                    s += 1;
                    ss += usize::from(in_ours);
                }
                a if a == want => {
                    p += 1;
                    sp += usize::from(in_ours);
                }
                a => {
                    f += 1;
                    sf += usize::from(in_ours);
                    wa += usize::from(a == "SUCCESS");
                }
            }
        }
        notes.push(format!(
            "baseline {name}: {p} passed, {f} failed ({wa} wrong accepts), {s} skipped; on the {} cases modelsign runs: {sp} passed, {sf} failed, {ss} skipped",
            ran.len()
        ));
    }
    Ok(notes)
}

pub(crate) fn run() -> Result<Summary, String> {
    let exp = Expectations::load("x509-limbo.json", SUITE)?;
    let path = format!("{TESTDATA}/x509-limbo/limbo.json");
    let limbo: Limbo =
        serde_json::from_slice(&std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?)
            .map_err(|e| format!("{path}: {e}"))?;
    let now = Time::now();
    let mut tally = Tally::new(SUITE);
    let mut results = Vec::new();
    let mut expected_by_id = BTreeMap::new();
    let mut ran = Vec::new();
    for case in limbo.testcases {
        let expected = match case.expected_result.as_str() {
            "SUCCESS" => Expected::Accept,
            "FAILURE" => Expected::Reject,
            other => return Err(format!("{}: expected_result {other:?}", case.id)),
        };
        expected_by_id.insert(case.id.clone(), case.expected_result.clone());
        let id = case.id.clone();
        let rule_skip = skip_reason(&case);
        let listed_skip = exp.skip_reason(&id).map(str::to_owned);
        if let Some(reason) = rule_skip.clone() {
            tally.skipped(&id, reason.clone());
            results
                .push(serde_json::json!({"id": id, "actual_result": "SKIPPED", "context": reason}));
            continue;
        }
        let owned = case.clone();
        let outcome = match with_time_cap(CASE_TIME_CAP, move || validate(&owned, now)) {
            Some(r) => Outcome::from_result(r),
            None => Outcome::Rejected(format!("did not finish within {CASE_TIME_CAP:?}")),
        };
        let (actual, context) = match &outcome {
            Outcome::Accepted => ("SUCCESS", String::new()),
            Outcome::Rejected(e) => ("FAILURE", e.clone()),
        };
        match listed_skip {
            Some(reason) => {
                results.push(
                    serde_json::json!({"id": id, "actual_result": "SKIPPED", "context": reason}),
                );
                tally.skipped_observed(&id, reason, expected, outcome);
            }
            None => {
                results.push(
                    serde_json::json!({"id": id, "actual_result": actual, "context": context}),
                );
                ran.push(id.clone());
                tally.ran(&id, expected, outcome);
            }
        }
    }
    let out = format!(
        "{}/limbo-results-modelsign.json",
        env!("CARGO_TARGET_TMPDIR")
    );
    let doc = serde_json::json!({"version": 1, "harness": "modelsign", "results": results});
    std::fs::write(
        &out,
        serde_json::to_vec_pretty(&doc).map_err(|e| e.to_string())?,
    )
    .map_err(|e| format!("{out}: {e}"))?;
    tally.notes = baseline_notes(&expected_by_id, &ran)?;
    tally.notes.push(format!("results in limbo format: {out}"));
    Ok(tally.finish(&exp))
}

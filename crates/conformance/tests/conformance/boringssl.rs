//! BoringSSL / Chromium chain tests (`boringssl-pki-chains/<dir>/*.test`) through
//! `verify_chain`.
//!
//! `.test` files are `key: value` lines; `chain` names a PEM file (target first, trust
//! anchor last); `utc_time` is `YYMMDDhhmmssZ` or `DEFAULT` (2021-10-05T12:00:00Z); the
//! chain must be rejected iff an `ERROR:` line follows `expected_errors:`. Case id =
//! `<dir>/<file>`.
//!
//! Mapping, with modelsign's choices recorded as skip reasons:
//! * `key_purpose`: `SERVER_AUTH` → [`LeafProfile::ExtendedKeyUsage`] (serverAuth),
//!   `CLIENT_AUTH` → clientAuth, `C2PA_TIMESTAMPING` → [`LeafProfile::TimeStamping`] (the
//!   RFC 3161 TSA profile). The `*_STRICT*` variants are skipped: modelsign's generic EKU
//!   rule is the legacy one (a purpose is enforced only on certificates that carry an EKU
//!   extension), and the legacy variant of the same chain runs. `ANY_EKU` is skipped
//!   (modelsign always validates for one purpose), as are `MLS_CLIENT_AUTH` and
//!   `C2PA_MANIFEST` (purposes modelsign has no profile for).
//! * `last_cert_trust`: `TRUSTED_ANCHOR`, `TRUSTED_ANCHOR_WITH_EXPIRATION`,
//!   `TRUSTED_ANCHOR_OR_LEAF` → the last certificate is the only anchor (modelsign always
//!   enforces the anchor's validity); `UNSPECIFIED` / `DISTRUSTED` → no anchor. Skipped:
//!   the `*_WITH_CONSTRAINTS` / `*REQUIRE_BASIC_CONSTRAINTS` modes (anchor extensions
//!   enforced as constraints, a trust mode modelsign does not offer) and a directly trusted
//!   target (`TRUSTED_LEAF*`, or a one-certificate chain): only the model-signing profile
//!   accepts one.
//! * Directories about certificate policies are skipped: no policy processing (P5).

use const_oid::db::rfc5280::{ID_KP_CLIENT_AUTH, ID_KP_SERVER_AUTH};
use modelsign_pki::{
    certificates_from_pem, verify_chain, ChainRequest, LeafProfile, Time, TrustStore,
};

use crate::expectations::{Expectations, Expected, Outcome, Summary, Tally};
use crate::{with_time_cap, CASE_TIME_CAP, TESTDATA};

const SUITE: &str = "boringssl-chains";

/// `.test` files are a few KiB; the cap keeps a corrupt file from being read whole.
const MAX_TEST_FILE: u64 = 1 << 20;

#[derive(Debug, Clone, Default)]
struct TestFile {
    chain: String,
    last_cert_trust: String,
    utc_time: String,
    key_purpose: String,
    has_error: bool,
}

fn parse_test(text: &str) -> Result<TestFile, String> {
    let mut t = TestFile::default();
    let mut in_errors = false;
    for line in text.lines() {
        if in_errors {
            t.has_error |= line.trim_start().starts_with("ERROR:");
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim().to_owned();
        match key.trim() {
            "chain" => t.chain = value,
            "last_cert_trust" => t.last_cert_trust = value,
            "utc_time" => t.utc_time = value,
            "key_purpose" => t.key_purpose = value,
            "expected_errors" => in_errors = true,
            _ => {}
        }
    }
    if t.chain.is_empty() || t.key_purpose.is_empty() || t.utc_time.is_empty() {
        return Err("missing chain, key_purpose or utc_time".into());
    }
    Ok(t)
}

/// `YYMMDDhhmmssZ` (RFC 5280 UTCTime years: 50–99 → 19xx) or `DEFAULT`.
fn parse_utc_time(s: &str) -> Result<Time, String> {
    let s = if s == "DEFAULT" { "211005120000Z" } else { s };
    let b = s.as_bytes();
    if b.len() != 13 || b[12] != b'Z' || !b[..12].iter().all(u8::is_ascii_digit) {
        return Err(format!("bad utc_time {s:?}"));
    }
    let yy: u32 = s[0..2].parse().map_err(|_| format!("bad year in {s:?}"))?;
    let year = if yy >= 50 { 1900 + yy } else { 2000 + yy };
    let text = format!(
        "{year:04}-{}-{}T{}:{}:{}Z",
        &s[2..4],
        &s[4..6],
        &s[6..8],
        &s[8..10],
        &s[10..12]
    );
    Time::parse_rfc3339(&text).map_err(|e| e.to_string())
}

/// Why modelsign does not run a case, if it does not.
fn skip_reason(dir: &str, t: &TestFile, chain_len: usize) -> Option<&'static str> {
    if dir.contains("polic") {
        return Some("certificate policy processing: not implemented (rust-stack.md P5)");
    }
    if t.last_cert_trust.starts_with("TRUSTED_LEAF")
        || (t.last_cert_trust == "TRUSTED_ANCHOR_OR_LEAF" && chain_len == 1)
    {
        return Some(
            "directly trusted target certificate: only the model-signing profile accepts one",
        );
    }
    if t.last_cert_trust.contains("CONSTRAINTS") {
        return Some("trust anchor with enforced constraints (RFC 5937 style): modelsign's anchors are name + key + validity, their extensions are not constraints");
    }
    match t.key_purpose.as_str() {
        "ANY_EKU" => Some("ANY_EKU: modelsign always validates for one key purpose"),
        p if p.contains("_STRICT") => Some("strict EKU variant: modelsign's generic profile enforces a purpose only where an EKU extension is present (the legacy variant of this chain runs)"),
        "MLS_CLIENT_AUTH" => Some("MLS client-auth purpose: no modelsign profile"),
        "C2PA_MANIFEST" => Some("C2PA manifest-signing purpose: no modelsign profile"),
        _ => None,
    }
}

fn validate(dir: &str, t: &TestFile) -> Result<(), String> {
    let profile = match t.key_purpose.as_str() {
        "SERVER_AUTH" => LeafProfile::ExtendedKeyUsage(ID_KP_SERVER_AUTH),
        "CLIENT_AUTH" => LeafProfile::ExtendedKeyUsage(ID_KP_CLIENT_AUTH),
        "C2PA_TIMESTAMPING" => LeafProfile::TimeStamping,
        other => return Err(format!("harness: unmapped key_purpose {other}")),
    };
    let time = parse_utc_time(&t.utc_time)?;
    let pem =
        std::fs::read(format!("{dir}/{}", t.chain)).map_err(|e| format!("{}: {e}", t.chain))?;
    let certs = certificates_from_pem(&pem).map_err(|e| e.to_string())?;
    let (leaf, rest) = certs.split_first().ok_or("empty chain")?;
    let (anchors, intermediates) = match t.last_cert_trust.as_str() {
        s if s.starts_with("TRUSTED_ANCHOR") => match rest.split_last() {
            Some((anchor, inter)) => (vec![anchor.clone()], inter.to_vec()),
            // A one-certificate chain: the target is also the anchor.
            None => (vec![leaf.clone()], vec![]),
        },
        "UNSPECIFIED" | "DISTRUSTED" => (vec![], rest.to_vec()),
        other => return Err(format!("harness: unmapped last_cert_trust {other}")),
    };
    let trust = TrustStore::new(anchors, vec![]);
    verify_chain(&ChainRequest {
        leaf,
        untrusted: &intermediates,
        trust: &trust,
        time,
        latest: time,
        profile,
    })
    .map(|_| ())
    .map_err(|e| e.to_string())
}

pub(crate) fn run() -> Result<Summary, String> {
    let exp = Expectations::load("boringssl-chains.json", SUITE)?;
    let root = format!("{TESTDATA}/boringssl-pki-chains");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .map_err(|e| format!("{root}: {e}"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut tally = Tally::new(SUITE);
    for dir in dirs {
        let dir_name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let mut tests: Vec<_> = std::fs::read_dir(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "test"))
            .collect();
        tests.sort();
        for test in tests {
            let file = test
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let id = format!("{dir_name}/{file}");
            let len = std::fs::metadata(&test)
                .map_err(|e| format!("{id}: {e}"))?
                .len();
            if len > MAX_TEST_FILE {
                return Err(format!("{id}: {len} bytes, more than {MAX_TEST_FILE}"));
            }
            let text = std::fs::read_to_string(&test).map_err(|e| format!("{id}: {e}"))?;
            let t = parse_test(&text).map_err(|e| format!("{id}: {e}"))?;
            let expected = if t.has_error {
                Expected::Reject
            } else {
                Expected::Accept
            };
            let chain_len = std::fs::read(dir.join(&t.chain))
                .map(|pem| {
                    String::from_utf8_lossy(&pem)
                        .matches("-----BEGIN CERTIFICATE-----")
                        .count()
                })
                .unwrap_or(0);
            let dir_path = dir.display().to_string();
            let owned = t.clone();
            let run_case =
                move || match with_time_cap(CASE_TIME_CAP, move || validate(&dir_path, &owned)) {
                    Some(r) => Outcome::from_result(r),
                    None => Outcome::Rejected(format!("did not finish within {CASE_TIME_CAP:?}")),
                };
            if let Some(reason) = skip_reason(&dir_name, &t, chain_len) {
                // Run it anyway when the mapping allows, so the log shows what a skip hides.
                let mappable = matches!(
                    t.key_purpose.as_str(),
                    "SERVER_AUTH" | "CLIENT_AUTH" | "C2PA_TIMESTAMPING"
                ) && chain_len > 1
                    && !t.last_cert_trust.starts_with("TRUSTED_LEAF");
                if mappable {
                    tally.skipped_observed(&id, reason, expected, run_case());
                } else {
                    tally.skipped(&id, reason);
                }
                continue;
            }
            let outcome = run_case();
            match exp.skip_reason(&id) {
                Some(reason) => tally.skipped_observed(&id, reason, expected, outcome),
                None => tally.ran(&id, expected, outcome),
            }
        }
    }
    Ok(tally.finish(&exp))
}

//! Loading TSA trust (rfc3161-rules §7): PEM stores and Sigstore `trusted_root.json`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use base64::Engine as _;
use modelsign_pki::Certificate;
use modelsign_tsp::trust::{TrustError, TsaTrust};
use modelsign_tsp::Error;
use serde_json::json;
use support::forge::{good_pki, t};
use support::{certs, read};

fn b64(c: &Certificate) -> String {
    base64::engine::general_purpose::STANDARD.encode(c.der())
}

fn root_json(chain: &[&Certificate], valid_for: serde_json::Value) -> Vec<u8> {
    json!({
        "mediaType": "application/vnd.dev.sigstore.trustedroot+json;version=0.1",
        "timestampAuthorities": [{
            "subject": {"organization": "Example", "commonName": "Example TSA"},
            "uri": "https://tsa.example/api/v1/timestamp",
            "certChain": {"certificates": chain.iter().map(|c| json!({"rawBytes": b64(c)})).collect::<Vec<_>>()},
            "validFor": valid_for,
        }]
    })
    .to_string()
    .into_bytes()
}

fn trust_err(r: Result<TsaTrust, Error>) -> TrustError {
    match r {
        Err(Error::Trust(e)) => e,
        other => panic!(
            "expected a TrustError, got {:?}",
            other.map(|t| t.authorities().len())
        ),
    }
}

#[test]
fn trusted_root_chain_is_leaf_first_root_last() {
    let pki = good_pki();
    let inter = &pki.intermediate.as_ref().unwrap().cert;
    let json = root_json(
        &[&pki.leaf.cert, inter, &pki.root.cert],
        json!({"start": "2024-01-01T00:00:00Z"}),
    );
    let trust = TsaTrust::from_trusted_root_json(&json).unwrap();
    let [a] = trust.authorities() else {
        panic!("one authority")
    };
    assert_eq!(a.name(), "O=Example, CN=Example TSA");
    assert_eq!(a.uri(), Some("https://tsa.example/api/v1/timestamp"));
    assert_eq!(a.pinned_leaf(), Some(&pki.leaf.cert));
    assert_eq!(
        a.trust_store().anchors(),
        std::slice::from_ref(&pki.root.cert)
    );
    assert_eq!(a.trust_store().intermediates(), std::slice::from_ref(inter));
    let w = a.valid_for().unwrap();
    assert_eq!((w.start(), w.end()), (t("2024-01-01T00:00:00Z"), None));
}

#[test]
fn chain_starting_with_a_ca_pins_no_leaf() {
    let pki = good_pki();
    let inter = &pki.intermediate.as_ref().unwrap().cert;
    let json = root_json(
        &[inter, &pki.root.cert],
        json!({"start": "2024-01-01T00:00:00Z"}),
    );
    let trust = TsaTrust::from_trusted_root_json(&json).unwrap();
    assert_eq!(trust.authorities()[0].pinned_leaf(), None);
    assert_eq!(
        trust.authorities()[0].trust_store().intermediates(),
        std::slice::from_ref(inter)
    );
    // A lone root is an anchor; a lone leaf anchors nothing.
    let json = root_json(&[&pki.root.cert], json!({"start": "2024-01-01T00:00:00Z"}));
    assert!(TsaTrust::from_trusted_root_json(&json)
        .unwrap()
        .authorities()[0]
        .pinned_leaf()
        .is_none());
    let json = root_json(&[&pki.leaf.cert], json!({"start": "2024-01-01T00:00:00Z"}));
    assert!(matches!(
        trust_err(TsaTrust::from_trusted_root_json(&json)),
        TrustError::LeafWithoutRoot { authority: 0, .. }
    ));
}

#[test]
fn valid_for_start_is_required_end_is_inclusive_and_ordered() {
    let pki = good_pki();
    let chain = [&pki.leaf.cert, &pki.root.cert];
    assert!(matches!(
        trust_err(TsaTrust::from_trusted_root_json(&root_json(
            &chain,
            json!({"end": "2030-01-01T00:00:00Z"})
        ))),
        TrustError::MissingValidForStart { authority: 0 }
    ));
    assert!(matches!(
        trust_err(TsaTrust::from_trusted_root_json(&root_json(
            &chain,
            serde_json::Value::Null
        ))),
        TrustError::MissingValidForStart { authority: 0 }
    ));
    assert!(matches!(
        trust_err(TsaTrust::from_trusted_root_json(&root_json(
            &chain,
            json!({"start": "yesterday"})
        ))),
        TrustError::BadTime { field: "start", .. }
    ));
    assert!(matches!(
        trust_err(TsaTrust::from_trusted_root_json(&root_json(
            &chain,
            json!({"start": "2025-01-01T00:00:00Z", "end": "2024-01-01T00:00:00Z"})
        ))),
        TrustError::InvertedWindow { .. }
    ));
    let trust = TsaTrust::from_trusted_root_json(&root_json(
        &chain,
        json!({"start": "2023-01-01T00:00:00.000Z", "end": "2025-06-12T12:02:20Z"}),
    ))
    .unwrap();
    let w = trust.authorities()[0].valid_for().unwrap();
    assert!(w.contains(t("2025-06-12T12:02:20Z")));
    assert!(w.contains(t("2023-01-01T00:00:00Z")));
    assert!(!w.contains(t("2025-06-12T12:02:21Z")));
    assert!(!w.contains(t("2022-12-31T23:59:59Z")));
}

#[test]
fn malformed_trusted_roots_are_refused_with_the_field_named() {
    assert!(matches!(
        trust_err(TsaTrust::from_trusted_root_json(b"{")),
        TrustError::Json { .. }
    ));
    assert!(matches!(
        trust_err(TsaTrust::from_trusted_root_json(
            br#"{"mediaType":"application/json","timestampAuthorities":[]}"#
        )),
        TrustError::MediaType { .. }
    ));
    assert!(matches!(
        trust_err(TsaTrust::from_trusted_root_json(
            br#"{"timestampAuthorities":[]}"#
        )),
        TrustError::NoAuthorities { .. }
    ));
    let bad_b64 = json!({"timestampAuthorities": [{"certChain": {"certificates": [{"rawBytes": "!!"}]}, "validFor": {"start": "2024-01-01T00:00:00Z"}}]});
    assert!(matches!(
        trust_err(TsaTrust::from_trusted_root_json(
            bad_b64.to_string().as_bytes()
        )),
        TrustError::Base64 {
            authority: 0,
            index: 0,
            ..
        }
    ));
    let not_cert = json!({"timestampAuthorities": [{"certChain": {"certificates": [{"rawBytes": "AAAA"}]}, "validFor": {"start": "2024-01-01T00:00:00Z"}}]});
    assert!(matches!(
        trust_err(TsaTrust::from_trusted_root_json(
            not_cert.to_string().as_bytes()
        )),
        TrustError::Certificate {
            authority: 0,
            index: 0,
            ..
        }
    ));
    let empty = json!({"timestampAuthorities": [{"certChain": {"certificates": []}, "validFor": {"start": "2024-01-01T00:00:00Z"}}]});
    assert!(matches!(
        trust_err(TsaTrust::from_trusted_root_json(
            empty.to_string().as_bytes()
        )),
        TrustError::ChainLength {
            authority: 0,
            count: 0
        }
    ));
    let big = vec![b' '; modelsign_tsp::trust::MAX_TRUSTED_ROOT_JSON + 1];
    assert!(matches!(
        trust_err(TsaTrust::from_trusted_root_json(&big)),
        TrustError::TooLarge { .. }
    ));
}

#[test]
fn sigstore_trusted_roots_load() {
    for f in [
        "sigstore-conformance/production-trusted_root.json",
        "sigstore-conformance/staging-trusted_root.json",
        "tsa-fixtures/sigstore-conformance/rekor2-timestamp-with-expired-cert-chain/trusted_root.json",
    ] {
        let trust = TsaTrust::from_trusted_root_json(&read(f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        for a in trust.authorities() {
            assert!(a.pinned_leaf().is_some(), "{f}: Sigstore chains start with the TSA leaf");
            assert_eq!(a.trust_store().anchors().len(), 1);
        }
    }
    let prod = TsaTrust::from_trusted_root_json(&read(
        "sigstore-conformance/production-trusted_root.json",
    ))
    .unwrap();
    assert_eq!(
        prod.authorities()[0].valid_for().unwrap().start(),
        t("2025-07-04T00:00:00Z")
    );
    assert!(prod.authorities()[0]
        .pinned_leaf()
        .unwrap()
        .subject()
        .contains("CN=sigstore-tsa"));
}

#[test]
fn pem_store_self_signed_become_anchors() {
    let trust = TsaTrust::from_certificates(certs("openssl-tsa/chain.pem")).unwrap();
    let [a] = trust.authorities() else {
        panic!("one authority")
    };
    assert_eq!(a.trust_store().anchors().len(), 1);
    assert!(a.trust_store().anchors()[0]
        .subject()
        .contains("Example Test TSA Root"));
    assert_eq!(a.trust_store().intermediates().len(), 2);
    assert!(a.pinned_leaf().is_none() && a.valid_for().is_none());
    // No self-signed certificate: no anchor.
    let r = TsaTrust::from_certificates(certs("openssl-tsa/intermediate.crt"));
    assert!(matches!(trust_err(r), TrustError::NoAnchor { count: 1 }));
    assert!(matches!(
        trust_err(TsaTrust::from_authorities(vec![])),
        TrustError::NoAuthorities { .. }
    ));
}

/// pki gap (contracts.md "pki: requests from tsp" item 3): PEM with unwrapped base64 lines,
/// as rfc3161-client ships it, must load. Un-ignore once pki accepts it.
#[test]
fn pem_with_unwrapped_base64_lines_loads() {
    let bytes = read("tsa-fixtures/rfc3161-client/sigstore.mock/ts_chain.pem");
    let certs = modelsign_pki::certificates_from_pem_or_der(&bytes).unwrap();
    assert_eq!(certs.len(), 2);
    // The re-wrapped form the fixture tables fall back to holds the same certificates.
    let rewrapped =
        modelsign_pki::certificates_from_pem_or_der(support::rewrap_pem(&bytes).as_bytes())
            .unwrap();
    assert_eq!(certs, rewrapped);
}

//! Integration tests: model_signing 1.1.1 bundles, OMS spec vectors, Sigstore conformance
//! bundles, malformed input, timestamp insertion, schema and round-trip properties.

// Test helpers outside #[test] functions may unwrap too: a panic is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;
use modelsign_bundle::{
    add_timestamps, parse, parse_with, to_json, Base64Policy, Bundle, Content, DsseEnvelope,
    DsseSignature, Error, MediaType, MessageDigest, MessageSignature, ParseOptions, SignerMaterial,
    VerificationMaterial, MAX_BUNDLE_LEN, MAX_TIMESTAMPS, MAX_TIMESTAMP_LEN, MEDIA_TYPE_V03,
};
use proptest::prelude::*;

fn testdata() -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata"
    ))
    .to_path_buf()
}

fn read(rel: &str) -> Vec<u8> {
    std::fs::read(testdata().join(rel)).unwrap()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn model_signing_bundles() -> Vec<(String, Vec<u8>)> {
    let dir = testdata().join("model-signing-1.1.1/bundles");
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let path = e.unwrap().path();
            let stem = path.file_stem().unwrap().to_str().unwrap().to_owned();
            (stem, std::fs::read(&path).unwrap())
        })
        .collect();
    out.sort();
    assert_eq!(out.len(), 16);
    out
}

const EC256_HINT: &str = "c23c2e058093214e72753a240af01a74152066248303d84b1fe4fa9cbbb535ed";

// ---------------------------------------------------------------------------------------
// model_signing 1.1.1

#[test]
fn model_signing_bundles_parse_and_carry_the_exact_statement() {
    for (name, bytes) in model_signing_bundles() {
        let bundle = parse(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(bundle.media_type, MediaType::V0_3);
        bundle.require_oms_media_type().unwrap();
        let envelope = bundle.dsse_envelope().unwrap();
        assert_eq!(envelope.payload_type, "application/vnd.in-toto+json");
        assert_eq!(envelope.signatures.len(), 1);
        assert_eq!(
            envelope.payload,
            read(&format!(
                "model-signing-1.1.1/statements/{name}.statement.json"
            )),
            "{name}"
        );
        assert!(bundle.verification_material.tlog_entries.is_empty());
        assert!(bundle.verification_material.rfc3161_timestamps.is_empty());
        match &bundle.verification_material.signer {
            SignerMaterial::PublicKeyHint(Some(_)) => assert!(!name.starts_with("cert-")),
            SignerMaterial::X509Chain(chain) => {
                assert!(name.starts_with("cert-"));
                assert_eq!(chain.len(), 2, "{name}: leaf + intermediate");
            }
            other => panic!("{name}: {other:?}"),
        }
        let expected_keyid = if name == "ref-shards-int-shard-size" {
            None
        } else {
            Some(String::new())
        };
        assert_eq!(envelope.signatures[0].keyid, expected_keyid, "{name}");
    }
}

#[test]
fn key_hint_of_ec256_bundles() {
    let bundle = parse(&read("model-signing-1.1.1/bundles/key-p256.sig")).unwrap();
    assert_eq!(
        bundle.verification_material.signer,
        SignerMaterial::PublicKeyHint(Some(EC256_HINT.into()))
    );
}

#[test]
fn writer_reproduces_model_signing_bundles_byte_for_byte() {
    let mut reproduced = 0;
    for (name, bytes) in model_signing_bundles() {
        let written = to_json(&parse(&bytes).unwrap());
        if name.starts_with("ref-") {
            // Hand-made with Python's default `", "` separators: not model_signing's layout.
            assert_ne!(written, bytes, "{name}");
        } else {
            assert_eq!(
                String::from_utf8(written).unwrap(),
                String::from_utf8(bytes).unwrap(),
                "{name}"
            );
            reproduced += 1;
        }
    }
    assert_eq!(reproduced, 13);
}

// ---------------------------------------------------------------------------------------
// OMS spec vectors

#[test]
fn oms_valid_vectors() {
    let dir = "oms-spec-vectors/test-vectors/v1.0/valid";
    let key = parse(&read(&format!("{dir}/key.bundle.json"))).unwrap();
    assert!(matches!(
        key.verification_material.signer,
        SignerMaterial::PublicKeyHint(Some(_))
    ));
    let cert = parse(&read(&format!("{dir}/certificate.bundle.json"))).unwrap();
    assert!(
        matches!(&cert.verification_material.signer, SignerMaterial::X509Chain(c) if c.len() >= 2)
    );
    let sigstore = parse(&read(&format!("{dir}/sigstore.bundle.json"))).unwrap();
    assert!(matches!(
        sigstore.verification_material.signer,
        SignerMaterial::Certificate(_)
    ));
    assert_eq!(sigstore.verification_material.tlog_entries.len(), 1);
    assert_eq!(sigstore.verification_material.rfc3161_timestamps.len(), 1);
    // RFC 3161 responses and tokens are DER SEQUENCEs.
    assert_eq!(
        sigstore.verification_material.rfc3161_timestamps[0][0],
        0x30
    );
    for b in [&key, &cert, &sigstore] {
        b.require_oms_media_type().unwrap();
        b.dsse_envelope().unwrap();
    }
}

#[test]
fn oms_invalid_vectors_are_rejected() {
    let dir = "oms-spec-vectors/test-vectors/v1.0/invalid";
    assert!(matches!(
        parse(&read(&format!("{dir}/empty.bundle.json"))),
        Err(Error::Json { .. })
    ));
    assert!(matches!(
        parse(&read(&format!("{dir}/missing-envelope.bundle.json"))),
        Err(Error::ContentCount { found }) if found.is_empty()
    ));
    assert!(matches!(
        parse(&read(&format!("{dir}/missing-tlog-entries.bundle.json"))),
        Err(Error::KeylessWithoutTlogEntry)
    ));
    assert!(matches!(
        parse(&read(&format!(
            "{dir}/missing-verification-material.bundle.json"
        ))),
        Err(Error::MissingField {
            field: "verificationMaterial"
        })
    ));
    // The payload vector is a well-formed bundle: it fails later, at statement level.
    parse(&read(
        "oms-spec-vectors/test-vectors/v1.0/invalid-payload/wrong-predicate.bundle.json",
    ))
    .unwrap();
}

// ---------------------------------------------------------------------------------------
// Sigstore conformance bundles (v0.1 – v0.3, messageSignature, line-wrapped base64)

#[test]
fn sigstore_conformance_bundles() {
    let dir = testdata().join("sigstore-conformance/assets/bundle-verify");
    let lenient = ParseOptions::with_base64(Base64Policy::AllowLineBreaks);
    let mut parsed = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let case = entry.unwrap().path();
        let file = case.join("bundle.sigstore.json");
        if !file.exists() {
            continue;
        }
        let name = case.file_name().unwrap().to_str().unwrap().to_owned();
        let bytes = std::fs::read(&file).unwrap();
        let result = parse_with(&bytes, &lenient);
        match name.as_str() {
            "bundle-malformed-json_fail" => assert!(matches!(result, Err(Error::Json { .. }))),
            "bundle-unknown-version_fail" => {
                assert!(matches!(result, Err(Error::UnsupportedMediaType { .. })))
            }
            "bundle-invalid-base64-signature_fail" => assert!(
                matches!(
                    result,
                    Err(Error::Base64 {
                        field: "messageSignature.signature"
                    })
                ),
                "{result:?}"
            ),
            "bundle-empty-certificate-chain_fail" => {
                assert!(matches!(result, Err(Error::EmptyField { .. })))
            }
            _ => {
                let bundle = result.unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(
                    !bundle.verification_material.tlog_entries.is_empty(),
                    "{name}"
                );
                parsed += 1;
            }
        }
    }
    assert_eq!(parsed, 66);

    // Line-wrapped base64 is refused by default (model_signing's rule).
    let wrapped =
        std::fs::read(dir.join("rekor2-timestamp-with-incorrect-time_fail/bundle.sigstore.json"))
            .unwrap();
    assert!(matches!(parse(&wrapped), Err(Error::Base64 { .. })));
    assert_eq!(
        parse_with(&wrapped, &lenient)
            .unwrap()
            .verification_material
            .rfc3161_timestamps
            .len(),
        1
    );
}

#[test]
fn media_types() {
    let v02 = parse(&read(
        "sigstore-conformance/assets/bundle-verify/happy-path-v0.2/bundle.sigstore.json",
    ))
    .unwrap();
    assert_eq!(v02.media_type, MediaType::V0_2);
    match v02.require_oms_media_type() {
        Err(e @ Error::NotOmsMediaType { .. }) => assert_eq!(
            e.to_string(),
            "Invalid sigstore bundle, got media type application/vnd.dev.sigstore.bundle+json;version=0.2"
        ),
        other => panic!("{other:?}"),
    }
    assert!(matches!(v02.content, Content::MessageSignature(_)));
    assert!(matches!(v02.dsse_envelope(), Err(Error::NotDsse)));
    let v03p = parse(&read(
        "sigstore-conformance/assets/bundle-verify/happy-path-v0.3/bundle.sigstore.json",
    ))
    .unwrap();
    assert_eq!(v03p.media_type, MediaType::V0_3Parameter);
    assert!(v03p.require_oms_media_type().is_err());
}

// ---------------------------------------------------------------------------------------
// Malformed input

fn key_bundle_text() -> String {
    String::from_utf8(read("model-signing-1.1.1/bundles/key-p256.sig")).unwrap()
}

fn parse_str(s: &str) -> Result<Bundle, Error> {
    parse(s.as_bytes())
}

#[test]
fn truncated_json() {
    let text = key_bundle_text();
    for cut in [1, 10, text.len() / 2, text.len() - 1] {
        assert!(
            matches!(parse_str(&text[..cut]), Err(Error::Json { .. })),
            "{cut}"
        );
    }
}

#[test]
fn base64_must_be_standard_and_padded() {
    let text = key_bundle_text();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let sig = v["dsseEnvelope"]["signatures"][0]["sig"]
        .as_str()
        .unwrap()
        .to_owned();
    let unpadded = sig.trim_end_matches('=').to_owned();
    assert_ne!(unpadded, sig, "fixture signature has padding");
    assert!(matches!(
        parse_str(&text.replace(&sig, &unpadded)),
        Err(Error::Base64 {
            field: "dsseEnvelope.signatures[].sig"
        })
    ));
    let url_safe = sig.replace('+', "-").replace('/', "_");
    if url_safe != sig {
        assert!(matches!(
            parse_str(&text.replace(&sig, &url_safe)),
            Err(Error::Base64 { .. })
        ));
    }
    let with_newline = format!("{}\\n{}", &sig[..8], &sig[8..]);
    assert!(matches!(
        parse_str(&text.replace(&sig, &with_newline)),
        Err(Error::Base64 { .. })
    ));
    let lenient = ParseOptions::with_base64(Base64Policy::AllowLineBreaks);
    parse_with(text.replace(&sig, &with_newline).as_bytes(), &lenient).unwrap();
}

#[test]
fn verification_material_must_have_exactly_one_signer() {
    let text = key_bundle_text();
    let two = text.replace(
        r#""tlogEntries":[]"#,
        r#""tlogEntries":[],"certificate":{"rawBytes":"AAAA"}"#,
    );
    assert!(matches!(
        parse_str(&two),
        Err(Error::SignerMaterialCount { found }) if found == ["publicKey", "certificate"]
    ));
    let none = text.replace(&format!(r#""publicKey":{{"hint":"{EC256_HINT}"}},"#), "");
    assert!(matches!(
        parse_str(&none),
        Err(Error::SignerMaterialCount { found }) if found.is_empty()
    ));
}

#[test]
fn content_must_be_exactly_one() {
    let text = key_bundle_text();
    let both = text.replace(
        r#""dsseEnvelope":"#,
        r#""messageSignature":{"signature":"AAAA"},"dsseEnvelope":"#,
    );
    assert!(matches!(
        parse_str(&both),
        Err(Error::ContentCount { found }) if found == ["dsseEnvelope", "messageSignature"]
    ));
}

#[test]
fn unknown_and_duplicate_fields_are_refused() {
    let text = key_bundle_text();
    let unknown = text.replace(r#""tlogEntries":[]"#, r#""tlogEntries":[],"extra":1"#);
    assert!(
        matches!(parse_str(&unknown), Err(Error::Json { message, .. }) if message.contains("unknown field `extra`"))
    );
    let dup = text.replace(
        r#""tlogEntries":[]"#,
        r#""tlogEntries":[],"tlogEntries":[]"#,
    );
    assert!(
        matches!(parse_str(&dup), Err(Error::Json { message, .. }) if message.contains("duplicate field"))
    );
}

#[test]
fn optional_parts_model_signing_tolerates() {
    let text = key_bundle_text();
    // No tlogEntries, no keyid, null keyid, no hint.
    let b = parse_str(&text.replace(r#","tlogEntries":[]"#, "")).unwrap();
    assert!(b.verification_material.tlog_entries.is_empty());
    let b = parse_str(&text.replace(r#","keyid":"""#, "")).unwrap();
    assert_eq!(b.dsse_envelope().unwrap().signatures[0].keyid, None);
    let b = parse_str(&text.replace(r#""keyid":"""#, r#""keyid":null"#)).unwrap();
    assert_eq!(b.dsse_envelope().unwrap().signatures[0].keyid, None);
    let b = parse_str(&text.replace(&format!(r#"{{"hint":"{EC256_HINT}"}}"#), "{}")).unwrap();
    assert_eq!(
        b.verification_material.signer,
        SignerMaterial::PublicKeyHint(None)
    );
}

#[test]
fn legacy_raw_public_key() {
    let pem = b"-----BEGIN PUBLIC KEY-----\nMHYw\n-----END PUBLIC KEY-----\n";
    let text = key_bundle_text().replace(
        &format!(r#"{{"hint":"{EC256_HINT}"}}"#),
        &format!(
            r#"{{"rawBytes":"{}","keyDetails":"PKIX_ECDSA_P384_SHA_384"}}"#,
            b64(pem)
        ),
    );
    let b = parse_str(&text).unwrap();
    assert_eq!(
        b.verification_material.signer,
        SignerMaterial::LegacyRawPublicKey {
            raw_bytes: pem.to_vec(),
            key_details: Some("PKIX_ECDSA_P384_SHA_384".into())
        }
    );
    assert_eq!(to_json(&b), text.as_bytes());
    let both = key_bundle_text().replace(
        &format!(r#"{{"hint":"{EC256_HINT}"}}"#),
        &format!(r#"{{"hint":"x","rawBytes":"{}"}}"#, b64(pem)),
    );
    assert!(matches!(parse_str(&both), Err(Error::AmbiguousPublicKey)));
    let details_only = key_bundle_text().replace(
        &format!(r#"{{"hint":"{EC256_HINT}"}}"#),
        r#"{"keyDetails":"PKIX_ECDSA_P384_SHA_384"}"#,
    );
    assert!(matches!(
        parse_str(&details_only),
        Err(Error::KeyDetailsWithoutRawBytes)
    ));
}

fn with_timestamps(tokens: &[String]) -> String {
    let list: Vec<String> = tokens
        .iter()
        .map(|t| format!(r#"{{"signedTimestamp":"{t}"}}"#))
        .collect();
    key_bundle_text().replace(
        r#""tlogEntries":[]"#,
        &format!(
            r#""tlogEntries":[],"timestampVerificationData":{{"rfc3161Timestamps":[{}]}}"#,
            list.join(",")
        ),
    )
}

#[test]
fn timestamp_rules() {
    let token = |i: usize| b64(&[0x30, 0x03, 0x02, 0x01, u8::try_from(i % 256).unwrap()]);
    let ok: Vec<_> = (0..MAX_TIMESTAMPS).map(token).collect();
    assert_eq!(
        parse_str(&with_timestamps(&ok))
            .unwrap()
            .verification_material
            .rfc3161_timestamps
            .len(),
        MAX_TIMESTAMPS
    );
    let too_many: Vec<_> = (0..=MAX_TIMESTAMPS).map(token).collect();
    assert!(matches!(
        parse_str(&with_timestamps(&too_many)),
        Err(Error::TooMany {
            count: 33,
            max: 32,
            ..
        })
    ));
    // A huge list is refused without being decoded.
    let huge: Vec<_> = (0..100_000).map(|_| "x".to_owned()).collect();
    assert!(matches!(
        parse_str(&with_timestamps(&huge)),
        Err(Error::TooMany { count: 100_000, .. })
    ));
    assert!(matches!(
        parse_str(&with_timestamps(&[token(1), token(2), token(1)])),
        Err(Error::DuplicateTimestamp { index: 2, first: 0 })
    ));
    let big = b64(&vec![0u8; MAX_TIMESTAMP_LEN + 1]);
    assert!(matches!(
        parse_str(&with_timestamps(&[big])),
        Err(Error::ItemTooLarge { index: 0, .. })
    ));
    assert!(matches!(
        parse_str(&with_timestamps(&[String::new()])),
        Err(Error::EmptyField { .. })
    ));
    // Absent list or empty object: no timestamps.
    let empty = key_bundle_text().replace(
        r#""tlogEntries":[]"#,
        r#""tlogEntries":[],"timestampVerificationData":{}"#,
    );
    assert!(parse_str(&empty)
        .unwrap()
        .verification_material
        .rfc3161_timestamps
        .is_empty());
}

#[test]
fn other_limits_and_empties() {
    let big = vec![b' '; MAX_BUNDLE_LEN + 1];
    assert!(matches!(parse(&big), Err(Error::TooLarge { .. })));
    let text = key_bundle_text();
    // The signatures list is the last value in model_signing's layout.
    let no_sigs = format!(
        "{}\"signatures\":[]}}}}",
        &text[..text.find("\"signatures\":[").unwrap()]
    );
    assert!(matches!(
        parse_str(&no_sigs),
        Err(Error::EmptyField {
            field: "dsseEnvelope.signatures"
        })
    ));
    let unknown_media = text.replace(MEDIA_TYPE_V03, "application/json");
    assert!(
        matches!(parse_str(&unknown_media), Err(Error::UnsupportedMediaType { got }) if got == "application/json")
    );
}

// ---------------------------------------------------------------------------------------
// add_timestamps

#[test]
fn add_timestamps_to_a_model_signing_bundle_inserts_exactly_one_key() {
    let token = read("openssl-tsa/response.tsr");
    let original = key_bundle_text();
    let out = add_timestamps(original.as_bytes(), std::slice::from_ref(&token)).unwrap();
    let expected = original.replace(
        r#""tlogEntries":[]"#,
        &format!(
            r#""tlogEntries":[],"timestampVerificationData":{{"rfc3161Timestamps":[{{"signedTimestamp":"{}"}}]}}"#,
            b64(&token)
        ),
    );
    assert_eq!(String::from_utf8(out.clone()).unwrap(), expected);

    // The fragment in the openssl-tsa fixtures shows the same place and encoding.
    let fragment: serde_json::Value =
        serde_json::from_slice(&read("openssl-tsa/bundle-fragment.json")).unwrap();
    let ours: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        ours["verificationMaterial"]["timestampVerificationData"],
        fragment["verificationMaterial"]["timestampVerificationData"]
    );

    // Adding a second, different one appends; adding the same again is refused.
    let second = read("openssl-tsa/response-sha512-policy.tsr");
    let out2 = add_timestamps(&out, std::slice::from_ref(&second)).unwrap();
    assert_eq!(
        parse(&out2)
            .unwrap()
            .verification_material
            .rfc3161_timestamps,
        vec![token.clone(), second]
    );
    assert!(matches!(
        add_timestamps(&out, &[token]),
        Err(Error::DuplicateTimestamp { index: 1, first: 0 })
    ));
}

#[test]
fn add_timestamps_keeps_foreign_layouts_except_the_edited_objects() {
    let token = read("openssl-tsa/response.tsr");
    for rel in [
        "oms-spec-vectors/test-vectors/v1.0/valid/key.bundle.json",
        "oms-spec-vectors/test-vectors/v1.0/valid/certificate.bundle.json",
        "oms-spec-vectors/test-vectors/v1.0/valid/sigstore.bundle.json",
        "model-signing-1.1.1/bundles/ref-shards-int-shard-size.sig",
    ] {
        let original = read(rel);
        let before = parse(&original).unwrap();
        let out = add_timestamps(&original, std::slice::from_ref(&token)).unwrap();
        assert_ne!(to_json(&before), original, "{rel}: takes the in-place path");
        let after = parse(&out).unwrap();
        assert_eq!(after.content, before.content, "{rel}");
        assert_eq!(
            after.verification_material.signer,
            before.verification_material.signer
        );
        assert_eq!(
            after.verification_material.tlog_entries,
            before.verification_material.tlog_entries
        );
        assert_eq!(
            after.verification_material.rfc3161_timestamps.last(),
            Some(&token),
            "{rel}"
        );
        // Every value other than the edited objects keeps its exact text: the signed
        // payload and the DSSE envelope object appear verbatim in the output.
        let original_text = std::str::from_utf8(&original).unwrap();
        let out_text = std::str::from_utf8(&out).unwrap();
        let key = original_text.find("\"dsseEnvelope\"").unwrap();
        let envelope_start = key + original_text[key..].find('{').unwrap();
        let envelope_text = &original_text[envelope_start..original_text.rfind('}').unwrap()];
        assert!(out_text.contains(envelope_text.trim_end()), "{rel}");
    }
}

#[test]
fn add_timestamps_respects_the_limit() {
    let tokens: Vec<Vec<u8>> = (0..=MAX_TIMESTAMPS)
        .map(|i| vec![0x30, 0x01, u8::try_from(i).unwrap()])
        .collect();
    assert!(matches!(
        add_timestamps(key_bundle_text().as_bytes(), &tokens),
        Err(Error::TooMany { count: 33, .. })
    ));
}

// ---------------------------------------------------------------------------------------
// OMS JSON Schema (python-jsonschema as the outside checker)

fn validate_with_oms_schema(document: &[u8]) {
    let dir = testdata().join("oms-spec-vectors/schemas/v1.0");
    let script = r#"
import json, sys, pathlib
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
d = pathlib.Path(sys.argv[1])
schemas = {p.name: json.loads(p.read_text()) for p in d.glob("*.json")}
reg = Registry().with_resources([(s["$id"], Resource.from_contents(s)) for s in schemas.values()])
v = Draft202012Validator(schemas["bundle.schema.json"], registry=reg)
errors = [e.message for e in v.iter_errors(json.load(sys.stdin))]
print("\n".join(errors))
sys.exit(1 if errors else 0)
"#;
    let mut child = Command::new("python3")
        .args(["-c", script, dir.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 with jsonschema is the schema oracle");
    std::io::Write::write_all(child.stdin.as_mut().unwrap(), document).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn written_bundles_pass_the_oms_bundle_schema() {
    let token = read("openssl-tsa/response.tsr");
    for name in ["key-p256", "cert-p256-chain"] {
        let text = read(&format!("model-signing-1.1.1/bundles/{name}.sig"));
        validate_with_oms_schema(&add_timestamps(&text, std::slice::from_ref(&token)).unwrap());
    }
}

// ---------------------------------------------------------------------------------------
// Properties

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 1..64)
}

fn signer() -> impl Strategy<Value = SignerMaterial> {
    prop_oneof![
        proptest::option::of("[a-f0-9]{0,64}").prop_map(SignerMaterial::PublicKeyHint),
        (bytes(), proptest::option::of("[A-Z0-9_]{1,20}")).prop_map(|(raw_bytes, key_details)| {
            SignerMaterial::LegacyRawPublicKey {
                raw_bytes,
                key_details,
            }
        }),
        proptest::collection::vec(bytes(), 1..4).prop_map(SignerMaterial::X509Chain),
        bytes().prop_map(SignerMaterial::Certificate),
    ]
}

fn content() -> impl Strategy<Value = Content> {
    prop_oneof![
        (
            bytes(),
            "\\PC{0,30}",
            proptest::collection::vec((bytes(), proptest::option::of("\\PC{0,10}")), 1..3)
        )
            .prop_map(|(payload, payload_type, sigs)| Content::Dsse(DsseEnvelope {
                payload,
                payload_type,
                signatures: sigs
                    .into_iter()
                    .map(|(sig, keyid)| DsseSignature { sig, keyid })
                    .collect(),
            })),
        (proptest::option::of(("[A-Z0-9_]{1,10}", bytes())), bytes()).prop_map(|(d, signature)| {
            Content::MessageSignature(MessageSignature {
                message_digest: d.map(|(algorithm, digest)| MessageDigest { algorithm, digest }),
                signature,
            })
        }),
    ]
}

fn bundle() -> impl Strategy<Value = Bundle> {
    (
        prop_oneof![
            Just(MediaType::V0_1),
            Just(MediaType::V0_2),
            Just(MediaType::V0_3),
            Just(MediaType::V0_3Parameter)
        ],
        signer(),
        proptest::collection::btree_set(bytes(), 0..4),
        content(),
    )
        .prop_map(|(media_type, signer, timestamps, content)| {
            // Keyless bundles need a log entry; its content is opaque to this crate.
            let tlog_entries = if matches!(signer, SignerMaterial::Certificate(_)) {
                vec![serde_json::json!({"logIndex": "1", "kindVersion": {"kind": "dsse", "version": "0.0.1"}})]
            } else {
                vec![]
            };
            Bundle {
                media_type,
                verification_material: VerificationMaterial {
                    signer,
                    tlog_entries,
                    rfc3161_timestamps: timestamps.into_iter().collect(),
                },
                content,
            }
        })
}

proptest! {
    #[test]
    fn write_then_parse_is_identity(b in bundle()) {
        let json = to_json(&b);
        prop_assert_eq!(parse(&json).unwrap(), b);
    }

    #[test]
    fn add_timestamps_equals_writing_with_them(b in bundle(), extra in proptest::collection::btree_set(bytes(), 1..3)) {
        let extra: Vec<Vec<u8>> = extra.into_iter().filter(|t| !b.verification_material.rfc3161_timestamps.contains(t)).collect();
        prop_assume!(!extra.is_empty());
        let mut expected = b.clone();
        expected.verification_material.rfc3161_timestamps.extend(extra.iter().cloned());
        prop_assert_eq!(add_timestamps(&to_json(&b), &extra).unwrap(), to_json(&expected));
    }

    #[test]
    fn parse_never_panics(data in proptest::collection::vec(any::<u8>(), 0..256)) {
        let _ = parse(&data);
    }
}

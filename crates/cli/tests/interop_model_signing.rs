//! Interop with the Python reference `model_signing` 1.1.1, both ways (issue 2, item 8):
//!
//! - (b) bundles made now by `model_signing sign key|certificate` verify with
//!   `modelsign verify`, and `modelsign hash` computes the root digest they record;
//! - (c) bundles made by `modelsign sign` in the same configuration verify with
//!   `model_signing verify`, and hold the same statement (subject, serialization
//!   settings, resources) as the reference's;
//! - (d) a tampered file, a missing or extra file, a tampered signature, a wrong key and an
//!   untrusted chain fail in both tools, whichever tool signed.
//!
//! The golden bundles of ../shared/testdata/model-signing-1.1.1 (case (a)) are checked
//! elsewhere; this file runs both tools for real. It needs `<repo>/.venv` (made by
//! `bash .ci/run`) and fails, with instructions, without it.
// Test code: `cfg(test)` lets clippy apply its in-tests allowances to the helpers too.
#![cfg(test)]

mod interop_support;

use std::collections::BTreeSet;
use std::fs;

use interop_support::{
    key, read_json, remove_key_hint, statement, subject_digest, tamper_bundle_signature,
    tamper_file, Curve, IgnorePath, Signer, Signing, Tool, Trust, Workspace,
};
use serde_json::Value;

const SIGNED: &str = "Signing succeeded";
const VERIFIED: &str = "Verification succeeded";

/// A workspace with a fresh copy of the sample model in which `signer_tool` has signed
/// according to `signing`.
fn signed_by(signer_tool: Tool, signing: &Signing) -> Workspace {
    let ws = Workspace::new();
    ws.copy_model("model");
    ws.run(signer_tool, signing.sign_args(signer_tool, &ws))
        .assert_success(SIGNED);
    ws
}

/// (b) + (c): each tool signs its own copy of the model with the same configuration; the
/// other tool verifies it; both statements say the same; `modelsign hash` agrees with the
/// root digest the reference recorded.
fn interop_both_ways(signing: &Signing) {
    let by_reference = signed_by(Tool::ModelSigning, signing);
    let by_modelsign = signed_by(Tool::Modelsign, signing);

    // (b) reference bundle -> modelsign verify.
    by_reference
        .modelsign(signing.verify_args(Tool::Modelsign))
        .assert_success(VERIFIED);
    // (c) modelsign bundle -> reference verify.
    by_modelsign
        .model_signing(signing.verify_args(Tool::ModelSigning))
        .assert_success(VERIFIED);

    assert_same_statement(
        &statement(&by_reference.join(signing.signature)),
        &statement(&by_modelsign.join(signing.signature)),
    );
    assert_same_envelope_and_material(
        &read_json(&by_reference.join(signing.signature)),
        &read_json(&by_modelsign.join(signing.signature)),
    );

    // `modelsign hash` over the reference's copy, with the same selection; a signature
    // written inside the model exists now and must be left out, as the signer did.
    let mut hash_args = vec!["hash".into(), signing.model.into()];
    hash_args.extend(signing.selection_args(&by_reference));
    if signing.signature.starts_with("model/") {
        hash_args.extend(["--ignore-paths".into(), signing.signature.into()]);
    }
    let hash = by_reference.modelsign(hash_args);
    assert_eq!(hash.code(), Some(0), "{hash}");
    let expected = format!(
        "sha256:{}",
        subject_digest(&by_reference.join(signing.signature))
    );
    assert!(
        hash.stdout().lines().any(|line| line.trim() == expected),
        "modelsign hash must print {expected} (the reference's root digest):\n{hash}"
    );
}

/// The statements of two bundles made from the same model and configuration are equal,
/// except for `ignore_paths`, whose order 1.1.1 randomises (set iteration; oms-format §2).
fn assert_same_statement(reference: &Value, modelsign: &Value) {
    let normalise = |statement: &Value| {
        let mut statement = statement.clone();
        let serialization = &mut statement["predicate"]["serialization"];
        if let Some(Value::Array(paths)) = serialization.get_mut("ignore_paths") {
            let set: BTreeSet<String> = paths
                .iter()
                .map(|p| p.as_str().unwrap_or_default().to_owned())
                .collect();
            *paths = set.into_iter().map(Value::String).collect();
        }
        statement
    };
    let (reference, modelsign) = (normalise(reference), normalise(modelsign));
    assert!(
        reference == modelsign,
        "statements differ for the same model and configuration\n--- model_signing 1.1.1 ---\n{}\n--- modelsign ---\n{}",
        serde_json::to_string_pretty(&reference).unwrap(),
        serde_json::to_string_pretty(&modelsign).unwrap()
    );
}

/// Apart from the payload (checked above, its JSON layout may differ) and the randomised
/// ECDSA signature, two bundles from the same inputs are equal: media type, key hint or
/// certificate chain (leaf first, then the chain files in order), `tlogEntries: []`,
/// payload type and `keyid`.
fn assert_same_envelope_and_material(reference: &Value, modelsign: &Value) {
    let strip = |bundle: &Value| {
        let mut bundle = bundle.clone();
        let envelope = &mut bundle["dsseEnvelope"];
        if let Some(envelope) = envelope.as_object_mut() {
            envelope.remove("payload");
        }
        if let Some(Value::Array(signatures)) = envelope.get_mut("signatures") {
            for signature in signatures.iter_mut().filter_map(Value::as_object_mut) {
                signature.remove("sig");
            }
        }
        bundle
    };
    let (reference, modelsign) = (strip(reference), strip(modelsign));
    assert!(
        reference == modelsign,
        "bundles differ beyond payload and signature\n--- model_signing 1.1.1 ---\n{}\n--- modelsign ---\n{}",
        serde_json::to_string_pretty(&reference).unwrap(),
        serde_json::to_string_pretty(&modelsign).unwrap()
    );
}

// ---- (b) + (c): key mode ----

#[test]
fn key_p256_directory() {
    interop_both_ways(&Signing::new(Signer::Key(Curve::P256)));
}

#[test]
fn key_p384_directory() {
    interop_both_ways(&Signing::new(Signer::Key(Curve::P384)));
}

#[test]
fn key_p521_directory() {
    interop_both_ways(&Signing::new(Signer::Key(Curve::P521)));
}

#[test]
fn key_p256_single_file() {
    // Resource name ".", subject name "weights.bin" (oms-format §14).
    interop_both_ways(&Signing {
        model: "model/weights.bin",
        ..Signing::new(Signer::Key(Curve::P256))
    });
}

#[test]
fn key_p384_ignore_paths_relative_to_cwd() {
    interop_both_ways(&Signing {
        ignore_paths: vec![
            IgnorePath::Relative("model/sub"),
            IgnorePath::Relative("model/a.txt"),
        ],
        ..Signing::new(Signer::Key(Curve::P384))
    });
}

#[test]
fn key_p521_ignore_paths_absolute() {
    interop_both_ways(&Signing {
        ignore_paths: vec![
            IgnorePath::Absolute("model/a"),
            IgnorePath::Absolute("model/empty.bin"),
        ],
        ..Signing::new(Signer::Key(Curve::P521))
    });
}

#[test]
fn key_p256_ignore_path_relative_to_model_is_not_applied() {
    // Run from the model's parent, `sub` names `<cwd>/sub`, outside the model: 1.1.1
    // drops it silently (modelsign warns), and `model/sub` stays signed in both.
    let signing = Signing {
        ignore_paths: vec![IgnorePath::Relative("sub")],
        ..Signing::new(Signer::Key(Curve::P256))
    };
    interop_both_ways(&signing);
    let ws = signed_by(Tool::Modelsign, &signing);
    let names = resource_names(&statement(&ws.join(signing.signature)));
    assert!(
        names.contains("sub/tokenizer.txt"),
        "sub/tokenizer.txt must be signed: {names:?}"
    );
}

#[test]
fn key_p256_signature_inside_model() {
    // The signature file is recorded in ignore_paths, so it is skipped when verifying.
    interop_both_ways(&Signing {
        signature: "model/model.sig",
        ..Signing::new(Signer::Key(Curve::P256))
    });
}

#[test]
fn key_p256_no_ignore_git_paths() {
    // .git/HEAD, .github/ci.yml and .gitignore are signed, and the verifier needs the flag.
    let signing = Signing {
        no_ignore_git_paths: true,
        ..Signing::new(Signer::Key(Curve::P256))
    };
    interop_both_ways(&signing);
    let ws = signed_by(Tool::Modelsign, &signing);
    let names = resource_names(&statement(&ws.join(signing.signature)));
    assert!(
        names.contains(".git/HEAD"),
        ".git/HEAD must be signed: {names:?}"
    );
}

// ---- (b) + (c): certificate mode ----

#[test]
fn certificate_directory() {
    interop_both_ways(&Signing::new(Signer::Certificate));
}

#[test]
fn certificate_single_file() {
    interop_both_ways(&Signing {
        model: "model/weights.bin",
        ..Signing::new(Signer::Certificate)
    });
}

#[test]
fn certificate_ignore_paths() {
    interop_both_ways(&Signing {
        ignore_paths: vec![
            IgnorePath::Relative("model/a"),
            IgnorePath::Relative("model/config.json"),
        ],
        ..Signing::new(Signer::Certificate)
    });
}

fn resource_names(statement: &Value) -> BTreeSet<String> {
    statement["predicate"]["resources"]
        .as_array()
        .unwrap_or_else(|| panic!("no predicate.resources in {statement}"))
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect()
}

// ---- (d): what must fail, in both tools, whoever signed ----

/// Both tools verify `ws` as signed: the control that makes the failures below mean
/// something (a test whose setup never verified could "fail" for any reason).
fn both_verify(ws: &Workspace, signing: &Signing) {
    for tool in Tool::BOTH {
        ws.run(tool, signing.verify_args(tool))
            .assert_success(VERIFIED);
    }
}

/// Both tools reject, with exit 1 (not 2: a usage error would prove nothing).
fn both_reject(ws: &Workspace, signing: &Signing, trust: Option<&Trust>, why: &str) {
    for tool in Tool::BOTH {
        let args = match trust {
            Some(trust) => signing.verify_args_with(tool, trust),
            None => signing.verify_args(tool),
        };
        let run = ws.run(tool, args);
        assert!(
            run.code() == Some(1),
            "{tool} must reject ({why}) with exit 1:\n{run}"
        );
    }
}

fn tampered_file_fails(signer_tool: Tool) {
    let signing = Signing::new(Signer::Key(Curve::P256));
    let ws = signed_by(signer_tool, &signing);
    both_verify(&ws, &signing);
    tamper_file(&ws.join("model/weights.bin"));
    both_reject(&ws, &signing, None, "one bit of weights.bin flipped");
}

#[test]
fn tampered_file_fails_model_signing_bundle() {
    tampered_file_fails(Tool::ModelSigning);
}

#[test]
fn tampered_file_fails_modelsign_bundle() {
    tampered_file_fails(Tool::Modelsign);
}

fn tampered_single_file_fails(signer_tool: Tool) {
    let signing = Signing {
        model: "model/weights.bin",
        ..Signing::new(Signer::Certificate)
    };
    let ws = signed_by(signer_tool, &signing);
    both_verify(&ws, &signing);
    tamper_file(&ws.join("model/weights.bin"));
    both_reject(
        &ws,
        &signing,
        None,
        "one bit of the single-file model flipped",
    );
}

#[test]
fn tampered_single_file_fails_model_signing_bundle() {
    tampered_single_file_fails(Tool::ModelSigning);
}

#[test]
fn tampered_single_file_fails_modelsign_bundle() {
    tampered_single_file_fails(Tool::Modelsign);
}

fn missing_file_fails(signer_tool: Tool) {
    let signing = Signing::new(Signer::Key(Curve::P384));
    let ws = signed_by(signer_tool, &signing);
    both_verify(&ws, &signing);
    fs::remove_file(ws.join("model/config.json")).unwrap();
    both_reject(&ws, &signing, None, "config.json removed");
}

#[test]
fn missing_file_fails_model_signing_bundle() {
    missing_file_fails(Tool::ModelSigning);
}

#[test]
fn missing_file_fails_modelsign_bundle() {
    missing_file_fails(Tool::Modelsign);
}

fn extra_file_fails_unless_ignored(signer_tool: Tool) {
    let signing = Signing::new(Signer::Key(Curve::P521));
    let ws = signed_by(signer_tool, &signing);
    both_verify(&ws, &signing);
    fs::write(ws.join("model/sub/added.bin"), b"not signed").unwrap();
    both_reject(
        &ws,
        &signing,
        None,
        "model/sub/added.bin is not covered by the signature",
    );
    for tool in Tool::BOTH {
        let mut args = signing.verify_args(tool);
        args.push(tool.flag("ignore-unsigned-files").into());
        ws.run(tool, args).assert_success(VERIFIED);
    }
}

#[test]
fn extra_file_fails_unless_ignored_model_signing_bundle() {
    extra_file_fails_unless_ignored(Tool::ModelSigning);
}

#[test]
fn extra_file_fails_unless_ignored_modelsign_bundle() {
    extra_file_fails_unless_ignored(Tool::Modelsign);
}

fn tampered_signature_fails(signer_tool: Tool) {
    let signing = Signing::new(Signer::Certificate);
    let ws = signed_by(signer_tool, &signing);
    both_verify(&ws, &signing);
    tamper_bundle_signature(&ws.join(signing.signature));
    both_reject(&ws, &signing, None, "one bit of the DSSE signature flipped");
}

#[test]
fn tampered_signature_fails_model_signing_bundle() {
    tampered_signature_fails(Tool::ModelSigning);
}

#[test]
fn tampered_signature_fails_modelsign_bundle() {
    tampered_signature_fails(Tool::Modelsign);
}

fn wrong_key_fails(signer_tool: Tool) {
    let signing = Signing::new(Signer::Key(Curve::P256));
    let ws = signed_by(signer_tool, &signing);
    both_verify(&ws, &signing);
    // Another P-256 key: same curve, so only the key itself differs.
    let other = Trust::PublicKey(key("leaf.pub.pem"));
    both_reject(
        &ws,
        &signing,
        Some(&other),
        "public key of another P-256 key pair",
    );
    let other_curve = Trust::PublicKey(Curve::P384.public_key());
    both_reject(
        &ws,
        &signing,
        Some(&other_curve),
        "public key on another curve",
    );

    // Without the key hint a wrong key can only be caught by the signature check.
    remove_key_hint(&ws.join(signing.signature));
    both_verify(&ws, &signing);
    both_reject(
        &ws,
        &signing,
        Some(&other),
        "another P-256 key, bundle without hint",
    );
}

#[test]
fn wrong_key_fails_model_signing_bundle() {
    wrong_key_fails(Tool::ModelSigning);
}

#[test]
fn wrong_key_fails_modelsign_bundle() {
    wrong_key_fails(Tool::Modelsign);
}

fn untrusted_chain_fails(signer_tool: Tool) {
    let signing = Signing::new(Signer::Certificate);
    let ws = signed_by(signer_tool, &signing);
    both_verify(&ws, &signing);
    let unrelated_root = Trust::Chain(vec![key("oldpki/root.crt.pem")]);
    both_reject(
        &ws,
        &signing,
        Some(&unrelated_root),
        "trust anchor of another PKI",
    );
    // The intermediate alone is not a trust anchor in either tool (only self-signed
    // certificates are): 1.1.1 says `unable to get issuer certificate`.
    let intermediate_only = Trust::Chain(vec![key("int.crt.pem")]);
    both_reject(
        &ws,
        &signing,
        Some(&intermediate_only),
        "only the intermediate trusted",
    );
}

#[test]
fn untrusted_chain_fails_model_signing_bundle() {
    untrusted_chain_fails(Tool::ModelSigning);
}

#[test]
fn untrusted_chain_fails_modelsign_bundle() {
    untrusted_chain_fails(Tool::Modelsign);
}

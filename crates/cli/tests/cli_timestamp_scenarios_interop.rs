//! Interop of timestamped signatures (issue 4, CI interop):
//!
//! - bundles signed by `modelsign sign --tsa-url` (key and certificate mode) still verify
//!   with the Python reference `model_signing` 1.1.1, which ignores `rfc3161Timestamps`;
//! - the tokens stored in our bundles verify with `openssl ts -verify -data <raw signature>
//!   -CAfile <TSA root> -attime <genTime>` (rfc3161-rules §11), and fail for other data.
//!
//! Uses the interop harness (`interop_support`, needs `<repo>/.venv` from `bash .ci/run`)
//! and the loopback TSA of the tsp client tests (`client_support`).
#![cfg(test)]
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../tsp/tests/client_support/mod.rs"]
mod client_support;
mod interop_support;

use std::fs;
use std::process::Command;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;
use client_support::{Server, Tsa};
use interop_support::{read_json, Curve, Signer, Signing, Tool, Workspace};

const SIGNED: &str = "Signing succeeded";
const VERIFIED: &str = "Verification succeeded";

/// Signs a fresh copy of the sample model with modelsign and a timestamp from a loopback
/// TSA; returns the workspace, the TSA and the signing configuration.
fn timestamped(signer: Signer) -> (Workspace, std::sync::Arc<Tsa>, Server, Signing) {
    let tsa = Tsa::new();
    let server = Server::granting(tsa.clone(), 200);
    let ws = Workspace::new();
    ws.copy_model("model");
    let pem: String = tsa.chain.iter().map(modelsign_devpki::pem).collect();
    fs::write(ws.join("tsa-chain.pem"), pem).unwrap();
    fs::write(ws.join("tsa-root.pem"), modelsign_devpki::pem(&tsa.root)).unwrap();
    fs::write(
        ws.join("tsa-leaf.pem"),
        modelsign_devpki::pem(&tsa.chain[0]),
    )
    .unwrap();
    let signing = Signing {
        extra_args: vec!["--tsa-url".into(), server.url.clone()],
        ..Signing::new(signer)
    };
    ws.run(Tool::Modelsign, signing.sign_args(Tool::Modelsign, &ws))
        .assert_success(SIGNED);
    (ws, tsa, server, signing)
}

fn model_signing_and_modelsign_verify(signer: Signer) {
    let (ws, _tsa, _server, signing) = timestamped(signer);
    let bundle = read_json(&ws.join(signing.signature));
    let stamps = &bundle["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"];
    assert_eq!(stamps.as_array().map(Vec::len), Some(1), "{bundle}");

    ws.model_signing(signing.verify_args(Tool::ModelSigning))
        .assert_success(VERIFIED);
    let mut args = signing.verify_args(Tool::Modelsign);
    args.extend([
        "--tsa-certificate-chain".into(),
        "tsa-chain.pem".into(),
        "--require-timestamp".into(),
    ]);
    ws.modelsign(args).assert_success(VERIFIED);
}

#[test]
fn timestamped_key_bundle_verifies_with_model_signing() {
    model_signing_and_modelsign_verify(Signer::Key(Curve::P256));
}

#[test]
fn timestamped_certificate_bundle_verifies_with_model_signing() {
    model_signing_and_modelsign_verify(Signer::Certificate);
}

#[test]
fn stored_token_verifies_with_openssl_over_the_raw_signature() {
    let (ws, _tsa, _server, signing) = timestamped(Signer::Certificate);
    let bundle = read_json(&ws.join(signing.signature));
    let sig = BASE64
        .decode(
            bundle["dsseEnvelope"]["signatures"][0]["sig"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    let tsr = BASE64
        .decode(
            bundle["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"][0]
                ["signedTimestamp"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
    fs::write(ws.join("signature.bin"), &sig).unwrap();
    fs::write(ws.join("response.tsr"), &tsr).unwrap();
    fs::write(ws.join("other.bin"), b"not the signature").unwrap();
    let gen_time = modelsign::TimestampInfo::read(&tsr).unwrap().gen_time;

    let verify = |data: &str| {
        Command::new("openssl")
            .args(["ts", "-verify", "-in", "response.tsr", "-data", data])
            .args(["-CAfile", "tsa-root.pem", "-untrusted", "tsa-leaf.pem"])
            .args(["-attime", &gen_time.unix_seconds().to_string()])
            .current_dir(ws.path())
            .output()
            .expect("openssl must be installed (bash .ci/setup installs it)")
    };
    let ok = verify("signature.bin");
    let text = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success() && text.contains("Verification: OK"),
        "{text}{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    // The control: the same token over other data fails (imprint mismatch).
    let bad = verify("other.bin");
    assert!(
        !bad.status.success(),
        "{}",
        String::from_utf8_lossy(&bad.stdout)
    );
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("message imprint mismatch"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

//! `modelsign demo [MODEL]`: the whole story on built-in defaults, offline.
//!
//! 1. a throwaway PKI (root CA → intermediate CA → code-signing leaf) and a key pair are
//!    created in a temporary directory (removed at the end);
//! 2. the model is signed in key mode and verified with the public key;
//! 3. it is signed in certificate mode and verified against the root CA alone;
//! 4. a copy of the model is tampered with (one byte changed, then a file added), and
//!    verification is shown to fail; a wrong key is shown to fail too;
//! 5. trusted time: a built-in RFC 3161 TSA is started in-process on 127.0.0.1; the model is
//!    signed with a short-lived certificate (one hour) and the signature timestamped through
//!    the same client as `sign --tsa-url`; it verifies now, and again "as the world will
//!    be" 30 days later (verification takes the time as input), when the certificate has
//!    expired: it still verifies because of the trusted timestamp, while an untimestamped
//!    twin fails.
//!
//! Without MODEL, the sample model of `examples/sample-model/` is used; its files are
//! embedded in the binary so the demo works from any directory. A given MODEL is only read;
//! tampering happens on a copy. Every step calls the same library functions as `sign` and
//! `verify`. Exit 0 only if every expected success succeeded and every expected failure
//! failed.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use modelsign::{
    SignRequest, SignedModel, Signer, Time, VerifiedModel, VerifierTrust, VerifyRequest,
};
use modelsign_devpki::DevPki;
use modelsign_pki::{KeyKind, SigningKey, TrustStore};

use crate::args::{DemoArgs, TsaHashArg, TsaSigningArgs};
use crate::atomic::write_atomically;
use crate::commands::demo_tsa::DemoTsa;
use crate::commands::timestamping::{self, PolicyNotMet};
use crate::output::{render_error, Printer};

/// The sample model, embedded at build time (see `examples/sample-model/README.md`).
const SAMPLE_MODEL: &[(&str, &[u8])] = &[
    (
        "README.md",
        include_bytes!("../../../../examples/sample-model/README.md"),
    ),
    (
        "config.json",
        include_bytes!("../../../../examples/sample-model/config.json"),
    ),
    (
        "tokenizer.txt",
        include_bytes!("../../../../examples/sample-model/tokenizer.txt"),
    ),
    (
        "weights/layer0.bin",
        include_bytes!("../../../../examples/sample-model/weights/layer0.bin"),
    ),
    (
        "weights/layer1.bin",
        include_bytes!("../../../../examples/sample-model/weights/layer1.bin"),
    ),
];

/// The demo leaf certificate's lifetime: long enough for the demo, short enough to be
/// obviously throwaway.
const LEAF_VALIDITY: Duration = Duration::from_secs(24 * 60 * 60);

pub(crate) fn demo(args: &DemoArgs, _printer: Printer) -> Result<bool> {
    let work = tempfile::Builder::new()
        .prefix("modelsign-demo-")
        .tempdir()
        .context("cannot create a temporary directory for the demo")?;
    let dir = work.path();
    let mut demo = Demo::default();

    println!("modelsign demo: sign and verify a model offline, with a throwaway PKI");
    println!("work directory: {} (removed at the end)", dir.display());
    println!();

    let model = match &args.model {
        Some(path) => {
            println!(
                "model: {} (given; only read, tampering uses a copy)",
                path.display()
            );
            path.clone()
        }
        None => {
            let path = dir.join("sample-model");
            write_sample_model(&path)?;
            println!(
                "model: the sample model of examples/sample-model ({} files), written to {}",
                SAMPLE_MODEL.len(),
                path.display()
            );
            path
        }
    };
    println!();

    // Step 1: keys and PKI.
    let now = Time::now();
    let pki = DevPki::model_signing(now, LEAF_VALIDITY).context("cannot create the demo PKI")?;
    let files = pki
        .write_pem_files(&dir.join("pki"))
        .context("cannot write the demo PKI")?;
    let key = SigningKey::generate(KeyKind::EcdsaP256).context("cannot generate a key")?;
    let public_key = key.public_key();
    let key_dir = dir.join("keys");
    fs::create_dir_all(&key_dir).context("cannot create the key directory")?;
    write_atomically(
        &key_dir.join("signing-key.pem"),
        key.to_pkcs8_pem()?.as_bytes(),
    )?;
    write_atomically(
        &key_dir.join("public-key.pem"),
        public_key.to_pem().as_bytes(),
    )?;
    println!("[1] Created keys and a throwaway PKI");
    println!("    key pair (ECDSA P-256):      {}", key_dir.display());
    println!(
        "    root CA (trust anchor):      '{}'",
        pki.root.cert.subject()
    );
    for i in &pki.intermediates {
        println!("    intermediate CA:             '{}'", i.cert.subject());
    }
    println!(
        "    signing certificate:         '{}', codeSigning, valid until {}",
        pki.leaf.cert.subject(),
        pki.leaf.cert.not_after()
    );
    println!(
        "    PEM files:                   {}",
        files.root.parent().unwrap_or(dir).display()
    );
    println!();

    // Step 2: key mode.
    let key_sig = dir.join("key-mode.sig");
    let signer = Signer::key(key);
    let signed = sign(&model, &signer, &key_sig)?;
    println!("[2] Key mode: signed the model");
    print_signed(&signed, &key_sig);
    let key_trust = VerifierTrust::PublicKey(public_key);
    demo.expect_success(
        "[3] Key mode: verified with the public key",
        verify(&model, &key_sig, &key_trust),
    );

    // Step 3: certificate mode.
    let cert_sig = dir.join("certificate-mode.sig");
    let intermediates = pki.intermediate_certificates();
    let root = pki.root.cert.clone();
    let cert_signer = Signer::certificate(pki.leaf.key, pki.leaf.cert, intermediates, now)?;
    let signed = sign(&model, &cert_signer, &cert_sig)?;
    println!("[4] Certificate mode: signed with the leaf certificate + intermediate in the bundle");
    print_signed(&signed, &cert_sig);
    // The verifier trusts only the root; the intermediate comes from the bundle.
    let root_only = VerifierTrust::Certificates(TrustStore::from_certificates(vec![root]));
    demo.expect_success(
        "[5] Certificate mode: verified against the root CA alone (chain built from the bundle)",
        verify(&model, &cert_sig, &root_only),
    );

    // Step 4: failures that must be caught.
    let copy = dir.join("tampered-model");
    copy_tree(&model, &copy)?;
    let victim = tamper_one_byte(&copy)?;
    demo.expect_failure(
        &format!("[6] Changed one byte of '{victim}' in a copy: verification"),
        verify(&copy, &cert_sig, &root_only),
    );
    copy_tree(&model, &copy)?;
    let extra = if copy.is_dir() {
        let extra = copy.join("backdoor.py");
        fs::write(&extra, b"print('not signed')\n").context("cannot add a file to the copy")?;
        Some(extra)
    } else {
        None
    };
    if extra.is_some() {
        demo.expect_failure(
            "[7] Added an unsigned file 'backdoor.py' to a fresh copy: verification",
            verify(&copy, &key_sig, &key_trust),
        );
    }
    let other_key = SigningKey::generate(KeyKind::EcdsaP256)?.public_key();
    demo.expect_failure(
        "[8] Verified the untouched model with a different public key",
        verify(&model, &key_sig, &VerifierTrust::PublicKey(other_key)),
    );
    let other_pki = DevPki::model_signing(now, LEAF_VALIDITY)?;
    demo.expect_failure(
        "[9] Verified the certificate-mode signature against another CA",
        verify(
            &model,
            &cert_sig,
            &VerifierTrust::Certificates(other_pki.trust_store()),
        ),
    );

    trusted_time_story(&mut demo, &model, dir, now)?;

    println!();
    if demo.all_as_expected {
        println!(
            "Demo succeeded: valid signatures verified, every tampering was caught, and the \
             timestamped signature outlived its certificate."
        );
        println!();
        println!("The same by hand (files from a throwaway PKI of your own):");
        println!("  modelsign sign key MODEL --private-key key.pem --signature model.sig");
        println!("  modelsign verify key MODEL --public-key pub.pem --signature model.sig");
        println!(
            "  modelsign sign certificate MODEL --private-key leaf-key.pem \\\n      \
             --signing-certificate leaf.pem --certificate-chain intermediates.pem --signature model.sig"
        );
        println!(
            "  modelsign verify certificate MODEL --certificate-chain root.pem --signature model.sig"
        );
        println!("  modelsign tsa serve --dev --listen 127.0.0.1:3000   # a TSA of your own");
        println!(
            "  modelsign sign certificate MODEL ... --tsa-url http://127.0.0.1:3000/api/v1/timestamp"
        );
        println!(
            "  modelsign verify certificate MODEL ... --tsa-certificate-chain tsa-chain.pem \\\n      \
             --require-timestamp"
        );
    } else {
        println!("Demo FAILED: an outcome differed from what was expected (see above).");
    }
    Ok(demo.all_as_expected)
}

#[derive(Debug)]
struct Demo {
    all_as_expected: bool,
}

impl Default for Demo {
    fn default() -> Self {
        Demo {
            all_as_expected: true,
        }
    }
}

impl Demo {
    fn expect_success(&mut self, step: &str, result: Result<VerifiedModel>) {
        match result {
            Ok(verified) => {
                println!("{step}: ok");
                for check in verified.checks() {
                    println!("    - {check}");
                }
                for note in verified.notes() {
                    println!("    note: {note}");
                }
            }
            Err(e) => {
                self.all_as_expected = false;
                println!("{step}: UNEXPECTED FAILURE: {}", render_error(&e));
            }
        }
        println!();
    }

    fn expect_failure(&mut self, step: &str, result: Result<VerifiedModel>) {
        match result {
            Err(e) => println!("{step}: failed, as it must:\n    {}", render_error(&e)),
            Ok(_) => {
                self.all_as_expected = false;
                println!("{step}: UNEXPECTEDLY SUCCEEDED");
            }
        }
        println!();
    }
}

/// Short enough that "30 days later" is clearly after expiry.
const SHORT_LEAF_VALIDITY: Duration = Duration::from_secs(60 * 60);
/// How far ahead the "future" verification looks.
const FUTURE: Duration = Duration::from_secs(30 * 24 * 60 * 60);

/// Step 5 of the module docs.
fn trusted_time_story(demo: &mut Demo, model: &Path, dir: &Path, now: Time) -> Result<()> {
    println!("Trusted time: signatures that outlive their certificates");
    println!();
    let tsa = DemoTsa::start(now)?;
    let tsa_chain_file = dir.join("tsa-chain.pem");
    let pem: String = tsa.chain.iter().map(modelsign_devpki::pem).collect();
    write_atomically(&tsa_chain_file, pem.as_bytes())?;
    println!("[10] Started a built-in RFC 3161 TSA at {}", tsa.url);
    if let Some(leaf) = tsa.chain.first() {
        println!("     TSA certificate: '{}'", leaf.subject());
    }
    println!(
        "     its chain (the verifier's TSA trust): {}",
        tsa_chain_file.display()
    );
    println!();

    let pki = DevPki::model_signing(now, SHORT_LEAF_VALIDITY)
        .context("cannot create the short-lived PKI")?;
    let root = pki.root.cert.clone();
    let leaf_not_after = pki.leaf.cert.not_after();
    let signer = Signer::certificate(
        pki.leaf.key,
        pki.leaf.cert,
        pki.intermediates.iter().map(|i| i.cert.clone()).collect(),
        now,
    )?;
    let statement = modelsign::sign_statement(&SignRequest::new(model, &signer))?;
    let tsa_args = TsaSigningArgs {
        tsa_url: vec![tsa.url.clone()],
        tsa_all: false,
        tsa_timeout: 10.0,
        tsa_hash: TsaHashArg::Sha256,
        tsa_certificate_chain: vec![tsa_chain_file.clone()],
        tsa_optional: false,
        tsa_policy: None,
    };
    let accepted = match timestamping::obtain(&statement.timestamp_target(), &tsa_args)? {
        Some(Ok(obtained)) => obtained.accepted,
        Some(Err(PolicyNotMet { error, .. })) => {
            return Err(error.context("the demo TSA did not answer"))
        }
        None => Vec::new(),
    };
    let stamped = statement.into_timestamped_bundle(accepted);
    let stamped_sig = dir.join("timestamped.sig");
    write_atomically(&stamped_sig, stamped.bundle_json())?;
    println!(
        "[11] Signed with a certificate valid for one hour only (until {leaf_not_after}) and \
         timestamped the signature"
    );
    print_signed(&stamped, &stamped_sig);
    for t in &stamped.summary().timestamps {
        println!(
            "     timestamp: genTime {}, serial {} (verified against the TSA chain before storing)",
            t.gen_time, t.serial_hex
        );
    }
    let twin_sig = dir.join("untimestamped.sig");
    sign(model, &signer, &twin_sig)?;
    println!("[12] Signed an untimestamped twin: {}", twin_sig.display());
    println!();

    let trust = VerifierTrust::Certificates(TrustStore::from_certificates(vec![root]));
    let tsa_trust = modelsign::TsaTrust::from_certificates(tsa.chain.clone())?;
    demo.expect_success(
        "[13] Today: the timestamped signature verifies (chain validated at the trusted time)",
        verify_at(model, &stamped_sig, &trust, Some(&tsa_trust), now),
    );
    let future = now
        .checked_add(FUTURE)
        .ok_or_else(|| anyhow::anyhow!("time overflow"))?;
    demo.expect_success(
        &format!(
            "[14] As the world will be on {future} (certificate expired): timestamped signature"
        ),
        verify_at(model, &stamped_sig, &trust, Some(&tsa_trust), future),
    );
    demo.expect_failure(
        "[15] Same day, the untimestamped twin",
        verify_at(model, &twin_sig, &trust, Some(&tsa_trust), future),
    );
    tsa.stop()
}

/// Verify at a chosen time with optional TSA trust.
fn verify_at(
    model: &Path,
    signature: &Path,
    trust: &VerifierTrust,
    tsa: Option<&modelsign::TsaTrust>,
    at: Time,
) -> Result<VerifiedModel> {
    let bundle = fs::read(signature)
        .with_context(|| format!("cannot read the signature file '{}'", signature.display()))?;
    let mut request = VerifyRequest::new(model, &bundle, trust, at);
    request.timestamps.trust = tsa.cloned();
    Ok(modelsign::verify(&request)?)
}

fn sign(model: &Path, signer: &Signer, signature: &Path) -> Result<SignedModel> {
    let signed = modelsign::sign(&SignRequest::new(model, signer))?;
    write_atomically(signature, signed.bundle_json())?;
    Ok(signed)
}

fn print_signed(signed: &SignedModel, path: &Path) {
    let summary = signed.summary();
    println!("    signature file: {}", path.display());
    println!("    signer:         {}", summary.signer);
    println!(
        "    covers:         {} files, root digest {}",
        summary.manifest.files,
        summary.manifest.root_digest_string()
    );
    println!();
}

fn verify(model: &Path, signature: &Path, trust: &VerifierTrust) -> Result<VerifiedModel> {
    // The signature files live outside the model, so nothing needs to be ignored.
    let bundle = fs::read(signature)
        .with_context(|| format!("cannot read the signature file '{}'", signature.display()))?;
    Ok(modelsign::verify(&VerifyRequest::new(
        model,
        &bundle,
        trust,
        Time::now(),
    ))?)
}

fn write_sample_model(dir: &Path) -> Result<()> {
    for (name, contents) in SAMPLE_MODEL {
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create '{}'", parent.display()))?;
        }
        fs::write(&path, contents).with_context(|| format!("cannot write '{}'", path.display()))?;
    }
    Ok(())
}

/// Copy a file or directory tree (regular files and directories only), replacing `to`.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    if to.exists() {
        if to.is_dir() {
            fs::remove_dir_all(to)
        } else {
            fs::remove_file(to)
        }
        .with_context(|| format!("cannot remove '{}'", to.display()))?;
    }
    let meta =
        fs::symlink_metadata(from).with_context(|| format!("cannot read '{}'", from.display()))?;
    if meta.is_file() {
        fs::copy(from, to).with_context(|| format!("cannot copy '{}'", from.display()))?;
    } else if meta.is_dir() {
        fs::create_dir_all(to).with_context(|| format!("cannot create '{}'", to.display()))?;
        let entries =
            fs::read_dir(from).with_context(|| format!("cannot list '{}'", from.display()))?;
        for entry in entries {
            let entry = entry.with_context(|| format!("cannot list '{}'", from.display()))?;
            copy_tree(&entry.path(), &to.join(entry.file_name()))?;
        }
    }
    Ok(())
}

/// Flip the last byte of the largest file (the weights, in a real model); returns its
/// relative name.
fn tamper_one_byte(root: &Path) -> Result<String> {
    let target = largest_file(root)?
        .filter(|(len, _)| *len > 0)
        .map(|(_, path)| path)
        .ok_or_else(|| anyhow::anyhow!("the model has no non-empty file to tamper with"))?;
    let mut bytes =
        fs::read(&target).with_context(|| format!("cannot read '{}'", target.display()))?;
    if let Some(last) = bytes.last_mut() {
        *last ^= 0x01;
    }
    fs::write(&target, &bytes).with_context(|| format!("cannot write '{}'", target.display()))?;
    let relative = target
        .strip_prefix(root)
        .ok()
        .filter(|r| !r.as_os_str().is_empty())
        .map(|r| r.display().to_string())
        .unwrap_or_else(|| root.display().to_string());
    Ok(relative)
}

/// The largest regular file below `path` (first in path order among equals).
fn largest_file(path: &Path) -> Result<Option<(u64, PathBuf)>> {
    let meta =
        fs::symlink_metadata(path).with_context(|| format!("cannot read '{}'", path.display()))?;
    if meta.is_file() {
        return Ok(Some((meta.len(), path.to_path_buf())));
    }
    if !meta.is_dir() {
        return Ok(None);
    }
    let mut children: Vec<PathBuf> = fs::read_dir(path)
        .with_context(|| format!("cannot list '{}'", path.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    children.sort();
    let mut best: Option<(u64, PathBuf)> = None;
    for child in children {
        if let Some((len, file)) = largest_file(&child)? {
            if best.as_ref().is_none_or(|(best_len, _)| len > *best_len) {
                best = Some((len, file));
            }
        }
    }
    Ok(best)
}

//! `modelsign verify key|certificate`.

use anyhow::{Context, Result};
use modelsign::{Time, VerifiedModel, VerifierTrust, VerifyRequest};
use modelsign_pki::TrustStore;

use crate::args::{VerifyCertificateArgs, VerifyCommon, VerifyKeyArgs};
use crate::output::{
    model_line, ManifestJson, Printer, Report, SignerJson, TimestampJson, ValidationTimeJson,
};
use crate::progress::HashProgress;
use crate::settings;

/// A CRL file: large CAs publish a few MB; the pki parser has its own limit.
const MAX_CRL_FILE_BYTES: u64 = modelsign_pki::MAX_CRL_BYTES as u64;

pub(crate) fn verify_key(args: &VerifyKeyArgs, printer: Printer) -> Result<bool> {
    run(
        &args.common,
        &[],
        printer,
        "key",
        || {
            Ok(VerifierTrust::PublicKey(settings::load_public_key(
                &args.public_key,
            )?))
        },
        false,
    )
}

pub(crate) fn verify_certificate(args: &VerifyCertificateArgs, printer: Printer) -> Result<bool> {
    run(
        &args.common,
        &args.crl,
        printer,
        "certificate",
        || {
            let certificates = settings::load_certificate_files(&args.certificate_chain)?;
            if args.log_fingerprints {
                for c in &certificates {
                    eprintln!("[  init  ] sha256 Fingerprint: {}", fingerprint(c));
                }
            }
            Ok(VerifierTrust::Certificates(TrustStore::from_certificates(
                certificates,
            )))
        },
        args.log_fingerprints,
    )
}

fn fingerprint(c: &modelsign_pki::Certificate) -> String {
    c.fingerprint_sha256()
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn run(
    common: &VerifyCommon,
    crls: &[std::path::PathBuf],
    printer: Printer,
    mode: &'static str,
    make_trust: impl FnOnce() -> Result<VerifierTrust>,
    log_fingerprints: bool,
) -> Result<bool> {
    let mut report = Report::new("verify", &common.selection.model);
    report.mode = Some(mode);
    report.signature = Some(common.signature.display().to_string());
    match load_and_verify(common, crls, make_trust, printer) {
        Ok(verified) => {
            if let (true, modelsign::SignerIdentity::Certificate { chain }) =
                (log_fingerprints, verified.signer())
            {
                for c in chain {
                    eprintln!("[ verify ] sha256 Fingerprint: {}", fingerprint(c));
                }
            }
            fill_report(&mut report, &verified);
            printer.warnings(&report.warnings);
            printer.success("Verification succeeded", &details(&verified), &report)?;
            Ok(true)
        }
        Err(e) => printer.command_failed("Verification", e, report),
    }
}

fn load_and_verify(
    common: &VerifyCommon,
    crl_files: &[std::path::PathBuf],
    make_trust: impl FnOnce() -> Result<VerifierTrust>,
    printer: Printer,
) -> Result<VerifiedModel> {
    let ignore_paths = settings::resolve_ignores(&common.selection, &common.signature, false)?;
    let bundle = settings::read_signature_file(&common.signature)?;
    let trust = make_trust()?;
    let policy = timestamp_policy(&common.timestamps)?;
    let mut crls = Vec::with_capacity(crl_files.len());
    for path in crl_files {
        let bytes = settings::read_limited(path, MAX_CRL_FILE_BYTES, "CRL")?;
        crls.push(
            modelsign::Crl::from_pem_or_der(&bytes)
                .with_context(|| format!("cannot load the CRL '{}'", path.display()))?,
        );
    }
    let now = common.at_time.unwrap_or_else(Time::now);
    let mut request = VerifyRequest::new(&common.selection.model, &bundle, &trust, now);
    request.timestamps = policy;
    request.crls = crls;
    request.options.ignore_paths = ignore_paths;
    request.options.ignore_git_paths = common.selection.ignore_git_paths();
    request.options.allow_symlinks = common.selection.allow_symlinks;
    request.options.ignore_unsigned_files = common.ignore_unsigned_files;
    request.options.progress = HashProgress::for_stderr(printer.quiet);
    Ok(modelsign::verify(&request)?)
}

/// The verifier's timestamp trust and policy from the flags.
fn timestamp_policy(args: &crate::args::TimestampVerifyArgs) -> Result<modelsign::TimestampPolicy> {
    let mut policy = modelsign::TimestampPolicy::default();
    policy.trust = match &args.trusted_root {
        Some(path) => Some(settings::load_trusted_root(path)?),
        None => crate::commands::timestamping::tsa_trust_from_files(&args.tsa_certificate_chain)?,
    };
    policy.require = args.require_timestamp;
    policy.threshold = usize::from(args.timestamp_threshold);
    policy.max_age = args.max_timestamp_age;
    // Pinned for every token (rfc3161-rules §5.5); with no TSA trust nothing is verified,
    // and the report says the timestamps are unverified.
    policy.verify_options.policy = args.tsa_policy;
    Ok(policy)
}

fn fill_report(report: &mut Report, verified: &VerifiedModel) {
    report.signer = Some(SignerJson::of(verified.signer()));
    report.manifest = Some(ManifestJson::of(verified.manifest()));
    report.validation_time = Some(verified.validation_time().map(ValidationTimeJson::of));
    if matches!(
        verified.signer(),
        modelsign::SignerIdentity::Certificate { .. }
    ) {
        report.validation_times = Some(
            verified
                .validation_times()
                .iter()
                .map(ValidationTimeJson::of)
                .collect(),
        );
    }
    report.timestamps = Some(
        verified
            .timestamps()
            .iter()
            .map(TimestampJson::of)
            .collect(),
    );
    report.notes = Some(verified.notes().iter().map(ToString::to_string).collect());
    report.checks = Some(verified.checks().iter().map(ToString::to_string).collect());
    report.warnings = verified
        .warnings()
        .iter()
        .map(ToString::to_string)
        .collect();
}

fn details(verified: &VerifiedModel) -> Vec<(&'static str, String)> {
    let m = verified.manifest();
    let mut lines = vec![("signer", verified.signer().to_string())];
    if let modelsign::SignerIdentity::Certificate { chain } = verified.signer() {
        let anchor = chain.last().map(|c| c.subject()).unwrap_or_default();
        let times: Vec<String> = verified
            .validation_times()
            .iter()
            .map(ToString::to_string)
            .collect();
        lines.push((
            "chain",
            format!(
                "{} certificates to trust anchor '{anchor}', valid at {}",
                chain.len(),
                times.join(" and at ")
            ),
        ));
    }
    for t in verified.timestamps() {
        lines.push(("timestamp", t.to_string()));
    }
    for n in verified.notes() {
        lines.push(("note", n.to_string()));
    }
    lines.push(("model", model_line(m)));
    lines.push(("digest", m.root_digest_string()));
    lines
}

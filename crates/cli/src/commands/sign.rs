//! `modelsign sign key|certificate`.

use anyhow::Result;
use modelsign::{RsaPadding, SignRequest, SignedModel, Signer, Time};

use crate::args::{RsaPaddingArg, SignCertificateArgs, SignCommon, SignKeyArgs};
use crate::atomic::write_atomically;
use crate::commands::timestamping::{self, PolicyNotMet};
use crate::output::{
    model_line, render_error, ManifestJson, Printer, Report, SignerJson, TimestampJson,
};
use crate::progress::HashProgress;
use crate::settings;

pub(crate) fn sign_key(args: &SignKeyArgs, printer: Printer) -> Result<bool> {
    run(&args.common, printer, "key", |common| {
        let key = settings::load_private_key(&common.private_key, common.password.as_deref())?;
        Ok(Signer::key(key))
    })
}

pub(crate) fn sign_certificate(args: &SignCertificateArgs, printer: Printer) -> Result<bool> {
    run(&args.common, printer, "certificate", |common| {
        let key = settings::load_private_key(&common.private_key, common.password.as_deref())?;
        let leaf = settings::load_signing_certificate(&args.signing_certificate)?;
        let chain = settings::load_certificate_files(&args.certificate_chain)?;
        Ok(Signer::certificate(key, leaf, chain, Time::now())?)
    })
}

/// Returns Ok(true) on success, Ok(false) after a reported failure; Err only for usage
/// errors and output errors (broken pipe).
fn run(
    common: &SignCommon,
    printer: Printer,
    mode: &'static str,
    make_signer: impl FnOnce(&SignCommon) -> Result<Signer>,
) -> Result<bool> {
    let mut report = Report::new("sign", &common.selection.model);
    report.mode = Some(mode);
    report.signature = Some(common.signature.display().to_string());
    match sign_and_write(common, make_signer, printer) {
        Ok(signed) => {
            let summary = signed.summary();
            report.signer = Some(SignerJson::of(&summary.signer));
            report.signature_scheme = Some(summary.scheme.to_string());
            report.manifest = Some(ManifestJson::of(&summary.manifest));
            report.warnings = summary.warnings.iter().map(ToString::to_string).collect();
            report.timestamps = Some(
                summary
                    .timestamps
                    .iter()
                    .enumerate()
                    .map(|(i, t)| {
                        let mut j = TimestampJson::claimed(i, t);
                        // Checked against its request (and the given TSA trust, if any)
                        // before it was stored; verification re-checks it.
                        j.status = "obtained".to_owned();
                        j
                    })
                    .collect(),
            );
            printer.warnings(&report.warnings);
            let m = &summary.manifest;
            let mut details = vec![
                ("signature", common.signature.display().to_string()),
                ("signer", summary.signer.to_string()),
                ("model", model_line(m)),
                ("digest", m.root_digest_string()),
            ];
            for t in &summary.timestamps {
                details.push((
                    "timestamp",
                    format!(
                        "genTime {}, serial {}, TSA {}",
                        t.gen_time,
                        t.serial_hex,
                        t.tsa_name.as_deref().unwrap_or("(not named)")
                    ),
                ));
            }
            printer.success("Signing succeeded", &details, &report)?;
            Ok(true)
        }
        Err(e) => printer.command_failed("Signing", e, report),
    }
}

fn sign_and_write(
    common: &SignCommon,
    make_signer: impl FnOnce(&SignCommon) -> Result<Signer>,
    printer: Printer,
) -> Result<SignedModel> {
    // Usage checks first, so they exit with 2 before any file is read.
    let mut hashing = settings::hash_options(&common.selection, &common.hashing, Vec::new())?;
    hashing.ignore_paths = settings::resolve_ignores(&common.selection, &common.signature, false)?;
    let signer = make_signer(common)?;
    hashing.progress = HashProgress::for_stderr(printer.quiet);
    let mut request = SignRequest::new(&common.selection.model, &signer);
    request.hashing = hashing;
    request.rsa_padding = common.rsa_padding.map(|p| match p {
        RsaPaddingArg::Pss => RsaPadding::Pss,
        RsaPaddingArg::Pkcs1 => RsaPadding::Pkcs1,
    });
    let mut statement = modelsign::sign_statement(&request)?;
    // Timestamps are obtained after signing and before anything is written: if the policy
    // is not met (and --tsa-optional was not given), no signature file is written.
    let signed = match timestamping::obtain(&statement.timestamp_target(), &common.tsa)? {
        None => statement.into_bundle(Vec::new()),
        Some(Ok(obtained)) => {
            for w in obtained.warnings {
                statement.add_warning(w);
            }
            statement.into_timestamped_bundle(obtained.accepted)
        }
        Some(Err(PolicyNotMet { error, partial })) if common.tsa.tsa_optional => {
            // Store what was obtained (--tsa-all: the TSAs that answered); drop nothing
            // silently: the warning names each failed TSA.
            let reason = render_error(&error);
            if partial.accepted.is_empty() {
                statement.add_warning(modelsign::Warning::TimestampSkipped { reason });
            } else {
                statement.add_warning(modelsign::Warning::TimestampsPartial {
                    stored: partial.accepted.len(),
                    reason,
                });
            }
            for w in partial.warnings {
                statement.add_warning(w);
            }
            statement.into_timestamped_bundle(partial.accepted)
        }
        Some(Err(PolicyNotMet { error, .. })) => {
            return Err(error.context("timestamp policy not met; no signature written"))
        }
    };
    write_atomically(&common.signature, signed.bundle_json())?;
    Ok(signed)
}

//! `modelsign timestamp add SIGNATURE --tsa-url URL...`: add RFC 3161 timestamps to an
//! existing signature (bundles signed earlier, a second TSA, renewal before a TSA
//! certificate expires). The bundle's signature is timestamped exactly as at signing, only
//! `rfc3161Timestamps` is extended (other values keep their text), byte-identical
//! duplicates are refused, and the file is replaced atomically.
//!
//! If the policy (first success, or every TSA with `--tsa-all`) is not met, the command
//! fails (exit 1) and the file is left untouched, as `sign` writes nothing then. With
//! `--tsa-optional`, as at signing, the tokens that were obtained (`--tsa-all`: those of the
//! TSAs that answered) are added and each failed TSA is named in a warning; when no TSA gave
//! a valid token the file stays byte-identical, the warning names every TSA and why it
//! failed, and the exit code is 0 (a renewal job that may run again later).

use anyhow::Result;
use clap::Args;

use crate::args::{OutputFormat, TsaSigningArgs};
use crate::commands::timestamping::{self, PolicyNotMet};
use crate::output::{render_error, Printer, TimestampJson};
use crate::settings;

/// `--tsa-optional` means here what it means for `sign`, but nothing is signed: its help
/// says what happens to the file.
const TSA_OPTIONAL_HELP: &str = "If the timestamp policy is not met, add the time-stamps \
that were obtained (with --tsa-all, those of the TSAs that answered) with a warning naming \
each failed TSA, instead of failing; if none was obtained, leave the file unchanged, warn, \
and exit 0";

#[derive(Debug, Args)]
#[command(mut_arg("tsa_optional", |a| a.help(TSA_OPTIONAL_HELP)))]
pub(crate) struct AddArgs {
    /// The signature file (Sigstore bundle) to extend; replaced atomically.
    #[arg(value_name = "SIGNATURE_PATH")]
    pub(crate) signature: std::path::PathBuf,

    #[command(flatten)]
    pub(crate) tsa: TsaSigningArgs,
}

/// What `timestamp add` did.
#[derive(Debug)]
struct Added {
    /// The tokens added (none: the file was left as it was, `--tsa-optional`).
    accepted: Vec<modelsign::AcceptedTimestamp>,
    /// About the set (TSA clocks that disagree, TSAs that failed under `--tsa-optional`),
    /// then each token's own.
    warnings: Vec<String>,
}

pub(crate) fn run(args: &AddArgs, printer: Printer) -> Result<bool> {
    if args.tsa.tsa_url.is_empty() {
        return Err(settings::usage_error(
            "timestamp add needs at least one --tsa-url",
        ));
    }
    match add(args) {
        Ok(Added { accepted, warnings }) => {
            for w in &warnings {
                eprintln!("warning: {w}");
            }
            match printer.format {
                OutputFormat::Json => {
                    let value = serde_json::json!({
                        "command": "timestamp add",
                        "success": true,
                        "signature": args.signature.display().to_string(),
                        "changed": !accepted.is_empty(),
                        "timestamps": accepted.iter().enumerate()
                            .map(|(i, a)| TimestampJson::claimed(i, &a.info)).collect::<Vec<_>>(),
                        "warnings": warnings,
                    });
                    println!("{}", serde_json::to_string_pretty(&value)?);
                }
                OutputFormat::Text if accepted.is_empty() => println!(
                    "No timestamp added; '{}' is unchanged",
                    args.signature.display()
                ),
                OutputFormat::Text => {
                    println!(
                        "Added {} timestamp(s) to '{}'",
                        accepted.len(),
                        args.signature.display()
                    );
                    if !printer.quiet {
                        for a in &accepted {
                            println!(
                                "  timestamp: genTime {}, serial {}, TSA {}",
                                a.info.gen_time,
                                a.info.serial_hex,
                                a.info.tsa_name.as_deref().unwrap_or("(not named)")
                            );
                        }
                    }
                }
            }
            Ok(true)
        }
        Err(e) => {
            if e.downcast_ref::<clap::Error>().is_some() {
                return Err(e);
            }
            eprintln!("Adding timestamps failed with error: {}", render_error(&e));
            if printer.format == OutputFormat::Json {
                let value = serde_json::json!({"command": "timestamp add", "success": false, "error": render_error(&e)});
                println!("{}", serde_json::to_string_pretty(&value)?);
            }
            Ok(false)
        }
    }
}

fn add(args: &AddArgs) -> Result<Added> {
    let original = settings::read_signature_file(&args.signature)?;
    let addition = modelsign::TimestampAddition::new(&original)?;
    let (obtained, mut warnings) = match timestamping::obtain(addition.target(), &args.tsa)? {
        Some(Ok(obtained)) => (obtained, Vec::new()),
        Some(Err(PolicyNotMet { error, partial })) if args.tsa.tsa_optional => {
            // As `sign --tsa-optional`: keep what was obtained, and name each failed TSA.
            let reason = render_error(&error);
            let warning = if partial.accepted.is_empty() {
                format!(
                    "no timestamp added (--tsa-optional), '{}' is unchanged: {reason}",
                    args.signature.display()
                )
            } else {
                modelsign::Warning::TimestampsPartial {
                    stored: partial.accepted.len(),
                    reason,
                }
                .to_string()
            };
            (partial, vec![warning])
        }
        Some(Err(PolicyNotMet { error, .. })) => {
            return Err(error.context("timestamp policy not met; the signature file is unchanged"))
        }
        None => (timestamping::Obtained::default(), Vec::new()),
    };
    warnings.extend(obtained.warnings.iter().map(ToString::to_string));
    let accepted = obtained.accepted;
    warnings.extend(
        accepted
            .iter()
            .flat_map(|a| a.warnings.iter().map(ToString::to_string)),
    );
    if !accepted.is_empty() {
        let updated = addition.finish(&accepted)?;
        crate::atomic::write_atomically(&args.signature, &updated)?;
    }
    Ok(Added { accepted, warnings })
}

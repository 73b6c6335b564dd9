//! `modelsign timestamp add SIGNATURE --tsa-url URL...`: add RFC 3161 timestamps to an
//! existing signature (bundles signed earlier, a second TSA, renewal before a TSA
//! certificate expires). The bundle's signature is timestamped exactly as at signing, only
//! `rfc3161Timestamps` is extended (other values keep their text), byte-identical
//! duplicates are refused, and the file is replaced atomically. If the policy is not met,
//! the file is left untouched.

use anyhow::Result;
use clap::Args;

use crate::args::{OutputFormat, TsaSigningArgs};
use crate::commands::timestamping::{self, PolicyNotMet};
use crate::output::{render_error, Printer, TimestampJson};
use crate::settings;

#[derive(Debug, Args)]
pub(crate) struct AddArgs {
    /// The signature file (Sigstore bundle) to extend; replaced atomically.
    #[arg(value_name = "SIGNATURE_PATH")]
    pub(crate) signature: std::path::PathBuf,

    #[command(flatten)]
    pub(crate) tsa: TsaSigningArgs,
}

pub(crate) fn run(args: &AddArgs, printer: Printer) -> Result<bool> {
    if args.tsa.tsa_url.is_empty() {
        return Err(settings::usage_error(
            "timestamp add needs at least one --tsa-url",
        ));
    }
    match add(args) {
        Ok(accepted) => {
            match printer.format {
                OutputFormat::Json => {
                    let value = serde_json::json!({
                        "command": "timestamp add",
                        "success": true,
                        "signature": args.signature.display().to_string(),
                        "timestamps": accepted.iter().enumerate()
                            .map(|(i, a)| TimestampJson::claimed(i, &a.info)).collect::<Vec<_>>(),
                        "warnings": accepted.iter().flat_map(|a| a.warnings.iter().map(ToString::to_string)).collect::<Vec<_>>(),
                    });
                    println!("{}", serde_json::to_string_pretty(&value)?);
                }
                OutputFormat::Text => {
                    for w in accepted.iter().flat_map(|a| a.warnings.iter()) {
                        eprintln!("warning: {w}");
                    }
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

fn add(args: &AddArgs) -> Result<Vec<modelsign::AcceptedTimestamp>> {
    let original = settings::read_signature_file(&args.signature)?;
    let addition = modelsign::TimestampAddition::new(&original)?;
    let obtained = match timestamping::obtain(addition.target(), &args.tsa)? {
        Some(Ok(obtained)) => obtained,
        Some(Err(PolicyNotMet { error, .. })) => {
            return Err(error.context("timestamp policy not met; the signature file is unchanged"))
        }
        None => timestamping::Obtained::default(),
    };
    let accepted = obtained.accepted;
    for w in &obtained.warnings {
        eprintln!("warning: {w}");
    }
    let updated = addition.finish(&accepted)?;
    crate::atomic::write_atomically(&args.signature, &updated)?;
    Ok(accepted)
}

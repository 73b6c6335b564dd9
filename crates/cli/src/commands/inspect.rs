//! `modelsign inspect SIGNATURE`: what a signature file holds — method, signer and chain,
//! number of files and root digest, timestamps — read without verifying anything (the
//! output says so: timestamps are marked unverified since no trust is given).

use anyhow::{Context, Result};

use crate::args::{InspectArgs, OutputFormat};
use crate::output::{model_line, render_error, ManifestJson, Printer, TimestampJson};
use crate::settings;

pub(crate) fn inspect(args: &InspectArgs, printer: Printer) -> Result<bool> {
    let result = settings::read_signature_file(&args.signature).and_then(|bytes| {
        modelsign::inspect(&bytes).with_context(|| {
            format!(
                "cannot read the signature file '{}'",
                args.signature.display()
            )
        })
    });
    let info = match result {
        Ok(info) => info,
        Err(e) => {
            eprintln!("Inspection failed with error: {}", render_error(&e));
            return Ok(false);
        }
    };
    let method = match info.mode {
        Some(m) => m.name(),
        None => "sigstore-keyless",
    };
    match printer.format {
        OutputFormat::Json => {
            let value = serde_json::json!({
                "command": "inspect",
                "success": true,
                "verified": false,
                "signature": args.signature.display().to_string(),
                "method": method,
                "key_hint": info.key_hint,
                "chain": info.certificates.iter().map(|c| serde_json::json!({
                    "subject": c.subject(),
                    "issuer": c.issuer(),
                    "serial": c.serial_hex(),
                    "not_before": c.not_before().to_string(),
                    "not_after": c.not_after().to_string(),
                })).collect::<Vec<_>>(),
                "predicate_type": info.predicate_type,
                "manifest": ManifestJson::of(&info.manifest),
                "timestamps": info.timestamps.iter().enumerate().map(|(i, t)| match t {
                    Ok(t) => serde_json::to_value(TimestampJson::claimed(i, t)).unwrap_or_default(),
                    Err(e) => serde_json::json!({"index": i, "verified": false, "status": format!("unreadable: {e}")}),
                }).collect::<Vec<_>>(),
            });
            let text = serde_json::to_string_pretty(&value)?;
            println!("{text}");
        }
        OutputFormat::Text => {
            println!(
                "Signature file '{}' (nothing verified)",
                args.signature.display()
            );
            println!("  method:     {method}");
            if let Some(hint) = &info.key_hint {
                println!("  key hint:   {hint}");
            }
            for (i, c) in info.certificates.iter().enumerate() {
                let role = if i == 0 { "signer:    " } else { "chain:     " };
                println!(
                    "  {role} '{}' (serial {}, issued by '{}', valid {} to {})",
                    c.subject(),
                    c.serial_hex(),
                    c.issuer(),
                    c.not_before(),
                    c.not_after()
                );
            }
            let m = &info.manifest;
            println!("  model:      {}", model_line(m));
            println!("  digest:     {}", m.root_digest_string());
            if info.timestamps.is_empty() {
                println!("  timestamps: none");
            }
            for (i, t) in info.timestamps.iter().enumerate() {
                match t {
                    Ok(t) => println!(
                        "  timestamp:  #{i} genTime {}, serial {}, TSA {} (unverified: no trust given)",
                        t.gen_time,
                        t.serial_hex,
                        t.tsa_name.as_deref().map(|n| format!("'{n}'")).unwrap_or_else(|| "(not named)".to_owned())
                    ),
                    Err(e) => println!("  timestamp:  #{i} unreadable: {e}"),
                }
            }
        }
    }
    Ok(true)
}

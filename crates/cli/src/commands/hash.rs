//! `modelsign hash` (alias `digest`): print the root digest, as `model_signing digest`.

use anyhow::Result;

use crate::args::HashArgs;
use crate::output::{ManifestJson, Printer, Report};
use crate::progress::HashProgress;
use crate::settings;

pub(crate) fn hash(args: &HashArgs, printer: Printer) -> Result<bool> {
    let mut report = Report::new("hash", &args.selection.model);
    let result = (|| -> Result<modelsign::ManifestSummary> {
        let mut options = settings::hash_options(&args.selection, &args.hashing, Vec::new())?;
        let cwd = std::env::current_dir()?;
        let (ignores, warnings) = modelsign_digest::resolve_ignore_paths(
            &args.selection.model,
            &cwd,
            &args.selection.ignore_paths,
        );
        for w in warnings {
            eprintln!("warning: {w}");
        }
        options.ignore_paths = ignores;
        options.progress = HashProgress::for_stderr(printer.quiet);
        let manifest = modelsign::hash_model(&args.selection.model, &options)?;
        Ok(modelsign::ManifestSummary::of(&manifest))
    })();
    match result {
        Ok(summary) => {
            report.manifest = Some(ManifestJson::of(&summary));
            // The digest is the data: print it even with --quiet.
            let quiet_text = Printer {
                quiet: true,
                ..printer
            };
            quiet_text.success(&summary.root_digest_string(), &[], &report)?;
            Ok(true)
        }
        Err(e) => printer.command_failed("Hashing", e, report),
    }
}

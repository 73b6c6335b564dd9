//! Obtaining RFC 3161 timestamps for a signature (`sign --tsa-url`, `timestamp add`):
//! the tsp HTTP client fetches (fallback or all, budget per TSA, retries, response checked
//! against its request, verified against `--tsa-certificate-chain` when given), then the
//! library accepts each response for the signature (imprint, genTime inside the signing
//! certificate's validity, clock skew).

use std::time::Duration;

use anyhow::{Context, Result};
use modelsign::{AcceptedTimestamp, Time, TimestampTarget, TsaTrust};
use modelsign_pki::HashAlgorithm;
use modelsign_tsp::client::{ClientConfig, FetchMode, TsaClient};

use crate::args::{TsaHashArg, TsaSigningArgs};
use crate::settings::load_certificates;

/// The TSA trust of `--tsa-certificate-chain` files: one authority per file.
pub(crate) fn tsa_trust_from_files(paths: &[std::path::PathBuf]) -> Result<Option<TsaTrust>> {
    if paths.is_empty() {
        return Ok(None);
    }
    let mut groups = Vec::with_capacity(paths.len());
    for path in paths {
        groups.push((path.display().to_string(), load_certificates(path)?));
    }
    Ok(Some(modelsign::tsa_trust_per_group(groups)?))
}

fn hash(h: TsaHashArg) -> HashAlgorithm {
    match h {
        TsaHashArg::Sha256 => HashAlgorithm::Sha256,
        TsaHashArg::Sha384 => HashAlgorithm::Sha384,
        TsaHashArg::Sha512 => HashAlgorithm::Sha512,
    }
}

/// Why the timestamp policy was not met (the message names each TSA and why).
#[derive(Debug)]
pub(crate) struct PolicyNotMet(pub(crate) anyhow::Error);

/// Obtain and accept timestamps for `target` under the policy of `args`. `Ok(None)` when
/// no `--tsa-url` was given. Configuration errors (unreadable trust files, bad URLs) are
/// plain errors; a policy not met is [`PolicyNotMet`] so `--tsa-optional` can downgrade it.
pub(crate) fn obtain(
    target: &TimestampTarget,
    args: &TsaSigningArgs,
) -> Result<Option<std::result::Result<Vec<AcceptedTimestamp>, PolicyNotMet>>> {
    if args.tsa_url.is_empty() {
        return Ok(None);
    }
    let trust = tsa_trust_from_files(&args.tsa_certificate_chain)?;
    let mut config = ClientConfig::new(args.tsa_url.clone());
    config.mode = if args.tsa_all {
        FetchMode::All
    } else {
        FetchMode::FirstSuccess
    };
    config.per_tsa_timeout = Duration::from_secs_f64(args.tsa_timeout);
    config.per_request_timeout = config.per_request_timeout.min(config.per_tsa_timeout);
    config.trust = trust.clone();
    let client = TsaClient::new(config).context("cannot use the TSA configuration")?;
    let request = target.request(hash(args.tsa_hash))?;
    let obtained = match client.fetch(&request) {
        Ok(obtained) => obtained,
        Err(e) => return Ok(Some(Err(PolicyNotMet(anyhow::Error::new(e))))),
    };
    // The local clock is read once here, for the skew warning only.
    let now = Time::now();
    let mut accepted = Vec::with_capacity(obtained.len());
    for o in &obtained {
        let tsa = o.url.to_string();
        match target.accept(&tsa, &request, o.response.raw(), trust.as_ref(), now) {
            Ok(a) => accepted.push(a),
            Err(e) => return Ok(Some(Err(PolicyNotMet(anyhow::Error::new(e))))),
        }
    }
    Ok(Some(Ok(accepted)))
}

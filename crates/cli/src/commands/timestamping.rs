//! Obtaining RFC 3161 timestamps for a signature (`sign --tsa-url`, `timestamp add`):
//! the tsp HTTP client fetches (fallback or all, budget per TSA, retries, response checked
//! against its request, verified against `--tsa-certificate-chain` when given), then the
//! library accepts each response for the signature (imprint, genTime inside the signing
//! certificate's validity, clock skew).

use std::time::Duration;

use anyhow::{Context, Result};
use modelsign::{AcceptedTimestamp, Time, TimestampTarget, TsaTrust};
use modelsign_pki::HashAlgorithm;
use modelsign_tsp::client::{ClientConfig, ClientError, FetchMode, TsaClient};

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
///
/// Fallback (the default) is done here, one TSA at a time, rather than by the client's
/// first-success mode: a response the client accepts can still be refused by the library
/// (genTime outside the signing certificate's validity), and then the next TSA must get
/// its turn too.
pub(crate) fn obtain(
    target: &TimestampTarget,
    args: &TsaSigningArgs,
) -> Result<Option<std::result::Result<Vec<AcceptedTimestamp>, PolicyNotMet>>> {
    if args.tsa_url.is_empty() {
        return Ok(None);
    }
    let trust = tsa_trust_from_files(&args.tsa_certificate_chain)?;
    let config = |urls: Vec<String>, mode| {
        let mut config = ClientConfig::new(urls);
        config.mode = mode;
        config.per_tsa_timeout = Duration::from_secs_f64(args.tsa_timeout);
        config.per_request_timeout = config.per_request_timeout.min(config.per_tsa_timeout);
        config.trust = trust.clone();
        TsaClient::new(config).context("cannot use the TSA configuration")
    };
    let request = target.request(hash(args.tsa_hash))?;
    if args.tsa_all {
        let client = config(args.tsa_url.clone(), FetchMode::All)?;
        let obtained = match client.fetch(&request) {
            Ok(obtained) => obtained,
            Err(e) => return Ok(Some(Err(PolicyNotMet(anyhow::Error::new(e))))),
        };
        // The local clock is read here, for the skew warning only.
        let now = Time::now();
        let mut accepted = Vec::with_capacity(obtained.len());
        for o in &obtained {
            let tsa = o.url.to_string();
            match target.accept(&tsa, &request, o.response.raw(), trust.as_ref(), now) {
                Ok(a) => accepted.push(a),
                Err(e) => return Ok(Some(Err(PolicyNotMet(anyhow::Error::new(e))))),
            }
        }
        return Ok(Some(Ok(accepted)));
    }
    // Every URL is validated before any request is sent (a typo fails fast, exit 1).
    config(args.tsa_url.clone(), FetchMode::FirstSuccess)?;
    let mut failures = Vec::new();
    for url in &args.tsa_url {
        let client = config(vec![url.clone()], FetchMode::FirstSuccess)?;
        let failure = match client.fetch(&request) {
            Ok(obtained) => {
                let now = Time::now();
                let mut refused = None;
                for o in &obtained {
                    let tsa = o.url.to_string();
                    match target.accept(&tsa, &request, o.response.raw(), trust.as_ref(), now) {
                        Ok(a) => return Ok(Some(Ok(vec![a]))),
                        Err(e) => refused = Some(format!("TSA {tsa}: {e}")),
                    }
                }
                refused.unwrap_or_else(|| format!("TSA {url}: no response"))
            }
            Err(ClientError::Failed { failures, .. }) => failures
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; "),
            Err(e) => e.to_string(),
        };
        failures.push(failure);
    }
    Ok(Some(Err(PolicyNotMet(anyhow::anyhow!(
        "no TSA issued an acceptable time-stamp: {}",
        failures.join("; ")
    )))))
}

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

use crate::args::TsaSigningArgs;
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

/// The client settings of every command that asks TSAs for tokens: one TSA after the
/// other until one answers, `--tsa-timeout` seconds per TSA (retries included), and no
/// single request allowed longer than that budget.
pub(crate) fn client_config(urls: Vec<String>, timeout_secs: f64) -> ClientConfig {
    let mut config = ClientConfig::new(urls);
    config.mode = FetchMode::FirstSuccess;
    config.per_tsa_timeout = Duration::from_secs_f64(timeout_secs);
    config.per_request_timeout = config.per_request_timeout.min(config.per_tsa_timeout);
    config
}

/// Timestamps obtained for a signature, with the notices about them as a set (TSA clocks
/// that disagree, rfc3161-rules §4.7); each token's own notices stay in its `warnings`.
#[derive(Debug, Default)]
pub(crate) struct Obtained {
    pub(crate) accepted: Vec<AcceptedTimestamp>,
    pub(crate) warnings: Vec<modelsign::Warning>,
}

/// Why the timestamp policy was not met (the message names each TSA and why), with what
/// was obtained anyway (`--tsa-all`: the tokens of the TSAs that did answer), which
/// `--tsa-optional` stores instead of dropping.
#[derive(Debug)]
pub(crate) struct PolicyNotMet {
    pub(crate) error: anyhow::Error,
    pub(crate) partial: Obtained,
}

impl PolicyNotMet {
    fn nothing(error: anyhow::Error) -> Self {
        PolicyNotMet {
            error,
            partial: Obtained::default(),
        }
    }
}

/// One TSA's failure as a line: every attempt the client made, or why the library refused
/// the response it returned.
fn failure_line(url: &str, error: &ClientError) -> String {
    match error {
        ClientError::Failed { failures, .. } => failures
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "),
        e => format!("TSA {url}: {e}"),
    }
}

/// Obtain and accept timestamps for `target` under the policy of `args`. `Ok(None)` when
/// no `--tsa-url` was given. Configuration errors (unreadable trust files, bad URLs) are
/// plain errors; a policy not met is [`PolicyNotMet`] so `--tsa-optional` can downgrade it.
///
/// Each TSA gets its own single-URL client, so that a response the client accepts can
/// still be refused by the library (genTime outside the signing chain's validity) and
/// count as that TSA's failure: in fallback mode (the default, one TSA at a time) the next
/// TSA then gets its turn; with `--tsa-all` (all TSAs in parallel, each with its own
/// budget) the tokens of the TSAs that succeeded are kept for `--tsa-optional`.
pub(crate) fn obtain(
    target: &TimestampTarget,
    args: &TsaSigningArgs,
) -> Result<Option<std::result::Result<Obtained, PolicyNotMet>>> {
    if args.tsa_url.is_empty() {
        return Ok(None);
    }
    let trust = tsa_trust_from_files(&args.tsa_certificate_chain)?;
    let config = |urls: Vec<String>| {
        let mut config = client_config(urls, args.tsa_timeout);
        config.trust = trust.clone();
        TsaClient::new(config).context("cannot use the TSA configuration")
    };
    // Every URL is validated before any request is sent (a typo fails fast, exit 1).
    config(args.tsa_url.clone())?;
    let clients = args
        .tsa_url
        .iter()
        .map(|url| Ok((url.as_str(), config(vec![url.clone()])?)))
        .collect::<Result<Vec<_>>>()?;
    let request =
        target.request_with_policy(HashAlgorithm::from(args.tsa_hash), args.tsa_policy)?;
    // One TSA: fetch, then accept for the signature. The local clock is read here, after
    // the answer, for the skew warning only.
    let one = |url: &str, client: &TsaClient| -> std::result::Result<AcceptedTimestamp, String> {
        let obtained = client.fetch(&request).map_err(|e| failure_line(url, &e))?;
        let now = Time::now();
        let mut refused = format!("TSA {url}: no response");
        for o in &obtained {
            let tsa = o.url.to_string();
            match target.accept(&tsa, &request, o.response.raw(), trust.as_ref(), now) {
                Ok(a) => return Ok(a),
                Err(e) => refused = format!("TSA {tsa}: {e}"),
            }
        }
        Err(refused)
    };
    if args.tsa_all {
        // In parallel: each TSA has its own budget, so the wait is the slowest TSA's, not
        // the sum. At most MAX_URLS threads (TsaClient::new refused more).
        let results: Vec<std::result::Result<AcceptedTimestamp, String>> =
            std::thread::scope(|scope| {
                let handles: Vec<_> = clients
                    .iter()
                    .map(|(url, client)| (*url, scope.spawn(|| one(url, client))))
                    .collect();
                handles
                    .into_iter()
                    .map(|(url, h)| {
                        h.join()
                            .unwrap_or_else(|_| Err(format!("TSA {url}: request thread failed")))
                    })
                    .collect()
            });
        let mut accepted = Vec::new();
        let mut failures = Vec::new();
        for r in results {
            match r {
                Ok(a) => accepted.push(a),
                Err(f) => failures.push(f),
            }
        }
        let obtained = Obtained {
            warnings: modelsign::compare_gen_times(&accepted),
            accepted,
        };
        if failures.is_empty() {
            return Ok(Some(Ok(obtained)));
        }
        return Ok(Some(Err(PolicyNotMet {
            error: anyhow::anyhow!(
                "{} of {} TSAs failed and every TSA must answer (--tsa-all): {}",
                failures.len(),
                args.tsa_url.len(),
                failures.join("; ")
            ),
            partial: obtained,
        })));
    }
    let mut failures = Vec::new();
    for (url, client) in &clients {
        match one(url, client) {
            Ok(a) => {
                return Ok(Some(Ok(Obtained {
                    accepted: vec![a],
                    warnings: Vec::new(),
                })))
            }
            Err(f) => failures.push(f),
        }
    }
    Ok(Some(Err(PolicyNotMet::nothing(anyhow::anyhow!(
        "no TSA issued an acceptable time-stamp: {}",
        failures.join("; ")
    )))))
}

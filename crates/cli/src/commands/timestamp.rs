//! `modelsign timestamp`: RFC 3161 time-stamps on their own (rfc3161-rules.md).
//!
//! - `request`: ask one or more TSAs (tried in order) for a time-stamp over a file or a
//!   digest; the response is checked against the request (status, imprint, nonce, policy,
//!   CMS signature, ESS, EKU profile) before it is written, and with
//!   `--tsa-certificate-chain` also verified against that trust.
//! - `verify`: verify a response (or bare token) over a file or digest against TSA trust
//!   the verifier configures (PEM files or a Sigstore `trusted_root.json`), never the
//!   token's own certificates.
//! - `inspect`: a readable dump of a response or token (nothing verified).
//!
//! Exit codes as everywhere: 0 success / valid; 1 failure, invalid, unreadable or
//! malformed input; 2 command-line errors (both `--data` and `--digest`, an unknown
//! `--hash`, hex that is not hex or has the wrong length).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use modelsign_pki::{HashAlgorithm, Time};
use modelsign_tsp::client::TsaClient;
use modelsign_tsp::trust::TsaTrust;
use modelsign_tsp::verify::{verify_timestamp, Datum, VerifiedTimestamp, VerifyOptions};
use modelsign_tsp::TimeStampRequest;
use serde::Serialize;

use crate::args::{parse_tsa_timeout, OutputFormat, TsaHashArg};
use crate::commands::timestamping::client_config;
use crate::output::{render_error, Printer};
use crate::settings::{load_certificate_files, load_trusted_root, read_limited, usage_error};

/// A time-stamp response is a few KiB; the client caps replies at 1 MiB
/// (`modelsign_tsp::client::MAX_RESPONSE_LEN`), so a larger file is not one.
const MAX_TSR_FILE_BYTES: u64 = 1 << 20;

#[derive(Debug, Subcommand)]
pub(crate) enum TimestampCommand {
    /// Obtain an RFC 3161 time-stamp for a file or a digest and write the response (.tsr).
    Request(RequestArgs),
    /// Verify a time-stamp response (or token) over a file or a digest.
    Verify(VerifyArgs),
    /// Print what a time-stamp response (or token) contains, like `openssl ts -reply -text`.
    Inspect(InspectArgs),
    /// Add time-stamps to an existing signature file (atomically).
    Add(crate::commands::timestamp_add::AddArgs),
}

/// What is time-stamped: the bytes of a file, or a digest given in hex.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub(crate) struct DatumArgs {
    /// File whose content is time-stamped (hashed with --hash).
    #[arg(long, value_name = "FILE")]
    data: Option<PathBuf>,
    /// Digest to time-stamp, in hex (its length must match --hash; without --hash the
    /// algorithm follows from the length: 32, 48 or 64 bytes).
    #[arg(long, value_name = "HEX", value_parser = parse_hex)]
    digest: Option<HexDigest>,
}

/// A digest from the command line (a newtype: clap would read `Vec<u8>` as many values).
#[derive(Debug, Clone)]
pub(crate) struct HexDigest(Vec<u8>);

#[derive(Debug, Args)]
pub(crate) struct RequestArgs {
    /// TSA URL (repeatable: tried in order until one answers with a valid time-stamp).
    #[arg(long = "tsa-url", value_name = "URL", required = true)]
    tsa_url: Vec<String>,
    #[command(flatten)]
    datum: DatumArgs,
    /// Message-imprint hash (default sha256; with --digest, the digest's own algorithm).
    #[arg(long, value_enum)]
    hash: Option<TsaHashArg>,
    /// Total time budget per TSA in seconds, retries included.
    #[arg(long = "tsa-timeout", value_name = "SECS", default_value_t = 10.0, value_parser = parse_tsa_timeout)]
    tsa_timeout: f64,
    /// Verify the response against these TSA certificates (PEM; self-signed ones are the
    /// anchors) before writing it.
    #[arg(long = "tsa-certificate-chain", value_name = "PEM", num_args = 1..)]
    tsa_certificate_chain: Vec<PathBuf>,
    /// Where to write the DER TimeStampResp.
    #[arg(long, value_name = "RESP.tsr")]
    out: PathBuf,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("trust").required(true).multiple(false)))]
pub(crate) struct VerifyArgs {
    /// The time-stamp response (DER TimeStampResp) or bare token (ContentInfo).
    #[arg(value_name = "RESP.tsr")]
    response: PathBuf,
    #[command(flatten)]
    datum: DatumArgs,
    /// Algorithm of --digest (default: from its length).
    #[arg(long, value_enum, requires = "digest")]
    hash: Option<TsaHashArg>,
    /// Trusted TSA certificates, PEM (repeatable; self-signed ones are the anchors, the
    /// others intermediates or TSA leaves).
    #[arg(long = "tsa-certificate-chain", value_name = "PEM", num_args = 1.., group = "trust")]
    tsa_certificate_chain: Vec<PathBuf>,
    /// A Sigstore trusted_root.json whose timestampAuthorities are trusted.
    #[arg(long = "trusted-root", value_name = "FILE", group = "trust")]
    trusted_root: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// The time-stamp response (DER TimeStampResp) or bare token (ContentInfo).
    #[arg(value_name = "RESP.tsr")]
    response: PathBuf,
}

/// Runs a `timestamp` subcommand; `Ok(false)` means "failed, already reported" (exit 1).
pub(crate) fn run(command: &TimestampCommand, printer: Printer) -> Result<bool> {
    let result = match command {
        TimestampCommand::Add(a) => return crate::commands::timestamp_add::run(a, printer),
        TimestampCommand::Request(a) => request(a, printer),
        TimestampCommand::Verify(a) => verify(a, printer),
        TimestampCommand::Inspect(a) => inspect(a),
    };
    match result {
        Ok(()) => Ok(true),
        // Usage errors (exit 2) go back to main.
        Err(e) if e.downcast_ref::<clap::Error>().is_some() => Err(e),
        Err(e) => {
            let what = match command {
                TimestampCommand::Request(_) => "Timestamp request",
                TimestampCommand::Verify(_) => "Timestamp verification",
                TimestampCommand::Inspect(_) | TimestampCommand::Add(_) => "Timestamp inspection",
            };
            eprintln!("{what} failed with error: {}", render_error(&e));
            if printer.format == OutputFormat::Json {
                print_json(
                    &serde_json::json!({ "command": "timestamp", "success": false, "error": render_error(&e) }),
                )?;
            }
            Ok(false)
        }
    }
}

fn request(args: &RequestArgs, printer: Printer) -> Result<()> {
    let (hash, digest) = resolve_datum(&args.datum, args.hash)?;
    let request =
        TimeStampRequest::new(hash, digest, None).context("cannot build the time-stamp request")?;
    let mut config = client_config(args.tsa_url.clone(), args.tsa_timeout);
    if !args.tsa_certificate_chain.is_empty() {
        let certs = load_certificate_files(&args.tsa_certificate_chain)?;
        config.trust =
            Some(TsaTrust::from_certificates(certs).context("cannot use the TSA certificates")?);
    }
    let client = TsaClient::new(config)?;
    let obtained = client.fetch(&request)?;
    let Some(first) = obtained.first() else {
        anyhow::bail!("no time-stamp obtained");
    };
    crate::atomic::write_atomically(&args.out, first.response.raw()).map_err(|e| {
        anyhow::anyhow!(
            "cannot write '{}' ({}): {}",
            args.out.display(),
            e.step,
            e.source
        )
    })?;
    let tst = first.response.token().map(|t| t.tst_info());
    let gen_time = tst.map(|t| t.gen_time.to_string());
    let serial = tst.map(|t| t.serial_hex());
    match printer.format {
        OutputFormat::Json => print_json(&serde_json::json!({
            "command": "timestamp request",
            "success": true,
            "tsa_url": first.url.to_string(),
            "out": args.out.display().to_string(),
            "gen_time": gen_time,
            "serial": serial,
            "verified": first.verified.is_some(),
        }))?,
        OutputFormat::Text => {
            println!(
                "Timestamp obtained from {} and written to '{}'",
                first.url,
                args.out.display()
            );
            if !printer.quiet {
                println!("  genTime:  {}", gen_time.as_deref().unwrap_or("?"));
                println!("  serial:   {}", serial.as_deref().unwrap_or("?"));
                println!(
                    "  checked:  {}",
                    if first.verified.is_some() {
                        "against the request and the given TSA certificates"
                    } else {
                        "against the request (no TSA trust given: not verified against anchors)"
                    }
                );
            }
        }
    }
    Ok(())
}

fn verify(args: &VerifyArgs, printer: Printer) -> Result<()> {
    let token = read_limited(&args.response, MAX_TSR_FILE_BYTES, "time-stamp response")?;
    let (hash, digest);
    let datum = match (&args.datum.data, &args.datum.digest) {
        (Some(path), _) => {
            // Hashed (streamed, so the file's size does not matter) with the token's own
            // imprint algorithm. A token that does not parse, or names a hash we do not
            // support, is reported by `verify_timestamp` below; SHA-256 is only a stand-in.
            hash = modelsign_tsp::parse_signed_timestamp(&token)
                .ok()
                .and_then(|t| t.tst_info().hash_algorithm)
                .unwrap_or(HashAlgorithm::Sha256);
            digest = hash_file(path, hash)?;
            Datum::Digest(hash, &digest)
        }
        (None, Some(HexDigest(d))) => {
            hash = digest_algorithm(d, args.hash)?;
            Datum::Digest(hash, d)
        }
        (None, None) => return Err(usage_error("one of --data or --digest is required")),
    };
    let trust = if let Some(path) = &args.trusted_root {
        load_trusted_root(path)?
    } else {
        TsaTrust::from_certificates(load_certificate_files(&args.tsa_certificate_chain)?)
            .context("cannot use the TSA certificates")?
    };
    let verified = verify_timestamp(&token, datum, &trust, &VerifyOptions::default())
        .with_context(|| format!("'{}' is not a valid time-stamp", args.response.display()))?;
    report_verified(&verified, printer)
}

#[derive(Serialize)]
struct VerifiedJson {
    command: &'static str,
    success: bool,
    gen_time: String,
    accuracy_ms: Option<u128>,
    latest_time: String,
    serial: String,
    policy: String,
    hash: &'static str,
    tsa_subject: String,
    authority: String,
    tsa_chain_expired_now: bool,
}

fn report_verified(v: &VerifiedTimestamp, printer: Printer) -> Result<()> {
    // Informational only (rfc3161-rules §6.5): the chain was validated at genTime.
    let expired_now = v.tsa_chain_expired_at(Time::now());
    let accuracy = v.accuracy().map(|a| a.as_duration());
    match printer.format {
        OutputFormat::Json => print_json(&VerifiedJson {
            command: "timestamp verify",
            success: true,
            gen_time: v.gen_time().to_string(),
            accuracy_ms: accuracy.map(|d| d.as_millis()),
            latest_time: v.latest_time().to_string(),
            serial: v.serial_hex(),
            policy: v.policy().to_string(),
            hash: v.hash_algorithm().name(),
            tsa_subject: v.tsa_certificate().subject(),
            authority: v.authority_name().to_owned(),
            tsa_chain_expired_now: expired_now,
        })?,
        OutputFormat::Text => {
            println!("Timestamp verification succeeded");
            if !printer.quiet {
                println!("  genTime:  {}", v.gen_time());
                if let Some(d) = accuracy {
                    println!(
                        "  accuracy: ±{} ms (latest {})",
                        d.as_millis(),
                        v.latest_time()
                    );
                }
                println!("  serial:   {}", v.serial_hex());
                println!("  policy:   {}", v.policy());
                println!("  hash:     {}", v.hash_algorithm().name());
                println!("  TSA:      {}", v.tsa_certificate().subject());
                println!(
                    "  trust:    {} (chain validated at genTime)",
                    v.authority_name()
                );
                if expired_now {
                    println!("  note:     a TSA chain certificate has expired since; the token stays valid");
                }
            }
        }
    }
    Ok(())
}

fn inspect(args: &InspectArgs) -> Result<()> {
    let bytes = read_limited(&args.response, MAX_TSR_FILE_BYTES, "time-stamp response")?;
    let text = modelsign_tsp::inspect(&bytes).with_context(|| {
        format!(
            "'{}' is not a time-stamp response or token",
            args.response.display()
        )
    })?;
    print!("{text}");
    Ok(())
}

/// The imprint algorithm and digest of a request.
fn resolve_datum(datum: &DatumArgs, hash: Option<TsaHashArg>) -> Result<(HashAlgorithm, Vec<u8>)> {
    match (&datum.data, &datum.digest) {
        (Some(path), _) => {
            let hash = hash.map_or(HashAlgorithm::Sha256, HashAlgorithm::from);
            Ok((hash, hash_file(path, hash)?))
        }
        (None, Some(HexDigest(d))) => Ok((digest_algorithm(d, hash)?, d.clone())),
        (None, None) => Err(usage_error("one of --data or --digest is required")),
    }
}

/// The algorithm of a `--digest`: `--hash` if given (the length must match), else by length.
fn digest_algorithm(digest: &[u8], hash: Option<TsaHashArg>) -> Result<HashAlgorithm> {
    let by_length = [
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
    ]
    .into_iter()
    .find(|h| h.output_len() == digest.len());
    match (hash.map(HashAlgorithm::from), by_length) {
        (Some(h), _) if h.output_len() == digest.len() => Ok(h),
        (Some(h), _) => Err(usage_error(format!(
            "--digest has {} bytes but a {} digest has {}",
            digest.len(),
            h.name(),
            h.output_len()
        ))),
        (None, Some(h)) => Ok(h),
        (None, None) => Err(usage_error(format!(
            "--digest has {} bytes; expected 32 (sha256), 48 (sha384) or 64 (sha512)",
            digest.len()
        ))),
    }
}

/// The file's digest, streamed: any file size works in bounded memory.
fn hash_file(path: &Path, hash: HashAlgorithm) -> Result<Vec<u8>> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("cannot read the data file '{}'", path.display()))?;
    hash.digest_reader(file)
        .with_context(|| format!("cannot read the data file '{}'", path.display()))
}

fn parse_hex(s: &str) -> Result<HexDigest, String> {
    let s = s.trim();
    let s = s
        .strip_prefix("sha256:")
        .or_else(|| s.strip_prefix("sha384:"))
        .or_else(|| s.strip_prefix("sha512:"))
        .unwrap_or(s);
    hex::decode(s)
        .map(HexDigest)
        .map_err(|e| format!("not a hex digest: {e}"))
}

fn print_json(value: &impl Serialize) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

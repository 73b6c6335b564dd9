//! Command-line syntax ("low args", as ripgrep calls them): what the user typed, parsed by
//! clap and nothing more. `settings.rs` turns these into library options.
//!
//! Flag names are those of model_signing (hyphenated, as on its `main` branch); the
//! underscore spellings of model_signing 1.1.1 (`--private_key`, `--certificate_chain`, ...)
//! are accepted as aliases so existing scripts keep working (oms-format §12.2, §12.5).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Environment variable read for `--password` (so the password need not appear in the
/// process list or the shell history).
pub(crate) const PASSWORD_ENV: &str = "MODELSIGN_KEY_PASSWORD";

/// Default shard size of model_signing's shards method: 10^9 bytes, not 2^30
/// (oms-format §3.2).
pub(crate) const DEFAULT_SHARD_SIZE: u64 = 1_000_000_000;

#[derive(Debug, Parser)]
#[command(
    name = "modelsign",
    version,
    about = "Sign and verify ML models in the OpenSSF Model Signing (OMS) format.",
    long_about = "Sign and verify ML models in the OpenSSF Model Signing (OMS) format: an in-toto \
statement in a DSSE envelope in a Sigstore bundle, compatible with model_signing 1.1.1 both ways.\n\n\
Exit codes: 0 success; 1 signing/verification failed or an input file is missing, unreadable \
or malformed; 2 command-line error.",
    after_help = "Run `modelsign demo` for a guided tour that needs no keys and no network."
)]
pub(crate) struct Cli {
    /// Output format of the result report (on stdout).
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    pub(crate) output: OutputFormat,

    /// No progress bar and no summary; only the result line, warnings and errors.
    #[arg(long, short = 'q', global = true)]
    pub(crate) quiet: bool,

    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object (field names documented in `output.rs` and the README).
    Json,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Sign a model (writes a Sigstore bundle, by default `model.sig` in the current directory).
    #[command(subcommand)]
    Sign(SignCommand),
    /// Verify a model against its signature.
    #[command(subcommand)]
    Verify(VerifyCommand),
    /// Print the root digest of a model (`sha256:<hex>`), as `model_signing digest` does.
    #[command(alias = "digest")]
    Hash(HashArgs),
    /// Sign and verify a sample model with a throwaway PKI; no arguments, no network.
    Demo(DemoArgs),
    /// RFC 3161 time-stamps: request one from a TSA, verify, inspect.
    #[command(subcommand)]
    Timestamp(crate::commands::timestamp::TimestampCommand),
    /// Run an RFC 3161 Time-Stamp Authority (`tsa serve`).
    Tsa(crate::commands::tsa::TsaArgs),
    /// Print what a signature file holds (method, signer and chain, files, root digest,
    /// timestamps); nothing is verified.
    Inspect(InspectArgs),
}

#[derive(Debug, Subcommand)]
pub(crate) enum SignCommand {
    /// Sign with a private key (no identity beyond the key pair).
    Key(SignKeyArgs),
    /// Sign with a private key and its X.509 signing certificate (plus chain).
    Certificate(SignCertificateArgs),
}

#[derive(Debug, Subcommand)]
pub(crate) enum VerifyCommand {
    /// Verify with the signer's public key.
    Key(VerifyKeyArgs),
    /// Verify with the certificate chain in the bundle against trusted certificates.
    Certificate(VerifyCertificateArgs),
}

/// Options that select which files make up the model (sign, verify and hash).
#[derive(Debug, Args)]
pub(crate) struct ModelSelection {
    /// Path of the model: a directory or a single file.
    #[arg(value_name = "MODEL_PATH")]
    pub(crate) model: PathBuf,

    /// File or directory to leave out (repeatable). Relative paths are resolved against the
    /// current directory, as model_signing does; paths outside the model get a warning.
    #[arg(
        long = "ignore-paths",
        alias = "ignore_paths",
        value_name = "IGNORE_PATHS"
    )]
    pub(crate) ignore_paths: Vec<PathBuf>,

    /// Ignore the git paths `.git`, `.gitattributes`, `.github`, `.gitignore` at the top
    /// level (default).
    #[arg(
        long = "ignore-git-paths",
        alias = "ignore_git_paths",
        overrides_with = "no_ignore_git_paths"
    )]
    pub(crate) ignore_git_paths: bool,

    /// Sign/verify git paths too.
    #[arg(
        long = "no-ignore-git-paths",
        alias = "no_ignore_git_paths",
        overrides_with = "ignore_git_paths"
    )]
    pub(crate) no_ignore_git_paths: bool,

    /// Follow symbolic links to files (hash the target's content under the link's name).
    #[arg(long = "allow-symlinks", alias = "allow_symlinks")]
    pub(crate) allow_symlinks: bool,
}

impl ModelSelection {
    pub(crate) fn ignore_git_paths(&self) -> bool {
        // The two flags override each other (last one wins); neither given = default on.
        !self.no_ignore_git_paths
    }
}

/// How to hash when signing (verification always uses what the bundle records).
#[derive(Debug, Args)]
pub(crate) struct HashingArgs {
    /// Serialization method: one digest per file, or per fixed-size shard of each file.
    #[arg(long = "hash-method", alias = "hash_method", value_enum, default_value_t = HashMethodArg::Files)]
    pub(crate) hash_method: HashMethodArg,

    /// Shard size in bytes for `--hash-method shards` (default 1000000000).
    #[arg(long = "shard-size", alias = "shard_size", value_name = "BYTES",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub(crate) shard_size: Option<u64>,

    /// Hash algorithm of the files/shards (the root digest is always SHA-256).
    /// model_signing's CLI only verifies sha256.
    #[arg(long = "hash", value_enum, default_value_t = HashArg::Sha256)]
    pub(crate) hash: HashArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum HashMethodArg {
    Files,
    Shards,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum HashArg {
    Sha256,
    Blake3,
    Blake2b,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum RsaPaddingArg {
    /// RSASSA-PSS, MGF1-SHA-256, salt length 32 (default).
    Pss,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Pkcs1,
}

/// Options shared by `sign key` and `sign certificate`.
#[derive(Debug, Args)]
pub(crate) struct SignCommon {
    #[command(flatten)]
    pub(crate) selection: ModelSelection,

    #[command(flatten)]
    pub(crate) hashing: HashingArgs,

    /// Where to write the signature (a Sigstore bundle). Written atomically.
    #[arg(long, value_name = "SIGNATURE_PATH", default_value = "model.sig")]
    pub(crate) signature: PathBuf,

    /// Private key file: PEM or DER; PKCS#8 (optionally encrypted), SEC1 EC or PKCS#1 RSA.
    #[arg(
        long = "private-key",
        alias = "private_key",
        value_name = "PRIVATE_KEY"
    )]
    pub(crate) private_key: PathBuf,

    /// Password of an encrypted PKCS#8 key (prefer the environment variable).
    #[arg(long, env = PASSWORD_ENV, hide_env_values = true, value_name = "PASSWORD")]
    pub(crate) password: Option<String>,

    /// Padding for RSA keys (an extension: model_signing verifies only EC keys).
    #[arg(long = "rsa-padding", alias = "rsa_padding", value_enum)]
    pub(crate) rsa_padding: Option<RsaPaddingArg>,

    #[command(flatten)]
    pub(crate) tsa: TsaSigningArgs,
}

/// RFC 3161 timestamping at signing (and `timestamp add`): the raw DSSE signature is
/// timestamped and the whole TimeStampResp stored in the bundle.
#[derive(Debug, Args, Clone)]
pub(crate) struct TsaSigningArgs {
    /// Time-Stamp Authority URL (repeatable): tried in order, the first valid time-stamp
    /// wins (with --tsa-all every one must answer).
    #[arg(long = "tsa-url", value_name = "URL", help_heading = "Timestamps")]
    pub(crate) tsa_url: Vec<String>,

    /// Every --tsa-url must issue a time-stamp; all are stored.
    #[arg(long = "tsa-all", requires = "tsa_url", help_heading = "Timestamps")]
    pub(crate) tsa_all: bool,

    /// Total time budget per TSA in seconds, retries included.
    #[arg(long = "tsa-timeout", value_name = "SECS", default_value_t = 10.0,
          value_parser = parse_tsa_timeout, help_heading = "Timestamps")]
    pub(crate) tsa_timeout: f64,

    /// Hash of the message imprint sent to the TSA.
    #[arg(long = "tsa-hash", value_enum, default_value_t = TsaHashArg::Sha256, help_heading = "Timestamps")]
    pub(crate) tsa_hash: TsaHashArg,

    /// Verify each time-stamp fully against these TSA certificates (PEM, repeatable; each
    /// file is one authority, its self-signed certificates the anchors) before storing it.
    /// Without it each response is still checked against its request.
    #[arg(
        long = "tsa-certificate-chain",
        value_name = "PEM",
        requires = "tsa_url",
        help_heading = "Timestamps"
    )]
    pub(crate) tsa_certificate_chain: Vec<PathBuf>,

    /// If the timestamp policy is not met, sign anyway with the time-stamps that were
    /// obtained (with --tsa-all, those of the TSAs that answered), or without any, with a
    /// warning, instead of failing.
    #[arg(
        long = "tsa-optional",
        requires = "tsa_url",
        help_heading = "Timestamps"
    )]
    pub(crate) tsa_optional: bool,

    /// Ask every TSA for this policy (TSAPolicyId, sent as reqPolicy); a response under
    /// another policy is refused.
    #[arg(long = "tsa-policy", value_name = "OID", requires = "tsa_url",
          value_parser = parse_policy_oid, help_heading = "Timestamps")]
    pub(crate) tsa_policy: Option<modelsign::ObjectIdentifier>,
}

/// A dotted-decimal OID, e.g. `1.3.6.1.4.1.57264.2`.
pub(crate) fn parse_policy_oid(s: &str) -> Result<modelsign::ObjectIdentifier, String> {
    s.trim()
        .parse()
        .map_err(|e| format!("'{s}' is not a dotted-decimal OID: {e}"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum TsaHashArg {
    Sha256,
    Sha384,
    Sha512,
}

/// `--tsa-timeout` of `sign`, `timestamp add` and `timestamp request`.
pub(crate) fn parse_tsa_timeout(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        // Up to a day: longer is a typo, and keeps Duration::from_secs_f64 in range.
        Ok(v) if v.is_finite() && v > 0.0 && v <= 86_400.0 => Ok(v),
        _ => Err("expected a number of seconds greater than 0 (at most 86400)".to_owned()),
    }
}

/// Timestamp trust and policy at verification.
#[derive(Debug, Args)]
pub(crate) struct TimestampVerifyArgs {
    /// Trusted TSA certificates (PEM, repeatable; each file is one authority: its
    /// self-signed certificates are the anchors). TSA trust never comes from the bundle.
    #[arg(
        long = "tsa-certificate-chain",
        value_name = "PEM",
        conflicts_with = "trusted_root",
        help_heading = "Timestamps"
    )]
    pub(crate) tsa_certificate_chain: Vec<PathBuf>,

    /// A Sigstore trusted_root.json whose timestampAuthorities are trusted.
    #[arg(
        long = "trusted-root",
        value_name = "FILE",
        help_heading = "Timestamps"
    )]
    pub(crate) trusted_root: Option<PathBuf>,

    /// Fail unless at least one time-stamp verifies.
    #[arg(long = "require-timestamp", help_heading = "Timestamps")]
    pub(crate) require_timestamp: bool,

    /// Fail if the signature's earliest verified time-stamp is older than this (units s, m,
    /// h, d: e.g. 90d).
    #[arg(long = "max-timestamp-age", value_name = "DURATION", value_parser = parse_age,
          help_heading = "Timestamps")]
    pub(crate) max_timestamp_age: Option<std::time::Duration>,

    /// Require verified time-stamps from at least N distinct authorities.
    #[arg(long = "timestamp-threshold", value_name = "N", default_value_t = 0,
          value_parser = clap::value_parser!(u8).range(0..=32), help_heading = "Timestamps")]
    pub(crate) timestamp_threshold: u8,

    /// Require every time-stamp to be issued under this TSA policy (OID).
    #[arg(long = "tsa-policy", value_name = "OID", value_parser = parse_policy_oid,
          help_heading = "Timestamps")]
    pub(crate) tsa_policy: Option<modelsign::ObjectIdentifier>,
}

/// `90d`, `12h`, `30m`, `45s` (one number and one unit).
pub(crate) fn parse_age(s: &str) -> Result<std::time::Duration, String> {
    let s = s.trim();
    let split = s.len().saturating_sub(1);
    let (number, unit) = (s.get(..split).unwrap_or(""), s.get(split..).unwrap_or(""));
    let factor: u64 = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => return Err("expected a number with a unit s, m, h or d (e.g. 90d)".to_owned()),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("'{number}' is not a whole number (expected e.g. 90d)"))?;
    n.checked_mul(factor)
        .map(std::time::Duration::from_secs)
        .ok_or_else(|| "duration too large".to_owned())
}

/// An RFC 3339 time for the hidden `--at-time` (demo and tests: verify "as the world will
/// be" at a chosen instant).
fn parse_time(s: &str) -> Result<modelsign::Time, String> {
    modelsign::Time::parse_rfc3339(s).map_err(|e| e.to_string())
}

#[derive(Debug, Args)]
pub(crate) struct SignKeyArgs {
    #[command(flatten)]
    pub(crate) common: SignCommon,
}

#[derive(Debug, Args)]
pub(crate) struct SignCertificateArgs {
    #[command(flatten)]
    pub(crate) common: SignCommon,

    /// The signing (leaf) certificate, PEM or DER; its key must be the private key's.
    #[arg(
        long = "signing-certificate",
        alias = "signing_certificate",
        value_name = "CERTIFICATE_PATH"
    )]
    pub(crate) signing_certificate: PathBuf,

    /// Certificates to put in the bundle after the leaf (repeatable; every certificate of
    /// every file, in the order given).
    #[arg(
        long = "certificate-chain",
        alias = "certificate_chain",
        value_name = "CERTIFICATE_PATH"
    )]
    pub(crate) certificate_chain: Vec<PathBuf>,
}

/// Options shared by `verify key` and `verify certificate`.
#[derive(Debug, Args)]
pub(crate) struct VerifyCommon {
    #[command(flatten)]
    pub(crate) selection: ModelSelection,

    /// The signature (Sigstore bundle) to verify.
    #[arg(long, value_name = "SIGNATURE_PATH")]
    pub(crate) signature: PathBuf,

    /// Accept files in the model that the signature does not cover.
    #[arg(
        long = "ignore-unsigned-files",
        alias = "ignore_unsigned_files",
        overrides_with = "no_ignore_unsigned_files"
    )]
    pub(crate) ignore_unsigned_files: bool,

    /// Fail on files that the signature does not cover (default).
    #[arg(long = "no-ignore-unsigned-files",
          aliases = ["no-ignore_unsigned_files", "no_ignore_unsigned_files"],
          overrides_with = "ignore_unsigned_files")]
    pub(crate) no_ignore_unsigned_files: bool,

    #[command(flatten)]
    pub(crate) timestamps: TimestampVerifyArgs,

    /// Verify as of this RFC 3339 time instead of the clock (demo and tests).
    #[arg(long = "at-time", value_name = "TIME", value_parser = parse_time, hide = true)]
    pub(crate) at_time: Option<modelsign::Time>,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyKeyArgs {
    #[command(flatten)]
    pub(crate) common: VerifyCommon,

    /// The signer's public key (PEM or DER SubjectPublicKeyInfo).
    #[arg(long = "public-key", alias = "public_key", value_name = "PUBLIC_KEY")]
    pub(crate) public_key: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct VerifyCertificateArgs {
    #[command(flatten)]
    pub(crate) common: VerifyCommon,

    /// Trusted certificates (repeatable, required): self-signed ones are trust anchors,
    /// the others untrusted intermediates. There is no default trust store.
    #[arg(
        long = "certificate-chain",
        alias = "certificate_chain",
        value_name = "CERTIFICATE_PATH",
        required = true
    )]
    pub(crate) certificate_chain: Vec<PathBuf>,

    /// Print the SHA-256 fingerprints of the trusted and the bundle's certificates.
    #[arg(long = "log-fingerprints", alias = "log_fingerprints")]
    pub(crate) log_fingerprints: bool,

    /// CRL (PEM or DER, repeatable) for time-aware revocation of the signing chain: a
    /// certificate revoked before the trusted signing time fails the signature, one revoked
    /// after it does not; without a verified time-stamp any revocation fails. A complete CRL
    /// of the signing certificate's issuer is required, issued at or after the trusted
    /// signing time (an older CRL cannot show a later revocation).
    #[arg(long = "crl", value_name = "FILE")]
    pub(crate) crl: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// The signature file (Sigstore bundle).
    #[arg(value_name = "SIGNATURE_PATH")]
    pub(crate) signature: PathBuf,
}

#[derive(Debug, Args)]
pub(crate) struct HashArgs {
    #[command(flatten)]
    pub(crate) selection: ModelSelection,

    #[command(flatten)]
    pub(crate) hashing: HashingArgs,
}

#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Model to use instead of the bundled sample (it is copied, never modified).
    #[arg(value_name = "MODEL_PATH")]
    pub(crate) model: Option<PathBuf>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn underscore_and_hyphen_spellings_parse_the_same() {
        let a = Cli::try_parse_from([
            "modelsign",
            "sign",
            "key",
            "m",
            "--private_key",
            "k",
            "--ignore_paths",
            "x",
            "--allow_symlinks",
            "--no_ignore_git_paths",
        ])
        .unwrap();
        let b = Cli::try_parse_from([
            "modelsign",
            "sign",
            "key",
            "m",
            "--private-key",
            "k",
            "--ignore-paths",
            "x",
            "--allow-symlinks",
            "--no-ignore-git-paths",
        ])
        .unwrap();
        assert_eq!(format!("{:?}", a.command), format!("{:?}", b.command));
    }

    #[test]
    fn git_path_flags_override_each_other() {
        let parse = |args: &[&str]| {
            let mut v = vec!["modelsign", "hash", "m"];
            v.extend_from_slice(args);
            match Cli::try_parse_from(v).unwrap().command {
                Command::Hash(h) => h.selection.ignore_git_paths(),
                _ => unreachable!(),
            }
        };
        assert!(parse(&[]));
        assert!(!parse(&["--no-ignore-git-paths"]));
        assert!(parse(&["--no-ignore-git-paths", "--ignore-git-paths"]));
        assert!(!parse(&["--ignore-git-paths", "--no-ignore-git-paths"]));
    }

    #[test]
    fn ages_take_one_unit() {
        use std::time::Duration;
        assert_eq!(parse_age("90d"), Ok(Duration::from_secs(90 * 86_400)));
        assert_eq!(parse_age("12h"), Ok(Duration::from_secs(12 * 3600)));
        assert_eq!(parse_age("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_age("45s"), Ok(Duration::from_secs(45)));
        for bad in ["90", "d", "1.5d", "-1d", "9w", "", "99999999999999999999d"] {
            assert!(parse_age(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn shard_size_zero_is_a_usage_error() {
        let err = Cli::try_parse_from(["modelsign", "hash", "m", "--shard-size", "0"]).unwrap_err();
        assert_eq!(err.exit_code(), 2);
    }
}

//! `modelsign tsa serve`: run an RFC 3161 Time-Stamp Authority (crate
//! `modelsign-tsa-server`), with a real key and chain or with `--dev`, an ephemeral PKI
//! generated in memory whose chain is written to a file for verifiers.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use modelsign_pki::{KeyKind, Time};
use modelsign_tsa_server::{
    dev_signer, load_signer_files, parse_accuracy, parse_policy, serve_until_signal, ServerConfig,
    DEFAULT_LISTEN,
};

use crate::output::Printer;

#[derive(Debug, Args)]
pub(crate) struct TsaArgs {
    #[command(subcommand)]
    pub(crate) command: TsaCommand,
}

#[derive(Debug, Subcommand)]
pub(crate) enum TsaCommand {
    /// Serve RFC 3161 timestamps over HTTP (POST /api/v1/timestamp, GET
    /// /api/v1/timestamp/certchain, GET /healthz) until SIGTERM or Ctrl-C.
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// The TSA's private key (PEM or DER; PKCS#8, SEC1 or PKCS#1).
    #[arg(
        long = "private-key",
        alias = "private_key",
        value_name = "KEY",
        required_unless_present = "dev",
        conflicts_with = "dev",
        requires = "certificate_chain"
    )]
    pub(crate) private_key: Option<PathBuf>,

    /// The TSA certificate chain, TSA certificate first, root last (PEM). The TSA
    /// certificate needs a critical extendedKeyUsage of exactly id-kp-timeStamping.
    #[arg(
        long = "certificate-chain",
        alias = "certificate_chain",
        value_name = "PEM",
        conflicts_with = "dev"
    )]
    pub(crate) certificate_chain: Option<PathBuf>,

    /// Password of an encrypted PKCS#8 key.
    #[arg(long, env = crate::args::PASSWORD_ENV, hide_env_values = true)]
    pub(crate) password: Option<String>,

    /// Address and port to listen on (port 0: any free port, printed at start).
    #[arg(long, value_name = "ADDR", default_value_t = DEFAULT_LISTEN)]
    pub(crate) listen: SocketAddr,

    /// Policy OID of tokens whose request names none [default: 1.3.6.1.4.1.57264.2, the
    /// Sigstore TSA's].
    #[arg(long, value_name = "OID")]
    pub(crate) policy: Option<String>,

    /// A further policy OID requests may ask for (repeatable).
    #[arg(long = "accept-policy", value_name = "OID")]
    pub(crate) accept_policy: Vec<String>,

    /// Declared accuracy of genTime, e.g. 1s, 500ms, 1.5s.
    #[arg(long, value_name = "DURATION", default_value = "1s")]
    pub(crate) accuracy: String,

    /// Append a JSON line per issued token to FILE (serial, genTime, imprint, policy); each
    /// token is sent only after its line is on disk (group commit).
    #[arg(long = "audit-log", value_name = "FILE")]
    pub(crate) audit_log: Option<PathBuf>,

    /// Generate a throwaway root CA and TSA certificate in memory (for demos and tests;
    /// every run is a new authority).
    #[arg(long)]
    pub(crate) dev: bool,

    /// With --dev: directory for the chain PEM [default: a new temporary directory].
    #[arg(long = "dev-dir", value_name = "DIR", requires = "dev")]
    pub(crate) dev_dir: Option<PathBuf>,

    /// With --dev: key type of the TSA certificate.
    #[arg(long = "dev-key-type", value_enum, default_value_t = DevKeyType::EcdsaP256, requires = "dev")]
    pub(crate) dev_key_type: DevKeyType,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DevKeyType {
    EcdsaP256,
    EcdsaP384,
    Ed25519,
    Rsa3072,
}

impl DevKeyType {
    fn kind(self) -> KeyKind {
        match self {
            DevKeyType::EcdsaP256 => KeyKind::EcdsaP256,
            DevKeyType::EcdsaP384 => KeyKind::EcdsaP384,
            DevKeyType::Ed25519 => KeyKind::Ed25519,
            DevKeyType::Rsa3072 => KeyKind::Rsa { bits: 3072 },
        }
    }
}

pub(crate) fn run(args: &TsaArgs, printer: Printer) -> Result<bool> {
    match &args.command {
        TsaCommand::Serve(serve) => run_serve(serve, printer),
    }
}

fn run_serve(args: &ServeArgs, printer: Printer) -> Result<bool> {
    // The one clock read of this command: start-up checks and the dev PKI use it.
    let now = Time::now();
    let (key, chain, dev_chain_path) = if args.dev {
        let dir = match &args.dev_dir {
            Some(dir) => dir.clone(),
            None => tempfile::Builder::new()
                .prefix("modelsign-tsa-dev-")
                .tempdir()
                .context("cannot create a directory for the dev TSA chain")?
                .keep(),
        };
        let signer = dev_signer(now, args.dev_key_type.kind(), &dir)?;
        (signer.key, signer.chain, Some(signer.chain_path))
    } else {
        let (Some(key_path), Some(chain_path)) = (&args.private_key, &args.certificate_chain)
        else {
            anyhow::bail!(
                "--private-key and --certificate-chain are required unless --dev is given"
            );
        };
        let (key, chain) = load_signer_files(
            key_path,
            chain_path,
            args.password.as_deref().map(str::as_bytes),
        )?;
        (key, chain, None)
    };
    let mut config = ServerConfig::new(key, chain);
    config.listen = args.listen;
    if let Some(policy) = &args.policy {
        config.policy = parse_policy(policy)?;
    }
    config.accepted_policies = args
        .accept_policy
        .iter()
        .map(|p| parse_policy(p))
        .collect::<Result<_, _>>()?;
    config.accuracy = Some(parse_accuracy(&args.accuracy)?);
    config.audit_log = args.audit_log.clone();
    let json = matches!(printer.format, crate::args::OutputFormat::Json);
    serve_until_signal(config, now, |server| {
        let url = format!("http://{}/api/v1/timestamp", server.local_addr());
        let chain = dev_chain_path.as_ref().map(|p| p.display().to_string());
        // Printed even with --quiet: clients and scripts need the URL (and the chain path).
        let mut out = std::io::stdout().lock();
        let _ = if json {
            writeln!(
                out,
                "{}",
                serde_json::json!({ "command": "tsa serve", "url": url, "certificateChain": chain })
            )
        } else {
            match &chain {
                Some(path) => writeln!(
                    out,
                    "TSA listening on {url}\nTSA certificate chain (for verifiers): {path}"
                ),
                None => writeln!(out, "TSA listening on {url}"),
            }
        };
        let _ = out.flush();
    })?;
    Ok(true)
}

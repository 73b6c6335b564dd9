//! From parsed flags to library inputs ("high args"): files read with size limits and
//! errors naming the file, ignore paths resolved against the current directory, usage
//! checks that clap cannot express.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::CommandFactory;
use modelsign::{HashKind, HashOptions, Method};
use modelsign_pki::{Certificate, PublicKey, SigningKey};

use crate::args::{Cli, HashArg, HashMethodArg, HashingArgs, ModelSelection};

/// Keys and certificates are a few KiB; a PEM file with a long chain stays far below this.
/// Larger files are not what the user meant to pass.
const MAX_KEY_OR_CERTIFICATE_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// A bundle holds the statement (at most 24 MiB, `modelsign_dsse::MAX_PAYLOAD_LEN`) in
/// base64 plus a few certificates and timestamps; the bundle parser applies its own limit.
const MAX_SIGNATURE_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// A Sigstore trusted root holds a handful of certificates; 4 MiB is far beyond any real one.
const MAX_TRUSTED_ROOT_BYTES: u64 = 4 * 1024 * 1024;

/// A command-line error detected after parsing (exit code 2).
pub(crate) fn usage_error(message: impl std::fmt::Display) -> anyhow::Error {
    anyhow::Error::new(Cli::command().error(clap::error::ErrorKind::ArgumentConflict, message))
}

/// Read a whole file, refusing files larger than `limit`; errors name the file and `what`.
pub(crate) fn read_limited(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>> {
    let file = fs::File::open(path)
        .with_context(|| format!("cannot open the {what} '{}'", path.display()))?;
    let mut bytes = Vec::new();
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .with_context(|| format!("cannot read the {what} '{}'", path.display()))?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > limit {
        anyhow::bail!(
            "the {what} '{}' is larger than {limit} bytes; this is not a {what}",
            path.display()
        );
    }
    Ok(bytes)
}

pub(crate) fn read_signature_file(path: &Path) -> Result<Vec<u8>> {
    read_limited(path, MAX_SIGNATURE_FILE_BYTES, "signature file")
}

/// The TSA trust of a Sigstore `trusted_root.json` (`--trusted-root`): its
/// timestampAuthorities.
pub(crate) fn load_trusted_root(path: &Path) -> Result<modelsign::TsaTrust> {
    let json = read_limited(path, MAX_TRUSTED_ROOT_BYTES, "trusted root")?;
    modelsign::TsaTrust::from_trusted_root_json(&json)
        .with_context(|| format!("cannot use the trusted root '{}'", path.display()))
}

impl From<crate::args::TsaHashArg> for modelsign_pki::HashAlgorithm {
    fn from(h: crate::args::TsaHashArg) -> Self {
        use crate::args::TsaHashArg;
        match h {
            TsaHashArg::Sha256 => modelsign_pki::HashAlgorithm::Sha256,
            TsaHashArg::Sha384 => modelsign_pki::HashAlgorithm::Sha384,
            TsaHashArg::Sha512 => modelsign_pki::HashAlgorithm::Sha512,
        }
    }
}

pub(crate) fn load_private_key(path: &Path, password: Option<&str>) -> Result<SigningKey> {
    let bytes = read_limited(path, MAX_KEY_OR_CERTIFICATE_FILE_BYTES, "private key")?;
    SigningKey::from_pem_or_der(&bytes, password.map(str::as_bytes))
        .with_context(|| format!("cannot load the private key '{}'", path.display()))
}

pub(crate) fn load_public_key(path: &Path) -> Result<PublicKey> {
    let bytes = read_limited(path, MAX_KEY_OR_CERTIFICATE_FILE_BYTES, "public key")?;
    PublicKey::from_pem_or_der(&bytes)
        .with_context(|| format!("cannot load the public key '{}'", path.display()))
}

/// Every certificate of one PEM (or DER) file, in file order.
pub(crate) fn load_certificates(path: &Path) -> Result<Vec<Certificate>> {
    let bytes = read_limited(path, MAX_KEY_OR_CERTIFICATE_FILE_BYTES, "certificate file")?;
    modelsign_pki::certificates_from_pem_or_der(&bytes)
        .with_context(|| format!("cannot load the certificates in '{}'", path.display()))
}

/// Every certificate of every file, files in the order given.
pub(crate) fn load_certificate_files(paths: &[PathBuf]) -> Result<Vec<Certificate>> {
    let mut all = Vec::new();
    for path in paths {
        all.extend(load_certificates(path)?);
    }
    Ok(all)
}

/// The single signing certificate of `path`.
pub(crate) fn load_signing_certificate(path: &Path) -> Result<Certificate> {
    match <[Certificate; 1]>::try_from(load_certificates(path)?) {
        Ok([leaf]) => Ok(leaf),
        Err(certs) => anyhow::bail!(
            "the signing certificate file '{}' holds {} certificates; expected exactly one \
             (put the others in --certificate-chain)",
            path.display(),
            certs.len()
        ),
    }
}

/// `--ignore-paths` plus the signature file, resolved as model_signing does (relative to
/// the current directory). Warnings for user paths outside the model are printed; the
/// signature path is silently skipped when outside the model (the usual case: `model.sig`
/// next to the model).
pub(crate) fn resolve_ignores(
    selection: &ModelSelection,
    signature: &Path,
    quiet_warnings: bool,
) -> Result<Vec<PathBuf>> {
    let cwd = std::env::current_dir().context("cannot determine the current directory")?;
    let (mut paths, warnings) =
        modelsign_digest::resolve_ignore_paths(&selection.model, &cwd, &selection.ignore_paths);
    if !quiet_warnings {
        for warning in warnings {
            eprintln!("warning: {warning}");
        }
    }
    let (signature_paths, _outside_model) =
        modelsign_digest::resolve_ignore_paths(&selection.model, &cwd, &[signature.to_path_buf()]);
    paths.extend(signature_paths);
    Ok(paths)
}

/// Hashing options for signing and `hash`.
pub(crate) fn hash_options(
    selection: &ModelSelection,
    hashing: &HashingArgs,
    ignore_paths: Vec<PathBuf>,
) -> Result<HashOptions> {
    let method = match (hashing.hash_method, hashing.shard_size) {
        (HashMethodArg::Files, None) => Method::Files,
        (HashMethodArg::Files, Some(_)) => {
            return Err(usage_error(
                "--shard-size needs --hash-method shards (the files method has no shards)",
            ))
        }
        (HashMethodArg::Shards, size) => Method::Shards {
            shard_size: size.unwrap_or(crate::args::DEFAULT_SHARD_SIZE),
        },
    };
    Ok(HashOptions {
        method,
        hash: match hashing.hash {
            HashArg::Sha256 => HashKind::Sha256,
            HashArg::Blake3 => HashKind::Blake3,
            HashArg::Blake2b => HashKind::Blake2b,
        },
        allow_symlinks: selection.allow_symlinks,
        ignore_paths,
        ignore_git_paths: selection.ignore_git_paths(),
        progress: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_limited_refuses_large_files_and_names_them() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.pem");
        fs::write(&p, vec![b'x'; 11]).unwrap();
        let e = read_limited(&p, 10, "public key").unwrap_err();
        assert!(e.to_string().contains("big.pem"), "{e}");
        assert_eq!(read_limited(&p, 11, "public key").unwrap().len(), 11);
    }

    #[test]
    fn missing_file_error_names_file() {
        let e = read_limited(Path::new("/no/such/file.pem"), 10, "public key").unwrap_err();
        assert_eq!(
            e.to_string(),
            "cannot open the public key '/no/such/file.pem'"
        );
    }

    #[test]
    fn usage_errors_exit_with_2() {
        let e = usage_error("bad");
        assert_eq!(e.downcast_ref::<clap::Error>().unwrap().exit_code(), 2);
    }
}

//! `tsa serve --dev`: an ephemeral root CA and TSA certificate generated in memory
//! ([`modelsign_devpki::DevPki::tsa`]). Only the certificate chain is written to disk, for
//! verifiers; the keys never leave the process, so every run is a new, untrusted-elsewhere
//! authority.

use std::path::{Path, PathBuf};

use modelsign_devpki::DevPki;
use modelsign_pki::{Certificate, KeyKind, SigningKey, Time};

use crate::Error;

/// Name of the chain file written into the dev directory.
pub const DEV_CHAIN_FILE: &str = "tsa-chain.pem";

/// A throwaway TSA signer.
#[derive(Debug)]
pub struct DevSigner {
    /// The TSA key (in memory only).
    pub key: SigningKey,
    /// TSA certificate, then the ephemeral root.
    pub chain: Vec<Certificate>,
    /// Where the chain PEM was written.
    pub chain_path: PathBuf,
}

/// Generates a root and a TSA leaf with a `kind` key valid from shortly before `now`, and
/// writes the chain (leaf first, root last) to `dir/`[`DEV_CHAIN_FILE`] (`dir` is created).
pub fn dev_signer(now: Time, kind: KeyKind, dir: &Path) -> Result<DevSigner, Error> {
    let pki = DevPki::tsa(now, kind).map_err(|e| Error::DevPki(Box::new(e)))?;
    let chain = pki.chain();
    let pem: String = chain.iter().map(Certificate::to_pem).collect();
    let io_error = |source| Error::WriteFile {
        what: "dev TSA chain",
        path: dir.join(DEV_CHAIN_FILE),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io_error)?;
    let chain_path = dir.join(DEV_CHAIN_FILE);
    std::fs::write(&chain_path, pem).map_err(io_error)?;
    Ok(DevSigner {
        key: pki.leaf.key,
        chain,
        chain_path,
    })
}

//! Ready-made throwaway PKIs for `modelsign demo` and `modelsign tsa serve --dev`, and the
//! PEM files they are written to.
//!
//! Model signing: root CA → intermediate CA → code-signing leaf.
//! Time stamping: root CA → TSA leaf (EKU critical, exactly id-kp-timeStamping; RFC 3161 §2.3).
//!
//! Every certificate starts [`BACKDATE`] before `now`, so a verifier or TSA whose clock is
//! slightly behind still sees them valid. CA certificates last [`CA_VALIDITY`], stretched
//! to cover the leaf.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use modelsign_pki::{Certificate, KeyKind, Time, TrustStore};

use crate::{issue, self_signed, CertProfile, CertSpec, Error, IssuedCert};

/// Clock-skew allowance at the start of every validity window.
pub const BACKDATE: Duration = Duration::from_secs(5 * 60);
/// Lifetime of the dev root and intermediate CAs (ten years).
pub const CA_VALIDITY: Duration = Duration::from_secs(3650 * 24 * 60 * 60);
/// Lifetime of the dev TSA leaf (one year): long-lived like a real TSA certificate.
pub const TSA_VALIDITY: Duration = Duration::from_secs(365 * 24 * 60 * 60);

const ORGANISATION: &str = "modelsign dev PKI (NOT FOR PRODUCTION)";
/// `.invalid` (RFC 2606) so the dev identity can never be mistaken for a real mailbox.
pub const DEV_SIGNER_EMAIL: &str = "dev-signer@modelsign.invalid";

/// A chain from a self-signed root to a leaf, with every private key.
#[derive(Debug)]
pub struct DevPki {
    pub root: IssuedCert,
    /// The leaf's issuer first, the one the root signed last.
    pub intermediates: Vec<IssuedCert>,
    pub leaf: IssuedCert,
}

/// Where [`DevPki::write_pem_files`] put things.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DevPkiFiles {
    /// `root.pem`: the trust anchor alone (give it to verifiers).
    pub root: PathBuf,
    /// `intermediates.pem`: intermediates, leaf's issuer first; `None` when there are none
    /// (an old `intermediates.pem` in the directory is then removed).
    pub intermediates: Option<PathBuf>,
    /// `leaf.pem`: the leaf certificate alone.
    pub leaf: PathBuf,
    /// `chain.pem`: leaf, intermediates, root.
    pub chain: PathBuf,
    /// `leaf-key.pem`: the leaf's private key, unencrypted PKCS#8 (mode 0600 on Unix).
    pub leaf_key: PathBuf,
}

impl DevPki {
    /// Root (P-384) → intermediate (P-384, pathLen 0) → code-signing leaf (P-256, e-mail
    /// [`DEV_SIGNER_EMAIL`]) valid from `now - BACKDATE` for `leaf_validity`.
    pub fn model_signing(now: Time, leaf_validity: Duration) -> Result<Self, Error> {
        let not_before = shifted(now, BACKDATE, false, "notBefore")?;
        let leaf_not_after = shifted(now, leaf_validity, true, "notAfter")?;
        let ca_not_after = shifted(now, CA_VALIDITY, true, "notAfter")?.max(leaf_not_after);
        let ca = |cn: &str, profile| {
            CertSpec::new(cn, profile, KeyKind::EcdsaP384, not_before, ca_not_after)
                .with_organisation(ORGANISATION)
        };
        let root = self_signed(&ca("modelsign dev root CA", CertProfile::Root))?;
        let intermediate = issue(
            &ca(
                "modelsign dev intermediate CA",
                CertProfile::Intermediate { path_len: Some(0) },
            ),
            &root,
        )?;
        let leaf_spec = CertSpec::new(
            "modelsign dev signer",
            CertProfile::CodeSigningLeaf,
            KeyKind::EcdsaP256,
            not_before,
            leaf_not_after,
        )
        .with_organisation(ORGANISATION)
        .with_email(DEV_SIGNER_EMAIL);
        let leaf = issue(&leaf_spec, &intermediate)?;
        Ok(DevPki {
            root,
            intermediates: vec![intermediate],
            leaf,
        })
    }

    /// Root (P-384) → TSA leaf with a key of `kind`, valid from `now - BACKDATE` for
    /// [`TSA_VALIDITY`].
    pub fn tsa(now: Time, kind: KeyKind) -> Result<Self, Error> {
        let not_before = shifted(now, BACKDATE, false, "notBefore")?;
        let leaf_not_after = shifted(now, TSA_VALIDITY, true, "notAfter")?;
        let ca_not_after = shifted(now, CA_VALIDITY, true, "notAfter")?.max(leaf_not_after);
        let root = self_signed(
            &CertSpec::new(
                "modelsign dev TSA root CA",
                CertProfile::Root,
                KeyKind::EcdsaP384,
                not_before,
                ca_not_after,
            )
            .with_organisation(ORGANISATION),
        )?;
        let leaf_spec = CertSpec::new(
            "modelsign dev TSA",
            CertProfile::TimeStampingLeaf,
            kind,
            not_before,
            leaf_not_after,
        )
        .with_organisation(ORGANISATION);
        let leaf = issue(&leaf_spec, &root)?;
        Ok(DevPki {
            root,
            intermediates: Vec::new(),
            leaf,
        })
    }

    /// Leaf, intermediates, root.
    pub fn chain(&self) -> Vec<Certificate> {
        std::iter::once(&self.leaf)
            .chain(&self.intermediates)
            .chain(std::iter::once(&self.root))
            .map(|issued| issued.cert.clone())
            .collect()
    }

    /// The intermediate certificates, leaf's issuer first.
    pub fn intermediate_certificates(&self) -> Vec<Certificate> {
        self.intermediates.iter().map(|i| i.cert.clone()).collect()
    }

    /// The root as the only anchor and the intermediates as untrusted helpers, as a
    /// verifier configured with this PKI would hold them.
    pub fn trust_store(&self) -> TrustStore {
        TrustStore::new(
            vec![self.root.cert.clone()],
            self.intermediate_certificates(),
        )
    }

    /// Writes the PEM files listed in [`DevPkiFiles`] into `dir` (created if missing),
    /// replacing files of the same names.
    pub fn write_pem_files(&self, dir: &Path) -> Result<DevPkiFiles, Error> {
        fs::create_dir_all(dir).map_err(|source| Error::Io {
            path: dir.to_owned(),
            source,
        })?;
        let root = write_file(dir, "root.pem", self.root.cert_pem().as_bytes(), false)?;
        let intermediates = if self.intermediates.is_empty() {
            // A stale file from an earlier PKI in the same directory would be picked up
            // as part of this one.
            remove_if_present(&dir.join("intermediates.pem"))?;
            None
        } else {
            let pem: String = self
                .intermediates
                .iter()
                .map(IssuedCert::cert_pem)
                .collect();
            Some(write_file(dir, "intermediates.pem", pem.as_bytes(), false)?)
        };
        let leaf = write_file(dir, "leaf.pem", self.leaf.cert_pem().as_bytes(), false)?;
        let chain_pem: String = self.chain().iter().map(crate::pem).collect();
        let chain = write_file(dir, "chain.pem", chain_pem.as_bytes(), false)?;
        let leaf_key = write_file(dir, "leaf-key.pem", self.leaf.key_pem()?.as_bytes(), true)?;
        Ok(DevPkiFiles {
            root,
            intermediates,
            leaf,
            chain,
            leaf_key,
        })
    }
}

fn shifted(now: Time, by: Duration, forward: bool, field: &'static str) -> Result<Time, Error> {
    let shifted = if forward {
        now.checked_add(by)
    } else {
        now.checked_sub(by)
    };
    shifted.ok_or(Error::TimeOutOfRange {
        subject: "dev PKI".to_owned(),
        field,
        time: now,
    })
}

fn remove_if_present(path: &Path) -> Result<(), Error> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::Io {
            path: path.to_owned(),
            source: e,
        }),
        _ => Ok(()),
    }
}

fn write_file(dir: &Path, name: &str, contents: &[u8], secret: bool) -> Result<PathBuf, Error> {
    let path = dir.join(name);
    let io_error = |source| Error::Io {
        path: path.clone(),
        source,
    };
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if secret {
        // Private keys: owner-only from the moment the file exists.
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    }
    #[cfg(not(unix))]
    let _ = secret;
    let mut file = options.open(&path).map_err(io_error)?;
    #[cfg(unix)]
    if secret {
        // `mode` only applies to new files: tighten a pre-existing one before writing.
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(io_error)?;
    }
    file.write_all(contents).map_err(io_error)?;
    Ok(path)
}

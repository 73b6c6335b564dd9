//! Start-up checks of the TSA signer (rfc3161-rules §3.2 "check this at start-up"): the
//! leaf's profile and key match (delegated to [`modelsign_tsp::Issuer::new`]), every
//! certificate valid now, and — when the chain ends in a self-signed root — a chain that
//! verifies to it under the RFC 3161 leaf profile:
//!
//! ```text
//! RFC 3161 §2.3: The corresponding certificate MUST contain only one instance of the
//! extended key usage field extension ... with KeyPurposeID having value:
//! id-kp-timeStamping. This extension MUST be critical.
//! ```
//!
//! A TSA that starts with a certificate no verifier accepts would hand out worthless
//! tokens; refusing to start is the only useful answer.

use std::path::Path;

use modelsign_pki::{
    certificates_from_pem_or_der, verify_chain, Certificate, ChainRequest, LeafProfile, SigningKey,
    Time, TrustStore,
};
use modelsign_tsp::{Issuer, IssuerConfig};

use crate::config::ServerConfig;
use crate::Error;

/// Largest key or chain file read: a chain of a few certificates is a few KiB; 1 MiB
/// refuses a wrong path (a model file, a device) before reading it all.
pub const MAX_PEM_FILE: u64 = 1 << 20;

/// Reads the TSA key (PEM or DER; PKCS#8, SEC1, PKCS#1; `password` for encrypted PKCS#8)
/// and its chain (PEM or DER, TSA certificate first).
pub fn load_signer_files(
    key_path: &Path,
    chain_path: &Path,
    password: Option<&[u8]>,
) -> Result<(SigningKey, Vec<Certificate>), Error> {
    let key_bytes = read_limited(key_path, "private key")?;
    let key =
        SigningKey::from_pem_or_der(&key_bytes, password).map_err(|source| Error::ParseFile {
            what: "private key",
            path: key_path.to_owned(),
            source: Box::new(source),
        })?;
    let chain_bytes = read_limited(chain_path, "certificate chain")?;
    let chain = certificates_from_pem_or_der(&chain_bytes).map_err(|source| Error::ParseFile {
        what: "certificate chain",
        path: chain_path.to_owned(),
        source: Box::new(source),
    })?;
    Ok((key, chain))
}

fn read_limited(path: &Path, what: &'static str) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let read_error = |source| Error::ReadFile {
        what,
        path: path.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(read_error)?;
    let mut bytes = Vec::new();
    file.take(MAX_PEM_FILE + 1)
        .read_to_end(&mut bytes)
        .map_err(read_error)?;
    if u64::try_from(bytes.len()).unwrap_or(u64::MAX) > MAX_PEM_FILE {
        return Err(read_error(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("larger than {MAX_PEM_FILE} bytes"),
        )));
    }
    Ok(bytes)
}

/// Builds the issuer from `config` after checking the chain at `now`.
pub(crate) fn build_issuer(config: &ServerConfig, now: Time) -> Result<Issuer, Error> {
    if config
        .accuracy
        .is_some_and(|a| a.seconds == 0 && a.millis == 0 && a.micros == 0)
    {
        return Err(Error::Config {
            field: "accuracy",
            problem: "must not be zero (omit it instead)",
        });
    }
    let issuer_config = IssuerConfig {
        policy: config.policy,
        accepted_policies: config.accepted_policies.clone(),
        accuracy: config.accuracy,
        include_chain: config.include_chain,
    };
    // Profile and key first: "wrong kind of certificate" is the more useful message.
    let issuer = Issuer::new(clone_key(&config.key)?, config.chain.clone(), issuer_config)
        .map_err(|e| Error::Signer(Box::new(e)))?;
    check_chain_now(&config.chain, now)?;
    Ok(issuer)
}

/// `SigningKey` is deliberately not `Clone` (key material); a PKCS#8 round trip gives the
/// issuer its own copy while the config keeps one.
fn clone_key(key: &SigningKey) -> Result<SigningKey, Error> {
    let der = key.to_pkcs8_der().map_err(|source| Error::ParseFile {
        what: "private key",
        path: "<in memory>".into(),
        source: Box::new(source),
    })?;
    SigningKey::from_pem_or_der(&der, None).map_err(|source| Error::ParseFile {
        what: "private key",
        path: "<in memory>".into(),
        source: Box::new(source),
    })
}

/// Every certificate must be within its validity window at `now`; a chain ending in a
/// self-signed root must also verify to that root with the time-stamping leaf profile.
pub(crate) fn check_chain_now(chain: &[Certificate], now: Time) -> Result<(), Error> {
    if chain.is_empty() {
        return Err(Error::Config {
            field: "certificate chain",
            problem: "is empty",
        });
    }
    for (position, cert) in chain.iter().enumerate() {
        if now < cert.not_before() || now > cert.not_after() {
            return Err(Error::CertificateNotValidNow {
                position,
                subject: cert.subject(),
                not_before: cert.not_before(),
                not_after: cert.not_after(),
                now,
            });
        }
    }
    let (leaf, rest) = chain.split_first().ok_or(Error::Config {
        field: "certificate chain",
        problem: "is empty",
    })?;
    if let Some((root, untrusted)) = rest.split_last().filter(|(root, _)| root.is_self_signed()) {
        let trust = TrustStore::new(vec![root.clone()], Vec::new());
        let request = ChainRequest {
            leaf,
            untrusted,
            trust: &trust,
            time: now,
            latest: now,
            profile: LeafProfile::TimeStamping,
        };
        verify_chain(&request).map_err(|source| Error::ChainInvalid {
            root: root.subject(),
            source: Box::new(source),
        })?;
    }
    Ok(())
}

//! Who signed, and what the signature covers: the summaries reported after signing and
//! inside a [`crate::VerifiedModel`].

use std::fmt;

use modelsign_digest::{parse_resource_name, HashKind, Manifest, Method};
use modelsign_pki::{Certificate, KeyKind, PublicKey};

/// The signer as identified by the signature.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum SignerIdentity {
    /// Key mode: the public key, identified by model_signing's hint (lowercase hex SHA-256
    /// of the key's PEM text).
    PublicKey {
        /// The key hint.
        hint: String,
        /// The key type.
        kind: KeyKind,
    },
    /// Certificate mode: the signing certificate first. After verification this is the
    /// validated path, ending at the trust anchor; after signing it is what the bundle
    /// holds (leaf + given chain, unvalidated).
    Certificate {
        /// Leaf first.
        chain: Vec<Certificate>,
    },
}

impl SignerIdentity {
    /// Key-mode identity of `key`.
    pub fn of_public_key(key: &PublicKey) -> Self {
        SignerIdentity::PublicKey {
            hint: key_hint(key),
            kind: key.kind(),
        }
    }

    /// The signing certificate, in certificate mode.
    pub fn leaf(&self) -> Option<&Certificate> {
        match self {
            SignerIdentity::PublicKey { .. } => None,
            SignerIdentity::Certificate { chain } => chain.first(),
        }
    }
}

impl fmt::Display for SignerIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SignerIdentity::PublicKey { hint, kind } => {
                write!(f, "public key {kind}, sha256 hint {hint}")
            }
            SignerIdentity::Certificate { chain } => match chain.first() {
                Some(leaf) => write!(
                    f,
                    "certificate '{}' (serial {}, issued by '{}')",
                    leaf.subject(),
                    leaf.serial_hex(),
                    leaf.issuer()
                ),
                None => f.write_str("certificate (none)"),
            },
        }
    }
}

/// model_signing's key hint: lowercase hex SHA-256 of the public key's PEM text as Python
/// `cryptography` writes it (oms-format §7.1), not of the DER.
pub(crate) fn key_hint(key: &PublicKey) -> String {
    hex::encode(modelsign_pki::HashAlgorithm::Sha256.digest(key.to_pem().as_bytes()))
}

/// What a manifest covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManifestSummary {
    /// The subject name (model directory or file name). Informative: not compared.
    pub model_name: String,
    /// Files or shards.
    pub method: Method,
    /// Per-resource hash algorithm.
    pub hash: HashKind,
    /// Number of distinct files.
    pub files: usize,
    /// Number of resources (files, or shards).
    pub resources: usize,
    /// SHA-256 over the resource digests (the in-toto subject digest).
    pub root_digest: [u8; 32],
}

impl ManifestSummary {
    /// Summary of a manifest.
    pub fn of(manifest: &Manifest) -> Self {
        let mut files: Vec<&str> = manifest
            .resources
            .iter()
            .map(|r| match parse_resource_name(&r.name, manifest.method) {
                Ok(name) => name.file(),
                // Unparseable names were rejected earlier; count them as themselves.
                Err(_) => r.name.as_str(),
            })
            .collect();
        files.sort_unstable();
        files.dedup();
        ManifestSummary {
            model_name: manifest.model_name.clone(),
            method: manifest.method,
            hash: manifest.hash,
            files: files.len(),
            resources: manifest.resources.len(),
            root_digest: manifest.root_digest(),
        }
    }

    /// `sha256:<hex>`, the form `model_signing digest` prints.
    pub fn root_digest_string(&self) -> String {
        format!("sha256:{}", hex::encode(self.root_digest))
    }

    /// `files`, or `shards (N bytes)`.
    pub fn method_description(&self) -> String {
        match self.method {
            Method::Files => "files".to_owned(),
            Method::Shards { shard_size } => format!("shards of {shard_size} bytes"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use modelsign_digest::Resource;

    fn resource(name: &str, byte: u8) -> Resource {
        Resource {
            name: name.to_owned(),
            algorithm: "sha256-sharded-300".to_owned(),
            digest: vec![byte; 32],
        }
    }

    #[test]
    fn shards_are_counted_per_file() {
        let manifest = Manifest {
            model_name: "m".to_owned(),
            method: Method::Shards { shard_size: 300 },
            hash: HashKind::Sha256,
            allow_symlinks: false,
            ignore_paths: vec![],
            resources: vec![
                resource("a.bin:0:300", 1),
                resource("a.bin:300:400", 2),
                resource("b/c.bin:0:10", 3),
            ],
        };
        let summary = ManifestSummary::of(&manifest);
        assert_eq!(summary.files, 2);
        assert_eq!(summary.resources, 3);
        assert_eq!(summary.root_digest, manifest.root_digest());
        assert!(summary.root_digest_string().starts_with("sha256:"));
        assert_eq!(summary.method_description(), "shards of 300 bytes");
    }

    #[test]
    fn key_hint_matches_model_signing_golden() {
        // sha256sum keys/ec256.pub.pem = the hint in every ec256 bundle (testdata README).
        let pem = std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/testdata/model-signing-1.1.1/keys/ec256.pub.pem"
        ))
        .unwrap();
        let key = PublicKey::from_pem(&pem).unwrap();
        assert_eq!(
            key_hint(&key),
            "c23c2e058093214e72753a240af01a74152066248303d84b1fe4fa9cbbb535ed"
        );
    }
}

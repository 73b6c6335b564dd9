//! Signing: model → manifest → statement → DSSE signature → bundle.
//!
//! Split in two stages so that the timestamp layer can slot in between:
//! [`sign_statement`] produces a [`SignedStatement`] (the DSSE envelope and the signer's
//! verification material); its raw signature ([`SignedStatement::signature`]) is the datum
//! an RFC 3161 timestamp covers; [`SignedStatement::into_bundle`] then assembles the bundle
//! with whatever timestamps were obtained. [`sign`] does both with no timestamp.
//!
//! Signature schemes: the key's default (ECDSA P-256/SHA-256, P-384/SHA-384,
//! P-521/SHA-512 as model_signing; Ed25519; RSA-PSS/SHA-256) or, for RSA keys only,
//! PKCS#1 v1.5/SHA-256 with [`RsaPadding::Pkcs1`]. Only the ECDSA curves are verifiable by
//! model_signing 1.1.1; the others are extensions and produce a [`Warning`].

use std::path::Path;

use modelsign_bundle::{
    Bundle, Content, DsseEnvelope, DsseSignature, MediaType, SignerMaterial, VerificationMaterial,
};
use modelsign_digest::HashOptions;
use modelsign_dsse::{Envelope, Signature, PAYLOAD_TYPE};
use modelsign_pki::{Certificate, HashAlgorithm, KeyKind, SignatureScheme, SigningKey, Time};

use crate::identity::{key_hint, ManifestSummary, SignerIdentity};
use crate::manifest_check::to_view;
use crate::{Error, Mode, Warning};

/// Padding for RSA keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RsaPadding {
    /// RSASSA-PSS with SHA-256, MGF1-SHA-256, salt length 32 (the default).
    #[default]
    Pss,
    /// RSASSA-PKCS1-v1_5 with SHA-256.
    Pkcs1,
}

/// The signing key and how the signer is identified in the bundle.
#[derive(Debug)]
pub struct Signer {
    key: SigningKey,
    material: SignerKind,
}

#[derive(Debug)]
enum SignerKind {
    Key,
    Certificate {
        leaf: Certificate,
        chain: Vec<Certificate>,
    },
}

impl Signer {
    /// Key mode: the bundle carries the key hint.
    pub fn key(key: SigningKey) -> Self {
        Signer {
            key,
            material: SignerKind::Key,
        }
    }

    /// Certificate mode: the bundle carries `leaf` followed by `chain` exactly in the order
    /// given (model_signing puts every certificate of every `--certificate-chain` file,
    /// nothing reordered or deduplicated). The leaf must certify `key` and be within its
    /// validity period at `now`: a signature made outside it would be rejected by every
    /// verifier that checks validity (as model_signing's `main` branch now does at signing).
    pub fn certificate(
        key: SigningKey,
        leaf: Certificate,
        chain: Vec<Certificate>,
        now: Time,
    ) -> Result<Self, Error> {
        let leaf_key = leaf
            .public_key()
            .map_err(|source| Error::CertificatePublicKey {
                subject: leaf.subject(),
                source: Box::new(source),
            })?;
        if leaf_key.spki_der() != key.public_key().spki_der() {
            return Err(Error::KeyCertificateMismatch {
                subject: leaf.subject(),
            });
        }
        if now < leaf.not_before() || leaf.not_after() < now {
            return Err(Error::SigningCertificateNotValid {
                subject: leaf.subject(),
                not_before: leaf.not_before(),
                not_after: leaf.not_after(),
                now,
            });
        }
        Ok(Signer {
            key,
            material: SignerKind::Certificate { leaf, chain },
        })
    }

    /// Key or certificate mode.
    pub fn mode(&self) -> Mode {
        match self.material {
            SignerKind::Key => Mode::Key,
            SignerKind::Certificate { .. } => Mode::Certificate,
        }
    }

    fn identity(&self) -> SignerIdentity {
        match &self.material {
            SignerKind::Key => SignerIdentity::of_public_key(&self.key.public_key()),
            SignerKind::Certificate { leaf, chain } => SignerIdentity::Certificate {
                chain: std::iter::once(leaf.clone())
                    .chain(chain.iter().cloned())
                    .collect(),
            },
        }
    }

    fn verification_material(&self) -> SignerMaterial {
        match &self.material {
            SignerKind::Key => {
                SignerMaterial::PublicKeyHint(Some(key_hint(&self.key.public_key())))
            }
            SignerKind::Certificate { leaf, chain } => SignerMaterial::X509Chain(
                std::iter::once(leaf)
                    .chain(chain.iter())
                    .map(|c| c.der().to_vec())
                    .collect(),
            ),
        }
    }

    fn scheme(&self, padding: Option<RsaPadding>) -> Result<SignatureScheme, Error> {
        match (self.key.kind(), padding) {
            (KeyKind::Rsa { .. }, Some(RsaPadding::Pkcs1)) => {
                Ok(SignatureScheme::RsaPkcs1(HashAlgorithm::Sha256))
            }
            (KeyKind::Rsa { .. }, _) => Ok(SignatureScheme::RsaPss(HashAlgorithm::Sha256)),
            (kind, Some(_)) => Err(Error::RsaPaddingForNonRsaKey {
                key: kind.to_string(),
            }),
            (_, None) => Ok(self.key.default_scheme()),
        }
    }
}

/// What to sign and how.
#[derive(Debug)]
#[non_exhaustive]
pub struct SignRequest<'a> {
    /// The model: a directory or a single file.
    pub model: &'a Path,
    /// Key (and certificate).
    pub signer: &'a Signer,
    /// How to hash; `ignore_paths` must already contain the signature file if it lies
    /// inside the model.
    pub hashing: HashOptions,
    /// RSA padding (RSA keys only; `None` = PSS).
    pub rsa_padding: Option<RsaPadding>,
}

impl<'a> SignRequest<'a> {
    /// A request with default hashing (files, SHA-256, git paths ignored).
    pub fn new(model: &'a Path, signer: &'a Signer) -> Self {
        SignRequest {
            model,
            signer,
            hashing: HashOptions::default(),
            rsa_padding: None,
        }
    }
}

/// A signed statement before it is put into a bundle.
#[derive(Debug)]
pub struct SignedStatement {
    envelope: Envelope,
    material: SignerMaterial,
    summary: SignSummary,
}

impl SignedStatement {
    /// The raw DSSE signature: the datum an RFC 3161 timestamp is requested over.
    pub fn signature(&self) -> &[u8] {
        // `sign_statement` always creates exactly one signature, so `first` is `Some`; the
        // empty fallback avoids a panic path and could only make a timestamp mismatch.
        self.envelope
            .signatures
            .first()
            .map(|s| s.sig.as_slice())
            .unwrap_or_default()
    }

    /// What a timestamp must cover: the raw signature and, in certificate mode, the signing
    /// certificate whose validity the genTime must fall in.
    pub fn timestamp_target(&self) -> crate::TimestampTarget {
        let chain = match &self.summary.signer {
            crate::SignerIdentity::Certificate { chain } => chain.clone(),
            _ => Vec::new(),
        };
        crate::TimestampTarget::new(self.signature().to_vec(), chain)
    }

    /// The exact statement bytes that were signed.
    pub fn payload(&self) -> &[u8] {
        &self.envelope.payload
    }

    /// Assemble the bundle with timestamps accepted by [`crate::TimestampTarget::accept`]
    /// (their warnings join the summary's).
    pub fn into_timestamped_bundle(
        mut self,
        accepted: Vec<crate::AcceptedTimestamp>,
    ) -> SignedModel {
        let mut ders = Vec::with_capacity(accepted.len());
        for a in accepted {
            self.summary.warnings.extend(a.warnings);
            self.summary.timestamps.push(a.info);
            ders.push(a.der);
        }
        self.into_bundle(ders)
    }

    /// Record a warning for the summary (e.g. timestamps skipped with `--tsa-optional`).
    pub fn add_warning(&mut self, warning: Warning) {
        self.summary.warnings.push(warning);
    }

    /// Assemble the bundle. `timestamps` are DER `TimeStampResp` (or token) bytes for
    /// `verificationMaterial.timestampVerificationData.rfc3161Timestamps`; empty for none.
    /// They are stored as given: prefer [`SignedStatement::into_timestamped_bundle`], which
    /// takes only checked responses.
    pub fn into_bundle(self, timestamps: Vec<Vec<u8>>) -> SignedModel {
        let envelope = self.envelope;
        let bundle = Bundle {
            media_type: MediaType::V0_3,
            verification_material: VerificationMaterial {
                signer: self.material,
                // Written as `"tlogEntries": []`, as model_signing does.
                tlog_entries: Vec::new(),
                rfc3161_timestamps: timestamps,
            },
            content: Content::Dsse(DsseEnvelope {
                payload: envelope.payload,
                payload_type: envelope.payload_type,
                signatures: envelope
                    .signatures
                    .into_iter()
                    .map(|s| DsseSignature {
                        sig: s.sig,
                        keyid: s.keyid,
                    })
                    .collect(),
            }),
        };
        SignedModel {
            bundle_json: modelsign_bundle::to_json(&bundle),
            summary: self.summary,
        }
    }
}

/// What was signed, for the report.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct SignSummary {
    /// Key or certificate mode.
    pub mode: Mode,
    /// The signer.
    pub signer: SignerIdentity,
    /// The signature scheme used.
    pub scheme: SignatureScheme,
    /// What the signature covers.
    pub manifest: ManifestSummary,
    /// Notices (e.g. a key type model_signing cannot verify).
    pub warnings: Vec<Warning>,
    /// The timestamps stored in the bundle (via `into_timestamped_bundle`).
    pub timestamps: Vec<crate::TimestampInfo>,
}

/// A finished signature: the bundle to write and a summary.
#[derive(Debug)]
pub struct SignedModel {
    bundle_json: Vec<u8>,
    summary: SignSummary,
}

impl SignedModel {
    /// The Sigstore bundle JSON (compact, no trailing newline, as model_signing writes).
    pub fn bundle_json(&self) -> &[u8] {
        &self.bundle_json
    }

    /// What was signed.
    pub fn summary(&self) -> &SignSummary {
        &self.summary
    }
}

/// Hash, build the statement and sign it (no bundle yet; see the module docs).
pub fn sign_statement(request: &SignRequest<'_>) -> Result<SignedStatement, Error> {
    let signer = request.signer;
    // Decide the scheme before the (long) hashing, so a bad flag fails fast.
    let scheme = signer.scheme(request.rsa_padding)?;
    let manifest = crate::hash_model(request.model, &request.hashing)?;
    if manifest.is_empty() {
        return Err(Error::EmptyModel {
            model: request.model.to_path_buf(),
        });
    }
    let payload = modelsign_dsse::statement_json(&to_view(&manifest))
        .map_err(|e| Error::BuildStatement(Box::new(e)))?;
    let pae = modelsign_dsse::pae(PAYLOAD_TYPE, &payload);
    let sig = signer
        .key
        .sign(scheme, &pae)
        .map_err(|e| Error::Sign(Box::new(e)))?;
    let mut warnings = Vec::new();
    if !matches!(
        signer.key.kind(),
        KeyKind::EcdsaP256 | KeyKind::EcdsaP384 | KeyKind::EcdsaP521
    ) {
        warnings.push(Warning::NotVerifiableByModelSigning {
            key: signer.key.kind().to_string(),
        });
    }
    Ok(SignedStatement {
        envelope: Envelope {
            payload,
            payload_type: PAYLOAD_TYPE.to_owned(),
            // model_signing writes `"keyid": ""`.
            signatures: vec![Signature {
                sig,
                keyid: Some(String::new()),
            }],
        },
        material: signer.verification_material(),
        summary: SignSummary {
            mode: signer.mode(),
            signer: signer.identity(),
            scheme,
            manifest: ManifestSummary::of(&manifest),
            warnings,
            timestamps: Vec::new(),
        },
    })
}

/// Sign a model: [`sign_statement`] + [`SignedStatement::into_bundle`] without timestamps.
pub fn sign(request: &SignRequest<'_>) -> Result<SignedModel, Error> {
    Ok(sign_statement(request)?.into_bundle(Vec::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scheme_follows_the_key_and_the_padding() {
        let signer = |kind| Signer::key(SigningKey::generate(kind).unwrap());
        let p384 = signer(KeyKind::EcdsaP384);
        assert_eq!(
            p384.scheme(None).unwrap(),
            SignatureScheme::Ecdsa(HashAlgorithm::Sha384)
        );
        assert!(matches!(
            p384.scheme(Some(RsaPadding::Pkcs1)),
            Err(Error::RsaPaddingForNonRsaKey { .. })
        ));
        let rsa = signer(KeyKind::Rsa { bits: 2048 });
        assert_eq!(
            rsa.scheme(None).unwrap(),
            SignatureScheme::RsaPss(HashAlgorithm::Sha256)
        );
        assert_eq!(
            rsa.scheme(Some(RsaPadding::Pkcs1)).unwrap(),
            SignatureScheme::RsaPkcs1(HashAlgorithm::Sha256)
        );
    }

    #[test]
    fn key_mode_material_is_the_hint() {
        let key = SigningKey::generate(KeyKind::EcdsaP256).unwrap();
        let hint = key_hint(&key.public_key());
        match Signer::key(key).verification_material() {
            SignerMaterial::PublicKeyHint(Some(h)) => assert_eq!(h, hint),
            other => panic!("{other:?}"),
        }
    }
}

//! Verification: bundle → signer → DSSE signature → statement → model.
//!
//! Order (each step only runs when the previous passed):
//!
//! 1. parse the bundle (`modelsign-bundle`: size limits, media type, strict base64, shape);
//! 2. the verification material must fit the mode (`publicKey` for key mode,
//!    `x509CertificateChain` for certificate mode);
//! 3. key mode: a non-empty `publicKey.hint` must equal the given key's hint; a legacy
//!    `rawBytes` key must be the given key;
//!    certificate mode: parse the bundle's certificates (leaf first);
//! 4. the DSSE signature over the exact payload bytes, with the given key or the leaf's key
//!    ([`crate::signature_check`] rules);
//! 5. every RFC 3161 timestamp over the raw signature bytes, against the verifier's TSA
//!    trust ([`crate::TimestampPolicy`]; with trust configured a failing timestamp fails the
//!    verification, without it timestamps are reported unverified and do not count), then
//!    the policy (required, threshold of distinct authorities, maximum age) — in key mode
//!    too;
//! 6. certificate mode: path validation of the leaf against the verifier's trust store,
//!    with the bundle's other certificates as untrusted intermediates, at **each** verified
//!    timestamp's time (`notBefore <= genTime`, `genTime + accuracy <= notAfter` for every
//!    certificate), or at the current time when no timestamp verified
//!    ([`crate::validation_time`]); then, with CRLs, time-aware revocation
//!    ([`crate::revocation`] rules);
//! 7. the statement (only now trusted): type, predicate, subject digest recomputed;
//! 8. the model re-hashed with the recorded method and compared
//!    ([`crate::manifest_check`] rules).
//!
//! Symlinks: the signer's recorded `allow_symlinks` applies; `--allow-symlinks` at
//! verification cannot relax a recorded `false` (warning) and is used only for legacy
//! statements that record nothing.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use modelsign_bundle::SignerMaterial;
use modelsign_digest::Progress;
use modelsign_dsse::{Envelope, PredicateFormat, Signature};
use modelsign_pki::{Certificate, Crl, PublicKey, SignatureScheme, Time, TrustStore};

use crate::identity::{key_hint, ManifestSummary, SignerIdentity};
use crate::manifest_check::{
    check_model, effective_allow_symlinks, expected_manifest, RehashSettings,
};
use crate::revocation::{check_revocations, Note};
use crate::signature_check::verify_envelope;
use crate::timestamps::{
    check_policy, validation_times, verify_bundle_timestamps, BundleTimestamp, TimestampPolicy,
};
use crate::validation_time::{validate_chain_at, ValidationTime};
use crate::{Error, Mode, Warning};

/// A real chain is 2-4 certificates; the limit bounds parsing and path-building work on a
/// hostile bundle (the same order as webpki's and Sigstore's chain-length budgets).
pub const MAX_BUNDLE_CERTIFICATES: usize = 16;

/// What the verifier trusts. Never taken from the bundle.
#[derive(Debug)]
#[non_exhaustive]
pub enum VerifierTrust {
    /// Key mode: exactly this public key.
    PublicKey(PublicKey),
    /// Certificate mode: these anchors and intermediates.
    Certificates(TrustStore),
}

impl VerifierTrust {
    fn mode(&self) -> Mode {
        match self {
            VerifierTrust::PublicKey(_) => Mode::Key,
            VerifierTrust::Certificates(_) => Mode::Certificate,
        }
    }
}

/// The verifier's side of hashing.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct VerifyOptions {
    /// Paths to leave out (resolved: relative to the model root or absolute); include the
    /// signature file if it lies inside the model.
    pub ignore_paths: Vec<PathBuf>,
    /// Ignore the top-level git paths (the verifier's setting applies, as in model_signing).
    pub ignore_git_paths: bool,
    /// The verifier's `--allow-symlinks` (see the module docs for how it combines).
    pub allow_symlinks: bool,
    /// Accept files the signature does not list.
    pub ignore_unsigned_files: bool,
    /// Optional progress sink for hashing.
    pub progress: Option<Arc<dyn Progress>>,
}

impl VerifyOptions {
    /// Defaults of the CLI: git paths ignored, everything else off.
    pub fn new() -> Self {
        VerifyOptions {
            ignore_git_paths: true,
            ..VerifyOptions::default()
        }
    }
}

impl fmt::Debug for VerifyOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyOptions")
            .field("ignore_paths", &self.ignore_paths)
            .field("ignore_git_paths", &self.ignore_git_paths)
            .field("allow_symlinks", &self.allow_symlinks)
            .field("ignore_unsigned_files", &self.ignore_unsigned_files)
            .field(
                "progress",
                &self.progress.as_ref().map(|_| "<dyn Progress>"),
            )
            .finish()
    }
}

/// Everything verification needs.
#[derive(Debug)]
#[non_exhaustive]
pub struct VerifyRequest<'a> {
    /// The model: a directory or a single file.
    pub model: &'a Path,
    /// The bundle file's bytes.
    pub bundle_json: &'a [u8],
    /// What the verifier trusts.
    pub trust: &'a VerifierTrust,
    /// Hashing options.
    pub options: VerifyOptions,
    /// The current time (read by the caller; this crate reads no clock).
    pub now: Time,
    /// Timestamp trust and policy (default: no TSA trust, nothing required).
    pub timestamps: TimestampPolicy,
    /// CRLs for time-aware revocation of the signing chain (certificate mode).
    pub crls: Vec<Crl>,
}

impl<'a> VerifyRequest<'a> {
    /// A request with [`VerifyOptions::new`].
    pub fn new(
        model: &'a Path,
        bundle_json: &'a [u8],
        trust: &'a VerifierTrust,
        now: Time,
    ) -> Self {
        VerifyRequest {
            model,
            bundle_json,
            trust,
            options: VerifyOptions::new(),
            now,
            timestamps: TimestampPolicy::default(),
            crls: Vec::new(),
        }
    }
}

/// One check that passed, in the order performed.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Check {
    /// The bundle parsed as a Sigstore bundle v0.3 with a DSSE envelope.
    BundleParsed,
    /// Key mode: `publicKey.hint` equals the given key's hint.
    KeyHint,
    /// Key mode, legacy bundle: the embedded `rawBytes` key is the given key.
    LegacyEmbeddedKey,
    /// The DSSE signature verified.
    DsseSignature {
        /// With which scheme.
        scheme: SignatureScheme,
        /// Over the legacy v0.2 PAE.
        legacy_pae: bool,
    },
    /// Certificate mode: the chain validated to a trust anchor, leaf profile satisfied.
    CertificateChain {
        /// Subject of the trust anchor reached.
        anchor: String,
        /// Number of certificates in the path, leaf and anchor included.
        length: usize,
        /// The times it was validated at.
        times: Vec<ValidationTime>,
    },
    /// The bundle's timestamps were examined.
    Timestamps {
        /// How many verified against the verifier's TSA trust.
        verified: usize,
        /// How many could not be verified (no TSA trust).
        unverified: usize,
        /// Distinct authorities among the verified ones.
        authorities: usize,
    },
    /// The verifier's timestamp policy is met.
    TimestampPolicy {
        /// A verified timestamp was required.
        required: bool,
        /// Distinct authorities required.
        threshold: usize,
        /// Maximum age, seconds.
        max_age_secs: Option<u64>,
    },
    /// Certificate mode with CRLs: the signing certificate (and every CA whose issuer's CRL
    /// was given) is not revoked at the validation time(s).
    Revocation {
        /// CRLs given.
        crls: usize,
    },
    /// The statement is an OMS statement whose subject digest matches its resources.
    Statement {
        /// The predicate type.
        predicate_type: &'static str,
    },
    /// The model on disk matches the signed manifest.
    ModelContents {
        /// Files hashed on disk.
        files: usize,
        /// Whether unsigned extra files were tolerated.
        ignore_unsigned_files: bool,
    },
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Check::BundleParsed => f.write_str("signature file is a valid Sigstore bundle v0.3"),
            Check::KeyHint => f.write_str("key hint matches the given public key"),
            Check::LegacyEmbeddedKey => f.write_str("embedded public key is the given public key"),
            Check::DsseSignature { scheme, legacy_pae } => {
                write!(f, "DSSE signature verified ({scheme}")?;
                if *legacy_pae {
                    f.write_str(", legacy v0.2 encoding")?;
                }
                f.write_str(")")
            }
            Check::CertificateChain {
                anchor,
                length,
                times,
            } => {
                write!(
                    f,
                    "certificate chain of {length} validated to trust anchor '{anchor}' at "
                )?;
                let times: Vec<String> = times.iter().map(ToString::to_string).collect();
                f.write_str(&times.join(", "))
            }
            Check::Timestamps {
                verified,
                unverified,
                authorities,
            } => {
                write!(
                    f,
                    "{verified} timestamp(s) verified over the signature ({authorities} \
                     distinct authorities)"
                )?;
                if *unverified > 0 {
                    write!(f, ", {unverified} unverified (no TSA trust)")?;
                }
                Ok(())
            }
            Check::TimestampPolicy {
                required,
                threshold,
                max_age_secs,
            } => {
                let mut parts = Vec::new();
                if *required {
                    parts.push("timestamp required".to_owned());
                }
                if *threshold > 0 {
                    parts.push(format!("at least {threshold} distinct authorities"));
                }
                if let Some(s) = max_age_secs {
                    parts.push(format!("signature at most {s} s old"));
                }
                write!(f, "timestamp policy met ({})", parts.join(", "))
            }
            Check::Revocation { crls } => {
                write!(
                    f,
                    "signing certificate (and CAs whose issuer's CRL was given) not revoked at the validation time(s) ({crls} CRLs)"
                )
            }
            Check::Statement { predicate_type } => {
                write!(
                    f,
                    "statement {predicate_type} is consistent (subject digest recomputed)"
                )
            }
            Check::ModelContents {
                files,
                ignore_unsigned_files,
            } => {
                write!(f, "all {files} files match the signed digests")?;
                if *ignore_unsigned_files {
                    f.write_str(" (unsigned files ignored)")?;
                } else {
                    f.write_str(", no unsigned files")?;
                }
                Ok(())
            }
        }
    }
}

/// Proof that a model verified: only [`verify`] constructs it.
#[derive(Debug)]
pub struct VerifiedModel {
    mode: Mode,
    signer: SignerIdentity,
    manifest: ManifestSummary,
    validation_times: Vec<ValidationTime>,
    timestamps: Vec<BundleTimestamp>,
    notes: Vec<Note>,
    checks: Vec<Check>,
    warnings: Vec<Warning>,
    legacy_format: bool,
}

impl VerifiedModel {
    /// Key or certificate mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }
    /// The signer: key hint, or the validated chain (leaf first, anchor last).
    pub fn signer(&self) -> &SignerIdentity {
        &self.signer
    }
    /// What the signature covers.
    pub fn manifest(&self) -> &ManifestSummary {
        &self.manifest
    }
    /// Certificate mode: the time the chain was validated at (the first of
    /// [`VerifiedModel::validation_times`]); `None` in key mode (no chain).
    pub fn validation_time(&self) -> Option<&ValidationTime> {
        self.validation_times.first()
    }
    /// Every time the chain was validated at.
    pub fn validation_times(&self) -> &[ValidationTime] {
        &self.validation_times
    }
    /// The bundle's timestamps: verified (proofs) or unverified (no TSA trust).
    pub fn timestamps(&self) -> &[BundleTimestamp] {
        &self.timestamps
    }
    /// The verified timestamps only.
    pub fn verified_timestamps(
        &self,
    ) -> impl Iterator<Item = &modelsign_tsp::verify::VerifiedTimestamp> {
        self.timestamps.iter().filter_map(BundleTimestamp::verified)
    }
    /// Information for the report (expired-but-timestamped certificate, revocations after
    /// the signing time, unverified timestamps).
    pub fn notes(&self) -> &[Note] {
        &self.notes
    }
    /// The checks that passed, in order.
    pub fn checks(&self) -> &[Check] {
        &self.checks
    }
    /// Notices that did not make verification fail.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
    /// The bundle or statement is in a pre-1.1 model_signing format.
    pub fn legacy_format(&self) -> bool {
        self.legacy_format
    }
}

/// Verify a model against its bundle (see the module docs for the order of checks).
pub fn verify(request: &VerifyRequest<'_>) -> Result<VerifiedModel, Error> {
    let mode = request.trust.mode();
    let bundle =
        modelsign_bundle::parse(request.bundle_json).map_err(|e| Error::Bundle(Box::new(e)))?;
    bundle
        .require_oms_media_type()
        .map_err(|e| Error::Bundle(Box::new(e)))?;
    let envelope = to_dsse_envelope(
        bundle
            .dsse_envelope()
            .map_err(|e| Error::Bundle(Box::new(e)))?,
    );
    let envelope = &envelope;
    let mut checks = vec![Check::BundleParsed];
    let mut warnings = Vec::new();
    let mut notes = Vec::new();
    let mut legacy_format = false;
    // Run right after the DSSE signature verified (the datum is that signature).
    let timestamps_step = |checks: &mut Vec<Check>, notes: &mut Vec<Note>| {
        check_timestamps(
            request,
            &bundle.verification_material.rfc3161_timestamps,
            envelope,
            checks,
            notes,
        )
    };

    let (signer, validation_times, timestamps) =
        match (request.trust, &bundle.verification_material.signer) {
            (VerifierTrust::PublicKey(key), SignerMaterial::PublicKeyHint(hint)) => {
                let expected = key_hint(key);
                match hint.as_deref() {
                    Some(h) if !h.is_empty() => {
                        if h != expected {
                            return Err(Error::KeyHintMismatch {
                                hint: h.to_owned(),
                                expected,
                            });
                        }
                        checks.push(Check::KeyHint);
                    }
                    _ => {
                        legacy_format = true;
                        warnings.push(Warning::LegacyFormat {
                            detail: "no public key hint",
                        });
                    }
                }
                let sig = verify_envelope(
                    envelope,
                    key,
                    mode,
                    &format!("the public key ({})", key.kind()),
                )?;
                checks.push(dsse_check(sig));
                let timestamps = timestamps_step(&mut checks, &mut notes)?;
                (SignerIdentity::of_public_key(key), Vec::new(), timestamps)
            }
            (
                VerifierTrust::PublicKey(key),
                SignerMaterial::LegacyRawPublicKey { raw_bytes, .. },
            ) => {
                legacy_format = true;
                warnings.push(Warning::LegacyFormat {
                    detail: "embedded raw public key instead of a key hint",
                });
                // model_signing drops `rawBytes` unread; we compare it when it parses, for a
                // clearer error than a failed signature, and otherwise rely on the signature.
                if let Ok(embedded) = PublicKey::from_pem(raw_bytes) {
                    if embedded.spki_der() != key.spki_der() {
                        return Err(Error::LegacyKeyMismatch);
                    }
                    checks.push(Check::LegacyEmbeddedKey);
                }
                let sig = verify_envelope(
                    envelope,
                    key,
                    mode,
                    &format!("the public key ({})", key.kind()),
                )?;
                checks.push(dsse_check(sig));
                let timestamps = timestamps_step(&mut checks, &mut notes)?;
                (SignerIdentity::of_public_key(key), Vec::new(), timestamps)
            }
            (VerifierTrust::Certificates(trust), SignerMaterial::X509Chain(ders)) => {
                let certificates = parse_bundle_certificates(ders)?;
                let (leaf, untrusted) = certificates.split_first().ok_or(Error::NoCertificate)?;
                if trust.anchors().is_empty() && trust.intermediates().is_empty() {
                    return Err(Error::NoTrustedCertificates);
                }
                let leaf_key = leaf
                    .public_key()
                    .map_err(|source| Error::CertificatePublicKey {
                        subject: leaf.subject(),
                        source: Box::new(source),
                    })?;
                let sig = verify_envelope(
                    envelope,
                    &leaf_key,
                    mode,
                    &format!("the signing certificate '{}'", leaf.subject()),
                )?;
                checks.push(dsse_check(sig));
                let timestamps = timestamps_step(&mut checks, &mut notes)?;
                let validated = validate_chain_at(
                    leaf,
                    untrusted,
                    trust,
                    validation_times(&timestamps, request.now),
                )?;
                let chain = validated.chain.certificates().to_vec();
                checks.push(Check::CertificateChain {
                    anchor: validated.chain.anchor().subject(),
                    length: chain.len(),
                    times: validated.times.clone(),
                });
                if !request.crls.is_empty() {
                    notes.extend(check_revocations(
                        &validated.chains,
                        &validated.times,
                        &request.crls,
                        request.now,
                    )?);
                    checks.push(Check::Revocation {
                        crls: request.crls.len(),
                    });
                }
                if leaf.not_after() < request.now
                    && validated
                        .times
                        .iter()
                        .all(ValidationTime::is_trusted_timestamp)
                {
                    notes.push(Note::CertificateExpiredValidAtSigningTime {
                        subject: leaf.subject(),
                        not_after: leaf.not_after(),
                    });
                }
                (
                    SignerIdentity::Certificate { chain },
                    validated.times,
                    timestamps,
                )
            }
            (VerifierTrust::PublicKey(_), SignerMaterial::X509Chain(_)) => {
                return Err(Error::WrongMode {
                    expected: Mode::Key,
                    found: "certificate",
                    found_command: "certificate",
                })
            }
            (
                VerifierTrust::Certificates(_),
                SignerMaterial::PublicKeyHint(_) | SignerMaterial::LegacyRawPublicKey { .. },
            ) => {
                return Err(Error::WrongMode {
                    expected: Mode::Certificate,
                    found: "key",
                    found_command: "key",
                })
            }
            (_, SignerMaterial::Certificate(_)) => return Err(Error::SigstoreBundle),
        };

    let statement = envelope
        .statement()
        .map_err(|e| Error::Statement(Box::new(e)))?;
    if statement.resources.is_empty() {
        return Err(Error::EmptyManifest);
    }
    let predicate_type = match statement.format {
        PredicateFormat::LegacyDigestsV0_1 => {
            legacy_format = true;
            warnings.push(Warning::LegacyFormat {
                detail: "Digests/v0.1 predicate",
            });
            modelsign_dsse::PREDICATE_TYPE_LEGACY_V0_1
        }
        _ => modelsign_dsse::PREDICATE_TYPE_V1,
    };
    checks.push(Check::Statement { predicate_type });

    let expected = expected_manifest(&statement, request.model)?;
    let (allow_symlinks, symlink_warning) = effective_allow_symlinks(
        statement.format,
        statement.serialization.allow_symlinks,
        request.options.allow_symlinks,
    );
    warnings.extend(symlink_warning);
    let options = &request.options;
    let actual = check_model(
        request.model,
        &expected,
        RehashSettings {
            ignore_paths: options.ignore_paths.clone(),
            ignore_git_paths: options.ignore_git_paths,
            allow_symlinks,
            ignore_unsigned_files: options.ignore_unsigned_files,
            progress: options.progress.clone(),
        },
    )?;
    let manifest = ManifestSummary::of(&expected);
    checks.push(Check::ModelContents {
        files: ManifestSummary::of(&actual).files,
        ignore_unsigned_files: options.ignore_unsigned_files,
    });

    Ok(VerifiedModel {
        mode,
        signer,
        manifest,
        validation_times,
        timestamps,
        notes,
        checks,
        warnings,
        legacy_format,
    })
}

/// Step 5: verify every timestamp over the raw signature, apply the policy, and record the
/// checks and notes.
fn check_timestamps(
    request: &VerifyRequest<'_>,
    stored: &[Vec<u8>],
    envelope: &Envelope,
    checks: &mut Vec<Check>,
    notes: &mut Vec<Note>,
) -> Result<Vec<BundleTimestamp>, Error> {
    // verify_envelope already required exactly one signature.
    let signature = envelope
        .signatures
        .first()
        .map(|s| s.sig.as_slice())
        .ok_or(Error::NoSignature)?;
    let policy = &request.timestamps;
    let timestamps = verify_bundle_timestamps(stored, signature, policy)?;
    let verified: Vec<_> = timestamps
        .iter()
        .filter_map(BundleTimestamp::verified)
        .collect();
    let unverified = timestamps.len() - verified.len();
    if !timestamps.is_empty() {
        checks.push(Check::Timestamps {
            verified: verified.len(),
            unverified,
            authorities: crate::timestamps::distinct_authorities(&verified),
        });
    }
    if unverified > 0 {
        notes.push(Note::TimestampsUnverified { count: unverified });
    }
    for t in &timestamps {
        if let BundleTimestamp::Verified { index, timestamp } = t {
            if timestamp.tsa_chain_expired_at(request.now) {
                notes.push(Note::TsaCertificateExpiredSince {
                    index: *index,
                    subject: timestamp.tsa_certificate().subject(),
                });
            }
        }
    }
    check_policy(&timestamps, policy, request.now)?;
    if policy.require || policy.threshold > 0 || policy.max_age.is_some() {
        checks.push(Check::TimestampPolicy {
            required: policy.require,
            threshold: policy.threshold,
            max_age_secs: policy.max_age.map(|d| d.as_secs()),
        });
    }
    Ok(timestamps)
}

/// The bundle crate's envelope as the DSSE crate's type (bytes moved as they are).
fn to_dsse_envelope(e: &modelsign_bundle::DsseEnvelope) -> Envelope {
    Envelope {
        payload: e.payload.clone(),
        payload_type: e.payload_type.clone(),
        signatures: e
            .signatures
            .iter()
            .map(|s| Signature {
                sig: s.sig.clone(),
                keyid: s.keyid.clone(),
            })
            .collect(),
    }
}

fn dsse_check(sig: crate::signature_check::SignatureCheck) -> Check {
    Check::DsseSignature {
        scheme: sig.scheme,
        legacy_pae: sig.legacy_pae,
    }
}

pub(crate) fn parse_bundle_certificates(ders: &[Vec<u8>]) -> Result<Vec<Certificate>, Error> {
    if ders.len() > MAX_BUNDLE_CERTIFICATES {
        return Err(Error::TooManyCertificates {
            count: ders.len(),
            max: MAX_BUNDLE_CERTIFICATES,
        });
    }
    ders.iter()
        .enumerate()
        .map(|(index, der)| {
            Certificate::from_der(der).map_err(|source| Error::BundleCertificate {
                index,
                source: Box::new(source),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_certificate_count_and_parse_errors_are_named() {
        let too_many = vec![vec![0u8; 4]; MAX_BUNDLE_CERTIFICATES + 1];
        assert!(matches!(
            parse_bundle_certificates(&too_many),
            Err(Error::TooManyCertificates { count, .. }) if count == MAX_BUNDLE_CERTIFICATES + 1
        ));
        assert!(matches!(
            parse_bundle_certificates(&[b"not DER".to_vec()]),
            Err(Error::BundleCertificate { index: 0, .. })
        ));
        assert!(parse_bundle_certificates(&[]).unwrap().is_empty());
    }
}

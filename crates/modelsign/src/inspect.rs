//! What a bundle holds, read without verifying anything (`modelsign inspect`), and adding
//! timestamps to an existing bundle (`modelsign timestamp add`).
//!
//! Nothing here is trusted: the signer, chain, manifest and timestamps are what the bundle
//! *claims*. Reports must say so.

use std::path::Path;

use modelsign_bundle::{Bundle, SignerMaterial};
use modelsign_pki::Certificate;

use crate::identity::ManifestSummary;
use crate::manifest_check::expected_manifest;
use crate::timestamps::{AcceptedTimestamp, TimestampInfo, TimestampTarget};
use crate::{Error, Mode};

/// The claims of a bundle.
#[derive(Debug)]
#[non_exhaustive]
pub struct BundleInspection {
    /// Key or certificate mode (`None`: a Sigstore keyless bundle).
    pub mode: Option<Mode>,
    /// Key mode: the `publicKey.hint` (empty or absent in old bundles).
    pub key_hint: Option<String>,
    /// Certificate mode: the bundle's chain, leaf first (unvalidated).
    pub certificates: Vec<Certificate>,
    /// The signed manifest as claimed (the signature is not checked).
    pub manifest: ManifestSummary,
    /// The predicate type of the statement.
    pub predicate_type: String,
    /// Each timestamp: what it claims, or why it cannot be read.
    pub timestamps: Vec<Result<TimestampInfo, String>>,
    target: TimestampTarget,
}

impl BundleInspection {
    /// The raw signature and signing certificate (what a new timestamp must cover).
    pub fn timestamp_target(&self) -> &TimestampTarget {
        &self.target
    }
}

/// Read a bundle's claims. Fails only when the bundle itself cannot be read.
pub fn inspect(bundle_json: &[u8]) -> Result<BundleInspection, Error> {
    let bundle = parse(bundle_json)?;
    let envelope = bundle
        .dsse_envelope()
        .map_err(|e| Error::Bundle(Box::new(e)))?;
    let signature = match envelope.signatures.as_slice() {
        [] => return Err(Error::NoSignature),
        [one] => one.sig.clone(),
        more => return Err(Error::MultipleSignatures { count: more.len() }),
    };
    let (mode, key_hint, certificates) = match &bundle.verification_material.signer {
        SignerMaterial::PublicKeyHint(hint) => (Some(Mode::Key), hint.clone(), Vec::new()),
        SignerMaterial::LegacyRawPublicKey { .. } => (Some(Mode::Key), None, Vec::new()),
        SignerMaterial::X509Chain(ders) => (
            Some(Mode::Certificate),
            None,
            crate::verify::parse_bundle_certificates(ders)?,
        ),
        SignerMaterial::Certificate(_) => (None, None, Vec::new()),
    };
    let statement = modelsign_dsse::parse_statement(&envelope.payload)
        .map_err(|e| Error::Statement(Box::new(e)))?;
    let predicate_type = match statement.format {
        modelsign_dsse::PredicateFormat::LegacyDigestsV0_1 => {
            modelsign_dsse::PREDICATE_TYPE_LEGACY_V0_1
        }
        _ => modelsign_dsse::PREDICATE_TYPE_V1,
    };
    let manifest = expected_manifest(&statement, Path::new("(unnamed)"))?;
    let timestamps = bundle
        .verification_material
        .rfc3161_timestamps
        .iter()
        .map(|t| TimestampInfo::read(t).map_err(|e| e.to_string()))
        .collect();
    Ok(BundleInspection {
        mode,
        key_hint,
        target: TimestampTarget::new(signature, certificates.clone()),
        certificates,
        manifest: ManifestSummary::of(&manifest),
        predicate_type: predicate_type.to_owned(),
        timestamps,
    })
}

fn parse(bundle_json: &[u8]) -> Result<Bundle, Error> {
    let bundle = modelsign_bundle::parse(bundle_json).map_err(|e| Error::Bundle(Box::new(e)))?;
    bundle
        .require_oms_media_type()
        .map_err(|e| Error::Bundle(Box::new(e)))?;
    Ok(bundle)
}

/// Adding timestamps to an existing bundle: read it, timestamp its signature, write it back
/// with only `rfc3161Timestamps` extended (`modelsign_bundle::add_timestamps`).
#[derive(Debug)]
pub struct TimestampAddition {
    original: Vec<u8>,
    inspection: BundleInspection,
}

impl TimestampAddition {
    /// Read the bundle (and keep its exact bytes).
    pub fn new(bundle_json: &[u8]) -> Result<Self, Error> {
        Ok(TimestampAddition {
            inspection: inspect(bundle_json)?,
            original: bundle_json.to_vec(),
        })
    }

    /// What the new timestamps must cover; use it to build requests and accept responses.
    pub fn target(&self) -> &TimestampTarget {
        self.inspection.timestamp_target()
    }

    /// The bundle as read.
    pub fn inspection(&self) -> &BundleInspection {
        &self.inspection
    }

    /// The new bundle bytes: the original with `accepted` appended. Byte-identical
    /// duplicates (of each other or of a stored timestamp) and more than
    /// `modelsign_bundle::MAX_TIMESTAMPS` in all are refused.
    pub fn finish(&self, accepted: &[AcceptedTimestamp]) -> Result<Vec<u8>, Error> {
        let new: Vec<Vec<u8>> = accepted.iter().map(|a| a.der.clone()).collect();
        modelsign_bundle::add_timestamps(&self.original, &new)
            .map_err(|e| Error::AddTimestamps(Box::new(e)))
    }
}

//! Sign and verify ML models in the OpenSSF Model Signing (OMS) format, compatible with
//! model_signing 1.1.1 both ways.
//!
//! This crate is the orchestration layer: it hashes the model (`modelsign-digest`), builds
//! and parses the in-toto statement and DSSE PAE (`modelsign-dsse`), reads and writes the
//! Sigstore bundle (`modelsign-bundle`) and checks keys, signatures and certificate chains
//! (`modelsign-pki`), and RFC 3161 tokens (`modelsign-tsp`: requests and response checks
//! for signing, verification of stored tokens). It does no terminal IO, reads no clock
//! (times are parameters) and does no network IO: the caller fetches timestamps (the CLI
//! with the tsp client) and hands the responses to [`TimestampTarget::accept`].
//!
//! ```text
//! sign:   model --hash--> Manifest --statement--> payload --PAE--> sign --> Envelope
//!         raw signature --TimeStampReq--> (caller: TSA) --TimeStampResp--> accept (§4)
//!                                    signer material + timestamps ----> Bundle JSON
//! verify: Bundle JSON --parse--> signer (key hint | chain) --DSSE--> payload (exact bytes)
//!         --> timestamps over the raw signature --> chain at each trusted time (+ CRLs)
//!         --> statement --> subject digest recomputed --> model re-hashed with the recorded
//!         method --> compared --> VerifiedModel
//! ```
//!
//! # Verification policy
//!
//! These rules are the ones `VerifiedModel` vouches for; ARCHITECTURE.md repeats them.
//!
//! **Trust comes from the verifier, never from the bundle.** Key mode trusts exactly the
//! given public key. Certificate mode trusts the certificates given with
//! `--certificate-chain`: self-signed ones are trust anchors, the others untrusted
//! intermediates ([`modelsign_pki::TrustStore::from_certificates`]); the bundle's
//! `x509CertificateChain.certificates[1..]` are untrusted intermediates. There is no
//! default trust store (model_signing 1.1.1 falls back to the WebPKI `certifi` bundle; we
//! refuse, oms-format §13 #10). The chain must end at a self-signed anchor; trusting an
//! intermediate alone is not enough (as in 1.1.1, `unable to get issuer certificate`).
//!
//! **Leaf profile** ([`modelsign_pki::LeafProfile::ModelSigning`]): keyUsage, if present,
//! has digitalSignature; extendedKeyUsage, if present, contains codeSigning. As in
//! model_signing, a signing certificate that is itself a trust anchor (self-signed and
//! listed) and a leaf with basicConstraints CA:TRUE are accepted. Unlike 1.1.1, both rules
//! must hold (1.1.1 accepts KU *or* EKU, so TLS server certificates pass there).
//!
//! **Time.** Every certificate of the chain must be valid at the validation time. The
//! validation times are the verified RFC 3161 timestamps of the bundle (one per token:
//! `notBefore <= genTime` and `genTime + accuracy <= notAfter` for every certificate, at
//! *each* of them), or the current time passed in by the caller when no timestamp verified.
//! So a signature made with a now-expired certificate verifies only with a trusted
//! timestamp showing it was made while the certificate was valid (model_signing 1.1.1
//! validates at the leaf's notBefore, which accepts expired and not-yet-valid leaves; we do
//! not — the `cert-expired-leaf` and `cert-not-yet-valid-leaf` goldens are rejected).
//!
//! **Timestamps** ([`TimestampPolicy`], rfc3161-rules.md): the datum is the raw DSSE
//! signature; TSA trust comes only from the verifier; with it, every token must verify (a
//! failing one fails the verification); without it, tokens are reported unverified and do
//! not count. Required timestamps, a threshold of distinct authorities and a maximum age
//! (from the earliest verified genTime) are options. Key mode verifies timestamps too.
//!
//! **Revocation** (certificate mode, CRLs given by the verifier): a chain certificate
//! revoked (invalidityDate, else revocationDate) at or before the trusted signing time
//! `genTime + accuracy` invalidates the signature; one revoked later does not; without a
//! verified timestamp any revocation does.
//!
//! **DSSE.** Exactly one signature is accepted (see [`Error::MultipleSignatures`]); it is
//! verified over the PAE of the payload bytes exactly as found in the bundle, never over
//! a re-serialisation. Legacy `Digests/v0.1` statements (model_signing v0.2) are also
//! tried with their buggy PAE, and in certificate mode with SHA-256 whatever the curve,
//! as that release signed. RSA signatures (an extension) are tried as PSS then PKCS#1
//! v1.5, both with SHA-256.
//!
//! **Manifest.** The subject digest is recomputed from the resources in payload order. The
//! model is re-hashed with the method, hash and shard size the statement records (so the
//! blake2b/blake3/shard bundles of the Python API verify), with the verifier's ignore paths
//! plus the recorded ones, and the recorded symlink policy ([`verify`] documents how it
//! combines with the verifier's flag). Every signed file must be present and match; an
//! unsigned extra file fails unless `ignore_unsigned_files`. A single-file resource may be
//! named `"."` (model_signing) or by the file's base name (OMS v1.0 spec).
//!
//! Revocation (`--crl`) is judged by time (see the `revocation` module): a CRL vouches only
//! for times up to its thisUpdate. What is **not** checked: OCSP, fetching CRLs (the
//! verifier supplies the CRLs it trusts), signer identity beyond the chain (no SAN/email policy), transparency logs
//! (`tlogEntries` is ignored).

mod error;
mod identity;
mod inspect;
mod manifest_check;
mod mode;
mod revocation;
mod sign;
mod signature_check;
mod timestamps;
pub mod validation_time;
mod verify;

pub use error::{Error, RevocationUnknownReason};
pub use identity::{ManifestSummary, SignerIdentity};
pub use inspect::{inspect, BundleInspection, TimestampAddition};
pub use mode::Mode;
pub use revocation::Note;
pub use sign::{
    sign, sign_statement, RsaPadding, SignRequest, SignSummary, SignedModel, SignedStatement,
    Signer,
};
pub use timestamps::{
    compare_gen_times, distinct_authorities, tsa_trust_per_group, AcceptedTimestamp,
    BundleTimestamp, TimestampInfo, TimestampPolicy, TimestampTarget, UnverifiedReason,
    CLOCK_SKEW_TOLERANCE, TSA_DISAGREEMENT_TOLERANCE,
};
pub use validation_time::{TimeSource, ValidationTime};
pub use verify::{
    verify, Check, VerifiedModel, VerifierTrust, VerifyOptions, VerifyRequest,
    MAX_BUNDLE_CERTIFICATES,
};

/// TSA policy OIDs (`reqPolicy` at signing, the pinned policy at verification).
pub use const_oid::ObjectIdentifier;
pub use modelsign_digest::{HashKind, HashOptions, Method, Progress};
pub use modelsign_pki::{Crl, Time};
pub use modelsign_tsp::trust::TsaTrust;
pub use modelsign_tsp::verify::VerifiedTimestamp;

/// A notice for the user that does not make the operation fail.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// The signature uses a key type that model_signing 1.1.1 cannot verify.
    NotVerifiableByModelSigning {
        /// The key type, e.g. "Ed25519".
        key: String,
    },
    /// The bundle is in a pre-1.1 format (no key hint / raw key / legacy predicate).
    LegacyFormat {
        /// What is old about it.
        detail: &'static str,
    },
    /// The verifier asked to allow symlinks but the signer recorded that it did not.
    SymlinkFlagOverridden,
    /// Signing: a TSA's genTime is far from the local clock (rfc3161-rules §4.7).
    TimestampClockSkew {
        /// The TSA.
        tsa: String,
        /// Its genTime.
        gen_time: Time,
        /// The local clock at signing.
        local: Time,
    },
    /// Signing with `--tsa-optional`: the timestamp policy was not met and the signature
    /// was written without (all) timestamps.
    TimestampSkipped {
        /// Why (each TSA and its failure).
        reason: String,
    },
    /// Signing with `--tsa-all --tsa-optional`: some TSAs failed; the tokens of the others
    /// were stored.
    TimestampsPartial {
        /// How many timestamps were stored.
        stored: usize,
        /// Each failed TSA and why.
        reason: String,
    },
    /// Signing: two TSAs' genTimes for the same signature differ by more than their
    /// accuracies plus [`crate::TSA_DISAGREEMENT_TOLERANCE`] (rfc3161-rules §4.7).
    TimestampsDisagree {
        /// The TSA with the earlier genTime.
        first_tsa: String,
        /// Its genTime.
        first: Time,
        /// The TSA with the later genTime.
        second_tsa: String,
        /// Its genTime.
        second: Time,
        /// The largest gap expected (accuracies + tolerance).
        allowed: std::time::Duration,
    },
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Warning::NotVerifiableByModelSigning { key } => write!(
                f,
                "{key} keys are a modelsign extension: model_signing 1.1.1 verifies only ECDSA \
                 P-256/P-384/P-521 signatures"
            ),
            Warning::LegacyFormat { detail } => write!(
                f,
                "this signature uses an older model_signing format ({detail})"
            ),
            Warning::SymlinkFlagOverridden => f.write_str(
                "--allow-symlinks ignored: the signature records allow_symlinks=false, and the \
                 signer's policy applies",
            ),
            Warning::TimestampClockSkew {
                tsa,
                gen_time,
                local,
            } => write!(
                f,
                "the timestamp from {tsa} has genTime {gen_time}, but the local clock says \
                 {local}: one of the two clocks is off"
            ),
            Warning::TimestampsPartial { stored, reason } => write!(
                f,
                "only {stored} timestamp(s) stored (--tsa-optional): {reason}"
            ),
            Warning::TimestampsDisagree {
                first_tsa,
                first,
                second_tsa,
                second,
                allowed,
            } => write!(
                f,
                "TSA clocks disagree: {first_tsa} says {first}, {second_tsa} says {second}, \
                 more than the {} s their accuracies and tolerance allow; at least one TSA \
                 clock is off",
                allowed.as_secs()
            ),
            Warning::TimestampSkipped { reason } => write!(
                f,
                "signed WITHOUT a trusted timestamp (--tsa-optional): {reason}; the signature \
                 stops verifying when the signing certificate expires"
            ),
        }
    }
}

/// Hash a model without signing (the `hash`/`digest` command). An empty model is not an
/// error here (its root digest is SHA-256 of nothing); only signing refuses it.
pub fn hash_model(
    model: &std::path::Path,
    options: &HashOptions,
) -> Result<modelsign_digest::Manifest, Error> {
    modelsign_digest::hash_model(model, options).map_err(|source| Error::Hash {
        model: model.to_path_buf(),
        source: Box::new(source),
    })
}

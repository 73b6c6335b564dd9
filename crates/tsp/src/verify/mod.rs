//! Time-stamp token verification (rfc3161-rules.md §4 and §5).
//!
//! [`verify_timestamp`] runs the offline checklist of rfc3161-rules.md §5 in order; every
//! failed rule has its own [`VerificationError`] variant naming the field that failed.
//! [`check_response`] is the signer's check of a fresh response against its request
//! (rfc3161-rules.md §4), which needs no trust anchors.
//!
//! RFC 3161 §2.4.2 (the token):
//!
//! ```text
//! TimeStampToken ::= ContentInfo
//!   -- contentType is id-signedData ([CMS])
//!   -- content is SignedData ([CMS])
//! The fields of type EncapsulatedContentInfo of the SignedData construct have the
//! following meanings:
//!   eContentType is an object identifier that uniquely specifies the content type.
//!   For a time-stamp token it is defined as:
//!       id-ct-TSTInfo  OBJECT IDENTIFIER ::= { iso(1) member-body(2)
//!       us(840) rsadsi(113549) pkcs(1) pkcs-9(9) smime(16) ct(1) 4}
//!   eContent is the content itself, carried as an octet string.
//!   The eContent SHALL be the DER-encoded value of TSTInfo.
//! The time-stamp token MUST NOT contain any signatures other than the signature of the
//! TSA. The certificate identifier (ESSCertID) of the TSA certificate MUST be included as
//! a signerInfo attribute inside a SigningCertificate attribute.
//! ```
//!
//! Submodules: `view` (reads the parsed token), `envelope` (CMS structure), `attrs` (signed
//! attributes), `ess` (signing-certificate binding), `signer` (signer selection and
//! signature), `tst` (TSTInfo rules), `authority` (chain, pin, validity window),
//! `response` (the client-side check).

mod attrs;
mod authority;
mod envelope;
mod ess;
mod response;
mod signer;
mod tst;
mod view;

pub use response::check_response;

use const_oid::ObjectIdentifier;

use modelsign_pki::{Certificate, HashAlgorithm, LeafProfile, Time, VerifiedChain};

use crate::token::Accuracy;
use crate::trust::TsaTrust;

/// Largest `signedTimestamp` accepted (rfc3161-rules.md §5.1). A token with a full chain is
/// a few KiB; 1 MiB is the HTTP response cap of §3.1.4, so nothing legitimate exceeds it.
pub const MAX_SIGNED_TIMESTAMP_LEN: usize = 1 << 20;

/// What the token's messageImprint must be the hash of (rfc3161-rules.md §1: for a DSSE
/// bundle, the raw decoded signature bytes).
#[derive(Clone, Copy, Debug)]
pub enum Datum<'a> {
    /// The stamped bytes; hashed with the imprint's own algorithm.
    Data(&'a [u8]),
    /// A precomputed digest; its algorithm must equal the imprint's.
    Digest(HashAlgorithm, &'a [u8]),
}

/// Verifier settings beyond the trust material.
#[derive(Clone, Debug, Default)]
pub struct VerifyOptions {
    /// Required TSTInfo policy, if the verifier pins one.
    pub policy: Option<ObjectIdentifier>,
}

/// Proof that a time-stamp token passed every rule of rfc3161-rules.md §5. Only
/// [`verify_timestamp`] constructs it.
#[derive(Clone, Debug)]
pub struct VerifiedTimestamp {
    gen_time: Time,
    accuracy: Option<Accuracy>,
    latest_time: Time,
    policy: ObjectIdentifier,
    serial: Vec<u8>,
    hash_algorithm: HashAlgorithm,
    imprint: Vec<u8>,
    tsa_certificate: Certificate,
    chain: VerifiedChain,
    authority_id: usize,
    authority_name: String,
}

impl VerifiedTimestamp {
    /// TSTInfo genTime.
    pub fn gen_time(&self) -> Time {
        self.gen_time
    }
    /// TSTInfo accuracy, if the TSA declared one.
    pub fn accuracy(&self) -> Option<Accuracy> {
        self.accuracy
    }
    /// genTime + accuracy: the latest instant the stamped datum is proven to have existed
    /// (rfc3161-rules.md §6.1); genTime when no accuracy is declared.
    pub fn latest_time(&self) -> Time {
        self.latest_time
    }
    /// TSTInfo policy.
    pub fn policy(&self) -> ObjectIdentifier {
        self.policy
    }
    /// TSTInfo serialNumber, hex of the INTEGER contents.
    pub fn serial_hex(&self) -> String {
        hex::encode(&self.serial)
    }
    /// messageImprint hash algorithm.
    pub fn hash_algorithm(&self) -> HashAlgorithm {
        self.hash_algorithm
    }
    /// messageImprint hashedMessage: which bytes were stamped.
    pub fn imprint(&self) -> &[u8] {
        &self.imprint
    }
    /// The TSA certificate that signed the token.
    pub fn tsa_certificate(&self) -> &Certificate {
        &self.tsa_certificate
    }
    /// The TSA chain, validated at genTime.
    pub fn chain(&self) -> &VerifiedChain {
        &self.chain
    }
    /// Index of the authority in [`TsaTrust::authorities`] (thresholds count these).
    pub fn authority_id(&self) -> usize {
        self.authority_id
    }
    /// Name of that authority.
    pub fn authority_name(&self) -> &str {
        &self.authority_name
    }
    /// Informational (rfc3161-rules.md §6.5): whether some certificate of the TSA chain has
    /// expired by `now`. That is fine (the chain was valid at genTime); reports say so.
    pub fn tsa_chain_expired_at(&self, now: Time) -> bool {
        self.chain
            .certificates()
            .iter()
            .any(|c| c.not_after() < now)
    }
}

/// Why a time-stamp token (or a response checked against its request) was rejected. The
/// variants follow rfc3161-rules.md §5 (and §4 for the request-bound checks).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VerificationError {
    // ---- §5.1 size ------------------------------------------------------------------------
    /// The input exceeds [`MAX_SIGNED_TIMESTAMP_LEN`].
    #[error("signed timestamp is {len} bytes, more than the {max}-byte limit")]
    TooLarge {
        /// Input length.
        len: usize,
        /// The limit.
        max: usize,
    },

    // ---- §5.4 CMS envelope ----------------------------------------------------------------
    /// ContentInfo.contentType is not id-signedData.
    #[error(
        "token ContentInfo.contentType is {found}, expected id-signedData (1.2.840.113549.1.7.2)"
    )]
    NotSignedData {
        /// The content type found.
        found: ObjectIdentifier,
    },
    /// eContentType is not id-ct-TSTInfo.
    #[error(
        "SignedData eContentType is {found}, expected id-ct-TSTInfo (1.2.840.113549.1.9.16.1.4)"
    )]
    EContentType {
        /// The eContentType found.
        found: ObjectIdentifier,
    },
    /// The encapsulated TSTInfo is absent (detached content).
    #[error("SignedData carries no eContent (TSTInfo)")]
    MissingEContent,
    /// Not exactly one SignerInfo (RFC 3161 §2.4.2: no signatures other than the TSA's).
    #[error("token has {count} SignerInfos, exactly one is allowed")]
    SignerInfoCount {
        /// Number of SignerInfos.
        count: usize,
    },

    /// SignerInfo version does not fit the sid form (RFC 5652 §5.3: 1 for
    /// issuerAndSerialNumber, 3 for subjectKeyIdentifier).
    #[error("SignerInfo version is {version}, expected {expected} for its sid form")]
    SignerInfoVersion {
        /// The version found.
        version: String,
        /// The version its sid requires.
        expected: String,
    },

    // ---- §5.5 TSTInfo ---------------------------------------------------------------------
    /// TSTInfo version is not 1.
    #[error("TSTInfo version is {version}, expected 1")]
    TstInfoVersion {
        /// The version found.
        version: i64,
    },
    /// TSTInfo policy differs from the pinned or requested one.
    #[error("TSTInfo policy is {actual}, expected {expected}")]
    PolicyMismatch {
        /// The policy required.
        expected: ObjectIdentifier,
        /// The policy in the token.
        actual: ObjectIdentifier,
    },
    /// messageImprint hash algorithm is not SHA-256/384/512 (SHA-1, MD5, ... rejected).
    #[error(
        "messageImprint hash algorithm {oid} is not accepted (SHA-256, SHA-384, SHA-512 only)"
    )]
    ImprintAlgorithm {
        /// The algorithm OID.
        oid: ObjectIdentifier,
    },
    /// messageImprint digest length does not fit its algorithm.
    #[error("messageImprint has a {actual}-byte {algorithm} digest, expected {expected} bytes")]
    ImprintLength {
        /// Imprint algorithm name.
        algorithm: &'static str,
        /// Length the algorithm produces.
        expected: usize,
        /// Length found.
        actual: usize,
    },
    /// The caller's digest uses another algorithm than the imprint.
    #[error("datum digest is {datum}, but the token's messageImprint uses {imprint}")]
    DatumAlgorithm {
        /// Algorithm of the given digest.
        datum: &'static str,
        /// Algorithm of the imprint.
        imprint: &'static str,
    },
    /// The imprint is not the hash of the datum: the token stamps something else.
    #[error("messageImprint mismatch ({algorithm}): datum hashes to {expected_hex}, token has {actual_hex}")]
    ImprintMismatch {
        /// Imprint algorithm name.
        algorithm: &'static str,
        /// Hex of H(datum) (or the request's digest).
        expected_hex: String,
        /// Hex of the token's hashedMessage.
        actual_hex: String,
    },
    /// A critical TSTInfo extension this verifier does not understand (all of them).
    #[error("TSTInfo carries the unknown critical extension {oid}")]
    UnknownCriticalExtension {
        /// Extension OID.
        oid: ObjectIdentifier,
    },
    /// Accuracy larger than the verifier accepts (`MAX_ACCURACY_SECONDS`); the ASN.1
    /// ranges (millis/micros 1..=999) are checked when the token is parsed
    /// (`Error::AccuracyRange`).
    #[error("TSTInfo accuracy of {seconds} s exceeds the accepted maximum of {max} s")]
    AccuracyTooLarge {
        /// Declared accuracy, whole seconds.
        seconds: u64,
        /// The limit.
        max: u64,
    },
    /// genTime + accuracy does not fit the time type.
    #[error("TSTInfo genTime {gen_time} plus accuracy overflows")]
    AccuracyOverflow {
        /// genTime.
        gen_time: Time,
    },

    // ---- §5.6 signed attributes -----------------------------------------------------------
    /// The SignerInfo has no signed attributes.
    #[error("SignerInfo has no signed attributes")]
    MissingSignedAttributes,
    /// A required signed attribute is absent.
    #[error("signed attribute {name} is missing")]
    MissingAttribute {
        /// Attribute name.
        name: &'static str,
    },
    /// A signed attribute occurs twice, or with other than one value (RFC 5652 §11).
    #[error("signed attribute {name} must occur once with one value ({attributes} attributes, {values} values)")]
    AttributeMultiplicity {
        /// Attribute name.
        name: &'static str,
        /// Number of attributes with this type.
        attributes: usize,
        /// Number of values of the first one.
        values: usize,
    },
    /// A signed attribute value does not decode.
    #[error("signed attribute {name} is malformed: {source}")]
    MalformedAttribute {
        /// Attribute name.
        name: &'static str,
        /// Decoder error.
        #[source]
        source: der::Error,
    },
    /// contentType attribute differs from eContentType (pitfall 16).
    #[error("contentType signed attribute is {attribute}, but eContentType is {econtent_type}")]
    ContentTypeAttributeMismatch {
        /// The attribute's value.
        attribute: ObjectIdentifier,
        /// eContentType.
        econtent_type: ObjectIdentifier,
    },
    /// SignerInfo digestAlgorithm is not SHA-256/384/512.
    #[error("SignerInfo digestAlgorithm {oid} is not supported (SHA-256, SHA-384, SHA-512 only)")]
    DigestAlgorithm {
        /// The algorithm OID.
        oid: ObjectIdentifier,
    },
    /// messageDigest attribute is not the hash of the eContent octets.
    #[error("messageDigest mismatch ({algorithm}): eContent hashes to {expected_hex}, attribute has {actual_hex}")]
    MessageDigestMismatch {
        /// SignerInfo digest algorithm name.
        algorithm: &'static str,
        /// Hex of H(eContent).
        expected_hex: String,
        /// Hex of the attribute.
        actual_hex: String,
    },
    /// Neither signingCertificate nor signingCertificateV2 is present (pitfall 4).
    #[error("neither signingCertificate nor signingCertificateV2 signed attribute is present")]
    MissingSigningCertificate,
    /// The ESS attribute lists no ESSCertID.
    #[error("{attribute} lists no ESSCertID")]
    EssNoCertIds {
        /// Attribute name.
        attribute: &'static str,
    },
    /// ESSCertIDv2 uses a hash other than SHA-256/384/512.
    #[error(
        "{attribute} uses hash algorithm {oid}; only SHA-256/384/512 are accepted in ESSCertIDv2"
    )]
    EssHashAlgorithm {
        /// Attribute name.
        attribute: &'static str,
        /// The OID.
        oid: ObjectIdentifier,
    },
    /// The first ESSCertID's certHash names none of the certificates matching `sid`.
    #[error("{attribute} certHash does not match the signer certificate {signer}")]
    EssCertHashMismatch {
        /// Attribute name.
        attribute: &'static str,
        /// Subject of the certificate matching `sid`.
        signer: String,
    },
    /// certHash matches but the ESSCertID's issuerSerial names another certificate.
    #[error("{attribute} issuerSerial does not match the signer certificate {signer}")]
    EssIssuerSerialMismatch {
        /// Attribute name.
        attribute: &'static str,
        /// Subject of the signer certificate.
        signer: String,
    },

    // ---- §5.7 / §5.8 signature and signer -------------------------------------------------
    /// No certificate in the token or the configuration matches the SignerInfo `sid`.
    #[error("signer certificate not found: no certificate in the token or the TSA trust matches sid {sid}")]
    SignerNotFound {
        /// The sid, as text.
        sid: String,
    },
    /// The signature or digest algorithm is not supported, or they do not fit together.
    #[error("SignerInfo signature algorithm: {source}")]
    SignatureAlgorithm {
        /// pki's error.
        #[source]
        source: Box<modelsign_pki::Error>,
    },
    /// The signer certificate's public key cannot be used.
    #[error("signer certificate {subject}: unusable public key: {source}")]
    SignerKey {
        /// Signer subject.
        subject: String,
        /// pki's error.
        #[source]
        source: Box<modelsign_pki::Error>,
    },
    /// The signature over the signed attributes does not verify.
    #[error("SignerInfo signature does not verify with the key of {subject}: {source}")]
    BadSignature {
        /// Signer subject.
        subject: String,
        /// pki's error.
        #[source]
        source: Box<modelsign_pki::Error>,
    },

    // ---- §5.10 leaf profile ---------------------------------------------------------------
    /// The TSA certificate is not a proper TSA leaf (EKU critical and only timeStamping, KU,
    /// not a CA).
    #[error("TSA certificate {subject} is not a valid time-stamping leaf: {source}")]
    TsaLeafProfile {
        /// Signer subject.
        subject: String,
        /// pki's profile error (`Error::Profile` with the violation).
        #[source]
        source: Box<modelsign_pki::Error>,
    },

    // ---- §5.9 / §5.11 chain and authority -------------------------------------------------
    /// Path validation at genTime failed against the authority's anchors.
    #[error("TSA chain of {subject} does not validate at genTime against authority {authority:?}: {source}")]
    TsaChain {
        /// Authority name.
        authority: String,
        /// Signer subject.
        subject: String,
        /// pki's error.
        #[source]
        source: Box<modelsign_pki::Error>,
    },
    /// No TSA authority is configured (TsaTrust constructors prevent this).
    #[error("no TSA authority is configured")]
    NoTsaAuthority,
    /// The authority pins a TSA leaf and the signer is another certificate.
    #[error("authority {authority:?} pins TSA certificate {pinned}, but the token was signed by {signer}")]
    PinnedLeafMismatch {
        /// Authority name.
        authority: String,
        /// Pinned leaf subject.
        pinned: String,
        /// Signer subject.
        signer: String,
    },
    /// genTime lies outside the validFor window of the authority that validated the chain.
    #[error("genTime {gen_time} is outside the validity window [{start}, {}] of authority {authority:?}", end.map_or_else(|| "open".to_owned(), |e| e.to_string()))]
    OutsideAuthorityWindow {
        /// Authority name.
        authority: String,
        /// genTime.
        gen_time: Time,
        /// validFor.start.
        start: Time,
        /// validFor.end (inclusive), `None` = open-ended.
        end: Option<Time>,
    },

    // ---- §5.12 tsa name -------------------------------------------------------------------
    /// TSTInfo `tsa` does not name the signer (neither its subject nor a SAN entry).
    #[error("TSTInfo tsa name {tsa} does not name the signer {signer}")]
    TsaNameMismatch {
        /// The `tsa` GeneralName, as text.
        tsa: String,
        /// Signer subject.
        signer: String,
    },

    // ---- §4 response vs request (check_response) ------------------------------------------
    /// messageImprint algorithm differs from the request's.
    #[error("response messageImprint uses {actual}, the request asked for {expected}")]
    RequestImprintAlgorithm {
        /// Requested algorithm name.
        expected: &'static str,
        /// Returned algorithm OID.
        actual: ObjectIdentifier,
    },
    /// Nonce not echoed exactly.
    #[error("response nonce {} does not echo the request nonce {expected_hex}", actual_hex.as_deref().unwrap_or("(absent)"))]
    NonceMismatch {
        /// Request nonce (hex magnitude).
        expected_hex: String,
        /// Response nonce (hex magnitude), `None` when absent.
        actual_hex: Option<String>,
    },
}

impl VerificationError {
    /// The PKI-layer error behind this one (chain, profile, key or signature failures), for
    /// callers that report or match the underlying reason.
    pub fn pki_error(&self) -> Option<&modelsign_pki::Error> {
        match self {
            Self::SignatureAlgorithm { source }
            | Self::SignerKey { source, .. }
            | Self::BadSignature { source, .. }
            | Self::TsaLeafProfile { source, .. }
            | Self::TsaChain { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// Verify a Sigstore `signedTimestamp` (a DER `TimeStampResp`, or a bare token) over `datum`
/// against the verifier's TSA `trust`, following rfc3161-rules.md §5 in order.
pub fn verify_timestamp(
    signed_timestamp: &[u8],
    datum: Datum<'_>,
    trust: &TsaTrust,
    opts: &VerifyOptions,
) -> Result<VerifiedTimestamp, crate::Error> {
    // §5.1: cap before any parsing.
    if signed_timestamp.len() > MAX_SIGNED_TIMESTAMP_LEN {
        return Err(VerificationError::TooLarge {
            len: signed_timestamp.len(),
            max: MAX_SIGNED_TIMESTAMP_LEN,
        }
        .into());
    }
    // §5.2 / §5.3: decode (BER tolerated, trailing bytes rejected) and status 0 or 1.
    let parsed = crate::response::parse_signed_timestamp(signed_timestamp)?;
    let token = view::TokenView::new(&parsed);
    let configured = trust
        .authorities()
        .iter()
        .flat_map(|a| a.signer_candidates());
    let checked = check_signed_token(&token, datum, opts.policy, configured)?;
    // §5.9 / §5.11 (and the pin of §5.8).
    let (authority_id, chain) =
        authority::accept(trust, &checked.signer, token.certificates, token.gen_time)?;
    let authority_name = trust
        .authorities()
        .get(authority_id)
        .map(|a| a.name().to_owned())
        .unwrap_or_default();
    Ok(VerifiedTimestamp {
        gen_time: token.gen_time,
        accuracy: checked.accuracy,
        latest_time: checked.latest_time,
        policy: token.tst.policy,
        serial: token.tst.serial_number.as_bytes().to_vec(),
        hash_algorithm: checked.hash_algorithm,
        imprint: token.tst.message_imprint.hashed_message.as_bytes().to_vec(),
        tsa_certificate: checked.signer,
        chain,
        authority_id,
        authority_name,
    })
}

/// What the trust-independent checks established.
#[derive(Debug)]
struct CheckedToken {
    signer: Certificate,
    hash_algorithm: HashAlgorithm,
    accuracy: Option<Accuracy>,
    latest_time: Time,
}

/// Every rule of §5 that needs no trust anchor, in the order of §5: envelope (§5.4),
/// TSTInfo (§5.5), signed attributes (§5.6), signer and signature (§5.7/§5.8), leaf profile
/// (§5.10; a property of the signer alone, so checked once before the authorities are
/// tried), `tsa` name (§5.12). Unsigned attributes are never read (§5.13).
fn check_signed_token<'c>(
    token: &view::TokenView<'c>,
    datum: Datum<'_>,
    policy: Option<ObjectIdentifier>,
    configured: impl Iterator<Item = &'c Certificate>,
) -> Result<CheckedToken, crate::Error> {
    let si = envelope::check(token)?;
    let tst = token.tst;
    tst::check_version(tst)?;
    tst::check_policy(tst, policy)?;
    let hash_algorithm = tst::imprint_algorithm(&tst.message_imprint)?;
    tst::check_imprint(
        hash_algorithm,
        tst.message_imprint.hashed_message.as_bytes(),
        datum,
    )?;
    tst::check_extensions(tst)?;
    // Ranges (seconds >= 0, millis/micros 1..=999) are the syntax layer's typed Accuracy;
    // the plausibility cap is a verification rule.
    let accuracy = token.token.tst_info().accuracy()?;
    tst::check_accuracy_cap(accuracy.as_ref())?;
    let latest_time = match accuracy {
        None => token.gen_time,
        Some(a) => token.gen_time.checked_add(a.as_duration()).ok_or(
            VerificationError::AccuracyOverflow {
                gen_time: token.gen_time,
            },
        )?,
    };

    let attrs = attrs::check(
        si,
        token.signed_data.encap_content_info.econtent_type,
        token.raw_econtent,
    )?;
    let signer = signer::select(
        &si.sid,
        &attrs.ess,
        token.certificates.iter().chain(configured),
    )?;
    let raw_attrs = token
        .raw_signed_attrs
        .ok_or(VerificationError::MissingSignedAttributes)?;
    signer::check_signature(si, raw_attrs, signer)?;
    LeafProfile::TimeStamping
        .check_leaf(signer)
        .map_err(|source| VerificationError::TsaLeafProfile {
            subject: signer.subject(),
            source: Box::new(source),
        })?;
    tst::check_tsa_name(tst, signer)?;
    Ok(CheckedToken {
        signer: signer.clone(),
        hash_algorithm,
        accuracy,
        latest_time,
    })
}

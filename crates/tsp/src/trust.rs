//! TSA trust configured by the *verifier*: PEM trust stores and Sigstore `trusted_root.json`.
//!
//! rfc3161-rules.md §5.9: "anchors only from the trusted root / TSA trust store; bag
//! certificates are untrusted intermediates only". This module is the only source of TSA
//! anchors; nothing here ever looks at a token.
//!
//! Sigstore trusted root (`application/vnd.dev.sigstore.trustedroot+json;version=0.1`),
//! rfc3161-rules.md §7:
//!
//! ```json
//! "timestampAuthorities": [{
//!   "subject": {"organization": "sigstore.dev", "commonName": "sigstore-tsa-selfsigned"},
//!   "uri": "https://timestamp.sigstore.dev/api/v1/timestamp",
//!   "certChain": {"certificates": [{"rawBytes": "<leaf>"}, {"rawBytes": "<root>"}]},
//!   "validFor": {"start": "2025-07-04T00:00:00Z"}
//! }]
//! ```
//!
//! - `certChain.certificates`: base64 DER, **leaf first, root last**. `[0]` is a pinned
//!   leaf when it is not a CA (sigstore-go's rule; sigstore-python always pins `[0]`), the
//!   last certificate is the anchor, the ones between are intermediates. A single CA
//!   certificate is an anchor without a pinned leaf.
//! - `validFor.start` is required; `validFor.end` is optional and **inclusive** (closed
//!   interval, conformance case `trust-root-tsa-validity-end-inclusive`).
//! - Certificates are loaded whatever their validity: the chain is checked at genTime later.

use base64::Engine as _;

use modelsign_pki::{Certificate, Time, TrustStore};
use serde::Deserialize;

/// Largest `trusted_root.json` accepted. The public-good Sigstore root is ~10 KiB; a
/// private one with many keys and logs stays far below this. The cap bounds memory for a
/// file that may come from an untrusted download location before TUF checks.
pub const MAX_TRUSTED_ROOT_JSON: usize = 4 * 1024 * 1024;

/// Largest number of certificates in one authority's chain. Real chains have 2-4.
pub const MAX_CHAIN_CERTIFICATES: usize = 16;

/// Media type prefix of a Sigstore trusted root (any version).
const TRUSTED_ROOT_MEDIA_TYPE_PREFIX: &str = "application/vnd.dev.sigstore.trustedroot+json";

/// Why TSA trust material could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrustError {
    /// The file is larger than [`MAX_TRUSTED_ROOT_JSON`].
    #[error("trusted root is {len} bytes, more than the {max}-byte limit")]
    TooLarge {
        /// Size of the input.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// Not JSON, or not shaped like a trusted root.
    #[error("trusted root JSON is malformed: {source}")]
    Json {
        /// The parser's error (with line and column).
        #[source]
        source: serde_json::Error,
    },
    /// `mediaType` names something other than a Sigstore trusted root.
    #[error(
        "trusted root has media type {media_type:?}, expected {TRUSTED_ROOT_MEDIA_TYPE_PREFIX}"
    )]
    MediaType {
        /// The media type found.
        media_type: String,
    },
    /// Neither the JSON nor the PEM input configured any time-stamping authority.
    #[error("no time-stamping authority configured ({what})")]
    NoAuthorities {
        /// What was read (e.g. "trusted_root.json timestampAuthorities is empty").
        what: &'static str,
    },
    /// A PEM trust store holds no self-signed certificate, so no anchor.
    #[error("TSA trust store has no self-signed certificate to use as anchor ({count} certificates given)")]
    NoAnchor {
        /// Number of certificates given.
        count: usize,
    },
    /// `certChain.certificates` is empty or too long.
    #[error("timestampAuthorities[{authority}].certChain has {count} certificates, expected 1..={MAX_CHAIN_CERTIFICATES}")]
    ChainLength {
        /// Index of the authority in `timestampAuthorities`.
        authority: usize,
        /// Number of certificates.
        count: usize,
    },
    /// A single-certificate chain whose certificate is not a CA: it cannot anchor anything.
    #[error("timestampAuthorities[{authority}].certChain holds only the leaf {subject}, no root")]
    LeafWithoutRoot {
        /// Index of the authority.
        authority: usize,
        /// Subject of the lone certificate.
        subject: String,
    },
    /// `rawBytes` is not standard base64.
    #[error("timestampAuthorities[{authority}].certChain.certificates[{index}].rawBytes is not base64: {source}")]
    Base64 {
        /// Index of the authority.
        authority: usize,
        /// Index of the certificate.
        index: usize,
        /// Decoder error.
        #[source]
        source: base64::DecodeError,
    },
    /// A certificate does not parse.
    #[error("timestampAuthorities[{authority}].certChain.certificates[{index}] is not a certificate: {source}")]
    Certificate {
        /// Index of the authority.
        authority: usize,
        /// Index of the certificate.
        index: usize,
        /// pki's parse error.
        #[source]
        source: Box<modelsign_pki::Error>,
    },
    /// `validFor` or `validFor.start` is missing (required, rfc3161-rules.md §7).
    #[error("timestampAuthorities[{authority}].validFor.start is missing (required)")]
    MissingValidForStart {
        /// Index of the authority.
        authority: usize,
    },
    /// `validFor.start` / `validFor.end` is not an RFC 3339 time.
    #[error("timestampAuthorities[{authority}].validFor.{field} = {value:?} is not an RFC 3339 time: {source}")]
    BadTime {
        /// Index of the authority.
        authority: usize,
        /// "start" or "end".
        field: &'static str,
        /// The text found.
        value: String,
        /// pki's parse error.
        #[source]
        source: Box<modelsign_pki::Error>,
    },
    /// `validFor.end` lies before `validFor.start`.
    #[error("timestampAuthorities[{authority}].validFor ends ({end}) before it starts ({start})")]
    InvertedWindow {
        /// Index of the authority.
        authority: usize,
        /// validFor.start.
        start: Time,
        /// validFor.end.
        end: Time,
    },
}

/// Closed validity window `[start, end]` of an authority (`validFor`); `end = None` is
/// open-ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ValidityWindow {
    start: Time,
    end: Option<Time>,
}

impl ValidityWindow {
    /// A window from `start` to `end` (inclusive); `None` when `end < start`.
    pub fn new(start: Time, end: Option<Time>) -> Option<Self> {
        match end {
            Some(e) if e < start => None,
            _ => Some(Self { start, end }),
        }
    }
    /// `validFor.start`.
    pub fn start(&self) -> Time {
        self.start
    }
    /// `validFor.end`, `None` when open-ended.
    pub fn end(&self) -> Option<Time> {
        self.end
    }
    /// `start <= t <= end` (both ends inclusive, rfc3161-rules.md §5.11).
    pub fn contains(&self, t: Time) -> bool {
        self.start <= t && self.end.is_none_or(|e| t <= e)
    }
}

/// One time-stamping authority: its anchors, intermediates, optionally a pinned leaf and a
/// validity window. Thresholds count authorities, not tokens (rfc3161-rules.md §5.14).
#[derive(Clone, Debug)]
pub struct TsaAuthority {
    name: String,
    uri: Option<String>,
    store: TrustStore,
    pinned_leaf: Option<Certificate>,
    valid_for: Option<ValidityWindow>,
}

impl TsaAuthority {
    /// An authority trusted through `anchors`, with untrusted helper `intermediates` (which
    /// may include the TSA leaf itself, for tokens that carry no certificates).
    pub fn new(
        name: impl Into<String>,
        anchors: Vec<Certificate>,
        intermediates: Vec<Certificate>,
    ) -> Self {
        Self {
            name: name.into(),
            uri: None,
            store: TrustStore::new(anchors, intermediates),
            pinned_leaf: None,
            valid_for: None,
        }
    }
    /// Require the token signer to be exactly this certificate.
    #[must_use]
    pub fn with_pinned_leaf(mut self, leaf: Certificate) -> Self {
        self.pinned_leaf = Some(leaf);
        self
    }
    /// Accept only tokens whose genTime lies in `window`.
    #[must_use]
    pub fn with_valid_for(mut self, window: ValidityWindow) -> Self {
        self.valid_for = Some(window);
        self
    }
    /// Informational URI (`uri` in trusted_root.json).
    #[must_use]
    pub fn with_uri(mut self, uri: impl Into<String>) -> Self {
        self.uri = Some(uri.into());
        self
    }
    /// Display name (trusted root `subject`, or the anchor's subject for PEM stores).
    pub fn name(&self) -> &str {
        &self.name
    }
    /// `uri` from trusted_root.json, if any.
    pub fn uri(&self) -> Option<&str> {
        self.uri.as_deref()
    }
    /// Anchors and intermediates, as handed to path validation.
    pub fn trust_store(&self) -> &TrustStore {
        &self.store
    }
    /// The pinned TSA leaf, if the configuration pins one.
    pub fn pinned_leaf(&self) -> Option<&Certificate> {
        self.pinned_leaf.as_ref()
    }
    /// `validFor`, if configured.
    pub fn valid_for(&self) -> Option<ValidityWindow> {
        self.valid_for
    }

    /// Certificates this authority offers as signer candidates when a token carries none:
    /// the pinned leaf and the configured intermediates (anchors cannot be TSA leaves: a
    /// TSA leaf must not be a CA).
    pub(crate) fn signer_candidates(&self) -> impl Iterator<Item = &Certificate> {
        self.pinned_leaf
            .iter()
            .chain(self.store.intermediates().iter())
    }
}

/// Every time-stamping authority the verifier trusts. Authority ids are their index.
#[derive(Clone, Debug)]
pub struct TsaTrust {
    authorities: Vec<TsaAuthority>,
}

impl TsaTrust {
    /// Build from explicit authorities (at least one).
    pub fn from_authorities(authorities: Vec<TsaAuthority>) -> Result<Self, crate::Error> {
        if authorities.is_empty() {
            return Err(TrustError::NoAuthorities {
                what: "empty authority list",
            }
            .into());
        }
        Ok(Self { authorities })
    }

    /// A plain TSA trust store (PEM files): the self-signed certificates become the anchors
    /// of **one** authority, the others its intermediates (TSA leaves for tokens without
    /// certificates, or intermediates DigiCert/Microsoft leave out of their responses).
    /// No pinned leaf and no validity window.
    pub fn from_certificates(certs: Vec<Certificate>) -> Result<Self, crate::Error> {
        let count = certs.len();
        let (anchors, intermediates): (Vec<_>, Vec<_>) =
            certs.into_iter().partition(Certificate::is_self_signed);
        let Some(first) = anchors.first() else {
            return Err(TrustError::NoAnchor { count }.into());
        };
        let name = first.subject();
        Ok(Self {
            authorities: vec![TsaAuthority::new(name, anchors, intermediates)],
        })
    }

    /// The `timestampAuthorities` of a Sigstore `trusted_root.json` (rules in the module doc).
    pub fn from_trusted_root_json(json: &[u8]) -> Result<Self, crate::Error> {
        Ok(Self {
            authorities: parse_trusted_root(json)?,
        })
    }

    /// The configured authorities; `VerifiedTimestamp::authority_id` indexes this slice.
    pub fn authorities(&self) -> &[TsaAuthority] {
        &self.authorities
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TrustedRootJson {
    media_type: Option<String>,
    #[serde(default)]
    timestamp_authorities: Vec<AuthorityJson>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AuthorityJson {
    #[serde(default)]
    subject: SubjectJson,
    uri: Option<String>,
    cert_chain: CertChainJson,
    valid_for: Option<ValidForJson>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct SubjectJson {
    organization: Option<String>,
    common_name: Option<String>,
}

#[derive(Deserialize)]
struct CertChainJson {
    #[serde(default)]
    certificates: Vec<RawCertJson>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCertJson {
    raw_bytes: String,
}

#[derive(Deserialize)]
struct ValidForJson {
    start: Option<String>,
    end: Option<String>,
}

fn parse_trusted_root(json: &[u8]) -> Result<Vec<TsaAuthority>, TrustError> {
    if json.len() > MAX_TRUSTED_ROOT_JSON {
        return Err(TrustError::TooLarge {
            len: json.len(),
            max: MAX_TRUSTED_ROOT_JSON,
        });
    }
    let root: TrustedRootJson =
        serde_json::from_slice(json).map_err(|source| TrustError::Json { source })?;
    if let Some(mt) = &root.media_type {
        if !mt.starts_with(TRUSTED_ROOT_MEDIA_TYPE_PREFIX) {
            return Err(TrustError::MediaType {
                media_type: mt.clone(),
            });
        }
    }
    if root.timestamp_authorities.is_empty() {
        return Err(TrustError::NoAuthorities {
            what: "trusted_root.json timestampAuthorities is empty or absent",
        });
    }
    root.timestamp_authorities
        .iter()
        .enumerate()
        .map(|(i, a)| authority_from_json(i, a))
        .collect()
}

fn authority_from_json(authority: usize, a: &AuthorityJson) -> Result<TsaAuthority, TrustError> {
    let raw = &a.cert_chain.certificates;
    if raw.is_empty() || raw.len() > MAX_CHAIN_CERTIFICATES {
        return Err(TrustError::ChainLength {
            authority,
            count: raw.len(),
        });
    }
    let mut certs = Vec::with_capacity(raw.len());
    for (index, c) in raw.iter().enumerate() {
        let der = base64::engine::general_purpose::STANDARD
            .decode(c.raw_bytes.trim())
            .map_err(|source| TrustError::Base64 {
                authority,
                index,
                source,
            })?;
        let cert = Certificate::from_der(&der).map_err(|source| TrustError::Certificate {
            authority,
            index,
            source: Box::new(source),
        })?;
        certs.push(cert);
    }
    let window = window_from_json(authority, a.valid_for.as_ref())?;

    // Leaf first, root last (module doc). `split_last` cannot fail: `certs` is non-empty.
    let Some((anchor, rest)) = certs.split_last() else {
        return Err(TrustError::ChainLength {
            authority,
            count: 0,
        });
    };
    let (pinned, intermediates) = match rest.split_first() {
        Some((first, middle)) if !is_ca(first) => (Some(first.clone()), middle.to_vec()),
        _ => (None, rest.to_vec()),
    };
    if rest.is_empty() && !is_ca(anchor) {
        return Err(TrustError::LeafWithoutRoot {
            authority,
            subject: anchor.subject(),
        });
    }
    let name = match (&a.subject.organization, &a.subject.common_name) {
        (Some(o), Some(cn)) => format!("O={o}, CN={cn}"),
        (None, Some(cn)) => format!("CN={cn}"),
        (Some(o), None) => format!("O={o}"),
        (None, None) => anchor.subject(),
    };
    let mut out =
        TsaAuthority::new(name, vec![anchor.clone()], intermediates).with_valid_for(window);
    if let Some(p) = pinned {
        out = out.with_pinned_leaf(p);
    }
    if let Some(uri) = &a.uri {
        out = out.with_uri(uri.clone());
    }
    Ok(out)
}

fn window_from_json(
    authority: usize,
    v: Option<&ValidForJson>,
) -> Result<ValidityWindow, TrustError> {
    let Some(start_text) = v.and_then(|v| v.start.as_deref()) else {
        return Err(TrustError::MissingValidForStart { authority });
    };
    let parse = |field: &'static str, value: &str| {
        Time::parse_rfc3339(value).map_err(|source| TrustError::BadTime {
            authority,
            field,
            value: value.to_owned(),
            source: Box::new(source),
        })
    };
    let start = parse("start", start_text)?;
    let end = match v.and_then(|v| v.end.as_deref()) {
        Some(e) => Some(parse("end", e)?),
        None => None,
    };
    ValidityWindow::new(start, end).ok_or(TrustError::InvertedWindow {
        authority,
        start,
        end: end.unwrap_or(start),
    })
}

/// basicConstraints cA = TRUE. An unparsable extension counts as "not a CA" here: the
/// certificate then goes through path validation as a leaf, which rejects it properly.
fn is_ca(cert: &Certificate) -> bool {
    matches!(cert.basic_constraints(), Ok(Some(bc)) if bc.ca)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Time {
        Time::parse_rfc3339(s).unwrap()
    }

    #[test]
    fn window_is_closed_on_both_ends() {
        let w = ValidityWindow::new(t("2025-01-01T00:00:00Z"), Some(t("2025-02-01T00:00:00Z")))
            .unwrap();
        assert!(w.contains(t("2025-01-01T00:00:00Z")));
        assert!(w.contains(t("2025-02-01T00:00:00Z")));
        assert!(!w.contains(t("2024-12-31T23:59:59.999Z")));
        assert!(!w.contains(t("2025-02-01T00:00:00.001Z")));
        let open = ValidityWindow::new(t("2025-01-01T00:00:00Z"), None).unwrap();
        assert!(open.contains(t("2999-01-01T00:00:00Z")));
        assert!(
            ValidityWindow::new(t("2025-01-02T00:00:00Z"), Some(t("2025-01-01T00:00:00Z")))
                .is_none()
        );
    }

    #[test]
    fn subject_names_the_authority() {
        let json = br#"{"timestampAuthorities":[{"subject":{"commonName":"only-cn"},
            "certChain":{"certificates":[]},"validFor":{"start":"2025-01-01T00:00:00Z"}}]}"#;
        // The empty chain is refused before the name matters; the error names the index.
        assert!(matches!(
            parse_trusted_root(json),
            Err(TrustError::ChainLength {
                authority: 0,
                count: 0
            })
        ));
    }
}

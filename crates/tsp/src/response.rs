//! Time-stamp responses (RFC 3161 §2.4.2):
//!
//! ```text
//! TimeStampResp ::= SEQUENCE  {
//!      status                  PKIStatusInfo,
//!      timeStampToken          TimeStampToken     OPTIONAL  }
//! ```
//!
//! Parsing tolerates BER (normalised per [`crate::ber`]) and rejects trailing bytes; the
//! received bytes are kept.

use der::Decode;

use crate::asn1::integer::to_u64;
use crate::asn1::{self, PkiFailureInfo, PkiStatus};
use crate::ber::BerTree;
use crate::error::Error;
use crate::token::TimeStampToken;

/// Largest response accepted: 1 MiB, the TSA client's body limit (rfc3161-rules §3.1.4).
pub const MAX_RESPONSE_LEN: usize = crate::ber::MAX_INPUT_LEN;

/// Typed `PKIStatusInfo`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PkiStatusInfo {
    status: PkiStatus,
    status_value: i64,
    status_strings: Vec<String>,
    fail_info: Option<PkiFailureInfo>,
}

impl PkiStatusInfo {
    /// Types a syntax-level PKIStatusInfo.
    pub fn from_asn1(a: &asn1::PkiStatusInfo) -> Self {
        let value = to_u64(&a.status).and_then(|v| i64::try_from(v).ok());
        let status_value = value.unwrap_or(-1);
        let status = match value.and_then(|v| u32::try_from(v).ok()) {
            Some(v) => PkiStatus::from_value(v),
            None => PkiStatus::Other(u32::MAX),
        };
        PkiStatusInfo {
            status,
            status_value,
            status_strings: a.status_string.clone().unwrap_or_default(),
            fail_info: a.fail_info.as_ref().map(PkiFailureInfo::from_bit_string),
        }
    }

    /// The status.
    pub fn status(&self) -> PkiStatus {
        self.status
    }

    /// The status INTEGER (-1 when negative or too large to represent).
    pub fn status_value(&self) -> i64 {
        self.status_value
    }

    /// statusString entries.
    pub fn status_strings(&self) -> &[String] {
        &self.status_strings
    }

    /// failInfo bits, if the field is present.
    pub fn fail_info(&self) -> Option<PkiFailureInfo> {
        self.fail_info
    }

    /// Whether the status is granted or grantedWithMods.
    pub fn is_granted(&self) -> bool {
        self.status.is_granted()
    }
}

impl std::fmt::Display for PkiStatusInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.status)?;
        if let Some(fi) = self.fail_info {
            write!(f, " (failInfo: {fi})")?;
        }
        if !self.status_strings.is_empty() {
            write!(f, ": {}", self.status_strings.join("; "))?;
        }
        Ok(())
    }
}

/// A parsed TimeStampResp.
#[derive(Clone, Debug)]
pub struct TimeStampResponse {
    raw: Vec<u8>,
    status: PkiStatusInfo,
    token: Option<TimeStampToken>,
}

impl TimeStampResponse {
    /// Parses a TimeStampResp (BER tolerated, trailing bytes rejected).
    pub fn from_der(bytes: &[u8]) -> Result<Self, Error> {
        if bytes.len() > MAX_RESPONSE_LEN {
            return Err(Error::TooLarge {
                what: "TimeStampResp",
                len: bytes.len(),
                max: MAX_RESPONSE_LEN,
            });
        }
        let tree = BerTree::parse(bytes).map_err(|source| Error::Ber {
            what: "TimeStampResp",
            source,
        })?;
        let root = tree.root();
        let structure = |problem| Error::Structure {
            what: "TimeStampResp",
            problem,
        };
        if root.tag_byte(bytes) != 0x30 {
            return Err(structure("not a SEQUENCE"));
        }
        let (status_node, token_node) = match root.children() {
            [s] => (s, None),
            [s, t] => (s, Some(t)),
            _ => return Err(structure("expected status and an optional token")),
        };
        if status_node.tag_byte(bytes) != 0x30 {
            return Err(structure("status is not a PKIStatusInfo SEQUENCE"));
        }
        let status =
            asn1::PkiStatusInfo::from_der(&status_node.to_der(bytes)).map_err(|source| {
                Error::Asn1 {
                    what: "PKIStatusInfo",
                    source,
                }
            })?;
        let token = token_node
            .map(|t| TimeStampToken::from_node(bytes, t))
            .transpose()?;
        Ok(TimeStampResponse {
            raw: bytes.to_vec(),
            status: PkiStatusInfo::from_asn1(&status),
            token,
        })
    }

    /// The status.
    pub fn status(&self) -> &PkiStatusInfo {
        &self.status
    }

    /// The token, if present.
    pub fn token(&self) -> Option<&TimeStampToken> {
        self.token.as_ref()
    }

    /// The response bytes as received.
    pub fn raw(&self) -> &[u8] {
        &self.raw
    }

    /// The token of a granted response, or [`Error::NotGranted`].
    pub fn granted_token(&self) -> Result<&TimeStampToken, Error> {
        match (&self.token, self.status.is_granted()) {
            (Some(t), true) => Ok(t),
            _ => Err(Error::NotGranted {
                status: self.status.status(),
                fail_info: self.status.fail_info().unwrap_or_default(),
                text: (!self.status.status_strings().is_empty())
                    .then(|| self.status.status_strings().join("; ")),
            }),
        }
    }
}

/// Parses a `signedTimestamp`: a whole TimeStampResp (the usual form, rfc3161-rules §0.2)
/// or a bare ContentInfo token (§5.2). A response must be granted and carry a token.
pub fn parse_signed_timestamp(bytes: &[u8]) -> Result<TimeStampToken, Error> {
    // A TimeStampResp starts with a SEQUENCE (status), a ContentInfo with an OID: one of
    // the two parses can succeed, so only that one runs (a rejected input is not parsed
    // twice, and its error is the one of the form it looks like).
    if looks_like_content_info(bytes) {
        TimeStampToken::from_der(bytes)
    } else {
        TimeStampResponse::from_der(bytes)?.granted_token().cloned()
    }
}

/// Whether the first element inside the outer SEQUENCE is an OID (ContentInfo) rather than
/// a SEQUENCE (TimeStampResp status).
fn looks_like_content_info(bytes: &[u8]) -> bool {
    let Some(&len0) = bytes.get(1) else {
        return false;
    };
    let skip = if len0 < 0x80 {
        2
    } else {
        2 + usize::from(len0 & 0x7f)
    };
    bytes.get(skip) == Some(&0x06)
}

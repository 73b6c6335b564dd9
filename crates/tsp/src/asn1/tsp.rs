//! RFC 3161 §2.4 structures: request, response, status and TSTInfo.

use cms::content_info::ContentInfo;
use der::asn1::{BitString, Int, ObjectIdentifier, OctetString};
use der::Sequence;
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::Extensions;

use super::time::GeneralizedTimeFrac;

/// ```text
/// MessageImprint ::= SEQUENCE  {
///      hashAlgorithm                AlgorithmIdentifier,
///      hashedMessage                OCTET STRING  }
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct MessageImprint {
    /// Hash algorithm of `hashed_message`.
    pub hash_algorithm: AlgorithmIdentifierOwned,
    /// The digest of the datum.
    pub hashed_message: OctetString,
}

/// ```text
/// TimeStampReq ::= SEQUENCE  {
///    version                      INTEGER  { v1(1) },
///    messageImprint               MessageImprint,
///    reqPolicy             TSAPolicyId              OPTIONAL,
///    nonce                 INTEGER                  OPTIONAL,
///    certReq               BOOLEAN                  DEFAULT FALSE,
///    extensions            [0] IMPLICIT Extensions  OPTIONAL  }
/// TSAPolicyId ::= OBJECT IDENTIFIER
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TimeStampReq {
    /// Syntax version; 1 is the only one defined.
    pub version: Int,
    /// What is to be time-stamped.
    pub message_imprint: MessageImprint,
    /// The policy asked for.
    #[asn1(optional = "true")]
    pub req_policy: Option<ObjectIdentifier>,
    /// Replay protection, echoed in the TSTInfo.
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    /// Whether the TSA certificate is to be included in the token.
    #[asn1(default = "Default::default")]
    pub cert_req: bool,
    /// Request extensions (none defined by RFC 3161).
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

/// ```text
/// PKIStatus ::= INTEGER {
///    granted                (0),
///    grantedWithMods        (1),
///    rejection              (2),
///    waiting                (3),
///    revocationWarning      (4),
///    revocationNotification (5) }
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PkiStatus {
    /// 0: a token is present as requested.
    Granted,
    /// 1: a token is present with modifications.
    GrantedWithMods,
    /// 2: no token; `failInfo` says why.
    Rejection,
    /// 3: the request is not yet processed.
    Waiting,
    /// 4: a revocation is imminent.
    RevocationWarning,
    /// 5: a revocation has occurred.
    RevocationNotification,
    /// A value RFC 3161 does not define.
    Other(u32),
}

impl PkiStatus {
    /// The INTEGER value.
    pub fn value(self) -> u32 {
        match self {
            PkiStatus::Granted => 0,
            PkiStatus::GrantedWithMods => 1,
            PkiStatus::Rejection => 2,
            PkiStatus::Waiting => 3,
            PkiStatus::RevocationWarning => 4,
            PkiStatus::RevocationNotification => 5,
            PkiStatus::Other(v) => v,
        }
    }

    /// From the INTEGER value.
    pub fn from_value(v: u32) -> Self {
        match v {
            0 => PkiStatus::Granted,
            1 => PkiStatus::GrantedWithMods,
            2 => PkiStatus::Rejection,
            3 => PkiStatus::Waiting,
            4 => PkiStatus::RevocationWarning,
            5 => PkiStatus::RevocationNotification,
            other => PkiStatus::Other(other),
        }
    }

    /// Whether a token must accompany this status (granted or grantedWithMods).
    pub fn is_granted(self) -> bool {
        matches!(self, PkiStatus::Granted | PkiStatus::GrantedWithMods)
    }
}

impl std::fmt::Display for PkiStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PkiStatus::Granted => write!(f, "granted"),
            PkiStatus::GrantedWithMods => write!(f, "grantedWithMods"),
            PkiStatus::Rejection => write!(f, "rejection"),
            PkiStatus::Waiting => write!(f, "waiting"),
            PkiStatus::RevocationWarning => write!(f, "revocationWarning"),
            PkiStatus::RevocationNotification => write!(f, "revocationNotification"),
            PkiStatus::Other(v) => write!(f, "unknown status {v}"),
        }
    }
}

/// ```text
/// PKIFailureInfo ::= BIT STRING {
///     badAlg               (0),
///     badRequest           (2),
///     badDataFormat        (5),
///     timeNotAvailable    (14),
///     unacceptedPolicy    (15),
///     unacceptedExtension (16),
///     addInfoNotAvailable (17),
///     systemFailure       (25)  }
/// ```
/// A set of named bits; unknown bits are kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct PkiFailureInfo(u64);

impl PkiFailureInfo {
    /// Unrecognized or unsupported algorithm.
    pub const BAD_ALG: PkiFailureInfo = PkiFailureInfo(1 << 0);
    /// Transaction not permitted or supported.
    pub const BAD_REQUEST: PkiFailureInfo = PkiFailureInfo(1 << 2);
    /// The data submitted has the wrong format.
    pub const BAD_DATA_FORMAT: PkiFailureInfo = PkiFailureInfo(1 << 5);
    /// The TSA's time source is not available.
    pub const TIME_NOT_AVAILABLE: PkiFailureInfo = PkiFailureInfo(1 << 14);
    /// The requested TSA policy is not supported by the TSA.
    pub const UNACCEPTED_POLICY: PkiFailureInfo = PkiFailureInfo(1 << 15);
    /// The requested extension is not supported by the TSA.
    pub const UNACCEPTED_EXTENSION: PkiFailureInfo = PkiFailureInfo(1 << 16);
    /// The additional information requested could not be understood or is not available.
    pub const ADD_INFO_NOT_AVAILABLE: PkiFailureInfo = PkiFailureInfo(1 << 17);
    /// The request cannot be handled due to system failure.
    pub const SYSTEM_FAILURE: PkiFailureInfo = PkiFailureInfo(1 << 25);

    const NAMES: [(u32, &'static str); 8] = [
        (0, "badAlg"),
        (2, "badRequest"),
        (5, "badDataFormat"),
        (14, "timeNotAvailable"),
        (15, "unacceptedPolicy"),
        (16, "unacceptedExtension"),
        (17, "addInfoNotAvailable"),
        (25, "systemFailure"),
    ];

    /// No bit set.
    pub const fn empty() -> Self {
        PkiFailureInfo(0)
    }

    /// Whether every bit of `other` is set.
    pub fn contains(self, other: PkiFailureInfo) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    /// Whether no bit is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Bit numbers set, ascending.
    pub fn bits(self) -> Vec<u32> {
        (0..64).filter(|b| self.0 & (1u64 << b) != 0).collect()
    }

    /// Names of the bits set (`bitN` for undefined bits), e.g. `["badAlg"]`.
    pub fn names(self) -> Vec<String> {
        self.bits()
            .into_iter()
            .map(|b| match Self::NAMES.iter().find(|(n, _)| *n == b) {
                Some((_, name)) => (*name).to_string(),
                None => format!("bit{b}"),
            })
            .collect()
    }

    /// From a BIT STRING (bit 0 is the most significant bit of the first octet). Bits beyond
    /// 63 are not defined by any RFC and are dropped.
    pub fn from_bit_string(bits: &BitString) -> Self {
        let mut v = 0u64;
        for (i, set) in bits.bits().enumerate().take(64) {
            if set {
                v |= 1u64 << i;
            }
        }
        PkiFailureInfo(v)
    }

    /// DER named-bit-list BIT STRING: trailing zero bits removed (X.690 §11.2.2).
    pub fn to_bit_string(self) -> Result<BitString, der::Error> {
        let Some(highest) = (0..64u32).rev().find(|b| self.0 & (1u64 << b) != 0) else {
            return BitString::new(0, Vec::new());
        };
        let nbytes = usize::try_from(highest / 8 + 1).map_err(|_| der::ErrorKind::Overflow)?;
        let mut bytes = vec![0u8; nbytes];
        for b in self.bits() {
            let idx = usize::try_from(b / 8).map_err(|_| der::ErrorKind::Overflow)?;
            if let Some(byte) = bytes.get_mut(idx) {
                *byte |= 0x80 >> (b % 8);
            }
        }
        let unused = u8::try_from(7 - highest % 8).map_err(|_| der::ErrorKind::Overflow)?;
        BitString::new(unused, bytes)
    }
}

impl std::ops::BitOr for PkiFailureInfo {
    type Output = PkiFailureInfo;
    fn bitor(self, rhs: Self) -> Self {
        PkiFailureInfo(self.0 | rhs.0)
    }
}

impl std::fmt::Display for PkiFailureInfo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_empty() {
            return write!(f, "none");
        }
        write!(f, "{}", self.names().join(", "))
    }
}

/// ```text
/// PKIStatusInfo ::= SEQUENCE {
///     status        PKIStatus,
///     statusString  PKIFreeText     OPTIONAL,
///     failInfo      PKIFailureInfo  OPTIONAL  }
/// PKIFreeText ::= SEQUENCE SIZE (1..MAX) OF UTF8String
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct PkiStatusInfo {
    /// The status value (see [`PkiStatus`]).
    pub status: Int,
    /// Free text for a human.
    #[asn1(optional = "true")]
    pub status_string: Option<Vec<String>>,
    /// Why a request was rejected (see [`PkiFailureInfo`]).
    #[asn1(optional = "true")]
    pub fail_info: Option<BitString>,
}

/// ```text
/// TimeStampResp ::= SEQUENCE  {
///      status                  PKIStatusInfo,
///      timeStampToken          TimeStampToken     OPTIONAL  }
/// TimeStampToken ::= ContentInfo
/// ```
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TimeStampResp {
    /// Outcome of the request.
    pub status: PkiStatusInfo,
    /// The token (CMS SignedData) when granted.
    #[asn1(optional = "true")]
    pub time_stamp_token: Option<ContentInfo>,
}

/// ```text
/// Accuracy ::= SEQUENCE {
///       seconds        INTEGER           OPTIONAL,
///       millis     [0] INTEGER  (1..999) OPTIONAL,
///       micros     [1] INTEGER  (1..999) OPTIONAL  }
/// ```
/// The ranges are enforced by the semantic layer ([`crate::token::Accuracy`]).
#[derive(Clone, Debug, Eq, PartialEq, Sequence, Default)]
pub struct Accuracy {
    /// Whole seconds.
    #[asn1(optional = "true")]
    pub seconds: Option<Int>,
    /// Milliseconds.
    #[asn1(context_specific = "0", tag_mode = "IMPLICIT", optional = "true")]
    pub millis: Option<Int>,
    /// Microseconds.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub micros: Option<Int>,
}

/// ```text
/// TSTInfo ::= SEQUENCE  {
///    version                      INTEGER  { v1(1) },
///    policy                       TSAPolicyId,
///    messageImprint               MessageImprint,
///    serialNumber                 INTEGER,
///    genTime                      GeneralizedTime,
///    accuracy                     Accuracy                 OPTIONAL,
///    ordering                     BOOLEAN             DEFAULT FALSE,
///    nonce                        INTEGER                  OPTIONAL,
///    tsa                          [0] GeneralName          OPTIONAL,
///    extensions                   [1] IMPLICIT Extensions  OPTIONAL   }
/// ```
/// (`[0] GeneralName` is explicitly tagged: GeneralName is a CHOICE.)
#[derive(Clone, Debug, Eq, PartialEq, Sequence)]
pub struct TstInfo {
    /// Syntax version; 1 is the only one defined.
    pub version: Int,
    /// The TSA policy under which the token was issued.
    pub policy: ObjectIdentifier,
    /// Echo of the request's imprint.
    pub message_imprint: MessageImprint,
    /// Unique per token from one TSA (may be up to 160 bits).
    pub serial_number: Int,
    /// When the token was created.
    pub gen_time: GeneralizedTimeFrac,
    /// Deviation of `gen_time` from UTC.
    #[asn1(optional = "true")]
    pub accuracy: Option<Accuracy>,
    /// Whether tokens from this TSA can be ordered by `gen_time` alone.
    #[asn1(default = "Default::default")]
    pub ordering: bool,
    /// Echo of the request's nonce.
    #[asn1(optional = "true")]
    pub nonce: Option<Int>,
    /// Name of the TSA.
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT", optional = "true")]
    pub tsa: Option<GeneralName>,
    /// TSTInfo extensions.
    #[asn1(context_specific = "1", tag_mode = "IMPLICIT", optional = "true")]
    pub extensions: Option<Extensions>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::{Decode, Encode};

    #[test]
    fn failure_info_bits_round_trip() {
        for (info, der_hex) in [
            (PkiFailureInfo::BAD_ALG, "03020780"),
            (PkiFailureInfo::BAD_REQUEST, "03020520"),
            (PkiFailureInfo::BAD_DATA_FORMAT, "03020204"),
            (PkiFailureInfo::TIME_NOT_AVAILABLE, "0303010002"),
            (PkiFailureInfo::UNACCEPTED_POLICY, "0303000001"),
            (PkiFailureInfo::UNACCEPTED_EXTENSION, "030407000080"),
            (PkiFailureInfo::SYSTEM_FAILURE, "03050600000040"),
        ] {
            let bs = info.to_bit_string().unwrap();
            assert_eq!(hex::encode(bs.to_der().unwrap()), der_hex, "{info}");
            assert_eq!(
                PkiFailureInfo::from_bit_string(
                    &BitString::from_der(&bs.to_der().unwrap()).unwrap()
                ),
                info
            );
        }
        assert_eq!(
            PkiFailureInfo::UNACCEPTED_POLICY.names(),
            ["unacceptedPolicy"]
        );
        assert_eq!(
            (PkiFailureInfo::BAD_ALG | PkiFailureInfo(1 << 30)).names(),
            ["badAlg", "bit30"]
        );
    }

    #[test]
    fn status_values() {
        for v in 0..7 {
            assert_eq!(PkiStatus::from_value(v).value(), v);
        }
        assert!(PkiStatus::GrantedWithMods.is_granted());
        assert!(!PkiStatus::Rejection.is_granted());
    }
}

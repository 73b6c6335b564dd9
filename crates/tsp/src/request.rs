//! Time-stamp requests (RFC 3161 §2.4.1) as modelsign sends them (rfc3161-rules §2):
//! version 1, SHA-256/384/512 imprint with explicit NULL parameters, a fresh 128-bit nonce
//! encoded as a minimal positive INTEGER, certReq TRUE, reqPolicy only when configured, no
//! extensions.
//!
//! ```text
//! TimeStampReq ::= SEQUENCE  {
//!    version                      INTEGER  { v1(1) },
//!    messageImprint               MessageImprint,
//!    reqPolicy             TSAPolicyId              OPTIONAL,
//!    nonce                 INTEGER                  OPTIONAL,
//!    certReq               BOOLEAN                  DEFAULT FALSE,
//!    extensions            [0] IMPLICIT Extensions  OPTIONAL  }
//! ```

use const_oid::ObjectIdentifier;
use der::asn1::{Any, Int, OctetString};
use der::{Decode, Encode};
use modelsign_pki::HashAlgorithm;
use spki::AlgorithmIdentifierOwned;

use crate::asn1::integer::{minimal_positive_integer, positive_magnitude, to_u64};
use crate::asn1::{MessageImprint, TimeStampReq};
use crate::error::Error;

/// Largest request accepted: a real request is under 200 bytes; 64 KiB is the TSA server's
/// body limit (rfc3161-rules §3.2), so a larger one is never legitimate.
pub const MAX_REQUEST_LEN: usize = 64 * 1024;
/// Nonce size: 128 bits (rfc3161-rules §2.3: at least 64; tspclient-go uses up to 159).
pub const NONCE_LEN: usize = 16;

/// A typed, validated TimeStampReq.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimeStampRequest {
    asn1: TimeStampReq,
    hash: HashAlgorithm,
    nonce: Vec<u8>,
}

/// `AlgorithmIdentifier` for a hash with explicit NULL parameters (what OpenSSL,
/// rfc3161-client and tspclient-go send).
pub fn hash_algorithm_identifier(hash: HashAlgorithm) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: hash.oid(),
        parameters: Some(Any::null()),
    }
}

impl TimeStampRequest {
    /// A request for `digest` (which must have `hash`'s length), with a fresh random nonce.
    pub fn new(
        hash: HashAlgorithm,
        digest: Vec<u8>,
        policy: Option<ObjectIdentifier>,
    ) -> Result<Self, Error> {
        let mut nonce = [0u8; NONCE_LEN];
        aws_lc_rs::rand::fill(&mut nonce).map_err(|_| Error::Random {
            what: "request nonce",
        })?;
        Self::with_nonce(hash, digest, policy, &nonce)
    }

    /// A request for the `hash` of `data`.
    pub fn for_data(
        hash: HashAlgorithm,
        data: &[u8],
        policy: Option<ObjectIdentifier>,
    ) -> Result<Self, Error> {
        Self::new(hash, hash.digest(data), policy)
    }

    /// A request with a caller-chosen nonce (unsigned big-endian; tests and replays of a
    /// known request). Prefer [`TimeStampRequest::new`].
    pub fn with_nonce(
        hash: HashAlgorithm,
        digest: Vec<u8>,
        policy: Option<ObjectIdentifier>,
        nonce: &[u8],
    ) -> Result<Self, Error> {
        check_digest_len(hash, digest.len())?;
        let nonce = minimal_positive_integer(nonce).map_err(|source| Error::Encode {
            what: "nonce",
            source,
        })?;
        let digest = OctetString::new(digest).map_err(|source| Error::Encode {
            what: "MessageImprint",
            source,
        })?;
        let asn1 = TimeStampReq {
            version: Int::new(&[1]).map_err(|source| Error::Encode {
                what: "TimeStampReq",
                source,
            })?,
            message_imprint: MessageImprint {
                hash_algorithm: hash_algorithm_identifier(hash),
                hashed_message: digest,
            },
            req_policy: policy,
            nonce: Some(nonce),
            cert_req: true,
            extensions: None,
        };
        Self::from_asn1(asn1)
    }

    /// Parses a DER request (DER: a request is small and produced by a client, and the TSA
    /// answers `badRequest` to BER). One deviation is accepted on purpose: an explicitly
    /// encoded `certReq FALSE` (a DEFAULT value, which X.690 §11.5 says to omit), because
    /// `der` decodes it and some clients (BouncyCastle) send it; a request is not signed,
    /// so nothing depends on its exact bytes, and the token echoes only the imprint and
    /// nonce (`tests/regressions.rs`). Checks version 1, a SHA-2 imprint of
    /// the right length. Extensions are kept (see [`TimeStampRequest::has_extensions`]).
    pub fn from_der(der: &[u8]) -> Result<Self, Error> {
        if der.len() > MAX_REQUEST_LEN {
            return Err(Error::TooLarge {
                what: "TimeStampReq",
                len: der.len(),
                max: MAX_REQUEST_LEN,
            });
        }
        let asn1 = TimeStampReq::from_der(der).map_err(|source| Error::Asn1 {
            what: "TimeStampReq",
            source,
        })?;
        Self::from_asn1(asn1)
    }

    /// Validates a syntax-level request.
    pub fn from_asn1(asn1: TimeStampReq) -> Result<Self, Error> {
        let version = to_u64(&asn1.version);
        if version != Some(1) {
            return Err(Error::UnsupportedVersion {
                what: "TimeStampReq",
                version,
                expected: 1,
            });
        }
        let oid = asn1.message_imprint.hash_algorithm.oid;
        let hash = HashAlgorithm::from_oid(&oid).ok_or(Error::UnsupportedHashAlgorithm {
            field: "TimeStampReq.messageImprint",
            oid,
        })?;
        // Parameters must be absent or NULL for SHA-2 (RFC 5754 §2).
        if let Some(p) = &asn1.message_imprint.hash_algorithm.parameters {
            if !p.is_null() {
                return Err(Error::Structure {
                    what: "TimeStampReq.messageImprint",
                    problem: "hash algorithm parameters must be absent or NULL",
                });
            }
        }
        check_digest_len(hash, asn1.message_imprint.hashed_message.as_bytes().len())?;
        let nonce = match &asn1.nonce {
            None => Vec::new(),
            Some(n) => positive_magnitude(n).ok_or(Error::Structure {
                what: "TimeStampReq.nonce",
                problem: "nonce is negative",
            })?,
        };
        // Checked here so that `to_der` cannot fail later. The bytes themselves are encoded
        // only when asked for: a TSA parses a request and never re-encodes it, and the
        // encoding was 230 of the 830 ns a parse took.
        asn1.encoded_len().map_err(|source| Error::Encode {
            what: "TimeStampReq",
            source,
        })?;
        Ok(TimeStampRequest { asn1, hash, nonce })
    }

    /// The DER encoding (canonical: an explicitly encoded DEFAULT in a parsed request is
    /// not reproduced).
    #[allow(clippy::expect_used)]
    pub fn to_der(&self) -> Vec<u8> {
        // INVARIANT: every constructor goes through `from_asn1`, which checked that the
        // length computes; `der` then writes exactly that many bytes into a buffer of that
        // size, which cannot fail.
        self.asn1
            .to_der()
            .expect("TimeStampReq whose length computed encodes")
    }

    /// The nonce as an unsigned big-endian magnitude without leading zeros (empty if the
    /// request has none).
    pub fn nonce(&self) -> &[u8] {
        &self.nonce
    }

    /// The imprint's hash algorithm.
    pub fn hash_algorithm(&self) -> HashAlgorithm {
        self.hash
    }

    /// The imprint's digest.
    pub fn digest(&self) -> &[u8] {
        self.asn1.message_imprint.hashed_message.as_bytes()
    }

    /// The requested policy.
    pub fn policy(&self) -> Option<ObjectIdentifier> {
        self.asn1.req_policy
    }

    /// Whether the TSA certificate was requested in the token.
    pub fn cert_req(&self) -> bool {
        self.asn1.cert_req
    }

    /// Whether the request carries extensions (RFC 3161 defines none).
    pub fn has_extensions(&self) -> bool {
        self.asn1.extensions.as_ref().is_some_and(|e| !e.is_empty())
    }

    /// The syntax-level request.
    pub fn asn1(&self) -> &TimeStampReq {
        &self.asn1
    }
}

fn check_digest_len(hash: HashAlgorithm, actual: usize) -> Result<(), Error> {
    if actual != hash.output_len() {
        return Err(Error::DigestLength {
            field: "TimeStampReq.messageImprint",
            algorithm: hash.name(),
            expected: hash.output_len(),
            actual,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn new_request_has_the_profile() {
        let req = TimeStampRequest::for_data(HashAlgorithm::Sha256, b"hello", None).unwrap();
        assert_eq!(req.hash_algorithm(), HashAlgorithm::Sha256);
        assert_eq!(req.digest(), HashAlgorithm::Sha256.digest(b"hello"));
        assert!(req.cert_req());
        assert!(!req.has_extensions());
        assert!(!req.nonce().is_empty() && req.nonce().len() <= NONCE_LEN);
        let parsed = TimeStampRequest::from_der(&req.to_der()).unwrap();
        assert_eq!(parsed, req);
        // Explicit NULL parameters: 30 0d 06 09 <sha256 oid> 05 00.
        assert!(hex::encode(req.to_der()).contains("300d06096086480165030402010500"));
        // Two requests never share a nonce.
        let other = TimeStampRequest::for_data(HashAlgorithm::Sha256, b"hello", None).unwrap();
        assert_ne!(req.nonce(), other.nonce());
    }

    #[test]
    fn nonce_is_minimal_positive() {
        let digest = vec![0u8; 32];
        let req = TimeStampRequest::with_nonce(
            HashAlgorithm::Sha256,
            digest.clone(),
            None,
            &[0x00, 0x00, 0x81],
        )
        .unwrap();
        assert_eq!(req.nonce(), &[0x81]);
        assert_eq!(req.asn1().nonce.as_ref().unwrap().as_bytes(), &[0x00, 0x81]);
        assert_eq!(
            TimeStampRequest::from_der(&req.to_der()).unwrap().nonce(),
            &[0x81]
        );
    }

    #[test]
    fn rejects_wrong_digest_length_and_algorithms() {
        let err = TimeStampRequest::new(HashAlgorithm::Sha384, vec![0; 32], None).unwrap_err();
        assert!(
            matches!(
                err,
                Error::DigestLength {
                    expected: 48,
                    actual: 32,
                    ..
                }
            ),
            "{err}"
        );
        let mut asn1 = TimeStampRequest::new(HashAlgorithm::Sha256, vec![0; 32], None)
            .unwrap()
            .asn1()
            .clone();
        asn1.message_imprint.hash_algorithm.oid = crate::oid::ID_SHA1;
        let der = asn1.to_der().unwrap();
        assert!(
            matches!(TimeStampRequest::from_der(&der), Err(Error::UnsupportedHashAlgorithm { oid, .. }) if oid == crate::oid::ID_SHA1)
        );
        asn1.message_imprint.hash_algorithm.oid = crate::oid::ID_SHA256;
        asn1.version = Int::new(&[2]).unwrap();
        let der = asn1.to_der().unwrap();
        assert!(matches!(
            TimeStampRequest::from_der(&der),
            Err(Error::UnsupportedVersion {
                version: Some(2),
                ..
            })
        ));
        assert!(matches!(
            TimeStampRequest::from_der(&[0x30, 0x00]),
            Err(Error::Asn1 {
                what: "TimeStampReq",
                ..
            })
        ));
        let mut trailing = TimeStampRequest::new(HashAlgorithm::Sha256, vec![0; 32], None)
            .unwrap()
            .to_der();
        trailing.push(0);
        assert!(matches!(
            TimeStampRequest::from_der(&trailing),
            Err(Error::Asn1 { .. })
        ));
    }

    proptest! {
        #[test]
        fn requests_round_trip(
            alg in 0usize..3,
            seed in any::<u8>(),
            nonce in proptest::collection::vec(any::<u8>(), 0..24),
            policy in proptest::option::of((1u32..40, 0u32..100_000)),
        ) {
            let hash = [HashAlgorithm::Sha256, HashAlgorithm::Sha384, HashAlgorithm::Sha512][alg];
            let digest = vec![seed; hash.output_len()];
            let policy = policy.map(|(a, b)| ObjectIdentifier::new(&format!("1.3.6.1.4.1.{a}.{b}")).unwrap());
            let req = TimeStampRequest::with_nonce(hash, digest.clone(), policy, &nonce).unwrap();
            let der = req.to_der();
            let back = TimeStampRequest::from_der(&der).unwrap();
            prop_assert_eq!(back.digest(), &digest[..]);
            prop_assert_eq!(back.policy(), policy);
            prop_assert_eq!(back.hash_algorithm(), hash);
            let skip = nonce.iter().take_while(|b| **b == 0).count();
            let expected: &[u8] = if skip == nonce.len() { &[0] } else { &nonce[skip..] };
            prop_assert_eq!(back.nonce(), expected);
            prop_assert_eq!(back.to_der(), der);
        }
    }
}

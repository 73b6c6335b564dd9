//! [`HashAlgorithm`]: the SHA-2 hashes used in signatures, CMS and RFC 3161.
//!
//! OIDs (RFC 5754 §2, RFC 5912):
//!
//! ```text
//! id-sha256 ::= { joint-iso-itu-t(2) country(16) us(840) organization(1) gov(101) csor(3)
//!                 nistalgorithm(4) hashalgs(2) 1 }
//! id-sha384 ::= { ... hashalgs(2) 2 }
//! id-sha512 ::= { ... hashalgs(2) 3 }
//! ```
//!
//! SHA-1 and MD5 are deliberately absent: they are not accepted anywhere in modelsign.

use std::fmt;
use std::str::FromStr;

use const_oid::db::rfc5912::{ID_SHA_256, ID_SHA_384, ID_SHA_512};
use const_oid::ObjectIdentifier;

use crate::error::Error;

/// A SHA-2 hash algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HashAlgorithm {
    Sha256,
    Sha384,
    Sha512,
}

impl HashAlgorithm {
    /// All supported algorithms, strongest last.
    pub const ALL: [HashAlgorithm; 3] = [
        HashAlgorithm::Sha256,
        HashAlgorithm::Sha384,
        HashAlgorithm::Sha512,
    ];

    /// Hash of `data` (aws-lc-rs).
    pub fn digest(&self, data: &[u8]) -> Vec<u8> {
        aws_lc_rs::digest::digest(self.aws_lc(), data)
            .as_ref()
            .to_vec()
    }

    /// Digest of everything `reader` yields, read in 1 MiB chunks, so a large input is
    /// never held in memory at once.
    pub fn digest_reader(&self, mut reader: impl std::io::Read) -> std::io::Result<Vec<u8>> {
        let mut context = aws_lc_rs::digest::Context::new(self.aws_lc());
        let mut buffer = vec![0u8; 1 << 20];
        loop {
            let read = match reader.read(&mut buffer) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            // INVARIANT: `read` <= buffer.len(), as `Read::read` guarantees.
            context.update(buffer.get(..read).unwrap_or_default());
        }
        Ok(context.finish().as_ref().to_vec())
    }

    /// Digest length in bytes.
    pub fn output_len(&self) -> usize {
        match self {
            HashAlgorithm::Sha256 => 32,
            HashAlgorithm::Sha384 => 48,
            HashAlgorithm::Sha512 => 64,
        }
    }

    /// The algorithm's OID (RFC 5754).
    pub fn oid(&self) -> ObjectIdentifier {
        match self {
            HashAlgorithm::Sha256 => ID_SHA_256,
            HashAlgorithm::Sha384 => ID_SHA_384,
            HashAlgorithm::Sha512 => ID_SHA_512,
        }
    }

    /// The algorithm with this OID, if supported.
    pub fn from_oid(oid: &ObjectIdentifier) -> Option<HashAlgorithm> {
        HashAlgorithm::ALL.into_iter().find(|h| h.oid() == *oid)
    }

    /// Lower-case name as used by model_signing and OpenSSL: "sha256", "sha384", "sha512".
    pub fn name(&self) -> &'static str {
        match self {
            HashAlgorithm::Sha256 => "sha256",
            HashAlgorithm::Sha384 => "sha384",
            HashAlgorithm::Sha512 => "sha512",
        }
    }

    pub(crate) fn aws_lc(&self) -> &'static aws_lc_rs::digest::Algorithm {
        match self {
            HashAlgorithm::Sha256 => &aws_lc_rs::digest::SHA256,
            HashAlgorithm::Sha384 => &aws_lc_rs::digest::SHA384,
            HashAlgorithm::Sha512 => &aws_lc_rs::digest::SHA512,
        }
    }
}

impl fmt::Display for HashAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for HashAlgorithm {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        HashAlgorithm::ALL
            .into_iter()
            .find(|h| h.name() == s)
            .ok_or_else(|| Error::UnsupportedHashAlgorithm {
                name: s.chars().take(32).collect(),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() {
        // FIPS 180-2 "abc" test vectors (prefixes).
        assert_eq!(
            hex::encode(HashAlgorithm::Sha256.digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert!(hex::encode(HashAlgorithm::Sha384.digest(b"abc")).starts_with("cb00753f45a35e8b"));
        assert!(hex::encode(HashAlgorithm::Sha512.digest(b"abc")).starts_with("ddaf35a193617aba"));
        for h in HashAlgorithm::ALL {
            assert_eq!(h.digest(b"").len(), h.output_len());
        }
    }

    #[test]
    fn names_and_oids_round_trip() {
        for h in HashAlgorithm::ALL {
            assert_eq!(h.name().parse::<HashAlgorithm>().unwrap(), h);
            assert_eq!(HashAlgorithm::from_oid(&h.oid()), Some(h));
        }
        assert_eq!(
            HashAlgorithm::Sha256.oid().to_string(),
            "2.16.840.1.101.3.4.2.1"
        );
        assert_eq!(
            "sha1".parse::<HashAlgorithm>(),
            Err(Error::UnsupportedHashAlgorithm {
                name: "sha1".into()
            })
        );
        let sha1 = ObjectIdentifier::new_unwrap("1.3.14.3.2.26");
        assert_eq!(HashAlgorithm::from_oid(&sha1), None);
    }

    #[test]
    fn digest_reader_equals_one_shot_digest() {
        let data: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
        for alg in [
            HashAlgorithm::Sha256,
            HashAlgorithm::Sha384,
            HashAlgorithm::Sha512,
        ] {
            assert_eq!(alg.digest_reader(&data[..]).unwrap(), alg.digest(&data));
        }
    }
}

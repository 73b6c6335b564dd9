//! Minimal INTEGER encodings.
//!
//! X.690 §8.3.2: the contents octets of an INTEGER are minimal: the first nine bits are not
//! all zero nor all one. `der::asn1::Int::new` keeps the bytes it is given (rust-stack P2), so
//! a nonce or serial taken from random bytes could start with `00 00` or have its high bit
//! set (negative!) and produce DER that `der`'s own decoder rejects. These helpers normalise.

use der::asn1::Int;

/// The INTEGER whose value is the unsigned big-endian magnitude `magnitude`: leading zero
/// octets stripped, one `0x00` kept when the high bit of the first octet is set, zero
/// encoded as a single `0x00`.
pub fn minimal_positive_integer(magnitude: &[u8]) -> Result<Int, der::Error> {
    let skip = magnitude.iter().take_while(|b| **b == 0).count();
    let significant = magnitude.get(skip..).unwrap_or(&[]);
    let mut bytes = Vec::with_capacity(significant.len() + 1);
    if significant.first().is_none_or(|b| b & 0x80 != 0) {
        bytes.push(0);
    }
    bytes.extend_from_slice(significant);
    Int::new(&bytes)
}

/// The INTEGER for the two's-complement big-endian `bytes`, with redundant sign octets
/// removed (value unchanged).
pub fn minimal_signed_integer(bytes: &[u8]) -> Result<Int, der::Error> {
    let mut s = bytes;
    while let [first, second, ..] = s {
        let redundant =
            (*first == 0x00 && second & 0x80 == 0) || (*first == 0xFF && second & 0x80 != 0);
        if !redundant {
            break;
        }
        s = s.get(1..).unwrap_or(&[]);
    }
    if s.is_empty() {
        return Int::new(&[0]);
    }
    Int::new(s)
}

/// Unsigned magnitude of a non-negative INTEGER's contents (the sign octet removed), or
/// `None` for a negative value.
pub fn positive_magnitude(int: &Int) -> Option<Vec<u8>> {
    let bytes = int.as_bytes();
    if bytes.first().is_some_and(|b| b & 0x80 != 0) {
        return None;
    }
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let rest = bytes.get(skip..).unwrap_or(&[]);
    Some(if rest.is_empty() {
        vec![0]
    } else {
        rest.to_vec()
    })
}

/// Value of a small non-negative INTEGER, `None` when negative or wider than 64 bits.
pub fn to_u64(int: &Int) -> Option<u64> {
    let magnitude = positive_magnitude(int)?;
    if magnitude.len() > 8 {
        return None;
    }
    Some(
        magnitude
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use der::{Decode, Encode};

    #[test]
    fn positive_integers_are_minimal_and_decodable() {
        for (input, expected) in [
            (&[0u8, 0, 0x12][..], &[0x12u8][..]),
            (&[0x80][..], &[0x00, 0x80][..]),
            (&[0, 0, 0x80, 1][..], &[0x00, 0x80, 0x01][..]),
            (&[][..], &[0x00][..]),
            (&[0, 0][..], &[0x00][..]),
        ] {
            let int = minimal_positive_integer(input).unwrap();
            assert_eq!(int.as_bytes(), expected);
            let der = int.to_der().unwrap();
            assert_eq!(Int::from_der(&der).unwrap(), int);
        }
    }

    #[test]
    fn signed_integers_drop_redundant_sign_octets() {
        assert_eq!(
            minimal_signed_integer(&[0xFF, 0xFF, 0x80])
                .unwrap()
                .as_bytes(),
            &[0x80]
        );
        assert_eq!(
            minimal_signed_integer(&[0x00, 0x00, 0x7F])
                .unwrap()
                .as_bytes(),
            &[0x7F]
        );
        assert_eq!(
            minimal_signed_integer(&[0x00, 0x80]).unwrap().as_bytes(),
            &[0x00, 0x80]
        );
        assert_eq!(
            minimal_signed_integer(&[0xFF, 0x7F]).unwrap().as_bytes(),
            &[0xFF, 0x7F]
        );
    }

    #[test]
    fn magnitudes_and_small_values() {
        let int = minimal_positive_integer(&[0x01, 0x00]).unwrap();
        assert_eq!(to_u64(&int), Some(256));
        let neg = Int::new(&[0xDE, 0xAD]).unwrap();
        assert_eq!(positive_magnitude(&neg), None);
        let wide = minimal_positive_integer(&[1; 9]).unwrap();
        assert_eq!(to_u64(&wide), None);
    }
}

//! DSSE Pre-Authentication Encoding (PAE), the exact bytes that are signed.
//!
//! DSSE v1.0 (secure-systems-lab/dsse `protocol.md`):
//!
//! ```text
//! PAE(type, body) = "DSSEv1" + SP + LEN(type) + SP + type + SP + LEN(body) + SP + body
//! SP     = ASCII space [0x20]
//! LEN(s) = ASCII decimal encoding of the byte length of s, with no leading zeros
//! ```
//!
//! model_signing v0.2.0 signed something else (oms-format §11):
//! `f"DSSEV1 {len(type)} {type} {len(payload)} {payload!r}"` — capital `V`, and the
//! Python `repr()` of the payload `bytes` object (`b'...'`) instead of the bytes. Verifiers
//! retry with it so that bundles from that release keep verifying.

/// DSSE v1 PAE of `payload` with `payload_type`.
pub fn pae(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let header = format!(
        "DSSEv1 {} {} {} ",
        payload_type.len(),
        payload_type,
        payload.len()
    );
    let mut out = Vec::with_capacity(header.len().saturating_add(payload.len()));
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(payload);
    out
}

/// The PAE model_signing v0.2.0 computed by mistake; see the module documentation.
///
/// `len(type)` is Python's `len` of a `str` (code points), `len(payload)` of `bytes`
/// (bytes). The formatted `str` is UTF-8 encoded (only `type` can hold non-ASCII; the repr
/// of bytes is ASCII).
pub fn legacy_pae_v0_2(payload_type: &str, payload: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "DSSEV1 {} {} {} ",
        payload_type.chars().count(),
        payload_type,
        payload.len()
    );
    python_bytes_repr(payload, &mut out);
    out.into_bytes()
}

/// Appends CPython's `repr(bytes)` of `data` to `out` (Objects/bytesobject.c,
/// `PyBytes_Repr` with smart quotes): quote with `'` unless the data contains `'` and no
/// `"`; escape the quote character and `\` with a backslash; `\t`, `\n`, `\r` by name;
/// every other byte below 0x20 or from 0x7f as `\xNN` (lowercase hex).
fn python_bytes_repr(data: &[u8], out: &mut String) {
    let quote = if data.contains(&b'\'') && !data.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    out.reserve(data.len().saturating_add(3));
    out.push('b');
    out.push(quote);
    for &byte in data {
        let c = char::from(byte);
        match byte {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            _ if c == quote => {
                out.push('\\');
                out.push(c);
            }
            0x20..=0x7e => out.push(c),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\x");
                out.push(char::from(HEX[usize::from(byte >> 4)]));
                out.push(char::from(HEX[usize::from(byte & 0x0f)]));
            }
        }
    }
    out.push(quote);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pae_matches_dsse_spec_example() {
        // Example from secure-systems-lab/dsse protocol.md.
        assert_eq!(
            pae("http://example.com/HelloWorld", b"hello world"),
            b"DSSEv1 29 http://example.com/HelloWorld 11 hello world".to_vec()
        );
    }

    #[test]
    fn pae_of_empty_payload_ends_with_space() {
        assert_eq!(pae("t", b""), b"DSSEv1 1 t 0 ".to_vec());
    }

    #[test]
    fn legacy_pae_quotes_and_escapes_like_python() {
        assert_eq!(
            legacy_pae_v0_2("t", b"a\nb"),
            b"DSSEV1 1 t 3 b'a\\nb'".to_vec()
        );
        // A single quote and no double quote switches the quote character.
        assert_eq!(
            legacy_pae_v0_2("t", b"it's"),
            b"DSSEV1 1 t 4 b\"it's\"".to_vec()
        );
        // Both present: single quotes, the single quote escaped.
        assert_eq!(
            legacy_pae_v0_2("t", b"'\""),
            b"DSSEV1 1 t 2 b'\\'\"'".to_vec()
        );
        assert_eq!(
            legacy_pae_v0_2("t", b"\\\x00\x7f\xff\t\r"),
            b"DSSEV1 1 t 6 b'\\\\\\x00\\x7f\\xff\\t\\r'".to_vec()
        );
    }

    #[test]
    fn legacy_pae_counts_type_in_code_points() {
        assert!(legacy_pae_v0_2("é", b"").starts_with("DSSEV1 1 é 0 ".as_bytes()));
    }
}

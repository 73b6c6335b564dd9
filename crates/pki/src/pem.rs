//! PEM block scanning (RFC 7468) for inputs that hold several blocks and free text.
//!
//! ```text
//! -----BEGIN <label>-----
//! <base64, any line width>
//! -----END <label>-----
//! ```
//!
//! Text outside blocks (e.g. `openssl x509 -text` output, bundle comments) is ignored.
//!
//! Decoding follows RFC 7468 §3's "lax" grammar, not the strict one: "parsers SHOULD
//! ignore whitespace and other non-base64 characters" is narrowed here to *whitespace*
//! (space, tab, CR, LF) anywhere in the base64 text, so any line width is accepted
//! (base64 on one line, 75/76 columns as older tools write it). OpenSSL, Go's
//! `encoding/pem` and Python `cryptography` accept the same. Everything else stays
//! strict: padding must be correct and canonical, and RFC 1421 headers are refused
//! (`Proc-Type` gets its own error because it means legacy key encryption). Encoding
//! always writes the strict form (64 columns, LF).

use base64::Engine as _;

use crate::error::Error;

const BEGIN: &str = "-----BEGIN ";
const END: &str = "-----END ";
const DASHES: &str = "-----";

/// Whether the input looks like PEM text (has a BEGIN line) rather than DER.
pub(crate) fn looks_like_pem(bytes: &[u8]) -> bool {
    bytes.windows(BEGIN.len()).any(|w| w == BEGIN.as_bytes())
}

/// One PEM block: its label and the whole text of the block (BEGIN..END line inclusive).
#[derive(Debug)]
pub(crate) struct Block<'a> {
    pub(crate) label: &'a str,
    pub(crate) text: &'a str,
}

impl Block<'_> {
    /// Base64-decodes the block; `expected` names what the caller wanted, for errors.
    pub(crate) fn decode(&self, expected: &'static str) -> Result<Vec<u8>, Error> {
        if self.text.contains("Proc-Type:") {
            return Err(Error::LegacyPemEncryption);
        }
        let pem_error = |detail: &str| Error::Pem {
            expected,
            detail: detail.to_string(),
        };
        // `text` runs from the BEGIN line to the END line (see `blocks`): the base64 is
        // everything after the first line break up to the END marker.
        let body_start = self
            .text
            .find('\n')
            .ok_or_else(|| pem_error("no line break after the BEGIN line"))?;
        let end = self
            .text
            .rfind(END)
            .ok_or_else(|| pem_error("no END line"))?;
        let body = self
            .text
            .get(body_start + 1..end)
            .ok_or_else(|| pem_error("END line before the BEGIN line ends"))?;
        if body.contains(':') {
            return Err(pem_error(
                "RFC 1421 headers inside a PEM block are not supported",
            ));
        }
        let base64: Vec<u8> = body
            .bytes()
            .filter(|b| !matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            .collect();
        base64::engine::general_purpose::STANDARD
            .decode(&base64)
            .map_err(|e| pem_error(&format!("invalid base64: {e}")))
    }
}

/// All blocks of `text`, in order. A BEGIN line without its END line is an error.
pub(crate) fn blocks<'a>(text: &'a str, expected: &'static str) -> Result<Vec<Block<'a>>, Error> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut offset = 0usize;
    while let Some(start) = rest.find(BEGIN) {
        let after_begin = &rest[start + BEGIN.len()..];
        let label_len = after_begin.find(DASHES).ok_or_else(|| Error::Pem {
            expected,
            detail: "unterminated BEGIN line".into(),
        })?;
        let label = &after_begin[..label_len];
        if label.contains('\n') {
            return Err(Error::Pem {
                expected,
                detail: "malformed BEGIN line".into(),
            });
        }
        let end_marker = format!("{END}{label}{DASHES}");
        let end_rel = rest[start..].find(&end_marker).ok_or_else(|| Error::Pem {
            expected,
            detail: format!("no END line for {label:?}"),
        })?;
        let block_end = start + end_rel + end_marker.len();
        // Include the line ending after the END marker if present (pem-rfc7468 accepts both).
        let block_end = match rest[block_end..].chars().next() {
            Some('\n') => block_end + 1,
            Some('\r') if rest[block_end..].starts_with("\r\n") => block_end + 2,
            _ => block_end,
        };
        let abs_start = offset + start;
        let abs_end = offset + block_end;
        out.push(Block {
            label: &text[abs_start + BEGIN.len()..abs_start + BEGIN.len() + label_len],
            text: &text[abs_start..abs_end],
        });
        offset = abs_end;
        rest = &text[abs_end..];
    }
    Ok(out)
}

/// PEM text as Python `cryptography` / OpenSSL write it: LF line endings, 64 columns,
/// final LF.
pub(crate) fn encode(label: &str, der: &[u8]) -> String {
    // Encoding base64 into a String cannot fail except on allocation-size overflow,
    // which is not reachable for inputs bounded by our size limits.
    der::pem::encode_string(label, der::pem::LineEnding::LF, der).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_blocks_between_text() {
        let a = encode("CERTIFICATE", b"hello");
        let b = encode("PRIVATE KEY", b"world");
        let text = format!("comment\n{a}between\r\n{b}trailer");
        let blocks = blocks(&text, "test").unwrap();
        assert_eq!(blocks.len(), 2);
        assert_eq!(blocks[0].label, "CERTIFICATE");
        assert_eq!(blocks[0].decode("x").unwrap(), b"hello");
        assert_eq!(blocks[1].label, "PRIVATE KEY");
        assert_eq!(blocks[1].decode("x").unwrap(), b"world");
    }

    #[test]
    fn any_line_width_and_whitespace_is_accepted() {
        let der: Vec<u8> = (0u8..=255).collect();
        let strict = encode("CERTIFICATE", &der);
        let b64: String = strict.lines().filter(|l| !l.starts_with("-----")).collect();
        // One long line, 76 columns with CRLF, and stray indentation.
        let wrapped_76: Vec<&str> = b64
            .as_bytes()
            .chunks(76)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        for body in [
            b64.clone(),
            wrapped_76.join("\r\n"),
            format!("  {}\t\n {}", &b64[..10], &b64[10..]),
        ] {
            let text = format!("-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n");
            let found = blocks(&text, "test").unwrap();
            assert_eq!(found[0].decode("x").unwrap(), der, "{body:?}");
        }
    }

    #[test]
    fn bad_base64_and_headers_are_errors() {
        let bad = "-----BEGIN CERTIFICATE-----\nAAA*\n-----END CERTIFICATE-----\n";
        let err = blocks(bad, "t").unwrap()[0]
            .decode("certificate")
            .unwrap_err();
        assert!(
            matches!(&err, Error::Pem { expected: "certificate", detail } if detail.starts_with("invalid base64")),
            "{err:?}"
        );
        // Wrong padding is not silently repaired.
        let unpadded = "-----BEGIN CERTIFICATE-----\nAAA\n-----END CERTIFICATE-----\n";
        assert!(matches!(
            blocks(unpadded, "t").unwrap()[0].decode("c").unwrap_err(),
            Error::Pem { .. }
        ));
        let header = "-----BEGIN CERTIFICATE-----\nComment: x\n\nAAAA\n-----END CERTIFICATE-----\n";
        assert_eq!(
            blocks(header, "t").unwrap()[0].decode("c").unwrap_err(),
            Error::Pem {
                expected: "c",
                detail: "RFC 1421 headers inside a PEM block are not supported".into()
            }
        );
    }

    #[test]
    fn unterminated_block_is_an_error() {
        let text = "-----BEGIN CERTIFICATE-----\nAAAA\n";
        assert_eq!(
            blocks(text, "certificate").unwrap_err(),
            Error::Pem {
                expected: "certificate",
                detail: "no END line for \"CERTIFICATE\"".into()
            }
        );
    }

    #[test]
    fn encode_is_64_columns_lf() {
        let pem = encode("PUBLIC KEY", &[0u8; 100]);
        let lines: Vec<&str> = pem.split('\n').collect();
        assert_eq!(lines[0], "-----BEGIN PUBLIC KEY-----");
        assert_eq!(lines[1].len(), 64);
        assert_eq!(lines[lines.len() - 2], "-----END PUBLIC KEY-----");
        assert_eq!(lines[lines.len() - 1], "");
    }
}

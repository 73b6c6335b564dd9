//! PEM block scanning (RFC 7468) for inputs that hold several blocks and free text.
//!
//! ```text
//! -----BEGIN <label>-----
//! <base64, strict RFC 7468 grammar via pem-rfc7468>
//! -----END <label>-----
//! ```
//!
//! Text outside blocks (e.g. `openssl x509 -text` output, bundle comments) is ignored.

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
        der::pem::decode_vec(self.text.as_bytes())
            .map(|(_, der)| der)
            .map_err(|e| Error::Pem {
                expected,
                detail: e.to_string(),
            })
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

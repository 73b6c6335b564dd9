//! A small, bounded BER → DER normaliser for received time-stamp responses and tokens.
//!
//! RustCrypto `der`/`cms` decode DER only, but real TSAs send BER (X.690 §8): indefinite
//! lengths (`0x80` … `00 00`), non-minimal long-form lengths, constructed OCTET STRINGs and
//! BOOLEAN TRUE as any non-zero octet. This module parses one BER TLV tree, keeping the byte
//! range of every node in the input, and re-encodes it with the DER length rules:
//!
//! - every length definite and minimal (X.690 §10.1);
//! - a constructed OCTET STRING becomes one primitive OCTET STRING holding the concatenated
//!   segments (X.690 §10.2: DER strings are primitive);
//! - BOOLEAN TRUE is `0xFF` (X.690 §11.1).
//!
//! Primitive contents are never touched, in particular the contents of OCTET STRINGs: the
//! TSTInfo inside `eContent` reaches the digest check exactly as received. SET OF sorting is
//! left to the `der` decoder (which accepts any order). Callers that need the *received*
//! bytes of a node (signed attributes, whose signature covers the bytes the signer produced)
//! take them from [`Node::raw`], not from the re-encoding.

use std::borrow::Cow;
use std::ops::Range;

/// Largest input accepted: 1 MiB, the response body cap of the TSA client (rfc3161-rules
/// §3.1.4); a real response is a few KiB, so anything larger is abuse.
pub const MAX_INPUT_LEN: usize = 1 << 20;
/// Deepest nesting accepted. A token with its certificates nests about 15 levels; 64 leaves
/// room for odd extensions while keeping recursion bounded (deep-BER DoS, rfc3161-rules §9.21).
pub const MAX_DEPTH: usize = 64;
/// Longest identifier (tag) encoding accepted: 4 octets allow tag numbers up to 2^21, far
/// beyond anything in CMS or X.509.
const MAX_TAG_OCTETS: usize = 4;

/// Why BER input could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BerError {
    /// The input is larger than [`MAX_INPUT_LEN`].
    #[error("input of {len} bytes exceeds the {max}-byte limit")]
    TooLarge {
        /// Input length.
        len: usize,
        /// The limit.
        max: usize,
    },
    /// The input ended inside a TLV.
    #[error("truncated BER at offset {offset}")]
    Truncated {
        /// Offset where more bytes were needed.
        offset: usize,
    },
    /// Nesting deeper than [`MAX_DEPTH`].
    #[error("BER nesting deeper than {max} levels at offset {offset}")]
    TooDeep {
        /// Offset of the TLV that was too deep.
        offset: usize,
        /// The limit.
        max: usize,
    },
    /// A malformed identifier or length octet.
    #[error("malformed BER {what} at offset {offset}")]
    Malformed {
        /// Offset of the bad octets.
        offset: usize,
        /// What was wrong.
        what: &'static str,
    },
    /// Bytes after the single top-level object.
    #[error("{count} trailing bytes after the object at offset {offset}")]
    TrailingBytes {
        /// Offset of the first trailing byte.
        offset: usize,
        /// How many bytes trail.
        count: usize,
    },
}

/// Content of a node.
#[derive(Debug, Clone)]
enum Content {
    Primitive(Range<usize>),
    Constructed(Vec<Node>),
}

/// One TLV of the parsed tree, with its position in the input.
#[derive(Debug, Clone)]
pub struct Node {
    tag: Range<usize>,
    span: Range<usize>,
    indefinite: bool,
    content: Content,
}

impl Node {
    /// The first identifier octet (class, constructed bit, low tag number).
    pub fn tag_byte(&self, input: &[u8]) -> u8 {
        input.get(self.tag.start).copied().unwrap_or(0)
    }

    /// Whether the node is constructed.
    pub fn is_constructed(&self) -> bool {
        matches!(self.content, Content::Constructed(_))
    }

    /// Children of a constructed node (empty for primitive ones).
    pub fn children(&self) -> &[Node] {
        match &self.content {
            Content::Constructed(c) => c,
            Content::Primitive(_) => &[],
        }
    }

    /// Byte range of the whole TLV in the input.
    pub fn span(&self) -> Range<usize> {
        self.span.clone()
    }

    /// The whole TLV exactly as received.
    pub fn raw<'a>(&self, input: &'a [u8]) -> &'a [u8] {
        input.get(self.span.clone()).unwrap_or(&[])
    }

    /// Whether this node (or any below it) used an indefinite length.
    pub fn used_indefinite_length(&self) -> bool {
        self.indefinite || self.children().iter().any(Node::used_indefinite_length)
    }

    /// The value octets of a string-like node: the primitive contents, or for a constructed
    /// string the concatenation of its primitive segments (X.690 §8.7.3).
    pub fn string_value<'a>(&self, input: &'a [u8]) -> Cow<'a, [u8]> {
        match &self.content {
            Content::Primitive(r) => Cow::Borrowed(input.get(r.clone()).unwrap_or(&[])),
            Content::Constructed(children) => {
                let mut out = Vec::new();
                for c in children {
                    out.extend_from_slice(&c.string_value(input));
                }
                Cow::Owned(out)
            }
        }
    }

    /// DER re-encoding of this node (see the module documentation for the rules).
    pub fn to_der(&self, input: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.span.len());
        self.encode(input, &mut out);
        out
    }

    fn encode(&self, input: &[u8], out: &mut Vec<u8>) {
        let tag = input.get(self.tag.clone()).unwrap_or(&[]);
        let first = tag.first().copied().unwrap_or(0);
        match &self.content {
            Content::Primitive(r) => {
                let value = input.get(r.clone()).unwrap_or(&[]);
                if first == 0x01 && value.len() == 1 {
                    // BOOLEAN: DER TRUE is 0xFF (X.690 §11.1).
                    let b = if value.first().copied().unwrap_or(0) == 0 {
                        0x00
                    } else {
                        0xFF
                    };
                    out.extend_from_slice(tag);
                    write_len(out, 1);
                    out.push(b);
                } else {
                    out.extend_from_slice(tag);
                    write_len(out, value.len());
                    out.extend_from_slice(value);
                }
            }
            Content::Constructed(children) => {
                if first == 0x24 {
                    // Constructed OCTET STRING → primitive (X.690 §10.2).
                    let value = self.string_value(input);
                    out.push(0x04);
                    write_len(out, value.len());
                    out.extend_from_slice(&value);
                } else {
                    let mut body = Vec::new();
                    for c in children {
                        c.encode(input, &mut body);
                    }
                    out.extend_from_slice(tag);
                    write_len(out, body.len());
                    out.extend_from_slice(&body);
                }
            }
        }
    }
}

/// Writes a DER (minimal, definite) length.
pub(crate) fn write_len(out: &mut Vec<u8>, len: usize) {
    if len < 0x80 {
        // INVARIANT: len < 0x80 fits a byte.
        out.push(u8::try_from(len).unwrap_or(0x7f));
        return;
    }
    let bytes = len.to_be_bytes();
    let skip = bytes.iter().take_while(|b| **b == 0).count();
    let significant = bytes.get(skip..).unwrap_or(&[]);
    // INVARIANT: at most size_of::<usize>() = 8 octets, so the count fits 7 bits.
    out.push(0x80 | u8::try_from(significant.len()).unwrap_or(8));
    out.extend_from_slice(significant);
}

/// X.690 §8.3.2: at least one octet, and the first nine bits neither all zero nor all one.
fn integer_is_minimal(contents: &[u8]) -> bool {
    match contents {
        [] => false,
        [first, second, ..] => {
            !((*first == 0x00 && second & 0x80 == 0) || (*first == 0xFF && second & 0x80 != 0))
        }
        [_] => true,
    }
}

/// A parsed BER object: the input and its TLV tree.
#[derive(Debug, Clone)]
pub struct BerTree<'a> {
    input: &'a [u8],
    root: Node,
}

impl<'a> BerTree<'a> {
    /// Parses exactly one BER object; trailing bytes are an error.
    pub fn parse(input: &'a [u8]) -> Result<Self, BerError> {
        if input.len() > MAX_INPUT_LEN {
            return Err(BerError::TooLarge {
                len: input.len(),
                max: MAX_INPUT_LEN,
            });
        }
        let (root, end) = parse_node(input, 0, input.len(), 0)?;
        if end != input.len() {
            return Err(BerError::TrailingBytes {
                offset: end,
                count: input.len() - end,
            });
        }
        Ok(BerTree { input, root })
    }

    /// The top-level node.
    pub fn root(&self) -> &Node {
        &self.root
    }

    /// The input the tree was parsed from.
    pub fn input(&self) -> &'a [u8] {
        self.input
    }

    /// DER re-encoding of the whole object.
    pub fn to_der(&self) -> Vec<u8> {
        self.root.to_der(self.input)
    }
}

/// Normalises one BER object to DER (see the module documentation).
pub fn normalise(input: &[u8]) -> Result<Vec<u8>, BerError> {
    Ok(BerTree::parse(input)?.to_der())
}

fn byte_at(input: &[u8], pos: usize) -> Result<u8, BerError> {
    input
        .get(pos)
        .copied()
        .ok_or(BerError::Truncated { offset: pos })
}

/// Parses one TLV starting at `pos`, which must end at or before `limit`.
fn parse_node(
    input: &[u8],
    pos: usize,
    limit: usize,
    depth: usize,
) -> Result<(Node, usize), BerError> {
    if depth > MAX_DEPTH {
        return Err(BerError::TooDeep {
            offset: pos,
            max: MAX_DEPTH,
        });
    }
    let truncated = |offset| BerError::Truncated { offset };
    // Identifier octets (X.690 §8.1.2).
    let first = if pos < limit {
        byte_at(input, pos)?
    } else {
        return Err(truncated(pos));
    };
    let mut p = pos + 1;
    if first & 0x1f == 0x1f {
        let mut n = 0usize;
        loop {
            if p >= limit {
                return Err(truncated(p));
            }
            let b = byte_at(input, p)?;
            p += 1;
            n += 1;
            if n > MAX_TAG_OCTETS {
                return Err(BerError::Malformed {
                    offset: pos,
                    what: "tag number too long",
                });
            }
            if b & 0x80 == 0 {
                break;
            }
        }
    }
    let tag = pos..p;
    let constructed = first & 0x20 != 0;
    // Length octets (X.690 §8.1.3).
    if p >= limit {
        return Err(truncated(p));
    }
    let l0 = byte_at(input, p)?;
    p += 1;
    let length: Option<usize> = if l0 < 0x80 {
        Some(usize::from(l0))
    } else if l0 == 0x80 {
        None
    } else if l0 == 0xff {
        return Err(BerError::Malformed {
            offset: p - 1,
            what: "reserved length octet 0xFF",
        });
    } else {
        let n = usize::from(l0 & 0x7f);
        let mut len = 0usize;
        for _ in 0..n {
            if p >= limit {
                return Err(truncated(p));
            }
            let b = byte_at(input, p)?;
            p += 1;
            len = len
                .checked_mul(256)
                .and_then(|l| l.checked_add(usize::from(b)))
                .ok_or(BerError::Malformed {
                    offset: p,
                    what: "length overflow",
                })?;
        }
        Some(len)
    };
    match length {
        Some(len) => {
            let end = p
                .checked_add(len)
                .filter(|e| *e <= limit)
                .ok_or(truncated(limit))?;
            let content = if constructed {
                let mut children = Vec::new();
                let mut q = p;
                while q < end {
                    if byte_at(input, q)? == 0 && byte_at(input, q + 1).unwrap_or(1) == 0 {
                        return Err(BerError::Malformed {
                            offset: q,
                            what: "end-of-contents inside a definite-length value",
                        });
                    }
                    let (child, next) = parse_node(input, q, end, depth + 1)?;
                    children.push(child);
                    q = next;
                }
                Content::Constructed(children)
            } else {
                if first == 0 && len == 0 {
                    return Err(BerError::Malformed {
                        offset: pos,
                        what: "unexpected end-of-contents",
                    });
                }
                if matches!(first, 0x02 | 0x0A)
                    && !integer_is_minimal(input.get(p..end).unwrap_or(&[]))
                {
                    // X.690 §8.3.2 applies to BER as well: this is not a lenience to offer.
                    return Err(BerError::Malformed {
                        offset: pos,
                        what: "INTEGER not minimally encoded",
                    });
                }
                Content::Primitive(p..end)
            };
            Ok((
                Node {
                    tag,
                    span: pos..end,
                    indefinite: false,
                    content,
                },
                end,
            ))
        }
        None => {
            if !constructed {
                return Err(BerError::Malformed {
                    offset: pos,
                    what: "indefinite length on a primitive value",
                });
            }
            let mut children = Vec::new();
            let mut q = p;
            loop {
                if q + 2 > limit {
                    return Err(truncated(limit));
                }
                if byte_at(input, q)? == 0 && byte_at(input, q + 1)? == 0 {
                    q += 2;
                    break;
                }
                let (child, next) = parse_node(input, q, limit, depth + 1)?;
                children.push(child);
                q = next;
            }
            Ok((
                Node {
                    tag,
                    span: pos..q,
                    indefinite: true,
                    content: Content::Constructed(children),
                },
                q,
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_input_is_unchanged() {
        let der = [0x30, 0x06, 0x02, 0x01, 0x05, 0x04, 0x01, 0xAA];
        assert_eq!(normalise(&der).unwrap(), der);
    }

    #[test]
    fn indefinite_lengths_become_definite() {
        let ber = [
            0x30, 0x80, 0x02, 0x01, 0x05, 0x31, 0x80, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00,
        ];
        assert_eq!(
            normalise(&ber).unwrap(),
            [0x30, 0x07, 0x02, 0x01, 0x05, 0x31, 0x02, 0x05, 0x00]
        );
        assert!(BerTree::parse(&ber)
            .unwrap()
            .root()
            .used_indefinite_length());
    }

    #[test]
    fn non_minimal_lengths_are_shortened() {
        let ber = [0x04, 0x82, 0x00, 0x02, 0xAB, 0xCD];
        assert_eq!(normalise(&ber).unwrap(), [0x04, 0x02, 0xAB, 0xCD]);
    }

    #[test]
    fn constructed_octet_strings_are_concatenated() {
        let ber = [
            0x24, 0x80, 0x04, 0x01, 0x01, 0x24, 0x03, 0x04, 0x01, 0x02, 0x00, 0x00,
        ];
        assert_eq!(normalise(&ber).unwrap(), [0x04, 0x02, 0x01, 0x02]);
    }

    #[test]
    fn boolean_true_becomes_ff() {
        assert_eq!(normalise(&[0x01, 0x01, 0x07]).unwrap(), [0x01, 0x01, 0xFF]);
    }

    #[test]
    fn long_lengths_are_encoded_minimally() {
        let mut v = vec![0x04, 0x82, 0x01, 0x00];
        v.extend(std::iter::repeat_n(7u8, 256));
        assert_eq!(normalise(&v).unwrap(), v);
    }

    #[test]
    fn raw_spans_point_into_the_input() {
        let ber = [
            0x30, 0x80, 0xA0, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00,
        ];
        let tree = BerTree::parse(&ber).unwrap();
        let child = &tree.root().children()[0];
        assert_eq!(child.raw(&ber), &ber[2..9]);
        assert_eq!(child.to_der(&ber), [0xA0, 0x03, 0x02, 0x01, 0x01]);
    }

    #[test]
    fn errors_are_typed() {
        assert_eq!(
            normalise(&[0x30, 0x05, 0x02]),
            Err(BerError::Truncated { offset: 3 })
        );
        assert_eq!(
            normalise(&[0x02, 0x01, 0x00, 0xFF]),
            Err(BerError::TrailingBytes {
                offset: 3,
                count: 1
            })
        );
        assert!(matches!(
            normalise(&[0x02, 0x80, 0x00, 0x00]),
            Err(BerError::Malformed { .. })
        ));
        assert!(matches!(
            normalise(&[0x30, 0x80, 0x02, 0x01]),
            Err(BerError::Truncated { .. })
        ));
        assert!(matches!(
            normalise(&[]),
            Err(BerError::Truncated { offset: 0 })
        ));
        let big = vec![0u8; MAX_INPUT_LEN + 1];
        assert!(matches!(normalise(&big), Err(BerError::TooLarge { .. })));
    }

    #[test]
    fn non_minimal_integers_are_rejected() {
        for bad in [
            &[0x02u8, 0x00][..],
            &[0x02, 0x02, 0x00, 0x01],
            &[0x02, 0x02, 0xFF, 0x80],
            &[0x0A, 0x02, 0x00, 0x05],
        ] {
            assert_eq!(
                normalise(bad),
                Err(BerError::Malformed {
                    offset: 0,
                    what: "INTEGER not minimally encoded"
                }),
                "{bad:02x?}"
            );
        }
        for good in [
            &[0x02u8, 0x01, 0x00][..],
            &[0x02, 0x02, 0x00, 0x80],
            &[0x02, 0x02, 0xFF, 0x7F],
        ] {
            assert_eq!(normalise(good).unwrap(), good);
        }
    }

    #[test]
    fn depth_is_limited() {
        let mut v = Vec::new();
        for _ in 0..(MAX_DEPTH + 2) {
            v.extend_from_slice(&[0x30, 0x80]);
        }
        for _ in 0..(MAX_DEPTH + 2) {
            v.extend_from_slice(&[0x00, 0x00]);
        }
        assert!(matches!(normalise(&v), Err(BerError::TooDeep { .. })));
    }
}

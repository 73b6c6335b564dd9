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
//! Untrusted input is bounded while the tree is walked, before any decoder sees it: total
//! size ([`MAX_INPUT_LEN`]), depth ([`MAX_DEPTH`]), number of TLVs ([`MAX_NODES`]) and elements
//! per universal SET ([`MAX_SET_ELEMENTS`]). The re-encoding writes each byte once (DER
//! lengths are computed bottom-up during the parse), so its cost is linear in the input.
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
/// Most TLVs in one tree. A real token with a four-certificate chain has about 700; 32
/// certificates (the token bag's cap) with long extensions stay under 10,000. 65,536 leaves
/// room for that while bounding what a 1 MiB input of two-byte TLVs can cost: without it such
/// an input builds 500,000 nodes (tens of MiB) and every decoder after this layer walks them.
pub const MAX_NODES: usize = 1 << 16;
/// Most elements in one universal `SET` (tag 0x31). The `der` decoder sorts every decoded
/// SET OF, and its comparisons re-encode elements, so a SET of tens of thousands of
/// elements costs seconds. Real DER sets are tiny (RDNs 1-2, attribute values 1, signer
/// infos 1, digest algorithms 1-2); 256 is a backstop for the sets no caller names (RDNs in
/// certificates and in `TSTInfo.tsa`), the token layer caps the ones it knows more tightly.
pub const MAX_SET_ELEMENTS: usize = 256;
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
    /// More TLVs in the tree than [`MAX_NODES`].
    #[error("BER tree has more than {max} TLVs (limit reached at offset {offset})")]
    TooManyNodes {
        /// Offset of the first TLV over the limit.
        offset: usize,
        /// The limit.
        max: usize,
    },
    /// A universal SET with more elements than [`MAX_SET_ELEMENTS`].
    #[error("SET at offset {offset} has more than {max} elements")]
    TooManySetElements {
        /// Offset of the SET's identifier octet.
        offset: usize,
        /// The limit.
        max: usize,
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
    /// The first identifier octet.
    first_tag_octet: u8,
    /// Length of the value of a string-like node (see [`Node::string_value`]).
    string_len: usize,
    /// Length of the DER contents octets, computed bottom-up while parsing so that the
    /// re-encoding writes every byte once (a per-level buffer would copy a deep value once
    /// per level).
    der_len: usize,
}

impl Node {
    /// A node with its lengths computed from its (already built) children.
    fn new(
        first_tag_octet: u8,
        tag: Range<usize>,
        span: Range<usize>,
        indefinite: bool,
        content: Content,
    ) -> Self {
        let (string_len, der_len) = match &content {
            Content::Primitive(r) => (r.len(), r.len()),
            Content::Constructed(children) => {
                let string_len = children.iter().map(|c| c.string_len).sum();
                let der_len = if first_tag_octet == 0x24 {
                    string_len
                } else {
                    children.iter().map(Node::der_tlv_len).sum()
                };
                (string_len, der_len)
            }
        };
        Node {
            tag,
            span,
            indefinite,
            content,
            first_tag_octet,
            string_len,
            der_len,
        }
    }

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
            Content::Constructed(_) => {
                let mut out = Vec::with_capacity(self.string_len);
                self.write_string_value(input, &mut out);
                Cow::Owned(out)
            }
        }
    }

    /// DER re-encoding of this node (see the module documentation for the rules).
    pub fn to_der(&self, input: &[u8]) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.der_tlv_len());
        self.encode(input, &mut out);
        out
    }

    /// Whether this node is re-encoded as a primitive OCTET STRING (X.690 §10.2).
    fn is_constructed_octet_string(&self) -> bool {
        self.is_constructed() && self.first_tag_octet == 0x24
    }

    /// Length of the whole DER TLV of this node.
    fn der_tlv_len(&self) -> usize {
        let tag_len = if self.is_constructed_octet_string() {
            1
        } else {
            self.tag.len()
        };
        tag_len + len_octets(self.der_len) + self.der_len
    }

    /// Appends [`Node::string_value`] to `out` without intermediate buffers.
    fn write_string_value(&self, input: &[u8], out: &mut Vec<u8>) {
        match &self.content {
            Content::Primitive(r) => out.extend_from_slice(input.get(r.clone()).unwrap_or(&[])),
            Content::Constructed(children) => {
                for c in children {
                    c.write_string_value(input, out);
                }
            }
        }
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
                    out.push(0x04);
                    write_len(out, self.der_len);
                    self.write_string_value(input, out);
                } else {
                    out.extend_from_slice(tag);
                    write_len(out, self.der_len);
                    for c in children {
                        c.encode(input, out);
                    }
                }
            }
        }
    }
}

/// Refuses one more element in a universal SET that already holds [`MAX_SET_ELEMENTS`].
fn check_set_size(first: u8, count: usize, pos: usize) -> Result<(), BerError> {
    if first == 0x31 && count >= MAX_SET_ELEMENTS {
        return Err(BerError::TooManySetElements {
            offset: pos,
            max: MAX_SET_ELEMENTS,
        });
    }
    Ok(())
}

/// Number of octets of the DER length field for `len`.
fn len_octets(len: usize) -> usize {
    if len < 0x80 {
        1
    } else {
        let significant = usize::BITS - len.leading_zeros();
        1 + usize::try_from(significant.div_ceil(8)).unwrap_or(8)
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
        let mut budget = MAX_NODES;
        let (root, end) = parse_node(input, 0, input.len(), 0, &mut budget)?;
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
    budget: &mut usize,
) -> Result<(Node, usize), BerError> {
    if depth > MAX_DEPTH {
        return Err(BerError::TooDeep {
            offset: pos,
            max: MAX_DEPTH,
        });
    }
    *budget = budget.checked_sub(1).ok_or(BerError::TooManyNodes {
        offset: pos,
        max: MAX_NODES,
    })?;
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
                    check_set_size(first, children.len(), pos)?;
                    let (child, next) = parse_node(input, q, end, depth + 1, budget)?;
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
            Ok((Node::new(first, tag, pos..end, false, content), end))
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
                check_set_size(first, children.len(), pos)?;
                let (child, next) = parse_node(input, q, limit, depth + 1, budget)?;
                children.push(child);
                q = next;
            }
            Ok((
                Node::new(first, tag, pos..q, true, Content::Constructed(children)),
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

    /// `SEQUENCE { n × NULL }`, definite length.
    fn sequence_of_nulls(tag: u8, n: usize) -> Vec<u8> {
        let body = [0x05u8, 0x00].repeat(n);
        let mut v = vec![tag];
        write_len(&mut v, body.len());
        v.extend_from_slice(&body);
        v
    }

    #[test]
    fn node_count_is_limited() {
        // The SEQUENCE itself is one node.
        let at_cap = sequence_of_nulls(0x30, MAX_NODES - 1);
        assert_eq!(normalise(&at_cap).unwrap(), at_cap);
        let over = sequence_of_nulls(0x30, MAX_NODES);
        let last_null = over.len() - 2;
        assert_eq!(
            normalise(&over),
            Err(BerError::TooManyNodes {
                offset: last_null,
                max: MAX_NODES
            })
        );
    }

    #[test]
    fn set_size_is_limited() {
        let at_cap = sequence_of_nulls(0x31, MAX_SET_ELEMENTS);
        assert_eq!(normalise(&at_cap).unwrap(), at_cap);
        assert_eq!(
            normalise(&sequence_of_nulls(0x31, MAX_SET_ELEMENTS + 1)),
            Err(BerError::TooManySetElements {
                offset: 0,
                max: MAX_SET_ELEMENTS
            })
        );
        // The same count is fine in a SEQUENCE, and in an indefinite-length SET it is not.
        normalise(&sequence_of_nulls(0x30, MAX_SET_ELEMENTS + 1)).unwrap();
        let mut indefinite = vec![0x31, 0x80];
        indefinite.extend([0x05u8, 0x00].repeat(MAX_SET_ELEMENTS + 1));
        indefinite.extend([0x00, 0x00]);
        assert!(matches!(
            normalise(&indefinite),
            Err(BerError::TooManySetElements { offset: 0, .. })
        ));
    }

    #[test]
    fn deep_indefinite_nesting_around_segmented_strings_is_encoded_exactly() {
        // 40 indefinite SEQUENCEs around a constructed OCTET STRING of a 200-byte and a
        // nested 100-byte segment: every level's length needs long form, computed bottom-up.
        let mut ber = vec![0x24, 0x80, 0x04, 0x81, 200];
        ber.extend([0xAB; 200]);
        ber.extend([0x24, 0x80, 0x04, 0x64]);
        ber.extend([0xCD; 100]);
        ber.extend([0x00, 0x00, 0x00, 0x00]);
        let mut expected = vec![0x04, 0x82, 0x01, 0x2C];
        expected.extend([0xAB; 200]);
        expected.extend([0xCD; 100]);
        for _ in 0..40 {
            ber = [&[0x30u8, 0x80][..], &ber, &[0x00, 0x00]].concat();
            let mut wrapped = vec![0x30];
            write_len(&mut wrapped, expected.len());
            wrapped.extend_from_slice(&expected);
            expected = wrapped;
        }
        let tree = BerTree::parse(&ber).unwrap();
        assert_eq!(tree.to_der(), expected);
        let string = &tree.root().children()[0];
        assert_eq!(string.string_value(&ber).len(), 300);
    }

    #[test]
    fn len_octets_matches_write_len() {
        for len in [
            0,
            1,
            0x7f,
            0x80,
            0xff,
            0x100,
            0xffff,
            0x10000,
            0xff_ffff,
            1 << 24,
        ] {
            let mut out = Vec::new();
            write_len(&mut out, len);
            assert_eq!(len_octets(len), out.len(), "{len}");
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

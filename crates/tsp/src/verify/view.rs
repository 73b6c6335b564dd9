//! The one place where verification reads the parsed token: everything the rules need, as
//! borrowed views of the syntax layer's [`TimeStampToken`].
//!
//! Raw slices are the bytes *as received*: `raw_econtent` is what messageDigest covers and
//! `raw_signed_attrs` what the signature covers (rfc3161-rules.md §5.2 "keep the raw byte
//! slices", pitfall 15).

use cms::signed_data::SignedData;
use const_oid::ObjectIdentifier;
use modelsign_pki::{Certificate, Time};

use crate::asn1::TstInfo;
use crate::token::TimeStampToken;

/// What the rules look at.
#[derive(Debug)]
pub(super) struct TokenView<'a> {
    /// The parsed token itself (for the typed TSTInfo helpers).
    pub(super) token: &'a TimeStampToken,
    /// Outer ContentInfo.contentType.
    pub(super) content_type: ObjectIdentifier,
    /// SignedData as decoded (its `certificates` are read through `certificates` instead).
    pub(super) signed_data: &'a SignedData,
    /// eContent OCTET STRING value octets as received.
    pub(super) raw_econtent: &'a [u8],
    /// `[0]` SignedAttributes TLV of the first SignerInfo as received.
    pub(super) raw_signed_attrs: Option<&'a [u8]>,
    /// The token's certificate bag (untrusted).
    pub(super) certificates: &'a [Certificate],
    /// TSTInfo at syntax level: out-of-range values are judged by the rules.
    pub(super) tst: &'a TstInfo,
    pub(super) gen_time: Time,
}

impl<'a> TokenView<'a> {
    pub(super) fn new(token: &'a TimeStampToken) -> Self {
        Self {
            token,
            content_type: token.content_type(),
            signed_data: token.signed_data(),
            raw_econtent: token.raw_econtent(),
            raw_signed_attrs: token.raw_signed_attrs(0),
            certificates: token.certificates(),
            tst: token.tst_info().asn1(),
            gen_time: token.tst_info().gen_time,
        }
    }
}

//! The signer's check of a fresh response against its request (rfc3161-rules.md §4): run
//! before a response is stored, without trust anchors.
//!
//! RFC 3161 §2.4.2: "The client MUST check ... that the token contains the same nonce and
//! message imprint as the request, that the TSA is a trusted one (its certificate has the
//! timeStamping extended key usage), and (if requested) the policy."

use modelsign_pki::Certificate;

use super::{check_signed_token, view, Datum, VerificationError, MAX_SIGNED_TIMESTAMP_LEN};
use crate::asn1::integer::positive_magnitude;
use crate::request::TimeStampRequest;
use crate::response::TimeStampResponse;

/// Check `response_der` against the `request` it answers: status granted (0/1), imprint
/// algorithm and value, nonce echoed, policy, and every token rule that needs no trust
/// anchor (CMS signature with the embedded certificate, messageDigest, contentType, ESS
/// binding, TSA leaf EKU profile). Trust is *not* established here: run
/// [`super::verify_timestamp`] with the configured TSA trust for that.
pub fn check_response(
    response_der: &[u8],
    request: &TimeStampRequest,
) -> Result<TimeStampResponse, crate::Error> {
    if response_der.len() > MAX_SIGNED_TIMESTAMP_LEN {
        return Err(VerificationError::TooLarge {
            len: response_der.len(),
            max: MAX_SIGNED_TIMESTAMP_LEN,
        }
        .into());
    }
    let response = TimeStampResponse::from_der(response_der)?;
    // §4.1: granted (0) or grantedWithMods (1), with a token.
    let token = view::TokenView::new(response.granted_token()?);
    let tst = token.tst;

    // §4.2: imprint algorithm and value equal what was sent.
    let sent = request.hash_algorithm();
    if tst.message_imprint.hash_algorithm.oid != sent.oid() {
        return Err(VerificationError::RequestImprintAlgorithm {
            expected: sent.name(),
            actual: tst.message_imprint.hash_algorithm.oid,
        }
        .into());
    }
    if tst.message_imprint.hashed_message.as_bytes() != request.digest() {
        return Err(VerificationError::ImprintMismatch {
            algorithm: sent.name(),
            expected_hex: hex::encode(request.digest()),
            actual_hex: hex::encode(tst.message_imprint.hashed_message.as_bytes()),
        }
        .into());
    }
    // §4.3: nonce echoed exactly (compared as integer values).
    let expected = strip_zeros(request.nonce());
    let actual = tst.nonce.as_ref().and_then(positive_magnitude);
    if !expected.is_empty() && actual.as_deref().map(strip_zeros) != Some(expected) {
        return Err(VerificationError::NonceMismatch {
            expected_hex: hex::encode(expected),
            actual_hex: actual.map(hex::encode),
        }
        .into());
    }
    // §4.4 and §4.5: policy and the trust-independent token rules. Only the token's own
    // certificates can name the signer here.
    check_signed_token(
        &token,
        Datum::Digest(sent, request.digest()),
        request.policy(),
        std::iter::empty::<&Certificate>(),
    )?;
    Ok(response)
}

fn strip_zeros(b: &[u8]) -> &[u8] {
    let skip = b.iter().take_while(|x| **x == 0).count();
    b.get(skip..).unwrap_or(&[])
}

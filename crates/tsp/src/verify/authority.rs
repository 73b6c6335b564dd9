//! Which configured authority vouches for the signer (rfc3161-rules.md §5.8, §5.9, §5.11).
//!
//! For each authority in turn: path validation of the signer **at genTime** against that
//! authority's anchors only (the token's certificates are untrusted intermediates, pitfall
//! 3); then its pinned leaf, if any, must be the signer; then genTime must lie in its
//! `validFor` window `[start, end]` (closed). All three must hold for the **same**
//! authority — mixing one authority's window with another's certificates was
//! TOB-SIGSTORE-11.
//!
//! When no authority accepts, the error of the authority that got furthest is returned
//! (window > pin > chain), so a token from a known TSA outside its window reports the
//! window, not a chain failure against some other TSA's root.

use modelsign_pki::{verify_chain, Certificate, ChainRequest, LeafProfile, Time, VerifiedChain};

use super::VerificationError;
use crate::trust::TsaTrust;

/// The accepting authority's index and the validated chain.
pub(super) fn accept(
    trust: &TsaTrust,
    signer: &Certificate,
    bag: &[Certificate],
    gen_time: Time,
) -> Result<(usize, VerifiedChain), VerificationError> {
    let mut best: Option<(u8, VerificationError)> = None;
    for (id, authority) in trust.authorities().iter().enumerate() {
        let name = authority.name().to_owned();
        let req = ChainRequest {
            leaf: signer,
            untrusted: bag,
            trust: authority.trust_store(),
            time: gen_time,
            // The TSA's own certificate only has to be valid at genTime: accuracy bounds the
            // stamped datum's time, not the TSA's signing act.
            latest: gen_time,
            profile: LeafProfile::TimeStamping,
        };
        let (rank, err) = match verify_chain(&req) {
            Err(source) => (
                0,
                VerificationError::TsaChain {
                    authority: name,
                    subject: signer.subject(),
                    source: Box::new(source),
                },
            ),
            Ok(chain) => match (authority.pinned_leaf(), authority.valid_for()) {
                (Some(pinned), _) if pinned.der() != signer.der() => (
                    1,
                    VerificationError::PinnedLeafMismatch {
                        authority: name,
                        pinned: pinned.subject(),
                        signer: signer.subject(),
                    },
                ),
                (_, Some(w)) if !w.contains(gen_time) => (
                    2,
                    VerificationError::OutsideAuthorityWindow {
                        authority: name,
                        gen_time,
                        start: w.start(),
                        end: w.end(),
                    },
                ),
                _ => return Ok((id, chain)),
            },
        };
        if best.as_ref().is_none_or(|(r, _)| rank > *r) {
            best = Some((rank, err));
        }
    }
    // `TsaTrust` constructors refuse an empty authority list, so `best` is set here.
    Err(best.map_or(VerificationError::NoTsaAuthority, |(_, e)| e))
}

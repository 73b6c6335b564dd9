//! Verifying the DSSE signature (DSSE v1.0 `protocol.md`):
//!
//! ```text
//! PAE(type, body) = "DSSEv1" + SP + LEN(type) + SP + type + SP + LEN(body) + SP + body
//! ```
//!
//! over the payload bytes exactly as found in the bundle (never re-serialised).
//!
//! - Exactly one signature (see [`Error::MultipleSignatures`]); `keyid` is ignored (OMS:
//!   absent, `""` and `null` are all valid and carry no meaning).
//! - Scheme: the key's default (ECDSA hash by curve, Ed25519); RSA keys are tried with PSS
//!   then PKCS#1 v1.5, both SHA-256, since a bundle does not say which padding was used.
//! - Legacy: a `Digests/v0.1` statement (model_signing v0.2.0) is also tried with that
//!   release's PAE quirk; in certificate mode with SHA-256 whatever the curve, as it
//!   signed (oms-format §6, §11). The quirk is never tried for v1.0 statements, so a
//!   modern statement has exactly one signed encoding.

use modelsign_dsse::{Envelope, PredicateFormat};
use modelsign_pki::{HashAlgorithm, KeyKind, PublicKey, SignatureScheme};

use crate::{Error, Mode};

/// How the signature verified.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SignatureCheck {
    pub(crate) scheme: SignatureScheme,
    /// True when it verified only over the legacy v0.2 PAE.
    pub(crate) legacy_pae: bool,
}

fn candidate_schemes(key: &PublicKey) -> Vec<SignatureScheme> {
    match key.kind() {
        KeyKind::Rsa { .. } => vec![
            SignatureScheme::RsaPss(HashAlgorithm::Sha256),
            SignatureScheme::RsaPkcs1(HashAlgorithm::Sha256),
        ],
        _ => vec![key.default_scheme()],
    }
}

fn legacy_schemes(key: &PublicKey, mode: Mode) -> Vec<SignatureScheme> {
    match (mode, key.kind()) {
        (Mode::Certificate, KeyKind::EcdsaP256 | KeyKind::EcdsaP384 | KeyKind::EcdsaP521) => {
            vec![SignatureScheme::Ecdsa(HashAlgorithm::Sha256)]
        }
        _ => candidate_schemes(key),
    }
}

/// Verify the envelope's single signature with `key`. `signer` names the key or
/// certificate in the error message.
pub(crate) fn verify_envelope(
    envelope: &Envelope,
    key: &PublicKey,
    mode: Mode,
    signer: &str,
) -> Result<SignatureCheck, Error> {
    let signature = match envelope.signatures.as_slice() {
        [] => return Err(Error::NoSignature),
        [one] => one,
        more => return Err(Error::MultipleSignatures { count: more.len() }),
    };
    let pae = envelope.pae();
    for scheme in candidate_schemes(key) {
        if key.verify(scheme, &pae, &signature.sig).is_ok() {
            return Ok(SignatureCheck {
                scheme,
                legacy_pae: false,
            });
        }
    }
    // Parsing before the signature verified is safe here: the result only selects which
    // encoding to check, and nothing from the statement is used unless a check passes.
    let is_legacy = modelsign_dsse::parse_statement(&envelope.payload)
        .map(|s| s.format == PredicateFormat::LegacyDigestsV0_1)
        .unwrap_or(false);
    if is_legacy {
        let legacy_pae = envelope.legacy_pae_v0_2();
        for scheme in legacy_schemes(key, mode) {
            if key.verify(scheme, &legacy_pae, &signature.sig).is_ok() {
                return Ok(SignatureCheck {
                    scheme,
                    legacy_pae: true,
                });
            }
        }
    }
    Err(Error::SignatureInvalid {
        signer: signer.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use modelsign_pki::SigningKey;

    #[test]
    fn legacy_certificate_mode_uses_sha256_on_every_curve() {
        for kind in [KeyKind::EcdsaP256, KeyKind::EcdsaP384, KeyKind::EcdsaP521] {
            let key = SigningKey::generate(kind).unwrap().public_key();
            assert_eq!(
                legacy_schemes(&key, Mode::Certificate),
                vec![SignatureScheme::Ecdsa(HashAlgorithm::Sha256)]
            );
            // Key mode keeps the curve's hash.
            assert_eq!(legacy_schemes(&key, Mode::Key), vec![key.default_scheme()]);
        }
    }

    #[test]
    fn rsa_keys_try_pss_then_pkcs1() {
        let key = SigningKey::generate(KeyKind::Rsa { bits: 2048 })
            .unwrap()
            .public_key();
        assert_eq!(
            candidate_schemes(&key),
            vec![
                SignatureScheme::RsaPss(HashAlgorithm::Sha256),
                SignatureScheme::RsaPkcs1(HashAlgorithm::Sha256)
            ]
        );
    }
}

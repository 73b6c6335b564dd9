//! Table over ../shared/testdata/openssl-tsa (README "Requests and responses"): every
//! response and the bare token verify with `root.crt` only (`chain.pem` for the no-cert
//! token), and are rejected with an unrelated anchor, another datum, or — for the no-cert
//! token — without its signer. The README says tests must not depend on key bytes (the folder
//! can be regenerated), so nothing here does.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use modelsign_pki::{HashAlgorithm, Time};
use modelsign_tsp::verify::{VerificationError as V, VerifyOptions};
use support::{pem_trust, read, run_table, DatumSpec, Expect, Row};

const D: &str = "openssl-tsa";
const SIG: DatumSpec = DatumSpec::File("openssl-tsa/signature.bin");

fn rows() -> Vec<Row> {
    let root = || pem_trust(&[&format!("{D}/root.crt")]);
    let chain = || pem_trust(&[&format!("{D}/chain.pem")]);
    // An unrelated anchor: the GlobalSign root.
    let other = || pem_trust(&["tsa-fixtures/tspclient-go/testdata/GlobalSignRootCA.crt"]);
    let f = |n: &str| format!("{D}/{n}");
    let r = |n: &str, datum: DatumSpec, trust, expect| {
        Row::new(f(n), read(&f(n)), datum, trust, expect)
    };
    let sig_digest = HashAlgorithm::Sha256.digest(&read(&f("signature.bin")));

    let mut rows = vec![
        r("response.tsr", SIG, root(), Expect::Valid),
        r("token.der", SIG, root(), Expect::Valid),
        r("response-sha512-policy.tsr", SIG, root(), Expect::Valid),
        r(
            "response-fullchain-unsorted-set.tsr",
            SIG,
            root(),
            Expect::Valid,
        ),
        r(
            "response-sha384-nonce-less-nocert.tsr",
            SIG,
            chain(),
            Expect::Valid,
        ),
        // Digest form of the datum.
        r(
            "response.tsr",
            DatumSpec::Digest(HashAlgorithm::Sha256, sig_digest.clone()),
            root(),
            Expect::Valid,
        ),
        r(
            "response.tsr",
            DatumSpec::Digest(HashAlgorithm::Sha384, vec![0; 48]),
            root(),
            reject!(V::DatumAlgorithm { .. }),
        ),
        // Unrelated anchor.
        r("response.tsr", SIG, other(), reject!(V::TsaChain { .. })),
        r("token.der", SIG, other(), reject!(V::TsaChain { .. })),
        r(
            "response-sha512-policy.tsr",
            SIG,
            other(),
            reject!(V::TsaChain { .. }),
        ),
        r(
            "response-fullchain-unsorted-set.tsr",
            SIG,
            other(),
            reject!(V::TsaChain { .. }),
        ),
        // Another datum (the payload instead of the signature: rule 1 of rfc3161-rules §0).
        r(
            "response.tsr",
            DatumSpec::File("openssl-tsa/payload.json"),
            root(),
            reject!(V::ImprintMismatch { .. }),
        ),
        r(
            "token.der",
            DatumSpec::File("openssl-tsa/payload.json"),
            root(),
            reject!(V::ImprintMismatch { .. }),
        ),
        r(
            "response-sha384-nonce-less-nocert.tsr",
            DatumSpec::File("openssl-tsa/payload.json"),
            chain(),
            reject!(V::ImprintMismatch { .. }),
        ),
        // No-cert token without its signer.
        r(
            "response-sha384-nonce-less-nocert.tsr",
            SIG,
            root(),
            reject!(V::SignerNotFound { .. }),
        ),
    ];
    // Policy pinning: response.tsr has the default policy, the sha512 one asked for 1.2.3.4.1.
    let mut pinned = r("response-sha512-policy.tsr", SIG, root(), Expect::Valid);
    pinned.opts = VerifyOptions {
        policy: Some("1.2.3.4.1".parse().unwrap()),
    };
    rows.push(pinned);
    let mut wrong_policy = r(
        "response.tsr",
        SIG,
        root(),
        reject!(V::PolicyMismatch { .. }),
    );
    wrong_policy.opts = VerifyOptions {
        policy: Some("1.2.3.4.1".parse().unwrap()),
    };
    rows.push(wrong_policy);
    rows[0].on_valid = Some(|v| {
        // README: genTime 2026-11-21T23:57:58Z, accuracy 1.5001 s (regen keeps the profile).
        assert_eq!(
            v.accuracy().map(|a| a.as_duration()),
            Some(std::time::Duration::from_micros(1_500_100))
        );
        assert_eq!(
            v.latest_time(),
            v.gen_time()
                .checked_add(std::time::Duration::from_micros(1_500_100))
                .unwrap()
        );
        assert_eq!(v.policy().to_string(), "1.3.6.1.4.1.57264.2");
        assert!(v
            .tsa_certificate()
            .subject()
            .contains("Example Test TSA Signer"));
        assert!(v
            .chain()
            .anchor()
            .subject()
            .contains("Example Test TSA Root"));
        assert!(v.gen_time() > Time::parse_rfc3339("2026-01-01T00:00:00Z").unwrap());
    });
    rows
}

#[test]
fn openssl_tsa_fixtures() {
    run_table("openssl-tsa", rows(), &[]);
}

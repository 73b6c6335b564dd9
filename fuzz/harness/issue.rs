//! What the `tsp_issue` fuzz target does with one input: the TSA's issuance core,
//! `Issuer::respond`, on arbitrary request bytes. Shared verbatim by the libFuzzer target
//! (`fuzz/fuzz_targets/tsp_issue.rs`) and the corpus replay test that runs under plain
//! `cargo test` (`crates/tsp/tests/fuzz_corpus_replay.rs`).
//!
//! The issuer signs with a dev PKI generated once at start-up (P-384 root, P-256 TSA leaf):
//! the properties below hold for any key, so no fixed key material is needed. The oracle is
//! "no panic" plus the assertions here; an assertion failure is a bug in `modelsign_tsp`.

// These asserts are the fuzz oracles: a panic is the report.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used, dead_code)]

use const_oid::ObjectIdentifier;
use modelsign_devpki::DevPki;
use modelsign_pki::{KeyKind, Time};
use modelsign_tsp::asn1::{PkiFailureInfo, PkiStatus};
use modelsign_tsp::issue::failure_info;
use modelsign_tsp::trust::TsaTrust;
use modelsign_tsp::verify::{check_response, verify_timestamp, Datum, VerifyOptions};
use modelsign_tsp::{Accuracy, Issuer, IssuerConfig, Outcome, TimeStampRequest, TimeStampResponse};

/// The issuer's default policy (named by no seed request).
pub(crate) const DEFAULT_POLICY: &str = "1.3.6.1.4.1.57264.2";
/// The one further accepted policy: the policy of the OpenSSL seed
/// `openssl-tsa/request-sha512-policy.tsq`, so the accepted-policy branch is reached from
/// the seeds (the BouncyCastle seeds name 1.3.6.1.4.1.5255.5.1, which is refused).
pub(crate) const EXTRA_POLICY: &str = "1.2.3.4.1";
/// Declared accuracy of genTime (present, so the template's accuracy path runs).
pub(crate) const ACCURACY: Accuracy = Accuracy {
    seconds: 1,
    millis: 500,
    micros: 0,
};

/// The clock of every `respond` call: sub-millisecond digits, so the truncation of genTime
/// to milliseconds is exercised.
fn now() -> Time {
    Time::from_unix(1_790_000_000, 123_456_789).expect("fixed time")
}

/// genTime a token issued at [`now`] must carry.
fn expected_gen_time() -> Time {
    Time::from_unix(1_790_000_000, 123_000_000).expect("fixed time")
}

/// Token serials, one per input picked by the input's length: high bit set (encoded with a
/// leading 00), leading zero bytes (encoded without them), all ones, and an ordinary one.
/// All-zero is left out: the caller draws 128 random bits, and 0 is not a positive serial.
const SERIALS: [[u8; 16]; 4] = [
    [0x80; 16],
    [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7F, 0x01],
    [0xFF; 16],
    [
        0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0x10, 0x32, 0x54, 0x76, 0x98, 0xBA, 0xDC,
        0xFE,
    ],
];

/// The INTEGER contents of `serial` as a positive number, computed here independently of
/// the issuer: leading zero octets dropped, one 00 added if the first octet has its high
/// bit set (or nothing is left).
fn serial_contents(serial: &[u8; 16]) -> Vec<u8> {
    let skip = serial.iter().take_while(|b| **b == 0).count();
    let significant = &serial[skip..];
    let mut out = Vec::new();
    if significant.first().is_none_or(|b| b & 0x80 != 0) {
        out.push(0);
    }
    out.extend_from_slice(significant);
    out
}

/// The issuer and the verifier's view of it.
pub(crate) struct IssueFixture {
    issuer: Issuer,
    /// The dev root as the only anchor; the TSA leaf as a verifier-supplied certificate,
    /// so tokens issued without certificates (certReq absent or FALSE) verify too.
    trust: TsaTrust,
    chain_len: usize,
    default_policy: ObjectIdentifier,
    extra_policy: ObjectIdentifier,
}

/// Builds the dev PKI (valid at [`now`]) and the issuer; called once per process.
pub(crate) fn tsp_issue_fixture() -> Result<IssueFixture, String> {
    let pki = DevPki::tsa(now(), KeyKind::EcdsaP256).map_err(|e| format!("dev PKI: {e}"))?;
    let chain = pki.chain();
    let chain_len = chain.len();
    let trust = TsaTrust::from_certificates(chain.clone()).map_err(|e| format!("trust: {e}"))?;
    if trust.authorities().len() != 1 || trust.authorities()[0].trust_store().anchors().len() != 1 {
        return Err("the dev root must be the only anchor".into());
    }
    let default_policy = ObjectIdentifier::new(DEFAULT_POLICY).map_err(|e| e.to_string())?;
    let extra_policy = ObjectIdentifier::new(EXTRA_POLICY).map_err(|e| e.to_string())?;
    let config = IssuerConfig {
        policy: default_policy,
        accepted_policies: vec![extra_policy],
        accuracy: Some(ACCURACY),
        include_chain: true,
    };
    let issuer = Issuer::new(pki.leaf.key, chain, config).map_err(|e| format!("issuer: {e}"))?;
    Ok(IssueFixture {
        issuer,
        trust,
        chain_len,
        default_policy,
        extra_policy,
    })
}

/// `tsp_issue`: `Issuer::respond` on arbitrary bytes. Every response parses; a request that
/// `TimeStampRequest::from_der` refuses is rejected with the failInfo of its parse error (a
/// client error, never systemFailure); a parsed request is granted exactly when it has no
/// extensions and names no policy or an accepted one, else rejected with
/// unacceptedExtension / unacceptedPolicy; a granted token verifies (dev root as the only
/// anchor) over exactly the request's imprint, with the serial, genTime, policy, accuracy
/// and nonce expected, carries the chain iff certReq, passes the client-side
/// `check_response` when it carries certificates, and does not verify over another digest.
/// Returns whether the request was granted.
pub(crate) fn tsp_issue(data: &[u8], fx: &IssueFixture) -> bool {
    let serial = SERIALS[data.len() % SERIALS.len()];
    let issued = fx.issuer.respond(data, now(), serial);
    let response = TimeStampResponse::from_der(&issued.der)
        .expect("the issuer's response must parse as a TimeStampResp");
    let request = TimeStampRequest::from_der(data);

    let expected_policy = match &request {
        Ok(r) => match r.policy() {
            None => Some(fx.default_policy),
            Some(p) if p == fx.default_policy || p == fx.extra_policy => Some(p),
            Some(_) => None,
        },
        Err(_) => None,
    };

    match issued.outcome {
        Outcome::Rejected {
            status, fail_info, ..
        } => {
            assert_eq!(status, PkiStatus::Rejection);
            let sent = response.status();
            assert_eq!(
                sent.status(),
                PkiStatus::Rejection,
                "rejection not sent as such"
            );
            assert_eq!(
                sent.fail_info(),
                Some(fail_info),
                "rejection without its failInfo"
            );
            assert!(!fail_info.is_empty(), "rejection with an empty failInfo");
            assert_eq!(
                sent.status_strings().len(),
                1,
                "rejection without statusString"
            );
            assert!(response.token().is_none(), "rejection carries a token");
            match &request {
                Err(e) => {
                    assert_eq!(
                        fail_info,
                        failure_info(e),
                        "failInfo differs from the mapping"
                    );
                    assert!(
                        [
                            PkiFailureInfo::BAD_REQUEST,
                            PkiFailureInfo::BAD_ALG,
                            PkiFailureInfo::BAD_DATA_FORMAT
                        ]
                        .contains(&fail_info),
                        "malformed request answered with {fail_info:?} ({e})"
                    );
                }
                Ok(r) if r.has_extensions() => {
                    assert_eq!(fail_info, PkiFailureInfo::UNACCEPTED_EXTENSION);
                }
                Ok(r) => {
                    assert!(
                        expected_policy.is_none(),
                        "acceptable request rejected: {fail_info:?}"
                    );
                    assert_eq!(
                        fail_info,
                        PkiFailureInfo::UNACCEPTED_POLICY,
                        "policy {:?}",
                        r.policy()
                    );
                }
            }
            false
        }
        Outcome::Granted(granted) => {
            let request = request.expect("granted a request that TimeStampRequest refuses");
            assert!(
                !request.has_extensions(),
                "granted a request with extensions"
            );
            let policy = expected_policy.expect("granted a request for an unaccepted policy");
            check_granted(fx, &issued.der, &response, &request, policy, &serial);
            assert_eq!(granted.policy, policy);
            assert_eq!(granted.gen_time, expected_gen_time());
            assert_eq!(granted.serial_hex, hex(&serial_contents(&serial)));
            assert_eq!(granted.hash_algorithm, request.hash_algorithm());
            assert_eq!(granted.digest_hex, hex(request.digest()));
            assert_eq!(granted.certificates_included, request.cert_req());
            true
        }
        _ => panic!("unknown outcome"),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn check_granted(
    fx: &IssueFixture,
    der: &[u8],
    response: &TimeStampResponse,
    request: &TimeStampRequest,
    policy: ObjectIdentifier,
    serial: &[u8; 16],
) {
    assert_eq!(response.status().status(), PkiStatus::Granted);
    assert_eq!(
        response.status().fail_info(),
        None,
        "granted with a failInfo"
    );
    let token = response.token().expect("granted response without a token");
    let tst = token.tst_info();
    assert_eq!(
        tst.asn1().nonce,
        request.asn1().nonce,
        "nonce not echoed exactly"
    );
    let expected_certs = if request.cert_req() { fx.chain_len } else { 0 };
    assert_eq!(
        token.certificates().len(),
        expected_certs,
        "certReq not honoured"
    );

    let alg = request.hash_algorithm();
    let digest = request.digest();
    let opts = VerifyOptions {
        policy: Some(policy),
    };
    let v = verify_timestamp(der, Datum::Digest(alg, digest), &fx.trust, &opts)
        .unwrap_or_else(|e| panic!("issued token does not verify: {e}"));
    assert_eq!(
        v.imprint(),
        digest,
        "verified imprint differs from the request's"
    );
    assert_eq!(v.hash_algorithm(), alg);
    assert_eq!(
        v.serial_hex(),
        hex(&serial_contents(serial)),
        "serial differs"
    );
    assert_eq!(v.gen_time(), expected_gen_time(), "genTime differs");
    assert_eq!(v.policy(), policy);
    assert_eq!(v.accuracy(), Some(ACCURACY));
    assert_eq!(v.authority_id(), 0);

    let mut other = digest.to_vec();
    other[0] ^= 1;
    assert!(
        verify_timestamp(der, Datum::Digest(alg, &other), &fx.trust, &opts).is_err(),
        "token verified over another digest"
    );

    // The client's check of a fresh response names the signer from the token's own
    // certificates, so it applies only when certReq asked for them.
    if request.cert_req() {
        check_response(der, request)
            .unwrap_or_else(|e| panic!("issued response fails the client check: {e}"));
    }
}

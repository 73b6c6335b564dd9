//! Tokens issued by modelsign's `Issuer` (RSA, ECDSA P-256 and P-384 TSA keys, certificates
//! made with the OpenSSL CLI) are checked field by field after parsing and verify with
//! `openssl ts -verify` in its query, data, digest and `-attime` forms; requests that must
//! be refused get the right failInfo.

// Test helpers outside #[test] fns: a panic here is a test failure, not a crash on input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{openssl, openssl_ok, read};
use const_oid::ObjectIdentifier;
use der::{Decode, Encode};
use modelsign_pki::{certificates_from_pem, Certificate, HashAlgorithm, SigningKey, Time};
use modelsign_tsp::asn1::{PkiFailureInfo, PkiStatus};
use modelsign_tsp::issue::tsa_signature_scheme;
use modelsign_tsp::token::Accuracy;
use modelsign_tsp::{Error, Issuer, IssuerConfig, Outcome, TimeStampRequest, TimeStampResponse};

const CA_CNF: &str = "\
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = unused
[ v3_root ]
basicConstraints       = critical, CA:true
keyUsage               = critical, keyCertSign, cRLSign
subjectKeyIdentifier   = hash
[ v3_tsa ]
basicConstraints       = critical, CA:false
keyUsage               = critical, digitalSignature
extendedKeyUsage       = critical, timeStamping
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
[ v3_tsa_noncritical ]
basicConstraints       = critical, CA:false
keyUsage               = critical, digitalSignature
extendedKeyUsage       = timeStamping
[ v3_tsa_extra_eku ]
basicConstraints       = critical, CA:false
extendedKeyUsage       = critical, timeStamping, codeSigning
";

const POLICY: &str = "1.3.6.1.4.1.57264.2";
const OTHER_POLICY: &str = "1.2.3.4.1";

struct Pki {
    dir: tempfile::TempDir,
    root: Certificate,
    leaf: Certificate,
    key: SigningKey,
}

fn make_pki(genpkey: &[&str], profile: &str) -> Pki {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("ca.cnf"), CA_CNF).unwrap();
    openssl_ok(
        d,
        &[
            "ecparam",
            "-name",
            "secp384r1",
            "-genkey",
            "-noout",
            "-out",
            "root.key",
        ],
    );
    openssl_ok(
        d,
        &[
            "req",
            "-new",
            "-x509",
            "-config",
            "ca.cnf",
            "-extensions",
            "v3_root",
            "-key",
            "root.key",
            "-sha384",
            "-days",
            "30",
            "-subj",
            "/O=modelsign test/CN=Test TSA Root",
            "-out",
            "root.pem",
        ],
    );
    let mut args = vec!["genpkey"];
    args.extend_from_slice(genpkey);
    args.extend_from_slice(&["-out", "tsa.key"]);
    openssl_ok(d, &args);
    openssl_ok(
        d,
        &[
            "req",
            "-new",
            "-config",
            "ca.cnf",
            "-key",
            "tsa.key",
            "-subj",
            "/O=modelsign test/CN=Test TSA Signer",
            "-out",
            "tsa.csr",
        ],
    );
    openssl_ok(
        d,
        &[
            "x509",
            "-req",
            "-in",
            "tsa.csr",
            "-CA",
            "root.pem",
            "-CAkey",
            "root.key",
            "-set_serial",
            "0x3001",
            "-days",
            "30",
            "-extfile",
            "ca.cnf",
            "-extensions",
            profile,
            "-out",
            "tsa.pem",
        ],
    );
    let root = certificates_from_pem(&std::fs::read(d.join("root.pem")).unwrap())
        .unwrap()
        .remove(0);
    let leaf = certificates_from_pem(&std::fs::read(d.join("tsa.pem")).unwrap())
        .unwrap()
        .remove(0);
    let key =
        SigningKey::from_pem_or_der(&std::fs::read(d.join("tsa.key")).unwrap(), None).unwrap();
    Pki {
        dir,
        root,
        leaf,
        key,
    }
}

fn config(include_chain: bool) -> IssuerConfig {
    IssuerConfig {
        policy: ObjectIdentifier::new_unwrap(POLICY),
        accepted_policies: vec![ObjectIdentifier::new_unwrap(OTHER_POLICY)],
        accuracy: Some(Accuracy {
            seconds: 1,
            millis: 250,
            micros: 0,
        }),
        include_chain,
    }
}

fn issuer(pki: &Pki, include_chain: bool) -> Issuer {
    let key = SigningKey::from_pem_or_der(
        &std::fs::read(pki.dir.path().join("tsa.key")).unwrap(),
        None,
    )
    .unwrap();
    Issuer::new(
        key,
        vec![pki.leaf.clone(), pki.root.clone()],
        config(include_chain),
    )
    .unwrap()
}

/// Issues for `data`, checks the parsed token, and runs every `openssl ts -verify` form.
fn issue_and_verify(pki: &Pki, hash: HashAlgorithm, policy: Option<&str>, include_chain: bool) {
    let d = pki.dir.path();
    let issuer = issuer(pki, include_chain);
    let data = b"raw signature bytes to be time-stamped".to_vec();
    std::fs::write(d.join("data.bin"), &data).unwrap();
    let req = TimeStampRequest::for_data(
        hash,
        &data,
        policy.map(|p| ObjectIdentifier::new(p).unwrap()),
    )
    .unwrap();
    std::fs::write(d.join("q.tsq"), req.to_der()).unwrap();
    let now = Time::now();
    let serial = [0x80, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15];
    let issued = issuer.respond(&req.to_der(), now, serial);
    let Outcome::Granted(granted) = &issued.outcome else {
        panic!("not granted: {:?}", issued.outcome)
    };
    std::fs::write(d.join("r.tsr"), &issued.der).unwrap();

    // Parse back and check every field we set.
    let resp = TimeStampResponse::from_der(&issued.der).unwrap();
    assert_eq!(resp.status().status(), PkiStatus::Granted);
    let token = resp.token().unwrap();
    let tst = token.tst_info();
    assert_eq!(tst.version(), Some(1));
    assert_eq!(
        tst.policy,
        ObjectIdentifier::new(policy.unwrap_or(POLICY)).unwrap()
    );
    assert_eq!(tst.hash_algorithm, Some(hash));
    assert_eq!(tst.digest, hash.digest(&data));
    // Positive INTEGER: a 0x00 sign octet before the high bit.
    assert_eq!(tst.serial[0], 0);
    assert_eq!(&tst.serial[1..], &serial);
    assert_eq!(granted.serial_hex, hex::encode(&tst.serial));
    assert_eq!(tst.gen_time.unix_seconds(), now.unix_seconds());
    assert_eq!(
        tst.gen_time.subsec_nanos(),
        now.subsec_nanos() / 1_000_000 * 1_000_000
    );
    assert_eq!(granted.gen_time, tst.gen_time);
    assert_eq!(
        tst.accuracy().unwrap(),
        Some(Accuracy {
            seconds: 1,
            millis: 250,
            micros: 0
        })
    );
    assert!(!tst.ordering);
    assert_eq!(tst.nonce.as_deref(), Some(req.nonce()));
    assert_eq!(tst.tsa.as_deref(), Some(pki.leaf.subject().as_str()));
    assert!(tst.asn1().extensions.is_none());
    // genTime text: DER GeneralizedTime, fraction without trailing zeros.
    let gt = tst.asn1().gen_time.to_value_string();
    assert!(
        gt.ends_with('Z') && !gt.contains("0Z") || !gt.contains('.'),
        "{gt}"
    );

    let expected_certs = if include_chain { 2 } else { 1 };
    assert_eq!(token.certificates().len(), expected_certs);
    assert!(token
        .certificates()
        .iter()
        .any(|c| c.der() == pki.leaf.der()));
    assert_eq!(token.signer_infos().len(), 1);
    let attrs = token.signed_attribute_values(0).unwrap();
    assert_eq!(attrs.content_type, Some(modelsign_tsp::oid::ID_CT_TST_INFO));
    let scheme = tsa_signature_scheme(&pki.key);
    let signer_digest = scheme.hash().unwrap_or(HashAlgorithm::Sha512);
    assert_eq!(
        attrs.message_digest.unwrap(),
        signer_digest.digest(token.raw_econtent())
    );
    let ess = attrs.signing_certificate_v2.unwrap();
    assert_eq!(ess.certs.len(), 1);
    assert!(
        ess.certs[0].hash_algorithm.is_none(),
        "SHA-256 is the DEFAULT and must be omitted"
    );
    assert_eq!(
        ess.certs[0].cert_hash.as_bytes(),
        pki.leaf.fingerprint_sha256()
    );
    assert!(ess.certs[0].issuer_serial.is_some());
    // The signature verifies with the leaf key over the signed attributes as received.
    let si = &token.signer_infos()[0];
    pki.leaf
        .public_key()
        .unwrap()
        .verify(
            scheme,
            &token.signed_message(0).unwrap(),
            si.signature.as_bytes(),
        )
        .unwrap();

    // OpenSSL: query form, data form, digest form, and at genTime.
    let v = |extra: &[&str]| {
        let mut args = vec!["ts", "-verify", "-in", "r.tsr", "-CAfile", "root.pem"];
        args.extend_from_slice(extra);
        let out = openssl_ok(d, &args);
        assert!(out.contains("Verification: OK"), "{out}");
    };
    v(&["-queryfile", "q.tsq"]);
    v(&["-data", "data.bin"]);
    let digest_hex = hex::encode(hash.digest(&data));
    v(&["-digest", &digest_hex]);
    let at = tst.gen_time.unix_seconds().to_string();
    v(&["-data", "data.bin", "-attime", &at]);

    // And OpenSSL reports what we put in.
    let text = openssl_ok(d, &["ts", "-reply", "-in", "r.tsr", "-text"]);
    assert!(text.contains("Status: Granted."), "{text}");
    assert!(text.contains("Ordering: no"), "{text}");
    // (OpenSSL's default config names 1.2.3.4.1 "tsa_policy1", so the policy is checked above.)
    assert!(
        text.contains("Serial number: 0x800102030405060708090A0B0C0D0E0F"),
        "{text}"
    );
    assert!(
        text.contains("TSA: DirName:/O=modelsign test/CN=Test TSA Signer"),
        "{text}"
    );
}

fn pki_rsa() -> Pki {
    make_pki(
        &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
        "v3_tsa",
    )
}
fn pki_p256() -> Pki {
    make_pki(
        &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
        "v3_tsa",
    )
}
fn pki_p384() -> Pki {
    make_pki(
        &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
        "v3_tsa",
    )
}

#[test]
fn rsa_tokens_verify_with_openssl() {
    let pki = pki_rsa();
    issue_and_verify(&pki, HashAlgorithm::Sha256, None, false);
    issue_and_verify(&pki, HashAlgorithm::Sha512, Some(OTHER_POLICY), true);
}

#[test]
fn p256_tokens_verify_with_openssl() {
    let pki = pki_p256();
    issue_and_verify(&pki, HashAlgorithm::Sha256, None, true);
    issue_and_verify(&pki, HashAlgorithm::Sha384, Some(POLICY), false);
}

#[test]
fn p384_tokens_verify_with_openssl() {
    let pki = pki_p384();
    issue_and_verify(&pki, HashAlgorithm::Sha384, None, false);
}

#[test]
fn cert_req_false_gives_a_token_without_certificates() {
    let pki = pki_p256();
    let issuer = issuer(&pki, true);
    let req = TimeStampRequest::for_data(HashAlgorithm::Sha256, b"x", None).unwrap();
    let mut asn1 = req.asn1().clone();
    asn1.cert_req = false;
    let r = issuer.respond(&asn1.to_der().unwrap(), Time::now(), [1; 16]);
    let resp = TimeStampResponse::from_der(&r.der).unwrap();
    let token = resp.token().unwrap();
    assert!(token.certificates().is_empty());
    let Outcome::Granted(g) = r.outcome else {
        panic!()
    };
    assert!(!g.certificates_included);
    // OpenSSL verifies it when given the signer.
    let d = pki.dir.path();
    std::fs::write(d.join("nc.tsr"), &r.der).unwrap();
    std::fs::write(d.join("x.bin"), b"x").unwrap();
    let out = openssl_ok(
        d,
        &[
            "ts",
            "-verify",
            "-in",
            "nc.tsr",
            "-data",
            "x.bin",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "tsa.pem",
        ],
    );
    assert!(out.contains("Verification: OK"));
}

fn rejected(issuer: &Issuer, der: &[u8]) -> (PkiFailureInfo, TimeStampResponse) {
    let r = issuer.respond(der, Time::now(), [2; 16]);
    let Outcome::Rejected {
        status, fail_info, ..
    } = r.outcome
    else {
        panic!("granted: {:?}", r.outcome)
    };
    assert_eq!(status, PkiStatus::Rejection);
    let resp = TimeStampResponse::from_der(&r.der).unwrap();
    assert_eq!(resp.status().status(), PkiStatus::Rejection);
    assert_eq!(resp.status().fail_info(), Some(fail_info));
    assert!(resp.token().is_none());
    (fail_info, resp)
}

#[test]
fn rejections_carry_the_right_fail_info() {
    let pki = pki_p256();
    let issuer = issuer(&pki, false);
    let good = TimeStampRequest::for_data(HashAlgorithm::Sha256, b"x", None).unwrap();

    // SHA-1 request (Bouncy Castle sample) -> badAlg.
    let sha1 = read("tsp-corpus/bouncycastle/ParseTest_sha1Request.tsq");
    assert_eq!(rejected(&issuer, &sha1).0, PkiFailureInfo::BAD_ALG);
    let md5 = read("tsp-corpus/bouncycastle/ParseTest_md5Request.tsq");
    assert_eq!(rejected(&issuer, &md5).0, PkiFailureInfo::BAD_ALG);

    // Digest length mismatch -> badDataFormat.
    let mut a = good.asn1().clone();
    a.message_imprint.hashed_message = der::asn1::OctetString::new(vec![0u8; 20]).unwrap();
    assert_eq!(
        rejected(&issuer, &a.to_der().unwrap()).0,
        PkiFailureInfo::BAD_DATA_FORMAT
    );

    // Unaccepted policy.
    let p = TimeStampRequest::for_data(
        HashAlgorithm::Sha256,
        b"x",
        Some(ObjectIdentifier::new_unwrap("1.2.3.4.99")),
    )
    .unwrap();
    let (fi, resp) = rejected(&issuer, &p.to_der());
    assert_eq!(fi, PkiFailureInfo::UNACCEPTED_POLICY);
    assert!(resp.status().status_strings()[0].contains("1.2.3.4.99"));

    // Extensions.
    let mut a = good.asn1().clone();
    a.extensions = Some(vec![x509_cert::ext::Extension {
        extn_id: ObjectIdentifier::new_unwrap("1.2.3.4.5"),
        critical: false,
        extn_value: der::asn1::OctetString::new(vec![5, 0]).unwrap(),
    }]);
    assert_eq!(
        rejected(&issuer, &a.to_der().unwrap()).0,
        PkiFailureInfo::UNACCEPTED_EXTENSION
    );

    // Version 2, garbage, trailing bytes, empty -> badRequest.
    let mut a = good.asn1().clone();
    a.version = der::asn1::Int::new(&[2]).unwrap();
    assert_eq!(
        rejected(&issuer, &a.to_der().unwrap()).0,
        PkiFailureInfo::BAD_REQUEST
    );
    assert_eq!(
        rejected(&issuer, b"not a request").0,
        PkiFailureInfo::BAD_REQUEST
    );
    let mut trailing = good.to_der();
    trailing.push(0);
    assert_eq!(rejected(&issuer, &trailing).0, PkiFailureInfo::BAD_REQUEST);
    assert_eq!(rejected(&issuer, &[]).0, PkiFailureInfo::BAD_REQUEST);
    assert_eq!(
        rejected(
            &issuer,
            &read("tsa-fixtures/tspclient-go/testdata/malformed.tsq")
        )
        .0,
        PkiFailureInfo::BAD_REQUEST
    );

    // Clock not trusted.
    let r = issuer.respond_time_not_available();
    let resp = TimeStampResponse::from_der(&r.der).unwrap();
    assert_eq!(
        resp.status().fail_info(),
        Some(PkiFailureInfo::TIME_NOT_AVAILABLE)
    );

    // OpenSSL reads our rejections too.
    let d = pki.dir.path();
    std::fs::write(
        d.join("rej.tsr"),
        issuer.respond(&sha1, Time::now(), [3; 16]).der,
    )
    .unwrap();
    let text = openssl_ok(d, &["ts", "-reply", "-in", "rej.tsr", "-text"]);
    assert!(
        text.contains("Status: Rejected.")
            && text.contains("unrecognized or unsupported algorithm"),
        "{text}"
    );
}

#[test]
fn issuer_refuses_unsuitable_signers() {
    let check = |pki: &Pki, expected: &str| {
        let key = SigningKey::from_pem_or_der(
            &std::fs::read(pki.dir.path().join("tsa.key")).unwrap(),
            None,
        )
        .unwrap();
        let err = Issuer::new(key, vec![pki.leaf.clone()], config(false)).unwrap_err();
        match &err {
            Error::SignerProfile { subject, problem } => {
                assert!(subject.contains("Test TSA Signer"), "{err}");
                assert!(problem.contains(expected), "{err}");
            }
            other => panic!("unexpected error {other:?}"),
        }
    };
    check(
        &make_pki(
            &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
            "v3_tsa_noncritical",
        ),
        "critical",
    );
    check(
        &make_pki(
            &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
            "v3_tsa_extra_eku",
        ),
        "exactly",
    );
    // A key that is not the leaf's.
    let pki = pki_p256();
    let other = pki_p256();
    let key = SigningKey::from_pem_or_der(
        &std::fs::read(other.dir.path().join("tsa.key")).unwrap(),
        None,
    )
    .unwrap();
    let err = Issuer::new(key, vec![pki.leaf.clone()], config(false)).unwrap_err();
    assert!(
        matches!(&err, Error::SignerProfile { problem, .. } if problem.contains("signing key")),
        "{err}"
    );
    // The root (no EKU) cannot sign tokens.
    let root_key = SigningKey::from_pem_or_der(
        &std::fs::read(pki.dir.path().join("root.key")).unwrap(),
        None,
    )
    .unwrap();
    let err = Issuer::new(root_key, vec![pki.root.clone()], config(false)).unwrap_err();
    assert!(matches!(&err, Error::SignerProfile { .. }), "{err}");
    // An empty chain.
    let err = Issuer::new(pki.key, vec![], config(false)).unwrap_err();
    assert!(matches!(&err, Error::SignerProfile { .. }), "{err}");
}

#[test]
fn der_of_issued_response_is_canonical() {
    // Our responses are DER: decoding with the strict typed decoder and re-encoding is
    // byte-identical.
    let pki = pki_p256();
    let issuer = issuer(&pki, true);
    let req = TimeStampRequest::for_data(HashAlgorithm::Sha256, b"y", None).unwrap();
    let r = issuer.respond(&req.to_der(), Time::now(), [0; 16]);
    let typed = modelsign_tsp::asn1::TimeStampResp::from_der(&r.der).unwrap();
    assert_eq!(typed.to_der().unwrap(), r.der);
    let _ = openssl(pki.dir.path(), &["version"]);
}

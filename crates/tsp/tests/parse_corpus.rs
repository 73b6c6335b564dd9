//! Parse-level expectations for every RFC 3161 sample under testdata (openssl-tsa,
//! tsa-fixtures, tsp-corpus; see tsp-corpus/manifest.json). Verdicts (signature, chain,
//! ESS) are the verifier's tests; here: does it parse, and are the fields right.

// Test helpers outside #[test] fns: a panic here is a test failure, not a crash on input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{read, testdata};
use modelsign_pki::HashAlgorithm;
use modelsign_tsp::asn1::{PkiFailureInfo, PkiStatus};
use modelsign_tsp::ber::BerError;
use modelsign_tsp::token::{Accuracy, TimeStampToken, TstInfo};
use modelsign_tsp::{parse_signed_timestamp, Error, TimeStampRequest, TimeStampResponse};

/// Tokens (responses or bare) that must parse, with the number of bag certificates.
const PARSES: &[(&str, usize)] = &[
    ("openssl-tsa/response.tsr", 2),
    ("openssl-tsa/token.der", 2),
    ("openssl-tsa/response-fullchain-unsorted-set.tsr", 3),
    ("openssl-tsa/response-sha384-nonce-less-nocert.tsr", 0),
    ("openssl-tsa/response-sha512-policy.tsr", 2),
    (
        "tsp-corpus/rfc3161-client-fixtures/test_tsa/response.tsr",
        1,
    ),
    (
        "tsp-corpus/rfc3161-client-fixtures/test_tsa/other_response.tsr",
        1,
    ),
    (
        "tsp-corpus/rfc3161-client-fixtures/test_tsa/response-injected-certs.tsr",
        3,
    ),
    (
        "tsp-corpus/rfc3161-client-fixtures/sigstage/response-sha256.tsr",
        1,
    ),
    (
        "tsp-corpus/rfc3161-client-fixtures/sigstage/response-sha384.tsr",
        1,
    ),
    (
        "tsp-corpus/rfc3161-client-fixtures/sigstage/response-sha512.tsr",
        1,
    ),
    (
        "tsp-corpus/rfc3161-client-fixtures/sigstage/response-invalid-signature.tsr",
        1,
    ),
    (
        "tsp-corpus/rfc3161-client-fixtures/sigstage/response-no-embedded-cert.tsr",
        0,
    ),
    (
        "tsp-corpus/rfc3161-client-fixtures/identrust/issue-104.tsr",
        2,
    ),
    (
        "tsp-corpus/rfc3161-client-fixtures/sigstore.mock/response-expired.tsr",
        0,
    ),
    ("tsp-corpus/bouncycastle/ParseTest_sha1Response.tsr", 0),
    (
        "tsp-corpus/bouncycastle/ParseTest_sha1noNonseResponse.tsr",
        0,
    ),
    ("tsp-corpus/bouncycastle/ParseTest_md5Response.tsr", 0),
    (
        "tsp-corpus/bouncycastle/ParseTest_v2SigningCertResponse.tsr",
        2,
    ),
    ("tsp-corpus/bouncycastle/bsi-ers-2Chains3ATS-0.0.tsr", 2),
    ("tsp-corpus/bouncycastle/bsi-ers-2Chains3ATS-0.1.tsr", 2),
    ("tsp-corpus/bouncycastle/bsi-ers-2Chains3ATS-1.0.tsr", 2),
    (
        "tsa-fixtures/timestamp-authority/response-injected-certs.tsr",
        3,
    ),
    ("tsa-fixtures/tspclient-go/testdata/TimeStampToken.p7s", 4),
    (
        "tsa-fixtures/tspclient-go/testdata/TimeStampTokenNoRoot.p7s",
        2,
    ),
    (
        "tsa-fixtures/tspclient-go/testdata/TimeStampTokenWithoutCertificate.p7s",
        0,
    ),
    (
        "tsa-fixtures/tspclient-go/testdata/TimeStampTokenWithTSTInfoVersion2.p7s",
        4,
    ),
    (
        "tsa-fixtures/tspclient-go/testdata/TimeStampTokenWithInvalideContentType.p7s",
        4,
    ),
    (
        "tsa-fixtures/tspclient-go/testdata/TimeStampTokenWithValidAndInvalidSignerInfos.p7s",
        4,
    ),
    (
        "tsa-fixtures/tspclient-go/testdata/TimeStampTokenWithSigningCertificateV1.p7s",
        2,
    ),
    (
        "tsa-fixtures/tspclient-go/testdata/TimeStampTokenWithoutSigningCertificate.p7s",
        4,
    ),
    (
        "tsa-fixtures/tspclient-go/testdata/validResponseWithSigningCertificateV1.tsr",
        2,
    ),
    (
        "tsa-fixtures/tspclient-go/internal-cms-testdata/TimeStampTokenWithoutSignedAttributes.p7s",
        4,
    ),
];

#[test]
fn well_formed_tokens_parse() {
    for (file, certs) in PARSES {
        let bytes = read(file);
        let token = parse_signed_timestamp(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(token.certificates().len(), *certs, "{file}");
        assert_eq!(
            token.content_type(),
            modelsign_tsp::oid::ID_SIGNED_DATA,
            "{file}"
        );
        // messageDigest input is the TSTInfo as received: it re-parses to the same TSTInfo.
        let again = TstInfo::from_der(token.raw_econtent()).unwrap();
        assert_eq!(again.asn1(), token.tst_info().asn1(), "{file}");
        // The raw ContentInfo is a slice of the input.
        assert!(
            bytes.windows(token.raw().len()).any(|w| w == token.raw()),
            "{file}"
        );
    }
}

#[test]
fn openssl_sample_fields() {
    let resp = TimeStampResponse::from_der(&read("openssl-tsa/response.tsr")).unwrap();
    assert_eq!(resp.status().status(), PkiStatus::Granted);
    let token = resp.token().unwrap();
    let tst = token.tst_info();
    assert_eq!(tst.hash_algorithm, Some(HashAlgorithm::Sha256));
    assert_eq!(
        tst.digest,
        HashAlgorithm::Sha256.digest(&read("openssl-tsa/signature.bin"))
    );
    assert_eq!(tst.serial, vec![2]);
    assert_eq!(tst.gen_time.to_string(), "2026-11-21T23:57:58Z");
    assert_eq!(
        tst.accuracy().unwrap(),
        Some(Accuracy {
            seconds: 1,
            millis: 500,
            micros: 100
        })
    );
    assert!(tst
        .tsa
        .as_deref()
        .unwrap()
        .contains("Example Test TSA Signer"));
    let req = TimeStampRequest::from_der(&read("openssl-tsa/request.tsq")).unwrap();
    assert_eq!(tst.nonce.as_deref(), Some(req.nonce()));
    // The bare token cut out of the response is the same token, byte for byte.
    let bare = TimeStampToken::from_der(&read("openssl-tsa/token.der")).unwrap();
    assert_eq!(bare.raw(), token.raw());
    // SignedAttributes as received: DER [0] TLV; signed message starts with SET.
    let raw = token.raw_signed_attrs(0).unwrap();
    assert_eq!(raw[0], 0xA0);
    assert!(token.raw().windows(raw.len()).any(|w| w == raw));
    let attrs = token.signed_attribute_values(0).unwrap();
    assert_eq!(
        attrs.message_digest.unwrap(),
        HashAlgorithm::Sha256.digest(token.raw_econtent())
    );
    let v2 = attrs.signing_certificate_v2.unwrap();
    let leaf = token
        .certificates()
        .iter()
        .find(|c| c.subject().contains("Signer"))
        .unwrap();
    assert_eq!(v2.certs[0].cert_hash.as_bytes(), leaf.fingerprint_sha256());
    // No nonce, no certs.
    let t =
        parse_signed_timestamp(&read("openssl-tsa/response-sha384-nonce-less-nocert.tsr")).unwrap();
    assert_eq!(t.tst_info().nonce, None);
    assert_eq!(t.tst_info().hash_algorithm, Some(HashAlgorithm::Sha384));
}

#[test]
fn unsorted_certificate_set_keeps_received_order() {
    let t =
        parse_signed_timestamp(&read("openssl-tsa/response-fullchain-unsorted-set.tsr")).unwrap();
    let subjects: Vec<String> = t.certificates().iter().map(|c| c.subject()).collect();
    assert!(
        subjects[0].contains("Signer")
            && subjects[1].contains("Intermediate")
            && subjects[2].contains("Root"),
        "{subjects:?}"
    );
}

#[test]
fn special_fields() {
    // Negative serial number is kept as received.
    let t = parse_signed_timestamp(&read(
        "tsp-corpus/rfc3161-client-fixtures/sigstore.mock/response-expired.tsr",
    ))
    .unwrap();
    assert!(
        t.tst_info().serial[0] & 0x80 != 0,
        "{}",
        t.tst_info().serial_hex()
    );
    // SHA-1 / MD5 imprints parse but are not a supported HashAlgorithm.
    let t = parse_signed_timestamp(&read("tsp-corpus/bouncycastle/ParseTest_sha1Response.tsr"))
        .unwrap();
    assert_eq!(t.tst_info().hash_algorithm, None);
    assert_eq!(t.tst_info().hash_algorithm_oid, modelsign_tsp::oid::ID_SHA1);
    // Fractional genTime.
    let t = parse_signed_timestamp(&read(
        "tsa-fixtures/tspclient-go/testdata/TimeStampTokenNoRoot.p7s",
    ))
    .unwrap();
    assert_eq!(t.tst_info().gen_time.subsec_nanos(), 884_000_000);
    // TSTInfo version 2 is left for the verifier.
    let t = parse_signed_timestamp(&read(
        "tsa-fixtures/tspclient-go/testdata/TimeStampTokenWithTSTInfoVersion2.p7s",
    ))
    .unwrap();
    assert_eq!(t.tst_info().version(), Some(2));
    // ESS v1 only.
    let t = parse_signed_timestamp(&read(
        "tsa-fixtures/tspclient-go/testdata/validResponseWithSigningCertificateV1.tsr",
    ))
    .unwrap();
    let a = t.signed_attribute_values(0).unwrap();
    assert!(a.signing_certificate.is_some() && a.signing_certificate_v2.is_none());
    // Two SignerInfos, each with its own raw attributes.
    let t = parse_signed_timestamp(&read(
        "tsa-fixtures/tspclient-go/testdata/TimeStampTokenWithValidAndInvalidSignerInfos.p7s",
    ))
    .unwrap();
    assert_eq!(t.signer_infos().len(), 2);
    assert!(t.raw_signed_attrs(0).is_some() && t.raw_signed_attrs(1).is_some());
    // An empty signed-attributes field is kept as received.
    let t = parse_signed_timestamp(&read(
        "tsa-fixtures/tspclient-go/internal-cms-testdata/TimeStampTokenWithoutSignedAttributes.p7s",
    ))
    .unwrap();
    assert_eq!(t.raw_signed_attrs(0), Some(&[0xA0, 0x00][..]));
    assert!(t.signed_attribute_values(0).unwrap().content_type.is_none());
    // BER indefinite lengths, with CRLs.
    let t = parse_signed_timestamp(&read("tsp-corpus/bouncycastle/bsi-ers-2Chains3ATS-0.0.tsr"))
        .unwrap();
    assert!(t.used_indefinite_length());
    assert!(t.crl_count() > 0);
    assert_eq!(t.tst_info().gen_time.subsec_nanos(), 500_000_000);
}

#[test]
fn rejection_response_is_typed() {
    let bytes = read("tsp-corpus/bouncycastle/ParseTest_unacceptablePolicy.tsr");
    let resp = TimeStampResponse::from_der(&bytes).unwrap();
    assert_eq!(resp.status().status(), PkiStatus::Rejection);
    assert_eq!(
        resp.status().fail_info(),
        Some(PkiFailureInfo::UNACCEPTED_POLICY)
    );
    assert!(!resp.status().status_strings().is_empty());
    assert!(resp.token().is_none());
    match parse_signed_timestamp(&bytes) {
        Err(Error::NotGranted {
            status: PkiStatus::Rejection,
            fail_info,
            text: Some(_),
        }) => {
            assert_eq!(fail_info, PkiFailureInfo::UNACCEPTED_POLICY)
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn malformed_inputs_fail_with_typed_errors() {
    let err = |f: &str| parse_signed_timestamp(&read(f)).unwrap_err();
    assert!(matches!(
        err("tsp-corpus/bouncycastle/ParseTest_generalizedTime.tsr"),
        Error::Ber {
            source: BerError::Malformed {
                what: "INTEGER not minimally encoded",
                ..
            },
            ..
        }
    ));
    assert!(matches!(
        err("tsp-corpus/bouncycastle/FileDaFirmare.txt.tsd.der"),
        Error::NotSignedData { .. }
    ));
    assert!(matches!(
        err("tsa-fixtures/tspclient-go/testdata/TimeStampTokenWithInvalidTSTInfo.p7s"),
        Error::Asn1 {
            what: "TSTInfo",
            ..
        }
    ));
    assert!(matches!(
        err("tsa-fixtures/tspclient-go/internal-cms-testdata/TimeStampTokenWithInvalidCertificates.p7s"),
        Error::Certificate { index: 0, .. }
    ));
    assert!(matches!(
        err("tsa-fixtures/tspclient-go/internal-cms-testdata/TimeStampTokenWithInvalidSigningTime.p7s"),
        Error::Asn1 { what: "SignedData", .. }
    ));
    assert!(matches!(
        err("tsa-fixtures/tspclient-go/internal-cms-testdata/Sha1SignedData.p7s"),
        Error::Structure {
            problem: "encapContentInfo has no eContent",
            ..
        }
    ));
    for f in [
        "no_ct_attr.cms",
        "no_md_attr.cms",
        "ct_multiple_attr.cms",
        "bad_signtime_attr.cms",
        "pkcs7-md4.pem",
    ] {
        // id-data SignedData, not a time-stamp token.
        assert!(
            parse_signed_timestamp(&read(&format!("tsp-corpus/openssl-cms/{f}"))).is_err(),
            "{f}"
        );
    }
    // Trailing bytes after a valid response.
    let mut b = read("openssl-tsa/response.tsr");
    b.push(0);
    assert!(matches!(
        TimeStampResponse::from_der(&b),
        Err(Error::Ber {
            source: BerError::TrailingBytes { count: 1, .. },
            ..
        })
    ));
    // Oversized input.
    let big = vec![0x30; modelsign_tsp::response::MAX_RESPONSE_LEN + 1];
    assert!(matches!(
        TimeStampResponse::from_der(&big),
        Err(Error::TooLarge { .. })
    ));
}

#[test]
fn bare_tst_infos() {
    let t1 = TstInfo::from_der(&read(
        "tsp-corpus/bouncycastle/TSTInfoUnitTest_tstInfo1.der",
    ))
    .unwrap();
    assert_eq!(t1.serial, vec![24]);
    assert_eq!(t1.policy.to_string(), "1.2.3");
    let t2 = TstInfo::from_der(&read(
        "tsp-corpus/bouncycastle/TSTInfoUnitTest_tstInfo2.der",
    ))
    .unwrap();
    assert_eq!(
        t2.accuracy().unwrap(),
        Some(Accuracy {
            seconds: 3,
            millis: 1,
            micros: 2
        })
    );
    assert_eq!(t2.nonce, Some(vec![100]));
    assert!(!t2.ordering);
    let t3 = TstInfo::from_der(&read(
        "tsp-corpus/bouncycastle/TSTInfoUnitTest_tstInfo3.der",
    ))
    .unwrap();
    assert!(t3.ordering);
    assert_eq!(t3.serial, vec![23]);
    assert!(matches!(
        TstInfo::from_der(&read(
            "tsp-corpus/bouncycastle/TSTInfoUnitTest_tstInfoDudDate.der"
        )),
        Err(Error::Asn1 {
            what: "TSTInfo",
            ..
        })
    ));
}

#[test]
fn requests() {
    for f in [
        "openssl-tsa/request.tsq",
        "openssl-tsa/request-sha384-nonce-less-nocert.tsq",
        "openssl-tsa/request-sha512-policy.tsq",
        "tsp-corpus/rfc3161-client-fixtures/sigstage/request.der",
        "tsp-corpus/rfc3161-client-fixtures/test_tsa/request.der",
    ] {
        let der = read(f);
        let r = TimeStampRequest::from_der(&der).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(r.to_der(), der, "{f} re-encodes byte-identically");
    }
    let r = TimeStampRequest::from_der(&read(
        "tsp-corpus/rfc3161-client-fixtures/sigstage/request.der",
    ))
    .unwrap();
    assert_eq!(r.hash_algorithm(), HashAlgorithm::Sha512);
    assert!(r.cert_req() && !r.nonce().is_empty());
    let r = TimeStampRequest::from_der(&read("openssl-tsa/request-sha512-policy.tsq")).unwrap();
    assert_eq!(r.policy().unwrap().to_string(), "1.2.3.4.1");
    // Old algorithms: syntactically fine, refused by the typed layer.
    for f in [
        "ParseTest_sha1Request.tsq",
        "ParseTest_md5Request.tsq",
        "ParseTest_ripemd160Request.tsq",
        "ParseTest_sha1noNonse.tsq",
    ] {
        let der = read(&format!("tsp-corpus/bouncycastle/{f}"));
        use der::Decode;
        modelsign_tsp::asn1::TimeStampReq::from_der(&der).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(
            matches!(
                TimeStampRequest::from_der(&der),
                Err(Error::UnsupportedHashAlgorithm { .. })
            ),
            "{f}"
        );
    }
    assert!(
        TimeStampRequest::from_der(&read("tsa-fixtures/tspclient-go/testdata/malformed.tsq"))
            .is_err()
    );
    // Despite its name, tspclient-go's granted.tsq is a granted *response*.
    let g = TimeStampResponse::from_der(&read("tsa-fixtures/tspclient-go/testdata/granted.tsq"))
        .unwrap();
    assert_eq!(g.status().status(), PkiStatus::Granted);
    assert!(g.token().is_some());
    let _ = testdata();
}

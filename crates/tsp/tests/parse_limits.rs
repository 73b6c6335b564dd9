//! Element-count caps of the token parser (`modelsign_tsp::token::MAX_*`) and of the BER
//! layer (`modelsign_tsp::ber::MAX_NODES`, `MAX_SET_ELEMENTS`): one test per cap, each showing
//! that a token exactly at the cap still parses and one element more fails with the exact
//! error, plus the worst cases measured by `examples/parse_cost.rs` (tokens filled to the
//! size limits with signed attributes), which must now be refused by a cap.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use modelsign_pki::{HashAlgorithm, SignatureScheme};
use modelsign_tsp::ber::{self, BerError, BerTree, Node};
use modelsign_tsp::token::{
    MAX_ATTRIBUTE_VALUES, MAX_CERTIFICATES, MAX_CRLS, MAX_DIGEST_ALGORITHMS, MAX_SIGNED_ATTRIBUTES,
    MAX_SIGNER_INFOS, MAX_UNSIGNED_ATTRIBUTES,
};
use modelsign_tsp::trust::{TsaAuthority, TsaTrust};
use modelsign_tsp::verify::{verify_timestamp, Datum, VerifyOptions};
use modelsign_tsp::{Error, TimeStampResponse, TimeStampToken};
use support::forge::{good_pki, response, token, Spec, TsaPki, DATUM};

fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    let len = body.len();
    if len < 0x80 {
        v.push(u8::try_from(len).unwrap());
    } else {
        let b = len.to_be_bytes();
        let skip = b.iter().take_while(|x| **x == 0).count();
        v.push(0x80 | u8::try_from(b.len() - skip).unwrap());
        v.extend_from_slice(&b[skip..]);
    }
    v.extend_from_slice(body);
    v
}

/// Re-encodes `node`, replacing the children of the node at `path` by `f` of their raw
/// encodings (single-octet tags, as everywhere in CMS).
fn rebuild(
    input: &[u8],
    node: &Node,
    path: &[usize],
    f: &mut dyn FnMut(Vec<Vec<u8>>) -> Vec<Vec<u8>>,
) -> Vec<u8> {
    let mut kids: Vec<Vec<u8>> = node
        .children()
        .iter()
        .map(|c| c.raw(input).to_vec())
        .collect();
    match path.split_first() {
        None => kids = f(kids),
        Some((&i, rest)) => kids[i] = rebuild(input, &node.children()[i], rest, f),
    }
    tlv(node.tag_byte(input), &kids.concat())
}

fn edit(der: &[u8], path: &[usize], f: &mut dyn FnMut(Vec<Vec<u8>>) -> Vec<Vec<u8>>) -> Vec<u8> {
    let tree = BerTree::parse(der).unwrap();
    rebuild(der, tree.root(), path, f)
}

/// ContentInfo → [0] → SignedData.
const SD: [usize; 2] = [1, 0];

fn base(pki: &TsaPki) -> Vec<u8> {
    token(&Spec::default(), &pki.leaf, &pki.chain_without_root())
}

/// Path to the first SignerInfo (signerInfos is the last field of SignedData).
fn signer_info_path(der: &[u8]) -> Vec<usize> {
    let tree = BerTree::parse(der).unwrap();
    let last = tree.root().children()[1].children()[0].children().len() - 1;
    vec![SD[0], SD[1], last, 0]
}

/// An attribute of unknown type 1.2.3.4 with `values` distinct OCTET STRING values.
fn attr(i: usize, values: usize) -> Vec<u8> {
    let id = u32::try_from(i).unwrap().to_be_bytes();
    let vals: Vec<u8> = (0..values)
        .flat_map(|v| {
            tlv(
                0x04,
                &[&id[..], &u32::try_from(v).unwrap().to_be_bytes()].concat(),
            )
        })
        .collect();
    tlv(
        0x30,
        &[tlv(0x06, &[0x2a, 0x03, 0x04]), tlv(0x31, &vals)].concat(),
    )
}

/// The base token with `extra` unknown attributes added to the signed attributes (which
/// keep their received order) and the signature remade over them, so the token is genuine.
fn with_signed_attrs(pki: &TsaPki, extra: usize) -> Vec<u8> {
    let der = base(pki);
    edit(&der, &signer_info_path(&der), &mut |mut kids| {
        let attrs = BerTree::parse(&kids[3]).unwrap();
        let mut body: Vec<u8> = attrs
            .root()
            .children()
            .iter()
            .flat_map(|c| c.raw(&kids[3]).to_vec())
            .collect();
        body.extend((0..extra).flat_map(|i| attr(i, 1)));
        let signature = pki
            .leaf
            .key
            .sign(
                SignatureScheme::Ecdsa(HashAlgorithm::Sha256),
                &tlv(0x31, &body),
            )
            .unwrap();
        kids[3] = tlv(0xA0, &body);
        kids[5] = tlv(0x04, &signature);
        kids
    })
}

fn signed_attr_count(der: &[u8]) -> usize {
    let tree = BerTree::parse(der).unwrap();
    let path = signer_info_path(der);
    let si = &tree.root().children()[path[0]].children()[path[1]].children()[path[2]].children()
        [path[3]];
    si.children()[3].children().len()
}

fn with_unsigned_attrs(pki: &TsaPki, count: usize, values: usize) -> Vec<u8> {
    let der = base(pki);
    edit(&der, &signer_info_path(&der), &mut |mut kids| {
        kids.push(tlv(
            0xA1,
            &(0..count).flat_map(|i| attr(i, values)).collect::<Vec<_>>(),
        ));
        kids
    })
}

fn trust(pki: &TsaPki) -> TsaTrust {
    TsaTrust::from_authorities(vec![TsaAuthority::new(
        "test authority",
        vec![pki.root.cert.clone()],
        pki.intermediate.iter().map(|i| i.cert.clone()).collect(),
    )])
    .unwrap()
}

fn verify(der: &[u8], pki: &TsaPki) -> Result<(), Error> {
    verify_timestamp(
        der,
        Datum::Data(DATUM),
        &trust(pki),
        &VerifyOptions::default(),
    )
    .map(|_| ())
}

#[track_caller]
fn assert_too_many(result: Result<TimeStampToken, Error>, list: &str, n: usize, limit: usize) {
    match result {
        Err(Error::TooManyElements {
            what, count, max, ..
        }) if what == list && count == n && max == limit => {}
        other => panic!("expected TooManyElements {{ {list}, {n}, {limit} }}, got {other:?}"),
    }
}

#[test]
fn signed_attributes_are_capped_and_a_token_at_the_cap_verifies() {
    let pki = good_pki();
    let existing = signed_attr_count(&base(&pki));
    let at_cap = with_signed_attrs(&pki, MAX_SIGNED_ATTRIBUTES - existing);
    assert_eq!(signed_attr_count(&at_cap), MAX_SIGNED_ATTRIBUTES);
    verify(&response(Some(&at_cap), 0), &pki).unwrap();

    let over = with_signed_attrs(&pki, MAX_SIGNED_ATTRIBUTES - existing + 1);
    assert_too_many(
        TimeStampToken::from_der(&over),
        "SignerInfo.signedAttrs",
        MAX_SIGNED_ATTRIBUTES + 1,
        MAX_SIGNED_ATTRIBUTES,
    );
}

#[test]
fn unsigned_attributes_are_capped() {
    let pki = good_pki();
    let at_cap = with_unsigned_attrs(&pki, MAX_UNSIGNED_ATTRIBUTES, 1);
    // Unsigned attributes are outside the signature: the token at the cap still verifies.
    verify(&at_cap, &pki).unwrap();
    assert_too_many(
        TimeStampToken::from_der(&with_unsigned_attrs(&pki, MAX_UNSIGNED_ATTRIBUTES + 1, 1)),
        "SignerInfo.unsignedAttrs",
        MAX_UNSIGNED_ATTRIBUTES + 1,
        MAX_UNSIGNED_ATTRIBUTES,
    );
}

#[test]
fn attribute_values_are_capped() {
    let pki = good_pki();
    TimeStampToken::from_der(&with_unsigned_attrs(&pki, 1, MAX_ATTRIBUTE_VALUES)).unwrap();
    assert_too_many(
        TimeStampToken::from_der(&with_unsigned_attrs(&pki, 1, MAX_ATTRIBUTE_VALUES + 1)),
        "Attribute.attrValues",
        MAX_ATTRIBUTE_VALUES + 1,
        MAX_ATTRIBUTE_VALUES,
    );
}

#[test]
fn signer_infos_are_capped_before_decoding() {
    let pki = good_pki();
    let spec = |n| Spec {
        signer_infos: n,
        ..Spec::default()
    };
    let at_cap = token(
        &spec(MAX_SIGNER_INFOS),
        &pki.leaf,
        &pki.chain_without_root(),
    );
    assert_eq!(
        TimeStampToken::from_der(&at_cap)
            .unwrap()
            .signer_infos()
            .len(),
        MAX_SIGNER_INFOS
    );
    let over = token(
        &spec(MAX_SIGNER_INFOS + 1),
        &pki.leaf,
        &pki.chain_without_root(),
    );
    assert_too_many(
        TimeStampToken::from_der(&over),
        "SignedData.signerInfos",
        MAX_SIGNER_INFOS + 1,
        MAX_SIGNER_INFOS,
    );
}

fn with_digest_algorithms(pki: &TsaPki, n: usize) -> Vec<u8> {
    edit(&base(pki), &SD, &mut |mut kids| {
        let algs: Vec<u8> = (0..n)
            .flat_map(|i| {
                tlv(
                    0x30,
                    &tlv(0x06, &[0x2a, 0x03, 0x04, u8::try_from(i).unwrap()]),
                )
            })
            .collect();
        kids[1] = tlv(0x31, &algs);
        kids
    })
}

#[test]
fn digest_algorithms_are_capped() {
    let pki = good_pki();
    TimeStampToken::from_der(&with_digest_algorithms(&pki, MAX_DIGEST_ALGORITHMS)).unwrap();
    assert_too_many(
        TimeStampToken::from_der(&with_digest_algorithms(&pki, MAX_DIGEST_ALGORITHMS + 1)),
        "SignedData.digestAlgorithms",
        MAX_DIGEST_ALGORITHMS + 1,
        MAX_DIGEST_ALGORITHMS,
    );
}

fn with_crls(pki: &TsaPki, n: usize) -> Vec<u8> {
    edit(&base(pki), &SD, &mut |mut kids| {
        let signer_infos = kids.pop().unwrap();
        kids.push(tlv(0xA1, &[0x30, 0x00].repeat(n)));
        kids.push(signer_infos);
        kids
    })
}

#[test]
fn crls_are_capped() {
    let pki = good_pki();
    let at_cap = TimeStampToken::from_der(&with_crls(&pki, MAX_CRLS)).unwrap();
    assert_eq!(at_cap.crl_count(), MAX_CRLS);
    assert_too_many(
        TimeStampToken::from_der(&with_crls(&pki, MAX_CRLS + 1)),
        "SignedData.crls",
        MAX_CRLS + 1,
        MAX_CRLS,
    );
}

#[test]
fn certificate_cap_is_checked_before_decoding() {
    // Entries that are not even certificates: refused by count, none is decoded.
    let pki = good_pki();
    let der = edit(&base(&pki), &SD, &mut |mut kids| {
        kids[3] = tlv(0xA0, &[0x05, 0x00].repeat(MAX_CERTIFICATES + 1));
        kids
    });
    match TimeStampToken::from_der(&der) {
        Err(Error::TooManyCertificates { count, max })
            if count == MAX_CERTIFICATES + 1 && max == MAX_CERTIFICATES => {}
        other => panic!("expected TooManyCertificates, got {other:?}"),
    }
}

#[test]
fn any_set_is_capped_by_the_ber_layer() {
    // An attribute value set past the BER layer's SET cap (above every token-level cap)
    // is refused while the tree is built, before any decoding.
    let pki = good_pki();
    let der = with_unsigned_attrs(&pki, 1, ber::MAX_SET_ELEMENTS + 1);
    match TimeStampToken::from_der(&der) {
        Err(Error::Ber {
            source: BerError::TooManySetElements { max, .. },
            ..
        }) if max == ber::MAX_SET_ELEMENTS => {}
        other => panic!("expected TooManySetElements, got {other:?}"),
    }
}

/// The measured worst cases: tokens filled with validly signed attributes up to the bundle's
/// per-timestamp limit (64 KiB: thousands of attributes, ~30 ms per parse in a release build
/// before the caps) and up to the crate's input limit (1 MiB: ~1 s per parse).
#[test]
fn tokens_filled_with_signed_attributes_are_refused_by_a_cap() {
    let pki = good_pki();
    let one = attr(0, 1).len();
    let small = with_signed_attrs(&pki, (64 * 1024 - 1500) / one);
    assert!(small.len() <= 64 * 1024, "{}", small.len());
    let n = signed_attr_count(&small);
    assert!(n > 3000, "{n}");
    assert_too_many(
        TimeStampToken::from_der(&small),
        "SignerInfo.signedAttrs",
        n,
        MAX_SIGNED_ATTRIBUTES,
    );
    // The verifier refuses it the same way (as a response and as a bare token).
    for input in [response(Some(&small), 0), small.clone()] {
        match verify(&input, &pki) {
            Err(Error::TooManyElements { what, count, .. })
                if what == "SignerInfo.signedAttrs" && count == n => {}
            other => panic!("expected TooManyElements, got {other:?}"),
        }
    }

    let large = with_signed_attrs(&pki, (ber::MAX_INPUT_LEN - 1600) / one);
    assert!(large.len() <= ber::MAX_INPUT_LEN, "{}", large.len());
    let large_response = response(Some(&large), 0);
    match TimeStampResponse::from_der(&large_response) {
        Err(Error::Ber {
            source: BerError::TooManyNodes { max, .. },
            ..
        }) if max == ber::MAX_NODES => {}
        other => panic!("expected TooManyNodes, got {:?}", other.map(|_| ())),
    }
}

//! Measures the parse (and verification) cost of worst-case time-stamp tokens: each case
//! fills a token up to a size limit with one kind of element (signed attributes, unsigned
//! attributes, SignerInfos, certificates, CRLs, ...) and times the public entry points.
//!
//! Run in release: `cargo run --release -p modelsign-tsp --example parse_cost`.
//! Sizes: 64 KiB (the bundle's per-timestamp cap, `modelsign_bundle::MAX_TIMESTAMP_LEN`) and
//! 1 MiB (the crate's own input cap, `modelsign_tsp::ber::MAX_INPUT_LEN`).
// A measurement program, not a library: failing loudly on a broken setup is what we want.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../tests/support/forge.rs"]
mod forge;

use std::time::{Duration, Instant};

use forge::{good_pki, Spec, TsaPki, DATUM};
use modelsign_pki::{HashAlgorithm, SignatureScheme};
use modelsign_tsp::ber::{BerTree, Node};
use modelsign_tsp::trust::{TsaAuthority, TsaTrust};
use modelsign_tsp::verify::{verify_timestamp, Datum, VerifyOptions};
use modelsign_tsp::{TimeStampResponse, TimeStampToken};

fn len_bytes(len: usize) -> Vec<u8> {
    if len < 0x80 {
        return vec![u8::try_from(len).unwrap()];
    }
    let b = len.to_be_bytes();
    let skip = b.iter().take_while(|x| **x == 0).count();
    let mut out = vec![0x80 | u8::try_from(b.len() - skip).unwrap()];
    out.extend_from_slice(&b[skip..]);
    out
}

fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    v.extend(len_bytes(body.len()));
    v.extend_from_slice(body);
    v
}

/// Re-encodes `node`, replacing the children of the node at `path` (child indices from
/// `node`) by what `f` returns for their raw encodings. Single-octet tags only (CMS).
fn rebuild(
    input: &[u8],
    node: &Node,
    path: &[usize],
    f: &mut dyn FnMut(Vec<Vec<u8>>) -> Vec<Vec<u8>>,
) -> Vec<u8> {
    let kids: Vec<Vec<u8>> = node
        .children()
        .iter()
        .map(|c| c.raw(input).to_vec())
        .collect();
    let kids = match path.split_first() {
        None => f(kids),
        Some((&i, rest)) => {
            let mut kids = kids;
            kids[i] = rebuild(input, &node.children()[i], rest, f);
            kids
        }
    };
    tlv(node.tag_byte(input), &kids.concat())
}

fn edit(token: &[u8], path: &[usize], f: &mut dyn FnMut(Vec<Vec<u8>>) -> Vec<Vec<u8>>) -> Vec<u8> {
    let tree = BerTree::parse(token).unwrap();
    rebuild(token, tree.root(), path, f)
}

/// Deterministic shuffle (xorshift + Fisher-Yates): random order defeats run detection in
/// the sort of a decoded SET OF.
fn shuffle<T>(v: &mut [T]) {
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in (1..v.len()).rev() {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        let j = usize::try_from(s % u64::try_from(i + 1).unwrap()).unwrap();
        v.swap(i, j);
    }
}

/// `n` distinct small items of one shape, shuffled.
fn items(n: usize, make: impl Fn(usize) -> Vec<u8>) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = (0..n).map(make).collect();
    shuffle(&mut v);
    v
}

/// An attribute with an unknown OID (1.2.3.4) and one 3-byte OCTET STRING value.
fn dummy_attr(i: usize) -> Vec<u8> {
    let v = u32::try_from(i).unwrap().to_be_bytes();
    let value = tlv(0x04, &v[1..]);
    tlv(
        0x30,
        &[tlv(0x06, &[0x2a, 0x03, 0x04]), tlv(0x31, &value)].concat(),
    )
}

/// Paths in a bare token: ContentInfo → [0] → SignedData.
const SD: [usize; 2] = [1, 0];

fn signed_data_children(token: &[u8]) -> usize {
    let tree = BerTree::parse(token).unwrap();
    tree.root().children()[1].children()[0].children().len()
}

/// How many items of `item_len` bytes fit next to `base` bytes under `target`.
fn fit(target: usize, base: usize, item_len: usize) -> usize {
    // Headroom for the length octets that grow with the content.
    target.saturating_sub(base + 64) / item_len
}

struct Case {
    name: String,
    token: Vec<u8>,
}

fn signer_info_path(token: &[u8]) -> Vec<usize> {
    let last = signed_data_children(token) - 1;
    vec![SD[0], SD[1], last, 0]
}

fn cases(pki: &TsaPki, target: usize) -> Vec<Case> {
    let base = forge::token(&Spec::default(), &pki.leaf, &pki.chain_without_root());
    let mut out = vec![Case {
        name: "baseline (real-shaped token)".into(),
        token: base.clone(),
    }];
    let si_path = signer_info_path(&base);

    // 1. Many signed attributes, shuffled, validly signed over the received order.
    let n = fit(target, base.len(), dummy_attr(70_000).len());
    let token = edit(&base, &si_path, &mut |mut kids| {
        let tree_bytes = kids[3].clone();
        let tree = BerTree::parse(&tree_bytes).unwrap();
        let mut attrs: Vec<Vec<u8>> = tree
            .root()
            .children()
            .iter()
            .map(|c| c.raw(&tree_bytes).to_vec())
            .collect();
        attrs.extend(items(n, dummy_attr));
        let body = attrs.concat();
        let sig = pki
            .leaf
            .key
            .sign(
                SignatureScheme::Ecdsa(HashAlgorithm::Sha256),
                &tlv(0x31, &body),
            )
            .unwrap();
        kids[3] = tlv(0xA0, &body);
        kids[5] = tlv(0x04, &sig);
        kids
    });
    out.push(Case {
        name: format!("{n} signed attributes (signed)"),
        token,
    });

    // 2. Many unsigned attributes.
    let token = edit(&base, &si_path, &mut |mut kids| {
        kids.push(tlv(0xA1, &items(n, dummy_attr).concat()));
        kids
    });
    out.push(Case {
        name: format!("{n} unsigned attributes"),
        token,
    });

    // 3. One unsigned attribute with many values (SET OF ANY).
    let m = fit(target, base.len(), 5);
    let token = edit(&base, &si_path, &mut |mut kids| {
        let values = items(m, |i| {
            tlv(0x04, &u32::try_from(i).unwrap().to_be_bytes()[1..])
        });
        let attr = tlv(
            0x30,
            &[tlv(0x06, &[0x2a, 0x03, 0x04]), tlv(0x31, &values.concat())].concat(),
        );
        kids.push(tlv(0xA1, &attr));
        kids
    });
    out.push(Case {
        name: format!("1 unsigned attribute with {m} values"),
        token,
    });

    // 4. Many SignerInfos (copies of the real one with distinct signatures), shuffled.
    let sd_len = signed_data_children(&base);
    let tree = BerTree::parse(&base).unwrap();
    let si_raw = tree.root().children()[1].children()[0].children()[sd_len - 1].children()[0]
        .raw(&base)
        .to_vec();
    let k = fit(target, base.len(), si_raw.len());
    let token = edit(&base, &[SD[0], SD[1], sd_len - 1], &mut |_| {
        items(k, |i| {
            let mut s = si_raw.clone();
            let end = s.len();
            let b = u32::try_from(i).unwrap().to_be_bytes();
            s[end - 3..].copy_from_slice(&b[1..]);
            s
        })
    });
    out.push(Case {
        name: format!("{k} SignerInfos"),
        token,
    });

    // 5. Certificates: the cap (32) filled with copies of the leaf, then a bag of tiny
    //    non-X.509 choices past the cap.
    let leaf = pki.leaf.cert.der().to_vec();
    let token = edit(&base, &SD, &mut |mut kids| {
        kids[3] = tlv(0xA0, &vec![leaf.clone(); 32].concat());
        kids
    });
    out.push(Case {
        name: "32 certificates (the cap)".into(),
        token,
    });
    let c = fit(target, base.len(), 2);
    let token = edit(&base, &SD, &mut |mut kids| {
        kids[3] = tlv(0xA0, &vec![vec![0xA3u8, 0x00]; c].concat());
        kids
    });
    out.push(Case {
        name: format!("{c} other-certificate choices"),
        token,
    });

    //    Certificates whose issuer Name has two RDNs of 255 attribute-value pairs each: the
    //    most sorting work the BER layer's SET and node caps still let through.
    let cert_tree = BerTree::parse(&leaf).unwrap();
    let big_cert = rebuild(&leaf, cert_tree.root(), &[0], &mut |mut kids| {
        let rdn = |r: usize| {
            let atvs = items(255, |i| {
                let v = [u8::try_from(r).unwrap(), u8::try_from(i).unwrap()];
                tlv(
                    0x30,
                    &[tlv(0x06, &[0x55, 0x04, 0x03]), tlv(0x0c, &v)].concat(),
                )
            });
            tlv(0x31, &atvs.concat())
        };
        kids[3] = tlv(0x30, &[rdn(0), rdn(1)].concat());
        kids
    });
    let nc = fit(target, base.len(), big_cert.len()).min(32);
    let token = edit(&base, &SD, &mut |mut kids| {
        kids[3] = tlv(0xA0, &vec![big_cert.clone(); nc].concat());
        kids
    });
    out.push(Case {
        name: format!("{nc} certificates with 2x255-AVA RDNs"),
        token,
    });

    // 6. Many CRLs (empty SEQUENCEs: the bag is only counted).
    let token = edit(&base, &SD, &mut |mut kids| {
        let last = kids.pop().unwrap();
        kids.push(tlv(0xA1, &vec![vec![0x30u8, 0x00]; c].concat()));
        kids.push(last);
        kids
    });
    out.push(Case {
        name: format!("{c} CRLs"),
        token,
    });

    // 7. Many digestAlgorithms, shuffled.
    let d = fit(target, base.len(), 10).min(128 * 128 * 128);
    let token = edit(&base, &SD, &mut |mut kids| {
        let algs = items(d, |i| {
            let arc = |k: usize| u8::try_from(i / k % 128).unwrap();
            tlv(
                0x30,
                &tlv(0x06, &[0x2a, 0x03, 0x04, arc(16384), arc(128), arc(1)]),
            )
        });
        kids[1] = tlv(0x31, &algs.concat());
        kids
    });
    out.push(Case {
        name: format!("{d} digestAlgorithms"),
        token,
    });

    // 8. Deep nesting around a big value: an unsigned attribute whose value is 55 nested
    //    indefinite-length SEQUENCEs around an OCTET STRING filling the budget.
    let depth = 55;
    let fill = target.saturating_sub(base.len() + 4 * depth + 128);
    let token = edit(&base, &si_path, &mut |mut kids| {
        let mut v = tlv(0x04, &vec![0x5a; fill]);
        for _ in 0..depth {
            v = [&[0x30u8, 0x80][..], &v, &[0, 0]].concat();
        }
        let attr = tlv(
            0x30,
            &[tlv(0x06, &[0x2a, 0x03, 0x04]), tlv(0x31, &v)].concat(),
        );
        kids.push(tlv(0xA1, &attr));
        kids
    });
    out.push(Case {
        name: format!("{depth}-deep BER around {fill} bytes"),
        token,
    });

    // 9. eContent as a constructed OCTET STRING of 1-byte segments (valid: same TSTInfo).
    let tst = forge::tst_info_der(&Spec::default(), &pki.leaf.cert);
    let token = edit(&base, &[SD[0], SD[1], 2, 1], &mut |_| {
        let segs: Vec<u8> = tst.iter().flat_map(|b| [0x04, 0x01, *b]).collect();
        vec![[&[0x24u8, 0x80][..], &segs, &[0, 0]].concat()]
    });
    out.push(Case {
        name: format!("eContent in {} one-byte segments", tst.len()),
        token,
    });
    out
}

fn response(token: &[u8]) -> Vec<u8> {
    tlv(
        0x30,
        &[&[0x30u8, 0x03, 0x02, 0x01, 0x00][..], token].concat(),
    )
}

/// Median time of `f` over repetitions lasting about 300 ms (at least 3, at most 50).
fn time(mut f: impl FnMut()) -> Duration {
    let mut samples = Vec::new();
    let start = Instant::now();
    while samples.len() < 3 || (samples.len() < 50 && start.elapsed() < Duration::from_millis(300))
    {
        let t = Instant::now();
        f();
        samples.push(t.elapsed());
    }
    samples.sort();
    samples[samples.len() / 2]
}

fn outcome<T, E: std::fmt::Display>(r: &Result<T, E>) -> String {
    match r {
        Ok(_) => "ok".into(),
        Err(e) => {
            let s = e.to_string();
            s.chars().take(90).collect()
        }
    }
}

fn main() {
    let pki = good_pki();
    let trust = TsaTrust::from_authorities(vec![TsaAuthority::new(
        "bench",
        vec![pki.root.cert.clone()],
        pki.intermediate.iter().map(|i| i.cert.clone()).collect(),
    )])
    .unwrap();
    for target in [64 * 1024, 1 << 20] {
        println!("== tokens up to {target} bytes ==");
        println!(
            "{:<44} {:>8} {:>11} {:>11} {:>11}  outcome (token parse / verify)",
            "case", "bytes", "token µs", "resp µs", "verify µs"
        );
        for case in cases(&pki, target) {
            let resp = response(&case.token);
            let tok = TimeStampToken::from_der(&case.token);
            let ver =
                verify_timestamp(&resp, Datum::Data(DATUM), &trust, &VerifyOptions::default());
            let t_tok = time(|| {
                let _ = std::hint::black_box(TimeStampToken::from_der(&case.token));
            });
            let t_resp = time(|| {
                let _ = std::hint::black_box(TimeStampResponse::from_der(&resp));
            });
            let t_ver = time(|| {
                let _ = std::hint::black_box(verify_timestamp(
                    &resp,
                    Datum::Data(DATUM),
                    &trust,
                    &VerifyOptions::default(),
                ));
            });
            println!(
                "{:<44} {:>8} {:>11} {:>11} {:>11}  {} / {}",
                case.name,
                case.token.len(),
                t_tok.as_micros(),
                t_resp.as_micros(),
                t_ver.as_micros(),
                outcome(&tok),
                outcome(&ver),
            );
        }
    }
}

//! Never panic: every file under the RFC 3161 test folders, plus truncations and bit flips
//! of the binary ones, goes through every parser and `inspect`. Bounded: a fixed number of
//! mutations per file (deterministic), files above 64 KiB are only parsed whole.

// Test helpers outside #[test] fns: a panic here is a test failure, not a crash on input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

use common::testdata;
use modelsign_tsp::token::{TimeStampToken, TstInfo};
use modelsign_tsp::{ber, inspect, parse_signed_timestamp, TimeStampRequest, TimeStampResponse};

/// Mutations per file and kind: enough to walk through every nesting level of a token.
const MUTATIONS_PER_FILE: usize = 48;
const MAX_MUTATED_FILE: usize = 64 * 1024;

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn all_parsers(bytes: &[u8]) {
    let _ = parse_signed_timestamp(bytes);
    let _ = TimeStampResponse::from_der(bytes);
    let _ = TimeStampToken::from_der(bytes);
    let _ = TimeStampRequest::from_der(bytes);
    let _ = TstInfo::from_der(bytes);
    let _ = ber::normalise(bytes);
    if let Ok(t) = TimeStampToken::from_der(bytes) {
        let _ = t.signed_attribute_values(0);
        let _ = t.tst_info().accuracy();
    }
    let _ = inspect(bytes);
}

/// xorshift64: deterministic positions without a dependency.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn no_input_panics() {
    let mut list = Vec::new();
    for d in ["openssl-tsa", "tsa-fixtures", "tsp-corpus"] {
        files(&testdata().join(d), &mut list);
    }
    assert!(list.len() > 50, "test data missing: {} files", list.len());
    let mut mutated = 0usize;
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for path in &list {
        let bytes = std::fs::read(path).unwrap();
        all_parsers(&bytes);
        let binary = bytes.first() == Some(&0x30);
        if !binary || bytes.len() > MAX_MUTATED_FILE || bytes.len() < 2 {
            continue;
        }
        let len = bytes.len();
        for i in 0..MUTATIONS_PER_FILE {
            // Truncation at evenly spread lengths, including the very short ones.
            let cut = if i < 8 {
                i.min(len)
            } else {
                len * i / MUTATIONS_PER_FILE
            };
            all_parsers(&bytes[..cut]);
            // One random bit flipped.
            let mut flipped = bytes.clone();
            let pos = usize::try_from(next(&mut state) % u64::try_from(len).unwrap()).unwrap();
            flipped[pos] ^= 1 << (next(&mut state) % 8);
            all_parsers(&flipped);
            // A length octet near the start turned indefinite / huge.
            let mut weird = bytes.clone();
            weird[(1 + i % 3).min(len - 1)] = [0x80, 0xFF, 0x84][i % 3];
            all_parsers(&weird);
            mutated += 3;
        }
    }
    assert!(mutated > 1000, "only {mutated} mutations ran");
}

#[test]
fn deep_nesting_and_huge_lengths_are_refused() {
    // 10 000 nested indefinite SEQUENCEs: bounded by MAX_DEPTH, no stack overflow.
    let mut v = Vec::new();
    for _ in 0..10_000 {
        v.extend_from_slice(&[0x30, 0x80]);
    }
    all_parsers(&v);
    assert!(matches!(
        ber::normalise(&v),
        Err(ber::BerError::TooDeep { .. })
    ));
    // A length claiming 2^64-1 bytes.
    let huge = [0x30, 0x88, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];
    all_parsers(&huge);
    assert!(ber::normalise(&huge).is_err());
}

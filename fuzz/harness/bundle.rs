//! What the `bundle_json` fuzz target does with one input, shared verbatim by the libFuzzer
//! target and `crates/bundle/tests/fuzz_corpus_replay.rs` (plain `cargo test`).

// These asserts are the fuzz oracles: a panic is the report.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used, dead_code)]

use modelsign_bundle::{add_timestamps, parse, parse_with, to_json, Base64Policy, ParseOptions};

/// A syntactically plausible DER value to append: `add_timestamps` stores bytes, it does
/// not parse them, so any non-empty value exercises the rewrite path.
const EXTRA_TIMESTAMP: &[u8] = &[0x30, 0x03, 0x02, 0x01, 0x00];

/// `bundle_json`: the reader under both base64 policies, the writer and the timestamp
/// rewriter. Properties: whatever the reader accepts, the writer's output reads back as the
/// same bundle (under the strict policy: we only ever write canonical base64); and a
/// successful `add_timestamps` yields a bundle whose timestamps are the old ones plus the
/// new one, everything else unchanged.
pub(crate) fn bundle_json(data: &[u8]) {
    let lenient = ParseOptions::with_base64(Base64Policy::AllowLineBreaks);
    for parsed in [parse(data), parse_with(data, &lenient)] {
        let Ok(bundle) = parsed else { continue };
        let _ = bundle.require_oms_media_type();
        let _ = bundle.dsse_envelope();
        let written = to_json(&bundle);
        match parse(&written) {
            Ok(again) => assert_eq!(again, bundle, "to_json output reads back differently"),
            Err(e) => panic!("to_json output does not parse: {e}"),
        }
    }
    if let (Ok(before), Ok(out)) = (
        parse(data),
        add_timestamps(data, &[EXTRA_TIMESTAMP.to_vec()]),
    ) {
        let after = parse(&out).expect("add_timestamps output must parse");
        let mut expected = before;
        expected
            .verification_material
            .rfc3161_timestamps
            .push(EXTRA_TIMESTAMP.to_vec());
        assert_eq!(
            after, expected,
            "add_timestamps changed more than the timestamp list"
        );
    }
}

//! What the `dsse_statement` fuzz target does with one input, shared verbatim by the
//! libFuzzer target and `crates/dsse/tests/fuzz_corpus_replay.rs` (plain `cargo test`).

// These asserts are the fuzz oracles: a panic is the report.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used, dead_code)]

use modelsign_dsse::{parse_statement, statement_json, Envelope, PAYLOAD_TYPE};

/// `dsse_statement`: statement parsing from the exact payload bytes, directly and through
/// an envelope, plus PAE. Properties: the envelope path agrees with the direct parse, and a
/// v1.0 statement the parser accepts is one `statement_json` can write again, reading back
/// as the same manifest (`statement_json` refuses only what the parser would refuse).
pub(crate) fn dsse_statement(data: &[u8]) {
    let direct = parse_statement(data);
    let envelope = Envelope {
        payload: data.to_vec(),
        payload_type: PAYLOAD_TYPE.to_owned(),
        signatures: Vec::new(),
    };
    let _ = envelope.pae();
    let _ = envelope.legacy_pae_v0_2();
    let via_envelope = envelope.statement();
    assert_eq!(
        direct.is_ok(),
        via_envelope.is_ok(),
        "envelope and direct parse disagree"
    );
    let Ok(parsed) = direct else { return };
    assert_eq!(
        via_envelope.ok().as_ref(),
        Some(&parsed),
        "envelope parse differs"
    );
    let Some(view) = parsed.manifest_view() else {
        return;
    };
    let json = match statement_json(&view) {
        Ok(j) => j,
        Err(e) => panic!("parser accepted a manifest statement_json refuses: {e}"),
    };
    let again = match parse_statement(&json) {
        Ok(s) => s,
        Err(e) => panic!("statement_json output does not parse: {e}"),
    };
    assert_eq!(
        again.manifest_view(),
        Some(view),
        "statement_json round trip changed the manifest"
    );
}

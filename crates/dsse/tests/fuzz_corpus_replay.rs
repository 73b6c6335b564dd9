//! Replays the committed cargo-fuzz corpus of `dsse_statement` (`fuzz/corpus/dsse_statement/`)
//! through the harness function the libFuzzer target calls, on stable Rust: no panic, the
//! envelope/direct parses agree, the `statement_json` round trip holds, bounded time.

#[path = "../../../fuzz/harness/dsse.rs"]
mod harness;
#[path = "../../../fuzz/harness/replay.rs"]
mod replay;

#[test]
fn dsse_statement_corpus() {
    let dir = replay::fuzz_dir(env!("CARGO_MANIFEST_DIR"));
    replay::replay(&dir, "dsse_statement", harness::dsse_statement);
}

//! Replays the committed cargo-fuzz corpus of `bundle_json` (`fuzz/corpus/bundle_json/`)
//! through the harness function the libFuzzer target calls, on stable Rust: no panic, the
//! writer round trip and the `add_timestamps` property hold, bounded time per input.

#[path = "../../../fuzz/harness/bundle.rs"]
mod harness;
#[path = "../../../fuzz/harness/replay.rs"]
mod replay;

#[test]
fn bundle_json_corpus() {
    let dir = replay::fuzz_dir(env!("CARGO_MANIFEST_DIR"));
    replay::replay(&dir, "bundle_json", harness::bundle_json);
}

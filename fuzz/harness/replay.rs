//! Replays committed fuzz inputs under plain `cargo test` (stable Rust, no libFuzzer):
//! every file of `fuzz/corpus/<target>/` (required, non-empty: the minimized corpus is
//! committed) and of `fuzz/regressions/<target>/` (optional: minimized crash inputs kept
//! after a fix) goes through the target's harness function. A panic or an input slower
//! than [`MAX_TIME_PER_INPUT`] fails the test, naming the file.

// Test helper: a panic here is a test failure, not a crash on input.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used, dead_code)]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Per-input budget in an unoptimised test build on a shared CI machine. Every corpus
/// input takes milliseconds; this only catches super-linear behaviour (a hang or a
/// quadratic blow-up on a crafted input), not ordinary slowness.
pub(crate) const MAX_TIME_PER_INPUT: Duration = Duration::from_secs(5);

/// `fuzz/` of this repository, from the manifest dir of a crate under `crates/`.
pub(crate) fn fuzz_dir(crate_manifest_dir: &str) -> PathBuf {
    Path::new(crate_manifest_dir).join("../../fuzz")
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        .unwrap_or_else(|| "non-string panic payload".to_owned())
}

/// Runs `run` over the corpus and regressions of `target`; returns how many inputs ran.
pub(crate) fn replay(fuzz_dir: &Path, target: &str, run: impl Fn(&[u8])) -> usize {
    let corpus_dir = fuzz_dir.join("corpus").join(target);
    let corpus = files_in(&corpus_dir);
    assert!(
        !corpus.is_empty(),
        "{}: the committed fuzz corpus of `{target}` is missing or empty (see fuzz/README.md)",
        corpus_dir.display()
    );
    let regressions = files_in(&fuzz_dir.join("regressions").join(target));
    let mut failures = Vec::new();
    for path in corpus.iter().chain(regressions.iter()) {
        let data = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let start = Instant::now();
        let outcome = catch_unwind(AssertUnwindSafe(|| run(&data)));
        let took = start.elapsed();
        match outcome {
            Err(payload) => failures.push(format!(
                "{}: panicked: {}",
                path.display(),
                panic_text(&*payload)
            )),
            Ok(()) if took > MAX_TIME_PER_INPUT => failures.push(format!(
                "{}: took {took:?} (limit {MAX_TIME_PER_INPUT:?})",
                path.display()
            )),
            Ok(()) => {}
        }
    }
    assert!(
        failures.is_empty(),
        "{target}: {} input(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    corpus.len() + regressions.len()
}

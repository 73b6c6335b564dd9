//! Progress bar on stderr while a model is hashed.
//!
//! Shown only when stderr is a terminal and `--quiet` is not given (so logs, pipes and CI
//! output stay clean), and only for models large enough that hashing takes a noticeable
//! time.

use std::io::IsTerminal;
use std::sync::Arc;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use modelsign_digest::Progress;

/// Below this many bytes hashing takes well under a second on any machine; a bar that
/// flashes for a few milliseconds is noise.
const MIN_BYTES_FOR_BAR: u64 = 64 * 1024 * 1024;

/// Drives an indicatif bar from the digest crate's [`Progress`] callbacks.
#[derive(Debug)]
pub(crate) struct HashProgress {
    bar: ProgressBar,
}

impl HashProgress {
    /// A progress reporter if one should be shown, else `None`.
    pub(crate) fn for_stderr(quiet: bool) -> Option<Arc<dyn Progress>> {
        if quiet || !std::io::stderr().is_terminal() {
            return None;
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "hashing {bar:40} {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} eta {eta}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Some(Arc::new(HashProgress { bar }))
    }
}

impl Progress for HashProgress {
    fn start(&self, total_bytes: u64) {
        if total_bytes < MIN_BYTES_FOR_BAR {
            self.bar.set_draw_target(ProgressDrawTarget::hidden());
        }
        self.bar.set_length(total_bytes);
    }

    fn advance(&self, bytes: u64) {
        self.bar.inc(bytes);
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

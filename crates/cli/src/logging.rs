//! Diagnostics via `tracing` on stderr.
//!
//! - `MODELSIGN_LOG` filters (`tracing_subscriber::EnvFilter` syntax). The default is
//!   warnings only, except for `tsa serve`, which logs one line per issued or refused token
//!   at info level: an operator expects a server to say what it did.
//! - `MODELSIGN_LOG_FORMAT=json` writes one JSON object per line (for log shippers);
//!   anything else, or unset, writes text (coloured only on a terminal).
//!
//! The server's text lines come from [`server_line`], a formatter about ten times cheaper
//! than the default one (it runs once per token).
//!
//! For the server, lines are written by a background thread through a buffer
//! (`tracing_appender`), not by the thread that logs: a TSA logging every token
//! synchronously to stderr lost about 40 % of its throughput to `write` calls
//! (`scripts/bench-tsa.sh`). The queue is not lossy: when the writer falls behind, loggers
//! wait rather than drop lines. The returned guard flushes what is queued when dropped, so
//! it must live until `main` returns. One-shot commands log a few lines at most and write
//! them synchronously, so they stay in order with the command's own stderr output.

mod server_line;

use std::io::{BufWriter, IsTerminal};

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};
use tracing_subscriber::fmt::writer::BoxMakeWriter;

/// Environment variable holding the filter.
pub(crate) const LOG_ENV: &str = "MODELSIGN_LOG";
/// Environment variable choosing the line format (`json` or text).
pub(crate) const LOG_FORMAT_ENV: &str = "MODELSIGN_LOG_FORMAT";

/// Lines queued for the writer thread before loggers wait.
const QUEUED_LINES: usize = 64 * 1024;

/// What a command logs when `MODELSIGN_LOG` is unset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DefaultLevel {
    /// Warnings and errors.
    Warnings,
    /// Also one line per issued token (the TSA server).
    ServerActivity,
}

impl DefaultLevel {
    fn filter(self) -> &'static str {
        match self {
            DefaultLevel::Warnings => "warn",
            DefaultLevel::ServerActivity => "warn,modelsign_tsa_server=info",
        }
    }
}

/// Installs the global subscriber. The guard (server only) flushes queued lines on drop.
pub(crate) fn init(default: DefaultLevel) -> Option<WorkerGuard> {
    let filter = tracing_subscriber::EnvFilter::try_from_env(LOG_ENV)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default.filter()));
    let json = std::env::var(LOG_FORMAT_ENV).is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let ansi = !json && std::io::stderr().is_terminal();
    let (writer, guard) = match default {
        DefaultLevel::ServerActivity => {
            let (writer, guard) = NonBlockingBuilder::default()
                .lossy(false)
                .buffered_lines_limit(QUEUED_LINES)
                .thread_name("modelsign-log")
                .finish(BufWriter::new(std::io::stderr()));
            (BoxMakeWriter::new(writer), Some(guard))
        }
        DefaultLevel::Warnings => (BoxMakeWriter::new(std::io::stderr), None),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(ansi);
    let installed = if json {
        builder.json().try_init()
    } else if default == DefaultLevel::ServerActivity {
        builder.event_format(server_line::ServerLine).try_init()
    } else {
        builder.try_init()
    };
    installed.ok().and(guard)
}

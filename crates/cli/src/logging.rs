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
//! For the server, lines are appended to a shared buffer that a background thread writes
//! out every 50 ms ([`batched`]), not written by the thread that logs: a TSA
//! logging every token synchronously to stderr lost about 40 % of its throughput to `write`
//! calls, and a channel with a line per message still cost about 3 µs per token
//! (`scripts/bench-tsa.sh`). Nothing is dropped: when the writer falls behind, loggers
//! wait. The returned guard flushes what is pending when dropped, so it must live until
//! `main` returns. One-shot commands log a few lines at most and write
//! them synchronously, so they stay in order with the command's own stderr output.

mod batched;
mod server_line;

use std::io::IsTerminal;

use tracing_subscriber::fmt::writer::BoxMakeWriter;

use batched::FlushGuard;

/// Environment variable holding the filter.
pub(crate) const LOG_ENV: &str = "MODELSIGN_LOG";
/// Environment variable choosing the line format (`json` or text).
pub(crate) const LOG_FORMAT_ENV: &str = "MODELSIGN_LOG_FORMAT";

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
pub(crate) fn init(default: DefaultLevel) -> Option<FlushGuard> {
    let filter = tracing_subscriber::EnvFilter::try_from_env(LOG_ENV)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default.filter()));
    let json = std::env::var(LOG_FORMAT_ENV).is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let ansi = !json && std::io::stderr().is_terminal();
    let background = match default {
        // Without a thread (none can be started), lines are written synchronously.
        DefaultLevel::ServerActivity => batched::batched(std::io::stderr(), "modelsign-log").ok(),
        DefaultLevel::Warnings => None,
    };
    let (writer, guard) = match background {
        Some((writer, guard)) => (BoxMakeWriter::new(writer), Some(guard)),
        None => (BoxMakeWriter::new(std::io::stderr), None),
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

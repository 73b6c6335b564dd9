//! The text line format of `tsa serve`, one line per event:
//!
//! ```text
//! 2026-11-22T09:01:36.123456Z INFO modelsign_tsa_server::http: timestamp issued serial=9f3c.. gen_time=2026-11-22T09:01:36.123Z imprint=sha256:ab.. policy=1.3.6.1.4.1.57264.2 latency_us=84
//! ```
//!
//! Why not `tracing_subscriber`'s default formatter: a TSA logs one line per token, tens of
//! thousands per second, and the default formatter cost about 10 µs of CPU per line
//! (a sixth of the server's CPU per token, `scripts/bench-tsa.sh`), most of it in its
//! per-field `fmt` plumbing and time formatting. This one writes the same information with
//! a cached date prefix and direct field writes.
//!
//! Every value goes through [`Escaping`], which writes control characters as `\n`, `\u{..}`
//! and so on: request-derived text (a refused policy OID, a parse error) can never start a
//! forged log line.

use std::cell::RefCell;
use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields};
use tracing_subscriber::registry::LookupSpan;

/// Formats events as described in the module documentation.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct ServerLine;

impl<S, N> FormatEvent<S, N> for ServerLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        write_timestamp(&mut writer, modelsign_pki::Time::now())?;
        let meta = event.metadata();
        writer.write_char(' ')?;
        writer.write_str(meta.level().as_str())?;
        writer.write_char(' ')?;
        writer.write_str(meta.target())?;
        writer.write_char(':')?;
        let mut fields = Fields {
            writer: &mut writer,
            result: Ok(()),
        };
        event.record(&mut fields);
        fields.result?;
        writer.write_char('\n')
    }
}

thread_local! {
    /// `(unix second, "YYYY-MM-DDTHH:MM:SS.")` of the last line this thread wrote: the
    /// date changes once a second, lines come thousands of times a second.
    static DATE_PREFIX: RefCell<(i64, String)> = const { RefCell::new((i64::MIN, String::new())) };
}

/// `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, microseconds).
fn write_timestamp(writer: &mut impl fmt::Write, now: modelsign_pki::Time) -> fmt::Result {
    let second = now.unix_seconds();
    DATE_PREFIX.with(|cell| {
        let mut cached = cell.borrow_mut();
        if cached.0 != second {
            let whole = modelsign_pki::Time::from_unix(second, 0).unwrap_or(now);
            let mut prefix = whole.to_string();
            // `Time` displays as `...SSZ` when there is no fraction.
            prefix.pop();
            prefix.push('.');
            *cached = (second, prefix);
        }
        writer.write_str(&cached.1)
    })?;
    write_padded(writer, now.subsec_nanos() / 1_000, 6)?;
    writer.write_char('Z')
}

/// `value` in decimal, left-padded with zeros to `width` digits (at most 10).
fn write_padded(writer: &mut impl fmt::Write, mut value: u32, width: usize) -> fmt::Result {
    let mut digits = [b'0'; 10];
    let mut at = digits.len();
    while value > 0 && at > 0 {
        at -= 1;
        digits[at] = b"0123456789"[(value % 10) as usize];
        value /= 10;
    }
    let start = at.min(digits.len().saturating_sub(width));
    // Only ASCII digits were written.
    let text = std::str::from_utf8(&digits[start..]).map_err(|_| fmt::Error)?;
    writer.write_str(text)
}

/// Writes ` name=value` per field (the `message` field as ` value`), escaped.
struct Fields<'w, 'a> {
    writer: &'w mut Writer<'a>,
    result: fmt::Result,
}

impl Fields<'_, '_> {
    fn name(&mut self, field: &Field) -> fmt::Result {
        self.writer.write_char(' ')?;
        if field.name() != "message" {
            self.writer.write_str(field.name())?;
            self.writer.write_char('=')?;
        }
        Ok(())
    }
}

impl Visit for Fields<'_, '_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if self.result.is_ok() {
            self.result = self
                .name(field)
                .and_then(|()| Escaping(&mut *self.writer).write_str(value));
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        if self.result.is_ok() {
            self.result = self
                .name(field)
                .and_then(|()| write!(self.writer, "{value}"));
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if self.result.is_ok() {
            self.result = self
                .name(field)
                .and_then(|()| write!(self.writer, "{value}"));
        }
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        if self.result.is_ok() {
            self.result = self
                .name(field)
                .and_then(|()| self.writer.write_str(if value { "true" } else { "false" }));
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if self.result.is_ok() {
            self.result = self
                .name(field)
                .and_then(|()| write!(Escaping(&mut *self.writer), "{value:?}"));
        }
    }
}

/// Passes text through, writing control characters (newlines, escape sequences) as Rust
/// escapes so that one event stays one line.
struct Escaping<'w, W: fmt::Write>(&'w mut W);

impl<W: fmt::Write> fmt::Write for Escaping<'_, W> {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let mut rest = text;
        while let Some(at) = rest.find(|c: char| c.is_control()) {
            let (clean, tail) = rest.split_at(at);
            self.0.write_str(clean)?;
            let mut chars = tail.chars();
            if let Some(c) = chars.next() {
                write!(self.0, "{}", c.escape_default())?;
            }
            rest = chars.as_str();
        }
        self.0.write_str(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use tracing_subscriber::fmt::MakeWriter;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Captured {
        type Writer = Captured;
        fn make_writer(&'a self) -> Self::Writer {
            self.clone()
        }
    }

    fn capture(log: impl FnOnce()) -> String {
        let captured = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .event_format(ServerLine)
            .with_writer(captured.clone())
            .finish();
        tracing::subscriber::with_default(subscriber, log);
        let bytes = captured.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn writes_every_field_on_one_line() {
        let digest = "ab".repeat(32);
        let text = capture(|| {
            tracing::info!(
                serial = "9f3c",
                imprint = %format_args!("sha256:{digest}"),
                latency_us = 84u64,
                delta = -3i64,
                cert_req = true,
                "timestamp issued"
            );
        });
        let line = text.strip_suffix('\n').unwrap();
        assert!(!line.contains('\n'), "{text:?}");
        let (time, rest) = line.split_once(' ').unwrap();
        assert_eq!(
            rest,
            format!(
                "INFO modelsign::logging::server_line::tests: timestamp issued serial=9f3c \
                 imprint=sha256:{digest} latency_us=84 delta=-3 cert_req=true"
            )
        );
        // 2026-11-22T09:01:36.123456Z
        assert_eq!(time.len(), 27, "{time}");
        assert!(time.ends_with('Z') && time.as_bytes()[19] == b'.', "{time}");
    }

    #[test]
    fn control_characters_cannot_forge_a_line() {
        let hostile = "1.2.3\n2026-01-01T00:00:00.000000Z INFO forged: timestamp issued\u{1b}[31m";
        let text = capture(|| {
            tracing::info!(reason = %hostile, "timestamp request rejected");
            tracing::warn!(policy = hostile, "refused");
        });
        assert_eq!(text.lines().count(), 2, "{text:?}");
        assert!(text.contains(r"1.2.3\n2026"), "{text:?}");
        assert!(!text.contains('\u{1b}'), "{text:?}");
    }

    #[test]
    fn timestamp_digits() {
        let mut out = String::new();
        let time = modelsign_pki::Time::from_unix(1_700_000_000, 5_000).unwrap();
        write_timestamp(&mut out, time).unwrap();
        assert_eq!(out, "2023-11-14T22:13:20.000005Z");
        // Same second again: from the cached prefix.
        out.clear();
        let later = modelsign_pki::Time::from_unix(1_700_000_000, 999_999_999).unwrap();
        write_timestamp(&mut out, later).unwrap();
        assert_eq!(out, "2023-11-14T22:13:20.999999Z");
        out.clear();
        let next = modelsign_pki::Time::from_unix(1_700_000_001, 0).unwrap();
        write_timestamp(&mut out, next).unwrap();
        assert_eq!(out, "2023-11-14T22:13:21.000000Z");
    }
}

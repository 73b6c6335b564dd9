//! What the user sees: the result on stdout (text or JSON), diagnostics on stderr.
//!
//! Text (model_signing's wording for the first line):
//!
//! ```text
//! Verification succeeded
//!   signer:  certificate 'CN=Test Model Signer,O=mt-samples' (serial …, issued by '…')
//!   chain:   validated to trust anchor 'CN=Test Root CA,…' at 2026-11-22T01:02:03Z (current time)
//!   model:   'model', 8 files (files, sha256)
//!   digest:  sha256:00fed363…
//! ```
//!
//! Failures: `Signing failed with error: …` / `Verification failed with error: …` on stderr.
//!
//! `--output json` prints one JSON object on stdout (also on failure). Field names are
//! stable; fields may be added, never renamed or removed:
//!
//! | field | type | when |
//! |---|---|---|
//! | `command` | `"sign"` \| `"verify"` \| `"hash"` | always |
//! | `mode` | `"key"` \| `"certificate"` \| null | sign, verify |
//! | `success` | bool | always |
//! | `error` | string | only when `success` is false |
//! | `model` | string (path as given) | always |
//! | `signature` | string (path as given) | sign, verify |
//! | `signer` | object, see below | on success of sign/verify |
//! | `signature_scheme` | string, e.g. `ecdsa-sha256` | sign |
//! | `manifest` | `{model_name, method, shard_size, hash, files, resources, root_digest}` | on success |
//! | `validation_time` | `{time, latest, source}` \| null | verify (null in key mode) |
//! | `validation_times` | array of `{time, latest, source}` | verify, certificate mode: every time the chain was validated at |
//! | `timestamps` | array of objects, see below | sign, verify, inspect |
//! | `notes` | array of strings | verify: e.g. "signing certificate … expired …, valid at the trusted signing time" |
//! | `checks` | array of strings | verify: each check that passed, in order |
//! | `warnings` | array of strings | always (may be empty) |
//!
//! A timestamp is `{index, verified, gen_time, accuracy_ms, latest, serial, tsa_subject,
//! tsa_name, authority, status}`: `verified` is true only after verification against the
//! verifier's TSA trust; then `tsa_subject` is the verified TSA certificate's subject and
//! `authority` the trusted authority. Unverified ones carry what the token claims and
//! `status` says why it was not verified.
//!
//! `signer` is `{"kind": "public_key", "key_type", "hint"}` or
//! `{"kind": "certificate", "chain": [{subject, issuer, serial, not_before, not_after,
//! sha256_fingerprint}, …]}` (leaf first; after verification the validated path ending at the
//! trust anchor). `root_digest` is `sha256:<hex>`; `method` is `files` or `shards`;
//! `shard_size` is an integer or null; times are RFC 3339 UTC.

use std::io::{self, Write};
use std::path::Path;

use modelsign::{ManifestSummary, SignerIdentity, ValidationTime};
use serde::Serialize;

use crate::args::OutputFormat;

/// The JSON report (see the module docs).
#[derive(Debug, Serialize)]
pub(crate) struct Report {
    pub(crate) command: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) mode: Option<&'static str>,
    pub(crate) success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<String>,
    pub(crate) model: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) signature: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) signer: Option<SignerJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) signature_scheme: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) manifest: Option<ManifestJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) validation_time: Option<Option<ValidationTimeJson>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) validation_times: Option<Vec<ValidationTimeJson>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) timestamps: Option<Vec<TimestampJson>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) notes: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) checks: Option<Vec<String>>,
    pub(crate) warnings: Vec<String>,
}

/// One timestamp in a report (see the module docs).
#[derive(Debug, Serialize)]
pub(crate) struct TimestampJson {
    pub(crate) index: usize,
    pub(crate) verified: bool,
    pub(crate) gen_time: Option<String>,
    pub(crate) accuracy_ms: Option<u128>,
    pub(crate) latest: Option<String>,
    pub(crate) serial: Option<String>,
    pub(crate) tsa_subject: Option<String>,
    pub(crate) tsa_name: Option<String>,
    pub(crate) authority: Option<String>,
    pub(crate) status: String,
}

impl TimestampJson {
    /// What a token claims (signing: checked against its request; inspect: nothing checked).
    pub(crate) fn claimed(index: usize, t: &modelsign::TimestampInfo) -> Self {
        TimestampJson {
            index,
            verified: false,
            gen_time: Some(t.gen_time.to_string()),
            accuracy_ms: t.accuracy.map(|a| a.as_millis()),
            latest: t
                .accuracy
                .and_then(|a| t.gen_time.checked_add(a))
                .map(|l| l.to_string()),
            serial: Some(t.serial_hex.clone()),
            tsa_subject: None,
            tsa_name: t.tsa_name.clone(),
            authority: None,
            status: "claimed".to_owned(),
        }
    }

    /// A timestamp of which nothing could be read: only its position and why.
    fn unreadable(index: usize, status: String) -> Self {
        TimestampJson {
            index,
            verified: false,
            gen_time: None,
            accuracy_ms: None,
            latest: None,
            serial: None,
            tsa_subject: None,
            tsa_name: None,
            authority: None,
            status,
        }
    }

    /// A timestamp of a verified bundle.
    pub(crate) fn of(t: &modelsign::BundleTimestamp) -> Self {
        match t {
            modelsign::BundleTimestamp::Verified { index, timestamp } => TimestampJson {
                index: *index,
                verified: true,
                gen_time: Some(timestamp.gen_time().to_string()),
                accuracy_ms: timestamp.accuracy().map(|a| a.as_duration().as_millis()),
                latest: Some(timestamp.latest_time().to_string()),
                serial: Some(timestamp.serial_hex()),
                tsa_subject: Some(timestamp.tsa_certificate().subject()),
                tsa_name: None,
                authority: Some(timestamp.authority_name().to_owned()),
                status: "verified".to_owned(),
            },
            modelsign::BundleTimestamp::Unverified {
                index,
                reason,
                info,
            } => {
                let mut j = match info {
                    Some(i) => TimestampJson::claimed(*index, i),
                    None => TimestampJson::unreadable(*index, String::new()),
                };
                j.status = reason.to_string();
                j
            }
            // BundleTimestamp is non-exhaustive: a future kind is reported by its text.
            other => TimestampJson::unreadable(other.index(), other.to_string()),
        }
    }
}

impl Report {
    pub(crate) fn new(command: &'static str, model: &Path) -> Self {
        Report {
            command,
            mode: None,
            success: true,
            error: None,
            model: model.display().to_string(),
            signature: None,
            signer: None,
            signature_scheme: None,
            manifest: None,
            validation_time: None,
            validation_times: None,
            timestamps: None,
            notes: None,
            checks: None,
            warnings: Vec::new(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum SignerJson {
    PublicKey { key_type: String, hint: String },
    Certificate { chain: Vec<CertificateJson> },
}

#[derive(Debug, Serialize)]
pub(crate) struct CertificateJson {
    subject: String,
    issuer: String,
    serial: String,
    not_before: String,
    not_after: String,
    sha256_fingerprint: String,
}

impl SignerJson {
    pub(crate) fn of(identity: &SignerIdentity) -> Self {
        match identity {
            SignerIdentity::PublicKey { hint, kind } => SignerJson::PublicKey {
                key_type: kind.to_string(),
                hint: hint.clone(),
            },
            SignerIdentity::Certificate { chain } => SignerJson::Certificate {
                chain: chain
                    .iter()
                    .map(|c| CertificateJson {
                        subject: c.subject(),
                        issuer: c.issuer(),
                        serial: c.serial_hex(),
                        not_before: c.not_before().to_string(),
                        not_after: c.not_after().to_string(),
                        sha256_fingerprint: hex::encode(c.fingerprint_sha256()),
                    })
                    .collect(),
            },
            // SignerIdentity is non-exhaustive; a future kind is reported by its text.
            other => SignerJson::PublicKey {
                key_type: other.to_string(),
                hint: String::new(),
            },
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct ManifestJson {
    model_name: String,
    method: &'static str,
    shard_size: Option<u64>,
    hash: &'static str,
    files: usize,
    resources: usize,
    root_digest: String,
}

impl ManifestJson {
    pub(crate) fn of(m: &ManifestSummary) -> Self {
        ManifestJson {
            model_name: m.model_name.clone(),
            method: m.method.name(),
            shard_size: match m.method {
                modelsign::Method::Shards { shard_size } => Some(shard_size),
                modelsign::Method::Files => None,
            },
            hash: m.hash.name(),
            files: m.files,
            resources: m.resources,
            root_digest: m.root_digest_string(),
        }
    }
}

#[derive(Debug, Serialize)]
pub(crate) struct ValidationTimeJson {
    time: String,
    latest: String,
    source: String,
}

impl ValidationTimeJson {
    pub(crate) fn of(t: &ValidationTime) -> Self {
        ValidationTimeJson {
            time: t.time().to_string(),
            latest: t.latest().to_string(),
            source: match t.source() {
                modelsign::TimeSource::CurrentTime => "current_time".to_owned(),
                modelsign::TimeSource::Timestamp { index, .. } => format!("timestamp:{index}"),
                other => other.to_string(),
            },
        }
    }
}

/// Writes results to stdout in the chosen format.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Printer {
    pub(crate) format: OutputFormat,
    pub(crate) quiet: bool,
}

impl Printer {
    /// Text: the headline, then (unless quiet) the detail lines. JSON: the report.
    pub(crate) fn success(
        &self,
        headline: &str,
        details: &[(&str, String)],
        report: &Report,
    ) -> io::Result<()> {
        let mut out = io::stdout().lock();
        match self.format {
            OutputFormat::Json => write_json(&mut out, report),
            OutputFormat::Text => {
                writeln!(out, "{headline}")?;
                if !self.quiet {
                    let width = details.iter().map(|(k, _)| k.len()).max().unwrap_or(0) + 1;
                    for (key, value) in details {
                        writeln!(
                            out,
                            "  {:<width$} {value}",
                            format!("{key}:"),
                            width = width
                        )?;
                    }
                }
                out.flush()
            }
        }
    }

    /// Warnings always go to stderr (also with `--output json`, where they are in the
    /// report as well).
    pub(crate) fn warnings(&self, warnings: &[String]) {
        for w in warnings {
            eprintln!("warning: {w}");
        }
    }

    /// A failure: `"<prefix> failed with error: <message>"` on stderr, and with
    /// `--output json` the report on stdout.
    pub(crate) fn failure(
        &self,
        prefix: &str,
        message: &str,
        report: Option<Report>,
    ) -> io::Result<()> {
        eprintln!("{prefix} failed with error: {message}");
        if let (OutputFormat::Json, Some(mut report)) = (self.format, report) {
            report.success = false;
            report.error = Some(message.to_owned());
            let mut out = io::stdout().lock();
            write_json(&mut out, &report)?;
        }
        Ok(())
    }

    /// How `sign`, `verify` and `hash` end on an error: a usage error goes back to `main`
    /// (exit 2, clap's message); anything else is reported with [`Printer::failure`] and
    /// gives `Ok(false)` (exit 1).
    pub(crate) fn command_failed(
        &self,
        prefix: &str,
        error: anyhow::Error,
        report: Report,
    ) -> anyhow::Result<bool> {
        if error.downcast_ref::<clap::Error>().is_some() {
            return Err(error);
        }
        self.failure(prefix, &render_error(&error), Some(report))?;
        Ok(false)
    }
}

fn write_json(out: &mut impl Write, report: &Report) -> io::Result<()> {
    // Serialise first, then write: a write error (e.g. a closed pipe) stays an `io::Error`
    // of its own kind instead of being wrapped in a serde error.
    let text = serde_json::to_string_pretty(report).map_err(io::Error::other)?;
    writeln!(out, "{text}")?;
    out.flush()
}

/// The model in one line, as `sign`, `verify` and `inspect` print it:
/// `'<name>', <n> files (<method>, <hash>)`.
pub(crate) fn model_line(m: &ManifestSummary) -> String {
    format!(
        "'{}', {} files ({}, {})",
        m.model_name,
        m.files,
        m.method_description(),
        m.hash.name()
    )
}

/// An error message with its causes, without repeating a cause that the message already
/// quotes (library errors include their source's text in their own message).
pub(crate) fn render_error(e: &anyhow::Error) -> String {
    let mut message = e.to_string();
    for cause in e.chain().skip(1) {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_error_does_not_repeat_quoted_causes() {
        let inner = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let e = anyhow::Error::new(inner).context("cannot open the key 'k.pem'");
        assert_eq!(
            render_error(&e),
            "cannot open the key 'k.pem': no such file"
        );
        let e2 = anyhow::anyhow!("outer: no such file").context("context");
        assert_eq!(render_error(&e2), "context: outer: no such file");
    }

    #[test]
    fn revocation_unknown_renders_once_in_text_and_json() {
        // What `verify` gets back from the library: the error alone (no source), through
        // `?` into anyhow.
        let e = modelsign::Error::RevocationUnknown {
            subject: "CN=Signer".into(),
            crl_issuer: "CN=Issuing CA".into(),
            needed: modelsign::Time::parse_rfc3339("2026-11-22T04:00:01Z").unwrap(),
            time_source: Box::new(modelsign::TimeSource::CurrentTime),
            reason: modelsign::RevocationUnknownReason::NoCrlOfIssuer { crls_given: 1 },
        };
        let library_text = e.to_string();
        let rendered = render_error(&anyhow::Error::new(e));
        assert_eq!(rendered, library_text);
        assert!(
            rendered.contains("give a CRL of 'CN=Issuing CA' current at 2026-11-22T04:00:01Z"),
            "{rendered}"
        );
        let mut r = Report::new("verify", Path::new("m"));
        r.success = false;
        r.error = Some(rendered.clone());
        let v: serde_json::Value = serde_json::to_value(&r).unwrap();
        assert_eq!(v["error"], rendered.as_str());
    }

    #[test]
    fn failure_report_has_error_and_success_false() {
        let mut r = Report::new("verify", Path::new("m"));
        r.success = false;
        r.error = Some("boom".into());
        let v: serde_json::Value = serde_json::to_value(&r).unwrap();
        assert_eq!(v["success"], false);
        assert_eq!(v["error"], "boom");
        assert_eq!(v["command"], "verify");
        assert!(v.get("manifest").is_none());
    }
}

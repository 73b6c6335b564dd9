//! `modelsign verify certificate --crl` end to end on a timestamped signature: a CRL of the
//! issuing CA is evidence of "not revoked" only if it was issued (thisUpdate) at or after
//! the latest trusted signing time; an older one fails with `RevocationUnknown` (exit 1),
//! whose message names the CRL issuer and why the CRL given does not settle it, in text on
//! stderr and as the `error` of the `--output json` report. The TSA is the tsp crate's
//! `Issuer` served on loopback; "later" is the hidden `--at-time` flag.

// Helpers outside #[test] fns unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../tsp/tests/client_support/mod.rs"]
mod client_support;
#[path = "cli_common/mod.rs"]
mod common;

use std::fs;
use std::path::Path;
use std::time::Duration;

use client_support::{Server, Tsa};
use common::{make_model, run, stderr, stdout};
use modelsign_devpki::{crl, DevPki, RevokedEntry};
use modelsign_pki::Time;

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);

/// A signed and timestamped model with its PKI and the TSA's chain, in `dir`.
struct Signed {
    dir: tempfile::TempDir,
    pki: DevPki,
}

impl Signed {
    fn new() -> Signed {
        let dir = tempfile::tempdir().unwrap();
        make_model(dir.path());
        // The CAs are valid from 5 minutes (devpki's BACKDATE) before this.
        let pki = DevPki::model_signing(Time::now(), 7 * DAY).unwrap();
        pki.write_pem_files(&dir.path().join("pki")).unwrap();
        let tsa = Tsa::new();
        let chain: String = tsa.chain.iter().map(modelsign_devpki::pem).collect();
        fs::write(dir.path().join("tsa.pem"), chain).unwrap();
        let server = Server::granting(tsa, 200);
        let out = run(
            dir.path(),
            &[
                "sign",
                "certificate",
                "model",
                "--signature",
                "s.sig",
                "--private-key",
                "pki/leaf-key.pem",
                "--signing-certificate",
                "pki/leaf.pem",
                "--certificate-chain",
                "pki/intermediates.pem",
                "--tsa-url",
                &server.url,
            ],
        );
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
        Signed { dir, pki }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a CRL of the leaf's issuing CA issued at `this_update`, listing `revoked`.
    fn write_crl(&self, name: &str, this_update: Time, revoked: &[RevokedEntry]) {
        let der = crl(
            &self.pki.intermediates[0],
            revoked,
            this_update,
            this_update.checked_add(30 * DAY).unwrap(),
        )
        .unwrap();
        fs::write(self.path().join(name), der).unwrap();
    }

    /// `verify certificate` with TSA trust and one `--crl`, at `at`, plus `extra`.
    fn verify(&self, crl: &str, at: Time, extra: &[&str]) -> std::process::Output {
        let at = at.to_string();
        let mut args = vec![
            "verify",
            "certificate",
            "model",
            "--signature",
            "s.sig",
            "--certificate-chain",
            "pki/root.pem",
            "--tsa-certificate-chain",
            "tsa.pem",
            "--crl",
            crl,
            "--at-time",
            &at,
        ];
        args.extend_from_slice(extra);
        run(self.path(), &args)
    }

    fn issuing_ca(&self) -> String {
        self.pki.intermediates[0].cert.subject()
    }
}

fn text(out: &std::process::Output) -> String {
    format!("stdout:\n{}\nstderr:\n{}", stdout(out), stderr(out))
}

/// Whole seconds: CRL times are encoded to the second, and the error prints the decoded one.
fn whole_seconds(t: Time) -> Time {
    Time::from_unix(t.unix_seconds(), 0).unwrap()
}

/// An entry for a serial no certificate of the dev PKI has (devpki serials are random and
/// 16 bytes long), so the CRL is not empty yet does not list the signing certificate.
fn unrelated_entry(at: Time) -> RevokedEntry {
    RevokedEntry {
        serial: vec![0x42],
        revocation_time: at,
        invalidity_date: None,
        reason: None,
    }
}

#[test]
fn a_crl_issued_before_the_signing_time_cannot_show_the_certificate_unrevoked() {
    let s = Signed::new();
    // After the CA's notBefore (5 minutes before the PKI was made), before the signature.
    let before = whole_seconds(Time::now().checked_sub(MINUTE).unwrap());
    s.write_crl("before.crl", before, &[unrelated_entry(before)]);
    let at = Time::now().checked_add(2 * HOUR).unwrap();

    let out = s.verify("before.crl", at, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let err = stderr(&out);
    let issuer = s.issuing_ca();
    let leaf = s.pki.leaf.cert.subject();
    assert!(
        err.contains(&format!(
            "the revocation status of certificate '{leaf}' of the signing chain is unknown"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("no CRL of '{issuer}' issued at or after ")),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "the newest given was issued (thisUpdate) {before}: an older CRL cannot show a \
             later revocation"
        )),
        "{err}"
    );

    // The JSON report carries the same message as its error.
    let out = s.verify("before.crl", at, &["--output", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)));
    assert_eq!(report["success"], false, "{report}");
    let error = report["error"].as_str().unwrap();
    assert!(
        error.contains(&format!("no CRL of '{issuer}' issued at or after ")),
        "{error}"
    );
    assert!(
        error.ends_with("an older CRL cannot show a later revocation"),
        "{error}"
    );
    assert!(stderr(&out).contains(error), "{}", text(&out));
}

#[test]
fn a_crl_issued_after_the_signing_time_settles_it_either_way() {
    let s = Signed::new();
    let after = whole_seconds(Time::now().checked_add(HOUR).unwrap());
    let at = Time::now().checked_add(2 * HOUR).unwrap();

    // Not listed in a CRL issued after the signature: verified.
    s.write_crl("after.crl", after, &[unrelated_entry(after)]);
    let out = s.verify("after.crl", at, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let out = s.verify("after.crl", at, &["--output", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)));
    assert_eq!(report["success"], true, "{report}");
    assert!(report.get("error").is_none_or(|e| e.is_null()), "{report}");

    // The same CRL listing the signing certificate as revoked before the signature: the
    // CRL was read and applied, so the success above came from the certificate's absence.
    let revoked_at = whole_seconds(Time::now().checked_sub(MINUTE).unwrap());
    s.write_crl(
        "after-listing.crl",
        after,
        &[
            unrelated_entry(after),
            RevokedEntry::for_certificate(&s.pki.leaf.cert, revoked_at),
        ],
    );
    let out = s.verify("after-listing.crl", at, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        stderr(&out).contains(&format!("is revoked as of {revoked_at}")),
        "{}",
        text(&out)
    );
}

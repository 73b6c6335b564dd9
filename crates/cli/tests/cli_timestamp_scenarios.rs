//! The timestamp scenario matrix end to end: `modelsign sign --tsa-url`, `verify` with TSA
//! trust and policy flags, `timestamp add` and `inspect`, against TSAs served in-process on
//! loopback (the tsp crate's `Issuer` behind a scripted HTTP server). Certificates come from
//! devpki with chosen validity windows; "later" is the hidden `--at-time` flag, so nothing
//! sleeps except the one slow-TSA case (bounded by a 1 s budget).

// Helpers outside #[test] fns unwrap too: a failure there is a test failure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../../tsp/tests/client_support/mod.rs"]
mod client_support;

use std::fs;
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine as _;
use client_support::{closed_port_url, Reply, Server, Tsa};
use modelsign_devpki::{crl, DevPki, RevokedEntry};
use modelsign_pki::Time;
use modelsign_tsp::TimeStampRequest;

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(86_400);

struct Env {
    dir: tempfile::TempDir,
    pki: DevPki,
}

impl Env {
    /// A model, a PKI whose leaf is valid [now - 5 min, now + leaf_validity], written out.
    fn new(leaf_validity: Duration) -> Env {
        let dir = tempfile::tempdir().unwrap();
        let m = dir.path().join("model");
        fs::create_dir_all(m.join("sub")).unwrap();
        fs::write(m.join("config.json"), b"{\"layers\": 2}").unwrap();
        fs::write(m.join("sub/weights.bin"), vec![3u8; 4096]).unwrap();
        let pki = DevPki::model_signing(Time::now(), leaf_validity).unwrap();
        pki.write_pem_files(&dir.path().join("pki")).unwrap();
        Env { dir, pki }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn run(&self, args: &[&str]) -> std::process::Output {
        let mut cmd = assert_cmd::Command::new(env!("CARGO_BIN_EXE_modelsign"));
        cmd.current_dir(self.dir.path());
        cmd.env_remove("MODELSIGN_KEY_PASSWORD");
        cmd.args(args).output().unwrap()
    }

    /// `sign certificate` to `sig` with extra flags.
    fn sign(&self, sig: &str, extra: &[&str]) -> std::process::Output {
        let mut args = vec![
            "sign",
            "certificate",
            "model",
            "--signature",
            sig,
            "--private-key",
            "pki/leaf-key.pem",
            "--signing-certificate",
            "pki/leaf.pem",
            "--certificate-chain",
            "pki/intermediates.pem",
        ];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// `verify certificate` of `sig` with extra flags.
    fn verify(&self, sig: &str, extra: &[&str]) -> std::process::Output {
        let mut args = vec![
            "verify",
            "certificate",
            "model",
            "--signature",
            sig,
            "--certificate-chain",
            "pki/root.pem",
        ];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// Writes the TSA's chain (leaf, root) as `name`.
    fn tsa_chain(&self, tsa: &Tsa, name: &str) {
        let pem: String = tsa.chain.iter().map(modelsign_devpki::pem).collect();
        fs::write(self.path(name), pem).unwrap();
    }
}

fn text(out: &std::process::Output) -> String {
    format!(
        "stdout:\n{}\nstderr:\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn code(out: &std::process::Output) -> Option<i32> {
    out.status.code()
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(out)))
}

fn rfc3339(t: Time) -> String {
    t.to_string()
}

fn later(d: Duration) -> String {
    rfc3339(Time::now().checked_add(d).unwrap())
}

#[test]
fn timestamped_signature_outlives_its_certificate_and_the_twin_does_not() {
    let env = Env::new(HOUR);
    let tsa = Tsa::new();
    let server = Server::granting(tsa.clone(), 200);
    env.tsa_chain(&tsa, "tsa.pem");

    let out = env.sign("stamped.sig", &["--tsa-url", &server.url]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    assert!(text(&out).contains("timestamp:"), "{}", text(&out));
    let out = env.sign("bare.sig", &[]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));

    // Today both verify; the timestamped one at its trusted time.
    let out = env.verify(
        "stamped.sig",
        &[
            "--tsa-certificate-chain",
            "tsa.pem",
            "--require-timestamp",
            "--output",
            "json",
        ],
    );
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    let report = json(&out);
    assert_eq!(report["timestamps"][0]["verified"], true);
    assert_eq!(report["validation_times"][0]["source"], "timestamp:0");
    assert!(report["timestamps"][0]["tsa_subject"]
        .as_str()
        .unwrap()
        .contains("modelsign dev TSA"));

    // A day later the leaf (valid one hour) has expired.
    let at = later(DAY);
    let out = env.verify(
        "stamped.sig",
        &["--tsa-certificate-chain", "tsa.pem", "--at-time", &at],
    );
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("valid at the trusted signing time"),
        "{}",
        text(&out)
    );
    let out = env.verify(
        "bare.sig",
        &["--tsa-certificate-chain", "tsa.pem", "--at-time", &at],
    );
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    assert!(text(&out).contains("(current time)"), "{}", text(&out));
    // Without TSA trust the timestamp is unverified and does not count.
    let out = env.verify("stamped.sig", &["--at-time", &at]);
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    let out = env.verify("stamped.sig", &["--output", "json"]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    let report = json(&out);
    assert_eq!(report["timestamps"][0]["verified"], false);
    assert_eq!(report["validation_times"][0]["source"], "current_time");
    let out = env.verify("stamped.sig", &["--require-timestamp"]);
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("no TSA trust is configured"),
        "{}",
        text(&out)
    );
}

#[test]
fn untrusted_and_tampered_timestamps_fail_verification() {
    let env = Env::new(DAY);
    let tsa = Tsa::new();
    let other = Tsa::new();
    let server = Server::granting(tsa.clone(), 200);
    env.tsa_chain(&tsa, "tsa.pem");
    env.tsa_chain(&other, "other.pem");
    let out = env.sign("s.sig", &["--tsa-url", &server.url]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));

    let out = env.verify("s.sig", &["--tsa-certificate-chain", "other.pem"]);
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("timestamp #0 of the signature"),
        "{}",
        text(&out)
    );

    // Flip one byte near the end of the stored token (inside the CMS signature).
    let mut bundle: serde_json::Value =
        serde_json::from_slice(&fs::read(env.path("s.sig")).unwrap()).unwrap();
    let field = &mut bundle["verificationMaterial"]["timestampVerificationData"]
        ["rfc3161Timestamps"][0]["signedTimestamp"];
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut der = b64.decode(field.as_str().unwrap()).unwrap();
    let at = der.len() - 10;
    der[at] ^= 0x01;
    *field = serde_json::Value::String(b64.encode(&der));
    fs::write(env.path("t.sig"), serde_json::to_vec(&bundle).unwrap()).unwrap();
    let out = env.verify("t.sig", &["--tsa-certificate-chain", "tsa.pem"]);
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    assert!(text(&out).contains("timestamp #0"), "{}", text(&out));
}

#[test]
fn require_max_age_and_threshold() {
    let env = Env::new(30 * DAY);
    let (a, b) = (Tsa::new(), Tsa::new());
    let (sa, sb) = (
        Server::granting(a.clone(), 200),
        Server::granting(b.clone(), 201),
    );
    env.tsa_chain(&a, "a.pem");
    env.tsa_chain(&b, "b.pem");
    let trust = [
        "--tsa-certificate-chain",
        "a.pem",
        "--tsa-certificate-chain",
        "b.pem",
    ];

    let out = env.sign("none.sig", &[]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    let mut args = trust.to_vec();
    args.push("--require-timestamp");
    let out = env.verify("none.sig", &args);
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("a trusted timestamp is required"),
        "{}",
        text(&out)
    );

    let out = env.sign("one.sig", &["--tsa-url", &sa.url]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    let out = env.sign(
        "two.sig",
        &["--tsa-url", &sa.url, "--tsa-url", &sb.url, "--tsa-all"],
    );
    assert_eq!(code(&out), Some(0), "{}", text(&out));

    let mut args = trust.to_vec();
    args.extend(["--timestamp-threshold", "2"]);
    let out = env.verify("one.sig", &args);
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("2 distinct timestamping authorities"),
        "{}",
        text(&out)
    );
    let out = env.verify("two.sig", &args);
    assert_eq!(code(&out), Some(0), "{}", text(&out));

    // Max age: 10 days later, a 7-day limit fails and a 30-day one passes.
    let at = later(10 * DAY);
    let mut args = trust.to_vec();
    args.extend(["--at-time", &at, "--max-timestamp-age", "7d"]);
    let out = env.verify("two.sig", &args);
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    assert!(text(&out).contains("too old"), "{}", text(&out));
    let mut args = trust.to_vec();
    args.extend(["--at-time", &at, "--max-timestamp-age", "30d"]);
    let out = env.verify("two.sig", &args);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    // A malformed age is a usage error.
    let out = env.verify("two.sig", &["--max-timestamp-age", "7 weeks"]);
    assert_eq!(code(&out), Some(2), "{}", text(&out));
}

#[test]
fn fallback_to_the_next_tsa_when_the_first_is_down() {
    let env = Env::new(DAY);
    let tsa = Tsa::new();
    let server = Server::granting(tsa.clone(), 200);
    env.tsa_chain(&tsa, "tsa.pem");
    let down = closed_port_url();
    let out = env.sign(
        "s.sig",
        &[
            "--tsa-url",
            &down,
            "--tsa-url",
            &server.url,
            "--tsa-timeout",
            "2",
        ],
    );
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    assert_eq!(server.hits(), 1);
    let out = env.verify(
        "s.sig",
        &["--tsa-certificate-chain", "tsa.pem", "--require-timestamp"],
    );
    assert_eq!(code(&out), Some(0), "{}", text(&out));
}

/// Each failing TSA: signing fails with exit 1, names the TSA and why, writes no file.
#[test]
fn failing_tsas_make_signing_fail_without_writing_a_file() {
    let env = Env::new(DAY);
    let tsa = Tsa::new();
    let stale_tsa = tsa.clone();
    let cases: Vec<(&str, Server, &str)> = vec![
        ("500", Server::start(|_, _| Reply::status(500)), "HTTP 500"),
        (
            "html",
            Server::start(|_, _| Reply {
                content_type: Some("text/html".into()),
                ..Reply::tsr(200, b"<html>maintenance</html>".to_vec())
            }),
            "text/html",
        ),
        (
            "garbage",
            Server::start(|_, _| Reply::tsr(200, b"\x30\x03garbage".to_vec())),
            "response rejected",
        ),
        (
            "stale nonce",
            Server::start(move |_, body| {
                // A response for the same imprint but another request (another nonce): a
                // replayed or cached answer.
                let seen = TimeStampRequest::from_der(body).unwrap();
                let other =
                    TimeStampRequest::new(seen.hash_algorithm(), seen.digest().to_vec(), None)
                        .unwrap();
                Reply::tsr(200, stale_tsa.grant(&other.to_der()))
            }),
            "nonce",
        ),
        (
            "slow",
            Server::start(move |_, _| Reply {
                delay: Duration::from_secs(3),
                ..Reply::status(500)
            }),
            "exhausted",
        ),
    ];
    for (name, server, expected) in cases {
        let sig = format!("{}.sig", name.replace(' ', "-"));
        let started = std::time::Instant::now();
        let out = env.sign(&sig, &["--tsa-url", &server.url, "--tsa-timeout", "1"]);
        assert_eq!(code(&out), Some(1), "{name}: {}", text(&out));
        let t = text(&out);
        assert!(t.contains(&server.url), "{name}: {t}");
        assert!(t.contains(expected), "{name}: {t}");
        assert!(t.contains("no signature written"), "{name}: {t}");
        assert!(
            !env.path(&sig).exists(),
            "{name}: a signature file was written"
        );
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{name}: budget not honoured"
        );
    }
    drop(tsa);
}

#[test]
fn tsa_optional_signs_without_a_timestamp_and_warns() {
    let env = Env::new(DAY);
    let down = closed_port_url();
    let out = env.sign(
        "s.sig",
        &["--tsa-url", &down, "--tsa-timeout", "1", "--tsa-optional"],
    );
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("WITHOUT a trusted timestamp"),
        "{}",
        text(&out)
    );
    let bundle = fs::read_to_string(env.path("s.sig")).unwrap();
    assert!(!bundle.contains("rfc3161Timestamps"), "{bundle}");
}

#[test]
fn backdated_timestamp_before_the_certificate_is_refused_at_signing() {
    let env = Env::new(DAY);
    let tsa = Tsa::new();
    let t = tsa.clone();
    let server = Server::start(move |_, body| {
        let backdated = Time::now().checked_sub(2 * DAY).unwrap();
        Reply::tsr(200, t.issuer.respond(body, backdated, [5; 16]).der)
    });
    let out = env.sign("s.sig", &["--tsa-url", &server.url]);
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("outside the validity"),
        "{}",
        text(&out)
    );
    assert!(!env.path("s.sig").exists());
}

fn write_crl(env: &Env, name: &str, revoked_at: Time) {
    let entry = RevokedEntry::for_certificate(&env.pki.leaf.cert, revoked_at);
    let der = crl(
        &env.pki.intermediates[0],
        &[entry],
        revoked_at,
        revoked_at.checked_add(30 * DAY).unwrap(),
    )
    .unwrap();
    fs::write(env.path(name), der).unwrap();
}

#[test]
fn revocation_before_and_after_the_signing_time() {
    let env = Env::new(7 * DAY);
    let tsa = Tsa::new();
    let server = Server::granting(tsa.clone(), 200);
    env.tsa_chain(&tsa, "tsa.pem");
    let out = env.sign("s.sig", &["--tsa-url", &server.url]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));

    let now = Time::now();
    write_crl(&env, "after.crl", now.checked_add(HOUR).unwrap());
    write_crl(
        &env,
        "before.crl",
        now.checked_sub(Duration::from_secs(120)).unwrap(),
    );
    let at = later(2 * HOUR);

    let out = env.verify(
        "s.sig",
        &[
            "--tsa-certificate-chain",
            "tsa.pem",
            "--crl",
            "after.crl",
            "--at-time",
            &at,
        ],
    );
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    assert!(
        text(&out).contains("after the trusted signing time"),
        "{}",
        text(&out)
    );

    let out = env.verify(
        "s.sig",
        &[
            "--tsa-certificate-chain",
            "tsa.pem",
            "--crl",
            "before.crl",
            "--at-time",
            &at,
        ],
    );
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    assert!(text(&out).contains("is revoked as of"), "{}", text(&out));

    // Without TSA trust there is no trusted time: any revocation fails.
    let out = env.verify("s.sig", &["--crl", "after.crl", "--at-time", &at]);
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("no trusted timestamp"),
        "{}",
        text(&out)
    );
}

#[test]
fn timestamp_add_and_inspect() {
    let env = Env::new(HOUR);
    let (a, b) = (Tsa::new(), Tsa::new());
    let (sa, sb) = (
        Server::granting(a.clone(), 200),
        Server::granting(b.clone(), 200),
    );
    env.tsa_chain(&a, "a.pem");
    env.tsa_chain(&b, "b.pem");
    let out = env.sign("s.sig", &[]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    let original = fs::read(env.path("s.sig")).unwrap();

    // A failing TSA leaves the file untouched.
    let down = closed_port_url();
    let out = env.run(&[
        "timestamp",
        "add",
        "s.sig",
        "--tsa-url",
        &down,
        "--tsa-timeout",
        "1",
    ]);
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    assert_eq!(fs::read(env.path("s.sig")).unwrap(), original);

    let out = env.run(&["timestamp", "add", "s.sig", "--tsa-url", &sa.url]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    let out = env.run(&[
        "timestamp",
        "add",
        "s.sig",
        "--tsa-url",
        &sb.url,
        "--tsa-certificate-chain",
        "b.pem",
    ]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));

    // Only the timestamps changed: the DSSE envelope and certificates keep their text.
    let before: serde_json::Value = serde_json::from_slice(&original).unwrap();
    let after: serde_json::Value =
        serde_json::from_slice(&fs::read(env.path("s.sig")).unwrap()).unwrap();
    assert_eq!(before["dsseEnvelope"], after["dsseEnvelope"]);
    assert_eq!(
        before["verificationMaterial"]["x509CertificateChain"],
        after["verificationMaterial"]["x509CertificateChain"]
    );
    let stamps = &after["verificationMaterial"]["timestampVerificationData"]["rfc3161Timestamps"];
    assert_eq!(stamps.as_array().unwrap().len(), 2);

    let at = later(DAY);
    let out = env.verify(
        "s.sig",
        &[
            "--tsa-certificate-chain",
            "a.pem",
            "--tsa-certificate-chain",
            "b.pem",
            "--timestamp-threshold",
            "2",
            "--at-time",
            &at,
        ],
    );
    assert_eq!(code(&out), Some(0), "{}", text(&out));

    let out = env.run(&["inspect", "s.sig"]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    let t = text(&out);
    assert!(t.contains("method:     certificate"), "{t}");
    assert!(t.contains("#1 genTime"), "{t}");
    assert!(t.contains("unverified"), "{t}");
    assert!(t.contains(&env.pki.leaf.cert.subject()), "{t}");
    let out = env.run(&["--output", "json", "inspect", "s.sig"]);
    let report = json(&out);
    assert_eq!(report["timestamps"].as_array().unwrap().len(), 2);
    assert_eq!(report["manifest"]["files"], 2);
    assert_eq!(report["verified"], false);
}

#[test]
fn key_mode_timestamps_count_for_require() {
    let env = Env::new(DAY);
    let tsa = Tsa::new();
    let server = Server::granting(tsa.clone(), 200);
    env.tsa_chain(&tsa, "tsa.pem");
    let key = modelsign_pki::SigningKey::generate(modelsign_pki::KeyKind::EcdsaP256).unwrap();
    fs::write(env.path("k.pem"), key.to_pkcs8_pem().unwrap()).unwrap();
    fs::write(env.path("k.pub"), key.public_key().to_pem()).unwrap();
    let out = env.run(&[
        "sign",
        "key",
        "model",
        "--signature",
        "k.sig",
        "--private-key",
        "k.pem",
        "--tsa-url",
        &server.url,
    ]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    let verify = |extra: &[&str]| {
        let mut args = vec![
            "verify",
            "key",
            "model",
            "--signature",
            "k.sig",
            "--public-key",
            "k.pub",
        ];
        args.extend_from_slice(extra);
        env.run(&args)
    };
    let out = verify(&["--tsa-certificate-chain", "tsa.pem", "--require-timestamp"]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    let out = verify(&["--require-timestamp"]);
    assert_eq!(code(&out), Some(1), "{}", text(&out));
}

#[test]
fn demo_tells_the_trusted_time_story() {
    let dir = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_modelsign"))
        .current_dir(dir.path())
        .arg("demo")
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    let t = text(&out);
    assert!(
        t.contains("Started a built-in RFC 3161 TSA at http://127.0.0.1:"),
        "{t}"
    );
    assert!(
        t.contains("(certificate expired): timestamped signature: ok"),
        "{t}"
    );
    assert!(t.contains("valid at the trusted signing time"), "{t}");
    assert!(
        t.contains("[15] Same day, the untimestamped twin: failed, as it must"),
        "{t}"
    );
    assert!(!t.contains("UNEXPECTED"), "{t}");
}

/// `--tsa-all --tsa-optional` with one TSA down: the token of the TSA that answered is
/// stored and verifies, and the failure is a warning naming that TSA. Without
/// `--tsa-optional` the same run fails and writes nothing.
#[test]
fn tsa_all_optional_keeps_the_tokens_that_were_obtained() {
    let env = Env::new(DAY);
    let tsa = Tsa::new();
    let server = Server::granting(tsa.clone(), 200);
    env.tsa_chain(&tsa, "tsa.pem");
    let down = closed_port_url();
    let tsas = [
        "--tsa-url",
        &server.url,
        "--tsa-url",
        &down,
        "--tsa-all",
        "--tsa-timeout",
        "1",
    ];

    let out = env.sign("strict.sig", &tsas);
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    assert!(text(&out).contains("1 of 2 TSAs failed"), "{}", text(&out));
    assert!(!env.path("strict.sig").exists());

    let mut args = tsas.to_vec();
    args.extend(["--tsa-optional", "--output", "json"]);
    let out = env.sign("partial.sig", &args);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    let report = json(&out);
    assert_eq!(
        report["timestamps"].as_array().unwrap().len(),
        1,
        "{report}"
    );
    let warnings = report["warnings"].to_string();
    assert!(
        warnings.contains("only 1 timestamp(s) stored") && warnings.contains(&down),
        "{report}"
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("only 1 timestamp(s) stored"),
        "{}",
        text(&out)
    );
    let out = env.verify(
        "partial.sig",
        &["--tsa-certificate-chain", "tsa.pem", "--require-timestamp"],
    );
    assert_eq!(code(&out), Some(0), "{}", text(&out));
}

/// §4.7: with `--tsa-all`, TSAs whose genTimes disagree beyond accuracy + tolerance are
/// flagged on stderr and in the JSON report; the signature is still written.
#[test]
fn tsa_all_warns_when_tsa_clocks_disagree() {
    let env = Env::new(DAY);
    let (a, b) = (Tsa::new(), Tsa::new());
    let fast = b.clone();
    let sa = Server::granting(a, 200);
    let sb = Server::start(move |_, body| {
        // A TSA whose clock runs 10 minutes ahead.
        let ahead = Time::now().checked_add(Duration::from_secs(600)).unwrap();
        Reply::tsr(200, fast.issuer.respond(body, ahead, [6; 16]).der)
    });
    let out = env.sign(
        "s.sig",
        &[
            "--tsa-url",
            &sa.url,
            "--tsa-url",
            &sb.url,
            "--tsa-all",
            "--output",
            "json",
        ],
    );
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    let report = json(&out);
    let warnings = report["warnings"].to_string();
    assert!(warnings.contains("TSA clocks disagree"), "{report}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("TSA clocks disagree"),
        "{}",
        text(&out)
    );

    // Two TSAs in agreement: no such warning.
    let (c, d) = (Tsa::new(), Tsa::new());
    let (sc, sd) = (Server::granting(c, 200), Server::granting(d, 200));
    let out = env.sign(
        "t.sig",
        &["--tsa-url", &sc.url, "--tsa-url", &sd.url, "--tsa-all"],
    );
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    assert!(!text(&out).contains("disagree"), "{}", text(&out));
}

/// `--tsa-policy` at signing is sent as reqPolicy (a TSA refusing it fails signing); at
/// verification it is pinned for every token.
#[test]
fn tsa_policy_is_requested_at_signing_and_pinned_at_verification() {
    let env = Env::new(DAY);
    let tsa = Tsa::new();
    let server = Server::granting(tsa.clone(), 200);
    env.tsa_chain(&tsa, "tsa.pem");
    let policy = client_support::POLICY;

    let out = env.sign("s.sig", &["--tsa-url", &server.url, "--tsa-policy", policy]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    let sent = TimeStampRequest::from_der(&server.seen()[0].body).unwrap();
    assert_eq!(
        sent.policy().map(|p| p.to_string()).as_deref(),
        Some(policy)
    );

    // A policy this TSA does not offer: it refuses, signing fails, no file.
    let out = env.sign(
        "x.sig",
        &["--tsa-url", &server.url, "--tsa-policy", "1.2.3.4"],
    );
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    assert!(!env.path("x.sig").exists());
    // Not an OID: usage error.
    let out = env.sign("y.sig", &["--tsa-url", &server.url, "--tsa-policy", "gold"]);
    assert_eq!(code(&out), Some(2), "{}", text(&out));

    let trust = ["--tsa-certificate-chain", "tsa.pem", "--require-timestamp"];
    let mut args = trust.to_vec();
    args.extend(["--tsa-policy", policy]);
    let out = env.verify("s.sig", &args);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    let mut args = trust.to_vec();
    args.extend(["--tsa-policy", "1.2.3.4"]);
    let out = env.verify("s.sig", &args);
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    assert!(text(&out).contains("1.2.3.4"), "{}", text(&out));
}

/// `timestamp add --tsa-optional`, as `sign --tsa-optional`: when no TSA gives a valid
/// token the signature file stays byte-identical, a warning names every TSA and why it
/// failed, and the exit code is 0; without the flag the same run fails (exit 1) and writes
/// nothing. With `--tsa-all`, the tokens of the TSAs that answered are added.
#[test]
fn timestamp_add_tsa_optional_leaves_the_file_unchanged_and_names_each_tsa() {
    let env = Env::new(DAY);
    let out = env.sign("s.sig", &[]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    let original = fs::read(env.path("s.sig")).unwrap();
    let failing = Server::start(|_, _| Reply::status(500));
    let down = closed_port_url();
    let add = |extra: &[&str]| {
        let mut args = vec![
            "timestamp",
            "add",
            "s.sig",
            "--tsa-url",
            &failing.url,
            "--tsa-url",
            &down,
            "--tsa-timeout",
            "1",
        ];
        args.extend_from_slice(extra);
        env.run(&args)
    };
    let stderr = |out: &std::process::Output| String::from_utf8_lossy(&out.stderr).into_owned();
    let names_both_tsas = |err: &str| {
        let host_port = |url: &str| url.split('/').nth(2).unwrap().to_owned();
        err.contains(&host_port(&failing.url))
            && err.contains("HTTP 500")
            && err.contains(&host_port(&down))
    };

    let out = add(&[]);
    assert_eq!(code(&out), Some(1), "{}", text(&out));
    assert!(
        stderr(&out).starts_with("Adding timestamps failed with error:"),
        "{}",
        text(&out)
    );
    assert!(names_both_tsas(&stderr(&out)), "{}", text(&out));
    assert_eq!(fs::read(env.path("s.sig")).unwrap(), original);

    let out = add(&["--tsa-optional"]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    let err = stderr(&out);
    assert!(
        err.starts_with("warning: no timestamp added (--tsa-optional), 's.sig' is unchanged: "),
        "{}",
        text(&out)
    );
    assert!(names_both_tsas(&err), "{}", text(&out));
    assert!(!err.contains("failed with error"), "{}", text(&out));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "No timestamp added; 's.sig' is unchanged\n"
    );
    assert_eq!(fs::read(env.path("s.sig")).unwrap(), original);

    let out = add(&["--tsa-optional", "--output", "json"]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    let report = json(&out);
    assert_eq!(report["success"], true);
    assert_eq!(report["changed"], false);
    assert_eq!(report["timestamps"].as_array().unwrap().len(), 0);
    assert!(
        names_both_tsas(report["warnings"][0].as_str().unwrap()),
        "{report}"
    );
    assert_eq!(fs::read(env.path("s.sig")).unwrap(), original);

    // --tsa-all: one TSA answers, its token is added, the failed one is named.
    let tsa = Tsa::new();
    let granting = Server::granting(tsa.clone(), 200);
    env.tsa_chain(&tsa, "tsa.pem");
    let out = env.run(&[
        "timestamp",
        "add",
        "s.sig",
        "--tsa-url",
        &granting.url,
        "--tsa-url",
        &failing.url,
        "--tsa-all",
        "--tsa-optional",
    ]);
    assert_eq!(code(&out), Some(0), "{}", text(&out));
    let err = stderr(&out);
    assert!(
        err.contains("only 1 timestamp(s) stored (--tsa-optional)") && err.contains("HTTP 500"),
        "{}",
        text(&out)
    );
    assert_ne!(fs::read(env.path("s.sig")).unwrap(), original);
    let out = env.verify(
        "s.sig",
        &["--tsa-certificate-chain", "tsa.pem", "--require-timestamp"],
    );
    assert_eq!(code(&out), Some(0), "{}", text(&out));
}

//! OpenSSL CLI as an independent oracle: it must read our certificates and CRLs, build
//! and verify our chains, and accept our TSA leaf as an RFC 3161 signer (it refuses a
//! non-critical EKU). The `openssl` binary is required (`.ci/setup` installs it): without it
//! each test fails, naming the setup command, instead of passing without checking anything.

// Test helpers outside #[test] fns: a panic there is a test failure, not a crash on input.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Duration;

use modelsign_devpki::{
    crl, issue, self_signed, CertProfile, CertSpec, DevPki, IssuedCert, RevocationReason,
    RevokedEntry,
};
use modelsign_pki::{KeyKind, Time};

/// `name` found on `PATH`. These tests need the OpenSSL CLI as their oracle; `.ci/setup`
/// installs it, so a missing one is a broken setup to report, never a reason to pass unchecked.
fn require_tool(name: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!("{name} not found: run `bash .ci/setup` (or `bash .ci/test`, which runs it)")
        })
}

/// The `openssl` CLI, looked up once per test binary.
fn openssl_exe() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| require_tool("openssl"))
}

fn openssl(args: &[&str], dir: &Path) -> Output {
    Command::new(openssl_exe())
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn t(s: &str) -> Time {
    Time::parse_rfc3339(s).unwrap()
}

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) {
    std::fs::write(dir.join(name), contents).unwrap();
}

/// `openssl x509 -text` output squeezed to single spaces, so assertions can span lines.
fn x509_text(cert: &IssuedCert, dir: &Path) -> String {
    write(dir, "c.pem", cert.cert_pem());
    let out = openssl(&["x509", "-in", "c.pem", "-noout", "-text"], dir);
    assert!(out.status.success(), "{}", text(&out));
    text(&out).split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn openssl_reads_the_intended_extensions_and_validity() {
    let dir = tempfile::tempdir().unwrap();
    let spec = |cn: &str, profile| {
        CertSpec::new(
            cn,
            profile,
            KeyKind::EcdsaP256,
            t("2026-01-02T03:04:05Z"),
            t("2056-06-07T08:09:10Z"),
        )
    };
    let root = self_signed(&spec("Root", CertProfile::Root)).unwrap();
    let root_text = x509_text(&root, dir.path());
    for expected in [
        "X509v3 Basic Constraints: critical CA:TRUE",
        "X509v3 Key Usage: critical Certificate Sign, CRL Sign",
        "X509v3 Subject Key Identifier:",
        "X509v3 Authority Key Identifier:",
        "Not Before: Jan 2 03:04:05 2026 GMT",
        "Not After : Jun 7 08:09:10 2056 GMT",
    ] {
        assert!(
            root_text.contains(expected),
            "missing {expected:?} in {root_text}"
        );
    }
    assert!(!root_text.contains("Extended Key Usage"), "{root_text}");

    let tsa = issue(&spec("TSA", CertProfile::TimeStampingLeaf), &root).unwrap();
    let tsa_text = x509_text(&tsa, dir.path());
    for expected in [
        "X509v3 Basic Constraints: critical CA:FALSE",
        "X509v3 Key Usage: critical Digital Signature X509v3",
        "X509v3 Extended Key Usage: critical Time Stamping Signature Algorithm",
    ] {
        assert!(
            tsa_text.contains(expected),
            "missing {expected:?} in {tsa_text}"
        );
    }

    let signer = issue(
        &spec("Signer", CertProfile::CodeSigningLeaf).with_email("s@example.invalid"),
        &root,
    )
    .unwrap();
    let signer_text = x509_text(&signer, dir.path());
    for expected in [
        "X509v3 Extended Key Usage: Code Signing",
        "X509v3 Subject Alternative Name: email:s@example.invalid",
    ] {
        assert!(
            signer_text.contains(expected),
            "missing {expected:?} in {signer_text}"
        );
    }
    assert!(
        !signer_text.contains("Extended Key Usage: critical"),
        "{signer_text}"
    );
}

#[test]
fn openssl_verifies_generated_chains_only_inside_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let now = t("2026-05-01T00:00:00Z");
    let pki = DevPki::model_signing(now, Duration::from_secs(24 * 3600)).unwrap();
    write(dir.path(), "root.pem", pki.root.cert_pem());
    write(dir.path(), "int.pem", pki.intermediates[0].cert_pem());
    write(dir.path(), "leaf.pem", pki.leaf.cert_pem());
    let verify_at = |time: Time| {
        let at = time.unix_seconds().to_string();
        let args = [
            "verify",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "int.pem",
            "-attime",
            &at,
            "leaf.pem",
        ];
        openssl(&args, dir.path())
    };
    let inside = verify_at(now.checked_add(Duration::from_secs(3600)).unwrap());
    assert!(inside.status.success(), "{}", text(&inside));
    assert!(text(&inside).contains("leaf.pem: OK"));

    let after = verify_at(now.checked_add(Duration::from_secs(2 * 24 * 3600)).unwrap());
    assert!(!after.status.success());
    assert!(
        text(&after).contains("certificate has expired"),
        "{}",
        text(&after)
    );
    let before = verify_at(now.checked_sub(Duration::from_secs(3600)).unwrap());
    assert!(!before.status.success());
    assert!(
        text(&before).contains("certificate is not yet valid"),
        "{}",
        text(&before)
    );
}

#[test]
fn openssl_verifies_chains_of_every_key_kind() {
    let dir = tempfile::tempdir().unwrap();
    for kind in [
        KeyKind::EcdsaP384,
        KeyKind::EcdsaP521,
        KeyKind::Ed25519,
        KeyKind::Rsa { bits: 2048 },
    ] {
        let spec = |cn: &str, profile| {
            CertSpec::new(
                cn,
                profile,
                kind,
                t("2026-01-01T00:00:00Z"),
                t("2027-01-01T00:00:00Z"),
            )
        };
        let root = self_signed(&spec("Root", CertProfile::Root)).unwrap();
        let int = issue(
            &spec("Int", CertProfile::Intermediate { path_len: None }),
            &root,
        )
        .unwrap();
        let leaf = issue(&spec("Leaf", CertProfile::CodeSigningLeaf), &int).unwrap();
        write(dir.path(), "root.pem", root.cert_pem());
        write(dir.path(), "int.pem", int.cert_pem());
        write(dir.path(), "leaf.pem", leaf.cert_pem());
        let at = t("2026-06-01T00:00:00Z").unix_seconds().to_string();
        let out = openssl(
            &[
                "verify",
                "-CAfile",
                "root.pem",
                "-untrusted",
                "int.pem",
                "-attime",
                &at,
                "leaf.pem",
            ],
            dir.path(),
        );
        assert!(out.status.success(), "{kind:?}: {}", text(&out));
    }
}

#[test]
fn openssl_reads_and_verifies_the_crl() {
    let dir = tempfile::tempdir().unwrap();
    let now = t("2026-05-01T00:00:00Z");
    let pki = DevPki::model_signing(now, Duration::from_secs(3600)).unwrap();
    let issuer = &pki.intermediates[0];
    let entry = RevokedEntry {
        invalidity_date: Some(t("2026-04-30T12:00:00Z")),
        reason: Some(RevocationReason::KeyCompromise),
        ..RevokedEntry::for_certificate(&pki.leaf.cert, now)
    };
    let der = crl(issuer, &[entry], now, t("2026-05-08T00:00:00Z")).unwrap();
    write(dir.path(), "crl.der", &der);
    write(dir.path(), "int.pem", issuer.cert_pem());
    let out = openssl(
        &[
            "crl", "-inform", "DER", "-in", "crl.der", "-noout", "-text", "-CAfile", "int.pem",
        ],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = text(&out);
    let squeezed = out.split_whitespace().collect::<Vec<_>>().join(" ");
    let serial = pki.leaf.cert.serial_hex().to_uppercase();
    for expected in [
        "verify OK".to_owned(),
        format!("Serial Number: {serial}"),
        "Revocation Date: May 1 00:00:00 2026 GMT".to_owned(),
        "X509v3 CRL Reason Code: Key Compromise".to_owned(),
        "Invalidity Date: Apr 30 12:00:00 2026 GMT".to_owned(),
        "Last Update: May 1 00:00:00 2026 GMT".to_owned(),
        "Next Update: May 8 00:00:00 2026 GMT".to_owned(),
        "X509v3 CRL Number:".to_owned(),
    ] {
        assert!(
            squeezed.contains(&expected),
            "missing {expected:?} in {out}"
        );
    }
}

/// Runs `openssl ts -query` + `ts -reply` with `leaf` as signer, using a copy of the shared
/// tsa.cnf pointed at our files; returns the `-reply` output.
fn openssl_ts_reply(dir: &Path, root: &IssuedCert, leaf: &IssuedCert) -> Output {
    write(dir, "root.pem", root.cert_pem());
    write(dir, "tsa.pem", leaf.cert_pem());
    write(dir, "tsa.key", leaf.key_pem().unwrap());
    write(dir, "tsaserial", "01\n");
    write(dir, "data.txt", "hello timestamp\n");
    let template = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata/openssl-tsa/tsa.cnf"
    ))
    .unwrap();
    let config: String = template
        .lines()
        .filter(|line| !line.trim_start().starts_with("certs "))
        .map(|line| {
            let line = line.replace("$dir/tsa.crt", "$dir/tsa.pem");
            format!("{line}\n")
        })
        .collect();
    assert!(config.contains("signer_cert            = $dir/tsa.pem"));
    write(dir, "tsa.cnf", config);
    let query = openssl(
        &[
            "ts", "-query", "-data", "data.txt", "-sha256", "-cert", "-out", "req.tsq",
        ],
        dir,
    );
    assert!(query.status.success(), "{}", text(&query));
    openssl(
        &[
            "ts",
            "-reply",
            "-config",
            "tsa.cnf",
            "-queryfile",
            "req.tsq",
            "-out",
            "resp.tsr",
        ],
        dir,
    )
}

#[test]
fn openssl_ts_accepts_the_dev_tsa_leaf_as_signer() {
    for kind in [KeyKind::EcdsaP256, KeyKind::Rsa { bits: 2048 }] {
        let dir = tempfile::tempdir().unwrap();
        // OpenSSL stamps with the real clock and verifies at it, so the PKI must be current.
        let pki = DevPki::tsa(Time::now(), kind).unwrap();
        let reply = openssl_ts_reply(dir.path(), &pki.root, &pki.leaf);
        assert!(reply.status.success(), "{kind:?}: {}", text(&reply));
        let verify = openssl(
            &[
                "ts",
                "-verify",
                "-queryfile",
                "req.tsq",
                "-in",
                "resp.tsr",
                "-CAfile",
                "root.pem",
            ],
            dir.path(),
        );
        assert!(verify.status.success(), "{kind:?}: {}", text(&verify));
        assert!(text(&verify).contains("Verification: OK"));
    }
}

#[test]
fn openssl_ts_refuses_a_tsa_leaf_with_non_critical_eku() {
    let dir = tempfile::tempdir().unwrap();
    let now = Time::now();
    let day = Duration::from_secs(24 * 3600);
    let nb = now.checked_sub(day).unwrap();
    let na = now.checked_add(day).unwrap();
    let root = self_signed(&CertSpec::new(
        "Root",
        CertProfile::Root,
        KeyKind::EcdsaP256,
        nb,
        na,
    ))
    .unwrap();
    let mut profile = CertProfile::TimeStampingLeaf.extensions();
    profile.extended_key_usage.as_mut().unwrap().critical = false;
    let leaf = issue(
        &CertSpec::new(
            "TSA",
            CertProfile::Custom(profile),
            KeyKind::EcdsaP256,
            nb,
            na,
        ),
        &root,
    )
    .unwrap();
    let reply = openssl_ts_reply(dir.path(), &root, &leaf);
    assert!(!reply.status.success());
    assert!(
        text(&reply).contains("invalid signer certificate purpose"),
        "{}",
        text(&reply)
    );
}

/// A CA made by `openssl req` with the given subject, loaded as an [`IssuedCert`].
fn openssl_ca(dir: &Path, subject: &str, extra: &[&str]) -> IssuedCert {
    let mut args = vec![
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "30",
        "-subj",
        subject,
        "-addext",
        "basicConstraints=critical,CA:TRUE",
    ];
    args.extend_from_slice(extra);
    let out = openssl(&args, dir);
    assert!(out.status.success(), "{}", text(&out));
    IssuedCert {
        key: modelsign_pki::SigningKey::from_pem_or_der(
            &std::fs::read(dir.join("ca.key")).unwrap(),
            None,
        )
        .unwrap(),
        cert: modelsign_pki::certificates_from_pem(&std::fs::read(dir.join("ca.pem")).unwrap())
            .unwrap()
            .remove(0),
    }
}

#[test]
fn printable_string_issuer_names_are_reproduced_exactly() {
    let dir = tempfile::tempdir().unwrap();
    // countryName is always a PrintableString; "-utf8" is not given, so OpenSSL's default
    // string mask writes the other attributes as UTF8String: a mixed name.
    let ca = openssl_ca(dir.path(), "/C=DE/O=Printable Org/CN=Mixed Strings CA", &[]);
    let raw_subject = der::Encode::to_der(ca.cert.x509().tbs_certificate().subject()).unwrap();
    assert!(
        raw_subject.windows(2).any(|w| w == [0x13, 0x02]),
        "PrintableString C=DE"
    );
    let now = Time::now();
    let leaf = issue(
        &CertSpec::new(
            "Child",
            CertProfile::CodeSigningLeaf,
            KeyKind::EcdsaP256,
            now,
            now.checked_add(Duration::from_secs(3600)).unwrap(),
        ),
        &ca,
    )
    .unwrap();
    let raw_issuer = der::Encode::to_der(leaf.cert.x509().tbs_certificate().issuer()).unwrap();
    assert_eq!(raw_issuer, raw_subject);
    write(dir.path(), "leaf.pem", leaf.cert_pem());
    let out = openssl(&["verify", "-CAfile", "ca.pem", "leaf.pem"], dir.path());
    assert!(out.status.success(), "{}", text(&out));
}

#[test]
fn multi_valued_rdn_issuer_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let ca = openssl_ca(dir.path(), "/O=Org+CN=Multi CA", &["-multivalue-rdn"]);
    let now = Time::now();
    let err = issue(
        &CertSpec::new(
            "Child",
            CertProfile::CodeSigningLeaf,
            KeyKind::EcdsaP256,
            now,
            now.checked_add(Duration::from_secs(3600)).unwrap(),
        ),
        &ca,
    )
    .unwrap_err();
    assert!(
        matches!(
            err,
            modelsign_devpki::Error::UnsupportedIssuerName {
                reason: "multi-valued or empty relative distinguished name",
                ..
            }
        ),
        "{err}"
    );
}

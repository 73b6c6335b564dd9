//! Harness for interop tests between `modelsign` and the Python reference `model_signing`
//! 1.1.1 (oms-format.md §12, §13).
//!
//! Both tools are run as real processes: `modelsign` from this package's binary, and
//! `model_signing` from the venv that `bash .ci/run` (or `.ci/setup`) creates at
//! `<repo>/.venv`, or from `$MODELSIGN_PYTHON_VENV`. A missing venv is a test failure
//! with instructions, never a silent pass: interop is the point of these tests.
//!
//! Every test works in its own temporary directory ([`Workspace`]) holding a writable copy
//! of the shared sample model, because tests run in parallel and may tamper with files,
//! and `../shared` is read-only reference data. Commands run with that directory as the
//! current directory, because both tools resolve `--ignore-paths` against the cwd.
//!
//! Shared by several test binaries (`interop_*.rs`), each using a subset of it.
// Test code: `cfg(test)` lets clippy apply its in-tests allowances (unwrap/panic = test
// failure), and each binary uses only part of the harness.
#![cfg(test)]
#![allow(dead_code)]

use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine as _;

/// Version of the reference implementation the interop promise is about.
pub(crate) const MODEL_SIGNING_VERSION: &str = "1.1.1";

/// `../shared/testdata/model-signing-1.1.1`: sample model, keys and PKI (see its README).
pub(crate) fn testdata() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata/model-signing-1.1.1"
    ))
}

/// A file of `testdata()/keys`, e.g. `key("ec256.key.pem")` or `key("oldpki/root.crt.pem")`.
pub(crate) fn key(name: &str) -> PathBuf {
    let path = testdata().join("keys").join(name);
    assert!(path.is_file(), "missing test key {}", path.display());
    path
}

/// The venv holding model_signing 1.1.1.
pub(crate) fn venv() -> PathBuf {
    match std::env::var_os("MODELSIGN_PYTHON_VENV") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../.venv")),
    }
}

/// Path of the `model_signing` executable, checked once per test binary to exist and to be
/// version 1.1.1 (a newer release changed flags and checks, so a silent upgrade would make
/// these tests prove something else).
pub(crate) fn model_signing_exe() -> &'static Path {
    static EXE: OnceLock<PathBuf> = OnceLock::new();
    EXE.get_or_init(|| {
        let exe = venv().join("bin/model_signing");
        let how = "create it with `bash .ci/run` (or `bash .ci/setup`), or by hand: \
                   python3 -m venv .venv && .venv/bin/pip install model-signing==1.1.1 pyOpenSSL \
                   (set MODELSIGN_PYTHON_VENV to use a venv elsewhere)";
        assert!(
            exe.is_file(),
            "interop tests need the Python reference model_signing {MODEL_SIGNING_VERSION}, \
             not found at {}: {how}",
            exe.display()
        );
        let out = Command::new(&exe)
            .arg("--version")
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}; {how}", exe.display()));
        let version = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && version.trim_end().ends_with(MODEL_SIGNING_VERSION),
            "{} --version must report {MODEL_SIGNING_VERSION}; got status {}, stdout {version:?}, \
             stderr {:?}; {how}",
            exe.display(),
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        exe
    })
}

/// The `modelsign` binary built for this test run.
pub(crate) fn modelsign_exe() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_modelsign"))
}

/// One finished command, kept with its command line so that assertion failures show
/// exactly what ran and what it printed.
pub(crate) struct Run {
    pub(crate) command: String,
    pub(crate) output: Output,
}

impl Run {
    pub(crate) fn code(&self) -> Option<i32> {
        self.output.status.code()
    }

    pub(crate) fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    pub(crate) fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// Exit 0 and `expected` (e.g. "Verification succeeded") on stdout, as both tools print.
    pub(crate) fn assert_success(&self, expected: &str) -> &Self {
        assert!(
            self.code() == Some(0) && self.stdout().contains(expected),
            "expected success (exit 0, stdout containing {expected:?}):\n{self}"
        );
        self
    }

    /// Exit 1: the operation ran and failed. Exit 2 would be a usage error, i.e. a broken
    /// test invocation, so "any non-zero status" is deliberately not accepted.
    pub(crate) fn assert_failure(&self) -> &Self {
        assert!(self.code() == Some(1), "expected failure (exit 1):\n{self}");
        self
    }
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "$ {}\nstatus: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.command,
            self.output.status,
            self.stdout(),
            self.stderr()
        )
    }
}

/// Which tool runs a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tool {
    /// The Python reference, model_signing 1.1.1.
    ModelSigning,
    /// This project's binary.
    Modelsign,
}

impl Tool {
    pub(crate) const BOTH: [Tool; 2] = [Tool::ModelSigning, Tool::Modelsign];

    pub(crate) fn exe(self) -> &'static Path {
        match self {
            Tool::ModelSigning => model_signing_exe(),
            Tool::Modelsign => modelsign_exe(),
        }
    }

    /// Spelling of a flag that 1.1.1 knows only with underscores (`--private_key`,
    /// `--signing_certificate`, `--certificate_chain`, `--public_key`,
    /// `--ignore_unsigned_files`); modelsign documents the hyphenated forms. Not for
    /// `--ignore-paths`, `--[no-]ignore-git-paths` and `--signature`, hyphenated in both.
    pub(crate) fn flag(self, name: &str) -> String {
        match self {
            Tool::ModelSigning => format!("--{}", name.replace('-', "_")),
            Tool::Modelsign => format!("--{name}"),
        }
    }
}

impl fmt::Display for Tool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Tool::ModelSigning => "model_signing",
            Tool::Modelsign => "modelsign",
        })
    }
}

/// A per-test temporary directory; the current directory of every command run in it.
pub(crate) struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    pub(crate) fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    pub(crate) fn join(&self, rel: impl AsRef<Path>) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// Writable copy of the sample model at `<workspace>/<name>`, plus the git entries that
    /// were present when the golden bundles were signed (`make_model.sh`): `.git/HEAD`,
    /// `.github/ci.yml`, `.gitignore`. Both tools must leave them out by default.
    pub(crate) fn copy_model(&self, name: &str) -> PathBuf {
        let dst = self.join(name);
        copy_tree(&testdata().join("model"), &dst);
        fs::create_dir_all(dst.join(".git")).unwrap();
        fs::create_dir_all(dst.join(".github")).unwrap();
        fs::write(dst.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
        fs::write(dst.join(".github/ci.yml"), "x\n").unwrap();
        fs::write(dst.join(".gitignore"), "*.tmp\n").unwrap();
        dst
    }

    /// Runs `tool args...` in the workspace.
    pub(crate) fn run<I, S>(&self, tool: Tool, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
        let exe = tool.exe();
        let command = std::iter::once(exe.as_os_str())
            .chain(args.iter().map(OsString::as_os_str))
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        let output = Command::new(exe)
            .args(&args)
            .current_dir(self.path())
            .stdin(Stdio::null())
            // Keep the reference tool's output plain and its log level at the default.
            .env("NO_COLOR", "1")
            .env_remove("MODEL_SIGNING_LOG_LEVEL")
            .output()
            .unwrap_or_else(|e| panic!("cannot start {command}: {e}"));
        Run {
            command: format!("(cd {} && {command})", self.path().display()),
            output,
        }
    }

    /// `model_signing args...` in the workspace.
    pub(crate) fn model_signing<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.run(Tool::ModelSigning, args)
    }

    /// `modelsign args...` in the workspace.
    pub(crate) fn modelsign<I, S>(&self, args: I) -> Run
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.run(Tool::Modelsign, args)
    }
}

/// Copies a directory tree as plain, writable files (the shared test data is read-only, and
/// a read-only copy could neither be tampered with nor cleaned up).
pub(crate) fn copy_tree(src: &Path, dst: &Path) {
    fs::create_dir_all(dst).unwrap();
    for entry in fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let file_type = entry.file_type().unwrap();
        let to = dst.join(entry.file_name());
        if file_type.is_dir() {
            copy_tree(&entry.path(), &to);
        } else if file_type.is_file() {
            fs::write(&to, fs::read(entry.path()).unwrap()).unwrap();
        } else {
            panic!(
                "unexpected non-regular entry in test data: {}",
                entry.path().display()
            );
        }
    }
}

/// The in-toto statement inside a bundle (the base64-decoded DSSE payload).
pub(crate) fn statement(bundle: &Path) -> serde_json::Value {
    let bundle = read_json(bundle);
    let payload = bundle["dsseEnvelope"]["payload"]
        .as_str()
        .unwrap_or_else(|| panic!("no dsseEnvelope.payload in {bundle}"));
    serde_json::from_slice(&BASE64.decode(payload).unwrap()).unwrap()
}

/// The subject digest (= root digest of the manifest) recorded in a bundle, in hex.
pub(crate) fn subject_digest(bundle: &Path) -> String {
    let statement = statement(bundle);
    statement["subject"][0]["digest"]["sha256"]
        .as_str()
        .unwrap_or_else(|| panic!("no subject[0].digest.sha256 in {statement}"))
        .to_owned()
}

pub(crate) fn read_json(path: &Path) -> serde_json::Value {
    let bytes = fs::read(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// Flips one bit of the DSSE signature in a bundle, keeping everything else (including the
/// base64 form and the JSON layout) valid, so only the signature check can catch it.
pub(crate) fn tamper_bundle_signature(bundle: &Path) {
    let mut json = read_json(bundle);
    let signature = &mut json["dsseEnvelope"]["signatures"][0]["sig"];
    let mut raw = BASE64.decode(signature.as_str().unwrap()).unwrap();
    // The last byte of a DER ECDSA signature is in `s`: still well-formed DER afterwards.
    let last = raw.last_mut().unwrap();
    *last ^= 0x01;
    *signature = serde_json::Value::String(BASE64.encode(&raw));
    fs::write(bundle, serde_json::to_vec(&json).unwrap()).unwrap();
}

/// Flips one bit in the middle of a model file.
pub(crate) fn tamper_file(path: &Path) {
    let mut bytes = fs::read(path).unwrap();
    assert!(
        !bytes.is_empty(),
        "cannot tamper with empty {}",
        path.display()
    );
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x01;
    fs::write(path, bytes).unwrap();
}

/// The key pairs of the shared test data (key mode: `ec256.*`, `ec384.*`, `ec521.*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Curve {
    P256,
    P384,
    P521,
}

impl Curve {
    pub(crate) fn private_key(self) -> PathBuf {
        key(&format!("{}.key.pem", self.stem()))
    }

    pub(crate) fn public_key(self) -> PathBuf {
        key(&format!("{}.pub.pem", self.stem()))
    }

    fn stem(self) -> &'static str {
        match self {
            Curve::P256 => "ec256",
            Curve::P384 => "ec384",
            Curve::P521 => "ec521",
        }
    }
}

/// Who signs, with which material from `keys/`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Signer {
    /// `sign key` with an EC key pair.
    Key(Curve),
    /// `sign certificate` with `leaf.key.pem`, `leaf.crt.pem` and the chain `int.crt.pem`
    /// (1.1.1 crashes without a chain, oms-format §13 #3); trusted root: `root.crt.pem`.
    Certificate,
}

/// An `--ignore-paths` value. 1.1.1 resolves relative values against the current
/// directory (not the model) and takes absolute ones as given (oms-format §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IgnorePath {
    /// Passed as written, relative to the workspace (= cwd), e.g. `model/sub`.
    Relative(&'static str),
    /// Joined to the workspace path and passed absolute.
    Absolute(&'static str),
}

/// One signing configuration, turned into the command line of either tool.
#[derive(Clone, Debug)]
pub(crate) struct Signing {
    pub(crate) signer: Signer,
    /// Model path relative to the workspace: `model` or a single file `model/weights.bin`.
    pub(crate) model: &'static str,
    /// Signature path relative to the workspace (inside the model is allowed: both tools
    /// then record it in `ignore_paths`).
    pub(crate) signature: &'static str,
    pub(crate) ignore_paths: Vec<IgnorePath>,
    pub(crate) no_ignore_git_paths: bool,
    /// Appended as is (e.g. modelsign-only timestamp flags in later interop tests).
    pub(crate) extra_args: Vec<String>,
}

impl Signing {
    pub(crate) fn new(signer: Signer) -> Self {
        Self {
            signer,
            model: "model",
            signature: "model.sig",
            ignore_paths: Vec::new(),
            no_ignore_git_paths: false,
            extra_args: Vec::new(),
        }
    }

    /// Arguments of the model-selection options both tools share (spelled alike in both).
    pub(crate) fn selection_args(&self, ws: &Workspace) -> Vec<OsString> {
        let mut args = Vec::new();
        for ignore in &self.ignore_paths {
            args.push("--ignore-paths".into());
            args.push(match ignore {
                IgnorePath::Relative(p) => OsString::from(p),
                IgnorePath::Absolute(p) => ws.join(p).into_os_string(),
            });
        }
        if self.no_ignore_git_paths {
            args.push("--no-ignore-git-paths".into());
        }
        args
    }

    /// `sign key|certificate MODEL ...` for `tool`.
    pub(crate) fn sign_args(&self, tool: Tool, ws: &Workspace) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec!["sign".into()];
        match self.signer {
            Signer::Key(curve) => {
                args.extend(["key".into(), self.model.into()]);
                args.extend([tool.flag("private-key").into(), curve.private_key().into()]);
            }
            Signer::Certificate => {
                args.extend(["certificate".into(), self.model.into()]);
                args.extend([tool.flag("private-key").into(), key("leaf.key.pem").into()]);
                args.extend([
                    tool.flag("signing-certificate").into(),
                    key("leaf.crt.pem").into(),
                ]);
                args.extend([
                    tool.flag("certificate-chain").into(),
                    key("int.crt.pem").into(),
                ]);
            }
        }
        args.extend(["--signature".into(), self.signature.into()]);
        args.extend(self.selection_args(ws));
        args.extend(self.extra_args.iter().map(OsString::from));
        args
    }

    /// `verify key|certificate MODEL ...` for `tool`, with the matching public key or the
    /// trusted root. Ignore paths are not repeated: the bundle records them.
    pub(crate) fn verify_args(&self, tool: Tool) -> Vec<OsString> {
        let trust = match self.signer {
            Signer::Key(curve) => Trust::PublicKey(curve.public_key()),
            Signer::Certificate => Trust::Chain(vec![key("root.crt.pem")]),
        };
        self.verify_args_with(tool, &trust)
    }

    /// As [`Signing::verify_args`] with other trust material (wrong key, untrusted chain).
    pub(crate) fn verify_args_with(&self, tool: Tool, trust: &Trust) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec!["verify".into()];
        match trust {
            Trust::PublicKey(public_key) => {
                args.extend(["key".into(), self.model.into()]);
                args.extend([tool.flag("public-key").into(), public_key.into()]);
            }
            Trust::Chain(certificates) => {
                args.extend(["certificate".into(), self.model.into()]);
                for certificate in certificates {
                    args.extend([tool.flag("certificate-chain").into(), certificate.into()]);
                }
            }
        }
        args.extend(["--signature".into(), self.signature.into()]);
        if self.no_ignore_git_paths {
            // The verifier's flag applies, not the bundle's (oms-format §2).
            args.push("--no-ignore-git-paths".into());
        }
        args
    }
}

/// What the verifier trusts.
#[derive(Clone, Debug)]
pub(crate) enum Trust {
    PublicKey(PathBuf),
    /// `--certificate-chain` files (self-signed ones are the anchors).
    Chain(Vec<PathBuf>),
}

/// Removes `verificationMaterial.publicKey.hint` from a key-mode bundle, as in bundles of
/// model_signing < 1.1 (oms-format §7, §11). Verifiers then cannot reject a wrong key by
/// its hint and must reach the signature check itself.
pub(crate) fn remove_key_hint(bundle: &Path) {
    let mut json = read_json(bundle);
    let public_key = json["verificationMaterial"]["publicKey"]
        .as_object_mut()
        .unwrap_or_else(|| panic!("{} has no verificationMaterial.publicKey", bundle.display()));
    assert!(
        public_key.remove("hint").is_some(),
        "{} has no key hint",
        bundle.display()
    );
    fs::write(bundle, serde_json::to_vec(&json).unwrap()).unwrap();
}

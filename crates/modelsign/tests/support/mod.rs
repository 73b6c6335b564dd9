//! Fixtures shared by the timestamp tests: a fixed clock ([`t0`]), a model in a temporary
//! directory signed in certificate mode ([`SignedModel`]), TSAs that answer at chosen
//! genTimes ([`Tsa`], [`issuer`]) and one verification with its policy ([`Verify`]).
//! Nothing here reads the clock or the network.

// Each test binary includes this module and uses only part of it.
#![allow(dead_code)]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use modelsign::{
    Error, ObjectIdentifier, SignRequest, SignedStatement, Signer, TimestampPolicy, TsaTrust,
    VerifiedModel, VerifierTrust, VerifyRequest,
};
use modelsign_devpki::DevPki;
use modelsign_pki::{Certificate, Crl, HashAlgorithm, KeyKind, SigningKey, Time, TrustStore};
use modelsign_tsp::{Accuracy, Issuer, IssuerConfig, TimeStampRequest};

/// `assert!(matches!(value, pattern))` that prints the value when it does not match.
macro_rules! assert_matches {
    ($value:expr, $($pattern:tt)+) => {{
        let value = $value;
        assert!(matches!(value, $($pattern)+), "{value:?}");
    }};
}
pub(crate) use assert_matches;

pub(crate) const MINUTE: Duration = Duration::from_secs(60);
pub(crate) const HOUR: Duration = Duration::from_secs(3600);
pub(crate) const DAY: Duration = Duration::from_secs(24 * 3600);
pub(crate) const YEAR: Duration = Duration::from_secs(365 * 24 * 3600);

/// A fixed signing time (2030-03-17): nothing here reads the clock.
pub(crate) fn t0() -> Time {
    Time::from_unix(1_900_000_000, 0).unwrap()
}

pub(crate) fn after(t: Time, d: Duration) -> Time {
    t.checked_add(d).unwrap()
}

pub(crate) fn before(t: Time, d: Duration) -> Time {
    t.checked_sub(d).unwrap()
}

/// A second handle on `key` (signers and issuers take ownership of theirs).
pub(crate) fn copy(key: &SigningKey) -> SigningKey {
    SigningKey::from_pem_or_der(&key.to_pkcs8_der().unwrap(), None).unwrap()
}

/// A two-file model in `dir`.
pub(crate) fn write_model(dir: &Path) -> PathBuf {
    let m = dir.join("model");
    fs::create_dir_all(&m).unwrap();
    fs::write(m.join("config.json"), b"{\"layers\": 2}").unwrap();
    fs::write(m.join("weights.bin"), vec![7u8; 3000]).unwrap();
    m
}

/// Signs `model` and stores the tokens `tokens(signature)` returns.
pub(crate) fn sign_with_tokens(
    model: &Path,
    signer: &Signer,
    tokens: impl FnOnce(&[u8]) -> Vec<Vec<u8>>,
) -> Vec<u8> {
    let statement = modelsign::sign_statement(&SignRequest::new(model, signer)).unwrap();
    let ders = tokens(statement.signature());
    statement.into_bundle(ders).bundle_json().to_vec()
}

/// A verifier that trusts `root` as the only signing-chain anchor.
pub(crate) fn anchored_at(root: &Certificate) -> VerifierTrust {
    VerifierTrust::Certificates(TrustStore::from_certificates(vec![root.clone()]))
}

/// A model in a temporary directory, and a certificate-mode signer (devpki chain, leaf
/// valid [t0 - 5 min, t0 + validity]) whose root the verifier trusts.
pub(crate) struct SignedModel {
    pub(crate) pki: DevPki,
    pub(crate) model: PathBuf,
    pub(crate) signer: Signer,
    pub(crate) trust: VerifierTrust,
    // Owns the directory `model` lives in (deleted on drop).
    _dir: tempfile::TempDir,
}

impl SignedModel {
    pub(crate) fn new(validity: Duration) -> SignedModel {
        let dir = tempfile::tempdir().unwrap();
        let model = write_model(dir.path());
        let pki = DevPki::model_signing(t0(), validity).unwrap();
        let signer = Signer::certificate(
            copy(&pki.leaf.key),
            pki.leaf.cert.clone(),
            pki.intermediate_certificates(),
            t0(),
        )
        .unwrap();
        let trust = anchored_at(&pki.root.cert);
        SignedModel {
            pki,
            model,
            signer,
            trust,
            _dir: dir,
        }
    }

    /// The signed statement, before any timestamp is added.
    pub(crate) fn statement(&self) -> SignedStatement {
        modelsign::sign_statement(&SignRequest::new(&self.model, &self.signer)).unwrap()
    }

    /// A bundle holding the tokens `tokens(signature)` returns.
    pub(crate) fn bundle(&self, tokens: impl FnOnce(&[u8]) -> Vec<Vec<u8>>) -> Vec<u8> {
        sign_with_tokens(&self.model, &self.signer, tokens)
    }

    /// A bundle without timestamps.
    pub(crate) fn bare(&self) -> Vec<u8> {
        self.bundle(|_| vec![])
    }

    /// Verifies `bundle` against this model and signing trust at `now`.
    pub(crate) fn verify<'a>(&'a self, bundle: &'a [u8], now: Time) -> Verify<'a> {
        Verify::new(&self.model, bundle, &self.trust, now)
    }
}

/// The policy every issuer here is configured with.
pub(crate) fn tsa_policy() -> ObjectIdentifier {
    "1.3.6.1.4.1.57264.2".parse().unwrap()
}

/// A policy the issuers also grant when a request names it.
pub(crate) fn other_policy() -> ObjectIdentifier {
    "1.2.3.4.5".parse().unwrap()
}

/// An issuer signing with `key` and `chain` (leaf first), accuracy 1 s.
pub(crate) fn issuer(key: &SigningKey, chain: Vec<Certificate>, include_chain: bool) -> Issuer {
    let config = IssuerConfig {
        policy: tsa_policy(),
        accepted_policies: vec![other_policy()],
        accuracy: Some(Accuracy {
            seconds: 1,
            millis: 0,
            micros: 0,
        }),
        include_chain,
    };
    Issuer::new(copy(key), chain, config).unwrap()
}

/// A granted TimeStampResp over `datum` (SHA-256, no nonce) with genTime `at`.
pub(crate) fn stamp(issuer: &Issuer, datum: &[u8], at: Time, serial: u8) -> Vec<u8> {
    let request = TimeStampRequest::for_data(HashAlgorithm::Sha256, datum, None).unwrap();
    issuer.respond(&request.to_der(), at, [serial; 16]).der
}

/// A devpki TSA (certificates valid from `valid_from - 5 min` for a year) whose issuer
/// includes its chain in tokens and numbers them itself.
pub(crate) struct Tsa {
    pub(crate) pki: DevPki,
    pub(crate) issuer: Issuer,
    serial: AtomicU8,
}

impl Tsa {
    pub(crate) fn new(valid_from: Time) -> Tsa {
        let pki = DevPki::tsa(valid_from, KeyKind::EcdsaP256).unwrap();
        let issuer = issuer(&pki.leaf.key, pki.chain(), true);
        Tsa {
            pki,
            issuer,
            serial: AtomicU8::new(1),
        }
    }

    /// Verifier trust in this TSA's root alone.
    pub(crate) fn trust(&self) -> TsaTrust {
        TsaTrust::from_certificates(vec![self.pki.root.cert.clone()]).unwrap()
    }

    /// A granted TimeStampResp over `datum` with genTime `at`.
    pub(crate) fn stamp(&self, datum: &[u8], at: Time) -> Vec<u8> {
        stamp(&self.issuer, datum, at, self.next_serial())
    }

    /// The response to `request` with genTime `at`.
    pub(crate) fn respond(&self, request: &TimeStampRequest, at: Time) -> Vec<u8> {
        let mut serial = [0u8; 16];
        serial[15] = self.next_serial();
        self.issuer.respond(&request.to_der(), at, serial).der
    }

    fn next_serial(&self) -> u8 {
        self.serial.fetch_add(1, Ordering::SeqCst)
    }
}

/// One verification: by default no TSA trust, nothing required, no CRLs.
pub(crate) struct Verify<'a> {
    model: &'a Path,
    bundle: &'a [u8],
    trust: &'a VerifierTrust,
    now: Time,
    policy: TimestampPolicy,
    crls: Vec<Crl>,
}

impl<'a> Verify<'a> {
    pub(crate) fn new(
        model: &'a Path,
        bundle: &'a [u8],
        trust: &'a VerifierTrust,
        now: Time,
    ) -> Self {
        Verify {
            model,
            bundle,
            trust,
            now,
            policy: TimestampPolicy::default(),
            crls: Vec::new(),
        }
    }

    /// Trust these TSAs.
    pub(crate) fn tsa(mut self, trust: TsaTrust) -> Self {
        self.policy.trust = Some(trust);
        self
    }

    /// Fail without a verified timestamp.
    pub(crate) fn require(mut self) -> Self {
        self.policy.require = true;
        self
    }

    /// Require verified timestamps from `n` distinct authorities.
    pub(crate) fn threshold(mut self, n: usize) -> Self {
        self.policy.threshold = n;
        self
    }

    pub(crate) fn max_age(mut self, max_age: Duration) -> Self {
        self.policy.max_age = Some(max_age);
        self
    }

    /// Every token must carry this TSA policy.
    pub(crate) fn pin_tsa_policy(mut self, policy: ObjectIdentifier) -> Self {
        self.policy.verify_options.policy = Some(policy);
        self
    }

    pub(crate) fn crls(mut self, crls: Vec<Crl>) -> Self {
        self.crls = crls;
        self
    }

    pub(crate) fn run(self) -> Result<VerifiedModel, Error> {
        let mut request = VerifyRequest::new(self.model, self.bundle, self.trust, self.now);
        request.timestamps = self.policy;
        request.crls = self.crls;
        modelsign::verify(&request)
    }
}

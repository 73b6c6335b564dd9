//! sigstore-conformance bundle cases (`sigstore-conformance/assets/bundle-verify/<case>`)
//! that need no transparency log, run offline through modelsign's pieces.
//!
//! Per case (expected: reject iff the directory name ends in `_fail`):
//! 1. `modelsign_bundle::parse_with` (base64 line breaks allowed, as Sigstore clients
//!    write them) — a parse error rejects;
//! 2. the signer: `key.pub` for a `publicKey` bundle (none given → reject), otherwise the
//!    bundle's certificate (leaf first);
//! 3. the signature with `PublicKey::verify` and the key's default scheme: DSSE over
//!    `PAE(payloadType, payload)` plus the in-toto subject must name SHA-256(artifact);
//!    a message signature over the artifact, plus `messageDigest` = SHA-256(artifact);
//! 4. every RFC 3161 timestamp with `modelsign_tsp::verify_timestamp` over the signature
//!    bytes and `TsaTrust::from_trusted_root_json` of the case's trusted root
//!    (`production-trusted_root.json` by default);
//! 5. certificates only: `verify_chain` (codeSigning EKU) against the trusted root's
//!    certificate authorities at each verified genTime (to genTime + accuracy), the
//!    authority's `validFor` must contain that time, and the leaf's SAN must be the
//!    expected identity (Fulcio issuer extension, if present, the expected issuer).
//!
//! Out of scope, reported as skipped and never as passes: a certificate bundle whose
//! signature checks out but which has no RFC 3161 timestamp from a Rekor v1 entry (its
//! signing time would come from the log's integrated time), and the cases listed in the
//! expectation file's `skip` because their verdict depends on the transparency log alone
//! (inclusion proofs, checkpoints, SETs, entry/bundle consistency).

use std::path::{Path, PathBuf};

use base64::Engine as _;
use const_oid::db::rfc5280::ID_KP_CODE_SIGNING;
use const_oid::ObjectIdentifier;
use der::Decode as _;
use modelsign_bundle::{Base64Policy, Content, ParseOptions, SignerMaterial};
use modelsign_pki::{
    verify_chain, Certificate, ChainRequest, HashAlgorithm, LeafProfile, PublicKey,
    SignatureScheme, Time, TrustStore,
};
use modelsign_tsp::trust::TsaTrust;
use modelsign_tsp::verify::{verify_timestamp, Datum, VerifyOptions};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::ext::pkix::SubjectAltName;

use crate::expectations::{Expectations, Expected, Outcome, Summary, Tally};
use crate::TESTDATA;

const SUITE: &str = "sigstore-conformance";

const DEFAULT_IDENTITY: &str = "https://github.com/sigstore-conformance/extremely-dangerous-public-oidc-beacon/.github/workflows/extremely-dangerous-oidc-beacon.yml@refs/heads/main";
const DEFAULT_ISSUER: &str = "https://token.actions.githubusercontent.com";
/// Fulcio's OIDC issuer extensions: v2 (DER UTF8String) and the deprecated v1 (raw bytes).
const FULCIO_ISSUER_V2: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.8");
const FULCIO_ISSUER_V1: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.6.1.4.1.57264.1.1");

fn base() -> String {
    format!("{TESTDATA}/sigstore-conformance")
}

/// What the offline pipeline decided.
enum Decision {
    Verified,
    Rejected(String),
    /// Everything checkable passed, but the verdict needs the transparency log.
    NeedsLog(String),
}

fn read(p: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))
}

fn optional(dir: &Path, name: &str, default: PathBuf) -> PathBuf {
    let p = dir.join(name);
    if p.exists() {
        p
    } else {
        default
    }
}

/// The trusted root's certificate authorities: (chain certificates, validFor start, end).
type Authority = (Vec<Certificate>, Time, Option<Time>);

fn certificate_authorities(root: &serde_json::Value) -> Result<Vec<Authority>, String> {
    let mut out = Vec::new();
    for ca in root["certificateAuthorities"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let mut certs = Vec::new();
        for c in ca["certChain"]["certificates"]
            .as_array()
            .into_iter()
            .flatten()
        {
            let der = base64::engine::general_purpose::STANDARD
                .decode(c["rawBytes"].as_str().unwrap_or_default())
                .map_err(|e| format!("trusted root CA certificate: {e}"))?;
            certs.push(Certificate::from_der(&der).map_err(|e| e.to_string())?);
        }
        let start = ca["validFor"]["start"]
            .as_str()
            .ok_or("trusted root CA without validFor.start")?;
        let start = Time::parse_rfc3339(start).map_err(|e| e.to_string())?;
        let end = match ca["validFor"]["end"].as_str() {
            Some(e) => Some(Time::parse_rfc3339(e).map_err(|e| e.to_string())?),
            None => None,
        };
        out.push((certs, start, end));
    }
    Ok(out)
}

/// SAN URI / email = identity; Fulcio issuer extension (if present) = issuer.
fn check_identity(leaf: &Certificate, identity: &str, issuer: &str) -> Result<(), String> {
    let mut sans = Vec::new();
    let mut found_issuer = None;
    for ext in leaf
        .x509()
        .tbs_certificate()
        .extensions()
        .into_iter()
        .flatten()
    {
        let value = ext.extn_value.as_bytes();
        if ext.extn_id == const_oid::db::rfc5280::ID_CE_SUBJECT_ALT_NAME {
            let san = SubjectAltName::from_der(value).map_err(|e| format!("SAN: {e}"))?;
            for name in san.0 {
                match name {
                    GeneralName::UniformResourceIdentifier(u) => sans.push(u.to_string()),
                    GeneralName::Rfc822Name(m) => sans.push(m.to_string()),
                    _ => {}
                }
            }
        } else if ext.extn_id == FULCIO_ISSUER_V2 {
            let s = der::asn1::Utf8StringRef::from_der(value)
                .map_err(|e| format!("issuer extension: {e}"))?;
            found_issuer = Some(s.as_str().to_owned());
        } else if ext.extn_id == FULCIO_ISSUER_V1 && found_issuer.is_none() {
            found_issuer = Some(String::from_utf8_lossy(value).into_owned());
        }
    }
    if !sans.iter().any(|s| s == identity) {
        return Err(format!("certificate identity {sans:?} is not {identity:?}"));
    }
    match found_issuer {
        Some(i) if i != issuer => Err(format!("certificate OIDC issuer {i:?} is not {issuer:?}")),
        _ => Ok(()),
    }
}

fn decide(dir: &Path) -> Result<Decision, String> {
    use Decision::Rejected;
    let assets = format!("{}/assets", base());
    let json = read(&dir.join("bundle.sigstore.json"))?;
    let bundle = match modelsign_bundle::parse_with(
        &json,
        &ParseOptions::with_base64(Base64Policy::AllowLineBreaks),
    ) {
        Ok(b) => b,
        Err(e) => return Ok(Rejected(format!("bundle: {e}"))),
    };
    let artifact = read(&optional(
        dir,
        "artifact",
        PathBuf::from(format!("{assets}/a.txt")),
    ))?;
    let root_json = read(&optional(
        dir,
        "trusted_root.json",
        PathBuf::from(format!("{}/production-trusted_root.json", base())),
    ))?;
    let identity = std::fs::read_to_string(dir.join("identity"))
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| DEFAULT_IDENTITY.to_owned());
    let issuer = std::fs::read_to_string(dir.join("issuer"))
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| DEFAULT_ISSUER.to_owned());

    // 2. signer
    let (key, chain) = match &bundle.verification_material.signer {
        SignerMaterial::PublicKeyHint(_) => {
            let p = dir.join("key.pub");
            if !p.exists() {
                return Ok(Rejected(
                    "bundle is signed with a key but no key was given".into(),
                ));
            }
            match PublicKey::from_pem(&read(&p)?) {
                Ok(k) => (k, Vec::new()),
                Err(e) => return Ok(Rejected(format!("key.pub: {e}"))),
            }
        }
        SignerMaterial::Certificate(der) => {
            let c = match Certificate::from_der(der) {
                Ok(c) => c,
                Err(e) => return Ok(Rejected(format!("certificate: {e}"))),
            };
            match c.public_key() {
                Ok(k) => (k, vec![c]),
                Err(e) => return Ok(Rejected(format!("certificate key: {e}"))),
            }
        }
        SignerMaterial::X509Chain(ders) => {
            let mut certs = Vec::new();
            for d in ders {
                match Certificate::from_der(d) {
                    Ok(c) => certs.push(c),
                    Err(e) => return Ok(Rejected(format!("chain certificate: {e}"))),
                }
            }
            let Some(leaf) = certs.first() else {
                return Ok(Rejected("empty certificate chain".into()));
            };
            match leaf.public_key() {
                Ok(k) => (k, certs),
                Err(e) => return Ok(Rejected(format!("certificate key: {e}"))),
            }
        }
        other => {
            return Ok(Rejected(format!(
                "unsupported verification material {other:?}"
            )))
        }
    };

    // 3. signature
    let scheme = key.default_scheme();
    let artifact_digest = HashAlgorithm::Sha256.digest(&artifact);
    let signature: Vec<u8> = match &bundle.content {
        Content::Dsse(env) => {
            let [sig] = env.signatures.as_slice() else {
                return Ok(Rejected(format!(
                    "{} DSSE signatures, expected one",
                    env.signatures.len()
                )));
            };
            let pae = modelsign_dsse::pae(&env.payload_type, &env.payload);
            if let Err(e) = key.verify(scheme, &pae, &sig.sig) {
                return Ok(Rejected(format!("DSSE signature: {e}")));
            }
            let statement: serde_json::Value = match serde_json::from_slice(&env.payload) {
                Ok(v) => v,
                Err(e) => return Ok(Rejected(format!("in-toto statement: {e}"))),
            };
            let want = hex::encode(&artifact_digest);
            let names_artifact = statement["subject"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|s| s["digest"]["sha256"].as_str() == Some(want.as_str()));
            if !names_artifact {
                return Ok(Rejected(
                    "no in-toto subject has the artifact's SHA-256".into(),
                ));
            }
            sig.sig.clone()
        }
        Content::MessageSignature(m) => {
            if let Some(d) = &m.message_digest {
                if d.algorithm != "SHA2_256" || d.digest != artifact_digest {
                    return Ok(Rejected(
                        "messageDigest is not the artifact's SHA-256".into(),
                    ));
                }
            }
            // A hashedrekord signature is over the digest the bundle names (Sigstore
            // signs SHA-256 whatever the ECDSA curve); without one, the key's default.
            let scheme = match (&m.message_digest, scheme) {
                (Some(d), SignatureScheme::Ecdsa(_)) => match d.algorithm.as_str() {
                    "SHA2_384" => SignatureScheme::Ecdsa(HashAlgorithm::Sha384),
                    "SHA2_512" => SignatureScheme::Ecdsa(HashAlgorithm::Sha512),
                    _ => SignatureScheme::Ecdsa(HashAlgorithm::Sha256),
                },
                (_, s) => s,
            };
            if let Err(e) = key.verify(scheme, &artifact, &m.signature) {
                return Ok(Rejected(format!("message signature: {e}")));
            }
            m.signature.clone()
        }
    };

    // 4. timestamps
    let tsa = match TsaTrust::from_trusted_root_json(&root_json) {
        Ok(t) => Some(t),
        Err(e) if bundle.verification_material.rfc3161_timestamps.is_empty() => {
            let _ = e;
            None
        }
        Err(e) => return Ok(Rejected(format!("trusted root timestamp authorities: {e}"))),
    };
    let mut times = Vec::new();
    for (i, ts) in bundle
        .verification_material
        .rfc3161_timestamps
        .iter()
        .enumerate()
    {
        let Some(tsa) = &tsa else { break };
        match verify_timestamp(ts, Datum::Data(&signature), tsa, &VerifyOptions::default()) {
            Ok(v) => times.push((v.gen_time(), v.latest_time())),
            Err(e) => return Ok(Rejected(format!("timestamp {i}: {e}"))),
        }
    }

    // 5. certificate chain at the verified times
    let Some((leaf, untrusted)) = chain.split_first() else {
        return Ok(Decision::Verified);
    };
    if times.is_empty() {
        // Rekor v2 entries carry no integrated time: a timestamp is then required, and its
        // absence is a verdict this harness can give. A Rekor v1 entry's integratedTime
        // would be the signing time — that needs the log.
        let rekor_v1 = bundle.verification_material.tlog_entries.iter().any(|e| {
            e["integratedTime"].as_str().is_some_and(|t| t != "0")
                || e["integratedTime"].as_i64().is_some_and(|t| t != 0)
        });
        return Ok(if rekor_v1 {
            Decision::NeedsLog(
                "no RFC 3161 timestamp: the signing time is the Rekor entry's integrated time"
                    .into(),
            )
        } else {
            Rejected("certificate bundle without a verified timestamp or integrated time".into())
        });
    }
    let root: serde_json::Value = serde_json::from_slice(&root_json).map_err(|e| e.to_string())?;
    let authorities = certificate_authorities(&root)?;
    let all: Vec<Certificate> = authorities.iter().flat_map(|(c, _, _)| c.clone()).collect();
    let trust = TrustStore::from_certificates(all);
    for (time, latest) in times {
        let verified = match verify_chain(&ChainRequest {
            leaf,
            untrusted,
            trust: &trust,
            time,
            latest,
            profile: LeafProfile::ExtendedKeyUsage(ID_KP_CODE_SIGNING),
        }) {
            Ok(v) => v,
            Err(e) => return Ok(Rejected(format!("certificate chain at {time}: {e}"))),
        };
        let anchor = verified.anchor();
        let in_window = authorities.iter().any(|(certs, start, end)| {
            certs.iter().any(|c| c == anchor) && *start <= time && end.is_none_or(|e| time <= e)
        });
        if !in_window {
            return Ok(Rejected(format!(
                "{time} is outside the certificate authority's validFor"
            )));
        }
    }
    if let Err(e) = check_identity(leaf, &identity, &issuer) {
        return Ok(Rejected(e));
    }
    Ok(Decision::Verified)
}

pub(crate) fn run() -> Result<Summary, String> {
    let exp = Expectations::load("sigstore-conformance.json", SUITE)?;
    let root = format!("{}/assets/bundle-verify", base());
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .map_err(|e| format!("{root}: {e}"))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut tally = Tally::new(SUITE);
    for dir in dirs {
        let id = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let expected = if id.ends_with("_fail") {
            Expected::Reject
        } else {
            Expected::Accept
        };
        let decision = decide(&dir).map_err(|e| format!("{id}: {e}"))?;
        let outcome = match &decision {
            Decision::Verified => Outcome::Accepted,
            Decision::Rejected(e) | Decision::NeedsLog(e) => Outcome::Rejected(e.clone()),
        };
        match (exp.skip_reason(&id), decision) {
            (Some(reason), _) => tally.skipped_observed(&id, reason, expected, outcome),
            (None, Decision::NeedsLog(why)) => {
                tally.skipped(&id, format!("needs the transparency log: {why}"))
            }
            (None, _) => tally.ran(&id, expected, outcome),
        }
    }
    Ok(tally.finish(&exp))
}

//! The crate's single error type.
//!
//! Each variant says what failed and where (file, certificate, field). Errors of the lower
//! crates are kept as `source` with the context this crate knows (which certificate of
//! the bundle, which model path). Where model_signing 1.1.1 has a message for the same
//! failure, the same words are used (oms-format §12.4).

use std::path::PathBuf;

use modelsign_pki::Time;

use crate::Mode;

/// Everything that can make signing or verification fail.
///
/// Errors of the lower crates are boxed: they are large (chains of context), and the boxed
/// form keeps `Result<_, Error>` small on the success path.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    // ----- hashing (sign and verify) -----
    /// Walking or hashing the model failed.
    #[error("cannot hash the model '{}': {source}", model.display())]
    Hash {
        /// The model path.
        model: PathBuf,
        /// What went wrong (which file).
        #[source]
        source: Box<modelsign_digest::Error>,
    },

    /// Signing a model with no files (the OMS spec requires at least one resource; an empty
    /// signature would vouch for nothing).
    #[error(
        "refusing to sign an empty model: '{}' contains no files to sign (after ignored paths)",
        model.display()
    )]
    EmptyModel {
        /// The model path.
        model: PathBuf,
    },

    // ----- signing -----
    /// Building the in-toto statement failed.
    #[error("cannot build the in-toto statement: {0}")]
    BuildStatement(#[source] Box<modelsign_dsse::Error>),

    /// The private key could not sign.
    #[error("signing with the private key failed: {0}")]
    Sign(#[source] Box<modelsign_pki::Error>),

    /// The signing certificate's public key could not be read.
    #[error("cannot read the public key of the signing certificate '{subject}': {source}")]
    CertificatePublicKey {
        /// Subject of the certificate.
        subject: String,
        /// Why.
        #[source]
        source: Box<modelsign_pki::Error>,
    },

    /// The signing certificate does not certify the private key.
    #[error(
        "the private key does not match the signing certificate '{subject}' (its public key \
         is a different key)"
    )]
    KeyCertificateMismatch {
        /// Subject of the certificate.
        subject: String,
    },

    /// The signing certificate is outside its validity period at signing time; the
    /// signature would be rejected by every verifier that checks validity.
    #[error(
        "the signing certificate '{subject}' is not valid at the signing time {now} (valid \
         from {not_before} to {not_after})"
    )]
    SigningCertificateNotValid {
        /// Subject of the certificate.
        subject: String,
        /// Start of validity.
        not_before: Time,
        /// End of validity.
        not_after: Time,
        /// The signing time.
        now: Time,
    },

    /// An RSA padding was requested for a key that is not RSA.
    #[error("an RSA padding was requested, but the private key is {key} (not RSA)")]
    RsaPaddingForNonRsaKey {
        /// The key type.
        key: String,
    },

    // ----- verification: container -----
    /// The bundle is not a valid Sigstore bundle of the accepted shape.
    #[error("invalid signature file: {0}")]
    Bundle(#[source] Box<modelsign_bundle::Error>),

    /// The bundle's verification material is for a different mode than the one asked for.
    #[error(
        "the signature was made in {found} mode, but verification was asked for in {expected} \
         mode (use `modelsign verify {found_command}`)"
    )]
    WrongMode {
        /// Mode of the verifier.
        expected: Mode,
        /// What the bundle holds.
        found: &'static str,
        /// The subcommand that fits the bundle.
        found_command: &'static str,
    },

    /// The bundle is a Sigstore keyless bundle (a single Fulcio `certificate` plus
    /// transparency-log entries), which neither mode verifies.
    #[error(
        "the signature is a Sigstore keyless bundle (`verificationMaterial.certificate`); \
         modelsign verifies key and certificate (`x509CertificateChain`) signatures only"
    )]
    SigstoreBundle,

    /// The DSSE envelope carries no signature.
    #[error("the DSSE envelope has no signature (`dsseEnvelope.signatures` is empty)")]
    NoSignature,

    /// The DSSE envelope carries more than one signature. Only one key or certificate can
    /// be given in the bundle, and model_signing checks only the first signature, so any
    /// further signature could never be attributed to a signer; such bundles are refused
    /// rather than partially checked (oms-format §13 #8).
    #[error(
        "the DSSE envelope has {count} signatures; modelsign accepts exactly one \
         (`dsseEnvelope.signatures`)"
    )]
    MultipleSignatures {
        /// How many there were.
        count: usize,
    },

    // ----- verification: signer -----
    /// Key mode: the bundle's key hint is not the hash of the given public key.
    #[error(
        "Key mismatch: The public key hash in the signature's verification material does not \
         match the provided public key. (`verificationMaterial.publicKey.hint` is {hint}, the \
         given key's is {expected})"
    )]
    KeyHintMismatch {
        /// The hint in the bundle.
        hint: String,
        /// sha256 of the given key's PEM.
        expected: String,
    },

    /// Key mode, legacy bundle: the embedded public key is not the given one.
    #[error(
        "Key mismatch: the public key embedded in the signature \
         (`verificationMaterial.publicKey.rawBytes`) is not the provided public key"
    )]
    LegacyKeyMismatch,

    /// The DSSE signature does not verify with the signer's key.
    #[error("the DSSE signature does not verify with {signer} (the signature or the statement was altered, or it was made with another key)")]
    SignatureInvalid {
        /// The key or certificate used.
        signer: String,
    },

    /// A certificate in the bundle cannot be parsed.
    #[error("certificate {index} of the bundle (`x509CertificateChain.certificates[{index}]`) is invalid: {source}")]
    BundleCertificate {
        /// Index in the bundle's chain (0 = signing certificate).
        index: usize,
        /// Why.
        #[source]
        source: Box<modelsign_pki::Error>,
    },

    /// The bundle holds more certificates than any real chain needs.
    #[error("the bundle holds {count} certificates, more than the limit of {max}")]
    TooManyCertificates {
        /// How many.
        count: usize,
        /// The limit.
        max: usize,
    },

    /// The bundle's certificate chain is empty.
    #[error("the bundle's `x509CertificateChain.certificates` is empty")]
    NoCertificate,

    /// Certificate mode without any trusted certificate given.
    #[error(
        "no trusted certificates: certificate mode needs the trust anchors given with \
         --certificate-chain (modelsign never falls back to a public trust store)"
    )]
    NoTrustedCertificates,

    /// Path validation of the signing certificate failed.
    #[error(
        "the signing certificate '{subject}' is not trusted at {time} ({time_source}): {source}"
    )]
    Chain {
        /// Subject of the signing certificate.
        subject: String,
        /// The validation time.
        time: Time,
        /// Where that time comes from (a verified timestamp, or the current time when the
        /// bundle has no verified timestamp).
        time_source: crate::TimeSource,
        /// Why (from path validation).
        #[source]
        source: Box<modelsign_pki::Error>,
    },

    /// No validation time was given (an internal policy error, never user input).
    #[error("no time at which to validate the certificate chain")]
    NoValidationTime,

    // ----- timestamps (sign and verify) -----
    /// A timestamp of the bundle failed verification against the configured TSA trust. With
    /// TSA trust configured this fails the whole verification: it is tampered or foreign
    /// evidence, not something to skip (rfc3161-rules §6.4).
    #[error(
        "timestamp #{index} of the signature (`rfc3161Timestamps[{index}]`) is invalid: {source}"
    )]
    TimestampInvalid {
        /// Index in `rfc3161Timestamps`.
        index: usize,
        /// Why (from the RFC 3161 verifier).
        #[source]
        source: Box<modelsign_tsp::Error>,
    },

    /// TSA trust material is unusable.
    #[error("cannot use the TSA certificates of '{what}': {reason}")]
    TsaTrust {
        /// Which file or group.
        what: String,
        /// Why.
        reason: &'static str,
    },

    /// `--require-timestamp` (or a threshold / maximum age) needs a verified timestamp and
    /// the bundle has none.
    #[error("a trusted timestamp is required, but the signature has {}", describe_missing(*present, *trust_configured))]
    TimestampRequired {
        /// How many timestamps the bundle carries.
        present: usize,
        /// Whether the verifier configured TSA trust (without it none can be verified).
        trust_configured: bool,
    },

    /// Fewer distinct time-stamping authorities than required vouch for the signature.
    #[error(
        "{required} distinct timestamping authorities are required, but the verified timestamps come from {found} ({verified} verified timestamps); a second token from the same authority does not count"
    )]
    TimestampThreshold {
        /// The threshold.
        required: usize,
        /// Distinct authorities among the verified timestamps.
        found: usize,
        /// Verified timestamps.
        verified: usize,
    },

    /// The signature is older than the verifier's maximum age.
    #[error(
        "the signature is too old: its earliest trusted timestamp (genTime {gen_time}) is {age_secs} s old at {now}, more than the maximum of {max_age_secs} s"
    )]
    TimestampTooOld {
        /// Earliest verified genTime.
        gen_time: Time,
        /// now - genTime, in seconds.
        age_secs: i64,
        /// The maximum.
        max_age_secs: u64,
        /// The verification time.
        now: Time,
    },

    /// Signing: the time-stamp request is not for this signature (its imprint is not the
    /// hash of the raw signature bytes).
    #[error("the time-stamp request's imprint is not the {hash} hash of the signature")]
    TimestampRequestMismatch {
        /// The request's imprint algorithm.
        hash: &'static str,
    },

    /// Signing: a time-stamp response does not answer its request or does not verify.
    #[error("the time-stamp response from {tsa} is not acceptable: {source}")]
    TimestampResponse {
        /// The TSA (URL or name) it came from.
        tsa: String,
        /// Why.
        #[source]
        source: Box<modelsign_tsp::Error>,
    },

    /// Signing (rfc3161-rules §4.6): the timestamp's genTime (plus accuracy) lies outside
    /// the signing certificate's validity, so it could never prove the signature valid.
    #[error(
        "the timestamp from {tsa} (genTime {gen_time}, latest {latest}) is outside the validity of the certificate '{subject}' ({not_before} to {not_after}) of the signing chain"
    )]
    TimestampOutsideCertificateValidity {
        /// The TSA.
        tsa: String,
        /// genTime.
        gen_time: Time,
        /// genTime + accuracy.
        latest: Time,
        /// Subject of the certificate of the signing chain whose validity it misses.
        subject: String,
        /// Its notBefore.
        not_before: Time,
        /// Its notAfter.
        not_after: Time,
    },

    /// Adding timestamps to a bundle failed (duplicate, too many, unreadable bundle).
    #[error("cannot add the timestamps to the signature: {0}")]
    AddTimestamps(#[source] Box<modelsign_bundle::Error>),

    // ----- revocation -----
    /// A CRL could not be used (bad signature, unsupported extension, parse error).
    #[error("CRL check failed: {0}")]
    Crl(#[source] Box<modelsign_pki::Error>),

    /// A certificate of the signing chain is revoked at or before the time the signature
    /// is proven to exist (or, without a trusted timestamp, at all).
    #[error(
        "certificate '{subject}' (serial {serial_hex}) of the signing chain is revoked as of {effective}{}{}",
        reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default(),
        match signing_time {
            Some(t) => format!(", not after the trusted signing time (latest {t})"),
            None => ", and no trusted timestamp proves the signature was made before".to_owned(),
        }
    )]
    Revoked {
        /// Subject of the revoked certificate.
        subject: String,
        /// Its serial (hex).
        serial_hex: String,
        /// invalidityDate if present, else revocationDate.
        effective: Time,
        /// CRLReason, if given.
        reason: Option<String>,
        /// The latest trusted signing time (genTime + accuracy), if any.
        signing_time: Option<Time>,
    },

    /// The revocation status of a certificate of the signing chain cannot be established
    /// from the CRLs given (`--crl`): no CRL of its issuer, or none that speaks about the
    /// time that matters (module docs of `revocation`). Revocation status is part of path
    /// validation (RFC 5280 §6.1.3 (a)(3)), so this fails the verification; the message
    /// says which CRL would settle it.
    #[error("{}", describe_revocation_unknown(subject, crl_issuer, *needed, time_source, reason))]
    RevocationUnknown {
        /// Subject of the certificate whose status is unknown (the signing certificate, or
        /// an intermediate for which a CRL of its issuer was given).
        subject: String,
        /// Subject of its issuer: the CA whose CRL is needed.
        crl_issuer: String,
        /// The instant a CRL must speak about: the latest trusted signing time (genTime +
        /// accuracy) of a verified timestamp, or the current time when there is none.
        needed: Time,
        /// Where `needed` comes from (boxed: it holds the TSA's name and serial, and would
        /// make this the largest variant of every `Result<_, Error>`).
        time_source: Box<crate::TimeSource>,
        /// What is missing, with what was given instead.
        reason: RevocationUnknownReason,
    },

    // ----- verification: statement and manifest -----
    /// The DSSE payload is not an acceptable in-toto statement.
    #[error("invalid statement in the signature: {0}")]
    Statement(#[source] Box<modelsign_dsse::Error>),

    /// The statement names a hash this version cannot compute.
    #[error("the statement uses the hash algorithm '{name}', which this version does not support")]
    UnsupportedHash {
        /// Its name.
        name: String,
    },

    /// The statement lists no resources: it would vouch for nothing, so it is refused even
    /// though model_signing 1.1.1 verifies it (OMS v1.0 forbids it).
    #[error("the signed manifest lists no files: refusing a signature that covers nothing")]
    EmptyManifest,

    /// The model on disk differs from the signed manifest.
    #[error("Signature mismatch: {0}")]
    ModelMismatch(#[source] Box<modelsign_digest::Mismatch>),
}

/// Why no CRL given shows a certificate unrevoked at the time that matters
/// ([`Error::RevocationUnknown`]).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RevocationUnknownReason {
    /// None of the CRLs given is a complete CRL of the certificate's issuer (another CA's
    /// CRL, a CRL of another scope, or a delta CRL).
    NoCrlOfIssuer {
        /// How many CRLs were given in all.
        crls_given: usize,
    },
    /// Trusted timestamp: every CRL of the issuer given was issued (thisUpdate) before the
    /// latest trusted signing time, so none can show a revocation between its issue and
    /// the signature.
    CrlTooOld {
        /// thisUpdate of the newest CRL of the issuer given.
        newest_this_update: Time,
    },
    /// No trusted timestamp: no CRL of the issuer given is current at the verification
    /// time (RFC 5280 §6.3.3 (a): its nextUpdate has passed, or it has none).
    CrlNotCurrent {
        /// thisUpdate of the newest CRL of the issuer given.
        newest_this_update: Time,
        /// That CRL's nextUpdate (`None`: it has none, so it is never current).
        next_update: Option<Time>,
    },
    /// The CRLs of the issuer that would speak about the time were issued after the
    /// certificate expired and do not declare ExpiredCertsOnCRL at or before its notAfter:
    /// RFC 5280 §3.3 lets a CA drop an expired certificate's entry, so their silence does
    /// not show that it was not revoked.
    CrlIssuedAfterExpiry {
        /// thisUpdate of the newest such CRL.
        this_update: Time,
        /// The certificate's notAfter.
        not_after: Time,
    },
    /// The only CRLs of the issuer that would settle it were issued (thisUpdate) after the
    /// verifier's current time, beyond the allowed clock skew: a CRL from the future is
    /// not used as evidence of non-revocation (the CA's or the verifier's clock is wrong).
    CrlNotYetValid {
        /// thisUpdate of the newest such CRL.
        this_update: Time,
        /// The verifier's current time.
        now: Time,
    },
}

/// The message of [`Error::RevocationUnknown`]: what was missing, and what to give instead.
fn describe_revocation_unknown(
    subject: &str,
    crl_issuer: &str,
    needed: Time,
    time_source: &crate::TimeSource,
    reason: &RevocationUnknownReason,
) -> String {
    let head =
        format!("the revocation status of certificate '{subject}' of the signing chain is unknown");
    // What a sufficient CRL looks like, per kind of time (module docs of `revocation`).
    let wanted = match time_source {
        crate::TimeSource::CurrentTime => format!(
            "current at {needed} (the current time: no trusted timestamp proves an earlier \
             signing time)"
        ),
        trusted @ crate::TimeSource::Timestamp { .. } => format!(
            "issued at or after {needed} (the latest trusted signing time, genTime + accuracy, \
             of {trusted})"
        ),
    };
    match reason {
        RevocationUnknownReason::NoCrlOfIssuer { crls_given } => format!(
            "{head}: none of the {crls_given} CRL(s) given (--crl) is a complete CRL of its \
             issuer '{crl_issuer}'; give a CRL of '{crl_issuer}' {wanted}"
        ),
        RevocationUnknownReason::CrlTooOld { newest_this_update } => format!(
            "{head}: no CRL of '{crl_issuer}' {wanted} was given; the newest given was issued \
             (thisUpdate) {newest_this_update}: an older CRL cannot show a later revocation"
        ),
        RevocationUnknownReason::CrlNotCurrent {
            newest_this_update,
            next_update,
        } => {
            let stale = match next_update {
                Some(next) => format!("its nextUpdate {next} has passed"),
                None => "it has no nextUpdate, so it is never current".to_owned(),
            };
            format!(
                "{head}: no CRL of '{crl_issuer}' {wanted} was given; the newest given was \
                 issued (thisUpdate) {newest_this_update} and {stale}"
            )
        }
        RevocationUnknownReason::CrlIssuedAfterExpiry {
            this_update,
            not_after,
        } => format!(
            "{head}: the CRL of '{crl_issuer}' given was issued (thisUpdate) {this_update}, \
             after the certificate expired ({not_after}), and a CA may drop expired \
             certificates from its CRLs (RFC 5280 §3.3); give a CRL of '{crl_issuer}' {wanted} \
             and at or before {not_after}, or one with an expiredCertsOnCRL extension at or \
             before {not_after}"
        ),
        RevocationUnknownReason::CrlNotYetValid { this_update, now } => format!(
            "{head}: the CRL of '{crl_issuer}' given was issued (thisUpdate) {this_update}, \
             more than {skew} s after the current time {now}: a CRL from the future is not \
             used (check the clocks); give a CRL of '{crl_issuer}' {wanted}",
            skew = crate::revocation::CRL_CLOCK_SKEW.as_secs()
        ),
    }
}

fn describe_missing(present: usize, trust_configured: bool) -> String {
    match (present, trust_configured) {
        (0, _) => "none".to_owned(),
        (n, false) => format!(
            "{n} that cannot be verified: no TSA trust is configured (--tsa-certificate-chain or --trusted-root)"
        ),
        (n, true) => format!("{n}, none of them verified"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_keep_model_signing_wording() {
        let e = Error::KeyHintMismatch {
            hint: "aa".into(),
            expected: "bb".into(),
        };
        assert!(e.to_string().starts_with(
            "Key mismatch: The public key hash in the signature's verification material does \
             not match the provided public key."
        ));
        let e = Error::WrongMode {
            expected: Mode::Key,
            found: "certificate",
            found_command: "certificate",
        };
        assert!(e.to_string().contains("use `modelsign verify certificate`"));
    }

    fn at(s: &str) -> Time {
        Time::parse_rfc3339(s).unwrap()
    }

    fn unknown(time_source: crate::TimeSource, reason: RevocationUnknownReason) -> String {
        Error::RevocationUnknown {
            subject: "CN=Signer".into(),
            crl_issuer: "CN=Issuing CA".into(),
            needed: at("2026-11-22T04:00:01Z"),
            time_source: Box::new(time_source),
            reason,
        }
        .to_string()
    }

    fn first_stamp() -> crate::TimeSource {
        crate::TimeSource::Timestamp {
            index: 0,
            tsa: "CN=TSA".into(),
            serial_hex: "01".into(),
        }
    }

    #[test]
    fn revocation_unknown_says_which_crl_to_give() {
        let stamp = first_stamp();
        assert_eq!(
            unknown(
                stamp.clone(),
                RevocationUnknownReason::CrlTooOld {
                    newest_this_update: at("2026-11-01T00:00:00Z"),
                },
            ),
            "the revocation status of certificate 'CN=Signer' of the signing chain is unknown: \
             no CRL of 'CN=Issuing CA' issued at or after 2026-11-22T04:00:01Z (the latest \
             trusted signing time, genTime + accuracy, of trusted timestamp #0 from 'CN=TSA', \
             serial 01) was given; the newest given was issued (thisUpdate) \
             2026-11-01T00:00:00Z: an older CRL cannot show a later revocation"
        );
        assert_eq!(
            unknown(
                stamp,
                RevocationUnknownReason::NoCrlOfIssuer { crls_given: 2 }
            ),
            "the revocation status of certificate 'CN=Signer' of the signing chain is unknown: \
             none of the 2 CRL(s) given (--crl) is a complete CRL of its issuer 'CN=Issuing \
             CA'; give a CRL of 'CN=Issuing CA' issued at or after 2026-11-22T04:00:01Z (the \
             latest trusted signing time, genTime + accuracy, of trusted timestamp #0 from \
             'CN=TSA', serial 01)"
        );
        assert_eq!(
            unknown(
                crate::TimeSource::CurrentTime,
                RevocationUnknownReason::CrlNotCurrent {
                    newest_this_update: at("2026-11-01T00:00:00Z"),
                    next_update: None,
                },
            ),
            "the revocation status of certificate 'CN=Signer' of the signing chain is unknown: \
             no CRL of 'CN=Issuing CA' current at 2026-11-22T04:00:01Z (the current time: no \
             trusted timestamp proves an earlier signing time) was given; the newest given was \
             issued (thisUpdate) 2026-11-01T00:00:00Z and it has no nextUpdate, so it is never \
             current"
        );
    }

    #[test]
    fn a_late_or_future_crl_says_which_crl_to_give_instead() {
        let stamp = first_stamp();
        assert_eq!(
            unknown(
                stamp,
                RevocationUnknownReason::CrlIssuedAfterExpiry {
                    this_update: at("2027-03-01T00:00:00Z"),
                    not_after: at("2027-01-01T00:00:00Z"),
                },
            ),
            "the revocation status of certificate 'CN=Signer' of the signing chain is unknown: \
             the CRL of 'CN=Issuing CA' given was issued (thisUpdate) 2027-03-01T00:00:00Z, \
             after the certificate expired (2027-01-01T00:00:00Z), and a CA may drop expired \
             certificates from its CRLs (RFC 5280 §3.3); give a CRL of 'CN=Issuing CA' issued \
             at or after 2026-11-22T04:00:01Z (the latest trusted signing time, genTime + \
             accuracy, of trusted timestamp #0 from 'CN=TSA', serial 01) and at or before \
             2027-01-01T00:00:00Z, or one with an expiredCertsOnCRL extension at or before \
             2027-01-01T00:00:00Z"
        );
        assert_eq!(
            unknown(
                crate::TimeSource::CurrentTime,
                RevocationUnknownReason::CrlNotYetValid {
                    this_update: at("2026-11-23T00:00:00Z"),
                    now: at("2026-11-22T04:00:01Z"),
                },
            ),
            "the revocation status of certificate 'CN=Signer' of the signing chain is unknown: \
             the CRL of 'CN=Issuing CA' given was issued (thisUpdate) 2026-11-23T00:00:00Z, \
             more than 300 s after the current time 2026-11-22T04:00:01Z: a CRL from the \
             future is not used (check the clocks); give a CRL of 'CN=Issuing CA' current at \
             2026-11-22T04:00:01Z (the current time: no trusted timestamp proves an earlier \
             signing time)"
        );
    }
}

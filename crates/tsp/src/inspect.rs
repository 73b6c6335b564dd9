//! Human-readable dump of a time-stamp response or token, in the spirit of
//! `openssl ts -reply -text` plus the CMS signer details (`openssl cms -cmsout -print`).
//!
//! This is a *display* of what the bytes say, not a verdict: nothing here is verified.

use std::fmt::Write as _;

use cms::signed_data::SignerIdentifier;

use crate::error::Error;
use crate::oid;
use crate::response::TimeStampResponse;
use crate::token::{signed_attribute_values, TimeStampToken};

/// Dumps a TimeStampResp, or a bare token if the input is not a response.
pub fn inspect(bytes: &[u8]) -> Result<String, Error> {
    match TimeStampResponse::from_der(bytes) {
        Ok(r) => Ok(inspect_response(&r)),
        Err(response_err) => match TimeStampToken::from_der(bytes) {
            Ok(t) => Ok(inspect_token(&t)),
            Err(_) => Err(response_err),
        },
    }
}

/// Dumps a parsed response.
pub fn inspect_response(response: &TimeStampResponse) -> String {
    let mut out = String::new();
    let status = response.status();
    let _ = writeln!(out, "Status info:");
    let _ = writeln!(
        out,
        "  Status: {} ({})",
        status.status(),
        status.status_value()
    );
    for s in status.status_strings() {
        let _ = writeln!(out, "  Status string: {s}");
    }
    let _ = writeln!(
        out,
        "  Failure info: {}",
        status
            .fail_info()
            .map_or_else(|| "unspecified".to_string(), |f| f.to_string())
    );
    match response.token() {
        Some(t) => {
            out.push('\n');
            out.push_str(&inspect_token(t));
        }
        None => {
            let _ = writeln!(out, "\nNo time-stamp token.");
        }
    }
    out
}

/// Dumps a parsed token: TSTInfo, then the CMS signer details and certificates.
pub fn inspect_token(token: &TimeStampToken) -> String {
    let mut out = String::new();
    let tst = token.tst_info();
    let a = tst.asn1();
    let _ = writeln!(out, "TST info:");
    let _ = writeln!(
        out,
        "  Version: {}",
        tst.version().map_or_else(
            || format!("0x{}", hex::encode(a.version.as_bytes())),
            |v| v.to_string()
        )
    );
    let _ = writeln!(out, "  Policy OID: {}", tst.policy);
    let _ = writeln!(
        out,
        "  Hash Algorithm: {}",
        tst.hash_algorithm.map_or_else(
            || oid::display_name(&tst.hash_algorithm_oid),
            |h| h.name().to_string()
        )
    );
    let _ = writeln!(out, "  Message data: {}", hex::encode(&tst.digest));
    let _ = writeln!(out, "  Serial number: 0x{}", tst.serial_hex());
    let _ = writeln!(
        out,
        "  Time stamp: {} ({})",
        tst.gen_time,
        a.gen_time.to_value_string()
    );
    let accuracy = match (&a.accuracy, tst.accuracy()) {
        (None, _) => "unspecified".to_string(),
        (Some(_), Ok(Some(acc))) => {
            format!("{} s, {} ms, {} us", acc.seconds, acc.millis, acc.micros)
        }
        (Some(raw), _) => format!(
            "INVALID ({})",
            [
                ("seconds", &raw.seconds),
                ("millis", &raw.millis),
                ("micros", &raw.micros)
            ]
            .iter()
            .filter_map(|(n, v)| v
                .as_ref()
                .map(|i| format!("{n}=0x{}", hex::encode(i.as_bytes()))))
            .collect::<Vec<_>>()
            .join(", ")
        ),
    };
    let _ = writeln!(out, "  Accuracy: {accuracy}");
    let _ = writeln!(
        out,
        "  Ordering: {}",
        if tst.ordering { "yes" } else { "no" }
    );
    let _ = writeln!(
        out,
        "  Nonce: {}",
        tst.nonce
            .as_ref()
            .map_or_else(|| "unspecified".into(), |n| format!("0x{}", hex::encode(n)))
    );
    let _ = writeln!(
        out,
        "  TSA: {}",
        tst.tsa.as_deref().unwrap_or("unspecified")
    );
    match &a.extensions {
        None => {
            let _ = writeln!(out, "  Extensions: none");
        }
        Some(exts) => {
            let _ = writeln!(out, "  Extensions:");
            for e in exts {
                let _ = writeln!(
                    out,
                    "    {}{}: {}",
                    oid::display_name(&e.extn_id),
                    if e.critical { " (critical)" } else { "" },
                    hex::encode(e.extn_value.as_bytes())
                );
            }
        }
    }

    let sd = token.signed_data();
    let _ = writeln!(out, "\nSigned data:");
    let _ = writeln!(out, "  Version: {}", sd.version as u8);
    let _ = writeln!(
        out,
        "  eContentType: {}",
        oid::display_name(&token.econtent_type())
    );
    let _ = writeln!(
        out,
        "  Encoding: {}",
        if token.used_indefinite_length() {
            "BER (indefinite lengths)"
        } else {
            "definite lengths"
        }
    );
    for (i, si) in token.signer_infos().iter().enumerate() {
        let _ = writeln!(out, "  Signer #{i}:");
        let _ = writeln!(out, "    Version: {}", si.version as u8);
        match &si.sid {
            SignerIdentifier::IssuerAndSerialNumber(isn) => {
                let _ = writeln!(
                    out,
                    "    sid: issuer {}, serial 0x{}",
                    isn.issuer,
                    hex::encode(isn.serial_number.as_bytes())
                );
            }
            SignerIdentifier::SubjectKeyIdentifier(ski) => {
                let _ = writeln!(
                    out,
                    "    sid: subjectKeyIdentifier {}",
                    hex::encode(ski.0.as_bytes())
                );
            }
        }
        let _ = writeln!(
            out,
            "    Digest algorithm: {}",
            oid::display_name(&si.digest_alg.oid)
        );
        let _ = writeln!(
            out,
            "    Signature algorithm: {}",
            oid::display_name(&si.signature_algorithm.oid)
        );
        let _ = writeln!(
            out,
            "    Signature: {} bytes",
            si.signature.as_bytes().len()
        );
        match &si.signed_attrs {
            None => {
                let _ = writeln!(out, "    Signed attributes: none");
            }
            Some(attrs) => {
                let _ = writeln!(out, "    Signed attributes:");
                for attr in attrs.iter() {
                    let _ = writeln!(out, "      {}", oid::display_name(&attr.oid));
                }
                match signed_attribute_values(si) {
                    Err(e) => {
                        let _ = writeln!(out, "      (malformed: {e})");
                    }
                    Ok(v) => {
                        if let Some(ct) = v.content_type {
                            let _ = writeln!(out, "      contentType = {}", oid::display_name(&ct));
                        }
                        if let Some(md) = v.message_digest {
                            let _ = writeln!(out, "      messageDigest = {}", hex::encode(md));
                        }
                        if let Some(t) = v.signing_time {
                            let _ = writeln!(out, "      signingTime = {t}");
                        }
                        if let Some(sc) = v.signing_certificate {
                            for c in &sc.certs {
                                let _ = writeln!(
                                    out,
                                    "      signingCertificate ESSCertID: sha1 {}",
                                    hex::encode(c.cert_hash.as_bytes())
                                );
                            }
                        }
                        if let Some(sc) = v.signing_certificate_v2 {
                            for c in &sc.certs {
                                let _ = writeln!(
                                    out,
                                    "      signingCertificateV2 ESSCertIDv2: {} {}{}",
                                    oid::display_name(&c.hash_algorithm_oid()),
                                    hex::encode(c.cert_hash.as_bytes()),
                                    c.issuer_serial
                                        .as_ref()
                                        .map_or_else(String::new, |s| format!(
                                            ", serial 0x{}",
                                            hex::encode(s.serial_number.as_bytes())
                                        ))
                                );
                            }
                        }
                    }
                }
            }
        }
        let unsigned = si.unsigned_attrs.as_ref().map_or(0, |u| u.len());
        let _ = writeln!(out, "    Unsigned attributes: {unsigned}");
    }
    let _ = writeln!(out, "\nCertificates ({}):", token.certificates().len());
    for (i, c) in token.certificates().iter().enumerate() {
        let _ = writeln!(out, "  [{i}] subject: {}", c.subject());
        let _ = writeln!(out, "      issuer: {}", c.issuer());
        let _ = writeln!(out, "      serial: 0x{}", c.serial_hex());
        let _ = writeln!(
            out,
            "      validity: {} .. {}",
            c.not_before(),
            c.not_after()
        );
    }
    if token.other_certificate_count() > 0 {
        let _ = writeln!(
            out,
            "  (+{} non-X.509 certificate entries)",
            token.other_certificate_count()
        );
    }
    let _ = writeln!(out, "CRLs: {}", token.crl_count());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const RESPONSE: &[u8] = include_bytes!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/testdata/openssl-tsa/response.tsr"
    ));

    #[test]
    fn dumps_the_openssl_sample() {
        let text = inspect(RESPONSE).unwrap();
        for needle in [
            "Status: granted (0)",
            "Policy OID: 1.3.6.1.4.1.57264.2",
            "Hash Algorithm: sha256",
            "Serial number: 0x02",
            "Time stamp: 2026-11-21T23:57:58Z (20261121235758Z)",
            "Accuracy: 1 s, 500 ms, 100 us",
            "Ordering: no",
            "TSA: ",
            "eContentType: id-ct-TSTInfo",
            "signingCertificateV2 ESSCertIDv2: id-sha256",
            "Certificates (2):",
            "Example Test TSA Signer",
        ] {
            assert!(text.contains(needle), "missing {needle:?} in:\n{text}");
        }
    }

    #[test]
    fn rejects_garbage() {
        assert!(matches!(inspect(b"garbage"), Err(Error::Ber { .. })));
    }
}

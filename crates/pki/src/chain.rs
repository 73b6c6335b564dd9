//! Certificate path validation at a chosen time: [`verify_chain`] → [`VerifiedChain`].
//!
//! Path building and signature checks are rustls-webpki's (`verify_for_usage` at the
//! requested time, RFC 5280 §6 subset: names chain, signatures, basicConstraints, pathLen,
//! name constraints, unknown critical extensions rejected). modelsign adds, in this order:
//!
//! 1. **Leaf profile** ([`LeafProfile::check_leaf`]): KeyUsage / EKU rules webpki does not
//!    check (rust-stack.md P3, P4, P6).
//! 2. **Validity window for every certificate, the trust anchor included**:
//!    `notBefore <= time` and `latest <= notAfter` (RFC 5280 §4.1.2.5 bounds are inclusive).
//!    `latest` is `time` plus the timestamp's accuracy, so a certificate must cover the
//!    whole interval the signing could have happened in. webpki checks only `time` and
//!    never the anchor (P7); modelsign treats an expired root as untrusted, like OpenSSL.
//! 3. **keyCertSign**: every issuing certificate (intermediates and anchor) with a KeyUsage
//!    extension must assert keyCertSign (RFC 5280 §4.2.1.3, P4).
//! 4. **EKU on intermediates** is honoured only when present: it must then contain the
//!    profile's purpose (webpki `ExtendedKeyUsageValidator`, P3).
//!
//! 5. **Certificate structure** (module `structure`): RFC 5280 §4 profile rules webpki
//!    does not check (critical extensions, basicConstraints and keyUsage consistency, and
//!    the trust anchor's own extensions, AKI/SKI, SAN and nameConstraints syntax, RSA key
//!    size of every key including the leaf's). The leaf is checked before path building,
//!    each issuer per candidate path; some rules apply only to the generic profile.
//!
//! Checks 2, 3 and 5 run inside webpki's `verify_path` callback, so a candidate path that
//! fails them makes webpki backtrack and try another one.
//!
//! Known webpki limits (no own path builder replaces it): a self-issued intermediate
//! (same name, new key) counts against pathLenConstraint and is subject to name
//! constraints (RFC 5280 §6.1.4 (l) and (b) exempt it), and rfc822Name,
//! uniformResourceIdentifier and directoryName constraints fail closed.
//!
//! **Model-signing exceptions** (rust-stack.md P20; model_signing 1.1.1 uses OpenSSL, which
//! accepts both):
//! * A leaf whose exact DER is one of the trust anchors is trusted directly: the chain is
//!   just `[leaf]` (profile and validity window still apply).
//! * A leaf with basicConstraints CA:TRUE cannot be an end entity for webpki
//!   (`CaUsedAsEndEntity`). For such a leaf modelsign builds the path itself with the same
//!   rules: issuer found by exact name match, signature verified with the issuer's key,
//!   issuers must be CAs (basicConstraints CA:TRUE) with keyCertSign if KeyUsage is
//!   present, pathLenConstraint honoured, validity window on every certificate, the
//!   structure rules (unknown critical extensions included) on every certificate, at most
//!   [`MAX_INTERMEDIATES`] intermediates. Name constraints are **not** processed on this
//!   path; only the model-signing profile takes it, and the
//!   TimeStamping profile rejects CA leaves.
//!
//! **Budgets**: at most [`MAX_UNTRUSTED_CERTIFICATES`] caller-supplied certificates; webpki
//! itself limits a build to 100 signature checks and 200,000 build steps.
//!
//! **Errors** name the certificate and the reason. When webpki fails, the path is walked
//! again by name to find the first broken link (missing issuer, bad signature, validity),
//! so the reported certificate is the one at fault rather than the leaf.

use std::cell::RefCell;

use rustls_pki_types::{CertificateDer, TrustAnchor};
use webpki::{EndEntityCert, ExtendedKeyUsageValidator, KeyPurposeId, KeyPurposeIdIter};

use crate::certificate::Certificate;
use crate::error::Error;
use crate::profile::LeafProfile;
use crate::structure::{self, Role};
use crate::time::Time;
use crate::trust::TrustStore;

/// Caller-supplied untrusted certificates per request (bundle chain, CMS certificate bag).
/// webpki stops after 100 signature checks per build, so more candidates than this could
/// never all be tried anyway; real chains carry 1-3.
pub const MAX_UNTRUSTED_CERTIFICATES: usize = 64;
/// Intermediates per path: webpki's `MAX_SUB_CA_COUNT` (6), used for our own CA-leaf paths
/// too so that both builders accept the same depth.
pub const MAX_INTERMEDIATES: usize = 6;

/// What to validate and how.
#[derive(Debug, Clone)]
pub struct ChainRequest<'a> {
    pub leaf: &'a Certificate,
    /// e.g. bundle chain `[1..]` or a token's certificate bag.
    pub untrusted: &'a [Certificate],
    pub trust: &'a TrustStore,
    /// Validate at this instant: `notBefore <= time` for every certificate.
    pub time: Time,
    /// And `latest <= notAfter` for every certificate (`time` + accuracy; `== time` when
    /// there is no accuracy).
    pub latest: Time,
    pub profile: LeafProfile,
}

/// Proof that a chain validated: only [`verify_chain`] constructs it.
#[derive(Debug, Clone)]
pub struct VerifiedChain {
    certificates: Vec<Certificate>,
    time: Time,
    profile: LeafProfile,
}

impl VerifiedChain {
    /// Leaf first, anchor last (a directly trusted leaf is both).
    pub fn certificates(&self) -> &[Certificate] {
        &self.certificates
    }

    pub fn leaf(&self) -> &Certificate {
        // INVARIANT: verify_chain never builds an empty chain.
        &self.certificates[0]
    }

    pub fn anchor(&self) -> &Certificate {
        // INVARIANT: verify_chain never builds an empty chain.
        &self.certificates[self.certificates.len() - 1]
    }

    /// The validation time the chain was checked at.
    pub fn time(&self) -> Time {
        self.time
    }

    /// The profile the leaf was checked against.
    pub fn profile(&self) -> &LeafProfile {
        &self.profile
    }
}

/// Validates `req.leaf` up to one of `req.trust`'s anchors; see the module documentation.
pub fn verify_chain(req: &ChainRequest<'_>) -> Result<VerifiedChain, Error> {
    if req.trust.anchors().is_empty() {
        return Err(Error::NoTrustAnchors);
    }
    if req.untrusted.len() > MAX_UNTRUSTED_CERTIFICATES {
        return Err(Error::TooMany {
            what: "untrusted certificates for path building",
            count: req.untrusted.len(),
            limit: MAX_UNTRUSTED_CERTIFICATES,
        });
    }
    // `latest` is `time` + accuracy; a caller passing an earlier instant would otherwise
    // shrink the window below `time`.
    let req = &ChainRequest {
        latest: req.latest.max(req.time),
        ..req.clone()
    };
    req.profile.check_leaf(req.leaf)?;
    structure::check(req.leaf, Role::EndEntity, &req.profile)?;
    check_validity(req.leaf, req.time, req.latest)?;

    let done = |certificates: Vec<Certificate>| VerifiedChain {
        certificates,
        time: req.time,
        profile: req.profile,
    };
    if req.profile.allows_ca_leaf() {
        if req.trust.anchors().iter().any(|a| a == req.leaf) {
            return Ok(done(vec![req.leaf.clone()]));
        }
        if req.leaf.basic_constraints()?.is_some_and(|bc| bc.ca) {
            return ca_leaf_path(req).map(done);
        }
    }
    webpki_path(req).map(done)
}

/// `notBefore <= time` and `latest <= notAfter`.
fn check_validity(cert: &Certificate, time: Time, latest: Time) -> Result<(), Error> {
    let not_before = cert.not_before();
    if time < not_before {
        return Err(Error::CertificateNotYetValid {
            subject: cert.subject(),
            not_before,
            time,
        });
    }
    let not_after = cert.not_after();
    if not_after < latest {
        return Err(Error::CertificateExpired {
            subject: cert.subject(),
            not_after,
            time: latest,
        });
    }
    Ok(())
}

/// An issuing certificate must be allowed to sign certificates (keyCertSign if KU present).
fn check_issuer_key_usage(cert: &Certificate) -> Result<(), Error> {
    if cert.key_usage()?.is_some_and(|ku| !ku.key_cert_sign) {
        return Err(Error::InvalidIssuer {
            subject: cert.subject(),
            reason: "its keyUsage lacks keyCertSign",
        });
    }
    Ok(())
}

/// Requires `purpose` in every certificate that has an EKU extension (RFC 5280 does not
/// define EKU on CAs; CA/B and Microsoft practice treat it as a restriction when present).
struct PurposeIfPresent {
    oid_body: Vec<u8>,
}

impl ExtendedKeyUsageValidator for PurposeIfPresent {
    fn validate(&self, iter: KeyPurposeIdIter<'_, '_>) -> Result<(), webpki::Error> {
        let wanted = KeyPurposeId::new(&self.oid_body);
        let mut empty = true;
        for id in iter {
            empty = false;
            if id? == wanted {
                return Ok(());
            }
        }
        if empty {
            Ok(())
        } else {
            // The Context variant needs a `'static` OID; our purpose is dynamic and the
            // error is re-explained by `explain_webpki_error` anyway.
            #[allow(deprecated)]
            Err(webpki::Error::RequiredEkuNotFound)
        }
    }
}

fn webpki_path(req: &ChainRequest<'_>) -> Result<Vec<Certificate>, Error> {
    let anchor_certs: Vec<&Certificate> = req.trust.anchors().iter().collect();
    let anchor_ders: Vec<CertificateDer<'_>> = anchor_certs
        .iter()
        .map(|c| CertificateDer::from(c.der()))
        .collect();
    // An anchor webpki cannot parse is skipped (it could never be part of a path).
    let mut anchors: Vec<TrustAnchor<'_>> = Vec::with_capacity(anchor_ders.len());
    let mut anchor_index: Vec<usize> = Vec::with_capacity(anchor_ders.len());
    for (i, der) in anchor_ders.iter().enumerate() {
        if let Ok(a) = webpki::anchor_from_trusted_cert(der) {
            anchors.push(a);
            anchor_index.push(i);
        }
    }
    let pool: Vec<&Certificate> = req
        .untrusted
        .iter()
        .chain(req.trust.intermediates().iter())
        .collect();
    let pool_ders: Vec<CertificateDer<'_>> =
        pool.iter().map(|c| CertificateDer::from(c.der())).collect();

    let leaf_der = CertificateDer::from(req.leaf.der());
    let ee = EndEntityCert::try_from(&leaf_der).map_err(|e| Error::PathValidation {
        subject: req.leaf.subject(),
        reason: format!("not acceptable as end-entity certificate: {e}"),
    })?;
    let eku = PurposeIfPresent {
        oid_body: req.profile.purpose().as_bytes().to_vec(),
    };

    let rejected: RefCell<Vec<Error>> = RefCell::new(Vec::new());
    let accepted: RefCell<Option<Vec<Certificate>>> = RefCell::new(None);
    let callback = |path: &webpki::VerifiedPath<'_>| -> Result<(), webpki::Error> {
        let mut certs = vec![req.leaf.clone()];
        for inter in path.intermediate_certificates() {
            let der = inter.der();
            match pool.iter().find(|c| c.der() == der.as_ref()) {
                Some(c) => certs.push((*c).clone()),
                None => return Err(webpki::Error::UnknownIssuer),
            }
        }
        let anchor_pos = anchors
            .iter()
            .position(|a| std::ptr::eq(a, path.anchor()))
            .and_then(|i| anchor_index.get(i))
            .and_then(|i| anchor_certs.get(*i));
        match anchor_pos {
            Some(a) => certs.push((*a).clone()),
            None => return Err(webpki::Error::UnknownIssuer),
        }
        let last = certs.len() - 1;
        let checks = certs
            .iter()
            .try_for_each(|c| check_validity(c, req.time, req.latest))
            .and_then(|()| certs.iter().skip(1).try_for_each(check_issuer_key_usage))
            .and_then(|()| {
                certs.iter().enumerate().skip(1).try_for_each(|(i, c)| {
                    let role = if i == last {
                        Role::Anchor
                    } else {
                        Role::Intermediate
                    };
                    structure::check(c, role, &req.profile)
                })
            });
        match checks {
            Ok(()) => {
                *accepted.borrow_mut() = Some(certs);
                Ok(())
            }
            Err(e) => {
                rejected.borrow_mut().push(e);
                // Any error makes webpki try the next candidate; ours is kept in `rejected`.
                Err(webpki::Error::InvalidCertValidity)
            }
        }
    };
    let result = ee.verify_for_usage(
        webpki::ALL_VERIFICATION_ALGS,
        &anchors,
        &pool_ders,
        req.time.to_webpki(),
        &eku,
        None,
        Some(&callback),
    );
    match result {
        Ok(_) => accepted.into_inner().ok_or_else(|| Error::PathValidation {
            subject: req.leaf.subject(),
            reason: "path accepted without passing modelsign's checks".into(),
        }),
        Err(e) => {
            if let Some(first) = rejected.into_inner().into_iter().next() {
                return Err(first);
            }
            Err(explain_webpki_error(req, &pool, e))
        }
    }
}

/// Turns a webpki error into one that names the certificate at fault.
fn explain_webpki_error(req: &ChainRequest<'_>, pool: &[&Certificate], e: webpki::Error) -> Error {
    use webpki::Error as W;
    match e {
        W::UnknownIssuer
        | W::InvalidSignatureForPublicKey
        | W::CertExpired { .. }
        | W::CertNotValidYet { .. } => {
            if let Some(found) = diagnose_by_name(req, pool) {
                return found;
            }
        }
        _ => {}
    }
    #[allow(deprecated)] // RequiredEkuNotFound: see PurposeIfPresent
    let reason = match e {
        W::RequiredEkuNotFound | W::RequiredEkuNotFoundContext(_) => format!(
            "an intermediate's extendedKeyUsage does not allow {}",
            req.profile.purpose()
        ),
        W::CaUsedAsEndEntity => "the certificate is a CA (basicConstraints CA:TRUE) and this profile does not accept CA leaves".into(),
        W::UnsupportedCriticalExtension => {
            "a certificate of the path has an unsupported critical extension".into()
        }
        W::PathLenConstraintViolated => "a CA's pathLenConstraint is exceeded".into(),
        W::MaximumSignatureChecksExceeded | W::MaximumPathBuildCallsExceeded => {
            return Error::BudgetExceeded {
                what: "webpki path building budget",
            }
        }
        W::MaximumPathDepthExceeded => {
            return Error::BudgetExceeded {
                what: "path longer than 6 intermediates",
            }
        }
        other => format!("{other}"),
    };
    Error::PathValidation {
        subject: req.leaf.subject(),
        reason,
    }
}

/// Walks issuer names from the leaf and reports the first broken link: missing issuer,
/// signature that does not verify, or an issuer outside the validity window.
fn diagnose_by_name(req: &ChainRequest<'_>, pool: &[&Certificate]) -> Option<Error> {
    let mut current = req.leaf.clone();
    for _ in 0..=MAX_INTERMEDIATES {
        let issuer_name = &current.x509().tbs_certificate().issuer();
        let by_name = |c: &&Certificate| c.x509().tbs_certificate().subject() == *issuer_name;
        let anchors: Vec<&Certificate> = req.trust.anchors().iter().filter(by_name).collect();
        let inters: Vec<&Certificate> = pool.iter().copied().filter(by_name).collect();
        if anchors.is_empty() && inters.is_empty() {
            return Some(Error::UnknownIssuer {
                subject: current.subject(),
                issuer: current.issuer(),
            });
        }
        let signed = |c: &&&Certificate| {
            c.public_key()
                .and_then(|k| current.verify_signed_by(&k))
                .is_ok()
        };
        if let Some(anchor) = anchors.iter().find(signed) {
            return check_validity(anchor, req.time, req.latest).err();
        }
        let Some(next) = inters.iter().find(signed) else {
            return Some(Error::BadCertificateSignature {
                subject: current.subject(),
                issuer: current.issuer(),
            });
        };
        if let Err(e) = check_validity(next, req.time, req.latest) {
            return Some(e);
        }
        if *next == &current {
            return None;
        }
        current = (*next).clone();
    }
    None
}

/// Path for a CA:TRUE model-signing leaf, built here because webpki refuses CA end
/// entities. Depth-first over name-matching issuers; see the module docs for the rules.
fn ca_leaf_path(req: &ChainRequest<'_>) -> Result<Vec<Certificate>, Error> {
    let pool: Vec<&Certificate> = req
        .untrusted
        .iter()
        .chain(req.trust.intermediates().iter())
        .collect();
    let mut best: Option<Error> = None;
    let mut path = vec![req.leaf.clone()];
    if extend_ca_path(req, &pool, &mut path, &mut best) {
        return Ok(path);
    }
    Err(best.unwrap_or_else(|| Error::UnknownIssuer {
        subject: req.leaf.subject(),
        issuer: req.leaf.issuer(),
    }))
}

fn extend_ca_path(
    req: &ChainRequest<'_>,
    pool: &[&Certificate],
    path: &mut Vec<Certificate>,
    best: &mut Option<Error>,
) -> bool {
    let Some(current) = path.last().cloned() else {
        return false;
    };
    let issuer_name = current.x509().tbs_certificate().issuer().clone();
    let matches = |c: &Certificate| c.x509().tbs_certificate().subject() == &issuer_name;
    let signed_by = |issuer: &Certificate| -> Result<(), Error> {
        let key = issuer.public_key()?;
        current
            .verify_signed_by(&key)
            .map_err(|_| Error::BadCertificateSignature {
                subject: current.subject(),
                issuer: current.issuer(),
            })
    };
    // Path candidates must not repeat (loops) and respect the depth budget.
    let intermediates_so_far = path.len() - 1;

    for anchor in req.trust.anchors().iter().filter(|a| matches(a)) {
        let outcome = signed_by(anchor)
            .and_then(|()| check_validity(anchor, req.time, req.latest))
            .and_then(|()| check_issuer_key_usage(anchor))
            .and_then(|()| check_path_len(anchor, intermediates_so_far))
            .and_then(|()| structure::check(anchor, Role::Anchor, &req.profile));
        match outcome {
            Ok(()) => {
                path.push(anchor.clone());
                return true;
            }
            Err(e) => record(best, e),
        }
    }
    if intermediates_so_far >= MAX_INTERMEDIATES {
        record(
            best,
            Error::BudgetExceeded {
                what: "path longer than 6 intermediates",
            },
        );
        return false;
    }
    for candidate in pool.iter().filter(|c| matches(c)) {
        if path.iter().any(|p| p == *candidate) {
            continue;
        }
        let outcome = signed_by(candidate)
            .and_then(|()| check_validity(candidate, req.time, req.latest))
            .and_then(|()| check_is_ca(candidate))
            .and_then(|()| check_issuer_key_usage(candidate))
            .and_then(|()| check_path_len(candidate, intermediates_so_far))
            .and_then(|()| check_intermediate_eku(candidate, &req.profile))
            .and_then(|()| structure::check(candidate, Role::Intermediate, &req.profile));
        match outcome {
            Ok(()) => {
                path.push((*candidate).clone());
                if extend_ca_path(req, pool, path, best) {
                    return true;
                }
                path.pop();
            }
            Err(e) => record(best, e),
        }
    }
    if best.is_none() {
        *best = Some(Error::UnknownIssuer {
            subject: current.subject(),
            issuer: current.issuer(),
        });
    }
    false
}

/// Keeps the first error found: it belongs to the link closest to the leaf.
fn record(best: &mut Option<Error>, e: Error) {
    if best.is_none() {
        *best = Some(e);
    }
}

fn check_is_ca(cert: &Certificate) -> Result<(), Error> {
    if cert.basic_constraints()?.is_some_and(|bc| bc.ca) {
        Ok(())
    } else {
        Err(Error::InvalidIssuer {
            subject: cert.subject(),
            reason: "it is not a CA (basicConstraints CA:TRUE missing)",
        })
    }
}

/// RFC 5280 §4.2.1.9: pathLenConstraint is the maximum number of non-self-issued
/// intermediates that may follow this certificate in the path (the CA leaf, as end
/// entity, does not count).
fn check_path_len(issuer: &Certificate, intermediates_below: usize) -> Result<(), Error> {
    match issuer.basic_constraints()?.and_then(|bc| bc.path_len) {
        Some(limit) if intermediates_below > usize::from(limit) => Err(Error::InvalidIssuer {
            subject: issuer.subject(),
            reason: "its pathLenConstraint is exceeded",
        }),
        _ => Ok(()),
    }
}

fn check_intermediate_eku(cert: &Certificate, profile: &LeafProfile) -> Result<(), Error> {
    match cert.extended_key_usage()? {
        Some(eku) if !eku.purposes.contains(&profile.purpose()) => Err(Error::InvalidIssuer {
            subject: cert.subject(),
            reason: "its extendedKeyUsage does not allow the leaf's purpose",
        }),
        _ => Ok(()),
    }
}

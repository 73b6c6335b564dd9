//! [`TrustStore`]: the trust anchors and untrusted intermediates configured by the verifier.

use crate::certificate::Certificate;

/// Anchors + untrusted intermediates configured by the *verifier*.
///
/// Anchors are trusted as given (subject, key and — in modelsign — their validity period;
/// see [`crate::chain`]); intermediates are only path-building candidates.
#[derive(Clone, Debug, Default)]
pub struct TrustStore {
    anchors: Vec<Certificate>,
    intermediates: Vec<Certificate>,
}

impl TrustStore {
    pub fn new(anchors: Vec<Certificate>, intermediates: Vec<Certificate>) -> Self {
        TrustStore {
            anchors,
            intermediates,
        }
    }

    /// Self-signed certificates become anchors, the others intermediates.
    ///
    /// This mirrors model_signing's `--certificate_chain` (an OpenSSL store holding every
    /// given certificate) only partly on purpose: a non-self-signed certificate is not a
    /// trust anchor here; pass it to [`TrustStore::new`] as an anchor to trust it directly.
    pub fn from_certificates(certs: Vec<Certificate>) -> Self {
        let (anchors, intermediates) = certs.into_iter().partition(Certificate::is_self_signed);
        TrustStore {
            anchors,
            intermediates,
        }
    }

    pub fn anchors(&self) -> &[Certificate] {
        &self.anchors
    }

    pub fn intermediates(&self) -> &[Certificate] {
        &self.intermediates
    }

    /// No anchors (intermediates alone cannot validate anything).
    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }
}

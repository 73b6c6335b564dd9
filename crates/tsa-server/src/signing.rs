//! Runs the CPU-bound issuance (one signature per token) off the async workers, on the
//! executor chosen in [`SigningExecutor`].

use std::sync::Arc;

use hyper::body::Bytes;
use modelsign_pki::{SignatureScheme, Time};
use modelsign_tsp::{IssuedResponse, Issuer};
use tokio::sync::oneshot;

use crate::config::SigningExecutor;
use crate::Error;

/// The issuer plus the pool it runs on.
#[derive(Debug)]
pub(crate) struct Signer {
    issuer: Arc<Issuer>,
    executor: SigningExecutor,
    pool: Option<rayon::ThreadPool>,
}

/// What [`SigningExecutor::Auto`] means for `scheme` (see there).
fn resolve(executor: SigningExecutor, scheme: SignatureScheme) -> SigningExecutor {
    match (executor, scheme) {
        (SigningExecutor::Auto, SignatureScheme::RsaPkcs1(_) | SignatureScheme::RsaPss(_)) => {
            SigningExecutor::Rayon
        }
        (SigningExecutor::Auto, _) => SigningExecutor::Inline,
        (chosen, _) => chosen,
    }
}

/// The executor went away (runtime shutting down); the request gets systemFailure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SignerGone;

impl Signer {
    pub(crate) fn new(issuer: Issuer, executor: SigningExecutor) -> Result<Self, Error> {
        let executor = resolve(executor, issuer.scheme());
        let pool = match executor {
            SigningExecutor::Rayon => Some(
                rayon::ThreadPoolBuilder::new()
                    .thread_name(|i| format!("tsa-signer-{i}"))
                    .build()
                    .map_err(|e| Error::Runtime {
                        what: "signing thread pool",
                        source: std::io::Error::other(e),
                    })?,
            ),
            _ => None,
        };
        Ok(Signer {
            issuer: Arc::new(issuer),
            executor,
            pool,
        })
    }

    /// Answers `request_der` with genTime `now` and serial `serial`.
    pub(crate) async fn respond(
        &self,
        request_der: Bytes,
        now: Time,
        serial: [u8; 16],
    ) -> Result<IssuedResponse, SignerGone> {
        let issuer = Arc::clone(&self.issuer);
        let work = move || issuer.respond(&request_der, now, serial);
        match (&self.pool, self.executor) {
            (Some(pool), _) => {
                let (send, receive) = oneshot::channel();
                pool.spawn(move || {
                    // The handler may have been cancelled (client gone); nothing to do then.
                    let _ = send.send(work());
                });
                receive.await.map_err(|_| SignerGone)
            }
            (None, SigningExecutor::Inline) => Ok(work()),
            (None, _) => tokio::task::spawn_blocking(work)
                .await
                .map_err(|_| SignerGone),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use modelsign_pki::HashAlgorithm;

    #[test]
    fn auto_signs_fast_schemes_inline_and_rsa_on_the_pool() {
        let auto = |scheme| resolve(SigningExecutor::Auto, scheme);
        assert_eq!(
            auto(SignatureScheme::Ecdsa(HashAlgorithm::Sha256)),
            SigningExecutor::Inline
        );
        assert_eq!(auto(SignatureScheme::Ed25519), SigningExecutor::Inline);
        assert_eq!(
            auto(SignatureScheme::RsaPkcs1(HashAlgorithm::Sha256)),
            SigningExecutor::Rayon
        );
        assert_eq!(
            auto(SignatureScheme::RsaPss(HashAlgorithm::Sha384)),
            SigningExecutor::Rayon
        );
        // An explicit choice is kept.
        assert_eq!(
            resolve(SigningExecutor::Blocking, SignatureScheme::Ed25519),
            SigningExecutor::Blocking
        );
        assert_eq!(
            resolve(
                SigningExecutor::Inline,
                SignatureScheme::RsaPkcs1(HashAlgorithm::Sha256)
            ),
            SigningExecutor::Inline
        );
    }
}

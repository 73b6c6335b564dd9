//! Start-up refuses signers no verifier would accept.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use modelsign_devpki::{issue, self_signed, CertProfile, CertSpec, DevPki};
use modelsign_pki::{KeyKind, SigningKey, Time};
use modelsign_tsa_server::{Error, Server, ServerConfig};

const DAY: Duration = Duration::from_secs(86_400);

fn bind(config: ServerConfig, now: Time) -> Result<Server, Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut config = config;
    config.listen = "127.0.0.1:0".parse().unwrap();
    runtime.block_on(Server::bind(config, now))
}

fn config_of(pki: DevPki) -> ServerConfig {
    let chain = pki.chain();
    ServerConfig::new(pki.leaf.key, chain)
}

#[test]
fn a_good_dev_chain_starts() {
    let now = Time::now();
    let pki = DevPki::tsa(now, KeyKind::EcdsaP256).unwrap();
    let chain = pki.chain();
    let server = bind(ServerConfig::new(pki.leaf.key, chain), now).unwrap();
    assert!(server
        .chain_pem()
        .starts_with("-----BEGIN CERTIFICATE-----"));
}

#[test]
fn a_key_that_does_not_match_the_leaf_is_refused() {
    let now = Time::now();
    let pki = DevPki::tsa(now, KeyKind::EcdsaP256).unwrap();
    let other = SigningKey::generate(KeyKind::EcdsaP256).unwrap();
    let err = bind(ServerConfig::new(other, pki.chain()), now).unwrap_err();
    assert!(matches!(err, Error::Signer(_)), "{err:?}");
    assert!(
        err.to_string()
            .contains("does not certify the configured signing key"),
        "{err}"
    );
}

#[test]
fn a_leaf_without_time_stamping_eku_is_refused() {
    let now = Time::now();
    let before = now.checked_sub(DAY).unwrap();
    let after = now.checked_add(DAY).unwrap();
    let root = self_signed(&CertSpec::new(
        "root",
        CertProfile::Root,
        KeyKind::EcdsaP256,
        before,
        after,
    ))
    .unwrap();
    let leaf = issue(
        &CertSpec::new(
            "code signer",
            CertProfile::CodeSigningLeaf,
            KeyKind::EcdsaP256,
            before,
            after,
        ),
        &root,
    )
    .unwrap();
    let err = bind(ServerConfig::new(leaf.key, vec![leaf.cert, root.cert]), now).unwrap_err();
    assert!(matches!(err, Error::Signer(_)), "{err:?}");
    assert!(err.to_string().contains("extendedKeyUsage"), "{err}");
}

#[test]
fn a_chain_not_valid_now_is_refused() {
    let now = Time::now();
    // Issued two years ago: the one-year TSA leaf has expired.
    let then = now.checked_sub(2 * 365 * DAY).unwrap();
    let pki = DevPki::tsa(then, KeyKind::EcdsaP256).unwrap();
    let err = bind(config_of(pki), now).unwrap_err();
    match err {
        Error::CertificateNotValidNow {
            position: 0,
            ref subject,
            ..
        } => assert!(subject.contains("modelsign dev TSA")),
        other => panic!("unexpected {other:?}"),
    }
    // Not yet valid.
    let later = now.checked_add(DAY).unwrap();
    let pki = DevPki::tsa(later, KeyKind::EcdsaP256).unwrap();
    assert!(matches!(
        bind(config_of(pki), now),
        Err(Error::CertificateNotValidNow { position: 0, .. })
    ));
}

#[test]
fn a_chain_with_the_wrong_root_is_refused() {
    let now = Time::now();
    let pki = DevPki::tsa(now, KeyKind::EcdsaP256).unwrap();
    let stranger = DevPki::tsa(now, KeyKind::EcdsaP256).unwrap();
    let chain = vec![pki.leaf.cert.clone(), stranger.root.cert.clone()];
    let err = bind(ServerConfig::new(pki.leaf.key, chain), now).unwrap_err();
    assert!(matches!(err, Error::ChainInvalid { .. }), "{err:?}");
}

#[test]
fn zero_limits_are_refused() {
    let now = Time::now();
    let pki = DevPki::tsa(now, KeyKind::EcdsaP256).unwrap();
    let mut config = config_of(pki);
    config.limits.max_connections = 0;
    assert!(matches!(
        bind(config, now),
        Err(Error::Config {
            field: "max_connections",
            ..
        })
    ));
}

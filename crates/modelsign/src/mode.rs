//! The two PKI methods of model_signing this crate implements.

use std::fmt;

/// How the signer is identified: by a bare public key, or by an X.509 certificate chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mode {
    /// `publicKey.hint` in the bundle; the verifier supplies the public key.
    Key,
    /// `x509CertificateChain` in the bundle; the verifier supplies trust anchors.
    Certificate,
}

impl Mode {
    /// The name used in commands and reports: `key` or `certificate`.
    pub const fn name(self) -> &'static str {
        match self {
            Mode::Key => "key",
            Mode::Certificate => "certificate",
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_the_subcommands() {
        assert_eq!(Mode::Key.to_string(), "key");
        assert_eq!(Mode::Certificate.to_string(), "certificate");
    }
}

//! TSA URLs that never print their credentials.
//!
//! A TSA URL may carry credentials in its userinfo (`https://user:pass@tsa.example/`,
//! RFC 3986 §3.2.1, which itself deprecates `user:password` "in clear text"). Every error
//! message and log line names the URL (rfc3161-rules.md §3.1.9), so the type that carries
//! it redacts the userinfo in both `Display` and `Debug`; only the transport sees the full
//! URL.

use std::fmt;

/// A TSA URL whose `Display` and `Debug` show `***` instead of any userinfo.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RedactedUrl {
    full: String,
    shown: String,
}

impl RedactedUrl {
    /// Wraps `url` (any string: validation is the client's job, and a malformed URL must
    /// still be shown without its credentials).
    pub fn new(url: &str) -> Self {
        Self {
            full: url.to_owned(),
            shown: redact(url),
        }
    }

    /// The URL with credentials hidden (same as `Display`).
    pub fn redacted(&self) -> &str {
        &self.shown
    }

    /// The URL as configured, credentials included: for the transport only, never print it.
    pub(crate) fn expose(&self) -> &str {
        &self.full
    }

    /// Whether the URL carried userinfo that is hidden.
    pub fn has_credentials(&self) -> bool {
        self.full != self.shown
    }
}

impl fmt::Display for RedactedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

impl fmt::Debug for RedactedUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RedactedUrl").field(&self.shown).finish()
    }
}

/// RFC 3986 §3: `scheme "://" [ userinfo "@" ] host [ ":" port ] path-abempty [ "?" query ]`.
/// The authority ends at the first `/`, `?` or `#`; the userinfo ends at the authority's
/// *last* `@` (an unencoded `@` in a password is common in the wild).
fn redact(url: &str) -> String {
    // Without "://" there is no authority; still hide anything that looks like userinfo
    // before an '@' so a typo such as "user:pw@host/tsa" does not leak.
    let (prefix, rest) = match url.find("://") {
        Some(i) => url.split_at(i.saturating_add(3)),
        None => ("", url),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(authority_end);
    match authority.rfind('@') {
        Some(at) => {
            let host = authority.get(at.saturating_add(1)..).unwrap_or("");
            format!("{prefix}***@{host}{tail}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hides_userinfo() {
        let u = RedactedUrl::new("https://user:pass@tsa.example:8443/ts?x=1");
        assert_eq!(u.to_string(), "https://***@tsa.example:8443/ts?x=1");
        assert_eq!(
            format!("{u:?}"),
            "RedactedUrl(\"https://***@tsa.example:8443/ts?x=1\")"
        );
        assert!(u.has_credentials());
        assert_eq!(u.expose(), "https://user:pass@tsa.example:8443/ts?x=1");
    }

    #[test]
    fn password_with_at_sign_and_no_path() {
        let u = RedactedUrl::new("http://me:p@ss@host");
        assert_eq!(u.to_string(), "http://***@host");
        assert!(!u.to_string().contains("p@ss"));
    }

    #[test]
    fn at_sign_after_the_authority_is_not_userinfo() {
        let u = RedactedUrl::new("http://host/path@x?q=a@b");
        assert_eq!(u.to_string(), "http://host/path@x?q=a@b");
        assert!(!u.has_credentials());
    }

    #[test]
    fn no_scheme_still_redacted() {
        assert_eq!(
            RedactedUrl::new("user:pw@host/tsa").to_string(),
            "***@host/tsa"
        );
    }
}

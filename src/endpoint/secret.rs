//! Secrets (tokens, passwords, API keys) in a type that cannot be printed by accident.

use std::fmt;

/// A secret string: a bearer token, a password or an API key.
///
/// `Debug` prints `Secret(***)` and `Display` prints `***`, so a secret that ends up in a log line,
/// a panic message, an error or `{:?}` of a larger struct never shows its value. The value is only
/// reachable through [`Secret::expose_secret`], a name meant to stand out in review. It has no
/// `Serialize`, so it cannot leak into stats or JSON either.
///
/// Memory is not wiped on drop: in the browser the same value also lives in JavaScript strings the
/// SDK cannot wipe, so zeroing the Rust copy would promise more than it gives.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

/// A bearer token (a JWT for the Events Hub). The same type as [`Secret`]: the name says which
/// secret a field holds.
pub type Token = Secret;

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The secret value itself. Use it only where the value must travel (a URL, a request body),
    /// never to print.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// Whether the value is the empty string (an empty token is always a mistake upstream).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Secret {
        Secret(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Secret {
        Secret(value.to_owned())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

/// What a redacted value is replaced with, everywhere.
pub const REDACTED: &str = "***";

/// Replaces every occurrence of each non-empty secret in `text` with [`REDACTED`]. Text that comes
/// from outside (a server's error message) is passed through this before it goes into an error, in
/// case the server echoes what it was sent.
pub fn scrub(text: &str, secrets: &[&Secret]) -> String {
    let mut out = text.to_owned();
    for secret in secrets {
        let value = secret.expose_secret();
        if !value.is_empty() && out.contains(value) {
            out = out.replace(value, REDACTED);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_hide_the_value() {
        let s = Secret::new("hunter2");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(s.expose_secret(), "hunter2");
        let nested = Some(vec![s.clone()]);
        assert!(!format!("{nested:?}").contains("hunter2"));
    }

    #[test]
    fn scrub_replaces_every_occurrence() {
        let a = Secret::new("abc");
        let empty = Secret::new("");
        assert_eq!(scrub("x abc y abc", &[&a, &empty]), "x *** y ***");
        assert_eq!(scrub("nothing", &[&a]), "nothing");
    }
}

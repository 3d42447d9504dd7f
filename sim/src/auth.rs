//! Credentials: the default user and API key, the Events Hub's short-lived tokens (also accepted by
//! the CloudEvents endpoint), and MWS Basic auth.
//!
//! Tokens look like the real server's HS256 JWTs (so a client can read `exp`), but their validity
//! is decided by this registry, which is what lets tests expire or reject them on demand. No token,
//! password or key ever reaches a log line or an error message.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine as _;
use serde_json::json;

use crate::clock;
use crate::rng::{self, Rng};

pub const USERNAME: &str = "admin";
pub const PASSWORD: &str = "admin";
pub const EMAIL: &str = "admin@localhost";
pub const USER_ID: &str = "b53ec0c0-b6f0-4466-877f-a6a397496490";
/// The API key's id, name and secret; clients send `base64("<name or id>:<secret>")`.
pub const API_KEY_ID: &str = "5d0c1a52-3a8e-4c8f-9a43-6f0a4e7b2c11";
pub const API_KEY_NAME: &str = "sim";
pub const API_KEY_SECRET: &str = "infra-events-sim";

/// The one API key in its wire form: standard padded base64 of `sim:infra-events-sim`.
pub fn api_key_encoded() -> String {
    STANDARD.encode(format!("{API_KEY_NAME}:{API_KEY_SECRET}"))
}

/// The Kubernetes-style token subprotocol prefix browsers use to carry a bearer token.
pub const TOKEN_PROTOCOL_PREFIX: &str = "base64url.bearer.authorization.k8s.io.";

/// The token carried in an offered `base64url.bearer.authorization.k8s.io.<base64url(token)>`.
pub fn token_from_protocols(protocols: &[String]) -> Option<String> {
    protocols.iter().find_map(|p| {
        let encoded = p.strip_prefix(TOKEN_PROTOCOL_PREFIX)?;
        let bytes = URL_SAFE_NO_PAD.decode(encoded.trim_end_matches('=')).ok()?;
        String::from_utf8(bytes).ok()
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    User { email: String, username: String },
    ApiKey { key_id: String },
}

impl Principal {
    pub fn display_name(&self) -> &str {
        match self {
            Principal::User { username, .. } => username,
            Principal::ApiKey { key_id } => key_id,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenError {
    Unknown,
    Expired,
    /// Refused because tests asked for every token to be rejected.
    Rejected,
}

impl TokenError {
    pub fn describe(self) -> &'static str {
        match self {
            TokenError::Unknown => "invalid token",
            TokenError::Expired => "token has expired",
            TokenError::Rejected => "token rejected",
        }
    }
}

struct Issued {
    principal: Principal,
    expires_at_ns: u64,
}

pub struct Auth {
    lifetime: Duration,
    tokens: Mutex<HashMap<String, Issued>>,
    rejecting: AtomicBool,
    rng: Mutex<Rng>,
}

pub struct Login {
    pub email: String,
    pub token: String,
    pub expires_at: u64,
}

impl Auth {
    pub fn new(lifetime: Duration, seed: Option<u64>) -> Auth {
        Auth {
            lifetime,
            tokens: Mutex::new(HashMap::new()),
            rejecting: AtomicBool::new(false),
            rng: Mutex::new(rng::stream_rng(seed, "auth", 0)),
        }
    }

    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// `{email|username, password}` or `{api_key}` (a non-empty `api_key` wins), as the real
    /// `POST /api/v1/auth/token`.
    pub fn login(&self, body: &serde_json::Value) -> Option<Login> {
        let field = |k: &str| body.get(k).and_then(|v| v.as_str()).unwrap_or("");
        let principal = if !field("api_key").is_empty() {
            self.check_api_key(field("api_key"))?
        } else {
            let who = if field("email").is_empty() {
                field("username")
            } else {
                field("email")
            };
            let known = who.eq_ignore_ascii_case(USERNAME) || who.eq_ignore_ascii_case(EMAIL);
            if !known || field("password") != PASSWORD {
                return None;
            }
            Principal::User {
                email: EMAIL.into(),
                username: USERNAME.into(),
            }
        };
        Some(self.issue(principal))
    }

    pub fn issue(&self, principal: Principal) -> Login {
        let now = clock::now();
        let expires_at_ns = now + self.lifetime.as_nanos() as u64;
        let exp = expires_at_ns / clock::NANOS_PER_SEC;
        let mut claims = json!({
            "email": EMAIL,
            "username": USERNAME,
            "uid": USER_ID,
            "roles": ["SUPER_USER"],
            "claims": ["READ_ONLY", "LIST_VM", "CREATE_VM", "UPDATE_VM", "DELETE_VM"],
            "exp": exp,
            "iat": now / clock::NANOS_PER_SEC,
        });
        if let Principal::ApiKey { key_id } = &principal {
            claims["api_key_id"] = json!(key_id);
        }
        let (nonce, signature) = {
            let mut rng = self.rng.lock().unwrap();
            (rng::hex(&mut rng, 8), rng::hex(&mut rng, 32))
        };
        claims["jti"] = json!(nonce);
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"HS256","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
        let sig = URL_SAFE_NO_PAD.encode(signature.as_bytes());
        let token = format!("{header}.{payload}.{sig}");
        let mut tokens = self.tokens.lock().unwrap();
        // Forget tokens long expired so the registry stays small.
        tokens.retain(|_, t| t.expires_at_ns + 3600 * clock::NANOS_PER_SEC > now);
        tokens.insert(
            token.clone(),
            Issued {
                principal,
                expires_at_ns,
            },
        );
        Login {
            email: EMAIL.into(),
            token,
            expires_at: exp,
        }
    }

    pub fn check_token(&self, token: &str) -> Result<Principal, TokenError> {
        let token = token.trim();
        let tokens = self.tokens.lock().unwrap();
        let issued = tokens.get(token).ok_or(TokenError::Unknown)?;
        if clock::now() >= issued.expires_at_ns {
            return Err(TokenError::Expired);
        }
        if self.rejecting() {
            return Err(TokenError::Rejected);
        }
        Ok(issued.principal.clone())
    }

    /// `base64("<key id or name>:<secret>")`, the key matched case-insensitively.
    pub fn check_api_key(&self, encoded: &str) -> Option<Principal> {
        let decoded = STANDARD.decode(encoded.trim()).ok()?;
        let decoded = String::from_utf8(decoded).ok()?;
        let (key, secret) = decoded.split_once(':')?;
        let known = key.eq_ignore_ascii_case(API_KEY_ID) || key.eq_ignore_ascii_case(API_KEY_NAME);
        (known && secret == API_KEY_SECRET).then(|| Principal::ApiKey {
            key_id: API_KEY_ID.into(),
        })
    }

    pub fn rejecting(&self) -> bool {
        self.rejecting.load(Ordering::SeqCst)
    }

    pub fn set_rejecting(&self, on: bool) {
        self.rejecting.store(on, Ordering::SeqCst);
    }

    /// Makes every token issued so far expire now; returns how many were still valid.
    pub fn expire_all(&self) -> usize {
        let now = clock::now();
        let mut n = 0;
        for t in self.tokens.lock().unwrap().values_mut() {
            if t.expires_at_ns > now {
                n += 1;
                t.expires_at_ns = now;
            }
        }
        n
    }
}

/// MWS: `Authorization: Basic base64(user:password)` with the default user.
pub fn basic_ok(header: Option<&str>) -> bool {
    let Some(encoded) = header.and_then(|h| h.strip_prefix("Basic ").or_else(|| h.strip_prefix("basic ")))
    else {
        return false;
    };
    let Ok(decoded) = STANDARD.decode(encoded.trim()) else {
        return false;
    };
    decoded == format!("{USERNAME}:{PASSWORD}").as_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_issue_check_expire_reject() {
        let auth = Auth::new(Duration::from_secs(60), Some(1));
        assert!(auth
            .login(&json!({"username": "admin", "password": "nope"}))
            .is_none());
        let login = auth
            .login(&json!({"username": "admin", "password": "admin"}))
            .unwrap();
        assert_eq!(login.email, EMAIL);
        assert!(auth.check_token(&login.token).is_ok());
        assert_eq!(auth.check_token("x.y.z"), Err(TokenError::Unknown));
        auth.set_rejecting(true);
        assert_eq!(auth.check_token(&login.token), Err(TokenError::Rejected));
        auth.set_rejecting(false);
        assert_eq!(auth.expire_all(), 1);
        assert_eq!(auth.check_token(&login.token), Err(TokenError::Expired));
        let by_key = auth
            .login(&json!({"api_key": api_key_encoded(), "password": "ignored"}))
            .unwrap();
        assert_eq!(
            auth.check_token(&by_key.token),
            Ok(Principal::ApiKey {
                key_id: API_KEY_ID.into()
            })
        );
        // The JWT's payload is readable and carries exp.
        let payload = by_key.token.split('.').nth(1).unwrap();
        let claims: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap();
        assert_eq!(claims["exp"], json!(by_key.expires_at));
        assert_eq!(claims["api_key_id"], json!(API_KEY_ID));
    }

    #[test]
    fn token_subprotocol_and_basic() {
        let offered = vec![
            "cloudevents.json".to_owned(),
            format!("{TOKEN_PROTOCOL_PREFIX}{}", URL_SAFE_NO_PAD.encode("a.b.c")),
        ];
        assert_eq!(token_from_protocols(&offered).as_deref(), Some("a.b.c"));
        assert!(basic_ok(Some(&format!(
            "Basic {}",
            STANDARD.encode("admin:admin")
        ))));
        assert!(!basic_ok(Some(&format!("Basic {}", STANDARD.encode("admin:x")))));
        assert!(!basic_ok(None));
    }
}

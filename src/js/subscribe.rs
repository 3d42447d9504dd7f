//! Live subscriptions for JavaScript: `subscribeEventsHub`, `subscribeLxd` and
//! `subscribeCloudEvents`, each returning a subscription object with callbacks (`on`, `onEvent`,
//! `onState`), an async iterator (`next`, `return`, `[Symbol.asyncIterator]`), `stats()` and
//! `close()`. The work is done by [`crate::browser::driver`] over the sans-IO session.
//!
//! Events reach JavaScript exactly as the decode functions return them: the `JSON.parse` object
//! of the frame, with `unknown: true` on variants this SDK does not know.

#![cfg_attr(
    not(any(feature = "events-hub", feature = "lxd", feature = "cloudevents")),
    allow(dead_code, unused_imports, unused_macros)
)]

use js_sys::{Function, Reflect};
use serde::Deserialize;
use tsify::Tsify;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::browser::driver::TokenSource;
#[cfg(any(feature = "events-hub", feature = "lxd", feature = "cloudevents"))]
use crate::browser::driver::{Driver, Engine, SessionEngine};
#[cfg(any(feature = "events-hub", feature = "lxd", feature = "cloudevents"))]
use crate::browser::frames::{JsFrames, Protocol};
use crate::endpoint::{Credentials, Token};
use crate::session::{BackoffOptions, SessionOptions};

/// Options every subscription takes besides its address and credentials. Every field is
/// optional; times are milliseconds.
#[derive(Debug, Clone, Default, Deserialize, Tsify)]
#[serde(default, rename_all = "camelCase")]
pub struct SubscriptionOptions {
    /// Reconnect delays: exponential backoff with full jitter, `uniform(0, min(maxMs, baseMs ·
    /// factor^n))` for the n-th retry in a row. Defaults: `baseMs` 500, `maxMs` 30,000, `factor` 2.
    #[tsify(optional, type = "{ baseMs?: number; maxMs?: number; factor?: number }")]
    pub backoff: Option<BackoffOptions>,
    /// How many reconnects in a row may fail before the subscription gives up with
    /// `closed { why: { kind: "attemptsExhausted" } }`. Absent (the default): retry forever.
    #[tsify(optional)]
    pub max_attempts: Option<u32>,
    /// Until a connection has opened once, how many handshakes in a row may fail before the
    /// subscription gives up with `closed { why: { kind: "refused" } }` (the server refuses the
    /// request: an unknown LXD project or type, a bad token; browsers hide its answer). Default
    /// 5; 0 retries forever.
    #[tsify(optional)]
    pub max_refused_handshakes: Option<u32>,
    /// A connection open this long resets the retry counter. Default 5,000.
    #[tsify(optional)]
    pub stable_after_ms: Option<u64>,
    /// Each step of an attempt (getting the token, opening the socket) must finish within this
    /// time. Default 10,000; 0 waits forever.
    #[tsify(optional)]
    pub connect_timeout_ms: Option<u64>,
    /// An open link with no frame for this long is taken as dead and reconnected. Default: none
    /// (absent or 0). Useful with the Events Hub `stats` channel (a frame every 5 s).
    #[tsify(optional)]
    pub idle_timeout_ms: Option<u64>,
    /// Events Hub: send the `health` ping this long after the previous answer, to find links
    /// that died without a close. Default 20,000; 0 disables. Other sources have no ping.
    #[tsify(optional)]
    pub ping_interval_ms: Option<u64>,
    /// A ping unanswered (and nothing else received) for this long means the link is dead.
    /// Default 10,000.
    #[tsify(optional)]
    pub pong_timeout_ms: Option<u64>,
    /// How many events may wait for the application (callbacks drain at once; the async iterator
    /// pulls); beyond that the oldest are dropped and an `overflow` state event says how many.
    /// Default 4,096.
    #[tsify(optional)]
    pub buffer_capacity: Option<usize>,
    /// How many recent event ids are remembered to drop duplicates (after a reconnect, or a
    /// server sending twice). Default 4,096; 0 disables. LXD events have no id.
    #[tsify(optional)]
    pub dedup_window: Option<usize>,
    /// Text frames longer than this (UTF-8 bytes) are rejected with a `frameError` state event
    /// instead of decoded. Default 4 MiB; 0 accepts any size.
    #[tsify(optional)]
    pub max_frame_bytes: Option<usize>,
    /// How many characters of a rejected frame a `frameError` quotes. Default 1,024.
    #[tsify(optional)]
    pub error_text_chars: Option<usize>,
}

impl SubscriptionOptions {
    fn session_options(&self, token_provider: bool) -> SessionOptions {
        let d = SessionOptions::default();
        let nonzero = |v: Option<u64>, default: Option<u64>| match v {
            Some(0) => None,
            Some(v) => Some(v),
            None => default,
        };
        SessionOptions {
            token_provider,
            backoff: self.backoff.unwrap_or(d.backoff),
            max_attempts: self.max_attempts,
            max_refused_handshakes: match self.max_refused_handshakes {
                Some(0) => None,
                Some(n) => Some(n),
                None => d.max_refused_handshakes,
            },
            stable_after_ms: self.stable_after_ms.unwrap_or(d.stable_after_ms),
            connect_timeout_ms: nonzero(self.connect_timeout_ms, d.connect_timeout_ms),
            idle_timeout_ms: nonzero(self.idle_timeout_ms, None),
            ping_interval_ms: nonzero(self.ping_interval_ms, d.ping_interval_ms),
            pong_timeout_ms: self.pong_timeout_ms.unwrap_or(d.pong_timeout_ms),
            dedup_window: self.dedup_window.unwrap_or(d.dedup_window),
            buffer_capacity: self.buffer_capacity.unwrap_or(d.buffer_capacity),
            max_frame_bytes: match self.max_frame_bytes {
                Some(0) => None,
                Some(v) => Some(v),
                None => d.max_frame_bytes,
            },
            error_text_chars: self.error_text_chars.unwrap_or(d.error_text_chars),
            // Tabs must not share a jitter sequence.
            seed: (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64,
        }
    }
}

/// Reads the options object: the JSON part through serde, the function and signal fields as
/// they are.
fn read_options<T: for<'de> Deserialize<'de>>(
    options: &JsValue,
) -> Result<(T, Option<JsValue>, JsValue), JsValue> {
    if !options.is_object() {
        return Err(js_sys::TypeError::new("the options must be an object").into());
    }
    let json = js_sys::JSON::stringify(options)
        .map(String::from)
        .map_err(|_| js_sys::TypeError::new("the options cannot be read as JSON"))?;
    let parsed: T =
        serde_json::from_str(&json).map_err(|e| js_sys::TypeError::new(&format!("invalid options: {e}")))?;
    let signal = Reflect::get(options, &"signal".into())
        .ok()
        .filter(|s| s.is_object());
    let token = Reflect::get(options, &"token".into()).unwrap_or(JsValue::UNDEFINED);
    Ok((parsed, signal, token))
}

/// The `token` option as a token source (`undefined` → none).
fn token_source(token: JsValue) -> Result<TokenSource, JsValue> {
    if token.is_undefined() || token.is_null() {
        Ok(TokenSource::None)
    } else if let Some(t) = token.as_string() {
        Ok(TokenSource::Static(Token::new(t)))
    } else if let Some(f) = token.dyn_ref::<Function>() {
        Ok(TokenSource::Provider(f.clone()))
    } else {
        Err(
            js_sys::TypeError::new("`token` must be a string or a function returning a Promise<string>")
                .into(),
        )
    }
}

fn endpoint_error(e: impl std::fmt::Display) -> JsValue {
    let error = js_sys::Error::new(&e.to_string());
    error.set_name("EndpointError");
    error.into()
}

// ---------------------------------------------------------------------------------------------
// Events Hub
// ---------------------------------------------------------------------------------------------

/// Options of `subscribeEventsHub`.
#[cfg(feature = "events-hub")]
#[derive(Debug, Clone, Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct SubscribeEventsHubOptions {
    /// The server's address (`https://devops.example.com`, `http://127.0.0.1:8080`,
    /// `wss://proxy.example.com/devops`); `/api/v1/ws/subscribe` is added after its path, unless
    /// it already ends with the subscribe route.
    pub url: String,
    /// Channels to subscribe to (`pdfm`, `orchestrator`, `stats`, …). `global` is always
    /// subscribed. Channels the server does not grant are reported by a `channelsNotGranted`
    /// state event.
    #[serde(default)]
    #[tsify(optional)]
    pub channels: Vec<String>,
    /// The JWT: a string, or a function returning it (or a promise of it), called before every
    /// connect and reconnect so an expired token is never reused. Absent: no token is sent (a
    /// proxy authenticates).
    #[serde(default)]
    #[tsify(optional, type = "string | (() => Promise<string> | string)")]
    pub token: Option<serde_json::Value>,
    /// Log in with these instead of giving a `token`: the SDK calls `POST <api>/v1/auth/token`
    /// before the first connect, logs in again a minute before the token's `expires_at`, and
    /// checks a token with the server (`/auth/token/validate`) before reusing it for a reconnect,
    /// so a token revoked or expired early is replaced. A refused login ends the subscription
    /// (`closed { why: { kind: "failed" } }`); an unreachable server is retried with backoff. The
    /// login needs the server to answer `fetch` from the page's origin (same origin, or CORS).
    /// `apiKey` is the key's encoded form (base64 of `key:secret`).
    #[serde(default)]
    #[tsify(
        optional,
        type = "{ username: string; password: string } | { email: string; password: string } | { apiKey: string }"
    )]
    pub login: Option<serde_json::Value>,
    /// The query parameter the token travels in: `"access_token"` (default) or
    /// `"authorization"`.
    #[serde(default)]
    #[tsify(optional, type = r#""access_token" | "authorization""#)]
    pub token_param: Option<String>,
    /// The server's API prefix (its `API_PREFIX`), default `/api`.
    #[serde(default)]
    #[tsify(optional)]
    pub api_prefix: Option<String>,
    /// Let the token travel over `ws://` to a host that is not loopback. Off by default.
    #[serde(default)]
    #[tsify(optional)]
    pub allow_insecure_transport: bool,
    /// Connection behaviour (backoff, timeouts, buffer, deduplication, frame size).
    #[serde(default)]
    #[tsify(optional)]
    pub session: SubscriptionOptions,
    /// Ends the subscription when it aborts (`closed { why: { kind: "aborted" } }`).
    #[serde(default)]
    #[tsify(optional, type = "AbortSignal")]
    pub signal: Option<serde_json::Value>,
}

/// A live Events Hub subscription (from `subscribeEventsHub`).
#[cfg(feature = "events-hub")]
#[wasm_bindgen]
pub struct HubSubscription {
    driver: Driver,
}

#[cfg(feature = "events-hub")]
subscription_class!(
    HubSubscription,
    "(event: HubEvent) => void",
    "Promise<IteratorResult<HubEvent, undefined>>",
    "(event: SessionEvent) => void",
    "SessionStats"
);

#[cfg(feature = "events-hub")]
#[wasm_bindgen(typescript_custom_section)]
const HUB_SUBSCRIPTION_TS: &'static str = r#"
export interface HubSubscription extends AsyncIterable<HubEvent> {
    /**
     * Calls `callback` for every event whose `message` is `message`, typed for that message.
     * Returns the function that removes the callback.
     */
    on<M extends Exclude<HubEvent, { unknown: true }>["message"]>(
        message: M,
        callback: (event: Extract<Exclude<HubEvent, { unknown: true }>, { message: M }>) => void,
    ): () => void;
    [Symbol.asyncIterator](): AsyncIterator<HubEvent, undefined>;
}
"#;

/// The `login` option, read field by field from the JavaScript object: never through serde, whose
/// messages quote the values they reject (a password given as a number would be printed).
#[cfg(feature = "events-hub")]
fn login_credentials(options: &JsValue) -> Result<Option<crate::endpoint::LoginCredentials>, JsValue> {
    use crate::endpoint::{LoginCredentials, Secret};
    let login = Reflect::get(options, &"login".into()).unwrap_or(JsValue::UNDEFINED);
    if login.is_undefined() || login.is_null() {
        return Ok(None);
    }
    let field = |name: &str| -> Result<Option<String>, JsValue> {
        let value = Reflect::get(&login, &name.into()).unwrap_or(JsValue::UNDEFINED);
        if value.is_undefined() {
            return Ok(None);
        }
        match value.as_string() {
            Some(s) if !s.is_empty() => Ok(Some(s)),
            _ => Err(js_sys::TypeError::new(&format!("`login.{name}` must be a non-empty string")).into()),
        }
    };
    let shape = "`login` must be { username, password }, { email, password } or { apiKey }";
    if !login.is_object() {
        return Err(js_sys::TypeError::new(shape).into());
    }
    let credentials = match (
        field("username")?,
        field("email")?,
        field("password")?,
        field("apiKey")?,
    ) {
        (Some(username), None, Some(password), None) => LoginCredentials::Username {
            username,
            password: Secret::new(password),
        },
        (None, Some(email), Some(password), None) => LoginCredentials::Email {
            email,
            password: Secret::new(password),
        },
        (None, None, None, Some(key)) => LoginCredentials::ApiKey(Secret::new(key)),
        _ => return Err(js_sys::TypeError::new(shape).into()),
    };
    Ok(Some(credentials))
}

/// Subscribes to a Parallels DevOps Events Hub. Connects on the next microtask (register
/// callbacks right away), reconnects with backoff, deduplicates by event id, and reports every
/// change of state. Throws an `EndpointError` for a configuration no connection could fix (a bad
/// URL, a token over `ws://` to a remote host, …) and a `TypeError` for malformed options.
#[cfg(feature = "events-hub")]
#[wasm_bindgen(js_name = subscribeEventsHub, unchecked_return_type = "HubSubscription")]
pub fn subscribe_events_hub(
    #[wasm_bindgen(unchecked_param_type = "SubscribeEventsHubOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    use crate::endpoint::{EventsHubEndpoint, EventsHubOptions, LoginTokenCache, DEFAULT_API_PREFIX};
    use crate::session::EventsHub;

    let (o, signal, token): (SubscribeEventsHubOptions, _, _) = read_options(&options)?;
    let login = login_credentials(&options)?;
    if login.is_some() && !(token.is_undefined() || token.is_null()) {
        return Err(js_sys::TypeError::new("give either `token` or `login`, not both").into());
    }
    let mut tokens = token_source(token)?;
    let sends_token = login.is_some() || !matches!(tokens, TokenSource::None);
    let credentials = match (sends_token, o.token_param.as_deref()) {
        (false, _) => Credentials::None,
        (true, None) => Credentials::access_token_query(),
        (true, Some(name)) => Credentials::Query {
            name: name.to_owned(),
        },
    };
    let endpoint = EventsHubEndpoint::new(
        &o.url,
        EventsHubOptions {
            channels: o.channels.clone(),
            credentials,
            allow_insecure_transport: o.allow_insecure_transport,
            api_prefix: o
                .api_prefix
                .clone()
                .unwrap_or_else(|| DEFAULT_API_PREFIX.to_owned()),
        },
    )
    .map_err(endpoint_error)?;
    // A static token is checked now (insecure transport, empty), not at the first connect.
    if let TokenSource::Static(t) = &tokens {
        endpoint.target(Some(t)).map_err(endpoint_error)?;
    }
    if let Some(credentials) = login {
        let cache = LoginTokenCache::new(&endpoint, credentials).map_err(endpoint_error)?;
        tokens = TokenSource::Provider(crate::browser::login::login_provider(cache));
    }
    let session_options = o
        .session
        .session_options(matches!(tokens, TokenSource::Provider(_)));
    let frames = frames(Protocol::EventsHub(EventsHub::new(&o.channels)))?;
    let engine: Box<dyn Engine> = Box::new(SessionEngine::new(
        frames,
        session_options,
        js_sys::Date::now() as u64,
    ));
    let driver = Driver::start(
        engine,
        Box::new(move |t| endpoint.target(t)),
        tokens,
        "message",
        signal,
    );
    Ok(super::with_async_iterator(HubSubscription { driver }.into()))
}

// ---------------------------------------------------------------------------------------------
// LXD / Incus
// ---------------------------------------------------------------------------------------------

/// Options of `subscribeLxd`.
#[cfg(feature = "lxd")]
#[derive(Debug, Clone, Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct SubscribeLxdOptions {
    /// The daemon's address (any path is a proxy prefix; `/1.0/events` follows it, unless the
    /// address already ends with it).
    pub url: String,
    /// Event types (`lifecycle`, `operation`, `logging`, `network-acl`); absent or empty: all.
    #[serde(default)]
    #[tsify(optional)]
    pub types: Vec<String>,
    /// Only this project's events (the daemon's default is the `default` project).
    #[serde(default)]
    #[tsify(optional)]
    pub project: Option<String>,
    /// Events of every project. Cannot be combined with `project`.
    #[serde(default)]
    #[tsify(optional)]
    pub all_projects: bool,
    /// Let through event types this SDK does not list (for a newer daemon).
    #[serde(default)]
    #[tsify(optional)]
    pub allow_unknown_types: bool,
    /// A token, or a function returning it (or a promise of it), called before every connect.
    /// Absent (the default): none; the browser's TLS client certificate or session
    /// authenticates.
    #[serde(default)]
    #[tsify(optional, type = "string | (() => Promise<string> | string)")]
    pub token: Option<serde_json::Value>,
    /// The query parameter a token travels in (default `access_token`).
    #[serde(default)]
    #[tsify(optional)]
    pub token_param: Option<String>,
    /// Let a token travel over `ws://` to a host that is not loopback. Off by default.
    #[serde(default)]
    #[tsify(optional)]
    pub allow_insecure_transport: bool,
    /// Connection behaviour (backoff, timeouts, buffer, deduplication, frame size).
    #[serde(default)]
    #[tsify(optional)]
    pub session: SubscriptionOptions,
    /// Ends the subscription when it aborts.
    #[serde(default)]
    #[tsify(optional, type = "AbortSignal")]
    pub signal: Option<serde_json::Value>,
}

/// A live LXD / Incus subscription (from `subscribeLxd`).
#[cfg(feature = "lxd")]
#[wasm_bindgen]
pub struct LxdSubscription {
    driver: Driver,
}

#[cfg(feature = "lxd")]
subscription_class!(
    LxdSubscription,
    "(event: LxdEvent) => void",
    "Promise<IteratorResult<LxdEvent, undefined>>",
    "(event: SessionEvent) => void",
    "SessionStats"
);

#[cfg(feature = "lxd")]
#[wasm_bindgen(typescript_custom_section)]
const LXD_SUBSCRIPTION_TS: &'static str = r#"
export interface LxdSubscription extends AsyncIterable<LxdEvent> {
    /**
     * Calls `callback` for every event whose `type` is `type`, typed for that type.
     * Returns the function that removes the callback.
     */
    on<T extends Exclude<LxdEvent, { unknown: true }>["type"]>(
        type: T,
        callback: (event: Extract<Exclude<LxdEvent, { unknown: true }>, { type: T }>) => void,
    ): () => void;
    [Symbol.asyncIterator](): AsyncIterator<LxdEvent, undefined>;
}
"#;

/// Subscribes to an LXD or Incus daemon's `/1.0/events`. Same behaviour as `subscribeEventsHub`
/// (LXD events carry no id, so nothing is deduplicated, and there is no ping: use
/// `idleTimeoutMs` for liveness if the stream is busy).
#[cfg(feature = "lxd")]
#[wasm_bindgen(js_name = subscribeLxd, unchecked_return_type = "LxdSubscription")]
pub fn subscribe_lxd(
    #[wasm_bindgen(unchecked_param_type = "SubscribeLxdOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    use crate::endpoint::{LxdEndpoint, LxdOptions};

    let (o, signal, token): (SubscribeLxdOptions, _, _) = read_options(&options)?;
    let tokens = token_source(token)?;
    let credentials = match (&tokens, o.token_param.as_deref()) {
        (TokenSource::None, _) => Credentials::None,
        (_, None) => Credentials::access_token_query(),
        (_, Some(name)) => Credentials::Query {
            name: name.to_owned(),
        },
    };
    let endpoint = LxdEndpoint::new(
        &o.url,
        LxdOptions {
            types: o.types.clone(),
            project: o.project.clone(),
            all_projects: o.all_projects,
            allow_unknown_types: o.allow_unknown_types,
            credentials,
            allow_insecure_transport: o.allow_insecure_transport,
        },
    )
    .map_err(endpoint_error)?;
    if let TokenSource::Static(t) = &tokens {
        endpoint.target(Some(t)).map_err(endpoint_error)?;
    }
    let session_options = o
        .session
        .session_options(matches!(tokens, TokenSource::Provider(_)));
    let frames = frames(Protocol::Lxd)?;
    let engine: Box<dyn Engine> = Box::new(SessionEngine::new(
        frames,
        session_options,
        js_sys::Date::now() as u64,
    ));
    let driver = Driver::start(
        engine,
        Box::new(move |t| endpoint.target(t)),
        tokens,
        "type",
        signal,
    );
    Ok(super::with_async_iterator(LxdSubscription { driver }.into()))
}

// ---------------------------------------------------------------------------------------------
// CloudEvents
// ---------------------------------------------------------------------------------------------

/// Options of `subscribeCloudEvents`.
#[cfg(feature = "cloudevents")]
#[derive(Debug, Clone, Default, Deserialize, Tsify)]
#[serde(rename_all = "camelCase")]
pub struct SubscribeCloudEventsOptions {
    /// The WebSocket URL, used as it is (`http(s)` becomes `ws(s)`); `cloudevents.json` is
    /// offered as the subprotocol.
    pub url: String,
    /// A token, or a function returning it (or a promise of it), called before every connect.
    /// Absent: none.
    #[serde(default)]
    #[tsify(optional, type = "string | (() => Promise<string> | string)")]
    pub token: Option<serde_json::Value>,
    /// Where a token travels: `"subprotocol"` (the default: `base64url.bearer.authorization.k8s.io.`
    /// followed by the token in base64url, offered after `cloudevents.json`) or `"query"` (see
    /// `tokenParam`).
    #[serde(default)]
    #[tsify(optional, type = r#""subprotocol" | "query""#)]
    pub token_in: Option<String>,
    /// With `tokenIn: "subprotocol"`, what comes before the base64url token (default
    /// `base64url.bearer.authorization.k8s.io.`, the Kubernetes convention); it must be made of
    /// the characters a subprotocol may carry.
    #[serde(default)]
    #[tsify(optional)]
    pub token_protocol_prefix: Option<String>,
    /// With `tokenIn: "query"`, the parameter name (default `access_token`).
    #[serde(default)]
    #[tsify(optional)]
    pub token_param: Option<String>,
    /// Let a token travel over `ws://` to a host that is not loopback. Off by default.
    #[serde(default)]
    #[tsify(optional)]
    pub allow_insecure_transport: bool,
    /// Connection behaviour (backoff, timeouts, buffer, deduplication, frame size).
    #[serde(default)]
    #[tsify(optional)]
    pub session: SubscriptionOptions,
    /// Ends the subscription when it aborts.
    #[serde(default)]
    #[tsify(optional, type = "AbortSignal")]
    pub signal: Option<serde_json::Value>,
}

/// A live CloudEvents subscription (from `subscribeCloudEvents`).
#[cfg(feature = "cloudevents")]
#[wasm_bindgen]
pub struct CloudEventsSubscription {
    driver: Driver,
}

#[cfg(feature = "cloudevents")]
subscription_class!(
    CloudEventsSubscription,
    "(event: CloudEvent) => void",
    "Promise<IteratorResult<CloudEvent, undefined>>",
    "(event: SessionEvent) => void",
    "SessionStats"
);

#[cfg(feature = "cloudevents")]
#[wasm_bindgen(typescript_custom_section)]
const CLOUDEVENTS_SUBSCRIPTION_TS: &'static str = r#"
export interface CloudEventsSubscription extends AsyncIterable<CloudEvent> {
    /**
     * Calls `callback` for every event whose `type` is `type`, typed for that type.
     * Returns the function that removes the callback.
     */
    on<T extends Exclude<CloudEvent, { unknown: true }>["type"]>(
        type: T,
        callback: (event: Extract<Exclude<CloudEvent, { unknown: true }>, { type: T }>) => void,
    ): () => void;
    [Symbol.asyncIterator](): AsyncIterator<CloudEvent, undefined>;
}
"#;

/// Subscribes to a CloudEvents WebSocket (structured JSON mode, one event per frame).
/// Deduplicates by `source` + `id`; same behaviour as `subscribeEventsHub` otherwise.
#[cfg(feature = "cloudevents")]
#[wasm_bindgen(js_name = subscribeCloudEvents, unchecked_return_type = "CloudEventsSubscription")]
pub fn subscribe_cloud_events(
    #[wasm_bindgen(unchecked_param_type = "SubscribeCloudEventsOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    use crate::endpoint::{CloudEventsEndpoint, CloudEventsOptions, ACCESS_TOKEN_PARAM};

    let (o, signal, token): (SubscribeCloudEventsOptions, _, _) = read_options(&options)?;
    let tokens = token_source(token)?;
    let credentials = match (&tokens, o.token_in.as_deref()) {
        (TokenSource::None, _) => Credentials::None,
        (_, None | Some("subprotocol")) => match &o.token_protocol_prefix {
            Some(prefix) => Credentials::Subprotocol {
                prefix: prefix.clone(),
            },
            None => Credentials::kubernetes_subprotocol(),
        },
        (_, Some("query")) => Credentials::Query {
            name: o
                .token_param
                .clone()
                .unwrap_or_else(|| ACCESS_TOKEN_PARAM.to_owned()),
        },
        (_, Some(other)) => {
            return Err(js_sys::TypeError::new(&format!(
                "tokenIn must be \"subprotocol\" or \"query\", not {other:?}"
            ))
            .into())
        }
    };
    let endpoint = CloudEventsEndpoint::new(
        &o.url,
        CloudEventsOptions {
            credentials,
            allow_insecure_transport: o.allow_insecure_transport,
        },
    )
    .map_err(endpoint_error)?;
    if let TokenSource::Static(t) = &tokens {
        endpoint.target(Some(t)).map_err(endpoint_error)?;
    }
    let session_options = o
        .session
        .session_options(matches!(tokens, TokenSource::Provider(_)));
    let frames = frames(Protocol::CloudEvents)?;
    let engine: Box<dyn Engine> = Box::new(SessionEngine::new(
        frames,
        session_options,
        js_sys::Date::now() as u64,
    ));
    let driver = Driver::start(
        engine,
        Box::new(move |t| endpoint.target(t)),
        tokens,
        "type",
        signal,
    );
    Ok(super::with_async_iterator(
        CloudEventsSubscription { driver }.into(),
    ))
}

/// The frame checker of a new subscription; without the package entry's decoders it cannot run.
#[cfg(any(feature = "events-hub", feature = "lxd", feature = "cloudevents"))]
fn frames(protocol: Protocol) -> Result<JsFrames, JsValue> {
    let frames = JsFrames::new(protocol);
    if frames.ready() {
        Ok(frames)
    } else {
        Err(js_sys::Error::new(
            "infra-events: the frame decoders are not installed; import the package entry (\"infra-events\"), not its wasm glue",
        )
        .into())
    }
}

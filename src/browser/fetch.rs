//! One HTTP request from the browser, through gloo-net's `fetch`, that an `AbortSignal` can cancel.
//!
//! General on purpose (MWS's REST client and the Events Hub login both use it): the caller gives
//! the method, URL, headers and body, and gets the status, the body as text and `Location`: as a
//! Rust string ([`send`]), or as the browser's own string ([`send_js`]) for a caller that hands it
//! to JavaScript (a decoder) without copying it into wasm memory.
//!
//! The caller's signal never reaches `fetch` itself. Each request gets a fresh `AbortController`
//! that the caller's signal aborts (with no reason), because `fetch` rejects with the signal's
//! `reason`, which may be any value (`controller.abort("why")` gives a string), and gloo-net
//! cannot turn a rejection that is not an `Error` into its error type. So a rejection is always
//! a browser error, and whether the request was aborted is read from our own signal.

use std::fmt;

use gloo_net::http::{Method, RequestBuilder};
use js_sys::{Function, JsString, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    /// `AbortController`, bound here so the crate needs no more web-sys features than gloo-net's.
    #[derive(Clone)]
    pub type AbortController;
    #[wasm_bindgen(constructor)]
    pub fn new() -> AbortController;
    #[wasm_bindgen(method, getter)]
    pub fn signal(this: &AbortController) -> web_sys::AbortSignal;
    #[wasm_bindgen(method)]
    pub fn abort(this: &AbortController);

    /// The `EventTarget` side of an `AbortSignal` (web-sys would need one more feature for it).
    type SignalTarget;
    #[wasm_bindgen(method, js_name = addEventListener)]
    fn add_listener(this: &SignalTarget, kind: &str, listener: &Function);
    #[wasm_bindgen(method, js_name = removeEventListener)]
    fn remove_listener(this: &SignalTarget, kind: &str, listener: &Function);
}

/// What came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// `Response.status`.
    pub status: u16,
    /// The body as text.
    pub body: String,
    /// The `Location` header, when the server sent it and CORS exposes it.
    pub location: Option<String>,
}

/// What came back, the body left in JavaScript.
#[derive(Debug, Clone)]
pub struct JsReply {
    /// `Response.status`.
    pub status: u16,
    /// The body, as `Response.text()` gave it.
    pub body: JsString,
    /// The `Location` header, when the server sent it and CORS exposes it.
    pub location: Option<String>,
}

/// Why no reply came. Neither variant carries a header: an `Authorization` value never ends up
/// in an error, a log or a `Debug` print.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchFailure {
    /// The signal aborted the request (before it was sent, or while waiting for the answer).
    Aborted,
    /// No response: the network failed, the browser refused it (CORS, a mixed-content or malformed
    /// URL), or the body could not be read. The browser's words, which never quote headers.
    Network(String),
}

impl fmt::Display for FetchFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchFailure::Aborted => f.write_str("the request was aborted"),
            FetchFailure::Network(reason) => write!(f, "the request failed: {reason}"),
        }
    }
}

impl std::error::Error for FetchFailure {}

/// Removes the link from the caller's signal to the request's controller when the request ends,
/// whichever way it ends.
struct Link {
    signal: web_sys::AbortSignal,
    on_abort: Closure<dyn FnMut()>,
}

impl Drop for Link {
    fn drop(&mut self) {
        self.signal
            .unchecked_ref::<SignalTarget>()
            .remove_listener("abort", self.on_abort.as_ref().unchecked_ref());
    }
}

/// Performs one request. `headers` are sent as given; `body` is sent as text. A status of 4xx or
/// 5xx is a [`Reply`], not a failure: reading it is the caller's business.
pub async fn send(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
    signal: Option<&web_sys::AbortSignal>,
) -> Result<Reply, FetchFailure> {
    let reply = send_js(method, url, headers, body, signal).await?;
    Ok(Reply {
        status: reply.status,
        body: String::from(&reply.body),
        location: reply.location,
    })
}

/// [`send`], with the body kept as the browser's string.
pub async fn send_js(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
    signal: Option<&web_sys::AbortSignal>,
) -> Result<JsReply, FetchFailure> {
    if signal.is_some_and(|s| s.aborted()) {
        return Err(FetchFailure::Aborted);
    }
    let method = Method::from_bytes(method.as_bytes())
        .map_err(|_| FetchFailure::Network(format!("{method:?} is not an HTTP method")))?;
    // `Headers.set` throws on these, and gloo-net would turn the throw into an exception that
    // skips every destructor on the way out.
    for (name, value) in headers {
        if !is_header_name(name) || !is_header_value(value) {
            return Err(FetchFailure::Network(format!(
                "the {name:?} header has a character HTTP headers cannot carry"
            )));
        }
    }
    let controller = AbortController::new();
    let own_signal = controller.signal();
    let _link = signal.map(|signal| {
        let c = controller.clone();
        let on_abort = Closure::<dyn FnMut()>::new(move || c.abort());
        signal
            .unchecked_ref::<SignalTarget>()
            .add_listener("abort", on_abort.as_ref().unchecked_ref());
        Link {
            signal: signal.clone(),
            on_abort,
        }
    });
    let failure = |e: gloo_net::Error| {
        if own_signal.aborted() {
            FetchFailure::Aborted
        } else {
            FetchFailure::Network(browser_words(e))
        }
    };
    let mut builder = RequestBuilder::new(url)
        .method(method)
        .abort_signal(Some(&own_signal));
    for (name, value) in headers {
        builder = builder.header(name, value);
    }
    let request = match body {
        Some(text) => builder.body(text),
        None => builder.build(),
    }
    .map_err(failure)?;
    let response = request.send().await.map_err(failure)?;
    let status = response.status();
    let location = response.headers().get("location");
    // gloo-net's `text()` would copy the string into wasm memory.
    let raw = web_sys::Response::from(response);
    let thrown = |e: JsValue| {
        if own_signal.aborted() {
            FetchFailure::Aborted
        } else {
            FetchFailure::Network(thrown_words(&e))
        }
    };
    let text = raw.text().map_err(thrown)?;
    let body = JsFuture::from(text).await.map_err(thrown)?;
    let body = body
        .dyn_into::<JsString>()
        .map_err(|_| FetchFailure::Network("the body was not read as text".to_owned()))?;
    Ok(JsReply {
        status,
        body,
        location,
    })
}

/// The name and message of what the browser threw, as [`browser_words`] gives them.
fn thrown_words(e: &JsValue) -> String {
    let text = |key: &str| {
        Reflect::get(e, &key.into())
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default()
    };
    format!("{}: {}", text("name"), text("message"))
        .chars()
        .take(200)
        .collect()
}

/// The browser's message for a failed request: its name and message only (a `TypeError: Failed
/// to fetch` says nothing more, on purpose), cut short.
fn browser_words(e: gloo_net::Error) -> String {
    let text = match e {
        gloo_net::Error::JsError(js) => format!("{}: {}", js.name, js.message),
        gloo_net::Error::GlooError(text) => text,
    };
    text.chars().take(200).collect()
}

/// RFC 9110's `token`: the characters a header name may have.
fn is_header_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// What `Headers` accepts as a value: a byte string without NUL, CR or LF.
fn is_header_value(value: &str) -> bool {
    value
        .chars()
        .all(|c| c <= '\u{FF}' && !matches!(c, '\0' | '\r' | '\n'))
}

//! The Events Hub's built-in login, as a token provider for the driver: a JavaScript function that
//! the driver calls before every connect and reconnect, like an application's own provider.
//!
//! [`LoginTokenCache`] decides; this file only performs its requests with `fetch`:
//! - no token yet, or the cached one near its `expires_at`: log in;
//! - the cached token was already used for a connection: ask the server whether it still takes it
//!   (`/auth/token/validate`) before using it again. A refused WebSocket upgrade looks like any
//!   other failed handshake in a browser (the 401 is hidden), so without this check a token the
//!   server revoked or expired early would be offered forever.
//!
//! A refused login (wrong password, unknown API key) rejects with an error marked `final`: the
//! driver ends the subscription (`closed { why: failed }`) instead of retrying what cannot work.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;

use super::fetch;
use crate::endpoint::{LoginError, LoginStep, LoginTokenCache, Token};

/// The property of a provider's rejection that tells the driver not to retry.
pub const FINAL_ERROR_FLAG: &str = "final";

struct LoginState {
    cache: LoginTokenCache,
    /// The token given for the previous connect: seeing it again means a reconnect.
    handed_out: Option<Token>,
}

fn now_ms() -> u64 {
    js_sys::Date::now().max(0.0) as u64
}

/// The provider function for `cache`: `() => Promise<string>`.
pub fn login_provider(cache: LoginTokenCache) -> Function {
    let state = Rc::new(RefCell::new(LoginState {
        cache,
        handed_out: None,
    }));
    Closure::<dyn FnMut() -> js_sys::Promise>::new(move || {
        let state = state.clone();
        wasm_bindgen_futures::future_to_promise(async move {
            token_for_connect(&state)
                .await
                .map(|t| JsValue::from_str(t.expose_secret()))
                .map_err(login_error_to_js)
        })
    })
    .into_js_value()
    .unchecked_into()
}

async fn post(request: &crate::endpoint::HttpRequest) -> Result<fetch::Reply, fetch::FetchFailure> {
    fetch::send(
        request.method(),
        request.url(),
        &[("Content-Type", request.content_type())],
        Some(request.expose_body()),
        None,
    )
    .await
}

async fn token_for_connect(state: &Rc<RefCell<LoginState>>) -> Result<Token, LoginError> {
    let reused = {
        let st = state.borrow();
        match st.cache.next(now_ms()) {
            LoginStep::Ready(token) if st.handed_out.as_ref() == Some(&token) => Some(token),
            _ => None,
        }
    };
    if let Some(token) = reused {
        let request = state.borrow().cache.validate_request(&token);
        // A check that gets no answer says nothing about the token: use it, the connect will tell.
        if let Ok(reply) = post(&request).await {
            let _ = state
                .borrow_mut()
                .cache
                .handle_validate_response(&token, reply.status, &reply.body);
        }
    }
    let step = state.borrow().cache.next(now_ms());
    let token = match step {
        LoginStep::Ready(token) => token,
        LoginStep::Login(request) => match post(&request).await {
            Ok(reply) => {
                state
                    .borrow_mut()
                    .cache
                    .handle_login_response(reply.status, &reply.body, now_ms())?
            }
            Err(failure) => {
                return Err(state
                    .borrow_mut()
                    .cache
                    .handle_login_failure(&failure.to_string()))
            }
        },
    };
    state.borrow_mut().handed_out = Some(token.clone());
    Ok(token)
}

/// A `LoginError` (its text never quotes the credentials) as a JavaScript `Error` named
/// `LoginError`, with `final: true` when the server refused the credentials.
fn login_error_to_js(error: LoginError) -> JsValue {
    let js = js_sys::Error::new(&error.to_string());
    js.set_name("LoginError");
    let _ = Reflect::set(
        &js,
        &FINAL_ERROR_FLAG.into(),
        &JsValue::from_bool(error.is_auth_failure()),
    );
    js.into()
}

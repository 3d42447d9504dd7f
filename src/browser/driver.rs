//! The browser driver of a live subscription: it runs a sans-IO [`Session`] with the browser's
//! socket, one timer, the `online` / `visibilitychange` / `abort` listeners and the token
//! provider, and hands events and state changes to JavaScript callbacks or to the async
//! iterator.
//!
//! Ownership rules, so nothing outlives `close()`:
//! - the driver owns every closure it gives the browser (socket handlers, the timer callback, the
//!   listeners) and removes them when the subscription ends; no `Closure::forget`;
//! - a closure is never freed while it may be running: sockets and listeners are detached at
//!   once, and the Rust values are dropped on a later microtask;
//! - user code (callbacks, the token provider) is never called while the driver's state is
//!   borrowed, so a callback may call `close()` or an unsubscribe function freely.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use js_sys::{Array, ArrayBuffer, Function, JsString, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{BinaryType, CloseEvent, Event, MessageEvent, WebSocket};

use super::delivery::{Out, Outlet};
#[cfg(any(feature = "events-hub", feature = "lxd", feature = "cloudevents"))]
use super::frames::{frame_len, JsFrames};
use super::page::{drop_later, now, PageHooks, PageSignal};
use crate::endpoint::{ConnectTarget, EndpointError, Token};
use crate::session::{Action, ConnId, Input, Millis, SessionEvent, SessionStats};
#[cfg(any(feature = "events-hub", feature = "lxd", feature = "cloudevents"))]
use crate::session::{Session, SessionOptions};

/// A session as the driver runs it.
pub trait Engine {
    /// [`Session::handle`].
    fn handle(&mut self, input: Input, now: Millis);
    /// A text frame, as the browser's own string: checked in JavaScript, never copied into wasm.
    fn handle_text(&mut self, conn: ConnId, text: JsString, now: Millis);
    /// [`Session::poll_action`].
    fn poll_action(&mut self) -> Option<Action>;
    /// [`Session::pop_event`]: the checked object the decode export returned.
    fn pop_event(&mut self) -> Option<JsValue>;
    /// [`Session::buffered`].
    fn buffered(&self) -> usize;
    /// [`Session::next_deadline`].
    fn next_deadline(&self) -> Option<Millis>;
    /// [`Session::stats`].
    fn stats(&self) -> SessionStats;
    /// [`Session::is_closed`].
    fn is_closed(&self) -> bool;
}

/// A [`Session`] over frames checked by the package's decode exports.
#[cfg(any(feature = "events-hub", feature = "lxd", feature = "cloudevents"))]
pub struct SessionEngine {
    session: Session<JsFrames>,
    frames: JsFrames,
    max_frame_bytes: Option<usize>,
}

#[cfg(any(feature = "events-hub", feature = "lxd", feature = "cloudevents"))]
impl SessionEngine {
    /// Wraps `session`, whose source checks the frames.
    pub fn new(frames: JsFrames, options: SessionOptions, now: Millis) -> Self {
        SessionEngine {
            max_frame_bytes: options.max_frame_bytes,
            session: Session::new(frames.clone(), options, now),
            frames,
        }
    }
}

#[cfg(any(feature = "events-hub", feature = "lxd", feature = "cloudevents"))]
impl Engine for SessionEngine {
    fn handle(&mut self, input: Input, now: Millis) {
        self.session.handle(input, now)
    }
    fn handle_text(&mut self, conn: ConnId, text: JsString, now: Millis) {
        let len = frame_len(&text, self.max_frame_bytes);
        let frames = &self.frames;
        // The text is only read out of JavaScript to quote a refused frame (its head).
        let head = || String::from(text.slice(0, 4096));
        self.session
            .handle_checked(conn, len, head, || frames.check(&text), now);
    }
    fn poll_action(&mut self) -> Option<Action> {
        self.session.poll_action()
    }
    fn pop_event(&mut self) -> Option<JsValue> {
        self.session.pop_event().map(|d| d.event)
    }
    fn buffered(&self) -> usize {
        self.session.buffered()
    }
    fn next_deadline(&self) -> Option<Millis> {
        self.session.next_deadline()
    }
    fn stats(&self) -> SessionStats {
        self.session.stats()
    }
    fn is_closed(&self) -> bool {
        self.session.is_closed()
    }
}

/// Where tokens come from.
pub enum TokenSource {
    /// No token is sent.
    None,
    /// The same token for every connection.
    Static(Token),
    /// A JavaScript function `() => Promise<string> | string`, called before every connect and
    /// reconnect.
    Provider(Function),
}

/// Builds the URL and protocols of one attempt (the endpoint's `target`).
pub type TargetFn = Box<dyn Fn(Option<&Token>) -> Result<ConnectTarget, EndpointError>>;

/// One open socket and the handlers it owns.
struct LiveSocket {
    conn: ConnId,
    ws: WebSocket,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl LiveSocket {
    fn open(
        weak: &Weak<RefCell<State>>,
        conn: ConnId,
        target: &ConnectTarget,
    ) -> Result<LiveSocket, JsValue> {
        let protocols = target.expose_protocols();
        let ws = if protocols.is_empty() {
            WebSocket::new(target.expose_url())?
        } else {
            let list: Array = protocols.iter().map(|p| JsValue::from_str(p)).collect();
            WebSocket::new_with_str_sequence(target.expose_url(), &list)?
        };
        ws.set_binary_type(BinaryType::Arraybuffer);
        let w = weak.clone();
        let socket = ws.clone();
        let on_open = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            feed(
                &w,
                Input::SocketOpened {
                    conn,
                    protocol: socket.protocol(),
                },
            );
        });
        let w = weak.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let data = e.data();
            let input = if data.is_string() {
                let text: JsString = data.unchecked_into();
                return feed_with(&w, |st| st.engine.handle_text(conn, text, now()));
            } else if let Some(buf) = data.dyn_ref::<ArrayBuffer>() {
                Input::BinaryFrame {
                    conn,
                    len: buf.byte_length() as usize,
                }
            } else {
                Input::BinaryFrame { conn, len: 0 }
            };
            feed(&w, input);
        });
        let w = weak.clone();
        let on_error = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            feed(&w, Input::SocketError { conn });
        });
        let w = weak.clone();
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
            feed(
                &w,
                Input::SocketClosed {
                    conn,
                    code: e.code(),
                    reason: e.reason(),
                    was_clean: e.was_clean(),
                },
            );
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(LiveSocket {
            conn,
            ws,
            _on_open: on_open,
            _on_message: on_message,
            _on_error: on_error,
            _on_close: on_close,
        })
    }

    /// Detaches the handlers at once, closes the socket, frees the closures later.
    fn dispose(self, code: u16, reason: &str) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onerror(None);
        self.ws.set_onclose(None);
        let live = matches!(self.ws.ready_state(), WebSocket::CONNECTING | WebSocket::OPEN);
        if live && self.ws.close_with_code_and_reason(code, reason).is_err() {
            let _ = self.ws.close();
        }
        drop_later(self);
    }
}

struct State {
    engine: Box<dyn Engine>,
    target: TargetFn,
    tokens: TokenSource,
    token: Option<Token>,
    socket: Option<LiveSocket>,
    /// The timer and the page listeners; `None` until installed (right after creation).
    hooks: Option<PageHooks>,
    /// The application's callbacks and pending `next()` calls; `on(key, …)` matches `message` or
    /// `type`.
    outlet: Outlet,
    /// The subscription has ended: nothing is delivered any more.
    ended: bool,
    /// The state keeps itself alive until it ends, as an open `WebSocket` does: a subscription
    /// whose object the application dropped still runs until `close()` or the signal.
    keep_alive: Option<Rc<RefCell<State>>>,
}

/// A running subscription. Cheap to clone (shared state).
#[derive(Clone)]
pub struct Driver(Rc<RefCell<State>>);

impl Driver {
    /// Makes a driver and starts it on a later microtask, so callbacks registered right after
    /// creation see the first `connecting`. `signal` is an optional `AbortSignal`.
    pub fn start(
        engine: Box<dyn Engine>,
        target: TargetFn,
        tokens: TokenSource,
        discriminant: &'static str,
        signal: Option<JsValue>,
    ) -> Driver {
        let state = Rc::new(RefCell::new(State {
            engine,
            target,
            tokens,
            token: None,
            socket: None,
            hooks: None,
            outlet: Outlet::new(discriminant),
            ended: false,
            keep_alive: None,
        }));
        state.borrow_mut().keep_alive = Some(state.clone());
        {
            let mut st = state.borrow_mut();
            let token = match &st.tokens {
                TokenSource::Static(t) => Some(t.clone()),
                _ => None,
            };
            st.token = token;
        }
        let weak = Rc::downgrade(&state);
        let w = weak.clone();
        let on_signal = move |signal| match signal {
            PageSignal::Online => feed(&w, Input::Online),
            PageSignal::Visible { hidden } => feed(&w, Input::Visible { hidden }),
            PageSignal::Abort => {
                if let Some(rc) = w.upgrade() {
                    Driver(rc).abort();
                }
            }
        };
        let w = weak.clone();
        let on_tick = move || {
            if let Some(rc) = w.upgrade() {
                if let Some(hooks) = rc.borrow_mut().hooks.as_mut() {
                    hooks.fired();
                }
            }
            feed(&w, Input::Tick);
        };
        let (hooks, already_aborted) = PageHooks::install(signal, on_signal, on_tick);
        state.borrow_mut().hooks = Some(hooks);
        let driver = Driver(state);
        let d = driver.clone();
        wasm_bindgen_futures::spawn_local(async move {
            if already_aborted {
                d.abort();
            } else {
                feed(&Rc::downgrade(&d.0), Input::Start);
            }
        });
        driver
    }

    /// Registers a callback for events whose discriminant (`message` or `type`) is `key`, or for
    /// every event (`key` `None`). Returns the id to unsubscribe with.
    pub fn on_event(&self, key: Option<String>, callback: Function) -> u64 {
        let outlet = self.0.borrow().outlet.clone();
        let id = outlet.add_event_callback(key, callback);
        if id == 0 {
            return 0;
        }
        // Events may be waiting for a consumer.
        let d = self.clone();
        wasm_bindgen_futures::spawn_local(async move { pump(&d.0) });
        id
    }

    /// Registers a callback for state events.
    pub fn on_state(&self, callback: Function) -> u64 {
        let outlet = self.0.borrow().outlet.clone();
        outlet.add_state_callback(callback)
    }

    /// The function that removes callback `id` (see [`Outlet::unsubscriber`]).
    pub fn unsubscriber(&self, id: u64) -> Function {
        self.0.borrow().outlet.unsubscriber(id)
    }

    /// The session's counters.
    pub fn stats(&self) -> SessionStats {
        self.0.borrow().engine.stats()
    }

    /// Whether the subscription has ended.
    pub fn is_ended(&self) -> bool {
        self.0.borrow().ended
    }

    /// `next()` of the async iterator: a promise of `{value, done}`.
    pub fn next(&self) -> Promise {
        let outlet = self.0.borrow().outlet.clone();
        let (promise, waits) = outlet.next();
        if waits {
            pump(&self.0);
        }
        promise
    }

    /// The application's `close()`: final; no callback fires after it.
    pub fn close(&self) {
        self.finish(Input::Close, false);
    }

    /// The `AbortSignal` fired: final; `closed { why: aborted }` is the last state event.
    pub fn abort(&self) {
        self.finish(Input::Abort, true);
    }

    fn finish(&self, input: Input, tell: bool) {
        let mut outs = Vec::new();
        {
            let mut st = self.0.borrow_mut();
            if st.ended {
                return;
            }
            st.engine.handle(input, now());
            while let Some(action) = st.engine.poll_action() {
                match action {
                    Action::CloseSocket { conn, code, reason } => st.close_socket(conn, code, &reason),
                    Action::Emit(event) if tell => outs.push(Out::State(to_js(&event))),
                    _ => {}
                }
            }
        }
        dispatch(&self.0, outs);
        teardown(&self.0);
    }
}

impl State {
    fn close_socket(&mut self, conn: ConnId, code: u16, reason: &str) {
        if self.socket.as_ref().is_some_and(|s| s.conn == conn) {
            if let Some(s) = self.socket.take() {
                s.dispose(code, reason);
            }
        }
    }

    /// Sets the timer for the session's next deadline.
    fn arm(&mut self) {
        let Some(hooks) = self.hooks.as_mut() else {
            return;
        };
        hooks.disarm();
        if self.ended {
            return;
        }
        if let Some(deadline) = self.engine.next_deadline() {
            hooks.arm(deadline.saturating_sub(now()));
        }
    }

    /// Opens the socket for `conn`, or reports why it cannot be.
    fn open_socket(&mut self, weak: &Weak<RefCell<State>>, conn: ConnId) {
        if let Some(old) = self.socket.take() {
            old.dispose(crate::session::CLOSE_GIVING_UP, "replaced");
        }
        let target = match (self.target)(self.token.as_ref()) {
            Ok(t) => t,
            Err(e) => {
                return self.engine.handle(
                    Input::Fail {
                        reason: e.to_string(),
                    },
                    now(),
                )
            }
        };
        match LiveSocket::open(weak, conn, &target) {
            Ok(s) => self.socket = Some(s),
            Err(_) => self.engine.handle(
                Input::SocketClosed {
                    conn,
                    code: 1006,
                    reason: "the WebSocket constructor threw".to_owned(),
                    was_clean: false,
                },
                now(),
            ),
        }
    }
}

/// Feeds one input from the browser, then runs the driver.
fn feed(weak: &Weak<RefCell<State>>, input: Input) {
    feed_with(weak, |st| {
        if let Input::SocketClosed { conn, .. } = &input {
            let conn = *conn;
            if st.socket.as_ref().is_some_and(|s| s.conn == conn) {
                if let Some(s) = st.socket.take() {
                    s.dispose(1000, "");
                }
            }
        }
        st.engine.handle(input, now());
    });
}

/// Hands the state something from the browser (unless the subscription ended), then runs the
/// driver.
fn feed_with(weak: &Weak<RefCell<State>>, give: impl FnOnce(&mut State)) {
    let Some(rc) = weak.upgrade() else { return };
    {
        let mut st = rc.borrow_mut();
        if st.ended {
            return;
        }
        give(&mut st);
    }
    pump(&rc);
}

/// Runs the session until it has nothing more to say: delivers events, performs actions, emits
/// state events, then arms the timer.
fn pump(rc: &Rc<RefCell<State>>) {
    let weak = Rc::downgrade(rc);
    loop {
        let mut outs = Vec::new();
        let mut fetch: Option<(ConnId, Function)> = None;
        let session_over;
        {
            let mut st = rc.borrow_mut();
            if st.ended {
                return;
            }
            // Events first: within one input they come before the state changes it caused.
            let wanted = st.outlet.wanted();
            let mut taken = 0;
            while taken < wanted {
                match st.engine.pop_event() {
                    Some(e) => {
                        outs.push(Out::Event(e));
                        taken += 1;
                    }
                    None => break,
                }
            }
            while let Some(action) = st.engine.poll_action() {
                match action {
                    Action::FetchToken { conn } => match &st.tokens {
                        TokenSource::Provider(f) => {
                            fetch = Some((conn, f.clone()));
                            break;
                        }
                        TokenSource::Static(t) => {
                            st.token = Some(t.clone());
                            st.engine.handle(Input::TokenReady { conn }, now());
                        }
                        TokenSource::None => {
                            st.token = None;
                            st.engine.handle(Input::TokenReady { conn }, now());
                        }
                    },
                    Action::OpenSocket { conn, .. } => st.open_socket(&weak, conn),
                    Action::SendText { conn, text } => {
                        if let Some(s) = st.socket.as_ref().filter(|s| s.conn == conn) {
                            let _ = s.ws.send_with_str(&text);
                        }
                    }
                    Action::CloseSocket { conn, code, reason } => st.close_socket(conn, code, &reason),
                    Action::Emit(event) => outs.push(Out::State(to_js(&event))),
                }
            }
            session_over = st.engine.is_closed();
            if !session_over {
                st.arm();
            }
        }
        let idle = outs.is_empty() && fetch.is_none();
        dispatch(rc, outs);
        if let Some((conn, provider)) = fetch {
            request_token(&weak, conn, &provider);
        }
        if session_over {
            teardown(rc);
            return;
        }
        let more = {
            let st = rc.borrow();
            !st.ended && (st.outlet.has_consumers() && st.engine.buffered() > 0)
        };
        if idle || !more {
            return;
        }
    }
}

/// Calls the token provider (outside any borrow) and feeds its answer back.
fn request_token(weak: &Weak<RefCell<State>>, conn: ConnId, provider: &Function) {
    let answer = provider.call0(&JsValue::UNDEFINED);
    let weak = weak.clone();
    wasm_bindgen_futures::spawn_local(async move {
        let result = match answer {
            Ok(value) => JsFuture::from(Promise::resolve(&value)).await,
            Err(e) => Err(e),
        };
        let Some(rc) = weak.upgrade() else { return };
        let input = {
            let mut st = rc.borrow_mut();
            if st.ended {
                return;
            }
            match result.map(|v| v.as_string()) {
                Ok(Some(token)) if !token.is_empty() => {
                    st.token = Some(Token::new(token));
                    Input::TokenReady { conn }
                }
                Ok(_) => Input::TokenFailed {
                    conn,
                    reason: "the token provider did not give a non-empty string".to_owned(),
                },
                // A provider that knows no retry can help (the built-in login refused) says so.
                Err(e) if is_final(&e) => Input::Fail {
                    reason: error_text(&e),
                },
                Err(e) => Input::TokenFailed {
                    conn,
                    reason: error_text(&e),
                },
            }
        };
        feed(&weak, input);
    });
}

/// Whether a provider's rejection is marked `final: true`.
fn is_final(e: &JsValue) -> bool {
    e.is_object()
        && Reflect::get(e, &"final".into())
            .map(|f| f.is_truthy())
            .unwrap_or(false)
}

/// An error's `message` (never its whole value, which could be anything).
fn error_text(e: &JsValue) -> String {
    let message = Reflect::get(e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "the token provider failed".to_owned());
    format!(
        "token provider: {}",
        message.chars().take(200).collect::<String>()
    )
}

/// Hands events and state events to the application (see [`Outlet::dispatch`]).
fn dispatch(rc: &Rc<RefCell<State>>, outs: Vec<Out>) {
    let outlet = rc.borrow().outlet.clone();
    outlet.dispatch(outs);
}

/// Ends the subscription: removes every listener, the timer and the socket, forgets every
/// callback, and ends pending `next()` calls.
fn teardown(rc: &Rc<RefCell<State>>) {
    let outlet = {
        let mut st = rc.borrow_mut();
        st.ended = true;
        if let Some(hooks) = st.hooks.as_mut() {
            hooks.remove();
        }
        if let Some(s) = st.socket.take() {
            s.dispose(crate::session::CLOSE_NORMAL, "closed");
        }
        st.token = None;
        if let Some(me) = st.keep_alive.take() {
            drop_later(me);
        }
        st.outlet.clone()
    };
    outlet.end();
}

/// A serialisable value as a JavaScript object (serde_json, then `JSON.parse`).
pub fn to_js<T: serde::Serialize>(value: &T) -> JsValue {
    serde_json::to_string(value)
        .ok()
        .and_then(|text| js_sys::JSON::parse(&text).ok())
        .unwrap_or(JsValue::NULL)
}

/// [`SessionEvent`] as a JavaScript object.
pub fn session_event_to_js(event: &SessionEvent) -> JsValue {
    to_js(event)
}

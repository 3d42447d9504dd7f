//! A WebSocket whose listeners are owned by the value: dropping it detaches every listener and
//! closes the socket, so no closure outlives its user (no `Closure::forget`).

use std::future::poll_fn;
use std::pin::Pin;

use futures_channel::mpsc;
use futures_core::Stream;
use js_sys::{Array, ArrayBuffer, JsString, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, CloseEvent, Event, MessageEvent, WebSocket};

/// What happened on the socket, in the order the browser reported it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SocketEvent {
    Open,
    Text(String),
    Binary(Vec<u8>),
    /// The browser reports no detail for errors (by design, to hide network information).
    Error,
    Closed {
        code: u16,
        reason: String,
        was_clean: bool,
    },
}

pub struct Socket {
    ws: WebSocket,
    events: mpsc::UnboundedReceiver<SocketEvent>,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(Event)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    /// Starts connecting. `protocols` may be empty; when it is not, the server must select one of
    /// them or the browser fails the handshake.
    pub fn open(url: &str, protocols: &[&str]) -> Result<Socket, JsValue> {
        let ws = if protocols.is_empty() {
            WebSocket::new(url)?
        } else {
            let list: Array = protocols.iter().map(|p| JsValue::from_str(p)).collect();
            WebSocket::new_with_str_sequence(url, &list)?
        };
        ws.set_binary_type(BinaryType::Arraybuffer);
        let (tx, events) = mpsc::unbounded();

        let sender = tx.clone();
        let on_open = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            let _ = sender.unbounded_send(SocketEvent::Open);
        });
        let sender = tx.clone();
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
            let data = e.data();
            let event = if let Some(text) = data.dyn_ref::<JsString>() {
                SocketEvent::Text(String::from(text))
            } else if let Some(buf) = data.dyn_ref::<ArrayBuffer>() {
                SocketEvent::Binary(Uint8Array::new(buf).to_vec())
            } else {
                // binaryType is fixed to arraybuffer above, so a Blob cannot arrive; report
                // anything else as binary of unknown content rather than dropping it.
                SocketEvent::Binary(Vec::new())
            };
            let _ = sender.unbounded_send(event);
        });
        let sender = tx.clone();
        let socket = ws.clone();
        let on_error = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
            let _ = sender.unbounded_send(SocketEvent::Error);
            // Browsers mark the socket CLOSED before `error` and fire `close` (1006) right after.
            // Node 20's WebSocket leaves it CONNECTING and never fires `close`, so a consumer
            // waiting for the close would hang: report the abnormal closure ourselves.
            if socket.ready_state() != WebSocket::CLOSED {
                let _ = sender.unbounded_send(SocketEvent::Closed {
                    code: 1006,
                    reason: String::new(),
                    was_clean: false,
                });
                sender.close_channel();
            }
        });
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
            let _ = tx.unbounded_send(SocketEvent::Closed {
                code: e.code(),
                reason: e.reason(),
                was_clean: e.was_clean(),
            });
            tx.close_channel();
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Socket {
            ws,
            events,
            _on_open: on_open,
            _on_message: on_message,
            _on_error: on_error,
            _on_close: on_close,
        })
    }

    /// The next event; `None` once the close event has been delivered.
    pub async fn next(&mut self) -> Option<SocketEvent> {
        poll_fn(|cx| Pin::new(&mut self.events).poll_next(cx)).await
    }

    pub fn send_text(&self, text: &str) -> Result<(), JsValue> {
        self.ws.send_with_str(text)
    }

    /// The subprotocol the server selected ("" when none).
    pub fn protocol(&self) -> String {
        self.ws.protocol()
    }

    pub fn close(&self) -> Result<(), JsValue> {
        self.ws.close()
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onerror(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}

//! The TCP listener, which can refuse connections for a while (`/_sim/refuse`, `--refuse-for`).
//!
//! Refusing happens before HTTP: the connection is accepted and reset at once (SO_LINGER 0), which
//! a client sees as a failed connection, much like a server that is down. Everything on the origin
//! is refused meanwhile, the control API included; the refusal ends by itself.

use std::sync::Arc;

use axum::serve::Listener;
use tokio::net::{TcpListener, TcpStream};

use crate::control::Control;

pub struct SimListener {
    pub inner: TcpListener,
    pub control: Arc<Control>,
}

impl Listener for SimListener {
    type Io = TcpStream;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, addr)) => {
                    if self.control.refusing() {
                        let _ = stream.set_zero_linger();
                        drop(stream);
                        continue;
                    }
                    // Events are small and latency is measured: never wait for Nagle.
                    let _ = stream.set_nodelay(true);
                    return (stream, addr);
                }
                Err(_) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

//! The simulator as a library, so tests can start it in-process on a loopback port.

use std::net::SocketAddr;
use std::path::PathBuf;

use axum::Router;
use tokio::net::TcpListener;

mod smoke;
mod static_files;

/// Where the simulator finds what it serves.
#[derive(Debug, Clone)]
pub struct Config {
    /// The demo page, served at `/`.
    pub www_dir: PathBuf,
    /// The built npm package, served at `/pkg/`.
    pub pkg_dir: PathBuf,
}

pub fn router(config: &Config) -> Router {
    Router::new()
        .nest("/_test", smoke::router())
        .merge(static_files::router(config))
}

/// Binds 127.0.0.1:`port` (0 picks a free port) and returns the bound address with the server future.
pub async fn bind(
    config: &Config,
    port: u16,
) -> std::io::Result<(SocketAddr, impl std::future::Future<Output = std::io::Result<()>>)> {
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    let app = router(config);
    Ok((addr, async move { axum::serve(listener, app).await }))
}

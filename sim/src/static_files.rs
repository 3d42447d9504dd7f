//! The demo's origin: `www/` at `/` and the built package at `/pkg/`, so the page loads the SDK
//! from the same origin as the servers it talks to.

use axum::Router;
use tower_http::services::ServeDir;

use crate::Config;

pub fn router(config: &Config) -> Router {
    Router::new()
        .nest_service("/pkg", ServeDir::new(&config.pkg_dir))
        .fallback_service(ServeDir::new(&config.www_dir))
}

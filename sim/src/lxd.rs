//! LXD's `GET /1.0/events`, with LXD 5.0.2's answers to bad parameters (HTTP 500 before the
//! upgrade), its CSRF guard, the `keepalive` ping after the upgrade, and per-project filtering.
//! No authentication: like the socat bridge to the unix socket in docs/lxd-events.md, every
//! request is the trusted local root user.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::clock::Nanos;
use crate::control::Source;
use crate::gen_lxd::{self, logging, LxdEvent, LxdWorld, PROJECTS, TYPES};
use crate::json::J;
use crate::rng::{self, Rng};
use crate::stream::{Feed, Stream};
use crate::{query_pairs, ws, Sim};

pub fn router() -> Router<Arc<Sim>> {
    Router::new()
        .route("/1.0/events", get(events))
        .route("/1.0", get(server_info))
}

/// LXD's error body as the notes record it: `{"error":"…","error_code":N}` with that HTTP status.
fn lxd_error(status: StatusCode, message: &str) -> Response {
    (
        status,
        Json(json!({"error": message, "error_code": status.as_u16()})),
    )
        .into_response()
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProjectFilter {
    One(String),
    All,
}

/// Validates `type`, `project` and `all-projects` in LXD's order; the error is a 500 as LXD 5.0.2 answers.
pub fn parse_params(query: &[(String, String)]) -> Result<(Vec<&'static str>, ProjectFilter), String> {
    let get = |k: &str| {
        query
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let type_str = get("type");
    let types: Vec<&'static str> = if type_str.is_empty() {
        TYPES.to_vec()
    } else {
        let mut types = Vec::new();
        for entry in type_str.split(',') {
            // Exact and case-sensitive: " lifecycle" and "LIFECYCLE" are both refused.
            match TYPES.iter().find(|t| **t == entry) {
                Some(t) => types.push(*t),
                None => return Err(format!("{entry:?} isn't a supported event type")),
            }
        }
        types
    };
    let project = get("project");
    // Go's shared.IsTrue: "true", "1", "yes", "on".
    let all_projects = matches!(
        get("all-projects").to_ascii_lowercase().as_str(),
        "true" | "1" | "yes" | "on"
    );
    let filter = if all_projects {
        if !project.is_empty() {
            return Err("Cannot specify a project when requesting all projects".into());
        }
        ProjectFilter::All
    } else {
        let project = if project.is_empty() { "default" } else { project };
        if !PROJECTS.contains(&project) {
            return Err("Project not found".into());
        }
        ProjectFilter::One(project.to_owned())
    };
    Ok((types, filter))
}

async fn events(State(sim): State<Arc<Sim>>, req: Request) -> Response {
    // The daemon's CSRF guard, on REST and WebSocket alike.
    if let Some(site) = req.headers().get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if site.eq_ignore_ascii_case("cross-site") || site.eq_ignore_ascii_case("same-site") {
            return lxd_error(StatusCode::FORBIDDEN, "Forbidden Sec-Fetch-Site header value");
        }
    }
    let query = query_pairs(req.uri().query());
    let (types, projects) = match parse_params(&query) {
        Ok(p) => p,
        Err(message) => return lxd_error(StatusCode::INTERNAL_SERVER_ERROR, &message),
    };
    if !ws::is_upgrade(&req) {
        return ws::not_upgrade();
    }
    let (ordinal, live) = sim.control.open(Source::Lxd);
    let rng = rng::stream_rng(sim.control.seed(), "lxd", ordinal);
    let feed = LxdFeed {
        types,
        projects,
        world: LxdWorld::new(),
    };
    let sim2 = sim.clone();
    // LXD selects no subprotocol.
    ws::accept(req, None, move |socket| {
        Stream::run(sim2, socket, feed, rng, live)
    })
}

/// `GET /1.0`, enough for a client to tell it reached an LXD server.
async fn server_info() -> Response {
    Json(json!({
        "type": "sync", "status": "Success", "status_code": 200, "operation": "", "error_code": 0, "error": "",
        "metadata": {
            "api_extensions": ["event_lifecycle", "event_location", "projects", "event_project"],
            "api_status": "stable", "api_version": "1.0", "auth": "trusted", "public": false,
            "auth_methods": ["tls"],
            "environment": {"server": "lxd", "server_name": "sim", "server_version": "5.0.2", "server_clustered": false, "project": "default"},
        },
    }))
    .into_response()
}

pub struct LxdFeed {
    types: Vec<&'static str>,
    projects: ProjectFilter,
    world: LxdWorld,
}

impl LxdFeed {
    /// Logging reaches every listener; lifecycle and operation events only their project's
    /// (events with no project, such as server-level operations, the default project's).
    fn wants(&self, event: &LxdEvent) -> bool {
        if !self.types.contains(&event.kind) {
            return false;
        }
        if event.kind == "logging" {
            return true;
        }
        match &self.projects {
            ProjectFilter::All => true,
            ProjectFilter::One(p) => event.project.as_deref().unwrap_or("default") == p,
        }
    }
}

impl Feed for LxdFeed {
    type Event = LxdEvent;
    const SOURCE: Source = Source::Lxd;
    const INITIAL_PING: Option<&'static [u8]> = Some(b"keepalive");

    fn scene(&mut self, rng: &mut Rng, at: Nanos) -> Vec<(f64, LxdEvent)> {
        let scene = self.world.scene(rng, at);
        scene.into_iter().filter(|(_, e)| self.wants(e)).collect()
    }

    fn sample(&mut self, rng: &mut Rng, at: Nanos) -> LxdEvent {
        for _ in 0..20 {
            if let Some((_, e)) = self.scene(rng, at).into_iter().next() {
                return e;
            }
        }
        logging(
            "Handling API request",
            "debug",
            &[
                ("ip", "@"),
                ("method", "GET"),
                ("protocol", "unix"),
                ("url", "/1.0"),
                ("username", "root"),
            ],
        )
    }

    fn oversized(&mut self, size: usize, _rng: &mut Rng, _at: Nanos) -> LxdEvent {
        // A multi-line `API Request` dump, as `--debug` daemons log.
        let dump = format!("API Request\n\t{}", "x".repeat(size));
        logging(&dump, "debug", &[])
    }

    fn render(&mut self, event: &LxdEvent, ts: Nanos, _rng: &mut Rng) -> String {
        gen_lxd::render(event, ts)
    }

    fn burst_frame(
        &mut self,
        mix: &[String],
        seq: u64,
        sent_at_ms: f64,
        ts: Nanos,
        rng: &mut Rng,
    ) -> Option<String> {
        let default = ["logging".to_owned()];
        let mix = if mix.is_empty() { &default[..] } else { mix };
        let usable: Vec<&str> = mix
            .iter()
            .map(String::as_str)
            .filter(|t| self.types.contains(t))
            .collect();
        if usable.is_empty() {
            return None;
        }
        let sent = format!("{sent_at_ms}");
        let seq_s = seq.to_string();
        let event = match usable[(seq % usable.len() as u64) as usize] {
            // Context values are strings in LXD, so the send time is a string there.
            "logging" => logging(
                "Burst event",
                "info",
                &[("burst_seq", &seq_s), ("sent_at_ms", &sent)],
            ),
            "lifecycle" => {
                let project = match &self.projects {
                    ProjectFilter::One(p) => p.clone(),
                    ProjectFilter::All => "default".into(),
                };
                let meta = crate::json::Obj::new()
                    .f("action", "instance-updated")
                    .f("source", format!("/1.0/instances/c{}", seq % 16))
                    .f("context", json!({"burst_seq": seq_s, "sent_at_ms": sent}));
                LxdEvent {
                    kind: "lifecycle",
                    metadata: meta.into(),
                    project: Some(project),
                    stamp_shift_ns: 0,
                }
            }
            _ => {
                let meta = crate::json::Obj::new()
                    .f("id", rng::uuid(rng))
                    .f("class", "task")
                    .f("description", "Burst operation")
                    .f("created_at", crate::clock::rfc3339_nano(ts))
                    .f("updated_at", crate::clock::rfc3339_nano(ts))
                    .f("status", "Running")
                    .f("status_code", 103)
                    .f("resources", J::Null)
                    .f("metadata", json!({"burst_seq": seq, "sent_at_ms": sent_at_ms}))
                    .f("may_cancel", false)
                    .f("err", "")
                    .f("location", "none");
                LxdEvent {
                    kind: "operation",
                    metadata: meta.into(),
                    project: None,
                    stamp_shift_ns: 0,
                }
            }
        };
        Some(gen_lxd::render(&event, ts))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Vec<(String, String)> {
        query_pairs(Some(s))
    }

    #[test]
    fn bad_parameters_fail_like_lxd_5_0_2() {
        assert_eq!(
            parse_params(&q("type=bogus")).unwrap_err(),
            r#""bogus" isn't a supported event type"#
        );
        assert_eq!(
            parse_params(&q("type=LIFECYCLE")).unwrap_err(),
            r#""LIFECYCLE" isn't a supported event type"#
        );
        assert!(parse_params(&q("type=%20lifecycle")).is_err());
        assert!(parse_params(&q("type=lifecycle,bogus")).is_err());
        assert_eq!(parse_params(&q("project=nope")).unwrap_err(), "Project not found");
        assert_eq!(
            parse_params(&q("project=ci&all-projects=true")).unwrap_err(),
            "Cannot specify a project when requesting all projects"
        );
        let (types, p) = parse_params(&q("type=")).unwrap();
        assert_eq!((types.len(), p), (3, ProjectFilter::One("default".into())));
        assert_eq!(parse_params(&q("all-projects=1")).unwrap().1, ProjectFilter::All);
        assert_eq!(
            parse_params(&q("all-projects=false&project=ci")).unwrap().1,
            ProjectFilter::One("ci".into())
        );
    }
}

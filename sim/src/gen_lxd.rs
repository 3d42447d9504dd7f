//! Realistic LXD 5.0.2 `/1.0/events` traffic: API calls that each produce the daemon's debug
//! logging, operation updates (Pending → Running → Success/Failure) and lifecycle events, shaped
//! as captured from a real daemon (docs/lxd-events.md). Field order follows LXD's Go structs.

use rand::Rng as _;
use serde_json::{json, Map, Value};

use crate::clock::{self, Nanos};
use crate::json::{Obj, J};
use crate::rng::{self, chance, pick, Rng};

pub const TYPES: [&str; 3] = ["logging", "operation", "lifecycle"];
/// The projects that exist on the simulated daemon.
pub const PROJECTS: [&str; 3] = ["default", "staging", "ci"];

#[derive(Debug, Clone)]
pub struct LxdEvent {
    pub kind: &'static str,
    pub metadata: J,
    /// Absent on logging events and on server-level operations.
    pub project: Option<String>,
    /// Shift of the time stamp against the send time: the daemon stamps events when they happen
    /// and delivers them out of order now and then (an operation's Running before its Pending).
    pub stamp_shift_ns: i64,
}

impl LxdEvent {
    fn new(kind: &'static str, metadata: impl Into<J>, project: Option<&str>) -> LxdEvent {
        LxdEvent {
            kind,
            metadata: metadata.into(),
            project: project.map(str::to_owned),
            stamp_shift_ns: 0,
        }
    }
}

/// `type, timestamp, metadata, location, project?`, one JSON text per frame with a trailing "\n".
pub fn render(event: &LxdEvent, ts: Nanos) -> String {
    let ts = (ts as i128 + event.stamp_shift_ns as i128).max(0) as u64;
    let mut s = Obj::new()
        .f("type", event.kind)
        .f("timestamp", clock::rfc3339_nano(ts))
        .f("metadata", event.metadata.clone())
        .f("location", "none")
        .opt("project", event.project.as_deref())
        .to_json();
    s.push('\n');
    s
}

fn requestor() -> Obj {
    Obj::new()
        .f("username", "root")
        .f("protocol", "unix")
        .f("address", "@")
}

/// A lifecycle `source`: LXD appends `?project=` outside the default project.
fn source(path: &str, project: &str) -> String {
    if project == "default" {
        path.to_owned()
    } else {
        format!("{path}?project={project}")
    }
}

/// `logging` metadata: `{message, level, context}`, context values all strings (a Go map: sorted).
pub fn logging(message: &str, level: &str, context: &[(&str, &str)]) -> LxdEvent {
    let context: Map<String, Value> = context.iter().map(|(k, v)| ((*k).to_owned(), json!(v))).collect();
    LxdEvent::new(
        "logging",
        Obj::new()
            .f("message", message)
            .f("level", level)
            .f("context", Value::Object(context)),
        None,
    )
}

fn api_request(method: &str, url: &str) -> LxdEvent {
    logging(
        "Handling API request",
        "debug",
        &[
            ("ip", "@"),
            ("method", method),
            ("protocol", "unix"),
            ("url", url),
            ("username", "root"),
        ],
    )
}

fn lifecycle(
    action: &str,
    source: String,
    context: Option<Value>,
    with_requestor: bool,
    project: &str,
) -> LxdEvent {
    let meta = Obj::new()
        .f("action", action)
        .f("source", source)
        .opt("context", context)
        .opt("requestor", with_requestor.then(requestor));
    LxdEvent::new("lifecycle", meta, Some(project))
}

/// A kind of resource and the lifecycle steps `resource_scene` walks it through.
struct LifecycleFamily {
    kind: &'static str,
    collection: &'static str,
    prefix: &'static str,
    steps: &'static [&'static str],
    create_context: Option<(&'static str, &'static str)>,
    requestor: bool,
}

impl LifecycleFamily {
    /// LXD's quirk: a custom volume's `source` carries the internal `<project>_` prefix.
    fn volume_prefix(&self, project: &str) -> String {
        if self.kind == "storage-volume" {
            format!("{project}_")
        } else {
            String::new()
        }
    }
}

const LIFECYCLE_FAMILIES: &[LifecycleFamily] = &[
    LifecycleFamily {
        kind: "project",
        collection: "/1.0/projects",
        prefix: "proj",
        steps: &["created", "updated", "renamed", "deleted"],
        create_context: None,
        requestor: true,
    },
    LifecycleFamily {
        kind: "storage-pool",
        collection: "/1.0/storage-pools",
        prefix: "pool",
        steps: &["created", "updated", "deleted"],
        create_context: None,
        requestor: true,
    },
    LifecycleFamily {
        kind: "storage-volume",
        collection: "/1.0/storage-pools/default/volumes/custom",
        prefix: "vol",
        steps: &["created", "updated", "renamed", "deleted"],
        create_context: Some(("type", "custom")),
        requestor: true,
    },
    LifecycleFamily {
        kind: "network-acl",
        collection: "/1.0/network-acls",
        prefix: "acl",
        steps: &["created", "updated", "renamed", "deleted"],
        create_context: None,
        requestor: true,
    },
    LifecycleFamily {
        kind: "network-zone",
        collection: "/1.0/network-zones",
        prefix: "zone",
        steps: &["created", "updated", "deleted"],
        create_context: None,
        requestor: true,
    },
    LifecycleFamily {
        kind: "image-alias",
        collection: "/1.0/images/aliases",
        prefix: "alias",
        steps: &["created", "renamed", "deleted"],
        create_context: None,
        requestor: true,
    },
    LifecycleFamily {
        kind: "instance",
        collection: "/1.0/instances",
        prefix: "vm",
        steps: &[
            "created",
            "started",
            "paused",
            "resumed",
            "restarted",
            "stopped",
            "renamed",
            "deleted",
        ],
        create_context: None,
        requestor: false,
    },
];

pub struct LxdWorld {
    counter: u32,
    profiles: Vec<String>,
    instances: Vec<String>,
}

struct Op {
    id: String,
    class: &'static str,
    description: &'static str,
    created_at: String,
    resources: Value,
    project: Option<String>,
}

impl Op {
    fn event(&self, status: &str, code: i64, at: Nanos, metadata: J, err: &str) -> LxdEvent {
        let meta = Obj::new()
            .f("id", self.id.as_str())
            .f("class", self.class)
            .f("description", self.description)
            .f("created_at", self.created_at.as_str())
            .f("updated_at", clock::rfc3339_nano(at))
            .f("status", status)
            .f("status_code", code)
            .f("resources", self.resources.clone())
            .f("metadata", metadata)
            .f("may_cancel", false)
            .f("err", err)
            .f("location", "none");
        LxdEvent::new("operation", meta, self.project.as_deref())
    }
}

fn at_plus(at: Nanos, secs: f64) -> Nanos {
    at + (secs * 1e9) as u64
}

impl LxdWorld {
    pub fn new() -> LxdWorld {
        LxdWorld {
            counter: 0,
            profiles: vec!["default".into()],
            instances: vec!["c1".into(), "web-01".into()],
        }
    }

    fn name(&mut self, prefix: &str) -> String {
        self.counter += 1;
        format!("{prefix}{}", self.counter)
    }

    /// One API call's worth of events, with offsets in seconds.
    pub fn scene(&mut self, rng: &mut Rng, at: Nanos) -> Vec<(f64, LxdEvent)> {
        let project = *pick(rng, &["default", "default", "default", "staging", "ci"]);
        match rng.random_range(0..100) {
            0..=19 => self.profile_scene(rng, project),
            20..=39 => self.async_scene(rng, at, project),
            40..=54 => self.instance_scene(rng, at, project),
            55..=64 => {
                let mut out = vec![(0.0, api_request("PATCH", "/1.0"))];
                out.push((
                    0.01,
                    lifecycle("config-updated", "/1.0".into(), None, true, "default"),
                ));
                out
            }
            65..=69 => self.resource_scene(rng, project),
            70..=74 => {
                let acl = self.name("acl");
                let url = format!("/1.0/network-acls?project={project}");
                vec![
                    (0.0, api_request("POST", &url)),
                    (
                        0.01,
                        lifecycle(
                            "network-acl-created",
                            source(&format!("/1.0/network-acls/{acl}"), project),
                            None,
                            true,
                            project,
                        ),
                    ),
                ]
            }
            75..=84 => vec![
                (
                    0.0,
                    api_request("PUT", "/1.0/warnings/2c3b1f6e-8a0b-4b6e-9c1d-9a3e4f5a6b7c"),
                ),
                (
                    0.01,
                    lifecycle(
                        "warning-acknowledged",
                        "/1.0/warnings/2c3b1f6e-8a0b-4b6e-9c1d-9a3e4f5a6b7c".into(),
                        None,
                        true,
                        "default",
                    ),
                ),
            ],
            _ => {
                let (msg, level) = *pick(
                    rng,
                    &[
                        ("Done pruning expired instance backups", "info"),
                        ("Pruning expired instance backups", "info"),
                        ("Updating images", "info"),
                        ("Done updating images", "info"),
                        ("Failed to update image", "error"),
                        (
                            "AppArmor support has been disabled because of lack of kernel support",
                            "warning",
                        ),
                        ("Refreshing forkdns peers", "debug"),
                    ],
                );
                let mut e = logging(msg, level, &[]);
                if chance(rng, 0.3) {
                    e.stamp_shift_ns = -(rng.random_range(1..20) as i64) * 1_000_000;
                }
                vec![(0.0, e)]
            }
        }
    }

    /// A resource walked through its whole life (create, update, rename, delete, or an instance
    /// through its power states), so a subscriber sees the daemon's wide range of actions, not
    /// just a few. Shapes follow LXD 5.0.2's capture: renames carry `old_name`, a custom volume's
    /// create carries `type`, instance events come without a requestor.
    fn resource_scene(&mut self, rng: &mut Rng, project: &str) -> Vec<(f64, LxdEvent)> {
        let family = pick(rng, LIFECYCLE_FAMILIES);
        let mut name = self.name(family.prefix);
        let mut out = Vec::new();
        for (i, step) in family.steps.iter().enumerate() {
            let mut context = None;
            if *step == "renamed" {
                let old = std::mem::replace(&mut name, self.name(family.prefix));
                context = Some(json!({ "old_name": old }));
            } else if *step == "created" {
                context = family.create_context.map(|(k, v)| json!({ k: v }));
            }
            let (event_project, path_project) = if family.kind == "project" {
                (name.as_str(), "default")
            } else {
                (project, project)
            };
            let path = format!("{}/{}{}", family.collection, family.volume_prefix(project), name);
            out.push((
                0.02 * i as f64,
                lifecycle(
                    &format!("{}-{step}", family.kind),
                    source(&path, path_project),
                    context,
                    family.requestor,
                    event_project,
                ),
            ));
        }
        out
    }

    fn profile_scene(&mut self, rng: &mut Rng, project: &str) -> Vec<(f64, LxdEvent)> {
        let url = format!("/1.0/profiles?project={project}");
        if self.profiles.len() < 3 || chance(rng, 0.4) {
            let name = self.name("p");
            self.profiles.push(name.clone());
            return vec![
                (0.0, api_request("POST", &url)),
                (
                    0.005,
                    lifecycle(
                        "profile-created",
                        source(&format!("/1.0/profiles/{name}"), project),
                        None,
                        true,
                        project,
                    ),
                ),
            ];
        }
        let i = rng.random_range(1..self.profiles.len());
        let name = self.profiles[i].clone();
        match rng.random_range(0..3) {
            0 => vec![
                (0.0, api_request("PUT", &format!("/1.0/profiles/{name}"))),
                (
                    0.005,
                    lifecycle(
                        "profile-updated",
                        source(&format!("/1.0/profiles/{name}"), project),
                        None,
                        true,
                        project,
                    ),
                ),
            ],
            1 => {
                let new = self.name("p");
                self.profiles[i] = new.clone();
                vec![
                    (0.0, api_request("POST", &format!("/1.0/profiles/{name}"))),
                    (
                        0.005,
                        lifecycle(
                            "profile-renamed",
                            source(&format!("/1.0/profiles/{new}"), project),
                            Some(json!({"old_name": name})),
                            true,
                            project,
                        ),
                    ),
                ]
            }
            _ => {
                self.profiles.remove(i);
                vec![
                    (0.0, api_request("DELETE", &format!("/1.0/profiles/{name}"))),
                    (
                        0.005,
                        lifecycle(
                            "profile-deleted",
                            source(&format!("/1.0/profiles/{name}"), project),
                            None,
                            true,
                            project,
                        ),
                    ),
                ]
            }
        }
    }

    /// A storage volume snapshot: an async call, so an operation walks Pending → Running → Success.
    fn async_scene(&mut self, rng: &mut Rng, at: Nanos, project: &str) -> Vec<(f64, LxdEvent)> {
        let vol = format!("vol{}", rng.random_range(1..5));
        let snap = self.name("snap");
        let vol_path = format!("/1.0/storage-pools/default/volumes/custom/{vol}");
        let op = Op {
            id: rng::uuid(rng),
            class: "task",
            description: "Creating storage volume snapshot",
            created_at: clock::rfc3339_nano(at_plus(at, 0.002)),
            resources: json!({"storage_volumes": [source(&vol_path, project)]}),
            project: Some(project.to_owned()),
        };
        let mut out = vec![
            (
                0.0,
                api_request("POST", &format!("{vol_path}/snapshots?project={project}")),
            ),
            (
                0.002,
                logging(
                    "New operation",
                    "debug",
                    &[
                        ("class", "task"),
                        ("description", op.description),
                        ("operation", &op.id),
                        ("project", project),
                    ],
                ),
            ),
        ];
        let pending = op.event("Pending", 105, at_plus(at, 0.002), J::Null, "");
        let running = op.event("Running", 103, at_plus(at, 0.003), J::Null, "");
        if chance(rng, 0.1) {
            // Seen on real daemons: Running delivered before Pending (stamps still in true order).
            let mut running = running;
            running.stamp_shift_ns = 1_000_000;
            let mut pending = pending;
            pending.stamp_shift_ns = -1_000_000;
            out.push((0.003, running));
            out.push((0.004, pending));
        } else {
            out.push((0.003, pending));
            out.push((0.004, running));
        }
        out.push((
            0.004,
            logging(
                "Started operation",
                "debug",
                &[
                    ("class", "task"),
                    ("description", op.description),
                    ("operation", &op.id),
                    ("project", project),
                ],
            ),
        ));
        // The daemon's internal "<project>_<volume>" prefix shows in the source (a real quirk).
        let snap_source =
            format!("/1.0/storage-pools/default/volumes/custom/{project}_{vol}/snapshots/{snap}");
        out.push((
            0.15,
            lifecycle(
                "storage-volume-snapshot-created",
                snap_source,
                Some(json!({"type": "custom"})),
                true,
                project,
            ),
        ));
        out.push((0.16, op.event("Success", 200, at_plus(at, 0.16), J::Null, "")));
        out.push((
            0.161,
            logging(
                "Success for operation",
                "debug",
                &[
                    ("class", "task"),
                    ("description", op.description),
                    ("operation", &op.id),
                    ("project", project),
                ],
            ),
        ));
        out
    }

    /// Instance create (progress metadata), then a start that fails on an empty rootfs, or a delete.
    fn instance_scene(&mut self, rng: &mut Rng, at: Nanos, project: &str) -> Vec<(f64, LxdEvent)> {
        if chance(rng, 0.5) {
            let name = self.name("c");
            self.instances.push(name.clone());
            let path = format!("/1.0/instances/{name}");
            let op = Op {
                id: rng::uuid(rng),
                class: "task",
                description: "Creating instance",
                created_at: clock::rfc3339_nano(at),
                resources: json!({"containers": [source(&path, project)], "instances": [source(&path, project)]}),
                project: Some(project.to_owned()),
            };
            let progress = |pct: u32| -> J {
                json!({
                    "create_instance_from_image_unpack_progress": format!("Unpack: {pct}% (1.2GB/s)"),
                    "progress": {"percent": pct.to_string(), "speed": "1258291200", "stage": "create_instance_from_image_unpack"},
                })
                .into()
            };
            let mut out = vec![
                (
                    0.0,
                    api_request("POST", &format!("/1.0/instances?project={project}")),
                ),
                (0.001, op.event("Pending", 105, at, J::Null, "")),
                (0.002, op.event("Running", 103, at_plus(at, 0.002), J::Null, "")),
                (0.3, op.event("Running", 103, at_plus(at, 0.3), progress(48), "")),
                (0.6, op.event("Running", 103, at_plus(at, 0.6), progress(100), "")),
            ];
            // LXD 5.0.2 leaves the requestor out on instance events.
            out.push((
                0.65,
                lifecycle("instance-created", source(&path, project), None, false, project),
            ));
            out.push((0.66, op.event("Success", 200, at_plus(at, 0.66), J::Null, "")));
            return out;
        }
        let name = pick(rng, &self.instances).clone();
        let path = format!("/1.0/instances/{name}");
        let op = Op {
            id: rng::uuid(rng),
            class: "task",
            description: "Starting instance",
            created_at: clock::rfc3339_nano(at),
            resources: json!({"instances": [source(&path, project)]}),
            project: Some(project.to_owned()),
        };
        let err = format!("Failed to run: /usr/bin/lxd forkstart {name} /var/lib/lxd/containers /var/log/lxd/{name}/lxc.conf: exit status 1");
        vec![
            (
                0.0,
                api_request("PUT", &format!("{path}/state?project={project}")),
            ),
            (0.001, op.event("Pending", 105, at, J::Null, "")),
            (0.002, op.event("Running", 103, at_plus(at, 0.002), J::Null, "")),
            (
                0.2,
                logging(
                    "Failed starting instance",
                    "error",
                    &[
                        ("action", "start"),
                        ("created", "2026-01-01 00:00:00 +0000 UTC"),
                        ("ephemeral", "false"),
                        ("instance", &name),
                        ("instanceType", "container"),
                        ("project", project),
                        ("stateful", "false"),
                        ("used", "1970-01-01 00:00:00 +0000 UTC"),
                    ],
                ),
            ),
            (0.21, op.event("Failure", 400, at_plus(at, 0.21), J::Null, &err)),
        ]
    }
}

impl Default for LxdWorld {
    fn default() -> Self {
        Self::new()
    }
}

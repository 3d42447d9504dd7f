//! `job_manager`: asynchronous jobs (VM creation, catalog pulls …). A failure arrives as
//! `JOB_UPDATED` with `state: "failed"`; there is no `JOB_FAILED`.

use serde::{Deserialize, Serialize};
use tsify::Tsify;

use super::present;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum HubJobManagerChannel {
    #[serde(rename = "job_manager")]
    JobManager,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "message", content = "body", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum HubJobManagerMessage {
    JobCreated(HubJobBody),
    JobUpdated(HubJobBody),
    JobCompleted(HubJobBody),
    JobDeleted(HubJobBody),
}

/// A job of this server, or (in orchestrator mode) a host's job that no orchestrator job is
/// linked to, re-emitted with the host's id. Tell them apart with `"host_id" in body`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum HubJobBody {
    // The host's form first: a body with `host_id` or `event` is one (the decoder agrees).
    Host(HubHostJobEvent),
    Job(HubJob),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubHostJobEvent {
    pub host_id: String,
    pub event: HubJob,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "bool"))]
    pub is_orchestrator_job: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum HubJobState {
    Init,
    Pending,
    Running,
    Completed,
    Failed,
    Skipped,
}

/// The server's `JobResponse`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubJob {
    pub id: String,
    /// The owner's user id.
    pub owner: String,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub owner_name: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub owner_email: Option<String>,
    pub state: HubJobState,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub message: Option<String>,
    /// Percent, 0–100.
    pub progress: i64,
    pub job_type: String,
    pub job_operation: String,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "bool"))]
    pub is_orchestrator_job: Option<bool>,
    /// Left out while the job has no steps.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "Vec<HubJobStep>"))]
    pub steps: Option<Vec<HubJobStep>>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub result: Option<String>,
    /// What the job made (for example a VM): its id, name, kind, and the host it lives on.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub result_record_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub result_record_name: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub result_record_type: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub result_record_link_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub error: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Tsify)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct HubJobStep {
    pub name: String,
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    #[tsify(optional)]
    #[cfg_attr(feature = "schema", schemars(with = "String"))]
    pub display_name: Option<String>,
    /// This step's share of the job's progress.
    pub weight: f64,
    pub parallel: bool,
    pub has_percentage: bool,
    pub state: HubJobState,
    pub current_percentage: f64,
    /// Done so far, in `unit`s, out of `total`.
    pub value: i64,
    pub total: i64,
    /// A Go duration such as `"3m10s"`, or empty.
    pub eta: String,
    pub message: String,
    pub error: String,
    pub filename: String,
    pub unit: String,
}

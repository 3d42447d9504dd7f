//! MWS for JavaScript: the `MwsClient` class (list with a typed query, every page as an async
//! iterator, get one, create) and `subscribeMws`, the gap-free polling subscription, delivered
//! like the WebSocket subscriptions (`on`, `onEvent`, `onState`, `for await`, `stats`, `close`,
//! an `AbortSignal`).
//!
//! Requests are built by the sans-IO [`crate::mws_client`]; the browser performs them
//! ([`crate::browser::fetch`]) and the package's decode exports check the answers on the
//! browser's own string ([`crate::browser::mws_answer`]). Results are what those return: MWS's own
//! JSON object, members the model does not know included.
//!
//! Options are read field by field rather than through serde: a password given with the wrong type
//! would otherwise be quoted in serde's error message.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Date, Error, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::future_to_promise;

use crate::browser::delivery::iter_result;
use crate::browser::fetch::{self, FetchFailure, JsReply};
use crate::browser::mws_answer::{self, Body};
use crate::browser::mws_poll::{MwsErrorInfo, PollDriver};
use crate::model::mws::MwsAssociatedObject;
use crate::mws_client::{
    BasicAuth, CreateError, Filter, HttpRequest, ListQuery, MwsClient, MwsClientOptions, MwsDate, MwsError,
    NewMwsEvent, Operand, Operator, PageCursor, PollOptions, Poller, QueryValue, SortOrder, StartAt,
    CREATE_OK, READ_OK,
};

#[wasm_bindgen(typescript_custom_section)]
const MWS_CLIENT_TS: &'static str = r#"
/** Where MWS is and who asks. */
export interface MwsClientOptions {
    /**
     * Where `/mws/rest/events` is appended: MWS itself (`https://moab.example.com:8080`, or with
     * its `/mws` root), a proxy with a path prefix (`https://example.com/hpc`), or a same-origin
     * path (`/hpc`, `""`). No `user:password@`, query or fragment.
     */
    url: string;
    /** A user or application account (HTTP Basic). Absent: no credentials (a proxy adds them). */
    user?: string;
    /** Its password. Never shown in an error, a log or `stats()`. */
    password?: string;
    /**
     * Allow credentials over plain `http://` to a host that is not loopback (Basic auth only
     * encodes the password). Off by default.
     */
    allowInsecureTransport?: boolean;
}

/** A value a condition compares with. A `Date` (or, on `eventDate`, a date string) is sent in MWS's form. */
export type MwsValue = string | number | boolean | null | Date;

/**
 * The condition on one field: a value (equality; for an array field, some element equals it) or
 * operators, all of which must hold (`{ $gte: from, $lt: to }` is a range).
 */
export type MwsCondition<V = MwsValue> =
    | V
    | {
          /** Equal (written out only next to other operators). */
          $eq?: V;
          /** Not equal (for an array field: no element equals it). */
          $ne?: V;
          /** Equal to one of these. */
          $in?: V[];
          /** Less than (dates: before). */
          $lt?: V;
          /** Less than or equal. */
          $lte?: V;
          /** Greater than (dates: after). */
          $gt?: V;
          /** Greater than or equal. */
          $gte?: V;
      };

/** A date: a `Date`, or a string `"2025-01-27 12:08:00 UTC"` (RFC 3339 such as `"2025-01-27T12:08:00Z"` is accepted too). */
export type MwsDateValue = Date | string;

/**
 * MWS's `query`: conditions by field, all of which must hold. Any field path, dotted into
 * embedded objects and arrays (`"associatedObjects.id"`), in the order written.
 */
export type MwsFilter = {
    /** When it happened; dates are checked and sent as `yyyy-MM-dd HH:mm:ss UTC`. */
    eventDate?: MwsCondition<MwsDateValue>;
    eventType?: MwsCondition<string>;
    origin?: MwsCondition<string>;
    severity?: MwsCondition<"INFO" | "WARN" | "ERROR" | "FATAL" | (string & {})>;
    code?: MwsCondition<number>;
    id?: MwsCondition<string>;
    message?: MwsCondition<string | null>;
    "associatedObjects.id"?: MwsCondition<string>;
    "associatedObjects.type"?: MwsCondition<string>;
    arguments?: MwsCondition<string>;
} & { [path: string]: MwsCondition | undefined };

/** One list request. */
export interface MwsListQuery {
    /** The conditions (`query`). Absent: every event. */
    filter?: MwsFilter;
    /** Sort keys in order, the first deciding first: `{ eventDate: -1, id: 1 }`. 1 ascending, -1 descending. */
    sort?: { [path: string]: 1 | -1 };
    /** Page size (`max`), at least 1. Absent: the server's default (MWS: every event). */
    max?: number;
    /** Index of the first event returned (`offset`). */
    offset?: number;
}

/** Options of one call. */
export interface MwsCallOptions {
    /** Cancels the call; the promise then rejects with `signal.reason`, as `fetch` does. */
    signal?: AbortSignal;
}

/** An event to create. `origin`, `eventType` and `associatedObjects[].id`/`type` cannot contain `'` or `"`. */
export interface NewMwsEvent {
    /** The kind of event, such as `"VM Provision"`. */
    eventType: string;
    /** The reporting component, such as `"CSA Plugin"`. */
    origin: string;
    severity: "INFO" | "WARN" | "ERROR" | "FATAL";
    /** When it happened (one-second resolution). Absent: MWS's now. */
    eventDate?: MwsDateValue;
    /** The packed code (severity, escalation, component, entry). */
    code?: number;
    /** The message; quotes are allowed here. */
    message?: string;
    /** Values for the message template. */
    arguments?: string[];
    /** The objects the event is about, the primary one first. */
    associatedObjects?: { type: string; id: string }[];
}

/**
 * A failed MWS call: an `Error` named `"MwsError"`, typed by `kind` (and the HTTP status), with
 * MWS's `messages`. `invalid*` kinds are refused before anything is sent.
 */
export type MwsError = Error & {
    name: "MwsError";
    /** MWS's `messages`, in order (empty when there were none). */
    messages: string[];
} & (
        | { kind: "badRequest"; status: 400 }
        | { kind: "unauthorized"; status: 401 }
        | { kind: "forbidden"; status: 403 }
        | { kind: "notFound"; status: 404 }
        | { kind: "methodNotAllowed"; status: 405 }
        | { kind: "serverError"; status: 500 }
        | { kind: "unexpectedStatus"; status: number }
        | { kind: "decode" | "transport" | "invalidOptions" | "invalidQuery"; status?: undefined }
        | {
              kind: "invalidEvent";
              status?: undefined;
              /** The field as MWS names it: `origin`, `eventType`, `associatedObjects[2].id`, …. */
              field: string;
          }
    );

export interface MwsClient {
    /** One page of events matching `query` (`GET /mws/rest/events`). */
    list(query?: MwsListQuery, options?: MwsCallOptions): Promise<MwsEventList>;
    /** Every page of `query`, one request each (`offset` moves by each page's `resultCount`). */
    pages(query?: MwsListQuery, options?: MwsCallOptions): MwsPages;
    /** One event by id (`GET /mws/rest/events/<id>`); a missing one rejects with `kind: "notFound"`. */
    get(id: string, options?: MwsCallOptions): Promise<MwsEvent>;
    /** Creates an event (`POST /mws/rest/events`) and resolves to the stored event, with its `id`. */
    create(event: NewMwsEvent, options?: MwsCallOptions): Promise<MwsEvent>;
}

export interface MwsPages extends AsyncIterable<MwsEventList> {
    next(): Promise<IteratorResult<MwsEventList, undefined>>;
    return(): Promise<IteratorResult<MwsEventList, undefined>>;
    [Symbol.asyncIterator](): AsyncIterator<MwsEventList, undefined>;
}

/** Options of `subscribeMws`: where MWS is, what to follow, how often. */
export interface SubscribeMwsOptions extends MwsClientOptions {
    /** Only events matching these conditions. A `$gte` on `eventDate` is where it starts. */
    filter?: MwsFilter;
    /**
     * Where to start: `"latest"` (the default: only events that appear from now on),
     * `"beginning"` (every matching event, oldest first), or a date (events dated at or after it,
     * in MWS's time).
     */
    start?: "latest" | "beginning" | MwsDateValue;
    /** Pause between the end of one poll and the next, in ms. Default 5,000. */
    pollIntervalMs?: number;
    /** Events per request (`max`). Default 100. */
    pageSize?: number;
    /**
     * Also deliver events that appear up to this many seconds later than newer ones (clock skew
     * between producers, late commits), at the cost of one more request per poll. Default 0.
     */
    lookbackSecs?: number;
    /** Delays after failed polls: full jitter, `uniform(0, min(maxMs, baseMs · 2^(n-1)))`. Defaults 1,000 and 60,000. */
    backoff?: { baseMs?: number; maxMs?: number };
    /** A request unanswered for this long is cancelled and counts as a failure. Default 30,000; 0: no limit. */
    requestTimeoutMs?: number;
    /**
     * How many events may wait for the application (callbacks take them at once; the async
     * iterator pulls). When that many wait, polling pauses until the application pulls: MWS keeps
     * the events, so none is dropped (at most one page more is held). Default 4,096.
     */
    bufferCapacity?: number;
    /** Ends the subscription when it aborts (`closed { why: { kind: "aborted" } }`). */
    signal?: AbortSignal;
}

export interface MwsSubscription extends AsyncIterable<MwsEvent> {
    /**
     * Calls `callback` for every event whose `eventType` is `eventType`. Returns the function
     * that removes the callback.
     */
    on<T extends string>(eventType: T, callback: (event: MwsEvent & { eventType: T }) => void): () => void;
    [Symbol.asyncIterator](): AsyncIterator<MwsEvent, undefined>;
}
"#;

// ---- errors ---------------------------------------------------------------------------------

fn mws_error(kind: &str, message: &str, status: Option<u16>, messages: &[String]) -> JsValue {
    let error = Error::new(message);
    error.set_name("MwsError");
    let _ = Reflect::set(&error, &"kind".into(), &kind.into());
    if let Some(status) = status {
        let _ = Reflect::set(&error, &"status".into(), &f64::from(status).into());
    }
    let list: Array = messages.iter().map(|m| JsValue::from_str(m)).collect();
    let _ = Reflect::set(&error, &"messages".into(), &list);
    error.into()
}

fn from_mws_error(error: &MwsError) -> JsValue {
    let info = MwsErrorInfo::of(error);
    mws_error(info.kind, &info.message, info.status, &info.messages)
}

fn invalid(kind: &str, message: impl AsRef<str>) -> JsValue {
    mws_error(kind, message.as_ref(), None, &[])
}

fn invalid_event(field: &str, message: impl AsRef<str>) -> JsValue {
    let error = invalid("invalidEvent", message);
    let _ = Reflect::set(&error, &"field".into(), &field.into());
    error
}

/// True for the errors MWS calls reject with.
#[wasm_bindgen(js_name = isMwsError, unchecked_return_type = "value is MwsError")]
pub fn is_mws_error(value: &JsValue) -> bool {
    value.is_instance_of::<Error>()
        && Reflect::get(value, &"name".into())
            .ok()
            .and_then(|n| n.as_string())
            .as_deref()
            == Some("MwsError")
}

// ---- reading options --------------------------------------------------------------------------

fn field(object: &JsValue, name: &str) -> JsValue {
    if object.is_object() {
        Reflect::get(object, &name.into()).unwrap_or(JsValue::UNDEFINED)
    } else {
        JsValue::UNDEFINED
    }
}

fn absent(value: &JsValue) -> bool {
    value.is_undefined() || value.is_null()
}

/// A string option; the error names the option, never its value.
fn opt_string(object: &JsValue, name: &str, kind: &str) -> Result<Option<String>, JsValue> {
    let value = field(object, name);
    if absent(&value) {
        return Ok(None);
    }
    value
        .as_string()
        .map(Some)
        .ok_or_else(|| invalid(kind, format!("`{name}` must be a string")))
}

fn opt_u64(object: &JsValue, name: &str, kind: &str) -> Result<Option<u64>, JsValue> {
    let value = field(object, name);
    if absent(&value) {
        return Ok(None);
    }
    match value.as_f64() {
        Some(x) if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= 9_007_199_254_740_991.0 => {
            Ok(Some(x as u64))
        }
        _ => Err(invalid(kind, format!("`{name}` must be a non-negative integer"))),
    }
}

fn opt_bool(object: &JsValue, name: &str, kind: &str) -> Result<bool, JsValue> {
    let value = field(object, name);
    if absent(&value) {
        return Ok(false);
    }
    value
        .as_bool()
        .ok_or_else(|| invalid(kind, format!("`{name}` must be a boolean")))
}

/// The client from `{url, user, password, allowInsecureTransport}`.
fn read_client(options: &JsValue) -> Result<MwsClient, JsValue> {
    const KIND: &str = "invalidOptions";
    if !options.is_object() {
        return Err(invalid(KIND, "the options must be an object"));
    }
    let url = opt_string(options, "url", KIND)?.ok_or_else(|| invalid(KIND, "`url` is required"))?;
    let user = opt_string(options, "user", KIND)?;
    let password = opt_string(options, "password", KIND)?;
    let credentials = match (user, password) {
        (None, None) => None,
        (Some(user), password) => Some(
            BasicAuth::new(user, password.unwrap_or_default()).map_err(|e| invalid(KIND, e.to_string()))?,
        ),
        (None, Some(_)) => return Err(invalid(KIND, "`password` is given without `user`")),
    };
    MwsClient::new(MwsClientOptions {
        base_url: url,
        credentials,
        allow_insecure_transport: opt_bool(options, "allowInsecureTransport", KIND)?,
    })
    .map_err(|e| invalid(KIND, e.to_string()))
}

/// A date from a `Date` or a string (MWS's form or RFC 3339).
fn read_date(value: &JsValue, what: &str) -> Result<MwsDate, String> {
    if let Some(date) = value.dyn_ref::<Date>() {
        let ms = date.get_time();
        if !ms.is_finite() {
            return Err(format!("{what} is an invalid Date"));
        }
        return MwsDate::from_unix_ms(ms as i64).map_err(|e| format!("{what}: {e}"));
    }
    match value.as_string() {
        Some(text) => MwsDate::parse(&text).map_err(|e| format!("{what}: {e}")),
        None => Err(format!("{what} must be a Date or a date string")),
    }
}

/// Fields whose strings are dates: checked and rewritten in MWS's form, as MWS would otherwise
/// compare a malformed one as text and match the wrong events.
fn is_date_field(path: &str) -> bool {
    path == "eventDate"
}

fn read_value(path: &str, value: &JsValue) -> Result<QueryValue, String> {
    if value.is_null() {
        return Ok(QueryValue::Null);
    }
    if value.is_instance_of::<Date>() || (is_date_field(path) && value.is_string()) {
        return read_date(value, &format!("the value for {path:?}")).map(QueryValue::from);
    }
    if let Some(text) = value.as_string() {
        return Ok(QueryValue::Str(text));
    }
    if let Some(b) = value.as_bool() {
        return Ok(QueryValue::Bool(b));
    }
    if let Some(x) = value.as_f64() {
        if !x.is_finite() {
            return Err(format!("the value for {path:?} is not a finite number"));
        }
        return Ok(if x.fract() == 0.0 && x.abs() <= 9_007_199_254_740_991.0 {
            QueryValue::Int(x as i64)
        } else {
            QueryValue::Float(x)
        });
    }
    Err(format!(
        "the value for {path:?} must be a string, number, boolean, null or Date (match an embedded \
         object's fields with a dotted path)"
    ))
}

fn operator(name: &str) -> Option<Operator> {
    Some(match name {
        "$eq" => Operator::Eq,
        "$ne" => Operator::Ne,
        "$in" => Operator::In,
        "$lt" => Operator::Lt,
        "$lte" => Operator::Lte,
        "$gt" => Operator::Gt,
        "$gte" => Operator::Gte,
        _ => return None,
    })
}

/// The filter object, field by field in the order written (`Object.entries` keeps it).
fn read_filter(value: &JsValue) -> Result<Filter, String> {
    let mut filter = Filter::new();
    if absent(value) {
        return Ok(filter);
    }
    if !value.is_object() || Array::is_array(value) {
        return Err("the filter must be an object of conditions by field".into());
    }
    for entry in Object::entries(value.unchecked_ref()).iter() {
        let entry: Array = entry.unchecked_into();
        let path = entry.get(0).as_string().unwrap_or_default();
        let condition = entry.get(1);
        if condition.is_undefined() {
            continue;
        }
        let is_operators =
            condition.is_object() && !Array::is_array(&condition) && !condition.is_instance_of::<Date>();
        if !is_operators {
            filter = filter.condition(&path, Operator::Eq, Operand::One(read_value(&path, &condition)?));
            continue;
        }
        let ops = Object::entries(condition.unchecked_ref());
        if ops.length() == 0 {
            return Err(format!("the condition on {path:?} has no operator"));
        }
        for op in ops.iter() {
            let op: Array = op.unchecked_into();
            let name = op.get(0).as_string().unwrap_or_default();
            let operand = op.get(1);
            if operand.is_undefined() {
                continue;
            }
            let Some(operator) = operator(&name) else {
                return Err(format!(
                    "{name:?} on {path:?} is not an operator this client sends ($eq, $ne, $in, $lt, $lte, $gt, $gte)"
                ));
            };
            let operand = if operator == Operator::In {
                if !Array::is_array(&operand) {
                    return Err(format!("$in on {path:?} needs an array"));
                }
                let values: Array = operand.unchecked_into();
                Operand::List(
                    values
                        .iter()
                        .map(|v| read_value(&path, &v))
                        .collect::<Result<_, _>>()?,
                )
            } else {
                Operand::One(read_value(&path, &operand)?)
            };
            filter = filter.condition(&path, operator, operand);
        }
    }
    // Field paths are checked when written.
    filter.to_json().map_err(|e| e.to_string())?;
    Ok(filter)
}

fn read_query(value: &JsValue) -> Result<ListQuery, JsValue> {
    const KIND: &str = "invalidQuery";
    if absent(value) {
        return Ok(ListQuery::default());
    }
    if !value.is_object() {
        return Err(invalid(KIND, "the query must be an object"));
    }
    let mut query = ListQuery::new(read_filter(&field(value, "filter")).map_err(|e| invalid(KIND, e))?);
    let sort = field(value, "sort");
    if !absent(&sort) {
        if !sort.is_object() || Array::is_array(&sort) {
            return Err(invalid(
                KIND,
                "`sort` must be an object such as { eventDate: -1 }",
            ));
        }
        for entry in Object::entries(sort.unchecked_ref()).iter() {
            let entry: Array = entry.unchecked_into();
            let path = entry.get(0).as_string().unwrap_or_default();
            let order = match entry.get(1).as_f64() {
                Some(1.0) => SortOrder::Ascending,
                Some(-1.0) => SortOrder::Descending,
                _ => {
                    return Err(invalid(
                        KIND,
                        format!("the sort order of {path:?} must be 1 or -1"),
                    ))
                }
            };
            query = query.sort(&path, order);
        }
    }
    query.max = opt_u64(value, "max", KIND)?;
    query.offset = opt_u64(value, "offset", KIND)?;
    query.path_and_query().map_err(|e| invalid(KIND, e.to_string()))?;
    Ok(query)
}

fn read_signal(options: &JsValue) -> Option<web_sys::AbortSignal> {
    let signal = field(options, "signal");
    signal.is_object().then(|| signal.unchecked_into())
}

fn read_new_event(value: &JsValue) -> Result<NewMwsEvent, JsValue> {
    if !value.is_object() {
        return Err(invalid_event("", "the event must be an object"));
    }
    let text = |name: &str| -> Result<Option<String>, JsValue> {
        let v = field(value, name);
        if absent(&v) {
            return Ok(None);
        }
        v.as_string()
            .map(Some)
            .ok_or_else(|| invalid_event(name, format!("{name} must be a string")))
    };
    let required = |name: &str| text(name)?.ok_or_else(|| invalid_event(name, format!("{name} is required")));
    let mut event = NewMwsEvent::new(required("eventType")?, required("origin")?, required("severity")?);
    let date = field(value, "eventDate");
    if !absent(&date) {
        event.event_date = Some(read_date(&date, "eventDate").map_err(|e| invalid_event("eventDate", e))?);
    }
    let code = field(value, "code");
    if !absent(&code) {
        event.code = Some(match code.as_f64() {
            Some(x) if x.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&x) => x as u32,
            _ => {
                return Err(invalid_event(
                    "code",
                    "code must be an integer from 0 to 4294967295",
                ))
            }
        });
    }
    event.message = text("message")?;
    let arguments = field(value, "arguments");
    if !absent(&arguments) {
        if !Array::is_array(&arguments) {
            return Err(invalid_event(
                "arguments",
                "arguments must be an array of strings",
            ));
        }
        let list: Array = arguments.unchecked_into();
        for (i, a) in list.iter().enumerate() {
            event.arguments.push(
                a.as_string()
                    .ok_or_else(|| invalid_event(&format!("arguments[{i}]"), "arguments must be strings"))?,
            );
        }
    }
    let objects = field(value, "associatedObjects");
    if !absent(&objects) {
        if !Array::is_array(&objects) {
            return Err(invalid_event(
                "associatedObjects",
                "associatedObjects must be an array",
            ));
        }
        let list: Array = objects.unchecked_into();
        for (i, o) in list.iter().enumerate() {
            let part = |name: &str| {
                field(&o, name).as_string().ok_or_else(|| {
                    invalid_event(
                        &format!("associatedObjects[{i}].{name}"),
                        format!("associatedObjects[{i}].{name} must be a string"),
                    )
                })
            };
            event.associated_objects.push(MwsAssociatedObject {
                object_type: part("type")?,
                id: part("id")?,
            });
        }
    }
    Ok(event)
}

// ---- performing requests ------------------------------------------------------------------------

/// Performs `request`; an abort rejects with the signal's reason, as `fetch` does.
async fn perform(request: &HttpRequest, signal: Option<&web_sys::AbortSignal>) -> Result<JsReply, JsValue> {
    let headers = request.headers();
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    match fetch::send_js(
        request.method().as_str(),
        &request.url(),
        &headers,
        request.body(),
        signal,
    )
    .await
    {
        Ok(reply) => Ok(reply),
        Err(FetchFailure::Aborted) => Err(abort_reason(signal)),
        Err(FetchFailure::Network(reason)) => Err(from_mws_error(&MwsError::Transport(reason))),
    }
}

fn abort_reason(signal: Option<&web_sys::AbortSignal>) -> JsValue {
    let reason = signal.map(|s| s.reason()).unwrap_or(JsValue::UNDEFINED);
    if reason.is_undefined() {
        let error = Error::new("the MWS request was aborted");
        error.set_name("AbortError");
        error.into()
    } else {
        reason
    }
}

/// Performs `request` and reads its answer: the checked object, or the `MwsError`.
async fn answer(
    request: &HttpRequest,
    signal: Option<&web_sys::AbortSignal>,
    ok: &[u16],
    body: Body,
) -> Result<JsValue, JsValue> {
    let reply = perform(request, signal).await?;
    mws_answer::read(&reply, ok, body).map_err(|e| from_mws_error(&e))
}

/// Without the package entry's decoders no answer could be read: refused at once, as the
/// WebSocket subscriptions refuse.
fn decoders_ready() -> Result<(), JsValue> {
    if mws_answer::ready() {
        Ok(())
    } else {
        Err(Error::new(
            "infra-events: the MWS decoders are not installed; import the package entry (\"infra-events\"), not its wasm glue",
        )
        .into())
    }
}

fn rejected(error: JsValue) -> Promise {
    Promise::reject(&error)
}

// ---- the client -------------------------------------------------------------------------------

/// A typed MWS events client (REST API version 3, `api-version=3` always sent). Each call takes an
/// optional `{ signal }`; failures reject with an `MwsError`.
#[wasm_bindgen(js_name = MwsClient)]
pub struct JsMwsClient {
    client: MwsClient,
}

#[wasm_bindgen(js_class = MwsClient)]
impl JsMwsClient {
    /// Checks the options (URL form, credentials, `https://` for a remote host when credentials
    /// are given) and makes the client; throws an `MwsError` with `kind: "invalidOptions"`.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "MwsClientOptions")] options: JsValue,
    ) -> Result<JsMwsClient, JsValue> {
        let client = read_client(&options)?;
        decoders_ready()?;
        Ok(JsMwsClient { client })
    }

    /// The base URL as used (requests append `/mws/rest/events`).
    #[wasm_bindgen(getter, js_name = baseUrl)]
    pub fn base_url(&self) -> String {
        self.client.base_url().to_owned()
    }

    /// One page of events matching `query`. (Declared in `MWS_CLIENT_TS`, where the optional
    /// arguments can be typed.)
    #[wasm_bindgen(skip_typescript)]
    pub fn list(&self, query: JsValue, options: JsValue) -> Promise {
        let request = match read_query(&query).and_then(|q| {
            self.client
                .list(&q)
                .map_err(|e| invalid("invalidQuery", e.to_string()))
        }) {
            Ok(r) => r,
            Err(e) => return rejected(e),
        };
        let signal = read_signal(&options);
        future_to_promise(async move { answer(&request, signal.as_ref(), READ_OK, Body::EventList).await })
    }

    /// One event by id; a missing one rejects with `kind: "notFound"`. (Declared in `MWS_CLIENT_TS`.)
    #[wasm_bindgen(skip_typescript)]
    pub fn get(&self, id: JsValue, options: JsValue) -> Promise {
        let request = match id.as_string() {
            Some(id) => match self.client.get(&id) {
                Ok(r) => r,
                Err(e) => return rejected(invalid("invalidQuery", e.to_string())),
            },
            None => return rejected(invalid("invalidQuery", "the event id must be a string")),
        };
        let signal = read_signal(&options);
        future_to_promise(async move { answer(&request, signal.as_ref(), READ_OK, Body::Event).await })
    }

    /// Creates an event after checking MWS's restrictions; nothing is sent when one is broken.
    /// (Declared in `MWS_CLIENT_TS`.)
    #[wasm_bindgen(skip_typescript)]
    pub fn create(&self, event: JsValue, options: JsValue) -> Promise {
        let request = match read_new_event(&event).and_then(|e| {
            self.client.create(&e).map_err(|e| match &e {
                CreateError::ForbiddenQuote { field, .. } => invalid_event(field, e.to_string()),
            })
        }) {
            Ok(r) => r,
            Err(e) => return rejected(e),
        };
        let signal = read_signal(&options);
        future_to_promise(async move { answer(&request, signal.as_ref(), CREATE_OK, Body::Event).await })
    }

    /// Every page of `query`, as an async iterator. (Declared in `MWS_CLIENT_TS`.)
    #[wasm_bindgen(skip_typescript)]
    pub fn pages(&self, query: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        let query = read_query(&query)?;
        let cursor = self
            .client
            .pages(query)
            .map_err(|e| invalid("invalidQuery", e.to_string()))?;
        let pages = MwsPages {
            cursor: Rc::new(RefCell::new(Some(cursor))),
            busy: Rc::new(RefCell::new(false)),
            signal: read_signal(&options),
        };
        Ok(super::with_async_iterator(pages.into()))
    }
}

/// Every page of one list query, as an async iterator (from `MwsClient.pages`).
#[wasm_bindgen(skip_typescript)]
pub struct MwsPages {
    /// `None` once every page was read or the loop left early.
    cursor: Rc<RefCell<Option<PageCursor>>>,
    busy: Rc<RefCell<bool>>,
    signal: Option<web_sys::AbortSignal>,
}

#[wasm_bindgen]
impl MwsPages {
    /// The next page, or `done` after the last. A failed request rejects and leaves the cursor
    /// where it was, so calling `next()` again asks for the same page.
    pub fn next(&self) -> Promise {
        let request = {
            let cursor = self.cursor.borrow();
            match cursor.as_ref().and_then(PageCursor::next_request) {
                Some(r) => r,
                None => return Promise::resolve(&iter_result(JsValue::UNDEFINED, true)),
            }
        };
        if self.busy.replace(true) {
            return rejected(invalid(
                "invalidQuery",
                "next() was called while the previous page was still being read",
            ));
        }
        let (cursor, busy, signal) = (self.cursor.clone(), self.busy.clone(), self.signal.clone());
        future_to_promise(async move {
            let page = answer(&request, signal.as_ref(), READ_OK, Body::EventList).await;
            *busy.borrow_mut() = false;
            let page = page?;
            let (total_count, result_count) = mws_answer::counts(&page).map_err(|e| from_mws_error(&e))?;
            let mut slot = cursor.borrow_mut();
            let Some(c) = slot.as_mut() else {
                return Ok(iter_result(JsValue::UNDEFINED, true));
            };
            c.advance(total_count, result_count);
            Ok(iter_result(page, false))
        })
    }

    /// Ends the iteration (a `for await` loop left early).
    #[wasm_bindgen(js_name = "return")]
    pub fn return_(&self) -> Promise {
        self.cursor.borrow_mut().take();
        Promise::resolve(&iter_result(JsValue::UNDEFINED, true))
    }
}

// ---- the polling subscription -----------------------------------------------------------------

fn read_poll_options(options: &JsValue) -> Result<(PollOptions, usize), JsValue> {
    const KIND: &str = "invalidOptions";
    let d = PollOptions::default();
    let start = field(options, "start");
    let start = if absent(&start) {
        StartAt::Latest
    } else {
        match start.as_string().as_deref() {
            Some("latest") => StartAt::Latest,
            Some("beginning") => StartAt::Beginning,
            _ => StartAt::Date(
                read_date(&start, "`start`")
                    .map_err(|e| invalid(KIND, format!("{e} (or \"latest\", \"beginning\")")))?,
            ),
        }
    };
    let backoff = field(options, "backoff");
    let page_size = opt_u64(options, "pageSize", KIND)?.unwrap_or(d.page_size);
    if page_size == 0 {
        return Err(invalid(KIND, "`pageSize` must be at least 1"));
    }
    let mut seed = [0u8; 8];
    for byte in &mut seed {
        *byte = (js_sys::Math::random() * 256.0) as u8;
    }
    let poll = PollOptions {
        interval_ms: opt_u64(options, "pollIntervalMs", KIND)?.unwrap_or(d.interval_ms),
        page_size,
        start,
        lookback_secs: opt_u64(options, "lookbackSecs", KIND)?
            .map(|s| u32::try_from(s).map_err(|_| invalid(KIND, "`lookbackSecs` is too large")))
            .transpose()?
            .unwrap_or(d.lookback_secs),
        backoff_base_ms: opt_u64(&backoff, "baseMs", KIND)?.unwrap_or(d.backoff_base_ms),
        backoff_max_ms: opt_u64(&backoff, "maxMs", KIND)?.unwrap_or(d.backoff_max_ms),
        request_timeout_ms: opt_u64(options, "requestTimeoutMs", KIND)?.unwrap_or(d.request_timeout_ms),
        // Tabs must not share a jitter sequence.
        jitter_seed: u64::from_le_bytes(seed),
    };
    let capacity = opt_u64(options, "bufferCapacity", KIND)?.unwrap_or(4_096);
    if capacity == 0 {
        return Err(invalid(KIND, "`bufferCapacity` must be at least 1"));
    }
    Ok((poll, usize::try_from(capacity).unwrap_or(usize::MAX)))
}

/// Follows MWS events matching a filter by polling, every event delivered once and in order
/// (see the README for the guarantee and its limits). Starts on the next microtask (register
/// callbacks right away). Throws an `MwsError` (`kind: "invalidOptions"` or `"invalidQuery"`) for
/// options no poll could fix.
#[wasm_bindgen(js_name = subscribeMws, unchecked_return_type = "MwsSubscription")]
pub fn subscribe_mws(
    #[wasm_bindgen(unchecked_param_type = "SubscribeMwsOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let client = read_client(&options)?;
    let filter = read_filter(&field(&options, "filter")).map_err(|e| invalid("invalidQuery", e))?;
    let (poll_options, capacity) = read_poll_options(&options)?;
    let poller =
        Poller::new(client, filter, poll_options).map_err(|e| invalid("invalidQuery", e.to_string()))?;
    decoders_ready()?;
    let signal = field(&options, "signal");
    let driver = PollDriver::start(poller, capacity, signal.is_object().then_some(signal));
    Ok(super::with_async_iterator(MwsSubscription { driver }.into()))
}

/// A running MWS polling subscription (from `subscribeMws`).
#[wasm_bindgen]
pub struct MwsSubscription {
    driver: PollDriver,
}

subscription_class!(
    MwsSubscription,
    "(event: MwsEvent) => void",
    "Promise<IteratorResult<MwsEvent, undefined>>",
    "(event: MwsPollEvent) => void",
    "MwsSubscriptionStats"
);

#[wasm_bindgen]
impl MwsSubscription {
    /// Polls now rather than at the end of the interval (ignored while a poll runs).
    #[wasm_bindgen(js_name = pollNow)]
    pub fn poll_now(&self) {
        self.driver.poll_now()
    }
}

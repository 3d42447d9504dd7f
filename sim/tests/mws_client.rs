//! The SDK's MWS client (`infra_events::mws_client`) end to end against the simulator: every query
//! operator and combination compared with the simulator's own filtering of the same data, paging
//! across 1,000+ events, create with each restriction violated and a valid one, typed errors, and
//! the polling subscription while events are POSTed in bursts within the same second and polls
//! fail — every event exactly once, in order.

mod common;

use std::collections::{HashSet, VecDeque};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use common::*;
use infra_events::model::mws::MwsEvent;
use infra_events::mws_client::{
    BasicAuth, CreateError, Filter, HttpRequest, HttpResponse, ListQuery, MwsClient, MwsClientOptions,
    MwsDate, MwsError, NewMwsEvent, PollAction, PollInput, PollNotice, PollOptions, Poller, StartAt,
};
use serde_json::Value;

fn client_as(addr: SocketAddr, credentials: Option<BasicAuth>) -> MwsClient {
    MwsClient::new(MwsClientOptions {
        // Loopback over plain HTTP: allowed with credentials.
        base_url: format!("http://{addr}/mws"),
        credentials,
        allow_insecure_transport: false,
    })
    .unwrap()
}

fn client(addr: SocketAddr) -> MwsClient {
    client_as(addr, Some(BasicAuth::new("admin", "admin").unwrap()))
}

/// The driver's part: performs a request over a real socket.
async fn perform(addr: SocketAddr, request: &HttpRequest) -> HttpResponse {
    assert_eq!(
        request.url(),
        format!("http://{addr}{}", request.path_and_query())
    );
    // `http` adds the JSON Content-Type of a POST itself.
    let headers: Vec<String> = request
        .headers()
        .into_iter()
        .filter(|(name, _)| *name != "Content-Type")
        .map(|(name, value)| format!("{name}: {value}"))
        .collect();
    let headers: Vec<&str> = headers.iter().map(String::as_str).collect();
    let r = http(
        addr,
        request.method().as_str(),
        request.path_and_query(),
        &headers,
        request.body().unwrap_or(""),
    )
    .await;
    HttpResponse::new(r.status, r.body)
}

/// Every event in the store, typed and raw, in the store's order.
async fn everything(addr: SocketAddr) -> (Vec<MwsEvent>, Vec<Value>) {
    let response = perform(addr, &client(addr).list(&ListQuery::default()).unwrap()).await;
    let typed = response.list().unwrap().results;
    let raw: Value = serde_json::from_str(&response.body).unwrap();
    (typed, raw["results"].as_array().unwrap().clone())
}

fn by_date_then_id(events: &mut [&MwsEvent]) {
    events.sort_by(|a, b| (&a.event_date, &a.id).cmp(&(&b.event_date, &b.id)));
}

async fn seeded(history: usize) -> SocketAddr {
    let mut config = quiet();
    config.seed = Some(7);
    config.mws_history = history;
    let (addr, _) = start(config).await;
    addr
}

#[tokio::test]
async fn every_operator_and_combination_matches_the_simulators_filtering() {
    let addr = seeded(400).await;
    let c = client(addr);
    // A few events of our own, several in one second, to have exact values to aim at.
    let second = MwsDate::parse("2025-12-31 23:00:00 UTC").unwrap();
    for (i, severity) in ["INFO", "WARN", "ERROR", "WARN"].iter().enumerate() {
        let event = NewMwsEvent::new("Service Create", "MWS/ServiceEvents/CREATE_1ID", *severity)
            .date(second)
            .code(33_554_944)
            .message(format!("The service 'svc{i}' was created"))
            .argument(format!("svc{i}"))
            .associated("Service", format!("svc{i}"))
            .associated("VM", "vm-shared");
        let created = perform(addr, &c.create(&event).unwrap()).await.created().unwrap();
        assert_eq!(created.event_date, second.to_string());
    }
    let (all, raw) = everything(addr).await;
    assert_eq!(all.len(), 404);

    // Values taken from the data, so every condition has matches and non-matches.
    let mut dates: Vec<&str> = all.iter().map(|e| e.event_date.as_str()).collect();
    dates.sort();
    let mid = MwsDate::parse(dates[dates.len() / 2]).unwrap();
    let early = MwsDate::parse(dates[dates.len() / 4]).unwrap();
    let code = all[10].code;
    let object = all[20].associated_objects[0].id.clone();
    let kind = all[30].associated_objects[0].object_type.clone();
    let event_type = all[40].event_type.clone();

    type Check = Box<dyn Fn(&MwsEvent) -> bool>;
    let has_object = |id: String| move |e: &MwsEvent| e.associated_objects.iter().any(|o| o.id == id);
    let cases: Vec<(&str, Filter, Check)> = vec![
        ("everything", Filter::new(), Box::new(|_| true)),
        (
            "eq severity",
            Filter::new().eq("severity", "ERROR"),
            Box::new(|e| e.severity == "ERROR"),
        ),
        (
            "eq code",
            Filter::new().eq("code", code),
            Box::new(move |e| e.code == code),
        ),
        (
            "eq eventType",
            Filter::new().eq("eventType", event_type.as_str()),
            {
                let t = event_type.clone();
                Box::new(move |e| e.event_type == t)
            },
        ),
        (
            "eq dotted id",
            Filter::new().eq("associatedObjects.id", object.as_str()),
            Box::new(has_object(object.clone())),
        ),
        (
            "eq dotted id through the second object",
            Filter::new().eq("associatedObjects.id", "vm-shared"),
            Box::new(has_object("vm-shared".into())),
        ),
        (
            "eq dotted type",
            Filter::new().eq("associatedObjects.type", kind.as_str()),
            {
                let k = kind.clone();
                Box::new(move |e| e.associated_objects.iter().any(|o| o.object_type == k))
            },
        ),
        (
            "eq null message",
            Filter::new().eq("message", None::<&str>),
            Box::new(|e| e.message.is_none()),
        ),
        (
            "eq date",
            Filter::new().eq("eventDate", second),
            Box::new(move |e| e.event_date == second.to_string()),
        ),
        (
            "ne dotted id",
            Filter::new().ne("associatedObjects.id", object.as_str()),
            Box::new({
                let f = has_object(object.clone());
                move |e| !f(e)
            }),
        ),
        (
            "ne severity",
            Filter::new().ne("severity", "INFO"),
            Box::new(|e| e.severity != "INFO"),
        ),
        (
            "in severity",
            Filter::new().is_in("severity", ["ERROR", "WARN"]),
            Box::new(|e| e.severity == "ERROR" || e.severity == "WARN"),
        ),
        (
            "in codes",
            Filter::new().is_in("code", [code, 33_554_944]),
            Box::new(move |e| e.code == code || e.code == 33_554_944),
        ),
        (
            "in ids",
            Filter::new().is_in("associatedObjects.id", [object.as_str(), "svc1"]),
            {
                let (a, b) = (has_object(object.clone()), has_object("svc1".into()));
                Box::new(move |e| a(e) || b(e))
            },
        ),
        (
            "lt date",
            Filter::new().lt("eventDate", mid),
            Box::new(move |e| e.event_date < mid.to_string()),
        ),
        (
            "lte date",
            Filter::new().lte("eventDate", mid),
            Box::new(move |e| e.event_date <= mid.to_string()),
        ),
        (
            "gt date",
            Filter::new().gt("eventDate", mid),
            Box::new(move |e| e.event_date > mid.to_string()),
        ),
        (
            "gte date",
            Filter::new().gte("eventDate", mid),
            Box::new(move |e| e.event_date >= mid.to_string()),
        ),
        (
            "gte date from unix ms",
            Filter::new().gte("eventDate", MwsDate::from_unix_ms(mid.unix_ms() + 999).unwrap()),
            Box::new(move |e| e.event_date >= mid.to_string()),
        ),
        (
            "gt code",
            Filter::new().gt("code", 33_554_944),
            Box::new(|e| e.code > 33_554_944),
        ),
        (
            "date range inclusive",
            Filter::new().gte("eventDate", early).lte("eventDate", mid),
            Box::new(move |e| e.event_date >= early.to_string() && e.event_date <= mid.to_string()),
        ),
        (
            "date range exclusive",
            Filter::new().gt("eventDate", early).lt("eventDate", mid),
            Box::new(move |e| e.event_date > early.to_string() && e.event_date < mid.to_string()),
        ),
        (
            "code range",
            Filter::new().gte("code", 16_777_216).lt("code", 50_000_000),
            Box::new(|e| (16_777_216..50_000_000).contains(&e.code)),
        ),
        (
            "severity and date range (MWS's example)",
            Filter::new()
                .eq("severity", "ERROR")
                .gte("eventDate", early)
                .lte("eventDate", mid),
            Box::new(move |e| {
                e.severity == "ERROR" && e.event_date >= early.to_string() && e.event_date <= mid.to_string()
            }),
        ),
        (
            "eventType and severity",
            Filter::new()
                .eq("eventType", "Service Create")
                .eq("severity", "WARN"),
            Box::new(|e| e.event_type == "Service Create" && e.severity == "WARN"),
        ),
        (
            "in and ne on one field",
            Filter::new()
                .is_in("severity", ["WARN", "ERROR", "FATAL"])
                .ne("severity", "ERROR"),
            Box::new(|e| e.severity == "WARN" || e.severity == "FATAL"),
        ),
        (
            "eq and ne on one field",
            Filter::new()
                .eq("associatedObjects.type", "Service")
                .ne("associatedObjects.id", "svc2"),
            Box::new(|e| {
                e.associated_objects.iter().any(|o| o.object_type == "Service")
                    && e.associated_objects.iter().all(|o| o.id != "svc2")
            }),
        ),
        (
            "ne dotted, in, and a date bound across fields",
            Filter::new()
                .ne("associatedObjects.type", "VM")
                .is_in("severity", ["INFO", "WARN"])
                .gt("eventDate", early),
            Box::new(move |e| {
                e.associated_objects.iter().all(|o| o.object_type != "VM")
                    && (e.severity == "INFO" || e.severity == "WARN")
                    && e.event_date > early.to_string()
            }),
        ),
    ];
    let mut nonempty = 0;
    for (name, filter, check) in cases {
        // The same query through the simulator's own matcher, on the same data.
        let json = filter.to_json().unwrap();
        let query: Value = sim::mws_query::relaxed_json(&json).unwrap();
        sim::mws_query::validate(&query).unwrap();
        let simulator: HashSet<&str> = raw
            .iter()
            .filter(|e| sim::mws_query::matches(e, &query))
            .map(|e| e["id"].as_str().unwrap())
            .collect();
        let mut expected: Vec<&MwsEvent> = all.iter().filter(|e| check(e)).collect();
        by_date_then_id(&mut expected);
        let expected: Vec<&str> = expected.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(
            expected.iter().copied().collect::<HashSet<_>>(),
            simulator,
            "{name}: the Rust predicate and the simulator's matcher disagree"
        );
        let request = c
            .list(&ListQuery::new(filter).sort_asc("eventDate").sort_asc("id"))
            .unwrap();
        let page = perform(addr, &request).await.list().unwrap();
        let got: Vec<&str> = page.results.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(got, expected, "{name}: {json}");
        assert_eq!(page.total_count, expected.len() as u64, "{name}");
        if !got.is_empty() && got.len() < all.len() {
            nonempty += 1;
        }
    }
    assert!(nonempty >= 25, "most conditions split the data: {nonempty}");

    // Sort keys in order, with max and offset.
    let q = ListQuery::new(Filter::new().ne("severity", "FATAL"))
        .sort_asc("severity")
        .sort_desc("eventDate")
        .sort_asc("id")
        .max(17)
        .offset(33);
    let page = perform(addr, &c.list(&q).unwrap()).await.list().unwrap();
    let mut expected: Vec<&MwsEvent> = all.iter().filter(|e| e.severity != "FATAL").collect();
    expected.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then(b.event_date.cmp(&a.event_date))
            .then(a.id.cmp(&b.id))
    });
    let expected: Vec<&str> = expected.iter().skip(33).take(17).map(|e| e.id.as_str()).collect();
    let got: Vec<&str> = page.results.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(got, expected);
    assert_eq!(page.result_count, 17);
}

#[tokio::test]
async fn paging_across_more_than_a_thousand_events() {
    let addr = seeded(1_500).await;
    let c = client(addr);
    for (filter, page_size) in [
        (Filter::new(), 97),
        (Filter::new().is_in("severity", ["INFO", "WARN"]), 50),
        (Filter::new(), 1_000),
    ] {
        let whole = ListQuery::new(filter).sort_asc("eventDate").sort_asc("id");
        let all = perform(addr, &c.list(&whole).unwrap()).await.list().unwrap();
        let mut cursor = c.pages(whole.clone().max(page_size)).unwrap();
        let mut ids = Vec::new();
        let mut pages = 0;
        while let Some(request) = cursor.next_request() {
            let page = cursor.on_response(&perform(addr, &request).await).unwrap();
            assert_eq!(page.total_count, all.total_count);
            assert!(page.result_count <= page_size);
            ids.extend(page.results.into_iter().map(|e| e.id));
            pages += 1;
        }
        let expected: Vec<String> = all.results.into_iter().map(|e| e.id).collect();
        assert_eq!(pages, expected.len().div_ceil(page_size as usize));
        assert_eq!(ids.iter().collect::<HashSet<_>>().len(), ids.len(), "no repeats");
        assert_eq!(ids, expected);
    }
    assert_eq!(
        perform(addr, &c.list(&ListQuery::default().max(1)).unwrap())
            .await
            .list()
            .unwrap()
            .total_count,
        1_500
    );
}

#[tokio::test]
async fn create_checks_restrictions_before_sending_and_a_valid_event_is_created() {
    let addr = seeded(0).await;
    let c = client(addr);
    let valid = NewMwsEvent::new("VM Provision", "CSA Plugin", "INFO")
        .date(MwsDate::parse("2024-06-10 17:13:31 UTC").unwrap())
        .code(234_881_023)
        .message("The virtual machine \"vm1\" was provisioned")
        .argument("vm1")
        .associated("VM", "vm1");
    let violations = [
        (
            NewMwsEvent {
                origin: "CSA 'Plugin'".into(),
                ..valid.clone()
            },
            "origin",
        ),
        (
            NewMwsEvent {
                event_type: "VM \"Provision\"".into(),
                ..valid.clone()
            },
            "eventType",
        ),
        (valid.clone().associated("VM", "vm'2"), "associatedObjects[1].id"),
        (
            valid.clone().associated("V\"M", "vm2"),
            "associatedObjects[1].type",
        ),
    ];
    for (event, field) in violations {
        let Err(CreateError::ForbiddenQuote { field: named, .. }) = c.create(&event) else {
            panic!("{field}: not refused")
        };
        assert_eq!(named, field);
        // The simulator refuses the same body, had it been sent: the check matches the server.
        let raw = http(
            addr,
            "POST",
            "/mws/rest/events?api-version=3",
            &["Authorization: Basic YWRtaW46YWRtaW4="],
            &event.to_json(),
        )
        .await;
        let e = HttpResponse::new(raw.status, raw.body).created().unwrap_err();
        assert!(matches!(e, MwsError::BadRequest(_)), "{field}: {e:?}");
        assert!(
            e.messages()[0].contains("cannot contain single quotes (') or double quotes (\")"),
            "{field}: {e:?}"
        );
    }
    let count = |addr| async move {
        perform(addr, &client(addr).list(&ListQuery::default().max(1)).unwrap())
            .await
            .list()
            .unwrap()
            .total_count
    };
    assert_eq!(count(addr).await, 0, "nothing refused was stored");

    let request = c.create(&valid).unwrap();
    let response = perform(addr, &request).await;
    assert_eq!(response.status, 201, "{}", response.body);
    let created = response.created().unwrap();
    assert_eq!(created.id.len(), 24);
    assert_eq!(created.version, Some(0));
    assert_eq!(created.event_date, "2024-06-10 17:13:31 UTC");
    assert_eq!(created.message.as_deref(), valid.message.as_deref());
    let fetched = perform(addr, &c.get(&created.id).unwrap()).await.event().unwrap();
    assert_eq!(fetched.id, created.id);
    assert_eq!(fetched.associated_objects, valid.associated_objects);
    assert_eq!(fetched.code, 234_881_023);
    assert_eq!(count(addr).await, 1);

    // A create MWS refuses for its own reasons is a typed 400 with every message.
    let refused = perform(addr, &c.create(&NewMwsEvent::new("", "x", "LOUD")).unwrap())
        .await
        .created()
        .unwrap_err();
    assert!(matches!(refused, MwsError::BadRequest(_)), "{refused:?}");
    assert_eq!(refused.messages().len(), 2, "{refused:?}");
    let missing = perform(addr, &c.get("ffffffffffffffffffffffff").unwrap())
        .await
        .event()
        .unwrap_err();
    assert!(matches!(missing, MwsError::NotFound(_)), "{missing:?}");
    assert_eq!(
        missing.messages(),
        ["The resource with id 'ffffffffffffffffffffffff' was not found"]
    );
}

#[tokio::test]
async fn authentication_failures_are_typed() {
    let addr = seeded(3).await;
    for c in [
        client_as(addr, Some(BasicAuth::new("admin", "wrong").unwrap())),
        client_as(addr, Some(BasicAuth::new("nobody", "admin").unwrap())),
        client_as(addr, None),
    ] {
        let requests = [
            c.list(&ListQuery::default()).unwrap(),
            c.get("ffffffffffffffffffffffff").unwrap(),
            c.create(&NewMwsEvent::new("A", "B", "INFO")).unwrap(),
        ];
        for request in requests {
            let response = perform(addr, &request).await;
            let e = match request.method() {
                infra_events::mws_client::HttpMethod::Post => response.created(),
                _ => response.list().map(|_| unreachable!()),
            }
            .unwrap_err();
            assert!(matches!(e, MwsError::Unauthorized(_)), "{e:?}");
            assert_eq!(e.messages(), ["You must be authenticated to access this area"]);
            assert!(!e.is_retryable());
        }
    }
    let (events, _) = everything(addr).await;
    assert_eq!(events.len(), 3, "nothing was created without credentials");
}

/// SplitMix64 for the driver's own choices (which requests fail).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        (z ^ (z >> 31)) % n
    }
}

/// POSTs `bursts` bursts of events as fast as they go (many land in the same second), with pauses
/// between bursts; every fifth event has a type the poller's filter leaves out. Returns the ids of
/// the events the poller should deliver, in creation order.
async fn post_bursts(addr: SocketAddr, bursts: usize, seed: u64) -> Vec<String> {
    let c = client(addr);
    let mut rng = Rng(seed);
    let mut wanted = Vec::new();
    let mut n = 0;
    for _ in 0..bursts {
        let size = 20 + rng.below(60);
        for _ in 0..size {
            n += 1;
            let event_type = if n % 5 == 0 { "Ignored" } else { "Job Submit" };
            let event = NewMwsEvent::new(event_type, "MWS/JobEvents/SUBMIT", "INFO")
                .argument(format!("Moab.{n}"))
                .associated("Job", format!("Moab.{n}"));
            let created = perform(addr, &c.create(&event).unwrap()).await.created().unwrap();
            if event_type != "Ignored" {
                wanted.push(created.id);
            }
        }
        tokio::time::sleep(Duration::from_millis(rng.below(700))).await;
    }
    wanted
}

#[tokio::test]
async fn the_poller_delivers_every_event_once_in_order_while_bursts_arrive_and_polls_fail() {
    // History the subscription must not deliver: it starts at the latest event.
    let mut config = quiet();
    config.mws_history = 50;
    let (addr, _) = start(config).await;
    let options = PollOptions {
        interval_ms: 40,
        page_size: 25,
        start: StartAt::Latest,
        lookback_secs: 0,
        backoff_base_ms: 20,
        backoff_max_ms: 400,
        request_timeout_ms: 10_000,
        jitter_seed: 11,
    };
    let mut poller = Poller::new(client(addr), Filter::new().ne("eventType", "Ignored"), options).unwrap();
    let clock = Instant::now();
    let now = || clock.elapsed().as_millis() as u64;
    let mut rng = Rng(3);
    let mut delivered: Vec<MwsEvent> = Vec::new();
    let mut poster = None;
    let (mut failed, mut retries) = (0, 0);
    let deadline = clock + Duration::from_secs(120);
    poller.handle(PollInput::Start, now());
    loop {
        while let Some(event) = poller.pop_event() {
            delivered.push(event);
        }
        let mut fetches = VecDeque::new();
        while let Some(action) = poller.poll_action() {
            match action {
                PollAction::Fetch { request, http } => fetches.push_back((request, http)),
                PollAction::Cancel { .. } => {}
                PollAction::Emit(PollNotice::Live { .. }) => {
                    assert!(delivered.is_empty(), "history is not delivered");
                    poster = Some(tokio::spawn(post_bursts(addr, 30, 5)));
                }
                PollAction::Emit(PollNotice::Retrying { .. }) => retries += 1,
                PollAction::Emit(PollNotice::Closed { reason }) => panic!("closed: {reason:?}"),
            }
        }
        if let Some((request, http)) = fetches.pop_front() {
            assert!(fetches.is_empty(), "one request at a time");
            // One request in six fails, in one of four ways, while events are being posted.
            let failing = poster.as_ref().is_some_and(|p| !p.is_finished()) && rng.below(6) == 0;
            let input = if !failing {
                PollInput::response(request, &perform(addr, &http).await)
            } else {
                failed += 1;
                match rng.below(4) {
                    0 => PollInput::TransportError {
                        request,
                        reason: "Failed to fetch".into(),
                    },
                    1 => {
                        // MWS answered, the answer was lost on the way.
                        perform(addr, &http).await;
                        PollInput::TransportError {
                            request,
                            reason: "network changed".into(),
                        }
                    }
                    2 => PollInput::response(
                        request,
                        &HttpResponse::new(503, "<html>Service Unavailable</html>"),
                    ),
                    _ => PollInput::response(
                        request,
                        &HttpResponse::new(
                            500,
                            r#"{"messages":["A problem occurred while processing the request"]}"#,
                        ),
                    ),
                }
            };
            poller.handle(input, now());
            continue;
        }
        if let Some(p) = &poster {
            if p.is_finished() {
                let wanted = poster.take().unwrap().await.unwrap();
                // Let the poller catch up, then compare.
                while delivered.len() < wanted.len() && Instant::now() < deadline {
                    drive_one(&mut poller, addr, &mut delivered, now).await;
                }
                // A few more polls: nothing repeated, nothing new.
                for _ in 0..5 {
                    drive_one(&mut poller, addr, &mut delivered, now).await;
                }
                let ids: Vec<String> = delivered.iter().map(|e| e.id.clone()).collect();
                assert_eq!(
                    ids.len(),
                    wanted.len(),
                    "delivered {} of {}",
                    ids.len(),
                    wanted.len()
                );
                assert_eq!(ids, wanted, "exactly once, in creation order");
                let (all, _) = everything(addr).await;
                let mut server_order: Vec<&MwsEvent> = all
                    .iter()
                    .filter(|e| e.event_type != "Ignored")
                    .skip(50)
                    .collect();
                by_date_then_id(&mut server_order);
                let server_order: Vec<&str> = server_order.iter().map(|e| e.id.as_str()).collect();
                assert_eq!(ids, server_order, "the server's (eventDate, id) order");
                // Bursts really put many events in one second.
                let mut per_second = std::collections::HashMap::<&str, usize>::new();
                for e in &delivered {
                    *per_second.entry(e.event_date.as_str()).or_default() += 1;
                }
                assert!(per_second.values().any(|&n| n >= 20), "{per_second:?}");
                assert!(failed >= 5 && retries >= 5, "failed {failed}, retries {retries}");
                let stats = poller.stats();
                assert!(stats.duplicates > 0, "{stats:?}");
                assert!(wanted.len() > 1_000, "{}", wanted.len());
                return;
            }
        }
        assert!(Instant::now() < deadline, "timed out: {:?}", poller.stats());
        let wait = poller
            .next_deadline()
            .map_or(10, |d| d.saturating_sub(now()).min(10));
        tokio::time::sleep(Duration::from_millis(wait)).await;
        poller.handle(PollInput::Tick, now());
    }
}

/// One step of a plain driver without failures: perform what is asked, or wait for the deadline.
async fn drive_one(
    poller: &mut Poller,
    addr: SocketAddr,
    delivered: &mut Vec<MwsEvent>,
    now: impl Fn() -> u64,
) {
    while let Some(event) = poller.pop_event() {
        delivered.push(event);
    }
    while let Some(action) = poller.poll_action() {
        if let PollAction::Fetch { request, http } = action {
            let response = perform(addr, &http).await;
            poller.handle(PollInput::response(request, &response), now());
            while let Some(event) = poller.pop_event() {
                delivered.push(event);
            }
        }
    }
    let wait = poller
        .next_deadline()
        .map_or(10, |d| d.saturating_sub(now()).min(50));
    tokio::time::sleep(Duration::from_millis(wait)).await;
    poller.handle(PollInput::Tick, now());
}

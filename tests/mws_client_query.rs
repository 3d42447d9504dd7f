#![cfg(all(not(target_arch = "wasm32"), feature = "mws"))]
//! The MWS query builder: dates in MWS's form, the `query` JSON of every operator and combination,
//! `sort`, `max`, `offset`, `api-version=3`, and percent-encoding that survives form-style
//! decoding.

mod common;

use common::form_decode;

use infra_events::mws_client::{
    percent_encode, DateError, Filter, ListQuery, MwsDate, Operand, Operator, QueryError, QueryValue,
    SortOrder,
};
use proptest::prelude::*;
use serde_json::{json, Value};

/// The query parameters of a path, decoded, in order.
fn params(path_and_query: &str) -> Vec<(String, String)> {
    let (_, query) = path_and_query.split_once('?').unwrap();
    query
        .split('&')
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap();
            (form_decode(k), form_decode(v))
        })
        .collect()
}

fn date(s: &str) -> MwsDate {
    MwsDate::parse(s).unwrap()
}

// ---- dates -------------------------------------------------------------------------------------

#[test]
fn dates_from_unix_ms_are_written_in_mws_form() {
    let d = MwsDate::from_unix_ms(1_737_979_680_000).unwrap();
    assert_eq!(d.to_string(), "2025-01-27 12:08:00 UTC");
    assert_eq!(
        MwsDate::from_unix_ms(0).unwrap().to_string(),
        "1970-01-01 00:00:00 UTC"
    );
    assert_eq!(
        MwsDate::from_unix_ms(999).unwrap().to_string(),
        "1970-01-01 00:00:00 UTC",
        "truncated to the second"
    );
    assert_eq!(
        MwsDate::from_unix_ms(-1).unwrap().to_string(),
        "1969-12-31 23:59:59 UTC",
        "rounded down before 1970 too"
    );
    assert_eq!(
        MwsDate::from_unix_ms(951_782_400_000).unwrap().to_string(),
        "2000-02-29 00:00:00 UTC"
    );
    assert_eq!(
        MwsDate::from_unix_secs(253_402_300_799).unwrap().to_string(),
        "9999-12-31 23:59:59 UTC"
    );
    assert_eq!(
        MwsDate::from_unix_secs(-62_167_219_200).unwrap().to_string(),
        "0000-01-01 00:00:00 UTC"
    );
    assert_eq!(
        MwsDate::from_unix_secs(253_402_300_800),
        Err(DateError::OutOfRange)
    );
    assert_eq!(MwsDate::from_unix_ms(i64::MIN), Err(DateError::OutOfRange));
    assert_eq!(d.unix_ms(), 1_737_979_680_000);
    assert_eq!(d.plus_secs(-1).unwrap().to_string(), "2025-01-27 12:07:59 UTC");
}

#[test]
fn date_strings_are_checked() {
    assert_eq!(date("2025-01-27 12:08:00 UTC").unix_secs(), 1_737_979_680);
    assert_eq!(
        date("2025-01-27T12:08:00Z"),
        date("2025-01-27 12:08:00 UTC"),
        "RFC 3339, as Date.toISOString()"
    );
    assert_eq!(date("2025-01-27T12:08:00.999Z"), date("2025-01-27 12:08:00 UTC"));
    assert_eq!(date("2025-01-27T13:08:00+01:00"), date("2025-01-27 12:08:00 UTC"));
    assert_eq!(date("2025-01-27T00:30:00-02:30"), date("2025-01-27 03:00:00 UTC"));
    assert_eq!(
        date("2016-12-31 23:59:60 UTC").to_string(),
        "2017-01-01 00:00:00 UTC",
        "a leap second rolls over"
    );
    assert_eq!(
        date("2024-02-29 00:00:00 UTC").to_string(),
        "2024-02-29 00:00:00 UTC"
    );
    for (bad, field) in [
        ("2025-02-29 00:00:00 UTC", "day"),
        ("1900-02-29 00:00:00 UTC", "day"),
        ("2025-04-31 00:00:00 UTC", "day"),
        ("2025-00-10 00:00:00 UTC", "month"),
        ("2025-13-10 00:00:00 UTC", "month"),
        ("2025-01-00 00:00:00 UTC", "day"),
        ("2025-01-10 24:00:00 UTC", "hour"),
        ("2025-01-10 23:60:00 UTC", "minute"),
        ("2025-01-10 23:59:61 UTC", "second"),
        ("2025-01-10T23:59:59+24:00", "offset"),
    ] {
        assert_eq!(
            MwsDate::parse(bad),
            Err(DateError::InvalidField {
                input: bad.into(),
                field
            }),
            "{bad}"
        );
    }
    for bad in [
        "",
        "yesterday",
        "2025-01-27 12:08:00",
        "2025-01-27 12:08:00 GMT",
        "2025-01-27 12:08:00 UTC ",
        " 2025-01-27 12:08:00 UTC",
        "2025-1-27 12:08:00 UTC",
        "2025-01-27 12:08 UTC",
        "2025/01/27 12:08:00 UTC",
        "2025-01-27T12:08:00",
        "2025-01-27T12:08:00.Z",
        "2025-01-27T12:08:00+0100",
        "+2025-01-27T12:08:00Z",
        "２025-01-27 12:08:00 UTC",
    ] {
        assert!(
            matches!(MwsDate::parse(bad), Err(DateError::Malformed { .. })),
            "{bad:?}"
        );
    }
    let e = MwsDate::parse("yesterday").unwrap_err().to_string();
    assert!(e.contains("yesterday") && e.contains("UTC"), "{e}");
}

proptest! {
    #[test]
    fn dates_round_trip_through_their_text(secs in -62_167_219_200i64..=253_402_300_799) {
        let d = MwsDate::from_unix_secs(secs).unwrap();
        let text = d.to_string();
        prop_assert_eq!(MwsDate::parse(&text).unwrap(), d);
        prop_assert!(infra_events::decode::mws::is_mws_date(&text), "{}", text);
    }

    #[test]
    fn text_order_is_date_order(a in 0i64..=253_402_300_799, b in 0i64..=253_402_300_799) {
        // The poller compares MWS's date strings as text: that must be chronological.
        let (da, db) = (MwsDate::from_unix_secs(a).unwrap(), MwsDate::from_unix_secs(b).unwrap());
        prop_assert_eq!(da.to_string().cmp(&db.to_string()), a.cmp(&b));
        prop_assert_eq!(da.cmp(&db), a.cmp(&b));
    }

    #[test]
    fn unix_ms_rounds_down_to_its_second(ms in -62_167_219_200_000i64..=253_402_300_799_999) {
        let d = MwsDate::from_unix_ms(ms).unwrap();
        prop_assert!(d.unix_ms() <= ms && ms < d.unix_ms() + 1000);
    }
}

// ---- query JSON ----------------------------------------------------------------------------------

fn json_of(filter: &Filter) -> String {
    filter.to_json().unwrap()
}

#[test]
fn every_operator_alone() {
    let d = date("2025-01-27 12:08:00 UTC");
    let cases: Vec<(Filter, &str)> = vec![
        (Filter::new(), "{}"),
        (Filter::new().eq("severity", "ERROR"), r#"{"severity":"ERROR"}"#),
        (Filter::new().eq("code", 33554946), r#"{"code":33554946}"#),
        (
            Filter::new().eq("associatedObjects.id", "51b608ddc4aa708a5bebb684"),
            r#"{"associatedObjects.id":"51b608ddc4aa708a5bebb684"}"#,
        ),
        (
            Filter::new().ne("associatedObjects.id", "vm1"),
            r#"{"associatedObjects.id":{"$ne":"vm1"}}"#,
        ),
        (
            Filter::new().is_in("severity", ["ERROR", "WARN"]),
            r#"{"severity":{"$in":["ERROR","WARN"]}}"#,
        ),
        (
            Filter::new().is_in("code", [1u32, 2, 3]),
            r#"{"code":{"$in":[1,2,3]}}"#,
        ),
        (
            Filter::new().is_in("severity", Vec::<&str>::new()),
            r#"{"severity":{"$in":[]}}"#,
        ),
        (
            Filter::new().lt("eventDate", d),
            r#"{"eventDate":{"$lt":"2025-01-27 12:08:00 UTC"}}"#,
        ),
        (
            Filter::new().lte("eventDate", d),
            r#"{"eventDate":{"$lte":"2025-01-27 12:08:00 UTC"}}"#,
        ),
        (
            Filter::new().gt("eventDate", d),
            r#"{"eventDate":{"$gt":"2025-01-27 12:08:00 UTC"}}"#,
        ),
        (
            Filter::new().gte("eventDate", d),
            r#"{"eventDate":{"$gte":"2025-01-27 12:08:00 UTC"}}"#,
        ),
        (Filter::new().gt("code", 100), r#"{"code":{"$gt":100}}"#),
        (Filter::new().eq("message", None::<&str>), r#"{"message":null}"#),
        (Filter::new().eq("flag", true), r#"{"flag":true}"#),
        (Filter::new().lt("ratio", 0.5), r#"{"ratio":{"$lt":0.5}}"#),
    ];
    for (filter, expected) in cases {
        assert_eq!(json_of(&filter), expected);
        serde_json::from_str::<Value>(expected).unwrap();
    }
}

#[test]
fn combinations_on_one_field_and_across_fields() {
    let from = date("2025-01-27 12:04:00 UTC");
    let to = date("2025-01-27 12:08:00 UTC");
    assert_eq!(
        json_of(&Filter::new().gte("eventDate", from).lte("eventDate", to)),
        r#"{"eventDate":{"$gte":"2025-01-27 12:04:00 UTC","$lte":"2025-01-27 12:08:00 UTC"}}"#,
        "a range, as in MWS's example"
    );
    assert_eq!(
        json_of(
            &Filter::new()
                .eq("severity", "ERROR")
                .gte("eventDate", from)
                .lte("eventDate", to)
        ),
        r#"{"severity":"ERROR","eventDate":{"$gte":"2025-01-27 12:04:00 UTC","$lte":"2025-01-27 12:08:00 UTC"}}"#,
        "MWS's last example, field by field in order"
    );
    assert_eq!(
        json_of(
            &Filter::new()
                .eq("eventType", "Service Create")
                .eq("severity", "INFO")
        ),
        r#"{"eventType":"Service Create","severity":"INFO"}"#
    );
    assert_eq!(
        json_of(
            &Filter::new()
                .gt("eventDate", from)
                .lt("eventDate", to)
                .ne("eventDate", date("2025-01-27 12:06:00 UTC"))
        ),
        r#"{"eventDate":{"$gt":"2025-01-27 12:04:00 UTC","$lt":"2025-01-27 12:08:00 UTC","$ne":"2025-01-27 12:06:00 UTC"}}"#
    );
    assert_eq!(
        json_of(
            &Filter::new()
                .is_in("severity", ["WARN", "ERROR"])
                .ne("severity", "WARN")
                .ne("associatedObjects.type", "VM")
                .gte("code", 1)
                .lte("code", 50_000_000)
        ),
        r#"{"severity":{"$in":["WARN","ERROR"],"$ne":"WARN"},"associatedObjects.type":{"$ne":"VM"},"code":{"$gte":1,"$lte":50000000}}"#
    );
    assert_eq!(
        json_of(&Filter::new().eq("severity", "INFO").ne("severity", "WARN")),
        r#"{"severity":{"$eq":"INFO","$ne":"WARN"}}"#,
        "equality next to other operators needs $eq"
    );
    assert_eq!(
        json_of(
            &Filter::new()
                .gte("eventDate", from)
                .eq("severity", "INFO")
                .lte("eventDate", to)
        ),
        r#"{"eventDate":{"$gte":"2025-01-27 12:04:00 UTC","$lte":"2025-01-27 12:08:00 UTC"},"severity":"INFO"}"#,
        "a field keeps its first position"
    );
    assert_eq!(
        json_of(
            &Filter::new()
                .gte("eventDate", from)
                .gte("eventDate", to)
                .eq("severity", "INFO")
                .eq("severity", "WARN")
        ),
        r#"{"eventDate":{"$gte":"2025-01-27 12:08:00 UTC"},"severity":"WARN"}"#,
        "the same operator again replaces its operand"
    );
    let f = Filter::new().condition(
        "code",
        Operator::In,
        Operand::List(vec![QueryValue::Int(-1), QueryValue::Null]),
    );
    assert_eq!(json_of(&f), r#"{"code":{"$in":[-1,null]}}"#);
    assert_eq!(
        f.get("code", Operator::In),
        Some(&Operand::List(vec![QueryValue::Int(-1), QueryValue::Null]))
    );
    assert_eq!(f.get("code", Operator::Ne), None);
}

#[test]
fn strings_are_escaped_as_json() {
    let f = Filter::new().eq("message", "say \"hi\"\\ \n\t é ✓ {$ne:1}");
    let text = json_of(&f);
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v, json!({"message": "say \"hi\"\\ \n\t é ✓ {$ne:1}"}));
}

#[test]
fn bad_field_paths_and_numbers_are_refused() {
    for field in ["", ".a", "a.", "a..b", "$where", "a.$b", "a\nb"] {
        assert_eq!(
            Filter::new().eq(field, 1).to_json(),
            Err(QueryError::InvalidField { field: field.into() }),
            "{field:?}"
        );
    }
    assert_eq!(
        Filter::new().lt("ratio", f64::NAN).to_json(),
        Err(QueryError::NonFiniteNumber)
    );
    assert_eq!(
        Filter::new().is_in("ratio", [1.0, f64::INFINITY]).to_json(),
        Err(QueryError::NonFiniteNumber)
    );
    assert_eq!(
        ListQuery::new(Filter::new()).sort_asc("a..b").path_and_query(),
        Err(QueryError::InvalidField { field: "a..b".into() })
    );
    assert_eq!(
        ListQuery::new(Filter::new()).max(0).path_and_query(),
        Err(QueryError::ZeroMax)
    );
    assert!(Filter::new().eq("associatedObjects.0.id", "x").to_json().is_ok());
}

// ---- list requests ---------------------------------------------------------------------------------

#[test]
fn api_version_always_and_nothing_else_when_unset() {
    assert_eq!(
        ListQuery::default().path_and_query().unwrap(),
        "/mws/rest/events?api-version=3"
    );
}

#[test]
fn sort_keeps_its_order_max_and_offset() {
    let q = ListQuery::new(Filter::new().eq("eventType", "VM Provision"))
        .sort("severity", SortOrder::Ascending)
        .sort_desc("eventDate")
        .sort_asc("id")
        .sort_desc("severity")
        .max(10)
        .offset(50);
    assert_eq!(
        q.sort_json().unwrap().unwrap(),
        r#"{"severity":-1,"eventDate":-1,"id":1}"#,
        "a key set again changes direction, not place"
    );
    let path = q.path_and_query().unwrap();
    assert!(path.starts_with("/mws/rest/events?api-version=3&"), "{path}");
    assert_eq!(
        params(&path),
        [
            ("api-version".to_owned(), "3".to_owned()),
            ("query".into(), r#"{"eventType":"VM Provision"}"#.into()),
            ("sort".into(), r#"{"severity":-1,"eventDate":-1,"id":1}"#.into()),
            ("max".into(), "10".into()),
            ("offset".into(), "50".into()),
        ]
    );
    assert_eq!(
        ListQuery::default().offset(0).path_and_query().unwrap(),
        "/mws/rest/events?api-version=3&offset=0"
    );
}

#[test]
fn the_query_survives_form_decoding() {
    // `+`, `&`, `=`, `#`, `%` and spaces inside values must not break the parameter apart.
    let f = Filter::new()
        .eq("eventType", "a+b & c=d #e %20 f")
        .eq("origin", "MWS/ServiceEvents/CREATE_1ID");
    let path = ListQuery::new(f.clone()).path_and_query().unwrap();
    let query = path.split('?').nth(1).unwrap();
    assert!(
        !query
            .split('&')
            .skip(1)
            .any(|p| p.contains(['+', ' ', '#', '"', '{', '/'])),
        "{path}"
    );
    let decoded = params(&path);
    assert_eq!(decoded[1], ("query".into(), f.to_json().unwrap()));
    assert_eq!(
        serde_json::from_str::<Value>(&decoded[1].1).unwrap(),
        json!({"eventType": "a+b & c=d #e %20 f", "origin": "MWS/ServiceEvents/CREATE_1ID"})
    );
}

#[test]
fn percent_encoding_keeps_only_unreserved_characters() {
    assert_eq!(percent_encode("AZaz09-._~"), "AZaz09-._~");
    assert_eq!(
        percent_encode(" +&=?#/%\"{}:,"),
        "%20%2B%26%3D%3F%23%2F%25%22%7B%7D%3A%2C"
    );
    assert_eq!(percent_encode("é✓"), "%C3%A9%E2%9C%93");
    assert_eq!(percent_encode(""), "");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn percent_encoding_round_trips(s in "\\PC*") {
        let encoded = percent_encode(&s);
        prop_assert!(encoded.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~%".contains(&b)));
        prop_assert_eq!(form_decode(&encoded), s);
    }

    /// Any filter built from random fields, operators and values is valid JSON whose structure is
    /// what was built: each field once, in first-use order, operators in first-use order, last
    /// operand kept.
    #[test]
    fn built_filters_are_the_json_they_describe(
        steps in prop::collection::vec(
            (0usize..4, 0usize..7, prop::collection::vec(any::<i32>(), 0..3), "\\PC{0,8}"),
            0..12,
        )
    ) {
        let fields = ["severity", "associatedObjects.id", "eventDate", "code"];
        let ops = [Operator::Eq, Operator::Ne, Operator::In, Operator::Lt, Operator::Lte, Operator::Gt, Operator::Gte];
        let mut filter = Filter::new();
        // The expected model: fields in order, each with its operators in order.
        let mut model: Vec<(String, Vec<(Operator, Value)>)> = Vec::new();
        for (fi, oi, ints, text) in steps {
            let (field, op) = (fields[fi], ops[oi]);
            let (operand, value) = if op == Operator::In {
                (Operand::List(ints.iter().map(|&i| QueryValue::Int(i.into())).collect()), json!(ints))
            } else if fi == 3 {
                let i = ints.first().copied().unwrap_or(0);
                (Operand::One(QueryValue::Int(i.into())), json!(i))
            } else {
                (Operand::One(QueryValue::Str(text.clone())), json!(text))
            };
            filter = filter.condition(field, op, operand);
            let entry = match model.iter().position(|(f, _)| f == field) {
                Some(i) => &mut model[i].1,
                None => { model.push((field.to_owned(), Vec::new())); &mut model.last_mut().unwrap().1 }
            };
            match entry.iter_mut().find(|(o, _)| *o == op) {
                Some(slot) => slot.1 = value,
                None => entry.push((op, value)),
            }
        }
        let text = filter.to_json().unwrap();
        let parsed: Value = serde_json::from_str(&text).unwrap();
        let object = parsed.as_object().unwrap();
        prop_assert_eq!(object.len(), model.len());
        // Field order in the text follows first use.
        let mut last = 0;
        for (field, ops) in &model {
            let at = text.find(&format!("{}:", serde_json::to_string(field).unwrap())).unwrap();
            prop_assert!(at >= last);
            last = at;
            let written = &object[field];
            if let [(Operator::Eq, v)] = ops.as_slice() {
                prop_assert_eq!(written, v);
            } else {
                let expected: serde_json::Map<String, Value> =
                    ops.iter().map(|(o, v)| (o.as_str().to_owned(), v.clone())).collect();
                prop_assert_eq!(written, &Value::Object(expected));
            }
        }
    }
}

//! The part of MongoDB's query language that MWS documents for `GET /rest/events`: equality
//! (through arrays and dotted paths such as `associatedObjects.id`), `$ne`, `$in`, `$nin`, `$lt`,
//! `$lte`, `$gt`, `$gte`, `$exists`, and top-level `$and`/`$or`/`$nor`; plus `sort` with ordered keys.
//! Dates in MWS's `yyyy-MM-dd HH:mm:ss UTC` form compare as dates.

use std::cmp::Ordering;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};

use crate::clock;

/// Parses query/sort JSON as MWS's Groovy parser would: strict JSON, or with bare keys
/// (`{code:33554946}`, as in MWS's own documentation).
pub fn relaxed_json<T: for<'de> Deserialize<'de>>(text: &str) -> Result<T, String> {
    serde_json::from_str(text)
        .or_else(|e| serde_json::from_str(&quote_bare_keys(text)).map_err(|_| e.to_string()))
}

/// Quotes identifiers (letters, digits, `_`, `$`, `.`) that stand where an object key is expected.
fn quote_bare_keys(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut in_string = false;
    let mut expect_key = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if in_string {
            out.push(c);
            if c == '\\' && i + 1 < chars.len() {
                out.push(chars[i + 1]);
                i += 1;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            expect_key = false;
            out.push(c);
        } else if c == '{' || c == ',' {
            expect_key = true;
            out.push(c);
        } else if c.is_whitespace() {
            out.push(c);
        } else if expect_key && (c.is_alphanumeric() || c == '_' || c == '$') {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '$' | '.' | '-'))
            {
                i += 1;
            }
            out.push('"');
            out.extend(&chars[start..i]);
            out.push('"');
            expect_key = false;
            continue;
        } else {
            expect_key = false;
            out.push(c);
        }
        i += 1;
    }
    out
}

const OPERATORS: [&str; 9] = [
    "$eq", "$ne", "$in", "$nin", "$lt", "$lte", "$gt", "$gte", "$exists",
];

/// Checks a query before use, so a bad one is a 400 rather than an empty result.
pub fn validate(query: &Value) -> Result<(), String> {
    let Some(map) = query.as_object() else {
        return Err("The query must be a JSON object".into());
    };
    for (key, cond) in map {
        match key.as_str() {
            "$and" | "$or" | "$nor" => {
                let Some(items) = cond.as_array().filter(|a| !a.is_empty()) else {
                    return Err(format!("{key} expects a non-empty array of queries"));
                };
                for item in items {
                    validate(item)?;
                }
            }
            k if k.starts_with('$') => return Err(format!("Unknown top-level query operator {k}")),
            _ => {
                if let Some(ops) = operator_object(cond) {
                    for (op, arg) in ops {
                        if !OPERATORS.contains(&op.as_str()) {
                            return Err(format!("Unknown query operator {op}"));
                        }
                        if matches!(op.as_str(), "$in" | "$nin") && !arg.is_array() {
                            return Err(format!("{op} expects an array"));
                        }
                    }
                }
            }
        }
    }
    Ok(())
}

/// `{"$op": …}` conditions (every key an operator); a plain object is an equality value.
fn operator_object(cond: &Value) -> Option<&Map<String, Value>> {
    cond.as_object()
        .filter(|m| !m.is_empty() && m.keys().all(|k| k.starts_with('$')))
}

/// The values at a dotted path, stepping into arrays (each element) as MongoDB does; an array at
/// the end contributes itself and its elements.
fn values_at<'a>(doc: &'a Value, path: &[&str], out: &mut Vec<&'a Value>) {
    match (path.split_first(), doc) {
        (None, Value::Array(items)) => {
            out.push(doc);
            out.extend(items.iter());
        }
        (None, _) => out.push(doc),
        (Some((head, rest)), Value::Object(map)) => {
            if let Some(v) = map.get(*head) {
                values_at(v, rest, out);
            }
        }
        (Some((head, rest)), Value::Array(items)) => {
            if let Ok(i) = head.parse::<usize>() {
                if let Some(v) = items.get(i) {
                    values_at(v, rest, out);
                }
            } else {
                for item in items {
                    values_at(item, path, out);
                }
            }
        }
        _ => {}
    }
}

fn equals(values: &[&Value], target: &Value) -> bool {
    if values.is_empty() {
        return target.is_null();
    }
    values.contains(&target)
}

/// Ordering between comparable values: numbers with numbers, strings with strings (as dates when
/// both read as dates). Other pairs do not compare, as in MongoDB's type bracketing.
fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64()?.partial_cmp(&y.as_f64()?),
        (Value::String(x), Value::String(y)) => {
            match (clock::parse_date_secs(x), clock::parse_date_secs(y)) {
                (Some(dx), Some(dy)) => Some(dx.cmp(&dy)),
                _ => Some(x.cmp(y)),
            }
        }
        _ => None,
    }
}

fn condition(values: &[&Value], cond: &Value) -> bool {
    let Some(ops) = operator_object(cond) else {
        return equals(values, cond);
    };
    ops.iter().all(|(op, arg)| match op.as_str() {
        "$eq" => equals(values, arg),
        "$ne" => !equals(values, arg),
        "$in" => arg
            .as_array()
            .is_some_and(|a| a.iter().any(|t| equals(values, t))),
        "$nin" => !arg
            .as_array()
            .is_some_and(|a| a.iter().any(|t| equals(values, t))),
        "$exists" => arg.as_bool().unwrap_or(true) != values.is_empty(),
        "$lt" => values.iter().any(|v| compare(v, arg) == Some(Ordering::Less)),
        "$lte" => values
            .iter()
            .any(|v| matches!(compare(v, arg), Some(Ordering::Less | Ordering::Equal))),
        "$gt" => values.iter().any(|v| compare(v, arg) == Some(Ordering::Greater)),
        "$gte" => values
            .iter()
            .any(|v| matches!(compare(v, arg), Some(Ordering::Greater | Ordering::Equal))),
        _ => false,
    })
}

/// Whether `doc` matches a validated query.
pub fn matches(doc: &Value, query: &Value) -> bool {
    let Some(map) = query.as_object() else {
        return false;
    };
    map.iter().all(|(key, cond)| match key.as_str() {
        "$and" => cond.as_array().is_some_and(|a| a.iter().all(|q| matches(doc, q))),
        "$or" => cond.as_array().is_some_and(|a| a.iter().any(|q| matches(doc, q))),
        "$nor" => cond
            .as_array()
            .is_some_and(|a| !a.iter().any(|q| matches(doc, q))),
        path => {
            let segments: Vec<&str> = path.split('.').collect();
            let mut values = Vec::new();
            values_at(doc, &segments, &mut values);
            condition(&values, cond)
        }
    })
}

/// A sort specification, keys in the order written: `{"eventDate":-1,"id":1}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sort(pub Vec<(String, i8)>);

struct Pairs(Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Pairs;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs, A::Error> {
                let mut pairs = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Value>()? {
                    pairs.push((k, v));
                }
                Ok(Pairs(pairs))
            }
        }
        d.deserialize_map(V)
    }
}

impl Sort {
    pub fn parse(text: &str) -> Result<Sort, String> {
        let Pairs(pairs) = relaxed_json::<Pairs>(text).map_err(|e| format!("Invalid sort: {e}"))?;
        pairs
            .into_iter()
            .map(|(k, v)| match v.as_i64() {
                Some(1) => Ok((k, 1)),
                Some(-1) => Ok((k, -1)),
                _ => Err(format!(
                    "Invalid sort direction for {k}: use 1 for ascending or -1 for descending"
                )),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Sort)
    }

    pub fn compare(&self, a: &Value, b: &Value) -> Ordering {
        for (path, dir) in &self.0 {
            let segments: Vec<&str> = path.split('.').collect();
            let first = |doc: &Value| {
                let mut v = Vec::new();
                values_at(doc, &segments, &mut v);
                v.first().map(|x| (*x).clone()).unwrap_or(Value::Null)
            };
            let ord = sort_order(&first(a), &first(b));
            let ord = if *dir < 0 { ord.reverse() } else { ord };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    }
}

/// MongoDB's sort order across types: null, numbers, strings, objects, arrays, booleans.
fn sort_order(a: &Value, b: &Value) -> Ordering {
    fn rank(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Number(_) => 1,
            Value::String(_) => 2,
            Value::Object(_) => 3,
            Value::Array(_) => 4,
            Value::Bool(_) => 5,
        }
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => rank(a)
            .cmp(&rank(b))
            .then_with(|| compare(a, b).unwrap_or(Ordering::Equal)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev() -> Value {
        json!({"severity": "ERROR", "code": 33554946, "eventDate": "2025-01-27 12:05:00 UTC",
               "associatedObjects": [{"type": "Service", "id": "s1"}, {"type": "VM", "id": "vm1"}], "message": null})
    }

    #[test]
    fn operators() {
        let q = |s: &str| {
            let v: Value = relaxed_json(s).unwrap();
            validate(&v).unwrap();
            matches(&ev(), &v)
        };
        assert!(q(r#"{"severity":"ERROR"}"#));
        assert!(q("{code:33554946}"));
        assert!(q(r#"{"associatedObjects.id":"vm1"}"#));
        assert!(!q(r#"{"associatedObjects.id":{"$ne":"vm1"}}"#));
        assert!(q(r#"{"associatedObjects.id":{"$ne":"vm9"}}"#));
        assert!(q(r#"{"severity":{"$in":["WARN","ERROR"]}}"#));
        assert!(q(
            r#"{"eventDate":{"$gte":"2025-01-27 12:04:00 UTC","$lte":"2025-01-27 12:08:00 UTC"}}"#
        ));
        assert!(!q(r#"{"eventDate":{"$lt":"2025-01-27 12:05:00 UTC"}}"#));
        assert!(q(r#"{"eventDate":{"$lte":"2025-01-27 12:05:00 UTC"}}"#));
        assert!(q(r#"{"message":null}"#));
        assert!(q(r#"{"origin":null}"#));
        assert!(q(r#"{"$or":[{"severity":"INFO"},{"code":{"$gt":1}}]}"#));
        assert!(validate(&json!({"severity": {"$regex": "E"}})).is_err());
        assert!(validate(&json!([1])).is_err());
    }

    #[test]
    fn sort_keeps_key_order() {
        let s = Sort::parse(r#"{"severity":1,"eventDate":-1}"#).unwrap();
        assert_eq!(s.0, vec![("severity".into(), 1), ("eventDate".into(), -1)]);
        assert!(Sort::parse(r#"{"x":2}"#).is_err());
        let a = json!({"severity": "INFO", "eventDate": "2025-01-01 00:00:00 UTC"});
        let b = json!({"severity": "INFO", "eventDate": "2025-01-02 00:00:00 UTC"});
        assert_eq!(s.compare(&a, &b), Ordering::Greater);
    }
}

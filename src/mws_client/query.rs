//! The typed builder for `GET /mws/rest/events`: a [`Filter`] that writes MWS's MongoDB-syntax
//! `query`, and a [`ListQuery`] that adds `sort`, `max` and `offset`.
//!
//! The JSON is written by hand, in the order the conditions were added: serde_json's maps here
//! sort their keys, and `sort` is order-sensitive (`{"severity":1,"eventDate":-1}` is not
//! `{"eventDate":-1,"severity":1}`).

use std::fmt;

use super::date::MwsDate;
use super::encode::{push_encoded, push_json_string};

/// A value a condition compares with: a JSON scalar.
///
/// Objects are left out on purpose: MongoDB matches an embedded object only with its keys in the
/// stored order, which a JSON object cannot promise. Match on its fields with a dotted path instead
/// (`associatedObjects.id`).
#[derive(Debug, Clone, PartialEq)]
pub enum QueryValue {
    /// A JSON string. Dates are strings in MWS's form: build them from an [`MwsDate`].
    Str(String),
    /// A JSON integer (for example `code`).
    Int(i64),
    /// A JSON number that is not an integer; must be finite.
    Float(f64),
    /// `true` or `false`.
    Bool(bool),
    /// `null`: matches a field that is `null` or missing (MongoDB's rule).
    Null,
}

impl QueryValue {
    fn write(&self, out: &mut String) -> Result<(), QueryError> {
        match self {
            QueryValue::Str(s) => push_json_string(out, s),
            QueryValue::Int(i) => out.push_str(&i.to_string()),
            QueryValue::Float(x) if x.is_finite() => {
                out.push_str(&serde_json::to_string(x).expect("a finite float serializes"))
            }
            QueryValue::Float(_) => return Err(QueryError::NonFiniteNumber),
            QueryValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            QueryValue::Null => out.push_str("null"),
        }
        Ok(())
    }
}

impl From<&str> for QueryValue {
    fn from(v: &str) -> Self {
        QueryValue::Str(v.to_owned())
    }
}

impl From<String> for QueryValue {
    fn from(v: String) -> Self {
        QueryValue::Str(v)
    }
}

impl From<&String> for QueryValue {
    fn from(v: &String) -> Self {
        QueryValue::Str(v.clone())
    }
}

impl From<MwsDate> for QueryValue {
    /// The date in MWS's form `yyyy-MM-dd HH:mm:ss UTC`, which MWS compares as a date.
    fn from(v: MwsDate) -> Self {
        QueryValue::Str(v.to_string())
    }
}

impl From<i64> for QueryValue {
    fn from(v: i64) -> Self {
        QueryValue::Int(v)
    }
}

impl From<i32> for QueryValue {
    fn from(v: i32) -> Self {
        QueryValue::Int(v.into())
    }
}

impl From<u32> for QueryValue {
    fn from(v: u32) -> Self {
        QueryValue::Int(v.into())
    }
}

impl From<f64> for QueryValue {
    fn from(v: f64) -> Self {
        QueryValue::Float(v)
    }
}

impl From<bool> for QueryValue {
    fn from(v: bool) -> Self {
        QueryValue::Bool(v)
    }
}

impl<T: Into<QueryValue>> From<Option<T>> for QueryValue {
    fn from(v: Option<T>) -> Self {
        v.map_or(QueryValue::Null, Into::into)
    }
}

/// A comparison operator of a condition on one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Operator {
    /// `$eq`: only written out when the field also has other operators; alone, equality is the
    /// plain `"field": value` of MWS's examples.
    Eq,
    /// `$ne`: not equal (for an array field: no element equal).
    Ne,
    /// `$in`: equal to one of a list.
    In,
    /// `$lt`: less than (dates: before).
    Lt,
    /// `$lte`: less than or equal.
    Lte,
    /// `$gt`: greater than (dates: after).
    Gt,
    /// `$gte`: greater than or equal.
    Gte,
}

impl Operator {
    /// The operator as MongoDB spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Eq => "$eq",
            Operator::Ne => "$ne",
            Operator::In => "$in",
            Operator::Lt => "$lt",
            Operator::Lte => "$lte",
            Operator::Gt => "$gt",
            Operator::Gte => "$gte",
        }
    }
}

/// The operand of one operator: a value, or a list for `$in`.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// One value.
    One(QueryValue),
    /// A list of values (`$in`).
    List(Vec<QueryValue>),
}

impl Operand {
    fn write(&self, out: &mut String) -> Result<(), QueryError> {
        match self {
            Operand::One(v) => v.write(out),
            Operand::List(values) => {
                out.push('[');
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    v.write(out)?;
                }
                out.push(']');
                Ok(())
            }
        }
    }
}

/// Why a query could not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryError {
    /// A field path that is empty, has an empty segment (`a..b`, a leading or trailing dot), a
    /// segment starting with `$` (MongoDB would read an operator) or a control character.
    InvalidField {
        /// The path given.
        field: String,
    },
    /// A float that is NaN or infinite: JSON cannot write it.
    NonFiniteNumber,
    /// `max=0`: MongoDB reads a limit of 0 as "no limit" while other servers return nothing, so
    /// the answer would depend on the server.
    ZeroMax,
    /// An event id that is empty.
    EmptyId,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryError::InvalidField { field } => write!(
                f,
                "{field:?} is not a field path (dot-separated names, none empty or starting with '$')"
            ),
            QueryError::NonFiniteNumber => f.write_str("a query number is NaN or infinite"),
            QueryError::ZeroMax => f.write_str("max must be at least 1"),
            QueryError::EmptyId => f.write_str("the event id is empty"),
        }
    }
}

impl std::error::Error for QueryError {}

/// Checks a field path: dotted names, none empty, none starting with `$`, no control characters.
pub(crate) fn check_field(field: &str) -> Result<(), QueryError> {
    let ok = !field.is_empty()
        && field
            .split('.')
            .all(|s| !s.is_empty() && !s.starts_with('$') && !s.chars().any(char::is_control));
    if ok {
        Ok(())
    } else {
        Err(QueryError::InvalidField {
            field: field.to_owned(),
        })
    }
}

/// The conditions on one field, operators in the order first added.
#[derive(Debug, Clone, PartialEq)]
struct FieldConditions {
    field: String,
    ops: Vec<(Operator, Operand)>,
}

/// MWS's `query`: conditions on fields, all of which must hold.
///
/// ```
/// use infra_events::mws_client::{Filter, MwsDate};
/// let from = MwsDate::parse("2025-01-27 12:04:00 UTC").unwrap();
/// let to = MwsDate::from_unix_ms(1_737_979_680_000).unwrap(); // 2025-01-27 12:08:00 UTC
/// let filter = Filter::new()
///     .eq("severity", "ERROR")
///     .gte("eventDate", from)
///     .lte("eventDate", to);
/// assert_eq!(
///     filter.to_json().unwrap(),
///     r#"{"severity":"ERROR","eventDate":{"$gte":"2025-01-27 12:04:00 UTC","$lte":"2025-01-27 12:08:00 UTC"}}"#
/// );
/// ```
///
/// - Fields are any path, dotted into embedded objects and arrays (`associatedObjects.id` matches
///   when any associated object has that id).
/// - Several operators on one field make a range (`$gte` with `$lte`); fields combine with AND.
/// - The same operator twice on one field keeps the last operand, as a JSON object would.
/// - Fields are written in the order first added, operators likewise.
/// - Errors (a bad field path, a NaN) surface when the JSON is written ([`Filter::to_json`]), so
///   the calls chain.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Filter {
    fields: Vec<FieldConditions>,
}

impl Filter {
    /// A filter that matches every event (`{}`).
    pub fn new() -> Filter {
        Filter::default()
    }

    /// Whether no condition was added.
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Adds `op operand` to `field`, replacing an earlier operand of the same operator there.
    pub fn condition(mut self, field: &str, op: Operator, operand: Operand) -> Filter {
        self.set(field, op, operand);
        self
    }

    pub(crate) fn set(&mut self, field: &str, op: Operator, operand: Operand) {
        let at = match self.fields.iter().position(|c| c.field == field) {
            Some(at) => at,
            None => {
                self.fields.push(FieldConditions {
                    field: field.to_owned(),
                    ops: Vec::new(),
                });
                self.fields.len() - 1
            }
        };
        let ops = &mut self.fields[at].ops;
        match ops.iter_mut().find(|(o, _)| *o == op) {
            Some(slot) => slot.1 = operand,
            None => ops.push((op, operand)),
        }
    }

    /// The operand of `op` on `field`, if set.
    pub fn get(&self, field: &str, op: Operator) -> Option<&Operand> {
        self.fields
            .iter()
            .find(|c| c.field == field)?
            .ops
            .iter()
            .find(|(o, _)| *o == op)
            .map(|(_, v)| v)
    }

    /// Removes `op` from `field` (and the field if it has no operator left); returns its operand.
    pub(crate) fn remove(&mut self, field: &str, op: Operator) -> Option<Operand> {
        let at = self.fields.iter().position(|c| c.field == field)?;
        let ops = &mut self.fields[at].ops;
        let i = ops.iter().position(|(o, _)| *o == op)?;
        let (_, operand) = ops.remove(i);
        if ops.is_empty() {
            self.fields.remove(at);
        }
        Some(operand)
    }

    /// `field` equals `value` (for an array field: some element equals it).
    pub fn eq(self, field: &str, value: impl Into<QueryValue>) -> Filter {
        self.condition(field, Operator::Eq, Operand::One(value.into()))
    }

    /// `$ne`: `field` does not equal `value` (for an array field: no element equals it).
    pub fn ne(self, field: &str, value: impl Into<QueryValue>) -> Filter {
        self.condition(field, Operator::Ne, Operand::One(value.into()))
    }

    /// `$in`: `field` equals one of `values`.
    pub fn is_in<V: Into<QueryValue>>(self, field: &str, values: impl IntoIterator<Item = V>) -> Filter {
        let list = values.into_iter().map(Into::into).collect();
        self.condition(field, Operator::In, Operand::List(list))
    }

    /// `$lt`: `field` is below `value` (for dates: strictly before; pass an [`MwsDate`]).
    pub fn lt(self, field: &str, value: impl Into<QueryValue>) -> Filter {
        self.condition(field, Operator::Lt, Operand::One(value.into()))
    }

    /// `$lte`: `field` is below or equal to `value`.
    pub fn lte(self, field: &str, value: impl Into<QueryValue>) -> Filter {
        self.condition(field, Operator::Lte, Operand::One(value.into()))
    }

    /// `$gt`: `field` is above `value` (for dates: strictly after).
    pub fn gt(self, field: &str, value: impl Into<QueryValue>) -> Filter {
        self.condition(field, Operator::Gt, Operand::One(value.into()))
    }

    /// `$gte`: `field` is above or equal to `value`.
    pub fn gte(self, field: &str, value: impl Into<QueryValue>) -> Filter {
        self.condition(field, Operator::Gte, Operand::One(value.into()))
    }

    /// The `query` JSON, such as `{"severity":"ERROR","associatedObjects.id":{"$ne":"vm1"}}`.
    pub fn to_json(&self) -> Result<String, QueryError> {
        let mut out = String::from("{");
        for (i, c) in self.fields.iter().enumerate() {
            check_field(&c.field)?;
            if i > 0 {
                out.push(',');
            }
            push_json_string(&mut out, &c.field);
            out.push(':');
            match c.ops.as_slice() {
                // Plain equality, the form of MWS's own examples.
                [(Operator::Eq, operand)] => operand.write(&mut out)?,
                ops => {
                    out.push('{');
                    for (j, (op, operand)) in ops.iter().enumerate() {
                        if j > 0 {
                            out.push(',');
                        }
                        push_json_string(&mut out, op.as_str());
                        out.push(':');
                        operand.write(&mut out)?;
                    }
                    out.push('}');
                }
            }
        }
        out.push('}');
        Ok(out)
    }
}

/// A sort direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SortOrder {
    /// `1`: smallest (oldest) first.
    Ascending,
    /// `-1`: largest (newest) first.
    Descending,
}

/// One list request: filter, sort keys in order, page size and start.
///
/// ```
/// use infra_events::mws_client::{Filter, ListQuery};
/// let q = ListQuery::new(Filter::new().eq("eventType", "VM Provision"))
///     .sort_desc("eventDate")
///     .max(10)
///     .offset(50);
/// assert_eq!(
///     q.path_and_query().unwrap(),
///     "/mws/rest/events?api-version=3&query=%7B%22eventType%22%3A%22VM%20Provision%22%7D\
///      &sort=%7B%22eventDate%22%3A-1%7D&max=10&offset=50"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ListQuery {
    /// The conditions (`query`); none: every event.
    pub filter: Filter,
    /// Sort keys, the first deciding first (`sort`); none: the server's order.
    pub sort: Vec<(String, SortOrder)>,
    /// Page size (`max`); none: the server's default (MWS: all).
    pub max: Option<u64>,
    /// Index of the first event returned (`offset`); none: 0.
    pub offset: Option<u64>,
}

/// The path of the events resource, below the base URL.
pub const EVENTS_PATH: &str = "/mws/rest/events";

impl ListQuery {
    /// A query with this filter, no sort and no paging.
    pub fn new(filter: Filter) -> ListQuery {
        ListQuery {
            filter,
            ..ListQuery::default()
        }
    }

    /// Adds a sort key (after the ones already added), or changes the direction of one already
    /// there without moving it.
    pub fn sort(mut self, field: &str, order: SortOrder) -> ListQuery {
        match self.sort.iter_mut().find(|(f, _)| f == field) {
            Some(slot) => slot.1 = order,
            None => self.sort.push((field.to_owned(), order)),
        }
        self
    }

    /// Adds an ascending sort key.
    pub fn sort_asc(self, field: &str) -> ListQuery {
        self.sort(field, SortOrder::Ascending)
    }

    /// Adds a descending sort key.
    pub fn sort_desc(self, field: &str) -> ListQuery {
        self.sort(field, SortOrder::Descending)
    }

    /// Sets the page size (`max`).
    pub fn max(mut self, max: u64) -> ListQuery {
        self.max = Some(max);
        self
    }

    /// Sets the index of the first event returned (`offset`).
    pub fn offset(mut self, offset: u64) -> ListQuery {
        self.offset = Some(offset);
        self
    }

    /// The `sort` JSON, such as `{"eventDate":-1,"id":1}`; `None` without sort keys.
    pub fn sort_json(&self) -> Result<Option<String>, QueryError> {
        if self.sort.is_empty() {
            return Ok(None);
        }
        let mut out = String::from("{");
        for (i, (field, order)) in self.sort.iter().enumerate() {
            check_field(field)?;
            if i > 0 {
                out.push(',');
            }
            push_json_string(&mut out, field);
            out.push_str(match order {
                SortOrder::Ascending => ":1",
                SortOrder::Descending => ":-1",
            });
        }
        out.push('}');
        Ok(Some(out))
    }

    /// `/mws/rest/events?api-version=3[&query=…][&sort=…][&max=…][&offset=…]`, every value
    /// percent-encoded. An empty filter sends no `query`.
    pub fn path_and_query(&self) -> Result<String, QueryError> {
        let mut out = String::from(EVENTS_PATH);
        out.push_str("?api-version=3");
        if !self.filter.is_empty() {
            out.push_str("&query=");
            push_encoded(&mut out, &self.filter.to_json()?);
        }
        if let Some(sort) = self.sort_json()? {
            out.push_str("&sort=");
            push_encoded(&mut out, &sort);
        }
        if let Some(max) = self.max {
            if max == 0 {
                return Err(QueryError::ZeroMax);
            }
            out.push_str(&format!("&max={max}"));
        }
        if let Some(offset) = self.offset {
            out.push_str(&format!("&offset={offset}"));
        }
        Ok(out)
    }
}

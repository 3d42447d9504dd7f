//! A tiny JSON builder that keeps keys in the order they were written.
//!
//! The real servers serialize Go structs (fields in declaration order) next to Go maps (keys sorted),
//! and clients may depend on neither, so the simulator reproduces both: `Obj` keeps insertion order,
//! while a `serde_json::Value` object (a BTreeMap here) comes out sorted, like a re-marshalled Go map.
//! (serde_json's `preserve_order` feature is not used: it would change the root crate's `Value` too.)

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value;

/// A JSON value whose objects keep their key order.
#[derive(Debug, Clone)]
pub enum J {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Arr(Vec<J>),
    Obj(Obj),
    /// A plain serde_json value: objects inside it serialize with sorted keys.
    Value(Value),
}

/// An object whose keys serialize in insertion order.
#[derive(Debug, Clone, Default)]
pub struct Obj(pub Vec<(&'static str, J)>);

impl Obj {
    pub fn new() -> Self {
        Obj(Vec::new())
    }

    /// Appends `key: value`.
    pub fn f(mut self, key: &'static str, value: impl Into<J>) -> Self {
        self.0.push((key, value.into()));
        self
    }

    /// Appends `key: value` only when there is a value (Go's `omitempty`).
    pub fn opt<T: Into<J>>(self, key: &'static str, value: Option<T>) -> Self {
        match value {
            Some(v) => self.f(key, v),
            None => self,
        }
    }

    pub fn get(&self, key: &str) -> Option<&J> {
        self.0.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    pub fn set(&mut self, key: &'static str, value: impl Into<J>) {
        let value = value.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an Obj always serializes")
    }
}

impl J {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a J always serializes")
    }

    /// The same value as a plain serde_json value (its objects then serialize sorted).
    pub fn to_value(&self) -> Value {
        match self {
            J::Null => Value::Null,
            J::Bool(b) => Value::Bool(*b),
            J::Int(i) => Value::from(*i),
            J::Float(f) => Value::from(*f),
            J::Str(s) => Value::String(s.clone()),
            J::Arr(items) => Value::Array(items.iter().map(J::to_value).collect()),
            J::Obj(obj) => Value::Object(
                obj.0
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.to_value()))
                    .collect(),
            ),
            J::Value(v) => v.clone(),
        }
    }
}

impl Serialize for Obj {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl Serialize for J {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            J::Null => serializer.serialize_unit(),
            J::Bool(b) => serializer.serialize_bool(*b),
            J::Int(i) => serializer.serialize_i64(*i),
            J::Float(f) => serializer.serialize_f64(*f),
            J::Str(s) => serializer.serialize_str(s),
            J::Arr(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            J::Obj(obj) => obj.serialize(serializer),
            J::Value(v) => v.serialize(serializer),
        }
    }
}

impl From<Obj> for J {
    fn from(o: Obj) -> Self {
        J::Obj(o)
    }
}
impl From<Value> for J {
    fn from(v: Value) -> Self {
        J::Value(v)
    }
}
impl From<&str> for J {
    fn from(s: &str) -> Self {
        J::Str(s.to_owned())
    }
}
impl From<String> for J {
    fn from(s: String) -> Self {
        J::Str(s)
    }
}
impl From<&String> for J {
    fn from(s: &String) -> Self {
        J::Str(s.clone())
    }
}
impl From<bool> for J {
    fn from(b: bool) -> Self {
        J::Bool(b)
    }
}
impl From<i64> for J {
    fn from(i: i64) -> Self {
        J::Int(i)
    }
}
impl From<i32> for J {
    fn from(i: i32) -> Self {
        J::Int(i.into())
    }
}
impl From<u32> for J {
    fn from(i: u32) -> Self {
        J::Int(i.into())
    }
}
impl From<u64> for J {
    fn from(i: u64) -> Self {
        J::Int(i as i64)
    }
}
impl From<usize> for J {
    fn from(i: usize) -> Self {
        J::Int(i as i64)
    }
}
impl From<f64> for J {
    fn from(f: f64) -> Self {
        J::Float(f)
    }
}
impl<T: Into<J>> From<Vec<T>> for J {
    fn from(items: Vec<T>) -> Self {
        J::Arr(items.into_iter().map(Into::into).collect())
    }
}
impl<T: Into<J>> From<Option<T>> for J {
    fn from(v: Option<T>) -> Self {
        v.map_or(J::Null, Into::into)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn obj_keeps_insertion_order_and_value_objects_sort() {
        let inner = serde_json::json!({"b": 1, "a": 2});
        let o = Obj::new()
            .f("z", 1)
            .f("a", "x")
            .opt("skip", None::<i64>)
            .f("m", inner);
        assert_eq!(o.to_json(), r#"{"z":1,"a":"x","m":{"a":2,"b":1}}"#);
    }
}

//! JSON parsed strictly: a repeated key at any depth is refused (serde_json's `Value` keeps the
//! last one silently, a parser-differential trick), and nesting is capped.

use std::cell::RefCell;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::StixError;

/// The deepest nesting accepted inside one object (Muninn's security reference: at most 64).
pub const MAX_DEPTH: usize = 64;

/// Parses one JSON text into a `Value`, refusing duplicate keys and nesting over [`MAX_DEPTH`].
pub(crate) fn parse(text: &str) -> Result<Value, StixError> {
    let problem = RefCell::new(None);
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = StrictSeed { depth: 0, problem: &problem }.deserialize(&mut deserializer);
    let value = match parsed {
        Ok(value) => value,
        Err(error) => {
            return Err(problem.into_inner().unwrap_or_else(|| StixError::Malformed(error.to_string())));
        }
    };
    deserializer.end().map_err(|error| StixError::Malformed(error.to_string()))?;
    Ok(value)
}

struct StrictSeed<'a> {
    depth: usize,
    problem: &'a RefCell<Option<StixError>>,
}

impl<'de> DeserializeSeed<'de> for StrictSeed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl StrictSeed<'_> {
    fn fail<E: serde::de::Error>(&self, problem: StixError) -> E {
        let message = problem.to_string();
        *self.problem.borrow_mut() = Some(problem);
        E::custom(message)
    }

    fn nested(&self) -> Result<StrictSeed<'_>, StixError> {
        if self.depth >= MAX_DEPTH {
            return Err(StixError::TooDeep { limit: MAX_DEPTH });
        }
        Ok(StrictSeed { depth: self.depth + 1, problem: self.problem })
    }
}

impl<'de> Visitor<'de> for StrictSeed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Value::from(value))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let seed = self.nested().map_err(|problem| self.fail(problem))?;
        let mut items = Vec::new();
        while let Some(item) =
            access.next_element_seed(StrictSeed { depth: seed.depth, problem: seed.problem })?
        {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let seed = self.nested().map_err(|problem| self.fail(problem))?;
        let mut map = Map::new();
        while let Some(key) = access.next_key::<String>()? {
            if map.contains_key(&key) {
                return Err(self.fail(StixError::DuplicateKey(crate::error::quote(&key))));
            }
            let value = access.next_value_seed(StrictSeed { depth: seed.depth, problem: seed.problem })?;
            map.insert(key, value);
        }
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_duplicate_keys_at_any_depth_and_deep_nesting() {
        assert!(parse(r#"{"a": {"b": [1, {"c": 2}]}}"#).is_ok());
        assert_eq!(parse(r#"{"id": 1, "id": 2}"#), Err(StixError::DuplicateKey("id".to_owned())));
        assert_eq!(parse(r#"{"a": [{"x": 1, "x": 1}]}"#), Err(StixError::DuplicateKey("x".to_owned())));
        let deep = format!("{}{}", "[".repeat(65), "]".repeat(65));
        assert_eq!(parse(&deep), Err(StixError::TooDeep { limit: MAX_DEPTH }));
        let very_deep = "[".repeat(100_000);
        assert!(parse(&very_deep).is_err());
        assert!(matches!(parse(r#"{"a": 1} x"#), Err(StixError::Malformed(_))));
    }
}

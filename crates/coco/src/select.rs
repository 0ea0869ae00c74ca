//! Selecting images by their fields: `KEY=V1,V2` keeps images whose field `KEY` is one of the
//! values (`--where` of `armscan eval`, `--tip-threats-where` and
//! `--tip-bags-where` of `armscan synth`).

use serde_json::{Map, Value};

use crate::CocoError;

/// One clause `KEY=V1,V2`: keep images whose field `KEY` is one of the values.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct WhereClause {
    pub key: String,
    pub values: Vec<String>,
}

impl WhereClause {
    /// A clause `key ∈ values`.
    #[must_use]
    pub fn new(key: impl Into<String>, values: Vec<String>) -> Self {
        Self {
            key: key.into(),
            values,
        }
    }

    /// Parses `KEY=V1,V2,...` (key and values trimmed, empty values dropped).
    ///
    /// # Errors
    /// [`CocoError::BadWhere`] when there is no `=`, the key is empty or no value is given.
    pub fn parse(text: &str) -> Result<Self, CocoError> {
        let bad = || CocoError::BadWhere(text.to_owned());
        let (key, values) = text.split_once('=').ok_or_else(bad)?;
        let key = key.trim();
        let values: Vec<String> = values
            .split(',')
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .collect();
        if key.is_empty() || values.is_empty() {
            return Err(bad());
        }
        Ok(Self {
            key: key.to_owned(),
            values,
        })
    }

    /// True when the image's field is one of the values: strings as they are, numbers and
    /// booleans as JSON writes them. An image without the field (or with `null`, an array or an
    /// object there) is not kept.
    #[must_use]
    pub fn keeps(&self, image: &Map<String, Value>) -> bool {
        let text = match image.get(&self.key) {
            Some(Value::String(s)) => s.clone(),
            Some(v @ (Value::Number(_) | Value::Bool(_))) => v.to_string(),
            _ => return false,
        };
        self.values.contains(&text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_keeps() {
        let w = WhereClause::parse(" series = B0079, 7 ,").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            w,
            WhereClause::new("series", vec!["B0079".into(), "7".into()])
        );
        let im = |v: Value| Map::from_iter([("series".to_owned(), v)]);
        assert!(w.keeps(&im(Value::from("B0079"))));
        assert!(w.keeps(&im(Value::from(7))));
        assert!(!w.keeps(&im(Value::from("B0001"))));
        assert!(!w.keeps(&im(Value::Null)));
        assert!(!w.keeps(&Map::new()));
        for bad in ["series", "=a", "a=", "a=,"] {
            assert!(
                matches!(WhereClause::parse(bad), Err(CocoError::BadWhere(_))),
                "{bad}"
            );
        }
    }
}

//! JSON Schema of `pack.yaml` and suite files (`ekscheck schema`), for editors: completion and
//! errors as one types, through the `yaml-language-server` modeline.
//!
//! The keys of every object are the loader's own: read from the serde types of `raw.rs`
//! (the `fields` their derived `Deserialize` asks for), so a key the loader accepts cannot be
//! missing here. Each key's type is given below (a predicate's, in the keyword table); a key
//! without one makes [`schema`] fail, and its test with it.

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};
use serde_json::{Map, Value, json};

use super::keyword::Keyword;
use super::raw::{self, Severity, VarKind};

/// The files a schema is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaKind {
    /// `pack.yaml`.
    Pack,
    /// A suite file.
    Suite,
}

impl SchemaKind {
    /// Both kinds, with the names `ekscheck schema` takes and the file names they are kept in.
    pub const ALL: [(SchemaKind, &'static str); 2] =
        [(SchemaKind::Pack, "pack"), (SchemaKind::Suite, "suite")];
}

/// The JSON Schema of `kind`, or the keys of the loader that have no type here.
pub fn schema(kind: SchemaKind) -> Result<Value, Vec<String>> {
    let mut untyped = Vec::new();
    let mut object = |name: &str, keys: &'static [&'static str], required: &[&str]| {
        let mut properties = Map::new();
        for key in keys {
            match value_type(name, key) {
                Some(schema) => {
                    properties.insert((*key).to_owned(), schema);
                }
                None => untyped.push(format!("{name}.{key}")),
            }
        }
        json!({
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": false,
        })
    };
    let definitions = json!({
        "var": object("var", keys_of::<raw::VarDecl>(), &[]),
        "call": object("call", keys_of::<raw::Call>(), &[]),
        "for_each": object("for_each", keys_of::<raw::ForEach>(), &["in", "path", "as"]),
        "check": object("check", keys_of::<raw::Check>(), &["id", "title"]),
        "assertion": object("assertion", keys_of::<raw::Assertion>(), &[]),
        "requirement": object("requirement", keys_of::<raw::Requirement>(), &["pack"]),
    });
    let (title, root) = match kind {
        SchemaKind::Pack => (
            "ekscheck pack.yaml",
            object("pack", keys_of::<raw::Manifest>(), &["pack", "version"]),
        ),
        SchemaKind::Suite => (
            "ekscheck suite file",
            object("suite", keys_of::<raw::Suite>(), &[]),
        ),
    };
    if !untyped.is_empty() {
        return Err(untyped);
    }
    let mut schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": title,
        "description": "The check format of ekscheck, version 1: docs/check-format.md",
        "$defs": definitions,
    });
    if let (Value::Object(schema), Value::Object(root)) = (&mut schema, root) {
        schema.extend(root);
    }
    Ok(schema)
}

fn reference(definition: &str) -> Value {
    json!({ "$ref": format!("#/$defs/{definition}") })
}

fn entries(definition: &str) -> Value {
    json!({ "type": ["object", "null"], "additionalProperties": reference(definition) })
}

fn list_of(item: Value) -> Value {
    let mut list = json!({ "type": "array" });
    list["items"] = item;
    list
}

fn one_of_text(values: &[&str]) -> Value {
    json!({ "enum": values })
}

/// The type of `key` in object `name`.
fn value_type(name: &str, key: &str) -> Option<Value> {
    let text = || json!({ "type": "string" });
    let severity = || one_of_text(&Severity::ALL.map(Severity::name));
    let any = || json!({});
    Some(match (name, key) {
        ("pack", "pack" | "version" | "description" | "ekscheck") => text(),
        ("pack", "format") => json!({ "const": super::FORMAT }),
        ("pack" | "suite", "calls") => entries("call"),
        ("pack", "vars") => entries("var"),
        ("pack", "requires") => list_of(reference("requirement")),
        ("requirement", "pack" | "path" | "git" | "tarball" | "subdir" | "version" | "ref") => {
            text()
        }
        ("suite", "suite" | "description") => text(),
        ("suite", "checks") => list_of(reference("check")),
        ("var", "required") => json!({ "type": "boolean" }),
        ("var", "default") => any(),
        ("var", "description") => text(),
        ("var", "type") => one_of_text(&VarKind::ALL.map(VarKind::name)),
        ("var", "from") => one_of_text(&["region"]),
        ("call", "when") => list_of(reference("assertion")),
        ("call", "api" | "label") => text(),
        ("call", "value") => any(),
        ("call", "params") => json!({ "type": "object" }),
        ("call", "for_each") => reference("for_each"),
        ("call", "accept_errors") => list_of(text()),
        ("for_each", "in" | "path" | "as" | "label") => text(),
        ("for_each", "unique" | "gather") => json!({ "type": "boolean" }),
        ("check", "id" | "title" | "description" | "remediation" | "on") => text(),
        ("check", "severity") => severity(),
        ("check", "expect" | "when") => list_of(reference("assertion")),
        ("check", "needs" | "cross_checks") => list_of(text()),
        ("assertion", "on" | "path") => text(),
        ("assertion", "severity") => severity(),
        ("assertion", predicate) => {
            // A keyword whose schema is not JSON counts as untyped.
            serde_json::from_str(Keyword::named(predicate)?.schema()).ok()?
        }
        _ => return None,
    })
}

/// The keys serde reads for `T`: the `fields` its derived `Deserialize` asks for.
fn keys_of<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    let mut introspect = Introspect(&[]);
    let _ = T::deserialize(&mut introspect);
    introspect.0
}

/// A deserializer that only notes the fields of the struct asked for.
struct Introspect(&'static [&'static str]);

impl<'de> Deserializer<'de> for &mut Introspect {
    type Error = de::value::Error;

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0 = fields;
        Err(de::Error::custom("fields noted"))
    }

    fn deserialize_any<V: Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
        Err(de::Error::custom("not a struct"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_the_loader_reads_has_a_type() {
        for (kind, name) in SchemaKind::ALL {
            if let Err(untyped) = schema(kind) {
                panic!("the {name} schema lacks a type for {untyped:?}");
            }
        }
    }

    #[test]
    fn the_keys_are_the_loaders() {
        let suite = schema(SchemaKind::Suite).expect("a schema");
        let keys = |definition: &Value| -> Vec<String> {
            let properties = definition["properties"].as_object().expect("properties");
            properties.keys().cloned().collect()
        };
        assert_eq!(keys(&suite), ["suite", "description", "calls", "checks"]);
        let predicates: Vec<String> = keys(&suite["$defs"]["assertion"])
            .into_iter()
            .filter(|key| !["on", "path", "severity"].contains(&key.as_str()))
            .collect();
        assert_eq!(predicates, Keyword::ALL.map(Keyword::name));
        assert_eq!(suite["$defs"]["check"]["additionalProperties"], false);
        let pack = schema(SchemaKind::Pack).expect("a schema");
        assert!(keys(&pack).contains(&"ekscheck".to_owned()));
        assert_eq!(pack["required"], json!(["pack", "version"]));
    }
}

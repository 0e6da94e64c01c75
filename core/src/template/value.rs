//! JSON values whose strings may be templates: call `params` and predicate operands.

use serde_json::{Map, Value};

use crate::diagnostic::Location;

use super::{RenderFailure, Scope, Template, TemplateError, has_expressions};

/// A JSON value in which any string may be a template.
#[derive(Clone, Debug)]
pub(crate) enum TemplatedValue {
    /// No templates anywhere below: used as is.
    Literal(Value),
    /// A string with at least one `{{ … }}`.
    Template(Template),
    /// A list with a template somewhere below.
    List(Vec<TemplatedValue>),
    /// A mapping with a template somewhere below.
    Map(Vec<(String, TemplatedValue)>),
}

impl TemplatedValue {
    /// Compiles every template string in `value`; on error, returns the JSON pointer-like steps
    /// to the offending string with the error.
    pub(crate) fn compile(value: &Value) -> Result<Self, (Vec<String>, TemplateError)> {
        match value {
            Value::String(source) if has_expressions(source) => Template::parse(source)
                .map(TemplatedValue::Template)
                .map_err(|error| (Vec::new(), error)),
            Value::Array(items) if contains_template(value) => items
                .iter()
                .enumerate()
                .map(|(index, item)| {
                    Self::compile(item).map_err(|(mut steps, error)| {
                        steps.insert(0, index.to_string());
                        (steps, error)
                    })
                })
                .collect::<Result<_, _>>()
                .map(TemplatedValue::List),
            Value::Object(entries) if contains_template(value) => entries
                .iter()
                .map(|(key, item)| {
                    Self::compile(item)
                        .map(|compiled| (key.clone(), compiled))
                        .map_err(|(mut steps, error)| {
                            steps.insert(0, key.clone());
                            (steps, error)
                        })
                })
                .collect::<Result<_, _>>()
                .map(TemplatedValue::Map),
            other => Ok(TemplatedValue::Literal(other.clone())),
        }
    }

    /// The value with every template rendered (whole expressions keep their JSON type).
    pub(crate) fn render(&self, scope: &dyn Scope) -> Result<Value, RenderFailure> {
        Ok(match self {
            TemplatedValue::Literal(value) => value.clone(),
            TemplatedValue::Template(template) => template.render_value(scope)?,
            TemplatedValue::List(items) => Value::Array(
                items
                    .iter()
                    .map(|item| item.render(scope))
                    .collect::<Result<_, _>>()?,
            ),
            TemplatedValue::Map(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(key, item)| Ok((key.clone(), item.render(scope)?)))
                    .collect::<Result<Map<_, _>, _>>()?,
            ),
        })
    }

    /// Records where each template is written; `locate` maps the steps to a template (member
    /// names and list indexes) to its location.
    pub(crate) fn set_locations(&mut self, locate: &dyn Fn(&[String]) -> Location) {
        fn walk(
            value: &mut TemplatedValue,
            steps: &mut Vec<String>,
            locate: &dyn Fn(&[String]) -> Location,
        ) {
            match value {
                TemplatedValue::Literal(_) => {}
                TemplatedValue::Template(template) => template.set_location(locate(steps)),
                TemplatedValue::List(items) => {
                    for (index, item) in items.iter_mut().enumerate() {
                        steps.push(index.to_string());
                        walk(item, steps, locate);
                        steps.pop();
                    }
                }
                TemplatedValue::Map(entries) => {
                    for (key, item) in entries {
                        steps.push(key.clone());
                        walk(item, steps, locate);
                        steps.pop();
                    }
                }
            }
        }
        walk(self, &mut Vec::new(), locate);
    }

    /// The literal value, when there is no template in it.
    pub(crate) fn as_literal(&self) -> Option<&Value> {
        match self {
            TemplatedValue::Literal(value) => Some(value),
            _ => None,
        }
    }

    /// Every template inside, with the steps leading to it.
    pub(crate) fn templates(&self) -> Vec<(Vec<String>, &Template)> {
        let mut found = Vec::new();
        self.collect(&mut Vec::new(), &mut found);
        found
    }

    fn collect<'a>(
        &'a self,
        steps: &mut Vec<String>,
        found: &mut Vec<(Vec<String>, &'a Template)>,
    ) {
        match self {
            TemplatedValue::Literal(_) => {}
            TemplatedValue::Template(template) => found.push((steps.clone(), template)),
            TemplatedValue::List(items) => {
                for (index, item) in items.iter().enumerate() {
                    steps.push(index.to_string());
                    item.collect(steps, found);
                    steps.pop();
                }
            }
            TemplatedValue::Map(entries) => {
                for (key, item) in entries {
                    steps.push(key.clone());
                    item.collect(steps, found);
                    steps.pop();
                }
            }
        }
    }
}

fn contains_template(value: &Value) -> bool {
    match value {
        Value::String(s) => has_expressions(s),
        Value::Array(items) => items.iter().any(contains_template),
        Value::Object(entries) => entries.values().any(contains_template),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn renders_nested_templates_keeping_types() {
        let value =
            json!({"Filters": [{"Name": "vpc-id", "Values": ["{{vpc}}"]}], "Ids": "{{ids}}"});
        let compiled = TemplatedValue::compile(&value).unwrap();
        let scope = json!({"vpc": "vpc-1", "ids": ["a", "b"]})
            .as_object()
            .unwrap()
            .clone();
        assert_eq!(
            compiled.render(&scope).unwrap(),
            json!({"Filters": [{"Name": "vpc-id", "Values": ["vpc-1"]}], "Ids": ["a", "b"]})
        );
        assert_eq!(compiled.templates().len(), 2);
        assert_eq!(compiled.templates()[0].0, ["Filters", "0", "Values", "0"]);
    }

    #[test]
    fn reports_where_a_bad_template_is() {
        let (steps, _) = TemplatedValue::compile(&json!({"a": ["ok", "{{> p}}"]})).unwrap_err();
        assert_eq!(steps, ["a", "1"]);
    }
}

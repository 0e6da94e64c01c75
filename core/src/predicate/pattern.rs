//! `matches`: a regular expression on a string value.

use regex::Regex;

use super::{Subject, Tested, mismatch};
use crate::template::{Scope, Template, TemplatedValue};

/// A regular expression, compiled at load time unless it is a template.
#[derive(Clone, Debug)]
pub struct Pattern {
    source: String,
    compiled: Compiled,
}

#[derive(Clone, Debug)]
enum Compiled {
    Fixed(Regex),
    Templated(TemplatedValue),
}

impl Pattern {
    /// Compiles a pattern; a template is compiled each time it is rendered.
    pub fn new(source: &str) -> Result<Self, String> {
        let compiled = if source.contains("{{") {
            let template = Template::parse(source).map_err(|error| error.message)?;
            Compiled::Templated(TemplatedValue::Template(template))
        } else {
            Compiled::Fixed(Regex::new(source).map_err(|error| error.to_string())?)
        };
        Ok(Self {
            source: source.to_owned(),
            compiled,
        })
    }

    /// The pattern as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The pattern as the row sees it: rendered when it is a template (as written when it cannot
    /// be rendered).
    pub(super) fn describe(&self, scope: &dyn Scope) -> String {
        match &self.compiled {
            Compiled::Templated(template) => template
                .render(scope)
                .map(|rendered| crate::json::display(&rendered))
                .unwrap_or_else(|_| self.source.clone()),
            Compiled::Fixed(_) => self.source.clone(),
        }
    }

    pub(super) fn operands(&self) -> Vec<&TemplatedValue> {
        match &self.compiled {
            Compiled::Fixed(_) => Vec::new(),
            Compiled::Templated(value) => vec![value],
        }
    }

    pub(super) fn test(&self, subject: &Subject, scope: &dyn Scope) -> Tested {
        let text = match subject {
            Subject::Absent => return Ok(false.into()),
            Subject::Value(serde_json::Value::String(text)) => text,
            other => {
                return Err(mismatch(
                    "matches",
                    "a string (use `all: {matches: …}` for a list)",
                    other,
                ));
            }
        };
        let holds = match &self.compiled {
            Compiled::Fixed(regex) => regex.is_match(text),
            Compiled::Templated(template) => {
                let rendered = template.render(scope)?;
                let source = crate::json::display(&rendered);
                let regex =
                    Regex::new(&source).map_err(|error| super::Undecided::InvalidOperand {
                        predicate: "matches",
                        problem: format!("the rendered pattern `{source}` is invalid: {error}"),
                    })?;
                regex.is_match(text)
            }
        };
        Ok(holds.into())
    }
}

//! Rendering a compiled template against a scope: plain paths looked up directly, the rest
//! through handlebars (strict, unescaped, or escaped for a JSONPath literal), and a failure that
//! names the absent value.

use std::fmt::Write as _;
use std::sync::LazyLock;

use handlebars::{Context, Handlebars, RenderContext, Renderable, StringOutput};
use serde_json::{Map, Value};

use super::compile::{Body, Piece};
use super::{RenderCause, RenderFailure, Scope, Template, helpers};

/// The registry used for every template: strict, no HTML escaping, ekscheck's helpers.
static PLAIN: LazyLock<Handlebars<'static>> = LazyLock::new(|| registry(handlebars::no_escape));

/// The registry used for templates inside JSONPath string literals: interpolated values are
/// escaped so that they cannot end the literal they are written in.
static JSONPATH_LITERAL: LazyLock<Handlebars<'static>> =
    LazyLock::new(|| registry(escape_jsonpath_literal));

fn registry(escape: fn(&str) -> String) -> Handlebars<'static> {
    let mut registry = Handlebars::new();
    registry.set_strict_mode(true);
    registry.register_escape_fn(escape);
    helpers::register(&mut registry);
    registry
}

/// Escapes a value for use inside a single- or double-quoted JSONPath string literal. Quotes
/// become `\u0027` and `\u0022`: RFC 9535 allows `\'` only between single quotes and `\"` only
/// between double quotes, but `\uXXXX` in both.
pub(crate) fn escape_jsonpath_literal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if c < ' ' || c == '\'' || c == '"' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

/// Why handlebars could not render, in a pack author's words: a helper's argument of the wrong
/// type names the helper and the type it takes.
fn plain_reason(reason: &handlebars::RenderErrorReason) -> String {
    use handlebars::RenderErrorReason as Reason;
    let words = |rust: &str| match rust {
        "str" | "String" => "text",
        "u64" | "i64" | "usize" => "a whole number",
        "f64" => "a number",
        "bool" => "`true` or `false`",
        "array" | "Vec" => "a list",
        "object" | "Map" => "an object",
        _ => "another type",
    };
    match reason {
        Reason::ParamTypeMismatchForName(helper, name, rust) => {
            format!(
                "`{helper}` takes {} as its argument `{name}`, but was given another type",
                words(rust)
            )
        }
        Reason::ParamNotFoundForIndex(helper, index) => {
            format!("`{helper}` was given no argument {}", index + 1)
        }
        Reason::ParamNotFoundForName(helper, name) => {
            format!("`{helper}` was given no argument `{name}`")
        }
        Reason::InvalidParamType(rust) => format!("an argument must be {}", words(rust)),
        Reason::NestedError(error) => error.to_string(),
        other => other.to_string(),
    }
}

impl Template {
    /// Renders to a JSON value: typed for a whole expression, a string otherwise.
    pub(crate) fn render_value(&self, scope: &dyn Scope) -> Result<Value, RenderFailure> {
        match &self.body {
            Body::Literal => Ok(Value::String(self.source.clone())),
            Body::WholePath(path) => self.lookup(path, scope).cloned(),
            Body::Simple(pieces) => self
                .concatenate(pieces, scope, &|s| s.to_owned())
                .map(Value::String),
            Body::Text(compiled) => self.run(&PLAIN, compiled, scope).map(Value::String),
            Body::Whole(compiled) => {
                let json = self.run(&PLAIN, compiled, scope)?;
                serde_json::from_str(&json)
                    .map_err(|error| self.failure(RenderCause::Other(error.to_string())))
            }
        }
    }

    /// Renders to text; a whole expression that is not a string is written as JSON.
    pub(crate) fn render_string(&self, scope: &dyn Scope) -> Result<String, RenderFailure> {
        Ok(crate::json::display(&self.render_value(scope)?))
    }

    /// Renders for a JSONPath query: interpolated values are escaped for string literals.
    pub(crate) fn render_in_jsonpath(&self, scope: &dyn Scope) -> Result<String, RenderFailure> {
        match &self.body {
            Body::Literal => Ok(self.source.clone()),
            Body::Simple(pieces) => self.concatenate(pieces, scope, &escape_jsonpath_literal),
            Body::Text(compiled) => self.run(&JSONPATH_LITERAL, compiled, scope),
            Body::Whole(_) | Body::WholePath(_) => self
                .render_string(scope)
                .map(|s| escape_jsonpath_literal(&s)),
        }
    }

    /// The value at a plain path such as `vars.cluster`; undefined is an error (strict mode).
    fn lookup<'s>(
        &self,
        path: &[String],
        scope: &'s dyn Scope,
    ) -> Result<&'s Value, RenderFailure> {
        resolve(path, scope).map_err(|present| {
            self.failure(RenderCause::Absent {
                path: path.to_vec(),
                present,
            })
        })
    }

    fn concatenate(
        &self,
        pieces: &[Piece],
        scope: &dyn Scope,
        escape: &dyn Fn(&str) -> String,
    ) -> Result<String, RenderFailure> {
        let mut out = String::with_capacity(self.source.len());
        for piece in pieces {
            match piece {
                Piece::Text(text) => out.push_str(text),
                Piece::Path(path) => match self.lookup(path, scope)? {
                    Value::Null => {}
                    Value::String(text) => out.push_str(&escape(text)),
                    other => out.push_str(&escape(&other.to_string())),
                },
            }
        }
        Ok(out)
    }

    fn run(
        &self,
        registry: &Handlebars<'static>,
        compiled: &handlebars::Template,
        scope: &dyn Scope,
    ) -> Result<String, RenderFailure> {
        let mut data = Map::new();
        for name in &self.names {
            if let Some(value) = scope.get(&name.root) {
                data.entry(name.root.clone())
                    .or_insert_with(|| value.clone());
            }
        }
        let context = Context::from(Value::Object(data));
        let mut render_context = RenderContext::new(None);
        let mut out = StringOutput::new();
        compiled
            .render(registry, &context, &mut render_context, &mut out)
            .map_err(|error| self.failure(self.cause_of(&error, scope)))?;
        out.into_string()
            .map_err(|error| self.failure(RenderCause::Other(error.to_string())))
    }

    /// Why handlebars could not render: the absent value it names, else the first value the
    /// template needs that is absent, else handlebars' own words.
    fn cause_of(&self, error: &handlebars::RenderError, scope: &dyn Scope) -> RenderCause {
        let named = match error.reason() {
            handlebars::RenderErrorReason::MissingVariable(Some(path)) => {
                Some(split_path(path.trim_start_matches("@root.")))
            }
            _ => None,
        };
        named
            .into_iter()
            .chain(self.paths.iter().cloned())
            .find_map(|path| match resolve(&path, scope) {
                Ok(_) => None,
                Err(present) => Some(RenderCause::Absent { path, present }),
            })
            .unwrap_or_else(|| RenderCause::Other(plain_reason(error.reason())))
    }

    fn failure(&self, cause: RenderCause) -> RenderFailure {
        RenderFailure {
            template: self.source.clone(),
            location: self.location.clone(),
            cause,
        }
    }

    /// A failure of this template that is not the template engine's: a rendered path that is
    /// not valid, say.
    pub(crate) fn failure_of(&self, cause: RenderCause) -> RenderFailure {
        self.failure(cause)
    }
}

/// The value at `path` in `scope`, or how many leading segments resolve when it is absent.
fn resolve<'s>(path: &[String], scope: &'s dyn Scope) -> Result<&'s Value, usize> {
    let (root, members) = path.split_first().ok_or(0usize)?;
    let mut value = scope.get(root).ok_or(0usize)?;
    for (depth, member) in members.iter().enumerate() {
        value = match value {
            Value::Object(entries) => entries.get(member),
            Value::Array(items) => member.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        }
        .ok_or(depth + 1)?;
    }
    Ok(value)
}

/// `a.b.[0]`, `a/b` → `["a", "b", "0"]`.
pub(super) fn split_path(raw: &str) -> Vec<String> {
    raw.split(['.', '/'])
        .map(|segment| segment.trim_matches(['[', ']']).to_owned())
        .filter(|segment| !segment.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn scope() -> Map<String, Value> {
        json!({
            "vars": {"cluster": "demo", "min": 5},
            "nodegroup": {"nodegroup": {
                "nodeRole": "arn:aws:iam::111122223333:role/dev/node-role",
                "subnets": ["subnet-1", "subnet-2"]
            }},
            "ng": "ng-a"
        })
        .as_object()
        .unwrap()
        .clone()
    }

    /// `source` rendered in [`scope`].
    fn render(source: &str) -> Result<Value, RenderFailure> {
        Template::parse(source).unwrap().render_value(&scope())
    }

    #[test]
    fn literal_strings_are_not_compiled() {
        let template = Template::parse("plain text").unwrap();
        assert!(template.is_literal());
        assert_eq!(
            template.render_value(&scope()).unwrap(),
            json!("plain text")
        );
    }

    #[test]
    fn whole_expression_keeps_json_type() {
        let list = Template::parse("{{nodegroup.nodegroup.subnets}}").unwrap();
        assert_eq!(
            list.render_value(&scope()).unwrap(),
            json!(["subnet-1", "subnet-2"])
        );
        let number = Template::parse("{{ vars.min }}").unwrap();
        assert_eq!(number.render_value(&scope()).unwrap(), json!(5));
        let helper = Template::parse("{{arn_name nodegroup.nodegroup.nodeRole}}").unwrap();
        assert_eq!(helper.render_value(&scope()).unwrap(), json!("node-role"));
    }

    #[test]
    fn mixed_text_renders_to_string() {
        let template = Template::parse("cluster {{vars.cluster}} has {{vars.min}}").unwrap();
        assert_eq!(
            template.render_value(&scope()).unwrap(),
            json!("cluster demo has 5")
        );
    }

    #[test]
    fn strict_mode_rejects_undefined_names() {
        let cause = |path: &[&str], present| RenderCause::Absent {
            path: path.iter().map(|s| s.to_string()).collect(),
            present,
        };
        // The absent value is named, with how much of its path exists, whatever the body shape.
        assert_eq!(
            render("{{vars.nope}}").unwrap_err().cause,
            cause(&["vars", "nope"], 1)
        );
        assert_eq!(
            render("x {{nodegroup.missing}} y").unwrap_err().cause,
            cause(&["nodegroup", "missing"], 1)
        );
        assert_eq!(
            render("{{arn_name nodegroup.nodegroup.role}}")
                .unwrap_err()
                .cause,
            cause(&["nodegroup", "nodegroup", "role"], 2)
        );
        assert_eq!(
            render("{{#each nodegroup.nodegroup.subnets}}{{this}}{{/each}} {{nope.x}}")
                .unwrap_err()
                .cause,
            cause(&["nope", "x"], 0)
        );
        // A condition may be absent: that is not the failure.
        assert_eq!(
            render("{{#if ng.x}}a{{/if}}{{arn_name vars.no}}")
                .unwrap_err()
                .cause,
            cause(&["vars", "no"], 1)
        );
    }

    #[test]
    fn no_html_escaping() {
        let mut scope = scope();
        scope.insert("ng".into(), json!("<a&b>"));
        let template = Template::parse("name: {{ng}}").unwrap();
        assert_eq!(template.render_string(&scope).unwrap(), "name: <a&b>");
    }

    #[test]
    fn default_stands_in_for_absent_values() {
        assert_eq!(render("{{default ng \"x\"}}").unwrap(), json!("ng-a"));
        assert_eq!(
            render("{{default nodegroup.nodegroup.nope \"x\"}}").unwrap(),
            json!("x")
        );
        assert_eq!(
            render("{{default nodegroup.nope.deeper (default vars.min 0)}}").unwrap(),
            json!(5)
        );
        assert_eq!(render("{{from_json \"[1, 2]\"}}").unwrap(), json!([1, 2]));
    }

    #[test]
    fn base64_decode_gives_text_or_null() {
        // `#!/bin/bash` and a line of a script, base64 as EC2 user data holds it.
        assert_eq!(
            render("{{base64_decode \"IyEvYmluL2Jhc2gKZWNobyBoaQo=\"}}").unwrap(),
            json!("#!/bin/bash\necho hi\n")
        );
        assert_eq!(
            render("{{base64_decode \"not base64!\"}}").unwrap(),
            json!(null)
        );
        assert_eq!(render("{{base64_decode 5}}").unwrap(), json!(null));
    }

    #[test]
    fn strip_prefix_keeps_other_text_and_values() {
        assert_eq!(
            render("{{strip_prefix \"https://oidc.eks\" \"https://\"}}").unwrap(),
            json!("oidc.eks")
        );
        assert_eq!(
            render("{{strip_prefix ng \"https://\"}}").unwrap(),
            json!("ng-a")
        );
        assert_eq!(render("{{strip_prefix vars.min \"x\"}}").unwrap(), json!(5));
    }

    #[test]
    fn unique_keeps_the_first_of_equal_elements() {
        let mut scope = scope();
        scope.insert(
            "keys".into(),
            json!(["aws:SourceVpc", "s3:prefix", "aws:SourceVpc"]),
        );
        let render = |source: &str| Template::parse(source).unwrap().render_value(&scope);
        assert_eq!(
            render("{{unique keys}}").unwrap(),
            json!(["aws:SourceVpc", "s3:prefix"])
        );
        assert_eq!(render("{{unique ng}}").unwrap(), json!("ng-a"));
    }

    #[test]
    fn jsonpath_literals_are_escaped() {
        let mut scope = scope();
        scope.insert("ng".into(), json!("it's"));
        let template = Template::parse("$[?@.Name == '{{ng}}']").unwrap();
        assert_eq!(
            template.render_in_jsonpath(&scope).unwrap(),
            "$[?@.Name == 'it\\u0027s']"
        );
    }
}

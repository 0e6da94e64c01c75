//! Templates in check files: handlebars, strict, unescaped, without partials or decorators.
//!
//! A template is compiled once at load time. Walking its syntax tree tells which names it uses
//! (variables, calls, fan-out bindings), which gives call dependencies and undefined-name errors
//! before anything runs. A template that is exactly one `{{ … }}` expression evaluates to the JSON
//! value of that expression, so `"{{nodegroup.nodegroup.subnets}}"` is a list, not a string.

pub(crate) mod helpers;
mod plain;
mod user_data;
mod value;

pub(crate) use user_data::{Inflated, inflate};
pub(crate) use value::TemplatedValue;

/// Whether `text` has template expressions (`{{…}}`): otherwise it is used as written.
pub(crate) fn has_expressions(text: &str) -> bool {
    text.contains("{{")
}

/// The helpers a template may call: ekscheck's own and the handlebars built-ins it keeps.
pub fn helper_names() -> impl Iterator<Item = &'static str> {
    helpers::SIGNATURES.iter().map(|signature| signature.name)
}

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::sync::LazyLock;

use handlebars::template::{HelperTemplate, Parameter, TemplateElement};
use handlebars::{Context, Handlebars, Path, RenderContext, Renderable, StringOutput};
use serde_json::{Map, Value};

use crate::diagnostic::Location;
use crate::query::{self, Query};

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

/// A compiled template string.
#[derive(Clone, Debug)]
pub struct Template {
    source: String,
    body: Body,
    names: Vec<NameUse>,
    /// The paths it reads where a value is required (not `#if`/`#unless` conditions, not inside
    /// `#each`/`#with`), as segments: to say which one is absent when rendering fails.
    paths: Vec<Vec<String>>,
    location: Option<Location>,
}

#[derive(Clone, Debug)]
enum Body {
    /// No `{{`: the source is the value.
    Literal,
    /// Only text and plain paths such as `{{vars.cluster}}`: rendered without handlebars.
    Simple(Vec<Piece>),
    /// Exactly one plain path: its JSON value, looked up without handlebars.
    WholePath(Vec<String>),
    /// Text with expressions: renders to a string.
    Text(handlebars::Template),
    /// Exactly one expression: renders to its JSON value.
    Whole(handlebars::Template),
}

/// A part of a [`Body::Simple`] template.
#[derive(Clone, Debug)]
enum Piece {
    Text(String),
    Path(Vec<String>),
}

/// A root name a template reads, and the member read from it (`vars.cluster` → `vars`,
/// `Some("cluster")`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct NameUse {
    /// The root: `vars`, a call name or a fan-out binding.
    pub(crate) root: String,
    /// The first member after the root, if any.
    pub(crate) member: Option<String>,
}

/// Why a template could not be compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct TemplateError {
    /// What is wrong.
    pub(crate) message: String,
    /// Byte offset inside the template source, when known.
    pub(crate) offset: Option<usize>,
    /// How to fix it.
    pub(crate) help: Option<String>,
}

/// Why a template could not be rendered at run time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RenderFailure {
    /// The template as written.
    pub template: String,
    /// Where it is written, when known.
    pub location: Option<Location>,
    /// What went wrong.
    pub cause: RenderCause,
}

/// What kept a template from rendering.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RenderCause {
    /// A value the template reads is absent for this row: `path` (segments, the first being a
    /// call, a fan-out item or `vars`), of which the first `present` segments have a value.
    Absent {
        /// The path as written, split into segments.
        path: Vec<String>,
        /// How many leading segments resolve.
        present: usize,
    },
    /// A rendered JSONPath query is not valid.
    InvalidPath {
        /// The query as rendered.
        rendered: String,
        /// What is wrong with it.
        problem: String,
    },
    /// Anything else, in the template engine's words (a helper given a value it cannot use).
    Other(String),
}

/// The values a template may read, by root name.
pub(crate) trait Scope {
    /// The value bound to `root` (`vars`, a call's response, a fan-out item).
    fn get(&self, root: &str) -> Option<&Value>;
}

impl Scope for Map<String, Value> {
    fn get(&self, root: &str) -> Option<&Value> {
        Map::get(self, root)
    }
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

/// The first block (`{{#each …}}`) of `source` that is not closed, or closing tag (`{{/if}}`)
/// that closes no open block, as an error at it.
fn unbalanced_block(source: &str) -> Option<TemplateError> {
    // `{{#each vars}}` → ("#", "each"); `{{~/if}}` → ("/", "if").
    let tags = source.match_indices("{{").filter_map(|(offset, _)| {
        let tag = source[offset + 2..].trim_start_matches('~').trim_start();
        let (kind, rest) =
            tag.split_at(tag.chars().next().filter(|c| "#/".contains(*c))?.len_utf8());
        let name = rest
            .split(|c: char| c.is_whitespace() || c == '}' || c == '~')
            .next()
            .unwrap_or_default();
        Some((offset, kind == "#", name))
    });
    let mut open: Vec<(&str, usize)> = Vec::new();
    for (offset, opens, name) in tags {
        if opens {
            open.push((name, offset));
            continue;
        }
        let (message, help, at) = match open.pop() {
            Some((opened, _)) if opened == name => continue,
            Some((opened, at)) => (
                format!("`{{{{#{opened}}}}}` is closed by `{{{{/{name}}}}}`"),
                format!("close it with `{{{{/{opened}}}}}`"),
                at,
            ),
            None => (
                format!("`{{{{/{name}}}}}` closes no block"),
                format!("open the block with `{{{{#{name} …}}}}`, or remove `{{{{/{name}}}}}`"),
                offset,
            ),
        };
        return Some(TemplateError {
            message,
            offset: Some(at),
            help: Some(help),
        });
    }
    open.pop().map(|(name, at)| TemplateError {
        message: format!("`{{{{#{name}}}}}` is not closed"),
        offset: Some(at),
        help: Some(format!("add `{{{{/{name}}}}}` where the block ends")),
    })
}

/// The most `{{…}}` expressions one template may have.
pub(crate) const MAX_EXPRESSIONS: usize = 1_000;

impl Template {
    /// Compiles a template, rejecting partials, decorators and unknown helpers; while a
    /// [`Memo`](crate::memo::Memo) is alive, each distinct source is compiled once.
    pub(crate) fn parse(source: &str) -> Result<Self, TemplateError> {
        crate::memo::remembered(source, Self::compile)
    }

    /// Compiles a template, rejecting partials, decorators and unknown helpers.
    fn compile(source: &str) -> Result<Self, TemplateError> {
        if !has_expressions(source) {
            return Ok(Self {
                source: source.to_owned(),
                body: Body::Literal,
                names: Vec::new(),
                paths: Vec::new(),
                location: None,
            });
        }
        // Compiling takes time quadratic in the number of expressions (handlebars locates each
        // from the start of the text): far more than any real template has is refused.
        let expressions = source.matches("{{").count();
        if expressions > MAX_EXPRESSIONS {
            return Err(TemplateError {
                message: format!(
                    "this template has {expressions} `{{{{…}}}}` expressions, more than the \
                     {MAX_EXPRESSIONS} a template may have"
                ),
                offset: None,
                help: Some("split it, or compute parts of it in calls with `value:`".into()),
            });
        }
        match Self::plain(source) {
            Some(template) => Ok(template),
            None => Self::compile_with_handlebars(source),
        }
    }

    /// A template of text and plain paths, read without handlebars (see [`plain`]).
    fn plain(source: &str) -> Option<Self> {
        let (body, paths) = plain::read(source)?;
        let mut walker = Walker::new(source);
        for path in &paths {
            walker.record_path(&path.join("."), Place::TOP);
        }
        Some(walker.into_template(body))
    }

    /// Compiles a template with handlebars and walks it.
    fn compile_with_handlebars(source: &str) -> Result<Self, TemplateError> {
        let compiled = handlebars::Template::compile(source).map_err(|error| {
            if let Some(unbalanced) = unbalanced_block(source) {
                return unbalanced;
            }
            let offset = error
                .pos()
                .map(|(line, column)| offset_of(source, line, column));
            // The grammar's list of the tokens it expected says nothing to a pack's author.
            let reason = error.reason().to_string();
            let reason = match reason.split_once(": expected ") {
                Some(_) => "this is not a valid `{{…}}` expression".to_owned(),
                None => reason,
            };
            TemplateError {
                message: format!("invalid template: {reason}"),
                offset,
                help: Some("expressions are written `{{name.member}}` or `{{helper arg}}`".into()),
            }
        })?;
        let mut walker = Walker::new(source);
        walker.template(&compiled, false)?;
        let body = match compiled.elements.as_slice() {
            [TemplateElement::Expression(expression)] if plain_path(expression).is_some() => {
                Body::WholePath(plain_path(expression).unwrap_or_default())
            }
            elements if simple_pieces(elements).is_some() => {
                Body::Simple(simple_pieces(elements).unwrap_or_default())
            }
            [TemplateElement::Expression(expression)]
            | [TemplateElement::HtmlExpression(expression)] => {
                Body::Whole(as_json_expression(source, expression)?)
            }
            _ => Body::Text(compiled),
        };
        Ok(walker.into_template(body))
    }

    /// Records where the template is written, for messages about it.
    pub(crate) fn set_location(&mut self, location: Location) {
        self.location = Some(location);
    }

    /// Where the template is written, if known.
    pub(crate) fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// The template as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Whether the template has no expressions at all.
    pub(crate) fn is_literal(&self) -> bool {
        matches!(self.body, Body::Literal)
    }

    /// The root names the template reads.
    pub(crate) fn names(&self) -> &[NameUse] {
        &self.names
    }

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
fn split_path(raw: &str) -> Vec<String> {
    raw.split(['.', '/'])
        .map(|segment| segment.trim_matches(['[', ']']).to_owned())
        .filter(|segment| !segment.is_empty())
        .collect()
}

/// The segments of an expression that is just a plain path (`{{vars.cluster}}`), if it is one.
fn plain_path(expression: &HelperTemplate) -> Option<Vec<String>> {
    if !expression.params.is_empty() || !expression.hash.is_empty() || expression.block {
        return None;
    }
    let raw = match &expression.name {
        Parameter::Name(name) if !helpers::is_helper(name) => name.as_str(),
        Parameter::Path(Path::Relative((_, raw))) => raw.as_str(),
        _ => return None,
    };
    let segments: Vec<String> = raw.split('.').map(str::to_owned).collect();
    let plain = |s: &String| {
        !s.is_empty()
            && s != "this"
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    segments.iter().all(plain).then_some(segments)
}

/// The template as text and plain paths, if that is all it is (no helpers, no blocks, no
/// triple-stash).
fn simple_pieces(elements: &[TemplateElement]) -> Option<Vec<Piece>> {
    elements
        .iter()
        .map(|element| match element {
            TemplateElement::RawString(text) => Some(Piece::Text(text.clone())),
            TemplateElement::Comment(_) => Some(Piece::Text(String::new())),
            TemplateElement::Expression(expression) => plain_path(expression).map(Piece::Path),
            _ => None,
        })
        .collect()
}

/// Rewrites a whole-expression template as `{{json EXPR}}` so its value comes out as JSON.
fn as_json_expression(
    source: &str,
    expression: &HelperTemplate,
) -> Result<handlebars::Template, TemplateError> {
    let trimmed = source.trim();
    let inner = trimmed
        .trim_start_matches('{')
        .trim_end_matches('}')
        .trim_matches('~')
        .trim();
    let wrapped = if expression.params.is_empty() && expression.hash.is_empty() {
        format!("{{{{json {inner}}}}}")
    } else {
        format!("{{{{json ({inner})}}}}")
    };
    handlebars::Template::compile(&wrapped).map_err(|error| TemplateError {
        message: format!("invalid template: {}", error.reason()),
        offset: None,
        help: None,
    })
}

/// Walks a compiled template: collects what it reads (the root names, for dependencies and name
/// checks; the paths whose value it needs, to name the absent one when rendering fails), checks
/// every helper call against the helper's signature, and rejects what a check template may not
/// contain.
struct Walker<'s> {
    source: &'s str,
    names: BTreeSet<NameUse>,
    paths: Vec<Vec<String>>,
}

/// Where in a template an expression is.
#[derive(Clone, Copy)]
struct Place {
    /// Inside `#each` or `#with`, where plain names are members of the item.
    in_item_scope: bool,
    /// A condition of `#if` or `#unless`, which may be absent.
    condition: bool,
    /// Byte offset of the element in the source.
    offset: usize,
}

impl Place {
    /// The top of a template: outside blocks and conditions.
    const TOP: Self = Self {
        in_item_scope: false,
        condition: false,
        offset: 0,
    };
}

impl<'s> Walker<'s> {
    fn new(source: &'s str) -> Self {
        Self {
            source,
            names: BTreeSet::new(),
            paths: Vec::new(),
        }
    }

    /// The template of `body`, reading what this walk found.
    fn into_template(self, body: Body) -> Template {
        Template {
            source: self.source.to_owned(),
            body,
            names: self.names.into_iter().collect(),
            paths: self.paths,
            location: None,
        }
    }

    fn template(
        &mut self,
        template: &handlebars::Template,
        in_item_scope: bool,
    ) -> Result<(), TemplateError> {
        for (index, element) in template.elements.iter().enumerate() {
            let offset = template
                .mapping
                .get(index)
                .map_or(0, |at| offset_of(self.source, at.0, at.1));
            let place = Place {
                in_item_scope,
                condition: false,
                offset,
            };
            self.element(element, place)?;
        }
        Ok(())
    }

    fn element(&mut self, element: &TemplateElement, place: Place) -> Result<(), TemplateError> {
        match element {
            TemplateElement::RawString(_) | TemplateElement::Comment(_) => {}
            TemplateElement::Expression(helper) | TemplateElement::HtmlExpression(helper) => {
                self.expression(helper, place)?;
            }
            TemplateElement::HelperBlock(helper) => {
                let name = helper_name(helper);
                let condition = matches!(name, Some("if" | "unless"));
                self.expression(helper, Place { condition, ..place })?;
                let opens_item_scope = place.in_item_scope || matches!(name, Some("each" | "with"));
                for body in [&helper.template, &helper.inverse].into_iter().flatten() {
                    self.template(body, opens_item_scope)?;
                }
            }
            TemplateElement::PartialExpression(_) | TemplateElement::PartialBlock(_) => {
                return Err(forbidden("partials (`{{> name}}`)", place.offset));
            }
            TemplateElement::DecoratorExpression(_) | TemplateElement::DecoratorBlock(_) => {
                return Err(forbidden("decorators (`{{* name}}`)", place.offset));
            }
            _ => return Err(forbidden("this kind of template element", place.offset)),
        }
        Ok(())
    }

    fn expression(&mut self, helper: &HelperTemplate, place: Place) -> Result<(), TemplateError> {
        let has_arguments = !helper.params.is_empty() || !helper.hash.is_empty() || helper.block;
        // `{{arn_name}}` alone reads as a path: it is still a call of the helper.
        let callee = match &helper.name {
            Parameter::Name(name) => Some(name.as_str()),
            Parameter::Path(Path::Relative((_, raw))) if helpers::is_helper(raw) => {
                Some(raw.as_str())
            }
            _ => None,
        };
        match callee {
            Some(name) if helpers::is_helper(name) => self.call(name, helper, place)?,
            Some(name) if has_arguments => return Err(unknown_helper(name, place.offset)),
            Some(name) => self.record_path(name, place),
            None => self.parameter(&helper.name, place)?,
        }
        for (index, parameter) in helper.params.iter().chain(helper.hash.values()).enumerate() {
            // The value `default` stands in for may be absent.
            let condition = place.condition || (callee == Some("default") && index == 0);
            self.parameter(parameter, Place { condition, ..place })?;
        }
        Ok(())
    }

    /// Checks a call of helper `name` against its signature.
    fn call(
        &mut self,
        name: &str,
        helper: &HelperTemplate,
        place: Place,
    ) -> Result<(), TemplateError> {
        let Some(signature) = helpers::signature_of(name) else {
            return Ok(());
        };
        check_arity(name, signature, helper, place.offset)?;
        for (parameter, &(what, kind)) in helper.params.iter().zip(signature.arguments) {
            let literal = match parameter {
                Parameter::Literal(value) => Some(value),
                _ => None,
            };
            check_argument(name, what, kind, literal, place.offset)?;
        }
        // `lookup vars "NAME"` reads a variable, which must be declared like any other.
        if name == "lookup"
            && let [
                Parameter::Name(root) | Parameter::Path(Path::Relative((_, root))),
                Parameter::Literal(Value::String(key)),
            ] = helper.params.as_slice()
            && root == "vars"
            && !place.in_item_scope
        {
            self.names.insert(NameUse {
                root: "vars".to_owned(),
                member: Some(key.clone()),
            });
        }
        Ok(())
    }

    fn parameter(&mut self, parameter: &Parameter, place: Place) -> Result<(), TemplateError> {
        match parameter {
            Parameter::Name(name) => self.record_path(name, place),
            Parameter::Path(Path::Relative((_, raw))) => self.record_path(raw, place),
            // `@index`, `@key`, `@first`, `@last`: defined by `#each` only.
            Parameter::Path(Path::Local((_, _, raw))) if !place.in_item_scope => {
                return Err(TemplateError {
                    message: format!("`{raw}` is only defined inside `{{{{#each}}}}`"),
                    offset: Some(place.offset),
                    help: Some(
                        "use it between `{{#each LIST}}` and `{{/each}}`, or remove it".into(),
                    ),
                });
            }
            Parameter::Path(_) | Parameter::Literal(_) => {}
            Parameter::Subexpression(subexpression) => {
                self.element(
                    &subexpression.element,
                    Place {
                        condition: false,
                        ..place
                    },
                )?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Records the root of a path such as `vars.cluster`, `nodegroup.nodegroup.subnets`,
    /// `@root.vars.x` or (inside `#each`) `../ng`, and, where its value is required, the path.
    fn record_path(&mut self, raw: &str, place: Place) {
        let mut rest = raw;
        let mut climbed = false;
        while let Some(stripped) = rest.strip_prefix("../") {
            rest = stripped;
            climbed = true;
        }
        if let Some(stripped) = rest
            .strip_prefix("@root.")
            .or_else(|| rest.strip_prefix("@root/"))
        {
            rest = stripped;
            climbed = true;
        }
        if rest.starts_with('@') || rest == "this" || rest.starts_with("this.") || rest.is_empty() {
            return;
        }
        if place.in_item_scope && !climbed {
            return;
        }
        let segments = split_path(rest);
        let Some(root) = segments.first() else {
            return;
        };
        self.names.insert(NameUse {
            root: root.clone(),
            member: segments.get(1).cloned(),
        });
        if !place.condition && !place.in_item_scope && !self.paths.contains(&segments) {
            self.paths.push(segments);
        }
    }
}

/// The error of a helper call at byte `offset` of the template.
fn helper_error(offset: usize, message: String, help: String) -> TemplateError {
    TemplateError {
        message,
        offset: Some(offset),
        help: Some(help),
    }
}

/// Checks that helper `name` is given as many arguments as its `signature` takes, and no named
/// ones.
fn check_arity(
    name: &str,
    signature: &helpers::Signature,
    helper: &HelperTemplate,
    offset: usize,
) -> Result<(), TemplateError> {
    let error = |message: String, help: String| helper_error(offset, message, help);
    let wanted = signature.arguments.len();
    let given = helper.params.len();
    let fits = if signature.repeats {
        given >= wanted
    } else {
        given == wanted
    };
    if !fits || !helper.hash.is_empty() {
        let names: Vec<&str> = signature.arguments.iter().map(|(n, _)| *n).collect();
        let takes = match (wanted, signature.repeats) {
            (1, _) => format!("one argument ({})", names[0]),
            (n, false) => format!("{} arguments ({})", number(n), names.join(", ")),
            (n, true) => format!("{} or more arguments", number(n)),
        };
        let given = if helper.hash.is_empty() {
            number(given)
        } else {
            format!("{} and named ones", number(given))
        };
        // `the route tables (`RouteTables`)` → ROUTE_TABLES
        let placeholders: Vec<String> = names
            .iter()
            .map(|n| {
                n.split([',', '('])
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .trim_start_matches("the ")
                    .replace("'s", "")
                    .replace(' ', "_")
                    .to_uppercase()
            })
            .collect();
        let call = format!("{name} {}", placeholders.join(" "));
        let help = if helper.block {
            format!("write `{{{{#{call}}}}}…{{{{/{name}}}}}`")
        } else {
            format!("write `{{{{{call}}}}}`")
        };
        return Err(error(
            format!("`{name}` takes {takes}; it was given {given}"),
            help,
        ));
    }
    Ok(())
}

/// Checks a literal argument of helper `name` (`what`, of `kind`; `literal` is `None` for a
/// name or an expression).
fn check_argument(
    name: &str,
    what: &str,
    kind: helpers::Kind,
    literal: Option<&Value>,
    offset: usize,
) -> Result<(), TemplateError> {
    let error = |message: String, help: String| helper_error(offset, message, help);
    match (kind, literal) {
        (helpers::Kind::Text, Some(value)) if !value.is_string() => {
            return Err(error(
                format!(
                    "`{name}` takes {what} as text, but it was given {} `{value}`",
                    crate::json::type_name(value)
                ),
                "quote it, or give a name whose value is text".to_owned(),
            ));
        }
        (helpers::Kind::Path, Some(Value::String(query))) => {
            if let Err(problem) = Query::parse(&query::normalize(query)) {
                return Err(error(
                    format!(
                        "the query `{query}` of `{name}` is not valid: {}",
                        problem.message
                    ),
                    problem.help,
                ));
            }
        }
        (helpers::Kind::Name, Some(value)) => {
            return Err(error(
                format!(
                    "`{name}` takes {what} as a name whose value it reads, but it was \
                     given {} `{value}`",
                    crate::json::type_name(value)
                ),
                "give a name, e.g. `vars.cluster` or `nodegroup.nodegroup.subnets`".to_owned(),
            ));
        }
        (helpers::Kind::Pattern, Some(Value::String(pattern))) => {
            if let Err(problem) = regex::Regex::new(pattern) {
                let problem = problem.to_string();
                let reason = problem
                    .lines()
                    .map(str::trim)
                    .rfind(|line| line.starts_with("error:"))
                    .map_or(problem.as_str(), |line| line["error:".len()..].trim());
                return Err(error(
                    format!(
                        "the regular expression `{pattern}` of `{name}` is not valid: {reason}"
                    ),
                    "see https://docs.rs/regex for the syntax".to_owned(),
                ));
            }
        }
        (helpers::Kind::Pattern, _) => {
            return Err(error(
                format!("`{name}` takes {what} written as a quoted string"),
                format!("write e.g. `{{{{{name} image.Images.0.Description 'k8s: ([0-9.]+)'}}}}`"),
            ));
        }
        (helpers::Kind::Path, _) => {
            return Err(error(
                format!("`{name}` takes {what} written as a quoted string"),
                format!("write e.g. `{{{{{name} instance \"$.SecurityGroups[*].GroupId\"}}}}`"),
            ));
        }
        _ => {}
    }
    Ok(())
}

/// A small count in words, for messages: `one`, `two`, … (`none` for 0).
fn number(count: usize) -> String {
    const WORDS: [&str; 7] = ["none", "one", "two", "three", "four", "five", "six"];
    WORDS
        .get(count)
        .map_or_else(|| count.to_string(), |word| (*word).to_owned())
}

fn forbidden(what: &str, offset: usize) -> TemplateError {
    TemplateError {
        message: format!("{what} are not allowed in check templates"),
        offset: Some(offset),
        help: Some("write the text inline; templates may only use names and helpers".into()),
    }
}

fn helper_name(helper: &HelperTemplate) -> Option<&str> {
    match &helper.name {
        Parameter::Name(name) => Some(name),
        _ => None,
    }
}

fn unknown_helper(name: &str, offset: usize) -> TemplateError {
    let known = helpers::SIGNATURES.iter().map(|s| s.name);
    TemplateError {
        message: format!("unknown helper `{name}`"),
        offset: Some(offset),
        help: Some(match crate::suggest::closest(name, known.clone()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!(
                "available helpers: {}",
                known.collect::<Vec<_>>().join(", ")
            ),
        }),
    }
}

/// Converts a 1-based line and column inside `source` into a byte offset.
fn offset_of(source: &str, line: usize, column: usize) -> usize {
    let line_start: usize = source
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    source[line_start..]
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(source.len(), |(i, _)| line_start + i)
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

    fn names(source: &str) -> Vec<String> {
        Template::parse(source)
            .unwrap()
            .names()
            .iter()
            .map(|n| match &n.member {
                Some(m) => format!("{}.{m}", n.root),
                None => n.root.clone(),
            })
            .collect()
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
        let absent = |source: &str| Template::parse(source).unwrap().render_value(&scope());
        let cause = |path: &[&str], present| RenderCause::Absent {
            path: path.iter().map(|s| s.to_string()).collect(),
            present,
        };
        // The absent value is named, with how much of its path exists, whatever the body shape.
        assert_eq!(
            absent("{{vars.nope}}").unwrap_err().cause,
            cause(&["vars", "nope"], 1)
        );
        assert_eq!(
            absent("x {{nodegroup.missing}} y").unwrap_err().cause,
            cause(&["nodegroup", "missing"], 1)
        );
        assert_eq!(
            absent("{{arn_name nodegroup.nodegroup.role}}")
                .unwrap_err()
                .cause,
            cause(&["nodegroup", "nodegroup", "role"], 2)
        );
        assert_eq!(
            absent("{{#each nodegroup.nodegroup.subnets}}{{this}}{{/each}} {{nope.x}}")
                .unwrap_err()
                .cause,
            cause(&["nope", "x"], 0)
        );
        // A condition may be absent: that is not the failure.
        assert_eq!(
            absent("{{#if ng.x}}a{{/if}}{{arn_name vars.no}}")
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
    fn names_are_collected_from_paths_helpers_and_blocks() {
        assert_eq!(
            names("{{arn_name nodegroup.nodegroup.nodeRole}} in {{vars.cluster}}"),
            ["nodegroup.nodegroup", "vars.cluster"]
        );
        assert_eq!(
            names("{{#each nodegroup.nodegroup.subnets}}{{this}} {{../ng}}{{/each}}"),
            ["ng", "nodegroup.nodegroup"]
        );
        assert_eq!(names("{{json (default ng \"x\")}}"), ["ng"]);
    }

    #[test]
    fn partials_decorators_and_unknown_helpers_are_rejected() {
        for source in [
            "{{> other}}",
            "{{#*inline \"p\"}}{{> p}}{{/inline}}",
            "{{*decorate}}",
        ] {
            let error = Template::parse(source).unwrap_err();
            assert!(error.message.contains("not allowed"), "{source}: {error:?}");
        }
        let error = Template::parse("{{arn_nam x}}").unwrap_err();
        assert_eq!(error.help.as_deref(), Some("did you mean `arn_name`?"));
    }

    #[test]
    fn syntax_errors_carry_a_position() {
        // An unclosed block is named where it opens.
        let error = Template::parse("abc {{#if x}} no end").unwrap_err();
        assert_eq!(error.message, "`{{#if}}` is not closed", "{error:?}");
        assert_eq!(
            error.help.as_deref(),
            Some("add `{{/if}}` where the block ends")
        );
        assert_eq!(error.offset, Some(4), "{error:?}");
        let error = Template::parse("{{#if x}}{{#each y}}{{/if}}{{/each}}").unwrap_err();
        assert_eq!(
            error.message, "`{{#each}}` is closed by `{{/if}}`",
            "{error:?}"
        );
        assert_eq!(error.offset, Some(9), "{error:?}");
        let error = Template::parse("a {{/if}}").unwrap_err();
        assert_eq!(error.message, "`{{/if}}` closes no block", "{error:?}");
        // A bad expression is found where it is written, without the grammar's tokens.
        let error = Template::parse("abc {{x y=}} def").unwrap_err();
        assert_eq!(error.offset, Some(10), "{error:?}");
        assert_eq!(
            error.message,
            "invalid template: this is not a valid `{{…}}` expression"
        );
    }

    #[test]
    fn literals_where_a_value_is_read_and_each_variables_outside_each_are_refused() {
        for (source, offset, message) in [
            (
                "{{#each 5}}x{{/each}}",
                0,
                "`each` takes the list or object as a name",
            ),
            (
                "a {{#with \"s\"}}x{{/with}}",
                2,
                "`with` takes the value as a name",
            ),
            (
                "{{lookup 5 \"a\"}}",
                0,
                "`lookup` takes the object or list as a name",
            ),
            (
                "x {{@index}}",
                2,
                "`@index` is only defined inside `{{#each}}`",
            ),
            (
                "{{#if @first}}x{{/if}}",
                0,
                "`@first` is only defined inside `{{#each}}`",
            ),
        ] {
            let error = Template::parse(source).unwrap_err();
            assert!(error.message.starts_with(message), "{source}: {error:?}");
            assert_eq!(error.offset, Some(offset), "{source}");
        }
        for fine in [
            "{{#each vars.list}}{{@index}}{{@key}}{{#if @first}}!{{/if}}{{/each}}",
            "{{#with vars.cluster}}{{this}}{{/with}}",
            "{{lookup vars \"cluster\"}}",
        ] {
            assert!(Template::parse(fine).is_ok(), "{fine}");
        }
    }

    #[test]
    fn helper_calls_are_checked_against_their_signatures() {
        let error = |source: &str| Template::parse(source).unwrap_err();
        let cases = [
            (
                "{{arn_name 1 2 3}}",
                0,
                "`arn_name` takes one argument (the ARN); it was given three",
            ),
            (
                "x {{arn_name}}",
                2,
                "`arn_name` takes one argument (the ARN); it was given none",
            ),
            (
                "{{#if}}x{{/if}}",
                0,
                "`if` takes one argument (the condition); it was given none",
            ),
            (
                "{{#with}}x{{/with}}",
                0,
                "`with` takes one argument (the value); it was given none",
            ),
            (
                "{{#unless}}x{{/unless}}",
                0,
                "`unless` takes one argument (the condition); it was given none",
            ),
            (
                "{{arn_region 5}}",
                0,
                "`arn_region` takes the ARN as text, but it was given a number `5`",
            ),
            (
                "{{route_table_for_subnet 1}}",
                0,
                "`route_table_for_subnet` takes two arguments (the route tables (`RouteTables`), the subnet ID); it was given one",
            ),
            (
                "{{#if a}}{{default x}}{{/if}}",
                9,
                "`default` takes two arguments (the value, the value when it is absent or null); it was given one",
            ),
            (
                "{{select x y}}",
                0,
                "`select` takes a JSONPath query written as a quoted string",
            ),
            (
                "{{select x \"Groups\"}}",
                0,
                "the query `Groups` of `select` is not valid: a path must start with `$` (the whole response)",
            ),
        ];
        for (source, offset, message) in cases {
            let error = error(source);
            assert_eq!(
                (error.message.as_str(), error.offset),
                (message, Some(offset)),
                "{source}"
            );
        }
        assert!(Template::parse("{{and a b c}} {{select x \"$.a[*]\"}}").is_ok());
    }

    #[test]
    fn default_stands_in_for_absent_values() {
        let render = |source: &str| Template::parse(source).unwrap().render_value(&scope());
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
        let render = |source: &str| Template::parse(source).unwrap().render_value(&scope());
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
        let render = |source: &str| Template::parse(source).unwrap().render_value(&scope());
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
    fn lookup_of_a_variable_reads_it() {
        assert_eq!(names("{{lookup vars \"nope\"}}"), ["vars", "vars.nope"]);
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

//! Compiling a template: read without handlebars when it is only text and plain paths
//! (`plain.rs`), else compiled by handlebars with its blocks checked for balance; its body chosen
//! by shape, and what it reads walked (`names.rs`).

use handlebars::Path;
use handlebars::template::{HelperTemplate, Parameter, TemplateElement};

use super::names::{Place, Walker};
use super::{Template, TemplateError, has_expressions, helpers, plain};

/// A compiled template, by shape: what rendering it takes.
#[derive(Clone, Debug)]
pub(super) enum Body {
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
pub(super) enum Piece {
    Text(String),
    Path(Vec<String>),
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
    pub(super) fn plain(source: &str) -> Option<Self> {
        let (body, paths) = plain::read(source)?;
        let mut walker = Walker::new(source);
        for path in &paths {
            walker.record_path(&path.join("."), Place::TOP);
        }
        Some(walker.into_template(body))
    }

    /// Compiles a template with handlebars and walks it.
    pub(super) fn compile_with_handlebars(source: &str) -> Result<Self, TemplateError> {
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

/// Converts a 1-based line and column inside `source` into a byte offset.
pub(super) fn offset_of(source: &str, line: usize, column: usize) -> usize {
    let line_start: usize = source
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    crate::diagnostic::column_offset(source, line_start, column)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}

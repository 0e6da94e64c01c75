//! What a template reads: the walk of its syntax tree that collects its root names and the
//! paths whose value it needs, checks each helper call against the helper's signature, and
//! rejects what a check template may not contain.

use std::collections::BTreeSet;

use handlebars::Path;
use handlebars::template::{HelperTemplate, Parameter, TemplateElement};
use serde_json::Value;

use super::compile::{Body, offset_of};
use super::render::split_path;
use super::{NameUse, Template, TemplateError, helpers};
use crate::query::{self, Query};

/// Walks a compiled template: collects what it reads (the root names, for dependencies and name
/// checks; the paths whose value it needs, to name the absent one when rendering fails), checks
/// every helper call against the helper's signature, and rejects what a check template may not
/// contain.
pub(super) struct Walker<'s> {
    source: &'s str,
    names: BTreeSet<NameUse>,
    paths: Vec<Vec<String>>,
}

/// Where in a template an expression is.
#[derive(Clone, Copy)]
pub(super) struct Place {
    /// Inside `#each` or `#with`, where plain names are members of the item.
    in_item_scope: bool,
    /// A condition of `#if` or `#unless`, which may be absent.
    condition: bool,
    /// Byte offset of the element in the source.
    offset: usize,
}

impl Place {
    /// The top of a template: outside blocks and conditions.
    pub(super) const TOP: Self = Self {
        in_item_scope: false,
        condition: false,
        offset: 0,
    };
}

impl<'s> Walker<'s> {
    pub(super) fn new(source: &'s str) -> Self {
        Self {
            source,
            names: BTreeSet::new(),
            paths: Vec::new(),
        }
    }

    /// The template of `body`, reading what this walk found.
    pub(super) fn into_template(self, body: Body) -> Template {
        Template {
            source: self.source.to_owned(),
            body,
            names: self.names.into_iter().collect(),
            paths: self.paths,
            location: None,
        }
    }

    pub(super) fn template(
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
    pub(super) fn record_path(&mut self, raw: &str, place: Place) {
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
            if let Err(problem) = crate::memo::pattern(pattern) {
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn lookup_of_a_variable_reads_it() {
        assert_eq!(names("{{lookup vars \"nope\"}}"), ["vars", "vars.nope"]);
    }
}

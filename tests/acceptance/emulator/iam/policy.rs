//! Policy documents: their statements (`Effect`, `Action`/`NotAction`, `Resource`/`NotResource`,
//! `Condition`), whether one applies to a request, and where each sits in the document's text
//! (the simulator reports matched statements by line and column).

use serde_json::Value;

use super::condition::Condition;
use super::context::{Context, substitute, variables};
use super::pattern;

/// `Allow` or `Deny`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Effect {
    Allow,
    Deny,
}

/// The names an `Action`/`Resource` element lists, or (`Not…`) every name but them.
#[derive(Clone, Debug)]
enum Scope {
    Only(Vec<String>),
    AllBut(Vec<String>),
}

impl Scope {
    fn parse(statement: &Value, element: &str) -> Result<Option<Self>, String> {
        let names = |value: &Value| match value {
            Value::String(name) => Ok(vec![name.clone()]),
            Value::Array(names) => names
                .iter()
                .map(|name| name.as_str().map(str::to_owned))
                .collect::<Option<_>>()
                .ok_or_else(|| format!("{element} lists strings, not {value}")),
            other => Err(format!("{element} is a string or a list, not {other}")),
        };
        let not = format!("Not{element}");
        Ok(match (statement.get(element), statement.get(&not)) {
            (Some(_), Some(_)) => {
                return Err(format!("a statement has {element} or {not}, not both"));
            }
            (Some(value), None) => Some(Self::Only(names(value)?)),
            (None, Some(value)) => Some(Self::AllBut(names(value)?)),
            (None, None) => None,
        })
    }

    fn covers(&self, matches: impl Fn(&str) -> bool) -> bool {
        match self {
            Self::Only(names) => names.iter().any(|name| matches(name)),
            Self::AllBut(names) => !names.iter().any(|name| matches(name)),
        }
    }

    fn names(&self) -> &[String] {
        match self {
            Self::Only(names) | Self::AllBut(names) => names,
        }
    }
}

/// A line and column in a policy's text, as the simulator counts them (`Line` from 1; `Column`
/// just past the brace, from 1: AWS CLI example "simulate-custom-policy" reports a statement
/// whose `{` is the 37th character at column 38).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Position {
    pub line: usize,
    pub column: usize,
}

/// One statement of a policy.
#[derive(Clone, Debug)]
pub(super) struct Statement {
    pub effect: Effect,
    actions: Scope,
    resources: Scope,
    conditions: Vec<Condition>,
    /// Where its object begins and ends in the policy's text.
    pub span: Option<(Position, Position)>,
}

impl Statement {
    /// Whether the statement applies to `action` on `resource` in `context`.
    pub(super) fn applies(&self, action: &str, resource: &str, context: &Context) -> bool {
        self.actions
            .covers(|pattern| pattern::glob(pattern, action, true))
            && self.resources.covers(|pattern| {
                substitute(pattern, context).is_some_and(|pattern| pattern::arn(&pattern, resource))
            })
            && self
                .conditions
                .iter()
                .all(|condition| condition.holds(context))
    }

    /// The context keys the statement reads: its conditions' keys and its policy variables.
    pub(super) fn keys(&self) -> impl Iterator<Item = &str> {
        let conditions = self
            .conditions
            .iter()
            .map(|condition| condition.key.as_str());
        let variables = self
            .resources
            .names()
            .iter()
            .flat_map(|name| variables(name));
        conditions.chain(variables)
    }
}

/// A policy document and the identifier the simulator reports it by (`SourcePolicyId`).
#[derive(Clone, Debug)]
pub(crate) struct Policy {
    pub id: String,
    pub(super) statements: Vec<Statement>,
}

impl Policy {
    /// Parses the policy document `text`; the error says what is wrong.
    pub(crate) fn parse(id: &str, text: &str) -> Result<Self, String> {
        let document: Value =
            serde_json::from_str(text).map_err(|error| format!("policy {id}: {error}"))?;
        let elements = match &document["Statement"] {
            Value::Array(statements) => statements.iter().collect(),
            statement @ Value::Object(_) => vec![statement],
            other => {
                return Err(format!(
                    "policy {id}: Statement is a list or an object, not {other}"
                ));
            }
        };
        let spans = statement_spans(text);
        let spans = (spans.len() == elements.len()).then_some(spans);
        let statements = elements
            .into_iter()
            .enumerate()
            .map(|(index, statement)| {
                let effect = match statement["Effect"].as_str() {
                    Some("Allow") => Effect::Allow,
                    Some("Deny") => Effect::Deny,
                    _ => {
                        return Err(format!(
                            "Effect is Allow or Deny, not {}",
                            statement["Effect"]
                        ));
                    }
                };
                let actions = Scope::parse(statement, "Action")?
                    .ok_or("a statement has Action or NotAction")?;
                // SCPs may leave Resource out: it is then every resource.
                let resources = Scope::parse(statement, "Resource")?
                    .unwrap_or_else(|| Scope::Only(vec!["*".to_owned()]));
                let conditions = match statement.get("Condition") {
                    Some(element) => Condition::parse_all(element)?,
                    None => Vec::new(),
                };
                Ok(Statement {
                    effect,
                    actions,
                    resources,
                    conditions,
                    span: spans.as_ref().map(|spans| spans[index]),
                })
            })
            .collect::<Result<_, String>>()
            .map_err(|error| format!("policy {id}: {error}"))?;
        Ok(Self {
            id: id.to_owned(),
            statements,
        })
    }
}

/// Where each statement object of the document `text` begins and ends (its `{` and `}`).
fn statement_spans(text: &str) -> Vec<(Position, Position)> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    let (mut expect_key, mut key_start, mut key) = (false, None, "");
    let (mut in_statement, mut in_list, mut open) = (false, false, None);
    let mut spans = Vec::new();
    for (index, byte) in text.bytes().enumerate() {
        if in_string {
            match byte {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => {
                    in_string = false;
                    if let Some(start) = key_start.take() {
                        key = &text[start..index];
                    }
                }
                _ => {}
            }
            continue;
        }
        match byte {
            b'"' => {
                in_string = true;
                if depth == 1 && expect_key {
                    key_start = Some(index + 1);
                }
            }
            b':' if depth == 1 => {
                expect_key = false;
                in_statement = key == "Statement";
            }
            b',' if depth == 1 => {
                expect_key = true;
                (in_statement, in_list) = (false, false);
            }
            b'{' | b'[' => {
                if in_statement && byte == b'{' && (depth == 1 || (depth == 2 && in_list)) {
                    open = Some((index, depth));
                }
                in_list |= in_statement && depth == 1 && byte == b'[';
                depth += 1;
                expect_key |= depth == 1;
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if let Some((start, at)) = open
                    && byte == b'}'
                    && at == depth
                {
                    spans.push((position(text, start), position(text, index)));
                    open = None;
                }
            }
            _ => {}
        }
    }
    spans
}

/// The position of the brace at byte `offset` of `text`.
fn position(text: &str, offset: usize) -> Position {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |newline| newline + 1);
    Position {
        line: before.matches('\n').count() + 1,
        column: text[line_start..offset].chars().count() + 2,
    }
}

#[cfg(test)]
mod tests {
    use super::{Policy, Position};

    /// AWS CLI examples, simulate-custom-policy (Example 1): the statement of this one-line
    /// policy is reported from column 38 to column 167.
    #[test]
    fn statements_are_located_as_the_simulator_reports_them() {
        let text = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}"#;
        let policy = Policy::parse("PolicyInputList.1", text).expect("a policy");
        assert_eq!(
            policy.statements[0].span,
            Some((
                Position {
                    line: 1,
                    column: 38
                },
                Position {
                    line: 1,
                    column: 167
                }
            ))
        );
        let text = "{\n  \"Statement\": [\n    {\"Effect\": \"Allow\", \"Action\": \"*\", \"Resource\": \"*\"},\n    {\n      \"Effect\": \"Deny\", \"Action\": \"s3:*\", \"Resource\": \"*\"\n    }\n  ]\n}";
        let policy = Policy::parse("p", text).expect("a policy");
        let spans: Vec<_> = policy.statements.iter().map(|s| s.span).collect();
        assert_eq!(
            spans,
            [
                Some((
                    Position { line: 3, column: 6 },
                    Position {
                        line: 3,
                        column: 56
                    }
                )),
                Some((
                    Position { line: 4, column: 6 },
                    Position { line: 6, column: 6 }
                )),
            ]
        );
    }
}

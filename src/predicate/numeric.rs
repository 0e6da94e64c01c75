//! `count` and the comparisons `gt`, `gte`, `lt`, `lte`.

use serde_json::Value;

use super::{Subject, Tested, Undecided, Verdict, mismatch};
use crate::template::{Scope, TemplatedValue};

/// How a number compares with a bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// `equals` (inside `count`).
    Equal,
    /// `gt`.
    Greater,
    /// `gte`.
    GreaterOrEqual,
    /// `lt`.
    Less,
    /// `lte`.
    LessOrEqual,
}

impl Comparison {
    /// Parses `gt`, `gte`, `lt`, `lte` (and `equals` where `count` allows it).
    pub fn from_keyword(keyword: &str) -> Option<Self> {
        Some(match keyword {
            "equals" => Comparison::Equal,
            "gt" => Comparison::Greater,
            "gte" => Comparison::GreaterOrEqual,
            "lt" => Comparison::Less,
            "lte" => Comparison::LessOrEqual,
            _ => return None,
        })
    }

    /// The key as written in a check file.
    pub fn keyword(self) -> &'static str {
        match self {
            Comparison::Equal => "equals",
            Comparison::Greater => "gt",
            Comparison::GreaterOrEqual => "gte",
            Comparison::Less => "lt",
            Comparison::LessOrEqual => "lte",
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Comparison::Equal => "==",
            Comparison::Greater => ">",
            Comparison::GreaterOrEqual => ">=",
            Comparison::Less => "<",
            Comparison::LessOrEqual => "<=",
        }
    }

    fn holds(self, actual: f64, bound: f64) -> bool {
        match self {
            Comparison::Equal => actual == bound,
            Comparison::Greater => actual > bound,
            Comparison::GreaterOrEqual => actual >= bound,
            Comparison::Less => actual < bound,
            Comparison::LessOrEqual => actual <= bound,
        }
    }
}

/// One numeric bound, e.g. `gte: 5` or `lt: "{{vars.max}}"`.
#[derive(Clone, Debug)]
pub struct Bound {
    /// How the value compares with the bound.
    pub comparison: Comparison,
    /// The bound; a template must render to a number.
    pub value: TemplatedValue,
}

impl Bound {
    fn number(&self, scope: &dyn Scope) -> Result<f64, Undecided> {
        let rendered = self.value.render(scope)?;
        as_number(&rendered).ok_or_else(|| {
            Undecided::TypeMismatch(format!(
                "type mismatch: the bound of `{}` must be a number, but it is {}",
                self.comparison.keyword(),
                super::kind_of(&rendered)
            ))
        })
    }
}

/// A number, or a string holding one (variables given on the command line are strings).
fn as_number(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// `count` holds when the number of selected nodes (or the list's length) meets every bound.
pub fn count(subject: &Subject, bounds: &[Bound], scope: &dyn Scope) -> Tested {
    let actual = subject.items().len() as f64;
    for bound in bounds {
        if !bound.comparison.holds(actual, bound.number(scope)?) {
            return Ok(Verdict {
                holds: false,
                note: Some(format!("count is {actual}")),
            });
        }
    }
    Ok(true.into())
}

/// `gt`/`gte`/`lt`/`lte` hold when the value is a number that compares with the bound.
pub fn compare(subject: &Subject, bound: &Bound, scope: &dyn Scope) -> Tested {
    let actual = match subject {
        Subject::Absent => return Ok(false.into()),
        Subject::Value(Value::Number(n)) => n.as_f64().unwrap_or(f64::NAN),
        other => return Err(mismatch(bound.comparison.keyword(), "a number", other)),
    };
    Ok(bound.comparison.holds(actual, bound.number(scope)?).into())
}

/// The bounds as text, e.g. `>= 1 and <= 3`.
pub fn describe(bounds: &[Bound], scope: &dyn Scope) -> String {
    bounds
        .iter()
        .map(|bound| {
            let value = bound
                .value
                .render(scope)
                .map(|v| crate::template::helpers::display_value(&v))
                .unwrap_or_else(|_| "(unrenderable)".to_owned());
            format!("{} {value}", bound.comparison.symbol())
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

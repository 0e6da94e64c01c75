//! Condition operators, as "IAM JSON policy elements: Condition operators" and "Creating a
//! condition with multiple keys or values" describe them: several operators and keys must all
//! hold (AND), several values of one key are alternatives (OR, and NOR for negated operators);
//! an absent key makes an operator false and a negated one true, except `…IfExists` (true) and
//! `Null`; `ForAllValues:` holds on an absent or empty key, `ForAnyValue:` does not.

use std::cmp::Ordering;

use chrono::{DateTime, NaiveDate, Utc};
use ekscheck::network::Cidr;
use serde_json::Value;

use super::context::{Context, substitute};
use super::pattern;

/// What an operator compares.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Test {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    Numeric(Comparison),
    Date(Comparison),
    Bool,
    Binary,
    IpAddress,
    Arn,
    Null,
}

/// A comparison of the request's value with the policy's.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Comparison {
    Equals,
    LessThan,
    LessThanEquals,
    GreaterThan,
    GreaterThanEquals,
}

impl Comparison {
    fn holds(self, ordering: Ordering) -> bool {
        match self {
            Self::Equals => ordering.is_eq(),
            Self::LessThan => ordering.is_lt(),
            Self::LessThanEquals => ordering.is_le(),
            Self::GreaterThan => ordering.is_gt(),
            Self::GreaterThanEquals => ordering.is_ge(),
        }
    }
}

/// `ForAnyValue:` or `ForAllValues:`.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Set {
    AnyValue,
    AllValues,
}

/// The operators by name: what they test, and whether they are negated.
const OPERATORS: &[(&str, Test, bool)] = {
    use Comparison::*;
    use Test::*;
    &[
        ("StringEquals", StringEquals, false),
        ("StringNotEquals", StringEquals, true),
        ("StringEqualsIgnoreCase", StringEqualsIgnoreCase, false),
        ("StringNotEqualsIgnoreCase", StringEqualsIgnoreCase, true),
        ("StringLike", StringLike, false),
        ("StringNotLike", StringLike, true),
        ("NumericEquals", Numeric(Equals), false),
        ("NumericNotEquals", Numeric(Equals), true),
        ("NumericLessThan", Numeric(LessThan), false),
        ("NumericLessThanEquals", Numeric(LessThanEquals), false),
        ("NumericGreaterThan", Numeric(GreaterThan), false),
        (
            "NumericGreaterThanEquals",
            Numeric(GreaterThanEquals),
            false,
        ),
        ("DateEquals", Date(Equals), false),
        ("DateNotEquals", Date(Equals), true),
        ("DateLessThan", Date(LessThan), false),
        ("DateLessThanEquals", Date(LessThanEquals), false),
        ("DateGreaterThan", Date(GreaterThan), false),
        ("DateGreaterThanEquals", Date(GreaterThanEquals), false),
        ("Bool", Bool, false),
        ("BinaryEquals", Binary, false),
        ("IpAddress", IpAddress, false),
        ("NotIpAddress", IpAddress, true),
        ("ArnEquals", Arn, false),
        ("ArnLike", Arn, false),
        ("ArnNotEquals", Arn, true),
        ("ArnNotLike", Arn, true),
        ("Null", Null, false),
    ]
};

/// One key of one operator of a statement's `Condition`, with the policy's values.
#[derive(Clone, Debug)]
pub(super) struct Condition {
    set: Option<Set>,
    test: Test,
    negated: bool,
    if_exists: bool,
    /// The context key, as the policy writes it.
    pub key: String,
    values: Vec<String>,
}

impl Condition {
    /// The conditions of a statement's `Condition` element.
    pub(super) fn parse_all(element: &Value) -> Result<Vec<Self>, String> {
        let Value::Object(operators) = element else {
            return Err(format!("a Condition is an object, not {element}"));
        };
        let mut conditions = Vec::new();
        for (name, keys) in operators {
            let Value::Object(keys) = keys else {
                return Err(format!("the keys of {name} are an object, not {keys}"));
            };
            for (key, values) in keys {
                conditions.push(Self::parse(name, key, values)?);
            }
        }
        Ok(conditions)
    }

    fn parse(name: &str, key: &str, values: &Value) -> Result<Self, String> {
        let (set, base) = match name.split_once(':') {
            Some(("ForAnyValue", base)) => (Some(Set::AnyValue), base),
            Some(("ForAllValues", base)) => (Some(Set::AllValues), base),
            Some(_) => return Err(format!("unknown set operator in {name}")),
            None => (None, name),
        };
        let (base, if_exists) = match base.strip_suffix("IfExists") {
            Some(base) if base != "Null" => (base, true),
            _ => (base, false),
        };
        let &(_, test, negated) = OPERATORS
            .iter()
            .find(|(operator, ..)| *operator == base)
            .ok_or_else(|| format!("unknown condition operator {name}"))?;
        let text = |value: &Value| match value {
            Value::String(text) => Some(text.clone()),
            Value::Bool(_) | Value::Number(_) => Some(value.to_string()),
            _ => None,
        };
        let values = match values {
            Value::Array(items) => items.iter().map(text).collect(),
            single => text(single).map(|value| vec![value]),
        }
        .ok_or_else(|| format!("the values of {name} {key} are strings, not {values}"))?;
        Ok(Self {
            set,
            test,
            negated,
            if_exists,
            key: key.to_owned(),
            values,
        })
    }

    /// Whether the condition holds in `context`.
    pub(super) fn holds(&self, context: &Context) -> bool {
        let entry = context.get(&self.key);
        if self.test == Test::Null {
            let absent = entry.is_none();
            return self.values.iter().any(|value| match value.as_str() {
                "true" => absent,
                "false" => !absent,
                _ => false,
            });
        }
        let Some(entry) = entry else {
            return self.if_exists
                || match self.set {
                    Some(Set::AllValues) => true,
                    Some(Set::AnyValue) => false,
                    None => self.negated,
                };
        };
        // Whether one request value matches one of the policy's values (before negation).
        let matches = |request: &str| {
            self.values.iter().any(|policy| match self.test {
                // Policy variables may stand in string and ARN values.
                Test::StringEquals
                | Test::StringEqualsIgnoreCase
                | Test::StringLike
                | Test::Arn => {
                    substitute(policy, context).is_some_and(|policy| self.compare(&policy, request))
                }
                _ => self.compare(policy, request),
            })
        };
        let satisfies = |request: &String| matches(request) != self.negated;
        match self.set {
            None if self.negated => entry.values.iter().all(satisfies),
            None | Some(Set::AnyValue) => entry.values.iter().any(satisfies),
            Some(Set::AllValues) => entry.values.iter().all(satisfies),
        }
    }

    /// Whether the request's value `request` matches the policy's value `policy`.
    fn compare(&self, policy: &str, request: &str) -> bool {
        match self.test {
            Test::StringEquals | Test::Binary => policy == request,
            Test::StringEqualsIgnoreCase => policy.to_lowercase() == request.to_lowercase(),
            Test::StringLike => pattern::glob(policy, request, false),
            Test::Numeric(comparison) => match (request.parse::<f64>(), policy.parse::<f64>()) {
                (Ok(request), Ok(policy)) => request
                    .partial_cmp(&policy)
                    .is_some_and(|ordering| comparison.holds(ordering)),
                _ => false,
            },
            Test::Date(comparison) => match (date(request), date(policy)) {
                (Some(request), Some(policy)) => comparison.holds(request.cmp(&policy)),
                _ => false,
            },
            Test::Bool => policy.eq_ignore_ascii_case(request),
            Test::IpAddress => match (Cidr::parse(policy), Cidr::parse(request)) {
                (Some(range), Some(address)) => range.contains(&address),
                _ => false,
            },
            Test::Arn => pattern::arn(policy, request),
            Test::Null => false,
        }
    }
}

/// A date as IAM reads one: ISO 8601 (a date, or a date and time with its zone) or epoch seconds.
fn date(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(seconds) = text.parse::<i64>() {
        return DateTime::from_timestamp(seconds, 0);
    }
    if let Ok(time) = DateTime::parse_from_rfc3339(text) {
        return Some(time.with_timezone(&Utc));
    }
    let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc())
}

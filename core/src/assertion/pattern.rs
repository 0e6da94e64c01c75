//! Regular expressions on text: `matches` (the whole string), and `line_matches` and
//! `no_line_matches` (each line of a text on its own: a log, a script), which name the line that
//! decided.

use std::borrow::Cow;

use regex::Regex;
use serde_json::Value;

use super::{Note, Subject, Tested, Undecided, Verdict, mismatch};
use crate::format::{Compiled, Keyword, Pattern};
use crate::template::Scope;

/// The pattern as the row sees it, on one line: rendered when it is a template (as written when
/// it cannot be rendered), the lines of a pattern written over several (with `(?x)`) joined by a
/// space.
pub(super) fn describe(pattern: &Pattern, scope: &dyn Scope) -> String {
    let shown = match pattern.compiled() {
        Compiled::Templated(template) => template
            .render(scope)
            .map(|rendered| crate::json::display(&rendered))
            .unwrap_or_else(|_| pattern.source().to_owned()),
        Compiled::Fixed(_) => pattern.source().to_owned(),
    };
    if !shown.contains('\n') {
        return shown;
    }
    let lines: Vec<&str> = shown
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect();
    lines.join(" ")
}

/// The expression for this row: compiled at load time, or rendered and compiled now (`keyword`
/// names the predicate when the rendered pattern is invalid).
fn regex<'p>(
    pattern: &'p Pattern,
    keyword: Keyword,
    scope: &dyn Scope,
) -> Result<Cow<'p, Regex>, Undecided> {
    match pattern.compiled() {
        Compiled::Fixed(regex) => Ok(Cow::Borrowed(regex)),
        Compiled::Templated(template) => {
            let source = crate::json::display(&template.render(scope)?);
            Regex::new(&source)
                .map(Cow::Owned)
                .map_err(|error| Undecided::InvalidOperand {
                    predicate: keyword,
                    problem: format!("the rendered pattern `{source}` is invalid: {error}"),
                })
        }
    }
}

/// `matches`: the string value matches the expression, anywhere in it.
pub(super) fn test(pattern: &Pattern, subject: &Subject, scope: &dyn Scope) -> Tested {
    let text = match subject {
        Subject::Absent => return Ok(false.into()),
        Subject::Value(Value::String(text)) => text,
        other => {
            return Err(mismatch(
                Keyword::Matches,
                "a string (use `all: {matches: …}` for a list)",
                other,
            ));
        }
    };
    Ok(regex(pattern, Keyword::Matches, scope)?
        .is_match(text)
        .into())
}

/// `line_matches` (`wanted`: some line matches) or `no_line_matches` (no line does). An absent
/// value or `null` has no lines; a failed `no_line_matches` names the first line that matches.
pub(super) fn test_lines(
    pattern: &Pattern,
    wanted: bool,
    subject: &Subject,
    scope: &dyn Scope,
) -> Tested {
    let keyword = if wanted {
        Keyword::LineMatches
    } else {
        Keyword::NoLineMatches
    };
    let text = match subject {
        Subject::Absent | Subject::Value(Value::Null) => "",
        Subject::Value(Value::String(text)) => text,
        other => {
            return Err(mismatch(
                keyword,
                "a string, such as a log (use `all:` for a list of them)",
                other,
            ));
        }
    };
    let regex = regex(pattern, keyword, scope)?;
    let found = first_matching_line(&regex, text);
    Ok(match (found, wanted) {
        (Some(_), true) | (None, false) => true.into(),
        (None, true) => false.into(),
        (Some((number, line)), false) => Verdict::fails(Note::Line {
            number,
            text: line.to_owned(),
        }),
    })
}

/// The first line of `text` the expression matches, numbered from 1. Lines end with `\n` or
/// `\r\n` (the line ending is not part of the line).
fn first_matching_line<'t>(regex: &Regex, text: &'t str) -> Option<(usize, &'t str)> {
    text.lines()
        .enumerate()
        .find(|(_, line)| regex.is_match(line))
        .map(|(index, line)| (index + 1, line))
}

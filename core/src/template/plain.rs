//! Templates of text and plain paths (`cluster {{vars.cluster}}`), read without handlebars.
//!
//! Most templates of a pack are of this kind, and handlebars' grammar is most of the cost of
//! compiling one. [`read`] takes only what it is sure handlebars reads the same way (plain
//! names, text without braces or backslashes) and leaves everything else to handlebars; a
//! property test holds the two to the same result.

use super::compile::{Body, Piece};
use super::helpers;

/// The body of `source` if it is text and plain paths only, and the paths in the order written.
pub(super) fn read(source: &str) -> Option<(Body, Vec<Vec<String>>)> {
    let mut pieces = Vec::new();
    let mut paths = Vec::new();
    let mut rest = source;
    while !rest.is_empty() {
        let (text, after) = rest.split_once("{{").unwrap_or((rest, ""));
        if !plain_text(text) {
            return None;
        }
        if !text.is_empty() {
            pieces.push(Piece::Text(text.to_owned()));
        }
        if text.len() == rest.len() {
            break;
        }
        let (expression, after) = after.split_once("}}")?;
        let path = plain_path(expression.trim_matches(' '))?;
        paths.push(path.clone());
        pieces.push(Piece::Path(path));
        rest = after;
    }
    let body = match pieces.as_slice() {
        [Piece::Path(path)] => Body::WholePath(path.clone()),
        _ => Body::Simple(pieces),
    };
    Some((body, paths))
}

/// Whether handlebars reads `text` as itself: no brace (which could open or close an
/// expression) and no backslash (which escapes one).
fn plain_text(text: &str) -> bool {
    !text.contains(['{', '}', '\\'])
}

/// The segments of `expression` if it is a plain path such as `vars.cluster`: names of ASCII
/// letters, digits, `_` and `-` that start with a letter or `_`, none a keyword or a helper.
fn plain_path(expression: &str) -> Option<Vec<String>> {
    if helpers::is_helper(expression) {
        return None;
    }
    let segment = |name: &str| {
        name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            && !matches!(
                name,
                "this" | "else" | "true" | "false" | "null" | "undefined"
            )
    };
    let segments: Vec<String> = expression.split('.').map(str::to_owned).collect();
    segments
        .iter()
        .all(|name| segment(name))
        .then_some(segments)
}

#[cfg(test)]
mod tests {
    use crate::template::Template;

    const TEXTS: &[&str] = &[
        "",
        "cluster ",
        " ",
        "a-b",
        "x.y",
        "arn:aws:iam::",
        "$.a[0]",
        "name: ",
        "\n",
        "{",
        "}",
        "\\",
        "{\"k\": ",
    ];
    const EXPRESSIONS: &[&str] = &[
        "vars.cluster",
        " vars.min ",
        "ng",
        "a-b.c_d",
        "_x",
        "this",
        "else",
        "true",
        "null",
        "undefined",
        "1a",
        "a.0",
        "arn_name",
        "a..b",
        "@index",
        "../x",
        "a/b",
        "[a b]",
        "~x",
        "{x}",
        "x y",
        "#if x",
        "!c",
        "",
        " ",
        "\tx",
        "x\n",
        "a.",
        ".a",
        "a-",
    ];

    /// Every template read without handlebars is the one handlebars compiles: same body, same
    /// names and paths.
    fn assert_same(source: &str) {
        let Some(plain) = Template::plain(source) else {
            return;
        };
        let compiled = Template::compile_with_handlebars(source)
            .unwrap_or_else(|error| panic!("{source:?} is read as plain but fails: {error:?}"));
        assert_eq!(format!("{plain:?}"), format!("{compiled:?}"), "{source:?}");
    }

    #[test]
    fn templates_read_without_handlebars_are_what_handlebars_compiles() {
        let mut plain = 0;
        for first in TEXTS {
            for expression in EXPRESSIONS {
                for second in TEXTS {
                    let source = format!("{first}{{{{{expression}}}}}{second}");
                    plain += usize::from(Template::plain(&source).is_some());
                    assert_same(&source);
                }
            }
        }
        for first in EXPRESSIONS {
            for text in TEXTS {
                for second in EXPRESSIONS {
                    assert_same(&format!("{{{{{first}}}}}{text}{{{{{second}}}}}"));
                }
            }
        }
        // The fast path is taken: text without braces around names that are plain paths.
        assert!(plain > 200, "{plain}");
        for source in [
            "{{vars.cluster}}",
            "cluster {{ vars.cluster }} in {{vars.region}}",
        ] {
            assert!(Template::plain(source).is_some(), "{source}");
        }
        for source in [
            "{{arn_name}}",
            "{{{x}}}",
            "\\{{x}}",
            "{{x}}}",
            "{{this}}",
            "{{a b}}",
        ] {
            assert!(Template::plain(source).is_none(), "{source}");
        }
    }
}

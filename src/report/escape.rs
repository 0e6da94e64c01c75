//! Text from packs and recordings, made safe for where it is written. A title, a remediation or
//! a recorded value may hold any character: on the console, control characters (C0 and C1, which
//! move the cursor or repaint a line: a title could paint a green `ok` over a failure) are shown
//! escaped, and a test name is cut to [`NAME_LIMIT`] characters; in JUnit XML and JSON records,
//! the characters XML 1.0 forbids are replaced.

use std::borrow::Cow;

/// The longest test name the console shows whole (the reports keep it whole).
pub const NAME_LIMIT: usize = 500;

/// Whether XML 1.0 allows `c` in a document.
pub fn xml_allows(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `text` with each character XML 1.0 forbids replaced by U+FFFD.
pub fn for_xml(text: &str) -> Cow<'_, str> {
    if text.chars().all(xml_allows) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| if xml_allows(c) { c } else { '\u{FFFD}' })
            .collect(),
    )
}

/// `text` for the console: control characters escaped (`\u{1b}`), but for line breaks and
/// tabs.
pub fn for_console(text: &str) -> Cow<'_, str> {
    escape_controls(text, |c| c == '\n' || c == '\t')
}

/// `text` for one line of the console: every control character escaped, line breaks too.
pub fn for_console_line(text: &str) -> Cow<'_, str> {
    escape_controls(text, |_| false)
}

/// A test name for one line of the console: every control character escaped, and cut to
/// [`NAME_LIMIT`] characters.
pub fn console_name(name: &str) -> Cow<'_, str> {
    let escaped = for_console_line(name);
    match escaped.char_indices().nth(NAME_LIMIT - 1) {
        Some((end, _)) => Cow::Owned(format!("{}…", &escaped[..end])),
        None => escaped,
    }
}

fn escape_controls(text: &str, kept: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && !kept(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() && !kept(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_are_escaped_on_the_console() {
        let spoof = "\u{1b}[2K\rtest p::s::c ... \u{1b}[32mok\u{9b}";
        assert_eq!(
            console_name(spoof),
            "\\u{1b}[2K\\rtest p::s::c ... \\u{1b}[32mok\\u{9b}"
        );
        assert_eq!(for_console("a\n\tb\u{7}"), "a\n\tb\\u{7}");
        assert!(matches!(for_console("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn long_names_are_cut_on_the_console() {
        let name = "x".repeat(70_000);
        let shown = console_name(&name);
        assert_eq!(shown.chars().count(), NAME_LIMIT);
        assert!(shown.ends_with('…'));
        assert_eq!(console_name("short"), "short");
    }

    #[test]
    fn characters_xml_forbids_are_replaced() {
        assert_eq!(
            for_xml("t \u{FFFE}\u{FFFF}\u{0}\u{1b}ok\t"),
            "t \u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}ok\t"
        );
        assert_eq!(for_xml("\u{10000}é"), "\u{10000}é");
    }
}

//! A test's name: which check, for which row and which target of a fleet. It is rendered here,
//! and only here, once, for the console, libtest's filters, JUnit and the JSON records.

use std::fmt;

/// `PACK::SUITE::ID`, followed by `[ROW]`, `[TARGET]` or `[TARGET/ROW]` when the check has rows
/// or runs on a fleet. Its parts are read from the name as rendered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestName {
    /// The name as shown.
    text: String,
    /// Where `::ID` starts in `text`.
    suite_end: usize,
    /// Where the brackets start (the length of `text` when there are none).
    id_end: usize,
    /// The row's label, for a check that fans out.
    row: Option<String>,
    /// The target's label, in a fleet run.
    target: Option<String>,
}

impl TestName {
    /// The name of check `id` of `suite` in `pack`, for the row labelled `row`.
    pub fn new(pack: &str, suite: &str, id: &str, row: Option<String>) -> Self {
        let suite_end = pack.len() + 2 + suite.len();
        let mut name = Self {
            text: format!("{pack}::{suite}::{id}"),
            suite_end,
            id_end: suite_end + 2 + id.len(),
            row,
            target: None,
        };
        name.render_instance();
        name
    }

    /// Makes it the same test on the fleet's target labelled `target`.
    pub fn set_target(&mut self, target: String) {
        self.target = Some(target);
        self.render_instance();
    }

    /// Writes the part after the check's id: `[ROW]`, `[TARGET]`, `[TARGET/ROW]`, or nothing.
    fn render_instance(&mut self) {
        self.text.truncate(self.id_end);
        match (&self.target, &self.row) {
            (None, None) => {}
            (Some(one), None) | (None, Some(one)) => {
                self.text.extend(["[", one, "]"]);
            }
            (Some(target), Some(row)) => self.text.extend(["[", target, "/", row, "]"]),
        }
    }

    /// The whole name.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `PACK::SUITE`: JUnit's classname.
    pub fn classname(&self) -> &str {
        &self.text[..self.suite_end]
    }

    /// `ID[…]`: JUnit's test case name.
    pub fn case(&self) -> &str {
        &self.text[self.suite_end + 2..]
    }

    /// `PACK::SUITE::ID`: the check's name, without row or target.
    pub fn check(&self) -> &str {
        &self.text[..self.id_end]
    }

    /// The row's label, for a check that fans out.
    pub fn row(&self) -> Option<&str> {
        self.row.as_deref()
    }

    /// The target's label, in a fleet run.
    pub fn target(&self) -> Option<&str> {
        self.target.as_deref()
    }
}

impl fmt::Display for TestName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialEq<&str> for TestName {
    fn eq(&self, other: &&str) -> bool {
        self.text == *other
    }
}

#[cfg(test)]
mod tests {
    use super::TestName;

    #[test]
    fn a_name_has_its_row_and_target_in_brackets_and_its_parts_apart() {
        // (row, target, the name, JUnit's case name)
        let cases = [
            (None, None, "p::s-1::id", "id"),
            (Some("ng-a/r"), None, "p::s-1::id[ng-a/r]", "id[ng-a/r]"),
            (None, Some("1/eu/c"), "p::s-1::id[1/eu/c]", "id[1/eu/c]"),
            (
                Some("r"),
                Some("1/eu/c"),
                "p::s-1::id[1/eu/c/r]",
                "id[1/eu/c/r]",
            ),
        ];
        for (row, target, name, case) in cases {
            let mut test = TestName::new("p", "s-1", "id", row.map(str::to_owned));
            if let Some(target) = target {
                test.set_target(target.to_owned());
            }
            assert_eq!(
                (
                    test.to_string().as_str(),
                    test.case(),
                    test.row(),
                    test.target()
                ),
                (name, case, row, target)
            );
            assert_eq!((test.classname(), test.check()), ("p::s-1", "p::s-1::id"));
        }
        // A target replaces nothing of the row.
        let mut twice = TestName::new("p", "s", "id", Some("r".to_owned()));
        twice.set_target("a".to_owned());
        twice.set_target("b".to_owned());
        assert_eq!(twice, "p::s::id[b/r]");
    }
}

//! `ekscheck test` in words: each case of a pack passes when its run gives the outcomes its
//! `expect.yaml` lists; otherwise each difference is shown with the row's own message.

use std::fmt::Write as _;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::console::{Mark, Row};
use super::junit::xml;
use crate::evaluate::OutcomeKind;
use crate::pack_test::Mismatch;
use crate::test_name::TestName;

/// How one case went.
#[derive(Debug)]
pub struct CaseResult {
    /// `PACK::tests::CASE`.
    pub name: TestName,
    /// Its pack.
    pub pack: String,
    /// How the run differed from what the case expects (nothing: it passed).
    pub mismatches: Vec<Mismatch>,
    /// The time its run took.
    pub elapsed: Duration,
}

impl Row for CaseResult {
    fn name(&self) -> &str {
        self.name.as_str()
    }

    fn mark(&self) -> Mark {
        if self.mismatches.is_empty() {
            Mark::Ok
        } else {
            Mark::Failed
        }
    }

    fn details(&self) -> String {
        let shown: Vec<String> = self.mismatches.iter().map(mismatch).collect();
        shown.join("\n")
    }
}

/// One difference, with the row's message indented below it.
pub fn mismatch(mismatch: &Mismatch) -> String {
    let indented = |message: &str| {
        message.lines().fold(String::new(), |mut text, line| {
            let _ = write!(text, "\n    {line}");
            text
        })
    };
    match mismatch {
        Mismatch::Outcome {
            test,
            expected,
            actual,
            message,
        } => format!(
            "{test}: expected {}, got {}{}",
            expected.name(),
            actual.name(),
            indented(message)
        ),
        Mismatch::Message {
            test,
            expected,
            message,
        } => format!(
            "{test}: the message lacks {expected:?}{}",
            indented(message)
        ),
        Mismatch::NoSuchRow { test, rows } if rows.is_empty() => {
            format!("{test}: no such row: the check had no rows")
        }
        Mismatch::NoSuchRow { test, rows } => {
            format!("{test}: no such row; the check's rows: {}", rows.join(", "))
        }
        Mismatch::Unlisted {
            test,
            actual,
            message,
        } => format!(
            "{test}: {} but not listed (others: pass){}",
            match actual {
                OutcomeKind::Error => "could not be decided",
                _ => "failed",
            },
            indented(message)
        ),
    }
}

/// The JUnit report of `results`: a `<testsuite>` per pack (`PACK::tests`), a `<testcase>` per
/// case.
pub fn junit(results: &[CaseResult], elapsed: Duration) -> Report {
    let mut suites: Vec<TestSuite> = Vec::new();
    for result in results {
        let classname = result.name.classname();
        if suites
            .last()
            .is_none_or(|suite| suite.name.as_str() != classname)
        {
            let mut suite = TestSuite::new(classname);
            suite.add_property(Property::new("pack", result.pack.clone()));
            suites.push(suite);
        }
        let status = if result.mismatches.is_empty() {
            TestCaseStatus::success()
        } else {
            let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
            status.set_message(format!(
                "{} row(s) differ from expect.yaml",
                result.mismatches.len()
            ));
            status.set_type("mismatch");
            status.set_description(xml(result.details()));
            status
        };
        let mut case = TestCase::new(xml(result.name.case()), status);
        case.set_classname(classname);
        case.set_time(result.elapsed);
        if let Some(suite) = suites.last_mut() {
            suite.add_test_case(case);
        }
    }
    let mut report = Report::new("ekscheck test");
    report.set_time(elapsed);
    report.add_test_suites(suites);
    report
}

//! JUnit XML for CI, through quick-junit: a `<testsuite>` per suite, a `<testcase>` per check row.

use std::collections::BTreeMap;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::escape::for_xml;
use super::text::{details, skip_reason};
use crate::evaluate::{Outcome, OutcomeKind, Status};
use crate::plan::Plan;

/// Builds the JUnit report of `outcomes`; `elapsed` is the run's wall time.
pub fn report<'a>(
    plan: &Plan,
    outcomes: impl IntoIterator<Item = &'a Outcome>,
    elapsed: Duration,
) -> Report {
    let mut suites: BTreeMap<(usize, usize), TestSuite> = BTreeMap::new();
    for outcome in outcomes {
        let check = &plan.checks[outcome.check];
        let pack = &plan.packs[check.pack];
        let classname = outcome.name.classname();
        let suite = suites.entry((check.pack, check.suite)).or_insert_with(|| {
            let mut suite = TestSuite::new(classname);
            suite.add_property(Property::new("pack", pack.name.clone()));
            suite.add_property(Property::new("pack.version", pack.version.clone()));
            suite.add_property(Property::new(
                "file",
                xml(pack.suites[check.suite].file.path.display().to_string()),
            ));
            suite
        });
        let kind = outcome.status.kind();
        let mut status = match kind {
            OutcomeKind::Pass => TestCaseStatus::success(),
            OutcomeKind::Fail => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_type(outcome.severity.name());
                status
            }
            OutcomeKind::Error => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
                status.set_type(OutcomeKind::Error.name());
                status
            }
            OutcomeKind::Skip => TestCaseStatus::skipped(),
        };
        if let Status::Skip(reason) = &outcome.status {
            status.set_message(xml(skip_reason(reason)));
        }
        if matches!(kind, OutcomeKind::Fail | OutcomeKind::Error) {
            status.set_message(xml(&outcome.title));
            status.set_description(xml(details(outcome)));
        }
        let mut case = TestCase::new(xml(outcome.name.case()), status);
        case.set_classname(classname);
        case.set_time(outcome.elapsed);
        case.add_property(Property::new("severity", outcome.severity.name()));
        let operations = plan.operations(outcome.check).join(",");
        case.add_property(Property::new("operations", operations));
        suite.add_test_case(case);
    }
    let mut report = Report::new("ekscheck");
    report.set_time(elapsed);
    report.add_test_suites(suites.into_values());
    report
}

/// `text` as JUnit XML may hold it: text from packs and recordings may hold characters XML
/// forbids (U+FFFE), which quick-junit writes as they are.
pub(super) fn xml(text: impl AsRef<str>) -> String {
    for_xml(text.as_ref()).into_owned()
}

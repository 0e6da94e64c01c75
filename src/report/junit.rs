//! JUnit XML for CI, through quick-junit: a `<testsuite>` per suite, a `<testcase>` per check row.

use std::collections::BTreeMap;
use std::time::Duration;

use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestSuite};

use super::text::{details, skip_reason};
use crate::evaluate::{Outcome, Status};
use crate::format::severity_name;
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
        let suite_name = &pack.suites[check.suite].name;
        let classname = format!("{}::{suite_name}", pack.name);
        let suite = suites.entry((check.pack, check.suite)).or_insert_with(|| {
            let mut suite = TestSuite::new(classname.clone());
            suite.add_property(Property::new("pack", pack.name.clone()));
            suite.add_property(Property::new("pack.version", pack.version.clone()));
            suite.add_property(Property::new(
                "file",
                pack.suites[check.suite].file.path.display().to_string(),
            ));
            suite
        });
        let case_name = outcome
            .name
            .strip_prefix(&format!("{classname}::"))
            .unwrap_or(&outcome.name);
        let mut status = match &outcome.status {
            Status::Pass => TestCaseStatus::success(),
            Status::Fail(_) => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Failure);
                status.set_type(severity_name(outcome.severity));
                status
            }
            Status::Undecided(_) => {
                let mut status = TestCaseStatus::non_success(NonSuccessKind::Error);
                status.set_type("error");
                status
            }
            Status::Skip(reason) => {
                let mut status = TestCaseStatus::skipped();
                status.set_message(skip_reason(reason));
                status
            }
        };
        if matches!(outcome.status, Status::Fail(_) | Status::Undecided(_)) {
            status.set_message(outcome.title.clone());
            status.set_description(details(outcome));
        }
        let mut case = TestCase::new(case_name.to_owned(), status);
        case.set_classname(classname);
        case.set_time(outcome.elapsed);
        case.add_property(Property::new("severity", severity_name(outcome.severity)));
        let mut operations: Vec<&str> = check
            .refs
            .values()
            .filter_map(|r| match r {
                crate::plan::Ref::Call(id) => plan.calls[*id].def.operation().map(|op| op.api),
                _ => None,
            })
            .collect();
        operations.sort_unstable();
        operations.dedup();
        case.add_property(Property::new("operations", operations.join(",")));
        suite.add_test_case(case);
    }
    let mut report = Report::new("ekscheck");
    report.set_time(elapsed);
    report.add_test_suites(suites.into_values());
    report
}

/// Joins JUnit reports (`ekscheck merge-junit`, for the shares of a partitioned run): every
/// `<testsuite>` of every input, under one `<testsuites>` whose counters and time are the sums.
pub fn merge(inputs: &[(String, String)]) -> Result<String, String> {
    use quick_xml::events::{BytesStart, Event};
    use quick_xml::{Reader, Writer};

    const COUNTERS: [&str; 4] = ["tests", "failures", "errors", "skipped"];
    let mut counts = [0_u64; 4];
    let mut time = 0.0_f64;
    let mut suites = Writer::new_with_indent(Vec::new(), b' ', 4);
    for (name, xml) in inputs {
        let problem = |what: String| format!("{name}: {what}");
        let mut reader = Reader::from_str(xml);
        // Whitespace between elements is the writer's to indent.
        reader.config_mut().trim_text(true);
        let mut depth = 0_usize;
        let mut root = false;
        loop {
            let event = reader
                .read_event()
                .map_err(|error| problem(format!("not XML: {error}")))?;
            match &event {
                Event::Eof => break,
                Event::Start(element) if depth == 0 => {
                    if element.name().as_ref() != b"testsuites" {
                        return Err(problem("not a JUnit report (no <testsuites>)".into()));
                    }
                    root = true;
                    for attribute in element.attributes().flatten() {
                        let value = String::from_utf8_lossy(&attribute.value).into_owned();
                        let key = attribute.key.as_ref();
                        if let Some(index) = COUNTERS.iter().position(|c| c.as_bytes() == key) {
                            counts[index] += value.parse::<u64>().unwrap_or(0);
                        } else if key == b"time" {
                            time += value.parse::<f64>().unwrap_or(0.0);
                        }
                    }
                    depth += 1;
                    continue;
                }
                Event::End(_) if depth == 1 => {
                    depth = 0;
                    continue;
                }
                Event::Start(_) => depth += 1,
                Event::End(_) => depth -= 1,
                _ => {}
            }
            if depth >= 1 {
                suites
                    .write_event(event.into_owned())
                    .map_err(|error| problem(error.to_string()))?;
            }
        }
        if !root {
            return Err(problem("not a JUnit report (no <testsuites>)".into()));
        }
    }
    let mut root = BytesStart::new("testsuites");
    root.push_attribute(("name", "ekscheck"));
    for (counter, count) in COUNTERS.iter().zip(counts) {
        root.push_attribute((*counter, count.to_string().as_str()));
    }
    root.push_attribute(("time", format!("{time:.3}").as_str()));
    let mut out = Writer::new_with_indent(Vec::new(), b' ', 4);
    out.write_event(Event::Decl(quick_xml::events::BytesDecl::new(
        "1.0",
        Some("UTF-8"),
        None,
    )))
    .and_then(|()| out.write_event(Event::Start(root)))
    .map_err(|error| error.to_string())?;
    let mut text = String::from_utf8_lossy(&out.into_inner()).into_owned();
    text.push_str(&String::from_utf8_lossy(&suites.into_inner()));
    text.push_str("\n</testsuites>\n");
    Ok(text)
}

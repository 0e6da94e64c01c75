//! Every variant of an outcome, rendered in-process by the console, JUnit and the JSON records,
//! each into one snapshot (as nextest's `status_line_all_variants`). The rows are those of a real
//! run of the core's test kit (a check that fans out over one nodegroup per variant), each given
//! one variant by hand. A new variant of a result type is a compile error in [`kinds`]; once it
//! has a name there, [`every_variant_has_an_example`] fails until [`variants`] shows it.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use ekscheck_core::testkit::{self, Recording};
use insta::assert_snapshot;
use libtest_mimic::{Arguments, ColorSetting};
use serde_json::{Value, json};

use super::{console, junit, records, text};
use crate::assertion::{AssertionFailure, AssertionUndecided, FailureReason, Note, Undecided};
use crate::diagnostic::Location;
use crate::evaluate::{
    Blocker, CrossCheck, CrossState, Failed, NeedState, Outcome, SkipReason, Status,
};
use crate::execute::{CallError, Failure, NotMade, NotMadeReason};
use crate::format::{Keyword, Severity};
use crate::overrides::Overrides;
use crate::targets::{Credentials, Target};
use crate::template::{RenderCause, RenderFailure};

/// A check that fans out over the nodegroups listed (its title reads them), one row each, and
/// fails on every one: the cluster is not active.
const SUITE: &str = "\
calls:
  group:
    for_each: { in: groups, path: '$.nodegroups[*]', as: ng, label: '{{ng}}' }
    value: '{{ng}}'
checks:
  - id: variants
    title: 'Row {{group}}'
    remediation: 'Fix {{group}}'
    on: cluster
    expect: [{ path: $.cluster.status, equals: ACTIVE }]
";

/// A row's label, its severity and how it ended.
type Variant = (&'static str, Severity, Status);

/// Every row: one per variant. `failure` is a row's own assertion failure, whose place locates
/// the other assertions.
fn variants(failure: &AssertionFailure) -> Vec<Variant> {
    let mut variants = vec![("pass", Severity::Error, Status::Pass)];
    variants.extend(failed(failure));
    variants.extend(undecided(&failure.location));
    variants.extend(skipped(failure));
    variants
}

fn fails(assertions: Vec<AssertionFailure>) -> Status {
    Status::Fail(Failed {
        assertions,
        unchecked: None,
    })
}

fn gt_mismatch() -> FailureReason {
    FailureReason::TypeMismatch {
        predicate: Keyword::Gt,
        expected: "a number",
        actual: "a string",
    }
}

fn call_failed() -> Arc<Failure> {
    Arc::new(Failure::Call {
        call: "cluster".to_owned(),
        api: "eks:DescribeCluster",
        params: json!({"name": "c1"}),
        error: CallError::new("AccessDeniedException", "not authorized"),
    })
}

/// Failures: of each severity, each reason and note, with a call unchecked, cross-checked.
fn failed(failure: &AssertionFailure) -> Vec<Variant> {
    let with = |reason: FailureReason| AssertionFailure {
        reason,
        ..failure.clone()
    };
    let notes = notes()
        .into_iter()
        .map(|note| with(FailureReason::False(Some(note))));
    vec![
        ("fail-error", Severity::Error, fails(vec![failure.clone()])),
        (
            "fail-warning",
            Severity::Warning,
            fails(vec![failure.clone()]),
        ),
        ("fail-info", Severity::Info, fails(vec![failure.clone()])),
        (
            "fail-type-mismatch",
            Severity::Error,
            fails(vec![with(gt_mismatch())]),
        ),
        (
            "fail-combined",
            Severity::Error,
            fails(vec![
                AssertionFailure {
                    combines: true,
                    expected: "any_of 2 assertions".to_owned(),
                    ..with(FailureReason::False(Some(Note::NoAlternativeHolds {
                        count: 2,
                    })))
                },
                AssertionFailure {
                    combines: true,
                    ..with(gt_mismatch())
                },
            ]),
        ),
        (
            "fail-notes",
            Severity::Error,
            fails(
                std::iter::once(with(FailureReason::False(None)))
                    .chain(notes)
                    .collect(),
            ),
        ),
        (
            "fail-unchecked",
            Severity::Error,
            Status::Fail(Failed {
                assertions: vec![failure.clone()],
                unchecked: Some(call_failed()),
            }),
        ),
        // Its cross-checks are added by `outcomes`.
        (
            "fail-cross-checked",
            Severity::Error,
            fails(vec![failure.clone()]),
        ),
    ]
}

/// Every note, those with optional parts with and without them.
fn notes() -> Vec<Note> {
    vec![
        Note::Element {
            index: 1,
            value: json!({"Effect": "Deny"}),
        },
        Note::Missing(vec![json!("a"), json!(2)]),
        Note::Count(3),
        Note::Outside {
            address: "10.1.0.0/16".to_owned(),
            network: "10.0.0.0/16".to_owned(),
        },
        Note::AclDenies {
            egress: false,
            port: 443,
            rule: Some(100),
            network: Some("10.0.0.0/16".to_owned()),
        },
        Note::AclDenies {
            egress: true,
            port: 10250,
            rule: None,
            network: None,
        },
        Note::NoGroupRule {
            egress: false,
            group: "sg-1".to_owned(),
            network: Some("10.0.0.0/16".to_owned()),
        },
        Note::NoGroupRule {
            egress: true,
            group: "sg-2".to_owned(),
            network: None,
        },
        Note::NothingSelected,
        Note::Each(vec![Note::Count(0), Note::NothingSelected]),
        Note::Line {
            number: 7,
            text: "kubelet: x509: certificate has expired".to_owned(),
        },
        Note::AlternativeFails {
            number: 2,
            described: "$.Action contains \"sts:AssumeRole\"".to_owned(),
            note: Some(Box::new(Note::Count(0))),
        },
        Note::AlternativeFails {
            number: 1,
            described: "$.Effect equals \"Allow\"".to_owned(),
            note: None,
        },
    ]
}

fn render(template: &str, location: Option<Location>, cause: RenderCause) -> RenderFailure {
    RenderFailure {
        template: template.to_owned(),
        location,
        cause,
    }
}

/// Rows that could not be decided: for each blocker, each call failure, each undecided
/// assertion and each cause of a template that does not render.
fn undecided(at: &Location) -> Vec<Variant> {
    let undecided = |problem: Undecided| AssertionUndecided {
        location: at.clone(),
        problem,
    };
    let blocked = |label, blocker| (label, Severity::Error, Status::Undecided(blocker));
    let call = |label, failure| blocked(label, Blocker::Call(Arc::new(failure)));
    let assertion = |label, problem| blocked(label, Blocker::Assertion(undecided(problem)));
    vec![
        blocked("error-call-failed", Blocker::Call(call_failed())),
        call(
            "error-call-not-rendered",
            Failure::Render {
                call: "cluster".to_owned(),
                failure: render(
                    "{{vars.cluster}}",
                    None,
                    RenderCause::Absent {
                        path: vec!["vars".to_owned(), "cluster".to_owned()],
                        present: 0,
                    },
                ),
            },
        ),
        call(
            "error-call-condition",
            Failure::Condition {
                call: "addons".to_owned(),
                problem: undecided(Undecided::InvalidOperand {
                    predicate: Keyword::Matches,
                    problem: "unclosed group".to_owned(),
                }),
            },
        ),
        call(
            "error-call-too-many-rows",
            Failure::TooManyRows {
                call: "group".to_owned(),
                rows: 20_000,
                limit: 10_000,
            },
        ),
        assertion(
            "error-assertion-type-mismatch",
            Undecided::TypeMismatch {
                predicate: Keyword::InCidr,
                expected: "a string or a list of strings",
                actual: "a number",
            },
        ),
        assertion(
            "error-assertion-path",
            Undecided::Render(render(
                "$.subnets[?@.id == '{{group}}']",
                None,
                RenderCause::InvalidPath {
                    rendered: "$.subnets[?@.id == 'a'b']".to_owned(),
                    problem: "unexpected `b`".to_owned(),
                },
            )),
        ),
        assertion(
            "error-assertion-no-response",
            Undecided::NoResponse {
                call: "cluster".to_owned(),
            },
        ),
        blocked(
            "error-title",
            Blocker::Title(render(
                "Row {{group.spec.name}}",
                None,
                RenderCause::Absent {
                    path: ["group", "spec", "name"].map(str::to_owned).to_vec(),
                    present: 1,
                },
            )),
        ),
        blocked(
            "error-remediation",
            Blocker::Remediation(render(
                "Fix {{arn_name group}}",
                Some(at.clone()),
                RenderCause::Other("`arn_name` takes an ARN".to_owned()),
            )),
        ),
        blocked(
            "error-remediation-path",
            Blocker::Remediation(render(
                "$.{{group}}",
                None,
                RenderCause::InvalidPath {
                    rendered: "$.{{group}}".to_owned(),
                    problem: "a name is expected".to_owned(),
                },
            )),
        ),
        blocked(
            "error-title-unlocated",
            Blocker::Title(render(
                "{{select group}}",
                None,
                RenderCause::Other("`select` takes 3 arguments".to_owned()),
            )),
        ),
    ]
}

/// Skipped rows: for each reason, each state of a needed check, each reason a call was not
/// made. `failure` stands for a false `when`.
fn skipped(failure: &AssertionFailure) -> Vec<Variant> {
    let when_false = |path: &str| AssertionFailure {
        path: path.to_owned(),
        actual: Some(json!("CREATING")),
        ..failure.clone()
    };
    let not_made = Arc::new(NotMade {
        call: "addons".to_owned(),
        reason: NotMadeReason::When(Box::new(when_false("$"))),
    });
    let skip = |label, reason| (label, Severity::Error, Status::Skip(reason));
    let needs = |label, state| {
        let check = "active".to_owned();
        skip(label, SkipReason::Needs { check, state })
    };
    vec![
        needs("skip-needs-failed", NeedState::Failed),
        needs("skip-needs-error", NeedState::Undecided),
        needs("skip-needs-skipped", NeedState::Skipped),
        skip(
            "skip-when",
            SkipReason::When(Box::new(when_false("$.cluster.status"))),
        ),
        skip("skip-not-made", SkipReason::NotMade(Arc::clone(&not_made))),
        skip(
            "skip-not-made-reads",
            SkipReason::NotMade(Arc::new(NotMade {
                call: "versions".to_owned(),
                reason: NotMadeReason::Reads(not_made),
            })),
        ),
        skip(
            "skip-overridden",
            SkipReason::Overridden("known, tracked in OPS-1".to_owned()),
        ),
    ]
}

/// The outcomes of [`variants`]: a real run's rows, each made to end as its label says.
fn outcomes(loaded: &testkit::Loaded) -> Vec<Outcome> {
    let plan = loaded.plan();
    // A first run gives the assertion failure (and its place) the variants are built from.
    let ran = run(&plan, &["first"]);
    let Status::Fail(failed) = &ran[0].status else {
        panic!("the check fails: {:?}", ran[0].status)
    };
    let failure = &failed.assertions[0];
    let variants = variants(failure);
    let labels: Vec<&str> = variants.iter().map(|(label, ..)| *label).collect();
    let mut outcomes = run(&plan, &labels);
    assert_eq!(outcomes.len(), variants.len());
    assert_eq!(labels[1], "fail-error");
    let names: Vec<_> = outcomes.iter().map(|o| o.name.clone()).collect();
    let named =
        |label: &str| names[labels.iter().position(|l| *l == label).expect("a row")].clone();
    for (outcome, (label, severity, status)) in outcomes.iter_mut().zip(variants) {
        assert_eq!(outcome.row.label().as_deref(), Some(label));
        if !matches!(status, Status::Fail(_)) {
            outcome.remediation = None;
        }
        if label == "fail-cross-checked" {
            outcome.cross_checks = vec![
                (named("pass"), CrossState::Passed),
                (named("fail-error"), CrossState::Failed),
                (named("error-call-failed"), CrossState::Undecided),
                (
                    named("skip-overridden"),
                    CrossState::Skipped(SkipReason::Overridden("known".to_owned())),
                ),
            ]
            .into_iter()
            .map(|(name, ended)| CrossCheck { name, ended })
            .collect();
        }
        outcome.severity = severity;
        outcome.status = status;
        outcome.elapsed = Duration::ZERO;
    }
    // Last, a failure as a fleet's target reports it.
    let mut on_target = outcomes[1].clone();
    on_target.name.set_target(target().label());
    outcomes.push(on_target);
    outcomes
}

/// The fleet's target of the last outcome.
fn target() -> Target {
    Target {
        account: "123456789012".to_owned(),
        region: "eu-west-1".to_owned(),
        cluster: "prod".to_owned(),
        credentials: Credentials::default(),
    }
}

/// The check's outcomes on a recording that lists one nodegroup per label.
fn run(plan: &crate::plan::Plan, labels: &[&str]) -> Vec<Outcome> {
    let recording = Recording::default()
        .answer(
            "eks:DescribeCluster",
            json!({"name": "c1"}),
            json!({"cluster": {"name": "c1", "status": "FAILED"}}),
        )
        .answer(
            "eks:ListNodegroups",
            json!({"clusterName": "c1"}),
            json!({ "nodegroups": labels }),
        );
    testkit::run(plan, recording, &[("cluster", "c1")], &Overrides::default())
}

/// The variants `outcome` shows, as `Type::Variant`. Exhaustive: a new variant does not compile
/// until it is named here.
fn kinds(outcome: &Outcome, seen: &mut BTreeSet<&'static str>) {
    match &outcome.status {
        Status::Pass => seen.insert("Status::Pass"),
        Status::Fail(failed) => {
            let kind = match outcome.severity {
                Severity::Error => "Severity::Error",
                Severity::Warning => "Severity::Warning",
                Severity::Info => "Severity::Info",
            };
            seen.insert(kind);
            for failure in &failed.assertions {
                assertion_kinds(failure, seen);
            }
            if let Some(unchecked) = &failed.unchecked {
                failure_kinds(unchecked, seen);
            }
            for cross_check in &outcome.cross_checks {
                let kind = match &cross_check.ended {
                    CrossState::Passed => "CrossState::Passed",
                    CrossState::Failed => "CrossState::Failed",
                    CrossState::Undecided => "CrossState::Undecided",
                    CrossState::Skipped(reason) => {
                        skip_kinds(reason, seen);
                        "CrossState::Skipped"
                    }
                };
                seen.insert(kind);
            }
            seen.insert("Status::Fail")
        }
        Status::Undecided(blocker) => {
            let kind = match blocker {
                Blocker::Call(failure) => {
                    failure_kinds(failure, seen);
                    "Blocker::Call"
                }
                Blocker::Assertion(problem) => {
                    undecided_kinds(&problem.problem, seen);
                    "Blocker::Assertion"
                }
                Blocker::Title(failure) => {
                    render_kinds(failure, seen);
                    "Blocker::Title"
                }
                Blocker::Remediation(failure) => {
                    render_kinds(failure, seen);
                    "Blocker::Remediation"
                }
            };
            seen.insert(kind);
            seen.insert("Status::Undecided")
        }
        Status::Skip(reason) => {
            skip_kinds(reason, seen);
            seen.insert("Status::Skip")
        }
    };
}

fn skip_kinds(reason: &SkipReason, seen: &mut BTreeSet<&'static str>) {
    let kind = match reason {
        SkipReason::Needs { state, .. } => {
            let kind = match state {
                NeedState::Failed => "NeedState::Failed",
                NeedState::Undecided => "NeedState::Undecided",
                NeedState::Skipped => "NeedState::Skipped",
            };
            seen.insert(kind);
            "SkipReason::Needs"
        }
        SkipReason::When(failure) => {
            assertion_kinds(failure, seen);
            "SkipReason::When"
        }
        SkipReason::NotMade(not_made) => {
            not_made_kinds(not_made, seen);
            "SkipReason::NotMade"
        }
        SkipReason::Overridden(_) => "SkipReason::Overridden",
    };
    seen.insert(kind);
}

fn not_made_kinds(not_made: &NotMade, seen: &mut BTreeSet<&'static str>) {
    let kind = match &not_made.reason {
        NotMadeReason::When(failure) => {
            assertion_kinds(failure, seen);
            "NotMadeReason::When"
        }
        NotMadeReason::Reads(inner) => {
            not_made_kinds(inner, seen);
            "NotMadeReason::Reads"
        }
    };
    seen.insert(kind);
}

fn assertion_kinds(failure: &AssertionFailure, seen: &mut BTreeSet<&'static str>) {
    let kind = match &failure.reason {
        FailureReason::False(note) => {
            if let Some(note) = note {
                note_kinds(note, seen);
            }
            "FailureReason::False"
        }
        FailureReason::TypeMismatch { .. } => "FailureReason::TypeMismatch",
    };
    seen.insert(kind);
}

fn note_kinds(note: &Note, seen: &mut BTreeSet<&'static str>) {
    let kind = match note {
        Note::Element { .. } => "Note::Element",
        Note::Missing(_) => "Note::Missing",
        Note::Count(_) => "Note::Count",
        Note::Outside { .. } => "Note::Outside",
        Note::AclDenies { .. } => "Note::AclDenies",
        Note::NoGroupRule { .. } => "Note::NoGroupRule",
        Note::NothingSelected => "Note::NothingSelected",
        Note::Each(notes) => {
            for note in notes {
                note_kinds(note, seen);
            }
            "Note::Each"
        }
        Note::NoAlternativeHolds { .. } => "Note::NoAlternativeHolds",
        Note::Line { .. } => "Note::Line",
        Note::AlternativeFails { note, .. } => {
            if let Some(note) = note {
                note_kinds(note, seen);
            }
            "Note::AlternativeFails"
        }
    };
    seen.insert(kind);
}

fn failure_kinds(failure: &Failure, seen: &mut BTreeSet<&'static str>) {
    let kind = match failure {
        Failure::Call { .. } => "Failure::Call",
        Failure::Render { failure, .. } => {
            render_kinds(failure, seen);
            "Failure::Render"
        }
        Failure::Condition { problem, .. } => {
            undecided_kinds(&problem.problem, seen);
            "Failure::Condition"
        }
        Failure::TooManyRows { .. } => "Failure::TooManyRows",
    };
    seen.insert(kind);
}

fn undecided_kinds(problem: &Undecided, seen: &mut BTreeSet<&'static str>) {
    let kind = match problem {
        Undecided::TypeMismatch { .. } => "Undecided::TypeMismatch",
        Undecided::InvalidOperand { .. } => "Undecided::InvalidOperand",
        Undecided::Render(failure) => {
            render_kinds(failure, seen);
            "Undecided::Render"
        }
        Undecided::NoResponse { .. } => "Undecided::NoResponse",
    };
    seen.insert(kind);
}

fn render_kinds(failure: &RenderFailure, seen: &mut BTreeSet<&'static str>) {
    let kind = match failure.cause {
        RenderCause::Absent { .. } => "RenderCause::Absent",
        RenderCause::InvalidPath { .. } => "RenderCause::InvalidPath",
        RenderCause::Other(_) => "RenderCause::Other",
    };
    seen.insert(kind);
}

/// Every name [`kinds`] gives.
const EVERY_KIND: &[&str] = &[
    "Blocker::Assertion",
    "Blocker::Call",
    "Blocker::Remediation",
    "Blocker::Title",
    "CrossState::Failed",
    "CrossState::Passed",
    "CrossState::Skipped",
    "CrossState::Undecided",
    "Failure::Call",
    "Failure::Condition",
    "Failure::Render",
    "Failure::TooManyRows",
    "FailureReason::False",
    "FailureReason::TypeMismatch",
    "NeedState::Failed",
    "NeedState::Skipped",
    "NeedState::Undecided",
    "NotMadeReason::Reads",
    "NotMadeReason::When",
    "Note::AclDenies",
    "Note::AlternativeFails",
    "Note::Count",
    "Note::Each",
    "Note::Element",
    "Note::Line",
    "Note::Missing",
    "Note::NoAlternativeHolds",
    "Note::NoGroupRule",
    "Note::NothingSelected",
    "Note::Outside",
    "RenderCause::Absent",
    "RenderCause::InvalidPath",
    "RenderCause::Other",
    "Severity::Error",
    "Severity::Info",
    "Severity::Warning",
    "SkipReason::Needs",
    "SkipReason::NotMade",
    "SkipReason::Overridden",
    "SkipReason::When",
    "Status::Fail",
    "Status::Pass",
    "Status::Skip",
    "Status::Undecided",
    "Undecided::InvalidOperand",
    "Undecided::NoResponse",
    "Undecided::Render",
    "Undecided::TypeMismatch",
];

#[test]
fn every_variant_has_an_example() {
    let loaded = testkit::pack(SUITE);
    let mut seen = BTreeSet::new();
    for outcome in outcomes(&loaded) {
        kinds(&outcome, &mut seen);
    }
    let every: BTreeSet<&str> = EVERY_KIND.iter().copied().collect();
    let missing: Vec<_> = every.difference(&seen).collect();
    let unlisted: Vec<_> = seen.difference(&every).collect();
    assert!(
        missing.is_empty() && unlisted.is_empty(),
        "no example of {missing:?} in `variants`; not in EVERY_KIND: {unlisted:?}"
    );
}

/// Asserts that `text` matches the snapshot `name`, the pack's directory shown as `[dir]`.
#[track_caller]
fn snapshot(name: &str, loaded: &testkit::Loaded, text: &str) {
    let dir = loaded.dir().to_str().expect("a UTF-8 path");
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    settings.set_snapshot_path("snapshots");
    settings.bind(|| assert_snapshot!(name, text.replace(dir, "[dir]")));
}

#[test]
fn every_variant_on_the_console() {
    let loaded = testkit::pack(SUITE);
    let args = Arguments {
        color: Some(ColorSetting::Never),
        ..Arguments::default()
    };
    let summary = console::RunSummary {
        elapsed: Duration::ZERO,
        requests: 0,
    };
    let mut text = Vec::new();
    console::write(&mut text, &args, &outcomes(&loaded), 0, summary).expect("written");
    let text = String::from_utf8(text).expect("UTF-8");
    snapshot("every_variant_console", &loaded, &text);
}

#[test]
fn every_variant_in_junit() {
    let loaded = testkit::pack(SUITE);
    let plan = loaded.plan();
    let report = junit::report(&plan, &outcomes(&loaded), Duration::ZERO);
    let xml = report.to_string().expect("serialized");
    snapshot("every_variant_junit", &loaded, &xml);
}

#[test]
fn every_variant_in_the_json_records() {
    let loaded = testkit::pack(SUITE);
    let plan = loaded.plan();
    let outcomes = outcomes(&loaded);
    let target = target();
    let mut rows: Vec<records::Row> = outcomes.iter().map(|outcome| (outcome, None)).collect();
    if let Some(last) = rows.last_mut() {
        last.1 = Some(&target);
    }
    let lines = records::json_lines(&plan, &rows);
    // Each record on one line, as written, and checked to be JSON.
    for line in lines.lines() {
        serde_json::from_str::<Value>(line).expect("a JSON record");
    }
    snapshot("every_variant_records", &loaded, &lines);
}

/// A denied call is worded with the IAM action it needs, once: after the service's message,
/// unless the message names it; a recording made before the action was kept apart holds those
/// words in its message, and reads the same.
#[test]
fn a_denied_call_names_the_action_it_needs_once() {
    let service = "You are not authorized to perform this operation.";
    let words = "(this check needs the IAM action ec2:GetConsoleOutput)";
    let worded = format!("UnauthorizedOperation: {service} {words}");
    let denied = CallError::new("UnauthorizedOperation", service)
        .noting_denied_action("ec2:GetConsoleOutput");
    assert_eq!(text::call_error(&denied), worded);
    let recorded_before = CallError::new("UnauthorizedOperation", format!("{service} {words}"));
    assert_eq!(text::call_error(&recorded_before), worded);
    let named = "User ci is not authorized to perform: iam:GetRole";
    let naming = CallError::new("AccessDenied", named).noting_denied_action("iam:GetRole");
    assert_eq!(text::call_error(&naming), format!("AccessDenied: {named}"));
}

//! Pack tests: the outcomes a pack must give on a recorded account, so that a pack's examples are
//! its regression tests (`ekscheck test`).
//!
//! A case is a directory `PACK/tests/CASE/` holding `expect.yaml` and the recording it runs on,
//! `recording/`:
//!
//! ```yaml
//! vars: { cluster: broken }
//! outcomes:
//!   "node-join::iam::node-role-has-cni-policy[ng-1]": fail
//!   "node-join::network::subnet-free-ips[ng-1/subnet-0a1b]": { outcome: fail, message: "free addresses" }
//! others: pass   # rows not listed must pass or be skipped (or: any)
//! ```

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::diagnostic::{Diagnostic, SourceFile};
use crate::evaluate::{Outcome, OutcomeKind};
use crate::format::TESTS;
use crate::format::yaml::{self, Node, Spanned, location_of};
use crate::input;
use crate::plan::Plan;
use crate::suggest;
use crate::test_name::TestName;
use crate::vars::{self, FileVar};

/// The file of a case that says what to expect.
pub(crate) const EXPECT: &str = "expect.yaml";
/// The directory of a case that holds its recording.
pub(crate) const RECORDING: &str = "recording";

/// What the rows a case does not list must do (`others:`).
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Others {
    /// Pass, or be skipped.
    #[default]
    Pass,
    /// Anything.
    Any,
}

/// One listed row.
#[derive(Clone, Debug)]
pub(crate) struct Expected {
    /// The test name, `PACK::SUITE::ID` or `PACK::SUITE::ID[LABEL]`.
    pub(crate) test: String,
    /// How it must end.
    pub(crate) outcome: OutcomeKind,
    /// Text its message must contain.
    pub(crate) message: Option<String>,
}

/// One case of a pack.
#[derive(Debug)]
pub struct Case {
    /// Index of its pack in the plan.
    pub pack: usize,
    /// `PACK::tests::CASE`.
    pub name: TestName,
    /// Its `expect.yaml`.
    pub file: PathBuf,
    /// Its recording directory.
    pub recording: PathBuf,
    /// Its variables (`vars:`).
    pub vars: Vec<FileVar>,
    /// The rows it lists, in file order.
    pub(crate) expected: Vec<Expected>,
    /// What the other rows must do.
    pub(crate) others: Others,
}

/// `expect.yaml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    /// For the reader only.
    #[serde(default, rename = "description")]
    _description: Option<String>,
    #[serde(default)]
    vars: Option<Spanned<Node>>,
    #[serde(default)]
    outcomes: Option<Spanned<Node>>,
    #[serde(default)]
    others: Others,
}

/// Reads every case of pack `pack` of `plan` (none when it has no `tests/`), checking each
/// listed test against the pack's checks.
pub fn load_cases(plan: &Plan, pack: usize, problems: &mut Vec<Diagnostic>) -> Vec<Case> {
    let Some(dir) = plan.packs.get(pack).map(|pack| &pack.dir) else {
        return Vec::new();
    };
    // The cases' files are read inside the pack, as its suites are.
    let tests = dir.join(TESTS);
    let root = match std::fs::symlink_metadata(&tests) {
        Ok(_) => input::Root::new(dir).and_then(|pack| pack.subdir(&tests)),
        Err(_) => return Vec::new(),
    };
    let root = match root {
        Ok(root) => root,
        Err(problem) => {
            problems.push(problem);
            return Vec::new();
        }
    };
    let Ok(entries) = std::fs::read_dir(&tests) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .filter(|entry| entry.file_type().is_ok_and(|kind| kind.is_dir()))
        .map(|entry| entry.path())
        .collect();
    dirs.sort();
    dirs.iter()
        .filter_map(|dir| load_case(plan, pack, &root, dir, problems))
        .collect()
}

fn load_case(
    plan: &Plan,
    pack: usize,
    root: &input::Root,
    dir: &Path,
    problems: &mut Vec<Diagnostic>,
) -> Option<Case> {
    let case_name = dir.file_name()?.to_string_lossy().into_owned();
    let expect = dir.join(EXPECT);
    if std::fs::symlink_metadata(&expect).is_err() {
        problems.push(
            Diagnostic::file(
                dir,
                format_args!("is not a pack test: there is no {EXPECT}"),
            )
            .with_help(format!(
                "a directory under {TESTS}/ is one test case: add {EXPECT} and {RECORDING}/"
            )),
        );
        return None;
    }
    let recording = dir.join(RECORDING);
    let before = problems.len();
    if !recording.is_dir() {
        problems.push(
            Diagnostic::file(dir, format_args!("has no {RECORDING}/ directory to run on"))
                .with_help(format!(
                    "record one: ekscheck record PACK --var NAME=VALUE --redact --out {}",
                    recording.display()
                )),
        );
    } else if let Err(problem) = root.subdir(&recording) {
        problems.push(problem);
    }
    let file = root
        .read_source(&expect, input::YAML_LIMIT)
        .map_err(|problem| problems.push(problem))
        .ok()?;
    let raw = yaml::parse::<RawCase>(&file)
        .map_err(|problem| problems.push(problem))
        .ok()?;
    let vars = match raw.vars {
        Some(node) => vars::entries(&file, node)
            .map_err(|problem| problems.push(problem))
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let expected = match raw.outcomes {
        Some(node) => expected_rows(plan, pack, &file, node, problems),
        None => Vec::new(),
    };
    (problems.len() == before).then(|| Case {
        pack,
        name: TestName::new(&plan.packs[pack].name, TESTS, &case_name, None),
        file: expect,
        recording,
        vars,
        expected,
        others: raw.others,
    })
}

/// The entries of `outcomes:`: `TEST: OUTCOME` or `TEST: { outcome: OUTCOME, message: TEXT }`.
fn expected_rows(
    plan: &Plan,
    pack: usize,
    file: &Arc<SourceFile>,
    node: Spanned<Node>,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Expected> {
    let Node::Map(entries) = node.value else {
        problems.push(
            Diagnostic::error(location_of(file, &node), "`outcomes` must be a mapping")
                .with_help("write `\"PACK::SUITE::ID[ROW]\": fail`, one line per row"),
        );
        return Vec::new();
    };
    let checks: Vec<&str> = plan
        .checks
        .iter()
        .filter(|check| check.pack == pack)
        .map(|check| check.name.as_str())
        .collect();
    let mut expected = Vec::new();
    for (test, value) in entries {
        let check = test.value.split('[').next().unwrap_or_default();
        if !checks.contains(&check) {
            problems.push(
                Diagnostic::error(
                    location_of(file, &test),
                    format!("`{check}` is not a check of this pack"),
                )
                .with_help(suggest::did_you_mean(check, checks.iter().copied())),
            );
            continue;
        }
        match outcome_of(file, &value) {
            Ok((outcome, message)) => expected.push(Expected {
                test: test.value,
                outcome,
                message,
            }),
            Err(problem) => problems.push(problem),
        }
    }
    expected
}

fn outcome_of(
    file: &Arc<SourceFile>,
    value: &Spanned<Node>,
) -> Result<(OutcomeKind, Option<String>), Diagnostic> {
    let wrong = |at: &Spanned<Node>, what: String| {
        Diagnostic::error(location_of(file, at), what).with_help(
            "write `pass`, `fail`, `error` or `skip`, or `{ outcome: fail, message: TEXT }`",
        )
    };
    match &value.value {
        Node::String(name) => OutcomeKind::named(name)
            .map(|outcome| (outcome, None))
            .ok_or_else(|| wrong(value, format!("`{name}` is not an outcome"))),
        Node::Map(entries) => {
            let (mut outcome, mut message) = (None, None);
            for (key, entry) in entries {
                match (key.value.as_str(), &entry.value) {
                    ("outcome", Node::String(name)) => {
                        outcome =
                            Some(OutcomeKind::named(name).ok_or_else(|| {
                                wrong(entry, format!("`{name}` is not an outcome"))
                            })?);
                    }
                    ("message", Node::String(text)) => message = Some(text.clone()),
                    ("outcome" | "message", other) => {
                        return Err(wrong(
                            entry,
                            format!("`{}` is {}, not text", key.value, other.kind()),
                        ));
                    }
                    (other, _) => {
                        return Err(Diagnostic::error(
                            location_of(file, key),
                            format!("unknown key `{other}`"),
                        )
                        .with_help(suggest::did_you_mean(other, ["outcome", "message"])));
                    }
                }
            }
            outcome
                .map(|outcome| (outcome, message))
                .ok_or_else(|| wrong(value, "the `outcome` is missing".to_owned()))
        }
        other => Err(wrong(
            value,
            format!("an outcome is text, not {}", other.kind()),
        )),
    }
}

/// How a run differs from what a case expects.
#[derive(Clone, Debug, PartialEq)]
pub enum Mismatch {
    /// A listed row ended otherwise.
    Outcome {
        /// The row.
        test: String,
        /// As listed.
        expected: OutcomeKind,
        /// As run.
        actual: OutcomeKind,
        /// The row's message.
        message: String,
    },
    /// A listed row ended as expected, but its message lacks the listed text.
    Message {
        /// The row.
        test: String,
        /// The text listed.
        expected: String,
        /// The row's message.
        message: String,
    },
    /// A listed row is not a row of the run.
    NoSuchRow {
        /// The row.
        test: String,
        /// The rows the check had.
        rows: Vec<String>,
    },
    /// A row not listed failed or errored although `others: pass`.
    Unlisted {
        /// The row.
        test: String,
        /// How it ended.
        actual: OutcomeKind,
        /// The row's message.
        message: String,
    },
}

/// Compares the outcomes of a case's run (of its pack's checks) with what it expects; `message`
/// words an outcome.
pub fn compare(
    case: &Case,
    outcomes: &[Outcome],
    message: impl Fn(&Outcome) -> String,
) -> Vec<Mismatch> {
    let mut mismatches = Vec::new();
    for expected in &case.expected {
        let Some(outcome) = outcomes.iter().find(|o| o.name == expected.test.as_str()) else {
            let check = expected.test.split('[').next().unwrap_or_default();
            let rows = outcomes
                .iter()
                .filter(|o| o.name.check() == check)
                .map(|o| o.name.to_string())
                .collect();
            mismatches.push(Mismatch::NoSuchRow {
                test: expected.test.clone(),
                rows,
            });
            continue;
        };
        let actual = outcome.status.kind();
        let text = message(outcome);
        if actual != expected.outcome {
            mismatches.push(Mismatch::Outcome {
                test: expected.test.clone(),
                expected: expected.outcome,
                actual,
                message: text,
            });
        } else if let Some(wanted) = &expected.message
            && !text.contains(wanted.as_str())
        {
            mismatches.push(Mismatch::Message {
                test: expected.test.clone(),
                expected: wanted.clone(),
                message: text,
            });
        }
    }
    if case.others == Others::Pass {
        for outcome in outcomes {
            let actual = outcome.status.kind();
            let listed = case
                .expected
                .iter()
                .any(|e| outcome.name == e.test.as_str());
            if !listed && matches!(actual, OutcomeKind::Fail | OutcomeKind::Error) {
                mismatches.push(Mismatch::Unlisted {
                    test: outcome.name.to_string(),
                    actual,
                    message: message(outcome),
                });
            }
        }
    }
    mismatches
}

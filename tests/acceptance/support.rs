//! Helpers shared by the acceptance tests: run the `ekscheck` binary, write packs into temporary
//! directories, and read JUnit reports back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use serde_json::{Value, json};

/// What a run of the binary did.
#[derive(Debug)]
pub(crate) struct Run {
    /// The exit code (`-1` if killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Panics with the whole output unless the run exited with `code`.
    #[track_caller]
    pub(crate) fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code {} (expected {code})\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        );
        self
    }

    /// Panics with the whole output unless standard output contains `text`.
    #[track_caller]
    pub(crate) fn expect_stdout_contains(&self, text: &str) -> &Self {
        assert!(
            self.stdout.contains(text),
            "stdout lacks {text:?}\n--- stdout ---\n{}",
            self.stdout
        );
        self
    }
}

/// The `ekscheck` binary, ready to take arguments.
pub(crate) fn command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ekscheck"));
    command.env("NO_COLOR", "1");
    command
}

/// Runs `command` to completion.
pub(crate) fn run_command(command: &mut Command) -> Run {
    let output = command.output().expect("the ekscheck binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Runs `ekscheck ARGS…`.
pub(crate) fn ekscheck(args: &[&str]) -> Run {
    run_command(command().args(args))
}

/// A directory of files written for one test, removed when dropped.
pub(crate) struct Dir {
    dir: tempfile::TempDir,
}

impl Dir {
    /// A new empty directory.
    pub(crate) fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("a temporary directory"),
        }
    }

    /// A directory holding `files` (relative path, contents).
    pub(crate) fn with(files: &[(&str, &str)]) -> Self {
        let dir = Self::new();
        for (path, text) in files {
            dir.write(path, text);
        }
        dir
    }

    /// Writes one file, creating its parent directories.
    pub(crate) fn write(&self, path: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write");
        path
    }

    /// The directory's path.
    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A path inside the directory, as a string for command lines.
    pub(crate) fn join(&self, relative: &str) -> String {
        self.dir.path().join(relative).display().to_string()
    }
}

/// How one test case of a JUnit report ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CaseOutcome {
    /// No child element.
    Pass,
    /// `<failure type=…>`: the type (the check's severity).
    Failure(String),
    /// `<error>`.
    Error,
    /// `<skipped message=…>`: the reason.
    Skipped(String),
}

/// One `<testcase>`.
#[derive(Clone, Debug)]
pub(crate) struct Case {
    /// `name`: `ID` or `ID[LABEL]`.
    pub name: String,
    /// `classname`: `PACK::SUITE`.
    pub classname: String,
    /// How it ended.
    pub outcome: CaseOutcome,
    /// The `message` of the failure, error or skip.
    pub message: String,
    /// The text inside the failure or error element.
    pub text: String,
    /// `<properties>` of the case.
    pub properties: BTreeMap<String, String>,
}

impl Case {
    /// `PACK::SUITE::ID[LABEL]`, as the console names it.
    pub(crate) fn full_name(&self) -> String {
        format!("{}::{}", self.classname, self.name)
    }
}

/// One `<testsuite>` with its counters as written.
#[derive(Clone, Debug, Default)]
pub(crate) struct Suite {
    /// `name`.
    pub name: String,
    /// `tests`, `failures`, `errors`, `skipped` attributes.
    pub counts: BTreeMap<String, usize>,
    /// Its `<properties>`.
    pub properties: BTreeMap<String, String>,
    /// Its cases.
    pub cases: Vec<Case>,
}

/// A parsed JUnit report.
#[derive(Clone, Debug, Default)]
pub(crate) struct Junit {
    /// The counters of `<testsuites>`.
    pub counts: BTreeMap<String, usize>,
    /// The suites.
    pub suites: Vec<Suite>,
}

impl Junit {
    /// Every case, in report order.
    pub(crate) fn cases(&self) -> impl Iterator<Item = &Case> {
        self.suites.iter().flat_map(|s| &s.cases)
    }

    /// Each case's full name and outcome.
    pub(crate) fn outcomes(&self) -> BTreeMap<String, CaseOutcome> {
        self.cases()
            .map(|case| (case.full_name(), case.outcome.clone()))
            .collect()
    }

    /// The case named `PACK::SUITE::ID[LABEL]`.
    #[track_caller]
    pub(crate) fn case(&self, full_name: &str) -> &Case {
        self.cases()
            .find(|case| case.full_name() == full_name)
            .unwrap_or_else(|| {
                let names: Vec<String> = self.cases().map(Case::full_name).collect();
                panic!("no case {full_name} in {names:#?}")
            })
    }
}

fn attributes(element: &BytesStart) -> BTreeMap<String, String> {
    element
        .attributes()
        .map(|attribute| {
            let attribute = attribute.expect("a well-formed attribute");
            (
                String::from_utf8_lossy(attribute.key.as_ref()).into_owned(),
                attribute
                    .normalized_value(XmlVersion::Implicit1_0)
                    .expect("an escaped value")
                    .into_owned(),
            )
        })
        .collect()
}

fn counts(attributes: &BTreeMap<String, String>) -> BTreeMap<String, usize> {
    ["tests", "failures", "errors", "skipped"]
        .iter()
        .filter_map(|key| Some((key.to_string(), attributes.get(*key)?.parse().ok()?)))
        .collect()
}

/// Parses a JUnit XML report as ekscheck writes it; panics on malformed XML.
pub(crate) fn parse_junit(xml: &str) -> Junit {
    let mut reader = Reader::from_str(xml);
    let mut junit = Junit::default();
    let mut case: Option<Case> = None;
    let mut in_outcome = false;
    loop {
        let event = reader.read_event().expect("well-formed XML");
        let (element, empty) = match &event {
            Event::Start(element) => (Some(element.clone()), false),
            Event::Empty(element) => (Some(element.clone()), true),
            _ => (None, false),
        };
        if let Some(element) = element {
            let attributes = attributes(&element);
            let get = |key: &str| attributes.get(key).cloned().unwrap_or_default();
            match element.name().as_ref() {
                b"testsuites" => junit.counts = counts(&attributes),
                b"testsuite" => junit.suites.push(Suite {
                    name: get("name"),
                    counts: counts(&attributes),
                    ..Suite::default()
                }),
                b"testcase" => {
                    let new = Case {
                        name: get("name"),
                        classname: get("classname"),
                        outcome: CaseOutcome::Pass,
                        message: String::new(),
                        text: String::new(),
                        properties: BTreeMap::new(),
                    };
                    if empty {
                        junit.suites.last_mut().expect("a suite").cases.push(new);
                    } else {
                        case = Some(new);
                    }
                }
                b"property" => {
                    let (name, value) = (get("name"), get("value"));
                    match case.as_mut() {
                        Some(case) => {
                            case.properties.insert(name, value);
                        }
                        None => {
                            if let Some(suite) = junit.suites.last_mut() {
                                suite.properties.insert(name, value);
                            }
                        }
                    }
                }
                name @ (b"failure" | b"error" | b"skipped") => {
                    let case = case.as_mut().expect("an outcome inside a testcase");
                    case.message = get("message");
                    case.outcome = match name {
                        b"failure" => CaseOutcome::Failure(get("type")),
                        b"error" => CaseOutcome::Error,
                        _ => CaseOutcome::Skipped(get("message")),
                    };
                    in_outcome = !empty;
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Text(text) if in_outcome => {
                if let Some(case) = case.as_mut() {
                    case.text.push_str(&text.decode().expect("UTF-8"));
                }
            }
            Event::GeneralRef(reference) if in_outcome => {
                if let Some(case) = case.as_mut() {
                    let name = reference.decode().expect("UTF-8");
                    case.text.push_str(match name.as_ref() {
                        "lt" => "<",
                        "gt" => ">",
                        "amp" => "&",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            }
            Event::End(element) => match element.name().as_ref() {
                b"testcase" => {
                    if let Some(case) = case.take() {
                        junit.suites.last_mut().expect("a suite").cases.push(case);
                    }
                }
                b"failure" | b"error" | b"skipped" => in_outcome = false,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
    }
    junit
}

/// The manifest written when a test's pack does not bring its own `pack.yaml`.
pub(crate) const MANIFEST: &str = "pack: t\nversion: 1.0.0\n";

/// Pack `t` with a required variable `cluster` and a pack-level call `cluster`
/// (`eks:DescribeCluster` of it).
pub(crate) const CLUSTER_MANIFEST: &str = "\
pack: t
version: 1.0.0
vars:
  cluster: { required: true }
calls:
  cluster:
    api: eks:DescribeCluster
    params: { name: '{{vars.cluster}}' }
";

/// A pack (`pack/`) and a recording (`recording/`) written for one test.
pub(crate) struct Fixture {
    dir: Dir,
    recorded: usize,
}

impl Fixture {
    /// A pack of `files` (paths relative to the pack directory); `pack.yaml` is [`MANIFEST`]
    /// unless `files` has one.
    pub(crate) fn pack(files: &[(&str, &str)]) -> Self {
        let dir = Dir::new();
        if !files.iter().any(|(path, _)| *path == "pack.yaml") {
            dir.write("pack/pack.yaml", MANIFEST);
        }
        for (path, text) in files {
            dir.write(&format!("pack/{path}"), text);
        }
        Self { dir, recorded: 0 }
    }

    fn record(mut self, call: Value) -> Self {
        self.recorded += 1;
        let name = format!("recording/call-{:03}.json", self.recorded);
        self.dir
            .write(&name, &serde_json::to_string_pretty(&call).unwrap());
        self
    }

    /// Records that `api` with `params` answers `response`.
    pub(crate) fn respond(self, api: &str, params: Value, response: Value) -> Self {
        self.record(json!({"api": api, "params": params, "response": response}))
    }

    /// Records that `api` with `params` fails with the AWS error `code`.
    pub(crate) fn fail(self, api: &str, params: Value, code: &str, message: &str) -> Self {
        self.record(
            json!({"api": api, "params": params, "error": {"code": code, "message": message}}),
        )
    }

    /// The temporary directory holding `pack/` and `recording/`.
    pub(crate) fn dir(&self) -> &Dir {
        &self.dir
    }

    /// The pack directory.
    pub(crate) fn pack_dir(&self) -> String {
        self.dir.join("pack")
    }

    /// The recording directory.
    pub(crate) fn recording_dir(&self) -> String {
        self.dir.join("recording")
    }

    fn report_path(&self) -> String {
        self.dir.join("report.xml")
    }

    /// `ekscheck run PACK --recording RECORDING --junit REPORT ARGS…`.
    pub(crate) fn run(&self, args: &[&str]) -> Run {
        let report = self.report_path();
        let _ = std::fs::remove_file(&report);
        let (pack, recording) = (self.pack_dir(), self.recording_dir());
        let mut all = vec!["run", &pack, "--recording", &recording, "--junit", &report];
        all.extend_from_slice(args);
        ekscheck(&all)
    }

    /// The JUnit report the last [`Fixture::run`] wrote, if it wrote one.
    pub(crate) fn written_report(&self) -> Option<String> {
        std::fs::read_to_string(self.report_path()).ok()
    }

    /// [`Fixture::run`] and the JUnit report it wrote; panics with the run's output when it
    /// wrote none, so that a test never reads an empty report as "nothing went wrong".
    #[track_caller]
    pub(crate) fn run_with_report(&self, args: &[&str]) -> (Run, Junit) {
        let run = self.run(args);
        let xml = std::fs::read_to_string(self.report_path()).unwrap_or_else(|error| {
            panic!(
                "no JUnit report ({error}):\n--- stdout ---\n{}\n--- stderr ---\n{}",
                run.stdout, run.stderr
            )
        });
        let junit = parse_junit(&xml);
        assert!(
            junit.cases().next().is_some() || run.stdout.contains("running 0 tests"),
            "the JUnit report has no test case although the run reported some:\n{}",
            run.stdout
        );
        (run, junit)
    }

    /// `ekscheck validate PACK`: the run and its diagnostics (see [`diagnostics`]).
    pub(crate) fn validate(&self) -> (Run, Vec<String>) {
        let run = ekscheck(&["validate", &self.pack_dir()]);
        let printed = diagnostics(&run.stderr, self.dir.path());
        (run, printed)
    }
}

/// A failure of the given severity (`error`, `warning`, `info`).
pub(crate) fn failure(severity: &str) -> CaseOutcome {
    CaseOutcome::Failure(severity.to_owned())
}

/// A skip with its reason.
pub(crate) fn skipped(reason: &str) -> CaseOutcome {
    CaseOutcome::Skipped(reason.to_owned())
}

impl Junit {
    /// Each case's full name and outcome, in report order.
    pub(crate) fn outcome_list(&self) -> Vec<(String, CaseOutcome)> {
        self.cases()
            .map(|case| (case.full_name(), case.outcome.clone()))
            .collect()
    }
}

/// Owned `(name, outcome)` pairs, to compare with [`Junit::outcome_list`].
pub(crate) fn expected(pairs: &[(&str, CaseOutcome)]) -> Vec<(String, CaseOutcome)> {
    pairs
        .iter()
        .map(|(name, outcome)| ((*name).to_owned(), outcome.clone()))
        .collect()
}

/// The diagnostics `ekscheck` printed on `stderr`, each as `FILE:LINE:COLUMN: LEVEL: MESSAGE`
/// (`FILE` relative to `root`; `LEVEL` `error` or `warning`), or `LEVEL: MESSAGE` when the
/// diagnostic has no location; sorted.
pub(crate) fn diagnostics(stderr: &str, root: &Path) -> Vec<String> {
    let prefix = format!("{}/", root.display());
    let mut found: Vec<(String, String, Option<String>)> = Vec::new();
    for line in stderr.lines() {
        if let Some(message) = line.strip_prefix("  × ") {
            found.push(("error".into(), message.trim().to_owned(), None));
        } else if let Some(message) = line.strip_prefix("  ⚠ ") {
            found.push(("warning".into(), message.trim().to_owned(), None));
        } else if let (Some(more), Some((_, message, None))) =
            (line.strip_prefix("  │ "), found.last_mut())
        {
            // A long message wraps onto lines marked `│`, before its location.
            message.push(' ');
            message.push_str(more.trim());
        } else if let (Some(start), Some(last)) = (line.find("╭─["), found.last_mut()) {
            let inner = &line[start + "╭─[".len()..line.rfind(']').unwrap_or(line.len())];
            last.2 = Some(inner.replace(&prefix, ""));
        }
    }
    let mut printed: Vec<String> = found
        .into_iter()
        .map(|(level, message, at)| match at {
            Some(at) => format!("{at}: {level}: {message}"),
            None => format!("{level}: {}", message.replace(&prefix, "")),
        })
        .collect();
    printed.sort();
    printed
}

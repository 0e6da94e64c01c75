//! Snapshots (insta) of every rendering a person or a CI system reads: the console in libtest's
//! three formats, the JUnit report and `validate`'s diagnostics. A rendering change shows up as a
//! diff of `snapshots/*.snap` to review (`cargo insta review`, or `INSTA_UPDATE=always cargo
//! test` and `git diff`).

use insta::assert_snapshot;

use super::junit;
use crate::support::{Fixture, Run};

/// What varies between runs (timings, timestamps), as insta filters.
const VARYING: &[(&str, &str)] = &[
    (r"\b\d+\.\d+s\b", "[time]"),
    (r#"time="[0-9.]+""#, r#"time="[time]""#),
    (r#"timestamp="[^"]+""#, r#"timestamp="[timestamp]""#),
    (r#""exec_time": ?[0-9.e-]+"#, r#""exec_time": [time]"#),
];

/// Asserts that `text` matches the snapshot `name`, with the fixture's directory shown as
/// `[dir]` and what varies between runs replaced.
#[track_caller]
fn snapshot(name: &str, fixture: &Fixture, text: &str) {
    let text = text.replace(
        fixture.dir().path().to_str().expect("a UTF-8 path"),
        "[dir]",
    );
    let mut settings = insta::Settings::clone_current();
    settings.set_prepend_module_to_snapshot(false);
    for (pattern, replacement) in VARYING {
        settings.add_filter(pattern, *replacement);
    }
    settings.bind(|| assert_snapshot!(name, text));
}

/// The JUnit fixture run with `args` after `--`; exits 1 (an error-severity failure).
fn run(fixture: &Fixture, args: &[&str]) -> Run {
    let mut all = vec!["--"];
    all.extend_from_slice(args);
    let run = fixture.run(&all);
    run.expect_code(1);
    run
}

#[test]
fn console_pretty() {
    let fixture = junit::fixture();
    snapshot("console_pretty", &fixture, &run(&fixture, &[]).stdout);
}

#[test]
fn console_terse() {
    let fixture = junit::fixture();
    let run = run(&fixture, &["--format", "terse"]);
    snapshot("console_terse", &fixture, &run.stdout);
}

#[test]
fn console_json() {
    let fixture = junit::fixture();
    let run = run(&fixture, &["--format", "json"]);
    snapshot("console_json", &fixture, &run.stdout);
}

#[test]
fn junit_report() {
    let fixture = junit::fixture();
    run(&fixture, &[]);
    let report = fixture.written_report().expect("a JUnit report");
    snapshot("junit", &fixture, &report);
}

#[test]
fn validate_diagnostics() {
    let fixture = Fixture::pack(&[
        (
            "typo.yaml",
            "checks:\n  - id: a\n    title: A\n    on: cluster\n    expect:\n      - { path: $.x, equal: 1 }\n",
        ),
        (
            "broken.yaml",
            "\
calls:
  cluster:
    api: eks:DescribeClusters
    params: { name: '{{vars.clustr}}' }
checks:
  - id: active
    title: Cluster is ACTIVE
    on: clustre
    expect:
      - { path: '$.cluster[', exists: true }
",
        ),
    ]);
    let (run, _) = fixture.validate();
    run.expect_code(2);
    snapshot("validate", &fixture, &run.stderr);
}

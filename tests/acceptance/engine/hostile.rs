//! Hostile input: what once hung, panicked or ate the machine's memory ends as a clear error
//! (exit 2, naming the file or flag) or a correct result. Each case runs under a deadline far
//! below CI's, so that a regression fails fast instead of hanging the run.

use std::fs::File;
use std::os::unix::fs::symlink;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{Dir, Run, command};

/// Long enough for a debug build on a loaded machine, far shorter than a hang.
pub(super) const DEADLINE: Duration = Duration::from_secs(30);

pub(super) const MANIFEST: &str = "pack: p\nversion: 1.0.0\n";
pub(super) const SUITE: &str = "calls:\n  a: { value: \"x\" }\nchecks:\n  - id: c\n    title: t\n    on: a\n    \
                     expect: [{ exists: true }]\n";
pub(super) const CALL: &str =
    r#"{"api": "eks:ListClusters", "params": {}, "response": {"clusters": []}}"#;

/// A minimal valid pack (`p/`) and recording (`r/`).
pub(super) fn workspace() -> Dir {
    Dir::with(&[
        ("p/pack.yaml", MANIFEST),
        ("p/s.yaml", SUITE),
        ("r/x.json", CALL),
    ])
}

/// `ekscheck ARGS…` with `@NAME` standing for `dir/NAME`.
pub(super) fn ekscheck_in(dir: &Dir, args: &[&str]) -> Command {
    let mut command = command();
    for arg in args {
        match arg.strip_prefix('@') {
            Some(relative) => command.arg(dir.join(relative)),
            None => command.arg(arg),
        };
    }
    command.stdin(Stdio::null());
    command
}

/// Runs `command` to its end, or panics after [`DEADLINE`]; stdout is captured unless the
/// command already has one.
pub(super) fn within_deadline(dir: &Dir, mut command: Command, capture_stdout: bool) -> Run {
    let stderr = dir.path().join("stderr.txt");
    let stdout = dir.path().join("stdout.txt");
    command.stderr(File::create(&stderr).expect("a stderr file"));
    if capture_stdout {
        command.stdout(File::create(&stdout).expect("a stdout file"));
    }
    let mut child = command.spawn().expect("ekscheck starts");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting") {
            break status;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            panic!("{command:?} still runs after {DEADLINE:?}: it hangs");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let read = |path| std::fs::read_to_string(path).unwrap_or_default();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: read(&stdout),
        stderr: read(&stderr),
    }
}

/// Runs `args` in `dir` and checks it ends with exit 2 and a message holding `message`.
#[track_caller]
pub(super) fn refused(dir: &Dir, args: &[&str], message: &str) -> crate::support::Run {
    let run = within_deadline(dir, ekscheck_in(dir, args), true);
    assert_eq!(run.code, 2, "{args:?}\n{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains(message),
        "{args:?}: no `{message}` in\n{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

pub(super) fn fifo(path: &std::path::Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
}

#[test]
fn links_to_directories_are_not_followed() {
    for dir in ["p", "r"] {
        let work = workspace();
        symlink(".", work.path().join(dir).join("a")).expect("a link");
        symlink(".", work.path().join(dir).join("b")).expect("a link");
        symlink("/", work.path().join(dir).join("root")).expect("a link");
        refused(
            &work,
            &["run", "@p", "--recording", "@r"],
            "is a link to a directory, which ekscheck does not follow",
        );
    }
}

#[test]
fn only_regular_files_are_read() {
    // Inside a pack or a recording, a link to a file elsewhere is not followed at all: a pack
    // from another team cannot make ekscheck read (and echo) a file it was not given.
    const OUTSIDE: &str = "is a link to a file outside the directory, which ekscheck does not read";
    for (file, args, linked) in [
        ("p/zz.yaml", &["validate", "@p"][..], OUTSIDE),
        (
            "r/zz.json",
            &["run", "@p", "--recording", "@r"][..],
            OUTSIDE,
        ),
        (
            "vars.yaml",
            &[
                "run",
                "@p",
                "--recording",
                "@r",
                "--vars-file",
                "@vars.yaml",
            ][..],
            "is not a regular file but a device",
        ),
    ] {
        let work = workspace();
        fifo(&work.path().join(file));
        refused(&work, args, "is not a regular file but a FIFO");
        std::fs::remove_file(work.path().join(file)).expect("remove");
        symlink("/dev/zero", work.path().join(file)).expect("a link");
        refused(&work, args, linked);
    }
    let work = workspace();
    let secret = work.write("secret.yaml", "aws_secret_access_key: do-not-print\n");
    symlink(&secret, work.path().join("p/zz.yaml")).expect("a link");
    let run = refused(&work, &["validate", "@p"], OUTSIDE);
    assert!(!run.stderr.contains("do-not-print"), "{}", run.stderr);
    let work = workspace();
    fifo(&work.path().join("report.xml"));
    refused(
        &work,
        &["run", "@p", "--recording", "@r", "--junit", "@report.xml"],
        "is not a regular file (a FIFO or a socket)",
    );
}

#[test]
fn files_beyond_the_size_limit_are_refused_before_they_are_read() {
    let work = workspace();
    let big = format!(
        r#"{{"api": "eks:ListNodegroups", "params": {{}}, "response": {{"nodegroups": ["{}"]}}}}"#,
        "x".repeat(2 << 20)
    );
    work.write("r/big.json", &big);
    refused(
        &work,
        &["run", "@p", "--recording", "@r", "--max-response-mb", "1"],
        "is larger than the limit of 1 MB",
    );
}

#[test]
fn zero_test_threads_is_refused() {
    refused(
        &workspace(),
        &[
            "run",
            "@p",
            "--recording",
            "@r",
            "--",
            "--test-threads",
            "0",
        ],
        "--test-threads 0: the number of threads must be at least 1",
    );
    // Any other count changes nothing: the outcomes are decided before they are reported.
    let work = workspace();
    let args = [
        "run",
        "@p",
        "--recording",
        "@r",
        "--",
        "--test-threads",
        "99999999999",
    ];
    let run = within_deadline(&work, ekscheck_in(&work, &args), true);
    run.expect_code(0);
}

#[test]
fn negative_numbers_are_refused_in_our_words() {
    refused(
        &workspace(),
        &["run", "@p", "--recording", "@r", "--call-timeout", "-1"],
        "-1 is too small: give a whole number of at least 1",
    );
}

#[test]
fn a_template_with_too_many_expressions_is_refused() {
    let work = workspace();
    let title = "{{a}}".repeat(5_000);
    work.write(
        "p/s.yaml",
        &SUITE.replace("title: t", &format!("title: \"{title}\"")),
    );
    refused(
        &work,
        &["validate", "@p"],
        "this template has 5000 `{{…}}` expressions, more than the 1000",
    );
}

#[test]
fn a_closed_stdout_ends_the_output_quietly() {
    for args in [
        &["policy", "@p"][..],
        &["validate", "@p"][..],
        &["run", "@p", "--recording", "@r"][..],
        &["run", "@p", "--recording", "@r", "--", "--list"][..],
    ] {
        let work = workspace();
        let (reader, writer) = std::io::pipe().expect("a pipe");
        drop(reader);
        let mut command = ekscheck_in(&work, args);
        command.stdout(writer);
        let run = within_deadline(&work, command, false);
        assert!(
            run.code == 0 && !run.stderr.contains("panicked"),
            "{args:?}: exit {}\n{}",
            run.code,
            run.stderr
        );
    }
}

#[test]
fn a_full_device_is_an_error_naming_the_output() {
    for args in [
        &["policy", "@p"][..],
        &["run", "@p", "--recording", "@r"][..],
    ] {
        let work = workspace();
        let mut command = ekscheck_in(&work, args);
        command.stdout(File::create("/dev/full").expect("/dev/full"));
        let run = within_deadline(&work, command, false);
        assert_eq!(run.code, 2, "{args:?}\n{}", run.stderr);
        assert!(
            run.stderr
                .contains("cannot write the output: No space left on device"),
            "{}",
            run.stderr
        );
    }
    // The console report is printed; the JUnit report cannot be written.
    let work = workspace();
    let args = ["run", "@p", "--recording", "@r", "--junit", "/dev/full"];
    let run = within_deadline(&work, ekscheck_in(&work, &args), true);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stdout.contains("test result: ok. 1 passed"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("--junit /dev/full: No space left on device"),
        "{}",
        run.stderr
    );
}

/// Exit code 2 after a run: each report that cannot be written makes a run that failed exit 2,
/// the console report printed first; the reports after it are not written. `ekscheck test` too.
#[test]
fn a_report_that_cannot_be_written_exits_2_after_the_results_are_printed() {
    let failing = SUITE.replace("exists: true", "exists: false");
    let work = Dir::with(&[
        ("p/pack.yaml", MANIFEST),
        ("p/s.yaml", &failing),
        ("r/x.json", CALL),
        ("p/tests/t/expect.yaml", "outcomes: { \"p::s::c\": fail }\n"),
        ("p/tests/t/recording/x.json", CALL),
    ]);
    let records = work.path().join("records.json");
    // (the arguments after the recording, GITHUB_STEP_SUMMARY, the exit code, the message)
    let cases = [
        (&[][..], None, 1, None),
        (
            &["--json", "/dev/full"][..],
            None,
            2,
            Some("--json /dev/full: No space left"),
        ),
        (
            &[][..],
            Some("/dev/full"),
            2,
            Some("GITHUB_STEP_SUMMARY /dev/full: No space left"),
        ),
        (
            &["--junit", "/dev/full", "--json", "@records.json"][..],
            None,
            2,
            Some("--junit /dev/full: No space left"),
        ),
    ];
    for (more, summary, code, message) in cases {
        let mut args = vec!["run", "@p", "--recording", "@r"];
        args.extend(more);
        let mut command = ekscheck_in(&work, &args);
        command.env_remove("GITHUB_STEP_SUMMARY");
        if let Some(summary) = summary {
            command.env("GITHUB_STEP_SUMMARY", summary);
        }
        let run = within_deadline(&work, command, true);
        assert_eq!(run.code, code, "{args:?}\n{}", run.stderr);
        assert!(
            run.stdout.contains("test p::s::c ... FAILED")
                && run
                    .stdout
                    .contains("test result: FAILED. 0 passed; 1 failed"),
            "{args:?}\n{}",
            run.stdout
        );
        assert_eq!(
            message.is_some_and(|message| run.stderr.contains(message)),
            message.is_some(),
            "{args:?}\n{}",
            run.stderr
        );
    }
    assert!(!records.exists(), "--json after a --junit that failed");
    let args = ["test", "@p", "--junit", "/dev/full"];
    let run = within_deadline(&work, ekscheck_in(&work, &args), true);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stdout.contains("test p::tests::t ... ok"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("--junit /dev/full: No space left"),
        "{}",
        run.stderr
    );
}

#[test]
fn no_output_overwrites_an_input() {
    let work = workspace();
    refused(
        &work,
        &["run", "@p", "--recording", "@r", "--junit", "@p/pack.yaml"],
        "an input of this run",
    );
    assert_eq!(
        std::fs::read_to_string(work.path().join("p/pack.yaml")).expect("the manifest"),
        MANIFEST
    );
    refused(
        &work,
        &["run", "@p", "--recording", "@r", "--junit", "@r/report.xml"],
        "an input of this run",
    );
    refused(
        &work,
        &["record", "@p", "--recording", "@r", "--out", "@r"],
        "an input of this run",
    );
    assert!(!work.path().join("r/report.xml").exists());
}

#[test]
fn a_pack_given_twice_runs_once() {
    let work = workspace();
    let args = ["run", "@p", "@p/../p", "--recording", "@r"];
    let run = within_deadline(&work, ekscheck_in(&work, &args), true);
    run.expect_code(0);
    assert!(run.stdout.contains("running 1 test"), "{}", run.stdout);
    assert!(
        run.stderr.contains("is given twice: its checks run once"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_fan_out_beyond_the_row_limit_is_an_error_not_an_allocation() {
    let work = workspace();
    work.write(
        "p/s.yaml",
        "calls:\n  groups: { api: eks:ListNodegroups, params: { clusterName: c } }\n  group:\n    \
         for_each: { in: groups, path: \"$.nodegroups[*]\", as: ng }\n    value: \"{{ng}}\"\n\
         checks:\n  - id: c\n    title: t\n    on: group\n    expect: [{ exists: true }]\n",
    );
    let groups: Vec<String> = (0..1_000_000).map(|i| format!("\"ng-{i}\"")).collect();
    work.write(
        "r/groups.json",
        &format!(
            r#"{{"api": "eks:ListNodegroups", "params": {{"clusterName": "c"}}, "response": {{"nodegroups": [{}]}}}}"#,
            groups.join(",")
        ),
    );
    let args = ["run", "@p", "--recording", "@r"];
    let run = within_deadline(&work, ekscheck_in(&work, &args), true);
    run.expect_code(3);
    assert!(
        run.stdout.contains(
            "call `group` would fan out to 1000000 rows, more than the 10000 a run may have \
             (--max-rows)"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn a_refused_endpoint_is_reported_at_once() {
    // Retrying a refused connection 50 times would take minutes.
    let work = workspace();
    work.write(
        "p/s.yaml",
        "calls:\n  a: { api: eks:ListClusters }\nchecks:\n  - id: c\n    title: t\n    on: a\n    \
         expect: [{ exists: true }]\n",
    );
    let args = [
        "run",
        "@p",
        "--region",
        "eu-west-2",
        "--endpoint-url",
        "http://127.0.0.1:1",
        "--max-attempts",
        "50",
    ];
    let mut command = ekscheck_in(&work, &args);
    command
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_EC2_METADATA_DISABLED", "true");
    let run = within_deadline(&work, command, true);
    run.expect_code(3);
    assert!(
        run.stdout
            .contains("could not reach http://127.0.0.1:1 (--endpoint-url):"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Connection refused"), "{}", run.stdout);
}

#[test]
fn list_in_json_prints_json() {
    let work = workspace();
    let args = [
        "run",
        "@p",
        "--recording",
        "@r",
        "--",
        "--list",
        "--format",
        "json",
    ];
    let run = within_deadline(&work, ekscheck_in(&work, &args), true);
    run.expect_code(0);
    assert_eq!(run.stdout, "{\"type\":\"test\",\"name\":\"p::s::c\"}\n");
}

#[test]
fn an_empty_or_malformed_endpoint_is_invalid_input() {
    let work = workspace();
    let cases = [
        (Some(""), None, "--endpoint-url is empty"),
        (Some("x"), None, "--endpoint-url `x` is not a URL"),
        (
            None,
            Some(("AWS_ENDPOINT_URL", "")),
            "AWS_ENDPOINT_URL is empty",
        ),
        (
            None,
            Some(("AWS_ENDPOINT_URL", "http://")),
            "AWS_ENDPOINT_URL `http://` is not a URL",
        ),
        (
            None,
            Some(("AWS_ENDPOINT_URL_EKS", "file:///etc/passwd")),
            "AWS_ENDPOINT_URL_EKS `file:///etc/passwd` is not an http or https URL",
        ),
    ];
    for (flag, variable, message) in cases {
        let mut args = vec!["run", "@p", "--region", "eu-west-1"];
        if let Some(url) = flag {
            args.extend(["--endpoint-url", url]);
        }
        let mut command = ekscheck_in(&work, &args);
        command
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .env("AWS_EC2_METADATA_DISABLED", "true");
        if let Some((name, value)) = variable {
            command.env(name, value);
        }
        let run = within_deadline(&work, command, true);
        assert_eq!(run.code, 2, "{message}\n{}", run.stderr);
        assert!(run.stderr.contains(message), "{message}: {}", run.stderr);
    }
    // A recording needs no endpoint.
    let mut command = ekscheck_in(&work, &["run", "@p", "--recording", "@r"]);
    command.env("AWS_ENDPOINT_URL", "");
    within_deadline(&work, command, true).expect_code(0);
}

#[test]
fn checks_times_rows_beyond_the_budget_are_refused_before_they_are_decided() {
    // 1,000 checks over a fan-out of 10,000 rows: 10,000,000 outcomes would take gigabytes.
    let work = workspace();
    work.write(
        "p/pack.yaml",
        "pack: p\nversion: 1.0.0\ncalls:\n  src: { api: eks:ListClusters, params: {} }\n  row:\n    \
         for_each: { in: src, path: \"$.clusters[*]\", as: c }\n    value: \"{{c}}\"\n",
    );
    let checks: String = (0..1_000)
        .map(|i| {
            format!("  - id: k{i}\n    title: t\n    on: row\n    expect: [{{ exists: true }}]\n")
        })
        .collect();
    work.write("p/s.yaml", &format!("checks:\n{checks}"));
    let clusters: Vec<String> = (0..10_000).map(|i| format!("\"c{i}\"")).collect();
    work.write(
        "r/x.json",
        &format!(
            r#"{{"api": "eks:ListClusters", "params": {{}}, "response": {{"clusters": [{}]}}}}"#,
            clusters.join(",")
        ),
    );
    refused(
        &work,
        &["run", "@p", "--recording", "@r"],
        "the run would decide 10000000 check rows (1000 checks over their rows), more than the \
         1000000 a run may (--max-outcomes)",
    );
    // The budget is the flag's; a filter makes the run fit.
    refused(
        &work,
        &[
            "run",
            "@p",
            "--recording",
            "@r",
            "--max-outcomes",
            "9999",
            "--",
            "p::s::k1",
            "--exact",
        ],
        "more than the 9999 a run may",
    );
    let args = [
        "run",
        "@p",
        "--recording",
        "@r",
        "--max-outcomes",
        "10000",
        "--",
        "p::s::k1",
        "--exact",
    ];
    within_deadline(&work, ekscheck_in(&work, &args), true).expect_code(0);
}

#[test]
fn a_large_fleet_is_expanded_in_linear_time_and_a_replay_is_not_throttled() {
    // 20,000 targets: de-duplicating them in quadratic time took minutes.
    let work = workspace();
    let clusters: Vec<String> = (0..20_000).map(|i| format!("c{i}")).collect();
    work.write(
        "fleet.yaml",
        &format!(
            "targets:\n  - account: \"111122223333\"\n    regions: [eu-west-1]\n    clusters: [{}]\n",
            clusters.join(", ")
        ),
    );
    let args = [
        "run",
        "@p",
        "--recording",
        "@r",
        "--targets",
        "@fleet.yaml",
        "--partition",
        "hash:1/400",
    ];
    within_deadline(&work, ekscheck_in(&work, &args), true).expect_code(0);
    // 60 targets of node-join from a recording: held to EKS's 5 requests a second, more than a
    // minute.
    let names: Vec<String> = (0..60).map(|i| format!("c{i}")).collect();
    work.write(
        "fleet.yaml",
        &format!(
            "targets:\n  - account: \"111122223333\"\n    regions: [eu-west-2]\n    clusters: [{}]\n",
            names.join(", ")
        ),
    );
    let args = [
        "run",
        "checks/node-join",
        "--recording",
        "checks/node-join/tests/broken/recording",
        "--targets",
        "@fleet.yaml",
    ];
    let started = Instant::now();
    let run = within_deadline(&work, ekscheck_in(&work, &args), true);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn templates_that_cannot_render_are_refused_at_load() {
    for (template, message) in [
        (
            "{{#each 5}}x{{/each}}",
            "`each` takes the list or object as a name whose value it reads, but it was given a number `5`",
        ),
        (
            "{{#each \"s\"}}x{{/each}}",
            "`each` takes the list or object as a name whose value it reads, but it was given a string `\"s\"`",
        ),
        ("{{#with 5}}x{{/with}}", "`with` takes the value as a name"),
        (
            "{{lookup 5 \"a\"}}",
            "`lookup` takes the object or list as a name",
        ),
        ("{{@index}}", "`@index` is only defined inside `{{#each}}`"),
        ("{{json @key}}", "`@key` is only defined inside `{{#each}}`"),
    ] {
        let work = workspace();
        work.write(
            "p/s.yaml",
            &SUITE.replace("title: t", &format!("title: '{template}'")),
        );
        let run = refused(&work, &["validate", "@p"], message);
        assert!(
            run.stderr.contains("p/s.yaml:5:"),
            "located: {}",
            run.stderr
        );
    }
    // Inside `#each`, its variables and a literal's members are fine.
    let work = workspace();
    work.write(
        "p/s.yaml",
        &SUITE.replace(
            "title: t",
            "title: '{{#each vars}}{{@index}} {{@key}}{{/each}}'",
        ),
    );
    within_deadline(&work, ekscheck_in(&work, &["validate", "@p"]), true).expect_code(0);
}

#[test]
fn many_problems_in_one_file_are_shown_in_linear_time_and_capped() {
    // 20,000 assertions without a predicate: each located by scanning the file took minutes.
    let work = workspace();
    work.write(
        "p/s.yaml",
        &format!(
            "calls:\n  a: {{ value: 1 }}\nchecks:\n  - id: c\n    title: t\n    on: a\n    expect:\n{}",
            "      - path: $.a\n".repeat(20_000)
        ),
    );
    let run = refused(
        &work,
        &["validate", "@p"],
        "s.yaml: 19900 more problems are not shown (the first 100 are)",
    );
    assert_eq!(
        run.stderr
            .matches("this assertion has no predicate")
            .count(),
        100
    );
    assert!(run.stderr.contains("s.yaml:8:9"), "{}", run.stderr);
}

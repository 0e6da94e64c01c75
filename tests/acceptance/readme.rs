//! The README's first command: the node-join pack on the bundled `broken` example reads as a
//! diagnosis, with passes, failures, an error, skips and a warning, each failure with its fix.

use crate::support::{CaseOutcome, Dir, ekscheck, parse_junit};

#[test]
fn the_readme_example_diagnoses_its_cluster() {
    let out = Dir::new();
    let junit = out.join("report.xml");
    let run = ekscheck(&[
        "run",
        "checks/node-join",
        "--recording",
        "checks/node-join/tests/broken/recording",
        "--var",
        "cluster=broken",
        "--junit",
        &junit,
    ]);
    run.expect_code(1);
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    assert!(
        readme.contains(
            "cargo run -- run checks/node-join --recording checks/node-join/tests/broken/recording --var cluster=broken"
        ),
        "the README's first command changed: update this test"
    );
    for line in [
        "Attach the policy: aws iam attach-role-policy --role-name broken-node --policy-arn \
         arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
        "failed: UnauthorizedOperation:",
    ] {
        assert!(run.stdout.contains(line), "no `{line}` in:\n{}", run.stdout);
    }
    // The excerpt the README shows is what the command prints (but for the time it took).
    let printed: Vec<String> = run.stdout.lines().map(squeezed).collect();
    let excerpt = readme
        .split("What the first command prints (abridged):\n\n```\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .expect("the README's excerpt of the first command's output");
    let result_lines = excerpt
        .lines()
        .filter(|line| line.starts_with("running ") || line.starts_with("test "));
    for line in result_lines {
        let line = squeezed(line.split("; finished").next().unwrap_or(line));
        assert!(
            printed.iter().any(|printed| printed.starts_with(&line)),
            "the README shows `{line}`, which the command does not print:\n{}",
            run.stdout
        );
    }
    let report = parse_junit(&std::fs::read_to_string(&junit).unwrap());
    let outcomes = report.outcomes();
    let count = |wanted: fn(&CaseOutcome) -> bool| outcomes.values().filter(|o| wanted(o)).count();
    assert_eq!(count(|o| *o == CaseOutcome::Pass), 65);
    assert_eq!(count(|o| *o == CaseOutcome::Failure("error".into())), 3);
    assert_eq!(count(|o| *o == CaseOutcome::Failure("warning".into())), 1);
    assert_eq!(count(|o| *o == CaseOutcome::Error), 4);
    assert_eq!(count(|o| matches!(o, CaseOutcome::Skipped(_))), 51);
}

#[test]
fn the_readme_shows_what_the_boot_log_suite_prints() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    let command = readme
        .split("What the nodes said:")
        .nth(1)
        .and_then(|rest| rest.split("```sh\n").nth(1))
        .and_then(|rest| rest.split("\n```").next())
        .expect("the README's boot-log command");
    let args: Vec<&str> = command
        .strip_prefix("cargo run -- ")
        .expect("a command of ekscheck")
        .split(' ')
        .collect();
    let run = ekscheck(&args);
    run.expect_code(1);
    let printed: Vec<String> = run.stdout.lines().map(squeezed).collect();
    let excerpt = readme
        .split(command)
        .nth(1)
        .and_then(|rest| rest.split("```\n").nth(1))
        .and_then(|rest| rest.split("\n```").next())
        .expect("the README's excerpt of what it prints");
    for line in excerpt.lines().filter(|line| *line != "…") {
        assert!(
            printed.contains(&squeezed(line)),
            "the README shows `{line}`, which the command does not print:\n{}",
            run.stdout
        );
    }
}

/// `line` with each run of spaces made one (the column a name is padded to depends on the
/// longest name of the run).
fn squeezed(line: &str) -> String {
    line.split_whitespace().collect::<Vec<_>>().join(" ")
}

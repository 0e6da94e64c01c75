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
        "running 65 tests",
        "test node-join::iam::node-role-has-cni-policy[ng-1]",
        "Attach the policy: aws iam attach-role-policy --role-name broken-node --policy-arn \
         arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
        "failed: UnauthorizedOperation:",
        "test result: FAILED. 33 passed; 5 failed; 1 warning; 26 ignored",
    ] {
        assert!(run.stdout.contains(line), "no `{line}` in:\n{}", run.stdout);
    }
    let report = parse_junit(&std::fs::read_to_string(&junit).unwrap());
    let outcomes = report.outcomes();
    let count = |wanted: fn(&CaseOutcome) -> bool| outcomes.values().filter(|o| wanted(o)).count();
    assert_eq!(count(|o| *o == CaseOutcome::Pass), 33);
    assert_eq!(count(|o| *o == CaseOutcome::Failure("error".into())), 3);
    assert_eq!(count(|o| *o == CaseOutcome::Failure("warning".into())), 1);
    assert_eq!(count(|o| *o == CaseOutcome::Error), 2);
    assert_eq!(count(|o| matches!(o, CaseOutcome::Skipped(_))), 26);
}

//! The README's first command: the bundled example reads as a diagnosis.

use crate::support::{CaseOutcome, Dir, ekscheck, parse_junit};

#[test]
fn the_quickstart_example_diagnoses_its_cluster() {
    let out = Dir::new();
    let junit = out.join("report.xml");
    let run = ekscheck(&[
        "run",
        "examples/quickstart/pack",
        "--recording",
        "examples/quickstart/recording",
        "--var",
        "cluster=demo",
        "--junit",
        &junit,
    ]);
    run.expect_code(1);
    assert!(run.stdout.contains("running 27 tests"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("remediation: aws iam attach-role-policy --role-name node-b")
    );
    let report = parse_junit(&std::fs::read_to_string(&junit).unwrap());
    let case = report.case("quickstart::iam::node-role-has-cni-policy[ng-b]");
    assert_eq!(case.outcome, CaseOutcome::Failure("error".into()));
    assert_eq!(
        report
            .case("quickstart::iam::node-role-has-cni-policy[ng-c]")
            .outcome,
        CaseOutcome::Skipped("needs node-role-exists (failed)".into())
    );
}

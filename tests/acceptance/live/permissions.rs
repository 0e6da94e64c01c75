//! A CI role without a permission one suite needs: `ec2:GetConsoleOutput`, which only the
//! node-join pack's boot-log suite calls. Every other check ends as it does with every
//! permission; the boot-log checks that read a console are errors saying the call was not
//! allowed, and which IAM action they need.

use crate::emulator::proxy::Faults;
use crate::emulator::world::World;
use crate::node_join::{changes, diagnose, healthy};
use crate::support::CaseOutcome;

#[test]
fn a_role_without_get_console_output_gets_every_other_check() {
    let world = World::build("no-console", &[]);
    // EC2 denies with a message that does not name the action: ekscheck names it.
    let diagnosis = diagnose(
        &world,
        world.fixture(),
        Faults {
            denied_without_action: vec!["ec2:GetConsoleOutput".to_owned()],
            ..Faults::default()
        },
    );
    let is_boot_log = |name: &str| name.starts_with("node-join::boot-log::");
    let others = |outcomes: &crate::node_join::Outcomes| -> crate::node_join::Outcomes {
        outcomes
            .iter()
            .filter(|(name, _)| !is_boot_log(name))
            .map(|(name, outcome)| (name.clone(), outcome.clone()))
            .collect()
    };
    let differences = changes(&others(healthy()), &others(&diagnosis.outcomes));
    assert!(
        differences.is_empty(),
        "{}\n{}",
        differences.join("\n"),
        diagnosis.run.stdout
    );
    let boot_log: Vec<(&String, &CaseOutcome)> = diagnosis
        .outcomes
        .iter()
        .filter(|(name, _)| is_boot_log(name))
        .collect();
    assert!(!boot_log.is_empty());
    for (name, outcome) in boot_log {
        let expected = match healthy().get(name) {
            // The information check does not apply (EKS reports no instance): still skipped.
            Some(CaseOutcome::Skipped(reason)) => CaseOutcome::Skipped(reason.clone()),
            _ => CaseOutcome::Error,
        };
        assert_eq!(*outcome, expected, "{name}");
    }
    for line in [
        "failed: UnauthorizedOperation: You are not authorized to perform this operation.",
        "(this check needs the IAM action ec2:GetConsoleOutput)",
    ] {
        diagnosis.run.expect_stdout_contains(line);
    }
    // Errors only, no failure: the run could not decide everything.
    diagnosis.run.expect_code(3);
}

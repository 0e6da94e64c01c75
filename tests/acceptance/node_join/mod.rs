//! The node-join pack against worlds in the emulator: a healthy cluster passes every check, and
//! each fault fails or skips exactly the checks that should catch it, leaving every other
//! outcome as it was.

mod examples;
mod scenarios;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::emulator::proxy::{ClusterFixture, Faults, Proxy};
use crate::emulator::world::World;
use crate::live::live;
use crate::support::{CaseOutcome, Dir, Run, parse_junit};

/// The pack under test.
pub const PACK: &str = "checks/node-join";

/// Outcomes by test name, with the world's IDs replaced by stable names (`subnet-1`, `i-2`), so
/// that outcomes of different worlds compare.
pub type Outcomes = BTreeMap<String, CaseOutcome>;

/// A diagnosis of one world: the run and its outcomes.
pub struct Diagnosis {
    /// The run of `ekscheck run`.
    pub run: Run,
    /// Its outcomes, normalised.
    pub outcomes: Outcomes,
}

/// Replaces the world's resource IDs in `text` by names that do not change between worlds.
pub fn normalise(text: &str, world: &World) -> String {
    let mut text = text.to_owned();
    for (index, subnet) in world.node_subnets.iter().enumerate() {
        text = text.replace(subnet, &format!("subnet-{}", index + 1));
    }
    for (index, instance) in world.instances.iter().enumerate() {
        text = text.replace(instance, &format!("i-{}", index + 1));
    }
    text
}

/// Runs the pack against `world` (whose fixture is `fixture`) and reads its JUnit report.
pub fn diagnose(world: &World, fixture: ClusterFixture, faults: Faults) -> Diagnosis {
    let proxy = Proxy::start(faults);
    proxy.set_cluster(&world.cluster, fixture);
    let out = Dir::new();
    let junit = out.join("junit.xml");
    let run = live(
        &proxy,
        &[
            "run",
            PACK,
            "--var",
            &format!("cluster={}", world.cluster),
            "--junit",
            &junit,
        ],
    );
    let xml = std::fs::read_to_string(&junit)
        .unwrap_or_else(|_| panic!("no JUnit report:\n{}\n{}", run.stdout, run.stderr));
    let outcomes = parse_junit(&xml)
        .cases()
        .map(|case| {
            let outcome = match &case.outcome {
                CaseOutcome::Skipped(reason) => CaseOutcome::Skipped(normalise(reason, world)),
                other => other.clone(),
            };
            (normalise(&case.full_name(), world), outcome)
        })
        .collect();
    Diagnosis { run, outcomes }
}

/// The healthy world's outcomes, computed once.
pub fn healthy() -> &'static Outcomes {
    static HEALTHY: OnceLock<Outcomes> = OnceLock::new();
    HEALTHY.get_or_init(|| {
        let world = World::build("healthy", &[]);
        let diagnosis = diagnose(&world, world.fixture(), Faults::default());
        diagnosis.run.expect_code(0);
        diagnosis.outcomes
    })
}

/// Where `actual` differs from `expected`, one line per test.
pub fn changes(expected: &Outcomes, actual: &Outcomes) -> Vec<String> {
    let names: std::collections::BTreeSet<&String> = expected.keys().chain(actual.keys()).collect();
    names
        .into_iter()
        .filter(|name| expected.get(*name) != actual.get(*name))
        .map(|name| {
            format!(
                "{name}: expected {:?}, got {:?}",
                expected.get(name),
                actual.get(name)
            )
        })
        .collect()
}

#[test]
fn a_healthy_cluster_passes_every_check() {
    let outcomes = healthy();
    let not_passed: Vec<(&String, &CaseOutcome)> = outcomes
        .iter()
        .filter(|(_, outcome)| **outcome != CaseOutcome::Pass)
        .collect();
    // The node subnets are private (routed to a NAT gateway): the public-subnet rule does not apply.
    let when_false = "when: $.Routes[?@.DestinationCidrBlock == '0.0.0.0/0' && match(@.GatewayId, 'igw-.*')] exists is false (actual: [])";
    assert_eq!(
        not_passed,
        [
            (
                &"node-join::network::public-subnet-maps-public-ip[ng-1/subnet-1]".to_owned(),
                &CaseOutcome::Skipped(when_false.to_owned())
            ),
            (
                &"node-join::network::public-subnet-maps-public-ip[ng-1/subnet-2]".to_owned(),
                &CaseOutcome::Skipped(when_false.to_owned())
            ),
        ]
    );
    // Every check of the pack ran.
    let checks: std::collections::BTreeSet<String> = outcomes
        .keys()
        .map(|name| name.split('[').next().unwrap().to_owned())
        .collect();
    assert_eq!(checks.len(), 26, "{checks:#?}");
}

#[test]
fn the_pack_readme_documents_every_check_and_the_permissions() {
    let readme = std::fs::read_to_string(format!("{PACK}/README.md")).expect("the pack's README");
    let policy = crate::support::ekscheck(&["policy", PACK]);
    policy.expect_code(0);
    assert!(
        readme.contains(policy.stdout.trim()),
        "the README's policy differs from `ekscheck policy {PACK}`:\n{}",
        policy.stdout
    );
    let listed = crate::support::ekscheck(&["run", PACK, "--", "--list"]);
    listed.expect_code(0);
    let ids: std::collections::BTreeSet<&str> = listed
        .stdout
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .map(|name| name.rsplit("::").next().unwrap())
        .collect();
    assert_eq!(
        ids.len(),
        listed.stdout.lines().count(),
        "`--list` printed something other than checks:\n{}",
        listed.stdout
    );
    // The README's check tables (headed `| check |`) name each check in their first column.
    let mut documented = std::collections::BTreeSet::new();
    let mut in_check_table = false;
    for line in readme.lines() {
        if !line.starts_with('|') {
            in_check_table = false;
        } else if line.starts_with("| check |") {
            in_check_table = true;
        } else if let Some((id, _)) = line
            .strip_prefix("| `")
            .filter(|_| in_check_table)
            .and_then(|rest| rest.split_once('`'))
        {
            documented.insert(id);
        }
    }
    assert_eq!(
        ids, documented,
        "the checks of the pack and those its README describes differ"
    );
}

#[test]
fn the_nodegroup_variable_narrows_the_node_group_checks() {
    let world = World::build("narrowed", &[]);
    let proxy = Proxy::start(Faults::default());
    proxy.set_cluster(&world.cluster, world.fixture());
    let cluster = format!("cluster={}", world.cluster);
    for (nodegroup, rows) in [("ng-1", true), ("ng-2", false)] {
        let listed = live(
            &proxy,
            &[
                "run",
                PACK,
                "--var",
                &cluster,
                "--var",
                &format!("nodegroup={nodegroup}"),
            ],
        );
        listed.expect_code(0);
        let node_group_rows = listed
            .stdout
            .lines()
            .filter(|l| l.contains("[ng-1"))
            .count();
        assert_eq!(
            node_group_rows > 0,
            rows,
            "nodegroup={nodegroup}:\n{}",
            listed.stdout
        );
        assert!(listed.stdout.contains("node-join::cluster::cluster-active"));
    }
}

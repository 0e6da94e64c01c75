//! Reference worlds: clusters built the way an official source builds them (an AWS guide, a
//! widely used Terraform module, a project's own getting-started), each cited where it is
//! defined. A reference world is a healthy baseline of its own: the pack must give it no failure
//! and no error, but for the warnings it lists with the reason its source draws them. Its faulty
//! twins (`Scenario::of`) must then change exactly the outcomes of the checks that name their
//! fault. A check is only as right as the world it was tested on.
//!
//! One file per reference world: the world (its source cited), the test that it is healthy, and
//! its faulty twins.

mod al2023_custom_ami;
mod al2023_ipv6_custom_ami;
mod auto_mode;
mod bottlerocket;
mod control_tower;
pub(super) mod ipv6_cluster;
mod karpenter;
mod private_cluster;
mod terraform_aws_eks;

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use super::super::{Outcomes, diagnose};
use crate::emulator::proxy::{ClusterFixture, Faults};
use crate::emulator::world::World;
use crate::support::CaseOutcome;
pub(super) use ipv6_cluster::IPV6_CLUSTER;

/// Why a node group that terraform-aws-eks v21 launches warns of its instance metadata options.
const HOP_LIMIT: &str = "terraform-aws-eks v21 requires IMDSv2 with a hop limit of 1 \
    (docs/UPGRADE-21.0.md: it was 2): pods outside the host network cannot reach the instance \
    metadata service, on purpose";

/// A reference world's healthy outcomes, or why it is not healthy; computed once.
type Diagnosed = OnceLock<Result<Outcomes, String>>;

/// A world built as an official source builds it.
pub(crate) struct Reference {
    /// The world's name in the emulator (unique among worlds).
    pub name: &'static str,
    /// The official source the world follows: a URL, or a repository, path and version.
    pub source: &'static str,
    /// The variations of `world.py` that build it.
    pub world: &'static [&'static str],
    /// What the fixture layer reports beyond the healthy world's fixture.
    pub fixture: fn(&World, &mut ClusterFixture),
    /// Warnings the source's configuration draws by design (`SUITE::ID[ROW]`), each with the
    /// reason it is right to warn there.
    pub warnings: &'static [(&'static str, &'static str)],
}

impl Reference {
    /// The world's outcomes, computed once per test process. If the world exits other than 0, or
    /// gives a failure or error it does not list, every test that needs it fails with its output.
    pub(crate) fn outcomes(&'static self) -> &'static Outcomes {
        static BUILT: OnceLock<Mutex<HashMap<&'static str, &'static Diagnosed>>> = OnceLock::new();
        let cell = *BUILT
            .get_or_init(Default::default)
            .lock()
            .expect("reference worlds")
            .entry(self.name)
            .or_insert_with(|| Box::leak(Box::default()));
        match cell.get_or_init(|| self.diagnose()) {
            Ok(outcomes) => outcomes,
            Err(failure) => panic!("{failure}"),
        }
    }

    /// Builds the world, runs the pack on it, and checks that it is healthy.
    fn diagnose(&self) -> Result<Outcomes, String> {
        let world = World::build(self.name, self.world);
        let mut fixture = world.fixture();
        (self.fixture)(&world, &mut fixture);
        let diagnosis = diagnose(&world, fixture, Faults::default());
        let wrong: Vec<String> = diagnosis
            .outcomes
            .iter()
            .filter(|(name, outcome)| match outcome {
                CaseOutcome::Pass | CaseOutcome::Skipped(_) => false,
                CaseOutcome::Failure(severity) if severity == "warning" => !self
                    .warnings
                    .iter()
                    .any(|(test, _)| name.strip_prefix("node-join::") == Some(test)),
                CaseOutcome::Failure(_) | CaseOutcome::Error => true,
            })
            .map(|(name, outcome)| format!("{name}: {outcome:?}"))
            .collect();
        let listed_but_absent: Vec<&str> = self
            .warnings
            .iter()
            .map(|(test, _)| *test)
            .filter(|test| {
                diagnosis.outcomes.get(&format!("node-join::{test}"))
                    != Some(&CaseOutcome::Failure("warning".into()))
            })
            .collect();
        if diagnosis.run.code == 0 && wrong.is_empty() && listed_but_absent.is_empty() {
            return Ok(diagnosis.outcomes);
        }
        Err(format!(
            "reference world {} ({}) is not healthy: exit {}\n\
             unexpected outcomes:\n{}\nlisted warnings that did not occur: {listed_but_absent:?}\n\
             --- output ---\n{}\n{}",
            self.name,
            self.source,
            diagnosis.run.code,
            wrong.join("\n"),
            diagnosis.run.stdout,
            diagnosis.run.stderr
        ))
    }
}

//! One scenario per fault, and one per configuration AWS documents: build the healthy world
//! with exactly that variation (in the emulator, in the fixture for what moto cannot serve, or in
//! the proxy's faults), run the pack, and compare every outcome with the healthy world's: exactly
//! the listed outcomes change. A documented configuration that changes nothing but checks that
//! do not apply to the healthy world must pass: a false failure is a bug as much as a miss.

mod access;
mod cluster;
mod hybrid;
mod iam;
mod instances;
mod launch_template;
mod network;
mod nodegroups;
mod reference;
mod self_managed;

use super::{Outcomes, changes, diagnose, healthy};
use crate::emulator::proxy::{ClusterFixture, Faults};
use crate::emulator::world::World;
use crate::support::{CaseOutcome, Run};
pub(super) use reference::Reference;

/// What a check's outcome becomes under the variation.
#[derive(Clone, Copy)]
pub(super) enum Becomes {
    /// Fails with this severity (`error`, `warning`, `info`).
    Fails(&'static str),
    /// Is skipped for this reason.
    Skipped(&'static str),
    /// Passes (where it did not, or had no row).
    Passes,
    /// Has no outcome any more (its row disappeared).
    Gone,
}

pub(super) use Becomes::{Fails, Gone, Passes, Skipped};

/// Failure of severity error.
pub(super) const ERROR: &str = "error";

/// A change to what the fixture layer reports for a world.
type FixtureChange<'a> = Box<dyn FnOnce(&World, &mut ClusterFixture) + 'a>;

/// A variation of the healthy world (or of a reference world), and how the diagnosis must change.
pub(super) struct Scenario<'a> {
    name: &'a str,
    world: &'a [&'a str],
    fixture: FixtureChange<'a>,
    faults: Faults,
    baseline: Option<&'static Reference>,
}

impl<'a> Scenario<'a> {
    /// World `name`, built with `world` variations (see `world.py`).
    pub(super) fn new(name: &'a str, world: &'a [&'a str]) -> Self {
        Self {
            name,
            world,
            fixture: Box::new(|_, _| {}),
            faults: Faults::default(),
            baseline: None,
        }
    }

    /// Varies reference world `reference` instead of the healthy world: the scenario's world is
    /// the reference's variations and then its own, its fixture the reference's and then its own
    /// change, and the outcomes it must differ from are the reference world's.
    pub(super) fn of(mut self, reference: &'static Reference) -> Self {
        self.baseline = Some(reference);
        self
    }

    /// Changes what the fixture layer reports for the world.
    pub(super) fn fixture(mut self, change: impl FnOnce(&World, &mut ClusterFixture) + 'a) -> Self {
        self.fixture = Box::new(change);
        self
    }

    /// Requests the proxy fails on purpose.
    pub(super) fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// Runs the pack on the world and checks that its outcomes are the healthy ones but for
    /// `expected`, and that it exits with `exit_code`; returns the run, for more checks.
    #[track_caller]
    pub(super) fn expect(self, expected: Vec<(String, Becomes)>, exit_code: i32) -> Run {
        let variations: Vec<&str> = self
            .baseline
            .map_or(&[][..], |reference| reference.world)
            .iter()
            .chain(self.world)
            .copied()
            .collect();
        let world = World::build(self.name, &variations);
        let mut fixture = world.fixture();
        if let Some(reference) = self.baseline {
            (reference.fixture)(&world, &mut fixture);
        }
        (self.fixture)(&world, &mut fixture);
        let diagnosis = diagnose(&world, fixture, self.faults);
        let mut want: Outcomes = match self.baseline {
            Some(reference) => reference.outcomes().clone(),
            None => healthy().clone(),
        };
        for (test, becomes) in &expected {
            let test = format!("node-join::{test}");
            match becomes {
                Fails(severity) => want.insert(test, CaseOutcome::Failure(severity.to_string())),
                Skipped(reason) => want.insert(test, CaseOutcome::Skipped(reason.to_string())),
                Passes => want.insert(test, CaseOutcome::Pass),
                Gone => want.remove(&test),
            };
        }
        let differences = changes(&want, &diagnosis.outcomes);
        assert!(
            differences.is_empty(),
            "scenario {}: outcomes differ from the expected ones:\n{}\n--- output ---\n{}",
            self.name,
            differences.join("\n"),
            diagnosis.run.stdout
        );
        diagnosis.run.expect_code(exit_code);
        diagnosis.run
    }
}

/// Check row `test` (`SUITE::ID[LABEL]`) becomes `becomes`.
pub(super) fn at(test: &str, becomes: Becomes) -> (String, Becomes) {
    (test.to_owned(), becomes)
}

/// Each node subnet's row of check `test` (`network::subnet-egress`) becomes `becomes`.
pub(super) fn per_subnet(test: &str, becomes: Becomes) -> Vec<(String, Becomes)> {
    (1..=2)
        .map(|n| (format!("{test}[ng-1/subnet-{n}]"), becomes))
        .collect()
}

/// Why `network::control-plane-nacl-admits-nodes` is skipped without private endpoint access.
pub(super) const PRIVATE_ACCESS_OFF: &str =
    "when: $.cluster.resourcesVpcConfig.endpointPrivateAccess equals true is false (actual: false)";

/// The rows of `network::control-plane-nacl-admits-nodes` (each node subnet, against the other
/// cluster subnet) become `becomes`.
pub(super) fn across_subnets(becomes: Becomes) -> Vec<(String, Becomes)> {
    [(1, 2), (2, 1)]
        .into_iter()
        .map(|(node, control_plane)| {
            let test = "network::control-plane-nacl-admits-nodes";
            (
                format!("{test}[ng-1/subnet-{node}/subnet-{control_plane}]"),
                becomes,
            )
        })
        .collect()
}

/// Every boot-log row of instance `i-N` (`instance`) becomes `becomes`: the checks of a cause,
/// and the information one too unless it is `None`.
pub(super) fn boot_log_rows(
    instance: usize,
    becomes: Becomes,
    explained: Option<Becomes>,
) -> Vec<(String, Becomes)> {
    let row = |check: &str, becomes| (format!("boot-log::{check}[ng-1/i-{instance}]"), becomes);
    super::boot_log::CAUSES
        .iter()
        .map(|check| row(check, becomes))
        .chain(explained.map(|becomes| row(super::boot_log::EXPLAINED, becomes)))
        .collect()
}

/// Each instance's row of check `test` becomes `becomes`.
pub(super) fn per_instance(test: &str, becomes: Becomes) -> Vec<(String, Becomes)> {
    (1..=2)
        .map(|n| (format!("{test}[ng-1/i-{n}]"), becomes))
        .collect()
}

//! The node-join pack's test cases (`checks/node-join/tests/CASE/`): each recording is made by
//! `ekscheck record --redact` from a world in the emulator, and its `expect.yaml` is written from
//! the example's changes below (regenerate both with
//! `cargo test --test acceptance regenerate_examples -- --ignored`); each is read back as the
//! diagnosis it is named after.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::json;

use super::{NOT_APPLICABLE, PACK};
use crate::emulator::consoles;
use crate::emulator::proxy::{ClusterFixture, Faults, Proxy};
use crate::emulator::world::World;
use crate::live::live;
use crate::support::{CaseOutcome, Dir, ekscheck, parse_junit};

/// One example: its test case under `checks/node-join/tests/`, what is wrong in it, the world's
/// faults, what the fixture and the proxy change, how the outcomes of the pack on its recording
/// differ from the healthy example's (each test's `severity`, `skip`, `error outcome`, or
/// `pass`), and text the messages of some failures must contain.
struct Example {
    name: &'static str,
    about: &'static str,
    faults: &'static [&'static str],
    fixture: fn(&World, &mut ClusterFixture),
    denied: &'static [&'static str],
    changes: &'static [(&'static str, &'static str)],
    messages: &'static [(&'static str, &'static str)],
}

/// EKS reports both instances as failed to join, and their consoles say why: AL2-style user
/// data on AL2023 (amazon-eks-ami#2426) on the first, nodeadm failing on the second
/// (karpenter-provider-aws#7889), each after a healthy AL2023 start.
fn nodes_failed_to_join(world: &World, fixture: &mut ClusterFixture) {
    let nodegroup = fixture
        .nodegroups
        .get_mut(&world.nodegroup)
        .expect("the node group's fixture");
    nodegroup["status"] = json!("CREATE_FAILED");
    nodegroup["health"] = json!({"issues": [{
        "code": "NodeCreationFailure",
        "message": "Instances failed to join the kubernetes cluster",
        "resourceIds": world.instances,
    }]});
    let consoles = [
        consoles::console(&[
            consoles::HEALTHY_AL2023_CONSOLE,
            consoles::AL2023_BOOTSTRAP_SH_USER_DATA,
        ]),
        consoles::console(&[
            consoles::HEALTHY_AL2023_CONSOLE,
            consoles::AL2023_NODEADM_FAILED,
        ]),
    ];
    for (instance, console) in world.instances.iter().zip(consoles) {
        fixture
            .console_outputs
            .insert(instance.clone(), console.into_bytes());
    }
}

fn api_mode_without_entries(_: &World, fixture: &mut ClusterFixture) {
    fixture.cluster["accessConfig"]["authenticationMode"] = json!("API");
    fixture.access_entries.clear();
}

/// The healthy example comes first: the others are read against it.
const EXAMPLES: &[Example] = &[
    Example {
        name: "healthy",
        about: "A healthy cluster: every check passes, or does not apply.",
        faults: &[],
        fixture: |_, _| {},
        denied: &[],
        changes: &[],
        messages: &[],
    },
    Example {
        name: "missing-cni-policy",
        about: "The node role lacks AmazonEKS_CNI_Policy, and aws-node has no identity of its own.",
        faults: &["missing-cni-policy"],
        fixture: |_, _| {},
        denied: &[],
        changes: &[("iam::node-role-has-cni-policy[ng-1]", "error")],
        messages: &[],
    },
    Example {
        name: "trust-without-ec2",
        about: "The node role's trust policy does not trust ec2.amazonaws.com.",
        faults: &["trust-without-ec2"],
        fixture: |_, _| {},
        denied: &[],
        changes: &[("iam::node-role-trusts-ec2[ng-1]", "error")],
        messages: &[],
    },
    Example {
        name: "missing-access-entry",
        about: "Authentication mode API, and the node role has no access entry.",
        faults: &[],
        fixture: api_mode_without_entries,
        denied: &[],
        changes: &[
            ("access::node-role-has-access-entry[ng-1]", "error"),
            ("access::access-entry-type[ng-1]", "skip"),
            ("access::access-entry-not-stale[ng-1]", "skip"),
            ("iam::node-role-path[ng-1]", "skip"),
        ],
        messages: &[],
    },
    Example {
        name: "private-subnet-no-egress",
        about: "The node subnets have no route out, and the cluster has no VPC endpoints.",
        faults: &["no-nat-route"],
        fixture: |_, _| {},
        denied: &[],
        changes: &[
            ("network::subnet-egress[ng-1/subnet-1]", "error"),
            ("network::subnet-egress[ng-1/subnet-2]", "error"),
            ("network::private-endpoint-access[ng-1/subnet-1]", "pass"),
            ("network::private-endpoint-access[ng-1/subnet-2]", "pass"),
            ("network::nat-gateway-usable[ng-1/subnet-1]", "skip"),
            ("network::nat-gateway-usable[ng-1/subnet-2]", "skip"),
            ("network::node-sg-reaches-aws[ng-1/i-1]", "skip"),
            ("network::node-sg-reaches-aws[ng-1/i-2]", "skip"),
        ],
        messages: &[],
    },
    Example {
        name: "exhausted-subnet",
        about: "A node subnet has no free IP addresses.",
        faults: &["exhausted-subnet"],
        fixture: |_, _| {},
        denied: &[],
        changes: &[("network::subnet-free-ips[ng-1/subnet-1]", "error")],
        messages: &[],
    },
    // The boot-log suite beside the configuration checks: what the nodes' consoles say, and
    // whether the launch-template checks agree.
    Example {
        name: "bootstrap-sh-on-al2023",
        about: "The launch template's user data runs bootstrap.sh on AL2023: EKS reports both instances failed to join, and their consoles say why.",
        faults: &["launch-template", "lt-bootstrap-sh"],
        fixture: nodes_failed_to_join,
        denied: &[],
        changes: &[
            ("nodegroups::nodegroup-active[ng-1]", "error"),
            ("nodegroups::nodegroup-health[ng-1]", "error"),
            ("launch-template::launch-template-exists[ng-1]", "pass"),
            ("launch-template::user-data-format[ng-1]", "pass"),
            (
                "launch-template::user-data-bootstraps-this-cluster[ng-1]",
                "pass",
            ),
            ("launch-template::launch-template-metadata[ng-1]", "pass"),
            (
                "launch-template::launch-template-settings-allowed[ng-1]",
                "pass",
            ),
            ("launch-template::eks-ami-bootstrapped-once[ng-1]", "error"),
            // Each instance's console names its cause (the first's, three): the cross-checks
            // agree on bootstrap.sh, and disagree on nodeadm.
            ("boot-log::bootstrap-sh-missing[ng-1/i-1]", "error"),
            ("boot-log::nodeadm-config-failed[ng-1/i-1]", "error"),
            ("boot-log::user-data-script-failed[ng-1/i-1]", "warning"),
            ("boot-log::nodeadm-config-failed[ng-1/i-2]", "error"),
            ("boot-log::reported-failure-explained[ng-1/i-1]", "pass"),
            ("boot-log::reported-failure-explained[ng-1/i-2]", "pass"),
        ],
        // Per instance: the line its console shows, and the configuration check beside it.
        messages: &[
            (
                "boot-log::bootstrap-sh-missing[ng-1/i-1]",
                "line 8: \\\"> ERROR: bootstrap.sh has been removed from AL2023-based EKS AMIs.\\\"",
            ),
            (
                "boot-log::nodeadm-config-failed[ng-1/i-1]",
                "launch-template::user-data-format[ng-1] passed, but this check found the fault: they disagree",
            ),
            (
                "boot-log::nodeadm-config-failed[ng-1/i-2]",
                "line 6: \\\"Failed to start nodeadm-co.service - EKS Nodeadm Config\\\"",
            ),
        ],
    },
    // The README's first command: several faults at once, and a call the recording role was
    // not allowed to make.
    Example {
        name: "broken",
        about: "Several faults at once (the README's first command): no CNI policy, no access entry, an exhausted subnet, custom DNS, and a recording role that could not call ec2:DescribeNetworkAcls.",
        faults: &["missing-cni-policy", "exhausted-subnet", "custom-dns"],
        fixture: api_mode_without_entries,
        denied: &["ec2:DescribeNetworkAcls"],
        changes: &[
            ("iam::node-role-has-cni-policy[ng-1]", "error"),
            ("iam::node-role-path[ng-1]", "skip"),
            ("access::node-role-has-access-entry[ng-1]", "error"),
            ("access::access-entry-type[ng-1]", "skip"),
            ("access::access-entry-not-stale[ng-1]", "skip"),
            ("network::subnet-free-ips[ng-1/subnet-1]", "error"),
            ("network::dhcp-options-dns", "warning"),
            (
                "network::nacl-allows-node-traffic[ng-1/subnet-1]",
                "error outcome",
            ),
            (
                "network::nacl-allows-node-traffic[ng-1/subnet-2]",
                "error outcome",
            ),
            (
                "network::control-plane-nacl-admits-nodes[ng-1/subnet-1/subnet-2]",
                "error outcome",
            ),
            (
                "network::control-plane-nacl-admits-nodes[ng-1/subnet-2/subnet-1]",
                "error outcome",
            ),
        ],
        messages: &[],
    },
];

fn case_dir(name: &str) -> String {
    format!("checks/node-join/tests/{name}")
}

fn example_dir(name: &str) -> String {
    format!("{}/recording", case_dir(name))
}

/// The node group's subnets and instances in a recording, in the order the node group and
/// EC2 list them: what the positional names of test labels (`subnet-1`, `i-2`) stand for.
struct Recorded {
    subnets: Vec<String>,
    instances: Vec<String>,
}

impl Recorded {
    fn read(dir: &Path) -> Self {
        let documents: Vec<serde_json::Value> = std::fs::read_dir(dir)
            .expect("the example's recording")
            .map(|entry| entry.expect("an entry").path())
            .map(|path| serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap())
            .collect();
        let nodegroup = documents
            .iter()
            .find(|document| document["api"] == "eks:DescribeNodegroup")
            .expect("a recorded DescribeNodegroup");
        // The node group's instances: those EC2 lists by the node group's tag.
        let instances = documents
            .iter()
            .find(|document| {
                document["api"] == "ec2:DescribeInstances"
                    && document["params"]
                        .to_string()
                        .contains("tag:eks:nodegroup-name")
            })
            .map(|document| {
                document["response"]["Reservations"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .flat_map(|reservation| {
                        reservation["Instances"].as_array().into_iter().flatten()
                    })
                    .filter_map(|instance| instance["InstanceId"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            subnets: serde_json::from_value(nodegroup["response"]["nodegroup"]["subnets"].clone())
                .unwrap(),
            instances,
        }
    }

    /// Test name `test` with the positional subnets and instances of its label (`subnet-1`,
    /// `i-2`) replaced by the recorded ones.
    fn name(&self, test: &str) -> String {
        let Some((check, label)) = test.split_once('[') else {
            return test.to_owned();
        };
        let label: Vec<&str> = label
            .trim_end_matches(']')
            .split('/')
            .map(|part| {
                let recorded = [("subnet-", &self.subnets), ("i-", &self.instances)]
                    .into_iter()
                    .find_map(|(prefix, ids)| {
                        let n: usize = part.strip_prefix(prefix)?.parse().ok()?;
                        ids.get(n.checked_sub(1)?)
                    });
                recorded.map_or(part, String::as_str)
            })
            .collect();
        format!("{check}[{}]", label.join("/"))
    }

    /// Subnet and instance IDs in test names, replaced by their position (`subnet-1`, `i-2`).
    fn positional(&self, name: &str) -> String {
        let subnets = self
            .subnets
            .iter()
            .enumerate()
            .map(|(index, id)| (id, format!("subnet-{}", index + 1)));
        let instances = self
            .instances
            .iter()
            .enumerate()
            .map(|(index, id)| (id, format!("i-{}", index + 1)));
        subnets
            .chain(instances)
            .fold(name.to_owned(), |name, (id, position)| {
                name.replace(id.as_str(), &position)
            })
    }
}

/// The `expect.yaml` of `example`, recorded as `recorded`: every change that is not a skip or a
/// pass, and `others: pass`.
fn expect_yaml(example: &Example, recorded: &Recorded) -> String {
    let name = example.name;
    let mut text = format!(
        "# {}\n# Recorded with: ekscheck record checks/node-join --var cluster={name} --redact \
         --out recording\n# Written by `cargo test --test acceptance regenerate_examples -- \
         --ignored` from tests/acceptance/node_join/examples.rs: change it there.\n\
         vars: {{ cluster: {name} }}\n",
        example.about
    );
    let outcomes: Vec<String> = example
        .changes
        .iter()
        .filter_map(|(test, word)| {
            let outcome = match *word {
                "skip" | "pass" => return None,
                "error outcome" => format!(
                    "{{ outcome: error, message: \"not authorized to perform: {}\" }}",
                    example.denied.join(", ")
                ),
                _severity => match example.messages.iter().find(|(row, _)| row == test) {
                    Some((_, message)) => format!("{{ outcome: fail, message: \"{message}\" }}"),
                    None => "fail".to_owned(),
                },
            };
            let test = recorded.name(test);
            Some(format!("  \"node-join::{test}\": {outcome}\n"))
        })
        .collect();
    if !outcomes.is_empty() {
        text.push_str("outcomes:\n");
        text.push_str(&outcomes.concat());
    }
    text.push_str("others: pass\n");
    text
}

/// The outcomes that did not pass, by test name without the pack, as `severity`, `skip` or
/// `error outcome`.
fn not_passing(junit: &str, prefix: &str) -> Vec<(String, String)> {
    parse_junit(junit)
        .cases()
        .filter_map(|case| {
            let word = match &case.outcome {
                CaseOutcome::Pass => return None,
                CaseOutcome::Failure(severity) => severity.clone(),
                CaseOutcome::Error => "error outcome".to_owned(),
                CaseOutcome::Skipped(_) => "skip".to_owned(),
            };
            let name = case.full_name();
            Some((name.strip_prefix(prefix).unwrap_or(&name).to_owned(), word))
        })
        .collect()
}

#[test]
#[ignore = "rewrites the test cases of checks/node-join/tests/ from the emulator"]
fn regenerate_examples() {
    for example in EXAMPLES {
        let world = World::build(example.name, example.faults);
        let mut fixture = world.fixture();
        (example.fixture)(&world, &mut fixture);
        let proxy = Proxy::start(Faults {
            denied: example.denied.iter().map(|a| a.to_string()).collect(),
            ..Faults::default()
        });
        proxy.set_cluster(&world.cluster, fixture);
        // ekscheck records nowhere inside the pack it reads: into a directory of its own first.
        let out = Dir::new();
        let recorded = out.join("recording");
        let cluster = format!("cluster={}", world.cluster);
        live(
            &proxy,
            &[
                "record", PACK, "--var", &cluster, "--redact", "--out", &recorded,
            ],
        )
        .expect_code(0);
        let dir = example_dir(example.name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("the recording's directory");
        for entry in std::fs::read_dir(&recorded).expect("the recording") {
            let path = entry.expect("an entry").path();
            std::fs::copy(
                &path,
                Path::new(&dir).join(path.file_name().expect("a name")),
            )
            .expect("a copy of the recorded call");
        }
        let recorded = Recorded::read(Path::new(&dir));
        std::fs::write(
            format!("{}/expect.yaml", case_dir(example.name)),
            expect_yaml(example, &recorded),
        )
        .expect("expect.yaml");
    }
}

#[test]
fn each_expect_yaml_is_written_from_its_example() {
    for example in EXAMPLES {
        let recorded = Recorded::read(Path::new(&example_dir(example.name)));
        let path = format!("{}/expect.yaml", case_dir(example.name));
        let written = std::fs::read_to_string(&path).expect("the case's expect.yaml");
        assert_eq!(
            written,
            expect_yaml(example, &recorded),
            "{path} is not what its example says: regenerate it"
        );
    }
}

/// The outcomes of the pack on example `name`'s recording that did not pass, with subnets and
/// instances by position, and the run's output.
fn read_example(name: &str) -> (BTreeMap<String, String>, String) {
    let dir = example_dir(name);
    let out = Dir::new();
    let junit = out.join("junit.xml");
    let cluster = format!("cluster={name}");
    let run = ekscheck(&[
        "run",
        PACK,
        "--recording",
        &dir,
        "--var",
        &cluster,
        "--junit",
        &junit,
    ]);
    let xml = std::fs::read_to_string(&junit)
        .unwrap_or_else(|_| panic!("{name}: no report\n{}", run.stderr));
    let recorded = Recorded::read(Path::new(&dir));
    let outcomes = not_passing(&xml, "node-join::")
        .into_iter()
        .map(|(test, word)| (recorded.positional(&test), word))
        .collect();
    (outcomes, run.stdout)
}

#[test]
fn each_example_reads_as_its_diagnosis() {
    let (healthy, output) = read_example("healthy");
    // In the healthy example only what does not apply to a healthy cluster is skipped.
    let check_of = |test: &str| test.split('[').next().unwrap_or_default().to_owned();
    let not_applicable: BTreeSet<String> = NOT_APPLICABLE
        .iter()
        .map(|(check, _)| check.to_string())
        .collect();
    let skipped: BTreeSet<String> = healthy.keys().map(|test| check_of(test)).collect();
    assert!(
        healthy.values().all(|word| word == "skip") && skipped == not_applicable,
        "example healthy:\n{output}"
    );
    for example in &EXAMPLES[1..] {
        let (actual, output) = read_example(example.name);
        let mut expected = healthy.clone();
        for (test, word) in example.changes {
            match *word {
                "pass" => expected.remove(*test),
                word => expected.insert(test.to_string(), word.to_owned()),
            };
        }
        assert_eq!(actual, expected, "example {}:\n{output}", example.name);
    }
}

#[test]
fn the_pack_passes_its_own_tests() {
    let out = Dir::new();
    let junit = out.join("cases.xml");
    let run = ekscheck(&["test", PACK, "--junit", &junit]);
    run.expect_code(0);
    let report = parse_junit(&std::fs::read_to_string(&junit).expect("a JUnit report"));
    let cases: Vec<String> = report.cases().map(|case| case.full_name()).collect();
    let expected: Vec<String> = EXAMPLES
        .iter()
        .map(|example| format!("node-join::tests::{}", example.name))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(cases, expected, "{}", run.stdout);
    assert!(report.cases().all(|case| case.outcome == CaseOutcome::Pass));
}

#[test]
fn the_example_overrides_apply_to_the_pack() {
    let run = ekscheck(&[
        "run",
        PACK,
        "--recording",
        &example_dir("broken"),
        "--var",
        "cluster=broken",
        "--overrides",
        "examples/node-join-overrides.yaml",
    ]);
    run.expect_code(1)
        .expect_stdout_contains("    node-join::network::dhcp-options-dns\n");
    let skipped = run
        .stdout
        .lines()
        .find(|line| line.starts_with("test node-join::cluster::cluster-role-has-cluster-policy "))
        .expect("the check's line");
    assert!(
        skipped.ends_with("... ignored (overridden: cluster roles belong to the platform team)"),
        "{skipped}"
    );
}

//! The node-join pack's test cases (`checks/node-join/tests/CASE/`): each recording is made by
//! `ekscheck record --redact` from a world in the emulator, and its `expect.yaml` is written from
//! the example's changes below (regenerate both with
//! `cargo test --test acceptance regenerate_examples -- --ignored`); each is read back as the
//! diagnosis it is named after.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::json;

use super::{NOT_APPLICABLE, PACK};
use crate::emulator::proxy::{ClusterFixture, Faults, Proxy};
use crate::emulator::world::World;
use crate::live::live;
use crate::support::{CaseOutcome, Dir, ekscheck, parse_junit};

/// One example: its test case under `checks/node-join/tests/`, what is wrong in it, the world's
/// faults, what the fixture and the proxy change, and how the outcomes of the pack on its
/// recording differ from the healthy example's (each test's `severity`, `skip`, `error outcome`,
/// or `pass`).
struct Example {
    name: &'static str,
    about: &'static str,
    faults: &'static [&'static str],
    fixture: fn(&World, &mut ClusterFixture),
    denied: &'static [&'static str],
    changes: &'static [(&'static str, &'static str)],
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
    },
    Example {
        name: "missing-cni-policy",
        about: "The node role lacks AmazonEKS_CNI_Policy, and aws-node has no identity of its own.",
        faults: &["missing-cni-policy"],
        fixture: |_, _| {},
        denied: &[],
        changes: &[("iam::node-role-has-cni-policy[ng-1]", "error")],
    },
    Example {
        name: "trust-without-ec2",
        about: "The node role's trust policy does not trust ec2.amazonaws.com.",
        faults: &["trust-without-ec2"],
        fixture: |_, _| {},
        denied: &[],
        changes: &[("iam::node-role-trusts-ec2[ng-1]", "error")],
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
        ],
    },
    Example {
        name: "exhausted-subnet",
        about: "A node subnet has no free IP addresses.",
        faults: &["exhausted-subnet"],
        fixture: |_, _| {},
        denied: &[],
        changes: &[("network::subnet-free-ips[ng-1/subnet-1]", "error")],
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
    },
];

fn case_dir(name: &str) -> String {
    format!("checks/node-join/tests/{name}")
}

fn example_dir(name: &str) -> String {
    format!("{}/recording", case_dir(name))
}

/// Test name `test` with the positional subnets of its label (`subnet-1`) replaced by the
/// recorded ones.
fn recorded_name(test: &str, subnets: &[String]) -> String {
    let Some((check, label)) = test.split_once('[') else {
        return test.to_owned();
    };
    let label: Vec<&str> = label
        .trim_end_matches(']')
        .split('/')
        .map(|part| {
            let position = part
                .strip_prefix("subnet-")
                .and_then(|n| n.parse::<usize>().ok());
            position
                .and_then(|n| subnets.get(n.checked_sub(1)?))
                .map_or(part, String::as_str)
        })
        .collect();
    format!("{check}[{}]", label.join("/"))
}

/// The `expect.yaml` of `example`, whose node subnets were recorded as `subnets`: every change
/// that is not a skip or a pass, and `others: pass`.
fn expect_yaml(example: &Example, subnets: &[String]) -> String {
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
                _severity => "fail".to_owned(),
            };
            let test = recorded_name(test, subnets);
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

/// Subnet IDs in test names, replaced by their position in the node group (`subnet-1`).
fn positional(name: &str, subnets: &[String]) -> String {
    subnets
        .iter()
        .enumerate()
        .fold(name.to_owned(), |name, (index, id)| {
            name.replace(id, &format!("subnet-{}", index + 1))
        })
}

fn recorded_subnets(dir: &Path) -> Vec<String> {
    let nodegroup = std::fs::read_dir(dir)
        .expect("the example's recording")
        .map(|entry| entry.expect("an entry").path())
        .find(|path| path.to_string_lossy().contains("eks-describe-nodegroup"))
        .expect("a recorded DescribeNodegroup");
    let document: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(nodegroup).unwrap()).unwrap();
    serde_json::from_value(document["response"]["nodegroup"]["subnets"].clone()).unwrap()
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
        let subnets = recorded_subnets(Path::new(&dir));
        std::fs::write(
            format!("{}/expect.yaml", case_dir(example.name)),
            expect_yaml(example, &subnets),
        )
        .expect("expect.yaml");
    }
}

#[test]
fn each_expect_yaml_is_written_from_its_example() {
    for example in EXAMPLES {
        let subnets = recorded_subnets(Path::new(&example_dir(example.name)));
        let path = format!("{}/expect.yaml", case_dir(example.name));
        let written = std::fs::read_to_string(&path).expect("the case's expect.yaml");
        assert_eq!(
            written,
            expect_yaml(example, &subnets),
            "{path} is not what its example says: regenerate it"
        );
    }
}

/// The outcomes of the pack on example `name`'s recording that did not pass, with subnets by
/// position, and the run's output.
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
    let subnets = recorded_subnets(Path::new(&dir));
    let outcomes = not_passing(&xml, "node-join::")
        .into_iter()
        .map(|(test, word)| (positional(&test, &subnets), word))
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

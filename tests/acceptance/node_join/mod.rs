//! The node-join pack against worlds in the emulator: a healthy cluster passes every check, and
//! each fault fails or skips exactly the checks that should catch it, leaving every other
//! outcome as it was.

mod boot_log;
mod cli_examples;
mod examples;
mod scenarios;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::emulator::proxy::{ClusterFixture, Faults, Proxy};
use crate::emulator::world::World;
use crate::live::live;
use crate::support::{CaseOutcome, Dir, Run, parse_junit};

/// The pack under test.
pub(crate) const PACK: &str = "checks/node-join";

/// Outcomes by test name, with the world's IDs replaced by stable names (`subnet-1`, `i-2`), so
/// that outcomes of different worlds compare.
pub(crate) type Outcomes = BTreeMap<String, CaseOutcome>;

/// A diagnosis of one world: the run and its outcomes.
pub(crate) struct Diagnosis {
    /// The run of `ekscheck run`.
    pub run: Run,
    /// Its outcomes, normalised.
    pub outcomes: Outcomes,
}

/// Replaces the world's resource IDs in `text` by names that do not change between worlds
/// (`subnet-1`, `i-2`; a cluster subnet no node uses is `cluster-subnet-1`; a customer KMS key
/// `kms-key-1`; an AMI the world made `ami-own`; a self-managed node's `i-self`, `subnet-self`
/// and `self-profile`; a Karpenter node's `i-karpenter` and `karpenter-profile`).
pub(crate) fn normalise(text: &str, world: &World) -> String {
    let mut text = text.to_owned();
    if let Some(image) = &world.own_image {
        text = text.replace(image, "ami-own");
    }
    for (index, key) in world.kms_keys.iter().enumerate() {
        text = text.replace(key, &format!("kms-key-{}", index + 1));
    }
    for (index, subnet) in world.node_subnets.iter().enumerate() {
        text = text.replace(subnet, &format!("subnet-{}", index + 1));
    }
    for (index, subnet) in world.cluster_subnets.iter().enumerate() {
        text = text.replace(subnet, &format!("cluster-subnet-{}", index + 1));
    }
    for (index, instance) in world.instances.iter().enumerate() {
        text = text.replace(instance, &format!("i-{}", index + 1));
    }
    if let Some(node) = &world.self_managed {
        text = text
            .replace(&node.instance, "i-self")
            .replace(&node.subnet, "subnet-self")
            .replace(&node.profile, "self-profile");
    }
    if let Some(node) = &world.karpenter_node {
        text = text
            .replace(&node.instance, "i-karpenter")
            .replace(&node.profile, "karpenter-profile");
    }
    text
}

/// Runs the pack against `world` (whose fixture is `fixture`) and reads its JUnit report.
pub(crate) fn diagnose(world: &World, fixture: ClusterFixture, faults: Faults) -> Diagnosis {
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

/// The healthy world's outcomes, computed once. If the healthy world does not pass, every
/// scenario fails with its output (the world is not built a second time).
pub(crate) fn healthy() -> &'static Outcomes {
    static HEALTHY: OnceLock<Result<Outcomes, String>> = OnceLock::new();
    let healthy = HEALTHY.get_or_init(|| {
        let world = World::build("healthy", &[]);
        let diagnosis = diagnose(&world, world.fixture(), Faults::default());
        match diagnosis.run.code {
            0 => Ok(diagnosis.outcomes),
            code => Err(format!(
                "the healthy world exits {code}, not 0:\n{}\n{}",
                diagnosis.run.stdout, diagnosis.run.stderr
            )),
        }
    });
    match healthy {
        Ok(outcomes) => outcomes,
        Err(failure) => panic!("{failure}"),
    }
}

/// Where `actual` differs from `expected`, one line per test.
pub(crate) fn changes(expected: &Outcomes, actual: &Outcomes) -> Vec<String> {
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

/// Why the checks of aws-node's IRSA role are skipped when it uses the node role.
pub(crate) const NO_IRSA: &str =
    "when: cni_identity equals \"IRSA\" is false (actual: \"the node role\")";

/// Why the checks of aws-node's EKS Pod Identity are skipped when it uses the node role.
pub(crate) const NO_POD_IDENTITY: &str =
    "when: cni_identity equals \"EKS Pod Identity\" is false (actual: \"the node role\")";

/// What does not apply to the healthy world (no launch template, no KMS key, an IPv4 cluster,
/// private subnets routed to a NAT gateway, private and public endpoint access, EKS's AMI, no
/// eksctl stack, no instance EKS reports as failed to join, no VPC Block Public Access, control
/// plane egress managed by AWS, no hybrid nodes, no warm pool, Allowed AMIs off), by check, with
/// the reason each is skipped for.
pub(crate) const NOT_APPLICABLE: &[(&str, &str)] = &[
    (
        "boot-log::reported-failure-explained",
        "when: join_failures is not empty is false (actual: [])",
    ),
    (
        "iam::cni-role-has-ipv6-permissions",
        "when: $.cluster.kubernetesNetworkConfig.ipFamily equals \"ipv6\" is false (actual: \"ipv4\")",
    ),
    ("iam::cni-irsa-role-trusts-cluster", NO_IRSA),
    ("iam::cni-pod-identity-role-trusts-eks", NO_POD_IDENTITY),
    ("iam::pod-identity-agent-installed", NO_POD_IDENTITY),
    ("iam::node-role-may-use-pod-identity", NO_POD_IDENTITY),
    ("iam::pod-identity-endpoint", NO_POD_IDENTITY),
    (
        "auto-mode::node-role-has-access-entry",
        "when: $.cluster.computeConfig.enabled equals true is false (actual: absent)",
    ),
    (
        "launch-template::launch-template-exists",
        "call `launch_template` was not made: when: $.nodegroup.launchTemplate.id exists is false \
         (actual: absent)",
    ),
    (
        "launch-template::user-data-format",
        "needs launch-template-exists (skipped)",
    ),
    (
        "launch-template::user-data-bootstraps-this-cluster",
        "needs launch-template-exists (skipped)",
    ),
    (
        "launch-template::custom-ami-bootstraps",
        "needs launch-template-exists (skipped)",
    ),
    (
        "launch-template::bootstrap-reaches-eks-api",
        "needs launch-template-exists (skipped)",
    ),
    (
        "launch-template::eks-ami-bootstrapped-once",
        "needs launch-template-exists (skipped)",
    ),
    (
        "launch-template::image-available",
        "needs launch-template-exists (skipped)",
    ),
    (
        "launch-template::image-architecture",
        "needs image-available (skipped)",
    ),
    (
        "launch-template::launch-template-metadata",
        "needs launch-template-exists (skipped)",
    ),
    (
        "launch-template::launch-template-settings-allowed",
        "needs launch-template-exists (skipped)",
    ),
    (
        "launch-template::image-not-ssm-parameter",
        "needs launch-template-exists (skipped)",
    ),
    (
        "launch-template::custom-ami-version-skew",
        "needs image-available (skipped)",
    ),
    (
        "launch-template::eks-ami-allowed",
        "when: $.State equals \"enabled\" is false (actual: \"disabled\")",
    ),
    (
        "launch-template::capacity-block-configured",
        "needs launch-template-exists (skipped)",
    ),
    (
        "launch-template::capacity-reservation-usable",
        "needs launch-template-exists (skipped)",
    ),
    (
        "nodegroups::warm-pool-supported",
        "when: $.nodegroup.warmPoolConfig.enabled equals true is false (actual: absent)",
    ),
    (
        "network::ipv6-subnet-assigns-addresses",
        "when: $.cluster.kubernetesNetworkConfig.ipFamily equals \"ipv6\" is false (actual: \"ipv4\")",
    ),
    (
        "network::private-endpoint-access",
        "when: egress equals \"endpoints\" is false (actual: \"route\")",
    ),
    (
        "network::s3-gateway-endpoint-routes",
        "when: egress not {equals \"route\"} is false (actual: \"route\")",
    ),
    (
        "network::block-public-access-spares-egress",
        "when: $.VpcBlockPublicAccessOptions.InternetGatewayBlockMode not {equals \"off\"} is \
         false (actual: \"off\")",
    ),
    (
        "network::ipv6-instance-types-nitro",
        "call `ipv6_instance_types` was not made: when: $.cluster.kubernetesNetworkConfig.ipFamily \
         equals \"ipv6\" is false (actual: \"ipv4\")",
    ),
    (
        "network::control-plane-egress-routed",
        "when: $.cluster.resourcesVpcConfig.controlPlaneEgressMode equals \"CUSTOMER_ROUTED\" is \
         false (actual: \"AWS_MANAGED\")",
    ),
    (
        "hybrid::remote-node-networks-routed",
        "when: remote_node_networks not {equals []} is false (actual: [])",
    ),
    (
        "hybrid::control-plane-admits-remote-nodes",
        "when: remote_node_networks not {equals []} is false (actual: [])",
    ),
    (
        "hybrid::hybrid-node-access-entry",
        "when: remote_node_networks not {equals []} is false (actual: [])",
    ),
    (
        "network::public-endpoint-admits-nodes",
        "when: $.cluster.resourcesVpcConfig.endpointPrivateAccess not {equals true} is false \
         (actual: true)",
    ),
    (
        "network::public-subnet-maps-public-ip",
        "when: $.Routes[?@.DestinationCidrBlock == '0.0.0.0/0' && match(@.GatewayId, 'igw-.*')] \
         exists is false (actual: [])",
    ),
    (
        "nodegroups::nodegroup-stack-healthy",
        "when: $.Stacks[0].StackName exists is false (actual: absent)",
    ),
    (
        "nodegroups::ami-type-published",
        "when: $.nodegroup.amiType matches /^AL2_/ is false (actual: \"AL2023_x86_64_STANDARD\")",
    ),
];

#[test]
fn a_healthy_cluster_passes_every_check() {
    let outcomes = healthy();
    let mut wrong = Vec::new();
    for (name, outcome) in outcomes {
        let check = name
            .trim_start_matches("node-join::")
            .split('[')
            .next()
            .unwrap_or_default();
        let expected = match NOT_APPLICABLE.iter().find(|(id, _)| *id == check) {
            Some((_, reason)) => CaseOutcome::Skipped((*reason).to_owned()),
            None => CaseOutcome::Pass,
        };
        if *outcome != expected {
            wrong.push(format!("{name}: {outcome:?}, expected {expected:?}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Every check of the pack ran, but those with no row here: the self-managed ones (there is
    // no such node), those of a private cluster's endpoints (the subnets route to a NAT), that
    // of Auto Mode's NodeClasses (it is not an Auto Mode cluster) and those of customer KMS keys
    // (the volumes are not encrypted).
    let checks: std::collections::BTreeSet<&str> = outcomes
        .keys()
        .map(|name| name.split('[').next().unwrap())
        .collect();
    let listed = crate::support::ekscheck(&["run", PACK, "--", "--list"]);
    let all: std::collections::BTreeSet<&str> = listed
        .stdout
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .filter(|name| !name.starts_with("node-join::self-managed::"))
        .filter(|name| {
            !matches!(
                *name,
                "node-join::network::private-endpoint-usable"
                    | "node-join::network::private-endpoint-policy"
                    | "node-join::network::s3-gateway-endpoint-policy"
                    | "node-join::auto-mode::node-class-role-has-access-entry"
                    | "node-join::launch-template::ebs-kms-key-enabled"
                    | "node-join::launch-template::ebs-kms-key-allows-autoscaling"
            )
        })
        .collect();
    assert_eq!(checks, all);
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
    let checks: std::collections::BTreeSet<String> = listed
        .stdout
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .map(|name| name.trim_start_matches("node-join::").to_owned())
        .collect();
    assert_eq!(
        checks.len(),
        listed.stdout.lines().count(),
        "`--list` printed something other than checks:\n{}",
        listed.stdout
    );
    // Each suite's section is headed `## Title (`suite::`…)`; its check table (headed
    // `| check |`) names each check in its first column.
    let mut documented = std::collections::BTreeSet::new();
    let mut suite = "";
    let mut in_check_table = false;
    for line in readme.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            suite = heading
                .split_once("(`")
                .and_then(|(_, rest)| rest.split_once("::`"))
                .map_or("", |(name, _)| name);
        }
        if !line.starts_with('|') {
            in_check_table = false;
        } else if line.starts_with("| check |") {
            in_check_table = true;
        } else if let Some((id, _)) = line
            .strip_prefix("| `")
            .filter(|_| in_check_table)
            .and_then(|rest| rest.split_once('`'))
        {
            documented.insert(format!("{suite}::{id}"));
        }
    }
    assert_eq!(
        checks, documented,
        "the checks of the pack and those its README describes differ"
    );
    // The cause table (headed `| # | cause |`) numbers the causes 1 to 84, and every check it
    // names (`suite::id`, or a whole `suite::`) exists.
    let causes: Vec<&str> = readme
        .lines()
        .skip_while(|line| !line.starts_with("| # | cause |"))
        .skip(2)
        .take_while(|line| line.starts_with('|'))
        .collect();
    let numbers: Vec<String> = causes
        .iter()
        .map(|row| row.split('|').nth(1).unwrap_or_default().trim().to_owned())
        .collect();
    let expected: Vec<String> = (1..=84).map(|n| n.to_string()).collect();
    assert_eq!(numbers, expected, "the README's cause table");
    for row in causes {
        let covered_by = row.rsplit('|').nth(1).unwrap_or_default();
        for named in covered_by.split('`').skip(1).step_by(2) {
            if let Some(suite) = named.strip_suffix("::") {
                assert!(
                    checks
                        .iter()
                        .any(|check| check.starts_with(&format!("{suite}::"))),
                    "the cause table names a suite the pack lacks: {row}"
                );
            } else if named.contains("::") {
                assert!(
                    checks.contains(named),
                    "the cause table names a check the pack lacks: {row}"
                );
            }
        }
    }
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

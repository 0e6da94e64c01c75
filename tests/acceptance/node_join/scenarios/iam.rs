//! The node role and aws-node's role: the three node policies (decided by simulation, or by the
//! policies' names when simulation is refused), trust, a deleted role, a role under a path, and
//! where aws-node's permissions come from (node role, IRSA, EKS Pod Identity).

use super::{Becomes, ERROR, Fails, Passes, Scenario, Skipped, at, per_subnet};
use crate::emulator::proxy::Faults;

/// The run may not call iam:SimulatePrincipalPolicy: permissions are decided by policy names.
fn no_simulation() -> Faults {
    Faults {
        denied: vec!["iam:SimulatePrincipalPolicy".into()],
        ..Faults::default()
    }
}

#[test]
fn missing_cni_policy() {
    let run = Scenario::new("no-cni", &["missing-cni-policy"]).expect(
        vec![at("iam::node-role-has-cni-policy[ng-1]", Fails(ERROR))],
        1,
    );
    run.expect_stdout_contains(
        "Decided by simulation in eu-west-2: the role may not call \
         [\"ec2:AssignPrivateIpAddresses\"",
    );
}

#[test]
fn missing_worker_node_policy() {
    Scenario::new("no-worker", &["missing-worker-node-policy"]).expect(
        vec![at(
            "iam::node-role-has-worker-node-policy[ng-1]",
            Fails(ERROR),
        )],
        1,
    );
}

#[test]
fn missing_ecr_policy() {
    Scenario::new("no-ecr", &["missing-ecr-policy"]).expect(
        vec![at("iam::node-role-has-ecr-read-policy[ng-1]", Fails(ERROR))],
        1,
    );
}

#[test]
fn trust_policy_without_ec2() {
    Scenario::new("trust-eks", &["trust-without-ec2"])
        .expect(vec![at("iam::node-role-trusts-ec2[ng-1]", Fails(ERROR))], 1);
}

#[test]
fn node_role_missing_skips_what_depends_on_it() {
    let needs = Skipped("needs node-role-exists (failed)");
    Scenario::new("no-role", &["node-role-missing"]).expect(
        vec![
            at("iam::node-role-exists[ng-1]", Fails(ERROR)),
            at("iam::node-role-trusts-ec2[ng-1]", needs),
            at("iam::node-role-has-worker-node-policy[ng-1]", needs),
            at("iam::node-role-has-cni-policy[ng-1]", needs),
            at("iam::cni-role-has-ipv6-permissions[ng-1]", needs),
            at("iam::node-role-has-ecr-read-policy[ng-1]", needs),
            at("iam::node-role-path[ng-1]", needs),
            at("iam::node-role-may-use-pod-identity[ng-1]", needs),
            at("access::node-role-has-access-entry[ng-1]", needs),
            at(
                "access::access-entry-type[ng-1]",
                Skipped("needs node-role-has-access-entry (skipped)"),
            ),
            at(
                "access::access-entry-not-stale[ng-1]",
                Skipped("needs node-role-has-access-entry (skipped)"),
            ),
            at("instances::instance-profile-role[ng-1/i-1]", needs),
            at("instances::instance-profile-role[ng-1/i-2]", needs),
        ],
        1,
    );
}

#[test]
fn a_node_role_under_a_path_is_a_warning_beside_aws_auth() {
    let failed = Skipped("needs node-role-has-access-entry (failed)");
    Scenario::new("role-path", &["node-role-path"])
        .fixture(|_, fixture| fixture.access_entries.clear())
        .expect(
            vec![
                at("iam::node-role-path[ng-1]", Fails("warning")),
                at("access::node-role-has-access-entry[ng-1]", Fails("warning")),
                at("access::access-entry-type[ng-1]", failed),
                at("access::access-entry-not-stale[ng-1]", failed),
            ],
            0,
        );
}

#[test]
fn a_node_role_under_a_path_with_an_access_entry_needs_no_aws_auth() {
    Scenario::new("role-path-entry", &["node-role-path"]).expect(vec![], 0);
}

#[test]
fn worker_permissions_of_a_customer_managed_policy_are_enough() {
    Scenario::new("custom-worker", &["custom-worker-policy"]).expect(vec![], 0);
}

#[test]
fn worker_permissions_that_name_the_cluster_for_describe_cluster_are_enough() {
    Scenario::new("scoped-worker", &["worker-policy-scoped"]).expect(vec![], 0);
}

#[test]
fn worker_permissions_on_a_condition_the_simulation_cannot_know_are_a_warning() {
    let run = Scenario::new("source-vpc-worker", &["worker-policy-source-vpc"]).expect(
        vec![at(
            "iam::node-role-has-worker-node-policy[ng-1]",
            Fails("warning"),
        )],
        0,
    );
    run.expect_stdout_contains("condition keys it had no value for ([\"aws:SourceVpc\"]");
    run.expect_stdout_contains(
        "ContextKeyName=aws:SourceVpc,ContextKeyValues=VALUE,ContextKeyType=string",
    );
}

#[test]
fn a_permissions_boundary_without_ecr() {
    Scenario::new("boundary-no-ecr", &["node-role-boundary-without-ecr"]).expect(
        vec![at("iam::node-role-has-ecr-read-policy[ng-1]", Fails(ERROR))],
        1,
    );
}

#[test]
fn without_simulation_the_policy_names_decide() {
    Scenario::new("no-simulation", &[])
        .faults(no_simulation())
        .expect(vec![], 0);
    let run = Scenario::new("no-simulation-custom", &["custom-worker-policy"])
        .faults(no_simulation())
        .expect(
            vec![at(
                "iam::node-role-has-worker-node-policy[ng-1]",
                Fails(ERROR),
            )],
            1,
        );
    run.expect_stdout_contains(
        "Decided by the attached policies' names (iam:SimulatePrincipalPolicy was refused: \
         AccessDenied)",
    );
}

/// How a world whose aws-node has a role of its own through IRSA differs from the healthy
/// world: the IRSA role's trust is checked, and EKS Pod Identity's checks skip for another reason.
fn irsa_world() -> Vec<(String, Becomes)> {
    let skipped =
        Skipped("when: cni_identity equals \"EKS Pod Identity\" is false (actual: \"IRSA\")");
    let mut expected = vec![at("iam::cni-irsa-role-trusts-cluster[ng-1]", Passes)];
    expected.extend(POD_IDENTITY_CHECKS.map(|check| at(check, skipped)));
    expected.extend(per_subnet("iam::pod-identity-endpoint", skipped));
    expected
}

/// How a world whose aws-node has a role of its own through EKS Pod Identity differs from the
/// healthy world: Pod Identity's checks run (its endpoint only where subnets rely on endpoints).
fn pod_identity_world() -> Vec<(String, Becomes)> {
    let mut expected = vec![at(
        "iam::cni-irsa-role-trusts-cluster[ng-1]",
        Skipped("when: cni_identity equals \"IRSA\" is false (actual: \"EKS Pod Identity\")"),
    )];
    expected.extend(POD_IDENTITY_CHECKS.map(|check| at(check, Passes)));
    expected.extend(per_subnet(
        "iam::pod-identity-endpoint",
        Skipped("when: egress equals \"endpoints\" is false (actual: \"route\")"),
    ));
    expected
}

/// The checks of aws-node on EKS Pod Identity that run once per node group.
const POD_IDENTITY_CHECKS: [&str; 3] = [
    "iam::cni-pod-identity-role-trusts-eks[ng-1]",
    "iam::pod-identity-agent-installed[ng-1]",
    "iam::node-role-may-use-pod-identity[ng-1]",
];

#[test]
fn aws_node_with_a_role_of_its_own_needs_no_cni_policy_on_the_node_role() {
    Scenario::new("cni-irsa", &["cni-irsa"]).expect(irsa_world(), 0);
}

#[test]
fn aws_node_role_without_the_cni_policy() {
    let mut expected = irsa_world();
    expected.push(at("iam::node-role-has-cni-policy[ng-1]", Fails(ERROR)));
    let run = Scenario::new("cni-irsa-bare", &["cni-irsa", "cni-irsa-without-policy"])
        .expect(expected, 1);
    run.expect_stdout_contains("through IRSA");
    run.expect_stdout_contains("-aws-node (IRSA)");
}

#[test]
fn aws_node_on_irsa_trusting_the_issuer_of_an_earlier_cluster() {
    let mut expected = irsa_world();
    expected.push(at("iam::cni-irsa-role-trusts-cluster[ng-1]", Fails(ERROR)));
    let run =
        Scenario::new("cni-irsa-stale", &["cni-irsa", "cni-irsa-stale-issuer"]).expect(expected, 1);
    run.expect_stdout_contains("eksctl utils associate-iam-oidc-provider");
}

#[test]
fn aws_node_on_irsa_without_the_clusters_oidc_provider() {
    let mut expected = irsa_world();
    expected.push(at("iam::cni-irsa-role-trusts-cluster[ng-1]", Fails(ERROR)));
    Scenario::new("cni-irsa-no-oidc", &["cni-irsa", "cni-irsa-no-provider"]).expect(expected, 1);
}

#[test]
fn aws_node_through_pod_identity() {
    Scenario::new("cni-pod-identity", &["cni-pod-identity"]).expect(pod_identity_world(), 0);
    let mut expected = pod_identity_world();
    expected.push(at("iam::node-role-has-cni-policy[ng-1]", Fails(ERROR)));
    let run = Scenario::new(
        "cni-pod-identity-bare",
        &["cni-pod-identity", "cni-irsa-without-policy"],
    )
    .expect(expected, 1);
    run.expect_stdout_contains("through EKS Pod Identity");
}

#[test]
fn aws_node_on_pod_identity_with_a_role_that_does_not_let_eks_tag_sessions() {
    let mut expected = pod_identity_world();
    expected.push(at(
        "iam::cni-pod-identity-role-trusts-eks[ng-1]",
        Fails(ERROR),
    ));
    Scenario::new(
        "cni-pod-identity-no-tag",
        &["cni-pod-identity", "cni-pod-identity-assume-only"],
    )
    .expect(expected, 1);
}

#[test]
fn aws_node_on_pod_identity_without_the_agent_add_on_is_a_warning() {
    let mut expected = pod_identity_world();
    expected.push(at(
        "iam::pod-identity-agent-installed[ng-1]",
        Fails("warning"),
    ));
    Scenario::new("cni-pod-identity-no-agent", &["cni-pod-identity"])
        .fixture(|_, fixture| {
            fixture.addons.remove("eks-pod-identity-agent");
        })
        .expect(expected, 0);
}

#[test]
fn aws_node_on_pod_identity_with_a_node_role_the_agent_cannot_ask_with() {
    let mut expected = pod_identity_world();
    expected.push(at(
        "iam::node-role-has-worker-node-policy[ng-1]",
        Fails(ERROR),
    ));
    expected.push(at(
        "iam::node-role-may-use-pod-identity[ng-1]",
        Fails(ERROR),
    ));
    Scenario::new(
        "cni-pod-identity-no-worker",
        &["cni-pod-identity", "missing-worker-node-policy"],
    )
    .expect(expected, 1);
}

#[test]
fn aws_node_on_pod_identity_in_a_private_cluster_needs_the_eks_auth_endpoint() {
    let mut expected = super::network::private_cluster();
    expected.extend(pod_identity_world());
    expected.extend(per_subnet("iam::pod-identity-endpoint", Fails(ERROR)));
    Scenario::new(
        "cni-pod-identity-private",
        &["private-endpoints", "cni-pod-identity"],
    )
    .expect(expected, 1);
}

#[test]
fn aws_node_on_pod_identity_in_a_private_cluster_with_the_eks_auth_endpoint_is_healthy() {
    let mut expected = super::network::private_cluster();
    expected.extend(pod_identity_world());
    expected.extend(per_subnet("iam::pod-identity-endpoint", Passes));
    Scenario::new(
        "cni-pod-identity-eks-auth",
        &["private-endpoints", "eks-auth-endpoint", "cni-pod-identity"],
    )
    .expect(expected, 0);
}

#[test]
fn an_ipv6_cluster_whose_aws_node_role_has_the_cni_policy_of_before_subnet_discovery() {
    // eksctl gives aws-node an IRSA role with that policy alone (the node role's
    // AmazonEKSWorkerNodePolicy allows the two describes).
    let mut expected = irsa_world();
    expected.push(at("iam::cni-role-has-ipv6-permissions[ng-1]", Fails(ERROR)));
    let run = Scenario::new("ipv6-cni-2024", &["cni-irsa", "ipv6-cni-2024-policy"])
        .of(&super::reference::IPV6_CLUSTER)
        .expect(expected, 1);
    run.expect_stdout_contains(
        "the role may not call [\"ec2:DescribeSubnets\",\"ec2:DescribeSecurityGroups\"]",
    );
}

#[test]
fn without_the_vpc_cni_add_on_a_missing_cni_policy_is_a_warning() {
    // aws-node installed otherwise (a Helm chart, eksctl's manifest): no vpc-cni add-on.
    Scenario::new("no-cni-addon", &["missing-cni-policy"])
        .fixture(|_, fixture| {
            fixture.addons.remove("vpc-cni");
        })
        .expect(
            vec![
                at("iam::node-role-has-cni-policy[ng-1]", Fails("warning")),
                at(
                    "cluster::node-addon-healthy[vpc-cni]",
                    Skipped("when: $.addon.addonName exists is false (actual: absent)"),
                ),
            ],
            0,
        );
}

//! The node role and aws-node's role: the three node policies (decided by simulation, or by the
//! policies' names when simulation is refused), trust, a deleted role, a role under a path, and
//! where aws-node's permissions come from (node role, IRSA, EKS Pod Identity).

use serde_json::json;

use super::{ERROR, Fails, Scenario, Skipped, at};
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
        "Decided by simulation: the role may not call [\"ec2:AssignPrivateIpAddresses\"",
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
    Scenario::new("role-path", &["node-role-path"])
        .expect(vec![at("iam::node-role-path[ng-1]", Fails("warning"))], 0);
}

#[test]
fn worker_permissions_of_a_customer_managed_policy_are_enough() {
    Scenario::new("custom-worker", &["custom-worker-policy"]).expect(vec![], 0);
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

#[test]
fn aws_node_with_a_role_of_its_own_needs_no_cni_policy_on_the_node_role() {
    Scenario::new("cni-irsa", &["cni-irsa"]).expect(vec![], 0);
}

#[test]
fn aws_node_role_without_the_cni_policy() {
    let run = Scenario::new("cni-irsa-bare", &["cni-irsa", "cni-irsa-without-policy"]).expect(
        vec![at("iam::node-role-has-cni-policy[ng-1]", Fails(ERROR))],
        1,
    );
    run.expect_stdout_contains("through IRSA");
    run.expect_stdout_contains("-aws-node (IRSA)");
}

#[test]
fn aws_node_through_pod_identity() {
    // The same role, associated through EKS Pod Identity instead of the add-on.
    let associate = |world: &crate::emulator::world::World,
                     fixture: &mut crate::emulator::proxy::ClusterFixture| {
        let role = world.cni_role_arn.clone().expect("aws-node's role");
        fixture
            .addons
            .get_mut("vpc-cni")
            .expect("vpc-cni")
            .as_object_mut()
            .expect("an add-on")
            .remove("serviceAccountRoleArn");
        fixture.pod_identity_associations = vec![json!({
            "clusterName": world.cluster,
            "namespace": "kube-system",
            "serviceAccount": "aws-node",
            "roleArn": role,
            "associationArn": format!("arn:aws:eks:{}:123456789012:podidentityassociation/{}/a-1", world.region, world.cluster),
            "associationId": "a-1",
        })];
    };
    Scenario::new("cni-pod-identity", &["cni-irsa"])
        .fixture(associate)
        .expect(vec![], 0);
    let run = Scenario::new(
        "cni-pod-identity-bare",
        &["cni-irsa", "cni-irsa-without-policy"],
    )
    .fixture(associate)
    .expect(
        vec![at("iam::node-role-has-cni-policy[ng-1]", Fails(ERROR))],
        1,
    );
    run.expect_stdout_contains("through EKS Pod Identity");
}

#[test]
fn without_the_vpc_cni_add_on_a_missing_cni_policy_is_a_warning() {
    Scenario::new("no-cni-addon", &["missing-cni-policy"])
        .fixture(|_, fixture| fixture.addons.clear())
        .expect(
            vec![at("iam::node-role-has-cni-policy[ng-1]", Fails("warning"))],
            0,
        );
}

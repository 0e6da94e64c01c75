//! Calls that do not apply, and rows decided on the responses at hand: a call whose `when` is
//! false for a row is not made there (an AWS call reading it is not made either; a computed call
//! reads it as null), its checks are skipped with the reason; an assertion that fails on the
//! responses at hand fails its check even when another call the check reads could not be made,
//! and a call that cannot be made for want of a value says which value, from which call.

use serde_json::json;

use crate::support::{CaseOutcome, Fixture, expected, failure, skipped};

const MANIFEST: &str = "\
pack: t
version: 1.0.0
calls:
  nodegroups:
    api: eks:ListNodegroups
    params: { clusterName: c1 }
  nodegroup:
    for_each: { in: nodegroups, path: \"$.nodegroups[*]\", as: ng }
    api: eks:DescribeNodegroup
    params: { clusterName: c1, nodegroupName: \"{{ng}}\" }
";

const TEMPLATES: &str = "\
calls:
  template:
    when:
      - { on: nodegroup, path: $.nodegroup.launchTemplate.id, exists: true }
    api: ec2:DescribeLaunchTemplateVersions
    params:
      LaunchTemplateId: \"{{nodegroup.nodegroup.launchTemplate.id}}\"
      Versions: [\"{{nodegroup.nodegroup.launchTemplate.version}}\"]
  image:
    api: ec2:DescribeImages
    params: { ImageIds: [\"{{template.LaunchTemplateVersions.0.LaunchTemplateData.ImageId}}\"] }
  source:
    value: \"{{#if template}}launch template{{else}}EKS default{{/if}}\"
checks:
  - id: template-has-user-data
    title: Launch template of {{ng}} has user data
    on: template
    expect:
      - { path: '$.LaunchTemplateVersions[0].LaunchTemplateData.UserData', exists: true }
  - id: image-available
    title: Image of {{ng}} is available
    on: image
    expect:
      - { path: '$.Images[0].State', equals: available }
  - id: nodes-from-template
    title: Nodes of {{ng}} come from a launch template
    on: source
    expect:
      - { equals: launch template }
  - id: template-found-if-any
    title: The launch template of {{ng}}, if it has one, was found
    expect:
      - any_of:
          - { on: template, path: '$.LaunchTemplateVersions[0]', exists: true }
          - { on: nodegroup, path: $.nodegroup.launchTemplate, exists: false }
";

fn nodegroups() -> Fixture {
    Fixture::pack(&[("pack.yaml", MANIFEST), ("templates.yaml", TEMPLATES)])
        .respond(
            "eks:ListNodegroups",
            json!({"clusterName": "c1"}),
            json!({"nodegroups": ["ng-a", "ng-b"]}),
        )
        .respond(
            "eks:DescribeNodegroup",
            json!({"clusterName": "c1", "nodegroupName": "ng-a"}),
            json!({"nodegroup": {"launchTemplate": {"id": "lt-1", "version": "2"}}}),
        )
        .respond(
            "eks:DescribeNodegroup",
            json!({"clusterName": "c1", "nodegroupName": "ng-b"}),
            json!({"nodegroup": {}}),
        )
        .respond(
            "ec2:DescribeLaunchTemplateVersions",
            json!({"LaunchTemplateId": "lt-1", "Versions": ["2"]}),
            json!({"LaunchTemplateVersions": [{"LaunchTemplateData": {
                "ImageId": "ami-1", "UserData": "IyEvYmluL2Jhc2g="}}]}),
        )
        .respond(
            "ec2:DescribeImages",
            json!({"ImageIds": ["ami-1"]}),
            json!({"Images": [{"ImageId": "ami-1", "State": "available"}]}),
        )
}

#[test]
fn a_call_whose_when_is_false_is_not_made_and_its_checks_are_skipped() {
    // The recording has no launch template or image for ng-b: a call made there would be an
    // error outcome (no recording), not a skip.
    let (run, report) = nodegroups().run_with_report(&[]);
    run.expect_code(1);
    let not_made = "call `template` was not made: when: $.nodegroup.launchTemplate.id exists is \
                    false (actual: absent)";
    assert_eq!(
        report.outcome_list(),
        expected(&[
            (
                "t::templates::template-has-user-data[ng-a]",
                CaseOutcome::Pass
            ),
            (
                "t::templates::template-has-user-data[ng-b]",
                skipped(not_made)
            ),
            ("t::templates::image-available[ng-a]", CaseOutcome::Pass),
            (
                "t::templates::image-available[ng-b]",
                skipped(
                    "call `image` was not made: it reads call `template`, which was not made: \
                     when: $.nodegroup.launchTemplate.id exists is false (actual: absent)",
                ),
            ),
            // A computed call reads a call that was not made as null, to choose between
            // alternatives.
            ("t::templates::nodes-from-template[ng-a]", CaseOutcome::Pass),
            ("t::templates::nodes-from-template[ng-b]", failure("error")),
            // In `any_of`, a call that was not made reads as null: another alternative decides.
            (
                "t::templates::template-found-if-any[ng-a]",
                CaseOutcome::Pass
            ),
            (
                "t::templates::template-found-if-any[ng-b]",
                CaseOutcome::Pass
            ),
        ])
    );
    let text = &report.case("t::templates::nodes-from-template[ng-b]").text;
    assert!(text.contains("  actual:   \"EKS default\""), "{text}");
}

const PROFILES: &str = "\
calls:
  instance:
    api: ec2:DescribeInstances
    params: { InstanceIds: [i-1] }
  profile:
    api: iam:GetInstanceProfile
    params:
      InstanceProfileName: \"{{arn_name instance.Reservations.0.Instances.0.IamInstanceProfile.Arn}}\"
checks:
  - id: instance-profile-role
    title: Instance i-1 runs with the node role
    expect:
      - { on: instance, path: '$.Reservations[0].Instances[0].IamInstanceProfile.Arn', exists: true }
      - { on: profile, path: '$.InstanceProfile.Roles[*].Arn', contains: node }
    remediation: Give i-1 an instance profile carrying the node role.
  - id: profile-role-only
    title: The profile of i-1 carries the node role
    on: profile
    expect:
      - { path: '$.InstanceProfile.Roles[*].Arn', contains: node }
";

#[test]
fn an_assertion_failing_on_the_responses_at_hand_fails_the_check_whatever_else_is_missing() {
    let fixture = Fixture::pack(&[("profiles.yaml", PROFILES)]).respond(
        "ec2:DescribeInstances",
        json!({"InstanceIds": ["i-1"]}),
        json!({"Reservations": [{"Instances": [{"InstanceId": "i-1"}]}]}),
    );
    let (run, report) = fixture.run_with_report(&[]);
    run.expect_code(1);
    let cannot = "call `profile` could not be made: `{{arn_name \
                  instance.Reservations.0.Instances.0.IamInstanceProfile.Arn}}` reads \
                  `instance.Reservations.0.Instances.0.IamInstanceProfile.Arn`, which is absent \
                  (`instance.Reservations.0.Instances.0` has no `IamInstanceProfile`)";
    // The instance has no profile: that is the fault, and the check fails on it.
    let failed = report.case("t::profiles::instance-profile-role");
    assert_eq!(failed.outcome, failure("error"));
    let lines: Vec<&str> = failed.text.lines().collect();
    assert_eq!(lines[0], "Instance i-1 runs with the node role");
    assert!(
        lines[1].starts_with("assertion failed at "),
        "{}",
        failed.text
    );
    assert_eq!(lines[5], "  actual:   absent");
    assert_eq!(lines[6], format!("not checked: {cannot}"));
    assert_eq!(
        lines[7],
        "remediation: Give i-1 an instance profile carrying the node role."
    );
    // A check with nothing else to go on cannot be decided, and says why in plain words.
    let undecided = report.case("t::profiles::profile-role-only");
    assert_eq!(undecided.outcome, CaseOutcome::Error);
    assert_eq!(
        undecided.text.lines().nth(1),
        Some(format!("error: could not decide: {cannot}").as_str())
    );
}

#[test]
fn a_call_condition_must_name_its_call_and_has_no_severity() {
    let suite = "\
calls:
  a: { api: eks:ListClusters }
  b:
    when:
      - { path: $.clusters, exists: true }
      - { on: a, path: $.clusters, exists: true, severity: warning }
    api: eks:ListClusters
checks:
  - id: c
    title: c
    on: b
    expect: [{ exists: true }]
";
    let (run, printed) = Fixture::pack(&[("s.yaml", suite)]).validate();
    run.expect_code(2);
    assert_eq!(
        printed,
        [
            "pack/s.yaml:5:9: error: a call's `when` assertion must say which call's response it tests",
            "pack/s.yaml:6:60: error: a call's `when` assertion has no severity of its own",
        ]
    );
}

const ONE_CLUSTER: &str = "\
pack: t
version: 1.0.0
calls:
  cluster:
    api: eks:DescribeCluster
    params: { name: c1 }
  addons:
    api: eks:ListAddons
    params: { clusterName: c1 }
  profiles:
    when:
      - { on: cluster, path: $.cluster.status, equals: DELETING }
    api: eks:ListFargateProfiles
    params: { clusterName: c1 }
";

const MISSING: &str = "\
checks:
  - id: title-reads-failed-call
    title: 'Cluster with {{addons.addons.[0]}}'
    on: cluster
    expect:
      - { path: $.cluster.status, equals: ACTIVE }
  - id: remediation-reads-failed-call
    title: Cluster is deleting
    on: cluster
    expect:
      - { path: $.cluster.status, equals: DELETING }
    remediation: 'remove {{addons.addons.[0]}}'
  - id: on-not-made
    title: Fargate profiles are listed
    on: profiles
    expect:
      - { path: $.fargateProfileNames, exists: true }
  - id: alternatives-on-failed-call
    title: Either alternative
    on: addons
    expect:
      - any_of:
          - { on: cluster, path: $.cluster.status, equals: ACTIVE }
          - { on: cluster, path: $.cluster.status, equals: CREATING }
  - id: alternatives-on-call-not-made
    title: Either alternative
    on: profiles
    expect:
      - any_of:
          - { on: cluster, path: $.cluster.status, equals: ACTIVE }
          - { on: cluster, path: $.cluster.status, equals: CREATING }
";

/// What a row needs of the calls it reads: a title or remediation reading a call that failed is
/// shown as written (the outcome is decided by the assertions); an `on` that was not made skips
/// the row and a failed one leaves it undecided, even for an `any_of` whose alternatives name
/// their own calls: the `on` written is needed.
#[test]
fn a_row_needs_the_calls_its_assertions_read_and_shows_the_rest_as_written() {
    let fixture = Fixture::pack(&[("pack.yaml", ONE_CLUSTER), ("missing.yaml", MISSING)])
        .respond(
            "eks:DescribeCluster",
            json!({"name": "c1"}),
            json!({"cluster": {"status": "ACTIVE"}}),
        )
        .fail(
            "eks:ListAddons",
            json!({"clusterName": "c1"}),
            "AccessDeniedException",
            "no",
        );
    let (run, report) = fixture.run_with_report(&[]);
    run.expect_code(1)
        .expect_stdout_contains("remediation: remove {{addons.addons.[0]}}");
    let not_made = skipped(
        "call `profiles` was not made: when: $.cluster.status equals \"DELETING\" is false \
         (actual: \"ACTIVE\")",
    );
    assert_eq!(
        report.outcome_list(),
        expected(&[
            ("t::missing::title-reads-failed-call", CaseOutcome::Pass),
            (
                "t::missing::remediation-reads-failed-call",
                failure("error")
            ),
            ("t::missing::on-not-made", not_made.clone()),
            (
                "t::missing::alternatives-on-failed-call",
                CaseOutcome::Error
            ),
            ("t::missing::alternatives-on-call-not-made", not_made),
        ])
    );
}

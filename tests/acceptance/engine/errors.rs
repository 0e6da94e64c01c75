//! Failed calls: `accept_errors` turns the listed AWS error codes into a response
//! `{"Error": {"Code", "Message"}}`; any other failure makes exactly the checks that depend on the
//! call (directly, through another call, or through a fan-out row) errors that name the call, its
//! parameters and the AWS error. Errors alone exit with 3, a failure with 1.

use serde_json::json;

use crate::support::{CaseOutcome, Fixture, expected, failure};

const SUITE: &str = "\
calls:
  cluster:
    api: eks:DescribeCluster
    params: { name: c1 }
  missing_role:
    api: iam:GetRole
    params: { RoleName: node-b }
    accept_errors: [NoSuchEntity, AccessDenied]
  entries:
    api: eks:ListAccessEntries
    params: { clusterName: c1 }
  entry:
    api: eks:DescribeAccessEntry
    params: { clusterName: c1, principalArn: \"{{entries.accessEntries.0}}\" }
  denied_role:
    api: iam:GetRole
    params: { RoleName: node-c }
    accept_errors: [NoSuchEntity]
checks:
  - id: cluster-active
    title: Cluster is ACTIVE
    on: cluster
    expect:
      - { path: $.cluster.status, equals: ACTIVE }
  - id: role-is-absent
    title: Role node-b does not exist
    on: missing_role
    expect:
      - { path: $.Role, exists: false }
      - { path: $.Error, equals: { Code: NoSuchEntity, Message: The role with name node-b cannot be found. } }
  - id: entries-listed
    title: Access entries can be listed
    on: entries
    expect:
      - { path: $.accessEntries, exists: true }
  - id: entry-type
    title: First access entry is for nodes
    on: entry
    expect:
      - { path: $.accessEntry.type, equals: EC2_LINUX }
  - id: entry-and-cluster
    title: Cluster and access entries agree
    on: cluster
    expect:
      - { path: $.cluster.status, equals: ACTIVE }
      - { on: entries, path: $.accessEntries, count: { gte: 1 } }
  - id: denied-role
    title: Role node-c can be read
    on: denied_role
    expect:
      - { path: $.Role, exists: true }
";

fn fixture(cluster_status: &str) -> Fixture {
    Fixture::pack(&[("s.yaml", SUITE)])
        .respond(
            "eks:DescribeCluster",
            json!({"name": "c1"}),
            json!({"cluster": {"status": cluster_status}}),
        )
        .fail(
            "iam:GetRole",
            json!({"RoleName": "node-b"}),
            "NoSuchEntity",
            "The role with name node-b cannot be found.",
        )
        .fail(
            "eks:ListAccessEntries",
            json!({"clusterName": "c1"}),
            "AccessDeniedException",
            "User ci is not authorized to perform: eks:ListAccessEntries",
        )
        .fail(
            "iam:GetRole",
            json!({"RoleName": "node-c"}),
            "AccessDenied",
            "User ci is not authorized to perform: iam:GetRole",
        )
}

const ENTRIES_FAILED: &str = "error: could not decide: call `entries` (eks:ListAccessEntries \
     {\"clusterName\":\"c1\"}) failed: AccessDeniedException: User ci is not authorized to \
     perform: eks:ListAccessEntries";

#[test]
fn a_failed_call_makes_only_its_dependent_checks_errors() {
    let (run, report) = fixture("ACTIVE").run_with_report(&[]);
    run.expect_code(3);
    assert_eq!(
        report.outcome_list(),
        expected(&[
            ("t::s::cluster-active", CaseOutcome::Pass),
            ("t::s::role-is-absent", CaseOutcome::Pass),
            ("t::s::entries-listed", CaseOutcome::Error),
            ("t::s::entry-type", CaseOutcome::Error),
            ("t::s::entry-and-cluster", CaseOutcome::Error),
            ("t::s::denied-role", CaseOutcome::Error),
        ])
    );
    // A check reading the failed call through another call reports the root cause.
    for name in [
        "t::s::entries-listed",
        "t::s::entry-type",
        "t::s::entry-and-cluster",
    ] {
        let case = report.case(name);
        let title = case.text.lines().next().unwrap_or_default();
        assert_eq!(case.text, format!("{title}\n{ENTRIES_FAILED}"), "{name}");
    }
    // An error code that is not accepted is still an error.
    assert_eq!(
        report.case("t::s::denied-role").text,
        "Role node-c can be read\nerror: could not decide: call `denied_role` (iam:GetRole \
         {\"RoleName\":\"node-c\"}) failed: AccessDenied: User ci is not authorized to perform: \
         iam:GetRole"
    );
    assert!(
        run.stdout.contains(&format!(
            "---- t::s::entry-type ----\nFirst access entry is for nodes\n{ENTRIES_FAILED}\n"
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("test result: FAILED. 2 passed; 4 failed; 0 warnings; 0 ignored"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_failure_beside_errors_exits_with_1() {
    let (run, report) = fixture("CREATING").run_with_report(&[]);
    run.expect_code(1);
    assert_eq!(
        report.case("t::s::cluster-active").outcome,
        failure("error")
    );
    assert_eq!(report.case("t::s::entry-type").outcome, CaseOutcome::Error);
}

#[test]
fn a_call_with_no_recording_is_an_error_outcome() {
    let suite = "\
calls:
  cluster:
    api: eks:DescribeCluster
    params: { name: other }
checks:
  - id: cluster-active
    title: Cluster is ACTIVE
    on: cluster
    expect:
      - { path: $.cluster.status, equals: ACTIVE }
";
    let (run, report) = Fixture::pack(&[("s.yaml", suite)])
        .respond(
            "eks:DescribeCluster",
            json!({"name": "c1"}),
            json!({"cluster": {"status": "ACTIVE"}}),
        )
        .run_with_report(&[]);
    run.expect_code(3);
    assert_eq!(
        report.case("t::s::cluster-active").text,
        "Cluster is ACTIVE\nerror: could not decide: call `cluster` (eks:DescribeCluster \
         {\"name\":\"other\"}) failed: NoRecording: the recording has no answer for \
         eks:DescribeCluster with params {\"name\":\"other\"}"
    );
}

#[test]
fn a_failed_fan_out_source_makes_its_rows_errors() {
    // ng-b cannot be described: its rows (and the subnets below it) are errors, ng-a is decided.
    let suite = "\
calls:
  nodegroups:
    api: eks:ListNodegroups
    params: { clusterName: c1 }
  nodegroup:
    for_each: { in: nodegroups, path: '$.nodegroups[*]', as: ng }
    api: eks:DescribeNodegroup
    params: { clusterName: c1, nodegroupName: '{{ng}}' }
  subnet:
    for_each: { in: nodegroup, path: '$.nodegroup.subnets[*]', as: subnet_id }
    api: ec2:DescribeSubnets
    params: { SubnetIds: ['{{subnet_id}}'] }
checks:
  - id: active
    title: '{{ng}} is ACTIVE'
    on: nodegroup
    expect:
      - { path: $.nodegroup.status, equals: ACTIVE }
  - id: subnet-available
    title: subnet of {{ng}} is available
    on: subnet
    expect:
      - { path: '$.Subnets[0].State', equals: available }
";
    let (run, report) = Fixture::pack(&[("s.yaml", suite)])
        .respond(
            "eks:ListNodegroups",
            json!({"clusterName": "c1"}),
            json!({"nodegroups": ["ng-a", "ng-b"]}),
        )
        .respond(
            "eks:DescribeNodegroup",
            json!({"clusterName": "c1", "nodegroupName": "ng-a"}),
            json!({"nodegroup": {"status": "ACTIVE", "subnets": ["subnet-1"]}}),
        )
        .fail(
            "eks:DescribeNodegroup",
            json!({"clusterName": "c1", "nodegroupName": "ng-b"}),
            "ThrottlingException",
            "Rate exceeded",
        )
        .respond(
            "ec2:DescribeSubnets",
            json!({"SubnetIds": ["subnet-1"]}),
            json!({"Subnets": [{"State": "available"}]}),
        )
        .run_with_report(&[]);
    run.expect_code(3);
    assert_eq!(
        report.outcomes(),
        expected(&[
            ("t::s::active[ng-a]", CaseOutcome::Pass),
            ("t::s::active[ng-b]", CaseOutcome::Error),
            ("t::s::subnet-available[ng-a/subnet-1]", CaseOutcome::Pass),
            ("t::s::subnet-available[ng-b]", CaseOutcome::Error),
        ])
        .into_iter()
        .collect()
    );
    let message = "error: could not decide: call `nodegroup` (eks:DescribeNodegroup \
                   {\"clusterName\":\"c1\",\"nodegroupName\":\"ng-b\"}) failed: \
                   ThrottlingException: Rate exceeded";
    for name in ["t::s::active[ng-b]", "t::s::subnet-available[ng-b]"] {
        let text = &report.case(name).text;
        assert_eq!(text.lines().nth(1), Some(message), "{name}: {text}");
    }
}

const TRUST: &str = "\
calls:
  role:
    api: iam:GetRole
    params: { RoleName: node }
checks:
  - id: trusts-ec2
    title: Role node trusts EC2
    on: role
    expect:
      - path: '$.Role.AssumeRolePolicyDocument.Statement[*].Principal.Service'
        contains: ec2.amazonaws.com
";

/// A recording of `iam:GetRole` whose trust policy is the given text.
fn role_with_trust_policy(document: &str) -> Fixture {
    Fixture::pack(&[("trust.yaml", TRUST)]).respond(
        "iam:GetRole",
        json!({"RoleName": "node"}),
        json!({"Role": {"RoleName": "node", "AssumeRolePolicyDocument": document}}),
    )
}

#[test]
fn a_recorded_policy_document_held_as_text_is_decoded_or_named() {
    let document = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    let encoded: String =
        percent_encoding::utf8_percent_encode(document, percent_encoding::NON_ALPHANUMERIC)
            .collect();
    // The raw IAM answer (URL-encoded) and plain JSON text both read as the document.
    for text in [encoded.as_str(), document] {
        let (run, report) = role_with_trust_policy(text).run_with_report(&[]);
        run.expect_code(0);
        assert_eq!(
            report.case("t::trust::trusts-ec2").outcome,
            CaseOutcome::Pass
        );
    }
    // Text that is no policy document is not read as "trusts nobody": the check is undecided,
    // and the message names the member and what it holds.
    let (run, report) = role_with_trust_policy("<URL-encoded-JSON>").run_with_report(&[]);
    run.expect_code(3);
    let case = report.case("t::trust::trusts-ec2");
    assert_eq!(case.outcome, CaseOutcome::Error);
    assert!(
        case.text.contains(
            "failed: UndecodablePolicyDocument: `Role.AssumeRolePolicyDocument` is text \
             (\"<URL-encoded-JSON>\") rather than a policy document"
        ),
        "{}",
        case.text
    );
}

#[test]
fn two_recorded_files_for_one_call_are_refused_naming_both() {
    let fixture = role_with_trust_policy("{}").respond(
        "iam:GetRole",
        json!({"RoleName": "node"}),
        json!({"Role": {"RoleName": "node"}}),
    );
    let run = fixture.run(&[]);
    run.expect_code(2);
    let root = format!("{}/", fixture.dir().path().display());
    assert_eq!(
        run.stderr
            .replace(&root, "")
            .lines()
            .find(|l| l.contains("same call"))
            .map(str::trim),
        Some(
            "× recording/call-002.json: answers the same call as recording/call-001.json: \
             iam:GetRole with params {\"RoleName\":\"node\"}"
        )
    );
}

const CONSOLE: &str = "\
calls:
  console:
    api: ec2:GetConsoleOutput
    params: { InstanceId: i-0abc }
checks:
  - id: console-read
    title: The console of i-0abc can be read
    on: console
    expect:
      - { path: $.Output, exists: true }
";

/// A denied call recorded by an earlier ekscheck holds the words that name the IAM action in its
/// message; recorded now, it holds the service's message and the action apart
/// (`denied_action`). Both read the same, on the console, in JUnit and in the JSON records.
#[test]
fn a_denied_call_reads_the_same_from_a_recording_made_before_or_now() {
    let service = "You are not authorized to perform this operation.";
    let words = "(this check needs the IAM action ec2:GetConsoleOutput)";
    let replayed = |error: serde_json::Value| {
        let fixture = Fixture::pack(&[("s.yaml", CONSOLE)]);
        let call = json!({"api": "ec2:GetConsoleOutput", "params": {"InstanceId": "i-0abc"},
            "error": error});
        fixture
            .dir()
            .write("recording/call.json", &call.to_string());
        let json = fixture.dir().join("records.json");
        let (run, report) = fixture.run_with_report(&["--json", &json]);
        run.expect_code(3);
        let records = std::fs::read_to_string(&json).expect("the JSON records");
        // The console's words, without the time the run took.
        let console: Vec<&str> = run
            .stdout
            .lines()
            .filter(|line| !line.starts_with("test result: "))
            .collect();
        let junit = report.case("t::s::console-read").text.clone();
        (console.join("\n"), junit, records)
    };
    let before = replayed(json!({"code": "UnauthorizedOperation",
        "message": format!("{service} {words}")}));
    let now = replayed(json!({"code": "UnauthorizedOperation", "message": service,
        "denied_action": "ec2:GetConsoleOutput"}));
    let worded = format!(
        "error: could not decide: call `console` (ec2:GetConsoleOutput \
         {{\"InstanceId\":\"i-0abc\"}}) failed: UnauthorizedOperation: {service} {words}"
    );
    assert!(now.0.contains(&format!("{worded}\n")), "{}", now.0);
    assert_eq!(now.0.matches(words).count(), 1, "{}", now.0);
    assert_eq!(
        now.1,
        format!("The console of i-0abc can be read\n{worded}")
    );
    assert!(now.2.contains(words), "{}", now.2);
    assert_eq!(before, now);
}

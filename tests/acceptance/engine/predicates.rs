//! Every predicate of the check format (and the README's extensions `in_cidr`, `allows_traffic`,
//! `any_of` and `all_of`) against one recorded document: singular paths test a node or *absent*,
//! non-singular paths the list of selected nodes, list predicates read absent as empty and a
//! scalar as a one-element list, and a predicate on the wrong type fails with "type mismatch".

use serde_json::{Value, json};

use crate::support::{CaseOutcome, Fixture, Junit};

/// The response every case tests (`on: doc`).
fn document() -> Value {
    json!({"cluster": {
        "name": "c1",
        "status": "ACTIVE",
        "version": "1.30",
        "count": 3,
        "countAsFloat": 3.0,
        "ratio": 0.5,
        "nothing": null,
        "tags": {"team": "a", "env": "prod"},
        "emptyObject": {},
        "emptyString": "",
        "emptyList": [],
        "subnets": ["subnet-1", "subnet-2"],
        "sizes": [1, 5, 10],
        "addresses": ["10.0.1.5", "10.0.2.0/24"],
        "statements": [
            {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
             "Action": "sts:AssumeRole"},
            {"Effect": "Allow", "Principal": {"Service": ["eks.amazonaws.com", "ec2.amazonaws.com"]},
             "Action": ["sts:AssumeRole", "sts:TagSession"]}
        ],
        "acl": {"Entries": [
            {"RuleNumber": 100, "Protocol": "6", "RuleAction": "allow", "Egress": true,
             "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 443, "To": 443}},
            {"RuleNumber": 90, "Protocol": "6", "RuleAction": "deny", "Egress": false,
             "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 2000, "To": 2000}},
            {"RuleNumber": 100, "Protocol": "-1", "RuleAction": "allow", "Egress": false,
             "CidrBlock": "0.0.0.0/0"},
            {"RuleNumber": 32767, "Protocol": "-1", "RuleAction": "deny", "Egress": true,
             "CidrBlock": "0.0.0.0/0"},
            {"RuleNumber": 32767, "Protocol": "-1", "RuleAction": "deny", "Egress": false,
             "CidrBlock": "0.0.0.0/0"}
        ]},
        "bareAcl": {"Entries": [
            {"RuleNumber": 100, "Protocol": "6", "RuleAction": "allow", "Egress": true,
             "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 443, "To": 443}}
        ]},
        "groups": [
            {"GroupId": "sg-1",
             "IpPermissions": [
                {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                 "IpRanges": [{"CidrIp": "10.0.0.0/16"}], "UserIdGroupPairs": []},
                {"IpProtocol": "-1", "IpRanges": [],
                 "UserIdGroupPairs": [{"GroupId": "sg-nodes"}]}],
             "IpPermissionsEgress": []},
            {"GroupId": "sg-2", "IpPermissions": [],
             "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
                                      "UserIdGroupPairs": []}]}
        ]
    }})
}

/// How a case must end.
enum Expect {
    /// The check passes.
    Pass,
    /// The check fails (severity error); its `actual:` and `note:` lines, joined with ` | `
    /// (`… | NOTE` when only the note matters).
    Fail(&'static str),
}
use Expect::{Fail, Pass};

/// `(check id, the assertion as a YAML flow mapping, outcome)`; every assertion is `on: doc`
/// unless it says otherwise.
#[rustfmt::skip]
const CASES: &[(&str, &str, Expect)] = &[
    // exists
    ("exists-node", r#"{path: "$.cluster.status", exists: true}"#, Pass),
    ("exists-null-node", r#"{path: "$.cluster.nothing", exists: true}"#, Pass),
    ("exists-absent", r#"{path: "$.cluster.missing", exists: true}"#, Fail("absent")),
    ("exists-false-absent", r#"{path: "$.cluster.missing", exists: false}"#, Pass),
    ("exists-false-present", r#"{path: "$.cluster.status", exists: false}"#, Fail(r#""ACTIVE""#)),
    ("exists-nodes", r#"{path: "$.cluster.subnets[*]", exists: true}"#, Pass),
    ("exists-no-nodes", r#"{path: "$.cluster.emptyList[*]", exists: true}"#, Fail("[]")),
    ("exists-false-filter", r#"{path: "$.cluster.statements[?@.Effect == 'Deny']", exists: false}"#, Pass),
    // equals
    ("equals-string", r#"{path: "$.cluster.status", equals: ACTIVE}"#, Pass),
    ("equals-string-differs", r#"{path: "$.cluster.status", equals: DELETING}"#, Fail(r#""ACTIVE""#)),
    ("equals-float-int", r#"{path: "$.cluster.countAsFloat", equals: 3}"#, Pass),
    ("equals-no-coercion", r#"{path: "$.cluster.count", equals: "3"}"#, Fail("3")),
    ("equals-quoted-version", r#"{path: "$.cluster.version", equals: "1.30"}"#, Pass),
    ("equals-object-any-order", r#"{path: "$.cluster.tags", equals: {env: prod, team: a}}"#, Pass),
    ("equals-node-list", r#"{path: "$.cluster.subnets[*]", equals: [subnet-1, subnet-2]}"#, Pass),
    ("equals-absent", r#"{path: "$.cluster.missing", equals: x}"#, Fail("absent")),
    ("equals-null", r#"{path: "$.cluster.nothing", equals: null}"#, Pass),
    // one_of
    ("one-of", r#"{path: "$.cluster.status", one_of: [CREATING, ACTIVE]}"#, Pass),
    ("one-of-none", r#"{path: "$.cluster.status", one_of: [CREATING, FAILED]}"#, Fail(r#""ACTIVE""#)),
    ("one-of-absent", r#"{path: "$.cluster.missing", one_of: [ACTIVE]}"#, Fail("absent")),
    // contains
    ("contains-list", r#"{path: "$.cluster.subnets", contains: subnet-2}"#, Pass),
    ("contains-list-missing", r#"{path: "$.cluster.subnets", contains: subnet-9}"#, Fail(r#"["subnet-1","subnet-2"]"#)),
    ("contains-substring", r#"{path: "$.cluster.status", contains: TIV}"#, Pass),
    ("contains-no-substring", r#"{path: "$.cluster.status", contains: FAIL}"#, Fail(r#""ACTIVE""#)),
    ("contains-nodes", r#"{path: "$.cluster.statements[*].Effect", contains: Allow}"#, Pass),
    ("contains-absent-is-empty", r#"{path: "$.cluster.missing", contains: x}"#, Fail("absent")),
    ("contains-scalar-is-one-item", r#"{path: "$.cluster.count", contains: 3}"#, Pass),
    ("contains-principal-string", r#"{path: "$.cluster.statements[0].Principal.Service", contains: ec2.amazonaws.com}"#, Pass),
    ("contains-principal-list", r#"{path: "$.cluster.statements[1].Principal.Service", contains: ec2.amazonaws.com}"#, Pass),
    ("contains-object", r#"{path: "$.cluster.statements[*].Principal", contains: {Service: ec2.amazonaws.com}}"#, Pass),
    // contains_all
    ("contains-all", r#"{path: "$.cluster.subnets", contains_all: [subnet-2, subnet-1]}"#, Pass),
    ("contains-all-missing", r#"{path: "$.cluster.subnets", contains_all: [subnet-1, subnet-3, subnet-4]}"#, Fail(r#"["subnet-1","subnet-2"] | missing: "subnet-3", "subnet-4""#)),
    ("contains-all-scalar", r#"{path: "$.cluster.statements[0].Action", contains_all: ["sts:AssumeRole"]}"#, Pass),
    ("contains-all-absent", r#"{path: "$.cluster.missing", contains_all: [x]}"#, Fail(r#"absent | missing: "x""#)),
    ("contains-all-nothing", r#"{path: "$.cluster.missing", contains_all: []}"#, Pass),
    // matches
    ("matches", r#"{path: "$.cluster.version", matches: '^1\.\d+$'}"#, Pass),
    ("matches-not", r#"{path: "$.cluster.status", matches: ^CREAT}"#, Fail(r#""ACTIVE""#)),
    ("matches-absent", r#"{path: "$.cluster.missing", matches: .}"#, Fail("absent")),
    ("matches-number", r#"{path: "$.cluster.count", matches: "3"}"#, Fail("3 (type mismatch: `matches` needs a string (use `all: {matches: …}` for a list), but the value is a number)")),
    ("matches-nodes", r#"{path: "$.cluster.subnets[*]", matches: subnet}"#, Fail(r#"["subnet-1","subnet-2"] (type mismatch: `matches` needs a string (use `all: {matches: …}` for a list), but the value is a list of selected nodes)"#)),
    // count
    ("count-list-length", r#"{path: "$.cluster.subnets", count: 2}"#, Pass),
    ("count-selected-nodes", r#"{path: "$.cluster.statements[*].Effect", count: 2}"#, Pass),
    ("count-wrong", r#"{path: "$.cluster.sizes", count: 2}"#, Fail("[1,5,10] | count is 3")),
    ("count-bounds", r#"{path: "$.cluster.sizes[*]", count: {gte: 1, lte: 3}}"#, Pass),
    ("count-bounds-fail", r#"{path: "$.cluster.sizes", count: {gt: 1, lt: 3}}"#, Fail("[1,5,10] | count is 3")),
    ("count-equals-bound", r#"{path: "$.cluster.subnets", count: {equals: 2}}"#, Pass),
    ("count-absent-is-zero", r#"{path: "$.cluster.missing", count: 0}"#, Pass),
    ("count-null-is-zero", r#"{path: "$.cluster.nothing", count: 0}"#, Pass),
    ("count-scalar-is-one", r#"{path: "$.cluster.status", count: 1}"#, Pass),
    ("count-filter", r#"{path: "$.cluster.sizes[?@ > 4]", count: 2}"#, Pass),
    // gt, gte, lt, lte
    ("gt", r#"{path: "$.cluster.count", gt: 2}"#, Pass),
    ("gt-equal", r#"{path: "$.cluster.count", gt: 3}"#, Fail("3")),
    ("gte-equal", r#"{path: "$.cluster.count", gte: 3}"#, Pass),
    ("lt-equal", r#"{path: "$.cluster.count", lt: 3}"#, Fail("3")),
    ("lte-equal", r#"{path: "$.cluster.count", lte: 3}"#, Pass),
    ("lt-decimal", r#"{path: "$.cluster.ratio", lt: 0.75}"#, Pass),
    ("gte-absent", r#"{path: "$.cluster.missing", gte: 0}"#, Fail("absent")),
    ("gt-string", r#"{path: "$.cluster.status", gt: 1}"#, Fail(r#""ACTIVE" (type mismatch: `gt` needs a number or an ISO 8601 timestamp, but the value is a string)"#)),
    ("lte-numeric-string", r#"{path: "$.cluster.version", lte: 2}"#, Fail(r#""1.30" (type mismatch: `lte` needs a number or an ISO 8601 timestamp, but the value is a string)"#)),
    ("gt-nodes", r#"{path: "$.cluster.sizes[*]", gt: 0}"#, Fail("[1,5,10] (type mismatch: `gt` needs a number or an ISO 8601 timestamp, but the value is a list of selected nodes)")),
    // empty
    ("empty-list", r#"{path: "$.cluster.emptyList", empty: true}"#, Pass),
    ("empty-object", r#"{path: "$.cluster.emptyObject", empty: true}"#, Pass),
    ("empty-string", r#"{path: "$.cluster.emptyString", empty: true}"#, Pass),
    ("empty-absent", r#"{path: "$.cluster.missing", empty: true}"#, Pass),
    ("empty-no-nodes", r#"{path: "$.cluster.emptyList[*]", empty: true}"#, Pass),
    ("empty-not", r#"{path: "$.cluster.subnets", empty: true}"#, Fail(r#"["subnet-1","subnet-2"]"#)),
    ("empty-false", r#"{path: "$.cluster.tags", empty: false}"#, Pass),
    ("empty-false-absent", r#"{path: "$.cluster.missing", empty: false}"#, Fail("absent")),
    ("empty-scalar", r#"{path: "$.cluster.count", empty: true}"#, Fail("3")),
    // all, any, none
    ("all", r#"{path: "$.cluster.statements", all: {path: $.Effect, equals: Allow}}"#, Pass),
    ("all-at-sign", r#"{path: "$.cluster.statements[*]", all: {path: "@.Action", contains: "sts:AssumeRole"}}"#, Pass),
    ("all-fails", r#"{path: "$.cluster.sizes", all: {gt: 1}}"#, Fail("[1,5,10] | element 0 decides it: 1")),
    ("all-absent-vacuous", r#"{path: "$.cluster.missing", all: {equals: 1}}"#, Pass),
    ("all-scalar", r#"{path: "$.cluster.status", all: {equals: ACTIVE}}"#, Pass),
    ("all-type-mismatch", r#"{path: "$.cluster.subnets", all: {gt: 1}}"#, Fail(r#"["subnet-1","subnet-2"] (type mismatch: `gt` needs a number or an ISO 8601 timestamp, but the value is a string)"#)),
    ("any", r#"{path: "$.cluster.sizes", any: {gt: 9}}"#, Pass),
    ("any-fails", r#"{path: "$.cluster.sizes", any: {gt: 10}}"#, Fail("[1,5,10]")),
    ("any-absent", r#"{path: "$.cluster.missing", any: {exists: true}}"#, Fail("absent")),
    ("any-nested-list", r#"{path: "$.cluster.statements[*]", any: {path: $.Principal.Service, contains: eks.amazonaws.com}}"#, Pass),
    ("none", r#"{path: "$.cluster.sizes", none: {gt: 10}}"#, Pass),
    ("none-fails", r#"{path: "$.cluster.sizes[*]", none: {gte: 5}}"#, Fail("[1,5,10] | element 1 decides it: 5")),
    ("none-absent", r#"{path: "$.cluster.missing", none: {exists: true}}"#, Pass),
    // not
    ("not", r#"{path: "$.cluster.status", not: {equals: DELETING}}"#, Pass),
    ("not-fails", r#"{path: "$.cluster.status", not: {equals: ACTIVE}}"#, Fail(r#""ACTIVE""#)),
    ("not-with-path", r#"{path: "$.cluster", not: {path: $.status, one_of: [FAILED, DELETING]}}"#, Pass),
    ("not-absent", r#"{path: "$.cluster.missing", not: {exists: true}}"#, Pass),
    ("not-list", r#"{path: "$.cluster.subnets", not: {contains: subnet-9}}"#, Pass),
    ("not-not", r#"{path: "$.cluster.count", not: {not: {equals: 3}}}"#, Pass),
    // in_cidr
    ("in-cidr-each", r#"{path: "$.cluster.addresses", in_cidr: 10.0.0.0/16}"#, Pass),
    ("in-cidr-one-outside", r#"{path: "$.cluster.addresses[*]", in_cidr: 10.0.1.0/24}"#, Fail(r#"["10.0.1.5","10.0.2.0/24"] | 10.0.2.0/24 is outside 10.0.1.0/24"#)),
    ("in-cidr-address", r#"{path: "$.cluster.addresses[0]", in_cidr: 10.0.1.0/24}"#, Pass),
    ("in-cidr-wider-network", r#"{path: "$.cluster.addresses[1]", in_cidr: 10.0.2.0/25}"#, Fail(r#""10.0.2.0/24" | 10.0.2.0/24 is outside 10.0.2.0/25"#)),
    ("in-cidr-absent", r#"{path: "$.cluster.missing", in_cidr: 10.0.0.0/8}"#, Fail("absent")),
    ("in-cidr-text", r#"{path: "$.cluster.status", in_cidr: 10.0.0.0/8}"#, Fail(r#""ACTIVE" (type mismatch: `in_cidr` needs IP addresses or networks, but the value is a string)"#)),
    // allows_traffic
    ("acl-allows", r#"{path: "$.cluster.acl", allows_traffic: {direction: egress, protocol: tcp, port: 443, cidr: 0.0.0.0/0}}"#, Pass),
    ("acl-denies", r#"{path: "$.cluster.acl", allows_traffic: {direction: egress, protocol: tcp, port: 80, cidr: 0.0.0.0/0}}"#, Fail("… | egress port 80: rule 32767 denies it")),
    ("acl-first-match-wins", r#"{path: "$.cluster.acl", allows_traffic: {direction: ingress, port: "1024-65535", cidr: 0.0.0.0/0}}"#, Fail("… | ingress port 2000: rule 90 denies it")),
    ("acl-range-below-deny", r#"{path: "$.cluster.acl", allows_traffic: {direction: ingress, protocol: udp, port: "1024-1999", cidr: 10.0.0.0/16}}"#, Pass),
    ("acl-implicit-deny", r#"{path: "$.cluster.bareAcl", allows_traffic: {direction: egress, protocol: udp, port: 53, cidr: 0.0.0.0/0}}"#, Fail("… | egress port 53: no rule (implicit deny)")),
    ("sg-allows-cidr", r#"{path: "$.cluster.groups[0]", allows_traffic: {direction: ingress, protocol: tcp, port: 443, cidr: 10.0.3.0/24}}"#, Pass),
    ("sg-allows-group", r#"{path: "$.cluster.groups[0]", allows_traffic: {direction: ingress, protocol: tcp, port: 10250, group: sg-nodes}}"#, Pass),
    ("sg-denies-cidr", r#"{path: "$.cluster.groups[0]", allows_traffic: {direction: ingress, protocol: tcp, port: 443, cidr: 192.168.0.0/24}}"#, Fail("… | no IpPermissions rule of sg-1 matches")),
    ("sg-list-any-group", r#"{path: "$.cluster.groups", allows_traffic: {direction: egress, protocol: all, port: 443, cidr: 0.0.0.0/0}}"#, Pass),
    ("sg-nodes-any-group", r#"{path: "$.cluster.groups[*]", allows_traffic: {direction: egress, protocol: tcp, port: 443, cidr: 0.0.0.0/0}}"#, Pass),
    ("traffic-on-text", r#"{path: "$.cluster.status", allows_traffic: {direction: egress, cidr: 0.0.0.0/0}}"#, Fail(r#""ACTIVE" (type mismatch: `allows_traffic` needs a network ACL (with `Entries`) or a security group (with `IpPermissions`), but the value is a string)"#)),
    // any_of: alternatives on different calls
    ("any-of-second-holds", r#"{any_of: [{on: other, path: $.nodegroups, count: {gte: 1}}, {on: doc, path: $.cluster.status, equals: ACTIVE}]}"#, Pass),
    ("any-of-first-holds", r#"{any_of: [{on: other, path: $.nodegroups, empty: true}, {on: doc, path: $.cluster.status, equals: DELETING}]}"#, Pass),
    ("any-of-none-holds", r#"{any_of: [{on: other, path: $.nodegroups, count: {gte: 1}}, {on: doc, path: $.cluster.status, equals: DELETING}]}"#, Fail("none of the 2 alternatives holds")),
    ("any-of-mismatch-then-holds", r#"{any_of: [{on: doc, path: $.cluster.status, gt: 1}, {on: other, path: $.nodegroups, empty: true}]}"#, Pass),
    ("any-of-mismatch-only", r#"{any_of: [{on: doc, path: $.cluster.status, gt: 1}, {on: other, path: $.nodegroups, empty: false}]}"#, Fail("type mismatch: `gt` needs a number or an ISO 8601 timestamp, but the value is a string")),
    // all_of; and assertions without `on`, which test the value under test through their own path
    ("all-of-holds", r#"{all_of: [{on: other, path: $.nodegroups, empty: true}, {path: $.cluster.status, equals: ACTIVE}]}"#, Pass),
    ("all-of-one-fails", r#"{all_of: [{path: $.cluster.status, equals: ACTIVE}, {path: $.cluster.count, gt: 5}]}"#, Fail("assertion 2 ($.cluster.count > 5) does not hold")),
    ("any-of-relative-to-path", r#"{path: $.cluster.groups, any_of: [{allows_traffic: {direction: ingress, port: 22, cidr: 0.0.0.0/0}}, {allows_traffic: {direction: egress, port: 443, cidr: 0.0.0.0/0}}]}"#, Pass),
    ("any-of-relative-absent", r#"{path: $.cluster.missing, any_of: [{exists: true}, {path: $.x, exists: true}]}"#, Fail("none of the 2 alternatives holds")),
    ("any-element-meets-all-of", r#"{path: "$.cluster.statements[*]", any: {all_of: [{path: $.Principal.Service, contains: eks.amazonaws.com}, {path: $.Action, contains: "sts:TagSession"}]}}"#, Pass),
    ("no-element-meets-all-of", r#"{path: "$.cluster.statements[*]", any: {all_of: [{path: $.Principal.Service, equals: ec2.amazonaws.com}, {path: $.Action, contains: "sts:TagSession"}]}}"#, Fail(r#"[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"},{"Effect":"Allow","Principal":{"Service":["eks.amazonaws.com","ec2.amazonaws.com"]},"Action":["sts:AssumeRole","sts:TagSession"]}]"#)),
];

/// The pack of every case: one check per case, all in suite `p`.
fn suite() -> String {
    let mut text = String::from(
        "calls:\n  doc:\n    api: eks:DescribeCluster\n    params: { name: c1 }\n  other:\n    \
         api: eks:ListNodegroups\n    params: { clusterName: c1 }\nchecks:\n",
    );
    for (id, assertion, _) in CASES {
        text.push_str(&format!(
            "  - id: {id}\n    title: case {id}\n    on: doc\n    expect:\n      - {assertion}\n"
        ));
    }
    text
}

fn fixture() -> Fixture {
    let suite = suite();
    Fixture::pack(&[("p.yaml", &suite)])
        .respond("eks:DescribeCluster", json!({"name": "c1"}), document())
        .respond(
            "eks:ListNodegroups",
            json!({"clusterName": "c1"}),
            json!({"nodegroups": []}),
        )
}

/// The `actual:` and `note:` lines of a failure report, joined with ` | `.
fn actual_and_note(text: &str) -> String {
    text.lines()
        .filter_map(|line| {
            line.strip_prefix("  actual:   ")
                .or_else(|| line.strip_prefix("  note:     "))
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

fn check_cases(report: &Junit) {
    let mut wrong = Vec::new();
    for (id, assertion, expect) in CASES {
        let case = report.case(&format!("t::p::{id}"));
        let seen = match &case.outcome {
            CaseOutcome::Pass => "pass".to_owned(),
            CaseOutcome::Failure(severity) if severity == "error" => {
                format!("fail: {}", actual_and_note(&case.text))
            }
            other => format!("{other:?}: {}", case.text),
        };
        let wanted = match expect {
            Pass => "pass".to_owned(),
            Fail(summary) => format!("fail: {summary}"),
        };
        let seen = match wanted.strip_prefix("fail: … | ") {
            Some(_) => match seen.split_once(" | ") {
                Some((_, note)) => format!("fail: … | {note}"),
                None => seen,
            },
            None => seen,
        };
        if seen != wanted {
            wrong.push(format!(
                "{id} {assertion}\n    expected {wanted}\n    got      {seen}"
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} case(s) wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn every_predicate_decides_as_the_format_says() {
    let (run, report) = fixture().run_with_report(&[]);
    run.expect_code(1);
    assert_eq!(report.cases().count(), CASES.len(), "{}", run.stdout);
    check_cases(&report);
    let failed = CASES
        .iter()
        .filter(|(_, _, e)| matches!(e, Fail(_)))
        .count();
    assert!(
        run.stdout.contains(&format!(
            "test result: FAILED. {} passed; {failed} failed; 0 warnings; 0 ignored",
            CASES.len() - failed
        )),
        "{}",
        run.stdout
    );
}

#[test]
fn type_mismatches_are_failures_not_crashes() {
    let (run, report) = fixture().run_with_report(&["--", "--exact", "t::p::gt-string"]);
    run.expect_code(1);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let case = report.case("t::p::gt-string");
    assert_eq!(case.outcome, CaseOutcome::Failure("error".into()));
    assert!(
        run.stdout.contains("test t::p::gt-string ... FAILED"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_failure_names_the_check_file_line_path_expected_actual_and_remediation() {
    let suite = "\
calls:
  doc:
    api: eks:DescribeCluster
    params: { name: c1 }
checks:
  - id: subnets
    title: Cluster {{doc.cluster.name}} uses subnet-9
    on: doc
    expect:
      - path: $.cluster.status
        equals: ACTIVE
      - path: $.cluster.subnets
        contains: subnet-9
      - path: $.cluster.sizes
        all: { gte: 5 }
    remediation: >
      aws eks update-cluster-config --name {{doc.cluster.name}}
      --resources-vpc-config subnetIds=subnet-9
";
    let fixture = Fixture::pack(&[("p.yaml", suite)]).respond(
        "eks:DescribeCluster",
        json!({"name": "c1"}),
        document(),
    );
    let (run, report) = fixture.run_with_report(&[]);
    run.expect_code(1);
    let case = report.case("t::p::subnets");
    assert_eq!(case.message, "Cluster c1 uses subnet-9");
    let expected = "\
Cluster c1 uses subnet-9
assertion failed at PACK/p.yaml:12:9
  on:       doc
  path:     $.cluster.subnets
  expected: contains \"subnet-9\"
  actual:   [\"subnet-1\",\"subnet-2\"]
assertion failed at PACK/p.yaml:14:9
  on:       doc
  path:     $.cluster.sizes
  expected: all {>= 5}
  actual:   [1,5,10]
  note:     element 0 decides it: 1
remediation: aws eks update-cluster-config --name c1 --resources-vpc-config subnetIds=subnet-9";
    let pack = fixture.pack_dir();
    assert_eq!(case.text.replace(&pack, "PACK"), expected);
    assert!(
        run.stdout.contains(&format!(
            "---- t::p::subnets ----\n{}",
            expected.replace("PACK", &pack)
        )),
        "{}",
        run.stdout
    );
}

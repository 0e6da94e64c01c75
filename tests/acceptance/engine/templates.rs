//! Templates at run time: a whole-expression template keeps its JSON type (a list of subnet IDs
//! stays a list in `params`, as the recording proves by matching); strict mode makes an undefined
//! name an error outcome, never an empty string; operands compare across calls; numeric bounds
//! accept numeric strings; values rendered into JSONPath literals are escaped; helpers work.

use serde_json::{Value, json};

use crate::support::{CaseOutcome, Fixture, expected, failure};

const MANIFEST: &str = "\
pack: t
version: 1.0.0
vars:
  page_size: { default: 20 }
  prefix: { default: c1 }
  min_free: { description: a number given on the command line (text) }
  owner: { default: \"o'neil \\\"the\\\" \\\\ owner\" }
  role_arn: { default: \"arn:aws-cn:iam::111122223333:role/dev/my-role\" }
  cluster_arn: { default: \"arn:aws:eks:eu-west-2:111122223333:cluster/c1\" }
calls:
  cluster:
    api: eks:DescribeCluster
    params: { name: c1 }
";

fn cluster() -> Value {
    json!({"cluster": {
        "name": "c1",
        "empty": "",
        "nothing": null,
        "markup": "<a&b>",
        "resourcesVpcConfig": {"vpcId": "vpc-1", "subnetIds": ["subnet-1", "subnet-2"]},
        "tagList": [{"Key": "owner", "Value": "o'neil \"the\" \\ owner"}, {"Key": "team", "Value": "x"}]
    }})
}

fn fixture(files: &[(&str, &str)]) -> Fixture {
    let mut all = vec![("pack.yaml", MANIFEST)];
    all.extend_from_slice(files);
    Fixture::pack(&all).respond("eks:DescribeCluster", json!({"name": "c1"}), cluster())
}

#[test]
fn a_whole_expression_passes_its_json_value_into_params() {
    let suite = "\
calls:
  subnets:
    api: ec2:DescribeSubnets
    params: { SubnetIds: \"{{cluster.cluster.resourcesVpcConfig.subnetIds}}\" }
  tables:
    api: ec2:DescribeRouteTables
    params:
      MaxResults: \"{{ vars.page_size }}\"
      Filters: [{ Name: vpc-id, Values: [\"{{subnets.Subnets.0.VpcId}}\"] }]
  role:
    api: iam:GetRole
    params: { RoleName: \"{{vars.prefix}}-node-{{vars.page_size}}\" }
checks:
  - id: subnets
    title: subnets
    on: subnets
    expect:
      - { path: $.Subnets, count: 2 }
  - id: tables
    title: tables
    on: tables
    expect:
      - { path: $.RouteTables, count: 1 }
  - id: role
    title: role
    on: role
    expect:
      - { path: $.Role.RoleName, equals: c1-node-20 }
";
    let (run, report) = fixture(&[("s.yaml", suite)])
        .respond(
            "ec2:DescribeSubnets",
            json!({"SubnetIds": ["subnet-1", "subnet-2"]}),
            json!({"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1"},
                               {"SubnetId": "subnet-2", "VpcId": "vpc-1"}]}),
        )
        .respond(
            "ec2:DescribeRouteTables",
            json!({"MaxResults": 20, "Filters": [{"Name": "vpc-id", "Values": ["vpc-1"]}]}),
            json!({"RouteTables": [{"RouteTableId": "rtb-1"}]}),
        )
        .respond(
            "iam:GetRole",
            json!({"RoleName": "c1-node-20"}),
            json!({"Role": {"RoleName": "c1-node-20"}}),
        )
        .run_with_report(&["--var", "min_free=1"]);
    run.expect_code(0);
    assert_eq!(
        report.outcome_list(),
        expected(&[
            ("t::s::subnets", CaseOutcome::Pass),
            ("t::s::tables", CaseOutcome::Pass),
            ("t::s::role", CaseOutcome::Pass),
        ])
    );
}

#[test]
fn an_undefined_name_at_run_time_is_an_error_never_an_empty_string() {
    // Every check below would pass if the undefined member rendered as "".
    let suite = "\
calls:
  whole:
    api: iam:GetRole
    params: { RoleName: \"{{cluster.cluster.nmae}}\" }
  text:
    api: iam:GetRole
    params: { RoleName: \"role-{{cluster.cluster.nmae}}\" }
  computed:
    value: \"{{cluster.cluster.nmae}}\"
checks:
  - id: param-whole
    title: param whole
    on: whole
    expect:
      - { exists: true }
  - id: param-text
    title: param text
    on: text
    expect:
      - { exists: true }
  - id: computed
    title: computed
    on: computed
    expect:
      - { equals: '' }
  - id: operand-whole
    title: operand whole
    on: cluster
    expect:
      - { path: $.cluster.empty, equals: '{{cluster.cluster.nmae}}' }
  - id: operand-text
    title: operand text
    on: cluster
    expect:
      - { path: $.cluster.name, equals: 'c{{cluster.cluster.nmae}}1' }
  - id: operand-helper
    title: operand helper
    on: cluster
    expect:
      - { path: $.cluster.empty, equals: '{{arn_name cluster.cluster.nmae}}' }
  - id: path-literal
    title: path literal
    on: cluster
    expect:
      - { path: \"$.cluster.tagList[?@.Key == '{{cluster.cluster.nmae}}']\", exists: false }
  - id: when-operand
    title: when operand
    when:
      - { on: cluster, path: $.cluster.empty, equals: '{{cluster.cluster.nmae}}' }
    on: cluster
    expect:
      - { exists: true }
  - id: title
    title: Cluster {{cluster.cluster.nmae}}
    on: cluster
    expect:
      - { path: $.cluster.name, equals: c1 }
  - id: remediation
    title: remediation
    on: cluster
    expect:
      - { path: $.cluster.name, equals: c2 }
    remediation: rename to {{cluster.cluster.nmae}}
  - id: remediation-not-needed
    title: remediation not needed
    on: cluster
    expect:
      - { path: $.cluster.name, equals: c1 }
    remediation: rename to {{cluster.cluster.nmae}}
";
    let fixture = fixture(&[("strict.yaml", suite)]);
    let fixture_dir = fixture.dir().path().to_path_buf();
    let (run, report) = fixture.run_with_report(&["--var", "min_free=1"]);
    run.expect_code(3);
    // The value a template read that is absent, and what of its path exists.
    let absent = "`cluster.cluster.nmae`";
    let why = "(`cluster.cluster` has no `nmae`)";
    let assertion = |line| format!("the assertion at pack/strict.yaml:{line}:9: ");
    // (check id, where the template is, the template as written)
    #[rustfmt::skip]
    let cases: Vec<(&str, String, &str)> = vec![
        ("param-whole", "call `whole` could not be made: ".into(), "{{cluster.cluster.nmae}}"),
        ("param-text", "call `text` could not be made: ".into(), "role-{{cluster.cluster.nmae}}"),
        ("computed", "call `computed` could not be made: ".into(), "{{cluster.cluster.nmae}}"),
        ("operand-whole", assertion(30), "{{cluster.cluster.nmae}}"),
        ("operand-text", assertion(35), "c{{cluster.cluster.nmae}}1"),
        ("operand-helper", assertion(40), "{{arn_name cluster.cluster.nmae}}"),
        ("path-literal", assertion(45), "$.cluster.tagList[?@.Key == '{{cluster.cluster.nmae}}']"),
        ("when-operand", assertion(49), "{{cluster.cluster.nmae}}"),
        ("title", "the title: ".into(), "Cluster {{cluster.cluster.nmae}}"),
        ("remediation", "the remediation: ".into(), "rename to {{cluster.cluster.nmae}}"),
    ];
    let root = format!("{}/", fixture_dir.display());
    let mut wrong = Vec::new();
    for (id, place, template) in &cases {
        let case = report.case(&format!("t::strict::{id}"));
        let reason = if *template == "{{cluster.cluster.nmae}}" {
            format!("{absent} is absent {why}")
        } else {
            format!("`{template}` reads {absent}, which is absent {why}")
        };
        let wanted = format!("error: could not decide: {place}{reason}");
        let text = case.text.replace(&root, "");
        if case.outcome != CaseOutcome::Error || text.lines().nth(1) != Some(wanted.as_str()) {
            wrong.push(format!(
                "{id}: {:?}\n{text}\n  expected {wanted}",
                case.outcome
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // A title that cannot render is shown as written.
    assert_eq!(
        report.case("t::strict::title").message,
        "Cluster {{cluster.cluster.nmae}}"
    );
    // A remediation is only rendered for a failure.
    let passed = report.case("t::strict::remediation-not-needed");
    assert_eq!(passed.outcome, CaseOutcome::Pass);
    assert_eq!(report.cases().count(), cases.len() + 1);
}

#[test]
fn operands_compare_across_calls_and_bounds_accept_numeric_text() {
    let suite = "\
calls:
  subnets:
    api: ec2:DescribeSubnets
    params: { SubnetIds: [subnet-1, subnet-2] }
checks:
  - id: same-vpc
    title: subnets are in the cluster's VPC
    on: subnets
    expect:
      - path: '$.Subnets[*].VpcId'
        all: { equals: '{{cluster.cluster.resourcesVpcConfig.vpcId}}' }
  - id: same-subnets
    title: the cluster's subnets
    on: subnets
    expect:
      - { path: '$.Subnets[*].SubnetId', equals: '{{cluster.cluster.resourcesVpcConfig.subnetIds}}' }
  - id: free
    title: free addresses
    on: subnets
    expect:
      - { path: '$.Subnets[0].AvailableIpAddressCount', gte: '{{vars.min_free}}' }
      - { path: $.Subnets, count: { lte: '{{vars.min_free}}' } }
";
    let fixture = fixture(&[("cross.yaml", suite)]).respond(
        "ec2:DescribeSubnets",
        json!({"SubnetIds": ["subnet-1", "subnet-2"]}),
        json!({"Subnets": [
            {"SubnetId": "subnet-1", "VpcId": "vpc-1", "AvailableIpAddressCount": 12},
            {"SubnetId": "subnet-2", "VpcId": "vpc-1", "AvailableIpAddressCount": 40}
        ]}),
    );
    let (run, report) = fixture.run_with_report(&["--var", "min_free=12"]);
    run.expect_code(0);
    assert_eq!(
        report.outcome_list(),
        expected(&[
            ("t::cross::same-vpc", CaseOutcome::Pass),
            ("t::cross::same-subnets", CaseOutcome::Pass),
            ("t::cross::free", CaseOutcome::Pass),
        ])
    );
    let (run, report) = fixture.run_with_report(&["--var", "min_free=13", "--", "free"]);
    run.expect_code(1);
    let text = &report.case("t::cross::free").text;
    assert!(text.contains("  expected: >= 13\n  actual:   12"), "{text}");
    // A bound that is not a number leaves the check undecided: nothing was compared.
    let (run, report) = fixture.run_with_report(&["--var", "min_free=lots", "--", "free"]);
    run.expect_code(3);
    let text = &report.case("t::cross::free").text;
    assert!(
        text.ends_with(
            "the operand of `gte` is not valid: the bound must be a number, but it is a string (\"lots\")"
        ),
        "{text}"
    );
}

#[test]
fn values_rendered_into_jsonpath_literals_are_escaped() {
    let suite = "\
checks:
  - id: owner-tag
    title: owner tag
    on: cluster
    expect:
      - path: \"$.cluster.tagList[?@.Value == '{{vars.owner}}'].Key\"
        equals: [owner]
      - path: '$.cluster.tagList[?@.Value == \"{{vars.owner}}\"].Key'
        equals: [owner]
";
    let (run, report) =
        fixture(&[("escape.yaml", suite)]).run_with_report(&["--var", "min_free=1"]);
    run.expect_code(0);
    assert_eq!(
        report.case("t::escape::owner-tag").outcome,
        CaseOutcome::Pass
    );
}

#[test]
fn helpers_render_without_html_escaping() {
    let suite = "\
calls:
  rendered:
    value:
      name: \"{{arn_name vars.role_arn}}\"
      account: \"{{arn_account vars.role_arn}}\"
      partition: \"{{arn_partition vars.role_arn}}\"
      region: \"{{arn_region vars.cluster_arn}}\"
      fallback: \"{{default cluster.cluster.nothing 'none'}}\"
      kept: \"{{default cluster.cluster.name 'none'}}\"
      json: \"{{json cluster.cluster.resourcesVpcConfig.subnetIds}}\"
      length: \"{{len cluster.cluster.resourcesVpcConfig.subnetIds}}\"
      text: \"markup {{cluster.cluster.markup}}\"
      conditional: \"{{#if (eq cluster.cluster.name 'c1')}}yes{{else}}no{{/if}}\"
      lower: \"{{lowercase 'HTTPS://ABC.Example'}}\"
      version: \"{{capture vars.cluster_arn 'cluster/(c[0-9])'}}\"
      whole: \"{{capture vars.cluster_arn 'eu-[a-z]+'}}\"
      none: \"{{capture vars.cluster_arn 'cluster/z'}}\"
checks:
  - id: helpers
    title: helpers {{cluster.cluster.markup}}
    on: rendered
    expect:
      - equals:
          name: my-role
          account: '111122223333'
          partition: aws-cn
          region: eu-west-2
          fallback: none
          kept: c1
          json: '[\"subnet-1\",\"subnet-2\"]'
          length: 2
          text: markup <a&b>
          conditional: 'yes'
          lower: https://abc.example
          version: c1
          whole: eu-west
          none: null
      - { path: $.name, equals: nobody }
";
    let (run, report) =
        fixture(&[("helpers.yaml", suite)]).run_with_report(&["--var", "min_free=1"]);
    run.expect_code(1);
    let case = report.case("t::helpers::helpers");
    assert_eq!(case.outcome, failure("error"));
    assert_eq!(case.message, "helpers <a&b>");
    // Only the second assertion fails: every helper rendered as expected.
    assert_eq!(
        case.text.matches("assertion failed").count(),
        1,
        "{}",
        case.text
    );
    assert!(case.text.contains("  path:     $.name\n"), "{}", case.text);
}

//! `ekscheck validate`: every problem that can be found without calling AWS is reported at
//! `file:line:column` as printed, all of them in one run; the exit code is 2 and nothing runs.
//! An unquoted `1.30` is a warning, which does not make a pack invalid.

use crate::support::{CLUSTER_MANIFEST, Fixture, diagnostics, ekscheck};

/// One invalid suite: its file name, its text, the diagnostics `validate` prints for it
/// (`pack/FILE:LINE:COLUMN: LEVEL: MESSAGE`), and text its help must show.
struct Case {
    file: &'static str,
    text: &'static str,
    printed: &'static [&'static str],
    help: &'static [&'static str],
}

const CASES: &[Case] = &[
    Case {
        file: "yaml-syntax.yaml",
        text: "checks:\n  - id: a\n    title: \"unclosed\n    on: cluster\n",
        printed: &["pack/yaml-syntax.yaml:3:12: error: unclosed quote"],
        help: &[],
    },
    Case {
        file: "unknown-key.yaml",
        text: "checks:\n  - id: a\n    title: A\n    on: cluster\n    expectt:\n      - exists: true\n",
        printed: &["pack/unknown-key.yaml:5:5: error: unknown field `expectt`, expected one of id, \
                    title, description, severity, remediation, on, expect, when, needs, cross_checks"],
        help: &["did you mean `expect`?"],
    },
    Case {
        file: "unknown-predicate.yaml",
        text: "checks:\n  - id: a\n    title: A\n    on: cluster\n    expect:\n      - { path: $.x, equal: 1 }\n",
        printed: &["pack/unknown-predicate.yaml:6:22: error: unknown field `equal`, expected one of \
                    on, path, severity, exists, equals, one_of, contains, contains_all, matches, \
                    line_matches, no_line_matches, count, gt, gte, lt, lte, empty, in_cidr, allows_traffic, all, any, none, not, \
                    any_of, all_of"],
        help: &["did you mean `equals`?"],
    },
    Case {
        file: "duplicate-key.yaml",
        text: "checks:\n  - id: a\n    title: A\n    on: cluster\n    on: cluster\n    expect:\n      - exists: true\n",
        printed: &["pack/duplicate-key.yaml:5:5: error: duplicate mapping key: on"],
        help: &["each key may appear once in a mapping"],
    },
    Case {
        file: "unquoted-wildcard.yaml",
        text: "checks:\n  - id: a\n    title: A\n    on: cluster\n    expect:\n      - { path: $.a[*], exists: true }\n",
        printed: &["pack/unquoted-wildcard.yaml:6:21: error: while scanning an anchor or alias, did \
                    not find expected alphabetic or numeric character"],
        help: &["quote the value, e.g. `path: \"$.a[*]\"`"],
    },
    Case {
        file: "missing-key.yaml",
        text: "checks:\n  - id: a\n    on: cluster\n    expect:\n      - exists: true\n",
        printed: &["pack/missing-key.yaml:4:5: error: missing field `title`"],
        help: &["add the missing key"],
    },
    Case {
        file: "unknown-operation.yaml",
        text: "calls:\n  c:\n    api: eks:DescribeClustr\n    params: { name: x }\nchecks:\n  - id: a\n    title: A\n    on: c\n    expect:\n      - exists: true\n",
        printed: &["pack/unknown-operation.yaml:3:10: error: `eks:DescribeClustr` is not an operation \
                    ekscheck can call"],
        help: &["did you mean `eks:DescribeCluster`?"],
    },
    Case {
        file: "write-operation.yaml",
        text: "calls:\n  c:\n    api: eks:DeleteCluster\n    params: { name: x }\nchecks:\n  - id: a\n    title: A\n    on: c\n    expect:\n      - exists: true\n",
        printed: &["pack/write-operation.yaml:3:10: error: `eks:DeleteCluster` is not an operation \
                    ekscheck can call"],
        help: &["not a registered read-only operation"],
    },
    Case {
        file: "params.yaml",
        text: "\
calls:
  unknown:
    api: ec2:DescribeSubnets
    params: { SubnetId: subnet-1 }
  not_a_list:
    api: ec2:DescribeSubnets
    params: { SubnetIds: subnet-1 }
  too_many:
    api: ec2:DescribeRouteTables
    params: { MaxResults: 1000 }
  nameless:
    api: eks:DescribeCluster
    params: {}
  nested:
    api: ec2:DescribeSubnets
    params: { Filters: [{ Name: vpc-id, Value: [vpc-1] }] }
  enum:
    api: ec2:DescribeVpcAttribute
    params: { VpcId: vpc-1, Attribute: dnsSupport }
  quoted_number:
    api: ec2:DescribeRouteTables
    params: { MaxResults: \"50\" }
checks:
  - id: a
    title: A
    on: unknown
    expect:
      - exists: true
",
        printed: &[
            "pack/params.yaml:4:15: error: `SubnetId` is not a parameter of ec2:DescribeSubnets",
            "pack/params.yaml:7:26: error: `SubnetIds` must be a list, not a string",
            "pack/params.yaml:10:27: error: `MaxResults` is 1000, but ec2:DescribeRouteTables takes \
             from 5 to 100",
            "pack/params.yaml:13:13: error: eks:DescribeCluster needs `name`",
            "pack/params.yaml:16:41: error: `Value` is not a member of `Filters`",
            "pack/params.yaml:19:40: error: `dnsSupport` is not a valid `Attribute`: expected one of \
             enableDnsSupport, enableDnsHostnames, enableNetworkAddressUsageMetrics",
            "pack/params.yaml:22:27: error: `MaxResults` must be a whole number, not a string",
        ],
        help: &[
            "did you mean `SubnetIds`?",
            "write `SubnetIds: [ … ]`, even for one item",
            "use a value from 5 to 100",
            "add `name: …` to params",
        ],
    },
    Case {
        file: "no-params.yaml",
        text: "calls:\n  c:\n    api: eks:DescribeCluster\nchecks:\n  - id: a\n    title: A\n    on: c\n    expect:\n      - exists: true\n",
        printed: &["pack/no-params.yaml:3:10: error: eks:DescribeCluster needs `name`"],
        help: &["add `name: …` to params"],
    },
    Case {
        file: "paths.yaml",
        text: "\
checks:
  - id: malformed
    title: A
    on: cluster
    expect:
      - path: $.cluster[?
        exists: true
  - id: spaced
    title: B
    on: cluster
    expect:
      - path: $.Attached Policies
        exists: true
  - id: relative
    title: C
    on: cluster
    expect:
      - path: cluster.status
        exists: true
",
        printed: &[
            "pack/paths.yaml:12:25: error: a name in this path contains a space",
            "pack/paths.yaml:18:15: error: a path must start with `$` (the whole response)",
            "pack/paths.yaml:6:26: error: malformed JSONPath: expected a condition, e.g. \
             `@.Key == 'Name'` here",
        ],
        help: &["quote a name that really has one: `$['Some Name']`"],
    },
    Case {
        file: "names.yaml",
        text: "\
calls:
  typo_var:
    api: eks:ListNodegroups
    params: { clusterName: \"{{vars.clustr}}\" }
  typo_call:
    api: eks:ListNodegroups
    params: { clusterName: \"{{clustr.cluster.name}}\" }
  typo_source:
    for_each: { in: nodegroupz, path: \"$.nodegroups[*]\", as: ng }
    api: eks:DescribeNodegroup
    params: { clusterName: x, nodegroupName: \"{{ng}}\" }
checks:
  - id: a
    title: Cluster {{vars.clusterr}}
    on: typo_call
    expect:
      - { on: clusterr, exists: true }
",
        printed: &[
            "pack/names.yaml:14:12: error: the pack declares no variable `clusterr`",
            "pack/names.yaml:17:15: error: undefined call `clusterr`",
            "pack/names.yaml:4:28: error: the pack declares no variable `clustr`",
            "pack/names.yaml:7:28: error: undefined name `clustr`",
            "pack/names.yaml:9:21: error: undefined call `nodegroupz`",
        ],
        help: &[
            "did you mean `vars.cluster`?",
            "did you mean `cluster`?",
            "expected one of: cluster, typo_call, typo_source, typo_var",
        ],
    },
    Case {
        file: "cycle.yaml",
        text: "\
calls:
  ping:
    api: eks:DescribeCluster
    params: { name: \"{{pong.cluster.name}}\" }
  pong:
    api: eks:DescribeCluster
    params: { name: \"{{ping.cluster.name}}\" }
checks:
  - id: a
    title: A
    on: ping
    expect:
      - exists: true
",
        printed: &["pack/cycle.yaml:2:3: error: calls depend on each other in a cycle: ping → pong → ping"],
        help: &["break the cycle"],
    },
    Case {
        file: "binding-cycle.yaml",
        text: "\
calls:
  names:
    api: eks:ListNodegroups
    params: { clusterName: x }
  group:
    for_each: { in: names, path: \"$.nodegroups[*]\", as: ng }
    api: eks:DescribeNodegroup
    params: { clusterName: \"{{role.Role.RoleName}}\", nodegroupName: \"{{ng}}\" }
  role:
    api: iam:GetRole
    params: { RoleName: \"{{ng}}\" }
checks:
  - id: a
    title: A
    on: group
    expect:
      - exists: true
",
        printed: &["pack/binding-cycle.yaml:5:3: error: calls depend on each other in a cycle: group → \
                    role → group"],
        help: &[],
    },
    Case {
        file: "fanouts.yaml",
        text: "\
calls:
  nodegroups:
    api: eks:ListNodegroups
    params: { clusterName: x }
  nodegroup:
    for_each: { in: nodegroups, path: \"$.nodegroups[*]\", as: ng }
    api: eks:DescribeNodegroup
    params: { clusterName: x, nodegroupName: \"{{ng}}\" }
  addons:
    api: eks:ListAddons
    params: { clusterName: x }
  addon:
    for_each: { in: addons, path: \"$.addons[*]\", as: addon_name }
    api: eks:DescribeAddon
    params: { clusterName: x, addonName: \"{{addon_name}}\" }
checks:
  - id: mixed
    title: \"{{ng}} and {{addon_name}}\"
    on: addon
    expect:
      - exists: true
",
        printed: &["pack/fanouts.yaml:17:9: error: check `mixed` refers to two unrelated fan-outs: \
                    `addon` (one row per addon) and `ng` (one row per nodegroup)"],
        help: &["nest one `for_each` inside the other"],
    },
    Case {
        file: "gathered.yaml",
        text: "\
calls:
  nodegroups:
    api: eks:ListNodegroups
    params: { clusterName: x }
  nodegroup:
    for_each: { in: nodegroups, path: \"$.nodegroups[*]\", as: gathered_ng, gather: true }
    api: eks:DescribeNodegroup
    params: { clusterName: x, nodegroupName: \"{{gathered_ng}}\" }
checks:
  - id: item
    title: \"{{gathered_ng}}\"
    on: nodegroup
    expect:
      - exists: true
",
        printed: &["pack/gathered.yaml:10:9: error: check `item` reads `gathered_ng`, an item of \
                    the gathering call `nodegroup`"],
        help: &["a gathering call makes no rows: read its response (`nodegroup`)"],
    },
    Case {
        file: "checks.yaml",
        text: "\
checks:
  - id: same
    title: A
    on: cluster
    expect:
      - exists: true
  - id: same
    title: B
    on: cluster
    needs: [nowhere, other/same, same-suite/x]
    expect:
      - exists: true
  - id: broken
    title: C
    on: cluster
    expect:
      - { path: '$[', exists: true }
  - id: broken
    title: D
    on: cluster
    expect:
      - exists: true
",
        printed: &[
            "pack/checks.yaml:10:13: error: undefined check `nowhere`",
            "pack/checks.yaml:10:22: error: undefined check `other/same`",
            "pack/checks.yaml:10:34: error: undefined check `same-suite/x`",
            "pack/checks.yaml:17:20: error: malformed JSONPath: expected a selector (`'name'`, an \
             index, `*`, a slice `1:3` or a filter `?…`) here",
            "pack/checks.yaml:18:9: error: check id `broken` is used twice in this suite",
            "pack/checks.yaml:7:9: error: check id `same` is used twice in this suite",
        ],
        help: &["give each check of a suite its own id"],
    },
    Case {
        file: "cross-checks.yaml",
        text: "\
calls:
  groups:
    api: eks:ListNodegroups
    params: { clusterName: x }
  group:
    for_each: { in: groups, path: \"$.nodegroups[*]\", as: ng }
    api: eks:DescribeNodegroup
    params: { clusterName: x, nodegroupName: \"{{ng}}\" }
  addon:
    for_each: { in: cluster, path: \"$.cluster.addons[*]\", as: addon_name }
    value: \"{{addon_name}}\"
checks:
  - id: per-group
    title: A
    on: group
    cross_checks: [per-group, per-addon, nowhere, whole-cluster]
    expect:
      - exists: true
  - id: per-addon
    title: B
    on: addon
    expect:
      - exists: true
  - id: whole-cluster
    title: C
    on: cluster
    cross_checks: [per-group, per-addon]
    expect:
      - exists: true
",
        printed: &[
            "pack/cross-checks.yaml:16:20: error: check `per-group` cross-checks itself",
            "pack/cross-checks.yaml:16:31: error: check `per-group` cross-checks `per-addon`, \
             whose rows (one per item of addon) are unrelated to its own (one per item of group): \
             no row of one corresponds to a row of the other",
            "pack/cross-checks.yaml:16:42: error: undefined check `nowhere`",
        ],
        help: &["remove it from `cross_checks`", "share their outer rows"],
    },
    Case {
        file: "more-checks.yaml",
        text: "\
calls:
  nodegroups:
    api: eks:ListNodegroups
    params: { clusterName: x }
  nodegroup:
    for_each: { in: nodegroups, path: \"$.nodegroups[*]\", as: ng, label: \"{{nodegroups.nodegroups.0}}\" }
    api: eks:DescribeNodegroup
    params: { clusterName: x, nodegroupName: \"{{ng}}\" }
  lonely:
    label: \"{{ng}}\"
    api: eks:ListAddons
    params: { clusterName: x }
checks:
  - id: first
    title: A
    needs: [second]
    on: nodegroup
    expect:
      - path: $.x
        all: { on: cluster, exists: true }
  - id: second
    title: B
    needs: [first]
    on: cluster
    expect:
      - exists: true
  - id: Third_Check
    title: C
    on: lonely
    expect:
      - exists: true
",
        printed: &[
            "pack/more-checks.yaml:10:12: error: `label` names fan-out rows, but this call has no \
             `for_each`",
            "pack/more-checks.yaml:14:9: error: `needs` of check `first` form a cycle: first → second → first",
            "pack/more-checks.yaml:20:20: error: a nested predicate cannot name a call",
            "pack/more-checks.yaml:27:9: error: invalid check id `Third_Check`",
            "pack/more-checks.yaml:5:3: error: the row label of `nodegroup` reads a call's response",
        ],
        help: &["a label may use `vars` and `as` names only"],
    },
    Case {
        file: "templates.yaml",
        text: "\
calls:
  partial:
    api: eks:DescribeCluster
    params: { name: \"{{> x}}\" }
checks:
  - id: a
    title: \"{{#*inline 'p'}}{{> p}}{{/inline}}\"
    on: cluster
    expect:
      - exists: true
  - id: b
    title: \"{{arn_nam vars.cluster}}\"
    on: cluster
    expect:
      - exists: true
  - id: c
    title: \"{{#if vars.cluster}}open{{/each}}\"
    on: cluster
    expect:
      - exists: true
",
        printed: &[
            "pack/templates.yaml:12:13: error: unknown helper `arn_nam`",
            "pack/templates.yaml:17:13: error: `{{#if}}` is closed by `{{/each}}`",
            "pack/templates.yaml:4:21: error: partials (`{{> name}}`) are not allowed in check \
             templates",
            "pack/templates.yaml:7:13: error: decorators (`{{* name}}`) are not allowed in check \
             templates",
        ],
        help: &["did you mean `arn_name`?"],
    },
    Case {
        file: "helper-calls.yaml",
        text: "\
checks:
  - id: a
    title: \"ARN {{arn_name 1 2 3}}\"
    on: cluster
    expect:
      - exists: true
  - id: b
    title: \"{{#if}}x{{/if}}\"
    on: cluster
    expect:
      - exists: true
  - id: c
    title: \"{{arn_region 5}}\"
    on: cluster
    expect:
      - exists: true
  - id: d
    title: d
    remediation: \"see {{lookup vars \\\"nope\\\"}}\"
    on: cluster
    expect:
      - exists: true
  - id: e
    title: \"{{capture cluster.cluster.name '(unclosed'}}\"
    on: cluster
    expect:
      - exists: true
  - id: f
    title: \"{{capture cluster.cluster.name cluster.cluster.arn}}\"
    on: cluster
    expect:
      - exists: true
",
        printed: &[
            "pack/helper-calls.yaml:13:13: error: `arn_region` takes the ARN as text, but it was \
             given a number `5`",
            "pack/helper-calls.yaml:19:18: error: the pack declares no variable `nope`",
            "pack/helper-calls.yaml:24:13: error: the regular expression `(unclosed` of `capture` \
             is not valid: unclosed group",
            "pack/helper-calls.yaml:29:13: error: `capture` takes a regular expression written as \
             a quoted string",
            "pack/helper-calls.yaml:3:17: error: `arn_name` takes one argument (the ARN); it was \
             given three",
            "pack/helper-calls.yaml:8:13: error: `if` takes one argument (the condition); it was \
             given none",
        ],
        help: &["write `{{arn_name ARN}}`"],
    },
    // Messages in the author's terms: what is wrong and how to fix it, not the parser's words.
    Case {
        file: "blocks.yaml",
        text: "\
checks:
  - id: a
    title: \"{{#each vars}} no end\"
    on: cluster
    expect:
      - exists: true
",
        printed: &["pack/blocks.yaml:3:13: error: `{{#each}}` is not closed"],
        help: &["add `{{/each}}` where the block ends"],
    },
    Case {
        file: "path-reasons.yaml",
        text: "\
checks:
  - id: a
    title: A
    on: cluster
    expect:
      - { path: \"$[?length(@.a, @.b) > 0]\", exists: true }
      - { path: \"$.a[9223372036854775807]\", exists: true }
      - { path: \"$.a[?@.b ==]\", exists: true }
",
        printed: &[
            "pack/path-reasons.yaml:6:21: error: `length()` takes one argument; it was given two",
            "pack/path-reasons.yaml:7:22: error: the index `9223372036854775807` is out of range",
            "pack/path-reasons.yaml:8:29: error: malformed JSONPath: expected a value (a number, \
             a quoted string, `true`, `false`, `null` or a path) here",
        ],
        help: &["JSONPath indexes lie between -9007199254740991 and 9007199254740991"],
    },
    Case {
        file: "range.yaml",
        text: "\
calls:
  subnets:
    api: ec2:DescribeSubnets
    params: { MaxResults: 99999999999999999999 }
checks:
  - id: a
    title: A
    on: subnets
    expect:
      - exists: true
",
        printed: &["pack/range.yaml:4:27: error: `MaxResults` is 100000000000000000000, but \
                    ec2:DescribeSubnets takes from 5 to 1000"],
        help: &["use a value from 5 to 1000"],
    },
    Case {
        file: "documents.yaml",
        text: "checks:\n  - id: a\n    title: A\n    on: cluster\n    expect:\n      - exists: true\n---\nchecks: []\n",
        printed: &["pack/documents.yaml:8:1: error: the file holds a second YAML document (after \
                    `---`)"],
        help: &["keep one document per file"],
    },
    Case {
        file: "alias.yaml",
        text: "checks:\n  - id: a\n    title: A\n    on: cluster\n    expect:\n      - { equals: &s [*s] }\n",
        printed: &["pack/alias.yaml:6:23: error: this alias refers to a value that contains it"],
        help: &["point the alias at another anchor"],
    },
    Case {
        file: "deep.yaml",
        text: "checks:\n  - id: a\n    title: A\n    on: cluster\n    expect:\n      - equals: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
        printed: &["pack/deep.yaml:6:76: error: this value is nested more than 64 levels deep"],
        help: &["flatten the structure"],
    },
    Case {
        file: "null-title.yaml",
        text: "checks:\n  - id: a\n    title: ~\n    on: cluster\n    expect:\n      - exists: true\n",
        printed: &["pack/null-title.yaml:3:12: error: a value is missing here (null), where text \
                    is expected"],
        help: &["write the value, or remove the key"],
    },
    Case {
        file: "predicates.yaml",
        text: "\
checks:
  - id: a
    title: A
    on: cluster
    expect:
      - { path: $.x, one_of: ACTIVE }
      - { path: $.x, exists: true, equals: 1 }
      - { path: $.x }
      - { path: $.x, matches: '(' }
      - { path: $.x, gt: many }
      - { path: $.x, count: { atleast: 1 } }
      - { path: $.x, in_cidr: 10.0.0.0/33 }
      - { path: $.x, allows_traffic: { direction: sideways, cidr: 0.0.0.0/0 } }
      - { path: $.Output, no_line_matches: 'Failed to start [' }
",
        printed: &[
            "pack/predicates.yaml:10:26: error: `gt` takes a number, not a string",
            "pack/predicates.yaml:11:31: error: `atleast` is not a count bound",
            "pack/predicates.yaml:12:31: error: `10.0.0.0/33` is not an IPv4 or IPv6 network",
            "pack/predicates.yaml:13:38: error: invalid `allows_traffic`: `direction` must be \
             `ingress` or `egress`",
            "pack/predicates.yaml:6:30: error: `one_of` takes a list, not a string",
            "pack/predicates.yaml:7:9: error: this assertion has 2 predicates (exists, equals)",
            "pack/predicates.yaml:8:9: error: this assertion has no predicate",
            "pack/predicates.yaml:9:31: error: invalid regular expression: unclosed group",
            "pack/predicates.yaml:14:44: error: invalid regular expression: unclosed character \
             class",
        ],
        help: &[],
    },
    Case {
        file: "line-pattern-list.yaml",
        text: "checks:\n  - id: a\n    title: A\n    on: cluster\n    expect:\n      - { path: $.Output, line_matches: [one, two] }\n",
        printed: &["pack/line-pattern-list.yaml:6:41: error: expected text here"],
        help: &[],
    },
];

/// The case of `file`.
fn case(file: &str) -> &'static Case {
    CASES.iter().find(|case| case.file == file).expect("a case")
}

fn pack_of(cases: &[&Case]) -> Fixture {
    let mut files = vec![("pack.yaml", CLUSTER_MANIFEST)];
    files.extend(cases.iter().map(|case| (case.file, case.text)));
    Fixture::pack(&files)
}

#[test]
fn each_problem_is_reported_where_it_is_written() {
    let mut wrong = Vec::new();
    for case in CASES {
        let (run, printed) = pack_of(&[case]).validate();
        let mut want: Vec<String> = case.printed.iter().map(|p| p.to_string()).collect();
        want.sort();
        if run.code != 2 || printed != want {
            wrong.push(format!(
                "{}: exit {}\n  expected {want:#?}\n  printed  {printed:#?}\n{}",
                case.file, run.code, run.stderr
            ));
        }
        for help in case.help {
            if !run.stderr.contains(help) {
                wrong.push(format!(
                    "{}: no help `{help}` in\n{}",
                    case.file, run.stderr
                ));
            }
        }
        if !run.stdout.is_empty() {
            wrong.push(format!("{}: printed on stdout: {}", case.file, run.stdout));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

#[test]
fn every_problem_of_every_file_is_reported_in_one_run() {
    let all: Vec<&Case> = CASES.iter().collect();
    let (run, printed) = pack_of(&all).validate();
    run.expect_code(2);
    let mut want: Vec<String> = CASES
        .iter()
        .flat_map(|case| case.printed.iter().map(|p| p.to_string()))
        .collect();
    want.sort();
    assert_eq!(printed, want, "{}", run.stderr);
}

#[test]
fn a_problem_in_the_manifest_does_not_hide_those_of_the_suites() {
    let manifest =
        "pack: Not_A_Slug\nversion: one\nvars:\n  cluster: { required: true, default: x }\n";
    let syntax = case("yaml-syntax.yaml");
    let fixture = Fixture::pack(&[("pack.yaml", manifest), (syntax.file, syntax.text)]);
    let (run, printed) = fixture.validate();
    run.expect_code(2);
    assert_eq!(
        printed,
        [
            "pack/pack.yaml:1:7: error: invalid pack name `Not_A_Slug`",
            "pack/pack.yaml:2:10: error: `version` must be a semantic version",
            "pack/pack.yaml:4:12: error: variable `cluster` is required but has a default",
            "pack/yaml-syntax.yaml:3:12: error: unclosed quote",
        ]
    );
    let manifest = "pack: t\nversion: 1.0.0\nvars: [oops\n";
    let unknown = case("unknown-key.yaml");
    let (run, printed) =
        Fixture::pack(&[("pack.yaml", manifest), (unknown.file, unknown.text)]).validate();
    run.expect_code(2);
    assert_eq!(printed.len(), 2, "{printed:#?}");
    assert!(printed[1].starts_with("pack/unknown-key.yaml:5:5: error: unknown field `expectt`"));
}

#[test]
fn run_refuses_an_invalid_pack_before_reading_the_recording() {
    let fixture = pack_of(&[case("unknown-operation.yaml")]);
    fixture.dir().write("recording/broken.json", "{ not json");
    let run = fixture.run(&["--var", "cluster=c1"]);
    run.expect_code(2);
    assert_eq!(run.stdout, "");
    assert_eq!(fixture.written_report(), None, "nothing ran: no report");
    assert_eq!(
        diagnostics(&run.stderr, fixture.dir().path()),
        [
            "pack/unknown-operation.yaml:3:10: error: `eks:DescribeClustr` is not an operation ekscheck can call"
        ]
    );
}

#[test]
fn an_unquoted_version_number_is_a_warning_only() {
    let suite = "\
checks:
  - id: version
    title: Cluster runs 1.30
    on: cluster
    expect:
      - { path: $.cluster.version, equals: 1.30 }
      - { path: $.cluster.version, one_of: [\"1.29\", 1.30, 1.31] }
";
    let manifest = format!(
        "{CLUSTER_MANIFEST}  other:\n    api: eks:ListNodegroups\n    params: {{ clusterName: x }}\n"
    );
    let manifest = manifest.replace("vars:\n", "vars:\n  minimum: { default: 1.20 }\n");
    let fixture = Fixture::pack(&[("pack.yaml", &manifest), ("version.yaml", suite)]);
    let (run, printed) = fixture.validate();
    run.expect_code(0);
    assert_eq!(
        printed,
        [
            "pack/pack.yaml:4:23: warning: `1.20` is read as the number 1.2",
            "pack/version.yaml:6:44: warning: `1.30` is read as the number 1.3",
            "pack/version.yaml:7:53: warning: `1.30` is read as the number 1.3",
        ]
    );
    assert!(run.stderr.contains("quote it: \"1.30\""), "{}", run.stderr);
    assert_eq!(run.stdout, "1 pack(s), 1 check(s): valid\n");
}

#[test]
fn validate_reports_a_directory_that_is_not_a_pack() {
    let run = ekscheck(&["validate", "/nonexistent/pack"]);
    run.expect_code(2);
    assert_eq!(
        diagnostics(&run.stderr, std::path::Path::new("/")),
        ["error: /nonexistent/pack: is not a pack: there is no pack.yaml"]
    );
}

#[test]
fn a_huge_value_is_echoed_cut_short() {
    // 2 MB on one line: the message quotes 60 characters of it, and the source line is shown
    // around the location only.
    let operation = format!("eks:{}", "x".repeat(2_000_000));
    let suite = format!(
        "calls:\n  c:\n    api: {operation}\nchecks:\n  - id: a\n    title: A\n    on: c\n    \
         expect:\n      - exists: true\n"
    );
    let (run, printed) =
        Fixture::pack(&[("pack.yaml", CLUSTER_MANIFEST), ("huge.yaml", &suite)]).validate();
    run.expect_code(2);
    assert_eq!(
        printed,
        [format!(
            "pack/huge.yaml:3:10: error: `eks:{}…` (2000004 characters) is not an operation \
             ekscheck can call",
            "x".repeat(56)
        )]
    );
    assert!(
        run.stderr.len() < 4_000,
        "{} bytes of stderr",
        run.stderr.len()
    );
}

#[test]
fn a_pack_for_another_format_or_ekscheck_is_refused_for_that_reason_alone() {
    let version = env!("CARGO_PKG_VERSION");
    // Written for a newer ekscheck: its new key is not reported, its suites are not read.
    let newer = "pack: t\nversion: 1.0.0\nformat: 2\nekscheck: \">=99\"\nnew_key: 1\n";
    let (run, printed) =
        Fixture::pack(&[("pack.yaml", newer), ("s.yaml", "checks: oops\n")]).validate();
    run.expect_code(2);
    assert_eq!(
        printed,
        [
            format!(
                "pack/pack.yaml:3:9: error: this pack is written in check format 2; this ekscheck \
                 ({version}) reads format 1"
            ),
            format!(
                "pack/pack.yaml:4:11: error: this pack needs ekscheck >=99; this is ekscheck {version}"
            ),
        ]
    );
    let malformed = "pack: t\nversion: 1.0.0\nformat: one\nekscheck: \"=>0.2\"\n";
    let (run, printed) = Fixture::pack(&[("pack.yaml", malformed)]).validate();
    run.expect_code(2);
    assert_eq!(
        printed,
        [
            "pack/pack.yaml:3:9: error: `format` is a string, not a format version",
            "pack/pack.yaml:4:11: error: `ekscheck` must be a version requirement",
        ]
    );
    let current = format!("pack: t\nversion: 1.0.0\nformat: 1\nekscheck: \"={version}\"\n");
    let (run, _) = Fixture::pack(&[("pack.yaml", &current)]).validate();
    run.expect_code(0);
}

//! Loading packs from text: the model a suite becomes, every predicate keyword read as itself,
//! and problems located, worded and helped, compared through the diagnostics' fields.

use std::fmt::Write as _;

use crate::format::model::{CallSource, Selector, Severity, Source};
use crate::format::predicate::{Keyword, Predicate};
use crate::testkit::{Loaded, load};

const MANIFEST: &str = "\
pack: t
version: 1.0.0
vars:
  cluster: { required: true }
calls:
  cluster:
    api: eks:DescribeCluster
    params: { name: '{{vars.cluster}}' }
";

fn pack(suite: &str) -> Loaded {
    load(&[("pack.yaml", MANIFEST), ("s.yaml", suite)])
}

#[test]
fn a_suite_becomes_its_model() {
    let loaded = pack(
        "\
suite: network
calls:
  groups:
    api: eks:ListNodegroups
    params: { clusterName: '{{vars.cluster}}' }
    accept_errors: [ResourceNotFoundException]
  group:
    for_each: { in: groups, path: '$.nodegroups[*]', as: ng, label: 'ng-{{ng}}', unique: true }
    value: '{{ng}}'
    when: [{ on: groups, path: $.nodegroups, empty: false }]
checks:
  - id: active
    title: Cluster {{vars.cluster}} is active
    severity: warning
    remediation: Wait.
    on: cluster
    needs: [other, iam/role, 'base::iam/role']
    when: [{ path: $.cluster.status, exists: true }]
    expect:
      - { path: $.cluster.status, equals: ACTIVE, severity: error }
      - any_of:
          - { on: groups, path: $.nodegroups, empty: false }
          - { path: $.cluster.version, one_of: ['1.30', '1.31'] }
",
    );
    assert_eq!(loaded.problems(), Vec::<String>::new());
    let suite = &loaded.packs[0].suites[0];
    assert_eq!(suite.name, "network");
    let (groups, group) = (&suite.calls[0], &suite.calls[1]);
    assert_eq!(
        groups.operation().map(|op| op.api),
        Some("eks:ListNodegroups")
    );
    assert_eq!(groups.accept_errors, ["ResourceNotFoundException"]);
    assert!(matches!(group.source, CallSource::Computed(_)));
    let for_each = group.for_each.as_ref().expect("a fan-out");
    assert_eq!(
        (
            for_each.source.as_str(),
            for_each.binding.as_str(),
            for_each.unique
        ),
        ("groups", "ng", true)
    );
    assert_eq!(
        for_each.label.as_ref().map(|l| l.source()),
        Some("ng-{{ng}}")
    );
    assert_eq!(group.when[0].on, "groups");
    let check = &suite.checks[0];
    assert_eq!(check.id, "active");
    assert_eq!(check.title.source(), "Cluster {{vars.cluster}} is active");
    assert_eq!(check.severity, Severity::Warning);
    assert_eq!(
        check.remediation.as_ref().map(|r| r.source()),
        Some("Wait.")
    );
    let needs: Vec<(Option<&str>, Option<&str>, &str)> = check
        .needs
        .iter()
        .map(|need| {
            (
                need.pack.as_deref(),
                need.suite.as_deref(),
                need.id.as_str(),
            )
        })
        .collect();
    assert_eq!(
        needs,
        [
            (None, None, "other"),
            (None, Some("iam"), "role"),
            (Some("base"), Some("iam"), "role")
        ]
    );
    assert_eq!(check.when[0].on, "cluster");
    let (first, combined) = (&check.expect[0], &check.expect[1]);
    assert_eq!(
        (first.on.as_str(), first.on_written, first.severity),
        ("cluster", true, Some(Severity::Error))
    );
    assert_eq!(first.path.source(), "$.cluster.status");
    assert_eq!(first.predicate.keyword(), Keyword::Equals);
    // `any_of` inherits its check's `on`; its assertions name theirs.
    assert_eq!(
        (combined.on.as_str(), combined.on_written),
        ("cluster", true)
    );
    let Predicate::AnyOf(alternatives) = &combined.predicate else {
        panic!("expected `any_of`: {:?}", combined.predicate);
    };
    let ons: Vec<Option<&str>> = alternatives.iter().map(|a| a.on.as_deref()).collect();
    assert_eq!(ons, [Some("groups"), None]);
    assert_eq!(combined.predicate.calls_read(), ["groups"]);
}

/// A valid operand of each predicate keyword, as written after the keyword.
fn operand(keyword: Keyword) -> &'static str {
    match keyword {
        Keyword::Exists | Keyword::Empty => "true",
        Keyword::Equals | Keyword::Contains => "1",
        Keyword::OneOf | Keyword::ContainsAll => "[1, 2]",
        Keyword::Matches | Keyword::LineMatches | Keyword::NoLineMatches => "'^a'",
        Keyword::Count | Keyword::Gt | Keyword::Gte | Keyword::Lt | Keyword::Lte => "2",
        Keyword::InCidr => "10.0.0.0/8",
        Keyword::AllowsTraffic => "{ direction: egress, port: 443, cidr: 0.0.0.0/0 }",
        Keyword::All | Keyword::Any | Keyword::None | Keyword::Not => "{ exists: true }",
        Keyword::AnyOf | Keyword::AllOf => "[{ exists: true }, { empty: false }]",
    }
}

#[test]
fn every_predicate_keyword_loads_as_itself() {
    let mut expect = String::new();
    for keyword in Keyword::ALL {
        let _ = writeln!(
            expect,
            "      - {{ {}: {} }}",
            keyword.name(),
            operand(keyword)
        );
    }
    let loaded = pack(&format!(
        "checks:\n  - id: all\n    title: All\n    on: cluster\n    expect:\n{expect}"
    ));
    assert_eq!(loaded.problems(), Vec::<String>::new());
    let loaded_keywords: Vec<Keyword> = loaded.packs[0].suites[0].checks[0]
        .expect
        .iter()
        .map(|assertion| assertion.predicate.keyword())
        .collect();
    assert_eq!(loaded_keywords, Keyword::ALL);
    for keyword in Keyword::ALL {
        assert_eq!(Keyword::named(keyword.name()), Some(keyword));
    }
}

#[test]
fn problems_are_located_worded_and_helped() {
    // (suite, the problem as `FILE:LINE:COLUMN: LEVEL: MESSAGE`, text of its help)
    let cases = [
        (
            "checks:\n  - id: a\n    title: A\n    on: cluster\n    expect: [{ path: $.x }]\n",
            "pack/s.yaml:5:14: error: this assertion has no predicate",
            "add one of: exists, equals, one_of, contains, contains_all, matches, line_matches, \
             no_line_matches, count, gt, gte, lt, lte, empty, in_cidr, allows_traffic, all, any, \
             none, not, any_of, all_of",
        ),
        (
            "checks:\n  - id: a\n    title: A\n    on: cluster\n    expect: [{ empty: true, exists: true }]\n",
            "pack/s.yaml:5:14: error: this assertion has 2 predicates (exists, empty)",
            "split it into several assertions",
        ),
        (
            "checks:\n  - id: a\n    title: A\n    on: cluster\n    expect: [{ exists: ~ }]\n",
            "pack/s.yaml:5:14: error: this assertion has no predicate",
            "add one of",
        ),
        (
            "checks:\n  - id: a\n    title: A\n    on: cluster\n    expect: [{ count: { gtt: 1 } }]\n",
            "pack/s.yaml:5:25: error: `gtt` is not a count bound",
            "did you mean `gt`?",
        ),
        (
            "checks:\n  - id: a\n    title: A\n    on: cluster\n    expect: [{ in_cidr: 10.0.0.0/33 }]\n",
            "pack/s.yaml:5:25: error: `10.0.0.0/33` is not an IPv4 or IPv6 network",
            "in_cidr: 10.0.0.0/16",
        ),
        (
            "checks:\n  - id: a\n    title: A\n    on: cluster\n    expect: [{ one_of: 1 }]\n",
            "pack/s.yaml:5:24: error: `one_of` takes a list, not a number",
            "write `one_of: [a, b]`",
        ),
        (
            "checks:\n  - id: a\n    title: A\n    on: cluster\n    expect: [{ gt: [1] }]\n",
            "pack/s.yaml:5:20: error: `gt` takes a number, not a list",
            "a template",
        ),
        (
            "checks:\n  - id: a\n    title: A\n    on: cluster\n    expect: [{ matches: '(' }]\n",
            "pack/s.yaml:5:25: error: invalid regular expression: unclosed group",
            "docs.rs/regex",
        ),
        (
            "checks:\n  - id: a\n    title: A\n    on: cluster\n    expect: [{ all: { on: cluster, exists: true } }]\n",
            "pack/s.yaml:5:27: error: a nested predicate cannot name a call",
            "relative to each element",
        ),
        (
            "checks:\n  - id: a\n    title: A\n    expect: [{ exists: true }]\n",
            "pack/s.yaml:4:14: error: this assertion does not say which call's response it tests",
            "add `on: CALL`",
        ),
        (
            "calls:\n  c: { api: eks:ListNodegroups, value: 1 }\nchecks:\n  - id: a\n    title: A\n    on: c\n    expect: [{ exists: true }]\n",
            "pack/s.yaml:2:3: error: call `c` has both `api` and `value`",
            "a call is either",
        ),
        (
            "checks:\n  - id: a\n    title: A\n    on: cluster\n    expect: [{ exists: true }]\n  - id: a\n    title: B\n    on: cluster\n    expect: [{ exists: true }]\n",
            "pack/s.yaml:6:9: error: check id `a` is used twice in this suite",
            "its own id",
        ),
    ];
    for (suite, problem, help) in cases {
        let loaded = pack(suite);
        assert_eq!(loaded.problems(), [problem], "{suite}");
        let written = loaded.diagnostics[0].help.as_deref().unwrap_or_default();
        assert!(written.contains(help), "{suite}: the help is {written:?}");
    }
}

#[test]
fn an_unknown_key_is_named_with_every_key_the_loader_reads() {
    let loaded = pack(
        "checks:\n  - id: a\n    title: A\n    on: cluster\n    expect: [{ path: $.x, equal: 1 }]\n",
    );
    assert_eq!(
        loaded.problems(),
        [
            "pack/s.yaml:5:27: error: unknown field `equal`, expected one of on, path, severity, \
             exists, equals, one_of, contains, contains_all, matches, line_matches, \
             no_line_matches, count, gt, gte, lt, lte, empty, in_cidr, allows_traffic, all, any, \
             none, not, any_of, all_of"
        ]
    );
    assert_eq!(
        loaded.diagnostics[0].help.as_deref(),
        Some("did you mean `equals`?")
    );
}

#[test]
fn the_manifest_states_what_the_pack_needs() {
    let loaded = load(&[(
        "pack.yaml",
        "pack: t\nversion: 1.0.0\nrequires:\n  - { pack: base, git: 'ext::sh -c x', version: '^1' }\n  \
         - { pack: other, path: ../other, ref: main }\n",
    )]);
    assert_eq!(
        loaded.problems(),
        [
            "pack/pack.yaml:4:24: error: a pack is fetched over https, ssh or from a file URL",
            "pack/pack.yaml:5:5: error: `ref` is for a pack from git",
        ]
    );
    let loaded = load(&[(
        "pack.yaml",
        "pack: t\nversion: 1.0.0\nrequires:\n  - { pack: base, git: 'https://example.com/p.git', subdir: ../x, ref: main }\n",
    )]);
    assert_eq!(
        loaded.problems(),
        ["pack/pack.yaml:4:61: error: `subdir` is a directory inside the repository or archive"]
    );
    let loaded = load(&[(
        "pack.yaml",
        "pack: t\nversion: 1.0.0\nrequires:\n  - { pack: base, tarball: base.zip }\n",
    )]);
    assert_eq!(
        loaded.problems(),
        [
            "pack/pack.yaml:4:28: error: `tarball` is a .tar.gz file, relative to this pack's directory"
        ]
    );
    let pack = &load(&[(
        "pack.yaml",
        "pack: t\nversion: 1.0.0\nrequires:\n  - { pack: base, git: 'git@example.com:p.git', version: '^1.2', subdir: checks }\n",
    )])
    .packs[0];
    assert_eq!(
        pack.requires[0].source,
        Source::Git {
            url: "git@example.com:p.git".to_owned(),
            subdir: "checks".to_owned(),
            selector: Selector::Version("^1.2".to_owned()),
        }
    );
}

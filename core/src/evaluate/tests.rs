//! How rows are decided, in the order the module's doc gives, on small packs run through the test
//! kit.

use serde_json::{Value, json};

use super::*;
use crate::assertion::{FailureReason, Undecided};
use crate::execute::Failure;
use crate::testkit::{Loaded, MANIFEST, Recording, execution, load, pack, run};

fn cluster(status: &str) -> Value {
    json!({"cluster": {"name": "c1", "status": status, "version": "1.31"}})
}

/// The cluster answered with `status`, two node groups `a` and `b`.
fn recording(status: &str) -> Recording {
    Recording::default()
        .answer(
            "eks:DescribeCluster",
            json!({"name": "c1"}),
            cluster(status),
        )
        .answer(
            "eks:ListNodegroups",
            json!({"clusterName": "c1"}),
            json!({"nodegroups": ["a", "b"]}),
        )
}

/// The outcomes of `loaded`'s checks on `recording`, without overrides.
fn decide(loaded: &Loaded, recording: Recording) -> Vec<Outcome> {
    run(
        &loaded.plan(),
        recording,
        &[("cluster", "c1")],
        &Overrides::default(),
    )
}

/// Each outcome's name and status.
fn statuses(outcomes: &[Outcome]) -> Vec<(&str, &Status)> {
    outcomes
        .iter()
        .map(|outcome| (outcome.name.as_str(), &outcome.status))
        .collect()
}

#[test]
fn a_row_passes_fails_with_what_was_found_or_is_skipped_by_its_when() {
    let loaded = pack(
        "\
checks:
  - id: active
    title: Active
    on: cluster
    expect: [{ path: $.cluster.status, equals: ACTIVE }]
  - id: old
    title: Old
    on: cluster
    expect: [{ path: $.cluster.version, equals: '1.29' }]
  - id: creating
    title: Creating
    on: cluster
    when: [{ path: $.cluster.status, equals: CREATING }]
    expect: [{ path: $.cluster.name, exists: true }]
",
    );
    let outcomes = decide(&loaded, recording("ACTIVE"));
    assert_eq!(outcomes[0].status, Status::Pass);
    let Status::Fail(failed) = &outcomes[1].status else {
        panic!("expected a failure: {:?}", outcomes[1].status);
    };
    let failure = &failed.assertions[0];
    assert_eq!(
        (failure.on.as_str(), failure.path.as_str()),
        ("cluster", "$.cluster.version")
    );
    assert_eq!(failure.actual, Some(json!("1.31")));
    assert_eq!(failure.reason, FailureReason::False(None));
    assert_eq!(failed.unchecked, None);
    let Status::Skip(SkipReason::When(when)) = &outcomes[2].status else {
        panic!("expected a skip by `when`: {:?}", outcomes[2].status);
    };
    assert_eq!(when.actual, Some(json!("ACTIVE")));
    assert!(!outcomes[2].fails_run());
    assert!(outcomes[1].fails_run());
}

#[test]
fn a_failure_is_as_severe_as_its_most_severe_failed_assertion() {
    let loaded = pack(
        "\
checks:
  - id: mixed
    title: Mixed
    severity: info
    on: cluster
    expect:
      - { path: $.cluster.status, equals: ACTIVE, severity: error }
      - { path: $.cluster.version, equals: '1.29', severity: warning }
  - id: plain
    title: Plain
    severity: warning
    on: cluster
    expect: [{ path: $.cluster.version, equals: '1.29' }]
",
    );
    let outcomes = decide(&loaded, recording("ACTIVE"));
    // The failed assertion is of severity warning; the one of severity error holds.
    assert_eq!(outcomes[0].severity, Severity::Warning);
    assert_eq!(outcomes[1].severity, Severity::Warning);
    assert!(!outcomes[0].fails_run());
    let outcomes = run(
        &loaded.plan(),
        recording("FAILED"),
        &[("cluster", "c1")],
        &Overrides::default(),
    );
    assert_eq!(outcomes[0].severity, Severity::Error);
    assert!(outcomes[0].fails_run());
}

#[test]
fn a_failed_call_leaves_its_checks_undecided_and_a_call_not_made_skips_them() {
    let manifest = format!(
        "{MANIFEST}  addons:\n    api: eks:ListAddons\n    params: {{ clusterName: c1 }}\n    \
         when: [{{ on: cluster, path: $.cluster.status, equals: CREATING }}]\n"
    );
    let suite = "\
checks:
  - id: groups
    title: Groups
    on: groups
    expect: [{ path: $.nodegroups, empty: false }]
  - id: addons
    title: Addons
    on: addons
    expect: [{ path: $.addons, empty: false }]
  - id: both
    title: Both
    expect:
      - { on: cluster, path: $.cluster.status, equals: CREATING }
      - { on: groups, path: $.nodegroups, empty: false }
";
    let loaded = load(&[("pack.yaml", &manifest), ("s.yaml", suite)]);
    let recording = Recording::default()
        .answer(
            "eks:DescribeCluster",
            json!({"name": "c1"}),
            cluster("ACTIVE"),
        )
        .fail(
            "eks:ListNodegroups",
            json!({"clusterName": "c1"}),
            "AccessDeniedException",
            "no",
        );
    let outcomes = decide(&loaded, recording);
    let Status::Undecided(Blocker::Call(failure)) = &outcomes[0].status else {
        panic!("expected a failed call: {:?}", outcomes[0].status);
    };
    let Failure::Call {
        call, api, error, ..
    } = &**failure
    else {
        panic!("expected a call's error: {failure:?}");
    };
    assert_eq!(
        (call.as_str(), *api, error.code.as_str()),
        ("groups", "eks:ListNodegroups", "AccessDeniedException")
    );
    let Status::Skip(SkipReason::NotMade(not_made)) = &outcomes[1].status else {
        panic!("expected a call not made: {:?}", outcomes[1].status);
    };
    assert_eq!(not_made.call, "addons");
    // A failed assertion is shown, and the failed call named as what was not checked.
    let Status::Fail(failed) = &outcomes[2].status else {
        panic!("expected a failure: {:?}", outcomes[2].status);
    };
    assert_eq!(failed.assertions.len(), 1);
    assert!(matches!(
        failed.unchecked.as_deref(),
        Some(Failure::Call { call, .. }) if call == "groups"
    ));
}

#[test]
fn needs_skip_a_row_for_which_the_needed_check_did_not_pass() {
    let suite = "\
calls:
  group:
    for_each: { in: groups, path: '$.nodegroups[*]', as: ng }
    value: '{{ng}}'
checks:
  - id: active
    title: Active
    on: cluster
    expect: [{ path: $.cluster.status, equals: ACTIVE }]
  - id: after-active
    title: After active
    needs: [active]
    on: cluster
    expect: [{ exists: true }]
  - id: after-after
    title: After that
    needs: [after-active]
    on: cluster
    expect: [{ exists: true }]
  - id: group-a
    title: Group {{ng}}
    on: group
    expect: [{ equals: a }]
  - id: per-group
    title: Group {{ng}} again
    needs: [group-a]
    on: group
    expect: [{ exists: true }]
";
    let loaded = pack(suite);
    let outcomes = decide(&loaded, recording("FAILED"));
    let skipped = |state| {
        Status::Skip(SkipReason::Needs {
            check: "active".to_owned(),
            state,
        })
    };
    assert_eq!(outcomes[1].status, skipped(NeedState::Failed));
    assert_eq!(
        outcomes[2].status,
        Status::Skip(SkipReason::Needs {
            check: "after-active".to_owned(),
            state: NeedState::Skipped,
        })
    );
    // Row by row: group `b` fails `group-a`, so only its row of `per-group` is skipped.
    let rows: Vec<(&str, &Status)> = statuses(&outcomes)[5..].to_vec();
    assert_eq!(rows[0], ("t::s::per-group[a]", &Status::Pass));
    assert_eq!(
        rows[1],
        (
            "t::s::per-group[b]",
            &Status::Skip(SkipReason::Needs {
                check: "group-a".to_owned(),
                state: NeedState::Failed,
            })
        )
    );
    let recording = Recording::default()
        .fail(
            "eks:DescribeCluster",
            json!({"name": "c1"}),
            "ThrottlingException",
            "slow down",
        )
        .answer(
            "eks:ListNodegroups",
            json!({"clusterName": "c1"}),
            json!({"nodegroups": []}),
        );
    let outcomes = run(
        &loaded.plan(),
        recording,
        &[("cluster", "c1")],
        &Overrides::default(),
    );
    assert_eq!(outcomes[1].status, skipped(NeedState::Undecided));
}

#[test]
fn rows_are_named_by_their_labels_and_a_failed_fan_out_is_an_error_of_its_row() {
    let suite = "\
calls:
  group:
    for_each: { in: groups, path: '$.nodegroups[*]', as: ng, label: 'ng-{{ng}}' }
    api: eks:DescribeNodegroup
    params: { clusterName: c1, nodegroupName: '{{ng}}' }
checks:
  - id: group
    title: Group {{ng}} is active
    on: group
    expect: [{ path: $.nodegroup.status, equals: ACTIVE }]
";
    let loaded = pack(suite);
    let recording = recording("ACTIVE")
        .answer(
            "eks:DescribeNodegroup",
            json!({"clusterName": "c1", "nodegroupName": "a"}),
            json!({"nodegroup": {"status": "ACTIVE"}}),
        )
        .fail(
            "eks:DescribeNodegroup",
            json!({"clusterName": "c1", "nodegroupName": "b"}),
            "ResourceNotFoundException",
            "gone",
        );
    let outcomes = decide(&loaded, recording);
    let names: Vec<(&str, Option<String>, &str)> = outcomes
        .iter()
        .map(|o| (o.name.as_str(), o.row.label(), o.title.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            (
                "t::s::group[ng-a]",
                Some("ng-a".to_owned()),
                "Group a is active"
            ),
            (
                "t::s::group[ng-b]",
                Some("ng-b".to_owned()),
                "Group b is active"
            ),
        ]
    );
    assert_eq!(outcomes[0].status, Status::Pass);
    assert!(matches!(
        outcomes[1].status,
        Status::Undecided(Blocker::Call(_))
    ));
    // Without the list to fan out over, there are no rows to decide.
    let failed = Recording::default()
        .answer(
            "eks:DescribeCluster",
            json!({"name": "c1"}),
            cluster("ACTIVE"),
        )
        .fail(
            "eks:ListNodegroups",
            json!({"clusterName": "c1"}),
            "AccessDeniedException",
            "no",
        );
    let outcomes = decide(&loaded, failed);
    assert_eq!(outcomes.len(), 1, "{outcomes:#?}");
    assert_eq!(outcomes[0].name, "t::s::group");
    assert!(matches!(
        outcomes[0].status,
        Status::Undecided(Blocker::Call(_))
    ));
}

#[test]
fn a_title_or_remediation_that_cannot_render_is_an_error_once_every_call_answered() {
    let suite = "\
checks:
  - id: title
    title: 'Cluster {{cluster.cluster.nope}}'
    on: cluster
    expect: [{ path: $.cluster.status, equals: ACTIVE }]
  - id: remediation
    title: Remediation
    remediation: 'Fix {{cluster.cluster.nope}}'
    on: cluster
    expect: [{ path: $.cluster.status, equals: CREATING }]
  - id: shown-as-written
    title: 'Groups {{groups.nodegroups}}'
    on: cluster
    expect: [{ path: $.cluster.status, equals: ACTIVE }]
";
    let loaded = pack(suite);
    let outcomes = decide(&loaded, recording("ACTIVE"));
    assert!(matches!(
        outcomes[0].status,
        Status::Undecided(Blocker::Title(_))
    ));
    assert_eq!(outcomes[0].title, "Cluster {{cluster.cluster.nope}}");
    assert!(matches!(
        outcomes[1].status,
        Status::Undecided(Blocker::Remediation(_))
    ));
    assert_eq!(outcomes[2].status, Status::Pass);
    assert_eq!(outcomes[2].title, "Groups [\"a\",\"b\"]");
}

#[test]
fn an_assertion_that_cannot_be_decided_leaves_its_row_undecided() {
    let suite = "\
checks:
  - id: bound
    title: Bound
    on: groups
    expect: [{ path: $.nodegroups, count: '{{cluster.cluster.status}}' }]
  - id: mismatch
    title: Mismatch
    on: cluster
    expect: [{ path: $.cluster.status, gt: 1 }]
";
    let loaded = pack(suite);
    let outcomes = decide(&loaded, recording("ACTIVE"));
    let Status::Undecided(Blocker::Assertion(problem)) = &outcomes[0].status else {
        panic!("expected an undecided assertion: {:?}", outcomes[0].status);
    };
    assert!(matches!(problem.problem, Undecided::InvalidOperand { .. }));
    // A type mismatch is a failure that says so.
    let Status::Fail(failed) = &outcomes[1].status else {
        panic!("expected a failure: {:?}", outcomes[1].status);
    };
    assert!(matches!(
        failed.assertions[0].reason,
        FailureReason::TypeMismatch { .. }
    ));
}

#[test]
fn overrides_skip_checks_and_rows_and_change_severities() {
    let suite = "\
calls:
  group:
    for_each: { in: groups, path: '$.nodegroups[*]', as: ng }
    value: '{{ng}}'
checks:
  - id: status
    title: Status
    on: cluster
    expect: [{ path: $.cluster.status, equals: ACTIVE }]
  - id: group
    title: Group
    on: group
    expect: [{ equals: a }]
  - id: skipped
    title: Skipped
    on: cluster
    expect: [{ exists: true }]
";
    let loaded = pack(suite);
    let file = loaded.dir().join("overrides.yaml");
    std::fs::write(
        &file,
        "checks:\n  \"t::s::status\": { severity: info }\n  \"t::s::skipped\": { skip: known }\n  \
         \"t::s::group[b]\": { skip: being replaced }\n",
    )
    .unwrap();
    let plan = loaded.plan();
    let overrides = Overrides::load(&plan, &[file], None).expect("valid overrides");
    let outcomes = run(&plan, recording("FAILED"), &[("cluster", "c1")], &overrides);
    assert!(matches!(outcomes[0].status, Status::Fail(_)));
    assert_eq!(outcomes[0].severity, Severity::Info);
    assert!(!outcomes[0].fails_run());
    assert_eq!(outcomes[1].status, Status::Pass);
    let overridden = |reason: &str| Status::Skip(SkipReason::Overridden(reason.to_owned()));
    assert_eq!(outcomes[2].status, overridden("being replaced"));
    assert_eq!(outcomes[3].status, overridden("known"));
}

#[test]
fn a_gathering_call_is_one_row_answered_by_each_items_response_under_its_label() {
    let suite = "\
calls:
  groups_by_name:
    for_each: { in: groups, path: '$.nodegroups[*]', as: ng, label: 'ng-{{ng}}', gather: true }
    api: eks:DescribeNodegroup
    params: { clusterName: c1, nodegroupName: '{{ng}}' }
checks:
  - id: groups
    title: Every group is active
    on: groups_by_name
    expect:
      - { path: '$.*.nodegroup.status', all: { equals: ACTIVE } }
      - { path: \"$['ng-b'].nodegroup.status\", exists: true }
";
    let loaded = pack(suite);
    let group = |name: &str| json!({"clusterName": "c1", "nodegroupName": name});
    let active = json!({"nodegroup": {"status": "ACTIVE"}});
    let answered = recording("ACTIVE")
        .answer("eks:DescribeNodegroup", group("a"), active.clone())
        .answer("eks:DescribeNodegroup", group("b"), active.clone());
    let outcomes = decide(&loaded, answered);
    assert_eq!(statuses(&outcomes), [("t::s::groups", &Status::Pass)]);
    // The first item that fails fails the call, for the one row.
    let one_failed = recording("ACTIVE")
        .answer("eks:DescribeNodegroup", group("a"), active)
        .fail(
            "eks:DescribeNodegroup",
            group("b"),
            "AccessDeniedException",
            "no",
        );
    let outcomes = decide(&loaded, one_failed);
    assert_eq!(outcomes.len(), 1, "{outcomes:#?}");
    assert!(matches!(
        outcomes[0].status,
        Status::Undecided(Blocker::Call(_))
    ));
}

#[test]
fn outcome_kinds_have_the_words_reports_and_pack_tests_use() {
    let words: Vec<&str> = OutcomeKind::ALL
        .into_iter()
        .map(OutcomeKind::name)
        .collect();
    assert_eq!(words, ["pass", "fail", "error", "skip"]);
    for kind in OutcomeKind::ALL {
        assert_eq!(OutcomeKind::named(kind.name()), Some(kind));
    }
    assert_eq!(OutcomeKind::named("passed"), None);
}

#[test]
fn rows_to_decide_counts_the_outcomes_evaluate_gives_failed_fan_outs_included() {
    let suite = "\
calls:
  group:
    for_each: { in: groups, path: '$.nodegroups[*]', as: ng }
    api: eks:DescribeNodegroup
    params: { clusterName: c1, nodegroupName: '{{ng}}' }
  subnet:
    for_each: { in: group, path: '$.nodegroup.subnets[*]', as: id }
    value: '{{id}}'
checks:
  - id: active
    title: Active
    on: cluster
    expect: [{ path: $.cluster.status, equals: ACTIVE }]
  - id: subnet
    title: Subnet {{id}}
    on: subnet
    expect: [{ exists: true }]
";
    let loaded = pack(suite);
    let plan = loaded.plan();
    // Group `a` has two subnets; group `b` could not be described: one row that is an error.
    let recording = recording("ACTIVE")
        .answer(
            "eks:DescribeNodegroup",
            json!({"clusterName": "c1", "nodegroupName": "a"}),
            json!({"nodegroup": {"subnets": ["s1", "s2"]}}),
        )
        .fail(
            "eks:DescribeNodegroup",
            json!({"clusterName": "c1", "nodegroupName": "b"}),
            "ResourceNotFoundException",
            "gone",
        );
    let (execution, vars) = execution(&plan, recording, &[("cluster", "c1")]);
    let checks: Vec<CheckId> = (0..plan.checks.len()).collect();
    let outcomes = evaluate(&plan, &execution, &vars, &checks);
    let names: Vec<&str> = outcomes.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "t::s::active",
            "t::s::subnet[b]",
            "t::s::subnet[a/s1]",
            "t::s::subnet[a/s2]"
        ]
    );
    assert!(matches!(
        outcomes[1].status,
        Status::Undecided(Blocker::Call(_))
    ));
    assert_eq!(rows_to_decide(&plan, &execution, &checks), outcomes.len());
    assert_eq!(rows_to_decide(&plan, &execution, &[0]), 1);
    assert_eq!(rows_to_decide(&plan, &execution, &[1]), 3);
}

#[test]
fn a_failure_shows_how_its_cross_checks_ended_for_the_rows_that_correspond() {
    let suite = "\
calls:
  group:
    for_each: { in: groups, path: '$.nodegroups[*]', as: ng }
    value: '{{ng}}'
checks:
  - id: is-a
    title: Group {{ng}} is a
    on: group
    cross_checks: [a-or-c, active]
    expect: [{ equals: a }]
  - id: a-or-c
    title: Group {{ng}} is a or c
    on: group
    expect: [{ one_of: [a, c] }]
  - id: active
    title: Active
    on: cluster
    expect: [{ path: $.cluster.status, equals: ACTIVE }]
";
    let loaded = pack(suite);
    let outcomes = decide(&loaded, recording("ACTIVE"));
    let cross_checks = |outcome: &Outcome| -> Vec<(String, CrossState)> {
        outcome
            .cross_checks
            .iter()
            .map(|cross| (cross.name.as_str().to_owned(), cross.ended.clone()))
            .collect()
    };
    // Group `a` passes: nothing to show.
    assert_eq!(outcomes[0].status, Status::Pass);
    assert_eq!(cross_checks(&outcomes[0]), []);
    // Group `b` fails: the other check per group, at `b` only, and the check without fan-out.
    assert!(matches!(outcomes[1].status, Status::Fail(_)));
    assert_eq!(
        cross_checks(&outcomes[1]),
        [
            ("t::s::a-or-c[b]".to_owned(), CrossState::Failed),
            ("t::s::active".to_owned(), CrossState::Passed),
        ]
    );
    // Cross-checks change no outcome, and the checks cross-checked show none.
    assert!(outcomes[2..].iter().all(|o| o.cross_checks.is_empty()));
}

#[test]
fn any_of_and_all_of_read_a_call_not_made_as_null_but_not_one_that_failed() {
    let manifest = format!(
        "{MANIFEST}  addons:\n    api: eks:ListAddons\n    params: {{ clusterName: c1 }}\n    \
         when: [{{ on: cluster, path: $.cluster.status, equals: CREATING }}]\n"
    );
    let suite = "\
checks:
  - id: either
    title: Either
    expect:
      - any_of:
          - { on: addons, path: $.addons, empty: false }
          - { on: cluster, path: $.cluster.status, equals: ACTIVE }
  - id: either-on-addons
    title: Either, on addons
    on: addons
    expect:
      - any_of:
          - { path: $.addons, empty: false }
          - { on: cluster, path: $.cluster.status, equals: ACTIVE }
  - id: either-failed
    title: Either, a call failed
    expect:
      - any_of:
          - { on: groups, path: $.nodegroups, empty: false }
          - { on: cluster, path: $.cluster.status, equals: ACTIVE }
";
    let loaded = load(&[("pack.yaml", &manifest), ("s.yaml", suite)]);
    let recording = Recording::default()
        .answer(
            "eks:DescribeCluster",
            json!({"name": "c1"}),
            cluster("ACTIVE"),
        )
        .fail(
            "eks:ListNodegroups",
            json!({"clusterName": "c1"}),
            "AccessDeniedException",
            "no",
        );
    let outcomes = decide(&loaded, recording);
    // `addons` was not made: its alternative reads null, the other one decides.
    assert_eq!(outcomes[0].status, Status::Pass);
    // Written as the check's `on`, the call is needed: the row does not apply.
    assert!(matches!(
        outcomes[1].status,
        Status::Skip(SkipReason::NotMade(_))
    ));
    assert!(matches!(
        outcomes[2].status,
        Status::Undecided(Blocker::Call(_))
    ));
}

#[test]
fn a_title_or_remediation_reading_a_call_without_a_response_is_shown_as_written() {
    let suite = "\
checks:
  - id: passes
    title: 'Groups {{groups.nodegroups}}'
    on: cluster
    expect: [{ path: $.cluster.status, equals: ACTIVE }]
  - id: fails
    title: Fails
    remediation: 'Look at {{groups.nodegroups}}'
    on: cluster
    expect: [{ path: $.cluster.status, equals: CREATING }]
";
    let loaded = pack(suite);
    let recording = Recording::default()
        .answer(
            "eks:DescribeCluster",
            json!({"name": "c1"}),
            cluster("ACTIVE"),
        )
        .fail(
            "eks:ListNodegroups",
            json!({"clusterName": "c1"}),
            "AccessDeniedException",
            "no",
        );
    let outcomes = decide(&loaded, recording);
    assert_eq!(outcomes[0].status, Status::Pass);
    assert_eq!(outcomes[0].title, "Groups {{groups.nodegroups}}");
    assert!(matches!(outcomes[1].status, Status::Fail(_)));
    assert_eq!(
        outcomes[1].remediation.as_deref(),
        Some("Look at {{groups.nodegroups}}")
    );
}

//! Fleets (offline, on recordings): `--cluster NAME…` and `--targets FILE` (accounts, regions,
//! clusters by name or `all`) run every target in one process, each test named after its
//! target; `--partition hash:M/N` shares are disjoint and cover the fleet; `merge-junit` joins
//! the shares' reports; `--json FILE` records validate against their documented schema; a
//! GitHub job summary is written when asked; bad targets are located invalid input.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::support::{Fixture, Run, command, diagnostics, parse_junit, run_command};

const PACK: &str = "\
pack: t
version: 1.0.0
vars:
  cluster: { required: true }
  region: { from: region }
calls:
  cluster:
    api: eks:DescribeCluster
    params: { name: '{{vars.cluster}}' }
";

const SUITE: &str = "\
checks:
  - id: active
    title: '{{vars.cluster}} in {{vars.region}} is ACTIVE'
    on: cluster
    expect: [{ path: $.cluster.status, equals: ACTIVE }]
";

/// Twelve clusters: `c0` … `c11`, all ACTIVE but `c3` (CREATING); `eks:ListClusters` lists
/// them all.
fn fleet() -> Fixture {
    let mut fixture = Fixture::pack(&[("pack.yaml", PACK), ("s.yaml", SUITE)]).respond(
        "eks:ListClusters",
        json!({}),
        json!({"clusters": (0..12).map(|i| format!("c{i}")).collect::<Vec<_>>()}),
    );
    for i in 0..12 {
        let status = if i == 3 { "CREATING" } else { "ACTIVE" };
        fixture = fixture.respond(
            "eks:DescribeCluster",
            json!({"name": format!("c{i}")}),
            json!({"cluster": {"status": status}}),
        );
    }
    fixture
}

fn records(path: &str) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("a --json file")
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect()
}

fn outcomes(records: &[Value]) -> BTreeSet<(String, String)> {
    records
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().to_owned(),
                r["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn each_target_is_checked_and_named() {
    let fixture = fleet();
    let json = fixture.dir().join("rows.jsonl");
    let summary = fixture.dir().join("summary.md");
    let (pack, recording) = (fixture.pack_dir(), fixture.recording_dir());
    let run = run_command(command().env("GITHUB_STEP_SUMMARY", &summary).args([
        "run",
        &pack,
        "--recording",
        &recording,
        "--region",
        "eu-west-1",
        "--cluster",
        "c2",
        "--cluster",
        "c3",
        "--json",
        &json,
    ]));
    run.expect_code(1)
        .expect_stdout_contains("test t::s::active[base/eu-west-1/c2] ... ok")
        .expect_stdout_contains("test t::s::active[base/eu-west-1/c3] ... FAILED")
        .expect_stdout_contains("c3 in eu-west-1 is ACTIVE");
    let rows = records(&json);
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string("docs/schema/results.schema.json").unwrap())
            .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    for row in &rows {
        let errors: Vec<String> = validator.iter_errors(row).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{row}: {errors:?}");
    }
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[1]["target"],
        json!({"account": "base", "region": "eu-west-1", "cluster": "c3"})
    );
    assert_eq!(rows[1]["outcome"], "fail");
    let table = std::fs::read_to_string(&summary).expect("a job summary");
    assert!(
        table.contains("| ✅ `base/eu-west-1/c2` | 1 | 0 | 0 | 0 | 0 |"),
        "{table}"
    );
    assert!(
        table.contains("| ❌ `base/eu-west-1/c3` | 0 | 1 | 0 | 0 | 0 |"),
        "{table}"
    );
}

#[test]
fn targets_list_clusters_and_partitions_share_them_out() {
    let fixture = fleet();
    let targets = fixture.dir().write(
        "fleet.yaml",
        "targets:\n  - regions: [eu-west-1, us-east-1]\n    clusters: all\n  - account: \"111122223333\"\n    regions: [eu-west-2]\n    clusters: [c0, c3]\n",
    );
    let (pack, recording) = (fixture.pack_dir(), fixture.recording_dir());
    let targets = targets.to_str().unwrap();
    let share = |partition: Option<&str>, name: &str| -> (Run, Vec<Value>, String) {
        let json = fixture.dir().join(&format!("{name}.jsonl"));
        let junit = fixture.dir().join(&format!("{name}.xml"));
        let mut args = vec![
            "run",
            &pack,
            "--recording",
            &recording,
            "--targets",
            targets,
            "--json",
            &json,
            "--junit",
            &junit,
        ];
        if let Some(partition) = partition {
            args.extend(["--partition", partition]);
        }
        let run = crate::support::ekscheck(&args);
        (run, records(&json), junit)
    };
    let (run, all, _) = share(None, "all");
    run.expect_code(1);
    assert_eq!(all.len(), 26, "12 clusters in 2 regions, and 2 named");
    for expected in [
        "t::s::active[base/us-east-1/c11]",
        "t::s::active[111122223333/eu-west-2/c3]",
    ] {
        assert!(all.iter().any(|r| r["name"] == expected), "{expected}");
    }
    let (_, first, first_xml) = share(Some("hash:1/2"), "first");
    let (_, second, second_xml) = share(Some("hash:2/2"), "second");
    let (first, second) = (outcomes(&first), outcomes(&second));
    assert!(!first.is_empty() && !second.is_empty());
    assert!(first.is_disjoint(&second));
    assert_eq!(&first | &second, outcomes(&all));
    // The shares' reports joined: every case once, the counters summed.
    let merged = fixture.dir().join("merged.xml");
    crate::support::ekscheck(&["merge-junit", &first_xml, &second_xml, "-o", &merged])
        .expect_code(0);
    let xml = std::fs::read_to_string(&merged).unwrap();
    assert!(
        xml.contains(
            r#"<testsuites name="ekscheck" tests="26" failures="3" errors="0" skipped="0""#
        ),
        "{xml}"
    );
    let cases: BTreeSet<String> = parse_junit(&xml).cases().map(|c| c.full_name()).collect();
    let names: BTreeSet<String> = all
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(cases, names);
    assert!(
        xml.contains("c3 in eu-west-2 is ACTIVE"),
        "failure details survive:\n{xml}"
    );
}

#[test]
fn clusters_that_cannot_be_listed_are_one_target_carrying_the_reason() {
    let fixture = Fixture::pack(&[("pack.yaml", PACK), ("s.yaml", SUITE)]).fail(
        "eks:ListClusters",
        json!({}),
        "AccessDeniedException",
        "not authorized to perform eks:ListClusters",
    );
    let targets = fixture.dir().write(
        "fleet.yaml",
        "targets:\n  - regions: [eu-west-1]\n    clusters: all\n",
    );
    let run = fixture.run(&["--targets", targets.to_str().unwrap()]);
    run.expect_code(3)
        .expect_stdout_contains("test t::s::active[base/eu-west-1/*] ... FAILED")
        .expect_stdout_contains(
            "AccessDeniedException: not authorized to perform eks:ListClusters",
        );
}

#[test]
fn bad_targets_are_located_and_nothing_runs() {
    let fixture = fleet();
    let targets = fixture.dir().write(
        "fleet.yaml",
        "\
targets:
  - regions: [eu-wset-1]
    clusters: all
    acount: \"1\"
  - account: \"111122223333\"
    role_arn: arn:aws:iam::999999999999:role/x
    regions: [eu-west-1]
    clusters: [a, a]
  - role_arn: arn:aws:iam::role/x
    regions: eu-west-1
  - regions: [us-east-1]
    clusters: [a]
  - regions: [us-east-1]
    clusters: [a]
",
    );
    let run = fixture.run(&["--targets", targets.to_str().unwrap()]);
    run.expect_code(2);
    assert_eq!(run.stdout, "", "nothing ran");
    assert_eq!(
        diagnostics(&run.stderr, fixture.dir().path()),
        [
            "fleet.yaml:10:14: error: `regions` must be a list",
            "fleet.yaml:2:15: error: `eu-wset-1` is not an AWS region",
            "fleet.yaml:4:5: error: unknown key `acount`",
            "fleet.yaml:6:15: error: the role is in another account than `account`",
            "fleet.yaml:8:19: error: `a` is listed twice in `clusters`",
            "fleet.yaml:9:15: error: `arn:aws:iam::role/x` is not an IAM role ARN",
            "fleet.yaml:9:5: error: a target needs `clusters`",
        ]
    );
    assert!(
        run.stderr.contains("did you mean `eu-west-1`?"),
        "{}",
        run.stderr
    );
    let targets = fixture.dir().write(
        "fleet.yaml",
        "targets:\n  - regions: [us-east-1]\n    clusters: [a]\n  - regions: [us-east-1]\n    clusters: [a]\n",
    );
    let run = fixture.run(&["--targets", targets.to_str().unwrap()]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("target base/us-east-1/a is given twice"),
        "{}",
        run.stderr
    );
    let run = fixture.run(&[
        "--region",
        "eu-west-1",
        "--cluster",
        "c1",
        "--cluster",
        "c1",
    ]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("--cluster: target base/eu-west-1/c1 is given twice"),
        "{}",
        run.stderr
    );
    let run = fixture.run(&["--var", "cluster=c1", "--partition", "hash:1/2"]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("--partition shares out a fleet's targets, and there is none"),
        "{}",
        run.stderr
    );
    for partition in ["hash:3/2", "hash:1/0", "hash:0/1", "halves"] {
        let run = fixture.run(&["--cluster", "c1", "--partition", partition]);
        run.expect_code(2);
        assert!(
            run.stderr.contains("--partition"),
            "{partition}: {}",
            run.stderr
        );
    }
}

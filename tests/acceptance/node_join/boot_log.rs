//! The boot-log suite on consoles people published: each known signature, in a recording made
//! from the healthy example with EKS reporting its first instance as failed to join and that
//! excerpt as its console, fails exactly its check (naming the line); healthy boots of each
//! operating system fail none; and a console with no known signature is information, never a
//! healthy verdict. Each excerpt's source is in `emulator/consoles.rs`.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{Value, json};

use super::PACK;
use crate::emulator::consoles::{self, Excerpt};
use crate::support::{CaseOutcome, Dir, Junit, ekscheck, parse_junit};

/// The healthy example, which the recordings here are made from.
const HEALTHY: &str = "checks/node-join/tests/healthy/recording";

/// The checks of the suite that match a cause (all but `reported-failure-explained`).
pub(crate) const CAUSES: &[&str] = &[
    "eks-api-unreachable",
    "eks-api-throttled",
    "bootstrap-sh-missing",
    "nodeadm-config-failed",
    "user-data-not-multipart",
    "user-data-script-failed",
    "kubelet-failed-to-start",
    "sandbox-image-pull-failed",
    "bottlerocket-settings-rejected",
    "ec2-api-unreachable",
    "ec2-api-denied",
    "instance-metadata-unreachable",
    "ec2launch-failed",
];

/// The information check for instances EKS reports and no cause explains.
pub(crate) const EXPLAINED: &str = "reported-failure-explained";

/// A console excerpt and the checks it fails (one, unless the excerpt shows several causes).
struct Signature {
    excerpt: Excerpt,
    fails: &'static [&'static str],
}

const fn signature(excerpt: Excerpt, fails: &'static [&'static str]) -> Signature {
    Signature { excerpt, fails }
}

const SIGNATURES: &[Signature] = &[
    signature(consoles::AL2_EKS_API_TIMEOUT, &["eks-api-unreachable"]),
    signature(
        consoles::AWS_CLI_EKS_API_UNREACHABLE,
        &["eks-api-unreachable"],
    ),
    signature(
        consoles::AL2_EKS_API_RETRIES_EXHAUSTED,
        &["eks-api-unreachable"],
    ),
    signature(consoles::AL2_EKS_API_THROTTLED, &["eks-api-throttled"]),
    signature(consoles::AL2_EKS_WAITER_THROTTLED, &["eks-api-throttled"]),
    signature(
        consoles::AL2023_BOOTSTRAP_SH_REMOVED,
        &["bootstrap-sh-missing"],
    ),
    signature(consoles::BOOTSTRAP_SH_NOT_FOUND, &["bootstrap-sh-missing"]),
    signature(consoles::AL2023_NODEADM_FAILED, &["nodeadm-config-failed"]),
    signature(
        consoles::AL2023_NODEADM_VALIDATION,
        &["nodeadm-config-failed"],
    ),
    signature(
        consoles::CLOUD_INIT_NOT_MULTIPART,
        &["user-data-not-multipart"],
    ),
    signature(
        consoles::AL2_USER_DATA_SCRIPT_FAILED,
        &["user-data-script-failed"],
    ),
    signature(
        consoles::BOTTLEROCKET_KUBELET_FAILED,
        &["kubelet-failed-to-start"],
    ),
    signature(
        consoles::AL2023_KUBELET_FAILED,
        &["kubelet-failed-to-start"],
    ),
    signature(
        consoles::AL2_SANDBOX_IMAGE_FAILED,
        &["sandbox-image-pull-failed"],
    ),
    signature(
        consoles::BOTTLEROCKET_TOML_REFUSED,
        &["bottlerocket-settings-rejected"],
    ),
    signature(
        consoles::BOTTLEROCKET_TOML_REDEFINED,
        &["bottlerocket-settings-rejected"],
    ),
    signature(
        consoles::BOTTLEROCKET_NO_SETTINGS,
        &["bottlerocket-settings-rejected"],
    ),
    signature(
        consoles::BOTTLEROCKET_SETTINGS_REFUSED,
        &["bottlerocket-settings-rejected"],
    ),
    signature(consoles::BOTTLEROCKET_EC2_TIMEOUT, &["ec2-api-unreachable"]),
    signature(
        consoles::BOTTLEROCKET_PRIVATE_DNS_TIMEOUT,
        &["ec2-api-unreachable"],
    ),
    signature(
        consoles::BOTTLEROCKET_PLUTO_TIMEOUT,
        &["ec2-api-unreachable"],
    ),
    signature(consoles::BOTTLEROCKET_EC2_DENIED, &["ec2-api-denied"]),
    signature(
        consoles::CLOUD_INIT_IMDS_UNREACHABLE,
        &["instance-metadata-unreachable"],
    ),
    signature(
        consoles::EC2LAUNCH_METADATA_TIMEOUT,
        &["instance-metadata-unreachable"],
    ),
    signature(consoles::EC2LAUNCH_STOPPING, &["ec2launch-failed"]),
    // Excerpts that show a cause and what followed from it.
    signature(
        consoles::AL2023_BOOTSTRAP_SH_USER_DATA,
        &[
            "bootstrap-sh-missing",
            "nodeadm-config-failed",
            "user-data-script-failed",
        ],
    ),
    signature(
        consoles::AL2_SANDBOX_IMAGE_AND_KUBELET,
        &["sandbox-image-pull-failed", "kubelet-failed-to-start"],
    ),
    signature(
        consoles::BOTTLEROCKET_TOML_AND_KUBELET,
        &["bottlerocket-settings-rejected", "kubelet-failed-to-start"],
    ),
    signature(
        consoles::AL2023_NODEADM_EC2_TIMEOUT,
        &["ec2-api-unreachable", "nodeadm-config-failed"],
    ),
];

/// The recorded file of the first call to `api` whose params satisfy `wanted`.
fn recorded_file(dir: &str, api: &str, wanted: impl Fn(&Value) -> bool) -> (String, Value) {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("the recording")
        .map(|entry| entry.expect("an entry").path())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("a recorded call");
            (
                path.display().to_string(),
                serde_json::from_str(&text).expect("JSON"),
            )
        })
        .find(|(_, document): &(String, Value)| {
            document["api"] == api && wanted(&document["params"])
        })
        .unwrap_or_else(|| panic!("{dir} records no {api}"))
}

/// The instance whose console the recordings here change: the healthy example's first read.
fn instance() -> String {
    let (_, console) = recorded_file(HEALTHY, "ec2:GetConsoleOutput", |_| true);
    console["params"]["InstanceId"]
        .as_str()
        .expect("an instance")
        .to_owned()
}

/// The healthy example's recording, in `dir`, with `console` as the console of [`instance`]
/// (`None`: nothing posted yet), and EKS reporting it as failed to join when `reported`.
fn recording(dir: &Dir, console: Option<&str>, reported: bool) -> String {
    let out = dir.join("recording");
    std::fs::create_dir_all(&out).expect("a recording directory");
    for entry in std::fs::read_dir(HEALTHY).expect("the healthy recording") {
        let path = entry.expect("an entry").path();
        std::fs::copy(
            &path,
            Path::new(&out).join(path.file_name().expect("a name")),
        )
        .expect("a copy");
    }
    let instance = instance();
    let rewrite = |path: &str, document: &mut Value| {
        std::fs::write(path, serde_json::to_string_pretty(document).unwrap()).expect("rewritten");
    };
    let (path, mut document) = recorded_file(&out, "ec2:GetConsoleOutput", |params| {
        params["InstanceId"] == instance.as_str()
    });
    match console {
        Some(text) => document["response"]["Output"] = json!(text),
        None => {
            document["response"]
                .as_object_mut()
                .expect("a response")
                .remove("Output");
        }
    }
    rewrite(&path, &mut document);
    if reported {
        let (path, mut document) = recorded_file(&out, "eks:DescribeNodegroup", |_| true);
        document["response"]["nodegroup"]["health"] = json!({"issues": [{
            "code": "NodeCreationFailure",
            "message": "Instances failed to join the kubernetes cluster",
            "resourceIds": [instance],
        }]});
        rewrite(&path, &mut document);
    }
    out
}

/// The pack at `pack` on `recording`: its JUnit report and console output.
fn run(pack: &str, dir: &Dir, recording: &str) -> (Junit, String) {
    let junit = dir.join("report.xml");
    let run = ekscheck(&[
        "run",
        pack,
        "--recording",
        recording,
        "--var",
        "cluster=healthy",
        "--junit",
        &junit,
        "--",
        "node-join::boot-log::",
    ]);
    let xml = std::fs::read_to_string(&junit)
        .unwrap_or_else(|_| panic!("no report:\n{}\n{}", run.stdout, run.stderr));
    (parse_junit(&xml), run.stdout)
}

/// How each boot-log check ended for [`instance`], by check id.
fn boot_log_of(report: &Junit) -> Vec<(String, CaseOutcome)> {
    let row = format!("[ng-1/{}]", instance());
    report
        .cases()
        .filter(|case| case.classname == "node-join::boot-log" && case.name.ends_with(&row))
        .map(|case| {
            let id = case.name.trim_end_matches(&row).to_owned();
            (id, case.outcome.clone())
        })
        .collect()
}

/// The checks of `outcomes` that failed.
fn failed(outcomes: &[(String, CaseOutcome)]) -> BTreeSet<String> {
    outcomes
        .iter()
        .filter(|(_, outcome)| matches!(outcome, CaseOutcome::Failure(_)))
        .map(|(id, _)| id.clone())
        .collect()
}

#[test]
fn each_published_signature_fails_exactly_its_checks_and_names_the_line() {
    let mut wrong = Vec::new();
    let mut covered = BTreeSet::new();
    for signature in SIGNATURES {
        let dir = Dir::new();
        let recording = recording(&dir, Some(signature.excerpt.text), true);
        let (report, stdout) = run(PACK, &dir, &recording);
        let outcomes = boot_log_of(&report);
        let want: BTreeSet<String> = signature.fails.iter().map(|id| id.to_string()).collect();
        if failed(&outcomes) != want || outcomes.len() != CAUSES.len() + 1 {
            wrong.push(format!(
                "{}: {outcomes:?}, expected exactly {want:?} to fail\n{stdout}",
                signature.excerpt.cited()
            ));
        }
        for id in signature.fails {
            let case = report.case(&format!("node-join::boot-log::{id}[ng-1/{}]", instance()));
            if !case.text.contains("\n  note:     line ") {
                wrong.push(format!(
                    "{}: {id} names no line:\n{}",
                    signature.excerpt.cited(),
                    case.text
                ));
            }
        }
        covered.extend(want);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
    let causes: BTreeSet<String> = CAUSES.iter().map(|id| id.to_string()).collect();
    assert_eq!(covered, causes, "every cause has a signature");
    // Every cause has lines someone published, but cloud-init's warning about user data that is
    // not multi-part: no EKS node's was found, only its format string.
    let published: BTreeSet<String> = SIGNATURES
        .iter()
        .filter(|signature| signature.excerpt.is_published())
        .flat_map(|signature| signature.fails.iter().map(|id| id.to_string()))
        .collect();
    let unpublished: Vec<&String> = causes.difference(&published).collect();
    assert_eq!(unpublished, ["user-data-not-multipart"]);
}

#[test]
fn healthy_boots_of_each_operating_system_match_nothing_and_prove_nothing() {
    let mut consoles: Vec<(&str, Option<String>)> = consoles::HEALTHY
        .iter()
        .map(|(os, excerpts)| (*os, Some(consoles::console(excerpts))))
        .collect();
    // Nothing posted yet (a Windows console appears minutes after the instance starts).
    consoles.push(("no console output yet", None));
    let explained = |outcomes: &[(String, CaseOutcome)]| {
        outcomes
            .iter()
            .find(|(id, _)| id == EXPLAINED)
            .map(|(_, outcome)| outcome.clone())
    };
    for (os, console) in consoles {
        // Not reported by EKS: every check passes, and the information check does not apply.
        let dir = Dir::new();
        let (report, stdout) = run(PACK, &dir, &recording(&dir, console.as_deref(), false));
        let outcomes = boot_log_of(&report);
        assert!(failed(&outcomes).is_empty(), "{os}: {outcomes:?}\n{stdout}");
        assert!(
            matches!(explained(&outcomes), Some(CaseOutcome::Skipped(_))),
            "{os}: {outcomes:?}"
        );
        // Reported: still no cause, and the information that a clean console proves nothing.
        let dir = Dir::new();
        let (report, stdout) = run(PACK, &dir, &recording(&dir, console.as_deref(), true));
        let outcomes = boot_log_of(&report);
        assert_eq!(
            failed(&outcomes),
            BTreeSet::from([EXPLAINED.to_owned()]),
            "{os}: {outcomes:?}\n{stdout}"
        );
        assert_eq!(
            explained(&outcomes),
            Some(CaseOutcome::Failure("info".into())),
            "{os}"
        );
        assert!(
            stdout.contains("its console shows no cause this suite knows"),
            "{os}:\n{stdout}"
        );
    }
}

/// The node-join pack copied to `dir`, its boot-log suite changed by `change`.
fn pack_with(dir: &Dir, change: impl Fn(&str) -> String) -> String {
    let copy = dir.join("node-join");
    for entry in std::fs::read_dir(PACK).expect("the pack") {
        let path = entry.expect("an entry").path();
        if path.is_file() {
            let name = path.file_name().expect("a name");
            std::fs::create_dir_all(&copy).expect("the copy");
            std::fs::copy(&path, Path::new(&copy).join(name)).expect("a copy");
        }
    }
    let suite = format!("{copy}/boot-log.yaml");
    let text = std::fs::read_to_string(&suite).expect("the boot-log suite");
    std::fs::write(&suite, change(&text)).expect("the changed suite");
    copy
}

#[test]
fn each_check_broken_lets_its_signatures_pass() {
    // A check that no longer reads the log (its path selects nothing) passes where its
    // signatures made it fail: the recordings above depend on each check.
    for id in CAUSES {
        let dir = Dir::new();
        let reads_the_log = format!("      - path: $.Output\n        no_line_matches: &{id}");
        let pack = pack_with(&dir, |text| {
            assert!(text.contains(&reads_the_log), "{id} reads $.Output");
            text.replace(
                &reads_the_log,
                &format!("      - path: $.NotTheOutput\n        no_line_matches: &{id}"),
            )
        });
        for signature in SIGNATURES.iter().filter(|s| s.fails.contains(id)) {
            let recording = recording(&dir, Some(signature.excerpt.text), true);
            let (report, _) = run(&pack, &dir, &recording);
            let failures = failed(&boot_log_of(&report));
            assert!(
                !failures.contains(*id),
                "{id} broken still fails on {}",
                signature.excerpt.cited()
            );
        }
    }
}

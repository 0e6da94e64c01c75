//! docs/authoring.md works as written: every `sh` block, in order, in an empty directory, with
//! the ekscheck under test first on the PATH (offline: the git server is a local repository).

use std::path::Path;
use std::process::Command;

use crate::support::Dir;

/// The guide's `sh` blocks, in order.
fn commands(guide: &str) -> String {
    let mut script = String::from("set -eu\n");
    let mut inside = false;
    for line in guide.lines() {
        match (inside, line) {
            (false, "```sh") => inside = true,
            (true, "```") => inside = false,
            (true, line) => {
                script.push_str(line);
                script.push('\n');
            }
            _ => {}
        }
    }
    script
}

#[test]
fn the_authoring_guide_works_as_written() {
    let guide = std::fs::read_to_string("docs/authoring.md").expect("docs/authoring.md");
    let script = commands(&guide);
    assert!(
        script.lines().count() > 50,
        "the guide's commands:\n{script}"
    );
    let work = Dir::new();
    let binary = Path::new(env!("CARGO_BIN_EXE_ekscheck"));
    let path = format!(
        "{}:{}",
        binary.parent().expect("a directory").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(work.path())
        .env("PATH", path)
        .env("EKSCHECK_CACHE", work.join("cache"))
        .env("NO_COLOR", "1")
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the guide failed:\n{stdout}\n{stderr}"
    );
    for promised in [
        "test team-nodes::tests::active ... ok",
        "nodegroup-active[ng-b] ... FAILED",
        "exit code 1: a check failed",
        "test team-nodes::tests::degraded ... ok",
        "commit: ",
        "team-nodes::nodegroups::nodegroup-active[ng-b] ... warning",
        "my-cluster::version::cluster-current",
    ] {
        assert!(
            stdout.contains(promised),
            "the guide promises {promised:?}:\n{stdout}\n{stderr}"
        );
    }
    assert!(stdout.contains("test result: ok."), "{stdout}");
}

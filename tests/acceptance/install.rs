//! What a user installs besides the binary, generated from the command line's definition:
//! completion scripts (the bash one is run through bash), the manual page (rendered with groff
//! when it is installed), and a `--version` that names the commit the binary was built from.

use std::process::{Command, Stdio};

use crate::support::{Dir, command, ekscheck, run_command};

/// The subcommands `ekscheck --help` lists (`help` aside).
fn subcommands() -> Vec<String> {
    let help = ekscheck(&["--help"]);
    help.expect_code(0);
    let names: Vec<String> = help
        .stdout
        .split("Commands:\n")
        .nth(1)
        .expect("a list of commands in --help")
        .lines()
        .take_while(|line| line.starts_with("  "))
        .filter_map(|line| line.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect();
    for name in ["run", "validate", "completions", "man"] {
        assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
    }
    names
}

/// What bash offers after `WORDS…` once the script is sourced: the words of COMPREPLY.
fn bash_completes(script: &str, words: &[&str]) -> Vec<String> {
    let line = words.join(" ");
    let program = format!(
        r#"source "$1"
complete -p ekscheck
COMP_WORDS=({words})
COMP_CWORD={cword}
COMP_LINE="{line}"
COMP_POINT=${{#COMP_LINE}}
_ekscheck ekscheck "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}""#,
        words = words
            .iter()
            .map(|word| format!("'{word}'"))
            .collect::<Vec<_>>()
            .join(" "),
        cword = words.len() - 1,
    );
    let output = Command::new("bash")
        .args(["--norc", "--noprofile", "-c", &program, "bash", script])
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut lines = stdout.lines();
    let registered = lines.next().unwrap_or_default();
    assert!(
        registered.contains(" -F _ekscheck ") && registered.ends_with(" ekscheck"),
        "the script registers no completion for ekscheck: {registered}"
    );
    lines.map(str::to_owned).collect()
}

#[test]
fn the_bash_completion_is_valid_bash_and_offers_subcommands_and_options() {
    let run = ekscheck(&["completions", "bash"]);
    run.expect_code(0);
    let dir = Dir::new();
    let script = dir.write("ekscheck.bash", &run.stdout);
    let script = script.to_str().unwrap();
    let syntax = Command::new("bash")
        .args(["-n", script])
        .output()
        .expect("bash runs");
    assert!(
        syntax.status.success(),
        "{}",
        String::from_utf8_lossy(&syntax.stderr)
    );
    let offered = bash_completes(script, &["ekscheck", ""]);
    for subcommand in subcommands() {
        assert!(offered.contains(&subcommand), "{subcommand}: {offered:?}");
    }
    let options = bash_completes(script, &["ekscheck", "run", "--re"]);
    assert_eq!(options, ["--recording", "--region"]);
    let shells = bash_completes(script, &["ekscheck", "completions", ""]);
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        assert!(shells.iter().any(|s| s == shell), "{shell}: {shells:?}");
    }
}

#[test]
fn every_shell_gets_a_script_that_names_every_subcommand() {
    let subcommands = subcommands();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = ekscheck(&["completions", shell]);
        run.expect_code(0);
        for subcommand in &subcommands {
            assert!(
                run.stdout.contains(subcommand.as_str()),
                "{shell}: no {subcommand}"
            );
        }
    }
    let unknown = ekscheck(&["completions", "tcsh"]);
    unknown.expect_code(2);
    assert!(
        unknown
            .stderr
            .contains("[possible values: bash, elvish, fish, powershell, zsh]")
    );
}

#[test]
fn the_manual_has_a_page_for_every_subcommand_and_renders() {
    let run = ekscheck(&["man"]);
    run.expect_code(0);
    let roff = &run.stdout;
    assert!(roff.starts_with(".ie \\n(.g"), "{roff}");
    // Each page's title line names the page and, in its footer, the build.
    let version = ekscheck(&["--version"]).stdout;
    let title = |page: &str| format!("\n.TH {page} 1  \"{}\" \n", version.trim());
    assert!(roff.contains(&title("ekscheck")), "{roff}");
    for subcommand in subcommands() {
        assert!(
            roff.contains(&title(&format!("ekscheck-{subcommand}"))),
            "{subcommand}"
        );
        // The first page lists it, in roff: `-` is written `\-`.
        let listed = format!("\nekscheck-{subcommand}(1)\n").replace('-', "\\-");
        assert!(roff.contains(&listed), "{subcommand} listed");
    }
    assert!(
        roff.contains("\\fB\\-\\-recording\\fR \\fI<DIR>\\fR"),
        "run's options"
    );
    // groff (with preconv, as man runs it), where it is installed, renders it without a warning.
    let rendered = match Command::new("groff")
        .args(["-k", "-man", "-Tutf8", "-P-cbou", "-ww"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(mut groff) => {
            use std::io::Write;
            groff
                .stdin
                .take()
                .unwrap()
                .write_all(roff.as_bytes())
                .unwrap();
            groff.wait_with_output().expect("groff runs")
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return,
        Err(error) => panic!("groff: {error}"),
    };
    let stderr = String::from_utf8_lossy(&rendered.stderr);
    assert!(rendered.status.success() && stderr.is_empty(), "{stderr}");
    let text = String::from_utf8_lossy(&rendered.stdout);
    for heading in ["NAME", "SYNOPSIS", "OPTIONS", "SUBCOMMANDS", "VERSION"] {
        assert!(text.contains(heading), "{heading} in\n{text}");
    }
    assert!(text.contains("ekscheck-completions(1)"), "{text}");
}

#[test]
fn a_closed_stdout_ends_the_script_or_the_page_without_a_panic() {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    for args in [&["completions", "bash"][..], &["man"]] {
        let run = run_command(
            command()
                .args(args)
                .stdout(Stdio::from(writer.try_clone().unwrap()))
                .stderr(Stdio::piped()),
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stderr.is_empty(), "{}", run.stderr);
    }
}

/// Built from this repository's git checkout (as the tests are), the version names the commit;
/// built outside one, it is the package's version alone.
#[test]
fn the_version_names_the_commit_it_was_built_from() {
    let run = ekscheck(&["--version"]);
    run.expect_code(0);
    let version = env!("CARGO_PKG_VERSION");
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|output| output.status.success())
            .map(|output| String::from_utf8_lossy(&output.stdout).trim().to_owned())
    };
    let checkout = git(&["rev-parse", "--show-toplevel"]).is_some_and(|top| {
        std::fs::canonicalize(top).ok() == std::fs::canonicalize(env!("CARGO_MANIFEST_DIR")).ok()
    });
    if !checkout {
        assert_eq!(run.stdout, format!("ekscheck {version}\n"));
        return;
    }
    let head = git(&["rev-parse", "HEAD"]).expect("HEAD");
    let date = git(&["log", "-1", "--format=%cs"]).expect("its date");
    let shown = run
        .stdout
        .strip_prefix(&format!("ekscheck {version} ("))
        .and_then(|rest| rest.strip_suffix(")\n"))
        .unwrap_or_else(|| panic!("no commit in {:?}", run.stdout));
    let (hash, shown_date) = shown.split_once(' ').expect("HASH DATE");
    assert!(
        hash.len() >= 9 && head.starts_with(hash),
        "{hash} is not HEAD ({head})"
    );
    assert_eq!(shown_date, date);
}

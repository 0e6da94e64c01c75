//! What ekscheck writes, when packs, recordings and reports come from elsewhere: no output
//! overwrites an input (the targets file, a required pack, an archive, a merged report), text
//! from packs and recordings cannot repaint the console nor break the JUnit XML, a test name of
//! any length is reported, and `merge-junit` joins only whole, well-formed reports.

use std::os::unix::fs::symlink;

use super::hostile::{CALL, MANIFEST, SUITE, ekscheck_in, fifo, refused, within_deadline};
use crate::support::{Dir, Run};

fn run(work: &Dir, args: &[&str]) -> Run {
    within_deadline(work, ekscheck_in(work, args), true)
}

/// A pack `p/` whose one check fails with `title`, a recording `r/`.
fn failing(title: &str) -> Dir {
    let suite = SUITE
        .replace("title: t", &format!("title: {title}"))
        .replace("{ exists: true }", "{ equals: \"y\" }");
    Dir::with(&[
        ("p/pack.yaml", MANIFEST),
        ("p/s.yaml", &suite),
        ("r/x.json", CALL),
    ])
}

#[test]
fn outputs_never_overwrite_the_targets_file_nor_a_required_pack() {
    let work = Dir::with(&[
        ("p/pack.yaml", MANIFEST),
        ("p/s.yaml", SUITE),
        ("r/x.json", CALL),
        (
            "targets.yaml",
            "targets:\n  - account: \"111122223333\"\n    regions: [eu-west-1]\n    clusters: [one]\n",
        ),
        (
            "team/pack.yaml",
            "pack: team\nversion: 1.0.0\nrequires:\n  - pack: dep\n    path: ../dep\n",
        ),
        ("team/s.yaml", SUITE),
        ("dep/pack.yaml", "pack: dep\nversion: 1.0.0\n"),
        ("dep/s.yaml", SUITE),
    ]);
    let targets = std::fs::read_to_string(work.path().join("targets.yaml")).expect("targets");
    let fleet = [
        "run",
        "@p",
        "--recording",
        "@r",
        "--targets",
        "@targets.yaml",
    ];
    for flag in ["--json", "--junit"] {
        let mut args = fleet.to_vec();
        args.extend([flag, "@targets.yaml"]);
        refused(
            &work,
            &args,
            "is an input of this run: it would be overwritten",
        );
    }
    let team = ["run", "@team", "--recording", "@r"];
    for output in ["@dep/pack.yaml", "@dep/new.xml"] {
        let mut args = team.to_vec();
        args.extend(["--junit", output]);
        refused(&work, &args, "an input of this run");
    }
    refused(
        &work,
        &[
            "record",
            "@team",
            "--recording",
            "@r",
            "--out",
            "@dep/calls",
        ],
        "an input of this run",
    );
    refused(
        &work,
        &["test", "@team", "--junit", "@dep/report.xml"],
        "an input of this run",
    );
    assert_eq!(
        std::fs::read_to_string(work.path().join("targets.yaml")).expect("targets"),
        targets
    );
    assert_eq!(
        std::fs::read_dir(work.path().join("dep"))
            .expect("dep")
            .count(),
        2,
        "dep holds pack.yaml and s.yaml only"
    );
    // The archive a pack is extracted from is an input too.
    let status = std::process::Command::new("tar")
        .current_dir(work.path())
        .args(["-czf", "dep.tar.gz", "dep"])
        .status()
        .expect("tar runs");
    assert!(status.success());
    work.write(
        "team/pack.yaml",
        "pack: team\nversion: 1.0.0\nrequires:\n  - pack: dep\n    tarball: ../dep.tar.gz\n    subdir: dep\n",
    );
    let mut command = ekscheck_in(
        &work,
        &[
            "run",
            "@team",
            "--recording",
            "@r",
            "--junit",
            "@dep.tar.gz",
        ],
    );
    command.env("EKSCHECK_CACHE", work.join("cache"));
    let run = within_deadline(&work, command, true);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("is an input of this run"),
        "{}",
        run.stderr
    );
}

#[test]
fn merge_junit_never_overwrites_an_input_nor_blocks_on_a_fifo() {
    let work = failing("t");
    run(
        &work,
        &["run", "@p", "--recording", "@r", "--junit", "@a.xml"],
    )
    .expect_code(1);
    let before = std::fs::read_to_string(work.path().join("a.xml")).expect("a report");
    symlink(work.path().join("a.xml"), work.path().join("link.xml")).expect("a link");
    for output in ["@./a.xml", "@link.xml", "@r/../a.xml"] {
        refused(
            &work,
            &["merge-junit", "@a.xml", "-o", output],
            "is an input of this run: it would be overwritten",
        );
    }
    fifo(&work.path().join("out.fifo"));
    refused(
        &work,
        &["merge-junit", "@a.xml", "-o", "@out.fifo"],
        "is not a regular file (a FIFO or a socket)",
    );
    assert_eq!(
        std::fs::read_to_string(work.path().join("a.xml")).expect("a report"),
        before
    );
}

#[test]
fn merge_junit_joins_only_whole_well_formed_reports() {
    let work = failing("\"a < b & c\"");
    run(
        &work,
        &["run", "@p", "--recording", "@r", "--junit", "@a.xml"],
    )
    .expect_code(1);
    let report = std::fs::read_to_string(work.path().join("a.xml")).expect("a report");
    // A whole report is copied as written: text around its references too.
    run(&work, &["merge-junit", "@a.xml", "@a.xml", "-o", "@m.xml"]).expect_code(0);
    let merged = std::fs::read_to_string(work.path().join("m.xml")).expect("merged");
    assert!(merged.contains("a &lt; b &amp; c"), "{merged}");
    assert!(
        merged.contains(r#"<testsuites name="ekscheck" tests="2" failures="2""#),
        "{merged}"
    );
    let deep = report.replace(
        "</testsuites>",
        &format!(
            "{}{}</testsuites>",
            "<a>".repeat(100_000),
            "</a>".repeat(100_000)
        ),
    );
    let cut = report.find("</properties>").expect("properties") + "</properties>".len();
    let cases = [
        (report[..cut].to_owned(), "it is cut short"),
        (
            format!("<!DOCTYPE x [<!ENTITY e \"x\">]>\n{report}"),
            "a JUnit report has no DOCTYPE",
        ),
        (
            report.replace("a &lt; b", "a &e; b"),
            "`&e;` is an undefined entity",
        ),
        (
            report.replace("a &lt; b", "a &#0; b"),
            "`&#0;` is not a character XML allows",
        ),
        (
            report.replace("a &lt; b", "a \u{1} b"),
            "the character U+0001 is not allowed",
        ),
        (
            report.replace("a &lt; b", "a &#xFFFE; b"),
            "is not a character XML allows",
        ),
        (deep, "elements are nested more than 64 deep"),
        (
            report.replacen("tests=\"1\"", "tests=\"18446744073709551615\"", 1),
            "the `tests` of the reports add up to more than 18446744073709551615",
        ),
        (
            report.replacen("tests=\"1\"", "tests=\"NaN\"", 1),
            "`tests` is `NaN`, not a count",
        ),
        (
            format!("{report}<testsuites/>"),
            "a second root element, <testsuites>, after </testsuites>",
        ),
        // What expat refuses and quick-xml reads.
        (
            report.replacen("\" time=", "\"time=", 1),
            "attributes without a space between them",
        ),
        (
            report.replacen("<testsuite ", "<test&suite ", 1),
            "`test&suite` is not an XML name",
        ),
        // Allowed in names by XML 1.0's fifth edition, refused by expat (found by the fuzz test).
        (
            report.replacen(" failures=", " fai\u{feff}lures=", 1),
            "lures` is not an XML name",
        ),
        (
            report.replacen("<testsuite ", "<x:testsuite ", 1),
            "the prefix of `x:testsuite` is declared nowhere",
        ),
        (
            report.replacen("</testsuite>", "]]></testsuite>", 1),
            "`]]>` in text",
        ),
        (
            report.replacen("</testsuite>", "<?xml version=\"1.0\"?></testsuite>", 1),
            "an XML declaration that is not at the start",
        ),
    ];
    for (xml, message) in cases {
        work.write("bad.xml", &xml);
        let run = refused(
            &work,
            &["merge-junit", "@a.xml", "@bad.xml", "-o", "@out.xml"],
            message,
        );
        assert!(run.stderr.contains("bad.xml:"), "located: {}", run.stderr);
        assert!(!work.path().join("out.xml").exists(), "{message}: written");
    }
}

#[test]
fn a_test_name_longer_than_the_console_shows_is_cut_there_only() {
    let long = "x".repeat(65_600);
    let work = Dir::with(&[
        (
            "p/pack.yaml",
            "pack: p\nversion: 1.0.0\ncalls:\n  src: { api: eks:ListClusters, params: {} }\n  row:\n    for_each: { in: src, path: \"$.clusters[*]\", as: c }\n    value: \"{{c}}\"\n",
        ),
        (
            "p/s.yaml",
            "checks:\n  - id: k\n    title: t\n    on: row\n    expect: [{ exists: true }]\n",
        ),
        (
            "r/a.json",
            &format!(
                r#"{{"api": "eks:ListClusters", "params": {{}}, "response": {{"clusters": ["{long}", "short"]}}}}"#
            ),
        ),
    ]);
    let run = run(
        &work,
        &[
            "run",
            "@p",
            "--recording",
            "@r",
            "--junit",
            "@j.xml",
            "--json",
            "@j.jsonl",
        ],
    );
    run.expect_code(0);
    let line = run
        .stdout
        .lines()
        .find(|line| line.starts_with("test p::s::k[xxx"))
        .expect("the long row");
    assert!(line.ends_with("… ... ok"), "{}", &line[line.len() - 40..]);
    assert!(
        line.chars().count() < 600,
        "{} characters",
        line.chars().count()
    );
    let junit = std::fs::read_to_string(work.path().join("j.xml")).expect("a report");
    assert!(junit.contains(&format!("k[{long}]")));
    let records = std::fs::read_to_string(work.path().join("j.jsonl")).expect("records");
    assert!(records.contains(&format!("p::s::k[{long}]")));
}

#[test]
fn junit_and_records_replace_characters_xml_forbids() {
    let work = failing("\"t \\uFFFE \\uFFFF\"");
    run(
        &work,
        &[
            "run",
            "@p",
            "--recording",
            "@r",
            "--junit",
            "@j.xml",
            "--json",
            "@j.jsonl",
        ],
    )
    .expect_code(1);
    for file in ["j.xml", "j.jsonl"] {
        let text = std::fs::read_to_string(work.path().join(file)).expect("a report");
        assert!(!text.contains(['\u{FFFE}', '\u{FFFF}']), "{file}: {text}");
        assert!(text.contains("t \u{FFFD} \u{FFFD}"), "{file}: {text}");
    }
    // The report is well-formed XML: merge-junit, which checks it, takes it.
    run(&work, &["merge-junit", "@j.xml", "-o", "@m.xml"]).expect_code(0);
}

#[test]
fn control_characters_from_packs_and_recordings_are_escaped_on_the_console() {
    // A title that paints a green `ok` over its own failure, and a recorded name that does.
    let work = failing("\"\\e[2K\\rtest p::s::c ... \\e[32mok\\e[0m\"");
    work.write(
        "p/rows.yaml",
        "calls:\n  src: { api: eks:ListClusters, params: {} }\n  row:\n    for_each: { in: src, path: \"$.clusters[*]\", as: c }\n    value: \"{{c}}\"\nchecks:\n  - id: k\n    title: t\n    on: row\n    expect: [{ equals: none }]\n",
    );
    work.write(
        "r/x.json",
        r#"{"api": "eks:ListClusters", "params": {}, "response": {"clusters": ["\u001b[1A\u009b2K"]}}"#,
    );
    let run = run(&work, &["run", "@p", "--recording", "@r"]);
    run.expect_code(1);
    assert!(
        !run.stdout.contains(['\u{1b}', '\r', '\u{9b}']),
        "{:?}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("\\u{1b}[2K\\rtest p::s::c ... \\u{1b}[32mok"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("test p::rows::k[\\u{1b}[1A\\u{9b}2K] ... FAILED"),
        "{}",
        run.stdout
    );
}

#[test]
fn control_characters_are_escaped_in_problems_and_listings() {
    // In a message quoting the pack, in the snippet of the file, and in `list`.
    let work = failing("\"\\e[2Kspoof\"");
    work.write(
        "p/bad.yaml",
        "calls:\n  a: { api: \"\\e[2K\\rok\" }\n  b: { api: x\u{1b}[2Kfoo }\n",
    );
    let problems = run(&work, &["validate", "@p"]);
    problems.expect_code(2);
    assert!(
        !problems.stderr.contains(['\u{1b}', '\r']),
        "{:?}",
        problems.stderr
    );
    assert!(
        problems.stderr.contains("b: { api: x?[2Kfoo }"),
        "{}",
        problems.stderr
    );
    work.write("p/bad.yaml", "calls:\n  a: { api: \"\\e[2K\\rok\" }\n");
    let quoted = run(&work, &["validate", "@p"]);
    assert!(
        quoted
            .stderr
            .contains("`\\u{1b}[2K\\rok` is not an operation"),
        "{}",
        quoted.stderr
    );
    std::fs::remove_file(work.path().join("p/bad.yaml")).expect("remove");
    let listed = run(&work, &["list", "@p"]);
    listed.expect_code(0);
    assert!(!listed.stdout.contains('\u{1b}'), "{:?}", listed.stdout);
    assert!(
        listed.stdout.contains("\\u{1b}[2Kspoof"),
        "{}",
        listed.stdout
    );
}

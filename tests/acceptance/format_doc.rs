//! docs/check-format.md cannot drift from the loader: its keyword tables (the first column of
//! each, under fixed headings) equal what ekscheck accepts — the keys of every object (read from
//! the loader's own types, through the JSON Schema), the predicates, the template helpers, the
//! outcomes a pack test names and the exit codes.

use std::collections::BTreeSet;

use ekscheck::cli::exit;
use ekscheck::diagnostic::SourceFile;
use ekscheck::evaluate::OutcomeKind;
use ekscheck::format::Keyword;
use ekscheck::format::schema::{SchemaKind, schema};
use ekscheck::format::yaml::{self, Node, Spanned};
use ekscheck::template::helper_names;
use serde_json::Value;

const DOC: &str = "docs/check-format.md";

/// The keywords in the first column of the table under `### HEADING`, without backticks.
fn table(doc: &str, heading: &str) -> BTreeSet<String> {
    let marker = format!("\n### {heading}\n");
    let (_, after) = doc
        .split_once(&marker)
        .unwrap_or_else(|| panic!("{DOC} has no `### {heading}`"));
    let rows: BTreeSet<String> = after
        .lines()
        .skip_while(|line| !line.starts_with('|'))
        .take_while(|line| line.starts_with('|'))
        .skip(2)
        .map(|line| {
            let cell = line.split('|').nth(1).unwrap_or_default().trim();
            cell.trim_matches('`').to_owned()
        })
        .collect();
    assert!(!rows.is_empty(), "the table under `### {heading}` is empty");
    rows
}

fn keys(schema: &Value) -> BTreeSet<String> {
    schema["properties"]
        .as_object()
        .expect("properties")
        .keys()
        .cloned()
        .collect()
}

fn set<'a>(items: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    items.into_iter().map(str::to_owned).collect()
}

#[test]
fn the_format_documents_every_keyword_the_loader_accepts() {
    let doc = std::fs::read_to_string(DOC).expect(DOC);
    let pack = schema(SchemaKind::Pack).expect("the pack schema");
    let suite = schema(SchemaKind::Suite).expect("the suite schema");
    let definition = |name: &str| keys(&suite["$defs"][name]);
    let predicates = Keyword::ALL.map(Keyword::name);
    let assertion_keys: BTreeSet<String> = definition("assertion")
        .into_iter()
        .filter(|key| !predicates.contains(&key.as_str()))
        .collect();
    let exit_codes = [
        exit::PASSED,
        exit::FAILED,
        exit::INVALID_INPUT,
        exit::ERRORS,
    ]
    .map(|code| code.to_string());
    let expected = [
        ("Keys of pack.yaml", keys(&pack)),
        ("Keys of a suite file", keys(&suite)),
        ("Keys of a variable", definition("var")),
        ("Keys of a call", definition("call")),
        ("Keys of for_each", definition("for_each")),
        ("Keys of a check", definition("check")),
        ("Keys of an assertion", assertion_keys),
        ("Predicates", set(predicates)),
        ("Template helpers", set(helper_names())),
        ("Outcomes", set(OutcomeKind::ALL.map(OutcomeKind::name))),
        ("Exit codes", set(exit_codes.iter().map(String::as_str))),
    ];
    for (heading, accepted) in expected {
        assert_eq!(table(&doc, heading), accepted, "{DOC}, `### {heading}`");
    }
}

#[test]
fn the_readme_links_the_format_in_the_repository() {
    let readme = std::fs::read_to_string("README.md").expect("README.md");
    assert!(
        readme.contains("](docs/check-format.md)"),
        "README.md links docs/check-format.md"
    );
    assert!(
        !readme.contains("../shared/"),
        "README.md links outside the repository"
    );
}

/// The JSON Schema of `kind`, as checked in under docs/schema/ for editors.
fn checked_in(name: &str) -> Value {
    let path = format!("docs/schema/{name}.schema.json");
    let text = std::fs::read_to_string(&path).expect("a checked-in schema");
    serde_json::from_str(&text).expect("JSON")
}

/// A YAML file as the loader reads it, as JSON.
fn yaml(text: &str) -> Value {
    let file = SourceFile::new("file.yaml".into(), text.to_owned());
    let node = yaml::parse::<Spanned<Node>>(&file).expect("YAML");
    node.value.to_json()
}

#[test]
fn the_checked_in_schemas_are_current() {
    for (kind, name) in SchemaKind::ALL {
        let generated = schema(kind).expect("a schema");
        assert!(
            checked_in(name) == generated,
            "docs/schema/{name}.schema.json is stale: run \
             `cargo run -- schema {name} > docs/schema/{name}.schema.json`"
        );
        let printed = crate::support::ekscheck(&["schema", name]);
        printed.expect_code(0);
        assert_eq!(
            serde_json::from_str::<Value>(&printed.stdout).unwrap(),
            generated
        );
    }
}

#[test]
fn the_schemas_accept_the_bundled_packs_and_reject_what_validate_rejects_for_shape() {
    let pack = jsonschema::validator_for(&checked_in("pack")).expect("a valid schema");
    let suite = jsonschema::validator_for(&checked_in("suite")).expect("a valid schema");
    let mut files = 0;
    for dir in ["checks/node-join", "examples/team-nodes"] {
        for entry in std::fs::read_dir(dir).expect("a pack") {
            let path = entry.expect("an entry").path();
            if path.extension().is_none_or(|extension| extension != "yaml") {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let validator = if path.ends_with("pack.yaml") {
                &pack
            } else {
                &suite
            };
            let errors: Vec<String> = validator
                .iter_errors(&yaml(&text))
                .map(|error| error.to_string())
                .collect();
            assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
            if dir == "checks/node-join" {
                let kind = if path.ends_with("pack.yaml") {
                    "pack"
                } else {
                    "suite"
                };
                let modeline = format!(
                    "# yaml-language-server: $schema=../../docs/schema/{kind}.schema.json\n"
                );
                assert!(
                    text.starts_with(&modeline),
                    "{} lacks the modeline",
                    path.display()
                );
            }
            files += 1;
        }
    }
    assert!(files >= 10, "read {files} files");
    let check = |extra: &str| format!("checks:\n  - id: a\n    title: A\n    on: c\n{extra}");
    let wrong_shapes = [
        check("    expect: [{ path: $.x, equal: 1 }]\n"),
        check("    expectt: []\n"),
        check("    severity: fatal\n    expect: [{ exists: true }]\n"),
        check("    expect: { exists: true }\n"),
        check("    needs: first\n    expect: [{ exists: true }]\n"),
        "checks:\n  - title: no id\n    on: c\n    expect: [{ exists: true }]\n".to_owned(),
        "calls:\n  c: { api: eks:ListClusters, for_each: { in: x, path: $ } }\nchecks: []\n"
            .to_owned(),
        "suite: s\nchecks: []\nextra: 1\n".to_owned(),
    ];
    for text in &wrong_shapes {
        assert!(!suite.is_valid(&yaml(text)), "the schema accepts:\n{text}");
        let fixture = crate::support::Fixture::pack(&[("s.yaml", text)]);
        let (run, printed) = fixture.validate();
        assert_eq!(run.code, 2, "validate accepts:\n{text}\n{printed:#?}");
    }
    for manifest in [
        "pack: p\nversion: 1.0.0\nformat: 2\n",
        "pack: p\nversion: 1.0.0\nvars: [cluster]\n",
        "pack: p\n",
        "pack: p\nversion: 1.0.0\nvars:\n  cluster: { requird: true }\n",
    ] {
        assert!(
            !pack.is_valid(&yaml(manifest)),
            "the schema accepts:\n{manifest}"
        );
        let (run, _) = crate::support::Fixture::pack(&[("pack.yaml", manifest)]).validate();
        assert_eq!(run.code, 2, "validate accepts:\n{manifest}");
    }
}

//! docs/check-format.md cannot drift from the loader: its keyword tables (the first column of
//! each, under fixed headings) equal what ekscheck accepts — the keys of every object (read from
//! the loader's own types, through the JSON Schema), the predicates, the template helpers, the
//! outcomes a pack test names and the exit codes.

use std::collections::BTreeSet;

use ekscheck::cli::exit;
use ekscheck::format::PREDICATES;
use ekscheck::format::schema::{SchemaKind, schema};
use ekscheck::pack_test::EXPECTS;
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
    let assertion_keys: BTreeSet<String> = definition("assertion")
        .into_iter()
        .filter(|key| !PREDICATES.contains(&key.as_str()))
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
        ("Predicates", set(PREDICATES)),
        ("Template helpers", set(helper_names())),
        ("Outcomes", set(EXPECTS.map(|(name, _)| name))),
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

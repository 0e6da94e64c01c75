use serde_json::{Map, Value, json};

use super::*;
use crate::diagnostic::{Location, SourceFile};
use crate::format::{Bound, Comparison, Keyword, Pattern};
use crate::path::JsonPath;

fn value(v: Value) -> TemplatedValue {
    TemplatedValue::compile(&v).unwrap()
}

fn nested(path: &str, predicate: Predicate) -> Box<Nested> {
    Box::new(Nested {
        path: JsonPath::parse(path).unwrap(),
        predicate,
    })
}

fn bound(keyword: &str, v: Value) -> Bound {
    Bound {
        comparison: Comparison::of(Keyword::named(keyword).unwrap()).unwrap(),
        value: value(v),
    }
}

fn scope() -> Map<String, Value> {
    json!({"vars": {"vpc": "vpc-1", "min": "3"}})
        .as_object()
        .unwrap()
        .clone()
}

/// Tests `predicate` on what `path` selects in `doc`.
fn test(predicate: &Predicate, path: &str, doc: &Value) -> Tested {
    let selection = JsonPath::parse(path)
        .unwrap()
        .select(doc, &scope())
        .unwrap();
    super::test(predicate, &Subject::from(selection), &scope())
}

fn holds(predicate: &Predicate, path: &str, doc: &Value) -> bool {
    test(predicate, path, doc).unwrap().holds
}

/// The type `predicate` found instead of the one it applies to.
fn mismatch(predicate: &Predicate, path: &str, doc: &Value) -> &'static str {
    match test(predicate, path, doc) {
        Err(Undecided::TypeMismatch { actual, .. }) => actual,
        other => panic!("expected a type mismatch, got {other:?}"),
    }
}

/// What is wrong with an operand of `predicate`.
fn invalid_operand(predicate: &Predicate, path: &str, doc: &Value) -> String {
    match test(predicate, path, doc) {
        Err(Undecided::InvalidOperand { problem, .. }) => problem,
        other => panic!("expected an invalid operand, got {other:?}"),
    }
}

#[test]
fn exists_on_singular_and_list_paths() {
    let doc = json!({"a": {"b": null}, "list": [1]});
    assert!(holds(&Predicate::Exists(true), "$.a.b", &doc));
    assert!(!holds(&Predicate::Exists(true), "$.a.c", &doc));
    assert!(holds(&Predicate::Exists(false), "$.a.c", &doc));
    assert!(holds(&Predicate::Exists(true), "$.list[*]", &doc));
    assert!(holds(&Predicate::Exists(false), "$.missing[*]", &doc));
}

#[test]
fn empty_treats_absent_as_empty_list() {
    let doc = json!({"s": "", "o": {}, "l": [], "full": [1], "n": 0});
    for path in ["$.s", "$.o", "$.l", "$.missing", "$.missing[*]"] {
        assert!(holds(&Predicate::Empty(true), path, &doc), "{path}");
    }
    assert!(holds(&Predicate::Empty(false), "$.full", &doc));
    assert!(holds(&Predicate::Empty(false), "$.n", &doc));
}

#[test]
fn equals_deep_and_numeric() {
    let doc = json!({"n": 1, "o": {"a": [1, 2]}, "l": [{"x": 1}, {"x": 2}]});
    assert!(holds(&Predicate::Equals(value(json!(1.0))), "$.n", &doc));
    assert!(holds(
        &Predicate::Equals(value(json!({"a": [1, 2]}))),
        "$.o",
        &doc
    ));
    assert!(!holds(
        &Predicate::Equals(value(json!({"a": [2, 1]}))),
        "$.o",
        &doc
    ));
    assert!(holds(
        &Predicate::Equals(value(json!([1, 2]))),
        "$.l[*].x",
        &doc
    ));
    assert!(!holds(
        &Predicate::Equals(value(json!(null))),
        "$.absent",
        &doc
    ));
}

#[test]
fn equals_with_templates_compares_across_calls() {
    let doc = json!({"VpcId": "vpc-1"});
    assert!(holds(
        &Predicate::Equals(value(json!("{{vars.vpc}}"))),
        "$.VpcId",
        &doc
    ));
}

#[test]
fn one_of_candidates() {
    let doc = json!({"mode": "API"});
    let p = Predicate::OneOf(value(json!(["API", "API_AND_CONFIG_MAP"])));
    assert!(holds(&p, "$.mode", &doc));
    assert!(!holds(&p, "$.absent", &doc));
    let not_a_list = Predicate::OneOf(value(json!("API")));
    assert!(invalid_operand(&not_a_list, "$.mode", &doc).contains("list"));
}

#[test]
fn contains_on_lists_strings_scalars_and_absent() {
    let doc = json!({
        "names": ["A", "B"],
        "s": "hello world",
        "principal": "ec2.amazonaws.com",
        "o": {"k": 1}
    });
    assert!(holds(
        &Predicate::Contains(value(json!("A"))),
        "$.names",
        &doc
    ));
    assert!(holds(
        &Predicate::Contains(value(json!("B"))),
        "$.names[*]",
        &doc
    ));
    assert!(!holds(
        &Predicate::Contains(value(json!("C"))),
        "$.names",
        &doc
    ));
    assert!(holds(
        &Predicate::Contains(value(json!("lo w"))),
        "$.s",
        &doc
    ));
    assert!(holds(
        &Predicate::Contains(value(json!("ec2.amazonaws.com"))),
        "$.principal",
        &doc
    ));
    assert!(!holds(
        &Predicate::Contains(value(json!("A"))),
        "$.absent",
        &doc
    ));
    assert!(holds(
        &Predicate::Contains(value(json!({"k": 1}))),
        "$.o",
        &doc
    ));
}

#[test]
fn contains_all_reports_what_is_missing() {
    let doc = json!({"names": ["A", "B"]});
    assert!(holds(
        &Predicate::ContainsAll(value(json!(["A", "B"]))),
        "$.names",
        &doc
    ));
    let verdict = test(
        &Predicate::ContainsAll(value(json!(["A", "C"]))),
        "$.names",
        &doc,
    )
    .unwrap();
    assert!(!verdict.holds);
    assert_eq!(verdict.note, Some(Note::Missing(vec![json!("C")])));
    assert!(
        invalid_operand(&Predicate::ContainsAll(value(json!("A"))), "$.names", &doc)
            .contains("list")
    );
}

#[test]
fn matches_strings_only() {
    let doc = json!({"arn": "arn:aws:iam::1:role/x", "n": 5, "l": ["a"]});
    let p = Predicate::Matches(Pattern::new("^arn:aws:iam::\\d+:role/").unwrap());
    assert!(holds(&p, "$.arn", &doc));
    assert!(!holds(&p, "$.absent", &doc));
    assert_eq!(mismatch(&p, "$.n", &doc), "a number");
    assert_eq!(mismatch(&p, "$.l[*]", &doc), "a list of selected nodes");
    assert!(Pattern::new("(unclosed").is_err());
}

#[test]
fn line_predicates_read_a_text_line_by_line_and_name_the_line() {
    let log = "[    0.000000] Linux version 6.1\r\n[  OK  ] Started containerd.\r\n\
               [FAILED] Failed to start nodeadm-config.service - EKS Nodeadm Config.\n\
               [FAILED] Failed to start kubelet.service\n";
    let doc = json!({"Output": log, "n": 5, "l": ["a"], "nothing": null});
    let found = |pattern| Predicate::LineMatches(Pattern::new(pattern).unwrap());
    let not_found = |pattern| Predicate::NoLineMatches(Pattern::new(pattern).unwrap());
    assert!(holds(
        &found("Failed to start .*EKS Nodeadm"),
        "$.Output",
        &doc
    ));
    assert!(!holds(
        &found("Failed to start .*Bottlerocket"),
        "$.Output",
        &doc
    ));
    // Each line is matched on its own: `^` and `$` anchor at the line, `\r` is not part of it.
    assert!(holds(
        &found("^\\[  OK  \\] Started containerd\\.$"),
        "$.Output",
        &doc
    ));
    assert!(!holds(&found("containerd.*nodeadm"), "$.Output", &doc));
    let verdict = test(&not_found("Failed to start"), "$.Output", &doc).unwrap();
    assert!(!verdict.holds);
    assert_eq!(
        verdict.note,
        Some(Note::Line {
            number: 3,
            text: "[FAILED] Failed to start nodeadm-config.service - EKS Nodeadm Config.".into()
        }),
        "the first line that matches decides"
    );
    assert!(holds(&not_found("Bottlerocket"), "$.Output", &doc));
    // No text has no lines: nothing matches, nothing is found.
    for path in ["$.absent", "$.nothing"] {
        assert!(holds(&not_found("."), path, &doc), "{path}");
        assert!(!holds(&found(".*"), path, &doc), "{path}");
    }
    assert_eq!(mismatch(&found("a"), "$.n", &doc), "a number");
    assert_eq!(mismatch(&not_found("a"), "$.l", &doc), "a list");
    assert_eq!(
        mismatch(&not_found("a"), "$.l[*]", &doc),
        "a list of selected nodes"
    );
    // A templated pattern is rendered for the row; one that does not compile is invalid.
    let templated = Predicate::NoLineMatches(Pattern::new("{{vars.vpc}}").unwrap());
    assert!(holds(&templated, "$.Output", &doc));
    let broken = Predicate::LineMatches(Pattern::new("({{vars.vpc}}").unwrap());
    assert!(invalid_operand(&broken, "$.Output", &doc).contains("(vpc-1"));
    assert_eq!(describe(&templated, &scope()), "no line matches /vpc-1/");
    // A pattern written over several lines is shown on one.
    let verbose = Predicate::NoLineMatches(Pattern::new("(?x)\n  a\\ b\n| c\n").unwrap());
    assert_eq!(
        describe(&verbose, &scope()),
        "no line matches /(?x) a\\ b | c/"
    );
}

#[test]
fn count_with_bounds_and_templates() {
    let doc = json!({"l": [1, 2, 3], "one": "x"});
    assert!(holds(
        &Predicate::Count(vec![bound("equals", json!(3))]),
        "$.l",
        &doc
    ));
    assert!(holds(
        &Predicate::Count(vec![bound("equals", json!(3))]),
        "$.l[*]",
        &doc
    ));
    assert!(holds(
        &Predicate::Count(vec![
            bound("gte", json!(1)),
            bound("lte", json!("{{vars.min}}"))
        ]),
        "$.l",
        &doc
    ));
    assert!(holds(
        &Predicate::Count(vec![bound("equals", json!(0))]),
        "$.absent",
        &doc
    ));
    assert!(holds(
        &Predicate::Count(vec![bound("equals", json!(1))]),
        "$.one",
        &doc
    ));
    let verdict = test(&Predicate::Count(vec![bound("gt", json!(5))]), "$.l", &doc).unwrap();
    assert_eq!(verdict.note, Some(Note::Count(3)));
}

#[test]
fn comparisons_need_numbers() {
    let doc = json!({"free": 12, "name": "x"});
    assert!(holds(
        &Predicate::Compare(bound("gt", json!(10))),
        "$.free",
        &doc
    ));
    assert!(holds(
        &Predicate::Compare(bound("gte", json!(12))),
        "$.free",
        &doc
    ));
    assert!(!holds(
        &Predicate::Compare(bound("lt", json!(12))),
        "$.free",
        &doc
    ));
    assert!(holds(
        &Predicate::Compare(bound("lte", json!("{{vars.min}}0"))),
        "$.free",
        &doc
    ));
    assert!(!holds(
        &Predicate::Compare(bound("gt", json!(1))),
        "$.absent",
        &doc
    ));
    assert_eq!(
        mismatch(&Predicate::Compare(bound("gt", json!(1))), "$.name", &doc),
        "a string"
    );
    assert!(
        invalid_operand(
            &Predicate::Compare(bound("gt", json!("abc"))),
            "$.free",
            &doc
        )
        .contains("must be a number")
    );
}

#[test]
fn quantifiers_over_elements() {
    let doc = json!({"subnets": [
        {"Id": "a", "Free": 10},
        {"Id": "b", "Free": 0}
    ]});
    let positive = || Predicate::Compare(bound("gt", json!(0)));
    assert!(!holds(
        &Predicate::All(nested("$.Free", positive())),
        "$.subnets",
        &doc
    ));
    let verdict = test(
        &Predicate::All(nested("$.Free", positive())),
        "$.subnets",
        &doc,
    )
    .unwrap();
    assert_eq!(
        verdict.note,
        Some(Note::Element {
            index: 1,
            value: json!({"Id": "b", "Free": 0})
        })
    );
    assert!(holds(
        &Predicate::Any(nested("$.Free", positive())),
        "$.subnets",
        &doc
    ));
    assert!(!holds(
        &Predicate::None(nested("$.Free", positive())),
        "$.subnets",
        &doc
    ));
    assert!(holds(
        &Predicate::All(nested("$.Free", positive())),
        "$.absent",
        &doc
    ));
    assert!(!holds(
        &Predicate::Any(nested("$.Free", positive())),
        "$.absent",
        &doc
    ));
    assert!(holds(
        &Predicate::None(nested("$", positive())),
        "$.absent",
        &doc
    ));
    // A type mismatch inside a quantifier is reported, not read as false.
    let strings = json!({"l": ["a"]});
    assert!(matches!(
        test(&Predicate::Any(nested("$", positive())), "$.l", &strings),
        Err(Undecided::TypeMismatch { .. })
    ));
}

#[test]
fn not_inverts_the_nested_predicate() {
    let doc = json!({"names": ["A"], "o": {"k": "v"}});
    assert!(holds(
        &Predicate::Not(nested("$", Predicate::Contains(value(json!("B"))))),
        "$.names",
        &doc
    ));
    assert!(!holds(
        &Predicate::Not(nested("$", Predicate::Contains(value(json!("A"))))),
        "$.names",
        &doc
    ));
    assert!(holds(
        &Predicate::Not(nested("$.k", Predicate::Equals(value(json!("w"))))),
        "$.o",
        &doc
    ));
}

#[test]
fn descriptions_render_operands() {
    let p = Predicate::Equals(value(json!("{{vars.vpc}}")));
    assert_eq!(describe(&p, &scope()), "equals \"vpc-1\"");
    let count = Predicate::Count(vec![bound("gte", json!(1)), bound("lte", json!(3))]);
    assert_eq!(describe(&count, &scope()), "count >= 1 and <= 3");
}

#[test]
fn comparisons_of_timestamps_compare_instants() {
    let doc = json!({"entry": "2026-01-02T03:04:05.123000+00:00", "name": "x"});
    let gt = |limit: &str| Predicate::Compare(bound("gt", json!(limit)));
    assert!(holds(&gt("2026-01-02T03:04:05+00:00"), "$.entry", &doc));
    assert!(!holds(&gt("2026-01-02T03:04:06+00:00"), "$.entry", &doc));
    // The same instant in another offset.
    assert!(!holds(
        &gt("2026-01-02T04:04:05.123+01:00"),
        "$.entry",
        &doc
    ));
    assert!(holds(
        &Predicate::Compare(bound("gte", json!("2026-01-02T04:04:05.123+01:00"))),
        "$.entry",
        &doc
    ));
    assert!(holds(
        &Predicate::Compare(bound("lt", json!("2026-01-02T03:04:05.124Z"))),
        "$.entry",
        &doc
    ));
    assert!(invalid_operand(&gt("yesterday"), "$.entry", &doc).contains("timestamp"));
    assert_eq!(
        mismatch(&gt("2026-01-02T03:04:05Z"), "$.name", &doc),
        "a string"
    );
}

fn alternative(on: Option<&str>, path: &str, predicate: Predicate) -> Alternative {
    Alternative {
        on: on.map(str::to_owned),
        path: JsonPath::parse(path).unwrap(),
        predicate,
    }
}

/// `any_of` or `all_of` of "$.a equals 1" and "$.b equals 2".
fn one_and_two(all: bool) -> Predicate {
    let alternatives = vec![
        alternative(None, "$.a", Predicate::Equals(value(json!(1)))),
        alternative(None, "$.b", Predicate::Equals(value(json!(2)))),
    ];
    if all {
        Predicate::AllOf(alternatives)
    } else {
        Predicate::AnyOf(alternatives)
    }
}

#[test]
fn any_of_and_all_of_decide_across_their_assertions() {
    let (any, all) = (one_and_two(false), one_and_two(true));
    let both = json!({"a": 1, "b": 2});
    let second = json!({"a": 0, "b": 2});
    let neither = json!({"a": 0, "b": 0});
    assert!(holds(&any, "$", &both) && holds(&any, "$", &second));
    assert!(holds(&all, "$", &both) && !holds(&all, "$", &second));
    assert_eq!(
        test(&any, "$", &neither).unwrap().note,
        Some(Note::NoAlternativeHolds { count: 2 })
    );
    match test(&all, "$", &json!({"a": 1, "b": 0})).unwrap().note {
        Some(Note::AlternativeFails {
            number, described, ..
        }) => assert_eq!((number, described.as_str()), (2, "$.b equals 2")),
        other => panic!("expected the second assertion to fail, got {other:?}"),
    }
    // An assertion naming a call tests that call's response from its root.
    let on_vars = Predicate::AnyOf(vec![alternative(
        Some("vars"),
        "$.vpc",
        Predicate::Equals(value(json!("vpc-1"))),
    )]);
    assert!(holds(&on_vars, "$", &neither));
    // A list of selected nodes is tested as one list.
    let first = Predicate::AllOf(vec![alternative(
        None,
        "$[0]",
        Predicate::Equals(value(json!("x"))),
    )]);
    assert!(holds(&first, "$.names[*]", &json!({"names": ["x", "y"]})));
    assert!(!holds(&first, "$.names[*]", &json!({"names": ["y", "x"]})));
    // A type mismatch decides only when no other assertion does.
    let mismatched = Predicate::AnyOf(vec![
        alternative(None, "$.a", Predicate::Compare(bound("gt", json!(1)))),
        alternative(None, "$.b", Predicate::Equals(value(json!(2)))),
    ]);
    assert!(holds(&mismatched, "$", &json!({"a": "text", "b": 2})));
    assert!(test(&mismatched, "$", &json!({"a": "text", "b": 0})).is_err());
}

#[test]
fn combined_and_nested_predicates_expose_what_they_read() {
    let nested_any = Predicate::Any(nested(
        "$.Key",
        Predicate::Matches(Pattern::new("^{{vars.vpc}}").unwrap()),
    ));
    let combined = Predicate::AllOf(vec![
        alternative(
            Some("cluster"),
            "$.a",
            Predicate::Equals(value(json!("{{vars.vpc}}"))),
        ),
        alternative(
            None,
            "$.b",
            Predicate::Not(nested("$.c", Predicate::Exists(true))),
        ),
        alternative(Some("nodes"), "$.d", nested_any.clone()),
    ]);
    assert!(combined.combines_assertions());
    assert!(!nested_any.combines_assertions());
    assert_eq!(combined.calls_read(), ["cluster", "nodes"]);
    assert!(nested_any.calls_read().is_empty());
    let deeper = Predicate::Not(nested("$", combined.clone()));
    assert_eq!(deeper.calls_read(), ["cluster", "nodes"]);
    assert_eq!(combined.operands().len(), 2);
    assert_eq!(nested_any.operands().len(), 1);
    let paths: Vec<&str> = combined.nested_paths().iter().map(|p| p.source()).collect();
    assert_eq!(paths, ["$.a", "$.b", "$.c", "$.d", "$.Key"]);
    assert_eq!(
        describe(&combined, &scope()),
        "all of: cluster $.a equals \"vpc-1\" & $.b not {$.c exists} & nodes $.d any {$.Key \
         matches /^vpc-1/}"
    );
    assert_eq!(
        describe(&one_and_two(false), &scope()),
        "any of: $.a equals 1 | $.b equals 2"
    );
    let pattern = Pattern::new("^x$").unwrap();
    assert_eq!(pattern.source(), "^x$");
    assert!(Predicate::Matches(pattern).operands().is_empty());
}

#[test]
fn a_failure_shows_the_first_items_of_a_long_list() {
    let long: Vec<Value> = (0..1000).map(Value::from).collect();
    let doc = json!({"list": long});
    let sample = |path: &str| {
        let selection = JsonPath::parse(path)
            .unwrap()
            .select(&doc, &scope())
            .unwrap();
        Subject::from(selection).sample()
    };
    let first: Vec<Value> = (0..64).map(Value::from).collect();
    assert_eq!(sample("$.list"), Some(Value::Array(first.clone())));
    assert_eq!(sample("$.list[*]"), Some(Value::Array(first)));
    assert_eq!(sample("$.list[3]"), Some(json!(3)));
    assert_eq!(sample("$.missing"), None);
}

#[test]
fn empty_applies_to_text_objects_and_lists() {
    let doc = json!({"s": "", "t": "x", "o": {}, "p": {"k": 1}, "l": []});
    for (path, is_empty) in [
        ("$.s", true),
        ("$.t", false),
        ("$.o", true),
        ("$.p", false),
        ("$.l", true),
        ("$.absent", true),
    ] {
        assert_eq!(
            holds(&Predicate::Empty(true), path, &doc),
            is_empty,
            "{path}"
        );
        assert_eq!(
            holds(&Predicate::Empty(false), path, &doc),
            !is_empty,
            "{path}"
        );
    }
}

#[test]
fn comparisons_keep_their_keywords() {
    for keyword in ["equals", "gt", "gte", "lt", "lte"] {
        assert_eq!(
            Comparison::of(Keyword::named(keyword).unwrap())
                .unwrap()
                .keyword()
                .name(),
            keyword
        );
    }
}

#[test]
fn not_with_a_path_refuses_a_list_of_nodes() {
    let not_b = Predicate::Not(nested("$.b", Predicate::Exists(true)));
    assert!(mismatch(&not_b, "$.list[*]", &json!({"list": [{"a": 1}]})).contains("list"));
    // Without a path, `not` tests the whole selection.
    let not_empty = Predicate::Not(nested("$", Predicate::Empty(true)));
    assert!(holds(&not_empty, "$.list[*]", &json!({"list": [1]})));
    assert!(!holds(&not_empty, "$.list[*]", &json!({"list": []})));
}

fn assertion(on: &str, path: &str, predicate: Predicate) -> Assertion {
    let file = SourceFile::new("s.yaml".into(), "expect: …".into());
    let location = Location::at_offset(&file, 0, 6);
    Assertion {
        on: on.to_owned(),
        on_location: location.clone(),
        on_written: true,
        path: JsonPath::parse(path).unwrap(),
        predicate,
        severity: None,
        location,
    }
}

#[test]
fn an_assertion_holds_fails_with_the_value_found_or_is_undecided() {
    let scope: Map<String, serde_json::Value> = json!({"cluster": {"status": "CREATING"}})
        .as_object()
        .unwrap()
        .clone();
    let equals = |v| Predicate::Equals(TemplatedValue::compile(&json!(v)).unwrap());
    let active = assertion("cluster", "$.status", equals("ACTIVE"));
    match check(&active, &scope) {
        Checked::Fails(failure) => {
            assert_eq!(failure.actual, Some(json!("CREATING")));
            assert_eq!(
                (failure.on.as_str(), failure.path.as_str()),
                ("cluster", "$.status")
            );
            assert_eq!(failure.expected, "equals \"ACTIVE\"");
        }
        other => panic!("expected a failure, got {other:?}"),
    }
    let creating = assertion("cluster", "$.status", equals("CREATING"));
    assert_eq!(check(&creating, &scope), Checked::Holds);
    let missing = assertion("nodes", "$", Predicate::Exists(true));
    assert!(matches!(
        check(&missing, &scope),
        Checked::Undecided(AssertionUndecided {
            problem: Undecided::NoResponse { .. },
            ..
        })
    ));
}

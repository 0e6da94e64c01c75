//! The generator on small models: what it refuses, and what it writes.

use serde_json::Value;

use crate::model::Service;
use serde_json::json;

/// A service `name` whose operation `Get` answers `Out { Item: <item> }`, with more shapes.
fn service_with(name: &'static str, item: Value, shapes: Value) -> Service {
    let mut all = serde_json::Map::new();
    all.insert(
        "Out".into(),
        json!({"type": "structure", "members": {"Item": {"shape": "Item"}}}),
    );
    all.insert("Item".into(), item);
    all.insert("String".into(), json!({"type": "string"}));
    if let Value::Object(shapes) = shapes {
        all.extend(shapes);
    }
    let model = json!({"operations": {"Get": {"output": {"shape": "Out"}}}, "shapes": all});
    Service::from_model(name, &model, &Value::Null, &["Get"]).unwrap()
}

fn problem(item: Value, shapes: Value) -> String {
    service_with("svc", item, shapes)
        .check_shapes()
        .expect_err("the generator must stop")
}

#[test]
fn shapes_the_converters_cannot_handle_stop_the_generator_by_name() {
    let union = problem(
        json!({"type": "structure", "union": true, "members": {"A": {"shape": "String"}}}),
        json!({}),
    );
    assert!(
        union.starts_with("svc:Get: its response holds `Item`, a union,"),
        "{union}"
    );
    assert!(
        problem(json!({"type": "structure", "document": true}), json!({})).contains("a document")
    );
    assert!(problem(json!({"type": "float"}), json!({})).contains("`Item`, a float"));
    let enum_keys = problem(
        json!({"type": "map", "key": {"shape": "Kind"}, "value": {"shape": "String"}}),
        json!({"Kind": {"type": "string", "enum": ["a", "b"]}}),
    );
    assert!(enum_keys.contains("keys are `Kind`"), "{enum_keys}");
    let recursive = problem(
        json!({"type": "structure", "members": {"Child": {"shape": "Item"}}}),
        json!({}),
    );
    assert!(recursive.contains("recursive"), "{recursive}");
    // What the converters handle passes: a blob in a response, a map with string keys.
    let fine = service_with(
        "svc",
        json!({"type": "map", "key": {"shape": "String"}, "value": {"shape": "Data"}}),
        json!({"Data": {"type": "blob"}}),
    );
    assert_eq!(fine.check_shapes(), Ok(()));
}

#[test]
fn only_iam_policy_documents_are_parsed() {
    let shapes = json!({"policyDocumentType": {"type": "string"}});
    let item = json!({"type": "structure", "members": {"Policy": {"shape": "policyDocumentType"}}});
    let iam = service_with("iam", item.clone(), shapes.clone())
        .aws_module("test")
        .unwrap();
    assert!(
        iam.contains("(\"Policy\", policy_document(&self.policy))"),
        "{iam}"
    );
    // A KMS key policy is JSON text too, but the CLI prints it as a string.
    let kms = service_with("kms", item, shapes)
        .aws_module("test")
        .unwrap();
    assert!(kms.contains("(\"Policy\", self.policy.to_cli())"), "{kms}");
    assert!(!kms.contains("policy_document"), "{kms}");
}

#[test]
fn operations_sharing_an_output_shape_each_get_a_converter() {
    let model = json!({
        "operations": {
            "DescribeA": {"output": {"shape": "Out"}},
            "DescribeB": {"output": {"shape": "Out"}},
        },
        "shapes": {
            "Out": {"type": "structure", "members": {"Name": {"shape": "String"}}},
            "String": {"type": "string"},
        },
    });
    let service =
        Service::from_model("svc", &model, &Value::Null, &["DescribeA", "DescribeB"]).unwrap();
    let module = service.aws_module("test").unwrap();
    for output in [
        "aws_sdk_svc::operation::describe_a::DescribeAOutput",
        "aws_sdk_svc::operation::describe_b::DescribeBOutput",
    ] {
        assert!(
            module.contains(&format!("impl ToCli for {output} {{")),
            "{module}"
        );
    }
    assert!(!module.contains("types::Out"), "{module}");
}

#[test]
fn pages_are_merged_on_response_members_only() {
    let model = json!({
        "operations": {"ListA": {"output": {"shape": "Out"}}},
        "shapes": {
            "Out": {"type": "structure", "members": {"Items": {"shape": "List"}}},
            "List": {"type": "list", "member": {"shape": "String"}},
            "String": {"type": "string"},
        },
    });
    let paginator = |key: &str| json!({"pagination": {"ListA": {"input_token": "NextToken", "result_key": key}}});
    assert!(Service::from_model("svc", &model, &paginator("Items"), &["ListA"]).is_ok());
    let nested = Service::from_model("svc", &model, &paginator("Page.Items"), &["ListA"])
        .err()
        .expect("a nested result key stops the generator");
    assert!(
        nested.starts_with("svc:ListA: the paginator's key `Page.Items`"),
        "{nested}"
    );
}

#[test]
fn members_the_cli_decodes_are_decoded_and_described() {
    let model = json!({
        "operations": {"GetConsoleOutput": {"output": {"shape": "GetConsoleOutputResult"}}},
        "shapes": {
            "GetConsoleOutputResult": {"type": "structure", "members": {
                "InstanceId": {"shape": "String"}, "Output": {"shape": "String"}}},
            "String": {"type": "string"},
        },
    });
    let ec2 = Service::from_model("ec2", &model, &Value::Null, &["GetConsoleOutput"]).unwrap();
    let module = ec2.aws_module("test").unwrap();
    assert!(
        module.contains("(\"Output\", console_output(&self.output))"),
        "{module}"
    );
    assert!(module.contains("(\"InstanceId\", self.instance_id.to_cli())"));
    assert!(
        ec2.output_summary(&ec2.operations[0])
            .contains("\"Output\", \"text: the console output, decoded from base64")
    );
    // The same member of another service's structure is the CLI's as it is.
    let other = Service::from_model("svc", &model, &Value::Null, &["GetConsoleOutput"]).unwrap();
    assert!(
        !other
            .aws_module("test")
            .unwrap()
            .contains("console_output(&")
    );
}

//! The helpers a template may call, besides handlebars' built-ins (`if`, `eq`, `len`, …).

use handlebars::{Handlebars, handlebars_helper};
use serde_json::Value;

handlebars_helper!(arn_name: |arn: str| arn_name_of(arn));
handlebars_helper!(arn_account: |arn: str| arn_field(arn, 4));
handlebars_helper!(arn_partition: |arn: str| arn_field(arn, 1));
handlebars_helper!(arn_region: |arn: str| arn_field(arn, 3));
handlebars_helper!(json: |value: Json| serde_json::to_string(value).unwrap_or_default());
handlebars_helper!(default: |value: Json, fallback: Json| {
    if value.is_null() { fallback.clone() } else { value.clone() }
});
handlebars_helper!(route_table_for_subnet: |tables: Json, subnet: str| {
    effective_route_table(tables, subnet).cloned().unwrap_or(Value::Null)
});

/// The route table that governs `subnet`: the one explicitly associated with it, else the
/// main table of its VPC (among `tables`, the `RouteTables` of `ec2:DescribeRouteTables`).
pub fn effective_route_table<'a>(tables: &'a Value, subnet: &str) -> Option<&'a Value> {
    let tables = tables.as_array()?;
    let associations = |table: &'a Value| table["Associations"].as_array().into_iter().flatten();
    tables
        .iter()
        .find(|table| associations(table).any(|a| a["SubnetId"].as_str() == Some(subnet)))
        .or_else(|| {
            tables
                .iter()
                .find(|table| associations(table).any(|a| a["Main"] == true))
        })
}

/// The last path segment of an ARN (`…:role/dev/my-role` → `my-role`), or the resource after the
/// last `:` when the ARN has no path.
pub fn arn_name_of(arn: &str) -> String {
    let resource = arn.splitn(6, ':').nth(5).unwrap_or(arn);
    resource
        .rsplit(['/', ':'])
        .next()
        .unwrap_or(resource)
        .to_owned()
}

fn arn_field(arn: &str, index: usize) -> String {
    arn.split(':').nth(index).unwrap_or_default().to_owned()
}

/// Helpers registered by ekscheck, with the names templates use.
pub const HELPER_NAMES: &[&str] = &[
    "arn_name",
    "arn_account",
    "arn_partition",
    "arn_region",
    "json",
    "default",
    "route_table_for_subnet",
];

/// Handlebars' own helpers that are safe and useful in checks.
pub const BUILTIN_HELPER_NAMES: &[&str] = &[
    "if", "unless", "each", "with", "lookup", "eq", "ne", "gt", "gte", "lt", "lte", "and", "or",
    "not", "len",
];

/// Registers ekscheck's helpers on `registry`.
pub fn register(registry: &mut Handlebars<'static>) {
    registry.register_helper("arn_name", Box::new(arn_name));
    registry.register_helper("arn_account", Box::new(arn_account));
    registry.register_helper("arn_partition", Box::new(arn_partition));
    registry.register_helper("arn_region", Box::new(arn_region));
    registry.register_helper("json", Box::new(json));
    registry.register_helper("default", Box::new(default));
    registry.register_helper("route_table_for_subnet", Box::new(route_table_for_subnet));
    // `log` and `raw` are built-ins that a check has no use for; `log` writes to the process log.
    registry.unregister_helper("log");
    registry.unregister_helper("raw");
}

/// Whether `name` is a helper a template may call.
pub fn is_helper(name: &str) -> bool {
    HELPER_NAMES.contains(&name) || BUILTIN_HELPER_NAMES.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_name_takes_the_last_path_segment() {
        assert_eq!(
            arn_name_of("arn:aws:iam::111122223333:role/dev/my-role"),
            "my-role"
        );
        assert_eq!(
            arn_name_of("arn:aws:iam::111122223333:role/my-role"),
            "my-role"
        );
        assert_eq!(
            arn_name_of("arn:aws:iam::111122223333:instance-profile/eks-abc"),
            "eks-abc"
        );
        assert_eq!(arn_name_of("plain-name"), "plain-name");
    }

    #[test]
    fn effective_route_table_prefers_explicit_association() {
        let tables = serde_json::json!([
            {"RouteTableId": "rtb-main", "Associations": [{"Main": true}]},
            {"RouteTableId": "rtb-a", "Associations": [{"Main": false, "SubnetId": "subnet-a"}]}
        ]);
        let id = |subnet| effective_route_table(&tables, subnet).map(|t| t["RouteTableId"].clone());
        assert_eq!(id("subnet-a"), Some("rtb-a".into()));
        assert_eq!(id("subnet-b"), Some("rtb-main".into()));
    }

    #[test]
    fn arn_fields() {
        let arn = "arn:aws-cn:eks:cn-north-1:111122223333:cluster/demo";
        assert_eq!(arn_field(arn, 1), "aws-cn");
        assert_eq!(arn_field(arn, 3), "cn-north-1");
        assert_eq!(arn_field(arn, 4), "111122223333");
    }
}

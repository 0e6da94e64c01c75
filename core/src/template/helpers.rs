//! The helpers a template may call, besides handlebars' built-ins (`if`, `eq`, `len`, …), and
//! what every helper takes, so that a wrong call is found when the pack is loaded.

use handlebars::{
    Context, Handlebars, Helper, HelperDef, RenderContext, RenderError, ScopedJson,
    handlebars_helper,
};
use serde_json::Value;

use crate::query::{self, Query, Selection};

handlebars_helper!(arn_name: |arn: str| arn_name_of(arn));
handlebars_helper!(arn_account: |arn: str| arn_field(arn, 4));
handlebars_helper!(arn_partition: |arn: str| arn_field(arn, 1));
handlebars_helper!(arn_region: |arn: str| arn_field(arn, 3));
handlebars_helper!(json: |value: Json| serde_json::to_string(value).unwrap_or_default());
handlebars_helper!(starts_with: |text: Json, prefix: str| {
    text.as_str().is_some_and(|text| text.starts_with(prefix))
});
handlebars_helper!(strip_prefix: |text: Json, prefix: str| match text {
    Value::String(text) => Value::from(text.strip_prefix(prefix).unwrap_or(text)),
    other => other.clone(),
});
handlebars_helper!(from_json: |text: Json| match text {
    Value::String(text) => serde_json::from_str(text).unwrap_or(Value::Null),
    _ => Value::Null,
});

/// `default VALUE FALLBACK`: the value, or the fallback when it is absent or null (strict mode
/// refuses an absent value anywhere else).
struct DefaultHelper;

impl HelperDef for DefaultHelper {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        helper: &Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc Context,
        _: &mut RenderContext<'reg, 'rc>,
    ) -> Result<ScopedJson<'rc>, RenderError> {
        let value = helper
            .param(0)
            .filter(|param| !param.is_value_missing() && !param.value().is_null())
            .or_else(|| helper.param(1))
            .map_or(Value::Null, |param| param.value().clone());
        Ok(ScopedJson::Derived(value))
    }
}
handlebars_helper!(route_table_for_subnet: |tables: Json, subnet: str| {
    effective_route_table(tables, subnet).cloned().unwrap_or(Value::Null)
});
handlebars_helper!(way_out: |table: Json, ip_family: Json| {
    way_out_of(table, ip_family.as_str() == Some("ipv6")).to_owned()
});
handlebars_helper!(select: |value: Json, path: str| select_all(value, path));
handlebars_helper!(unique: |value: Json| match value {
    Value::Array(items) => Value::Array(items.iter().enumerate()
        .filter(|(index, item)| !items[..*index].contains(item))
        .map(|(_, item)| item.clone())
        .collect()),
    other => other.clone(),
});
handlebars_helper!(concat: |first: Json, second: Json| {
    Value::Array(elements(first).chain(elements(second)).cloned().collect())
});
handlebars_helper!(endpoint_service: |region: str, service: str| {
    endpoint_service_name(region, service)
});
handlebars_helper!(minor_version: |version: Json| {
    minor_of(version).map_or(Value::Null, Value::from)
});
handlebars_helper!(version_skew: |control_plane: Json, node: Json| {
    match (minor_of(control_plane), minor_of(node)) {
        (Some(control_plane), Some(node)) => Value::from(control_plane - node),
        _ => Value::Null,
    }
});
handlebars_helper!(base64_decode: |encoded: Json| {
    encoded
        .as_str()
        .and_then(crate::json::decode_base64_text)
        .map_or(Value::Null, Value::String)
});
handlebars_helper!(user_data: |encoded: Json| match encoded {
    Value::String(text) => super::user_data::read(text),
    _ => Value::Null,
});
handlebars_helper!(lowercase: |text: Json| match text {
    Value::String(text) => Value::from(text.to_lowercase()),
    _ => Value::Null,
});
handlebars_helper!(capture: |text: Json, pattern: str| match text {
    Value::String(text) => first_capture(text, pattern).map_or(Value::Null, Value::from),
    _ => Value::Null,
});

/// What an argument of a helper must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Anything.
    Any,
    /// Text (a literal number, boolean or null is a mistake).
    Text,
    /// A literal string holding a JSONPath query.
    Path,
    /// A name (or an expression) whose value is read: a literal is a mistake.
    Name,
    /// A literal string holding a regular expression.
    Pattern,
}

/// What a helper takes: each argument's name (for messages) and kind.
#[derive(Debug)]
pub(crate) struct Signature {
    /// The helper's name.
    pub(crate) name: &'static str,
    /// Its arguments, in order.
    pub(crate) arguments: &'static [(&'static str, Kind)],
    /// Whether the last argument may be repeated (`and`, `or`).
    pub(crate) repeats: bool,
}

const fn signature(name: &'static str, arguments: &'static [(&'static str, Kind)]) -> Signature {
    Signature {
        name,
        arguments,
        repeats: false,
    }
}

const ARN: &[(&str, Kind)] = &[("the ARN", Kind::Text)];
const VALUE: &[(&str, Kind)] = &[("the value", Kind::Any)];
const TWO_VALUES: &[(&str, Kind)] = &[("a value", Kind::Any), ("another value", Kind::Any)];

/// Every helper a template may call: ekscheck's, then handlebars' own that are safe in checks.
pub(crate) const SIGNATURES: &[Signature] = &[
    signature("arn_name", ARN),
    signature("arn_account", ARN),
    signature("arn_partition", ARN),
    signature("arn_region", ARN),
    signature("json", VALUE),
    signature(
        "default",
        &[
            ("the value", Kind::Any),
            ("the value when it is absent or null", Kind::Any),
        ],
    ),
    signature("from_json", &[("JSON text", Kind::Any)]),
    signature(
        "starts_with",
        &[("the text", Kind::Any), ("the prefix", Kind::Text)],
    ),
    signature(
        "strip_prefix",
        &[("the text", Kind::Any), ("the prefix", Kind::Text)],
    ),
    signature(
        "route_table_for_subnet",
        &[
            ("the route tables (`RouteTables`)", Kind::Any),
            ("the subnet ID", Kind::Text),
        ],
    ),
    signature(
        "way_out",
        &[
            ("a route table", Kind::Any),
            ("the cluster's IP family", Kind::Any),
        ],
    ),
    signature(
        "select",
        &[("a value", Kind::Any), ("a JSONPath query", Kind::Path)],
    ),
    signature("unique", &[("a list", Kind::Any)]),
    signature(
        "concat",
        &[("a list or a value", Kind::Any), ("another", Kind::Any)],
    ),
    signature(
        "endpoint_service",
        &[
            ("the region", Kind::Text),
            ("the service, e.g. `ecr.api`", Kind::Text),
        ],
    ),
    signature("minor_version", &[("a Kubernetes version", Kind::Any)]),
    signature(
        "version_skew",
        &[
            ("the control plane's version", Kind::Any),
            ("the node's version", Kind::Any),
        ],
    ),
    signature("user_data", &[("the base64 user data", Kind::Any)]),
    signature("base64_decode", &[("base64 text", Kind::Any)]),
    signature("lowercase", &[("the text", Kind::Any)]),
    signature(
        "capture",
        &[
            ("the text", Kind::Any),
            ("a regular expression", Kind::Pattern),
        ],
    ),
    signature("if", &[("the condition", Kind::Any)]),
    signature("unless", &[("the condition", Kind::Any)]),
    signature("each", &[("the list or object", Kind::Name)]),
    signature("with", &[("the value", Kind::Name)]),
    signature(
        "lookup",
        &[("the object or list", Kind::Name), ("the key", Kind::Any)],
    ),
    signature("eq", TWO_VALUES),
    signature("ne", TWO_VALUES),
    signature("gt", TWO_VALUES),
    signature("gte", TWO_VALUES),
    signature("lt", TWO_VALUES),
    signature("lte", TWO_VALUES),
    Signature {
        name: "and",
        arguments: TWO_VALUES,
        repeats: true,
    },
    Signature {
        name: "or",
        arguments: TWO_VALUES,
        repeats: true,
    },
    signature("not", VALUE),
    signature("len", VALUE),
];

/// The signature of a helper a template may call.
pub(crate) fn signature_of(name: &str) -> Option<&'static Signature> {
    SIGNATURES.iter().find(|s| s.name == name)
}

/// Whether `name` is a helper a template may call.
pub(crate) fn is_helper(name: &str) -> bool {
    signature_of(name).is_some()
}

/// Registers ekscheck's helpers on `registry`.
pub(crate) fn register(registry: &mut Handlebars<'static>) {
    registry.register_helper("arn_name", Box::new(arn_name));
    registry.register_helper("arn_account", Box::new(arn_account));
    registry.register_helper("arn_partition", Box::new(arn_partition));
    registry.register_helper("arn_region", Box::new(arn_region));
    registry.register_helper("json", Box::new(json));
    registry.register_helper("default", Box::new(DefaultHelper));
    registry.register_helper("from_json", Box::new(from_json));
    registry.register_helper("starts_with", Box::new(starts_with));
    registry.register_helper("strip_prefix", Box::new(strip_prefix));
    registry.register_helper("route_table_for_subnet", Box::new(route_table_for_subnet));
    registry.register_helper("way_out", Box::new(way_out));
    registry.register_helper("select", Box::new(select));
    registry.register_helper("unique", Box::new(unique));
    registry.register_helper("concat", Box::new(concat));
    registry.register_helper("endpoint_service", Box::new(endpoint_service));
    registry.register_helper("minor_version", Box::new(minor_version));
    registry.register_helper("version_skew", Box::new(version_skew));
    registry.register_helper("user_data", Box::new(user_data));
    registry.register_helper("base64_decode", Box::new(base64_decode));
    registry.register_helper("lowercase", Box::new(lowercase));
    registry.register_helper("capture", Box::new(capture));
    // `log` and `raw` are built-ins that a check has no use for; `log` writes to the process log.
    registry.unregister_helper("log");
    registry.unregister_helper("raw");
}

/// The route table that governs `subnet`: the one explicitly associated with it, else the
/// main table of its VPC (among `tables`, the `RouteTables` of `ec2:DescribeRouteTables`).
pub(crate) fn effective_route_table<'a>(tables: &'a Value, subnet: &str) -> Option<&'a Value> {
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

/// How a subnet whose route table is `table` reaches the API server and AWS's regional
/// endpoints: `route`, an active IPv4 default route out of the VPC (to a NAT, internet, transit,
/// virtual private or carrier gateway, a peering, a network interface or instance, a Gateway Load
/// Balancer or Network Firewall endpoint, a Cloud WAN core network or an Outposts local gateway);
/// `ipv6-only`, in an IPv6 cluster, an active `::/0` route and no IPv4 one (EC2, ECR and STS
/// answer IPv4 only, so only a private cluster's VPC endpoints serve it); else `endpoints`, no way
/// out (a private cluster's VPC endpoints).
pub(crate) fn way_out_of(table: &Value, ipv6: bool) -> &'static str {
    let routes = || table["Routes"].as_array().into_iter().flatten();
    let active = |route: &&Value| route["State"] == "active";
    let gateway = |route: &Value, prefixes: &[&str]| {
        route["GatewayId"]
            .as_str()
            .is_some_and(|id| prefixes.iter().any(|prefix| id.starts_with(prefix)))
    };
    let hop = |route: &Value| {
        gateway(route, &["igw-", "vgw-", "vpce-"])
            || [
                "NatGatewayId",
                "TransitGatewayId",
                "VpcPeeringConnectionId",
                "NetworkInterfaceId",
                "InstanceId",
                "CoreNetworkArn",
                "LocalGatewayId",
                "CarrierGatewayId",
            ]
            .iter()
            .any(|target| route[target].is_string())
    };
    if routes()
        .filter(active)
        .any(|route| route["DestinationCidrBlock"] == "0.0.0.0/0" && hop(route))
    {
        "route"
    } else if ipv6
        && routes()
            .filter(active)
            .any(|route| route["DestinationIpv6CidrBlock"] == "::/0")
    {
        "ipv6-only"
    } else {
        "endpoints"
    }
}

/// The last path segment of an ARN (`…:role/dev/my-role` → `my-role`), or the resource after the
/// last `:` when the ARN has no path.
pub(crate) fn arn_name_of(arn: &str) -> String {
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

/// What the first match of `pattern` in `text` captures in its first group (the whole match
/// when it has no group); `None` when it does not match (the pattern was checked at load time).
fn first_capture(text: &str, pattern: &str) -> Option<String> {
    let captures = crate::memo::pattern(pattern).ok()?.captures(text)?;
    captures
        .get(1)
        .or_else(|| captures.get(0))
        .map(|found| found.as_str().to_owned())
}

/// The elements of a list, or a value as one element (`null`: none).
fn elements(value: &Value) -> impl Iterator<Item = &Value> {
    match value {
        Value::Array(items) => items.iter().collect::<Vec<_>>().into_iter(),
        Value::Null => Vec::new().into_iter(),
        one => vec![one].into_iter(),
    }
}

/// Every node `path` selects in `value`, as a list (the query was checked at load time).
fn select_all(value: &Value, path: &str) -> Value {
    match Query::parse(&query::normalize(path)).map(|query| query.select(value).ok()) {
        Ok(Some(Selection::Nodes(nodes))) => Value::Array(nodes.into_iter().cloned().collect()),
        Ok(Some(Selection::Node(Some(node)))) => Value::Array(vec![node.clone()]),
        _ => Value::Array(Vec::new()),
    }
}

/// The name of a VPC endpoint service in the partition of `region`, as eksctl names them:
/// `com.amazonaws.REGION.SERVICE`, except where a partition gives a service a prefix of its own
/// (China: `cn.com.amazonaws` for ec2, ecr, sts and cloudformation; the ISO partitions for
/// ec2, ecr and autoscaling, or for ecr and ebs only).
pub(crate) fn endpoint_service_name(region: &str, service: &str) -> String {
    let china = ["ec2", "ecr.api", "ecr.dkr", "sts", "cloudformation"];
    let iso = ["ec2", "ecr.api", "ecr.dkr", "autoscaling"];
    let iso_alt = ["ebs", "ecr.api", "ecr.dkr", "execute-api"];
    let prefix = if region.starts_with("cn-") && china.contains(&service) {
        "cn.com.amazonaws"
    } else if region.starts_with("us-isob-") && iso.contains(&service) {
        "gov.sgov.sc2s"
    } else if region.starts_with("us-iso-") && iso.contains(&service) {
        "gov.ic.c2s"
    } else if region.starts_with("eu-isoe-") && iso_alt.contains(&service) {
        "uk.adc-e.cloud"
    } else if region.starts_with("us-isof-") && iso_alt.contains(&service) {
        "gov.ic.hci.csp"
    } else {
        "com.amazonaws"
    };
    format!("{prefix}.{region}.{service}")
}

/// The minor number of a Kubernetes version (`"1.31"` → 31; a number `1.3` as YAML reads an
/// unquoted `1.30` is refused, as it is ambiguous).
pub(crate) fn minor_of(version: &Value) -> Option<i64> {
    let text = version.as_str()?;
    let mut parts = text.trim().trim_start_matches('v').split('.');
    let (major, minor) = (parts.next()?, parts.next()?);
    (major == "1").then_some(())?;
    minor.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

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
        let tables = json!([
            {"RouteTableId": "rtb-main", "Associations": [{"Main": true}]},
            {"RouteTableId": "rtb-a", "Associations": [{"Main": false, "SubnetId": "subnet-a"}]}
        ]);
        let id = |subnet| effective_route_table(&tables, subnet).map(|t| t["RouteTableId"].clone());
        assert_eq!(id("subnet-a"), Some("rtb-a".into()));
        assert_eq!(id("subnet-b"), Some("rtb-main".into()));
    }

    #[test]
    fn a_way_out_needs_an_active_ipv4_default_route_even_in_ipv6_clusters() {
        let table = |routes: Value| json!({"RouteTableId": "rtb-1", "Routes": routes});
        let local =
            json!({"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"});
        let nat = json!({"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1", "State": "active"});
        let eigw = json!({"DestinationIpv6CidrBlock": "::/0", "EgressOnlyInternetGatewayId": "eigw-1", "State": "active"});
        assert_eq!(way_out_of(&table(json!([local, nat])), false), "route");
        assert_eq!(way_out_of(&table(json!([local, nat, eigw])), true), "route");
        assert_eq!(way_out_of(&table(json!([local, eigw])), true), "ipv6-only");
        assert_eq!(
            way_out_of(&table(json!([local, eigw])), false),
            "endpoints",
            "an IPv4 cluster's nodes do not go out over IPv6"
        );
        let blackhole = json!({"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1", "State": "blackhole"});
        assert_eq!(
            way_out_of(&table(json!([local, blackhole])), false),
            "endpoints"
        );
        for target in [
            json!({"GatewayId": "igw-1"}),
            json!({"GatewayId": "vgw-1"}),
            json!({"GatewayId": "vpce-0firewall"}),
            json!({"TransitGatewayId": "tgw-1"}),
            json!({"VpcPeeringConnectionId": "pcx-1"}),
            json!({"NetworkInterfaceId": "eni-1"}),
            json!({"InstanceId": "i-1"}),
            json!({"CoreNetworkArn": "arn:aws:networkmanager::1:core-network/core-network-1"}),
            json!({"LocalGatewayId": "lgw-1"}),
            json!({"CarrierGatewayId": "cagw-1"}),
        ] {
            let mut route = json!({"DestinationCidrBlock": "0.0.0.0/0", "State": "active"});
            route
                .as_object_mut()
                .unwrap()
                .extend(target.as_object().unwrap().clone());
            assert_eq!(
                way_out_of(&table(json!([route])), false),
                "route",
                "{target}"
            );
        }
        let to_local =
            json!({"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": "local", "State": "active"});
        assert_eq!(way_out_of(&table(json!([to_local])), false), "endpoints");
        assert_eq!(
            way_out_of(&Value::Null, true),
            "endpoints",
            "no route table"
        );
    }

    #[test]
    fn arn_fields() {
        let arn = "arn:aws-cn:eks:cn-north-1:111122223333:cluster/demo";
        assert_eq!(arn_field(arn, 1), "aws-cn");
        assert_eq!(arn_field(arn, 3), "cn-north-1");
        assert_eq!(arn_field(arn, 4), "111122223333");
    }

    #[test]
    fn select_lists_what_a_path_selects() {
        let value = json!({"Groups": [{"GroupId": "sg-1"}, {"GroupId": "sg-2"}], "Id": "x"});
        assert_eq!(
            select_all(&value, "$.Groups[*].GroupId"),
            json!(["sg-1", "sg-2"])
        );
        assert_eq!(select_all(&value, "$.Id"), json!(["x"]));
        assert_eq!(select_all(&value, "$.Nothing"), json!([]));
    }

    #[test]
    fn concat_joins_lists_and_values() {
        let joined = |a: Value, b: Value| {
            let registry = {
                let mut registry = Handlebars::new();
                registry.register_escape_fn(handlebars::no_escape);
                register(&mut registry);
                registry
            };
            registry
                .render_template("{{json (concat a b)}}", &json!({"a": a, "b": b}))
                .unwrap()
        };
        assert_eq!(joined(json!(["x", "y"]), json!(["z"])), r#"["x","y","z"]"#);
        assert_eq!(joined(json!("x"), json!(["y"])), r#"["x","y"]"#);
        assert_eq!(joined(json!(null), json!("y")), r#"["y"]"#);
        assert_eq!(joined(json!([]), json!(null)), "[]");
    }

    #[test]
    fn endpoint_service_names_follow_the_partition() {
        let name = endpoint_service_name;
        assert_eq!(
            name("eu-west-2", "ecr.dkr"),
            "com.amazonaws.eu-west-2.ecr.dkr"
        );
        assert_eq!(
            name("us-gov-west-1", "ec2"),
            "com.amazonaws.us-gov-west-1.ec2"
        );
        assert_eq!(name("cn-north-1", "ec2"), "cn.com.amazonaws.cn-north-1.ec2");
        assert_eq!(name("cn-north-1", "sts"), "cn.com.amazonaws.cn-north-1.sts");
        assert_eq!(name("cn-north-1", "s3"), "com.amazonaws.cn-north-1.s3");
        assert_eq!(
            name("us-iso-east-1", "ecr.api"),
            "gov.ic.c2s.us-iso-east-1.ecr.api"
        );
        assert_eq!(
            name("us-iso-east-1", "sts"),
            "com.amazonaws.us-iso-east-1.sts"
        );
        assert_eq!(
            name("us-isob-east-1", "ec2"),
            "gov.sgov.sc2s.us-isob-east-1.ec2"
        );
        assert_eq!(
            name("eu-isoe-west-1", "ec2"),
            "com.amazonaws.eu-isoe-west-1.ec2"
        );
        assert_eq!(
            name("eu-isoe-west-1", "ecr.dkr"),
            "uk.adc-e.cloud.eu-isoe-west-1.ecr.dkr"
        );
        assert_eq!(
            name("us-isof-south-1", "ecr.api"),
            "gov.ic.hci.csp.us-isof-south-1.ecr.api"
        );
    }

    #[test]
    fn kubernetes_versions() {
        assert_eq!(minor_of(&json!("1.31")), Some(31));
        assert_eq!(minor_of(&json!("v1.28.3")), Some(28));
        assert_eq!(minor_of(&json!(1.3)), None);
        assert_eq!(minor_of(&json!("2.1")), None);
    }
}

//! VPC Block Public Access, which moto does not implement: the region's mode and its exclusions,
//! answered as EC2 writes them (`ec2:DescribeVpcBlockPublicAccessOptions`,
//! `ec2:DescribeVpcBlockPublicAccessExclusions`).

use serde_json::Value;

use super::http::Message;
use super::{REGION, query};

/// The account the emulator answers as.
const ACCOUNT: &str = "123456789012";

/// The answer to `action` in a region whose mode is `mode` (`off`, `block-bidirectional`,
/// `block-ingress`), with `exclusions` (`VpcBlockPublicAccessExclusion` objects).
pub(super) fn answer(action: &str, mode: &str, exclusions: &[Value]) -> Message {
    let (operation, result) = match action {
        "ec2:DescribeVpcBlockPublicAccessOptions" => {
            let state = if mode == "off" {
                "default-state"
            } else {
                "update-complete"
            };
            (
                "DescribeVpcBlockPublicAccessOptions",
                format!(
                    "<vpcBlockPublicAccessOptions><awsAccountId>{ACCOUNT}</awsAccountId>\
                     <awsRegion>{REGION}</awsRegion><state>{state}</state>\
                     <internetGatewayBlockMode>{mode}</internetGatewayBlockMode>\
                     <managedBy>account</managedBy><exclusionsAllowed>allowed</exclusionsAllowed>\
                     </vpcBlockPublicAccessOptions>"
                ),
            )
        }
        _ => (
            "DescribeVpcBlockPublicAccessExclusions",
            format!(
                "<vpcBlockPublicAccessExclusionSet>{}</vpcBlockPublicAccessExclusionSet>",
                exclusions
                    .iter()
                    .map(|exclusion| format!("<item>{}</item>", members(exclusion)))
                    .collect::<String>()
            ),
        ),
    };
    let body = format!(
        "<{operation}Response xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\
         <requestId>fixture</requestId>{result}</{operation}Response>"
    );
    Message::response(200, &[("Content-Type", "text/xml")], body.into_bytes())
}

/// An exclusion's members as EC2 names them on the wire (`ExclusionId` → `exclusionId`).
fn members(exclusion: &Value) -> String {
    let wire = |name: &str| {
        let mut chars = name.chars();
        chars
            .next()
            .map(|first| first.to_ascii_lowercase().to_string() + chars.as_str())
            .unwrap_or_default()
    };
    exclusion
        .as_object()
        .into_iter()
        .flatten()
        .map(|(name, value)| {
            let text = value
                .as_str()
                .map(str::to_owned)
                .unwrap_or(value.to_string());
            format!("<{0}>{1}</{0}>", wire(name), query::escape(&text))
        })
        .collect()
}

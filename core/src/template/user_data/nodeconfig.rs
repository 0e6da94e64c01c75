//! AL2023's NodeConfig (`node.eks.aws/v1alpha1`): nodeadm reads every NodeConfig document of the
//! user data and merges them in order, a later value overriding an earlier one.

use serde_json::Value;

use super::Bootstrap;

/// Whether a document holds a NodeConfig without saying so in a content type.
pub(super) fn is_nodeconfig(text: &str) -> bool {
    text.lines()
        .any(|line| line.trim() == "kind: NodeConfig" || line.trim() == "\"kind\": \"NodeConfig\"")
}

/// The cluster of each NodeConfig document of a YAML stream.
pub(super) fn read(text: &str) -> Vec<Bootstrap> {
    let documents: Vec<Value> = serde_saphyr::from_multiple(text).unwrap_or_default();
    documents
        .iter()
        .filter(|document| document["kind"] == "NodeConfig")
        .map(|document| {
            let cluster = &document["spec"]["cluster"];
            let field = |name: &str| cluster[name].as_str().map(str::to_owned);
            Bootstrap {
                cluster: field("name"),
                apiserver_endpoint: field("apiServerEndpoint"),
                b64_cluster_ca: field("certificateAuthority"),
                cidr: field("cidr"),
                ..Bootstrap::new("nodeadm")
            }
        })
        .collect()
}

/// The configuration nodeadm runs with: the documents merged in order (`None` without any).
pub(super) fn merge(documents: Vec<Bootstrap>) -> Option<Bootstrap> {
    documents.into_iter().reduce(|mut merged, later| {
        let overrides = |earlier: &mut Option<String>, later: Option<String>| {
            if let Some(value) = later.filter(|v| !v.is_empty()) {
                *earlier = Some(value);
            }
        };
        overrides(&mut merged.cluster, later.cluster);
        overrides(&mut merged.apiserver_endpoint, later.apiserver_endpoint);
        overrides(&mut merged.b64_cluster_ca, later.b64_cluster_ca);
        overrides(&mut merged.cidr, later.cidr);
        merged
    })
}

//! The Windows bootstrap, `Start-EKSBootstrap.ps1`, from PowerShell or from a batch script that
//! calls PowerShell.

use serde_json::Value;

use super::Bootstrap;
use super::shell::words;

/// `Start-EKSBootstrap.ps1 -EKSClusterName … -APIServerEndpoint … -Base64ClusterCA …`.
pub(super) fn bootstraps(script: &str) -> Vec<Bootstrap> {
    let joined = script.replace("`\r\n", " ").replace("`\n", " ");
    joined
        .lines()
        .filter(|line| {
            line.to_ascii_lowercase().contains("-eksclustername")
                && (line.contains("Start-EKSBootstrap.ps1")
                    || line.contains("EKSBootstrapScriptFile"))
        })
        .map(|line| {
            let words = words(line);
            let value = |flag: &str| {
                words
                    .iter()
                    .position(|w| w.eq_ignore_ascii_case(flag))
                    .and_then(|i| words.get(i + 1))
                    .filter(|v| !v.starts_with('$'))
                    .cloned()
            };
            Bootstrap {
                cluster: value("-EKSClusterName"),
                apiserver_endpoint: value("-APIServerEndpoint"),
                b64_cluster_ca: value("-Base64ClusterCA"),
                dns_cluster_ip: value("-DNSClusterIP").map(Value::from),
                ..Bootstrap::new("windows")
            }
        })
        .collect()
}

//! Reading EC2 user data (base64, as a launch template holds it) for what decides whether a node
//! joins: its format (MIME multi-part, shell script, cloud-config, NodeConfig, Bottlerocket TOML,
//! PowerShell, batch) and every bootstrap it runs, with the cluster name, API server endpoint, CA
//! and service CIDR it passes, as the programs that read it at boot do (cloud-init, nodeadm,
//! Bottlerocket, EC2Launch).
//!
//! The result is JSON, so that checks assert on it with paths:
//!
//! ```json
//! {"format": "mime",
//!  "parts": [{"content_type": "application/node.eks.aws", "format": "nodeconfig"}],
//!  "bootstraps": [{"tool": "nodeadm", "cluster": "demo", "apiserver_endpoint": "https://…",
//!                  "b64_cluster_ca": "LS0t…", "cidr": "10.100.0.0/16"}],
//!  "toml_unsupported": []}
//! ```
//!
//! `format` is one of `mime`, `shell`, `cloud-config`, `nodeconfig`, `toml`, `powershell`,
//! `batch`, `gzip` (compressed data that does not decompress), `empty`, `not-base64` or `other`;
//! `compression` is `gzip` when the whole user data was compressed (and read decompressed).
//! `tool` is one of `bootstrap.sh` (Amazon Linux 2, from shell scripts and cloud-config's
//! `bootcmd` and `runcmd`), `nodeadm` (AL2023: every NodeConfig document merged, as nodeadm
//! merges them), `bottlerocket` and `windows` (`Start-EKSBootstrap.ps1`). An endpoint is given in
//! lowercase without a trailing `/` (host names are case-insensitive), a CIDR in its canonical
//! form. A value the user data computes at boot (a shell variable it does not set) is left out
//! rather than guessed. `toml_unsupported` lists the valid TOML that EKS documents it cannot
//! merge into a Bottlerocket node's settings, or why the TOML is not valid.

mod bottlerocket;
mod nodeconfig;
mod shell;
mod windows;

use std::io::Read;
use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

/// The most a compressed document may inflate to. Launch templates hold at most 16 KB of user
/// data; this leaves room for any real document and none for a decompression bomb.
const MAX_INFLATED: u64 = 1 << 20;

/// How deep MIME multi-part documents may nest.
const MAX_NESTING: usize = 4;

/// Reads base64 user data.
pub(super) fn read(encoded: &str) -> Value {
    let compact: String = encoded.chars().filter(|c| !c.is_whitespace()).collect();
    let mut findings = Findings::default();
    if compact.is_empty() {
        return findings.summary("empty", None);
    }
    let Ok(bytes) = STANDARD.decode(compact.as_bytes()) else {
        return findings.summary("not-base64", None);
    };
    let (bytes, compression) = match inflate(bytes) {
        Inflated::Plain(bytes) => (bytes, None),
        Inflated::Gzip(bytes) => (bytes, Some("gzip")),
        Inflated::Broken => return findings.summary("gzip", None),
    };
    let text = String::from_utf8_lossy(&bytes);
    let format = match split_headers(&text).and_then(|(headers, body)| {
        let content_type = header(&headers, "content-type")?;
        is_multipart(&content_type).then_some((content_type, body))
    }) {
        Some((content_type, body)) => {
            findings.multipart(&content_type, body, 0);
            "mime"
        }
        None => findings.document(None, &text),
    };
    findings.summary(format, compression)
}

/// A bootstrap found: the tool and the values it was given (only those known before boot).
#[derive(Debug, Default)]
struct Bootstrap {
    tool: &'static str,
    cluster: Option<String>,
    apiserver_endpoint: Option<String>,
    b64_cluster_ca: Option<String>,
    cidr: Option<String>,
    /// An address (bootstrap.sh, Windows) or a list of them (Bottlerocket).
    dns_cluster_ip: Option<Value>,
}

impl Bootstrap {
    fn new(tool: &'static str) -> Self {
        Self {
            tool,
            ..Self::default()
        }
    }

    fn to_json(&self) -> Value {
        let mut entry = Map::new();
        entry.insert("tool".into(), self.tool.into());
        let texts = [
            ("cluster", self.cluster.clone()),
            (
                "apiserver_endpoint",
                self.apiserver_endpoint.as_deref().map(normal_endpoint),
            ),
            ("b64_cluster_ca", self.b64_cluster_ca.clone()),
            ("cidr", self.cidr.as_deref().map(normal_cidr)),
        ];
        for (key, value) in texts {
            if let Some(value) = value.filter(|v| !v.is_empty()) {
                entry.insert(key.into(), value.into());
            }
        }
        if let Some(ip) = &self.dns_cluster_ip {
            entry.insert("dns_cluster_ip".into(), ip.clone());
        }
        Value::Object(entry)
    }
}

/// An endpoint as the cluster gives it: scheme and host are case-insensitive, and a trailing `/`
/// names the same endpoint.
fn normal_endpoint(endpoint: &str) -> String {
    endpoint.trim_end_matches('/').to_ascii_lowercase()
}

/// A CIDR in its canonical form (`FD30:0:0::/108` → `fd30::/108`), or as written when it is not
/// one.
fn normal_cidr(cidr: &str) -> String {
    cidr.split_once('/')
        .and_then(|(address, prefix)| {
            let address: IpAddr = address.trim().parse().ok()?;
            let prefix: u8 = prefix.trim().parse().ok()?;
            Some(format!("{address}/{prefix}"))
        })
        .unwrap_or_else(|| cidr.to_owned())
}

/// What the documents of the user data hold, gathered as they are read.
#[derive(Default)]
struct Findings {
    parts: Vec<Value>,
    bootstraps: Vec<Bootstrap>,
    /// The NodeConfig documents, in order: nodeadm merges them into one configuration.
    nodeconfigs: Vec<Bootstrap>,
    toml_unsupported: Vec<String>,
}

impl Findings {
    fn summary(self, format: &str, compression: Option<&str>) -> Value {
        let mut bootstraps: Vec<Value> = self.bootstraps.iter().map(Bootstrap::to_json).collect();
        if let Some(merged) = nodeconfig::merge(self.nodeconfigs) {
            bootstraps.push(merged.to_json());
        }
        let mut summary = json!({
            "format": format,
            "parts": self.parts,
            "bootstraps": bootstraps,
            "toml_unsupported": self.toml_unsupported,
        });
        if let Some(compression) = compression {
            summary["compression"] = compression.into();
        }
        summary
    }

    /// Reads one document (the whole user data, or a part of it) and returns its format.
    fn document(&mut self, content_type: Option<&str>, text: &str) -> &'static str {
        let format = format_of(content_type, text);
        match format {
            "nodeconfig" => self.nodeconfigs.extend(nodeconfig::read(text)),
            "cloud-config" => self.bootstraps.extend(shell::cloud_config_bootstraps(text)),
            "shell" => self.bootstraps.extend(shell::bootstraps(text)),
            "toml" => {
                let settings = bottlerocket::read(text);
                self.bootstraps.extend(settings.bootstrap);
                self.toml_unsupported.extend(settings.unsupported);
            }
            "powershell" | "batch" => self.bootstraps.extend(windows::bootstraps(text)),
            _ => {}
        }
        format
    }

    /// Reads the parts of a multi-part body whose content type is `content_type`.
    fn multipart(&mut self, content_type: &str, body: &str, depth: usize) {
        let Some(boundary) = parameter(content_type, "boundary") else {
            return;
        };
        let delimiter = format!("--{boundary}");
        for chunk in body.split(delimiter.as_str()).skip(1) {
            if chunk.starts_with("--") {
                break;
            }
            let chunk = chunk.trim_start_matches(['\r', '\n']);
            let (headers, content) = split_headers(chunk).unwrap_or((Vec::new(), chunk));
            let part_type = header(&headers, "content-type");
            let base64 = header(&headers, "content-transfer-encoding")
                .is_some_and(|e| e.eq_ignore_ascii_case("base64"));
            let bytes = if base64 {
                let compact: String = content.chars().filter(|c| !c.is_whitespace()).collect();
                STANDARD.decode(compact.as_bytes()).unwrap_or_default()
            } else {
                content.as_bytes().to_vec()
            };
            let text = match inflate(bytes) {
                Inflated::Plain(bytes) | Inflated::Gzip(bytes) => {
                    String::from_utf8_lossy(&bytes).into_owned()
                }
                Inflated::Broken => String::new(),
            };
            let format = match part_type.as_deref() {
                Some(nested) if is_multipart(nested) => {
                    if depth < MAX_NESTING {
                        self.multipart(nested, &text, depth + 1);
                    }
                    "mime"
                }
                other => self.document(other, &text),
            };
            let mut entry = Map::new();
            if let Some(content_type) = part_type {
                entry.insert("content_type".into(), content_type.into());
            }
            entry.insert("format".into(), format.into());
            self.parts.push(Value::Object(entry));
        }
    }
}

/// What a document is, from its content type or its first line.
fn format_of(content_type: Option<&str>, text: &str) -> &'static str {
    let content_type = content_type.unwrap_or_default().to_ascii_lowercase();
    let start = text.trim_start();
    let starts = |prefix: &str| {
        start
            .get(..prefix.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
    };
    if content_type.starts_with("application/node.eks.aws") || nodeconfig::is_nodeconfig(text) {
        "nodeconfig"
    } else if content_type.contains("cloud-config") || starts("#cloud-config") {
        "cloud-config"
    } else if content_type.contains("boothook") || starts("#cloud-boothook") {
        "shell"
    } else if starts("<powershell>") {
        "powershell"
    } else if starts("<script>") {
        "batch"
    } else if content_type.contains("shellscript") || starts("#!") {
        "shell"
    } else if content_type.contains("toml") || bottlerocket::is_settings(text) {
        "toml"
    } else {
        "other"
    }
}

/// Compressed data, decompressed (as cloud-init and nodeadm do), or the data as it is.
pub(crate) enum Inflated {
    Plain(Vec<u8>),
    Gzip(Vec<u8>),
    /// gzip that does not decompress, or would grow past `MAX_INFLATED`.
    Broken,
}

pub(crate) fn inflate(bytes: Vec<u8>) -> Inflated {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Inflated::Plain(bytes);
    }
    let mut inflated = Vec::new();
    let decoder = flate2::read::GzDecoder::new(bytes.as_slice());
    match decoder.take(MAX_INFLATED + 1).read_to_end(&mut inflated) {
        Ok(size) if (size as u64) <= MAX_INFLATED => Inflated::Gzip(inflated),
        _ => Inflated::Broken,
    }
}

fn is_multipart(content_type: &str) -> bool {
    content_type.to_ascii_lowercase().starts_with("multipart/")
}

/// The header lines of a message and what follows the blank line after them.
fn split_headers(text: &str) -> Option<(Vec<(String, String)>, &str)> {
    let end = text
        .find("\r\n\r\n")
        .map(|i| (i, 4))
        .or_else(|| text.find("\n\n").map(|i| (i, 2)))?;
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in text[..end.0].lines() {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        } else {
            return None;
        }
    }
    Some((headers, &text[end.0 + end.1..]))
}

fn header(headers: &[(String, String)], name: &str) -> Option<String> {
    headers
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.clone())
}

/// A parameter of a header value: `boundary` in `multipart/mixed; boundary="==B=="`.
fn parameter(value: &str, name: &str) -> Option<String> {
    value.split(';').skip(1).find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().trim_matches('"').to_owned())
    })
}

#[cfg(test)]
mod tests;

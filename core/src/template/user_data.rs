//! Reading EC2 user data (base64, as a launch template holds it) for what decides whether a node
//! joins: its format (MIME multi-part, shell script, NodeConfig, Bottlerocket TOML, PowerShell)
//! and every bootstrap it runs, with the cluster name, API server endpoint and CA it passes.
//!
//! The result is JSON, so that checks assert on it with paths:
//!
//! ```json
//! {"format": "mime",
//!  "parts": [{"content_type": "application/node.eks.aws", "format": "nodeconfig"}],
//!  "bootstraps": [{"tool": "nodeadm", "cluster": "demo", "apiserver_endpoint": "https://…",
//!                  "b64_cluster_ca": "LS0t…", "cidr": "10.100.0.0/16"}]}
//! ```
//!
//! `format` is one of `mime`, `shell`, `cloud-config`, `nodeconfig`, `toml`, `powershell`,
//! `gzip`, `empty`, `not-base64` or `other`; `tool` one of `bootstrap.sh` (Amazon Linux 2),
//! `nodeadm` (AL2023's NodeConfig), `bottlerocket` and `windows` (`Start-EKSBootstrap.ps1`).
//! A value the user data computes at boot (a shell variable it does not set) is left out rather
//! than guessed.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

/// Reads base64 user data.
pub(super) fn read(encoded: &str) -> Value {
    let compact: String = encoded.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return summary("empty", Vec::new(), Vec::new());
    }
    let Ok(bytes) = STANDARD.decode(compact.as_bytes()) else {
        return summary("not-base64", Vec::new(), Vec::new());
    };
    if bytes.starts_with(&[0x1f, 0x8b]) {
        return summary("gzip", Vec::new(), Vec::new());
    }
    let text = String::from_utf8_lossy(&bytes);
    match mime_parts(&text) {
        Some(parts) => {
            let mut shown = Vec::new();
            let mut bootstraps = Vec::new();
            for part in parts {
                let format = part_format(part.content_type.as_deref(), &part.body);
                bootstraps.extend(bootstraps_in(format, &part.body));
                let mut entry = Map::new();
                if let Some(content_type) = part.content_type {
                    entry.insert("content_type".into(), content_type.into());
                }
                entry.insert("format".into(), format.into());
                shown.push(Value::Object(entry));
            }
            summary("mime", shown, bootstraps)
        }
        None => {
            let format = part_format(None, &text);
            summary(format, Vec::new(), bootstraps_in(format, &text))
        }
    }
}

fn summary(format: &str, parts: Vec<Value>, bootstraps: Vec<Value>) -> Value {
    json!({"format": format, "parts": parts, "bootstraps": bootstraps})
}

/// One part of a MIME multi-part document.
struct Part {
    content_type: Option<String>,
    body: String,
}

/// The parts of a MIME multi-part document, or `None` when the text is not one.
fn mime_parts(text: &str) -> Option<Vec<Part>> {
    let (headers, body) = split_headers(text)?;
    let content_type = header(&headers, "content-type")?;
    if !content_type.to_ascii_lowercase().starts_with("multipart/") {
        return None;
    }
    let boundary = parameter(&content_type, "boundary")?;
    let delimiter = format!("--{boundary}");
    let mut parts = Vec::new();
    for chunk in body.split(delimiter.as_str()).skip(1) {
        if chunk.starts_with("--") {
            break;
        }
        let chunk = chunk.trim_start_matches(['\r', '\n']);
        let (headers, content) = split_headers(chunk).unwrap_or((Vec::new(), chunk));
        let encoded = header(&headers, "content-transfer-encoding")
            .is_some_and(|e| e.eq_ignore_ascii_case("base64"));
        let content = if encoded {
            let compact: String = content.chars().filter(|c| !c.is_whitespace()).collect();
            STANDARD
                .decode(compact.as_bytes())
                .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
                .unwrap_or_default()
        } else {
            content.to_owned()
        };
        parts.push(Part {
            content_type: header(&headers, "content-type"),
            body: content,
        });
    }
    Some(parts)
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

/// What a document is, from its content type or its first line.
fn part_format(content_type: Option<&str>, text: &str) -> &'static str {
    let content_type = content_type.unwrap_or_default().to_ascii_lowercase();
    let start = text.trim_start();
    if content_type.starts_with("application/node.eks.aws") || is_nodeconfig(text) {
        "nodeconfig"
    } else if content_type.contains("cloud-config") || start.starts_with("#cloud-config") {
        "cloud-config"
    } else if start.starts_with("<powershell>") || start.starts_with("<script>") {
        "powershell"
    } else if content_type.contains("shellscript") || start.starts_with("#!") {
        "shell"
    } else if start.starts_with("[settings") || start.starts_with("settings.") {
        "toml"
    } else {
        "other"
    }
}

fn is_nodeconfig(text: &str) -> bool {
    text.lines()
        .any(|line| line.trim() == "kind: NodeConfig" || line.trim() == "\"kind\": \"NodeConfig\"")
}

/// The bootstraps a document of `format` runs.
fn bootstraps_in(format: &str, text: &str) -> Vec<Value> {
    match format {
        "shell" => shell_bootstraps(text),
        "nodeconfig" => nodeconfigs(text),
        "toml" => bottlerocket(text).into_iter().collect(),
        "powershell" => windows_bootstraps(text),
        _ => Vec::new(),
    }
}

/// A bootstrap found: the tool and the values it was given (only those known before boot).
fn bootstrap(tool: &str, values: [(&str, Option<String>); 4]) -> Value {
    let mut entry = Map::new();
    entry.insert("tool".into(), tool.into());
    for (key, value) in values {
        if let Some(value) = value.filter(|v| !v.is_empty()) {
            entry.insert(key.into(), value.into());
        }
    }
    Value::Object(entry)
}

/// `/etc/eks/bootstrap.sh CLUSTER --apiserver-endpoint … --b64-cluster-ca …` invocations.
fn shell_bootstraps(script: &str) -> Vec<Value> {
    let joined = script.replace("\\\r\n", " ").replace("\\\n", " ");
    let mut variables: HashMap<String, String> = HashMap::new();
    let mut found = Vec::new();
    for line in joined.lines() {
        let words = shell_words(line);
        if let [only] = words.as_slice()
            && let Some((name, value)) = only.split_once('=')
            && is_variable_name(name)
        {
            variables.insert(name.to_owned(), value.to_owned());
            continue;
        }
        let Some(start) = words
            .iter()
            .position(|w| w.ends_with("/etc/eks/bootstrap.sh"))
        else {
            continue;
        };
        let mut cluster = None;
        let mut flags: HashMap<&str, String> = HashMap::new();
        let mut rest = words[start + 1..].iter();
        while let Some(word) = rest.next() {
            if let Some(flag) = word.strip_prefix("--") {
                let (flag, value) = match flag.split_once('=') {
                    Some((flag, value)) => (flag, Some(value.to_owned())),
                    None => (flag, rest.next().cloned()),
                };
                if let Some(value) = value {
                    flags.insert(flag, value);
                }
            } else if cluster.is_none() {
                cluster = Some(word.clone());
            }
        }
        let resolve = |value: Option<String>| value.and_then(|v| expand(&v, &variables));
        found.push(bootstrap(
            "bootstrap.sh",
            [
                ("cluster", resolve(cluster)),
                (
                    "apiserver_endpoint",
                    resolve(flags.remove("apiserver-endpoint")),
                ),
                ("b64_cluster_ca", resolve(flags.remove("b64-cluster-ca"))),
                ("dns_cluster_ip", resolve(flags.remove("dns-cluster-ip"))),
            ],
        ));
    }
    found
}

fn is_variable_name(name: &str) -> bool {
    !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit())
}

/// A word with `$NAME` or `${NAME}` replaced by what the script set it to; `None` when it reads
/// a variable the script does not set (its value is only known at boot).
fn expand(word: &str, variables: &HashMap<String, String>) -> Option<String> {
    let mut out = String::new();
    let mut rest = word;
    while let Some(index) = rest.find('$') {
        out.push_str(&rest[..index]);
        let after = &rest[index + 1..];
        let (name, tail) = match after.strip_prefix('{') {
            Some(braced) => {
                let end = braced.find('}')?;
                (&braced[..end], &braced[end + 1..])
            }
            None => {
                let end = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
        };
        out.push_str(variables.get(name)?);
        rest = tail;
    }
    out.push_str(rest);
    Some(out)
}

/// Splits a shell line into words, honouring quotes; stops at a comment.
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    for c in line.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                in_word = true;
            }
            (None, '#') if !in_word => break,
            (None, c) if c.is_whitespace() || c == ';' => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// The clusters of the NodeConfig documents of a YAML stream.
fn nodeconfigs(text: &str) -> Vec<Value> {
    let documents: Vec<Value> = serde_saphyr::from_multiple(text).unwrap_or_default();
    documents
        .iter()
        .filter(|document| document["kind"] == "NodeConfig")
        .map(|document| {
            let cluster = &document["spec"]["cluster"];
            let field = |name: &str| cluster[name].as_str().map(str::to_owned);
            bootstrap(
                "nodeadm",
                [
                    ("cluster", field("name")),
                    ("apiserver_endpoint", field("apiServerEndpoint")),
                    ("b64_cluster_ca", field("certificateAuthority")),
                    ("cidr", field("cidr")),
                ],
            )
        })
        .collect()
}

/// Bottlerocket's `[settings.kubernetes]` (string values only, which is all it needs).
fn bottlerocket(text: &str) -> Option<Value> {
    let mut section = String::new();
    let mut settings: HashMap<String, String> = HashMap::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.trim().to_owned();
        } else if let Some((key, value)) = line.split_once('=') {
            let key = key.trim().trim_matches('"');
            let full = if section.is_empty() {
                key.to_owned()
            } else {
                format!("{section}.{key}")
            };
            let value = value.trim();
            if let Some(text) = value
                .strip_prefix('"')
                .and_then(|v| v.strip_suffix('"'))
                .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            {
                settings.insert(full, text.to_owned());
            }
        }
    }
    let mut setting = |key: &str| settings.remove(&format!("settings.kubernetes.{key}"));
    let values = [
        ("cluster", setting("cluster-name")),
        ("apiserver_endpoint", setting("api-server")),
        ("b64_cluster_ca", setting("cluster-certificate")),
        ("dns_cluster_ip", setting("cluster-dns-ip")),
    ];
    values
        .iter()
        .any(|(_, v)| v.is_some())
        .then(|| bootstrap("bottlerocket", values))
}

/// `Start-EKSBootstrap.ps1 -EKSClusterName … -APIServerEndpoint … -Base64ClusterCA …`.
fn windows_bootstraps(script: &str) -> Vec<Value> {
    let joined = script.replace("`\r\n", " ").replace("`\n", " ");
    joined
        .lines()
        .filter(|line| {
            line.to_ascii_lowercase().contains("-eksclustername")
                && (line.contains("Start-EKSBootstrap.ps1")
                    || line.contains("EKSBootstrapScriptFile"))
        })
        .map(|line| {
            let words = shell_words(line);
            let value = |flag: &str| {
                words
                    .iter()
                    .position(|w| w.eq_ignore_ascii_case(flag))
                    .and_then(|i| words.get(i + 1))
                    .filter(|v| !v.starts_with('$'))
                    .cloned()
            };
            bootstrap(
                "windows",
                [
                    ("cluster", value("-EKSClusterName")),
                    ("apiserver_endpoint", value("-APIServerEndpoint")),
                    ("b64_cluster_ca", value("-Base64ClusterCA")),
                    ("dns_cluster_ip", value("-DNSClusterIP")),
                ],
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(text: &str) -> String {
        STANDARD.encode(text)
    }

    #[test]
    fn mime_with_a_nodeconfig_part() {
        let text = "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"BOUNDARY\"\n\n\
                    --BOUNDARY\nContent-Type: application/node.eks.aws\n\n---\n\
                    apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    \
                    name: my-cluster\n    apiServerEndpoint: https://example.com\n    \
                    certificateAuthority: Y2E=\n    cidr: 10.100.0.0/16\n\n\
                    --BOUNDARY\nContent-Type: text/x-shellscript; charset=\"us-ascii\"\n\n\
                    #!/bin/bash\necho hello\n\n--BOUNDARY--\n";
        assert_eq!(
            read(&encoded(text)),
            json!({"format": "mime",
                   "parts": [{"content_type": "application/node.eks.aws", "format": "nodeconfig"},
                             {"content_type": "text/x-shellscript; charset=\"us-ascii\"", "format": "shell"}],
                   "bootstraps": [{"tool": "nodeadm", "cluster": "my-cluster",
                                   "apiserver_endpoint": "https://example.com",
                                   "b64_cluster_ca": "Y2E=", "cidr": "10.100.0.0/16"}]})
        );
    }

    #[test]
    fn bootstrap_sh_with_continuations_and_variables() {
        let script = "#!/bin/bash\nset -ex\nCLUSTER=demo\n/etc/eks/bootstrap.sh $CLUSTER \\\n  \
                      --b64-cluster-ca 'Y2E=' \\\n  --apiserver-endpoint=https://x.eks.amazonaws.com \\\n  \
                      --kubelet-extra-args '--max-pods=20'\n/etc/eks/bootstrap.sh \"${UNSET}\"\n";
        assert_eq!(
            read(&encoded(script)),
            json!({"format": "shell", "parts": [],
                   "bootstraps": [
                       {"tool": "bootstrap.sh", "cluster": "demo", "b64_cluster_ca": "Y2E=",
                        "apiserver_endpoint": "https://x.eks.amazonaws.com"},
                       {"tool": "bootstrap.sh"}]})
        );
    }

    #[test]
    fn bottlerocket_and_windows() {
        let toml = "[settings.kubernetes]\ncluster-name = \"demo\"\napi-server = \"https://x\"\n";
        assert_eq!(
            read(&encoded(toml))["bootstraps"],
            json!([{"tool": "bottlerocket", "cluster": "demo", "apiserver_endpoint": "https://x"}])
        );
        let powershell = "<powershell>\n[string]$EKSBootstrapScriptFile = \"$env:ProgramFiles\\Amazon\\EKS\\Start-EKSBootstrap.ps1\"\n\
                          & $EKSBootstrapScriptFile -EKSClusterName demo `\n -APIServerEndpoint https://x\n</powershell>";
        assert_eq!(
            read(&encoded(powershell))["bootstraps"],
            json!([{"tool": "windows", "cluster": "demo", "apiserver_endpoint": "https://x"}])
        );
    }

    #[test]
    fn formats_without_bootstrap() {
        assert_eq!(read("")["format"], "empty");
        assert_eq!(read("not base64!")["format"], "not-base64");
        assert_eq!(read(&STANDARD.encode([0x1f, 0x8b, 8, 0]))["format"], "gzip");
        assert_eq!(
            read(&encoded("#cloud-config\npackages: [jq]\n"))["format"],
            "cloud-config"
        );
        assert_eq!(
            read(&encoded("#!/bin/bash\necho hi\n"))["bootstraps"],
            json!([])
        );
    }
}

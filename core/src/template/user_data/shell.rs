//! Amazon Linux 2's `/etc/eks/bootstrap.sh`, called from a shell script or from the commands of
//! a cloud-config (`bootcmd`, `runcmd`), which cloud-init runs with `sh`.

use std::collections::HashMap;

use serde_json::Value;

use super::Bootstrap;

/// `/etc/eks/bootstrap.sh CLUSTER --apiserver-endpoint … --b64-cluster-ca …` invocations.
pub(super) fn bootstraps(script: &str) -> Vec<Bootstrap> {
    let joined = script.replace("\\\r\n", " ").replace("\\\n", " ");
    let mut variables: HashMap<String, String> = HashMap::new();
    let mut found = Vec::new();
    for line in joined.lines() {
        let words = words(line);
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
        let mut resolve = |flag: &str| flags.remove(flag).and_then(|v| expand(&v, &variables));
        found.push(Bootstrap {
            cluster: cluster.and_then(|v| expand(&v, &variables)),
            apiserver_endpoint: resolve("apiserver-endpoint"),
            b64_cluster_ca: resolve("b64-cluster-ca"),
            dns_cluster_ip: resolve("dns-cluster-ip").map(Value::from),
            ..Bootstrap::new("bootstrap.sh")
        });
    }
    found
}

/// The bootstraps a cloud-config's commands run: each of `bootcmd` and `runcmd` is a line of
/// shell, or a list of words cloud-init runs as they are.
pub(super) fn cloud_config_bootstraps(text: &str) -> Vec<Bootstrap> {
    let Ok(config) = serde_saphyr::from_str::<Value>(text) else {
        return Vec::new();
    };
    let mut script = String::new();
    for key in ["bootcmd", "runcmd"] {
        for command in config[key].as_array().into_iter().flatten() {
            match command {
                Value::String(line) => script.push_str(line),
                Value::Array(words) => {
                    let words: Vec<String> = words
                        .iter()
                        .map(|word| {
                            quoted(
                                &word
                                    .as_str()
                                    .map_or_else(|| word.to_string(), str::to_owned),
                            )
                        })
                        .collect();
                    script.push_str(&words.join(" "));
                }
                _ => {}
            }
            script.push('\n');
        }
    }
    bootstraps(&script)
}

/// A word as a shell line must write it to keep it one word.
fn quoted(word: &str) -> String {
    if !word.is_empty() && !word.contains(|c: char| c.is_whitespace() || "'\"#;".contains(c)) {
        word.to_owned()
    } else if word.contains('\'') {
        format!("\"{word}\"")
    } else {
        format!("'{word}'")
    }
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
pub(super) fn words(line: &str) -> Vec<String> {
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

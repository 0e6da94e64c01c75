//! Bottlerocket's settings, in TOML: the `[settings.kubernetes]` values that join the node, and
//! the forms of valid TOML that EKS documents it cannot merge with its own settings (the
//! launch-templates guide, "Bottlerocket user data").

use std::collections::BTreeSet;

use serde_json::Value;
use toml::{Table, Value as Toml};

use super::Bootstrap;

/// Whether a document is Bottlerocket settings: TOML with a `settings` table, or a document that
/// starts like one but is not valid TOML.
pub(super) fn is_settings(text: &str) -> bool {
    match text.parse::<Table>() {
        Ok(table) => table.contains_key("settings"),
        Err(_) => text
            .lines()
            .map(str::trim)
            .find(|line| !line.is_empty() && !line.starts_with('#'))
            .is_some_and(|line| line.starts_with("[settings") || line.starts_with("settings.")),
    }
}

/// What a settings document holds.
pub(super) struct Settings {
    /// The join settings, if it has any.
    pub bootstrap: Option<Bootstrap>,
    /// What EKS cannot merge in it, or why it is not valid TOML.
    pub unsupported: Vec<String>,
}

pub(super) fn read(text: &str) -> Settings {
    let mut unsupported = unsupported_lines(text);
    let table = match text.parse::<Table>() {
        Ok(table) => table,
        Err(error) => {
            let line = error
                .span()
                .map(|span| text[..span.start.min(text.len())].lines().count().max(1));
            let at = line
                .map(|line| format!(" (line {line})"))
                .unwrap_or_default();
            unsupported.push(format!("not valid TOML: {}{at}", error.message().trim()));
            return Settings {
                bootstrap: None,
                unsupported,
            };
        }
    };
    for (key, value) in &table {
        mixed_arrays(value, key, &mut unsupported);
    }
    let kubernetes = table.get("settings").and_then(|s| s.get("kubernetes"));
    let setting = |name: &str| kubernetes.and_then(|k| k.get(name));
    let text = |name: &str| setting(name).and_then(Toml::as_str).map(str::to_owned);
    let bootstrap = Bootstrap {
        cluster: text("cluster-name"),
        apiserver_endpoint: text("api-server"),
        b64_cluster_ca: text("cluster-certificate"),
        dns_cluster_ip: setting("cluster-dns-ip").and_then(|ip| match ip {
            Toml::String(ip) => Some(Value::from(ip.as_str())),
            Toml::Array(ips) => Some(ips.iter().filter_map(Toml::as_str).collect()),
            _ => None,
        }),
        ..Bootstrap::new("bottlerocket")
    };
    let any = bootstrap.cluster.is_some()
        || bootstrap.apiserver_endpoint.is_some()
        || bootstrap.b64_cluster_ca.is_some()
        || bootstrap.dns_cluster_ip.is_some();
    Settings {
        bootstrap: any.then_some(bootstrap),
        unsupported,
    }
}

/// The unsupported forms a parser cannot see once it has read them: quotes within quoted keys,
/// escaped quotes in values, bracketed headers with quoted keys.
fn unsupported_lines(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut open_string: Option<&str> = None;
    for (index, line) in text.lines().enumerate() {
        let number = index + 1;
        if let Some(delimiter) = open_string {
            if line.contains(delimiter) {
                open_string = None;
            }
            continue;
        }
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            let header = line.rsplit_once(']').map_or(line, |(header, _)| header);
            if header.contains(['"', '\'']) {
                found.push(format!(
                    "a bracketed header with a quoted key (line {number}: `{line}`)"
                ));
            }
            continue;
        }
        let Some((key, value)) = split_assignment(line) else {
            continue;
        };
        let key = key.trim();
        if (key.contains('"') && key.contains('\'')) || key.contains("\\\"") {
            found.push(format!(
                "quotes within a quoted key (line {number}: `{key}`)"
            ));
        }
        let value = value.trim();
        if value.contains("\\\"") {
            found.push(format!("escaped quotes in a value (line {number})"));
        }
        for delimiter in ["\"\"\"", "'''"] {
            if value.starts_with(delimiter) && value.matches(delimiter).count() == 1 {
                open_string = Some(delimiter);
            }
        }
    }
    found
}

/// A `key = value` line split at its first `=` outside quotes.
fn split_assignment(line: &str) -> Option<(&str, &str)> {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (index, c) in line.char_indices() {
        match (quote, c) {
            (Some('"'), '\\') if !escaped => {
                escaped = true;
                continue;
            }
            (Some(q), c) if c == q && !escaped => quote = None,
            (None, '"' | '\'') => quote = Some(c),
            (None, '=') => return Some((&line[..index], &line[index + 1..])),
            _ => {}
        }
        escaped = false;
    }
    None
}

/// Arrays whose elements are not all of one type: mixed integers and floats, or mixed types.
fn mixed_arrays(value: &Toml, key: &str, found: &mut Vec<String>) {
    match value {
        Toml::Table(table) => {
            for (name, value) in table {
                mixed_arrays(value, &format!("{key}.{name}"), found);
            }
        }
        Toml::Array(items) => {
            let kinds: BTreeSet<&str> = items.iter().map(Toml::type_str).collect();
            if kinds == BTreeSet::from(["float", "integer"]) {
                found.push(format!("mixed floats and integers in `{key}`"));
            } else if kinds.len() > 1 {
                found.push(format!("mixed types in the array `{key}`"));
            }
            for item in items {
                mixed_arrays(item, key, found);
            }
        }
        _ => {}
    }
}

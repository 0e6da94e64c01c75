//! Consistent redaction of recordings: account IDs, IPv4 addresses and host names are replaced
//! the same way everywhere, so relations between values (a role ARN in a node group and in an
//! access entry, a subnet inside its VPC's CIDR) survive. Launch template user data is redacted
//! inside its base64, so that the cluster endpoint and CIDRs it passes still match the cluster's.

use std::collections::HashMap;
use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use regex::{Captures, Regex};
use serde_json::Value;

static ACCOUNT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b\d{12}\b").unwrap());
static IPV4: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{1,3})[.-](\d{1,3})[.-](\d{1,3})[.-](\d{1,3})\b").unwrap());
static EKS_HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b([0-9A-F]{16,40})\.(gr7|sk1|yl4)\.([a-z0-9-]+)\.eks\.amazonaws\.com").unwrap()
});

/// Replaces sensitive values consistently across every document it is given.
#[derive(Debug, Default)]
pub struct Redactor {
    accounts: HashMap<String, String>,
    networks: HashMap<(u8, u8), (u8, u8)>,
    hosts: HashMap<String, String>,
}

impl Redactor {
    /// A redactor with no replacements made yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Redacts every string (and object key) in `document` in place.
    pub fn redact(&mut self, document: &mut Value) {
        match document {
            Value::String(text) => *text = self.redact_text(text),
            Value::Array(items) => items.iter_mut().for_each(|item| self.redact(item)),
            Value::Object(entries) => {
                let old = std::mem::take(entries);
                for (key, mut value) in old {
                    match &mut value {
                        Value::String(encoded) if key == "UserData" => {
                            *encoded = self.redact_base64(encoded);
                        }
                        _ => self.redact(&mut value),
                    }
                    entries.insert(self.redact_text(&key), value);
                }
            }
            _ => {}
        }
    }

    /// Redacts one string.
    pub fn redact_text(&mut self, text: &str) -> String {
        let text = ACCOUNT.replace_all(text, |caps: &Captures| {
            let next = self.accounts.len() + 1;
            self.accounts
                .entry(caps[0].to_owned())
                .or_insert_with(|| format!("{next:012}"))
                .clone()
        });
        let text = EKS_HOST.replace_all(&text, |caps: &Captures| {
            let next = self.hosts.len() + 1;
            let id = self
                .hosts
                .entry(caps[1].to_owned())
                .or_insert_with(|| format!("{next:032X}"))
                .clone();
            format!("{id}.{}.{}.eks.amazonaws.com", &caps[2], &caps[3])
        });
        IPV4.replace_all(&text, |caps: &Captures| self.redact_address(caps))
            .into_owned()
    }

    /// Redacts base64-encoded text (user data); what does not decode to text (gzip) is kept.
    fn redact_base64(&mut self, encoded: &str) -> String {
        match STANDARD
            .decode(encoded.trim())
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok())
        {
            Some(text) => STANDARD.encode(self.redact_text(&text)),
            None => encoded.to_owned(),
        }
    }

    /// Maps the first two octets of an address to `10.N`, keeping the last two, so that
    /// prefixes of /16 and longer keep containing the same addresses. Special addresses
    /// (`0.0.0.0`, loopback, link-local, broadcast) are kept.
    fn redact_address(&mut self, caps: &Captures) -> String {
        let octets: Vec<u8> = (1..=4).filter_map(|i| caps[i].parse().ok()).collect();
        let [a, b, c, d] = octets[..] else {
            return caps[0].to_owned();
        };
        if matches!(a, 0 | 127 | 255) || (a, b) == (169, 254) {
            return caps[0].to_owned();
        }
        let next = u8::try_from(self.networks.len() % 250).unwrap_or(0);
        let (x, y) = *self.networks.entry((a, b)).or_insert((10, next));
        let separator = if caps[0].contains('-') { '-' } else { '.' };
        [x, y, c, d]
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(&separator.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn replaces_consistently() {
        let mut redactor = Redactor::new();
        let mut document = json!({
            "a": "arn:aws:iam::123456789012:role/node",
            "b": ["123456789012", "210987654321"],
            "cidr": "172.31.0.0/16",
            "ip": "172.31.4.5",
            "dns": "ip-172-31-4-5.eu-west-2.compute.internal",
            "any": "0.0.0.0/0",
            "endpoint": "https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-2.eks.amazonaws.com"
        });
        redactor.redact(&mut document);
        assert_eq!(document["a"], "arn:aws:iam::000000000001:role/node");
        assert_eq!(document["b"], json!(["000000000001", "000000000002"]));
        assert_eq!(document["cidr"], "10.0.0.0/16");
        assert_eq!(document["ip"], "10.0.4.5");
        assert_eq!(document["dns"], "ip-10-0-4-5.eu-west-2.compute.internal");
        assert_eq!(document["any"], "0.0.0.0/0");
        assert!(
            !document["endpoint"]
                .as_str()
                .unwrap()
                .contains("0123456789ABCDEF0123")
        );
    }

    #[test]
    fn user_data_is_redacted_inside_its_base64() {
        let mut redactor = Redactor::new();
        let user_data = "apiServerEndpoint: https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-2.eks.amazonaws.com\ncidr: 172.20.0.0/16\n";
        let mut document = json!({
            "endpoint": "https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-2.eks.amazonaws.com",
            "LaunchTemplateData": {"UserData": STANDARD.encode(user_data)},
            "gzipped": {"UserData": STANDARD.encode([0x1f, 0x8b, 0x08, 0xff])},
        });
        redactor.redact(&mut document);
        let decoded = STANDARD
            .decode(document["LaunchTemplateData"]["UserData"].as_str().unwrap())
            .unwrap();
        let decoded = String::from_utf8(decoded).unwrap();
        let endpoint = document["endpoint"].as_str().unwrap();
        assert!(decoded.contains(endpoint), "{decoded}");
        assert!(decoded.contains("cidr: 10.0.0.0/16"), "{decoded}");
        assert_eq!(
            document["gzipped"]["UserData"],
            STANDARD.encode([0x1f, 0x8b, 0x08, 0xff])
        );
    }
}

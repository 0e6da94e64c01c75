//! Consistent redaction of recordings: account IDs, IPv4 and IPv6 addresses (and the host names
//! made of them, `ip-10-0-1-2.ec2.internal`), EKS endpoints and certificate authorities are
//! replaced the same way everywhere, so relations between values (a role ARN in a node group and
//! in an access entry, a subnet inside its VPC's CIDR, the CA a bootstrap passes and the
//! cluster's) survive. Launch template user data is redacted inside its base64 (and its gzip), so
//! that the cluster endpoint and CIDRs it passes still match the cluster's, whatever the case its
//! host name is written in; an instance's console output, which the AWS CLI prints decoded, is
//! redacted as the text it is.

use std::collections::HashMap;
use std::io::Write;
use std::net::Ipv6Addr;
use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use flate2::Compression;
use flate2::write::GzEncoder;
use regex::{Captures, Regex};
use serde_json::Value;

use crate::template::{Inflated, inflate};

static ACCOUNT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b\d{12}\b").unwrap());
static IPV4: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(\d{1,3})[.-](\d{1,3})[.-](\d{1,3})[.-](\d{1,3})\b").unwrap());
static EKS_HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b([0-9A-F]{16,40})\.(gr7|sk1|yl4)\.([a-z0-9-]+)\.eks\.amazonaws\.com")
        .unwrap()
});
/// What may be an IPv6 address: hex groups and colons, at least two colons. Whether it is one,
/// and stands alone (not `std::io`, not a time `12:29:51`), is decided by [`ipv6_at`].
static IPV6: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}").unwrap());
/// A base64 PEM certificate (`-----BEGIN` encoded), as a cluster's certificate authority is
/// passed around (`certificateAuthority.data`, `--b64-cluster-ca`, a `set -x` trace of it).
static CERTIFICATE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"LS0tLS1CRUdJTi[A-Za-z0-9+/]*={0,2}").unwrap());

/// Replaces sensitive values consistently across every document it is given.
#[derive(Debug, Default)]
pub(crate) struct Redactor {
    accounts: HashMap<String, String>,
    networks: HashMap<(u8, u8), (u8, u8)>,
    networks_v6: HashMap<[u16; 3], u16>,
    hosts: HashMap<String, String>,
    certificates: HashMap<String, String>,
}

impl Redactor {
    /// A redactor with no replacements made yet.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Redacts every string (and object key) in `document` in place.
    pub(crate) fn redact(&mut self, document: &mut Value) {
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
    pub(crate) fn redact_text(&mut self, text: &str) -> String {
        let text = ACCOUNT.replace_all(text, |caps: &Captures| {
            let next = self.accounts.len() + 1;
            self.accounts
                .entry(caps[0].to_owned())
                .or_insert_with(|| format!("{next:012}"))
                .clone()
        });
        let text = EKS_HOST.replace_all(&text, |caps: &Captures| {
            let next = self.hosts.len() + 1;
            // In digits, which read the same in either case: the host in lowercase stays the
            // same host.
            let id = self
                .hosts
                .entry(caps[1].to_ascii_uppercase())
                .or_insert_with(|| format!("{next:032}"))
                .clone();
            format!("{id}.{}.{}.eks.amazonaws.com", &caps[2], &caps[3])
        });
        let text = CERTIFICATE.replace_all(&text, |caps: &Captures| {
            let next = self.certificates.len() + 1;
            self.certificates
                .entry(caps[0].to_owned())
                .or_insert_with(|| {
                    STANDARD.encode(format!(
                        "-----BEGIN CERTIFICATE-----\nREDACTED {next}\n-----END CERTIFICATE-----\n"
                    ))
                })
                .clone()
        });
        let text = self.redact_ipv6(&text);
        IPV4.replace_all(&text, |caps: &Captures| self.redact_address(caps))
            .into_owned()
    }

    /// Maps the first 48 bits of each IPv6 address to `2001:db8:N` (the documentation prefix),
    /// keeping the rest, so that a VPC's /56 keeps containing its subnets' /64s and their
    /// addresses. The unspecified and loopback addresses, link-local ones and AWS's own
    /// (`fd00:ec2::/32`: the instance metadata service, the DNS resolver) are kept.
    fn redact_ipv6(&mut self, text: &str) -> String {
        let mut redacted = String::with_capacity(text.len());
        let mut kept = 0;
        for found in IPV6.find_iter(text) {
            let Some(address) = ipv6_at(text, found.start(), found.end()) else {
                continue;
            };
            let segments = address.segments();
            let aws = segments[0] == 0xfd00 && segments[1] == 0x0ec2;
            if address.is_unspecified()
                || address.is_loopback()
                || aws
                || (segments[0] & 0xffc0) == 0xfe80
            {
                continue;
            }
            let next = u16::try_from(self.networks_v6.len() % 0xffff).unwrap_or(0);
            let network = *self
                .networks_v6
                .entry([segments[0], segments[1], segments[2]])
                .or_insert(next);
            let mut replaced = segments;
            replaced[..3].copy_from_slice(&[0x2001, 0x0db8, network]);
            redacted.push_str(&text[kept..found.start()]);
            redacted.push_str(&Ipv6Addr::from(replaced).to_string());
            kept = found.end();
        }
        redacted.push_str(&text[kept..]);
        redacted
    }

    /// Redacts base64-encoded text (user data), compressed or not; what does not decode to text
    /// is kept.
    fn redact_base64(&mut self, encoded: &str) -> String {
        let Ok(bytes) = STANDARD.decode(encoded.trim()) else {
            return encoded.to_owned();
        };
        let (bytes, gzip) = match inflate(bytes) {
            Inflated::Plain(bytes) => (bytes, false),
            Inflated::Gzip(bytes) => (bytes, true),
            Inflated::Broken => return encoded.to_owned(),
        };
        let Ok(text) = String::from_utf8(bytes) else {
            return encoded.to_owned();
        };
        let redacted = self.redact_text(&text).into_bytes();
        if !gzip {
            return STANDARD.encode(redacted);
        }
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        match encoder.write_all(&redacted).and_then(|()| encoder.finish()) {
            Ok(compressed) => STANDARD.encode(compressed),
            // Writing to memory does not fail; were it to, the secret must not leak.
            Err(_) => STANDARD.encode(redacted),
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

/// The IPv6 address `text[start..end]` is, when it is one standing alone: not part of a longer
/// word or name (`std::io`, `a.b::c`).
fn ipv6_at(text: &str, start: usize, end: usize) -> Option<Ipv6Addr> {
    let joined = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':');
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    if before.is_some_and(joined) || after.is_some_and(|c| c.is_ascii_alphanumeric() || c == ':') {
        return None;
    }
    text[start..end].parse().ok()
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
    fn a_console_log_is_redacted_as_text() {
        const CA: &str = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM1ekNDQWMrZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFWTVJNd0VRWURWUVFERXdwcmRXSmwK";
        // Lines of the kinds the research behind the boot-log suite quotes (karpenter#3102,
        // terraform-aws-eks#1628, amazon-eks-ami#1965, bottlerocket-core-kit#849), with an
        // IPv6 address from `ip addr`.
        let log = format!(
            "[   19.609303] cloud-init[819]: ci-info: |   0   |     0.0.0.0     | 10.2.22.1 |     0.0.0.0     |    eth0   |   UG  |\n\
             [   19.614857] cloud-init[819]: ci-info: |   2   | 169.254.169.254 |  0.0.0.0  | 255.255.255.255 |    eth0   |   UH  |\n\
             Oct 07 13:28:42 ip-172-31-6-110.eu-central-1.compute.internal cloud-init[2512]: + B64_CLUSTER_CA={CA}\n\
             + /etc/eks/bootstrap.sh prod --apiserver-endpoint https://0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-2.eks.amazonaws.com\n\
             [   16.224034] pluto[1671]: 22:20:05 [ERROR] User: arn:aws:sts::123456789012:assumed-role/node//i-0abc is not authorized\n\
             inet6 2600:1f18:4c2:ab01:7c1e:2d3f:9a8b:1234/64 scope global; IMDS fd00:ec2::254; fe80::4a2:1ff:fe00:1; std::io::Error at 08:27:46\n"
        );
        let mut redactor = Redactor::new();
        let mut document = json!({
            "cluster": {
                "certificateAuthority": {"data": CA},
                "kubernetesNetworkConfig": {"serviceIpv6Cidr": "2600:1f18:4c2:ab00::/56"}
            },
            "Output": log,
        });
        redactor.redact(&mut document);
        let output = document["Output"].as_str().unwrap();
        for secret in [
            "10.2.22.1",
            "ip-172-31-6-110",
            "0123456789ABCDEF0123",
            "123456789012",
            "2600:1f18",
            "MIIC5zCCAc",
        ] {
            assert!(!output.contains(secret), "{secret} in\n{output}");
        }
        // What identifies no one is kept: AWS's own addresses, link-local ones, words with colons.
        for kept in [
            "0.0.0.0",
            "169.254.169.254",
            "255.255.255.255",
            "fd00:ec2::254",
            "fe80::4a2:1ff:fe00:1",
            "std::io::Error at 08:27:46",
            "i-0abc",
            "eu-central-1.compute.internal",
        ] {
            assert!(output.contains(kept), "{kept} not in\n{output}");
        }
        // Relations survive: the CA the bootstrap passes is the cluster's, the address lies in
        // the VPC's range.
        let ca = document["cluster"]["certificateAuthority"]["data"]
            .as_str()
            .unwrap();
        assert!(ca.starts_with("LS0tLS1CRUdJTi") && ca != CA, "{ca}");
        assert!(
            output.contains(&format!("B64_CLUSTER_CA={ca}\n")),
            "{output}"
        );
        let range = document["cluster"]["kubernetesNetworkConfig"]["serviceIpv6Cidr"]
            .as_str()
            .unwrap();
        assert_eq!(range, "2001:db8:0:ab00::/56");
        assert!(
            output.contains("inet6 2001:db8:0:ab01:7c1e:2d3f:9a8b:1234/64"),
            "{output}"
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

    #[test]
    fn user_data_is_redacted_inside_its_gzip_and_in_any_case() {
        let mut redactor = Redactor::new();
        let host = "0123456789ABCDEF0123456789ABCDEF.gr7.eu-west-2.eks.amazonaws.com";
        let user_data = format!("apiServerEndpoint: https://{}\n", host.to_lowercase());
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(user_data.as_bytes()).unwrap();
        let mut document = json!({
            "endpoint": format!("https://{host}"),
            "LaunchTemplateData": {"UserData": STANDARD.encode(encoder.finish().unwrap())},
        });
        redactor.redact(&mut document);
        let compressed = STANDARD
            .decode(document["LaunchTemplateData"]["UserData"].as_str().unwrap())
            .unwrap();
        let Inflated::Gzip(decoded) = inflate(compressed) else {
            panic!("the user data is no longer gzip");
        };
        let decoded = String::from_utf8(decoded).unwrap();
        let endpoint = document["endpoint"].as_str().unwrap();
        assert!(!endpoint.contains("0123456789ABCDEF0123"), "{endpoint}");
        assert!(decoded.contains(&endpoint.to_lowercase()), "{decoded}");
    }
}

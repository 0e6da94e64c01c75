//! Network reasoning: `in_cidr` and `allows_traffic` (security groups and network ACLs).
//!
//! `allows_traffic: {direction, protocol, port, cidr, group}` holds when the value — a network ACL
//! (`Entries`), a security group (`IpPermissions`/`IpPermissionsEgress`), or a list of them —
//! lets that traffic through. ACL entries are evaluated in `RuleNumber` order, first match wins,
//! unmatched traffic is denied; security groups allow when any rule matches (their rules only
//! allow), and a list of groups allows when any group does. `port` is a number or a range
//! `"1024-65535"` (every port of it must pass); protocol `-1` in a rule means all protocols.

use std::net::Ipv4Addr;

use serde_json::Value;

use super::{Subject, Tested, Undecided, Verdict, kind_of};

/// An IPv4 network: address and prefix length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    network: u32,
    prefix: u8,
}

impl Cidr {
    /// Parses `10.0.0.0/16` or a bare address (a /32).
    pub fn parse(text: &str) -> Option<Self> {
        let (address, prefix) = match text.trim().split_once('/') {
            Some((address, prefix)) => (address, prefix.parse().ok().filter(|p| *p <= 32)?),
            None => (text.trim(), 32),
        };
        let address: Ipv4Addr = address.parse().ok()?;
        Some(Self {
            network: u32::from(address) & mask(prefix),
            prefix,
        })
    }

    /// Whether every address of `other` is in this network.
    pub fn contains(&self, other: &Cidr) -> bool {
        other.prefix >= self.prefix && other.network & mask(self.prefix) == self.network
    }
}

fn mask(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - u32::from(prefix))
    }
}

/// `in_cidr: NETWORK` holds when the value (an address or network, or each of a list) lies in it.
pub fn in_cidr(subject: &Subject, network: &Value) -> Tested {
    let network = parse_cidr_operand(network)?;
    let items = subject.items();
    if items.is_empty() {
        return Ok(false.into());
    }
    for item in items {
        let Some(cidr) = item.as_str().and_then(Cidr::parse) else {
            return Err(Undecided::TypeMismatch(format!(
                "type mismatch: `in_cidr` needs IPv4 addresses or networks, but the value is {}",
                kind_of(item)
            )));
        };
        if !network.contains(&cidr) {
            return Ok(Verdict {
                holds: false,
                note: Some(format!(
                    "{} is outside {}",
                    item.as_str().unwrap_or_default(),
                    display(&network)
                )),
            });
        }
    }
    Ok(true.into())
}

fn display(cidr: &Cidr) -> String {
    format!("{}/{}", Ipv4Addr::from(cidr.network), cidr.prefix)
}

fn parse_cidr_operand(value: &Value) -> Result<Cidr, Undecided> {
    value.as_str().and_then(Cidr::parse).ok_or_else(|| {
        Undecided::TypeMismatch(format!(
            "`{value}` is not an IPv4 network such as 10.0.0.0/16"
        ))
    })
}

/// The traffic `allows_traffic` asks about.
#[derive(Clone, Debug, PartialEq)]
pub struct Traffic {
    egress: bool,
    /// IANA protocol number (6 tcp, 17 udp, 1 icmp) or `None` for all.
    protocol: Option<u16>,
    ports: (u16, u16),
    cidr: Option<Cidr>,
    group: Option<String>,
}

impl Traffic {
    /// Reads `{direction: ingress|egress, protocol: tcp|udp|icmp|all|NUMBER, port: N|"A-B",
    /// cidr: NETWORK, group: sg-…}` (at least one of `cidr` and `group`).
    pub fn parse(value: &Value) -> Result<Self, String> {
        let field = |name: &str| value.get(name);
        let egress = match field("direction").and_then(Value::as_str) {
            Some("egress") => true,
            Some("ingress") => false,
            _ => return Err("`direction` must be `ingress` or `egress`".to_owned()),
        };
        let protocol = match field("protocol") {
            None => Some(6),
            Some(protocol) => protocol_number(&json_text(protocol))
                .ok_or_else(|| format!("unknown protocol `{}`", json_text(protocol)))?,
        };
        let ports = match field("port") {
            None => (0, u16::MAX),
            Some(port) => port_range(&json_text(port))
                .ok_or("`port` must be a number or a range such as \"1024-65535\"")?,
        };
        let cidr = match field("cidr") {
            None => None,
            Some(cidr) => Some(
                Cidr::parse(&json_text(cidr))
                    .ok_or("`cidr` must be an IPv4 network such as 0.0.0.0/0")?,
            ),
        };
        let group = field("group").map(json_text);
        if cidr.is_none() && group.is_none() {
            return Err(
                "give the other end as `cidr` (a network) or `group` (a security group ID)"
                    .to_owned(),
            );
        }
        if let Some(extra) = value.as_object().and_then(|o| {
            o.keys()
                .find(|k| !["direction", "protocol", "port", "cidr", "group"].contains(&k.as_str()))
        }) {
            return Err(format!(
                "unknown key `{extra}` (expected direction, protocol, port, cidr, group)"
            ));
        }
        Ok(Self {
            egress,
            protocol,
            ports,
            cidr,
            group,
        })
    }
}

fn json_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `tcp` → 6; `-1`/`all` → all (`Some(None)`); unknown → `None`.
fn protocol_number(text: &str) -> Option<Option<u16>> {
    Some(match text.to_ascii_lowercase().as_str() {
        "-1" | "all" => None,
        "tcp" => Some(6),
        "udp" => Some(17),
        "icmp" => Some(1),
        number => Some(number.parse().ok()?),
    })
}

fn port_range(text: &str) -> Option<(u16, u16)> {
    match text.split_once('-') {
        Some((from, to)) => {
            let (from, to) = (from.trim().parse().ok()?, to.trim().parse().ok()?);
            (from <= to).then_some((from, to))
        }
        None => text.trim().parse().ok().map(|p| (p, p)),
    }
}

/// `allows_traffic` on an ACL, a security group, or a list of them (any may allow).
pub fn allows_traffic(subject: &Subject, operand: &Value) -> Tested {
    let traffic = Traffic::parse(operand)
        .map_err(|m| Undecided::TypeMismatch(format!("allows_traffic: {m}")))?;
    let items = subject.items();
    let mut notes = Vec::new();
    for item in &items {
        let verdict = if item.get("Entries").is_some() {
            acl_allows(item, &traffic)
        } else if item.get("IpPermissions").is_some() || item.get("IpPermissionsEgress").is_some() {
            group_allows(item, &traffic)
        } else {
            return Err(Undecided::TypeMismatch(
                "type mismatch: `allows_traffic` needs a network ACL (with `Entries`) or a security \
                 group (with `IpPermissions`)"
                    .to_owned(),
            ));
        };
        if verdict.holds {
            return Ok(true.into());
        }
        notes.extend(verdict.note);
    }
    Ok(Verdict {
        holds: false,
        note: Some(if items.is_empty() {
            "nothing selected".to_owned()
        } else {
            notes.join("; ")
        }),
    })
}

fn acl_allows(acl: &Value, traffic: &Traffic) -> Verdict {
    let mut entries: Vec<&Value> = acl["Entries"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter(|e| e["Egress"].as_bool() == Some(traffic.egress))
                .collect()
        })
        .unwrap_or_default();
    entries.sort_by_key(|e| e["RuleNumber"].as_u64().unwrap_or(u64::MAX));
    // Decisions only change at rule boundaries: test the range ends and each boundary inside.
    let (from, to) = traffic.ports;
    let mut ports = vec![from, to];
    for entry in &entries {
        for bound in ["From", "To"] {
            if let Some(port) = entry["PortRange"][bound]
                .as_u64()
                .and_then(|p| u16::try_from(p).ok())
            {
                for candidate in [port.saturating_sub(1), port, port.saturating_add(1)] {
                    if (from..=to).contains(&candidate) {
                        ports.push(candidate);
                    }
                }
            }
        }
    }
    for port in ports {
        let matched = entries.iter().find(|entry| {
            protocol_matches(&json_text(&entry["Protocol"]), traffic.protocol)
                && entry_ports(entry).is_none_or(|(a, b)| (a..=b).contains(&port))
                && traffic.cidr.is_some_and(|wanted| {
                    entry["CidrBlock"]
                        .as_str()
                        .and_then(Cidr::parse)
                        .is_some_and(|rule| rule.contains(&wanted))
                })
        });
        let allowed = matched.is_some_and(|entry| entry["RuleAction"] == "allow");
        if !allowed {
            let rule = matched.map_or("no rule (implicit deny)".to_owned(), |e| {
                format!("rule {} denies it", e["RuleNumber"])
            });
            return Verdict {
                holds: false,
                note: Some(format!(
                    "{} port {port}: {rule}",
                    if traffic.egress { "egress" } else { "ingress" }
                )),
            };
        }
    }
    true.into()
}

fn entry_ports(entry: &Value) -> Option<(u16, u16)> {
    let range = entry.get("PortRange")?;
    let from = u16::try_from(range["From"].as_u64()?).ok()?;
    let to = u16::try_from(range["To"].as_u64()?).ok()?;
    Some((from, to))
}

fn protocol_matches(rule: &str, wanted: Option<u16>) -> bool {
    match protocol_number(rule) {
        Some(None) => true,
        Some(Some(number)) => wanted == Some(number),
        None => false,
    }
}

fn group_allows(group: &Value, traffic: &Traffic) -> Verdict {
    let key = if traffic.egress {
        "IpPermissionsEgress"
    } else {
        "IpPermissions"
    };
    let allowed = group[key]
        .as_array()
        .into_iter()
        .flatten()
        .any(|permission| {
            let protocol =
                protocol_matches(&json_text(&permission["IpProtocol"]), traffic.protocol);
            let all_ports = protocol_number(&json_text(&permission["IpProtocol"])) == Some(None);
            let ports = all_ports
                || match (
                    permission["FromPort"].as_i64(),
                    permission["ToPort"].as_i64(),
                ) {
                    (Some(from), Some(to)) => {
                        from <= i64::from(traffic.ports.0) && i64::from(traffic.ports.1) <= to
                    }
                    _ => true,
                };
            let peer = traffic.cidr.is_some_and(|wanted| {
                permission["IpRanges"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|range| {
                        range["CidrIp"]
                            .as_str()
                            .and_then(Cidr::parse)
                            .is_some_and(|rule| rule.contains(&wanted))
                    })
            }) || traffic.group.as_ref().is_some_and(|wanted| {
                permission["UserIdGroupPairs"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|pair| pair["GroupId"].as_str() == Some(wanted))
            });
            protocol && ports && peer
        });
    Verdict {
        holds: allowed,
        note: (!allowed).then(|| {
            format!(
                "no {key} rule of {} matches",
                group["GroupId"].as_str().unwrap_or("the group")
            )
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn acl() -> Value {
        json!({"Entries": [
            {"RuleNumber": 100, "Protocol": "6", "RuleAction": "allow", "Egress": true,
             "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 443, "To": 443}},
            {"RuleNumber": 90, "Protocol": "6", "RuleAction": "deny", "Egress": false,
             "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 2000, "To": 2000}},
            {"RuleNumber": 100, "Protocol": "-1", "RuleAction": "allow", "Egress": false,
             "CidrBlock": "0.0.0.0/0"},
            {"RuleNumber": 32767, "Protocol": "-1", "RuleAction": "deny", "Egress": true,
             "CidrBlock": "0.0.0.0/0"},
            {"RuleNumber": 32767, "Protocol": "-1", "RuleAction": "deny", "Egress": false,
             "CidrBlock": "0.0.0.0/0"}
        ]})
    }

    fn allows(value: &Value, traffic: Value) -> bool {
        allows_traffic(&Subject::Value(value), &traffic)
            .unwrap()
            .holds
    }

    #[test]
    fn cidr_containment() {
        let vpc = Cidr::parse("10.0.0.0/16").unwrap();
        assert!(vpc.contains(&Cidr::parse("10.0.32.0/19").unwrap()));
        assert!(vpc.contains(&Cidr::parse("10.0.1.7").unwrap()));
        assert!(!vpc.contains(&Cidr::parse("10.1.0.0/19").unwrap()));
        assert!(!vpc.contains(&Cidr::parse("10.0.0.0/8").unwrap()));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(&vpc));
        assert!(Cidr::parse("10.0.0.0/33").is_none());
        let subject = json!(["10.0.1.0/24", "10.0.2.9"]);
        assert!(
            in_cidr(&Subject::Value(&subject), &json!("10.0.0.0/16"))
                .unwrap()
                .holds
        );
        assert!(
            !in_cidr(&Subject::Value(&subject), &json!("10.0.1.0/24"))
                .unwrap()
                .holds
        );
    }

    #[test]
    fn acl_rules_are_ordered_and_default_deny() {
        let acl = acl();
        assert!(allows(
            &acl,
            json!({"direction": "egress", "port": 443, "cidr": "0.0.0.0/0"})
        ));
        assert!(!allows(
            &acl,
            json!({"direction": "egress", "port": 80, "cidr": "0.0.0.0/0"})
        ));
        assert!(allows(
            &acl,
            json!({"direction": "ingress", "port": "1024-1999", "cidr": "0.0.0.0/0"})
        ));
        // Rule 90 denies port 2000 before rule 100 allows everything.
        assert!(!allows(
            &acl,
            json!({"direction": "ingress", "port": "1024-65535", "cidr": "0.0.0.0/0"})
        ));
        let verdict = allows_traffic(
            &Subject::Value(&acl),
            &json!({"direction": "ingress", "port": "1024-65535", "cidr": "0.0.0.0/0"}),
        )
        .unwrap();
        assert_eq!(
            verdict.note.as_deref(),
            Some("ingress port 2000: rule 90 denies it")
        );
    }

    #[test]
    fn security_groups_allow_by_cidr_or_group() {
        let group = json!({"GroupId": "sg-1",
            "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                               "IpRanges": [{"CidrIp": "10.0.0.0/16"}], "UserIdGroupPairs": []},
                              {"IpProtocol": "-1", "IpRanges": [], "UserIdGroupPairs": [{"GroupId": "sg-nodes"}]}],
            "IpPermissionsEgress": []});
        assert!(allows(
            &group,
            json!({"direction": "ingress", "port": 443, "cidr": "10.0.3.0/24"})
        ));
        assert!(!allows(
            &group,
            json!({"direction": "ingress", "port": 443, "cidr": "192.168.0.0/24"})
        ));
        assert!(allows(
            &group,
            json!({"direction": "ingress", "port": 10250, "group": "sg-nodes"})
        ));
        assert!(!allows(
            &group,
            json!({"direction": "egress", "port": 443, "cidr": "0.0.0.0/0"})
        ));
        let both = json!([group, {"GroupId": "sg-2", "IpPermissions": [], "IpPermissionsEgress": [
            {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]);
        assert!(allows(
            &both,
            json!({"direction": "egress", "port": 443, "cidr": "0.0.0.0/0"})
        ));
    }

    #[test]
    fn bad_operands_and_values_are_type_mismatches() {
        assert!(Traffic::parse(&json!({"direction": "sideways", "cidr": "0.0.0.0/0"})).is_err());
        assert!(Traffic::parse(&json!({"direction": "egress"})).is_err());
        assert!(Traffic::parse(&json!({"direction": "egress", "cidr": "x", "port": 1})).is_err());
        assert!(matches!(
            allows_traffic(
                &Subject::Value(&json!("text")),
                &json!({"direction": "egress", "cidr": "0.0.0.0/0"})
            ),
            Err(Undecided::TypeMismatch(_))
        ));
    }
}

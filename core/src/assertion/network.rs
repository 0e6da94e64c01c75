//! `in_cidr` and `allows_traffic` (security groups and network ACLs), for IPv4 and IPv6.
//!
//! `allows_traffic: {direction, protocol, port, cidr, group, prefix_lists}` holds when the value — a network ACL
//! (`Entries`), a security group (`IpPermissions`/`IpPermissionsEgress`), or a list of them —
//! lets that traffic through. ACL entries are evaluated in `RuleNumber` order, first match wins,
//! unmatched traffic is denied; an entry applies to the traffic's address family only
//! (`CidrBlock` for IPv4, `Ipv6CidrBlock` for IPv6). Security groups allow when any rule matches
//! (their rules only allow: by an address range, a group, or a managed prefix list whose
//! entries the operand gives), and a list of groups allows when any group does. `port` is a
//! number or a range `"32768-60999"` (every port of it must pass); `cidr` a network or a list of
//! networks (traffic to each must pass); protocol `-1` in a rule means all protocols.

use serde_json::Value;

use super::{Note, Subject, Tested, Undecided, Verdict};
use crate::format::Keyword;
use crate::json;
use crate::network::{Cidr, Traffic, protocol_number};

/// `in_cidr: NETWORK` (or a list of networks) holds when the value — an address or network, or
/// each of a list — lies in the network (in one of them).
pub(super) fn in_cidr(subject: &Subject, networks: &Value) -> Tested {
    let invalid = |value: &Value| Undecided::InvalidOperand {
        predicate: Keyword::InCidr,
        problem: format!(
            "`{}` is not a network such as 10.0.0.0/16",
            json::display(value)
        ),
    };
    let networks: Vec<Cidr> = match networks {
        Value::Array(list) => list
            .iter()
            .map(|n| n.as_str().and_then(Cidr::parse).ok_or_else(|| invalid(n)))
            .collect::<Result<_, _>>()?,
        one => vec![
            one.as_str()
                .and_then(Cidr::parse)
                .ok_or_else(|| invalid(one))?,
        ],
    };
    let items = subject.items();
    if items.is_empty() {
        return Ok(false.into());
    }
    for item in items {
        let Some(cidr) = item.as_str().and_then(Cidr::parse) else {
            return Err(Undecided::TypeMismatch {
                predicate: Keyword::InCidr,
                expected: "IP addresses or networks",
                actual: json::type_name(item),
            });
        };
        if !networks.iter().any(|network| network.contains(&cidr)) {
            let shown: Vec<String> = networks.iter().map(Cidr::to_string).collect();
            return Ok(Verdict::fails(Note::Outside {
                address: json::display(item),
                network: shown.join(", "),
            }));
        }
    }
    Ok(true.into())
}

/// `allows_traffic` on an ACL, a security group, or a list of them (any may allow). A group
/// whose only rule that could admit the traffic names a prefix list of unknown entries leaves
/// the predicate undecided, unless another group allows.
pub(super) fn allows_traffic(subject: &Subject, operand: &Value) -> Tested {
    let traffic = Traffic::parse(operand).map_err(|problem| Undecided::InvalidOperand {
        predicate: Keyword::AllowsTraffic,
        problem,
    })?;
    let items = subject.items();
    let mut notes = Vec::new();
    let mut unknown = None;
    for item in &items {
        let verdict = if item.get("Entries").is_some() {
            acl_allows(item, &traffic)
        } else if item.get("IpPermissions").is_some() || item.get("IpPermissionsEgress").is_some() {
            match group_allows(item, &traffic) {
                Ok(verdict) => verdict,
                Err(prefix_list) => {
                    unknown.get_or_insert(prefix_list);
                    continue;
                }
            }
        } else {
            return Err(Undecided::TypeMismatch {
                predicate: Keyword::AllowsTraffic,
                expected: "a network ACL (with `Entries`) or a security group (with `IpPermissions`)",
                actual: json::type_name(item),
            });
        };
        if verdict.holds {
            return Ok(true.into());
        }
        notes.extend(verdict.note);
    }
    if let Some((group, prefix_list)) = unknown {
        return Err(Undecided::InvalidOperand {
            predicate: Keyword::AllowsTraffic,
            problem: format!(
                "a rule of {group} names prefix list {prefix_list}, whose entries `prefix_lists` \
                 does not give"
            ),
        });
    }
    Ok(Verdict::fails(match notes.len() {
        0 => Note::NothingSelected,
        1 => notes.remove(0),
        _ => Note::Each(notes),
    }))
}

/// The network an ACL entry or a rule range applies to, in the traffic's family only.
fn entry_network(entry: &Value, v4_key: &str, v6_key: &str, v6: bool) -> Option<Cidr> {
    entry[if v6 { v6_key } else { v4_key }]
        .as_str()
        .and_then(Cidr::parse)
}

/// An ACL allows the traffic when it lets it through to (or from) each network asked about.
fn acl_allows(acl: &Value, traffic: &Traffic) -> Verdict {
    for network in traffic.networks() {
        if let Err(mut note) = acl_allows_network(acl, traffic, network) {
            if let Note::AclDenies { network: shown, .. } = &mut note {
                *shown = traffic.shown(network);
            }
            return Verdict::fails(note);
        }
    }
    true.into()
}

fn acl_allows_network(acl: &Value, traffic: &Traffic, network: Option<Cidr>) -> Result<(), Note> {
    let v6 = network.is_some_and(|c| c.is_v6());
    let mut entries: Vec<&Value> = acl["Entries"]
        .as_array()
        .map(|e| {
            e.iter()
                .filter(|e| e["Egress"].as_bool() == Some(traffic.egress))
                .filter(|e| entry_network(e, "CidrBlock", "Ipv6CidrBlock", v6).is_some())
                .collect()
        })
        .unwrap_or_default();
    entries.sort_by_key(|e| e["RuleNumber"].as_i64().unwrap_or(i64::MAX));
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
    ports.sort_unstable();
    ports.dedup();
    for port in ports {
        let matched = entries.iter().find(|entry| {
            protocol_matches(&json::display(&entry["Protocol"]), traffic.protocol)
                && entry_ports(entry).is_none_or(|(a, b)| (a..=b).contains(&port))
                && network.is_some_and(|wanted| {
                    entry_network(entry, "CidrBlock", "Ipv6CidrBlock", v6)
                        .is_some_and(|rule| rule.contains(&wanted))
                })
        });
        if !matched.is_some_and(|entry| entry["RuleAction"] == "allow") {
            return Err(Note::AclDenies {
                egress: traffic.egress,
                port,
                rule: matched.and_then(|e| e["RuleNumber"].as_i64()),
                network: None,
            });
        }
    }
    Ok(())
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

/// A group allows the traffic when, for each network asked about, one of its rules admits it.
/// `Err((group, prefix list))` when the only rules that could admit a network name a prefix list
/// whose entries are unknown.
fn group_allows(group: &Value, traffic: &Traffic) -> Result<Verdict, (String, String)> {
    let key = if traffic.egress {
        "IpPermissionsEgress"
    } else {
        "IpPermissions"
    };
    let id = || group["GroupId"].as_str().unwrap_or("the group").to_owned();
    let rules: Vec<&Value> = group[key].as_array().into_iter().flatten().collect();
    for network in traffic.networks() {
        let mut unknown = None;
        let admitted =
            rules.iter().any(
                |permission| match rule_allows(permission, traffic, network) {
                    Admits::Yes => true,
                    Admits::No => false,
                    Admits::Unknown(prefix_list) => {
                        unknown.get_or_insert(prefix_list);
                        false
                    }
                },
            );
        if admitted {
            continue;
        }
        if let Some(prefix_list) = unknown {
            return Err((id(), prefix_list));
        }
        return Ok(Verdict::fails(Note::NoGroupRule {
            egress: traffic.egress,
            group: id(),
            network: traffic.shown(network),
        }));
    }
    Ok(true.into())
}

/// Whether a rule admits traffic to or from one network.
enum Admits {
    Yes,
    No,
    /// Only if this prefix list, whose entries are unknown, holds the network.
    Unknown(String),
}

/// Whether one security group rule (`IpPermission`) admits the traffic to or from `network`
/// (`None`: the other end is known by its groups only): by an address range, a managed prefix
/// list, or a group the other end carries.
fn rule_allows(permission: &Value, traffic: &Traffic, network: Option<Cidr>) -> Admits {
    let protocol_text = json::display(&permission["IpProtocol"]);
    let protocol = protocol_matches(&protocol_text, traffic.protocol);
    let all_ports = protocol_number(&protocol_text) == Some(None);
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
    if !(protocol && ports) {
        return Admits::No;
    }
    let listed = |list: &str| permission[list].as_array().into_iter().flatten();
    let by_group = listed("UserIdGroupPairs")
        .filter_map(|pair| pair["GroupId"].as_str())
        .any(|named| traffic.groups.iter().any(|wanted| wanted == named));
    let Some(wanted) = network else {
        return if by_group { Admits::Yes } else { Admits::No };
    };
    let (ranges, key) = if wanted.is_v6() {
        ("Ipv6Ranges", "CidrIpv6")
    } else {
        ("IpRanges", "CidrIp")
    };
    let by_range = listed(ranges).any(|range| {
        range[key]
            .as_str()
            .and_then(Cidr::parse)
            .is_some_and(|rule| rule.contains(&wanted))
    });
    if by_group || by_range {
        return Admits::Yes;
    }
    let mut unknown = None;
    for prefix_list in listed("PrefixListIds").filter_map(|list| list["PrefixListId"].as_str()) {
        match traffic.prefix_lists.get(prefix_list) {
            Some(Some(networks)) if networks.iter().any(|entry| entry.contains(&wanted)) => {
                return Admits::Yes;
            }
            Some(Some(_)) => {}
            Some(None) | None => {
                unknown.get_or_insert_with(|| prefix_list.to_owned());
            }
        }
    }
    unknown.map_or(Admits::No, Admits::Unknown)
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
            {"RuleNumber": 101, "Protocol": "-1", "RuleAction": "allow", "Egress": true,
             "Ipv6CidrBlock": "::/0"},
            {"RuleNumber": 32767, "Protocol": "-1", "RuleAction": "deny", "Egress": true,
             "CidrBlock": "0.0.0.0/0"},
            {"RuleNumber": 32767, "Protocol": "-1", "RuleAction": "deny", "Egress": false,
             "CidrBlock": "0.0.0.0/0"},
            {"RuleNumber": 32768, "Protocol": "-1", "RuleAction": "deny", "Egress": false,
             "Ipv6CidrBlock": "::/0"}
        ]})
    }

    fn verdict(value: &Value, traffic: Value) -> Verdict {
        allows_traffic(&Subject::Value(value), &traffic).unwrap()
    }

    fn allows(value: &Value, traffic: Value) -> bool {
        verdict(value, traffic).holds
    }

    #[test]
    fn cidr_containment_in_both_families() {
        let parse = |text| Cidr::parse(text).unwrap();
        let vpc = parse("10.0.0.0/16");
        assert!(vpc.contains(&parse("10.0.32.0/19")));
        assert!(vpc.contains(&parse("10.0.1.7")));
        assert!(!vpc.contains(&parse("10.1.0.0/19")));
        assert!(!vpc.contains(&parse("10.0.0.0/8")));
        assert!(parse("0.0.0.0/0").contains(&vpc));
        assert!(Cidr::parse("10.0.0.0/33").is_none());
        let v6 = parse("2600:1f18:aaaa::/56");
        assert!(v6.contains(&parse("2600:1f18:aaaa:00ff::/64")));
        assert!(!v6.contains(&parse("2600:1f18:aaab::/64")));
        assert!(parse("::/0").contains(&v6));
        assert!(!parse("::/0").contains(&vpc), "families never mix");
        assert!(!parse("0.0.0.0/0").contains(&v6));
        assert_eq!(
            parse("2600:1f18:aaaa:1::5/56").to_string(),
            "2600:1f18:aaaa::/56"
        );
        assert!(Cidr::parse("::/129").is_none());
        // A single IPv6 address is a /128: its mask keeps every bit.
        let host = parse("2600:1f18:aaaa:1::5");
        assert_eq!(host.to_string(), "2600:1f18:aaaa:1::5/128");
        assert!(v6.contains(&host));
        assert!(!parse("2600:1f18:aaaa:1::6/128").contains(&host));
        assert!(parse("10.0.0.1/32").contains(&parse("10.0.0.1")));
        let subject = json!(["10.0.1.0/24", "10.0.2.9"]);
        assert!(
            in_cidr(&Subject::Value(&subject), &json!("10.0.0.0/16"))
                .unwrap()
                .holds
        );
        assert!(
            in_cidr(
                &Subject::Value(&subject),
                &json!(["10.0.1.0/24", "10.0.2.0/24"])
            )
            .unwrap()
            .holds,
            "each address in one of the networks"
        );
        assert_eq!(
            in_cidr(&Subject::Value(&subject), &json!("10.0.1.0/24"))
                .unwrap()
                .note,
            Some(Note::Outside {
                address: "10.0.2.9".into(),
                network: "10.0.1.0/24".into()
            })
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
        assert_eq!(
            verdict(
                &acl,
                json!({"direction": "ingress", "port": "1024-65535", "cidr": "0.0.0.0/0"})
            )
            .note,
            Some(Note::AclDenies {
                egress: false,
                port: 2000,
                rule: Some(90),
                network: None
            })
        );
    }

    #[test]
    fn acl_entries_apply_to_their_address_family() {
        let acl = acl();
        // IPv6 egress is allowed by rule 101, which IPv4 traffic never matches.
        assert!(allows(
            &acl,
            json!({"direction": "egress", "port": 80, "cidr": "::/0"})
        ));
        assert_eq!(
            verdict(
                &acl,
                json!({"direction": "ingress", "port": 443, "cidr": "2600::/16"})
            )
            .note,
            Some(Note::AclDenies {
                egress: false,
                port: 443,
                rule: Some(32768),
                network: None
            })
        );
        let v4_only = json!({"Entries": [{"RuleNumber": 1, "Protocol": "-1", "RuleAction": "allow",
            "Egress": true, "CidrBlock": "0.0.0.0/0"}]});
        assert_eq!(
            verdict(
                &v4_only,
                json!({"direction": "egress", "port": 443, "cidr": "::/0"})
            )
            .note,
            Some(Note::AclDenies {
                egress: true,
                port: 443,
                rule: None,
                network: None
            })
        );
    }

    #[test]
    fn security_groups_allow_by_cidr_or_group() {
        let group = json!({"GroupId": "sg-1",
            "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
                               "IpRanges": [{"CidrIp": "10.0.0.0/16"}], "UserIdGroupPairs": [],
                               "Ipv6Ranges": [{"CidrIpv6": "2600:1f18::/48"}]},
                              {"IpProtocol": "-1", "IpRanges": [], "UserIdGroupPairs": [{"GroupId": "sg-nodes"}]}],
            "IpPermissionsEgress": []});
        assert!(allows(
            &group,
            json!({"direction": "ingress", "port": 443, "cidr": "10.0.3.0/24"})
        ));
        assert!(allows(
            &group,
            json!({"direction": "ingress", "port": 443, "cidr": "2600:1f18:0:1::/64"})
        ));
        assert!(!allows(
            &group,
            json!({"direction": "ingress", "port": 443, "cidr": "192.168.0.0/24"})
        ));
        assert!(allows(
            &group,
            json!({"direction": "ingress", "port": 10250, "group": "sg-nodes"})
        ));
        // A node carries several groups: a rule naming any of them admits it.
        assert!(allows(
            &group,
            json!({"direction": "ingress", "port": 10250, "group": ["sg-x", "sg-nodes"]})
        ));
        assert!(!allows(
            &group,
            json!({"direction": "ingress", "port": 10250, "group": ["sg-x", "sg-y"]})
        ));
        assert_eq!(
            verdict(
                &group,
                json!({"direction": "egress", "port": 443, "cidr": "0.0.0.0/0"})
            )
            .note,
            Some(Note::NoGroupRule {
                egress: true,
                group: "sg-1".into(),
                network: None
            })
        );
        let both = json!([group, {"GroupId": "sg-2", "IpPermissions": [], "IpPermissionsEgress": [
            {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]);
        assert!(allows(
            &both,
            json!({"direction": "egress", "port": 443, "cidr": "0.0.0.0/0"})
        ));
    }

    #[test]
    fn bad_operands_and_values_are_reported() {
        assert!(Traffic::parse(&json!({"direction": "sideways", "cidr": "0.0.0.0/0"})).is_err());
        assert!(Traffic::parse(&json!({"direction": "egress"})).is_err());
        assert!(Traffic::parse(&json!({"direction": "egress", "cidr": "x", "port": 1})).is_err());
        assert!(matches!(
            allows_traffic(
                &Subject::Value(&json!("text")),
                &json!({"direction": "egress", "cidr": "0.0.0.0/0"})
            ),
            Err(Undecided::TypeMismatch { .. })
        ));
        assert!(matches!(
            allows_traffic(
                &Subject::Value(&json!({"Entries": []})),
                &json!({"cidr": "x"})
            ),
            Err(Undecided::InvalidOperand { .. })
        ));
    }

    #[test]
    fn security_group_rules_match_protocol_and_ports() {
        let group = |permission: Value| json!({"GroupId": "sg-1", "IpPermissions": [permission], "IpPermissionsEgress": []});
        let https =
            json!({"direction": "ingress", "protocol": "tcp", "port": 443, "cidr": "10.0.0.0/16"});
        let from_vpc = json!([{"CidrIp": "10.0.0.0/16"}]);
        let rule = |protocol: &str, ports: Option<(u16, u16)>| {
            let mut rule = json!({"IpProtocol": protocol, "IpRanges": from_vpc});
            if let Some((from, to)) = ports {
                rule["FromPort"] = json!(from);
                rule["ToPort"] = json!(to);
            }
            group(rule)
        };
        assert!(allows(&rule("tcp", Some((443, 443))), https.clone()));
        assert!(allows(&rule("tcp", Some((1, 1024))), https.clone()));
        assert!(allows(&rule("-1", None), https.clone()));
        assert!(allows(&rule("tcp", None), https.clone()));
        assert!(!allows(&rule("udp", Some((443, 443))), https.clone()));
        assert!(!allows(&rule("tcp", Some((444, 500))), https.clone()));
        assert!(!allows(&rule("tcp", Some((1, 442))), https.clone()));
        assert!(!allows(&rule("bogus", None), https.clone()));
        // A group known by its outbound rules only is a security group too.
        let egress_only = json!({"GroupId": "sg-2", "IpPermissionsEgress": [
            {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]});
        let out = json!({"direction": "egress", "port": 443, "cidr": "0.0.0.0/0"});
        assert!(allows(&egress_only, out));
    }

    #[test]
    fn a_list_of_groups_allows_when_one_does_and_explains_each() {
        let closed = |id: &str| json!({"GroupId": id, "IpPermissions": []});
        let open = json!({"GroupId": "sg-open", "IpPermissions": [
            {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]});
        let https = || json!({"direction": "ingress", "port": 443, "cidr": "10.0.0.0/16"});
        let list = json!([closed("sg-a"), open]);
        assert!(allows(&list, https()));
        let none = json!([closed("sg-a"), closed("sg-b")]);
        match verdict(&none, https()).note {
            Some(Note::Each(notes)) => assert_eq!(notes.len(), 2),
            other => panic!("expected a note per group, got {other:?}"),
        }
        let single = json!([closed("sg-a")]);
        assert!(matches!(
            verdict(&single, https()).note,
            Some(Note::NoGroupRule { .. })
        ));
        assert!(matches!(
            verdict(&json!([]), https()).note,
            Some(Note::NothingSelected)
        ));
    }

    #[test]
    fn each_network_of_a_list_must_pass() {
        let acl = json!({"Entries": [
            {"RuleNumber": 100, "Protocol": "6", "RuleAction": "allow", "Egress": true,
             "CidrBlock": "10.0.0.0/16", "PortRange": {"From": 443, "To": 443}},
            {"RuleNumber": 110, "Protocol": "6", "RuleAction": "allow", "Egress": true,
             "CidrBlock": "52.216.0.0/15", "PortRange": {"From": 443, "To": 443}}]});
        let to = |cidrs: Value| json!({"direction": "egress", "port": 443, "cidr": cidrs});
        assert!(allows(&acl, to(json!(["10.0.1.0/24", "52.216.0.0/15"]))));
        assert_eq!(
            verdict(&acl, to(json!(["10.0.1.0/24", "3.5.0.0/19"]))).note,
            Some(Note::AclDenies {
                egress: true,
                port: 443,
                rule: None,
                network: Some("3.5.0.0/19".into())
            })
        );
        let group = json!({"GroupId": "sg-1", "IpPermissionsEgress": [
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
             "IpRanges": [{"CidrIp": "10.0.0.0/16"}]}]});
        assert!(allows(&group, to(json!(["10.0.1.0/24", "10.0.2.0/24"]))));
        assert_eq!(
            verdict(&group, to(json!(["10.0.1.0/24", "3.5.0.0/19"]))).note,
            Some(Note::NoGroupRule {
                egress: true,
                group: "sg-1".into(),
                network: Some("3.5.0.0/19".into())
            })
        );
        assert!(Traffic::parse(&to(json!(["10.0.0.0/16", "x"]))).is_err());
        assert!(
            Traffic::parse(&to(json!([]))).is_err(),
            "no network and no group"
        );
    }

    #[test]
    fn security_group_rules_naming_a_prefix_list_admit_its_entries() {
        let group = json!({"GroupId": "sg-endpoints", "IpPermissions": [
            {"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
             "PrefixListIds": [{"PrefixListId": "pl-corp"}]}]});
        let entries = json!({"Entries": [{"Cidr": "10.0.0.0/8", "Description": "corporate"},
                                         {"Cidr": "2600:1f18::/32"}]});
        let https = |cidr: &str, prefix_lists: Value| {
            json!({"direction": "ingress", "port": 443, "cidr": cidr,
                   "prefix_lists": prefix_lists})
        };
        assert!(allows(
            &group,
            https("10.20.1.0/24", json!({"pl-corp": entries}))
        ));
        assert!(allows(
            &group,
            https("2600:1f18:1:2::/64", json!({"pl-corp": entries}))
        ));
        assert!(!allows(
            &group,
            https("192.168.0.0/24", json!({"pl-corp": entries}))
        ));
        // Other ports, or a prefix list of other ranges, do not admit it.
        let ssh = json!({"direction": "ingress", "port": 22, "cidr": "10.20.1.0/24",
                         "prefix_lists": {"pl-corp": entries}});
        assert!(!allows(&group, ssh));
        assert!(!allows(
            &group,
            https("10.20.1.0/24", json!({"pl-corp": {"Entries": []}}))
        ));
        // A prefix list whose entries are not given (or could not be read) leaves it undecided,
        // unless another group of the list admits the traffic.
        for unknown in [
            json!({}),
            json!({"pl-corp": {"Error": {"Code": "InvalidPrefixListID.NotFound"}}}),
        ] {
            assert!(matches!(
                allows_traffic(
                    &Subject::Value(&group),
                    &https("10.20.1.0/24", unknown.clone())
                ),
                Err(Undecided::InvalidOperand { .. })
            ));
            let open = json!({"GroupId": "sg-open", "IpPermissions": [
                {"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]});
            assert!(allows(
                &json!([group, open]),
                https("10.20.1.0/24", unknown)
            ));
        }
        assert!(
            Traffic::parse(&https("10.0.0.0/8", json!(["pl-corp"]))).is_err(),
            "prefix lists are a mapping"
        );
        assert!(
            Traffic::parse(&https(
                "10.0.0.0/8",
                json!({"pl-corp": {"Entries": [{"Cidr": "x"}]}})
            ))
            .is_err()
        );
    }
}

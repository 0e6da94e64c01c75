//! IPv4 and IPv6 networks, and the traffic `allows_traffic` asks about, as an operand states
//! them: parsed when a pack loads (for literal operands) and for each row (for templated ones).
//! [`crate::assertion`] tests them against network ACLs and security groups.

use std::collections::BTreeMap;
use std::net::IpAddr;

use serde_json::Value;

use crate::json;

/// An IPv4 or IPv6 network: address and prefix length (a bare address is a /32 or /128).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    v6: bool,
    network: u128,
    prefix: u8,
}

impl Cidr {
    /// Parses `10.0.0.0/16`, `2600:1f18::/56`, or a bare address.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix.parse::<u8>().ok()?)),
            None => (text, None),
        };
        let (v6, bits, width) = match address.parse::<IpAddr>().ok()? {
            IpAddr::V4(address) => (false, u128::from(u32::from(address)), 32),
            IpAddr::V6(address) => (true, u128::from(address), 128),
        };
        let prefix = prefix.unwrap_or(width);
        if prefix > width {
            return None;
        }
        Some(Self {
            v6,
            network: bits & mask(prefix, width),
            prefix,
        })
    }

    /// Whether every address of `other` is in this network (never across address families).
    pub fn contains(&self, other: &Cidr) -> bool {
        self.v6 == other.v6
            && other.prefix >= self.prefix
            && other.network & mask(self.prefix, self.width()) == self.network
    }

    /// Whether this is an IPv6 network.
    pub fn is_v6(&self) -> bool {
        self.v6
    }

    fn width(&self) -> u8 {
        if self.v6 { 128 } else { 32 }
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let address: IpAddr = if self.v6 {
            std::net::Ipv6Addr::from(self.network).into()
        } else {
            std::net::Ipv4Addr::from(self.network as u32).into()
        };
        write!(f, "{address}/{}", self.prefix)
    }
}

/// The network mask of a prefix, within an address `width` bits wide.
fn mask(prefix: u8, width: u8) -> u128 {
    let full = if width == 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    };
    // A shift by the whole width (a /128) would overflow: every bit is then in the mask.
    full & !full.checked_shr(prefix.into()).unwrap_or(0)
}

/// The traffic `allows_traffic` asks about.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Traffic {
    /// Outbound rather than inbound.
    pub(crate) egress: bool,
    /// IANA protocol number (6 tcp, 17 udp, 1 icmp) or `None` for all.
    pub(crate) protocol: Option<u16>,
    /// The first and last port.
    pub(crate) ports: (u16, u16),
    /// The networks at the other end: traffic to (or from) each of them must pass.
    pub(crate) cidrs: Vec<Cidr>,
    /// Security groups the traffic comes from or goes to (any of them).
    pub(crate) groups: Vec<String>,
    /// The networks of the managed prefix lists that security group rules may name, by ID
    /// (`None`: the entries are unknown, as when reading them failed).
    pub(crate) prefix_lists: BTreeMap<String, Option<Vec<Cidr>>>,
}

/// The keys `allows_traffic` takes.
const TRAFFIC_KEYS: [&str; 6] = [
    "direction",
    "protocol",
    "port",
    "cidr",
    "group",
    "prefix_lists",
];

impl Traffic {
    /// Reads `{direction: ingress|egress, protocol: tcp|udp|icmp|all|NUMBER, port: N|"A-B",
    /// cidr: NETWORK | [NETWORK, …], group: sg-… | [sg-…, …], prefix_lists: {pl-…: ENTRIES}}`
    /// (at least one of `cidr` and `group`; a list of networks must each pass; a list of groups
    /// is the groups of one node, any of which a rule may name; `prefix_lists` maps a prefix
    /// list's ID to what `ec2:GetManagedPrefixListEntries` answers for it).
    pub(crate) fn parse(value: &Value) -> Result<Self, String> {
        let field = |name: &str| value.get(name);
        let egress = match field("direction").and_then(Value::as_str) {
            Some("egress") => true,
            Some("ingress") => false,
            _ => return Err("`direction` must be `ingress` or `egress`".to_owned()),
        };
        let protocol = match field("protocol") {
            None => Some(6),
            Some(protocol) => protocol_number(&json::display(protocol))
                .ok_or_else(|| format!("unknown protocol `{}`", json::display(protocol)))?,
        };
        let ports = match field("port") {
            None => (0, u16::MAX),
            Some(port) => port_range(&json::display(port))
                .ok_or("`port` must be a number or a range such as \"32768-60999\"")?,
        };
        let network = |cidr: &Value| {
            Cidr::parse(&json::display(cidr)).ok_or_else(|| {
                format!(
                    "`cidr` must be a network such as 0.0.0.0/0 or ::/0, not `{}`",
                    json::display(cidr)
                )
            })
        };
        let cidrs = match field("cidr") {
            None => Vec::new(),
            Some(Value::Array(cidrs)) => cidrs.iter().map(network).collect::<Result<_, _>>()?,
            Some(cidr) => vec![network(cidr)?],
        };
        let groups: Vec<String> = match field("group") {
            None => Vec::new(),
            Some(Value::Array(groups)) => groups.iter().map(json::display).collect(),
            Some(group) => vec![json::display(group)],
        };
        if cidrs.is_empty() && groups.is_empty() {
            return Err(
                "give the other end as `cidr` (a network) or `group` (a security group ID)"
                    .to_owned(),
            );
        }
        let prefix_lists = match field("prefix_lists") {
            None | Some(Value::Null) => BTreeMap::new(),
            Some(Value::Object(lists)) => lists
                .iter()
                .map(|(id, answer)| Ok((id.clone(), prefix_list_networks(id, answer)?)))
                .collect::<Result<_, String>>()?,
            Some(other) => {
                return Err(format!(
                    "`prefix_lists` must map prefix list IDs to their entries, not `{}`",
                    json::display(other)
                ));
            }
        };
        if let Some(extra) = value
            .as_object()
            .and_then(|o| o.keys().find(|k| !TRAFFIC_KEYS.contains(&k.as_str())))
        {
            return Err(format!(
                "unknown key `{extra}` (expected {})",
                TRAFFIC_KEYS.join(", ")
            ));
        }
        Ok(Self {
            egress,
            protocol,
            ports,
            cidrs,
            groups,
            prefix_lists,
        })
    }

    /// The networks asked about, each once; `None` alone when the other end is only groups.
    pub(crate) fn networks(&self) -> Vec<Option<Cidr>> {
        if self.cidrs.is_empty() {
            vec![None]
        } else {
            self.cidrs.iter().copied().map(Some).collect()
        }
    }

    /// How a note names `network`: only when several networks are asked about.
    pub(crate) fn shown(&self, network: Option<Cidr>) -> Option<String> {
        network
            .filter(|_| self.cidrs.len() > 1)
            .map(|network| network.to_string())
    }
}

/// The networks of one prefix list: its entries as `ec2:GetManagedPrefixListEntries` answers
/// them (`{"Entries": [{"Cidr": …}]}`), or `None` for an answer without entries (an accepted
/// error).
fn prefix_list_networks(id: &str, answer: &Value) -> Result<Option<Vec<Cidr>>, String> {
    let Some(entries) = answer.get("Entries") else {
        return Ok(answer.get("Error").is_none().then(Vec::new));
    };
    entries
        .as_array()
        .into_iter()
        .flatten()
        .map(|entry| {
            entry["Cidr"]
                .as_str()
                .and_then(Cidr::parse)
                .ok_or_else(|| format!("an entry of prefix list {id} has no network: {entry}"))
        })
        .collect::<Result<_, _>>()
        .map(Some)
}

/// `tcp` → 6; `-1`/`all` → all (`Some(None)`); unknown → `None`.
pub(crate) fn protocol_number(text: &str) -> Option<Option<u16>> {
    Some(match text.to_ascii_lowercase().as_str() {
        "-1" | "all" => None,
        "tcp" => Some(6),
        "udp" => Some(17),
        "icmp" => Some(1),
        "icmpv6" | "58" => Some(58),
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

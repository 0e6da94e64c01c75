//! Fleets: the clusters one run checks, across accounts and regions (`--targets FILE`), and the
//! share of them one CI job runs (`--partition hash:M/N`).
//!
//! ```yaml
//! targets:
//!   - regions: [eu-west-2, us-east-1]       # the base credentials' account
//!     clusters: all                         # found with eks:ListClusters
//!   - account: "111122223333"
//!     role_arn: arn:aws:iam::111122223333:role/ekscheck-read
//!     external_id: platform-ci              # optional
//!     regions: [eu-west-1]
//!     clusters: [prod, staging]
//! ```

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, LazyLock};

use regex::Regex;

use crate::diagnostic::{Diagnostic, Location, SourceFile};
use crate::format::yaml::{self, Node, Spanned, location_of};
use crate::suggest;

/// The regions ekscheck knows (a typo is refused before any call, with the closest name).
pub(crate) const REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

static ROLE_ARN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^arn:aws(-cn|-us-gov|-iso|-iso-b)?:iam::(\d{12}):role/[\w+=,.@/-]+$").unwrap()
});
static ACCOUNT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^\d{12}$").unwrap());

/// How a target's calls are signed.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Credentials {
    /// A role to assume from the base credentials.
    pub role_arn: Option<String>,
    /// The external ID the role's trust policy asks for.
    pub external_id: Option<String>,
    /// The session name (default `ekscheck`).
    pub session_name: Option<String>,
    /// A named profile instead of the base credentials.
    pub profile: Option<String>,
}

/// Which clusters of an account and region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Clusters {
    /// Every cluster `eks:ListClusters` lists.
    All,
    /// These.
    Named(Vec<String>),
}

/// One entry of `targets:`: accounts × regions × clusters, before clusters are discovered.
#[derive(Clone, Debug)]
pub struct TargetGroup {
    /// The account, as written (`None`: the base credentials' own).
    pub account: Option<String>,
    /// How to sign its calls.
    pub credentials: Credentials,
    /// Its regions.
    pub regions: Vec<String>,
    /// Its clusters.
    pub clusters: Clusters,
    /// Where it is written (`None`: on the command line, `--cluster`).
    pub location: Option<Location>,
}

/// One cluster of the fleet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The account ID (or `base` when the base credentials' account is not known).
    pub account: String,
    /// The region.
    pub region: String,
    /// The cluster's name.
    pub cluster: String,
    /// How to sign its calls.
    pub credentials: Credentials,
}

impl Target {
    /// `ACCOUNT/REGION/CLUSTER`: the first part of its test names' row labels.
    pub fn label(&self) -> String {
        format!("{}/{}/{}", self.account, self.region, self.cluster)
    }
}

/// Reads a targets file; every problem located.
pub fn load(path: &Path) -> Result<Vec<TargetGroup>, Vec<Diagnostic>> {
    let file = crate::input::read_source(path, crate::input::YAML_LIMIT).map_err(|d| vec![d])?;
    let root = yaml::parse::<Spanned<Node>>(&file).map_err(|d| vec![d])?;
    let mut problems = Vec::new();
    let mut groups = Vec::new();
    let error = |at: Location, message: String, help: &str| {
        Diagnostic::error(at, message).with_help(help.to_owned())
    };
    let entries = match &root.value {
        Node::Map(entries) => entries,
        _ => {
            return Err(vec![error(
                location_of(&file, &root),
                "a targets file is a mapping with `targets:`".into(),
                "write `targets: [{ regions: [eu-west-1], clusters: all }]`",
            )]);
        }
    };
    let mut list = None;
    for (key, value) in entries {
        if key.value == "targets" {
            list = Some(value);
        } else {
            problems.push(error(
                location_of(&file, key),
                format!("unknown key `{}`", key.value),
                "a targets file has `targets:` only",
            ));
        }
    }
    let Some(list) = list else {
        problems.push(error(
            Location::file_start(&file),
            "the targets file has no `targets:`".into(),
            "write `targets: [{ regions: [eu-west-1], clusters: all }]`",
        ));
        return Err(problems);
    };
    let Node::List(items) = &list.value else {
        problems.push(error(
            location_of(&file, list),
            "`targets` must be a list".into(),
            "write one `- regions: …` entry per account",
        ));
        return Err(problems);
    };
    for item in items {
        if let Some(group) = group(&file, item, &mut problems) {
            groups.push(group);
        }
    }
    if problems.is_empty() {
        Ok(groups)
    } else {
        Err(problems)
    }
}

fn group(
    file: &Arc<SourceFile>,
    item: &Spanned<Node>,
    problems: &mut Vec<Diagnostic>,
) -> Option<TargetGroup> {
    let at = |node: &Spanned<Node>| location_of(file, node);
    let Node::Map(entries) = &item.value else {
        problems.push(
            Diagnostic::error(at(item), "a target is a mapping")
                .with_help("write `{ regions: [eu-west-1], clusters: [prod] }`"),
        );
        return None;
    };
    let before = problems.len();
    let text = |value: &Spanned<Node>, key: &str, problems: &mut Vec<Diagnostic>| match &value.value
    {
        Node::String(text) => Some(text.clone()),
        other => {
            problems.push(Diagnostic::error(
                at(value),
                format!("`{key}` must be text, not {}", other.kind()),
            ));
            None
        }
    };
    let mut account = None;
    let mut credentials = Credentials::default();
    let mut regions = None;
    let mut clusters = None;
    let mut account_at = None;
    let mut role_at = None;
    for (key, value) in entries {
        match key.value.as_str() {
            "account" => {
                account_at = Some(at(value));
                account = text(value, "account", problems);
            }
            "role_arn" => {
                role_at = Some(at(value));
                credentials.role_arn = text(value, "role_arn", problems);
            }
            "external_id" => credentials.external_id = text(value, "external_id", problems),
            "session_name" => credentials.session_name = text(value, "session_name", problems),
            "profile" => credentials.profile = text(value, "profile", problems),
            "regions" => regions = Some(value),
            "clusters" => clusters = Some(value),
            other => {
                const KEYS: [&str; 7] = [
                    "account",
                    "role_arn",
                    "external_id",
                    "session_name",
                    "profile",
                    "regions",
                    "clusters",
                ];
                problems.push(
                    Diagnostic::error(location_of(file, key), format!("unknown key `{other}`"))
                        .with_help(suggest::did_you_mean(other, KEYS)),
                );
            }
        }
    }
    if let (Some(account), Some(at)) = (&account, &account_at)
        && !ACCOUNT.is_match(account)
    {
        problems.push(
            Diagnostic::error(at.clone(), format!("`{account}` is not an account ID"))
                .with_help("an account ID is 12 digits, quoted: `account: \"111122223333\"`"),
        );
    }
    if let (Some(role), Some(at)) = (&credentials.role_arn, &role_at) {
        match ROLE_ARN.captures(role) {
            None => problems.push(
                Diagnostic::error(at.clone(), format!("`{role}` is not an IAM role ARN"))
                    .with_help("write e.g. `arn:aws:iam::111122223333:role/ekscheck-read`"),
            ),
            Some(captures) if account.is_some() && account.as_deref() != Some(&captures[2]) => {
                problems.push(
                    Diagnostic::error(at.clone(), "the role is in another account than `account`")
                        .with_help("assume a role of the target's own account"),
                )
            }
            Some(captures) => account = account.or_else(|| Some(captures[2].to_owned())),
        }
    }
    if credentials.role_arn.is_some() && credentials.profile.is_some() {
        problems.push(
            Diagnostic::error(
                at(item),
                "a target has a `role_arn` or a `profile`, not both",
            )
            .with_help("remove one"),
        );
    }
    let regions = regions_of(file, item, regions, problems);
    let clusters = clusters_of(file, item, clusters, problems);
    (problems.len() == before).then(|| TargetGroup {
        account,
        credentials,
        regions,
        clusters,
        location: Some(at(item)),
    })
}

/// A target's `regions`, each an AWS region.
fn regions_of(
    file: &Arc<SourceFile>,
    item: &Spanned<Node>,
    regions: Option<&Spanned<Node>>,
    problems: &mut Vec<Diagnostic>,
) -> Vec<String> {
    let at = |node: &Spanned<Node>| location_of(file, node);
    match regions {
        None => {
            problems.push(
                Diagnostic::error(at(item), "a target needs `regions`")
                    .with_help("write e.g. `regions: [eu-west-1]`"),
            );
            Vec::new()
        }
        Some(node) => names(file, node, "regions", problems)
            .into_iter()
            .filter_map(|(region, location)| {
                if REGIONS.contains(&region.as_str()) {
                    return Some(region);
                }
                problems.push(
                    Diagnostic::error(location, format!("`{region}` is not an AWS region"))
                        .with_help(suggest::did_you_mean(&region, REGIONS.iter().copied())),
                );
                None
            })
            .collect(),
    }
}

/// A target's `clusters`: `all`, or their names.
fn clusters_of(
    file: &Arc<SourceFile>,
    item: &Spanned<Node>,
    clusters: Option<&Spanned<Node>>,
    problems: &mut Vec<Diagnostic>,
) -> Clusters {
    let at = |node: &Spanned<Node>| location_of(file, node);
    match clusters {
        None => {
            problems.push(
                Diagnostic::error(at(item), "a target needs `clusters`")
                    .with_help("write `clusters: all`, or `clusters: [prod, staging]`"),
            );
            Clusters::All
        }
        Some(node) if node.value == Node::String("all".into()) => Clusters::All,
        Some(node) => Clusters::Named(
            names(file, node, "clusters", problems)
                .into_iter()
                .map(|(name, _)| name)
                .collect(),
        ),
    }
}

/// A list of names, each with where it is written.
fn names(
    file: &Arc<SourceFile>,
    node: &Spanned<Node>,
    key: &str,
    problems: &mut Vec<Diagnostic>,
) -> Vec<(String, Location)> {
    let Node::List(items) = &node.value else {
        problems.push(
            Diagnostic::error(location_of(file, node), format!("`{key}` must be a list"))
                .with_help(format!("write `{key}: [a, b]`")),
        );
        return Vec::new();
    };
    let mut seen = HashSet::new();
    items
        .iter()
        .filter_map(|item| match &item.value {
            Node::String(name) if seen.insert(name.clone()) => {
                Some((name.clone(), location_of(file, item)))
            }
            Node::String(name) => {
                problems.push(Diagnostic::error(
                    location_of(file, item),
                    format!("`{name}` is listed twice in `{key}`"),
                ));
                None
            }
            other => {
                problems.push(Diagnostic::error(
                    location_of(file, item),
                    format!("a name in `{key}` is text, not {}", other.kind()),
                ));
                None
            }
        })
        .collect()
}

/// The targets of `groups` once each group's clusters are known (`clusters_of` lists those of a
/// group and region, for `clusters: all`); a target given twice is an error at its second group.
pub fn expand(
    groups: &[TargetGroup],
    mut clusters_of: impl FnMut(&TargetGroup, &str) -> Vec<String>,
) -> Result<Vec<Target>, Vec<Diagnostic>> {
    let mut targets: Vec<Target> = Vec::new();
    let mut labels = HashSet::new();
    let mut problems = Vec::new();
    for group in groups {
        for region in &group.regions {
            let names = match &group.clusters {
                Clusters::Named(names) => names.clone(),
                Clusters::All => clusters_of(group, region),
            };
            for cluster in names {
                let target = Target {
                    account: group.account.clone().unwrap_or_else(|| "base".to_owned()),
                    region: region.clone(),
                    cluster,
                    credentials: group.credentials.clone(),
                };
                let label = target.label();
                if !labels.insert(label.clone()) {
                    let message = format!("target {label} is given twice");
                    let problem = match &group.location {
                        Some(at) => Diagnostic::error(at.clone(), message),
                        None => Diagnostic::unlocated(format!("--cluster: {message}")),
                    };
                    problems.push(problem.with_help("list each account, region and cluster once"));
                    continue;
                }
                targets.push(target);
            }
        }
    }
    if problems.is_empty() {
        Ok(targets)
    } else {
        Err(problems)
    }
}

/// `--partition hash:M/N`: the M-th of N disjoint shares that together cover every target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partition {
    /// Which share, from 1.
    pub(crate) share: u64,
    /// How many shares.
    pub(crate) of: u64,
}

impl Partition {
    /// Parses `hash:M/N`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let help = "write `hash:M/N`, e.g. `--partition hash:1/4` … `hash:4/4`";
        let (share, of) = text
            .strip_prefix("hash:")
            .and_then(|rest| rest.split_once('/'))
            .and_then(|(m, n)| Some((m.parse::<u64>().ok()?, n.parse::<u64>().ok()?)))
            .ok_or_else(|| format!("`{text}` is not a partition: {help}"))?;
        if of == 0 || share == 0 || share > of {
            return Err(format!("`{text}`: M must be from 1 to N, and N at least 1"));
        }
        Ok(Self { share, of })
    }

    /// Whether `label` falls in this share: a stable hash of the label, so every job agrees.
    pub fn includes(&self, label: &str) -> bool {
        // FNV-1a: stable across runs, platforms and versions.
        let hash = label.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
            (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
        });
        hash % self.of == self.share - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_are_disjoint_and_cover_everything() {
        let labels: Vec<String> = (0..500).map(|i| format!("base/eu-west-1/c{i}")).collect();
        for of in 1..=5 {
            let shares: Vec<Partition> = (1..=of)
                .map(|share| Partition::parse(&format!("hash:{share}/{of}")).unwrap())
                .collect();
            for label in &labels {
                let owners = shares.iter().filter(|p| p.includes(label)).count();
                assert_eq!(owners, 1, "{label} in {owners} of {of} shares");
            }
            for share in &shares {
                assert!(
                    labels.iter().any(|l| share.includes(l)),
                    "an empty share of {of}"
                );
            }
        }
    }

    #[test]
    fn a_partition_must_be_a_share_of_at_least_one() {
        for bad in [
            "hash:0/2",
            "hash:3/2",
            "hash:1/0",
            "count:1/2",
            "hash:1",
            "hash:a/b",
        ] {
            assert!(Partition::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Partition::parse("hash:2/3"),
            Ok(Partition { share: 2, of: 3 })
        );
    }
}

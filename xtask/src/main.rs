//! ekscheck's maintenance tasks.
//!
//! `cargo xtask codegen [--check] [--botocore DIR]` reads botocore's service models (the same
//! models the AWS CLI prints its output from) and writes:
//!
//! * `core/src/operations/generated.rs`: the allow-list of operations with their input members, types
//!   and constraints, which `ekscheck validate` checks `params` against;
//! * `src/engine/aws/generated/*.rs`: for each operation, the AWS SDK call with its parameter
//!   setters and, for every structure and enum its response can hold, a converter to the JSON the
//!   AWS CLI prints (member names from the model, enums as strings, pages merged).
//!
//! The SDK's Rust names are derived from the model names the way smithy-rs derives them; a wrong
//! guess fails to compile. `--check` regenerates in memory and fails if the checked-in files differ.

mod emit;
mod model;
mod naming;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use serde_json::Value;

use emit::{dispatch_module, operations_table};
use model::Service;

/// The allow-list: every read-only operation ekscheck may call, by service. Adding an operation
/// is adding its name here and running `cargo xtask codegen`.
const ALLOW_LIST: &[(&str, &[&str])] = &[
    (
        "eks",
        &[
            "DescribeAccessEntry",
            "DescribeAddon",
            "DescribeCluster",
            "DescribeFargateProfile",
            "DescribeNodegroup",
            "DescribePodIdentityAssociation",
            "DescribeUpdate",
            "ListAccessEntries",
            "ListAddons",
            "ListAssociatedAccessPolicies",
            "ListClusters",
            "ListFargateProfiles",
            "ListNodegroups",
            "ListPodIdentityAssociations",
            "ListUpdates",
        ],
    ),
    (
        "ec2",
        &[
            "DescribeCapacityReservations",
            "DescribeDhcpOptions",
            "DescribeImages",
            "DescribeInstanceStatus",
            "DescribeInstanceTypeOfferings",
            "DescribeInstanceTypes",
            "DescribeInstances",
            "DescribeInternetGateways",
            "DescribeLaunchTemplateVersions",
            "DescribeNatGateways",
            "DescribeNetworkAcls",
            "DescribeRouteTables",
            "DescribeSecurityGroupRules",
            "DescribeSecurityGroups",
            "DescribeSnapshots",
            "DescribeSubnets",
            "DescribeVpcAttribute",
            "DescribeVpcBlockPublicAccessExclusions",
            "DescribeVpcBlockPublicAccessOptions",
            "DescribeVpcEndpoints",
            "DescribeVpcs",
            "GetAllowedImagesSettings",
            "GetConsoleOutput",
            "GetEbsDefaultKmsKeyId",
            "GetEbsEncryptionByDefault",
            "GetInstanceMetadataDefaults",
            "GetManagedPrefixListEntries",
        ],
    ),
    (
        "iam",
        &[
            "GetInstanceProfile",
            "GetPolicy",
            "GetPolicyVersion",
            "GetRole",
            "GetRolePolicy",
            "ListAttachedRolePolicies",
            "ListInstanceProfilesForRole",
            "ListOpenIDConnectProviders",
            "ListRolePolicies",
            "SimulatePrincipalPolicy",
        ],
    ),
    ("sts", &["GetCallerIdentity"]),
    ("kms", &["DescribeKey", "GetKeyPolicy", "ListGrants"]),
    (
        "autoscaling",
        &["DescribeAutoScalingGroups", "DescribeScalingActivities"],
    ),
    ("cloudformation", &["DescribeStackEvents", "DescribeStacks"]),
];

/// IAM members of this shape hold URL-encoded JSON, which the AWS CLI decodes and parses. Only
/// IAM's: other policies (a KMS key policy, `PolicyType`) are plain JSON text, and the CLI prints
/// them as strings.
const POLICY_DOCUMENT_SHAPE: (&str, &str) = ("iam", "policyDocumentType");

/// Members the AWS CLI decodes after the call (botocore's `after-call` handlers), by service,
/// structure and member: the converter that does the same, and what the member then holds (for
/// `ekscheck ops`).
const DECODED_MEMBERS: &[DecodedMember] = &[DecodedMember {
    service: "ec2",
    structure: "GetConsoleOutputResult",
    member: "Output",
    converter: "console_output",
    holds: "text: the console output, decoded from base64 as the AWS CLI decodes it",
}];

/// A response member the AWS CLI prints decoded.
pub(crate) struct DecodedMember {
    pub(crate) service: &'static str,
    pub(crate) structure: &'static str,
    pub(crate) member: &'static str,
    /// The function of `src/engine/aws/convert.rs` that decodes it.
    pub(crate) converter: &'static str,
    /// What the member holds once decoded.
    pub(crate) holds: &'static str,
}

/// How the AWS CLI decodes `member` of `structure` in `service`, if it does.
pub(crate) fn decoded(
    service: &str,
    structure: &str,
    member: &str,
) -> Option<&'static DecodedMember> {
    DECODED_MEMBERS.iter().find(|decoded| {
        (decoded.service, decoded.structure, decoded.member) == (service, structure, member)
    })
}

const OPERATIONS_FILE: &str = "core/src/operations/generated.rs";
const AWS_DIR: &str = "src/engine/aws/generated";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("codegen") => codegen(&args[1..]),
        _ => Err("usage: cargo xtask codegen [--check] [--botocore DIR]".to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn codegen(args: &[String]) -> Result<(), String> {
    let check = args.iter().any(|a| a == "--check");
    let botocore = match args.iter().position(|a| a == "--botocore") {
        Some(i) => PathBuf::from(args.get(i + 1).ok_or("--botocore needs a directory")?),
        None => default_botocore()?,
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("xtask is not inside the workspace")?
        .to_path_buf();
    let version = botocore_version(&botocore);
    let services: Vec<Service> = ALLOW_LIST
        .iter()
        .map(|(name, operations)| Service::load(&botocore, name, operations))
        .collect::<Result<_, _>>()?;
    for service in &services {
        service.check_shapes()?;
    }
    let mut files = vec![(
        root.join(OPERATIONS_FILE),
        operations_table(&services, &version),
    )];
    for service in &services {
        files.push((
            root.join(AWS_DIR).join(format!("{}.rs", service.name)),
            service.aws_module(&version)?,
        ));
    }
    files.push((
        root.join(AWS_DIR).join("mod.rs"),
        dispatch_module(&services, &version),
    ));
    let mut stale = Vec::new();
    for (path, text) in files {
        let text = rustfmt(&text)?;
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current == text {
            continue;
        }
        if check {
            stale.push(path.display().to_string());
        } else {
            std::fs::create_dir_all(path.parent().ok_or("bad path")?).map_err(|e| e.to_string())?;
            std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            println!("wrote {}", path.display());
        }
    }
    if stale.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "generated code is out of date (run `cargo xtask codegen`): {}",
            stale.join(", ")
        ))
    }
}

/// botocore's data directory in the project's Python environment (which the tests create).
fn default_botocore() -> Result<PathBuf, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let python = root.join(".venv/bin/python");
    let output = Command::new(&python)
        .args([
            "-c",
            "import botocore, os; print(os.path.dirname(botocore.__file__))",
        ])
        .output()
        .map_err(|e| {
            format!(
                "cannot run {} ({e}): run `cargo test` once to create the Python environment, \
                 or pass --botocore DIR",
                python.display()
            )
        })?;
    if !output.status.success() {
        return Err("botocore is not installed in .venv: pass --botocore DIR".to_owned());
    }
    let dir = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    Ok(PathBuf::from(dir).join("data"))
}

fn botocore_version(data: &Path) -> String {
    let init = data.parent().map(|p| p.join("__init__.py"));
    let text = init
        .and_then(|p| std::fs::read_to_string(p).ok())
        .unwrap_or_default();
    text.lines()
        .find_map(|line| line.strip_prefix("__version__ = "))
        .map(|v| v.trim_matches(['\'', '"']).to_owned())
        .unwrap_or_else(|| "(unknown version)".to_owned())
}

fn rustfmt(text: &str) -> Result<String, String> {
    use std::io::Write;
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2024", "--emit", "stdout"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run rustfmt: {e}"))?;
    child
        .stdin
        .take()
        .ok_or("no stdin")?
        .write_all(text.as_bytes())
        .map_err(|e| e.to_string())?;
    let output = child.wait_with_output().map_err(|e| e.to_string())?;
    if !output.status.success() {
        return Err(format!(
            "rustfmt failed: {}",
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The strings of a model value: one, or a list.
fn strings(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}

fn read_json(path: &Path) -> Result<Value, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let parsed = if path.extension().is_some_and(|e| e == "gz") {
        serde_json::from_reader(flate2::read::GzDecoder::new(file))
    } else {
        serde_json::from_reader(std::io::BufReader::new(file))
    };
    parsed.map_err(|e| format!("{}: {e}", path.display()))
}

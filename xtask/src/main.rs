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

mod naming;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use serde_json::{Map, Value};

use naming::{pascal_case, rust_member_name, snake_case};

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
struct DecodedMember {
    service: &'static str,
    structure: &'static str,
    member: &'static str,
    /// The function of `src/execute/aws/convert.rs` that decodes it.
    converter: &'static str,
    /// What the member holds once decoded.
    holds: &'static str,
}

/// How the AWS CLI decodes `member` of `structure` in `service`, if it does.
fn decoded(service: &str, structure: &str, member: &str) -> Option<&'static DecodedMember> {
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

/// One service model.
struct Service {
    /// `eks`, `ec2`, …: the prefix of IAM actions.
    name: &'static str,
    shapes: Map<String, Value>,
    operations: Vec<OperationModel>,
}

/// One allowed operation of a service.
struct OperationModel {
    name: &'static str,
    input: Option<String>,
    output: Option<String>,
    /// The paginator's `input_token`, `result_key`s and `non_aggregate_keys`.
    pagination: Option<Pagination>,
}

struct Pagination {
    input_tokens: Vec<String>,
    /// The output's members that carry the next page's token, or say there is one.
    output_tokens: Vec<String>,
    result_keys: Vec<String>,
    kept_keys: Vec<String>,
}

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

/// Pages are merged on top-level members of the output (`paginated` in
/// `src/engine/aws/convert.rs`): stop on a paginator whose keys are paths or expressions, or
/// not members at all.
fn check_pagination(
    service: &str,
    operation: &str,
    pagination: &Pagination,
    output_members: Option<&Map<String, Value>>,
) -> Result<(), String> {
    for key in pagination.result_keys.iter().chain(&pagination.kept_keys) {
        if !output_members.is_some_and(|members| members.contains_key(key)) {
            return Err(format!(
                "{service}:{operation}: the paginator's key `{key}` is not a member of the \
                 response, and ekscheck merges pages on members only: teach `paginated` in \
                 src/engine/aws/convert.rs about it first"
            ));
        }
    }
    Ok(())
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

impl Service {
    fn load(data: &Path, name: &'static str, allowed: &[&'static str]) -> Result<Self, String> {
        let mut versions: Vec<PathBuf> = std::fs::read_dir(data.join(name))
            .map_err(|e| format!("{}: {e}", data.join(name).display()))?
            .flatten()
            .map(|entry| entry.path())
            .filter(|path| path.join("service-2.json.gz").is_file())
            .collect();
        versions.sort();
        let latest = versions
            .last()
            .ok_or_else(|| format!("no model for {name}"))?;
        let model = read_json(&latest.join("service-2.json.gz"))?;
        let paginators = match latest.join("paginators-1.json") {
            path if path.is_file() => read_json(&path)?,
            _ => Value::Null,
        };
        Self::from_model(name, &model, &paginators, allowed)
    }

    /// The allowed operations of a service from its model and paginators.
    fn from_model(
        name: &'static str,
        model: &Value,
        paginators: &Value,
        allowed: &[&'static str],
    ) -> Result<Self, String> {
        let shapes = model["shapes"].as_object().cloned().unwrap_or_default();
        let mut operations = Vec::new();
        for &operation in allowed {
            let spec = &model["operations"][operation];
            if spec.is_null() {
                return Err(format!("{name}:{operation} is not in the model"));
            }
            let paginator = &paginators["pagination"][operation];
            let pagination = paginator.is_object().then(|| Pagination {
                input_tokens: strings(&paginator["input_token"]),
                output_tokens: [
                    strings(&paginator["output_token"]),
                    strings(&paginator["more_results"]),
                ]
                .concat(),
                result_keys: strings(&paginator["result_key"]),
                kept_keys: strings(&paginator["non_aggregate_keys"]),
            });
            let output = spec["output"]["shape"].as_str().map(str::to_owned);
            if let Some(pagination) = &pagination {
                let members = output
                    .as_ref()
                    .and_then(|output| model["shapes"][output]["members"].as_object());
                check_pagination(name, operation, pagination, members)?;
            }
            operations.push(OperationModel {
                name: operation,
                input: spec["input"]["shape"].as_str().map(str::to_owned),
                output,
                pagination,
            });
        }
        Ok(Self {
            name,
            shapes,
            operations,
        })
    }

    fn shape(&self, name: &str) -> &Value {
        &self.shapes[name]
    }

    fn kind(&self, name: &str) -> &str {
        self.shape(name)["type"].as_str().unwrap_or_default()
    }

    fn is_enum(&self, name: &str) -> bool {
        self.shape(name).get("enum").is_some()
    }

    fn members<'a>(&'a self, shape: &str) -> impl Iterator<Item = (&'a String, &'a Value)> {
        self.shape(shape)["members"]
            .as_object()
            .into_iter()
            .flat_map(|members| members.iter())
    }

    fn required(&self, shape: &str) -> Vec<String> {
        strings(&self.shape(shape)["required"])
    }

    /// The shapes below `root` (not `root` itself), in a stable order.
    fn reachable(&self, root: &str, found: &mut BTreeSet<String>) {
        let shape = self.shape(root);
        let mut children: Vec<&str> = self
            .members(root)
            .filter_map(|(_, m)| m["shape"].as_str())
            .collect();
        for key in ["member", "key", "value"] {
            children.extend(shape[key]["shape"].as_str());
        }
        for child in children {
            if found.insert(child.to_owned()) {
                self.reachable(child, found);
            }
        }
    }

    /// The input members a pack may set (pagination tokens are ekscheck's business).
    fn input_members(&self, operation: &OperationModel) -> Vec<(&String, &Value)> {
        let Some(input) = &operation.input else {
            return Vec::new();
        };
        let tokens = operation
            .pagination
            .as_ref()
            .map(|p| p.input_tokens.clone())
            .unwrap_or_default();
        self.members(input)
            .filter(|(name, _)| !tokens.contains(name))
            .collect()
    }

    /// The Rust path of the SDK type for a structure or enum shape below an operation's input
    /// or output.
    fn rust_type(&self, shape: &str) -> String {
        format!("types::{}", pascal_case(shape))
    }

    /// The Rust types of output structure `shape`: the output type of every allowed operation
    /// whose output it is (the SDK gives each operation its own), and its type in `types` when
    /// it is also a member of another structure (`children`: the shapes below the outputs).
    fn output_types(&self, shape: &str, children: &BTreeSet<String>) -> Vec<String> {
        let mut types: Vec<String> = self
            .operations
            .iter()
            .filter(|operation| operation.output.as_deref() == Some(shape))
            .map(|operation| {
                format!(
                    "aws_sdk_{}::operation::{}::{}Output",
                    self.name,
                    snake_case(operation.name),
                    pascal_case(operation.name)
                )
            })
            .collect();
        if types.is_empty() || children.contains(shape) {
            types.push(self.rust_type(shape));
        }
        types
    }

    /// Stops on a shape the generated code cannot handle, naming the operation that reaches it,
    /// rather than emitting code that does not compile (or prints what the CLI does not).
    fn check_shapes(&self) -> Result<(), String> {
        for operation in &self.operations {
            for (root, response) in [(&operation.output, true), (&operation.input, false)] {
                let Some(root) = root else { continue };
                let mut shapes = BTreeSet::from([root.clone()]);
                self.reachable(root, &mut shapes);
                for shape in &shapes {
                    if let Some(problem) = self.unsupported(shape, response) {
                        return Err(format!(
                            "{}:{}: its {} holds `{shape}`, {problem}, which the generated code \
                             cannot handle yet: teach xtask/src/main.rs and \
                             src/engine/aws/convert.rs about it first",
                            self.name,
                            operation.name,
                            if response { "response" } else { "input" },
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Why `shape` cannot be converted (in a response, or from parameters), if it cannot.
    fn unsupported(&self, shape: &str, response: bool) -> Option<String> {
        let spec = self.shape(shape);
        let kind = self.kind(shape);
        match kind {
            "structure" if spec["eventstream"] == true => Some("an event stream".to_owned()),
            "structure" if spec["union"] == true => Some("a union".to_owned()),
            "structure" if spec["document"] == true => Some("a document".to_owned()),
            "structure" => {
                let mut below = BTreeSet::new();
                self.reachable(shape, &mut below);
                below
                    .contains(shape)
                    .then(|| "a recursive structure (the SDK boxes it)".to_owned())
            }
            "map" => {
                let key = spec["key"]["shape"].as_str().unwrap_or_default();
                (self.kind(key) != "string" || self.is_enum(key))
                    .then(|| format!("a map whose keys are `{key}`, not plain strings"))
            }
            "blob" if spec["streaming"] == true => Some("a streaming blob".to_owned()),
            "blob" if !response => Some("a blob parameter".to_owned()),
            "list" | "string" | "boolean" | "integer" | "long" | "double" | "timestamp"
            | "blob" => None,
            other => Some(format!("a {other}")),
        }
    }

    /// The module of one service: the calls, then the converters.
    fn aws_module(&self, version: &str) -> Result<String, String> {
        let mut body = String::new();
        let takes_params = self
            .operations
            .iter()
            .any(|operation| !self.input_members(operation).is_empty());
        writeln!(
            body,
            "/// Calls `operation` of {0} with `params`, returning the response as the AWS CLI \
             prints it.\n#[allow(clippy::too_many_lines, reason = \"one match arm per operation\")]\n\
             pub(in crate::engine::aws) async fn call(client: &Client, operation: \
             &str, {1}: &Params<'_>) -> Result<Value, CallError> {{\nmatch operation {{",
            self.name,
            if takes_params { "params" } else { "_params" }
        )
        .ok();
        for operation in &self.operations {
            let mut request = format!("client.{}()", snake_case(operation.name));
            for (member, _) in self.input_members(operation) {
                write!(
                    request,
                    ".set_{}(params.get(\"{member}\")?)",
                    rust_member_name(member).trim_start_matches("r#")
                )
                .ok();
            }
            let call = match &operation.pagination {
                Some(pagination) => format!(
                    "paginated({request}.into_paginator().send(), &[{}], &[{}]).await",
                    quoted(&pagination.result_keys),
                    quoted(&pagination.kept_keys)
                ),
                None => format!("single({request}.send().await)"),
            };
            writeln!(body, "\"{}\" => {call},", operation.name).ok();
        }
        writeln!(
            body,
            "_ => Err(CallError::unregistered(\"{}\", operation)),\n}}\n}}\n",
            self.name
        )
        .ok();
        self.write_converters(&mut body)?;
        let used = |name: &str| body.contains(name);
        let helpers: Vec<&str> = [
            ("FromParam", "FromParam"),
            ("Params", "Params"),
            ("ToCli", "ToCli"),
            ("console_output", "console_output("),
            ("enums", "enums!"),
            ("field", "field("),
            ("object", "object("),
            ("paginated", "paginated("),
            ("policy_document", "policy_document("),
            ("single", "single("),
        ]
        .into_iter()
        .filter(|(_, usage)| used(usage))
        .map(|(name, _)| name)
        .collect();
        let client = if used("types::") {
            "{Client, types}"
        } else {
            "Client"
        };
        // The SDK marks what the model deprecates, but the CLI still prints it.
        let allow_deprecated = if self.uses_deprecated() {
            "\n#![allow(deprecated)] // the AWS CLI prints deprecated members too\n"
        } else {
            ""
        };
        Ok(format!(
            "//! {} operations: SDK calls and AWS CLI-shaped converters.\n//!\n//! Generated by \
             `cargo xtask codegen` from botocore {version}. Do not edit.\n{allow_deprecated}\n\
             use aws_sdk_{}::{client};\nuse serde_json::Value;\n\nuse crate::execute::CallError;\n\
             use crate::engine::aws::convert::{{{}}};\n\n{body}",
            self.name.to_uppercase(),
            self.name,
            helpers.join(", ")
        ))
    }

    /// Whether a shape or member the allowed operations reach is deprecated in the model.
    fn uses_deprecated(&self) -> bool {
        let mut shapes = BTreeSet::new();
        for operation in &self.operations {
            for root in [&operation.input, &operation.output].into_iter().flatten() {
                shapes.insert(root.clone());
                self.reachable(root, &mut shapes);
            }
        }
        shapes.iter().any(|shape| {
            self.shape(shape)["deprecated"] == true
                || self.members(shape).any(|(_, m)| m["deprecated"] == true)
        })
    }

    /// `ToCli` for every structure a response can hold, `FromParam` for every parameter
    /// structure, and both for every enum.
    fn write_converters(&self, out: &mut String) -> Result<(), String> {
        let mut outputs = BTreeSet::new();
        let mut inputs = BTreeSet::new();
        for operation in &self.operations {
            if let Some(output) = &operation.output {
                outputs.insert(output.clone());
                self.reachable(output, &mut outputs);
            }
            if let Some(input) = &operation.input {
                self.reachable(input, &mut inputs);
            }
        }
        let mut children = BTreeSet::new();
        for output in self.operations.iter().filter_map(|o| o.output.as_ref()) {
            self.reachable(output, &mut children);
        }
        for shape in &outputs {
            if self.kind(shape) == "structure" {
                for rust_type in self.output_types(shape, &children) {
                    self.write_to_cli(out, shape, &rust_type);
                }
            }
        }
        for shape in &inputs {
            if self.kind(shape) == "structure" {
                self.write_from_param(out, shape);
            }
        }
        let enums: BTreeSet<String> = outputs
            .iter()
            .chain(&inputs)
            .filter(|shape| self.is_enum(shape))
            .map(|shape| self.rust_type(shape))
            .collect();
        if !enums.is_empty() {
            writeln!(
                out,
                "enums!({});",
                enums.into_iter().collect::<Vec<_>>().join(", ")
            )
            .ok();
        }
        Ok(())
    }

    fn write_to_cli(&self, out: &mut String, shape: &str, rust_type: &str) {
        let members: Vec<String> = self
            .members(shape)
            .map(|(name, member)| {
                let field = format!("self.{}", rust_member_name(name));
                let value = if (self.name, member["shape"].as_str().unwrap_or_default())
                    == POLICY_DOCUMENT_SHAPE
                {
                    format!("policy_document(&{field})")
                } else if let Some(decoded) = decoded(self.name, shape, name) {
                    format!("{}(&{field})", decoded.converter)
                } else {
                    format!("{field}.to_cli()")
                };
                format!("(\"{name}\", {value})")
            })
            .collect();
        writeln!(
            out,
            "impl ToCli for {rust_type} {{\nfn to_cli(&self) -> Option<Value> {{\nobject([{}])\n}}\n}}\n",
            members.join(", ")
        )
        .ok();
    }

    fn write_from_param(&self, out: &mut String, shape: &str) {
        let rust_type = self.rust_type(shape);
        let mut builder = format!("{rust_type}::builder()");
        for (name, _) in self.members(shape) {
            write!(
                builder,
                ".set_{}(field(value, \"{name}\")?)",
                rust_member_name(name).trim_start_matches("r#")
            )
            .ok();
        }
        let built = if self.required(shape).is_empty() {
            format!("Ok({builder}.build())")
        } else {
            format!("{builder}.build().map_err(|error| error.to_string())")
        };
        writeln!(
            out,
            "impl FromParam for {rust_type} {{\nfn from_param(value: &Value) -> Result<Self, \
             String> {{\n{built}\n}}\n}}\n"
        )
        .ok();
    }

    /// The top-level members of `operation`'s response as the AWS CLI prints it (pagination
    /// tokens left out: every page is read), each with a short description of its type, as
    /// `("Name", "type"), …`.
    fn output_summary(&self, operation: &OperationModel) -> String {
        let Some(output) = &operation.output else {
            return String::new();
        };
        let tokens = operation
            .pagination
            .as_ref()
            .map(|p| p.output_tokens.clone())
            .unwrap_or_default();
        self.members(output)
            .filter(|(name, _)| !tokens.contains(name))
            .map(|(name, member)| {
                let shape = member["shape"].as_str().unwrap_or_default();
                if let Some(decoded) = decoded(self.name, output, name) {
                    return format!("({name:?}, {:?})", decoded.holds);
                }
                let kind = match self.kind(shape) {
                    "list" => format!(
                        "list of {}",
                        self.shape(shape)["member"]["shape"]
                            .as_str()
                            .unwrap_or_default()
                    ),
                    "structure" | "map" => shape.to_owned(),
                    _ if self.is_enum(shape) => format!("{shape} (text)"),
                    other => other.to_owned(),
                };
                format!("({name:?}, {kind:?})")
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The name of the static that describes input structure `shape` in the operation table.
    fn structure_static(&self, shape: &str) -> String {
        format!("{}_{}", self.name, snake_case(shape)).to_uppercase()
    }

    /// The `Shape` expression describing an input shape, for the operation table; structures
    /// are named statics (added to `structures`), written once however often they are used.
    fn shape_expression(&self, shape: &str, structures: &mut BTreeSet<String>) -> String {
        let spec = self.shape(shape);
        let bound = |key: &str| match spec[key].as_i64() {
            Some(n) => format!("Some({n})"),
            None => "None".to_owned(),
        };
        match self.kind(shape) {
            "string" if self.is_enum(shape) => {
                format!("Shape::Enum(&[{}])", quoted(&strings(&spec["enum"])))
            }
            "string" => "Shape::String".to_owned(),
            "integer" | "long" => {
                format!(
                    "Shape::Integer {{ min: {}, max: {} }}",
                    bound("min"),
                    bound("max")
                )
            }
            "float" | "double" => "Shape::Number".to_owned(),
            "boolean" => "Shape::Boolean".to_owned(),
            "timestamp" => "Shape::Timestamp".to_owned(),
            "list" => format!(
                "Shape::List(&{})",
                self.shape_expression(
                    spec["member"]["shape"].as_str().unwrap_or_default(),
                    structures
                )
            ),
            "map" => format!(
                "Shape::Map(&{})",
                self.shape_expression(
                    spec["value"]["shape"].as_str().unwrap_or_default(),
                    structures
                )
            ),
            "structure" => {
                structures.insert(shape.to_owned());
                self.structure_static(shape)
            }
            // `check_shapes` has stopped on every other input shape (blobs, floats, unions and
            // documents, which botocore writes as flagged structures) before the table is written.
            other => panic!(
                "{}: input shape {shape} is a {other}, which the operation table cannot describe",
                self.name
            ),
        }
    }

    fn member_list(
        &self,
        shape: &str,
        members: &[(&String, &Value)],
        structures: &mut BTreeSet<String>,
    ) -> String {
        let required = self.required(shape);
        members
            .iter()
            .map(|(name, member)| {
                format!(
                    "Member {{ name: \"{name}\", required: {}, shape: &{} }}",
                    required.contains(name),
                    self.shape_expression(member["shape"].as_str().unwrap_or_default(), structures)
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn quoted(names: &[String]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn operations_table(services: &[Service], version: &str) -> String {
    let mut entries: Vec<(String, String)> = Vec::new();
    let mut statics = Vec::new();
    for service in services {
        let mut structures = BTreeSet::new();
        for operation in &service.operations {
            let api = format!("{}:{}", service.name, operation.name);
            let input = match &operation.input {
                Some(shape) => {
                    service.member_list(shape, &service.input_members(operation), &mut structures)
                }
                None => String::new(),
            };
            let output = service.output_summary(operation);
            entries.push((
                api.clone(),
                format!("Operation {{ api: \"{api}\", input: &[{input}], output: &[{output}] }},"),
            ));
        }
        let mut written = BTreeSet::new();
        while let Some(shape) = structures.difference(&written).next().cloned() {
            let members = service.member_list(
                &shape,
                &service.members(&shape).collect::<Vec<_>>(),
                &mut structures,
            );
            statics.push(format!(
                "/// The `{shape}` structure of {}.\nstatic {}: Shape = Shape::Structure(&[{members}]);\n",
                service.name,
                service.structure_static(&shape)
            ));
            written.insert(shape);
        }
    }
    entries.sort();
    let mut out = format!(
        "//! The allow-list of read-only operations with their input members.\n//!\n//! \
         Generated by `cargo xtask codegen` from botocore {version}. Do not edit: add an \
         operation to the list in `xtask/src/main.rs` instead.\n\nuse super::{{Member, \
         Operation, Shape}};\n\n/// Every operation a pack may call, sorted by name.\npub static \
         OPERATIONS: &[Operation] = &[\n"
    );
    for (_, entry) in entries {
        out.push_str(&entry);
        out.push('\n');
    }
    out.push_str("];\n");
    for item in statics {
        out.push('\n');
        out.push_str(&item);
    }
    out
}

fn dispatch_module(services: &[Service], version: &str) -> String {
    let mut out = format!(
        "//! The SDK calls of every allowed operation, by service.\n//!\n//! Generated by `cargo \
         xtask codegen` from botocore {version}. Do not edit.\n\n"
    );
    for service in services {
        writeln!(out, "mod {};", service.name).ok();
    }
    out.push_str(
        "\nuse serde_json::Value;\n\nuse super::Clients;\nuse super::convert::Params;\nuse \
         crate::execute::CallError;\n\n/// Calls `api` (`service:Operation`) with `params`.\n\
         pub(super) async fn call(clients: &Clients, api: &str, params: &Params<'_>) -> \
         Result<Value, CallError> {\nlet (service, operation) = api.split_once(':').unwrap_or((api, \
         \"\"));\nmatch service {\n",
    );
    for service in services {
        writeln!(
            out,
            "\"{0}\" => {0}::call(&clients.{0}, operation, params).await,",
            service.name
        )
        .ok();
    }
    out.push_str("_ => Err(CallError::unregistered(service, operation)),\n}\n}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A service `name` whose operation `Get` answers `Out { Item: <item> }`, with more shapes.
    fn service_with(name: &'static str, item: Value, shapes: Value) -> Service {
        let mut all = serde_json::Map::new();
        all.insert(
            "Out".into(),
            json!({"type": "structure", "members": {"Item": {"shape": "Item"}}}),
        );
        all.insert("Item".into(), item);
        all.insert("String".into(), json!({"type": "string"}));
        if let Value::Object(shapes) = shapes {
            all.extend(shapes);
        }
        let model = json!({"operations": {"Get": {"output": {"shape": "Out"}}}, "shapes": all});
        Service::from_model(name, &model, &Value::Null, &["Get"]).unwrap()
    }

    fn problem(item: Value, shapes: Value) -> String {
        service_with("svc", item, shapes)
            .check_shapes()
            .expect_err("the generator must stop")
    }

    #[test]
    fn shapes_the_converters_cannot_handle_stop_the_generator_by_name() {
        let union = problem(
            json!({"type": "structure", "union": true, "members": {"A": {"shape": "String"}}}),
            json!({}),
        );
        assert!(
            union.starts_with("svc:Get: its response holds `Item`, a union,"),
            "{union}"
        );
        assert!(
            problem(json!({"type": "structure", "document": true}), json!({}))
                .contains("a document")
        );
        assert!(problem(json!({"type": "float"}), json!({})).contains("`Item`, a float"));
        let enum_keys = problem(
            json!({"type": "map", "key": {"shape": "Kind"}, "value": {"shape": "String"}}),
            json!({"Kind": {"type": "string", "enum": ["a", "b"]}}),
        );
        assert!(enum_keys.contains("keys are `Kind`"), "{enum_keys}");
        let recursive = problem(
            json!({"type": "structure", "members": {"Child": {"shape": "Item"}}}),
            json!({}),
        );
        assert!(recursive.contains("recursive"), "{recursive}");
        // What the converters handle passes: a blob in a response, a map with string keys.
        let fine = service_with(
            "svc",
            json!({"type": "map", "key": {"shape": "String"}, "value": {"shape": "Data"}}),
            json!({"Data": {"type": "blob"}}),
        );
        assert_eq!(fine.check_shapes(), Ok(()));
    }

    #[test]
    fn only_iam_policy_documents_are_parsed() {
        let shapes = json!({"policyDocumentType": {"type": "string"}});
        let item =
            json!({"type": "structure", "members": {"Policy": {"shape": "policyDocumentType"}}});
        let iam = service_with("iam", item.clone(), shapes.clone())
            .aws_module("test")
            .unwrap();
        assert!(
            iam.contains("(\"Policy\", policy_document(&self.policy))"),
            "{iam}"
        );
        // A KMS key policy is JSON text too, but the CLI prints it as a string.
        let kms = service_with("kms", item, shapes)
            .aws_module("test")
            .unwrap();
        assert!(kms.contains("(\"Policy\", self.policy.to_cli())"), "{kms}");
        assert!(!kms.contains("policy_document"), "{kms}");
    }

    #[test]
    fn members_the_cli_decodes_are_decoded_and_described() {
        let model = json!({
            "operations": {"GetConsoleOutput": {"output": {"shape": "GetConsoleOutputResult"}}},
            "shapes": {
                "GetConsoleOutputResult": {"type": "structure", "members": {
                    "InstanceId": {"shape": "String"}, "Output": {"shape": "String"}}},
                "String": {"type": "string"},
            },
        });
        let ec2 = Service::from_model("ec2", &model, &Value::Null, &["GetConsoleOutput"]).unwrap();
        let module = ec2.aws_module("test").unwrap();
        assert!(
            module.contains("(\"Output\", console_output(&self.output))"),
            "{module}"
        );
        assert!(module.contains("(\"InstanceId\", self.instance_id.to_cli())"));
        assert!(
            ec2.output_summary(&ec2.operations[0])
                .contains("\"Output\", \"text: the console output, decoded from base64")
        );
        // The same member of another service's structure is the CLI's as it is.
        let other =
            Service::from_model("svc", &model, &Value::Null, &["GetConsoleOutput"]).unwrap();
        assert!(
            !other
                .aws_module("test")
                .unwrap()
                .contains("console_output(&")
        );
    }

    #[test]
    fn operations_sharing_an_output_shape_each_get_a_converter() {
        let model = json!({
            "operations": {
                "DescribeA": {"output": {"shape": "Out"}},
                "DescribeB": {"output": {"shape": "Out"}},
            },
            "shapes": {
                "Out": {"type": "structure", "members": {"Name": {"shape": "String"}}},
                "String": {"type": "string"},
            },
        });
        let service =
            Service::from_model("svc", &model, &Value::Null, &["DescribeA", "DescribeB"]).unwrap();
        let module = service.aws_module("test").unwrap();
        for output in [
            "aws_sdk_svc::operation::describe_a::DescribeAOutput",
            "aws_sdk_svc::operation::describe_b::DescribeBOutput",
        ] {
            assert!(
                module.contains(&format!("impl ToCli for {output} {{")),
                "{module}"
            );
        }
        assert!(!module.contains("types::Out"), "{module}");
    }

    #[test]
    fn pages_are_merged_on_response_members_only() {
        let model = json!({
            "operations": {"ListA": {"output": {"shape": "Out"}}},
            "shapes": {
                "Out": {"type": "structure", "members": {"Items": {"shape": "List"}}},
                "List": {"type": "list", "member": {"shape": "String"}},
                "String": {"type": "string"},
            },
        });
        let paginator = |key: &str| json!({"pagination": {"ListA": {"input_token": "NextToken", "result_key": key}}});
        assert!(Service::from_model("svc", &model, &paginator("Items"), &["ListA"]).is_ok());
        let nested = Service::from_model("svc", &model, &paginator("Page.Items"), &["ListA"])
            .err()
            .expect("a nested result key stops the generator");
        assert!(
            nested.starts_with("svc:ListA: the paginator's key `Page.Items`"),
            "{nested}"
        );
    }
}

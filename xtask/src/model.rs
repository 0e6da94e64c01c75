//! The service models as the generator reads them: botocore's shapes and the allowed operations
//! of a service, with what its converters need (the shapes a response can hold) and the shapes
//! they cannot handle.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::naming::{pascal_case, snake_case};
use crate::{read_json, strings};

/// One service model.
pub(crate) struct Service {
    /// `eks`, `ec2`, …: the prefix of IAM actions.
    pub(crate) name: &'static str,
    pub(crate) shapes: Map<String, Value>,
    pub(crate) operations: Vec<OperationModel>,
}

/// One allowed operation of a service.
pub(crate) struct OperationModel {
    pub(crate) name: &'static str,
    pub(crate) input: Option<String>,
    pub(crate) output: Option<String>,
    /// The paginator's `input_token`, `result_key`s and `non_aggregate_keys`.
    pub(crate) pagination: Option<Pagination>,
}

pub(crate) struct Pagination {
    pub(crate) input_tokens: Vec<String>,
    /// The output's members that carry the next page's token, or say there is one.
    pub(crate) output_tokens: Vec<String>,
    pub(crate) result_keys: Vec<String>,
    pub(crate) kept_keys: Vec<String>,
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

impl Service {
    pub(crate) fn load(
        data: &Path,
        name: &'static str,
        allowed: &[&'static str],
    ) -> Result<Self, String> {
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
    pub(crate) fn from_model(
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

    pub(crate) fn shape(&self, name: &str) -> &Value {
        &self.shapes[name]
    }

    pub(crate) fn kind(&self, name: &str) -> &str {
        self.shape(name)["type"].as_str().unwrap_or_default()
    }

    pub(crate) fn is_enum(&self, name: &str) -> bool {
        self.shape(name).get("enum").is_some()
    }

    pub(crate) fn members<'a>(
        &'a self,
        shape: &str,
    ) -> impl Iterator<Item = (&'a String, &'a Value)> {
        self.shape(shape)["members"]
            .as_object()
            .into_iter()
            .flat_map(|members| members.iter())
    }

    pub(crate) fn required(&self, shape: &str) -> Vec<String> {
        strings(&self.shape(shape)["required"])
    }

    /// The shapes below `root` (not `root` itself), in a stable order.
    pub(crate) fn reachable(&self, root: &str, found: &mut BTreeSet<String>) {
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
    pub(crate) fn input_members(&self, operation: &OperationModel) -> Vec<(&String, &Value)> {
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
    pub(crate) fn rust_type(&self, shape: &str) -> String {
        format!("types::{}", pascal_case(shape))
    }

    /// The Rust types of output structure `shape`: the output type of every allowed operation
    /// whose output it is (the SDK gives each operation its own), and its type in `types` when
    /// it is also a member of another structure (`children`: the shapes below the outputs).
    pub(crate) fn output_types(&self, shape: &str, children: &BTreeSet<String>) -> Vec<String> {
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
    pub(crate) fn check_shapes(&self) -> Result<(), String> {
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
}

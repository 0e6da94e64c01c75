//! A loopback fixture layer in front of moto, for what moto lacks.
//!
//! Requests pass through to moto unchanged, except:
//! * what moto does not implement is answered from fixtures, as AWS would: EKS access entries,
//!   add-ons and Pod Identity associations; `iam:SimulatePrincipalPolicy` (the role's policies in
//!   moto and the fixture's organization, decided by the `iam` model); `ec2:GetEbsDefaultKmsKeyId`;
//!   VPC Block Public Access; Auto Scaling activities and CloudFormation stacks that failed (moto
//!   has neither); the console output of instances (moto's is a 2006 Xen kernel's, whatever the
//!   instance); the account's EC2 settings, capacity reservations and encrypted AMI snapshots
//!   (`account.rs`);
//! * `DescribeCluster` and `DescribeNodegroup` answers are completed with fixture fields moto
//!   omits (`resourcesVpcConfig.vpcId`, `clusterSecurityGroupId`, endpoint access, `accessConfig`,
//!   `health`, a node group's status);
//! * injected faults: throttling or server errors for a share of requests, shaped as each
//!   service's protocol sends them.
//!
//! Each test starts its own proxy (its own port, fixtures and faults); all share one moto. The
//! real SDK client talks to it, so signing, retries and deserialisation are all real.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Value, json};
use tokio::io::BufReader;
use tokio::net::{TcpListener, TcpStream};

use super::account::Ec2Account;
use super::http::{Message, read_message};
use super::iam::{Context, Organization, Policy, Principal};
use super::{Emulator, emulator};
use super::{block_public_access, query};

/// What moto cannot serve for one cluster.
#[derive(Clone, Debug, Default)]
pub(crate) struct ClusterFixture {
    /// Merged into `DescribeCluster`'s `cluster` object.
    pub cluster: Value,
    /// Merged into `DescribeNodegroup`'s `nodegroup` object, by node group name.
    pub nodegroups: HashMap<String, Value>,
    /// The cluster's access entries (`AccessEntry` objects, with `principalArn`).
    pub access_entries: Vec<Value>,
    /// The cluster's add-ons (`Addon` objects), by name.
    pub addons: HashMap<String, Value>,
    /// The cluster's Pod Identity associations (`PodIdentityAssociation` objects).
    pub pod_identity_associations: Vec<Value>,
    /// Auto Scaling activities (`Activity` objects, newest first), by Auto Scaling group name.
    pub scaling_activities: HashMap<String, Vec<Value>>,
    /// CloudFormation stacks (a `Stack` object and its `StackEvent`s, newest first), by name.
    pub stacks: HashMap<String, (Value, Vec<Value>)>,
    /// The account's default EBS encryption key (`ec2:GetEbsDefaultKmsKeyId`), if not the AWS
    /// managed `alias/aws/ebs`.
    pub ebs_default_kms_key: Option<String>,
    /// The AWS Organization the account is a member of, with its SCPs, which
    /// `iam:SimulatePrincipalPolicy` applies to every role but service-linked ones (the proxy
    /// serves one account).
    pub organization: Option<Organization>,
    /// What `ec2:GetConsoleOutput` answers, by instance ID: the bytes of the console (any, not
    /// only UTF-8), sent in base64 as EC2 sends them. Other instances get moto's.
    pub console_outputs: HashMap<String, Vec<u8>>,
    /// IAM roles this world's account lacks although another world of the shared emulator made
    /// them (a role there is one of per account, such as EC2's Spot service-linked role):
    /// `iam:GetRole` answers NoSuchEntity for them.
    pub absent_roles: Vec<String>,
    /// The region's VPC Block Public Access mode (`InternetGatewayBlockMode`), if not `off`,
    /// and its exclusions (`VpcBlockPublicAccessExclusion` objects).
    pub block_public_access: Option<(String, Vec<Value>)>,
    /// The account's EC2 settings and capacity reservations, which moto lacks.
    pub ec2_account: Ec2Account,
}

/// Requests to fail on purpose.
#[derive(Clone, Debug, Default)]
pub(crate) struct Faults {
    /// Every `n`th request (counting from the first) is throttled, then passes on retry.
    pub throttle_every: Option<usize>,
    /// Every `n`th request answers HTTP 503.
    pub unavailable_every: Option<usize>,
    /// Requests whose IAM action (`service:Operation`) is listed are always throttled.
    pub always_throttle: Vec<String>,
    /// Requests whose IAM action is listed are denied, as when the caller lacks the permission,
    /// with a message naming the action (as IAM and EKS write it).
    pub denied: Vec<String>,
    /// Requests whose IAM action is listed are denied with a message that does not name the
    /// action (as EC2 writes "You are not authorized to perform this operation.").
    pub denied_without_action: Vec<String>,
    /// Requests whose IAM action is listed are answered only after a minute.
    pub stalled: Vec<String>,
}

struct State {
    upstream: String,
    clusters: Mutex<HashMap<String, ClusterFixture>>,
    faults: Faults,
    requests: AtomicUsize,
}

/// A running fixture proxy; it stops when dropped.
pub(crate) struct Proxy {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("a runtime for fixture proxies")
    })
}

impl Proxy {
    /// Starts a proxy in front of the shared emulator.
    pub(crate) fn start(faults: Faults) -> Self {
        Self::start_in(emulator(), faults)
    }

    /// Starts a proxy in front of `emulator`.
    pub(crate) fn start_in(emulator: &Emulator, faults: Faults) -> Self {
        let upstream = emulator.url.trim_start_matches("http://").to_owned();
        let state = Arc::new(State {
            upstream,
            clusters: Mutex::new(HashMap::new()),
            faults,
            requests: AtomicUsize::new(0),
        });
        let listener = runtime()
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let serving = Arc::clone(&state);
        let task = runtime().spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                tokio::spawn(connection(stream, Arc::clone(&serving)));
            }
        });
        Self { url, state, task }
    }

    /// Sets the fixture of cluster `name`.
    pub(crate) fn set_cluster(&self, name: &str, fixture: ClusterFixture) {
        self.state
            .clusters
            .lock()
            .expect("fixtures")
            .insert(name.to_owned(), fixture);
    }

    /// How many requests reached the proxy, faults included.
    pub(crate) fn requests(&self) -> usize {
        self.state.requests.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn connection(stream: TcpStream, state: Arc<State>) {
    let (reader, mut writer) = stream.into_split();
    let mut reader = BufReader::new(reader);
    while let Ok(Some(request)) = read_message(&mut reader).await {
        let response = state.respond(request).await;
        if response.write(&mut writer, false).await.is_err() {
            return;
        }
    }
}

/// The service a signed request is for, from its credential scope
/// (`Credential=AKID/DATE/REGION/SERVICE/aws4_request`).
fn service_of(request: &Message) -> String {
    request
        .header("authorization")
        .and_then(|auth| auth.split("Credential=").nth(1))
        .and_then(|credential| credential.split('/').nth(3))
        .unwrap_or_default()
        .to_owned()
}

/// The IAM action of a request: the EKS route, the `X-Amz-Target` of JSON protocols, or the
/// `Action` of query protocols.
fn action_of(service: &str, method: &str, path: &str, target: Option<&str>, body: &[u8]) -> String {
    let operation = if service == "eks" {
        let segments: Vec<&str> = path.split('?').next().unwrap_or("").split('/').collect();
        match (method, &segments[1..]) {
            ("GET", ["clusters"]) => "ListClusters",
            ("GET", ["clusters", _]) => "DescribeCluster",
            ("GET", ["clusters", _, "node-groups"]) => "ListNodegroups",
            ("GET", ["clusters", _, "node-groups", _]) => "DescribeNodegroup",
            ("GET", ["clusters", _, "access-entries"]) => "ListAccessEntries",
            ("GET", ["clusters", _, "access-entries", _]) => "DescribeAccessEntry",
            ("GET", ["clusters", _, "access-entries", _, "access-policies"]) => {
                "ListAssociatedAccessPolicies"
            }
            ("GET", ["clusters", _, "addons"]) => "ListAddons",
            ("GET", ["clusters", _, "addons", _]) => "DescribeAddon",
            ("GET", ["clusters", _, "pod-identity-associations"]) => "ListPodIdentityAssociations",
            ("GET", ["clusters", _, "pod-identity-associations", _]) => {
                "DescribePodIdentityAssociation"
            }
            _ => "Other",
        }
        .to_owned()
    } else if let Some(target) = target {
        // JSON protocols (KMS) name the operation in `X-Amz-Target: Service.Operation`.
        target.rsplit('.').next().unwrap_or("Other").to_owned()
    } else {
        query::param(&query::form(body), "Action")
            .unwrap_or("Other")
            .to_owned()
    };
    format!("{service}:{operation}")
}

/// The errors the proxy injects.
#[derive(Clone, Copy)]
enum Injected {
    Throttled,
    /// A denial whose message names the action, or not.
    Denied {
        names_action: bool,
    },
}

/// An injected error as `service` sends it (each protocol has its own shape and codes).
fn injected(kind: Injected, service: &str, action: &str) -> Message {
    let denial = |names_action: bool| {
        if names_action {
            format!(
                "User: arn:aws:sts::123456789012:assumed-role/ci/ekscheck is not authorized to \
                 perform: {action}"
            )
        } else {
            "You are not authorized to perform this operation.".to_owned()
        }
    };
    let (message, json_code, ec2_code, query_code, json_status, query_status) = match kind {
        Injected::Throttled => (
            "Rate exceeded".to_owned(),
            "ThrottlingException",
            "RequestLimitExceeded",
            "Throttling",
            429,
            400,
        ),
        Injected::Denied { names_action } => (
            denial(names_action),
            "AccessDeniedException",
            "UnauthorizedOperation",
            "AccessDenied",
            403,
            403,
        ),
    };
    match service {
        "eks" => Message::response(
            json_status,
            &[
                ("Content-Type", "application/json"),
                ("x-amzn-ErrorType", json_code),
            ],
            json!({ "message": message }).to_string().into_bytes(),
        ),
        "ec2" => Message::response(
            if matches!(kind, Injected::Throttled) {
                503
            } else {
                403
            },
            &[("Content-Type", "text/xml")],
            format!(
                "<Response><Errors><Error><Code>{ec2_code}</Code><Message>{message}</Message>\
                 </Error></Errors><RequestID>fixture</RequestID></Response>"
            )
            .into_bytes(),
        ),
        _ => Message::response(
            query_status,
            &[("Content-Type", "text/xml")],
            format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>{query_code}</Code><Message>\
                 {message}</Message></Error><RequestId>fixture</RequestId></ErrorResponse>"
            )
            .into_bytes(),
        ),
    }
}

fn not_found(what: &str) -> Message {
    Message::response(
        404,
        &[
            ("Content-Type", "application/json"),
            ("x-amzn-ErrorType", "ResourceNotFoundException"),
        ],
        json!({ "message": what }).to_string().into_bytes(),
    )
}

/// Merges `patch` into `target`, objects member by member.
fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                merge(target.entry(key.clone()).or_insert(Value::Null), value);
            }
        }
        (target, patch) => *target = patch.clone(),
    }
}

impl State {
    async fn respond(&self, request: Message) -> Message {
        let number = self.requests.fetch_add(1, Ordering::SeqCst) + 1;
        let service = service_of(&request);
        let mut parts = request.start.split(' ');
        let method = parts.next().unwrap_or("").to_owned();
        let path = parts.next().unwrap_or("").to_owned();
        let action = action_of(
            &service,
            &method,
            &path,
            request.header("x-amz-target"),
            &request.body,
        );
        let every = |n: Option<usize>| n.is_some_and(|n| n > 0 && number.is_multiple_of(n));
        if self.faults.always_throttle.contains(&action) || every(self.faults.throttle_every) {
            return injected(Injected::Throttled, &service, &action);
        }
        if self.faults.denied.contains(&action) {
            return injected(Injected::Denied { names_action: true }, &service, &action);
        }
        if self.faults.denied_without_action.contains(&action) {
            return injected(
                Injected::Denied {
                    names_action: false,
                },
                &service,
                &action,
            );
        }
        if self.faults.stalled.contains(&action) {
            tokio::time::sleep(std::time::Duration::from_secs(60)).await;
        }
        if every(self.faults.unavailable_every) {
            return Message::response(503, &[], b"Service Unavailable".to_vec());
        }
        if service == "eks" {
            let segments: Vec<String> = path
                .split('?')
                .next()
                .unwrap_or("")
                .split('/')
                .skip(1)
                .map(query::decode)
                .collect();
            let query_string = path.split_once('?').map(|(_, q)| q).unwrap_or_default();
            let query = query::form(query_string.as_bytes());
            if let Some(response) = self.eks_fixture(&action, &segments, &query) {
                return response;
            }
            let mut response = self.forward(request).await;
            self.complete_eks(&action, &segments, &mut response);
            return response;
        }
        match self.query_fixture(&action, &request.body).await {
            Some(response) => response,
            None if action == "ec2:DescribeSnapshots" => {
                let mut response = self.forward(request).await;
                let account = self.ec2_account();
                account.encrypt_snapshots(&mut response);
                response
            }
            None => self.forward(request).await,
        }
    }

    /// The account's EC2 settings: the first cluster fixture's that has any.
    fn ec2_account(&self) -> Ec2Account {
        let clusters = self.clusters.lock().expect("fixtures");
        clusters
            .values()
            .map(|fixture| &fixture.ec2_account)
            .find(|account| {
                account.instance_metadata_defaults.is_some()
                    || account.allowed_images.is_some()
                    || !account.capacity_reservations.is_empty()
                    || !account.encrypted_snapshots.is_empty()
            })
            .cloned()
            .unwrap_or_default()
    }

    /// Answers the query-protocol operations moto lacks, or lacks the failures of.
    async fn query_fixture(&self, action: &str, body: &[u8]) -> Option<Message> {
        let form = query::form(body);
        if let Some(answer) = self.ec2_account().answer(action, &form) {
            return Some(answer);
        }
        match action {
            "iam:SimulatePrincipalPolicy" => Some(self.simulate(&form).await),
            "iam:GetRole" => {
                let role = query::param(&form, "RoleName")?;
                let clusters = self.clusters.lock().expect("fixtures");
                let absent = clusters
                    .values()
                    .any(|fixture| fixture.absent_roles.iter().any(|absent| absent == role));
                absent.then(|| {
                    query::error(
                        404,
                        "NoSuchEntity",
                        &format!("The role with name {role} cannot be found."),
                    )
                })
            }
            "ec2:GetEbsDefaultKmsKeyId" => {
                let clusters = self.clusters.lock().expect("fixtures");
                let key = clusters
                    .values()
                    .find_map(|fixture| fixture.ebs_default_kms_key.clone())
                    .unwrap_or_else(|| {
                        format!("arn:aws:kms:{}:123456789012:alias/aws/ebs", super::REGION)
                    });
                let body = format!(
                    "<GetEbsDefaultKmsKeyIdResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\
                     <requestId>fixture</requestId><kmsKeyId>{key}</kmsKeyId>\
                     </GetEbsDefaultKmsKeyIdResponse>"
                );
                Some(Message::response(
                    200,
                    &[("Content-Type", "text/xml")],
                    body.into_bytes(),
                ))
            }
            "ec2:GetConsoleOutput" => {
                use base64::Engine as _;
                let instance = query::param(&form, "InstanceId")?;
                let clusters = self.clusters.lock().expect("fixtures");
                let console = clusters
                    .values()
                    .find_map(|fixture| fixture.console_outputs.get(instance))?;
                let output = base64::engine::general_purpose::STANDARD.encode(console);
                let body = format!(
                    "<GetConsoleOutputResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\
                     <requestId>fixture</requestId><instanceId>{instance}</instanceId>\
                     <timestamp>2026-11-27T09:15:00.000Z</timestamp><output>{output}</output>\
                     </GetConsoleOutputResponse>"
                );
                Some(Message::response(
                    200,
                    &[("Content-Type", "text/xml")],
                    body.into_bytes(),
                ))
            }
            "ec2:DescribeVpcBlockPublicAccessOptions"
            | "ec2:DescribeVpcBlockPublicAccessExclusions" => {
                let clusters = self.clusters.lock().expect("fixtures");
                let (mode, exclusions) = clusters
                    .values()
                    .find_map(|fixture| fixture.block_public_access.clone())
                    .unwrap_or_else(|| ("off".to_owned(), Vec::new()));
                Some(block_public_access::answer(action, &mode, &exclusions))
            }
            "autoscaling:DescribeScalingActivities" => {
                let group = query::param(&form, "AutoScalingGroupName")?;
                let clusters = self.clusters.lock().expect("fixtures");
                let activities = clusters
                    .values()
                    .find_map(|fixture| fixture.scaling_activities.get(group))?;
                Some(query::answer(
                    "DescribeScalingActivities",
                    "http://autoscaling.amazonaws.com/doc/2011-01-01/",
                    &json!({ "Activities": activities }),
                ))
            }
            "cloudformation:DescribeStacks" | "cloudformation:DescribeStackEvents" => {
                let name = query::param(&form, "StackName")?;
                let clusters = self.clusters.lock().expect("fixtures");
                let (stack, events) = clusters
                    .values()
                    .find_map(|fixture| fixture.stacks.get(name))?;
                let namespace = "http://cloudformation.amazonaws.com/doc/2010-05-15/";
                Some(if action.ends_with("Events") {
                    query::answer(
                        "DescribeStackEvents",
                        namespace,
                        &json!({ "StackEvents": events }),
                    )
                } else {
                    query::answer("DescribeStacks", namespace, &json!({ "Stacks": [stack] }))
                })
            }
            _ => None,
        }
    }

    /// `iam:SimulatePrincipalPolicy` for a role (users and groups are not simulated): its
    /// attached and inline policies and its permissions boundary, read from moto, with the
    /// request's `PolicyInputList` and `PermissionsBoundaryPolicyInputList`, and the fixture's
    /// organization, decided by the `iam` model.
    async fn simulate(&self, form: &[(String, String)]) -> Message {
        let role_arn = query::param(form, "PolicySourceArn").unwrap_or_default();
        let role = role_arn.rsplit('/').next().unwrap_or_default().to_owned();
        let ask = |action: &'static str, params: Vec<(&'static str, String)>| async move {
            let params: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let answer = self.forward(query::request("iam", action, &params)).await;
            String::from_utf8_lossy(&answer.body).into_owned()
        };
        let found = ask("GetRole", vec![("RoleName", role.clone())]).await;
        if found.contains("<Code>NoSuchEntity</Code>") {
            return query::error(
                404,
                "NoSuchEntity",
                &format!("The role with name {role} cannot be found."),
            );
        }
        // A managed policy's default version.
        let managed = |arn: String| async move {
            let policy = ask("GetPolicy", vec![("PolicyArn", arn.clone())]).await;
            let version = query::elements(&policy, "DefaultVersionId")
                .pop()
                .unwrap_or_default();
            let text = ask(
                "GetPolicyVersion",
                vec![("PolicyArn", arn), ("VersionId", version)],
            )
            .await;
            query::decode(&query::elements(&text, "Document").pop().unwrap_or_default())
        };
        let name_of = |arn: &str| arn.rsplit('/').next().unwrap_or_default().to_owned();
        let mut documents = Vec::new();
        let attached = ask("ListAttachedRolePolicies", vec![("RoleName", role.clone())]).await;
        for arn in query::elements(&attached, "PolicyArn") {
            documents.push((name_of(&arn), managed(arn).await));
        }
        let inline = ask("ListRolePolicies", vec![("RoleName", role.clone())]).await;
        for name in query::elements(&inline, "member") {
            let params = vec![("RoleName", role.clone()), ("PolicyName", name.clone())];
            let text = ask("GetRolePolicy", params).await;
            let document = query::elements(&text, "PolicyDocument")
                .pop()
                .unwrap_or_default();
            documents.push((format!("role_{role}_{name}"), query::decode(&document)));
        }
        for (index, document) in query::list_param(form, "PolicyInputList")
            .into_iter()
            .enumerate()
        {
            documents.push((format!("PolicyInputList.{}", index + 1), document));
        }
        let mut boundary = match query::elements(&found, "PermissionsBoundaryArn").pop() {
            Some(arn) => Some((name_of(&arn), managed(arn).await)),
            None => None,
        };
        if let Some(document) = query::list_param(form, "PermissionsBoundaryPolicyInputList").pop()
        {
            boundary = Some(("PermissionsBoundaryPolicyInputList.1".to_owned(), document));
        }
        // Service-linked roles are not affected by SCPs (AWS Organizations User Guide, SCPs).
        let service_linked = query::elements(&found, "Path")
            .first()
            .is_some_and(|path| path.starts_with("/aws-service-role/"));
        let organization = self
            .clusters
            .lock()
            .expect("fixtures")
            .values()
            .find_map(|fixture| fixture.organization.clone())
            .filter(|_| !service_linked);
        let principal = (|| -> Result<Principal, String> {
            Ok(Principal {
                identity: documents
                    .iter()
                    .map(|(id, text)| Policy::parse(id, text))
                    .collect::<Result<_, _>>()?,
                boundary: boundary
                    .map(|(id, text)| Policy::parse(&id, &text))
                    .transpose()?,
                organization: organization.map(|o| o.policies()).transpose()?,
            })
        })();
        let principal = match principal {
            Ok(principal) => principal,
            Err(error) => return query::error(400, "MalformedPolicyDocument", &error),
        };
        let resources = query::list_param(form, "ResourceArns");
        let results = principal.simulate(
            &query::list_param(form, "ActionNames"),
            (!resources.is_empty()).then_some(resources.as_slice()),
            &Context::from_form(form),
        );
        query::answer(
            "SimulatePrincipalPolicy",
            "https://iam.amazonaws.com/doc/2010-05-08/",
            &json!({ "IsTruncated": false, "EvaluationResults": results }),
        )
    }

    /// Answers the access-entry, add-on and Pod Identity operations moto lacks.
    fn eks_fixture(
        &self,
        action: &str,
        segments: &[String],
        query: &[(String, String)],
    ) -> Option<Message> {
        let clusters = self.clusters.lock().expect("fixtures");
        let cluster_name = segments.get(1)?;
        let lookup = || clusters.get(cluster_name.as_str());
        let missing = || not_found(&format!("No cluster found for name: {cluster_name}."));
        // As EKS does, refuse the access-entry operations to a cluster in CONFIG_MAP mode.
        let config_map = lookup().is_some_and(|fixture| {
            fixture.cluster["accessConfig"]["authenticationMode"] == "CONFIG_MAP"
        });
        if config_map && action.contains("Access") {
            return Some(Message::response(
                400,
                &[
                    ("Content-Type", "application/json"),
                    ("x-amzn-ErrorType", "InvalidRequestException"),
                ],
                json!({"message": "The cluster's authentication mode must be set to one of [API, API_AND_CONFIG_MAP] to perform this operation."})
                    .to_string()
                    .into_bytes(),
            ));
        }
        let entry = |arn: &str| {
            lookup()?
                .access_entries
                .iter()
                .find(|entry| entry["principalArn"] == arn)
                .cloned()
        };
        Some(match action {
            "eks:ListAccessEntries" => match lookup() {
                Some(fixture) => Message::json(
                    200,
                    &json!({ "accessEntries": fixture.access_entries.iter()
                        .map(|entry| entry["principalArn"].clone()).collect::<Vec<_>>() }),
                ),
                None => missing(),
            },
            "eks:DescribeAccessEntry" => match (lookup(), entry(&segments[3])) {
                (None, _) => missing(),
                (Some(_), Some(entry)) => Message::json(200, &json!({ "accessEntry": entry })),
                (Some(_), None) => not_found(&format!(
                    "The specified access entry resource is not found on cluster {cluster_name}."
                )),
            },
            "eks:ListAddons" => match lookup() {
                Some(fixture) => Message::json(
                    200,
                    &json!({ "addons": fixture.addons.keys().collect::<Vec<_>>() }),
                ),
                None => missing(),
            },
            "eks:DescribeAddon" => match lookup().map(|f| f.addons.get(&segments[3])) {
                None => missing(),
                Some(Some(addon)) => Message::json(200, &json!({ "addon": addon })),
                Some(None) => not_found(&format!(
                    "No addon: {} found in cluster: {cluster_name}",
                    segments[3]
                )),
            },
            "eks:ListPodIdentityAssociations" => match lookup() {
                Some(fixture) => {
                    let wanted = |key: &str| {
                        query
                            .iter()
                            .find(|(k, _)| k == key)
                            .map(|(_, v)| v.as_str())
                    };
                    let summaries: Vec<Value> = fixture
                        .pod_identity_associations
                        .iter()
                        .filter(|a| wanted("namespace").is_none_or(|n| a["namespace"] == n))
                        .filter(|a| {
                            wanted("serviceAccount").is_none_or(|s| a["serviceAccount"] == s)
                        })
                        .map(|a| {
                            json!({
                                "clusterName": cluster_name,
                                "namespace": a["namespace"],
                                "serviceAccount": a["serviceAccount"],
                                "associationArn": a["associationArn"],
                                "associationId": a["associationId"],
                            })
                        })
                        .collect();
                    Message::json(200, &json!({ "associations": summaries }))
                }
                None => missing(),
            },
            "eks:DescribePodIdentityAssociation" => {
                let found = lookup().and_then(|fixture| {
                    fixture
                        .pod_identity_associations
                        .iter()
                        .find(|a| a["associationId"] == segments[3].as_str())
                        .cloned()
                });
                match (lookup(), found) {
                    (None, _) => missing(),
                    (Some(_), Some(association)) => {
                        Message::json(200, &json!({ "association": association }))
                    }
                    (Some(_), None) => not_found("The specified association could not be found."),
                }
            }
            "eks:ListAssociatedAccessPolicies" => match (lookup(), entry(&segments[3])) {
                (None, _) => missing(),
                (Some(_), Some(entry)) => Message::json(
                    200,
                    &json!({
                        "clusterName": cluster_name,
                        "principalArn": entry["principalArn"],
                        "associatedAccessPolicies": entry.get("associatedAccessPolicies")
                            .cloned().unwrap_or(json!([]))
                    }),
                ),
                (Some(_), None) => not_found("The specified access entry resource is not found."),
            },
            _ => return None,
        })
    }

    /// Adds the fixture's fields to moto's `DescribeCluster` and `DescribeNodegroup` answers.
    fn complete_eks(&self, action: &str, segments: &[String], response: &mut Message) {
        if !response.start.contains(" 200 ") {
            return;
        }
        let clusters = self.clusters.lock().expect("fixtures");
        let Some(fixture) = segments.get(1).and_then(|name| clusters.get(name)) else {
            return;
        };
        let (key, patch) = match action {
            "eks:DescribeCluster" => ("cluster", &fixture.cluster),
            "eks:DescribeNodegroup" => {
                match segments.get(3).and_then(|ng| fixture.nodegroups.get(ng)) {
                    Some(patch) => ("nodegroup", patch),
                    None => return,
                }
            }
            _ => return,
        };
        let Ok(mut body) = serde_json::from_slice::<Value>(&response.body) else {
            return;
        };
        merge(&mut body[key], patch);
        response.body = body.to_string().into_bytes();
    }

    /// Sends the request to moto on a fresh connection and returns its whole answer.
    async fn forward(&self, request: Message) -> Message {
        let upstream = async {
            let mut stream = TcpStream::connect(&self.upstream).await?;
            let mut request = request;
            request
                .headers
                .retain(|(key, _)| !key.eq_ignore_ascii_case("expect"));
            request.write(&mut stream, true).await?;
            let mut reader = BufReader::new(stream);
            read_message(&mut reader).await
        };
        match upstream.await {
            Ok(Some(response)) => response,
            Ok(None) => Message::response(502, &[], b"moto closed the connection".to_vec()),
            Err(error) => Message::response(502, &[], error.to_string().into_bytes()),
        }
    }
}

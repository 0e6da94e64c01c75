//! What EC2 instances print on their serial console (`ec2:GetConsoleOutput`), for the fixture
//! layer and the tests of the node-join pack's boot-log suite: excerpts that people published
//! from real nodes, each with where it was published. Lines are quoted as published (the
//! reporters' own cuts are kept, `…` included); a line that only a program's source code shows
//! (no published instance of it was found) is marked as such, with the file and line it is
//! rendered from.

/// Where an excerpt's lines come from.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Origin {
    /// Pasted from a node's console, or from cloud-init's output (which cloud-init prints on the
    /// console too).
    Console,
    /// Pasted from a node's journal: the same text reaches the console (a systemd status line, or
    /// a unit whose output goes to the console), as the note says.
    Journal(&'static str),
    /// AWS documentation.
    Documented,
    /// Not published: rendered from the format string at this file and line.
    SourceOnly(&'static str),
}

/// Lines of a console, and where they were published.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Excerpt {
    /// The URL of the issue, pull request or page, and whose comment when not the description.
    pub source: &'static str,
    /// How the lines were obtained.
    pub origin: Origin,
    /// The lines.
    pub text: &'static str,
}

impl Excerpt {
    /// Where the excerpt comes from and how, for messages.
    pub(crate) fn cited(&self) -> String {
        let how = match self.origin {
            Origin::Console => "a console".to_owned(),
            Origin::Journal(note) => format!("a journal ({note})"),
            Origin::Documented => "AWS documentation".to_owned(),
            Origin::SourceOnly(rendered) => format!("not published, rendered from {rendered}"),
        };
        format!("{} [{how}]", self.source)
    }

    /// Whether someone published these lines (rather than a program's source code only).
    pub(crate) fn is_published(&self) -> bool {
        !matches!(self.origin, Origin::SourceOnly(_))
    }
}

// --- Amazon Linux 2: cloud-init and bootstrap.sh ---

/// bootstrap.sh without the endpoint and CA, in a subnet with no way to the EKS API.
pub(crate) const AL2_EKS_API_TIMEOUT: Excerpt = Excerpt {
    source: "https://github.com/awslabs/amazon-eks-ami/issues/999 (comment by orirawlings, 2024-03-20)",
    origin: Origin::Console,
    text: "2024-03-20T15:00:46+0000 [eks-bootstrap] INFO: --b64-cluster-ca or --apiserver-endpoint is not defined, describing cluster...\n\
\n\
Connect timeout on endpoint URL: \"https://eks.us-west-2.amazonaws.com/clusters/eks-prod-us-west-2\"\n\
Exited with error on line 358\n",
};

/// The AWS CLI's other connection failure to the EKS API, from an EC2 instance.
pub(crate) const AWS_CLI_EKS_API_UNREACHABLE: Excerpt = Excerpt {
    source: "https://github.com/aws/aws-cli/issues/4790 (description; the AWS CLI on an EC2 instance, as bootstrap.sh runs it)",
    origin: Origin::Console,
    text: "Could not connect to the endpoint URL: \"https://eks.us-east-1.amazonaws.com/clusters/clustername\"\n",
};

/// bootstrap.sh giving up its DescribeCluster retries.
pub(crate) const AL2_EKS_API_RETRIES_EXHAUSTED: Excerpt = Excerpt {
    source: "awslabs/amazon-eks-ami templates/al2/runtime/bootstrap.sh @0ab842803d82",
    origin: Origin::SourceOnly(
        "templates/al2/runtime/bootstrap.sh:371 `log \"ERROR: Exhausted retries while describing \
         cluster!\"`, with the prefix of `log` (l.44-45) and of cloud-init on the console",
    ),
    text: "[   98.201318] cloud-init[2394]: 2024-03-20T15:07:12+0000 [eks-bootstrap] ERROR: Exhausted retries while describing cluster!\n",
};

/// DescribeCluster throttled at mass scale-out.
pub(crate) const AL2_EKS_API_THROTTLED: Excerpt = Excerpt {
    source: "https://github.com/awslabs/amazon-eks-ami/pull/218 (comment by arun-amzn, 2019-03-15)",
    origin: Origin::Console,
    text: "An error occurred (TooManyRequestsException) when calling the DescribeCluster operation (reached max retries: 4): Too Many Requests\n",
};

/// The waiter bootstrap.sh runs, throttled.
pub(crate) const AL2_EKS_WAITER_THROTTLED: Excerpt = Excerpt {
    source: "https://github.com/awslabs/amazon-eks-ami/issues/720 (description)",
    origin: Origin::Console,
    text: "Waiter ClusterActive failed: Too Many Requests\n",
};

/// A user data script that failed (after bootstrap.sh completed), as cloud-init reports it.
pub(crate) const AL2_USER_DATA_SCRIPT_FAILED: Excerpt = Excerpt {
    source: "https://github.com/terraform-aws-modules/terraform-aws-eks/issues/2634 (description, 2023-05-29; cloud-init-output.log)",
    origin: Origin::Console,
    text: "/var/lib/cloud/instance/scripts/part-001: line 23: --b64-cluster-ca: command not found\n\
May 29 12:29:51 cloud-init[2415]: util.py[WARNING]: Failed running /var/lib/cloud/instance/scripts/part-001 [127]\n\
May 29 12:29:51 cloud-init[2415]: cc_scripts_user.py[WARNING]: Failed to run module scripts-user (scripts in /var/lib/cloud/instance/scripts)\n\
May 29 12:29:51 cloud-init[2415]: util.py[WARNING]: Running module scripts-user (<module 'cloudinit.config.cc_scripts_user' from '/usr/lib/python2.7/site-packages/cloudinit/config/cc_scripts_user.pyc'>) failed\n\
Cloud-init v. 19.3-46.amzn2 finished at Mon, 29 May 2023 12:29:51 +0000. Datasource DataSourceEc2.  Up 47.47 seconds\n",
};

/// User data that is neither MIME multi-part nor a script: cloud-init ignores it.
pub(crate) const CLOUD_INIT_NOT_MULTIPART: Excerpt = Excerpt {
    source: "canonical/cloud-init cloudinit/handlers/__init__.py @04eacd06ee60 (no EKS node's line was found published)",
    origin: Origin::SourceOnly(
        "cloudinit/handlers/__init__.py:240 `\"Unhandled non-multipart (%s) userdata: %s\"` with \
         NOT_MULTIPART_TYPE `text/x-not-multipart` and the first 24 characters of the user data, \
         in the log format of cloudinit/log/loggers.py:24, on the console as in \
         https://github.com/awslabs/amazon-eks-ami/issues/1821",
    ),
    text: "[    9.620333] cloud-init[1684]: 2024-05-29 08:27:46,748 - __init__.py[WARNING]: Unhandled non-multipart (text/x-not-multipart) userdata: '/etc/eks/bootstrap.sh my...'\n",
};

/// The pause image could not be pulled (AL2), so kubelet's dependency failed.
pub(crate) const AL2_SANDBOX_IMAGE_FAILED: Excerpt = Excerpt {
    source: "https://github.com/awslabs/amazon-eks-ami/issues/990 (description, liorfranko; the first two lines)",
    origin: Origin::Journal(
        "systemd prints `Failed to start …` on the console too while the boot runs",
    ),
    text: "Aug 15 11:54:34 ip-10-208-73-71 systemd: sandbox-image.service: main process exited, code=exited, status=2/INVALIDARGUMENT\n\
Aug 15 11:54:34 ip-10-208-73-71 systemd: Failed to start pull sandbox image defined in containerd config.toml.\n",
};

/// The same, with what follows: kubelet's dependency failed, and bootstrap.sh's
/// `systemctl start kubelet` says so.
pub(crate) const AL2_SANDBOX_IMAGE_AND_KUBELET: Excerpt = Excerpt {
    source: "https://github.com/awslabs/amazon-eks-ami/issues/990 (description, liorfranko)",
    origin: Origin::Journal(
        "systemd's status lines reach the console during the boot, and `user-data:` is \
         bootstrap.sh's stderr, which cloud-init prints there",
    ),
    text: "Aug 15 11:54:34 ip-10-208-73-71 systemd: sandbox-image.service: main process exited, code=exited, status=2/INVALIDARGUMENT\n\
Aug 15 11:54:34 ip-10-208-73-71 systemd: Failed to start pull sandbox image defined in containerd config.toml.\n\
Aug 15 11:54:34 ip-10-208-73-71 systemd: Dependency failed for Kubernetes Kubelet.\n\
Aug 15 11:54:34 ip-10-208-73-71 user-data: A dependency job for kubelet.service failed. S…\n",
};

// --- Amazon Linux 2023: nodeadm ---

/// nodeadm-config failed, and nodeadm-run with it (a Karpenter node).
pub(crate) const AL2023_NODEADM_FAILED: Excerpt = Excerpt {
    source: "https://github.com/aws/karpenter-provider-aws/issues/7889 (description, 2025-03-13)",
    origin: Origin::Console,
    text: "Failed to start nodeadm-co.service - EKS Nodeadm Config\n\
Dependency failed for nodeadm-run.service - EKS Nodeadm Run.\n",
};

/// AL2-style user data on AL2023: nodeadm-config failed, the bootstrap.sh stub refused, and
/// cloud-final failed. The reporter's copy lost the brackets of systemd's status lines.
pub(crate) const AL2023_BOOTSTRAP_SH_USER_DATA: Excerpt = Excerpt {
    source: "https://github.com/awslabs/amazon-eks-ami/issues/2426 (description, alexccp, 2025-09-10)",
    origin: Origin::Console,
    text: "> FAILED Failed to start nodeadm-co.service - EKS Nodeadm Config.\n\
> DEPEND Dependency failed for noderun.service - EKS Nodeadm Run.\n\
> ERROR: bootstrap.sh has been removed from AL2023-based EKS AMIs.\n\
> EKS nodes are now initialized by nodeadm.\n\
> Cloud-init v. 22.2.2 finished at Wed, 10 Sep 2025 12:53:14 +0000. Datasource DataSourceEc2.\n\
> FAILED Failed to start cloud-fina… Execute cloud user/final scripts.\n",
};

/// The bootstrap.sh stub of AL2023 alone (the middle lines of the excerpt above).
pub(crate) const AL2023_BOOTSTRAP_SH_REMOVED: Excerpt = Excerpt {
    source: "https://github.com/awslabs/amazon-eks-ami/issues/2426 (description, alexccp, 2025-09-10; its third and fourth lines)",
    origin: Origin::Console,
    text: "> ERROR: bootstrap.sh has been removed from AL2023-based EKS AMIs.\n\
> EKS nodes are now initialized by nodeadm.\n",
};

/// A node without /etc/eks/bootstrap.sh (AL2023 before November 2024 has none; this one is
/// Ubuntu's).
pub(crate) const BOOTSTRAP_SH_NOT_FOUND: Excerpt = Excerpt {
    source: "https://github.com/terraform-aws-modules/terraform-aws-eks/issues/1179 (comment by indraindrajit71, 2021-01-08)",
    origin: Origin::Console,
    text: "/var/lib/cloud/instance/scripts/part-001: line 7: /etc/eks/bootstrap.sh: No such file or directory\n",
};

/// nodeadm's own error on the console (AMIs from v20260224 send nodeadm's stderr there, in the
/// console encoding of v20251217).
pub(crate) const AL2023_NODEADM_VALIDATION: Excerpt = Excerpt {
    source: "awslabs/amazon-eks-ami nodeadm @81fec2e89585 (no published console line was found)",
    origin: Origin::SourceOnly(
        "nodeadm/internal/api/validation.go:7-20 `Name is missing in cluster configuration`, \
         logged by nodeadm/internal/cli/main.go:35 `log.Fatal(\"Command failed\", …)` in the \
         console encoding of #2552 and sent to the console by #2620 (`nodeadm-config`: \
         StandardError=journal+console)",
    ),
    text: "[   12.345678] nodeadm[1234]: fatal cli/main.go:35 Command failed {\"error\": \"Name is missing in cluster configuration\"}\n",
};

/// nodeadm-config could not reach EC2 (DescribeInstances) in ten minutes.
pub(crate) const AL2023_NODEADM_EC2_TIMEOUT: Excerpt = Excerpt {
    source: "https://github.com/awslabs/amazon-eks-ami/issues/2423 (description, reckless-huang, 2025-09-08)",
    origin: Origin::Journal(
        "nodeadm's stderr reaches the console from AMI v20260224 \
         (https://github.com/awslabs/amazon-eks-ami/pull/2620)",
    ),
    text: "Sep 08 02:54:27 localhost nodeadm[50500]: SDK 2025/09/08 02:54:27 DEBUG attempting waiter request, attempt count: 1\n\
Sep 08 03:04:27 localhost nodeadm[50500]: SDK 2025/09/08 03:04:27 DEBUG request failed with unretryable error https response error StatusCode: 0, RequestID: , canceled, context deadline exceeded\n\
Sep 08 03:04:27 localhost nodeadm[50500]: {\"level\":\"fatal\",\"ts\":1757300667.2454364,\"caller\":\"nodeadm/main.go:36\",\"msg\":\"Command failed\",\"error\":\"expected err to be of type smithy.APIError, got operation error EC2: DescribeInstances, https response error StatusCode: 0, RequestID: , canceled, context deadline exceeded\",\"stacktrace\":\"main.main\\n\\t/workdir/cmd/nodeadm/main.go:36\\nruntime.main\\n\\t/root/sdk/go1.24.4/src/runtime/proc.go:283\"}\n",
};

// --- kubelet ---

/// Bottlerocket: kubelet failed after a healthy boot.
pub(crate) const BOTTLEROCKET_KUBELET_FAILED: Excerpt = Excerpt {
    source: "https://github.com/bottlerocket-os/bottlerocket/issues/3630 (description, VariableExp0rt)",
    origin: Origin::Console,
    text: "[  OK  ] Started containerd container runtime.\n\
\x20        Starting Kubelet...\n\
[  OK  ] Finished Send boot success.\n\
[FAILED] Failed to start Kubelet.\n\
See 'systemctl status kubelet.service' for details.\n\
[  OK  ] Reached target Multi-User System.\n",
};

/// AL2023: kubelet without the environment file nodeadm writes.
pub(crate) const AL2023_KUBELET_FAILED: Excerpt = Excerpt {
    source: "https://github.com/awslabs/amazon-eks-ami/issues/2123 (description, darox, 2025-01-24)",
    origin: Origin::Journal(
        "systemd prints `Failed to start …` on the console too while the boot runs",
    ),
    text: "Jan 24 08:06:51 ip-10-1-0-222.eu-central-1.compute.internal systemd[1]: kubelet.service: Failed with result 'resources'.\n\
Jan 24 08:06:51 ip-10-1-0-222.eu-central-1.compute.internal systemd[1]: Failed to start kubelet.service - Kubernetes Kubelet.\n\
Jan 24 08:06:56 ip-10-1-0-222.eu-central-1.compute.internal systemd[1]: kubelet.service: Scheduled restart job, restart counter is at 442.\n",
};

// --- Bottlerocket: settings, pluto ---

/// User data that is not TOML.
pub(crate) const BOTTLEROCKET_TOML_REFUSED: Excerpt = Excerpt {
    source: "https://github.com/aws/karpenter-provider-aws/issues/3536 (description, 2023-03-05)",
    origin: Origin::Console,
    text: "[    3.918631] early-boot-config[3439]: Provider error: Unable to serialize settings from instance user data: Error parsing TOML user data: expected an equals, found a colon at line 1 column 13\n\
\n\
[FAILED] Failed to start Bottlerocket userdata configuration system.\n\
\n\
See 'systemctl status early-boot-config.service' for details.\n",
};

/// A table defined twice.
pub(crate) const BOTTLEROCKET_TOML_REDEFINED: Excerpt = Excerpt {
    source: "https://github.com/bottlerocket-os/bottlerocket/issues/3671 (description)",
    origin: Origin::Console,
    text: "[    2.376063] early-boot-config[1038]: Provider error: Unable to serialize settings from instance user data: Error parsing TOML user data: redefinition of table `settings.kubernetes` for key `settings.kubernetes` at line 10 column 1\n\
[FAILED] Failed to start Bottlerocket userdata configuration system.\n",
};

/// No [settings] table.
pub(crate) const BOTTLEROCKET_NO_SETTINGS: Excerpt = Excerpt {
    source: "https://github.com/bottlerocket-os/bottlerocket/issues/1470 (description)",
    origin: Origin::Console,
    text: "[    8.869121] early-boot-config[2935]: Provider error: TOML data did not contain 'settings' section\n",
};

/// A setting the API refused.
pub(crate) const BOTTLEROCKET_SETTINGS_REFUSED: Excerpt = Excerpt {
    source: "https://github.com/bottlerocket-os/bottlerocket/issues/4135 (description, 2024-08-09)",
    origin: Origin::Console,
    text: "         Starting Bottlerocket userdata configuration system...\n\
\n\
[    3.428743] early-boot-config[1329]: Error PATCHing '/settings?tx=bottlerocket-launch': Status 500 when PATCHing /settings?tx=bottlerocket-launch: Error serializing Settings: 'unit' not allowed by Serializer\n\
[FAILED] Failed to start Bottlerocket userdata configuration system.\n\
\n\
See 'systemctl status early-boot-config.service' for details.\n\
\n\
[DEPEND] Dependency failed for Bottlerocket initial configuration complete.\n\
\n\
[DEPEND] Dependency failed for Isolates configured.target.\n\
\n\
[DEPEND] Dependency failed for Applies settings to create config files.\n",
};

/// Bad TOML, and everything after it: containerd and kubelet's dependency (note the mojibake of
/// systemd's `…`).
pub(crate) const BOTTLEROCKET_TOML_AND_KUBELET: Excerpt = Excerpt {
    source: "https://github.com/bottlerocket-os/bottlerocket/issues/1346 (description, bcressey, 2021-02-23)",
    origin: Origin::Console,
    text: "   11.842376] early-boot-config[2778]: Provider error: Error parsing TOML user data: expected a table key, found a right bracket at line 1 column 1\n\
[FAILED] Failed to start Bottlerocket userdata configuration system.\n\
See 'systemctl status early-boot-config.service' for details.\n\
[DEPEND] Dependency failed for Bottlerocket \u{e2}\u{a6}nd dynamic configuration complete.\n\
[FAILED] Failed to start containerd container runtime.\n\
See 'systemctl status containerd.service' for details.\n\
[DEPEND] Dependency failed for Kubelet.\n",
};

/// pluto could not reach EC2 from a private subnet.
pub(crate) const BOTTLEROCKET_EC2_TIMEOUT: Excerpt = Excerpt {
    source: "https://github.com/bottlerocket-os/bottlerocket/issues/3064 (comment by jpmcb, 2023-05-01)",
    origin: Origin::Console,
    text: "[   27.562077] sundog[1145]: Setting generator 'pluto private-dns-name' failed with exit code 1 - stderr: Error describing instance 'i-0b01925b70255a154': dispatch failure: timeout: error trying to connect: HTTP connect timeout occurred after 3.1s: HTTP connect timeout occurred after 3.1s: timed out (DispatchFailure(DispatchFailure { source: ConnectorError { kind: Timeout, source: hyper::Error(Connect, HttpTimeoutError { kind: \"HTTP connect\", duration: 3.1s }) } }))\n\
[FAILED] Failed to start User-specified setting generators.\n\
See 'systemctl status sundog.service' for details.\n\
[DEPEND] Dependency failed for Applies settings to create config files.\n\
[DEPEND] Dependency failed for Send signal to CloudFormation Stack.\n\
[DEPEND] Dependency failed for Bottlerocket initial configuration complete.\n\
[DEPEND] Dependency failed for Isolates configured.target.\n\
[DEPEND] Dependency failed for Sets the hostname.\n",
};

/// pluto timed out behind a proxy.
pub(crate) const BOTTLEROCKET_PRIVATE_DNS_TIMEOUT: Excerpt = Excerpt {
    source: "https://github.com/bottlerocket-os/bottlerocket/issues/3525 (description, sonalita, 2023-10-13)",
    origin: Origin::Console,
    text: "[  303.392308] sundog[1343]: Setting generator 'pluto private-dns-name' failed with exit code 1 - stderr: Timed out retrieving private DNS name from EC2: deadline has elapsed\n\
[FAILED] Failed to start User-specified setting generators\n",
};

/// pluto as a unit of its own (newer releases).
pub(crate) const BOTTLEROCKET_PLUTO_TIMEOUT: Excerpt = Excerpt {
    source: "https://github.com/bottlerocket-os/bottlerocket/issues/4779 (comment by guessi, 2026-03-11)",
    origin: Origin::Console,
    text: "pluto[1534]: Timed out retrieving private DNS name from EC2: deadline has elapsed\n",
};

/// pluto denied ec2:DescribeInstances by an explicit deny.
pub(crate) const BOTTLEROCKET_EC2_DENIED: Excerpt = Excerpt {
    source: "https://github.com/bottlerocket-os/bottlerocket-core-kit/pull/849 (description)",
    origin: Origin::Console,
    text: "[   15.211729] settings-committer[1665]: 22:20:04 [INFO] Committing settings.\n\
[   16.224034] pluto[1671]: 22:20:05 [ERROR] EC2 DescribeInstances attempt failed, will retry: code=UnauthorizedOperation message=You are not authorized to perform this operation. User: arn:aws:sts::xyz:assumed-role/eksctl-bottlerocket-cluster-135-no-NodeInstanceRole-xxxx//i-abc is not authorized to perform: ec2:DescribeInstances with an explicit deny in an identity-based policy\n",
};

// --- The instance metadata service, Windows ---

/// cloud-init cannot reach the instance metadata service (an AL2023-based CIS image, not an EKS
/// node: cloud-init prints the same on any EC2 Linux console).
pub(crate) const CLOUD_INIT_IMDS_UNREACHABLE: Excerpt = Excerpt {
    source: "https://github.com/ansible-lockdown/AMAZON2023-CIS/issues/80 (description)",
    origin: Origin::Console,
    text: "[  137.439805] cloud-init[3385]: 2024-06-20 21:51:32,724 - url_helper.py[WARNING]: Exception(s) [UrlError(\"HTTPConnectionPool(host='169.254.169.254', port=80): Max retries exceeded with url: /latest/api/token (Caused by NewConnectionError('<urllib3.connection.HTTPConnection object at 0x7f77e8ee3ac0>: Failed to establish a new connection: [Errno 101] Network is unreachable'))\"), …\n",
};

/// EC2Launch v2 without the instance metadata service.
pub(crate) const EC2LAUNCH_METADATA_TIMEOUT: Excerpt = Excerpt {
    source: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2launchv2-troubleshooting.html (EC2Launch v2 console log messages)",
    origin: Origin::Documented,
    text: "Waiting for access to metadata...\n\
Timed out waiting for access to metadata.\n",
};

/// EC2Launch v2 stopping on an error (the documentation's placeholder kept).
pub(crate) const EC2LAUNCH_STOPPING: Excerpt = Excerpt {
    source: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2launchv2-troubleshooting.html (EC2Launch v2 console log messages)",
    origin: Origin::Documented,
    text: "Error EC2Launch service is stopping. {error message}\n\
Error setting up EC2Launch agent folders\n",
};

// --- Healthy boots ---

/// Amazon Linux 2 (a Karpenter node, docker era): three excerpts of one console.
pub(crate) const HEALTHY_AL2_CONSOLE: Excerpt = Excerpt {
    source: "https://github.com/aws/karpenter-provider-aws/issues/3102 (comment by royb-tabit; three excerpts of one console)",
    origin: Origin::Console,
    text: "[    9.489106] ena 0000:00:05.0: ENA device version: 0.10\n\
[  OK  ] Started Load Kernel Modules.\n\
\x20        Starting Apply Kernel Variables...\n\
[  OK  ] Found device /dev/ttyS0.\n\
[   19.609303] cloud-init[819]: ci-info: |   0   |     0.0.0.0     | 10.2.22.1 |     0.0.0.0     |    eth0   |   UG  |\n\
[   19.612090] cloud-init[819]: ci-info: |   1   |    10.2.22.0    |  0.0.0.0  |  255.255.254.0  |    eth0   |   U   |\n\
[   19.614857] cloud-init[819]: ci-info: |   2   | 169.254.169.254 |  0.0.0.0  | 255.255.255.255 |    eth0   |   UH  |\n\
[   33.938975] cloud-init[1158]: Created symlink from /etc/systemd/system/multi-user.target.wants/iptables-restore.service to /etc/systemd/system/iptables-restore.service.\n\
[   34.237686] cloud-init[1158]: Created symlink from /etc/systemd/system/multi-user.target.wants/docker.service to /usr/lib/systemd/system/docker.service.\n\
\x20        Starting containerd container runtime...\n\
[  OK  ] Started containerd container runtime.\n\
\x20        Starting Docker Application Container Engine...\n\
[  OK  ] Started Docker Application Container Engine.\n\
[  OK  ] Reached target Multi-User System.\n\
[   37.211557] cloud-init[1158]: Created symlink from /etc/systemd/system/multi-user.target.wants/kubelet.service to /etc/systemd/system/kubelet.service.\n\
\x20        Starting Kubernetes Kubelet...\n\
[  OK  ] Started Kub…\n",
};

/// Amazon Linux 2: the end of a bootstrap that completed (containerd era).
pub(crate) const HEALTHY_AL2_BOOTSTRAP: Excerpt = Excerpt {
    source: "https://github.com/terraform-aws-modules/terraform-aws-eks/issues/2634 (description; the bootstrap's lines, before the user's own failing one)",
    origin: Origin::Console,
    text: "\u{2018}/etc/eks/containerd/containerd-config.toml\u{2019} -> \u{2018}/etc/containerd/config.toml\u{2019}\n\
\u{2018}/etc/eks/containerd/sandbox-image.service\u{2019} -> \u{2018}/etc/systemd/system/sandbox-image.service\u{2019}\n\
\u{2018}/etc/eks/containerd/kubelet-containerd.service\u{2019} -> \u{2018}/etc/systemd/system/kubelet.service\u{2019}\n\
Created symlink from /etc/systemd/system/multi-user.target.wants/kubelet.service to /etc/systemd/system/kubelet.service.\n\
2023-05-29T12:29:51+0000 [eks-bootstrap] INFO: complete!\n",
};

/// Amazon Linux 2: the `set -x` trace of a managed node group's user data.
pub(crate) const HEALTHY_AL2_SET_X: Excerpt = Excerpt {
    source: "https://github.com/terraform-aws-modules/terraform-aws-eks/issues/1628 (comment by mhill-holoplot, 2021-10-07)",
    origin: Origin::Journal("cloud-init's own lines, which it prints on the console"),
    text: "Oct 07 13:28:42 ip-10-1-6-110.eu-central-1.compute.internal cloud-init[2512]: Cloud-init v. 19.3-44.amzn2 running 'modules:final' at Thu, 07 Oct 2021 13:28:41 +0000. Up 51.58 seconds.\n\
Oct 07 13:28:42 ip-10-1-6-110.eu-central-1.compute.internal cloud-init[2512]: + B64_CLUSTER_CA=LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUM1ekNDQWMrZ0F3SUJBZ0lCQURBTkJna3Foa2lHOXcwQkFRc0ZBREFWTVJNd0VRWURWUVFERXdwcmRXSmwK…\n",
};

/// Amazon Linux 2: bootstrap.sh's lines on a healthy boot that look like trouble to a naive
/// matcher (describing the cluster, a retry that then succeeds).
pub(crate) const HEALTHY_AL2_NEAR_MISSES: Excerpt = Excerpt {
    source: "awslabs/amazon-eks-ami templates/al2/runtime/bootstrap.sh @0ab842803d82",
    origin: Origin::SourceOnly(
        "templates/al2/runtime/bootstrap.sh:348 `log \"INFO: --b64-cluster-ca or \
         --apiserver-endpoint is not defined, describing cluster...\"` and :355 `log \"INFO: \
         Attempt $attempt of $API_RETRY_ATTEMPTS\"`, with the prefix of `log` (l.44-45)",
    ),
    text: "2024-03-20T15:00:46+0000 [eks-bootstrap] INFO: --b64-cluster-ca or --apiserver-endpoint is not defined, describing cluster...\n\
2024-03-20T15:00:46+0000 [eks-bootstrap] INFO: Attempt 1 of 3\n\
2024-03-20T15:00:48+0000 [eks-bootstrap] INFO: Using containerd as the container runtime\n",
};

/// Amazon Linux 2023: cloud-init's warning about the NodeConfig part, expected on every boot.
pub(crate) const HEALTHY_AL2023_CONSOLE: Excerpt = Excerpt {
    source: "https://github.com/awslabs/amazon-eks-ami/issues/1821 (comment by universam1, 2024-05-29); expected, per https://github.com/awslabs/amazon-eks-ami/issues/2407 (comment by ndbaker1, 2025-08-29)",
    origin: Origin::Console,
    text: "[    9.620333] cloud-init[1684]: 2024-05-29 08:27:46,748 - __init__.py[WARNING]: Unhandled unknown content-type (application/node.eks.aws) userdata: 'b'---'...'\n\
[   10.700846] cloud-init[1684]: Generating public/private ed25519 key pair.\n\
[   10.703543] cloud-init[1684]: Your identification has been saved in /etc/ssh/ssh_host_ed25519_key\n\
[   10.706692] cloud-init[1684]: Your public key has been saved in /etc/ssh/ssh_host_ed25519_key.pub\n\
[   10.709952] cloud-init[1684]: The key fingerprint is:\n",
};

/// Amazon Linux 2023: nodeadm-run on a healthy node, its retries of DescribeInstances included.
pub(crate) const HEALTHY_AL2023_NODEADM: Excerpt = Excerpt {
    source: "https://github.com/awslabs/amazon-eks-ami/issues/1696 (comment by stijndehaes), https://github.com/awslabs/amazon-eks-ami/pull/1965 (description), https://github.com/awslabs/amazon-eks-ami/issues/2436 (description, 2025-09-17)",
    origin: Origin::Journal(
        "nodeadm's stderr reaches the console from AMI v20260224 \
         (https://github.com/awslabs/amazon-eks-ami/pull/2620)",
    ),
    text: "Apr 04 08:57:17 ip-10-0-3-248.eu-west-1.compute.internal systemd[1]: Starting nodeadm-run.service - EKS Nodeadm Run...\n\
Apr 04 08:57:17 ip-10-0-3-248.eu-west-1.compute.internal nodeadm[1918]: {\"level\":\"info\",\"ts\":1712221037.5944886,\"caller\":\"init/init.go:49\",\"msg\":\"Checking user is root..\"}\n\
Apr 04 08:57:17 ip-10-0-3-248.eu-west-1.compute.internal nodeadm[1918]: {\"level\":\"info\",\"ts\":1712221037.5945692,\"caller\":\"init/init.go:57\",\"msg\":\"Loading configuration..\",\"configSource\":\"imds://user-data\"}\n\
Sep 17 10:05:58 localhost nodeadm[2495]: SDK 2025/09/17 10:05:58 DEBUG attempting waiter request, attempt count: 1\n\
Sep 17 10:05:59 localhost nodeadm[2495]: SDK 2025/09/17 10:05:59 DEBUG retrying request EC2/DescribeInstances, attempt 2\n\
Sep 16 20:08:02 ip-172-31-15-250.us-west-2.compute.internal nodeadm[2131]: {\"level\":\"info\",\"ts\":1726517282.8603747,\"caller\":\"init/init.go:133\",\"msg\":\"Ensuring daemon is running..\",\"name\":\"kubelet\"}\n\
Sep 16 20:08:02 ip-172-31-15-250.us-west-2.compute.internal nodeadm[2131]: status of kubelet.service : \"activating\"\n",
};

/// Bottlerocket, from the firmware to the network (the start of one console and a later part).
pub(crate) const HEALTHY_BOTTLEROCKET_START: Excerpt = Excerpt {
    source: "https://github.com/bottlerocket-os/bottlerocket/issues/3726 (description, Pluies, 2024-01-23; and the comment by arj22)",
    origin: Origin::Console,
    text: "UEFI firmware (version  built at 09:00:00 on Nov  1 2018)\n\
\x20 Booting `Bottlerocket OS 1.18.0'\n\
\n\
\n\
Welcome to Bottlerocket OS 1.18.0 (aws-k8s-1.28)!\n\
\n\
[  OK  ] Created slice Slice /system/modprobe.\n\
[  OK  ] Reached target Path Units.\n\
[  OK  ] Reached target Slice Units.\n\
[  OK  ] Finished Prepare Var Directory (/var).\n\
\x20        Mounting CNI Plugin Directory (/opt/cni/bin)...\n\
\x20        Mounting Kernel Modules (Read-Write)...\n\
[  OK  ] Mounted CNI Plugin Directory (/opt/cni/bin).\n\
[  OK  ] Mounted Kernel Modules (Read-Write).\n\
[  OK  ] Reached target Local File Systems.\n\
\x20        Starting Network Name Resolution...\n\
[  OK  ] Finished Rebuild Journal Catalog.\n\
[  OK  ] Started Network Name Resolution.\n\
[  OK  ] Reached target Host and Network Name Lookups.\n",
};

/// Bottlerocket, its settings: the user data, the setting generators, pluto.
pub(crate) const HEALTHY_BOTTLEROCKET_SETTINGS: Excerpt = Excerpt {
    source: "https://github.com/bottlerocket-os/bottlerocket/issues/4382 (description; healthy up to the part quoted)",
    origin: Origin::Console,
    text: "[  OK  ] Finished Wait for Network to be Configured.\n\
\x20        Starting Write network status...\n\
[  OK  ] Finished Write network status.\n\
[  OK  ] Reached target Network is Online.\n\
\x20        Starting Bottlerocket userdata configuration system...\n\
[  OK  ] Finished Bottlerocket userdata configuration system.\n\
\x20        Starting User-specified setting generators...\n\
[  OK  ] Finished User-specified setting generators.\n\
\x20        Starting Generate additional settings for Kubernetes...\n",
};

/// Bottlerocket, the end of the boot up to kubelet (the lines before its failure in that paste).
pub(crate) const HEALTHY_BOTTLEROCKET_END: Excerpt = Excerpt {
    source: "https://github.com/bottlerocket-os/bottlerocket/issues/3630 (description; the lines before `[FAILED] Failed to start Kubelet.`)",
    origin: Origin::Console,
    text: "[  OK  ] Finished Reboot system if needed fo\u{2026}figuration changes to take effect.\n\
[  OK  ] Finished Wait for the instance to be in service.\n\
[  OK  ] Finished Isolates multi-user.target.\n\
[  OK  ] Started containerd container runtime.\n\
\x20        Starting Kubelet...\n\
[  OK  ] Finished Load Kernel Module drm.\n\
\x20        Starting User Login Management...\n\
[  OK  ] Started User Login Management.\n\
[  OK  ] Finished Send boot success.\n",
};

/// Bottlerocket: early-boot-config's warning on a healthy boot, and pluto's five quiet minutes
/// when the EKS API does not answer (not fatal).
pub(crate) const HEALTHY_BOTTLEROCKET_NEAR_MISSES: Excerpt = Excerpt {
    source: "https://github.com/bottlerocket-os/bottlerocket/pull/3430 (description), https://github.com/bottlerocket-os/bottlerocket-core-kit/issues/267 (description, 2024-11-15)",
    origin: Origin::Journal(
        "early-boot-config's stderr and systemd's status lines reach the console",
    ),
    text: "early-boot-config[1674]: 00:27:09 [INFO] early-boot-config started\n\
early-boot-config[1674]: 00:27:09 [WARN] No user data found via local file: /var/lib/bottlerocket/user-data.toml\n\
Nov 14 07:42:00 localhost systemd[1]: Starting Generate additional settings for Kubernetes...\n\
Nov 14 07:42:00 localhost settings-committer[1832]: 07:42:00 [INFO] Checking pending settings.\n\
Nov 14 07:42:00 localhost settings-committer[1832]: 07:42:00 [INFO] Committing settings.\n\
Nov 14 07:47:01 localhost systemd[1]: Finished Gener\u{2026}\n",
};

/// Windows, EC2Launch v2: the documentation's sample of a healthy console, telemetry with
/// `Error` in it included (its lines ended `\r\n`, as a Windows console's do).
pub(crate) const HEALTHY_WINDOWS_EC2LAUNCH_V2: Excerpt = Excerpt {
    source: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/ec2launchv2-troubleshooting.html (EC2Launch v2 console log messages, the sample)",
    origin: Origin::Documented,
    text: "2025/07/22 21:26:53Z: Windows sysprep configuration complete.\r\n\
2025/07/22 21:26:53Z: Message: Waiting for access to metadata...\r\n\
2025/07/22 21:26:53Z: Message: Meta-data is now available.\r\n\
2025/07/22 21:26:53Z: AMI Origin Version: 2024.12.13\r\n\
2025/07/22 21:26:53Z: AMI Origin Name: Windows_Server-2022-English-Full-Base\r\n\
2025/07/22 21:26:53Z: Launch: EC2 Launch v2.2.63\r\n\
2025/07/22 21:26:53Z: AMI-ID: ami-1234567890abcdef1\r\n\
2025/07/22 21:26:53Z: Instance-ID: i-1234567890abcdef0\r\n\
2025/07/22 21:26:54Z: Instance Type: t3.xlarge\r\n\
2025/07/22 21:26:56Z: SSM: Amazon SSM Agent v3.3.2746.0\r\n\
2025/07/22 21:26:57Z: User data format: no_user_data\r\n\
2025/07/22 21:26:57Z: EC2LaunchTelemetry: IsTelemetryEnabled=true\r\n\
2025/07/22 21:26:57Z: EC2LaunchTelemetry: AgentOsArch=windows_amd64\r\n\
2025/07/22 21:26:57Z: EC2LaunchTelemetry: IsAgentScheduledPerBoot=true\r\n\
2025/07/22 21:26:57Z: EC2LaunchTelemetry: AgentCommandErrorCode=1\r\n\
2025/07/22 21:26:57Z: EC2LaunchTelemetry: AdminPasswordTypeCode=0\r\n\
2025/07/22 21:26:57Z: EC2LaunchTelemetry: AgentErrorLocation=execute_windows.go:410\r\n\
2025/07/22 21:26:57Z: EC2LaunchTelemetry: IpConflictDetectionCode=0\r\n\
2025/07/22 21:26:57Z: Message: Windows is Ready to use\r\n",
};

/// Windows, EC2Launch v1 on the EKS-optimized AMI: `Error installing eGPU` on a normal boot
/// (lines ended `\r\n`).
pub(crate) const HEALTHY_WINDOWS_EC2LAUNCH_V1: Excerpt = Excerpt {
    source: "https://github.com/terraform-aws-modules/terraform-aws-eks/issues/717 (comment by ivanguravel; two excerpts)",
    origin: Origin::Console,
    text: "2020/01/30 22:48:05Z: Error installing eGPU\r\n\
2020/01/30 22:48:05Z: Setting computer name is disabled\r\n\
2020/01/30 22:48:05Z: AMI Origin Version: 2020.01.15\r\n\
2020/01/30 22:48:05Z: AMI Origin Name: Windows_Server-2019-English-Full-EKS_Optimized-1.14\r\n\
2020/01/30 22:48:24Z: Launch: EC2 Launch v1.3.2002240\r\n\
2020/01/30 22:48:24Z: SSM: Amazon SSM Agent v2.3.722.0\r\n\
2020/01/31 18:36:48Z: Message: Waiting for meta-data accessibility...\r\n\
2020/01/31 18:36:48Z: Message: Meta-data is now available.\r\n\
2020/01/31 18:36:48Z: Reading launch config from file\r\n\
2020/01/31 18:36:53Z: EG is not available on this instance\r\n\
2020/01/31 18:36:54Z: Error installing eGPU\r\n",
};

/// A healthy boot of each operating system EKS nodes run, assembled from the excerpts above.
pub(crate) const HEALTHY: &[(&str, &[Excerpt])] = &[
    (
        "Amazon Linux 2",
        &[
            HEALTHY_AL2_CONSOLE,
            HEALTHY_AL2_SET_X,
            HEALTHY_AL2_NEAR_MISSES,
            HEALTHY_AL2_BOOTSTRAP,
        ],
    ),
    (
        "Amazon Linux 2023",
        &[HEALTHY_AL2023_CONSOLE, HEALTHY_AL2023_NODEADM],
    ),
    (
        "Bottlerocket",
        &[
            HEALTHY_BOTTLEROCKET_START,
            HEALTHY_BOTTLEROCKET_SETTINGS,
            HEALTHY_BOTTLEROCKET_NEAR_MISSES,
            HEALTHY_BOTTLEROCKET_END,
        ],
    ),
    (
        "Windows",
        &[HEALTHY_WINDOWS_EC2LAUNCH_V1, HEALTHY_WINDOWS_EC2LAUNCH_V2],
    ),
];

/// The lines of `excerpts`, one after the other.
pub(crate) fn console(excerpts: &[Excerpt]) -> String {
    excerpts.iter().map(|excerpt| excerpt.text).collect()
}

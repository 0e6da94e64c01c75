use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use super::read;

fn encoded(text: &str) -> String {
    STANDARD.encode(text)
}

fn gzipped(text: &str) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(text.as_bytes()).expect("gzip in memory");
    encoder.finish().expect("gzip in memory")
}

#[test]
fn mime_with_a_nodeconfig_part() {
    let text = "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"BOUNDARY\"\n\n\
                --BOUNDARY\nContent-Type: application/node.eks.aws\n\n---\n\
                apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    \
                name: my-cluster\n    apiServerEndpoint: https://example.com\n    \
                certificateAuthority: Y2E=\n    cidr: 10.100.0.0/16\n\n\
                --BOUNDARY\nContent-Type: text/x-shellscript; charset=\"us-ascii\"\n\n\
                #!/bin/bash\necho hello\n\n--BOUNDARY--\n";
    assert_eq!(
        read(&encoded(text)),
        json!({"format": "mime",
               "parts": [{"content_type": "application/node.eks.aws", "format": "nodeconfig"},
                         {"content_type": "text/x-shellscript; charset=\"us-ascii\"", "format": "shell"}],
               "bootstraps": [{"tool": "nodeadm", "cluster": "my-cluster",
                               "apiserver_endpoint": "https://example.com",
                               "b64_cluster_ca": "Y2E=", "cidr": "10.100.0.0/16"}],
               "toml_unsupported": []})
    );
}

/// terraform-aws-eks v21 `tests/user-data/rendered/al2023/eks-mng-custom-ami.txt`: headers in
/// another order, and two NodeConfig parts that nodeadm merges into one configuration.
#[test]
fn nodeconfig_parts_merge_as_nodeadm_merges_them() {
    let text = "Content-Type: multipart/mixed; boundary=\"MIMEBOUNDARY\"\nMIME-Version: 1.0\n\n\
                --MIMEBOUNDARY\nContent-Transfer-Encoding: 7bit\nContent-Type: application/node.eks.aws\n\
                Mime-Version: 1.0\n\n---\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  \
                kubelet:\n    config:\n      shutdownGracePeriod: 30s\n\n\
                --MIMEBOUNDARY\nContent-Transfer-Encoding: 7bit\nContent-Type: application/node.eks.aws\n\
                Mime-Version: 1.0\n\n---\napiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  \
                cluster:\n    name: ex-user-data\n    \
                apiServerEndpoint: https://012345678903AB2BAE5D1E0BFE0E2B50.gr7.us-east-1.eks.amazonaws.com/\n    \
                certificateAuthority: Y2E=\n    cidr: FD30:0:0::/108\n\n--MIMEBOUNDARY--\n";
    assert_eq!(
        read(&encoded(text))["bootstraps"],
        json!([{"tool": "nodeadm", "cluster": "ex-user-data",
                "apiserver_endpoint": "https://012345678903ab2bae5d1e0bfe0e2b50.gr7.us-east-1.eks.amazonaws.com",
                "b64_cluster_ca": "Y2E=", "cidr": "fd30::/108"}])
    );
}

#[test]
fn bootstrap_sh_with_continuations_and_variables() {
    let script = "#!/bin/bash\nset -ex\nCLUSTER=demo\n/etc/eks/bootstrap.sh $CLUSTER \\\n  \
                  --b64-cluster-ca 'Y2E=' \\\n  --apiserver-endpoint=https://x.eks.amazonaws.com \\\n  \
                  --kubelet-extra-args '--max-pods=20'\n/etc/eks/bootstrap.sh \"${UNSET}\"\n";
    assert_eq!(
        read(&encoded(script)),
        json!({"format": "shell", "parts": [],
               "bootstraps": [
                   {"tool": "bootstrap.sh", "cluster": "demo", "b64_cluster_ca": "Y2E=",
                    "apiserver_endpoint": "https://x.eks.amazonaws.com"},
                   {"tool": "bootstrap.sh"}],
               "toml_unsupported": []})
    );
}

#[test]
fn cloud_config_commands_are_shell() {
    let config = "#cloud-config\npackages: [jq]\nbootcmd:\n  - [ cloud-init-per, once, x, echo ]\n\
                  runcmd:\n  - [ /etc/eks/bootstrap.sh, demo, --apiserver-endpoint, 'https://X' ]\n  \
                  - |\n    /etc/eks/bootstrap.sh other \\\n      --b64-cluster-ca Y2E=\n";
    let read = read(&encoded(config));
    assert_eq!(read["format"], "cloud-config");
    assert_eq!(
        read["bootstraps"],
        json!([{"tool": "bootstrap.sh", "cluster": "demo", "apiserver_endpoint": "https://x"},
               {"tool": "bootstrap.sh", "cluster": "other", "b64_cluster_ca": "Y2E="}])
    );
    assert_eq!(
        super::read(&encoded("#cloud-config\npackages: [jq]\n"))["bootstraps"],
        json!([])
    );
}

#[test]
fn gzip_is_read_decompressed() {
    let script = "#!/bin/bash\n/etc/eks/bootstrap.sh demo\n";
    let read = read(&STANDARD.encode(gzipped(script)));
    assert_eq!(read["format"], "shell");
    assert_eq!(read["compression"], "gzip");
    assert_eq!(
        read["bootstraps"],
        json!([{"tool": "bootstrap.sh", "cluster": "demo"}])
    );
    // A gzip part of a MIME document, base64 inside the document (nodeadm reads both).
    let config =
        "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\nspec:\n  cluster:\n    name: demo\n";
    let text = format!(
        "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"B\"\n\n--B\n\
         Content-Type: application/node.eks.aws\nContent-Transfer-Encoding: base64\n\n{}\n--B--\n",
        STANDARD.encode(gzipped(config))
    );
    assert_eq!(
        super::read(&encoded(&text))["bootstraps"],
        json!([{"tool": "nodeadm", "cluster": "demo"}])
    );
}

#[test]
fn gzip_that_does_not_inflate_or_inflates_too_far() {
    assert_eq!(read(&STANDARD.encode([0x1f, 0x8b, 8, 0]))["format"], "gzip");
    let bomb = gzipped(&"0".repeat(2 << 20));
    assert!(bomb.len() < 16 << 10, "a bomb that fits in user data");
    assert_eq!(read(&STANDARD.encode(bomb))["format"], "gzip");
}

/// terraform-aws-eks `tests/user-data/rendered/bottlerocket/`: settings after a comment, quoted
/// keys, and the DNS addresses as a list.
#[test]
fn bottlerocket_settings_after_a_comment() {
    let toml = "# extra args added\n[settings.kernel]\nlockdown = \"integrity\"\n";
    let read = read(&encoded(toml));
    assert_eq!(read["format"], "toml");
    assert_eq!(read["bootstraps"], json!([]));
    let toml = "[settings.kubernetes]\n\"cluster-name\" = \"ex-user-data\"\n\
                \"api-server\" = \"https://X.gr7.us-east-1.eks.amazonaws.com\"\n\
                \"cluster-certificate\" = \"Y2E=\"\n\
                \"cluster-dns-ip\" = [\"192.168.0.10\", \"169.254.20.10\"]\n\
                # extra args added\n[settings.kernel]\nlockdown = \"integrity\"\n";
    assert_eq!(
        super::read(&encoded(toml)),
        json!({"format": "toml", "parts": [],
               "bootstraps": [{"tool": "bottlerocket", "cluster": "ex-user-data",
                               "apiserver_endpoint": "https://x.gr7.us-east-1.eks.amazonaws.com",
                               "b64_cluster_ca": "Y2E=",
                               "dns_cluster_ip": ["192.168.0.10", "169.254.20.10"]}],
               "toml_unsupported": []})
    );
}

/// The launch-templates guide's list of TOML that EKS cannot merge, one example each.
#[test]
fn toml_that_eks_cannot_merge() {
    let cases = [
        (
            "[settings.a]\n'quoted \"value\"' = \"value\"\n",
            "quotes within a quoted key (line 2: `'quoted \"value\"'`)",
        ),
        (
            "[settings.a]\nstr = \"I'm a string. \\\"You can quote me\\\"\"\n",
            "escaped quotes in a value (line 2)",
        ),
        (
            "[settings.a]\nnumbers = [ 0.1, 0.2, 0.5, 1, 2, 5 ]\n",
            "mixed floats and integers in `settings.a.numbers`",
        ),
        (
            "[settings.a]\ncontributors = [\"foo@example.com\", { name = \"Baz\", email = \"baz@example.com\" }]\n",
            "mixed types in the array `settings.a.contributors`",
        ),
        (
            "[settings.\"bar.baz\"]\nx = 1\n",
            "a bracketed header with a quoted key (line 1: `[settings.\"bar.baz\"]`)",
        ),
        (
            "[settings.a]\nx = \n",
            "not valid TOML: string values must be quoted, expected literal string (line 2)",
        ),
    ];
    for (toml, problem) in cases {
        let read = read(&encoded(toml));
        assert_eq!(read["format"], "toml", "{toml}");
        assert_eq!(read["toml_unsupported"], json!([problem]), "{toml}");
    }
    let supported = "[settings.kubernetes.system-reserved]\ncpu = \"10m\"\nmemory = \"100Mi\"\n\
                     ephemeral-storage= \"1Gi\"\n[settings.b]\nlist = [1, 2]\ns = 'a \"quoted\" word'\n";
    assert_eq!(read(&encoded(supported))["toml_unsupported"], json!([]));
}

#[test]
fn windows_powershell_and_batch() {
    let toml = "[settings.kubernetes]\ncluster-name = \"demo\"\napi-server = \"https://x\"\n";
    assert_eq!(
        read(&encoded(toml))["bootstraps"],
        json!([{"tool": "bottlerocket", "cluster": "demo", "apiserver_endpoint": "https://x"}])
    );
    let powershell = "<powershell>\n[string]$EKSBootstrapScriptFile = \"$env:ProgramFiles\\Amazon\\EKS\\Start-EKSBootstrap.ps1\"\n\
                      & $EKSBootstrapScriptFile -EKSClusterName demo `\n -APIServerEndpoint https://x\n</powershell>";
    let read_powershell = read(&encoded(powershell));
    assert_eq!(read_powershell["format"], "powershell");
    assert_eq!(
        read_powershell["bootstraps"],
        json!([{"tool": "windows", "cluster": "demo", "apiserver_endpoint": "https://x"}])
    );
    let batch = "<script>\nPowerShell -File \"C:\\Program Files\\Amazon\\EKS\\Start-EKSBootstrap.ps1\" \
                 -EKSClusterName demo\n</script>";
    let read_batch = read(&encoded(batch));
    assert_eq!(read_batch["format"], "batch");
    assert_eq!(
        read_batch["bootstraps"],
        json!([{"tool": "windows", "cluster": "demo"}])
    );
}

#[test]
fn formats_without_bootstrap() {
    assert_eq!(read("")["format"], "empty");
    assert_eq!(read("not base64!")["format"], "not-base64");
    assert_eq!(read(&encoded("just some text\n"))["format"], "other");
    assert_eq!(
        read(&encoded("#!/bin/bash\necho hi\n"))["bootstraps"],
        json!([])
    );
}

#[test]
fn nested_multipart_documents_are_read() {
    let text = "Content-Type: multipart/mixed; boundary=\"OUTER\"\n\n--OUTER\n\
                Content-Type: multipart/mixed; boundary=\"INNER\"\n\n--INNER\n\
                Content-Type: text/x-shellscript\n\n#!/bin/bash\n/etc/eks/bootstrap.sh demo\n\
                --INNER--\n--OUTER--\n";
    let read = read(&encoded(text));
    assert_eq!(
        read["parts"],
        json!([{"content_type": "text/x-shellscript", "format": "shell"},
               {"content_type": "multipart/mixed; boundary=\"INNER\"", "format": "mime"}])
    );
    assert_eq!(
        read["bootstraps"],
        json!([{"tool": "bootstrap.sh", "cluster": "demo"}])
    );
}

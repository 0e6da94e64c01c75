//! The AWS emulator the live tests run against: moto's server, installed with the AWS CLI into a
//! project-local Python environment (`.venv`) on first use, started once per test process on a
//! free loopback port, and stopped when the process ends. If it cannot be installed or started,
//! the tests fail with the reason: they never skip silently.

pub(crate) mod account;
mod block_public_access;
pub(crate) mod consoles;
mod faithful;
pub(crate) mod http;
pub(crate) mod iam;
pub(crate) mod proxy;
mod query;
pub(crate) mod world;

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// The region every emulator test uses.
pub(crate) const REGION: &str = "eu-west-2";

const REQUIREMENTS: &str = include_str!("requirements.txt");

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn here() -> PathBuf {
    root().join("tests/acceptance/emulator")
}

/// Runs `command` and returns its standard output; panics with everything it printed when it
/// fails (`what` says what it was doing).
#[track_caller]
pub(crate) fn run(command: &mut Command, what: &str) -> Vec<u8> {
    let output = command
        .output()
        .unwrap_or_else(|error| panic!("{what}: cannot run {command:?}: {error}"));
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// The project's Python environment with moto and the AWS CLI, created or updated when
/// `requirements.txt` changed. A file lock keeps concurrent test processes from racing.
pub(crate) fn python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let venv = root().join(".venv");
        let python = venv.join("bin/python");
        let stamp = venv.join("ekscheck-requirements.txt");
        std::fs::create_dir_all(root().join("target")).expect("target directory");
        let lock = File::create(root().join("target/.venv.lock")).expect("lock file");
        lock.lock().expect("lock the Python environment");
        if std::fs::read_to_string(&stamp).ok().as_deref() != Some(REQUIREMENTS) {
            if !python.exists() {
                let interpreter = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
                run(
                    Command::new(interpreter).args(["-m", "venv"]).arg(&venv),
                    "creating the Python environment .venv (Python 3 is required)",
                );
            }
            run(
                Command::new(&python)
                    .args([
                        "-m",
                        "pip",
                        "install",
                        "--quiet",
                        "--disable-pip-version-check",
                        "-r",
                    ])
                    .arg(here().join("requirements.txt")),
                "installing moto and the AWS CLI into .venv",
            );
            std::fs::write(&stamp, REQUIREMENTS).expect("write the requirements stamp");
        }
        python
    })
}

/// A running moto server; it stops when dropped, or when this process ends.
pub(crate) struct Emulator {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Keeps the server's stdin open: closing it stops the server.
    _server: Mutex<Child>,
}

impl Emulator {
    /// Starts a moto server of its own (for tests that read state other tests change).
    pub(crate) fn start() -> Self {
        let log = root().join("target/moto.log");
        let mut child = Command::new(python())
            .arg(here().join("serve.py"))
            .arg(&log)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start moto_server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read the emulator's port");
        let port: u16 = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("moto_server did not start (see {})", log.display()));
        Emulator {
            url: format!("http://127.0.0.1:{port}"),
            _server: Mutex::new(child),
        }
    }
}

/// The emulator shared by every test of this process, started on first use.
pub(crate) fn emulator() -> &'static Emulator {
    static EMULATOR: OnceLock<Emulator> = OnceLock::new();
    EMULATOR.get_or_init(Emulator::start)
}

/// Sets the environment an AWS client needs to talk to `endpoint` with dummy credentials, and
/// nothing from the developer's own AWS configuration.
pub(crate) fn aws_env<'c>(command: &'c mut Command, endpoint: &str) -> &'c mut Command {
    let isolated = root().join("target/no-aws-config");
    command
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env_remove("AWS_SESSION_TOKEN")
        .env_remove("AWS_PROFILE")
        .env("AWS_REGION", REGION)
        .env("AWS_DEFAULT_REGION", REGION)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_CONFIG_FILE", isolated.join("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", isolated.join("credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        // Adaptive retries slow the client down after throttling: right for AWS, slow for tests.
        .env("AWS_RETRY_MODE", "standard")
        .env("TZ", "UTC")
}

/// Runs the AWS CLI (`aws ARGS… --output json`) against `endpoint` and returns what it printed.
#[track_caller]
pub(crate) fn aws_cli(endpoint: &str, args: &[&str]) -> serde_json::Value {
    // CLI v1 prints timestamps as on the wire unless told to use ISO 8601, which is v2's default.
    // Written once: a CLI reading the file while another test rewrites it would see it empty.
    static CONFIG: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    let config = CONFIG.get_or_init(|| {
        let config = root().join("target/aws-cli-config");
        std::fs::write(&config, "[default]\ncli_timestamp_format = iso8601\n").expect("CLI config");
        config
    });
    let aws = python().with_file_name("aws");
    let mut command = Command::new(aws);
    aws_env(&mut command, endpoint)
        .env("AWS_CONFIG_FILE", config)
        .args(args)
        .args(["--output", "json"]);
    let printed = run(&mut command, &format!("aws {args:?}"));
    if printed.iter().all(u8::is_ascii_whitespace) {
        return serde_json::json!({});
    }
    serde_json::from_slice(&printed).expect("the CLI prints JSON")
}

/// `DescribeVpcAttribute` → `describe-vpc-attribute`, `ListOpenIDConnectProviders` →
/// `list-open-id-connect-providers`: the AWS CLI's name of an operation (a word starts at a
/// capital after a small letter or digit, or at the last capital of an acronym).
pub(crate) fn cli_command(operation: &str) -> String {
    let chars: Vec<char> = operation.chars().collect();
    let mut command = String::new();
    for (index, &c) in chars.iter().enumerate() {
        let previous = index.checked_sub(1).map(|i| chars[i]);
        let next = chars.get(index + 1);
        let starts_word = c.is_ascii_uppercase()
            && previous.is_some_and(|p| {
                !p.is_ascii_uppercase() || next.is_some_and(char::is_ascii_lowercase)
            });
        if starts_word {
            command.push('-');
        }
        command.push(c.to_ascii_lowercase());
    }
    command
}

/// The outputs the AWS CLI's example docs print for each of `commands` (`eks describe-cluster`),
/// by command (see `cli_examples.py`).
pub(crate) fn cli_examples(commands: &[String]) -> serde_json::Value {
    let mut command = Command::new(python());
    command.arg(here().join("cli_examples.py")).args(commands);
    let printed = run(&mut command, "cli_examples.py");
    serde_json::from_slice(&printed).expect("cli_examples.py prints JSON")
}

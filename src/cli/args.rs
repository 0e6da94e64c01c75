//! The command line's arguments (clap): the subcommands and their options.

use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};

use crate::plan::Plan;
use crate::targets::Partition;

use super::output::Inputs;
use crate::execute::Limits;

/// The exit codes, below `--help` (the format specification words them in full).
const EXIT_CODES: &str = "\
Exit codes:
  0  every reported check passed (warnings allowed); `test`: every case gave what it expects
  1  a check of severity error failed; `test`: a case did not
  2  invalid input, found before any call (packs, command line, variables, recording, ...);
     a run beyond --max-outcomes; or, after the run, a report that could not be written
     (--junit, --json, GITHUB_STEP_SUMMARY, the recording, stdout): the results are printed
     first, and 2 replaces the run's 0, 1 or 3
  3  no check failed with severity error, but some could not be decided";

/// Why won't my EKS nodes join? Declarative, shareable checks over read-only AWS calls.
#[derive(Debug, Parser)]
// The version names the commit it was built from, when built from git (`build.rs`).
#[command(name = "ekscheck", version = env!("EKSCHECK_VERSION"), about, after_help = EXIT_CODES)]
pub(super) struct Cli {
    #[command(subcommand)]
    pub(super) command: Command,
}

#[derive(Debug, Subcommand)]
pub(super) enum Command {
    /// Run packs and report like `cargo test` (and as JUnit XML).
    Run(RunArgs),
    /// Run packs and write every call they make as a recording, to replay offline and share.
    Record(RecordArgs),
    /// Check packs for every problem that can be found without calling AWS.
    Validate {
        /// Pack directories.
        #[arg(required = true, value_name = "PACK_DIR")]
        packs: Vec<PathBuf>,
        /// Required packs exactly as each pack's ekscheck.lock says (which must exist).
        #[arg(long)]
        locked: bool,
    },
    /// Run each pack's own tests (`PACK/tests/CASE/`: a recording and the outcomes expected
    /// on it) offline, and report each case like `cargo test`.
    Test(TestArgs),
    /// List the read-only operations a pack may call, or show one's parameters and response.
    Ops {
        /// `SERVICE:OPERATION` (e.g. `ec2:DescribeSubnets`) for one operation, or `SERVICE`.
        #[arg(value_name = "OPERATION")]
        name: Option<String>,
    },
    /// List each check of packs: title, severity, needs, the calls it reads, its rows.
    List {
        /// Pack directories.
        #[arg(required = true, value_name = "PACK_DIR")]
        packs: Vec<PathBuf>,
        /// One JSON object per check and line.
        #[arg(long)]
        json: bool,
    },
    /// Print the JSON Schema of pack.yaml or of suite files, for editors.
    Schema {
        /// Which file: `pack` (pack.yaml) or `suite`.
        #[arg(value_name = "FILE_KIND")]
        kind: String,
    },
    /// Join the JUnit reports of a partitioned run's jobs into one.
    MergeJunit {
        /// The reports to join.
        #[arg(required = true, value_name = "REPORT")]
        inputs: Vec<PathBuf>,
        /// Where to write the joined report.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
    },
    /// Create a pack to start from: one check, one test case and a README.
    New {
        /// The new pack's directory; its name is the pack's name.
        #[arg(value_name = "PACK_DIR")]
        dir: PathBuf,
    },
    /// Print the least-privilege IAM policy (JSON) that lets a role run these packs.
    Policy {
        /// Pack directories.
        #[arg(required = true, value_name = "PACK_DIR")]
        packs: Vec<PathBuf>,
    },
    /// Print the completion script of a shell.
    ///
    /// bash: `ekscheck completions bash > ~/.local/share/bash-completion/completions/ekscheck`;
    /// zsh: `ekscheck completions zsh > _ekscheck` in a directory of `$fpath`; fish:
    /// `ekscheck completions fish > ~/.config/fish/completions/ekscheck.fish`.
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff): `ekscheck man | man -l -`, or install it as `ekscheck.1`.
    Man,
}

#[derive(Debug, Args)]
pub(super) struct RunArgs {
    #[command(flatten)]
    pub(super) input: InputArgs,
    #[command(flatten)]
    pub(super) backend: BackendArgs,
    /// Also write a JUnit XML report to FILE.
    #[arg(long, value_name = "FILE")]
    pub(super) junit: Option<PathBuf>,
    /// Also write every row as JSON Lines to FILE (docs/schema/results.schema.json).
    #[arg(long, value_name = "FILE")]
    pub(super) json: Option<PathBuf>,
    #[command(flatten)]
    pub(super) fleet: FleetArgs,
    /// libtest arguments: filters, --exact, --skip, --list, --format, --test-threads, …
    #[arg(last = true, value_name = "LIBTEST_ARGS")]
    pub(super) libtest: Vec<String>,
}

#[derive(Debug, Args)]
pub(super) struct TestArgs {
    /// Pack directories.
    #[arg(required = true, value_name = "PACK")]
    pub(super) packs: Vec<PathBuf>,
    /// Also write a JUnit XML report to FILE.
    #[arg(long, value_name = "FILE")]
    pub(super) junit: Option<PathBuf>,
    /// Required packs exactly as each pack's ekscheck.lock says (which must exist).
    #[arg(long)]
    pub(super) locked: bool,
    /// libtest arguments: filters, --exact, --skip, --list, --format, …
    #[arg(last = true, value_name = "LIBTEST_ARGS")]
    pub(super) libtest: Vec<String>,
}

#[derive(Debug, Args)]
pub(super) struct RecordArgs {
    #[command(flatten)]
    pub(super) input: InputArgs,
    #[command(flatten)]
    pub(super) backend: BackendArgs,
    /// The directory to write the recording to.
    #[arg(long, value_name = "DIR")]
    pub(super) out: PathBuf,
    /// Replace account IDs, IP addresses and host names, consistently.
    #[arg(long)]
    pub(super) redact: bool,
}

/// A run over many clusters: accounts, regions, clusters, and this CI job's share of them.
#[derive(Debug, Args)]
pub(super) struct FleetArgs {
    /// The clusters to check, across accounts and regions (YAML; see the README).
    #[arg(long, value_name = "FILE")]
    pub(super) targets: Option<PathBuf>,
    /// A cluster to check (repeatable), in the run's account and region.
    #[arg(long = "cluster", value_name = "NAME")]
    pub(super) clusters: Vec<String>,
    /// Run this share of the targets only, e.g. `hash:1/4` … `hash:4/4` in four CI jobs.
    #[arg(long, value_name = "hash:M/N", value_parser = Partition::parse)]
    pub(super) partition: Option<Partition>,
}

impl FleetArgs {
    /// Whether the run is over targets rather than the packs' variables alone.
    pub(super) fn is_fleet(&self) -> bool {
        self.targets.is_some() || !self.clusters.is_empty()
    }
}

/// The packs and the variables of a run.
#[derive(Debug, Args)]
pub(super) struct InputArgs {
    /// Pack directories.
    #[arg(required = true, value_name = "PACK_DIR")]
    pub(super) packs: Vec<PathBuf>,
    /// A variable for the packs, e.g. `--var cluster=demo`.
    #[arg(long = "var", value_name = "NAME=VALUE", value_parser = parse_var)]
    pub(super) vars: Vec<(String, String)>,
    /// A YAML file of variables (`name: value`; `overrides:` holds overrides).
    #[arg(long, value_name = "FILE")]
    pub(super) vars_file: Option<PathBuf>,
    /// A team's overrides of the packs: severities, skips with a reason, variable defaults.
    #[arg(long, value_name = "FILE")]
    pub(super) overrides: Vec<PathBuf>,
    /// Required packs exactly as each pack's ekscheck.lock says (which must exist).
    #[arg(long)]
    pub(super) locked: bool,
}

/// Where calls are answered.
#[derive(Debug, Args)]
pub(super) struct BackendArgs {
    /// Answer calls from a recording directory instead of AWS.
    #[arg(long, value_name = "DIR")]
    pub(super) recording: Option<PathBuf>,
    /// AWS region (overrides the environment and profile).
    #[arg(long, value_name = "REGION")]
    pub(super) region: Option<String>,
    /// AWS named profile.
    #[arg(long, value_name = "PROFILE")]
    pub(super) profile: Option<String>,
    /// Send AWS requests to this endpoint (e.g. an emulator).
    #[arg(long, value_name = "URL")]
    pub(super) endpoint_url: Option<String>,
    /// The most AWS requests in flight at once.
    #[arg(long, default_value_t = 32, value_name = "N", allow_negative_numbers = true, value_parser = at_least_one::<usize>)]
    pub(super) max_concurrency: usize,
    /// Attempts per AWS request (throttling and server errors are retried, adaptively).
    #[arg(long, default_value_t = 5, value_name = "N", allow_negative_numbers = true, value_parser = at_least_one::<u32>)]
    pub(super) max_attempts: u32,
    /// The longest one attempt of an AWS request may take, in seconds.
    #[arg(long, default_value_t = 30, value_name = "SECONDS", allow_negative_numbers = true, value_parser = at_least_one::<u64>)]
    pub(super) call_timeout: u64,
    /// The most rows one fan-out (`for_each`) may have.
    #[arg(long, default_value_t = Limits::default().max_rows, value_name = "N", allow_negative_numbers = true, value_parser = at_least_one::<usize>)]
    pub(super) max_rows: usize,
    /// The most check rows a run may decide (checks × their rows, in all targets).
    #[arg(long, default_value_t = Limits::default().max_outcomes, value_name = "N", allow_negative_numbers = true, value_parser = at_least_one::<usize>)]
    pub(super) max_outcomes: usize,
    /// The largest response (or recorded call) a call may have, in megabytes.
    #[arg(long, default_value_t = Limits::default().max_response_bytes >> 20, value_name = "MB", allow_negative_numbers = true, value_parser = at_least_one::<u64>)]
    pub(super) max_response_mb: u64,
}

impl BackendArgs {
    /// The limits of an execution.
    pub(super) fn limits(&self) -> Limits {
        Limits {
            max_concurrency: self.max_concurrency,
            max_rows: self.max_rows,
            max_response_bytes: self.max_response_mb.saturating_mul(1 << 20),
            max_outcomes: self.max_outcomes,
        }
    }
}

/// A whole number of at least 1 (a count, or seconds), with a message of our own for others:
/// clap's advice for `-1` (`use '-- -1'`) would turn it into a libtest filter.
pub(super) fn at_least_one<N: TryFrom<u64>>(text: &str) -> Result<N, String> {
    let number: i128 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a whole number"))?;
    if number < 1 {
        return Err(format!(
            "{number} is too small: give a whole number of at least 1"
        ));
    }
    u64::try_from(number)
        .ok()
        .and_then(|number| N::try_from(number).ok())
        .ok_or_else(|| format!("{number} is too large"))
}

impl InputArgs {
    /// What the run of `plan` reads, which no output may overwrite: its packs (those required
    /// too, and their archives), the recording, the vars and overrides files, and a fleet's
    /// `targets` file.
    pub(super) fn inputs(
        &self,
        backend: &BackendArgs,
        plan: &Plan,
        targets: Option<&Path>,
    ) -> Inputs {
        let dirs = self
            .packs
            .iter()
            .chain(&backend.recording)
            .map(PathBuf::as_path);
        let files = self.vars_file.iter().chain(&self.overrides);
        Inputs::new(dirs, files.map(PathBuf::as_path).chain(targets)).with_packs(plan.packs)
    }
}

pub(super) fn parse_var(text: &str) -> Result<(String, String), String> {
    text.split_once('=')
        .map(|(name, value)| (name.trim().to_owned(), value.to_owned()))
        .filter(|(name, _)| !name.is_empty())
        .ok_or_else(|| format!("`{text}` is not NAME=VALUE"))
}

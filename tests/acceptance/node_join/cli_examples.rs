//! The pack on shapes nobody here wrote: a recording made of the outputs the AWS CLI's own
//! example docs print (`awscli/examples/SERVICE/COMMAND.rst`, from the AWS CLI the test suite
//! installs). Each call the pack makes is answered with its operation's example output, whatever
//! its parameters, until the pack asks for nothing more; every check must then be decided.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};

use super::PACK;
use crate::emulator::{cli_command, cli_examples};
use crate::support::{CaseOutcome, Dir, ekscheck, parse_junit};

/// What the recording backend says of a call it has no answer for.
const NO_ANSWER: &str = "the recording has no answer for ";

/// The region the examples are written in.
const REGION: &str = "us-west-2";

/// Operations whose examples print no output the pack can read (`kms get-key-policy` pipes
/// `--output text` into another command; botocore 1.43.56 has no example of VPC Block Public
/// Access yet, and the AWS CLI none of the account's Allowed AMIs and instance metadata defaults).
const WITHOUT_EXAMPLE: &[&str] = &[
    "ec2:DescribeVpcBlockPublicAccessExclusions",
    "ec2:DescribeVpcBlockPublicAccessOptions",
    "ec2:GetAllowedImagesSettings",
    "ec2:GetInstanceMetadataDefaults",
    "kms:GetKeyPolicy",
];

/// The calls a run on `recording` asked for and did not find, with their parameters.
fn unanswered(stdout: &str) -> BTreeSet<(String, String)> {
    stdout
        .lines()
        .filter_map(|line| line.split_once(NO_ANSWER).map(|(_, call)| call))
        .filter_map(|call| {
            let (api, params) = call.split_once(" with params ")?;
            // The parameters are the rest of the line's first JSON value.
            let params: Value = serde_json::Deserializer::from_str(params)
                .into_iter()
                .next()?
                .ok()?;
            Some((api.to_owned(), params.to_string()))
        })
        .collect()
}

/// The example output that answers `params`: the one naming a parameter's value as a member
/// (`describe-vpc-attribute` has one example per attribute), else the first.
fn answer<'e>(examples: &'e [Value], params: &Value) -> Option<&'e Value> {
    let named = |example: &&Value| {
        params.as_object().into_iter().flatten().any(|(_, value)| {
            let value = value.as_str().unwrap_or_default();
            let mut member = value.chars();
            let capitalised: String = member
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + member.as_str())
                .unwrap_or_default();
            example.get(&capitalised).is_some()
        })
    };
    examples.iter().find(named).or_else(|| examples.first())
}

/// An example output as the CLI would print it for one whole call: without the page markers of
/// `--max-items` (the CLI merges pages), with a trust policy where the IAM examples show the
/// placeholder `<URL-encoded-JSON>` (as IAM's API sends it: URL-encoded), and with the private
/// address of `ec2 describe-instances` written as an address (the example has `10-0-0-157`,
/// its host name's form).
fn as_printed(example: &Value) -> Value {
    match example {
        Value::Object(members) => Value::Object(
            members
                .iter()
                .filter(|(name, _)| {
                    !["NextToken", "nextToken", "IsTruncated", "Marker"].contains(&name.as_str())
                })
                .map(|(name, value)| (name.clone(), as_printed(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(as_printed).collect()),
        Value::String(text) if text == "10-0-0-157" => json!("10.0.0.157"),
        Value::String(text) if text == "<URL-encoded-JSON>" => json!(
            "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C\
             %22Principal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22%7D%2C%22Action%22%3A\
             %22sts%3AAssumeRole%22%7D%5D%7D"
        ),
        other => other.clone(),
    }
}

#[test]
fn the_pack_reads_the_aws_cli_examples() {
    let policy = ekscheck(&["policy", PACK]);
    policy.expect_code(0);
    let actions: Vec<String> =
        serde_json::from_str::<Value>(&policy.stdout).expect("a policy")["Statement"][0]["Action"]
            .as_array()
            .expect("actions")
            .iter()
            .map(|action| action.as_str().expect("an action").to_owned())
            .collect();
    let command_of = |action: &str| {
        let (service, operation) = action.split_once(':').expect("service:Operation");
        format!("{service} {}", cli_command(operation))
    };
    let commands: Vec<String> = actions.iter().map(|action| command_of(action)).collect();
    let examples: BTreeMap<String, Vec<Value>> =
        serde_json::from_value(cli_examples(&commands)).expect("outputs by command");
    let without: Vec<&str> = actions
        .iter()
        .filter(|action| examples[&command_of(action)].is_empty())
        .map(String::as_str)
        .collect();
    assert_eq!(
        without, WITHOUT_EXAMPLE,
        "operations without an example output"
    );

    let cluster = examples["eks describe-cluster"][0]["cluster"]["name"]
        .as_str()
        .expect("the example cluster's name")
        .to_owned();
    let dir = Dir::new();
    let recording = dir.join("recording");
    std::fs::create_dir(&recording).expect("the recording directory");
    let mut files = 0;
    let mut record = |api: &str, params: Value| -> bool {
        let Some(example) = answer(&examples[&command_of(api)], &params) else {
            return false;
        };
        files += 1;
        let call = json!({"api": api, "params": params, "response": as_printed(example), "region": REGION});
        std::fs::write(
            format!("{recording}/{files:03}.json"),
            serde_json::to_string_pretty(&call).expect("JSON"),
        )
        .expect("a recorded call");
        true
    };
    record("eks:DescribeCluster", json!({"name": cluster}));
    let vars = format!("cluster={cluster}");
    let run = || ekscheck(&["run", PACK, "--recording", &recording, "--var", &vars]);
    // Answer what the pack asks for until it asks for nothing new: each answer may lead to
    // calls that read it.
    let mut asked = BTreeSet::new();
    loop {
        let missing: Vec<(String, String)> = unanswered(&run().stdout)
            .into_iter()
            .filter(|call| asked.insert(call.clone()))
            .collect();
        if missing.is_empty() {
            break;
        }
        for (api, params) in missing {
            record(&api, serde_json::from_str(&params).expect("parameters"));
        }
    }

    let junit = dir.join("junit.xml");
    let run = ekscheck(&[
        "run",
        PACK,
        "--recording",
        &recording,
        "--var",
        &vars,
        "--junit",
        &junit,
    ]);
    assert!(
        run.code == 0 || run.code == 1,
        "the run failed:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    // Only a check that reads a call without an example may stay undecided, and says so.
    let report = parse_junit(&std::fs::read_to_string(&junit).expect("a report"));
    let mut decided = 0;
    for case in report.cases() {
        match case.outcome {
            CaseOutcome::Error => {
                let name = case.full_name();
                let block = run
                    .stdout
                    .split(&format!("---- {name} ----"))
                    .nth(1)
                    .and_then(|rest| rest.split("\n\n").next())
                    .unwrap_or_default();
                assert!(
                    block.contains(NO_ANSWER)
                        && WITHOUT_EXAMPLE.iter().any(|api| block.contains(api)),
                    "{name} is undecided:{block}\n--- output ---\n{}",
                    run.stdout
                );
            }
            CaseOutcome::Pass | CaseOutcome::Failure(_) => decided += 1,
            CaseOutcome::Skipped(_) => {}
        }
    }
    assert!(
        decided >= 40,
        "only {decided} checks decided:\n{}",
        run.stdout
    );
}

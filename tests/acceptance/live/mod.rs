//! The live backend against the emulator: response parity with the AWS CLI, retries, failures.

mod fleet;
mod parity;
mod permissions;
mod retries;

use std::collections::HashMap;
use std::process::Command;

use ekscheck::execute::call_key;
use serde_json::Value;

use crate::emulator::aws_env;
use crate::emulator::proxy::Proxy;
use crate::support::{Dir, Run, command, run_command};

/// `ekscheck ARGS…` with the AWS environment pointing at `proxy`.
pub(crate) fn live(proxy: &Proxy, args: &[&str]) -> Run {
    let mut ekscheck: Command = command();
    aws_env(&mut ekscheck, &proxy.url);
    run_command(ekscheck.args(args))
}

/// A pack with one call and one check per `(api, params)`, named `c0`, `c1`, …
pub(crate) fn pack_of_calls(calls: &[(&str, Value)]) -> Dir {
    let mut suite = String::from("calls:\n");
    for (index, (api, params)) in calls.iter().enumerate() {
        suite.push_str(&format!(
            "  c{index}:\n    api: {api}\n    params: {params}\n"
        ));
    }
    suite.push_str("checks:\n");
    for index in 0..calls.len() {
        suite.push_str(&format!(
            "  - id: c{index}\n    title: call {index} answers\n    on: c{index}\n    expect:\n      - exists: true\n"
        ));
    }
    Dir::with(&[
        ("pack/pack.yaml", "pack: calls\nversion: 1.0.0\n"),
        ("pack/calls.yaml", &suite),
    ])
}

/// Records `calls` with `ekscheck record` through `proxy`: each recorded document
/// (`{"api", "params", "response"}` or `… "error"`) by [`call_key`].
pub(crate) fn record(proxy: &Proxy, calls: &[(&str, Value)]) -> HashMap<String, Value> {
    let dir = pack_of_calls(calls);
    let out = dir.join("recording");
    live(proxy, &["record", &dir.join("pack"), "--out", &out]).expect_code(0);
    std::fs::read_dir(&out)
        .expect("the recording directory")
        .map(|entry| {
            let text = std::fs::read_to_string(entry.expect("an entry").path()).expect("a file");
            let document: Value = serde_json::from_str(&text).expect("JSON");
            let key = call_key(document["api"].as_str().expect("api"), &document["params"]);
            (key, document)
        })
        .collect()
}

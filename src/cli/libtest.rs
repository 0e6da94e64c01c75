//! libtest's arguments after `--`: parsed by libtest-mimic, checked, and used to select checks
//! before any call is made and the tests reported after.

use libtest_mimic::{Arguments, Trial};

use crate::diagnostic::Diagnostic;

/// The libtest arguments given after `--`. The outcomes are decided before they are reported,
/// so `--test-threads` changes nothing (but 0 is refused, as by `cargo test`).
pub(super) fn libtest_arguments(extra: &[String]) -> Result<Arguments, Diagnostic> {
    let args =
        Arguments::from_iter(std::iter::once("ekscheck".to_owned()).chain(extra.iter().cloned()));
    if args.test_threads == Some(0) {
        return Err(Diagnostic::unlocated(
            "-- --test-threads 0: the number of threads must be at least 1",
        ));
    }
    Ok(args)
}

/// Whether libtest's filters could select some row of a check, decided before any call is made.
/// Rows of a fanned-out check are named `NAME[LABEL]` with labels only known after the calls,
/// so a filter that might match a label keeps the check.
pub(super) fn may_select(args: &Arguments, name: &str, fanned_out: bool) -> bool {
    if let Some(filter) = &args.filter {
        let possible = if args.exact {
            filter == name
                || (fanned_out && filter.starts_with(&format!("{name}[")) && filter.ends_with(']'))
        } else {
            name.contains(filter.as_str())
                || (fanned_out
                    && match filter.split_once('[') {
                        Some((head, _)) => name.ends_with(head),
                        None => true,
                    })
        };
        if !possible {
            return false;
        }
    }
    !args.skip.iter().any(|skip| {
        if args.exact {
            !fanned_out && skip == name
        } else {
            name.contains(skip.as_str())
        }
    })
}

/// Whether libtest's filters (`FILTER`, `--skip`, `--exact`, `--ignored`) rule out the test
/// `name`, as libtest-mimic decides for a test it would run.
pub(crate) fn filtered_out(args: &Arguments, name: &str) -> bool {
    args.is_filtered_out(&Trial::test(name, || Ok(())))
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn args(extra: &[&str]) -> Arguments {
        libtest_arguments(&extra.iter().map(|s| s.to_string()).collect::<Vec<_>>())
            .expect("valid arguments")
    }

    #[test]
    pub(super) fn filters_decide_before_calls() {
        let name = "node-join::iam::cni";
        assert!(may_select(&args(&[]), name, false));
        assert!(may_select(&args(&["iam"]), name, false));
        assert!(!may_select(&args(&["network"]), name, false));
        assert!(may_select(&args(&["ng-b"]), name, true));
        assert!(may_select(&args(&["iam::cni[ng-b]"]), name, true));
        assert!(!may_select(&args(&["network::x[ng-b]"]), name, true));
        assert!(may_select(
            &args(&["--exact", "node-join::iam::cni[ng-b]"]),
            name,
            true
        ));
        assert!(!may_select(&args(&["--skip", "iam"]), name, true));
        assert!(may_select(&args(&["--skip", "network"]), name, true));
    }

    #[test]
    fn filters_rule_out_reported_names_as_libtest_does() {
        let name = "node-join::iam::cni[ng-b]";
        assert!(!filtered_out(&args(&[]), name));
        assert!(!filtered_out(&args(&["ng-b"]), name));
        assert!(filtered_out(&args(&["ng-a"]), name));
        assert!(!filtered_out(&args(&["--exact", name]), name));
        assert!(filtered_out(
            &args(&["--exact", "node-join::iam::cni"]),
            name
        ));
        assert!(filtered_out(&args(&["--skip", "iam"]), name));
        assert!(filtered_out(&args(&["--ignored"]), name));
    }
}

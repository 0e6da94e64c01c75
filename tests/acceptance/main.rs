//! Acceptance tests: the `ekscheck` binary and library driven end to end.

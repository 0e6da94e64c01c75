//! Decoding suite files and their checks: ids, titles, remediations, `expect`, `when`,
//! `needs` and `cross_checks`.

use std::sync::Arc;

use super::Loader;
use crate::diagnostic::Location;
use crate::format::model::{Assertion, Check, CheckRef, Suite};
use crate::format::raw;
use crate::format::yaml::Spanned;

impl Loader<'_> {
    pub(super) fn suite(&mut self, suite: &raw::Suite) -> Suite {
        let name = match &suite.suite {
            Some(name) => self.slug(name, "suite name"),
            None => self
                .file
                .path
                .file_stem()
                .map(|stem| stem.to_string_lossy().into_owned())
                .unwrap_or_default(),
        };
        let (calls, unloaded_calls) = self.calls(&suite.calls);
        let mut checks: Vec<Check> = Vec::new();
        let mut unloaded_checks = Vec::new();
        // Compared as written, so that a check with other problems still counts.
        let mut ids = std::collections::HashSet::new();
        for raw_check in &suite.checks {
            let id = &raw_check.value.id;
            if !ids.insert(id.value.as_str()) {
                let at = self.at(id);
                self.error(
                    at,
                    format!("check id `{}` is used twice in this suite", id.value),
                    "give each check of a suite its own id",
                );
            }
            let Some(check) = self.check(raw_check) else {
                unloaded_checks.push(id.value.clone());
                continue;
            };
            checks.push(check);
        }
        if suite.checks.is_empty() {
            let at = Location::file_start(&self.file);
            self.error(
                at,
                "the suite has no checks",
                "add `checks:` with at least one check",
            );
        }
        Suite {
            name,
            file: Arc::clone(&self.file),
            calls,
            checks,
            unloaded_calls,
            unloaded_checks,
        }
    }

    fn check(&mut self, check: &Spanned<raw::Check>) -> Option<Check> {
        let raw = &check.value;
        let id = self.slug(&raw.id, "check id");
        let title = self.template(&raw.title);
        let remediation = raw.remediation.as_ref().map(|r| self.template(r));
        if raw.expect.is_empty() {
            let at = self.at(&raw.id);
            self.error(
                at,
                format!("check `{id}` has no assertions"),
                "add `expect:` with at least one assertion, e.g. `- path: $.x\n  exists: true`",
            );
        }
        let default_on = raw.on.as_ref();
        let expect: Vec<Option<Assertion>> = raw
            .expect
            .iter()
            .map(|a| self.assertion(a, default_on))
            .collect();
        let when: Vec<Option<Assertion>> = raw
            .when
            .iter()
            .map(|a| {
                self.no_severity(a, "a `when` condition");
                self.assertion(a, default_on)
            })
            .collect();
        let needs = raw.needs.iter().map(|need| self.check_ref(need)).collect();
        let cross_checks = raw
            .cross_checks
            .iter()
            .map(|other| self.check_ref(other))
            .collect();
        Some(Check {
            id,
            title: title?,
            severity: raw.severity.as_ref().map(|s| s.value).unwrap_or_default(),
            remediation: remediation.flatten(),
            expect: expect.into_iter().collect::<Option<_>>()?,
            when: when.into_iter().collect::<Option<_>>()?,
            needs,
            cross_checks,
            location: self.at(&raw.id),
        })
    }

    /// A reference to another check: `ID`, `SUITE/ID` or `PACK::SUITE/ID`.
    fn check_ref(&self, written: &Spanned<String>) -> CheckRef {
        let (pack, rest) = match written.value.split_once("::") {
            Some((pack, rest)) => (Some(pack.to_owned()), rest),
            None => (None, written.value.as_str()),
        };
        let (suite, id) = match rest.split_once('/') {
            Some((suite, id)) => (Some(suite.to_owned()), id.to_owned()),
            None => (None, rest.to_owned()),
        };
        CheckRef {
            pack,
            suite,
            id,
            location: self.at(written),
        }
    }
}

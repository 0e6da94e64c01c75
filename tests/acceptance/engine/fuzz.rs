//! Property tests over the loaders: the node-join pack and a recording, mutated at random (bytes
//! flipped, cut, deleted, lines repeated, and known-hostile snippets inserted: alias bombs, deep
//! nesting, bad UTF-8, unclosed blocks, bad JSONPath), never make the loader panic or hang, and
//! every problem it reports names its file. `PROPTEST_CASES` sets how many inputs each tries.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use ekscheck::diagnostic::Diagnostic;
use ekscheck::execute::recording::RecordingBackend;
use ekscheck::format::load_packs;
use ekscheck::plan::Plan;
use proptest::prelude::*;

/// Inputs that once hung, panicked or confused a loader, and their kin.
const HOSTILE: &[&str] = &[
    "&a [*a]",
    "*undefined",
    "!!binary AAAA",
    "!!timestamp 2001-12-14",
    "\u{0}",
    "\u{feff}",
    "\u{202e}",
    "\t",
    "\r\n",
    "\n---\nx: 1\n",
    "{{#each vars}}",
    "{{/if}}",
    "{{arn_name 1 2 3}}",
    "{{lookup vars \"nope\"}}",
    "{{> partial}}",
    "$[?length(@.a, @.b) > 0]",
    "$.a[9223372036854775807]",
    "$..*..*..*",
    "(a+)+$",
    "1e400",
    ".nan",
    "99999999999999999999",
    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
    "{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":{\"a\":",
    "\"\\ud800\"",
    "needs: [x, x, x]",
    "api: eks:DeleteCluster",
    "for_each: { in: self, path: $[*], as: x }",
];

/// One change to a file, positions given as fractions of its length.
#[derive(Clone, Debug)]
pub(super) enum Edit {
    Flip(f64, u8),
    Insert(f64, usize),
    Delete(f64, usize),
    Truncate(f64),
    RepeatLine(f64),
}

pub(super) fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0.0..1.0, any::<u8>()).prop_map(|(at, byte)| Edit::Flip(at, byte)),
        (0.0..1.0, 0..HOSTILE.len()).prop_map(|(at, snippet)| Edit::Insert(at, snippet)),
        (0.0..1.0, 1usize..64).prop_map(|(at, len)| Edit::Delete(at, len)),
        (0.0..1.0).prop_map(Edit::Truncate),
        (0.0..1.0).prop_map(Edit::RepeatLine),
    ]
}

pub(super) fn apply(bytes: &mut Vec<u8>, edit: &Edit) {
    let at = |fraction: f64, bytes: &[u8]| ((bytes.len() as f64) * fraction) as usize;
    match *edit {
        Edit::Flip(fraction, byte) => {
            let index = at(fraction, bytes);
            if let Some(slot) = bytes.get_mut(index) {
                *slot = byte;
            }
        }
        Edit::Insert(fraction, snippet) => {
            let index = at(fraction, bytes);
            bytes.splice(index..index, HOSTILE[snippet].bytes());
        }
        Edit::Delete(fraction, len) => {
            let index = at(fraction, bytes);
            let end = (index + len).min(bytes.len());
            bytes.drain(index..end);
        }
        Edit::Truncate(fraction) => bytes.truncate(at(fraction, bytes)),
        Edit::RepeatLine(fraction) => {
            let index = at(fraction, bytes);
            let start = bytes[..index]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            let end = bytes[index..]
                .iter()
                .position(|&b| b == b'\n')
                .map_or(bytes.len(), |i| index + i + 1);
            let line: Vec<u8> = bytes[start..end].to_vec();
            bytes.splice(start..start, line);
        }
    }
}

/// A copy of directory `from` in a temporary directory, with file number `target` (in sorted
/// order) edited; returns the copy and the edited file.
fn mutated_copy(from: &str, target: usize, edits: &[Edit]) -> (tempfile::TempDir, PathBuf) {
    let copy = tempfile::tempdir().expect("a temporary directory");
    let mut files: Vec<PathBuf> = std::fs::read_dir(from)
        .expect("the directory")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.is_file())
        .collect();
    files.sort();
    let edited = copy
        .path()
        .join(files[target % files.len()].file_name().expect("a name"));
    for file in &files {
        let mut bytes = std::fs::read(file).expect("a file");
        let to = copy.path().join(file.file_name().expect("a name"));
        if to == edited {
            edits.iter().for_each(|edit| apply(&mut bytes, edit));
        }
        std::fs::write(&to, bytes).expect("a copy");
    }
    (copy, edited)
}

/// Words of Rust and of the parsers' internals, which a message must not show.
const JARGON: &[&str] = &[
    "struct ",
    "Option<",
    "budget breached",
    "from_str",
    "scalar",
    " { ",
];

/// Every error names a place in a file, or the file it concerns, in plain words.
pub(super) fn every_error_is_plain_and_names_its_file(
    diagnostics: &[Diagnostic],
    dir: &Path,
) -> Result<(), String> {
    for diagnostic in diagnostics.iter().filter(|d| d.is_error()) {
        let located = diagnostic.location.is_some();
        let named = diagnostic.message.contains(&dir.display().to_string());
        if !located && !named {
            return Err(format!("names no file: {diagnostic}"));
        }
        // What the message quotes (in backticks) is the user's own text.
        let own_words: String = diagnostic.message.split('`').step_by(2).collect();
        if let Some(word) = JARGON.iter().find(|word| own_words.contains(*word)) {
            return Err(format!("says `{word}`: {diagnostic}"));
        }
    }
    Ok(())
}

/// Far more than any case takes, far less than a hang.
pub(super) const BUDGET: Duration = Duration::from_secs(20);

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(64),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn a_mutated_pack_is_loaded_or_refused_with_located_errors(
        target in 0usize..16,
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        let (dir, _) = mutated_copy("checks/node-join", target, &edits);
        let started = Instant::now();
        let (packs, mut diagnostics) = load_packs(&[dir.path().to_path_buf()]);
        if let Err(problems) = Plan::build(&packs) {
            diagnostics.extend(problems);
        }
        prop_assert!(started.elapsed() < BUDGET, "loading took {:?}", started.elapsed());
        if let Err(problem) = every_error_is_plain_and_names_its_file(&diagnostics, dir.path()) {
            return Err(TestCaseError::fail(problem));
        }
    }

    #[test]
    fn a_mutated_recording_is_loaded_or_refused_naming_the_file(
        target in 0usize..40,
        edits in prop::collection::vec(edit(), 1..4),
    ) {
        let (dir, _) = mutated_copy("checks/node-join/tests/broken/recording", target, &edits);
        let started = Instant::now();
        let loaded = RecordingBackend::load(dir.path(), 100 << 20);
        prop_assert!(started.elapsed() < BUDGET, "loading took {:?}", started.elapsed());
        if let Err(problems) = loaded {
            prop_assert!(!problems.is_empty());
            if let Err(problem) = every_error_is_plain_and_names_its_file(&problems, dir.path()) {
                return Err(TestCaseError::fail(problem));
            }
        }
    }
}

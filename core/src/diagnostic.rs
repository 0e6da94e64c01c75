//! Located, actionable problems: what is wrong, where (file, line, column) and how to fix it.

use std::fmt::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

/// A loaded text file that diagnostics point into.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user gave it (joined with the pack directory).
    pub path: PathBuf,
    source: NamedSource<String>,
    /// The byte offset where each line starts: locating an offset is a binary search, not a
    /// count of the lines before it (which made loading quadratic in a file's size).
    line_starts: Vec<usize>,
    /// The text as shown in snippets, when it holds control characters: each replaced by a
    /// character of the same length, so that a file from another team cannot drive the
    /// terminal (and offsets still hold).
    shown: Option<String>,
}

impl SourceFile {
    /// Wraps a file's path and contents.
    pub fn new(path: PathBuf, text: String) -> Arc<Self> {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(index, _)| index + 1))
            .collect();
        let shown = text
            .contains(is_shown_escaped)
            .then(|| text.chars().map(placeholder).collect());
        let source = NamedSource::new(path.display().to_string(), text);
        Arc::new(Self {
            path,
            source,
            line_starts,
            shown,
        })
    }

    /// The whole file.
    pub(crate) fn text(&self) -> &str {
        self.source.inner()
    }

    /// The whole file as snippets show it.
    fn shown_text(&self) -> &str {
        self.shown.as_deref().unwrap_or_else(|| self.text())
    }
}

/// Whether `c` is a control character that a snippet or message does not show as it is (line
/// breaks and tabs are shown).
fn is_shown_escaped(c: char) -> bool {
    c.is_control() && !matches!(c, '\n' | '\r' | '\t')
}

/// `c` for a snippet: a control character becomes `?` (C0, DEL) or `¿` (C1), of the same length
/// in UTF-8.
fn placeholder(c: char) -> char {
    match c {
        _ if !is_shown_escaped(c) => c,
        '\u{80}'..='\u{9f}' => '¿',
        _ => '?',
    }
}

/// A place in a source file. Lines and columns count from 1; `offset` and `len` are bytes.
#[derive(Clone, Debug)]
pub struct Location {
    /// The file this location is in.
    pub file: Arc<SourceFile>,
    /// Line, from 1.
    pub(crate) line: usize,
    /// Column in characters, from 1.
    pub(crate) column: usize,
    /// Byte offset of the start.
    pub(crate) offset: usize,
    /// Length in bytes (0 points between two characters).
    pub(crate) len: usize,
}

impl Location {
    /// A location from a byte offset and length, computing line and column.
    pub fn at_offset(file: &Arc<SourceFile>, offset: usize, len: usize) -> Self {
        let text = file.text();
        let offset = floor_char_boundary(text, offset.min(text.len()));
        // A span that would end inside a character ends before it.
        let len = floor_char_boundary(text, offset + len.min(text.len() - offset)) - offset;
        let line = file.line_starts.partition_point(|&start| start <= offset);
        let column = file.text()[file.line_starts[line - 1]..offset]
            .chars()
            .count()
            + 1;
        Self {
            file: Arc::clone(file),
            line,
            column,
            offset,
            len,
        }
    }

    /// A location from a line and column (both from 1), spanning `len` bytes.
    pub(crate) fn at_line_column(
        file: &Arc<SourceFile>,
        line: usize,
        column: usize,
        len: usize,
    ) -> Self {
        let line_start = file
            .line_starts
            .get(line.saturating_sub(1))
            .copied()
            .unwrap_or(file.text().len());
        Self::at_offset(file, column_offset(file.text(), line_start, column), len)
    }

    /// The start of a file, for problems that concern the file as a whole.
    pub(crate) fn file_start(file: &Arc<SourceFile>) -> Self {
        Self::at_offset(file, 0, 0)
    }

    /// A location `delta` bytes further into the same file, `len` bytes long.
    pub(crate) fn shifted(&self, delta: usize, len: usize) -> Self {
        Self::at_offset(&self.file, self.offset + delta, len)
    }

    /// The source text this location spans.
    pub(crate) fn snippet(&self) -> &str {
        &self.file.text()[self.offset..self.offset + self.len]
    }
}

/// Two locations are equal when they span the same bytes of the same file.
impl PartialEq for Location {
    fn eq(&self, other: &Self) -> bool {
        self.file.path == other.file.path && self.offset == other.offset && self.len == other.len
    }
}

impl Eq for Location {}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}",
            self.file.path.display(),
            self.line,
            self.column
        )
    }
}

/// The longest value quoted in backticks a message shows whole.
const QUOTED_LIMIT: usize = 80;

/// `text` with each value quoted in backticks that is longer than [`QUOTED_LIMIT`] characters
/// cut short: "`xxxx…` (2000000 characters)", and control characters escaped (`\u{1b}`). A
/// message echoes what the user wrote, which may be megabytes, or drive a terminal.
fn shorten_quoted(text: String) -> String {
    let escaped_in_messages = |c: char| c.is_control() && !matches!(c, '\n' | '\t');
    let text = if text.contains(escaped_in_messages) {
        let mut escaped = String::with_capacity(text.len());
        for c in text.chars() {
            if escaped_in_messages(c) {
                escaped.extend(c.escape_default());
            } else {
                escaped.push(c);
            }
        }
        escaped
    } else {
        text
    };
    if text.len() <= QUOTED_LIMIT {
        return text;
    }
    let mut out = String::new();
    let mut cut_length = None;
    for (index, part) in text.split('`').enumerate() {
        if index > 0 {
            out.push('`');
        }
        if let Some(length) = cut_length.take() {
            let _ = write!(out, " ({length} characters)");
        }
        let quoted = index % 2 == 1;
        let length = part.chars().count();
        if quoted && length > QUOTED_LIMIT {
            out.extend(part.chars().take(QUOTED_LIMIT - 20));
            out.push('…');
            cut_length = Some(length);
        } else {
            out.push_str(part);
        }
    }
    out
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

/// How serious a diagnostic is: errors stop a run, warnings are printed and the run goes on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Nothing runs until this is fixed.
    Error,
    /// Probably a mistake, but the pack can run.
    Warning,
}

/// One problem found in the user's input.
#[derive(Clone, Debug)]
pub struct Diagnostic {
    /// Error or warning.
    pub level: Level,
    /// What is wrong, in one sentence.
    pub message: String,
    /// Where; `None` for problems without a place in a file (e.g. a command-line variable).
    pub location: Option<Location>,
    /// A short label under the highlighted source, if the message needs one.
    pub label: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at a location.
    pub fn error(location: Location, message: impl Into<String>) -> Self {
        Self {
            level: Level::Error,
            message: shorten_quoted(message.into()),
            location: Some(location),
            label: None,
            help: None,
        }
    }

    /// A warning at a location.
    pub(crate) fn warning(location: Location, message: impl Into<String>) -> Self {
        Self {
            level: Level::Warning,
            ..Self::error(location, message)
        }
    }

    /// An error that concerns no particular file position.
    pub fn unlocated(message: impl Into<String>) -> Self {
        Self {
            level: Level::Error,
            message: shorten_quoted(message.into()),
            location: None,
            label: None,
            help: None,
        }
    }

    /// An error about a file that could not be read or parsed as a whole.
    pub fn file(path: &Path, message: impl fmt::Display) -> Self {
        Self::unlocated(format!("{}: {message}", path.display()))
    }

    /// Adds a hint on how to fix the problem.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(shorten_quoted(help.into()));
        self
    }

    /// Adds a label shown under the highlighted source.
    pub(crate) fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(shorten_quoted(label.into()));
        self
    }

    /// Whether this diagnostic stops a run.
    pub fn is_error(&self) -> bool {
        self.level == Level::Error
    }

    /// Renders the diagnostic with the source line and a caret, as `--> file:line:col`.
    pub fn render(&self, color: bool) -> String {
        let theme = if color {
            GraphicalTheme::unicode()
        } else {
            GraphicalTheme::unicode_nocolor()
        };
        let mut out = String::new();
        let handler = GraphicalReportHandler::new_themed(theme).with_context_lines(1);
        let excerpt = self.location.as_ref().and_then(Excerpt::of);
        if handler
            .render_report(&mut out, &Rendered(self, excerpt))
            .is_err()
        {
            out = self.to_string();
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        write!(f, "{}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

/// Adapter presenting a [`Diagnostic`] to miette's renderer, with an excerpt of its line when
/// the line is long.
struct Rendered<'a>(&'a Diagnostic, Option<Excerpt<'a>>);

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.0.level {
            Level::Error => miette::Severity::Error,
            Level::Warning => miette::Severity::Warning,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.0
            .help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        let location = self.0.location.as_ref()?;
        Some(match &self.1 {
            Some(excerpt) => excerpt as &dyn miette::SourceCode,
            None => location.file.as_ref(),
        })
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let location = self.0.location.as_ref()?;
        let len = match &self.1 {
            // The highlight ends with the excerpt.
            Some(excerpt) => location.len.min(excerpt.window.end - location.offset),
            None => location.len,
        };
        let span = SourceSpan::new(location.offset.into(), len);
        let label = LabeledSpan::new_with_span(self.0.label.clone(), span);
        Some(Box::new(std::iter::once(label)))
    }
}

/// The part of a long line around a location: a 2 MB value on one line is shown as the
/// [`EXCERPT`] bytes that start at the location, not whole.
struct Excerpt<'a> {
    location: &'a Location,
    /// Byte range of the file shown.
    window: std::ops::Range<usize>,
}

/// How many bytes of a long line are shown from the location on.
const EXCERPT: usize = 120;

impl<'a> Excerpt<'a> {
    /// An excerpt of `location`'s line, if the line is too long to show whole.
    fn of(location: &'a Location) -> Option<Self> {
        let text = location.file.text();
        let start = location.file.line_starts[location.line - 1];
        let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        if end - start <= 2 * EXCERPT {
            return None;
        }
        let from =
            floor_char_boundary(text, location.offset.saturating_sub(EXCERPT / 4).max(start));
        let to = floor_char_boundary(text, (location.offset + EXCERPT).min(end));
        Some(Self {
            location,
            window: from..to,
        })
    }
}

impl miette::SourceCode for Excerpt<'_> {
    /// The excerpt, or (without context lines, as asked for the header's line and column) the
    /// part of it from `span` on.
    fn read_span<'b>(
        &'b self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'b> + 'b>, miette::MietteError> {
        let file = &self.location.file;
        let start = if context_lines_before + context_lines_after == 0 {
            span.offset().clamp(self.window.start, self.window.end)
        } else {
            self.window.start
        };
        let line_start = file.line_starts[self.location.line - 1];
        let column = file.shown_text()[line_start..start].chars().count();
        Ok(Box::new(miette::MietteSpanContents::new_named(
            file.path.display().to_string(),
            &file.shown_text().as_bytes()[start..self.window.end],
            SourceSpan::new(start.into(), self.window.end - start),
            self.location.line - 1,
            column,
            1,
        )))
    }
}

/// The file, read around a span: miette's own reading starts at the top of the file, which made
/// showing N problems of a file take time quadratic in N. The lines it needs are found in the
/// table of line starts, and only they are handed to miette.
impl miette::SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let text = self.shown_text().as_bytes();
        let line_of =
            |offset: usize| self.line_starts.partition_point(|&start| start <= offset) - 1;
        let first = line_of(span.offset().min(text.len()));
        let last = line_of((span.offset() + span.len()).min(text.len()));
        // A line more on each side than asked: miette looks one line past the context.
        let from_line = first.saturating_sub(context_lines_before + 1);
        let from = self.line_starts[from_line];
        let to = self
            .line_starts
            .get(last + context_lines_after + 2)
            .copied()
            .unwrap_or(text.len());
        let window = &text[from..to];
        let shifted = SourceSpan::new((span.offset() - from).into(), span.len());
        let contents = window.read_span(&shifted, context_lines_before, context_lines_after)?;
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.source.name().to_owned(),
            contents.data(),
            SourceSpan::new(
                (contents.span().offset() + from).into(),
                contents.span().len(),
            ),
            contents.line() + from_line,
            contents.column(),
            contents.line_count(),
        )))
    }
}

/// The byte offset of the 1-based `column` (counted in characters, as YAML and handlebars count)
/// on the line of `text` that starts at byte `line_start`; the end of `text` if the line is
/// shorter.
pub(crate) fn column_offset(text: &str, line_start: usize, column: usize) -> usize {
    text[line_start..]
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(text.len(), |(i, _)| line_start + i)
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    /// A file whose lines `1..=lines` read `line{n}: x`.
    fn numbered_lines(lines: usize) -> String {
        (1..=lines).fold(String::new(), |mut text, n| {
            let _ = writeln!(text, "line{n}: x");
            text
        })
    }

    #[test]
    fn long_quoted_values_are_cut_short() {
        let long = "x".repeat(2_000_000);
        let message = shorten_quoted(format!("`{long}` is not an operation; `ok` stays"));
        assert_eq!(
            message,
            format!(
                "`{}…` (2000000 characters) is not an operation; `ok` stays",
                "x".repeat(QUOTED_LIMIT - 20)
            )
        );
        let short = "`a` and `b`".to_owned();
        assert_eq!(shorten_quoted(short.clone()), short);
    }

    #[test]
    fn a_span_inside_a_character_is_cut_to_whole_characters() {
        let file = SourceFile::new(PathBuf::from("f.yaml"), "aé€b".into());
        for (offset, len, snippet) in [(0, 2, "a"), (1, 1, ""), (2, 3, "é"), (0, 99, "aé€b")] {
            let location = Location::at_offset(&file, offset, len);
            assert_eq!(location.snippet(), snippet, "{offset}+{len}");
        }
    }

    #[test]
    fn a_location_deep_in_a_file_is_shown_with_its_lines() {
        let text = numbered_lines(10_000);
        let file = SourceFile::new(PathBuf::from("f.yaml"), text);
        let location = Location::at_line_column(&file, 9_999, 1, 8);
        let rendered = Diagnostic::error(location, "wrong").render(false);
        for expected in [
            "[f.yaml:9999:1]",
            " 9998 │ line9998: x",
            " 9999 │ line9999: x",
            " 10000 │ line10000: x",
        ] {
            assert!(rendered.contains(expected), "{expected} in\n{rendered}");
        }
        assert!(!rendered.contains("line9997"), "{rendered}");
    }

    #[test]
    fn rendering_a_problem_reads_only_the_lines_it_shows() {
        // 1,000 problems at the end of a 100,000-line file: read from the top of the file each
        // time, that is 1.7 GB of bytes scanned (tens of seconds); from the line table, none.
        let text = numbered_lines(100_000);
        let file = SourceFile::new(PathBuf::from("f.yaml"), text);
        let started = std::time::Instant::now();
        for line in 99_000..100_000 {
            let location = Location::at_line_column(&file, line, 1, 4);
            assert!(
                Diagnostic::error(location, "wrong")
                    .render(false)
                    .contains("line")
            );
        }
        let elapsed = started.elapsed();
        assert!(elapsed < std::time::Duration::from_secs(5), "{elapsed:?}");
    }

    #[test]
    fn control_characters_are_not_shown_as_they_are() {
        let file = SourceFile::new(
            PathBuf::from("s.yaml"),
            "a: 1\nb: x\u{1b}[2K\u{9b}y\n".to_owned(),
        );
        let location = Location::at_line_column(&file, 2, 5, 1);
        let rendered = Diagnostic::error(location, "`\u{1b}[31mred\r` is wrong").render(false);
        assert!(!rendered.contains(['\u{1b}', '\u{9b}']), "{rendered:?}");
        assert!(rendered.contains("b: x?[2K¿y"), "{rendered}");
        assert!(
            rendered.contains("`\\u{1b}[31mred\\r` is wrong"),
            "{rendered}"
        );
        assert!(rendered.contains("[s.yaml:2:5]"), "{rendered}");
    }

    #[test]
    fn miette_sees_the_level_the_place_the_label_and_the_help() {
        let file = SourceFile::new("s.yaml".into(), "calls:\n  c: { api: eks:Nope }\n".into());
        let diagnostic = Diagnostic::warning(Location::at_offset(&file, 19, 8), "not an operation")
            .with_label("not registered")
            .with_help("did you mean `eks:ListNodegroups`?");
        let rendered = Rendered(&diagnostic, None);
        let report: &dyn miette::Diagnostic = &rendered;
        assert_eq!(report.severity(), Some(miette::Severity::Warning));
        assert_eq!(
            report.help().map(|help| help.to_string()).as_deref(),
            Some("did you mean `eks:ListNodegroups`?")
        );
        let labels: Vec<LabeledSpan> = report.labels().expect("labels").collect();
        assert_eq!(labels.len(), 1);
        assert_eq!((labels[0].offset(), labels[0].len()), (19, 8));
        assert_eq!(labels[0].label(), Some("not registered"));
        let source = report.source_code().expect("the file");
        let span = source
            .read_span(&labels[0].inner().clone(), 0, 0)
            .expect("a span");
        assert_eq!(span.data(), b"eks:Nope");
        assert_eq!((span.line(), span.column()), (1, 12));
        assert_eq!(rendered.to_string(), "not an operation");
    }

    #[test]
    fn on_a_long_line_miette_reads_an_excerpt_around_the_place() {
        let line = format!("calls: {}x\n", "y".repeat(1_000));
        let file = SourceFile::new("s.yaml".into(), line);
        let location = Location::at_offset(&file, 500, 600);
        let diagnostic = Diagnostic::error(location.clone(), "too long");
        let rendered = Rendered(&diagnostic, Excerpt::of(&location));
        let report: &dyn miette::Diagnostic = &rendered;
        let labels: Vec<LabeledSpan> = report.labels().expect("labels").collect();
        // The highlight ends with the excerpt: EXCERPT bytes from the place.
        assert_eq!((labels[0].offset(), labels[0].len()), (500, EXCERPT));
        let source = report.source_code().expect("the excerpt");
        let span = source
            .read_span(&labels[0].inner().clone(), 1, 1)
            .expect("a span");
        assert_eq!(span.data().len(), EXCERPT / 4 + EXCERPT);
        assert_eq!(span.column(), 500 - EXCERPT / 4);
    }
}

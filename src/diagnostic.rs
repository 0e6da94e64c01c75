//! Located, actionable problems: what is wrong, where (file, line, column) and how to fix it.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceSpan};

/// A loaded text file that diagnostics point into.
#[derive(Debug)]
pub struct SourceFile {
    /// The path as the user gave it (joined with the pack directory).
    pub path: PathBuf,
    source: NamedSource<String>,
}

impl SourceFile {
    /// Wraps a file's path and contents.
    pub fn new(path: PathBuf, text: String) -> Arc<Self> {
        let source = NamedSource::new(path.display().to_string(), text);
        Arc::new(Self { path, source })
    }

    /// The whole file.
    pub fn text(&self) -> &str {
        self.source.inner()
    }
}

/// A place in a source file. Lines and columns count from 1; `offset` and `len` are bytes.
#[derive(Clone, Debug)]
pub struct Location {
    /// The file this location is in.
    pub file: Arc<SourceFile>,
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
    /// Byte offset of the start.
    pub offset: usize,
    /// Length in bytes (0 points between two characters).
    pub len: usize,
}

impl Location {
    /// A location from a byte offset and length, computing line and column.
    pub fn at_offset(file: &Arc<SourceFile>, offset: usize, len: usize) -> Self {
        let offset = floor_char_boundary(file.text(), offset.min(file.text().len()));
        let len = len.min(file.text().len() - offset);
        let before = &file.text()[..offset];
        let line = before.matches('\n').count() + 1;
        let column = before[before.rfind('\n').map_or(0, |i| i + 1)..]
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
    pub fn at_line_column(file: &Arc<SourceFile>, line: usize, column: usize, len: usize) -> Self {
        let line_start: usize = file
            .text()
            .split_inclusive('\n')
            .take(line.saturating_sub(1))
            .map(str::len)
            .sum();
        let offset = file.text()[line_start..]
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(file.text().len(), |(i, _)| line_start + i);
        Self::at_offset(file, offset, len)
    }

    /// The start of a file, for problems that concern the file as a whole.
    pub fn file_start(file: &Arc<SourceFile>) -> Self {
        Self::at_offset(file, 0, 0)
    }

    /// A location `delta` bytes further into the same file, `len` bytes long.
    pub fn shifted(&self, delta: usize, len: usize) -> Self {
        Self::at_offset(&self.file, self.offset + delta, len)
    }

    /// The source text this location spans.
    pub fn snippet(&self) -> &str {
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
            message: message.into(),
            location: Some(location),
            label: None,
            help: None,
        }
    }

    /// A warning at a location.
    pub fn warning(location: Location, message: impl Into<String>) -> Self {
        Self {
            level: Level::Warning,
            ..Self::error(location, message)
        }
    }

    /// An error that concerns no particular file position.
    pub fn unlocated(message: impl Into<String>) -> Self {
        Self {
            level: Level::Error,
            message: message.into(),
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
        self.help = Some(help.into());
        self
    }

    /// Adds a label shown under the highlighted source.
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
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
        if handler.render_report(&mut out, &Rendered(self)).is_err() {
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

/// Adapter presenting a [`Diagnostic`] to miette's renderer.
struct Rendered<'a>(&'a Diagnostic);

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
        self.0
            .location
            .as_ref()
            .map(|location| &location.file.source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let location = self.0.location.as_ref()?;
        let span = SourceSpan::new(location.offset.into(), location.len);
        let label = LabeledSpan::new_with_span(self.0.label.clone(), span);
        Some(Box::new(std::iter::once(label)))
    }
}

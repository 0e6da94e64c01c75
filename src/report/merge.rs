//! `ekscheck merge-junit`: the JUnit reports of a partitioned run's shares joined into one: every
//! `<testsuite>` of every input, copied as written, under one `<testsuites>` whose counters and
//! time are the sums.
//!
//! The inputs come from other jobs (or tools): each is checked as it is copied, so that the
//! output is well-formed XML or nothing is written. A problem is located (file:line:column):
//! XML that is not well-formed (a tag not closed, an undefined entity, a character XML forbids),
//! a DOCTYPE (entities are not expanded), elements nested more than [`MAX_DEPTH`] deep, or a
//! counter that is not a count or whose sum does not fit.

use std::path::Path;
use std::sync::Arc;

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::{Reader, Writer, XmlVersion};

use super::escape::xml_allows;
use crate::diagnostic::{Diagnostic, Location, SourceFile};

/// The deepest nesting of elements a report may have (a JUnit report has five levels).
pub const MAX_DEPTH: usize = 64;

/// The counters of `<testsuites>`, summed.
const COUNTERS: [&str; 4] = ["tests", "failures", "errors", "skipped"];

/// Reports joined so far.
#[derive(Default)]
pub struct Merger {
    counts: [u64; 4],
    time: f64,
    suites: Vec<u8>,
}

/// A problem at a byte offset of the input being read.
struct Problem {
    offset: u64,
    message: String,
    help: &'static str,
}

impl Problem {
    fn new(offset: u64, message: impl Into<String>) -> Self {
        Self {
            offset,
            message: message.into(),
            help: "give the JUnit reports that `ekscheck run --junit` wrote, whole",
        }
    }
}

impl Merger {
    /// Joins the report `xml`, read from `path`.
    pub fn add(&mut self, path: &Path, xml: String) -> Result<(), Diagnostic> {
        let before = self.suites.len();
        self.copy(&xml).map_err(|problem| {
            self.suites.truncate(before);
            let file: Arc<SourceFile> = SourceFile::new(path.to_path_buf(), xml);
            let offset = usize::try_from(problem.offset).unwrap_or(usize::MAX);
            Diagnostic::error(Location::at_offset(&file, offset, 0), problem.message)
                .with_help(problem.help)
        })
    }

    /// The joined report.
    pub fn finish(self) -> String {
        let mut root = BytesStart::new("testsuites");
        root.push_attribute(("name", "ekscheck"));
        for (counter, count) in COUNTERS.iter().zip(self.counts) {
            root.push_attribute((*counter, count.to_string().as_str()));
        }
        root.push_attribute(("time", format!("{:.3}", self.time).as_str()));
        let mut out = Writer::new(Vec::new());
        // Writing into memory cannot fail.
        let _ = out.write_event(Event::Start(root));
        let mut text = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        text.push_str(&String::from_utf8_lossy(&out.into_inner()));
        text.push_str(&String::from_utf8_lossy(&self.suites));
        text.push_str("</testsuites>\n");
        text
    }

    /// Copies what `xml`'s root holds into the suites, checking it.
    fn copy(&mut self, xml: &str) -> Result<(), Problem> {
        let mut reader = Reader::from_str(xml);
        reader.config_mut().check_comments = true;
        let mut depth = 0_usize;
        let mut roots = 0;
        // The namespace prefixes each open element declares.
        let mut prefixes: Vec<Vec<String>> = Vec::new();
        loop {
            let at = reader.buffer_position();
            let event = reader.read_event().map_err(|error| {
                Problem::new(
                    reader.error_position(),
                    format!("not well-formed XML: {error}"),
                )
            })?;
            match &event {
                Event::Eof if depth > 0 => {
                    return Err(Problem::new(
                        at,
                        "the report ends before its `</testsuites>`: it is cut short",
                    ));
                }
                Event::Eof if roots == 0 => {
                    return Err(Problem::new(at, "not a JUnit report (no <testsuites>)"));
                }
                Event::Eof => return Ok(()),
                Event::DocType(_) => {
                    return Err(Problem::new(
                        at,
                        "a JUnit report has no DOCTYPE (ekscheck expands no entities)",
                    ));
                }
                Event::Start(element) | Event::Empty(element) => {
                    let declared = check_element(element, &prefixes, at)?;
                    if matches!(event, Event::Start(_)) {
                        prefixes.push(declared);
                    }
                    if depth == 0 {
                        roots += 1;
                        let name = String::from_utf8_lossy(element.name().as_ref()).into_owned();
                        if roots > 1 {
                            return Err(Problem::new(
                                at,
                                format!("a second root element, <{name}>, after </testsuites>"),
                            ));
                        }
                        if name != "testsuites" {
                            return Err(Problem::new(
                                at,
                                format!(
                                    "not a JUnit report (its root is <{name}>, not <testsuites>)"
                                ),
                            ));
                        }
                        self.count(element, at)?;
                    } else if depth >= MAX_DEPTH {
                        return Err(Problem::new(
                            at,
                            format!("elements are nested more than {MAX_DEPTH} deep"),
                        ));
                    }
                }
                Event::Text(text) => {
                    let decoded = text
                        .decode()
                        .map_err(|error| Problem::new(at, error.to_string()))?;
                    if depth == 0 && !decoded.trim().is_empty() {
                        return Err(Problem::new(at, "text outside <testsuites>"));
                    }
                    if decoded.contains("]]>") {
                        return Err(Problem::new(
                            at,
                            "`]]>` in text (it ends only a CDATA section)",
                        ));
                    }
                    check_chars(&decoded, at)?;
                }
                Event::End(_) => {
                    prefixes.pop();
                }
                Event::Decl(_) if at > 0 => {
                    return Err(Problem::new(
                        at,
                        "an XML declaration that is not at the start",
                    ));
                }
                Event::PI(instruction) if instruction.target().eq_ignore_ascii_case(b"xml") => {
                    return Err(Problem::new(at, "`<?xml` may only start the report"));
                }
                Event::CData(_) | Event::GeneralRef(_) if depth == 0 => {
                    return Err(Problem::new(at, "text outside <testsuites>"));
                }
                Event::CData(text) => check_chars(&String::from_utf8_lossy(text), at)?,
                Event::Comment(text) => check_chars(&String::from_utf8_lossy(text), at)?,
                Event::GeneralRef(reference) => check_reference(reference, at)?,
                Event::Decl(_) | Event::PI(_) => {}
            }
            let (inside, next) = match &event {
                Event::Start(_) => (depth > 0, depth + 1),
                Event::End(_) => (depth > 1, depth.saturating_sub(1)),
                _ => (depth > 0, depth),
            };
            if inside {
                Writer::new(&mut self.suites)
                    .write_event(event)
                    .map_err(|error| Problem::new(at, error.to_string()))?;
            }
            depth = next;
        }
    }

    /// Adds the counters and time of a root `<testsuites>`.
    fn count(&mut self, root: &BytesStart, at: u64) -> Result<(), Problem> {
        for attribute in root.attributes() {
            let attribute = attribute.map_err(|error| Problem::new(at, error.to_string()))?;
            let value = attribute
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|error| Problem::new(at, error.to_string()))?;
            let key = attribute.key.as_ref();
            let name = String::from_utf8_lossy(key);
            if let Some(index) = COUNTERS.iter().position(|c| c.as_bytes() == key) {
                let count: u64 = value
                    .trim()
                    .parse()
                    .map_err(|_| Problem::new(at, format!("`{name}` is `{value}`, not a count")))?;
                self.counts[index] = self.counts[index].checked_add(count).ok_or_else(|| {
                    Problem::new(
                        at,
                        format!(
                            "the `{name}` of the reports add up to more than {}",
                            u64::MAX
                        ),
                    )
                })?;
            } else if key == b"time" {
                let time: f64 = value
                    .trim()
                    .parse()
                    .ok()
                    .filter(|time: &f64| time.is_finite() && *time >= 0.0)
                    .ok_or_else(|| {
                        Problem::new(at, format!("`time` is `{value}`, not a number of seconds"))
                    })?;
                self.time += time;
            }
        }
        Ok(())
    }
}

/// Checks an element: its name and its attributes' are XML names whose prefixes are declared
/// (here, or in `open`, the prefixes each open element declares), no attribute is given twice,
/// and each value's references are defined and its characters allowed. Returns the prefixes it
/// declares.
fn check_element(
    element: &BytesStart,
    open: &[Vec<String>],
    at: u64,
) -> Result<Vec<String>, Problem> {
    // A value's closing quote is followed by a space, or ends the tag.
    let raw = element.attributes_raw();
    let mut quote = None;
    for (index, &byte) in raw.iter().enumerate() {
        match quote {
            Some(open) if byte == open => {
                quote = None;
                if raw
                    .get(index + 1)
                    .is_some_and(|next| !matches!(next, b' ' | b'\t' | b'\r' | b'\n'))
                {
                    return Err(Problem::new(at, "attributes without a space between them"));
                }
            }
            Some(_) => {}
            None if matches!(byte, b'"' | b'\'') => quote = Some(byte),
            None => {}
        }
    }
    let mut declared = Vec::new();
    let mut names = vec![String::from_utf8_lossy(element.name().as_ref()).into_owned()];
    for attribute in element.attributes() {
        let attribute =
            attribute.map_err(|error| Problem::new(at, format!("not well-formed XML: {error}")))?;
        let key = String::from_utf8_lossy(attribute.key.as_ref()).into_owned();
        match key.strip_prefix("xmlns:") {
            Some(prefix) => declared.push(prefix.to_owned()),
            None if key == "xmlns" => {}
            None => names.push(key),
        }
        let value = String::from_utf8_lossy(&attribute.value);
        if value.contains('<') {
            return Err(Problem::new(at, "a `<` in an attribute's value"));
        }
        let mut rest = value.as_ref();
        while let Some(start) = rest.find('&') {
            check_chars(&rest[..start], at)?;
            let Some(end) = rest[start..].find(';') else {
                return Err(Problem::new(at, "a `&` that starts no reference"));
            };
            check_reference(&BytesRef::new(&rest[start + 1..start + end]), at)?;
            rest = &rest[start + end + 1..];
        }
        check_chars(rest, at)?;
    }
    for name in &names {
        if !is_name(name) {
            return Err(Problem::new(at, format!("`{name}` is not an XML name")));
        }
        if let Some((prefix, _)) = name.split_once(':')
            && prefix != "xml"
            && !declared
                .iter()
                .chain(open.iter().flatten())
                .any(|p| p == prefix)
        {
            return Err(Problem::new(
                at,
                format!("the prefix of `{name}` is declared nowhere (`xmlns:{prefix}`)"),
            ));
        }
    }
    Ok(declared)
}

/// Whether `name` is a name XML 1.0 allows (for an element or an attribute).
fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(is_name_start)
        && chars.all(|c| {
            is_name_start(c)
                || matches!(c, '-' | '.' | '0'..='9' | '\u{B7}' | '\u{300}'..='\u{36F}'
                    | '\u{203F}'..='\u{2040}')
        })
}

/// Whether `c` may start an XML name. XML 1.0's fifth edition allows U+FEFF (the byte order
/// mark) in names, but expat, which CI's JUnit readers use, refuses it: so does merge-junit.
fn is_name_start(c: char) -> bool {
    c != '\u{FEFF}'
        && matches!(c,
        ':' | 'A'..='Z' | '_' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// Refuses a character XML 1.0 forbids.
fn check_chars(text: &str, at: u64) -> Result<(), Problem> {
    match text.chars().find(|&c| !xml_allows(c)) {
        Some(c) => Err(Problem::new(
            at,
            format!("the character U+{:04X} is not allowed in XML", u32::from(c)),
        )),
        None => Ok(()),
    }
}

/// Refuses a reference to an undefined entity, or to a character XML forbids.
fn check_reference(reference: &BytesRef, at: u64) -> Result<(), Problem> {
    let name = String::from_utf8_lossy(reference).into_owned();
    match reference.resolve_char_ref() {
        Ok(Some(c)) if xml_allows(c) => Ok(()),
        Ok(None) if ["lt", "gt", "amp", "apos", "quot"].contains(&name.as_str()) => Ok(()),
        Ok(None) => Err(Problem::new(
            at,
            format!("`&{name};` is an undefined entity"),
        )),
        Ok(Some(_)) | Err(_) => Err(Problem::new(
            at,
            format!("`&{name};` is not a character XML allows"),
        )),
    }
}

//! What validation reports: violations, the error of raw input, and the paths and report the
//! walkers build.

use std::fmt;

/// One broken rule.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Violation {
    /// Where, dotted with indices in brackets: `interactive.action.sections[1].title`.
    pub path: String,
    /// The Graph error code Meta would answer: 100, 131008, 131009 or 131051.
    pub code: u32,
    /// What is wrong, for a person.
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.path, self.code, self.message)
    }
}

/// Every broken rule of one message (never empty), in a stable order: the typed walker follows
/// the struct, the raw walker takes an object's keys alphabetically.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violations(pub(crate) Vec<Violation>);

impl Violations {
    /// The violations.
    pub fn as_slice(&self) -> &[Violation] {
        &self.0
    }

    /// The first violation: what a Graph error response reports.
    pub fn first(&self) -> &Violation {
        &self.0[0]
    }

    /// The violations, owned.
    pub fn into_vec(self) -> Vec<Violation> {
        self.0
    }
}

impl fmt::Display for Violations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, v) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{v}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Violations {}

impl<'a> IntoIterator for &'a Violations {
    type Item = &'a Violation;
    type IntoIter = std::slice::Iter<'a, Violation>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Why raw input is not a valid message.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// The bytes are not JSON at all (or not UTF-8).
    #[error("not JSON: {0}")]
    NotJson(String),
    /// JSON, but it breaks rules.
    #[error("{0}")]
    Invalid(Violations),
}

// ---------------------------------------------------------------------------------------------
// Paths, built on the stack and rendered only when a rule breaks.

#[derive(Clone, Copy)]
pub(crate) enum Path<'a> {
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

impl<'a> Path<'a> {
    pub(crate) fn key(&'a self, key: &'a str) -> Path<'a> {
        Path::Key(self, key)
    }
    pub(crate) fn index(&'a self, i: usize) -> Path<'a> {
        Path::Index(self, i)
    }
    fn render(&self, out: &mut String) {
        match *self {
            Path::Root => {}
            Path::Key(parent, key) => {
                parent.render(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Path::Index(parent, i) => {
                parent.render(out);
                out.push('[');
                out.push_str(&i.to_string());
                out.push(']');
            }
        }
    }
}

#[derive(Default)]
pub(crate) struct Report(pub(crate) Vec<Violation>);

impl Report {
    pub(crate) fn push(&mut self, path: &Path<'_>, code: u32, message: impl Into<String>) {
        let mut rendered = String::new();
        path.render(&mut rendered);
        if rendered.is_empty() {
            rendered.push('$');
        }
        self.0.push(Violation {
            path: rendered,
            code,
            message: message.into(),
        });
    }

    pub(crate) fn finish(self) -> Result<(), Violations> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Violations(self.0))
        }
    }
}

//! One authoring mistake in a definitions folder, named by file, line and field.

use std::fmt;

/// The kinds of mistakes `vardhub definitions check` reports (one test each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mistake {
    /// Not valid TOML.
    Syntax,
    /// A field the format does not have (often a typo).
    UnknownField,
    /// A required field is missing.
    MissingField,
    /// A value of the wrong type or outside the field's options (`unit = "procent"`).
    InvalidValue,
    /// The file is not named after its id.
    FileName,
    /// Two files define the same id (and version).
    Duplicate,
    /// The recipe names a collection the folder does not specify.
    UnknownSource,
    /// The recipe names a version of its collection that is not in the folder.
    UnknownSourceVersion,
    /// The building block needs a variable the named specification version does not have.
    UnknownVariable,
    /// A code that is not in its code system or the variable's list of allowed values.
    UnknownCode,
    /// The unit does not fit the building block or the interval method.
    UnitMismatch,
    /// The target is outside what the unit allows.
    TargetOutOfRange,
    /// A building-block parameter outside its range.
    BlockParameter,
    /// Standardisation without what it needs.
    Standardisation,
    /// A level or period the building block cannot publish (`[dimensions]`).
    Dimensions,
    /// A title or description without Swedish or English text.
    MissingText,
    /// A collection specification is inconsistent.
    Spec,
    /// The disclosure policy is invalid.
    Policy,
    /// The folder itself (unreadable, no recipes).
    Folder,
    /// An analysis recipe (`analyses/*.toml`) is invalid.
    Analysis,
}

impl Mistake {
    /// Short Swedish name.
    pub fn sv(self) -> &'static str {
        match self {
            Mistake::Syntax => "syntaxfel",
            Mistake::UnknownField => "okänt fält",
            Mistake::MissingField => "fält saknas",
            Mistake::InvalidValue => "ogiltigt värde",
            Mistake::FileName => "filnamn",
            Mistake::Duplicate => "dubblett",
            Mistake::UnknownSource => "okänd datamängd",
            Mistake::UnknownSourceVersion => "okänd specifikationsversion",
            Mistake::UnknownVariable => "okänd variabel",
            Mistake::UnknownCode => "okänd kod",
            Mistake::UnitMismatch => "enhet passar inte",
            Mistake::TargetOutOfRange => "målnivå utanför intervall",
            Mistake::BlockParameter => "byggblockets parameter",
            Mistake::Standardisation => "standardisering",
            Mistake::Dimensions => "nivå eller period",
            Mistake::MissingText => "text saknas",
            Mistake::Spec => "specifikation",
            Mistake::Policy => "röjandepolicy",
            Mistake::Folder => "katalog",
            Mistake::Analysis => "analysrecept",
        }
    }
}

/// One finding: where, which field, what kind and what is wrong (Swedish / English).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// File name relative to the definitions folder (`indicators/x.toml`).
    pub file: String,
    /// 1-based line, when it can be told.
    pub line: Option<usize>,
    /// The field (dotted path, `definition.population.hdia`), when there is one.
    pub field: Option<String>,
    /// The kind of mistake.
    pub kind: Mistake,
    /// What is wrong, Swedish first, then English.
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        write!(f, ": {}", self.kind.sv())?;
        if let Some(field) = &self.field {
            write!(f, " [{field}]")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// The 1-based line of `key = …` inside the TOML section `section` (`None`: anywhere; `""`: the
/// top level). Inline tables count: `population = { hdia = […] }` finds `hdia` on that line.
pub fn line_of(text: &str, section: Option<&str>, key: &str) -> Option<usize> {
    let mut current = String::new();
    let mut fallback = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.starts_with('#') {
            continue;
        }
        if let Some(name) = line
            .strip_prefix("[[")
            .and_then(|l| l.split("]]").next())
            .or_else(|| line.strip_prefix('[').and_then(|l| l.split(']').next()))
        {
            current = name.trim().to_owned();
            continue;
        }
        let in_section = section.is_none_or(|s| s == current);
        let direct = line
            .strip_prefix(key)
            .is_some_and(|rest| rest.trim_start().starts_with('='));
        let inline = line.contains(&format!("{key} =")) || line.contains(&format!("{key}="));
        if in_section && direct {
            return Some(i + 1);
        }
        if in_section && inline && fallback.is_none() {
            fallback = Some(i + 1);
        }
    }
    fallback
}

/// A TOML deserialisation error as a finding: an unknown or a missing field (named), else
/// `otherwise`; the line from the error's span.
pub(crate) fn from_toml_error(
    file: &str,
    text: &str,
    e: &toml::de::Error,
    otherwise: Mistake,
) -> Finding {
    let message = e.message().trim().to_owned();
    let kind = if message.starts_with("unknown field") {
        Mistake::UnknownField
    } else if message.starts_with("missing field") {
        Mistake::MissingField
    } else {
        otherwise
    };
    let field = match kind {
        Mistake::UnknownField | Mistake::MissingField => {
            message.split('`').nth(1).map(str::to_owned)
        }
        _ => None,
    };
    Finding {
        file: file.to_owned(),
        line: e.span().map(|s| line_at(text, s.start)),
        field,
        kind,
        message,
    }
}

/// The 1-based line of a byte offset.
pub fn line_at(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_in_their_section_and_inline() {
        let text = "id = \"a\"\nunit = \"x\"\n\n[definition]\nblock = \"b\"\npopulation = { hdia = [\"Z\"] }\ndays = 3\n";
        assert_eq!(line_of(text, Some(""), "unit"), Some(2));
        assert_eq!(line_of(text, Some("definition"), "days"), Some(7));
        assert_eq!(line_of(text, Some("definition"), "hdia"), Some(6));
        assert_eq!(line_of(text, Some(""), "days"), None);
        assert_eq!(line_at(text, 0), 1);
        assert_eq!(line_at(text, text.find("days").unwrap()), 7);
    }
}

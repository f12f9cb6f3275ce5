//! RDF/XML writer: one `rdf:Description` per subject (`rdf:about` or `rdf:nodeID`), one property
//! element per triple (`rdf:resource`, `rdf:nodeID`, or text with `xml:lang`/`rdf:datatype`).
//! Text and attributes are escaped; a predicate outside the known namespaces, or text with a
//! character XML 1.0 cannot carry, is an error rather than a broken document.

use super::rdf::{Graph, LiteralKind, Term};
use super::vocab::PREFIXES;
use std::fmt::Write;

/// What cannot be written as RDF/XML.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    /// A predicate that is not `prefix:NCName` in a known namespace.
    #[error(
        "predikatet kan inte skrivas som RDF/XML / predicate cannot be written as RDF/XML: {0}"
    )]
    Predicate(String),
    /// A control character that XML 1.0 does not allow.
    #[error(
        "tecknet U+{0:04X} kan inte skrivas i XML / character U+{0:04X} cannot be written in XML"
    )]
    Character(u32),
}

/// The graph as RDF/XML.
pub fn write(graph: &Graph) -> Result<String, XmlError> {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rdf:RDF");
    for (p, ns) in PREFIXES {
        let _ = write!(out, "\n    xmlns:{p}=\"{}\"", attr(ns)?);
    }
    out.push_str(">\n");
    for subject in graph.subjects() {
        match subject {
            Term::Iri(i) => {
                let _ = writeln!(out, "  <rdf:Description rdf:about=\"{}\">", attr(i)?);
            }
            Term::Blank(n) => {
                let _ = writeln!(out, "  <rdf:Description rdf:nodeID=\"b{n}\">");
            }
            Term::Literal(..) => continue,
        }
        for t in graph.triples().iter().filter(|t| &t.subject == subject) {
            let qname = qname(&t.predicate)?;
            match &t.object {
                Term::Iri(i) => {
                    let _ = writeln!(out, "    <{qname} rdf:resource=\"{}\"/>", attr(i)?);
                }
                Term::Blank(n) => {
                    let _ = writeln!(out, "    <{qname} rdf:nodeID=\"b{n}\"/>");
                }
                Term::Literal(lex, kind) => {
                    let extra = match kind {
                        LiteralKind::Plain => String::new(),
                        LiteralKind::Lang(tag) => format!(" xml:lang=\"{}\"", attr(tag)?),
                        LiteralKind::Typed(dt) => format!(" rdf:datatype=\"{}\"", attr(dt)?),
                    };
                    let _ = writeln!(out, "    <{qname}{extra}>{}</{qname}>", text(lex)?);
                }
            }
        }
        out.push_str("  </rdf:Description>\n");
    }
    out.push_str("</rdf:RDF>\n");
    Ok(out)
}

/// `prefix:local` for a predicate; the local part must be an XML name.
fn qname(iri: &str) -> Result<String, XmlError> {
    for (p, ns) in PREFIXES {
        if let Some(local) = iri.strip_prefix(ns)
            && ncname(local)
        {
            return Ok(format!("{p}:{local}"));
        }
    }
    Err(XmlError::Predicate(iri.to_owned()))
}

fn ncname(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
}

fn check(c: char) -> Result<(), XmlError> {
    let n = c as u32;
    if (n < 0x20 && !matches!(c, '\t' | '\n' | '\r')) || n == 0xFFFE || n == 0xFFFF {
        return Err(XmlError::Character(n));
    }
    Ok(())
}

/// Element text: `&`, `<`, `>` escaped, `\r` as a character reference (a parser would
/// otherwise normalise `\r\n` to `\n`).
pub fn text(s: &str) -> Result<String, XmlError> {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        check(c)?;
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#xD;"),
            c => out.push(c),
        }
    }
    Ok(out)
}

/// An attribute value in double quotes: also `"` and the white-space characters that attribute
/// normalisation would turn into spaces.
pub fn attr(s: &str) -> Result<String, XmlError> {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        check(c)?;
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("&#xA;"),
            '\r' => out.push_str("&#xD;"),
            '\t' => out.push_str("&#x9;"),
            c => out.push(c),
        }
    }
    Ok(out)
}

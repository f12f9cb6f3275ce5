//! Turtle writer: one block per subject in first-seen order, prefixed names where the local part
//! is safe, everything else as `<IRI>` with `\u` escapes; literals with `\"`, `\\`, `\n`, `\r`,
//! `\t` and `\u` escapes, non-ASCII text as UTF-8.

use super::rdf::{Graph, LiteralKind, Term};
use super::vocab::{PREFIXES, RDF_TYPE};
use std::fmt::Write;

/// The graph as Turtle.
pub fn write(graph: &Graph) -> String {
    let mut out = String::new();
    for (p, ns) in PREFIXES {
        let _ = writeln!(out, "@prefix {p}: <{}> .", escape_iri(ns));
    }
    for subject in graph.subjects() {
        out.push('\n');
        out.push_str(&term(subject));
        let mut last_pred: Option<&str> = None;
        for t in graph.triples().iter().filter(|t| &t.subject == subject) {
            if last_pred == Some(t.predicate.as_str()) {
                out.push_str(",\n        ");
            } else {
                if last_pred.is_some() {
                    out.push_str(" ;");
                }
                out.push_str("\n    ");
                if t.predicate == RDF_TYPE {
                    out.push('a');
                } else {
                    out.push_str(&name(&t.predicate));
                }
                out.push(' ');
                last_pred = Some(t.predicate.as_str());
            }
            out.push_str(&term(&t.object));
        }
        out.push_str(" .\n");
    }
    out
}

/// A term in Turtle syntax.
pub fn term(t: &Term) -> String {
    match t {
        Term::Iri(i) => name(i),
        Term::Blank(n) => format!("_:b{n}"),
        Term::Literal(lex, kind) => {
            let mut s = format!("\"{}\"", escape_string(lex));
            match kind {
                LiteralKind::Plain => {}
                LiteralKind::Lang(tag) => {
                    s.push('@');
                    s.push_str(tag);
                }
                LiteralKind::Typed(dt) => {
                    s.push_str("^^");
                    s.push_str(&name(dt));
                }
            }
            s
        }
    }
}

/// `prefix:local` when the IRI is in a known namespace and the local part is a safe name,
/// `<IRI>` otherwise.
fn name(iri: &str) -> String {
    for (p, ns) in PREFIXES {
        if let Some(local) = iri.strip_prefix(ns)
            && safe_local(local)
        {
            return format!("{p}:{local}");
        }
    }
    format!("<{}>", escape_iri(iri))
}

/// Letters, digits, `_` and `-` (not first), never empty: valid in every Turtle version.
fn safe_local(local: &str) -> bool {
    let mut chars = local.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// An IRI's characters that `IRIREF` forbids, as `\uXXXX`.
pub fn escape_iri(iri: &str) -> String {
    let mut out = String::with_capacity(iri.len());
    for c in iri.chars() {
        if c <= ' ' || matches!(c, '<' | '>' | '"' | '{' | '}' | '|' | '^' | '`' | '\\') {
            let _ = write!(out, "\\u{:04X}", c as u32);
        } else {
            out.push(c);
        }
    }
    out
}

/// A string literal's body.
pub fn escape_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

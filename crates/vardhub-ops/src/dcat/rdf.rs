//! A small RDF triple model: IRIs, blank nodes and literals, and a graph that keeps its triples
//! in insertion order without duplicates (so every writer's output is deterministic).

use std::collections::HashSet;

/// A literal's language tag or datatype.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LiteralKind {
    /// A plain string (`xsd:string`).
    Plain,
    /// A language-tagged string (`sv`, `en`).
    Lang(String),
    /// A typed literal; the datatype IRI.
    Typed(String),
}

/// An RDF term.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Term {
    /// An absolute IRI.
    Iri(String),
    /// A blank node, numbered within its graph.
    Blank(u32),
    /// A literal: its lexical form and kind.
    Literal(String, LiteralKind),
}

impl Term {
    /// The IRI, if this is one.
    pub fn as_iri(&self) -> Option<&str> {
        match self {
            Term::Iri(i) => Some(i),
            _ => None,
        }
    }
}

/// An IRI term.
pub fn iri(s: impl Into<String>) -> Term {
    Term::Iri(s.into())
}

/// A plain literal.
pub fn lit(s: impl Into<String>) -> Term {
    Term::Literal(s.into(), LiteralKind::Plain)
}

/// A language-tagged literal.
pub fn lang(s: impl Into<String>, tag: &str) -> Term {
    Term::Literal(s.into(), LiteralKind::Lang(tag.to_owned()))
}

/// A typed literal.
pub fn typed(s: impl Into<String>, datatype: &str) -> Term {
    Term::Literal(s.into(), LiteralKind::Typed(datatype.to_owned()))
}

/// One statement. The subject is an IRI or a blank node, the predicate an IRI.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Triple {
    /// Subject.
    pub subject: Term,
    /// Predicate IRI.
    pub predicate: String,
    /// Object.
    pub object: Term,
}

/// A set of triples in insertion order.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    triples: Vec<Triple>,
    seen: HashSet<Triple>,
    next_blank: u32,
}

impl Graph {
    /// An empty graph.
    pub fn new() -> Graph {
        Graph::default()
    }

    /// A fresh blank node.
    pub fn blank(&mut self) -> Term {
        self.next_blank += 1;
        Term::Blank(self.next_blank)
    }

    /// Add a triple (a duplicate is ignored). A literal subject is a programming error and is
    /// ignored in release builds.
    pub fn add(&mut self, subject: &Term, predicate: &str, object: Term) {
        debug_assert!(
            !matches!(subject, Term::Literal(..)),
            "a literal cannot be a subject"
        );
        if matches!(subject, Term::Literal(..)) {
            return;
        }
        let t = Triple {
            subject: subject.clone(),
            predicate: predicate.to_owned(),
            object,
        };
        if self.seen.insert(t.clone()) {
            self.triples.push(t);
        }
    }

    /// The triples, in insertion order.
    pub fn triples(&self) -> &[Triple] {
        &self.triples
    }

    /// Number of triples.
    pub fn len(&self) -> usize {
        self.triples.len()
    }

    /// Whether the graph has no triples.
    pub fn is_empty(&self) -> bool {
        self.triples.is_empty()
    }

    /// The objects of `subject predicate ?`.
    pub fn objects<'a>(
        &'a self,
        subject: &'a Term,
        predicate: &'a str,
    ) -> impl Iterator<Item = &'a Term> + 'a {
        self.triples
            .iter()
            .filter(move |t| &t.subject == subject && t.predicate == predicate)
            .map(|t| &t.object)
    }

    /// The subjects of `? rdf:type class`.
    pub fn instances<'a>(&'a self, class: &'a str) -> impl Iterator<Item = &'a Term> + 'a {
        self.triples
            .iter()
            .filter(move |t| {
                t.predicate == crate::dcat::vocab::RDF_TYPE && t.object.as_iri() == Some(class)
            })
            .map(|t| &t.subject)
    }

    /// The subjects in order of their first triple (each once).
    pub fn subjects(&self) -> Vec<&Term> {
        let mut seen = HashSet::new();
        self.triples
            .iter()
            .map(|t| &t.subject)
            .filter(|s| seen.insert(*s))
            .collect()
    }
}

//! JSON-LD writer: a `@context` of the prefixes and a flat `@graph` of node objects, every value
//! in expanded form (`{"@id"}`, `{"@value", "@language"|"@type"}`), so no term definition can
//! change a value's meaning. JSON escaping is serde_json's.

use super::rdf::{Graph, LiteralKind, Term};
use super::vocab::{PREFIXES, RDF_TYPE};
use serde_json::{Map, Value, json};

/// The graph as a JSON-LD document (pretty-printed).
pub fn write(graph: &Graph) -> String {
    let context: Map<String, Value> = PREFIXES
        .iter()
        .map(|(p, ns)| ((*p).to_owned(), Value::String((*ns).to_owned())))
        .collect();
    let mut nodes = Vec::new();
    for subject in graph.subjects() {
        let mut node = Map::new();
        node.insert("@id".into(), Value::String(node_id(subject)));
        let mut types = Vec::new();
        for t in graph.triples().iter().filter(|t| &t.subject == subject) {
            if t.predicate == RDF_TYPE
                && let Term::Iri(class) = &t.object
            {
                types.push(Value::String(compact(class)));
                continue;
            }
            let key = compact(&t.predicate);
            let entry = node.entry(key).or_insert_with(|| Value::Array(Vec::new()));
            if let Value::Array(values) = entry {
                values.push(value(&t.object));
            }
        }
        if !types.is_empty() {
            node.insert("@type".into(), Value::Array(types));
        }
        nodes.push(Value::Object(node));
    }
    let doc = json!({"@context": context, "@graph": nodes});
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

fn node_id(t: &Term) -> String {
    match t {
        Term::Iri(i) => i.clone(),
        Term::Blank(n) => format!("_:b{n}"),
        Term::Literal(..) => String::new(),
    }
}

fn value(t: &Term) -> Value {
    match t {
        Term::Iri(_) | Term::Blank(_) => json!({"@id": node_id(t)}),
        Term::Literal(lex, LiteralKind::Plain) => json!({"@value": lex}),
        Term::Literal(lex, LiteralKind::Lang(tag)) => json!({"@value": lex, "@language": tag}),
        Term::Literal(lex, LiteralKind::Typed(dt)) => json!({"@value": lex, "@type": compact(dt)}),
    }
}

/// `prefix:local` for a term in a known namespace (keys and types only; a compact IRI whose
/// local part has a `/` or `#` would still expand right, but is kept whole for readability).
fn compact(iri: &str) -> String {
    for (p, ns) in PREFIXES {
        if let Some(local) = iri.strip_prefix(ns)
            && !local.is_empty()
            && !local.starts_with("//")
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return format!("{p}:{local}");
        }
    }
    iri.to_owned()
}

//! Catalogue metadata (issue 17): the hub's collections, indicators and published analyses as
//! a DCAT catalogue in two profiles — HealthDCAT-AP (release 8, for the EHDS) and DCAT-AP-SE
//! (for dataportal.se) — written as Turtle, JSON-LD or RDF/XML.
//!
//! Everything is generated from the same definitions the hub runs on (collection specifications
//! with their variables and code systems, indicator recipes, analysis recipes) plus the
//! catalogue facts of the moment ([`CatalogueFacts`]). Modules, one job each: [`rdf`] (the triple
//! model), [`vocab`] (namespaces and controlled vocabularies), [`turtle`], [`jsonld`], [`rdfxml`]
//! (the writers), [`facts`], and the mapping: `catalog` (catalogue, agents, shared nodes),
//! `collections` (one non-public dataset per collection) and `indicators` (one public dataset
//! per indicator and per analysis with a published result).

mod catalog;
mod collections;
pub mod facts;
mod indicators;
pub mod jsonld;
pub mod rdf;
pub mod rdfxml;
pub mod turtle;
pub mod vocab;

#[cfg(test)]
mod tests;

pub use facts::{
    BaseUrl, CatalogueFacts, CollectionFacts, ExternalFacts, Publisher, RunFacts, Served,
};
pub use rdf::{Graph, Term};

use vardhub_engine::definitions::Definitions;

/// The application profile a catalogue is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// HealthDCAT-AP release 8 (DCAT-AP 3 plus the health extension).
    HealthDcatAp,
    /// DCAT-AP-SE 3 (DCAT-AP 3 with the Swedish requirements).
    DcatApSe,
}

impl Profile {
    /// Parse `healthdcat-ap` or `dcat-ap-se`.
    pub fn parse(s: &str) -> Option<Profile> {
        match s {
            "healthdcat-ap" => Some(Profile::HealthDcatAp),
            "dcat-ap-se" => Some(Profile::DcatApSe),
            _ => None,
        }
    }

    /// The name as in [`Profile::parse`].
    pub fn name(self) -> &'static str {
        match self {
            Profile::HealthDcatAp => "healthdcat-ap",
            Profile::DcatApSe => "dcat-ap-se",
        }
    }

    /// Whether the health extension's properties are written.
    pub fn health(self) -> bool {
        self == Profile::HealthDcatAp
    }
}

/// An RDF serialisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Turtle (`text/turtle`).
    Turtle,
    /// JSON-LD (`application/ld+json`).
    JsonLd,
    /// RDF/XML (`application/rdf+xml`).
    RdfXml,
}

impl Format {
    /// Parse `ttl`, `jsonld` or `rdf`.
    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "ttl" | "turtle" => Some(Format::Turtle),
            "jsonld" | "json-ld" => Some(Format::JsonLd),
            "rdf" | "xml" | "rdfxml" => Some(Format::RdfXml),
            _ => None,
        }
    }

    /// The media type.
    pub fn media_type(self) -> &'static str {
        match self {
            Format::Turtle => "text/turtle",
            Format::JsonLd => "application/ld+json",
            Format::RdfXml => "application/rdf+xml",
        }
    }

    /// The format a media type names, if any (parameters ignored).
    pub fn from_media_type(m: &str) -> Option<Format> {
        match m.split(';').next().unwrap_or("").trim() {
            "text/turtle" | "application/x-turtle" => Some(Format::Turtle),
            "application/ld+json" => Some(Format::JsonLd),
            "application/rdf+xml" => Some(Format::RdfXml),
            _ => None,
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Turtle => "ttl",
            Format::JsonLd => "jsonld",
            Format::RdfXml => "rdf",
        }
    }
}

/// Why a catalogue cannot be made or written.
#[derive(Debug, thiserror::Error)]
pub enum DcatError {
    /// The `Host` the base URL would come from is not a host name (the client must act).
    #[error("ogiltigt värdnamn / invalid host name: {0:?}")]
    Host(String),
    /// The graph cannot be written as RDF/XML (a bug: the developers must act).
    #[error(transparent)]
    Xml(#[from] rdfxml::XmlError),
}

/// The catalogue as a graph in `profile`.
pub fn catalogue(defs: &Definitions, facts: &CatalogueFacts, profile: Profile) -> Graph {
    let mut g = Graph::new();
    let ctx = catalog::Context::new(facts, profile);
    let cat = ctx.catalog(&mut g);
    for spec in defs.specs().newest_by_id().values() {
        let ds = collections::dataset(&mut g, &ctx, spec, facts.collections.get(&spec.id));
        g.add(&cat, vocab::DCAT_DATASET_P, ds);
    }
    for recipe in defs.recipes().values() {
        let ds = indicators::indicator(&mut g, &ctx, defs, recipe);
        g.add(&cat, vocab::DCAT_DATASET_P, ds);
    }
    for table in &facts.external {
        let ds = indicators::external(&mut g, &ctx, table);
        g.add(&cat, vocab::DCAT_DATASET_P, ds);
    }
    for (id, recipe) in defs.analyses() {
        if let Some(computed) = facts.analyses.get(id) {
            let ds = indicators::analysis(&mut g, &ctx, id, recipe, computed);
            g.add(&cat, vocab::DCAT_DATASET_P, ds);
        }
    }
    g
}

/// The graph written in `format`.
pub fn render(graph: &Graph, format: Format) -> Result<String, DcatError> {
    Ok(match format {
        Format::Turtle => turtle::write(graph),
        Format::JsonLd => jsonld::write(graph),
        Format::RdfXml => rdfxml::write(graph)?,
    })
}

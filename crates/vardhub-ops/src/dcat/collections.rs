//! One dataset per collection: the microdata the regions deliver, described from its
//! specification (tables, variables, code systems) and the catalogue's deliveries. Not public:
//! `NON_PUBLIC` access, reached only through hemhämtning by a region's own analysts.

use super::catalog::{Context, Dist, concept, texts};
use super::facts::CollectionFacts;
use super::rdf::{Graph, Term, iri, lang, lit, typed};
use super::vocab::*;
use std::collections::BTreeSet;
use vardhub_domain::spec::{CodeSystem, CollectionSpec, Scope, Text, VarType};

/// The collection's dataset node (added to `g` with everything it says).
pub(crate) fn dataset(
    g: &mut Graph,
    ctx: &Context,
    spec: &CollectionSpec,
    facts: Option<&CollectionFacts>,
) -> Term {
    let ds = iri(ctx.iri(&["dcat", "dataset", "collection", &spec.id]));
    ctx.common(g, &ds);
    g.add(&ds, DCT_IDENTIFIER, lit(ds.as_iri().unwrap_or_default()));
    texts(g, &ds, DCT_TITLE, &spec.title);
    texts(g, &ds, DCT_DESCRIPTION, &spec.description);
    let non_public = concept(g, ACCESS_RIGHT, "NON_PUBLIC");
    g.add(&ds, DCT_ACCESS_RIGHTS, non_public);
    g.add(&ds, DCAT_VERSION, lit(&spec.version));
    let kind = if ctx.facts.synthetic {
        "SYNTHETIC_DATA"
    } else {
        "STATISTICAL"
    };
    let t = concept(g, DATASET_TYPE, kind);
    g.add(&ds, DCT_TYPE, t);
    keywords(g, &ds, spec);
    let standard = specification(g, ctx, spec);
    g.add(&ds, DCT_CONFORMS_TO, standard);
    provenance(g, &ds, spec);
    if let Some(f) = facts {
        let p = ctx.period(g, f.first, f.last);
        g.add(&ds, DCT_TEMPORAL, p);
        if let Some(at) = &f.last_published {
            g.add(&ds, DCT_MODIFIED, typed(at, XSD_DATETIME));
        }
    }
    for table in &spec.tables {
        ctx.distribution(
            g,
            &ds,
            &Dist {
                slug: &table.name,
                title: Text {
                    sv: format!("{} (Parquet, hemhämtning)", table.title.sv),
                    en: format!("{} (Parquet, download to the own region)", table.title.en),
                },
                access: ctx.url(&format!(
                    "/api/v1/microdata/{}/{}",
                    super::catalog::encode_segment(&spec.id),
                    super::catalog::encode_segment(&table.name)
                )),
                download: None,
                file_type: "PARQUET",
                media_type: "application/vnd.apache.parquet",
                open: false,
                conforms_to: None,
            },
        );
    }
    if ctx.profile.health() {
        health(g, ctx, &ds, spec, facts);
    }
    ds
}

/// HealthDCAT-AP's health-specific properties of a collection.
fn health(
    g: &mut Graph,
    ctx: &Context,
    ds: &Term,
    spec: &CollectionSpec,
    facts: Option<&CollectionFacts>,
) {
    ctx.legislation(g, ds, &[EHDS, GDPR]);
    let categories: &[&str] = match spec.scope {
        // Extracts of the regions' patient administration and cost-per-patient systems.
        Scope::Regional => &["EHRS", "HRAD"],
        // The population register: socio-demographic factors.
        Scope::National => &["DIOH"],
    };
    for c in categories {
        let cat = concept(g, HEALTH_CATEGORIES, c);
        g.add(ds, HEALTH_CATEGORY, cat);
    }
    for system in coding_systems(spec) {
        let cs = concept(g, CODING_SYSTEM, system);
        g.add(ds, HEALTH_HAS_CODING_SYSTEM, cs);
    }
    let personal = spec
        .tables
        .iter()
        .flat_map(|t| &t.variables)
        .any(|v| v.var_type == VarType::PersonalId);
    if personal {
        let pd = iri(PD_HEALTH_RECORD);
        g.add(&pd, RDF_TYPE, iri(DPV_PERSONAL_DATA));
        g.add(ds, DPV_HAS_PERSONAL_DATA, pd);
        let basis = iri(GDPR_A9_2_H);
        g.add(&basis, RDF_TYPE, iri(DPV_LEGAL_BASIS));
        g.add(ds, DPV_HAS_LEGAL_BASIS, basis);
    }
    if let Some(f) = facts {
        if let Some(first) = spec.tables.first()
            && let Some(rows) = f.rows.get(&first.name)
        {
            let n = (*rows).max(0).to_string();
            g.add(
                ds,
                HEALTH_NUMBER_OF_RECORDS,
                typed(n, XSD_NON_NEGATIVE_INTEGER),
            );
        }
        let regions: Vec<&str> = f.regions.iter().map(String::as_str).collect();
        let (sv, en) = if regions == ["00"] {
            (
                "Hela Sveriges befolkning (nationellt uttag).".to_owned(),
                "The whole population of Sweden (national extract).".to_owned(),
            )
        } else {
            (
                format!(
                    "Patienter i de {} regioner som har levererat (länskoder {}), {}–{}.",
                    regions.len(),
                    regions.join(", "),
                    f.first,
                    f.last
                ),
                format!(
                    "Patients of the {} regions that have delivered (county codes {}), {}–{}.",
                    regions.len(),
                    regions.join(", "),
                    f.first,
                    f.last
                ),
            )
        };
        g.add(ds, HEALTH_POPULATION_COVERAGE, lang(sv, "sv"));
        g.add(ds, HEALTH_POPULATION_COVERAGE, lang(en, "en"));
    }
    g.add(ds, HEALTH_HAS_STRUCTURED_DATA, typed("true", XSD_BOOLEAN));
    let group = variables(g, ctx, spec);
    g.add(ds, HEALTH_HAS_VARIABLES, group);
}

/// The HealthDCAT-AP coding systems of a specification's code variables, each once.
pub(crate) fn coding_systems(spec: &CollectionSpec) -> BTreeSet<&'static str> {
    spec.tables
        .iter()
        .flat_map(|t| &t.variables)
        .filter_map(|v| match v.code_system? {
            CodeSystem::Icd10se => Some("ICD-10-NAT"),
            CodeSystem::Kva => Some("PROC-CODES-NAT"),
            CodeSystem::Atc => Some("ATC"),
            _ => None,
        })
        .collect()
}

/// Keywords: the collection's and its tables' titles, the code systems' names, and "hälsodata".
fn keywords(g: &mut Graph, ds: &Term, spec: &CollectionSpec) {
    g.add(ds, DCAT_KEYWORD, lang("hälsodata", "sv"));
    g.add(ds, DCAT_KEYWORD, lang("health data", "en"));
    g.add(ds, DCAT_KEYWORD, lang("mikrodata", "sv"));
    g.add(ds, DCAT_KEYWORD, lang("microdata", "en"));
    for t in &spec.tables {
        g.add(ds, DCAT_KEYWORD, lang(t.title.sv.to_lowercase(), "sv"));
        g.add(ds, DCAT_KEYWORD, lang(t.title.en.to_lowercase(), "en"));
    }
    let systems: BTreeSet<&str> = spec
        .tables
        .iter()
        .flat_map(|t| &t.variables)
        .filter_map(|v| v.code_system)
        .filter(|c| matches!(c, CodeSystem::Icd10se | CodeSystem::Kva | CodeSystem::Atc))
        .map(CodeSystem::name)
        .collect();
    for s in systems {
        g.add(ds, DCAT_KEYWORD, lit(s));
    }
}

/// The specification as a `dct:Standard` the dataset conforms to.
fn specification(g: &mut Graph, ctx: &Context, spec: &CollectionSpec) -> Term {
    let s = iri(ctx.iri(&["dcat", "specification", &spec.id, &spec.version]));
    g.add(&s, RDF_TYPE, iri(DCT_STANDARD));
    texts(
        g,
        &s,
        DCT_TITLE,
        &Text {
            sv: format!("Informationsspecifikation {} {}", spec.id, spec.version),
            en: format!("Information specification {} {}", spec.id, spec.version),
        },
    );
    g.add(&s, OWL_VERSION_INFO, lit(&spec.version));
    s
}

/// How the data come about: delivered monthly by the regions, validated, pseudonymised.
fn provenance(g: &mut Graph, ds: &Term, spec: &CollectionSpec) {
    let p = g.blank();
    g.add(&p, RDF_TYPE, iri(DCT_PROVENANCE_STATEMENT));
    let who = match spec.scope {
        Scope::Regional => (
            "Levereras månadsvis av varje region",
            "Delivered monthly by each region",
        ),
        Scope::National => (
            "Levereras som ett nationellt uttag",
            "Delivered as one national extract",
        ),
    };
    let sources = if spec.sources.is_empty() {
        String::new()
    } else {
        format!(" ({})", spec.sources.join("; "))
    };
    texts(
        g,
        &p,
        RDFS_LABEL,
        &Text {
            sv: format!(
                "{} enligt informationsspecifikationen {} {}{sources}; valideras rad för rad, \
                 identitetsnummer pseudonymiseras vid mottagandet och varje leverans publiceras \
                 versionerad.",
                who.0, spec.id, spec.version
            ),
            en: format!(
                "{} following the information specification {} {}{sources}; validated row by \
                 row, identity numbers pseudonymised on receipt, every delivery published \
                 versioned.",
                who.1, spec.id, spec.version
            ),
        },
    );
    g.add(ds, DCT_PROVENANCE, p);
}

/// The tables and variables as a `csvw:TableGroup`.
fn variables(g: &mut Graph, ctx: &Context, spec: &CollectionSpec) -> Term {
    let group = iri(ctx.iri(&["dcat", "specification", &spec.id, &spec.version, "tables"]));
    g.add(&group, RDF_TYPE, iri(CSVW_TABLE_GROUP));
    texts(g, &group, DCT_TITLE, &spec.title);
    for table in &spec.tables {
        let t = iri(format!(
            "{}/{}",
            group.as_iri().unwrap_or_default(),
            super::catalog::encode_segment(&table.name)
        ));
        g.add(&t, RDF_TYPE, iri(CSVW_TABLE_CLASS));
        texts(g, &t, DCT_TITLE, &table.title);
        for v in &table.variables {
            let c = g.blank();
            g.add(&c, RDF_TYPE, iri(CSVW_COLUMN_CLASS));
            g.add(&c, CSVW_NAME, lit(&v.name));
            g.add(&c, CSVW_TITLE, lit(&v.name));
            texts(g, &c, DCT_DESCRIPTION, &v.description);
            g.add(&c, CSVW_DATATYPE, lit(datatype(v.var_type)));
            g.add(&t, CSVW_COLUMN, c);
        }
        g.add(&group, CSVW_TABLE, t);
    }
    group
}

/// The CSVW built-in datatype of a delivered type (codes and pseudonyms are strings).
fn datatype(t: VarType) -> &'static str {
    match t {
        VarType::String | VarType::Code | VarType::PersonalId => "string",
        VarType::Integer => "integer",
        VarType::Decimal => "decimal",
        VarType::Date => "date",
        VarType::Datetime => "dateTime",
        VarType::Boolean => "boolean",
    }
}

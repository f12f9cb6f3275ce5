//! One public dataset per indicator (its recipe, the months of the latest official run, and a
//! distribution per way the server serves its values) and per published analysis.

use super::catalog::{Context, Dist, concept, encode_segment, texts};
use super::facts::ExternalFacts;
use super::rdf::{Graph, Term, iri, lang, lit, typed};
use super::vocab::*;
use vardhub_domain::spec::Text;
use vardhub_engine::analysis::AnalysisRecipe;
use vardhub_engine::definitions::Definitions;
use vardhub_engine::indicator::Recipe;

/// The columns of the published values (`/api/v1/indicators/{id}/values`), as `(name, type,
/// sv, en)`.
const VALUE_COLUMNS: &[(&str, &str, &str, &str)] = &[
    ("indicator", "string", "Indikatorns id", "Indicator id"),
    (
        "region",
        "string",
        "Område: 00 Sverige, länskod, sjukvårdsregion, kommun, sjukhus",
        "Area: 00 Sweden, county code, healthcare region, municipality, hospital",
    ),
    ("level", "string", "Områdets nivå", "The area's level"),
    (
        "period",
        "string",
        "Period: månad, kvartal, år eller rullande 12 månader",
        "Period: month, quarter, year or rolling 12 months",
    ),
    ("kon", "string", "Kön: 1, 2 eller alla", "Sex: 1, 2 or all"),
    ("aldersgrupp", "string", "Åldersgrupp", "Age group"),
    (
        "status",
        "string",
        "Publiceringsstatus (visad, dold av röjandeskydd, inga fall …)",
        "Publication status (shown, suppressed for disclosure control, no cases …)",
    ),
    ("numerator", "decimal", "Täljare", "Numerator"),
    ("denominator", "decimal", "Nämnare", "Denominator"),
    (
        "value",
        "decimal",
        "Värde i indikatorns enhet",
        "Value in the indicator's unit",
    ),
    ("lower", "decimal", "Nedre 95 %-gräns", "Lower 95 % limit"),
    ("upper", "decimal", "Övre 95 %-gräns", "Upper 95 % limit"),
];

/// The indicator's dataset node.
pub(crate) fn indicator(g: &mut Graph, ctx: &Context, defs: &Definitions, recipe: &Recipe) -> Term {
    let spec = &recipe.spec;
    let id = encode_segment(&spec.id);
    let ds = iri(ctx.iri(&["dcat", "dataset", "indicator", &spec.id]));
    public(g, ctx, &ds, &spec.title, &spec.description);
    g.add(&ds, DCAT_VERSION, lit(&spec.version));
    g.add(&ds, DCAT_KEYWORD, lang("indikator", "sv"));
    g.add(&ds, DCAT_KEYWORD, lang("indicator", "en"));
    g.add(&ds, DCAT_KEYWORD, lang(&spec.area, "sv"));
    if let Some(en) = &spec.area_en {
        g.add(&ds, DCAT_KEYWORD, lang(en, "en"));
    }
    if let Some(source) = defs.specs().newest(&spec.source) {
        g.add(
            &ds,
            DCAT_KEYWORD,
            lang(source.title.sv.to_lowercase(), "sv"),
        );
        g.add(
            &ds,
            DCAT_KEYWORD,
            lang(source.title.en.to_lowercase(), "en"),
        );
        let src = iri(ctx.iri(&["dcat", "dataset", "collection", &spec.source]));
        g.add(&ds, DCT_RELATION, src);
    }
    // The recipe is the standard the values conform to.
    let std = iri(ctx.iri(&["dcat", "recipe", &spec.id, &spec.version]));
    g.add(&std, RDF_TYPE, iri(DCT_STANDARD));
    texts(
        g,
        &std,
        DCT_TITLE,
        &Text {
            sv: format!("Indikatorrecept {} {}", spec.id, spec.version),
            en: format!("Indicator recipe {} {}", spec.id, spec.version),
        },
    );
    texts(
        g,
        &std,
        DCT_DESCRIPTION,
        &Text {
            sv: format!(
                "Täljare: {} Nämnare: {}",
                spec.numerator.sv, spec.denominator.sv
            ),
            en: format!(
                "Numerator: {} Denominator: {}",
                spec.numerator.en, spec.denominator.en
            ),
        },
    );
    g.add(&std, OWL_VERSION_INFO, lit(&spec.version));
    g.add(&std, DCT_IDENTIFIER, lit(&recipe.hash));
    g.add(&ds, DCT_CONFORMS_TO, std);
    let run = ctx.facts.latest_run.as_ref();
    let prov = g.blank();
    g.add(&prov, RDF_TYPE, iri(DCT_PROVENANCE_STATEMENT));
    let run_text = run.map_or(String::new(), |r| format!(" ({})", r.id));
    texts(
        g,
        &prov,
        RDFS_LABEL,
        &Text {
            sv: format!(
                "Beräknad ur samlingen {} med receptet {} (sha256 {}) i den senaste officiella \
                 körningen{run_text}; publicerad genom röjandeskyddet.",
                spec.source, spec.id, recipe.hash
            ),
            en: format!(
                "Computed from the collection {} with the recipe {} (sha256 {}) in the latest \
                 official run{run_text}; published through disclosure control.",
                spec.source, spec.id, recipe.hash
            ),
        },
    );
    g.add(&ds, DCT_PROVENANCE, prov);
    if let Some((first, last)) = ctx.facts.indicator_months.get(&spec.id) {
        let p = ctx.period(g, *first, *last);
        g.add(&ds, DCT_TEMPORAL, p);
    }
    if let Some(r) = run {
        g.add(&ds, DCT_MODIFIED, typed(&r.finished_at, XSD_DATETIME));
    }
    let values = ctx.url(&format!("/api/v1/indicators/{id}/values"));
    // PxWeb has a table for every indicator with published values.
    let pxweb = ctx
        .facts
        .indicator_months
        .contains_key(&spec.id)
        .then(|| spec.id.clone());
    open_distributions(
        g,
        ctx,
        &ds,
        &spec.title,
        &values,
        ctx.facts.served.xlsx,
        pxweb,
    );
    if ctx.profile.health() {
        let cat = concept(g, HEALTH_CATEGORIES, "NRPE");
        g.add(&ds, HEALTH_CATEGORY, cat);
        g.add(&ds, HEALTH_HAS_STRUCTURED_DATA, typed("true", XSD_BOOLEAN));
        let group = iri(ctx.iri(&["dcat", "dataset", "indicator", &spec.id, "values"]));
        value_columns(g, &group, &spec.title, VALUE_COLUMNS);
        g.add(&ds, HEALTH_HAS_VARIABLES, group);
    }
    ds
}

/// A published analysis' dataset node (`/api/v1/analyses/{id}`: the disclosure-checked result).
pub(crate) fn analysis(
    g: &mut Graph,
    ctx: &Context,
    id: &str,
    recipe: &AnalysisRecipe,
    computed: &str,
) -> Term {
    let spec = &recipe.spec;
    let ds = iri(ctx.iri(&["dcat", "dataset", "analysis", id]));
    let title = Text {
        sv: spec.title_sv.clone(),
        en: spec.title_en.clone(),
    };
    let description = Text {
        sv: spec.description_sv.clone(),
        en: spec.description_en.clone(),
    };
    public(g, ctx, &ds, &title, &description);
    g.add(&ds, DCAT_VERSION, lit(&spec.version));
    g.add(&ds, DCT_MODIFIED, typed(computed, XSD_DATETIME));
    g.add(&ds, DCAT_KEYWORD, lang("analys", "sv"));
    g.add(&ds, DCAT_KEYWORD, lang("analysis", "en"));
    let src = iri(ctx.iri(&["dcat", "dataset", "collection", &spec.source]));
    g.add(&ds, DCT_RELATION, src);
    let prov = g.blank();
    g.add(&prov, RDF_TYPE, iri(DCT_PROVENANCE_STATEMENT));
    texts(
        g,
        &prov,
        RDFS_LABEL,
        &Text {
            sv: format!(
                "Patientnivåanalys ur {} med receptet {} (sha256 {}); publicerad genom \
                 röjandeskyddet för analyser.",
                spec.source, id, recipe.hash
            ),
            en: format!(
                "Patient-level analysis of {} with the recipe {} (sha256 {}); published \
                 through the disclosure control for analyses.",
                spec.source, id, recipe.hash
            ),
        },
    );
    g.add(&ds, DCT_PROVENANCE, prov);
    let url = ctx.url(&format!("/api/v1/analyses/{}", encode_segment(id)));
    ctx.distribution(
        g,
        &ds,
        &Dist {
            slug: "json",
            title: Text {
                sv: format!("{} (JSON)", title.sv),
                en: format!("{} (JSON)", title.en),
            },
            access: url,
            download: None,
            file_type: "JSON",
            media_type: "application/json",
            open: true,
            conforms_to: None,
        },
    );
    if ctx.profile.health() {
        let cat = concept(g, HEALTH_CATEGORIES, "NRPE");
        g.add(&ds, HEALTH_CATEGORY, cat);
        g.add(&ds, HEALTH_HAS_STRUCTURED_DATA, typed("false", XSD_BOOLEAN));
    }
    ds
}

/// A track-A table's dataset node: another body's published indicator, imported, passed through
/// the hub's disclosure policy and served beside the hub's own indicators.
pub(crate) fn external(g: &mut Graph, ctx: &Context, t: &ExternalFacts) -> Term {
    let ds = iri(ctx.iri(&["dcat", "dataset", "source", &t.source, &t.indicator]));
    let title = Text {
        sv: format!("{} ({})", t.name, t.source_sv),
        en: format!("{} ({})", t.name, t.source_en),
    };
    let description = Text {
        sv: format!(
            "Indikatorvärden som {} har publicerat ({}), importerade till hubben (version {}) och \
             publicerade genom hubbens röjandeskydd. Ange källan.",
            t.publisher, t.url, t.version
        ),
        en: format!(
            "Indicator values published by {} ({}), imported into the hub (version {}) and \
             published through the hub's disclosure control. Cite the source.",
            t.publisher, t.url, t.version
        ),
    };
    public(g, ctx, &ds, &title, &description);
    g.add(&ds, DCAT_VERSION, lit(t.version.to_string()));
    g.add(&ds, DCT_MODIFIED, typed(&t.imported_at, XSD_DATETIME));
    g.add(&ds, DCAT_KEYWORD, lang("extern källa", "sv"));
    g.add(&ds, DCAT_KEYWORD, lang("external source", "en"));
    g.add(&ds, DCAT_KEYWORD, lang(t.source_sv.to_lowercase(), "sv"));
    g.add(&ds, DCT_RELATION, iri(&t.url));
    let prov = g.blank();
    g.add(&prov, RDF_TYPE, iri(DCT_PROVENANCE_STATEMENT));
    texts(
        g,
        &prov,
        RDFS_LABEL,
        &Text {
            sv: format!(
                "Importerad från {} ({}), version {}, {}.",
                t.source_sv, t.url, t.version, t.imported_at
            ),
            en: format!(
                "Imported from {} ({}), version {}, {}.",
                t.source_en, t.url, t.version, t.imported_at
            ),
        },
    );
    g.add(&ds, DCT_PROVENANCE, prov);
    let values = ctx.url(&format!(
        "/api/v1/sources/{}/indicators/{}/values",
        encode_segment(&t.source),
        encode_segment(&t.indicator)
    ));
    open_distributions(g, ctx, &ds, &title, &values, false, t.pxweb_table.clone());
    if ctx.profile.health() {
        let cat = concept(g, HEALTH_CATEGORIES, "NRPE");
        g.add(&ds, HEALTH_CATEGORY, cat);
        g.add(&ds, HEALTH_HAS_STRUCTURED_DATA, typed("true", XSD_BOOLEAN));
        let group = iri(ctx.iri(&[
            "dcat",
            "dataset",
            "source",
            &t.source,
            &t.indicator,
            "values",
        ]));
        value_columns(g, &group, &title, EXTERNAL_COLUMNS);
        g.add(&ds, HEALTH_HAS_VARIABLES, group);
    }
    ds
}

/// The columns of a track-A table's values (`/api/v1/sources/{source}/indicators/{id}/values`).
const EXTERNAL_COLUMNS: &[(&str, &str, &str, &str)] = &[
    (
        "area",
        "string",
        "Område: 00 Sverige eller länskod",
        "Area: 00 Sweden or county code",
    ),
    (
        "period",
        "string",
        "Period som källan angav den (år, kvartal, månad, intervall)",
        "Period as the source gave it (year, quarter, month, span)",
    ),
    ("kon", "string", "Kön: 1, 2 eller alla", "Sex: 1, 2 or all"),
    (
        "status",
        "string",
        "Status (visad, dold av källan, dold av röjandeskydd, saknas …)",
        "Status (shown, hidden by the source, hidden by disclosure control, missing …)",
    ),
    ("value", "decimal", "Värde", "Value"),
    ("numerator", "integer", "Täljare", "Numerator"),
    ("denominator", "integer", "Nämnare", "Denominator"),
    ("lower", "decimal", "Nedre gräns", "Lower limit"),
    ("upper", "decimal", "Övre gräns", "Upper limit"),
    (
        "footnote",
        "string",
        "Källans fotnot",
        "The source's footnote",
    ),
];

/// The open distributions of a table of values at `values` (absolute): JSON and CSV, xlsx when
/// `xlsx`, and the PxWeb table `pxweb` (JSON-stat 2) when PxWeb is served.
fn open_distributions(
    g: &mut Graph,
    ctx: &Context,
    ds: &Term,
    name: &Text,
    values: &str,
    xlsx: bool,
    pxweb: Option<String>,
) {
    let title = |sv: &str, en: &str| Text {
        sv: format!("{} ({sv})", name.sv),
        en: format!("{} ({en})", name.en),
    };
    let mut dists = vec![
        Dist {
            slug: "json",
            title: title("JSON, öppna API:t", "JSON, the open API"),
            access: values.to_owned(),
            download: None,
            file_type: "JSON",
            media_type: "application/json",
            open: true,
            conforms_to: None,
        },
        Dist {
            slug: "csv",
            title: title("CSV", "CSV"),
            access: format!("{values}?format=csv"),
            download: Some(format!("{values}?format=csv")),
            file_type: "CSV",
            media_type: "text/csv",
            open: true,
            conforms_to: None,
        },
    ];
    if xlsx {
        dists.push(Dist {
            slug: "xlsx",
            title: title("Excel", "Excel"),
            access: format!("{values}?format=xlsx"),
            download: Some(format!("{values}?format=xlsx")),
            file_type: "XLSX",
            media_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            open: true,
            conforms_to: None,
        });
    }
    if let (true, Some(id)) = (ctx.facts.served.pxweb, pxweb) {
        let table = ctx.url(&format!("/api/v2/tables/{}", encode_segment(&id)));
        dists.push(Dist {
            slug: "pxweb",
            title: title("PxWeb API v2, JSON-stat 2", "PxWeb API v2, JSON-stat 2"),
            access: table.clone(),
            download: Some(format!("{table}/data?outputFormat=json-stat2")),
            file_type: "JSON",
            media_type: "application/json",
            open: true,
            conforms_to: Some(JSON_STAT_2),
        });
    }
    for d in &dists {
        ctx.distribution(g, ds, d);
    }
}

/// What every public dataset has.
fn public(g: &mut Graph, ctx: &Context, ds: &Term, title: &Text, description: &Text) {
    ctx.common(g, ds);
    g.add(ds, DCT_IDENTIFIER, lit(ds.as_iri().unwrap_or_default()));
    texts(g, ds, DCT_TITLE, title);
    texts(g, ds, DCT_DESCRIPTION, description);
    let public = concept(g, ACCESS_RIGHT, "PUBLIC");
    g.add(ds, DCT_ACCESS_RIGHTS, public);
    let eng = concept(g, LANGUAGE, "ENG");
    g.add(ds, DCT_LANGUAGE, eng);
    let t = concept(g, DATASET_TYPE, "STATISTICAL");
    g.add(ds, DCT_TYPE, t);
    if ctx.profile.health() {
        ctx.legislation(g, ds, &[EHDS]);
    }
}

/// The published values' columns as a `csvw:TableGroup` at `group`.
fn value_columns(g: &mut Graph, group: &Term, title: &Text, columns: &[(&str, &str, &str, &str)]) {
    g.add(group, RDF_TYPE, iri(CSVW_TABLE_GROUP));
    texts(g, group, DCT_TITLE, title);
    let table = iri(format!("{}/table", group.as_iri().unwrap_or_default()));
    g.add(&table, RDF_TYPE, iri(CSVW_TABLE_CLASS));
    texts(
        g,
        &table,
        DCT_TITLE,
        &Text {
            sv: format!("{}: värden", title.sv),
            en: format!("{}: values", title.en),
        },
    );
    for (name, datatype, sv, en) in columns {
        let c = g.blank();
        g.add(&c, RDF_TYPE, iri(CSVW_COLUMN_CLASS));
        g.add(&c, CSVW_NAME, lit(*name));
        g.add(&c, CSVW_TITLE, lit(*name));
        g.add(&c, DCT_DESCRIPTION, lang(*sv, "sv"));
        g.add(&c, DCT_DESCRIPTION, lang(*en, "en"));
        g.add(&c, CSVW_DATATYPE, lit(*datatype));
        g.add(&table, CSVW_COLUMN, c);
    }
    g.add(group, CSVW_TABLE, table);
}

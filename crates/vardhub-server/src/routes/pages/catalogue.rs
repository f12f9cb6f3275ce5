//! Katalogsidorna / the catalogue pages: collections, their tables and variables, and the code
//! systems — all read from the same specification files that validation uses.

use super::{Base, message, render};
use crate::auth::Caller;
use crate::i18n::Lang;
use crate::problem::Problem;
use askama::Template;
use axum::extract::Path;
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use std::collections::BTreeMap;
use vardhub_domain::spec::{CodeSystem, VarType, builtin};

/// A collection in the list.
pub struct CollectionItem {
    id: String,
    version: String,
    title: String,
    description: String,
    scope: &'static str,
    tables: usize,
}

#[derive(Template)]
#[template(path = "catalogue.html")]
struct CataloguePage {
    base: Base,
    t: Lang,
    collections: Vec<CollectionItem>,
}

/// `GET /katalog`.
pub async fn catalogue(caller: Caller, lang: Lang, uri: Uri) -> Result<Response, Problem> {
    let collections = builtin()
        .values()
        .map(|c| CollectionItem {
            id: c.id.clone(),
            version: c.version.clone(),
            title: lang.pick(&c.title.sv, &c.title.en).to_owned(),
            description: lang.pick(&c.description.sv, &c.description.en).to_owned(),
            scope: match c.scope {
                vardhub_domain::spec::Scope::Regional => lang.pick("regional", "regional"),
                vardhub_domain::spec::Scope::National => lang.pick("nationell", "national"),
            },
            tables: c.tables.len(),
        })
        .collect();
    Ok(render(&CataloguePage {
        base: Base::new(lang, &caller, &uri),
        t: lang,
        collections,
    }))
}

/// A variable row.
pub struct VariableRow {
    name: String,
    var_type: String,
    mandatory: bool,
    code_system: String,
    allowed: String,
    range: String,
    unit: String,
    description: String,
    assumption: bool,
}

/// A table of a collection.
pub struct TableItem {
    name: String,
    title: String,
    key: String,
    variables: Vec<VariableRow>,
}

#[derive(Template)]
#[template(path = "collection.html")]
struct CollectionPage {
    base: Base,
    t: Lang,
    id: String,
    version: String,
    title: String,
    description: String,
    sources: String,
    tables: Vec<TableItem>,
}

fn type_name(t: VarType) -> &'static str {
    match t {
        VarType::String => "text",
        VarType::Integer => "integer",
        VarType::Decimal => "decimal",
        VarType::Date => "date",
        VarType::Datetime => "datetime",
        VarType::Boolean => "boolean",
        VarType::Code => "code",
        VarType::PersonalId => "personal_id",
    }
}

/// `GET /katalog/{collection}`.
pub async fn collection(
    caller: Caller,
    lang: Lang,
    uri: Uri,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let base = Base::new(lang, &caller, &uri);
    let Some(c) = builtin().get(&id) else {
        return Ok(message(
            StatusCode::NOT_FOUND,
            base,
            lang.pick("Okänd datasamling", "Unknown collection"),
            lang.pick("Se katalogen.", "See the catalogue."),
        ));
    };
    let tables = c
        .tables
        .iter()
        .map(|t| TableItem {
            name: t.name.clone(),
            title: lang.pick(&t.title.sv, &t.title.en).to_owned(),
            key: t.key.join(", "),
            variables: t
                .variables
                .iter()
                .map(|v| VariableRow {
                    name: v.name.clone(),
                    var_type: type_name(v.var_type).to_owned(),
                    mandatory: v.mandatory,
                    code_system: v.code_system.map_or(String::new(), |c| c.name().to_owned()),
                    allowed: v
                        .allowed
                        .iter()
                        .map(|a| format!("{} = {}", a.code, lang.pick(&a.sv, &a.en)))
                        .collect::<Vec<_>>()
                        .join("; "),
                    range: match (v.min, v.max, v.max_length) {
                        (Some(a), Some(b), _) => format!("{a} – {b}"),
                        (Some(a), None, _) => format!("≥ {a}"),
                        (None, Some(b), _) => format!("≤ {b}"),
                        (None, None, Some(n)) => {
                            format!("≤ {n} {}", lang.pick("tecken", "characters"))
                        }
                        _ => String::new(),
                    },
                    unit: v.unit.clone().unwrap_or_default(),
                    description: lang.pick(&v.description.sv, &v.description.en).to_owned(),
                    assumption: v.assumption,
                })
                .collect(),
        })
        .collect();
    Ok(render(&CollectionPage {
        base,
        t: lang,
        id: c.id.clone(),
        version: c.version.clone(),
        title: lang.pick(&c.title.sv, &c.title.en).to_owned(),
        description: lang.pick(&c.description.sv, &c.description.en).to_owned(),
        sources: c.sources.join(", "),
        tables,
    }))
}

/// A code system and where it is used.
pub struct CodeSystemItem {
    name: String,
    used_by: Vec<String>,
}

#[derive(Template)]
#[template(path = "code_systems.html")]
struct CodeSystemsPage {
    base: Base,
    t: Lang,
    systems: Vec<CodeSystemItem>,
    closed: Vec<(String, Vec<(String, String)>)>,
}

/// `GET /katalog/kodverk`.
pub async fn code_systems(caller: Caller, lang: Lang, uri: Uri) -> Result<Response, Problem> {
    let mut systems: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let mut closed = Vec::new();
    for c in builtin().values() {
        for t in &c.tables {
            for v in &t.variables {
                let at = format!("{}.{}.{}", c.id, t.name, v.name);
                if let Some(cs) = v.code_system {
                    systems
                        .entry(CodeSystem::name(cs))
                        .or_default()
                        .push(at.clone());
                }
                if !v.allowed.is_empty() {
                    closed.push((
                        at,
                        v.allowed
                            .iter()
                            .map(|a| (a.code.clone(), lang.pick(&a.sv, &a.en).to_owned()))
                            .collect(),
                    ));
                }
            }
        }
    }
    Ok(render(&CodeSystemsPage {
        base: Base::new(lang, &caller, &uri),
        t: lang,
        systems: systems
            .into_iter()
            .map(|(name, used_by)| CodeSystemItem {
                name: name.to_owned(),
                used_by,
            })
            .collect(),
        closed,
    }))
}

//! PxWeb API v2 documents: a table's entry in the table list, and its metadata and data as
//! JSON-stat 2.0 datasets (<https://json-stat.org/full/>).
//!
//! Metadata is a dataset without `value` (as PxWeb sends it), with every category; data is a
//! full dataset of the selected categories, eliminated dimensions left out, `value` in row-major
//! order (the last dimension fastest) and `status` keyed by the index of each value that is
//! `null`, its symbol explained in `extension.status` and in the `note` legend.

use super::selection::Selected;
use super::{CellStatus, PxCell, PxDimension, PxTable, Role};
use crate::i18n::Lang;
use serde_json::{Map, Value, json};

/// Where the API lives (links are made under it).
pub const BASE: &str = "/api/v2";

fn link(rel: &str, lang: Lang, href: String) -> Value {
    json!({"rel": rel, "hreflang": lang.code(), "href": href})
}

fn links(t: &PxTable, lang: Lang) -> Vec<Value> {
    let q = format!("?lang={}", lang.code());
    vec![
        link("self", lang, format!("{BASE}/tables/{}{q}", t.id)),
        link(
            "metadata",
            lang,
            format!("{BASE}/tables/{}/metadata{q}", t.id),
        ),
        link("data", lang, format!("{BASE}/tables/{}/data{q}", t.id)),
    ]
}

/// The table as an entry of `GET /tables` (PxWeb `Table`).
pub fn table_entry(t: &PxTable, lang: Lang) -> Value {
    let (first, last) = t.period_span().unwrap_or(("", ""));
    let path: Vec<Value> = t
        .path
        .iter()
        .map(|p| json!({"id": p.id, "label": p.label.pick(lang)}))
        .collect();
    json!({
        "type": "Table",
        "id": t.id,
        "label": t.label.pick(lang),
        "description": t.description.pick(lang),
        "updated": t.updated,
        "firstPeriod": first,
        "lastPeriod": last,
        "category": "public",
        "variableNames": t.dimensions.iter().map(|d| d.label.pick(lang)).collect::<Vec<_>>(),
        "discontinued": false,
        "source": t.source.pick(lang),
        "subjectCode": t.subject_code,
        "timeUnit": t.time_unit,
        "paths": [path],
        "links": links(t, lang),
    })
}

/// What a data document covers of each dimension.
enum Part<'a> {
    /// Every category (metadata).
    All,
    /// The selection (data).
    Selection(&'a [Selected]),
}

fn dimension(d: &PxDimension, chosen: &[usize], lang: Lang, metadata: bool) -> Value {
    let mut index = Map::new();
    let mut label = Map::new();
    let mut unit = Map::new();
    let mut note = Map::new();
    for (pos, &i) in chosen.iter().enumerate() {
        let c = &d.categories[i];
        index.insert(c.code.clone(), json!(pos));
        label.insert(c.code.clone(), json!(c.label.pick(lang)));
        if let Some(u) = &c.unit {
            unit.insert(
                c.code.clone(),
                json!({"base": u.base.pick(lang), "decimals": u.decimals}),
            );
        }
        if let Some(n) = &c.note {
            note.insert(c.code.clone(), json!([n.pick(lang)]));
        }
    }
    let mut category = Map::new();
    category.insert("index".into(), Value::Object(index));
    category.insert("label".into(), Value::Object(label));
    if !unit.is_empty() {
        category.insert("unit".into(), Value::Object(unit));
    }
    if !note.is_empty() {
        category.insert("note".into(), Value::Object(note));
    }
    let total = d.elimination.map(|e| d.categories[e].code.as_str());
    // In a data document `elimination` says whether the total came back (as PxWeb does).
    let elimination = if metadata {
        total.is_some()
    } else {
        d.elimination.is_some_and(|e| chosen.contains(&e))
    };
    let mut extension = Map::new();
    extension.insert("elimination".into(), json!(elimination));
    if let Some(code) = total.filter(|_| elimination) {
        extension.insert("eliminationValueCode".into(), json!(code));
    }
    extension.insert("show".into(), json!("value"));
    extension.insert("codelists".into(), json!([]));
    json!({
        "label": d.label.pick(lang),
        "category": category,
        "extension": extension,
    })
}

fn dataset(t: &PxTable, part: Part<'_>, lang: Lang) -> (Map<String, Value>, Vec<usize>) {
    let mut ids = Vec::new();
    let mut sizes = Vec::new();
    let mut dims = Map::new();
    let mut out_dims = Vec::new();
    for (k, d) in t.dimensions.iter().enumerate() {
        let all: Vec<usize>;
        let chosen: &[usize] = match &part {
            Part::All => {
                all = (0..d.categories.len()).collect();
                &all
            }
            Part::Selection(sel) => sel[k].chosen(),
        };
        if chosen.is_empty() {
            continue;
        }
        ids.push(d.code.clone());
        sizes.push(chosen.len());
        out_dims.push(k);
        dims.insert(
            d.code.clone(),
            dimension(d, chosen, lang, matches!(part, Part::All)),
        );
    }
    let role = |r: Role| -> Vec<&str> {
        out_dims
            .iter()
            .map(|k| &t.dimensions[*k])
            .filter(|d| d.role == Some(r))
            .map(|d| d.code.as_str())
            .collect()
    };
    let mut roles = Map::new();
    for (name, r) in [
        ("time", Role::Time),
        ("geo", Role::Geo),
        ("metric", Role::Metric),
    ] {
        let v = role(r);
        if !v.is_empty() {
            roles.insert(name.into(), json!(v));
        }
    }
    let mut notes: Vec<String> = t.notes.iter().map(|n| n.pick(lang).to_owned()).collect();
    let mut legend = Map::new();
    for s in CellStatus::ALL {
        notes.push(format!("{} = {}", s.symbol(), s.label(lang)));
        legend.insert(
            s.symbol().into(),
            json!({"code": s.code(), "label": s.label(lang), "sv": s.label_sv(), "en": s.label_en()}),
        );
    }
    let stub: Vec<&str> = ids
        .iter()
        .map(String::as_str)
        .filter(|c| *c != "Tid" && *c != "ContentsCode")
        .collect();
    let heading: Vec<&str> = ids
        .iter()
        .map(String::as_str)
        .filter(|c| *c == "Tid" || *c == "ContentsCode")
        .collect();
    let decimals = t
        .dimensions
        .iter()
        .find(|d| d.role == Some(Role::Metric))
        .and_then(|d| d.categories.first()?.unit.as_ref().map(|u| u.decimals))
        .unwrap_or(0);
    let mut m = Map::new();
    m.insert("version".into(), json!("2.0"));
    m.insert("class".into(), json!("dataset"));
    m.insert("label".into(), json!(t.label.pick(lang)));
    m.insert("source".into(), json!(t.source.pick(lang)));
    m.insert("updated".into(), json!(t.updated));
    m.insert("note".into(), json!(notes));
    m.insert("role".into(), Value::Object(roles));
    m.insert("id".into(), json!(ids));
    m.insert("size".into(), json!(sizes));
    m.insert("dimension".into(), Value::Object(dims));
    m.insert(
        "extension".into(),
        json!({
            "px": {
                "tableid": t.id,
                "matrix": t.id,
                "decimals": decimals,
                "language": lang.code(),
                "contents": t.label.pick(lang),
                "description": t.description.pick(lang),
                "official-statistics": false,
                "aggregallowed": false,
                "subject-code": t.subject_code,
                "heading": heading,
                "stub": stub,
            },
            "status": legend,
        }),
    );
    (m, out_dims)
}

/// `GET /tables/{id}/metadata`: every variable and value, no values.
pub fn metadata(t: &PxTable, lang: Lang) -> Value {
    let (mut m, _) = dataset(t, Part::All, lang);
    let (first, last) = t.period_span().unwrap_or(("", ""));
    if let Some(Value::Object(ext)) = m.get_mut("extension") {
        ext.insert("firstPeriod".into(), json!(first));
        ext.insert("lastPeriod".into(), json!(last));
        ext.insert("discontinued".into(), json!(false));
    }
    Value::Object(m)
}

/// Every cell of a selection in row-major order (the last output dimension fastest).
pub fn cells(t: &PxTable, sel: &[Selected]) -> Vec<PxCell> {
    let mut at: Vec<usize> = sel
        .iter()
        .map(|s| match s {
            Selected::Eliminated(e) => *e,
            Selected::Chosen(v) => v.first().copied().unwrap_or(0),
        })
        .collect();
    let varying: Vec<usize> = (0..sel.len())
        .filter(|k| !sel[*k].chosen().is_empty())
        .collect();
    let total: usize = varying.iter().map(|k| sel[*k].chosen().len()).product();
    let mut pos = vec![0usize; varying.len()];
    let mut out = Vec::with_capacity(total);
    for _ in 0..total {
        for (j, k) in varying.iter().enumerate() {
            at[*k] = sel[*k].chosen()[pos[j]];
        }
        out.push(t.cell(&at));
        for j in (0..varying.len()).rev() {
            pos[j] += 1;
            if pos[j] < sel[varying[j]].chosen().len() {
                break;
            }
            pos[j] = 0;
        }
    }
    out
}

/// `GET|POST /tables/{id}/data` as JSON-stat 2: the selected values, `null` with a status where
/// there is no published value.
pub fn data(t: &PxTable, sel: &[Selected], lang: Lang) -> Value {
    let (mut m, _) = dataset(t, Part::Selection(sel), lang);
    let mut values = Vec::new();
    let mut status = Map::new();
    for (i, cell) in cells(t, sel).into_iter().enumerate() {
        match cell {
            PxCell::Value(x) => values.push(json!(x)),
            PxCell::Missing(s) => {
                values.push(Value::Null);
                status.insert(i.to_string(), json!(s.symbol()));
            }
        }
    }
    m.insert("value".into(), Value::Array(values));
    m.insert("status".into(), Value::Object(status));
    Value::Object(m)
}

/// `GET /tables/{id}/defaultselection`: the selection a data request without one gets, as a
/// POST body (`valueCodes` empty for a variable eliminated by default), with its placement.
pub fn default_selection(t: &PxTable, sel: &[Selected], lang: Lang) -> Value {
    let selection: Vec<Value> = t
        .dimensions
        .iter()
        .zip(sel)
        .map(|(d, s)| {
            let codes: Vec<&str> = s
                .chosen()
                .iter()
                .map(|i| d.categories[*i].code.as_str())
                .collect();
            json!({"variableCode": d.code, "valueCodes": codes})
        })
        .collect();
    let (heading, stub): (Vec<&str>, Vec<&str>) = t
        .dimensions
        .iter()
        .zip(sel)
        .filter(|(_, s)| !s.chosen().is_empty())
        .map(|(d, _)| d.code.as_str())
        .partition(|c| *c == "Tid" || *c == "ContentsCode");
    json!({
        "language": lang.code(),
        "selection": selection,
        "placement": {"heading": heading, "stub": stub},
        "links": [link("self", lang, format!("{BASE}/tables/{}/defaultselection?lang={}", t.id, lang.code()))],
    })
}

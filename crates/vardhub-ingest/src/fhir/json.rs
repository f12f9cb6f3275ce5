//! Reading FHIR JSON elements: strings, codings, references and the hub's extensions, each
//! returning a [`Finding`] that names the element when it is not what the mapping needs.

use super::finding::Finding;
use super::systems;
use serde_json::Value;

/// A string element; `Ok(None)` when absent.
pub fn opt_str<'a>(v: &'a Value, key: &str, path: &str) -> Result<Option<&'a str>, Finding> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(Finding::malformed(
            &format!("{path}.{key}"),
            "en text",
            "a string",
        )),
    }
}

/// A string element that must be present.
pub fn req_str<'a>(v: &'a Value, key: &str, path: &str) -> Result<&'a str, Finding> {
    opt_str(v, key, path)?.ok_or_else(|| Finding::missing(&format!("{path}.{key}")))
}

/// An array element (absent = empty).
pub fn array<'a>(v: &'a Value, key: &str, path: &str) -> Result<&'a [Value], Finding> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a.as_slice()),
        Some(_) => Err(Finding::malformed(
            &format!("{path}.{key}"),
            "en lista",
            "an array",
        )),
    }
}

/// The (system, code) pairs of a Coding or CodeableConcept; codings without both are skipped.
pub fn codings(v: &Value) -> Vec<(&str, &str)> {
    fn one(c: &Value) -> Option<(&str, &str)> {
        Some((c.get("system")?.as_str()?, c.get("code")?.as_str()?))
    }
    match v.get("coding") {
        Some(Value::Array(list)) => list.iter().filter_map(one).collect(),
        _ => one(v).into_iter().collect(),
    }
}

/// The code in `accepted` systems of a Coding or CodeableConcept at `path`; a finding naming the
/// systems found otherwise (`what`: the code system's name, e.g. `ICD-10-SE`).
pub fn code_in<'a>(
    v: &'a Value,
    path: &str,
    what: &str,
    accepted: impl Fn(&str) -> bool,
) -> Result<&'a str, Finding> {
    let all = codings(v);
    if let Some((_, code)) = all.iter().find(|(s, _)| accepted(s)) {
        return Ok(code);
    }
    let mut found: Vec<&str> = all.iter().map(|(s, _)| *s).collect();
    found.dedup();
    let list = if found.is_empty() {
        "ingen kodning med system / no coding with a system".to_owned()
    } else {
        found.join(", ")
    };
    Err(Finding::error(
        super::finding::CODE_SYSTEM,
        path,
        format!("ingen {what}-kodning (funna kodsystem: {list}); värdet gissas inte"),
        format!("no {what} coding (code systems found: {list}); the value is not guessed"),
    ))
}

/// The logical id a reference points at, if it is a reference to `rtype` (`Patient/123`, or an
/// absolute URL ending in `Patient/123`, optionally with `/_history/n`).
pub fn reference_id<'a>(v: &'a Value, rtype: &str, path: &str) -> Result<&'a str, Finding> {
    let r = req_str(v, "reference", path)?;
    let r = match r.find("/_history/") {
        Some(i) => &r[..i],
        None => r,
    };
    let mut parts = r.rsplit('/');
    match (parts.next(), parts.next()) {
        (Some(id), Some(t)) if t == rtype && valid_id(id) => Ok(id),
        _ => Err(Finding::error(
            super::finding::REFERENCE,
            format!("{path}.reference"),
            format!("referensen pekar inte på en {rtype}-resurs (Typ/id)"),
            format!("the reference does not point at a {rtype} resource (Type/id)"),
        )),
    }
}

/// A FHIR id: 1–64 of `A–Z a–z 0–9 - .`.
pub fn valid_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// The resource's `id`, checked.
pub fn resource_id<'a>(v: &'a Value, rtype: &str) -> Result<&'a str, Finding> {
    let id = req_str(v, "id", rtype)?;
    if valid_id(id) {
        Ok(id)
    } else {
        Err(Finding::malformed(
            &format!("{rtype}.id"),
            "ett FHIR-id (1–64 tecken A–Z, a–z, 0–9, - och .)",
            "a FHIR id (1–64 characters A–Z, a–z, 0–9, - and .)",
        ))
    }
}

/// The value of the hub extension `name` on `v` as text (`valueCode`, `valueString`,
/// `valueDecimal`, `valueInteger`, `valuePositiveInt`, `valueUnsignedInt`); `Ok(None)` when absent.
pub fn hub_extension(v: &Value, name: &str, path: &str) -> Result<Option<String>, Finding> {
    let url = systems::extension(name);
    let exts = array(v, "extension", path)?;
    let Some(ext) = exts
        .iter()
        .find(|e| e.get("url").and_then(Value::as_str) == Some(&url))
    else {
        return Ok(None);
    };
    let field = format!("{path}.extension({name})");
    for key in ["valueCode", "valueString"] {
        if let Some(s) = ext.get(key).and_then(Value::as_str) {
            return Ok(Some(s.to_owned()));
        }
    }
    for key in [
        "valueDecimal",
        "valueInteger",
        "valuePositiveInt",
        "valueUnsignedInt",
    ] {
        if let Some(Value::Number(n)) = ext.get(key) {
            return Ok(Some(n.to_string()));
        }
    }
    Err(Finding::malformed(
        &field,
        "ett värde av väntad typ (valueCode, valueDecimal, valueInteger …)",
        "a value of an expected type (valueCode, valueDecimal, valueInteger …)",
    ))
}

//! Just enough JSON Schema (as the OpenAPI document uses it: `type`, `required`, `properties`,
//! `items`, `prefixItems`, `enum`, `oneOf`, `$ref`) to check a response against the document.

use serde_json::Value;

/// The problems of `v` against `schema` (empty: valid); `$ref`s resolve in `doc`.
pub fn check(doc: &Value, schema: &Value, v: &Value, at: &str) -> Vec<String> {
    let mut out = Vec::new();
    walk(doc, schema, v, at, &mut out);
    out
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => {
            let target = doc
                .pointer(r.trim_start_matches('#'))
                .unwrap_or_else(|| panic!("{r}"));
            resolve(doc, target)
        }
        None => schema,
    }
}

fn type_ok(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_u64() || v.is_i64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        other => panic!("type {other}"),
    }
}

fn walk(doc: &Value, schema: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
    let s = resolve(doc, schema);
    if let Some(options) = s["oneOf"].as_array() {
        let fitting = options
            .iter()
            .filter(|o| check(doc, o, v, at).is_empty())
            .count();
        if fitting != 1 {
            out.push(format!("{at}: {fitting} of oneOf fit"));
        }
        return;
    }
    let types: Vec<&str> = match &s["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() && !types.iter().any(|t| type_ok(t, v)) {
        out.push(format!("{at}: {v} is not {types:?}"));
        return;
    }
    if let Some(values) = s["enum"].as_array()
        && !values.contains(v)
    {
        out.push(format!("{at}: {v} not in {values:?}"));
    }
    if let Some(o) = v.as_object() {
        for r in s["required"].as_array().into_iter().flatten() {
            let r = r.as_str().unwrap();
            if !o.contains_key(r) {
                out.push(format!("{at}: missing {r}"));
            }
        }
        if let Some(props) = s["properties"].as_object() {
            for (k, p) in props {
                if let Some(x) = o.get(k) {
                    walk(doc, p, x, &format!("{at}.{k}"), out);
                }
            }
        }
    }
    if let Some(items) = v.as_array() {
        let prefix = s["prefixItems"].as_array();
        for (i, x) in items.iter().enumerate() {
            let item_schema = prefix.and_then(|p| p.get(i)).unwrap_or(&s["items"]);
            if !item_schema.is_null() {
                walk(doc, item_schema, x, &format!("{at}[{i}]"), out);
            }
        }
    }
}

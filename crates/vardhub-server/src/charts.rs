//! Vega-Lite-diagram / chart specifications, built from published values only.
//!
//! Each page embeds a spec as JSON in `<script type="application/json">` and `charts.js` renders
//! it; no spec refers to anything outside this server (the map geometry is `/static/…`).
//! Values are in display units (a proportion as a percentage).

use crate::i18n::Lang;
use serde_json::{Value, json};

/// A point on a chart: one region's value and interval.
#[derive(Debug, Clone)]
pub struct RegionPoint {
    /// Länskod.
    pub region: String,
    /// Region name.
    pub name: String,
    /// Value in display units (`None`: hidden or no data).
    pub value: Option<f64>,
    /// Interval.
    pub lower: Option<f64>,
    /// Interval.
    pub upper: Option<f64>,
    /// Status label.
    pub status: String,
    /// Denominator (funnel plot).
    pub denominator: Option<f64>,
    /// Funnel flag label.
    pub flag: String,
}

/// Embed JSON safely inside a `<script>` element.
pub fn embed(spec: &Value) -> String {
    serde_json::to_string(spec)
        .unwrap_or_else(|_| "{}".into())
        .replace('<', "\\u003c")
}

/// Regions side by side: point + interval per region, Sweden's line, the target line.
pub fn regions(
    points: &[RegionPoint],
    national: Option<f64>,
    target: Option<f64>,
    unit: &str,
    lang: Lang,
) -> Value {
    let names: Vec<&str> = points.iter().map(|p| p.name.as_str()).collect();
    let data: Vec<Value> = points
        .iter()
        .map(|p| json!({"name": p.name, "value": p.value, "lower": p.lower, "upper": p.upper, "status": p.status}))
        .collect();
    let y = json!({"field": "name", "type": "nominal", "title": null, "scale": {"domain": names}, "sort": null});
    let mut layers = vec![
        json!({"mark": {"type": "rule", "color": "#6b7c93"},
               "encoding": {"y": y, "x": {"field": "lower", "type": "quantitative", "title": unit}, "x2": {"field": "upper"}}}),
        json!({"mark": {"type": "point", "filled": true, "size": 60, "color": "#1f4e79"},
               "encoding": {"y": y, "x": {"field": "value", "type": "quantitative", "title": unit},
                            "tooltip": [{"field": "name", "title": lang.pick("Region", "Region")},
                                        {"field": "value", "title": lang.pick("Värde", "Value"), "format": ".1f"},
                                        {"field": "status", "title": "Status"}]}}),
    ];
    if let Some(n) = national {
        layers.push(
            json!({"data": {"values": [{"v": n, "label": lang.pick("Riket", "Sweden")}]},
            "mark": {"type": "rule", "color": "#222", "strokeWidth": 2},
            "encoding": {"x": {"field": "v", "type": "quantitative"}}}),
        );
    }
    if let Some(t) = target {
        layers.push(json!({"data": {"values": [{"v": t}]},
            "mark": {"type": "rule", "color": "#2e7d32", "strokeDash": [6, 4], "strokeWidth": 2},
            "encoding": {"x": {"field": "v", "type": "quantitative"}}}));
    }
    json!({"width": 520, "height": {"step": 18}, "data": {"values": data}, "layer": layers,
           "config": {"font": "system-ui, sans-serif"}})
}

/// Sweden and one region over time.
pub fn time_series(rows: &[(String, String, Option<f64>)], unit: &str, lang: Lang) -> Value {
    let data: Vec<Value> = rows
        .iter()
        .map(|(period, series, v)| json!({"period": period, "series": series, "value": v}))
        .collect();
    json!({"width": 520, "height": 240, "data": {"values": data},
        "mark": {"type": "line", "point": true},
        "encoding": {
            "x": {"field": "period", "type": "ordinal", "title": lang.pick("Månad", "Month")},
            "y": {"field": "value", "type": "quantitative", "title": unit},
            "color": {"field": "series", "type": "nominal", "title": null,
                      "scale": {"range": ["#222222", "#1f4e79"]}},
            "tooltip": [{"field": "series"}, {"field": "period"}, {"field": "value", "format": ".1f"}]},
        "config": {"font": "system-ui, sans-serif"}})
}

/// Funnel plot: value against denominator, coloured by the 95 % flag, with limits if given
/// (`(n, lower95, upper95, lower998, upper998)`).
pub fn funnel(
    points: &[RegionPoint],
    national: Option<f64>,
    limits: &[(f64, f64, f64, f64, f64)],
    unit: &str,
    lang: Lang,
) -> Value {
    let data: Vec<Value> = points
        .iter()
        .filter(|p| p.value.is_some() && p.denominator.is_some())
        .map(|p| json!({"name": p.name, "n": p.denominator, "value": p.value, "flag": p.flag}))
        .collect();
    let mut layers = Vec::new();
    let mut lines = Vec::new();
    for (n, l95, u95, l998, u998) in limits {
        for (k, v) in [
            ("95 %", l95),
            ("95 % ", u95),
            ("99,8 %", l998),
            ("99,8 % ", u998),
        ] {
            lines.push(json!({"n": n, "limit": v, "kind": k}));
        }
    }
    if !lines.is_empty() {
        layers.push(json!({"data": {"values": lines}, "mark": {"type": "line", "strokeDash": [4, 3], "color": "#888"},
            "encoding": {"x": {"field": "n", "type": "quantitative"}, "y": {"field": "limit", "type": "quantitative"},
                         "detail": {"field": "kind"}}}));
    }
    if let Some(v) = national {
        layers.push(
            json!({"data": {"values": [{"v": v}]}, "mark": {"type": "rule", "color": "#222"},
            "encoding": {"y": {"field": "v", "type": "quantitative"}}}),
        );
    }
    layers.push(json!({"data": {"values": data}, "mark": {"type": "point", "filled": true, "size": 70},
        "encoding": {
            "x": {"field": "n", "type": "quantitative", "title": lang.pick("Nämnare", "Denominator")},
            "y": {"field": "value", "type": "quantitative", "title": unit},
            "color": {"field": "flag", "type": "nominal", "title": lang.pick("Jämfört med riket", "Compared with Sweden")},
            "shape": {"field": "flag", "type": "nominal"},
            "tooltip": [{"field": "name"}, {"field": "n"}, {"field": "value", "format": ".1f"}, {"field": "flag"}]}}));
    json!({"width": 520, "height": 280, "layer": layers, "config": {"font": "system-ui, sans-serif"}})
}

/// The map of the 21 regions coloured by value; regions without a shown value are grey. The
/// base layer draws all 21 regions (so they can be counted), the top layer colours those with a
/// value.
pub fn map(points: &[RegionPoint], unit: &str, lang: Lang) -> Value {
    let values: Vec<Value> = points
        .iter()
        .filter(|p| p.region != "00")
        .map(|p| json!({"region": p.region, "name": p.name, "value": p.value, "status": p.status}))
        .collect();
    let geo = json!({"url": "/static/sweden_lan.geojson", "format": {"type": "json", "property": "features"}});
    let lookup = json!({"lookup": "properties.lanskod", "from": {"data": {"values": values}, "key": "region",
                         "fields": ["name", "value", "status"]}});
    json!({"width": 300, "height": 520, "projection": {"type": "mercator"},
        "layer": [
            {"data": geo, "transform": [lookup],
             "mark": {"type": "geoshape", "fill": "#d9d9d9", "stroke": "#ffffff", "strokeWidth": 0.7},
             "encoding": {"tooltip": [{"field": "name", "title": lang.pick("Region", "Region")}, {"field": "status", "title": "Status"}]}},
            {"data": geo, "transform": [lookup, {"filter": "isValid(datum.value)"}],
             "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.7},
             "encoding": {"color": {"field": "value", "type": "quantitative", "title": unit, "scale": {"scheme": "blues"}},
                          "tooltip": [{"field": "name", "title": lang.pick("Region", "Region")},
                                      {"field": "value", "title": lang.pick("Värde", "Value"), "format": ".1f"}]}}
        ],
        "config": {"font": "system-ui, sans-serif", "view": {"stroke": null}}})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_json_cannot_close_the_script_element() {
        let s = embed(&json!({"x": "</script><script>alert(1)</script>"}));
        assert!(!s.contains("</script"));
        assert!(serde_json::from_str::<Value>(&s).is_ok());
    }
}

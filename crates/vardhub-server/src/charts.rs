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

/// The chart configuration of the analysis charts: system fonts and the page language's number
/// format (Swedish: decimal comma, non-breaking-space thousands).
fn analysis_config(lang: Lang) -> Value {
    let number = match lang {
        Lang::Sv => {
            json!({"decimal": ",", "thousands": "\u{a0}", "grouping": [3], "currency": ["", "\u{a0}kr"]})
        }
        Lang::En => {
            json!({"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", "\u{a0}SEK"]})
        }
    };
    json!({"font": "system-ui, sans-serif", "locale": {"number": number}})
}

/// One bar of a care chain's step chart: the share reaching a step by a time, in per cent.
#[derive(Debug, Clone)]
pub struct ShareBar {
    /// Step name.
    pub step: String,
    /// Which share (`Dag 30`, `Inom 120 dagar`).
    pub measure: String,
    /// Share in per cent (`None`: hidden).
    pub share: Option<f64>,
    /// Lower 95 % limit, per cent.
    pub lower: Option<f64>,
    /// Upper 95 % limit, per cent.
    pub upper: Option<f64>,
}

/// A care chain as step bars: per step the share reaching it by day 30 and within the horizon,
/// side by side, each with its 95 % interval. A hidden share has no bar (its table row says why).
pub fn step_bars(bars: &[ShareBar], lang: Lang) -> Value {
    let (mut steps, mut measures): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
    for b in bars {
        if !steps.contains(&b.step.as_str()) {
            steps.push(&b.step);
        }
        if !measures.contains(&b.measure.as_str()) {
            measures.push(&b.measure);
        }
    }
    let data: Vec<Value> = bars
        .iter()
        .map(|b| json!({"step": b.step, "measure": b.measure, "share": b.share, "lower": b.lower, "upper": b.upper}))
        .collect();
    let y = json!({"field": "step", "type": "nominal", "title": null, "sort": steps, "scale": {"domain": steps}});
    let share = lang.pick("Andel (%)", "Share (%)");
    json!({"width": "container", "autosize": {"type": "fit-x", "contains": "padding"}, "height": {"step": 22}, "data": {"values": data},
        "encoding": {"y": y, "yOffset": {"field": "measure", "type": "nominal", "sort": measures, "scale": {"domain": measures}}},
        "layer": [
            {"mark": {"type": "bar"},
             "encoding": {"x": {"field": "share", "type": "quantitative", "title": share, "scale": {"domain": [0, 100]}},
                          "color": {"field": "measure", "type": "nominal", "title": null, "sort": measures,
                                    "scale": {"domain": measures, "range": ["#7aa6d6", "#1f4e79"]}},
                          "tooltip": [{"field": "step", "title": lang.pick("Steg", "Step")},
                                      {"field": "measure", "title": lang.pick("Tid", "Time")},
                                      {"field": "share", "title": share, "format": ".1f"},
                                      {"field": "lower", "title": lang.pick("Nedre gräns", "Lower limit"), "format": ".1f"},
                                      {"field": "upper", "title": lang.pick("Övre gräns", "Upper limit"), "format": ".1f"}]}},
            {"mark": {"type": "rule", "color": "#222"},
             "encoding": {"x": {"field": "lower", "type": "quantitative"}, "x2": {"field": "upper"}}}
        ],
        "config": analysis_config(lang)})
}

/// One point of a time-to-event curve, in per cent.
#[derive(Debug, Clone)]
pub struct CurvePoint {
    /// Step name.
    pub step: String,
    /// Days from time zero.
    pub day: f64,
    /// Share reached by then, per cent.
    pub share: f64,
    /// Lower 95 % limit, per cent.
    pub lower: f64,
    /// Upper 95 % limit, per cent.
    pub upper: f64,
}

/// Time-to-event curves: per step the share reached by each day (a step function) with its
/// 95 % band, up to `horizon` days.
pub fn curves(points: &[CurvePoint], horizon: Option<f64>, x_title: &str, lang: Lang) -> Value {
    let data: Vec<Value> = points
        .iter()
        .map(|p| json!({"step": p.step, "day": p.day, "share": p.share, "lower": p.lower, "upper": p.upper}))
        .collect();
    let mut x = json!({"field": "day", "type": "quantitative", "title": x_title});
    if let Some(h) = horizon {
        x["scale"] = json!({"domain": [0, h]});
    }
    let share = lang.pick("Andel (%)", "Share (%)");
    let color = json!({"field": "step", "type": "nominal", "title": lang.pick("Steg", "Step"), "sort": null});
    json!({"width": "container", "autosize": {"type": "fit-x", "contains": "padding"}, "height": 260, "data": {"values": data},
        "layer": [
            {"mark": {"type": "area", "interpolate": "step-after", "opacity": 0.2},
             "encoding": {"x": x, "y": {"field": "lower", "type": "quantitative", "title": share, "scale": {"domain": [0, 100]}},
                          "y2": {"field": "upper"}, "color": color}},
            {"mark": {"type": "line", "interpolate": "step-after"},
             "encoding": {"x": x, "y": {"field": "share", "type": "quantitative"}, "color": color,
                          "tooltip": [{"field": "step", "title": lang.pick("Steg", "Step")},
                                      {"field": "day", "title": lang.pick("Dag", "Day"), "format": ".1f"},
                                      {"field": "share", "title": share, "format": ".1f"}]}}
        ],
        "config": analysis_config(lang)})
}

/// The most common paths through a care chain as bars of patients.
pub fn paths(rows: &[(String, u64)], lang: Lang) -> Value {
    let labels: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    let data: Vec<Value> = rows
        .iter()
        .map(|(path, n)| json!({"path": path, "patients": n}))
        .collect();
    let patients = lang.pick("Patienter", "Patients");
    json!({"width": "container", "autosize": {"type": "fit-x", "contains": "padding"}, "height": {"step": 22}, "data": {"values": data},
        "mark": {"type": "bar", "color": "#1f4e79"},
        "encoding": {
            "y": {"field": "path", "type": "nominal", "title": null, "sort": labels, "axis": {"labelLimit": 320}},
            "x": {"field": "patients", "type": "quantitative", "title": patients, "axis": {"tickMinStep": 1}},
            "tooltip": [{"field": "path", "title": lang.pick("Väg", "Path")}, {"field": "patients", "title": patients}]},
        "config": analysis_config(lang)})
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

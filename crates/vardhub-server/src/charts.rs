//! Vega-Lite-diagram / chart specifications, built from published values only.
//!
//! Each page embeds a spec as JSON in `<script type="application/json">` and `charts.js` renders
//! it; no spec refers to anything outside this server (the map geometry is `/static/…`).
//! Values are in display units (a proportion as a percentage).

use crate::i18n::Lang;
use serde_json::{Value, json};

/// Embed JSON safely inside a `<script>` element.
pub fn embed(spec: &Value) -> String {
    serde_json::to_string(spec)
        .unwrap_or_else(|_| "{}".into())
        .replace('<', "\\u003c")
}

/// The spec with a description (the chart's accessible name), embeddable.
pub fn described(mut spec: Value, description: &str) -> String {
    spec["description"] = json!(description);
    embed(&spec)
}

/// The chart configuration of the analysis charts: system fonts and the page language's number
/// format (Swedish: decimal comma, non-breaking-space thousands).
fn analysis_config(lang: Lang) -> Value {
    let number = match lang {
        Lang::Sv => {
            json!({"decimal": ",", "thousands": "\u{a0}", "grouping": [3], "currency": ["", "\u{a0}kr"], "minus": "\u{2212}"})
        }
        Lang::En => {
            json!({"decimal": ".", "thousands": ",", "grouping": [3], "currency": ["", "\u{a0}SEK"], "minus": "-"})
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

/// One point of a line of an analysis chart, in display units.
#[derive(Debug, Clone)]
pub struct LinePoint {
    /// The line it belongs to.
    pub series: String,
    /// Position on the x axis (a month or a day relative to time zero).
    pub x: f64,
    /// Value (`None`: not shown; the line breaks there).
    pub y: Option<f64>,
    /// Lower limit of the 95 % band, for the lines that have one.
    pub lower: Option<f64>,
    /// Upper limit.
    pub upper: Option<f64>,
}

/// The axes and labels of a [`lines`] chart.
#[derive(Debug, Clone)]
pub struct LineAxes<'a> {
    /// The x axis title.
    pub x: &'a str,
    /// The y axis title.
    pub y: &'a str,
    /// The label of the vertical rule at x = 0 (time zero).
    pub zero: &'a str,
    /// Each line's name in the legend's order; the first is drawn boldest.
    pub series: &'a [String],
}

/// Lines over time relative to time zero: one per series (told apart by colour and dash, one
/// legend for both), a 95 % band in the first line's colour where points have limits (only the
/// first line's should; decorative to assistive technology, the table has the limits), a line
/// broken where a value is not shown, and a vertical rule at
/// x = 0 labelled `zero`.
pub fn lines(points: &[LinePoint], axes: &LineAxes, lang: Lang) -> Value {
    let data: Vec<Value> = points
        .iter()
        .map(
            |p| json!({"series": p.series, "x": p.x, "y": p.y, "lower": p.lower, "upper": p.upper}),
        )
        .collect();
    let n = axes.series.len();
    let colours: Vec<&str> = ["#1f4e79", "#a64b00", "#2e7d32", "#6a3d9a"]
        .into_iter()
        .cycle()
        .take(n)
        .collect();
    let dashes: Vec<Value> = [
        json!([1, 0]),
        json!([6, 3]),
        json!([2, 2]),
        json!([8, 3, 2, 3]),
    ]
    .into_iter()
    .cycle()
    .take(n)
    .collect();
    let legend = json!({"orient": "bottom", "columns": 2, "labelLimit": 320, "symbolType": "stroke",
        "symbolStrokeWidth": 2, "symbolSize": 300});
    let scale = |range: Value| json!({"domain": axes.series, "range": range});
    let color = json!({"field": "series", "type": "nominal", "title": null, "sort": axes.series,
        "scale": scale(json!(colours)), "legend": legend});
    let dash = json!({"field": "series", "type": "nominal", "title": null, "sort": axes.series,
        "scale": scale(json!(dashes)), "legend": legend});
    let x =
        json!({"field": "x", "type": "quantitative", "title": axes.x, "axis": {"tickMinStep": 1}});
    let kr = lang.pick("kr", "SEK");
    json!({"width": "container", "autosize": {"type": "fit-x", "contains": "padding"}, "height": 280,
        "layer": [
            {"data": {"values": data}, "transform": [{"filter": "isValid(datum.lower) && isValid(datum.upper)"}],
             "mark": {"type": "area", "opacity": 0.15, "aria": false},
             "encoding": {"x": x, "y": {"field": "lower", "type": "quantitative"}, "y2": {"field": "upper"},
                          "color": {"value": colours.first().copied().unwrap_or("#1f4e79")}}},
            {"data": {"values": data},
             "mark": {"type": "line", "point": true, "invalid": "break-paths-show-domains"},
             "encoding": {"x": x, "y": {"field": "y", "type": "quantitative", "title": axes.y},
                          "color": color, "strokeDash": dash,
                          "tooltip": [{"field": "series", "title": lang.pick("Linje", "Line")},
                                      {"field": "x", "title": axes.x, "format": ",.0f"},
                                      {"field": "y", "title": kr, "format": ",.0f"},
                                      {"field": "lower", "title": lang.pick("Nedre gräns", "Lower limit"), "format": ",.0f"},
                                      {"field": "upper", "title": lang.pick("Övre gräns", "Upper limit"), "format": ",.0f"}]}},
            {"data": {"values": [{"x": 0}]},
             "mark": {"type": "rule", "color": "#222", "strokeDash": [4, 3]},
             "encoding": {"x": {"field": "x", "type": "quantitative"}}},
            {"data": {"values": [{"x": 0, "label": axes.zero}]},
             "mark": {"type": "text", "align": "left", "baseline": "top", "dx": 4, "y": 2, "color": "#222"},
             "encoding": {"x": {"field": "x", "type": "quantitative"}, "text": {"field": "label"}}}
        ],
        "config": analysis_config(lang)})
}

/// One estimate of an effect, in kronor per patient.
#[derive(Debug, Clone)]
pub struct EffectPoint {
    /// What it is (`Naiv före/efter`).
    pub label: String,
    /// The estimate.
    pub estimate: f64,
    /// Lower 95 % limit.
    pub lower: f64,
    /// Upper 95 % limit.
    pub upper: f64,
}

/// Effects side by side: each estimate a point with its 95 % interval as a bar, its name
/// written above it (long names fit a narrow panel), and a line at zero (no effect).
pub fn effects(points: &[EffectPoint], x_title: &str, lang: Lang) -> Value {
    let labels: Vec<&str> = points.iter().map(|p| p.label.as_str()).collect();
    let data: Vec<Value> = points
        .iter()
        .map(|p| json!({"label": p.label, "estimate": p.estimate, "lower": p.lower, "upper": p.upper}))
        .collect();
    let y = json!({"field": "label", "type": "nominal", "title": null, "sort": labels,
        "scale": {"domain": labels, "paddingInner": 0.1, "paddingOuter": 0.3}, "axis": null});
    json!({"width": "container", "autosize": {"type": "fit-x", "contains": "padding"}, "height": {"step": 60},
        "layer": [
            {"data": {"values": data}, "mark": {"type": "rule", "color": "#1f4e79", "strokeWidth": 3},
             "encoding": {"y": y, "x": {"field": "lower", "type": "quantitative", "title": x_title}, "x2": {"field": "upper"}}},
            {"data": {"values": data}, "mark": {"type": "point", "filled": true, "size": 120, "color": "#1f4e79"},
             "encoding": {"y": y, "x": {"field": "estimate", "type": "quantitative"},
                          "tooltip": [{"field": "label", "title": lang.pick("Skattning", "Estimate")},
                                      {"field": "estimate", "title": x_title, "format": ",.0f"},
                                      {"field": "lower", "title": lang.pick("Nedre gräns", "Lower limit"), "format": ",.0f"},
                                      {"field": "upper", "title": lang.pick("Övre gräns", "Upper limit"), "format": ",.0f"}]}},
            {"data": {"values": data}, "mark": {"type": "text", "align": "left", "baseline": "bottom", "dy": -10,
                                                "color": "#222", "fontSize": 12},
             "encoding": {"y": y, "x": {"value": 2}, "text": {"field": "label"}}},
            {"data": {"values": [{"x": 0}]}, "mark": {"type": "rule", "color": "#222", "strokeDash": [4, 3]},
             "encoding": {"x": {"field": "x", "type": "quantitative"}}}
        ],
        "config": analysis_config(lang)})
}

/// One point of a [`bands`] chart: a series' median and 95 % band at `x` (an observed value:
/// `median` only).
#[derive(Debug, Clone)]
pub struct BandPoint {
    /// The series (its name in the legend).
    pub series: String,
    /// Position: a month `ÅÅÅÅ-MM` (ordinal) or a day `ÅÅÅÅ-MM-DD` (temporal).
    pub x: String,
    /// Median, or the observed value.
    pub median: Option<f64>,
    /// Lower limit of the 95 % band.
    pub lower: Option<f64>,
    /// Upper limit.
    pub upper: Option<f64>,
}

/// The axes and series of a [`bands`] chart.
#[derive(Debug, Clone)]
pub struct BandAxes<'a> {
    /// The x axis title.
    pub x: &'a str,
    /// The y axis title.
    pub y: &'a str,
    /// Every series in the legend's order (the bands' first).
    pub series: &'a [String],
    /// The series of observed values (points), if any.
    pub observed: Option<&'a str>,
    /// Days on a time axis (else months, one tick each).
    pub days: bool,
}

/// A fan chart: per series a 95 % band as an area (decorative to assistive technology, the
/// table has the limits) with its median as a line; on months also each month's band as a rule
/// with its median as a dot, the series a few pixels apart (a horizon of one month has no area
/// to draw); observed values as diamonds.
pub fn bands(points: &[BandPoint], axes: &BandAxes, lang: Lang) -> Value {
    let data: Vec<Value> = points
        .iter()
        .map(|p| json!({"series": p.series, "x": p.x, "median": p.median, "lower": p.lower, "upper": p.upper}))
        .collect();
    let colours: Vec<&str> = axes
        .series
        .iter()
        .enumerate()
        .map(|(i, s)| {
            if Some(s.as_str()) == axes.observed {
                "#222222"
            } else {
                ["#1f4e79", "#a64b00", "#2e7d32"][i % 3]
            }
        })
        .collect();
    let x = if axes.days {
        json!({"field": "x", "type": "temporal", "timeUnit": "utcyearmonthdate", "title": axes.x,
               "axis": {"format": "%Y-%m-%d", "labelAngle": -30}})
    } else {
        json!({"field": "x", "type": "ordinal", "title": axes.x, "sort": null, "axis": {"labelAngle": 0}})
    };
    let color = json!({"field": "series", "type": "nominal", "title": null, "sort": axes.series,
        "scale": {"domain": axes.series, "range": colours},
        "legend": {"orient": "bottom", "labelLimit": 320, "symbolOpacity": 1}});
    let band = json!({"filter": "isValid(datum.lower) && isValid(datum.upper)"});
    let y = |field: &str| json!({"field": field, "type": "quantitative", "title": axes.y});
    let tooltip = json!([{"field": "series", "title": lang.pick("Serie", "Series")},
        {"field": "x", "title": axes.x, "type": if axes.days { "temporal" } else { "ordinal" }},
        {"field": "median", "title": lang.pick("Median", "Median"), "format": ".1f"},
        {"field": "lower", "title": lang.pick("Nedre gräns", "Lower limit"), "format": ".1f"},
        {"field": "upper", "title": lang.pick("Övre gräns", "Upper limit"), "format": ".1f"}]);
    let mut layers = vec![
        json!({"transform": [band], "mark": {"type": "area", "opacity": 0.2, "aria": false},
               "encoding": {"x": x, "y": y("lower"), "y2": {"field": "upper"}, "color": color}}),
        json!({"transform": [band], "mark": {"type": "line"},
               "encoding": {"x": x, "y": y("median"), "color": color, "tooltip": tooltip}}),
    ];
    if !axes.days {
        // Each month's band as a rule with its median, the series side by side (a horizon of
        // one month has no area to draw).
        let banded: Vec<&String> = axes
            .series
            .iter()
            .filter(|s| Some(s.as_str()) != axes.observed)
            .collect();
        let mid = (banded.len() as f64 - 1.0) / 2.0;
        for (i, name) in banded.into_iter().enumerate() {
            let offset = (i as f64 - mid) * 8.0;
            let only = json!([band, {"filter": {"field": "series", "equal": name}}]);
            layers.push(json!({"transform": only, "mark": {"type": "rule", "strokeWidth": 2, "xOffset": offset},
                "encoding": {"x": x, "y": y("lower"), "y2": {"field": "upper"}, "color": color}}));
            layers.push(json!({"transform": only, "mark": {"type": "point", "filled": true, "size": 40, "xOffset": offset},
                "encoding": {"x": x, "y": y("median"), "color": color, "tooltip": tooltip}}));
        }
    }
    if let Some(observed) = axes.observed {
        layers.push(
            json!({"transform": [{"filter": {"field": "series", "equal": observed}}],
            "mark": {"type": "point", "shape": "diamond", "filled": true, "size": 90},
            "encoding": {"x": x, "y": y("median"), "color": color,
                         "tooltip": [{"field": "x", "title": axes.x},
                                     {"field": "median", "title": observed, "format": ".1f"}]}}),
        );
    }
    json!({"width": "container", "autosize": {"type": "fit-x", "contains": "padding"}, "height": 280,
        "data": {"values": data}, "layer": layers, "config": analysis_config(lang)})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn analysis_lines_break_at_hidden_values_and_read_the_swedish_way() {
        let series = ["Alla".to_owned(), "SV".to_owned()];
        let point = |series: &str, x: f64, y: Option<f64>| LinePoint {
            series: series.to_owned(),
            x,
            y,
            lower: y.map(|v| v - 1.0),
            upper: y.map(|v| v + 1.0),
        };
        let spec = lines(
            &[point("Alla", -1.0, None), point("Alla", 0.0, Some(5.0))],
            &LineAxes {
                x: "Månad",
                y: "kr",
                zero: "index",
                series: &series,
            },
            Lang::Sv,
        );
        assert_eq!(
            spec["layer"][1]["mark"]["invalid"],
            "break-paths-show-domains"
        );
        assert_eq!(spec["layer"][2]["mark"]["type"], "rule");
        assert_eq!(spec["layer"][3]["data"]["values"][0]["label"], "index");
        assert_eq!(spec["config"]["locale"]["number"]["minus"], "\u{2212}");
        assert_eq!(spec["config"]["locale"]["number"]["decimal"], ",");
    }

    #[test]
    fn a_fan_chart_draws_bands_medians_and_observed_points() {
        let series = ["Utan".to_owned(), "Med".to_owned(), "Utfall".to_owned()];
        let p = |s: &str, m: f64, band: bool| BandPoint {
            series: s.to_owned(),
            x: "2024-03".into(),
            median: Some(m),
            lower: band.then_some(m - 1.0),
            upper: band.then_some(m + 1.0),
        };
        let axes = BandAxes {
            x: "Månad",
            y: "Per 100",
            series: &series,
            observed: Some("Utfall"),
            days: false,
        };
        let spec = bands(
            &[
                p("Utan", 9.8, true),
                p("Med", 4.1, true),
                p("Utfall", 9.0, false),
            ],
            &axes,
            Lang::Sv,
        );
        let marks: Vec<&str> = spec["layer"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["mark"]["type"].as_str().unwrap())
            .collect();
        assert_eq!(
            marks,
            ["area", "line", "rule", "point", "rule", "point", "point"]
        );
        assert_eq!(spec["layer"][2]["mark"]["xOffset"], -4.0);
        assert_eq!(spec["layer"][4]["mark"]["xOffset"], 4.0);
        assert_eq!(spec["data"]["values"].as_array().unwrap().len(), 3);
        assert_eq!(
            spec["layer"][0]["encoding"]["color"]["scale"]["range"][2],
            "#222222"
        );
        let days = bands(
            &[],
            &BandAxes {
                days: true,
                observed: None,
                ..axes
            },
            Lang::En,
        );
        assert_eq!(days["layer"].as_array().unwrap().len(), 2);
        assert_eq!(days["layer"][0]["encoding"]["x"]["type"], "temporal");
    }

    #[test]
    fn embedded_json_cannot_close_the_script_element() {
        let s = embed(&json!({"x": "</script><script>alert(1)</script>"}));
        assert!(!s.contains("</script"));
        assert!(serde_json::from_str::<Value>(&s).is_ok());
    }
}

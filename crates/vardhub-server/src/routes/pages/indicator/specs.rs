//! The indicator page's Vega-Lite charts in one visual language: compared with Sweden, better
//! is a green triangle up, no clear difference a grey circle, worse a red triangle down and
//! "cannot be assessed" a hollow grey circle; Sweden is a solid black line, the target a dashed
//! blue line, each named in the legend; 95 % intervals are drawn. Every chart fits its
//! container's width, reads numbers the page language's way (`charts.js` passes the locale) and
//! is only built when it has a value to draw.

use super::super::format::flag_label;
use crate::i18n::Lang;
use serde_json::{Value, json};

/// Better than Sweden.
pub const BETTER: &str = "#1b7837";
/// No clear difference (and "cannot be assessed", hollow).
pub const NEUTRAL: &str = "#5a6270";
/// Worse than Sweden.
pub const WORSE: &str = "#b2182b";
/// Sweden.
pub const SWEDEN: &str = "#000000";
/// The target.
pub const TARGET: &str = "#1f4e79";

/// A region's comparison with Sweden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sig {
    /// Significantly better.
    Better,
    /// No clear difference.
    Same,
    /// Significantly worse.
    Worse,
    /// Cannot be assessed (too few cases, or Sweden not shown).
    Unknown,
}

impl Sig {
    /// All, in legend order.
    pub const ALL: [Sig; 4] = [Sig::Better, Sig::Same, Sig::Worse, Sig::Unknown];

    /// From a value's `funnel_95`.
    pub fn of(flag: Option<&str>) -> Sig {
        match flag {
            Some("better") => Sig::Better,
            Some("worse") => Sig::Worse,
            Some("not_significant") => Sig::Same,
            _ => Sig::Unknown,
        }
    }

    /// The words, the same in every legend, table and page (`format::flag_label`).
    pub fn label(self, lang: Lang) -> &'static str {
        flag_label(Some(self.code()), lang)
    }

    /// The flag's code.
    pub fn code(self) -> &'static str {
        match self {
            Sig::Better => "better",
            Sig::Same => "not_significant",
            Sig::Worse => "worse",
            Sig::Unknown => "cannot_be_assessed",
        }
    }

    fn fill(self) -> &'static str {
        match self {
            Sig::Better => BETTER,
            Sig::Same => NEUTRAL,
            Sig::Worse => WORSE,
            Sig::Unknown => "#ffffff",
        }
    }

    fn stroke(self) -> &'static str {
        match self {
            Sig::Better => BETTER,
            Sig::Worse => WORSE,
            Sig::Same | Sig::Unknown => NEUTRAL,
        }
    }

    fn shape(self) -> &'static str {
        match self {
            Sig::Better => "triangle-up",
            Sig::Worse => "triangle-down",
            Sig::Same | Sig::Unknown => "circle",
        }
    }
}

/// The fill, stroke and shape encodings of a significance field (one merged legend).
fn sig_encoding(lang: Lang) -> (Value, Value, Value) {
    let domain: Vec<&str> = Sig::ALL.iter().map(|s| s.label(lang)).collect();
    let title = lang.pick("Jämfört med riket", "Compared with Sweden");
    let enc = |range: Vec<&str>| {
        json!({"field": "sig", "type": "nominal", "title": title,
               "scale": {"domain": domain, "range": range}})
    };
    (
        enc(Sig::ALL.iter().map(|s| s.fill()).collect()),
        enc(Sig::ALL.iter().map(|s| s.stroke()).collect()),
        enc(Sig::ALL.iter().map(|s| s.shape()).collect()),
    )
}

/// A reference line: its name and colour and dash.
struct Reference<'a> {
    name: &'a str,
    colour: &'a str,
    dash: Value,
}

/// The colour and dash encodings of a `ref` field over these references (one legend).
fn reference_encoding(refs: &[Reference], title: &str) -> (Value, Value) {
    let domain: Vec<&str> = refs.iter().map(|r| r.name).collect();
    let colours: Vec<&str> = refs.iter().map(|r| r.colour).collect();
    let dashes: Vec<Value> = refs.iter().map(|r| r.dash.clone()).collect();
    let legend = json!({"symbolType": "stroke", "symbolStrokeWidth": 2, "symbolSize": 300, "symbolOpacity": 1});
    (
        json!({"field": "ref", "type": "nominal", "title": title, "legend": legend,
               "scale": {"domain": domain, "range": colours}}),
        json!({"field": "ref", "type": "nominal", "title": title, "legend": legend,
               "scale": {"domain": domain, "range": dashes}}),
    )
}

/// The configuration shared by the page's charts.
fn config() -> Value {
    json!({"font": "system-ui, sans-serif",
           "legend": {"orient": "bottom", "direction": "horizontal", "columns": 2, "labelLimit": 260,
                      "titleLimit": 300, "labelFontSize": 12, "titleFontSize": 12},
           "axis": {"labelFontSize": 11, "titleFontSize": 12, "labelLimit": 140},
           "view": {"stroke": null}})
}

/// Fit the container's width.
fn frame(mut spec: Value) -> Value {
    spec["width"] = json!("container");
    spec["autosize"] = json!({"type": "fit-x", "contains": "padding"});
    spec["config"] = config();
    spec
}

/// One area on the region chart.
#[derive(Debug, Clone)]
pub struct Point {
    /// Name.
    pub name: String,
    /// Value, display units.
    pub value: f64,
    /// Interval.
    pub lower: Option<f64>,
    /// Interval.
    pub upper: Option<f64>,
    /// Denominator.
    pub denominator: Option<f64>,
    /// Compared with Sweden.
    pub sig: Sig,
    /// The value as the page writes it (tooltip).
    pub tip: String,
}

fn sweden_ref(lang: Lang) -> Reference<'static> {
    Reference {
        name: lang.pick("Riket", "Sweden"),
        colour: SWEDEN,
        dash: json!([1, 0]),
    }
}

fn target_ref(lang: Lang) -> Reference<'static> {
    Reference {
        name: lang.pick("Målnivå", "Target"),
        colour: TARGET,
        dash: json!([6, 4]),
    }
}

/// Tooltips show the page's own text of the value (unit, interval, the page language's
/// numbers), never a number formatted from a missing one.
fn tooltip(lang: Lang, axis: &str) -> Value {
    json!([{"field": "name", "title": lang.pick("Område", "Area")},
           {"field": "tip", "title": axis},
           {"field": "sig", "title": lang.pick("Jämfört med riket", "Compared with Sweden")}])
}

/// Areas side by side, in the given order: each value with its 95 % interval, shaped and
/// coloured by its comparison with Sweden; Sweden's and the target's lines. `None` when no
/// area has a value.
pub fn regions(
    points: &[Point],
    national: Option<f64>,
    target: Option<f64>,
    axis: &str,
    lang: Lang,
) -> Option<Value> {
    if points.is_empty() {
        return None;
    }
    let names: Vec<&str> = points.iter().map(|p| p.name.as_str()).collect();
    let data: Vec<Value> = points
        .iter()
        .map(|p| json!({"name": p.name, "value": p.value, "lower": p.lower, "upper": p.upper, "sig": p.sig.label(lang), "tip": p.tip}))
        .collect();
    let y = json!({"field": "name", "type": "nominal", "title": null, "sort": names, "scale": {"domain": names}});
    let x =
        json!({"field": "value", "type": "quantitative", "title": axis, "scale": {"zero": false}});
    let (fill, stroke, shape) = sig_encoding(lang);
    let mut layers = vec![
        json!({"data": {"values": data}, "transform": [{"filter": "isValid(datum.lower) && isValid(datum.upper)"}],
               "mark": {"type": "rule", "color": NEUTRAL, "strokeWidth": 1.5},
               "encoding": {"y": y, "x": {"field": "lower", "type": "quantitative", "title": axis}, "x2": {"field": "upper"}}}),
        json!({"data": {"values": data}, "mark": {"type": "point", "filled": true, "size": 90, "strokeWidth": 1.5, "opacity": 1},
               "encoding": {"y": y, "x": x, "fill": fill, "stroke": stroke, "shape": shape, "tooltip": tooltip(lang, axis)}}),
    ];
    if let Some(refs) = reference_layer(national, target, lang, "x") {
        layers.push(refs);
    }
    Some(frame(json!({"height": {"step": 19}, "layer": layers})))
}

/// Sweden's and the target's lines across the chart (`channel`: `x` or `y`).
fn reference_layer(
    national: Option<f64>,
    target: Option<f64>,
    lang: Lang,
    channel: &str,
) -> Option<Value> {
    let mut refs = Vec::new();
    let mut rows = Vec::new();
    for (v, r) in [(national, sweden_ref(lang)), (target, target_ref(lang))] {
        if let Some(v) = v.filter(|v| v.is_finite()) {
            rows.push(json!({"ref": r.name, "v": v}));
            refs.push(r);
        }
    }
    if refs.is_empty() {
        return None;
    }
    let (color, dash) = reference_encoding(&refs, lang.pick("Referens", "Reference"));
    let mut enc = json!({"color": color, "strokeDash": dash});
    enc[channel] = json!({"field": "v", "type": "quantitative"});
    Some(
        json!({"data": {"values": rows}, "mark": {"type": "rule", "strokeWidth": 2}, "encoding": enc}),
    )
}

/// One point of the time chart.
#[derive(Debug, Clone)]
pub struct TimePoint {
    /// The period's label (axis).
    pub period: String,
    /// The line: Sweden or a region's name.
    pub series: String,
    /// Value, display units.
    pub value: Option<f64>,
    /// Interval.
    pub lower: Option<f64>,
    /// Interval.
    pub upper: Option<f64>,
    /// Compared with Sweden (regions only).
    pub sig: Option<Sig>,
    /// The value as the page writes it (tooltip).
    pub tip: String,
}

/// Line colours of the compared regions (never the significance or reference colours).
const SERIES: [&str; 6] = [
    "#6a3d9a", "#01665e", "#8c510a", "#c51b7d", "#2166ac", "#4d4d4d",
];

/// Sweden and the chosen regions over time, each with its 95 % band, the regions' points shaped
/// and coloured by their comparison with Sweden, and the target. `None` when nothing is shown.
pub fn time_series(
    points: &[TimePoint],
    periods: &[String],
    regions: &[String],
    target: Option<f64>,
    axis: &str,
    lang: Lang,
) -> Option<Value> {
    if points.iter().all(|p| p.value.is_none()) {
        return None;
    }
    let sweden = sweden_ref(lang);
    let mut domain = vec![sweden.name.to_owned()];
    domain.extend(regions.iter().cloned());
    let mut colours = vec![SWEDEN.to_owned()];
    colours.extend(
        SERIES
            .iter()
            .cycle()
            .take(regions.len())
            .map(|c| (*c).to_owned()),
    );
    let mut dashes = vec![json!([1, 0])];
    dashes.extend(
        [
            json!([1, 0]),
            json!([5, 2]),
            json!([2, 2]),
            json!([8, 3, 2, 3]),
        ]
        .into_iter()
        .cycle()
        .take(regions.len()),
    );
    let target_line = target.filter(|t| t.is_finite());
    if target_line.is_some() {
        let t = target_ref(lang);
        domain.push(t.name.to_owned());
        colours.push(t.colour.to_owned());
        dashes.push(t.dash);
    }
    let title = lang.pick("Linje", "Line");
    let legend = json!({"symbolType": "stroke", "symbolStrokeWidth": 2, "symbolSize": 300, "symbolOpacity": 1});
    let color = json!({"field": "series", "type": "nominal", "title": title, "legend": legend,
                       "scale": {"domain": domain, "range": colours}});
    let dash = json!({"field": "series", "type": "nominal", "title": title, "legend": legend,
                      "scale": {"domain": domain, "range": dashes}});
    let data: Vec<Value> = points
        .iter()
        .map(|p| {
            json!({"period": p.period, "series": p.series, "name": p.series, "value": p.value,
                         "lower": p.lower, "upper": p.upper, "sig": p.sig.map(|s| s.label(lang)), "tip": p.tip})
        })
        .collect();
    let x = json!({"field": "period", "type": "ordinal", "title": lang.pick("Period", "Period"), "sort": periods,
                   "scale": {"domain": periods}, "axis": {"labelAngle": 0, "labelOverlap": "greedy"}});
    let y =
        json!({"field": "value", "type": "quantitative", "title": axis, "scale": {"zero": false}});
    let band = json!({"filter": "isValid(datum.lower) && isValid(datum.upper)"});
    let (fill, stroke, shape) = sig_encoding(lang);
    let mut layers = vec![
        json!({"transform": [band], "mark": {"type": "area", "opacity": 0.12},
               "encoding": {"x": x, "y": {"field": "lower", "type": "quantitative", "title": axis}, "y2": {"field": "upper"}, "color": color}}),
        json!({"transform": [band], "mark": {"type": "rule", "opacity": 0.5, "strokeWidth": 1.5},
               "encoding": {"x": x, "y": {"field": "lower", "type": "quantitative"}, "y2": {"field": "upper"}, "color": color}}),
        json!({"mark": {"type": "line", "strokeWidth": 2, "invalid": "break-paths-show-domains"},
               "encoding": {"x": x, "y": y, "color": color, "strokeDash": dash}}),
        json!({"transform": [{"filter": {"field": "series", "equal": sweden.name}}, {"filter": "isValid(datum.value)"}],
               "mark": {"type": "point", "filled": true, "size": 40, "color": SWEDEN},
               "encoding": {"x": x, "y": y, "tooltip": tooltip(lang, axis)}}),
        json!({"transform": [{"filter": "isValid(datum.sig) && isValid(datum.value)"}],
               "mark": {"type": "point", "filled": true, "size": 80, "strokeWidth": 1.5, "opacity": 1},
               "encoding": {"x": x, "y": y, "fill": fill, "stroke": stroke, "shape": shape, "tooltip": tooltip(lang, axis)}}),
    ];
    if let Some(t) = target_line {
        layers.push(json!({"data": {"values": [{"series": target_ref(lang).name, "v": t}]},
            "mark": {"type": "rule", "strokeWidth": 2},
            "encoding": {"y": {"field": "v", "type": "quantitative"}, "color": color, "strokeDash": dash}}));
    }
    Some(frame(
        json!({"height": 220, "data": {"values": data}, "layer": layers}),
    ))
}

/// Funnel limits at one denominator: `(n, lower95, upper95, lower998, upper998)`.
pub type Limit = (f64, f64, f64, f64, f64);

/// Funnel plot: each area's value against its denominator, shaped and coloured by its
/// comparison with Sweden, Sweden's line, the target, and the 95 % and 99.8 % limits. `None`
/// without limits or points (the page then says why).
pub fn funnel(
    points: &[Point],
    national: f64,
    target: Option<f64>,
    limits: &[Limit],
    axis: &str,
    lang: Lang,
) -> Option<Value> {
    let data: Vec<Value> = points
        .iter()
        .filter_map(|p| {
            p.denominator.map(|n| {
                json!({"name": p.name, "n": n, "value": p.value, "lower": p.lower,
                                          "upper": p.upper, "sig": p.sig.label(lang), "tip": p.tip})
            })
        })
        .collect();
    if data.is_empty() || limits.is_empty() {
        return None;
    }
    let l95 = lang.pick("95 % kontrollgräns", "95 % control limit");
    let l998 = lang.pick("99,8 % kontrollgräns", "99.8 % control limit");
    let mut refs = vec![sweden_ref(lang)];
    if target.is_some() {
        refs.push(target_ref(lang));
    }
    refs.push(Reference {
        name: l95,
        colour: NEUTRAL,
        dash: json!([4, 2]),
    });
    refs.push(Reference {
        name: l998,
        colour: NEUTRAL,
        dash: json!([1, 2]),
    });
    let (color, dash) = reference_encoding(&refs, lang.pick("Referens", "Reference"));
    let mut lines = Vec::new();
    for (n, a, b, c, d) in limits {
        for (name, side, v) in [(l95, "l", a), (l95, "u", b), (l998, "l", c), (l998, "u", d)] {
            lines.push(json!({"n": n, "v": v, "ref": name, "side": format!("{name}{side}")}));
        }
    }
    let mut refs_rows = vec![json!({"ref": sweden_ref(lang).name, "v": national})];
    if let Some(t) = target {
        refs_rows.push(json!({"ref": target_ref(lang).name, "v": t}));
    }
    let x = json!({"field": "n", "type": "quantitative", "title": lang.pick("Nämnare (antal)", "Denominator (count)"),
                   "scale": {"zero": false}});
    let (fill, stroke, shape) = sig_encoding(lang);
    let layers = vec![
        json!({"data": {"values": lines}, "mark": {"type": "line", "strokeWidth": 1.5},
               "encoding": {"x": x, "y": {"field": "v", "type": "quantitative", "title": axis},
                            "color": color, "strokeDash": dash, "detail": {"field": "side"}}}),
        json!({"data": {"values": refs_rows}, "mark": {"type": "rule", "strokeWidth": 2},
               "encoding": {"y": {"field": "v", "type": "quantitative"}, "color": color, "strokeDash": dash}}),
        json!({"data": {"values": data}, "mark": {"type": "point", "filled": true, "size": 90, "strokeWidth": 1.5, "opacity": 1},
               "encoding": {"x": x, "y": {"field": "value", "type": "quantitative", "title": axis},
                            "fill": fill, "stroke": stroke, "shape": shape,
                            "tooltip": [{"field": "name", "title": lang.pick("Område", "Area")},
                                        {"field": "n", "title": lang.pick("Nämnare", "Denominator"), "format": ",.0f"},
                                        {"field": "tip", "title": axis},
                                        {"field": "sig", "title": lang.pick("Jämfört med riket", "Compared with Sweden")}]}}),
    ];
    Some(frame(json!({"height": 250, "layer": layers})))
}

/// One region on the map.
#[derive(Debug, Clone)]
pub struct MapValue {
    /// Länskod.
    pub region: String,
    /// Name.
    pub name: String,
    /// Value (`None`: its status says why).
    pub value: Option<f64>,
    /// Status or value as text (tooltip).
    pub text: String,
}

/// The 21 regions coloured by value (grey without one), the colour scale's domain fixed to the
/// shown values so the legend never reads `NaN`. `None` when no region has a value.
pub fn map(values: &[MapValue], axis: &str, lang: Lang) -> Option<Value> {
    let shown: Vec<f64> = values
        .iter()
        .filter_map(|v| v.value)
        .filter(|v| v.is_finite())
        .collect();
    let lo = shown.iter().copied().reduce(f64::min)?;
    let hi = shown.iter().copied().reduce(f64::max)?;
    let (lo, hi) = if hi - lo < 1e-9 {
        let pad = (lo.abs() * 0.05).max(0.5);
        (lo - pad, hi + pad)
    } else {
        (lo, hi)
    };
    let format = if hi.abs().max(lo.abs()) >= 100.0 {
        ",.0f"
    } else {
        ",.1f"
    };
    let rows: Vec<Value> = values
        .iter()
        .map(|v| json!({"region": v.region, "name": v.name, "value": v.value, "text": v.text}))
        .collect();
    let geo = json!({"url": "/static/sweden_lan.geojson", "format": {"type": "json", "property": "features"}});
    let lookup = json!({"lookup": "properties.lanskod", "from": {"data": {"values": rows}, "key": "region",
                         "fields": ["name", "value", "text"]}});
    let tip = json!([{"field": "name", "title": lang.pick("Region", "Region")},
                     {"field": "text", "title": axis}]);
    let mut spec = json!({"height": 480, "projection": {"type": "mercator"},
    "layer": [
        {"data": geo, "transform": [lookup],
         "mark": {"type": "geoshape", "fill": "#d9d9d9", "stroke": "#ffffff", "strokeWidth": 0.7},
         "encoding": {"tooltip": tip}},
        {"data": geo, "transform": [lookup, {"filter": "isValid(datum.value)"}],
         "mark": {"type": "geoshape", "stroke": "#ffffff", "strokeWidth": 0.7},
         "encoding": {"color": {"field": "value", "type": "quantitative", "title": axis,
                                "scale": {"scheme": "blues", "domain": [lo, hi]},
                                "legend": {"format": format, "gradientLength": 180}},
                      "tooltip": tip}}
    ]});
    spec = frame(spec);
    Some(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(name: &str, value: f64, sig: Sig) -> Point {
        Point {
            name: name.into(),
            value,
            lower: Some(value - 1.0),
            upper: Some(value + 1.0),
            denominator: Some(100.0),
            sig,
            tip: String::new(),
        }
    }

    #[test]
    fn no_values_no_chart_and_no_nan_in_the_map_legend() {
        assert!(regions(&[], Some(1.0), None, "%", Lang::Sv).is_none());
        let hidden = MapValue {
            region: "01".into(),
            name: "Region Stockholm".into(),
            value: None,
            text: "Dold".into(),
        };
        assert!(map(std::slice::from_ref(&hidden), "%", Lang::Sv).is_none());
        let one = MapValue {
            value: Some(50.0),
            ..hidden
        };
        let spec = map(&[one], "%", Lang::Sv).unwrap();
        let domain = &spec["layer"][1]["encoding"]["color"]["scale"]["domain"];
        assert!(domain[0].as_f64().unwrap() < domain[1].as_f64().unwrap());
        assert!(!spec.to_string().contains("NaN"));
        let t = TimePoint {
            period: "2024".into(),
            series: "Riket".into(),
            value: None,
            lower: None,
            upper: None,
            sig: None,
            tip: String::new(),
        };
        assert!(time_series(&[t], &[], &[], None, "%", Lang::Sv).is_none());
    }

    #[test]
    fn every_chart_speaks_the_same_visual_language() {
        let pts = [point("A", 50.0, Sig::Better), point("B", 40.0, Sig::Worse)];
        let r = regions(&pts, Some(45.0), Some(60.0), "Andel (%)", Lang::Sv).unwrap();
        let f = funnel(
            &pts,
            45.0,
            Some(60.0),
            &[(10.0, 30.0, 60.0, 20.0, 70.0)],
            "Andel (%)",
            Lang::Sv,
        )
        .unwrap();
        for spec in [&r, &f] {
            let s = spec.to_string();
            for needle in [
                BETTER,
                WORSE,
                NEUTRAL,
                "triangle-up",
                "triangle-down",
                "Riket",
                "Målnivå",
                "Signifikant bättre än riket",
                "container",
            ] {
                assert!(s.contains(needle), "{needle} in {s}");
            }
        }
        assert!(f.to_string().contains("99,8 % kontrollgräns"));
        assert!(funnel(&pts, 45.0, None, &[], "%", Lang::Sv).is_none());
    }
}

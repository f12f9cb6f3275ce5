//! The dashboard on every page type (issue 18), in the real browser: one table of pages, each
//! visited in Swedish and English, at 1400 px and at 390 px (a phone), logged out and — where the
//! page differs — as region 01's analyst (`reg_a`); pages that need a login as the user who may
//! see them. On every visit: axe-core (WCAG 2.1 A/AA) finds no violation, the page does not
//! scroll sideways, no text reads `NaN` or `Infinity` (page text, SVG text and labels), and every
//! chart container is drawn (`data-rendered="true"`, no `data-error`, at least one mark). A
//! full-page screenshot of each visit goes to
//! `target/screenshots/dashboard-<page>[-region]-<lang>-<width>.png`.
//!
//! The analysis, case, scenario and external-source pages with their data are covered by their
//! own modules (`analysis_page`, `case_pages`, `scenario_page`, `source_pages`) at one desktop
//! width; here their lists and the filing form are checked at both widths, and (`data_pages`) an
//! analysis of each kind, a scenario, a case and a source's page get the same checks on a phone.
//!
//! Page-specific checks (`checks`): the start page's cards, the indicator page's and the region
//! page's statuses and flags. The download of "what I see" (`download`). The focus outline and
//! the print stylesheet (`print`).

mod checks;
mod data_pages;
mod download;
mod print;

use super::analysis_page::axe_violations;
use super::case_pages::{log_in, log_out};
use super::{ID, WAIT, screenshots_dir, start_browser};
use crate::support::{REGION_A, world};
use fantoccini::Client;
use std::time::{Duration, Instant};

/// The two widths every page is checked at: a desktop and a phone.
pub(crate) const WIDTHS: [u32; 2] = [1400, 390];

/// The viewport height used while checking (the screenshot takes the whole page).
const HEIGHT: u32 = 1000;

/// Who visits a page.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Who {
    /// Logged out.
    Public,
    /// Logged in as this user of the test world.
    User(&'static str),
}

impl Who {
    fn label(self) -> &'static str {
        match self {
            Who::Public => "",
            Who::User("reg_a") => "-region",
            Who::User(_) => "-inloggad",
        }
    }
}

/// A page-specific check run after the common ones.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Extra {
    None,
    Start,
    Indicator,
    Region,
}

/// One page type of the table.
struct PageType {
    /// Short name, used in screenshot names and messages.
    name: &'static str,
    /// Path (and query) without `lang`.
    path: String,
    /// Who visits it.
    who: &'static [Who],
    /// Extra checks.
    extra: Extra,
}

const PUBLIC: &[Who] = &[Who::Public];
const BOTH: &[Who] = &[Who::Public, Who::User("reg_a")];
const REGION_USER: &[Who] = &[Who::User("reg_a")];
const CENTRE: &[Who] = &[Who::User("centre")];

fn page_types() -> Vec<PageType> {
    let p = |name, path: &str, who, extra| PageType {
        name,
        path: path.to_owned(),
        who,
        extra,
    };
    vec![
        p("start", "/", BOTH, Extra::Start),
        p(
            "indikator",
            &format!("/indikatorer/{ID}"),
            BOTH,
            Extra::Indicator,
        ),
        p(
            "region",
            &format!("/regioner/{REGION_A}"),
            BOTH,
            Extra::Region,
        ),
        p(
            "regionrapport",
            &format!("/regioner/{REGION_A}/rapport"),
            BOTH,
            Extra::Region,
        ),
        p("ordlista", "/ordlista", PUBLIC, Extra::None),
        p("kallor", "/kallor", PUBLIC, Extra::None),
        p("analyser", "/analyser", PUBLIC, Extra::None),
        p("scenarier", "/scenarier", PUBLIC, Extra::None),
        p("katalog", "/katalog", PUBLIC, Extra::None),
        p("samling", "/katalog/vardkontakter", PUBLIC, Extra::None),
        p("kodverk", "/katalog/kodverk", PUBLIC, Extra::None),
        p("arenden", "/arenden", PUBLIC, Extra::None),
        p("nytt-arende", "/arenden/nytt", REGION_USER, Extra::None),
        p("forskning", "/forskning", PUBLIC, Extra::None),
        p("utdata", "/forskning/utdata", CENTRE, Extra::None),
        p("loggkontroll", "/loggkontroll", REGION_USER, Extra::None),
        p("leveranser", "/leveranser", REGION_USER, Extra::None),
        p("logga-in", "/logga-in", PUBLIC, Extra::None),
        p("404", "/finns-inte", PUBLIC, Extra::None),
    ]
}

/// `path` with `lang=` added.
pub(crate) fn with_lang(path: &str, lang: &str) -> String {
    let sep = if path.contains('?') { '&' } else { '?' };
    format!("{path}{sep}lang={lang}")
}

/// Size the window so that the page's viewport is `width` CSS pixels wide; the outer width used.
pub(crate) async fn set_width(c: &Client, width: u32) -> u32 {
    let mut outer = width;
    let mut seen = Vec::new();
    for _ in 0..4 {
        c.set_window_size(outer, HEIGHT).await.unwrap();
        let inner = c
            .execute("return window.innerWidth;", vec![])
            .await
            .unwrap()
            .as_u64()
            .unwrap();
        let inner = u32::try_from(inner).unwrap();
        seen.push((outer, inner));
        if inner == width {
            return outer;
        }
        outer = (outer + width).saturating_sub(inner);
    }
    panic!("could not make the viewport {width} px wide: (window, viewport) {seen:?}");
}

/// Wait until every chart container has rendered or failed; the problems found (none when every
/// chart is drawn with at least one mark).
pub(crate) async fn chart_problems(c: &Client) -> Vec<String> {
    let script = r#"
        const ids = new Set();
        document.querySelectorAll('script[data-chart-for]').forEach(s => ids.add(s.getAttribute('data-chart-for')));
        const out = [];
        document.querySelectorAll('.chart').forEach(e => { if (e.id) ids.add(e.id); else out.push({id: '(a .chart without id)', missing: true}); });
        for (const id of ids) {
          const e = document.getElementById(id);
          if (!e) { out.push({id, missing: true}); continue; }
          out.push({id, rendered: e.getAttribute('data-rendered') === 'true', error: e.getAttribute('data-error'),
                    spec: !!document.querySelector('script[data-chart-for="' + id + '"]'),
                    marks: e.querySelectorAll('svg .role-mark > *').length});
        }
        return out;"#;
    let started = Instant::now();
    loop {
        let v = c.execute(script, vec![]).await.unwrap();
        let charts = v.as_array().cloned().unwrap_or_default();
        let settled = charts
            .iter()
            .all(|ch| ch["missing"] == true || ch["rendered"] == true || !ch["error"].is_null());
        if settled || started.elapsed() > WAIT {
            return charts
                .iter()
                .filter_map(|ch| {
                    let id = ch["id"].as_str().unwrap_or("?");
                    if ch["missing"] == true {
                        Some(format!("chart {id}: no element"))
                    } else if !ch["error"].is_null() {
                        Some(format!("chart {id} failed: {}", ch["error"]))
                    } else if ch["spec"] != true {
                        Some(format!("chart {id}: an empty container (no spec)"))
                    } else if ch["rendered"] != true {
                        Some(format!("chart {id} did not render in {WAIT:?}"))
                    } else if ch["marks"].as_u64() == Some(0) {
                        Some(format!("chart {id}: rendered without a single mark"))
                    } else {
                        None
                    }
                })
                .collect();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The page scrolls sideways: the widths and the elements sticking out (outside any box of their
/// own that scrolls or clips).
pub(crate) async fn sideways_scroll(c: &Client) -> Option<String> {
    let v = c
        .execute(
            r#"
        const d = document.documentElement, W = d.clientWidth;
        if (d.scrollWidth <= W) return null;
        const describe = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
            (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).join('.') : '');
        const out = [];
        for (const e of document.body.querySelectorAll('*')) {
          const r = e.getBoundingClientRect();
          if (r.width === 0 || r.right <= W + 1) continue;
          let p = e.parentElement, clipped = false;
          while (p && p !== document.body) {
            if (getComputedStyle(p).overflowX !== 'visible') { clipped = true; break; }
            p = p.parentElement;
          }
          if (!clipped && !(e.parentElement && out.some(o => o.el === e.parentElement))) out.push({el: e, text: describe(e) + ' (right edge ' + Math.round(r.right) + ')'});
        }
        return 'scrollWidth ' + d.scrollWidth + ' > clientWidth ' + W + ': ' + out.slice(0, 6).map(o => o.text).join(', ');"#,
            vec![],
        )
        .await
        .unwrap();
    v.as_str().map(str::to_owned)
}

/// Texts on the page reading `NaN` or `Infinity`: the page text, SVG text and titles, and labels.
pub(crate) async fn nan_texts(c: &Client) -> Vec<String> {
    let v = c
        .execute(
            r#"
        const bad = t => /\bNaN\b|\bInfinity\b/.test(t || '');
        const out = document.body.innerText.split('\n').filter(bad);
        document.querySelectorAll('svg text, svg title, svg desc').forEach(t => { if (bad(t.textContent)) out.push('svg: ' + t.textContent); });
        document.querySelectorAll('[aria-label], [title], [data-value]').forEach(e => {
          for (const a of ['aria-label', 'title', 'data-value']) if (bad(e.getAttribute(a))) out.push(a + ': ' + e.getAttribute(a));
        });
        return out.map(t => t.slice(0, 160));"#,
            vec![],
        )
        .await
        .unwrap();
    serde_json::from_value(v).unwrap_or_default()
}

/// A screenshot of the whole page (the window made as tall as the page, then restored).
pub(crate) async fn full_screenshot(c: &Client, outer_width: u32, name: &str) {
    let height = c
        .execute("return document.documentElement.scrollHeight;", vec![])
        .await
        .unwrap()
        .as_u64()
        .unwrap_or(u64::from(HEIGHT));
    let height = u32::try_from(height.clamp(600, 14_000)).unwrap();
    c.set_window_size(outer_width, height + 20).await.unwrap();
    let png = c.screenshot().await.unwrap();
    std::fs::write(screenshots_dir().join(format!("{name}.png")), png).unwrap();
    c.set_window_size(outer_width, HEIGHT).await.unwrap();
}

/// The common checks of one loaded page: charts, axe, sideways scroll, NaN; problems prefixed
/// with `label`.
pub(crate) async fn common_problems(c: &Client, label: &str, lang: &str) -> Vec<String> {
    let mut problems: Vec<String> = chart_problems(c)
        .await
        .into_iter()
        .map(|p| format!("{label}: {p}"))
        .collect();
    let html_lang = c
        .execute("return document.documentElement.lang;", vec![])
        .await
        .unwrap();
    if html_lang != lang {
        problems.push(format!("{label}: <html lang> is {html_lang}"));
    }
    for v in axe_violations(c).await {
        problems.push(format!(
            "{label}: axe {} ({}): {} — {}",
            v["id"].as_str().unwrap_or("?"),
            v["impact"].as_str().unwrap_or("?"),
            v["help"].as_str().unwrap_or(""),
            v["nodes"]
        ));
    }
    if let Some(s) = sideways_scroll(c).await {
        problems.push(format!("{label}: scrolls sideways: {s}"));
    }
    for t in nan_texts(c).await {
        problems.push(format!("{label}: reads NaN/Infinity: {t}"));
    }
    problems
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_type_passes_axe_without_sideways_scroll_nan_or_empty_charts_at_both_widths() {
    let Some((_driver, c)) = start_browser().await else {
        return;
    };
    let w = world();
    let pages = page_types();
    let mut users: Vec<Who> = Vec::new();
    for p in &pages {
        for who in p.who {
            if !users.contains(who) {
                users.push(*who);
            }
        }
    }
    let mut problems = Vec::new();
    let mut visits = 0;
    for who in users {
        if let Who::User(u) = who {
            set_width(&c, WIDTHS[0]).await;
            log_in(&c, u).await;
        }
        for width in WIDTHS {
            let outer = set_width(&c, width).await;
            for lang in ["sv", "en"] {
                for p in pages.iter().filter(|p| p.who.contains(&who)) {
                    let label = format!("{}{} {lang} {width}", p.name, who.label());
                    c.goto(&format!("{}{}", w.base, with_lang(&p.path, lang)))
                        .await
                        .unwrap();
                    let mut found = common_problems(&c, &label, lang).await;
                    match p.extra {
                        Extra::None => {}
                        Extra::Start => found.extend(checks::start_page(&c, &label, lang).await),
                        Extra::Indicator => {
                            found.extend(checks::indicator_table(&c, &label, lang).await);
                        }
                        Extra::Region => {
                            found.extend(checks::region_table(&c, &label, lang).await);
                        }
                    }
                    for f in &found {
                        eprintln!("PROBLEM {f}");
                    }
                    problems.extend(found);
                    full_screenshot(
                        &c,
                        outer,
                        &format!("dashboard-{}{}-{lang}-{width}", p.name, who.label()),
                    )
                    .await;
                    visits += 1;
                }
            }
        }
        if matches!(who, Who::User(_)) {
            set_width(&c, WIDTHS[0]).await;
            log_out(&c).await;
        }
    }
    assert!(visits >= 80, "{visits} visits");
    // The start page links to the reader's own region once the indicator page has saved it.
    c.goto(&format!("{}/?lang=sv", w.base)).await.unwrap();
    c.execute(
        "document.cookie = 'hemregion=12; path=/; SameSite=Lax';",
        vec![],
    )
    .await
    .unwrap();
    c.refresh().await.unwrap();
    let mine = c
        .find(fantoccini::Locator::Css(
            "#min-region a[href='/regioner/12']",
        ))
        .await
        .map_err(|e| format!("{e}"));
    match mine {
        Ok(a) => {
            let text = a.text().await.unwrap();
            if text != "Min region: Region Skåne" {
                problems.push(format!("start: the own region's link reads {text:?}"));
            }
        }
        Err(e) => problems.push(format!("start: no link to the hemregion's page: {e}")),
    }
    c.execute("document.cookie = 'hemregion=; path=/; max-age=0';", vec![])
        .await
        .unwrap();
    assert!(
        problems.is_empty(),
        "{} problems in {visits} visits:\n{}",
        problems.len(),
        problems.join("\n")
    );
    c.close().await.unwrap();
}

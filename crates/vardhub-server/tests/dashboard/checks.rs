//! Page-specific checks of the dashboard table: the start page's cards (a value with its unit,
//! the period and its kind in words, the status linked to the glossary, the update date, area
//! headings in the page language) and the indicator page's value table (statuses and comparison
//! flags as the glossary and the legend name them, hidden values as a dash).

use fantoccini::Client;
use serde_json::Value;
use vardhub_engine::disclosure::Status;

/// A number as the pages write it — `73 141,5` in Swedish, `73,141.5` in English, non-breaking
/// or thin spaces between thousands — read from the start of `text` (the unit after it ignored);
/// with the number of decimals written.
pub(crate) fn parse_shown(text: &str, lang: &str) -> Option<(f64, usize)> {
    let (group, point) = if lang == "en" { (',', '.') } else { (' ', ',') };
    let mut number = String::new();
    let mut decimals = None;
    for ch in text.trim().chars() {
        match ch {
            '0'..='9' => {
                number.push(ch);
                if let Some(d) = decimals.as_mut() {
                    *d += 1;
                }
            }
            '-' | '−' if number.is_empty() => number.push('-'),
            c if c == point && decimals.is_none() && !number.is_empty() => {
                number.push('.');
                decimals = Some(0);
            }
            c if (c == group || c == '\u{a0}' || c == '\u{202f}') && decimals.is_none() => {}
            _ => break,
        }
    }
    let number = number.trim_end_matches('.');
    number.parse().ok().map(|v| (v, decimals.unwrap_or(0)))
}

/// Whether a value written with `decimals` decimals shows `raw` (in stored units, or in per cent
/// for a proportion).
pub(crate) fn shows(shown: f64, decimals: usize, raw: f64) -> bool {
    let tol = 0.5 * 10f64.powi(-i32::try_from(decimals).unwrap()) + 1e-9;
    (shown - raw).abs() <= tol || (shown - 100.0 * raw).abs() <= tol
}

fn status_label(code: &str, lang: &str) -> Option<&'static str> {
    Status::ALL.into_iter().find(|s| s.code() == code).map(|s| {
        if lang == "en" {
            s.label_en()
        } else {
            s.label_sv()
        }
    })
}

fn published(code: &str) -> bool {
    matches!(code, "ok" | "zero")
}

/// The period kinds in words, as the start page's cards name them.
fn kind_words(lang: &str) -> [&'static str; 4] {
    if lang == "en" {
        ["Month", "Quarter", "Year", "Rolling 12 months"]
    } else {
        ["Månad", "Kvartal", "År", "Rullande 12 månader"]
    }
}

/// The start page: every card's value carries its unit in the page's number format, its period
/// and period kind, its status linked to the glossary; "Senast uppdaterad" with a date instead of
/// a run id; no claim that every value is for the latest month; area headings in English in
/// English; the trend tables headed by the period kind.
pub(crate) async fn start_page(c: &Client, label: &str, lang: &str) -> Vec<String> {
    let v = c
        .execute(
            r#"
        const q = (e, s) => e.querySelector(s);
        return {
          updated: (q(document, '#uppdaterad') || {}).textContent || null,
          text: document.body.innerText,
          areas: Array.from(document.querySelectorAll('section.area h2')).map(h => h.textContent.trim()),
          cards: Array.from(document.querySelectorAll('li.card')).map(li => ({
            id: li.getAttribute('data-card'),
            value: (q(li, '.big') || {}).textContent || null,
            kind: q(li, '.period') ? q(li, '.period').getAttribute('data-kind') : null,
            period: q(li, '.period') ? q(li, '.period').textContent.trim() : null,
            status: q(li, '.status') ? q(li, '.status').getAttribute('data-status') : null,
            statusText: q(li, '.status') ? q(li, '.status').textContent.trim() : null,
            statusHref: q(li, '.status a') ? q(li, '.status a').getAttribute('href') : null,
            trendHead: q(li, 'details table thead th') ? q(li, 'details table thead th').textContent.trim() : null,
            trendRows: li.querySelectorAll('details table tbody th[scope=row]').length,
          })),
        };"#,
            vec![],
        )
        .await
        .unwrap();
    let mut problems = Vec::new();
    let mut problem = |p: String| problems.push(format!("{label}: {p}"));
    let updated = v["updated"].as_str().unwrap_or("");
    let want = if lang == "en" {
        "Last updated: "
    } else {
        "Senast uppdaterad: "
    };
    if !updated.starts_with(want) || !updated.chars().any(|c| c.is_ascii_digit()) {
        problem(format!("no '{want}<date>': {updated:?}"));
    }
    let text = v["text"].as_str().unwrap_or("");
    for claim in [
        "senaste månaden",
        "latest month",
        "Senaste beräkning",
        "run-",
    ] {
        if text.contains(claim) {
            problem(format!("the page says {claim:?}"));
        }
    }
    let areas: Vec<&str> = v["areas"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if areas.is_empty() {
        problem("no area headings".into());
    }
    if lang == "en" {
        for a in areas.iter().filter(|a| a.contains(['å', 'ä', 'ö'])) {
            problem(format!("area heading in Swedish in English mode: {a}"));
        }
    }
    let cards = v["cards"].as_array().cloned().unwrap_or_default();
    if cards.len() < 5 {
        problem(format!("only {} cards", cards.len()));
    }
    let (mut percent, mut money) = (false, false);
    let words = kind_words(lang);
    for card in &cards {
        let id = card["id"].as_str().unwrap_or("?");
        let value = card["value"].as_str().unwrap_or("").trim();
        percent |= value.ends_with('%');
        money |= value.contains(if lang == "en" { "SEK" } else { "kr" });
        if value != "–" && parse_shown(value, lang).is_none() {
            problem(format!(
                "card {id}: value {value:?} is not a number in {lang}"
            ));
        }
        let period = card["period"].as_str().unwrap_or("");
        let kind = card["kind"].as_str().unwrap_or("");
        let word = match kind {
            "month" => words[0],
            "quarter" => words[1],
            "year" => words[2],
            "rolling12" => words[3],
            _ => "",
        };
        if word.is_empty() || !period.starts_with(word) {
            problem(format!(
                "card {id}: period {period:?} does not name its kind {kind:?}"
            ));
        }
        if kind == "quarter" && lang == "en" && !period.contains('Q') {
            problem(format!("card {id}: quarter written {period:?} in English"));
        }
        if card["trendRows"].as_u64().unwrap_or(0) > 0 && card["trendHead"].as_str() != Some(word) {
            problem(format!(
                "card {id}: the trend table's period column is headed {:?}, not {word:?}",
                card["trendHead"]
            ));
        }
        let status = card["status"].as_str().unwrap_or("");
        match status_label(status, lang) {
            None => problem(format!("card {id}: unknown status {status:?}")),
            Some(l) => {
                if card["statusText"].as_str() != Some(l) {
                    problem(format!(
                        "card {id}: status {:?}, not {l:?}",
                        card["statusText"]
                    ));
                }
                let href = format!("/ordlista#status-{status}");
                if card["statusHref"].as_str() != Some(href.as_str()) {
                    problem(format!(
                        "card {id}: status link {:?}, not {href}",
                        card["statusHref"]
                    ));
                }
            }
        }
        if !published(status) && value != "–" {
            problem(format!("card {id}: status {status} but value {value:?}"));
        }
    }
    if !percent || !money {
        problem(format!(
            "no card with a per cent value ({percent}) or with money per inhabitant ({money})"
        ));
    }
    problems
}

/// The comparison flags in words, in the page language: better, worse, no clear difference,
/// cannot be assessed.
fn flag_words(lang: &str) -> [&'static str; 4] {
    if lang == "en" {
        [
            "Significantly better than Sweden",
            "Significantly worse than Sweden",
            "No clear difference",
            "Cannot be assessed – too few cases",
        ]
    } else {
        [
            "Signifikant bättre än riket",
            "Signifikant sämre än riket",
            "Ingen säker skillnad",
            "Kan inte bedömas – för få fall",
        ]
    }
}

/// The rows of `#vardetabell` as the page shows them: region, status, raw value, the value cell's
/// text, the status cell's text and link, the flag cell's text and class, the region's name.
pub(crate) async fn table_rows(c: &Client) -> Vec<Value> {
    let v = c
        .execute(
            r#"
        return Array.from(document.querySelectorAll('#vardetabell tbody tr')).map(tr => {
          const cells = tr.querySelectorAll('td');
          const last = cells[cells.length - 1];
          const st = tr.querySelector('td.status');
          const a = st && st.querySelector('a');
          return {region: tr.getAttribute('data-region'), status: tr.getAttribute('data-status'),
                  raw: tr.getAttribute('data-value'), name: (tr.querySelector('th') || {}).textContent,
                  value: (tr.querySelector('td.value') || {}).textContent,
                  statusText: st ? st.textContent.trim() : null, statusHref: a ? a.getAttribute('href') : null,
                  flag: last ? last.textContent.trim() : '', flagClass: last ? last.className : '',
                  riket: tr.classList.contains('riket')};
        });"#,
            vec![],
        )
        .await
        .unwrap();
    v.as_array().cloned().unwrap_or_default()
}

/// The indicator page's table: a row per region and Sweden, each with a known status; shown
/// values as numbers in the page's format equal to the row's raw value, hidden ones as a dash;
/// a status other than `ok` named as the glossary names it and linked there; a comparison flag
/// only in the legend's words, better/worse marked by class, never for Sweden or a hidden value.
pub(crate) async fn indicator_table(c: &Client, label: &str, lang: &str) -> Vec<String> {
    let rows = table_rows(c).await;
    let mut problems = Vec::new();
    let mut problem = |p: String| problems.push(format!("{label}: {p}"));
    if rows.len() < 22 {
        problem(format!(
            "{} rows in #vardetabell (21 regions and Sweden)",
            rows.len()
        ));
    }
    let flags = flag_words(lang);
    for r in &rows {
        let region = r["region"].as_str().unwrap_or("?");
        let status = r["status"].as_str().unwrap_or("");
        let value = r["value"].as_str().unwrap_or("").trim();
        let raw = r["raw"].as_str().unwrap_or("");
        let Some(label_text) = status_label(status, lang) else {
            problem(format!("{region}: unknown status {status:?}"));
            continue;
        };
        if published(status) {
            match (parse_shown(value, lang), raw.parse::<f64>()) {
                (Some((shown, d)), Ok(raw)) if shows(shown, d, raw) => {}
                _ => problem(format!("{region}: shows {value:?} for the value {raw:?}")),
            }
        } else if value != "–" || !raw.is_empty() {
            problem(format!(
                "{region}: status {status} but shows {value:?} (raw {raw:?})"
            ));
        }
        let href = format!("/ordlista#status-{status}");
        let status_text = r["statusText"].as_str().unwrap_or("");
        if status != "ok" || !status_text.is_empty() {
            if status_text != label_text {
                problem(format!(
                    "{region}: status {status_text:?}, not {label_text:?}"
                ));
            }
            if r["statusHref"].as_str() != Some(href.as_str()) {
                problem(format!(
                    "{region}: status links to {:?}, not {href}",
                    r["statusHref"]
                ));
            }
        }
        let flag = r["flag"].as_str().unwrap_or("");
        let class = r["flagClass"].as_str().unwrap_or("");
        if !flag.is_empty() && !flags.contains(&flag) {
            problem(format!("{region}: unknown comparison {flag:?}"));
        }
        let marked = flag == flags[0] || flag == flags[1];
        if (flag == flags[0]) != class.contains("flag-better")
            || (flag == flags[1]) != class.contains("flag-worse")
        {
            problem(format!(
                "{region}: comparison {flag:?} with class {class:?}"
            ));
        }
        if marked && (r["riket"] == true || !published(status)) {
            problem(format!(
                "{region}: compared with Sweden ({flag:?}) though it is Sweden or not shown"
            ));
        }
    }
    problems
}

/// The region page's table (`tr[data-indicator][data-status]`): a row per indicator with a known
/// status; a shown value as a number in the page's format, otherwise the status named as the
/// glossary names it and linked there; the comparison with Sweden only in the legend's words,
/// better/worse marked by class.
pub(crate) async fn region_table(c: &Client, label: &str, lang: &str) -> Vec<String> {
    let v = c
        .execute(
            r#"
        return Array.from(document.querySelectorAll('table.regionrapport tbody tr[data-indicator]')).map(tr => {
          const st = tr.querySelector('td.status'), a = st && st.querySelector('a');
          const flag = tr.querySelector('td.flag');
          const num = tr.querySelector('td.num');
          return {id: tr.getAttribute('data-indicator'), status: tr.getAttribute('data-status'),
                  value: num ? num.firstChild && num.firstChild.textContent : null,
                  statusText: st ? st.textContent.trim() : null, statusHref: a ? a.getAttribute('href') : null,
                  flag: flag ? flag.textContent.trim() : null, flagClass: flag ? flag.className : ''};
        });"#,
            vec![],
        )
        .await
        .unwrap();
    let rows = v.as_array().cloned().unwrap_or_default();
    let mut problems = Vec::new();
    let mut problem = |p: String| problems.push(format!("{label}: {p}"));
    if rows.len() < 5 {
        problem(format!("{} indicator rows in the region table", rows.len()));
    }
    let flags = flag_words(lang);
    for r in &rows {
        let id = r["id"].as_str().unwrap_or("?");
        let status = r["status"].as_str().unwrap_or("");
        let Some(label_text) = status_label(status, lang) else {
            problem(format!("{id}: unknown status {status:?}"));
            continue;
        };
        if published(status) {
            let value = r["value"].as_str().unwrap_or("").trim();
            if parse_shown(value, lang).is_none() {
                problem(format!(
                    "{id}: status {status} but the value reads {value:?}"
                ));
            }
        } else {
            let href = format!("/ordlista#status-{status}");
            if r["statusText"].as_str() != Some(label_text) {
                problem(format!(
                    "{id}: status {:?}, not {label_text:?}",
                    r["statusText"]
                ));
            }
            if r["statusHref"].as_str() != Some(href.as_str()) {
                problem(format!(
                    "{id}: status links to {:?}, not {href}",
                    r["statusHref"]
                ));
            }
        }
        let flag = r["flag"].as_str().unwrap_or("");
        let class = r["flagClass"].as_str().unwrap_or("");
        if !flag.is_empty() && flag != "–" && !flags.contains(&flag) {
            problem(format!("{id}: unknown comparison {flag:?}"));
        }
        if (flag == flags[0]) != class.contains("flag-better")
            || (flag == flags[1]) != class.contains("flag-worse")
        {
            problem(format!("{id}: comparison {flag:?} with class {class:?}"));
        }
        if (flag == flags[0] || flag == flags[1]) && !published(status) {
            problem(format!(
                "{id}: compared with Sweden ({flag:?}) though not shown"
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::{parse_shown, shows};

    #[test]
    fn numbers_are_read_as_the_pages_write_them() {
        assert_eq!(
            parse_shown("73\u{a0}141\u{a0}kr per invånare", "sv"),
            Some((73_141.0, 0))
        );
        assert_eq!(parse_shown("60,0\u{a0}%", "sv"), Some((60.0, 1)));
        assert_eq!(parse_shown("73,141.25 SEK", "en"), Some((73_141.25, 2)));
        assert_eq!(parse_shown("–", "sv"), None);
        assert!(shows(60.0, 1, 0.600_04));
        assert!(shows(4.2, 1, 4.24));
        assert!(!shows(4.2, 1, 4.26));
    }
}

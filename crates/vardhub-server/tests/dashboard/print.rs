//! The focus outline and the print stylesheet (issue 18). A focused link's outline has at least
//! 3:1 contrast against what it sits on — the blue header and the white page. In print media
//! (emulated through Chrome's DevTools protocol) the menu, the skip link, forms, buttons and the
//! download links are not shown; the indicator page printed to A4 (WebDriver's print) fits on two
//! pages.

use super::{WIDTHS, set_width, with_lang};
use crate::support::world;
use crate::{ID, screenshots_dir};
use axum::http::Method;
use fantoccini::Client;
use fantoccini::wd::{PrintConfiguration, WebDriverCompatibleCommand};
use reqwest::Url;
use serde_json::{Value, json};
use std::str::FromStr;

/// A Chrome DevTools command through chromedriver (`/session/{id}/goog/cdp/execute`).
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: Value,
}

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base: &Url, session: Option<&str>) -> Result<Url, <Url as FromStr>::Err> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &Url) -> (Method, Option<String>) {
        (
            Method::POST,
            Some(json!({"cmd": self.cmd, "params": self.params}).to_string()),
        )
    }
}

async fn emulate_media(c: &Client, media: &str) {
    c.issue_cmd(Cdp {
        cmd: "Emulation.setEmulatedMedia",
        params: json!({ "media": media }),
    })
    .await
    .unwrap();
}

/// `rgb(r, g, b)` or `rgba(r, g, b, a)` as its relative luminance (WCAG 2.1).
fn luminance(css: &str) -> f64 {
    let inner = css
        .trim_start_matches("rgba(")
        .trim_start_matches("rgb(")
        .trim_end_matches(')');
    let channels: Vec<f64> = inner
        .split(',')
        .take(3)
        .map(|p| p.trim().parse::<f64>().unwrap_or_else(|_| panic!("{css}")))
        .collect();
    let lin = |c: f64| {
        let c = c / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(channels[0]) + 0.7152 * lin(channels[1]) + 0.0722 * lin(channels[2])
}

fn contrast(a: &str, b: &str) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// Focus the element and read its outline (colour, width, style) and its background's colour
/// (the nearest ancestor with one).
async fn focus_outline(c: &Client, css: &str) -> Value {
    c.execute(
        r#"
        const e = document.querySelector(arguments[0]);
        e.focus();
        const s = getComputedStyle(e);
        let p = e, bg = 'rgb(255, 255, 255)';
        while (p) {
          const b = getComputedStyle(p).backgroundColor;
          if (b && b !== 'rgba(0, 0, 0, 0)' && b !== 'transparent') { bg = b; break; }
          p = p.parentElement;
        }
        return {focused: document.activeElement === e, color: s.outlineColor, width: parseFloat(s.outlineWidth),
                style: s.outlineStyle, background: bg};"#,
        vec![json!(css)],
    )
    .await
    .unwrap()
}

/// Pages in a PDF (the page objects, `/Type /Page`, not `/Pages`).
fn pdf_pages(pdf: &[u8]) -> usize {
    let needle = b"/Type /Page";
    pdf.windows(needle.len() + 1)
        .filter(|w| w.starts_with(needle) && w[needle.len()] != b's')
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn focus_outlines_contrast_and_the_print_stylesheet_leaves_the_content_on_two_a4_pages() {
    let Some((_driver, c)) = super::start_browser().await else {
        return;
    };
    let w = world();
    set_width(&c, WIDTHS[0]).await;

    // The focus outline on the header and in the page.
    c.goto(&format!("{}/?lang=sv", w.base)).await.unwrap();
    for css in [
        "header.site nav a[href='/kallor']",
        "header.site a.brand",
        "main a[href^='/indikatorer/']",
        "footer.site a[href='/ordlista']",
    ] {
        let o = focus_outline(&c, css).await;
        assert_eq!(o["focused"], true, "{css}");
        assert!(
            o["style"] != "none" && o["width"].as_f64().unwrap_or(0.0) >= 2.0,
            "{css}: {o}"
        );
        let ratio = contrast(
            o["color"].as_str().unwrap(),
            o["background"].as_str().unwrap(),
        );
        assert!(ratio >= 3.0, "{css}: outline contrast {ratio:.2}: {o}");
    }

    // Print media: no menu, skip link, forms, buttons or download links; the content stays.
    c.goto(&format!(
        "{}{}",
        w.base,
        with_lang(&format!("/indikatorer/{ID}"), "sv")
    ))
    .await
    .unwrap();
    super::chart_problems(&c).await;
    emulate_media(&c, "print").await;
    let hidden = c
        .execute(
            r#"
        const shown = e => e.getClientRects().length > 0 && getComputedStyle(e).visibility !== 'hidden';
        const sel = ['header.site nav', 'a.skip', 'main form', 'button', '#ladda-vy-csv', '#ladda-vy-xlsx'];
        return {
          shown: sel.flatMap(s => Array.from(document.querySelectorAll(s)).filter(shown).map(() => s)),
          content: ['h1', '#vardetabell'].filter(s => !document.querySelector(s) || !shown(document.querySelector(s))),
        };"#,
            vec![],
        )
        .await
        .unwrap();
    // What A4's printable width (19 cm, 718 CSS px) shows in print media, for the record.
    let outer = set_width(&c, 718).await;
    let heights = c
        .execute(
            "return Array.from(document.querySelectorAll('main > *, main > div > *')).map(e => \
               e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className ? '.' + e.className : '') + ' ' + Math.round(e.getBoundingClientRect().height));",
            vec![],
        )
        .await
        .unwrap();
    eprintln!("print layout at 718 px: {heights}");
    super::full_screenshot(&c, outer, "dashboard-indikator-utskrift").await;
    set_width(&c, WIDTHS[0]).await;
    emulate_media(&c, "").await;
    assert_eq!(hidden["shown"], json!([]), "shown in print");
    assert_eq!(hidden["content"], json!([]), "missing in print");

    // The indicator on A4.
    let pdf = c.print(PrintConfiguration::default()).await.unwrap();
    std::fs::write(
        screenshots_dir().join("dashboard-indikator-utskrift.pdf"),
        &pdf,
    )
    .unwrap();
    let pages = pdf_pages(&pdf);
    assert!(
        (1..=2).contains(&pages),
        "the indicator page prints on {pages} A4 pages"
    );
    c.close().await.unwrap();
}

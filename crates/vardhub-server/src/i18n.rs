//! Svenska först, engelska som alternativ / Swedish first, English on request.
//!
//! The language is `?lang=sv|en` if given (the layer then remembers it in a `lang` cookie), else
//! the cookie, else Swedish. Templates pick strings with [`Lang::pick`] (`t.pick("…", "…")`), so
//! both languages of a sentence stay side by side.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use std::convert::Infallible;

/// A page language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// Swedish (default).
    #[default]
    Sv,
    /// English.
    En,
}

/// The cookie remembering the language.
pub const LANG_COOKIE: &str = "lang";

impl Lang {
    /// Parse `sv` / `en`.
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "sv" => Some(Lang::Sv),
            "en" => Some(Lang::En),
            _ => None,
        }
    }
    /// The code (`sv`, `en`), also the HTML `lang` attribute.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }
    /// The other language.
    pub fn other(self) -> Lang {
        match self {
            Lang::Sv => Lang::En,
            Lang::En => Lang::Sv,
        }
    }
    /// The Swedish or English string.
    pub fn pick<'a>(self, sv: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Sv => sv,
            Lang::En => en,
        }
    }
    /// The `lang` query parameter of a query string, if valid.
    pub fn from_query(query: Option<&str>) -> Option<Lang> {
        query?
            .split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "lang")
            .and_then(|(_, v)| Lang::parse(v))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Infallible> {
        Ok(Lang::from_query(parts.uri.query())
            .or_else(|| crate::auth::cookie(parts, LANG_COOKIE).and_then(Lang::parse))
            .unwrap_or_default())
    }
}

/// A region's name; `00` is Sweden.
pub fn region_name(code: &str, lang: Lang) -> &'static str {
    if code == "00" {
        return lang.pick("Riket", "Sweden");
    }
    vardhub_domain::RegionCode::parse(code).map_or("", |r| r.name())
}

/// The name of any area (Sweden, sjukvårdsregion, region, kommun, hospital, unit).
pub fn area_name(code: &str, lang: Lang) -> String {
    vardhub_domain::Area::parse(code).map_or_else(
        |_| String::new(),
        |a| match lang {
            Lang::Sv => a.name_sv(),
            Lang::En => a.name_en(),
        },
    )
}

/// The non-breaking space between thousands and before a unit (`73 141 kr`, `60,0 %`).
pub const NBSP: char = '\u{a0}';

/// A number with `decimals` places and thousands grouped: `73 141,5` in Swedish (non-breaking
/// spaces, decimal comma, minus sign), `73,141.5` in English; `–` when it is not finite.
pub fn grouped(v: f64, decimals: usize, lang: Lang) -> String {
    if !v.is_finite() {
        return "–".to_owned();
    }
    let digits = format!("{:.decimals$}", v.abs());
    let (int, frac) = digits
        .split_once('.')
        .map_or((digits.as_str(), None), |(i, f)| (i, Some(f)));
    let (thousands, decimal, minus) = match lang {
        Lang::Sv => (NBSP, ',', '−'),
        Lang::En => (',', '.', '-'),
    };
    let mut out = String::new();
    if v < 0.0 && digits.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        out.push(minus);
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(thousands);
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push(decimal);
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_from_query_and_numbers() {
        assert_eq!(Lang::from_query(Some("a=1&lang=en")), Some(Lang::En));
        assert_eq!(Lang::from_query(Some("lang=xx")), None);
        assert_eq!(grouped(12.345, 1, Lang::Sv), "12,3");
        assert_eq!(grouped(12.345, 1, Lang::En), "12.3");
        assert_eq!(region_name("00", Lang::En), "Sweden");
        assert_eq!(region_name("25", Lang::Sv), "Region Norrbotten");
        assert_eq!(grouped(73_141.2, 0, Lang::Sv), "73\u{a0}141");
        assert_eq!(grouped(1_234_567.25, 1, Lang::Sv), "1\u{a0}234\u{a0}567,2");
        assert_eq!(grouped(1_234_567.25, 1, Lang::En), "1,234,567.2");
        assert_eq!(grouped(-950.0, 0, Lang::Sv), "−950");
        assert_eq!(grouped(-0.01, 1, Lang::Sv), "0,0");
        assert_eq!(grouped(60.0, 1, Lang::Sv), "60,0");
        assert_eq!(grouped(f64::NAN, 1, Lang::Sv), "–");
    }
}

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

/// Format a number the local way: decimal comma in Swedish, `decimals` places.
pub fn number(v: f64, decimals: usize, lang: Lang) -> String {
    let s = format!("{v:.decimals$}");
    match lang {
        Lang::Sv => s.replace('.', ",").replace('-', "−"),
        Lang::En => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_from_query_and_numbers() {
        assert_eq!(Lang::from_query(Some("a=1&lang=en")), Some(Lang::En));
        assert_eq!(Lang::from_query(Some("lang=xx")), None);
        assert_eq!(number(12.345, 1, Lang::Sv), "12,3");
        assert_eq!(number(12.345, 1, Lang::En), "12.3");
        assert_eq!(region_name("00", Lang::En), "Sweden");
        assert_eq!(region_name("25", Lang::Sv), "Region Norrbotten");
    }
}

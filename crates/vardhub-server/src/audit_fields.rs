//! Vad som får stå i granskningsloggen / what of a request may be written to the audit log.
//!
//! The audit log serves the Patient Data Act's log review, so it needs who asked for what from
//! where, but it must never hold a secret or a personnummer typed into the wrong field. Every
//! request-derived field goes through here:
//!
//! * [`client_addr`]: the peer's IP address (no port);
//! * [`attempted_name`]: a user name typed at login, written only if it looks like a user name
//!   and not like a token (`vh_…`) or an identity number (six or more digits in a row);
//! * [`filters`]: the query parameters of a read, only known keys and only values of their own
//!   syntax (region codes, months, sex and age codes, formats, page numbers); anything else is
//!   written as `key=?`, unknown keys not at all.

use axum::extract::{ConnectInfo, Query};
use axum::http::Uri;
use axum::http::request::Parts;
use std::net::{IpAddr, SocketAddr};
use vardhub_domain::{Level, RegionCode};

/// The client's address, when the server knows it (every connection served by [`crate::serve`]).
pub fn client_addr(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

/// The client's address as an extractor.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<IpAddr>);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(client_addr(parts)))
    }
}

/// `addr=…` for audit details (`addr=-` when unknown).
pub fn addr_field(addr: Option<IpAddr>) -> String {
    match addr {
        Some(a) => format!("addr={a}"),
        None => "addr=-".to_owned(),
    }
}

/// Whether `s` holds `n` or more ASCII digits in a row (an identity number, a phone number …).
fn has_digit_run(s: &str, n: usize) -> bool {
    let mut run = 0;
    for b in s.bytes() {
        run = if b.is_ascii_digit() { run + 1 } else { 0 };
        if run >= n {
            return true;
        }
    }
    false
}

/// The attempted user name as the audit log may record it: the name itself if it has a user
/// name's syntax (a–z, 0–9, `.`, `_`, `-`, at most 64), does not start with `vh_` (a token pasted
/// into the name field) and holds no run of six or more digits (a personnummer); otherwise
/// `[redacted]` (empty: `[empty]`).
pub fn attempted_name(name: &str) -> String {
    let name = name.trim();
    if name.is_empty() {
        return "[empty]".to_owned();
    }
    let syntax = name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if syntax && !name.starts_with("vh_") && !has_digit_run(name, 6) {
        name.to_owned()
    } else {
        "[redacted]".to_owned()
    }
}

/// A query parameter's value, if it is of its key's own syntax.
fn checked_value(key: &str, value: &str) -> Option<String> {
    let short_code = |v: &str, n: usize| {
        !v.is_empty()
            && v.len() <= n
            && v.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"+-_".contains(&b))
            && !has_digit_run(v, 6)
    };
    match key {
        "region" => (value == "SE"
            || RegionCode::parse(value).is_ok()
            || vardhub_domain::Area::parse(value).is_ok_and(|a| a.level() <= Level::Kommun))
        .then(|| value.to_owned()),
        "period" => vardhub_domain::ReportPeriod::parse(value)
            .ok()
            .map(|p| p.to_string()),
        "kon" | "aldersgrupp" | "format" | "lang" | "level" | "period_type" | "periodtyp" => {
            let v = value.trim();
            short_code(v, 16).then(|| v.to_owned())
        }
        "page" | "page_size" => {
            (!value.is_empty() && value.len() <= 6 && value.bytes().all(|b| b.is_ascii_digit()))
                .then(|| value.to_owned())
        }
        _ => None,
    }
}

/// The filters of a read as audit details: `filters=region=01,period=2024-01` (known keys in
/// the order given, values checked, percent-decoding applied), `filters=-` when there are none.
pub fn filters(uri: &Uri) -> String {
    const KEYS: [&str; 8] = [
        "region",
        "period",
        "kon",
        "aldersgrupp",
        "format",
        "page",
        "page_size",
        "lang",
    ];
    let pairs: Vec<(String, String)> = Query::<Vec<(String, String)>>::try_from_uri(uri)
        .map(|q| q.0)
        .unwrap_or_default();
    let parts: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| KEYS.contains(&k.as_str()))
        .map(|(k, v)| match checked_value(k, v) {
            Some(v) => format!("{k}={v}"),
            None => format!("{k}=?"),
        })
        .collect();
    if parts.is_empty() {
        "filters=-".to_owned()
    } else {
        format!("filters={}", parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attempted_names_never_carry_tokens_or_identity_numbers() {
        assert_eq!(attempted_name(" anna.b "), "anna.b");
        assert_eq!(attempted_name("reg_a"), "reg_a");
        assert_eq!(attempted_name(""), "[empty]");
        for secret in [
            "vh_0123abcd",
            "199001011234",
            "19900101-1234",
            "900101-1234",
            "anna 199001011234",
            "<script>",
            &"a".repeat(65),
        ] {
            assert_eq!(attempted_name(secret), "[redacted]", "{secret}");
        }
    }

    fn filters(query: Option<&str>) -> String {
        let uri: Uri = match query {
            Some(q) => format!("/x?{q}").parse().unwrap(),
            None => "/x".parse().unwrap(),
        };
        super::filters(&uri)
    }

    #[test]
    fn filters_keep_known_keys_with_checked_values_only() {
        assert_eq!(
            filters(Some(
                "region=01&period=2024-03&kon=2&aldersgrupp=80%2B&format=csv&page=2&x=1"
            )),
            "filters=region=01,period=2024-03,kon=2,aldersgrupp=80+,format=csv,page=2"
        );
        assert_eq!(filters(Some("region=SE")), "filters=region=SE");
        assert_eq!(
            filters(Some("region=199001011234&period=nej&kon=%3Cb%3E")),
            "filters=region=?,period=?,kon=?"
        );
        assert_eq!(filters(Some("kon=1990010112")), "filters=kon=?");
        assert_eq!(filters(None), "filters=-");
        assert_eq!(filters(Some("token=vh_1")), "filters=-");
    }
}

//! What the catalogue says beyond the definitions: the hub's base URL and publisher, and the
//! catalogue facts of the moment (which collections have deliveries, the periods they cover, the
//! latest official run and the months each indicator is published for).

use super::DcatError;
use std::collections::{BTreeMap, BTreeSet};
use vardhub_domain::Period;

/// The hub's base URL (`http://host[:port]` or `https://…`, no path): every IRI of the catalogue
/// is under it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl(String);

impl BaseUrl {
    /// A base URL from a scheme and a `Host` value; refused unless the host is a DNS name, an
    /// IPv4 address or a bracketed IPv6 address, with an optional numeric port.
    pub fn new(https: bool, host: &str) -> Result<BaseUrl, DcatError> {
        if !valid_host(host) {
            return Err(DcatError::Host(host.chars().take(100).collect()));
        }
        let scheme = if https { "https" } else { "http" };
        Ok(BaseUrl(format!("{scheme}://{}", host.to_ascii_lowercase())))
    }

    /// The URL, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An absolute IRI for a path of the hub (`path` starts with `/`).
    pub fn at(&self, path: &str) -> String {
        format!("{}{path}", self.0)
    }

    /// The host part (without port), for the default contact address.
    pub fn host(&self) -> &str {
        let rest = self.0.split_once("://").map_or("", |(_, r)| r);
        if rest.starts_with('[') {
            return rest.split_inclusive(']').next().unwrap_or(rest);
        }
        rest.split(':').next().unwrap_or(rest)
    }
}

fn valid_host(host: &str) -> bool {
    if host.is_empty() || host.len() > 255 {
        return false;
    }
    let (name, port) = if let Some(rest) = host.strip_prefix('[') {
        let Some((addr, after)) = rest.split_once(']') else {
            return false;
        };
        if addr.is_empty() || !addr.chars().all(|c| c.is_ascii_hexdigit() || c == ':') {
            return false;
        }
        match after {
            "" => return true,
            p => ("ip6", p.strip_prefix(':').unwrap_or("x")),
        }
    } else {
        match host.split_once(':') {
            Some((n, p)) => (n, p),
            None => (host, "0"),
        }
    };
    let port_ok = !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit());
    let name_ok = name.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    port_ok && name_ok
}

/// Who publishes the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publisher {
    /// Name (`foaf:name`, `vcard:fn`).
    pub name: String,
    /// Contact e-mail address (without `mailto:`).
    pub email: String,
}

impl Publisher {
    /// The hub as publisher, with the contact address `dataportal@HOST` of its base URL.
    pub fn hub(base: &BaseUrl) -> Publisher {
        Publisher {
            name: "Vårddatahubben".into(),
            email: format!("dataportal@{}", base.host().trim_matches(['[', ']'])),
        }
    }
}

/// What the catalogue knows of one collection's deliveries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectionFacts {
    /// Regions with a current delivery (`00` for a national extract).
    pub regions: BTreeSet<String>,
    /// First and last month delivered.
    pub first: Period,
    /// Last month delivered.
    pub last: Period,
    /// Rows per table over the current deliveries.
    pub rows: BTreeMap<String, i64>,
    /// The latest publication time (RFC 3339), if known.
    pub last_published: Option<String>,
}

/// The latest official run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFacts {
    /// Run id.
    pub id: String,
    /// When it finished (RFC 3339).
    pub finished_at: String,
}

/// Everything of the moment the catalogue describes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogueFacts {
    /// The hub's base URL.
    pub base: BaseUrl,
    /// The publisher.
    pub publisher: Publisher,
    /// The hub holds synthetic data only.
    pub synthetic: bool,
    /// Collections with current deliveries, by id.
    pub collections: BTreeMap<String, CollectionFacts>,
    /// The latest official run, if any.
    pub latest_run: Option<RunFacts>,
    /// First and last month each indicator is published for in the latest run.
    pub indicator_months: BTreeMap<String, (Period, Period)>,
    /// Analyses with a published result: id → when its newest run finished (RFC 3339).
    pub analyses: BTreeMap<String, String>,
    /// Which optional distributions the server serves.
    pub served: Served,
    /// The current track-A tables: external sources' indicators served beside the hub's own.
    pub external: Vec<ExternalFacts>,
}

/// One external source's indicator as the hub serves it (`/api/v1/sources/{source}/indicators/
/// {indicator}/values`, and as a PxWeb table when those are served).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalFacts {
    /// The source's id (`socialstyrelsen`, …).
    pub source: String,
    /// The source's name, Swedish.
    pub source_sv: String,
    /// The source's name, English.
    pub source_en: String,
    /// Who publishes the source.
    pub publisher: String,
    /// Where the source publishes its figures.
    pub url: String,
    /// The indicator's id in the hub.
    pub indicator: String,
    /// The indicator's name as the source wrote it.
    pub name: String,
    /// The imported version.
    pub version: u32,
    /// When it was imported (RFC 3339).
    pub imported_at: String,
    /// The PxWeb table id, when the table is served there.
    pub pxweb_table: Option<String>,
}

/// Distributions that exist only when the server serves them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Served {
    /// `…/values?format=xlsx`.
    pub xlsx: bool,
    /// PxWeb API v2 tables (`/api/v2/tables/{id}`, `…/data`) with JSON-stat 2.
    pub pxweb: bool,
}

impl CatalogueFacts {
    /// Facts with nothing delivered and no run, for the given base URL.
    pub fn empty(base: BaseUrl) -> CatalogueFacts {
        CatalogueFacts {
            publisher: Publisher::hub(&base),
            base,
            synthetic: false,
            collections: BTreeMap::new(),
            latest_run: None,
            indicator_months: BTreeMap::new(),
            analyses: BTreeMap::new(),
            served: Served::default(),
            external: Vec::new(),
        }
    }
}

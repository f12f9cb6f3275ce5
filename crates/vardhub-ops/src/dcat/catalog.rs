//! The catalogue node, its publisher and contact point, and the small nodes every dataset shares
//! (controlled-vocabulary concepts, periods of time, distributions, legislation).

use super::Profile;
use super::facts::CatalogueFacts;
use super::rdf::{Graph, Term, iri, lang, lit, typed};
use super::vocab::*;
use vardhub_domain::Period;
use vardhub_domain::spec::Text;

/// What every part of the mapping needs: the facts, the profile and the IRIs.
pub(crate) struct Context<'a> {
    pub facts: &'a CatalogueFacts,
    pub profile: Profile,
}

/// One distribution of a dataset.
pub(crate) struct Dist<'a> {
    /// Last IRI segment under the dataset (`json`, `csv` …).
    pub slug: &'a str,
    /// Title.
    pub title: Text,
    /// Where it is reached (absolute).
    pub access: String,
    /// A direct download, if any (absolute).
    pub download: Option<String>,
    /// EU file type code (`JSON`, `CSV`, `XLSX`, `PARQUET`).
    pub file_type: &'a str,
    /// IANA media type (`application/json`).
    pub media_type: &'a str,
    /// Open data under CC BY 4.0 (else a rights statement for authorised users).
    pub open: bool,
    /// A specification the content follows (e.g. JSON-stat 2.0).
    pub conforms_to: Option<&'a str>,
}

impl<'a> Context<'a> {
    pub fn new(facts: &'a CatalogueFacts, profile: Profile) -> Context<'a> {
        Context { facts, profile }
    }

    /// An IRI under the base URL from path segments, each percent-encoded.
    pub fn iri(&self, segments: &[&str]) -> String {
        let mut s = self.facts.base.as_str().to_owned();
        for seg in segments {
            s.push('/');
            s.push_str(&encode_segment(seg));
        }
        s
    }

    /// An absolute IRI for a server path (already a valid path).
    pub fn url(&self, path: &str) -> String {
        self.facts.base.at(path)
    }

    fn publisher_iri(&self) -> Term {
        iri(self.iri(&["dcat", "agent", "vardhub"]))
    }

    /// The `dcat:Catalog` with its publisher; returns its node.
    pub fn catalog(&self, g: &mut Graph) -> Term {
        let cat = iri(self.iri(&["dcat", "catalog"]));
        g.add(&cat, RDF_TYPE, iri(DCAT_CATALOG));
        texts(
            g,
            &cat,
            DCT_TITLE,
            &Text {
                sv: "Vårddatahubbens katalog".into(),
                en: "Catalogue of Vårddatahubben".into(),
            },
        );
        texts(
            g,
            &cat,
            DCT_DESCRIPTION,
            &Text {
                sv: "Regionernas gemensamma hälsodatanav: datainsamlingar (mikrodata, ej \
                     offentliga) och publicerade indikatorer och analyser (öppna data)."
                    .into(),
                en: "The regions' shared health-data hub: data collections (microdata, not \
                     public) and published indicators and analyses (open data)."
                    .into(),
            },
        );
        let publisher = self.agent(g);
        g.add(&cat, DCT_PUBLISHER, publisher);
        let home = iri(self.url("/"));
        g.add(&home, RDF_TYPE, iri(FOAF_DOCUMENT));
        g.add(&cat, FOAF_HOMEPAGE, home);
        for l in ["SWE", "ENG"] {
            let c = concept(g, LANGUAGE, l);
            g.add(&cat, DCT_LANGUAGE, c);
        }
        let licence = self.licence(g, CC0, "PublicDomain");
        g.add(&cat, DCT_LICENSE, licence);
        let themes = iri(DATA_THEME.scheme);
        g.add(&themes, RDF_TYPE, iri(SKOS_CONCEPT_SCHEME));
        g.add(&cat, DCAT_THEME_TAXONOMY, themes);
        let sweden = concept(g, COUNTRY, "SWE");
        g.add(&cat, DCT_SPATIAL, sweden);
        if let Some(run) = &self.facts.latest_run {
            g.add(&cat, DCT_MODIFIED, typed(&run.finished_at, XSD_DATETIME));
        }
        self.legislation(g, &cat, &[EHDS]);
        cat
    }

    /// The hub as `foaf:Agent`: publisher, and in HealthDCAT-AP also health data access body.
    pub fn agent(&self, g: &mut Graph) -> Term {
        let a = self.publisher_iri();
        g.add(&a, RDF_TYPE, iri(FOAF_AGENT));
        g.add(&a, RDF_TYPE, iri(FOAF_ORGANIZATION));
        g.add(&a, FOAF_NAME, lit(&self.facts.publisher.name));
        let kind = concept(g, PUBLISHER_TYPE, "RegionalAuthority");
        g.add(&a, DCT_TYPE, kind);
        if self.profile.health() {
            let cp = iri(self.iri(&["dcat", "agent", "vardhub", "contact"]));
            g.add(&cp, RDF_TYPE, iri(CV_CONTACT_POINT_CLASS));
            g.add(&cp, CV_EMAIL, lit(&self.facts.publisher.email));
            g.add(&cp, CV_CONTACT_PAGE, iri(self.url("/")));
            g.add(&a, CV_CONTACT_POINT, cp);
        }
        a
    }

    /// The vCard contact point of every dataset.
    pub fn contact(&self, g: &mut Graph) -> Term {
        let c = iri(self.iri(&["dcat", "contact"]));
        g.add(&c, RDF_TYPE, iri(VCARD_KIND));
        g.add(&c, RDF_TYPE, iri(VCARD_ORGANIZATION));
        g.add(&c, VCARD_FN, lit(&self.facts.publisher.name));
        g.add(
            &c,
            VCARD_HAS_EMAIL,
            iri(format!("mailto:{}", self.facts.publisher.email)),
        );
        c
    }

    /// `dcatap:applicableLegislation` for each ELI.
    pub fn legislation(&self, g: &mut Graph, s: &Term, elis: &[&str]) {
        for eli in elis {
            let l = iri(*eli);
            g.add(&l, RDF_TYPE, iri(ELI_LEGAL_RESOURCE));
            g.add(s, DCATAP_APPLICABLE_LEGISLATION, l);
        }
    }

    /// A licence document with its ADMS licence type.
    pub fn licence(&self, g: &mut Graph, licence: &str, kind: &str) -> Term {
        let l = iri(licence);
        g.add(&l, RDF_TYPE, iri(DCT_LICENSE_DOCUMENT));
        let k = concept(g, LICENCE_TYPE, kind);
        g.add(&l, DCT_TYPE, k);
        l
    }

    /// What every dataset has: publisher, contact point, theme HEAL, language, country,
    /// monthly frequency, and in HealthDCAT-AP the hub as HDAB.
    pub fn common(&self, g: &mut Graph, ds: &Term) {
        g.add(ds, RDF_TYPE, iri(DCAT_DATASET));
        let publisher = self.publisher_iri();
        g.add(ds, DCT_PUBLISHER, publisher.clone());
        let contact = self.contact(g);
        g.add(ds, DCAT_CONTACT_POINT, contact);
        let heal = concept(g, DATA_THEME, "HEAL");
        g.add(ds, DCAT_THEME, heal);
        let swe = concept(g, LANGUAGE, "SWE");
        g.add(ds, DCT_LANGUAGE, swe);
        let sweden = concept(g, COUNTRY, "SWE");
        g.add(ds, DCT_SPATIAL, sweden);
        let monthly = concept(g, FREQUENCY, "MONTHLY");
        g.add(ds, DCT_ACCRUAL_PERIODICITY, monthly);
        if self.profile.health() {
            g.add(ds, HEALTH_HDAB, publisher);
        }
    }

    /// A distribution of `ds` (an IRI) as described.
    pub fn distribution(&self, g: &mut Graph, ds: &Term, d: &Dist) -> Term {
        let base = ds.as_iri().unwrap_or_default();
        let node = iri(format!("{base}/distribution/{}", encode_segment(d.slug)));
        g.add(&node, RDF_TYPE, iri(DCAT_DISTRIBUTION));
        texts(g, &node, DCT_TITLE, &d.title);
        g.add(&node, DCAT_ACCESS_URL, iri(&d.access));
        if let Some(dl) = &d.download {
            g.add(&node, DCAT_DOWNLOAD_URL, iri(dl));
        }
        let format = concept(g, FILE_TYPE, d.file_type);
        g.add(&node, DCT_FORMAT, format);
        let media = iri(format!("{IANA_MEDIA_TYPES}{}", d.media_type));
        g.add(&media, RDF_TYPE, iri(DCT_MEDIA_TYPE));
        g.add(&node, DCAT_MEDIA_TYPE, media);
        if d.open {
            let l = self.licence(g, CC_BY_4, "Attribution");
            g.add(&node, DCT_LICENSE, l);
        } else {
            let r = iri(format!("{}#rights", node.as_iri().unwrap_or_default()));
            g.add(&r, RDF_TYPE, iri(DCT_RIGHTS_STATEMENT));
            texts(
                g,
                &r,
                RDFS_LABEL,
                &Text {
                    sv: "Endast för inloggade analytiker, egen regions rader med regionens \
                         releasepseudonymer; varje hämtning loggas."
                        .into(),
                    en: "Only for logged-in analysts: the own region's rows with the region's \
                         release pseudonyms; every download is logged."
                        .into(),
                },
            );
            g.add(&node, DCT_RIGHTS, r);
        }
        if let Some(std) = d.conforms_to {
            let s = iri(std);
            g.add(&s, RDF_TYPE, iri(DCT_STANDARD));
            g.add(&node, DCT_CONFORMS_TO, s);
        }
        if self.profile.health() {
            self.legislation(g, &node, &[EHDS]);
        }
        g.add(ds, DCAT_DISTRIBUTION_P, node.clone());
        node
    }

    /// A `dct:PeriodOfTime` from the first day of `first` to the last day of `last`.
    pub fn period(&self, g: &mut Graph, first: Period, last: Period) -> Term {
        let p = g.blank();
        g.add(&p, RDF_TYPE, iri(DCT_PERIOD_OF_TIME));
        g.add(
            &p,
            DCAT_START_DATE,
            typed(first.first_day().to_string(), XSD_DATE),
        );
        g.add(
            &p,
            DCAT_END_DATE,
            typed(last.last_day().to_string(), XSD_DATE),
        );
        p
    }
}

/// A concept of a controlled vocabulary, typed as the shapes expect (`skos:Concept`, its
/// DCAT-AP range class, `skos:inScheme` of a `skos:ConceptScheme`).
pub(crate) fn concept(g: &mut Graph, a: Authority, code: &str) -> Term {
    let c = iri(a.concept(code));
    g.add(&c, RDF_TYPE, iri(SKOS_CONCEPT));
    if let Some(class) = a.class {
        g.add(&c, RDF_TYPE, iri(class));
    }
    let (sv, en) = concept_label(a, code);
    g.add(&c, SKOS_PREF_LABEL, lang(sv, "sv"));
    g.add(&c, SKOS_PREF_LABEL, lang(en, "en"));
    let scheme = iri(scheme_of(a));
    g.add(&scheme, RDF_TYPE, iri(SKOS_CONCEPT_SCHEME));
    g.add(&scheme, DCT_TITLE, lang(scheme_title(a), "en"));
    g.add(&c, SKOS_IN_SCHEME, scheme);
    c
}

/// `s p "sv"@sv, "en"@en`.
pub(crate) fn texts(g: &mut Graph, s: &Term, p: &str, t: &Text) {
    g.add(s, p, lang(t.sv.trim(), "sv"));
    g.add(s, p, lang(t.en.trim(), "en"));
}

/// A path segment with everything but unreserved characters percent-encoded (UTF-8).
pub(crate) fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

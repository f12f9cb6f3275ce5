use super::rdf::{Graph, Term, iri, lang, lit, typed};
use super::vocab::*;
use super::*;
use std::collections::BTreeMap;
use vardhub_domain::Period;

const TRICKY: &str = "Citat \"så\" här\\ och\nny rad\r\tÅÄÖ åäö \u{1} <&> ]]>";

fn tricky_graph() -> Graph {
    let mut g = Graph::new();
    let s = iri("http://example.se/a b>\"{x}");
    g.add(&s, DCT_TITLE, lang(TRICKY, "sv"));
    g.add(&s, DCT_DESCRIPTION, lit("plain \"q\""));
    g.add(&s, DCT_MODIFIED, typed("2024-01-31", XSD_DATE));
    let b = g.blank();
    g.add(&s, DCT_PUBLISHER, b.clone());
    g.add(&b, FOAF_NAME, lit("Region Västra Götaland"));
    g
}

#[test]
fn turtle_escapes_literals_and_iris() {
    let out = turtle::write(&tricky_graph());
    assert!(
        out.contains(r#""Citat \"så\" här\\ och\nny rad\r\tÅÄÖ åäö \u0001 <&> ]]>"@sv"#),
        "{out}"
    );
    assert!(
        out.contains(r#"<http://example.se/a\u0020b\u003E\u0022\u007Bx\u007D>"#),
        "{out}"
    );
    assert!(
        out.contains(r#"dct:modified "2024-01-31"^^xsd:date"#),
        "{out}"
    );
    assert!(out.contains("_:b1 .\n") || out.contains("_:b1 ;"), "{out}");
    assert!(
        out.contains("foaf:name \"Region Västra Götaland\""),
        "{out}"
    );
    // Every statement ends; no raw newline inside a literal.
    assert!(!out.contains("och\nny"));
}

#[test]
fn jsonld_round_trips_text_through_a_json_parser() {
    let out = jsonld::write(&tricky_graph());
    let v: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    let node = &v["@graph"][0];
    assert_eq!(node["@id"], "http://example.se/a b>\"{x}");
    assert_eq!(node["dct:title"][0]["@value"], TRICKY);
    assert_eq!(node["dct:title"][0]["@language"], "sv");
    assert_eq!(node["dct:modified"][0]["@type"], "xsd:date");
    assert_eq!(node["dct:publisher"][0]["@id"], "_:b1");
    assert_eq!(v["@context"]["dct"], "http://purl.org/dc/terms/");
}

#[test]
fn rdfxml_escapes_text_and_attributes_and_refuses_what_xml_cannot_carry() {
    let mut g = Graph::new();
    let s = iri("http://example.se/?a=1&b=\"2\"");
    g.add(&s, DCT_TITLE, lang("Å <b> & \"c\"\r\nslut", "sv"));
    let out = rdfxml::write(&g).expect("writable");
    assert!(
        out.contains(r#"rdf:about="http://example.se/?a=1&amp;b=&quot;2&quot;""#),
        "{out}"
    );
    assert!(
        out.contains("<dct:title xml:lang=\"sv\">Å &lt;b&gt; &amp; \"c\"&#xD;\nslut</dct:title>"),
        "{out}"
    );
    let mut bad = Graph::new();
    bad.add(&s, DCT_TITLE, lit("bell \u{7}"));
    assert_eq!(rdfxml::write(&bad), Err(rdfxml::XmlError::Character(7)));
    let mut unknown = Graph::new();
    unknown.add(&s, "http://example.se/ns#p", lit("x"));
    assert!(matches!(
        rdfxml::write(&unknown),
        Err(rdfxml::XmlError::Predicate(_))
    ));
}

#[test]
fn base_url_accepts_host_names_and_refuses_anything_else() {
    for ok in [
        "data.example.se",
        "127.0.0.1:8080",
        "[::1]:3000",
        "LOCALHOST",
    ] {
        assert!(BaseUrl::new(false, ok).is_ok(), "{ok}");
    }
    for bad in [
        "",
        "evil.se/path",
        "a b",
        "x\">",
        "host:port",
        "host:",
        "-a.se",
        "a..se",
        "[zz]",
        "user@host",
    ] {
        assert!(BaseUrl::new(false, bad).is_err(), "{bad}");
    }
    let b = BaseUrl::new(true, "Data.Example.se:8443").unwrap();
    assert_eq!(b.as_str(), "https://data.example.se:8443");
    assert_eq!(b.host(), "data.example.se");
    assert_eq!(Publisher::hub(&b).email, "dataportal@data.example.se");
}

fn facts() -> CatalogueFacts {
    let mut f = CatalogueFacts::empty(BaseUrl::new(false, "hub.example.se").unwrap());
    f.synthetic = true;
    f.collections.insert(
        "vardkontakter".into(),
        CollectionFacts {
            regions: ["01".to_owned(), "14".to_owned()].into(),
            first: Period::new(2024, 1).unwrap(),
            last: Period::new(2024, 12).unwrap(),
            rows: BTreeMap::from([("kontakter".to_owned(), 1234)]),
            last_published: Some("2025-01-05T10:00:00Z".into()),
        },
    );
    f.latest_run = Some(RunFacts {
        id: "run-1".into(),
        finished_at: "2025-01-06T08:00:00Z".into(),
    });
    f.indicator_months.insert(
        "hoftfraktur_op_24h".into(),
        (Period::new(2024, 1).unwrap(), Period::new(2024, 9).unwrap()),
    );
    f
}

fn dataset_of(g: &Graph, kind: &str, id: &str) -> Term {
    let want = format!("http://hub.example.se/dcat/dataset/{kind}/{id}");
    g.instances(DCAT_DATASET)
        .find(|t| t.as_iri() == Some(want.as_str()))
        .unwrap_or_else(|| panic!("no dataset {want}"))
        .clone()
}

#[test]
fn every_collection_and_indicator_is_a_dataset_with_the_right_access() {
    let defs = vardhub_engine::definitions::Definitions::builtin();
    let g = catalogue(&defs, &facts(), Profile::HealthDcatAp);
    let datasets = g.instances(DCAT_DATASET).count();
    assert_eq!(
        datasets,
        defs.specs().ids().count() + defs.recipes().len(),
        "one per collection and indicator (no analysis has a published result here)"
    );
    let non_public = iri(ACCESS_RIGHT.concept("NON_PUBLIC"));
    let public = iri(ACCESS_RIGHT.concept("PUBLIC"));
    for id in defs.specs().ids() {
        let ds = dataset_of(&g, "collection", id);
        assert_eq!(
            g.objects(&ds, DCT_ACCESS_RIGHTS).collect::<Vec<_>>(),
            [&non_public]
        );
    }
    for id in defs.recipes().keys() {
        let ds = dataset_of(&g, "indicator", id);
        assert_eq!(
            g.objects(&ds, DCT_ACCESS_RIGHTS).collect::<Vec<_>>(),
            [&public]
        );
        assert!(
            g.objects(&ds, DCAT_DISTRIBUTION_P).count() >= 2,
            "JSON and CSV for {id}"
        );
    }
    // Every IRI the catalogue mints is under the base URL.
    for t in g.triples() {
        if let Term::Iri(s) = &t.subject
            && s.contains("/dcat/")
        {
            assert!(s.starts_with("http://hub.example.se/dcat/"), "{s}");
        }
    }
}

#[test]
fn collections_carry_their_coding_systems_counts_and_period() {
    let defs = vardhub_engine::definitions::Definitions::builtin();
    let g = catalogue(&defs, &facts(), Profile::HealthDcatAp);
    let ds = dataset_of(&g, "collection", "vardkontakter");
    let systems: Vec<_> = g
        .objects(&ds, HEALTH_HAS_CODING_SYSTEM)
        .filter_map(Term::as_iri)
        .collect();
    assert!(
        systems.contains(&CODING_SYSTEM.concept("ICD-10-NAT").as_str()),
        "{systems:?}"
    );
    assert!(
        systems.contains(&CODING_SYSTEM.concept("PROC-CODES-NAT").as_str()),
        "{systems:?}"
    );
    let records: Vec<_> = g.objects(&ds, HEALTH_NUMBER_OF_RECORDS).collect();
    assert_eq!(records, [&typed("1234", XSD_NON_NEGATIVE_INTEGER)]);
    let period = g
        .objects(&ds, DCT_TEMPORAL)
        .next()
        .expect("temporal")
        .clone();
    assert_eq!(
        g.objects(&period, DCAT_START_DATE).collect::<Vec<_>>(),
        [&typed("2024-01-01", XSD_DATE)]
    );
    assert_eq!(
        g.objects(&period, DCAT_END_DATE).collect::<Vec<_>>(),
        [&typed("2024-12-31", XSD_DATE)]
    );
    let kind: Vec<_> = g.objects(&ds, DCT_TYPE).collect();
    assert_eq!(kind, [&iri(DATASET_TYPE.concept("SYNTHETIC_DATA"))]);
    // A collection without deliveries has no period and no record count.
    let ds = dataset_of(&g, "collection", "vantetider");
    assert_eq!(g.objects(&ds, DCT_TEMPORAL).count(), 0);
    assert_eq!(g.objects(&ds, HEALTH_NUMBER_OF_RECORDS).count(), 0);
}

#[test]
fn the_swedish_profile_leaves_the_health_extension_out() {
    let defs = vardhub_engine::definitions::Definitions::builtin();
    let health = catalogue(&defs, &facts(), Profile::HealthDcatAp);
    let se = catalogue(&defs, &facts(), Profile::DcatApSe);
    let uses = |g: &Graph, ns: &str| g.triples().iter().any(|t| t.predicate.starts_with(ns));
    let hd = "http://healthdataportal.eu/ns/health#";
    assert!(uses(&health, hd));
    assert!(!uses(&se, hd));
    assert!(!uses(&se, "https://w3id.org/dpv#"));
    // Both name the publisher and a contact point on every dataset.
    for g in [&health, &se] {
        for ds in g.instances(DCAT_DATASET) {
            assert_eq!(g.objects(ds, DCT_PUBLISHER).count(), 1);
            assert_eq!(g.objects(ds, DCAT_CONTACT_POINT).count(), 1);
        }
    }
}

#[test]
fn optional_distributions_follow_what_the_server_serves() {
    let defs = vardhub_engine::definitions::Definitions::builtin();
    let mut f = facts();
    let g = catalogue(&defs, &f, Profile::DcatApSe);
    let ds = dataset_of(&g, "indicator", "hoftfraktur_op_24h");
    assert_eq!(g.objects(&ds, DCAT_DISTRIBUTION_P).count(), 2);
    f.served = Served {
        xlsx: true,
        pxweb: true,
    };
    f.analyses
        .insert("mobila_team".into(), "2025-01-07T09:00:00Z".into());
    let g = catalogue(&defs, &f, Profile::DcatApSe);
    let ds = dataset_of(&g, "indicator", "hoftfraktur_op_24h");
    let dists: Vec<_> = g.objects(&ds, DCAT_DISTRIBUTION_P).collect();
    assert_eq!(dists.len(), 4);
    let px =
        iri("http://hub.example.se/dcat/dataset/indicator/hoftfraktur_op_24h/distribution/pxweb");
    assert!(dists.contains(&&px));
    assert_eq!(
        g.objects(&px, DCAT_ACCESS_URL).collect::<Vec<_>>(),
        [&iri(
            "http://hub.example.se/api/v2/tables/hoftfraktur_op_24h"
        )]
    );
    assert_eq!(
        g.instances(DCAT_DATASET).count(),
        defs.specs().ids().count() + defs.recipes().len() + 1,
        "only the analysis with a published result"
    );
}

#[test]
fn every_format_writes_the_whole_catalogue() {
    let defs = vardhub_engine::definitions::Definitions::builtin();
    let g = catalogue(&defs, &facts(), Profile::HealthDcatAp);
    for format in [Format::Turtle, Format::JsonLd, Format::RdfXml] {
        let text = render(&g, format).expect("writes");
        assert!(
            text.contains("Höftfraktur opererad inom 24 timmar"),
            "{format:?}"
        );
        assert_eq!(Format::from_media_type(format.media_type()), Some(format));
        assert_eq!(Format::parse(format.extension()), Some(format));
    }
    assert_eq!(Profile::parse("dcat-ap-se"), Some(Profile::DcatApSe));
    assert_eq!(
        Profile::parse("healthdcat-ap").map(Profile::name),
        Some("healthdcat-ap")
    );
    assert_eq!(Profile::parse("dcat"), None);
}

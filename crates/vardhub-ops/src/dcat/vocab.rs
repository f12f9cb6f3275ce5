//! Namespaces, terms and controlled vocabularies used by the catalogue: W3C DCAT 3, DCAT-AP 3,
//! HealthDCAT-AP (release 8), the EU Publications Office authority tables and IANA media types.

/// `(prefix, namespace)` of every vocabulary the writers may abbreviate; the RDF/XML writer can
/// only write predicates and classes in one of these.
pub const PREFIXES: &[(&str, &str)] = &[
    ("rdf", "http://www.w3.org/1999/02/22-rdf-syntax-ns#"),
    ("rdfs", "http://www.w3.org/2000/01/rdf-schema#"),
    ("xsd", "http://www.w3.org/2001/XMLSchema#"),
    ("owl", "http://www.w3.org/2002/07/owl#"),
    ("dcat", "http://www.w3.org/ns/dcat#"),
    ("dct", "http://purl.org/dc/terms/"),
    ("dcatap", "http://data.europa.eu/r5r/"),
    ("foaf", "http://xmlns.com/foaf/0.1/"),
    ("vcard", "http://www.w3.org/2006/vcard/ns#"),
    ("skos", "http://www.w3.org/2004/02/skos/core#"),
    ("prov", "http://www.w3.org/ns/prov#"),
    ("adms", "http://www.w3.org/ns/adms#"),
    ("csvw", "http://www.w3.org/ns/csvw#"),
    ("cv", "http://data.europa.eu/m8g/"),
    ("dpv", "https://w3id.org/dpv#"),
    ("eli", "http://data.europa.eu/eli/ontology#"),
    ("healthdcatap", "http://healthdataportal.eu/ns/health#"),
];

macro_rules! terms {
    ($($(#[$doc:meta])* $name:ident = $ns:literal, $local:literal;)*) => {
        $($(#[$doc])* pub const $name: &str = concat!($ns, $local);)*
    };
}

terms! {
    /// `rdf:type`.
    RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "type";
    /// `rdfs:label`.
    RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#", "label";
    /// `xsd:date`.
    XSD_DATE = "http://www.w3.org/2001/XMLSchema#", "date";
    /// `xsd:dateTime`.
    XSD_DATETIME = "http://www.w3.org/2001/XMLSchema#", "dateTime";
    /// `xsd:boolean`.
    XSD_BOOLEAN = "http://www.w3.org/2001/XMLSchema#", "boolean";
    /// `xsd:nonNegativeInteger`.
    XSD_NON_NEGATIVE_INTEGER = "http://www.w3.org/2001/XMLSchema#", "nonNegativeInteger";
    /// `owl:versionInfo`.
    OWL_VERSION_INFO = "http://www.w3.org/2002/07/owl#", "versionInfo";

    /// `dcat:Catalog`.
    DCAT_CATALOG = "http://www.w3.org/ns/dcat#", "Catalog";
    /// `dcat:Dataset`.
    DCAT_DATASET = "http://www.w3.org/ns/dcat#", "Dataset";
    /// `dcat:Distribution`.
    DCAT_DISTRIBUTION = "http://www.w3.org/ns/dcat#", "Distribution";
    /// `dcat:dataset`.
    DCAT_DATASET_P = "http://www.w3.org/ns/dcat#", "dataset";
    /// `dcat:distribution`.
    DCAT_DISTRIBUTION_P = "http://www.w3.org/ns/dcat#", "distribution";
    /// `dcat:accessURL`.
    DCAT_ACCESS_URL = "http://www.w3.org/ns/dcat#", "accessURL";
    /// `dcat:downloadURL`.
    DCAT_DOWNLOAD_URL = "http://www.w3.org/ns/dcat#", "downloadURL";
    /// `dcat:mediaType`.
    DCAT_MEDIA_TYPE = "http://www.w3.org/ns/dcat#", "mediaType";
    /// `dcat:contactPoint`.
    DCAT_CONTACT_POINT = "http://www.w3.org/ns/dcat#", "contactPoint";
    /// `dcat:keyword`.
    DCAT_KEYWORD = "http://www.w3.org/ns/dcat#", "keyword";
    /// `dcat:theme`.
    DCAT_THEME = "http://www.w3.org/ns/dcat#", "theme";
    /// `dcat:themeTaxonomy`.
    DCAT_THEME_TAXONOMY = "http://www.w3.org/ns/dcat#", "themeTaxonomy";
    /// `dcat:startDate`.
    DCAT_START_DATE = "http://www.w3.org/ns/dcat#", "startDate";
    /// `dcat:endDate`.
    DCAT_END_DATE = "http://www.w3.org/ns/dcat#", "endDate";
    /// `dcat:version`.
    DCAT_VERSION = "http://www.w3.org/ns/dcat#", "version";
    /// `dcat:landingPage`.
    DCAT_LANDING_PAGE = "http://www.w3.org/ns/dcat#", "landingPage";

    /// `dct:title`.
    DCT_TITLE = "http://purl.org/dc/terms/", "title";
    /// `dct:description`.
    DCT_DESCRIPTION = "http://purl.org/dc/terms/", "description";
    /// `dct:identifier`.
    DCT_IDENTIFIER = "http://purl.org/dc/terms/", "identifier";
    /// `dct:publisher`.
    DCT_PUBLISHER = "http://purl.org/dc/terms/", "publisher";
    /// `dct:accessRights`.
    DCT_ACCESS_RIGHTS = "http://purl.org/dc/terms/", "accessRights";
    /// `dct:license`.
    DCT_LICENSE = "http://purl.org/dc/terms/", "license";
    /// `dct:rights`.
    DCT_RIGHTS = "http://purl.org/dc/terms/", "rights";
    /// `dct:language`.
    DCT_LANGUAGE = "http://purl.org/dc/terms/", "language";
    /// `dct:format`.
    DCT_FORMAT = "http://purl.org/dc/terms/", "format";
    /// `dct:type`.
    DCT_TYPE = "http://purl.org/dc/terms/", "type";
    /// `dct:spatial`.
    DCT_SPATIAL = "http://purl.org/dc/terms/", "spatial";
    /// `dct:temporal`.
    DCT_TEMPORAL = "http://purl.org/dc/terms/", "temporal";
    /// `dct:accrualPeriodicity`.
    DCT_ACCRUAL_PERIODICITY = "http://purl.org/dc/terms/", "accrualPeriodicity";
    /// `dct:conformsTo`.
    DCT_CONFORMS_TO = "http://purl.org/dc/terms/", "conformsTo";
    /// `dct:provenance`.
    DCT_PROVENANCE = "http://purl.org/dc/terms/", "provenance";
    /// `dct:issued`.
    DCT_ISSUED = "http://purl.org/dc/terms/", "issued";
    /// `dct:modified`.
    DCT_MODIFIED = "http://purl.org/dc/terms/", "modified";
    /// `dct:relation`.
    DCT_RELATION = "http://purl.org/dc/terms/", "relation";
    /// `dct:RightsStatement`.
    DCT_RIGHTS_STATEMENT = "http://purl.org/dc/terms/", "RightsStatement";
    /// `dct:LicenseDocument`.
    DCT_LICENSE_DOCUMENT = "http://purl.org/dc/terms/", "LicenseDocument";
    /// `dct:LinguisticSystem`.
    DCT_LINGUISTIC_SYSTEM = "http://purl.org/dc/terms/", "LinguisticSystem";
    /// `dct:MediaTypeOrExtent`.
    DCT_MEDIA_TYPE_OR_EXTENT = "http://purl.org/dc/terms/", "MediaTypeOrExtent";
    /// `dct:MediaType`.
    DCT_MEDIA_TYPE = "http://purl.org/dc/terms/", "MediaType";
    /// `dct:Location`.
    DCT_LOCATION = "http://purl.org/dc/terms/", "Location";
    /// `dct:PeriodOfTime`.
    DCT_PERIOD_OF_TIME = "http://purl.org/dc/terms/", "PeriodOfTime";
    /// `dct:Frequency`.
    DCT_FREQUENCY = "http://purl.org/dc/terms/", "Frequency";
    /// `dct:Standard`.
    DCT_STANDARD = "http://purl.org/dc/terms/", "Standard";
    /// `dct:ProvenanceStatement`.
    DCT_PROVENANCE_STATEMENT = "http://purl.org/dc/terms/", "ProvenanceStatement";

    /// `dcatap:applicableLegislation`.
    DCATAP_APPLICABLE_LEGISLATION = "http://data.europa.eu/r5r/", "applicableLegislation";
    /// `eli:LegalResource`.
    ELI_LEGAL_RESOURCE = "http://data.europa.eu/eli/ontology#", "LegalResource";

    /// `foaf:Agent`.
    FOAF_AGENT = "http://xmlns.com/foaf/0.1/", "Agent";
    /// `foaf:Organization`.
    FOAF_ORGANIZATION = "http://xmlns.com/foaf/0.1/", "Organization";
    /// `foaf:Document`.
    FOAF_DOCUMENT = "http://xmlns.com/foaf/0.1/", "Document";
    /// `foaf:name`.
    FOAF_NAME = "http://xmlns.com/foaf/0.1/", "name";
    /// `foaf:homepage`.
    FOAF_HOMEPAGE = "http://xmlns.com/foaf/0.1/", "homepage";

    /// `vcard:Kind`.
    VCARD_KIND = "http://www.w3.org/2006/vcard/ns#", "Kind";
    /// `vcard:Organization`.
    VCARD_ORGANIZATION = "http://www.w3.org/2006/vcard/ns#", "Organization";
    /// `vcard:fn`.
    VCARD_FN = "http://www.w3.org/2006/vcard/ns#", "fn";
    /// `vcard:hasEmail`.
    VCARD_HAS_EMAIL = "http://www.w3.org/2006/vcard/ns#", "hasEmail";
    /// `vcard:hasURL`.
    VCARD_HAS_URL = "http://www.w3.org/2006/vcard/ns#", "hasURL";

    /// `cv:ContactPoint` (Core Vocabularies).
    CV_CONTACT_POINT_CLASS = "http://data.europa.eu/m8g/", "ContactPoint";
    /// `cv:contactPoint`.
    CV_CONTACT_POINT = "http://data.europa.eu/m8g/", "contactPoint";
    /// `cv:email`.
    CV_EMAIL = "http://data.europa.eu/m8g/", "email";
    /// `cv:contactPage`.
    CV_CONTACT_PAGE = "http://data.europa.eu/m8g/", "contactPage";

    /// `skos:Concept`.
    SKOS_CONCEPT = "http://www.w3.org/2004/02/skos/core#", "Concept";
    /// `skos:ConceptScheme`.
    SKOS_CONCEPT_SCHEME = "http://www.w3.org/2004/02/skos/core#", "ConceptScheme";
    /// `skos:inScheme`.
    SKOS_IN_SCHEME = "http://www.w3.org/2004/02/skos/core#", "inScheme";
    /// `skos:prefLabel`.
    SKOS_PREF_LABEL = "http://www.w3.org/2004/02/skos/core#", "prefLabel";

    /// `csvw:TableGroup`.
    CSVW_TABLE_GROUP = "http://www.w3.org/ns/csvw#", "TableGroup";
    /// `csvw:Table`.
    CSVW_TABLE_CLASS = "http://www.w3.org/ns/csvw#", "Table";
    /// `csvw:Column`.
    CSVW_COLUMN_CLASS = "http://www.w3.org/ns/csvw#", "Column";
    /// `csvw:table`.
    CSVW_TABLE = "http://www.w3.org/ns/csvw#", "table";
    /// `csvw:column`.
    CSVW_COLUMN = "http://www.w3.org/ns/csvw#", "column";
    /// `csvw:name`.
    CSVW_NAME = "http://www.w3.org/ns/csvw#", "name";
    /// `csvw:title`.
    CSVW_TITLE = "http://www.w3.org/ns/csvw#", "title";
    /// `csvw:datatype`.
    CSVW_DATATYPE = "http://www.w3.org/ns/csvw#", "datatype";

    /// `dpv:PersonalData`.
    DPV_PERSONAL_DATA = "https://w3id.org/dpv#", "PersonalData";
    /// `dpv:LegalBasis`.
    DPV_LEGAL_BASIS = "https://w3id.org/dpv#", "LegalBasis";
    /// `dpv:hasPersonalData`.
    DPV_HAS_PERSONAL_DATA = "https://w3id.org/dpv#", "hasPersonalData";
    /// `dpv:hasLegalBasis`.
    DPV_HAS_LEGAL_BASIS = "https://w3id.org/dpv#", "hasLegalBasis";

    /// `healthdcatap:healthCategory`.
    HEALTH_CATEGORY = "http://healthdataportal.eu/ns/health#", "healthCategory";
    /// `healthdcatap:hdab`.
    HEALTH_HDAB = "http://healthdataportal.eu/ns/health#", "hdab";
    /// `healthdcatap:hasCodingSystem`.
    HEALTH_HAS_CODING_SYSTEM = "http://healthdataportal.eu/ns/health#", "hasCodingSystem";
    /// `healthdcatap:hasStructuredData`.
    HEALTH_HAS_STRUCTURED_DATA = "http://healthdataportal.eu/ns/health#", "hasStructuredData";
    /// `healthdcatap:hasVariables`.
    HEALTH_HAS_VARIABLES = "http://healthdataportal.eu/ns/health#", "hasVariables";
    /// `healthdcatap:numberOfRecords`.
    HEALTH_NUMBER_OF_RECORDS = "http://healthdataportal.eu/ns/health#", "numberOfRecords";
    /// `healthdcatap:populationCoverage`.
    HEALTH_POPULATION_COVERAGE = "http://healthdataportal.eu/ns/health#", "populationCoverage";
    /// `healthdcatap:analytics`.
    HEALTH_ANALYTICS = "http://healthdataportal.eu/ns/health#", "analytics";
}

/// A controlled vocabulary (authority table): its scheme IRI and its concepts' base.
#[derive(Debug, Clone, Copy)]
pub struct Authority {
    /// The `skos:ConceptScheme`.
    pub scheme: &'static str,
    /// The class the concepts also belong to for DCAT-AP's range constraints, if any.
    pub class: Option<&'static str>,
}

impl Authority {
    /// The IRI of concept `code`.
    pub fn concept(self, code: &str) -> String {
        format!("{}/{code}", self.scheme)
    }
}

/// EU access rights (`PUBLIC`, `NON_PUBLIC`, `RESTRICTED`).
pub const ACCESS_RIGHT: Authority = Authority {
    scheme: "http://publications.europa.eu/resource/authority/access-right",
    class: Some(DCT_RIGHTS_STATEMENT),
};
/// EU languages (`SWE`, `ENG`).
pub const LANGUAGE: Authority = Authority {
    scheme: "http://publications.europa.eu/resource/authority/language",
    class: Some(DCT_LINGUISTIC_SYSTEM),
};
/// EU file types (`CSV`, `JSON`, `XLSX`).
pub const FILE_TYPE: Authority = Authority {
    scheme: "http://publications.europa.eu/resource/authority/file-type",
    class: Some(DCT_MEDIA_TYPE_OR_EXTENT),
};
/// EU frequencies (`MONTHLY`).
pub const FREQUENCY: Authority = Authority {
    scheme: "http://publications.europa.eu/resource/authority/frequency",
    class: Some(DCT_FREQUENCY),
};
/// EU data themes (`HEAL`).
pub const DATA_THEME: Authority = Authority {
    scheme: "http://publications.europa.eu/resource/authority/data-theme",
    class: None,
};
/// EU countries (`SWE`).
pub const COUNTRY: Authority = Authority {
    scheme: "http://publications.europa.eu/resource/authority/country",
    class: Some(DCT_LOCATION),
};
/// EU dataset types (`STATISTICAL`, `SYNTHETIC_DATA`).
pub const DATASET_TYPE: Authority = Authority {
    scheme: "http://publications.europa.eu/resource/authority/dataset-type",
    class: None,
};
/// ADMS publisher types (`RegionalAuthority`).
pub const PUBLISHER_TYPE: Authority = Authority {
    scheme: "http://purl.org/adms/publishertype",
    class: None,
};
/// ADMS licence types (`Attribution`, `PublicDomain`).
pub const LICENCE_TYPE: Authority = Authority {
    scheme: "http://purl.org/adms/licencetype",
    class: None,
};
/// HealthDCAT-AP health data categories (EHDS Art. 51: `EHRS`, `HRAD`, `NRPE`, `DIOH` …).
pub const HEALTH_CATEGORIES: Authority = Authority {
    scheme: "https://hdeu-dcat.data.health.europa.eu/resource/authority/healthcategories",
    class: None,
};
/// HealthDCAT-AP coding systems (`ICD-10-NAT`, `PROC-CODES-NAT`, `ATC` …).
pub const CODING_SYSTEM: Authority = Authority {
    scheme: "https://hdeu-dcat.data.health.europa.eu/resource/authority/coding-system",
    class: Some(DCT_STANDARD),
};

/// The ADMS schemes are versioned separately from their concepts' base.
pub fn scheme_of(a: Authority) -> &'static str {
    match a.scheme {
        "http://purl.org/adms/publishertype" => "http://purl.org/adms/publishertype/1.0",
        "http://purl.org/adms/licencetype" => "http://purl.org/adms/licencetype/1.0",
        s => s,
    }
}

/// The EHDS regulation, (EU) 2025/327.
pub const EHDS: &str = "http://data.europa.eu/eli/reg/2025/327/oj";
/// The GDPR, (EU) 2016/679.
pub const GDPR: &str = "http://data.europa.eu/eli/reg/2016/679/oj";
/// GDPR Art. 9(2)(h) (health care, management of health systems) as a DPV legal basis.
pub const GDPR_A9_2_H: &str = "https://w3id.org/dpv/legal/eu/gdpr#A9-2-h";
/// DPV personal-data category: health record.
pub const PD_HEALTH_RECORD: &str = "https://w3id.org/dpv/pd#HealthRecord";
/// Creative Commons Attribution 4.0 (the open data).
pub const CC_BY_4: &str = "http://creativecommons.org/licenses/by/4.0/";
/// CC0 1.0 (the catalogue's own metadata, as DCAT-AP-SE requires).
pub const CC0: &str = "http://creativecommons.org/publicdomain/zero/1.0/";
/// IANA media types.
pub const IANA_MEDIA_TYPES: &str = "http://www.iana.org/assignments/media-types/";
/// JSON-stat 2.0.
pub const JSON_STAT_2: &str = "https://json-stat.org/format/";

/// Swedish and English labels of the concepts the catalogue uses (the authority tables' own
/// labels where they have Swedish ones); another code is its own label.
pub fn concept_label(a: Authority, code: &str) -> (String, String) {
    let pair = match (a.scheme.rsplit('/').next().unwrap_or(""), code) {
        ("access-right", "PUBLIC") => ("offentlig", "public"),
        ("access-right", "NON_PUBLIC") => ("icke-offentlig", "non-public"),
        ("access-right", "RESTRICTED") => ("begränsad", "restricted"),
        ("language", "SWE") => ("svenska", "Swedish"),
        ("language", "ENG") => ("engelska", "English"),
        ("frequency", "MONTHLY") => ("varje månad", "monthly"),
        ("data-theme", "HEAL") => ("Hälsa", "Health"),
        ("country", "SWE") => ("Sverige", "Sweden"),
        ("dataset-type", "STATISTICAL") => ("Statistiska data", "Statistical data"),
        ("dataset-type", "SYNTHETIC_DATA") => ("Syntetiska data", "Synthetic data"),
        ("publishertype", "RegionalAuthority") => ("Regional myndighet", "Regional authority"),
        ("licencetype", "Attribution") => ("Erkännande", "Attribution"),
        ("licencetype", "PublicDomain") => ("Allmän egendom", "Public domain"),
        ("healthcategories", "EHRS") => (
            "Elektroniska hälsodata från patientjournaler",
            "Electronic health data from EHRs",
        ),
        ("healthcategories", "HRAD") => (
            "Administrativa uppgifter relaterade till hälso- och sjukvård",
            "Healthcare-related administrative data",
        ),
        ("healthcategories", "DIOH") => (
            "Faktorer som påverkar hälsan",
            "Factors impacting on health",
        ),
        ("healthcategories", "NRPE") => (
            "Aggregerade data om vårdbehov, resurser, vårdutbud och kostnader",
            "Aggregated data on healthcare needs, resources, provision and expenditure",
        ),
        ("coding-system", "ICD-10-NAT") => ("ICD-10-SE", "ICD-10-SE (national version of ICD-10)"),
        ("coding-system", "PROC-CODES-NAT") => (
            "KVÅ, klassifikation av vårdåtgärder",
            "KVÅ (Swedish national procedure codes)",
        ),
        ("coding-system", "ATC") => (
            "Anatomiskt, terapeutiskt och kemiskt klassifikationssystem",
            "Anatomical Therapeutic Chemical Classification System",
        ),
        _ => (code, code),
    };
    (pair.0.to_owned(), pair.1.to_owned())
}

/// The English title of a concept scheme.
pub fn scheme_title(a: Authority) -> &'static str {
    match a.scheme.rsplit('/').next().unwrap_or("") {
        "access-right" => "Access right",
        "language" => "Language",
        "file-type" => "File type",
        "frequency" => "Frequency",
        "data-theme" => "Data theme",
        "country" => "Country",
        "dataset-type" => "Dataset type",
        "publishertype" => "ADMS publisher type",
        "licencetype" => "ADMS licence type",
        "healthcategories" => "Health categories",
        "coding-system" => "Coding systems",
        _ => "Controlled vocabulary",
    }
}

//! The closed vocabularies of a case: each value has a stable code (what the catalogue, the API
//! and forms carry) and a Swedish and an English name (what people read).

/// A closed vocabulary with codes and names in both languages, serialised as its code.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = ($code:literal, $sv:literal, $en:literal)),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }

        impl $name {
            /// Every value, in the order forms list them.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stable code.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            /// The Swedish name.
            pub fn sv(self) -> &'static str {
                match self { $($name::$variant => $sv),+ }
            }
            /// The English name.
            pub fn en(self) -> &'static str {
                match self { $($name::$variant => $en),+ }
            }
            /// Parse a code.
            pub fn parse(code: &str) -> Option<$name> {
                $name::ALL.iter().copied().find(|v| v.code() == code)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<$name, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s).ok_or_else(|| {
                    let codes: Vec<&str> = $name::ALL.iter().map(|v| v.code()).collect();
                    serde::de::Error::custom(format!("{s:?}: välj / choose {}", codes.join(", ")))
                })
            }
        }
    };
}

vocabulary! {
    /// Where a need comes from (the regions' proposal: regions, the state, citizens and plans).
    RequesterKind {
        /// A region (its analysts, management or clinicians).
        Region = ("region", "Region", "Region"),
        /// A government agency.
        Agency = ("myndighet", "Myndighet", "Government agency"),
        /// A national programme area (NPO) or another part of the knowledge-management system.
        Npo = ("npo", "Nationellt programområde", "National programme area"),
        /// A researcher or research group.
        Research = ("forskning", "Forskning", "Research"),
        /// A citizen or a patient organisation.
        Citizen = ("medborgare", "Medborgare", "Citizen"),
        /// A plan: the hub's own activity plan or a joint regional plan.
        Plan = ("plan", "Verksamhetsplan", "Activity plan"),
    }
}

impl RequesterKind {
    /// Whether the requesting organisation may be shown in the public register: an
    /// organisation is not personal data, but a citizen's "organisation" would identify a person.
    pub fn organisation_is_public(self) -> bool {
        !matches!(self, RequesterKind::Citizen)
    }
}

vocabulary! {
    /// How soon the requester needs an answer.
    Urgency {
        /// Within the year.
        Low = ("lag", "Låg – inom året", "Low – within the year"),
        /// Within a few months.
        Normal = ("normal", "Normal – inom några månader", "Normal – within months"),
        /// Within weeks (a decision or an event depends on it).
        High = ("hog", "Hög – inom veckor", "High – within weeks"),
    }
}

vocabulary! {
    /// Where a case stands.
    CaseStatus {
        /// Filed, not yet triaged.
        Filed = ("inkommet", "Inkommet", "Filed"),
        /// Triaged by the centre: categorised, waiting for prioritisation.
        Triaged = ("sorterat", "Sorterat", "Triaged"),
        /// Scored on the three dimensions.
        Prioritised = ("prioriterat", "Prioriterat", "Prioritised"),
        /// Consequence assessment and risk analysis done: ready for a decision.
        Assessed = ("bedomt", "Konsekvens- och riskbedömt", "Assessed"),
        /// Accepted: the centre will answer it.
        Accepted = ("beviljat", "Beviljat", "Accepted"),
        /// On hold: decided to wait (capacity, data, a dependency), with a reason.
        OnHold = ("vilande", "Vilande", "On hold"),
        /// Closed with a reason and references; final.
        Closed = ("avslutat", "Avslutat", "Closed"),
    }
}

vocabulary! {
    /// What kind of work answers a case (set at triage).
    Category {
        /// A new or changed indicator.
        Indicator = ("indikator", "Indikator", "Indicator"),
        /// A patient-level analysis.
        Analysis = ("analys", "Analys", "Analysis"),
        /// A what-if scenario.
        Scenario = ("scenario", "Scenario", "Scenario"),
        /// Open data or a dashboard view.
        OpenData = ("oppna_data", "Öppna data", "Open data"),
        /// A new data collection or a change to one.
        Collection = ("datainsamling", "Datainsamling", "Data collection"),
        /// A release of microdata to a research project.
        Research = ("forskningsuttag", "Forskningsuttag", "Research release"),
        /// Anything else.
        Other = ("ovrigt", "Övrigt", "Other"),
    }
}

vocabulary! {
    /// The three dimensions a case is prioritised on (the regions' proposal).
    Dimension {
        /// Business value and strategic relevance.
        Value = ("nytta", "Verksamhetsnytta och strategisk relevans", "Business value and strategic relevance"),
        /// Complexity and feasibility (a high score: simple and feasible).
        Feasibility = ("genomforbarhet", "Komplexitet och genomförbarhet", "Complexity and feasibility"),
        /// Regulatory conditions (a high score: clear legal ground, no personal data needed).
        Regulatory = ("regelverk", "Regulatoriska förutsättningar", "Regulatory conditions"),
    }
}

vocabulary! {
    /// The hub's technical components a case touches (consequence assessment).
    Component {
        /// Ingest and a data collection's specification.
        Collection = ("insamling", "Insamling och specifikation", "Collection and specification"),
        /// An indicator recipe.
        IndicatorRecipe = ("indikatorrecept", "Indikatorrecept", "Indicator recipe"),
        /// An analysis recipe.
        AnalysisRecipe = ("analysrecept", "Analysrecept", "Analysis recipe"),
        /// A what-if scenario.
        Scenario = ("scenario", "Scenario", "Scenario"),
        /// The open API, downloads and PxWeb.
        OpenData = ("oppna_data", "Öppna data och API", "Open data and API"),
        /// The dashboard.
        Dashboard = ("dashboard", "Webbsidor och diagram", "Dashboard"),
        /// Research releases.
        Release = ("forskningsuttag", "Forskningsuttag", "Research releases"),
    }
}

vocabulary! {
    /// A risk's kind (risk analysis).
    RiskKind {
        /// Privacy and disclosure of individuals.
        Privacy = ("integritet", "Integritet och röjande", "Privacy and disclosure"),
        /// Legal ground and agreements.
        Legal = ("juridik", "Juridik och avtal", "Legal and agreements"),
        /// Data quality and interpretation.
        Quality = ("kvalitet", "Datakvalitet och tolkning", "Data quality and interpretation"),
        /// Resources, competence and time.
        Resources = ("resurser", "Resurser och kompetens", "Resources and competence"),
        /// Technology and operation.
        Technical = ("teknik", "Teknik och drift", "Technology and operation"),
    }
}

vocabulary! {
    /// A decision's outcome.
    Outcome {
        /// Accepted: the centre answers the case.
        Accepted = ("beviljat", "Beviljat", "Accepted"),
        /// On hold, with a reason.
        OnHold = ("vilande", "Vilande", "On hold"),
        /// Closed, with a reason and references to earlier work or alternatives.
        Closed = ("avslutat", "Avslutat", "Closed"),
    }
}

vocabulary! {
    /// What a case is linked to: the indicators, analyses or scenarios that answer it, earlier
    /// cases, or an outside source that does.
    LinkKind {
        /// An indicator recipe (its id).
        Indicator = ("indikator", "Indikator", "Indicator"),
        /// An analysis recipe (its id).
        Analysis = ("analys", "Analys", "Analysis"),
        /// A scenario (its id).
        Scenario = ("scenario", "Scenario", "Scenario"),
        /// An earlier case (its id).
        Case = ("arende", "Ärende", "Case"),
        /// A public web page elsewhere (an https address).
        External = ("extern", "Extern källa", "External source"),
    }
}

vocabulary! {
    /// Who acts on a case: the case roles of the hub's users.
    CaseRole {
        /// Files needs and follows their own cases (any logged-in user).
        Requester = ("requester", "Beställare", "Requester"),
        /// Centre staff: triage, prioritisation, assessments, links.
        Staff = ("centre", "Kompetenscentrets handläggare", "Centre staff"),
        /// Decides: accept, hold, close.
        DecisionMaker = ("decider", "Beslutsfattare", "Decision-maker"),
        /// Administrator: everything.
        Admin = ("admin", "Administratör", "Administrator"),
    }
}

impl CaseRole {
    /// May triage, prioritise, assess and link cases.
    pub fn may_handle(self) -> bool {
        matches!(self, CaseRole::Staff | CaseRole::Admin)
    }
    /// May decide cases.
    pub fn may_decide(self) -> bool {
        matches!(self, CaseRole::DecisionMaker | CaseRole::Admin)
    }
    /// May see every case with its requester's contact details.
    pub fn sees_all(self) -> bool {
        !matches!(self, CaseRole::Requester)
    }
}

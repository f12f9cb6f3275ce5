//! The case page's step forms: each posts `application/x-www-form-urlencoded` fields to
//! `/arenden/{id}/{step}`, which are read into the operation's form (the same the API takes as
//! JSON) and handed to the same library operation. A refused step shows the case page again
//! with the reason; a done step goes back to the case page (post/redirect/get).

use super::{see_other, show};
use crate::auth::Caller;
use crate::i18n::Lang;
use crate::routes::cases::{actor, problem};
use crate::state::AppState;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use vardhub_ops::cases::{
    self as ops, AssessmentForm, CaseOpError, DecisionForm, LinkForm, PriorityForm, RiskForm,
    TriageForm,
};

/// The risk rows an assessment form offers.
pub const RISK_ROWS: usize = 3;

/// The posted fields.
struct Fields(Vec<(String, String)>);

impl Fields {
    fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
    fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
    fn number<T: std::str::FromStr>(&self, name: &str) -> Result<T, CaseOpError> {
        self.get(name)
            .trim()
            .parse()
            .map_err(|_| CaseOpError::Invalid {
                field: name.to_owned(),
                message: "ange ett heltal / enter a whole number".into(),
            })
    }
}

fn priority(f: &Fields) -> Result<PriorityForm, CaseOpError> {
    Ok(PriorityForm {
        value: f.number("value")?,
        value_motivation: f.get("value_motivation"),
        feasibility: f.number("feasibility")?,
        feasibility_motivation: f.get("feasibility_motivation"),
        regulatory: f.number("regulatory")?,
        regulatory_motivation: f.get("regulatory_motivation"),
    })
}

fn assessment(f: &Fields) -> Result<AssessmentForm, CaseOpError> {
    let mut risks = Vec::new();
    for i in 1..=RISK_ROWS {
        let key = |k: &str| format!("risk{i}_{k}");
        if f.get(&key("description")).trim().is_empty() {
            continue;
        }
        risks.push(RiskForm {
            kind: f.get(&key("kind")),
            description: f.get(&key("description")),
            likelihood: f.number(&key("likelihood"))?,
            impact: f.number(&key("impact"))?,
            mitigation: f.get(&key("mitigation")),
        });
    }
    Ok(AssessmentForm {
        governance: f.get("governance"),
        components: f.all("components"),
        data_needed: f.get("data_needed"),
        competence: f.get("competence"),
        effort_hours: f.number("effort_hours")?,
        risks,
    })
}

/// `POST /arenden/{id}/{step}` with step `sortering`, `prioritering`, `bedomning`,
/// `kopplingar`, `beslut` or `tid` (handling time).
pub async fn step(
    State(state): State<AppState>,
    caller: Caller,
    lang: Lang,
    uri: Uri,
    Path((id, step)): Path<(String, String)>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let Some(a) = actor(&caller) else {
        return super::to_login(&format!("/arenden/{id}"));
    };
    let f = Fields(fields);
    let hub = state.hub();
    let defs = state.definitions();
    let done = match step.as_str() {
        "sortering" => {
            let form = TriageForm {
                category: f.get("category"),
                note: f.get("note"),
            };
            ops::triage(hub, &id, &a, &form).await
        }
        "prioritering" => match priority(&f) {
            Ok(form) => ops::prioritise(hub, &id, &a, &form).await,
            Err(e) => Err(e),
        },
        "bedomning" => match assessment(&f) {
            Ok(form) => ops::assess(hub, &id, &a, &form).await,
            Err(e) => Err(e),
        },
        "kopplingar" => match LinkForm::lines(&f.get("links")) {
            Ok(links) => ops::add_links(hub, &defs, &id, &a, &links).await,
            Err(e) => Err(e),
        },
        "beslut" => match LinkForm::lines(&f.get("references")) {
            Ok(references) => {
                let form = DecisionForm {
                    outcome: f.get("outcome"),
                    motivation: f.get("motivation"),
                    references,
                };
                ops::decide(hub, &defs, &id, &a, &form).await
            }
            Err(e) => Err(e),
        },
        "tid" => {
            let today = vardhub_store::log_review::swedish_local(vardhub_store::now_utc()).date();
            match ops::record_time(hub, &id, &a, &f.get("hours"), &f.get("activity"), today).await {
                Ok(_) => return see_other(&format!("/arenden/{id}?lang={}#tid", lang.code())),
                Err(e) => Err(e),
            }
        }
        _ => return super::super::not_found_page(lang),
    };
    match done {
        Ok(case) => see_other(&format!("/arenden/{}?lang={}#{step}", case.id, lang.code())),
        Err(CaseOpError::Store(e)) => problem(CaseOpError::Store(e)).into_response(),
        Err(CaseOpError::UnknownCase(_)) => super::super::not_found_page(lang),
        Err(e) => {
            let status = problem_status(&e);
            let page: Uri = format!("/arenden/{id}").parse().unwrap_or(uri);
            show(
                &state,
                &caller,
                lang,
                &page,
                &id,
                status,
                Some(e.to_string()),
            )
            .await
        }
    }
}

fn problem_status(e: &CaseOpError) -> StatusCode {
    StatusCode::from_u16(problem_of(e)).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY)
}

fn problem_of(e: &CaseOpError) -> u16 {
    use vardhub_domain::case::CaseError;
    match e {
        CaseOpError::Refused(CaseError::Forbidden { .. }) => 403,
        CaseOpError::Refused(CaseError::WrongStage { .. }) => 409,
        _ => 422,
    }
}

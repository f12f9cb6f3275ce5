//! `vardhub analyses`: list the analysis recipes and run one (stored as a run of kind analysis;
//! what is printed is what the public may see under the disclosure policy).

use crate::say;
use anyhow::Context;
use std::process::ExitCode;
use vardhub_engine::analysis::{self, PublicChain};
use vardhub_engine::disclosure::DisclosurePolicy;
use vardhub_store::Hub;

/// Print the analysis recipes.
pub fn list() -> ExitCode {
    for (id, r) in analysis::builtin() {
        say(format_args!(
            "{id:<28} {} / {} ({} steg / steps, länkning / linkage {:?})",
            r.spec.title_sv,
            r.spec.title_en,
            r.steps().len(),
            r.spec.linkage
        ));
    }
    ExitCode::SUCCESS
}

fn pct(x: f64) -> String {
    format!("{:.1}", 100.0 * x).replace('.', ",")
}

fn days(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.1}").replace('.', ",")
    } else {
        "∞".into()
    }
}

fn print(recipe: &analysis::AnalysisRecipe, p: &PublicChain) {
    let name = |id: &str| {
        recipe
            .steps()
            .iter()
            .find(|s| s.id == id)
            .map_or(id.to_owned(), |s| s.name_sv.clone())
    };
    say(format_args!(
        "{} – region {} – horisont / horizon {} dagar – patienter / patients: {}",
        recipe.spec.title_sv,
        p.region,
        recipe.spec.cohort.horizon_days,
        p.patients
            .value
            .map_or("dolt / hidden".into(), |v| v.to_string())
    ));
    say(format_args!(
        "{:<26} {:>22} {:>22} {:>26}",
        "steg / step", "inom 30 d, % (95 % KI)", "inom horisonten, %", "median dagar (95 % KI)"
    ));
    for s in &p.steps {
        let share = s.share.map_or("dold / hidden".into(), |c| {
            format!("{} ({}–{})", pct(c.share), pct(c.lower), pct(c.upper))
        });
        let median = s
            .quantiles
            .iter()
            .find(|q| q.p == 0.5)
            .map_or("dold / hidden".into(), |q| {
                format!("{} ({}–{})", days(q.days), days(q.lower), days(q.upper))
            });
        let by_30 = s.by_day_30.map_or("–".into(), |c| {
            format!("{} ({}–{})", pct(c.share), pct(c.lower), pct(c.upper))
        });
        say(format_args!(
            "{:<26} {by_30:>22} {share:>22} {median:>26}",
            name(&s.id)
        ));
    }
    say(format_args!(
        "* bland dem som når steget, från inskrivningen / among those reaching the step, from admission"
    ));
    say(format_args!("vanligaste vägarna / most common paths:"));
    for (path, n) in p.paths.iter().take(8) {
        let steps: Vec<String> = path.iter().map(|id| name(id)).collect();
        say(format_args!("  {n:>6}  {}", steps.join(" → ")));
    }
    say(format_args!(
        "  {:>6}  övriga vägar / other paths",
        p.other_paths.value.map_or("dolt".into(), |v| v.to_string())
    ));
    if let Some(c) = p.cost {
        say(format_args!(
            "kostnad per patient inom horisonten / cost per patient over the horizon: {} kr (95 % KI {}–{}; {} patienter)",
            c.total.round(),
            c.lower.round(),
            c.upper.round(),
            c.patients
        ));
        let shares: Vec<String> = c
            .concentration
            .iter()
            .map(|g| {
                format!(
                    "{} %: {}",
                    (g.top * 100.0).round(),
                    g.share
                        .map_or("dold / hidden".into(), |s| format!("{} %", pct(s)))
                )
            })
            .collect();
        say(format_args!(
            "andel av kostnaden för de dyraste patienterna / cost share of the costliest patients: {}",
            shares.join(", ")
        ));
    }
    say(format_args!(
        "röjandekontroll / disclosure control: {}",
        p.policy
    ));
}

/// Run analysis `id`, store it and print the public view of `region` (default: all regions).
pub async fn run(
    hub: &Hub,
    policy: &DisclosurePolicy,
    id: &str,
    region: Option<&str>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let recipes = analysis::builtin();
    let recipe = recipes
        .get(id)
        .ok_or_else(|| vardhub_ops::OpsError::UnknownAnalysis(id.to_owned()))?;
    let actor = std::env::var("USER").unwrap_or_else(|_| "cli".into());
    let stored = vardhub_ops::analyses::run_and_store(hub, recipe, policy, &actor)
        .await
        .context("analys / analysis")?;
    let wanted = region.unwrap_or("00");
    let Some(view) = stored.public.iter().find(|p| p.region == wanted) else {
        say(format_args!(
            "region {wanted} har inga patienter i kohorten / has no patients in the cohort"
        ));
        return Ok(ExitCode::SUCCESS);
    };
    if json {
        say(format_args!("{}", serde_json::to_string_pretty(view)?));
    } else {
        print(recipe, view);
        say(format_args!(
            "körning / run {} (typ analys, publiceras inte / kind analysis, not published) på / in {:.1} s",
            stored.run.id, stored.seconds
        ));
    }
    Ok(ExitCode::SUCCESS)
}

//! `vardhub analyses`: list the analysis recipes and run one (stored as a run of kind analysis;
//! what is printed is what the public may see under the disclosure policy).

use crate::say;
use anyhow::Context;
use std::process::ExitCode;
use vardhub_engine::analysis::{
    self, PublicBeforeAfter, PublicChain, PublicCostOverTime, PublicResult,
};
use vardhub_engine::definitions::Definitions;
use vardhub_store::Hub;

/// Print the analysis recipes.
pub fn list(defs: &Definitions) -> ExitCode {
    for (id, r) in defs.analyses() {
        say(format_args!(
            "{id:<28} {} / {} ({:?}, länkning / linkage {:?})",
            r.spec.title_sv, r.spec.title_en, r.spec.kind, r.spec.linkage
        ));
    }
    ExitCode::SUCCESS
}

fn kr(x: f64) -> String {
    let digits = format!("{:.0}", x.abs());
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push('\u{a0}');
        }
        out.push(c);
    }
    format!("{}{out}", if x < 0.0 { "−" } else { "" })
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

fn print(recipe: &analysis::AnalysisRecipe, p: &PublicResult) {
    match p {
        PublicResult::CareChain(c) => print_chain(recipe, c),
        PublicResult::CostOverTime(c) => print_cost(recipe, c),
        PublicResult::BeforeAfter(b) => print_before_after(recipe, b),
    }
}

fn print_cost(recipe: &analysis::AnalysisRecipe, p: &PublicCostOverTime) {
    say(format_args!(
        "{} – region {} – patienter / patients: {}",
        recipe.spec.title_sv,
        p.region,
        p.patients
            .value
            .map_or("dolt / hidden".into(), |v| v.to_string())
    ));
    say(format_args!(
        "{:>6} {:>10} {:>28} {:>10} {:>10} {:>10} {:>9}",
        "månad", "patienter", "kr per patient (95 % KI)", "SV kr", "OV kr", "PV kr", "kontakter"
    ));
    for m in &p.months {
        let n = m.patients.value.map_or("dolt".into(), |v| v.to_string());
        match &m.values {
            Some(v) => {
                let form = |f: &str| {
                    v.by_form
                        .iter()
                        .find(|x| x.form == f)
                        .map_or("–".into(), |x| kr(x.cost))
                };
                let ci = match (v.lower, v.upper) {
                    (Some(l), Some(u)) => format!("({}–{})", kr(l), kr(u)),
                    _ => String::new(),
                };
                say(format_args!(
                    "{:>6} {n:>10} {:>28} {:>10} {:>10} {:>10} {:>9}",
                    m.month,
                    format!("{} {ci}", kr(v.cost)),
                    form("SV"),
                    form("OV"),
                    form("PV"),
                    format!("{:.2}", v.contacts).replace('.', ",")
                ));
            }
            None => say(format_args!(
                "{:>6} {n:>10} {:>28}",
                m.month, "dolt / hidden"
            )),
        }
    }
    if let Some(a) = p.after {
        say(format_args!(
            "kostnad per patient efter / cost per patient after: {} kr (95 % KI {}–{}; {} patienter)",
            kr(a.mean),
            kr(a.lower),
            kr(a.upper),
            a.patients
        ));
        print_concentration(&a.concentration);
    }
    say(format_args!(
        "röjandekontroll / disclosure control: {}",
        p.policy
    ));
}

fn print_concentration(c: &[analysis::chain::Concentration; 3]) {
    let shares: Vec<String> = c
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

fn print_before_after(recipe: &analysis::AnalysisRecipe, p: &PublicBeforeAfter) {
    let c = |x: &vardhub_engine::analysis::disclose::PublicCount| {
        x.value.map_or("dolt / hidden".into(), |v| v.to_string())
    };
    say(format_args!(
        "{} – region {}
  i kohorten med hela fönster / eligible: {}, exponerade / exposed: {}, matchade / matched: {}, kontroller / controls: {}
  {}",
        recipe.spec.title_sv,
        p.region,
        c(&p.eligible),
        c(&p.exposed),
        c(&p.matched),
        c(&p.controls),
        p.method
    ));
    let group = |name: &str, g: Option<analysis::before_after::Group>| {
        if let Some(g) = g {
            let m = |x: Option<analysis::before_after::MeanCi>| {
                x.map_or("–".into(), |x| {
                    format!("{} ({}–{})", kr(x.value), kr(x.lower), kr(x.upper))
                })
            };
            say(format_args!(
                "  {name:<24} före / before {:>28}   efter / after {:>28}",
                m(g.before),
                m(g.after)
            ));
        }
    };
    group("exponerade / exposed", p.exposed_group);
    group("jämförelse / comparison", p.comparison_group);
    let effect = |name: &str, e: Option<analysis::before_after::EffectCi>| {
        say(format_args!(
            "  {name:<44} {}",
            e.map_or("dold / hidden".into(), |e| format!(
                "{} kr per patient (95 % KI {} – {})",
                kr(e.estimate),
                kr(e.lower),
                kr(e.upper)
            ))
        ));
    };
    effect("naiv före/efter / naive before/after", p.naive);
    effect("skillnad-i-skillnader / difference-in-differences", p.did);
    for b in &p.balance {
        say(format_args!(
            "  balans / balance {:<14} {:>12.1} {:>12.1}  SMD {}",
            b.variable,
            b.exposed,
            b.comparison,
            b.smd.map_or("–".into(), |s| format!("{s:.2}"))
        ));
    }
    say(format_args!(
        "röjandekontroll / disclosure control: {}",
        p.policy
    ));
}

fn print_chain(recipe: &analysis::AnalysisRecipe, p: &PublicChain) {
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
        recipe.horizon_days(),
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
    let zero = match recipe.spec.cohort.time_zero {
        analysis::recipe::TimeZero::Admission => "från inskrivningen / from admission",
        analysis::recipe::TimeZero::Discharge => "från utskrivningen / from discharge",
    };
    say(format_args!(
        "* bland dem som når steget, {zero} / among those reaching the step"
    ));
    say(format_args!("vanligaste vägarna / most common paths:"));
    for (path, n) in p.paths.iter().take(8) {
        let steps: Vec<String> = path.iter().map(|id| name(id)).collect();
        let steps = if steps.is_empty() {
            "inget av stegen / none of the steps".to_owned()
        } else {
            steps.join(" → ")
        };
        say(format_args!("  {n:>6}  {steps}"));
    }
    say(format_args!(
        "  {:>6}  övriga vägar / other paths",
        p.other_paths.value.map_or("dolt".into(), |v| v.to_string())
    ));
    if let Some(c) = p.cost {
        say(format_args!(
            "kostnad per patient inom horisonten / cost per patient over the horizon: {} kr (95 % KI {}–{}; {} patienter)",
            kr(c.total),
            kr(c.lower),
            kr(c.upper),
            c.patients
        ));
        print_concentration(&c.concentration);
    }
    say(format_args!(
        "röjandekontroll / disclosure control: {}",
        p.policy
    ));
}

/// Run and store every analysis recipe, one line each (patients, run time); a recipe the policy
/// does not allow is reported and skipped.
pub async fn run_all(hub: &Hub, defs: &Definitions) -> anyhow::Result<()> {
    for (id, recipe) in defs.analyses() {
        match vardhub_ops::analyses::run_and_store(hub, recipe, defs.policy(), "demo").await {
            Ok(stored) => say(format_args!(
                "   {id:<28} {:>7} patienter / patients på / in {:.1} s",
                stored.results.first().map_or(0, |r| r.patients()),
                stored.seconds
            )),
            Err(vardhub_ops::OpsError::Analysis(e)) => say(format_args!("   {id:<28} {e}")),
            Err(e) => return Err(e).context("analys / analysis"),
        }
    }
    Ok(())
}

/// Run analysis `id`, store it and print the public view of `region` (default: all regions).
pub async fn run(
    hub: &Hub,
    defs: &Definitions,
    id: &str,
    region: Option<&str>,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let policy = defs.policy();
    let recipe = defs
        .analyses()
        .get(id)
        .ok_or_else(|| vardhub_ops::OpsError::UnknownAnalysis(id.to_owned()))?;
    let actor = std::env::var("USER").unwrap_or_else(|_| "cli".into());
    let stored = vardhub_ops::analyses::run_and_store(hub, recipe, policy, &actor)
        .await
        .context("analys / analysis")?;
    let wanted = region.unwrap_or("00");
    let Some(view) = stored.public.iter().find(|p| p.region() == wanted) else {
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

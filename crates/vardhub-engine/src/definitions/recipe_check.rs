//! Checking one indicator recipe against the specifications of a definitions folder: syntax,
//! fields, the source collection and version, the variables and codes its building block uses,
//! unit / interval / target / direction consistency and the block's parameters.

use super::finding::{Finding, Mistake, from_toml_error, line_at, line_of};
use crate::indicator::spec::{
    CiMethod, ContactFilter, Definition, IndicatorSpec, Measure, Recipe, Standardisation, Unit,
    recipe_hash,
};
use vardhub_domain::spec::{CodeSystem, CollectionSpec, Variable};
use vardhub_domain::{IcdCode, KvaCode, SpecSet};

/// Findings for one recipe file (`file` relative to the folder, e.g. `indicators/x.toml`), and
/// the recipe when it has none.
pub fn check_recipe(file: &str, text: &str, specs: &SpecSet) -> (Option<Recipe>, Vec<Finding>) {
    let mut out = Findings {
        file,
        text,
        list: Vec::new(),
    };
    if let Err(e) = toml::from_str::<toml::Table>(text) {
        let line = e.span().map(|s| line_at(text, s.start));
        out.push_at(line, None, Mistake::Syntax, e.message().trim().to_owned());
        return (None, out.list);
    }
    let spec: IndicatorSpec = match toml::from_str(text) {
        Ok(s) => s,
        Err(e) => {
            out.list
                .push(from_toml_error(file, text, &e, Mistake::InvalidValue));
            return (None, out.list);
        }
    };
    let name = file.rsplit('/').next().unwrap_or(file);
    if format!("{}.toml", spec.id) != name {
        out.push(
            "",
            "id",
            Mistake::FileName,
            format!(
                "filen ska heta {}.toml efter sitt id / the file must be named after its id",
                spec.id
            ),
        );
    }
    texts(&spec, &mut out);
    let source = source_spec(&spec, specs, &mut out);
    if let Some(source) = source {
        variables_and_codes(&spec.definition, source, &mut out);
    }
    unit_and_block(&spec, &mut out);
    block_parameters(&spec.definition, &mut out);
    for (field, message) in spec.dimensions.mistakes(&spec.definition) {
        out.push("dimensions", field, Mistake::Dimensions, message);
    }
    if out.list.is_empty() {
        let hash = recipe_hash(text);
        let recipe = Recipe {
            spec,
            hash,
            file: name.to_owned(),
        };
        return (Some(recipe), out.list);
    }
    (None, out.list)
}

struct Findings<'a> {
    file: &'a str,
    text: &'a str,
    list: Vec<Finding>,
}

impl Findings<'_> {
    fn push_at(&mut self, line: Option<usize>, field: Option<String>, kind: Mistake, m: String) {
        self.list.push(Finding {
            file: self.file.to_owned(),
            line,
            field,
            kind,
            message: m,
        });
    }

    /// A finding on `key` in TOML section `section` (`""` = top level); the field path is
    /// `section.key`.
    fn push(&mut self, section: &str, key: &str, kind: Mistake, message: String) {
        let line = line_of(self.text, Some(section), key).or_else(|| line_of(self.text, None, key));
        let field = if section.is_empty() {
            key.to_owned()
        } else {
            format!("{section}.{key}")
        };
        self.push_at(line, Some(field), kind, message);
    }
}

fn texts(spec: &IndicatorSpec, out: &mut Findings) {
    for (key, t) in [
        ("title", &spec.title),
        ("description", &spec.description),
        ("numerator", &spec.numerator),
        ("denominator", &spec.denominator),
    ] {
        if t.sv.trim().is_empty() || t.en.trim().is_empty() {
            out.push(
                "",
                key,
                Mistake::MissingText,
                "både svensk (sv) och engelsk (en) text behövs / both Swedish and English text are needed".into(),
            );
        }
    }
    if let Some(t) = &spec.target
        && (t.sv.trim().is_empty() || t.en.trim().is_empty())
    {
        out.push(
            "",
            "target",
            Mistake::MissingText,
            "målnivån behöver en källa på svenska och engelska / the target needs its source in Swedish and English".into(),
        );
    }
}

fn source_spec<'s>(
    spec: &IndicatorSpec,
    specs: &'s SpecSet,
    out: &mut Findings,
) -> Option<&'s CollectionSpec> {
    if specs.versions(&spec.source).is_empty() {
        let known: Vec<&str> = specs.ids().collect();
        out.push(
            "",
            "source",
            Mistake::UnknownSource,
            format!(
                "datamängden {:?} finns inte i katalogen (finns: {}) / unknown collection",
                spec.source,
                known.join(", ")
            ),
        );
        return None;
    }
    match &spec.source_version {
        None => specs.newest(&spec.source),
        Some(v) => {
            let found = specs.get(&spec.source, v);
            if found.is_none() {
                let versions: Vec<&str> = specs
                    .versions(&spec.source)
                    .iter()
                    .map(|s| s.version.as_str())
                    .collect();
                out.push(
                    "",
                    "source_version",
                    Mistake::UnknownSourceVersion,
                    format!(
                        "{} har ingen version {v} (finns: {}) / no such specification version",
                        spec.source,
                        versions.join(", ")
                    ),
                );
            }
            found
        }
    }
}

/// The spec's variable called `name`, in any table.
fn variable<'s>(source: &'s CollectionSpec, name: &str) -> Option<&'s Variable> {
    source.tables.iter().find_map(|t| t.variable(name))
}

/// The spec's first variable coded in `system`.
fn coded_in(source: &CollectionSpec, system: CodeSystem) -> Option<&Variable> {
    source
        .tables
        .iter()
        .flat_map(|t| &t.variables)
        .find(|v| v.code_system == Some(system))
}

/// What a building block reads: (recipe field, the variable, its codes).
enum Use<'a> {
    /// A variable by name, with codes that must be among its allowed values (or valid in its
    /// code system; ICD-10 codes as prefixes).
    Named(&'a str, &'a str, &'a [String]),
    /// Codes of a code system (e.g. KVÅ procedure codes), in whatever variable carries them.
    System(&'a str, CodeSystem, &'a [String]),
}

fn population_uses<'a>(p: &'a ContactFilter, uses: &mut Vec<Use<'a>>) {
    uses.push(Use::Named("population.vardform", "vardform", &p.vardform));
    uses.push(Use::Named("population.hdia", "hdia", &p.hdia));
    if p.planerad.is_some() {
        uses.push(Use::Named("population.planerad", "planerad", &[]));
    }
}

fn uses(def: &Definition) -> Vec<Use<'_>> {
    let mut uses = Vec::new();
    match def {
        Definition::EventWithin {
            population,
            event_codes,
            ..
        } => {
            population_uses(population, &mut uses);
            uses.push(Use::System("event_codes", CodeSystem::Kva, event_codes));
        }
        Definition::DeathWithin { population, .. }
        | Definition::ReadmissionWithin { population, .. }
        | Definition::MeanLengthOfStay { population }
        | Definition::CostPerDrgPoint { population, .. }
        | Definition::PerInhabitants { population, .. } => population_uses(population, &mut uses),
        Definition::WaitingWithin {
            vantetyp,
            status,
            exclude,
            ..
        } => {
            uses.push(Use::Named("vantetyp", "vantetyp", vantetyp.as_slice_ref()));
            uses.push(Use::Named("status", "status", std::slice::from_ref(status)));
            uses.push(Use::Named("exclude", "avvikelseorsak", exclude));
        }
        Definition::BedsPer100 {
            column,
            vardinriktning,
        } => {
            uses.push(Use::Named("column", column, &[]));
            uses.push(Use::Named(
                "vardinriktning",
                "vardinriktning",
                std::slice::from_ref(vardinriktning),
            ));
        }
        Definition::ProcedureShare {
            denominator_codes,
            numerator_codes,
        } => {
            uses.push(Use::System(
                "denominator_codes",
                CodeSystem::Kva,
                denominator_codes,
            ));
            uses.push(Use::System(
                "numerator_codes",
                CodeSystem::Kva,
                numerator_codes,
            ));
        }
        Definition::Sql { .. } => {}
    }
    uses
}

trait AsSliceRef {
    fn as_slice_ref(&self) -> &[String];
}

impl AsSliceRef for Option<String> {
    fn as_slice_ref(&self) -> &[String] {
        self.as_ref().map_or(&[], std::slice::from_ref)
    }
}

/// Split `population.hdia` into the TOML section and key used to find its line.
fn located(field: &str) -> (String, &str) {
    match field.rsplit_once('.') {
        Some((_, key)) => ("definition".to_owned(), key),
        None => ("definition".to_owned(), field),
    }
}

fn variables_and_codes(def: &Definition, source: &CollectionSpec, out: &mut Findings) {
    let at = format!("{} {}", source.id, source.version);
    for u in uses(def) {
        let (field, var, codes, system) = match u {
            Use::Named(field, name, codes) => match variable(source, name) {
                Some(v) => (field, v, codes, v.code_system),
                None => {
                    let (section, key) = located(field);
                    out.push(
                        &section,
                        key,
                        Mistake::UnknownVariable,
                        format!(
                            "variabeln {name:?} finns inte i {at} / the variable is not in this specification version"
                        ),
                    );
                    continue;
                }
            },
            Use::System(field, system, codes) => match coded_in(source, system) {
                Some(v) => (field, v, codes, Some(system)),
                None => {
                    let (section, key) = located(field);
                    out.push(
                        &section,
                        key,
                        Mistake::UnknownVariable,
                        format!(
                            "{at} har ingen variabel med {}-koder / no variable of this code system",
                            system.name()
                        ),
                    );
                    continue;
                }
            },
        };
        for code in codes {
            if let Some(why) = code_problem(var, system, code) {
                let (section, key) = located(field);
                out.push(
                    &section,
                    key,
                    Mistake::UnknownCode,
                    format!("{code:?}: {why} ({} i {at})", var.name),
                );
            }
        }
    }
}

/// Why `code` is not a value of `var`, if it is not.
fn code_problem(var: &Variable, system: Option<CodeSystem>, code: &str) -> Option<String> {
    if !var.allowed.is_empty() {
        if var.allowed_value(code).is_some() {
            return None;
        }
        let allowed: Vec<&str> = var.allowed.iter().map(|a| a.code.as_str()).collect();
        return Some(format!(
            "inte bland de tillåtna värdena {} / not an allowed value",
            allowed.join(", ")
        ));
    }
    match system {
        Some(CodeSystem::Icd10se) => match IcdCode::parse(code) {
            Ok(c) if c.is_known() => None,
            Ok(_) => {
                Some("ingen sådan ICD-10-SE-kod eller kategori / no such ICD-10-SE code".into())
            }
            Err(_) => {
                Some("inte en ICD-10-SE-kod (t.ex. I21 eller S720) / not an ICD-10-SE code".into())
            }
        },
        Some(CodeSystem::Kva) => KvaCode::parse(code)
            .err()
            .map(|_| "inte en KVÅ-kod (t.ex. NFB02) / not a KVÅ code".into()),
        _ => None,
    }
}

/// The unit a building block produces, if it fixes one.
fn units_of(def: &Definition) -> Option<&'static [Unit]> {
    Some(match def {
        Definition::EventWithin { .. }
        | Definition::DeathWithin { .. }
        | Definition::ReadmissionWithin { .. }
        | Definition::WaitingWithin { .. }
        | Definition::ProcedureShare { .. } => &[Unit::Proportion],
        Definition::BedsPer100 { .. } => &[Unit::Per100],
        Definition::MeanLengthOfStay { .. } => &[Unit::Mean],
        Definition::CostPerDrgPoint { .. } => &[Unit::Ratio],
        Definition::PerInhabitants {
            measure: Measure::Count,
            ..
        } => &[Unit::Per1000, Unit::Per100000, Unit::Per100],
        Definition::PerInhabitants {
            measure: Measure::Cost,
            ..
        } => &[Unit::PerInhabitant],
        Definition::Sql { .. } => return None,
    })
}

fn unit_name(u: Unit) -> String {
    serde_json::to_value(u)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn unit_and_block(spec: &IndicatorSpec, out: &mut Findings) {
    if let Some(units) = units_of(&spec.definition)
        && !units.contains(&spec.unit)
    {
        let names: Vec<String> = units.iter().map(|u| unit_name(*u)).collect();
        out.push(
            "",
            "unit",
            Mistake::UnitMismatch,
            format!(
                "byggblocket {} ger {} / the building block gives this unit, not {}",
                spec.definition.block_name(),
                names.join(" eller "),
                unit_name(spec.unit)
            ),
        );
    }
    if spec.ci != CiMethod::None && spec.ci != spec.unit.crude_ci() {
        out.push(
            "",
            "ci",
            Mistake::UnitMismatch,
            format!(
                "intervallet för enheten {} är {:?} eller none / the interval follows the unit",
                unit_name(spec.unit),
                spec.unit.crude_ci()
            ),
        );
    }
    if let Some(t) = &spec.target {
        let ok = t.value.is_finite()
            && t.value >= 0.0
            && (spec.unit != Unit::Proportion || t.value <= 1.0);
        if !ok {
            out.push(
                "",
                "target",
                Mistake::TargetOutOfRange,
                format!(
                    "målnivån {} passar inte enheten {} (en andel skrivs 0–1) / the target does not fit the unit",
                    t.value,
                    unit_name(spec.unit)
                ),
            );
        }
    }
    match spec.standardisation {
        Standardisation::None => {}
        s => {
            if spec.reference_population.is_none() {
                out.push(
                    "",
                    "standardisation",
                    Mistake::Standardisation,
                    "en standardiserad indikator måste ange reference_population / a standardised indicator names its reference population".into(),
                );
            }
            if s == Standardisation::IndirectAgeSex && !spec.unit.counts_events() {
                out.push(
                    "",
                    "standardisation",
                    Mistake::Standardisation,
                    "indirekt standardisering kräver en indikator som räknar händelser / indirect standardisation needs counted events".into(),
                );
            }
        }
    }
}

fn block_parameters(def: &Definition, out: &mut Findings) {
    let mut bad = |key: &str, message: String| {
        out.push("definition", key, Mistake::BlockParameter, message);
    };
    match def {
        Definition::EventWithin { within_hours, .. } if !(1..=24 * 365).contains(within_hours) => {
            bad(
                "within_hours",
                format!("{within_hours} timmar: 1–8760 / hours must be 1–8760"),
            )
        }
        Definition::DeathWithin { days, .. } | Definition::ReadmissionWithin { days, .. }
            if !(1..=365).contains(days) =>
        {
            bad("days", format!("{days} dagar: 1–365 / days must be 1–365"))
        }
        Definition::WaitingWithin { days, .. } if !(1..=3650).contains(days) => bad(
            "days",
            format!("{days} dagar: 1–3650 / days must be 1–3650"),
        ),
        Definition::CostPerDrgPoint {
            exclude_top_share, ..
        } if !(0.0..0.5).contains(exclude_top_share) => bad(
            "exclude_top_share",
            format!(
                "{exclude_top_share}: en andel 0 ≤ x < 0,5 / a share of at least 0 and below 0.5"
            ),
        ),
        Definition::ProcedureShare {
            denominator_codes,
            numerator_codes,
        } => {
            if denominator_codes.is_empty() {
                bad(
                    "denominator_codes",
                    "minst en kod behövs / at least one code is needed".into(),
                );
            }
            let outside: Vec<&str> = numerator_codes
                .iter()
                .filter(|c| !denominator_codes.contains(c))
                .map(String::as_str)
                .collect();
            if !outside.is_empty() {
                bad(
                    "numerator_codes",
                    format!(
                        "täljarens koder {} finns inte i nämnarens / the numerator's codes must be among the denominator's",
                        outside.join(", ")
                    ),
                );
            }
        }
        Definition::Sql {
            query,
            numerator_scale,
            denominator_scale,
            ..
        } => {
            if *numerator_scale == 0 || *denominator_scale == 0 {
                bad(
                    "numerator_scale",
                    "en skala är minst 1 / a scale is at least 1".into(),
                );
            }
            if let Err(e) = parse_sql(query) {
                bad(
                    "query",
                    format!("SQL går inte att tolka / SQL does not parse: {e}"),
                );
            }
        }
        _ => {}
    }
}

/// Parse (not run) the SQL of an escape-hatch block.
fn parse_sql(query: &str) -> Result<(), String> {
    use datafusion::sql::sqlparser::{dialect::GenericDialect, parser::Parser};
    Parser::parse_sql(&GenericDialect {}, query)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

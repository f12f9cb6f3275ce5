//! Definitions as data: the collection specifications, indicator recipes and disclosure policy a
//! hub runs on, loaded at run time from a folder —
//!
//! ```text
//! DIR/specs/*.toml          collection specifications (several versions of one id may live side by side)
//! DIR/indicators/*.toml     indicator recipes (file name = id)
//! DIR/policies/disclosure.toml   the disclosure policy (optional: the built-in one otherwise)
//! DIR/fees/avgifter.toml    the fee model (optional: the built-in one otherwise; see [`fees`])
//! ```
//!
//! The repository's own `specs/`, `indicators/` and `policies/` folders are the built-in default
//! set ([`Definitions::builtin`]), embedded in the binary. [`check_dir`] validates a folder and
//! names file, line and field of every authoring mistake ([`Finding`]), so that an NPO analyst can
//! write a recipe without a developer.

pub mod fees;
mod finding;
mod recipe_check;

pub use fees::{FeeAmounts, FeeModel, UserFeePer};
pub use finding::{Finding, Mistake, line_at, line_of};
pub use recipe_check::check_recipe;

use crate::analysis::AnalysisRecipe;
use crate::disclosure::DisclosurePolicy;
use crate::indicator::Recipe;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use vardhub_domain::SpecSet;
use vardhub_domain::spec::CollectionSpec;

/// The definitions a hub runs on.
#[derive(Debug, Clone)]
pub struct Definitions {
    /// Where they come from.
    pub origin: Origin,
    specs: SpecSet,
    recipes: BTreeMap<String, Recipe>,
    analyses: BTreeMap<String, AnalysisRecipe>,
    policy: DisclosurePolicy,
    fees: FeeModel,
}

/// Where a set of definitions was loaded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Embedded in the binary (the repository's files).
    Builtin,
    /// A definitions folder.
    Folder(PathBuf),
}

/// A definitions folder that cannot be used: every finding, in file order.
#[derive(Debug, thiserror::Error)]
#[error("definitionskatalogen har {} fel / the definitions folder has {} mistakes:\n{}", .0.len(), .0.len(), render(.0))]
pub struct DefinitionsError(pub Vec<Finding>);

fn render(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("  {f}"))
        .collect::<Vec<_>>()
        .join("\n")
}

impl Definitions {
    /// The built-in set: the repository's specifications, recipes and policy.
    pub fn builtin() -> Definitions {
        Definitions {
            origin: Origin::Builtin,
            specs: SpecSet::builtin(),
            recipes: crate::indicator::builtin().clone(),
            analyses: crate::analysis::builtin(),
            policy: DisclosurePolicy::default_public(),
            fees: FeeModel::builtin(),
        }
    }

    /// Load a definitions folder; any finding refuses the whole folder.
    pub fn load(dir: &Path) -> Result<Definitions, DefinitionsError> {
        let (definitions, findings) = read_folder(dir);
        match definitions {
            Some(d) if findings.is_empty() => Ok(d),
            _ => Err(DefinitionsError(findings)),
        }
    }

    /// The same definitions with another disclosure policy.
    pub fn with_policy(mut self, policy: DisclosurePolicy) -> Definitions {
        self.policy = policy;
        self
    }

    /// The same definitions with recipes approved in a hub's catalogue, as `(file, text)`: each
    /// is checked against these specifications and replaces a recipe of the same id. A recipe
    /// that no longer checks (e.g. the folder's specification changed) is left out and
    /// returned as findings — never computed half-understood.
    pub fn with_approved(mut self, approved: &[(String, String)]) -> (Definitions, Vec<Finding>) {
        let mut findings = Vec::new();
        for (file, text) in approved {
            let (recipe, mut found) = check_recipe(file, text, &self.specs);
            findings.append(&mut found);
            if let Some(r) = recipe {
                self.recipes.insert(r.spec.id.clone(), r);
            }
        }
        (self, findings)
    }

    /// The collection specifications.
    pub fn specs(&self) -> &SpecSet {
        &self.specs
    }

    /// The indicator recipes by id.
    pub fn recipes(&self) -> &BTreeMap<String, Recipe> {
        &self.recipes
    }

    /// One recipe.
    pub fn recipe(&self, id: &str) -> Option<&Recipe> {
        self.recipes.get(id)
    }

    /// The analysis recipes by id (`analyses/*.toml`; a folder without them has none).
    pub fn analyses(&self) -> &BTreeMap<String, AnalysisRecipe> {
        &self.analyses
    }

    /// The disclosure policy.
    pub fn policy(&self) -> &DisclosurePolicy {
        &self.policy
    }

    /// The fee model for external users (`fees/avgifter.toml`).
    pub fn fees(&self) -> &FeeModel {
        &self.fees
    }
}

/// Check a definitions folder without loading it into a hub: every finding (empty = usable).
pub fn check_dir(dir: &Path) -> Vec<Finding> {
    read_folder(dir).1
}

fn folder_finding(file: &str, kind: Mistake, message: String) -> Finding {
    Finding {
        file: file.to_owned(),
        line: None,
        field: None,
        kind,
        message,
    }
}

/// The `*.toml` files of `dir/sub`, sorted, as (relative name, text); unreadable ones as findings.
fn toml_files(dir: &Path, sub: &str, findings: &mut Vec<Finding>) -> Vec<(String, String)> {
    let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().to_str().map(str::to_owned))
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    let mut out = Vec::new();
    for name in names {
        let rel = format!("{sub}/{name}");
        match std::fs::read_to_string(dir.join(sub).join(&name)) {
            Ok(text) => out.push((rel, text)),
            Err(e) => findings.push(folder_finding(
                &rel,
                Mistake::Folder,
                format!("kan inte läsas / cannot be read: {e}"),
            )),
        }
    }
    out
}

fn read_folder(dir: &Path) -> (Option<Definitions>, Vec<Finding>) {
    let mut findings = Vec::new();
    if !dir.is_dir() {
        findings.push(folder_finding(
            &dir.display().to_string(),
            Mistake::Folder,
            "ingen katalog / not a folder".into(),
        ));
        return (None, findings);
    }
    let specs = read_specs(dir, &mut findings);
    let mut recipes = BTreeMap::new();
    let recipe_files = toml_files(dir, "indicators", &mut findings);
    if recipe_files.is_empty() {
        findings.push(folder_finding(
            "indicators/",
            Mistake::Folder,
            "inga indikatorrecept (indicators/*.toml) / no indicator recipes".into(),
        ));
    }
    let mut first_file: BTreeMap<String, String> = BTreeMap::new();
    for (file, text) in &recipe_files {
        let (recipe, mut found) = check_recipe(file, text, &specs);
        findings.append(&mut found);
        if let Some(r) = recipe {
            if let Some(other) = first_file.get(&r.spec.id) {
                findings.push(Finding {
                    file: file.clone(),
                    line: line_of(text, Some(""), "id"),
                    field: Some("id".into()),
                    kind: Mistake::Duplicate,
                    message: format!(
                        "id {:?} finns redan i {other} / the id is defined twice",
                        r.spec.id
                    ),
                });
                continue;
            }
            first_file.insert(r.spec.id.clone(), file.clone());
            recipes.insert(r.spec.id.clone(), r);
        }
    }
    let analyses = read_analyses(dir, &mut findings);
    let policy = read_policy(dir, &mut findings);
    let fees = read_fees(dir, &mut findings);
    let definitions = Definitions {
        origin: Origin::Folder(dir.to_owned()),
        specs,
        recipes,
        analyses,
        policy,
        fees,
    };
    (Some(definitions), findings)
}

/// The analysis recipes of `dir/analyses` (none is fine: the folder then has no analyses).
fn read_analyses(dir: &Path, findings: &mut Vec<Finding>) -> BTreeMap<String, AnalysisRecipe> {
    let mut out = BTreeMap::new();
    for (file, text) in toml_files(dir, "analyses", findings) {
        let name = file.rsplit('/').next().unwrap_or(&file);
        match AnalysisRecipe::from_toml(name, &text) {
            Ok(r) => {
                out.insert(r.spec.id.clone(), r);
            }
            Err(e) => findings.push(folder_finding(&file, Mistake::Analysis, e.message)),
        }
    }
    out
}

fn read_specs(dir: &Path, findings: &mut Vec<Finding>) -> SpecSet {
    let mut specs = SpecSet::default();
    let files = toml_files(dir, "specs", findings);
    if files.is_empty() {
        findings.push(folder_finding(
            "specs/",
            Mistake::Folder,
            "inga specifikationer (specs/*.toml) / no collection specifications".into(),
        ));
    }
    for (file, text) in files {
        let name = file.rsplit('/').next().unwrap_or(&file).to_owned();
        match CollectionSpec::from_toml(&name, &text) {
            Ok(spec) => {
                let stem = name.trim_end_matches(".toml");
                let named_ok = stem == spec.id || stem == format!("{}-{}", spec.id, spec.version);
                if !named_ok {
                    findings.push(Finding {
                        file: file.clone(),
                        line: line_of(&text, Some(""), "id"),
                        field: Some("id".into()),
                        kind: Mistake::FileName,
                        message: format!(
                            "filen ska heta {id}.toml eller {id}-{v}.toml / name the file after id (and version)",
                            id = spec.id,
                            v = spec.version
                        ),
                    });
                }
                if let Err(dup) = specs.insert(spec) {
                    findings.push(Finding {
                        file: file.clone(),
                        line: line_of(&text, Some(""), "version"),
                        field: Some("version".into()),
                        kind: Mistake::Duplicate,
                        message: format!(
                            "{} {} finns redan / this id and version exist already",
                            dup.id, dup.version
                        ),
                    });
                }
            }
            Err(e) => findings.push(spec_finding(&file, &text, e)),
        }
    }
    specs
}

fn spec_finding(file: &str, text: &str, e: vardhub_domain::spec::SpecError) -> Finding {
    use vardhub_domain::spec::SpecError;
    match e {
        SpecError::Parse { source, .. } => {
            finding::from_toml_error(file, text, &source, Mistake::Syntax)
        }
        other => folder_finding(file, Mistake::Spec, other.to_string()),
    }
}

fn read_policy(dir: &Path, findings: &mut Vec<Finding>) -> DisclosurePolicy {
    let path = dir.join("policies").join("disclosure.toml");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return DisclosurePolicy::default_public();
    };
    match DisclosurePolicy::parse(&text) {
        Ok(p) => p,
        Err(e) => {
            findings.push(folder_finding(
                "policies/disclosure.toml",
                Mistake::Policy,
                e.to_string(),
            ));
            DisclosurePolicy::default_public()
        }
    }
}

/// The folder's fee model (none: the built-in one); a broken one is a finding.
fn read_fees(dir: &Path, findings: &mut Vec<Finding>) -> FeeModel {
    let path = dir.join(fees::FEES_FILE);
    if !path.exists() {
        return FeeModel::builtin();
    }
    let parsed = std::fs::read_to_string(&path)
        .map_err(|e| {
            vec![folder_finding(
                fees::FEES_FILE,
                Mistake::Folder,
                format!("kan inte läsas / cannot be read: {e}"),
            )]
        })
        .and_then(|text| FeeModel::parse(fees::FEES_FILE, &text));
    parsed.unwrap_or_else(|mut found| {
        findings.append(&mut found);
        FeeModel::builtin()
    })
}

#[cfg(test)]
mod tests;

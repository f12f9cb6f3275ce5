//! `definitions check`: the built-in folder is clean, and each kind of authoring mistake is
//! reported with file, line and field.

use super::*;
use std::fs;

/// The repository root: its `specs/`, `indicators/` and `policies/` are the built-in set.
fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A copy of the built-in folder in a temporary directory.
fn copy_of_builtin() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    for sub in ["specs", "indicators", "policies", "analyses", "fees"] {
        fs::create_dir_all(tmp.path().join(sub)).unwrap();
        for e in fs::read_dir(repo().join(sub)).unwrap() {
            let e = e.unwrap();
            fs::copy(e.path(), tmp.path().join(sub).join(e.file_name())).unwrap();
        }
    }
    tmp
}

const HIP: &str = "indicators/hoftfraktur_op_24h.toml";

/// The findings after replacing `from` by `to` in the hip-fracture recipe.
fn findings_after(from: &str, to: &str) -> Vec<Finding> {
    let tmp = copy_of_builtin();
    let path = tmp.path().join(HIP);
    let text = fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{from:?} is not in the recipe");
    fs::write(&path, text.replacen(from, to, 1)).unwrap();
    check_dir(tmp.path())
}

/// Exactly one finding, of `kind`, naming `field` on `line` of the hip-fracture recipe.
fn one(findings: &[Finding], kind: Mistake, field: Option<&str>, line: usize) -> String {
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f.file, HIP);
    assert_eq!(f.kind, kind, "{f}");
    assert_eq!(f.field.as_deref(), field, "{f}");
    assert_eq!(f.line, Some(line), "{f}");
    f.to_string()
}

#[test]
fn the_builtin_folder_loads_the_14_recipes_4_specs_and_the_policy() {
    assert_eq!(check_dir(&repo()), Vec::new());
    let d = Definitions::load(&repo()).unwrap();
    assert_eq!(d.recipes().len(), 14);
    assert_eq!(d.specs().ids().count(), 4);
    let builtin = Definitions::builtin();
    for (id, r) in builtin.recipes() {
        assert_eq!(d.recipe(id).unwrap().hash, r.hash, "{id}");
    }
    assert_eq!(d.policy(), builtin.policy());
    assert_eq!(d.fees(), builtin.fees());
    assert_eq!(d.analyses().len(), builtin.analyses().len());
    for (id, r) in builtin.analyses() {
        assert_eq!(d.analyses()[id].hash, r.hash, "{id}");
    }
}

#[test]
fn an_invalid_analysis_recipe_is_named_and_refuses_the_folder() {
    let tmp = copy_of_builtin();
    let path = tmp.path().join("analyses/mobila_team.toml");
    let text = fs::read_to_string(&path).unwrap();
    fs::write(
        &path,
        text.replacen("matching = \"coarsened\"", "matching = \"propensity\"", 1),
    )
    .unwrap();
    let f = check_dir(tmp.path());
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].file, "analyses/mobila_team.toml");
    assert_eq!(f[0].kind, Mistake::Analysis);
    assert!(f[0].message.contains("propensity"), "{}", f[0]);
    assert!(Definitions::load(tmp.path()).is_err());
}

#[test]
fn a_syntax_error_names_its_line() {
    let f = findings_after("within_hours = 24", "within_hours = = 24");
    one(&f, Mistake::Syntax, None, 23);
}

#[test]
fn a_misspelt_field_is_an_unknown_field() {
    let f = findings_after("direction = \"higher\"", "riktning = \"higher\"");
    let text = one(&f, Mistake::UnknownField, Some("riktning"), 9);
    assert!(text.contains("hoftfraktur_op_24h.toml:9"), "{text}");
}

#[test]
fn a_missing_field_is_named() {
    let f = findings_after("direction = \"higher\"\n", "");
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].kind, Mistake::MissingField);
    assert_eq!(f[0].field.as_deref(), Some("direction"));
}

#[test]
fn a_value_outside_the_options_is_invalid() {
    let f = findings_after("unit = \"proportion\"", "unit = \"procent\"");
    one(&f, Mistake::InvalidValue, None, 8);
}

#[test]
fn the_file_must_be_named_after_the_id() {
    let f = findings_after("id = \"hoftfraktur_op_24h\"", "id = \"hoftfraktur\"");
    one(&f, Mistake::FileName, Some("id"), 3);
}

#[test]
fn an_unknown_source_collection_is_named() {
    let f = findings_after("source = \"vardkontakter\"", "source = \"kontakter\"");
    one(&f, Mistake::UnknownSource, Some("source"), 7);
}

#[test]
fn an_unknown_specification_version_is_named() {
    let f = findings_after(
        "source = \"vardkontakter\"",
        "source = \"vardkontakter\"\nsource_version = \"9.0.0\"",
    );
    one(&f, Mistake::UnknownSourceVersion, Some("source_version"), 8);
}

#[test]
fn a_variable_missing_from_the_specification_version_is_named() {
    // Bed census columns do not exist in the contacts collection.
    let tmp = copy_of_builtin();
    let file = "indicators/overbelaggningar_per_100.toml";
    let path = tmp.path().join(file);
    let text = fs::read_to_string(&path).unwrap();
    fs::write(
        &path,
        text.replacen(
            "column = \"overbelaggningar\"",
            "column = \"overbelaggning\"",
            1,
        ),
    )
    .unwrap();
    let f = check_dir(tmp.path());
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].file, file);
    assert_eq!(f[0].kind, Mistake::UnknownVariable);
    assert_eq!(f[0].field.as_deref(), Some("definition.column"));
    assert!(f[0].line.is_some());
    assert!(f[0].message.contains("vardplatser"), "{}", f[0]);
}

#[test]
fn codes_outside_their_code_system_or_list_are_named() {
    let f = findings_after("vardform = [\"SV\"]", "vardform = [\"SLV\"]");
    let text = one(&f, Mistake::UnknownCode, Some("definition.vardform"), 21);
    assert!(text.contains("SV, OV, PV"), "{text}");
    let f = findings_after(
        "hdia = [\"S720\", \"S721\", \"S722\"]",
        "hdia = [\"S720\", \"S7X1\", \"S722\"]",
    );
    one(&f, Mistake::UnknownCode, Some("definition.hdia"), 21);
    let f = findings_after("\"NFB02\", \"NFB12\"", "\"NFB02\", \"12NFB\"");
    one(&f, Mistake::UnknownCode, Some("definition.event_codes"), 22);
}

#[test]
fn a_unit_that_does_not_fit_the_block_or_the_interval_is_named() {
    let f = findings_after("unit = \"proportion\"", "unit = \"per_1000\"");
    // Both the block and the interval method disagree with the unit (and the target, a share,
    // is still within what a rate allows).
    assert!(f.iter().all(|x| x.kind == Mistake::UnitMismatch), "{f:#?}");
    assert_eq!(
        f.iter()
            .map(|x| x.field.clone().unwrap())
            .collect::<Vec<_>>(),
        vec!["unit", "ci"]
    );
}

#[test]
fn a_share_target_above_one_is_out_of_range() {
    let f = findings_after("value = 0.75", "value = 75");
    one(&f, Mistake::TargetOutOfRange, Some("target"), 17);
}

#[test]
fn block_parameters_outside_their_range_are_named() {
    let f = findings_after("within_hours = 24", "within_hours = 0");
    one(
        &f,
        Mistake::BlockParameter,
        Some("definition.within_hours"),
        23,
    );
}

#[test]
fn standardisation_without_a_reference_population_is_named() {
    let f = findings_after(
        "standardisation = \"none\"",
        "standardisation = \"indirect_age_sex\"",
    );
    one(&f, Mistake::Standardisation, Some("standardisation"), 12);
}

#[test]
fn texts_need_swedish_and_english() {
    let f = findings_after(
        "en = \"Hip fracture operated within 24 hours\"",
        "en = \"\"",
    );
    one(&f, Mistake::MissingText, Some("title"), 13);
}

#[test]
fn the_same_specification_version_twice_is_a_duplicate() {
    let tmp = copy_of_builtin();
    let text = fs::read_to_string(tmp.path().join("specs/vardkontakter.toml")).unwrap();
    fs::write(tmp.path().join("specs/vardkontakter-1.0.0.toml"), &text).unwrap();
    let f = check_dir(tmp.path());
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].kind, Mistake::Duplicate);
    assert_eq!(f[0].file, "specs/vardkontakter.toml");
    assert_eq!(f[0].field.as_deref(), Some("version"));
    assert_eq!(f[0].line, Some(6));
}

#[test]
fn a_recipe_in_the_wrong_file_is_named_by_that_file() {
    let tmp = copy_of_builtin();
    let text = fs::read_to_string(tmp.path().join(HIP)).unwrap();
    fs::write(
        tmp.path().join("indicators/zz_hoftfraktur_op_24h.toml"),
        &text,
    )
    .unwrap();
    let f = check_dir(tmp.path());
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].file, "indicators/zz_hoftfraktur_op_24h.toml");
    assert_eq!(f[0].kind, Mistake::FileName);
}

#[test]
fn a_broken_specification_and_policy_are_reported_by_file() {
    let tmp = copy_of_builtin();
    let spec = tmp.path().join("specs/vardplatser.toml");
    let text = fs::read_to_string(&spec).unwrap();
    fs::write(&spec, text.replacen("version =", "versoin =", 1)).unwrap();
    let policy = tmp.path().join("policies/disclosure.toml");
    let text = fs::read_to_string(&policy).unwrap();
    fs::write(&policy, text.replacen("min_count = 5", "min_count = 2", 1)).unwrap();
    let f = check_dir(tmp.path());
    let spec_f = f
        .iter()
        .find(|x| x.file == "specs/vardplatser.toml")
        .unwrap();
    assert_eq!(spec_f.kind, Mistake::UnknownField);
    assert_eq!(spec_f.field.as_deref(), Some("versoin"));
    assert!(spec_f.line.is_some());
    assert!(
        f.iter()
            .any(|x| x.file == "policies/disclosure.toml" && x.kind == Mistake::Policy)
    );
    // The bed recipes lose their source with the broken spec: named, not silently dropped.
    assert!(f.iter().any(|x| x.kind == Mistake::UnknownSource));
    assert!(Definitions::load(tmp.path()).is_err());
}

#[test]
fn two_versions_of_a_specification_live_side_by_side() {
    let tmp = copy_of_builtin();
    let text = fs::read_to_string(tmp.path().join("specs/vardkontakter.toml")).unwrap();
    fs::write(
        tmp.path().join("specs/vardkontakter-1.1.0.toml"),
        text.replacen("version = \"1.0.0\"", "version = \"1.1.0\"", 1),
    )
    .unwrap();
    let d = Definitions::load(tmp.path()).unwrap();
    assert_eq!(d.specs().versions("vardkontakter").len(), 2);
    assert_eq!(d.specs().newest("vardkontakter").unwrap().version, "1.1.0");
}

#[test]
fn a_level_the_block_cannot_publish_is_named() {
    // Hip-fracture episodes are counted where they were treated: no kommun of residence.
    let f = findings_after("sjukhus = [", "kommun = [");
    let text = one(&f, Mistake::Dimensions, Some("dimensions.kommun"), 29);
    assert!(text.contains("per_inhabitants"), "{text}");
    // A finer level at a period the regions do not publish could not add up to them.
    let f = findings_after(
        "periods = [\"quarter\", \"year\", \"rolling12\"]",
        "periods = [\"quarter\", \"rolling12\"]",
    );
    let text = one(&f, Mistake::Dimensions, Some("dimensions.sjukhus"), 29);
    assert!(text.contains("year"), "{text}");
    // Without the regions' finest period, a finer level's sums would tie periods together.
    let f = findings_after("sjukhus = [\"quarter\", \"year\"]", "sjukhus = [\"year\"]");
    let text = one(&f, Mistake::Dimensions, Some("dimensions.sjukhus"), 29);
    assert!(text.contains("quarter"), "{text}");
}

#[test]
fn a_broken_fee_model_is_a_finding_and_refuses_the_folder() {
    let tmp = copy_of_builtin();
    let path = tmp.path().join(fees::FEES_FILE);
    let text = fs::read_to_string(&path).unwrap();
    fs::write(
        &path,
        text.replacen("start_fee = 10000", "start_fee = -5", 1),
    )
    .unwrap();
    let f = check_dir(tmp.path());
    assert_eq!(f.len(), 1, "{f:#?}");
    assert_eq!(f[0].file, "fees/avgifter.toml");
    assert_eq!(f[0].field.as_deref(), Some("amounts.start_fee"));
    assert!(f[0].line.is_some());
    assert!(Definitions::load(tmp.path()).is_err());
    fs::remove_file(&path).unwrap();
    let d = Definitions::load(tmp.path()).unwrap();
    assert_eq!(
        d.fees(),
        &FeeModel::builtin(),
        "no fee file: the built-in model"
    );
}

//! What-if scenarios applied to the generator's parameters (`generate_scenario`), checked
//! against the run without a scenario with the same options (`year()`): only the scenario region's
//! affected rows change, as `truth.json` → `scenario` says (part of the `synth` test binary).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use vardhub_domain::{Encoding, Period, RegionCode};
use vardhub_synth::{
    ChangeKind, NoProgress, ScenarioChange, SynthError, SynthOptions, generate_scenario,
};

use super::{Run, truth, year};

const START: &str = "2023-04-01";

fn start() -> NaiveDate {
    NaiveDate::parse_from_str(START, "%Y-%m-%d").unwrap()
}

fn options(out: PathBuf) -> SynthOptions {
    // As `year()`.
    SynthOptions {
        out,
        scale: 0.003,
        seed: 11,
        from: Period::parse("2023-01").unwrap(),
        to: Period::parse("2023-12").unwrap(),
        encoding: Encoding::Utf8,
        defects: 0.0,
    }
}

fn run_with(change: &ScenarioChange) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    generate_scenario(&options(out.clone()), Some(change), &NoProgress).unwrap();
    Run { _dir: dir, out }
}

fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_owned()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// The files that differ between two runs (or exist in one only).
fn differing(a: &Path, b: &Path) -> BTreeSet<String> {
    let (fa, fb) = (files(a), files(b));
    let keys: BTreeSet<&String> = fa.keys().chain(fb.keys()).collect();
    keys.into_iter()
        .filter(|k| fa.get(*k) != fb.get(*k))
        .cloned()
        .collect()
}

/// truth.json without its scenario part.
fn truth_without_scenario(r: &Run) -> serde_json::Value {
    let mut t = truth(r);
    t.as_object_mut().unwrap().remove("scenario");
    t
}

/// Data rows of one table of every delivery of `collection` and region, keyed by file name and
/// the delivery's period: (period, header, rows).
fn tables(out: &Path, collection: &str, region: &str, file: &str) -> Vec<(String, Vec<String>)> {
    let mut v = Vec::new();
    for e in std::fs::read_dir(out).unwrap() {
        let dir = e.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let Some(period) = name.strip_prefix(&format!("{collection}-{region}-")) else {
            continue;
        };
        let text = std::fs::read_to_string(dir.join(file)).unwrap();
        let rows: Vec<String> = text
            .split("\r\n")
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        v.push((period.to_owned(), rows));
    }
    v.sort();
    v
}

fn col(header: &str, name: &str) -> usize {
    header.split(';').position(|h| h == name).unwrap()
}

fn minutes(s: &str) -> i64 {
    let t = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    (t - start().and_hms_opt(0, 0, 0).unwrap()).num_minutes()
}

/// kontakter rows of a region by kontakt_id (the header too).
fn kontakter(out: &Path, region: &str) -> (String, BTreeMap<String, Vec<String>>) {
    let mut header = String::new();
    let mut rows = BTreeMap::new();
    for (_, lines) in tables(out, "vardkontakter", region, "kontakter.csv") {
        header = lines[0].clone();
        for l in &lines[1..] {
            let f: Vec<String> = l.split(';').map(str::to_owned).collect();
            assert!(rows.insert(f[0].clone(), f).is_none());
        }
    }
    (header, rows)
}

/// All data rows of a table of a region, sorted (order follows discharge times).
fn sorted_rows(out: &Path, collection: &str, region: &str, file: &str) -> Vec<String> {
    let mut v: Vec<String> = tables(out, collection, region, file)
        .into_iter()
        .flat_map(|(_, rows)| rows.into_iter().skip(1))
        .collect();
    v.sort();
    v
}

/// enhetsdagar by (sjukhus, enhet, datum) → (disponibla, belagda, overbelaggningar).
fn census(out: &Path, region: &str) -> BTreeMap<(String, String, String), [u64; 3]> {
    let mut m = BTreeMap::new();
    for (_, lines) in tables(out, "vardplatser", region, "enhetsdagar.csv") {
        let h = &lines[0];
        let (d, b, o) = (
            col(h, "disponibla"),
            col(h, "belagda"),
            col(h, "overbelaggningar"),
        );
        for l in &lines[1..] {
            let f: Vec<&str> = l.split(';').collect();
            let key = (f[0].to_owned(), f[1].to_owned(), f[2].to_owned());
            let v = [f[d], f[b], f[o]].map(|x| x.parse::<u64>().unwrap());
            m.insert(key, v);
        }
    }
    m
}

fn f64_at(v: &serde_json::Value, path: &[&str]) -> f64 {
    let mut v = v;
    for p in path {
        v = &v[*p];
    }
    v.as_f64()
        .unwrap_or_else(|| panic!("{path:?} is not a number: {v}"))
}

/// The indicator values of truth.json for one region, by period.
fn indicator(
    t: &serde_json::Value,
    name: &str,
    region: &str,
) -> BTreeMap<String, serde_json::Value> {
    t["indicators"][name]["values"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["region"] == region)
        .map(|v| (v["period"].as_str().unwrap().to_owned(), v["value"].clone()))
        .collect()
}

/// The baseline outcomes of `truth.json` → `scenario` are those of the run without a scenario.
fn baseline_is_the_run_without_scenario(t: &serde_json::Value, region: &str) {
    let base = truth(year());
    let over = indicator(&base, "overcrowding_per_100_staffed_beds", region);
    let first = indicator(&base, "first_visit_within_90_days", region);
    let months = t["scenario"]["baseline"]["months"].as_array().unwrap();
    assert_eq!(months.len(), 12);
    for m in months {
        let p = m["period"].as_str().unwrap();
        assert_eq!(m["overbelaggningar_per_100"], over[p], "{region} {p}");
        assert_eq!(m["first_visit_within_90d_share"], first[p], "{region} {p}");
    }
}

/// Other regions' indicator values are unchanged.
fn other_regions_unchanged(t: &serde_json::Value, region: &str) {
    let base = truth(year());
    for (name, ind) in base["indicators"].as_object().unwrap() {
        let keep = |v: &serde_json::Value| v["region"] != region && v["region"] != "00";
        let a: Vec<_> = ind["values"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| keep(v))
            .collect();
        let b: Vec<_> = t["indicators"][name]["values"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| keep(v))
            .collect();
        assert_eq!(a, b, "{name}");
    }
}

#[test]
fn a_neutral_change_leaves_every_delivery_as_without_scenario() {
    let region = RegionCode::parse("01").unwrap();
    let r = run_with(&ScenarioChange::hip_fracture_los(region, start(), 1.0));
    let diff = differing(&year().out, &r.out);
    assert_eq!(diff, BTreeSet::from(["truth.json".to_owned()]));
    assert_eq!(truth_without_scenario(&r), truth(year()));
    let t = truth(&r);
    assert_eq!(t["scenario"]["baseline"], t["scenario"]["scenario"]);
    baseline_is_the_run_without_scenario(&t, "01");
}

#[test]
fn shorter_hip_fracture_stays_change_only_those_stays() {
    let (rr, factor) = ("01", 0.9);
    let change = ScenarioChange::hip_fracture_los(RegionCode::parse(rr).unwrap(), start(), factor);
    let r = run_with(&change);
    let base = &year().out;
    // Only the region's contacts, bed census from the start month on, and the truth differ.
    for f in differing(base, &r.out) {
        let ok = f == "truth.json"
            || f.starts_with(&format!("vardkontakter-{rr}-"))
            || f.starts_with(&format!("vardplatser-{rr}-"))
                && f.as_str() >= format!("vardplatser-{rr}-2023-04").as_str();
        assert!(ok, "{f} differs");
    }
    for (file, collection) in [
        ("diagnoser.csv", "vardkontakter"),
        ("atgarder.csv", "vardkontakter"),
    ] {
        assert_eq!(
            sorted_rows(base, collection, rr, file),
            sorted_rows(&r.out, collection, rr, file),
            "{file}"
        );
    }
    // Row by row: a hip-fracture stay admitted from the start that did not end in death lasts
    // round(factor × its length); nothing else changes but its cost and ready-for-discharge days.
    let (h, before) = kontakter(base, rr);
    let (_, after) = kontakter(&r.out, rr);
    let (hdia, ins, uts, form, utsatt) = (
        col(&h, "hdia"),
        col(&h, "inskrivningsdatum"),
        col(&h, "utskrivningsdatum"),
        col(&h, "vardform"),
        col(&h, "utskrivningssatt"),
    );
    let (cost, uk) = (col(&h, "kpp_kostnad"), col(&h, "utskrivningsklar_dagar"));
    let hip = |f: &[String]| {
        let d = f[hdia].replace('.', "");
        f[form] == "SV" && ["S720", "S721", "S722"].iter().any(|c| d.starts_with(c))
    };
    let (mut changed, mut old_minutes, mut new_minutes) = (0, 0i64, 0i64);
    for (id, b) in &before {
        let a = after.get(id).unwrap_or_else(|| panic!("{id} lost"));
        let affected = hip(b) && minutes(&b[ins]) >= 0 && b[utsatt] != "4";
        if !affected {
            assert_eq!(a, b, "{id}");
            continue;
        }
        let len = minutes(&b[uts]) - minutes(&b[ins]);
        let new = minutes(&a[uts]) - minutes(&a[ins]);
        assert_eq!(new, (len as f64 * factor).round() as i64, "{id}");
        for k in 0..a.len() {
            if k != uts && k != cost && k != uk {
                assert_eq!(a[k], b[k], "{id} column {k}");
            }
        }
        assert!(a[uk].parse::<u32>().unwrap() <= b[uk].parse::<u32>().unwrap());
        changed += 1;
        old_minutes += len;
        new_minutes += new;
    }
    assert!(changed >= 3, "only {changed} hip-fracture stays changed");
    let ratio = new_minutes as f64 / old_minutes as f64;
    assert!((ratio - factor).abs() < 0.001, "{ratio}");
    // Stays delivered only because they are shorter: hip fractures admitted from the start.
    for (id, a) in &after {
        if !before.contains_key(id) {
            assert!(hip(a) && minutes(&a[ins]) >= 0, "{id} is new");
        }
    }
    // The census: staffed beds as planned, occupancy the same before the start and lower after.
    let (cb, ca) = (census(base, rr), census(&r.out, rr));
    assert_eq!(cb.keys().collect::<Vec<_>>(), ca.keys().collect::<Vec<_>>());
    let (mut bed_days_before, mut bed_days_after) = (0, 0);
    for (k, b) in &cb {
        let a = ca[k];
        assert_eq!(a[0], b[0], "{k:?} disponibla");
        if k.2.as_str() < START {
            assert_eq!(&a, b, "{k:?}");
        } else {
            bed_days_before += b[1];
            bed_days_after += a[1];
        }
    }
    assert!(bed_days_after < bed_days_before);
    // truth.json: the scenario with its outcomes; other regions as without it.
    let t = truth(&r);
    let s = &t["scenario"];
    assert_eq!(s["change"]["kind"], "length_of_stay");
    assert_eq!(s["change"]["region"], rr);
    assert_eq!(s["change"]["start"], START);
    assert_eq!(
        s["diagnoses"],
        serde_json::json!(["S72.0", "S72.1", "S72.2"])
    );
    let g = |v: &str, k: &str| f64_at(s, &[v, "from_start", k]);
    let bed_days = g("scenario", "group_bed_days") / g("baseline", "group_bed_days");
    assert!(
        (0.88..0.97).contains(&bed_days),
        "hip-fracture bed-days × {bed_days}"
    );
    assert!(g("scenario", "group_mean_los_days") < g("baseline", "group_mean_los_days"));
    assert!(g("scenario", "belagda") < g("baseline", "belagda"));
    assert_eq!(g("scenario", "disponibla"), g("baseline", "disponibla"));
    assert!(g("scenario", "overbelaggningar_per_100") <= g("baseline", "overbelaggningar_per_100"));
    for m in 0..3 {
        assert_eq!(
            s["baseline"]["months"][m], s["scenario"]["months"][m],
            "month {m}"
        );
    }
    baseline_is_the_run_without_scenario(&t, rr);
    other_regions_unchanged(&t, rr);
}

#[test]
fn twenty_more_staffed_beds_in_sormland() {
    let (rr, beds) = ("04", 20);
    let change = ScenarioChange::staffed_beds(RegionCode::parse(rr).unwrap(), start(), beds);
    assert_eq!(change.kind, ChangeKind::StaffedBeds { beds });
    let r = run_with(&change);
    let base = &year().out;
    for f in differing(base, &r.out) {
        let ok = f == "truth.json"
            || f.starts_with(&format!("vardplatser-{rr}-"))
                && f.as_str() >= format!("vardplatser-{rr}-2023-04").as_str();
        assert!(ok, "{f} differs");
    }
    let (cb, ca) = (census(base, rr), census(&r.out, rr));
    assert_eq!(cb.keys().collect::<Vec<_>>(), ca.keys().collect::<Vec<_>>());
    // Per day: disponibla + 20 from the start, the same patients.
    let mut by_day: BTreeMap<&str, [i64; 4]> = BTreeMap::new();
    for (k, b) in &cb {
        let a = ca[k];
        if k.2.as_str() < START {
            assert_eq!(&a, b, "{k:?}");
        }
        let d = by_day.entry(k.2.as_str()).or_default();
        d[0] += a[0] as i64 - b[0] as i64;
        d[1] += a[1] as i64 - b[1] as i64;
        d[2] += b[2] as i64;
        d[3] += a[2] as i64;
    }
    let (mut over_before, mut over_after) = (0, 0);
    for (day, d) in &by_day {
        let expected = if *day < START { 0 } else { i64::from(beds) };
        assert_eq!(d[0], expected, "{day}: disponibla");
        assert_eq!(d[1], 0, "{day}: belagda");
        if *day >= START {
            over_before += d[2];
            over_after += d[3];
        }
    }
    assert!(over_before > 0, "no overcrowding to lower");
    assert!(over_after < over_before, "{over_after} vs {over_before}");
    // truth.json.
    let t = truth(&r);
    let s = &t["scenario"];
    assert_eq!(s["change"]["kind"], "staffed_beds");
    assert_eq!(s["change"]["beds"], beds);
    let added: i64 = s["added_beds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["beds"].as_i64().unwrap())
        .sum();
    assert_eq!(added, i64::from(beds));
    let g = |v: &str, k: &str| f64_at(s, &[v, "from_start", k]);
    let days = f64_at(s, &["scenario", "from_start", "days"]);
    assert_eq!(
        g("scenario", "disponibla") - g("baseline", "disponibla"),
        20.0 * days
    );
    assert_eq!(
        g("scenario", "mean_disponibla") - g("baseline", "mean_disponibla"),
        20.0
    );
    assert_eq!(g("scenario", "belagda"), g("baseline", "belagda"));
    assert_eq!(g("scenario", "overbelaggningar"), over_after as f64);
    assert_eq!(g("baseline", "overbelaggningar"), over_before as f64);
    assert!(g("scenario", "overbelaggningar_per_100") < g("baseline", "overbelaggningar_per_100"));
    assert_eq!(s["baseline"]["months"][0], s["scenario"]["months"][0]);
    baseline_is_the_run_without_scenario(&t, rr);
    other_regions_unchanged(&t, rr);
}

#[test]
fn scenario_changes_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    let region = RegionCode::parse("04").unwrap();
    let late = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
    for change in [
        ScenarioChange::staffed_beds(region, late, 20),
        ScenarioChange::hip_fracture_los(region, start(), 1.2),
    ] {
        let err = generate_scenario(&options(dir.path().join("x")), Some(&change), &NoProgress)
            .unwrap_err();
        assert!(
            matches!(err, SynthError::InvalidOptions(ref m) if m.starts_with("scenario:")),
            "{err}"
        );
    }
}

#[test]
fn more_first_visit_capacity_only_moves_first_visits_after_the_start() {
    let rr = "01";
    let change = ScenarioChange::parse_first_visits(&format!("{rr}:1.2:{START}")).unwrap();
    assert_eq!(change.kind, ChangeKind::FirstVisitCapacity { factor: 1.2 });
    let r = run_with(&change);
    let start_month = &START[..7];
    for f in differing(&year().out, &r.out) {
        // Deliveries are folders named collection-region-ÅÅÅÅ-MM: only the region's change, from
        // the start's month; before it, case and contact numbers may shift (the rows are the
        // same, as many).
        let folder = f.split('/').next().unwrap();
        let period = &folder[folder.len().saturating_sub(7)..];
        let ours = folder.contains(&format!("-{rr}-"));
        if f == "truth.json" || ours && period >= start_month {
            continue;
        }
        assert!(
            ours && (folder.starts_with("vantetider-") || folder.starts_with("vardkontakter-")),
            "{f} differs"
        );
        let lines = |root: &Path| {
            std::fs::read_to_string(root.join(&f))
                .unwrap()
                .lines()
                .count()
        };
        assert_eq!(lines(&year().out), lines(&r.out), "{f}");
    }
    let t = truth(&r);
    let s = &t["scenario"];
    assert_eq!(s["change"]["kind"], "first_visit_capacity");
    let g = |side: &str, key: &str| f64_at(s, &[side, "from_start", key]);
    // Referrals are those of the run without the change; the share within 90 days rises.
    assert!(
        g("scenario", "first_visit_within_90d_share")
            > g("baseline", "first_visit_within_90d_share"),
        "{s}"
    );
    for m in 0..3 {
        assert_eq!(
            s["baseline"]["months"][m], s["scenario"]["months"][m],
            "month {m}"
        );
    }
    baseline_is_the_run_without_scenario(&t, rr);
    other_regions_unchanged(&t, rr);
    // The medical target is in the register for most first visits, never before the start.
    let cases = tables(&r.out, "vantetider", rr, "arenden.csv");
    let (mut fb, mut with_target) = (0, 0);
    for (_, lines) in &cases {
        let header = &lines[0];
        let (kind, start, target) = (
            col(header, "vantetyp"),
            col(header, "startdatum"),
            col(header, "medicinskt_maldatum"),
        );
        for row in &lines[1..] {
            let v: Vec<&str> = row.split(';').collect();
            if v[kind] == "FB" {
                fb += 1;
                if !v[target].is_empty() {
                    with_target += 1;
                    assert!(v[target] > v[start], "{row}");
                }
            }
        }
    }
    assert!(fb > 100, "{fb}");
    let share = f64::from(with_target) / f64::from(fb);
    assert!((0.5..0.7).contains(&share), "{share}");
}

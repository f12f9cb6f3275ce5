//! The planted mobile team of region 17, checked against an independent reading of the delivered
//! files with the definitions of `truth.json` → `mobile_team` (part of the `synth` test binary).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use chrono::{NaiveDate, NaiveDateTime};
use vardhub_domain::{IdKind, PatientId, Period};

use super::{Run, truth, with_defects, year};

/// One delivered kontakter row of region 17.
struct Row {
    id: String,
    hemkommun: String,
    vardform: String,
    planerad: bool,
    besokstyp: String,
    ins: i64,
    uts: i64,
    utsatt: String,
    /// kpp_kostnad in öre.
    ore: u64,
}

fn minutes(s: &str) -> i64 {
    let t = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    let epoch = NaiveDate::from_ymd_opt(2000, 1, 1)
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap();
    (t - epoch).num_minutes()
}

fn date(min: i64) -> NaiveDate {
    let epoch = NaiveDate::from_ymd_opt(2000, 1, 1).unwrap();
    epoch + chrono::Duration::days(min.div_euclid(1440))
}

fn ore(s: &str) -> u64 {
    let (sek, frac) = s.split_once(',').unwrap();
    assert_eq!(frac.len(), 2, "{s}");
    sek.parse::<u64>().unwrap() * 100 + frac.parse::<u64>().unwrap()
}

/// Region 17's kontakter rows by person, in admission order.
type People = HashMap<PatientId, Vec<Row>>;

/// Region 17's rows by person, kontakt_id → procedure codes, and every avlidendatum.
fn region_17(
    out: &Path,
) -> (
    People,
    BTreeMap<String, Vec<String>>,
    HashMap<PatientId, NaiveDate>,
) {
    let mut people: HashMap<PatientId, Vec<Row>> = HashMap::new();
    let mut ops: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut deaths: HashMap<PatientId, NaiveDate> = HashMap::new();
    for e in std::fs::read_dir(out).unwrap() {
        let dir = e.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let Some(period) = name.strip_prefix("vardkontakter-17-") else {
            continue;
        };
        let reference = Period::parse(period).unwrap().last_day();
        let text = std::fs::read_to_string(dir.join("kontakter.csv")).unwrap();
        let mut lines = text.split("\r\n").filter(|l| !l.is_empty());
        let header: Vec<&str> = lines.next().unwrap().split(';').collect();
        let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
        for line in lines {
            let f: Vec<&str> = line.split(';').collect();
            let pid = PatientId::parse(
                f[col("patient_id")],
                Some(IdKind::Personnummer),
                reference,
                None,
            )
            .unwrap();
            people.entry(pid).or_default().push(Row {
                id: f[col("kontakt_id")].to_owned(),
                hemkommun: f[col("hemkommun")].to_owned(),
                vardform: f[col("vardform")].to_owned(),
                planerad: f[col("planerad")] == "J",
                besokstyp: f[col("besokstyp")].to_owned(),
                ins: minutes(f[col("inskrivningsdatum")]),
                uts: minutes(f[col("utskrivningsdatum")]),
                utsatt: f[col("utskrivningssatt")].to_owned(),
                ore: ore(f[col("kpp_kostnad")]),
            });
        }
        let text = std::fs::read_to_string(dir.join("atgarder.csv")).unwrap();
        for line in text.split("\r\n").skip(1).filter(|l| !l.is_empty()) {
            let f: Vec<&str> = line.split(';').collect();
            ops.entry(f[0].to_owned())
                .or_default()
                .push(f[2].to_owned());
        }
    }
    for e in std::fs::read_dir(out).unwrap() {
        let dir = e.unwrap().path();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let Some(period) = name.strip_prefix("befolkning-00-") else {
            continue;
        };
        let reference = Period::parse(period).unwrap().last_day();
        let text = std::fs::read_to_string(dir.join("personer.csv")).unwrap();
        for line in text.split("\r\n").skip(1).filter(|l| !l.is_empty()) {
            let f: Vec<&str> = line.split(';').collect();
            if f[5].is_empty() {
                continue;
            }
            let pid = PatientId::parse(f[0], Some(IdKind::Personnummer), reference, None).unwrap();
            deaths.insert(pid, NaiveDate::parse_from_str(f[5], "%Y-%m-%d").unwrap());
        }
    }
    for rows in people.values_mut() {
        rows.sort_by(|a, b| (a.ins, &a.id).cmp(&(b.ins, &b.id)));
    }
    (people, ops, deaths)
}

fn f(t: &serde_json::Value, k: &str) -> f64 {
    t[k].as_f64().unwrap_or_else(|| panic!("{k}: {}", t[k]))
}

fn sum(rows: &[Row], from: i64, to: i64) -> u64 {
    rows.iter()
        .filter(|r| r.ins >= from && r.ins < to)
        .map(|r| r.ore)
        .sum()
}

fn check(r: &Run) {
    let t = truth(r);
    let m = &t["mobile_team"];
    assert_eq!(m["region"], "17");
    let code = m["code"].as_str().unwrap().to_owned();
    assert_eq!(code, "XS010");
    vardhub_domain::KvaCode::parse(&code).unwrap();
    let from = Period::parse(t["generator"]["from"].as_str().unwrap()).unwrap();
    let to = Period::parse(t["generator"]["to"].as_str().unwrap()).unwrap();
    let start = minutes(&format!("{} 00:00", m["start"].as_str().unwrap()));
    let fourth = Period::range(from, to).nth(3).unwrap().first_day();
    assert_eq!(date(start), fourth);
    let day = 1440i64;
    let window_start = minutes(&format!("{} 00:00", from.first_day()));
    let window_end = minutes(&format!("{} 00:00", to.last_day())) + day;
    let (washout, window) = (90 * day, 90 * day);

    let (people, ops, deaths) = region_17(&r.out);
    let visit_ids: BTreeSet<&String> = ops
        .iter()
        .filter(|(_, codes)| codes.contains(&code))
        .map(|(id, _)| id)
        .collect();
    let visit_rows: usize = ops
        .values()
        .map(|codes| codes.iter().filter(|c| **c == code).count())
        .sum();
    assert_eq!(visit_rows as u64, m["team_visits"].as_u64().unwrap());
    assert_eq!(
        visit_rows,
        visit_ids.len(),
        "one team-visit row per contact"
    );

    let (mut eligible, mut joined, mut seen_visits) = (0u64, 0u64, 0usize);
    let (mut before, mut after) = (0u64, 0u64);
    let (mut nj_before, mut nj_after) = (0u64, 0u64);
    for (pid, rows) in &people {
        let visits: Vec<&Row> = rows.iter().filter(|r| visit_ids.contains(&r.id)).collect();
        let cands: Vec<&Row> = rows
            .iter()
            .filter(|r| r.vardform == "SV" && !r.planerad && pid.age_on(date(r.ins)).unwrap() >= 75)
            .collect();
        let index = cands.iter().enumerate().find_map(|(i, c)| {
            (c.ins - washout >= window_start && cands[..i].iter().all(|o| c.ins - o.ins > washout))
                .then_some(*c)
        });
        let is_eligible = index.is_some_and(|x| {
            x.hemkommun.starts_with("17")
                && x.uts >= start
                && x.utsatt != "4"
                && x.uts + 104 * day <= window_end
        });
        if !is_eligible {
            assert!(visits.is_empty(), "only eligible persons get team visits");
            continue;
        }
        let tt = index.unwrap().uts;
        eligible += 1;
        if visits.is_empty() {
            nj_before += sum(rows, tt - washout, tt);
            nj_after += sum(rows, tt, tt + window);
            continue;
        }
        joined += 1;
        seen_visits += visits.len();
        // One visit a week for 8 weeks while alive.
        let first_day = date(visits[0].ins);
        let alive_weeks = (0..8)
            .take_while(|k| {
                deaths
                    .get(pid)
                    .is_none_or(|d| first_day + chrono::Duration::days(7 * k) < *d)
            })
            .count();
        assert_eq!(visits.len(), alive_weeks);
        let first = (date(visits[0].ins) - date(tt)).num_days();
        assert!(
            (1..=14).contains(&first),
            "joins 1..=14 days after discharge: {first}"
        );
        for (k, v) in visits.iter().enumerate() {
            assert_eq!(v.vardform, "OV");
            assert!(v.planerad);
            assert_eq!(v.besokstyp, if k == 0 { "1" } else { "2" });
            assert_eq!(v.ore, 300_000);
            assert_eq!((date(v.ins) - date(visits[0].ins)).num_days(), 7 * k as i64);
        }
        before += sum(rows, tt - washout, tt);
        after += sum(rows, tt, tt + window);
    }
    assert_eq!(
        seen_visits, visit_rows,
        "every team visit belongs to a joiner"
    );
    assert_eq!(eligible, m["eligible"].as_u64().unwrap());
    assert_eq!(joined, m["joined"].as_u64().unwrap());
    assert_eq!(eligible - joined, m["not_joined"].as_u64().unwrap());
    assert!(joined > 0, "someone joins");
    let mean = |ore: u64, n: u64| ore as f64 / n as f64 / 100.0;
    let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-4, "{a} vs {b}");
    close(f(m, "mean_before_sek"), mean(before, joined));
    close(f(m, "mean_after_sek"), mean(after, joined));
    if eligible > joined {
        close(
            f(m, "mean_before_not_joined_sek"),
            mean(nj_before, eligible - joined),
        );
        close(
            f(m, "mean_after_not_joined_sek"),
            mean(nj_after, eligible - joined),
        );
    }
    close(
        f(m, "effect_per_patient_sek"),
        f(m, "mean_after_sek") - f(m, "mean_after_counterfactual_sek"),
    );
    close(
        f(m, "naive_per_patient_sek"),
        f(m, "mean_after_sek") - f(m, "mean_before_sek"),
    );
    // Regression to the mean: the index stay lies in the before period of every joiner.
    let (naive, effect) = (
        f(m, "naive_per_patient_sek"),
        f(m, "effect_per_patient_sek"),
    );
    assert!(
        naive < effect - 10_000.0,
        "naive {naive} vs effect {effect}"
    );
}

#[test]
fn the_mobile_team_is_planted_as_truth_json_says() {
    check(year());
}

#[test]
fn no_mobile_team_in_a_short_window() {
    let r = with_defects();
    let t = truth(r);
    assert!(t.get("mobile_team").is_none(), "2 months: nothing planted");
    for e in std::fs::read_dir(&r.out).unwrap() {
        let dir = e.unwrap().path();
        let atg = dir.join("atgarder.csv");
        if atg.exists() {
            let bytes = std::fs::read(&atg).unwrap();
            assert!(
                !bytes.windows(5).any(|w| w == b"XS010"),
                "{}",
                atg.display()
            );
        }
    }
}

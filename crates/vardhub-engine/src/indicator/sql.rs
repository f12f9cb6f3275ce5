//! Compiling an indicator's building block to one SQL query over the lake.
//!
//! Every query returns the finest grain the engine aggregates from:
//! `region, period, sub, kon, alder, numerator, denominator, sumsq, cases` — one row per region,
//! month, sub-area (kommun of residence, hospital or unit, when the recipe publishes one; `''`
//! otherwise), sex and age in years (sex and age are NULL for indicators without them, e.g. the
//! bed census).
//! Sex, age-group and national totals, standardisation and statistics are computed from these rows
//! in Rust, so that every published table's margins add up exactly.
//!
//! Tables: `kontakter`, `diagnoser`, `atgarder` (vardkontakter), `arenden` (vantetider),
//! `enhetsdagar` (vardplatser), `personer` (befolkning), with the lake's column names.

use super::spec::{ContactFilter, Definition, Measure, SubArea};

/// Quote a text literal for SQL.
fn lit(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn list(items: &[String]) -> String {
    items.iter().map(|s| lit(s)).collect::<Vec<_>>().join(", ")
}

/// The WHERE condition of a contact filter over alias `k`.
pub(crate) fn contact_where(f: &ContactFilter) -> String {
    let mut c = vec!["TRUE".to_owned()];
    if !f.vardform.is_empty() {
        c.push(format!("k.vardform IN ({})", list(&f.vardform)));
    }
    if let Some(p) = f.planerad {
        c.push(format!("k.planerad = {p}"));
    }
    if !f.hdia.is_empty() {
        let likes: Vec<String> = f
            .hdia
            .iter()
            .map(|p| format!("k.hdia LIKE {}", lit(&format!("{p}%"))))
            .collect();
        c.push(format!("({})", likes.join(" OR ")));
    }
    if let Some(a) = f.min_age {
        c.push(format!("k.alder >= {a}"));
    }
    c.join(" AND ")
}

/// An exact, order-independent sum of a decimal column: summed as integers in `1/scale` units
/// (öre for SEK, 1/10 000 for DRG weights), so parallel aggregation is byte-reproducible.
fn exact_sum(expr: &str, scale: u32) -> String {
    format!("(CAST(SUM(CAST(ROUND({expr} * {scale}) AS BIGINT)) AS DOUBLE) / {scale}.0)")
}

/// Days since 1970-01-01 of a date or timestamp expression.
fn day(expr: &str) -> String {
    format!("CAST(CAST({expr} AS DATE) AS INT)")
}

/// The last day of the row's period (`period` is `ÅÅÅÅ-MM`), as days since 1970-01-01.
const PERIOD_END_DAY: &str =
    "(CAST(CAST(to_date(concat(period, '-01')) + INTERVAL '1 month' AS DATE) AS INT) - 1)";

/// The tables a definition reads.
pub fn tables(def: &Definition) -> &'static [&'static str] {
    match def {
        Definition::EventWithin { .. } => &["kontakter", "atgarder"],
        Definition::DeathWithin { .. } => &["kontakter", "personer"],
        Definition::ReadmissionWithin { .. } | Definition::MeanLengthOfStay { .. } => {
            &["kontakter"]
        }
        Definition::CostPerDrgPoint { .. } => &["kontakter"],
        Definition::WaitingWithin { .. } => &["arenden"],
        Definition::BedsPer100 { .. } => &["enhetsdagar"],
        Definition::PerInhabitants { .. } => &["kontakter", "personer"],
        Definition::ProcedureShare { .. } => &["atgarder", "kontakter"],
        Definition::Sql { .. } => &[],
    }
}

/// The sub-area column of a contact or bed row over alias `a` (`a.` or empty), or `''`.
fn sub_expr(sub: SubArea, a: &str) -> String {
    match sub {
        SubArea::None | SubArea::Kommun => "''".to_owned(),
        SubArea::Sjukhus => format!("COALESCE({a}sjukhus, '{UNKNOWN}')"),
        SubArea::Enhet => format!(
            "concat(COALESCE({a}sjukhus, '{UNKNOWN}'), '/', COALESCE({a}enhet, '{UNKNOWN}'))"
        ),
    }
}

/// What an unknown hospital or unit is called in a sub-area.
pub const UNKNOWN: &str = "okänd";

/// The query of a definition, grouped below the region by `sub` (a `sub` output column: the
/// kommun of residence, the hospital, or `hospital/unit`; `''` without a sub-area).
pub fn query(def: &Definition, sub: SubArea) -> String {
    let out = "SELECT region, period, sub, kon, alder, CAST(numerator AS DOUBLE) AS numerator, \
               CAST(denominator AS DOUBLE) AS denominator, CAST(sumsq AS DOUBLE) AS sumsq, \
               CAST(cases AS DOUBLE) AS cases FROM";
    let ks = sub_expr(sub, "k.");
    let cols = format!("k.region, k.period, {ks} AS sub, k.kon, k.alder");
    let grain = format!("GROUP BY k.region, k.period, {ks}, k.kon, k.alder");
    let body = match def {
        Definition::EventWithin {
            population,
            event_codes,
            within_hours,
        } => format!(
            "SELECT {cols},
                    SUM(CASE WHEN e.first_event <= k.inskrivningsdatum + INTERVAL '{within_hours} hours'
                        THEN 1 ELSE 0 END) AS numerator,
                    COUNT(*) AS denominator, NULL AS sumsq, COUNT(*) AS cases
             FROM kontakter k
             JOIN (SELECT region, period, kontakt_id, MIN(datumtid) AS first_event FROM atgarder
                   WHERE kod IN ({codes}) GROUP BY region, period, kontakt_id) e
               ON e.region = k.region AND e.period = k.period AND e.kontakt_id = k.kontakt_id
             WHERE {w} {grain}",
            codes = list(event_codes),
            w = contact_where(population),
        ),
        Definition::DeathWithin { population, days } => format!(
            "SELECT {cols},
                    SUM(CASE WHEN p.death IS NOT NULL AND p.death <= {adm} + {days} THEN 1 ELSE 0 END) AS numerator,
                    COUNT(*) AS denominator, NULL AS sumsq, COUNT(*) AS cases
             FROM kontakter k
             LEFT JOIN (SELECT person_pseudonym, MIN({death}) AS death FROM personer
                        WHERE avlidendatum IS NOT NULL GROUP BY person_pseudonym) p
               ON p.person_pseudonym = k.patient_pseudonym
             WHERE {w} {grain}",
            adm = day("k.inskrivningsdatum"),
            death = day("avlidendatum"),
            w = contact_where(population),
            // Months whose 30-day follow-up passes the population extracts are left out by the
            // follow-up rule (`follow_up.rs`), as for every "within N days" block.
        ),
        Definition::ReadmissionWithin { population, days } => format!(
            "WITH d AS (SELECT k.region, k.period, k.kontakt_id, k.kon, k.alder, k.patient_pseudonym,
                               k.sjukhus, k.enhet, {dis} AS dis FROM kontakter k
                        WHERE {w} AND (k.utskrivningssatt IS NULL OR k.utskrivningssatt <> '4')),
                  a AS (SELECT region, patient_pseudonym, {adm} AS adm FROM kontakter
                        WHERE vardform = 'SV' AND planerad = false),
                  hit AS (SELECT d.region, d.period, d.kontakt_id FROM d
                          JOIN a ON a.region = d.region AND a.patient_pseudonym = d.patient_pseudonym
                          WHERE a.adm > d.dis AND a.adm <= d.dis + {days}
                          GROUP BY d.region, d.period, d.kontakt_id)
             SELECT {cols},
                    SUM(CASE WHEN h.kontakt_id IS NOT NULL THEN 1 ELSE 0 END) AS numerator,
                    COUNT(*) AS denominator, NULL AS sumsq, COUNT(*) AS cases
             FROM d k LEFT JOIN hit h
               ON h.region = k.region AND h.period = k.period AND h.kontakt_id = k.kontakt_id
             {grain}",
            dis = day("k.utskrivningsdatum"),
            adm = day("inskrivningsdatum"),
            w = contact_where(population),
        ),
        Definition::WaitingWithin {
            vantetyp,
            status,
            days,
            exclude,
            within,
        } => {
            let end = if status == "V" {
                PERIOD_END_DAY.to_owned()
            } else {
                day("k.genomford_datum")
            };
            let wait = format!("({end} - {})", day("k.startdatum"));
            let cmp = if *within { "<=" } else { ">" };
            let mut w = vec![format!("k.status = {}", lit(status))];
            if let Some(t) = vantetyp {
                w.push(format!("k.vantetyp = {}", lit(t)));
            }
            if !exclude.is_empty() {
                w.push(format!(
                    "(k.avvikelseorsak IS NULL OR k.avvikelseorsak NOT IN ({}))",
                    list(exclude)
                ));
            }
            format!(
                "SELECT k.region, k.period, '' AS sub, k.kon, k.alder,
                        SUM(CASE WHEN {wait} {cmp} {days} THEN 1 ELSE 0 END) AS numerator,
                        COUNT(*) AS denominator, NULL AS sumsq, COUNT(*) AS cases
                 FROM arenden k WHERE {w} GROUP BY k.region, k.period, k.kon, k.alder",
                w = w.join(" AND ")
            )
        }
        Definition::BedsPer100 {
            column,
            vardinriktning,
        } => format!(
            "SELECT region, period, {bs} AS sub, CAST(NULL AS VARCHAR) AS kon,
                    CAST(NULL AS BIGINT) AS alder,
                    SUM({column}) AS numerator, SUM(disponibla) AS denominator, NULL AS sumsq,
                    SUM({column}) AS cases
             FROM enhetsdagar WHERE vardinriktning = {v} GROUP BY region, period, {bs}",
            bs = sub_expr(sub, ""),
            column = ident(column),
            v = lit(vardinriktning),
        ),
        Definition::MeanLengthOfStay { population } => {
            let los = format!(
                "GREATEST(1, {} - {})",
                day("k.utskrivningsdatum"),
                day("k.inskrivningsdatum")
            );
            format!(
                "SELECT {cols}, SUM({los}) AS numerator, COUNT(*) AS denominator,
                        SUM({los} * {los}) AS sumsq, COUNT(*) AS cases
                 FROM kontakter k WHERE {w} {grain}",
                w = contact_where(population),
            )
        }
        Definition::CostPerDrgPoint {
            population,
            exclude_top_share,
        } => format!(
            "SELECT {cols}, {cost} AS numerator,
                    {weight} AS denominator, NULL AS sumsq, COUNT(*) AS cases
             FROM (SELECT k.*, CUME_DIST() OVER (PARTITION BY k.period ORDER BY k.kpp_kostnad) AS cd
                   FROM kontakter k
                   WHERE {w} AND k.kpp_kostnad IS NOT NULL AND k.drg_vikt > 0) k
             WHERE k.cd <= {keep} {grain}",
            w = contact_where(population),
            keep = 1.0 - exclude_top_share,
            cost = exact_sum("k.kpp_kostnad", 100),
            weight = exact_sum("k.drg_vikt", 10_000),
        ),
        Definition::PerInhabitants {
            population,
            measure,
        } => {
            let amount = match measure {
                Measure::Count => "COUNT(*)".to_owned(),
                Measure::Cost => exact_sum("COALESCE(k.kpp_kostnad, 0)", 100),
            };
            let birth = "p.fodelsedatum";
            let pe = PERIOD_END_DAY.replace("period", "p.period");
            // Completed years at the end of the period.
            let age = format!(
                "(CAST(date_part('year', to_timestamp_seconds(({pe}) * 86400)) AS BIGINT)
                  - CAST(date_part('year', {birth}) AS BIGINT)
                  - CASE WHEN date_part('month', {birth}) * 100 + date_part('day', {birth})
                             > date_part('month', to_timestamp_seconds(({pe}) * 86400)) * 100
                               + date_part('day', to_timestamp_seconds(({pe}) * 86400))
                         THEN 1 ELSE 0 END)"
            );
            format!(
                "WITH n AS (SELECT substr(k.hemkommun, 1, 2) AS region, k.period, {nsub} AS sub,
                                   k.kon, k.alder, {amount} AS amount, COUNT(*) AS cases
                            FROM kontakter k WHERE {w} AND k.hemkommun IS NOT NULL
                            GROUP BY substr(k.hemkommun, 1, 2), k.period, {nsub}, k.kon, k.alder),
                      d AS (SELECT substr(p.folkbokforingskommun, 1, 2) AS region, p.period,
                                   {dsub} AS sub, p.kon, {age} AS alder, COUNT(*) AS inhabitants
                            FROM personer p
                            WHERE p.avlidendatum IS NULL OR {death} > {pe}
                            GROUP BY 1, 2, 3, 4, 5)
                 SELECT COALESCE(d.region, n.region) AS region, COALESCE(d.period, n.period) AS period,
                        COALESCE(d.sub, n.sub) AS sub,
                        COALESCE(d.kon, n.kon) AS kon, COALESCE(d.alder, n.alder) AS alder,
                        COALESCE(n.amount, 0) AS numerator, COALESCE(d.inhabitants, 0) AS denominator,
                        NULL AS sumsq, COALESCE(n.cases, 0) AS cases
                 FROM d FULL OUTER JOIN n ON n.region = d.region AND n.period = d.period
                                          AND n.sub = d.sub AND n.kon = d.kon AND n.alder = d.alder",
                w = contact_where(population),
                death = day("p.avlidendatum"),
                nsub = if sub == SubArea::Kommun { "k.hemkommun" } else { "''" },
                dsub = if sub == SubArea::Kommun { "p.folkbokforingskommun" } else { "''" },
            )
        }
        Definition::ProcedureShare {
            denominator_codes,
            numerator_codes,
        } => format!(
            "SELECT a.region, a.period, {ks} AS sub, k.kon, k.alder,
                    SUM(CASE WHEN a.kod IN ({num}) THEN 1 ELSE 0 END) AS numerator,
                    COUNT(*) AS denominator, NULL AS sumsq, COUNT(*) AS cases
             FROM atgarder a
             LEFT JOIN kontakter k ON k.region = a.region AND k.period = a.period AND k.kontakt_id = a.kontakt_id
             WHERE a.kod IN ({den})
             GROUP BY a.region, a.period, {ks}, k.kon, k.alder",
            num = list(numerator_codes),
            den = list(denominator_codes),
        ),
        Definition::Sql { query, .. } => query.clone(),
    };
    let out = if matches!(def, Definition::Sql { .. }) {
        out.replace(" sub,", " '' AS sub,")
    } else {
        out.to_owned()
    };
    format!("{out} ({body}) AS q")
}

/// A column name from a recipe: letters, digits and `_` only.
fn ident(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_are_quoted() {
        assert_eq!(lit("O'Brien"), "'O''Brien'");
        assert_eq!(ident("belagda; DROP"), "belagdaDROP");
    }

    #[test]
    fn filters_compose() {
        let f = ContactFilter {
            vardform: vec!["SV".into()],
            planerad: Some(false),
            hdia: vec!["S720".into(), "S721".into()],
            min_age: Some(50),
        };
        let w = contact_where(&f);
        assert!(w.contains("k.vardform IN ('SV')"));
        assert!(w.contains("k.planerad = false"));
        assert!(w.contains("(k.hdia LIKE 'S720%' OR k.hdia LIKE 'S721%')"));
        assert!(w.contains("k.alder >= 50"));
    }
}

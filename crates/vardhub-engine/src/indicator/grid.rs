//! The published table of one indicator and period, at every level, as **one** table for the
//! disclosure policy, because its cells add up across the hierarchy.
//!
//! Rows are the areas: the 21 regions, the six sjukvårdsregioner, Sweden and the finer areas the
//! recipe publishes at this period (kommuner, hospitals, units). Columns are the total, men,
//! women and Sweden's age groups (plus residual columns where sex or age is unknown).
//! Published: Sweden in every column; sjukvårdsregioner and regions by sex; finer areas their
//! totals. Margins (`total = Σ parts`, see [`crate::disclosure::Table`]):
//!
//! * in a row: total = men + women (+ unknown); Sweden's total = Σ age groups;
//! * down the hierarchy, per column: Sweden = Σ regions; a sjukvårdsregion = Σ its regions
//!   (Halland counted in Västra); a region's total = Σ its kommuner or hospitals; a hospital's
//!   total = Σ its units.
//!
//! The policy decides the tables of the recipe's finest period kind ([`Grid::is_audited`]);
//! longer periods are shown only where they are sums of shown values ([`super::derived`]).

use super::compute::{AGE_GROUPS, ALL, ResultRow, SWEDEN};
use super::spec::{Recipe, Unit};
use crate::disclosure::{CellInput, CellValues, Status, Table};
use crate::stats::Interval;
use std::collections::BTreeMap;
use vardhub_domain::{Area, Level, RegionCode, ReportPeriod};

/// Sex not known (a residual column, present only when needed).
pub const SEX_UNKNOWN: &str = "okant";
/// Age not known.
pub const AGE_UNKNOWN: &str = "okand";

/// One cell of a period's grid.
pub(crate) struct Cell<'a> {
    pub(crate) period: String,
    pub(crate) area: String,
    pub(crate) kon: String,
    pub(crate) age: String,
    pub(crate) row: Option<&'a ResultRow>,
    /// The additive quantities (count, denominator, cases).
    pub(crate) sums: Sums,
    /// The cell as the policy sees it.
    pub(crate) input: CellInput,
}

/// Additive quantities of a cell.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Sums {
    pub(crate) n: f64,
    pub(crate) d: f64,
    pub(crate) c: f64,
}

impl Sums {
    pub(crate) fn plus(self, o: Sums) -> Sums {
        Sums {
            n: self.n + o.n,
            d: self.d + o.d,
            c: self.c + o.c,
        }
    }

    fn minus(self, o: Sums) -> Sums {
        Sums {
            n: self.n - o.n,
            d: self.d - o.d,
            c: self.c - o.c,
        }
    }

    /// Equal up to the rounding of sums of exact decimals.
    pub(crate) fn same(self, o: Sums) -> bool {
        let close = |a: f64, b: f64| (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0);
        close(self.n, o.n) && close(self.d, o.d) && close(self.c, o.c)
    }

    pub(crate) fn is_empty(self) -> bool {
        self.n == 0.0 && self.d == 0.0 && self.c == 0.0
    }
}

/// A row of the grid: one area in one period.
#[derive(Debug, Clone)]
pub(crate) struct RowLabel {
    pub(crate) period: String,
    pub(crate) area: String,
    pub(crate) level: Level,
    /// The region the area lies in.
    pub(crate) region: Option<RegionCode>,
}

/// The grid of one indicator and period.
pub(crate) struct Grid<'a> {
    pub(crate) recipe: &'a Recipe,
    /// The period.
    pub(crate) period: String,
    pub(crate) rows: Vec<RowLabel>,
    /// Column labels: (kon, aldersgrupp); the total column is first.
    pub(crate) columns: Vec<(String, String)>,
    pub(crate) sex_parts: Vec<usize>,
    pub(crate) age_parts: Vec<usize>,
    /// `cells[r * columns.len() + c]`.
    pub(crate) cells: Vec<Cell<'a>>,
    /// Per period: Sweden's row.
    sweden_rows: BTreeMap<String, usize>,
}

/// The areas of every period: regions, sjukvårdsregioner, Sweden.
fn regional_areas() -> Vec<Area> {
    let mut out: Vec<Area> = RegionCode::all().map(Area::Region).collect();
    out.extend(
        vardhub_domain::Sjukvardsregion::ALL
            .into_iter()
            .map(Area::Sjukvardsregion),
    );
    out.push(Area::Sweden);
    out
}

impl<'a> Grid<'a> {
    /// The grid of `group`: the rows of one indicator and period.
    pub(crate) fn new(recipe: &'a Recipe, period: &str, group: &[&'a ResultRow]) -> Grid<'a> {
        let by_key: BTreeMap<(&str, &str, &str, &str), &ResultRow> = group
            .iter()
            .map(|r| {
                (
                    (
                        r.period.as_str(),
                        r.region.as_str(),
                        r.kon.as_str(),
                        r.aldersgrupp.as_str(),
                    ),
                    *r,
                )
            })
            .collect();
        let stratified = group.iter().any(|r| r.kon != ALL || r.aldersgrupp != ALL);
        let mut periods: Vec<&str> = group.iter().map(|r| r.period.as_str()).collect();
        periods.sort();
        periods.dedup();
        let mut rows = Vec::new();
        let mut sweden_rows = BTreeMap::new();
        for p in &periods {
            for a in regional_areas() {
                if a == Area::Sweden {
                    sweden_rows.insert((*p).to_owned(), rows.len());
                }
                rows.push(label(p, &a));
            }
            let mut subs: Vec<&str> = group
                .iter()
                .filter(|r| r.period == *p)
                .map(|r| r.region.as_str())
                .filter(|a| Area::parse(a).is_ok_and(|a| a.level() > Level::Region))
                .collect();
            subs.sort();
            subs.dedup();
            for s in subs {
                if let Ok(a) = Area::parse(s) {
                    rows.push(label(p, &a));
                }
            }
        }
        let mut columns = vec![(ALL.to_owned(), ALL.to_owned())];
        let (mut sex_parts, mut age_parts) = (Vec::new(), Vec::new());
        if stratified {
            for k in ["1", "2"] {
                sex_parts.push(columns.len());
                columns.push((k.to_owned(), ALL.to_owned()));
            }
            for a in AGE_GROUPS {
                age_parts.push(columns.len());
                columns.push((ALL.to_owned(), a.to_owned()));
            }
        }
        let sums_at = |row: &RowLabel, c: &(String, String)| -> Sums {
            sums_of(by_key.get(&(
                row.period.as_str(),
                row.area.as_str(),
                c.0.as_str(),
                c.1.as_str(),
            )))
        };
        // Residual columns for records without a known sex or age, so the margins add up.
        let residual = |parts: &[usize]| {
            rows.iter().filter(|r| r.level <= Level::Region).any(|row| {
                let total = sums_at(row, &columns[0]);
                let known = parts.iter().fold(Sums::default(), |acc, &c| {
                    acc.plus(sums_at(row, &columns[c]))
                });
                !total.same(known)
            })
        };
        let (sex_residual, age_residual) = if stratified {
            (residual(&sex_parts), residual(&age_parts))
        } else {
            (false, false)
        };
        let sex_unknown = sex_residual.then(|| {
            columns.push((SEX_UNKNOWN.to_owned(), ALL.to_owned()));
            columns.len() - 1
        });
        let age_unknown = age_residual.then(|| {
            columns.push((ALL.to_owned(), AGE_UNKNOWN.to_owned()));
            columns.len() - 1
        });
        sex_parts.extend(sex_unknown);
        age_parts.extend(age_unknown);
        let unit = recipe.spec.unit;
        let mut cells = Vec::with_capacity(rows.len() * columns.len());
        for row in &rows {
            let total = sums_at(row, &columns[0]);
            let known = |parts: &[usize], skip: Option<usize>| {
                parts
                    .iter()
                    .filter(|&&c| Some(c) != skip)
                    .fold(Sums::default(), |acc, &c| {
                        acc.plus(sums_at(row, &columns[c]))
                    })
            };
            let delivered =
                by_key.contains_key(&(row.period.as_str(), row.area.as_str(), ALL, ALL));
            for (ci, (kon, age)) in columns.iter().enumerate() {
                let result = by_key
                    .get(&(
                        row.period.as_str(),
                        row.area.as_str(),
                        kon.as_str(),
                        age.as_str(),
                    ))
                    .copied();
                let sums = if Some(ci) == sex_unknown {
                    total.minus(known(&sex_parts, sex_unknown))
                } else if Some(ci) == age_unknown {
                    total.minus(known(&age_parts, age_unknown))
                } else {
                    sums_of(result.as_ref())
                };
                let input = if !delivered {
                    CellInput::NoData
                } else {
                    cell_input(unit, sums, result)
                };
                cells.push(Cell {
                    period: row.period.clone(),
                    area: row.area.clone(),
                    kon: kon.clone(),
                    age: age.clone(),
                    row: result,
                    sums,
                    input,
                });
            }
        }
        Grid {
            recipe,
            period: period.to_owned(),
            rows,
            columns,
            sex_parts,
            age_parts,
            cells,
            sweden_rows,
        }
    }

    pub(crate) fn width(&self) -> usize {
        self.columns.len()
    }

    /// Whether cell `i` is published: Sweden in every column, sjukvårdsregioner and regions by
    /// sex (regions by age group are small monthly cells that would force heavy secondary
    /// suppression of the tables they share totals with), finer areas their totals.
    pub(crate) fn published(&self, i: usize) -> bool {
        let (r, c) = (i / self.width(), i % self.width());
        match self.rows[r].level {
            Level::Land => true,
            Level::Sjukvardsregion | Level::Region => !self.age_parts.contains(&c),
            _ => c == 0,
        }
    }

    /// Sweden's cell in the same period and column as cell `i`.
    pub(crate) fn national_cell(&self, i: usize) -> Option<usize> {
        let r = i / self.width();
        let s = self.sweden_rows.get(&self.rows[r].period)?;
        Some(s * self.width() + i % self.width())
    }

    /// Statuses with "no cases" for the empty cells of areas that delivered the period: a row
    /// whose cell has no case, denominator or record is "no cases", not "not applicable" (and
    /// an area without a row stays "no data"). The policy saw these cells as not applicable;
    /// the relabelling shows nothing more (every such cell is 0 in all margins).
    pub(crate) fn no_cases(&self, statuses: Vec<Option<Status>>) -> Vec<Option<Status>> {
        let w = self.width();
        statuses
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                let delivered = self.cells[i / w * w].row.is_some();
                match s {
                    Some(Status::NotApplicable) if self.cells[i].sums.is_empty() && delivered => {
                        Some(Status::NoCases)
                    }
                    other => other,
                }
            })
            .collect()
    }

    /// Whether the disclosure policy decides this period's tables (the recipe's finest period
    /// kind) or its statuses are derived from shorter periods ([`super::derived`]).
    pub(crate) fn is_audited(&self) -> bool {
        ReportPeriod::parse(&self.period)
            .is_ok_and(|p| Some(p.kind()) == self.recipe.spec.dimensions.audited_kind())
    }

    /// A table of the given grid cells (in that order) with every margin of the grid whose
    /// total and parts are all among them.
    pub(crate) fn part_table(&self, members: &[usize]) -> Table {
        let mut t = Table::new();
        let mut ids = vec![None; self.cells.len()];
        for &i in members {
            ids[i] = Some(t.add_cell(self.cells[i].input));
        }
        for (total, parts) in self.margins() {
            if let (Some(tid), Some(pids)) = (
                ids[total],
                parts.iter().map(|&p| ids[p]).collect::<Option<Vec<_>>>(),
            ) {
                t.add_margin(tid, pids);
            }
        }
        t
    }

    /// Every margin among the published cells that holds exactly: (total, parts).
    pub(crate) fn margins(&self) -> Vec<(usize, Vec<usize>)> {
        let w = self.width();
        let mut out = Vec::new();
        let mut add = |total: usize, parts: Vec<usize>| {
            if parts.is_empty()
                || !self.published(total)
                || !parts.iter().all(|&p| self.published(p))
            {
                return;
            }
            let sum = parts
                .iter()
                .fold(Sums::default(), |acc, &p| acc.plus(self.cells[p].sums));
            if self.cells[total].sums.same(sum) {
                out.push((total, parts));
            }
        };
        // In a row.
        for (r, row) in self.rows.iter().enumerate() {
            if row.level > Level::Region {
                continue;
            }
            if !self.sex_parts.is_empty() {
                add(r * w, self.sex_parts.iter().map(|&c| r * w + c).collect());
            }
            if row.level == Level::Land && !self.age_parts.is_empty() {
                add(r * w, self.age_parts.iter().map(|&c| r * w + c).collect());
            }
        }
        // Down the hierarchy: Sweden = Σ regions (the sjukvårdsregioner are a second partition
        // of the same regions); each other area adds up to the nearest area above it that has
        // a row (a unit whose hospital is not published adds up to its region).
        let index: BTreeMap<&str, usize> = self
            .rows
            .iter()
            .enumerate()
            .map(|(r, l)| (l.area.as_str(), r))
            .collect();
        let mut children: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for (r, row) in self.rows.iter().enumerate() {
            let Ok(area) = Area::parse(&row.area) else {
                continue;
            };
            let mut up = match &area {
                Area::Region(_) => {
                    if let Some(&s) = index.get(SWEDEN) {
                        children.entry(s).or_default().push(r);
                    }
                    area.parent()
                }
                Area::Sweden | Area::Sjukvardsregion(_) => None,
                other => other.parent(),
            };
            while let Some(p) = up {
                if let Some(&pr) = index.get(p.to_string().as_str()) {
                    children.entry(pr).or_default().push(r);
                    break;
                }
                up = p.parent();
            }
        }
        for (parent, kids) in &children {
            for c in 0..w {
                add(parent * w + c, kids.iter().map(|&k| k * w + c).collect());
            }
        }
        out
    }

    /// The published cells of the rows whose level passes `keep`.
    pub(crate) fn published_at(&self, keep: impl Fn(&RowLabel) -> bool) -> Vec<usize> {
        (0..self.cells.len())
            .filter(|&i| self.published(i) && keep(&self.rows[i / self.width()]))
            .collect()
    }

    /// (period, area, kon, aldersgrupp) of the given grid cells.
    pub(crate) fn labels(&self, members: &[usize]) -> Vec<Label> {
        members
            .iter()
            .map(|&i| {
                let c = &self.cells[i];
                (
                    c.period.clone(),
                    c.area.clone(),
                    c.kon.clone(),
                    c.age.clone(),
                )
            })
            .collect()
    }

    /// Statuses of a region analyst's view: the own region's areas unsuppressed, every other
    /// cell as the public sees it.
    pub(crate) fn region_view(
        &self,
        public: &[Option<Status>],
        own: &RegionCode,
    ) -> Vec<Option<Status>> {
        let w = self.width();
        let mut out = public.to_vec();
        for (i, status) in out.iter_mut().enumerate() {
            let Some(s) = status else { continue };
            if self.rows[i / w].region.as_ref() == Some(own) {
                *s = unsuppressed(self.cells[i].input);
            }
        }
        out
    }
}

/// (period, area, kon, aldersgrupp) of a cell.
pub type Label = (String, String, String, String);

fn label(period: &str, area: &Area) -> RowLabel {
    RowLabel {
        period: period.to_owned(),
        area: area.to_string(),
        level: area.level(),
        region: area.region(),
    }
}

fn sums_of(r: Option<&&ResultRow>) -> Sums {
    r.map_or(Sums::default(), |r| Sums {
        n: r.numerator,
        d: r.denominator,
        c: r.cases,
    })
}

/// The status a cell has without any suppression.
pub(crate) fn unsuppressed(input: CellInput) -> Status {
    match input {
        CellInput::Values(v) if v.count == 0 && v.value == 0.0 => Status::Zero,
        CellInput::Values(_) => Status::Ok,
        CellInput::NoData => Status::NoData,
        CellInput::NotApplicable => Status::NotApplicable,
    }
}

/// Non-negative integer of an additive quantity (counts are sums of integers; guard rounding).
fn whole(x: f64) -> u64 {
    x.round().max(0.0) as u64
}

/// The cell the policy sees for an indicator's unit.
fn cell_input(unit: Unit, s: Sums, row: Option<&ResultRow>) -> CellInput {
    let count = match unit {
        Unit::Proportion | Unit::Per100 | Unit::Per1000 | Unit::Per100000 => whole(s.n),
        Unit::Mean | Unit::Ratio | Unit::PerInhabitant => whole(s.c),
    };
    // No denominator and nothing counted: not applicable. Records without a denominator (e.g.
    // contacts of an age no resident has) still count in the margins, so they stay cells.
    if s.d <= 0.0 && count == 0 {
        return CellInput::NotApplicable;
    }
    let value = row.and_then(|r| r.value).unwrap_or(if s.d > 0.0 {
        s.n / s.d * unit.scale()
    } else {
        0.0
    });
    let interval = row.and_then(|r| {
        Some(Interval {
            lower: r.lower?,
            upper: r.upper?,
        })
    });
    let values = match unit {
        Unit::Proportion => match CellValues::proportion(whole(s.n), whole(s.d), interval) {
            Ok(v) => CellValues { value, ..v },
            Err(_) => return CellInput::NotApplicable,
        },
        Unit::Per100 | Unit::Per1000 | Unit::Per100000 => {
            CellValues::rate(whole(s.n), value, interval)
        }
        Unit::Mean | Unit::Ratio | Unit::PerInhabitant => {
            CellValues::mean(whole(s.c), value, interval)
        }
    };
    CellInput::Values(values)
}

//! The indicator page's view as data: the query (`kon`, `aldersgrupp`, `niva`, `periodtyp`,
//! `period`, `jamfor`, `sortera`), the period it opens on, and the rows of its values table.
//! The page and the "download what I see" files are both built from [`rows`], so they cannot
//! disagree.

use crate::published::PublicValue;
use std::collections::BTreeMap;
use vardhub_domain::{Level, PeriodKind, RegionCode, ReportPeriod};
use vardhub_engine::disclosure::Status;
use vardhub_engine::indicator::IndicatorSpec;
use vardhub_engine::indicator::compute::{ALL, SWEDEN};
use vardhub_engine::indicator::spec::Direction;

use super::super::format::{display_factor, headline};

/// The order of the areas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Geographic order (the areas' codes).
    #[default]
    Name,
    /// By value, best first according to the indicator's direction; hidden values last.
    Value,
}

impl Sort {
    /// The query value.
    pub fn code(self) -> &'static str {
        match self {
            Sort::Name => "namn",
            Sort::Value => "varde",
        }
    }
}

/// The page's query, parsed (unknown values are dropped: the view falls back to its default).
#[derive(Debug, Clone, Default)]
pub struct Params {
    /// `1`, `2` or `alla`.
    pub kon: Option<String>,
    /// An age group or `alla`.
    pub aldersgrupp: Option<String>,
    /// The level of the compared areas.
    pub niva: Option<Level>,
    /// Period kind.
    pub kind: Option<PeriodKind>,
    /// Period.
    pub period: Option<ReportPeriod>,
    /// Regions compared over time (the first is the select `#val-region`).
    pub jamfor: Vec<RegionCode>,
    /// Order.
    pub sort: Sort,
    /// `?hemregion=NN`: remember this home region.
    pub hemregion: Option<RegionCode>,
    /// The form's "save as my home region".
    pub save_home: bool,
}

fn region(s: &str) -> Option<RegionCode> {
    RegionCode::parse(s).ok().filter(|r| r.as_str() == s)
}

impl Params {
    /// Parse the query's pairs (repeated `jamfor`; `region` is an older name for it).
    pub fn parse(pairs: &[(String, String)]) -> Params {
        let mut p = Params::default();
        for (k, v) in pairs {
            let v = v.trim();
            match k.as_str() {
                "kon" if matches!(v, "alla" | "1" | "2") => p.kon = Some(v.to_owned()),
                "aldersgrupp" if !v.is_empty() && v.len() <= 16 => {
                    p.aldersgrupp = Some(v.to_owned());
                }
                "niva" => p.niva = Level::parse(v).filter(|l| *l != Level::Land),
                "periodtyp" => p.kind = PeriodKind::parse(v),
                "period" => p.period = ReportPeriod::parse(v).ok(),
                "jamfor" | "region" => {
                    if let Some(r) = region(v)
                        && !p.jamfor.contains(&r)
                    {
                        p.jamfor.push(r);
                    }
                }
                "sortera" => {
                    p.sort = if v == "varde" {
                        Sort::Value
                    } else {
                        Sort::Name
                    };
                }
                "hemregion" => p.hemregion = region(v),
                "spara_hem" => p.save_home = v == "1",
                _ => {}
            }
        }
        p
    }
}

/// The view the page shows, resolved against the recipe and the values.
#[derive(Debug, Clone)]
pub struct View {
    /// Sex.
    pub kon: String,
    /// Age group.
    pub aldersgrupp: String,
    /// Level of the compared areas.
    pub niva: Level,
    /// Period kind.
    pub kind: PeriodKind,
    /// Period (`None`: nothing published yet).
    pub period: Option<ReportPeriod>,
    /// Regions compared over time.
    pub jamfor: Vec<RegionCode>,
    /// Order.
    pub sort: Sort,
}

impl View {
    /// The query string that reproduces this view (without a leading `?`).
    pub fn query(&self) -> String {
        let mut q = vec![
            format!("kon={}", self.kon),
            format!("aldersgrupp={}", encode(&self.aldersgrupp)),
            format!("niva={}", self.niva.code()),
            format!("periodtyp={}", self.kind.code()),
        ];
        if let Some(p) = self.period {
            q.push(format!("period={p}"));
        }
        q.extend(self.jamfor.iter().map(|r| format!("jamfor={}", r.as_str())));
        q.push(format!("sortera={}", self.sort.code()));
        q.join("&")
    }

    /// The query of this view with another period kind (its latest shown period).
    pub fn with_kind(&self, kind: PeriodKind) -> String {
        View {
            kind,
            period: None,
            ..self.clone()
        }
        .query()
    }
}

/// Percent-encode a query value (age groups hold `+`).
pub fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What the recipe publishes for the page's choices.
#[derive(Debug, Clone)]
pub struct Choices {
    /// Sexes (`alla` first).
    pub sexes: Vec<String>,
    /// Age groups (`alla` first).
    pub ages: Vec<String>,
    /// Levels the areas can be compared at.
    pub levels: Vec<Level>,
}

/// The start of an age group (`80+` → 80) for ordering.
fn age_start(a: &str) -> u32 {
    a.chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .unwrap_or(u32::MAX)
}

/// The sexes, age groups and levels one indicator's values have.
pub fn choices(values: &[&PublicValue], spec: &IndicatorSpec) -> Choices {
    let mut sexes: Vec<String> = vec![ALL.to_owned()];
    let mut ages: Vec<String> = vec![ALL.to_owned()];
    for v in values.iter().filter(|v| v.level == "region") {
        if matches!(v.kon.as_str(), "1" | "2") && !sexes.contains(&v.kon) {
            sexes.push(v.kon.clone());
        }
        if v.aldersgrupp != ALL && v.aldersgrupp != "okand" && !ages.contains(&v.aldersgrupp) {
            ages.push(v.aldersgrupp.clone());
        }
    }
    sexes[1..].sort();
    ages[1..].sort_by_key(|a| (age_start(a), a.clone()));
    let levels = [
        Level::Sjukvardsregion,
        Level::Region,
        Level::Kommun,
        Level::Sjukhus,
        Level::Enhet,
    ]
    .into_iter()
    .filter(|l| !spec.dimensions.kinds_at(*l).is_empty())
    .filter(|l| values.iter().any(|v| v.level == l.code()))
    .collect();
    Choices {
        sexes,
        ages,
        levels,
    }
}

/// Whether a value belongs to the view's table at `period` (any period when `None`).
fn in_table(v: &PublicValue, kon: &str, age: &str, niva: Level) -> bool {
    v.kon == kon && v.aldersgrupp == age && (v.region == SWEDEN || v.level == niva.code())
}

/// How many areas a period has in the table, and how many of them show a value.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Coverage {
    /// Areas with a shown value (Sweden not counted).
    pub shown: usize,
    /// Areas in the table (Sweden not counted).
    pub total: usize,
}

impl Coverage {
    /// At least one area's value is shown.
    pub fn any(self) -> bool {
        self.shown > 0
    }

    /// At least half of the areas' values are shown.
    fn mostly(self) -> bool {
        self.any() && 2 * self.shown >= self.total
    }
}

/// The periods of the view's sex, age group and level, with how many areas each shows.
pub fn periods(
    values: &[&PublicValue],
    kon: &str,
    age: &str,
    niva: Level,
) -> BTreeMap<ReportPeriod, Coverage> {
    let mut out: BTreeMap<ReportPeriod, Coverage> = BTreeMap::new();
    for v in values.iter().filter(|v| in_table(v, kon, age, niva)) {
        let Ok(p) = ReportPeriod::parse(&v.period) else {
            continue;
        };
        let c = out.entry(p).or_default();
        if v.region != SWEDEN {
            c.total += 1;
            if v.status.is_published() && v.value.is_some() {
                c.shown += 1;
            }
        }
    }
    out
}

/// The period the page shows: the asked-for period when it exists (and agrees with an
/// asked-for kind); else the latest period of the asked-for kind with a shown value (or its
/// latest). Without a wish: the latest period of the finest kind where at least half of the
/// areas' values are shown (a small-count indicator opens on its latest quarter or year rather
/// than on a month of hidden values); else, of the kinds' latest periods with a shown value, the
/// one that shows the most areas (the finer on a tie); else the latest period of the finest
/// kind. Never a period where everything is hidden when another period shows values, unless
/// asked for.
pub fn choose_period(
    avail: &BTreeMap<ReportPeriod, Coverage>,
    kinds: &[PeriodKind],
    want_kind: Option<PeriodKind>,
    want: Option<ReportPeriod>,
) -> Option<ReportPeriod> {
    let want_kind = want_kind.filter(|k| kinds.contains(k));
    if let Some(p) = want
        && avail.contains_key(&p)
        && kinds.contains(&p.kind())
        && want_kind.is_none_or(|k| k == p.kind())
    {
        return Some(p);
    }
    let latest = |kind: PeriodKind, shown: bool| {
        avail
            .iter()
            .rev()
            .find(|(p, c)| p.kind() == kind && (!shown || c.any()))
            .map(|(p, c)| (*p, *c))
    };
    if let Some(k) = want_kind
        && let Some((p, _)) = latest(k, true).or_else(|| latest(k, false))
    {
        return Some(p);
    }
    let mostly = kinds
        .iter()
        .filter_map(|k| latest(*k, false))
        .find(|(_, c)| c.mostly());
    let most = || {
        kinds.iter().filter_map(|k| latest(*k, true)).fold(
            None,
            |best: Option<(ReportPeriod, Coverage)>, (p, c)| match best {
                Some((_, b)) if b.shown >= c.shown => best,
                _ => Some((p, c)),
            },
        )
    };
    mostly
        .or_else(most)
        .or_else(|| kinds.iter().find_map(|k| latest(*k, false)))
        .map(|(p, _)| p)
}

/// Resolve the query against what the recipe publishes and what the values hold.
pub fn resolve(
    params: &Params,
    values: &[&PublicValue],
    spec: &IndicatorSpec,
    home: Option<RegionCode>,
) -> (View, Choices) {
    let choices = choices(values, spec);
    let niva = params
        .niva
        .filter(|l| choices.levels.contains(l))
        .unwrap_or(Level::Region);
    // Finer levels are published for their totals only.
    let split = matches!(niva, Level::Sjukvardsregion | Level::Region);
    let pick = |asked: &Option<String>, list: &[String]| {
        asked
            .clone()
            .filter(|a| split && list.contains(a))
            .unwrap_or_else(|| ALL.to_owned())
    };
    let kon = pick(&params.kon, &choices.sexes);
    let aldersgrupp = pick(&params.aldersgrupp, &choices.ages);
    let kinds = spec.dimensions.kinds_at(niva);
    let avail = periods(values, &kon, &aldersgrupp, niva);
    let period = choose_period(&avail, &kinds, params.kind, params.period);
    let kind = period
        .map(ReportPeriod::kind)
        .or(params.kind.filter(|k| kinds.contains(k)))
        .or_else(|| kinds.first().copied())
        .unwrap_or(PeriodKind::Month);
    let mut jamfor = params.jamfor.clone();
    if jamfor.is_empty() {
        jamfor.extend(home.or_else(|| RegionCode::all().next()));
    }
    let view = View {
        kon,
        aldersgrupp,
        niva,
        kind,
        period,
        jamfor,
        sort: params.sort,
    };
    (view, choices)
}

/// One row of the values table (and of the downloaded view).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Area code (`00` Sweden).
    pub area: String,
    /// Status in this view.
    pub status: Status,
    /// The value as the API has it (crude, stored units).
    pub raw: Option<f64>,
    /// The value shown (standardised where there is one), in display units.
    pub shown: Option<f64>,
    /// Its 95 % interval, display units.
    pub lower: Option<f64>,
    /// Upper limit.
    pub upper: Option<f64>,
    /// Numerator.
    pub numerator: Option<f64>,
    /// Denominator.
    pub denominator: Option<f64>,
    /// Compared with Sweden (`better`, `worse`, `not_significant`, `cannot_be_assessed`).
    pub flag: Option<String>,
    /// Sweden's own row.
    pub sweden: bool,
}

impl Row {
    /// The row of one value.
    pub fn of(v: &PublicValue, spec: &IndicatorSpec) -> Row {
        let (shown, lower, upper) = headline(v, spec.unit);
        let published = v.status.is_published();
        Row {
            area: v.region.clone(),
            status: v.status,
            raw: v.value,
            shown: shown.filter(|_| published),
            lower: lower.filter(|_| published),
            upper: upper.filter(|_| published),
            numerator: v.numerator,
            denominator: v.denominator,
            flag: v.funnel_95.clone().filter(|_| v.region != SWEDEN),
            sweden: v.region == SWEDEN,
        }
    }
}

/// The rows of the view's table, Sweden first, then the areas in the view's order.
pub fn rows(values: &[&PublicValue], spec: &IndicatorSpec, view: &View) -> Vec<Row> {
    let Some(period) = view.period.map(|p| p.to_string()) else {
        return Vec::new();
    };
    let mut rows: Vec<Row> = values
        .iter()
        .filter(|v| v.period == period && in_table(v, &view.kon, &view.aldersgrupp, view.niva))
        .map(|v| Row::of(v, spec))
        .collect();
    sort(&mut rows, view.sort, spec.direction);
    rows
}

/// Sort rows: Sweden first; then by code, or by value best first (hidden last, by code).
pub fn sort(rows: &mut [Row], sort: Sort, direction: Direction) {
    rows.sort_by(|a, b| {
        let first = b.sweden.cmp(&a.sweden);
        let by_value = match (sort, a.shown, b.shown) {
            (Sort::Name, ..) => std::cmp::Ordering::Equal,
            (Sort::Value, Some(x), Some(y)) => match direction {
                Direction::Higher => y.total_cmp(&x),
                Direction::Lower => x.total_cmp(&y),
            },
            (Sort::Value, Some(_), None) => std::cmp::Ordering::Less,
            (Sort::Value, None, Some(_)) => std::cmp::Ordering::Greater,
            (Sort::Value, None, None) => std::cmp::Ordering::Equal,
        };
        first.then(by_value).then_with(|| a.area.cmp(&b.area))
    });
}

/// A value rounded to the decimals it is shown with.
pub fn rounded(v: f64, decimals: usize) -> f64 {
    let f = 10f64.powi(i32::try_from(decimals).unwrap_or(0));
    (v * f).round() / f
}

/// The display factor, for callers that need stored → display.
pub fn factor(spec: &IndicatorSpec) -> f64 {
    display_factor(spec.unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> ReportPeriod {
        ReportPeriod::parse(s).unwrap()
    }

    fn row(area: &str, shown: Option<f64>) -> Row {
        Row {
            area: area.into(),
            status: if shown.is_some() {
                Status::Ok
            } else {
                Status::HiddenSmall
            },
            raw: shown,
            shown,
            lower: None,
            upper: None,
            numerator: None,
            denominator: None,
            flag: None,
            sweden: area == "00",
        }
    }

    #[test]
    fn the_page_opens_on_the_latest_period_that_shows_a_value() {
        let kinds = [PeriodKind::Month, PeriodKind::Quarter, PeriodKind::Year];
        let cov = |shown| Coverage { shown, total: 10 };
        let mut avail = BTreeMap::new();
        avail.insert(p("2024-01"), cov(6));
        avail.insert(p("2024-02"), cov(6));
        avail.insert(p("2024-03"), cov(7));
        avail.insert(p("2024-K1"), cov(9));
        // The latest month shows most areas: that month.
        assert_eq!(
            choose_period(&avail, &kinds, None, None),
            Some(p("2024-03"))
        );
        // The latest month hides everything: the latest quarter (which includes it) rather
        // than an older month.
        avail.insert(p("2024-03"), cov(0));
        assert_eq!(
            choose_period(&avail, &kinds, None, None),
            Some(p("2024-K1"))
        );
        // Few areas shown anywhere: the latest period that shows the most.
        avail.insert(p("2024-K1"), cov(2));
        avail.insert(p("2024-02"), cov(3));
        assert_eq!(
            choose_period(&avail, &kinds, None, None),
            Some(p("2024-02"))
        );
        avail.insert(p("2024-K1"), cov(3));
        assert_eq!(
            choose_period(&avail, &kinds, None, None),
            Some(p("2024-02")),
            "a tie goes to the finer kind"
        );
        // Asked for a period: that one, even if hidden.
        assert_eq!(
            choose_period(&avail, &kinds, None, Some(p("2024-03"))),
            Some(p("2024-03"))
        );
        // A kind and a period of another kind (the form changed the kind): the kind wins.
        assert_eq!(
            choose_period(
                &avail,
                &kinds,
                Some(PeriodKind::Quarter),
                Some(p("2024-03"))
            ),
            Some(p("2024-K1"))
        );
        // Every month hidden: the quarter.
        for m in ["2024-01", "2024-02"] {
            avail.insert(p(m), cov(0));
        }
        assert_eq!(
            choose_period(&avail, &kinds, None, None),
            Some(p("2024-K1"))
        );
        // Nothing shown at all: the latest of the finest kind.
        avail.insert(p("2024-K1"), cov(0));
        assert_eq!(
            choose_period(&avail, &kinds, None, None),
            Some(p("2024-03"))
        );
        // A period the recipe does not publish, or unknown: the default.
        assert_eq!(
            choose_period(&avail, &[PeriodKind::Quarter], None, Some(p("2024-03"))),
            Some(p("2024-K1"))
        );
        assert_eq!(choose_period(&BTreeMap::new(), &kinds, None, None), None);
    }

    #[test]
    fn rows_sort_by_code_or_best_value_first_with_sweden_on_top() {
        let mut rows = vec![
            row("03", Some(50.0)),
            row("01", Some(70.0)),
            row("00", Some(60.0)),
            row("05", None),
            row("04", Some(80.0)),
        ];
        sort(&mut rows, Sort::Name, Direction::Higher);
        let order = |rows: &[Row]| rows.iter().map(|r| r.area.clone()).collect::<Vec<_>>();
        assert_eq!(order(&rows), ["00", "01", "03", "04", "05"]);
        sort(&mut rows, Sort::Value, Direction::Higher);
        assert_eq!(order(&rows), ["00", "04", "01", "03", "05"]);
        sort(&mut rows, Sort::Value, Direction::Lower);
        assert_eq!(order(&rows), ["00", "03", "01", "04", "05"]);
    }

    #[test]
    fn the_query_parses_without_failing_and_round_trips() {
        let pairs: Vec<(String, String)> = [
            ("kon", "2"),
            ("periodtyp", "quarter"),
            ("sortera", "varde"),
            ("jamfor", "01"),
            ("jamfor", "12"),
            ("jamfor", "99"),
            ("jamfor", "01"),
            ("niva", "land"),
            ("period", "2024-K9"),
            ("aldersgrupp", "80+"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let p = Params::parse(&pairs);
        assert_eq!(p.kon.as_deref(), Some("2"));
        assert_eq!(p.kind, Some(PeriodKind::Quarter));
        assert_eq!(p.sort, Sort::Value);
        assert_eq!(
            p.jamfor.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
            ["01", "12"]
        );
        assert_eq!(p.niva, None);
        assert_eq!(p.period, None);
        assert_eq!(encode("80+"), "80%2B");
        assert_eq!(rounded(60.04999, 1), 60.0);
    }
}

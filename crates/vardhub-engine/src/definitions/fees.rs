//! The fee model (avgiftsmodell) for external users, as data: `fees/avgifter.toml` in the
//! definitions folder (the repository's file is the built-in one).
//!
//! The model follows Statistics Sweden's MONA: a **start fee** per research project, a fee per
//! **user** (account) and month or year, **handling** time per hour (cases and projects alike) and
//! the **resources** used — storage per GB-month and compute per core-hour. Every amount is in
//! whole kronor, excluding VAT (moms), and ≥ 0; the model has an id, a version and a validity
//! range, and says whether its amounts are only illustrative (the repository's are: the competence
//! centre sets the real ones by decision).
//!
//! [`FeeModel::parse`] names every mistake by file, line and field ([`Finding`]): syntax, unknown
//! and missing fields (`deny_unknown_fields`), a value of the wrong type, a negative or absurdly
//! large amount, a currency other than SEK, a date with a time or a validity range that ends
//! before it starts.

use super::finding::{Finding, Mistake, from_toml_error, line_at, line_of};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Where the fee model lives in a definitions folder.
pub const FEES_FILE: &str = "fees/avgifter.toml";

/// The largest amount accepted, in kronor (so that öre sums cannot overflow).
pub const MAX_AMOUNT_KR: i64 = 1_000_000_000;

/// The period the user fee is charged per.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserFeePer {
    /// Per user and month.
    Month,
    /// Per user and year (charged per user-month as a twelfth).
    Year,
}

/// The amounts of a fee model, in whole kronor excluding VAT, each ≥ 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct FeeAmounts {
    /// Start fee per research project, charged once, in the period the project starts.
    pub start_fee: i64,
    /// Handling per hour (cases and projects).
    pub hourly_rate: i64,
    /// Fee per user (account) and [`FeeAmounts::user_fee_per`].
    pub user_fee: i64,
    /// Whether [`FeeAmounts::user_fee`] is per month or per year.
    pub user_fee_per: UserFeePer,
    /// Storage per GB and month.
    pub storage_per_gb_month: i64,
    /// Compute per core-hour.
    pub compute_per_core_hour: i64,
}

/// A checked fee model. Built by [`FeeModel::parse`] (or [`FeeModel::builtin`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeeModel {
    /// The model's id (`avgifter`).
    pub id: String,
    /// Its version; every invoice basis names it.
    pub version: String,
    /// Always `SEK`.
    pub currency: String,
    /// First day the model applies.
    pub valid_from: NaiveDate,
    /// Last day the model applies (inclusive).
    pub valid_to: NaiveDate,
    /// The amounts are only an example (not yet decided by the competence centre).
    pub illustrative: bool,
    /// The decision that set the amounts (or that they are illustrative).
    pub decision: String,
    /// The amounts.
    pub amounts: FeeAmounts,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    id: String,
    version: String,
    currency: String,
    valid_from: toml::value::Datetime,
    valid_to: toml::value::Datetime,
    illustrative: bool,
    decision: String,
    amounts: RawAmounts,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAmounts {
    start_fee: i64,
    hourly_rate: i64,
    user_fee: i64,
    user_fee_per: UserFeePer,
    storage_per_gb_month: i64,
    compute_per_core_hour: i64,
}

impl FeeModel {
    /// The built-in model: the repository's `fees/avgifter.toml`, embedded.
    pub fn builtin() -> FeeModel {
        match FeeModel::parse(FEES_FILE, BUILTIN) {
            Ok(m) => m,
            // The embedded file is checked by the tests; a broken one is a build defect.
            Err(f) => panic!("the built-in fee model is broken: {f:?}"),
        }
    }

    /// Parse and check a fee model; `file` is the name findings carry (relative to the
    /// definitions folder). Any finding refuses the model.
    pub fn parse(file: &str, text: &str) -> Result<FeeModel, Vec<Finding>> {
        if let Err(e) = toml::from_str::<toml::Table>(text) {
            let line = e.span().map(|s| line_at(text, s.start));
            return Err(vec![Finding {
                file: file.to_owned(),
                line,
                field: None,
                kind: Mistake::Syntax,
                message: e.message().trim().to_owned(),
            }]);
        }
        let raw: RawModel = match toml::from_str(text) {
            Ok(r) => r,
            Err(e) => {
                let mut f = from_toml_error(file, text, &e, Mistake::InvalidValue);
                if f.field.is_none() {
                    f.field = f.line.and_then(|l| key_on_line(text, l));
                }
                return Err(vec![f]);
            }
        };
        let mut findings = Vec::new();
        let mut bad = |section: &str, key: &str, message: String| {
            let field = if section.is_empty() {
                key.to_owned()
            } else {
                format!("{section}.{key}")
            };
            findings.push(Finding {
                file: file.to_owned(),
                line: line_of(text, Some(section), key),
                field: Some(field),
                kind: Mistake::InvalidValue,
                message,
            });
        };
        for (key, value) in [("id", &raw.id), ("version", &raw.version)] {
            if value.trim().is_empty() {
                bad("", key, "får inte vara tom / must not be empty".into());
            }
        }
        if raw.currency != "SEK" {
            bad(
                "",
                "currency",
                format!(
                    "valutan ska vara SEK, inte {:?} / the currency must be SEK",
                    raw.currency
                ),
            );
        }
        let mut date = |key: &str, d: &toml::value::Datetime| match (d.date, d.time, d.offset) {
            (Some(x), None, None) => {
                NaiveDate::from_ymd_opt(i32::from(x.year), u32::from(x.month), u32::from(x.day))
            }
            _ => {
                bad(
                    "",
                    key,
                    "ange ett datum utan klockslag, t.ex. 2025-01-01 / give a date without a time"
                        .into(),
                );
                None
            }
        };
        let from = date("valid_from", &raw.valid_from);
        let to = date("valid_to", &raw.valid_to);
        if let (Some(a), Some(b)) = (from, to)
            && b < a
        {
            bad(
                "",
                "valid_to",
                format!(
                    "giltig till {b} ligger före giltig från {a} / the validity ends before it starts"
                ),
            );
        }
        let a = &raw.amounts;
        for (key, v) in [
            ("start_fee", a.start_fee),
            ("hourly_rate", a.hourly_rate),
            ("user_fee", a.user_fee),
            ("storage_per_gb_month", a.storage_per_gb_month),
            ("compute_per_core_hour", a.compute_per_core_hour),
        ] {
            if v < 0 {
                bad(
                    "amounts",
                    key,
                    format!("beloppet {v} är negativt / the amount {v} is negative"),
                );
            } else if v > MAX_AMOUNT_KR {
                bad(
                    "amounts",
                    key,
                    format!(
                        "beloppet {v} är orimligt stort (högst {MAX_AMOUNT_KR} kr) / the amount is implausibly large"
                    ),
                );
            }
        }
        match (from, to) {
            (Some(valid_from), Some(valid_to)) if findings.is_empty() => Ok(FeeModel {
                id: raw.id,
                version: raw.version,
                currency: raw.currency,
                valid_from,
                valid_to,
                illustrative: raw.illustrative,
                decision: raw.decision,
                amounts: FeeAmounts {
                    start_fee: a.start_fee,
                    hourly_rate: a.hourly_rate,
                    user_fee: a.user_fee,
                    user_fee_per: a.user_fee_per,
                    storage_per_gb_month: a.storage_per_gb_month,
                    compute_per_core_hour: a.compute_per_core_hour,
                },
            }),
            _ => Err(findings),
        }
    }

    /// Whether the model applies on every day of `from ..= to`.
    pub fn covers(&self, from: NaiveDate, to: NaiveDate) -> bool {
        self.valid_from <= from && to <= self.valid_to
    }
}

const BUILTIN: &str = include_str!("../../../../fees/avgifter.toml");

/// The key assigned on 1-based `line`, with its section (`amounts.user_fee`).
fn key_on_line(text: &str, line: usize) -> Option<String> {
    let mut section = String::new();
    for (i, raw) in text.lines().enumerate() {
        let l = raw.trim();
        if let Some(name) = l.strip_prefix('[').and_then(|l| l.split(']').next()) {
            section = name.trim().to_owned();
        }
        if i + 1 == line {
            let key = l.split('=').next()?.trim();
            if key.is_empty() || key.starts_with('[') || key.starts_with('#') || !l.contains('=') {
                return None;
            }
            return Some(if section.is_empty() {
                key.to_owned()
            } else {
                format!("{section}.{key}")
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(from: &str, to: &str) -> Vec<Finding> {
        assert!(BUILTIN.contains(from), "{from:?}");
        FeeModel::parse(FEES_FILE, &BUILTIN.replacen(from, to, 1)).unwrap_err()
    }

    fn line(key: &str) -> usize {
        BUILTIN
            .lines()
            .position(|l| l.starts_with(key))
            .map(|i| i + 1)
            .unwrap()
    }

    #[test]
    fn the_builtin_model_parses_and_says_it_is_illustrative() {
        let m = FeeModel::builtin();
        assert_eq!(m.currency, "SEK");
        assert!(m.illustrative);
        assert!(BUILTIN.contains("ILLUSTRATIVA") && BUILTIN.contains("ILLUSTRATIVE"));
        assert!(m.valid_from < m.valid_to);
        assert_eq!(m.amounts.user_fee_per, UserFeePer::Month);
        assert!(m.covers(m.valid_from, m.valid_to));
        assert!(!m.covers(m.valid_from.pred_opt().unwrap(), m.valid_to));
    }

    #[test]
    fn a_negative_amount_names_file_line_and_field() {
        let f = after("hourly_rate = 1200", "hourly_rate = -1200");
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].file, FEES_FILE);
        assert_eq!(f[0].kind, Mistake::InvalidValue);
        assert_eq!(f[0].field.as_deref(), Some("amounts.hourly_rate"));
        assert_eq!(f[0].line, Some(line("hourly_rate")));
        assert!(f[0].to_string().contains("negativ"), "{}", f[0]);
    }

    #[test]
    fn a_missing_amount_is_a_missing_field() {
        let f = after("storage_per_gb_month = 5\n", "");
        assert_eq!(f.len(), 1, "{f:#?}");
        assert_eq!(f[0].kind, Mistake::MissingField);
        assert_eq!(f[0].field.as_deref(), Some("storage_per_gb_month"));
    }

    #[test]
    fn an_unknown_field_and_a_fractional_amount_are_named() {
        let f = after("start_fee = 10000", "startavgift = 10000");
        assert_eq!(f[0].kind, Mistake::UnknownField);
        assert_eq!(f[0].field.as_deref(), Some("startavgift"));
        assert_eq!(f[0].line, Some(line("start_fee")));
        let f = after("user_fee = 1100", "user_fee = 1100.50");
        assert_eq!(f[0].kind, Mistake::InvalidValue);
        assert_eq!(f[0].field.as_deref(), Some("amounts.user_fee"));
        assert_eq!(f[0].line, Some(line("user_fee =")));
        let f = after("user_fee_per = \"month\"", "user_fee_per = \"week\"");
        assert_eq!(f[0].field.as_deref(), Some("amounts.user_fee_per"));
    }

    #[test]
    fn currency_dates_and_syntax_are_checked() {
        let f = after("currency = \"SEK\"", "currency = \"EUR\"");
        assert_eq!(f[0].field.as_deref(), Some("currency"));
        let f = after("valid_to = 2026-12-31", "valid_to = 2024-12-31");
        assert_eq!(f[0].field.as_deref(), Some("valid_to"));
        assert_eq!(f[0].line, Some(line("valid_to")));
        let f = after(
            "valid_from = 2025-01-01",
            "valid_from = 2025-01-01T08:00:00",
        );
        assert_eq!(f[0].field.as_deref(), Some("valid_from"));
        let f = after("hourly_rate = 1200", "hourly_rate = = 1200");
        assert_eq!(f[0].kind, Mistake::Syntax);
        assert_eq!(f[0].line, Some(line("hourly_rate")));
    }
}

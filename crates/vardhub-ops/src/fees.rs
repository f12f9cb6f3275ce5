//! The invoice basis (fakturaunderlag) for a case or research project over a period, from the
//! work log and the fee model of the definitions folder (MONA style).
//!
//! Lines, each `quantity × unit price = amount`, with amounts in öre as integers, excluding VAT:
//!
//! * **Startavgift** (projects only): once, when the project's start
//!   ([`vardhub_store::Hub::project_start`]: the earliest day marked as its start, else its first
//!   work or resource entry) lies in the period.
//! * **Handläggning**: the period's work entries (corrections included), summed in minutes, as
//!   hours to two decimals × the hourly rate.
//! * **Användare**: user-months of the period's resource months × the monthly fee (a yearly fee is
//!   charged per user-month as a twelfth, rounded to the öre).
//! * **Lagring**: GB-months × the price per GB-month.
//! * **Beräkning**: core-hours (two decimals) × the price per core-hour.
//!
//! A resource month belongs to the period when its first day does, so that consecutive periods
//! split months without overlap. Work entries belong by their day. The quantity is rounded to two
//! decimals first and the amount computed from the rounded quantity (half away from zero, to the
//! öre), so that a finance department can check every line; a line with quantity zero is left
//! out. The fee model must be valid on every day of the period; the basis names its version.
//! [`InvoiceBasis::to_csv`] writes what a Swedish finance department reads: `;` separated,
//! Swedish headers, decimal comma, UTF-8 with BOM, CRLF.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use vardhub_domain::Period;
use vardhub_engine::definitions::{FeeModel, UserFeePer};
use vardhub_store::Hub;
use vardhub_store::work_log::{ResourceUse, Subject, WorkEntry, WorkLogError, div_round};

/// The VAT statement every basis carries.
pub const VAT_NOTE: &str = "Belopp exkl. moms / amounts excl. VAT";

/// Why no invoice basis could be made, classified by who must act.
#[derive(Debug, thiserror::Error)]
pub enum FeesError {
    /// The period ends before it starts (the user must act).
    #[error("perioden {from} – {to} slutar innan den börjar / the period ends before it starts")]
    Period {
        /// First day.
        from: NaiveDate,
        /// Last day.
        to: NaiveDate,
    },
    /// The fee model does not apply on every day of the period (the user must act: split the
    /// period; or the competence centre: decide a model for it).
    #[error(
        "avgiftsmodellen {id} {version} gäller {valid_from} – {valid_to}, inte hela perioden / the fee model applies {valid_from} – {valid_to}, not the whole period"
    )]
    NotValid {
        /// The model's id.
        id: String,
        /// Its version.
        version: String,
        /// First valid day.
        valid_from: NaiveDate,
        /// Last valid day.
        valid_to: NaiveDate,
    },
    /// An amount does not fit (absurd quantities: the operator must look at the work log).
    #[error("beloppet blir för stort / the amount overflows")]
    Overflow,
    /// The work log could not be read (the operator must act).
    #[error(transparent)]
    WorkLog(#[from] WorkLogError),
}

/// What a line charges for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// The project's start fee.
    StartFee,
    /// Handling time.
    Handling,
    /// User accounts.
    Users,
    /// Storage.
    Storage,
    /// Compute.
    Compute,
}

/// One line: `quantity × unit price = amount`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceLine {
    /// What it charges for.
    pub kind: LineKind,
    /// Description in Swedish.
    pub text_sv: String,
    /// Description in English.
    pub text_en: String,
    /// Quantity in hundredths (150 = 1,50).
    pub quantity_hundredths: i64,
    /// Unit in Swedish (`st`, `timmar`, `användarmånader`, `GB-månader`, `kärntimmar`).
    pub unit_sv: &'static str,
    /// Price per unit in öre, excluding VAT.
    pub unit_price_ore: i64,
    /// Amount in öre, excluding VAT.
    pub amount_ore: i64,
}

/// The invoice basis of one subject and period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceBasis {
    /// The case or project.
    pub subject: Subject,
    /// First day of the period.
    pub from: NaiveDate,
    /// Last day (inclusive).
    pub to: NaiveDate,
    /// The fee model's id.
    pub fee_model: String,
    /// The fee model's version used.
    pub fee_model_version: String,
    /// The fee model's amounts are only illustrative (not decided).
    pub illustrative: bool,
    /// Always `SEK`.
    pub currency: String,
    /// [`VAT_NOTE`]: every amount excludes VAT.
    pub vat: &'static str,
    /// The project's start day, if known.
    pub project_start: Option<NaiveDate>,
    /// The lines with a non-zero quantity.
    pub lines: Vec<InvoiceLine>,
    /// Sum of the lines, öre, excluding VAT.
    pub total_ore: i64,
    /// The work entries behind the handling line.
    pub work: Vec<WorkEntry>,
    /// The resource entries behind the user, storage and compute lines.
    pub resources: Vec<ResourceUse>,
}

/// The invoice basis of `subject` for `from ..= to` from the hub's work log under `model`.
pub async fn invoice_basis(
    hub: &Hub,
    model: &FeeModel,
    subject: &Subject,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<InvoiceBasis, FeesError> {
    check_period(model, from, to)?;
    let work = hub.work_entries(subject, from, to).await?;
    let resources = match resource_months(from, to) {
        Some((first, last)) => hub.resource_use(subject, first, last).await?,
        None => Vec::new(),
    };
    let start = if subject.is_project() {
        hub.project_start(subject).await?
    } else {
        None
    };
    basis_from(model, subject, from, to, start, work, resources)
}

/// The months whose first day lies in `from ..= to`, as (first, last), if any.
pub fn resource_months(from: NaiveDate, to: NaiveDate) -> Option<(Period, Period)> {
    let first = if from.day() == 1 {
        Period::of(from)
    } else {
        Period::of(from).checked_next()?
    };
    let last = Period::of(to);
    (first <= last).then_some((first, last))
}

fn check_period(model: &FeeModel, from: NaiveDate, to: NaiveDate) -> Result<(), FeesError> {
    if to < from {
        return Err(FeesError::Period { from, to });
    }
    if !model.covers(from, to) {
        return Err(FeesError::NotValid {
            id: model.id.clone(),
            version: model.version.clone(),
            valid_from: model.valid_from,
            valid_to: model.valid_to,
        });
    }
    Ok(())
}

/// `quantity_hundredths × unit_price_ore / 100`, rounded half away from zero.
fn amount(quantity_hundredths: i64, unit_price_ore: i64) -> Result<i64, FeesError> {
    let p = i128::from(quantity_hundredths) * i128::from(unit_price_ore);
    let q = (2 * p.abs() + 100) / 200;
    i64::try_from(if p < 0 { -q } else { q }).map_err(|_| FeesError::Overflow)
}

/// The invoice basis from entries already read (the entries must be those of `subject` and the
/// period: work by day, resources by month as [`resource_months`]); `start` is the project's
/// start day. Pure: what [`invoice_basis`] computes after reading the store.
pub fn basis_from(
    model: &FeeModel,
    subject: &Subject,
    from: NaiveDate,
    to: NaiveDate,
    start: Option<NaiveDate>,
    work: Vec<WorkEntry>,
    resources: Vec<ResourceUse>,
) -> Result<InvoiceBasis, FeesError> {
    check_period(model, from, to)?;
    let a = &model.amounts;
    let kr = |k: i64| k.checked_mul(100).ok_or(FeesError::Overflow);
    let mut lines = Vec::new();
    let mut line = |kind, sv: String, en: String, unit, q: i64, price: i64| {
        if q != 0 {
            lines.push(InvoiceLine {
                kind,
                text_sv: sv,
                text_en: en,
                quantity_hundredths: q,
                unit_sv: unit,
                unit_price_ore: price,
                amount_ore: amount(q, price)?,
            });
        }
        Ok::<(), FeesError>(())
    };
    if subject.is_project()
        && let Some(day) = start.filter(|d| (from..=to).contains(d))
    {
        line(
            LineKind::StartFee,
            format!("Startavgift, projektet startade {day}"),
            format!("Start fee, the project started {day}"),
            "st",
            100,
            kr(a.start_fee)?,
        )?;
    }
    let minutes: i64 = work.iter().map(|w| w.minutes).sum();
    line(
        LineKind::Handling,
        format!("Handläggning, {} poster", work.len()),
        format!("Handling, {} entries", work.len()),
        "timmar",
        div_round(minutes * 100, 60),
        kr(a.hourly_rate)?,
    )?;
    let user_months: i64 = resources.iter().map(|r| r.users).sum();
    let (sv, en, price) = match a.user_fee_per {
        UserFeePer::Month => (
            "Användare per månad".to_owned(),
            "Users per month".to_owned(),
            kr(a.user_fee)?,
        ),
        UserFeePer::Year => (
            format!("Användare, årsavgift {} kr per månad (1/12)", a.user_fee),
            format!("Users, yearly fee {} SEK per month (1/12)", a.user_fee),
            div_round(kr(a.user_fee)?, 12),
        ),
    };
    line(
        LineKind::Users,
        sv,
        en,
        "användarmånader",
        user_months * 100,
        price,
    )?;
    let storage: i64 = resources.iter().map(|r| r.storage_gb_hundredths).sum();
    line(
        LineKind::Storage,
        "Lagring".into(),
        "Storage".into(),
        "GB-månader",
        storage,
        kr(a.storage_per_gb_month)?,
    )?;
    let compute: i64 = resources.iter().map(|r| r.compute_minutes).sum();
    line(
        LineKind::Compute,
        "Beräkning".into(),
        "Compute".into(),
        "kärntimmar",
        div_round(compute * 100, 60),
        kr(a.compute_per_core_hour)?,
    )?;
    let total_ore = lines
        .iter()
        .try_fold(0i64, |s, l| s.checked_add(l.amount_ore))
        .ok_or(FeesError::Overflow)?;
    Ok(InvoiceBasis {
        subject: subject.clone(),
        from,
        to,
        fee_model: model.id.clone(),
        fee_model_version: model.version.clone(),
        illustrative: model.illustrative,
        currency: model.currency.clone(),
        vat: VAT_NOTE,
        project_start: start,
        lines,
        total_ore,
        work,
        resources,
    })
}

/// Hundredths as a Swedish decimal: `150` → `1,50`, `-5` → `-0,05`.
pub fn decimal_comma(hundredths: i64) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let v = hundredths.unsigned_abs();
    format!("{sign}{},{:02}", v / 100, v % 100)
}

impl InvoiceBasis {
    /// The basis as CSV for a Swedish finance department: `;`, Swedish headers, decimal comma,
    /// amounts in kronor with two decimals excluding VAT, UTF-8 with BOM, CRLF; one row per line,
    /// then the total, then (if so) a note that the amounts are illustrative. Every row repeats
    /// the subject, the period and the fee model's version. No cell is free text from users.
    pub fn to_csv(&self) -> String {
        let mut out = String::from("\u{feff}");
        let model = format!("{} {}", self.fee_model, self.fee_model_version);
        let head = [
            "Underlag",
            "Från",
            "Till",
            "Rad",
            "Beskrivning",
            "Antal",
            "Enhet",
            "À-pris exkl. moms (kr)",
            "Belopp exkl. moms (kr)",
            "Avgiftsmodell",
        ];
        let mut row = |cells: [String; 10]| {
            out.push_str(&cells.join(";"));
            out.push_str("\r\n");
        };
        row(head.map(str::to_owned));
        let (s, f, t) = (
            self.subject.to_string(),
            self.from.to_string(),
            self.to.to_string(),
        );
        for (i, l) in self.lines.iter().enumerate() {
            row([
                s.clone(),
                f.clone(),
                t.clone(),
                (i + 1).to_string(),
                l.text_sv.clone(),
                decimal_comma(l.quantity_hundredths),
                l.unit_sv.to_owned(),
                decimal_comma(l.unit_price_ore),
                decimal_comma(l.amount_ore),
                model.clone(),
            ]);
        }
        row([
            s.clone(),
            f.clone(),
            t.clone(),
            String::new(),
            "Summa exkl. moms".into(),
            String::new(),
            String::new(),
            String::new(),
            decimal_comma(self.total_ore),
            model.clone(),
        ]);
        if self.illustrative {
            row([
                s,
                f,
                t,
                String::new(),
                "OBS: avgiftsmodellens belopp är illustrativa (ej beslutade)".into(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                model,
            ]);
        }
        out
    }
}

#[cfg(test)]
mod tests;

//! Validating the rows of one table against its specification and turning the valid ones into lake
//! rows. Never panics on bad input: every problem becomes an [`Issue`] with file, line, field and rule.

use crate::columns::{BatchBuilder, Cell, lake_schema};
use crate::dedup::{DuplicateDetector, key_hash};
use crate::pseudonym::Pseudonymiser;
use crate::report::{Issue, IssueSink, Severity};
use crate::values::{
    looks_like_mojibake, normalise_code, parse_bool, parse_date, parse_datetime, parse_decimal,
    parse_integer,
};
use chrono::NaiveDate;
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::arrow::record_batch::RecordBatch;
use vardhub_domain::spec::{CodeSystem, TableRule, TableSpec, VarType, Variable};
use vardhub_domain::{IdKind, KommunCode, Period, RegionCode};

/// Rows per record batch handed to the Parquet writer.
pub const BATCH_ROWS: usize = 32 * 1024;

/// What a table's rows are checked against, besides the specification.
pub struct TableContext<'a> {
    /// The table's specification.
    pub spec: &'a TableSpec,
    /// File name inside the delivery (for issues).
    pub file: String,
    /// The delivery's period.
    pub period: Period,
    /// Two-digit region key of the delivery (`00` = national).
    pub region_key: String,
    /// The delivering region (issuer of reservnummer), none for national deliveries.
    pub region: Option<RegionCode>,
    /// Pseudonymiser (present whenever the table has identity numbers).
    pub pseudonymiser: Option<&'a Pseudonymiser>,
    /// A field other tables of the collection reference (spec `references`): the values of
    /// the rows left out are remembered, so that their child rows are left out as a consequence
    /// rather than reported as orphans.
    pub referenced_field: Option<&'a str>,
}

/// At most this many keys of left-out rows are remembered per table (16 bytes each); beyond it
/// the table's error share has long made the delivery fatal, and further children are orphans.
pub const MAX_LEFT_OUT_KEYS: usize = 1 << 20;

/// Counts for the region-consistency check: rows whose residence code points at a region.
#[derive(Debug, Default, Clone, Copy)]
pub struct ResidenceCount {
    /// Rows with a residence municipality.
    pub with_residence: u64,
    /// Of which in the delivering region.
    pub in_region: u64,
}

/// Validates rows of one table and builds lake batches from the valid ones.
pub struct TableValidator<'a> {
    ctx: TableContext<'a>,
    schema: SchemaRef,
    /// For each specified variable, its column in the delivered file.
    input_index: Vec<Option<usize>>,
    input_width: usize,
    builder: BatchBuilder,
    cells: Vec<Cell>,
    dedup: Option<DuplicateDetector>,
    key_vars: Vec<usize>,
    residence_var: Option<usize>,
    /// Residence counts for the region-consistency check.
    pub residence: ResidenceCount,
    /// Data rows seen.
    pub rows_read: u64,
    /// Rows with at least one error.
    pub rows_with_errors: u64,
    /// Hashes of the referenced field's values of the rows left out (see
    /// [`TableContext::referenced_field`]).
    pub left_out_keys: std::collections::HashSet<u128>,
    referenced_column: Option<usize>,
    /// Rows given a bare date where a time was expected (reported once per field).
    time_missing_reported: Vec<bool>,
    period_first: NaiveDate,
    period_last: NaiveDate,
    /// Variable index by name, for the cross-field rules (looked up on every row).
    var_index: std::collections::HashMap<&'a str, usize>,
}

/// A fatal problem with the header (the table cannot be read at all).
#[derive(Debug)]
pub struct HeaderRejected;

impl<'a> TableValidator<'a> {
    /// Match the delivered header against the specification. Missing mandatory or repeated columns
    /// are fatal; unknown columns and missing optional ones are warnings.
    pub fn new(
        ctx: TableContext<'a>,
        header: &[String],
        dedup_dir: &std::path::Path,
        issues: &mut IssueSink,
    ) -> Result<TableValidator<'a>, HeaderRejected> {
        let spec = ctx.spec;
        let mut fatal = false;
        let names: Vec<String> = header
            .iter()
            .map(|h| h.trim().to_ascii_lowercase())
            .collect();
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                issues.push(
                    Issue::new(
                        Severity::Fatal,
                        "column_repeated",
                        "kolumnen förekommer flera gånger i rubrikraden",
                        "the column occurs more than once in the header",
                    )
                    .in_file(&ctx.file)
                    .field(n),
                );
                fatal = true;
            } else if spec.variable(n).is_none() {
                issues.push(
                    Issue::new(
                        Severity::Warning,
                        "column_unknown",
                        "kolumnen finns inte i specifikationen och läses inte",
                        "the column is not in the specification and is ignored",
                    )
                    .in_file(&ctx.file)
                    .field(n),
                );
            }
        }
        let mut input_index = Vec::with_capacity(spec.variables.len());
        for v in &spec.variables {
            let idx = names.iter().position(|n| *n == v.name);
            if idx.is_none() {
                let (sev, sv, en) = if v.mandatory {
                    fatal = true;
                    (
                        Severity::Fatal,
                        "obligatorisk kolumn saknas i rubrikraden",
                        "mandatory column missing from the header",
                    )
                } else {
                    (
                        Severity::Warning,
                        "frivillig kolumn saknas; värdena blir tomma",
                        "optional column missing; values will be empty",
                    )
                };
                issues.push(
                    Issue::new(sev, "column_missing", sv, en)
                        .in_file(&ctx.file)
                        .field(&v.name),
                );
            }
            input_index.push(idx);
        }
        if fatal {
            return Err(HeaderRejected);
        }
        let needs_ids = spec
            .variables
            .iter()
            .any(|v| v.var_type == VarType::PersonalId);
        if needs_ids && ctx.pseudonymiser.is_none() {
            return Err(HeaderRejected);
        }
        let dedup = if spec.key.is_empty() {
            None
        } else {
            match DuplicateDetector::new(dedup_dir) {
                Ok(d) => Some(d),
                Err(_) => return Err(HeaderRejected),
            }
        };
        let key_vars = spec.key.iter().filter_map(|k| spec.index_of(k)).collect();
        let residence_var = spec
            .variables
            .iter()
            .position(|v| v.code_system == Some(CodeSystem::Kommun));
        let schema = lake_schema(spec);
        let width = schema.fields().len();
        let referenced_column = ctx
            .referenced_field
            .and_then(|f| spec.index_of(f))
            .and_then(|v| input_index[v]);
        Ok(TableValidator {
            period_first: ctx.period.first_day(),
            period_last: ctx.period.last_day(),
            builder: BatchBuilder::new(schema.clone()),
            schema,
            input_index,
            input_width: header.len(),
            cells: vec![Cell::Null; width],
            dedup,
            key_vars,
            residence_var,
            residence: ResidenceCount::default(),
            rows_read: 0,
            rows_with_errors: 0,
            left_out_keys: std::collections::HashSet::new(),
            referenced_column,
            time_missing_reported: vec![false; spec.variables.len()],
            var_index: spec
                .variables
                .iter()
                .enumerate()
                .map(|(i, v)| (v.name.as_str(), i))
                .collect(),
            ctx,
        })
    }

    /// The lake schema of the rows built.
    pub fn schema(&self) -> SchemaRef {
        self.schema.clone()
    }

    fn issue(
        &self,
        sev: Severity,
        rule: &'static str,
        line: u64,
        var: &Variable,
        sv: &str,
        en: &str,
    ) -> Issue {
        Issue::new(sev, rule, sv, en)
            .in_file(&self.ctx.file)
            .at_row(line)
            .field(&var.name)
    }

    /// Count a row left out for its own errors (already reported), remembering its referenced key.
    /// Rows the caller refuses before [`TableValidator::row`] go through here too.
    pub fn left_out(&mut self, fields: &[&str]) {
        self.rows_with_errors += 1;
        if let Some(col) = self.referenced_column
            && let Some(raw) = fields.get(col).map(|f| f.trim())
            && !raw.is_empty()
            && self.left_out_keys.len() < MAX_LEFT_OUT_KEYS
        {
            self.left_out_keys
                .insert(crate::dedup::key_hash([raw.as_bytes()]));
        }
    }

    /// Validate one data row (`line` = its line in the file). Returns a finished batch when enough
    /// valid rows have accumulated.
    pub fn row(
        &mut self,
        line: u64,
        fields: &[&str],
        issues: &mut IssueSink,
    ) -> std::io::Result<Option<RecordBatch>> {
        self.rows_read += 1;
        let spec = self.ctx.spec;
        if fields.len() != self.input_width {
            issues.push(
                Issue::new(
                    Severity::Error,
                    "field_count",
                    format!(
                        "raden har {} fält, rubrikraden {} (avkortad fil eller fel avgränsare?)",
                        fields.len(),
                        self.input_width
                    ),
                    format!(
                        "the row has {} fields, the header {} (truncated file or wrong separator?)",
                        fields.len(),
                        self.input_width
                    ),
                )
                .in_file(&self.ctx.file)
                .at_row(line),
            );
            self.left_out(fields);
            return Ok(None);
        }
        let mut ok = true;
        for (i, var) in spec.variables.iter().enumerate() {
            let raw = self.input_index[i].map(|j| fields[j].trim()).unwrap_or("");
            self.cells[i] = Cell::Null;
            if raw.is_empty() {
                if var.mandatory {
                    issues.push(self.issue(
                        Severity::Error,
                        "mandatory",
                        line,
                        var,
                        "obligatoriskt värde saknas",
                        "mandatory value missing",
                    ));
                    ok = false;
                }
                continue;
            }
            let is_id = var.var_type == VarType::PersonalId;
            if !raw.is_ascii() && looks_like_mojibake(raw) {
                issues.push(
                    self.issue(
                        Severity::Warning,
                        "mojibake",
                        line,
                        var,
                        "texten ser dubbelkodad ut (t.ex. Ã¤ i stället för ä): kontrollera filens teckenkodning",
                        "the text looks double-encoded (e.g. Ã¤ instead of ä): check the file's encoding",
                    )
                    .value(raw, is_id),
                );
            }
            match self.parse_value(i, var, raw, line, issues) {
                Some(cell) => self.cells[i] = cell,
                None => ok = false,
            }
        }
        if ok {
            ok = self.check_rules(line, issues);
        }
        if ok {
            ok = self.pseudonymise(line, fields, issues);
        }
        if !ok {
            self.left_out(fields);
            return Ok(None);
        }
        if let Some(rv) = self.residence_var
            && let Cell::Text(code) = &self.cells[rv]
        {
            self.residence.with_residence += 1;
            let in_region = KommunCode::parse(code)
                .ok()
                .and_then(|k| k.region())
                .is_some_and(|r| r.to_string() == self.ctx.region_key);
            if in_region {
                self.residence.in_region += 1;
            }
        }
        if let Some(d) = &mut self.dedup {
            let parts: Vec<Vec<u8>> = self
                .key_vars
                .iter()
                .map(|&k| cell_key(&self.cells[k]))
                .collect();
            d.add(key_hash(parts.iter().map(Vec::as_slice)), line)?;
        }
        let n = self.cells.len();
        self.cells[n - 3] = Cell::Text(self.ctx.region_key.clone());
        self.cells[n - 2] = Cell::Text(self.ctx.period.to_string());
        self.cells[n - 1] = Cell::Int(line as i64);
        self.builder.append(&self.cells);
        if self.builder.len() >= BATCH_ROWS {
            return self
                .builder
                .finish()
                .map(Some)
                .map_err(std::io::Error::other);
        }
        Ok(None)
    }

    /// The last, partial batch and the duplicates found.
    pub fn finish(
        mut self,
    ) -> std::io::Result<(Option<RecordBatch>, Vec<crate::dedup::Duplicate>, Self)> {
        let batch = if self.builder.is_empty() {
            None
        } else {
            Some(self.builder.finish().map_err(std::io::Error::other)?)
        };
        let dups = match self.dedup.take() {
            Some(d) => d.finish()?,
            None => Vec::new(),
        };
        Ok((batch, dups, self))
    }

    fn parse_value(
        &mut self,
        i: usize,
        var: &Variable,
        raw: &str,
        line: u64,
        issues: &mut IssueSink,
    ) -> Option<Cell> {
        let type_error = |this: &Self, what_sv: &str, what_en: &str| {
            this.issue(
                Severity::Error,
                "type",
                line,
                var,
                &format!("värdet är inte {what_sv}"),
                &format!("the value is not {what_en}"),
            )
            .value(raw, false)
        };
        let cell = match var.var_type {
            VarType::String => {
                if var.max_length.is_some_and(|m| raw.chars().count() > m) {
                    issues.push(
                        self.issue(
                            Severity::Error,
                            "max_length",
                            line,
                            var,
                            "texten är för lång",
                            "the text is too long",
                        )
                        .value(raw, false),
                    );
                    return None;
                }
                if vardhub_domain::contains_identity_number(raw) {
                    // The row is left out rather than masked: a changed id would silently break
                    // its links (diagnoses, duplicates, bed census), and an identity number in a
                    // unit or id column means the region's extract is mis-mapped and must be fixed.
                    issues.push(self.issue(
                        Severity::Error,
                        "identity_in_field",
                        line,
                        var,
                        "fältet innehåller ett personnummer eller samordningsnummer; raden lämnas utanför (värdet visas inte)",
                        "the field contains a personnummer or samordningsnummer; the row is left out (the value is not shown)",
                    ));
                    return None;
                }
                Cell::Text(raw.to_owned())
            }
            VarType::Integer => match parse_integer(raw) {
                Some(v) => Cell::Int(v),
                None => {
                    issues.push(type_error(self, "ett heltal", "a whole number"));
                    return None;
                }
            },
            VarType::Decimal => match parse_decimal(raw) {
                Some(v) => Cell::Float(v),
                None => {
                    issues.push(type_error(self, "ett decimaltal", "a decimal number"));
                    return None;
                }
            },
            VarType::Date => match parse_date(raw) {
                Some(d) => Cell::Date(d),
                None => {
                    issues.push(type_error(
                        self,
                        "ett datum (ÅÅÅÅ-MM-DD)",
                        "a date (YYYY-MM-DD)",
                    ));
                    return None;
                }
            },
            VarType::Datetime => match parse_datetime(raw) {
                Some((t, has_time)) => {
                    if !has_time && !self.time_missing_reported[i] {
                        self.time_missing_reported[i] = true;
                        issues.push(self.issue(
                            Severity::Warning,
                            "time_missing",
                            line,
                            var,
                            "klockslag saknas (tolkas som 00:00); tidsbaserade indikatorer blir osäkra. Rapporteras en gång per fil.",
                            "time of day missing (read as 00:00); time-based indicators become unreliable. Reported once per file.",
                        ));
                    }
                    Cell::DateTime(t)
                }
                None => {
                    issues.push(type_error(
                        self,
                        "datum och tid (ÅÅÅÅ-MM-DD tt:mm)",
                        "a date and time (YYYY-MM-DD hh:mm)",
                    ));
                    return None;
                }
            },
            VarType::Boolean => match parse_bool(raw) {
                Some(b) => Cell::Bool(b),
                None => {
                    issues.push(type_error(self, "ja/nej (1/0, J/N)", "yes/no (1/0, J/N)"));
                    return None;
                }
            },
            VarType::Code => match normalise_code(var, raw) {
                Ok(code) => Cell::Text(code),
                Err(p) => {
                    issues.push(
                        self.issue(Severity::Error, p.rule, line, var, &p.sv, &p.en)
                            .value(raw, false),
                    );
                    return None;
                }
            },
            // Identity numbers are read in `pseudonymise`, after their kind and the age date.
            VarType::PersonalId => Cell::Null,
        };
        if let Some(v) = match cell {
            Cell::Int(v) => Some(v as f64),
            Cell::Float(v) => Some(v),
            _ => None,
        } && (var.min.is_some_and(|m| v < m) || var.max.is_some_and(|m| v > m))
        {
            issues.push(
                self.issue(
                    Severity::Error,
                    "range",
                    line,
                    var,
                    &format!(
                        "värdet ligger utanför {}–{}",
                        fmt_bound(var.min),
                        fmt_bound(var.max)
                    ),
                    &format!(
                        "the value is outside {}–{}",
                        fmt_bound(var.min),
                        fmt_bound(var.max)
                    ),
                )
                .value(raw, false),
            );
            return None;
        }
        Some(cell)
    }

    fn check_rules(&self, line: u64, issues: &mut IssueSink) -> bool {
        let spec = self.ctx.spec;
        let mut ok = true;
        let cell = |name: &str| {
            self.var_index
                .get(name)
                .map(|&i| &self.cells[i])
                .unwrap_or(&Cell::Null)
        };
        let var = |name: &str| {
            spec.variable(name)
                .expect("rules name existing variables (checked by the spec)")
        };
        for rule in &spec.rules {
            let problem: Option<(&str, String, String)> = match rule {
                TableRule::DateOrder { earlier, later } => {
                    match (date_time_of(cell(earlier)), date_time_of(cell(later))) {
                        (Some(a), Some(b)) if b < a => Some((
                            later.as_str(),
                            format!("{later} ligger före {earlier}"),
                            format!("{later} is before {earlier}"),
                        )),
                        _ => None,
                    }
                }
                TableRule::InPeriod { field } => date_of(cell(field))
                    .filter(|d| *d < self.period_first || *d > self.period_last)
                    .map(|_| {
                        (
                            field.as_str(),
                            format!(
                                "datumet ligger utanför leveransens period {}",
                                self.ctx.period
                            ),
                            format!(
                                "the date is outside the delivery's period {}",
                                self.ctx.period
                            ),
                        )
                    }),
                TableRule::NotAfterPeriod { field } => date_of(cell(field))
                    .filter(|d| *d > self.period_last)
                    .map(|_| {
                        (
                            field.as_str(),
                            format!(
                                "datumet ligger efter leveransens period {}",
                                self.ctx.period
                            ),
                            format!(
                                "the date is after the delivery's period {}",
                                self.ctx.period
                            ),
                        )
                    }),
                TableRule::RequiredIf {
                    field,
                    when_field,
                    values,
                } => {
                    let when = text_of(cell(when_field));
                    let applies =
                        when.is_some_and(|w| values.is_empty() || values.iter().any(|v| v == w));
                    (applies && matches!(cell(field), Cell::Null)).then(|| {
                        (
                            field.as_str(),
                            format!(
                                "värde krävs när {when_field} är {}",
                                when.unwrap_or_default()
                            ),
                            format!(
                                "a value is required when {when_field} is {}",
                                when.unwrap_or_default()
                            ),
                        )
                    })
                }
                TableRule::AbsentIf {
                    field,
                    when_field,
                    values,
                } => {
                    let when = text_of(cell(when_field));
                    let applies = when.is_some_and(|w| values.iter().any(|v| v == w));
                    (applies && !matches!(cell(field), Cell::Null)).then(|| {
                        (
                            field.as_str(),
                            format!(
                                "ska vara tomt när {when_field} är {}",
                                when.unwrap_or_default()
                            ),
                            format!(
                                "must be empty when {when_field} is {}",
                                when.unwrap_or_default()
                            ),
                        )
                    })
                }
                TableRule::NotGreater { smaller, larger } => {
                    match (num_of(cell(smaller)), num_of(cell(larger))) {
                        (Some(a), Some(b)) if a > b => Some((
                            smaller.as_str(),
                            format!("{smaller} är större än {larger}"),
                            format!("{smaller} is greater than {larger}"),
                        )),
                        _ => None,
                    }
                }
            };
            if let Some((field, sv, en)) = problem {
                issues.push(self.issue(Severity::Error, rule.name(), line, var(field), &sv, &en));
                ok = false;
            }
        }
        ok
    }

    /// Read every identity number of the row, replace it by its pseudonym, fill in the declared
    /// kind and the derived columns. The raw value is only handed to the pseudonymisation module.
    fn pseudonymise(&mut self, line: u64, fields: &[&str], issues: &mut IssueSink) -> bool {
        let spec = self.ctx.spec;
        let Some(p) = self.ctx.pseudonymiser else {
            return true;
        };
        let mut derived_at = spec.variables.len();
        let mut ok = true;
        for (i, var) in spec.variables.iter().enumerate() {
            if var.var_type != VarType::PersonalId {
                continue;
            }
            let raw = self.input_index[i].map(|j| fields[j].trim()).unwrap_or("");
            if raw.is_empty() {
                continue;
            }
            let kind_idx = var.kind_field.as_ref().and_then(|k| spec.index_of(k));
            let hint = kind_idx
                .and_then(|k| text_of(&self.cells[k]))
                .and_then(IdKind::parse_label);
            let derivation = spec.derive.iter().find(|d| d.from == var.name);
            let age_on = derivation
                .and_then(|d| d.age_at.as_ref())
                .and_then(|a| spec.index_of(a))
                .and_then(|a| date_of(&self.cells[a]));
            match p.pseudonymise(raw, hint, self.period_last, self.ctx.region, age_on) {
                Ok(id) => {
                    self.cells[i] = Cell::Text(id.pseudonym);
                    if let Some(k) = kind_idx {
                        self.cells[k] = Cell::Text(id.kind.code().to_owned());
                    }
                    if let Some(d) = derivation {
                        if d.age_at.is_some() {
                            self.cells[derived_at] =
                                id.age.map_or(Cell::Null, |a| Cell::Int(i64::from(a)));
                            derived_at += 1;
                        }
                        self.cells[derived_at] = id
                            .sex
                            .map_or(Cell::Null, |s| Cell::Text(s.as_str().to_owned()));
                        derived_at += 1;
                    }
                }
                Err(e) => {
                    issues.push(
                        self.issue(
                            Severity::Error,
                            "personal_id",
                            line,
                            var,
                            &format!("ogiltigt identitetsnummer: {e}"),
                            &format!("invalid identity number: {e}"),
                        )
                        .value(raw, true),
                    );
                    ok = false;
                }
            }
        }
        ok
    }

    /// Context of this table.
    pub fn context(&self) -> &TableContext<'a> {
        &self.ctx
    }
}

fn fmt_bound(b: Option<f64>) -> String {
    b.map(|v| v.to_string()).unwrap_or_else(|| "…".into())
}

fn date_of(c: &Cell) -> Option<NaiveDate> {
    match c {
        Cell::Date(d) => Some(*d),
        Cell::DateTime(t) => Some(t.date()),
        _ => None,
    }
}

fn date_time_of(c: &Cell) -> Option<chrono::NaiveDateTime> {
    match c {
        Cell::Date(d) => Some(d.and_time(chrono::NaiveTime::MIN)),
        Cell::DateTime(t) => Some(*t),
        _ => None,
    }
}

fn text_of(c: &Cell) -> Option<&str> {
    match c {
        Cell::Text(s) => Some(s),
        _ => None,
    }
}

fn num_of(c: &Cell) -> Option<f64> {
    match c {
        Cell::Int(v) => Some(*v as f64),
        Cell::Float(v) => Some(*v),
        _ => None,
    }
}

fn cell_key(c: &Cell) -> Vec<u8> {
    match c {
        Cell::Null => Vec::new(),
        Cell::Text(s) => s.as_bytes().to_vec(),
        Cell::Int(v) => v.to_le_bytes().to_vec(),
        Cell::Float(v) => v.to_le_bytes().to_vec(),
        Cell::Date(d) => d.to_string().into_bytes(),
        Cell::DateTime(t) => t.to_string().into_bytes(),
        Cell::Bool(b) => vec![u8::from(*b)],
    }
}

//! One table of the collection fed from FHIR resources: the values are put in the order of a
//! header of the specification's variable names and handed to the same [`TableValidator`] the CSV
//! and Parquet paths use (types, codes, rules, pseudonymisation, duplicates); its findings are
//! renamed to the FHIR element the variable came from (`Encounter.period.start (inskrivningsdatum)`).

use crate::report::IssueSink;
use crate::table::{TableContext, TableValidator};
use std::io;
use std::path::Path;
use vardhub_store::{StagedDelivery, TableWriter};

/// Variable → FHIR element, per table (for findings; docs/fhir-mapping.md has the same).
pub const PATHS: [(&str, &str, &str); 27] = [
    ("kontakter", "kontakt_id", "Encounter.id"),
    (
        "kontakter",
        "patient_id",
        "Encounter.subject → Patient.identifier",
    ),
    ("kontakter", "patient_id_typ", "Patient.identifier.system"),
    ("kontakter", "kon", "Patient.gender"),
    (
        "kontakter",
        "hemkommun",
        "Patient.address.extension(kommun)",
    ),
    (
        "kontakter",
        "sjukhus",
        "Encounter.serviceProvider.identifier",
    ),
    (
        "kontakter",
        "enhet",
        "Encounter.location.location.identifier",
    ),
    ("kontakter", "mvo", "Encounter.serviceType"),
    ("kontakter", "vardform", "Encounter.class"),
    ("kontakter", "planerad", "Encounter.priority"),
    ("kontakter", "besokstyp", "Encounter.extension(besokstyp)"),
    (
        "kontakter",
        "yrkeskategori",
        "Encounter.extension(yrkeskategori)",
    ),
    ("kontakter", "inskrivningsdatum", "Encounter.period.start"),
    ("kontakter", "utskrivningsdatum", "Encounter.period.end"),
    (
        "kontakter",
        "utskrivningssatt",
        "Encounter.hospitalization.dischargeDisposition",
    ),
    (
        "kontakter",
        "hdia",
        "Encounter.diagnosis(rank 1) → Condition.code",
    ),
    ("kontakter", "drg", "Encounter.extension(drg)"),
    ("kontakter", "drg_vikt", "Encounter.extension(drg-vikt)"),
    (
        "kontakter",
        "kpp_kostnad",
        "Encounter.extension(kpp-kostnad)",
    ),
    (
        "kontakter",
        "utskrivningsklar_dagar",
        "Encounter.extension(utskrivningsklar-dagar)",
    ),
    (
        "diagnoser",
        "kontakt_id",
        "Encounter.diagnosis ← Encounter.id",
    ),
    ("diagnoser", "ordning", "Encounter.diagnosis.rank − 1"),
    ("diagnoser", "kod", "Condition.code"),
    ("atgarder", "kontakt_id", "Procedure.encounter"),
    ("atgarder", "ordning", "Procedure.extension(ordning)"),
    ("atgarder", "kod", "Procedure.code"),
    ("atgarder", "datumtid", "Procedure.performed[x]"),
];

/// A table being filled.
pub struct Sink<'a> {
    /// The shared validator.
    pub validator: TableValidator<'a>,
    /// The staged Parquet file.
    pub writer: TableWriter,
    /// The NDJSON file its rows come from (for the report).
    pub file: String,
    table: String,
    header: Vec<String>,
}

impl<'a> Sink<'a> {
    /// A validator and staged writer for `ctx`'s table; `None` when the validator refuses the
    /// header (it says why in `issues`).
    pub fn new(
        ctx: TableContext<'a>,
        staged: &StagedDelivery,
        dedup_dir: &Path,
        issues: &mut IssueSink,
    ) -> io::Result<Option<Sink<'a>>> {
        let header: Vec<String> = ctx.spec.variables.iter().map(|v| v.name.clone()).collect();
        let table = ctx.spec.name.clone();
        let file = ctx.file.clone();
        let Ok(validator) = TableValidator::new(ctx, &header, dedup_dir, issues) else {
            return Ok(None);
        };
        let writer = staged
            .table_writer(&table, validator.schema())
            .map_err(io::Error::other)?;
        Ok(Some(Sink {
            validator,
            writer,
            file,
            table,
            header,
        }))
    }

    /// The row's fields in header order.
    fn fields<'v>(&self, values: &'v [(&str, String)]) -> Vec<&'v str> {
        self.header
            .iter()
            .map(|h| {
                values
                    .iter()
                    .find(|(k, _)| k == h)
                    .map_or("", |(_, v)| v.as_str())
            })
            .collect()
    }

    /// Validate and stage one row built from resources at `line` of [`Sink::file`].
    pub fn row(
        &mut self,
        line: u64,
        values: &[(&str, String)],
        issues: &mut IssueSink,
    ) -> io::Result<()> {
        let fields = self.fields(values);
        let mut local = IssueSink::default();
        let batch = self.validator.row(line, &fields, &mut local)?;
        for mut issue in local.into_parts().0 {
            if let Some(var) = &issue.field
                && let Some((_, _, path)) =
                    PATHS.iter().find(|(t, v, _)| *t == self.table && v == var)
            {
                issue.field = Some(format!("{path} ({var})"));
            }
            issues.push(issue);
        }
        if let Some(b) = batch {
            self.writer.write(&b).map_err(io::Error::other)?;
        }
        Ok(())
    }

    /// Count a row left out for a FHIR-level finding (already reported).
    pub fn refused(&mut self, values: &[(&str, String)]) {
        let fields = self.fields(values);
        self.validator.rows_read += 1;
        self.validator.left_out(&fields);
    }
}

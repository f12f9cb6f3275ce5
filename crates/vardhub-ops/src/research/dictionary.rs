//! The data dictionary of a release (*variabelbeskrivning*), generated from the specifications:
//! per released table and column the variable, its type, its description in Swedish and English,
//! its code system or code list, its unit and what the release did to it. Written as CSV
//! (`variabelbeskrivning.csv`, one row per column) and Markdown (`variabelbeskrivning.md`).

use super::columns::{OutColumn, Treatment};
use vardhub_domain::research::{
    AGE_COLUMN, DERIVED_SEX_COLUMN, PERIOD_COLUMN, REGION_COLUMN, ResearchProject,
};
use vardhub_domain::spec::{CollectionSpec, TableSpec, Text, VarType};

/// One released table, for the dictionary.
pub struct DictTable<'a> {
    /// The collection's specification (newest version read).
    pub spec: &'a CollectionSpec,
    /// The table's specification.
    pub table: &'a TableSpec,
    /// The released columns.
    pub columns: &'a [OutColumn],
    /// Base name of the released files (`vardkontakter.kontakter`).
    pub file_stem: String,
    /// Rows released.
    pub rows: u64,
}

struct Row {
    table: String,
    column: String,
    variable: String,
    kind: String,
    description: Text,
    codes: String,
    unit: String,
    treatment_sv: String,
    treatment_en: String,
}

fn var_type_name(t: Option<VarType>, column: &OutColumn) -> String {
    match t {
        Some(VarType::String) => "text".into(),
        Some(VarType::Integer) => "heltal / integer".into(),
        Some(VarType::Decimal) => "decimaltal / decimal".into(),
        Some(VarType::Date) => "datum / date".into(),
        Some(VarType::Datetime) => "tidpunkt / timestamp".into(),
        Some(VarType::Boolean) => "ja/nej / boolean".into(),
        Some(VarType::Code) => "kod / code".into(),
        Some(VarType::PersonalId) => "pseudonym (32 hex)".into(),
        None => format!("{}", column.data_type),
    }
}

fn derived_description(table: &TableSpec, name: &str) -> Text {
    let t = |sv: &str, en: &str| Text {
        sv: sv.into(),
        en: en.into(),
    };
    match name {
        AGE_COLUMN => {
            let at = table
                .derive
                .iter()
                .find_map(|d| d.age_at.as_deref())
                .unwrap_or("?");
            Text {
                sv: format!("Ålder i hela år vid `{at}`, härledd ur personnumret."),
                en: format!("Age in whole years at `{at}`, derived from the identity number."),
            }
        }
        DERIVED_SEX_COLUMN => t(
            "Kön enligt personnumrets näst sista siffra (ISO 5218: 1 man, 2 kvinna).",
            "Sex from the identity number's second-to-last digit (ISO 5218: 1 male, 2 female).",
        ),
        REGION_COLUMN => t(
            "Den levererande regionens länskod.",
            "The delivering region's county code.",
        ),
        PERIOD_COLUMN => t(
            "Leveransens månad (ÅÅÅÅ-MM).",
            "The delivery's month (YYYY-MM).",
        ),
        _ => t("", ""),
    }
}

fn rows(project: &ResearchProject, tables: &[DictTable<'_>]) -> Vec<Row> {
    let mut out = Vec::new();
    for t in tables {
        for c in t.columns {
            let var = t.table.variable(&c.variable);
            let codes = var.map_or(String::new(), |v| {
                match (&v.code_system, v.allowed.is_empty()) {
                    (Some(cs), _) => cs.name().to_owned(),
                    (None, false) => v
                        .allowed
                        .iter()
                        .map(|a| format!("{} {}", a.code, a.sv))
                        .collect::<Vec<_>>()
                        .join("; "),
                    (None, true) => String::new(),
                }
            });
            let mut description = var.map_or_else(
                || derived_description(t.table, &c.name),
                |v| v.description.clone(),
            );
            if c.treatment == Treatment::Pseudonymised {
                description = Text {
                    sv: "Projektets pseudonym för personen: samma person har samma pseudonym i alla projektets tabeller och utlämningar, men en annan i varje annat projekt och region.".into(),
                    en: "The project's pseudonym of the person: the same person has the same pseudonym in all the project's tables and releases, but another in every other project and region.".into(),
                };
            }
            out.push(Row {
                table: t.file_stem.clone(),
                column: c.name.clone(),
                variable: c.variable.clone(),
                kind: var_type_name(c.var_type, c),
                description,
                codes,
                unit: var.and_then(|v| v.unit.clone()).unwrap_or_default(),
                treatment_sv: c.treatment.label_sv(project.date_coarsening),
                treatment_en: c.treatment.label_en(project.date_coarsening),
            });
        }
    }
    out
}

fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// The dictionary as CSV (UTF-8, `,`, header row; Swedish columns before English).
pub fn csv(project: &ResearchProject, tables: &[DictTable<'_>]) -> String {
    let mut out = String::from(
        "tabell,kolumn,variabel,typ,beskrivning,description,kodverk,enhet,behandling,treatment\n",
    );
    for r in rows(project, tables) {
        let cells = [
            &r.table,
            &r.column,
            &r.variable,
            &r.kind,
            &r.description.sv,
            &r.description.en,
            &r.codes,
            &r.unit,
            &r.treatment_sv,
            &r.treatment_en,
        ];
        let line: Vec<String> = cells.iter().map(|c| csv_cell(c)).collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The dictionary as Markdown: the project, then one table per released table.
pub fn markdown(project: &ResearchProject, release_id: &str, tables: &[DictTable<'_>]) -> String {
    let mut out = format!(
        "# Variabelbeskrivning / data dictionary: {release_id}\n\n\
         Projekt / project: **{}** ({}), etikprövning / ethical review Dnr {}.\n\n\
         Datum är avrundade till {} / dates are coarsened to the {}. Personer har projektets egna \
         pseudonymer och identiteter (t.ex. `kontakt_id`) projektets egna koder, som kan kopplas \
         mellan projektets tabeller men inte till något annat / persons carry the project's own \
         pseudonyms and identifiers (e.g. `kontakt_id`) the project's own codes, which join the \
         project's tables and nothing else.\n",
        md_cell(&project.title),
        project.id,
        project.ethics.dnr,
        project.date_coarsening.label_sv(),
        project.date_coarsening.label_en(),
    );
    let all = rows(project, tables);
    for t in tables {
        out.push_str(&format!(
            "\n## {} — {} / {} ({} rader / rows)\n\n{} {}\n\n\
             | kolumn / column | typ / type | beskrivning | description | kodverk / codes | behandling / treatment |\n\
             |---|---|---|---|---|---|\n",
            t.file_stem,
            md_cell(&t.table.title.sv),
            md_cell(&t.table.title.en),
            t.rows,
            md_cell(&t.spec.title.sv),
            md_cell(&format!("(specifikation / specification {})", t.spec.version)),
        ));
        for r in all.iter().filter(|r| r.table == t.file_stem) {
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {} | {} / {} |\n",
                r.column,
                md_cell(&r.kind),
                md_cell(&r.description.sv),
                md_cell(&r.description.en),
                md_cell(&r.codes),
                md_cell(&r.treatment_sv),
                md_cell(&r.treatment_en),
            ));
        }
    }
    out
}

//! Research projects and research releases (*forskningsutlämningar*).
//!
//! [`add_project`] parses a project file ([`vardhub_domain::research::ProjectFile`]) against the
//! specifications and stores it (audited). [`build_release`] makes a release for a project from
//! the current lake (one [`Hub::snapshot`]):
//!
//! 1. refused — typed error, and `research.release.refused` in the audit log with the reason —
//!    when the project does not exist, its ethics approval is not yet valid or has expired on the
//!    given day, its retention end has passed, a requested variable is not approved (named), or
//!    no published delivery lies in the approved population;
//! 2. per approved table: the current files of the approved regions (the delivering region; for
//!    a national collection the region of the row's municipality) and months, rows of the approved
//!    ages (tables with `alder`; their child tables, e.g. `diagnoser` under `kontakter`, keep the
//!    rows of kept parents), only the approved variables;
//! 3. every `*_pseudonym` column replaced by the project's pseudonyms
//!    (`ReleaseScope::Project`: HMAC of the lake pseudonym under the project's release key — the
//!    same patient has another pseudonym in every project and every region's hemhämtning, and the
//!    same one in all of the project's releases); every identifier (`string` variable named
//!    `*_id`: `kontakt_id`, `arende_id`) replaced by a token keyed per project
//!    (`ReleaseScope::ProjectTokens`) over collection, variable, delivering region and value, so
//!    the same contact has the same token in `kontakter`, `diagnoser` and `atgarder` of the
//!    project, and no token can be joined to the lake, to another project or to a pseudonym;
//!    dates and timestamps coarsened as the project says (day: time of day removed; month: first
//!    day of the month; year: 1 January);
//! 4. written into a new folder `OUT/<release id>/` (0700, files 0600): per table
//!    `<collection>.<table>.parquet` (zstd; timestamps as Parquet TIMESTAMP(MILLIS), not adjusted
//!    to UTC — Swedish local time as delivered) and `.csv` (UTF-8, header, formula-leading text
//!    cells neutralised), and the data dictionary `variabelbeskrivning.csv` / `.md` from the
//!    specifications (Swedish, then English; type, code system, unit, what was done);
//! 5. every file's SHA-256 computed from disk and the release recorded in the release log (project
//!    and record hash, who, when, files, deliveries read, specification versions, key version).
//!
//! The work is synchronous file I/O inside an async function (the CLI's use); a server calling it
//! should run it on a blocking thread.

mod columns;
mod dictionary;
mod release;

pub use columns::Treatment;
pub use release::{
    DICTIONARY_CSV, DICTIONARY_MD, ReleaseRequest, ReleaseSummary, TableSummary, build_release,
    select,
};

use std::path::PathBuf;
use vardhub_domain::SpecSet;
use vardhub_domain::research::{ProjectError, ProjectId, ReleaseBlock, ResearchProject};
use vardhub_store::Hub;
use vardhub_store::research::{PublicProject, ReleaseRecord, StoredProject};

/// Who must act on a [`ResearchError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhoMustAct {
    /// The one asking for the release (a wrong id or variable).
    Requester,
    /// The competence centre (the project record: a new approval, a corrected file).
    Centre,
    /// The hub's operator (disk, keys, a broken lake file).
    Operator,
}

/// Why a research operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ResearchError {
    /// The project file is invalid (its author, the centre, must act); names the field.
    #[error(transparent)]
    Project(#[from] ProjectError),
    /// No such project (the requester must act).
    #[error("okänt forskningsprojekt / unknown research project {0}")]
    UnknownProject(String),
    /// The project may not receive data on that day (the centre must act: a renewed approval).
    #[error(transparent)]
    Blocked(ReleaseBlock),
    /// A requested variable is not approved for the project (the requester must act).
    #[error("{0} är inte godkänd för projektet / {0} is not approved for the project")]
    NotApproved(String),
    /// No published delivery lies in the approved population (the centre must act).
    #[error(
        "inga publicerade data i den godkända populationen / no published data in the approved population"
    )]
    NoData,
    /// The release folder exists already (the requester must act: another output folder).
    #[error("{0} finns redan / already exists")]
    OutputExists(PathBuf),
    /// A delivery's lake pseudonyms come from another key version than the key given (the
    /// operator must act): the project's pseudonyms would not link the same patient.
    #[error(
        "leveransen {delivery} har nyckelversion {lake}, nyckeln har {given} / delivery {delivery} has key version {lake}, the key has {given}"
    )]
    KeyVersion {
        /// The delivery.
        delivery: String,
        /// Its key version.
        lake: u32,
        /// The key version of the pseudonymiser given.
        given: u32,
    },
    /// The catalogue failed or refused (the operator must act; a conflict: the requester).
    #[error(transparent)]
    Store(#[from] vardhub_store::StoreError),
    /// A file could not be written or read (the operator must act).
    #[error("I/O-fel vid {path}: {source} / I/O error at {path}")]
    Io {
        /// Where.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A lake file could not be read or a release file written (the operator must act).
    #[error("sjöfil eller utlämningsfil / lake or release file: {0}")]
    Lake(String),
}

impl ResearchError {
    pub(crate) fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> ResearchError {
        let path = path.into();
        move |source| ResearchError::Io { path, source }
    }

    /// Who must act.
    pub fn who_must_act(&self) -> WhoMustAct {
        match self {
            ResearchError::UnknownProject(_)
            | ResearchError::NotApproved(_)
            | ResearchError::OutputExists(_)
            | ResearchError::Store(vardhub_store::StoreError::Conflict(_)) => WhoMustAct::Requester,
            ResearchError::Project(_) | ResearchError::Blocked(_) | ResearchError::NoData => {
                WhoMustAct::Centre
            }
            ResearchError::KeyVersion { .. }
            | ResearchError::Store(_)
            | ResearchError::Io { .. }
            | ResearchError::Lake(_) => WhoMustAct::Operator,
        }
    }

    /// Whether the release was refused (and audited as such) rather than failed.
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            ResearchError::UnknownProject(_)
                | ResearchError::Blocked(_)
                | ResearchError::NotApproved(_)
                | ResearchError::NoData
        )
    }
}

/// Parse a project file (TOML) against `specs` and store the project, audited as
/// `research.project.add` by `actor`. An existing id is a conflict: a record is never replaced.
pub async fn add_project(
    hub: &Hub,
    specs: &SpecSet,
    file_text: &str,
    actor: &str,
) -> Result<StoredProject, ResearchError> {
    let project = ResearchProject::from_toml(file_text, specs)?;
    Ok(hub.add_research_project(&project, actor).await?)
}

/// Every project (full records, for the centre).
pub async fn projects(hub: &Hub) -> Result<Vec<StoredProject>, ResearchError> {
    Ok(hub.research_projects().await?)
}

/// The release log: all releases or one project's, oldest first.
pub async fn releases(
    hub: &Hub,
    project: Option<&ProjectId>,
) -> Result<Vec<ReleaseRecord>, ResearchError> {
    Ok(hub.research_releases(project).await?)
}

/// Projects and releases as a public transparency page may show them (no person's name).
pub async fn public_projects(hub: &Hub) -> Result<Vec<PublicProject>, ResearchError> {
    Ok(hub.public_research_projects().await?)
}

#[cfg(test)]
mod tests;

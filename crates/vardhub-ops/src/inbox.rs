//! Deliveries over HTTP: a region's uploads into the hub's inbox and the ingest worker's step.
//!
//! The server calls [`create`], [`append`], [`complete`], [`own`] and [`list`] for a region's
//! user ([`Uploader`]: the name and region of the token, never of the request body); an upload
//! of another region does not exist for it. The ingest worker (`vardhub inbox run`, the one
//! process holding the master key) calls [`process_next`]: under the writer lock it takes the
//! next queued upload, runs the real ingest on it with the upload's region as the only region
//! it may deliver for, and records the final status with the quality report — the same report
//! `vardhub ingest --json` prints. Publication stays the ingest's one catalogue transaction.

use crate::OpsError;
use std::sync::Arc;
use vardhub_domain::{RegionCode, SpecSet};
use vardhub_ingest::{IngestOptions, NoProgress, Pseudonymiser, ValidationReport};
use vardhub_store::inbox::{NewUpload, UploadId, UploadStatus};
use vardhub_store::{DeliveryStatus, Hub, StoreError};

pub use vardhub_store::inbox::{InboxError, MAX_RECEIVING_PER_REGION, Upload};

/// The largest delivery accepted over HTTP (2 GiB); larger ones are delivered by an operator.
pub const MAX_UPLOAD_BYTES: u64 = 2 << 30;

/// The longest file name accepted, in characters.
pub const MAX_FILENAME_CHARS: usize = 200;

/// Who uploads: a region's user, as the server authenticated them.
#[derive(Debug, Clone, Copy)]
pub struct Uploader<'a> {
    /// User name (audit log).
    pub user: &'a str,
    /// The user's own region: the only region the upload may deliver for.
    pub region: RegionCode,
}

/// Why an upload action was refused or failed, classified by who must act.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// A declared value is not acceptable (the client must act).
    #[error("{field}: {reason}")]
    Invalid {
        /// The field (`filename`, `size`, `sha256`).
        field: &'static str,
        /// Why, in Swedish and English.
        reason: String,
    },
    /// The declared size is over [`MAX_UPLOAD_BYTES`] (the client must act: ask an operator).
    #[error(
        "leveransen är {size} byte, högst {max} tas emot över HTTP / the delivery is {size} bytes, at most {max} are accepted over HTTP"
    )]
    TooLarge {
        /// Declared size.
        size: u64,
        /// The limit.
        max: u64,
    },
    /// The inbox refused the action or failed (see [`InboxError`]).
    #[error(transparent)]
    Inbox(#[from] InboxError),
}

impl From<StoreError> for UploadError {
    fn from(e: StoreError) -> Self {
        UploadError::Inbox(InboxError::Store(e))
    }
}

fn invalid(field: &'static str, reason: &str) -> UploadError {
    UploadError::Invalid {
        field,
        reason: reason.to_owned(),
    }
}

/// Check a file name: 1–200 characters, no control characters or path separators, ending in
/// `.zip`. Returned masked (an identity number in it never reaches the catalogue).
fn check_filename(name: &str) -> Result<String, UploadError> {
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_FILENAME_CHARS {
        return Err(invalid(
            "filename",
            "ska vara 1–200 tecken / must be 1–200 characters",
        ));
    }
    if name
        .chars()
        .any(|c| c.is_control() || c == '/' || c == '\\')
    {
        return Err(invalid(
            "filename",
            "får inte innehålla styrtecken eller / och \\ / must not contain control characters, / or \\",
        ));
    }
    if !name.to_ascii_lowercase().ends_with(".zip") {
        return Err(invalid(
            "filename",
            "en leverans över HTTP är en zip-fil (.zip) / a delivery over HTTP is a zip file (.zip)",
        ));
    }
    Ok(vardhub_domain::mask_identity_numbers(name).into_owned())
}

/// Check a declared SHA-256: 64 hex digits; returned lowercase.
fn check_sha256(sha: &str) -> Result<String, UploadError> {
    if sha.len() == 64 && sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(sha.to_ascii_lowercase())
    } else {
        Err(invalid(
            "sha256",
            "ska vara 64 hexadecimala siffror / must be 64 hexadecimal digits",
        ))
    }
}

/// Create an upload for the uploader's own region: declared file name, size (1 byte to
/// [`MAX_UPLOAD_BYTES`]) and SHA-256. Audited `deliveries.upload`.
pub async fn create(
    hub: &Hub,
    who: &Uploader<'_>,
    filename: &str,
    size: u64,
    sha256: &str,
) -> Result<Upload, UploadError> {
    let filename = check_filename(filename)?;
    let sha256 = check_sha256(sha256)?;
    if size == 0 {
        return Err(invalid(
            "size",
            "en tom fil är ingen leverans / an empty file is no delivery",
        ));
    }
    if size > MAX_UPLOAD_BYTES {
        return Err(UploadError::TooLarge {
            size,
            max: MAX_UPLOAD_BYTES,
        });
    }
    Ok(hub
        .create_upload(&NewUpload {
            region: who.region.as_str(),
            user: who.user,
            filename: &filename,
            size,
            sha256: &sha256,
        })
        .await?)
}

/// The uploader's own upload `id`; another region's, a malformed id or an unknown one is
/// [`InboxError::NotFound`] alike (its existence is not revealed).
pub async fn own(hub: &Hub, who: &Uploader<'_>, id: &str) -> Result<Upload, UploadError> {
    let id = UploadId::parse(id).ok_or(InboxError::NotFound)?;
    match hub.upload(&id).await? {
        Some(u) if u.region == who.region.as_str() => Ok(u),
        _ => Err(InboxError::NotFound.into()),
    }
}

/// Append a chunk at `offset` to the uploader's own upload (see
/// [`vardhub_store::Hub::append_upload`]).
pub async fn append(
    hub: &Hub,
    who: &Uploader<'_>,
    id: &str,
    offset: u64,
    chunk: Vec<u8>,
) -> Result<Upload, UploadError> {
    let upload = own(hub, who, id).await?;
    Ok(hub.append_upload(&upload.id, offset, chunk).await?)
}

/// Complete the uploader's own upload: size and SHA-256 are checked, then it is queued for the
/// ingest worker; a mismatch fails it and queues nothing.
pub async fn complete(hub: &Hub, who: &Uploader<'_>, id: &str) -> Result<Upload, UploadError> {
    let upload = own(hub, who, id).await?;
    Ok(hub.complete_upload(&upload.id, who.user).await?)
}

/// The uploader's region's uploads, newest first.
pub async fn list(hub: &Hub, who: &Uploader<'_>) -> Result<Vec<Upload>, UploadError> {
    Ok(hub.uploads_of_region(who.region.as_str()).await?)
}

/// The quality report of a processed upload, if it has one.
pub fn report(upload: &Upload) -> Result<Option<ValidationReport>, OpsError> {
    upload
        .report_json
        .as_deref()
        .map(|j| serde_json::from_str(j).map_err(|e| OpsError::Encode(e.to_string())))
        .transpose()
}

/// What the ingest worker did with one upload.
#[derive(Debug)]
pub struct Processed {
    /// The upload with its final status.
    pub upload: Upload,
    /// The quality report (none when the hub failed).
    pub report: Option<ValidationReport>,
    /// The hub's own failure, for the operator (status `failed`; the region is told only that
    /// the hub failed).
    pub hub_error: Option<String>,
}

/// What the worker needs besides the hub and the key: the specifications deliveries are
/// validated against (`None`: the built-in ones).
#[derive(Debug, Clone, Default)]
pub struct WorkerOptions {
    /// The collection specifications (as `IngestOptions::specs`).
    pub specs: Option<Arc<SpecSet>>,
}

/// The ingest worker's one step: take the writer lock, claim the next queued upload and run the
/// real ingest on it — as the uploading user, for the upload's region only
/// (`IngestOptions::expect_region`) — then record the final status (`published`, `held`,
/// `rejected`, or `failed` when the hub itself failed) with the report, remove the bytes and
/// audit `deliveries.ingest`. `None` when nothing waits. Indicators are not recomputed here (the
/// caller decides). Needs a multi-threaded runtime (the ingest stages in `block_in_place`).
pub async fn process_next(
    hub: &Hub,
    pseudonymiser: &Pseudonymiser,
    options: &WorkerOptions,
) -> Result<Option<Processed>, OpsError> {
    let lock = hub.lock_writer().await?;
    let Some(upload) = hub.claim_upload(&lock).await? else {
        return Ok(None);
    };
    // The region was stored from a parsed `RegionCode`; a row that is not one is refused as a
    // delivery for no region (it can never be published for any).
    let outcome = match RegionCode::parse(&upload.region) {
        Ok(region) => {
            let ingest_options = IngestOptions {
                actor: upload.user.clone(),
                expect_region: Some(region),
                specs: options.specs.clone(),
            };
            let path = hub.upload_path(&upload.id);
            vardhub_ingest::ingest(
                hub,
                &lock,
                &path,
                pseudonymiser,
                &ingest_options,
                &NoProgress,
            )
            .await
            .map_err(|e| e.to_string())
        }
        Err(_) => Err(format!("upload region {} is no region code", upload.region)),
    };
    match outcome {
        Ok(outcome) => {
            let mut report = outcome.report;
            // The region knows its upload, not the hub's inbox path.
            report.source = format!(
                "uppladdning / upload {}: {}",
                upload.id.as_str(),
                upload.filename
            );
            let status = match report.status {
                DeliveryStatus::Accepted | DeliveryStatus::AcceptedWithWarnings => {
                    UploadStatus::Published
                }
                DeliveryStatus::Held => UploadStatus::Held,
                DeliveryStatus::Rejected => UploadStatus::Rejected,
            };
            let json =
                serde_json::to_string(&report).map_err(|e| OpsError::Encode(e.to_string()))?;
            let upload = hub
                .finish_upload(
                    &lock,
                    &upload.id,
                    status,
                    report.delivery_id.as_deref(),
                    Some(&json),
                    None,
                )
                .await?;
            Ok(Some(Processed {
                upload,
                report: Some(report),
                hub_error: None,
            }))
        }
        Err(e) => {
            let upload = hub
                .finish_upload(
                    &lock,
                    &upload.id,
                    UploadStatus::Failed,
                    None,
                    None,
                    Some(
                        "hubben kunde inte bearbeta leveransen; driften är underrättad / the hub could not process the delivery; the operator has been told",
                    ),
                )
                .await?;
            Ok(Some(Processed {
                upload,
                report: None,
                hub_error: Some(vardhub_domain::mask_identity_numbers(&e).into_owned()),
            }))
        }
    }
}

#[cfg(test)]
mod tests;

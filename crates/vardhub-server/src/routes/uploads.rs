//! Leveranser över HTTP / deliveries over HTTP: a region's node uploads a delivery (a zip) with
//! its region's token, in resumable chunks, into the hub's inbox.
//!
//! * `POST /api/v1/deliveries/uploads` `{filename, size, sha256}` → 201, the upload (offset 0);
//! * `PUT …/{id}` with `Upload-Offset: N` and a chunk (at most `ServerConfig::upload_chunk_limit`
//!   bytes, `application/offset+octet-stream` or `application/octet-stream`) → 204 with the new
//!   `Upload-Offset`; a chunk at another offset → 409 with the current one (`Upload-Offset`
//!   header and `offset` member), so a client whose connection broke asks `GET …/{id}` and
//!   continues there;
//! * `POST …/{id}/complete` → 202, queued; a size or SHA-256 mismatch → 422, nothing queued;
//! * `GET …/{id}` → the upload: status, offset, delivery id and, once the ingest worker has
//!   processed it, the quality report; `GET /api/v1/deliveries/uploads` → the region's uploads.
//!
//! Only region analysts deliver (403 for every other role, 401 without login), and only for
//! their own region: the upload records the token's region and user, never the body's word, an
//! upload of another region is 404 like an unknown one, and the ingest refuses a manifest of
//! another region (`IngestOptions::expect_region`). The server never ingests (it has no master
//! key): `vardhub inbox run` does ([`vardhub_ops::inbox::process_next`]). Every response is
//! `Cache-Control: no-store`.

use crate::auth::{Caller, Role};
use crate::problem::{PROBLEM_JSON, Problem};
use crate::routes::UPLOADS_PREFIX;
use crate::routes::outputs::{logged_in, no_store};
use crate::state::AppState;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, JsonRejection};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::header::{CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, get, post, put};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use vardhub_ops::inbox::{self, InboxError, Upload, UploadError, Uploader};

/// The header that carries an upload's offset (as in the tus protocol).
pub const UPLOAD_OFFSET: HeaderName = HeaderName::from_static("upload-offset");

/// This module's API routes: `(path, method, handler)`; each is also in the OpenAPI document
/// (`assets/openapi/uploads.json`). Every path starts with [`UPLOADS_PREFIX`].
pub fn documented() -> Vec<(&'static str, &'static str, MethodRouter<AppState>)> {
    vec![
        (UPLOADS_PREFIX, "post", post(create)),
        (UPLOADS_PREFIX, "get", get(list)),
        (
            "/api/v1/deliveries/uploads/{id}",
            "put",
            // The chunk limit is the large-body router's `RequestBodyLimitLayer`.
            put(append).layer(DefaultBodyLimit::disable()),
        ),
        ("/api/v1/deliveries/uploads/{id}", "get", get(status)),
        (
            "/api/v1/deliveries/uploads/{id}/complete",
            "post",
            post(complete),
        ),
    ]
}

/// Links of an upload.
#[derive(Debug, Serialize)]
pub struct UploadLinks {
    /// The upload (`GET` status, `PUT` chunks).
    #[serde(rename = "self")]
    pub this: String,
    /// Where to complete it.
    pub complete: String,
}

/// An upload as the API shows it.
#[derive(Debug, Serialize)]
pub struct UploadView {
    /// Its id.
    pub id: String,
    /// The region it delivers for (the token's).
    pub region: String,
    /// Who created it.
    pub user: String,
    /// The file name given.
    pub filename: String,
    /// Declared size in bytes.
    pub size: u64,
    /// Declared SHA-256.
    pub sha256: String,
    /// Bytes received: where the next chunk starts.
    pub offset: u64,
    /// `receiving`, `queued`, `processing`, `published`, `held`, `rejected` or `failed`.
    pub status: &'static str,
    /// Created (RFC 3339).
    pub created_at: String,
    /// Last changed (RFC 3339).
    pub updated_at: String,
    /// The delivery the ingest recorded, once processed.
    pub delivery_id: Option<String>,
    /// Why it failed (status `failed`).
    pub error: Option<String>,
    /// The quality report once processed (the one `vardhub ingest --json` prints); `null`
    /// before. Left out of lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<Value>,
    /// Links.
    pub links: UploadLinks,
}

fn view(u: &Upload, with_report: bool) -> Result<UploadView, Problem> {
    let report = if with_report {
        Some(match u.report_json.as_deref() {
            Some(j) => serde_json::from_str(j).map_err(Problem::internal)?,
            None => Value::Null,
        })
    } else {
        None
    };
    let this = format!("{UPLOADS_PREFIX}/{}", u.id.as_str());
    Ok(UploadView {
        id: u.id.as_str().to_owned(),
        region: u.region.clone(),
        user: u.user.clone(),
        filename: u.filename.clone(),
        size: u.size,
        sha256: u.sha256.clone(),
        offset: u.offset,
        status: u.status.as_str(),
        created_at: u.created_at.clone(),
        updated_at: u.updated_at.clone(),
        delivery_id: u.delivery_id.clone(),
        error: u.error.clone(),
        report,
        links: UploadLinks {
            complete: format!("{this}/complete"),
            this,
        },
    })
}

fn offset_header(res: &mut Response, offset: u64) {
    res.headers_mut()
        .insert(UPLOAD_OFFSET, HeaderValue::from(offset));
}

/// The caller as an uploader: a region analyst with a region; 401 without login, 403 any other
/// role.
fn uploader(caller: &Caller) -> Result<Uploader<'_>, Problem> {
    let p = logged_in(caller)?;
    match (p.role, p.region) {
        (Role::Region, Some(region)) => Ok(Uploader {
            user: &p.name,
            region,
        }),
        _ => Err(Problem::forbidden(
            "bara en regions användare lämnar leveranser / only a region's users deliver",
        )),
    }
}

/// An upload error as a response: 404 unknown (or another region's), 409 a wrong offset (with
/// the current one), a busy upload or one that is not receiving, 413 too large, 422 invalid or
/// mismatching, 500 the hub.
fn refused(e: UploadError) -> Response {
    let unprocessable =
        |e: &UploadError| Problem::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string());
    let p = match &e {
        UploadError::Invalid { .. } => unprocessable(&e),
        UploadError::TooLarge { .. } => Problem::new(StatusCode::PAYLOAD_TOO_LARGE, e.to_string()),
        UploadError::Inbox(i) => match i {
            InboxError::NotFound => Problem::not_found(e.to_string()),
            InboxError::WrongOffset { current } => return wrong_offset(&e, *current),
            InboxError::Busy
            | InboxError::NotReceiving(_)
            | InboxError::TooManyReceiving { .. } => {
                Problem::new(StatusCode::CONFLICT, e.to_string())
            }
            InboxError::BeyondSize { .. } => {
                Problem::new(StatusCode::PAYLOAD_TOO_LARGE, e.to_string())
            }
            InboxError::Incomplete { .. } | InboxError::ChecksumMismatch => unprocessable(&e),
            InboxError::Store(s) => Problem::internal(s),
        },
    };
    no_store(p.into_response())
}

/// 409 with the current offset: in the `Upload-Offset` header and as the problem's `offset`.
fn wrong_offset(e: &UploadError, current: u64) -> Response {
    let p = Problem::new(StatusCode::CONFLICT, e.to_string());
    let mut body = serde_json::to_value(&p).unwrap_or(Value::Null);
    body["offset"] = current.into();
    let mut res = (StatusCode::CONFLICT, body.to_string()).into_response();
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    offset_header(&mut res, current);
    no_store(res)
}

/// The body of `POST /api/v1/deliveries/uploads`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateBody {
    /// The file name (ends in `.zip`).
    filename: String,
    /// Size in bytes.
    size: u64,
    /// SHA-256 of the whole file, hex.
    sha256: String,
}

/// `POST /api/v1/deliveries/uploads`: a region's user starts an upload.
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    b: Result<Json<CreateBody>, JsonRejection>,
) -> Result<Response, Problem> {
    let who = uploader(&caller)?;
    let b = b.map(|Json(b)| b).map_err(|e| {
        Problem::bad_request(format!("ogiltig JSON / invalid JSON: {}", e.body_text()))
    })?;
    let up = match inbox::create(state.hub(), &who, &b.filename, b.size, &b.sha256).await {
        Ok(up) => up,
        Err(e) => return Ok(refused(e)),
    };
    let v = view(&up, true)?;
    let location = v.links.this.clone();
    let mut res = (StatusCode::CREATED, Json(v)).into_response();
    if let Ok(l) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(LOCATION, l);
    }
    offset_header(&mut res, up.offset);
    Ok(no_store(res))
}

/// `GET /api/v1/deliveries/uploads`: the region's uploads, newest first (without reports).
pub async fn list(State(state): State<AppState>, caller: Caller) -> Result<Response, Problem> {
    let who = uploader(&caller)?;
    let uploads = match inbox::list(state.hub(), &who).await {
        Ok(u) => u,
        Err(e) => return Ok(refused(e)),
    };
    let views = uploads
        .iter()
        .map(|u| view(u, false))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(no_store(
        Json(serde_json::json!({ "total": views.len(), "uploads": views })).into_response(),
    ))
}

/// `GET /api/v1/deliveries/uploads/{id}`: one of the region's uploads, with its report once
/// processed.
pub async fn status(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let who = uploader(&caller)?;
    let up = match inbox::own(state.hub(), &who, &id).await {
        Ok(u) => u,
        Err(e) => return Ok(refused(e)),
    };
    let mut res = Json(view(&up, true)?).into_response();
    offset_header(&mut res, up.offset);
    Ok(no_store(res))
}

/// The `Upload-Offset` header: a decimal number of bytes.
fn offset_of(headers: &HeaderMap) -> Result<u64, Problem> {
    headers
        .get(UPLOAD_OFFSET)
        .and_then(|v| v.to_str().ok())
        .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            Problem::bad_request(
                "rubriken Upload-Offset (antal byte) saknas eller är ogiltig / the Upload-Offset header (bytes) is missing or invalid",
            )
        })
}

/// `PUT /api/v1/deliveries/uploads/{id}`: one chunk at `Upload-Offset`.
pub async fn append(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, Problem> {
    let who = uploader(&caller)?;
    let ct = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !matches!(
        ct,
        "application/offset+octet-stream" | "application/octet-stream"
    ) {
        return Err(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "en del skickas som application/offset+octet-stream / a chunk is sent as application/offset+octet-stream",
        ));
    }
    let offset = offset_of(&headers)?;
    let chunk = body.map_err(|e| {
        let status = e.status();
        if status == StatusCode::PAYLOAD_TOO_LARGE {
            Problem::new(
                status,
                format!(
                    "delen är större än {} byte / the chunk is larger than {} bytes",
                    state.config().upload_chunk_limit,
                    state.config().upload_chunk_limit
                ),
            )
        } else {
            Problem::new(
                status,
                format!(
                    "delen kom inte fram / the chunk did not arrive: {}",
                    e.body_text()
                ),
            )
        }
    })?;
    match inbox::append(state.hub(), &who, &id, offset, chunk.to_vec()).await {
        Ok(up) => {
            let mut res = StatusCode::NO_CONTENT.into_response();
            offset_header(&mut res, up.offset);
            Ok(no_store(res))
        }
        Err(e) => Ok(refused(e)),
    }
}

/// `POST /api/v1/deliveries/uploads/{id}/complete`: check size and SHA-256, then queue it.
pub async fn complete(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    let who = uploader(&caller)?;
    match inbox::complete(state.hub(), &who, &id).await {
        Ok(up) => {
            let mut res = (StatusCode::ACCEPTED, Json(view(&up, true)?)).into_response();
            offset_header(&mut res, up.offset);
            Ok(no_store(res))
        }
        Err(e) => Ok(refused(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_decimal_byte_counts() {
        let h = |v: &str| {
            let mut m = HeaderMap::new();
            m.insert(UPLOAD_OFFSET, HeaderValue::from_str(v).unwrap());
            offset_of(&m)
        };
        assert_eq!(h("0").unwrap(), 0);
        assert_eq!(h("8388608").unwrap(), 8_388_608);
        for bad in ["", "-1", "+1", "1.0", "0x10", "99999999999999999999999"] {
            assert!(h(bad).is_err(), "{bad}");
        }
        assert!(offset_of(&HeaderMap::new()).is_err());
    }

    #[test]
    fn every_path_is_routed_with_the_large_bodies() {
        for (path, _, _) in documented() {
            assert!(path.starts_with(UPLOADS_PREFIX), "{path}");
        }
    }
}

//! Hemhämtning: a region analyst downloads its own region's pseudonymised microdata.
//!
//! `GET /api/v1/microdata/{collection}/{table}?period=ÅÅÅÅ-MM&format=parquet|csv`
//!
//! The region is never taken from the request: it is the caller's own region, and the file is the
//! one the catalogue's current snapshot lists for that collection, region, period and table (the
//! path segments are only compared with catalogue values, never joined into a path). A `region`
//! parameter naming another region is refused with 403. Every download and every refused attempt
//! (with the region asked for) is written to the audit log; a `HEAD` is audited as
//! `microdata.head`, not as a download (it sends no file).
//!
//! The lake's pseudonyms never leave the hub: they come from one key for all regions, so two
//! regions' downloads could be linked for a patient treated in both. The file is read and every
//! `*_pseudonym` column is replaced by the caller's region release pseudonyms
//! (from the server's [`vardhub_ingest::ReleaseKeys`], the same as
//! [`vardhub_ingest::Pseudonymiser::for_release`] with `ReleaseScope::Region`; nulls stay null,
//! everything else is unchanged), then written as Parquet (zstd, like the lake) or RFC 4180 CSV, in
//! memory (a file is one region and month). The same region gets the same pseudonyms in every
//! download; without a configured key the server answers 503 instead of ever serving lake
//! pseudonyms.

use crate::auth::{Caller, Role};
use crate::csv::neutralise_text_columns;
use crate::problem::Problem;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::{self, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use datafusion::arrow::array::{
    Array, ArrayRef, AsArray, GenericStringArray, OffsetSizeTrait, RecordBatchReader,
};
use datafusion::arrow::csv::WriterBuilder;
use datafusion::arrow::datatypes::DataType;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use datafusion::parquet::basic::{Compression, ZstdLevel};
use datafusion::parquet::file::properties::WriterProperties;
use serde::Deserialize;
use std::sync::Arc;
use vardhub_domain::{Period, RegionCode};
use vardhub_ingest::ReleasePseudonymiser;

/// Suffix of the lake columns that hold patient pseudonyms (`patient_pseudonym`).
const PSEUDONYM_SUFFIX: &str = "_pseudonym";

/// Query parameters.
#[derive(Debug, Deserialize)]
pub struct MicrodataQuery {
    period: Option<String>,
    format: Option<String>,
    region: Option<String>,
}

/// `GET /api/v1/microdata/{collection}/{table}`.
pub async fn download(
    State(state): State<AppState>,
    method: Method,
    caller: Caller,
    Path((collection, table)): Path<(String, String)>,
    query: Result<Query<MicrodataQuery>, QueryRejection>,
) -> Result<Response, Problem> {
    let Some(principal) = caller.0.as_ref() else {
        return Err(Problem::unauthorized(
            "hemhämtning kräver inloggning / microdata requires authentication",
        ));
    };
    let hub = state.hub();
    // Path segments are written down only when they name a known collection and table.
    let known = vardhub_domain::spec::builtin()
        .get(&collection)
        .is_some_and(|s| s.table(&table).is_some());
    let what = if known {
        format!("{collection}/{table}")
    } else {
        "?/?".to_owned()
    };
    let deny = |reason: &str| {
        let detail = format!("{what} {reason}");
        let name = principal.name.clone();
        async move {
            hub.append_audit(&name, "microdata.denied", "microdata", &detail)
                .await
                .map_err(Problem::internal)
        }
    };
    let own = match (principal.role, principal.region) {
        (Role::Region, Some(r)) => r,
        _ => {
            deny("role").await?;
            return Err(Problem::forbidden(
                "hemhämtning är till för regionanalytiker och deras egen region / microdata is for region analysts and their own region",
            ));
        }
    };
    let Query(q) = query.map_err(|e| Problem::bad_request(e.body_text()))?;
    if let Some(r) = &q.region
        && RegionCode::parse(r).ok() != Some(own)
    {
        // The region asked for, as a code only (anything else is not written down).
        let asked = RegionCode::parse(r).map_or("?", |c| c.as_str());
        deny(&format!("other-region asked={asked}")).await?;
        return Err(Problem::forbidden(
            "endast den egna regionens data / only your own region's data",
        ));
    }
    // Never fall back to the lake's pseudonyms: without the key there is no hemhämtning.
    let Some(release) = state.release_keys().and_then(|k| k.for_region(own)) else {
        deny("no-key").await?;
        return Err(Problem::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "hemhämtning är inte konfigurerad (ingen nyckel) / microdata downloads are not configured (no key)",
        ));
    };
    let key_version = release.key_version();
    let spec = vardhub_domain::spec::builtin()
        .get(&collection)
        .filter(|s| s.table(&table).is_some())
        .ok_or_else(|| {
            Problem::not_found("okänd datasamling eller tabell / unknown collection or table")
        })?;
    let period = q
        .period
        .as_deref()
        .ok_or_else(|| Problem::bad_request("period=ÅÅÅÅ-MM krävs / is required"))
        .and_then(|p| {
            Period::parse(p).map_err(|_| Problem::bad_request("period: ÅÅÅÅ-MM / YYYY-MM"))
        })?
        .to_string();
    let csv = match q.format.as_deref() {
        None | Some("parquet") => false,
        Some("csv") => true,
        Some(_) => return Err(Problem::bad_request("format: parquet, csv")),
    };
    let snapshot = hub
        .snapshot(Some(&spec.id), None)
        .await
        .map_err(Problem::internal)?;
    let found = snapshot
        .deliveries
        .iter()
        .filter(|d| d.region == own.as_str() && d.collection == spec.id && d.period == period)
        .flat_map(|d| d.files.iter().map(move |f| (d, f)))
        .find(|(_, f)| f.table == table);
    let Some((delivery, file)) = found else {
        return Err(Problem::not_found(
            "inga publicerade data för din region och månad / no published data for your region and month",
        ));
    };
    let (ct, ext) = if csv {
        ("text/csv; charset=utf-8; header=present", "csv")
    } else {
        ("application/vnd.apache.parquet", "parquet")
    };
    let format = if csv { "csv" } else { "parquet" };
    if method == Method::HEAD {
        // The headers of a download, without the file: audited, but not as a download.
        hub.append_audit(
            &principal.name,
            "microdata.head",
            &delivery.id,
            &format!(
                "table={table} region={} period={period} format={format}",
                own.as_str()
            ),
        )
        .await
        .map_err(Problem::internal)?;
        return Ok(download_headers(
            Body::empty(),
            ct,
            &delivery.id,
            &table,
            ext,
        ));
    }
    let path = file.path.clone();
    let body: Vec<u8> = tokio::task::spawn_blocking(move || release_file(&path, &release, csv))
        .await
        .map_err(Problem::internal)??;
    hub.append_audit(
        &principal.name,
        "microdata.download",
        &delivery.id,
        &format!(
            "table={table} region={} period={period} format={} rows={} sha256={} pseudonyms=region:{} key_version={key_version}",
            own.as_str(),
            format,
            file.rows,
            file.sha256,
            own.as_str(),
        ),
    )
    .await
    .map_err(Problem::internal)?;
    Ok(download_headers(
        Body::from(body),
        ct,
        &delivery.id,
        &table,
        ext,
    ))
}

/// A download response: content type, `private, no-store`, attachment file name.
fn download_headers(body: Body, ct: &'static str, id: &str, table: &str, ext: &str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{id}-{table}.{ext}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    res
}

/// A lake Parquet file with release pseudonyms, as Parquet (zstd) or RFC 4180 CSV (`,`, header
/// row; text cells that a spreadsheet would read as a formula get a leading `'`).
fn release_file(
    path: &std::path::Path,
    release: &ReleasePseudonymiser,
    csv: bool,
) -> Result<Vec<u8>, Problem> {
    let file = std::fs::File::open(path).map_err(Problem::internal)?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.build())
        .map_err(Problem::internal)?;
    let schema = reader.schema();
    let mut out = Vec::new();
    if csv {
        let mut w = WriterBuilder::new().with_header(true).build(&mut out);
        for batch in reader {
            let batch = pseudonymise(&batch.map_err(Problem::internal)?, release)?;
            let batch = neutralise_text_columns(&batch).map_err(Problem::internal)?;
            w.write(&batch).map_err(Problem::internal)?;
        }
    } else {
        let props = WriterProperties::builder()
            .set_compression(Compression::ZSTD(
                ZstdLevel::try_new(1).map_err(Problem::internal)?,
            ))
            .set_created_by(format!("vardhub {}", env!("CARGO_PKG_VERSION")))
            .build();
        let mut w =
            ArrowWriter::try_new(&mut out, schema, Some(props)).map_err(Problem::internal)?;
        for batch in reader {
            let batch = pseudonymise(&batch.map_err(Problem::internal)?, release)?;
            w.write(&batch).map_err(Problem::internal)?;
        }
        w.close().map_err(Problem::internal)?;
    }
    Ok(out)
}

/// `batch` with every `*_pseudonym` column replaced by release pseudonyms (nulls stay null). A
/// pseudonym column of any type but Utf8/LargeUtf8 is an error, never passed through.
fn pseudonymise(
    batch: &RecordBatch,
    release: &ReleasePseudonymiser,
) -> Result<RecordBatch, Problem> {
    let schema = batch.schema();
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(batch.num_columns());
    for (field, column) in schema.fields().iter().zip(batch.columns()) {
        if !field.name().ends_with(PSEUDONYM_SUFFIX) {
            columns.push(Arc::clone(column));
            continue;
        }
        let replaced: ArrayRef = match column.data_type() {
            DataType::Utf8 => Arc::new(replace::<i32>(column, release)),
            DataType::LargeUtf8 => Arc::new(replace::<i64>(column, release)),
            other => {
                return Err(Problem::internal(format_args!(
                    "pseudonym column {} has unexpected type {other}",
                    field.name()
                )));
            }
        };
        columns.push(replaced);
    }
    RecordBatch::try_new(schema, columns).map_err(Problem::internal)
}

fn replace<O: OffsetSizeTrait>(
    column: &ArrayRef,
    release: &ReleasePseudonymiser,
) -> GenericStringArray<O> {
    column
        .as_string::<O>()
        .iter()
        .map(|v| v.map(|lake| release.pseudonym(lake)))
        .collect()
}

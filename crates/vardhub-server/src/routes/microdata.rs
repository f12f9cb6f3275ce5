//! Hemhämtning: a region analyst downloads its own region's pseudonymised microdata.
//!
//! `GET /api/v1/microdata/{collection}/{table}?period=ÅÅÅÅ-MM&format=parquet|csv`
//!
//! The region is never taken from the request: it is the caller's own region, and the file is the
//! one the catalogue's current snapshot lists for that collection, region, period and table (the
//! path segments are only compared with catalogue values, never joined into a path). A `region`
//! parameter naming another region is refused with 403. Every download and every refused attempt
//! is written to the audit log.

use crate::auth::{Caller, Role};
use crate::problem::Problem;
use crate::state::AppState;
use axum::body::Body;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Response};
use datafusion::arrow::csv::WriterBuilder;
use datafusion::parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde::Deserialize;
use vardhub_domain::{Period, RegionCode};

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
    let deny = |reason: &str| {
        let detail = format!("{collection}/{table} {reason}");
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
        deny("other-region").await?;
        return Err(Problem::forbidden(
            "endast den egna regionens data / only your own region's data",
        ));
    }
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
    let path = file.path.clone();
    let body: Vec<u8> = if csv {
        tokio::task::spawn_blocking(move || to_csv(&path))
            .await
            .map_err(Problem::internal)??
    } else {
        tokio::fs::read(&path).await.map_err(Problem::internal)?
    };
    hub.append_audit(
        &principal.name,
        "microdata.download",
        &delivery.id,
        &format!(
            "table={table} region={} period={period} format={} rows={} sha256={}",
            own.as_str(),
            if csv { "csv" } else { "parquet" },
            file.rows,
            file.sha256
        ),
    )
    .await
    .map_err(Problem::internal)?;
    let (ct, ext) = if csv {
        ("text/csv; charset=utf-8; header=present", "csv")
    } else {
        ("application/vnd.apache.parquet", "parquet")
    };
    let mut res = Body::from(body).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}-{table}.{ext}\"",
        delivery.id
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(res)
}

/// A lake Parquet file as RFC 4180 CSV (`,`, header row).
fn to_csv(path: &std::path::Path) -> Result<Vec<u8>, Problem> {
    let file = std::fs::File::open(path).map_err(Problem::internal)?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.build())
        .map_err(Problem::internal)?;
    let mut out = Vec::new();
    {
        let mut w = WriterBuilder::new().with_header(true).build(&mut out);
        for batch in reader {
            w.write(&batch.map_err(Problem::internal)?)
                .map_err(Problem::internal)?;
        }
    }
    Ok(out)
}

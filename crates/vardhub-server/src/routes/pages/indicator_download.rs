//! "Ladda ner det du ser": the indicator page's current view (filters, level, period, sort) as
//! CSV and xlsx in display units with Swedish headers.
//! Stub: filled in by the indicator page work (issue 18).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// `GET /indikatorer/{id}/vy.csv`.
pub async fn view_csv() -> Response {
    StatusCode::NOT_FOUND.into_response()
}

/// `GET /indikatorer/{id}/vy.xlsx`.
pub async fn view_xlsx() -> Response {
    StatusCode::NOT_FOUND.into_response()
}

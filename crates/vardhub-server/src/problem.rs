//! Fel som `application/problem+json` (RFC 9457) / errors as problem details.
//!
//! Every API error is a [`Problem`]: `type` (`about:blank`, so `title` is the HTTP status
//! phrase), `title`, `status` and a bilingual `detail` that never contains internals; a 500's
//! cause is logged, not sent.

use axum::http::header::{CONTENT_TYPE, WWW_AUTHENTICATE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// The media type of problem details.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// Problem type URI.
    #[serde(rename = "type")]
    pub kind: String,
    /// Short summary (the status phrase).
    pub title: String,
    /// HTTP status.
    pub status: u16,
    /// Explanation for this occurrence (Swedish / English).
    pub detail: String,
}

impl Problem {
    /// A problem with `status` and `detail`.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Problem {
        Problem {
            kind: "about:blank".into(),
            title: status.canonical_reason().unwrap_or("Error").into(),
            status: status.as_u16(),
            detail: detail.into(),
        }
    }
    /// 400.
    pub fn bad_request(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::BAD_REQUEST, detail)
    }
    /// 401 (sent with `WWW-Authenticate: Bearer`).
    pub fn unauthorized(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::UNAUTHORIZED, detail)
    }
    /// 403.
    pub fn forbidden(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::FORBIDDEN, detail)
    }
    /// 404.
    pub fn not_found(detail: impl Into<String>) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, detail)
    }
    /// 406.
    pub fn not_acceptable() -> Problem {
        Problem::new(
            StatusCode::NOT_ACCEPTABLE,
            "tillgängliga format: application/json, text/csv / available: application/json, text/csv",
        )
    }
    /// 500: logs `cause`, sends nothing of it.
    pub fn internal(cause: impl std::fmt::Display) -> Problem {
        tracing::error!(error = %cause, "internal error");
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "ett internt fel uppstod; det är loggat / an internal error occurred; it has been logged",
        )
    }
    /// A problem for any status, with a generic detail (used by the fallback layer).
    pub fn for_status(status: StatusCode) -> Problem {
        let detail = match status {
            StatusCode::PAYLOAD_TOO_LARGE => "begäran är för stor / request body too large",
            StatusCode::REQUEST_TIMEOUT => "begäran tog för lång tid / request timed out",
            StatusCode::METHOD_NOT_ALLOWED => "metoden stöds inte här / method not allowed",
            StatusCode::NOT_FOUND => "finns inte / not found",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "fel innehållstyp / unsupported media type",
            _ if status.is_server_error() => "ett internt fel uppstod / an internal error occurred",
            _ => "ogiltig begäran / invalid request",
        };
        Problem::new(status, detail)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut res = (status, body).into_response();
        let h = res.headers_mut();
        h.insert(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if status == StatusCode::UNAUTHORIZED {
            h.insert(
                WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"vardhub\""),
            );
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_has_the_rfc_9457_members() {
        let p = Problem::forbidden("nej / no");
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["type"], "about:blank");
        assert_eq!(v["title"], "Forbidden");
        assert_eq!(v["status"], 403);
        assert_eq!(v["detail"], "nej / no");
        let r = p.into_response();
        assert_eq!(r.headers()[CONTENT_TYPE], PROBLEM_JSON);
    }
}

//! Statiska filer / static files, embedded in the binary: the vendored chart libraries, our CSS
//! and chart script, and the map geometry. Versioned names, so they are cached for a year.

use axum::extract::Path;
use axum::http::header::{self, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::problem::Problem;

/// `(path under /static/, content type, bytes)`.
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/app.css"),
    ),
    (
        "charts.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/charts.js"),
    ),
    (
        "sweden_lan.geojson",
        "application/geo+json",
        include_bytes!("../../assets/sweden_lan.geojson"),
    ),
    (
        "vendor/vega-5.33.1.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/vendor/vega-5.33.1.min.js"),
    ),
    (
        "vendor/vega-lite-5.23.0.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/vendor/vega-lite-5.23.0.min.js"),
    ),
    (
        "vendor/vega-embed-6.29.0.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/vendor/vega-embed-6.29.0.min.js"),
    ),
    (
        "vendor/htmx-2.0.11.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../../assets/vendor/htmx-2.0.11.min.js"),
    ),
    (
        "vendor/LICENSES.txt",
        "text/plain; charset=utf-8",
        LICENSES.as_bytes(),
    ),
];

const LICENSES: &str = concat!(
    "Vega\n====\n",
    include_str!("../../assets/vendor/vega.LICENSE"),
    "\nVega-Lite\n=========\n",
    include_str!("../../assets/vendor/vega-lite.LICENSE"),
    "\nvega-embed\n==========\n",
    include_str!("../../assets/vendor/vega-embed.LICENSE"),
    "\nhtmx\n====\n",
    include_str!("../../assets/vendor/htmx.LICENSE"),
);

/// `GET /static/{*file}`.
pub async fn file(Path(name): Path<String>) -> Response {
    let Some(&(_, ct, bytes)) = FILES.iter().find(|(n, _, _)| *n == name) else {
        return Problem::not_found("ingen sådan fil / no such file").into_response();
    };
    let mut res = bytes.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    // Our own files change with the binary; vendored files carry their version in the name.
    let cache = if name.starts_with("vendor/") || name.ends_with(".geojson") {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=3600"
    };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    res
}

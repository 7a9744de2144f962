//! Static files: the stylesheet, the page script and the vendored chart and API-browser
//! libraries, embedded in the binary.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

const ASSETS: [(&str, &str, &[u8]); 6] = [
    (
        "swagger-init.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/swagger-init.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/app.css"),
    ),
    (
        "app.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/app.js"),
    ),
    (
        "vendor/echarts.min.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/echarts.min.js"),
    ),
    (
        "vendor/swagger-ui-bundle.js",
        "text/javascript; charset=utf-8",
        include_bytes!("../assets/vendor/swagger-ui-bundle.js"),
    ),
    (
        "vendor/swagger-ui.css",
        "text/css; charset=utf-8",
        include_bytes!("../assets/vendor/swagger-ui.css"),
    ),
];

/// A short fingerprint of an asset's content (FNV-1a, 64 bits): its address changes when it
/// does, so browsers may keep it for a year.
fn fingerprint(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:012x}", h >> 16)
}

fn fingerprints() -> &'static std::collections::HashMap<&'static str, String> {
    static F: std::sync::OnceLock<std::collections::HashMap<&'static str, String>> =
        std::sync::OnceLock::new();
    F.get_or_init(|| {
        ASSETS
            .iter()
            .map(|(name, _, bytes)| (*name, fingerprint(bytes)))
            .collect()
    })
}

/// The address of an asset with its fingerprint (`/assets/app.css?v=…`), for templates.
pub fn url(name: &str) -> String {
    match fingerprints().get(name) {
        Some(v) => format!("/assets/{name}?v={v}"),
        None => format!("/assets/{name}"),
    }
}

/// An asset: kept a year (immutable) when asked for by its current fingerprint, an hour
/// otherwise.
pub async fn asset(
    axum::extract::Path(file): axum::extract::Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((name, mime, bytes)) => {
            let current = query
                .as_deref()
                .and_then(|q| q.split('&').find_map(|p| p.strip_prefix("v=")))
                .is_some_and(|v| fingerprints().get(name).is_some_and(|f| f == v));
            let cache = if current {
                "public, max-age=31536000, immutable"
            } else {
                "public, max-age=3600"
            };
            (
                [
                    (header::CONTENT_TYPE, *mime),
                    (header::CACHE_CONTROL, cache),
                ],
                *bytes,
            )
                .into_response()
        }
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

pub const SWAGGER_PAGE: &str = r##"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>jixiao API</title>
<link rel="stylesheet" href="/assets/vendor/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/assets/vendor/swagger-ui-bundle.js"></script>
<script src="/assets/swagger-init.js"></script>
</body></html>"##;

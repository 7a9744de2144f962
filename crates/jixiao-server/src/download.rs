//! File downloads: a written report or an evidence file, with its content type and a file name
//! in UTF-8 (RFC 6266 `filename*`) beside an ASCII fallback.

use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use jixiao_app::reports::Rendered;
use jixiao_app::values::EvidenceInfo;

fn encoded(name: &str) -> String {
    name.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A written report.
pub fn report(r: Rendered) -> Response {
    let disposition = format!(
        "attachment; filename=\"report.{}\"; filename*=UTF-8''{}",
        r.format.extension(),
        encoded(&r.file_name)
    );
    (
        [
            (CONTENT_TYPE, r.format.content_type().to_string()),
            (CONTENT_DISPOSITION, disposition),
        ],
        r.bytes,
    )
        .into_response()
}

/// An evidence file.
pub fn evidence(info: &EvidenceInfo, bytes: Vec<u8>) -> Response {
    let disposition = format!(
        "attachment; filename=\"{}\"",
        info.file_name.replace(['"', '\\', '\r', '\n'], "_")
    );
    (
        [
            (CONTENT_TYPE, info.content_type.clone()),
            (CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

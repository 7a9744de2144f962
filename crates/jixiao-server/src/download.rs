//! File downloads: a written report or an evidence file, with its content type and a file name
//! in UTF-8 (RFC 6266 `filename*`) beside an ASCII fallback.

use axum::http::header::{CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, CONTENT_TYPE};

/// A downloaded file is never a page of this site: should a browser render it anyway, it runs
/// sandboxed (no scripts, no same-origin access), with nothing loaded.
const FILE_POLICY: &str = "sandbox; default-src 'none'";
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
            (CONTENT_SECURITY_POLICY, FILE_POLICY.to_string()),
        ],
        r.bytes,
    )
        .into_response()
}

/// An evidence file.
pub fn evidence(info: &EvidenceInfo, bytes: Vec<u8>) -> Response {
    file(&info.file_name, &info.content_type, bytes)
}

/// A stored file as an attachment, under the policy that keeps it from running as a page.
pub fn file(file_name: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    // An ASCII name for old clients (other characters as `_`), the real one in `filename*`.
    let ascii: String = file_name
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() && !"\"\\;".contains(c) || c == ' ' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{}",
        encoded(file_name)
    );
    (
        [
            (CONTENT_TYPE, content_type.to_string()),
            (CONTENT_DISPOSITION, disposition),
            (CONTENT_SECURITY_POLICY, FILE_POLICY.to_string()),
        ],
        bytes,
    )
        .into_response()
}

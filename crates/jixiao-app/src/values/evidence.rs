//! Evidence files (佐证材料) attached to a value: the types accepted, checked by content, and
//! who may read them.

use crate::actor::Actor;
use crate::error::{AppError, Result};
use crate::lookup;
use crate::policy::{require, Act};
use crate::settings::Settings;
use jixiao_store::evidence::EvidenceInfo;
use jixiao_store::Store;

/// Evidence types accepted: file-name extension, content type, and how the content must begin.
pub const EVIDENCE_TYPES: [(&str, &str, &[u8]); 6] = [
    ("pdf", "application/pdf", b"%PDF"),
    ("png", "image/png", b"\x89PNG"),
    ("jpg", "image/jpeg", b"\xFF\xD8\xFF"),
    ("jpeg", "image/jpeg", b"\xFF\xD8\xFF"),
    (
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        b"PK\x03\x04",
    ),
    (
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        b"PK\x03\x04",
    ),
];

/// The content type of an evidence file, or why it is refused: empty, too large, not one of
/// [`EVIDENCE_TYPES`] by name and content, or a PDF or Office file that hides more than it
/// shows. Value evidence and bonus applications take the same files.
pub(crate) fn checked_file(
    settings: &Settings,
    file_name: &str,
    bytes: &[u8],
) -> Result<&'static str> {
    let max = settings.evidence_max_bytes;
    if bytes.is_empty() {
        return Err(AppError::Invalid(format!("{file_name}: the file is empty")));
    }
    if bytes.len() > max {
        return Err(AppError::Invalid(format!(
            "{file_name}: {} bytes is more than the {max} bytes allowed",
            bytes.len()
        )));
    }
    let ext = file_name
        .rsplit_once('.')
        .map(|(_, e)| e.to_lowercase())
        .unwrap_or_default();
    let Some((_, content_type, magic)) = EVIDENCE_TYPES.iter().find(|(e, _, _)| *e == ext) else {
        return Err(AppError::Invalid(format!(
            "{file_name}: only PDF, PNG, JPEG, xlsx and docx files are accepted"
        )));
    };
    if !bytes.starts_with(magic) {
        return Err(AppError::Invalid(format!(
            "{file_name}: the content is not a .{ext} file"
        )));
    }
    // Past the first bytes: a PDF that is also a web page or an archive, or an Office file that
    // unpacks past the limits, is refused by name.
    let checked = match ext.as_str() {
        "pdf" => jixiao_files::check_pdf(bytes),
        "xlsx" => jixiao_files::check_xlsx(bytes),
        "docx" => jixiao_files::check_docx(bytes),
        _ => Ok(()),
    };
    checked.map_err(|e| AppError::Invalid(format!("{file_name}: refused, {e}")))?;
    Ok(content_type)
}

/// A unit attaches an evidence file to one of its values; returns the file's id and whether
/// the value went back to review (a file added to an approved value sends it back: the
/// approval was given without it).
#[allow(clippy::too_many_arguments)]
pub fn add_evidence(
    s: &mut Store,
    settings: &Settings,
    actor: &Actor,
    cycle: Option<&str>,
    unit: &str,
    task: &str,
    period: &str,
    file_name: &str,
    bytes: &[u8],
) -> Result<(String, bool)> {
    require(actor, Act::EnterValue(unit))?;
    let content_type = checked_file(settings, file_name, bytes)?;
    let fw = crate::lookup::framework(s, actor, cycle)?;
    let u = lookup::unit(&fw, unit)?;
    let t = lookup::task(&fw, task)?;
    let p = lookup::period(&fw, period)?;
    lookup::responsible(&fw, t, u)?;
    let key = lookup::key(&fw, t, u, p);
    Ok(s.add_evidence(
        &fw.cycle.id,
        &key,
        file_name,
        content_type,
        bytes,
        &actor.id,
        settings.today(),
    )?)
}

/// A file, if the actor may see its unit's data. Unknown and forbidden look the same to a
/// guesser.
pub fn evidence(s: &mut Store, actor: &Actor, id: &str) -> Result<(EvidenceInfo, Vec<u8>)> {
    if actor.is_public() {
        return Err(AppError::Unauthenticated);
    }
    let (info, bytes) = s.evidence(id).map_err(|e| match e {
        jixiao_store::StoreError::NotFound(_) => AppError::Forbidden,
        other => other.into(),
    })?;
    require(actor, Act::ViewUnit(&info.unit))?;
    Ok((info, bytes))
}

//! What users may type: every text field has a length limit, and refuses control characters (a
//! one-line field all of them; a paragraph field all but tab and line breaks). The limits are
//! here, once, and the message names the field, the limit and what was found.

use crate::error::{AppError, Result};

/// Ids of accounts, tokens and keys.
pub const ID: usize = 64;
/// Names: of a person, an account, a token, an API key's client.
pub const NAME: usize = 100;
/// A value as typed (a number or a grade).
pub const VALUE: usize = 100;
/// An e-mail address (RFC 5321's limit).
pub const EMAIL: usize = 254;
/// An address of a citizen request.
pub const ADDRESS: usize = 500;
/// Notes, comments, reasons, evidence references.
pub const NOTE: usize = 2_000;
/// A citizen request's description (Open311 GeoReport v2 allows 4,000).
pub const DESCRIPTION: usize = 4_000;
/// One section of a unit's report text.
pub const NARRATIVE: usize = 20_000;
/// A report pasted or uploaded for checking.
pub const REPORT: usize = 1_000_000;

fn check(field: &str, value: &str, max: usize, multiline: bool) -> Result<()> {
    let n = value.chars().count();
    if n > max {
        return Err(AppError::Invalid(format!(
            "`{field}` is longer than {max} characters ({n})"
        )));
    }
    let allowed = |c: char| multiline && matches!(c, '\t' | '\n' | '\r');
    if let Some((i, c)) = value
        .chars()
        .enumerate()
        .find(|&(_, c)| c.is_control() && !allowed(c))
    {
        return Err(AppError::Invalid(format!(
            "`{field}` contains a control character (U+{:04X}) at character {}",
            c as u32,
            i + 1
        )));
    }
    Ok(())
}

/// A one-line field of at most `max` characters, without control characters.
pub fn line(field: &str, value: &str, max: usize) -> Result<()> {
    check(field, value, max, false)
}

/// A field of paragraphs: at most `max` characters; tabs and line breaks allowed, other control
/// characters not.
pub fn paragraphs(field: &str, value: &str, max: usize) -> Result<()> {
    check(field, value, max, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_control_character_or_too_long_a_text_is_refused_with_the_field_named() {
        assert!(line("note", "正常推进", NOTE).is_ok());
        assert!(paragraphs("overview", "第一段。\n第二段。\t", NARRATIVE).is_ok());
        let e = paragraphs("overview", "报告\u{1}正文", NARRATIVE)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("`overview`") && e.contains("U+0001") && e.contains("character 3"),
            "{e}"
        );
        let e = line("name", "a\nb", NAME).unwrap_err().to_string();
        assert!(e.contains("U+000A"), "{e}");
        let e = line("name", &"长".repeat(NAME + 1), NAME)
            .unwrap_err()
            .to_string();
        assert!(e.contains("longer than 100 characters (101)"), "{e}");
    }
}

//! Text put into HTML, SVG, WordprocessingML and other XML: the five characters markup gives
//! meaning to, escaped, and the characters XML 1.0 forbids left out, so that no text a user
//! typed can make a document unreadable.

/// Whether XML 1.0 allows `c` in a document: tab, line feed, carriage return and the printable
/// ranges (§2.2 Char).
pub fn allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `&`, `<`, `>`, `"` and `'` as entities; characters XML forbids left out.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if allowed(c) => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn control_characters_are_left_out_and_markup_escaped() {
        assert_eq!(
            super::escape("a\u{1}b\u{0}<c>\u{FFFE}\td\n"),
            "ab&lt;c&gt;\td\n"
        );
    }
}

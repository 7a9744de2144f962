//! Numbers as Chinese reports write them: Arabic (`8.5`, `1,389`, full-width digits) and Chinese
//! numerals (`两`, `十二`, `一百二十`, `二十一点八`).

/// Value of a Chinese numeral digit.
pub fn digit(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn small_unit(c: char) -> Option<u32> {
    Some(match c {
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        _ => return None,
    })
}

pub fn is_chinese_numeral(c: char) -> bool {
    digit(c).is_some() || small_unit(c).is_some() || c == '点'
}

/// Parses Chinese numerals below 万 (multipliers 万/亿 are read as units of magnitude by the
/// caller), with an optional decimal part after 点: 十二 → 12, 一百二十 → 120, 二十一点八 → 21.8.
pub fn parse_chinese(s: &str) -> Option<f64> {
    let (int_part, frac_part) = match s.split_once('点') {
        Some((a, b)) => (a, Some(b)),
        None => (s, None),
    };
    let mut total: u32 = 0;
    let mut pending: Option<u32> = None;
    let mut any = false;
    for c in int_part.chars() {
        if let Some(d) = digit(c) {
            if pending.is_some() && d != 0 {
                // Two digits in a row without a unit ("二零二〇") read as a digit string.
                pending = Some(pending.unwrap_or(0) * 10 + d);
            } else if d != 0 {
                pending = Some(d);
            }
            any = true;
        } else if let Some(u) = small_unit(c) {
            total = total.checked_add(pending.unwrap_or(1).checked_mul(u)?)?;
            pending = None;
            any = true;
        } else {
            return None;
        }
    }
    total = total.checked_add(pending.unwrap_or(0))?;
    if !any && frac_part.is_none() {
        return None;
    }
    let mut value = total as f64;
    if let Some(f) = frac_part {
        let mut scale = 0.1;
        for c in f.chars() {
            value += digit(c)? as f64 * scale;
            scale /= 10.0;
        }
        if f.is_empty() {
            return None;
        }
    }
    Some(value)
}

/// Parses an Arabic number, allowing thousands separators and full-width digits.
pub fn parse_arabic(s: &str) -> Option<f64> {
    let cleaned: String = s
        .chars()
        .filter(|c| *c != ',' && *c != '\u{FF0C}')
        .map(|c| match c {
            '\u{FF10}'..='\u{FF19}' => char::from_u32(c as u32 - 0xFF10 + '0' as u32).unwrap_or(c),
            '\u{FF0E}' => '.',
            c => c,
        })
        .collect();
    cleaned.parse::<f64>().ok().filter(|x| x.is_finite())
}

pub fn is_arabic_digit(c: char) -> bool {
    c.is_ascii_digit() || ('\u{FF10}'..='\u{FF19}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_numerals_read_as_people_write_them() {
        for (s, x) in [
            ("两", 2.0),
            ("十二", 12.0),
            ("一百二十", 120.0),
            ("二十一点八", 21.8),
            ("十", 10.0),
            ("三千九百五十九", 3959.0),
            ("一", 1.0),
        ] {
            assert!((parse_chinese(s).unwrap() - x).abs() < 1e-9, "{s}");
        }
        assert_eq!(parse_chinese("点"), None);
        assert_eq!(parse_arabic("1,389"), Some(1389.0));
        assert_eq!(parse_arabic("21.8"), Some(21.8));
    }
}

#[cfg(test)]
mod full_width {
    #[test]
    fn full_width_digits_and_separators_are_read() {
        assert_eq!(
            super::parse_arabic("\u{FF11}\u{FF0C}\u{FF13}\u{FF18}\u{FF19}"),
            Some(1389.0)
        );
        assert_eq!(
            super::parse_arabic("\u{FF12}\u{FF11}\u{FF0E}\u{FF18}"),
            Some(21.8)
        );
    }
}

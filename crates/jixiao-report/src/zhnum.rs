//! Numbers as Chinese official documents write them: 8.5万平方米, 181.4亿元, 21.8%, 同比降低18.2%,
//! and the ordinals of numbered headings (一、 (一) 1.).

/// At most `decimals` decimals, no trailing zeros, no `-0`.
pub fn plain(x: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, x);
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// Magnitude prefixes a measure may already carry (万平方米 is counted in 10⁴ 平方米).
fn has_magnitude(measure: &str) -> bool {
    ["万", "亿", "千"]
        .iter()
        .any(|p| measure.starts_with(p) && measure.chars().count() > 1)
}

/// A value in a task's measure as written in a report. Large counts in a measure without a
/// magnitude take 万 or 亿 (152345件 → 15.23万件); percentages and indices stay as they are.
pub fn amount(x: f64, measure: &str) -> String {
    if measure == "%" {
        return format!("{}%", plain(x, 2));
    }
    if !measure.is_empty() && !has_magnitude(measure) && measure != "分" {
        if x.abs() >= 1e8 {
            return format!("{}亿{measure}", plain(x / 1e8, 2));
        }
        if x.abs() >= 1e5 {
            return format!("{}万{measure}", plain(x / 1e4, 2));
        }
    }
    format!("{}{measure}", plain(x, 2))
}

/// The change from last year's value: 同比增长12.5% for amounts, 同比提高1.2个百分点 for rates.
/// `None` when there is no usable previous value.
pub fn year_on_year(current: f64, previous: f64, measure: &str) -> Option<String> {
    if measure == "%" {
        let d = current - previous;
        let words = if d >= 0.0 { "提高" } else { "降低" };
        return Some(format!("同比{words}{}个百分点", plain(d.abs(), 2)));
    }
    if previous == 0.0 || !previous.is_finite() || !current.is_finite() {
        return None;
    }
    let pct = (current - previous) / previous.abs() * 100.0;
    let words = if pct >= 0.0 { "增长" } else { "下降" };
    Some(format!("同比{words}{}%", plain(pct.abs(), 1)))
}

const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// 1 → 一, 12 → 十二, 20 → 二十, 35 → 三十五 (headings and ranks; up to 99).
pub fn chinese_ordinal(n: usize) -> String {
    match n {
        0..=9 => DIGITS[n].to_string(),
        10..=19 => format!("十{}", if n == 10 { "" } else { DIGITS[n - 10] }),
        20..=99 => format!(
            "{}十{}",
            DIGITS[n / 10],
            if n.is_multiple_of(10) {
                ""
            } else {
                DIGITS[n % 10]
            }
        ),
        _ => n.to_string(),
    }
}

/// The number of a heading at `level` (1: 一、, 2: (一), 3: 1.).
pub fn heading_number(level: u8, n: usize) -> String {
    match level {
        1 => format!("{}、", chinese_ordinal(n)),
        2 => format!("\u{FF08}{}\u{FF09}", chinese_ordinal(n)),
        _ => format!("{n}."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_as_in_official_documents() {
        assert_eq!(amount(8.5, "万平方米"), "8.5万平方米");
        assert_eq!(amount(181.4, "亿元"), "181.4亿元");
        assert_eq!(amount(21.8, "%"), "21.8%");
        assert_eq!(amount(152345.0, "件"), "15.23万件");
        assert_eq!(amount(5.03, ""), "5.03");
        assert_eq!(amount(727.0, "人"), "727人");
        assert_eq!(amount(3.2e9, "元"), "32亿元");
        assert_eq!(amount(-0.0001, "个"), "0个");
    }

    #[test]
    fn changes_use_percent_for_amounts_and_points_for_rates() {
        assert_eq!(year_on_year(5.03, 6.15, "").unwrap(), "同比下降18.2%");
        assert_eq!(year_on_year(112.0, 100.0, "亿元").unwrap(), "同比增长12%");
        assert_eq!(
            year_on_year(21.8, 20.6, "%").unwrap(),
            "同比提高1.2个百分点"
        );
        assert_eq!(year_on_year(1.0, 0.0, "个"), None);
    }

    #[test]
    fn headings_are_numbered_the_chinese_way() {
        assert_eq!(heading_number(1, 3), "三、");
        assert_eq!(heading_number(2, 12), "\u{FF08}十二\u{FF09}");
        assert_eq!(heading_number(3, 2), "2.");
        assert_eq!(chinese_ordinal(20), "二十");
        assert_eq!(chinese_ordinal(35), "三十五");
    }
}

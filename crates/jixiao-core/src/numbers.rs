//! Numbers as people read them in explanations and reports: at most four decimals without
//! trailing zeros, and scores with two.

/// A number as people write it: at most four decimals, no trailing zeros.
pub fn num(x: f64) -> String {
    if x.is_infinite() {
        return if x > 0.0 { "∞".into() } else { "-∞".into() };
    }
    let s = format!("{:.4}", x);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".into()
    } else {
        s.to_string()
    }
}

/// A score as published: two decimals.
pub fn pts(x: f64) -> String {
    let s = format!("{:.2}", x);
    if s == "-0.00" {
        "0.00".into()
    } else {
        s
    }
}

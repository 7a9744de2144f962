//! The hotline's rates as configuration, and rankings that are fair to small units.
//!
//! A rate is a numerator (a sum of counters the rollups keep, each with a coefficient) over a
//! denominator (one counter); its weight in the composite score may be 0, which makes it a
//! reported figure only. The ranking rules say how many cases a unit needs to be ranked
//! (样本不足 below), at which confidence intervals are drawn (Wilson for each rate, Agresti–Coull
//! for the composite), whether small units' rates are pulled toward their group's (shrinkage by
//! pseudo-cases), and how equal scores are separated. docs/hotline.md gives the formulas with
//! worked examples.

use crate::rollup::Counters;
use serde::Serialize;

/// A counter of [`Counters::FIELDS`] by name.
fn field(name: &str) -> Option<usize> {
    Counters::FIELDS.iter().position(|f| *f == name)
}

/// One rate of the rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateDef {
    /// `response`, `resolution`, `satisfaction`, `on_time_completion`, … (the office's own too).
    pub id: String,
    pub name: String,
    pub name_en: String,
    /// (coefficient, counter index) terms summed.
    #[serde(skip)]
    pub numerator: Vec<(f64, usize)>,
    #[serde(skip)]
    pub denominator: usize,
    /// As written in the rules, for showing the formula.
    pub numerator_text: String,
    pub denominator_text: String,
    /// Weight in the composite score; 0 = reported only.
    pub weight: f64,
    /// For rates where less is better (重办率): the composite counts 1 − rate.
    pub lower_is_better: bool,
}

impl RateDef {
    /// Parses `satisfied + 0.5 * basically_satisfied` (`share` stands for the named constant
    /// `basically_satisfied_share`) and a denominator counter.
    pub fn parse_terms(
        numerator: &str,
        denominator: &str,
        share: f64,
    ) -> Result<(Vec<(f64, usize)>, usize), String> {
        let known = || Counters::FIELDS.join(", ");
        let mut terms = Vec::new();
        for term in numerator.split('+') {
            let parts: Vec<&str> = term.split('*').map(str::trim).collect();
            let (mut coef, mut counter) = (1.0, None);
            for p in &parts {
                if let Some(i) = field(p) {
                    if counter.replace(i).is_some() {
                        return Err(format!("`{}` multiplies two counters", term.trim()));
                    }
                } else if *p == "basically_satisfied_share" {
                    coef *= share;
                } else if let Ok(x) = p.parse::<f64>().map_err(|_| ()).and_then(|x| {
                    if x.is_finite() && x >= 0.0 {
                        Ok(x)
                    } else {
                        Err(())
                    }
                }) {
                    coef *= x;
                } else {
                    return Err(format!(
                        "`{p}` in the numerator is neither a number ≥ 0 nor a counter ({})",
                        known()
                    ));
                }
            }
            let i = counter.ok_or_else(|| format!("`{}` names no counter", term.trim()))?;
            terms.push((coef, i));
        }
        let d = field(denominator.trim()).ok_or_else(|| {
            format!(
                "the denominator `{denominator}` is not a counter ({})",
                known()
            )
        })?;
        Ok((terms, d))
    }

    /// (numerator, denominator) of these counters.
    pub fn counts(&self, c: &Counters) -> (f64, i64) {
        let a = c.to_array();
        let num = self.numerator.iter().map(|(k, i)| k * a[*i] as f64).sum();
        (num, a[self.denominator])
    }
}

/// How a group of units is ranked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankingRules {
    /// Fewer accepted cases in the month than this: shown, not ranked (样本不足).
    pub min_cases: i64,
    /// Of every interval, e.g. 0.95.
    pub confidence: f64,
    /// Pseudo-cases at the group's rate added to each unit's rates before ranking (0 = off).
    pub shrinkage: f64,
    /// What separates equal scores.
    pub tie_break: TieBreak,
    /// How many units the red and black lists (红黑榜) name at each end.
    pub board_size: usize,
}

impl Default for RankingRules {
    fn default() -> Self {
        RankingRules {
            min_cases: 10,
            confidence: 0.95,
            shrinkage: 0.0,
            tie_break: TieBreak::LowerBound,
            board_size: 5,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TieBreak {
    /// Equal scores share a rank.
    None,
    /// Equal scores are ordered by the lower end of their interval: the same rate on more cases
    /// is better established, so it ranks first.
    LowerBound,
}

impl TieBreak {
    pub fn parse(s: &str) -> Option<TieBreak> {
        match s {
            "none" => Some(TieBreak::None),
            "lower_bound" => Some(TieBreak::LowerBound),
            _ => None,
        }
    }
}

/// The standard normal quantile for a two-sided `confidence` (0.95 → 1.96), by Abramowitz and
/// Stegun 26.2.23 (error below 0.0005).
pub fn z_for(confidence: f64) -> f64 {
    let p = ((1.0 - confidence) / 2.0).clamp(1e-12, 0.5);
    let t = (-2.0 * p.ln()).sqrt();
    t - (2.515517 + 0.802853 * t + 0.010328 * t * t)
        / (1.0 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t)
}

/// The Wilson score interval of `x` successes in `n` trials.
pub fn wilson(x: f64, n: i64, z: f64) -> Option<(f64, f64)> {
    if n <= 0 {
        return None;
    }
    let n = n as f64;
    let p = (x / n).clamp(0.0, 1.0);
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    Some(((centre - half).max(0.0), (centre + half).min(1.0)))
}

/// A rate's value for one unit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateValue {
    pub id: String,
    pub name: String,
    pub numerator: f64,
    pub denominator: i64,
    /// numerator ÷ denominator (at most 1); none without a denominator.
    pub value: Option<f64>,
    /// Wilson interval at the rules' confidence.
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// The value pulled toward the group's rate (when the rules shrink).
    pub adjusted: Option<f64>,
    pub weight: f64,
    pub lower_is_better: bool,
}

/// The rates of these counters under `rates`, with intervals at `z`.
pub fn rate_values(c: &Counters, rates: &[RateDef], z: f64) -> Vec<RateValue> {
    rates
        .iter()
        .map(|r| {
            let (num, den) = r.counts(c);
            let value = (den > 0).then(|| (num / den as f64).min(1.0));
            let interval = wilson(num.min(den as f64), den, z);
            RateValue {
                id: r.id.clone(),
                name: r.name.clone(),
                numerator: num,
                denominator: den,
                value,
                low: interval.map(|i| i.0),
                high: interval.map(|i| i.1),
                adjusted: None,
                weight: r.weight,
                lower_is_better: r.lower_is_better,
            }
        })
        .collect()
}

/// The composite score (0–100) of rate values (`adjusted` when `use_adjusted`), with an
/// Agresti–Coull interval treating the rates as independent; none when a weighted rate has no
/// value.
pub fn composite(values: &[RateValue], z: f64, use_adjusted: bool) -> Option<(f64, f64, f64)> {
    let total: f64 = values.iter().map(|v| v.weight).sum();
    if total <= 0.0 {
        return None;
    }
    let (mut score, mut var) = (0.0, 0.0);
    for v in values.iter().filter(|v| v.weight > 0.0) {
        let p = if use_adjusted {
            v.adjusted.or(v.value)?
        } else {
            v.value?
        };
        let good = if v.lower_is_better { 1.0 - p } else { p };
        let share = v.weight / total;
        score += share * good;
        let n = v.denominator as f64 + z * z;
        let pt = (v.numerator.min(v.denominator as f64) + z * z / 2.0) / n;
        var += share * share * pt * (1.0 - pt) / n;
    }
    let half = z * var.sqrt();
    Some((
        100.0 * score,
        100.0 * (score - half).max(0.0),
        100.0 * (score + half).min(1.0),
    ))
}

/// The default rates of a version that names only `weights` (response, resolution,
/// satisfaction) — the rules files written before rates were configurable — plus the figures
/// reported beside them.
pub fn default_rates(weights: [f64; 3], share: f64) -> Vec<RateDef> {
    let def = |id: &str, name: &str, en: &str, num: &str, den: &str, w: f64, lower: bool| {
        let (numerator, denominator) =
            RateDef::parse_terms(num, den, share).expect("the built-in rates parse");
        RateDef {
            id: id.into(),
            name: name.into(),
            name_en: en.into(),
            numerator,
            denominator,
            numerator_text: num.into(),
            denominator_text: den.into(),
            weight: w,
            lower_is_better: lower,
        }
    };
    vec![
        def(
            "response",
            "响应率",
            "Response rate",
            "responded_in_time",
            "response_tracked",
            weights[0],
            false,
        ),
        def(
            "resolution",
            "解决率",
            "Resolution rate",
            "solved",
            "callbacks",
            weights[1],
            false,
        ),
        def(
            "satisfaction",
            "满意率",
            "Satisfaction rate",
            "satisfied + basically_satisfied_share * basically_satisfied",
            "callbacks",
            weights[2],
            false,
        ),
        def(
            "on_time_completion",
            "按时办结率",
            "Completed on time",
            "handled_in_time",
            "handled",
            0.0,
            false,
        ),
        def(
            "reopen",
            "重办率",
            "Reopened",
            "reopened",
            "accepted",
            0.0,
            true,
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_and_wilson_intervals_match_published_values() {
        assert!((z_for(0.95) - 1.96).abs() < 0.001);
        assert!((z_for(0.90) - 1.645).abs() < 0.001);
        // Wilson (1927) via Newcombe (1998), case 1: 81 of 263 → 0.2553–0.3662.
        let (lo, hi) = wilson(81.0, 263, z_for(0.95)).unwrap();
        assert!(
            (lo - 0.2553).abs() < 0.0006 && (hi - 0.3662).abs() < 0.0006,
            "{lo} {hi}"
        );
        // Newcombe's case 5: 0 of 20 → 0–0.1611; and 3 of 3 is far from certain.
        let (lo, hi) = wilson(0.0, 20, z_for(0.95)).unwrap();
        assert!(lo == 0.0 && (hi - 0.1611).abs() < 0.0006, "{hi}");
        let (lo, _) = wilson(3.0, 3, z_for(0.95)).unwrap();
        assert!(lo < 0.45, "{lo}");
        assert!(wilson(0.0, 0, 1.96).is_none());
    }

    #[test]
    fn numerators_are_sums_of_counters_and_mistakes_are_named() {
        let (terms, d) = RateDef::parse_terms(
            "satisfied + basically_satisfied_share * basically_satisfied",
            "callbacks",
            0.8,
        )
        .unwrap();
        assert_eq!(terms.len(), 2);
        assert!((terms[1].0 - 0.8).abs() < 1e-12);
        assert_eq!(Counters::FIELDS[d], "callbacks");
        let e = RateDef::parse_terms("solvd", "callbacks", 1.0).unwrap_err();
        assert!(e.contains("solvd") && e.contains("solved"), "{e}");
        let e = RateDef::parse_terms("solved * satisfied", "callbacks", 1.0).unwrap_err();
        assert!(e.contains("two counters"), "{e}");
        let e = RateDef::parse_terms("solved", "calls", 1.0).unwrap_err();
        assert!(e.contains("calls"), "{e}");
        let e = RateDef::parse_terms("-2 * solved", "callbacks", 1.0).unwrap_err();
        assert!(e.contains("-2"), "{e}");
    }
}

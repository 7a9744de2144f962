//! The hotline's rates as configuration, and rankings that are fair to small units.
//!
//! A rate is a numerator (a sum of counters the rollups keep, each with a coefficient) over a
//! denominator (a sum of counters); its weight in the composite score may be 0, which makes it a
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

/// (coefficient, counter index) terms of a numerator.
pub type Terms = Vec<(f64, usize)>;

/// One rate of the rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RateDef {
    /// `response`, `resolution`, `satisfaction`, `on_time_completion`, … (the office's own too).
    pub id: String,
    pub name: String,
    pub name_en: String,
    /// (coefficient, counter index) terms summed.
    #[serde(skip)]
    pub numerator: Terms,
    /// Counter indices summed.
    #[serde(skip)]
    pub denominator: Vec<usize>,
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
    /// `basically_satisfied_share`) and a denominator, one counter or a sum of counters
    /// (`accepted + excluded + returned`).
    pub fn parse_terms(
        numerator: &str,
        denominator: &str,
        share: f64,
    ) -> Result<(Terms, Vec<usize>), String> {
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
        let mut d = Vec::new();
        for term in denominator.split('+').map(str::trim) {
            let i = field(term).ok_or_else(|| {
                format!(
                    "`{term}` in the denominator `{denominator}` is not a counter ({})",
                    known()
                )
            })?;
            if d.contains(&i) {
                return Err(format!(
                    "the denominator `{denominator}` names `{term}` twice"
                ));
            }
            d.push(i);
        }
        Ok((terms, d))
    }

    /// (numerator, denominator) of these counters.
    pub fn counts(&self, c: &Counters) -> (f64, i64) {
        let a = c.to_array();
        let num = self.numerator.iter().map(|(k, i)| k * a[*i] as f64).sum();
        (num, self.denominator.iter().map(|i| a[*i]).sum())
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

/// Scores to compare units with unlike category mixes (indirect standardisation): for each unit,
/// the score it would have if each of its categories' cases fared as the whole group's cases of
/// that category do (`expected`), and its score adjusted for its mix, observed − expected + the
/// group's own score. `per_unit` holds each unit's counters per category; units whose expected
/// score cannot be computed are left out.
pub fn mix_adjusted(
    per_unit: &std::collections::BTreeMap<String, Vec<(String, Counters)>>,
    rates: &[RateDef],
    z: f64,
) -> std::collections::BTreeMap<String, (f64, f64)> {
    use std::collections::BTreeMap;
    // The group's counters per category, and overall.
    let mut by_category: BTreeMap<&str, Counters> = BTreeMap::new();
    let mut group = Counters::default();
    for list in per_unit.values() {
        for (cat, c) in list {
            *by_category.entry(cat.as_str()).or_default() += *c;
            group += *c;
        }
    }
    let group_score = composite(&rate_values(&group, rates, z), z, false).map(|s| s.0);
    let group_rate = |r: &RateDef, cat: &str| {
        let (num, den) = r.counts(&by_category[cat]);
        (den > 0).then(|| (num / den as f64).min(1.0))
    };
    let mut out = BTreeMap::new();
    for (unit, list) in per_unit {
        let mut observed = Counters::default();
        for (_, c) in list {
            observed += *c;
        }
        // Each rate's expected value: the unit's denominators weighted by the group's rates.
        let expected: Vec<RateValue> = rates
            .iter()
            .map(|r| {
                let (mut num, mut den) = (0.0, 0i64);
                for (cat, c) in list {
                    let d = r.counts(c).1;
                    if let Some(p) = group_rate(r, cat) {
                        num += p * d as f64;
                        den += d;
                    }
                }
                RateValue {
                    id: r.id.clone(),
                    name: r.name.clone(),
                    numerator: num,
                    denominator: den,
                    value: (den > 0).then(|| num / den as f64),
                    low: None,
                    high: None,
                    adjusted: None,
                    weight: r.weight,
                    lower_is_better: r.lower_is_better,
                }
            })
            .collect();
        let observed = composite(&rate_values(&observed, rates, z), z, false).map(|s| s.0);
        let expected = composite(&expected, z, false).map(|s| s.0);
        if let (Some(o), Some(e), Some(g)) = (observed, expected, group_score) {
            out.insert(unit.clone(), (e, o - e + g));
        }
    }
    out
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
    fn a_unit_with_hard_categories_is_compared_with_like() {
        // Two categories: "01" solved 90 % of the time across the group, "02" only 50 %.
        // Unit a has mostly hard cases, b mostly easy ones; both do a little better than the
        // group in each category, so both adjusted scores sit above the group's.
        let c = |n: i64, good: i64| Counters {
            accepted: n,
            response_tracked: n,
            responded_in_time: n,
            callbacks: n,
            solved: good,
            satisfied: good,
            ..Counters::default()
        };
        let per_unit: std::collections::BTreeMap<String, Vec<(String, Counters)>> = [
            (
                "a",
                vec![("01".to_string(), c(10, 10)), ("02".to_string(), c(90, 50))],
            ),
            (
                "b",
                vec![("01".to_string(), c(90, 82)), ("02".to_string(), c(10, 5))],
            ),
            (
                "rest",
                vec![
                    ("01".to_string(), c(100, 88)),
                    ("02".to_string(), c(100, 45)),
                ],
            ),
        ]
        .into_iter()
        .map(|(u, v)| (u.to_string(), v))
        .collect();
        let rates = crate::HotlineConfig::default().versions[0].rates.clone();
        let z = z_for(0.95);
        let m = mix_adjusted(&per_unit, &rates, z);
        let observed = |u: &str| {
            let mut t = Counters::default();
            for (_, x) in &per_unit[u] {
                t += *x;
            }
            composite(&rate_values(&t, &rates, z), z, false).unwrap().0
        };
        // Observed, a (60 % solved) looks far worse than b (87 %) …
        assert!(observed("a") < observed("b") - 20.0);
        // … but a's expected score is as low as its hard mix makes it, and adjusted for the mix
        // a is no worse than b.
        let (ea, aa) = m["a"];
        let (eb, ab) = m["b"];
        assert!(ea < eb - 20.0, "{ea} {eb}");
        assert!(aa >= ab - 1.0, "{aa} {ab}");
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
        assert_eq!(d.len(), 1);
        assert_eq!(Counters::FIELDS[d[0]], "callbacks");
        let (_, d) =
            RateDef::parse_terms("returned", "accepted + excluded + returned", 1.0).unwrap();
        let names: Vec<&str> = d.iter().map(|i| Counters::FIELDS[*i]).collect();
        assert_eq!(names, ["accepted", "excluded", "returned"]);
        let e = RateDef::parse_terms("returned", "accepted + accepted", 1.0).unwrap_err();
        assert!(e.contains("twice"), "{e}");
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

/// The rule that lists a street as 治理类 (a street needing concentrated attention): in each of
/// `months` consecutive months, among the worst `worst_share` of the city's ranked streets by
/// score and (when `busiest_share` > 0) among the busiest `busiest_share` by cases per 10,000
/// residents. A street leaves the list in the first month the rule no longer holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GovernanceRule {
    pub months: u32,
    pub worst_share: f64,
    pub busiest_share: f64,
}

impl Default for GovernanceRule {
    fn default() -> Self {
        GovernanceRule {
            months: 3,
            worst_share: 0.1,
            busiest_share: 0.0,
        }
    }
}

/// One street of a month's list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Listed {
    pub unit: String,
    /// The month it entered the list (the rule first held for `months` months then).
    pub since: String,
    /// Months on the list, this one included.
    pub months_listed: usize,
}

impl GovernanceRule {
    /// The units meeting the rule's condition in one month: `ranked` holds (unit, score,
    /// cases per 10,000 residents) of the ranked units. Without any population the load
    /// condition is left out.
    pub fn condition(
        &self,
        ranked: &[(String, f64, Option<f64>)],
    ) -> std::collections::BTreeSet<String> {
        let take = |share: f64| ((ranked.len() as f64 * share).ceil() as usize).min(ranked.len());
        let mut by_score: Vec<&(String, f64, Option<f64>)> = ranked.iter().collect();
        by_score.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        let worst: std::collections::BTreeSet<&str> = by_score[..take(self.worst_share)]
            .iter()
            .map(|x| x.0.as_str())
            .collect();
        if self.busiest_share <= 0.0 {
            return worst.into_iter().map(str::to_string).collect();
        }
        let mut by_load: Vec<(&str, f64)> = ranked
            .iter()
            .filter_map(|x| Some((x.0.as_str(), x.2?)))
            .collect();
        if by_load.is_empty() {
            // No population in the geography: the load condition cannot be judged; the score
            // alone decides (docs/hotline.md says so).
            return worst.into_iter().map(str::to_string).collect();
        }
        by_load.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        let n = take(self.busiest_share).min(by_load.len());
        by_load[..n]
            .iter()
            .filter(|x| worst.contains(x.0))
            .map(|x| x.0.to_string())
            .collect()
    }

    /// The list at the last of `months` (ascending, consecutive months with data) given each
    /// month's units meeting the condition, and the units that left it that month.
    pub fn list(
        &self,
        months: &[String],
        met: &[std::collections::BTreeSet<String>],
    ) -> (Vec<Listed>, Vec<String>) {
        let need = self.months.max(1) as usize;
        // The run of consecutive months ending at month i in which `unit` met the condition.
        let run = |unit: &str, i: usize| {
            met[..=i]
                .iter()
                .rev()
                .take_while(|m| m.contains(unit))
                .count()
        };
        let Some(last) = met.len().checked_sub(1) else {
            return (Vec::new(), Vec::new());
        };
        let mut listed: Vec<Listed> = met[last]
            .iter()
            .filter_map(|u| {
                let r = run(u, last);
                (r >= need).then(|| Listed {
                    unit: u.clone(),
                    since: months[last + 1 - (r - need + 1)].clone(),
                    months_listed: r - need + 1,
                })
            })
            .collect();
        listed.sort_by(|a, b| {
            b.months_listed
                .cmp(&a.months_listed)
                .then(a.unit.cmp(&b.unit))
        });
        let left = match last.checked_sub(1) {
            Some(prev) => met[prev]
                .iter()
                .filter(|u| run(u, prev) >= need && !met[last].contains(*u))
                .cloned()
                .collect(),
            None => Vec::new(),
        };
        (listed, left)
    }
}

#[cfg(test)]
mod governance_tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn a_street_is_listed_after_n_bad_months_and_leaves_when_it_recovers() {
        let rule = GovernanceRule {
            months: 3,
            worst_share: 0.2,
            busiest_share: 0.0,
        };
        let months: Vec<String> = (1..=6).map(|m| format!("2020-{m:02}")).collect();
        let set = |v: &[&str]| {
            v.iter()
                .map(|s| s.to_string())
                .collect::<BTreeSet<String>>()
        };
        let met = vec![
            set(&["a"]),
            set(&["a", "b"]),
            set(&["a", "b"]),
            set(&["a", "b"]),
            set(&["a"]),
            set(&["c"]),
        ];
        let (listed, left) = rule.list(&months[..4], &met[..4]);
        assert_eq!(
            listed,
            [
                Listed {
                    unit: "a".into(),
                    since: "2020-03".into(),
                    months_listed: 2
                },
                Listed {
                    unit: "b".into(),
                    since: "2020-04".into(),
                    months_listed: 1
                },
            ]
        );
        assert!(left.is_empty());
        let (listed, left) = rule.list(&months[..5], &met[..5]);
        assert_eq!(listed.len(), 1);
        assert_eq!(left, ["b"], "b recovered in May");
        let (listed, left) = rule.list(&months, &met);
        assert!(listed.is_empty() && left == ["a"]);
    }

    #[test]
    fn the_condition_takes_the_worst_share_and_the_busiest_share() {
        let ranked: Vec<(String, f64, Option<f64>)> = (0..10)
            .map(|i| {
                (
                    format!("u{i}"),
                    70.0 + i as f64,
                    Some(100.0 - i as f64 * (i % 2) as f64),
                )
            })
            .collect();
        let worst = GovernanceRule {
            months: 1,
            worst_share: 0.2,
            busiest_share: 0.0,
        };
        assert_eq!(
            worst.condition(&ranked).into_iter().collect::<Vec<_>>(),
            ["u0", "u1"]
        );
        // Busiest by load: the even units (100 each) and u1 (99); of the worst two, both qualify
        // only if within the busiest 30 %: u0 (100) yes, u1 (99) no.
        let both = GovernanceRule {
            months: 1,
            worst_share: 0.2,
            busiest_share: 0.3,
        };
        assert_eq!(
            both.condition(&ranked).into_iter().collect::<Vec<_>>(),
            ["u0"]
        );
    }
}

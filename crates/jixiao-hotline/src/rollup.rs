//! What each case adds to the counters of its unit × month × category, and the monthly
//! assessment computed from those counters alone: response, resolution and satisfaction rates,
//! the composite score and rankings.
//!
//! The store keeps the counters up to date in the same transaction as the case (subtracting a
//! case's old contribution and adding its new one), so rankings and dashboards never scan cases;
//! rebuilding every counter from the cases gives the same numbers.

use crate::case::{Case, Satisfaction};
use crate::config::HotlineConfig;
use crate::metrics::{composite, rate_values, z_for, RateValue, TieBreak};
use serde::Serialize;
use std::collections::BTreeMap;
use std::ops::{AddAssign, SubAssign};

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct RollupKey {
    pub unit: String,
    /// "2020-03", in the configured time zone.
    pub month: String,
    pub category: String,
}

/// Counters of one unit × month × category.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    /// Cases dispatched to the unit that count for the rates.
    pub accepted: i64,
    /// Cases left out of the rates with an approved reason.
    pub excluded: i64,
    /// Accepted cases whose source records the first response.
    pub response_tracked: i64,
    pub responded: i64,
    pub responded_in_time: i64,
    pub handled: i64,
    pub handled_in_time: i64,
    pub callbacks: i64,
    pub solved: i64,
    pub satisfied: i64,
    pub basically_satisfied: i64,
    pub closed_fixed: i64,
    /// Closed without a fix (not responsible, duplicate, referred out, no further action).
    pub closed_unfixed: i64,
    pub reopened: i64,
    /// Returns (退单) made by the unit: counted against the unit that returned the case, in the
    /// month and category of the case, whoever holds it now (see [`return_contributions`]).
    pub returned: i64,
}

impl Counters {
    pub const FIELDS: [&'static str; 15] = [
        "accepted",
        "excluded",
        "response_tracked",
        "responded",
        "responded_in_time",
        "handled",
        "handled_in_time",
        "callbacks",
        "solved",
        "satisfied",
        "basically_satisfied",
        "closed_fixed",
        "closed_unfixed",
        "reopened",
        "returned",
    ];
    pub fn to_array(self) -> [i64; 15] {
        [
            self.accepted,
            self.excluded,
            self.response_tracked,
            self.responded,
            self.responded_in_time,
            self.handled,
            self.handled_in_time,
            self.callbacks,
            self.solved,
            self.satisfied,
            self.basically_satisfied,
            self.closed_fixed,
            self.closed_unfixed,
            self.reopened,
            self.returned,
        ]
    }
    pub fn from_array(a: [i64; 15]) -> Counters {
        Counters {
            accepted: a[0],
            excluded: a[1],
            response_tracked: a[2],
            responded: a[3],
            responded_in_time: a[4],
            handled: a[5],
            handled_in_time: a[6],
            callbacks: a[7],
            solved: a[8],
            satisfied: a[9],
            basically_satisfied: a[10],
            closed_fixed: a[11],
            closed_unfixed: a[12],
            reopened: a[13],
            returned: a[14],
        }
    }
    pub fn is_zero(&self) -> bool {
        self.to_array().iter().all(|x| *x == 0)
    }
}

impl AddAssign for Counters {
    fn add_assign(&mut self, o: Counters) {
        let (a, b) = (self.to_array(), o.to_array());
        *self = Counters::from_array(std::array::from_fn(|i| a[i] + b[i]));
    }
}

impl SubAssign for Counters {
    fn sub_assign(&mut self, o: Counters) {
        let (a, b) = (self.to_array(), o.to_array());
        *self = Counters::from_array(std::array::from_fn(|i| a[i] - b[i]));
    }
}

/// What `case` adds to the counters; `None` until it has been dispatched to a unit.
pub fn contribution(case: &Case, config: &HotlineConfig) -> Option<(RollupKey, Counters)> {
    let unit = case.unit.clone()?;
    let key = RollupKey {
        unit,
        month: config.month_of(case.received),
        category: case.category.clone(),
    };
    let mut c = Counters {
        reopened: (case.reopened > 0) as i64,
        ..Counters::default()
    };
    if case.exclusion.is_some() {
        c.excluded = 1;
        return Some((key, c));
    }
    c.accepted = 1;
    c.response_tracked = case.response_tracked as i64;
    if let Some(r) = case.responded.filter(|_| case.response_tracked) {
        c.responded = 1;
        c.responded_in_time = case.response_due.is_none_or(|d| r <= d) as i64;
    }
    if let Some(h) = case.handled {
        c.handled = 1;
        c.handled_in_time = case.completion_due.is_none_or(|d| h <= d) as i64;
    }
    if let Some(cb) = case.callback {
        c.callbacks = 1;
        c.solved = cb.solved as i64;
        match cb.satisfaction {
            Satisfaction::Satisfied => c.satisfied = 1,
            Satisfaction::BasicallySatisfied => c.basically_satisfied = 1,
            Satisfaction::NotSatisfied => {}
        }
    }
    match case.closure {
        Some(crate::Closure::Fixed) => c.closed_fixed = 1,
        Some(_) => c.closed_unfixed = 1,
        None => {}
    }
    Some((key, c))
}

/// What `case`'s returns add to the counters of the units that made them: `returned` 1 per
/// return, keyed by the returning unit and the case's month and category. Kept apart from
/// [`contribution`] (one key, the unit the case ends with) because a returned case counts for
/// two units; the store adds both.
pub fn return_contributions<'a>(
    case: &'a Case,
    config: &HotlineConfig,
) -> impl Iterator<Item = (RollupKey, Counters)> + 'a {
    let month = config.month_of(case.received);
    case.returned_by.iter().map(move |unit| {
        (
            RollupKey {
                unit: unit.clone(),
                month: month.clone(),
                category: case.category.clone(),
            },
            Counters {
                returned: 1,
                ..Counters::default()
            },
        )
    })
}

/// Rates of a unit for a month (or any sum of counters), with what cannot be computed and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub accepted: i64,
    pub excluded: i64,
    /// Responded within the deadline / accepted cases whose response is recorded (the rate
    /// with id `response`, when the rules have one; likewise the next two).
    pub response_rate: Option<f64>,
    /// Solved on callback / called back.
    pub resolution_rate: Option<f64>,
    /// (satisfied + share × basically satisfied) / called back.
    pub satisfaction_rate: Option<f64>,
    /// Every rate of the rules, weighted or reported, with its interval.
    pub rates: Vec<RateValue>,
    /// Weighted mean of the weighted rates × 100; `None` when one of them cannot be computed.
    pub score: Option<f64>,
    /// The score's interval at the rules' confidence.
    pub score_low: Option<f64>,
    pub score_high: Option<f64>,
    /// The rates that cannot be computed, with the reason (e.g. no callbacks in the data).
    pub missing: Vec<String>,
}

pub fn assess(c: &Counters, rules: &crate::RuleSet) -> Assessment {
    let z = z_for(rules.ranking.confidence);
    let rates = rate_values(c, &rules.rates, z);
    let of = |id: &str| rates.iter().find(|r| r.id == id).and_then(|r| r.value);
    // The weighted rates that cannot be computed make the score impossible: say why.
    let mut missing = Vec::new();
    if c.accepted == 0 {
        missing.push("response_rate: no accepted cases".to_string());
    } else {
        for (r, d) in rates.iter().zip(&rules.rates) {
            if r.value.is_some() || r.weight == 0.0 {
                continue;
            }
            let why = match d.denominator_text.as_str() {
                "callbacks" => "no callbacks (回访) in the data".to_string(),
                "response_tracked" => "no response times in the data".to_string(),
                other => format!("no {other} in the data"),
            };
            missing.push(format!("{}: {why}", legacy_name(&r.id)));
        }
    }
    let score = composite(&rates, z, false);
    Assessment {
        accepted: c.accepted,
        excluded: c.excluded,
        response_rate: of("response"),
        resolution_rate: of("resolution"),
        satisfaction_rate: of("satisfaction"),
        score: score.map(|s| s.0),
        score_low: score.map(|s| s.1),
        score_high: score.map(|s| s.2),
        rates,
        missing,
    }
}

/// `response` → `response_rate` (the field name used before rates were configurable).
fn legacy_name(id: &str) -> String {
    match id {
        "response" | "resolution" | "satisfaction" => format!("{id}_rate"),
        other => other.to_string(),
    }
}

/// One row of a monthly ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    pub unit: String,
    pub assessment: Assessment,
    /// Competition rank (units without a score, or with too few cases, are not ranked).
    pub rank: Option<u32>,
    /// The score the rank is by: the score, or with shrinkage the score of the adjusted rates.
    pub ranking_score: Option<f64>,
    /// Fewer accepted cases than the rules' minimum (样本不足).
    pub insufficient: bool,
    /// The score's interval overlaps that of the unit ranked just above or below: the order
    /// of the two is not established by the data.
    pub tied: bool,
}

/// (score, tie-break) to two decimals, as whole hundredths; `None` sorts last.
type SortKey = (Option<i64>, Option<i64>);

/// Ranks units by their composite score under the month's ranking rules: too few cases →
/// shown, not ranked; rates optionally pulled toward the group's (all units given) by
/// `shrinkage` pseudo-cases; equal scores (two decimals) separated by the lower end of their
/// interval when the rules say so.
pub fn rank(per_unit: &BTreeMap<String, Counters>, rules: &crate::RuleSet) -> Vec<Ranked> {
    let ranking = &rules.ranking;
    let z = z_for(ranking.confidence);
    let mut assessed: Vec<(String, Assessment, bool)> = per_unit
        .iter()
        .map(|(u, c)| {
            let a = assess(c, rules);
            let insufficient = c.accepted < ranking.min_cases;
            (u.clone(), a, insufficient)
        })
        .collect();
    // The group's rate of each rate, pooled over the units that can be ranked.
    if ranking.shrinkage > 0.0 {
        let pooled: Vec<Option<f64>> = (0..rules.rates.len())
            .map(|i| {
                let (num, den) = assessed
                    .iter()
                    .filter(|x| !x.2)
                    .fold((0.0, 0i64), |(n, d), x| {
                        (
                            n + x.1.rates[i].numerator.min(x.1.rates[i].denominator as f64),
                            d + x.1.rates[i].denominator,
                        )
                    });
                (den > 0).then(|| num / den as f64)
            })
            .collect();
        let k = ranking.shrinkage;
        for (_, a, _) in &mut assessed {
            for (r, p) in a.rates.iter_mut().zip(&pooled) {
                r.adjusted = p.map(|p| {
                    (r.numerator.min(r.denominator as f64) + k * p) / (r.denominator as f64 + k)
                });
            }
        }
    }
    let ranking_score = |a: &Assessment| {
        if ranking.shrinkage > 0.0 {
            composite(&a.rates, z, true).map(|s| s.0)
        } else {
            a.score
        }
    };
    let rounded = |x: Option<f64>| x.map(|v| (v * 100.0).round() as i64);
    // Sort key: (score, tie-break), both to two decimals; None sorts last.
    // (The ranking score is computed once per unit, below; the sort reads it.)
    let key = |r: &Ranked| -> SortKey {
        let second = match ranking.tie_break {
            TieBreak::LowerBound => rounded(r.assessment.score_low),
            TieBreak::None => Some(0),
        };
        (rounded(r.ranking_score), second)
    };
    let mut out: Vec<Ranked> = assessed
        .into_iter()
        .map(|(unit, assessment, insufficient)| Ranked {
            ranking_score: ranking_score(&assessment),
            unit,
            assessment,
            rank: None,
            insufficient,
            tied: false,
        })
        .collect();
    out.sort_by(|a, b| {
        let rankable = |r: &Ranked| !r.insufficient && r.ranking_score.is_some();
        rankable(b)
            .cmp(&rankable(a))
            .then_with(|| key(b).cmp(&key(a)))
            .then(a.unit.cmp(&b.unit))
    });
    let mut previous: Option<(SortKey, u32)> = None;
    for (pos, r) in out.iter_mut().enumerate() {
        if r.insufficient || r.ranking_score.is_none() {
            break;
        }
        let k = key(r);
        let rank = match previous {
            Some((pk, prank)) if pk == k => prank,
            _ => pos as u32 + 1,
        };
        r.rank = Some(rank);
        previous = Some((k, rank));
    }
    // Statistical ties: neighbours in the order whose score intervals overlap.
    let ranked = out.iter().take_while(|r| r.rank.is_some()).count();
    for i in 1..ranked {
        let (above, below) = (&out[i - 1].assessment, &out[i].assessment);
        let overlap = match (above.score_low, below.score_high) {
            (Some(lo), Some(hi)) => lo <= hi,
            _ => false,
        };
        if overlap {
            out[i - 1].tied = true;
            out[i].tied = true;
        }
    }
    out
}

/// The red and black lists (红黑榜) of a ranking: the first and last `n` ranked units (a unit
/// is on one list only; 样本不足 units on neither).
pub fn boards(ranked: &[Ranked], n: usize) -> (Vec<&Ranked>, Vec<&Ranked>) {
    let ranked: Vec<&Ranked> = ranked.iter().filter(|r| r.rank.is_some()).collect();
    let n = n.min(ranked.len() / 2);
    let red = ranked[..n].to_vec();
    let black = ranked[ranked.len() - n..].iter().rev().copied().collect();
    (red, black)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{apply, Channel, Closure, Event};
    use chrono::{TimeZone, Utc};

    fn handled_case(id: &str, unit: &str, respond_after_h: i64, solved: bool) -> Case {
        let cfg = HotlineConfig::default();
        let t0 = Utc.with_ymd_and_hms(2020, 3, 2, 2, 0, 0).unwrap();
        let mut c = Case::received(id, Channel::Phone, t0, "0101");
        let (r, d) = cfg.deadlines("0101", c.urgency, t0).unwrap();
        c.response_due = Some(r);
        c.completion_due = Some(d);
        let h = chrono::Duration::hours;
        let c = apply(&c, &Event::Dispatch { unit: unit.into() }, t0 + h(1)).unwrap();
        let c = apply(&c, &Event::Respond, t0 + h(respond_after_h)).unwrap();
        let c = apply(&c, &Event::Handle, t0 + h(respond_after_h + 5)).unwrap();
        let c = apply(
            &c,
            &Event::Callback {
                solved,
                satisfaction: if solved {
                    Satisfaction::Satisfied
                } else {
                    Satisfaction::NotSatisfied
                },
            },
            t0 + h(respond_after_h + 30),
        )
        .unwrap();
        apply(
            &c,
            &Event::Close {
                closure: Closure::Fixed,
            },
            t0 + h(respond_after_h + 31),
        )
        .unwrap()
    }

    #[test]
    fn counters_give_the_three_rates_and_the_weighted_score() {
        let cfg = HotlineConfig::default();
        let mut per_unit: BTreeMap<String, Counters> = BTreeMap::new();
        for (i, (unit, late, solved)) in [
            ("a", 2, true),
            ("a", 30, true),
            ("b", 3, false),
            ("b", 3, true),
        ]
        .into_iter()
        .enumerate()
        {
            let (k, c) =
                contribution(&handled_case(&i.to_string(), unit, late, solved), &cfg).unwrap();
            assert_eq!(k.month, "2020-03");
            *per_unit.entry(k.unit).or_default() += c;
        }
        let mut rules = cfg.versions[0].clone();
        rules.ranking.min_cases = 0;
        let rules = &rules;
        let a = assess(&per_unit["a"], rules);
        assert_eq!(
            (a.response_rate, a.resolution_rate, a.satisfaction_rate),
            (Some(0.5), Some(1.0), Some(1.0))
        );
        assert!((a.score.unwrap() - 95.0).abs() < 1e-9, "10×0.5 + 45 + 45");
        let ranking = rank(&per_unit, rules);
        assert_eq!((ranking[0].unit.as_str(), ranking[0].rank), ("a", Some(1)));
        assert_eq!(ranking[1].rank, Some(2));
    }

    #[test]
    fn without_callbacks_the_rates_that_need_them_are_missing_not_invented() {
        let cfg = HotlineConfig::default();
        let t0 = Utc.with_ymd_and_hms(2020, 3, 2, 2, 0, 0).unwrap();
        let c = Case::received("x", Channel::Phone, t0, "01");
        let c = apply(&c, &Event::Dispatch { unit: "a".into() }, t0).unwrap();
        let c = apply(&c, &Event::Handle, t0).unwrap();
        let (_, counters) = contribution(&c, &cfg).unwrap();
        let a = assess(&counters, &cfg.versions[0]);
        assert_eq!(
            (a.response_rate, a.resolution_rate, a.score),
            (Some(1.0), None, None)
        );
        assert_eq!(a.missing.len(), 2);
    }

    #[test]
    fn an_excluded_case_counts_only_as_excluded() {
        let cfg = HotlineConfig::default();
        let mut c = handled_case("e", "a", 2, false);
        c.exclusion = Some(crate::case::Exclusion {
            reason: "unreasonable".into(),
            note: "无理诉求".into(),
            approver: "office".into(),
        });
        let (_, counters) = contribution(&c, &cfg).unwrap();
        assert_eq!(
            (counters.accepted, counters.excluded, counters.callbacks),
            (0, 1, 0)
        );
    }

    /// Counters of `n` cases of which `good` went well on every rate.
    fn unit(n: i64, good: i64) -> Counters {
        Counters {
            accepted: n,
            response_tracked: n,
            responded: n,
            responded_in_time: good,
            handled: n,
            handled_in_time: good,
            callbacks: n,
            solved: good,
            satisfied: good,
            ..Counters::default()
        }
    }

    #[test]
    fn small_samples_are_not_ranked_and_equal_scores_go_to_the_better_established() {
        let cfg = HotlineConfig::default();
        let rules = &cfg.versions[0];
        let per_unit: BTreeMap<String, Counters> = [
            ("three", unit(3, 3)),
            ("twenty", unit(20, 20)),
            ("fifty", unit(50, 50)),
            ("fifty-too", unit(50, 50)),
            ("weak", unit(200, 150)),
        ]
        .into_iter()
        .map(|(u, c)| (u.to_string(), c))
        .collect();
        let ranked = rank(&per_unit, rules);
        let order: Vec<(&str, Option<u32>, bool)> = ranked
            .iter()
            .map(|r| (r.unit.as_str(), r.rank, r.insufficient))
            .collect();
        assert_eq!(
            order,
            [
                ("fifty", Some(1), false),
                ("fifty-too", Some(1), false),
                ("twenty", Some(3), false),
                ("weak", Some(4), false),
                ("three", None, true)
            ]
        );
        // 100 % on 20 cases is not distinguishable from 100 % on 50; 75 % on 200 is.
        assert!(ranked[0].tied && ranked[2].tied && !ranked[3].tied);
        let a = &ranked[2].assessment;
        assert_eq!(a.score, Some(100.0));
        assert!(a.score_low.unwrap() < 100.0 && a.score_high == Some(100.0));
        // Without the tie-break the three share first place.
        let mut plain = rules.clone();
        plain.ranking.tie_break = crate::metrics::TieBreak::None;
        let ranks: Vec<Option<u32>> = rank(&per_unit, &plain).iter().map(|r| r.rank).collect();
        assert_eq!(ranks, [Some(1), Some(1), Some(1), Some(4), None]);
    }

    #[test]
    fn shrinkage_pulls_small_units_toward_their_group() {
        let cfg = HotlineConfig::default();
        let mut rules = cfg.versions[0].clone();
        let per_unit: BTreeMap<String, Counters> = [
            ("small", unit(12, 12)),
            ("large", unit(500, 490)),
            ("others", unit(1000, 800)),
        ]
        .into_iter()
        .map(|(u, c)| (u.to_string(), c))
        .collect();
        assert_eq!(rank(&per_unit, &rules)[0].unit, "small");
        rules.ranking.shrinkage = 20.0;
        let ranked = rank(&per_unit, &rules);
        assert_eq!(ranked[0].unit, "large", "{ranked:#?}");
        let small = ranked.iter().find(|r| r.unit == "small").unwrap();
        // (12 + 20 × pooled) / 32 with pooled = 1302 / 1512.
        let pooled = 1302.0 / 1512.0;
        let adjusted = small.assessment.rates[1].adjusted.unwrap();
        assert!((adjusted - (12.0 + 20.0 * pooled) / 32.0).abs() < 1e-12);
        assert_eq!(
            small.assessment.score,
            Some(100.0),
            "the observed score stays"
        );
        assert!(small.ranking_score.unwrap() < 100.0);
    }

    #[test]
    fn the_boards_name_each_end_once() {
        let cfg = HotlineConfig::default();
        let per_unit: BTreeMap<String, Counters> = (0..7)
            .map(|i| (format!("u{i}"), unit(100, 60 + 5 * i)))
            .chain([("tiny".to_string(), unit(2, 2))])
            .collect();
        let ranked = rank(&per_unit, &cfg.versions[0]);
        let (red, black) = boards(&ranked, 5);
        let names = |l: &[&Ranked]| l.iter().map(|r| r.unit.clone()).collect::<Vec<_>>();
        assert_eq!(names(&red), ["u6", "u5", "u4"]);
        assert_eq!(names(&black), ["u0", "u1", "u2"]);
    }
}

//! What each case adds to the counters of its unit × month × category, and the monthly
//! assessment computed from those counters alone: response, resolution and satisfaction rates,
//! the composite score and rankings.
//!
//! The store keeps the counters up to date in the same transaction as the case (subtracting a
//! case's old contribution and adding its new one), so rankings and dashboards never scan cases;
//! rebuilding every counter from the cases gives the same numbers.

use crate::case::{Case, Satisfaction};
use crate::config::HotlineConfig;
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
}

impl Counters {
    pub const FIELDS: [&'static str; 14] = [
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
    ];
    pub fn to_array(self) -> [i64; 14] {
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
        ]
    }
    pub fn from_array(a: [i64; 14]) -> Counters {
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

/// Rates of a unit for a month (or any sum of counters), with what cannot be computed and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    pub accepted: i64,
    pub excluded: i64,
    /// Responded within the deadline / accepted cases whose response is recorded.
    pub response_rate: Option<f64>,
    /// Solved on callback / called back.
    pub resolution_rate: Option<f64>,
    /// (satisfied + share × basically satisfied) / called back.
    pub satisfaction_rate: Option<f64>,
    /// Weighted mean of the three rates × 100; `None` when any rate cannot be computed.
    pub score: Option<f64>,
    /// The rates that cannot be computed, with the reason (e.g. no callbacks in the data).
    pub missing: Vec<String>,
}

pub fn assess(c: &Counters, rules: &crate::RuleSet) -> Assessment {
    let ratio = |a: f64, b: i64| (b > 0).then(|| a / b as f64);
    let response_rate = ratio(c.responded_in_time as f64, c.response_tracked);
    let resolution_rate = ratio(c.solved as f64, c.callbacks);
    let satisfaction_rate = ratio(
        c.satisfied as f64 + rules.basically_satisfied_share * c.basically_satisfied as f64,
        c.callbacks,
    );
    let mut missing = Vec::new();
    if c.accepted == 0 {
        missing.push("response_rate: no accepted cases".to_string());
    } else if c.response_tracked == 0 {
        missing.push("response_rate: no response times in the data".to_string());
    }
    if c.callbacks == 0 && c.accepted > 0 {
        missing.push("resolution_rate: no callbacks (回访) in the data".to_string());
        missing.push("satisfaction_rate: no callbacks (回访) in the data".to_string());
    }
    let w = rules.weights;
    let score = match (response_rate, resolution_rate, satisfaction_rate) {
        (Some(a), Some(b), Some(s)) => {
            Some(100.0 * (w[0] * a + w[1] * b + w[2] * s) / (w[0] + w[1] + w[2]))
        }
        _ => None,
    };
    Assessment {
        accepted: c.accepted,
        excluded: c.excluded,
        response_rate,
        resolution_rate,
        satisfaction_rate,
        score,
        missing,
    }
}

/// One row of a monthly ranking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranked {
    pub unit: String,
    pub assessment: Assessment,
    /// Competition rank by score (units without a score are not ranked).
    pub rank: Option<u32>,
}

/// Ranks units by their composite score (ties share the best rank; two decimals compared).
pub fn rank(per_unit: &BTreeMap<String, Counters>, rules: &crate::RuleSet) -> Vec<Ranked> {
    let assessed: Vec<(String, Assessment)> = per_unit
        .iter()
        .map(|(u, c)| (u.clone(), assess(c, rules)))
        .collect();
    let scores: Vec<f64> = assessed.iter().filter_map(|(_, a)| a.score).collect();
    let ranks = jixiao_core::ranking::competition_ranks(&scores, 2);
    let mut next = ranks.into_iter();
    let mut out: Vec<Ranked> = assessed
        .into_iter()
        .map(|(unit, assessment)| {
            let rank = assessment.score.and_then(|_| next.next());
            Ranked {
                unit,
                assessment,
                rank,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        a.rank
            .unwrap_or(u32::MAX)
            .cmp(&b.rank.unwrap_or(u32::MAX))
            .then(a.unit.cmp(&b.unit))
    });
    out
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
        let rules = &cfg.versions[0];
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
}

//! 每月一题: the month's problem the office designates from the candidates (a category, optionally
//! limited to places), its lead units and action items with deadlines, and the measured effect:
//! the category's cases and rates in the treated places against comparable untreated ones,
//! before and after the designation (difference in differences, with its uncertainty).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// A designated problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    /// `P2020-07-0301`: the month and the category.
    pub id: String,
    /// The month it is designated for ("2020-07"); the effect is measured from it on.
    pub month: String,
    pub title: String,
    /// A category code (its subcategories count too).
    pub category: String,
    /// Streets treated; empty = every street (then there is no untreated comparison).
    pub places: Vec<String>,
    /// Lead departments and streets (牵头单位), as the office names them.
    pub leads: Vec<String>,
    pub actions: Vec<Action>,
    /// Months compared on each side of the designation.
    pub window: u32,
}

/// An action item (任务清单): what, who, by when, and when it was done.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Action {
    pub text: String,
    pub owner: String,
    pub due: NaiveDate,
    pub done: Option<NaiveDate>,
}

impl Problem {
    pub fn id_for(month: &str, category: &str) -> String {
        format!("P{month}-{category}")
    }

    /// The months before the designation and from it on that the effect compares, as far as
    /// `months` (the months with cases, ascending) reach.
    pub fn windows(&self, months: &[String]) -> (Vec<String>, Vec<String>) {
        let Some(at) = months.iter().position(|m| m >= &self.month) else {
            return (Vec::new(), Vec::new());
        };
        let w = self.window.max(1) as usize;
        let before = months[at.saturating_sub(w)..at].to_vec();
        let after = months[at..(at + w).min(months.len())].to_vec();
        (before, after)
    }
}

/// Each unit's outcome before and after (a mean per month, or a rate over the window).
pub type BeforeAfter = (f64, f64);

/// A difference-in-differences estimate over units.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Effect {
    pub treated: usize,
    pub control: usize,
    pub treated_before: f64,
    pub treated_after: f64,
    pub control_before: f64,
    pub control_after: f64,
    /// (treated after − before) − (control after − before).
    pub estimate: f64,
    /// Standard error from the spread of the units' own changes (Welch).
    pub se: f64,
    pub low: f64,
    pub high: f64,
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

fn variance(x: &[f64]) -> f64 {
    let m = mean(x);
    x.iter().map(|v| (v - m) * (v - m)).sum::<f64>() / (x.len() as f64 - 1.0)
}

/// The difference in differences of unit-level (before, after) outcomes, with an interval at
/// `z`: each unit's change after − before; the estimate is the treated units' mean change minus
/// the untreated units' mean change, its standard error √(s²_T/n_T + s²_C/n_C). `None` with fewer
/// than two units on either side.
pub fn difference_in_differences(
    treated: &[BeforeAfter],
    control: &[BeforeAfter],
    z: f64,
) -> Option<Effect> {
    if treated.len() < 2 || control.len() < 2 {
        return None;
    }
    let change = |v: &[BeforeAfter]| v.iter().map(|(b, a)| a - b).collect::<Vec<f64>>();
    let (dt, dc) = (change(treated), change(control));
    let estimate = mean(&dt) - mean(&dc);
    let se = (variance(&dt) / dt.len() as f64 + variance(&dc) / dc.len() as f64).sqrt();
    let side =
        |v: &[BeforeAfter], f: fn(&BeforeAfter) -> f64| mean(&v.iter().map(f).collect::<Vec<_>>());
    Some(Effect {
        treated: treated.len(),
        control: control.len(),
        treated_before: side(treated, |x| x.0),
        treated_after: side(treated, |x| x.1),
        control_before: side(control, |x| x.0),
        control_after: side(control, |x| x.1),
        estimate,
        se,
        low: estimate - z * se,
        high: estimate + z * se,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_is_the_treated_change_less_the_untreated_change() {
        // Treated streets fall from about 50 to 35 cases a month; untreated ones drift from
        // 40 to 42: the effect is −15 − 2 = −17.
        let treated = [(50.0, 36.0), (52.0, 36.0), (48.0, 33.0)];
        let control = [(40.0, 42.0), (41.0, 43.0), (39.0, 41.0), (40.0, 42.0)];
        let e = difference_in_differences(&treated, &control, 1.96).unwrap();
        assert!((e.estimate - (-17.0)).abs() < 1e-9, "{e:?}");
        assert_eq!((e.treated, e.control), (3, 4));
        assert!((e.treated_before - 50.0).abs() < 1e-9 && (e.control_after - 42.0).abs() < 1e-9);
        // Changes −14, −16, −15 (s² = 1) and 2, 2, 2, 2 (s² = 0): se = √(1/3).
        assert!((e.se - (1.0f64 / 3.0).sqrt()).abs() < 1e-9);
        assert!(e.high < 0.0, "clearly below zero");
        assert!(difference_in_differences(&treated[..1], &control, 1.96).is_none());
    }

    #[test]
    fn the_windows_are_the_months_around_the_designation() {
        let months: Vec<String> = (1..=12).map(|m| format!("2020-{m:02}")).collect();
        let p = Problem {
            id: Problem::id_for("2020-07", "0301"),
            month: "2020-07".into(),
            title: "停车".into(),
            category: "0301".into(),
            places: vec![],
            leads: vec![],
            actions: vec![],
            window: 3,
        };
        let (before, after) = p.windows(&months);
        assert_eq!(before, ["2020-04", "2020-05", "2020-06"]);
        assert_eq!(after, ["2020-07", "2020-08", "2020-09"]);
        let (before, after) = p.windows(&months[..8]);
        assert_eq!(
            (before.len(), after.len()),
            (3, 2),
            "as far as the data reach"
        );
        assert_eq!(p.id, "P2020-07-0301");
    }
}

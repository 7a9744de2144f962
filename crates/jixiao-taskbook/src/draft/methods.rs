//! Scoring methods and their parameters: each method's parameters present, of the right kind,
//! within range.

use super::checks::*;
use super::model::*;
use crate::diag::Diagnostics;
use jixiao_core::model::*;
use std::collections::HashSet;

/// The parameters each method accepts, with what they must be.
pub const METHODS: [(&str, &[&str]); 11] = [
    ("ratio", &["cap"]),
    ("threshold", &["partial"]),
    (
        "piecewise",
        &["floor_share", "challenge_share", "excess_as_bonus"],
    ),
    ("efficacy", &["cap"]),
    ("growth", &["base_share", "per_point", "cap_share"]),
    ("rank", &["group", "formula", "step", "ties"]),
    ("deduction", &["base", "per_event"]),
    ("qualitative", &["grades"]),
    ("scaled", &["min", "max"]),
    ("normalised", &["normalisation", "group"]),
    ("figure", &[]),
];

pub(super) struct Params<'a, 'd> {
    list: &'a [(L<String>, L<ParamValue>)],
    d: &'d mut Diagnostics,
    method: &'a L<String>,
}

impl Params<'_, '_> {
    fn get(&self, key: &str) -> Option<&L<ParamValue>> {
        self.list.iter().find(|(k, _)| k.v == key).map(|(_, v)| v)
    }
    fn wrong(&mut self, v: &L<ParamValue>, key: &str, want: &str) {
        self.d.error(
            &v.loc,
            format!(
                "parameter `{key}` of `{}` must be {want}, found {}",
                self.method.v,
                v.v.kind()
            ),
        );
    }
    /// A number within [min, max], or the default.
    fn num(&mut self, key: &str, default: Option<f64>, min: f64, max: f64) -> Option<f64> {
        match self.get(key).cloned() {
            None if default.is_none() => {
                self.d.error(
                    &self.method.loc,
                    format!("method `{}` needs parameter `{key}`", self.method.v),
                );
                None
            }
            None => default,
            Some(L {
                v: ParamValue::Num(x),
                loc,
            }) => {
                if !x.is_finite() || x < min || x > max {
                    self.d.error(
                        &loc,
                        format!(
                            "parameter `{key}` must be between {} and {}, found {}",
                            jixiao_core::explain::num(min),
                            jixiao_core::explain::num(max),
                            x
                        ),
                    );
                }
                Some(x)
            }
            Some(v) => {
                self.wrong(&v, key, "a number");
                default
            }
        }
    }
    fn text(&mut self, key: &str) -> Option<L<String>> {
        match self.get(key).cloned() {
            None => None,
            Some(L {
                v: ParamValue::Str(s),
                loc,
            }) => Some(L::new(s, loc)),
            Some(v) => {
                self.wrong(&v, key, "a string");
                None
            }
        }
    }
    fn flag(&mut self, key: &str) -> bool {
        match self.get(key).cloned() {
            None => false,
            Some(L {
                v: ParamValue::Bool(b),
                ..
            }) => b,
            Some(v) => {
                self.wrong(&v, key, "true or false");
                false
            }
        }
    }
}

pub(super) fn build_method(
    m: &L<String>,
    params: &[(L<String>, L<ParamValue>)],
    ctx: &Context<'_>,
    d: &mut Diagnostics,
) -> Option<Method> {
    let Some((_, allowed)) = METHODS.iter().find(|(n, _)| *n == m.v) else {
        let names: Vec<&str> = METHODS.iter().map(|(n, _)| *n).collect();
        d.error(
            &m.loc,
            format!(
                "unknown method `{}`; expected one of: {}",
                m.v,
                names.join(", ")
            ),
        );
        return None;
    };
    let before = d.list.len();
    let mut seen = HashSet::new();
    for (k, _) in params {
        if !allowed.contains(&k.v.as_str()) {
            d.error(
                &k.loc,
                format!(
                    "unknown parameter `{}` for method `{}`; it takes: {}",
                    k.v,
                    m.v,
                    allowed.join(", ")
                ),
            );
        }
        if !seen.insert(&k.v) {
            d.error(&k.loc, format!("parameter `{}` given twice", k.v));
        }
    }
    let mut p = Params {
        list: params,
        d,
        method: m,
    };
    let group = |p: &mut Params<'_, '_>| -> Option<String> {
        let g = p.text("group")?;
        if !ctx.group_ids.contains(&g.v) {
            p.d.error(&g.loc, format!("unknown group `{}`", g.v));
        }
        Some(g.v)
    };
    let method = match m.v.as_str() {
        "ratio" => Method::Ratio {
            cap: p.num("cap", Some(1.0), 0.0, 100.0)?,
        },
        "threshold" => Method::Threshold {
            partial: p.num("partial", Some(0.0), 0.0, 1.0)?,
        },
        "piecewise" => Method::Piecewise {
            floor_share: p.num("floor_share", Some(0.6), 0.0, 1.0)?,
            challenge_share: p.num("challenge_share", Some(1.2), 1.0, 10.0)?,
            excess_as_bonus: p.flag("excess_as_bonus"),
        },
        "efficacy" => Method::Efficacy {
            cap: p.num("cap", Some(100.0), 1.0, 1000.0)?,
        },
        "growth" => Method::Growth {
            base_share: p.num("base_share", Some(0.8), 0.0, 1.0)?,
            per_point: p.num("per_point", Some(0.5), 0.0, f64::MAX)?,
            cap_share: p.num("cap_share", Some(1.0), 0.0, 10.0)?,
        },
        "rank" => {
            let group = group(&mut p);
            let formula = match p.text("formula") {
                None => RankFormula::Proportional,
                Some(f) if f.v == "proportional" => RankFormula::Proportional,
                Some(f) if f.v == "step" => RankFormula::Step {
                    step: p.num("step", None, 0.0, f64::MAX)?,
                },
                Some(f) => {
                    p.d.error(
                        &f.loc,
                        format!(
                            "unknown rank formula `{}`; expected step or proportional",
                            f.v
                        ),
                    );
                    RankFormula::Proportional
                }
            };
            if formula == RankFormula::Proportional {
                if let Some(s) = p.get("step") {
                    let loc = s.loc.clone();
                    p.d.error(&loc, "`step` is only used with formula = \"step\"");
                }
            }
            let ties = match p.text("ties") {
                None => TiePolicy::Min,
                Some(t) if t.v == "min" => TiePolicy::Min,
                Some(t) if t.v == "average" => TiePolicy::Average,
                Some(t) => {
                    p.d.error(
                        &t.loc,
                        format!("unknown tie policy `{}`; expected min or average", t.v),
                    );
                    TiePolicy::Min
                }
            };
            Method::Rank {
                group,
                formula,
                ties,
            }
        }
        "deduction" => {
            let base = match p.get("base") {
                None => None,
                Some(_) => p.num("base", None, 0.0, f64::MAX),
            };
            Method::Deduction {
                base,
                per_event: p.num("per_event", None, 0.0, f64::MAX)?,
            }
        }
        "qualitative" => match p.get("grades").cloned() {
            Some(L {
                v: ParamValue::Table(g),
                loc,
            }) => {
                if g.is_empty() || g.iter().any(|(_, s)| !(0.0..=10.0).contains(s)) {
                    p.d.error(&loc, "`grades` must map each grade to a share of the points, e.g. { \"优\" = 1.0, \"良\" = 0.85 }");
                }
                Method::Qualitative { grades: g }
            }
            Some(v) => {
                p.wrong(&v, "grades", "a table of grade = share");
                return None;
            }
            None => {
                p.d.error(&m.loc, "method `qualitative` needs parameter `grades`, e.g. { \"优\" = 1.0, \"良\" = 0.85, \"中\" = 0.7, \"差\" = 0.5 }");
                return None;
            }
        },
        "scaled" => {
            let min = p.num("min", Some(0.0), f64::MIN, f64::MAX)?;
            let max = p.num("max", Some(100.0), f64::MIN, f64::MAX)?;
            if max <= min {
                p.d.error(&m.loc, "`max` must be greater than `min`");
            }
            Method::Scaled { min, max }
        }
        "normalised" => {
            let group = group(&mut p);
            let normalisation = match p.text("normalisation") {
                None => Normalisation::MinMax,
                Some(n) => match Normalisation::ALL.into_iter().find(|x| x.as_str() == n.v) {
                    Some(x) => x,
                    None => {
                        p.d.error(&n.loc, format!("unknown normalisation `{}`; expected min_max, z_score or distance_to_target", n.v));
                        Normalisation::MinMax
                    }
                },
            };
            Method::Normalised {
                normalisation,
                group,
            }
        }
        "figure" => Method::Figure,
        _ => unreachable!("listed in METHODS"),
    };
    (d.list.len() == before).then_some(method)
}

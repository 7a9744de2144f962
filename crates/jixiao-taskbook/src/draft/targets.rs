//! Targets, challenge values and floors: present where the method needs them, on the right
//! side of each other for the task's direction.

use super::model::*;
use crate::diag::{Diagnostics, Location};
use jixiao_core::model::*;

pub(super) struct TargetLocs<'a> {
    pub target: Option<&'a L<f64>>,
    pub challenge: Option<&'a L<f64>>,
    pub floor: Option<&'a L<f64>>,
    pub method: &'a Location,
}

pub(super) fn check_targets(
    d: &mut Diagnostics,
    method: &Method,
    dir: Direction,
    t: Targets,
    at: &TargetLocs<'_>,
) {
    let needs_target = matches!(
        method,
        Method::Ratio { .. }
            | Method::Threshold { .. }
            | Method::Piecewise { .. }
            | Method::Efficacy { .. }
            | Method::Growth { .. }
            | Method::Normalised {
                normalisation: Normalisation::DistanceToTarget,
                ..
            }
    );
    let needs_floor = matches!(method, Method::Piecewise { .. } | Method::Efficacy { .. });
    let loc_t = at.target.map(|x| &x.loc).unwrap_or(at.method);
    for (x, name) in [
        (at.target, "target"),
        (at.challenge, "challenge"),
        (at.floor, "floor"),
    ] {
        if let Some(x) = x {
            if !x.v.is_finite() {
                d.error(&x.loc, format!("`{name}` must be a finite number"));
            }
        }
    }
    let Some(target) = t.target else {
        if needs_target {
            d.error(
                at.method,
                format!("method `{}` needs a `target`", method.name()),
            );
        }
        return;
    };
    if needs_floor && t.floor.is_none() {
        d.error(
            at.method,
            format!(
                "method `{}` needs a `floor` (the unacceptable value)",
                method.name()
            ),
        );
    }
    if matches!(
        method,
        Method::Ratio { .. }
            | Method::Normalised {
                normalisation: Normalisation::DistanceToTarget,
                ..
            }
    ) && target == 0.0
    {
        d.error(
            loc_t,
            format!(
                "method `{}` divides by the target, which must not be 0",
                method.name()
            ),
        );
    }
    let better = |a: f64, b: f64| {
        if dir == Direction::Higher {
            a > b
        } else {
            a < b
        }
    };
    let side = if dir == Direction::Higher {
        ("above", "below")
    } else {
        ("below", "above")
    };
    if let Some(c) = t.challenge {
        if !better(c, target) {
            let loc = at.challenge.map(|x| &x.loc).unwrap_or(loc_t);
            d.error(
                loc,
                format!(
                    "challenge value {} must be {} the target {} (direction: {})",
                    jixiao_core::explain::num(c),
                    side.0,
                    jixiao_core::explain::num(target),
                    if dir == Direction::Higher {
                        "higher is better"
                    } else {
                        "lower is better"
                    }
                ),
            );
        }
    }
    if let Some(f) = t.floor {
        if !better(target, f) {
            let loc = at.floor.map(|x| &x.loc).unwrap_or(loc_t);
            d.error(
                loc,
                format!(
                    "floor {} must be {} the target {} (direction: {})",
                    jixiao_core::explain::num(f),
                    side.1,
                    jixiao_core::explain::num(target),
                    if dir == Direction::Higher {
                        "higher is better"
                    } else {
                        "lower is better"
                    }
                ),
            );
        }
    }
}

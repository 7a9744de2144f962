//! The scoring methods of DOMAIN.md §2 applied to one task and one unit.
//!
//! Each method returns the score and a [`Detail`] holding every number it used, so that an
//! explanation can be rendered later without recomputing anything. Methods that compare units
//! (rank, normalised) receive the comparison set's figures in a [`Peers`].

use crate::model::{Direction, Method, Normalisation, RankFormula, Targets, TiePolicy};
use serde::{Deserialize, Serialize};

/// Where a piecewise score fell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Segment {
    BelowFloor,
    FloorToTarget,
    TargetToChallenge,
    AtOrBeyondChallenge,
}

/// The numbers a method used, by method.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Detail {
    Ratio {
        x: f64,
        target: f64,
        ratio: f64,
        cap: f64,
        used: f64,
    },
    Threshold {
        x: f64,
        target: f64,
        met: bool,
        partial: f64,
    },
    Piecewise {
        x: f64,
        floor: f64,
        target: f64,
        challenge: Option<f64>,
        floor_share: f64,
        challenge_share: f64,
        segment: Segment,
        share: f64,
        excess_as_bonus: bool,
    },
    Efficacy {
        x: f64,
        satisfactory: f64,
        unacceptable: f64,
        d: f64,
        cap: f64,
        d_used: f64,
    },
    Growth {
        x: f64,
        target: f64,
        base_share: f64,
        per_point: f64,
        raw: f64,
        cap_share: f64,
    },
    Rank {
        x: f64,
        rank: f64,
        n: usize,
        formula: RankFormula,
        ties: TiePolicy,
    },
    Deduction {
        events: f64,
        base: f64,
        per_event: f64,
    },
    Qualitative {
        grade: String,
        share: f64,
    },
    Scaled {
        x: f64,
        min: f64,
        max: f64,
        share: f64,
    },
    Normalised {
        normalisation: Normalisation,
        x: f64,
        min: f64,
        max: f64,
        mean: f64,
        sd: f64,
        target: Option<f64>,
        share: f64,
    },
    /// A reported figure: not scored.
    Figure {
        x: f64,
    },
}

/// Figures of the comparison set for relative methods.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Peers {
    /// Number of peers strictly better than this unit's value.
    pub better: usize,
    /// Number of other peers with the same value.
    pub equal: usize,
    /// Size of the comparison set including this unit.
    pub n: usize,
    pub min: f64,
    pub max: f64,
    pub mean: f64,
    pub sd: f64,
}

/// Why a task could not be scored from the value given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unscorable {
    /// A grade was given for a numeric method or a number for a grade method.
    WrongKindOfValue,
    /// The grade is not one of the method's grades.
    UnknownGrade(String),
    /// The value is not a finite number.
    NotFinite,
}

/// A task's score for one unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MethodResult {
    pub score: f64,
    /// Points above the task's own points that the framework counts as bonus.
    pub bonus_excess: f64,
    pub detail: Detail,
}

/// Parameters every method call shares.
#[derive(Debug, Clone, Copy)]
pub struct TaskContext<'a> {
    pub method: &'a Method,
    pub direction: Direction,
    pub points: f64,
    pub targets: Targets,
}

/// Scores a numeric or grade value. `peers` must be given for relative methods.
pub fn apply(
    ctx: TaskContext<'_>,
    value: &crate::inputs::Observation,
    peers: Option<Peers>,
) -> Result<MethodResult, Unscorable> {
    use crate::inputs::Observation;
    let w = ctx.points;
    if let Method::Qualitative { grades } = ctx.method {
        let Observation::Grade(g) = value else {
            return Err(Unscorable::WrongKindOfValue);
        };
        let share = grades
            .iter()
            .find(|(name, _)| name == g)
            .map(|(_, s)| *s)
            .ok_or_else(|| Unscorable::UnknownGrade(g.clone()))?;
        return Ok(plain(
            w * share,
            Detail::Qualitative {
                grade: g.clone(),
                share,
            },
        ));
    }
    let Observation::Number(x) = value else {
        return Err(Unscorable::WrongKindOfValue);
    };
    let x = *x;
    if !x.is_finite() {
        return Err(Unscorable::NotFinite);
    }
    // Multiplying by the sign turns every "lower is better" comparison into "higher is better".
    let sgn = match ctx.direction {
        Direction::Higher => 1.0,
        Direction::Lower => -1.0,
    };
    let t = ctx.targets.target.unwrap_or(0.0);
    Ok(match ctx.method {
        Method::Ratio { cap } => {
            let ratio = match ctx.direction {
                Direction::Higher => x / t,
                Direction::Lower if x <= 0.0 => *cap,
                Direction::Lower => t / x,
            };
            let used = ratio.clamp(0.0, *cap);
            plain(
                w * used,
                Detail::Ratio {
                    x,
                    target: t,
                    ratio,
                    cap: *cap,
                    used,
                },
            )
        }
        Method::Threshold { partial } => {
            let met = sgn * x >= sgn * t;
            let score = if met { w } else { w * partial };
            plain(
                score,
                Detail::Threshold {
                    x,
                    target: t,
                    met,
                    partial: *partial,
                },
            )
        }
        Method::Piecewise {
            floor_share,
            challenge_share,
            excess_as_bonus,
        } => {
            let f = ctx.targets.floor.unwrap_or(t);
            let c = ctx.targets.challenge;
            let (sx, sf, st) = (sgn * x, sgn * f, sgn * t);
            let (segment, share) = if sx < sf {
                (Segment::BelowFloor, 0.0)
            } else if sx < st {
                (
                    Segment::FloorToTarget,
                    floor_share + (1.0 - floor_share) * (sx - sf) / (st - sf),
                )
            } else {
                match c {
                    Some(c) if sx < sgn * c => (
                        Segment::TargetToChallenge,
                        1.0 + (challenge_share - 1.0) * (sx - st) / (sgn * c - st),
                    ),
                    Some(_) => (Segment::AtOrBeyondChallenge, *challenge_share),
                    None => (Segment::AtOrBeyondChallenge, 1.0),
                }
            };
            let excess = (share - 1.0).max(0.0) * w;
            MethodResult {
                score: w * share.min(1.0),
                bonus_excess: if *excess_as_bonus { excess } else { 0.0 },
                detail: Detail::Piecewise {
                    x,
                    floor: f,
                    target: t,
                    challenge: c,
                    floor_share: *floor_share,
                    challenge_share: *challenge_share,
                    segment,
                    share,
                    excess_as_bonus: *excess_as_bonus,
                },
            }
        }
        Method::Efficacy { cap } => {
            let xs = ctx.targets.floor.unwrap_or(0.0);
            let d = efficacy_coefficient(x, t, xs);
            let d_used = d.clamp(0.0, *cap);
            plain(
                w * d_used / 100.0,
                Detail::Efficacy {
                    x,
                    satisfactory: t,
                    unacceptable: xs,
                    d,
                    cap: *cap,
                    d_used,
                },
            )
        }
        Method::Growth {
            base_share,
            per_point,
            cap_share,
        } => {
            let raw = w * base_share + per_point * sgn * (x - t);
            let score = raw.clamp(0.0, w * cap_share);
            plain(
                score,
                Detail::Growth {
                    x,
                    target: t,
                    base_share: *base_share,
                    per_point: *per_point,
                    raw,
                    cap_share: *cap_share,
                },
            )
        }
        Method::Rank { formula, ties, .. } => {
            let p = peers.unwrap_or(Peers {
                better: 0,
                equal: 0,
                n: 1,
                min: x,
                max: x,
                mean: x,
                sd: 0.0,
            });
            let rank = match ties {
                TiePolicy::Min => (p.better + 1) as f64,
                TiePolicy::Average => p.better as f64 + 1.0 + p.equal as f64 / 2.0,
            };
            let score = match formula {
                RankFormula::Step { step } => (w - step * (rank - 1.0)).max(0.0),
                RankFormula::Proportional if p.n <= 1 => w,
                RankFormula::Proportional => w * (p.n as f64 - rank) / (p.n as f64 - 1.0),
            };
            plain(
                score,
                Detail::Rank {
                    x,
                    rank,
                    n: p.n,
                    formula: *formula,
                    ties: *ties,
                },
            )
        }
        Method::Deduction { base, per_event } => {
            let base = base.unwrap_or(w);
            let score = (base - per_event * x).clamp(0.0, w);
            plain(
                score,
                Detail::Deduction {
                    events: x,
                    base,
                    per_event: *per_event,
                },
            )
        }
        Method::Scaled { min, max } => {
            let share =
                (sgn * (x - if sgn > 0.0 { *min } else { *max }) / (max - min)).clamp(0.0, 1.0);
            plain(
                w * share,
                Detail::Scaled {
                    x,
                    min: *min,
                    max: *max,
                    share,
                },
            )
        }
        Method::Normalised { normalisation, .. } => {
            let p = peers.unwrap_or(Peers {
                better: 0,
                equal: 0,
                n: 1,
                min: x,
                max: x,
                mean: x,
                sd: 0.0,
            });
            let share = normalised_share(*normalisation, sgn, x, t, &p);
            plain(
                w * share,
                Detail::Normalised {
                    normalisation: *normalisation,
                    x,
                    min: p.min,
                    max: p.max,
                    mean: p.mean,
                    sd: p.sd,
                    target: ctx.targets.target,
                    share,
                },
            )
        }
        Method::Figure => plain(0.0, Detail::Figure { x }),
        Method::Qualitative { .. } => unreachable!("handled above"),
    })
}

/// 功效系数 `d = 60 + 40 · (x − x_s)/(x_h − x_s)`.
pub fn efficacy_coefficient(x: f64, satisfactory: f64, unacceptable: f64) -> f64 {
    60.0 + 40.0 * (x - unacceptable) / (satisfactory - unacceptable)
}

/// Share of the points (0..=1) for a normalised value.
///
/// - min-max: `(x − min)/(max − min)`, 1 when all peers are equal;
/// - z-score: `z = (x − μ)/σ` mapped linearly so that ±2σ spans 0..1, i.e. `(z + 2)/4`,
///   clamped; 1 when σ = 0;
/// - distance to target: `min(x/T, 1)`.
///
/// Lower-is-better flips the sign (min-max and z) or the ratio (distance to target).
pub fn normalised_share(n: Normalisation, sgn: f64, x: f64, target: f64, p: &Peers) -> f64 {
    let share = match n {
        Normalisation::MinMax if p.max - p.min <= f64::EPSILON => 1.0,
        Normalisation::MinMax if sgn > 0.0 => (x - p.min) / (p.max - p.min),
        Normalisation::MinMax => (p.max - x) / (p.max - p.min),
        Normalisation::ZScore if p.sd <= f64::EPSILON => 1.0,
        Normalisation::ZScore => (sgn * (x - p.mean) / p.sd + 2.0) / 4.0,
        Normalisation::DistanceToTarget if sgn > 0.0 => x / target,
        Normalisation::DistanceToTarget if x <= 0.0 => 1.0,
        Normalisation::DistanceToTarget => target / x,
    };
    share.clamp(0.0, 1.0)
}

fn plain(score: f64, detail: Detail) -> MethodResult {
    MethodResult {
        score,
        bonus_excess: 0.0,
        detail,
    }
}

/// The figures of a comparison set for a unit whose value is `x`. `others` are the values of
/// the comparison set without this unit; `include_self` says whether the unit belongs to the
/// set (ranked units do; 单列 units are compared but do not take a place).
pub fn peers_of(x: f64, others: &[f64], include_self: bool, direction: Direction) -> Peers {
    let sgn = if direction == Direction::Higher {
        1.0
    } else {
        -1.0
    };
    let mut better = 0;
    let mut equal = 0;
    let (mut min, mut max, mut sum) = (f64::INFINITY, f64::NEG_INFINITY, 0.0);
    for &v in others {
        if sgn * v > sgn * x + 1e-12 {
            better += 1;
        } else if (v - x).abs() <= 1e-12 {
            equal += 1;
        }
        min = min.min(v);
        max = max.max(v);
        sum += v;
    }
    let mut count = others.len();
    if include_self || others.is_empty() {
        min = min.min(x);
        max = max.max(x);
        sum += x;
        count += 1;
    }
    let mean = sum / count as f64;
    let mut ss: f64 = others.iter().map(|v| (v - mean).powi(2)).sum();
    if include_self || others.is_empty() {
        ss += (x - mean).powi(2);
    }
    let sd = (ss / count as f64).sqrt();
    Peers {
        better,
        equal,
        n: others.len() + 1,
        min,
        max,
        mean,
        sd,
    }
}

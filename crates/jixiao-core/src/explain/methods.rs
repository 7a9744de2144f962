//! The formula of each scoring method with the numbers put in, in Chinese or English.

use crate::method::{Detail, Segment};
use crate::model::{RankFormula, TiePolicy};
use crate::numbers::{num, pts};

/// (formula, formula with the numbers put in, inputs by symbol, notes).
pub(super) type Rendered = (String, String, Vec<(String, String)>, Vec<String>);

/// How a task's score came from its method: the formula, the formula with the numbers put
/// in, the method's inputs and notes.
pub(super) fn render_detail(d: &Detail, w: f64, score: f64, zh: bool) -> Rendered {
    let s = pts(score);
    let wn = num(w);
    let mut inputs: Vec<(String, String)> = Vec::new();
    let mut notes: Vec<String> = Vec::new();
    let (formula, substituted) = match d {
        Detail::Ratio {
            x,
            target,
            ratio,
            cap,
            used,
        } => {
            inputs.push(("T".into(), num(*target)));
            inputs.push(("cap".into(), num(*cap)));
            if used < ratio {
                notes.push(if zh {
                    format!("完成率 {} 超过封顶 {},按封顶计", num(*ratio), num(*cap))
                } else {
                    format!("ratio {} capped at {}", num(*ratio), num(*cap))
                });
            }
            (
                "s = w × min(x/T, cap)(越低越好时为 T/x)".to_string(),
                format!(
                    "x/T = {}/{} = {};s = {wn} × min({}, {}) = {wn} × {} = {s}",
                    num(*x),
                    num(*target),
                    num(*ratio),
                    num(*ratio),
                    num(*cap),
                    num(*used)
                ),
            )
        }
        Detail::Threshold {
            x,
            target,
            met,
            partial,
        } => {
            inputs.push(("T".into(), num(*target)));
            inputs.push(("partial".into(), num(*partial)));
            let verdict = match (met, zh) {
                (true, true) => "达到目标,得满分",
                (false, true) => "未达到目标,按部分得分比例计",
                (true, false) => "target met: full points",
                (false, false) => "target missed: partial share",
            };
            (
                if zh {
                    "达标得 w,否则得 w × partial".into()
                } else {
                    "w if the target is met, else w × partial".into()
                },
                format!(
                    "x = {} vs T = {}:{verdict};s = {}",
                    num(*x),
                    num(*target),
                    s
                ),
            )
        }
        Detail::Piecewise {
            x,
            floor,
            target,
            challenge,
            floor_share,
            challenge_share,
            segment,
            share,
            excess_as_bonus,
        } => {
            inputs.push(("F".into(), num(*floor)));
            inputs.push(("T".into(), num(*target)));
            if let Some(c) = challenge {
                inputs.push(("C".into(), num(*c)));
            }
            inputs.push(("floor_share".into(), num(*floor_share)));
            inputs.push(("challenge_share".into(), num(*challenge_share)));
            let sub = match segment {
                Segment::BelowFloor => format!("x = {} 未达底线值 F = {} → s = 0", num(*x), num(*floor)),
                Segment::FloorToTarget => format!(
                    "share = {fs} + (1 − {fs}) × ({x} − {f})/({t} − {f}) = {sh};s = {wn} × {sh} = {s}",
                    fs = num(*floor_share), x = num(*x), f = num(*floor), t = num(*target), sh = num(*share)
                ),
                Segment::TargetToChallenge => format!(
                    "share = 1 + ({cs} − 1) × ({x} − {t})/({c} − {t}) = {sh};s = {wn} × min({sh}, 1) = {s}",
                    cs = num(*challenge_share), x = num(*x), t = num(*target), c = num(challenge.unwrap_or(*target)), sh = num(*share)
                ),
                Segment::AtOrBeyondChallenge => format!("x = {} 达到或超过{} → share = {};s = {wn} × min({}, 1) = {s}", num(*x), if challenge.is_some() { "挑战值" } else { "目标值" }, num(*share), num(*share)),
            };
            if *share > 1.0 && !excess_as_bonus {
                notes.push(if zh {
                    "超过目标的部分不计入本项分值(任务书未设为加分)".into()
                } else {
                    "the part above target is not counted (the task book does not make it bonus)"
                        .into()
                });
            }
            (
                if zh {
                    "x<F:0;F→T:floor_share→1;T→C:1→challenge_share(按 w 计分)".into()
                } else {
                    "x<F: 0; F→T: floor_share→1; T→C: 1→challenge_share (of w)".into()
                },
                if zh {
                    sub
                } else {
                    sub.replace("未达底线值", "below floor")
                        .replace("达到或超过挑战值", "at or beyond challenge")
                        .replace("达到或超过目标值", "at or beyond target")
                        .replace(';', "; ")
                },
            )
        }
        Detail::Efficacy {
            x,
            satisfactory,
            unacceptable,
            d,
            cap,
            d_used,
        } => {
            inputs.push(("x_h".into(), num(*satisfactory)));
            inputs.push(("x_s".into(), num(*unacceptable)));
            if d_used != d {
                notes.push(if zh {
                    format!("功效系数 {} 限定在 0 至 {} 之间", pts(*d), num(*cap))
                } else {
                    format!("coefficient {} limited to 0..{}", pts(*d), num(*cap))
                });
            }
            (
                "d = 60 + 40 × (x − x_s)/(x_h − x_s);s = w × d/100".into(),
                format!(
                    "d = 60 + 40 × ({} − {})/({} − {}) = {};s = {wn} × {}/100 = {s}",
                    num(*x),
                    num(*unacceptable),
                    num(*satisfactory),
                    num(*unacceptable),
                    pts(*d),
                    pts(*d_used)
                ),
            )
        }
        Detail::Growth {
            x,
            target,
            base_share,
            per_point,
            raw,
            cap_share,
        } => {
            inputs.push(("T".into(), num(*target)));
            inputs.push(("base_share".into(), num(*base_share)));
            inputs.push(("per_point".into(), num(*per_point)));
            (
                "s = clamp(w × base_share + per_point × (x − T), 0, w × cap_share)".into(),
                format!(
                    "s = clamp({wn} × {} + {} × ({} − {}), 0, {}) = clamp({}, 0, {}) = {s}",
                    num(*base_share),
                    num(*per_point),
                    num(*x),
                    num(*target),
                    num(w * cap_share),
                    num(*raw),
                    num(w * cap_share)
                ),
            )
        }
        Detail::Rank {
            x: _,
            rank,
            n,
            formula,
            ties,
        } => {
            inputs.push(("rank".into(), num(*rank)));
            inputs.push(("n".into(), n.to_string()));
            notes.push(match (ties, zh) {
                (TiePolicy::Min, true) => "并列者取并列段的最好名次".into(),
                (TiePolicy::Average, true) => "并列者取并列段的平均名次".into(),
                (TiePolicy::Min, false) => "ties share the best rank of their block".into(),
                (TiePolicy::Average, false) => "ties share the mean rank of their block".into(),
            });
            match formula {
                RankFormula::Step { step } => (
                    "s = max(0, w − k × (rank − 1))".into(),
                    format!(
                        "s = max(0, {wn} − {} × ({} − 1)) = {s}",
                        num(*step),
                        num(*rank)
                    ),
                ),
                RankFormula::Proportional => (
                    "s = w × (n − rank)/(n − 1)".into(),
                    format!("s = {wn} × ({n} − {})/({n} − 1) = {s}", num(*rank)),
                ),
            }
        }
        Detail::Deduction {
            events,
            base,
            per_event,
        } => {
            inputs.push(("base".into(), num(*base)));
            inputs.push(("per_event".into(), num(*per_event)));
            (
                "s = max(0, base − per_event × x)".into(),
                format!(
                    "s = max(0, {} − {} × {}) = {s}",
                    num(*base),
                    num(*per_event),
                    num(*events)
                ),
            )
        }
        Detail::Qualitative { grade, share } => (
            if zh {
                "s = w × 等次系数".into()
            } else {
                "s = w × grade share".into()
            },
            format!("{grade} → {};s = {wn} × {} = {s}", num(*share), num(*share)),
        ),
        Detail::Figure { x } => (
            if zh {
                "报送数据,不单独计分".into()
            } else {
                "a reported figure, not scored by itself".into()
            },
            format!("x = {}", num(*x)),
        ),
        Detail::Scaled { x, min, max, share } => {
            inputs.push(("min".into(), num(*min)));
            inputs.push(("max".into(), num(*max)));
            (
                "s = w × (x − min)/(max − min)".into(),
                format!(
                    "s = {wn} × ({} − {})/({} − {}) = {wn} × {} = {s}",
                    num(*x),
                    num(*min),
                    num(*max),
                    num(*min),
                    num(*share)
                ),
            )
        }
        Detail::Normalised {
            normalisation,
            x,
            min,
            max,
            mean,
            sd,
            target,
            share,
        } => {
            use crate::model::Normalisation::*;
            inputs.push(("normalisation".into(), normalisation.as_str().into()));
            match normalisation {
                MinMax => {
                    inputs.push(("min".into(), num(*min)));
                    inputs.push(("max".into(), num(*max)));
                    (
                        "s = w × (x − min)/(max − min)".into(),
                        format!(
                            "s = {wn} × ({} − {})/({} − {}) = {wn} × {} = {s}",
                            num(*x),
                            num(*min),
                            num(*max),
                            num(*min),
                            num(*share)
                        ),
                    )
                }
                ZScore => {
                    inputs.push(("μ".into(), num(*mean)));
                    inputs.push(("σ".into(), num(*sd)));
                    (
                        "z = (x − μ)/σ;s = w × clamp((z + 2)/4, 0, 1)".into(),
                        format!(
                            "z = ({} − {})/{};s = {wn} × {} = {s}",
                            num(*x),
                            num(*mean),
                            num(*sd),
                            num(*share)
                        ),
                    )
                }
                DistanceToTarget => {
                    let t = target.unwrap_or(0.0);
                    inputs.push(("T".into(), num(t)));
                    (
                        "s = w × min(x/T, 1)".into(),
                        format!(
                            "s = {wn} × min({}/{}, 1) = {wn} × {} = {s}",
                            num(*x),
                            num(t),
                            num(*share)
                        ),
                    )
                }
            }
        }
    };
    let formula = if zh {
        formula
    } else {
        formula
            .replace('(', " (")
            .replace(';', "; ")
            .replace("(越低越好时为 T/x)", "(T/x when lower is better)")
    };
    let substituted = if zh {
        substituted
    } else {
        substituted.replace(';', "; ")
    };
    (formula, substituted, inputs, notes)
}

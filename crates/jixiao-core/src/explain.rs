//! Explanations: every score says which method made it, from which inputs, by which formula
//! with the numbers put in. Rendered as Chinese (default) or English text, or serialised as
//! JSON through serde.

use crate::method::{Detail, Segment};
use crate::model::{Direction, Framework, NodeIdx, RankFormula, TiePolicy, UnitIdx};
use crate::scoring::{NodeScore, NotApplicable, Scorecard};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" | "zh-CN" | "zh_CN" => Some(Lang::Zh),
            "en" | "en-US" | "en_GB" => Some(Lang::En),
            _ => None,
        }
    }
}

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

/// Everything needed to explain one node's score for one unit; serialises to the JSON form.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    pub unit_id: String,
    pub unit_name: String,
    pub node_id: String,
    pub node_name: String,
    pub path: String,
    pub points: f64,
    pub method: String,
    pub method_zh: String,
    /// Inputs by symbol (x, T, C, F, ...), with their values.
    pub inputs: Vec<(String, String)>,
    pub formula: String,
    pub substituted: String,
    pub result: Option<f64>,
    pub notes: Vec<String>,
}

/// Builds the explanation of `node` for `unit` from a scorecard.
pub fn explain(
    fw: &Framework,
    card: &Scorecard,
    unit: UnitIdx,
    node: NodeIdx,
    lang: Lang,
) -> Explanation {
    let n = &fw.nodes[node];
    let u = &fw.units[unit];
    let us = &card.units[unit];
    let zh = lang == Lang::Zh;
    let mut e = Explanation {
        unit_id: u.id.clone(),
        unit_name: u.name.clone(),
        node_id: n.id.clone(),
        node_name: n.name.clone(),
        path: fw.node_path(node),
        points: n.points,
        method: String::new(),
        method_zh: String::new(),
        inputs: vec![("w".into(), num(n.points))],
        formula: String::new(),
        substituted: String::new(),
        result: None,
        notes: Vec::new(),
    };
    let task_method = n.task.as_ref().map(|t| &t.method);
    e.method = task_method
        .map(|m| m.name().to_string())
        .unwrap_or_else(|| roll_up_name(n.aggregate, false).into());
    e.method_zh = task_method
        .map(|m| m.name_zh().to_string())
        .unwrap_or_else(|| roll_up_name(n.aggregate, true).into());
    match &us.nodes[node] {
        NodeScore::NotApplicable { reason } => e.notes.push(not_applicable_text(reason, zh).into()),
        NodeScore::Missing => {
            e.result = Some(0.0);
            e.notes.push(if zh {
                "未报送数值,按缺报得 0 分处理".into()
            } else {
                "no value reported: scored 0 by the task's missing-value policy".into()
            });
        }
        NodeScore::Task(ts) => {
            let t = n.task.as_ref().expect("task scores belong to tasks");
            e.result = Some(ts.score);
            e.inputs
                .push(("x".into(), format!("{}{}", ts.value, t.measure)));
            let periods: Vec<&str> = ts
                .periods
                .iter()
                .map(|&p| fw.cycle.periods[p].name.as_str())
                .collect();
            if !periods.is_empty() {
                e.notes.push(if zh {
                    format!(
                        "实际值取自:{}({})",
                        periods.join("、"),
                        period_rule_text(t.period_rule, zh)
                    )
                } else {
                    format!(
                        "value from: {} ({})",
                        periods.join(", "),
                        period_rule_text(t.period_rule, zh)
                    )
                });
            }
            if t.direction == Direction::Lower {
                e.notes.push(if zh {
                    "指标方向:越低越好".into()
                } else {
                    "direction: lower is better".into()
                });
            }
            let (formula, substituted, inputs, notes) =
                render_detail(&ts.detail, n.points, ts.score, zh);
            e.formula = formula;
            e.substituted = substituted;
            e.inputs.extend(inputs);
            e.notes.extend(notes);
            if ts.bonus_excess > 0.0 {
                e.notes.push(if zh {
                    format!("超出分值部分 {} 分计入加分", pts(ts.bonus_excess))
                } else {
                    format!(
                        "{} points above the task's points count as bonus",
                        pts(ts.bonus_excess)
                    )
                });
            }
        }
        NodeScore::RollUp { score } => {
            e.result = Some(*score);
            render_roll_up(fw, card, unit, node, *score, zh, &mut e);
        }
    }
    e
}

impl Explanation {
    /// Plain-text rendering, one fact a line.
    pub fn to_text(&self, lang: Lang) -> String {
        let zh = lang == Lang::Zh;
        let mut out = String::new();
        let (l_m, l_i, l_f, l_s, l_r, l_n) = if zh {
            ("方法", "输入", "公式", "代入", "结果", "说明")
        } else {
            (
                "Method",
                "Inputs",
                "Formula",
                "With numbers",
                "Result",
                "Notes",
            )
        };
        out.push_str(&format!(
            "{} · {} [{}]\n",
            self.unit_name, self.path, self.node_id
        ));
        out.push_str(&format!(
            "{l_m}: {}\n",
            if zh { &self.method_zh } else { &self.method }
        ));
        let inputs: Vec<String> = self
            .inputs
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect();
        out.push_str(&format!("{l_i}: {}\n", inputs.join("; ")));
        if !self.formula.is_empty() {
            out.push_str(&format!("{l_f}: {}\n", self.formula));
            out.push_str(&format!("{l_s}: {}\n", self.substituted));
        }
        match self.result {
            Some(r) => out.push_str(&format!(
                "{l_r}: {} {}\n",
                pts(r),
                if zh { "分" } else { "points" }
            )),
            None => out.push_str(&format!(
                "{l_r}: {}\n",
                if zh { "不适用" } else { "not applicable" }
            )),
        }
        for n in &self.notes {
            out.push_str(&format!("{l_n}: {n}\n"));
        }
        out
    }
}

fn roll_up_name(agg: crate::model::Aggregate, zh: bool) -> &'static str {
    match (agg, zh) {
        (crate::model::Aggregate::Sum, true) => "加权汇总",
        (crate::model::Aggregate::Geometric, true) => "加权几何平均",
        (crate::model::Aggregate::Sum, false) => "roll_up_sum",
        (crate::model::Aggregate::Geometric, false) => "roll_up_geometric",
    }
}

fn period_rule_text(r: crate::model::PeriodRule, zh: bool) -> &'static str {
    use crate::model::PeriodRule::*;
    match (r, zh) {
        (Latest, true) => "取最新一期",
        (Sum, true) => "各期求和",
        (Mean, true) => "各期平均",
        (Latest, false) => "latest period",
        (Sum, false) => "sum of periods",
        (Mean, false) => "mean of periods",
    }
}

pub(crate) fn not_applicable_text(why: &NotApplicable, zh: bool) -> &'static str {
    match (why, zh) {
        (NotApplicable::NotResponsible, true) => "该单位不承担此任务,不计分,同级权重重新归一",
        (NotApplicable::Missing, true) => "未报送数值且该指标缺报按不适用处理,同级权重重新归一",
        (NotApplicable::Unscorable, true) => "报送值无法按该方法计分(类型不符或等次未定义),按不适用处理",
        (NotApplicable::NoApplicableChildren, true) => "下级指标均不适用",
        (NotApplicable::NotResponsible, false) => "the unit is not responsible for this task; sibling weights renormalised",
        (NotApplicable::Missing, false) => "no value reported and the task treats missing as not applicable; sibling weights renormalised",
        (NotApplicable::Unscorable, false) => "the value cannot be scored by this method (wrong kind or unknown grade); treated as not applicable",
        (NotApplicable::NoApplicableChildren, false) => "no child applies",
    }
}

type Rendered = (String, String, Vec<(String, String)>, Vec<String>);

fn render_detail(d: &Detail, w: f64, score: f64, zh: bool) -> Rendered {
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

fn render_roll_up(
    fw: &Framework,
    card: &Scorecard,
    unit: UnitIdx,
    node: NodeIdx,
    score: f64,
    zh: bool,
    e: &mut Explanation,
) {
    let n = &fw.nodes[node];
    let us = &card.units[unit];
    let mut parts = Vec::new();
    let mut applicable_points = 0.0;
    let mut sum = 0.0;
    for &c in &n.children {
        match us.nodes[c].score() {
            Some(score) => {
                applicable_points += fw.nodes[c].points;
                sum += score;
                parts.push(format!(
                    "{}({}/{})",
                    fw.nodes[c].name,
                    pts(score),
                    num(fw.nodes[c].points)
                ));
            }
            None => parts.push(format!(
                "{}({})",
                fw.nodes[c].name,
                if zh { "不适用" } else { "n/a" }
            )),
        }
    }
    e.inputs.push(("Σw".into(), num(applicable_points)));
    e.inputs.push(("Σs".into(), num(sum)));
    e.notes.push(parts.join(if zh { "、" } else { ", " }));
    if n.aggregate == crate::model::Aggregate::Sum {
        e.formula = if zh {
            "s = P × Σs(适用子项)/Σw(适用子项)".into()
        } else {
            "s = P × Σs / Σw over applicable children".into()
        };
        e.substituted = format!(
            "s = {} × {}/{} = {}",
            num(n.points),
            num(sum),
            num(applicable_points),
            pts(score)
        );
    } else {
        e.formula = "s = P × Π (s_c/w_c)^(w_c/Σw)".into();
        e.substituted = format!("s = {}", pts(score));
    }
}

/// Explanation of a unit's total: base, bonus, deduction, grade and ranks.
pub fn explain_total(fw: &Framework, card: &Scorecard, unit: UnitIdx, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let us = &card.units[unit];
    let u = &fw.units[unit];
    let mut out = String::new();
    let roots: Vec<String> = fw
        .roots()
        .map(|r| match us.nodes[r].score() {
            Some(score) => format!(
                "{} {}/{}",
                fw.nodes[r].name,
                pts(score),
                num(fw.nodes[r].points)
            ),
            None => format!("{} {}", fw.nodes[r].name, if zh { "不适用" } else { "n/a" }),
        })
        .collect();
    if zh {
        out.push_str(&format!("{} 总分 {}\n", u.name, pts(us.total)));
        out.push_str(&format!(
            "基础得分 {} = {}\n",
            pts(us.base),
            roots.join(" + ")
        ));
        out.push_str(&format!(
            "加分 {}(申报合计 {}{})\n",
            pts(us.bonus),
            pts(us.bonus_claimed),
            cap_text(fw.bonus.cap, zh)
        ));
        out.push_str(&format!(
            "扣分 {}(合计 {}{})\n",
            pts(us.deduction),
            pts(us.deduction_claimed),
            cap_text(fw.deduction.cap, zh)
        ));
        out.push_str(&format!(
            "总分 = {} + {} − {} = {}\n",
            pts(us.base),
            pts(us.bonus),
            pts(us.deduction),
            pts(us.total)
        ));
        if let Some(g) = &us.grade {
            out.push_str(&format!("等次:{g}\n"));
        }
        match us.rank {
            Some(r) => out.push_str(&format!("综合排名:第 {r} 名\n")),
            None => out.push_str("单列,不参与排名\n"),
        }
    } else {
        out.push_str(&format!("{} total {}\n", u.name, pts(us.total)));
        out.push_str(&format!("base {} = {}\n", pts(us.base), roots.join(" + ")));
        out.push_str(&format!(
            "bonus {} (claimed {}{})\n",
            pts(us.bonus),
            pts(us.bonus_claimed),
            cap_text(fw.bonus.cap, zh)
        ));
        out.push_str(&format!(
            "deduction {} (claimed {}{})\n",
            pts(us.deduction),
            pts(us.deduction_claimed),
            cap_text(fw.deduction.cap, zh)
        ));
        out.push_str(&format!(
            "total = {} + {} − {} = {}\n",
            pts(us.base),
            pts(us.bonus),
            pts(us.deduction),
            pts(us.total)
        ));
        if let Some(g) = &us.grade {
            out.push_str(&format!("grade: {g}\n"));
        }
        match us.rank {
            Some(r) => out.push_str(&format!("overall rank: {r}\n")),
            None => out.push_str("listed separately (单列), not ranked\n"),
        }
    }
    for (g, r) in &us.group_ranks {
        out.push_str(&format!(
            "{}: {}\n",
            fw.groups[*g].name,
            if zh {
                format!("第 {r} 名")
            } else {
                format!("rank {r}")
            }
        ));
    }
    out
}

fn cap_text(cap: Option<f64>, zh: bool) -> String {
    match (cap, zh) {
        (Some(c), true) => format!(",上限 {}", num(c)),
        (Some(c), false) => format!(", cap {}", num(c)),
        (None, _) => String::new(),
    }
}

//! Explanations: every score says which method made it, from which inputs, by which formula
//! with the numbers put in. Rendered as Chinese (default) or English text, or serialised as
//! JSON through serde.
//!
//! [`explain`] and [`explain_total`] are the whole interface; [`methods`] writes each scoring
//! method's formula, [`roll_up`] an indicator's roll-up, [`words`] the fixed phrases.

mod methods;
mod roll_up;
mod words;

pub use crate::numbers::{num, pts};

use crate::model::{Direction, Framework, NodeIdx, UnitIdx};
use crate::scoring::{NodeScore, Scorecard};
use serde::Serialize;
use words::{cap_text, not_applicable_text, period_rule_text, roll_up_name};

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
        points: fw.points_for(node, unit),
        method: String::new(),
        method_zh: String::new(),
        inputs: vec![("w".into(), num(fw.points_for(node, unit)))],
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
            if let Some(f) = &t.formula {
                let name = |id: &str| {
                    fw.node_index(id)
                        .map(|n| fw.nodes[n].name.clone())
                        .unwrap_or_else(|| id.to_string())
                };
                let value = |id: &str| {
                    fw.node_index(id)
                        .and_then(|n| ts.formula_inputs.iter().find(|(i, _)| *i == n))
                        .map(|(_, x)| num(*x))
                        .unwrap_or_else(|| "?".into())
                };
                e.notes.push(format!(
                    "{}{} = {} = {}{}",
                    if zh {
                        "x 由公式计算:"
                    } else {
                        "x is computed: "
                    },
                    f.expr.render(&name),
                    f.expr.render(&value),
                    ts.value,
                    t.measure
                ));
            }
            if let Some(b) = &ts.basis {
                e.notes.extend(b.lines(zh));
            }
            if t.direction == Direction::Lower {
                e.notes.push(if zh {
                    "指标方向:越低越好".into()
                } else {
                    "direction: lower is better".into()
                });
            }
            let (formula, substituted, inputs, notes) =
                methods::render_detail(&ts.detail, fw.points_for(node, unit), ts.score, zh);
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
            let (formula, substituted, inputs, notes) =
                roll_up::render_roll_up(fw, card, unit, node, *score, zh);
            e.formula = formula;
            e.substituted = substituted;
            e.inputs.extend(inputs);
            e.notes.extend(notes);
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

/// Explanation of a unit's total: base, bonus, deduction, grade and ranks.
pub fn explain_total(fw: &Framework, card: &Scorecard, unit: UnitIdx, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let us = &card.units[unit];
    let u = &fw.units[unit];
    let mut out = String::new();
    let roots: Vec<String> = fw
        .roots()
        .filter(|&r| fw.applies_to_class(r, unit))
        .map(|r| match us.nodes[r].score() {
            Some(score) => format!(
                "{} {}/{}",
                fw.nodes[r].name,
                pts(score),
                num(fw.points_for(r, unit))
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
        if let Some(c) = fw.class_of(unit) {
            out.push_str(&format!(
                "类别:{}(满分 {},按本类别单独排名)\n",
                fw.classes[c].name,
                num(fw.full_marks(unit))
            ));
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

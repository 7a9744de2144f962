//! 项目支出绩效自评表: the project-spending self-evaluation table every budget project files
//! (the Ministry of Finance's template: a budget block — 年初预算数, 全年预算数, 全年执行数, 分值,
//! 执行率, 得分 — then the indicators, 一级/二级/三级指标 with 年度指标值, 实际完成值, 分值, 得分,
//! and 总分). Recognised in a table of the report, and checked against itself without a
//! database: 执行率 = 全年执行数 ÷ 全年预算数; the funds' 得分 = 分值 × 执行率; each indicator's 得分
//! within its 分值 and in line with its completion (full marks when the target is met, in
//! proportion when it is not); the 分值 and 得分 adding up to 总分.

use crate::tables::{cell_number, Table};
use crate::units::Vocabulary;
use crate::Qualifier;
use serde::Serialize;

/// A row of the budget block.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BudgetRow {
    pub line: usize,
    pub label: String,
    pub initial: Option<f64>,
    pub budget: Option<f64>,
    pub executed: Option<f64>,
    pub points: Option<f64>,
    /// Percent.
    pub rate: Option<f64>,
    pub score: Option<f64>,
}

/// An indicator row.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    pub line: usize,
    /// 一级, 二级, 三级 indicator.
    pub path: Vec<String>,
    pub target: String,
    pub actual: String,
    pub points: Option<f64>,
    pub score: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SelfEvaluation {
    pub budget: Vec<BudgetRow>,
    pub indicators: Vec<Indicator>,
    /// (line, 分值, 得分) of the 总分 row.
    pub total: Option<(usize, Option<f64>, Option<f64>)>,
}

/// Something in the table that does not add up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Line of the document (1-based).
    pub line: usize,
    /// The row's label and the field: "年度资金总额 · 执行率".
    pub field: String,
    pub found: f64,
    pub expected: f64,
    /// In Chinese, then English.
    pub message: String,
}

/// The column whose header holds the first of `words` found (the words in order of preference:
/// 全年预算数 before a bare 预算数), skipping headers that hold any of `not`.
fn col_except(header: &[String], words: &[&str], not: &[&str]) -> Option<usize> {
    words.iter().find_map(|w| {
        header
            .iter()
            .position(|h| h.contains(w) && !not.iter().any(|n| h.contains(n)))
    })
}

fn col(header: &[String], words: &[&str]) -> Option<usize> {
    col_except(header, words, &[])
}

/// Header words of the budget block and the indicators, as the Ministry's template writes them
/// and as departments' own versions do (预算数 / 调整后预算数, 实际执行数 / 支出数, 预期目标值 …).
const BUDGET: [&str; 4] = ["全年预算数", "调整后预算数", "全年预算", "预算数"];
const EXECUTED: [&str; 5] = ["全年执行数", "实际执行数", "执行数", "实际支出数", "支出数"];
const TARGET: [&str; 5] = ["年度指标值", "年度目标值", "预期目标值", "指标值", "目标值"];
const ACTUAL: [&str; 4] = ["实际完成值", "实际完成", "完成值", "实际值"];

fn num(cells: &[String], i: Option<usize>, vocab: &Vocabulary) -> Option<f64> {
    let c = cells.get(i?)?;
    cell_number(c, "", vocab).map(|x| x.0)
}

/// The self-evaluation table in `t`, when its layout is one.
pub fn recognise(t: &Table, vocab: &Vocabulary) -> Option<SelfEvaluation> {
    let mut budget = Vec::new();
    let mut indicators = Vec::new();
    let mut total = None;
    let mut budget_cols: Option<[Option<usize>; 6]> = None;
    let mut ind_cols: Option<(Vec<usize>, [Option<usize>; 4])> = None;
    for row in &t.rows {
        let cells = &row.cells;
        // A header row: the budget block's or the indicators'.
        let budget_col = col_except(cells, &BUDGET, &["年初"]);
        let executed_col = col_except(cells, &EXECUTED, &["执行率"]);
        if budget_col.is_some() && executed_col.is_some() {
            budget_cols = Some([
                col(cells, &["年初预算数", "年初预算"]),
                budget_col,
                executed_col,
                col(cells, &["分值"]),
                col(cells, &["执行率"]),
                col(cells, &["得分"]),
            ]);
            ind_cols = None;
            continue;
        }
        if col(cells, &["三级指标", "二级指标"]).is_some() && col(cells, &["得分"]).is_some()
        {
            let levels: Vec<usize> = ["一级指标", "二级指标", "三级指标"]
                .iter()
                .filter_map(|w| cells.iter().position(|h| h.contains(w)))
                .collect();
            ind_cols = Some((
                levels,
                [
                    col(cells, &TARGET),
                    col(cells, &ACTUAL),
                    col(cells, &["分值"]),
                    col(cells, &["得分"]),
                ],
            ));
            budget_cols = None;
            continue;
        }
        if cells
            .iter()
            .any(|c| c.trim() == "总分" || c.trim() == "合计")
        {
            // The last two numbers of the row: 分值 and 得分.
            let numbers: Vec<f64> = cells
                .iter()
                .filter_map(|c| cell_number(c, "", vocab).map(|x| x.0))
                .collect();
            let n = numbers.len();
            total = Some((
                row.line,
                (n >= 2).then(|| numbers[n - 2]),
                numbers.last().copied(),
            ));
            continue;
        }
        if let Some([initial, bud, exe, points, rate, score]) = budget_cols {
            let first_number = [initial, bud, exe].into_iter().flatten().min()?;
            let label = cells[..first_number.min(cells.len())]
                .iter()
                .rev()
                .find(|c| !c.trim().is_empty())
                .cloned()
                .unwrap_or_default();
            let r = BudgetRow {
                line: row.line,
                label,
                initial: num(cells, initial, vocab),
                budget: num(cells, bud, vocab),
                executed: num(cells, exe, vocab),
                points: num(cells, points, vocab),
                // A spreadsheet keeps 91.67 % as 0.9167: a rate written without % and at most 1
                // is a fraction.
                rate: num(cells, rate, vocab).map(|x| {
                    let written_percent = rate
                        .and_then(|i| cells.get(i))
                        .is_some_and(|c| c.contains('%') || c.contains('\u{FF05}'));
                    if !written_percent && x <= 1.0 {
                        x * 100.0
                    } else {
                        x
                    }
                }),
                score: num(cells, score, vocab),
            };
            if r.budget.is_some() || r.executed.is_some() {
                budget.push(r);
            }
        } else if let Some((levels, [target, actual, points, score])) = &ind_cols {
            let path: Vec<String> = levels
                .iter()
                .filter_map(|&i| cells.get(i).cloned())
                .collect();
            let text =
                |i: &Option<usize>| i.and_then(|i| cells.get(i)).cloned().unwrap_or_default();
            let ind = Indicator {
                line: row.line,
                path,
                target: text(target),
                actual: text(actual),
                points: num(cells, *points, vocab),
                score: num(cells, *score, vocab),
            };
            if ind.points.is_some() || ind.score.is_some() {
                indicators.push(ind);
            }
        }
    }
    (!budget.is_empty() || !indicators.is_empty()).then_some(SelfEvaluation {
        budget,
        indicators,
        total,
    })
}

/// One amount of a budget row.
type Amount = fn(&BudgetRow) -> Option<f64>;

/// The funds of a budget block add up: 本年财政拨款, 上年结转资金 and 其他资金 (the rows under
/// 其中) to 年度资金总额, in each of 年初预算数, 全年预算数 and 全年执行数.
fn parts_against_total(budget: &[BudgetRow]) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(total_at) = budget.iter().position(|b| b.label.contains("总额")) else {
        return out;
    };
    let total = &budget[total_at];
    let parts: Vec<&BudgetRow> = budget[total_at + 1..]
        .iter()
        .take_while(|b| !b.label.contains("总额"))
        .collect();
    let columns: [(&str, Amount); 3] = [
        ("年初预算数", |b| b.initial),
        ("全年预算数", |b| b.budget),
        ("全年执行数", |b| b.executed),
    ];
    for (name, value) in columns {
        let written: Vec<f64> = parts.iter().filter_map(|b| value(b)).collect();
        let Some(found) = value(total) else { continue };
        if written.is_empty() {
            continue;
        }
        let expected: f64 = written.iter().sum();
        if off(found, expected, 0.051) {
            out.push(Finding {
                line: total.line,
                field: format!("{} · {name}", total.label),
                found,
                expected,
                message: format!(
                    "{}的{name}应为其中各项之和 = {expected} / the total should be the sum of its parts",
                    total.label
                ),
            });
        }
    }
    out
}

/// Half a unit of the last decimal written, at least 0.005: what rounding allows.
const TOLERANCE: f64 = 0.0051;

fn off(found: f64, expected: f64, decimals_tolerance: f64) -> bool {
    (found - expected).abs() > decimals_tolerance.max(TOLERANCE)
}

/// Every check of the table's own arithmetic that fails.
pub fn check(e: &SelfEvaluation, vocab: &Vocabulary) -> Vec<Finding> {
    let mut out = Vec::new();
    for b in &e.budget {
        let field = |f: &str| format!("{} · {f}", b.label);
        if let (Some(budget), Some(executed), Some(rate)) = (b.budget, b.executed, b.rate) {
            if budget > 0.0 {
                let expected = executed / budget * 100.0;
                if off(rate, expected, 0.051) {
                    out.push(Finding {
                        line: b.line,
                        field: field("执行率"),
                        found: rate,
                        expected,
                        message: format!(
                            "执行率应为全年执行数÷全年预算数 = {executed}÷{budget} = {expected:.2}% / the execution rate should be executed ÷ budget"
                        ),
                    });
                }
            }
        }
        if let (Some(points), Some(score)) = (b.points, b.score) {
            // The true rate when the amounts are there (a wrong written rate is its own
            // finding), else the written one.
            let rate = b
                .budget
                .filter(|x| *x > 0.0)
                .and_then(|bud| b.executed.map(|x| x / bud * 100.0))
                .or(b.rate);
            if let Some(rate) = rate {
                let expected = points * (rate / 100.0).min(1.0);
                if off(score, expected, 0.051) {
                    out.push(Finding {
                        line: b.line,
                        field: field("得分"),
                        found: score,
                        expected,
                        message: format!(
                            "资金得分应为分值×执行率 = {points}×{rate:.2}% = {expected:.2} / the funds' score should be points × execution rate"
                        ),
                    });
                }
            }
        }
    }
    out.extend(parts_against_total(&e.budget));
    for ind in &e.indicators {
        let name = ind.path.last().cloned().unwrap_or_default();
        let (Some(points), Some(score)) = (ind.points, ind.score) else {
            continue;
        };
        if score > points + TOLERANCE {
            out.push(Finding {
                line: ind.line,
                field: format!("{name} · 得分"),
                found: score,
                expected: points,
                message: format!(
                    "得分{score}超过分值{points} / the score is above the indicator's points"
                ),
            });
            continue;
        }
        // Completion: the actual value against the target, in the same unit (an actual value
        // written bare is in the target's).
        let (Some((t, tu, tq)), Some((a, au, _))) = (
            cell_number(&ind.target, "", vocab),
            crate::tables::actual_in_target_unit(&ind.actual, &ind.target, vocab),
        ) else {
            continue;
        };
        if tu != au || t == 0.0 {
            continue;
        }
        let lower_is_better = tq == Some(Qualifier::AtMost);
        let met = if lower_is_better { a <= t } else { a >= t };
        let expected = if met {
            points
        } else if lower_is_better {
            points * (t / a).clamp(0.0, 1.0)
        } else {
            points * (a / t).clamp(0.0, 1.0)
        };
        if off(score, expected, 0.051) {
            out.push(Finding {
                line: ind.line,
                field: format!("{name} · 得分"),
                found: score,
                expected,
                message: if met {
                    format!(
                        "实际完成值{}达到指标值{},应得满分{points} / the target is met: full points expected",
                        ind.actual, ind.target
                    )
                } else {
                    format!(
                        "实际完成值{}未达到指标值{},按完成比例应得{expected:.2} / the target is missed: points in proportion to completion",
                        ind.actual, ind.target
                    )
                },
            });
        }
    }
    if let Some((line, total_points, total_score)) = e.total {
        let points: f64 = e
            .budget
            .iter()
            .filter_map(|b| b.points)
            .chain(e.indicators.iter().filter_map(|i| i.points))
            .sum();
        let score: f64 = e
            .budget
            .iter()
            .filter_map(|b| b.score)
            .chain(e.indicators.iter().filter_map(|i| i.score))
            .sum();
        if let Some(tp) = total_points.filter(|_| points > 0.0) {
            if off(tp, points, 0.051) {
                out.push(Finding {
                    line,
                    field: "总分 · 分值".into(),
                    found: tp,
                    expected: points,
                    message: format!(
                        "各项分值合计为{points},与总分分值{tp}不符 / the points do not add up to the total"
                    ),
                });
            }
        }
        if let Some(ts) = total_score.filter(|_| score > 0.0) {
            if off(ts, score, 0.051) {
                out.push(Finding {
                    line,
                    field: "总分 · 得分".into(),
                    found: ts,
                    expected: score,
                    message: format!(
                        "各项得分合计为{score:.2},与总分{ts}不符 / the scores do not add up to the total"
                    ),
                });
            }
        }
    }
    out
}

/// Every self-evaluation table of a document, checked: (table, findings).
pub fn check_document(doc: &str, vocab: &Vocabulary) -> Vec<(SelfEvaluation, Vec<Finding>)> {
    crate::flat::find_all(doc)
        .iter()
        .filter_map(|t| recognise(t, vocab))
        .map(|e| {
            let f = check(&e, vocab);
            (e, f)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::units::built_in;

    /// The Ministry of Finance's layout, as a Word table reads back (merged cells filled in).
    pub const TABLE: &str = "\
| 项目名称 | 老旧小区综合整治 | 老旧小区综合整治 | 老旧小区综合整治 | 老旧小区综合整治 | 老旧小区综合整治 | 老旧小区综合整治 | 老旧小区综合整治 |
| 项目资金（万元） | 项目资金（万元） | 年初预算数 | 全年预算数 | 全年执行数 | 分值 | 执行率 | 得分 |
| 项目资金（万元） | 年度资金总额 | 1000 | 1200 | 1100 | 10 | 91.67% | 9.17 |
| 项目资金（万元） | 其中：当年财政拨款 | 1000 | 1200 | 1100 | — | 91.67% | — |
| 绩效指标 | 一级指标 | 二级指标 | 三级指标 | 年度指标值 | 实际完成值 | 分值 | 得分 |
| 绩效指标 | 产出指标 | 数量指标 | 完成改造小区数量 | ≥20个 | 22个 | 20 | 20 |
| 绩效指标 | 产出指标 | 质量指标 | 竣工验收合格率 | 100% | 100% | 20 | 20 |
| 绩效指标 | 产出指标 | 时效指标 | 按期完工率 | ≥95% | 90% | 10 | 9.47 |
| 绩效指标 | 效益指标 | 社会效益指标 | 惠及居民户数 | ≥5000户 | 4500户 | 20 | 18 |
| 绩效指标 | 满意度指标 | 服务对象满意度指标 | 居民满意度 | ≥90% | 93% | 20 | 20 |
| 总分 | 总分 | 总分 | 总分 | 总分 | 总分 | 100 | 96.64 |
";

    #[test]
    fn a_consistent_table_is_recognised_and_passes() {
        let e = check_document(TABLE, built_in());
        assert_eq!(e.len(), 1);
        let (t, findings) = &e[0];
        assert_eq!(t.budget.len(), 2);
        assert_eq!(t.budget[0].label, "年度资金总额");
        assert_eq!(
            (t.budget[0].budget, t.budget[0].executed),
            (Some(1200.0), Some(1100.0))
        );
        assert_eq!(t.indicators.len(), 5);
        assert_eq!(
            t.indicators[0].path,
            ["产出指标", "数量指标", "完成改造小区数量"]
        );
        assert_eq!(
            t.total.map(|x| (x.1, x.2)),
            Some((Some(100.0), Some(96.64)))
        );
        assert!(findings.is_empty(), "{findings:#?}");
    }

    #[test]
    fn each_kind_of_inconsistency_is_found_with_its_line() {
        let broken = TABLE
            .replace("| 1100 | 10 | 91.67% | 9.17 |", "| 1100 | 10 | 95% | 9.5 |")
            .replace("| ≥20个 | 22个 | 20 | 20 |", "| ≥20个 | 22个 | 20 | 18 |")
            .replace(
                "| ≥5000户 | 4500户 | 20 | 18 |",
                "| ≥5000户 | 4500户 | 20 | 25 |",
            )
            .replace("| 100 | 96.64 |", "| 100 | 98 |");
        let (_, f) = &check_document(&broken, built_in())[0];
        let fields: Vec<(&str, usize)> = f.iter().map(|x| (x.field.as_str(), x.line)).collect();
        assert_eq!(
            fields,
            [
                ("年度资金总额 · 执行率", 3),
                ("年度资金总额 · 得分", 3),
                ("完成改造小区数量 · 得分", 6),
                ("惠及居民户数 · 得分", 9),
                ("总分 · 得分", 11),
            ],
            "{f:#?}"
        );
        assert!(f[0].message.contains("91.67"), "{}", f[0].message);
        assert!((f[0].expected - 91.6667).abs() < 0.001);
        assert!(f[2].message.contains("满分"));
        assert!(f[3].message.contains("超过分值"));
    }

    #[test]
    fn a_departments_own_header_words_are_recognised_too() {
        let own = "\
| 项目资金（万元） | 资金 | 年初预算 | 调整后预算数 | 实际支出数 | 分值 | 执行率 | 得分 |
| 项目资金（万元） | 合计资金 | 80 | 100 | 90 | 10 | 90% | 9 |
| 一级指标 | 二级指标 | 三级指标 | 预期目标值 | 实际完成 | 分值 | 得分 | 原因 |
| 产出指标 | 数量指标 | 培训人次 | ≥300人次 | 240人次 | 20 | 20 | 疫情 |
";
        let (t, f) = &check_document(own, built_in())[0];
        assert_eq!(
            (t.budget[0].budget, t.budget[0].executed),
            (Some(100.0), Some(90.0))
        );
        assert_eq!(t.budget[0].initial, Some(80.0));
        assert_eq!(t.indicators[0].target, "≥300人次");
        // 240 of 300 earns 16 of 20 points, not 20.
        assert_eq!(f.len(), 1, "{f:#?}");
        assert!((f[0].expected - 16.0).abs() < 1e-9);
    }

    #[test]
    fn a_table_copied_as_one_run_of_cells_is_checked_the_same_way() {
        // As a web page or a PDF gives it: cells one after another, merged cells once, the
        // actual values written bare beside targets with units, a total that is not its parts.
        let flat = "附件 项目支出绩效自评表 项目资金 (万元) 年初预算数 全年预算数 全年执行数 分值 执行率 得分 \
                    年度资金总额: 0 0 0 10 0 0 其中:本年财政拨款 60 60 54 上年结转资金 其他资金 \
                    年度总体目标 预期目标 实际完成情况 完成社区养老驿站运营补贴发放。 \
                    绩效指标 一级指标 二级指标 三级指标 年度指标值 实际完成值 分值 得分 偏差原因分析及改进措施 \
                    产出指标(40分) 数量指标 补贴驿站数量 ≥12个 12 20 20 成本指标 补贴总额 ≤60万元 54 20 20 \
                    效益指标(50分) 社会效益指标 服务老人人次 ≥20000人次 16000 50 50 总分 100 90";
        let e = check_document(flat, built_in());
        assert_eq!(e.len(), 1, "{e:#?}");
        let (t, f) = &e[0];
        assert_eq!(t.indicators.len(), 3);
        assert_eq!(
            t.indicators[2].path,
            ["效益指标(50分)", "社会效益指标", "服务老人人次"]
        );
        let fields: Vec<&str> = f.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "年度资金总额 · 年初预算数",
                "年度资金总额 · 全年预算数",
                "年度资金总额 · 全年执行数",
                "服务老人人次 · 得分",
            ],
            "{f:#?}"
        );
        assert!((f[1].expected - 60.0).abs() < 1e-9);
        // 16,000 of 20,000 人次 earns 40 of 50 points; 54 of at most 60 万元 is within the target.
        assert!((f[3].expected - 40.0).abs() < 1e-9);
    }

    #[test]
    fn a_narrative_report_holds_no_self_evaluation() {
        assert!(check_document(
            "全年完成投资120亿元。\n| 区 | 得分 |\n| 东城 | 98 |\n",
            built_in()
        )
        .is_empty());
    }
}

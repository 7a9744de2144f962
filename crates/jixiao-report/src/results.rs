//! The office's results report: overall situation, grade distribution, overall and group
//! rankings (单列 units apart), the reporting trend, a scorecard per unit with a radar chart,
//! and an appendix explaining every task score.

use crate::doc::{Block, Chart, ChartKind, Document, Series, Table};
use crate::wording::Wording;
use crate::zhnum::{heading_number, plain};
use crate::{Data, ReportError};
use jixiao_core::basis::Basis;
use jixiao_core::explain::{explain, pts, Lang};
use jixiao_core::model::{NodeIdx, UnitIdx};
use jixiao_core::scoring::rank_group;
use minijinja::context;

fn ranking_table(d: &Data, w: &Wording, ranked: &[(UnitIdx, u32)], caption: String) -> Table {
    let mut rows: Vec<(u32, UnitIdx)> = ranked.iter().map(|&(u, r)| (r, u)).collect();
    rows.sort();
    Table {
        caption,
        header: vec![
            w.word("table.rank"),
            w.word("table.unit"),
            w.word("table.total"),
            w.word("table.grade"),
        ],
        rows: rows
            .iter()
            .map(|&(r, u)| {
                let us = &d.card.units[u];
                vec![
                    r.to_string(),
                    d.fw.units[u].name.clone(),
                    pts(us.total),
                    us.grade.clone().unwrap_or_default(),
                ]
            })
            .collect(),
        numeric: vec![0, 2],
    }
}

/// The results report of the cycle.
pub fn results_report(d: &Data, w: &Wording) -> Result<Document, ReportError> {
    let fw = d.fw;
    let base = context! { cycle => fw.cycle.name, year => d.year(), date => d.date_zh() };
    let mut doc = Document::new(w.render("results.title", base.clone())?);
    doc.subtitle.push(w.render("results.subtitle", base)?);
    let totals: Vec<f64> = d.card.units.iter().map(|u| u.total).collect();
    let overall = rank_group(fw, &totals, None);
    let ranked_totals: Vec<f64> = overall.iter().map(|&(u, _)| totals[u]).collect();
    let mut h1 = 0;
    let mut next_h1 = |text: String| {
        h1 += 1;
        format!("{}{}", heading_number(1, h1), text)
    };

    // 一、总体情况 with the grade distribution.
    doc.heading(1, next_h1(w.word("results.heading_overall")));
    let (mean, max, min) = if ranked_totals.is_empty() {
        (0.0, 0.0, 0.0)
    } else {
        (
            ranked_totals.iter().sum::<f64>() / ranked_totals.len() as f64,
            ranked_totals.iter().copied().fold(f64::MIN, f64::max),
            ranked_totals.iter().copied().fold(f64::MAX, f64::min),
        )
    };
    let stats = |totals: &[f64]| {
        let n = totals.len().max(1) as f64;
        (
            plain(totals.iter().sum::<f64>() / n, 2),
            plain(totals.iter().copied().fold(f64::MIN, f64::max), 2),
            plain(totals.iter().copied().fold(f64::MAX, f64::min), 2),
        )
    };
    if fw.classes.is_empty() {
        doc.paragraph(w.render(
            "results.overall",
            context! {
                units => fw.units.len(), ranked => overall.len(),
                separate => fw.units.len() - overall.len(),
                mean => plain(mean, 2), max => plain(max, 2), min => plain(min, 2),
            },
        )?);
    } else {
        // Classes are on their own scales and ranked apart: figures per class, never mixed.
        let mut text = w.render(
            "results.overall_classes",
            context! {
                units => fw.units.len(), classes => fw.classes.len(), ranked => overall.len(),
                separate => fw.units.len() - overall.len(),
            },
        )?;
        for (c, class) in fw.classes.iter().enumerate() {
            let totals: Vec<f64> = overall
                .iter()
                .filter(|&&(u, _)| fw.class_of(u) == Some(c))
                .map(|&(u, _)| totals[u])
                .collect();
            if totals.is_empty() {
                continue;
            }
            let full = (0..fw.units.len())
                .find(|&u| fw.class_of(u) == Some(c))
                .map(|u| fw.full_marks(u))
                .unwrap_or_default();
            let (mean, max, min) = stats(&totals);
            text.push_str(&w.render(
                "results.overall_class",
                context! {
                    class => class.name, ranked => totals.len(), full => plain(full, 2),
                    mean => mean, max => max, min => min,
                },
            )?);
        }
        doc.paragraph(text);
    }
    doc.heading(
        2,
        format!(
            "{}{}",
            heading_number(2, 1),
            w.word("results.heading_grades")
        ),
    );
    // With unit classes each class has its own column and bars: grades are on each class's
    // own scale, so one count across classes would mix them.
    let columns: Vec<(String, Vec<usize>)> = if fw.classes.is_empty() {
        vec![(w.word("table.count"), (0..fw.units.len()).collect())]
    } else {
        fw.classes
            .iter()
            .map(|c| {
                let members = (0..fw.units.len())
                    .filter(|&u| fw.units[u].class.as_deref() == Some(c.id.as_str()))
                    .collect();
                (c.name.clone(), members)
            })
            .collect()
    };
    let counts: Vec<Vec<f64>> = columns
        .iter()
        .map(|(_, members)| {
            fw.grades
                .iter()
                .map(|g| {
                    members
                        .iter()
                        .filter(|&&u| d.card.units[u].grade.as_deref() == Some(g.name.as_str()))
                        .count() as f64
                })
                .collect()
        })
        .collect();
    let mut header = vec![w.word("table.grade")];
    header.extend(columns.iter().map(|(name, _)| name.clone()));
    doc.blocks.push(Block::Table(Table {
        caption: w.word("table.grades_caption"),
        header,
        rows: fw
            .grades
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let mut row = vec![g.name.clone()];
                row.extend(counts.iter().map(|c| plain(c[i], 0)));
                row
            })
            .collect(),
        numeric: (1..=columns.len()).collect(),
    }));
    doc.blocks.push(Block::Chart(Chart {
        kind: ChartKind::Bar,
        title: w.word("results.chart_grades"),
        categories: fw.grades.iter().map(|g| g.name.clone()).collect(),
        series: columns
            .iter()
            .zip(counts)
            .map(|((name, _), values)| Series {
                name: name.clone(),
                values,
            })
            .collect(),
        max: None,
    }));

    // 二、综合排名
    doc.heading(1, next_h1(w.word("results.heading_ranking")));
    if fw.classes.is_empty() {
        doc.blocks.push(Block::Table(ranking_table(
            d,
            w,
            &overall,
            w.word("table.ranking_caption"),
        )));
    } else {
        // Unit classes are ranked apart, each on its own scale.
        let per_class = jixiao_core::scoring::rank_units(fw, &totals);
        for (c, class) in fw.classes.iter().enumerate() {
            let ranked: Vec<(UnitIdx, u32)> = per_class
                .iter()
                .copied()
                .filter(|&(u, _)| fw.class_of(u) == Some(c))
                .collect();
            doc.blocks.push(Block::Table(ranking_table(
                d,
                w,
                &ranked,
                format!("{}·{}", w.word("table.ranking_caption"), class.name),
            )));
        }
    }
    let mut by_rank = overall.clone();
    by_rank.sort_by_key(|&(_, r)| r);
    doc.blocks.push(Block::Chart(Chart {
        kind: ChartKind::Bar,
        title: w.word("results.chart_ranking"),
        categories: by_rank
            .iter()
            .map(|&(u, _)| fw.units[u].name.clone())
            .collect(),
        series: vec![Series {
            name: w.word("table.total"),
            values: by_rank.iter().map(|&(u, _)| round2(totals[u])).collect(),
        }],
        max: None,
    }));

    // 三、分组排名 and 单列 units.
    if !fw.groups.is_empty() {
        doc.heading(1, next_h1(w.word("results.heading_groups")));
        for (i, g) in fw.groups.iter().enumerate() {
            doc.heading(2, format!("{}{}", heading_number(2, i + 1), g.name));
            let ranked = rank_group(fw, &totals, Some(&g.id));
            doc.blocks
                .push(Block::Table(ranking_table(d, w, &ranked, g.name.clone())));
        }
    }
    let separate: Vec<UnitIdx> = (0..fw.units.len())
        .filter(|&u| !fw.units[u].ranked)
        .collect();
    if !separate.is_empty() {
        doc.heading(1, next_h1(w.word("results.heading_separate")));
        doc.paragraph(w.word("results.separate_note"));
        doc.blocks.push(Block::Table(Table {
            caption: w.word("results.heading_separate"),
            header: vec![
                w.word("table.unit"),
                w.word("table.total"),
                w.word("table.grade"),
            ],
            rows: separate
                .iter()
                .map(|&u| {
                    let us = &d.card.units[u];
                    vec![
                        fw.units[u].name.clone(),
                        pts(us.total),
                        us.grade.clone().unwrap_or_default(),
                    ]
                })
                .collect(),
            numeric: vec![1],
        }));
    }

    // 专项绩效: each special task's ranking by score rate.
    if !fw.tags.is_empty() {
        doc.heading(1, next_h1(w.word("results.heading_tags")));
        let names: Vec<&str> = fw.tags.iter().map(|t| t.name.as_str()).collect();
        doc.paragraph(w.render("results.tags_intro", context! { tags => names.join("、") })?);
        for (i, tag) in fw.tags.iter().enumerate() {
            doc.heading(2, format!("{}{}", heading_number(2, i + 1), tag.name));
            let nodes: Vec<String> = jixiao_core::tags::covering_nodes(fw, &tag.id)
                .into_iter()
                .map(|n| format!("{}（{}分）", fw.nodes[n].name, pts(fw.nodes[n].points)))
                .collect();
            doc.paragraph(w.render(
                "results.tag_nodes",
                context! { tag => tag.name, nodes => nodes.join("、") },
            )?);
            let scores = jixiao_core::tags::score(fw, d.card, &tag.id);
            doc.blocks.push(Block::Table(Table {
                caption: tag.name.clone(),
                header: vec![
                    w.word("table.rank"),
                    w.word("table.unit"),
                    w.word("table.rate"),
                    w.word("table.tag_attained"),
                    w.word("table.tag_available"),
                ],
                rows: jixiao_core::tags::standings(&scores)
                    .into_iter()
                    .filter(|s| s.rate.is_some())
                    .map(|s| {
                        vec![
                            s.rank.map(|r| r.to_string()).unwrap_or_else(|| "—".into()),
                            fw.units[s.unit].name.clone(),
                            plain(s.rate.unwrap_or(0.0), 2),
                            pts(s.attained),
                            pts(s.available),
                        ]
                    })
                    .collect(),
                numeric: vec![0, 2, 3, 4],
            }));
        }
    }

    // 公众评价与领导评价: values made by a survey (with their margins) or a rating round.
    let sourced: Vec<(NodeIdx, Vec<(UnitIdx, &Basis)>)> = fw
        .tasks()
        .filter_map(|t| {
            let units: Vec<(UnitIdx, &Basis)> = (0..fw.units.len())
                .filter_map(|u| Some((u, d.inputs.basis(t, u)?)))
                .collect();
            (!units.is_empty()).then_some((t, units))
        })
        .collect();
    if !sourced.is_empty() {
        doc.heading(1, next_h1(w.word("results.heading_sources")));
        for (i, (t, units)) in sourced.iter().enumerate() {
            let task = &fw.nodes[*t].name;
            doc.heading(2, format!("{}{}", heading_number(2, i + 1), task));
            let (intro, header, numeric) = match units[0].1 {
                Basis::Survey(s) => (
                    w.render(
                        "results.survey_intro",
                        context! {
                            task => task, survey => s.survey, conductor => s.conductor,
                            items => s.items.iter().map(|x| format!("{}{}%", x.name, plain(x.share * 100.0, 2))).collect::<Vec<_>>().join("、"),
                            confidence => plain(s.confidence * 100.0, 1),
                        },
                    )?,
                    vec![
                        w.word("table.unit"),
                        w.word("table.score"),
                        w.word("table.margin"),
                        w.word("table.sample"),
                    ],
                    vec![1, 2, 3],
                ),
                Basis::Rating(r) => (
                    w.render(
                        "results.rating_intro",
                        context! {
                            task => task, round => r.round,
                            groups => r.groups.iter().map(|g| format!("{}{}%", g.name, plain(g.share * 100.0, 2))).collect::<Vec<_>>().join("、"),
                        },
                    )?,
                    vec![
                        w.word("table.unit"),
                        w.word("table.score"),
                        w.word("table.ballots"),
                    ],
                    vec![1, 2],
                ),
            };
            doc.paragraph(intro);
            doc.blocks.push(Block::Table(Table {
                caption: task.clone(),
                header,
                rows: units
                    .iter()
                    .map(|(u, b)| {
                        let mut row = vec![fw.units[*u].name.clone(), pts(b.value())];
                        match b {
                            Basis::Survey(s) => {
                                row.push(pts(s.margin));
                                row.push(s.sample.to_string());
                            }
                            Basis::Rating(r) => row.push(r.ballots.to_string()),
                        }
                        row
                    })
                    .collect(),
                numeric,
            }));
        }
    }

    // 四、数据报送进度: per period, approved values over expected ones.
    if !fw.cycle.periods.is_empty() {
        doc.heading(1, next_h1(w.word("results.heading_trend")));
        let expected: usize = (0..fw.units.len()).map(|u| d.tasks_of(u).len()).sum();
        let shares: Vec<f64> = (0..fw.cycle.periods.len())
            .map(|p| {
                let n = d.reported.iter().filter(|r| r.2 == p).count();
                round2(n as f64 / expected.max(1) as f64 * 100.0)
            })
            .collect();
        doc.blocks.push(Block::Table(Table {
            caption: w.word("table.trend_caption"),
            header: vec![w.word("table.period"), w.word("table.share")],
            rows: fw
                .cycle
                .periods
                .iter()
                .zip(&shares)
                .map(|(p, s)| vec![p.name.clone(), plain(*s, 2)])
                .collect(),
            numeric: vec![1],
        }));
        doc.blocks.push(Block::Chart(Chart {
            kind: ChartKind::Line,
            title: w.word("results.chart_trend"),
            categories: fw.cycle.periods.iter().map(|p| p.name.clone()).collect(),
            series: vec![Series {
                name: w.word("table.share"),
                values: shares,
            }],
            max: Some(100.0),
        }));
    }

    // 接诉即办: the districts' ranking of the latest month with the rules' marks, the 红黑榜,
    // 治理类街乡镇 and 每月一题 with their measured effect.
    if let Some(h) = d.hotline {
        hotline_section(&mut doc, w, h, next_h1(w.word("results.heading_hotline")))?;
    }

    // 五、各单位计分卡
    doc.heading(1, next_h1(w.word("results.heading_scorecards")));
    let roots: Vec<usize> = fw.roots().collect();
    for (i, u) in fw.units.iter().enumerate() {
        let us = &d.card.units[i];
        doc.heading(2, format!("{}{}", heading_number(2, i + 1), u.name));
        doc.paragraph(w.render(
            "results.scorecard",
            context! {
                unit => u.name, total => pts(us.total), base => pts(us.base),
                bonus => pts(us.bonus), deduction => pts(us.deduction),
                rank => us.rank, grade => us.grade,
            },
        )?);
        let rates: Vec<f64> = roots
            .iter()
            .map(|&r| {
                let p = fw.nodes[r].points;
                us.nodes[r]
                    .score()
                    .map(|s| round2(if p > 0.0 { s / p * 100.0 } else { 0.0 }))
                    .unwrap_or(0.0)
            })
            .collect();
        doc.blocks.push(Block::Table(Table {
            caption: format!("{} {}", u.name, w.word("table.dimensions_caption")),
            header: vec![
                w.word("table.dimension"),
                w.word("table.points"),
                w.word("table.score"),
                w.word("table.rate"),
            ],
            rows: roots
                .iter()
                .zip(&rates)
                .map(|(&r, rate)| {
                    vec![
                        fw.nodes[r].name.clone(),
                        plain(fw.nodes[r].points, 2),
                        us.nodes[r].score().map(pts).unwrap_or_else(|| "-".into()),
                        plain(*rate, 2),
                    ]
                })
                .collect(),
            numeric: vec![1, 2, 3],
        }));
        if roots.len() >= 3 {
            doc.blocks.push(Block::Chart(Chart {
                kind: ChartKind::Radar,
                title: format!("{} {}", u.name, w.word("results.chart_radar")),
                categories: roots.iter().map(|&r| fw.nodes[r].name.clone()).collect(),
                series: vec![Series {
                    name: u.name.clone(),
                    values: rates,
                }],
                max: Some(100.0),
            }));
        }
    }

    // 附录: one line per task and unit with the formula and its numbers.
    doc.blocks.push(Block::PageBreak);
    doc.heading(1, w.word("results.heading_appendix"));
    for (i, u) in fw.units.iter().enumerate() {
        doc.heading(2, format!("{}{}", heading_number(2, i + 1), u.name));
        let items: Vec<String> = d
            .tasks_of(i)
            .into_iter()
            .map(|t| {
                let e = explain(fw, d.card, i, t, Lang::Zh);
                let result = e.result.map(pts).unwrap_or_else(|| "不适用".into());
                if e.substituted.is_empty() {
                    format!("{}({}):{}分", e.node_name, e.method_zh, result)
                } else {
                    format!(
                        "{}({}):{} = {}分",
                        e.node_name, e.method_zh, e.substituted, result
                    )
                }
            })
            .collect();
        doc.blocks.push(Block::List { items });
    }
    Ok(doc)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn hotline_section(
    doc: &mut Document,
    w: &Wording,
    h: &crate::HotlineSection,
    heading: String,
) -> Result<(), ReportError> {
    doc.heading(1, heading);
    doc.paragraph(w.render(
        "results.hotline_intro",
        context! {
            month => h.month, first_month => h.first_month, min_cases => h.min_cases, weights => h.weights,
            confidence => format!("{:.0}", h.confidence * 100.0),
            ranked => h.rows.iter().filter(|r| r.rank != "样本不足").count(),
        },
    )?);
    let mut header = vec![
        w.word("table.rank"),
        w.word("table.unit"),
        w.word("table.hotline_accepted"),
    ];
    header.extend(h.rate_names.iter().cloned());
    header.push(w.word("table.hotline_score"));
    header.push(w.word("table.hotline_interval"));
    let numeric: Vec<usize> = (2..header.len()).collect();
    doc.blocks.push(Block::Table(Table {
        caption: w.render("results.hotline_caption", context! { month => h.month })?,
        header,
        rows: h
            .rows
            .iter()
            .map(|r| {
                let mut row = vec![r.rank.clone(), r.unit.clone(), r.accepted.to_string()];
                row.extend(r.rates.iter().cloned());
                row.push(r.score.clone());
                row.push(r.interval.clone());
                row
            })
            .collect(),
        numeric,
    }));
    if !h.reported_names.is_empty() {
        let mut header = vec![w.word("table.unit")];
        header.extend(h.reported_names.iter().cloned());
        doc.blocks.push(Block::Table(Table {
            caption: w.render(
                "results.hotline_reported_caption",
                context! { month => h.month },
            )?,
            numeric: (1..header.len()).collect(),
            header,
            rows: h
                .rows
                .iter()
                .map(|r| {
                    let mut row = vec![r.unit.clone()];
                    row.extend(r.reported.iter().cloned());
                    row
                })
                .collect(),
        }));
    }
    if !h.red.is_empty() {
        doc.paragraph(w.render(
            "results.hotline_boards",
            context! { red => h.red.join("、"), black => h.black.join("、") },
        )?);
    }
    doc.paragraph(if h.governance.is_empty() {
        w.word("results.hotline_governance_none")
    } else {
        w.render(
            "results.hotline_governance",
            context! {
                month => h.month,
                streets => h.governance.iter().map(|(s, d, since, n)| {
                    // 东华门街道 is named with its district; 朝阳区第1街道 names it already.
                    let name = if s.starts_with(d.as_str()) { s.clone() } else { format!("{d}{s}") };
                    format!("{name}（自{since}起，{n}个月）")
                }).collect::<Vec<_>>().join("、"),
            },
        )?
    });
    if !h.problems.is_empty() {
        doc.blocks.push(Block::Table(Table {
            caption: w.word("results.hotline_problems"),
            header: vec![
                w.word("table.month"),
                w.word("table.problem"),
                w.word("table.category"),
                w.word("table.places"),
                w.word("table.effect"),
            ],
            rows: h
                .problems
                .iter()
                .map(|(m, t, c, p, e)| vec![m.clone(), t.clone(), c.clone(), p.clone(), e.clone()])
                .collect(),
            numeric: vec![],
        }));
    }
    Ok(())
}

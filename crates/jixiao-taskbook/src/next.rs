//! Next year's task book from this year's (`jixiao cycle next`): the same tree with every date a
//! year on, targets carried over for the office to re-set, and each unit's rectification items
//! (整改事项) as tasks of its own under a 整改落实 dimension.

use chrono::{Datelike, NaiveDate};
use jixiao_core::model::{
    Aggregate, Direction, Framework, Method, MissingPolicy, Node, PeriodRule, Targets, Task,
};

/// The new task book and what the office has to look at before importing it.
pub struct NextCycle {
    pub framework: Framework,
    /// Comment lines for the top of the TOML file: what was carried over and must be re-set.
    pub header: String,
    pub rectification_tasks: usize,
    pub targets_to_reset: usize,
}

/// Id of the dimension holding rectification tasks.
pub const RECTIFICATION_ID: &str = "R";

fn year_on(d: NaiveDate, years: i32) -> NaiveDate {
    d.with_year(d.year() + years)
        // 29 February becomes 28 February.
        .or_else(|| NaiveDate::from_ymd_opt(d.year() + years, d.month(), 28))
        .unwrap_or(d)
}

/// `rectification`: (unit id, items) for the units that have any.
pub fn next_cycle(
    fw: &Framework,
    id: Option<&str>,
    rectification: &[(String, Vec<String>)],
) -> Result<NextCycle, String> {
    let old_year = fw.cycle.start.year();
    let new_year = old_year + 1;
    let mut next = fw.clone();
    next.cycle.id = id.map(str::to_string).unwrap_or_else(|| {
        if fw.cycle.id == old_year.to_string() {
            new_year.to_string()
        } else {
            format!("{}-{new_year}", fw.cycle.id)
        }
    });
    next.cycle.name = if fw.cycle.name.contains(&old_year.to_string()) {
        fw.cycle
            .name
            .replace(&old_year.to_string(), &new_year.to_string())
    } else {
        format!("{new_year} {}", fw.cycle.name)
    };
    next.cycle.start = year_on(fw.cycle.start, 1);
    next.cycle.end = year_on(fw.cycle.end, 1);
    for p in &mut next.cycle.periods {
        p.start = year_on(p.start, 1);
        p.end = year_on(p.end, 1);
        p.deadline = year_on(p.deadline, 1);
        p.name = p.name.replace(&old_year.to_string(), &new_year.to_string());
    }
    let mut reset = Vec::new();
    for n in &mut next.nodes {
        if let Some(t) = &mut n.task {
            t.due = t.due.map(|d| year_on(d, 1));
            let has_target = t.targets != Targets::default() || !t.overrides.is_empty();
            if has_target {
                reset.push(format!(
                    "#   {} {}: 目标 {}",
                    n.id,
                    n.name,
                    t.targets
                        .target
                        .map(jixiao_core::explain::num)
                        .unwrap_or_else(|| "-".into())
                ));
            }
        }
    }
    let mut added = 0;
    if !rectification.is_empty() {
        if next.node_index(RECTIFICATION_ID).is_some() {
            return Err(format!(
                "the task book already has a node `{RECTIFICATION_ID}`; rename it before carrying rectification items forward"
            ));
        }
        let root = next.nodes.len();
        next.nodes.push(Node {
            id: RECTIFICATION_ID.into(),
            name: "整改落实".into(),
            description: format!("{old_year}年度考评整改事项的落实情况"),
            parent: None,
            children: Vec::new(),
            points: 0.0,
            evaluators: Vec::new(),
            children_sum: true,
            aggregate: Aggregate::Sum,
            task: None,
            tags: Vec::new(),
            classes: Vec::new(),
            class_points: Vec::new(),
        });
        for (unit, items) in rectification {
            for (i, item) in items.iter().enumerate() {
                let ix = next.nodes.len();
                next.nodes[root].children.push(ix);
                next.nodes.push(Node {
                    id: format!("{RECTIFICATION_ID}-{unit}-{}", i + 1),
                    name: item.clone(),
                    description: format!("{old_year}年度整改事项"),
                    parent: Some(root),
                    children: Vec::new(),
                    points: 0.0,
                    evaluators: Vec::new(),
                    children_sum: false,
                    aggregate: Aggregate::Sum,
                    task: Some(Task {
                        measure: String::new(),
                        direction: Direction::Higher,
                        targets: Targets::default(),
                        overrides: Vec::new(),
                        method: Method::Qualitative {
                            grades: vec![
                                ("完成".into(), 1.0),
                                ("基本完成".into(), 0.6),
                                ("未完成".into(), 0.0),
                            ],
                        },
                        missing: MissingPolicy::Zero,
                        period_rule: PeriodRule::Latest,
                        responsible: vec![unit.clone()],
                        due: Some(next.cycle.end),
                        progress: Vec::new(),
                        checks: Default::default(),
                        formula: None,
                    }),
                    tags: Vec::new(),
                    classes: Vec::new(),
                    class_points: Vec::new(),
                });
                added += 1;
            }
        }
    }
    // The result must read back as a valid task book.
    let toml = crate::to_toml(&next);
    let framework = crate::parse_toml(&toml, "next.toml").map_err(|d| {
        d.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    })?;
    let mut header = format!(
        "# {} — 由 {} 结转生成 (jixiao cycle next)。\n\
         # 日期已顺延一年；以下 {} 项任务的目标值沿用上年，须重新设定后再导入：\n",
        framework.cycle.name,
        fw.cycle.id,
        reset.len()
    );
    for line in &reset {
        header.push_str(line);
        header.push('\n');
    }
    if added > 0 {
        header.push_str(&format!(
            "# 上年度整改事项 {added} 项已列为“整改落实”维度({RECTIFICATION_ID})下的定性任务，分值为0；\n\
             # 如需计分，请为其设定分值并相应调整其他维度。\n"
        ));
    }
    header.push('\n');
    Ok(NextCycle {
        framework,
        header,
        rectification_tasks: added,
        targets_to_reset: reset.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_cycle_moves_a_year_on_with_its_rectification_items() {
        let fw = crate::parse_toml(
            include_str!("../../../examples/beijing-2020/taskbook.toml"),
            "taskbook.toml",
        )
        .unwrap();
        let items = vec![(
            "dongcheng".to_string(),
            vec![
                "加快老旧小区综合整治".to_string(),
                "提升垃圾分类质量".to_string(),
            ],
        )];
        let next = next_cycle(&fw, None, &items).unwrap();
        let n = &next.framework;
        assert_eq!(n.cycle.id, "2021");
        assert!(n.cycle.name.starts_with("2021年度"), "{}", n.cycle.name);
        assert_eq!(n.cycle.start, NaiveDate::from_ymd_opt(2021, 1, 1).unwrap());
        assert_eq!(n.cycle.periods[3].deadline.year(), 2022);
        assert_eq!(next.rectification_tasks, 2);
        let r = n.node_index("R-dongcheng-2").unwrap();
        assert_eq!(n.nodes[r].name, "提升垃圾分类质量");
        let dc = n.unit_index("dongcheng").unwrap();
        let xc = n.unit_index("xicheng").unwrap();
        assert!(n.is_responsible(r, dc) && !n.is_responsible(r, xc));
        assert_eq!(n.tasks().count(), fw.tasks().count() + 2);
        assert!(next.header.contains("A01-1 集中核酸检测累计人次"));
        // Scoring the new cycle with nothing reported works: the 0-point dimension adds nothing.
        let card = jixiao_core::score(n, &jixiao_core::Inputs::default());
        assert!(card.units.iter().all(|u| u.total.is_finite()));
        assert!(
            next_cycle(&next.framework, None, &items).is_err(),
            "R exists already"
        );
    }
}

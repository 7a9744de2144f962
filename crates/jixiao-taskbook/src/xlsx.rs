//! The task book as an Excel workbook, the form offices keep it in. One sheet per kind of
//! thing, a header row of `中文(key)` cells, one row per item (docs/framework-format.md, "Excel
//! layout"). Reading goes through the same [`crate::draft::build`] as TOML, so the same rules
//! and messages apply, located by sheet, row and column.

use crate::diag::{Diagnostic, Diagnostics, Location};
use crate::draft::*;
use crate::sheet::{header_key, read_xlsx, Cell, Sheet};
use crate::toml_write::{method_params, number};
use chrono::NaiveDate;
use jixiao_core::model::*;
use rust_xlsxwriter::{Format, Workbook, XlsxError};

pub const CYCLE: (&str, &str) = ("周期", "cycle");
pub const PERIODS: (&str, &str) = ("期间", "periods");
pub const GRADES: (&str, &str) = ("等次", "grades");
pub const GROUPS: (&str, &str) = ("分组", "groups");
pub const UNITS: (&str, &str) = ("单位", "units");
pub const EVALUATORS: (&str, &str) = ("考评主体", "evaluators");
pub const NODES: (&str, &str) = ("指标", "nodes");
pub const UNIT_TARGETS: (&str, &str) = ("单位目标", "unit_targets");
pub const TAGS: (&str, &str) = ("专项", "tags");
pub const CLASSES: (&str, &str) = ("单位类别", "classes");

pub const NODE_COLUMNS: [(&str, &str); 28] = [
    ("id", "编号"),
    ("parent", "上级编号"),
    ("name", "名称"),
    ("description", "考评标准"),
    ("points", "分值"),
    ("evaluators", "考评主体"),
    ("children_sum", "下级分值须合计"),
    ("aggregate", "汇总方式"),
    ("method", "计分方法"),
    ("params", "方法参数"),
    ("measure", "计量单位"),
    ("direction", "方向"),
    ("target", "目标值"),
    ("challenge", "挑战值"),
    ("floor", "底线值"),
    ("missing", "缺报处理"),
    ("period_rule", "期值规则"),
    ("responsible", "责任单位"),
    ("due", "完成时限"),
    ("progress", "进度要求"),
    ("kind", "计量类型"),
    ("min", "最小值"),
    ("max", "最大值"),
    ("jump", "波动提示阈值"),
    ("tags", "专项标签"),
    ("formula", "计算公式"),
    ("classes", "适用类别"),
    ("class_points", "类别分值"),
];

fn sheet_name((zh, en): (&str, &str)) -> String {
    format!("{zh}({en})")
}

fn header((key, zh): &(&str, &str)) -> String {
    format!("{zh}({key})")
}

/// Writes the framework as an xlsx workbook.
pub fn to_xlsx(fw: &Framework) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    let c = &fw.cycle;
    let mut cycle_rows: Vec<(&str, &str, Cell)> = vec![
        ("id", "编号", Cell::Text(c.id.clone())),
        ("name", "名称", Cell::Text(c.name.clone())),
        ("start", "开始日期", Cell::Text(c.start.to_string())),
        ("end", "结束日期", Cell::Text(c.end.to_string())),
        (
            "ranking_decimals",
            "排名比较小数位",
            Cell::Number(fw.ranking.decimals as f64),
        ),
        (
            "at_risk_margin",
            "风险容差",
            Cell::Number(fw.status.at_risk_margin),
        ),
        (
            "jump_threshold",
            "波动提示阈值",
            Cell::Number(fw.checks.jump),
        ),
    ];
    if let Some(cap) = fw.bonus.cap {
        cycle_rows.push(("bonus_cap", "加分上限", Cell::Number(cap)));
    }
    if let Some(cap) = fw.deduction.cap {
        cycle_rows.push(("deduction_cap", "扣分上限", Cell::Number(cap)));
    }
    if let Some(o) = &fw.organisation {
        cycle_rows.push(("organisation", "组织单位编号", Cell::Text(o.id.clone())));
        cycle_rows.push((
            "organisation_name",
            "组织单位名称",
            Cell::Text(o.name.clone()),
        ));
    }
    let rows: Vec<Vec<Cell>> = cycle_rows
        .iter()
        .map(|(k, zh, v)| vec![Cell::Text(format!("{zh}({k})")), v.clone()])
        .collect();
    write_sheet(
        &mut wb,
        &bold,
        CYCLE,
        &[("key", "项目"), ("value", "值")],
        rows,
    )?;

    let t = |s: &str| Cell::Text(s.to_string());
    let list = |v: &[String]| Cell::Text(v.join(","));
    write_sheet(
        &mut wb,
        &bold,
        PERIODS,
        &[
            ("id", "编号"),
            ("name", "名称"),
            ("start", "开始日期"),
            ("end", "结束日期"),
            ("deadline", "报送截止"),
        ],
        c.periods
            .iter()
            .map(|p| {
                vec![
                    t(&p.id),
                    t(&p.name),
                    t(&p.start.to_string()),
                    t(&p.end.to_string()),
                    t(&p.deadline.to_string()),
                ]
            })
            .collect(),
    )?;
    write_sheet(
        &mut wb,
        &bold,
        GRADES,
        &[("name", "等次"), ("min", "最低分")],
        fw.grades
            .iter()
            .map(|g| vec![t(&g.name), Cell::Number(g.min)])
            .collect(),
    )?;
    write_sheet(
        &mut wb,
        &bold,
        GROUPS,
        &[("id", "编号"), ("name", "名称")],
        fw.groups
            .iter()
            .map(|g| vec![t(&g.id), t(&g.name)])
            .collect(),
    )?;
    write_sheet(
        &mut wb,
        &bold,
        UNITS,
        &[
            ("id", "编号"),
            ("name", "名称"),
            ("kind", "类型"),
            ("groups", "分组"),
            ("ranked", "参与排名"),
            ("class", "类别"),
        ],
        fw.units
            .iter()
            .map(|u| {
                vec![
                    t(&u.id),
                    t(&u.name),
                    t(u.kind.as_str()),
                    list(&u.groups),
                    t(if u.ranked { "true" } else { "false" }),
                    u.class.as_deref().map(t).unwrap_or(Cell::Empty),
                ]
            })
            .collect(),
    )?;
    write_sheet(
        &mut wb,
        &bold,
        EVALUATORS,
        &[("id", "编号"), ("name", "名称")],
        fw.evaluators
            .iter()
            .map(|e| vec![t(&e.id), t(&e.name)])
            .collect(),
    )?;
    let opt = |x: Option<f64>| x.map(Cell::Number).unwrap_or(Cell::Empty);
    let enum_text = |x: &dyn erased::Name| Cell::Text(x.name());
    let nodes: Vec<Vec<Cell>> = fw
        .nodes
        .iter()
        .map(|n| {
            let mut row = vec![
                t(&n.id),
                n.parent.map(|p| t(&fw.nodes[p].id)).unwrap_or(Cell::Empty),
                t(&n.name),
                t(&n.description),
                Cell::Number(n.points),
                list(&n.evaluators),
                t(if n.children_sum { "true" } else { "false" }),
                enum_text(&n.aggregate),
            ];
            match &n.task {
                None => row.extend(std::iter::repeat_n(Cell::Empty, 16)),
                Some(task) => row.extend([
                    t(task.method.name()),
                    Cell::Text(params_cell(&task.method)),
                    t(&task.measure),
                    enum_text(&task.direction),
                    opt(task.targets.target),
                    opt(task.targets.challenge),
                    opt(task.targets.floor),
                    enum_text(&task.missing),
                    enum_text(&task.period_rule),
                    list(&task.responsible),
                    task.due.map(|d| t(&d.to_string())).unwrap_or(Cell::Empty),
                    Cell::Text(
                        task.progress
                            .iter()
                            .map(|x| number(*x))
                            .collect::<Vec<_>>()
                            .join(","),
                    ),
                    task.checks
                        .kind
                        .map(|k| t(k.as_str()))
                        .unwrap_or(Cell::Empty),
                    opt(task.checks.min),
                    opt(task.checks.max),
                    opt(task.checks.jump),
                ]),
            }
            row.push(list(&n.tags));
            row.push(
                n.task
                    .as_ref()
                    .and_then(|t| t.formula.as_ref())
                    .map(|f| Cell::Text(f.text.clone()))
                    .unwrap_or(Cell::Empty),
            );
            row.push(list(&n.classes));
            row.push(Cell::Text(
                n.class_points
                    .iter()
                    .map(|(c, p)| format!("{c}={}", number(*p)))
                    .collect::<Vec<_>>()
                    .join("; "),
            ));
            row
        })
        .collect();
    write_sheet(&mut wb, &bold, NODES, &NODE_COLUMNS, nodes)?;
    if !fw.classes.is_empty() {
        write_sheet(
            &mut wb,
            &bold,
            CLASSES,
            &[("id", "编号"), ("name", "名称"), ("total_points", "满分")],
            fw.classes
                .iter()
                .map(|c| {
                    vec![
                        t(&c.id),
                        t(&c.name),
                        c.total_points.map(Cell::Number).unwrap_or(Cell::Empty),
                    ]
                })
                .collect(),
        )?;
    }
    if !fw.tags.is_empty() {
        write_sheet(
            &mut wb,
            &bold,
            TAGS,
            &[("id", "编号"), ("name", "名称"), ("kind", "类型")],
            fw.tags
                .iter()
                .map(|x| vec![t(&x.id), t(&x.name), t(x.kind.as_str())])
                .collect(),
        )?;
    }
    let overrides: Vec<Vec<Cell>> = fw
        .nodes
        .iter()
        .filter_map(|n| n.task.as_ref().map(|task| (n, task)))
        .flat_map(|(n, task)| task.overrides.iter().map(move |o| (n, o)))
        .map(|(n, o)| {
            vec![
                t(&n.id),
                t(&o.unit),
                opt(o.targets.target),
                opt(o.targets.challenge),
                opt(o.targets.floor),
            ]
        })
        .collect();
    write_sheet(
        &mut wb,
        &bold,
        UNIT_TARGETS,
        &[
            ("task", "任务编号"),
            ("unit", "单位"),
            ("target", "目标值"),
            ("challenge", "挑战值"),
            ("floor", "底线值"),
        ],
        overrides,
    )?;
    wb.save_to_buffer()
}

/// Names of the serde-named enums, for cells.
mod erased {
    pub trait Name {
        fn name(&self) -> String;
    }
    impl<T: serde::Serialize> Name for T {
        fn name(&self) -> String {
            serde_json::to_value(self)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default()
        }
    }
}

/// `key=value; key=value`, grades as `grades=优:1,良:0.85`.
pub fn params_cell(m: &Method) -> String {
    if let Method::Qualitative { grades } = m {
        let g: Vec<String> = grades
            .iter()
            .map(|(k, s)| format!("{k}:{}", number(*s)))
            .collect();
        return format!("grades={}", g.join(","));
    }
    method_params(m)
        .into_iter()
        .map(|(k, v)| format!("{k}={}", v.trim_matches('"')))
        .collect::<Vec<_>>()
        .join("; ")
}

fn write_sheet(
    wb: &mut Workbook,
    bold: &Format,
    name: (&str, &str),
    headers: &[(&str, &str)],
    rows: Vec<Vec<Cell>>,
) -> Result<(), XlsxError> {
    let ws = wb.add_worksheet();
    ws.set_name(sheet_name(name))?;
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, header(h), bold)?;
        ws.set_column_width(c as u16, 14)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, cell) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match cell {
                Cell::Empty => {}
                Cell::Text(s) if s.is_empty() => {}
                Cell::Text(s) => {
                    ws.write_string(r, c, s)?;
                }
                Cell::Number(x) => {
                    ws.write_number(r, c, *x)?;
                }
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

/// Reads and validates a task book workbook.
pub fn parse_xlsx(bytes: &[u8], file: &str) -> Result<Framework, Vec<Diagnostic>> {
    let sheets = read_xlsx(bytes, file)?;
    let mut d = Diagnostics::new(file);
    let draft = read_draft(&sheets, &mut d);
    match build(&draft, &mut d) {
        Some(fw) if d.is_empty() => Ok(fw),
        _ => Err(d.into_sorted()),
    }
}

fn find<'a>(
    sheets: &'a [Sheet],
    (zh, en): (&str, &str),
    d: &mut Diagnostics,
    required: bool,
) -> Option<&'a Sheet> {
    let s = sheets
        .iter()
        .find(|s| header_key(&s.name) == en || s.name == zh || s.name.starts_with(zh));
    if s.is_none() && required {
        d.error(
            &Location::File,
            format!("missing sheet {}", sheet_name((zh, en))),
        );
    }
    s
}

struct Rows<'a> {
    sheet: &'a Sheet,
    cols: Vec<Option<usize>>,
}

impl<'a> Rows<'a> {
    fn new(sheet: &'a Sheet, spec: &[(&str, &str)], d: &mut Diagnostics) -> Rows<'a> {
        let cols: Vec<Option<usize>> = spec.iter().map(|(k, zh)| sheet.column(k, zh)).collect();
        for (i, h) in sheet.headers.iter().enumerate() {
            if !h.is_empty() && !cols.contains(&Some(i)) {
                let names: Vec<String> = spec.iter().map(header).collect();
                d.error(
                    &Location::Cell {
                        sheet: sheet.name.clone(),
                        row: 1,
                        column: crate::diag::column_letter(i),
                        field: h.clone(),
                    },
                    format!("unknown column; expected: {}", names.join(", ")),
                );
            }
        }
        Rows { sheet, cols }
    }
    fn rows(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.sheet.rows.len()).filter(|&r| !self.sheet.rows[r].iter().all(|c| c.is_empty()))
    }
    fn loc(&self, r: usize, i: usize) -> Location {
        self.sheet.location(r, self.cols[i].unwrap_or(0))
    }
    fn row_loc(&self, r: usize) -> Option<Location> {
        Some(Location::Row {
            sheet: self.sheet.name.clone(),
            row: r + 2,
        })
    }
    fn cell(&self, r: usize, i: usize) -> &Cell {
        self.sheet.cell(r, self.cols[i])
    }
    fn s(&self, r: usize, i: usize) -> Option<L<String>> {
        let c = self.cell(r, i);
        (!c.is_empty()).then(|| L::new(c.text(), self.loc(r, i)))
    }
    fn n(&self, r: usize, i: usize, d: &mut Diagnostics) -> Option<L<f64>> {
        let c = self.cell(r, i);
        if c.is_empty() {
            return None;
        }
        match c.number() {
            Some(x) => Some(L::new(x, self.loc(r, i))),
            None => {
                d.error(&self.loc(r, i), format!("`{}` is not a number", c.text()));
                None
            }
        }
    }
    fn b(&self, r: usize, i: usize, d: &mut Diagnostics) -> Option<L<bool>> {
        let s = self.s(r, i)?;
        match s.v.to_lowercase().as_str() {
            "true" | "是" | "yes" | "1" => Some(L::new(true, s.loc)),
            "false" | "否" | "no" | "0" => Some(L::new(false, s.loc)),
            _ => {
                d.error(&s.loc, format!("`{}` must be true or false (是/否)", s.v));
                None
            }
        }
    }
    fn date(&self, r: usize, i: usize, d: &mut Diagnostics) -> Option<L<NaiveDate>> {
        let s = self.s(r, i)?;
        match NaiveDate::parse_from_str(&s.v, "%Y-%m-%d") {
            Ok(x) => Some(L::new(x, s.loc)),
            Err(_) => {
                d.error(&s.loc, format!("`{}` is not a date like 2020-12-31", s.v));
                None
            }
        }
    }
    fn list(&self, r: usize, i: usize) -> Vec<L<String>> {
        let Some(s) = self.s(r, i) else {
            return Vec::new();
        };
        s.v.split([',', '\u{FF0C}', '、'])
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(|x| L::new(x.to_string(), s.loc.clone()))
            .collect()
    }
}

fn read_draft(sheets: &[Sheet], d: &mut Diagnostics) -> Draft {
    let mut draft = Draft::default();
    if let Some(s) = find(sheets, CYCLE, d, true) {
        let rows = Rows::new(s, &[("key", "项目"), ("value", "值")], d);
        draft.cycle.loc = Some(Location::Row {
            sheet: s.name.clone(),
            row: 1,
        });
        for r in rows.rows() {
            let key = header_key(&rows.cell(r, 0).text());
            let c = &mut draft.cycle;
            match key.as_str() {
                "id" => c.id = rows.s(r, 1),
                "name" => c.name = rows.s(r, 1),
                "start" => c.start = rows.date(r, 1, d),
                "end" => c.end = rows.date(r, 1, d),
                "total_points" => c.total_points = rows.n(r, 1, d),
                "bonus_cap" => c.bonus_cap = rows.n(r, 1, d),
                "deduction_cap" => c.deduction_cap = rows.n(r, 1, d),
                "ranking_decimals" => c.ranking_decimals = rows.n(r, 1, d),
                "at_risk_margin" => c.at_risk_margin = rows.n(r, 1, d),
                "jump_threshold" => c.jump_threshold = rows.n(r, 1, d),
                "organisation" => {
                    let o = draft.organisation.get_or_insert_with(|| DraftNamed {
                        loc: Some(rows.loc(r, 1)),
                        ..Default::default()
                    });
                    o.id = rows.s(r, 1);
                }
                "organisation_name" => {
                    let o = draft.organisation.get_or_insert_with(|| DraftNamed {
                        loc: Some(rows.loc(r, 1)),
                        ..Default::default()
                    });
                    o.name = rows.s(r, 1);
                }
                other => d.error(&rows.loc(r, 0), format!("unknown setting `{other}`")),
            }
        }
    }
    if let Some(s) = find(sheets, PERIODS, d, true) {
        let rows = Rows::new(
            s,
            &[
                ("id", "编号"),
                ("name", "名称"),
                ("start", "开始日期"),
                ("end", "结束日期"),
                ("deadline", "报送截止"),
            ],
            d,
        );
        for r in rows.rows() {
            draft.cycle.periods.push(DraftPeriod {
                loc: rows.row_loc(r),
                id: rows.s(r, 0),
                name: rows.s(r, 1),
                start: rows.date(r, 2, d),
                end: rows.date(r, 3, d),
                deadline: rows.date(r, 4, d),
            });
        }
    }
    if let Some(s) = find(sheets, GRADES, d, false) {
        let rows = Rows::new(s, &[("name", "等次"), ("min", "最低分")], d);
        for r in rows.rows() {
            draft.grades.push(DraftGrade {
                loc: rows.row_loc(r),
                name: rows.s(r, 0),
                min: rows.n(r, 1, d),
            });
        }
    }
    for (which, target) in [
        (GROUPS, &mut draft.groups),
        (EVALUATORS, &mut draft.evaluators),
    ] {
        if let Some(s) = find(sheets, which, d, false) {
            let rows = Rows::new(s, &[("id", "编号"), ("name", "名称")], d);
            for r in rows.rows() {
                target.push(DraftNamed {
                    loc: rows.row_loc(r),
                    id: rows.s(r, 0),
                    name: rows.s(r, 1),
                });
            }
        }
    }
    if let Some(s) = find(sheets, CLASSES, d, false) {
        let rows = Rows::new(
            s,
            &[("id", "编号"), ("name", "名称"), ("total_points", "满分")],
            d,
        );
        for r in rows.rows() {
            draft.classes.push(DraftClass {
                loc: rows.row_loc(r),
                id: rows.s(r, 0),
                name: rows.s(r, 1),
                total_points: rows.n(r, 2, d),
            });
        }
    }
    if let Some(s) = find(sheets, TAGS, d, false) {
        let rows = Rows::new(s, &[("id", "编号"), ("name", "名称"), ("kind", "类型")], d);
        for r in rows.rows() {
            draft.tags.push(DraftTag {
                loc: rows.row_loc(r),
                id: rows.s(r, 0),
                name: rows.s(r, 1),
                kind: rows.s(r, 2),
            });
        }
    }
    if let Some(s) = find(sheets, UNITS, d, true) {
        let rows = Rows::new(
            s,
            &[
                ("id", "编号"),
                ("name", "名称"),
                ("kind", "类型"),
                ("groups", "分组"),
                ("ranked", "参与排名"),
                ("class", "类别"),
            ],
            d,
        );
        for r in rows.rows() {
            draft.units.push(DraftUnit {
                loc: rows.row_loc(r),
                id: rows.s(r, 0),
                name: rows.s(r, 1),
                kind: rows.s(r, 2),
                groups: rows.list(r, 3),
                ranked: rows.b(r, 4, d),
                class: rows.s(r, 5),
            });
        }
    }
    if let Some(s) = find(sheets, NODES, d, true) {
        let rows = Rows::new(s, &NODE_COLUMNS, d);
        for r in rows.rows() {
            let progress = rows.s(r, 19).and_then(|p| {
                let parsed: Option<Vec<f64>> =
                    p.v.split([',', '\u{FF0C}'])
                        .map(crate::sheet::parse_number)
                        .collect();
                if parsed.is_none() {
                    d.error(
                        &p.loc,
                        format!("`{}` must list numbers separated by commas", p.v),
                    );
                }
                parsed.map(|v| L::new(v, p.loc))
            });
            draft.nodes.push(DraftNode {
                loc: rows.row_loc(r),
                id: rows.s(r, 0),
                parent: rows.s(r, 1),
                name: rows.s(r, 2),
                description: rows.s(r, 3),
                points: rows.n(r, 4, d),
                evaluators: rows.list(r, 5),
                children_sum: rows.b(r, 6, d),
                aggregate: rows.s(r, 7),
                method: rows.s(r, 8),
                params: rows
                    .s(r, 9)
                    .map(|p| parse_params_cell(&p, d))
                    .unwrap_or_default(),
                measure: rows.s(r, 10),
                direction: rows.s(r, 11),
                target: rows.n(r, 12, d),
                challenge: rows.n(r, 13, d),
                floor: rows.n(r, 14, d),
                missing: rows.s(r, 15),
                period_rule: rows.s(r, 16),
                responsible: rows.list(r, 17),
                due: rows.date(r, 18, d),
                progress,
                kind: rows.s(r, 20),
                min: rows.n(r, 21, d),
                max: rows.n(r, 22, d),
                jump: rows.n(r, 23, d),
                overrides: Vec::new(),
                tags: rows.list(r, 24),
                formula: rows.s(r, 25),
                classes: rows.list(r, 26),
                class_points: rows
                    .s(r, 27)
                    .map(|p| {
                        parse_params_cell(&p, d)
                            .into_iter()
                            .filter_map(|(k, v)| match v.v {
                                ParamValue::Num(x) => Some((k, L::new(x, v.loc))),
                                _ => {
                                    d.error(
                                        &v.loc,
                                        format!("class points `{}` must be a number", k.v),
                                    );
                                    None
                                }
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            });
        }
    }
    if let Some(s) = find(sheets, UNIT_TARGETS, d, false) {
        let rows = Rows::new(
            s,
            &[
                ("task", "任务编号"),
                ("unit", "单位"),
                ("target", "目标值"),
                ("challenge", "挑战值"),
                ("floor", "底线值"),
            ],
            d,
        );
        for r in rows.rows() {
            let o = DraftOverride {
                loc: rows.row_loc(r),
                task: rows.s(r, 0),
                unit: rows.s(r, 1),
                target: rows.n(r, 2, d),
                challenge: rows.n(r, 3, d),
                floor: rows.n(r, 4, d),
            };
            let Some(task) = o.task.clone() else {
                d.error(&rows.loc(r, 0), "missing task id");
                continue;
            };
            match draft
                .nodes
                .iter_mut()
                .find(|n| n.id.as_ref().is_some_and(|i| i.v == task.v))
            {
                Some(n) if n.method.is_some() => n.overrides.push(o),
                Some(_) => d.error(
                    &task.loc,
                    format!("`{}` is an indicator, not a task", task.v),
                ),
                None => d.error(&task.loc, format!("unknown task `{}`", task.v)),
            }
        }
    }
    draft
}

/// Parses `key=value; key=value` (see [`params_cell`]).
fn parse_params_cell(cell: &L<String>, d: &mut Diagnostics) -> Vec<(L<String>, L<ParamValue>)> {
    let mut out = Vec::new();
    for part in cell
        .v
        .split([';', '\u{FF1B}'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        let Some((k, v)) = part.split_once(['=', '\u{FF1D}']) else {
            d.error(&cell.loc, format!("`{part}` must be written key=value"));
            continue;
        };
        let (k, v) = (k.trim(), v.trim());
        let value = if k == "grades" {
            let mut pairs = Vec::new();
            for g in v
                .split([',', '\u{FF0C}'])
                .map(str::trim)
                .filter(|g| !g.is_empty())
            {
                match g
                    .split_once([':', '\u{FF1A}'])
                    .and_then(|(n, s)| Some((n.trim().to_string(), crate::sheet::parse_number(s)?)))
                {
                    Some(p) => pairs.push(p),
                    None => d.error(
                        &cell.loc,
                        format!("grade `{g}` must be written name:share, e.g. 优:1"),
                    ),
                }
            }
            ParamValue::Table(pairs)
        } else if v == "true" || v == "false" {
            ParamValue::Bool(v == "true")
        } else if let Some(x) = crate::sheet::parse_number(v) {
            ParamValue::Num(x)
        } else {
            ParamValue::Str(v.to_string())
        };
        out.push((
            L::new(k.to_string(), cell.loc.clone()),
            L::new(value, cell.loc.clone()),
        ));
    }
    out
}

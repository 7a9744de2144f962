//! The Beijing 2020 demo: the example task book, Dongcheng's values from its report, the
//! hotline scores and ledger (all embedded, so the demo runs from any folder), synthetic,
//! deterministic values for everything the report does not say, and demo accounts.

use anyhow::{anyhow, Context, Result};
use jixiao_app::{Actor, Store};
use jixiao_core::inputs::Observation;
use jixiao_core::model::{Direction, Framework, Method};
use jixiao_core::records::{LedgerRow, ValueKey, ValueRow};
use jixiao_core::robustness::SplitMix64;
use jixiao_core::workflow::ValueState;
use std::collections::HashMap;

pub const TASKBOOK: &str = include_str!("../../../examples/beijing-2020/taskbook.toml");
pub const VALUES: &str = include_str!("../../../examples/beijing-2020/values.csv");
pub const LEDGER: &str = include_str!("../../../examples/beijing-2020/ledger.csv");
/// The seed report's honours and external assessments (荣誉和外部考核登记).
pub const HONOURS: &str = include_str!("../../../examples/beijing-2020/honours.csv");
/// The public satisfaction survey's questionnaire and the survey company's results (C01-1).
pub const SURVEY: &str = include_str!("../../../examples/beijing-2020/survey.toml");
pub const SURVEY_RESULTS: &str = include_str!("../../../examples/beijing-2020/survey-results.csv");
pub const SEED: u64 = 2020;
pub const SYNTHETIC: &str = "synthetic (illustrative)";

/// Measures counted in whole units.
const COUNTS: [&str; 13] = [
    "个", "处", "户", "条", "家", "件", "项", "名", "人次", "例", "起", "分", "人",
];

fn cell_seed(seed: u64, unit: &str, task: &str) -> u64 {
    // FNV-1a, so a value depends only on its unit and task, not on iteration order.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in unit.bytes().chain([0]).chain(task.bytes()) {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The year's synthetic value of a task for a unit.
fn synthetic_annual(fw: &Framework, task: usize, unit: usize, rng: &mut SplitMix64) -> Observation {
    let t = fw.nodes[task].task.as_ref().expect("a task");
    let targets = t.targets_for(&fw.units[unit].id);
    let mut u = |a: f64, b: f64| a + (b - a) * rng.next_f64();
    let x = match (&t.method, targets.target) {
        (Method::Qualitative { grades }, _) => {
            let r = u(0.0, 1.0);
            let pick = if r < 0.55 {
                0
            } else if r < 0.9 {
                1
            } else {
                2
            };
            return Observation::Grade(grades[pick.min(grades.len() - 1)].0.clone());
        }
        (Method::Deduction { .. }, _) => {
            let r = u(0.0, 1.0);
            if r < 0.6 {
                0.0
            } else if r < 0.9 {
                1.0
            } else {
                2.0
            }
        }
        (Method::Scaled { .. }, _) => u(80.0, 96.0),
        (Method::Rank { .. } | Method::Normalised { .. }, _) => u(60.0, 95.0),
        (Method::Growth { .. }, Some(target)) => target + u(-6.0, 12.0),
        (Method::Efficacy { .. }, Some(target)) => {
            let floor = targets.floor.unwrap_or(target);
            u(
                target - 0.15 * (floor - target),
                floor + 0.05 * (floor - target),
            )
        }
        (_, Some(target)) if target.abs() < f64::EPSILON => {
            if u(0.0, 1.0) < 0.85 {
                0.0
            } else {
                u(1.0, 3.0).floor()
            }
        }
        (_, Some(target)) => match t.direction {
            Direction::Higher => target * u(0.82, 1.3),
            Direction::Lower => target * u(0.8, 1.2),
        },
        (_, None) => u(60.0, 95.0),
    };
    Observation::Number(fit(fw, task, x))
}

/// A synthetic figure as a unit would report it: rounded as the measure is counted, and within
/// the bounds the task's checks accept (a disposal rate never above 100 %).
fn fit(fw: &Framework, task: usize, x: f64) -> f64 {
    let t = fw.nodes[task].task.as_ref().expect("a task");
    let kind = jixiao_core::checks::kind_of(t, &fw.nodes[task].name);
    let (lo, hi) = jixiao_core::checks::bounds(t, kind);
    let x = x.clamp(lo.unwrap_or(f64::MIN), hi.unwrap_or(f64::MAX));
    let rounded = if kind == jixiao_core::checks::ValueKind::Count
        || (COUNTS.contains(&t.measure.as_str()) && t.measure != "分")
    {
        x.round()
    } else {
        (x * 100.0).round() / 100.0
    };
    rounded.clamp(lo.unwrap_or(f64::MIN), hi.unwrap_or(f64::MAX))
}

/// Formula tasks that are a rate of two inputs (`[a] / [b] * 100`): (task, a, b).
fn ratio_inputs(fw: &Framework) -> Vec<(usize, usize, usize)> {
    use jixiao_core::formula::Expr;
    fw.tasks()
        .filter_map(|t| {
            let f = fw.nodes[t].task.as_ref()?.formula.as_ref()?;
            let Expr::Mul(ratio, hundred) = &f.expr else {
                return None;
            };
            let (Expr::Div(a, b), Expr::Num(h)) = (ratio.as_ref(), hundred.as_ref()) else {
                return None;
            };
            let (Expr::Input(a), Expr::Input(b)) = (a.as_ref(), b.as_ref()) else {
                return None;
            };
            (*h == 100.0).then_some((t, fw.node_index(a)?, fw.node_index(b)?))
        })
        .collect()
}

/// Values for every (task, unit, period) the given rows do not cover. A unit's earlier periods
/// follow the task's expected progress toward its year value (cumulative tasks) or vary a
/// little around it (level tasks), so in-year status has something to show.
pub fn synthetic_values(fw: &Framework, given: &[ValueRow], seed: u64) -> Vec<ValueRow> {
    let mut annual: HashMap<(&str, &str), Observation> = HashMap::new();
    let last = fw.cycle.periods.len() - 1;
    for r in given {
        if r.key.period == fw.cycle.periods[last].id {
            annual.insert(
                (r.key.task.as_str(), r.key.unit.as_str()),
                r.observation.clone(),
            );
        }
    }
    let have: std::collections::HashSet<&ValueKey> = given.iter().map(|r| &r.key).collect();
    // A unit whose figures come from a file (Dongcheng, from its report) keeps the current
    // period open for the in-year tasks the file does not cover: those are still to be reported.
    let in_year = |task: &str| {
        fw.node_index(task)
            .and_then(|t| fw.nodes[t].task.as_ref())
            .is_some_and(|t| {
                !t.method.is_relative()
                    && !matches!(t.method, Method::Scaled { .. } | Method::Qualitative { .. })
            })
    };
    let from_file: std::collections::HashSet<&str> = given
        .iter()
        .filter(|r| r.key.period == fw.cycle.periods[last].id && in_year(&r.key.task))
        .map(|r| r.key.unit.as_str())
        .collect();
    let ratio_inputs = ratio_inputs(fw);
    let mut out = Vec::new();
    for t in fw.tasks() {
        let task = fw.nodes[t].task.as_ref().expect("a task");
        if task.formula.is_some() {
            // Computed from its inputs, never reported.
            continue;
        }
        for u in 0..fw.units.len() {
            if !fw.is_responsible(t, u) {
                continue;
            }
            let (unit_id, task_id) = (fw.units[u].id.as_str(), fw.nodes[t].id.as_str());
            let mut rng = SplitMix64::new(cell_seed(seed, unit_id, task_id));
            let year = annual
                .get(&(task_id, unit_id))
                .cloned()
                .or_else(|| {
                    let (formula, _, denominator) =
                        ratio_inputs.iter().find(|(_, n, d)| *n == t || *d == t)?;
                    // The two inputs of a rate agree: the denominator drawn, the numerator
                    // from the rate the formula task would get.
                    let id = |n: usize| fw.nodes[n].id.as_str();
                    let draw = |n: usize| SplitMix64::new(cell_seed(seed, unit_id, id(n)));
                    let den = (150.0 + 150.0 * draw(*denominator).next_f64()).round();
                    if t == *denominator {
                        return Some(Observation::Number(den));
                    }
                    let rate = synthetic_annual(fw, *formula, u, &mut draw(*formula))
                        .as_number()?
                        .clamp(0.0, 100.0);
                    Some(Observation::Number((den * rate / 100.0).round()))
                })
                .unwrap_or_else(|| synthetic_annual(fw, t, u, &mut rng));
            // Relative methods and evaluations are judged once a year.
            let yearly_only = task.method.is_relative()
                || matches!(
                    task.method,
                    Method::Scaled { .. } | Method::Qualitative { .. }
                );
            for (p, period) in fw.cycle.periods.iter().enumerate() {
                if yearly_only && p != last {
                    continue;
                }
                let key = ValueKey {
                    task: task_id.into(),
                    unit: unit_id.into(),
                    period: period.id.clone(),
                };
                if have.contains(&key)
                    || (p == last
                        && !yearly_only
                        && from_file.contains(unit_id)
                        && !annual.contains_key(&(task_id, unit_id)))
                {
                    continue;
                }
                let observation = match (&year, p == last) {
                    (o, true) => o.clone(),
                    (Observation::Number(x), false) if !task.progress.is_empty() => {
                        let share = jixiao_core::status::expected_share(fw, t, p)
                            * (0.85 + 0.25 * rng.next_f64());
                        Observation::Number(fit(fw, t, (x * share).min(*x)))
                    }
                    (Observation::Number(x), false) => {
                        Observation::Number(fit(fw, t, x * (0.97 + 0.06 * rng.next_f64())))
                    }
                    (g, false) => g.clone(),
                };
                out.push(ValueRow {
                    key,
                    observation,
                    note: String::new(),
                    source: SYNTHETIC.into(),
                    evidence: String::new(),
                    state: ValueState::Approved,
                });
            }
        }
    }
    out
}

/// The demo cycle without a database: the task book, every value (the report's and the
/// synthetic ones) and the ledger, as the files hold them.
pub fn cycle() -> Result<(Framework, Vec<ValueRow>, Vec<LedgerRow>)> {
    cycle_sized(None)
}

/// The demo's task book.
fn taskbook() -> Result<Framework> {
    jixiao_taskbook::parse_toml(TASKBOOK, "examples/beijing-2020/taskbook.toml").map_err(diagnosed)
}

/// The values the demo's file holds (Dongcheng's from its report, and the illustrative figures
/// of other units that the file gives).
fn file_values(fw: &Framework) -> Result<Vec<ValueRow>> {
    jixiao_taskbook::values::parse_values(
        fw,
        VALUES.as_bytes(),
        "examples/beijing-2020/values.csv",
        ValueState::Approved,
        jixiao_taskbook::values::Blanks::Refuse,
    )
    .map_err(diagnosed)
}

/// The hotline generator's mean quality per district, so that the generated cases rank the
/// districts as the demo's illustrative 接诉即办 figures (task A22-1 in values.csv, which follow
/// the seed report: Dongcheng third in the city, first among 城六区) do: the figures mapped onto
/// the generator's range, 0.80 for the lowest to 0.98 for the highest.
pub fn hotline_quality() -> Result<std::collections::BTreeMap<String, f64>> {
    let fw = taskbook()?;
    // The file's own figures, not the synthetic ones added for other units.
    let rows = file_values(&fw)?;
    let last = &fw.cycle.periods[fw.cycle.periods.len() - 1].id;
    let figures: Vec<(String, f64)> = rows
        .iter()
        .filter(|r| r.key.task == "A22-1" && &r.key.period == last)
        .filter_map(|r| Some((r.key.unit.clone(), r.observation.as_number()?)))
        .collect();
    let lo = figures.iter().map(|x| x.1).fold(f64::INFINITY, f64::min);
    let hi = figures
        .iter()
        .map(|x| x.1)
        .fold(f64::NEG_INFINITY, f64::max);
    Ok(figures
        .into_iter()
        .map(|(unit, v)| {
            let share = if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
            (unit, 0.80 + 0.18 * share)
        })
        .collect())
}

/// [`cycle`], with the task book grown to `units` units ([`city_sized`]) when asked.
pub fn cycle_sized(units: Option<usize>) -> Result<(Framework, Vec<ValueRow>, Vec<LedgerRow>)> {
    let fw = match units {
        Some(n) => city_sized(taskbook()?, n)?,
        None => taskbook()?,
    };
    let mut rows = file_values(&fw)?;
    rows.extend(synthetic_values(&fw, &rows, SEED));
    let ledger = jixiao_taskbook::values::parse_ledger(
        &fw,
        LEDGER.as_bytes(),
        "examples/beijing-2020/ledger.csv",
    )
    .map_err(diagnosed)?;
    Ok((fw, rows, ledger))
}

/// Municipal departments (市级部门) a city-sized demo adds as units, in this order; more than
/// these are numbered.
const DEPARTMENTS: [&str; 61] = [
    "市发展改革委",
    "市教委",
    "市科委",
    "市经济和信息化局",
    "市民族宗教委",
    "市公安局",
    "市民政局",
    "市司法局",
    "市财政局",
    "市人力资源社会保障局",
    "市规划自然资源委",
    "市生态环境局",
    "市住房城乡建设委",
    "市城市管理委",
    "市交通委",
    "市水务局",
    "市农业农村局",
    "市商务局",
    "市文化和旅游局",
    "市卫生健康委",
    "市退役军人局",
    "市应急局",
    "市审计局",
    "市政府外办",
    "市国资委",
    "市市场监管局",
    "市广电局",
    "市体育局",
    "市统计局",
    "市园林绿化局",
    "市医保局",
    "市金融监管局",
    "市信访办",
    "市政务服务局",
    "市国防动员办",
    "市药监局",
    "市知识产权局",
    "市文物局",
    "市中医局",
    "市监狱管理局",
    "市戒毒管理局",
    "市消防救援总队",
    "市税务局",
    "市地方志办",
    "市档案局",
    "市气象局",
    "市住房公积金中心",
    "市人防办",
    "市粮食和储备局",
    "市残联",
    "市妇联",
    "市总工会",
    "团市委",
    "市科协",
    "市侨联",
    "市红十字会",
    "市文联",
    "市社科联",
    "市重大项目办",
    "市城管执法局",
    "市疾控局",
];

/// Group of the streets a city-sized demo adds (街道乡镇), and of its departments.
pub const STREETS_GROUP: (&str, &str) = ("streets", "街道乡镇");
pub const DEPARTMENTS_GROUP: (&str, &str) = ("departments", "市级部门");

/// The demo task book at city size: its own units (the districts), then the streets of the
/// demo geography (the hotline's 343 streets, with the hotline's ids, so a street's cases and
/// its scores meet), then municipal departments, up to `units` in all. Each added unit is
/// responsible for every task open to all units, and is ranked within its group.
pub fn city_sized(mut fw: Framework, units: usize) -> Result<Framework> {
    let own = fw.units.len();
    if units < own {
        return Err(anyhow!(
            "--units {units}: the demo task book has {own} units of its own; ask for at least that many"
        ));
    }
    if units == own {
        return Ok(fw);
    }
    use jixiao_core::model::{Group, Unit, UnitKind};
    for (id, name) in [STREETS_GROUP, DEPARTMENTS_GROUP] {
        fw.groups.push(Group {
            id: id.into(),
            name: name.into(),
        });
    }
    let geo = jixiao_hotline::geography::beijing(1, 1);
    let streets = geo
        .at_level(jixiao_hotline::geography::Level::Street)
        .map(|a| {
            (
                a.id.clone(),
                a.name.clone(),
                UnitKind::Street,
                STREETS_GROUP.0,
            )
        });
    // The task book's own departments are not added again.
    let own_names: std::collections::HashSet<String> =
        fw.units.iter().map(|u| u.name.clone()).collect();
    let departments = (0..).map(|i| {
        let name = DEPARTMENTS
            .get(i)
            .map(|n| n.to_string())
            .unwrap_or_else(|| format!("市属单位{:03}", i + 1));
        (
            format!("dept-{:03}", i + 1),
            name,
            UnitKind::Department,
            DEPARTMENTS_GROUP.0,
        )
    });
    let departments = departments.filter(|(_, name, _, _)| !own_names.contains(name));
    // With unit classes, streets take the districts' tree and departments the departments'.
    let class_for = |kind: UnitKind| {
        let wanted = match kind {
            UnitKind::Department => "department",
            _ => "district",
        };
        fw.classes
            .iter()
            .any(|c| c.id == wanted)
            .then(|| wanted.to_string())
    };
    let added: Vec<Unit> = streets
        .chain(departments)
        .take(units - own)
        .map(|(id, name, kind, group)| Unit {
            class: class_for(kind),
            id,
            name,
            kind,
            groups: vec![group.to_string()],
            ranked: true,
        })
        .collect();
    fw.units.extend(added);
    // Through the task book's own reader, so the city-sized book is checked like any other.
    let text = jixiao_taskbook::to_toml(&fw);
    jixiao_taskbook::parse_toml(&text, "city-sized demo task book").map_err(diagnosed)
}

/// Builds the demo database in `dir`, returning its URL.
pub fn build(dir: &std::path::Path, actor: &str) -> Result<(String, usize)> {
    build_sized(dir, actor, None)
}

/// [`build`] with `units` units ([`city_sized`]).
pub fn build_sized(
    dir: &std::path::Path,
    actor: &str,
    units: Option<usize>,
) -> Result<(String, usize)> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join("jixiao.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let p = std::path::PathBuf::from(format!("{}{suffix}", path.display()));
        if p.exists() {
            std::fs::remove_file(&p)
                .with_context(|| format!("removing the old demo database {}", p.display()))?;
        }
    }
    let url = format!("sqlite://{}", path.display());
    let mut store = jixiao_app::open(&url).with_context(|| format!("opening {url}"))?;
    let count = load_sized(&mut store, actor, units)?;
    Ok((url, count))
}

/// The demo's 督查督办 item list (ILLUSTRATIVE, after the seed's 巡视、巡察和审计问题整改), and the
/// progress each unit reported: (item, percent, what was done).
pub const SUPERVISION: &str = include_str!("../../../examples/beijing-2020/supervision.csv");
const SUPERVISION_REPORTS: [(&str, i64, &str); 2] = [
    ("DB001", 60, "4个小区中已完成2个,其余2个因施工许可延后。"),
    ("DB002", 80, "已清理结余资金1.2亿元,剩余部分年底前完成。"),
];

/// Imports the demo's supervision items with a progress report each (once), and applies the
/// rules on the demo's date: DB001 is past its deadline and deducts from 石景山区; DB002 is days
/// from its deadline (黄色预警).
fn add_supervision(store: &mut Store, office: &Actor, cycle: &str) -> Result<()> {
    let settings = jixiao_app::Settings {
        today: chrono::NaiveDate::parse_from_str(DEMO_TODAY, "%Y-%m-%d").ok(),
        ..Default::default()
    };
    let fresh: Vec<&str> = SUPERVISION_REPORTS
        .iter()
        .map(|(id, _, _)| *id)
        .filter(|id| store.supervision_item(cycle, id).ok().flatten().is_none())
        .collect();
    jixiao_app::supervision::import(
        store,
        office,
        Some(cycle),
        "examples/beijing-2020/supervision.csv",
        SUPERVISION.as_bytes(),
    )?;
    for (id, progress, report) in SUPERVISION_REPORTS {
        if fresh.contains(&id) {
            jixiao_app::supervision::report(
                store,
                office,
                Some(cycle),
                id,
                progress,
                report,
                false,
            )?;
        }
    }
    jixiao_app::supervision::apply_deductions(store, &settings, office, Some(cycle))?;
    Ok(())
}

/// The task the demo's survey enters (公众满意度调查得分).
const SURVEY_TASK: &str = "C01-1";

/// Loads the demo cycle (task book, values, ledger) into an open database, as the office
/// named `actor`; returns the number of values.
pub fn load(store: &mut Store, actor: &str) -> Result<usize> {
    load_sized(store, actor, None)
}

/// [`load`] with `units` units ([`city_sized`]).
pub fn load_sized(store: &mut Store, actor: &str, units: Option<usize>) -> Result<usize> {
    let actor = Actor::office(actor);
    let (fw, mut rows, ledger) = cycle_sized(units)?;
    let source = units.is_none().then_some(TASKBOOK);
    jixiao_app::cycles::import_taskbook(store, &actor, &fw, source)?;
    // The survey gives its task's values for the demo's own units (not for a city-sized cycle,
    // whose made-up units the company's file does not list).
    let survey_task = units.is_none().then_some(SURVEY_TASK);
    // Values a survey or a rating round made are theirs: loading the demo again keeps them.
    let made = store.value_bases(&fw)?;
    rows.retain(|r| {
        let cell = (fw.node_index(&r.key.task), fw.unit_index(&r.key.unit));
        let made_by_source = match cell {
            (Some(t), Some(u)) => made.contains_key(&(t, u)),
            _ => false,
        };
        Some(r.key.task.as_str()) != survey_task && !made_by_source
    });
    jixiao_app::values::import(store, &actor, &fw.cycle.id, &rows, &mut |_| {})?;
    let mut count = rows.len();
    if units.is_none() {
        count += jixiao_app::surveys::import(
            store,
            &actor,
            Some(&fw.cycle.id),
            ("examples/beijing-2020/survey.toml", SURVEY.as_bytes()),
            (
                "examples/beijing-2020/survey-results.csv",
                SURVEY_RESULTS.as_bytes(),
            ),
        )?
        .units;
    }
    jixiao_app::ledger::import(store, &actor, &fw.cycle.id, &ledger)?;
    if units.is_none() {
        add_supervision(store, &actor, &fw.cycle.id)?;
    }
    jixiao_app::honours::import(
        store,
        &actor,
        Some(&fw.cycle.id),
        "examples/beijing-2020/honours.csv",
        HONOURS.as_bytes(),
    )?;
    if units.is_none() {
        count += add_district(store)?;
    }
    Ok(count)
}

/// The demo accounts that belong to an organisation below the city: (account, organisation).
pub const ORGANISATION_ACCOUNTS: [(&str, &str); 3] = [
    ("dc-office", DISTRICT_ORGANISATION),
    ("dc-zwfw", DISTRICT_ORGANISATION),
    ("dc-donghuamen", DISTRICT_ORGANISATION),
];

/// The organisation of the demo's second level: 东城区, running its streets' cycle.
pub const DISTRICT_ORGANISATION: &str = "dongcheng";

/// 东城区's task book for its 17 streets (分级考评, ILLUSTRATIVE).
pub const STREETS_TASKBOOK: &str =
    include_str!("../../../examples/dongcheng-streets-2020/taskbook.toml");

/// Loads the streets' cycle of 东城区 with synthetic values for every quarter, as the district
/// office would (the city's office may too: it oversees every level); returns the values.
fn add_district(store: &mut Store) -> Result<usize> {
    let file = "examples/dongcheng-streets-2020/taskbook.toml";
    let fw = jixiao_taskbook::parse_toml(STREETS_TASKBOOK, file).map_err(diagnosed)?;
    let mut office = Actor::office("demo");
    office.organisation = Some(DISTRICT_ORGANISATION.into());
    jixiao_app::cycles::import_taskbook(store, &office, &fw, Some(STREETS_TASKBOOK))?;
    let mut rows = synthetic_values(&fw, &[], SEED ^ 0x0d15_7c1c);
    // On the demo's date the fourth quarter is still being reported (due 2021-01-15): four
    // streets have not sent their quarterly figures yet (the year's evaluations are in).
    let late = [
        "dongcheng-s14",
        "dongcheng-s15",
        "dongcheng-s16",
        "dongcheng-s17",
    ];
    let quarterly: std::collections::HashSet<(String, String)> = rows
        .iter()
        .filter(|r| r.key.period == "Q3")
        .map(|r| (r.key.task.clone(), r.key.unit.clone()))
        .collect();
    rows.retain(|r| {
        !(r.key.period == "Q4"
            && late.contains(&r.key.unit.as_str())
            && quarterly.contains(&(r.key.task.clone(), r.key.unit.clone())))
    });
    jixiao_app::values::import(store, &office, &fw.cycle.id, &rows, &mut |_| {})?;
    Ok(rows.len())
}

/// Adds (or resets) the demo accounts of [`ACCOUNTS`].
pub fn add_accounts(store: &mut Store, actor: &str) -> Result<()> {
    let actor = Actor::office(actor);
    for (id, name, role, unit, evaluator, password) in ACCOUNTS {
        let organisation = ORGANISATION_ACCOUNTS
            .iter()
            .find(|(account, _)| *account == id)
            .map(|(_, o)| o.to_string());
        let user = jixiao_app::accounts::NewUser {
            id: id.into(),
            display_name: name.into(),
            password: password.into(),
            role: role.into(),
            unit_id: unit.map(str::to_string),
            evaluator_id: evaluator.map(str::to_string),
            email: None,
            organisation,
        };
        jixiao_app::accounts::seed_user(store, &actor, &user)?;
    }
    add_rounds(store, &actor)
}

/// The leader evaluation round (C02-1) and the online rating round of the demo.
pub const LEADER_ROUND: &str = include_str!("../../../examples/beijing-2020/rounds/leader.toml");
pub const ONLINE_ROUND: &str = include_str!("../../../examples/beijing-2020/rounds/online.toml");

/// Opens the demo's rating rounds once their raters exist: the leader evaluation, scored by its
/// three leaders and closed, so that its aggregates are task C02-1's values; the online rating
/// of the published results, open for its raters. A database that has them is left as it is.
fn add_rounds(store: &mut Store, office: &Actor) -> Result<()> {
    let Ok(fw) = jixiao_app::cycles::load(store, office, None) else {
        return Ok(());
    };
    let existing: Vec<String> = store
        .rating_rounds(&fw.cycle.id)?
        .into_iter()
        .map(|r| r.id)
        .collect();
    for (file, text) in [
        ("examples/beijing-2020/rounds/leader.toml", LEADER_ROUND),
        ("examples/beijing-2020/rounds/online.toml", ONLINE_ROUND),
    ] {
        let d = jixiao_taskbook::round::parse_round(text, file).map_err(diagnosed)?;
        if existing.contains(&d.id) {
            continue;
        }
        jixiao_app::ratings::open(store, office, Some(&fw.cycle.id), &d)?;
        if d.kind != jixiao_core::basis::RoundKind::Leader {
            continue;
        }
        let task = d.task.as_deref().and_then(|t| fw.node_index(t));
        for g in &d.groups {
            for rater in &g.raters {
                let user = store
                    .user(rater)?
                    .ok_or_else(|| anyhow!("the demo rater {rater} is missing"))?;
                let scores: Vec<(String, f64)> = (0..fw.units.len())
                    .filter(|&u| task.is_none_or(|t| fw.is_responsible(t, u)))
                    .map(|u| {
                        let mut rng = SplitMix64::new(cell_seed(2020, &fw.units[u].id, rater));
                        // 84–96 in half points: leaders score near the top of the scale.
                        let x = 84.0 + (rng.next_f64() * 24.0).floor() / 2.0;
                        (fw.units[u].id.clone(), x)
                    })
                    .collect();
                jixiao_app::ratings::cast(
                    store,
                    &jixiao_app::Settings::default(),
                    &Actor::from_user(user),
                    Some(&fw.cycle.id),
                    &d.id,
                    &scores,
                )?;
            }
        }
        jixiao_app::ratings::close(store, office, Some(&fw.cycle.id), &d.id)?;
    }
    Ok(())
}

fn diagnosed(d: Vec<jixiao_taskbook::Diagnostic>) -> anyhow::Error {
    anyhow!(
        "{}",
        d.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    )
}

/// A demo account: (id, display name, role, unit, evaluator, password). The passwords are
/// printed when the demo starts; they protect nothing real.
/// (id, display name, role, unit, evaluator, password).
pub type Account = (
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
);

pub const ACCOUNTS: [Account; 18] = [
    (
        "admin",
        "绩效办管理员",
        "admin",
        None,
        None,
        "demo-admin-2020",
    ),
    (
        "ghzrw",
        "市规划自然资源委(考评)",
        "evaluator",
        None,
        Some("ghzrw"),
        "demo-ghzrw-2020",
    ),
    (
        "sthjj",
        "市生态环境局(考评)",
        "evaluator",
        None,
        Some("sthjj"),
        "demo-sthjj-2020",
    ),
    (
        "dongcheng",
        "东城区(填报)",
        "reporter",
        Some("dongcheng"),
        None,
        "demo-dongcheng-2020",
    ),
    (
        "xicheng",
        "西城区(填报)",
        "reporter",
        Some("xicheng"),
        None,
        "demo-xicheng-2020",
    ),
    (
        "centre",
        "12345市民服务热线中心(派单)",
        "centre",
        None,
        None,
        "demo-centre-2020",
    ),
    (
        "donghuamen",
        "东华门街道(接诉即办承办)",
        "handler",
        Some("dongcheng-s01"),
        None,
        "demo-donghuamen-2020",
    ),
    (
        "dccgw",
        "东城区城市管理委员会(吹哨报到)",
        "handler",
        Some("dongcheng-d-cgw"),
        None,
        "demo-dccgw-2020",
    ),
    (
        "dczjw",
        "东城区住房和城乡建设委员会(吹哨报到)",
        "handler",
        Some("dongcheng-d-zjw"),
        None,
        "demo-dczjw-2020",
    ),
    (
        "wgy01",
        "东华门街道第1社区网格1网格员",
        "inspector",
        Some("dongcheng-s01-c01-g1"),
        None,
        "demo-wgy01-2020",
    ),
    // 评议人: the leaders of the leader evaluation, and the raters of the online rating.
    (
        "leader1",
        "市长(领导评价,示意)",
        "rater",
        None,
        None,
        "demo-leader1-2020",
    ),
    (
        "leader2",
        "常务副市长(领导评价,示意)",
        "rater",
        None,
        None,
        "demo-leader2-2020",
    ),
    (
        "leader3",
        "副市长(领导评价,示意)",
        "rater",
        None,
        None,
        "demo-leader3-2020",
    ),
    (
        "deputy1",
        "市人大代表(线上评绩效,示意)",
        "rater",
        None,
        None,
        "demo-deputy1-2020",
    ),
    (
        "cppcc1",
        "市政协委员(线上评绩效,示意)",
        "rater",
        None,
        None,
        "demo-cppcc1-2020",
    ),
    // 分级考评: the district office of 东城区 and two of its accounts, working only in the
    // streets' cycle (their organisation is in ORGANISATION_ACCOUNTS).
    (
        "dc-office",
        "东城区绩效办",
        "admin",
        None,
        None,
        "demo-dc-office-2020",
    ),
    (
        "dc-zwfw",
        "东城区政务服务管理局(考评)",
        "evaluator",
        None,
        Some("dc-zwfw"),
        "demo-dc-zwfw-2020",
    ),
    (
        "dc-donghuamen",
        "东华门街道(填报)",
        "reporter",
        Some("dongcheng-s01"),
        None,
        "demo-dc-donghuamen-2020",
    ),
];

/// The date the demo server judges deadlines against: the fourth quarter of 2020 is open.
pub const DEMO_TODAY: &str = "2020-12-20";

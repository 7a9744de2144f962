//! The demo's data pass the task book's value checks: every value within its task's bounds
//! (no disposal rate above 100 %), and no value that jumps without a note.

use jixiao_core::checks::{bounds_problem, jumps_in, kind_of, ValueKind};
use jixiao_core::inputs::Observation;

#[test]
fn every_demo_value_is_within_its_tasks_bounds() {
    let (fw, values, _) = jixiao_demo::cycle_sized(Some(360)).expect("the demo cycle");
    let mut problems = Vec::new();
    for v in &values {
        let t = fw.node_index(&v.key.task).expect("a task");
        if let Observation::Number(x) = v.observation {
            if let Some(p) = bounds_problem(&fw, t, x) {
                problems.push(format!(
                    "{} {} {}: {}",
                    v.key.unit, v.key.task, v.key.period, p.en
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
    // The case the walk-through found: 网格化管理问题处置率 is a rate, never above 100.
    let a23 = fw.node_index("A23-1").expect("A23-1");
    let task = fw.nodes[a23].task.as_ref().expect("a task");
    assert_eq!(kind_of(task, &fw.nodes[a23].name), ValueKind::Rate);
    assert!(values.iter().filter(|v| v.key.task == "A23-1").all(|v| v
        .observation
        .as_number()
        .is_some_and(|x| (0.0..=100.0).contains(&x))));
}

#[test]
fn no_demo_value_jumps_without_a_note() {
    for units in [None, Some(360)] {
        no_jumps(units);
    }
}

fn no_jumps(units: Option<usize>) {
    let (fw, values, _) = jixiao_demo::cycle_sized(units).expect("the demo cycle");
    let jumps = jumps_in(&fw, &values, &|_| None, &|_| None);
    let listed: Vec<String> = jumps
        .iter()
        .map(|(i, j)| {
            let v = &values[*i];
            format!(
                "{} {} {}: {:?} against {}",
                v.key.unit, v.key.task, v.key.period, v.observation, j.expected
            )
        })
        .collect();
    assert!(listed.is_empty(), "{listed:#?}");
}

/// The values the walk-through got accepted are refused, each with a reason in both languages.
#[test]
fn the_walk_throughs_impossible_values_are_refused() {
    let (fw, _, _) = jixiao_demo::cycle().expect("the demo cycle");
    let t = |id: &str| fw.node_index(id).expect(id);
    // PM2.5 concentration of −5 (an amount, never negative).
    let p = bounds_problem(&fw, t("A08-2"), -5.0).expect("−5 μg/m³ refused");
    assert!(p.en.contains("at least 0"), "{}", p.en);
    assert!(p.zh.contains("不应小于 0"), "{}", p.zh);
    // A rate of 150, 250, −5 or 1e20 (家庭厨余垃圾分出率 is a share in percent).
    let rate = fw
        .tasks()
        .find(|&i| fw.nodes[i].name == "家庭厨余垃圾分出率")
        .expect("a rate task");
    for x in [150.0, 250.0, -5.0, 1e20, 100.49] {
        assert!(bounds_problem(&fw, rate, x).is_some(), "{x} accepted");
    }
    for x in [0.0, 37.5, 100.0] {
        assert_eq!(bounds_problem(&fw, rate, x), None, "{x} refused");
    }
    // A 0–100 leader score of 150 or −10.
    for x in [150.0, -10.0] {
        assert!(bounds_problem(&fw, t("C02-1"), x).is_some(), "{x} accepted");
    }
    assert_eq!(bounds_problem(&fw, t("C02-1"), 88.5), None);
}

/// The jump check allows for the planned progress of a cumulative task (0.45 → 0.70 of the
/// target between Q2 and Q3), asks for a note beyond the threshold, against the previous period
/// and last year alike, and leaves small counts' chance variation alone.
#[test]
fn jumps_allow_for_planned_progress_and_ask_for_a_note() {
    use jixiao_core::checks::{jump, JumpAgainst};
    let (fw, _, _) = jixiao_demo::cycle().expect("the demo cycle");
    let a02 = fw.node_index("A02-1").expect("A02-1"); // 亿元, progress [0.2, 0.45, 0.7, 1.0]
                                                      // Q2 was 45: Q3 is expected at 70, so 70 and 100 pass and 120 jumps (71 % above plan).
    assert_eq!(jump(&fw, a02, 2, 70.0, Some(45.0), None), None);
    assert_eq!(jump(&fw, a02, 2, 100.0, Some(45.0), None), None);
    let j = jump(&fw, a02, 2, 120.0, Some(45.0), None).expect("a jump");
    assert_eq!(j.against, JumpAgainst::PreviousPeriod);
    assert!(
        (j.expected - 70.0).abs() < 1e-9 && j.threshold == 0.5,
        "{j:?}"
    );
    let words = j.words(&fw, a02, 120.0);
    assert!(words.zh.contains("请在说明中写明原因"), "{}", words.zh);
    // Against the same period last year: a halving is a jump.
    let j = jump(&fw, a02, 2, 30.0, None, Some(70.0)).expect("a jump");
    assert_eq!(j.against, JumpAgainst::LastYear);
    // A note answers it: rows with a note are not listed.
    let (_, values, _) = jixiao_demo::cycle().expect("the demo cycle");
    let mut rows: Vec<_> = values
        .iter()
        .filter(|v| v.key.task == "A02-1" && v.key.unit == "xicheng")
        .cloned()
        .collect();
    let q3 = rows.iter().position(|r| r.key.period == "Q3").expect("Q3");
    rows[q3].observation = Observation::Number(1e6);
    assert_eq!(
        jumps_in(&fw, &rows, &|_| None, &|_| None).len(),
        2,
        "Q3 and Q4 jump"
    );
    rows[q3].note = "并购项目一次性入账".into();
    assert_eq!(
        jumps_in(&fw, &rows, &|_| None, &|_| None).len(),
        1,
        "Q4 still drops"
    );
}

#[test]
fn rank_robustness_ranks_each_class_apart() {
    use jixiao_core::robustness::{analyse, RobustnessConfig};
    use jixiao_core::{Inputs, ValueRecord};
    let (fw, values, _) = jixiao_demo::cycle().expect("the demo cycle");
    let records: Vec<ValueRecord> = values
        .iter()
        .map(|r| ValueRecord {
            task: fw.node_index(&r.key.task).unwrap(),
            unit: fw.unit_index(&r.key.unit).unwrap(),
            period: fw.period_index(&r.key.period).unwrap(),
            observation: r.observation.clone(),
        })
        .collect();
    let inputs = Inputs::from_records(&fw, &records, Vec::new());
    let result = analyse(
        &fw,
        &inputs,
        RobustnessConfig {
            draws: 200,
            ..Default::default()
        },
    );
    let card = jixiao_core::score(&fw, &inputs);
    for r in &result {
        // The baseline is the rank scoring gives, which is within the unit's class.
        assert_eq!(
            Some(r.baseline),
            card.units[r.unit].rank,
            "{}",
            fw.units[r.unit].name
        );
    }
    let departments: Vec<u32> = result
        .iter()
        .filter(|r| fw.units[r.unit].class.as_deref() == Some("department"))
        .flat_map(|r| [r.baseline, r.min, r.max])
        .collect();
    assert_eq!(departments.len(), 9);
    assert!(
        departments.iter().all(|&x| (1..=3).contains(&x)),
        "{departments:?}"
    );
}

//! The worked examples of docs/scoring.md, one per method, reproduced exactly.

mod common;
use common::*;
use jixiao_core::inputs::{LedgerEntry, LedgerKind, Observation};
use jixiao_core::method::{apply, efficacy_coefficient, Detail, TaskContext};
use jixiao_core::model::*;
use jixiao_core::scoring::{score, NodeScore, NotApplicable};
use jixiao_core::{explain, explain_total, Lang};

fn one(method: Method, direction: Direction, points: f64, t: Targets, x: Observation) -> f64 {
    apply(
        TaskContext {
            method: &method,
            direction,
            points,
            targets: t,
        },
        &x,
        None,
    )
    .expect("scorable")
    .score
}

fn targets(target: f64, challenge: Option<f64>, floor: Option<f64>) -> Targets {
    Targets {
        target: Some(target),
        challenge,
        floor,
    }
}

fn close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-9, "{a} != {b}");
}

#[test]
fn efficacy_coefficient_example_gives_58_73() {
    let d = efficacy_coefficient(5.81, 12.0, 6.0);
    assert_eq!(format!("{d:.2}"), "58.73");
    let s = one(
        Method::Efficacy { cap: 100.0 },
        Direction::Higher,
        100.0,
        targets(12.0, None, Some(6.0)),
        Observation::Number(5.81),
    );
    assert_eq!(format!("{s:.2}"), "58.73");
}

#[test]
fn ratio_example_caps_at_120_percent_and_lower_is_better_inverts() {
    close(
        one(
            Method::Ratio { cap: 1.2 },
            Direction::Higher,
            2.0,
            targets(6.0, None, None),
            Observation::Number(8.5),
        ),
        2.4,
    );
    close(
        one(
            Method::Ratio { cap: 1.2 },
            Direction::Higher,
            2.0,
            targets(6.0, None, None),
            Observation::Number(4.5),
        ),
        1.5,
    );
    close(
        one(
            Method::Ratio { cap: 1.2 },
            Direction::Lower,
            1.0,
            targets(6.0, None, None),
            Observation::Number(5.03),
        ),
        6.0 / 5.03,
    );
}

#[test]
fn threshold_example_gives_full_points_or_the_partial_share() {
    close(
        one(
            Method::Threshold { partial: 0.6 },
            Direction::Higher,
            1.5,
            targets(100.0, None, None),
            Observation::Number(100.0),
        ),
        1.5,
    );
    close(
        one(
            Method::Threshold { partial: 0.6 },
            Direction::Higher,
            1.5,
            targets(100.0, None, None),
            Observation::Number(98.0),
        ),
        0.9,
    );
    close(
        one(
            Method::Threshold { partial: 0.0 },
            Direction::Lower,
            1.0,
            targets(0.0, None, None),
            Observation::Number(0.0),
        ),
        1.0,
    );
}

#[test]
fn piecewise_example_maps_floor_target_challenge() {
    let m = Method::Piecewise {
        floor_share: 0.6,
        challenge_share: 1.2,
        excess_as_bonus: false,
    };
    let t = targets(20.0, Some(25.0), Some(15.0));
    close(
        one(
            m.clone(),
            Direction::Higher,
            1.5,
            t,
            Observation::Number(18.0),
        ),
        1.26,
    );
    close(
        one(
            m.clone(),
            Direction::Higher,
            1.5,
            t,
            Observation::Number(21.8),
        ),
        1.5,
    );
    close(
        one(
            m.clone(),
            Direction::Higher,
            1.5,
            t,
            Observation::Number(14.0),
        ),
        0.0,
    );
    let bonus = Method::Piecewise {
        floor_share: 0.6,
        challenge_share: 1.2,
        excess_as_bonus: true,
    };
    let r = apply(
        TaskContext {
            method: &bonus,
            direction: Direction::Higher,
            points: 1.5,
            targets: t,
        },
        &Observation::Number(21.8),
        None,
    )
    .unwrap();
    close(r.score, 1.5);
    close(r.bonus_excess, 1.5 * 0.2 * 1.8 / 5.0);
    // Lower is better: the traffic index 5.03 between target 6 and challenge 5.
    let lower = targets(6.0, Some(5.0), Some(7.0));
    close(
        one(m, Direction::Lower, 1.0, lower, Observation::Number(6.5)),
        0.8,
    );
}

#[test]
fn growth_example_adds_per_point_above_target_growth() {
    let m = Method::Growth {
        base_share: 0.8,
        per_point: 0.02,
        cap_share: 1.0,
    };
    close(
        one(
            m.clone(),
            Direction::Higher,
            1.0,
            targets(15.0, None, None),
            Observation::Number(23.8),
        ),
        0.976,
    );
    close(
        one(
            m.clone(),
            Direction::Higher,
            1.0,
            targets(15.0, None, None),
            Observation::Number(40.0),
        ),
        1.0,
    );
    close(
        one(
            m,
            Direction::Higher,
            1.0,
            targets(15.0, None, None),
            Observation::Number(10.0),
        ),
        0.7,
    );
}

#[test]
fn deduction_qualitative_and_scaled_examples() {
    close(
        one(
            Method::Deduction {
                base: None,
                per_event: 0.5,
            },
            Direction::Lower,
            1.0,
            Targets::default(),
            Observation::Number(1.0),
        ),
        0.5,
    );
    close(
        one(
            Method::Deduction {
                base: None,
                per_event: 0.5,
            },
            Direction::Lower,
            1.0,
            Targets::default(),
            Observation::Number(3.0),
        ),
        0.0,
    );
    let q = Method::Qualitative {
        grades: vec![("优".into(), 1.0), ("良".into(), 0.85)],
    };
    close(
        one(
            q,
            Direction::Higher,
            2.0,
            Targets::default(),
            Observation::Grade("良".into()),
        ),
        1.7,
    );
    close(
        one(
            Method::Scaled {
                min: 0.0,
                max: 100.0,
            },
            Direction::Higher,
            15.0,
            Targets::default(),
            Observation::Number(88.6),
        ),
        13.29,
    );
}

#[test]
fn rank_example_scores_by_place_with_ties_sharing_the_best_place() {
    // Values 95, 90, 90, 80: the two 90s share 2nd place; step 0.1 from 2 points.
    let rank = Method::Rank {
        group: None,
        formula: RankFormula::Step { step: 0.1 },
        ties: TiePolicy::Min,
    };
    let fw = framework(
        4,
        vec![(2.0, task(rank, Direction::Higher, None, None, None))],
    );
    let card = score(
        &fw,
        &inputs(
            &fw,
            &[vec![n(95.0)], vec![n(90.0)], vec![n(90.0)], vec![n(80.0)]],
            vec![],
        ),
    );
    let s: Vec<f64> = card
        .units
        .iter()
        .map(|u| u.nodes[1].score().unwrap())
        .collect();
    for (a, b) in s.iter().zip([2.0, 1.9, 1.9, 1.7]) {
        close(*a, b);
    }
    let prop = Method::Rank {
        group: None,
        formula: RankFormula::Proportional,
        ties: TiePolicy::Average,
    };
    let fw = framework(
        4,
        vec![(3.0, task(prop, Direction::Higher, None, None, None))],
    );
    let card = score(
        &fw,
        &inputs(
            &fw,
            &[vec![n(95.0)], vec![n(90.0)], vec![n(90.0)], vec![n(80.0)]],
            vec![],
        ),
    );
    // Average ties: the 90s take rank 2.5 of 4 → 3 × (4 − 2.5)/3 = 1.5.
    close(card.units[1].nodes[1].score().unwrap(), 1.5);
    close(card.units[3].nodes[1].score().unwrap(), 0.0);
}

#[test]
fn normalisation_example_min_max_z_score_and_distance_to_target() {
    for (normalisation, expected) in [
        (Normalisation::MinMax, 0.5),
        (Normalisation::ZScore, 0.5),
        (Normalisation::DistanceToTarget, 0.8),
    ] {
        let m = Method::Normalised {
            normalisation,
            group: None,
        };
        let fw = framework(
            3,
            vec![(1.0, task(m, Direction::Higher, Some(100.0), None, None))],
        );
        let card = score(
            &fw,
            &inputs(&fw, &[vec![n(60.0)], vec![n(80.0)], vec![n(100.0)]], vec![]),
        );
        close(card.units[1].nodes[1].score().unwrap(), expected);
    }
}

#[test]
fn missing_values_score_zero_or_renormalise_the_siblings() {
    let ratio = |missing| Task {
        missing,
        ..task(
            Method::Ratio { cap: 1.0 },
            Direction::Higher,
            Some(10.0),
            None,
            None,
        )
    };
    let fw = framework(
        1,
        vec![
            (6.0, ratio(MissingPolicy::Zero)),
            (4.0, ratio(MissingPolicy::NotApplicable)),
        ],
    );
    // Task 2 missing and not applicable: task 1 (5/10 of 6 points) is scaled to the parent's 10.
    let card = score(&fw, &inputs(&fw, &[vec![n(5.0), None]], vec![]));
    assert_eq!(
        card.units[0].nodes[2],
        NodeScore::NotApplicable {
            reason: NotApplicable::Missing
        }
    );
    close(card.units[0].nodes[0].score().unwrap(), 10.0 * 3.0 / 6.0);
    // Task 1 missing scores zero: only task 2 counts.
    let card = score(&fw, &inputs(&fw, &[vec![None, n(10.0)]], vec![]));
    assert_eq!(card.units[0].nodes[1], NodeScore::Missing);
    close(card.units[0].total, 4.0);
}

#[test]
fn bonus_and_deductions_are_capped_and_added_last() {
    let fw = framework(
        2,
        vec![(
            100.0,
            task(
                Method::Ratio { cap: 1.0 },
                Direction::Higher,
                Some(10.0),
                None,
                None,
            ),
        )],
    );
    let entry = |unit, kind, points| LedgerEntry {
        unit,
        kind,
        points,
        reason: "r".into(),
        approver: "绩效办".into(),
    };
    let ledger = vec![
        entry(0, LedgerKind::Bonus, 2.0),
        entry(0, LedgerKind::Bonus, 2.0),
        entry(1, LedgerKind::Deduction, 7.0),
    ];
    let card = score(&fw, &inputs(&fw, &[vec![n(9.0)], vec![n(9.0)]], ledger));
    close(card.units[0].total, 90.0 + 3.0);
    close(card.units[1].total, 90.0 - 5.0);
    assert_eq!(card.units[0].grade.as_deref(), Some("优秀"));
    assert_eq!(card.units[1].grade.as_deref(), Some("良好"));
    assert_eq!((card.units[0].rank, card.units[1].rank), (Some(1), Some(2)));
    let text = explain_total(&fw, &card, 0, Lang::Zh);
    assert!(text.contains("加分 3.00(申报合计 4.00,上限 3)"), "{text}");
}

#[test]
fn separately_listed_units_are_scored_but_not_ranked() {
    let mut fw = framework(
        3,
        vec![(
            10.0,
            task(
                Method::Ratio { cap: 1.0 },
                Direction::Higher,
                Some(10.0),
                None,
                None,
            ),
        )],
    );
    fw.units[0].ranked = false;
    let card = score(
        &fw,
        &inputs(&fw, &[vec![n(10.0)], vec![n(8.0)], vec![n(9.0)]], vec![]),
    );
    assert_eq!(card.units[0].rank, None);
    close(card.units[0].total, 10.0);
    assert_eq!((card.units[1].rank, card.units[2].rank), (Some(2), Some(1)));
    // Group ranks: unit 2 is in g1 with unit 0 (单列), so it ranks first there.
    assert_eq!(card.units[2].group_ranks, vec![(0, 1)]);
}

#[test]
fn an_explanation_names_the_method_inputs_and_the_formula_with_numbers() {
    let m = Method::Efficacy { cap: 100.0 };
    let fw = framework(
        1,
        vec![(
            100.0,
            task(m, Direction::Higher, Some(12.0), None, Some(6.0)),
        )],
    );
    let card = score(&fw, &inputs(&fw, &[vec![n(5.81)]], vec![]));
    let e = explain(&fw, &card, 0, 1, Lang::Zh);
    let text = e.to_text(Lang::Zh);
    assert!(text.contains("功效系数法"), "{text}");
    assert!(
        text.contains("d = 60 + 40 × (5.81 − 6)/(12 − 6) = 58.73"),
        "{text}"
    );
    assert!(text.contains("结果: 58.73 分"), "{text}");
    let en = explain(&fw, &card, 0, 1, Lang::En).to_text(Lang::En);
    assert!(
        en.contains("Method: efficacy") && en.contains("Result: 58.73 points"),
        "{en}"
    );
    let json = serde_json::to_value(&e).unwrap();
    assert_eq!(json["method"], "efficacy");
    assert_eq!(
        json["result"],
        serde_json::json!(card.units[0].nodes[1].score().unwrap())
    );
    assert!(
        matches!(&card.units[0].nodes[1], NodeScore::Task(t) if matches!(t.detail, Detail::Efficacy { .. }))
    );
}

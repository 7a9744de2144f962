//! Special tasks (专项 tags) and formula tasks, end to end through the task book: declared,
//! checked with located errors, scored, ranked apart and explained.

use jixiao_core::inputs::{Inputs, Observation, ValueRecord};
use jixiao_core::scoring::{score, NodeScore};
use jixiao_core::{explain, Lang};
use jixiao_taskbook::{parse_toml, to_toml};

const BOOK: &str = r#"
[cycle]
id = "2020"
name = "测试周期"
start = 2020-01-01
end = 2020-12-31
periods = "half_yearly"

[[unit]]
id = "a"
name = "甲区"

[[unit]]
id = "b"
name = "乙区"

[[unit]]
id = "c"
name = "丙区"
ranked = false

[[tag]]
id = "env"
name = "污染防治"

[[tag]]
id = "open"
name = "政务公开"
kind = "theme"

[[node]]
id = "A"
name = "战略绩效"
points = 10
children_sum = true
tags = ["env"]

[[node]]
id = "A1"
parent = "A"
name = "降尘量"
points = 6
method = "ratio"
target = 10
tags = ["env"]

[[node]]
id = "A2"
parent = "A"
name = "水质达标"
points = 4
method = "threshold"
target = 3
responsible = ["a", "c"]

[[node]]
id = "B"
name = "行政效能"
points = 2
children_sum = true

[[node]]
id = "B1"
parent = "B"
name = "依申请公开办结率"
points = 2
method = "ratio"
formula = "[B1-done] / [B1-received] * 100"
measure = "%"
target = 95
tags = ["open"]

[[node]]
id = "B1-received"
parent = "B"
name = "受理依申请公开"
points = 0
method = "figure"
measure = "件"
period_rule = "sum"

[[node]]
id = "B1-done"
parent = "B"
name = "依申请公开已办结"
points = 0
method = "figure"
measure = "件"
period_rule = "sum"
"#;

fn record(
    fw: &jixiao_core::Framework,
    task: &str,
    unit: &str,
    period: usize,
    x: f64,
) -> ValueRecord {
    ValueRecord {
        task: fw.node_index(task).unwrap(),
        unit: fw.unit_index(unit).unwrap(),
        period,
        observation: Observation::Number(x),
    }
}

#[test]
fn a_formula_task_is_computed_from_the_years_figures_and_explained() {
    let fw = parse_toml(BOOK, "book.toml").expect("valid");
    let b1 = fw.node_index("B1").unwrap();
    assert!(fw.is_computed(b1) && !fw.reported_by_unit(b1));
    assert!(!fw.expects_value(b1, 0));
    let records = vec![
        // Received 100 + 108, done 80 + 89: the year's rate is 169 / 208, not a mean of rates.
        record(&fw, "B1-received", "a", 0, 100.0),
        record(&fw, "B1-received", "a", 1, 108.0),
        record(&fw, "B1-done", "a", 0, 80.0),
        record(&fw, "B1-done", "a", 1, 89.0),
        // b: nothing received, so no rate (and the task scores by its missing-value policy).
        record(&fw, "B1-received", "b", 1, 0.0),
        record(&fw, "B1-done", "b", 1, 0.0),
        // A value stored for the computed task itself does not count: the formula is the record.
        record(&fw, "B1", "b", 1, 100.0),
    ];
    let inputs = Inputs::from_records(&fw, &records, vec![]);
    let a = fw.unit_index("a").unwrap();
    let b = fw.unit_index("b").unwrap();
    let year = inputs.annual(b1, a).expect("computed");
    assert_eq!(year.observation, Observation::Number(81.25));
    assert_eq!(year.periods, vec![0, 1]);
    assert!(inputs.annual(b1, b).is_none());

    let card = score(&fw, &inputs);
    match &card.units[a].nodes[b1] {
        NodeScore::Task(t) => assert!((t.score - 2.0 * 81.25 / 95.0).abs() < 1e-9),
        other => panic!("{other:?}"),
    }
    assert_eq!(card.units[b].nodes[b1], NodeScore::Missing);
    // Figures are not scored: they do not move their indicator.
    let received = fw.node_index("B1-received").unwrap();
    assert_eq!(card.units[a].nodes[received].score(), Some(0.0));
    assert!(
        (card.units[a].nodes[fw.node_index("B").unwrap()]
            .score()
            .unwrap()
            - 2.0 * 81.25 / 95.0)
            .abs()
            < 1e-9
    );

    let e = explain(&fw, &card, a, b1, Lang::Zh).to_text(Lang::Zh);
    assert!(
        e.contains("依申请公开已办结 ÷ 受理依申请公开 × 100 = 169 ÷ 208 × 100 = 81.25%"),
        "{e}"
    );
    let e = explain(&fw, &card, a, b1, Lang::En).to_text(Lang::En);
    assert!(e.contains("x is computed"), "{e}");
}

#[test]
fn a_tag_scores_its_covering_nodes_once_and_ranks_by_rate() {
    let fw = parse_toml(BOOK, "book.toml").expect("valid");
    // A is tagged, and so is its child A1: A alone covers, so A1 does not count twice.
    let cover = jixiao_core::tags::covering_nodes(&fw, "env");
    assert_eq!(cover, vec![fw.node_index("A").unwrap()]);
    assert_eq!(jixiao_core::tags::tasks_of(&fw, "env").len(), 2);
    let records = vec![
        record(&fw, "A1", "a", 1, 5.0),  // 3 of 6
        record(&fw, "A2", "a", 1, 3.0),  // 4 of 4
        record(&fw, "A1", "b", 1, 10.0), // 6 of 6; A2 not b's task
        record(&fw, "A1", "c", 1, 10.0),
        record(&fw, "A2", "c", 1, 3.0),
    ];
    let inputs = Inputs::from_records(&fw, &records, vec![]);
    let card = score(&fw, &inputs);
    let s = jixiao_core::tags::score(&fw, &card, "env");
    let (a, b, c) = (0, 1, 2);
    assert!((s[a].attained - 7.0).abs() < 1e-9 && s[a].available == 10.0);
    assert!((s[a].rate.unwrap() - 70.0).abs() < 1e-9);
    // b's A renormalises over the task that applies: 10 of 10.
    assert!((s[b].rate.unwrap() - 100.0).abs() < 1e-9);
    assert_eq!((s[b].rank, s[a].rank), (Some(1), Some(2)));
    // 单列 units get a rate but no rank.
    assert!(s[c].rate.is_some() && s[c].rank.is_none());
    let order: Vec<usize> = jixiao_core::tags::standings(&s)
        .iter()
        .map(|x| x.unit)
        .collect();
    assert_eq!(order, vec![b, a, c]);
    // A tag on a computed task with no value anywhere: every unit's task is missing (0 points).
    let open = jixiao_core::tags::score(&fw, &card, "open");
    assert_eq!(open[a].rate, Some(0.0));
}

#[test]
fn tags_and_formulas_survive_the_round_trips() {
    let fw = parse_toml(BOOK, "book.toml").expect("valid");
    let again = parse_toml(&to_toml(&fw), "again.toml").expect("valid");
    assert_eq!(again, fw);
    let xlsx = jixiao_taskbook::xlsx::to_xlsx(&fw).unwrap();
    let back = jixiao_taskbook::xlsx::parse_xlsx(&xlsx, "book.xlsx").expect("valid");
    assert_eq!(back, fw);
}

fn errors(text: &str) -> Vec<String> {
    parse_toml(text, "book.toml")
        .expect_err("invalid")
        .iter()
        .map(|d| d.to_string())
        .collect()
}

#[test]
fn mistakes_are_located() {
    let e = errors(&BOOK.replace(r#"tags = ["env"]"#, r#"tags = ["envv"]"#));
    assert!(
        e.iter()
            .any(|m| m.contains("unknown tag `envv`") && m.contains("book.toml:")),
        "{e:?}"
    );
    let e = errors(&BOOK.replace("[B1-done] / [B1-received]", "[B1-done] / [B1-recieved]"));
    assert!(
        e.iter()
            .any(|m| m.contains("`B1-recieved`, which is not a node")),
        "{e:?}"
    );
    let e = errors(&BOOK.replace("[B1-done] / [B1-received] * 100", "[B1-done] / * 100"));
    assert!(e.iter().any(|m| m.contains("at character 13")), "{e:?}");
    let e = errors(&BOOK.replace("[B1-done] / [B1-received] * 100", "[B1] * 2"));
    assert!(
        e.iter().any(|m| m.contains("itself a formula task")),
        "{e:?}"
    );
    let e = errors(&BOOK.replace("[B1-done] / [B1-received] * 100", "[A] * 2"));
    assert!(e.iter().any(|m| m.contains("an indicator")), "{e:?}");
    let figure_with_points = BOOK.replace(
        "name = \"受理依申请公开\"\npoints = 0",
        "name = \"受理依申请公开\"\npoints = 1",
    );
    let e = errors(&figure_with_points);
    assert!(
        e.iter().any(|m| m.contains("its points must be 0")),
        "{e:?}"
    );
    let e = errors(&BOOK.replace("kind = \"theme\"", "kind = \"topic\""));
    assert!(e.iter().any(|m| m.contains("topic")), "{e:?}");
}

const CLASSES: &str = r#"
[cycle]
id = "2020"
name = "两类单位"
start = 2020-01-01
end = 2020-12-31
periods = "yearly"

[scoring]
total_points = 100

[[grade]]
name = "优秀"
min = 90

[[grade]]
name = "良好"
min = 0

[[class]]
id = "district"
name = "区政府"

[[class]]
id = "department"
name = "市政府部门"

[[unit]]
id = "a"
name = "甲区"
class = "district"

[[unit]]
id = "b"
name = "乙区"
class = "district"

[[unit]]
id = "x"
name = "市甲局"
kind = "department"
class = "department"

[[unit]]
id = "y"
name = "市乙局"
kind = "department"
class = "department"

[[node]]
id = "A"
name = "区域发展"
points = 80
classes = ["district"]
children_sum = true

[[node]]
id = "A1"
parent = "A"
name = "区级任务"
points = 80
method = "ratio"
target = 10

[[node]]
id = "D"
name = "部门职责"
points = 70
classes = ["department"]

[[node]]
id = "D1"
parent = "D"
name = "部门任务"
points = 70
method = "ratio"
target = 10

[[node]]
id = "S"
name = "共同指标"
points = 20
class_points = { department = 30 }

[[node]]
id = "S1"
parent = "S"
name = "共同任务"
points = 20
class_points = { department = 30 }
method = "ratio"
target = 10
"#;

#[test]
fn unit_classes_have_their_own_points_full_marks_and_ranking() {
    let fw = parse_toml(CLASSES, "classes.toml").expect("valid");
    let idx = |u: &str| fw.unit_index(u).unwrap();
    assert_eq!(fw.full_marks(idx("a")), 100.0);
    assert_eq!(
        fw.full_marks(idx("x")),
        100.0,
        "70 + 30, not the 170 of every root"
    );
    let s1 = fw.node_index("S1").unwrap();
    assert_eq!(
        (fw.points_for(s1, idx("a")), fw.points_for(s1, idx("x"))),
        (20.0, 30.0)
    );
    let a1 = fw.node_index("A1").unwrap();
    assert!(fw.is_responsible(a1, idx("a")) && !fw.is_responsible(a1, idx("x")));
    let mut records = Vec::new();
    for (u, task, x) in [
        ("a", "A1", 10.0),
        ("a", "S1", 10.0),
        ("b", "A1", 5.0),
        ("b", "S1", 10.0),
        ("x", "D1", 10.0),
        ("x", "S1", 5.0),
        ("y", "D1", 10.0),
        ("y", "S1", 10.0),
    ] {
        records.push(record(&fw, task, u, 0, x));
    }
    let card = score(&fw, &Inputs::from_records(&fw, &records, vec![]));
    let total = |u: &str| card.units[idx(u)].total;
    assert!((total("a") - 100.0).abs() < 1e-9);
    assert!((total("b") - 60.0).abs() < 1e-9);
    assert!(
        (total("y") - 100.0).abs() < 1e-9,
        "a department's total is on its own 100"
    );
    assert!(
        (total("x") - 85.0).abs() < 1e-9,
        "S1 half done: 15 of its 30 points"
    );
    // Each class is ranked apart: both classes have a first.
    let rank = |u: &str| card.units[idx(u)].rank;
    assert_eq!(
        (rank("a"), rank("b"), rank("y"), rank("x")),
        (Some(1), Some(2), Some(1), Some(2))
    );
    let order: Vec<&str> = card
        .standings(&fw, None)
        .into_iter()
        .map(|(u, _)| fw.units[u].id.as_str())
        .collect();
    assert_eq!(order, ["a", "b", "y", "x"]);
    assert_eq!(card.units[idx("x")].grade.as_deref(), Some("良好"));
    assert_eq!(card.units[idx("y")].grade.as_deref(), Some("优秀"));
    let text = jixiao_core::explain_total(&fw, &card, idx("x"), Lang::Zh);
    assert!(text.contains("类别:市政府部门(满分 100"), "{text}");
    assert!(!text.contains("区域发展"), "{text}");
    // The round trips keep the classes.
    assert_eq!(parse_toml(&to_toml(&fw), "again.toml").expect("valid"), fw);
    let xlsx = jixiao_taskbook::xlsx::to_xlsx(&fw).unwrap();
    assert_eq!(
        jixiao_taskbook::xlsx::parse_xlsx(&xlsx, "c.xlsx").expect("valid"),
        fw
    );
}

#[test]
fn class_mistakes_are_located() {
    let e = errors(&CLASSES.replace(
        "class = \"district\"\n\n[[unit]]\nid = \"b\"",
        "\n[[unit]]\nid = \"b\"",
    ));
    assert!(
        e.iter().any(|m| m.contains("give every unit its `class`")),
        "{e:?}"
    );
    let e = errors(&CLASSES.replace(
        "class_points = { department = 30 }\n\n[[node]]\nid = \"S1\"",
        "class_points = { department = 40 }\n\n[[node]]\nid = \"S1\"",
    ));
    assert!(
        e.iter()
            .any(|m| m
                .contains("class `department` add up to 110 points but its full marks are 100")),
        "{e:?}"
    );
    let e = errors(&CLASSES.replace("classes = [\"department\"]", "classes = [\"dept\"]"));
    assert!(
        e.iter().any(|m| m.contains("unknown class `dept`")),
        "{e:?}"
    );
}

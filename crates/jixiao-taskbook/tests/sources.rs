//! The files of assessment sources: a survey's questionnaire and a rating round, read with
//! located errors.

use jixiao_taskbook::round::parse_round;
use jixiao_taskbook::survey::{parse_survey, read_results};

fn demo() -> jixiao_core::Framework {
    jixiao_taskbook::parse_toml(
        include_str!("../../../examples/beijing-2020/taskbook.toml"),
        "taskbook.toml",
    )
    .unwrap()
}

const QUESTIONNAIRE: &str = include_str!("../../../examples/beijing-2020/survey.toml");

#[test]
fn the_demo_questionnaire_reads_and_maps_the_companys_names() {
    let fw = demo();
    let survey = parse_survey(&fw, QUESTIONNAIRE, "survey.toml").unwrap();
    assert_eq!(survey.questionnaire.items.len(), 4);
    let weights: f64 = survey.questionnaire.items.iter().map(|i| i.weight).sum();
    assert_eq!(weights, 100.0);
    let results = read_results(
        &fw,
        &survey,
        include_bytes!("../../../examples/beijing-2020/survey-results.csv"),
        "survey-results.csv",
    )
    .unwrap();
    assert_eq!(
        results.len(),
        20 * 4,
        "16 districts, the zone and three departments"
    );
    assert!(results.iter().any(|r| r.unit == "bda"), "经开区 → bda");
    assert!(results
        .iter()
        .filter(|r| r.item == "livelihood")
        .all(|r| r.sd.is_none()));
}

#[test]
fn questionnaire_mistakes_are_named_with_their_line() {
    let fw = demo();
    let text = QUESTIONNAIRE
        .replace("scale = 100", "scale = 0")
        .replace("weight = 40", "weight = -1")
        .replace("\"经开区\" = \"bda\"", "\"经开区\" = \"yizhuang\"")
        .replace(
            "[columns]\nunit = \"区\"\nsample = \"有效样本\"",
            "[columns]\nunit = \"区\"",
        );
    let errors: Vec<String> = parse_survey(&fw, &text, "q.toml")
        .unwrap_err()
        .iter()
        .map(ToString::to_string)
        .collect();
    let all = errors.join("\n");
    for expected in [
        "q.toml:9:9: `scale` must be above 0",
        "`yizhuang` is not a unit of cycle 2020",
        "`weight` must be above 0",
        "item `overall` has no sample size",
    ] {
        assert!(all.contains(expected), "{expected} in\n{all}");
    }
}

#[test]
fn a_round_file_reads_and_its_mistakes_are_located() {
    let d = parse_round(
        include_str!("../../../examples/beijing-2020/rounds/leader.toml"),
        "leader.toml",
    )
    .unwrap();
    assert_eq!(d.task.as_deref(), Some("C02-1"));
    assert_eq!(d.groups[1].raters, ["leader2", "leader3"]);
    let errors: Vec<String> = parse_round(
        "id = \"r\"\nname = \"评分\"\nkind = \"poll\"\ndisclose_from = 0.5\ncolour = 1\n",
        "r.toml",
    )
    .unwrap_err()
    .iter()
    .map(ToString::to_string)
    .collect();
    let all = errors.join("\n");
    assert!(
        all.contains("r.toml:3:8: kind `poll`: expected leader, online or session"),
        "{all}"
    );
    assert!(
        all.contains("r.toml:4:17: `disclose_from` must be a whole number from 1"),
        "{all}"
    );
    assert!(all.contains("r.toml:5:1: unknown field `colour`"), "{all}");
    // A last day for ballots: a date, located when it is not one.
    let group = "[[group]]\nid = \"g\"\nname = \"组\"\nweight = 1\nraters = [\"deputy1\"]\n";
    let d = parse_round(
        &format!("id = \"r\"\nname = \"评分\"\nkind = \"online\"\ncloses = 2020-12-25\n{group}"),
        "r.toml",
    )
    .unwrap();
    assert_eq!(d.closes, chrono::NaiveDate::from_ymd_opt(2020, 12, 25));
    let bad = parse_round(
        &format!("id = \"r\"\nname = \"评分\"\nkind = \"online\"\ncloses = \"soon\"\n{group}"),
        "r.toml",
    )
    .unwrap_err();
    assert!(bad[0].to_string().starts_with("r.toml:4:"), "{bad:?}");
}

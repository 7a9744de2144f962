//! 多元评价 through the API: a survey's scores and margins from the company's file, imports that
//! refuse bad files whole, and rating rounds whose ballots only their raters see.

mod support;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::*;

const QUESTIONNAIRE: &str = include_str!("../../../examples/beijing-2020/survey.toml");
const RESULTS: &str = include_str!("../../../examples/beijing-2020/survey-results.csv");

async fn import(s: &Session, q: &str, results: (&str, &str)) -> (StatusCode, Value) {
    post_files(
        s,
        "/api/v1/cycles/2020/surveys",
        &[
            ("questionnaire", "survey.toml", q.as_bytes()),
            ("file", results.0, results.1.as_bytes()),
        ],
    )
    .await
}

/// The row of a unit in the example results file, by header.
fn row_of(unit: &str) -> std::collections::HashMap<String, f64> {
    let mut lines = RESULTS.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<&str> = lines
        .find(|l| l.starts_with(&format!("{unit},")))
        .unwrap()
        .split(',')
        .collect();
    header
        .iter()
        .zip(&row)
        .filter_map(|(h, v)| Some((h.to_string(), v.parse().ok()?)))
        .collect()
}

#[tokio::test]
async fn a_surveys_scores_and_margins_come_from_the_companys_file_and_enter_the_task() {
    let app = spawn().await;
    let admin = Session::login(&app, "admin").await;
    let (status, surveys) = admin.get("/api/v1/cycles/2020/surveys").await;
    assert_eq!(status, StatusCode::OK, "{surveys}");
    let survey = &surveys[0];
    assert_eq!(survey["task"], "C01-1");
    assert_eq!(
        survey["units"].as_array().unwrap().len(),
        20,
        "经开区 mapped by [units]"
    );
    // 东城区: items weighted 40/20/20/20 on a 100-point scale.
    let r = row_of("东城区");
    let score = 0.4 * r["总体满意度"]
        + 0.2 * r["政务服务"]
        + 0.2 * r["城市管理与环境"]
        + 0.2 * r["民生保障"];
    // The margin: the weighted standard errors added (items fully correlated), 民生保障 with no
    // standard deviation taking half the scale.
    let n = r["有效样本"];
    let se = (0.4 * r["总体满意度标准差"]
        + 0.2 * r["政务服务标准差"]
        + 0.2 * r["城市管理与环境标准差"]
        + 0.2 * 50.0)
        / n.sqrt();
    let dc = survey["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit_id"] == "dongcheng")
        .unwrap();
    assert!(
        (dc["score"].as_f64().unwrap() - score).abs() < 0.006,
        "{dc} vs {score}"
    );
    assert!(
        (dc["margin"].as_f64().unwrap() - 1.959_964 * se).abs() < 0.006,
        "{dc}"
    );
    assert_eq!(dc["sample"].as_f64(), Some(n));
    // The task's value is the score, and its explanation gives the items, sample and margin.
    let (_, e) = admin
        .get("/api/v1/cycles/2020/units/dongcheng/explain/C01-1")
        .await;
    let text = e["text"].as_str().unwrap();
    assert!(text.contains(&format!("x = {:.2}分", score)), "{text}");
    assert!(
        text.contains(&format!("样本 {n} 份,95% 置信区间 ±{}", dc["margin"])),
        "{text}"
    );
    // The results report carries the survey's table with the margins, the published one too.
    let report = admin
        .client
        .get(format!(
            "{}/api/v1/cycles/2020/reports/results/md",
            admin.base
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let row = format!(
        "| 东城区 | {:.2} | {:.2} | {n} |",
        dc["score"].as_f64().unwrap(),
        dc["margin"].as_f64().unwrap()
    );
    assert!(
        report.contains("公众评价与领导评价") && report.contains(&row),
        "{row} in the report"
    );
    let (status, _) = admin
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/publication",
            Some(json!({"published": true})),
        )
        .await;
    assert!(status.is_success());
    let public = admin
        .client
        .get(format!("{}/public/2020/results/md", admin.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        public.contains(&row),
        "the published report, from the frozen version, has it too"
    );
    // The evaluators see surveys; a unit does not.
    let evaluator = Session::login(&app, "ghzrw").await;
    assert_eq!(
        evaluator.get("/api/v1/cycles/2020/surveys").await.0,
        StatusCode::OK
    );
    let unit = Session::login(&app, "dongcheng").await;
    assert_eq!(
        unit.get("/api/v1/cycles/2020/surveys").await.0,
        StatusCode::FORBIDDEN
    );
    app.stop().await;
}

#[tokio::test]
async fn a_bad_survey_file_is_refused_whole_and_the_same_files_twice_change_nothing() {
    let app = spawn().await;
    let admin = Session::login(&app, "admin").await;
    let (_, before) = admin.get("/api/v1/cycles/2020/surveys").await;
    // The same files as the demo's: nothing changes.
    let (status, out) = import(&admin, QUESTIONNAIRE, ("survey-results.csv", RESULTS)).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let (status, again) = import(&admin, QUESTIONNAIRE, ("survey-results.csv", RESULTS)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["changed"], false, "{again}");
    // A mean outside the scale, a sample that is not a count, a unit the cycle does not have,
    // and a unit missing: each named, nothing written.
    let bad = RESULTS
        .replacen("东城区,1139,88.6", "东城区,11x9,188.6", 1)
        .replacen("西城区,", "西城,", 1)
        .lines()
        .filter(|l| !l.starts_with("朝阳区,"))
        .collect::<Vec<_>>()
        .join("\n");
    let (status, err) = import(&admin, QUESTIONNAIRE, ("bad.csv", &bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    let message = err["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string()
        + &err.to_string();
    for expected in [
        "bad.csv: row 2, column B (有效样本): `11x9` is not a sample size",
        "bad.csv: row 2, column C (总体满意度): 188.6 is outside the scale 0–100",
        "`西城` is not a unit of cycle 2020",
        "no row for 西城区、朝阳区",
    ] {
        assert!(message.contains(expected), "{expected} in {message}");
    }
    // A questionnaire naming a column the file lacks, and a task that is not one.
    let q = QUESTIONNAIRE
        .replace("task = \"C01-1\"", "task = \"C01\"")
        .replace("column = \"政务服务\"", "column = \"服务\"");
    let (status, err) = import(&admin, &q, ("survey-results.csv", RESULTS)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        err.to_string()
            .contains("survey.toml:7:8: `C01` is an indicator"),
        "{err}"
    );
    let (_, after) = admin.get("/api/v1/cycles/2020/surveys").await;
    assert_eq!(
        before[0]["units"], after[0]["units"],
        "a refused import writes nothing"
    );
    app.stop().await;
}

#[tokio::test]
async fn leaders_ballots_enter_the_task_as_aggregates_and_nobody_sees_another_raters_scores() {
    let app = spawn().await;
    let admin = Session::login(&app, "admin").await;
    let (status, rounds) = admin.get("/api/v1/cycles/2020/rounds").await;
    assert_eq!(status, StatusCode::OK, "{rounds}");
    let leader = rounds
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "lingdao-2020")
        .unwrap();
    assert_eq!(leader["status"], "closed");
    assert_eq!(
        (leader["raters"].as_u64(), leader["raters_done"].as_u64()),
        (Some(3), Some(3))
    );
    // 主要领导 is one leader: no group mean is shown anywhere (from the total it would follow).
    for u in leader["units"].as_array().unwrap() {
        assert_eq!(u["ballots"], 3);
        assert!(
            u["group_means"]
                .as_array()
                .unwrap()
                .iter()
                .all(Value::is_null),
            "{u}"
        );
    }
    let dc = leader["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit_id"] == "dongcheng")
        .unwrap();
    // Each leader sees their own scores only; the weighted total is half the mayor's score and
    // half the mean of the two vice-mayors'.
    let mut own = Vec::new();
    for id in ["leader1", "leader2", "leader3"] {
        let s = Session::login(&app, id).await;
        let (status, mine) = s.get("/api/v1/cycles/2020/ballots").await;
        assert_eq!(status, StatusCode::OK, "{mine}");
        let r = mine
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["round"] == "lingdao-2020")
            .unwrap();
        own.push(
            r["units"]
                .as_array()
                .unwrap()
                .iter()
                .find(|u| u["unit_id"] == "dongcheng")
                .unwrap()["score"]
                .as_f64()
                .unwrap(),
        );
        // A closed round takes no more ballots.
        let (status, _) = s
            .call(
                Method::PUT,
                "/api/v1/cycles/2020/ballots/lingdao-2020",
                Some(json!({"scores": {"dongcheng": 60}})),
            )
            .await;
        assert_eq!(status, StatusCode::CONFLICT);
    }
    let expected = 0.5 * own[0] + 0.5 * (own[1] + own[2]) / 2.0;
    assert!(
        (dc["score"].as_f64().unwrap() - expected).abs() < 0.006,
        "{dc} vs {expected}"
    );
    let (_, e) = admin
        .get("/api/v1/cycles/2020/units/dongcheng/explain/C02-1")
        .await;
    let text = e["text"].as_str().unwrap();
    assert!(text.contains("3 份评分按组加权"), "{text}");
    // The audit log records that a ballot was cast, never its scores.
    let (_, log) = admin.get("/api/v1/audit?action=ballot.cast").await;
    let entries = log.as_array().unwrap();
    assert_eq!(entries.len(), 3);
    for e in entries {
        assert_eq!(e["after"], "{\"units\":20}", "{e}");
    }
    app.stop().await;
}

#[tokio::test]
async fn an_online_rating_of_the_published_results_shows_aggregates_only_once_enough_raters_scored()
{
    let app = spawn().await;
    let admin = Session::login(&app, "admin").await;
    let (status, body) = admin
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/publication",
            Some(json!({"published": true})),
        )
        .await;
    assert!(status.is_success(), "{body}");
    let deputy = Session::login(&app, "deputy1").await;
    let (_, mine) = deputy.get("/api/v1/cycles/2020/ballots").await;
    let round = &mine[0];
    assert_eq!(round["round"], "xianshang-2020");
    assert_eq!(round["published"], true);
    let first = &round["units"][0];
    assert!(first["published_total"].is_number(), "{first}");
    // Out of scale, and a unit not in the round: refused whole.
    let (status, err) = deputy
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/ballots/xianshang-2020",
            Some(json!({"scores": {"dongcheng": 101, "nowhere": 80}})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
    assert!(
        err.to_string().contains("dongcheng: 101 is outside 0–100"),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("nowhere: not a unit of this round"),
        "{err}"
    );
    let (status, _) = deputy
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/ballots/xianshang-2020",
            Some(json!({"scores": {"dongcheng": 92, "xicheng": 88}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    // One ballot: counted, not shown.
    let (_, r) = admin.get("/api/v1/cycles/2020/rounds/xianshang-2020").await;
    let dc = |r: &Value| {
        r["units"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["unit_id"] == "dongcheng")
            .unwrap()
            .clone()
    };
    assert_eq!(dc(&r)["ballots"], 1);
    assert!(dc(&r)["score"].is_null(), "{}", dc(&r));
    // A rater of another round sees nothing of this one.
    let leader = Session::login(&app, "leader1").await;
    let (status, _) = leader
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/ballots/xianshang-2020",
            Some(json!({"scores": {"dongcheng": 10}})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let cppcc = Session::login(&app, "cppcc1").await;
    let (status, _) = cppcc
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/ballots/xianshang-2020",
            Some(json!({"scores": {"dongcheng": 86}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, r) = admin.get("/api/v1/cycles/2020/rounds/xianshang-2020").await;
    assert_eq!(dc(&r)["ballots"], 2);
    assert_eq!(dc(&r)["score"].as_f64(), Some(89.0));
    assert_eq!(r["raters_done"], 0, "neither scored every unit");
    // Closing a round without a task writes no value.
    let (status, closed) = admin
        .call(
            Method::POST,
            "/api/v1/cycles/2020/rounds/xianshang-2020/close",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{closed}");
    assert_eq!(closed["status"], "closed");
    // An evaluator may not see rounds.
    let evaluator = Session::login(&app, "ghzrw").await;
    assert_eq!(
        evaluator.get("/api/v1/cycles/2020/rounds").await.0,
        StatusCode::FORBIDDEN
    );
    app.stop().await;
}

#[tokio::test]
async fn a_round_takes_ballots_until_its_last_day_on_the_offices_date() {
    let app = spawn().await;
    let admin = Session::login(&app, "admin").await;
    let round = |id: &str, closes: &str| {
        json!({"id": id, "name": "开门考评(截止)", "kind": "session", "closes": closes,
               "units": ["dongcheng", "xicheng"],
               "groups": [{"id": "p", "name": "代表", "weight": 1, "raters": ["deputy1"]}]})
    };
    let (status, body) = admin
        .call(
            Method::POST,
            "/api/v1/cycles/2020/rounds",
            Some(round("bad", "12/31")),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["message"].as_str().unwrap().starts_with("closes:"),
        "{body}"
    );
    // The office's date is 2020-12-20: a round whose last day was the 19th takes no ballot; one
    // whose last day is today does.
    for (id, closes) in [("past", "2020-12-19"), ("today", "2020-12-20")] {
        let (status, body) = admin
            .call(
                Method::POST,
                "/api/v1/cycles/2020/rounds",
                Some(round(id, closes)),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        assert_eq!(body["closes"], closes);
    }
    let deputy = Session::login(&app, "deputy1").await;
    let (_, mine) = deputy.get("/api/v1/cycles/2020/ballots").await;
    let takes = |id: &str| {
        mine.as_array()
            .unwrap()
            .iter()
            .find(|r| r["round"] == id)
            .unwrap()["takes_ballots"]
            .clone()
    };
    assert_eq!((takes("past"), takes("today")), (json!(false), json!(true)));
    let scores = json!({"scores": {"dongcheng": 90, "xicheng": 88}});
    let (status, body) = deputy
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/ballots/past",
            Some(scores.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.to_string().contains("2020-12-19"), "{body}");
    let (status, _) = deputy
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/ballots/today",
            Some(scores),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    app.stop().await;
}

//! What units see of their own scores before publication is the office's choice per cycle, and
//! the unit page, task page, API, explanations, generated reports and the report checker obey
//! it. The office always sees everything.

mod support;
use jixiao_testkit::Browser;
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::*;

async fn set(admin: &Session, units_see: &str) {
    let (s, body) = admin
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/visibility",
            Some(json!({ "units_see": units_see })),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn units_see_what_the_office_chose_and_the_office_sees_everything() {
    let app = spawn().await;
    let admin = Session::login(&app, "admin").await;
    let unit = Session::login(&app, "dongcheng").await;
    let unit_pages = Browser::login(&app, "dongcheng").await;
    let office_pages = Browser::login(&app, "admin").await;
    let scores = "/api/v1/cycles/2020/units/dongcheng";

    // The default, as assessments are run: status only.
    set(&admin, "status").await;
    let (_, v) = unit.get("/api/v1/cycles/2020/visibility").await;
    assert_eq!(v["units_see"], "status");
    let (s, body) = unit.get(scores).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body["shown"], "status");
    assert!(body["total"].is_null() && body["rank"].is_null() && body["grade"].is_null());
    assert!(body["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["score"].is_null()));
    let page = unit_pages.text("/units/dongcheng").await;
    assert!(page.contains("id=\"scores-hidden\"") && !page.contains("id=\"unit-total\""));
    let task = unit_pages.text("/units/dongcheng/tasks/A01-1").await;
    assert!(task.contains("id=\"scores-hidden\"") && !task.contains("class=\"explanation\""));
    let (s, body) = unit
        .get("/api/v1/cycles/2020/units/dongcheng/explain/A01-1")
        .await;
    assert_eq!(
        (s, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("withheld")),
        "{body}"
    );
    for kind in ["self", "selfcheck"] {
        let (s, _) = unit
            .get(&format!(
                "/api/v1/cycles/2020/units/dongcheng/reports/{kind}/md"
            ))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{kind}");
    }
    // The office is not limited by it.
    let (_, body) = admin.get(scores).await;
    assert!(body["total"].as_f64().is_some() && body["shown"] == "total_and_rank");
    assert!(office_pages
        .text("/units/dongcheng")
        .await
        .contains("id=\"unit-total\""));

    // Task scores: each task's score, no roll-up, total, grade or rank.
    set(&admin, "task_scores").await;
    let (_, body) = unit.get(scores).await;
    assert_eq!(body["shown"], "task_scores");
    assert!(body["total"].is_null() && body["rank"].is_null());
    let nodes = body["nodes"].as_array().unwrap();
    assert!(nodes
        .iter()
        .filter(|n| n["is_task"] == true)
        .any(|n| n["score"].is_number()));
    assert!(nodes
        .iter()
        .filter(|n| n["is_task"] == false)
        .all(|n| n["score"].is_null()));
    let (s, _) = unit
        .get("/api/v1/cycles/2020/units/dongcheng/explain/A01-1")
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = unit
        .get("/api/v1/cycles/2020/units/dongcheng/explain/A")
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a dimension's score is a roll-up");
    let (s, _) = unit
        .get("/api/v1/cycles/2020/units/dongcheng/reports/selfcheck/md")
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = unit
        .get("/api/v1/cycles/2020/units/dongcheng/reports/self/md")
        .await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "the self-report states the total and rank"
    );

    // Everything.
    set(&admin, "total_and_rank").await;
    let (_, body) = unit.get(scores).await;
    assert!(body["total"].as_f64().is_some() && body["rank"].as_u64().is_some());
    let page = unit_pages.text("/units/dongcheng").await;
    assert!(page.contains("id=\"unit-total\""));
    assert!(
        page.contains("id=\"rank-by-period\""),
        "the standing after each period"
    );

    // Only the office sets it, and only to what exists.
    let (s, _) = unit
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/visibility",
            Some(json!({"units_see": "total_and_rank"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, body) = admin
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/visibility",
            Some(json!({"units_see": "all"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["message"].as_str().unwrap().contains("task_scores"));
    app.stop().await;
}

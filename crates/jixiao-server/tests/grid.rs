//! 网格化管理 through the API and the pages: the demo's grid inspector (`wgy01`, 东华门街道第1
//! 社区网格1) reports on patrol, disposed on the spot or passed to the street as a case; the
//! street handles it and the report counts as disposed; the month's figures follow; the office
//! feeds task A23-1 from the year's figures.

use jixiao_testkit::client::{Browser, Session};
use jixiao_testkit::spawn_hotline;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn report(s: &Session, body: Value) -> (StatusCode, Value) {
    s.call(Method::POST, "/api/v1/grid/reports", Some(body))
        .await
}

/// 东华门街道's row of Dongcheng's streets in `month`: (found, on the spot, disposed).
async fn street_figures(s: &Session, month: &str) -> (u64, u64, u64) {
    let (status, f) = s
        .get(&format!(
            "/api/v1/grid/figures?month={month}&district=dongcheng&level=street"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{f}");
    let row = f["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "dongcheng-s01")
        .cloned()
        .unwrap_or(json!({"found": 0, "on_the_spot": 0, "disposed": 0}));
    let n = |k: &str| row[k].as_u64().unwrap();
    (n("found"), n("on_the_spot"), n("disposed"))
}

#[tokio::test]
async fn an_inspector_reports_the_street_handles_what_was_passed_on_and_the_figures_and_a23_1_follow(
) {
    let (app, _) = spawn_hotline(200).await;
    let inspector = Session::login(&app, "wgy01").await;
    let street = Session::login(&app, "donghuamen").await;
    let office = Session::login(&app, "admin").await;
    let month = "2020-12";
    // The demo's patrol day: one report disposed on the spot (with a photo), one passed on.
    let before = street_figures(&office, month).await;
    assert!(before.0 >= 2 && before.1 >= 1, "{before:?}");

    // Bad reports are refused with the field that is wrong; nothing is stored.
    for (body, field) in [
        (
            json!({"category": "X9", "disposal": "on_the_spot"}),
            "category",
        ),
        (
            json!({"category": "E0101", "disposal": "later"}),
            "disposal",
        ),
        // A point in 西城区, outside the cell's street.
        (
            json!({"category": "E0101", "disposal": "on_the_spot", "lat": 39.912, "lon": 116.366}),
            "lat/lon",
        ),
        (
            json!({"category": "E0101", "disposal": "on_the_spot", "lat": 39.9}),
            "lat/lon",
        ),
    ] {
        let (s, e) = report(&inspector, body).await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert!(e.to_string().contains(field), "{field}: {e}");
    }
    // Another cell is not its own.
    let (s, _) = report(
        &inspector,
        json!({"grid": "dongcheng-s02-c01-g1", "category": "E0101", "disposal": "on_the_spot"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(street_figures(&office, month).await, before);

    // Disposed on the spot, sent twice with its id: recorded once.
    let body = json!({"category": "E0101", "disposal": "on_the_spot", "description": "路边暴露垃圾,已清理", "report_id": "app-1"});
    let (s, v) = report(&inspector, body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["report"]["disposal_zh"], "自行处置");
    let (s, v) = report(&inspector, body).await;
    assert_eq!((s, v["recorded"].clone()), (StatusCode::OK, json!(false)));
    // Passed on: a case dispatched to 东华门街道 at once, in its queue.
    let (s, v) = report(
        &inspector,
        json!({"category": "P0104", "disposal": "passed_on", "description": "路灯不亮", "report_id": "app-2"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let case = v["report"]["case_id"].as_str().unwrap().to_string();
    assert!(v["report"]["disposed_at"].is_null());
    let (_, work) = street.get("/api/v1/hotline/work").await;
    assert!(
        work["open"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == case.as_str()),
        "{work}"
    );
    let after_reports = street_figures(&office, month).await;
    assert_eq!(
        after_reports,
        (before.0 + 2, before.1 + 1, before.2 + 1),
        "found +2, on the spot +1, disposed +1"
    );
    // The street handles it: the report is disposed, in the same transaction.
    let (s, v) = street
        .call(
            Method::POST,
            &format!("/api/v1/hotline/cases/{case}/events"),
            Some(json!({"action": "handle", "note": "已更换灯泡"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(
        street_figures(&office, month).await,
        (before.0 + 2, before.1 + 1, before.2 + 2)
    );
    let (_, mine) = inspector.get("/api/v1/grid/reports").await;
    let passed = mine
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "app-2")
        .unwrap();
    assert!(passed["disposed_at"].is_string(), "{passed}");

    // The demo report's photo: its inspector and the office see it; the street's handler not.
    let b = Browser::login(&app, "wgy01").await;
    let resp = b
        .client
        .get(format!("{}/grid/reports/GR2020122001/photo", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "image/png");
    let h = Browser::login(&app, "donghuamen").await;
    let resp = h
        .client
        .get(format!("{}/grid/reports/GR2020122001/photo", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    // A district sees its own figures only; an inspector none.
    let reporter = Session::login(&app, "dongcheng").await;
    let (s, _) = reporter.get("/api/v1/grid/figures?district=xicheng").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, f) = reporter.get("/api/v1/grid/figures").await;
    assert_eq!(
        (s, f["district"].clone()),
        (StatusCode::OK, json!("dongcheng"))
    );
    let (s, _) = inspector.get("/api/v1/grid/figures").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, e) = office.get("/api/v1/grid/figures?month=June").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");

    // The office feeds A23-1 from the year: each district's disposal rate.
    let (_, year) = office.get("/api/v1/grid/figures?month=2020-12").await;
    assert!(year["rows"].as_array().unwrap().len() == 16, "{year}");
    let form = b
        .client
        .post(format!("{}/grid/feed", app.base))
        .form(&[("task", "A23-1"), ("csrf", &b.csrf().await)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        form.status(),
        StatusCode::FORBIDDEN,
        "the inspector may not"
    );
    let ob = Browser::login(&app, "admin").await;
    let form = ob
        .client
        .post(format!("{}/grid/feed", app.base))
        .form(&[("task", "A23-1"), ("csrf", &ob.csrf().await)])
        .send()
        .await
        .unwrap();
    assert_eq!(form.headers()["location"], "/grid?flash=saved");
    let (_, values) = office
        .get("/api/v1/cycles/2020/units/dongcheng/values")
        .await;
    let a23 = values
        .as_array()
        .or(values["values"].as_array())
        .unwrap()
        .iter()
        .find(|v| v["task_id"] == "A23-1" && v["period_id"] == "Q4")
        .cloned()
        .unwrap_or_default();
    assert!(
        a23["source"]
            .as_str()
            .unwrap_or_default()
            .contains("jixiao grid"),
        "A23-1 takes its value from the grid figures: {a23}"
    );
    let value: f64 = a23["value"].as_str().unwrap().parse().unwrap();
    assert!((80.0..=100.0).contains(&value), "{a23}");
    assert_eq!(a23["state"], "approved");
    app.stop().await;
}

//! Working hotline cases through the API, across the roles that do it: the 12345 centre
//! (`centre`), 东华门街道's handler (`donghuamen`) and the office; events posted with ids are
//! recorded once; the rates follow every step.

use jixiao_testkit::client::Session;
use jixiao_testkit::spawn_hotline;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

async fn step(s: &Session, case: &str, body: Value) -> (StatusCode, Value) {
    s.call(
        Method::POST,
        &format!("/api/v1/hotline/cases/{case}/events"),
        Some(body),
    )
    .await
}

fn stage(v: &Value) -> &str {
    v["case"]["stage"].as_str().unwrap_or_default()
}

#[tokio::test]
async fn a_case_goes_from_dispatch_to_callback_across_three_roles() {
    let (app, _) = spawn_hotline(300).await;
    let centre = Session::login(&app, "centre").await;
    let handler = Session::login(&app, "donghuamen").await;
    let reporter = Session::login(&app, "dongcheng").await;

    // The day of work: two new cases and a returned one wait for the centre, one for the callback.
    let (s, work) = centre.get("/api/v1/hotline/work").await;
    assert_eq!(s, StatusCode::OK, "{work}");
    let to_dispatch: Vec<&str> = work["to_dispatch"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    for id in ["D2020122001", "D2020122002", "D2020122003"] {
        assert!(to_dispatch.contains(&id), "{id} waits: {work}");
    }
    let (_, mine) = handler.get("/api/v1/hotline/work").await;
    let open: Vec<&str> = mine["open"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(
        open,
        [
            "D2020122004",
            "D2020122005",
            "D2020122007",
            "G-GR2020122002"
        ],
        "{mine}"
    );
    assert!(mine["open"][0]["hours_left"].is_number());

    let before = month(&centre).await;
    let case = "D2020122001";
    // The handler may not dispatch; the centre does, to a street of the geography.
    let (s, _) = step(
        &handler,
        case,
        json!({"action": "dispatch", "unit": "dongcheng-s01"}),
    )
    .await;
    assert!(
        s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND,
        "{s}"
    );
    let (s, e) = step(
        &centre,
        case,
        json!({"action": "dispatch", "unit": "atlantis-s01"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, v) = step(
        &centre,
        case,
        json!({"action": "dispatch", "unit": "dongcheng-s01", "event_id": "hub-1"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(stage(&v), "已派单", "{v}");
    // The platform posts the same event again: recorded once.
    let (s, v) = step(
        &centre,
        case,
        json!({"action": "dispatch", "unit": "dongcheng-s01", "event_id": "hub-1"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["recorded"], false);
    let (s, v) = step(
        &centre,
        case,
        json!({"action": "accept", "event_id": "hub-1"}),
    )
    .await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "an id reused for another event: {v}"
    );
    // Out of order: a callback before the case is handled.
    let (s, v) = step(
        &centre,
        case,
        json!({"action": "callback", "solved": true, "satisfaction": "satisfied"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

    // The handler accepts and handles it with a note.
    let (s, v) = step(&handler, case, json!({"action": "accept"})).await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = step(&handler, case, json!({"action": "handle", "note": ""})).await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a handled case says what was done: {v}"
    );
    let (s, v) = step(
        &handler,
        case,
        json!({"action": "handle", "note": "已联系交管部门拖移违停车辆"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    // The centre calls back and closes it.
    let (s, v) = step(
        &centre,
        case,
        json!({"action": "callback", "solved": true, "satisfaction": "satisfied"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = step(
        &centre,
        case,
        json!({"action": "close", "closure": "fixed"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["case"]["closure"], "已解决", "{v}");
    let events: Vec<String> = v["case"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e[1].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        events,
        ["dispatch", "respond", "handle", "callback", "close"]
    );
    assert!(v["case"]["events"][2][3]
        .as_str()
        .unwrap()
        .contains("拖移违停"));

    // The district's reporter sees the case (its district's), contacts masked.
    let (s, seen) = reporter.get(&format!("/api/v1/hotline/cases/{case}")).await;
    assert_eq!(s, StatusCode::OK, "{seen}");
    assert!(seen["contact"].as_str().unwrap().contains("****"));
    // Overdue cases of the district's streets are escalated to the district: its notifications
    // count them as the case list does.
    let (_, overdue) = reporter
        .get("/api/v1/hotline/cases?district=dongcheng&overdue=true")
        .await;
    let (_, notices) = reporter.get("/api/v1/notifications").await;
    let escalated = notices["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "hotline_overdue");
    let n = overdue["total"].as_i64().unwrap();
    assert!(n >= 1, "D2020122004 is overdue: {overdue}");
    assert_eq!(escalated.unwrap()["subject"], n.to_string(), "{notices}");
    // The street's December figures moved: one more case called back and solved.
    let after = month(&centre).await;
    assert_eq!(after["accepted"], before["accepted"].as_i64().unwrap() + 1);
    assert!(after["resolution_rate"].is_number(), "{after}");
    app.stop().await;
}

/// 东华门街道's December figures.
async fn month(s: &Session) -> Value {
    let (status, v) = s
        .get("/api/v1/hotline/units/dongcheng-s01/months/2020-12")
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    v
}

#[tokio::test]
async fn a_return_is_arbitrated_by_the_centre_and_a_handler_sees_only_its_unit() {
    let (app, _) = spawn_hotline(300).await;
    let centre = Session::login(&app, "centre").await;
    let handler = Session::login(&app, "donghuamen").await;
    // D…03 was returned by 东华门街道 (not its area): the centre re-dispatches it to 景山街道.
    let (s, case) = centre.get("/api/v1/hotline/cases/D2020122003").await;
    assert_eq!(s, StatusCode::OK, "{case}");
    assert!(case["steps"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x == "redispatch"));
    assert!(case["events"][1][3]
        .as_str()
        .unwrap()
        .contains("非本街道职责"));
    let (s, v) = step(
        &centre,
        "D2020122003",
        json!({"action": "redispatch", "unit": "dongcheng-s02"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert!(v["case"]["unit"].as_str().unwrap().contains("景山"), "{v}");
    // 东华门街道 no longer sees it, nor another district's case.
    let (s, _) = handler.get("/api/v1/hotline/cases/D2020122003").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = step(&handler, "D2020122003", json!({"action": "accept"})).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Its own case: a return with its reason goes back to the centre's queue, and counts in
    // 东华门街道's 退单率 (not in the rates of the street the case goes to next).
    let returns = |m: &Value| -> (f64, i64) {
        let r = m["rates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == "return")
            .unwrap()
            .clone();
        (
            r["numerator"].as_f64().unwrap(),
            r["denominator"].as_i64().unwrap(),
        )
    };
    let before = returns(&month(&centre).await);
    assert!(
        before.0 >= 1.0,
        "D…03's return counts for 东华门街道: {before:?}"
    );
    let (s, v) = step(
        &handler,
        "D2020122004",
        json!({"action": "return", "reason": "井盖属自来水集团,请改派"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert!(v["case"].is_null(), "the handler no longer sees it: {v}");
    let after = returns(&month(&centre).await);
    assert_eq!(
        after,
        (before.0 + 1.0, before.1),
        "a return moves the case to the returns"
    );
    let (_, work) = centre.get("/api/v1/hotline/work").await;
    assert!(work["to_dispatch"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == "D2020122004" && c["returns"] == 1));
    // Neither an evaluator nor a reporter works cases.
    let evaluator = Session::login(&app, "ghzrw").await;
    let (s, _) = step(
        &evaluator,
        "D2020122005",
        json!({"action": "handle", "note": "x"}),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test]
async fn a_street_applies_to_leave_a_case_out_of_its_rates_and_the_centre_decides() {
    let (app, _) = spawn_hotline(300).await;
    let centre = Session::login(&app, "centre").await;
    let handler = Session::login(&app, "donghuamen").await;
    let before = month(&centre).await;
    let (s, v) = step(
        &handler,
        "D2020122005",
        json!({"action": "apply_exclusion", "reason": "bogus", "note": "x"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (s, v) = step(
        &handler,
        "D2020122005",
        json!({"action": "apply_exclusion", "reason": "duplicate", "note": "与D2020122004为同一诉求"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert!(v["case"]["exclusion_request"]["approved"].is_null(), "{v}");
    let (s, _) = step(
        &handler,
        "D2020122005",
        json!({"action": "apply_exclusion", "reason": "duplicate", "note": "again"}),
    )
    .await;
    assert_eq!(s, StatusCode::CONFLICT, "one application at a time");
    // The handler may not decide its own application; the centre sees it waiting and approves.
    assert_eq!(decide(&handler, true).await.0, StatusCode::FORBIDDEN);
    let (_, work) = centre.get("/api/v1/hotline/work").await;
    assert_eq!(work["exclusions"][0]["case_id"], "D2020122005", "{work}");
    let (s, v) = decide(&centre, true).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["excluded"], true, "{v}");
    assert_eq!(v["exclusion_request"]["approved"], true);
    // Excluded cases count apart from the accepted ones.
    let after = month(&centre).await;
    assert_eq!(
        after["excluded"],
        before["excluded"].as_i64().unwrap() + 1,
        "{after}"
    );
    // Nothing left to decide.
    assert_eq!(decide(&centre, false).await.0, StatusCode::NOT_FOUND);
    app.stop().await;
}

async fn decide(who: &Session, approve: bool) -> (StatusCode, Value) {
    who.call(
        Method::POST,
        "/api/v1/hotline/cases/D2020122005/exclusion-decision",
        Some(json!({ "approve": approve })),
    )
    .await
}

#[tokio::test]
async fn rankings_carry_every_rate_with_intervals_and_the_boards_name_each_end() {
    let (app, _) = spawn_hotline(3000).await;
    let admin = Session::login(&app, "admin").await;
    let reporter = Session::login(&app, "dongcheng").await;
    let (s, r) = admin
        .get("/api/v1/hotline/ranking?month=2020-06&level=district")
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    let units = r["units"].as_array().unwrap();
    assert_eq!(units.len(), 16);
    let ids: Vec<&str> = units[0]["rates"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["id"].as_str())
        .collect();
    assert_eq!(
        ids,
        [
            "response",
            "resolution",
            "satisfaction",
            "on_time_completion",
            "reopen",
            "return"
        ]
    );
    // Ranked units first, in order, each score inside its interval; 样本不足 ones unranked.
    let mut last = f64::MAX;
    let mut seen_unranked = false;
    for u in units {
        let insufficient = u["insufficient"].as_bool().unwrap();
        assert_eq!(
            insufficient,
            u["accepted"].as_i64().unwrap() < 10,
            "the built-in minimum is 10: {u}"
        );
        if u["rank"].is_null() {
            seen_unranked = true;
            continue;
        }
        assert!(!seen_unranked, "ranked units come first");
        let (lo, score, hi) = (
            u["score_low"].as_f64().unwrap(),
            u["score"].as_f64().unwrap(),
            u["score_high"].as_f64().unwrap(),
        );
        assert!(lo <= score && score <= hi && score <= last, "{u}");
        last = score;
    }
    let (s, b) = admin
        .get("/api/v1/hotline/boards?month=2020-06&level=district")
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    let city = &b["groups"][0];
    assert_eq!(city["group"], "city");
    let ranked: Vec<&Value> = units.iter().filter(|u| !u["rank"].is_null()).collect();
    assert_eq!(city["red"][0]["unit"], ranked[0]["unit"]);
    assert_eq!(city["black"][0]["unit"], ranked.last().unwrap()["unit"]);
    assert!(b["groups"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["group"] == "urban6"));
    // A district's reporter gets its streets' lists, not the city's.
    let (s, b) = reporter.get("/api/v1/hotline/boards?month=2020-06").await;
    assert_eq!(s, StatusCode::OK, "{b}");
    assert_eq!(b["groups"].as_array().unwrap().len(), 1);
    assert_eq!(b["groups"][0]["group"], "dongcheng");
    let (s, _) = reporter
        .get("/api/v1/hotline/boards?month=2020-06&level=district")
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = admin.get("/api/v1/hotline/boards?month=June").await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn the_month_problem_is_designated_tracked_and_its_effect_measured() {
    // Enough cases for the demo's campaign (parking in eight Dongcheng streets from July) to
    // show: the generator moves a third of those streets' parking cases from July on.
    let (app, _) = spawn_hotline(30_000).await;
    let admin = Session::login(&app, "admin").await;
    let reporter = Session::login(&app, "dongcheng").await;
    let (s, list) = reporter.get("/api/v1/hotline/problems").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(list[0]["id"], "P2020-07-0301");
    assert_eq!(
        (
            list[0]["actions_done"].as_i64(),
            list[0]["actions"].as_i64()
        ),
        (Some(2), Some(3))
    );
    let (s, v) = reporter.get("/api/v1/hotline/problems/P2020-07-0301").await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["before"], json!(["2020-04", "2020-05", "2020-06"]));
    assert_eq!(v["after"], json!(["2020-07", "2020-08", "2020-09"]));
    assert_eq!(
        v["control_names"].as_array().unwrap().len(),
        9,
        "Dongcheng's other streets"
    );
    let cases = &v["effects"][0];
    assert_eq!(cases["outcome"], "cases");
    let e = &cases["effect"];
    let (est, low, high) = (
        e["estimate"].as_f64().unwrap(),
        e["low"].as_f64().unwrap(),
        e["high"].as_f64().unwrap(),
    );
    assert!(est < 0.0 && low < est && est < high, "{e}");
    let did = (e["treated_after"].as_f64().unwrap() - e["treated_before"].as_f64().unwrap())
        - (e["control_after"].as_f64().unwrap() - e["control_before"].as_f64().unwrap());
    assert!(
        (did - est).abs() < 1e-9,
        "the estimate is the difference of the differences"
    );
    assert_eq!(v["series"].as_array().unwrap().len(), 12);

    // The office designates another; mistakes are named, twice is a conflict, others may not.
    let good = json!({
        "month": "2020-08", "title": "噪声扰民", "category": "0201",
        "places": ["xicheng-s01", "xicheng-s02"], "leads": ["西城区生态环境局"],
        "actions": [{"text": "夜间施工巡查", "owner": "西城区城管执法局", "due": "2020-08-31"}]
    });
    let (s, p) = admin
        .call(Method::POST, "/api/v1/hotline/problems", Some(good.clone()))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{p}");
    assert_eq!(p["id"], "P2020-08-0201");
    let (s, _) = admin
        .call(Method::POST, "/api/v1/hotline/problems", Some(good.clone()))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    for (field, value, says) in [
        ("category", json!("9999"), "9999"),
        ("places", json!(["nowhere"]), "nowhere"),
        ("month", json!("August"), "August"),
        (
            "actions",
            json!([{"text": "x", "owner": "y", "due": "soon"}]),
            "soon",
        ),
    ] {
        let mut bad = good.clone();
        bad[field] = value;
        bad["month"] = if field == "month" {
            bad["month"].clone()
        } else {
            json!("2020-09")
        };
        let (s, body) = admin
            .call(Method::POST, "/api/v1/hotline/problems", Some(bad))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {body}");
        assert!(body.to_string().contains(says), "{field}: {body}");
    }
    let (s, _) = reporter
        .call(Method::POST, "/api/v1/hotline/problems", Some(good))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (_, list) = admin.get("/api/v1/hotline/problems").await;
    assert_eq!(list.as_array().unwrap().len(), 2, "nothing half-written");

    // The results report's 接诉即办 section: December's district ranking with the rules' marks,
    // the 红黑榜, the 治理类 streets and both problems with their effect.
    let (s, md) = admin.get("/api/v1/cycles/2020/reports/results/md").await;
    assert_eq!(s, StatusCode::OK);
    let md = md.as_str().unwrap();
    let section = md.split("、接诉即办").nth(1).expect("a hotline section");
    let section = section.split("\n## ").next().unwrap();
    assert!(section.contains("2020-12各区接诉即办考核排名"), "{section}");
    // In the ranking and in the table of the reported rates (按时办结率, 重办率, 退单率).
    assert_eq!(section.matches("| 东城区 |").count(), 2, "{section}");
    assert!(
        section.contains("2020-12各区报告指标（不计入综合得分）")
            && section.contains("退单率(%)")
            && section.contains("重办率(%)"),
        "{section}"
    );
    assert!(
        section.contains("红榜：") && section.contains("黑榜："),
        "{section}"
    );
    assert!(
        section.contains("老旧小区停车难、停车乱") && section.contains("工单量-"),
        "{section}"
    );
    assert!(section.contains("噪声扰民"), "{section}");
}

/// A handler keeps a photo of the handling on its case; the centre sees and downloads it; a
/// PDF is no photo; another street's handler neither uploads to the case nor downloads its files.
#[tokio::test]
async fn a_handler_keeps_a_photo_with_its_case_and_the_centre_sees_it() {
    use jixiao_testkit::client::Browser;
    let (app, _) = spawn_hotline(300).await;
    let handler = Browser::login(&app, "donghuamen").await;
    let csrf = handler.csrf().await;
    // The smallest PNG: its signature and an IHDR chunk are all the check reads.
    let png: Vec<u8> = [
        b"\x89PNG\r\n\x1a\n".as_slice(),
        b"\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde",
    ]
    .concat();
    let upload = |purpose: &'static str, name: &'static str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("purpose", purpose)
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            );
        handler
            .client
            .post(format!("{}/hotline/cases/D2020122004/files", app.base))
            .multipart(form)
            .send()
    };
    let resp = upload("photo", "井盖.png", png.clone()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let resp = upload("photo", "scan.pdf", b"%PDF-1.4 x\n%%EOF\n".to_vec())
        .await
        .unwrap();
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(location.contains("error="), "a PDF is no photo: {location}");
    let centre = Session::login(&app, "centre").await;
    let (s, case) = centre.get("/api/v1/hotline/cases/D2020122004").await;
    assert_eq!(s, StatusCode::OK, "{case}");
    let files = case["files"].as_array().unwrap();
    assert_eq!(files.len(), 1, "{case}");
    assert_eq!(files[0]["purpose"], "photo");
    assert_eq!(files[0]["file_name"], "井盖.png");
    let id = files[0]["id"].as_str().unwrap();
    let centre_pages = Browser::login(&app, "centre").await;
    let got = centre_pages
        .client
        .get(format!("{}/hotline/files/{id}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.bytes().await.unwrap().to_vec(), png);
    let page = centre_pages.text("/hotline/cases/D2020122004").await;
    assert!(
        page.contains("井盖.png") && page.contains("办理照片"),
        "listed on the case page"
    );
    // Another unit's account sees neither the file nor the upload form's case.
    let other = Browser::login(&app, "xicheng").await;
    let got = other
        .client
        .get(format!("{}/hotline/files/{id}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test]
async fn a_street_summons_two_departments_and_handles_the_case_once_both_are_done() {
    let (app, _) = spawn_hotline(300).await;
    let street = Session::login(&app, "donghuamen").await;
    let cgw = Session::login(&app, "dccgw").await;
    let zjw = Session::login(&app, "dczjw").await;
    let centre = Session::login(&app, "centre").await;
    let case = "D2020122007";
    let parts = |v: &Value| -> Vec<(String, String)> {
        v["parts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["department"].as_str().unwrap().to_string(),
                    p["state"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    // The day of work: 城管委 has reported, 住建委 has not; each sees its part in its queue.
    let (s, v) = street.get(&format!("/api/v1/hotline/cases/{case}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        parts(&v),
        [
            ("dongcheng-d-cgw".to_string(), "reported".to_string()),
            ("dongcheng-d-zjw".to_string(), "summoned".to_string())
        ]
    );
    assert!(!v["steps"].as_array().unwrap().iter().any(|x| x == "handle"));
    assert!(v["steps"].as_array().unwrap().iter().any(|x| x == "summon"));
    assert!(
        v["departments"].as_array().unwrap().len() == 3,
        "the district's other departments are offered: {}",
        v["departments"]
    );
    let (_, work) = zjw.get("/api/v1/hotline/work").await;
    assert_eq!(work["parts"][0]["case_id"], case, "{work}");
    assert!(work["parts"][0]["hours_left"].is_number());
    // A department sees the case it is summoned to, not the street's other cases.
    let (s, v) = zjw.get(&format!("/api/v1/hotline/cases/{case}")).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(
        v["steps"],
        json!(["report_part", "finish_part"]),
        "its own steps only"
    );
    let (s, _) = zjw.get("/api/v1/hotline/cases/D2020122005").await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The street may not mark it handled while parts are open.
    let (s, e) = step(&street, case, json!({"action": "handle", "note": "已处理"})).await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    assert!(e.to_string().contains("住房和城乡建设委员会"), "{e}");
    // It summons a third department; one of another district, or the same twice, is refused.
    let (s, e) = step(
        &street,
        case,
        json!({"action": "summon", "department": "xicheng-d-cgw", "task": "协助"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, e) = step(
        &street,
        case,
        json!({"action": "summon", "department": "dongcheng-d-cgw", "task": "再次"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, e) = step(
        &street,
        case,
        json!({"action": "summon", "department": "dongcheng-d-sthjj", "task": "检测噪声", "due": "not a time"}),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, v) = step(
        &street,
        case,
        json!({"action": "summon", "department": "dongcheng-d-sthjj", "task": "检测噪声", "due": "2020-12-22T18:00", "event_id": "s-1"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["case"]["parts"][2]["due"], "2020-12-22 18:00", "{v}");
    // Posted again with its id: nothing new.
    let (s, _) = step(
        &street,
        case,
        json!({"action": "summon", "department": "dongcheng-d-sthjj", "task": "检测噪声", "due": "2020-12-22T18:00", "event_id": "s-1"}),
    )
    .await;
    assert_eq!(s, StatusCode::OK);

    // A department takes only its own part.
    let (s, _) = step(
        &cgw,
        case,
        json!({"action": "finish_part", "department": "dongcheng-d-zjw", "note": "代为完成"}),
    )
    .await;
    assert!(
        s == StatusCode::FORBIDDEN || s == StatusCode::NOT_FOUND,
        "{s}"
    );
    let (s, v) = step(
        &zjw,
        case,
        json!({"action": "report_part", "department": "dongcheng-d-zjw"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    for (who, department, note) in [
        (&zjw, "dongcheng-d-zjw", "房屋结构安全,已出具意见"),
        (&cgw, "dongcheng-d-cgw", "违建已拆除,消防通道恢复"),
        (&centre, "dongcheng-d-sthjj", "噪声检测达标"),
    ] {
        let (s, v) = step(
            who,
            case,
            json!({"action": "finish_part", "department": department, "note": note}),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{department}: {v}");
    }
    let (s, v) = step(
        &street,
        case,
        json!({"action": "handle", "note": "三部门已完成,问题解决"}),
    )
    .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(stage(&v), "已办理");
    assert!(parts(&v["case"]).iter().all(|(_, st)| st == "done"));
    // Every step is on the case's record.
    let kinds: Vec<&str> = v["case"]["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e[1].as_str())
        .collect();
    for k in ["summon", "report", "finish", "handle"] {
        assert!(kinds.contains(&k), "{k}: {kinds:?}");
    }
    app.stop().await;
}

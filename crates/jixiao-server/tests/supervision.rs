//! 督查督办 through the API: warnings on the office's date, a unit's reports and the office's
//! decisions, the rule that turns overdue items into deductions once, and carrying pending items
//! into the next cycle.

mod support;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::*;

fn find<'a>(items: &'a Value, id: &str) -> &'a Value {
    items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == id)
        .unwrap_or_else(|| panic!("{id} in {items}"))
}

async fn deductions_of(admin: &Session, unit: &str) -> Vec<Value> {
    let (_, ledger) = admin.get("/api/v1/cycles/2020/ledger").await;
    ledger
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["unit_id"] == unit && e["reason"].as_str().unwrap_or("").contains("督查督办"))
        .cloned()
        .collect()
}

#[tokio::test]
async fn items_warn_as_deadlines_near_and_pass_and_an_overdue_item_deducts_once() {
    let app = spawn().await;
    let admin = Session::login(&app, "admin").await;
    let (status, list) = admin.get("/api/v1/cycles/2020/supervision").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let items = &list["items"];
    // On 2020-12-20: DB001 (due 2020-11-30, open) is red and deducts; DB002 (due 2020-12-31) is
    // 11 days away: yellow (15 days by default), not yet orange (5).
    assert_eq!(items[0]["id"], "DB001", "the most urgent first");
    let db001 = find(items, "DB001");
    assert_eq!(
        (db001["warning"].as_str(), db001["days_left"].as_i64()),
        (Some("red"), Some(-20))
    );
    assert_eq!(db001["deduction"].as_f64(), Some(0.5));
    let db002 = find(items, "DB002");
    assert_eq!(
        (db002["warning"].as_str(), db002["days_left"].as_i64()),
        (Some("yellow"), Some(11))
    );
    assert!(db002["deduction"].is_null());
    // The demo applied the rule: one entry for 石景山区, and applying it again adds nothing.
    assert_eq!(deductions_of(&admin, "shijingshan").await.len(), 1);
    let (status, out) = admin
        .call(
            Method::POST,
            "/api/v1/cycles/2020/supervision-deductions",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["entries"], 1);
    let entries = deductions_of(&admin, "shijingshan").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["points"].as_f64(), Some(0.5));
    assert!(entries[0]["reason"].as_str().unwrap().contains("[DB001]"));
    let (_, ranking) = admin.get("/api/v1/cycles/2020/ranking").await;
    let sjs = ranking["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit_id"] == "shijingshan")
        .unwrap();
    assert_eq!(
        sjs["deduction"].as_f64(),
        Some(0.5),
        "the deduction counts in the total"
    );
    // The office's rules move the warnings: orange from 15 days.
    let (status, _) = admin
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/supervision-rules",
            Some(json!({"yellow_days": 30, "orange_days": 15, "overdue_points": 0.5, "failed_points": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = admin.get("/api/v1/cycles/2020/supervision").await;
    assert_eq!(find(&list["items"], "DB002")["warning"], "orange");
    let (status, err) = admin
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/supervision-rules",
            Some(json!({"yellow_days": 3, "orange_days": 5, "overdue_points": -1, "failed_points": 1})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        err.to_string()
            .contains("yellow_days (3) must be at least orange_days (5)"),
        "{err}"
    );
    assert!(
        err.to_string().contains("overdue_points must be 0 or more"),
        "{err}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_unit_reports_progress_asks_for_closure_and_the_office_decides() {
    let app = spawn().await;
    let admin = Session::login(&app, "admin").await;
    let unit = Session::login(&app, "dongcheng").await;
    // A unit sees its own items only.
    let (_, mine) = unit.get("/api/v1/cycles/2020/supervision").await;
    let ids: Vec<&str> = mine["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["DB002"]);
    assert_eq!(
        unit.get("/api/v1/cycles/2020/supervision/DB001").await.0,
        StatusCode::FORBIDDEN
    );
    let other = Session::login(&app, "xicheng").await;
    let (_, none) = other.get("/api/v1/cycles/2020/supervision").await;
    assert_eq!(none["items"], json!([]));
    // Closure needs 100%; a report needs words.
    let report = |progress: i64, body: &str, close: bool| json!({"progress": progress, "body": body, "request_closure": close});
    let path = "/api/v1/cycles/2020/supervision/DB002/reports";
    let (status, err) = unit
        .call(Method::POST, path, Some(report(90, " ", true)))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        err.to_string()
            .contains("closure can be asked for at 100% only"),
        "{err}"
    );
    assert!(err.to_string().contains("body: say what was done"), "{err}");
    let (status, d) = unit
        .call(
            Method::POST,
            path,
            Some(report(100, "结余资金已全部清理,财政局确认函已上传。", true)),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["item"]["status"], "closure_requested");
    assert_eq!(d["item"]["progress"], 100);
    assert_eq!(
        d["reports"].as_array().unwrap().len(),
        2,
        "the demo's report and this one"
    );
    // The office refuses, then the unit asks again, then the office closes it on time.
    let decide = |what: &str| json!({"decision": what});
    let decision = "/api/v1/cycles/2020/supervision/DB002/decision";
    assert_eq!(
        unit.call(Method::POST, decision, Some(decide("close")))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let (_, d) = admin
        .call(Method::POST, decision, Some(decide("reopen")))
        .await;
    assert_eq!(d["item"]["status"], "open");
    unit.call(
        Method::POST,
        path,
        Some(report(100, "补充了确认函。", true)),
    )
    .await;
    let (status, d) = admin
        .call(Method::POST, decision, Some(decide("close")))
        .await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["item"]["status"], "closed");
    assert_eq!(d["item"]["closed_on"], "2020-12-20");
    assert_eq!(d["item"]["warning"], "none");
    assert!(
        d["item"]["deduction"].is_null(),
        "closed before its deadline"
    );
    // A closed item takes no more reports or decisions.
    assert_eq!(
        unit.call(Method::POST, path, Some(report(100, "再报", false)))
            .await
            .0,
        StatusCode::CONFLICT
    );
    assert_eq!(
        admin
            .call(Method::POST, decision, Some(decide("fail")))
            .await
            .0,
        StatusCode::CONFLICT
    );
    // An item the office finds failed deducts the failed points.
    let (status, created) = admin
        .call(
            Method::POST,
            "/api/v1/cycles/2020/supervision",
            Some(json!({"title": "违规占用耕地问题整改", "source": "审计", "unit": "xicheng", "deadline": "2021-03-31"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["item"]["id"].as_str().unwrap().to_string();
    assert_eq!(id, "DB003", "numbered after the demo's two");
    admin
        .call(
            Method::POST,
            &format!("/api/v1/cycles/2020/supervision/{id}/decision"),
            Some(decide("fail")),
        )
        .await;
    admin
        .call(
            Method::POST,
            "/api/v1/cycles/2020/supervision-deductions",
            None,
        )
        .await;
    let entries = deductions_of(&admin, "xicheng").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["points"].as_f64(), Some(1.0));
    // Mistakes are named, nothing is entered.
    let (status, err) = admin
        .call(
            Method::POST,
            "/api/v1/cycles/2020/supervision",
            Some(json!({"title": "x", "source": "rumour", "unit": "atlantis", "deadline": "2021-02-30"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for expected in [
        "source: `rumour`",
        "unit: `atlantis`",
        "deadline: `2021-02-30`",
    ] {
        assert!(err.to_string().contains(expected), "{expected} in {err}");
    }
    app.stop().await;
}

#[tokio::test]
async fn pending_items_carry_into_the_next_cycle_once_with_a_new_deadline() {
    let app = spawn().await;
    let admin = Session::login(&app, "admin").await;
    // The next cycle, made as the office makes it.
    {
        let url = app.database_url().unwrap().to_string();
        tokio::task::spawn_blocking(move || {
            let mut s = jixiao_store::Store::open(&url).unwrap();
            let office = jixiao_app::Actor::office("test");
            let next = jixiao_app::cycles::next(&mut s, &office, "2020", Some("2021")).unwrap();
            jixiao_app::cycles::import_taskbook(&mut s, &office, &next.framework, None).unwrap();
        })
        .await
        .unwrap();
    }
    let carry = json!({"to": "2021", "deadline": "2021-06-30"});
    let (status, out) = admin
        .call(
            Method::POST,
            "/api/v1/cycles/2020/supervision-carry",
            Some(carry.clone()),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(out["carried"], 2, "DB001 (overdue) and DB002 (open)");
    let (_, again) = admin
        .call(
            Method::POST,
            "/api/v1/cycles/2020/supervision-carry",
            Some(carry),
        )
        .await;
    assert_eq!(again["carried"], 0, "carried once");
    let (_, next) = admin.get("/api/v1/cycles/2021/supervision").await;
    let db001 = find(&next["items"], "DB001");
    assert_eq!(db001["carried_from"], "2020/DB001");
    assert_eq!(db001["deadline"], "2021-06-30");
    assert_eq!(db001["status"], "open");
    let (status, err) = admin
        .call(
            Method::POST,
            "/api/v1/cycles/2020/supervision-carry",
            Some(json!({"to": "2021", "deadline": "soon"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(err.to_string().contains("deadline: `soon`"), "{err}");
    app.stop().await;
}

async fn import(s: &Session, name: &str, body: &str) -> (StatusCode, Value) {
    post_files(
        s,
        "/api/v1/cycles/2020/supervision-import",
        &[("file", name, body.as_bytes())],
    )
    .await
}

#[tokio::test]
async fn an_item_list_imports_whole_or_not_at_all_and_twice_changes_nothing() {
    let app = spawn().await;
    let admin = Session::login(&app, "admin").await;
    let demo = include_str!("../../../examples/beijing-2020/supervision.csv");
    let (status, out) = import(&admin, "supervision.csv", demo).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    assert_eq!(
        out,
        json!({"inserted": 0, "updated": 0, "unchanged": 2}),
        "the demo imported it"
    );
    // A new item without an id is numbered; a changed deadline updates DB002 and keeps its
    // reports; a bad row refuses the whole file.
    let header = demo.lines().next().unwrap();
    let good = format!(
        "{header}\n,河道垃圾清理不及时,领导批示,市领导批示件(示意),西城区,2021-01-15,清理前后照片\nDB002,区级专项资金结余未及时清理,审计,市审计局2020年度审计报告(示意),东城区,2021-01-31,资金清理台账及区财政局确认函\n"
    );
    let bad =
        format!("{good},无来源事项,传闻,,西城区,2021-01-15,\n,第二项,审计,,不存在区,2021-13-01,\n");
    let (status, err) = import(&admin, "bad.csv", &bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for expected in [
        "bad.csv: row 4, column C (来源(source)): `传闻` is not a source",
        "bad.csv: row 5, column E (单位(unit)): `不存在区` is not a unit of cycle 2020",
        "bad.csv: row 5, column F (办结期限(deadline)): `2021-13-01` is not a date",
    ] {
        assert!(err.to_string().contains(expected), "{expected} in {err}");
    }
    let (_, list) = admin.get("/api/v1/cycles/2020/supervision").await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        2,
        "nothing written"
    );
    let (_, out) = import(&admin, "items.csv", &good).await;
    assert_eq!(out, json!({"inserted": 1, "updated": 1, "unchanged": 0}));
    let (_, again) = import(&admin, "items.csv", &good).await;
    assert_eq!(again, json!({"inserted": 0, "updated": 0, "unchanged": 2}));
    let (_, list) = admin.get("/api/v1/cycles/2020/supervision").await;
    let db002 = find(&list["items"], "DB002");
    assert_eq!(db002["deadline"], "2021-01-31");
    assert_eq!(db002["reports"], 1, "its report kept");
    assert_eq!(find(&list["items"], "DB003")["unit_id"], "xicheng");
    app.stop().await;
}

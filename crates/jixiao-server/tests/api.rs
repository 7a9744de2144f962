//! Black-box tests of the JSON API: a real server on port 0, its own database each.

mod support;
use jixiao_server::Config;
use reqwest::{Method, StatusCode};
use serde_json::json;
use support::*;

#[tokio::test]
async fn health_answers_200_when_the_server_and_database_are_up() {
    let app = spawn().await;
    let (status, body) = Session::public(&app).await.get("/health").await;
    assert_eq!(
        (status, body["database"].as_str()),
        (StatusCode::OK, Some("ok"))
    );
    app.stop().await;
}

/// Allowed for: A(dmin), E(valuator ghzrw), R(eporter dongcheng), P(ublic).
struct Case {
    method: Method,
    path: &'static str,
    body: Option<serde_json::Value>,
    allowed: &'static str,
}

fn case(
    method: Method,
    path: &'static str,
    body: Option<serde_json::Value>,
    allowed: &'static str,
) -> Case {
    Case {
        method,
        path,
        body,
        allowed,
    }
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_policy_says() {
    let app = spawn().await;
    let value = || Some(json!({"value": 3, "note": "测试", "submit": false}));
    let approve = || Some(json!({"action": "approve"}));
    let cases = [
        case(Method::GET, "/api/v1/cycles", None, "AER"),
        case(Method::GET, "/api/v1/cycles/2020/ranking", None, "AE"),
        case(
            Method::GET,
            "/api/v1/cycles/2020/ranking?group=urban6",
            None,
            "AE",
        ),
        case(Method::GET, "/api/v1/cycles/2020/progress", None, "AE"),
        case(
            Method::GET,
            "/api/v1/cycles/2020/units/dongcheng",
            None,
            "AER",
        ),
        case(Method::GET, "/api/v1/cycles/2020/units/xicheng", None, "AE"),
        case(Method::GET, "/api/v1/cycles/2020/units/nowhere", None, "AE"),
        case(
            Method::GET,
            "/api/v1/cycles/2020/units/dongcheng/explain/A06-1",
            None,
            "AER",
        ),
        case(
            Method::GET,
            "/api/v1/cycles/2020/units/xicheng/explain/A06-1",
            None,
            "AE",
        ),
        case(
            Method::GET,
            "/api/v1/cycles/2020/units/dongcheng/values",
            None,
            "AER",
        ),
        case(
            Method::GET,
            "/api/v1/cycles/2020/units/xicheng/values",
            None,
            "AE",
        ),
        case(
            Method::PUT,
            "/api/v1/cycles/2020/units/dongcheng/values/A08-2/Q4",
            value(),
            "AR",
        ),
        case(
            Method::PUT,
            "/api/v1/cycles/2020/units/xicheng/values/A08-2/Q4",
            value(),
            "A",
        ),
        case(
            Method::POST,
            "/api/v1/cycles/2020/units/xicheng/values/A06-1/Q4/review",
            approve(),
            "AE",
        ),
        case(
            Method::POST,
            "/api/v1/cycles/2020/units/xicheng/values/A08-2/Q4/review",
            approve(),
            "A",
        ),
        case(
            Method::POST,
            "/api/v1/cycles/2020/units/xicheng/values/A06-1/Q4/review",
            Some(json!({"action": "reopen", "comment": "更正"})),
            "A",
        ),
        case(Method::GET, "/api/v1/cycles/2020/review-queue", None, "AE"),
        case(
            Method::PUT,
            "/api/v1/cycles/2020/units/xicheng/grades/A01-2",
            Some(json!({"value": "良"})),
            "A",
        ),
        // A unit's reporter lists its own entries (its applications).
        case(Method::GET, "/api/v1/cycles/2020/ledger", None, "AER"),
        case(
            Method::POST,
            "/api/v1/cycles/2020/ledger",
            Some(json!({"unit": "xicheng", "kind": "bonus", "points": 0.5, "reason": "矩阵测试"})),
            "AE",
        ),
        case(
            Method::POST,
            "/api/v1/cycles/2020/ledger/nothing/decision",
            Some(json!({"approve": true})),
            "A",
        ),
        case(
            Method::GET,
            "/api/v1/cycles/2020/reports/results/md",
            None,
            "AE",
        ),
        case(
            Method::GET,
            "/api/v1/cycles/2020/units/dongcheng/reports/self/docx",
            None,
            "AER",
        ),
        case(
            Method::GET,
            "/api/v1/cycles/2020/units/xicheng/reports/selfcheck/xlsx",
            None,
            "AE",
        ),
        case(
            Method::GET,
            "/api/v1/cycles/2020/units/dongcheng/narratives",
            None,
            "AER",
        ),
        case(
            Method::PUT,
            "/api/v1/cycles/2020/units/dongcheng/narratives/overview",
            Some(json!({"text": "矩阵测试。"})),
            "AR",
        ),
        case(
            Method::PUT,
            "/api/v1/cycles/2020/units/xicheng/narratives/overview",
            Some(json!({"text": "矩阵测试。"})),
            "A",
        ),
        case(
            Method::PUT,
            "/api/v1/cycles/2020/publication",
            Some(json!({"published": false})),
            "A",
        ),
        case(Method::GET, "/api/v1/audit", None, "A"),
        case(Method::GET, "/api/v1/users", None, "A"),
        case(
            Method::POST,
            "/api/v1/users",
            Some(json!({"id": "x", "display_name": "x", "password": "short", "role": "admin"})),
            "A",
        ),
        case(
            Method::POST,
            "/api/v1/me/tokens",
            Some(json!({"name": "t"})),
            "AER",
        ),
        case(
            Method::POST,
            "/api/v1/me/password",
            Some(json!({"current": "wrong-password", "new": "another-password"})),
            "AER",
        ),
    ];
    let sessions = [
        ('A', Session::login(&app, "admin").await),
        ('E', Session::login(&app, "ghzrw").await),
        ('R', Session::login(&app, "dongcheng").await),
        ('P', Session::public(&app).await),
    ];
    let mut failures = Vec::new();
    for c in &cases {
        for (role, session) in &sessions {
            let (status, body) = session.call(c.method.clone(), c.path, c.body.clone()).await;
            let allowed = c.allowed.contains(*role);
            let denied = status == StatusCode::FORBIDDEN || status == StatusCode::UNAUTHORIZED;
            let ok = if allowed {
                !denied
            } else {
                denied && body["code"].is_string()
            };
            if !ok {
                failures.push(format!(
                    "{} {} as {role}: {status} {body}",
                    c.method, c.path
                ));
            }
            if *role == 'P' && !allowed {
                assert_eq!(status, StatusCode::UNAUTHORIZED, "{} {}", c.method, c.path);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "policy violations:\n{}",
        failures.join("\n")
    );
    app.stop().await;
}

#[tokio::test]
async fn a_reporting_unit_cannot_reach_another_units_data_by_guessing_ids() {
    let app = spawn().await;
    let r = Session::login(&app, "dongcheng").await;
    for path in [
        "/api/v1/cycles/2020/units/xicheng",
        "/api/v1/cycles/2020/units/XICHENG",
        "/api/v1/cycles/2020/units/xicheng/values",
        "/api/v1/cycles/2020/units/bda/explain/A01-1",
        "/api/v1/cycles/1999/units/xicheng",
    ] {
        let (status, body) = r.get(path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        assert!(
            !body.to_string().contains("西城"),
            "{path} leaked data: {body}"
        );
    }
    let (status, _) = r
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/units/xicheng/values/A06-1/Q4",
            Some(json!({"value": 1, "submit": true})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test]
async fn a_value_goes_through_submission_return_resubmission_and_approval_and_the_score_follows() {
    let app = spawn().await;
    let unit = Session::login(&app, "dongcheng").await;
    let evaluator = Session::login(&app, "sthjj").await;
    let path = "/api/v1/cycles/2020/units/dongcheng/values/A08-2/Q4";
    let (_, before) = unit.get("/api/v1/cycles/2020/units/dongcheng").await;

    // PM2.5 of 55 is behind the target of 38 (lower is better): a note is required.
    let (status, body) = unit
        .call(
            Method::PUT,
            path,
            Some(json!({"value": 55, "submit": true})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("note is required"),
        "{body}"
    );
    let (status, body) = unit
        .call(
            Method::PUT,
            path,
            Some(json!({"value": 55, "note": "受沙尘天气影响", "submit": true})),
        )
        .await;
    assert_eq!(
        (status, body["state"].as_str()),
        (StatusCode::OK, Some("submitted")),
        "{body}"
    );

    let (_, queue) = evaluator.get("/api/v1/cycles/2020/review-queue").await;
    assert!(
        queue
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["task_id"] == "A08-2" && v["unit_id"] == "dongcheng"),
        "{queue}"
    );
    let review = format!("{path}/review");
    let (status, body) = evaluator
        .call(
            Method::POST,
            &review,
            Some(json!({"action": "return", "comment": ""})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a return needs a comment: {body}"
    );
    let (status, body) = evaluator
        .call(
            Method::POST,
            &review,
            Some(json!({"action": "return", "comment": "请核对监测站数据"})),
        )
        .await;
    assert_eq!(
        (status, body["state"].as_str()),
        (StatusCode::OK, Some("returned"))
    );

    let (status, body) = unit
        .call(
            Method::PUT,
            path,
            Some(json!({"value": 36.5, "submit": true})),
        )
        .await;
    assert_eq!(
        (status, body["state"].as_str(), body["status"].as_str()),
        (StatusCode::OK, Some("submitted"), Some("on_track")),
        "{body}"
    );
    let (status, body) = evaluator
        .call(Method::POST, &review, Some(json!({"action": "approve"})))
        .await;
    assert_eq!(
        (status, body["state"].as_str()),
        (StatusCode::OK, Some("approved"))
    );

    let (_, after) = unit.get("/api/v1/cycles/2020/units/dongcheng").await;
    assert_ne!(
        before["total"], after["total"],
        "the approved value changes the score"
    );
    let (_, explanation) = unit
        .get("/api/v1/cycles/2020/units/dongcheng/explain/A08-2")
        .await;
    assert!(
        explanation["text"].as_str().unwrap().contains("36.5"),
        "{explanation}"
    );
    let admin = Session::login(&app, "admin").await;
    let (_, log) = admin
        .get("/api/v1/audit?entity=cycle/2020/value/A08-2/dongcheng/Q4")
        .await;
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "value.submit",
            "value.return",
            "value.submit",
            "value.approve"
        ]
    );
    let (_, returned) = admin
        .get("/api/v1/audit?entity=cycle/2020/value/A08-2&action=value.return&actor=sthjj")
        .await;
    assert_eq!(
        returned.as_array().unwrap().len(),
        1,
        "filters by action and actor"
    );
    app.stop().await;
}

#[tokio::test]
async fn cookie_sessions_need_the_csrf_token_and_api_tokens_do_not() {
    let app = spawn().await;
    let mut unit = Session::login(&app, "dongcheng").await;
    let path = "/api/v1/cycles/2020/units/dongcheng/values/A12-2/Q4";
    let csrf = std::mem::take(&mut unit.csrf);
    let (status, body) = unit
        .call(Method::PUT, path, Some(json!({"value": 0})))
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("csrf"))
    );
    unit.csrf = csrf;
    let (_, token) = unit
        .call(
            Method::POST,
            "/api/v1/me/tokens",
            Some(json!({"name": "统计系统"})),
        )
        .await;
    let token = token["token"].as_str().unwrap().to_string();
    let machine = reqwest::Client::new();
    let resp = machine
        .put(format!("{}{path}", app.base))
        .bearer_auth(&token)
        .json(&json!({"value": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let resp = machine
        .get(format!("{}/api/v1/cycles/2020/units/xicheng", app.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(
        resp.status(),
        StatusCode::FORBIDDEN,
        "a token acts with its owner's permissions"
    );
    let resp = machine
        .get(format!("{}/api/v1/cycles", app.base))
        .bearer_auth("not-a-token")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn repeated_failed_logins_are_throttled() {
    let app = spawn().await;
    let s = Session::public(&app).await;
    for _ in 0..3 {
        let (status, body) = s
            .call(
                Method::POST,
                "/api/v1/session",
                Some(json!({"user": "admin", "password": "guess-guess"})),
            )
            .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("invalid"))
        );
    }
    let (status, body) = s
        .call(
            Method::POST,
            "/api/v1/session",
            Some(json!({"user": "admin", "password": "demo-admin-2020"})),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("too_many_attempts")),
        "even the right password waits"
    );
    Session::login(&app, "dongcheng").await;
    app.stop().await;
}

#[tokio::test]
async fn changing_the_password_ends_other_sessions_and_logout_ends_this_one() {
    let app = spawn().await;
    let first = Session::login(&app, "xicheng").await;
    let second = Session::login(&app, "xicheng").await;
    let (status, body) = first
        .call(
            Method::POST,
            "/api/v1/me/password",
            Some(json!({"current": "demo-xicheng-2020", "new": "violet-harbor-tangent-93"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        second.get("/api/v1/cycles").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(first.get("/api/v1/cycles").await.0, StatusCode::OK);
    assert_eq!(
        first.call(Method::DELETE, "/api/v1/session", None).await.0,
        StatusCode::OK
    );
    assert_eq!(
        first.get("/api/v1/cycles").await.0,
        StatusCode::UNAUTHORIZED
    );
    app.stop().await;
}

#[tokio::test]
async fn errors_are_json_with_a_stable_code_and_no_internal_text() {
    let app = spawn().await;
    let admin = Session::login(&app, "admin").await;
    for (method, path, body, status, code) in [
        (
            Method::GET,
            "/api/v1/cycles/1999/ranking",
            None,
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            Method::GET,
            "/api/v1/no-such-route",
            None,
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            Method::GET,
            "/api/v1/cycles/2020/ranking?group=nowhere",
            None,
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            Method::PUT,
            "/api/v1/cycles/2020/units/dongcheng/values/A08-2/Q4",
            Some(json!({"valeu": 1})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
        (
            Method::PUT,
            "/api/v1/cycles/2020/units/dongcheng/values/A08-2/Q9",
            Some(json!({"value": 1})),
            StatusCode::NOT_FOUND,
            "not_found",
        ),
        (
            Method::PUT,
            "/api/v1/cycles/2020/units/dongcheng/values/A01-2/Q4",
            Some(json!({"value": "极好"})),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
        (
            Method::POST,
            "/api/v1/users",
            Some(
                json!({"id": "u1", "display_name": "x", "password": "long-enough", "role": "reporter"}),
            ),
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid",
        ),
    ] {
        let (got, json) = admin.call(method.clone(), path, body).await;
        assert_eq!(
            (got, json["code"].as_str()),
            (status, Some(code)),
            "{method} {path}: {json}"
        );
        let message = json["message"].as_str().unwrap();
        assert!(
            !message.to_lowercase().contains("sql") && !message.contains("panicked"),
            "{message}"
        );
    }
    app.stop().await;
}

#[tokio::test]
async fn the_openapi_document_describes_the_api_and_the_docs_page_is_served_locally() {
    let app = spawn().await;
    let s = Session::public(&app).await;
    let (status, doc) = s.get("/api/v1/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/api/v1/cycles/{cycle}/ranking",
        "/api/v1/cycles/{cycle}/units/{unit}/values/{task}/{period}",
        "/api/v1/session",
        "/health",
    ] {
        assert!(
            doc["paths"].get(path).is_some(),
            "{path} missing from the OpenAPI document"
        );
    }
    let (_, page) = s.get("/api/v1/docs").await;
    assert!(page
        .as_str()
        .unwrap()
        .contains("/assets/vendor/swagger-ui-bundle.js"));
    let resp = reqwest::get(format!("{}/assets/vendor/swagger-ui-bundle.js", app.base))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn two_instances_on_one_postgres_database_share_users_sessions_data_and_jobs() {
    // The PostgreSQL client runs its own runtime: create and drop it on a blocking thread.
    let Some(pg) = tokio::task::spawn_blocking(db::postgres).await.unwrap() else {
        return;
    };
    // Build the demo in SQLite, then load the same files into PostgreSQL.
    let dir = tempfile::tempdir().unwrap();
    let (lite, _) = jixiao_demo::build(dir.path(), "test").unwrap();
    let url = pg.url.clone();
    // The PostgreSQL client runs its own runtime: use it from a blocking thread.
    tokio::task::spawn_blocking(move || {
        let mut from = jixiao_store::Store::open(&lite).unwrap();
        let fw = from.load_cycle("2020").unwrap();
        let values: Vec<_> = from
            .values("2020")
            .unwrap()
            .into_iter()
            .map(|v| v.row)
            .collect();
        let ledger = from.ledger("2020").unwrap();
        let mut to = jixiao_store::Store::open(&url).unwrap();
        to.save_cycle(&fw, &jixiao_taskbook::to_toml(&fw), "test")
            .unwrap();
        to.import_values("2020", &values, "test", &mut |_| {})
            .unwrap();
        to.import_ledger("2020", &ledger, "test").unwrap();
        add_accounts(&url);
    })
    .await
    .unwrap();
    let a = spawn_with(Config {
        instance: "a".into(),
        ..config(&pg.url)
    })
    .await;
    let b = spawn_with(Config {
        instance: "b".into(),
        ..config(&pg.url)
    })
    .await;

    let on_a = Session::login(&a, "dongcheng").await;
    let path = "/api/v1/cycles/2020/units/dongcheng/values/A23-1/Q4";
    let (status, body) = on_a
        .call(
            Method::PUT,
            path,
            Some(json!({"value": 97.5, "submit": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The same cookie works on the other instance: sessions live in the database.
    let on_b = Session {
        client: on_a.client.clone(),
        csrf: on_a.csrf.clone(),
        base: b.base.clone(),
    };
    let (status, values) = on_b.get("/api/v1/cycles/2020/units/dongcheng/values").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        values
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["task_id"] == "A23-1"
                && v["period_id"] == "Q4"
                && v["value"] == "97.5"
                && v["state"] == "submitted"),
        "B sees A's change"
    );
    // Scores and rankings B keeps (and the JSON it keeps written out) follow a write on A at
    // once: every read asks the cycle's data version.
    let admin_a = Session::login(&a, "admin").await;
    let admin_b = Session {
        client: admin_a.client.clone(),
        csrf: admin_a.csrf.clone(),
        base: b.base.clone(),
    };
    let total_in = |ranking: &serde_json::Value| {
        ranking["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["unit_id"] == "xicheng")
            .unwrap()["total"]
            .as_f64()
            .unwrap()
    };
    let (_, ranking_before) = admin_b.get("/api/v1/cycles/2020/ranking").await;
    let (_, unit_before) = admin_b.get("/api/v1/cycles/2020/units/xicheng").await;
    assert_eq!(
        admin_b.get("/api/v1/cycles/2020/ranking").await.1,
        ranking_before,
        "a kept ranking reads the same"
    );
    let (status, body) = admin_a
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/units/xicheng/grades/C02-1",
            Some(json!({"value": 60})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, ranking_after) = admin_b.get("/api/v1/cycles/2020/ranking").await;
    let (_, unit_after) = admin_b.get("/api/v1/cycles/2020/units/xicheng").await;
    assert!(total_in(&ranking_after) < total_in(&ranking_before));
    assert!(unit_after["total"].as_f64() < unit_before["total"].as_f64());
    assert_eq!(unit_after["total"].as_f64(), Some(total_in(&ranking_after)));

    // Scheduled jobs: every instance looks, each slot runs once.
    let mut ran = 0;
    for app in [&a, &b, &a] {
        let state = jixiao_server::AppState::start(Config {
            instance: app.base.clone(),
            ..config(&pg.url)
        })
        .unwrap();
        ran += jixiao_server::jobs::tick(&state).await.unwrap();
    }
    let url = pg.url.clone();
    let locks = tokio::task::spawn_blocking(move || {
        jixiao_store::Store::open(&url)
            .unwrap()
            .audit_entries(Some("cycle/2020/period/"))
            .unwrap()
    })
    .await
    .unwrap();
    assert_eq!(
        locks.iter().filter(|e| e.action == "period.lock").count(),
        3,
        "Q1–Q3 passed their deadlines by {TODAY}; each locked once"
    );
    assert!(ran <= 3);
    a.stop().await;
    b.stop().await;
    tokio::task::spawn_blocking(move || drop(pg)).await.unwrap();
}

#[tokio::test]
async fn evaluators_grade_their_own_tasks_and_ledger_entries_count_once_approved() {
    let app = spawn().await;
    let admin = Session::login(&app, "admin").await;
    let evaluator = Session::login(&app, "ghzrw").await;
    let (status, _) = evaluator
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/units/dongcheng/grades/C01-1",
            Some(json!({"value": 99})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "the survey score is not ghzrw's to give"
    );
    let (status, body) = evaluator
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/units/dongcheng/grades/A06-1",
            Some(json!({"value": 9})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "reported tasks are not graded: {body}"
    );

    let (_, before) = admin.get("/api/v1/cycles/2020/units/xicheng").await;
    let (status, body) = admin
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/units/xicheng/grades/C02-1",
            Some(json!({"value": 60})),
        )
        .await;
    assert_eq!(
        (status, body["state"].as_str()),
        (StatusCode::OK, Some("approved")),
        "{body}"
    );
    let (_, after) = admin.get("/api/v1/cycles/2020/units/xicheng").await;
    assert!(
        after["total"].as_f64() < before["total"].as_f64(),
        "a low leader score lowers the total at once"
    );
    let (_, ranking) = admin.get("/api/v1/cycles/2020/ranking").await;
    let row = ranking["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["unit_id"] == "xicheng")
        .unwrap()
        .clone();
    assert_eq!(row["total"], after["total"], "and in the ranking");

    let (status, proposed) = evaluator.call(Method::POST, "/api/v1/cycles/2020/ledger", Some(json!({"unit": "xicheng", "kind": "bonus", "points": 1.5, "reason": "“街乡吹哨、部门报到”创新做法"}))).await;
    assert_eq!(
        (status, proposed["status"].as_str()),
        (StatusCode::OK, Some("pending"))
    );
    let (_, pending) = admin.get("/api/v1/cycles/2020/units/xicheng").await;
    assert_eq!(
        pending["bonus"], after["bonus"],
        "a pending entry does not count"
    );
    let decision = format!(
        "/api/v1/cycles/2020/ledger/{}/decision",
        proposed["id"].as_str().unwrap()
    );
    assert_eq!(
        evaluator
            .call(Method::POST, &decision, Some(json!({"approve": true})))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        admin
            .call(Method::POST, &decision, Some(json!({"approve": true})))
            .await
            .0,
        StatusCode::OK
    );
    let (_, approved) = admin.get("/api/v1/cycles/2020/units/xicheng").await;
    assert_eq!(
        approved["bonus"].as_f64().unwrap(),
        after["bonus"].as_f64().unwrap() + 1.5
    );
    let (_, ledger) = admin.get("/api/v1/cycles/2020/ledger").await;
    let entry = ledger
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == proposed["id"])
        .unwrap();
    assert_eq!(
        (
            entry["proposed_by"].as_str(),
            entry["approver"].as_str(),
            entry["status"].as_str()
        ),
        (Some("ghzrw"), Some("admin"), Some("approved"))
    );
    app.stop().await;
}

async fn upload_evidence(
    s: &Session,
    path: &str,
    name: &str,
    bytes: Vec<u8>,
) -> (StatusCode, serde_json::Value) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    let resp = s
        .client
        .post(format!("{}{path}", s.base))
        .header("x-csrf-token", &s.csrf)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn evidence_files_are_checked_for_type_and_size_and_only_the_units_readers_see_them() {
    let app = spawn().await;
    let unit = Session::login(&app, "dongcheng").await;
    let other = Session::login(&app, "xicheng").await;
    let path = "/api/v1/cycles/2020/units/dongcheng/values/A06-1/Q4/evidence";
    let pdf = "%PDF-1.7\n% 拆除违法建设台账\n%%EOF\n".as_bytes().to_vec();
    let (status, body) = upload_evidence(&unit, path, "拆违台账.pdf", pdf.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let url = body["url"].as_str().unwrap().to_string();
    let got = unit
        .client
        .get(format!("{}{url}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), StatusCode::OK);
    assert_eq!(got.headers()["content-type"], "application/pdf");
    assert!(got.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .starts_with("attachment"));
    assert_eq!(got.headers()["x-content-type-options"], "nosniff");
    assert!(
        got.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .starts_with("sandbox"),
        "a file is never run as a page of this site"
    );
    assert_eq!(got.bytes().await.unwrap().to_vec(), pdf);
    assert_eq!(
        other.get(&url).await.0,
        StatusCode::FORBIDDEN,
        "another unit cannot download it"
    );
    assert_eq!(
        other
            .get("/api/v1/evidence/0123456789abcdef01234567")
            .await
            .0,
        StatusCode::FORBIDDEN,
        "nor guess ids"
    );

    for (name, bytes, message) in [
        (
            "run.exe",
            b"MZ\x90\x00".to_vec(),
            "only PDF, PNG, JPEG, xlsx and docx",
        ),
        (
            "photo.pdf",
            b"\x89PNG\r\n".to_vec(),
            "the content is not a .pdf file",
        ),
        (
            "big.pdf",
            [b"%PDF".to_vec(), vec![b' '; 5 * 1024 * 1024]].concat(),
            "bytes allowed",
        ),
        ("empty.pdf", Vec::new(), "the file is empty"),
        (
            "page.pdf",
            jixiao_files::corpus::pdf_html_polyglot(),
            "both a PDF and a web page",
        ),
        (
            "appended.pdf",
            jixiao_files::corpus::pdf_zip_polyglot(),
            "another file appended",
        ),
        (
            "bomb.xlsx",
            jixiao_files::corpus::zip_bomb(100),
            "unpacks to more than",
        ),
    ] {
        let (status, body) = upload_evidence(&unit, path, name, bytes).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{name}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains(message),
            "{name}: {body}"
        );
    }
    let (status, _) = upload_evidence(&other, path, "x.pdf", pdf).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a unit cannot attach files to another unit's values"
    );
    app.stop().await;
}

/// A minimal SMTP server that keeps what it is sent.
fn fake_smtp() -> (u16, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let inbox = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let kept = inbox.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut out = stream.try_clone().unwrap();
            let mut lines = BufReader::new(stream);
            let _ = out.write_all(b"220 fake ESMTP\r\n");
            let (mut line, mut data, mut in_data) = (String::new(), String::new(), false);
            while lines.read_line(&mut line).unwrap_or(0) > 0 {
                let reply: &[u8] = if in_data {
                    if line == ".\r\n" {
                        in_data = false;
                        kept.lock().unwrap().push(std::mem::take(&mut data));
                        b"250 queued\r\n"
                    } else {
                        data.push_str(&line);
                        b""
                    }
                } else if line.starts_with("EHLO") {
                    b"250-fake\r\n250 AUTH PLAIN LOGIN\r\n"
                } else if line.starts_with("AUTH") {
                    // Kept with the mails, so a test sees the login the relay was given.
                    kept.lock().unwrap().push(line.trim_end().to_string());
                    b"235 accepted\r\n"
                } else if line.starts_with("DATA") {
                    in_data = true;
                    b"354 go ahead\r\n"
                } else if line.starts_with("QUIT") {
                    let _ = out.write_all(b"221 bye\r\n");
                    break;
                } else {
                    b"250 ok\r\n"
                };
                let _ = out.write_all(reply);
                line.clear();
            }
        }
    });
    (port, inbox)
}

#[tokio::test]
async fn reporters_get_one_reminder_email_a_day_listing_what_is_due() {
    let (port, inbox) = fake_smtp();
    let dir = tempfile::tempdir().unwrap();
    let url = demo_with_mail(dir.path()).await;
    let smtp = |instance: &str| Config {
        smtp_host: Some("127.0.0.1".into()),
        smtp_port: port,
        reminder_days: 30,
        instance: instance.into(),
        ..config(&url)
    };
    let app = spawn_with(smtp("a")).await;
    let mut waited = 0;
    while inbox.lock().unwrap().is_empty() && waited < 100 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        waited += 1;
    }
    let mails: Vec<String> = inbox
        .lock()
        .unwrap()
        .iter()
        .filter(|m| !m.starts_with("AUTH"))
        .cloned()
        .collect();
    assert_eq!(
        mails.len(),
        1,
        "one reminder, to the one reporter with an address"
    );
    assert!(mails[0].contains("tianbao@dongcheng.example"));
    let decoded = mail_text(&mails[0]);
    assert!(
        decoded.contains("A08-2") && decoded.contains("2021-01-15"),
        "the open fourth-quarter tasks and their deadline:\n{decoded}"
    );
    // Another instance the same day sends nothing more.
    let other = jixiao_server::AppState::start(smtp("b")).unwrap();
    assert_eq!(
        jixiao_server::jobs::send_reminders(&other).await.unwrap(),
        0
    );
    assert_eq!(
        inbox
            .lock()
            .unwrap()
            .iter()
            .filter(|m| !m.starts_with("AUTH"))
            .count(),
        1
    );
    let admin = Session::login(&app, "admin").await;
    let (_, log) = admin.get("/api/v1/audit?entity=user/dongcheng").await;
    assert!(log
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "reminder.sent"));
    let overview = admin
        .client
        .get(format!("{}/overview", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        overview.contains("id=\"reminders\"") && overview.contains("东城区"),
        "the office sees the same list"
    );
    app.stop().await;
}

/// One ledger entry above what the ledger can count in total (bonus cap 3, deduction cap 5 in
/// the demo) is refused, by the API and by an import, instead of showing "500 已认定" while the
/// score counts 3.
#[tokio::test]
async fn a_ledger_entry_above_the_cap_is_refused() {
    let app = spawn().await;
    let evaluator = Session::login(&app, "ghzrw").await;
    let (status, body) = evaluator
        .call(
            Method::POST,
            "/api/v1/cycles/2020/ledger",
            Some(json!({"unit": "xicheng", "kind": "bonus", "points": 500, "reason": "创新做法"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("bonus cap of 3"),
        "{body}"
    );
    let (status, body) = evaluator
        .call(
            Method::POST,
            "/api/v1/cycles/2020/ledger",
            Some(json!({"unit": "xicheng", "kind": "bonus", "points": 3, "reason": "创新做法"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let fw = jixiao_taskbook::parse_toml(
        include_str!("../../../examples/beijing-2020/taskbook.toml"),
        "taskbook.toml",
    )
    .expect("the demo task book");
    let csv = "unit,kind,points,reason,approver\nxicheng,deduction,6,问责,绩效办\n";
    let problems = jixiao_taskbook::values::parse_ledger(&fw, csv.as_bytes(), "ledger.csv")
        .expect_err("above the deduction cap");
    assert!(
        problems
            .iter()
            .any(|d| d.to_string().contains("column C")
                && d.to_string().contains("deduction cap of 5")),
        "{problems:?}"
    );
    app.stop().await;
}

/// The walk-through's impossible values are refused by the API with the task book's reason: a
/// disposal rate of 150, 100.49, −5 or 1e20, a PM2.5 concentration of −5; 99.5 is saved.
#[tokio::test]
async fn values_outside_their_tasks_bounds_are_refused() {
    let app = spawn().await;
    let unit = Session::login(&app, "dongcheng").await;
    let rate = "/api/v1/cycles/2020/units/dongcheng/values/A23-1/Q4";
    for x in [json!(150), json!(100.49), json!(-5), json!("1e20")] {
        let (status, body) = unit
            .call(
                Method::PUT,
                rate,
                Some(json!({"value": x, "submit": false})),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{x}: {body}");
        let message = body["message"].as_str().unwrap();
        assert!(
            message.contains("A23-1")
                && (message.contains("out of range") || message.contains("plausible")),
            "{x}: {message}"
        );
    }
    let (status, body) = unit
        .call(
            Method::PUT,
            rate,
            Some(json!({"value": 99.5, "submit": false})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = unit
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/units/dongcheng/values/A08-2/Q4",
            Some(json!({"value": -5, "submit": false})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("at least 0"),
        "{body}"
    );
}

/// The demo database in `dir`, with an e-mail address on Dongcheng's reporter account.
async fn demo_with_mail(dir: &std::path::Path) -> String {
    let path = dir.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let url = demo_database(&path);
        let mut store = jixiao_store::Store::open(&url).unwrap();
        let mut user = store.user("dongcheng").unwrap().unwrap();
        user.email = Some("tianbao@dongcheng.example".into());
        store.upsert_user(&user, "test").unwrap();
        url
    })
    .await
    .unwrap()
}

/// The text of a mail kept by the fake relay: its body, base64-decoded.
fn mail_text(mail: &str) -> String {
    use base64::Engine;
    let body: String = mail
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    base64::engine::general_purpose::STANDARD
        .decode(body)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default()
}

/// A unit's reporter with an e-mail address gets an hourly digest of what happened to its
/// values (here a return with its reason), with links under `public_url`, sent through the
/// relay with the configured login; nothing older than its first hour, nothing twice.
#[tokio::test]
async fn notifications_go_out_as_an_hourly_email_digest_with_links() {
    let (port, inbox) = fake_smtp();
    let dir = tempfile::tempdir().unwrap();
    let url = demo_with_mail(dir.path()).await;
    let app = spawn_with(config(&url)).await;
    let mailer = jixiao_server::AppState::start(Config {
        smtp_host: Some("127.0.0.1".into()),
        smtp_port: port,
        smtp_user: Some("jixiao".into()),
        smtp_password: jixiao_server::config::Secret(Some("relay-password".into())),
        public_url: Some("https://jixiao.example.gov.cn".into()),
        instance: "mailer".into(),
        ..config(&url)
    })
    .unwrap();
    // The first hour only notes where the account starts.
    assert_eq!(
        jixiao_server::jobs::send_notices(&mailer, "2020-12-21T09")
            .await
            .unwrap(),
        1
    );
    assert!(inbox.lock().unwrap().iter().all(|m| m.starts_with("AUTH")));
    let unit = Session::login(&app, "dongcheng").await;
    let evaluator = Session::login(&app, "sthjj").await;
    let path = "/api/v1/cycles/2020/units/dongcheng/values/A08-2/Q4";
    let (status, body) = unit
        .call(
            Method::PUT,
            path,
            Some(json!({"value": 55, "note": "受沙尘天气影响", "submit": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = evaluator
        .call(
            Method::POST,
            &format!("{path}/review"),
            Some(json!({"action": "return", "comment": "请附监测站点日报"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        jixiao_server::jobs::send_notices(&mailer, "2020-12-21T10")
            .await
            .unwrap(),
        1
    );
    let kept = inbox.lock().unwrap().clone();
    let digests: Vec<String> = kept
        .iter()
        .filter(|m| !m.starts_with("AUTH"))
        .map(|m| mail_text(m))
        .collect();
    assert_eq!(
        digests.len(),
        1,
        "one digest, to the one account with an address"
    );
    assert!(
        digests[0].contains("数值被退回")
            && digests[0].contains("请附监测站点日报")
            && digests[0].contains("https://jixiao.example.gov.cn/units/dongcheng/tasks/A08-2"),
        "{}",
        digests[0]
    );
    assert!(
        kept.iter().any(|m| m.starts_with("AUTH")),
        "the relay was given the login"
    );
    // The same hour again, or the next with nothing new: no more mail.
    assert_eq!(
        jixiao_server::jobs::send_notices(&mailer, "2020-12-21T10")
            .await
            .unwrap(),
        0
    );
    jixiao_server::jobs::send_notices(&mailer, "2020-12-21T11")
        .await
        .unwrap();
    assert_eq!(
        inbox
            .lock()
            .unwrap()
            .iter()
            .filter(|m| !m.starts_with("AUTH"))
            .count(),
        1
    );
    app.stop().await;
}

#[tokio::test]
async fn special_tasks_rank_apart_and_a_formula_task_is_computed_not_reported() {
    let app = spawn().await;
    let admin = Session::login(&app, "admin").await;
    let (status, tags) = admin.get("/api/v1/cycles/2020/tags").await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = tags
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "优化营商环境",
            "“五新”政策落地",
            "污染防治",
            "金融风险防控",
            "公共卫生应急体系建设"
        ]
    );
    let (_, r) = admin.get("/api/v1/cycles/2020/tags/gongwei").await;
    // A01 (an indicator) and A18-1 (a task under another indicator) are covered.
    let covered: Vec<&str> = r["tag"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert_eq!(covered, ["A01", "A18-1"]);
    assert_eq!(r["tag"]["points"].as_f64(), Some(3.0));
    // Each rate is the unit's points on A01 and A18-1 over their points, as its scores say.
    let (_, dc) = admin.get("/api/v1/cycles/2020/units/dongcheng").await;
    let score_of = |id: &str| {
        dc["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["id"] == id)
            .and_then(|n| n["score"].as_f64())
            .unwrap()
    };
    let row = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["unit_id"] == "dongcheng")
        .unwrap()
        .clone();
    let expected = (score_of("A01") + score_of("A18-1")) / 3.0 * 100.0;
    assert!(
        (row["rate"].as_f64().unwrap() - expected).abs() < 1e-9,
        "{row} vs {expected}"
    );
    let ranks: Vec<u64> = r["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["rank"].as_u64())
        .collect();
    assert_eq!(ranks.len(), 16, "16 ranked districts; 单列 unranked");
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]));
    let (status, _) = admin.get("/api/v1/cycles/2020/tags/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // 依申请公开办结率 is computed from the two figures: 169 of 208.
    let (_, e) = admin
        .get("/api/v1/cycles/2020/units/dongcheng/explain/B04-2")
        .await;
    let text = e["text"].as_str().unwrap();
    assert!(text.contains("169 ÷ 208 × 100 = 81.25%"), "{text}");
    // Nobody reports it: the API refuses a value, naming the formula.
    let unit = Session::login(&app, "dongcheng").await;
    let (status, body) = unit
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/units/dongcheng/values/B04-2/Q4",
            Some(json!({"value": 90})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("[B04-2b] / [B04-2a] * 100"),
        "{body}"
    );
    app.stop().await;
}

//! Black-box tests of the HTML pages: access by role, login with its CSRF cookie, data entry
//! errors shown on the page, the language switch.

mod support;
use jixiao_testkit::client::field;
use reqwest::{Client, StatusCode};
use support::*;

fn browser() -> Client {
    jixiao_testkit::client::browser_client()
}

async fn log_in(app: &TestApp, user: &str) -> Client {
    jixiao_testkit::Browser::login(app, user).await.client
}

#[tokio::test]
async fn pages_answer_each_role_as_the_policy_says() {
    let app = spawn().await;
    let admin = log_in(&app, "admin").await;
    let evaluator = log_in(&app, "ghzrw").await;
    let reporter = log_in(&app, "dongcheng").await;
    let public = browser();
    // 200 allowed, 403 refused, 303 sent to the login page.
    let table: [(&str, [u16; 4]); 28] = [
        ("/hotline", [200, 200, 200, 303]),
        ("/hotline?district=xicheng", [200, 200, 200, 303]),
        ("/hotline/cases", [200, 200, 200, 303]),
        ("/reports", [200, 200, 403, 303]),
        ("/reports/results/docx", [200, 200, 403, 303]),
        ("/units/dongcheng/report", [200, 200, 200, 303]),
        ("/units/xicheng/report", [200, 200, 403, 303]),
        ("/units/dongcheng/reports/self/docx", [200, 200, 200, 303]),
        (
            "/units/xicheng/reports/selfcheck/xlsx",
            [200, 200, 403, 303],
        ),
        ("/public", [200, 200, 200, 200]),
        ("/public/2020", [404, 404, 404, 404]),
        ("/units/dongcheng/claims", [200, 200, 200, 303]),
        ("/units/xicheng/claims", [200, 200, 403, 303]),
        ("/grades", [200, 200, 403, 303]),
        ("/ledger", [200, 200, 200, 303]),
        ("/rankings", [200, 200, 403, 303]),
        ("/users", [200, 403, 403, 303]),
        ("/overview", [200, 200, 403, 303]),
        ("/units/dongcheng", [200, 200, 200, 303]),
        ("/units/xicheng", [200, 200, 403, 303]),
        ("/units/dongcheng/tasks/A06-1", [200, 200, 200, 303]),
        ("/units/xicheng/tasks/A06-1", [200, 200, 403, 303]),
        ("/units/dongcheng/entry", [200, 403, 200, 303]),
        ("/units/xicheng/entry", [200, 403, 403, 303]),
        ("/review", [200, 200, 403, 303]),
        ("/audit", [200, 403, 403, 303]),
        ("/account", [200, 200, 200, 303]),
        ("/login", [200, 200, 200, 200]),
    ];
    for (path, expected) in table {
        for (client, want, who) in [
            (&admin, expected[0], "admin"),
            (&evaluator, expected[1], "evaluator"),
            (&reporter, expected[2], "reporter"),
            (&public, expected[3], "public"),
        ] {
            let resp = client
                .get(format!("{}{path}", app.base))
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status().as_u16(), want, "{path} as {who}");
            if want == 303 {
                assert!(
                    resp.headers()["location"]
                        .to_str()
                        .unwrap()
                        .starts_with("/login?next="),
                    "{path}"
                );
            }
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn a_login_form_without_its_csrf_cookie_is_refused() {
    let app = spawn().await;
    let c = browser();
    let resp = c
        .post(format!("{}/login", app.base))
        .form(&[
            ("csrf", "forged"),
            ("user", "admin"),
            ("password", "demo-admin-2020"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["location"], "/login?error=csrf");
    assert!(resp
        .headers()
        .get("set-cookie")
        .is_none_or(|v| !v.to_str().unwrap().starts_with("jixiao_session=")));
    app.stop().await;
}

#[tokio::test]
async fn session_cookies_are_http_only_and_same_site() {
    let app = spawn().await;
    let c = browser();
    let page = page_text(&c, &app, "/login").await;
    let resp = c
        .post(format!("{}/login", app.base))
        .form(&[
            ("csrf", field(&page, "csrf").as_str()),
            ("user", "admin"),
            ("password", "demo-admin-2020"),
        ])
        .send()
        .await
        .unwrap();
    let cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with("jixiao_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_bad_value_on_the_entry_page_is_shown_with_its_error_and_saves_nothing() {
    let app = spawn().await;
    let c = log_in(&app, "dongcheng").await;
    let page = page_text(&c, &app, "/units/dongcheng/entry?period=Q4").await;
    assert!(
        page.contains("A08-2") && page.contains("第四季度"),
        "the open Q4 task is offered"
    );
    let csrf = field(&page, "csrf");
    let resp = c
        .post(format!("{}/units/dongcheng/entry", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("period", "Q4"),
            ("task", "A08-2"),
            ("value", "三十八"),
            ("note", ""),
            ("evidence", ""),
            ("submit", "true"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("“三十八”不是数字") && html.contains("value=\"三十八\""),
        "the error is shown in the reader's language (Chinese first) and what was typed is kept"
    );
    let resp = c
        .post(format!("{}/units/dongcheng/entry", app.base))
        .form(&[
            ("csrf", csrf.as_str()),
            ("period", "Q4"),
            ("task", "A08-2"),
            ("value", "37"),
            ("note", ""),
            ("evidence", "监测月报.pdf"),
            ("submit", "true"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let page = page_text(&c, &app, "/units/dongcheng/entry?period=Q4").await;
    assert!(page.contains("已报送"), "submitted");
    let forged = c
        .post(format!("{}/units/dongcheng/entry", app.base))
        .form(&[
            ("csrf", "forged"),
            ("period", "Q4"),
            ("task", "A12-2"),
            ("value", "0"),
            ("submit", "true"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test]
async fn the_language_switch_renders_english_and_is_remembered() {
    let app = spawn().await;
    let c = log_in(&app, "admin").await;
    let zh = page_text(&c, &app, "/overview").await;
    assert!(zh.contains("lang=\"zh-CN\"") && zh.contains("填报进度"));
    let en = page_text(&c, &app, "/overview?lang=en").await;
    assert!(en.contains("lang=\"en\"") && en.contains("Reporting progress"));
    let again = page_text(&c, &app, "/units/dongcheng").await;
    assert!(
        again.contains("Scores by dimension"),
        "the choice is kept in a cookie"
    );
    // The switch keeps the page and its filters, not the one-time message.
    let page = page_text(
        &c,
        &app,
        "/hotline/cases?month=2020-03&stage=closed&flash=saved",
    )
    .await;
    let switch = page
        .split("class=\"lang\" href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the language switch")
        .replace("&#x2f;", "/")
        .replace("&amp;", "&");
    assert_eq!(switch, "/hotline/cases?month=2020-03&stage=closed&lang=zh");
    app.stop().await;
}

async fn upload(
    c: &Client,
    app: &TestApp,
    csrf: &str,
    name: &str,
    body: &[u8],
    submit: bool,
) -> reqwest::Response {
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.to_string())
        .text("period", "Q4")
        .text("submit", submit.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(body.to_vec()).file_name(name.to_string()),
        );
    c.post(format!("{}/units/dongcheng/upload", app.base))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_excel_template_downloads_and_a_bad_upload_lists_its_row_errors_and_saves_nothing() {
    let app = spawn().await;
    let c = log_in(&app, "dongcheng").await;
    let resp = c
        .get(format!(
            "{}/units/dongcheng/template.xlsx?period=Q4",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("2020-dongcheng-Q4.xlsx"));
    let template = resp.bytes().await.unwrap();
    let page = page_text(&c, &app, "/units/dongcheng/entry?period=Q4").await;
    let csrf = field(&page, "csrf");

    let bad = "unit,task,period,value,note\ndongcheng,A08-2,Q4,很高,\ndongcheng,A12-2,Q9,0,\ndongcheng,A23-1,Q4,96,\n";
    let resp = upload(&c, &app, &csrf, "bad.csv", bad.as_bytes(), true).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("bad.csv: row 2, column D (value): `很高` is not a number"),
        "{html}"
    );
    assert!(html.contains("bad.csv: row 3, column C (period): unknown period `Q9`"));
    let other_unit = "unit,task,period,value\nxicheng,A23-1,Q4,96\n";
    let html = upload(&c, &app, &csrf, "other.csv", other_unit.as_bytes(), true)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("the row belongs to 西城区"),
        "a unit cannot upload another unit's values"
    );
    let not_excel = upload(&c, &app, &csrf, "notes.docx", b"PK..", true)
        .await
        .text()
        .await
        .unwrap();
    assert!(not_excel.contains("only .xlsx or .csv files are accepted"));
    let page = page_text(&c, &app, "/units/dongcheng/entry?period=Q4").await;
    assert!(
        !page.contains("已报送"),
        "nothing was saved by the refused uploads"
    );

    // The downloaded template sent back as it is (it carries the unit's approved values) saves
    // nothing and refuses nothing: every row is unchanged.
    let api = Session::login(&app, "dongcheng").await;
    let (_, before) = api.get("/api/v1/cycles/2020/units/dongcheng/values").await;
    let resp = upload(&c, &app, &csrf, "2020-dongcheng-Q4.xlsx", &template, false).await;
    assert_eq!(
        resp.status(),
        StatusCode::SEE_OTHER,
        "an unchanged template is accepted"
    );
    let landed = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(landed.contains("flash=nothing_changed"), "{landed}");
    assert!(page_text(&c, &app, &landed).await.contains("未作改动"));
    let (_, after) = api.get("/api/v1/cycles/2020/units/dongcheng/values").await;
    assert_eq!(before, after, "nothing was written");
    // A changed row of an approved value is refused, named by its task and period, in words.
    let approved = before
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["state"] == "approved" && v["period_id"] == "Q4")
        .expect("an approved value of the fourth quarter");
    let task = approved["task_id"].as_str().unwrap();
    let changed = format!("unit,task,period,value\ndongcheng,{task},Q4,12345\n");
    let resp = upload(&c, &app, &csrf, "changed.csv", changed.as_bytes(), false).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains(&format!(
            "task {task} period Q4: an approved value cannot be saved as draft"
        )),
        "{html}"
    );
    assert!(!html.contains("Some("), "no debug text: {html}");
    let good = "单位(unit),任务(task),期间(period),数值(value),说明(note)\ndongcheng,A23-1,Q4,96.5,\ndongcheng,A12-2,Q4,0,\n";
    let resp = upload(&c, &app, &csrf, "good.csv", good.as_bytes(), true).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let page = page_text(&c, &app, "/units/dongcheng/entry?period=Q4").await;
    assert_eq!(page.matches("已报送").count(), 2, "both rows submitted");
    app.stop().await;
}

#[tokio::test]
async fn an_administrator_creates_an_account_on_the_users_page_and_it_can_log_in() {
    let app = spawn().await;
    let admin = log_in(&app, "admin").await;
    let page = page_text(&admin, &app, "/users").await;
    let csrf = field(&page, "csrf");
    let form = [
        ("csrf", csrf.as_str()),
        ("id", "chaoyang"),
        ("display_name", "朝阳区填报"),
        ("role", "reporter"),
        ("unit_id", ""),
        ("evaluator_id", ""),
        ("password", "chaoyang-2020"),
    ];
    let resp = admin
        .post(format!("{}/users", app.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert!(
        resp.headers()["location"]
            .to_str()
            .unwrap()
            .starts_with("/users?error="),
        "a reporter needs a unit"
    );
    let mut fixed = form;
    fixed[4] = ("unit_id", "chaoyang");
    // A guessable password is refused with the reason shown on the page.
    let resp = admin
        .post(format!("{}/users", app.base))
        .form(&fixed)
        .send()
        .await
        .unwrap();
    let to = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/users?error=password"), "{to}");
    fixed[6] = ("password", "朝阳-amber-lattice-walk");
    let resp = admin
        .post(format!("{}/users", app.base))
        .form(&fixed)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["location"], "/users?flash=saved");
    let c = browser();
    let login = page_text(&c, &app, "/login").await;
    let resp = c
        .post(format!("{}/login", app.base))
        .form(&[
            ("csrf", field(&login, "csrf").as_str()),
            ("user", "chaoyang"),
            ("password", "朝阳-amber-lattice-walk"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["location"], "/");
    let home = c.get(format!("{}/", app.base)).send().await.unwrap();
    assert_eq!(
        home.headers()["location"],
        "/units/chaoyang/todo",
        "a reporting unit lands on its to-do"
    );
    // Accounts are listed with their unit's name, not its id alone.
    let users = page_text(&admin, &app, "/users").await;
    let row = users
        .split("id=\"user-chaoyang\"")
        .nth(1)
        .and_then(|r| r.split("</tr>").next())
        .unwrap();
    assert!(
        row.contains("朝阳区") && row.contains("(chaoyang)"),
        "{row}"
    );
    // Creating it again is refused; the account is not replaced.
    let resp = admin
        .post(format!("{}/users", app.base))
        .form(&fixed)
        .send()
        .await
        .unwrap();
    let to = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(to.starts_with("/users?error="), "{to}");
    // The office deactivates it from its row; its session ends at once.
    let page = page_text(&admin, &app, "/users").await;
    assert!(page.contains("action=\"/users/chaoyang/active\""));
    let resp = admin
        .post(format!("{}/users/chaoyang/active", app.base))
        .form(&[("csrf", csrf.as_str()), ("active", "false")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["location"], "/users?flash=saved");
    let home = c
        .get(format!("{}/units/chaoyang", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        home.status(),
        303,
        "a deactivated account's session has ended"
    );
    app.stop().await;
}

#[tokio::test]
async fn the_rankings_page_lists_every_group_and_the_separately_listed_units_apart() {
    let app = spawn().await;
    let admin = log_in(&app, "admin").await;
    let html = page_text(&admin, &app, "/rankings").await;
    for title in [
        "综合排名",
        "首都功能核心区",
        "城六区",
        "平原新城",
        "生态涵养区",
        "单列",
        "等次分布",
    ] {
        assert!(html.contains(title), "{title} missing");
    }
    let separate = &html[html.find("id=\"rt-sep\"").unwrap()..];
    assert!(separate.contains("北京经济技术开发区"));
    app.stop().await;
}

#[tokio::test]
async fn every_form_answers_every_role_as_the_policy_says() {
    let app = spawn().await;
    let clients = [
        ("A", log_in(&app, "admin").await),
        ("E", log_in(&app, "ghzrw").await),
        ("R", log_in(&app, "dongcheng").await),
        ("P", browser()),
    ];
    let entry = |unit: &'static str| {
        vec![
            ("period", "Q4"),
            ("task", "A23-1"),
            ("value", "95"),
            ("note", "说明"),
            ("evidence", ""),
            ("submit", "false"),
            ("unit", unit),
        ]
    };
    let narrative = vec![
        ("overview", "全区上下团结一心。"),
        ("highlights", ""),
        ("rectification", ""),
        ("next_year", ""),
    ];
    type Form<'a> = (String, Vec<(&'a str, &'a str)>, &'a str);
    let forms: Vec<Form> = vec![
        ("/units/dongcheng/entry".into(), entry("dongcheng"), "AR"),
        ("/units/xicheng/entry".into(), entry("xicheng"), "A"),
        (
            "/review".into(),
            vec![
                ("unit", "xicheng"),
                ("task", "A06-1"),
                ("period", "Q4"),
                ("action", "approve"),
                ("comment", ""),
            ],
            "AE",
        ),
        (
            "/grades".into(),
            vec![("unit", "xicheng"), ("task", "C01-1"), ("value", "90")],
            "A",
        ),
        (
            "/ledger".into(),
            vec![
                ("unit", "xicheng"),
                ("kind", "bonus"),
                ("points", "0.5"),
                ("reason", "表单矩阵"),
            ],
            "AE",
        ),
        (
            "/ledger/nothing/decision".into(),
            vec![("approve", "true")],
            "A",
        ),
        (
            "/users".into(),
            vec![
                ("id", "u9"),
                ("display_name", "u9"),
                ("role", "admin"),
                ("password", "long-enough-9"),
                ("active", "true"),
            ],
            "A",
        ),
        (
            "/account/password".into(),
            vec![("current", "wrong-password"), ("new", "another-password")],
            "AER",
        ),
        (
            "/units/dongcheng/claims".into(),
            vec![("text", "拆除违法建设8.5万平方米。")],
            "AER",
        ),
        (
            "/units/xicheng/claims".into(),
            vec![("text", "拆除违法建设8.5万平方米。")],
            "AE",
        ),
        ("/units/dongcheng/report".into(), narrative.clone(), "AR"),
        ("/units/xicheng/report".into(), narrative.clone(), "A"),
        (
            "/reports/publication".into(),
            vec![("publish", "false")],
            "A",
        ),
    ];
    let mut failures = Vec::new();
    for (path, fields, allowed) in &forms {
        for (role, client) in &clients {
            // Each client posts with its own session's CSRF token, read from a page it may see.
            let token_page = if *role == "P" { "/login" } else { "/account" };
            let page = page_text(client, &app, token_page).await;
            let csrf = field(&page, "csrf");
            let mut form = fields.clone();
            form.push(("csrf", csrf.as_str()));
            let resp = client
                .post(format!("{}{path}", app.base))
                .form(&form)
                .send()
                .await
                .unwrap();
            let status = resp.status();
            let to_login = resp
                .headers()
                .get("location")
                .is_some_and(|l| l.to_str().unwrap().starts_with("/login"));
            let denied = status == StatusCode::FORBIDDEN || to_login;
            if denied == allowed.contains(role) {
                failures.push(format!(
                    "POST {path} as {role}: {status} {:?}",
                    resp.headers().get("location")
                ));
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
async fn a_unit_pastes_its_report_and_sees_each_figure_marked() {
    let app = spawn().await;
    let table = checked_claims(
        &app,
        "拆除违法建设9.5万平方米,家庭厨余垃圾分出率达到21.8%。",
    )
    .await;
    let row = |needle: &str| claim_row(&table, needle);
    assert!(
        row("9.5万平方米").contains("不一致")
            && row("9.5万平方米").contains("9.5")
            && row("9.5万平方米").contains("8.5")
    );
    assert!(row("21.8%").contains("一致") && !row("21.8%").contains("不一致"));
    app.stop().await;
}

/// The claims table of Dongcheng's report check of `report`, as its reporter sees it.
async fn checked_claims(app: &TestApp, report: &str) -> String {
    let c = log_in(app, "dongcheng").await;
    let page = page_text(&c, app, "/units/dongcheng/claims").await;
    let csrf = field(&page, "csrf");
    let html = c
        .post(format!("{}/units/dongcheng/claims", app.base))
        .form(&[("csrf", csrf.as_str()), ("text", report)])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    html[html.find("id=\"claims-table\"").expect("results")..].to_string()
}

/// The row of the claims table that holds `needle`.
fn claim_row(table: &str, needle: &str) -> String {
    table
        .split("<tr>")
        .find(|r| r.contains(needle))
        .unwrap_or_else(|| panic!("no row for {needle}"))
        .to_string()
}

async fn page_text(c: &Client, app: &TestApp, path: &str) -> String {
    c.get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn status_of(c: &Client, app: &TestApp, path: &str) -> u16 {
    c.get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn post_form(
    c: &Client,
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let page = page_text(c, app, "/account").await;
    let csrf = field(&page, "csrf");
    let mut form = fields.to_vec();
    form.push(("csrf", csrf.as_str()));
    c.post(format!("{}{path}", app.base))
        .form(&form)
        .send()
        .await
        .unwrap()
}

/// The office publishes the 2020 results through the page, confirming it.
async fn publish_2020(admin: &Client, app: &TestApp) {
    let resp = post_form(
        admin,
        app,
        "/reports/publication?cycle=2020",
        &[("publish", "true"), ("confirm", "yes")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
}

/// Dongcheng submits PM2.5 of 55 (A08-2, Q4) and 市生态环境局 returns it with `reason`;
/// answers the value's API path.
async fn submitted_then_returned(app: &TestApp, reason: &str) -> &'static str {
    let unit = Session::login(app, "dongcheng").await;
    let evaluator = Session::login(app, "sthjj").await;
    let path = "/api/v1/cycles/2020/units/dongcheng/values/A08-2/Q4";
    let (status, body) = unit
        .call(
            reqwest::Method::PUT,
            path,
            Some(serde_json::json!({"value": 55, "note": "受沙尘天气影响", "submit": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = evaluator
        .call(
            reqwest::Method::POST,
            &format!("{path}/review"),
            Some(serde_json::json!({"action": "return", "comment": reason})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    path
}

#[tokio::test]
async fn nothing_of_a_cycle_is_public_until_the_office_publishes_it() {
    let app = spawn().await;
    let admin = log_in(&app, "admin").await;
    let reporter = log_in(&app, "dongcheng").await;
    let public = browser();
    let guesses = [
        "/public/2020",
        "/public/2020/results/docx",
        "/public/2020/results/xlsx",
        "/public/2020/units/dongcheng",
        "/public/2020/units/xicheng",
        "/public/2020/units/dongcheng/reports/self/docx",
        "/public/2020/units/dongcheng/reports/self/html",
        "/public/2020/units/dongcheng/reports/selfcheck/xlsx",
        "/public/2020/units/nowhere/reports/self/md",
        "/public/1999",
    ];
    for c in [&admin, &reporter, &public] {
        for path in guesses {
            assert_eq!(
                status_of(c, &app, path).await,
                404,
                "{path} before publication"
            );
        }
    }
    let page = page_text(&public, &app, "/public").await;
    assert!(!page.contains("/public/2020"));

    // Publishing asks for the office's confirmation first.
    let resp = post_form(
        &admin,
        &app,
        "/reports/publication?cycle=2020",
        &[("publish", "true")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let back = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(back.contains("error="), "{back}");
    assert!(page_text(&admin, &app, &back)
        .await
        .contains("请先勾选确认"));
    assert_eq!(
        status_of(&public, &app, "/public/2020").await,
        404,
        "not published"
    );
    let reports = page_text(&admin, &app, "/reports").await;
    assert!(reports.contains("id=\"publish-confirm\"") && reports.contains("required"));

    publish_2020(&admin, &app).await;
    let page = page_text(&public, &app, "/public").await;
    assert!(page.contains("href=\"/public/2020\""), "{page}");
    for path in &guesses[..8] {
        assert_eq!(
            status_of(&public, &app, path).await,
            200,
            "{path} after publication"
        );
    }
    for path in &guesses[8..] {
        assert_eq!(
            status_of(&public, &app, path).await,
            404,
            "{path} does not exist"
        );
    }
    let unit = page_text(&public, &app, "/public/2020/units/dongcheng").await;
    assert!(unit.contains("集中核酸检测累计人次") && unit.contains("超额完成"));
    // Every download link of the public page answers.
    for href in unit
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .filter(|h| h.contains("/reports/"))
    {
        assert_eq!(status_of(&public, &app, href).await, 200, "{href}");
    }
    let docx = public
        .get(format!(
            "{}/public/2020/units/dongcheng/reports/self/docx",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert!(docx.headers()["content-disposition"]
        .to_str()
        .unwrap()
        .contains("filename*=UTF-8''"));
    let text = jixiao_report::docx::read_text(&docx.bytes().await.unwrap()).unwrap();
    assert!(text.starts_with("东城区2020年度绩效自评报告"));

    let resp = post_form(
        &admin,
        &app,
        "/reports/publication?cycle=2020",
        &[("publish", "false")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        status_of(&public, &app, "/public/2020/units/dongcheng").await,
        404,
        "withdrawn"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_units_paragraphs_are_merged_into_its_downloaded_report() {
    let app = spawn().await;
    let reporter = log_in(&app, "dongcheng").await;
    let resp = post_form(
        &reporter,
        &app,
        "/units/dongcheng/report",
        &[
            ("overview", "全区上下团结一心，攻坚克难。"),
            ("highlights", ""),
            ("rectification", "加快老旧小区综合整治\n提升垃圾分类质量"),
            ("next_year", "明年重点推进背街小巷整治。"),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(resp.headers()["location"]
        .to_str()
        .unwrap()
        .contains("flash=saved"));
    let page = page_text(&reporter, &app, "/units/dongcheng/report").await;
    assert!(page.contains("提升垃圾分类质量"));
    let md = page_text(&reporter, &app, "/units/dongcheng/reports/self/md").await;
    assert!(md.contains("全区上下团结一心，攻坚克难。"), "{md}");
    assert!(md.contains("1. 加快老旧小区综合整治\n2. 提升垃圾分类质量"));
    assert!(md.contains("明年重点推进背街小巷整治。"));
    // Another unit's report stays out of reach.
    assert_eq!(
        status_of(&reporter, &app, "/units/xicheng/reports/self/md").await,
        403
    );
    app.stop().await;
}

async fn upload_report(
    c: &Client,
    app: &TestApp,
    unit: &str,
    name: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    let page = page_text(c, app, "/account").await;
    let form = reqwest::multipart::Form::new()
        .text("csrf", field(&page, "csrf"))
        .part(
            "file",
            reqwest::multipart::Part::bytes(body).file_name(name.to_string()),
        );
    c.post(format!("{}/units/{unit}/claims/upload", app.base))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_uploaded_self_evaluation_table_is_checked_against_its_own_arithmetic() {
    let app = spawn().await;
    let c = log_in(&app, "dongcheng").await;
    let good = include_str!("../../../examples/claims/project-self-evaluation-example.md");
    let resp = upload_report(&c, &app, "dongcheng", "自评表.md", good.as_bytes().to_vec()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let page = resp.text().await.unwrap();
    assert!(
        page.contains("id=\"self-evaluation-1\"") && page.contains("表内计算一致"),
        "{page}"
    );
    let bad = good.replace("| 100 | 96.64 |", "| 100 | 99 |");
    let page = upload_report(&c, &app, "dongcheng", "自评表.md", bad.into_bytes())
        .await
        .text()
        .await
        .unwrap();
    let findings = page
        .split("self-evaluation-findings")
        .nth(1)
        .expect("findings");
    assert!(
        findings.contains("总分 · 得分") && findings.contains("96.64"),
        "{findings}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_unit_uploads_its_word_report_and_sees_each_figure_marked() {
    let app = spawn().await;
    let c = log_in(&app, "dongcheng").await;
    let docx = c
        .get(format!("{}/units/dongcheng/reports/self/docx", app.base))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let resp = upload_report(&c, &app, "dongcheng", "东城区自评报告.docx", docx.clone()).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let page = resp.text().await.unwrap();
    let summary = page
        .split("id=\"claims-summary\">")
        .nth(1)
        .unwrap()
        .split("</p>")
        .next()
        .unwrap();
    assert!(summary.contains("不一致 0"), "{summary}");
    assert!(page.contains("集中核酸检测累计人次为135万人次"));
    // An old .doc file is refused with a message and nothing else happens.
    let resp = upload_report(
        &c,
        &app,
        "dongcheng",
        "report.doc",
        vec![0xD0, 0xCF, 0x11, 0xE0, 0, 0],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(
        resp.headers()["location"]
            .to_str()
            .unwrap()
            .contains("error="),
        "{:?}",
        resp.headers()
    );
    // Another unit's check is refused.
    let resp = upload_report(&c, &app, "xicheng", "r.docx", docx).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test]
async fn the_hotline_dashboard_ranks_streets_and_guards_personal_information() {
    let (app, _) = spawn_hotline(3000).await;
    let admin = log_in(&app, "admin").await;
    let page = page_text(&admin, &app, "/hotline?month=2020-06").await;
    let ranking = page
        .split("id=\"hotline-ranking\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert_eq!(ranking.matches("<tr").count() - 1, 16, "the 16 districts");
    assert!(ranking.contains("东城区"));
    // 3,000 cases a year: the small districts have fewer than 10 a month and are not ranked.
    let small = ranking.matches("<tr class=\"insufficient\">").count();
    assert!((1..16).contains(&small), "{small} districts 样本不足");
    assert_eq!(ranking.matches("样本不足").count(), small);
    assert!(page.contains("id=\"hotline-heat\"") && page.contains("id=\"hotline-trend-data\""));
    // The rules in force, the 红黑榜 and a map of the districts.
    assert!(page.contains("id=\"hotline-rules\"") && page.contains("按时办结率"));
    assert!(page.contains("id=\"hotline-red\"") && page.contains("id=\"hotline-black\""));
    assert!(page.contains("id=\"hotline-map-data\""));
    let (status, map) = admin
        .get(format!("{}/hotline/map", app.base))
        .send()
        .await
        .map(|r| (r.status(), r))
        .unwrap();
    assert_eq!(status, StatusCode::OK);
    let map: serde_json::Value = map.json().await.unwrap();
    assert_eq!(map["features"].as_array().unwrap().len(), 16);
    assert!(map["features"][0]["geometry"]["coordinates"].is_array());
    let page = admin
        .get(format!(
            "{}/hotline?month=2020-06&district=dongcheng",
            app.base
        ))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let ranking = page
        .split("id=\"hotline-ranking\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert!(ranking.contains("东华门街道"), "Dongcheng's streets");
    assert!(!ranking.contains("西城区"));
    assert!(
        page.contains("id=\"hotline-grids\""),
        "the district's busiest grid cells"
    );
    let page = page_text(&admin, &app, "/hotline?month=2020-06&group=urban6").await;
    let ranking = page
        .split("id=\"hotline-ranking\"")
        .nth(1)
        .unwrap()
        .split("</table>")
        .next()
        .unwrap();
    assert_eq!(
        ranking.matches("<tr").count() - 1,
        6,
        "城六区 ranked among themselves"
    );
    assert!(ranking.contains("海淀区") && !ranking.contains("延庆区"));
    // Repeat complaints are per district: the city's view asks for one.
    assert!(
        page.contains("id=\"hotline-clusters\"")
            || page.contains("选择一个区以查看同一网格同类重复诉求"),
        "the repeat complaints' section"
    );

    // A district's reporter sees its own district only, with contacts masked.
    let reporter = log_in(&app, "dongcheng").await;
    let page = page_text(&reporter, &app, "/hotline?district=xicheng").await;
    assert!(
        page.contains("东城区") && !page.contains("德胜"),
        "the district filter is not theirs to choose"
    );
    let list = page_text(&reporter, &app, "/hotline/cases").await;
    let first = list
        .split("/hotline/cases/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    let case = page_text(&reporter, &app, &format!("/hotline/cases/{first}")).await;
    // The place reads as 区 / 街道 / 社区 / 网格 names, never an internal id.
    let place = case
        .split("id=\"case-place\">")
        .nth(1)
        .and_then(|s| s.split("</dd>").next())
        .unwrap_or_default();
    assert!(
        place.contains("东城区 &#x2f; ") && place.contains("街道") && !place.contains("dongcheng-"),
        "{place}"
    );
    let contact = case
        .split("id=\"case-contact\">")
        .nth(1)
        .unwrap()
        .split("</dd>")
        .next()
        .unwrap();
    assert!(
        contact.contains("****") || contact.contains("—"),
        "{contact}"
    );
    assert!(
        !case.contains("/contact\""),
        "no full-contact button for a reporter"
    );
    let admin_list = page_text(&admin, &app, "/hotline/cases?district=xicheng").await;
    let xicheng = admin_list
        .split("/hotline/cases/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(
        status_of(&reporter, &app, &format!("/hotline/cases/{xicheng}")).await,
        403
    );
    assert_eq!(
        status_of(&reporter, &app, "/hotline/cases/no-such-case").await,
        403,
        "a guessed id answers like another district's"
    );
    assert_eq!(
        status_of(&admin, &app, "/hotline/cases/no-such-case").await,
        404
    );

    // The office sees a contact in full; the view is recorded.
    let with_contact = admin_list
        .split("<tr>")
        .find(|r| r.contains("****"))
        .and_then(|r| r.split("/hotline/cases/").nth(1))
        .map(|r| r.split('"').next().unwrap().to_string())
        .unwrap();
    let resp = post_form(
        &admin,
        &app,
        &format!("/hotline/cases/{with_contact}/contact"),
        &[],
    )
    .await;
    let page = resp.text().await.unwrap();
    let contact = page
        .split("id=\"case-contact\">")
        .nth(1)
        .unwrap()
        .split("</dd>")
        .next()
        .unwrap();
    assert!(
        !contact.contains("****") && contact.contains("13"),
        "{contact}"
    );
    let audit = page_text(&admin, &app, "/audit?action=hotline.contact_view").await;
    assert!(
        audit.contains(&with_contact),
        "the view is in the audit log"
    );
    let resp = post_form(
        &reporter,
        &app,
        &format!("/hotline/cases/{first}/contact"),
        &[],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    // Exclusion needs a reason and is approved by the office.
    let resp = post_form(
        &admin,
        &app,
        &format!("/hotline/cases/{with_contact}/exclusion"),
        &[("reason", "unreasonable"), ("note", "重复来电")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let page = page_text(&admin, &app, &format!("/hotline/cases/{with_contact}")).await;
    assert!(
        page.contains("id=\"case-exclusion\">unreasonable · 重复来电 · admin"),
        "{page}"
    );
    let resp = post_form(
        &reporter,
        &app,
        &format!("/hotline/cases/{first}/exclusion"),
        &[("reason", "unreasonable"), ("note", "x")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let resp = post_form(
        &admin,
        &app,
        &format!("/hotline/cases/{first}/exclusion"),
        &[("reason", "because"), ("note", "x")],
    )
    .await;
    assert!(
        resp.headers()["location"]
            .to_str()
            .unwrap()
            .contains("error="),
        "an unknown reason is refused"
    );
    app.stop().await;
}

/// The total a unit page shows (`id="unit-total"`).
fn unit_total(page: &str) -> String {
    let at = page.find("id=\"unit-total\">").expect("the unit's total") + 16;
    page[at..].split('<').next().unwrap().to_string()
}

/// The heavy pages are kept per data version: a write shows at once on every one of them, each
/// request still gets its own frame (user, CSRF token, messages), and language and role each
/// have their own content.
#[tokio::test]
async fn kept_pages_follow_every_write_and_draw_each_request_its_own_frame() {
    let app = spawn().await;
    let office = log_in(&app, "admin").await;
    let reporter = log_in(&app, "dongcheng").await;
    let admin = Session::login(&app, "admin").await;
    let evaluator = Session::login(&app, "ghzrw").await;

    let first = page_text(&office, &app, "/units/dongcheng").await;
    assert_eq!(first, page_text(&office, &app, "/units/dongcheng").await);
    let english = page_text(&office, &app, "/units/dongcheng?lang=en").await;
    assert!(
        english.contains("lang=\"en\"") && english.contains(">Total<"),
        "{english}"
    );
    let own = page_text(&reporter, &app, "/units/dongcheng?lang=zh").await;
    assert_eq!(unit_total(&own), unit_total(&first));
    let other = log_in(&app, "xicheng").await;
    assert_eq!(
        status_of(&other, &app, "/units/dongcheng").await,
        403,
        "a page kept for the office is not another unit's reporter's to see"
    );
    let flash = page_text(&office, &app, "/units/dongcheng?flash=saved").await;
    assert!(
        flash.contains("class=\"flash\"") && flash.contains("Saved"),
        "English since ?lang=en"
    );
    assert_eq!(
        field(&first, "csrf"),
        field(&page_text(&office, &app, "/rankings").await, "csrf"),
        "the frame carries this session's token"
    );
    assert_ne!(field(&first, "csrf"), field(&own, "csrf"));
    let overview = page_text(&office, &app, "/overview").await;
    let rankings = page_text(&office, &app, "/rankings").await;

    // A bonus approved: every kept page shows the new total at once.
    let (_, before) = admin.get("/api/v1/cycles/2020/units/dongcheng").await;
    let (_, proposed) = evaluator
        .call(
            reqwest::Method::POST,
            "/api/v1/cycles/2020/ledger",
            Some(serde_json::json!({"unit": "dongcheng", "kind": "bonus", "points": 1.5, "reason": "创新做法"})),
        )
        .await;
    let decision = format!(
        "/api/v1/cycles/2020/ledger/{}/decision",
        proposed["id"].as_str().unwrap()
    );
    let (status, _) = admin
        .call(
            reqwest::Method::POST,
            &decision,
            Some(serde_json::json!({"approve": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, after) = admin.get("/api/v1/cycles/2020/units/dongcheng").await;
    let total = format!("{:.2}", after["total"].as_f64().unwrap());
    assert_ne!(after["total"], before["total"]);
    let again = page_text(&office, &app, "/units/dongcheng").await;
    assert_eq!(unit_total(&again), total, "the office's unit page");
    assert_eq!(
        unit_total(&first),
        format!("{:.2}", before["total"].as_f64().unwrap())
    );
    assert_eq!(
        unit_total(&page_text(&reporter, &app, "/units/dongcheng").await),
        total,
        "the reporter's unit page"
    );
    for (path, old) in [("/overview", overview), ("/rankings", rankings)] {
        let new = page_text(&office, &app, path).await;
        assert_ne!(new, old, "{path} changed");
        assert!(new.contains(&total), "{path} shows {total}");
    }
    app.stop().await;
}

/// Every link of every public page answers: a visitor starts at `/public` after publication and
/// follows each address on the site (pages, downloads, publication files), in both languages.
#[tokio::test]
async fn every_link_of_every_public_page_answers() {
    let app = spawn().await;
    let admin = log_in(&app, "admin").await;
    publish_2020(&admin, &app).await;
    let visitor = browser();
    let mut seen = std::collections::BTreeSet::new();
    let mut queue = vec!["/public".to_string(), "/public?lang=en".to_string()];
    let mut pages = 0;
    while let Some(path) = queue.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let resp = visitor
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{path}");
        let is_page = resp
            .headers()
            .get("content-type")
            .is_some_and(|t| t.to_str().unwrap_or("").starts_with("text/html"));
        let body = resp.bytes().await.unwrap();
        if !is_page {
            continue;
        }
        pages += 1;
        let html = String::from_utf8_lossy(&body);
        for href in html
            .split("href=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next())
            // The templates escape `/` and `&` in what they insert.
            .map(|h| h.replace("&#x2f;", "/").replace("&amp;", "&"))
            .filter(|h| h.starts_with("/public"))
        {
            let href = href.split('#').next().unwrap_or_default().to_string();
            if !seen.contains(&href) {
                queue.push(href);
            }
        }
        assert!(seen.len() < 2000, "the public site is unexpectedly large");
    }
    assert!(pages > 20, "{pages} pages followed: {seen:?}");
    for must in ["/public/2020/results/docx", "/public/2020/results/xlsx"] {
        assert!(
            seen.contains(must),
            "{must} is linked from the public pages"
        );
    }
    app.stop().await;
}

/// A report of a cycle that has ended is dated at the cycle's end, not on the day it is
/// downloaded; during the cycle it is dated today.
#[tokio::test]
async fn a_report_of_an_ended_cycle_is_dated_at_its_end() {
    for (today, expected) in [
        ("2026-11-30", "截至2020年12月31日"),
        ("2020-12-20", "截至2020年12月20日"),
    ] {
        let db = jixiao_testkit::demo_database();
        let mut config = jixiao_testkit::config(&db.url);
        config.today = chrono::NaiveDate::parse_from_str(today, "%Y-%m-%d").ok();
        let app = jixiao_testkit::spawn_with(config).await;
        let admin = Session::login(&app, "admin").await;
        let resp = admin
            .client
            .get(format!(
                "{}/api/v1/cycles/2020/units/dongcheng/reports/self/md",
                app.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let text = resp.text().await.unwrap();
        assert!(text.contains(expected), "today {today}: {text}");
        app.stop().await;
        drop(db);
    }
}

/// A returned value carries its reason to the unit: on the entry card, in the task page's
/// history and through the API, with who did each step; the evaluator sees the same history.
#[tokio::test]
async fn a_return_reason_reaches_the_unit_and_every_step_is_in_the_history() {
    let app = spawn().await;
    let reason = "请核对监测站数据并附上月报";
    let path = submitted_then_returned(&app, reason).await;
    let unit = Session::login(&app, "dongcheng").await;
    let evaluator = Session::login(&app, "sthjj").await;

    let (status, steps) = unit.get(&format!("{path}/history")).await;
    assert_eq!(status, StatusCode::OK, "{steps}");
    let steps = steps.as_array().unwrap();
    let last = steps.last().unwrap();
    assert_eq!(
        (
            last["action"].as_str(),
            last["state"].as_str(),
            last["comment"].as_str()
        ),
        (Some("return"), Some("returned"), Some(reason)),
        "{steps:?}"
    );
    assert_ne!(
        last["actor_name"], last["actor"],
        "the evaluator's name, not only its id"
    );
    let submit = &steps[steps.len() - 2];
    assert_eq!(
        (
            submit["action"].as_str(),
            submit["actor"].as_str(),
            submit["value"].as_str(),
            submit["note"].as_str()
        ),
        (
            Some("submit"),
            Some("dongcheng"),
            Some("55"),
            Some("受沙尘天气影响")
        )
    );
    let (_, theirs) = evaluator.get(&format!("{path}/history")).await;
    assert_eq!(
        theirs.as_array().unwrap(),
        steps,
        "the evaluator sees the same history"
    );
    let (status, _) = Session::login(&app, "xicheng")
        .await
        .get(&format!("{path}/history"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another unit does not");

    let browser = log_in(&app, "dongcheng").await;
    let entry = page_text(&browser, &app, "/units/dongcheng/entry?period=Q4").await;
    assert!(
        entry.contains("退回理由") && entry.contains(reason),
        "the reason is on the returned card"
    );
    let task = page_text(&browser, &app, "/units/dongcheng/tasks/A08-2").await;
    let history = task
        .split("id=\"history-Q4\"")
        .nth(1)
        .and_then(|s| s.split("</ol>").next())
        .expect("the fourth quarter's history");
    assert!(
        history.contains("报送") && history.contains("退回") && history.contains(reason),
        "{history}"
    );
    app.stop().await;
}

async fn attach(s: &Session, path: &str, name: &str) -> (StatusCode, serde_json::Value) {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(b"%PDF-1.4 evidence\n%%EOF\n".to_vec())
            .file_name(name.to_string()),
    );
    let resp = s
        .client
        .post(format!("{}{path}/evidence", s.base))
        .header("x-csrf-token", &s.csrf)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or_default())
}

/// Evidence added to an approved value sends it back to review (the approval was given without
/// it); an approved value of a period past its deadline takes none.
#[tokio::test]
async fn evidence_added_to_an_approved_value_sends_it_back_to_review() {
    let app = spawn().await;
    let unit = Session::login(&app, "dongcheng").await;
    let evaluator = Session::login(&app, "sthjj").await;
    let path = "/api/v1/cycles/2020/units/dongcheng/values/A08-2/Q4";
    let (status, _) = unit
        .call(
            reqwest::Method::PUT,
            path,
            Some(serde_json::json!({"value": 36.5, "submit": true})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = evaluator
        .call(
            reqwest::Method::POST,
            &format!("{path}/review"),
            Some(serde_json::json!({"action": "approve"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = attach(&unit, path, "监测月报.pdf").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["sent_back_to_review"], true, "{body}");
    let (_, values) = unit.get("/api/v1/cycles/2020/units/dongcheng/values").await;
    let v = values
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["task_id"] == "A08-2" && v["period_id"] == "Q4")
        .unwrap();
    assert_eq!(v["state"], "submitted");
    let (_, steps) = unit.get(&format!("{path}/history")).await;
    let last = steps.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["action"].as_str(), last["comment"].as_str()),
        (Some("resubmit"), Some("监测月报.pdf"))
    );
    let (_, queue) = evaluator.get("/api/v1/cycles/2020/review-queue").await;
    assert!(queue
        .as_array()
        .unwrap()
        .iter()
        .any(|v| v["task_id"] == "A08-2" && v["unit_id"] == "dongcheng"));
    // The same file again changes nothing.
    let (status, body) = attach(&unit, path, "监测月报.pdf").await;
    assert_eq!(
        (status, body["sent_back_to_review"].as_bool()),
        (StatusCode::OK, Some(false))
    );

    // A closed period's approved value takes no new evidence.
    let closed = values
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["state"] == "approved" && v["period_id"] == "Q3")
        .expect("an approved third-quarter value");
    let closed_path = format!(
        "/api/v1/cycles/2020/units/dongcheng/values/{}/Q3",
        closed["task_id"].as_str().unwrap()
    );
    let (status, body) = attach(&unit, &closed_path, "late.pdf").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("past its deadline"),
        "{body}"
    );
    app.stop().await;
}

/// A reporting unit lands on its to-do: the returned value with its reason, the open values of
/// the period, the overdue and waiting counts; the entry page shows what it can still act on
/// first, grouped by indicator, and folds the rest away.
#[tokio::test]
async fn a_unit_lands_on_its_to_do_and_the_entry_page_shows_open_values_first() {
    let app = spawn().await;
    submitted_then_returned(&app, "请附监测站月报").await;
    let unit = Session::login(&app, "dongcheng").await;

    let browser = log_in(&app, "dongcheng").await;
    let home = browser.get(format!("{}/", app.base)).send().await.unwrap();
    assert_eq!(home.headers()["location"], "/units/dongcheng/todo");
    let todo = page_text(&browser, &app, "/units/dongcheng/todo").await;
    let returned = todo
        .split("id=\"todo-returned\"")
        .nth(1)
        .and_then(|s| s.split("</section>").next())
        .expect("the returned section");
    assert!(
        returned.contains("A08-2") && returned.contains("请附监测站月报"),
        "{returned}"
    );

    // The entry page: every card before the fold can still be changed; the returned one is
    // there; approved cards are folded away.
    let (_, values) = unit.get("/api/v1/cycles/2020/units/dongcheng/values").await;
    let approved: Vec<String> = values
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["period_id"] == "Q4" && v["state"] == "approved")
        .map(|v| v["task_id"].as_str().unwrap().to_string())
        .collect();
    assert!(!approved.is_empty());
    let entry = page_text(&browser, &app, "/units/dongcheng/entry?period=Q4").await;
    let (open, folded) = entry
        .split_once("id=\"entry-others\"")
        .expect("the folded part");
    let open = open.split("id=\"entry-open\"").nth(1).unwrap();
    assert!(
        open.contains("id=\"entry-A08-2\""),
        "the returned card is open"
    );
    assert!(
        !open.contains(" disabled"),
        "no locked field before the fold"
    );
    assert!(open.contains("class=\"indicator\""), "grouped by indicator");
    for task in &approved {
        assert!(
            folded.contains(&format!("id=\"entry-{task}\""))
                && !open.contains(&format!("id=\"entry-{task}\"")),
            "{task} is folded away"
        );
    }
    let open_cards = open.matches("class=\"card entry\"").count();
    let todo_open = todo
        .split("id=\"todo-open\"")
        .nth(1)
        .unwrap()
        .split("</section>")
        .next()
        .unwrap()
        .matches("<li>")
        .count();
    assert_eq!(
        open_cards,
        todo_open + 1,
        "the open values and the returned one"
    );
    app.stop().await;
}

/// The audit page reads in words (actions, account names, the office's local time) and pages
/// back through the whole log, its filters kept.
#[tokio::test]
async fn the_audit_page_pages_through_the_log_in_words_with_its_filters_kept() {
    let app = spawn().await;
    let admin = log_in(&app, "admin").await;
    let seqs = |html: &str| -> Vec<i64> {
        html.split("<tr><td class=\"n\">")
            .skip(1)
            .filter_map(|r| r.split('<').next()?.parse().ok())
            .collect()
    };
    let first = page_text(&admin, &app, "/audit").await;
    let page1 = seqs(&first);
    assert_eq!(page1.len(), 500, "a page of 500");
    assert!(first.contains("导入数值"), "actions in words");
    assert!(!first.contains("Z</td>"), "local times, not UTC stamps");
    let older = first
        .split("id=\"audit-older\"")
        .next()
        .and_then(|s| s.rsplit("href=\"").next())
        .and_then(|s| s.split('"').next())
        .map(|h| h.replace("&#x2f;", "/").replace("&amp;", "&"))
        .expect("a link to older entries");
    let second = page_text(&admin, &app, &older).await;
    let page2 = seqs(&second);
    assert_eq!(
        page2.first().copied(),
        page1.last().map(|s| s - 1),
        "the next page goes on where the first ended"
    );

    // A filter is kept across pages, and the database does the filtering.
    let filtered = page_text(&admin, &app, "/audit?action=value.import").await;
    let rows = seqs(&filtered);
    assert!(!rows.is_empty());
    assert_eq!(
        filtered.matches("title=\"value.import\"").count(),
        rows.len()
    );
    if rows.len() == 500 {
        assert!(
            filtered.contains("action=value.import&amp;before="),
            "the filter stays in the older link"
        );
    }
    app.stop().await;
}

/// The overview's figures agree with each other and say what they count: the cards are the
/// periods past their deadline (Q1 to Q3 on the tests' date), the table every period.
#[tokio::test]
async fn the_overview_cards_add_up_to_the_closed_periods_of_its_table() {
    let app = spawn().await;
    let admin = Session::login(&app, "admin").await;
    let (_, p) = admin.get("/api/v1/cycles/2020/progress").await;
    let periods = p["periods"].as_array().unwrap();
    let closed = |field: &str| -> u64 {
        periods[..3]
            .iter()
            .map(|x| x[field].as_u64().unwrap())
            .sum()
    };
    assert_eq!(p["expected"].as_u64().unwrap(), closed("expected"), "{p}");
    assert_eq!(p["reported"].as_u64().unwrap(), closed("reported"), "{p}");
    assert_eq!(p["approved"].as_u64().unwrap(), closed("approved"), "{p}");
    let page = page_text(&log_in(&app, "admin").await, &app, "/overview").await;
    assert!(page.contains(&format!("id=\"progress-expected\">{}<", p["expected"])));
    assert!(page.contains("id=\"progress-scope\"") && page.contains("截止日期已过"));
    app.stop().await;
}

/// A task whose value has no status to judge (a grade, a rank, no target) shows the value's
/// state on the unit page, not "暂无数据".
#[tokio::test]
async fn a_graded_or_ranked_task_with_a_value_does_not_read_no_data() {
    let app = spawn().await;
    let admin = Session::login(&app, "admin").await;
    let (_, values) = admin
        .get("/api/v1/cycles/2020/units/dongcheng/values")
        .await;
    let unjudged: Vec<String> = values
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["status"] == "unknown" && v["value"] != "")
        .map(|v| v["task_id"].as_str().unwrap().to_string())
        .collect();
    assert!(!unjudged.is_empty(), "the demo has graded tasks");
    let page = page_text(&log_in(&app, "admin").await, &app, "/units/dongcheng").await;
    for task in unjudged {
        let row = page
            .split(&format!("tasks&#x2f;{task}\""))
            .nth(1)
            .or_else(|| page.split(&format!("tasks/{task}\"")).nth(1))
            .and_then(|r| r.split("</tr>").next())
            .unwrap_or_else(|| panic!("{task}'s row"));
        assert!(!row.contains("暂无数据"), "{task}: {row}");
    }
    app.stop().await;
}

/// A unit applies for bonus points with evidence (创新创优申报); it sees its own application and
/// file, another unit sees neither, the office sees both and decides, and the approved points
/// count. A unit cannot apply for a deduction or for another unit.
#[tokio::test]
async fn a_unit_applies_for_bonus_points_with_evidence_and_the_office_decides() {
    let app = jixiao_testkit::spawn().await;
    let unit = log_in(&app, "dongcheng").await;
    let page = page_text(&unit, &app, "/ledger").await;
    assert!(
        page.contains("创新创优申报") && page.contains("id=\"bonus-form\""),
        "{page}"
    );
    let csrf = field(&page, "csrf");
    let pdf = b"%PDF-1.4 bonus application\n%%EOF\n".to_vec();
    let apply = |unit_id: &'static str, points: &'static str, file: Option<Vec<u8>>| {
        let mut form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("unit", unit_id)
            .text("points", points)
            .text("reason", "“接诉即办”工作法获国务院办公厅通报推广");
        if let Some(bytes) = file {
            form = form.part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name("推广通报.pdf"),
            );
        }
        unit.post(format!("{}/ledger/apply", app.base))
            .multipart(form)
            .send()
    };
    // Another unit's application is refused.
    let resp = apply("xicheng", "1", Some(pdf.clone())).await.unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    // A file that is not what its name says is refused, and nothing is kept.
    let resp = apply("dongcheng", "1", Some(b"<html>not a pdf".to_vec()))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let back = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(back.contains("error="), "{back}");
    assert!(!page_text(&unit, &app, "/ledger")
        .await
        .contains("工作法获国务院"));
    let resp = apply("dongcheng", "1", Some(pdf.clone())).await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(resp.headers()["location"]
        .to_str()
        .unwrap()
        .contains("flash=saved"));
    let page = page_text(&unit, &app, "/ledger").await;
    assert!(
        page.contains("推广通报.pdf") && page.contains("待审批"),
        "{page}"
    );
    let href = page
        .split("href=\"/ledger/files/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a file link")
        .to_string();
    let file = format!("/ledger/files/{href}");
    assert_eq!(status_of(&unit, &app, &file).await, 200);
    let other = log_in(&app, "xicheng").await;
    assert_eq!(status_of(&other, &app, &file).await, 403);
    assert!(!page_text(&other, &app, "/ledger")
        .await
        .contains("推广通报.pdf"));

    // Through the API: the unit lists its own entries; a deduction is not a unit's to propose.
    let api = jixiao_testkit::client::Session::login(&app, "dongcheng").await;
    let (status, body) = api.get("/api/v1/cycles/2020/ledger").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.as_array()
            .unwrap()
            .iter()
            .all(|e| e["unit_id"] == "dongcheng"),
        "{body}"
    );
    let (status, body) = api
        .call(
            reqwest::Method::POST,
            "/api/v1/cycles/2020/ledger",
            Some(serde_json::json!({"unit": "dongcheng", "kind": "deduction", "points": 1, "reason": "自报扣分"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");

    // The office sees the application with its file, approves it, and the bonus counts.
    let admin = log_in(&app, "admin").await;
    let before = unit_bonus(&admin, &app).await;
    let page = page_text(&admin, &app, "/ledger").await;
    assert!(
        page.contains("推广通报.pdf"),
        "the office sees the evidence"
    );
    assert_eq!(status_of(&admin, &app, &file).await, 200);
    let entry = page
        .split("“接诉即办”工作法")
        .next()
        .and_then(|s| s.rsplit("id=\"ledger-").next())
        .and_then(|s| s.split('"').next())
        .expect("the entry's row")
        .to_string();
    let resp = post_form(
        &admin,
        &app,
        &format!("/ledger/{entry}/decision"),
        &[("approve", "true")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let after = unit_bonus(&admin, &app).await;
    assert!(after > before, "approved points count: {before} → {after}");
    app.stop().await;
}

/// Dongcheng's counted bonus points, from the API.
async fn unit_bonus(c: &Client, app: &TestApp) -> f64 {
    let body: serde_json::Value = c
        .get(format!("{}/api/v1/cycles/2020/units/dongcheng", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["bonus"].as_f64().unwrap_or_else(|| panic!("{body}"))
}

/// The overview groups off-track values by unit and indicator and leads to the risk list, which
/// filters by unit, indicator and status and pages through them, filters kept.
#[tokio::test]
async fn the_risk_list_is_grouped_filtered_and_paged() {
    let app = jixiao_testkit::spawn().await;
    let admin = log_in(&app, "admin").await;
    let overview = page_text(&admin, &app, "/overview").await;
    assert!(
        overview.contains("id=\"risk-groups\"") && overview.contains("id=\"risks-all\""),
        "{overview}"
    );
    let all = page_text(&admin, &app, "/overview/risks").await;
    let total: usize = all
        .split("id=\"risk-count\">")
        .nth(1)
        .and_then(|s| s.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .expect("a count");
    let rows = |page: &str| page.matches("<span class=\"status ").count();
    assert_eq!(rows(&all), total.min(50), "one page of at most 50");
    // Filtered by status: only that status; by unit: only that unit's heading.
    let behind = page_text(&admin, &app, "/overview/risks?status=behind").await;
    assert!(!behind.contains("status at_risk"), "only values behind");
    let unit = overview
        .split("href=\"/overview/risks?unit=")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a unit group")
        .to_string();
    let one = page_text(&admin, &app, &format!("/overview/risks?unit={unit}")).await;
    assert_eq!(one.matches("<h2 class=\"h3\">").count(), 1, "one unit");
    // Paging keeps the filter.
    if total > 50 {
        assert!(all.contains("rel=\"next\""), "a next page");
        let second = page_text(&admin, &app, "/overview/risks?page=2").await;
        assert!(second.contains("rel=\"prev\""));
    }
    let filtered = page_text(&admin, &app, "/overview/risks?status=at_risk&page=1").await;
    if filtered.contains("rel=\"next\"") {
        assert!(
            filtered.contains("status=at_risk&amp;page=2")
                || filtered.contains("status=at_risk&page=2")
        );
    }
    app.stop().await;
}

/// The unit and its evaluator talk on the value: the return reaches the unit's notifications
/// (unread, with the reason), the unit's comment reaches the evaluator's, both show in the
/// value's history on the task page, and marking them read clears the count.
#[tokio::test]
async fn returns_and_comments_arrive_as_notifications_and_stay_in_the_history() {
    let app = jixiao_testkit::spawn().await;
    let path = submitted_then_returned(&app, "监测站点数据与上报不一致").await;
    let unit = Session::login(&app, "dongcheng").await;
    let evaluator = Session::login(&app, "sthjj").await;

    let (status, notices) = unit.get("/api/v1/notifications").await;
    assert_eq!(status, StatusCode::OK, "{notices}");
    let returned = notices["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["kind"] == "returned")
        .unwrap_or_else(|| panic!("{notices}"))
        .clone();
    assert_eq!(returned["unread"], true);
    assert_eq!(returned["detail"], "监测站点数据与上报不一致");
    assert!(returned["link"]
        .as_str()
        .unwrap()
        .contains("/units/dongcheng/tasks/A08-2"));
    assert!(notices["unread"].as_u64().unwrap() >= 1);

    // The unit answers on the value; the evaluator is told, with the words.
    let (status, steps) = unit
        .call(
            reqwest::Method::POST,
            &format!("{path}/comments"),
            Some(serde_json::json!({"body": "已核对,站点数据延迟入库,将附监测报告"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{steps}");
    let last = steps.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["action"].as_str(), last["comment"].as_str()),
        (
            Some("comment"),
            Some("已核对,站点数据延迟入库,将附监测报告")
        )
    );
    let (_, theirs) = evaluator.get("/api/v1/notifications").await;
    assert!(
        theirs["items"].as_array().unwrap().iter().any(
            |n| n["kind"] == "comment" && n["detail"] == "已核对,站点数据延迟入库,将附监测报告"
        ),
        "{theirs}"
    );
    // Another unit's reporter may not write on it; an empty comment is refused.
    let other = Session::login(&app, "xicheng").await;
    let (status, _) = other
        .call(
            reqwest::Method::POST,
            &format!("{path}/comments"),
            Some(serde_json::json!({"body": "插话"})),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = unit
        .call(
            reqwest::Method::POST,
            &format!("{path}/comments"),
            Some(serde_json::json!({"body": "  "})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // The task page shows the comment in the history; the notifications page lists the return.
    let browser = log_in(&app, "dongcheng").await;
    let task = page_text(&browser, &app, "/units/dongcheng/tasks/A08-2").await;
    assert!(
        task.contains("class=\"comment\"")
            && task.contains("站点数据延迟入库")
            && task.contains("id=\"comment-form\"")
    );
    let page = page_text(&browser, &app, "/notifications").await;
    assert!(
        page.contains("数值被退回") && page.contains("id=\"notices-unread\""),
        "{page}"
    );
    // Marked read: nothing unread any more.
    let newest = notices["newest"].as_i64().unwrap();
    let (status, _) = unit
        .call(
            reqwest::Method::POST,
            "/api/v1/notifications/seen",
            Some(serde_json::json!({"seq": newest})),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, after) = unit.get("/api/v1/notifications").await;
    assert_eq!(after["unread"], 0, "{after}");
    app.stop().await;
}

/// An evaluator lands on its review queue, which counts what waits by unit; a unit's entry page
/// filters its cards by state.
#[tokio::test]
async fn evaluators_land_on_their_queue_and_entry_cards_filter_by_state() {
    let app = jixiao_testkit::spawn().await;
    submitted_then_returned(&app, "请补充说明").await;
    let evaluator = log_in(&app, "sthjj").await;
    let home = evaluator
        .get(format!("{}/", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(home.headers()["location"], "/review");
    let queue = page_text(&evaluator, &app, "/review").await;
    assert!(queue.contains("id=\"review-summary\""), "{queue}");
    let unit = log_in(&app, "dongcheng").await;
    let returned = page_text(
        &unit,
        &app,
        "/units/dongcheng/entry?period=Q4&state=returned",
    )
    .await;
    let cards = |html: &str| html.matches("class=\"card entry").count();
    assert_eq!(cards(&returned), 1, "only the returned value");
    assert!(returned.contains("A08-2"));
    let all = page_text(&unit, &app, "/units/dongcheng/entry?period=Q4").await;
    assert!(cards(&all) > cards(&returned));
    let approved = page_text(
        &unit,
        &app,
        "/units/dongcheng/entry?period=Q4&state=approved",
    )
    .await;
    assert!(
        !approved.contains("id=\"entry-A08-2\""),
        "the returned value is not approved"
    );
    app.stop().await;
}

/// The honours register: the demo holds the seed report's honours; a unit proposes its own, the
/// office decides; report checking compares places and streaks with the approved entries and a
/// contradiction is 不一致 with both figures.
#[tokio::test]
async fn claims_are_checked_against_the_honours_register() {
    use reqwest::Method;
    use serde_json::json;
    let app = spawn().await;
    let admin = Session::login(&app, "admin").await;
    let unit = Session::login(&app, "dongcheng").await;
    let (s, list) = unit.get("/api/v1/cycles/2020/honours").await;
    assert_eq!(s, StatusCode::OK, "{list}");
    let list = list.as_array().unwrap().clone();
    assert!(list.len() >= 10, "{list:?}");
    assert!(list
        .iter()
        .all(|e| e["unit_id"] == "dongcheng" && e["status"] == "approved"));
    assert!(list
        .iter()
        .any(|e| e["name"] == "全国双拥模范城" && e["streak"] == 8));
    // A unit proposes its own entry: pending until the office approves it; twice is 409; a rank
    // of 0 or another unit's entry is refused.
    let proposal = json!({"unit": "dongcheng", "name": "北京市垃圾分类示范片区", "issuer": "市城市管理委", "period": "2020年", "rank": 2, "scope": "全市"});
    let (s, v) = unit
        .call(
            Method::POST,
            "/api/v1/cycles/2020/honours",
            Some(proposal.clone()),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["status"], "pending");
    let id = v["id"].as_str().unwrap().to_string();
    let (s, _) = unit
        .call(Method::POST, "/api/v1/cycles/2020/honours", Some(proposal))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, v) = unit
        .call(
            Method::POST,
            "/api/v1/cycles/2020/honours",
            Some(json!({"unit": "dongcheng", "name": "x", "issuer": "y", "period": "2020年", "streak": 1})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert!(v.to_string().contains("streak"), "{v}");
    let (s, _) = unit
        .call(
            Method::POST,
            "/api/v1/cycles/2020/honours",
            Some(json!({"unit": "xicheng", "name": "x", "issuer": "y", "period": "2020年"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = unit
        .call(
            Method::POST,
            &format!("/api/v1/cycles/2020/honours/{id}/decision"),
            Some(json!({"approve": true})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "a unit does not approve its own");
    let (s, _) = admin
        .call(
            Method::POST,
            &format!("/api/v1/cycles/2020/honours/{id}/decision"),
            Some(json!({"approve": true})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, list) = admin
        .get("/api/v1/cycles/2020/honours?unit=dongcheng")
        .await;
    let entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == id.as_str())
        .unwrap()
        .clone();
    assert_eq!(entry["status"], "approved");

    // Checking a report: streaks and places against the register.
    let report = "“全国双拥模范城”实现九连冠。五次蝉联“全国文明城区”殊荣。接诉即办年度综合考核名列全市第三。无障碍设施建设绩效考核位居全市第一。北京市垃圾分类示范片区评比位居全市第二。";
    let table = checked_claims(&app, report).await;
    let row = |needle: &str| claim_row(&table, needle);
    let nine = row("九连冠");
    assert!(
        nine.contains("不一致") && nine.contains('9') && nine.contains('8'),
        "{nine}"
    );
    let five = row("五次蝉联");
    assert!(five.contains("一致") && !five.contains("不一致"), "{five}");
    let third = row("名列全市第三");
    assert!(
        third.contains("一致") && !third.contains("不一致"),
        "{third}"
    );
    let first = row("位居全市第一");
    assert!(first.contains("不一致") && first.contains('2'), "{first}");
    let second = row("位居全市第二");
    assert!(
        second.contains("一致") && !second.contains("不一致"),
        "{second}"
    );
    app.stop().await;
}

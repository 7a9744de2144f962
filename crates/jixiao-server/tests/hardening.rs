//! Hostile and careless input at the edges: redirects after login, security headers, paging
//! out of range, control characters and oversized texts, and documents that stay readable
//! whatever users typed.

use jixiao_testkit::client::{browser_client, field};
use jixiao_testkit::{spawn, spawn_hotline, Browser, Session};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// Whether an XML document parses from start to end.
fn parses(xml: &str) -> Result<(), String> {
    let mut r = quick_xml::Reader::from_str(xml);
    loop {
        match r.read_event() {
            Ok(quick_xml::events::Event::Eof) => return Ok(()),
            Ok(_) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
}

#[tokio::test]
async fn after_login_only_paths_of_this_site_are_followed() {
    let app = spawn().await;
    for (next, to) in [
        ("/units/dongcheng", "/units/dongcheng"),
        ("/\\evil.example/", "/"),
        ("//evil.example/", "/"),
        ("https://evil.example/", "/"),
        ("/\t/evil.example", "/"),
    ] {
        let c = browser_client();
        let page = c
            .get(format!("{}/login", app.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let resp = c
            .post(format!("{}/login", app.base))
            .form(&[
                ("csrf", field(&page, "csrf").as_str()),
                ("next", next),
                ("user", "dongcheng"),
                ("password", "demo-dongcheng-2020"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        assert_eq!(resp.headers()["location"], to, "next = {next:?}");
    }
    app.stop().await;
}

#[tokio::test]
async fn every_answer_carries_the_security_headers() {
    let app = spawn().await;
    let admin = Browser::login(&app, "admin").await;
    for path in [
        "/overview",
        "/api/v1/cycles",
        "/health",
        "/login",
        "/nowhere",
        "/api/v1/docs",
    ] {
        let resp = admin
            .client
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .unwrap();
        let h = resp.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
        assert!(
            !csp.contains("script-src 'self' 'unsafe-inline'"),
            "{path}: {csp}"
        );
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
    }
    let docs = admin.text("/api/v1/docs").await;
    assert!(!docs.contains("<script>"), "no inline script: {docs}");
    app.stop().await;
}

#[tokio::test]
async fn paging_and_limits_out_of_range_are_refused_not_failed() {
    let (app, _) = spawn_hotline(200).await;
    let admin = Browser::login(&app, "admin").await;
    for page in ["18446744073709551615", "0", "-1", "abc", "100001"] {
        let resp = admin
            .client
            .get(format!("{}/hotline/cases?page={page}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "page={page}"
        );
    }
    let ok = admin
        .client
        .get(format!("{}/hotline/cases?page=2", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), StatusCode::OK);
    let api = Session::login(&app, "admin").await;
    for limit in ["100000000", "0"] {
        let (status, body) = api.get(&format!("/api/v1/audit?limit={limit}")).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "limit={limit}: {body}"
        );
    }
    let (status, first) = api.get("/api/v1/audit?limit=2").await;
    assert_eq!(status, StatusCode::OK);
    let first = first.as_array().unwrap();
    assert_eq!(first.len(), 2);
    let after = first[1]["seq"].as_i64().unwrap();
    let (_, next) = api
        .get(&format!("/api/v1/audit?limit=2&after={after}"))
        .await;
    assert_eq!(
        next[0]["seq"].as_i64().unwrap(),
        after + 1,
        "pages on by sequence"
    );
    app.stop().await;
}

#[tokio::test]
async fn control_characters_and_oversized_texts_are_refused_with_the_field_named() {
    let app = spawn().await;
    let unit = Session::login(&app, "dongcheng").await;
    let narrative = "/api/v1/cycles/2020/units/dongcheng/narratives/overview";
    let (status, body) = unit
        .call(
            Method::PUT,
            narrative,
            Some(json!({"text": "全区\u{1}工作"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("U+0001"),
        "{body}"
    );
    let long = "长".repeat(20_001);
    let (status, body) = unit
        .call(Method::PUT, narrative, Some(json!({ "text": long })))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("20000"),
        "{body}"
    );
    let (status, body) = unit
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/units/dongcheng/values/A08-2/Q4",
            Some(json!({"value": 40, "note": "说明\u{7}", "submit": false})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("`note`"),
        "{body}"
    );
    // Tabs and line breaks are text, not control.
    let (status, body) = unit
        .call(
            Method::PUT,
            narrative,
            Some(json!({"text": "第一段。\n\t第二段。"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.stop().await;
}

#[tokio::test]
async fn documents_stay_readable_whatever_was_stored() {
    let (app, key) = spawn_hotline(50).await;
    // Text with control characters that reached the database another way (an old import, a
    // hand edit): the Word report and Open311's XML leave them out instead of breaking.
    let url = app.database_url().unwrap().to_string();
    tokio::task::spawn_blocking(move || {
        let mut s = jixiao_store::Store::open(&url).unwrap();
        s.save_narrative(
            "2020",
            "dongcheng",
            "overview",
            "全区\u{1}\u{8}工作顺利。",
            "test",
        )
        .unwrap();
        s.execute_raw(
            "UPDATE hotline_cases SET description = 'broken' || char(1) || char(11) || 'text'",
        )
        .unwrap();
    })
    .await
    .unwrap();
    let unit = Session::login(&app, "dongcheng").await;
    let resp = unit
        .client
        .get(format!(
            "{}/api/v1/cycles/2020/units/dongcheng/reports/self/docx",
            app.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = resp.bytes().await.unwrap();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let mut xml = String::new();
    std::io::Read::read_to_string(&mut zip.by_name("word/document.xml").unwrap(), &mut xml)
        .unwrap();
    parses(&xml).unwrap();
    assert!(
        xml.contains("全区工作顺利"),
        "the text stays, without the control characters"
    );
    // As a key holder reads it (the public's answer holds no description).
    let xml = reqwest::get(format!(
        "{}/open311/v2/requests.xml?api_key={key}",
        app.base
    ))
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    parses(&xml).unwrap();
    assert!(xml.contains("brokentext"));
    app.stop().await;
}

#[tokio::test]
async fn hostile_office_files_uploaded_are_refused_and_the_server_goes_on() {
    jixiao_files::corpus::limit_memory(6 << 30);
    let app = spawn().await;
    let unit = Browser::login(&app, "dongcheng").await;
    let csrf = unit.csrf().await;
    let upload = |path: &'static str, name: &'static str, bytes: Vec<u8>| {
        let form = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .text("period", "Q4")
            .text("submit", "false")
            .part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name(name),
            );
        unit.client
            .post(format!("{}{path}", app.base))
            .multipart(form)
            .send()
    };
    for (name, bytes) in [
        ("dimension.xlsx", jixiao_files::corpus::dimension_bomb()),
        ("bomb.xlsx", jixiao_files::corpus::zip_bomb(300)),
    ] {
        let resp = upload("/units/dongcheng/upload", name, bytes)
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let html = resp.text().await.unwrap();
        assert!(html.contains(name) && html.contains("refused"), "{name}");
    }
    let resp = upload(
        "/units/dongcheng/claims/upload",
        "report.docx",
        jixiao_files::corpus::docx_bomb(1024),
    )
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert!(resp.headers()["location"]
        .to_str()
        .unwrap()
        .contains("error="));
    let (status, _) = Session::public(&app).await.get("/health").await;
    assert_eq!(status, StatusCode::OK, "the server goes on");
    app.stop().await;
}

#[tokio::test]
async fn a_file_of_many_bad_rows_answers_a_page_not_a_book() {
    let app = spawn().await;
    let unit = Browser::login(&app, "dongcheng").await;
    let csrf = unit.csrf().await;
    // About 9 MB: 150,000 rows, each with a bad value and a long note.
    let mut csv = String::from("单位,任务,期间,数值,说明\n");
    let long = "长".repeat(10);
    while csv.len() < 9_000_000 {
        csv.push_str(&format!(
            "dongcheng,A08-2,Q4,not-a-number-{},{long}\n",
            csv.len()
        ));
    }
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("period", "Q4")
        .text("submit", "false")
        .part(
            "file",
            reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("bad.csv"),
        );
    let resp = unit
        .client
        .post(format!("{}/units/dongcheng/upload", app.base))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.len() < 200_000, "{} bytes", html.len());
    let errors = &html[html.find("upload-errors").unwrap_or(0)..];
    assert!(
        html.contains("more problems"),
        "says how many more there are: {}",
        &errors[..errors.len().min(3000)]
    );
    app.stop().await;
}

#[tokio::test]
async fn the_api_documents_its_security_and_errors_and_answers_them_as_json() {
    let app = spawn().await;
    let doc: serde_json::Value = reqwest::get(format!("{}/api/v1/openapi.json", app.base))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["session"]["in"], "cookie");
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            let open = ["/health", "/api/v1/session", "/api/v1/cycles"].contains(&path.as_str());
            if !open {
                assert!(responses.contains_key("401"), "{method} {path}: 401");
                assert!(!op["security"].as_array().unwrap().is_empty());
            }
            if op.get("requestBody").is_some() {
                for s in ["413", "415", "422"] {
                    assert!(responses.contains_key(s), "{method} {path}: {s}");
                }
            }
        }
    }
    let value = &doc["components"]["schemas"]["ValueIn"]["properties"]["value"];
    assert!(value["oneOf"].is_array(), "a number or a text: {value}");
    let report = &doc["paths"]["/api/v1/cycles/{cycle}/reports/results/{format}"]["get"]
        ["responses"]["200"]["content"];
    assert!(report
        .get("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
        .is_some());

    let admin = Session::login(&app, "admin").await;
    let url = format!("{}/api/v1/cycles/2020/ledger", app.base);
    // A wrong content type: 415 with the JSON error.
    let r = admin
        .client
        .post(&url)
        .header("x-csrf-token", &admin.csrf)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["code"], "unsupported_media_type");
    // An oversized body: 413 with the JSON error.
    let r = admin
        .client
        .post(&url)
        .header("x-csrf-token", &admin.csrf)
        .header("content-type", "application/json")
        .body(format!(
            "{{\"reason\": \"{}\"}}",
            "x".repeat(11 * 1024 * 1024)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["code"], "too_large");
    // A method the path does not have: 405 with the JSON error.
    let (s, v) = admin.call(Method::PUT, "/api/v1/cycles", None).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(v["code"], "method_not_allowed", "{v}");
    app.stop().await;
}

#[tokio::test]
async fn the_case_list_walks_by_its_links_and_refuses_a_made_up_place() {
    let (app, _) = spawn_hotline(200).await;
    let admin = Browser::login(&app, "admin").await;
    let unescape = |s: &str| s.replace("&#x2f;", "/").replace("&amp;", "&");
    let ids_of = |html: &str| -> Vec<String> {
        html.split("href=\"/hotline/cases/")
            .skip(1)
            .filter_map(|s| s.split('"').next().map(str::to_string))
            .collect()
    };
    let link = |html: &str, rel: &str| -> Option<String> {
        let at = html.find(&format!("rel=\"{rel}\""))?;
        let start = html[..at].rfind("href=\"")? + 6;
        Some(unescape(html[start..].split('"').next()?))
    };
    let get = |path: String| {
        let client = admin.client.clone();
        let base = app.base.clone();
        async move {
            let resp = client.get(format!("{base}{path}")).send().await.unwrap();
            (resp.status(), resp.text().await.unwrap())
        }
    };
    // Forward through every page by its "next" link: each case once, 200 in all.
    let (status, mut page) = get("/hotline/cases".into()).await;
    assert_eq!(status, StatusCode::OK);
    let mut seen: Vec<String> = ids_of(&page);
    let mut pages = vec![seen.clone()];
    while let Some(next) = link(&page, "next") {
        assert!(next.starts_with("/hotline/cases?"), "{next}");
        let (status, body) = get(next).await;
        assert_eq!(status, StatusCode::OK);
        let ids = ids_of(&body);
        seen.extend(ids.clone());
        pages.push(ids);
        page = body;
    }
    let all = 200 + jixiao_testkit::DAY_OF_WORK_CASES;
    assert_eq!(seen.len(), all, "every case once");
    let unique: std::collections::BTreeSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), all);
    // And back by "previous": the page before the last is the one seen before it.
    let prev = link(&page, "prev").expect("a way back");
    let (_, back) = get(prev).await;
    assert_eq!(ids_of(&back), pages[pages.len() - 2]);
    // A place in the list that no link gave is refused with a reason, not a failure.
    for bad in [
        "after=yesterday",
        "before=2020-01-01T00:00:00Z",
        "after=x~1&before=y~2",
    ] {
        let (status, body) = get(format!("/hotline/cases?{bad}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
    }
    // The dashboard's repeat complaints of a district lead to their cases.
    let (_, dash) = get("/hotline?district=dongcheng".into()).await;
    if let Some(at) = dash.find("id=\"hotline-clusters\"") {
        let rest = &dash[at..];
        let start = rest.find("href=\"/hotline/cases?").unwrap() + 6;
        let href = unescape(rest[start..].split('"').next().unwrap());
        assert!(href.contains("grid="), "{href}");
        let (status, body) = get(href.clone()).await;
        assert_eq!(status, StatusCode::OK, "{href}");
        assert!(
            ids_of(&body).len() >= 2,
            "a repeat is two cases or more: {href}"
        );
    }
    app.stop().await;
}

//! Open311 GeoReport v2 against a real server: XML read back with an XML parser and checked
//! field by field; JSON; the robustness real clients need.

mod support;
use reqwest::StatusCode;
use std::collections::BTreeMap;
use support::*;

const REQUEST_FIELDS: [&str; 17] = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
];

async fn app() -> (TestApp, String) {
    spawn_hotline(600).await
}

/// Elements of an XML document as (path, text) pairs, e.g. ("service_requests/request/status", "open").
fn xml_leaves(xml: &str) -> Vec<(String, String)> {
    use quick_xml::events::Event;
    let mut r = quick_xml::Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut out = Vec::new();
    let mut text = String::new();
    loop {
        match r.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                path.push(e.name().as_ref().to_string());
                text.clear();
            }
            Event::Empty(e) => {
                let mut p = path.clone();
                p.push(e.name().as_ref().to_string());
                out.push((p.join("/"), String::new()));
            }
            Event::Text(t) => text.push_str(&t.xml10_content()),
            Event::GeneralRef(g) => text.push_str(match g.xml10_content().as_ref() {
                "amp" => "&",
                "lt" => "<",
                "gt" => ">",
                "quot" => "\"",
                _ => "'",
            }),
            Event::End(_) => {
                out.push((path.join("/"), std::mem::take(&mut text)));
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// The requests of a `<service_requests>` document, each as field → text.
fn requests(xml: &str) -> Vec<BTreeMap<String, String>> {
    let mut out: Vec<BTreeMap<String, String>> = Vec::new();
    for (path, text) in xml_leaves(xml) {
        let parts: Vec<&str> = path.split('/').collect();
        if let ["service_requests", "request", field] = parts.as_slice() {
            if out.last().is_none_or(|r| r.contains_key(*field)) {
                out.push(BTreeMap::new());
            }
            out.last_mut().unwrap().insert(field.to_string(), text);
        }
    }
    out
}

async fn get(app: &TestApp, path: &str) -> (StatusCode, String) {
    let r = reqwest::get(format!("{}{path}", app.base)).await.unwrap();
    (r.status(), r.text().await.unwrap())
}

#[tokio::test]
async fn discovery_services_and_definitions_in_xml_and_json() {
    let (app, _) = app().await;
    let (s, xml) = get(&app, "/open311/v2/discovery.xml").await;
    assert_eq!(s, StatusCode::OK);
    let leaves = xml_leaves(&xml);
    assert!(
        leaves
            .iter()
            .any(|(p, t)| p == "discovery/endpoints/endpoint/specification"
                && t == "http://wiki.open311.org/GeoReport_v2"),
        "{xml}"
    );
    assert!(leaves.iter().any(
        |(p, t)| p == "discovery/endpoints/endpoint/formats/format" && t == "application/json"
    ));
    let (_, xml) = get(&app, "/open311/v2/services.xml").await;
    let codes: Vec<String> = xml_leaves(&xml)
        .into_iter()
        .filter(|(p, _)| p == "services/service/service_code")
        .map(|(_, t)| t)
        .collect();
    assert!(
        codes.contains(&"0101".to_string()) && !codes.contains(&"01".to_string()),
        "{codes:?}"
    );
    for field in [
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    ] {
        assert!(
            xml_leaves(&xml)
                .iter()
                .any(|(p, _)| p == &format!("services/service/{field}")),
            "{field}"
        );
    }
    let (s, json) = get(&app, "/open311/v2/services.json").await;
    assert_eq!(s, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(
        v.is_array() && v.as_array().unwrap().len() == codes.len(),
        "a JSON list is a bare array"
    );
    let (s, xml) = get(&app, "/open311/v2/services/0101.xml").await;
    assert_eq!(s, StatusCode::OK);
    assert!(xml_leaves(&xml)
        .iter()
        .any(|(p, t)| p == "service_definition/service_code" && t == "0101"));
    let (s, _) = get(&app, "/open311/v2/service/0101.json").await;
    assert_eq!(s, StatusCode::OK, "the singular alias");
    let (s, xml) = get(&app, "/open311/v2/services/9999.xml").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(
        xml_leaves(&xml)
            .iter()
            .any(|(p, t)| p == "errors/error/code" && t == "404"),
        "{xml}"
    );
    let (s, json) = get(&app, "/open311/v2/nothing.json").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v[0]["code"], "404");
    app.stop().await;
}

#[tokio::test]
async fn a_client_posts_a_request_the_way_real_clients_do_and_reads_it_back() {
    let (app, key) = app().await;
    let c = reqwest::Client::new();
    // api_key and an empty jurisdiction_id in the query string, doubled slash from a base URL
    // ending in '/'.
    let resp = c
        .post(format!(
            "{}/open311/v2//requests.json?api_key={key}&jurisdiction_id=",
            app.base
        ))
        .form(&[
            ("service_code", "0301"),
            ("lat", "39.9291"),
            ("long", "116.4170"),
            ("description", "小区门口乱停车 & 堵塞消防通道"),
            ("email", ""),
            ("phone", "13800001234"),
            ("first_name", "王"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let v: serde_json::Value = resp.json().await.unwrap();
    let id = v[0]["service_request_id"].as_str().unwrap().to_string();
    assert!(v[0].get("token").is_none(), "an id or a token, never both");
    // Dongcheng's own centre (39.93 N, 116.41 E) goes to a Dongcheng street, whose boundary
    // holds it, down to the grid cell.
    let at_centre = c
        .post(format!(
            "{}/open311/v2/requests.json?api_key={key}",
            app.base
        ))
        .form(&[
            ("service_code", "0301"),
            ("lat", "39.93"),
            ("long", "116.41"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(at_centre.status(), StatusCode::OK);
    let v: serde_json::Value = at_centre.json().await.unwrap();
    let centre_id = v[0]["service_request_id"].as_str().unwrap().to_string();
    let (_, json) = get(
        &app,
        &format!("/open311/v2/requests/{centre_id}.json?api_key={key}"),
    )
    .await;
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    let agency = v[0]["agency_responsible"].as_str().unwrap_or_default();
    // Dongcheng's streets have their real names; every other district's are "…区第N街道".
    assert!(
        agency.ends_with("街道") && !agency.contains("区第"),
        "{agency}: {json}"
    );
    let cell = v[0]["address_id"].as_str().unwrap_or_default();
    assert!(
        cell.starts_with("dongcheng-s"),
        "placed in a grid cell: {json}"
    );
    // The key holder reads the full record.
    let (s, xml) = get(
        &app,
        &format!("/open311/v2/requests/{id}.xml?api_key={key}"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let list = requests(&xml);
    assert_eq!(list.len(), 1, "one request is still a list");
    let r = &list[0];
    for f in REQUEST_FIELDS {
        assert!(r.contains_key(f), "{f} missing: {xml}");
    }
    assert_eq!(r["service_request_id"], id);
    assert_eq!(r["status"], "open");
    assert_eq!(r["service_code"], "0301");
    assert_eq!(r["service_name"], "停车管理");
    assert_eq!(r["description"], "小区门口乱停车 & 堵塞消防通道");
    assert!(
        r["agency_responsible"].starts_with("东城区") || r["agency_responsible"].ends_with("街道"),
        "{}",
        r["agency_responsible"]
    );
    assert!(
        r["requested_datetime"].ends_with("+08:00"),
        "ISO 8601 with a time zone: {}",
        r["requested_datetime"]
    );
    assert!(r["expected_datetime"].contains('T'));
    assert_eq!(r["lat"], "39.929100");
    assert!(
        !xml.contains("13800001234"),
        "contacts never leave through Open311"
    );
    // The public (no key, as real clients read) sees the service, status, dates and the grid
    // cell's centre: no description, address or exact point.
    for path in [
        format!("/open311/v2/requests/{id}.xml"),
        "/open311/v2/requests.xml?status=open,closed&service_code=0301,0101".to_string(),
    ] {
        let (s, xml) = get(&app, &path).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        let list = requests(&xml);
        let p = list
            .iter()
            .find(|r| r["service_request_id"] == id)
            .unwrap_or_else(|| panic!("{path}: {xml}"));
        assert_eq!(p["status"], "open");
        assert_eq!(p["service_code"], "0301");
        assert_eq!(p["description"], "", "{path}");
        assert_eq!(p["address"], "");
        assert_ne!(p["lat"], "39.929100", "coarsened to the grid cell");
        assert!(!xml.contains("乱停车"));
        assert!(list.iter().all(|r| r["description"].is_empty()));
    }
    // A key that is not valid is refused, not read as the public.
    let (s, xml) = get(&app, &format!("/open311/v2/requests/{id}.xml?api_key=nope")).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{xml}");
    app.stop().await;
}

#[tokio::test]
async fn bodies_as_real_clients_send_them_and_the_edges_of_http() {
    let (app, key) = app().await;
    let c = reqwest::Client::new();
    let url = format!("{}/open311/v2/requests.json", app.base);
    // A JSON body, and a multipart body, with the key inside.
    let r = c
        .post(&url)
        .json(&serde_json::json!({"api_key": key, "service_code": "0301", "lat": 39.9291, "long": 116.417, "description": "JSON 客户端"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let form = reqwest::multipart::Form::new()
        .text("api_key", key.clone())
        .text("service_code", "0301")
        .text("lat", "39.9291")
        .text("long", "116.4170")
        .text("description", "multipart 客户端");
    let r = c.post(&url).multipart(form).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    // A wrong content type: 415 in the specification's error shape.
    let r = c
        .post(&url)
        .header("content-type", "text/plain")
        .body("service_code=0301")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v[0]["code"], "415");
    // An oversized body: 413, also in that shape (the tests' limit is upload_max_bytes).
    let big = "x".repeat(12 * 1024 * 1024);
    let r = c
        .post(format!("{url}?api_key={key}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("description={big}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v[0]["code"], "413");
    // HEAD answers as GET, without a body.
    let r = c
        .head(format!("{}/open311/v2/services.xml", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("xml"));
    // No CORS origin is configured in the tests: none is allowed.
    let r = c
        .get(format!("{}/open311/v2/services.json", app.base))
        .header("origin", "https://map.example.org")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
    app.stop().await;
}

#[tokio::test]
async fn bad_posts_get_the_specifications_errors() {
    let (app, key) = app().await;
    let c = reqwest::Client::new();
    let post = |q: String, form: Vec<(&'static str, &'static str)>| {
        let c = c.clone();
        let base = app.base.clone();
        async move {
            c.post(format!("{base}/open311/v2/requests.xml{q}"))
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    let r = post(
        String::new(),
        vec![("service_code", "0301"), ("lat", "39.9"), ("long", "116.4")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let xml = r.text().await.unwrap();
    assert!(
        xml_leaves(&xml)
            .iter()
            .any(|(p, t)| p == "errors/error/description" && t.contains("api_key")),
        "{xml}"
    );
    let r = post(
        "?api_key=wrong".into(),
        vec![("service_code", "0301"), ("lat", "39.9"), ("long", "116.4")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let q = format!("?api_key={key}");
    let r = post(
        q.clone(),
        vec![("service_code", "7777"), ("lat", "39.9"), ("long", "116.4")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = post(q.clone(), vec![("service_code", "0301")]).await;
    assert_eq!(
        r.status(),
        StatusCode::BAD_REQUEST,
        "a location is required"
    );
    let r = post(
        q.clone(),
        vec![
            ("service_code", "0301"),
            ("lat", "north"),
            ("long", "116.4"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let r = post(
        q.clone(),
        vec![
            ("service_code", "0301"),
            ("address_string", "东四十条1号"),
            ("jurisdiction_id", "atlantis"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    // A point outside every district (Null Island, Sydney, New York, Shanghai) is refused with
    // an Open311 error naming the jurisdiction; one in Xicheng is refused for Dongcheng.
    for (lat, long, jurisdiction) in [
        ("0", "0", ""),
        ("-33.87", "151.21", ""),
        ("40.71", "-74.01", ""),
        ("31.23", "121.47", ""),
        ("39.907", "116.374", "dongcheng"),
    ] {
        let r = post(
            q.clone(),
            vec![
                ("service_code", "0301"),
                ("lat", lat),
                ("long", long),
                ("jurisdiction_id", jurisdiction),
            ],
        )
        .await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "({lat}, {long})");
        let xml = r.text().await.unwrap();
        assert!(
            xml_leaves(&xml)
                .iter()
                .any(|(p, t)| p == "errors/error/description"
                    && (t.contains("outside the jurisdiction")
                        || t.contains("not in jurisdiction"))),
            "{xml}"
        );
    }
    // An address alone is accepted and waits for the hotline to dispatch it.
    let r = post(
        q,
        vec![
            ("service_code", "0301"),
            ("address_string", "东四十条1号"),
            ("api_key", "ignored-the-query-one-wins"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn requests_are_filtered_as_the_specification_says() {
    let (app, _) = app().await;
    let (s, json) = get(&app, "/open311/v2/requests.json?status=closed&service_code=0101&start_date=2020-01-01T00:00:00%2B08:00&end_date=2020-12-31T23:59:59%2B08:00").await;
    assert_eq!(s, StatusCode::OK, "{json}");
    let v: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert!(!v.is_empty());
    for r in &v {
        assert_eq!(r["status"], "closed");
        assert_eq!(r["service_code"], "0101");
        assert!(r["requested_datetime"]
            .as_str()
            .unwrap()
            .starts_with("2020-"));
    }
    let a = v[0]["service_request_id"].as_str().unwrap();
    let b = v[1]["service_request_id"].as_str().unwrap();
    let (_, xml) = get(
        &app,
        &format!("/open311/v2/requests.xml?service_request_id={a},{b}&status=open"),
    )
    .await;
    let ids: Vec<String> = requests(&xml)
        .into_iter()
        .map(|r| r["service_request_id"].clone())
        .collect();
    assert_eq!(
        ids.len(),
        2,
        "the id list overrides the other filters: {xml}"
    );
    let (_, json) = get(
        &app,
        "/open311/v2/requests.json?jurisdiction_id=dongcheng&start_date=2020-01-01T00:00:00Z",
    )
    .await;
    let v: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert!(
        !v.is_empty()
            && v.iter()
                .all(|r| r["agency_responsible"].as_str().unwrap().ends_with("街道"))
    );
    assert!(v.len() <= 1000);
    let (s, _) = get(&app, "/open311/v2/requests.json?status=pending").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = get(&app, "/open311/v2/requests.json?start_date=yesterday").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = get(&app, "/open311/v2/tokens/abc.json").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn a_daily_job_erases_contacts_past_the_retention_period_once() {
    // A database judged on 2022-06-01 with the default 730-day retention: contacts of
    // cases closed before 2020-06-01 go, later ones stay.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let url = tokio::task::spawn_blocking(move || {
        let url = demo_database(&path);
        let mut s = jixiao_store::Store::open(&url).unwrap();
        let cfg = jixiao_hotline::HotlineConfig::default();
        let geo = jixiao_hotline::geography::beijing(1, 1);
        s.hotline_save_geography(&geo, "test").unwrap();
        let mut gen = jixiao_hotline::generate::Generator::new(&cfg, &geo, 400, 2, 2020);
        s.hotline_import(&mut gen, "gen", &cfg, "test", &mut |_| {})
            .unwrap();
        url
    })
    .await
    .unwrap();
    let mut cfg = config(&url);
    cfg.today = chrono::NaiveDate::from_ymd_opt(2022, 6, 1);
    let state = jixiao_server::AppState::start(cfg).unwrap();
    assert_eq!(
        jixiao_server::jobs::erase_contacts(&state).await.unwrap(),
        1
    );
    assert_eq!(
        jixiao_server::jobs::erase_contacts(&state).await.unwrap(),
        0,
        "once a day"
    );
    let cutoff = chrono::TimeZone::with_ymd_and_hms(&chrono::Utc, 2020, 6, 1, 0, 0, 0).unwrap();
    let (old_with_contact, new_with_contact, audited) = state
        .read(move |s, _| {
            let (cases, _) = s.hotline_cases(&Default::default(), 1000, 0)?;
            let old = cases
                .iter()
                .filter(|c| c.closed.is_some_and(|t| t < cutoff) && c.contact.is_some())
                .count();
            let new = cases
                .iter()
                .filter(|c| c.closed.is_some_and(|t| t >= cutoff) && c.contact.is_some())
                .count();
            let audited = s
                .audit_entries(None)?
                .iter()
                .any(|e| e.action == "hotline.erase_contacts");
            Ok((old, new, audited))
        })
        .await
        .unwrap();
    assert_eq!(old_with_contact, 0);
    assert!(
        new_with_contact > 0,
        "contacts within the retention period stay"
    );
    assert!(audited);
    drop(dir);
}

#[tokio::test]
async fn each_key_and_client_address_has_a_rate_limit_and_configured_origins_get_cors() {
    let db = jixiao_testkit::demo_database();
    let mut cfg = jixiao_testkit::config(&db.url);
    cfg.open311_rate_per_minute = 5;
    cfg.open311_cors_origins = vec!["https://map.example.org".into()];
    let app = jixiao_testkit::spawn_with(cfg).await;
    let c = reqwest::Client::new();
    let mut statuses = Vec::new();
    // Eleven requests: however a minute's boundary falls, one window holds six of them.
    for _ in 0..11 {
        let r = c
            .get(format!("{}/open311/v2/services.json", app.base))
            .header("origin", "https://map.example.org")
            .send()
            .await
            .unwrap();
        let allowed = r.headers()["access-control-allow-origin"]
            .to_str()
            .unwrap()
            .to_string();
        assert_eq!(allowed, "https://map.example.org");
        statuses.push(r.status().as_u16());
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(r.headers().contains_key("retry-after"));
            let v: serde_json::Value = r.json().await.unwrap();
            assert_eq!(v[0]["code"], "429");
        }
    }
    assert_eq!(statuses[..5], [200; 5]);
    assert!(statuses.contains(&429), "{statuses:?}");
    // Another origin is not allowed; a preflight from the allowed one is.
    let r = c
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/open311/v2/requests.json", app.base),
        )
        .header("origin", "https://map.example.org")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert!(r.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap()
        .contains("POST"));
    let r = c
        .request(
            reqwest::Method::OPTIONS,
            format!("{}/open311/v2/requests.json", app.base),
        )
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
    app.stop().await;
}

#[tokio::test]
async fn a_photo_url_and_attributes_are_stored_returned_to_key_holders_and_kept_from_the_public() {
    let (app, key) = app().await;
    let c = reqwest::Client::new();
    let url = format!("{}/open311/v2/requests.json?api_key={key}", app.base);
    // A form with a single and a multi-valued attribute, as GeoReport v2 names them.
    let r = c
        .post(&url)
        .form(&[
            ("service_code", "0301"),
            ("lat", "39.9291"),
            ("long", "116.4170"),
            ("media_url", "https://photos.example.org/2026/a.jpg"),
            ("attribute[floor]", "3"),
            ("attribute[kind][]", "noise"),
            ("attribute[kind][]", "night"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let v: serde_json::Value = r.json().await.unwrap();
    let id = v[0]["service_request_id"].as_str().unwrap().to_string();
    // A JSON body may send a multi-valued attribute as an array.
    let r = c
        .post(&url)
        .json(
            &serde_json::json!({"service_code": "0301", "address_string": "东城区某小区",
            "attribute[kind][]": ["a", "b"]}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let v: serde_json::Value = r.json().await.unwrap();
    let json_id = v[0]["service_request_id"].as_str().unwrap().to_string();

    let (s, body) = get(
        &app,
        &format!("/open311/v2/requests/{id}.json?api_key={key}"),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v[0]["media_url"], "https://photos.example.org/2026/a.jpg");
    assert_eq!(
        v[0]["attributes"],
        serde_json::json!([
            {"code": "floor", "value": "3"},
            {"code": "kind", "value": "noise"},
            {"code": "kind", "value": "night"}
        ])
    );
    let (_, body) = get(
        &app,
        &format!("/open311/v2/requests/{json_id}.json?api_key={key}"),
    )
    .await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v[0]["attributes"][1]["value"], "b", "{body}");
    // XML: the same, well-formed.
    let (_, xml) = get(
        &app,
        &format!("/open311/v2/requests/{id}.xml?api_key={key}"),
    )
    .await;
    let leaves = xml_leaves(&xml);
    assert!(leaves
        .iter()
        .any(|(p, t)| p == "service_requests/request/media_url"
            && t == "https://photos.example.org/2026/a.jpg"));
    assert_eq!(
        leaves
            .iter()
            .filter(|(p, _)| p == "service_requests/request/attributes/attribute/code")
            .count(),
        3
    );
    // The public sees neither (requester data, private unless the office makes it public).
    let (_, body) = get(&app, &format!("/open311/v2/requests/{id}.json")).await;
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(v[0]["media_url"], "");
    assert_eq!(v[0]["attributes"], serde_json::json!([]));
    assert!(!body.contains("photos.example.org") && !body.contains("noise"));

    // What is refused, with the field named, and nothing stored.
    let (s0, before) = get(&app, &format!("/open311/v2/requests.json?api_key={key}")).await;
    assert_eq!(s0, StatusCode::OK);
    let before = serde_json::from_str::<serde_json::Value>(&before)
        .unwrap()
        .as_array()
        .unwrap()
        .len();
    let many: Vec<(String, String)> = (0..51)
        .map(|i| (format!("attribute[a{i}]"), "x".into()))
        .collect();
    for (form, expected) in [
        (
            vec![("media_url".to_string(), "javascript:alert(1)".to_string())],
            "media_url",
        ),
        (
            vec![("attribute[bad code]".into(), "1".into())],
            "attribute code",
        ),
        (vec![("attribute[]".into(), "1".into())], "attribute[]"),
        (
            vec![("attribute[floor]".into(), "3\u{7}".into())],
            "attribute[floor]",
        ),
        (many, "at most 50"),
    ] {
        let mut form = form;
        form.extend([
            ("service_code".to_string(), "0301".to_string()),
            ("address_string".to_string(), "东城区".to_string()),
        ]);
        let r = c.post(&url).form(&form).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{form:?}");
        let v: serde_json::Value = r.json().await.unwrap();
        let d = v[0]["description"].as_str().unwrap();
        assert!(d.contains(expected), "{expected}: {d}");
    }
    let (_, after) = get(&app, &format!("/open311/v2/requests.json?api_key={key}")).await;
    let after = serde_json::from_str::<serde_json::Value>(&after)
        .unwrap()
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, after, "a refused request stores nothing");
    app.stop().await;
}

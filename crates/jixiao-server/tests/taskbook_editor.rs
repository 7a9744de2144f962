//! The task-book editor through the API: a draft started from a cycle, a node changed and the
//! draft issued as the cycle's version; problems located as `jixiao check` locates them and a
//! draft with problems never issued; a district office's drafts its own.

mod support;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::*;

fn node<'a>(view: &'a Value, id: &str) -> &'a Value {
    view["outline"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["id"] == id)
        .unwrap_or_else(|| panic!("{id} in {}", view["outline"]))
}

#[tokio::test]
async fn a_draft_from_the_cycle_is_edited_a_node_at_a_time_and_issued_as_its_version() {
    let app = spawn().await;
    let admin = Session::login(&app, "admin").await;
    let (status, view) = admin
        .call(
            Method::POST,
            "/api/v1/taskbook-drafts",
            Some(json!({"id": "2020-revised", "from": "2020"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{view}");
    assert_eq!(view["problems"], json!([]));
    assert_eq!(view["summary"]["cycle"], "2020");
    assert_eq!(view["summary"]["full_marks"], json!([100.0, 100.0]));
    let before = node(&view, "A01-1").clone();
    assert_eq!(before["target"], 120.0);
    assert!(view["evaluators"].to_string().contains("wjw"));
    // The same id again is a conflict, not a replacement.
    let (status, _) = admin
        .call(
            Method::POST,
            "/api/v1/taskbook-drafts",
            Some(json!({"id": "2020-revised"})),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);

    // The node form: a new target and a challenge value.
    let form = json!({
        "id": "A01-1", "parent": "A01", "name": before["name"], "points": 1, "method": "ratio",
        "params": "cap = 1.1", "measure": "万人次", "direction": "higher", "target": 130, "challenge": 150,
        "evaluators": []
    });
    // Checked as typed, before saving: a wrong parameter is located at its field.
    let mut typing = form.clone();
    typing["params"] = json!("cap = ");
    let (status, body) = admin
        .call(
            Method::POST,
            "/api/v1/taskbook/check",
            Some(json!({"source": view["source"], "node": typing, "original": "A01-1"})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["message"].as_str().unwrap().starts_with("params:"),
        "{body}"
    );
    let mut typing = form.clone();
    typing["points"] = json!(3);
    let (_, checked) = admin
        .call(
            Method::POST,
            "/api/v1/taskbook/check",
            Some(json!({"source": view["source"], "node": typing, "original": "A01-1"})),
        )
        .await;
    let problems = checked["problems"].to_string();
    assert!(
        problems.contains("A01") && problems.contains("line"),
        "{problems}"
    );
    assert!(checked["summary"].is_null());

    let (status, saved) = admin
        .call(
            Method::PUT,
            "/api/v1/taskbook-drafts/2020-revised/nodes/A01-1",
            Some(form),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["problems"], json!([]));
    assert_eq!(node(&saved, "A01-1")["challenge"], 150.0);
    let (status, issued) = admin
        .call(
            Method::POST,
            "/api/v1/taskbook-drafts/2020-revised/issue",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    assert_eq!(issued, json!({"cycle": "2020", "change": "Updated"}));
    // The cycle is scored by it now: its task book says 130 (a new draft from it shows it).
    let (_, again) = admin
        .call(
            Method::POST,
            "/api/v1/taskbook-drafts",
            Some(json!({"id": "check-again", "from": "2020"})),
        )
        .await;
    assert_eq!(node(&again, "A01-1")["target"], 130.0);
    let (_, explained) = admin
        .get("/api/v1/cycles/2020/units/dongcheng/explain/A01-1")
        .await;
    assert!(explained.to_string().contains("130"), "{explained}");
}

#[tokio::test]
async fn a_draft_with_problems_is_saved_but_never_issued() {
    let app = spawn().await;
    let admin = Session::login(&app, "admin").await;
    let (_, view) = admin
        .call(
            Method::POST,
            "/api/v1/taskbook-drafts",
            Some(json!({"id": "broken", "from": "2020"})),
        )
        .await;
    let source = view["source"]
        .as_str()
        .unwrap()
        .replacen("points = 60", "points = \"sixty\"", 1);
    let (status, saved) = admin
        .call(
            Method::PUT,
            "/api/v1/taskbook-drafts/broken",
            Some(json!({ "source": source })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let problem = saved["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["message"].as_str().unwrap().contains("must be a number"))
        .unwrap_or_else(|| panic!("{}", saved["problems"]));
    let line = problem["line"].as_u64().unwrap() as usize;
    assert!(source.lines().nth(line - 1).unwrap().contains("sixty"));
    assert!(
        !saved["outline"].as_array().unwrap().is_empty(),
        "the tree still shows"
    );
    let (status, refused) = admin
        .call(Method::POST, "/api/v1/taskbook-drafts/broken/issue", None)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{refused}");
    assert!(refused["message"]
        .as_str()
        .unwrap()
        .contains(&format!(":{line}:")));
    // Removing a node with children is refused; the list says what the check finds.
    let (status, body) = admin
        .call(
            Method::DELETE,
            "/api/v1/taskbook-drafts/broken/nodes/A01",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, list) = admin.get("/api/v1/taskbook-drafts").await;
    assert!(list[0]["problems"].as_u64().unwrap() >= 1, "{list}");
    let (status, _) = admin
        .call(Method::DELETE, "/api/v1/taskbook-drafts/broken", None)
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = admin.get("/api/v1/taskbook-drafts/broken").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_district_office_drafts_and_issues_only_its_own_task_books() {
    let app = spawn().await;
    let admin = Session::login(&app, "admin").await;
    admin
        .call(
            Method::POST,
            "/api/v1/taskbook-drafts",
            Some(json!({"id": "city-2021", "from": "2020"})),
        )
        .await;
    let office = Session::login(&app, "dc-office").await;
    // A blank draft is its organisation's, and valid as it is.
    let (status, view) = office
        .call(
            Method::POST,
            "/api/v1/taskbook-drafts",
            Some(
                json!({"id": "dongcheng-2021", "name": "2021年度东城区街道绩效考评", "year": 2021}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{view}");
    assert_eq!(view["organisation"], "dongcheng");
    assert_eq!(view["summary"]["organisation"], "dongcheng");
    assert!(view["source"]
        .as_str()
        .unwrap()
        .contains("name = \"东城区\""));
    // The city's drafts and cycles are not there for it.
    let (_, list) = office.get("/api/v1/taskbook-drafts").await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(
        (
            list[0]["id"].as_str(),
            list[0]["organisation"].as_str(),
            view["id"].as_str()
        ),
        (
            Some("dongcheng-2021"),
            Some("dongcheng"),
            Some("dongcheng-2021")
        )
    );
    let (status, _) = office.get("/api/v1/taskbook-drafts/city-2021").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = office
        .call(
            Method::POST,
            "/api/v1/taskbook-drafts",
            Some(json!({"id": "copy", "from": "2020"})),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A task book for the city, or one that would replace the city's cycle, is not its to issue.
    let source = view["source"].as_str().unwrap().to_string();
    let without_organisation = source.replace(
        "[organisation]\nid = \"dongcheng\"\nname = \"东城区\"\n",
        "",
    );
    assert_ne!(without_organisation, source);
    for (text, what) in [
        (without_organisation, "a city task book"),
        (
            source.replace("id = \"dongcheng-2021\"", "id = \"2020\""),
            "the city's cycle id",
        ),
    ] {
        office
            .call(
                Method::PUT,
                "/api/v1/taskbook-drafts/dongcheng-2021",
                Some(json!({ "source": text })),
            )
            .await;
        let (status, body) = office
            .call(
                Method::POST,
                "/api/v1/taskbook-drafts/dongcheng-2021/issue",
                None,
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{what}: {body}");
    }
    // Its own is issued as a new cycle of its organisation.
    office
        .call(
            Method::PUT,
            "/api/v1/taskbook-drafts/dongcheng-2021",
            Some(json!({ "source": source })),
        )
        .await;
    let (status, issued) = office
        .call(
            Method::POST,
            "/api/v1/taskbook-drafts/dongcheng-2021/issue",
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{issued}");
    assert_eq!(issued["change"], "Created");
    let (_, cycles) = office.get("/api/v1/cycles").await;
    assert_eq!(cycles[0]["id"], "dongcheng-2021", "{cycles}");
    let (_, cycles) = admin.get("/api/v1/cycles").await;
    assert_eq!(
        cycles[0]["id"], "2020",
        "the city's default stays the city's: {cycles}"
    );
}

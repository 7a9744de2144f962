//! 分级考评: 东城区's office runs its 17 streets' cycle in the same installation, its accounts
//! work only in its organisation's cycles, and the city's office sees the summary.

mod support;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::*;

const STREETS: &str = "dongcheng-2020";

#[tokio::test]
async fn a_district_office_runs_its_streets_cycle_and_sees_nothing_of_the_citys() {
    let app = spawn().await;
    let office = Session::login(&app, "dc-office").await;
    // Its cycles only; its newest is its default.
    let (status, cycles) = office.get("/api/v1/cycles").await;
    assert_eq!(status, StatusCode::OK, "{cycles}");
    let ids: Vec<&str> = cycles
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [STREETS]);
    let (status, ranking) = office
        .get(&format!("/api/v1/cycles/{STREETS}/ranking"))
        .await;
    assert_eq!(status, StatusCode::OK, "{ranking}");
    assert_eq!(ranking["rows"].as_array().unwrap().len(), 17);
    assert!(ranking["rows"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["unit_name"] == "东华门街道"));
    // The city's cycle is not there for it, whatever it asks.
    for path in [
        "/api/v1/cycles/2020/ranking",
        "/api/v1/cycles/2020/units/dongcheng",
        "/api/v1/cycles/2020/progress",
    ] {
        let (status, body) = office.get(path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {body}");
    }
    // Nor the installation: audit log, the hotline's cases, the city summary.
    for path in ["/api/v1/audit", "/api/v1/hotline/cases", "/api/v1/levels"] {
        let (status, body) = office.get(path).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
    }
}

#[tokio::test]
async fn accounts_are_granted_per_organisation() {
    let app = spawn().await;
    let office = Session::login(&app, "dc-office").await;
    // It sees and creates its own organisation's accounts only; what it creates is its own.
    let (status, users) = office.get("/api/v1/users").await;
    assert_eq!(status, StatusCode::OK, "{users}");
    let ids: Vec<&str> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"dc-donghuamen") && !ids.contains(&"admin"),
        "{ids:?}"
    );
    let (status, made) = office
        .call(
            Method::POST,
            "/api/v1/users",
            Some(json!({ "id": "dc-jingshan", "display_name": "景山街道(填报)", "password": "景山街道 填报 口令 二〇二〇 长一点",
                         "role": "reporter", "unit_id": "dongcheng-s02", "organisation": "" })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{made}");
    assert_eq!(made["organisation"], "dongcheng", "{made}");
    // An account of the city is not there for it; a city administrator is not its to make.
    let (status, _) = office
        .call(
            Method::PATCH,
            "/api/v1/users/admin",
            Some(json!({ "active": false })),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, body) = office
        .call(
            Method::PATCH,
            "/api/v1/users/dc-jingshan",
            Some(json!({ "organisation": "" })),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    // The new street reporter works in the streets' cycle, for its street only.
    let street =
        Session::login_with(&app, "dc-jingshan", "景山街道 填报 口令 二〇二〇 长一点").await;
    let (status, scores) = street
        .get(&format!("/api/v1/cycles/{STREETS}/units/dongcheng-s02"))
        .await;
    assert_eq!(status, StatusCode::OK, "{scores}");
    let (status, _) = street
        .get(&format!("/api/v1/cycles/{STREETS}/units/dongcheng-s01"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Hotline accounts are the city's.
    let admin = Session::login(&app, "admin").await;
    let (status, body) = admin
        .call(
            Method::POST,
            "/api/v1/users",
            Some(json!({ "id": "dc-handler", "display_name": "x", "password": "处置人员 口令 二〇二〇 长一点 好记",
                         "role": "handler", "unit_id": "dongcheng-s01", "organisation": "dongcheng" })),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("organisation"), "{body}");
}

#[tokio::test]
async fn city_accounts_keep_the_citys_cycle_and_the_city_sees_the_summary() {
    let app = spawn().await;
    // A city reporter's default cycle is the city's, and the streets' cycle is not there for it.
    let reporter = Session::login(&app, "dongcheng").await;
    let (_, cycles) = reporter.get("/api/v1/cycles").await;
    assert_eq!(cycles[0]["id"], "2020", "{cycles}");
    assert!(!cycles.to_string().contains(STREETS), "{cycles}");
    // (Another unit than its own is refused before any cycle is looked up.)
    let (status, _) = reporter
        .get(&format!("/api/v1/cycles/{STREETS}/units/dongcheng-s01"))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = reporter
        .get(&format!("/api/v1/cycles/{STREETS}/progress"))
        .await;
    assert!(status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND);
    let evaluator = Session::login(&app, "ghzrw").await;
    let (status, _) = evaluator
        .get(&format!("/api/v1/cycles/{STREETS}/ranking"))
        .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a city evaluator does not see a district's cycle"
    );
    // The city's office oversees every level.
    let admin = Session::login(&app, "admin").await;
    let (status, levels) = admin.get("/api/v1/levels").await;
    assert_eq!(status, StatusCode::OK, "{levels}");
    let level: &Value = &levels[0];
    assert_eq!(
        (
            level["organisation"].as_str(),
            level["organisation_name"].as_str(),
            level["cycle"].as_str()
        ),
        (Some("dongcheng"), Some("东城区"), Some(STREETS))
    );
    assert_eq!(level["units"], 17);
    let mean = level["mean_total"].as_f64().unwrap();
    let (high, low) = (
        level["highest"]["total"].as_f64().unwrap(),
        level["lowest"]["total"].as_f64().unwrap(),
    );
    assert!(low <= mean && mean <= high && high <= 100.0, "{level}");
    let (status, ranking) = admin
        .get(&format!("/api/v1/cycles/{STREETS}/ranking"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ranking["rows"][0]["total"].as_f64(), Some(high));
    // Its default cycle stays the city's.
    let (_, cycles) = admin.get("/api/v1/cycles").await;
    assert_eq!(cycles[0]["id"], "2020");
}

//! Publication as a frozen version, end to end on the demo: publish, change a grade, the public
//! pages stay as published, the office sees the difference, a correction needs its reason and
//! becomes version 2 with its notice, and both bundles recompute bit for bit.

mod support;
use jixiao_testkit::Browser;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use support::*;

fn total_of(publication: &Value, unit: &str) -> f64 {
    publication["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"] == unit)
        .unwrap()["total"]
        .as_f64()
        .unwrap()
}

async fn bytes(app: &TestApp, path: &str) -> (StatusCode, Vec<u8>) {
    let r = reqwest::get(format!("{}{path}", app.base)).await.unwrap();
    (r.status(), r.bytes().await.unwrap().to_vec())
}

#[tokio::test]
async fn a_published_result_stands_until_a_correction_with_its_reason_is_published() {
    let app = spawn().await;
    let admin = Session::login(&app, "admin").await;
    let office = Browser::login(&app, "admin").await;
    let public = Session::public(&app).await;
    let visitor = Browser::public(&app);
    let (s, _) = public.get("/public/2020/publication.json").await;
    assert_eq!(s, StatusCode::NOT_FOUND, "nothing before publication");

    let (s, body) = admin
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/publication",
            Some(json!({"published": true})),
        )
        .await;
    assert_eq!(
        (s, body["changed"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{body}"
    );
    let (s, v1) = public.get("/public/2020/publication.json").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v1["version"], 1);
    assert!(v1["units"].as_array().unwrap().len() >= 16, "every unit");
    assert!(v1["audit_head"]["seq"].as_i64().unwrap() > 0);
    let sha1 = v1["sha256"].as_str().unwrap().to_string();
    let before = total_of(&v1, "xicheng");
    let (_, report_before) = bytes(&app, "/public/2020/results/md").await;
    let (_, unit_before) = bytes(&app, "/public/2020/units/xicheng").await;

    // An evaluator's change after publication moves nothing public.
    let (s, body) = admin
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/units/xicheng/grades/C02-1",
            Some(json!({"value": 60})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (_, still) = public.get("/public/2020/publication.json").await;
    assert_eq!(still, v1, "publication.json is the frozen version");
    assert_eq!(
        bytes(&app, "/public/2020/results/md").await.1,
        report_before
    );
    assert_eq!(
        bytes(&app, "/public/2020/units/xicheng").await.1,
        unit_before
    );
    let (_, live) = admin.get("/api/v1/cycles/2020/units/xicheng").await;
    assert_ne!(
        live["total"].as_f64(),
        Some(before),
        "the live total moved: {live}"
    );

    // The office sees what changed since publication.
    let page = office.text("/reports?cycle=2020").await;
    assert!(page.contains("id=\"changed-since-publication\""), "{page}");
    assert!(page.contains("西城区") && page.contains("C02-1"));

    // Publishing again is a correction: without a reason it is refused, with one it is v2.
    let (s, body) = admin
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/publication",
            Some(json!({"published": true})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("更正原因"),
        "{body}"
    );
    let reason = "西城区领导评价分数录入有误,经核实更正";
    let (s, body) = admin
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/publication",
            Some(json!({"published": true, "reason": reason})),
        )
        .await;
    assert_eq!(
        (s, body["changed"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{body}"
    );
    let (_, v2) = public.get("/public/2020/publication.json").await;
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["reason"], reason);
    assert_eq!(v2["versions"].as_array().unwrap().len(), 2);
    assert_ne!(total_of(&v2, "xicheng"), before);
    assert_eq!(Some(total_of(&v2, "xicheng")), live["total"].as_f64());
    let page = visitor.text("/public/2020").await;
    assert!(page.contains("id=\"correction-notice\""), "{page}");
    assert!(page.contains(reason));
    assert!(page.contains("C02-1"), "the changed figure is listed");
    let office_page = office.text("/reports?cycle=2020").await;
    assert!(office_page.contains("id=\"same-as-published\""));

    // Unchanged results publish as nothing new.
    let (_, body) = admin
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/publication",
            Some(json!({"published": true, "reason": "again"})),
        )
        .await;
    assert_eq!(body["changed"], false);

    // Both versions stay downloadable, and each bundle recomputes bit for bit.
    for (version, sha) in [(1, sha1.as_str()), (2, v2["sha256"].as_str().unwrap())] {
        let (s, bundle) = bytes(&app, &format!("/public/2020/versions/{version}.json")).await;
        assert_eq!(s, StatusCode::OK);
        let text = String::from_utf8(bundle).unwrap();
        let v = jixiao_app::reports::publication::verify(&text).unwrap();
        assert!(v.intact(), "version {version}: {v:?}");
        assert_eq!(v.computed_sha256, sha);
    }

    // A bundle whose input was changed is caught, the figures named, even with its hash redone.
    let (_, bundle) = bytes(&app, "/public/2020/versions/2.json").await;
    let mut b: jixiao_app::reports::publication::Bundle = serde_json::from_slice(&bundle).unwrap();
    let value = b
        .snapshot
        .content
        .values
        .iter_mut()
        .find(|v| v.unit == "xicheng" && v.task == "C02-1")
        .expect("the corrected grade is an input");
    value.value = jixiao_core::inputs::Observation::Number(99.0);
    let tampered = serde_json::to_string(&b).unwrap();
    let v = jixiao_app::reports::publication::verify(&tampered).unwrap();
    assert!(!v.intact());
    assert_ne!(v.stated_sha256, v.computed_sha256);
    assert!(
        v.differences
            .iter()
            .any(|d| d.contains("西城区 (xicheng) total")),
        "{:?}",
        v.differences
    );
    let resealed = jixiao_app::reports::publication::seal(b.snapshot);
    let v = jixiao_app::reports::publication::verify(&serde_json::to_string(&resealed).unwrap())
        .unwrap();
    assert_eq!(v.stated_sha256, v.computed_sha256, "the hash was redone");
    assert!(
        v.differences.iter().any(|d| d.contains("C02-1")),
        "but the figures do not recompute: {:?}",
        v.differences
    );
    assert_ne!(
        resealed.sha256,
        v2["sha256"].as_str().unwrap(),
        "nor match the published hash"
    );

    // Withdrawn: nothing public, versions included; published again: the same version 2.
    let (s, _) = admin
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/publication",
            Some(json!({"published": false})),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    for path in [
        "/public/2020/publication.json",
        "/public/2020/versions/1.json",
        "/public/2020",
    ] {
        assert_eq!(bytes(&app, path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    let (_, body) = admin
        .call(
            Method::PUT,
            "/api/v1/cycles/2020/publication",
            Some(json!({"published": true})),
        )
        .await;
    assert_eq!(body["changed"], true, "published again");
    let (_, again) = public.get("/public/2020/publication.json").await;
    assert_eq!(again["version"], 2);
    app.stop().await;
}

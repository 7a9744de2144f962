//! What the server does for the network: compressed answers where it helps, assets with
//! fingerprinted addresses kept a year, and the chart library only where a chart is drawn.

mod support;
use jixiao_testkit::Browser;
use reqwest::StatusCode;
use support::*;

async fn fetch(app: &TestApp, path: &str, encoding: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{}{path}", app.base))
        .header("accept-encoding", encoding)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn pages_json_and_assets_are_compressed_and_assets_cached_by_fingerprint() {
    let app = spawn().await;
    let login = Browser::public(&app).text("/login").await;
    // The login page does not load the chart library, only the page script that fetches it
    // where a chart is drawn; addresses carry fingerprints.
    assert!(
        !login.contains("<script src=\"/assets/vendor/echarts"),
        "{login}"
    );
    let app_js = login
        .split("src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    assert!(app_js.starts_with("/assets/app.js?v="), "{app_js}");
    let charts = login
        .split("data-echarts=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    assert!(
        charts.starts_with("/assets/vendor/echarts.min.js?v="),
        "{charts}"
    );

    let plain = fetch(&app, &charts, "identity").await;
    assert_eq!(plain.status(), StatusCode::OK);
    assert_eq!(
        plain.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    let plain_len = plain.bytes().await.unwrap().len();
    for (encoding, expected) in [("br", "br"), ("gzip", "gzip"), ("gzip, deflate, br", "br")] {
        let r = fetch(&app, &charts, encoding).await;
        assert_eq!(r.headers()["content-encoding"], expected, "{encoding}");
        let len = r.bytes().await.unwrap().len();
        assert!(
            len * 3 < plain_len,
            "{encoding}: {len} of {plain_len} bytes"
        );
    }
    // An old or missing fingerprint is kept an hour only.
    let r = fetch(&app, "/assets/vendor/echarts.min.js?v=old", "br").await;
    assert_eq!(r.headers()["cache-control"], "public, max-age=3600");

    // Pages and JSON are compressed; small answers and Office files are not.
    let r = fetch(&app, "/login", "gzip").await;
    assert_eq!(r.headers()["content-encoding"], "gzip");
    let r = fetch(&app, "/api/v1/openapi.json", "br").await;
    assert_eq!(r.headers()["content-encoding"], "br");
    let r = fetch(&app, "/health", "br").await;
    assert!(
        r.headers().get("content-encoding").is_none(),
        "tiny answers as they are"
    );
    let admin = Session::login(&app, "admin").await;
    let r = admin
        .client
        .get(format!(
            "{}/api/v1/cycles/2020/reports/results/docx",
            app.base
        ))
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers().get("content-encoding").is_none(),
        "a docx is a zip archive already"
    );
    app.stop().await;
}

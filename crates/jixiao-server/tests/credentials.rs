//! Credentials: accounts created and changed as separate operations, the password policy,
//! API tokens listed and revoked, sessions and tokens ending with a password change, a reset
//! or a deactivation, the last administrator kept, Open311 keys listed and revoked.

use jixiao_testkit::client::password;
use jixiao_testkit::{spawn, spawn_hotline, Session};
use reqwest::{Method, StatusCode};
use serde_json::json;

/// A token's answer to `GET /api/v1/me`-like reads: the status of the token list.
async fn with_token(app_base: &str, token: &str) -> StatusCode {
    reqwest::Client::new()
        .get(format!("{app_base}/api/v1/me/tokens"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
        .status()
}

async fn new_token(s: &Session, name: &str) -> String {
    let (st, body) = s
        .call(
            Method::POST,
            "/api/v1/me/tokens",
            Some(json!({"name": name})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    body["token"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn creating_an_existing_account_is_a_conflict_and_replaces_nothing() {
    let app = spawn().await;
    let admin = Session::login(&app, "admin").await;
    let (st, body) = admin
        .call(
            Method::POST,
            "/api/v1/users",
            Some(json!({"id": "admin", "display_name": "接管", "password": "violet-harbor-tangent-93", "role": "reporter", "unit_id": "dongcheng"})),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{body}");
    assert!(body["message"].as_str().unwrap().contains("exists already"));
    // The account is as it was: the admin still logs in with its own password, as admin.
    let again = Session::login(&app, "admin").await;
    let (_, users) = again.get("/api/v1/users").await;
    let me = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"] == "admin")
        .unwrap();
    assert_eq!(me["role"], "admin");
    app.stop().await;
}

#[tokio::test]
async fn weak_passwords_are_refused_everywhere_a_password_is_set() {
    let app = spawn().await;
    let admin = Session::login(&app, "admin").await;
    for weak in [
        "12345678",
        "password123",
        "qwertyuiop",
        "1111111111",
        "abcd1234abcd",
    ] {
        let (st, body) = admin
            .call(
                Method::POST,
                "/api/v1/users",
                Some(json!({"id": "newadmin", "display_name": "新管理员", "password": weak, "role": "admin"})),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{weak}: {body}");
        assert!(
            body["message"].as_str().unwrap().contains("password"),
            "{body}"
        );
        let (st, _) = admin
            .call(
                Method::PATCH,
                "/api/v1/users/dongcheng",
                Some(json!({"password": weak})),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "reset to {weak}");
        let (st, _) = admin
            .call(
                Method::POST,
                "/api/v1/me/password",
                Some(json!({"current": password("admin"), "new": weak})),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "change to {weak}");
    }
    // The user's own name counts as guessable.
    let (st, _) = admin
        .call(
            Method::POST,
            "/api/v1/users",
            Some(json!({"id": "wangfang", "display_name": "wangfang", "password": "wangfang2020", "role": "admin"})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let (st, body) = admin
        .call(
            Method::POST,
            "/api/v1/users",
            Some(json!({"id": "newadmin", "display_name": "新管理员", "password": "violet-harbor-tangent-93", "role": "admin"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    app.stop().await;
}

#[tokio::test]
async fn tokens_are_listed_and_revoked_by_their_holder_and_by_the_office() {
    let app = spawn().await;
    let unit = Session::login(&app, "dongcheng").await;
    let first = new_token(&unit, "报送脚本").await;
    let second = new_token(&unit, "备用").await;
    assert_eq!(with_token(&app.base, &first).await, StatusCode::OK);
    let (_, mine) = unit.get("/api/v1/me/tokens").await;
    let mine = mine.as_array().unwrap().clone();
    assert_eq!(mine.len(), 2);
    assert!(
        !mine.iter().any(|t| t.to_string().contains(&first)),
        "never the token itself"
    );
    // Another unit neither sees nor revokes them.
    let other = Session::login(&app, "xicheng").await;
    let (_, theirs) = other.get("/api/v1/me/tokens").await;
    assert_eq!(theirs.as_array().unwrap().len(), 0);
    let id = mine.iter().find(|t| t["name"] == "报送脚本").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (st, _) = other
        .call(Method::DELETE, &format!("/api/v1/me/tokens/{id}"), None)
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(with_token(&app.base, &first).await, StatusCode::OK);
    // The holder revokes one.
    let (st, _) = unit
        .call(Method::DELETE, &format!("/api/v1/me/tokens/{id}"), None)
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        with_token(&app.base, &first).await,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(with_token(&app.base, &second).await, StatusCode::OK);
    // The office sees every token and revokes the other.
    let admin = Session::login(&app, "admin").await;
    let (_, all) = admin.get("/api/v1/tokens").await;
    let row = all
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["user_id"] == "dongcheng")
        .unwrap()
        .clone();
    let (st, _) = admin
        .call(
            Method::DELETE,
            &format!("/api/v1/tokens/{}", row["id"].as_str().unwrap()),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        with_token(&app.base, &second).await,
        StatusCode::UNAUTHORIZED
    );
    let (_, audit) = admin.get("/api/v1/audit?action=api_token.revoke").await;
    assert_eq!(audit.as_array().unwrap().len(), 2, "{audit}");
    app.stop().await;
}

#[tokio::test]
async fn a_password_change_a_reset_and_a_deactivation_end_sessions_and_tokens() {
    let app = spawn().await;
    let strong = "violet-harbor-tangent-93";

    // Own change: the other sessions and every token end; this session stays.
    let unit = Session::login(&app, "dongcheng").await;
    let elsewhere = Session::login(&app, "dongcheng").await;
    let token = new_token(&unit, "脚本").await;
    let (st, body) = unit
        .call(
            Method::POST,
            "/api/v1/me/password",
            Some(json!({"current": password("dongcheng"), "new": strong})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(unit.get("/api/v1/me/tokens").await.0, StatusCode::OK);
    assert_eq!(
        elsewhere.get("/api/v1/me/tokens").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        with_token(&app.base, &token).await,
        StatusCode::UNAUTHORIZED
    );

    // A reset by the office ends everything of the account.
    let unit = Session::login(&app, "xicheng").await;
    let token = new_token(&unit, "脚本").await;
    let admin = Session::login(&app, "admin").await;
    let (st, body) = admin
        .call(
            Method::PATCH,
            "/api/v1/users/xicheng",
            Some(json!({"password": strong})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(
        unit.get("/api/v1/me/tokens").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        with_token(&app.base, &token).await,
        StatusCode::UNAUTHORIZED
    );

    // Deactivation: sessions and tokens end, and no new login is possible until reactivated.
    let evaluator = Session::login(&app, "ghzrw").await;
    let token = new_token(&evaluator, "脚本").await;
    let (st, body) = admin
        .call(
            Method::PATCH,
            "/api/v1/users/ghzrw",
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert_eq!(body["active"], false);
    assert_eq!(
        evaluator.get("/api/v1/me/tokens").await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        with_token(&app.base, &token).await,
        StatusCode::UNAUTHORIZED
    );
    let mut again = Session::public(&app).await;
    let (st, _) = again
        .call(
            Method::POST,
            "/api/v1/session",
            Some(json!({"user": "ghzrw", "password": password("ghzrw")})),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    admin
        .call(
            Method::PATCH,
            "/api/v1/users/ghzrw",
            Some(json!({"active": true})),
        )
        .await;
    again = Session::login(&app, "ghzrw").await;
    assert_eq!(again.get("/api/v1/me/tokens").await.0, StatusCode::OK);
    app.stop().await;
}

#[tokio::test]
async fn the_last_active_administrator_cannot_be_demoted_or_deactivated() {
    let app = spawn().await;
    let admin = Session::login(&app, "admin").await;
    for change in [
        json!({"active": false}),
        json!({"role": "reporter", "unit_id": "dongcheng"}),
    ] {
        let (st, body) = admin
            .call(Method::PATCH, "/api/v1/users/admin", Some(change.clone()))
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{change}: {body}");
        assert!(body["message"]
            .as_str()
            .unwrap()
            .contains("last active administrator"));
    }
    assert_eq!(admin.get("/api/v1/users").await.0, StatusCode::OK);
    // With a second administrator, the first may step down.
    let (st, _) = admin
        .call(
            Method::POST,
            "/api/v1/users",
            Some(json!({"id": "admin2", "display_name": "第二管理员", "password": "violet-harbor-tangent-93", "role": "admin"})),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, body) = admin
        .call(
            Method::PATCH,
            "/api/v1/users/admin",
            Some(json!({"active": false})),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{body}");
    app.stop().await;
}

#[tokio::test]
async fn open311_keys_are_listed_and_a_revoked_key_is_refused() {
    let (app, key) = spawn_hotline(20).await;
    let post = |key: String| {
        let base = app.base.clone();
        async move {
            reqwest::Client::new()
                .post(format!("{base}/open311/v2/requests.json?api_key={key}"))
                .form(&[
                    ("service_code", "0301"),
                    ("lat", "39.9291"),
                    ("long", "116.4170"),
                    ("description", "路灯不亮"),
                ])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert!(post(key.clone()).await.is_success());
    let admin = Session::login(&app, "admin").await;
    let (st, keys) = admin.get("/api/v1/hotline/api-keys").await;
    assert_eq!(st, StatusCode::OK);
    assert!(!keys.to_string().contains(&key), "never the key itself");
    let id = keys.as_array().unwrap()[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (st, _) = admin
        .call(
            Method::DELETE,
            &format!("/api/v1/hotline/api-keys/{id}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(post(key.clone()).await, StatusCode::FORBIDDEN);
    let (_, keys) = admin.get("/api/v1/hotline/api-keys").await;
    assert!(keys[0]["revoked_at"].is_string());
    // Revoking it twice: not found among the keys in use.
    let (st, _) = admin
        .call(
            Method::DELETE,
            &format!("/api/v1/hotline/api-keys/{id}"),
            None,
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    app.stop().await;
}

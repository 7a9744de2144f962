//! Login throttling as an attacker meets it: a forged X-Forwarded-For changes nothing,
//! concurrent guesses are all counted, an account under attack slows down without locking its
//! owner out, and a client guessing across accounts is refused. (The tests' servers allow 3
//! failures per account; client addresses are read as docs/operations.md describes.)

use jixiao_testkit::client::password;
use jixiao_testkit::{spawn, Session};
use reqwest::StatusCode;
use serde_json::json;

async fn attempt(base: &str, user: &str, pw: &str, forwarded: Option<&str>) -> reqwest::Response {
    let mut req = reqwest::Client::new()
        .post(format!("{base}/api/v1/session"))
        .json(&json!({"user": user, "password": pw}));
    if let Some(f) = forwarded {
        req = req.header("x-forwarded-for", f);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn a_forged_forwarded_for_header_does_not_buy_more_guesses() {
    let app = spawn().await;
    let mut evaluated = 0;
    for i in 0..30 {
        let forged = format!("10.9.{i}.1");
        let r = attempt(&app.base, "admin", "guess-guess", Some(&forged)).await;
        match r.status() {
            StatusCode::UNPROCESSABLE_ENTITY => evaluated += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("{other}"),
        }
    }
    assert_eq!(evaluated, 3, "only the account's allowance was evaluated");
    app.stop().await;
}

#[tokio::test]
async fn concurrent_guesses_are_all_counted() {
    let app = spawn().await;
    let guesses = (0..20).map(|_| {
        let base = app.base.clone();
        tokio::spawn(async move { attempt(&base, "admin", "guess-guess", None).await.status() })
    });
    let mut evaluated = 0;
    for g in guesses {
        if g.await.unwrap() == StatusCode::UNPROCESSABLE_ENTITY {
            evaluated += 1;
        }
    }
    assert_eq!(evaluated, 3, "20 at once, 3 evaluated");
    app.stop().await;
}

#[tokio::test]
async fn an_account_under_attack_slows_down_but_its_owner_still_logs_in() {
    let app = spawn().await;
    for _ in 0..3 {
        attempt(&app.base, "dongcheng", "guess-guess", None).await;
    }
    let r = attempt(&app.base, "dongcheng", password("dongcheng"), None).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&wait), "first wait 1 s, got {wait}");
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["code"], "too_many_attempts");
    // One more wrong guess after the wait doubles it.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let r = attempt(&app.base, "dongcheng", "guess-again", None).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let r = attempt(&app.base, "dongcheng", password("dongcheng"), None).await;
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=2).contains(&wait) && r.status() == StatusCode::TOO_MANY_REQUESTS);
    // The owner, after the wait: in, not locked out for the window.
    tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
    let r = attempt(&app.base, "dongcheng", password("dongcheng"), None).await;
    assert_eq!(r.status(), StatusCode::OK);
    // Other accounts were never slowed.
    Session::login(&app, "xicheng").await;
    app.stop().await;
}

#[tokio::test]
async fn a_client_guessing_across_accounts_is_refused() {
    let app = spawn().await;
    let mut refused_at = None;
    for i in 0..30 {
        let r = attempt(&app.base, &format!("nobody{i}"), "guess-guess", None).await;
        if r.status() == StatusCode::TOO_MANY_REQUESTS {
            refused_at = Some(i);
            break;
        }
    }
    assert_eq!(
        refused_at,
        Some(20),
        "login_client_max_failures is 20 by default"
    );
    app.stop().await;
}

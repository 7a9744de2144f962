//! Clients of a test server: [`Session`] for the JSON API (cookie and CSRF token, as a script
//! would hold them) and [`Browser`] for the pages (cookies, no redirects followed, forms with
//! their CSRF field).

use crate::app::TestApp;
use reqwest::{redirect::Policy, Client, Method, StatusCode};
use serde_json::Value;

/// The demo password of an account.
pub fn password(user: &str) -> &'static str {
    jixiao_demo::ACCOUNTS
        .iter()
        .find(|a| a.0 == user)
        .map(|a| a.5)
        .unwrap_or_else(|| panic!("{user} is not a demo account"))
}

/// A client of the JSON API with its cookie jar and CSRF token.
pub struct Session {
    pub client: Client,
    pub csrf: String,
    pub base: String,
}

impl Session {
    pub async fn public(app: &TestApp) -> Session {
        Session {
            client: Client::builder().cookie_store(true).build().unwrap(),
            csrf: String::new(),
            base: app.base.clone(),
        }
    }

    /// Logged in through `POST /api/v1/session` as a demo account.
    pub async fn login(app: &TestApp, user: &str) -> Session {
        Session::login_with(app, user, password(user)).await
    }

    /// Logs in to an account that is not a demo account (one a test made).
    pub async fn login_with(app: &TestApp, user: &str, password: &str) -> Session {
        let mut s = Session::public(app).await;
        let (status, body) = s
            .call(
                Method::POST,
                "/api/v1/session",
                Some(serde_json::json!({"user": user, "password": password})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "login {user}: {body}");
        s.csrf = body["csrf"].as_str().unwrap().to_string();
        s
    }

    /// Sends a request with the session's CSRF token; the body as JSON, or as text when it is
    /// not JSON.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status();
        let text = resp.text().await.unwrap_or_default();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, None).await
    }
}

/// A browser of the pages: cookies kept, redirects not followed.
pub struct Browser {
    pub client: Client,
    pub base: String,
}

/// An HTTP client as a browser is one: it keeps cookies; it does not follow redirects, so tests
/// see where a page sends them.
pub fn browser_client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap()
}

impl Browser {
    pub fn public(app: &TestApp) -> Browser {
        Browser {
            client: browser_client(),
            base: app.base.clone(),
        }
    }

    /// Logged in through the login form as a demo account.
    pub async fn login(app: &TestApp, user: &str) -> Browser {
        let b = Browser::public(app);
        let page = b.text("/login").await;
        let csrf = field(&page, "csrf");
        let resp = b
            .client
            .post(format!("{}/login", b.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("next", ""),
                ("user", user),
                ("password", password(user)),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "login {user}");
        assert_eq!(resp.headers()["location"], "/");
        b
    }

    pub async fn text(&self, path: &str) -> String {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// The session's CSRF token, read from a page every logged-in user may open (the login
    /// page's token for a visitor).
    pub async fn csrf(&self) -> String {
        let page = self.text("/account").await;
        if page.contains("name=\"csrf\"") {
            field(&page, "csrf")
        } else {
            field(&self.text("/login").await, "csrf")
        }
    }
}

/// The value of a form field in a page.
pub fn field(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name}"))
        + marker.len();
    html[start..].split('"').next().unwrap().to_string()
}

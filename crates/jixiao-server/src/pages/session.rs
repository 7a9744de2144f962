//! The home address, the login form and logging out.

use super::render::PageRoute;
use super::render::{redirect, render, PageResult};
use crate::context::{client_address, cookie, log_in, peer, session_cookie, Ctx, SESSION_COOKIE};
use crate::state::AppState;
use axum::extract::State;
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::Method;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Form;
use jixiao_app::Role;
use serde::Deserialize;
use serde_json::json;

pub fn routes() -> Vec<PageRoute> {
    vec![
        (Method::GET, "/", get(home)),
        (Method::GET, "/login", get(login_page)),
        (Method::POST, "/login", post(login_submit)),
        (Method::POST, "/logout", post(logout)),
    ]
}

async fn home(ctx: Ctx) -> Response {
    match (ctx.actor.role, ctx.actor.unit()) {
        (Role::Admin, _) => redirect("/overview"),
        // An evaluator's work is its review queue.
        (Role::Evaluator, _) => redirect("/review"),
        (Role::Reporter, Some(u)) => redirect(&format!("/units/{u}/todo")),
        // The hotline centre's and a handler's work is the cases waiting for them.
        (Role::Centre | Role::Handler, _) => redirect("/hotline/work"),
        // A grid inspector's work is its patrol.
        (Role::Inspector, _) => redirect("/grid"),
        // A rater's work is its rounds to score.
        (Role::Rater, _) => redirect("/rate"),
        _ => redirect("/login"),
    }
}

/// `next` if it is a path of this site, so that a crafted login link cannot send the user
/// elsewhere after logging in. Browsers read `//host`, `/\host` and paths with tabs or line
/// breaks in them (which they drop) as other sites: all refused.
fn same_site(next: &str) -> Option<&str> {
    let local = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control() || c.is_whitespace());
    local.then_some(next)
}

/// The login form's own CSRF token (double submit: cookie and field), since it has no session.
const LOGIN_CSRF: &str = "jixiao_login_csrf";

async fn login_page(State(state): State<AppState>, ctx: Ctx) -> Response {
    let token = jixiao_app::accounts::random_token();
    let next = ctx.query.get("next").cloned().unwrap_or_default();
    let error = ctx.query.get("error").map(|_| {
        if ctx.english {
            "Wrong user name or password, or too many attempts."
        } else {
            "用户名或密码错误,或尝试次数过多。"
        }
    });
    let title = crate::i18n::text(ctx.english, "login");
    let mut resp = render(
        &state,
        &ctx,
        "login.html",
        title,
        json!({ "login_csrf": token, "next": next, "error": error }),
    );
    if let Ok(v) = format!(
        "{LOGIN_CSRF}={token}; Path=/login; HttpOnly; SameSite=Strict{}",
        if state.config.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    )
    .parse()
    {
        resp.headers_mut().append(SET_COOKIE, v);
    }
    resp
}

#[derive(Deserialize)]
struct LoginForm {
    csrf: String,
    #[serde(default)]
    next: String,
    user: String,
    password: String,
}

async fn login_submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    ext: axum::http::Extensions,
    Form(f): Form<LoginForm>,
) -> Response {
    if cookie(&headers, LOGIN_CSRF).as_deref() != Some(f.csrf.as_str()) {
        return redirect("/login?error=csrf");
    }
    let (user, password, client) = (
        f.user.trim().to_string(),
        f.password.clone(),
        client_address(peer(&ext), &headers, &state.config.trusted_proxies),
    );
    let login = log_in(&state, user, password, client).await;
    match login {
        Ok(session) => {
            let next = same_site(&f.next).unwrap_or("/").to_string();
            (
                StatusCode::SEE_OTHER,
                [
                    (LOCATION, next),
                    (
                        SET_COOKIE,
                        session_cookie(&state, &session.token, state.config.session_hours * 3600),
                    ),
                ],
            )
                .into_response()
        }
        Err(_) => redirect("/login?error=1"),
    }
}

async fn logout(State(state): State<AppState>, ctx: Ctx) -> PageResult {
    if let Some(token) = ctx.session.clone() {
        state
            .write(move |s, _| jixiao_app::accounts::logout(s, &token))
            .await?;
    }
    Ok((
        StatusCode::SEE_OTHER,
        [
            (LOCATION, "/login".to_string()),
            (
                SET_COOKIE,
                format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"),
            ),
        ],
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_paths_of_this_site_are_followed_after_login() {
        for good in ["/", "/units/dongcheng", "/hotline/cases?page=2"] {
            assert_eq!(super::same_site(good), Some(good));
        }
        for bad in [
            "//evil.example/",
            "/\\evil.example/",
            "/\\/evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "https://evil.example/",
            "evil.example",
            "",
        ] {
            assert_eq!(super::same_site(bad), None, "{bad:?}");
        }
    }
}

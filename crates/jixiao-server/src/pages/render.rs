//! Drawing pages: a template with the base values (title, language, texts, user, navigation,
//! CSRF token), the error pages in the user's language and the layer that draws them, and the
//! answer to a form (back to the page saying it was saved, or why not).

use super::kept::{Kept, KeptPage};
use crate::context::{Ctx, LANG_COOKIE};
use crate::error::{ErrorToDraw, PageError, WebError};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::header::{LOCATION, SET_COOKIE};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use jixiao_app::{AppError, Role};
use serde_json::{json, Map, Value};

/// A page route: its method, its path (with `{parameters}`), and its handler.
pub type PageRoute = (
    axum::http::Method,
    &'static str,
    axum::routing::MethodRouter<AppState>,
);

/// What a page handler answers: the page, or an error the error layer draws.
pub(crate) type PageResult = Result<Response, PageError>;

/// The links of the navigation for this actor.
fn nav(ctx: &Ctx) -> Vec<Value> {
    let tr = crate::i18n::texts(ctx.english);
    let mut items: Vec<(&str, String)> = Vec::new();
    match ctx.actor.role {
        Role::Admin | Role::Evaluator => {
            for (key, href) in [
                ("overview", "/overview"),
                ("rankings", "/rankings"),
                ("review", "/review"),
                ("grading", "/grades"),
                ("ledger", "/ledger"),
                ("honours_nav", "/honours"),
                ("sources_nav", "/sources"),
                ("supervision", "/supervision"),
                ("reports", "/reports"),
                ("taskbook_nav", "/taskbook"),
                ("hotline", "/hotline"),
                ("grid_nav", "/grid"),
            ] {
                // The hotline is the city's: an organisation's accounts do not work on it.
                if ctx.actor.organisation().is_some() && matches!(key, "hotline" | "grid_nav") {
                    continue;
                }
                // The task-book editor is the office's.
                if key == "taskbook_nav" && ctx.actor.role != Role::Admin {
                    continue;
                }
                items.push((tr[key], href.into()));
            }
        }
        Role::Reporter => {
            if let Some(u) = ctx.actor.unit() {
                items.push((tr["todo"], format!("/units/{u}/todo")));
                items.push((tr["my_unit"], format!("/units/{u}")));
                items.push((tr["entry"], format!("/units/{u}/entry")));
                items.push((tr["self_report"], format!("/units/{u}/report")));
                items.push((tr["hotline"], "/hotline".into()));
                items.push((tr["grid_nav"], "/grid".into()));
                items.push((tr["claims_check"], format!("/units/{u}/claims")));
                items.push((tr["bonus_apply"], "/ledger".into()));
                items.push((tr["honours_nav"], "/honours".into()));
                items.push((tr["supervision"], "/supervision".into()));
            }
        }
        Role::Centre => {
            items.push((tr["case_work"], "/hotline/work".into()));
            items.push((tr["hotline"], "/hotline".into()));
            items.push((tr["hotline_cases"], "/hotline/cases".into()));
            items.push((tr["grid_nav"], "/grid".into()));
        }
        Role::Handler => items.push((tr["case_work"], "/hotline/work".into())),
        Role::Inspector => items.push((tr["grid_nav"], "/grid".into())),
        Role::Rater => items.push((tr["rate_nav"], "/rate".into())),
        Role::Public | Role::Client => {}
    }
    if jixiao_app::policy::allows(&ctx.actor, jixiao_app::policy::Act::ViewLevels) {
        items.push((tr["levels_nav"], "/levels".into()));
    }
    if jixiao_app::policy::allows(&ctx.actor, jixiao_app::policy::Act::AdministerSystem) {
        items.push((tr["audit"], "/audit".into()));
    }
    if ctx.actor.role == Role::Admin {
        items.push((tr["users"], "/users".into()));
    }
    if !ctx.actor.is_public() {
        items.push((tr["notices"], "/notifications".into()));
        items.push((tr["account"], "/account".into()));
        items.push((tr["api"], "/api/v1/docs".into()));
    }
    items
        .into_iter()
        .map(|(label, href)| json!({ "label": label, "current": href == ctx.path, "href": href }))
        .collect()
}

/// The values every page's frame draws: title, language, texts, user, navigation, CSRF token,
/// the `flash` and `error` of the query string.
fn base_values(ctx: &Ctx, title: &str) -> Map<String, Value> {
    let tr = crate::i18n::texts(ctx.english);
    let mut values = Map::new();
    values.insert("title".into(), json!(title));
    values.insert("english".into(), json!(ctx.english));
    values.insert("tr".into(), json!(tr));
    values.insert(
        "user".into(),
        if ctx.actor.is_public() {
            Value::Null
        } else {
            json!({ "display_name": ctx.actor.display_name, "role": ctx.actor.role.as_str() })
        },
    );
    values.insert("nav".into(), json!(nav(ctx)));
    values.insert("csrf".into(), json!(ctx.csrf.clone().unwrap_or_default()));
    values.insert(
        "flash".into(),
        json!(ctx
            .query
            .get("flash")
            .map(|f| tr.get(f.as_str()).copied().unwrap_or(""))
            .unwrap_or("")),
    );
    let error = match ctx.q("error_zh") {
        Some(zh) if !ctx.english => Some(zh),
        _ => ctx.q("error"),
    };
    values.insert("error".into(), json!(error));
    values.insert("lang_href".into(), json!(lang_switch(ctx)));
    values
}

/// The address of this page in the other language: the same path and query (filters, cursor,
/// period), without the one-time `flash` and `error`.
fn lang_switch(ctx: &Ctx) -> String {
    let mut pairs: Vec<(&String, &String)> = ctx
        .query
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "lang" | "flash" | "error" | "error_zh"))
        .collect();
    pairs.sort();
    let mut q: Vec<String> = pairs
        .into_iter()
        .map(|(k, v)| format!("{}={}", urlencode(k), urlencode(v)))
        .collect();
    q.push(format!("lang={}", if ctx.english { "zh" } else { "en" }));
    format!("{}?{}", ctx.path, q.join("&"))
}

/// The answer for a drawn page (with the language cookie when the query switched it), or a
/// 500 naming the template in the log.
fn respond(ctx: &Ctx, template: &str, html: Result<String, minijinja::Error>) -> Response {
    match html {
        Ok(body) => {
            let mut resp = Html(body).into_response();
            if let Some(l) = ctx.set_lang {
                if let Ok(v) =
                    format!("{LANG_COOKIE}={l}; Path=/; SameSite=Lax; Max-Age=31536000").parse()
                {
                    resp.headers_mut().append(SET_COOKIE, v);
                }
            }
            resp
        }
        Err(e) => {
            tracing::error!(error = %e, template, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
        }
    }
}

/// Renders `template` with the page's values over the base ones (title, language, texts,
/// user, navigation, CSRF token, the `flash` and `error` of the query string).
pub(crate) fn render(
    state: &AppState,
    ctx: &Ctx,
    template: &str,
    title: &str,
    page: Value,
) -> Response {
    let mut values = base_values(ctx, title);
    if let Value::Object(extra) = page {
        values.extend(extra);
    }
    let html = state
        .templates
        .get_template(template)
        .and_then(|t| t.render(Value::Object(values)));
    respond(ctx, template, html)
}

/// Draws a kept page content in this request's frame.
pub(crate) fn render_kept(state: &AppState, ctx: &Ctx, page: &KeptPage) -> Response {
    let values = base_values(ctx, &page.title);
    let html = state.templates.get_template("kept.html").and_then(|t| {
        t.render(minijinja::context! {
            content => minijinja::Value::from_safe_string(page.content.to_string()),
            ..minijinja::Value::from_serialize(&values)
        })
    });
    respond(ctx, "kept.html", html)
}

/// Draws `template`'s content with the page's values, keeps it under `key` (when there is
/// one) and answers it in this request's frame.
pub(crate) fn render_keeping(
    state: &AppState,
    ctx: &Ctx,
    template: &str,
    title: &str,
    page: Value,
    key: Option<String>,
) -> Response {
    let mut values = base_values(ctx, title);
    if let Value::Object(extra) = page {
        values.extend(extra);
    }
    // `eval_to_state` sets up the template without drawing it, so only the block is drawn;
    // its replacement (`render_captured`) would draw the whole page first.
    #[allow(deprecated)]
    let content = state.templates.get_template(template).and_then(|t| {
        t.eval_to_state(Value::Object(values))?
            .render_block("content")
    });
    match content {
        Ok(content) => {
            let kept = KeptPage {
                title: title.into(),
                content: content.into(),
            };
            if let Some(key) = key {
                state.pages.put(key, kept.clone());
            }
            render_kept(state, ctx, &kept)
        }
        Err(e) => respond(ctx, template, Err(e)),
    }
}

/// A kept page's answer, or the page drawn from `make` (its template, title and values) and
/// kept.
pub(crate) fn render_either<T>(
    state: &AppState,
    ctx: &Ctx,
    kept: Kept<T>,
    make: impl FnOnce(T) -> Result<(&'static str, String, Value), PageError>,
) -> PageResult {
    match kept {
        Kept::Hit(page) => Ok(render_kept(state, ctx, &page)),
        Kept::Fresh(key, data) => {
            let (template, title, page) = make(data)?;
            Ok(render_keeping(state, ctx, template, &title, page, key))
        }
    }
}

/// A page with a title and a message, answered with `status`.
pub(crate) fn message(
    state: &AppState,
    ctx: &Ctx,
    status: StatusCode,
    title: &str,
    message: &str,
) -> Response {
    let mut r = render(
        state,
        ctx,
        "message.html",
        title,
        json!({ "message": message }),
    );
    *r.status_mut() = status;
    r
}

/// The page for an error, in the user's language; a visitor who must log in goes to the login
/// page and comes back afterwards.
pub(crate) fn error_page(state: &AppState, ctx: &Ctx, e: &WebError) -> Response {
    let key = match e {
        WebError::App(AppError::Unauthenticated) => {
            return redirect(&format!("/login?next={}", urlencode(&ctx.path)));
        }
        WebError::App(AppError::Forbidden | AppError::Withheld(_)) => "forbidden",
        WebError::App(AppError::NotFound(_)) => "err_not_found",
        WebError::App(AppError::Invalid(_) | AppError::Rejected(_))
        | WebError::BadBody(_)
        | WebError::UnsupportedType(_)
        | WebError::TooLarge(_) => "err_invalid",
        WebError::App(AppError::Conflict(_)) => "err_conflict",
        WebError::App(AppError::Busy) => "err_busy",
        WebError::App(AppError::TooManyAttempts(_)) => "err_too_many",
        WebError::App(AppError::Internal(_)) => "err_internal",
        WebError::Csrf => "err_csrf",
    };
    let detail = match e {
        WebError::App(AppError::Forbidden | AppError::Internal(_) | AppError::Busy)
        | WebError::Csrf => String::new(),
        other => other.message_in(ctx.lang()),
    };
    message(
        state,
        ctx,
        e.status(),
        crate::i18n::text(ctx.english, key),
        &detail,
    )
}

/// Draws the errors that pages answer ([`PageError`], with the request's context attached by
/// the session layer) as pages.
pub async fn render_errors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    match (
        resp.extensions().get::<ErrorToDraw>().cloned(),
        resp.extensions().get::<Ctx>().cloned(),
    ) {
        (Some(ErrorToDraw(e)), Some(ctx)) => error_page(&state, &ctx, &e),
        _ => resp,
    }
}

/// The answer to a form: back to `path` saying it was saved, or showing why not there; a
/// refusal or a fault is its error page. `fragment` (with its `#`, or empty) scrolls back to
/// the item.
pub(crate) fn after<T>(result: Result<T, AppError>, path: &str, fragment: &str) -> PageResult {
    match result {
        Ok(_) => Ok(redirect(&format!("{path}?flash=saved{fragment}"))),
        Err(
            e @ (AppError::Invalid(_)
            | AppError::Rejected(_)
            | AppError::NotFound(_)
            | AppError::Conflict(_)),
        ) => Ok(redirect_error(path, &e)),
        Err(e) => Err(e.into()),
    }
}

/// An RFC 3339 instant in the office's time zone (the hotline rules' zone, Asia/Shanghai by
/// default) as `format` writes it; the text as it is when it is not one.
pub(crate) fn local_time(state: &AppState, at: &str, format: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(at)
        .map(|t| {
            t.with_timezone(&state.settings.hotline.timezone)
                .format(format)
                .to_string()
        })
        .unwrap_or_else(|_| at.to_string())
}

/// Back to `path` with an error to show there (in both languages when it has them: the page
/// shows the reader's).
pub(crate) fn redirect_error(path: &str, e: &AppError) -> Response {
    let message = crate::error::WebError::App(AppError::Invalid(e.to_string())).message();
    let zh = match e {
        AppError::Rejected(words) => format!(
            "&error_zh={}",
            urlencode(&crate::error::WebError::App(AppError::Invalid(words.zh.clone())).message())
        ),
        _ => String::new(),
    };
    redirect(&format!("{path}?error={}{zh}", urlencode(&message)))
}

pub(crate) fn redirect(to: &str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, to.to_string())]).into_response()
}

/// JSON for a `<script type="application/json">` element: `<` escaped so it cannot close it.
pub(crate) fn script_json(v: &Value) -> String {
    v.to_string().replace('<', "\\u003c")
}

pub(crate) fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Not found: a JSON error under `/api/`, the not-found page elsewhere.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    if uri.path().starts_with("/api/") {
        WebError::App(AppError::NotFound(format!("API route {}", uri.path()))).to_json()
    } else {
        not_found_page()
    }
}

/// A path that exists with another method: 405, as the JSON error under `/api/`.
pub async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> Response {
    let message = format!("{method} is not allowed on {}", uri.path());
    let body = crate::error::ErrorBody {
        code: "method_not_allowed",
        message,
    };
    if uri.path().starts_with("/api/") {
        (StatusCode::METHOD_NOT_ALLOWED, axum::Json(body)).into_response()
    } else {
        (StatusCode::METHOD_NOT_ALLOWED, body.message).into_response()
    }
}

pub fn not_found_page() -> Response {
    (StatusCode::NOT_FOUND, Html("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>未找到 Not found</title></head><body><main><h1>页面未找到 / Page not found</h1><p><a href=\"/\">返回首页 / Home</a></p></main></body></html>")).into_response()
}

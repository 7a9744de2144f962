//! Open311 GeoReport v2 (DOMAIN.md §4) at `/open311/v2`: discovery, services, service
//! definitions, POST requests (with an API key made by the office), tokens, GET requests with
//! every filter of the specification, GET one request; XML and JSON; errors in the
//! specification's shape and status codes.
//!
//! One handler takes every `/open311/…` path and parses it itself, so that what real clients
//! send works: doubled slashes, the singular `/service/{code}`, `api_key` and `jurisdiction_id`
//! in the query string of a POST, empty optional parameters (treated as absent). A jurisdiction
//! is a district of the stored geography, so several districts can share one server.

use crate::state::AppState;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use jixiao_app::hotline::open311::NewRequest;
use jixiao_app::hotline::CaseFilter;
use jixiao_app::Actor;
use jixiao_hotline::case::RequestDetails;
use jixiao_hotline::catalogue::Category;
use jixiao_hotline::geography::Level;
use jixiao_hotline::{Case, Stage};
use std::collections::HashMap;

pub const SPEC: &str = "http://wiki.open311.org/GeoReport_v2";

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Xml,
    Json,
}

/// An answer: a status and a value written as XML or JSON.
struct Answer {
    status: StatusCode,
    body: Node,
}

/// A tiny document tree that writes itself as either format.
enum Node {
    Text(String),
    Null,
    /// An element with named children (JSON object).
    Object(&'static str, Vec<(&'static str, Node)>),
    /// An element holding repeated children (JSON array).
    List(&'static str, Vec<Node>),
    /// A list of texts, each in an element of the second name (JSON array of strings).
    Texts(&'static str, &'static str, Vec<String>),
}

fn text(s: impl Into<String>) -> Node {
    Node::Text(s.into())
}

fn escape(s: &str) -> String {
    jixiao_report::html::escape(s)
}

impl Node {
    fn xml(&self, name: &str, out: &mut String) {
        match self {
            Node::Text(s) => out.push_str(&format!("<{name}>{}</{name}>", escape(s))),
            Node::Null => out.push_str(&format!("<{name}/>")),
            Node::Object(tag, fields) => {
                let tag = if name.is_empty() { tag } else { name };
                out.push_str(&format!("<{tag}>"));
                for (k, v) in fields {
                    v.xml(k, out);
                }
                out.push_str(&format!("</{tag}>"));
            }
            Node::List(tag, items) => {
                let tag = if name.is_empty() { tag } else { name };
                out.push_str(&format!("<{tag}>"));
                for i in items {
                    i.xml("", out);
                }
                out.push_str(&format!("</{tag}>"));
            }
            Node::Texts(tag, item, texts) => {
                let tag = if name.is_empty() { tag } else { name };
                out.push_str(&format!("<{tag}>"));
                for t in texts {
                    out.push_str(&format!("<{item}>{}</{item}>", escape(t)));
                }
                out.push_str(&format!("</{tag}>"));
            }
        }
    }
    fn json(&self) -> serde_json::Value {
        match self {
            Node::Text(s) => serde_json::Value::String(s.clone()),
            Node::Null => serde_json::Value::Null,
            Node::Object(_, fields) => serde_json::Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.json()))
                    .collect(),
            ),
            Node::List(_, items) => {
                serde_json::Value::Array(items.iter().map(Node::json).collect())
            }
            Node::Texts(_, _, texts) => serde_json::Value::Array(
                texts
                    .iter()
                    .map(|t| serde_json::Value::String(t.clone()))
                    .collect(),
            ),
        }
    }
}

impl Answer {
    fn ok(body: Node) -> Answer {
        Answer {
            status: StatusCode::OK,
            body,
        }
    }
    fn error(status: StatusCode, description: impl Into<String>) -> Answer {
        Answer {
            status,
            body: Node::List(
                "errors",
                vec![Node::Object(
                    "error",
                    vec![
                        ("code", text(status.as_u16().to_string())),
                        ("description", text(description)),
                    ],
                )],
            ),
        }
    }
    fn into_response(self, f: Format) -> Response {
        match f {
            Format::Json => (
                self.status,
                [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
                self.body.json().to_string(),
            )
                .into_response(),
            Format::Xml => {
                let mut s = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
                self.body.xml("", &mut s);
                (
                    self.status,
                    [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
                    s,
                )
                    .into_response()
            }
        }
    }
}

/// Query string and form body merged; empty values are absent (real clients send `x=`). A
/// name ending in `[]` (a multi-valued attribute) keeps every value, joined by [`SEPARATOR`];
/// any other keeps its first.
fn parameters(query: Option<&str>, body: &[u8]) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for part in [query.unwrap_or("").as_bytes(), body] {
        for (k, v) in form_urlencoded(part) {
            put(&mut out, k, v);
        }
    }
    out
}

/// Joins the values of a multi-valued parameter: a control character, which no accepted text
/// holds.
const SEPARATOR: char = '\u{1f}';

fn put(out: &mut HashMap<String, String>, k: String, v: String) {
    if v.trim().is_empty() {
        return;
    }
    if k.ends_with("[]") {
        out.entry(k)
            .and_modify(|all| {
                all.push(SEPARATOR);
                all.push_str(&v);
            })
            .or_insert(v);
    } else {
        out.entry(k).or_insert(v);
    }
}

/// `attribute[code]=value` and `attribute[code][]=value` parameters, by code; `Err` names a
/// parameter whose code is empty.
fn attributes(p: &HashMap<String, String>) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (k, v) in p {
        let Some(rest) = k.strip_prefix("attribute[") else {
            continue;
        };
        let code = rest
            .strip_suffix("][]")
            .or_else(|| rest.strip_suffix(']'))
            .filter(|c| !c.is_empty() && !c.contains(['[', ']']))
            .ok_or_else(|| {
                format!("parameter `{k}` is not attribute[code] or attribute[code][]")
            })?;
        out.extend(
            v.split(SEPARATOR)
                .map(|one| (code.to_string(), one.to_string())),
        );
    }
    // By code; a multi-valued attribute's values stay in the order sent (a stable sort).
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

fn form_urlencoded(bytes: &[u8]) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let s = s.replace('+', " ");
        let b = s.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' && i + 2 < b.len() {
                if let Some(x) = s
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    out.push(x);
                    i += 3;
                    continue;
                }
            }
            out.push(b[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    String::from_utf8_lossy(bytes)
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn iso(t: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    t.with_timezone(&tz)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}

fn parse_iso(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

fn service_node(c: &Category, catalogue: &[Category]) -> Node {
    let group = c
        .parent_code()
        .and_then(|p| catalogue.iter().find(|x| x.code == p))
        .map(|p| p.name.clone())
        .unwrap_or_default();
    Node::Object(
        "service",
        vec![
            ("service_code", text(&c.code)),
            ("service_name", text(&c.name)),
            (
                "description",
                text(jixiao_hotline::catalogue::path(catalogue, &c.code)),
            ),
            ("metadata", text("false")),
            ("type", text("realtime")),
            ("keywords", text("")),
            ("group", text(group)),
        ],
    )
}

fn request_node(
    (c, details): &(Case, RequestDetails),
    catalogue: &[Category],
    unit_name: &dyn Fn(&str) -> String,
    tz: chrono_tz::Tz,
) -> Node {
    let closed = c.stage == Stage::Closed;
    let notes = match (c.stage, c.closure) {
        (Stage::Closed, Some(x)) => x.label_zh().to_string(),
        (s, _) => s.label_zh().to_string(),
    };
    let opt_time = |t: Option<DateTime<Utc>>| t.map(|t| text(iso(t, tz))).unwrap_or(Node::Null);
    let updated = [
        c.closed,
        c.callback.map(|x| x.at),
        c.handled,
        c.responded,
        c.dispatched,
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(c.received);
    Node::Object(
        "request",
        vec![
            ("service_request_id", text(&c.id)),
            ("status", text(if closed { "closed" } else { "open" })),
            ("status_notes", text(notes)),
            (
                "service_name",
                text(
                    catalogue
                        .iter()
                        .find(|x| x.code == c.category)
                        .map(|x| x.name.clone())
                        .unwrap_or_else(|| c.category.clone()),
                ),
            ),
            ("service_code", text(&c.category)),
            ("description", text(&c.description)),
            (
                "agency_responsible",
                text(c.unit.as_deref().map(unit_name).unwrap_or_default()),
            ),
            ("service_notice", text("")),
            ("requested_datetime", text(iso(c.received, tz))),
            ("updated_datetime", text(iso(updated, tz))),
            ("expected_datetime", opt_time(c.completion_due)),
            ("address", text(&c.address)),
            ("address_id", text(c.grid.clone().unwrap_or_default())),
            ("zipcode", text("")),
            (
                "lat",
                c.lat.map(|x| text(format!("{x:.6}"))).unwrap_or(Node::Null),
            ),
            (
                "long",
                c.lon.map(|x| text(format!("{x:.6}"))).unwrap_or(Node::Null),
            ),
            (
                "media_url",
                text(details.media_url.clone().unwrap_or_default()),
            ),
            (
                "attributes",
                Node::List(
                    "attributes",
                    details
                        .attributes
                        .iter()
                        .map(|(code, value)| {
                            Node::Object(
                                "attribute",
                                vec![("code", text(code)), ("value", text(value))],
                            )
                        })
                        .collect(),
                ),
            ),
        ],
    )
}

/// Every `/open311/…` request.
pub async fn handle(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    ext: axum::http::Extensions,
    RawQuery(query): RawQuery,
    body: Result<Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    // Doubled slashes and the /open311 prefix are not part of the resource.
    let segments: Vec<&str> = uri.path().split('/').filter(|s| !s.is_empty()).collect();
    let rest: Vec<&str> = segments.iter().skip(2).copied().collect();
    let (format, resource) = match rest.last() {
        Some(last) => {
            let (stem, f) = if let Some(s) = last.strip_suffix(".json") {
                (s, Format::Json)
            } else if let Some(s) = last.strip_suffix(".xml") {
                (s, Format::Xml)
            } else {
                (*last, Format::Xml)
            };
            let mut r: Vec<String> = rest[..rest.len() - 1]
                .iter()
                .map(|s| s.to_string())
                .collect();
            r.push(stem.to_string());
            (f, r)
        }
        None => (Format::Xml, Vec::new()),
    };
    let cors = cors_origin(&state, &headers);
    let finish = |a: Answer| with_cors(a.into_response(format), cors.as_deref());
    if method == Method::OPTIONS {
        // A CORS preflight: what a browser client may send.
        let mut r = StatusCode::NO_CONTENT.into_response();
        if cors.is_some() {
            let h = r.headers_mut();
            h.insert(
                header::ACCESS_CONTROL_ALLOW_METHODS,
                HeaderValue::from_static("GET, HEAD, POST, OPTIONS"),
            );
            h.insert(
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                HeaderValue::from_static("content-type"),
            );
            h.insert(
                header::ACCESS_CONTROL_MAX_AGE,
                HeaderValue::from_static("600"),
            );
        }
        return with_cors(r, cors.as_deref());
    }
    if segments.get(1) != Some(&"v2") {
        return finish(Answer::error(
            StatusCode::NOT_FOUND,
            "unknown resource: the base is /open311/v2",
        ));
    }
    let body = match body {
        Ok(b) => b,
        Err(e) => {
            return finish(Answer::error(
                e.status(),
                format!(
                    "the request body was refused: {} (at most {} bytes)",
                    e.body_text(),
                    state.config.upload_max_bytes
                ),
            ))
        }
    };
    let client = crate::context::client_address(
        crate::context::peer(&ext),
        &headers,
        &state.config.trusted_proxies,
    );
    let body_params = match body_parameters(&headers, &method, body).await {
        Ok(p) => p,
        Err(a) => return finish(a),
    };
    let mut params = parameters(query.as_deref(), &[]);
    for (k, v) in body_params {
        params.entry(k).or_insert(v);
    }
    let who = params
        .get("api_key")
        .map(|k| format!("key|{k}"))
        .unwrap_or_else(|| format!("client|{client}"));
    if let Err(wait) = state.open311_limiter.admit(&who) {
        let mut r = finish(Answer::error(
            StatusCode::TOO_MANY_REQUESTS,
            format!("too many requests; try again in {wait} seconds"),
        ));
        r.headers_mut().insert(header::RETRY_AFTER, wait.into());
        return r;
    }
    // HEAD is answered as GET; the server leaves the body out.
    let method = if method == Method::HEAD {
        Method::GET
    } else {
        method
    };
    finish(answer(&state, &method, &resource, &params).await)
}

/// The parameters of a POST body: a form (the specification's), a JSON object, or a multipart
/// form (clients that attach media). Any other type is a 415.
async fn body_parameters(
    headers: &HeaderMap,
    method: &Method,
    body: Bytes,
) -> Result<HashMap<String, String>, Answer> {
    if body.is_empty() {
        return Ok(HashMap::new());
    }
    let kind = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let unsupported = || {
        Answer::error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "content type `{kind}` is not accepted: send application/x-www-form-urlencoded, application/json or multipart/form-data"
            ),
        )
    };
    if kind.starts_with("application/x-www-form-urlencoded")
        || (kind.is_empty() && method == Method::GET)
    {
        return Ok(parameters(None, &body));
    }
    if kind.starts_with("application/json") {
        let v: serde_json::Value = serde_json::from_slice(&body).map_err(|e| {
            Answer::error(
                StatusCode::BAD_REQUEST,
                format!("the JSON body does not parse: {e}"),
            )
        })?;
        let Some(o) = v.as_object() else {
            return Err(Answer::error(
                StatusCode::BAD_REQUEST,
                "the JSON body must be an object of parameters",
            ));
        };
        let mut out = HashMap::new();
        let scalar = |k: &str, v: &serde_json::Value| match v {
            serde_json::Value::String(s) => Ok(Some(s.clone())),
            serde_json::Value::Null => Ok(None),
            serde_json::Value::Number(_) | serde_json::Value::Bool(_) => Ok(Some(v.to_string())),
            _ => Err(Answer::error(
                StatusCode::BAD_REQUEST,
                format!("parameter `{k}` must be a text or a number"),
            )),
        };
        for (k, v) in o {
            // A multi-valued attribute may come as an array.
            let values = match v {
                serde_json::Value::Array(items) if k.ends_with("[]") => items.iter().collect(),
                _ => vec![v],
            };
            for one in values {
                if let Some(text) = scalar(k, one)? {
                    put(&mut out, k.clone(), text);
                }
            }
        }
        return Ok(out);
    }
    if kind.starts_with("multipart/form-data") {
        let boundary = multer::parse_boundary(&kind).map_err(|_| unsupported())?;
        let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
        let mut form = multer::Multipart::new(stream, boundary);
        let mut out = HashMap::new();
        loop {
            match form.next_field().await {
                Ok(Some(field)) => {
                    let name = field.name().unwrap_or("").to_string();
                    if field.file_name().is_some() {
                        // An attached file: media are linked by media_url, not uploaded here.
                        continue;
                    }
                    let text = field.text().await.map_err(|e| {
                        Answer::error(
                            StatusCode::BAD_REQUEST,
                            format!("multipart field `{name}`: {e}"),
                        )
                    })?;
                    if !name.is_empty() {
                        put(&mut out, name, text);
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    return Err(Answer::error(
                        StatusCode::BAD_REQUEST,
                        format!("the multipart body does not parse: {e}"),
                    ))
                }
            }
        }
        return Ok(out);
    }
    Err(unsupported())
}

/// The origin to allow, when the request's Origin is one of `open311_cors_origins` (or that
/// list holds `*`).
fn cors_origin(state: &AppState, headers: &HeaderMap) -> Option<String> {
    let origin = headers.get(header::ORIGIN)?.to_str().ok()?;
    let allowed = &state.config.open311_cors_origins;
    if allowed.iter().any(|a| a == "*") {
        Some("*".into())
    } else {
        allowed
            .iter()
            .any(|a| a == origin)
            .then(|| origin.to_string())
    }
}

fn with_cors(mut r: Response, origin: Option<&str>) -> Response {
    if let Some(o) = origin.and_then(|o| HeaderValue::from_str(o).ok()) {
        r.headers_mut()
            .insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
        r.headers_mut()
            .insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    r
}

async fn answer(
    state: &AppState,
    method: &Method,
    resource: &[String],
    p: &HashMap<String, String>,
) -> Answer {
    let r: Vec<&str> = resource.iter().map(String::as_str).collect();
    let tz = state.settings.hotline.timezone;
    let jurisdiction = p.get("jurisdiction_id").cloned();
    let setup = state
        .read(|s, _| jixiao_app::hotline::open311::setup(s))
        .await;
    let Ok((catalogue, geo)) = setup else {
        return Answer::error(
            StatusCode::SERVICE_UNAVAILABLE,
            "the database does not answer",
        );
    };
    if let Some(j) = &jurisdiction {
        if geo.get(j).is_none_or(|a| a.level != Level::District) {
            return Answer::error(
                StatusCode::BAD_REQUEST,
                format!("unknown jurisdiction_id `{j}`"),
            );
        }
    }
    let services: Vec<&Category> = catalogue.iter().filter(|c| c.code.len() > 2).collect();
    match (method.clone(), r.as_slice()) {
        (Method::GET, ["discovery"]) => Answer::ok(Node::Object(
            "discovery",
            vec![
                ("changeset", text("2026-11-27T00:00:00Z")),
                ("contact", text("12345")),
                ("key_service", text("API keys are issued by the performance office (jixiao hotline api-key create)")),
                (
                    "endpoints",
                    Node::List(
                        "endpoints",
                        vec![Node::Object(
                            "endpoint",
                            vec![
                                ("specification", text(SPEC)),
                                ("url", text("/open311/v2")),
                                ("changeset", text("2026-11-27T00:00:00Z")),
                                ("type", text("production")),
                                (
                                    "formats",
                                    Node::Texts("formats", "format", vec!["text/xml".into(), "application/json".into()]),
                                ),
                            ],
                        )],
                    ),
                ),
            ],
        )),
        (Method::GET, ["services"]) => Answer::ok(Node::List(
            "services",
            services.iter().map(|c| service_node(c, &catalogue)).collect(),
        )),
        (Method::GET, ["services" | "service", code]) => match services.iter().find(|c| c.code == *code) {
            Some(c) => Answer::ok(Node::Object(
                "service_definition",
                vec![("service_code", text(&c.code)), ("attributes", Node::List("attributes", vec![]))],
            )),
            None => Answer::error(StatusCode::NOT_FOUND, format!("unknown service_code `{code}`")),
        },
        (Method::GET, ["tokens", token]) => {
            Answer::error(StatusCode::NOT_FOUND, format!("unknown token `{token}`: requests are answered with their id at once"))
        }
        (Method::POST, ["requests"]) => post_request(state, p, &services, &geo, jurisdiction.as_deref()).await,
        (Method::GET, ["requests"]) => {
            let mut f = CaseFilter::default();
            let mut codes = Vec::new();
            if let Some(ids) = p.get("service_request_id") {
                // A list of ids overrides every other filter.
                f.ids = ids.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
            } else {
                // Comma lists: any of the services (GeoReport v2 allows several).
                codes = p
                    .get("service_code")
                    .map(|c| c.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect())
                    .unwrap_or_default();
                let end = match p.get("end_date") {
                    Some(s) => match parse_iso(s) {
                        Some(t) => Some(t),
                        None => return Answer::error(StatusCode::BAD_REQUEST, format!("end_date `{s}` is not an ISO 8601 date and time with a time zone")),
                    },
                    None => None,
                };
                let start = match p.get("start_date") {
                    Some(s) => match parse_iso(s) {
                        Some(t) => Some(t),
                        None => return Answer::error(StatusCode::BAD_REQUEST, format!("start_date `{s}` is not an ISO 8601 date and time with a time zone")),
                    },
                    None => None,
                };
                // Without dates, the last 90 days up to the end date (or the newest case).
                f.received_to = end;
                f.received_from = start.or_else(|| end.map(|e| e - Duration::days(90)));
                f.open = match p.get("status") {
                    None => None,
                    Some(list) => {
                        let (mut open, mut closed) = (false, false);
                        for one in list.split(',').map(str::trim).filter(|x| !x.is_empty()) {
                            match one {
                                "open" => open = true,
                                "closed" => closed = true,
                                other => return Answer::error(StatusCode::BAD_REQUEST, format!("status `{other}` is not open or closed")),
                            }
                        }
                        if open == closed { None } else { Some(open) }
                    }
                };
                f.district = jurisdiction.clone();
            }
            let reader = match reader(state, p).await {
                Ok(a) => a,
                Err(a) => return a,
            };
            let g = geo.clone();
            let found = state
                .read(move |s, settings| jixiao_app::hotline::open311::requests(s, settings, &reader, &g, &f, &codes))
                .await;
            match found {
                Ok(cases) => {
                    let name = |u: &str| geo.get(u).map(|a| a.name.clone()).unwrap_or_else(|| u.to_string());
                    Answer::ok(Node::List("service_requests", cases.iter().map(|c| request_node(c, &catalogue, &name, tz)).collect()))
                }
                Err(e) => Answer::error(StatusCode::BAD_REQUEST, e.to_string()),
            }
        }
        (Method::GET, ["requests", id]) => {
            let (id, g, j) = (id.to_string(), geo.clone(), jurisdiction.clone());
            let reader = match reader(state, p).await {
                Ok(a) => a,
                Err(a) => return a,
            };
            let found = state
                .read(move |s, settings| jixiao_app::hotline::open311::request(s, settings, &reader, &g, &id, j.as_deref()))
                .await;
            match found {
                Ok(Some(c)) => {
                    let name = |u: &str| geo.get(u).map(|a| a.name.clone()).unwrap_or_else(|| u.to_string());
                    // One request is still a list.
                    Answer::ok(Node::List("service_requests", vec![request_node(&c, &catalogue, &name, tz)]))
                }
                Ok(_) => Answer::error(StatusCode::NOT_FOUND, format!("unknown service_request_id `{}`", r[1])),
                Err(e) => Answer::error(StatusCode::BAD_REQUEST, e.to_string()),
            }
        }
        _ => Answer::error(StatusCode::NOT_FOUND, format!("unknown resource `{}`", resource.join("/"))),
    }
}

/// Who reads: the public without a key (redacted requests), the key's client with one; a key
/// that is not valid is refused rather than silently read as the public.
async fn reader(state: &AppState, p: &HashMap<String, String>) -> Result<Actor, Answer> {
    let Some(key) = p.get("api_key").cloned() else {
        return Ok(Actor::public());
    };
    match state
        .read_single(move |s, _| jixiao_app::hotline::open311::client(s, &key))
        .await
    {
        Ok(Some(c)) => Ok(c),
        Ok(None) => Err(Answer::error(StatusCode::FORBIDDEN, "api_key is not valid")),
        Err(_) => Err(Answer::error(
            StatusCode::SERVICE_UNAVAILABLE,
            "the database does not answer",
        )),
    }
}

async fn post_request(
    state: &AppState,
    p: &HashMap<String, String>,
    services: &[&Category],
    geo: &jixiao_hotline::geography::Geography,
    jurisdiction: Option<&str>,
) -> Answer {
    // The key is resolved as for reads; a submission needs one.
    let client = match reader(state, p).await {
        Ok(a) if a.is_public() => {
            return Answer::error(StatusCode::FORBIDDEN, "api_key is required")
        }
        Ok(a) => a,
        Err(a) => return a,
    };
    let Some(code) = p.get("service_code") else {
        return Answer::error(StatusCode::BAD_REQUEST, "service_code is required");
    };
    if !services.iter().any(|c| &c.code == code) {
        return Answer::error(
            StatusCode::BAD_REQUEST,
            format!("unknown service_code `{code}`"),
        );
    }
    let coord = |k: &str| {
        p.get(k)
            .map(|v| v.parse::<f64>().ok().filter(|x| x.is_finite()))
    };
    let (lat, lon) = match (coord("lat"), coord("long")) {
        (Some(Some(a)), Some(Some(b)))
            if (-90.0..=90.0).contains(&a) && (-180.0..=180.0).contains(&b) =>
        {
            (Some(a), Some(b))
        }
        (None, None) => (None, None),
        _ => {
            return Answer::error(
                StatusCode::BAD_REQUEST,
                "lat and long must both be given as decimal degrees",
            )
        }
    };
    let address = p.get("address_string").cloned();
    let address_id = p.get("address_id").cloned();
    if lat.is_none() && address.is_none() && address_id.is_none() {
        return Answer::error(
            StatusCode::BAD_REQUEST,
            "a location is required: lat and long, address_string or address_id",
        );
    }
    let description = p.get("description").cloned().unwrap_or_default();
    if description.chars().count() > 4000 {
        return Answer::error(
            StatusCode::BAD_REQUEST,
            "description is longer than 4000 characters",
        );
    }
    let name: Vec<String> = ["first_name", "last_name"]
        .iter()
        .filter_map(|k| p.get(*k).cloned())
        .collect();
    let contact = p.get("phone").or(p.get("email")).cloned().map(|x| {
        if name.is_empty() {
            x
        } else {
            format!("{} {x}", name.join(" "))
        }
    });
    let attributes = match attributes(p) {
        Ok(a) => a,
        Err(e) => return Answer::error(StatusCode::BAD_REQUEST, e),
    };
    let request = NewRequest {
        service_code: code.clone(),
        point: lat.zip(lon),
        address,
        address_id,
        description,
        contact,
        jurisdiction: jurisdiction.map(str::to_string),
        media_url: p.get("media_url").cloned(),
        attributes,
    };
    let geo = geo.clone();
    let saved = state
        .write(move |s, settings| {
            jixiao_app::hotline::open311::submit(s, settings, &client, &geo, &request)
        })
        .await;
    match saved {
        Ok(id) => Answer::ok(Node::List(
            "service_requests",
            vec![Node::Object(
                "request",
                vec![
                    ("service_request_id", text(id)),
                    ("service_notice", text("")),
                    ("account_id", Node::Null),
                ],
            )],
        )),
        Err(e) => Answer::error(StatusCode::BAD_REQUEST, e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn no_query_or_form_body_makes_the_parameter_reader_panic(
            query in "[ -~%&=+一-龥]{0,120}",
            body in proptest::collection::vec(any::<u8>(), 0..200),
        ) {
            let p = parameters(Some(&query), &body);
            prop_assert!(p.values().all(|v| !v.trim().is_empty()), "empty values count as absent");
        }

        #[test]
        fn dates_parse_or_are_refused(s in "[0-9T:+\\-Z. ]{0,32}") {
            let _ = parse_iso(&s);
        }
    }

    #[test]
    fn attributes_are_read_single_and_multi_valued() {
        let p = parameters(
            Some("attribute[floor]=3&attribute[kind][]=noise&attribute[kind][]=night&attribute[x]=&service_code=1"),
            b"attribute[floor]=4",
        );
        assert_eq!(
            attributes(&p).unwrap(),
            vec![
                ("floor".to_string(), "3".to_string()),
                ("kind".to_string(), "noise".to_string()),
                ("kind".to_string(), "night".to_string()),
            ]
        );
        let bad = parameters(Some("attribute[]=1"), b"");
        assert!(attributes(&bad).unwrap_err().contains("attribute[]"));
    }

    #[test]
    fn percent_escapes_and_pluses_decode_as_forms_do() {
        let p = parameters(
            Some("status=open%2Cclosed&service_code=0301+0101&x=&bad=%zz%e4"),
            b"",
        );
        assert_eq!(p["status"], "open,closed");
        assert_eq!(p["service_code"], "0301 0101");
        assert!(!p.contains_key("x"));
        assert!(p["bad"].starts_with("%zz"));
    }
}

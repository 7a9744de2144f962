//! Every route × every role. The routes come from the application itself (the API's OpenAPI
//! document, the pages' route table, the fixed routes): a route without a case here fails
//! `every_route_has_a_permission_case`, so no route arrives without a test of who may use it.

use jixiao_testkit::client::{field, password};
use jixiao_testkit::{spawn_hotline, TestApp};
use reqwest::{redirect::Policy, Client, Method, StatusCode};
use serde_json::json;

/// How a case sends its body.
#[derive(Clone)]
enum Body {
    None,
    Json(serde_json::Value),
    Form(Vec<(&'static str, &'static str)>),
    /// A multipart form with these fields and a `file` of this name and content.
    Multipart(
        Vec<(&'static str, &'static str)>,
        &'static str,
        &'static [u8],
    ),
}

/// One request and the roles that may make it: A(dmin), E(valuator ghzrw), R(eporter
/// dongcheng), C(entre of the 12345 hotline), H(andler of 东华门街道), G(rid inspector of
/// 东华门街道第1社区网格1), L(eader leader1, a rater of the leader evaluation), P(ublic visitor).
struct Case {
    method: Method,
    path: &'static str,
    body: Body,
    allowed: &'static str,
}

fn case(method: Method, path: &'static str, body: Body, allowed: &'static str) -> Case {
    Case {
        method,
        path,
        body,
        allowed,
    }
}

fn get(path: &'static str, allowed: &'static str) -> Case {
    case(Method::GET, path, Body::None, allowed)
}

fn cases() -> Vec<Case> {
    use Body::*;
    let value = || Json(json!({"value": 3, "note": "测试", "submit": false}));
    let entry = |unit| {
        Form(vec![
            ("period", "Q4"),
            ("task", "A23-1"),
            ("value", "95"),
            ("note", "说明"),
            ("evidence", ""),
            ("submit", "false"),
            ("unit", unit),
        ])
    };
    let narrative = || {
        Form(vec![
            ("overview", "全区上下团结一心。"),
            ("highlights", ""),
            ("rectification", ""),
            ("next_year", ""),
        ])
    };
    const PDF: &[u8] = b"%PDF-1.4 route matrix\n%%EOF\n";
    const CSV: &[u8] =
        "单位编号(unit_id),任务编号(task_id),期间(period),数值(value),说明(note)\n".as_bytes();
    vec![
        // The API.
        get("/health", "AERPCHGL"),
        get("/api/v1/cycles", "AERCHGL"),
        get("/api/v1/cycles/2020/ranking", "AE"),
        get("/api/v1/cycles/2020/tags", "AE"),
        get("/api/v1/cycles/2020/tags/wuran", "AE"),
        get("/api/v1/cycles/2020/progress", "AE"),
        get("/api/v1/cycles/2020/units/dongcheng", "AER"),
        get("/api/v1/cycles/2020/units/xicheng", "AE"),
        get("/api/v1/cycles/2020/units/dongcheng/explain/A06-1", "AER"),
        get("/api/v1/cycles/2020/units/xicheng/explain/A06-1", "AE"),
        get("/api/v1/cycles/2020/units/dongcheng/values", "AER"),
        get("/api/v1/cycles/2020/units/xicheng/values", "AE"),
        case(
            Method::PUT,
            "/api/v1/cycles/2020/units/dongcheng/values/A08-2/Q4",
            value(),
            "AR",
        ),
        case(
            Method::PUT,
            "/api/v1/cycles/2020/units/xicheng/values/A08-2/Q4",
            value(),
            "A",
        ),
        case(
            Method::POST,
            "/api/v1/cycles/2020/units/xicheng/values/A06-1/Q4/review",
            Json(json!({"action": "approve"})),
            "AE",
        ),
        get("/api/v1/cycles/2020/review-queue", "AE"),
        get(
            "/api/v1/cycles/2020/units/dongcheng/values/A08-2/Q4/history",
            "AER",
        ),
        get(
            "/api/v1/cycles/2020/units/xicheng/values/A08-2/Q4/history",
            "AE",
        ),
        case(
            Method::PUT,
            "/api/v1/cycles/2020/units/xicheng/grades/A01-2",
            Json(json!({"value": "良"})),
            "A",
        ),
        case(
            Method::POST,
            "/api/v1/cycles/2020/units/dongcheng/values/A08-2/Q4/evidence",
            Multipart(vec![], "proof.pdf", PDF),
            "AR",
        ),
        case(
            Method::POST,
            "/api/v1/cycles/2020/units/xicheng/values/A08-2/Q4/evidence",
            Multipart(vec![], "proof.pdf", PDF),
            "A",
        ),
        get("/api/v1/evidence/nothing", ""),
        // Comments: the unit's reporters, the task's evaluators (ghzrw evaluates A06), the office.
        case(
            Method::POST,
            "/api/v1/cycles/2020/units/dongcheng/values/A06-1/Q4/comments",
            Json(json!({"body": "请补充拆除台账"})),
            "AER",
        ),
        case(
            Method::POST,
            "/api/v1/cycles/2020/units/xicheng/values/A06-1/Q4/comments",
            Json(json!({"body": "请补充拆除台账"})),
            "AE",
        ),
        case(
            Method::POST,
            "/api/v1/cycles/2020/units/dongcheng/values/A08-2/Q4/comments",
            Json(json!({"body": "不是本考评单位的任务"})),
            "AR",
        ),
        get("/api/v1/notifications", "AERCHGL"),
        case(
            Method::POST,
            "/api/v1/notifications/seen",
            Json(json!({"seq": 1})),
            "AERCHGL",
        ),
        get("/api/v1/cycles/2020/ledger", "AER"),
        case(
            Method::POST,
            "/api/v1/cycles/2020/ledger",
            Json(json!({"unit": "xicheng", "kind": "bonus", "points": 0.5, "reason": "路由矩阵"})),
            "AE",
        ),
        case(
            Method::POST,
            "/api/v1/cycles/2020/ledger/nothing/decision",
            Json(json!({"approve": true})),
            "A",
        ),
        get("/api/v1/cycles/2020/honours", "AER"),
        get("/api/v1/cycles/2020/honours?unit=dongcheng", "AER"),
        get("/api/v1/cycles/2020/honours?unit=xicheng", "AE"),
        case(
            Method::POST,
            "/api/v1/cycles/2020/honours",
            Json(
                json!({"unit": "xicheng", "name": "路由矩阵荣誉", "issuer": "市绩效办", "period": "2020年"}),
            ),
            "A",
        ),
        case(
            Method::POST,
            "/api/v1/cycles/2020/honours",
            Json(
                json!({"unit": "dongcheng", "name": "路由矩阵荣誉", "issuer": "市绩效办", "period": "2020年", "rank": 2}),
            ),
            "AR",
        ),
        case(
            Method::POST,
            "/api/v1/cycles/2020/honours/nothing/decision",
            Json(json!({"approve": true})),
            "A",
        ),
        get("/api/v1/audit", "A"),
        get("/api/v1/users", "A"),
        case(
            Method::POST,
            "/api/v1/users",
            Json(json!({"id": "x", "display_name": "x", "password": "short", "role": "admin"})),
            "A",
        ),
        case(
            Method::POST,
            "/api/v1/session",
            Json(json!({"user": "nobody", "password": "wrong-password"})),
            "AERPCHGL",
        ),
        case(Method::DELETE, "/api/v1/session", None, "AERPCHGL"),
        case(
            Method::POST,
            "/api/v1/me/password",
            Json(json!({"current": "wrong-password", "new": "another-password"})),
            "AERCHGL",
        ),
        case(
            Method::POST,
            "/api/v1/me/tokens",
            Json(json!({"name": "t"})),
            "AERCHGL",
        ),
        get("/api/v1/me/tokens", "AERCHGL"),
        case(Method::DELETE, "/api/v1/me/tokens/nothing", None, "AERCHGL"),
        case(
            Method::PATCH,
            "/api/v1/users/nothing",
            Json(json!({"active": true})),
            "A",
        ),
        get("/api/v1/tokens", "A"),
        case(Method::DELETE, "/api/v1/tokens/nothing", None, "A"),
        get("/api/v1/hotline/api-keys", "A"),
        case(
            Method::DELETE,
            "/api/v1/hotline/api-keys/nothing",
            None,
            "A",
        ),
        get("/api/v1/cycles/2020/reports/results/md", "AE"),
        get("/api/v1/cycles/2020/units/dongcheng/reports/self/md", "AER"),
        get(
            "/api/v1/cycles/2020/units/xicheng/reports/selfcheck/md",
            "AE",
        ),
        get("/api/v1/cycles/2020/units/dongcheng/narratives", "AER"),
        case(
            Method::PUT,
            "/api/v1/cycles/2020/units/xicheng/narratives/overview",
            Json(json!({"text": "矩阵测试。"})),
            "A",
        ),
        case(
            Method::PUT,
            "/api/v1/cycles/2020/publication",
            Json(json!({"published": false})),
            "A",
        ),
        get("/api/v1/cycles/2020/visibility", "AERCHGL"),
        case(
            Method::PUT,
            "/api/v1/cycles/2020/visibility",
            Json(json!({"units_see": "total_and_rank"})),
            "A",
        ),
        get("/api/v1/openapi.json", "AERPCHGL"),
        get("/api/v1/docs", "AERPCHGL"),
        get("/assets/app.css", "AERPCHGL"),
        // Open311: reads open to anyone, writes by API key (none here: refused for all).
        get("/open311/v2/discovery.json", "AERPCHGL"),
        case(
            Method::POST,
            "/open311/v2/requests.json",
            Form(vec![
                ("service_code", "0101"),
                ("lat", "39.9"),
                ("long", "116.4"),
            ]),
            "",
        ),
        // A CORS preflight: open to anyone (what it allows is configuration).
        case(
            Method::OPTIONS,
            "/open311/v2/requests.json",
            Body::None,
            "AERPCHGL",
        ),
        // Pages.
        get("/", "AERPCHGL"),
        get("/login", "AERPCHGL"),
        case(
            Method::POST,
            "/login",
            Form(vec![("user", "nobody"), ("password", "wrong-password")]),
            "AERPCHGL",
        ),
        case(Method::POST, "/logout", Form(vec![]), "AERPCHGL"),
        get("/overview", "AE"),
        get("/overview/risks", "AE"),
        get("/overview/risks?unit=xicheng&status=behind&page=2", "AE"),
        get("/rankings", "AE"),
        get("/tags", "AE"),
        get("/tags/yingshang", "AE"),
        get("/units/dongcheng", "AER"),
        get("/units/xicheng", "AE"),
        get("/units/dongcheng/tasks/A06-1", "AER"),
        get("/units/xicheng/tasks/A06-1", "AE"),
        case(
            Method::POST,
            "/units/dongcheng/tasks/A08-2/evidence",
            Multipart(vec![("period", "Q4")], "proof.pdf", PDF),
            "AR",
        ),
        case(
            Method::POST,
            "/units/xicheng/tasks/A08-2/evidence",
            Multipart(vec![("period", "Q4")], "proof.pdf", PDF),
            "A",
        ),
        get("/evidence/nothing", ""),
        case(
            Method::POST,
            "/units/dongcheng/tasks/A06-1/comments",
            Form(vec![("period", "Q4"), ("body", "请补充拆除台账")]),
            "AER",
        ),
        case(
            Method::POST,
            "/units/xicheng/tasks/A06-1/comments",
            Form(vec![("period", "Q4"), ("body", "请补充拆除台账")]),
            "AE",
        ),
        get("/notifications", "AERCHGL"),
        case(
            Method::POST,
            "/notifications/seen",
            Form(vec![("seq", "1")]),
            "AERCHGL",
        ),
        get("/units/dongcheng/entry", "AR"),
        get("/units/dongcheng/todo", "AR"),
        get("/units/xicheng/todo", "A"),
        get("/units/xicheng/entry", "A"),
        case(
            Method::POST,
            "/units/dongcheng/entry",
            entry("dongcheng"),
            "AR",
        ),
        case(Method::POST, "/units/xicheng/entry", entry("xicheng"), "A"),
        get("/units/dongcheng/template.xlsx?period=Q4", "AR"),
        get("/units/xicheng/template.xlsx?period=Q4", "A"),
        case(
            Method::POST,
            "/units/dongcheng/upload",
            Multipart(
                vec![("period", "Q4"), ("submit", "false")],
                "values.csv",
                CSV,
            ),
            "AR",
        ),
        case(
            Method::POST,
            "/units/xicheng/upload",
            Multipart(
                vec![("period", "Q4"), ("submit", "false")],
                "values.csv",
                CSV,
            ),
            "A",
        ),
        get("/review", "AE"),
        case(
            Method::POST,
            "/review",
            Form(vec![
                ("unit", "xicheng"),
                ("task", "A06-1"),
                ("period", "Q4"),
                ("action", "approve"),
                ("comment", ""),
            ]),
            "AE",
        ),
        get("/grades", "AE"),
        case(
            Method::POST,
            "/grades",
            Form(vec![
                ("unit", "xicheng"),
                ("task", "C01-1"),
                ("value", "90"),
            ]),
            "A",
        ),
        get("/ledger", "AER"),
        case(
            Method::POST,
            "/ledger/apply",
            Multipart(
                vec![
                    ("unit", "dongcheng"),
                    ("points", "0.5"),
                    ("reason", "路由矩阵申报"),
                ],
                "proof.pdf",
                PDF,
            ),
            "AER",
        ),
        case(
            Method::POST,
            "/ledger/apply",
            Multipart(
                vec![
                    ("unit", "xicheng"),
                    ("points", "0.5"),
                    ("reason", "路由矩阵申报"),
                ],
                "proof.pdf",
                PDF,
            ),
            "AE",
        ),
        get("/ledger/files/nothing", ""),
        get("/honours", "AER"),
        case(
            Method::POST,
            "/honours",
            Multipart(
                vec![
                    ("unit", "dongcheng"),
                    ("name", "路由矩阵页面荣誉"),
                    ("issuer", "市绩效办"),
                    ("period", "2020年"),
                    ("streak", "3"),
                ],
                "proof.pdf",
                PDF,
            ),
            "AR",
        ),
        case(
            Method::POST,
            "/honours",
            Multipart(
                vec![
                    ("unit", "xicheng"),
                    ("name", "路由矩阵页面荣誉"),
                    ("issuer", "市绩效办"),
                    ("period", "2020年"),
                ],
                "proof.pdf",
                PDF,
            ),
            "A",
        ),
        case(
            Method::POST,
            "/honours/import",
            Multipart(
                vec![],
                "honours.csv",
                "unit,name,issuer,period\nxicheng,路由矩阵导入,市绩效办,2020年\n".as_bytes(),
            ),
            "A",
        ),
        case(
            Method::POST,
            "/honours/nothing/decision",
            Form(vec![("approve", "true")]),
            "A",
        ),
        get("/honours/nothing/evidence", ""),
        // 多元评价: surveys, rating rounds, a rater's ballots.
        get("/api/v1/cycles/2020/surveys", "AE"),
        case(
            Method::POST,
            "/api/v1/cycles/2020/surveys",
            Multipart(vec![], "results.csv", b"unit\n"),
            "A",
        ),
        get("/api/v1/cycles/2020/rounds", "A"),
        case(
            Method::POST,
            "/api/v1/cycles/2020/rounds",
            Json(json!({"id": "r", "name": "评分", "kind": "session", "groups": []})),
            "A",
        ),
        get("/api/v1/cycles/2020/rounds/nothing", "A"),
        case(
            Method::POST,
            "/api/v1/cycles/2020/rounds/nothing/close",
            None,
            "A",
        ),
        get("/api/v1/cycles/2020/ballots", "AL"),
        case(
            Method::PUT,
            "/api/v1/cycles/2020/ballots/nothing",
            Json(json!({"scores": {"xicheng": 90}})),
            "AL",
        ),
        // 督查督办: DB002 is 东城区's item.
        get("/api/v1/cycles/2020/supervision", "AER"),
        case(
            Method::POST,
            "/api/v1/cycles/2020/supervision",
            Json(json!({"title": "", "source": "x", "unit": "xicheng", "deadline": "x"})),
            "A",
        ),
        get("/api/v1/cycles/2020/supervision/DB002", "AER"),
        case(
            Method::POST,
            "/api/v1/cycles/2020/supervision/DB002/reports",
            Json(json!({"progress": 150, "body": ""})),
            "AR",
        ),
        case(
            Method::POST,
            "/api/v1/cycles/2020/supervision/DB002/decision",
            Json(json!({"decision": "reopen"})),
            "A",
        ),
        case(
            Method::PUT,
            "/api/v1/cycles/2020/supervision-rules",
            Json(
                json!({"yellow_days": 1, "orange_days": 5, "overdue_points": 0.5, "failed_points": 1}),
            ),
            "A",
        ),
        case(
            Method::POST,
            "/api/v1/cycles/2020/supervision-deductions",
            None,
            "A",
        ),
        case(
            Method::POST,
            "/api/v1/cycles/2020/supervision-carry",
            Json(json!({"to": "2020", "deadline": "x"})),
            "A",
        ),
        case(
            Method::POST,
            "/api/v1/cycles/2020/supervision-import",
            Multipart(vec![], "items.csv", b"title\n"),
            "A",
        ),
        case(
            Method::POST,
            "/supervision/import",
            Multipart(vec![], "items.csv", b"title\n"),
            "A",
        ),
        get("/supervision", "AER"),
        case(
            Method::POST,
            "/supervision",
            Form(vec![
                ("title", ""),
                ("source", "audit"),
                ("unit", "xicheng"),
                ("deadline", "x"),
            ]),
            "A",
        ),
        case(
            Method::POST,
            "/supervision/rules",
            Form(vec![
                ("yellow_days", "x"),
                ("orange_days", "5"),
                ("overdue_points", "0.5"),
                ("failed_points", "1"),
            ]),
            "A",
        ),
        case(Method::POST, "/supervision/deductions", Form(vec![]), "A"),
        get("/supervision/DB002", "AER"),
        case(
            Method::POST,
            "/supervision/DB002/report",
            Form(vec![("progress", "abc"), ("body", "")]),
            "AR",
        ),
        case(
            Method::POST,
            "/supervision/DB002/decision",
            Form(vec![("decision", "reopen")]),
            "A",
        ),
        // 分级考评 and the task-book editor: the city's office (a district office is tested
        // apart, in tests/levels.rs).
        get("/levels", "A"),
        get("/api/v1/levels", "A"),
        get("/taskbook", "A"),
        case(
            Method::POST,
            "/taskbook/drafts",
            Form(vec![("id", "")]),
            "A",
        ),
        get("/taskbook/drafts/nothing", "A"),
        case(
            Method::POST,
            "/taskbook/drafts/nothing",
            Form(vec![("source", "")]),
            "A",
        ),
        case(
            Method::POST,
            "/taskbook/drafts/nothing/node",
            Form(vec![("id", ""), ("points", "x")]),
            "A",
        ),
        case(
            Method::POST,
            "/taskbook/drafts/nothing/nodes/x/delete",
            Form(vec![]),
            "A",
        ),
        case(
            Method::POST,
            "/taskbook/drafts/nothing/issue",
            Form(vec![]),
            "A",
        ),
        case(
            Method::POST,
            "/taskbook/drafts/nothing/delete",
            Form(vec![]),
            "A",
        ),
        get("/api/v1/taskbook-drafts", "A"),
        case(
            Method::POST,
            "/api/v1/taskbook-drafts",
            Json(json!({"id": ""})),
            "A",
        ),
        get("/api/v1/taskbook-drafts/nothing", "A"),
        case(
            Method::PUT,
            "/api/v1/taskbook-drafts/nothing",
            Json(json!({"source": ""})),
            "A",
        ),
        case(Method::DELETE, "/api/v1/taskbook-drafts/nothing", None, "A"),
        case(
            Method::PUT,
            "/api/v1/taskbook-drafts/nothing/nodes/x",
            Json(json!({"id": "x", "name": "x", "points": 1})),
            "A",
        ),
        case(
            Method::DELETE,
            "/api/v1/taskbook-drafts/nothing/nodes/x",
            None,
            "A",
        ),
        case(
            Method::POST,
            "/api/v1/taskbook-drafts/nothing/issue",
            None,
            "A",
        ),
        case(
            Method::POST,
            "/api/v1/taskbook/check",
            Json(json!({"source": ""})),
            "A",
        ),
        get("/sources", "AE"),
        case(
            Method::POST,
            "/sources/surveys",
            Multipart(vec![], "results.csv", b"unit\n"),
            "A",
        ),
        case(
            Method::POST,
            "/sources/rounds",
            Multipart(vec![], "round.toml", b"id = 1"),
            "A",
        ),
        get("/sources/rounds/nothing", "A"),
        case(
            Method::POST,
            "/sources/rounds/nothing/close",
            Form(vec![]),
            "A",
        ),
        get("/rate", "AL"),
        get("/rate/nothing", "AL"),
        case(
            Method::POST,
            "/rate/nothing",
            Form(vec![("score.xicheng", "90")]),
            "AL",
        ),
        case(
            Method::POST,
            "/ledger",
            Form(vec![
                ("unit", "xicheng"),
                ("kind", "bonus"),
                ("points", "0.5"),
                ("reason", "路由矩阵"),
            ]),
            "AE",
        ),
        case(
            Method::POST,
            "/ledger/nothing/decision",
            Form(vec![("approve", "true")]),
            "A",
        ),
        get("/audit", "A"),
        get("/users", "A"),
        case(
            Method::POST,
            "/users",
            Form(vec![
                ("id", "u9"),
                ("display_name", "u9"),
                ("role", "admin"),
                ("password", "long-enough-9"),
            ]),
            "A",
        ),
        case(
            Method::POST,
            "/users/nothing/active",
            Form(vec![("active", "true")]),
            "A",
        ),
        case(
            Method::POST,
            "/users/nothing/password",
            Form(vec![("password", "x")]),
            "A",
        ),
        case(
            Method::POST,
            "/users/tokens/nothing/revoke",
            Form(vec![]),
            "A",
        ),
        case(
            Method::POST,
            "/users/api-keys",
            Form(vec![("name", "路由矩阵")]),
            "A",
        ),
        case(
            Method::POST,
            "/users/api-keys/nothing/revoke",
            Form(vec![]),
            "A",
        ),
        case(
            Method::POST,
            "/account/tokens",
            Form(vec![("name", "t")]),
            "AERCHGL",
        ),
        case(
            Method::POST,
            "/account/tokens/nothing/revoke",
            Form(vec![]),
            "AERCHGL",
        ),
        get("/account", "AERCHGL"),
        case(
            Method::POST,
            "/account/password",
            Form(vec![
                ("current", "wrong-password"),
                ("new", "another-password"),
            ]),
            "AERCHGL",
        ),
        get("/units/dongcheng/claims", "AER"),
        get("/units/xicheng/claims", "AE"),
        case(
            Method::POST,
            "/units/xicheng/claims",
            Form(vec![("text", "拆除违法建设8.5万平方米。")]),
            "AE",
        ),
        case(
            Method::POST,
            "/units/dongcheng/claims/upload",
            Multipart(vec![], "report.txt", "拆除违法建设8.5万平方米。".as_bytes()),
            "AER",
        ),
        case(
            Method::POST,
            "/units/xicheng/claims/upload",
            Multipart(vec![], "report.txt", "拆除违法建设8.5万平方米。".as_bytes()),
            "AE",
        ),
        get("/reports", "AE"),
        case(
            Method::POST,
            "/reports/publication",
            Form(vec![("publish", "false")]),
            "A",
        ),
        case(
            Method::POST,
            "/reports/visibility",
            Form(vec![("units_see", "total_and_rank")]),
            "A",
        ),
        get("/reports/results/md", "AE"),
        get("/units/dongcheng/report", "AER"),
        get("/units/xicheng/report", "AE"),
        case(Method::POST, "/units/dongcheng/report", narrative(), "AR"),
        case(Method::POST, "/units/xicheng/report", narrative(), "A"),
        get("/units/dongcheng/reports/self/md", "AER"),
        get("/units/xicheng/reports/selfcheck/md", "AE"),
        // Public pages: open to all, "not found" for an unpublished cycle whoever asks.
        get("/public", "AERPCHGL"),
        get("/public/2020", "AERPCHGL"),
        get("/public/2020/results/md", "AERPCHGL"),
        get("/public/2020/units/dongcheng", "AERPCHGL"),
        get("/public/2020/publication.json", "AERPCHGL"),
        get("/public/2020/periods/Q3", "AERPCHGL"),
        get("/public/2020/periods/Q3/publication.json", "AERPCHGL"),
        get("/public/2020/periods/Q3/versions/1.json", "AERPCHGL"),
        get("/public/2020/versions/1.json", "AERPCHGL"),
        get("/public/2020/units/dongcheng/reports/self/md", "AERPCHGL"),
        // 接诉即办.
        get("/hotline", "AERC"),
        // A reporting unit asking for another district sees its own: allowed, not refused.
        get("/hotline?district=xicheng", "AERC"),
        get("/hotline/cases", "AERC"),
        get("/hotline/map", "AERC"),
        get("/hotline/problems", "AERC"),
        get("/hotline/problems/P2020-07-0301", "AERC"),
        case(
            Method::POST,
            "/hotline/problems",
            Form(vec![("month", "矩阵"), ("title", "x")]),
            "A",
        ),
        case(
            Method::POST,
            "/hotline/problems/P2020-07-0301/actions/9",
            Form(vec![("done", "")]),
            "A",
        ),
        get("/api/v1/hotline/problems", "AERC"),
        get("/api/v1/hotline/problems/P2020-07-0301", "AERC"),
        case(
            Method::POST,
            "/api/v1/hotline/problems",
            Json(json!({"month": "矩阵", "title": "x", "category": "0301"})),
            "A",
        ),
        get("/hotline/map?district=dongcheng", "AERC"),
        get("/hotline/cases/nothing", "AECH"),
        // A case of the day of work, with 东华门街道 (Dongcheng): its handler sees it.
        get("/hotline/cases/D2020122004", "AERCH"),
        get("/hotline/work", "ACH"),
        case(
            Method::POST,
            "/hotline/cases/nothing/steps",
            Form(vec![("step", "note"), ("note", "矩阵")]),
            "ACH",
        ),
        get("/api/v1/hotline/ranking", "AERC"),
        get("/api/v1/hotline/boards", "AERC"),
        get("/api/v1/hotline/boards?level=district", "AEC"),
        get("/api/v1/hotline/governance", "AERC"),
        get("/api/v1/hotline/units/dongcheng-s01/months/2020-06", "AERC"),
        get("/api/v1/hotline/cases", "AERC"),
        get("/api/v1/hotline/cases/nothing", "AECH"),
        get("/api/v1/hotline/cases/D2020122004", "AERCH"),
        get("/api/v1/hotline/work", "ACH"),
        case(
            Method::POST,
            "/api/v1/hotline/cases/nothing/exclusion-decision",
            Json(json!({"approve": false})),
            "AC",
        ),
        case(
            Method::POST,
            "/hotline/cases/nothing/exclusion-decision",
            Form(vec![("approve", "0")]),
            "AC",
        ),
        case(
            Method::POST,
            "/api/v1/hotline/cases/nothing/events",
            Json(json!({"action": "note", "text": "矩阵"})),
            "ACH",
        ),
        case(
            Method::POST,
            "/hotline/cases/nothing/contact",
            Form(vec![]),
            "AC",
        ),
        case(
            Method::POST,
            "/hotline/cases/nothing/exclusion",
            Form(vec![("reason", "duplicate"), ("note", "矩阵")]),
            "A",
        ),
        case(
            Method::POST,
            "/hotline/cases/D2020122004/files",
            Multipart(vec![("purpose", "evidence")], "proof.pdf", PDF),
            "ACH",
        ),
        case(
            Method::POST,
            "/hotline/cases/nothing/files",
            Multipart(vec![("purpose", "evidence")], "proof.pdf", PDF),
            "ACH",
        ),
        get("/hotline/files/nothing", ""),
        // 网格化管理: the inspector reports in its own cell (the office names one: 422, not a
        // refusal); those who see the hotline read the figures; the photo of the demo's patrol
        // day is its inspector's and theirs.
        get("/grid", "AERCG"),
        get("/grid?district=xicheng", "AECG"),
        const_png_report(),
        get("/grid/reports/GR2020122001/photo", "AERCG"),
        get("/grid/reports/nothing/photo", ""),
        case(
            Method::POST,
            "/grid/feed",
            Form(vec![("task", "A23-1")]),
            "A",
        ),
        get("/api/v1/grid/figures", "AERC"),
        get("/api/v1/grid/figures?district=dongcheng&level=grid", "AERC"),
        get("/api/v1/grid/reports", "AERCG"),
        get("/api/v1/grid/categories", "AERCHGL"),
        case(
            Method::POST,
            "/api/v1/grid/reports",
            Json(
                json!({"category": "E0101", "disposal": "on_the_spot", "description": "路边暴露垃圾,已清理"}),
            ),
            "AG",
        ),
    ]
}

/// A patrol report with its photo, from the inspector's page.
fn const_png_report() -> Case {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n route matrix";
    case(
        Method::POST,
        "/grid/reports",
        Body::Multipart(
            vec![
                ("category", "E0201"),
                ("description", "非法小广告,已清除"),
                ("disposal", "on_the_spot"),
            ],
            "photo.png",
            PNG,
        ),
        "AG",
    )
}

/// Whether a route template (`/units/{unit}/…`, `/assets/{*file}`) matches a concrete path.
fn matches(template: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    let t: Vec<&str> = template.split('/').collect();
    let p: Vec<&str> = path.split('/').collect();
    for (i, seg) in t.iter().enumerate() {
        if seg.starts_with("{*") {
            return p.len() > i;
        }
        match p.get(i) {
            Some(x) if seg.starts_with('{') || seg == x => {}
            _ => return false,
        }
    }
    t.len() == p.len()
}

#[test]
fn every_route_has_a_permission_case() {
    let cases = cases();
    let mut missing = Vec::new();
    for (method, template) in jixiao_server::route_table() {
        if !cases
            .iter()
            .any(|c| c.method == method && matches(&template, c.path))
        {
            missing.push(format!("{method} {template}"));
        }
    }
    assert!(
        missing.is_empty(),
        "routes without a permission case (add one to cases() in tests/routes.rs):\n{}",
        missing.join("\n")
    );
    for c in &cases {
        assert!(
            jixiao_server::route_table()
                .iter()
                .any(|(m, t)| *m == c.method && matches(t, c.path)),
            "{} {} is a case of no route",
            c.method,
            c.path
        );
    }
}

/// A client that keeps cookies, does not follow redirects, and knows its CSRF token.
struct Who {
    role: char,
    client: Client,
    csrf: String,
}

async fn who(app: &TestApp, role: char, user: Option<&str>) -> Who {
    let client = Client::builder()
        .cookie_store(true)
        .redirect(Policy::none())
        .build()
        .unwrap();
    let Some(user) = user else {
        return Who {
            role,
            client,
            csrf: String::new(),
        };
    };
    let resp = client
        .post(format!("{}/api/v1/session", app.base))
        .json(&json!({"user": user, "password": password(user)}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "login {user}");
    let body: serde_json::Value = resp.json().await.unwrap();
    Who {
        role,
        client,
        csrf: body["csrf"].as_str().unwrap().to_string(),
    }
}

async fn send(app: &TestApp, w: &Who, c: &Case) -> reqwest::Response {
    let url = format!("{}{}", app.base, c.path);
    let req = w.client.request(c.method.clone(), url);
    let req = match &c.body {
        Body::None => req.header("x-csrf-token", &w.csrf),
        Body::Json(v) => req.header("x-csrf-token", &w.csrf).json(v),
        Body::Form(fields) => {
            let mut fields = fields.clone();
            // The login form brings its own double-submit token.
            if c.path == "/login" {
                let page = w
                    .client
                    .get(format!("{}/login", app.base))
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                let token: &'static str = Box::leak(field(&page, "csrf").into_boxed_str());
                fields.push(("csrf", token));
            } else {
                fields.push(("csrf", Box::leak(w.csrf.clone().into_boxed_str())));
            }
            req.form(&fields)
        }
        Body::Multipart(fields, name, bytes) => {
            let mut form = reqwest::multipart::Form::new().text("csrf", w.csrf.clone());
            for (k, v) in fields {
                form = form.text(*k, *v);
            }
            form = form.part(
                "file",
                reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(*name),
            );
            req.multipart(form)
        }
    };
    req.send().await.unwrap()
}

#[tokio::test]
async fn every_route_answers_every_role_as_the_policy_says() {
    let (app, _) = spawn_hotline(300).await;
    let mut failures = Vec::new();
    let log_in_all = || async {
        [
            who(&app, 'A', Some("admin")).await,
            who(&app, 'E', Some("ghzrw")).await,
            who(&app, 'R', Some("dongcheng")).await,
            who(&app, 'C', Some("centre")).await,
            who(&app, 'H', Some("donghuamen")).await,
            who(&app, 'G', Some("wgy01")).await,
            who(&app, 'L', Some("leader1")).await,
            who(&app, 'P', None).await,
        ]
    };
    let mut people = log_in_all().await;
    for c in cases() {
        for w in &people {
            let resp = send(&app, w, &c).await;
            let status = resp.status();
            let to_login = status == StatusCode::SEE_OTHER
                && resp
                    .headers()
                    .get("location")
                    .is_some_and(|l| l.to_str().unwrap_or("").starts_with("/login?next="));
            let denied =
                status == StatusCode::FORBIDDEN || status == StatusCode::UNAUTHORIZED || to_login;
            let allowed = c.allowed.contains(w.role);
            if denied == allowed || status.is_server_error() {
                failures.push(format!("{} {} as {}: {status}", c.method, c.path, w.role));
            }
        }
        // Logging out ends the sessions: log in again after it.
        if c.path == "/logout" || (c.path == "/api/v1/session" && c.method == Method::DELETE) {
            people = log_in_all().await;
        }
    }
    assert!(
        failures.is_empty(),
        "answers against the policy:\n{}",
        failures.join("\n")
    );
    app.stop().await;
}

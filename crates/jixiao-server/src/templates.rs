//! The page templates, embedded in the binary.

const TEMPLATES: [(&str, &str); 41] = [
    ("grid.html", include_str!("../templates/grid.html")),
    ("base.html", include_str!("../templates/base.html")),
    // A page content kept between requests (pages/kept.rs), drawn in the request's frame.
    ("kept.html", include_str!("../templates/kept.html")),
    ("message.html", include_str!("../templates/message.html")),
    ("claims.html", include_str!("../templates/claims.html")),
    ("hotline.html", include_str!("../templates/hotline.html")),
    (
        "hotline_cases.html",
        include_str!("../templates/hotline_cases.html"),
    ),
    (
        "hotline_case.html",
        include_str!("../templates/hotline_case.html"),
    ),
    (
        "hotline_work.html",
        include_str!("../templates/hotline_work.html"),
    ),
    (
        "hotline_problems.html",
        include_str!("../templates/hotline_problems.html"),
    ),
    (
        "hotline_problem.html",
        include_str!("../templates/hotline_problem.html"),
    ),
    ("reports.html", include_str!("../templates/reports.html")),
    (
        "unit_report.html",
        include_str!("../templates/unit_report.html"),
    ),
    ("public.html", include_str!("../templates/public.html")),
    (
        "public_unit.html",
        include_str!("../templates/public_unit.html"),
    ),
    ("grades.html", include_str!("../templates/grades.html")),
    ("ledger.html", include_str!("../templates/ledger.html")),
    ("honours.html", include_str!("../templates/honours.html")),
    ("users.html", include_str!("../templates/users.html")),
    ("rankings.html", include_str!("../templates/rankings.html")),
    ("tags.html", include_str!("../templates/tags.html")),
    ("sources.html", include_str!("../templates/sources.html")),
    ("round.html", include_str!("../templates/round.html")),
    ("rate.html", include_str!("../templates/rate.html")),
    ("ballot.html", include_str!("../templates/ballot.html")),
    (
        "supervision.html",
        include_str!("../templates/supervision.html"),
    ),
    (
        "supervision_item.html",
        include_str!("../templates/supervision_item.html"),
    ),
    ("login.html", include_str!("../templates/login.html")),
    ("levels.html", include_str!("../templates/levels.html")),
    ("taskbook.html", include_str!("../templates/taskbook.html")),
    (
        "taskbook_draft.html",
        include_str!("../templates/taskbook_draft.html"),
    ),
    ("overview.html", include_str!("../templates/overview.html")),
    ("risks.html", include_str!("../templates/risks.html")),
    ("notices.html", include_str!("../templates/notices.html")),
    ("unit.html", include_str!("../templates/unit.html")),
    ("task.html", include_str!("../templates/task.html")),
    ("entry.html", include_str!("../templates/entry.html")),
    ("todo.html", include_str!("../templates/todo.html")),
    ("review.html", include_str!("../templates/review.html")),
    ("audit.html", include_str!("../templates/audit.html")),
    ("account.html", include_str!("../templates/account.html")),
];

/// The templates, strict: a variable a template uses but the page did not give is an error,
/// not an empty string, so a mistake shows in the tests instead of as a blank on a page.
pub fn templates() -> minijinja::Environment<'static> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    for (name, source) in TEMPLATES {
        env.add_template(name, source).expect("templates are valid");
    }
    env.add_function("fmt", |x: f64| format!("{x:.2}"));
    env.add_filter("urlencode", |s: &str| crate::pages::render::urlencode(s));
    // A number as people write it: 100, 0.95, 40 (no fixed decimals).
    env.add_function("num", jixiao_core::numbers::num);
    // Asset addresses are made from constant names: safe as they are.
    env.add_function("asset", |name: &str| {
        minijinja::Value::from_safe_string(crate::assets::url(name))
    });
    env.add_function("pct", |x: f64| format!("{:.1}%", x * 100.0));
    env
}

//! Server-rendered pages, zh-CN by default with an English switch (`?lang=en`, remembered in a
//! cookie). Each handler asks the application for what it shows (the application decides
//! permissions) and renders a template; errors are drawn by [`render_errors`] in the user's
//! language. Forms need no CSRF handling here: the session layer checks every one. Charts are
//! ECharts (vendored) with a data table beside each as its text alternative.
//!
//! Modules: [`render`] (drawing a page, the error pages, the answer to a form), [`session`]
//! (home, login, logout), [`cycle`] (overview, rankings), [`unit`] (a
//! unit's page, a task's page, evidence), [`entry`] (the entry form, Excel template and
//! upload), [`evaluate`] (review queue, grading), [`ledger`], [`admin`] (audit log, users),
//! [`account`], [`claims`] (report check), [`reports`] (reports, publication, public pages),
//! [`hotline`] (接诉即办), [`sources`] (多元评价: surveys, rating rounds, a rater's ballots), [`supervision`] (督查督办).

mod account;
mod admin;
mod claims;
mod cycle;
mod entry;
mod evaluate;
mod grid;
mod honours;
mod hotline;
pub(crate) mod kept;
mod ledger;
pub(crate) mod render;
mod reports;
mod session;
mod sources;
mod supervision;
mod taskbook;
mod unit;

use crate::state::AppState;
use axum::Router;

/// Every page route, the public pages included: the one table the router is built from and
/// the route tests read.
pub fn table() -> Vec<render::PageRoute> {
    [
        session::routes(),
        cycle::routes(),
        unit::routes(),
        entry::routes(),
        evaluate::routes(),
        ledger::routes(),
        honours::routes(),
        admin::routes(),
        account::routes(),
        claims::routes(),
        reports::routes(),
        hotline::routes(),
        grid::routes(),
        sources::routes(),
        supervision::routes(),
        taskbook::routes(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The pages' router.
pub fn routes() -> Router<AppState> {
    table()
        .into_iter()
        .fold(Router::new(), |router, (_, path, handler)| {
            router.route(path, handler)
        })
}

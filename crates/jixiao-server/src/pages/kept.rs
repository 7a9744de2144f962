//! Page contents kept between requests. The heavy pages (overview, rankings, a unit's page)
//! draw hundreds of rows at city size; their content (the template's `content` block, and the
//! title) is kept per data version ([`jixiao_app::cache::data_head`], read in the same snapshot
//! as the data), the date deadlines are judged against, and everything of the request the
//! content depends on: path, query (without `flash`, `error` and `lang`, which only the frame
//! shows), language, and the actor's role, unit and evaluating unit (what permissions and
//! visibility are decided by). The frame (navigation, user, CSRF token, messages) is drawn for
//! every request. A kept content was made by a request that was allowed it; a request with the
//! same key is allowed the same, so a hit needs no second check.

use crate::context::Ctx;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// A page's drawn content and its title.
#[derive(Clone)]
pub(crate) struct KeptPage {
    pub title: Arc<str>,
    pub content: Arc<str>,
}

/// What a read for a kept page answers: the kept content, or the data to draw it from and the
/// key to keep it under (`None`: not kept, e.g. an in-memory database).
pub(crate) enum Kept<T> {
    Hit(KeptPage),
    Fresh(Option<String>, T),
}

/// How many page contents an instance keeps (each up to a few hundred kilobytes at city size).
/// When full it starts again.
const ENTRIES: usize = 512;

#[derive(Default)]
pub(crate) struct KeptPages {
    entries: Mutex<HashMap<String, KeptPage>>,
}

impl KeptPages {
    pub(crate) fn get(&self, key: &str) -> Option<KeptPage> {
        self.entries.lock().ok()?.get(key).cloned()
    }

    pub(crate) fn put(&self, key: String, page: KeptPage) {
        if let Ok(mut e) = self.entries.lock() {
            if e.len() >= ENTRIES {
                e.clear();
            }
            e.insert(key, page);
        }
    }
}

/// The key of this request's page content at data version `head` and date `today`.
pub(crate) fn key(ctx: &Ctx, head: &str, today: &str) -> String {
    let mut query: Vec<_> = ctx
        .query
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "flash" | "error" | "error_zh" | "lang"))
        .collect();
    query.sort();
    let a = &ctx.actor;
    format!(
        "{head}|{today}|{}|{query:?}|{}|{}|{:?}|{:?}",
        ctx.path,
        ctx.english,
        a.role.as_str(),
        a.unit,
        a.evaluator
    )
}

//! A rating round as the office writes it (TOML): `id`, `name`, `kind` (leader 领导评价, online
//! 线上评绩效, session 开门考评), optionally `task`, `scale` (100), `disclose_from` (3) and
//! `units`, `closes` (the last day raters may cast or change a ballot), and `[[group]]` entries with `id`, `name`, `weight` and `raters` (account ids).
//! Read with located errors; the application checks it against the cycle and the accounts.
//! Format: docs/framework-format.md, "Rating rounds".

use crate::diag::Diagnostic;
use crate::toml_read::Reader;
use jixiao_core::basis::{RaterGroupDef, RoundDefinition, RoundKind};

pub fn parse_round(text: &str, file: &str) -> Result<RoundDefinition, Vec<Diagnostic>> {
    let mut r = Reader::new(text, file);
    let Some(doc) = r.parse() else {
        return Err(r.d.into_sorted());
    };
    let root = doc.as_table();
    r.check_keys(
        root,
        &[
            "id",
            "name",
            "kind",
            "task",
            "scale",
            "disclose_from",
            "units",
            "group",
            "closes",
        ],
        "a rating round",
    );
    let id = r.required_s(root, "id");
    let name = r.required_s(root, "name");
    let kind = r.required_s(root, "kind").and_then(|k| {
        let parsed = match k.v.as_str() {
            "leader" | "领导评价" => Some(RoundKind::Leader),
            "online" | "线上评绩效" => Some(RoundKind::Online),
            "session" | "开门考评" => Some(RoundKind::Session),
            _ => None,
        };
        if parsed.is_none() {
            r.d.error(
                &k.loc,
                format!("kind `{}`: expected leader, online or session", k.v),
            );
        }
        parsed
    });
    let task = r.s(root, "task").map(|l| l.v);
    let scale = r.n(root, "scale").map(|l| l.v).unwrap_or(100.0);
    let disclose_from = match r.n(root, "disclose_from") {
        Some(n) if n.v >= 1.0 && n.v.fract() == 0.0 && n.v <= 1000.0 => n.v as u32,
        Some(n) => {
            r.d.error(&n.loc, "`disclose_from` must be a whole number from 1");
            3
        }
        None => 3,
    };
    let units = r.strs(root, "units").into_iter().map(|l| l.v).collect();
    let closes = r.date(root, "closes").map(|l| l.v);
    let mut groups = Vec::new();
    for (t, span) in r.tables(root, "group") {
        r.check_keys(t, &["id", "name", "weight", "raters"], "a [[group]]");
        let at = r.loc(span);
        let (Some(gid), Some(gname)) = (r.s(t, "id"), r.s(t, "name")) else {
            r.d.error(&at, "a [[group]] needs an `id` and a `name`");
            continue;
        };
        let weight = r.n(t, "weight").map(|l| l.v).unwrap_or(1.0);
        groups.push(RaterGroupDef {
            id: gid.v,
            name: gname.v,
            weight,
            raters: r.strs(t, "raters").into_iter().map(|l| l.v).collect(),
        });
    }
    match (id, name, kind) {
        (Some(id), Some(name), Some(kind)) if r.d.is_empty() => Ok(RoundDefinition {
            id: id.v,
            name: name.v,
            kind,
            task,
            scale,
            disclose_from,
            units,
            groups,
            closes,
        }),
        _ => Err(r.d.into_sorted()),
    }
}

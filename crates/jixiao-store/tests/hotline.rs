//! 接诉即办 storage on SQLite and PostgreSQL: counters kept in step with cases, identical to a
//! rebuild; idempotent, all-or-nothing imports; events; personal information.

mod common;
use chrono::{Duration, TimeZone, Utc};
use jixiao_hotline::case::Exclusion;
use jixiao_hotline::generate::Generator;
use jixiao_hotline::geography::{beijing, Level};
use jixiao_hotline::rollup::{contribution, return_contributions, Counters, RollupKey};
use jixiao_hotline::{Case, Event, HotlineConfig, Satisfaction};
use std::collections::BTreeMap;

fn expected(cases: &[Case], cfg: &HotlineConfig) -> Vec<(RollupKey, Counters)> {
    let mut m: BTreeMap<RollupKey, Counters> = BTreeMap::new();
    for c in cases {
        for (k, x) in contribution(c, cfg)
            .into_iter()
            .chain(return_contributions(c, cfg))
        {
            *m.entry(k).or_default() += x;
        }
    }
    m.into_iter().filter(|(_, c)| !c.is_zero()).collect()
}

#[test]
fn counters_follow_imports_and_events_and_equal_a_full_rebuild() {
    let cfg = HotlineConfig::default();
    let geo = beijing(2, 2);
    let cases: Vec<Case> = Generator::new(&cfg, &geo, 3000, 11, 2020).collect();
    for mut db in common::backends() {
        let s = &mut db.store;
        s.hotline_save_geography(&geo, "admin").unwrap();
        let out = import(s, &cases, &cfg);
        assert_eq!(
            (out.inserted, out.updated, out.unchanged),
            (3000, 0, 0),
            "{}",
            db.name
        );
        assert_eq!(
            s.hotline_rollup_rows().unwrap(),
            expected(&cases, &cfg),
            "{}",
            db.name
        );

        // The same file again changes nothing and leaves no audit entry.
        let audit = s.audit_entries(None).unwrap().len();
        let out = import(s, &cases, &cfg);
        assert_eq!((out.inserted, out.updated, out.unchanged), (0, 0, 3000));
        assert_eq!(s.audit_entries(None).unwrap().len(), audit);

        // A case changes: a callback on a handled case, an exclusion, a reopening.
        let handled = cases
            .iter()
            .find(|c| c.stage == jixiao_hotline::Stage::Handled)
            .unwrap();
        let closed = cases
            .iter()
            .find(|c| c.closure == Some(jixiao_hotline::Closure::Fixed) && c.exclusion.is_none())
            .unwrap();
        let at = Utc.with_ymd_and_hms(2021, 1, 2, 3, 0, 0).unwrap();
        s.hotline_apply(
            &handled.id,
            &Event::Callback {
                solved: false,
                satisfaction: Satisfaction::NotSatisfied,
            },
            at,
            &cfg,
            "hotline",
        )
        .unwrap();
        s.hotline_apply(
            &closed.id,
            &Event::Reopen {
                reason: "复发".into(),
            },
            at,
            &cfg,
            "hotline",
        )
        .unwrap();
        let excl = Event::Exclude(Exclusion {
            reason: "duplicate".into(),
            note: "同一诉求".into(),
            approver: "office".into(),
        });
        s.hotline_apply(&closed.id, &excl, at + Duration::hours(1), &cfg, "office")
            .unwrap();
        // 退单: a street returns a case and the centre sends it to another street; the return
        // counts against the street that made it, the case against the one it ends with.
        let first = handled.unit.clone().unwrap();
        let mut open = Case::received(
            "R0001",
            jixiao_hotline::Channel::Phone,
            at,
            &handled.category,
        );
        open = jixiao_hotline::case::apply(
            &open,
            &Event::Dispatch {
                unit: first.clone(),
            },
            at,
        )
        .unwrap();
        import(s, std::slice::from_ref(&open), &cfg);
        let open = &open;
        let other = geo
            .areas
            .iter()
            .find(|a| a.level == Level::Street && a.id != first)
            .unwrap()
            .id
            .clone();
        let returns_of = |s: &mut jixiao_store::Store, unit: &str| -> i64 {
            s.hotline_rollup_rows()
                .unwrap()
                .iter()
                .filter(|(k, _)| k.unit == unit)
                .map(|(_, c)| c.returned)
                .sum()
        };
        let before = returns_of(s, &first);
        let ret = Event::Return {
            reason: "非本辖区".into(),
        };
        s.hotline_apply(&open.id, &ret, at, &cfg, "street").unwrap();
        let back = Event::Redispatch {
            unit: other.clone(),
        };
        s.hotline_apply(&open.id, &back, at, &cfg, "hotline")
            .unwrap();
        assert_eq!(returns_of(s, &first), before + 1, "{}", db.name);
        let moved = s.hotline_case(&open.id).unwrap().unwrap();
        assert_eq!(moved.returned_by, std::slice::from_ref(&first));
        assert_eq!(moved.unit.as_deref(), Some(other.as_str()));
        let e = s.hotline_apply(&closed.id, &Event::Handle, at, &cfg, "x");
        assert!(e.is_ok(), "a reopened case is handled again");
        let bad = s
            .hotline_apply(&closed.id, &Event::Respond, at, &cfg, "x")
            .unwrap_err();
        assert!(bad.to_string().contains("cannot respond"), "{bad}");
        let incremental = s.hotline_rollup_rows().unwrap();
        let mut now_cases = cases.clone();
        now_cases.push(open.clone());
        for c in &mut now_cases {
            if c.id == handled.id || c.id == closed.id || c.id == open.id {
                *c = s.hotline_case(&c.id).unwrap().unwrap();
            }
        }
        assert_eq!(incremental, expected(&now_cases, &cfg), "{}", db.name);
        // Every rebuild gives the incremental counters: from the packs, from the rows (which
        // rewrites the packs), and from the rewritten packs.
        type Rebuild = fn(&mut jixiao_store::Store, &str) -> jixiao_store::Result<usize>;
        let rebuilds: [(&str, Rebuild); 3] = [
            ("packs", jixiao_store::Store::hotline_rebuild),
            ("rows", jixiao_store::Store::hotline_rebuild_from_rows),
            ("rewritten packs", jixiao_store::Store::hotline_rebuild),
        ];
        for (from, rebuild) in rebuilds {
            assert_eq!(rebuild(s, "admin").unwrap(), 3001);
            assert_eq!(
                s.hotline_rollup_rows().unwrap(),
                incremental,
                "rebuild from {from} = incremental ({})",
                db.name
            );
        }
        assert_eq!(s.hotline_events(&closed.id).unwrap().len(), 3);
        let log = s.audit_entries(None).unwrap();
        assert!(log.iter().any(|e| e.action == "hotline.exclude"));

        // Monthly counters per street and district, from the rollups.
        let month = s.hotline_months().unwrap()[0].clone();
        let streets = s.hotline_month(&month, false, None, None).unwrap();
        let districts = s.hotline_month(&month, true, None, None).unwrap();
        let sum = |v: &[jixiao_store::hotline::UnitCounters]| {
            v.iter().map(|u| u.counters.accepted).sum::<i64>()
        };
        assert_eq!(sum(&streets), sum(&districts));
        assert!(districts.len() <= 16 && streets.len() > 16);
        let dc = s
            .hotline_month(&month, false, Some("dongcheng"), None)
            .unwrap();
        assert!(dc.iter().all(|u| u.unit.starts_with("dongcheng-")));
    }
}

#[test]
fn a_failing_import_writes_nothing() {
    let cfg = HotlineConfig::default();
    let geo = beijing(1, 1);
    let mut cases: Vec<Case> = Generator::new(&cfg, &geo, 50, 3, 2020).collect();
    cases.push(cases[0].clone());
    cases.last_mut().unwrap().description = "同号不同内容".into();
    for mut db in common::backends() {
        let s = &mut db.store;
        s.hotline_save_geography(&geo, "admin").unwrap();
        assert!(s
            .hotline_import(
                &mut cases.iter().cloned(),
                "bad.csv",
                &cfg,
                "admin",
                &mut |_| {}
            )
            .is_err());
        assert_eq!(
            s.hotline_cases(&Default::default(), 10, 0).unwrap().1,
            0,
            "{}",
            db.name
        );
        assert!(s.hotline_rollup_rows().unwrap().is_empty());
    }
}

/// A first import into an empty case table builds the indexes after the rows (SQLite): the
/// schema afterwards is the migrations' own, after a good import and after a refused one, and
/// the indexes answer (the overdue list, a grid's cases).
#[test]
fn a_bulk_import_leaves_every_index_as_the_migrations_made_it() {
    let cfg = HotlineConfig::default();
    let geo = beijing(1, 2);
    let cases: Vec<Case> = Generator::new(&cfg, &geo, 400, 5, 2020).collect();
    for mut db in common::backends() {
        let s = &mut db.store;
        s.hotline_save_geography(&geo, "admin").unwrap();
        let schema = s.schema().unwrap();
        let refused = s.hotline_import_checked(
            &mut cases.iter().cloned(),
            "refused.csv",
            &cfg,
            "admin",
            &mut |_| {},
            &mut || Err("row 7: a bad date".into()),
        );
        assert!(refused.is_err());
        assert_eq!(
            s.schema().unwrap(),
            schema,
            "{}: after a refused import",
            db.name
        );
        import(s, &cases, &cfg);
        assert_eq!(s.schema().unwrap(), schema, "{}: after an import", db.name);
        let (_, total) = s.hotline_cases(&Default::default(), 10, 0).unwrap();
        assert_eq!(total, 400, "{}", db.name);
    }
}

#[test]
fn contacts_are_logged_when_viewed_and_erased_after_retention() {
    let cfg = HotlineConfig::default();
    let geo = beijing(1, 1);
    let cases: Vec<Case> = Generator::new(&cfg, &geo, 200, 5, 2020).collect();
    for mut db in common::backends() {
        let s = &mut db.store;
        s.hotline_save_geography(&geo, "admin").unwrap();
        import(s, &cases, &cfg);
        let with_contact = cases
            .iter()
            .find(|c| c.contact.is_some() && c.closed.is_some())
            .unwrap();
        assert_eq!(
            s.hotline_view_contact(&with_contact.id, "office").unwrap(),
            with_contact.contact
        );
        assert!(s
            .audit_entries(None)
            .unwrap()
            .iter()
            .any(|e| e.action == "hotline.contact_view"));
        let cut_off = Utc.with_ymd_and_hms(2021, 6, 1, 0, 0, 0).unwrap();
        let closed_with_contact = cases
            .iter()
            .filter(|c| c.contact.is_some() && c.closed.is_some())
            .count();
        assert!(closed_with_contact > 3, "{}", db.name);
        // Bounded batches, the oldest first, each its own transaction and audit entry.
        let entries = s.audit_entries(None).unwrap().len();
        assert_eq!(
            s.hotline_erase_contacts_batch(cut_off, "job", 2).unwrap(),
            (2, false),
            "{}",
            db.name
        );
        assert_eq!(s.audit_entries(None).unwrap().len(), entries + 1);
        let n = 2 + s.hotline_erase_contacts(cut_off, "job").unwrap();
        assert_eq!(n as usize, closed_with_contact, "{}", db.name);
        assert_eq!(
            s.hotline_erase_contacts_batch(cut_off, "job", 2).unwrap(),
            (0, true)
        );
        assert_eq!(
            s.hotline_case(&with_contact.id).unwrap().unwrap().contact,
            None
        );
        let open = cases
            .iter()
            .find(|c| c.contact.is_some() && c.closed.is_none());
        if let Some(open) = open {
            assert!(
                s.hotline_case(&open.id).unwrap().unwrap().contact.is_some(),
                "open cases keep theirs"
            );
        }
        let id = s
            .hotline_add_api_key("东城区网格平台", "secret-key-1", "admin")
            .unwrap();
        assert_eq!(id.len(), 12);
        assert_eq!(
            s.hotline_check_api_key("secret-key-1").unwrap().as_deref(),
            Some("东城区网格平台")
        );
        assert_eq!(s.hotline_check_api_key("guess").unwrap(), None);
    }
}

/// Imports generated cases as one file, as an office would.
fn import(
    s: &mut jixiao_store::Store,
    cases: &[Case],
    cfg: &HotlineConfig,
) -> jixiao_store::hotline::CaseImport {
    s.hotline_import(
        &mut cases.iter().cloned(),
        "gen.csv",
        cfg,
        "admin",
        &mut |_| {},
    )
    .unwrap()
}

/// Runs statements on a test database outside the store, as an older version left it.
fn raw(db: &common::TestDb, sql: &str) {
    if let Some(path) = db.url.strip_prefix("sqlite://") {
        rusqlite::Connection::open(path)
            .unwrap()
            .execute_batch(sql)
            .unwrap();
    } else {
        postgres::Client::connect(&db.url, postgres::NoTls)
            .unwrap()
            .batch_execute(sql)
            .unwrap();
    }
}

#[test]
fn a_database_from_before_packs_gets_them_when_opened() {
    let cfg = HotlineConfig::default();
    let geo = beijing(1, 1);
    // Who returned a case was not kept before packs (migration 25): the cases say only how often.
    let cases: Vec<Case> = Generator::new(&cfg, &geo, 1500, 8, 2020)
        .map(|mut c| {
            c.returned_by.clear();
            c
        })
        .collect();
    for mut db in common::backends() {
        let s = &mut db.store;
        s.hotline_save_geography(&geo, "admin").unwrap();
        import(s, &cases[..1499], &cfg);
        let before = s.hotline_rollup_rows().unwrap();
        // The schema as migration 0007 left it: no seq, no packs.
        let undo = format!(
            "{}DROP TABLE hotline_case_packs; DROP INDEX hotline_cases_seq; \
             ALTER TABLE hotline_cases DROP COLUMN seq; DELETE FROM schema_migrations WHERE version = 8",
            common::before_partitions(&db)
        );
        raw(&db, &undo);
        let mut s = jixiao_store::Store::open(&db.url).unwrap();
        assert_eq!(s.hotline_rebuild("admin").unwrap(), 1499, "{}", db.name);
        assert_eq!(s.hotline_rollup_rows().unwrap(), before, "{}", db.name);
        // New cases and changes after the migration land in packs too.
        let out = import(&mut s, &cases, &cfg);
        assert_eq!((out.inserted, out.unchanged), (1, 1499));
        let open = cases
            .iter()
            .find(|c| c.closed.is_none() && c.responded.is_none() && c.unit.is_some());
        if let Some(open) = open {
            s.hotline_apply(
                &open.id,
                &Event::Respond,
                open.received + Duration::hours(1),
                &cfg,
                "x",
            )
            .unwrap();
        }
        let incremental = s.hotline_rollup_rows().unwrap();
        assert_eq!(incremental, expected(&current(&mut s, &cases), &cfg));
        assert_eq!(s.hotline_rebuild("admin").unwrap(), 1500);
        assert_eq!(s.hotline_rollup_rows().unwrap(), incremental, "{}", db.name);
    }
}

fn current(s: &mut jixiao_store::Store, cases: &[Case]) -> Vec<Case> {
    cases
        .iter()
        .map(|c| s.hotline_case(&c.id).unwrap().unwrap())
        .collect()
}

#[test]
fn a_damaged_pack_is_reported_and_rebuilt_from_rows() {
    let cfg = HotlineConfig::default();
    let geo = beijing(1, 1);
    let cases: Vec<Case> = Generator::new(&cfg, &geo, 300, 9, 2020).collect();
    for mut db in common::backends() {
        db.store.hotline_save_geography(&geo, "admin").unwrap();
        import(&mut db.store, &cases, &cfg);
        let before = db.store.hotline_rollup_rows().unwrap();
        raw(
            &db,
            "UPDATE hotline_case_packs SET data = substr(data, 1, 100)",
        );
        let e = db.store.hotline_rebuild("admin").unwrap_err().to_string();
        assert!(e.contains("pack 0") && e.contains("--from-rows"), "{e}");
        assert_eq!(
            db.store.hotline_rollup_rows().unwrap(),
            before,
            "nothing written"
        );
        assert_eq!(db.store.hotline_rebuild_from_rows("admin").unwrap(), 300);
        assert_eq!(db.store.hotline_rebuild("admin").unwrap(), 300);
        assert_eq!(
            db.store.hotline_rollup_rows().unwrap(),
            before,
            "{}",
            db.name
        );
    }
}

#[test]
fn an_in_memory_database_rebuilds_on_its_one_connection() {
    // No other connection sees an in-memory database: the packs are read on the store's own.
    let cfg = HotlineConfig::default();
    let geo = beijing(1, 1);
    let cases: Vec<Case> = Generator::new(&cfg, &geo, 2500, 4, 2020).collect();
    let mut s = jixiao_store::Store::open("sqlite::memory:").unwrap();
    s.hotline_save_geography(&geo, "admin").unwrap();
    import(&mut s, &cases, &cfg);
    assert_eq!(s.hotline_rebuild("admin").unwrap(), 2500);
    assert_eq!(s.hotline_rollup_rows().unwrap(), expected(&cases, &cfg));
}

/// What the busiest-grid and repeat-complaint panels read, counted directly from the cases.
fn places_from_cases(
    cases: &[Case],
    cfg: &HotlineConfig,
    geo: &jixiao_hotline::geography::Geography,
    month: &str,
    district: &str,
) -> BTreeMap<(String, String), i64> {
    let mut m = BTreeMap::new();
    for c in cases {
        let in_district = c
            .unit
            .as_deref()
            .and_then(|u| geo.get(u))
            .filter(|a| a.level != Level::District)
            .and_then(|a| geo.ancestor(&a.id, Level::District))
            .is_some_and(|d| d.id == district);
        if let (true, Some(g)) = (in_district && cfg.month_of(c.received) == month, &c.grid) {
            *m.entry((g.clone(), c.category.clone())).or_insert(0) += 1;
        }
    }
    m
}

#[test]
fn place_counts_follow_imports_and_changes_and_equal_a_recount_from_the_cases() {
    let cfg = HotlineConfig::default();
    let geo = beijing(2, 2);
    let first: Vec<Case> = Generator::new(&cfg, &geo, 4000, 17, 2020).collect();
    for mut db in common::backends() {
        let cases = &first;
        let s = &mut db.store;
        s.hotline_save_geography(&geo, "admin").unwrap();
        import(s, cases, &cfg);
        // A second file moves some cases to another grid cell and category (reclassified).
        let mut moved = cases.clone();
        for c in moved.iter_mut().step_by(7) {
            c.grid = Some("elsewhere".into());
            c.category = "0101".into();
        }
        let again = import(s, &moved, &cfg);
        assert_eq!(again.updated, moved.len().div_ceil(7), "{}", db.name);
        let cases = &moved;
        let month = "2020-06";
        let districts: Vec<String> = geo
            .at_level(Level::District)
            .map(|a| a.id.clone())
            .collect();
        for district in districts.clone() {
            let want = places_from_cases(cases, &cfg, &geo, month, &district);
            let repeats: BTreeMap<(String, String), i64> = s
                .hotline_repeat_places(month, &district, None, 1000)
                .unwrap()
                .into_iter()
                .map(|(g, c, n)| ((g, c), n))
                .collect();
            let want_repeats: BTreeMap<_, _> = want
                .iter()
                .filter(|(_, n)| **n >= 2)
                .map(|(k, n)| (k.clone(), *n))
                .collect();
            assert_eq!(repeats, want_repeats, "{} {district}", db.name);
            let mut per_grid: BTreeMap<String, i64> = BTreeMap::new();
            for ((g, _), n) in &want {
                *per_grid.entry(g.clone()).or_default() += n;
            }
            let grids: BTreeMap<String, i64> = s
                .hotline_grid_counts(month, &district, 1000)
                .unwrap()
                .into_iter()
                .collect();
            assert_eq!(grids, per_grid, "{} {district}", db.name);
        }
        // A rebuild from the rows recounts them to the same figures.
        let before = s
            .hotline_repeat_places(month, &districts[0], None, 1000)
            .unwrap();
        assert!(!before.is_empty(), "the test has repeats to compare");
        s.hotline_rebuild_from_rows("admin").unwrap();
        assert_eq!(
            s.hotline_repeat_places(month, &districts[0], None, 1000)
                .unwrap(),
            before
        );
    }
}

/// Everything the counters say, for comparing two stores: the rollup rows, and per month and
/// district the busiest grid cells and the repeat places.
type Counted = (
    Vec<(RollupKey, Counters)>,
    Vec<(
        String,
        String,
        Vec<(String, i64)>,
        Vec<(String, String, i64)>,
    )>,
);

fn counted(s: &mut jixiao_store::Store, geo: &jixiao_hotline::geography::Geography) -> Counted {
    let mut places = Vec::new();
    for m in 1..=12 {
        let month = format!("2020-{m:02}");
        for d in geo.at_level(Level::District) {
            places.push((
                month.clone(),
                d.id.clone(),
                s.hotline_grid_counts(&month, &d.id, 10_000).unwrap(),
                s.hotline_repeat_places(&month, &d.id, None, 1000).unwrap(),
            ));
        }
    }
    (s.hotline_rollup_rows().unwrap(), places)
}

/// The case with every time moved by `days`.
fn shift(c: &mut Case, days: i64) {
    let by = Duration::days(days);
    c.received += by;
    for t in [
        &mut c.dispatched,
        &mut c.responded,
        &mut c.handled,
        &mut c.closed,
        &mut c.response_due,
        &mut c.completion_due,
    ] {
        if let Some(t) = t.as_mut() {
            *t += by;
        }
    }
    if let Some(cb) = c.callback.as_mut() {
        cb.at += by;
    }
}

#[test]
fn an_import_into_an_empty_store_counts_at_its_end_what_imports_case_by_case_count() {
    // Into an empty case table an import writes every row first and counts once at its end
    // (from the packs and the rows); into a table with cases it counts case by case. Both give
    // the same counters for one file that holds every case and then, further on (an import
    // writes 2,000 cases at a time), some of them changed and some again as they were.
    let cfg = HotlineConfig::default();
    let geo = beijing(2, 2);
    let cases: Vec<Case> = Generator::new(&cfg, &geo, 3000, 29, 2020).collect();
    let mut changed = cases.clone();
    for c in changed[..2000].iter_mut().step_by(5) {
        c.grid = Some("elsewhere".into());
        c.category = "0101".into();
    }
    // Some move to a month no other case is in (received a year later), and some back by a
    // month: on PostgreSQL a case then leaves or enters a month the import is still filling.
    for (i, c) in changed[..2000].iter_mut().step_by(50).enumerate() {
        shift(c, if i % 2 == 0 { 400 } else { -31 });
    }
    let mut file = cases.clone();
    file.extend(changed[..2000].iter().step_by(5).cloned());
    // And some named again as they were (unchanged).
    file.extend((1..100).filter(|i| i % 5 != 0).map(|i| cases[i].clone()));
    let at_the_end: Vec<Counted> = common::backends()
        .into_iter()
        .map(|mut db| {
            let s = &mut db.store;
            s.hotline_save_geography(&geo, "admin").unwrap();
            let out = import(s, &file, &cfg);
            assert_eq!(
                (out.inserted, out.updated, out.unchanged),
                (3000, 400, 80),
                "{}",
                db.name
            );
            for c in changed[..2000].iter().step_by(50) {
                assert_eq!(
                    s.hotline_case(&c.id).unwrap().as_ref(),
                    Some(c),
                    "{}",
                    db.name
                );
            }
            let months = s.hotline_case_months().unwrap();
            assert!(
                months.iter().any(|m| m.starts_with("2021")),
                "{}: the moved cases' new month in {months:?}",
                db.name
            );
            counted(s, &geo)
        })
        .collect();
    for (mut db, at_the_end) in common::backends().into_iter().zip(at_the_end) {
        let s = &mut db.store;
        s.hotline_save_geography(&geo, "admin").unwrap();
        // One case first: the rest of the file is then counted case by case.
        import(s, &file[..1], &cfg);
        import(s, &file[1..], &cfg);
        let by_case = counted(s, &geo);
        assert_eq!(by_case.0, expected(&changed, &cfg), "{}", db.name);
        assert!(
            by_case.1.iter().any(|p| !p.3.is_empty()),
            "the test has repeat places to compare"
        );
        assert_eq!(at_the_end, by_case, "{}", db.name);
    }
}

#[test]
fn keyset_pages_walk_every_case_once_in_both_directions() {
    use jixiao_store::hotline::{CaseCursor, CaseFilter};
    let cfg = HotlineConfig::default();
    let geo = beijing(1, 1);
    let mut cases: Vec<Case> = Generator::new(&cfg, &geo, 300, 23, 2020).collect();
    // Cases received in the same second are ordered by id.
    let same = cases[10].received;
    for c in cases.iter_mut().skip(20).take(12) {
        c.received = same;
    }
    for mut db in common::backends() {
        let s = &mut db.store;
        s.hotline_save_geography(&geo, "admin").unwrap();
        import(s, &cases, &cfg);
        let f = CaseFilter::default();
        let all: Vec<String> = s
            .hotline_cases(&f, 1000, 0)
            .unwrap()
            .0
            .into_iter()
            .map(|c| c.id)
            .collect();
        assert_eq!(all.len(), cases.len());
        let mut walked = Vec::new();
        let mut pages = Vec::new();
        let mut cursor: Option<CaseCursor> = None;
        loop {
            let (page, more) = s.hotline_case_page(&f, 7, cursor.as_ref()).unwrap();
            walked.extend(page.iter().map(|c| c.id.clone()));
            pages.push(page.iter().map(|c| c.id.clone()).collect::<Vec<_>>());
            if !more {
                break;
            }
            cursor = Some(CaseCursor::next_to(page.last().unwrap(), true));
        }
        assert_eq!(walked, all, "{}: forward, page by page", db.name);
        // Back from the last page, each page is the one seen before it.
        let mut first_of = pages.last().unwrap()[0].clone();
        for want in pages.iter().rev().skip(1) {
            let c = s.hotline_case(&first_of).unwrap().unwrap();
            let (page, _) = s
                .hotline_case_page(&f, 7, Some(&CaseCursor::next_to(&c, false)))
                .unwrap();
            let ids: Vec<String> = page.iter().map(|c| c.id.clone()).collect();
            assert_eq!(&ids, want, "{}: backward", db.name);
            first_of = ids[0].clone();
        }
        assert_eq!(s.hotline_case_count(&f, 100).unwrap(), 100, "capped");
        assert_eq!(s.hotline_case_count(&f, 10_000).unwrap(), 300);
    }
}

/// A count from the database itself, outside the store.
fn count(db: &common::TestDb, sql: &str) -> i64 {
    if let Some(path) = db.url.strip_prefix("sqlite://") {
        rusqlite::Connection::open(path)
            .unwrap()
            .query_row(sql, [], |r| r.get(0))
            .unwrap()
    } else {
        postgres::Client::connect(&db.url, postgres::NoTls)
            .unwrap()
            .query_one(sql, &[])
            .unwrap()
            .get(0)
    }
}

/// Cases as counted in the database itself, by month: (month, cases) (on PostgreSQL each
/// month is counted in its own partition).
fn stored_by_month(db: &common::TestDb) -> Vec<(String, i64)> {
    let mut s = jixiao_store::Store::open(&db.url).unwrap();
    let months = s.hotline_case_months().unwrap();
    months
        .into_iter()
        .map(|m| {
            let table = if db.name == "sqlite" {
                format!("hotline_cases WHERE month = '{m}'")
            } else {
                format!("hotline_cases_{}", m.replace('-', "_"))
            };
            (m, count(db, &format!("SELECT COUNT(*) FROM {table}")))
        })
        .collect()
}

/// Each month's cases are stored apart (on PostgreSQL in a partition of their own, made when
/// the month's first case arrives); a case whose received time moves to another month moves
/// with its events and is still one case; an import rolled back leaves no month behind; the
/// counters rebuilt a month at a time equal the ones kept in step.
#[test]
fn cases_live_in_their_month_and_move_with_it() {
    let cfg = HotlineConfig::default();
    let geo = beijing(1, 2);
    let cases: Vec<Case> = Generator::new(&cfg, &geo, 2000, 5, 2020).collect();
    let mut months: BTreeMap<String, i64> = BTreeMap::new();
    for c in &cases {
        *months.entry(cfg.month_of(c.received)).or_default() += 1;
    }
    assert!(months.len() >= 10, "{months:?}");
    for mut db in common::backends() {
        let s = &mut db.store;
        s.hotline_save_geography(&geo, "admin").unwrap();
        import(s, &cases, &cfg);
        assert_eq!(
            stored_by_month(&db),
            months.clone().into_iter().collect::<Vec<_>>(),
            "{}",
            db.name
        );
        let s = &mut db.store;
        // An event (a closed case reopened), then the case's received time moves to next year.
        let open = cases
            .iter()
            .find(|c| c.stage == jixiao_hotline::Stage::Closed && c.unit.is_some())
            .expect("a closed case");
        let reopen = Event::Reopen {
            reason: "市民再次来电".into(),
        };
        s.hotline_apply(
            &open.id,
            &reopen,
            Utc.with_ymd_and_hms(2021, 2, 1, 2, 0, 0).unwrap(),
            &cfg,
            "x",
        )
        .unwrap();
        let mut moved = s.hotline_case(&open.id).unwrap().unwrap();
        moved.received = Utc.with_ymd_and_hms(2021, 3, 5, 2, 0, 0).unwrap();
        let out = import(s, std::slice::from_ref(&moved), &cfg);
        assert_eq!(out.updated, 1, "{}", db.name);
        let mut expect = months.clone();
        *expect.get_mut(&cfg.month_of(open.received)).unwrap() -= 1;
        expect.insert("2021-03".into(), 1);
        let mut got = stored_by_month(&db);
        got.retain(|(_, n)| *n > 0);
        expect.retain(|_, n| *n > 0);
        assert_eq!(
            got,
            expect.clone().into_iter().collect::<Vec<_>>(),
            "{}",
            db.name
        );
        let s = &mut db.store;
        assert_eq!(
            s.hotline_case(&open.id).unwrap().unwrap().received,
            moved.received
        );
        assert_eq!(
            s.hotline_events(&open.id).unwrap().len(),
            1,
            "{}: the event moved along",
            db.name
        );
        let events_in = |db: &common::TestDb, op: &str| {
            count(
                db,
                &format!(
                    "SELECT COUNT(*) FROM hotline_events WHERE case_id = '{}' AND month {op} '2021-03'",
                    open.id
                ),
            )
        };
        assert_eq!(events_in(&db, "="), 1, "{}", db.name);
        let s = &mut db.store;
        // A further event on the moved case lands in its new month.
        s.hotline_apply(
            &open.id,
            &Event::Respond,
            moved.received + Duration::hours(2),
            &cfg,
            "x",
        )
        .unwrap();
        assert_eq!(events_in(&db, "<>"), 0, "{}", db.name);
        let s = &mut db.store;

        // An import of a new month that is refused leaves nothing, no month either.
        let mut late = cases[0].clone();
        late.id = "LATE-1".into();
        late.received = Utc.with_ymd_and_hms(2022, 7, 1, 2, 0, 0).unwrap();
        let refused = s.hotline_import_checked(
            &mut std::iter::once(late),
            "late.csv",
            &cfg,
            "admin",
            &mut |_| {},
            &mut || Err("row 9: bad".into()),
        );
        assert!(refused.is_err());
        assert!(
            !s.hotline_case_months()
                .unwrap()
                .contains(&"2022-07".to_string()),
            "{}",
            db.name
        );
        assert!(s.hotline_case("LATE-1").unwrap().is_none());

        // Counters rebuilt from the rows (a month at a time on PostgreSQL) equal the kept ones.
        let kept = s.hotline_rollup_rows().unwrap();
        s.hotline_rebuild_from_rows("admin").unwrap();
        assert_eq!(s.hotline_rollup_rows().unwrap(), kept, "{}", db.name);
    }
}

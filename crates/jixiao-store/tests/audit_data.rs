//! `audit verify` checks the data, not only the chain, on SQLite and PostgreSQL: each way of
//! changing the database behind jixiao's back is named (the cases an attacker tried).

mod common;
use jixiao_core::inputs::Observation;
use jixiao_core::workflow::{Role, ValueState};
use jixiao_hotline::generate::Generator;
use jixiao_hotline::geography::beijing;
use jixiao_hotline::{Case, HotlineConfig};
use jixiao_store::accounts::User;
use jixiao_store::{Store, ValueKey, ValueRow};

const BOOK: &str = include_str!("../../../examples/beijing-2020/taskbook.toml");

/// A store with a cycle, values, an account, a narrative and hotline cases, all written by
/// jixiao; returns a description of the problems `audit verify` finds (none, here).
fn populated(s: &mut Store) {
    let fw = jixiao_taskbook::parse_toml(BOOK, "taskbook.toml").unwrap();
    s.save_cycle(&fw, BOOK, "admin").unwrap();
    let rows: Vec<ValueRow> = ["dongcheng", "xicheng"]
        .iter()
        .map(|u| ValueRow {
            key: ValueKey {
                task: "A01-1".into(),
                unit: u.to_string(),
                period: "Q4".into(),
            },
            observation: Observation::Number(8.5),
            note: String::new(),
            source: String::new(),
            evidence: String::new(),
            state: ValueState::Approved,
        })
        .collect();
    s.import_values("2020", &rows, "admin", &mut |_| {})
        .unwrap();
    for (id, role) in [("admin", Role::Admin), ("dongcheng", Role::Reporter)] {
        s.upsert_user(
            &User {
                id: id.into(),
                display_name: id.into(),
                password_hash: "$argon2id$x".into(),
                role,
                unit_id: (role == Role::Reporter).then(|| id.to_string()),
                evaluator_id: None,
                active: true,
                email: None,
                organisation: None,
            },
            "admin",
        )
        .unwrap();
    }
    s.save_narrative(
        "2020",
        "dongcheng",
        "overview",
        "全年工作稳步推进。",
        "dongcheng",
    )
    .unwrap();
    let cfg = HotlineConfig::default();
    let geo = beijing(1, 1);
    s.hotline_save_geography(&geo, "admin").unwrap();
    let cases: Vec<Case> = Generator::new(&cfg, &geo, 300, 5, 2020).collect();
    let mut changed = cases.clone();
    s.hotline_import(&mut cases.into_iter(), "gen", &cfg, "admin", &mut |_| {})
        .unwrap();
    // A second file changes some of the cases: their rows are sealed again, by its entry.
    for c in changed.iter_mut().step_by(9) {
        c.category = if c.category == "0101" { "0301" } else { "0101" }.into();
    }
    let again = s
        .hotline_import(&mut changed.into_iter(), "gen", &cfg, "admin", &mut |_| {})
        .unwrap();
    assert_eq!(again.updated, 300_usize.div_ceil(9));
}

/// An entry of the honours register (a table sealed since migration 26).
fn with_honour(s: &mut Store) {
    let honour = jixiao_core::records::Honour {
        unit: "dongcheng".into(),
        name: "全国双拥模范城".into(),
        issuer: "全国双拥工作领导小组".into(),
        period: "2020年".into(),
        rank: None,
        scope: None,
        streak: Some(8),
        note: String::new(),
    };
    s.import_honours("2020", std::slice::from_ref(&honour), "admin")
        .unwrap();
}

fn problems(s: &mut Store) -> Vec<String> {
    let r = s.verify_audit().unwrap();
    let mut out: Vec<String> = r.data.iter().map(|p| p.to_string()).collect();
    if let Some((seq, why)) = r.first_broken {
        out.push(format!("chain: #{seq} {why}"));
    }
    out
}

#[test]
fn every_edit_made_directly_in_the_database_is_named() {
    // (what an intruder runs, what the report must say)
    let tampering: &[(&str, &str)] = &[
        (
            "UPDATE task_values SET number = 10 WHERE unit_id = 'dongcheng' AND task_id = 'A01-1'",
            "task_values 2020/A01-1/dongcheng/Q4: was changed outside jixiao",
        ),
        (
            "UPDATE users SET role = 'admin' WHERE id = 'dongcheng'",
            "users dongcheng: was changed outside jixiao",
        ),
        (
            "UPDATE users SET password_hash = '$argon2id$mine' WHERE id = 'admin'",
            "users admin: was changed outside jixiao",
        ),
        (
            "UPDATE narratives SET body = '全市第一' WHERE unit_id = 'dongcheng'",
            "narratives 2020/dongcheng/overview: was changed outside jixiao",
        ),
        (
            "UPDATE hotline_cases SET description = description || '已解决' WHERE id = (SELECT MIN(id) FROM hotline_cases)",
            "hotline_cases",
        ),
        (
            "UPDATE honours SET streak = 9",
            "honours 2020/",
        ),
        (
            "DELETE FROM task_values WHERE unit_id = 'xicheng'",
            "task_values 2020/A01-1/xicheng/Q4: is gone",
        ),
        (
            "DELETE FROM hotline_cases WHERE id = (SELECT MAX(id) FROM hotline_cases)",
            "1 cases are gone",
        ),
        (
            "INSERT INTO users (id, display_name, password_hash, role, active, created_at) VALUES ('mole', 'm', 'x', 'admin', 1, '2020-01-01')",
            "users mole: has no seal",
        ),
        (
            // A seal copied from another row does not fit this one.
            "UPDATE task_values SET seal = (SELECT seal FROM task_values WHERE unit_id = 'dongcheng'), number = 8.5 WHERE unit_id = 'xicheng'",
            "task_values 2020/A01-1/xicheng/Q4",
        ),
    ];
    for (sql, expected) in tampering {
        for mut db in common::backends() {
            let s = &mut db.store;
            populated(s);
            with_honour(s);
            assert_eq!(problems(s), Vec::<String>::new(), "{}: before", db.name);
            s.execute_raw(sql).unwrap();
            let found = problems(s);
            assert!(
                found.iter().any(|p| p.contains(expected)),
                "{}: `{sql}` should give `{expected}`, got {found:?}",
                db.name
            );
        }
    }
}

#[test]
fn removed_tail_entries_are_caught_by_their_rows_or_the_anchored_head() {
    for mut db in common::backends() {
        let s = &mut db.store;
        populated(s);
        let (seq, hash) = s.audit_head().unwrap();
        assert_eq!(s.check_audit_head(seq, &hash).unwrap(), None);
        // The last entry wrote a row: the row now points at an entry that is not there.
        s.execute_raw(&format!("DELETE FROM audit_log WHERE seq = {seq}"))
            .unwrap();
        let found = problems(s);
        assert!(
            found.iter().any(|p| p.contains("not in the log")),
            "{}: {found:?}",
            db.name
        );
        let cut = s
            .check_audit_head(seq, &hash)
            .unwrap()
            .expect("the cut shows");
        assert!(cut.contains("1 entries were removed"), "{cut}");
        // 200 more (all the log has, past the first entry).
        s.execute_raw("DELETE FROM audit_log WHERE seq > 1")
            .unwrap();
        assert!(s.check_audit_head(seq, &hash).unwrap().is_some());
        assert!(problems(s).len() > 3, "{}", db.name);
    }
}

#[test]
fn an_edit_that_jixiao_later_wrote_over_still_shows_in_the_log() {
    for mut db in common::backends() {
        let s = &mut db.store;
        populated(s);
        // Changed behind jixiao's back, then saved again through jixiao (which seals the row
        // as it finds it): the entry's "before" is not what the previous entry left.
        s.execute_raw("UPDATE narratives SET body = '全市第一' WHERE unit_id = 'dongcheng'")
            .unwrap();
        s.save_narrative("2020", "dongcheng", "overview", "全市第一。", "dongcheng")
            .unwrap();
        let found = problems(s);
        assert!(
            found
                .iter()
                .any(|p| p.contains("changed outside jixiao in between")),
            "{}: {found:?}",
            db.name
        );
    }
}

#[test]
fn a_log_rewritten_with_the_public_algorithm_changes_the_anchored_head() {
    for mut db in common::backends() {
        let s = &mut db.store;
        populated(s);
        let (seq, hash) = s.audit_head().unwrap();
        // Rewrite entry 2's text and recompute every hash after it, as the README describes
        // the algorithm: the chain checks out, but the head anchored before does not.
        common::rechain_from_entry_2(s);
        assert!(
            s.verify_audit().unwrap().first_broken.is_none(),
            "re-chained"
        );
        let why = s
            .check_audit_head(seq, &hash)
            .unwrap()
            .expect("the anchored head catches it");
        assert!(why.contains("rewritten"), "{why}");
    }
}

#[test]
fn a_database_from_before_seals_is_sealed_when_opened_and_then_checked() {
    for mut db in common::backends() {
        populated(&mut db.store);
        // The schema as migration 0011 left it: no seals, no keyed marks (and what came after).
        let mut undo = String::new();
        for t in [
            "cycles",
            "cycle_settings",
            "task_values",
            "ledger_entries",
            "narratives",
            "users",
            "publications",
            "publication_versions",
            "hotline_cases",
            "hotline_events",
        ] {
            undo.push_str(&format!("ALTER TABLE {t} DROP COLUMN seal; "));
        }
        undo.push_str(
            "ALTER TABLE audit_log DROP COLUMN mac; ALTER TABLE hotline_areas DROP COLUMN boundary; \
             ALTER TABLE hotline_areas DROP COLUMN illustrative; DROP INDEX IF EXISTS hotline_cases_contact_held; DROP INDEX IF EXISTS hotline_cases_open_by_unit; DROP INDEX IF EXISTS hotline_cases_to_call_back; DROP TABLE ledger_evidence; DROP TABLE notice_reads; DROP TABLE hotline_exclusion_requests; DROP TABLE hotline_problems; DROP TABLE honours; DROP TABLE hotline_case_files; DROP TABLE hotline_summons; DROP TABLE grid_reports; ALTER TABLE hotline_areas DROP COLUMN valid_from; ALTER TABLE hotline_areas DROP COLUMN valid_until; ALTER TABLE hotline_areas DROP COLUMN population; DROP INDEX audit_log_entity; DROP INDEX hotline_cases_overdue; \
             DROP INDEX hotline_cases_overdue_district; DROP TABLE cycle_versions; \
             DROP TABLE hotline_place_rollups; DROP INDEX hotline_cases_grid; DROP TABLE data_versions; \
             DROP TABLE ballots; DROP TABLE rating_rounds; DROP TABLE survey_results; DROP TABLE surveys; DROP TABLE value_bases; \
             DROP TABLE supervision_reports; DROP TABLE supervision_items; \
             DROP TABLE taskbook_drafts; DROP INDEX cycles_organisation; ALTER TABLE cycles DROP COLUMN organisation; ALTER TABLE users DROP COLUMN organisation; \
             CREATE INDEX hotline_cases_month_category ON hotline_cases (month, category); ",
        );
        if db.name == "sqlite" {
            // (On PostgreSQL `before_partitions` drops it with the table it makes again.)
            undo.push_str("ALTER TABLE hotline_events DROP COLUMN event_id; DROP INDEX hotline_cases_returned; ALTER TABLE hotline_cases DROP COLUMN returned_by; ALTER TABLE hotline_rollups DROP COLUMN returned; ");
        }
        let mut undo = format!("{}{undo}", common::before_partitions(&db));
        undo.push_str("DELETE FROM schema_migrations WHERE version >= 12");
        let entries = db.store.audit_entries(None).unwrap().len();
        db.store.execute_raw(&undo).unwrap();
        let mut s = Store::open(&db.url).unwrap();
        let report = s.verify_audit().unwrap();
        assert!(report.intact(), "{}: {report:?}", db.name);
        assert_eq!(report.entries, entries + 1, "one audit.seal entry");
        s.execute_raw("UPDATE users SET role = 'admin' WHERE id = 'dongcheng'")
            .unwrap();
        assert!(
            problems(&mut s)
                .iter()
                .any(|p| p.contains("users dongcheng: was changed outside jixiao")),
            "{}",
            db.name
        );
    }
}

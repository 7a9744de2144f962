//! With an audit key (its own test binary: the key is set once per process), a log rewritten
//! with the public algorithm and a row sealed again with it are caught without an anchored
//! head, on SQLite and PostgreSQL.

mod common;
use jixiao_core::inputs::Observation;
use jixiao_core::workflow::ValueState;
use jixiao_store::{ValueKey, ValueRow};

const BOOK: &str = include_str!("../../../examples/beijing-2020/taskbook.toml");

#[test]
fn keyed_marks_catch_a_rechained_log_and_a_resealed_row() {
    assert!(jixiao_store::seals::set_audit_key(Some(
        "a long random text kept out of the database"
    )));
    for mut db in common::backends() {
        let s = &mut db.store;
        let fw = jixiao_taskbook::parse_toml(BOOK, "taskbook.toml").unwrap();
        s.save_cycle(&fw, BOOK, "admin").unwrap();
        let row = ValueRow {
            key: ValueKey {
                task: "A01-1".into(),
                unit: "dongcheng".into(),
                period: "Q4".into(),
            },
            observation: Observation::Number(8.5),
            note: String::new(),
            source: String::new(),
            evidence: String::new(),
            state: ValueState::Approved,
        };
        s.import_values("2020", &[row], "admin", &mut |_| {})
            .unwrap();
        let report = s.verify_audit().unwrap();
        assert!(report.intact(), "{}: {report:?}", db.name);
        assert_eq!(report.keyed_entries, report.entries);

        // The row changed and its seal replaced by one made without the key.
        let seal: String = {
            let r = s.verify_audit().unwrap();
            assert!(r.data.is_empty());
            format!("{}:{}", r.head.0, "0".repeat(64))
        };
        s.execute_raw(&format!(
            "UPDATE task_values SET number = 10, seal = '{seal}' WHERE unit_id = 'dongcheng'"
        ))
        .unwrap();
        let report = s.verify_audit().unwrap();
        assert!(
            report
                .data
                .iter()
                .any(|p| p.to_string().contains("changed outside jixiao")),
            "{}: {:?}",
            db.name,
            report.data
        );

        // An entry written without the key (no mark) after keyed ones.
        let mark = s.audit_entries(None).unwrap()[1].mac.clone().unwrap();
        s.execute_raw("UPDATE audit_log SET mac = NULL WHERE seq = 2")
            .unwrap();
        let (seq, why) = s
            .verify_audit()
            .unwrap()
            .first_unkeyed
            .expect("no mark shows");
        assert_eq!(seq, 2);
        assert!(why.contains("no keyed mark"), "{why}");
        s.execute_raw(&format!(
            "UPDATE audit_log SET mac = '{mark}' WHERE seq = 2"
        ))
        .unwrap();
        assert!(s.verify_audit().unwrap().first_unkeyed.is_none());

        // Entry 2 rewritten and every later hash recomputed: the keyed marks no longer fit.
        common::rechain_from_entry_2(s);
        let report = s.verify_audit().unwrap();
        assert!(report.first_broken.is_none(), "the chain itself checks out");
        let (seq, why) = report.first_unkeyed.expect("the keyed mark catches it");
        assert_eq!(seq, 2, "{}", db.name);
        assert!(why.contains("audit key"), "{why}");
    }
}

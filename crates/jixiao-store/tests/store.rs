//! Storage behaviour, run against SQLite and PostgreSQL alike.

mod common;
use chrono::NaiveDate;
use jixiao_core::inputs::{LedgerKind, Observation};
use jixiao_core::workflow::{Action, Role, ValueState, WorkflowError};
use jixiao_store::{Change, LedgerRow, StoreError, ValueKey, ValueRow};

const BOOK: &str = r#"
[cycle]
id = "2020"
name = "测试周期"
start = 2020-01-01
end = 2020-12-31
periods = "quarterly"
deadline_days = 15

[[unit]]
id = "dongcheng"
name = "东城区"

[[unit]]
id = "xicheng"
name = "西城区"

[[node]]
id = "A"
name = "战略绩效"
points = 10
children_sum = true

[[node]]
id = "A1"
parent = "A"
name = "拆除违法建设"
points = 6
method = "ratio"
target = 6

[[node]]
id = "A2"
parent = "A"
name = "营商环境"
points = 4
method = "qualitative"
params = { grades = { "优" = 1.0, "良" = 0.8 } }
"#;

fn framework() -> jixiao_core::Framework {
    jixiao_taskbook::parse_toml(BOOK, "book.toml").expect("valid")
}

fn row(task: &str, unit: &str, period: &str, obs: Observation) -> ValueRow {
    ValueRow {
        key: ValueKey {
            task: task.into(),
            unit: unit.into(),
            period: period.into(),
        },
        observation: obs,
        note: String::new(),
        source: "测试".into(),
        evidence: String::new(),
        state: ValueState::Approved,
    }
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, m, d).unwrap()
}

#[test]
fn a_saved_cycle_loads_back_equal_and_saving_it_again_changes_nothing() {
    for mut db in common::backends() {
        let fw = framework();
        assert_eq!(
            db.store.save_cycle(&fw, BOOK, "admin").unwrap(),
            Change::Created,
            "{}",
            db.name
        );
        assert_eq!(
            db.store.save_cycle(&fw, BOOK, "admin").unwrap(),
            Change::Unchanged,
            "{}",
            db.name
        );
        assert_eq!(db.store.load_cycle("2020").unwrap(), fw, "{}", db.name);
        assert!(matches!(
            db.store.load_cycle("1999"),
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(
            db.store.cycles().unwrap(),
            vec![jixiao_store::CycleEntry {
                id: "2020".into(),
                name: "测试周期".into(),
                organisation: None
            }]
        );
    }
}

#[test]
fn importing_the_same_values_twice_changes_nothing_and_changes_are_audited() {
    for mut db in common::backends() {
        let fw = framework();
        db.store.save_cycle(&fw, BOOK, "admin").unwrap();
        let rows = vec![
            row("A1", "dongcheng", "Q4", Observation::Number(8.5)),
            row("A2", "dongcheng", "Q4", Observation::Grade("优".into())),
        ];
        let first = db
            .store
            .import_values("2020", &rows, "admin", &mut |_| {})
            .unwrap();
        assert_eq!(
            (first.inserted, first.updated, first.unchanged),
            (2, 0, 0),
            "{}",
            db.name
        );
        let audit_after_first = db.store.audit_entries(None).unwrap().len();
        let second = db
            .store
            .import_values("2020", &rows, "admin", &mut |_| {})
            .unwrap();
        assert_eq!(
            (second.inserted, second.updated, second.unchanged),
            (0, 0, 2),
            "{}",
            db.name
        );
        assert_eq!(
            db.store.audit_entries(None).unwrap().len(),
            audit_after_first,
            "an unchanged import leaves no audit entry"
        );
        let changed = vec![row("A1", "dongcheng", "Q4", Observation::Number(9.0))];
        assert_eq!(
            db.store
                .import_values("2020", &changed, "admin", &mut |_| {})
                .unwrap()
                .updated,
            1
        );
        let log = db
            .store
            .audit_entries(Some("cycle/2020/value/A1/dongcheng/Q4"))
            .unwrap();
        let last = log.last().unwrap();
        assert!(
            last.before.as_deref().unwrap().contains("8.5")
                && last.after.as_deref().unwrap().contains("9"),
            "{last:?}"
        );
        assert_eq!(last.actor, "admin");
    }
}

#[test]
fn an_import_that_fails_part_way_writes_nothing() {
    for mut db in common::backends() {
        db.store.save_cycle(&framework(), BOOK, "admin").unwrap();
        let audit_before = db.store.audit_entries(None).unwrap().len();
        // The second row names a unit the database does not know: the foreign key refuses it.
        let rows = vec![
            row("A1", "dongcheng", "Q4", Observation::Number(8.5)),
            row("A1", "nowhere", "Q4", Observation::Number(1.0)),
        ];
        assert!(
            db.store
                .import_values("2020", &rows, "admin", &mut |_| {})
                .is_err(),
            "{}",
            db.name
        );
        assert!(
            db.store.values("2020").unwrap().is_empty(),
            "{}: nothing half-written",
            db.name
        );
        assert_eq!(db.store.audit_entries(None).unwrap().len(), audit_before);
    }
}

#[test]
fn only_approved_values_count_and_the_review_workflow_is_enforced() {
    for mut db in common::backends() {
        let fw = framework();
        db.store.save_cycle(&fw, BOOK, "admin").unwrap();
        let key = ValueKey {
            task: "A1".into(),
            unit: "dongcheng".into(),
            period: "Q1".into(),
        };
        let s = &mut db.store;
        assert_eq!(
            s.enter_value(
                "2020",
                &key,
                Observation::Number(2.0),
                "",
                "",
                false,
                Role::Reporter,
                "东城填报员",
                day(3, 1)
            )
            .unwrap(),
            ValueState::Draft
        );
        assert_eq!(
            s.enter_value(
                "2020",
                &key,
                Observation::Number(2.5),
                "",
                "",
                true,
                Role::Reporter,
                "东城填报员",
                day(3, 2)
            )
            .unwrap(),
            ValueState::Submitted
        );
        assert!(
            s.inputs(&fw).unwrap().annual(1, 0).is_none(),
            "submitted values do not count yet"
        );
        let returned = s
            .review_value(
                "2020",
                &key,
                &Action::Return {
                    comment: "缺少佐证材料".into(),
                },
                Role::Evaluator,
                "市规划自然资源委",
                day(3, 5),
            )
            .unwrap();
        assert_eq!(returned, ValueState::Returned);
        s.enter_value(
            "2020",
            &key,
            Observation::Number(2.6),
            "补充佐证",
            "evidence/a1.pdf",
            true,
            Role::Reporter,
            "东城填报员",
            day(3, 6),
        )
        .unwrap();
        assert_eq!(
            s.review_value(
                "2020",
                &key,
                &Action::Approve,
                Role::Evaluator,
                "市规划自然资源委",
                day(3, 7)
            )
            .unwrap(),
            ValueState::Approved
        );
        let inputs = s.inputs(&fw).unwrap();
        assert_eq!(
            inputs.annual(1, 0).unwrap().observation,
            Observation::Number(2.6)
        );
        // Q1's deadline is 15 days after 31 March: after it, the unit cannot change the value...
        let late = day(5, 1);
        let err = s
            .enter_value(
                "2020",
                &key,
                Observation::Number(3.0),
                "",
                "",
                true,
                Role::Reporter,
                "东城填报员",
                late,
            )
            .unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Workflow(WorkflowError::Locked)
                    | StoreError::Workflow(WorkflowError::InvalidTransition { .. })
            ),
            "{err:?}"
        );
        // ...until an administrator reopens it, with a reason.
        assert!(s
            .review_value(
                "2020",
                &key,
                &Action::Reopen { reason: " ".into() },
                Role::Admin,
                "绩效办",
                late
            )
            .is_err());
        assert_eq!(
            s.review_value(
                "2020",
                &key,
                &Action::Reopen {
                    reason: "数据更正".into()
                },
                Role::Admin,
                "绩效办",
                late
            )
            .unwrap(),
            ValueState::Returned
        );
        assert_eq!(
            s.enter_value(
                "2020",
                &key,
                Observation::Number(3.0),
                "更正",
                "",
                true,
                Role::Reporter,
                "东城填报员",
                late
            )
            .unwrap(),
            ValueState::Submitted
        );
        let actions: Vec<String> = s
            .audit_entries(Some("cycle/2020/value/A1/dongcheng/Q1"))
            .unwrap()
            .into_iter()
            .map(|e| e.action)
            .collect();
        assert_eq!(
            actions,
            [
                "value.draft",
                "value.submit",
                "value.return",
                "value.submit",
                "value.approve",
                "value.reopen",
                "value.submit"
            ],
            "{}",
            db.name
        );
    }
}

#[test]
fn the_ledger_imports_idempotently_and_feeds_scoring() {
    for mut db in common::backends() {
        let fw = framework();
        db.store.save_cycle(&fw, BOOK, "admin").unwrap();
        let entry = LedgerRow {
            unit: "xicheng".into(),
            kind: LedgerKind::Deduction,
            points: 1.5,
            reason: "行政问责".into(),
            approver: "市纪委".into(),
            date: Some(day(9, 1)),
        };
        assert_eq!(
            db.store
                .import_ledger("2020", std::slice::from_ref(&entry), "admin")
                .unwrap()
                .inserted,
            1
        );
        assert_eq!(
            db.store
                .import_ledger("2020", std::slice::from_ref(&entry), "admin")
                .unwrap()
                .unchanged,
            1
        );
        assert_eq!(db.store.ledger("2020").unwrap(), vec![entry]);
        let card = jixiao_core::score(&fw, &db.store.inputs(&fw).unwrap());
        assert_eq!(card.units[1].deduction, 1.5, "{}", db.name);
    }
}

#[test]
fn a_task_with_values_cannot_be_removed_from_the_task_book() {
    for mut db in common::backends() {
        let fw = framework();
        db.store.save_cycle(&fw, BOOK, "admin").unwrap();
        db.store
            .import_values(
                "2020",
                &[row(
                    "A2",
                    "dongcheng",
                    "Q4",
                    Observation::Grade("良".into()),
                )],
                "admin",
                &mut |_| {},
            )
            .unwrap();
        let without_a2 = BOOK.split("[[node]]\nid = \"A2\"").next().unwrap().replace(
            "points = 10\nchildren_sum = true",
            "points = 6\nchildren_sum = true",
        );
        let smaller = jixiao_taskbook::parse_toml(&without_a2, "smaller.toml").expect("valid");
        let err = db
            .store
            .save_cycle(&smaller, &without_a2, "admin")
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("`A2` was removed from the task book but still has reported values"),
            "{}: {err}",
            db.name
        );
        assert_eq!(
            db.store.load_cycle("2020").unwrap(),
            fw,
            "the failed update left the cycle as it was"
        );
    }
}

#[test]
fn audit_verify_detects_an_entry_edited_or_removed_directly_in_the_database() {
    for mut db in common::backends() {
        db.store.save_cycle(&framework(), BOOK, "admin").unwrap();
        let rows = vec![
            row("A1", "dongcheng", "Q4", Observation::Number(8.5)),
            row("A1", "xicheng", "Q4", Observation::Number(5.0)),
        ];
        db.store
            .import_values("2020", &rows, "admin", &mut |_| {})
            .unwrap();
        let report = db.store.verify_audit().unwrap();
        assert_eq!(
            (report.entries, report.first_broken.clone()),
            (3, None),
            "{}",
            db.name
        );

        db.store
            .execute_raw("UPDATE audit_log SET after = replace(after, '8.5', '9.5') WHERE seq = 2")
            .unwrap();
        let report = db.store.verify_audit().unwrap();
        let (seq, why) = report.first_broken.expect("the edit is detected");
        assert_eq!(seq, 2, "{}", db.name);
        assert!(why.contains("edited"), "{why}");

        db.store
            .execute_raw("DELETE FROM audit_log WHERE seq = 2")
            .unwrap();
        let (seq, why) = db
            .store
            .verify_audit()
            .unwrap()
            .first_broken
            .expect("the removal is detected");
        assert_eq!(seq, 3);
        assert!(why.contains("removed"), "{why}");
    }
}

#[test]
fn proposed_ledger_entries_count_only_once_the_office_approves_them() {
    for mut db in common::backends() {
        let fw = framework();
        db.store.save_cycle(&fw, BOOK, "admin").unwrap();
        let entry = LedgerRow {
            unit: "dongcheng".into(),
            kind: LedgerKind::Bonus,
            points: 1.0,
            reason: "东城社工品牌".into(),
            approver: String::new(),
            date: None,
        };
        let id = db.store.propose_ledger("2020", &entry, "评审组").unwrap();
        assert!(
            db.store.propose_ledger("2020", &entry, "评审组").is_err(),
            "the same entry twice"
        );
        assert_eq!(
            jixiao_core::score(&fw, &db.store.inputs(&fw).unwrap()).units[0].bonus,
            0.0,
            "{}: pending entries do not count",
            db.name
        );
        db.store.decide_ledger("2020", &id, true, "绩效办").unwrap();
        assert_eq!(
            jixiao_core::score(&fw, &db.store.inputs(&fw).unwrap()).units[0].bonus,
            1.0
        );
        assert!(
            db.store
                .decide_ledger("2020", &id, false, "绩效办")
                .is_err(),
            "decided entries stay decided"
        );
        let all = db.store.ledger_entries("2020").unwrap();
        assert_eq!(
            (
                all[0].2.as_str(),
                all[0].3.as_str(),
                all[0].1.approver.as_str()
            ),
            ("approved", "评审组", "绩效办")
        );
    }
}

#[test]
fn narratives_are_saved_once_audited_and_removed_when_emptied() {
    for mut db in common::backends() {
        let fw = framework();
        db.store.save_cycle(&fw, BOOK, "admin").unwrap();
        let s = &mut db.store;
        assert_eq!(
            s.save_narrative("2020", "dongcheng", "overview", "全区上下团结一心。", "dc")
                .unwrap(),
            Change::Created
        );
        assert_eq!(
            s.save_narrative(
                "2020",
                "dongcheng",
                "overview",
                " 全区上下团结一心。\n",
                "dc"
            )
            .unwrap(),
            Change::Unchanged,
            "{}",
            db.name
        );
        assert_eq!(
            s.save_narrative("2020", "dongcheng", "overview", "改写。", "dc")
                .unwrap(),
            Change::Updated
        );
        let n = s.narratives("2020").unwrap();
        assert_eq!(
            (n.len(), n[0].body.as_str(), n[0].updated_by.as_str()),
            (1, "改写。", "dc")
        );
        s.save_narrative("2020", "dongcheng", "overview", "", "dc")
            .unwrap();
        assert!(s.narratives("2020").unwrap().is_empty());
        assert!(matches!(
            s.save_narrative("2020", "nowhere", "overview", "x", "dc"),
            Err(StoreError::NotFound(_))
        ));
        let log = s.audit_entries(None).unwrap();
        assert_eq!(
            log.iter().filter(|e| e.action == "narrative.save").count(),
            3,
            "{}",
            db.name
        );
    }
}

#[test]
fn publishing_is_idempotent_and_can_be_withdrawn() {
    for mut db in common::backends() {
        let fw = framework();
        db.store.save_cycle(&fw, BOOK, "admin").unwrap();
        let s = &mut db.store;
        assert_eq!(s.publication("2020").unwrap(), None);
        assert_eq!(
            s.set_published("2020", true, "admin").unwrap(),
            Change::Updated
        );
        assert_eq!(
            s.set_published("2020", true, "admin").unwrap(),
            Change::Unchanged
        );
        assert_eq!(
            s.publication("2020").unwrap().unwrap().published_by,
            "admin"
        );
        assert_eq!(
            s.set_published("2020", false, "admin").unwrap(),
            Change::Updated
        );
        assert_eq!(s.publication("2020").unwrap(), None, "{}", db.name);
        assert!(s.set_published("1999", true, "admin").is_err());
    }
}

//! 接诉即办 storage on SQLite and PostgreSQL: counters kept in step with cases, identical to a
//! rebuild; idempotent, all-or-nothing imports; events; personal information.

mod common;
use chrono::{Duration, TimeZone, Utc};
use jixiao_hotline::case::Exclusion;
use jixiao_hotline::generate::Generator;
use jixiao_hotline::geography::beijing;
use jixiao_hotline::rollup::{contribution, Counters, RollupKey};
use jixiao_hotline::{Case, Event, HotlineConfig, Satisfaction};
use std::collections::BTreeMap;

fn expected(cases: &[Case], cfg: &HotlineConfig) -> Vec<(RollupKey, Counters)> {
    let mut m: BTreeMap<RollupKey, Counters> = BTreeMap::new();
    for c in cases {
        if let Some((k, x)) = contribution(c, cfg) {
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
        let out = s
            .hotline_import(
                &mut cases.iter().cloned(),
                "gen.csv",
                &cfg,
                "admin",
                &mut |_| {},
            )
            .unwrap();
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
        let out = s
            .hotline_import(
                &mut cases.iter().cloned(),
                "gen.csv",
                &cfg,
                "admin",
                &mut |_| {},
            )
            .unwrap();
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
        let e = s.hotline_apply(&closed.id, &Event::Handle, at, &cfg, "x");
        assert!(e.is_ok(), "a reopened case is handled again");
        let bad = s
            .hotline_apply(&closed.id, &Event::Respond, at, &cfg, "x")
            .unwrap_err();
        assert!(bad.to_string().contains("cannot respond"), "{bad}");
        let incremental = s.hotline_rollup_rows().unwrap();
        let mut now_cases = cases.clone();
        for c in &mut now_cases {
            if c.id == handled.id || c.id == closed.id {
                *c = s.hotline_case(&c.id).unwrap().unwrap();
            }
        }
        assert_eq!(incremental, expected(&now_cases, &cfg), "{}", db.name);
        assert_eq!(s.hotline_rebuild(&cfg, "admin").unwrap(), 3000);
        assert_eq!(
            s.hotline_rollup_rows().unwrap(),
            incremental,
            "rebuild = incremental ({})",
            db.name
        );
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

#[test]
fn contacts_are_logged_when_viewed_and_erased_after_retention() {
    let cfg = HotlineConfig::default();
    let geo = beijing(1, 1);
    let cases: Vec<Case> = Generator::new(&cfg, &geo, 200, 5, 2020).collect();
    for mut db in common::backends() {
        let s = &mut db.store;
        s.hotline_save_geography(&geo, "admin").unwrap();
        s.hotline_import(
            &mut cases.iter().cloned(),
            "gen.csv",
            &cfg,
            "admin",
            &mut |_| {},
        )
        .unwrap();
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
        let n = s
            .hotline_erase_contacts(Utc.with_ymd_and_hms(2021, 6, 1, 0, 0, 0).unwrap(), "job")
            .unwrap();
        let closed_with_contact = cases
            .iter()
            .filter(|c| c.contact.is_some() && c.closed.is_some())
            .count();
        assert_eq!(n as usize, closed_with_contact, "{}", db.name);
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

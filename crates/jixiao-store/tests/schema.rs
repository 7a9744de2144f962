//! The two migration folders describe one schema: the same tables, columns, kinds of values and
//! indexes on SQLite and PostgreSQL, and an edited migration stops the store with its name.

mod common;

#[test]
fn sqlite_and_postgresql_migrations_give_the_same_schema() {
    let mut sqlite = common::sqlite();
    let Some(mut pg) = common::postgres() else {
        return;
    };
    let a = sqlite.store.schema().unwrap();
    let mut b = pg.store.schema().unwrap();
    // PostgreSQL's month partitions of hotline cases (migration 0016) need what SQLite's one
    // table does not: the id → month table that keeps ids unique across months, and indexes
    // that find a case or its events by id in each month (SQLite's primary keys do that).
    assert!(b.tables.remove("hotline_case_months").is_some());
    for index in ["hotline_cases_id", "hotline_events_case"] {
        assert!(b.indexes.remove(index).is_some(), "{index}");
    }
    assert!(a.tables.len() > 10, "{:?}", a.tables.keys());
    for (table, columns) in &a.tables {
        assert_eq!(
            Some(columns),
            b.tables.get(table),
            "table {table}: SQLite has {columns:?}, PostgreSQL {:?}",
            b.tables.get(table)
        );
    }
    assert_eq!(
        a.tables.keys().collect::<Vec<_>>(),
        b.tables.keys().collect::<Vec<_>>(),
        "the same tables"
    );
    assert!(a.indexes.len() > 5, "{:?}", a.indexes);
    assert_eq!(a.indexes, b.indexes, "the same indexes");
}

#[test]
fn an_edited_migration_stops_the_store_with_its_name() {
    for mut db in common::backends() {
        // As if 0003's file had changed since this database applied it.
        db.store
            .execute_raw(
                "UPDATE schema_migrations SET checksum = 'a0a0a0a0a0a0a0a0a0a0' WHERE version = 3",
            )
            .unwrap();
        let err = match jixiao_store::Store::open(&db.url) {
            Ok(_) => panic!("{}: an edited migration must stop the store", db.name),
            Err(e) => e.to_string(),
        };
        assert!(
            err.contains("0003_ledger_approval") && err.contains("edited"),
            "{}: {err}",
            db.name
        );
    }
}

#[test]
fn a_database_from_before_checksums_records_them_on_open() {
    for mut db in common::backends() {
        db.store
            .execute_raw("UPDATE schema_migrations SET checksum = NULL")
            .unwrap();
        jixiao_store::Store::open(&db.url).expect("opens and records the checksums");
        let mut again = jixiao_store::Store::open(&db.url).expect("and opens again");
        again.ping().unwrap();
    }
}

//! Black-box tests of the `jixiao` binary, each in its own folder with its own database.

#[path = "../../jixiao-store/tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/beijing-2020");

struct Run {
    out: String,
    err: String,
    ok: bool,
}

fn jixiao(dir: &Path, db: &str, args: &[&str]) -> Run {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_jixiao"));
    cmd.current_dir(dir)
        .env_remove("JIXIAO_DATABASE_URL")
        .env_remove("RUST_LOG")
        .arg("--database")
        .arg(db)
        .args(args);
    let Output {
        stdout,
        stderr,
        status,
    } = cmd.output().expect("jixiao runs");
    Run {
        out: String::from_utf8_lossy(&stdout).into_owned(),
        err: String::from_utf8_lossy(&stderr).into_owned(),
        ok: status.success(),
    }
}

fn example(file: &str) -> String {
    PathBuf::from(EXAMPLE).join(file).display().to_string()
}

fn demo(dir: &Path) -> (Run, String) {
    let run = jixiao(
        dir,
        "demo/jixiao.sqlite",
        &["demo", "--no-serve", "--hotline-cases", "3000"],
    );
    assert!(run.ok, "demo failed: {}", run.err);
    (
        run,
        format!("sqlite://{}", dir.join("demo/jixiao.sqlite").display()),
    )
}

#[test]
fn the_demo_builds_where_it_is_told_and_refuses_two_places() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = jixiao(
        d,
        "mine.sqlite",
        &["demo", "--data-dir", "elsewhere", "--no-serve"],
    );
    assert!(!run.ok);
    assert!(
        run.err.contains("--database mine.sqlite") && run.err.contains("--data-dir elsewhere"),
        "{}",
        run.err
    );
    assert!(!d.join("mine.sqlite").exists() && !d.join("elsewhere").exists());
    // City-sized: the task book's units, the streets, then departments.
    let run = jixiao(
        d,
        "city/jixiao.sqlite",
        &[
            "demo",
            "--no-serve",
            "--hotline-cases",
            "0",
            "--units",
            "420",
        ],
    );
    assert!(run.ok, "{}", run.err);
    let run = jixiao(d, "city/jixiao.sqlite", &["rank"]);
    assert!(run.ok, "{}", run.err);
    let ranked = run
        .out
        .lines()
        .filter(|l| {
            l.split_whitespace()
                .next()
                .is_some_and(|w| w.parse::<u32>().is_ok())
        })
        .count();
    // The 16 districts (the task book's 17th unit is scored but not ranked), 343 streets and
    // 60 departments.
    assert_eq!(ranked, 419, "{}", run.out);
    for name in ["东华门街道", "市发展改革委"] {
        assert!(run.out.contains(name), "{name} missing");
    }
    let run = jixiao(d, "other.sqlite", &["demo", "--no-serve", "--units", "5"]);
    assert!(!run.ok);
    assert!(run.err.contains("at least"), "{}", run.err);
}

#[test]
fn the_demo_prints_the_ranking_of_the_16_districts_with_scores_and_grades() {
    let dir = tempfile::tempdir().unwrap();
    let (run, _) = demo(dir.path());
    let ranked: Vec<&str> = run
        .out
        .lines()
        .filter(|l| {
            l.split_whitespace()
                .next()
                .is_some_and(|w| w.parse::<u32>().is_ok())
        })
        .collect();
    // The 16 districts, and the three city departments ranked apart in their class.
    assert_eq!(ranked.len(), 19, "{}", run.out);
    assert_eq!(ranked.iter().filter(|l| l.contains("区政府")).count(), 16);
    assert_eq!(
        ranked.iter().filter(|l| l.contains("市政府部门")).count(),
        3
    );
    for line in &ranked {
        assert!(
            ["优秀", "良好", "达标", "不达标"]
                .iter()
                .any(|g| line.contains(g)),
            "no grade in `{line}`"
        );
    }
    assert!(ranked.iter().any(|l| l.contains("东城区")));
    assert!(
        run.out
            .lines()
            .any(|l| l.starts_with("单列") && l.contains("北京经济技术开发区")),
        "{}",
        run.out
    );
    assert!(
        run.out.contains("接诉即办 hotline: 3000 generated cases"),
        "{}",
        run.out
    );
}

/// Dongcheng's value of task A22-1, as `explain --json` shows it.
fn dongcheng_a22_1(dir: &Path, db: &str) -> f64 {
    let run = jixiao(
        dir,
        db,
        &["explain", "--unit", "东城区", "--task", "A22-1", "--json"],
    );
    assert!(run.ok, "{}", run.err);
    let e: serde_json::Value = serde_json::from_str(&run.out).unwrap();
    e["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i[0] == "x")
        .unwrap()[1]
        .as_str()
        .unwrap()
        .trim_end_matches("分")
        .parse()
        .unwrap()
}

#[test]
fn the_demos_hotline_task_takes_its_value_from_the_monthly_assessment() {
    let dir = tempfile::tempdir().unwrap();
    let (_, db) = demo(dir.path());
    let x = dongcheng_a22_1(dir.path(), &db);
    let rank = jixiao(
        dir.path(),
        &db,
        &[
            "hotline",
            "rank",
            "--districts",
            "--month",
            "2020-06",
            "--json",
        ],
    );
    let ranked: Vec<serde_json::Value> = serde_json::from_str(&rank.out).unwrap();
    assert_eq!(ranked.len(), 16);
    assert!(
        (50.0..=100.0).contains(&x) && x != 93.9,
        "the report's illustrative figure is replaced: {x}"
    );
    // The demo's 每月一题 (Dongcheng's streets) feeds a task: Dongcheng's score on its category
    // from July on, nobody else's; an unknown problem is named.
    let run = jixiao(
        dir.path(),
        &db,
        &[
            "hotline",
            "feed",
            "--task",
            "A22-1",
            "--problem",
            "P2020-07-0301",
        ],
    );
    assert!(
        run.ok && run.out.contains("1 units"),
        "{} {}",
        run.out,
        run.err
    );
    let after = dongcheng_a22_1(dir.path(), &db);
    assert!(
        (0.0..=100.0).contains(&after) && after != x,
        "the parking score from July, not the year's: {after} vs {x}"
    );
    let run = jixiao(
        dir.path(),
        &db,
        &[
            "hotline",
            "feed",
            "--task",
            "A22-1",
            "--problem",
            "P2099-01-0301",
        ],
    );
    assert!(!run.ok && run.err.contains("P2099-01-0301"), "{}", run.err);
}

#[test]
fn explain_shows_how_a_number_was_reached_in_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let (_, db) = demo(dir.path());
    let text = jixiao(
        dir.path(),
        &db,
        &["explain", "--unit", "东城区", "--task", "A06-1"],
    );
    assert!(text.ok, "{}", text.err);
    assert!(
        text.out.contains("x = 8.5万平方米") && text.out.contains("分段线性法"),
        "{}",
        text.out
    );
    let json = jixiao(
        dir.path(),
        &db,
        &["explain", "--unit", "东城区", "--task", "B02-2", "--json"],
    );
    let v: serde_json::Value = serde_json::from_str(&json.out).expect("JSON");
    assert_eq!(v["method"], "piecewise");
    assert!(v["substituted"].as_str().unwrap().contains("87.7"), "{v}");
    let total = jixiao(dir.path(), &db, &["explain", "--unit", "dongcheng"]);
    assert!(
        total.out.contains("总分 = ") && total.out.contains("城六区"),
        "{}",
        total.out
    );
    let unknown = jixiao(dir.path(), &db, &["explain", "--unit", "雄安新区"]);
    assert!(
        !unknown.ok && unknown.err.contains("unknown unit `雄安新区`"),
        "{}",
        unknown.err
    );
}

#[test]
fn check_reports_every_error_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let good = jixiao(
        dir.path(),
        "x.sqlite",
        &["check", &example("taskbook.toml")],
    );
    assert!(
        good.ok && good.out.contains("77 项任务 tasks (其中公式任务 1 项"),
        "{}{}",
        good.out,
        good.err
    );
    let book = std::fs::read_to_string(example("taskbook.toml")).unwrap();
    let broken = book
        .replacen("method = \"efficacy\"", "method = \"efficacie\"", 1)
        .replacen(
            "groups = [\"core\", \"urban6\"]",
            "groups = [\"core\", \"urban7\"]",
            1,
        )
        .replacen("challenge = 8", "challenge = 4", 1);
    std::fs::write(dir.path().join("broken.toml"), &broken).unwrap();
    let run = jixiao(dir.path(), "x.sqlite", &["check", "broken.toml"]);
    assert!(!run.ok);
    let line_of = |line: &str| broken.lines().position(|l| l == line).unwrap() + 1;
    for (needle, message) in [
        ("method = \"efficacie\"", "unknown method `efficacie`"),
        ("groups = [\"core\", \"urban7\"]", "unknown group `urban7`"),
        (
            "challenge = 4",
            "challenge value 4 must be above the target",
        ),
    ] {
        let expected = format!("broken.toml:{}:", line_of(needle));
        assert!(
            run.err
                .lines()
                .any(|l| l.starts_with(&expected) && l.contains(message)),
            "expected `{expected} … {message}` in:\n{}",
            run.err
        );
    }
}

#[test]
fn a_values_file_with_errors_imports_nothing_and_names_each_bad_cell() {
    let dir = tempfile::tempdir().unwrap();
    let db = "jx.sqlite";
    assert!(
        jixiao(
            dir.path(),
            db,
            &["import", "taskbook", &example("taskbook.toml")]
        )
        .ok
    );
    let before = jixiao(dir.path(), db, &["audit", "log"])
        .out
        .lines()
        .count();
    std::fs::write(
        dir.path().join("bad.csv"),
        "unit,task,period,value\n东城区,A06-1,Q4,8.5\n雄安新区,A06-1,Q4,1\n西城区,A06-1,Q5,1\n西城区,A01-2,Q4,极好\n西城区,A06-1,Q3,八点五\n东城区,A06-1,Q4,8.6\n",
    )
    .unwrap();
    let run = jixiao(dir.path(), db, &["import", "values", "bad.csv"]);
    assert!(!run.ok);
    for expected in [
        "bad.csv: row 3, column A (unit): unknown unit `雄安新区`",
        "bad.csv: row 4, column C (period): unknown period `Q5`",
        "bad.csv: row 5, column D (value): `极好` is not a grade of this task",
        "bad.csv: row 6, column D (value): `八点五` is not a number",
        "bad.csv: row 7: repeats row 2",
        "nothing was written",
    ] {
        assert!(
            run.err.contains(expected),
            "missing `{expected}` in:\n{}",
            run.err
        );
    }
    assert_eq!(
        jixiao(dir.path(), db, &["audit", "log"])
            .out
            .lines()
            .count(),
        before,
        "nothing was written"
    );
}

#[test]
fn importing_the_same_files_twice_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = "jx.sqlite";
    let book = jixiao(
        dir.path(),
        db,
        &["import", "taskbook", &example("taskbook.toml")],
    );
    assert!(book.out.contains("Created"), "{}{}", book.out, book.err);
    assert!(jixiao(
        dir.path(),
        db,
        &["import", "taskbook", &example("taskbook.toml")]
    )
    .out
    .contains("Unchanged"));
    let first = jixiao(
        dir.path(),
        db,
        &["import", "values", &example("values.csv")],
    );
    assert!(first.ok, "{}", first.err);
    let n = first.out.split_whitespace().nth(2).unwrap().to_string();
    let second = jixiao(
        dir.path(),
        db,
        &["import", "values", &example("values.csv")],
    );
    assert!(
        second
            .out
            .contains(&format!("0 inserted, 0 updated, {n} unchanged")),
        "{}",
        second.out
    );
    jixiao(
        dir.path(),
        db,
        &["import", "ledger", &example("ledger.csv")],
    );
    assert!(jixiao(
        dir.path(),
        db,
        &["import", "ledger", &example("ledger.csv")]
    )
    .out
    .contains("0 inserted, 0 updated, 11 unchanged"));
    // The honours register: the same file twice changes nothing; a bad file names its row and
    // column and imports nothing.
    let first = jixiao(
        dir.path(),
        db,
        &["honours", "import", &example("honours.csv")],
    );
    assert!(
        first.out.contains("11 inserted"),
        "{} {}",
        first.out,
        first.err
    );
    let again = jixiao(
        dir.path(),
        db,
        &["honours", "import", &example("honours.csv")],
    );
    assert!(
        again.out.contains("0 inserted, 0 updated, 11 unchanged"),
        "{}",
        again.out
    );
    let bad = dir.path().join("bad-honours.csv");
    std::fs::write(
        &bad,
        "unit,name,issuer,period,rank,scope\nxicheng,新荣誉,市政府,2020年,,城六区\nnowhere,荣誉,市政府,2020年,0,\n",
    )
    .unwrap();
    let run = jixiao(
        dir.path(),
        db,
        &["honours", "import", bad.to_str().unwrap()],
    );
    assert!(!run.ok);
    for says in [
        "row 2",
        "needs a rank",
        "row 3",
        "unknown unit `nowhere`",
        "`0` is not a rank",
    ] {
        assert!(run.err.contains(says), "{says}: {}", run.err);
    }
    let list = jixiao(dir.path(), db, &["honours", "list", "--unit", "dongcheng"]);
    assert!(
        list.out.contains("全国双拥模范城") && !list.out.contains("新荣誉"),
        "{}",
        list.out
    );
    assert_eq!(list.out.matches("approved").count(), 11, "{}", list.out);
}

#[test]
fn the_task_book_exported_as_xlsx_checks_and_imports_back_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let (_, db) = demo(dir.path());
    assert!(
        jixiao(
            dir.path(),
            &db,
            &[
                "export",
                "taskbook",
                "--format",
                "xlsx",
                "--output",
                "book.xlsx"
            ]
        )
        .ok
    );
    let check = jixiao(dir.path(), &db, &["check", "book.xlsx"]);
    assert!(check.ok, "{}", check.err);
    let again = jixiao(dir.path(), &db, &["import", "taskbook", "book.xlsx"]);
    assert!(
        again.out.contains("Unchanged"),
        "{}{}",
        again.out,
        again.err
    );
    let csv = jixiao(
        dir.path(),
        &db,
        &[
            "export",
            "scores",
            "--format",
            "csv",
            "--output",
            "scores.csv",
        ],
    );
    assert!(csv.ok, "{}", csv.err);
    let text = std::fs::read_to_string(dir.path().join("scores.csv")).unwrap();
    assert!(
        text.contains("东城区") && text.contains("功效系数法"),
        "scores export holds explanations"
    );
    assert!(
        jixiao(
            dir.path(),
            &db,
            &["export", "scores", "--output", "scores.xlsx"]
        )
        .ok
    );
}

#[test]
fn rank_robustness_is_the_same_for_the_same_seed() {
    let dir = tempfile::tempdir().unwrap();
    let (_, db) = demo(dir.path());
    let a = jixiao(
        dir.path(),
        &db,
        &["rank", "--robustness", "--draws", "200", "--seed", "7"],
    );
    let b = jixiao(
        dir.path(),
        &db,
        &["rank", "--robustness", "--draws", "200", "--seed", "7"],
    );
    assert!(a.ok, "{}", a.err);
    assert_eq!(a.out, b.out);
    assert!(a.out.contains("95%的抽样在第"), "{}", a.out);
    let group = jixiao(dir.path(), &db, &["rank", "--group", "城六区"]);
    let ranked = group.out.lines().filter(|l| {
        l.split_whitespace()
            .next()
            .is_some_and(|w| w.parse::<u32>().is_ok())
    });
    assert_eq!(ranked.count(), 6, "{}", group.out);
}

#[test]
fn audit_verify_catches_an_edit_made_directly_in_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let (_, db) = demo(dir.path());
    let ok = jixiao(dir.path(), &db, &["audit", "verify"]);
    assert!(
        ok.ok && ok.out.contains("hash chain intact") && ok.out.contains("data agrees"),
        "{}{}",
        ok.out,
        ok.err
    );
    let head = jixiao(dir.path(), &db, &["audit", "head"])
        .out
        .trim()
        .to_string();
    // The data: a value, a role and a hotline case changed behind jixiao's back are named,
    // each with a non-zero exit.
    let file = db.trim_start_matches("sqlite://").to_string();
    for (sql, expected) in [
        (
            "UPDATE task_values SET number = 10 WHERE task_id = 'A01-1' AND unit_id = 'dongcheng' AND period_id = 'Q4'",
            "task_values 2020/A01-1/dongcheng/Q4: was changed outside jixiao",
        ),
        (
            "UPDATE users SET role = 'admin' WHERE id = 'dongcheng'",
            "users dongcheng: was changed outside jixiao",
        ),
        (
            "UPDATE hotline_cases SET description = '已解决' WHERE id = (SELECT MIN(id) FROM hotline_cases)",
            "was changed outside jixiao after audit entry",
        ),
    ] {
        let copy = dir.path().join("tampered.sqlite");
        std::fs::copy(&file, &copy).unwrap();
        let url = format!("sqlite://{}", copy.display());
        jixiao_store::Store::open(&url).unwrap().execute_raw(sql).unwrap();
        let bad = jixiao(dir.path(), &url, &["audit", "verify"]);
        assert!(!bad.ok && bad.err.contains(expected), "{sql}: {}", bad.err);
    }
    // Entries removed from the end: caught against the head written down before.
    let copy = dir.path().join("cut.sqlite");
    std::fs::copy(&file, &copy).unwrap();
    let url = format!("sqlite://{}", copy.display());
    jixiao_store::Store::open(&url)
        .unwrap()
        .execute_raw("DELETE FROM audit_log WHERE seq > (SELECT MAX(seq) - 200 FROM audit_log)")
        .unwrap();
    let bad = jixiao(
        dir.path(),
        &url,
        &["audit", "verify", "--expect-head", &head],
    );
    assert!(
        !bad.ok && bad.err.contains("200 entries were removed"),
        "{}",
        bad.err
    );
    let good = jixiao(
        dir.path(),
        &db,
        &["audit", "verify", "--expect-head", &head],
    );
    assert!(good.ok, "{}", good.err);

    jixiao_store::Store::open(&db)
        .unwrap()
        .execute_raw("UPDATE audit_log SET actor = 'someone else' WHERE seq = 10")
        .unwrap();
    let bad = jixiao(dir.path(), &db, &["audit", "verify"]);
    assert!(!bad.ok && bad.err.contains("entry #10"), "{}", bad.err);
}

#[test]
fn sqlite_and_postgres_give_identical_scores() {
    let Some(pg) = common::postgres() else { return };
    let lite = common::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for db in [&lite.url, &pg.url] {
        for args in [
            vec!["import", "taskbook", &example("taskbook.toml")],
            vec!["import", "values", &example("values.csv")],
            vec!["import", "ledger", &example("ledger.csv")],
        ] {
            let run = jixiao(
                dir.path(),
                db,
                &args.iter().map(|s| s.as_ref()).collect::<Vec<&str>>(),
            );
            assert!(run.ok, "{db}: {}", run.err);
        }
        let score = jixiao(dir.path(), db, &["score", "--json"]);
        assert!(score.ok, "{db}: {}", score.err);
        outputs.push(score.out);
        assert!(jixiao(dir.path(), db, &["audit", "verify"]).ok);
    }
    assert_eq!(outputs[0], outputs[1]);
}

#[test]
fn a_project_self_evaluation_table_is_checked_against_its_own_arithmetic_without_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let good = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/claims/project-self-evaluation-example.md"
    );
    let run = jixiao(dir.path(), "none.sqlite", &["claims", "check", good]);
    assert!(
        run.ok && run.out.contains("自洽 consistent"),
        "{} {}",
        run.out,
        run.err
    );
    assert!(
        !dir.path().join("none.sqlite").exists(),
        "no database is made"
    );
    // The same table with a wrong execution rate and total: both named with their lines.
    let text = std::fs::read_to_string(good)
        .unwrap()
        .replace(
            "| 1100 | 10 | 91.67% | 9.17 |",
            "| 1100 | 10 | 95% | 9.17 |",
        )
        .replace("| 100 | 96.64 |", "| 100 | 98 |");
    let bad = dir.path().join("bad.md");
    std::fs::write(&bad, text).unwrap();
    let run = jixiao(
        dir.path(),
        "none.sqlite",
        &["claims", "check", bad.to_str().unwrap()],
    );
    assert!(!run.ok, "{}", run.out);
    assert!(
        run.out.contains("bad.md:13") && run.out.contains("执行率") && run.out.contains("91.67"),
        "{}",
        run.out
    );
    assert!(run.out.contains("总分 · 得分"), "{}", run.out);
    // Extraction reads the table's cells with their roles and the block's unit.
    let json = jixiao(
        dir.path(),
        "none.sqlite",
        &["claims", "extract", good, "--format", "json"],
    );
    let claims: Vec<serde_json::Value> = serde_json::from_str(&json.out).unwrap();
    assert!(claims.iter().any(|c| c["metric"] == "年度资金总额"
        && c["kind"]["role"] == "execution"
        && c["value"] == 11_000_000.0
        && c["unit"] == "元"));
}

#[test]
fn a_self_evaluation_workbook_with_merged_cells_is_checked_too() {
    use rust_xlsxwriter::{Format, Workbook};
    let dir = tempfile::tempdir().unwrap();
    let write = |score: f64| {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet().set_name("自评表").unwrap();
        let f = Format::new();
        // The budget block's label spans two rows, as offices lay it out.
        ws.merge_range(0, 0, 1, 0, "项目资金（万元）", &f).unwrap();
        for (c, h) in [
            "年初预算数",
            "全年预算数",
            "全年执行数",
            "分值",
            "执行率",
            "得分",
        ]
        .iter()
        .enumerate()
        {
            ws.write(0, c as u16 + 2, *h).unwrap();
        }
        ws.write(1, 1, "年度资金总额").unwrap();
        for (c, v) in [1000.0, 1200.0, 1100.0, 10.0, 1100.0 / 1200.0, score]
            .iter()
            .enumerate()
        {
            ws.write(1, c as u16 + 2, *v).unwrap();
        }
        let path = dir.path().join(format!("self-{score}.xlsx"));
        wb.save(&path).unwrap();
        path
    };
    let good = write(9.17);
    let run = jixiao(
        dir.path(),
        "none.sqlite",
        &["claims", "check", good.to_str().unwrap()],
    );
    assert!(
        run.ok && run.out.contains("自洽 consistent"),
        "{} {}",
        run.out,
        run.err
    );
    let bad = write(10.0);
    let run = jixiao(
        dir.path(),
        "none.sqlite",
        &["claims", "check", bad.to_str().unwrap()],
    );
    assert!(
        !run.ok && run.out.contains("年度资金总额 · 得分"),
        "{}",
        run.out
    );
}

#[test]
fn claims_extract_lists_the_reports_quantitative_claims_as_json_csv_and_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let seed = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/seed/dongcheng-2020-performance-report.txt"
    );
    let json = jixiao(
        dir.path(),
        "x.sqlite",
        &["claims", "extract", seed, "--format", "json"],
    );
    assert!(json.ok, "{}", json.err);
    let claims: Vec<serde_json::Value> = serde_json::from_str(&json.out).unwrap();
    for field in ["text", "metric", "value", "unit", "start", "end"] {
        assert!(
            claims.iter().all(|c| c.get(field).is_some()),
            "every claim has `{field}`"
        );
    }
    let find = |metric: &str, value: f64, unit: &str| {
        claims.iter().any(|c| {
            c["metric"].as_str().unwrap().contains(metric)
                && c["value"].as_f64() == Some(value)
                && c["unit"] == unit
        })
    };
    assert!(find("拆除违法建设", 85000.0, "平方米"));
    assert!(find("家庭厨余垃圾分出率", 21.8, "%"));
    assert!(find("区级一般公共预算收入", 1.814e10, "元"));
    assert!(find("受理12345市民热线案件", 150000.0, "件"));
    let csv = jixiao(
        dir.path(),
        "x.sqlite",
        &["claims", "extract", seed, "--format", "csv"],
    );
    assert!(csv.out.starts_with("sentence,start,end,metric,value,unit"));
    let table = jixiao(dir.path(), "x.sqlite", &["claims", "extract", seed]);
    assert!(table.out.contains("85000") && table.out.contains("平方米"));
}

#[test]
fn claims_eval_measures_a_gold_set_per_document_and_shape_from_texts_kept_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let texts = dir.path().join("texts");
    std::fs::create_dir(&texts).unwrap();
    // The copy supplied differs from the annotated text before the claims (a heading added).
    std::fs::write(
        texts.join("report.txt"),
        "附件。全年新建绿地30公顷,增长5%。",
    )
    .unwrap();
    let claim = |text: &str, start: usize, value: f64, unit: &str| {
        serde_json::json!({"text": text, "metric": "", "value": value, "unit": unit,
            "kind": "amount", "start": start, "end": start + text.chars().count()})
    };
    let set = serde_json::json!({
        "guideline": "docs/claims-annotation.md",
        "documents": [
            {"name": "report", "shape": "政府工作报告", "title": "t", "source": "https://example.org/r",
             "sha256": "0", "claims": [claim("30公顷", 6, 30.0, "公顷"), claim("5%", 12, 5.0, "%")]},
            {"name": "absent", "shape": "统计公报", "title": "t", "source": "https://example.org/a",
             "sha256": "0", "claims": [claim("1吨", 0, 1.0, "吨")]}
        ]
    });
    let set_file = dir.path().join("set.json");
    std::fs::write(&set_file, set.to_string()).unwrap();
    let set_path = set_file.to_str().unwrap();
    let run = jixiao(
        dir.path(),
        "x.sqlite",
        &[
            "claims",
            "eval",
            set_path,
            "--documents",
            texts.to_str().unwrap(),
        ],
    );
    assert!(run.ok, "{}", run.err);
    let row = run.out.lines().find(|l| l.starts_with("report ")).unwrap();
    assert!(
        row.contains("100.0%"),
        "both claims found in the moved copy: {row}"
    );
    assert!(run.out.contains("not available") && run.out.contains("https://example.org/a"));
    assert!(run.out.contains("SHA-256 differs"), "{}", run.out);
    assert!(run.out.lines().any(|l| l.starts_with("全部 all")));
    // A set needs the folder of its texts; saying so is not a crash.
    let run = jixiao(dir.path(), "x.sqlite", &["claims", "eval", set_path]);
    assert!(!run.ok && run.err.contains("--documents"), "{}", run.err);
}

#[test]
fn claims_eval_reports_precision_and_recall_against_the_gold_file() {
    let dir = tempfile::tempdir().unwrap();
    let gold = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/claims/dongcheng-2020-gold.json"
    );
    let run = jixiao(dir.path(), "x.sqlite", &["claims", "eval", gold]);
    assert!(run.ok, "{}", run.err);
    let line = run
        .out
        .lines()
        .find(|l| l.starts_with("precision"))
        .unwrap();
    let figures: Vec<f64> = line
        .split_whitespace()
        .filter_map(|w| w.strip_suffix('%'))
        .map(|x| x.parse().unwrap())
        .collect();
    assert!(figures[0] >= 95.0 && figures[1] >= 90.0, "{line}");
    // Matching claims to the demo's tasks (measured 100 % / 98.1 %).
    let line = run
        .out
        .lines()
        .find(|l| l.starts_with("matching to tasks"))
        .unwrap();
    let figures: Vec<f64> = line
        .split_whitespace()
        .filter_map(|w| w.strip_suffix('%'))
        .map(|x| x.parse().unwrap())
        .collect();
    assert!(figures[0] >= 95.0 && figures[1] >= 90.0, "{line}");
}

#[test]
fn claims_check_marks_the_reports_figures_against_the_stored_values() {
    let dir = tempfile::tempdir().unwrap();
    let (_, db) = demo(dir.path());
    let seed = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/seed/dongcheng-2020-performance-report.txt"
    );
    let run = jixiao(
        dir.path(),
        &db,
        &["claims", "check", "--unit", "东城区", seed, "--json"],
    );
    assert!(run.ok, "{}", run.err);
    let checked: Vec<serde_json::Value> = serde_json::from_str(&run.out).unwrap();
    let verdict = |text: &str, task: &str| {
        let c = checked
            .iter()
            .find(|c| c["claim"]["text"].as_str().unwrap().contains(text))
            .unwrap_or_else(|| panic!("no claim `{text}`"));
        assert_eq!(c["task_id"], task, "{text}: {c}");
        c["verdict"]["verdict"].as_str().unwrap().to_string()
    };
    assert_eq!(verdict("拆除违法建设8.5万平方米", "A06-1"), "consistent");
    assert_eq!(
        verdict("家庭厨余垃圾分出率达到21.8%", "A10-1"),
        "consistent"
    );
    assert_eq!(
        verdict("区级一般公共预算收入实现181.4亿元", "B05-1"),
        "consistent"
    );
    assert_eq!(verdict("15万余件", "A22-2"), "consistent");
    // A place claimed for a task scored by rank is checked against the task's ranking: the
    // seed's 人均公共文化设施面积 "位居全市第一" agrees with the demo; a report that claims another
    // place is caught with both.
    let rank = checked
        .iter()
        .find(|c| c["task_id"] == "A15-2")
        .expect("the rank claim is matched to A15-2");
    assert_eq!(rank["verdict"]["verdict"], "consistent", "{rank}");
    std::fs::write(
        dir.path().join("third.txt"),
        "人均公共文化设施面积位居全市第三。",
    )
    .unwrap();
    let run = jixiao(
        dir.path(),
        &db,
        &[
            "claims",
            "check",
            "--unit",
            "dongcheng",
            "--json",
            "third.txt",
        ],
    );
    let third: Vec<serde_json::Value> = serde_json::from_str(&run.out).unwrap();
    assert_eq!(
        third[0]["verdict"]["verdict"], "inconsistent",
        "{}",
        run.out
    );
    assert_eq!(
        (
            third[0]["verdict"]["claimed"].as_f64(),
            third[0]["verdict"]["stored"].as_f64()
        ),
        (Some(3.0), Some(1.0))
    );
    // A report that overstates a figure is caught, with both numbers.
    let seed_text = std::fs::read_to_string(seed)
        .unwrap()
        .replace("拆除违法建设8.5万平方米", "拆除违法建设9.5万平方米");
    std::fs::write(dir.path().join("overstated.txt"), seed_text).unwrap();
    let run = jixiao(
        dir.path(),
        &db,
        &["claims", "check", "--unit", "dongcheng", "overstated.txt"],
    );
    let line = run.out.lines().find(|l| l.contains("9.5万平方米")).unwrap();
    assert!(
        line.contains("INCONSISTENT") && line.contains("报告 9.5 vs 数据 8.5"),
        "{line}"
    );
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn reports_are_written_in_every_offered_format_and_refused_in_others() {
    let dir = tempfile::tempdir().unwrap();
    let (_, db) = demo(dir.path());
    let d = dir.path();
    for (args, file) in [
        (
            &["report", "self", "--unit", "东城区", "--format", "docx"][..],
            "self.docx",
        ),
        (
            &["report", "self", "--unit", "dongcheng", "--format", "md"][..],
            "self.md",
        ),
        (
            &["report", "self", "--unit", "东城区", "--format", "html"][..],
            "self.html",
        ),
        (
            &[
                "report",
                "selfcheck",
                "--unit",
                "东城区",
                "--format",
                "xlsx",
            ][..],
            "check.xlsx",
        ),
        (
            &["report", "results", "--format", "xlsx"][..],
            "results.xlsx",
        ),
        (
            &["report", "results", "--format", "docx"][..],
            "results.docx",
        ),
    ] {
        let mut a = args.to_vec();
        a.extend(["--cycle", "2020", "--date", "2020-12-31", "-o", file]);
        let run = jixiao(d, &db, &a);
        assert!(run.ok, "{args:?}: {}", run.err);
    }
    let md = String::from_utf8(read(d, "self.md")).unwrap();
    assert!(md.starts_with("# 东城区2020年度绩效自评报告\n"));
    assert!(md.contains("拆除违法建设为8.5万平方米"));
    let html = String::from_utf8(read(d, "self.html")).unwrap();
    assert!(html.contains("<h1>东城区2020年度绩效自评报告</h1>"));
    let docx = jixiao_report::docx::read_text(&read(d, "self.docx")).unwrap();
    assert!(docx.contains("家庭厨余垃圾分出率为21.8%"));
    // The workbook opens and holds the self-check rows.
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(read(d, "check.xlsx"))).unwrap();
    let sheet = wb.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<String> = sheet
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(cells.iter().any(|c| c == "集中核酸检测累计人次"));
    assert!(cells.iter().any(|c| c == "超额完成"));

    let run = jixiao(
        d,
        &db,
        &["report", "self", "--format", "docx", "-o", "x.docx"],
    );
    assert!(!run.ok && run.err.contains("one unit"), "{}", run.err);
    let run = jixiao(
        d,
        &db,
        &[
            "report",
            "self",
            "--unit",
            "东城区",
            "--format",
            "xlsx",
            "-o",
            "x.xlsx",
        ],
    );
    assert!(!run.ok && run.err.contains("not xlsx"), "{}", run.err);
    let run = jixiao(
        d,
        &db,
        &[
            "report", "self", "--unit", "nowhere", "--format", "md", "-o", "x.md",
        ],
    );
    assert!(!run.ok && run.err.contains("nowhere"), "{}", run.err);
    std::fs::write(d.join("bad.toml"), "[self]\nheading_nxt = \"x\"\n").unwrap();
    let run = jixiao(
        d,
        &db,
        &[
            "report",
            "self",
            "--unit",
            "东城区",
            "--format",
            "md",
            "-o",
            "x.md",
            "--wording",
            "bad.toml",
        ],
    );
    assert!(
        !run.ok && run.err.contains("self.heading_nxt"),
        "{}",
        run.err
    );
    assert!(!d.join("x.md").exists(), "nothing written on error");
}

/// Every figure of a report jixiao wrote is checked against the database by the report checker:
/// all agree, except figures inside text the report quotes (ledger reasons such as
/// 五次蝉联“全国文明城区”殊荣), which the data cannot confirm and are left unmatched.
#[test]
fn a_generated_report_reconciles_with_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let (_, db) = demo(dir.path());
    let d = dir.path();
    let run = jixiao(
        d,
        &db,
        &[
            "report",
            "self",
            "--unit",
            "东城区",
            "--format",
            "docx",
            "-o",
            "self.docx",
        ],
    );
    assert!(run.ok, "{}", run.err);
    let run = jixiao(
        d,
        &db,
        &["claims", "check", "--unit", "东城区", "--json", "self.docx"],
    );
    assert!(run.ok, "{}", run.err);
    let checked: Vec<serde_json::Value> = serde_json::from_str(&run.out).unwrap();
    assert!(checked.len() > 200, "{} claims", checked.len());
    let ledger = std::fs::read_to_string(example("ledger.csv")).unwrap();
    let mut quoted = 0;
    for c in &checked {
        let text = c["claim"]["text"].as_str().unwrap();
        let verdict = c["verdict"]["verdict"].as_str().unwrap();
        if verdict != "consistent" {
            let words =
                text.trim_start_matches(|ch: char| ch.is_ascii_digit() || ch == '.' || ch == ' ');
            assert!(
                verdict == "unmatched" && ledger.contains(words),
                "{text}: {verdict} ({})",
                c["verdict"]
            );
            quoted += 1;
        }
    }
    assert!(
        quoted * 50 < checked.len(),
        "{quoted} of {} figures unconfirmed",
        checked.len()
    );
    let kinds: std::collections::BTreeSet<&str> = checked
        .iter()
        .map(|c| c["claim"]["kind"]["type"].as_str().unwrap())
        .collect();
    for k in ["amount", "target", "share_of_target", "rank"] {
        assert!(kinds.contains(k), "no {k} claim checked: {kinds:?}");
    }
}

/// Whether these programs are installed; without them the test is skipped, unless CI requires
/// them (JIXIAO_REQUIRE_LIBREOFFICE), where their absence fails it.
fn office_tools(tools: &[&str]) -> bool {
    let have = tools.iter().all(|c| {
        std::process::Command::new("sh")
            .args(["-c", &format!("command -v {c}")])
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if !have {
        assert!(
            std::env::var("JIXIAO_REQUIRE_LIBREOFFICE").is_err(),
            "LibreOffice and poppler-utils are required (JIXIAO_REQUIRE_LIBREOFFICE is set)"
        );
        eprintln!("SKIPPED: LibreOffice (soffice) or poppler-utils not installed");
    }
    have
}

/// Converts `docx` in `dir` to PDF with LibreOffice (a profile of its own in `dir`).
fn to_pdf(dir: &std::path::Path, docx: &str) {
    let profile = format!("-env:UserInstallation=file://{}/lo-profile", dir.display());
    let out = std::process::Command::new("soffice")
        .current_dir(dir)
        .args([profile.as_str(), "--headless", "--convert-to", "pdf", docx])
        .output()
        .unwrap();
    let pdf = docx.replace(".docx", ".pdf");
    assert!(
        dir.join(&pdf).exists(),
        "soffice: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_word_report_turns_into_a_pdf_with_its_chinese_text() {
    if !office_tools(&["soffice", "pdftotext", "pdfinfo"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_, db) = demo(dir.path());
    let d = dir.path();
    let run = jixiao(
        d,
        &db,
        &[
            "report",
            "self",
            "--unit",
            "东城区",
            "--format",
            "docx",
            "--date",
            "2020-12-31",
            "-o",
            "self.docx",
        ],
    );
    assert!(run.ok, "{}", run.err);
    to_pdf(d, "self.docx");
    let info = std::process::Command::new("pdfinfo")
        .current_dir(d)
        .arg("self.pdf")
        .output()
        .unwrap();
    let pages: usize = String::from_utf8_lossy(&info.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:").map(|p| p.trim().parse().unwrap()))
        .unwrap();
    assert!((4..=20).contains(&pages), "{pages} pages");
    let text = std::process::Command::new("pdftotext")
        .current_dir(d)
        .args(["self.pdf", "-"])
        .output()
        .unwrap();
    let text: String = String::from_utf8_lossy(&text.stdout)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for s in [
        "东城区2020年度绩效自评报告",
        "一、总体情况",
        "拆除违法建设为8.5万平方米",
        "四、下一步工作打算",
    ] {
        assert!(text.contains(s), "{s} not in the PDF text");
    }
}

/// The results report's bar charts render with their bars in LibreOffice (a series without its
/// own fill showed only its labels there): the first pages, rasterised, hold the bars' colour.
#[test]
fn the_results_reports_bar_charts_draw_their_bars_in_libreoffice() {
    if !office_tools(&["soffice", "pdftoppm"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_, db) = demo(dir.path());
    let d = dir.path();
    let run = jixiao(
        d,
        &db,
        &[
            "report",
            "results",
            "--format",
            "docx",
            "-o",
            "results.docx",
        ],
    );
    assert!(run.ok, "{}", run.err);
    to_pdf(d, "results.docx");
    // Pages 1 to 5 as PPM (a header, then RGB bytes): the grade and ranking charts are there.
    let out = std::process::Command::new("pdftoppm")
        .current_dir(d)
        .args(["-f", "1", "-l", "5", "-r", "40", "results.pdf", "page"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut bar_pixels = 0usize;
    for entry in std::fs::read_dir(d).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "ppm") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        // "P6\n<w> <h>\n255\n": the pixels follow the third line break.
        let start = bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .nth(2)
            .map(|(i, _)| i + 1)
            .unwrap();
        bar_pixels += bytes[start..]
            .chunks_exact(3)
            .filter(|p| {
                let near = |v: u8, want: i32| (v as i32 - want).abs() < 40;
                near(p[0], 0x2F) && near(p[1], 0x6F) && near(p[2], 0xB0)
            })
            .count();
    }
    assert!(
        bar_pixels > 500,
        "only {bar_pixels} pixels of the bars' colour"
    );
}

#[test]
fn publish_and_next_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let (_, db) = demo(dir.path());
    let d = dir.path();
    let run = jixiao(d, &db, &["publish", "--cycle", "2020"]);
    assert!(run.ok && run.out.contains("published"), "{}", run.err);
    assert!(run.out.contains("version 1 sha256 "), "{}", run.out);
    let run = jixiao(d, &db, &["audit", "log"]);
    assert!(run.out.contains("cycle.publish"), "{}", run.out);
    let run = jixiao(d, &db, &["audit", "head"]);
    let (seq, hash) = run.out.trim().split_once(':').expect("SEQ:HASH");
    assert!(
        seq.parse::<i64>().unwrap() > 0 && hash.len() == 64,
        "{}",
        run.out
    );

    // The bundle recomputes; an edited one does not, and the exit code says so.
    let run = jixiao(d, &db, &["publication", "list", "--cycle", "2020"]);
    assert!(
        run.ok && run.out.starts_with("v1 "),
        "{} {}",
        run.out,
        run.err
    );
    let run = jixiao(
        d,
        &db,
        &[
            "publication",
            "bundle",
            "--cycle",
            "2020",
            "--output",
            "v1.json",
        ],
    );
    assert!(run.ok, "{}", run.err);
    let run = jixiao(d, "unused.sqlite", &["verify-publication", "v1.json"]);
    assert!(run.ok && run.out.contains("verified"), "{}", run.out);
    let text = String::from_utf8(read(d, "v1.json")).unwrap();
    let mut bundle: serde_json::Value = serde_json::from_str(&text).unwrap();
    let values = bundle["snapshot"]["content"]["values"]
        .as_array_mut()
        .unwrap();
    let last = values
        .iter_mut()
        .rev()
        .find(|v| v["unit"] == "dongcheng" && v["value"].is_number())
        .unwrap();
    last["value"] = serde_json::json!(-1000.0);
    std::fs::write(d.join("edited.json"), bundle.to_string()).unwrap();
    let run = jixiao(d, "unused.sqlite", &["verify-publication", "edited.json"]);
    assert!(!run.ok, "{}", run.out);
    assert!(run.out.contains("SHA-256 不一致 differs"), "{}", run.out);
    assert!(run.out.contains("东城区 (dongcheng)"), "{}", run.out);
    std::fs::write(d.join("junk.json"), "{\"not\": 1}").unwrap();
    let run = jixiao(d, "unused.sqlite", &["verify-publication", "junk.json"]);
    assert!(
        !run.ok && run.err.contains("not a publication bundle"),
        "{}",
        run.err
    );

    let run = jixiao(
        d,
        &db,
        &["cycle", "next", "--from", "2020", "-o", "2021.toml"],
    );
    assert!(run.ok, "{}", run.err);
    let toml = String::from_utf8(read(d, "2021.toml")).unwrap();
    assert!(toml.starts_with("# 2021年度"), "{}", &toml[..200]);
    assert!(toml.contains("id = \"2021\""));
    let run = jixiao(d, &db, &["check", "2021.toml"]);
    assert!(run.ok, "{}", run.err);
    let run = jixiao(d, &db, &["import", "taskbook", "2021.toml"]);
    assert!(run.ok, "{}", run.err);
    let run = jixiao(d, &db, &["cycle", "next", "--from", "1999", "-o", "x.toml"]);
    assert!(!run.ok && run.err.contains("1999"), "{}", run.err);
}

/// The real exports in examples/real-311 (inside the repository: a clone needs nothing beside
/// it).
fn real_311(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/real-311")
        .join(file)
}

fn mapping(file: &str) -> String {
    example(&format!("../hotline/mappings/{file}"))
}

#[test]
fn both_real_hotline_exports_import_with_their_mappings_and_say_what_cannot_be_computed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("la-rules.toml"),
        "timezone = \"America/Los_Angeles\"\n[[version]]\neffective_from = 2010-01-01\n",
    )
    .unwrap();
    for (file, map, rows, month, rules) in [
        (
            "nyc311_sample_2022-05-01.csv",
            "nyc311.toml",
            924,
            "2022-05",
            None,
        ),
        (
            "la311_myla311_2017_subset.csv",
            "la311.toml",
            9999,
            "2017-12",
            Some("la-rules.toml"),
        ),
    ] {
        let db = format!("{}.sqlite", &file[..5]);
        let path = real_311(file).display().to_string();
        let m = mapping(map);
        let mut args = vec!["hotline", "import", path.as_str(), "--mapping", m.as_str()];
        if let Some(r) = rules {
            args.extend(["--rules", r]);
        }
        let run = jixiao(d, &db, &args);
        assert!(run.ok, "{file}: {}", run.err);
        assert!(run.out.contains(&format!("{rows} inserted")), "{}", run.out);
        assert!(
            run.out.contains("response rate") && run.out.contains("satisfaction rate"),
            "{}",
            run.out
        );
        let again = jixiao(d, &db, &args);
        assert!(
            again
                .out
                .contains(&format!("0 inserted, 0 updated, {rows} unchanged")),
            "{}",
            again.out
        );
        let mut rank = vec!["hotline", "rank", "--month", month, "--json"];
        if let Some(r) = rules {
            rank.extend(["--rules", r]);
        }
        let run = jixiao(d, &db, &rank);
        assert!(run.ok, "{}", run.err);
        let ranked: Vec<serde_json::Value> = serde_json::from_str(&run.out).unwrap();
        let accepted: i64 = ranked
            .iter()
            .map(|r| r["assessment"]["accepted"].as_i64().unwrap())
            .sum();
        assert_eq!(
            accepted as usize, rows,
            "{file}: every case counts in its local month"
        );
        assert!(
            ranked
                .iter()
                .all(|r| r["assessment"]["score"].is_null() && r["rank"].is_null()),
            "no invented scores"
        );
    }
}

#[test]
fn a_bad_hotline_file_imports_nothing_and_names_each_problem() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let header = "Unique Key,Created Date,Closed Date,Agency,Complaint Type,Descriptor,Incident Address,Latitude,Longitude,Open Data Channel Type,Status\n";
    let body = "1,05/01/2022 12:00:03 AM,,NYPD,Noise,Loud,1 MAIN ST,40.8,-73.9,ONLINE,Open\n\
                2,13/45/2022 99:00:00 PM,,NYPD,Noise,Loud,1 MAIN ST,40.8,-73.9,ONLINE,Open\n\
                3,05/01/2022 12:00:03 AM,,NYPD,Noise,Loud,1 MAIN ST,north,-73.9,ONLINE,Closing\n\
                1,05/01/2022 12:00:03 AM,,NYPD,Noise,Loud,1 MAIN ST,40.8,-73.9,ONLINE,Open\n";
    std::fs::write(d.join("bad.csv"), format!("{header}{body}")).unwrap();
    let m = mapping("nyc311.toml");
    let run = jixiao(
        d,
        "h.sqlite",
        &["hotline", "import", "bad.csv", "--mapping", &m],
    );
    assert!(!run.ok);
    for expected in [
        "row 3, column Created Date: `13/45/2022 99:00:00 PM` is not a date",
        "row 4, column Latitude: `north` is not a number",
        "row 4, column Status: `Closing`",
        "row 5, column Unique Key: `NYC-1` occurs twice",
        "nothing imported",
    ] {
        assert!(
            run.err.contains(expected),
            "{expected} missing from:\n{}",
            run.err
        );
    }
    let run = jixiao(d, "h.sqlite", &["hotline", "rank", "--month", "2022-05"]);
    assert!(!run.ok, "nothing was stored");
}

#[test]
fn generated_cases_round_trip_through_csv_and_rank_the_streets() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = jixiao(
        d,
        "gen.sqlite",
        &[
            "hotline",
            "generate",
            "--cases",
            "5000",
            "--seed",
            "4",
            "-o",
            "cases.csv",
        ],
    );
    assert!(run.ok, "{}", run.err);
    let run = jixiao(d, "gen.sqlite", &["hotline", "import", "cases.csv"]);
    assert!(
        run.ok && run.out.contains("5000 inserted"),
        "{} {}",
        run.out,
        run.err
    );
    assert!(
        !run.out.contains("cannot be computed"),
        "jixiao's own export has every field"
    );
    let run = jixiao(
        d,
        "direct.sqlite",
        &["hotline", "generate", "--cases", "5000", "--seed", "4"],
    );
    assert!(run.ok, "{}", run.err);
    let a = jixiao(
        d,
        "gen.sqlite",
        &["hotline", "rank", "--month", "2020-06", "--json"],
    );
    let b = jixiao(
        d,
        "direct.sqlite",
        &["hotline", "rank", "--month", "2020-06", "--json"],
    );
    assert_eq!(
        a.out, b.out,
        "the CSV path and the direct path give the same ranking"
    );
    let ranked: Vec<serde_json::Value> = serde_json::from_str(&a.out).unwrap();
    assert!(ranked.len() > 100, "{}", ranked.len());
    // About one case a street a month: under the built-in minimum of 10, none is ranked.
    for r in &ranked {
        let few = r["assessment"]["accepted"].as_i64().unwrap() < 10;
        assert_eq!(r["insufficient"], few, "{r}");
        assert!(!few || r["rank"].is_null(), "{r}");
    }
    let run = jixiao(
        d,
        "gen.sqlite",
        &["hotline", "rank", "--month", "2020-06", "--districts"],
    );
    assert!(run.out.contains("东城区"), "{}", run.out);
    assert!(run.out.contains("样本不足"), "{}", run.out);
    let districts = jixiao(
        d,
        "gen.sqlite",
        &[
            "hotline",
            "rank",
            "--month",
            "2020-06",
            "--districts",
            "--json",
        ],
    );
    let districts: Vec<serde_json::Value> = serde_json::from_str(&districts.out).unwrap();
    assert_eq!(districts[0]["rank"], 1, "the large districts are ranked");
    let run = jixiao(d, "gen.sqlite", &["hotline", "rebuild"]);
    assert!(run.ok, "{}", run.err);
    let c = jixiao(
        d,
        "gen.sqlite",
        &["hotline", "rank", "--month", "2020-06", "--json"],
    );
    assert_eq!(a.out, c.out, "a rebuild changes nothing");
    let run = jixiao(
        d,
        "gen.sqlite",
        &["hotline", "api-key", "create", "--name", "东城区网格平台"],
    );
    assert!(run.ok && run.out.contains("shown once"), "{}", run.err);
}

#[test]
fn an_office_loads_its_own_category_catalogue() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("cat.csv"),
        "code,name\n01,城乡建设\n0101,物业管理\n0102,违法建设\n",
    )
    .unwrap();
    std::fs::write(d.join("bad.csv"), "code,name\n0101,物业管理\n").unwrap();
    let run = jixiao(
        d,
        "h.sqlite",
        &["hotline", "init", "--catalogue", "bad.csv"],
    );
    assert!(
        !run.ok && run.err.contains("bad.csv: line 2") && run.err.contains("`01`"),
        "{}",
        run.err
    );
    let run = jixiao(
        d,
        "h.sqlite",
        &["hotline", "init", "--catalogue", "cat.csv"],
    );
    assert!(
        run.ok && run.out.contains("3 categories"),
        "{} {}",
        run.out,
        run.err
    );
}

#[test]
fn the_geography_goes_out_as_geojson_and_comes_back_with_its_boundaries() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = jixiao(
        d,
        "a.sqlite",
        &["hotline", "init", "--communities", "1", "--grids", "1"],
    );
    assert!(run.ok, "{}", run.err);
    let run = jixiao(
        d,
        "a.sqlite",
        &["hotline", "geography", "--output", "geo.json"],
    );
    assert!(
        run.ok && run.out.contains("with boundaries"),
        "{} {}",
        run.out,
        run.err
    );
    let text = std::fs::read_to_string(d.join("geo.json")).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let features = v["features"].as_array().unwrap();
    // 16 districts with five departments each, 343 streets, one community and one grid cell each.
    assert_eq!(features.len(), 16 * 6 + 343 * 3);
    let dongcheng = features
        .iter()
        .find(|f| f["properties"]["id"] == "dongcheng")
        .unwrap();
    assert_eq!(dongcheng["geometry"]["type"], "MultiPolygon");
    // Another database takes it back, boundaries and all.
    let run = jixiao(
        d,
        "b.sqlite",
        &["hotline", "init", "--geography", "geo.json"],
    );
    assert!(
        run.ok && run.out.contains("1125 areas"),
        "{} {}",
        run.out,
        run.err
    );
    let run = jixiao(
        d,
        "b.sqlite",
        &["hotline", "geography", "--output", "again.json"],
    );
    assert!(run.ok, "{}", run.err);
    // Districts, streets and communities have boundaries; grid cells are points, departments neither.
    assert!(
        run.out.contains("1125 areas (702 with boundaries)"),
        "{}",
        run.out
    );
    // A broken file is refused naming the feature, and nothing is stored.
    std::fs::write(
        d.join("bad.json"),
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"id":"x","name":"某区","level":"district"},"geometry":{"type":"LineString","coordinates":[[1,2],[3,4]]}}]}"#,
    )
    .unwrap();
    let run = jixiao(
        d,
        "c.sqlite",
        &["hotline", "init", "--geography", "bad.json"],
    );
    assert!(
        !run.ok && run.err.contains("feature 1") && run.err.contains("LineString"),
        "{}",
        run.err
    );
}

#[test]
fn output_cut_short_by_a_closed_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let (_, db) = demo(dir.path());
    // `jixiao explain --unit 东城区 --json | head -1`
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .current_dir(dir.path())
        .args(["--database", &db, "explain", "--unit", "东城区", "--json"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    // The reader is gone: the rest of the output meets a closed pipe.
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(first.trim(), "{");
    assert!(
        !err.contains("panicked") && !err.contains("Broken pipe"),
        "{err}"
    );
}

#[test]
fn hostile_office_files_are_refused_by_every_command_that_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (_, db) = demo(d);
    std::fs::write(
        d.join("dimension.xlsx"),
        jixiao_files::corpus::dimension_bomb(),
    )
    .unwrap();
    std::fs::write(d.join("bomb.xlsx"), jixiao_files::corpus::zip_bomb(300)).unwrap();
    std::fs::write(d.join("report.docx"), jixiao_files::corpus::docx_bomb(1024)).unwrap();
    for args in [
        vec!["import", "values", "dimension.xlsx"],
        vec!["import", "ledger", "bomb.xlsx"],
        vec!["import", "taskbook", "dimension.xlsx"],
        vec!["check", "bomb.xlsx"],
        vec!["hotline", "import", "dimension.xlsx"],
        vec!["claims", "extract", "report.docx"],
    ] {
        let run = jixiao(d, &db, &args);
        assert!(!run.ok, "{args:?}: {}", run.out);
        assert!(
            run.err.contains("refused") && !run.err.contains("panicked"),
            "{args:?}: {}",
            run.err
        );
    }
    // A tighter limit from the environment is the command line's configuration.
    let run = jixiao(
        d,
        &db,
        &["export", "taskbook", "--format", "xlsx", "-o", "book.xlsx"],
    );
    assert!(run.ok, "{}", run.err);
    assert!(jixiao(d, &db, &["check", "book.xlsx"]).ok);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jixiao"))
        .current_dir(d)
        .env("JIXIAO_SHEET_MAX_CELLS", "2")
        .args(["--database", &db, "check", "book.xlsx"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("more than the 2 allowed"),
        "{err}"
    );
}

/// Writes Open311 keys (each one row and one audit entry) until `stop`; returns how many.
fn keep_writing(
    url: String,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<usize> {
    std::thread::spawn(move || {
        let mut s = jixiao_store::Store::open(&url).unwrap();
        let mut n = 0;
        while !stop.load(std::sync::atomic::Ordering::SeqCst) {
            s.hotline_add_api_key(&format!("client {n}"), &format!("key-{n}"), "writer")
                .unwrap();
            n += 1;
        }
        n
    })
}

fn keys_and_audit(url: &str) -> (usize, bool) {
    let mut s = jixiao_store::Store::open(url).unwrap();
    let keys = s.hotline_api_keys().unwrap().len();
    (keys, s.verify_audit().unwrap().first_broken.is_none())
}

#[test]
fn a_backup_taken_during_writes_restores_consistent_and_verified() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("live.sqlite").display());
    jixiao_store::Store::open(&url).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = keep_writing(url.clone(), stop.clone());
    std::thread::sleep(std::time::Duration::from_millis(300));
    let before = keys_and_audit(&url).0;
    let run = jixiao(dir.path(), &url, &["backup", "--output", "copy.sqlite"]);
    assert!(run.ok, "{}", run.err);
    let after = keys_and_audit(&url).0;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let written = writer.join().unwrap();
    assert!(
        written > after.max(1) / 2,
        "writes went on during the backup"
    );
    // Restore into a new database; it holds every write committed before the backup began,
    // none half-made, and its audit chain verifies.
    let restored = format!("sqlite://{}", dir.path().join("restored.sqlite").display());
    let run = jixiao(dir.path(), &restored, &["restore", "copy.sqlite"]);
    assert!(run.ok, "{}", run.err);
    let (keys, intact) = keys_and_audit(&restored);
    assert!(intact, "the restored audit log verifies");
    assert!(
        before <= keys && keys <= after,
        "{before} <= {keys} <= {after}"
    );
    let mut s = jixiao_store::Store::open(&restored).unwrap();
    let audited = s
        .audit_entries(None)
        .unwrap()
        .iter()
        .filter(|e| e.action == "hotline.api_key")
        .count();
    assert_eq!(
        audited, keys,
        "each key with its audit entry, no more, no less"
    );
    let v = jixiao(dir.path(), &restored, &["audit", "verify"]);
    assert!(v.ok, "{}", v.err);
    // Over an existing database only with --force; a broken file never.
    let run = jixiao(dir.path(), &restored, &["restore", "copy.sqlite"]);
    assert!(!run.ok && run.err.contains("--force"), "{}", run.err);
    std::fs::write(dir.path().join("junk.sqlite"), b"not a database").unwrap();
    let run = jixiao(
        dir.path(),
        &restored,
        &["restore", "junk.sqlite", "--force"],
    );
    assert!(
        !run.ok && run.err.contains("not a jixiao backup"),
        "{}",
        run.err
    );
    assert_eq!(
        keys_and_audit(&restored).0,
        keys,
        "the database is untouched"
    );
    let run = jixiao(dir.path(), &url, &["backup", "--output", "copy.sqlite"]);
    assert!(!run.ok && run.err.contains("exists already"));
}

#[test]
fn postgres_backs_up_with_pg_dump_and_restores_with_pg_restore() {
    let base = common::postgres_url();
    let Ok(mut admin) = postgres::Client::connect(&base, postgres::NoTls) else {
        assert!(
            std::env::var("JIXIAO_REQUIRE_POSTGRES").is_err(),
            "PostgreSQL is required"
        );
        eprintln!("PostgreSQL not reachable: skipped");
        return;
    };
    if std::process::Command::new("pg_dump")
        .arg("--version")
        .output()
        .is_err()
    {
        assert!(
            std::env::var("JIXIAO_REQUIRE_POSTGRES").is_err(),
            "pg_dump is required"
        );
        return;
    }
    let tag = format!(
        "{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos()
    );
    let (live, copy) = (format!("jx_live_{tag}"), format!("jx_copy_{tag}"));
    for db in [&live, &copy] {
        admin
            .batch_execute(&format!("CREATE DATABASE {db}"))
            .unwrap();
    }
    let url = |db: &str| format!("{}/{db}", base.rsplit_once('/').unwrap().0);
    let dir = tempfile::tempdir().unwrap();
    jixiao_store::Store::open(&url(&live)).unwrap();
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = keep_writing(url(&live), stop.clone());
    std::thread::sleep(std::time::Duration::from_millis(300));
    let before = keys_and_audit(&url(&live)).0;
    let run = jixiao(
        dir.path(),
        &url(&live),
        &["backup", "--output", "live.dump"],
    );
    let after = keys_and_audit(&url(&live)).0;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    writer.join().unwrap();
    let restore = jixiao(dir.path(), &url(&copy), &["restore", "live.dump"]);
    let result = keys_and_audit(&url(&copy));
    for db in [&live, &copy] {
        let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
    }
    assert!(run.ok, "{}", run.err);
    assert!(restore.ok, "{}", restore.err);
    let (keys, intact) = result;
    assert!(intact);
    assert!(
        before <= keys && keys <= after,
        "{before} <= {keys} <= {after}"
    );
}

#[test]
fn in_year_scores_are_kept_as_runs_and_two_runs_compare_figure_by_figure() {
    let dir = tempfile::tempdir().unwrap();
    let (_, db) = demo(dir.path());
    let d = dir.path();
    let q3 = jixiao(d, &db, &["score", "--period", "Q3"]);
    assert!(q3.ok && q3.out.contains(": Q3"), "{}", q3.err);
    let year = jixiao(d, &db, &["score"]);
    assert!(year.ok, "{}", year.err);
    assert_ne!(
        q3.out.lines().nth(3),
        year.out.lines().nth(2),
        "the third quarter's standing is not the year's"
    );
    let as_of = jixiao(d, &db, &["score", "--as-of", "2020-06-30"]);
    assert!(as_of.ok, "{}", as_of.err);
    let list = jixiao(d, &db, &["runs", "list", "--cycle", "2020"]);
    let runs: Vec<&str> = list.out.lines().collect();
    assert!(runs.len() >= 4, "{}", list.out);
    assert!(
        list.out.contains(" Q3") && list.out.contains("as of 2020-06-30"),
        "{}",
        list.out
    );
    let id = |line: &str| {
        line.split_whitespace()
            .next()
            .unwrap()
            .trim_start_matches('#')
            .to_string()
    };
    let (a, b) = (id(runs[runs.len() - 3]), id(runs[runs.len() - 2]));
    let diff = jixiao(d, &db, &["runs", "diff", &a, &b]);
    assert!(diff.ok, "{}", diff.err);
    assert!(
        diff.out.contains("total:") && diff.out.contains("inputs that differ"),
        "{}",
        diff.out
    );
    assert!(
        diff.out.contains("value A01-1 dongcheng Q4: — → "),
        "the Q4 value counts only in the year: {}",
        diff.out
    );
    let same = jixiao(d, &db, &["runs", "diff", &b, &b]);
    assert!(same.out.contains("the same figures"), "{}", same.out);
    let bad = jixiao(d, &db, &["score", "--period", "Q9"]);
    assert!(!bad.ok && bad.err.contains("Q1, Q2, Q3, Q4"), "{}", bad.err);
    let bad = jixiao(d, &db, &["runs", "diff", "1", "999"]);
    assert!(!bad.ok && bad.err.contains("#999"), "{}", bad.err);
}

#[test]
fn a_re_division_comes_into_force_from_its_month_and_keeps_the_old_areas() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = jixiao(
        d,
        "a.sqlite",
        &["hotline", "init", "--communities", "1", "--grids", "1"],
    );
    assert!(run.ok, "{}", run.err);
    let run = jixiao(
        d,
        "a.sqlite",
        &["hotline", "geography", "--output", "geo.json"],
    );
    assert!(run.ok, "{}", run.err);
    // From July 2020 东华门街道's community is re-divided: a new id for the same ground.
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("geo.json")).unwrap()).unwrap();
    for f in v["features"].as_array_mut().unwrap() {
        let p = &mut f["properties"];
        let renamed = match p["id"].as_str().unwrap() {
            "dongcheng-s01-c01" => Some(("dongcheng-s01-c02", "dongcheng-s01")),
            "dongcheng-s01-c01-g1" => Some(("dongcheng-s01-c02-g1", "dongcheng-s01-c02")),
            _ => None,
        };
        if let Some((id, parent)) = renamed {
            p["id"] = serde_json::json!(id);
            p["parent"] = serde_json::json!(parent);
        }
    }
    std::fs::write(d.join("next.json"), v.to_string()).unwrap();
    let run = jixiao(
        d,
        "a.sqlite",
        &[
            "hotline",
            "init",
            "--geography",
            "next.json",
            "--effective-from",
            "July",
        ],
    );
    assert!(
        !run.ok && run.err.contains("not like 2020-07"),
        "{}",
        run.err
    );
    let run = jixiao(
        d,
        "a.sqlite",
        &[
            "hotline",
            "init",
            "--geography",
            "next.json",
            "--effective-from",
            "2020-07",
        ],
    );
    assert!(
        run.ok && run.out.contains("in force from 2020-07"),
        "{} {}",
        run.out,
        run.err
    );
    let run = jixiao(
        d,
        "a.sqlite",
        &["hotline", "geography", "--output", "after.json"],
    );
    assert!(run.ok, "{}", run.err);
    let after: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("after.json")).unwrap()).unwrap();
    let props = |id: &str| {
        after["features"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["properties"]["id"] == id)
            .map(|f| f["properties"].clone())
            .unwrap()
    };
    assert_eq!(props("dongcheng-s01-c01")["valid_until"], "2020-07");
    assert_eq!(props("dongcheng-s01-c01-g1")["valid_until"], "2020-07");
    assert_eq!(props("dongcheng-s01-c02")["valid_from"], "2020-07");
    assert!(props("dongcheng-s02-c01")["valid_until"].is_null());
    // The old file again would use a retired id: refused.
    let run = jixiao(
        d,
        "a.sqlite",
        &[
            "hotline",
            "init",
            "--geography",
            "geo.json",
            "--effective-from",
            "2021-01",
        ],
    );
    assert!(!run.ok && run.err.contains("not used again"), "{}", run.err);
}

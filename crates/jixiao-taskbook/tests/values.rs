//! Value files from CSV and xlsx: the same checks, located by sheet, row and column.

use jixiao_core::workflow::ValueState;
use jixiao_core::Observation;
use jixiao_taskbook::values::{parse_values, Blanks};

fn demo() -> jixiao_core::Framework {
    jixiao_taskbook::parse_toml(
        include_str!("../../../examples/beijing-2020/taskbook.toml"),
        "taskbook.toml",
    )
    .unwrap()
}

fn workbook(rows: &[[&str; 4]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("数值").unwrap();
    for (c, h) in ["单位(unit)", "任务(task)", "期间(period)", "数值(value)"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            match v.parse::<f64>() {
                Ok(x) if c == 3 => ws.write_number(r as u32 + 1, c as u16, x).unwrap(),
                _ => ws.write_string(r as u32 + 1, c as u16, *v).unwrap(),
            };
        }
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn values_are_read_from_an_xlsx_workbook_with_chinese_headers() {
    let fw = demo();
    let bytes = workbook(&[
        ["东城区", "A06-1", "第四季度", "8.5"],
        ["西城区", "A01-2", "Q4", "良"],
        ["朝阳区", "A10-1", "Q4", "21.8%"],
    ]);
    let rows = parse_values(
        &fw,
        &bytes,
        "values.xlsx",
        ValueState::Submitted,
        Blanks::Refuse,
    )
    .unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(
        (
            rows[0].key.unit.as_str(),
            rows[0].key.period.as_str(),
            &rows[0].observation
        ),
        ("dongcheng", "Q4", &Observation::Number(8.5))
    );
    assert_eq!(rows[1].observation, Observation::Grade("良".into()));
    assert_eq!(rows[2].observation, Observation::Number(21.8));
    assert!(rows.iter().all(|r| r.state == ValueState::Submitted));
}

#[test]
fn errors_in_an_xlsx_values_file_name_sheet_row_and_column() {
    let fw = demo();
    let bytes = workbook(&[
        ["东城区", "A06-1", "Q4", "8.5"],
        ["东城区", "A06", "Q4", "1"],
        ["东城区", "A06-2", "Q4", "很多"],
    ]);
    let errors = parse_values(
        &fw,
        &bytes,
        "values.xlsx",
        ValueState::Approved,
        Blanks::Refuse,
    )
    .unwrap_err();
    let text: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        text,
        [
            "values.xlsx [数值]: row 3, column B (任务(task)): `A06` is an indicator, not a task: values are reported on tasks",
            "values.xlsx [数值]: row 4, column D (数值(value)): `很多` is not a number",
        ]
    );
}

#[test]
fn a_file_that_is_not_a_workbook_is_refused_with_a_message() {
    let errors = parse_values(
        &demo(),
        b"PK\x03\x04 not really",
        "values.xlsx",
        ValueState::Approved,
        Blanks::Refuse,
    )
    .unwrap_err();
    assert!(
        errors[0]
            .to_string()
            .starts_with("values.xlsx: not a readable xlsx workbook"),
        "{}",
        errors[0]
    );
    let errors = parse_values(
        &demo(),
        b"unit,task\n",
        "v.csv",
        ValueState::Approved,
        Blanks::Refuse,
    )
    .unwrap_err();
    assert!(errors
        .iter()
        .any(|e| e.to_string().contains("missing column `period`")));
}

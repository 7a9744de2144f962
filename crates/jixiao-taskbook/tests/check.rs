//! `jixiao check` behaviour: every mistake of a task book is reported at once, each at its line
//! and column, and no input makes the parser panic.

use jixiao_taskbook::{parse_toml, Diagnostic, Location};
use proptest::prelude::*;

const BROKEN: &str = r#"
[cycle]
id = "2020"
name = "测试周期"
start = 2020-01-01
end = 2020-12-31
periods = "quarterly"

[[group]]
id = "urban6"
name = "城六区"

[[unit]]
id = "dongcheng"
name = "东城区"
groups = ["urban6", "nowhere"]

[[evaluator]]
id = "fgw"
name = "市发展改革委"

[[node]]
id = "A"
name = "战略绩效"
points = 10
children_sum = true

[[node]]
id = "A1"
parent = "A"
name = "拆除违法建设"
points = 4
method = "piecewise"
target = 6
challenge = 5
floor = 3
evaluators = ["ghw"]

[[node]]
id = "A1"
parent = "A"
name = "重复编号"
points = 3
method = "ratio"
params = { cap = 1.2, cep = 2 }
target = 1

[[node]]
id = "A3"
parent = "A"
name = "未知方法"
points = 2
method = "magic"

[[node]]
id = "A4"
parent = "A"
name = "缺目标"
points = 1
method = "efficacy"
colour = "red"
responsible = ["xicheng"]
"#;

fn line_of(errors: &[Diagnostic], needle: &str) -> usize {
    let e = errors
        .iter()
        .find(|e| e.message.contains(needle))
        .unwrap_or_else(|| panic!("no error mentioning `{needle}` in:\n{}", list(errors)));
    match e.location {
        Location::Text { line, .. } => line,
        ref other => panic!("expected a line for `{needle}`, got {other:?}"),
    }
}

fn list(errors: &[Diagnostic]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn a_task_book_with_several_mistakes_gets_every_one_reported_with_its_line() {
    let errors = parse_toml(BROKEN, "broken.toml").expect_err("the file is broken");
    assert_eq!(line_of(&errors, "unknown group `nowhere`"), 16);
    assert_eq!(
        line_of(&errors, "challenge value 5 must be above the target 6"),
        35
    );
    assert_eq!(line_of(&errors, "unknown evaluator `ghw`"), 37);
    assert_eq!(line_of(&errors, "duplicate node id `A1`"), 40);
    assert_eq!(line_of(&errors, "unknown parameter `cep`"), 45);
    assert_eq!(line_of(&errors, "unknown method `magic`"), 53);
    assert_eq!(line_of(&errors, "method `efficacy` needs a `target`"), 60);
    assert_eq!(line_of(&errors, "unknown field `colour`"), 61);
    assert_eq!(line_of(&errors, "unknown unit or group `xicheng`"), 62);
    // The points of A's children (4 + 3 + 2 + 1) are checked once the tree is whole.
    assert!(errors.iter().all(|e| e.file == "broken.toml"));
    let text = list(&errors);
    assert!(
        text.starts_with("broken.toml:16:"),
        "errors come in file order:\n{text}"
    );
}

#[test]
fn children_points_must_add_up_where_the_file_says_so() {
    let fixed = BROKEN
        .replace("\"nowhere\"", "\"urban6\"")
        .replace("challenge = 5", "challenge = 8")
        .replace("[\"ghw\"]", "[\"fgw\"]")
        .replace(
            "id = \"A1\"\nparent = \"A\"\nname = \"重复编号\"",
            "id = \"A2\"\nparent = \"A\"\nname = \"重复编号\"",
        )
        .replace(", cep = 2", "")
        .replace("method = \"magic\"", "method = \"ratio\"\ntarget = 1")
        .replace(
            "method = \"efficacy\"\ncolour = \"red\"\nresponsible = [\"xicheng\"]",
            "method = \"efficacy\"\ntarget = 10\nfloor = 5\npoints_extra = 1",
        );
    let errors = parse_toml(&fixed, "b.toml").expect_err("two mistakes remain");
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("unknown field `points_extra`")),
        "{}",
        list(&errors)
    );
    let fixed = fixed
        .replace("points_extra = 1\n", "")
        .replace("points = 10", "points = 11");
    let errors = parse_toml(&fixed, "b.toml").expect_err("points do not add up");
    assert_eq!(
        line_of(
            &errors,
            "the children of `A` add up to 10 points but it has 11"
        ),
        26
    );
    assert!(parse_toml(&fixed.replace("points = 11", "points = 10"), "b.toml").is_ok());
}

#[test]
fn a_syntax_error_is_located() {
    let errors =
        parse_toml("[cycle]\nid = \"2020\"\nname = 名称\n", "s.toml").expect_err("bad syntax");
    assert_eq!(errors.len(), 1);
    assert!(
        matches!(errors[0].location, Location::Text { line: 3, .. }),
        "{}",
        list(&errors)
    );
}

#[test]
fn lower_is_better_puts_the_challenge_below_the_target() {
    let book = BROKEN.replace(
        "target = 6\nchallenge = 5\nfloor = 3",
        "direction = \"lower\"\ntarget = 6\nchallenge = 7\nfloor = 3",
    );
    let errors = parse_toml(&book, "l.toml").expect_err("wrong side");
    assert!(
        errors.iter().any(|e| e
            .message
            .contains("challenge value 7 must be below the target 6")),
        "{}",
        list(&errors)
    );
    assert!(
        errors
            .iter()
            .any(|e| e.message.contains("floor 3 must be above the target 6")),
        "{}",
        list(&errors)
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn no_input_bytes_make_the_parser_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = parse_toml(&text, "fuzz.toml");
    }

    #[test]
    fn no_edit_of_a_valid_task_book_makes_the_parser_panic(at in 0usize..3000, len in 0usize..40, insert in "[ -~\\n\\[\\]=\"]{0,12}") {
        let base = include_str!("../../../examples/beijing-2020/taskbook.toml");
        let chars: Vec<char> = base.chars().collect();
        let at = at.min(chars.len());
        let end = (at + len).min(chars.len());
        let edited: String = chars[..at].iter().chain(insert.chars().collect::<Vec<_>>().iter()).chain(chars[end..].iter()).collect();
        let _ = parse_toml(&edited, "fuzz.toml");
    }
}

const CHECKED: &str = r#"
[cycle]
id = "2021"
name = "值检查"
start = 2021-01-01
end = 2021-12-31
periods = "quarterly"

[scoring]
jump_threshold = 0.3

[[unit]]
id = "u1"
name = "甲区"

[[node]]
id = "A"
name = "指标"
points = 10

[[node]]
id = "A1"
parent = "A"
name = "完成率"
points = 5
method = "ratio"
measure = "%"
target = 120
kind = "rate"

[[node]]
id = "A2"
parent = "A"
name = "达标天数"
points = 5
method = "ratio"
measure = "天"
target = 300
kind = "count"
min = 0
max = 366
jump = 0
"#;

/// `kind`, `min`, `max`, `jump` and `jump_threshold` are read; a target outside the values the
/// task accepts is reported at its line (a rate's target of 120 needs `max` or another kind).
#[test]
fn value_checks_are_read_and_a_target_outside_them_is_located() {
    let errors = parse_toml(CHECKED, "checked.toml").expect_err("the rate target is refused");
    assert_eq!(errors.len(), 1, "{}", list(&errors));
    assert_eq!(
        line_of(&errors, "outside the values"),
        28,
        "{}",
        list(&errors)
    );
    let fixed = CHECKED.replace("kind = \"rate\"", "kind = \"rate\"\nmax = 150");
    let fw = parse_toml(&fixed, "checked.toml").expect("valid");
    assert_eq!(fw.checks.jump, 0.3);
    let a1 = fw.nodes[fw.node_index("A1").unwrap()]
        .task
        .as_ref()
        .unwrap();
    assert_eq!(a1.checks.kind, Some(jixiao_core::checks::ValueKind::Rate));
    assert_eq!(a1.checks.max, Some(150.0));
    let a2 = fw.nodes[fw.node_index("A2").unwrap()]
        .task
        .as_ref()
        .unwrap();
    assert_eq!(
        (a2.checks.min, a2.checks.max, a2.checks.jump),
        (Some(0.0), Some(366.0), Some(0.0))
    );
    // Both formats keep them.
    let back = parse_toml(&jixiao_taskbook::to_toml(&fw), "again.toml").expect("round trip");
    assert_eq!(back, fw);
    let xlsx = jixiao_taskbook::xlsx::to_xlsx(&fw).expect("xlsx");
    let back = jixiao_taskbook::xlsx::parse_xlsx(&xlsx, "again.xlsx").expect("xlsx round trip");
    assert_eq!(back, fw);
    for (bad, needle) in [
        ("kind = \"rate\"", "kind = \"percent\""),
        ("jump = 0", "jump = -1"),
        ("min = 0", "min = 400"),
    ] {
        let broken = fixed.replace(bad, needle);
        let errors = parse_toml(&broken, "broken.toml").expect_err(needle);
        assert!(!errors.is_empty(), "{needle}");
    }
}

//! The browser editor's edits of a task book's TOML: each keeps the rest of the file as written
//! and the result is checked by the same reader as `jixiao check`.

use jixiao_taskbook::edit::{outline, remove_node, set_node, starter, NodeFields};
use jixiao_taskbook::parse_toml;

const STREETS: &str = include_str!("../../../examples/dongcheng-streets-2020/taskbook.toml");

fn fields_of(source: &str, id: &str) -> NodeFields {
    let n = outline(source)
        .into_iter()
        .find(|n| n.id == id)
        .unwrap_or_else(|| panic!("{id} in the outline"));
    NodeFields {
        id: n.id,
        parent: n.parent,
        name: n.name,
        points: n.points.unwrap_or(0.0),
        description: n.description,
        evaluators: n.evaluators,
        method: n.method,
        params: Some(n.params),
        measure: n.measure,
        direction: n.direction,
        target: n.target,
        challenge: n.challenge,
        floor: n.floor,
    }
}

#[test]
fn a_tasks_target_and_challenge_change_and_nothing_else_does() {
    let mut f = fields_of(STREETS, "S1-2");
    f.target = Some(92.5);
    f.challenge = Some(97.0);
    let edited = set_node(STREETS, Some("S1-2"), &f).unwrap();
    // Comments and every other table stay as written.
    assert!(edited.starts_with("# 2020年度东城区街道绩效考评任务书(演示)"));
    assert_eq!(
        edited.lines().count(),
        STREETS.lines().count() + 1,
        "one line more"
    );
    let fw = parse_toml(&edited, "edited.toml").unwrap();
    let t = fw.node_index("S1-2").unwrap();
    let task = fw.nodes[t].task.as_ref().unwrap();
    assert_eq!(
        (task.targets.target, task.targets.challenge),
        (Some(92.5), Some(97.0))
    );
    // Setting the same fields again changes nothing.
    assert_eq!(set_node(&edited, Some("S1-2"), &f).unwrap(), edited);
}

#[test]
fn a_new_task_appears_under_its_parent_and_the_check_sees_the_points() {
    let f = NodeFields {
        id: "S2-3".into(),
        parent: Some("S2".into()),
        name: "共享单车停放秩序".into(),
        points: 5.0,
        method: Some("ratio".into()),
        params: Some("cap = 1.0".into()),
        measure: Some("%".into()),
        direction: Some("higher".into()),
        target: Some(95.0),
        evaluators: vec!["dc-cgw".into()],
        ..Default::default()
    };
    let edited = set_node(STREETS, None, &f).unwrap();
    let tree = outline(&edited);
    let at = tree.iter().position(|n| n.id == "S2-3").unwrap();
    assert_eq!(tree[at].depth, 1);
    assert_eq!(tree[at - 1].id, "S2-2", "after its siblings, before S3");
    // S2 adds up its children: 30 where it has 25.
    let errors = parse_toml(&edited, "edited.toml").unwrap_err();
    assert!(
        errors
            .iter()
            .any(|d| d.message.contains("add up to 30 points but it has 25")),
        "{errors:?}"
    );
    // A node with that id exists now; a parent that does not is refused.
    assert_eq!(set_node(&edited, None, &f).unwrap_err().field, "id");
    let orphan = NodeFields {
        id: "X".into(),
        parent: Some("nowhere".into()),
        ..f.clone()
    };
    assert_eq!(
        set_node(STREETS, None, &orphan).unwrap_err().field,
        "parent"
    );
}

#[test]
fn a_renamed_indicator_takes_its_children_along_and_a_parent_is_not_removed_under_them() {
    let mut f = fields_of(STREETS, "S3");
    f.id = "S3X".into();
    f.name = "民生保障".into();
    let edited = set_node(STREETS, Some("S3"), &f).unwrap();
    let fw = parse_toml(&edited, "edited.toml").unwrap();
    let s31 = fw.node_index("S3-1").unwrap();
    assert_eq!(fw.nodes[fw.nodes[s31].parent.unwrap()].id, "S3X");
    let refused = remove_node(&edited, "S3X").unwrap_err();
    assert!(refused.message.contains("S3-1"), "{refused}");
    let fewer = remove_node(&edited, "S3-1").unwrap();
    assert!(parse_toml(&fewer, "x")
        .unwrap_err()
        .iter()
        .any(|d| d.message.contains("add up to")));
}

#[test]
fn bad_fields_are_refused_naming_the_field_and_the_source_is_untouched() {
    let mut f = fields_of(STREETS, "S1-1");
    f.params = Some("cap = ".into());
    assert_eq!(
        set_node(STREETS, Some("S1-1"), &f).unwrap_err().field,
        "params"
    );
    f.params = None;
    f.points = f64::NAN;
    assert_eq!(
        set_node(STREETS, Some("S1-1"), &f).unwrap_err().field,
        "points"
    );
    f.points = 10.0;
    f.name = "  ".into();
    assert_eq!(
        set_node(STREETS, Some("S1-1"), &f).unwrap_err().field,
        "name"
    );
    f.name = "响应率".into();
    f.id = "has space".into();
    assert_eq!(set_node(STREETS, Some("S1-1"), &f).unwrap_err().field, "id");
    let broken = "[cycle\nid = 1";
    assert_eq!(set_node(broken, None, &f).unwrap_err().field, "source");
    assert!(outline(broken).is_empty());
}

#[test]
fn the_outline_shows_the_tree_even_while_the_draft_has_errors() {
    let broken = STREETS.replace("points = 30", "points = \"thirty\"");
    assert!(parse_toml(&broken, "x").is_err());
    let tree = outline(&broken);
    assert_eq!(tree.len(), 13);
    assert_eq!(
        tree.iter()
            .map(|n| (n.id.as_str(), n.depth))
            .take(4)
            .collect::<Vec<_>>(),
        [("S1", 0), ("S1-1", 1), ("S1-2", 1), ("S1-3", 1)]
    );
    assert_eq!(tree[1].target, Some(100.0));
    assert_eq!(tree[1].params, "cap = 1");
}

#[test]
fn a_starter_task_book_is_valid_as_it_is() {
    for org in [None, Some(("xicheng", "西城区"))] {
        let text = starter("2021-x", "2021年度考评", 2021, org);
        let fw = parse_toml(&text, "starter.toml").unwrap();
        assert_eq!(fw.cycle.id, "2021-x");
        assert_eq!(fw.organisation.map(|o| o.id), org.map(|o| o.0.to_string()));
    }
}
